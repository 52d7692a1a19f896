//! Intent prefetch: when to prefetch a link, and how.
//!
//! *Not implemented yet (issues 5 and 10).* This module will hold the `IntentPrefetch` state
//! machine (65 ms hover debounce, touch, dedupe, same-origin guard, Save-Data, budgets) driven by
//! `handle_*` inputs and drained through `poll_*` outputs, with `now` passed in; typed
//! speculation rules; recognition of speculative requests on the server; and a coordinator that
//! lets a prefetch and a real request for the same URL share one fetch.

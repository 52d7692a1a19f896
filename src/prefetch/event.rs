//! What the machine tells its host: actions to perform, events to observe, ids, errors.

use std::fmt;

use url::Url;

use super::guard::GuardError;
use crate::time::Instant;

/// The host's identifier for one link element (one `<a>`), chosen by the host.
///
/// Two elements with the same `href` are two links; pending hover state is per link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct LinkId(pub u64);

/// An opaque identifier of one fetch started by [`Action::StartFetch`].
///
/// Report the fetch's end with [`IntentPrefetch::handle_fetch_done`](super::IntentPrefetch::handle_fetch_done).
/// Ids are never reused by a machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct FetchId(pub(crate) u64);

impl fmt::Display for FetchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fetch#{}", self.0)
    }
}

/// What the host must do, drained with [`IntentPrefetch::poll_action`](super::IntentPrefetch::poll_action).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Insert a `<script type="speculationrules">` prefetching `url` (see
    /// [`SpeculationRules::prefetch_urls`](super::speculation::SpeculationRules::prefetch_urls)).
    InsertSpeculationRule {
        /// The URL to prefetch, fragment removed.
        url: Url,
    },
    /// Append `<link rel="prefetch" as="document" href="{url}">` to `<head>`.
    InjectLinkPrefetch {
        /// The URL to prefetch, fragment removed.
        url: Url,
    },
    /// Start `fetch(url, {credentials: "same-origin", priority: "low", signal})` and report its
    /// end with `handle_fetch_done(now, id, ok)`.
    StartFetch {
        /// The id to report the fetch's end with, and to abort it by.
        id: FetchId,
        /// The URL to fetch, fragment removed.
        url: Url,
    },
    /// Abort the fetch `id` (its `AbortController`). No `handle_fetch_done` is expected for it.
    AbortFetch {
        /// The fetch to abort.
        id: FetchId,
    },
}

/// Why a link was not prefetched.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// The link has no `dj-prefetch` attribute.
    NotOptedIn,
    /// The link's `dj-prefetch` attribute is `false` (any ASCII case).
    OptedOut,
    /// Focus happened, but the focus trigger is off in the config.
    FocusDisabled,
    /// Save-Data is on: nothing is prefetched, and pending hovers are cancelled.
    SaveData,
    /// The href failed the URL guard.
    Guard(GuardError),
    /// The href points at the current document (only the fragment, or nothing, differs).
    SameDocument,
    /// The URL was already prefetched on this page.
    AlreadyPrefetched,
    /// A fetch of the URL is in flight.
    InFlight,
    /// The pointer (or focus) left the link before the hover delay ran out.
    LeftEarly,
    /// A navigation cancelled the pending hover.
    Navigated,
    /// The in-flight fetch cap was reached; the URL stays eligible.
    InFlightCap,
    /// The per-page prefetch cap was reached.
    PageBudget,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotOptedIn => f.write_str("no dj-prefetch attribute"),
            Self::OptedOut => f.write_str("dj-prefetch=\"false\""),
            Self::FocusDisabled => f.write_str("the focus trigger is off"),
            Self::SaveData => f.write_str("save-data is on"),
            Self::Guard(e) => write!(f, "guard: {e}"),
            Self::SameDocument => f.write_str("link to the current document"),
            Self::AlreadyPrefetched => f.write_str("already prefetched on this page"),
            Self::InFlight => f.write_str("a fetch of it is in flight"),
            Self::LeftEarly => f.write_str("left before the hover delay"),
            Self::Navigated => f.write_str("cancelled by navigation"),
            Self::InFlightCap => f.write_str("in-flight cap reached"),
            Self::PageBudget => f.write_str("per-page budget spent"),
        }
    }
}

/// Something the machine decided that needs no I/O, drained with
/// [`IntentPrefetch::poll_event`](super::IntentPrefetch::poll_event).
///
/// Every link that is not prefetched produces exactly one [`Skipped`](Self::Skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PrefetchEvent {
    /// A hover (or focus) armed the link's timer; it fires at `deadline`.
    Armed {
        /// The link.
        link: LinkId,
        /// The URL it would prefetch.
        url: Url,
        /// When the timer fires.
        deadline: Instant,
    },
    /// A link was not prefetched, and why.
    Skipped {
        /// The link.
        link: LinkId,
        /// The href as given by the host, or the resolved URL for a cancelled hover.
        href: String,
        /// Why.
        reason: SkipReason,
    },
    /// A fetch ended; failed ones make the URL eligible again.
    FetchDone {
        /// The fetch.
        id: FetchId,
        /// Whether it succeeded.
        ok: bool,
    },
}

/// Why an [`IntentPrefetch`](super::IntentPrefetch) could not be built or could not adopt a
/// page URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PrefetchError {
    /// The page URL did not parse.
    #[error("the page url does not parse: {reason}")]
    PageUrl {
        /// The `url` crate's parse error, as text.
        reason: String,
    },
    /// The page URL is not `http` or `https`, so nothing on it can be same-origin.
    #[error("the page url scheme `{scheme}` is not http or https")]
    PageScheme {
        /// The page's scheme.
        scheme: String,
    },
    /// [`PrefetchOptions::validate`](super::PrefetchOptions::validate) refused the options
    /// (a hover delay out of range, no transport enabled).
    #[error(transparent)]
    Options(#[from] crate::OptionsError),
}

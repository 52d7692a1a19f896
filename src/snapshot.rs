//! State-snapshot validation: JSON only, size caps, safe attribute names, PII-name checks.
//!
//! *Not implemented yet (issue 8).* This module will validate a view's state snapshot as strict
//! JSON under byte, key and depth caps, plan which attributes may be restored (no dunder, private
//! or framework-internal names), judge freshness from timestamps passed in, and run check
//! `djust.C304` for PII-like attribute names.

//! Old names under `prefetch`, kept for one release: the coordinator moved to
//! [`crate::coordinator`], and the configuration types were renamed `…Options`.

use crate::coordinator;

/// Deprecated: moved to `liveshell::coordinator::Coordinator`.
#[deprecated(note = "moved to `liveshell::coordinator::Coordinator`")]
pub type Coordinator = coordinator::Coordinator;

/// Deprecated: renamed to `liveshell::coordinator::CoordinatorOptions`.
#[deprecated(note = "renamed to `liveshell::coordinator::CoordinatorOptions`")]
pub type CoordinatorConfig = coordinator::CoordinatorOptions;

/// Deprecated: moved to `liveshell::coordinator::CoordinatorError`.
#[deprecated(note = "moved to `liveshell::coordinator::CoordinatorError`")]
pub type CoordinatorError = coordinator::CoordinatorError;

/// Deprecated: moved to `liveshell::coordinator::CoordinatorEvent`.
#[deprecated(note = "moved to `liveshell::coordinator::CoordinatorEvent`")]
pub type CoordinatorEvent = coordinator::CoordinatorEvent;

/// Deprecated: moved to `liveshell::coordinator::EntryState`.
#[deprecated(note = "moved to `liveshell::coordinator::EntryState`")]
pub type EntryState = coordinator::EntryState;

/// Deprecated: moved to `liveshell::coordinator::FetchOutcome`.
#[deprecated(note = "moved to `liveshell::coordinator::FetchOutcome`")]
pub type FetchOutcome = coordinator::FetchOutcome;

/// Deprecated: moved to `liveshell::coordinator::FetchTicket`.
#[deprecated(note = "moved to `liveshell::coordinator::FetchTicket`")]
pub type FetchTicket = coordinator::FetchTicket;

/// Deprecated: moved to `liveshell::coordinator::Kind`.
#[deprecated(note = "moved to `liveshell::coordinator::Kind`")]
pub type Kind = coordinator::Kind;

/// Deprecated: moved to `liveshell::coordinator::NotReusable`.
#[deprecated(note = "moved to `liveshell::coordinator::NotReusable`")]
pub type NotReusable = coordinator::NotReusable;

/// Deprecated: renamed to `liveshell::prefetch::PrefetchOptions`.
#[deprecated(note = "renamed to `liveshell::prefetch::PrefetchOptions`")]
pub type PrefetchConfig = super::PrefetchOptions;

/// Deprecated: moved to `liveshell::coordinator::RefuseReason`.
#[deprecated(note = "moved to `liveshell::coordinator::RefuseReason`")]
pub type RefuseReason = coordinator::RefuseReason;

/// Deprecated: moved to `liveshell::coordinator::ResponseHead`.
#[deprecated(note = "moved to `liveshell::coordinator::ResponseHead`")]
pub type ResponseHead = coordinator::ResponseHead;

/// Deprecated: moved to `liveshell::coordinator::Start`.
#[deprecated(note = "moved to `liveshell::coordinator::Start`")]
pub type Start = coordinator::Start;

/// Deprecated: moved to `liveshell::coordinator::Waiter`.
#[deprecated(note = "moved to `liveshell::coordinator::Waiter`")]
pub type Waiter = coordinator::Waiter;

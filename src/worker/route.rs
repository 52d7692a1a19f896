//! Which navigations the shell may answer, and when the shell is revalidated.

use std::num::NonZeroUsize;
use std::time::Duration;

use lru::LruCache;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::cache::digest;
use crate::time::Instant;

/// A path pattern: `/exact/path`, or a prefix ending in `*` (`/files/*`, `/*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PathPattern(String);

impl PathPattern {
    /// A pattern from its text.
    #[must_use]
    pub fn new(pattern: impl Into<String>) -> Self {
        Self(pattern.into())
    }

    /// Why the pattern can never match as meant, if so: it must start with `/` and may have
    /// `*` only as its last character ([`WorkerOptions::validate`](super::WorkerOptions::validate)).
    pub(super) fn problem(&self) -> Option<String> {
        let body = self.0.strip_suffix('*').unwrap_or(&self.0);
        if !self.0.starts_with('/') {
            Some(format!("{:?} does not start with `/`", self.0))
        } else if body.contains('*') {
            Some(format!("{:?} has `*` before its end", self.0))
        } else {
            None
        }
    }

    /// Whether `path` (a URL's path, without the query) matches.
    #[must_use]
    pub fn matches(&self, path: &str) -> bool {
        match self.0.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.0,
        }
    }
}

/// What the shell-route policy knows about one URL.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The shell may answer it: an include pattern names it, or a response showed it is an HTML
    /// page with a `<main>`.
    Shell,
    /// Not known yet: fetch it from the network and learn from the response.
    Unknown,
    /// The shell must not answer it: an exclude pattern names it, or a response showed it is
    /// not an HTML page with a `<main>` (a PDF, JSON, a page without main, an error).
    NotShell,
}

/// What a response taught about a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Learnt {
    shell: bool,
    at: Instant,
}

/// The shell-route policy: include and exclude patterns plus what responses taught, per URL
/// (path and query; the fragment never reaches a server).
///
/// Precedence: an exclude pattern wins; then what a response taught (a "not a page with main"
/// lesson is forgotten after `relearn_after`, so a page that was briefly an error page comes
/// back); then an include pattern; else [`Route::Unknown`]. At most `max_learnt` URLs are
/// remembered (least recently used forgotten).
#[derive(Debug)]
pub struct ShellRoutes {
    include: Vec<PathPattern>,
    exclude: Vec<PathPattern>,
    relearn_after: Duration,
    learnt: LruCache<String, Learnt>,
}

impl ShellRoutes {
    /// A policy with the given patterns and bounds.
    #[must_use]
    pub fn new(
        include: Vec<PathPattern>,
        exclude: Vec<PathPattern>,
        relearn_after: Duration,
        max_learnt: NonZeroUsize,
    ) -> Self {
        Self {
            include,
            exclude,
            relearn_after,
            learnt: LruCache::new(max_learnt),
        }
    }

    /// The key a URL is learnt under: its path and query.
    #[must_use]
    pub fn key(url: &Url) -> String {
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// What the policy says about `url` at `now`.
    pub fn route(&mut self, now: Instant, url: &Url) -> Route {
        if self.exclude.iter().any(|p| p.matches(url.path())) {
            return Route::NotShell;
        }
        let key = Self::key(url);
        if let Some(learnt) = self.learnt.get(&key).copied() {
            if learnt.shell {
                return Route::Shell;
            }
            if now.saturating_duration_since(learnt.at) < self.relearn_after {
                return Route::NotShell;
            }
            self.learnt.pop(&key);
        }
        if self.include.iter().any(|p| p.matches(url.path())) {
            Route::Shell
        } else {
            Route::Unknown
        }
    }

    /// Records what a response for `url` showed at `now`.
    pub fn learn(&mut self, now: Instant, url: &Url, shell: bool) {
        self.learnt.put(Self::key(url), Learnt { shell, at: now });
    }

    /// Forgets everything learnt (patterns stay).
    pub fn forget(&mut self) {
        self.learnt.clear();
    }

    /// How many URLs are remembered.
    #[must_use]
    pub fn learnt(&self) -> usize {
        self.learnt.len()
    }

    /// The lessons with their ages at `now`, least recently used first.
    #[must_use]
    pub fn save(&self, now: Instant) -> Vec<SavedLesson> {
        self.learnt
            .iter()
            .rev()
            .map(|(key, l)| SavedLesson {
                key: key.clone(),
                shell: l.shell,
                age: now.saturating_duration_since(l.at),
            })
            .collect()
    }

    /// Restores lessons saved by [`save`](Self::save) at `now`; those whose age cannot be
    /// represented are dropped.
    pub fn restore(&mut self, now: Instant, saved: Vec<SavedLesson>) {
        for lesson in saved {
            if let Some(at) = now.checked_sub(lesson.age) {
                self.learnt.put(
                    lesson.key,
                    Learnt {
                        shell: lesson.shell,
                        at,
                    },
                );
            }
        }
    }
}

/// One saved lesson of [`ShellRoutes`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedLesson {
    key: String,
    shell: bool,
    age: Duration,
}

/// The cached shell's metadata: a digest of its HTML (the HTML itself lives in the host's
/// Cache Storage), when it was stored and when it was last checked against the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShellMeta {
    digest: u64,
    len: usize,
    stored_at: Instant,
    checked_at: Instant,
}

/// The shell revalidation rule: a shell served more than `revalidate_after` after it was last
/// checked is checked again in the background (at most once per `revalidate_after`: the check
/// is marked when it is decided, not when it completes), and replaced when the page's shell
/// changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShellRule {
    revalidate_after: Duration,
    shell: Option<ShellMeta>,
}

/// What to do with a shell split from a fresh response.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellUpdate {
    /// No shell was cached: store this one.
    Store,
    /// The cached shell differs: replace it with this one.
    Replace,
    /// The cached shell is the same; it counts as checked.
    Unchanged,
}

impl ShellRule {
    /// A rule with no shell cached yet.
    #[must_use]
    pub const fn new(revalidate_after: Duration) -> Self {
        Self {
            revalidate_after,
            shell: None,
        }
    }

    /// Whether a shell is cached.
    #[must_use]
    pub const fn has_shell(&self) -> bool {
        self.shell.is_some()
    }

    /// The configured age.
    #[must_use]
    pub const fn revalidate_after(&self) -> Duration {
        self.revalidate_after
    }

    /// A navigation is about to be answered with the shell at `now`: whether to revalidate it
    /// in the background too. A `true` marks the shell checked at `now`.
    #[must_use]
    pub fn serve(&mut self, now: Instant) -> bool {
        let Some(meta) = &mut self.shell else {
            return false;
        };
        if now.saturating_duration_since(meta.checked_at) < self.revalidate_after {
            return false;
        }
        meta.checked_at = now;
        true
    }

    /// A response's page split into `shell` at `now` (a first load, a revalidation, or any
    /// other network navigation that had a main).
    pub fn offer(&mut self, now: Instant, shell: &str) -> ShellUpdate {
        let digest = shell_digest(shell);
        let update = match &self.shell {
            None => ShellUpdate::Store,
            Some(meta) if meta.digest == digest && meta.len == shell.len() => {
                ShellUpdate::Unchanged
            }
            Some(_) => ShellUpdate::Replace,
        };
        let stored_at = match (update, &self.shell) {
            (ShellUpdate::Unchanged, Some(meta)) => meta.stored_at,
            _ => now,
        };
        self.shell = Some(ShellMeta {
            digest,
            len: shell.len(),
            stored_at,
            checked_at: now,
        });
        update
    }

    /// Forgets the shell (`DJUST_CLEAR_SHELL`, or the host found its copy gone).
    pub fn clear(&mut self) {
        self.shell = None;
    }

    /// The metadata with ages at `now`.
    #[must_use]
    pub fn save(&self, now: Instant) -> Option<SavedShell> {
        self.shell.map(|m| SavedShell {
            digest: m.digest,
            len: m.len,
            stored_age: now.saturating_duration_since(m.stored_at),
            checked_age: now.saturating_duration_since(m.checked_at),
        })
    }

    /// Restores saved metadata at `now` (an unrepresentable age counts as checked long ago:
    /// the next serve revalidates).
    pub fn restore(&mut self, now: Instant, saved: Option<SavedShell>) {
        self.shell = saved.map(|s| {
            let far = now.checked_sub(self.revalidate_after).unwrap_or(now);
            ShellMeta {
                digest: s.digest,
                len: s.len,
                stored_at: now.checked_sub(s.stored_age).unwrap_or(far),
                checked_at: now.checked_sub(s.checked_age).unwrap_or(far),
            }
        });
    }
}

/// Saved [`ShellMeta`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedShell {
    digest: u64,
    len: usize,
    stored_age: Duration,
    checked_age: Duration,
}

/// A keyed digest of the shell's bytes (the cache's [`digest::content`], under a fixed key): a
/// change detector, not a security boundary.
fn shell_digest(shell: &str) -> u64 {
    // 64 of the 128 bits: JSON numbers (the save format) hold 64-bit integers.
    digest::content(b"liveshell-shell!", shell.as_bytes()) as u64
}

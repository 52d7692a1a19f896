//! Diagnostics returned by liveshell's configuration checks.
//!
//! A check looks at settings as a host holds them and returns a `Vec<Diagnostic>`: empty when
//! everything is fine. Each [`Diagnostic`] has a stable id in djust's form (`djust.C301`), a
//! [`Severity`], a message saying what is wrong and a hint saying what to do. Its [`Display`]
//! form is the one djust's system checks print:
//!
//! ```text
//! djust.C301 (error): DJUST_VDOM_CACHE_TTL_SECONDS must be between 1 and 86400 seconds, got 0 (hint: …)
//! ```
//!
//! The checks live with their capabilities: `djust.C301`–`djust.C303` in `cache`, `djust.C304`
//! in `snapshot`.
//!
//! [`Display`]: std::fmt::Display

use std::fmt;

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// The configuration is wrong: the feature cannot work as set.
    Error,
    /// The configuration works but is probably not what was meant.
    Warning,
    /// Worth knowing; nothing is wrong.
    Info,
}

impl Severity {
    /// The lowercase name used in the [`Display`](fmt::Display) form: `error`, `warning`, `info`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding of a configuration check.
///
/// # Examples
///
/// ```
/// use liveshell::diagnostics::{Diagnostic, Severity};
///
/// let d = Diagnostic::new("djust.C301", Severity::Error, "the TTL must be positive, got 0")
///     .with_hint("set DJUST_VDOM_CACHE_TTL_SECONDS to a number of seconds between 1 and 86400");
/// assert_eq!(d.id, "djust.C301");
/// assert_eq!(
///     d.to_string(),
///     "djust.C301 (error): the TTL must be positive, got 0 \
///      (hint: set DJUST_VDOM_CACHE_TTL_SECONDS to a number of seconds between 1 and 86400)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Diagnostic {
    /// The stable check id, such as `"djust.C301"`.
    pub id: &'static str,
    /// How serious the finding is.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it, when there is something to do.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// Creates a diagnostic without a hint.
    #[must_use]
    pub fn new(id: &'static str, severity: Severity, message: impl Into<String>) -> Self {
        Self {
            id,
            severity,
            message: message.into(),
            hint: None,
        }
    }

    /// Returns the diagnostic with `hint` set.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether the severity is [`Severity::Error`].
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.id, self.severity, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_without_hint_has_no_hint_part() {
        let d = Diagnostic::new(
            "djust.C303",
            Severity::Warning,
            "cache enabled, worker not told",
        );
        assert_eq!(
            d.to_string(),
            "djust.C303 (warning): cache enabled, worker not told"
        );
    }

    #[test]
    fn severities_print_lowercase() {
        assert_eq!(Severity::Error.to_string(), "error");
        assert_eq!(Severity::Warning.to_string(), "warning");
        assert_eq!(Severity::Info.to_string(), "info");
    }

    #[test]
    fn only_errors_are_errors() {
        assert!(Diagnostic::new("x", Severity::Error, "m").is_error());
        assert!(!Diagnostic::new("x", Severity::Warning, "m").is_error());
        assert!(!Diagnostic::new("x", Severity::Info, "m").is_error());
    }
}

//! [`ShellOptions`], the configuration of every entry point of the shell, and its error.

use html5ever::tree_builder::TreeBuilderOpts;

/// The default placeholder attribute set on the emptied main element.
pub const DEFAULT_PLACEHOLDER: (&str, &str) = ("data-djust-shell-placeholder", "1");

/// Errors from configuring the split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShellError {
    /// The placeholder attribute name cannot be written as an HTML attribute.
    #[error("invalid placeholder attribute name `{name}`")]
    InvalidAttributeName {
        /// The rejected name.
        name: String,
    },
}

/// Options for [`split_with`](super::split_with), [`main_inner_with`](super::main_inner_with)
/// and [`MainStream`](super::MainStream).
///
/// # Examples
///
/// ```
/// use liveshell::shell::{ShellOptions, split_with};
/// let options = ShellOptions::default().placeholder("data-shell", "main")?;
/// let split = split_with("<main id=m>x</main>", &options).unwrap();
/// assert_eq!(
///     split.shell,
///     "<html><head></head><body><main id=\"m\" data-shell=\"main\"></main></body></html>"
/// );
/// # Ok::<(), liveshell::shell::ShellError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellOptions {
    pub(super) name: String,
    pub(super) value: String,
    pub(super) scripting: bool,
    pub(super) hold_back: usize,
}

/// The default [`ShellOptions::hold_back_limit`]: 1 MiB.
pub const DEFAULT_HOLD_BACK_LIMIT: usize = 1 << 20;

impl Default for ShellOptions {
    fn default() -> Self {
        Self {
            name: DEFAULT_PLACEHOLDER.0.to_owned(),
            value: DEFAULT_PLACEHOLDER.1.to_owned(),
            scripting: true,
            hold_back: DEFAULT_HOLD_BACK_LIMIT,
        }
    }
}

impl ShellOptions {
    /// Sets the placeholder attribute written on the emptied main element.
    ///
    /// The name is ASCII-lowercased, as `setAttribute` does on an HTML element.
    ///
    /// # Errors
    ///
    /// [`ShellError::InvalidAttributeName`] if the name is empty or contains ASCII whitespace,
    /// `"`, `'`, `>`, `/`, `=`, `<`, or a control character.
    pub fn placeholder(mut self, name: &str, value: &str) -> Result<Self, ShellError> {
        let invalid = name.is_empty()
            || name.chars().any(|c| {
                c.is_ascii_whitespace()
                    || c.is_control()
                    || matches!(c, '"' | '\'' | '>' | '/' | '=' | '<')
            });
        if invalid {
            return Err(ShellError::InvalidAttributeName {
                name: name.to_owned(),
            });
        }
        self.name = name.to_ascii_lowercase();
        self.value = value.to_owned();
        Ok(self)
    }

    /// Sets the parser's scripting flag (default on, as in a browser with JavaScript).
    ///
    /// With scripting on, `noscript` content is raw text; with it off, it is parsed as markup. A
    /// `noscript` in template contents always serializes its text escaped: scripting is not
    /// enabled for nodes of the template's inert document.
    #[must_use]
    pub fn scripting(mut self, enabled: bool) -> Self {
        self.scripting = enabled;
        self
    }

    /// Sets how many bytes a [`MainStream`](super::MainStream) may hold back (input it has read
    /// but whose part of main's inner HTML may still change); past it,
    /// [`MainStream::push`](super::MainStream::push) returns
    /// [`StreamError::HoldBackLimit`](super::StreamError::HoldBackLimit). Default
    /// [`DEFAULT_HOLD_BACK_LIMIT`](super::DEFAULT_HOLD_BACK_LIMIT) (1 MiB). The complete
    /// functions ([`split_with`](super::split_with), [`main_inner_with`](super::main_inner_with))
    /// do not use it.
    #[must_use]
    pub fn hold_back_limit(mut self, bytes: usize) -> Self {
        self.hold_back = bytes;
        self
    }

    /// The placeholder attribute's name and value.
    #[must_use]
    pub fn placeholder_attribute(&self) -> (&str, &str) {
        (&self.name, &self.value)
    }

    /// Whether the parser runs with scripting enabled.
    #[must_use]
    pub fn is_scripting(&self) -> bool {
        self.scripting
    }
}

/// The tree builder's options for `options`.
pub(super) fn tree_builder_opts(options: &ShellOptions) -> TreeBuilderOpts {
    tree_builder_opts_for(options.scripting)
}

/// The tree builder's options for a page parsed with scripting on or off.
pub(super) fn tree_builder_opts_for(scripting: bool) -> TreeBuilderOpts {
    TreeBuilderOpts {
        scripting_enabled: scripting,
        ..TreeBuilderOpts::default()
    }
}

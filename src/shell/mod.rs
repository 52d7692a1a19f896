//! Split an HTML page into its shell and the contents of its `<main>` element, as a browser would.
//!
//! djust finds `<main>` with the regex `<main\b[^>]*>([\s\S]*?)</main>`, which breaks on `<main>` in
//! comments, `</main>` in scripts and attribute values, `<main-nav>`, nested and templated `<main>`,
//! and `</main >`. This module parses the whole page by the WHATWG HTML parsing algorithm
//! (scripting enabled), with its own tokenizer feeding html5ever's tree builder, finds the first
//! HTML `main` element in tree order (template contents and shadow roots do not count), and
//! returns:
//!
//! - `main`: that element's `innerHTML`, byte for byte what a current browser returns;
//! - `shell`: `<!DOCTYPE name>` (if the page has a doctype) followed by the document element's
//!   `outerHTML`, with the main element emptied and marked by a placeholder attribute
//!   (`data-djust-shell-placeholder="1"` by default). The main element keeps its other attributes.
//!
//! There is no drive loop and no time: each call is a pure function of its input. The parser builds
//! its tree in a flat arena and the serializer is iterative, so arbitrarily deep nesting never
//! overflows the stack.
//!
//! # Examples
//!
//! ```
//! let page = "<!DOCTYPE html><nav>N</nav><!-- <main>no</main> --><main class=x>Hi &amp; bye</main>";
//! let split = liveshell::shell::split(page).expect("the page has a main element");
//! assert_eq!(split.main, "Hi &amp; bye");
//! assert_eq!(
//!     split.shell,
//!     "<!DOCTYPE html><html><head></head><body><nav>N</nav><!-- <main>no</main> -->\
//!      <main class=\"x\" data-djust-shell-placeholder=\"1\"></main></body></html>"
//! );
//! assert_eq!(liveshell::shell::main_inner("<div>no main</div>"), None);
//! ```

mod arena;
mod checkpoint;
mod options;
mod parse;
mod pi;
mod repair;
mod select;
mod serialize;
mod sink;
mod stream;
mod tokenizer;

pub use self::options::{DEFAULT_HOLD_BACK_LIMIT, DEFAULT_PLACEHOLDER, ShellError, ShellOptions};
pub use self::parse::MAX_PAGE_LEN;
pub use self::stream::{MainStream, StreamError, StreamState};

use self::arena::NONE;
use self::parse::{document_element, parse_main, plan};
use self::serialize::serialize;

/// A page split into its shell and its main content.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Split {
    /// The page with its main element emptied and marked with the placeholder attribute.
    pub shell: String,
    /// The main element's `innerHTML`.
    pub main: String,
}

/// Splits `html` into shell and main with the default options.
///
/// Returns `None` when the page has no HTML `main` element outside templates, or is longer than
/// [`MAX_PAGE_LEN`].
///
/// # Examples
///
/// ```
/// let split = liveshell::shell::split("<main>a<b>b</main>c").unwrap();
/// assert_eq!(split.main, "a<b>b</b>");
/// ```
#[must_use]
pub fn split(html: &str) -> Option<Split> {
    split_with(html, &ShellOptions::default())
}

/// Splits `html` into shell and main with `options`.
///
/// Returns `None` when the page has no HTML `main` element outside templates, or is longer than
/// [`MAX_PAGE_LEN`].
///
/// # Examples
///
/// ```
/// use liveshell::shell::{ShellOptions, split_with};
/// let page = "<main><noscript><b>x</b></noscript></main>";
/// let off = split_with(page, &ShellOptions::default().scripting(false)).unwrap();
/// assert_eq!(off.main, "<noscript><b>x</b></noscript>");
/// ```
#[must_use]
pub fn split_with(html: &str, options: &ShellOptions) -> Option<Split> {
    let (doc, main, out) = parse_main(html, options)?;
    let plan = plan(options, main);
    let mut shell = String::with_capacity(html.len().saturating_sub(out.len()) + 256);
    if let Some(name) = &doc.doctype {
        shell.push_str("<!DOCTYPE ");
        shell.push_str(name);
        shell.push('>');
    }
    let root = document_element(&doc);
    if root != NONE {
        serialize(&mut shell, &doc, root, true, &plan);
    }
    Some(Split { shell, main: out })
}

/// The main element's `innerHTML` with the default options.
///
/// Returns `None` when the page has no HTML `main` element outside templates, or is longer than
/// [`MAX_PAGE_LEN`]. `main_inner(x)` equals `split(x).map(|s| s.main)`, but does not build the
/// shell.
///
/// # Examples
///
/// ```
/// let page = "<script>'</main>'</script><main-nav>A</main-nav><main data-x='a>b'>C</main>";
/// assert_eq!(liveshell::shell::main_inner(page).as_deref(), Some("C"));
/// ```
#[must_use]
pub fn main_inner(html: &str) -> Option<String> {
    main_inner_with(html, &ShellOptions::default())
}

/// The main element's `innerHTML` with `options`.
///
/// Returns `None` when the page has no HTML `main` element outside templates, or is longer than
/// [`MAX_PAGE_LEN`].
///
/// # Examples
///
/// ```
/// use liveshell::shell::{ShellOptions, main_inner_with};
/// let page = "<main><noscript><b>x</b></noscript></main>";
/// let on = main_inner_with(page, &ShellOptions::default()).unwrap();
/// assert_eq!(on, "<noscript><b>x</b></noscript>");
/// ```
#[must_use]
pub fn main_inner_with(html: &str, options: &ShellOptions) -> Option<String> {
    parse_main(html, options).map(|(_, _, main)| main)
}

/// Whether liveshell's tokenizer and html5ever's give `html` the same tokens, with scripting on
/// and off. Built only for the `shell` fuzz target (cargo-fuzz compiles with `--cfg fuzzing`).
///
/// # Errors
/// The first token where they differ.
#[cfg(fuzzing)]
#[doc(hidden)]
pub fn fuzz_tokenizers_agree(html: &str) -> Result<(), String> {
    tokenizer::check::tokenizers_agree(html)
}

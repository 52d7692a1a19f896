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

mod checkpoint;
mod repair;
mod select;
mod serialize;
mod sink;
mod stream;
mod tokenizer;

pub use self::stream::{MainStream, StreamError, StreamState};

use html5ever::interface::TreeSink;
use html5ever::local_name;
use html5ever::tree_builder::{TreeBuilder, TreeBuilderOpts};

use self::serialize::{Plan, serialize};
use self::sink::{ArenaSink, DOCUMENT, Document, NONE, NodeData, NodeId, descendants};

/// The default placeholder attribute set on the emptied main element.
pub const DEFAULT_PLACEHOLDER: (&str, &str) = ("data-djust-shell-placeholder", "1");

/// The largest page [`split`] and [`main_inner`] parse: 4 GiB less one byte, the most html5ever's
/// tree builder (whose strings have 32-bit lengths) can be handed. Larger pages give `None`, as a
/// page without a main element does, so a caller passes them through untouched.
pub const MAX_PAGE_LEN: usize = u32::MAX as usize;

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

/// Options for [`split_with`] and [`main_inner_with`].
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
    name: String,
    value: String,
    scripting: bool,
    hold_back: usize,
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

    /// Sets how many bytes a [`MainStream`] may hold back (input it has read but whose part of
    /// main's inner HTML may still change); past it, [`MainStream::push`] returns
    /// [`StreamError::HoldBackLimit`]. Default [`DEFAULT_HOLD_BACK_LIMIT`] (1 MiB). The complete
    /// functions ([`split_with`], [`main_inner_with`]) do not use it.
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

/// Parses `html` and serializes its main element's children: the document, the main element,
/// and its `innerHTML`.
fn parse_main(html: &str, options: &ShellOptions) -> Option<(Document, NodeId, String)> {
    if html.len() > MAX_PAGE_LEN {
        return None;
    }
    let doc = parse(html, options);
    let main = find_main(&doc)?;
    let mut out = String::with_capacity(html.len() / 8);
    serialize(&mut out, &doc, main, false, &plan(options, main));
    Some((doc, main, out))
}

fn plan(options: &ShellOptions, main: NodeId) -> Plan<'_> {
    Plan {
        scripting: options.scripting,
        emptied: main,
        name: &options.name,
        value: &options.value,
    }
}

fn parse(html: &str, options: &ShellOptions) -> Document {
    let builder = TreeBuilder::new(sink_for(html), tree_builder_opts(options));
    let repairs = tokenizer::tokenize(html, &builder);
    let mut doc = builder.sink.finish();
    repair::undo(&mut doc, repairs);
    doc
}

fn tree_builder_opts(options: &ShellOptions) -> TreeBuilderOpts {
    tree_builder_opts_for(options.scripting)
}

fn tree_builder_opts_for(scripting: bool) -> TreeBuilderOpts {
    TreeBuilderOpts {
        scripting_enabled: scripting,
        ..TreeBuilderOpts::default()
    }
}

/// An arena sized for `html`.
fn sink_for(html: &str) -> ArenaSink {
    // About one node per `<` (an element, or the text after an end tag), plus text split by
    // character references and the implied elements: reserving a little more than the count of
    // `<` avoids doubling the arena at the end.
    let tags = count_lt(html.as_bytes());
    // Text and attribute values take about half of a page; the store then grows by an eighth.
    ArenaSink::with_capacity(tags + tags / 4 + 16, html.len() / 2)
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

/// The number of `<` bytes, eight bytes at a time.
fn count_lt(bytes: &[u8]) -> usize {
    const LOW7: u64 = u64::from_ne_bytes([0x7f; 8]);
    const LT: u64 = u64::from_ne_bytes([b'<'; 8]);
    let mut chunks = bytes.chunks_exact(8);
    let mut count = 0;
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_ne_bytes(word) ^ LT;
        // A byte of `x` is zero exactly where the input has `<`; its top bit of `t` is then 0.
        let t = ((x & LOW7) + LOW7) | x;
        count += (!t & !LOW7).count_ones() as usize;
    }
    count + chunks.remainder().iter().filter(|&&b| b == b'<').count()
}

/// The document's first element child.
fn document_element(doc: &Document) -> NodeId {
    let mut child = doc.nodes[DOCUMENT as usize].first_child;
    while child != NONE && !matches!(doc.nodes[child as usize].data, NodeData::Element { .. }) {
        child = doc.nodes[child as usize].next_sibling;
    }
    child
}

/// The first HTML `main` element in tree order, not looking into template contents.
fn find_main(doc: &Document) -> Option<NodeId> {
    if !doc.saw_main {
        return None;
    }
    descendants(&doc.nodes, DOCUMENT)
        .find(|&id| doc.nodes[id as usize].is_html(&local_name!("main")))
}

#[cfg(test)]
mod tests {
    use super::count_lt;

    #[test]
    fn count_lt_counts_every_lt() {
        let text = "<a><<b>x\u{3c}\u{bc}<\u{ff3c}<<<<<<<<<<";
        for end in 0..=text.len() {
            let bytes = &text.as_bytes()[..end];
            assert_eq!(
                count_lt(bytes),
                bytes.iter().filter(|&&b| b == b'<').count()
            );
        }
    }
}

//! The one pipeline every entry point shares: liveshell's tokenizer into html5ever's tree builder
//! into the arena, the repairs undone, and main found; [`MainStream`](super::MainStream) runs it
//! on parts of the page.

use html5ever::interface::TreeSink;
use html5ever::local_name;
use html5ever::tree_builder::TreeBuilder;

use super::arena::{DOCUMENT, Document, NONE, NodeData, NodeId, descendants};
use super::options::{ShellOptions, tree_builder_opts};
use super::serialize::{Plan, serialize};
use super::sink::sink_for;
use super::{repair, tokenizer};

/// The largest page [`split`](super::split) and [`main_inner`](super::main_inner) parse: 4 GiB
/// less one byte, the most html5ever's tree builder (whose strings have 32-bit lengths) can be
/// handed. Larger pages give `None`, as a
/// page without a main element does, so a caller passes them through untouched.
pub const MAX_PAGE_LEN: usize = 0xFFFF_FFFF;

/// Parses `html` and serializes its main element's children: the document, the main element,
/// and its `innerHTML`.
pub(super) fn parse_main(html: &str, options: &ShellOptions) -> Option<(Document, NodeId, String)> {
    if html.len() > MAX_PAGE_LEN {
        return None;
    }
    let doc = parse(html, options);
    let main = find_main(&doc)?;
    let mut out = String::with_capacity(html.len() / 8);
    serialize(&mut out, &doc, main, false, &plan(options, main));
    Some((doc, main, out))
}

pub(super) fn plan(options: &ShellOptions, main: NodeId) -> Plan<'_> {
    Plan {
        scripting: options.scripting,
        emptied: main,
        name: &options.name,
        value: &options.value,
    }
}

pub(super) fn parse(html: &str, options: &ShellOptions) -> Document {
    let builder = TreeBuilder::new(sink_for(html), tree_builder_opts(options));
    let repairs = tokenizer::tokenize(html, &builder);
    let mut doc = builder.sink.finish();
    repair::undo(&mut doc, repairs);
    doc
}

/// The document's first element child.
pub(super) fn document_element(doc: &Document) -> NodeId {
    let mut child = doc.nodes[DOCUMENT].first_child;
    while child != NONE && !matches!(doc.nodes[child].data, NodeData::Element { .. }) {
        child = doc.nodes[child].next_sibling;
    }
    child
}

/// The first HTML `main` element in tree order, not looking into template contents.
pub(super) fn find_main(doc: &Document) -> Option<NodeId> {
    if !doc.saw_main {
        return None;
    }
    descendants(&doc.nodes, DOCUMENT).find(|&id| doc.nodes[id].is_html(&local_name!("main")))
}

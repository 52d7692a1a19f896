//! The flat tree the shell parses into: nodes in one vector, linked by [`NodeId`].
//!
//! Nodes live in one `Vec`, so dropping the tree is a flat loop over that vector (no recursion,
//! however deep the nesting), and a handle is a 32-bit id. Attributes of all elements sit in one
//! flat vector; their values and all text sit in one string, so nothing holds on to the input's
//! buffer once it is parsed, and adjacent pieces of text join by extending a range. This file
//! depends on html5ever's atoms only: the sink, the serializer, the `select` rules, the repairs
//! and the stream build on it.

use std::ops::{Index, IndexMut, Range};

use html5ever::tendril::StrTendril;
use html5ever::{LocalName, Namespace, local_name, ns};

/// Index of a node in the arena: a handle for the tree builder, and every link between nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct NodeId(u32);

impl NodeId {
    /// The node's position in [`Nodes`], and in any vector kept beside it (one entry per node).
    pub(super) fn index(self) -> usize {
        widen(self.0)
    }
}

/// "No node" in the link fields.
pub(super) const NONE: NodeId = NodeId(u32::MAX);

/// The document node's index.
pub(super) const DOCUMENT: NodeId = NodeId(0);

/// A `u32` stored in the arena as an index (a `usize` holds every `u32` on the targets the
/// crate builds for; `NONE` would then index past the end and panic, never alias a node).
fn widen(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The range of [`Document::attrs`] of an element whose attributes start at `start`, `len` of
/// them.
pub(super) fn attr_range(start: u32, len: u32) -> Range<usize> {
    widen(start)..widen(start).saturating_add(widen(len))
}

/// The nodes of a document, indexed by [`NodeId`].
#[derive(Default)]
pub(super) struct Nodes(Vec<Node>);

impl Nodes {
    /// Room for about `capacity` nodes.
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Self(Vec::with_capacity(capacity))
    }

    /// How many nodes there are.
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    /// Every node, in id order.
    pub(super) fn iter_mut(&mut self) -> std::slice::IterMut<'_, Node> {
        self.0.iter_mut()
    }

    /// Gives back the spare capacity.
    pub(super) fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }

    /// Adds `node` and returns its id.
    pub(super) fn push(&mut self, node: Node) -> NodeId {
        // Every node but a handful comes from at least one byte of input, so 2^32 nodes would
        // need a 4 GB page and a 300 GB arena: the allocation fails before an id could saturate.
        let id = u32::try_from(self.0.len()).map_or(NONE, NodeId);
        self.0.push(node);
        id
    }
}

impl Index<NodeId> for Nodes {
    type Output = Node;

    fn index(&self, id: NodeId) -> &Node {
        &self.0[id.index()]
    }
}

impl IndexMut<NodeId> for Nodes {
    fn index_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.0[id.index()]
    }
}

/// What a node is.
pub(super) enum NodeData {
    /// The document (index 0), or a template's contents, or a declarative shadow root.
    Container,
    /// An element: its attributes are `attrs[start..start + len]` of [`Document::attrs`];
    /// `contents` is the template contents fragment for a `template`, else `NONE`.
    Element {
        start: u32,
        len: u32,
        contents: NodeId,
        annotation_xml_integration_point: bool,
        shadow_host: bool,
    },
    /// A text node: its range in [`Document::text`].
    Text(Span),
    /// A comment.
    Comment(StrTendril),
    /// A processing instruction: its target and data.
    ProcessingInstruction(Box<(StrTendril, StrTendril)>),
}

/// An element's namespace, in one byte: the HTML parser makes elements in the HTML, SVG and
/// MathML namespaces only (and never gives them a prefix, which the serializer does not write).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ns {
    /// No namespace: nodes that are not elements.
    None,
    /// The HTML namespace.
    Html,
    /// The SVG namespace.
    Svg,
    /// The MathML namespace.
    MathMl,
}

static NO_NS: Namespace = ns!();
static HTML_NS: Namespace = ns!(html);
static SVG_NS: Namespace = ns!(svg);
static MATHML_NS: Namespace = ns!(mathml);

impl Ns {
    /// The namespace of a name the tree builder creates. Any other namespace (the parser makes
    /// none) would count as no namespace, which is serialized the same way.
    pub(super) fn of(ns: &Namespace) -> Self {
        match *ns {
            ns!(html) => Self::Html,
            ns!(svg) => Self::Svg,
            ns!(mathml) => Self::MathMl,
            _ => Self::None,
        }
    }

    pub(super) fn atom(self) -> &'static Namespace {
        match self {
            Self::None => &NO_NS,
            Self::Html => &HTML_NS,
            Self::Svg => &SVG_NS,
            Self::MathMl => &MATHML_NS,
        }
    }
}

/// An attribute: its name as serialized (with the `xlink:`, `xml:` or `xmlns:` prefix of an
/// adjusted SVG or MathML attribute; attributes of HTML elements never have a namespace) and its
/// value's range in [`Document::values`] (24 bytes, where html5ever's `Attribute` takes 40 plus a
/// value allocation).
#[derive(Clone)]
pub(super) struct Attr {
    pub(super) name: LocalName,
    pub(super) value: Span,
}

/// A range of [`Document::text`].
#[derive(Clone, Copy)]
pub(super) struct Span {
    start: usize,
    end: usize,
}

impl Span {
    /// The text in this range, given the document's text store.
    pub(super) fn of(self, text: &str) -> &str {
        &text[self.start..self.end]
    }

    /// Extends this range by `next` if `next` starts where it ends; says whether it did.
    pub(super) fn join(&mut self, next: Self) -> bool {
        let adjacent = self.end == next.start;
        if adjacent {
            self.end = next.end;
        }
        adjacent
    }
}

/// Appends `piece` to the text store and returns its range.
pub(super) fn push_text(text: &mut String, piece: &str) -> Span {
    let start = text.len();
    grow(text, piece.len());
    text.push_str(piece);
    Span {
        start,
        end: text.len(),
    }
}

/// One node of the arena, linked to its relatives by index (56 bytes).
pub(super) struct Node {
    pub(super) parent: NodeId,
    pub(super) first_child: NodeId,
    pub(super) last_child: NodeId,
    pub(super) prev_sibling: NodeId,
    pub(super) next_sibling: NodeId,
    /// The element's namespace; `Ns::None` for other nodes.
    pub(super) ns: Ns,
    /// The element's local name; empty for other nodes.
    pub(super) local: LocalName,
    pub(super) data: NodeData,
}

impl Node {
    /// A node that is not an element.
    pub(super) fn new(data: NodeData) -> Self {
        Self::element(Ns::None, local_name!(""), data)
    }

    /// A node with a name (an element).
    pub(super) fn element(ns: Ns, local: LocalName, data: NodeData) -> Self {
        Self {
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            prev_sibling: NONE,
            next_sibling: NONE,
            ns,
            local,
            data,
        }
    }

    /// Whether this is the HTML element `local`.
    pub(super) fn is_html(&self, local: &LocalName) -> bool {
        self.ns == Ns::Html && self.local == *local
    }
}

/// The parsed document: the arena, every element's attributes, and the doctype's name.
pub(super) struct Document {
    pub(super) nodes: Nodes,
    pub(super) attrs: Vec<Attr>,
    /// Every attribute value and every text, one after the other.
    pub(super) text: String,
    pub(super) doctype: Option<StrTendril>,
    /// Whether any HTML `main` element was created (if not, there is nothing to find).
    pub(super) saw_main: bool,
}

/// The descendants of `root` in tree order, not looking into template contents.
pub(super) fn descendants(nodes: &Nodes, root: NodeId) -> impl Iterator<Item = NodeId> + '_ {
    let mut current = nodes[root].first_child;
    std::iter::from_fn(move || {
        if current == NONE {
            return None;
        }
        let found = current;
        let node = &nodes[found];
        if node.first_child != NONE {
            current = node.first_child;
        } else {
            // The next sibling of the nearest ancestor-or-self below `root` that has one.
            current = NONE;
            let mut up = found;
            while up != root && up != NONE {
                let n = &nodes[up];
                if n.next_sibling != NONE {
                    current = n.next_sibling;
                    break;
                }
                up = n.parent;
            }
        }
        Some(found)
    })
}

/// Unlinks `target` from its parent, if it has one.
pub(super) fn detach(nodes: &mut Nodes, target: NodeId) {
    let (parent, prev, next) = {
        let n = &nodes[target];
        (n.parent, n.prev_sibling, n.next_sibling)
    };
    if parent == NONE {
        return;
    }
    if prev == NONE {
        nodes[parent].first_child = next;
    } else {
        nodes[prev].next_sibling = next;
    }
    if next == NONE {
        nodes[parent].last_child = prev;
    } else {
        nodes[next].prev_sibling = prev;
    }
    let n = &mut nodes[target];
    n.parent = NONE;
    n.prev_sibling = NONE;
    n.next_sibling = NONE;
}

/// Appends the detached node `child` as the last child of `parent`.
pub(super) fn append_child(nodes: &mut Nodes, parent: NodeId, child: NodeId) {
    detach(nodes, child);
    let last = nodes[parent].last_child;
    {
        let c = &mut nodes[child];
        c.parent = parent;
        c.prev_sibling = last;
    }
    if last == NONE {
        nodes[parent].first_child = child;
    } else {
        nodes[last].next_sibling = child;
    }
    nodes[parent].last_child = child;
}

/// Inserts `child` just before `sibling`, which must have a parent.
pub(super) fn insert_before(nodes: &mut Nodes, sibling: NodeId, child: NodeId) {
    detach(nodes, child);
    let (parent, prev) = {
        let s = &nodes[sibling];
        (s.parent, s.prev_sibling)
    };
    {
        let c = &mut nodes[child];
        c.parent = parent;
        c.prev_sibling = prev;
        c.next_sibling = sibling;
    }
    nodes[sibling].prev_sibling = child;
    if prev == NONE {
        nodes[parent].first_child = child;
    } else {
        nodes[prev].next_sibling = child;
    }
}

/// Makes room for `extra` more bytes, growing `out` by at least an eighth instead of doubling
/// it, so that a large output does not hold up to twice its size (the text store and the
/// serializer's outputs).
pub(super) fn grow(out: &mut String, extra: usize) {
    if out.capacity() - out.len() < extra {
        out.reserve_exact(extra.max(out.capacity() / 8));
    }
}

//! A `TreeSink` that builds the document in a flat arena of nodes linked by indices.
//!
//! Nodes live in one `Vec`, so dropping the tree is a flat loop over that vector (no recursion,
//! however deep the nesting), and a handle is a `u32`. Attributes of all elements sit in one flat
//! vector; their values and all text sit in one string, so nothing holds on to the input's buffer
//! once it is parsed, and adjacent pieces of text join by extending a range.

use std::borrow::Cow;
use std::cell::{Cell, Ref, RefCell};

use html5ever::interface::{ElemName, ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::StrTendril;
use html5ever::{Attribute, LocalName, Namespace, QualName, local_name, ns};

use super::select;
use super::serialize::grow;
use super::tokenizer::processing_instruction;

/// Index of a node in the arena.
pub(super) type NodeId = u32;

/// "No node" in the link fields.
pub(super) const NONE: NodeId = u32::MAX;

/// The document node's index.
pub(super) const DOCUMENT: NodeId = 0;

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
    fn of(ns: &Namespace) -> Self {
        match *ns {
            ns!(html) => Self::Html,
            ns!(svg) => Self::Svg,
            ns!(mathml) => Self::MathMl,
            _ => Self::None,
        }
    }

    fn atom(self) -> &'static Namespace {
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
}

/// Appends `piece` to the text store and returns its range.
fn push_text(text: &mut String, piece: &str) -> Span {
    let start = text.len();
    grow(text, piece.len());
    text.push_str(piece);
    Span {
        start,
        end: text.len(),
    }
}

/// The attribute's name as the HTML fragment serialization algorithm writes it.
fn serialized_name(name: QualName) -> LocalName {
    let prefix = match name.ns {
        ns!() => return name.local,
        ns!(xml) => "xml",
        ns!(xmlns) if name.local == local_name!("xmlns") => return name.local,
        ns!(xmlns) => "xmlns",
        ns!(xlink) => "xlink",
        _ => match &name.prefix {
            Some(prefix) => &**prefix,
            None => return name.local,
        },
    };
    LocalName::from(format!("{prefix}:{}", name.local))
}

/// Moves the tokenizer's attributes into the flat stores.
fn store_attrs(store: &mut Vec<Attr>, text: &mut String, attrs: Vec<Attribute>) {
    store.extend(attrs.into_iter().map(|attr| Attr {
        value: push_text(text, &attr.value),
        name: serialized_name(attr.name),
    }));
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

/// An element's name as the tree builder sees it, borrowed from the arena.
#[derive(Debug)]
pub(super) struct NameRef<'a> {
    ns: &'static Namespace,
    local: Ref<'a, LocalName>,
}

impl ElemName for NameRef<'_> {
    fn ns(&self) -> &Namespace {
        self.ns
    }

    fn local_name(&self) -> &LocalName {
        &self.local
    }
}

/// The parsed document: the arena, every element's attributes, and the doctype's name.
pub(super) struct Document {
    pub(super) nodes: Vec<Node>,
    pub(super) attrs: Vec<Attr>,
    /// Every attribute value and every text, one after the other.
    pub(super) text: String,
    pub(super) doctype: Option<StrTendril>,
    /// Whether any HTML `main` element was created (if not, there is nothing to find).
    pub(super) saw_main: bool,
}

/// The sink html5ever drives. Sink methods take `&self`, so the state sits in cells.
pub(super) struct ArenaSink {
    nodes: RefCell<Vec<Node>>,
    attrs: RefCell<Vec<Attr>>,
    text: RefCell<String>,
    doctype: RefCell<Option<StrTendril>>,
    saw_main: Cell<bool>,
    /// Whether any HTML `selectedcontent` element was created (if not, no option is cloned).
    saw_selectedcontent: Cell<bool>,
    quirks: Cell<QuirksMode>,
}

impl ArenaSink {
    /// A sink holding only the document node, with room for about `capacity` nodes and
    /// `text_capacity` bytes of text and attribute values.
    pub(super) fn with_capacity(capacity: usize, text_capacity: usize) -> Self {
        let mut nodes = Vec::with_capacity(capacity.max(1));
        nodes.push(Node::new(NodeData::Container));
        Self {
            nodes: RefCell::new(nodes),
            attrs: RefCell::new(Vec::with_capacity(capacity / 2)),
            text: RefCell::new(String::with_capacity(text_capacity)),
            doctype: RefCell::new(None),
            saw_main: Cell::new(false),
            saw_selectedcontent: Cell::new(false),
            quirks: Cell::new(QuirksMode::NoQuirks),
        }
    }

    /// The name and namespace of element `id` (for the stream's look at the open elements).
    pub(super) fn name_of(&self, id: NodeId) -> (Ns, LocalName) {
        let node = &self.nodes.borrow()[id as usize];
        (node.ns, node.local.clone())
    }

    /// The parent of node `id`.
    pub(super) fn parent_of(&self, id: NodeId) -> NodeId {
        self.nodes.borrow()[id as usize].parent
    }

    /// Whether element `id` hosts a declarative shadow root.
    pub(super) fn is_shadow_host(&self, id: NodeId) -> bool {
        matches!(
            self.nodes.borrow()[id as usize].data,
            NodeData::Element {
                shadow_host: true,
                ..
            }
        )
    }

    /// Marks element `id` as hosting a declarative shadow root (its root not kept), as in an
    /// earlier part of the page.
    pub(super) fn set_shadow_host(&self, id: NodeId) {
        if let NodeData::Element { shadow_host, .. } =
            &mut self.nodes.borrow_mut()[id as usize].data
        {
            *shadow_host = true;
        }
    }

    /// The document's mode so far.
    pub(super) fn quirks_mode(&self) -> QuirksMode {
        self.quirks.get()
    }

    /// Whether a `selectedcontent` element was created so far.
    pub(super) fn has_selectedcontent(&self) -> bool {
        self.saw_selectedcontent.get()
    }

    /// Notes that an earlier part of the page created a `selectedcontent` element.
    pub(super) fn set_saw_selectedcontent(&self) {
        self.saw_selectedcontent.set(true);
    }

    /// Stores `text` and joins it to `neighbour` when that is a text node whose range ends where
    /// the new one starts; otherwise makes a text node and lets `link` put it in place (adjacent
    /// text nodes serialize exactly like one node).
    fn add_text(
        &self,
        neighbour: NodeId,
        text: StrTendril,
        link: impl FnOnce(&mut [Node], NodeId),
    ) {
        let span = push_text(&mut self.text.borrow_mut(), &text);
        if neighbour != NONE {
            if let NodeData::Text(existing) = &mut self.nodes.borrow_mut()[neighbour as usize].data
            {
                if existing.end == span.start {
                    existing.end = span.end;
                    return;
                }
            }
        }
        let node = self.push(Node::new(NodeData::Text(span)));
        link(&mut self.nodes.borrow_mut(), node);
    }

    fn push(&self, node: Node) -> NodeId {
        push_node(&mut self.nodes.borrow_mut(), node)
    }
}

/// Adds `node` to the arena and returns its index.
pub(super) fn push_node(nodes: &mut Vec<Node>, node: Node) -> NodeId {
    // Every node but a handful comes from at least one byte of input, so 2^32 nodes would need a
    // 4 GB page and a 300 GB arena: the allocation fails before an index could saturate.
    let id = NodeId::try_from(nodes.len()).unwrap_or(NONE);
    nodes.push(node);
    id
}

/// The descendants of `root` in tree order, not looking into template contents.
pub(super) fn descendants(nodes: &[Node], root: NodeId) -> impl Iterator<Item = NodeId> + '_ {
    let mut current = nodes[root as usize].first_child;
    std::iter::from_fn(move || {
        if current == NONE {
            return None;
        }
        let found = current;
        let node = &nodes[found as usize];
        if node.first_child != NONE {
            current = node.first_child;
        } else {
            // The next sibling of the nearest ancestor-or-self below `root` that has one.
            current = NONE;
            let mut up = found;
            while up != root && up != NONE {
                let n = &nodes[up as usize];
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
pub(super) fn detach(nodes: &mut [Node], target: NodeId) {
    let (parent, prev, next) = {
        let n = &nodes[target as usize];
        (n.parent, n.prev_sibling, n.next_sibling)
    };
    if parent == NONE {
        return;
    }
    if prev == NONE {
        nodes[parent as usize].first_child = next;
    } else {
        nodes[prev as usize].next_sibling = next;
    }
    if next == NONE {
        nodes[parent as usize].last_child = prev;
    } else {
        nodes[next as usize].prev_sibling = prev;
    }
    let n = &mut nodes[target as usize];
    n.parent = NONE;
    n.prev_sibling = NONE;
    n.next_sibling = NONE;
}

/// Appends the detached node `child` as the last child of `parent`.
pub(super) fn append_child(nodes: &mut [Node], parent: NodeId, child: NodeId) {
    detach(nodes, child);
    let last = nodes[parent as usize].last_child;
    {
        let c = &mut nodes[child as usize];
        c.parent = parent;
        c.prev_sibling = last;
    }
    if last == NONE {
        nodes[parent as usize].first_child = child;
    } else {
        nodes[last as usize].next_sibling = child;
    }
    nodes[parent as usize].last_child = child;
}

/// Inserts `child` just before `sibling`, which must have a parent.
fn insert_before(nodes: &mut [Node], sibling: NodeId, child: NodeId) {
    detach(nodes, child);
    let (parent, prev) = {
        let s = &nodes[sibling as usize];
        (s.parent, s.prev_sibling)
    };
    {
        let c = &mut nodes[child as usize];
        c.parent = parent;
        c.prev_sibling = prev;
        c.next_sibling = sibling;
    }
    nodes[sibling as usize].prev_sibling = child;
    if prev == NONE {
        nodes[parent as usize].first_child = child;
    } else {
        nodes[prev as usize].next_sibling = child;
    }
}

/// Whether `name` may host a shadow root (DOM "attach a shadow root", step 2).
fn valid_shadow_host(node: &Node) -> bool {
    if node.ns != Ns::Html {
        return false;
    }
    matches!(
        node.local,
        local_name!("article")
            | local_name!("aside")
            | local_name!("blockquote")
            | local_name!("body")
            | local_name!("div")
            | local_name!("footer")
            | local_name!("h1")
            | local_name!("h2")
            | local_name!("h3")
            | local_name!("h4")
            | local_name!("h5")
            | local_name!("h6")
            | local_name!("header")
            | local_name!("main")
            | local_name!("nav")
            | local_name!("p")
            | local_name!("section")
            | local_name!("span")
    ) || valid_custom_element_name(&node.local)
}

/// The HTML standard's "valid custom element name" for a name coming from the parser.
fn valid_custom_element_name(local: &LocalName) -> bool {
    let s: &str = local;
    let mut chars = s.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_lowercase()) || !s.contains('-') {
        return false;
    }
    if matches!(
        s,
        "annotation-xml"
            | "color-profile"
            | "font-face"
            | "font-face-src"
            | "font-face-uri"
            | "font-face-format"
            | "font-face-name"
            | "missing-glyph"
    ) {
        return false;
    }
    chars.all(|c| {
        matches!(c,
            '-' | '.' | '0'..='9' | '_' | 'a'..='z' | '\u{B7}'
            | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{37D}'
            | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{203F}'..='\u{2040}'
            | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
            | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
    })
}

impl TreeSink for ArenaSink {
    type Handle = NodeId;
    type Output = Document;
    type ElemName<'a> = NameRef<'a>;

    fn finish(self) -> Document {
        // The tree lives on while the output is written: give back the spare capacity first.
        let mut nodes = self.nodes.into_inner();
        nodes.shrink_to_fit();
        let mut attrs = self.attrs.into_inner();
        attrs.shrink_to_fit();
        let mut text = self.text.into_inner();
        text.shrink_to_fit();
        Document {
            nodes,
            attrs,
            text,
            doctype: self.doctype.into_inner(),
            saw_main: self.saw_main.get(),
        }
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> NodeId {
        DOCUMENT
    }

    fn elem_name<'a>(&'a self, target: &'a NodeId) -> NameRef<'a> {
        let nodes = self.nodes.borrow();
        let ns = nodes[*target as usize].ns.atom();
        NameRef {
            ns,
            local: Ref::map(nodes, |nodes| &nodes[*target as usize].local),
        }
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        if name.ns == ns!(html) {
            match name.local {
                local_name!("main") => self.saw_main.set(true),
                local_name!("selectedcontent") => self.saw_selectedcontent.set(true),
                _ => {}
            }
        }
        let contents = if flags.template {
            self.push(Node::new(NodeData::Container))
        } else {
            NONE
        };
        let (start, len) = {
            let mut store = self.attrs.borrow_mut();
            let start = u32::try_from(store.len()).unwrap_or(u32::MAX);
            let len = u32::try_from(attrs.len()).unwrap_or(u32::MAX);
            store_attrs(&mut store, &mut self.text.borrow_mut(), attrs);
            (start, len)
        };
        self.push(Node::element(
            Ns::of(&name.ns),
            name.local,
            NodeData::Element {
                start,
                len,
                contents,
                annotation_xml_integration_point: flags.mathml_annotation_xml_integration_point,
                shadow_host: false,
            },
        ))
    }

    fn create_comment(&self, text: StrTendril) -> NodeId {
        let data = match processing_instruction(&text) {
            Some((target, data)) => NodeData::ProcessingInstruction(Box::new((
                StrTendril::from_slice(target),
                StrTendril::from_slice(data),
            ))),
            None => NodeData::Comment(text),
        };
        self.push(Node::new(data))
    }

    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.push(Node::new(NodeData::ProcessingInstruction(Box::new((
            target, data,
        )))))
    }

    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        match child {
            NodeOrText::AppendNode(node) => {
                append_child(&mut self.nodes.borrow_mut(), *parent, node)
            }
            NodeOrText::AppendText(text) => {
                let last = self.nodes.borrow()[*parent as usize].last_child;
                self.add_text(last, text, |nodes, node| append_child(nodes, *parent, node));
            }
        }
    }

    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        let has_parent = self.nodes.borrow()[*element as usize].parent != NONE;
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        _public: StrTendril,
        _system: StrTendril,
    ) {
        let mut doctype = self.doctype.borrow_mut();
        if doctype.is_none() {
            *doctype = Some(name);
        }
    }

    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        match self.nodes.borrow()[*target as usize].data {
            NodeData::Element { contents, .. } if contents != NONE => contents,
            // The tree builder asks only for templates; any other node is its own container.
            _ => *target,
        }
    }

    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.quirks.set(mode);
    }

    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        let mut nodes = self.nodes.borrow_mut();
        if nodes[*sibling as usize].parent == NONE {
            return;
        }
        match new_node {
            NodeOrText::AppendNode(node) => insert_before(&mut nodes, *sibling, node),
            NodeOrText::AppendText(text) => {
                let prev = nodes[*sibling as usize].prev_sibling;
                drop(nodes);
                self.add_text(prev, text, |nodes, node| {
                    insert_before(nodes, *sibling, node)
                });
            }
        }
    }

    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        let mut nodes = self.nodes.borrow_mut();
        let NodeData::Element { start, len, .. } = &mut nodes[*target as usize].data else {
            return;
        };
        let mut store = self.attrs.borrow_mut();
        let range = *start as usize..(*start + *len) as usize;
        let missing: Vec<Attribute> = attrs
            .into_iter()
            .filter(|attr| {
                let name = serialized_name(attr.name.clone());
                !store[range.clone()].iter().any(|a| a.name == name)
            })
            .collect();
        if missing.is_empty() {
            return;
        }
        // Only `html` and `body` get here, at most once per such tag in the page: move the
        // element's attributes to the end of the store, where its range can grow.
        if range.end != store.len() {
            let own: Vec<Attr> = store[range].to_vec();
            *start = u32::try_from(store.len()).unwrap_or(u32::MAX);
            store.extend(own);
        }
        *len += u32::try_from(missing.len()).unwrap_or(0);
        store_attrs(&mut store, &mut self.text.borrow_mut(), missing);
    }

    fn remove_from_parent(&self, target: &NodeId) {
        detach(&mut self.nodes.borrow_mut(), *target);
    }

    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        let mut nodes = self.nodes.borrow_mut();
        let mut child = nodes[*node as usize].first_child;
        while child != NONE {
            let next = nodes[child as usize].next_sibling;
            append_child(&mut nodes, *new_parent, child);
            child = next;
        }
    }

    fn is_mathml_annotation_xml_integration_point(&self, handle: &NodeId) -> bool {
        matches!(
            self.nodes.borrow()[*handle as usize].data,
            NodeData::Element {
                annotation_xml_integration_point: true,
                ..
            }
        )
    }

    fn maybe_clone_an_option_into_selectedcontent(&self, option: &NodeId) {
        if self.saw_selectedcontent.get() {
            let mut nodes = self.nodes.borrow_mut();
            let mut attrs = self.attrs.borrow_mut();
            let text = self.text.borrow();
            select::maybe_clone_option(&mut nodes, &mut attrs, &text, *option);
        }
    }

    fn attach_declarative_shadow(
        &self,
        location: &NodeId,
        _template: &NodeId,
        _attrs: &[Attribute],
    ) -> bool {
        // The template's contents become the shadow root, which is not part of the document's tree
        // (and not serialized by `innerHTML`). The template itself is never inserted.
        let mut nodes = self.nodes.borrow_mut();
        let host = &mut nodes[*location as usize];
        let valid = valid_shadow_host(host);
        match &mut host.data {
            NodeData::Element { shadow_host, .. } if valid && !*shadow_host => {
                *shadow_host = true;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_stays_small() {
        assert!(size_of::<Node>() <= 56, "{}", size_of::<Node>());
    }

    #[test]
    fn custom_element_names_follow_the_standard() {
        for ok in ["my-el", "a-", "x-\u{b7}", "math-\u{10000}"] {
            assert!(valid_custom_element_name(&LocalName::from(ok)), "{ok}");
        }
        for bad in [
            "div",
            "-a",
            "1-a",
            "font-face",
            "annotation-xml",
            "a-b c",
            "a-\u{d7}",
        ] {
            assert!(!valid_custom_element_name(&LocalName::from(bad)), "{bad}");
        }
    }
}

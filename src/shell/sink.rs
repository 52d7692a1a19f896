//! A `TreeSink` that builds the document in the flat arena of `arena.rs`.

use std::borrow::Cow;
use std::cell::{Cell, Ref, RefCell};

use html5ever::interface::{ElemName, ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::StrTendril;
use html5ever::{Attribute, LocalName, Namespace, QualName, local_name, ns};

use super::arena::{
    Attr, DOCUMENT, Document, NONE, Node, NodeData, NodeId, Nodes, Ns, append_child, attr_range,
    detach, insert_before, push_text,
};
use super::pi;
use super::select;

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

/// The sink html5ever drives. Sink methods take `&self`, so the state sits in cells.
pub(super) struct ArenaSink {
    nodes: RefCell<Nodes>,
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
        let mut nodes = Nodes::with_capacity(capacity.max(1));
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
        let node = &self.nodes.borrow()[id];
        (node.ns, node.local.clone())
    }

    /// The parent of node `id`.
    pub(super) fn parent_of(&self, id: NodeId) -> NodeId {
        self.nodes.borrow()[id].parent
    }

    /// Whether element `id` hosts a declarative shadow root.
    pub(super) fn is_shadow_host(&self, id: NodeId) -> bool {
        matches!(
            self.nodes.borrow()[id].data,
            NodeData::Element {
                shadow_host: true,
                ..
            }
        )
    }

    /// Marks element `id` as hosting a declarative shadow root (its root not kept), as in an
    /// earlier part of the page.
    pub(super) fn set_shadow_host(&self, id: NodeId) {
        if let NodeData::Element { shadow_host, .. } = &mut self.nodes.borrow_mut()[id].data {
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
    fn add_text(&self, neighbour: NodeId, text: StrTendril, link: impl FnOnce(&mut Nodes, NodeId)) {
        let span = push_text(&mut self.text.borrow_mut(), &text);
        if neighbour != NONE {
            if let NodeData::Text(existing) = &mut self.nodes.borrow_mut()[neighbour].data {
                if existing.join(span) {
                    return;
                }
            }
        }
        let node = self.push(Node::new(NodeData::Text(span)));
        link(&mut self.nodes.borrow_mut(), node);
    }

    fn push(&self, node: Node) -> NodeId {
        self.nodes.borrow_mut().push(node)
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
        let ns = nodes[*target].ns.atom();
        NameRef {
            ns,
            local: Ref::map(nodes, |nodes| &nodes[*target].local),
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
        let data = match pi::decode(&text) {
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
                let last = self.nodes.borrow()[*parent].last_child;
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
        let has_parent = self.nodes.borrow()[*element].parent != NONE;
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
        match self.nodes.borrow()[*target].data {
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
        if nodes[*sibling].parent == NONE {
            return;
        }
        match new_node {
            NodeOrText::AppendNode(node) => insert_before(&mut nodes, *sibling, node),
            NodeOrText::AppendText(text) => {
                let prev = nodes[*sibling].prev_sibling;
                drop(nodes);
                self.add_text(prev, text, |nodes, node| {
                    insert_before(nodes, *sibling, node)
                });
            }
        }
    }

    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        let mut nodes = self.nodes.borrow_mut();
        let NodeData::Element { start, len, .. } = &mut nodes[*target].data else {
            return;
        };
        let mut store = self.attrs.borrow_mut();
        let range = attr_range(*start, *len);
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
        let mut child = nodes[*node].first_child;
        while child != NONE {
            let next = nodes[child].next_sibling;
            append_child(&mut nodes, *new_parent, child);
            child = next;
        }
    }

    fn is_mathml_annotation_xml_integration_point(&self, handle: &NodeId) -> bool {
        matches!(
            self.nodes.borrow()[*handle].data,
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
        let host = &mut nodes[*location];
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

/// An arena sized for `html`.
pub(super) fn sink_for(html: &str) -> ArenaSink {
    // About one node per `<` (an element, or the text after an end tag), plus text split by
    // character references and the implied elements: reserving a little more than the count of
    // `<` avoids doubling the arena at the end.
    let tags = count_lt(html.as_bytes());
    // Text and attribute values take about half of a page; the store then grows by an eighth.
    ArenaSink::with_capacity(tags + tags / 4 + 16, html.len() / 2)
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
        count += usize::try_from((!t & !LOW7).count_ones()).unwrap_or(8);
    }
    count + chunks.remainder().iter().filter(|&&b| b == b'<').count()
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

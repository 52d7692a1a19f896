//! The HTML fragment serialization algorithm over the arena, without recursion.
//!
//! It writes what a current browser's `innerHTML` / `outerHTML` gives: `&`, U+00A0, `<` and `>`
//! escaped in text; `&`, U+00A0, `"`, `<` and `>` escaped in attribute values; the children of
//! raw-text elements verbatim (`noscript` too when scripting is on, except inside template
//! contents); no end tag and no children for void elements; template contents in place of a
//! template's (empty) child list.

use html5ever::local_name;

use super::arena::{Document, NONE, Node, NodeData, NodeId, Ns, attr_range, grow};

/// How to serialize: the scripting flag, and an element to write emptied, with one attribute set.
pub(super) struct Plan<'a> {
    /// Whether `noscript` content is raw text (outside template contents).
    pub(super) scripting: bool,
    /// The element whose children are left out and whose attribute `name` is set to `value`.
    pub(super) emptied: NodeId,
    /// The placeholder attribute's name.
    pub(super) name: &'a str,
    /// The placeholder attribute's value.
    pub(super) value: &'a str,
}

/// Whether an HTML element of this name serializes as void (no children, no end tag).
fn is_void(node: &Node) -> bool {
    node.ns == Ns::Html
        && matches!(
            node.local,
            local_name!("area")
                | local_name!("base")
                | local_name!("basefont")
                | local_name!("bgsound")
                | local_name!("br")
                | local_name!("col")
                | local_name!("embed")
                | local_name!("frame")
                | local_name!("hr")
                | local_name!("img")
                | local_name!("input")
                | local_name!("keygen")
                | local_name!("link")
                | local_name!("meta")
                | local_name!("param")
                | local_name!("source")
                | local_name!("track")
                | local_name!("wbr")
        )
}

/// Whether text children of this element are written verbatim.
fn is_raw_text_parent(node: &Node, scripting: bool) -> bool {
    node.ns == Ns::Html
        && match node.local {
            local_name!("style")
            | local_name!("script")
            | local_name!("xmp")
            | local_name!("iframe")
            | local_name!("noembed")
            | local_name!("noframes")
            | local_name!("plaintext") => true,
            local_name!("noscript") => scripting,
            _ => false,
        }
}

/// `0x0101..01` times a byte: that byte in every lane of a word.
const fn splat(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

/// Whether any byte of `word` equals the byte splatted in `pattern` (the classic SWAR test).
const fn has_byte(word: u64, pattern: u64) -> bool {
    let x = word ^ pattern;
    (x.wrapping_sub(splat(0x01)) & !x & splat(0x80)) != 0
}

/// Whether any byte of `word` may need escaping: `&`, `<`, `>`, `"` (attributes only), or 0xC2
/// (the first byte of U+00A0).
fn may_need_escape(word: u64, attribute: bool) -> bool {
    has_byte(word, splat(b'&'))
        || has_byte(word, splat(b'<'))
        || has_byte(word, splat(b'>'))
        || has_byte(word, splat(0xC2))
        || (attribute && has_byte(word, splat(b'"')))
}

/// Appends `text` to `out`, escaping `&`, U+00A0, `<`, `>` and, in attribute values, `"`.
pub(super) fn escape(out: &mut String, text: &str, attribute: bool) {
    // Escapes lengthen the text; a page with unusually many of them grows `out` the usual way.
    grow(out, text.len() + text.len() / 8 + 64);
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip eight clean bytes at a time.
        if let Some(chunk) = bytes.get(i..i + 8) {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            if !may_need_escape(u64::from_ne_bytes(word), attribute) {
                i += 8;
                continue;
            }
        }
        let replacement = match bytes[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if attribute => "&quot;",
            0xC2 if bytes.get(i + 1) == Some(&0xA0) => "&nbsp;",
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&text[start..i]);
        out.push_str(replacement);
        i += if replacement == "&nbsp;" { 2 } else { 1 };
        start = i;
    }
    out.push_str(&text[start..]);
}

/// Appends `<name attr="value" ...>` for the element `id`, applying the plan's attribute if it
/// is the emptied element.
fn start_tag(out: &mut String, doc: &Document, id: NodeId, plan: &Plan<'_>) {
    let node = &doc.nodes[id];
    let NodeData::Element { start, len, .. } = node.data else {
        return;
    };
    let attrs = &doc.attrs[attr_range(start, len)];
    out.push('<');
    out.push_str(&node.local);
    let mut replaced = false;
    for attr in attrs {
        out.push(' ');
        out.push_str(&attr.name);
        out.push_str("=\"");
        // The emptied element is an HTML `main`, whose attributes have no namespace.
        if id == plan.emptied && &*attr.name == plan.name {
            replaced = true;
            escape(out, plan.value, true);
        } else {
            escape(out, attr.value.of(&doc.text), true);
        }
        out.push('"');
    }
    if id == plan.emptied && !replaced {
        out.push(' ');
        out.push_str(plan.name);
        out.push_str("=\"");
        escape(out, plan.value, true);
        out.push('"');
    }
    out.push('>');
}

fn end_tag(out: &mut String, node: &Node) {
    out.push_str("</");
    out.push_str(&node.local);
    out.push('>');
}

/// The node whose children are `id`'s children for serialization (template contents for a
/// template).
fn children_of(doc: &Document, id: NodeId) -> NodeId {
    match doc.nodes[id].data {
        NodeData::Element { contents, .. } if contents != NONE => contents,
        _ => id,
    }
}

/// Whether `id` is a template element with contents (its children are template contents).
fn is_template(doc: &Document, id: NodeId) -> bool {
    matches!(doc.nodes[id].data, NodeData::Element { contents, .. } if contents != NONE)
}

/// Appends the serialization of `root` (its `outerHTML` if `include_root`, else its `innerHTML`)
/// to `out`. Iterative: the explicit stack holds the open ancestors. `root` is not inside template
/// contents.
///
/// A `noscript` writes its text raw only if "scripting is enabled for the node", which needs a
/// browsing context: template contents belong to the template's inert document, which has none,
/// so there (at any depth) `noscript` text is escaped like any other text.
pub(super) fn serialize(
    out: &mut String,
    doc: &Document,
    root: NodeId,
    include_root: bool,
    plan: &Plan<'_>,
) {
    serialize_settled(out, doc, root, include_root, plan, &[]);
}

/// `marks` bit: the element may still get children, so its end tag waits.
pub(super) const OPEN: u8 = 1;
/// `marks` bit: the element, its content and everything after it may still change: writing stops
/// before it.
pub(super) const FROZEN: u8 = 2;
/// `marks` bit: the element's start tag was written before (by an earlier part of a stream).
pub(super) const REPLAYED: u8 = 4;

/// [`serialize`], stopping where the tree may still change: `marks[id]` holds [`OPEN`],
/// [`FROZEN`] and [`REPLAYED`] bits for node `id` (nodes past its end have none). What it writes
/// is a prefix of what [`serialize`] writes for every tree the parser can still make of this one.
/// Returns whether it wrote everything (then `root` is neither open nor frozen).
pub(super) fn serialize_settled(
    out: &mut String,
    doc: &Document,
    root: NodeId,
    include_root: bool,
    plan: &Plan<'_>,
    marks: &[u8],
) -> bool {
    let mark = |id: NodeId| marks.get(id.index()).copied().unwrap_or(0);
    let nodes = &doc.nodes;
    // Elements whose children are being written, innermost last, each with its raw-text flag and
    // whether its children are in template contents.
    let mut stack: Vec<(NodeId, bool, bool)> = Vec::new();
    if mark(root) & FROZEN != 0 {
        return false;
    }
    let mut current = if include_root {
        root
    } else {
        let raw = is_raw_text_parent(&nodes[root], plan.scripting);
        stack.push((root, raw, is_template(doc, root)));
        nodes[children_of(doc, root)].first_child
    };
    loop {
        if current == NONE {
            // All children of the innermost open element are written.
            let Some((parent, _, _)) = stack.pop() else {
                return true;
            };
            if mark(parent) & OPEN != 0 {
                return false;
            }
            if parent == root {
                if include_root {
                    end_tag(out, &nodes[parent]);
                }
                return true;
            }
            end_tag(out, &nodes[parent]);
            current = nodes[parent].next_sibling;
            continue;
        }
        let node = &nodes[current];
        // Room for the node's markup; text and attribute values make their own room.
        grow(out, 256);
        match &node.data {
            NodeData::Element { .. } => {
                let marked = mark(current);
                if marked & FROZEN != 0 {
                    return false;
                }
                if marked & REPLAYED == 0 {
                    start_tag(out, doc, current, plan);
                }
                if !is_void(node) {
                    let first = nodes[children_of(doc, current)].first_child;
                    if first != NONE && current != plan.emptied {
                        let inert = stack.last().is_some_and(|&(_, _, inert)| inert);
                        let scripting = plan.scripting && !inert;
                        let raw = is_raw_text_parent(node, scripting);
                        stack.push((current, raw, inert || is_template(doc, current)));
                        current = first;
                        continue;
                    }
                    if marked & OPEN != 0 {
                        return false;
                    }
                    end_tag(out, node);
                }
            }
            NodeData::Text(span) => {
                let text = span.of(&doc.text);
                if stack.last().is_some_and(|&(_, raw, _)| raw) {
                    grow(out, text.len());
                    out.push_str(text);
                } else {
                    escape(out, text, false);
                }
            }
            NodeData::Comment(text) => {
                grow(out, text.len() + 7);
                out.push_str("<!--");
                out.push_str(text);
                out.push_str("-->");
            }
            NodeData::ProcessingInstruction(pi) => {
                let (target, data) = &**pi;
                grow(out, target.len() + data.len() + 5);
                out.push_str("<?");
                out.push_str(target);
                out.push(' ');
                out.push_str(data);
                out.push_str("?>");
            }
            NodeData::Container => {}
        }
        if current == root {
            return true;
        }
        current = node.next_sibling;
    }
}

#[cfg(test)]
mod tests {
    use super::escape;
    use proptest::prelude::*;

    /// The escaping rules, one character at a time.
    fn model(text: &str, attribute: bool) -> String {
        text.chars()
            .map(|c| match c {
                '&' => "&amp;".to_owned(),
                '<' => "&lt;".to_owned(),
                '>' => "&gt;".to_owned(),
                '\u{a0}' => "&nbsp;".to_owned(),
                '"' if attribute => "&quot;".to_owned(),
                c => c.to_string(),
            })
            .collect()
    }

    #[test]
    fn escapes_text_and_attribute_values() {
        let mut out = String::new();
        escape(&mut out, "a&b<c>d\"e\u{a0}f\u{c2}g", false);
        assert_eq!(out, "a&amp;b&lt;c&gt;d\"e&nbsp;f\u{c2}g");
        out.clear();
        escape(&mut out, "\"\u{a0}\u{a0}'", true);
        assert_eq!(out, "&quot;&nbsp;&nbsp;'");
    }

    proptest! {
        #[test]
        fn escape_matches_the_model(text in "[a&<>\"\u{a0}\u{c2}\u{100}é ]{0,40}", attribute: bool) {
            let mut out = String::new();
            escape(&mut out, &text, attribute);
            prop_assert_eq!(out, model(&text, attribute));
        }
    }
}

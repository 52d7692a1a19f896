//! The customizable `<select>`: a selected option's content is cloned into the select's
//! `<selectedcontent>` element when the option's end tag is parsed ("maybe clone an option into
//! selectedcontent" in the HTML standard).

use html5ever::{LocalName, local_name};

use super::arena::{
    Attr, NONE, Node, NodeData, NodeId, Nodes, Ns, append_child, attr_range, descendants, detach,
};

fn has_attr(node: &Node, attrs: &[Attr], local: &LocalName) -> bool {
    match node.data {
        NodeData::Element { start, len, .. } => attrs[attr_range(start, len)]
            .iter()
            .any(|a| a.name == *local),
        _ => false,
    }
}

/// The option's "option element nearest ancestor select".
fn nearest_select(nodes: &Nodes, option: NodeId) -> Option<NodeId> {
    let mut seen_optgroup = false;
    let mut current = nodes[option].parent;
    while current != NONE {
        let node = &nodes[current];
        if node.ns == Ns::Html {
            match node.local {
                local_name!("datalist") | local_name!("hr") | local_name!("option") => return None,
                local_name!("optgroup") if seen_optgroup => return None,
                local_name!("optgroup") => seen_optgroup = true,
                local_name!("select") => return Some(current),
                _ => {}
            }
        }
        current = node.parent;
    }
    None
}

/// Whether `option` is the option a single-choice `select` shows: the last option with a
/// `selected` attribute, or else the first option that is not disabled.
fn is_selected(nodes: &Nodes, attrs: &[Attr], text: &str, select: NodeId, option: NodeId) -> bool {
    let mut last_selected = None;
    let mut first_enabled = None;
    for id in descendants(nodes, select) {
        let node = &nodes[id];
        if !node.is_html(&local_name!("option")) || nearest_select(nodes, id) != Some(select) {
            continue;
        }
        if has_attr(node, attrs, &local_name!("selected")) {
            last_selected = Some(id);
        }
        let parent = &nodes[node.parent];
        let disabled = has_attr(node, attrs, &local_name!("disabled"))
            || (parent.is_html(&local_name!("optgroup"))
                && has_attr(parent, attrs, &local_name!("disabled")));
        if first_enabled.is_none() && !disabled {
            first_enabled = Some(id);
        }
    }
    // Without a `selected` option, only a drop-down (display size 1) selects one by default.
    let by_default = first_enabled.filter(|_| display_size_is_one(&nodes[select], attrs, text));
    last_selected.or(by_default) == Some(option)
}

/// Whether a `select` without `multiple` is a drop-down: its `size` attribute is absent, or does
/// not parse as a non-negative integer (the standard's rules, as Chromium applies them), or is 0
/// or 1. A larger size makes it a list box, which selects no option by default.
fn display_size_is_one(select: &Node, attrs: &[Attr], text: &str) -> bool {
    let NodeData::Element { start, len, .. } = select.data else {
        return true;
    };
    let Some(size) = attrs[attr_range(start, len)]
        .iter()
        .find(|a| a.name == local_name!("size"))
    else {
        return true;
    };
    let value = size
        .value
        .of(text)
        .trim_start_matches([' ', '\t', '\n', '\x0C', '\r']);
    let value = value.strip_prefix('+').unwrap_or(value);
    let digits = value.bytes().take_while(u8::is_ascii_digit).count();
    // No digits: parsing fails and the size is 1. Leading zeros do not change the value.
    let significant = value[..digits].trim_start_matches('0');
    significant.is_empty() || significant == "1"
}

/// Runs "maybe clone an option into selectedcontent" for `option`, whose end tag was just parsed.
pub(super) fn maybe_clone_option(
    nodes: &mut Nodes,
    attrs: &mut Vec<Attr>,
    text: &str,
    option: NodeId,
) {
    let Some(select) = nearest_select(nodes, option) else {
        return;
    };
    if has_attr(&nodes[select], attrs, &local_name!("multiple")) {
        return;
    }
    let Some(target) =
        descendants(nodes, select).find(|&id| nodes[id].is_html(&local_name!("selectedcontent")))
    else {
        return;
    };
    if !is_selected(nodes, attrs, text, select, option) {
        return;
    }
    // Snapshot the option's subtree first: the target may lie inside it.
    let mut sources: Vec<(NodeId, usize)> = Vec::new();
    let mut child = nodes[option].first_child;
    while child != NONE {
        sources.push((child, usize::MAX));
        child = nodes[child].next_sibling;
    }
    let mut i = 0;
    while i < sources.len() {
        let (id, _) = sources[i];
        let from = match nodes[id].data {
            NodeData::Element { contents, .. } if contents != NONE => contents,
            _ => id,
        };
        let mut child = nodes[from].first_child;
        while child != NONE {
            sources.push((child, i));
            child = nodes[child].next_sibling;
        }
        i += 1;
    }
    // Replace the target's children with copies.
    while nodes[target].first_child != NONE {
        let first = nodes[target].first_child;
        detach(nodes, first);
    }
    let mut copies: Vec<NodeId> = Vec::with_capacity(sources.len());
    for &(source, parent) in &sources {
        let copy = clone_node(nodes, attrs, source);
        let dest = match parent {
            usize::MAX => target,
            p => {
                let parent_copy = copies[p];
                match nodes[parent_copy].data {
                    NodeData::Element { contents, .. } if contents != NONE => contents,
                    _ => parent_copy,
                }
            }
        };
        append_child(nodes, dest, copy);
        copies.push(copy);
    }
}

/// A detached copy of `source` without its children (a template gets empty contents).
fn clone_node(nodes: &mut Nodes, attrs: &mut Vec<Attr>, source: NodeId) -> NodeId {
    let (ns, local) = (nodes[source].ns, nodes[source].local.clone());
    let data = match nodes[source].data {
        NodeData::Element {
            start,
            len,
            contents,
            annotation_xml_integration_point,
            ..
        } => {
            let copied: Vec<Attr> = attrs[attr_range(start, len)].to_vec();
            let new_start = u32::try_from(attrs.len()).unwrap_or(u32::MAX);
            attrs.extend(copied);
            let new_contents = if contents == NONE {
                NONE
            } else {
                nodes.push(Node::new(NodeData::Container))
            };
            NodeData::Element {
                start: new_start,
                len,
                contents: new_contents,
                annotation_xml_integration_point,
                shadow_host: false,
            }
        }
        NodeData::Text(span) => NodeData::Text(span),
        NodeData::Comment(ref t) => NodeData::Comment(t.clone()),
        NodeData::ProcessingInstruction(ref pi) => NodeData::ProcessingInstruction(pi.clone()),
        NodeData::Container => NodeData::Container,
    };
    nodes.push(Node::element(ns, local, data))
}

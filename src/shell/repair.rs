//! Token-level repairs for two html5ever 0.40.1 tree-builder defects, and their undoing in the
//! finished tree.
//!
//! - `isindex` is an ordinary element since whatwg/html#1095 (2016), but html5ever still counts it
//!   as "special" (adoption agency, `<li>` closing, "any other end tag"). Its tags reach the tree
//!   builder renamed to [`ISINDEX`], a name no tag from the tokenizer can have (tag names are ASCII
//!   lowercased), so the tree builder treats it as the ordinary element it is; the tree gets the
//!   real name back.
//! - `shadowrootmode` is an enumerated attribute whose keywords match ASCII case-insensitively,
//!   but html5ever compares its value with `== "open"` / `== "closed"`. A template start tag with
//!   `shadowrootmode="OPEN"` reaches the tree builder with the value lowercased and the original
//!   kept in a last attribute named [`ORIGINAL_MODE`] (again a name no attribute from the tokenizer
//!   can have); where the template stays in the tree (the attach failed, or it is not an HTML
//!   template), the original value is put back and that attribute dropped.
//!
//! The remaining html5ever defects (MathML `annotation-xml` missing from the default scope, the
//! "in table body" check of `table`/`tbody`/`tfoot` instead of `tbody`/`thead`/`tfoot`) depend on
//! the stack of open elements, which a token cannot see; they are listed in the README.

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{Tag, TagKind};
use html5ever::{Attribute, LocalName, QualName, local_name, ns};

use super::arena::{Document, NodeData, attr_range};

/// The name `isindex` tags carry through the tree builder.
const ISINDEX: &str = "ISINDEX";

/// The attribute that carries a template's original `shadowrootmode` value through the tree
/// builder.
const ORIGINAL_MODE: &str = "SHADOWROOTMODE";

/// Which repairs a page needed, so the tree is only walked when one did.
#[derive(Clone, Copy, Default, Debug)]
pub(super) struct Repairs {
    isindex: bool,
    shadow_root_mode: bool,
}

/// Whether `name` is a name [`repair`] gives a tag on its way to the tree builder.
pub(super) fn is_alias(name: &str) -> bool {
    name == ISINDEX
}

impl Repairs {
    /// The repairs of both.
    pub(super) fn union(self, other: Self) -> Self {
        Self {
            isindex: self.isindex || other.isindex,
            shadow_root_mode: self.shadow_root_mode || other.shadow_root_mode,
        }
    }
}

/// Rewrites `tag` around the two defects, noting in `repairs` what it changed.
pub(super) fn repair(tag: &mut Tag, repairs: &mut Repairs) {
    match tag.name {
        local_name!("isindex") => {
            tag.name = LocalName::from(ISINDEX);
            repairs.isindex = true;
        }
        local_name!("template") if tag.kind == TagKind::StartTag => {
            let Some(mode) = tag
                .attrs
                .iter_mut()
                .find(|a| a.name.local == local_name!("shadowrootmode"))
            else {
                return;
            };
            let keyword = ["open", "closed"]
                .into_iter()
                .find(|k| mode.value.eq_ignore_ascii_case(k) && *mode.value != **k);
            if let Some(keyword) = keyword {
                let original = std::mem::replace(&mut mode.value, StrTendril::from_slice(keyword));
                tag.attrs.push(Attribute {
                    name: QualName::new(None, ns!(), LocalName::from(ORIGINAL_MODE)),
                    value: original,
                });
                repairs.shadow_root_mode = true;
            }
        }
        _ => {}
    }
}

/// Undoes in the finished tree what [`repair`] did to its tags.
pub(super) fn undo(doc: &mut Document, repairs: Repairs) {
    if !(repairs.isindex || repairs.shadow_root_mode) {
        return;
    }
    let (alias, marker) = (LocalName::from(ISINDEX), LocalName::from(ORIGINAL_MODE));
    for node in doc.nodes.iter_mut() {
        if node.local == alias {
            node.local = local_name!("isindex");
        }
        let NodeData::Element { start, len, .. } = &mut node.data else {
            continue;
        };
        if node.local != local_name!("template") {
            continue;
        }
        let attrs = &mut doc.attrs[attr_range(*start, *len)];
        let Some((last, rest)) = attrs.split_last_mut() else {
            continue;
        };
        if last.name == marker {
            if let Some(mode) = rest
                .iter_mut()
                .find(|a| a.name == local_name!("shadowrootmode"))
            {
                mode.value = last.value;
            }
            *len -= 1;
        }
    }
}

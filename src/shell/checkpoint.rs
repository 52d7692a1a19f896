//! Checkpoints: where a [`MainStream`](super::MainStream) may drop the page read so far.
//!
//! html5ever's tree builder holds `!Send` strings, so a stream cannot keep one between chunks.
//! Instead it keeps the input since its last checkpoint and, for each chunk, runs a fresh tree
//! builder over that input, first bringing the builder into the state it had at the checkpoint by
//! a short replay of synthetic tokens. A point of the page is a checkpoint only where that replay
//! reproduces the tree builder's whole state exactly, and that is checked, not assumed:
//!
//! - the tokenizer is in the data state between tokens, not after a `pre` or `listing` start tag
//!   (whose next newline the tree builder drops), and no `</body>`, `</html>` or `<frameset>` has
//!   been seen (the insertion mode is "in head", "after head" or "in body");
//! - the elements the tree builder holds (its stack of open elements, its list of active
//!   formatting elements, its head and form pointers, as its `trace_handles` lists them) are
//!   exactly `html`, `head` (in head), or `html`, `body` and a chain of HTML elements each the
//!   child of the one before, none of them formatting, table, template, select, option, form or
//!   raw-text elements or markers: then the list of active formatting elements is empty, the form
//!   pointer is null and no template insertion mode is stacked;
//! - frameset-ok is known: "not ok" after a non-whitespace character outside raw text or a
//!   `template` start tag (the stream watches the tokens), and required in the body;
//! - replaying (the same kind of DOCTYPE for the same quirks mode, `<html><head>`, a template if
//!   frameset-ok is "not ok", `</head><body>x` and the chain's start tags) gives a tree builder
//!   that holds elements of the same names, with the same quirks mode.
//!
//! The replayed elements carry what of their state can matter later: whether each hosts a shadow
//! root, and whether the page has a `selectedcontent` element.

use std::cell::{Cell, RefCell};

use html5ever::interface::{QuirksMode, Tracer};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{Doctype, Tag, TagKind, Token, TokenSink, TokenSinkResult};
use html5ever::tree_builder::TreeBuilder;
use html5ever::{LocalName, local_name};

use super::arena::{NodeId, Ns};
use super::options::tree_builder_opts_for;
use super::repair::{Repairs, is_alias, repair};
use super::sink::ArenaSink;

/// The tree builder a stream runs for one chunk.
pub(super) type Builder = TreeBuilder<NodeId, ArenaSink>;

/// What the stream has learnt from the tokens, beyond the tree builder's state.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub(super) struct Flags {
    /// The frameset-ok flag is "not ok".
    pub(super) frameset_not_ok: bool,
    /// A `</body>`, `</html>` or `<frameset>` was seen: the insertion mode may be past the body.
    past_body: bool,
    /// The last token was a `pre` or `listing` start tag.
    after_pre: bool,
    /// The tokenizer is in a raw-text state (script, style, RCDATA, PLAINTEXT).
    raw: bool,
}

/// A token sink that passes every token to the tree builder and keeps the [`Flags`].
pub(super) struct Watch<'a> {
    builder: &'a Builder,
    flags: Cell<Flags>,
}

impl<'a> Watch<'a> {
    pub(super) fn new(builder: &'a Builder, flags: Flags) -> Self {
        Self {
            builder,
            flags: Cell::new(flags),
        }
    }

    pub(super) fn flags(&self) -> Flags {
        self.flags.get()
    }
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

impl TokenSink for Watch<'_> {
    type Handle = NodeId;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<NodeId> {
        let mut flags = self.flags.get();
        flags.after_pre = false;
        let mut start = false;
        match &token {
            Token::CharacterTokens(text) if !flags.raw && !text.bytes().all(is_whitespace) => {
                flags.frameset_not_ok = true;
            }
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                start = true;
                match tag.name {
                    local_name!("template") => flags.frameset_not_ok = true,
                    local_name!("frameset") => flags.past_body = true,
                    local_name!("pre") | local_name!("listing") => flags.after_pre = true,
                    _ => {}
                }
            }
            Token::TagToken(tag) => {
                flags.raw = false;
                if matches!(tag.name, local_name!("body") | local_name!("html")) {
                    flags.past_body = true;
                }
            }
            _ => {}
        }
        let result = self.builder.process_token(token, line_number);
        if start
            && matches!(
                result,
                TokenSinkResult::RawData(_) | TokenSinkResult::Plaintext
            )
        {
            flags.raw = true;
        }
        self.flags.set(flags);
        result
    }

    fn end(&self) {
        self.builder.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.builder
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// Collects the handles the tree builder holds.
struct Collect(RefCell<Vec<NodeId>>);

impl Tracer for Collect {
    type Handle = NodeId;

    fn trace_handle(&self, node: &NodeId) {
        self.0.borrow_mut().push(*node);
    }
}

/// The elements the tree builder holds: its stack of open elements (bottom first), then its list
/// of active formatting elements, then its head and form pointers. The document is left out.
pub(super) fn held_elements(builder: &Builder) -> Vec<NodeId> {
    let collect = Collect(RefCell::new(Vec::new()));
    builder.trace_handles(&collect);
    let mut held = collect.0.into_inner();
    // The first handle is always the document.
    held.remove(0);
    held
}

/// Where in the page a checkpoint is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Nothing was read yet: nothing to replay.
    Start,
    /// In the head: `html` and `head` open.
    InHead,
    /// After the head, before the body.
    AfterHead,
    /// In the body: `html`, `body` and a chain of ordinary elements open.
    InBody,
}

/// A state of the tree builder that a replay of synthetic tokens reproduces.
#[derive(Clone, Debug)]
pub(super) struct Checkpoint {
    mode: Mode,
    quirks: QuirksMode,
    /// The open elements below `body`, outermost first, and whether each hosts a shadow root.
    chain: Vec<(LocalName, bool)>,
    saw_selectedcontent: bool,
    /// The flags at the checkpoint.
    pub(super) flags: Flags,
}

/// At most this many open elements are replayed: a deeper page keeps its input instead (html5ever's
/// scope checks make a replay quadratic in its depth).
const MAX_CHAIN: usize = 512;

/// Whether an open HTML element named `name` can be replayed by its start tag alone.
fn replayable(name: &LocalName) -> bool {
    // `isindex` reaches the tree builder under another name; the chain holds real names.
    !is_alias(name)
        && !matches!(
            *name,
            // Formatting elements (the list of active formatting elements), markers, tables,
            // templates, select and its options, forms (the form pointer), raw text, and the
            // elements that change the insertion mode.
            local_name!("a")
                | local_name!("b")
                | local_name!("big")
                | local_name!("code")
                | local_name!("em")
                | local_name!("font")
                | local_name!("i")
                | local_name!("nobr")
                | local_name!("s")
                | local_name!("small")
                | local_name!("strike")
                | local_name!("strong")
                | local_name!("tt")
                | local_name!("u")
                | local_name!("applet")
                | local_name!("marquee")
                | local_name!("object")
                | local_name!("table")
                | local_name!("caption")
                | local_name!("colgroup")
                | local_name!("col")
                | local_name!("tbody")
                | local_name!("thead")
                | local_name!("tfoot")
                | local_name!("tr")
                | local_name!("td")
                | local_name!("th")
                | local_name!("template")
                | local_name!("select")
                | local_name!("option")
                | local_name!("optgroup")
                | local_name!("form")
                | local_name!("frameset")
                | local_name!("frame")
                | local_name!("head")
                | local_name!("body")
                | local_name!("html")
                | local_name!("noscript")
                | local_name!("script")
                | local_name!("style")
                | local_name!("title")
                | local_name!("textarea")
                | local_name!("xmp")
                | local_name!("iframe")
                | local_name!("noembed")
                | local_name!("noframes")
                | local_name!("plaintext")
        )
}

/// Whether an element the tree builder holds means that nodes at or after it in tree order may
/// still move or gain earlier siblings: a formatting element (the adoption agency algorithm), a
/// table (foster parenting), a template (its contents) or a select (its `selectedcontent`).
pub(super) fn unsettles(ns: Ns, name: &LocalName) -> bool {
    ns == Ns::Html
        && matches!(
            *name,
            local_name!("a")
                | local_name!("b")
                | local_name!("big")
                | local_name!("code")
                | local_name!("em")
                | local_name!("font")
                | local_name!("i")
                | local_name!("nobr")
                | local_name!("s")
                | local_name!("small")
                | local_name!("strike")
                | local_name!("strong")
                | local_name!("tt")
                | local_name!("u")
                | local_name!("table")
                | local_name!("template")
                | local_name!("select")
        )
}

fn start_tag(name: LocalName) -> Token {
    Token::TagToken(Tag {
        kind: TagKind::StartTag,
        name,
        self_closing: false,
        attrs: Vec::new(),
        had_duplicate_attributes: false,
    })
}

fn end_tag(name: LocalName) -> Token {
    Token::TagToken(Tag {
        kind: TagKind::EndTag,
        ..match start_tag(name) {
            Token::TagToken(tag) => tag,
            _ => unreachable!("start_tag makes a tag"),
        }
    })
}

impl Checkpoint {
    /// The start of a page.
    pub(super) fn start() -> Self {
        Self {
            mode: Mode::Start,
            quirks: QuirksMode::NoQuirks,
            chain: Vec::new(),
            saw_selectedcontent: false,
            flags: Flags::default(),
        }
    }

    /// Brings the fresh tree builder behind `watch` into this checkpoint's state; returns the
    /// repairs its tags needed and the replayed elements of the chain, outermost first.
    pub(super) fn replay(&self, watch: &Watch<'_>) -> (Repairs, Vec<NodeId>) {
        let mut repairs = Repairs::default();
        if self.mode == Mode::Start {
            return (repairs, Vec::new());
        }
        let send = |token| {
            let _ = watch.process_token(token, 1);
        };
        let public_id = match self.quirks {
            QuirksMode::NoQuirks => Some(None),
            QuirksMode::LimitedQuirks => Some(Some(StrTendril::from_slice(
                "-//W3C//DTD XHTML 1.0 Transitional//EN",
            ))),
            // No DOCTYPE at all: quirks mode.
            QuirksMode::Quirks => None,
        };
        if let Some(public_id) = public_id {
            send(Token::DoctypeToken(Doctype {
                name: Some(StrTendril::from_slice("html")),
                public_id,
                system_id: None,
                force_quirks: false,
            }));
        }
        send(start_tag(local_name!("html")));
        send(start_tag(local_name!("head")));
        if self.flags.frameset_not_ok && self.mode != Mode::InBody {
            send(start_tag(local_name!("template")));
            send(end_tag(local_name!("template")));
        }
        let mut chain = Vec::new();
        if self.mode == Mode::InBody {
            send(end_tag(local_name!("head")));
            send(start_tag(local_name!("body")));
            send(Token::CharacterTokens(StrTendril::from_slice("x")));
            for (name, _) in &self.chain {
                let mut tag = Tag {
                    kind: TagKind::StartTag,
                    name: name.clone(),
                    self_closing: false,
                    attrs: Vec::new(),
                    had_duplicate_attributes: false,
                };
                repair(&mut tag, &mut repairs);
                send(Token::TagToken(tag));
            }
            // A token that only clears the "ignore the next newline" flag a `pre` sets.
            send(Token::ParseError("".into()));
            let held = held_elements(watch.builder);
            // `html`, `body`, the chain, and the head pointer.
            chain = held[2..held.len() - 1].to_vec();
            let sink = &watch.builder.sink;
            for (&id, (_, host)) in chain.iter().zip(&self.chain) {
                if *host {
                    sink.set_shadow_host(id);
                }
            }
        } else if self.mode == Mode::AfterHead {
            send(end_tag(local_name!("head")));
        }
        if self.saw_selectedcontent {
            watch.builder.sink.set_saw_selectedcontent();
        }
        watch.flags.set(self.flags);
        (repairs, chain)
    }

    /// The checkpoint at the point the tokenizer stopped (`clean`: in the data state between
    /// tokens), if there is one there; `held` is [`held_elements`] of `builder`.
    pub(super) fn capture(
        builder: &Builder,
        held: &[NodeId],
        flags: Flags,
        clean: bool,
        scripting: bool,
    ) -> Option<Self> {
        if !clean || flags.past_body || flags.after_pre || flags.raw {
            return None;
        }
        let sink = &builder.sink;
        let names: Vec<(Ns, LocalName)> = held.iter().map(|&id| sink.name_of(id)).collect();
        if names.iter().any(|(ns, _)| *ns != Ns::Html) {
            return None;
        }
        let is = |i: usize, name: LocalName| names.get(i).is_some_and(|(_, n)| *n == name);
        let mode = if held.len() == 3
            && is(0, local_name!("html"))
            && is(1, local_name!("head"))
            && held[1] == held[2]
        {
            Mode::InHead
        } else if held.len() == 2 && is(0, local_name!("html")) && is(1, local_name!("head")) {
            Mode::AfterHead
        } else if held.len() >= 3
            && held.len() - 3 <= MAX_CHAIN
            && flags.frameset_not_ok
            && is(0, local_name!("html"))
            && is(1, local_name!("body"))
            && is(held.len() - 1, local_name!("head"))
            && names[2..held.len() - 1].iter().all(|(_, n)| replayable(n))
            // Each open element is the child of the one before.
            && (1..held.len() - 1).all(|i| sink.parent_of(held[i]) == held[i - 1])
        {
            Mode::InBody
        } else {
            return None;
        };
        let chain: Vec<(LocalName, bool)> = if mode == Mode::InBody {
            held[2..held.len() - 1]
                .iter()
                .zip(&names[2..])
                .map(|(&id, (_, name))| (name.clone(), sink.is_shadow_host(id)))
                .collect()
        } else {
            Vec::new()
        };
        let checkpoint = Self {
            mode,
            quirks: sink.quirks_mode(),
            chain,
            saw_selectedcontent: sink.has_selectedcontent(),
            flags,
        };
        checkpoint
            .reproduces(&names, scripting)
            .then_some(checkpoint)
    }

    /// Whether replaying this checkpoint gives a tree builder holding elements named `names`,
    /// in the same quirks mode.
    fn reproduces(&self, names: &[(Ns, LocalName)], scripting: bool) -> bool {
        let builder = TreeBuilder::new(
            ArenaSink::with_capacity(names.len() + 8, 64),
            tree_builder_opts_for(scripting),
        );
        let watch = Watch::new(&builder, self.flags);
        let _ = self.replay(&watch);
        let held = held_elements(&builder);
        builder.sink.quirks_mode() == self.quirks
            && held.len() == names.len()
            && held
                .iter()
                .zip(names)
                .all(|(&id, name)| builder.sink.name_of(id) == *name)
    }
}

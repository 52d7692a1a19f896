//! The WHATWG tokenizer over a whole page, feeding html5ever's tree builder.
//!
//! html5ever's own tokenizer is written for input that arrives in pieces: it steps one character
//! at a time through a queue of buffers. `split` always has the whole page, so this tokenizer reads
//! a `&str` by byte offsets instead: text runs, tag names and attribute values are found with byte
//! scans and handed over as slices, and every state that cannot change what is emitted (the
//! parse-error-only states, the ambiguous ampersand) is folded into its neighbour. Every delimiter
//! the standard names is ASCII, so every offset it cuts at is a character boundary.
//!
//! It emits the same tokens as html5ever's tokenizer (up to how text is split into runs, which the
//! tree builder does not see), obeys the same feedback from the tree builder (raw-text states,
//! PLAINTEXT, CDATA in foreign content), and skips parse errors, which the split never reports.
//! A unit test and the `shell` fuzz target check it against html5ever's tokenizer. It goes beyond
//! html5ever's in two ways: it reads processing instructions (whatwg/html#12118), which html5ever
//! 0.40 still reads as bogus comments, and it passes every tag through the repairs of
//! [`super::repair`].

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{Doctype, Tag, TagKind, Token, TokenSink, TokenSinkResult};
use html5ever::{Attribute, LocalName, QualName, ns};
use std::collections::BTreeSet;

use self::charref::char_ref;
use self::doctype::doctype_fields;
use super::pi;
use super::repair::{Repairs, repair};

/// Tokenizes `html` as a whole document into `sink`, then signals the end. Tags are passed through
/// [`repair`] on their way; the result says which repairs the tree must undo.
///
/// A leading byte order mark is dropped and newlines are normalized (CR LF and CR become LF), as
/// the standard's input stream preprocessing says.
pub(super) fn tokenize<S: TokenSink>(html: &str, sink: &S) -> Repairs {
    tokenize_with(html, sink, true)
}

/// [`tokenize`], with processing instructions (`pis`) or with `<?` always opening a bogus comment
/// as html5ever's tokenizer does (for the differential check).
pub(super) fn tokenize_with<S: TokenSink>(html: &str, sink: &S, pis: bool) -> Repairs {
    let html = html.strip_prefix('\u{feff}').unwrap_or(html);
    let normalized;
    let input = if html.as_bytes().contains(&b'\r') {
        normalized = html.replace("\r\n", "\n").replace('\r', "\n");
        &normalized
    } else {
        html
    };
    let mut tokenizer = Tokenizer::new(input, sink, pis, true);
    tokenizer.run();
    tokenizer.repairs
}

/// Tokenizes `input`, a part of a page that starts in the data state, into `sink`. `input` must
/// already be preprocessed (no byte order mark to drop, newlines normalized).
///
/// If `complete`, `input` runs to the end of the page, which is signalled. Otherwise more of the
/// page follows, starting with a `<` (so that a text run or a character reference at the end of
/// `input` ends there too): every token that lies wholly in `input` is emitted, a construct cut
/// off by its end (a tag, a comment, a DOCTYPE, a CDATA section, `<` or `</`) is not, and no
/// end-of-file token is sent.
///
/// Returns the repairs and whether `input` ended cleanly: in the data state, between tokens, so
/// that tokenizing the rest of the page from the data state continues exactly.
pub(super) fn tokenize_segment<S: TokenSink>(
    input: &str,
    sink: &S,
    complete: bool,
) -> (Repairs, bool) {
    let mut tokenizer = Tokenizer::new(input, sink, true, complete);
    tokenizer.run();
    (tokenizer.repairs, tokenizer.clean)
}

/// What the tokenizer reads next.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Data,
    Rcdata,
    Rawtext,
    ScriptData,
    Plaintext,
    Eof,
}

/// Where the script data states are after `<!--`: the escaped or (`double`) double-escaped
/// family, with the number of `-` just seen (up to two: "dash" and "dash dash").
#[derive(Clone, Copy, PartialEq, Eq)]
struct Escape {
    double: bool,
    dashes: u8,
}

struct Tokenizer<'a, S> {
    input: &'a str,
    bytes: &'a [u8],
    sink: &'a S,
    /// The name of the last start tag emitted, for the "appropriate end tag" test.
    last_start: Option<LocalName>,
    repairs: Repairs,
    /// Whether `<?` can open a processing instruction.
    pis: bool,
    /// Whether `input` is the whole page (else more follows, and nothing cut off is emitted).
    complete: bool,
    /// Whether the input ended in the data state between tokens.
    clean: bool,
}

const fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b' ')
}

/// Where a tag name or an attribute name ends.
const fn ends_name(b: u8) -> bool {
    is_space(b) || b == b'/' || b == b'>'
}

/// A tendril holding `text` with every NUL replaced by U+FFFD.
fn tendril_replacing_nul(text: &str) -> StrTendril {
    if text.as_bytes().contains(&0) {
        StrTendril::from_slice(&text.replace('\0', "\u{FFFD}"))
    } else {
        StrTendril::from_slice(text)
    }
}

/// `name` with ASCII upper case lowered and NUL replaced by U+FFFD, as an atom.
fn atom(name: &str) -> LocalName {
    if name.bytes().any(|b| b.is_ascii_uppercase() || b == 0) {
        LocalName::from(name.to_ascii_lowercase().replace('\0', "\u{FFFD}"))
    } else {
        LocalName::from(name)
    }
}

/// A tag being read: its attributes, with duplicates dropped as they are finished.
struct TagBuf {
    attrs: Vec<Attribute>,
    /// The attribute names, once there are too many to scan for a duplicate.
    names: Option<BTreeSet<LocalName>>,
    self_closing: bool,
    had_duplicate: bool,
}

impl TagBuf {
    /// From this many attributes on, duplicates are found in an ordered set instead of by a scan,
    /// so one tag with a million attributes costs `n log n`, not `n²` (and no hashing seed is
    /// read from the system).
    const SCAN_LIMIT: usize = 32;

    fn new() -> Self {
        Self {
            attrs: Vec::new(),
            names: None,
            self_closing: false,
            had_duplicate: false,
        }
    }

    /// Adds an attribute unless the tag already has one of that name, which wins.
    fn push(&mut self, name: LocalName, value: StrTendril) {
        let duplicate = match &mut self.names {
            Some(names) => !names.insert(name.clone()),
            None => self.attrs.iter().any(|a| a.name.local == name),
        };
        if duplicate {
            self.had_duplicate = true;
            return;
        }
        self.attrs.push(Attribute {
            name: QualName::new(None, ns!(), name),
            value,
        });
        if self.names.is_none() && self.attrs.len() == Self::SCAN_LIMIT {
            self.names = Some(self.attrs.iter().map(|a| a.name.local.clone()).collect());
        }
    }
}

impl<'a, S: TokenSink> Tokenizer<'a, S> {
    fn new(input: &'a str, sink: &'a S, pis: bool, complete: bool) -> Self {
        Tokenizer {
            input,
            bytes: input.as_bytes(),
            sink,
            last_start: None,
            repairs: Repairs::default(),
            pis,
            complete,
            clean: false,
        }
    }

    fn run(&mut self) {
        let mut state = State::Data;
        let mut pos = 0;
        while state != State::Eof {
            (state, pos) = match state {
                State::Data => self.data(pos),
                State::Rcdata => self.raw_text(pos, true),
                State::Rawtext => self.raw_text(pos, false),
                State::ScriptData => self.script_data(pos),
                State::Plaintext | State::Eof => {
                    self.text(pos, self.bytes.len());
                    (State::Eof, self.bytes.len())
                }
            };
        }
        if self.complete {
            // The tree builder only ever answers `Continue` to the end of the input.
            let _ = self.sink.process_token(Token::EOFToken, 1);
            self.sink.end();
        }
    }

    fn emit(&self, token: Token) -> TokenSinkResult<S::Handle> {
        self.sink.process_token(token, 1)
    }

    /// Emits `input[start..end]` as characters, NULs replaced by U+FFFD.
    fn text(&self, start: usize, end: usize) {
        if start < end {
            let _ = self.emit(Token::CharacterTokens(tendril_replacing_nul(
                &self.input[start..end],
            )));
        }
    }

    /// Emits `input[start..end]`, which holds no NUL, as characters.
    fn plain_text(&self, start: usize, end: usize) {
        if start < end {
            let _ = self.emit(Token::CharacterTokens(StrTendril::from_slice(
                &self.input[start..end],
            )));
        }
    }

    /// The data state from `pos`, up to the next token other than text.
    fn data(&mut self, pos: usize) -> (State, usize) {
        let bytes = self.bytes;
        let mut run = pos;
        let mut i = pos;
        loop {
            let Some(offset) = bytes[i..]
                .iter()
                .position(|&b| b == b'<' || b == b'&' || b == 0)
            else {
                self.plain_text(run, bytes.len());
                self.clean = true;
                return (State::Eof, bytes.len());
            };
            let at = i + offset;
            match bytes[at] {
                0 => {
                    self.plain_text(run, at);
                    let _ = self.emit(Token::NullCharacterToken);
                    run = at + 1;
                    i = at + 1;
                }
                b'&' => match self.text_char_ref(run, at) {
                    Some(end) => (run, i) = (end, end),
                    None => i = at + 1,
                },
                _ => match self.markup(at) {
                    Markup::Text => i = at + 1,
                    Markup::Token(start, f) => {
                        self.plain_text(run, at);
                        return f(self, start);
                    }
                    Markup::Nothing(end) => {
                        self.plain_text(run, at);
                        run = end;
                        i = end;
                    }
                    Markup::Cut => {
                        self.plain_text(run, at);
                        return (State::Eof, bytes.len());
                    }
                },
            }
        }
    }

    /// What the `<` at `at` starts in the data state.
    fn markup(&self, at: usize) -> Markup<'a, S> {
        let bytes = self.bytes;
        // What `<` or `</` at the end of the input starts depends on what follows.
        let cut = Markup::Cut;
        match bytes.get(at + 1) {
            None if !self.complete => cut,
            Some(b) if b.is_ascii_alphabetic() => Markup::Token(at + 1, Self::start_tag),
            Some(b'!') => Markup::Token(at + 2, Self::declaration),
            Some(b'?') if self.pis => Markup::Token(at + 2, Self::processing_instruction),
            Some(b'?') => Markup::Token(at + 1, Self::bogus_comment),
            Some(b'/') => match bytes.get(at + 2) {
                Some(b) if b.is_ascii_alphabetic() => Markup::Token(at + 2, Self::end_tag),
                Some(b'>') => Markup::Nothing(at + 3),
                Some(_) => Markup::Token(at + 2, Self::bogus_comment),
                None if !self.complete => cut,
                None => Markup::Text,
            },
            _ => Markup::Text,
        }
    }

    fn start_tag(&mut self, name: usize) -> (State, usize) {
        self.tag(TagKind::StartTag, name)
    }

    fn end_tag(&mut self, name: usize) -> (State, usize) {
        self.tag(TagKind::EndTag, name)
    }

    /// Reads a tag whose name starts at `start` and emits it. A tag cut off by the end of the
    /// input is dropped.
    fn tag(&mut self, kind: TagKind, start: usize) -> (State, usize) {
        let end = self.bytes[start..]
            .iter()
            .position(|&b| ends_name(b))
            .map_or(self.bytes.len(), |n| start + n);
        let name = atom(&self.input[start..end]);
        self.finish_tag(kind, name, end)
    }

    /// Reads the attributes of a tag named `name` from `pos` and emits the tag.
    fn finish_tag(&mut self, kind: TagKind, name: LocalName, pos: usize) -> (State, usize) {
        let mut tag = TagBuf::new();
        let Some(end) = self.attributes(&mut tag, pos) else {
            return (State::Eof, self.bytes.len());
        };
        if kind == TagKind::StartTag {
            self.last_start = Some(name.clone());
        }
        let mut tag = Tag {
            kind,
            name,
            self_closing: tag.self_closing,
            attrs: tag.attrs,
            had_duplicate_attributes: tag.had_duplicate,
        };
        repair(&mut tag, &mut self.repairs);
        let state = match self.emit(Token::TagToken(tag)) {
            TokenSinkResult::RawData(RawKind::Rcdata) => State::Rcdata,
            TokenSinkResult::RawData(RawKind::Rawtext) => State::Rawtext,
            TokenSinkResult::RawData(_) => State::ScriptData,
            TokenSinkResult::Plaintext => State::Plaintext,
            _ => State::Data,
        };
        (state, end)
    }

    /// The states from "before attribute name" to the end of the tag: returns the offset after
    /// its `>`, or `None` if the input ends first.
    fn attributes(&self, tag: &mut TagBuf, mut i: usize) -> Option<usize> {
        let bytes = self.bytes;
        loop {
            while bytes.get(i).is_some_and(|&b| is_space(b)) {
                i += 1;
            }
            match *bytes.get(i)? {
                b'>' => return Some(i + 1),
                b'/' => {
                    // The self-closing start tag state; anything but `>` is read again as the
                    // start of an attribute name.
                    i += 1;
                    if *bytes.get(i)? == b'>' {
                        tag.self_closing = true;
                        return Some(i + 1);
                    }
                }
                _ => {
                    // An `=` here starts the name; after that it ends it.
                    let start = i;
                    i += 1;
                    while bytes.get(i).is_some_and(|&b| !ends_name(b) && b != b'=') {
                        i += 1;
                    }
                    let name = atom(&self.input[start..i]);
                    while bytes.get(i).is_some_and(|&b| is_space(b)) {
                        i += 1;
                    }
                    if bytes.get(i) != Some(&b'=') {
                        tag.push(name, StrTendril::new());
                        continue;
                    }
                    i += 1;
                    while bytes.get(i).is_some_and(|&b| is_space(b)) {
                        i += 1;
                    }
                    let (value, end) = match *bytes.get(i)? {
                        quote @ (b'"' | b'\'') => {
                            let close = bytes[i + 1..].iter().position(|&b| b == quote)?;
                            let value = self.attribute_value(i + 1, i + 1 + close);
                            (value, i + close + 2)
                        }
                        b'>' => (StrTendril::new(), i),
                        _ => {
                            let end = bytes[i..]
                                .iter()
                                .position(|&b| is_space(b) || b == b'>')
                                .map_or(bytes.len(), |n| i + n);
                            if end == bytes.len() {
                                return None;
                            }
                            (self.attribute_value(i, end), end)
                        }
                    };
                    tag.push(name, value);
                    i = end;
                }
            }
        }
    }

    /// An attribute value from `input[start..end]`: character references decoded, NULs replaced.
    fn attribute_value(&self, start: usize, end: usize) -> StrTendril {
        let raw = &self.input[start..end];
        if !raw.as_bytes().contains(&b'&') {
            return tendril_replacing_nul(raw);
        }
        let mut value = StrTendril::new();
        let mut run = start;
        let mut i = start;
        while let Some(offset) = self.bytes[i..end].iter().position(|&b| b == b'&') {
            let at = i + offset;
            match char_ref(&self.bytes[..end], at, true) {
                Some((chars, after)) => {
                    value.push_tendril(&tendril_replacing_nul(&self.input[run..at]));
                    value.push_tendril(&chars);
                    run = after;
                    i = after;
                }
                None => i = at + 1,
            }
        }
        value.push_tendril(&tendril_replacing_nul(&self.input[run..end]));
        value
    }

    /// After `<!`: a comment, a DOCTYPE, a CDATA section in foreign content, or a bogus comment.
    fn declaration(&mut self, i: usize) -> (State, usize) {
        let rest = &self.bytes[i..];
        if !self.complete
            && (b"--".starts_with(rest)
                || (rest.len() < 7 && b"doctype"[..rest.len()].eq_ignore_ascii_case(rest))
                || b"[CDATA[".starts_with(rest))
        {
            // Cut off where what follows decides which declaration this is.
            return (State::Eof, self.bytes.len());
        }
        if rest.starts_with(b"--") {
            return self.comment(i + 2);
        }
        if rest.len() >= 7 && rest[..7].eq_ignore_ascii_case(b"doctype") {
            return self.doctype(i + 7);
        }
        if rest.starts_with(b"[CDATA[")
            && self
                .sink
                .adjusted_current_node_present_but_not_in_html_namespace()
        {
            return self.cdata(i + 7);
        }
        self.bogus_comment(i)
    }

    /// A bogus comment whose data starts at `i` and runs to the next `>`.
    fn bogus_comment(&mut self, i: usize) -> (State, usize) {
        let Some(end) = self.bytes[i..].iter().position(|&b| b == b'>') else {
            if self.complete {
                self.comment_token(i, self.bytes.len());
            }
            return (State::Eof, self.bytes.len());
        };
        let end = i + end;
        self.comment_token(i, end);
        (State::Data, (end + 1).min(self.bytes.len()))
    }

    /// The processing instruction states from `i`, just after `<?` (whatwg/html#12118): a target
    /// of ASCII alphanumerics, `-` and `_` starting with a letter or `_` (case kept, not `xml` or
    /// `xml-stylesheet` in any case), whitespace, then data up to the next `>`, less one `?` just
    /// before it. Anything else there is a bogus comment starting with the `?`, and the end of the
    /// input drops the instruction.
    fn processing_instruction(&mut self, i: usize) -> (State, usize) {
        let bytes = self.bytes;
        let len = bytes.len();
        match bytes.get(i) {
            None => return (State::Eof, len),
            Some(&b) if b.is_ascii_alphabetic() || b == b'_' => {}
            Some(_) => return self.bogus_comment(i - 1),
        }
        let end = bytes[i..]
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
            .map_or(len, |n| i + n);
        let target = &self.input[i..end];
        match bytes.get(end) {
            None => return (State::Eof, len),
            Some(&b) if is_space(b) || b == b'?' || b == b'>' => {}
            Some(_) => return self.bogus_comment(i - 1),
        }
        if target.eq_ignore_ascii_case("xml") || target.eq_ignore_ascii_case("xml-stylesheet") {
            return self.bogus_comment(i - 1);
        }
        let mut start = end;
        while bytes.get(start).is_some_and(|&b| is_space(b)) {
            start += 1;
        }
        let Some(close) = bytes[start..].iter().position(|&b| b == b'>') else {
            return (State::Eof, len);
        };
        let data = &self.input[start..start + close];
        let data = data.strip_suffix('?').unwrap_or(data);
        let _ = self.emit(Token::CommentToken(pi::encode(target, data)));
        (State::Data, start + close + 1)
    }

    fn comment_token(&self, start: usize, end: usize) {
        let _ = self.emit(Token::CommentToken(tendril_replacing_nul(
            &self.input[start..end],
        )));
    }

    /// A comment whose data starts at `s`, just after `<!--`.
    ///
    /// The data is always a slice of the input: the comment states only ever append the
    /// characters they consume, except for the `-`, `--` or `--!` held back until the next
    /// character shows whether they close the comment. `pending` is where that held-back run
    /// starts. The "less-than sign" states only decide parse errors and are folded away.
    fn comment(&mut self, s: usize) -> (State, usize) {
        let bytes = self.bytes;
        // Abrupt closings: `<!-->` and `<!--->`.
        for close in [&b">"[..], b"->"] {
            if bytes[s..].starts_with(close) {
                self.comment_token(s, s);
                return (State::Data, s + close.len());
            }
        }
        #[derive(Clone, Copy)]
        enum C {
            Text,
            EndDash,
            End,
            EndBang,
        }
        let mut state = C::Text;
        let mut pending = s;
        let mut i = s;
        while let Some(&b) = bytes.get(i) {
            state = match (state, b) {
                (C::Text, b'-') => {
                    pending = i;
                    C::EndDash
                }
                (C::Text, _) => C::Text,
                (C::EndDash, b'-') => C::End,
                (C::End | C::EndBang, b'>') => {
                    self.comment_token(s, pending);
                    return (State::Data, i + 1);
                }
                (C::End, b'!') => C::EndBang,
                (C::End, b'-') => {
                    pending = i - 1;
                    C::End
                }
                (C::EndBang, b'-') => {
                    pending = i;
                    C::EndDash
                }
                // Anything else appends the held-back run and is read again as text, where it
                // stays text: every `-` is matched above.
                (C::EndDash | C::End | C::EndBang, _) => C::Text,
            };
            i += 1;
        }
        if self.complete {
            let end = if matches!(state, C::Text) {
                bytes.len()
            } else {
                pending
            };
            self.comment_token(s, end);
        }
        (State::Eof, bytes.len())
    }

    /// A CDATA section whose text starts at `s`: characters up to `]]>`, NULs as their own
    /// tokens, as html5ever emits them.
    fn cdata(&mut self, s: usize) -> (State, usize) {
        let bytes = self.bytes;
        let (end, next) = match bytes[s..].windows(3).position(|w| w == b"]]>") {
            Some(n) => (s + n, s + n + 3),
            None if !self.complete => return (State::Eof, bytes.len()),
            None => (bytes.len(), bytes.len()),
        };
        let mut run = s;
        for offset in (0..end - s).filter(|&n| bytes[s + n] == 0) {
            self.plain_text(run, s + offset);
            let _ = self.emit(Token::NullCharacterToken);
            run = s + offset + 1;
        }
        self.plain_text(run, end);
        let state = if end == bytes.len() {
            State::Eof
        } else {
            State::Data
        };
        (state, next)
    }

    /// RCDATA (`with_refs`) or RAWTEXT from `pos`, up to the appropriate end tag.
    fn raw_text(&mut self, pos: usize, with_refs: bool) -> (State, usize) {
        let bytes = self.bytes;
        let mut run = pos;
        let mut i = pos;
        loop {
            let found = bytes[i..]
                .iter()
                .position(|&b| b == b'<' || (with_refs && b == b'&'));
            let Some(offset) = found else {
                self.text(run, bytes.len());
                return (State::Eof, bytes.len());
            };
            let at = i + offset;
            if bytes[at] == b'&' {
                match self.text_char_ref(run, at) {
                    Some(end) => (run, i) = (end, end),
                    None => i = at + 1,
                }
            } else if let Some(name_end) = self.appropriate_end_tag(at) {
                self.text(run, at);
                return self.end_tag_after_name(name_end);
            } else {
                i = at + 1;
            }
        }
    }

    /// If `<` at `at` opens the appropriate end tag (`</` and the last start tag's name in any
    /// ASCII case, then whitespace, `/` or `>`), the offset just after the name.
    fn appropriate_end_tag(&self, at: usize) -> Option<usize> {
        let name = self.last_start.as_ref()?.as_bytes();
        let bytes = self.bytes;
        let start = at + 2;
        let end = start + name.len();
        (bytes.get(at + 1) == Some(&b'/')
            && bytes.len() > end
            && bytes[start..end].eq_ignore_ascii_case(name)
            && name.iter().all(u8::is_ascii_alphabetic)
            && ends_name(bytes[end]))
        .then_some(end)
    }

    fn end_tag_after_name(&mut self, name_end: usize) -> (State, usize) {
        let name = self
            .last_start
            .clone()
            .expect("an appropriate end tag implies a start tag");
        self.finish_tag(TagKind::EndTag, name, name_end)
    }

    /// Script data from `pos`, through its escaped and double-escaped states, up to the
    /// appropriate end tag.
    fn script_data(&mut self, pos: usize) -> (State, usize) {
        let bytes = self.bytes;
        let mut i = pos;
        // `None` is the plain script data state.
        let mut escape: Option<Escape> = None;
        while i < bytes.len() {
            match escape {
                None => {
                    let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') else {
                        break;
                    };
                    let at = i + offset;
                    if let Some(name_end) = self.appropriate_end_tag(at) {
                        self.text(pos, at);
                        return self.end_tag_after_name(name_end);
                    }
                    if bytes[at + 1..].starts_with(b"!--") {
                        // The escape start states; the second `-` lands in "escaped dash dash".
                        escape = Some(Escape {
                            double: false,
                            dashes: 2,
                        });
                        i = at + 4;
                    } else {
                        i = at + 1;
                    }
                }
                Some(Escape { double, dashes }) => {
                    let mut next = Escape { double, dashes: 0 };
                    match bytes[i] {
                        b'-' => next.dashes = (dashes + 1).min(2),
                        b'>' if dashes == 2 => {
                            escape = None;
                            i += 1;
                            continue;
                        }
                        b'<' => {
                            let end_tag = if double {
                                None
                            } else {
                                self.appropriate_end_tag(i)
                            };
                            if let Some(name_end) = end_tag {
                                self.text(pos, i);
                                return self.end_tag_after_name(name_end);
                            }
                            // The double escape start state (`<` and a letter, when escaped) or
                            // end state (`</`, when double-escaped): the word `script` toggles.
                            let word = if double {
                                (bytes.get(i + 1) == Some(&b'/')).then_some(i + 2)
                            } else {
                                bytes
                                    .get(i + 1)
                                    .is_some_and(u8::is_ascii_alphabetic)
                                    .then_some(i + 1)
                            };
                            if let Some(word) = word {
                                let (after, is_script) = self.script_word(word);
                                next.double ^= is_script;
                                escape = Some(next);
                                i = after;
                                continue;
                            }
                        }
                        _ => {}
                    }
                    escape = Some(next);
                    i += 1;
                }
            }
        }
        self.text(pos, bytes.len());
        (State::Eof, bytes.len())
    }

    /// The double escape start and end states from `i`: the ASCII letters there, and whether they
    /// spell `script` in any case and are followed by whitespace, `/` or `>` (which is consumed).
    /// Returns where reading goes on.
    fn script_word(&self, i: usize) -> (usize, bool) {
        let bytes = self.bytes;
        let end = bytes[i..]
            .iter()
            .position(|b| !b.is_ascii_alphabetic())
            .map_or(bytes.len(), |n| i + n);
        match bytes.get(end) {
            Some(&b) if ends_name(b) => (end + 1, bytes[i..end].eq_ignore_ascii_case(b"script")),
            _ => (end, false),
        }
    }

    /// A character reference at the `&` at `at` in text whose run started at `run`: emits the run
    /// and the reference's characters and returns where the text goes on, or `None` where the `&`
    /// is just text.
    fn text_char_ref(&self, run: usize, at: usize) -> Option<usize> {
        let (chars, end) = char_ref(self.bytes, at, false)?;
        self.text(run, at);
        let _ = self.emit(Token::CharacterTokens(chars));
        Some(end)
    }

    /// A DOCTYPE whose text starts at `i`, just after `<!DOCTYPE`.
    fn doctype(&mut self, i: usize) -> (State, usize) {
        let mut doctype = Doctype::default();
        let end = doctype_fields(self.input, i, &mut doctype);
        if end.is_some() || self.complete {
            let _ = self.emit(Token::DoctypeToken(doctype));
        }
        match end {
            Some(end) => (State::Data, end),
            None => (State::Eof, self.bytes.len()),
        }
    }
}

/// What a `<` in the data state starts.
enum Markup<'a, S> {
    /// Nothing: the `<` is text.
    Text,
    /// A token, read by the function from the offset.
    Token(usize, TokenFn<'a, S>),
    /// `</>`, dropped without a token; reading goes on at the offset.
    Nothing(usize),
    /// `<` or `</` cut off by the end of an incomplete input.
    Cut,
}

type TokenFn<'a, S> = fn(&mut Tokenizer<'a, S>, usize) -> (State, usize);

mod charref;
mod doctype;

#[cfg(any(test, fuzzing))]
pub(super) mod check;
#[cfg(test)]
mod tests;

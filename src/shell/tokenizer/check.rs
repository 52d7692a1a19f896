//! The differential check of this tokenizer against html5ever's (with the same repairs applied
//! to html5ever's tags): both drive a real tree builder
//! (so the feedback they get is the real one) through a recorder, and the recorded token streams
//! must be equal once adjacent character tokens are joined and parse errors and empty character
//! tokens dropped. html5ever's tokenizer predates processing instructions, so the check runs this
//! tokenizer with `<?` opening a bogus comment, as html5ever's does; the processing instruction
//! states have tests of their own.

use std::cell::RefCell;

use html5ever::TokenizerResult;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::TreeBuilder;

use super::super::arena::NodeId;
use super::super::options::{ShellOptions, tree_builder_opts};
use super::super::repair::{Repairs, repair};
use super::super::sink::{ArenaSink, sink_for};

/// Records every token on its way to the tree builder; with `repair`, first passes tags through
/// the repairs this tokenizer makes (for html5ever's tokenizer, which does not).
struct Recorder<S> {
    inner: S,
    tokens: RefCell<Vec<Token>>,
    repair: bool,
}

impl<S: TokenSink> TokenSink for Recorder<S> {
    type Handle = S::Handle;

    fn process_token(&self, mut token: Token, line: u64) -> TokenSinkResult<S::Handle> {
        if let (true, Token::TagToken(tag)) = (self.repair, &mut token) {
            repair(tag, &mut Repairs::default());
        }
        let mut tokens = self.tokens.borrow_mut();
        match (&token, tokens.last_mut()) {
            // html5ever emits empty character tokens around CDATA sections; the tree builder
            // ignores them (they only reset the newline skip after `<pre>`, which cannot be open
            // in foreign content).
            (Token::ParseError(_), _) => {}
            (Token::CharacterTokens(text), _) if text.is_empty() => {}
            (Token::CharacterTokens(more), Some(Token::CharacterTokens(text))) => {
                text.push_tendril(more);
            }
            _ => tokens.push(token.clone_token()),
        }
        drop(tokens);
        self.inner.process_token(token, line)
    }

    fn end(&self) {
        self.inner.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.inner
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// `Token` has no `Clone`; every variant the tokenizers emit is copied here.
trait CloneToken {
    fn clone_token(&self) -> Token;
}

impl CloneToken for Token {
    fn clone_token(&self) -> Token {
        match self {
            Self::DoctypeToken(d) => Self::DoctypeToken(d.clone()),
            Self::TagToken(t) => Self::TagToken(t.clone()),
            Self::CommentToken(c) => Self::CommentToken(c.clone()),
            Self::CharacterTokens(c) => Self::CharacterTokens(c.clone()),
            Self::NullCharacterToken => Self::NullCharacterToken,
            Self::EOFToken => Self::EOFToken,
            Self::ParseError(e) => Self::ParseError(e.clone()),
        }
    }
}

fn recorder(
    html: &str,
    options: &ShellOptions,
    repair: bool,
) -> Recorder<TreeBuilder<NodeId, ArenaSink>> {
    Recorder {
        inner: TreeBuilder::new(sink_for(html), tree_builder_opts(options)),
        tokens: RefCell::new(Vec::new()),
        repair,
    }
}

/// The tokens this tokenizer gives `html`.
fn ours(html: &str, options: &ShellOptions) -> Vec<Token> {
    let recorder = recorder(html, options, false);
    super::tokenize_with(html, &recorder, false);
    recorder.tokens.into_inner()
}

/// The tokens html5ever's tokenizer gives `html`.
///
/// html5ever drops a U+FEFF at the start of *every* `feed`, and a driver feeds again after each
/// `</script>`, so `<script></script>\u{feff}` would lose a character; the byte order mark is
/// stripped here once instead, as the standard (and this tokenizer) does.
fn theirs(html: &str, options: &ShellOptions) -> Vec<Token> {
    let opts = TokenizerOpts {
        discard_bom: false,
        ..TokenizerOpts::default()
    };
    let tokenizer = Tokenizer::new(recorder(html, options, true), opts);
    let queue = BufferQueue::default();
    let html = html.strip_prefix('\u{feff}').unwrap_or(html);
    queue.push_back(StrTendril::from_slice(html));
    while !matches!(tokenizer.feed(&queue), TokenizerResult::Done) {}
    tokenizer.end();
    tokenizer.sink.tokens.into_inner()
}

/// Checks that both tokenizers give `html` the same tokens, with scripting on and off.
///
/// # Errors
/// The first token where they differ, with its index, if they do.
pub(crate) fn tokenizers_agree(html: &str) -> Result<(), String> {
    for scripting in [true, false] {
        let options = ShellOptions {
            scripting,
            ..ShellOptions::default()
        };
        let (ours, theirs) = (ours(html, &options), theirs(html, &options));
        if ours != theirs {
            let at = ours.iter().zip(&theirs).position(|(a, b)| a != b);
            let at = at.unwrap_or(ours.len().min(theirs.len()));
            return Err(format!(
                "scripting {scripting}: token {at} differs: ours {:?}, html5ever's {:?}",
                ours.get(at),
                theirs.get(at)
            ));
        }
    }
    Ok(())
}

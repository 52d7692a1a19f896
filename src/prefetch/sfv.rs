//! A structured-field list parser (RFC 9651, which obsoletes RFC 8941), as much as
//! `Sec-Purpose` needs: the whole grammar is validated, tokens and booleans are kept.

use crate::headers::is_tchar;

/// A bare item, reduced to what the callers inspect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BareItem {
    /// A token, such as `prefetch`.
    Token(String),
    /// `?1` or `?0`.
    Boolean(bool),
    /// Any other valid bare item: integer, decimal, string, byte sequence, date, display string.
    Other,
}

/// Parameters in order; a repeated key keeps its last value at its first position.
pub(crate) type Parameters = Vec<(String, BareItem)>;

/// One member of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Member {
    /// An item and its parameters.
    Item(BareItem, Parameters),
    /// An inner list; the callers only need to know it is not an item.
    InnerList,
}

/// Parses a field value as a structured-field list (RFC 9651 §4.2 with type `list`).
///
/// Returns `None` when the value is not a valid list; the RFC says the whole field is then
/// ignored. An empty value is an empty list.
pub(crate) fn parse_list(input: &[u8]) -> Option<Vec<Member>> {
    let mut p = Parser { input, pos: 0 };
    p.skip_sp();
    let mut members = Vec::new();
    while !p.is_done() {
        members.push(p.member()?);
        p.skip_ows();
        if p.is_done() {
            break;
        }
        if p.next()? != b',' {
            return None;
        }
        p.skip_ows();
        if p.is_done() {
            return None;
        }
    }
    Some(members)
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn is_done(&self) -> bool {
        self.pos >= self.input.len()
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn skip_sp(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn member(&mut self) -> Option<Member> {
        if self.peek() == Some(b'(') {
            self.pos += 1;
            loop {
                self.skip_sp();
                if self.peek() == Some(b')') {
                    self.pos += 1;
                    self.parameters()?;
                    return Some(Member::InnerList);
                }
                self.bare_item()?;
                self.parameters()?;
                if !matches!(self.peek(), Some(b' ' | b')')) {
                    return None;
                }
            }
        }
        let item = self.bare_item()?;
        Some(Member::Item(item, self.parameters()?))
    }

    fn parameters(&mut self) -> Option<Parameters> {
        let mut params: Parameters = Vec::new();
        while self.peek() == Some(b';') {
            self.pos += 1;
            self.skip_sp();
            let key = self.key()?;
            let value = if self.peek() == Some(b'=') {
                self.pos += 1;
                self.bare_item()?
            } else {
                BareItem::Boolean(true)
            };
            match params.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => params.push((key, value)),
            }
        }
        Some(params)
    }

    fn key(&mut self) -> Option<String> {
        let start = self.pos;
        if !matches!(self.peek()?, b'a'..=b'z' | b'*') {
            return None;
        }
        while matches!(
            self.peek(),
            Some(b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'*')
        ) {
            self.pos += 1;
        }
        Some(ascii(&self.input[start..self.pos]))
    }

    fn bare_item(&mut self) -> Option<BareItem> {
        match self.peek()? {
            b'-' | b'0'..=b'9' => self.number().map(|()| BareItem::Other),
            b'"' => self.string().map(|()| BareItem::Other),
            b'*' | b'a'..=b'z' | b'A'..=b'Z' => Some(BareItem::Token(self.token())),
            b':' => self.byte_sequence().map(|()| BareItem::Other),
            b'?' => self.boolean().map(BareItem::Boolean),
            b'@' => self.date().map(|()| BareItem::Other),
            b'%' => self.display_string().map(|()| BareItem::Other),
            _ => None,
        }
    }

    /// §4.2.4: integer (at most 15 digits) or decimal (at most 12 integer and 3 fraction
    /// digits); returns whether it was an integer.
    fn number_kind(&mut self) -> Option<bool> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        if !self.peek()?.is_ascii_digit() {
            return None;
        }
        let (mut int_digits, mut frac_digits, mut decimal) = (0usize, 0usize, false);
        while let Some(c) = self.peek() {
            match c {
                b'0'..=b'9' if decimal => frac_digits += 1,
                b'0'..=b'9' => int_digits += 1,
                b'.' if !decimal && int_digits <= 12 => decimal = true,
                b'.' if !decimal => return None,
                _ => break,
            }
            self.pos += 1;
            if (!decimal && int_digits > 15) || frac_digits > 3 {
                return None;
            }
        }
        if decimal && frac_digits == 0 {
            return None;
        }
        Some(!decimal)
    }

    fn number(&mut self) -> Option<()> {
        self.number_kind().map(|_| ())
    }

    fn string(&mut self) -> Option<()> {
        self.pos += 1;
        loop {
            match self.next()? {
                b'\\' => {
                    if !matches!(self.next()?, b'"' | b'\\') {
                        return None;
                    }
                }
                b'"' => return Some(()),
                0x20..=0x7e => {}
                _ => return None,
            }
        }
    }

    fn token(&mut self) -> String {
        let start = self.pos;
        self.pos += 1;
        while self.peek().is_some_and(is_token_char) {
            self.pos += 1;
        }
        ascii(&self.input[start..self.pos])
    }

    /// §4.2.7: base64 between colons that decodes (step 7). Padding is read leniently, as
    /// step 7's SHOULD NOTs ask: missing, partial (`aG=`) and non-zero pad bits are accepted;
    /// what cannot decode is refused: a lone character in the last group, `=` before data, or
    /// more `=` than the last group has room for (RFC 4648 §3.2: padding only completes it).
    fn byte_sequence(&mut self) -> Option<()> {
        self.pos += 1;
        let (mut data, mut padding) = (0usize, 0usize);
        loop {
            match self.next()? {
                b':' => break,
                b'=' => padding += 1,
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' if padding == 0 => data += 1,
                _ => return None,
            }
        }
        let last_group = data % 4;
        let padding_fits = padding == 0 || (last_group >= 2 && last_group + padding <= 4);
        (last_group != 1 && padding_fits).then_some(())
    }

    fn boolean(&mut self) -> Option<bool> {
        self.pos += 1;
        match self.next()? {
            b'1' => Some(true),
            b'0' => Some(false),
            _ => None,
        }
    }

    fn date(&mut self) -> Option<()> {
        self.pos += 1;
        self.number_kind()?.then_some(())
    }

    fn display_string(&mut self) -> Option<()> {
        self.pos += 1;
        if self.next()? != b'"' {
            return None;
        }
        let mut bytes = Vec::new();
        loop {
            match self.next()? {
                b'%' => {
                    let hi = hex_lower(self.next()?)?;
                    let lo = hex_lower(self.next()?)?;
                    bytes.push(hi << 4 | lo);
                }
                b'"' => return std::str::from_utf8(&bytes).ok().map(|_| ()),
                c @ 0x20..=0x7e => bytes.push(c),
                _ => return None,
            }
        }
    }
}

/// `tchar` (RFC 9110) plus `:` and `/`.
fn is_token_char(c: u8) -> bool {
    is_tchar(c) || c == b':' || c == b'/'
}

fn hex_lower(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// The callers only slice ASCII runs, so this never loses data.
fn ascii(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(t: &str) -> BareItem {
        BareItem::Token(t.to_owned())
    }

    #[test]
    fn prefetch_with_prerender_parameter_parses() {
        assert_eq!(
            parse_list(b"prefetch;prerender"),
            Some(vec![Member::Item(
                token("prefetch"),
                vec![("prerender".to_owned(), BareItem::Boolean(true))]
            )])
        );
    }

    #[test]
    fn every_bare_item_kind_is_accepted() {
        let value = br#"1, -2.5, "s\"q", tok/en:x, :aGk=:, ?0, @1659578233, %"f%c3%bc", (a b);p=1, *x;k=?1"#;
        let list = parse_list(value).expect("valid list");
        assert_eq!(list.len(), 10);
        assert_eq!(list[8], Member::InnerList);
    }

    #[test]
    fn invalid_lists_are_rejected() {
        for bad in [
            &b"a,"[..],
            b",a",
            b"a b",
            b"\"unterminated",
            b"1.",
            b"1.2345",
            b"1234567890123456",
            b"?2",
            b"@1.5",
            b"%\"%C3\"",
            b"%\"%ff\"",
            b"a;K=1",
            b"(a",
            b"(a)b",
            b"\xc3\xa9",
        ] {
            assert_eq!(parse_list(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn empty_and_whitespace_values_are_empty_lists() {
        assert_eq!(parse_list(b""), Some(vec![]));
        assert_eq!(parse_list(b"   "), Some(vec![]));
    }

    #[test]
    fn repeated_parameter_keeps_the_last_value() {
        assert_eq!(
            parse_list(b"a;x=?0;x"),
            Some(vec![Member::Item(
                token("a"),
                vec![("x".to_owned(), BareItem::Boolean(true))]
            )])
        );
    }
}

/// Differential tests against the `sfv` crate (a dev-dependency): both parse the same inputs as
/// an RFC 9651 list and must agree on validity and on what the callers read (tokens, booleans,
/// parameters, inner lists). The one disagreement they found, byte sequences that do not
/// base64-decode, was this module's error (RFC 9651 §4.2.7 step 7) and is fixed; see
/// `byte_sequences_must_decode_but_padding_is_optional`.
#[cfg(test)]
mod differential {
    use proptest::prelude::*;

    use super::*;

    /// `sfv`'s answer in this module's reduced form.
    fn theirs(input: &[u8]) -> Option<Vec<Member>> {
        let list: sfv::List = sfv::Parser::new(input).parse().ok()?;
        let bare = |item: &sfv::BareItem| match item {
            sfv::BareItem::Token(token) => BareItem::Token(token.as_str().to_owned()),
            sfv::BareItem::Boolean(b) => BareItem::Boolean(*b),
            _ => BareItem::Other,
        };
        Some(
            list.iter()
                .map(|entry| match entry {
                    sfv::ListEntry::Item(item) => Member::Item(
                        bare(&item.bare_item),
                        item.params
                            .iter()
                            .map(|(key, value)| (key.as_str().to_owned(), bare(value)))
                            .collect(),
                    ),
                    sfv::ListEntry::InnerList(_) => Member::InnerList,
                })
                .collect(),
        )
    }

    /// The two parsers agree.
    fn check(input: &[u8]) -> Result<(), TestCaseError> {
        prop_assert_eq!(
            parse_list(input),
            theirs(input),
            "{:?}",
            String::from_utf8_lossy(input)
        );
        Ok(())
    }

    /// A bare item of every RFC 9651 type: mostly valid, sometimes just outside the grammar
    /// (too many digits, a bad escape, an unterminated string, a non-UTF-8 display string).
    fn bare_item() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => "-?[0-9]{1,15}",
            2 => "-?[0-9]{1,12}\\.[0-9]{1,3}",
            2 => r#""([ !#-\[\]-~]|\\["\\])*""#,
            4 => "[a-zA-Z*][a-zA-Z0-9!#$%&'*+.^_`|~:/-]{0,6}",
            2 => ":([a-zA-Z0-9+/]{4}){0,2}([a-zA-Z0-9+/]{2}(==)?|[a-zA-Z0-9+/]{3}=?)?:",
            2 => "\\?[01]",
            1 => "@-?[0-9]{1,15}",
            1 => r#"%"([ -!#-$&-~]|%(c3%bc|41|e2%82%ac))*""#,
            3 => Just("prefetch".to_owned()),
            2 => prop_oneof![
                "-?[0-9]{16,17}",
                "-?[0-9]{1,14}\\.[0-9]{0,4}",
                r#""([ !#-~]|\\[a"])*"?"#,
                ":[a-zA-Z0-9+/=]{0,9}:?",
                "\\?[01x2]",
                "@-?[0-9]{1,3}\\.[0-9]",
                r#"%"(%[0-9a-fA-F]{2}|[ -~])*"?"#,
            ],
        ]
    }

    fn parameters() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            (
                prop_oneof![9 => "[a-z*][a-z0-9_.*-]{0,3}", 1 => "[A-Z0-9_]"],
                proptest::option::of(bare_item()),
            ),
            0..3,
        )
        .prop_map(|params| {
            params
                .into_iter()
                .map(|(key, value)| match value {
                    Some(value) => format!(";{key}={value}"),
                    None => format!(";{key}"),
                })
                .collect()
        })
    }

    fn member() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => (bare_item(), parameters()).prop_map(|(item, params)| item + &params),
            1 => (
                "[ ]{0,1}",
                proptest::collection::vec((bare_item(), parameters()), 0..3),
                prop_oneof![9 => Just(" ".to_owned()), 1 => "[ \t]{2}|\t"],
                parameters(),
            )
                .prop_map(|(lead, items, sep, params)| {
                    let inner: Vec<String> = items.into_iter().map(|(i, p)| i + &p).collect();
                    format!("({lead}{}){params}", inner.join(&sep))
                }),
        ]
    }

    /// Lists of generated members joined by separators that are valid (`,` with OWS) or not.
    fn list() -> impl Strategy<Value = String> {
        (
            "[ ]{0,2}",
            proptest::collection::vec(
                (
                    member(),
                    prop_oneof![9 => "[ \t]?,[ \t]?", 1 => "[ ,;\t]{1,2}"],
                ),
                0..5,
            ),
            prop_oneof![9 => Just(String::new()), 1 => "[ \t,]{1,2}"],
        )
            .prop_map(|(lead, members, tail)| {
                let mut out = lead;
                for (i, (member, sep)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    out.push_str(member);
                }
                out + &tail
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn agrees_with_the_sfv_crate_on_generated_lists(input in list()) {
            check(input.as_bytes())?;
        }

        #[test]
        fn agrees_with_the_sfv_crate_on_arbitrary_bytes(
            input in proptest::collection::vec(
                prop_oneof![
                    Just(b' '), Just(b','), Just(b';'), Just(b'='), Just(b'('), Just(b')'),
                    Just(b'"'), Just(b'\\'), Just(b':'), Just(b'?'), Just(b'@'), Just(b'%'),
                    Just(b'*'), Just(b'.'), Just(b'-'), Just(b'\t'), b'0'..=b'9', b'a'..=b'f',
                    Just(b'A'), Just(b'/'), Just(b'+'), any::<u8>(),
                ],
                0..24,
            )
        ) {
            check(&input)?;
        }
    }

    #[test]
    fn agrees_on_the_hand_written_cases() {
        for input in [
            &b"prefetch;prerender"[..],
            b"prefetch, prefetch;prerender=?0",
            b"a,",
            b"",
            b"  ",
            b"a;x=?0;x",
            br#"1, -2.5, "s\"q", tok/en:x, :aGk=:, ?0, @1659578233, %"f%c3%bc", (a b);p=1, *x;k=?1"#,
            b"1234567890123456",
            b"123456789012.123",
            b"1234567890123.1",
            b"%\"%C3\"",
            b"%\"%ff\"",
            b"a\t,\tb",
            b"a ,b",
            b"\ta",
            b"a;K=1",
            b"(a  b)",
            b"( a)",
        ] {
            check(input).expect("agreement");
        }
    }

    /// Byte sequences whose base64 does not decode fail parsing (RFC 9651 §4.2.7 step 7);
    /// missing padding and non-zero pad bits do not (the same step's SHOULD NOTs). This module
    /// accepted any run of base64 characters until the differential tests showed it.
    #[test]
    fn byte_sequences_must_decode_but_padding_is_optional() {
        for undecodable in [
            &b":a:"[..],
            b":a=b:",
            b":aGk===:",
            b":aGk==:",
            b":aGVs=:",
            b"prefetch;p=:x:",
        ] {
            assert_eq!(parse_list(undecodable), None, "{undecodable:?}");
            check(undecodable).expect("agreement");
        }
        for padding_optional in [
            &b":aGk:"[..],
            b":aGl=:",
            b":aG=:",
            b":aQ==:",
            b":aQ:",
            b"::",
        ] {
            assert!(
                parse_list(padding_optional).is_some(),
                "{padding_optional:?}"
            );
            check(padding_optional).expect("agreement");
        }
    }
}

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

    fn byte_sequence(&mut self) -> Option<()> {
        self.pos += 1;
        loop {
            match self.next()? {
                b':' => return Some(()),
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=' => {}
                _ => return None,
            }
        }
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

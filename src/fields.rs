//! HTTP field syntax shared by the modules that read header names and lists (RFC 9110 §5.6).

/// Whether `b` is a `tchar`, a byte allowed in an HTTP token.
pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Whether `s` is a non-empty HTTP token, as field names and `Vary` members are.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

#[cfg(test)]
mod tests {
    use super::is_token;

    #[test]
    fn tokens() {
        assert!(is_token("Accept-Language"));
        assert!(!is_token(""));
        assert!(!is_token("a b"));
        assert!(is_token("*"), "`Vary: *` is caught before the token check");
        assert!(!is_token("x:y"));
        assert!(is_token("!#$%&'*+-.^_`|~09azAZ"));
        assert!(!is_token("\"q\""));
    }
}

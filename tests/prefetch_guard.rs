//! The prefetch URL guard over a table of hostile hrefs, each with its expected verdict.
//!
//! The page is `http://localhost:8000/dir/page?x=1` (djust's test origin). "Allow" rows are
//! hrefs that look hostile but resolve, by WHATWG parsing as a browser does, to a harmless URL
//! on the page's own origin; their dedupe key is given.

use liveshell::prefetch::{GuardError, guard};
use url::Url;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Allow(&'static str),
    Empty,
    Suspicious(char),
    EncodedAuthority,
    Unparseable,
    Scheme(&'static str),
    Credentials,
    CrossOrigin(&'static str),
}

use Verdict::*;

const PAGE: &str = "http://localhost:8000/dir/page?x=1";

#[rustfmt::skip]
const TABLE: &[(&str, Verdict)] = &[
    // Script and data schemes.
    ("javascript:alert(1)", Scheme("javascript")),
    ("JaVaScRiPt:alert(1)", Scheme("javascript")),
    ("  javascript:alert(1)  ", Scheme("javascript")),
    ("javascript://localhost:8000/%0aalert(1)", Scheme("javascript")),
    ("vbscript:msgbox(1)", Scheme("vbscript")),
    ("data:text/html,<script>alert(1)</script>", Scheme("data")),
    ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", Scheme("data")),
    ("DATA:,x", Scheme("data")),
    // blob: is same-origin for djust; only http(s) passes here.
    ("blob:http://localhost:8000/3f2a-11", Scheme("blob")),
    ("blob:null/abc", Scheme("blob")),
    ("about:blank", Scheme("about")),
    ("about:srcdoc", Scheme("about")),
    ("file:///etc/passwd", Scheme("file")),
    ("file://localhost/etc/passwd", Scheme("file")),
    ("mailto:someone@example.com", Scheme("mailto")),
    ("tel:+15551234", Scheme("tel")),
    ("ftp://localhost:8000/", Scheme("ftp")),
    ("ws://localhost:8000/socket", Scheme("ws")),
    ("view-source:http://localhost:8000/", Scheme("view-source")),
    ("intent://scan/#Intent;scheme=zxing;end", Scheme("intent")),
    ("chrome://settings", Scheme("chrome")),
    // Control characters that WHATWG parsing silently drops.
    ("java\tscript:alert(1)", Suspicious('\t')),
    ("java\nscript:alert(1)", Suspicious('\n')),
    ("java\rscript:alert(1)", Suspicious('\r')),
    ("\u{0}javascript:alert(1)", Suspicious('\u{0}')),
    ("\u{1}http://localhost:8000/", Suspicious('\u{1}')),
    ("/ok\u{7f}", Suspicious('\u{7f}')),
    ("//evil.example\t/x", Suspicious('\t')),
    // Backslashes, which WHATWG reads as slashes in http(s) URLs.
    ("\\\\evil.example/x", Suspicious('\\')),
    ("/\\evil.example", Suspicious('\\')),
    ("http:\\\\evil.example", Suspicious('\\')),
    ("\\/evil.example", Suspicious('\\')),
    // Protocol-relative and absolute other hosts.
    ("//evil.example/x", CrossOrigin("http://evil.example")),
    ("///evil.example/x", Unparseable),
    ("http://evil.example/", CrossOrigin("http://evil.example")),
    ("https:evil.example", CrossOrigin("https://evil.example")),
    ("http://evil.example#@localhost:8000/", CrossOrigin("http://evil.example")),
    ("http://evil.example?@localhost:8000/", CrossOrigin("http://evil.example")),
    ("https://evil.example/http://localhost:8000/", CrossOrigin("https://evil.example")),
    ("http://evil.example\u{3002}localhost:8000/", CrossOrigin("http://evil.example.localhost:8000")),
    // Same host, other scheme or port.
    ("https://localhost:8000/", CrossOrigin("https://localhost:8000")),
    ("http://localhost:8001/", CrossOrigin("http://localhost:8001")),
    ("http://localhost/", CrossOrigin("http://localhost")),
    ("http://localhost:80/", CrossOrigin("http://localhost")),
    ("http://localhost:99999/", Unparseable),
    ("http://localhost:8000.evil.example/", Unparseable),
    // Credentials.
    ("http://user:pass@localhost:8000/", Credentials),
    ("http://user@localhost:8000/", Credentials),
    ("//user@localhost:8000/", Credentials),
    ("http://@localhost:8000/", Credentials),
    ("http://localhost:8000@evil.example/", Credentials),
    ("http://localhost:80@localhost:8000/", Credentials),
    // Percent tricks.
    ("http://localhost%3A8000@evil.example/", EncodedAuthority),
    ("http://evil%2Eexample/", EncodedAuthority),
    ("http://local%68ost:8000/", EncodedAuthority),
    ("//%6c%6fcalhost:8000/", EncodedAuthority),
    ("http://%30x7f.1/", EncodedAuthority),
    ("/%2e%2e/%2e%2e/admin", Allow("http://localhost:8000/admin")),
    ("/%2F%2Fevil.example", Allow("http://localhost:8000/%2F%2Fevil.example")),
    ("javascript%3Aalert(1)", Allow("http://localhost:8000/dir/javascript%3Aalert(1)")),
    ("ht%74p://localhost:8000/", Allow("http://localhost:8000/dir/ht%74p://localhost:8000/")),
    ("/a%0Ab", Allow("http://localhost:8000/a%0Ab")),
    // Entities are the HTML parser's business: an undecoded one is just a path.
    ("javascript&colon;alert(1)", Allow("http://localhost:8000/dir/javascript&colon;alert(1)")),
    // IPv4 spellings of loopback, and IPv6.
    ("http://127.0.0.1:8000/", CrossOrigin("http://127.0.0.1:8000")),
    ("http://0x7f.1/", CrossOrigin("http://127.0.0.1")),
    ("http://0x7f.1:8000/", CrossOrigin("http://127.0.0.1:8000")),
    ("http://127.1:8000/", CrossOrigin("http://127.0.0.1:8000")),
    ("http://0177.0.0.1:8000/", CrossOrigin("http://127.0.0.1:8000")),
    ("http://2130706433:8000/", CrossOrigin("http://127.0.0.1:8000")),
    ("http://127.0.0.1.:8000/", CrossOrigin("http://127.0.0.1:8000")),
    ("http://0:8000/", CrossOrigin("http://0.0.0.0:8000")),
    ("http://0x100000000/", Unparseable),
    ("http://1.2.3.4.5/", Unparseable),
    ("http://[::1]:8000/", CrossOrigin("http://[::1]:8000")),
    ("http://[::ffff:127.0.0.1]:8000/", CrossOrigin("http://[::ffff:7f00:1]:8000")),
    // IDN and punycode.
    ("http://l\u{43e}calhost:8000/", CrossOrigin("http://xn--lcalhost-nbh:8000")),
    ("http://b\u{fc}cher.example/", CrossOrigin("http://xn--bcher-kva.example")),
    ("http://xn--:8000/", Unparseable),
    ("http://local host:8000/", Unparseable),
    ("http://:8000/", Unparseable),
    // Spellings of the page's own origin, which WHATWG normalises to it.
    ("HTTP://LOCALHOST:8000/a", Allow("http://localhost:8000/a")),
    ("http://localhost:08000/a", Allow("http://localhost:8000/a")),
    ("http://\u{ff4c}\u{ff4f}\u{ff43}\u{ff41}\u{ff4c}\u{ff48}\u{ff4f}\u{ff53}\u{ff54}:8000/", Allow("http://localhost:8000/")),
    ("http://local\u{ad}host:8000/", Allow("http://localhost:8000/")),
    ("//localhost:8000/ok", Allow("http://localhost:8000/ok")),
    ("http:evil.example", Allow("http://localhost:8000/dir/evil.example")),
    ("http:/evil.example", Allow("http://localhost:8000/evil.example")),
    ("http ://localhost:8000/", Allow("http://localhost:8000/dir/http%20://localhost:8000/")),
    ("http://localhost:8000/\u{202e}gpj.exe", Allow("http://localhost:8000/%E2%80%AEgpj.exe")),
    // Fragments are not part of the key; the same document stays the page's key.
    ("/a#x", Allow("http://localhost:8000/a")),
    ("#top", Allow("http://localhost:8000/dir/page?x=1")),
    ("?x=1#y", Allow("http://localhost:8000/dir/page?x=1")),
    // Nothing at all.
    ("", Empty),
    ("   ", Empty),
];

fn verdict(page: &Url, href: &str) -> Verdict {
    match guard(page, href) {
        Ok(url) => Allow(Box::leak(url.as_str().to_owned().into_boxed_str())),
        Err(GuardError::Empty) => Empty,
        Err(GuardError::SuspiciousCharacter { ch }) => Suspicious(ch),
        Err(GuardError::EncodedAuthority) => EncodedAuthority,
        Err(GuardError::Unparseable { .. }) => Unparseable,
        Err(GuardError::Scheme { scheme }) => Scheme(Box::leak(scheme.into_boxed_str())),
        Err(GuardError::Credentials) => Credentials,
        Err(GuardError::CrossOrigin { origin }) => CrossOrigin(Box::leak(origin.into_boxed_str())),
        Err(other) => panic!("unexpected guard error {other:?}"),
    }
}

#[test]
fn table_has_at_least_sixty_hostile_hrefs() {
    let refused = TABLE.iter().filter(|(_, v)| !matches!(v, Allow(_))).count();
    assert!(
        TABLE.len() >= 60 && refused >= 60,
        "{} rows, {refused} refused",
        TABLE.len()
    );
}

#[test]
fn every_hostile_href_gets_its_expected_verdict() {
    let page = Url::parse(PAGE).expect("static page url");
    let mut wrong = Vec::new();
    for &(href, expected) in TABLE {
        let got = verdict(&page, href);
        if got != expected {
            wrong.push(format!("{href:?}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn allowed_keys_are_same_origin_http_without_fragment_or_credentials() {
    let page = Url::parse(PAGE).expect("static page url");
    for &(href, _) in TABLE {
        if let Ok(key) = guard(&page, href) {
            assert_eq!(key.origin(), page.origin(), "{href:?}");
            assert!(
                key.fragment().is_none() && key.username().is_empty() && key.password().is_none()
            );
            // The key is a fixed point: guarding it again gives itself.
            assert_eq!(guard(&page, key.as_str()).as_ref(), Ok(&key), "{href:?}");
        }
    }
}

#[test]
fn guard_errors_print_lowercase_messages() {
    let page = Url::parse(PAGE).expect("static page url");
    for &(href, _) in TABLE {
        if let Err(e) = guard(&page, href) {
            let text = e.to_string();
            assert!(text.starts_with(|c: char| c.is_lowercase()), "{text}");
            assert!(!text.ends_with('.'), "{text}");
        }
    }
}

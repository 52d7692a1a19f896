//! The tokenizer against html5ever's on every page and case the repository has, on hand-picked
//! edge cases of every state, and on generated markup.

use proptest::prelude::*;

use super::check::tokenizers_agree;

fn assert_agree(html: &str, what: &str) {
    if let Err(diff) = tokenizers_agree(html) {
        panic!("{what}: {diff}\ninput: {html:?}");
    }
}

fn repo_file(path: &str) -> String {
    let path = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every browser case given as literal HTML.
#[test]
fn agrees_on_every_browser_case() {
    let cases = repo_file("tests/browser/cases.jsonl");
    let mut count = 0;
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("a case is JSON");
        // The other cases are corpus pages (checked below) or deep repetitions.
        if let Some(html) = case["html"].as_str() {
            assert_agree(html, case["id"].as_str().unwrap_or("?"));
            count += 1;
        }
    }
    assert!(count >= 600, "only {count} cases");
}

#[test]
fn agrees_on_the_corpus_pages() {
    let dir = format!("{}/benches/data", env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("benches/data exists") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(&path).expect("a corpus page is UTF-8");
            assert_agree(&html, &path.display().to_string());
            count += 1;
        }
    }
    assert_eq!(count, 10);
}

#[test]
fn agrees_on_the_shell_fuzz_corpus() {
    let dir = format!("{}/fuzz/corpus/shell", env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(&dir).expect("the shell corpus exists") {
        let path = entry.expect("a directory entry").path();
        let bytes = std::fs::read(&path).expect("a corpus file is readable");
        assert_agree(
            &String::from_utf8_lossy(&bytes),
            &path.display().to_string(),
        );
    }
}

/// One or more inputs per tokenizer state, including the end of the input in each.
const EDGES: &[&str] = &[
    // Data, tag open, end tag open.
    "",
    "a",
    "<",
    "</",
    "</>",
    "<>",
    "< a",
    "<?x>",
    "<?x",
    "</ x>",
    "</3>",
    "<a",
    "<a ",
    "<a/",
    "<a/>",
    "<a / >",
    "<a/b>",
    "<A B=C>",
    "<a\0b c\0=d\0>",
    "x\0y",
    "\0",
    "<é é=é>",
    "<a =b>",
    "<a ==b>",
    "<a b==c>",
    "<a b c d>",
    "<a b=c b=d B=e>",
    "<a b = 'c' >",
    "<a b='c'd>",
    "<a b=\"c\"/d>",
    "<a b=c/>",
    "<a b=\"",
    "<a b='",
    "<a b=",
    "<a b",
    "<a b ",
    "<a b=c",
    "<a b=c ",
    "<a b=c d='",
    "<a b=`c` d=<e f=\"g'>",
    "<a b='\0'>",
    "</a b=c>",
    "</a/>",
    "</a",
    "</a ",
    "<a\tb\nc\x0Cd e>",
    "<a \"b\"='c'>",
    "<a '=x>",
    "<a <b>",
    // Character references.
    "&",
    "&;",
    "&#",
    "&#;",
    "&#x",
    "&#x;",
    "&#X41;",
    "&#65",
    "&#65x",
    "&#x41g",
    "&#0;",
    "&#128;",
    "&#129;",
    "&#x9F;",
    "&#x8D;",
    "&#xD800;",
    "&#xDFFF;",
    "&#x110000;",
    "&#99999999999999999999;",
    "&#xFFFE;",
    "&#13;",
    "&#1;",
    "&#x7F;",
    "&amp",
    "&amp;",
    "&ampx",
    "&amp=",
    "&AMP;",
    "&AmP;",
    "&notin;",
    "&notit;",
    "&noti",
    "&not",
    "&nots",
    "&xyz;",
    "&xyz",
    "&lt&gt",
    "&NotNestedGreaterGreater;",
    "&CounterClockwiseContourIntegral;",
    "&fjlig;",
    "&nGt;",
    "&nbsp&nbsp;",
    "&a",
    "&#x0041;&#0065;",
    "<a b='&amp'>",
    "<a b='&ampx'>",
    "<a b='&amp=x'>",
    "<a b='&amp;x'>",
    "<a b=&amp>",
    "<a b=&ampx>",
    "<a b=&amp=>",
    "<a b='&notin'>",
    "<a b='&noti'>",
    "<a b='&notx'>",
    "<a b='&#65'>",
    "<a b=\"&lt;&gt\">",
    "<a b='&'>",
    "<a b='&&amp;&'>",
    "<a b='x&#x41y'>",
    // Comments.
    "<!---->",
    "<!-->",
    "<!--->",
    "<!-- -->",
    "<!--",
    "<!--a",
    "<!--a-",
    "<!--a--",
    "<!--a--!",
    "<!--a--!>",
    "<!--a--!b-->",
    "<!--a--!-->",
    "<!--a---->",
    "<!--a--->",
    "<!--a-b-->",
    "<!--a--b-->",
    "<!--<!---->",
    "<!--<!--x-->",
    "<!--a<!--b-->",
    "<!--<!-->",
    "<!--<!-x-->",
    "<!----!>",
    "<!----!",
    "<!-----",
    "<!---x-->",
    "<!--\0-->",
    "<!--a\0b--\0>",
    "<!",
    "<!>",
    "<!x>",
    "<!-x>",
    "<!-",
    "<!x",
    "<!-->x<!-- -- -->y",
    "<!--->-->",
    "<!---!>",
    "<?\0>",
    // DOCTYPE.
    "<!DOCTYPE>",
    "<!DOCTYPE",
    "<!doctype html>",
    "<!DoCtYpE HtMl>",
    "<!DOCTYPEhtml>",
    "<!DOCTYPE  html  >",
    "<!DOCTYPE html",
    "<!DOCTYPE html ",
    "<!DOCTYPE h\0tml>",
    "<!DOCTYPE html PUBLIC>",
    "<!DOCTYPE html PUBLIC",
    "<!DOCTYPE html PUBLIC \"x\">",
    "<!DOCTYPE html PUBLIC 'x'>",
    "<!DOCTYPE html PUBLIC\"x\">",
    "<!DOCTYPE html PUBLIC \"x",
    "<!DOCTYPE html PUBLIC \"x>",
    "<!DOCTYPE html PUBLIC \"x\" \"y\">",
    "<!DOCTYPE html PUBLIC \"x\"\"y\">",
    "<!DOCTYPE html PUBLIC \"x\" 'y'z>",
    "<!DOCTYPE html PUBLIC \"x\" z>",
    "<!DOCTYPE html PUBLIC \"x\" \"y",
    "<!DOCTYPE html PUBLIC x>",
    "<!DOCTYPE html public \"-//W3C//DTD HTML 4.01//EN\">",
    "<!DOCTYPE html SYSTEM>",
    "<!DOCTYPE html SYSTEM \"y\">",
    "<!DOCTYPE html SYSTEM'y'>",
    "<!DOCTYPE html SYSTEM \"y\" z>",
    "<!DOCTYPE html SYSTEM \"y>",
    "<!DOCTYPE html SYSTEM \"y\" \"z\">",
    "<!DOCTYPE html SYSTEM x",
    "<!DOCTYPE html SYSTEMx>",
    "<!DOCTYPE html foo>",
    "<!DOCTYPE html foo",
    "<!DOCTYPE \0>",
    "<!DOCTYPE html PUBLIC \"\0\" '\0'>",
    "<!DOCTYPE html SYSTEM \"y\"",
    "<!DOCTYPE html SYSTEM \"y\" x",
    "<!DOCTYPE html PUBLIC \"x\" >",
    "<!DOCTYPE html PUBLIC \"x\"",
    "<!DOCTYPE html PUBL",
    "<p><!DOCTYPE html>",
    // RCDATA and RAWTEXT.
    "<title>a</title>",
    "<title>a&amp;b</title>",
    "<title>a</TITLE >",
    "<title>a</title",
    "<title>a</titlex>b</title>",
    "<title>a</tit",
    "<title>\0&#0;</title>",
    "<title>a<b></title>",
    "<textarea>\nx</textarea>",
    "<textarea>a</textarea/>",
    "<textarea>a</textarea b=c>",
    "<style>a</style>",
    "<style>&amp;</style>",
    "<style>\0</style>",
    "<style>a</style",
    "<xmp>a</xmp>",
    "<iframe>a</iframe>",
    "<noembed>a</noembed>",
    "<noframes>a</noframes>",
    "<noscript><a></noscript>",
    "<plaintext>a</plaintext>\0&amp;",
    "<title></title>",
    "<title>",
    "<style></style x>",
    "<title>a</title\0>",
    // Script data and its escapes.
    "<script>a</script>",
    "<script>a</SCRIPT>",
    "<script>a</script",
    "<script>a</scriptx>",
    "<script>a<!--b</script>",
    "<script><!--<script>x</script>y</script>z",
    "<script><!--<script>x--></script>",
    "<script><!--<script>x</script>--></script>",
    "<script><!--x--></script>",
    "<script><!-->x</script>",
    "<script><!--->x</script>",
    "<script><!-x</script>",
    "<script><!</script>",
    "<script><</script>",
    "<script></</script>",
    "<script><!--<SCRIPT>--></script>",
    "<script><!--<scripts>x</script>",
    "<script><!--<script/></script>y</script>",
    "<script><!--<script\0x</script>",
    "<script><!--<script></script </script>",
    "<script><!--<script>--!></script>x</script>",
    "<script><!--<script>-\0-></script>",
    "<script><!--\0--></script>",
    "<script>\0</script>",
    "<script><!--<script></script\0></script>",
    "<script><!--<script>--><!--</script>",
    "<script><!--<script><!--</script>--></script>",
    "<script><!--a-<b--></script>",
    "<script><!--a--<script>--></script>x</script>",
    "<script><!--<script>",
    "<script><!--",
    "<script><!--<script>-",
    "<script><!--<script>--",
    "<script><!--<scr",
    "<script><!--</scr",
    "<script><!--</script",
    "<script><!--<script></scr",
    "<script>",
    "<script ",
    "<script></",
    "<script><!--<script>a</script>b</script>c</script>",
    "<script><!--<script>a</ script>b--></script>",
    "<script><!--<script>a</>b--></script>",
    "<script><!--<script>a--->b</script>",
    "<script><!--<script>a-->--></script>",
    "<svg><script>a</script><![CDATA[<b>]]></svg>",
    // CDATA, in foreign content and not.
    "<![CDATA[x]]>",
    "<svg><![CDATA[x]]></svg>",
    "<svg><![CDATA[x]]]></svg>",
    "<svg><![CDATA[x]] >]]></svg>",
    "<svg><![CDATA[x",
    "<svg><![CDATA[\0a\0]]>",
    "<svg><![cdata[x]]>",
    "<math><mi><![CDATA[x]]></mi></math>",
    "<math><annotation-xml><![CDATA[x]]>",
    "<svg><foreignObject><![CDATA[x]]></foreignObject></svg>",
    "<svg><![CDATA[]]>",
    "<svg><![CDATA[",
    "<svg><![CDATA",
    "<svg><desc><![CDATA[a]]>",
    // Newlines and the byte order mark.
    "\u{feff}<p>a",
    "\u{feff}\u{feff}a",
    "<script></script>\u{feff}",
    "a\r\nb\rc\n\rd",
    "<a b='\r\n'>\r",
    "<pre>\r\nx</pre>",
    "<textarea>\r\n\r\nx</textarea>",
    "<!--\r-->",
    "<!DOCTYPE html\r>",
    "\r",
    "\r\r\n",
    "<pre>\n\nx</pre>",
    "<pre>&#10;x</pre>",
    "<listing>\nx",
    "<pre>\0\nx</pre>",
    // Tree builder feedback in odd places.
    "<table><tr><td><title>x</title>",
    "<select><script>a</script>",
    "<math><style>a</style>",
    "<svg><title>a</title></svg><title>b</title>",
    "<template><style>x</style></template>",
    "<frameset><noframes>a</noframes>",
    "<head><noscript><style>a</style></noscript>",
    "<table><style>a</style><script>b</script>",
    "<svg><style>&amp;</style></svg>",
    "<body><plaintext>",
    "<p><plaintext>a</p>",
    "<table><plaintext>x",
];

#[test]
fn agrees_on_every_state_edge() {
    for html in EDGES {
        assert_agree(html, "edge");
        // The same markup in a page, in a table, in foreign content and at the end of the input.
        for wrapped in [
            format!("<!DOCTYPE html><p>{html}</p>x"),
            format!("<table>{html}</table>"),
            format!("<svg>{html}</svg>"),
            format!("<math><mi>{html}"),
            format!("x{html}"),
        ] {
            assert_agree(&wrapped, "wrapped edge");
        }
    }
}

/// Pieces whose concatenations reach every state from every other.
const PIECES: &[&str] = &[
    "<",
    ">",
    "</",
    "/",
    "/>",
    "!",
    "<!",
    "<!--",
    "-->",
    "--",
    "-",
    "--!>",
    "<?",
    "&",
    "&amp",
    "&amp;",
    "&#",
    "&#x",
    "41",
    ";",
    "&not",
    "in",
    "=",
    "'",
    "\"",
    " ",
    "\n",
    "\r",
    "\0",
    "a",
    "B",
    "é",
    "<a",
    "<b ",
    "</a",
    "c=",
    "<script>",
    "</script>",
    "<script",
    "</script",
    "<title>",
    "</title>",
    "<style>",
    "</style>",
    "<textarea>",
    "<xmp>",
    "<plaintext>",
    "<svg>",
    "</svg>",
    "<math>",
    "<![CDATA[",
    "]]>",
    "]",
    "<!DOCTYPE",
    " html",
    " PUBLIC",
    " SYSTEM",
    "<table>",
    "<td>",
    "<select>",
    "<noscript>",
    "</noscript>",
    "<template>",
    "</template>",
    "<pre>",
    "<iframe>",
    "<noembed>",
    "\u{feff}",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn agrees_on_generated_markup(pieces in prop::collection::vec(prop::sample::select(PIECES), 0..40)) {
        let html = pieces.concat();
        prop_assert_eq!(tokenizers_agree(&html), Ok(()), "input: {:?}", html);
    }

    #[test]
    fn agrees_on_arbitrary_text(html in ".{0,200}") {
        prop_assert_eq!(tokenizers_agree(&html), Ok(()), "input: {:?}", html);
    }
}

#[test]
fn agrees_on_duplicates_past_the_scan_limit() {
    // Names repeat below, at and above the point where duplicates are found in a set.
    let attrs: String = (0..100).map(|i| format!(" a{}={i}", i % 40)).collect();
    assert_agree(&format!("<p{attrs}>x"), "many attributes");
    let attrs: String = (0..70).map(|i| format!(" A{}", 69 - i % 35)).collect();
    assert_agree(
        &format!("<main><b{attrs}/></main>"),
        "many repeated bare attributes",
    );
}

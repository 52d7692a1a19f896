//! The site: self-made pages of real size in three layouts (docs, blog, news, shaped after the
//! corpus in `/work/shared/corpus`: a docs page with a sidebar, an article, a card grid), the
//! pages whose `<main>` is hard to find, and the non-HTML resources.
//!
//! Every page is generated from a seeded word list, so the same URL always gives the same bytes
//! and no third-party text is committed.

use liveshell::prefetch::speculation::{Eagerness, Predicate, Rule, SpeculationRules};

/// The site's per-visit settings, read from the query string and carried on every internal link
/// (the shell's links included), so a whole visit runs with the same settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visit {
    /// `sw=off`: the page does not register the service worker.
    pub no_worker: bool,
    /// `spec=doc`: the page carries document speculation rules in its head.
    pub document_rules: bool,
    /// `latency_ms=N`: the host waits N ms before answering a page.
    pub latency_ms: u64,
    /// `sw_opts=...`: the worker's options, passed as its script URL's query (djust's client
    /// registers `swUrl` as given).
    pub worker_options: Option<String>,
    /// The layout version the host renders in the site header (set by the host, not the query).
    pub layout: u32,
}

impl Visit {
    /// Reads the settings from a raw query string (unknown keys ignored).
    pub fn from_query(query: Option<&str>) -> Self {
        let mut visit = Self::default();
        for pair in query.unwrap_or("").split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sw" => visit.no_worker = value == "off",
                "spec" => visit.document_rules = value == "doc",
                "latency_ms" => visit.latency_ms = value.parse().unwrap_or(0),
                "sw_opts" if is_plain(value) => visit.worker_options = Some(value.to_owned()),
                _ => {}
            }
        }
        visit
    }

    /// The query string to carry on internal links (`""` or `?...`).
    pub fn suffix(&self) -> String {
        let mut parts = Vec::new();
        if self.no_worker {
            parts.push("sw=off".to_owned());
        }
        if self.document_rules {
            parts.push("spec=doc".to_owned());
        }
        if self.latency_ms > 0 {
            parts.push(format!("latency_ms={}", self.latency_ms));
        }
        if let Some(options) = &self.worker_options {
            parts.push(format!("sw_opts={options}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// Whether a query value is safe to write into a script and an attribute unescaped.
fn is_plain(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"%-_.,*/".contains(&b))
}

/// The site's worker options, in the worker script's query (djust's client registers `swUrl` as
/// given; djust's worker ignores the query, liveshell's reads it): the shell may answer the
/// page sections before it has seen them; anything else it learns from responses.
pub const WORKER_OPTIONS: &str = "include=/,/docs/*,/blog/*,/news/*,/hard/*";

/// The generated sections and how many pages each has.
pub const SECTIONS: [(&str, u32); 3] = [("docs", 8), ("blog", 8), ("news", 6)];

/// The pages whose `<main>` a regex gets wrong, by name under `/hard/`.
pub const HARD: [&str; 5] = ["script-close", "main-nav", "template", "attrs", "comment"];

/// A page of the site, or `None` for an unknown path. `path` has no query.
pub fn page(path: &str, visit: &Visit) -> Option<String> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        [""] => Some(home(visit)),
        ["hard", name] if HARD.contains(name) => Some(hard_page(name, visit)),
        ["plain", "no-main"] => Some(no_main(visit)),
        [section, n] => {
            let n: u32 = n.parse().ok()?;
            let (_, count) = SECTIONS.iter().find(|(s, _)| s == section)?;
            (1..=*count)
                .contains(&n)
                .then(|| section_page(section, n, visit))
        }
        _ => None,
    }
}

/// A PDF of one page that says "e2e report".
pub fn pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        "<< /Length 44 >>\nstream\nBT /F1 18 Tf 20 40 Td (e2e report) Tj ET\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A small JSON document.
pub fn json() -> String {
    serde_json::json!({"kind": "e2e-data", "items": [1, 2, 3]}).to_string()
}

/// The document speculation rules a site puts in its shell: every same-site link, on hover.
/// Links that arrive with a swapped main are covered too, since document rules watch the DOM.
pub fn shell_rules() -> SpeculationRules {
    SpeculationRules::default().with_prefetch(
        Rule::document(Predicate::and([
            Predicate::href_matches("/*"),
            Predicate::not(Predicate::selector_matches("[data-no-prefetch]")),
        ]))
        .with_eagerness(Eagerness::Moderate),
    )
}

const WORDS: [&str; 64] = [
    "shell",
    "render",
    "socket",
    "patch",
    "server",
    "client",
    "worker",
    "cache",
    "layout",
    "request",
    "header",
    "stream",
    "buffer",
    "replay",
    "snapshot",
    "template",
    "view",
    "state",
    "event",
    "handler",
    "query",
    "session",
    "deploy",
    "latency",
    "browser",
    "document",
    "element",
    "attribute",
    "content",
    "network",
    "response",
    "navigation",
    "prefetch",
    "hover",
    "click",
    "morph",
    "diff",
    "version",
    "connection",
    "message",
    "origin",
    "scope",
    "policy",
    "module",
    "package",
    "release",
    "feature",
    "option",
    "default",
    "measure",
    "median",
    "chart",
    "table",
    "figure",
    "section",
    "article",
    "summary",
    "detail",
    "profile",
    "account",
    "search",
    "index",
    "archive",
    "contact",
];

/// A deterministic word stream (xorshift).
struct Words(u64);

impl Words {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> &'static str {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        WORDS[(self.0 % WORDS.len() as u64) as usize]
    }

    fn sentence(&mut self, len: usize) -> String {
        let mut words: Vec<&str> = (0..len).map(|_| self.next()).collect();
        let first = words[0];
        let capital = format!("{}{}", first[..1].to_uppercase(), &first[1..]);
        words[0] = &capital;
        format!("{}.", words.join(" "))
    }

    fn paragraph(&mut self, sentences: usize) -> String {
        (0..sentences)
            .map(|i| self.sentence(8 + (i * 5) % 11))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn seed(section: &str, n: u32) -> u64 {
    section
        .bytes()
        .fold(u64::from(n), |h, b| h.wrapping_mul(31) ^ u64::from(b))
}

/// The stylesheet every page inlines (about 6 KB, as the corpus pages' critical CSS).
fn style() -> String {
    let mut css = String::from(
        "*{box-sizing:border-box}body{margin:0;font:16px/1.55 system-ui,sans-serif;color:#1d2330}\
         header.site{display:flex;gap:1rem;padding:.75rem 2rem;background:#0f2a44;color:#fff}\
         header.site a{color:#fff}nav.top ul{display:flex;gap:1rem;list-style:none;margin:0}\
         .layout{display:grid;grid-template-columns:16rem 1fr;gap:2rem;padding:1rem 2rem}\
         main{min-height:60vh}main.wide{max-width:72rem}aside.toc li{margin:.2rem 0}\
         .cards{display:grid;grid-template-columns:repeat(3,1fr);gap:1rem}\
         .card{border:1px solid #d5dae3;border-radius:.5rem;padding:1rem}\
         footer.site{padding:2rem;background:#f1f3f7;columns:4}",
    );
    for i in 0..60 {
        css.push_str(&format!(
            ".u-m{i}{{margin:{}rem}}.u-p{i}{{padding:{}rem}}.c-{i}{{color:hsl({} 40% 30%)}}",
            f64::from(i) / 8.0,
            f64::from(i) / 8.0,
            i * 6
        ));
    }
    css
}

/// The head scripts: djust's client, its registration, the bridge wiring and the marks the suite
/// reads. All outside main, so they are part of the shell.
fn head_scripts(visit: &Visit) -> String {
    let register = if visit.no_worker {
        String::new()
    } else {
        let extra = visit.worker_options.as_ref().map_or(String::new(), |o| {
            format!(" + '&' + decodeURIComponent('{o}')")
        });
        format!(
            "djust.registerServiceWorker({{instantShell: true, reconnectionBridge: true, \
             swUrl: '/static/djust/service-worker.js?{WORKER_OPTIONS}'{extra}}});"
        )
    };
    format!(
        r#"<script src="/static/djust/client.js" defer></script>
<script>
// Marks for the suite: the click (kept across the navigation in sessionStorage) and the moment
// main is painted, after a full load or after djust's client swaps it into the shell.
window.__e2e = {{ painted: null }};
function __e2ePainted(kind) {{
  requestAnimationFrame(function () {{ setTimeout(function () {{
    performance.mark('main-painted');
    window.__e2e.painted = {{ kind: kind, at: performance.timeOrigin + performance.now() }};
  }}, 0); }});
}}
function __e2eMainParsed() {{
  var main = document.querySelector('main');
  if (main && !main.hasAttribute('data-djust-shell-placeholder')) __e2ePainted('full');
}}
window.addEventListener('djust:shell-swapped', function () {{ __e2ePainted('swap'); }});
document.addEventListener('click', function (e) {{
  sessionStorage.setItem('e2e.clickAt', String(performance.timeOrigin + e.timeStamp));
}}, true);
document.addEventListener('DOMContentLoaded', function () {{
  {register}
  // djust 1.2.6's reconnection bridge waits for djust.ws and the djust:ws-open event, and
  // nothing in its client provides either: wire them as an application has to.
  var wait = setInterval(function () {{
    if (window.djust && djust.liveViewInstance) {{ djust.ws = djust.liveViewInstance; clearInterval(wait); }}
  }}, 10);
  document.addEventListener('djust:ws-reconnected', function () {{
    window.dispatchEvent(new Event('djust:ws-open'));
  }});
}});
</script>"#
    )
}

struct Frame<'a> {
    title: &'a str,
    visit: &'a Visit,
    /// Extra markup at the end of the head (after the shell's own).
    head_extra: &'a str,
    /// Markup in the body before the layout (after the site header).
    before_main: &'a str,
    /// The `<main ...>` start tag.
    main_tag: &'a str,
    main: &'a str,
    /// Markup after `</main>` inside the layout.
    after_main: &'a str,
}

fn frame(f: &Frame<'_>) -> String {
    let q = f.visit.suffix();
    let rules = if f.visit.document_rules {
        shell_rules().to_script_element()
    } else {
        String::new()
    };
    let mut nav = String::new();
    for (section, count) in SECTIONS {
        nav.push_str(&format!(
            "<li><a href=\"/{section}/1/{q}\">{section}</a></li>"
        ));
        let _ = count;
    }
    let mut toc = String::from("<aside class=\"toc\"><ul>");
    for (section, count) in SECTIONS {
        for n in 1..=count {
            toc.push_str(&format!(
                "<li><a href=\"/{section}/{n}/{q}\">{section} {n}</a></li>"
            ));
        }
    }
    for name in HARD {
        toc.push_str(&format!(
            "<li><a href=\"/hard/{name}/{q}\">hard: {name}</a></li>"
        ));
    }
    toc.push_str("</ul></aside>");
    let mut footer = String::new();
    let mut words = Words::new(7);
    for i in 0..40 {
        footer.push_str(&format!(
            "<p><a href=\"/blog/{}/{q}\" data-no-prefetch>{}</a></p>",
            i % 8 + 1,
            words.sentence(4)
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{style}</style>{scripts}{rules}{head_extra}</head>\
         <body><header class=\"site\"><a href=\"/{q}\">liveshell e2e</a><span id=\"layout-version\">v{layout}</span><nav class=\"top\"><ul>{nav}</ul></nav></header>\
         {before_main}<div class=\"layout\">{toc}{main_tag}{main}</main><script>__e2eMainParsed()</script>{after_main}</div>\
         <footer class=\"site\">{footer}</footer></body></html>\n",
        title = f.title,
        layout = f.visit.layout,
        style = style(),
        scripts = head_scripts(f.visit),
        head_extra = f.head_extra,
        before_main = f.before_main,
        main_tag = f.main_tag,
        main = f.main,
        after_main = f.after_main,
    )
}

/// The body of a generated page: headings, paragraphs, a table and links, about `blocks` sections.
fn body_text(section: &str, n: u32, blocks: usize, visit: &Visit) -> String {
    let q = visit.suffix();
    let mut words = Words::new(seed(section, n));
    let mut out = format!(
        "<div dj-view=\"e2e.views.Page\"><h1 id=\"page-title\">{section} {n}: {}</h1>",
        words.sentence(5)
    );
    for b in 0..blocks {
        out.push_str(&format!("<h2 id=\"s{b}\">{}</h2>", words.sentence(4)));
        for _ in 0..3 {
            out.push_str(&format!("<p>{}</p>", words.paragraph(5)));
        }
        if b % 3 == 0 {
            out.push_str(
                "<table><thead><tr><th>name</th><th>value</th><th>note</th></tr></thead><tbody>",
            );
            for r in 0..8 {
                out.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    words.next(),
                    r * 17 + b,
                    words.sentence(6)
                ));
            }
            out.push_str("</tbody></table>");
        }
        let (other, count) = SECTIONS[b % SECTIONS.len()];
        let target = (n + b as u32) % count + 1;
        out.push_str(&format!(
            "<p class=\"more\">Read on: <a class=\"next\" href=\"/{other}/{target}/{q}\">{other} {target}</a></p>"
        ));
    }
    out.push_str("</div>");
    out
}

fn section_page(section: &str, n: u32, visit: &Visit) -> String {
    let title = format!("{section} {n} - liveshell e2e");
    let (blocks, main_tag) = match section {
        "docs" => (18, "<main>"),
        "blog" => (30, "<main class=\"article\">"),
        _ => (45, "<main class=\"wide\">"),
    };
    let mut main = body_text(section, n, blocks, visit);
    if section == "news" {
        let mut words = Words::new(seed("cards", n));
        main.push_str("<div class=\"cards\">");
        for c in 0..24 {
            main.push_str(&format!(
                "<article class=\"card\"><h3>{}</h3><p>{}</p><a href=\"/blog/{}/{}\">more</a></article>",
                words.sentence(4),
                words.paragraph(2),
                c % 8 + 1,
                visit.suffix()
            ));
        }
        main.push_str("</div>");
    }
    // A page's own rules inside main: they run on a full load and never after a swap.
    if section == "docs" {
        main.push_str(
            &SpeculationRules::prefetch_urls([format!("/docs/{}/{}", n % 8 + 1, visit.suffix())])
                .to_script_element(),
        );
    }
    frame(&Frame {
        title: &title,
        visit,
        head_extra: "",
        before_main: "",
        main_tag,
        main: &main,
        after_main: "",
    })
}

fn home(visit: &Visit) -> String {
    let q = visit.suffix();
    let mut main =
        String::from("<h1 id=\"page-title\">liveshell e2e site</h1><ul class=\"index\">");
    for (section, count) in SECTIONS {
        for n in 1..=count {
            main.push_str(&format!(
                "<li><a href=\"/{section}/{n}/{q}\">{section} {n}</a></li>"
            ));
        }
    }
    main.push_str("</ul>");
    main.push_str(&body_text("home", 1, 6, visit));
    frame(&Frame {
        title: "liveshell e2e",
        visit,
        head_extra: "",
        before_main: "",
        main_tag: "<main>",
        main: &main,
        after_main: "",
    })
}

/// The hard pages: each trips a regex over the raw text in its own way.
fn hard_page(name: &str, visit: &Visit) -> String {
    let title = format!("hard: {name} - liveshell e2e");
    let body = body_text("hard", name.len() as u32, 8, visit);
    let main = format!("<p id=\"hard-marker\">hard page {name}</p>{body}");
    let (head_extra, before_main, main_tag, after_main) = match name {
        // A `</main>` (and a `<main>`) inside a head script: only text to the parser.
        "script-close" => (
            "<script>window.__tpl = '<main class=\"fake\">not the main</main>';</script>",
            "",
            "<main>",
            "",
        ),
        // A custom element whose name starts with `main`.
        "main-nav" => (
            "",
            "<main-nav class=\"crumbs\"><a href=\"/\">home</a> / hard</main-nav>",
            "<main>",
            "",
        ),
        // A `<main>` in a template before the real one, and a template after it.
        "template" => (
            "",
            "<template id=\"card\"><main>template main</main></template>",
            "<main>",
            "<template><main>after main</main></template>",
        ),
        // Attributes on main that the page's CSS and scripts rely on.
        "attrs" => (
            "",
            "",
            "<main id=\"content\" class=\"page wide\" data-section=\"hard\" aria-label=\"Page body\">",
            "",
        ),
        // A commented-out main before the real one.
        _ => ("", "<!-- <main>old layout</main> -->", "<main>", ""),
    };
    frame(&Frame {
        title: &title,
        visit,
        head_extra,
        before_main,
        main_tag,
        main: &main,
        after_main,
    })
}

/// An HTML page with no `<main>` at all.
fn no_main(visit: &Visit) -> String {
    let q = visit.suffix();
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>no main</title></head>\
         <body><div id=\"no-main-marker\">a page without main</div><a href=\"/{q}\">home</a></body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_exactly_one_document_main_and_the_suffix_round_trips() {
        let visit = Visit::from_query(Some(
            "sw=off&spec=doc&latency_ms=300&x=1&sw_opts=revalidate%3D1",
        ));
        assert_eq!(
            visit.suffix(),
            "?sw=off&spec=doc&latency_ms=300&sw_opts=revalidate%3D1"
        );
        assert_eq!(Visit::from_query(Some("sw_opts='x'")).worker_options, None);
        assert_eq!(Visit::from_query(Some(&visit.suffix()[1..])), visit);
        for (section, count) in SECTIONS {
            for n in 1..=count {
                let html = page(&format!("/{section}/{n}/"), &visit).unwrap();
                let split = liveshell::shell::split(&html).unwrap();
                assert!(split.main.contains("page-title"), "{section} {n}");
                assert!(html.len() > 30_000, "{section} {n} is {} bytes", html.len());
            }
        }
        for name in HARD {
            let html = page(&format!("/hard/{name}/"), &visit).unwrap();
            let split = liveshell::shell::split(&html).unwrap();
            assert!(split.main.contains("hard-marker"), "{name}");
        }
        assert!(page("/docs/9/", &visit).is_none());
        assert!(page("/plain/no-main/", &visit).is_some());
    }
}

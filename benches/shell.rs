//! `shell` benchmarks: liveshell `split` and `main_inner` side by side with the djust regex, the
//! naive html5ever 0.39 + markup5ever_rcdom + `html5ever::serialize` approach, and lol_html, on the
//! pages of `benches/data`, per page and over the whole corpus (total bytes / total time).

use std::cell::RefCell;
use std::hint::black_box;
use std::path::Path;
use std::rc::Rc;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use html5ever_039::serialize::{SerializeOpts, TraversalScope, serialize};
use html5ever_039::tendril::TendrilSink;
use html5ever_039::{Attribute, QualName, local_name, ns};
use markup5ever_rcdom::{Handle, NodeData, RcDom, SerializableHandle};
use regex::Regex;

fn pages() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data");
    let mut pages: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("benches/data exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&p).expect("readable page");
            (name, String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect();
    pages.sort();
    pages
}

/// djust's split: the first regex match's group 1 is main; the shell replaces the match.
fn regex_split(re: &Regex, html: &str) -> Option<(String, String)> {
    let caps = re.captures(html)?;
    let whole = caps.get(0)?;
    let mut shell = String::with_capacity(html.len());
    shell.push_str(&html[..whole.start()]);
    shell.push_str("<main id=\"djust-main\" data-djust-shell-placeholder=\"1\"></main>");
    shell.push_str(&html[whole.end()..]);
    Some((shell, caps[1].to_owned()))
}

fn find_main_rcdom(node: &Handle) -> Option<Handle> {
    let mut stack = vec![node.clone()];
    while let Some(n) = stack.pop() {
        if let NodeData::Element { name, .. } = &n.data {
            if name.ns == ns!(html) && name.local == local_name!("main") {
                return Some(n);
            }
        }
        stack.extend(n.children.borrow().iter().rev().cloned());
    }
    None
}

/// The naive approach: parse into an RcDom, serialize main's children, then empty main, mark it
/// and serialize the document.
fn rcdom_split(html: &str) -> Option<(String, String)> {
    let dom = html5ever_039::parse_document(RcDom::default(), Default::default()).one(html);
    let main = find_main_rcdom(&dom.document)?;
    let mut inner = Vec::new();
    let handle = SerializableHandle::from(main.clone());
    serialize(&mut inner, &handle, SerializeOpts::default()).ok()?;
    main.children.borrow_mut().clear();
    if let NodeData::Element { attrs, .. } = &main.data {
        attrs.borrow_mut().push(Attribute {
            name: QualName::new(None, ns!(), "data-djust-shell-placeholder".into()),
            value: "1".into(),
        });
    }
    let mut shell = Vec::new();
    let doc = SerializableHandle::from(dom.document.clone());
    serialize(
        &mut shell,
        &doc,
        SerializeOpts {
            traversal_scope: TraversalScope::ChildrenOnly(None),
            ..Default::default()
        },
    )
    .ok()?;
    Some((
        String::from_utf8(shell).ok()?,
        String::from_utf8(inner).ok()?,
    ))
}

/// lol_html: marks the first main's content with two comments and slices the output.
fn lol_main(html: &str) -> Option<String> {
    use lol_html::html_content::ContentType;
    use lol_html::{HtmlRewriter, Settings, element};
    const START: &str = "<!--liveshell-main-start-->";
    const END: &str = "<!--liveshell-main-end-->";
    let seen = Rc::new(RefCell::new(false));
    let mut out = Vec::with_capacity(html.len() + 64);
    {
        let seen = seen.clone();
        let mut rewriter = HtmlRewriter::new(
            Settings::new().append_element_content_handler(element!("main", move |el| {
                if !*seen.borrow() {
                    *seen.borrow_mut() = true;
                    el.prepend(START, ContentType::Html);
                    el.append(END, ContentType::Html);
                }
                Ok(())
            })),
            |c: &[u8]| out.extend_from_slice(c),
        );
        rewriter.write(html.as_bytes()).ok()?;
        rewriter.end().ok()?;
    }
    let out = String::from_utf8(out).ok()?;
    let start = out.find(START)? + START.len();
    let end = out[start..].find(END)? + start;
    Some(out[start..end].to_owned())
}

/// html5ever 0.40's tokenizer alone with a sink that drops every token: the floor for any
/// approach built on html5ever.
fn tokenize_only(html: &str) -> usize {
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{BufferQueue, Token, TokenSink, TokenSinkResult, Tokenizer};
    struct Count(std::cell::Cell<usize>);
    impl TokenSink for Count {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            if matches!(token, Token::TagToken(_)) {
                self.0.set(self.0.get() + 1);
            }
            TokenSinkResult::Continue
        }
    }
    let tokenizer = Tokenizer::new(Count(std::cell::Cell::new(0)), Default::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from(html));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    tokenizer.sink.0.get()
}

fn bench(c: &mut Criterion) {
    let pages = pages();
    let re = Regex::new(r"(?i)<main\b[^>]*>([\s\S]*?)</main>").expect("valid regex");
    let mut group = c.benchmark_group("shell");
    for (name, html) in &pages {
        group.throughput(Throughput::Bytes(html.len() as u64));
        group.bench_with_input(BenchmarkId::new("split", name), html, |b, h| {
            b.iter(|| liveshell::shell::split(black_box(h)))
        });
        group.bench_with_input(BenchmarkId::new("main_inner", name), html, |b, h| {
            b.iter(|| liveshell::shell::main_inner(black_box(h)))
        });
        group.bench_with_input(BenchmarkId::new("regex", name), html, |b, h| {
            b.iter(|| regex_split(&re, black_box(h)))
        });
        group.bench_with_input(BenchmarkId::new("rcdom", name), html, |b, h| {
            b.iter(|| rcdom_split(black_box(h)))
        });
        group.bench_with_input(BenchmarkId::new("lol_html", name), html, |b, h| {
            b.iter(|| lol_main(black_box(h)))
        });
    }
    let total: usize = pages.iter().map(|(_, h)| h.len()).sum();
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("corpus/split", |b| {
        b.iter(|| {
            pages
                .iter()
                .filter(|(_, h)| liveshell::shell::split(black_box(h)).is_some())
                .count()
        })
    });
    group.bench_function("corpus/main_inner", |b| {
        b.iter(|| {
            pages
                .iter()
                .filter(|(_, h)| liveshell::shell::main_inner(black_box(h)).is_some())
                .count()
        })
    });
    group.bench_function("corpus/regex", |b| {
        b.iter(|| {
            pages
                .iter()
                .filter(|(_, h)| regex_split(&re, black_box(h)).is_some())
                .count()
        })
    });
    group.bench_function("corpus/rcdom", |b| {
        b.iter(|| {
            pages
                .iter()
                .filter(|(_, h)| rcdom_split(black_box(h)).is_some())
                .count()
        })
    });
    group.bench_function("corpus/tokenizer_only", |b| {
        b.iter(|| {
            pages
                .iter()
                .map(|(_, h)| tokenize_only(black_box(h)))
                .sum::<usize>()
        })
    });
    group.bench_function("corpus/lol_html", |b| {
        b.iter(|| {
            pages
                .iter()
                .filter(|(_, h)| lol_main(black_box(h)).is_some())
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

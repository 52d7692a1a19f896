//! Op-sequence target for the snapshot cache: random inserts, gets, removes, purges, saves and
//! restores, with random `Vary` values, checked against a naive model (a list in recency order
//! with explicit expiry). `tests/cache.rs` drives the same model from proptest.
//!
//! Checked after every op: the same answers and evictions, the same counters, the cap and the
//! byte budget never exceeded, and never a value for a request whose varied headers differ from
//! those the value was stored under. Every other op uses a freshly prepared key, the others a
//! key kept per request since its first use (across inserts, removals and restores), so the
//! digests a key remembers are checked against the ones a new key computes.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};
use liveshell::cache::{
    CacheOptions, CacheStats, EvictionReason, Lookup, NotStorable, PreparedKey, SnapshotCache,
};
use liveshell::headers::Vary;
use liveshell::time::{Clock, Instant, SystemClock};

/// A prepared key owning its headers.
type Key = PreparedKey<Vec<(&'static str, String)>>;

/// Raw URLs and the normalised form the model expects for each.
const URLS: [(&str, &str); 5] = [
    ("http://x.test/a", "http://x.test/a"),
    ("HTTP://X.TEST:80/a#top", "http://x.test/a"),
    ("http://x.test/b?q=1", "http://x.test/b?q=1"),
    ("http://x.test/A", "http://x.test/A"),
    ("https://x.test/a", "https://x.test/a"),
];
const COOKIES: [Option<&str>; 4] = [None, Some("sid=alice"), Some("sid=bob"), Some("")];
const LANGS: [Option<&str>; 4] = [None, Some("en"), Some("fr"), Some("")];
const ENCODINGS: [Option<&str>; 3] = [None, Some("gzip"), Some("br")];

/// What the model makes of a `Vary`: the extra varied fields, or the kind of rejection.
type Expected = Result<&'static [&'static str], &'static str>;

/// A response `Vary` and what the model makes of it.
const VARIES: [(Option<&str>, Expected); 7] = [
    (None, Ok(&[])),
    (Some("Accept-Encoding"), Ok(&["accept-encoding"])),
    (Some("cookie, ACCEPT-ENCODING"), Ok(&["accept-encoding"])),
    (Some("*"), Err("star")),
    (Some("x y"), Err("invalid")),
    (Some(" , "), Ok(&[])),
    (
        Some("Accept-Language,Accept-Encoding"),
        Ok(&["accept-encoding"]),
    ),
];
/// Always varied (the default configuration).
const ALWAYS: [&str; 2] = ["accept-language", "cookie"];
const TTLS_MS: [u64; 4] = [0, 1, 1000, 5000];
const MAX_ENTRY_BYTES: usize = 40;
const MAX_TOTAL_BYTES: usize = 100;

/// A request, as indices into the tables above.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Req {
    /// Index into the URLs.
    pub url: u8,
    /// Index into the cookies.
    pub cookie: u8,
    /// Index into the languages.
    pub lang: u8,
    /// Index into the encodings.
    pub enc: u8,
    /// Pads header values with spaces and tabs (normalisation must trim them).
    pub pad: bool,
}

/// One operation on the cache and the model.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Op {
    /// Insert a value of `len % 48` bytes for `req` under the response `Vary` number `vary`.
    Insert {
        /// The request.
        req: Req,
        /// Index into the `Vary` table.
        vary: u8,
        /// The value's length.
        len: u8,
    },
    /// Look a request up.
    Get(Req),
    /// Peek at a request (no recency, no removal).
    Peek(Req),
    /// Remove what a request matches.
    Remove(Req),
    /// Advance the clock by this many milliseconds.
    Advance(u16),
    /// Purge the expired entries.
    Purge,
    /// Save the cache and restore it at the same instant.
    SaveRestore,
    /// Clear the cache.
    Clear,
}

/// The whole fuzz input: the configuration and the ops.
#[derive(Arbitrary, Debug, Clone)]
pub struct Input {
    /// `1 + cap % 4` entries.
    pub cap: u8,
    /// Index into the TTLs.
    pub ttl: u8,
    /// Whether a weigher (value length, 40 per entry, 100 in total) is configured.
    pub budget: bool,
    /// The ops.
    pub ops: Vec<Op>,
}

fn pick<T: Copy>(table: &[T], i: u8) -> T {
    table[usize::from(i) % table.len()]
}

impl Req {
    /// The request's headers as sent (mixed-case names, maybe padded values).
    fn headers(self) -> Vec<(&'static str, String)> {
        let pad = |v: &str| {
            if self.pad {
                format!(" \t{v} ")
            } else {
                v.to_owned()
            }
        };
        let mut h = Vec::new();
        if let Some(v) = pick(&COOKIES, self.cookie) {
            h.push(("Cookie", pad(v)));
        }
        if let Some(v) = pick(&LANGS, self.lang) {
            h.push(("accept-language", pad(v)));
        }
        if let Some(v) = pick(&ENCODINGS, self.enc) {
            h.push(("Accept-Encoding", pad(v)));
        }
        h
    }

    fn key<V>(self, cache: &SnapshotCache<V>) -> Key {
        cache
            .key(pick(&URLS, self.url).0, self.headers())
            .expect("the tables hold valid requests")
    }

    /// Identifies the request (and its padding) among the tables' combinations.
    fn id(self) -> (u8, u8, u8, u8, bool) {
        let n = |i: u8, len: usize| i % u8::try_from(len).expect("small tables");
        (
            n(self.url, URLS.len()),
            n(self.cookie, COOKIES.len()),
            n(self.lang, LANGS.len()),
            n(self.enc, ENCODINGS.len()),
            self.pad,
        )
    }

    /// The model's view of one header: its unpadded value, straight from the tables.
    fn value(self, name: &str) -> Option<&'static str> {
        match name {
            "cookie" => pick(&COOKIES, self.cookie),
            "accept-language" => pick(&LANGS, self.lang),
            "accept-encoding" => pick(&ENCODINGS, self.enc),
            _ => None,
        }
    }

    fn url(self) -> &'static str {
        pick(&URLS, self.url).1
    }
}

#[derive(Debug, Clone)]
struct Entry {
    url: &'static str,
    vary: Vec<&'static str>,
    /// The request it was stored for (only its values for `vary` matter).
    req: Req,
    stored_at: Duration,
    seq: u64,
    value: String,
}

impl Entry {
    fn matches(&self, req: Req) -> bool {
        self.url == req.url() && self.vary.iter().all(|n| self.req.value(n) == req.value(n))
    }
}

/// The naive model: entries least recently used first, expiry checked by hand.
struct Model {
    entries: Vec<Entry>,
    ttl: Duration,
    cap: usize,
    budget: bool,
    seq: u64,
    stats: CacheStats,
}

impl Model {
    fn fresh(&self, e: &Entry, now: Duration) -> bool {
        now.saturating_sub(e.stored_at) <= self.ttl
    }

    fn weight(&self) -> usize {
        if self.budget {
            self.entries.iter().map(|e| e.value.len()).sum()
        } else {
            0
        }
    }

    fn get(&mut self, now: Duration, req: Req) -> Lookup<String> {
        let expired: Vec<u64> = self
            .entries
            .iter()
            .filter(|e| e.matches(req) && !self.fresh(e, now))
            .map(|e| e.seq)
            .collect();
        self.entries.retain(|e| !expired.contains(&e.seq));
        self.stats.expired += expired.len() as u64;
        let best = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.matches(req))
            .max_by_key(|(_, e)| e.seq)
            .map(|(i, _)| i);
        match best {
            Some(i) => {
                let e = self.entries.remove(i);
                let value = e.value.clone();
                self.entries.push(e);
                self.stats.hits += 1;
                Lookup::Fresh(value)
            }
            None if expired.is_empty() => {
                self.stats.misses += 1;
                Lookup::Miss
            }
            None => {
                self.stats.stale += 1;
                Lookup::Stale
            }
        }
    }

    fn peek(&self, now: Duration, req: Req) -> Option<String> {
        self.entries
            .iter()
            .filter(|e| e.matches(req) && self.fresh(e, now))
            .max_by_key(|e| e.seq)
            .map(|e| e.value.clone())
    }

    /// Returns the evictions as (url, reason), or the kind of rejection.
    fn insert(
        &mut self,
        now: Duration,
        req: Req,
        vary: u8,
        value: String,
    ) -> Result<Vec<(String, EvictionReason)>, &'static str> {
        let (_, extra) = pick(&VARIES, vary);
        let extra = extra.inspect_err(|_| self.stats.rejections += 1)?;
        let weight = if self.budget { value.len() } else { 0 };
        if weight > MAX_ENTRY_BYTES.min(MAX_TOTAL_BYTES) {
            self.stats.rejections += 1;
            return Err("too large");
        }
        let mut names: Vec<&'static str> = ALWAYS.iter().chain(extra).copied().collect();
        names.sort_unstable();
        names.dedup();
        let url = req.url();
        self.entries.retain(|e| {
            !(e.url == url
                && e.vary == names
                && names.iter().all(|n| e.req.value(n) == req.value(n)))
        });
        let mut evicted = Vec::new();
        while self.entries.len() >= self.cap {
            evicted.push((
                self.entries.remove(0).url.to_owned(),
                EvictionReason::Capacity,
            ));
        }
        while self.budget && self.weight() + weight > MAX_TOTAL_BYTES && !self.entries.is_empty() {
            evicted.push((
                self.entries.remove(0).url.to_owned(),
                EvictionReason::Budget,
            ));
        }
        self.stats.evictions += evicted.len() as u64;
        self.stats.inserts += 1;
        self.entries.push(Entry {
            url,
            vary: names,
            req,
            stored_at: now,
            seq: self.seq,
            value,
        });
        self.seq += 1;
        Ok(evicted)
    }

    fn remove(&mut self, req: Req) -> Vec<String> {
        let mut removed: Vec<Entry> = self
            .entries
            .iter()
            .filter(|e| e.matches(req))
            .cloned()
            .collect();
        self.entries.retain(|e| !e.matches(req));
        removed.sort_by_key(|e| std::cmp::Reverse(e.seq));
        removed.into_iter().map(|e| e.value).collect()
    }

    fn purge(&mut self, now: Duration) -> Vec<String> {
        let (keep, gone): (Vec<Entry>, Vec<Entry>) = self
            .entries
            .drain(..)
            .partition(|e| now.saturating_sub(e.stored_at) <= self.ttl);
        self.entries = keep;
        self.stats.expired += gone.len() as u64;
        gone.into_iter().map(|e| e.url.to_owned()).collect()
    }
}

fn kind(e: &NotStorable) -> &'static str {
    match e {
        NotStorable::VaryStar => "star",
        NotStorable::InvalidVary { .. } => "invalid",
        NotStorable::TooLarge { .. } => "too large",
        _ => "other",
    }
}

fn options(input: &Input) -> CacheOptions {
    let cap = NonZeroUsize::new(config_cap(input)).expect("1 + x is not zero");
    CacheOptions::new([3; 16])
        .ttl(Duration::from_millis(pick(&TTLS_MS, input.ttl)))
        .max_entries(cap)
}

/// Runs `input` on a [`SnapshotCache`] and the model side by side, panicking on any difference.
pub fn check(input: &Input) {
    let config = options(input);
    let cap = config_cap(input);
    let t0: Instant = SystemClock.now();
    let mut now = Duration::ZERO;
    let mut cache = if input.budget {
        SnapshotCache::with_weigher(
            config.clone(),
            String::len,
            MAX_ENTRY_BYTES,
            MAX_TOTAL_BYTES,
        )
    } else {
        SnapshotCache::new(config.clone())
    }
    .expect("valid options");
    // Keys kept per request since their first use.
    let mut kept: HashMap<(u8, u8, u8, u8, bool), Key> = HashMap::new();
    let mut model = Model {
        entries: Vec::new(),
        ttl: Duration::from_millis(pick(&TTLS_MS, input.ttl)),
        cap,
        budget: input.budget,
        seq: 0,
        stats: CacheStats::default(),
    };
    // Every value ever stored, with the request and varied fields it was stored under.
    let mut stored: Vec<(String, Req, Vec<&'static str>)> = Vec::new();
    for (step, op) in input.ops.iter().enumerate() {
        let at = t0 + now;
        let mut fresh = None;
        match *op {
            Op::Insert { req, vary, len } => {
                let value = format!("{step}:{}", "x".repeat(usize::from(len % 48)));
                let (header, _) = pick(&VARIES, vary);
                let vary_read = header.map_or_else(Vary::default, |h| Vary::parse(h.as_bytes()));
                let key = key_for(step, req, &cache, &mut kept, &mut fresh);
                let got = cache.insert(at, key, &vary_read, value.clone());
                let want = model.insert(now, req, vary, value.clone());
                match (&got, &want) {
                    (Ok(got), Ok(want)) => {
                        let got: Vec<(String, EvictionReason)> =
                            got.iter().map(|e| (e.url.clone(), e.reason)).collect();
                        assert_eq!(&got, want, "evictions of step {step}");
                        let names = model.entries.last().expect("just inserted").vary.clone();
                        stored.push((value, req, names));
                    }
                    (Err(got), Err(want)) => assert_eq!(kind(got), *want, "step {step}"),
                    _ => panic!("step {step}: cache {got:?}, model {want:?}"),
                }
            }
            Op::Get(req) => {
                let key = key_for(step, req, &cache, &mut kept, &mut fresh);
                let got = cache.get(at, key).fresh().cloned();
                let want = model.get(now, req);
                assert_eq!(got.clone(), want.clone().fresh(), "get at step {step}");
                if let Some(value) = &got {
                    no_leak(&stored, value, req);
                }
            }
            Op::Peek(req) => {
                let key = key_for(step, req, &cache, &mut kept, &mut fresh);
                let got = cache.peek(at, key).cloned();
                assert_eq!(got, model.peek(now, req), "peek at step {step}");
                if let Some(value) = &got {
                    no_leak(&stored, value, req);
                }
            }
            Op::Remove(req) => {
                let key = key_for(step, req, &cache, &mut kept, &mut fresh);
                assert_eq!(
                    cache.remove(key),
                    model.remove(req),
                    "remove at step {step}"
                );
            }
            Op::Advance(ms) => now += Duration::from_millis(u64::from(ms % 4096)),
            Op::Purge => {
                let got: Vec<String> = cache.purge_expired(at).into_iter().map(|e| e.url).collect();
                assert_eq!(got, model.purge(now), "purge at step {step}");
            }
            Op::SaveRestore => {
                let saved = cache.save(at).cloned();
                let restored = if input.budget {
                    SnapshotCache::restore_with_weigher(
                        config.clone(),
                        String::len,
                        MAX_ENTRY_BYTES,
                        MAX_TOTAL_BYTES,
                        at,
                        saved,
                    )
                } else {
                    SnapshotCache::restore(config.clone(), at, saved)
                };
                let (restored, dropped) = restored.expect("own save restores");
                assert!(
                    dropped.is_empty(),
                    "nothing is dropped restoring under the same config"
                );
                cache = restored;
                model.stats = CacheStats::default();
            }
            Op::Clear => {
                cache.clear();
                model.entries.clear();
            }
        }
        assert_eq!(cache.len(), model.entries.len(), "len after step {step}");
        assert!(cache.len() <= cap, "cap exceeded after step {step}");
        assert_eq!(
            cache.total_weight(),
            model.weight(),
            "weight after step {step}"
        );
        assert!(
            cache.total_weight() <= MAX_TOTAL_BYTES,
            "budget exceeded after step {step}"
        );
        assert_eq!(cache.stats(), model.stats, "stats after step {step}");
        let order: Vec<&str> = cache.iter().map(|(_, _, v)| v.as_str()).collect();
        let want: Vec<&str> = model
            .entries
            .iter()
            .rev()
            .map(|e| e.value.as_str())
            .collect();
        assert_eq!(order, want, "recency order after step {step}");
    }
}

/// A fresh key on even steps, the one kept for `req` on odd steps.
fn key_for<'k>(
    step: usize,
    req: Req,
    cache: &SnapshotCache<String>,
    kept: &'k mut HashMap<(u8, u8, u8, u8, bool), Key>,
    fresh: &'k mut Option<Key>,
) -> &'k Key {
    if step % 2 == 0 {
        fresh.insert(req.key(cache))
    } else {
        kept.entry(req.id()).or_insert_with(|| req.key(cache))
    }
}

fn config_cap(input: &Input) -> usize {
    1 + usize::from(input.cap % 4)
}

/// Asserts `value` was stored under the same varied header values as `req` has.
fn no_leak(stored: &[(String, Req, Vec<&'static str>)], value: &str, req: Req) {
    let (_, owner, names) = stored
        .iter()
        .find(|(v, _, _)| v == value)
        .expect("a returned value was stored");
    assert_eq!(owner.url(), req.url(), "value served for another url");
    for name in names {
        assert_eq!(
            owner.value(name),
            req.value(name),
            "value leaked across `{name}`"
        );
    }
}

/// Decodes an [`Input`] and checks it.
pub fn run(data: &[u8]) {
    if let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) {
        check(&input);
    }
}

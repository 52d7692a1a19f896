//! The cache section of the tour: four variants of one URL, an LRU eviction, an expiry, and the
//! checks on a bad configuration.

use std::num::NonZeroUsize;
use std::time::Duration;

use liveshell::cache::checks::{DjustCacheOptions, check};
use liveshell::cache::{CacheOptions, Lookup, PreparedKey, SnapshotCache};
use liveshell::headers::Vary;
use liveshell::time::{Clock, ManualClock, SystemClock};

const INBOX: &str = "https://Shop.example:443/orders/#top";

/// The request's key, prepared once: it owns the request's headers here.
fn request(
    cache: &SnapshotCache<String>,
    user: &str,
    lang: &str,
) -> PreparedKey<[(&'static str, String); 2]> {
    let headers = [
        ("Cookie", format!("sessionid={user}; _ga=GA1.{user}")),
        ("Accept-Language", lang.to_owned()),
    ];
    cache
        .key(INBOX, headers)
        .expect("the tour's requests are valid")
}

fn show(lookup: Lookup<&String>) -> String {
    match lookup {
        Lookup::Fresh(html) => format!("fresh: {}", html.lines().next().unwrap_or_default()),
        Lookup::Stale => "stale (removed now)".to_owned(),
        _ => "miss".to_owned(),
    }
}

/// Caches the page's `<main>` per user and language and shows what the cache decides.
pub(crate) fn tour(page: &str) {
    let clock = ManualClock::new(SystemClock.now());
    let main = page
        .find("<main")
        .and_then(|start| {
            page[start..]
                .find("</main>")
                .map(|end| &page[start..start + end + 7])
        })
        .unwrap_or(page);
    let options = CacheOptions::new(*b"tour digest key!")
        .max_entries(NonZeroUsize::new(4).expect("4 is not zero"))
        .cookie_scope(["sessionid"]);
    let mut cache = SnapshotCache::new(options).expect("valid options");
    // What the render's response says; read once with the crate's one `Vary` reader.
    let vary = Vary::from_headers(&[("Content-Type", "text/html"), ("Vary", "Accept-Language")]);
    println!(
        "options: ttl {:?}, at most {} variants, Cookie (scoped to `sessionid`) and Accept-Language always varied",
        cache.ttl(),
        cache.max_entries()
    );

    let variants = [
        ("alice", "en"),
        ("alice", "fr"),
        ("bob", "en"),
        ("bob", "fr"),
    ];
    for (user, lang) in variants {
        let html = format!("<!-- {user}/{lang} -->\n{main}");
        let key = request(&cache, user, lang);
        let evicted = cache
            .insert(clock.now(), &key, &vary, html)
            .expect("storable");
        assert!(evicted.is_empty(), "four variants fit");
    }
    println!(
        "t0: stored {} variants of {} (normalised to {})",
        cache.len(),
        INBOX,
        request(&cache, "alice", "en").url()
    );
    clock.advance(Duration::from_secs(60));
    for (user, lang) in variants.into_iter().chain([("carol", "en")]) {
        let answer = show(cache.get(clock.now(), &request(&cache, user, lang)));
        println!("  t0+60s  {user:5} {lang}: {answer}");
    }

    clock.advance(Duration::from_secs(60));
    let _ = cache.get(clock.now(), &request(&cache, "alice", "en"));
    let settings = cache
        .key(
            "https://shop.example/settings/",
            [("Cookie", "sessionid=alice")],
        )
        .expect("valid request");
    let evicted = cache
        .insert(
            clock.now(),
            &settings,
            &Vary::default(),
            "<main>settings</main>".to_owned(),
        )
        .expect("storable");
    let alice_fr = cache
        .variant_id(&request(&cache, "alice", "fr"), &vary)
        .expect("storable");
    for e in &evicted {
        let who = if e.variant == alice_fr {
            " = alice/fr"
        } else {
            ""
        };
        println!(
            "t0+120s: read alice/en, stored /settings/: evicted {} variant {}{who} ({:?}, least recently used)",
            e.url,
            &e.variant.to_string()[..8],
            e.reason
        );
    }

    clock.advance(Duration::from_secs(300));
    println!(
        "t0+420s: /settings/ is 300 s old (age == ttl): {}",
        show(cache.get(clock.now(), &settings))
    );
    clock.advance(Duration::from_secs(1));
    println!("t0+421s: {}", show(cache.get(clock.now(), &settings)));
    println!(
        "t0+421s: again: {}",
        show(cache.get(clock.now(), &settings))
    );
    let purged = cache.purge_expired(clock.now());
    let stats = cache.stats();
    println!(
        "t0+421s: purge_expired removed {} inbox variants; {} left; stats: {} hits, {} misses, {} stale, {} evictions",
        purged.len(),
        cache.len(),
        stats.hits,
        stats.misses,
        stats.stale,
        stats.evictions
    );

    let bad = DjustCacheOptions {
        enabled: true,
        ttl_seconds: 0,
        max_entries: 20_000,
        sw_vdom_cache: false,
    };
    println!("checks on ttl 0, max 20000, enabled without vdomCache:");
    for d in check(&bad) {
        println!("  {d}");
    }
    let refused = CacheOptions::try_from(&bad).err();
    println!(
        "  CacheOptions::try_from refuses them: {}",
        refused.map_or_else(|| "accepted".to_owned(), |e| e.to_string())
    );
}

//! The keyed digests: SipHash-2-4-128 (the `siphasher` crate) under the configured digest key,
//! over the URL, the `Vary` field names and the request's values for them.
//!
//! The digest turns the varied header values of a request into a keyed digest, so a stored
//! variant (and a persisted cache) never holds a raw `Cookie`, and nobody without the digest
//! key can test a guessed session against it. The encoding is stable: saved caches name their
//! variants by these digests.

use std::hash::Hasher;

use siphasher::sip128::{Hasher128, SipHasher13, SipHasher24};

use crate::headers::{Headers, trim_ows};

/// The hash state of a variant digest.
pub(crate) type Sip128 = SipHasher24;

/// What the digest of a variant depends on besides the request: the digest key and, for the
/// `Cookie` field, the cookie names it is scoped to (sorted, unique; `None` means the whole
/// header).
pub(crate) struct DigestParams<'a> {
    pub(crate) key: &'a [u8; 16],
    pub(crate) cookie_scope: Option<&'a [Box<str>]>,
}

/// Domain tags, so a variant digest can never equal a configuration fingerprint.
const TAG_VARIANT: u8 = 1;
const TAG_FINGERPRINT: u8 = 2;
/// Value tags inside a variant digest.
const ABSENT: u8 = 0;
const PRESENT: u8 = 1;
const SCOPED_COOKIES: u8 = 2;

fn write_u64(h: &mut impl Hasher, n: u64) {
    h.write(&n.to_le_bytes());
}

fn write_bytes(h: &mut impl Hasher, s: &[u8]) {
    write_u64(h, s.len() as u64);
    h.write(s);
}

fn finish(h: &Sip128) -> u128 {
    h.finish128().into()
}

/// The values of the cookies named `name` in a `Cookie` field's lines, in order (the lines read
/// as one header joined with `"; "`).
fn cookie_values<'a>(
    lines: impl Iterator<Item = &'a [u8]> + 'a,
    name: &'a str,
) -> impl Iterator<Item = &'a [u8]> + 'a {
    lines
        .flat_map(|line| line.split(|&b| b == b';'))
        .filter_map(move |pair| {
            let eq = pair.iter().position(|&b| b == b'=')?;
            let (n, v) = pair.split_at(eq);
            (trim_ows(n) == name.as_bytes()).then(|| trim_ows(&v[1..]))
        })
}

impl DigestParams<'_> {
    /// The hash state after the parts of a variant digest that depend only on the URL and the
    /// sorted, unique, lowercase field names `vary`; the cache keeps one per URL and field set,
    /// so a digest hashes only the request's values.
    pub(crate) fn prefix(&self, url: &str, vary: &[Box<str>]) -> Sip128 {
        let mut h = Sip128::new_with_key(self.key);
        h.write(&[TAG_VARIANT]);
        write_bytes(&mut h, url.as_bytes());
        write_u64(&mut h, vary.len() as u64);
        for name in vary {
            write_bytes(&mut h, name.as_bytes());
        }
        h
    }

    /// Finishes a variant digest from its [`prefix`](Self::prefix) with the request's values
    /// for `vary`: each field's lines trimmed and read as one value joined with `", "` (`"; "`
    /// for `Cookie`), length-prefixed, and an absent field tagged apart from an empty one, so
    /// distinct inputs never share an encoding.
    pub(crate) fn finish_variant(
        &self,
        mut h: Sip128,
        headers: &(impl Headers + ?Sized),
        vary: &[Box<str>],
    ) -> u128 {
        for name in vary {
            let lines = || headers.values(name).map(trim_ows);
            match (self.cookie_scope, &**name) {
                (Some(scope), "cookie") => {
                    h.write(&[SCOPED_COOKIES]);
                    write_u64(&mut h, scope.len() as u64);
                    for cookie in scope {
                        write_bytes(&mut h, cookie.as_bytes());
                        let count = cookie_values(lines(), cookie).count();
                        write_u64(&mut h, count as u64);
                        for v in cookie_values(lines(), cookie) {
                            write_bytes(&mut h, v);
                        }
                    }
                }
                (_, _) => {
                    let separator: &[u8] = if &**name == "cookie" { b"; " } else { b", " };
                    let mut count = 0;
                    let mut len = 0;
                    for line in lines() {
                        count += 1;
                        len += line.len();
                    }
                    if count == 0 {
                        h.write(&[ABSENT]);
                        continue;
                    }
                    h.write(&[PRESENT]);
                    write_u64(&mut h, (len + separator.len() * (count - 1)) as u64);
                    for (i, line) in lines().enumerate() {
                        if i > 0 {
                            h.write(separator);
                        }
                        h.write(line);
                    }
                }
            }
        }
        finish(&h)
    }

    /// The keyed digest identifying the variant of `url` stored under `vary` for `headers`.
    pub(crate) fn variant(
        &self,
        url: &str,
        headers: &(impl Headers + ?Sized),
        vary: &[Box<str>],
    ) -> u128 {
        self.finish_variant(self.prefix(url, vary), headers, vary)
    }

    /// A keyed digest of a normalised URL (SipHash-1-3-128: never persisted, so the faster
    /// rounds): the key of the cache's per-URL index.
    pub(crate) fn url_id(&self, url: &str) -> u128 {
        let mut h = SipHasher13::new_with_key(self.key);
        h.write(url.as_bytes());
        h.finish128().into()
    }

    /// A digest of everything a stored digest depends on besides the request, so a saved cache
    /// is only restored under a configuration that gives the same digests.
    pub(crate) fn fingerprint(&self, always_varied: &[Box<str>]) -> u128 {
        let mut h = Sip128::new_with_key(self.key);
        h.write(&[TAG_FINGERPRINT]);
        write_u64(&mut h, always_varied.len() as u64);
        for name in always_varied {
            write_bytes(&mut h, name.as_bytes());
        }
        match self.cookie_scope {
            None => h.write(&[ABSENT]),
            Some(scope) => {
                h.write(&[PRESENT]);
                write_u64(&mut h, scope.len() as u64);
                for name in scope {
                    write_bytes(&mut h, name.as_bytes());
                }
            }
        }
        finish(&h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<Box<str>> {
        list.iter().map(|n| (*n).into()).collect()
    }

    const K: [u8; 16] = [7; 16];
    const PLAIN: DigestParams<'static> = DigestParams {
        key: &K,
        cookie_scope: None,
    };
    const URL: &str = "http://x.test/";

    fn variant(params: &DigestParams<'_>, headers: &[(&str, &str)], vary: &[&str]) -> u128 {
        params.variant(URL, headers, &names(vary))
    }

    /// Rows of `vectors_sip128` in the reference repository's `vectors.h`: the tag of the
    /// message `00 01 .. (len-1)` under the key `00 01 .. 0f`, as 16 little-endian bytes.
    const VECTORS: &[(usize, &str)] = &[
        (0, "a3817f04ba25a8e66df67214c7550293"),
        (1, "da87c1d86b99af44347659119b22fc45"),
        (7, "a1f1ebbed8dbc153c0b84aa61ff08239"),
        (8, "3b62a9ba6258f5610f83e264f31497b4"),
        (15, "5493e99933b0a8117e08ec0f97cfc3d9"),
        (16, "6ee2a4ca67b054bbfd3315bf85230577"),
        (63, "5150d1772f50834a503e069a973fbd7c"),
    ];

    #[test]
    fn the_digest_is_siphash_2_4_128_as_the_reference_writes_it() {
        let key: [u8; 16] = std::array::from_fn(|i| u8::try_from(i).expect("i < 16"));
        let message: Vec<u8> = (0..64u8).collect();
        for (len, want) in VECTORS {
            let mut h = Sip128::new_with_key(&key);
            h.write(&message[..*len]);
            let hex: String = finish(&h)
                .to_le_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(hex, *want, "message length {len}");
        }
    }

    #[test]
    fn digests_are_stable_across_releases() {
        // Saved caches name variants by these digests (format 1): they must never change.
        let headers = [("Cookie", "sid=1"), ("cookie", "b=2"), ("Accept-Language", " en ")];
        let vary = ["accept-language", "cookie"];
        assert_eq!(
            format!("{:032x}", variant(&PLAIN, &headers, &vary)),
            format!("{:032x}", variant(&PLAIN, &[("accept-language", "en"), ("cookie", "sid=1; b=2")], &vary)),
        );
        assert_eq!(
            format!("{:032x}", variant(&PLAIN, &headers, &vary)),
            STABLE_DIGEST
        );
        assert_eq!(
            format!("{:032x}", PLAIN.fingerprint(&names(&vary))),
            STABLE_FINGERPRINT
        );
    }

    /// Computed by liveshell 7ecaafc (the hand-written SipHash) for the inputs above.
    const STABLE_DIGEST: &str = "f2f83eef9232d4bfcbc2077bbea61d3d";
    const STABLE_FINGERPRINT: &str = "fa4c80278ddd777b66fb90e76fa26d9b";

    #[test]
    fn absent_and_empty_headers_digest_differently() {
        assert_ne!(
            variant(&PLAIN, &[], &["accept-language"]),
            variant(&PLAIN, &[("accept-language", "")], &["accept-language"])
        );
    }

    #[test]
    fn length_prefixes_keep_field_boundaries_apart() {
        assert_ne!(
            variant(&PLAIN, &[("a", "xy"), ("b", "")], &["a", "b"]),
            variant(&PLAIN, &[("a", "x"), ("b", "y")], &["a", "b"])
        );
    }

    #[test]
    fn unvaried_headers_do_not_change_the_digest() {
        assert_eq!(
            variant(&PLAIN, &[("cookie", "s=1"), ("accept", "x")], &["cookie"]),
            variant(&PLAIN, &[("cookie", "s=1")], &["cookie"])
        );
    }

    #[test]
    fn scoped_cookies_ignore_other_cookies_but_not_the_session() {
        let scope = names(&["sid"]);
        let scoped = DigestParams {
            key: &K,
            cookie_scope: Some(&scope),
        };
        let v = |h: &[(&str, &str)]| variant(&scoped, h, &["cookie"]);
        let a = [("cookie", "sid=1; _ga=aaa")];
        assert_eq!(v(&a), v(&[("cookie", "_ga=bbb;sid=1")]));
        assert_eq!(v(&a), v(&[("cookie", "_ga=bbb"), ("Cookie", "sid=1")]));
        assert_ne!(v(&a), v(&[("cookie", "sid=2; _ga=aaa")]));
        assert_eq!(v(&[]), v(&[("cookie", "_ga=aaa")]));
        assert_ne!(
            variant(&PLAIN, &a, &["cookie"]),
            variant(&PLAIN, &[("cookie", "_ga=bbb;sid=1")], &["cookie"])
        );
    }

    #[test]
    fn vary_set_is_part_of_the_digest() {
        let h = [("cookie", "s=1")];
        assert_ne!(
            variant(&PLAIN, &h, &["cookie"]),
            variant(&PLAIN, &h, &["accept", "cookie"])
        );
    }
}

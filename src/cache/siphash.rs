//! SipHash-2-4 with a 128-bit tag (Aumasson and Bernstein, the reference `siphash.c` with
//! `outlen == 16`), written here because the dependency list has no hash or MAC crate.
//!
//! It turns the varied header values of a request into a keyed digest, so a cache key (and a
//! persisted cache) never holds a raw `Cookie`, and nobody without the digest key can test a
//! guessed session against it.

/// Reads up to seven bytes as a little-endian word, zero-padded, without a variable-length copy
/// (the hot path of short header values).
fn load(bytes: &[u8]) -> u64 {
    let mut word = 0;
    let mut i = 0;
    if bytes.len() >= 4 {
        word = u64::from(u32::from_le_bytes(
            bytes[..4].try_into().expect("four bytes checked"),
        ));
        i = 4;
    }
    if bytes.len() - i >= 2 {
        let pair = u16::from_le_bytes(bytes[i..i + 2].try_into().expect("two bytes checked"));
        word |= u64::from(pair) << (8 * i);
        i += 2;
    }
    if let Some(b) = bytes.get(i) {
        word |= u64::from(*b) << (8 * i);
    }
    word
}

/// An incremental SipHash-2-4-128 state.
#[derive(Clone)]
pub(crate) struct SipHasher128 {
    v: [u64; 4],
    tail: u64,
    ntail: usize,
    length: u64,
}

impl SipHasher128 {
    /// Starts a hash under the 16-byte key `key` (read as two little-endian words).
    pub(crate) fn new(key: &[u8; 16]) -> Self {
        let (lo, hi) = key.split_at(8);
        let k0 = u64::from_le_bytes(lo.try_into().expect("split_at(8) of 16 bytes"));
        let k1 = u64::from_le_bytes(hi.try_into().expect("split_at(8) of 16 bytes"));
        Self {
            v: [
                k0 ^ 0x736f_6d65_7073_6575,
                // The 128-bit variant starts with v1 ^= 0xee.
                k1 ^ 0x646f_7261_6e64_6f6d ^ 0xee,
                k0 ^ 0x6c79_6765_6e65_7261,
                k1 ^ 0x7465_6462_7974_6573,
            ],
            tail: 0,
            ntail: 0,
            length: 0,
        }
    }

    fn round(v: &mut [u64; 4]) {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13);
        v[1] ^= v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16);
        v[3] ^= v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21);
        v[3] ^= v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17);
        v[1] ^= v[2];
        v[2] = v[2].rotate_left(32);
    }

    fn compress(&mut self, m: u64) {
        self.v[3] ^= m;
        Self::round(&mut self.v);
        Self::round(&mut self.v);
        self.v[0] ^= m;
    }

    /// Feeds `bytes` into the hash.
    pub(crate) fn write(&mut self, mut bytes: &[u8]) {
        self.length = self.length.wrapping_add(bytes.len() as u64);
        if self.ntail > 0 {
            let take = (8 - self.ntail).min(bytes.len());
            self.tail |= load(&bytes[..take]) << (8 * self.ntail);
            self.ntail += take;
            bytes = &bytes[take..];
            if self.ntail < 8 {
                return;
            }
            let m = self.tail;
            self.compress(m);
            self.tail = 0;
            self.ntail = 0;
        }
        let mut blocks = bytes.chunks_exact(8);
        for block in &mut blocks {
            self.compress(u64::from_le_bytes(
                block.try_into().expect("chunks_exact(8) yields 8 bytes"),
            ));
        }
        self.tail = load(blocks.remainder());
        self.ntail = blocks.remainder().len();
    }

    /// Feeds a `u64` as eight little-endian bytes (used for length prefixes).
    pub(crate) fn write_u64(&mut self, n: u64) {
        self.write(&n.to_le_bytes());
    }

    /// Finishes the hash: the 16-byte tag as the reference implementation writes it.
    pub(crate) fn finish(mut self) -> [u8; 16] {
        let m = self.tail | ((self.length & 0xff) << 56);
        self.compress(m);
        self.v[2] ^= 0xee;
        for _ in 0..4 {
            Self::round(&mut self.v);
        }
        let first = self.v[0] ^ self.v[1] ^ self.v[2] ^ self.v[3];
        self.v[1] ^= 0xdd;
        for _ in 0..4 {
            Self::round(&mut self.v);
        }
        let second = self.v[0] ^ self.v[1] ^ self.v[2] ^ self.v[3];
        let mut out = [0; 16];
        out[..8].copy_from_slice(&first.to_le_bytes());
        out[8..].copy_from_slice(&second.to_le_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of `vectors_sip128` in the reference repository's `vectors.h`: the tag of the message
    /// `00 01 .. (len-1)` under the key `00 01 .. 0f`.
    const VECTORS: &[(usize, &str)] = &[
        (0, "a3817f04ba25a8e66df67214c7550293"),
        (1, "da87c1d86b99af44347659119b22fc45"),
        (2, "8177228da4a45dc7fca38bdef60affe4"),
        (3, "9c70b60c5267a94e5f33b6b02985ed51"),
        (4, "f88164c12d9c8faf7d0f6e7c7bcd5579"),
        (5, "1368875980776f8854527a07690e9627"),
        (6, "14eeca338b208613485ea0308fd7a15e"),
        (7, "a1f1ebbed8dbc153c0b84aa61ff08239"),
        (8, "3b62a9ba6258f5610f83e264f31497b4"),
        (9, "264499060ad9baabc47f8b02bb6d71ed"),
        (10, "00110dc378146956c95447d3f3d0fbba"),
        (11, "0151c568386b6677a2b4dc6f81e5dc18"),
        (12, "d626b266905ef35882634df68532c125"),
        (13, "9869e247e9c08b10d029934fc4b952f7"),
        (14, "31fcefac66d7de9c7ec7485fe4494902"),
        (15, "5493e99933b0a8117e08ec0f97cfc3d9"),
        (16, "6ee2a4ca67b054bbfd3315bf85230577"),
        (17, "473d06e8738db89854c066c47ae47740"),
        (31, "2939b0183223fafc1723de4f52c43d35"),
        (32, "7c3956ca5eeafc3e363e9d556546eb68"),
        (62, "5853542321f567a005d547a4f04759bd"),
        (63, "5150d1772f50834a503e069a973fbd7c"),
    ];

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn reference_key() -> [u8; 16] {
        std::array::from_fn(|i| u8::try_from(i).expect("i < 16"))
    }

    #[test]
    fn matches_the_reference_vectors() {
        let message: Vec<u8> = (0..64u8).collect();
        for (len, want) in VECTORS {
            let mut h = SipHasher128::new(&reference_key());
            h.write(&message[..*len]);
            assert_eq!(hex(&h.finish()), *want, "message length {len}");
        }
    }

    #[test]
    fn split_writes_equal_one_write() {
        let message: Vec<u8> = (0..64u8).collect();
        for (len, want) in VECTORS {
            for cut in 0..=*len {
                for cut2 in cut..=*len {
                    let mut h = SipHasher128::new(&reference_key());
                    h.write(&message[..cut]);
                    h.write(&message[cut..cut2]);
                    h.write(&message[cut2..*len]);
                    assert_eq!(hex(&h.finish()), *want, "len {len} cut {cut}/{cut2}");
                }
            }
        }
    }

    #[test]
    fn the_key_changes_the_tag() {
        let mut a = SipHasher128::new(&[0; 16]);
        let mut b = SipHasher128::new(&[1; 16]);
        a.write(b"session=abc");
        b.write(b"session=abc");
        assert_ne!(a.finish(), b.finish());
    }
}

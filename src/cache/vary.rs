//! [`ResponseVary`]: the forms of a response's `Vary` that [`insert`](super::SnapshotCache::insert)
//! takes.

use std::borrow::Cow;

use crate::headers::Vary;

/// A response's `Vary` as [`insert`](super::SnapshotCache::insert) and
/// [`variant_id`](super::SnapshotCache::variant_id) take it: a [`&Vary`](Vary) read once by
/// [`Vary::from_headers`] from the response's headers, or the header's value as
/// `Option<&str>` (the form before [`Vary`]). Sealed: only liveshell implements it.
///
/// # Examples
///
/// ```
/// use liveshell::cache::{CacheOptions, SnapshotCache};
/// use liveshell::headers::Vary;
///
/// let cache = SnapshotCache::<u8>::new(CacheOptions::default())?;
/// let key = cache.key("https://x.test/", &[("Accept-Encoding", "gzip")])?;
/// let response = [("Content-Type", "text/html"), ("Vary", "Accept-Encoding")];
/// let read = cache.variant_id(&key, &Vary::from_headers(&response))?;
/// assert_eq!(read, cache.variant_id(&key, Some("accept-encoding"))?);
/// assert_ne!(read, cache.variant_id(&key, &Vary::default())?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait ResponseVary: sealed::Sealed {}

pub(crate) mod sealed {
    use super::{Cow, Vary};

    pub trait Sealed {
        /// The `Vary` this stands for.
        fn read(&self) -> Cow<'_, Vary>;
    }
}

impl ResponseVary for &Vary {}

impl sealed::Sealed for &Vary {
    fn read(&self) -> Cow<'_, Vary> {
        Cow::Borrowed(self)
    }
}

impl ResponseVary for Option<&str> {}

impl sealed::Sealed for Option<&str> {
    fn read(&self) -> Cow<'_, Vary> {
        Cow::Owned(self.map(|v| Vary::parse(v.as_bytes())).unwrap_or_default())
    }
}

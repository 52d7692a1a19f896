//! The link rules: which links opt in, and the dedupe key a link is prefetched under.
//!
//! Shared by the intent machine and the speculation-rules builder; built on the URL
//! [`guard`](super::guard()), which knows nothing of links.

use url::{Position, Url};

use super::event::SkipReason;
use super::guard::guard;

/// Whether a key equals the page's own document key, without allocating.
fn is_same_document(page: &Url, key: &Url) -> bool {
    page[..Position::AfterQuery] == key[..Position::AfterQuery]
}

/// Whether the `dj-prefetch` attribute opts a link in: present, and not `false` in any ASCII
/// case (`dj-prefetch=""`, `dj-prefetch="0"` and `dj-prefetch="true"` all opt in).
///
/// # Examples
///
/// ```
/// use liveshell::prefetch::is_opted_in;
///
/// assert!(is_opted_in(Some("")));
/// assert!(!is_opted_in(Some("FALSE")));
/// assert!(!is_opted_in(None));
/// ```
#[must_use]
pub fn is_opted_in(opt_in: Option<&str>) -> bool {
    opt_in.is_some_and(|value| !value.eq_ignore_ascii_case("false"))
}

/// Rules 1, 5 and the same-document half of rule 4 for one link: its dedupe key, or why it is
/// skipped. Shared by the intent machine and the speculation-rules builder.
pub(crate) fn link_key(page: &Url, href: &str, opt_in: Option<&str>) -> Result<Url, SkipReason> {
    match opt_in {
        None => Err(SkipReason::NotOptedIn),
        Some(_) if !is_opted_in(opt_in) => Err(SkipReason::OptedOut),
        Some(_) => match guard(page, href) {
            Err(e) => Err(SkipReason::Guard(e)),
            Ok(url) if is_same_document(page, &url) => Err(SkipReason::SameDocument),
            Ok(url) => Ok(url),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prefetch::guard::document_key;

    #[test]
    fn same_document_ignores_the_fragment_only() {
        let here = Url::parse("http://localhost:8000/p?q=1#top").expect("static url");
        assert!(is_same_document(
            &here,
            &guard(&here, "#other").expect("ok")
        ));
        assert!(is_same_document(&here, &document_key(&here)));
        assert!(!is_same_document(&here, &guard(&here, "?q=2").expect("ok")));
    }
}

//! The `shell` section of the tour: split the page into shell and main, and show where djust's
//! regex goes wrong on the same page.

use liveshell::shell::split;

/// djust's regex, `<main\b[^>]*>([\s\S]*?)</main>` (case-insensitive), done by hand: the first
/// `<main` followed by a non-word character, then everything up to the first `</main>`.
fn djust_regex_main(page: &str) -> Option<&str> {
    let lower = page.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<main") {
        let start = from + at;
        let next = lower.as_bytes().get(start + 5).copied();
        if next.is_some_and(|b| !(b.is_ascii_alphanumeric() || b == b'_')) {
            let open_end = start + lower[start..].find('>')? + 1;
            let close = open_end + lower[open_end..].find("</main>")?;
            return Some(&page[open_end..close]);
        }
        from = start + 5;
    }
    None
}

/// Splits `page` and prints what liveshell decides, next to the regex's answer.
pub(crate) fn tour(page: &str) {
    let Some(split) = split(page) else {
        println!("no <main> element: the page would pass through whole");
        return;
    };
    println!(
        "split with html5ever: shell {} bytes, main {} bytes",
        split.shell.len(),
        split.main.len()
    );
    let marker = split
        .shell
        .find("data-djust-shell-placeholder")
        .unwrap_or_default();
    let open = split.shell[..marker].rfind("<main").unwrap_or_default();
    let close = marker + split.shell[marker..].find('>').unwrap_or_default();
    let placeholder = &split.shell[open..=close];
    println!("the emptied main in the shell keeps its attributes:\n  {placeholder}");
    let first_line = split.main.trim().lines().next().unwrap_or_default();
    println!("main starts with:\n  {first_line}");
    match djust_regex_main(page) {
        Some(wrong) if wrong != split.main => println!(
            "djust's regex instead stops at the `<main></main>` string in the <script> in <head>, \
             and yields {wrong:?}"
        ),
        Some(_) => println!("djust's regex agrees on this page"),
        None => println!("djust's regex finds no main at all"),
    }
}

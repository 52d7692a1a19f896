//! Integration tests for `liveshell::shell`: djust's regex vectors R1-R14 with the answers a
//! browser gives, boundary cases, a differential check against html5ever 0.39 + markup5ever_rcdom,
//! and properties.

use liveshell::shell::{Split, main_inner, split};

const BODY_OPEN: &str = "<html><head></head><body>";
const BODY_CLOSE: &str = "</body></html>";
const PLACEHOLDER: &str = "<main data-djust-shell-placeholder=\"1\"></main>";

fn shell_of(body: &str) -> String {
    format!("{BODY_OPEN}{body}{BODY_CLOSE}")
}

fn both(html: &str) -> (String, String) {
    let Split { shell, main, .. } = split(html).expect("page has a main element");
    assert_eq!(main_inner(html).as_deref(), Some(main.as_str()));
    (main, shell)
}

#[test]
fn r1_main_with_attributes_keeps_them_in_the_shell() {
    let (main, shell) = both(
        "<html><body><nav>N</nav><main class=\"x\">INNER</main><footer>F</footer></body></html>",
    );
    assert_eq!(main, "INNER");
    assert_eq!(
        shell,
        shell_of(
            "<nav>N</nav><main class=\"x\" data-djust-shell-placeholder=\"1\"></main><footer>F</footer>"
        )
    );
}

#[test]
fn r2_page_without_main_gives_none() {
    assert_eq!(split("<html><body><div>no main</div></body></html>"), None);
    assert_eq!(
        main_inner("<html><body><div>no main</div></body></html>"),
        None
    );
}

#[test]
fn r3_uppercase_tag_is_main() {
    let (main, shell) = both("<MAIN role=main>a</MAIN>");
    assert_eq!(main, "a");
    assert_eq!(
        shell,
        shell_of("<main role=\"main\" data-djust-shell-placeholder=\"1\"></main>")
    );
}

#[test]
fn r4_main_nav_is_not_main() {
    let (main, shell) = both("<main-nav>A</main-nav><main>B</main>");
    assert_eq!(main, "B");
    assert_eq!(
        shell,
        shell_of(&format!("<main-nav>A</main-nav>{PLACEHOLDER}"))
    );
}

#[test]
fn r5_greater_than_in_attribute_value_does_not_end_the_tag() {
    let (main, shell) = both("<main data-x=\"a>b\">C</main>");
    assert_eq!(main, "C");
    assert_eq!(
        shell,
        shell_of("<main data-x=\"a&gt;b\" data-djust-shell-placeholder=\"1\"></main>")
    );
}

#[test]
fn r6_only_the_first_main_is_emptied() {
    let (main, shell) = both("<main>1</main><main>2</main>");
    assert_eq!(main, "1");
    assert_eq!(shell, shell_of(&format!("{PLACEHOLDER}<main>2</main>")));
}

#[test]
fn r7_nested_main_is_inside_the_outer_one() {
    let (main, shell) = both("<main><main>in</main></main>");
    assert_eq!(main, "<main>in</main>");
    assert_eq!(shell, shell_of(PLACEHOLDER));
}

#[test]
fn r8_main_in_a_comment_does_not_count() {
    let (main, shell) = both("<!-- <main>c</main> --><main>real</main>");
    assert_eq!(main, "real");
    // The comment is a child of the document, before the document element: not in the shell.
    assert_eq!(shell, shell_of(PLACEHOLDER));
}

#[test]
fn r9_space_before_end_tag_close_is_fine() {
    let (main, shell) = both("<main>x</main >");
    assert_eq!(main, "x");
    assert_eq!(shell, shell_of(PLACEHOLDER));
}

#[test]
fn r10_mainframe_is_not_main() {
    assert_eq!(split("<mainframe>q</mainframe>"), None);
}

#[test]
fn r11_newline_in_start_tag() {
    let (main, shell) = both("<main\n id=a>nl</main>");
    assert_eq!(main, "nl");
    assert_eq!(
        shell,
        shell_of("<main id=\"a\" data-djust-shell-placeholder=\"1\"></main>")
    );
}

#[test]
fn r12_self_closing_main_is_an_open_tag() {
    let (main, _) = both("<main/>after</main>");
    assert_eq!(main, "after");
}

#[test]
fn r13_non_ascii_case_folding_is_not_main() {
    assert_eq!(split("<ma\u{131}n>x</ma\u{131}n>"), None);
    assert_eq!(split("<MA\u{130}N>x</MA\u{130}N>"), None);
}

#[test]
fn r14_empty_main_is_found() {
    let (main, shell) = both("<main></main>");
    assert_eq!(main, "");
    assert_eq!(shell, shell_of(PLACEHOLDER));
}

//! The hostile inputs: deep nesting of each element family, misnesting, foster parenting,
//! templates and foreign content, each about 200 KB. Shared by `benches/shell_stream.rs`.

/// Copies of each repeated piece.
pub const N: usize = 40_000;

/// Every hostile input, by name: a `<main>` around a page built from one repeated piece.
pub fn inputs() -> Vec<(&'static str, String)> {
    let wrap = |body: String| format!("<!DOCTYPE html><body><main>{body}</main></body>");
    vec![
        ("nested_div", wrap("<div>".repeat(N))),
        ("nested_ul_li", wrap("<ul><li>".repeat(N / 2))),
        ("nested_span", wrap("<span>".repeat(N))),
        ("nested_b", wrap("<b>".repeat(N))),
        ("misnested_b_p", wrap("<b><p>x</b>".repeat(N / 3))),
        ("nested_table", wrap("<table><tr><td>".repeat(N / 4))),
        (
            "foster_text",
            wrap(format!("<table>{}</table>", "x<i>y".repeat(N / 3))),
        ),
        ("nested_template", wrap("<template>".repeat(N / 2))),
        ("nested_svg", wrap("<svg><g>".repeat(N / 2))),
        ("nested_button_p", wrap("<button><p>".repeat(N / 2))),
    ]
}

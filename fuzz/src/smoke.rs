//! Smoke target: diagnostics built from arbitrary text print in djust's form.

use arbitrary::{Arbitrary, Unstructured};
use liveshell::diagnostics::{Diagnostic, Severity};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    severity: u8,
    message: &'a str,
    hint: Option<&'a str>,
}

/// Formats a diagnostic made of arbitrary text and checks the `id (severity): message` form.
pub fn run(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let severity = match input.severity % 3 {
        0 => Severity::Error,
        1 => Severity::Warning,
        _ => Severity::Info,
    };
    let mut diagnostic = Diagnostic::new("djust.C000", severity, input.message);
    if let Some(hint) = input.hint {
        diagnostic = diagnostic.with_hint(hint);
    }
    let text = diagnostic.to_string();
    let head = format!("djust.C000 ({severity}): {}", input.message);
    assert!(text.starts_with(&head), "{text:?} lacks {head:?}");
    match input.hint {
        Some(hint) => assert!(text.ends_with(&format!(" (hint: {hint})"))),
        None => assert_eq!(text, head),
    }
}

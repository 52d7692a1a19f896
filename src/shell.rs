//! Split an HTML page into its shell and the contents of its `<main>` element.
//!
//! *Not implemented yet (issue 3).* This module will parse a whole document with html5ever, exactly
//! as a browser does, find the first HTML `main` element outside templates, and return its inner
//! HTML and the page with that element emptied and marked as a placeholder. It replaces the regex
//! `<main\b[^>]*>([\s\S]*?)</main>`, which breaks on comments, scripts, templates and `<main-nav>`.

//! The report as a document: every page's Markdown (after templating) in reading order, read
//! once into a document model (`model.rs`), written as one document — a PDF typeset by Typst
//! (`typst.rs` writes the markup, `pdf.rs` typesets it in the fonts `fonts.rs` chooses) or a
//! Word document (`docx.rs`).
//!
//! The pages are rendered as a build renders them (the same templates, data and figures);
//! a [`Collector`] takes each page's Markdown instead of writing the page.

pub mod docx;
pub mod fonts;
pub mod model;
pub mod pdf;
pub mod typst;

use std::sync::Mutex;

use crate::diagnostics::Diagnostic;
use crate::render::{MarkdownPage, PageSink};

/// The report as a document: its title and language, and its pages in reading order.
#[derive(Debug, Default)]
pub struct Document {
    /// The report's title (`huibao.toml`'s `title`).
    pub title: String,
    /// Its language (`zh-CN`).
    pub language: String,
    /// Every page, in reading order.
    pub pages: Vec<MarkdownPage>,
}

impl Document {
    /// Every page read into the document model ([`model`]).
    pub fn model(&self) -> Vec<model::Page> {
        let keys: std::collections::HashSet<&str> =
            self.pages.iter().map(|p| p.key.as_str()).collect();
        self.pages.iter().map(|p| model::page(p, &keys)).collect()
    }
}

/// A page sink that keeps each page's Markdown and drops its HTML.
#[derive(Debug, Default)]
pub struct Collector {
    pages: Mutex<Vec<MarkdownPage>>,
}

impl Collector {
    /// The pages taken, in reading order.
    pub fn into_pages(self) -> Vec<MarkdownPage> {
        let mut pages = self.pages.into_inner().unwrap_or_else(|e| e.into_inner());
        pages.sort_by_key(|p| p.index);
        pages
    }
}

impl PageSink for Collector {
    fn put(&self, _path: &std::path::Path, _bytes: &[u8]) -> Result<(), Diagnostic> {
        Ok(())
    }

    fn wants_markdown(&self) -> bool {
        true
    }

    fn put_markdown(&self, page: MarkdownPage) {
        self.pages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(page);
    }
}

/// The text of an HTML fragment: its tags, comments, scripts and styles left out, its
/// entities read back.
pub fn html_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        text.push_str(&rest[..at]);
        rest = &rest[at..];
        let skip_to = |rest: &str, end: &str| -> usize {
            let lower = rest.to_ascii_lowercase();
            lower.find(end).map_or(rest.len(), |e| e + end.len())
        };
        let lower_start: String = rest
            .chars()
            .take(8)
            .collect::<String>()
            .to_ascii_lowercase();
        let end = if rest.starts_with("<!--") {
            skip_to(rest, "-->")
        } else if lower_start.starts_with("<script") {
            skip_to(rest, "</script>")
        } else if lower_start.starts_with("<style") {
            skip_to(rest, "</style>")
        } else {
            rest.find('>').map_or(rest.len(), |e| e + 1)
        };
        rest = &rest[end..];
    }
    text.push_str(rest);
    crate::html::unescape(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_of_html_has_no_tags() {
        assert_eq!(
            html_text("<p class=\"x\">因病<b>3302</b>人 &gt; 0</p>"),
            "因病3302人 > 0"
        );
        assert_eq!(
            html_text("前<!-- a > b --><STYLE>.x{}</STYLE><script>if (a<b) {}</script>后"),
            "前后"
        );
    }
}

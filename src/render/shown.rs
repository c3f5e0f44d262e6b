//! Figures as the page shows them: a span with the source, a link to the correction, and
//! the record of each for the figures manifest.

use super::CorrectedFigures;

use super::corrections_page;
use super::markdown;
use crate::manifest;
use crate::provenance::{self, Origin, Sources};

/// Shows a page's figures with their sources (and a link to their correction), and
/// records each one for the manifest.
pub(super) struct ShownFigures<'s> {
    pub(super) sources: &'s Sources,
    pub(super) corrected: Option<&'s CorrectedFigures>,
    pub(super) root: &'s str,
    pub(super) found: manifest::Figures,
}

impl markdown::FigureHtml for ShownFigures<'_> {
    fn figure(&mut self, payload: &str, text_html: &str, in_link: bool, out: &mut String) {
        let Some(origin) = Origin::decode(payload) else {
            out.push_str(text_html);
            return;
        };
        // One value of a data file (most figures): its source and key alone, its key only
        // when something was corrected.
        if let Origin::Data(at) = origin
            && let Some((file, value)) = self.sources.value(at)
        {
            let corrected = self
                .corrected
                .filter(|c| !c.is_empty())
                .and_then(|c| c.get(&provenance::data_key(file, value)));
            let mut digits = itoa::Buffer::new();
            let line = digits.format(value.line);
            self.span(&[&file.path, ":", line], text_html, corrected, in_link, out);
            self.found.push_data(at, &crate::html::unescape(text_html));
            return;
        }
        let described = self.sources.describe(&origin);
        let corrected = self
            .corrected
            .filter(|_| described.direct)
            .and_then(|c| c.get(&described.key));
        self.span(&[&described.src], text_html, corrected, in_link, out);
        // A computed figure (or, never written by huibao, a value of no data file).
        self.found.push_computed(manifest::Computed {
            key: described.key,
            what: described.what,
            src: described.src,
            value: crate::html::unescape(text_html).into_owned(),
        });
    }

    fn source(&self, payload: &str) -> String {
        Origin::decode(payload)
            .map(|origin| self.sources.src(&origin))
            .unwrap_or_default()
    }
}

impl ShownFigures<'_> {
    /// Writes a figure's span at the end of `html`: its text with its source (`src`, in
    /// parts), and the note of its correction when it has one (the title alone inside a
    /// link).
    fn span(
        &self,
        src: &[&str],
        text_html: &str,
        corrected: Option<&(String, String)>,
        in_link: bool,
        html: &mut String,
    ) {
        use crate::html::push_html_text;
        // Pushed piece by piece (every figure of every page): no formatting machinery.
        html.push_str(if corrected.is_some() {
            "<span class=\"fig-corrected\" data-src=\""
        } else {
            "<span data-src=\""
        });
        for part in src {
            push_html_text(html, part);
        }
        html.push('"');
        // Inside a link no second link may be added: the mark stays, the note is the title.
        match (corrected, in_link) {
            (Some((anchor, title)), false) => {
                html.push('>');
                html.push_str(text_html);
                html.push_str("<a class=\"fig-note\" href=\"");
                html.push_str(self.root);
                html.push_str(corrections_page::PAGE);
                html.push('#');
                push_html_text(html, anchor);
                html.push_str("\" title=\"");
                push_html_text(html, title);
                html.push_str("\">更正</a>");
            }
            (Some((_, title)), true) => {
                html.push_str(" title=\"");
                push_html_text(html, title);
                html.push_str("\">");
                html.push_str(text_html);
            }
            (None, _) => {
                html.push('>');
                html.push_str(text_html);
            }
        }
        html.push_str("</span>");
    }
}

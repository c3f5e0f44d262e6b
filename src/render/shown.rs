//! Figures as the page shows them: a span with the source, a link to the correction, and
//! the record of each for the figures manifest.

use super::CorrectedFigures;

use super::corrections_page;
use super::markdown;
use crate::manifest;
use crate::provenance::{self, Origin, SourceFile, Sources};

/// Shows a page's figures with their sources (and a link to their correction), and
/// records each one for the manifest.
pub(super) struct ShownFigures<'s> {
    pub(super) sources: &'s Sources,
    pub(super) corrected: Option<&'s CorrectedFigures>,
    pub(super) root: &'s str,
    pub(super) found: manifest::Figures,
    /// The data file of the last figure shown with its path escaped for HTML: most of a
    /// page's figures are of one file, its path escaped once.
    pub(super) last_file: Option<(&'s SourceFile, String)>,
}

impl markdown::FigureHtml for ShownFigures<'_> {
    fn figure(&mut self, payload: &str, text_html: &str, in_link: bool, out: &mut String) {
        let Some(origin) = Origin::decode(payload) else {
            out.push_str(text_html);
            return;
        };
        // One value of a data file (most figures): its source and key alone, its key only
        // when something was corrected.
        let sources: &Sources = self.sources;
        if let Origin::Data(at) = origin
            && let Some((file, value)) = sources.value(at)
        {
            let corrected = self
                .corrected
                .filter(|c| !c.is_empty())
                .and_then(|c| c.get(&provenance::data_key(file, value)));
            if !self
                .last_file
                .as_ref()
                .is_some_and(|(last, _)| std::ptr::eq(*last, file))
            {
                self.last_file = Some((file, crate::html::escape_html_text(&file.path).into()));
            }
            let mut digits = itoa::Buffer::new();
            let mut src_html = provenance::data_src_parts(file, value, &mut digits);
            // The path escaped once a page; the colon and the line's digits need no escaping.
            src_html[0] = self
                .last_file
                .as_ref()
                .map_or("", |(_, html)| html.as_str());
            self.span(&src_html, text_html, corrected, in_link, out);
            self.found.push_data(at, &crate::html::unescape(text_html));
            return;
        }
        let described = self.sources.describe(&origin);
        let corrected = self
            .corrected
            .filter(|_| described.direct)
            .and_then(|c| c.get(&described.key));
        let src_html = crate::html::escape_html_text(&described.src);
        self.span(&[&src_html], text_html, corrected, in_link, out);
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
    /// Writes a figure's span at the end of `html`: its text with its source (`src_html`,
    /// in parts escaped for HTML), and the note of its correction when it has one (the
    /// title alone inside a link).
    fn span(
        &self,
        src_html: &[&str],
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
        for part in src_html {
            html.push_str(part);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provenance::{Ref, SourceFile, SourceValue};
    use markdown::FigureHtml;

    /// What a page shows of value 0 of one data file (corrected when `corrected`).
    fn shown(corrected: bool, in_link: bool) -> String {
        let file = SourceFile {
            path: "data/villages/hengxi.yaml".into(),
            pattern: "data/villages/*.yaml".into(),
            title: "横溪村".into(),
            group: "村委会".into(),
            values: vec![SourceValue::new(5, "households", "户数")].into(),
        };
        let key = provenance::data_key(&file, &file.values[0]);
        let sources = Sources {
            files: vec![std::sync::Arc::new(file)],
        };
        let mut notes = super::super::CorrectedFigures::default();
        if corrected {
            notes.insert(key, ("c1".into(), "原为 1,841".into()));
        }
        let mut figures = ShownFigures {
            sources: &sources,
            corrected: Some(&notes),
            root: "../",
            found: manifest::Figures::default(),
            last_file: None,
        };
        let payload = Origin::Data(Ref { file: 0, value: 0 }).encode();
        let mut html = String::new();
        figures.figure(&payload, "1,814户", in_link, &mut html);
        html
    }

    #[test]
    fn a_span_reads_as_its_figure_s_text_with_or_without_its_correction_s_link() {
        for (corrected, in_link) in [(false, false), (false, true), (true, true), (true, false)] {
            let html = shown(corrected, in_link);
            // Its text is the figure's either way (a correction's link is not text): the
            // search index takes the figure's text without reading the HTML.
            let text = crate::search::text::page_text(&html).body;
            assert_eq!(text, "1,814户", "{html}");
            // The link to the correction's note, outside a link only.
            assert_eq!(html.contains("fig-note"), corrected && !in_link, "{html}");
            assert!(
                html.starts_with("<span ") && html.ends_with("</span>"),
                "{html}"
            );
        }
    }
}

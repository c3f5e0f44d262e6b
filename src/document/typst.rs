//! The report as Typst markup, laid out as GB/T 9704-2012 lays out official documents: A4,
//! margins 37/35/28/26 mm, body 3号 (16 pt) 仿宋 in 22 lines of 28 characters, page titles 2号
//! 小标宋, headings 一、 in 黑体 and （一） in 楷体, page numbers 「— 1 —」 in 4号 on the outer
//! side.
//!
//! Each page's Markdown is read with pulldown-cmark, as the HTML pages are, and written as
//! Typst: every run of text as a string literal (`#"…";`), so no character of the report is
//! ever read as Typst markup. Charts (the `<figure class="chart …">` blocks the `chart`
//! helper writes) become vector images of their SVG with their caption; `site-only` blocks
//! are left out, as on the whole-report page.

use pulldown_cmark::{Alignment, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};

use super::Document;
use super::fonts::Fonts;
use crate::render::markdown;

/// The Typst source of the report and the files it reads (the charts' SVG, by path).
#[derive(Debug, Default)]
pub struct TypstSource {
    /// The main file's text.
    pub main: String,
    /// The other files: (path from the project root, `/charts/1.svg`; bytes).
    pub files: Vec<(String, Vec<u8>)>,
}

/// Typesetting lengths of GB/T 9704-2012 (in points unless said): 3号 body, 29 pt line pitch
/// (22 lines in the 225 mm type area), 28 characters in the 156 mm line.
const PREAMBLE: &str = r#"#set page(
  paper: "a4",
  margin: (top: 37mm, bottom: 35mm, left: 28mm, right: 26mm),
  footer-descent: 7mm,
  footer: context {
    let n = counter(page).get().first()
    let number = text(font: NUMBERS, size: 14pt, tracking: 0pt)[— #n —]
    if calc.odd(n) { align(right, number + h(1em)) } else { align(left, h(1em) + number) }
  },
)
#set text(font: BODY, size: 16pt, lang: LANG, region: REGION, cjk-latin-spacing: none,
  top-edge: 0.8em, bottom-edge: -0.2em, tracking: -0.22pt)
#set par(first-line-indent: (amount: 2em, all: true), leading: 13pt, spacing: 13pt, justify: true)
#set list(indent: 2em)
#set enum(indent: 2em)
#show heading: set text(size: 16pt, weight: "regular")
#show heading: it => block(above: 13pt, below: 13pt, sticky: true, {
  if it.level > 1 { h(2em) }
  it.body
})
#show heading.where(level: 1): it => block(width: 100%, above: 0pt, below: 29pt, sticky: true,
  align(center, text(font: TITLE, size: 22pt, weight: TITLE_WEIGHT, tracking: 0pt, it.body)))
#show heading.where(level: 2): set text(font: HEITI)
#show heading.where(level: 3): set text(font: KAITI)
#show emph: set text(font: KAITI, style: "normal")
#set table(stroke: 0.5pt, inset: (x: 4pt, y: 5pt))
#show table: set text(size: 12pt, tracking: 0pt, top-edge: "cap-height", bottom-edge: "baseline")
#show table: set par(first-line-indent: 0pt, justify: false, leading: 0.6em)
#show table.cell.where(y: 0): set text(font: HEITI)
#set figure(gap: 8pt)
#show figure.caption: set text(font: HEITI, size: 14pt, tracking: 0pt)
#show figure: set block(breakable: false)
#show raw: set text(size: 12pt, tracking: 0pt)
#show footnote.entry: set text(size: 12pt, tracking: 0pt)
#show footnote.entry: set par(first-line-indent: 0pt)
"#;

/// Writes the report `document` as Typst markup set in `fonts`.
pub fn write(document: &Document, fonts: &Fonts) -> TypstSource {
    let (lang, region) = match document.language.split_once('-') {
        Some((lang, region)) => (lang.to_lowercase(), Some(region.to_lowercase())),
        None => (document.language.to_lowercase(), None),
    };
    let mut out = String::new();
    out.push_str(&format!(
        "#set document(title: {}, date: none)\n",
        string(&document.title)
    ));
    let preamble = PREAMBLE
        .replace("NUMBERS", &string(&fonts.numbers))
        .replace("BODY", &string(&fonts.body))
        .replace("LANG", &string(&lang))
        .replace(
            "REGION",
            &region.as_deref().map_or("none".to_string(), string),
        )
        .replace(
            "TITLE_WEIGHT",
            if fonts.title_is_bold {
                "\"regular\""
            } else {
                "\"bold\""
            },
        )
        .replace("TITLE", &string(&fonts.title))
        .replace("HEITI", &string(&fonts.heiti))
        .replace("KAITI", &string(&fonts.kaiti));
    out.push_str(&preamble);
    let pages: HashSet<&str> = document.pages.iter().map(|p| p.key.as_str()).collect();
    let mut files = Vec::new();
    for (n, page) in document.pages.iter().enumerate() {
        if n > 0 {
            out.push_str("\n#pagebreak(weak: true)\n");
        }
        out.push_str(&format!(
            "#heading(level: 1)[{}]#label({})\n\n",
            text(&crate::provenance::strip(&page.title)),
            string(&page_label(&page.key))
        ));
        let source_dir = page.key.rsplit_once('/').map_or("", |(dir, _)| dir);
        let mut writer = Writer {
            out: &mut out,
            files: &mut files,
            pages: &pages,
            source_dir,
            number_headings: page.number_headings,
            counters: [0; 7],
            pending_space: false,
            last_wide: false,
        };
        writer.page(&crate::provenance::strip(&page.markdown));
    }
    TypstSource { main: out, files }
}

/// The label of a page's title, which links to the page lead to.
fn page_label(key: &str) -> String {
    format!("page:{key}")
}

/// A Typst string literal of `value`.
fn string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `value` as markup that shows it as it is (an embedded string).
fn text(value: &str) -> String {
    if value.is_empty() {
        String::new()
    } else {
        format!("#{};", string(value))
    }
}

/// Whether `c` is a wide (CJK) character: no space stands for a line break next to it.
fn is_wide(c: char) -> bool {
    unicode_width::UnicodeWidthChar::width(c) == Some(2)
}

/// Writes one page's Markdown as Typst markup.
struct Writer<'w> {
    out: &'w mut String,
    files: &'w mut Vec<(String, Vec<u8>)>,
    /// Every page's content path, for links between pages.
    pages: &'w HashSet<&'w str>,
    /// The folder of the page's content file, for its links.
    source_dir: &'w str,
    number_headings: bool,
    counters: [usize; 7],
    /// A line break in the Markdown text, written as a space unless next to wide text.
    pending_space: bool,
    /// Whether the last character written was wide.
    last_wide: bool,
}

/// What an open element closes with.
enum Open {
    /// Closed by this text.
    Text(&'static str),
    /// A heading: its markup is held until its end, to put its number in.
    Heading { level: HeadingLevel, start: usize },
    /// A link to nowhere the document has: its text stays, unlinked.
    Nothing,
}

impl Writer<'_> {
    fn page(&mut self, markdown: &str) {
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_HEADING_ATTRIBUTES
            | Options::ENABLE_TASKLISTS;
        let events: Vec<Event<'_>> = Parser::new_ext(markdown, options).collect();
        // Footnote definitions are written where they are referred to.
        let mut footnotes: HashMap<String, Vec<Event<'_>>> = HashMap::new();
        let mut body = Vec::with_capacity(events.len());
        let mut definition: Option<(String, Vec<Event<'_>>)> = None;
        for event in events {
            match event {
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    definition = Some((label.to_string(), Vec::new()));
                }
                Event::End(TagEnd::FootnoteDefinition) => {
                    if let Some((label, events)) = definition.take() {
                        footnotes.insert(label, events);
                    }
                }
                event => match &mut definition {
                    Some((_, events)) => events.push(event),
                    None => body.push(event),
                },
            }
        }
        self.events(body, &footnotes);
    }

    fn events<'e>(&mut self, events: Vec<Event<'e>>, footnotes: &HashMap<String, Vec<Event<'e>>>) {
        let mut open: Vec<Open> = Vec::new();
        // Inside a `site-only` block: how many `<div>` are open.
        let mut site_only = 0usize;
        let mut html_block: Option<String> = None;
        let mut code_block: Option<String> = None;
        for event in events {
            if let Some(html) = &mut html_block {
                match event {
                    Event::Html(text) | Event::Text(text) => html.push_str(&text),
                    Event::End(TagEnd::HtmlBlock) => {
                        let html = html_block.take().unwrap_or_default();
                        site_only = self.html_block(&html, site_only);
                    }
                    _ => {}
                }
                continue;
            }
            if site_only > 0 {
                if let Event::Start(Tag::HtmlBlock) = event {
                    html_block = Some(String::new());
                }
                continue;
            }
            if let Some(code) = &mut code_block {
                match event {
                    Event::Text(text) => code.push_str(&text),
                    _ => {
                        let code = code_block.take().unwrap_or_default();
                        self.out.push_str(&format!(
                            "#raw({}, block: true)\n\n",
                            string(code.trim_end_matches('\n'))
                        ));
                    }
                }
                continue;
            }
            match event {
                Event::Start(tag) => self.start(tag, &mut open, &mut code_block, &mut html_block),
                Event::End(end) => self.end(end, &mut open),
                Event::Text(value) => self.text(&value),
                Event::Code(value) => {
                    self.flush_space(None);
                    self.out.push_str(&format!("#raw({});", string(&value)));
                    self.last_wide = false;
                }
                Event::InlineMath(value) | Event::DisplayMath(value) => self.text(&value),
                Event::Html(html) | Event::InlineHtml(html) => {
                    let tag = html.trim().to_ascii_lowercase();
                    if tag.starts_with("<br") {
                        self.out.push_str("#linebreak()");
                        self.pending_space = false;
                    }
                }
                Event::FootnoteReference(label) => {
                    if let Some(definition) = footnotes.get(label.as_ref()) {
                        self.out.push_str("#footnote[");
                        let empty = HashMap::new();
                        self.events(definition.clone(), &empty);
                        self.out.push(']');
                    }
                }
                Event::SoftBreak => self.pending_space = true,
                Event::HardBreak => {
                    self.out.push_str("#linebreak()");
                    self.pending_space = false;
                }
                Event::Rule => self.out.push_str("#line(length: 100%, stroke: 0.5pt)\n\n"),
                Event::TaskListMarker(done) => self.text(if done { "☑ " } else { "☐ " }),
            }
        }
    }

    fn start<'e>(
        &mut self,
        tag: Tag<'e>,
        open: &mut Vec<Open>,
        code_block: &mut Option<String>,
        html_block: &mut Option<String>,
    ) {
        self.flush_space(None);
        match tag {
            Tag::Paragraph => {}
            Tag::Heading { level, .. } => open.push(Open::Heading {
                level,
                start: self.out.len(),
            }),
            Tag::BlockQuote(_) => {
                self.out.push_str(
                    "#block(inset: (left: 1em, y: 2pt), stroke: (left: 1pt), above: 13pt, below: 13pt, text(size: 14pt)[",
                );
                open.push(Open::Text("])\n\n"));
            }
            Tag::CodeBlock(_) => *code_block = Some(String::new()),
            Tag::HtmlBlock => *html_block = Some(String::new()),
            Tag::List(None) => {
                self.out.push_str("#list(");
                open.push(Open::Text(")\n\n"));
            }
            Tag::List(Some(first)) => {
                self.out.push_str(&format!("#enum(start: {first}, "));
                open.push(Open::Text(")\n\n"));
            }
            Tag::Item => {
                self.out.push('[');
                open.push(Open::Text("], "));
            }
            Tag::Table(alignments) => {
                let align: Vec<&str> = alignments
                    .iter()
                    .map(|a| match a {
                        Alignment::Right => "right",
                        Alignment::Center => "center",
                        Alignment::Left | Alignment::None => "left",
                    })
                    .collect();
                self.out.push_str(&format!(
                    "#align(center, table(columns: {}, align: ({},), ",
                    alignments.len().max(1),
                    align.join(", ")
                ));
                open.push(Open::Text("))\n\n"));
            }
            Tag::TableHead => {
                self.out.push_str("table.header(repeat: true, ");
                open.push(Open::Text("), "));
            }
            Tag::TableRow => open.push(Open::Text("")),
            Tag::TableCell => {
                self.out.push('[');
                open.push(Open::Text("], "));
            }
            Tag::Emphasis => {
                self.out.push_str("#emph[");
                open.push(Open::Text("]"));
            }
            Tag::Strong => {
                self.out.push_str("#strong[");
                open.push(Open::Text("]"));
            }
            Tag::Strikethrough => {
                self.out.push_str("#strike[");
                open.push(Open::Text("]"));
            }
            Tag::Link { dest_url, .. } => {
                let dest = crate::provenance::strip(&dest_url);
                match markdown::linked_content(&dest, self.source_dir) {
                    Some((Some(target), _)) if self.pages.contains(target.as_str()) => {
                        self.out
                            .push_str(&format!("#link(label({}))[", string(&page_label(&target))));
                        open.push(Open::Text("]"));
                    }
                    None if dest.contains("://") || dest.starts_with("mailto:") => {
                        self.out.push_str(&format!("#link({})[", string(&dest)));
                        open.push(Open::Text("]"));
                    }
                    // A link to a file of the site: the document has no such file.
                    _ => open.push(Open::Nothing),
                }
            }
            Tag::Image { .. } => {
                // The image's description stands for it (its text events follow).
                self.out.push_str("#emph[");
                open.push(Open::Text("]"));
            }
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_)
            | Tag::Superscript
            | Tag::Subscript => open.push(Open::Text("")),
        }
    }

    fn end(&mut self, end: TagEnd, open: &mut Vec<Open>) {
        self.pending_space = false;
        match end {
            TagEnd::Paragraph => {
                self.out.push_str("\n\n");
                self.last_wide = false;
            }
            TagEnd::CodeBlock | TagEnd::HtmlBlock => {}
            _ => match open.pop() {
                Some(Open::Text(close)) => self.out.push_str(close),
                Some(Open::Heading { level, start }) => {
                    let body = self.out.split_off(start);
                    let number = if self.number_headings {
                        markdown::heading_number(level, &mut self.counters)
                    } else {
                        String::new()
                    };
                    self.out.push_str(&format!(
                        "#heading(level: {})[{}{}]\n\n",
                        level as usize,
                        text(&number),
                        body
                    ));
                    self.last_wide = false;
                }
                Some(Open::Nothing) | None => {}
            },
        }
    }

    /// Writes a run of text.
    fn text(&mut self, value: &str) {
        if value.is_empty() {
            return;
        }
        self.flush_space(value.chars().next());
        self.out.push_str(&text(value));
        self.last_wide = value.chars().last().is_some_and(is_wide);
    }

    /// Writes the space a line break in the text stands for, unless wide text is on either
    /// side (`next`: the first character of what follows).
    fn flush_space(&mut self, next: Option<char>) {
        if std::mem::take(&mut self.pending_space) && !self.last_wide && !next.is_some_and(is_wide)
        {
            self.out.push(' ');
        }
    }

    /// Writes an HTML block: a chart as its SVG and caption, the start or end of a
    /// `site-only` block (left out), anything else as its text. Returns how many `site-only`
    /// blocks are open after it (`site_only` before it).
    fn html_block(&mut self, html: &str, site_only: usize) -> usize {
        if site_only > 0 {
            let opened = crate::html::count(html, "<div");
            let closed = crate::html::count(html, "</div>");
            return (site_only + opened).saturating_sub(closed);
        }
        let trimmed = html.trim_start();
        if trimmed.starts_with("<div") && is_site_only(trimmed) {
            let opened = crate::html::count(html, "<div");
            let closed = crate::html::count(html, "</div>");
            return opened.saturating_sub(closed);
        }
        let mut rest = html;
        while let Some(at) = rest.find("<figure class=\"chart") {
            let end = rest[at..]
                .find("</figure>")
                .map_or(rest.len(), |e| at + e + "</figure>".len());
            let before = super::html_text(&rest[..at]);
            if !before.trim().is_empty() {
                self.paragraph(before.trim());
            }
            self.chart(&rest[at..end]);
            rest = &rest[end..];
        }
        let after = super::html_text(rest);
        if !after.trim().is_empty() {
            self.paragraph(after.trim());
        }
        0
    }

    fn paragraph(&mut self, value: &str) {
        self.out.push_str(&text(value));
        self.out.push_str("\n\n");
    }

    /// A chart's figure: its SVG as a vector image, its caption, its notes.
    fn chart(&mut self, figure: &str) {
        let between = |open: &str, close: &str| -> Option<String> {
            let start = figure.find(open)? + open.len();
            let end = figure[start..].find(close)? + start;
            Some(figure[start..end].to_string())
        };
        let caption = between("<figcaption>", "</figcaption>")
            .map(|c| super::html_text(&c))
            .unwrap_or_default();
        let svg = figure.find("<svg").and_then(|start| {
            figure[start..]
                .find("</svg>")
                .map(|e| &figure[start..start + e + 6])
        });
        let Some(svg) = svg else {
            if !caption.is_empty() {
                self.paragraph(&caption);
            }
            return;
        };
        let path = format!("/charts/{}.svg", self.files.len() + 1);
        self.files.push((path.clone(), svg.as_bytes().to_vec()));
        self.out.push_str(&format!(
            "#figure(image({}, width: 92%), caption: [{}])\n\n",
            string(&path),
            text(&caption)
        ));
        let mut rest = figure;
        while let Some(at) = rest.find("<p class=\"chart-note\">") {
            let start = at + "<p class=\"chart-note\">".len();
            let end = rest[start..].find("</p>").map_or(rest.len(), |e| start + e);
            let note = super::html_text(&rest[start..end]);
            self.out.push_str(&format!(
                "#align(center, block(text(size: 12pt, tracking: 0pt)[{}]))\n\n",
                text(note.trim())
            ));
            rest = &rest[end..];
        }
    }
}

/// Whether the start tag at the beginning of `html` has the class `site-only`.
fn is_site_only(html: &str) -> bool {
    let tag = &html[..html.find('>').unwrap_or(html.len())];
    let Some(at) = tag.find("class=") else {
        return false;
    };
    let value = &tag[at + "class=".len()..];
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'');
    let value = match quote {
        Some(q) => value[1..].split(q).next().unwrap_or(""),
        None => value.split_ascii_whitespace().next().unwrap_or(""),
    };
    value.split_ascii_whitespace().any(|c| c == "site-only")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::MarkdownPage;

    fn fonts() -> Fonts {
        Fonts {
            body: "仿宋".into(),
            heiti: "黑体".into(),
            kaiti: "楷体".into(),
            title: "小标宋".into(),
            title_is_bold: true,
            numbers: "宋体".into(),
        }
    }

    fn page(key: &str, markdown: &str, numbered: bool) -> MarkdownPage {
        MarkdownPage {
            index: 0,
            key: key.into(),
            output: key.replace(".md", ".html"),
            title: "标题".into(),
            number_headings: numbered,
            markdown: markdown.into(),
        }
    }

    fn typst_of(pages: Vec<MarkdownPage>) -> TypstSource {
        let document = Document {
            title: "报告".into(),
            language: "zh-CN".into(),
            pages,
        };
        write(&document, &fonts())
    }

    #[test]
    fn text_is_never_read_as_markup() {
        let source = typst_of(vec![page(
            "index.md",
            "a #b *c* $d$ \\\"e\\\" <f> [g] = h\n- not a list\n",
            false,
        )]);
        let main = &source.main;
        assert!(
            main.contains("#\"a #b \";#emph[#\"c\";]#\" $d$ \";#\"\\\"e\";"),
            "{main}"
        );
        assert!(main.contains("#\" = h\";"), "{main}");
    }

    #[test]
    fn headings_get_their_official_numbers() {
        let source = typst_of(vec![page(
            "index.md",
            "## 基本情况\n\n### 责任\n\n### 政策\n\n## 成效\n",
            true,
        )]);
        let main = &source.main;
        for expected in [
            "#heading(level: 2)[#\"一、\";#\"基本情况\";]",
            "#heading(level: 3)[#\"（一）\";#\"责任\";]",
            "#heading(level: 3)[#\"（二）\";#\"政策\";]",
            "#heading(level: 2)[#\"二、\";#\"成效\";]",
        ] {
            assert!(main.contains(expected), "{expected} in {main}");
        }
    }

    #[test]
    fn a_line_break_between_chinese_characters_is_no_space() {
        let source = typst_of(vec![page(
            "index.md",
            "全乡\n辖17个\nvillage\ncommittees",
            false,
        )]);
        assert!(
            source
                .main
                .contains("#\"全乡\";#\"辖17个\";#\"village\"; #\"committees\";"),
            "{}",
            source.main
        );
    }

    #[test]
    fn links_between_pages_lead_to_their_titles_and_others_are_text() {
        let source = typst_of(vec![
            page(
                "policies/health.md",
                "见[村委会](../villages/index.md#x)、[表](../data.csv)和[网站](https://example.org)。",
                false,
            ),
            page("villages/index.md", "", false),
        ]);
        let main = &source.main;
        assert!(
            main.contains("#link(label(\"page:villages/index.md\"))[#\"村委会\";]"),
            "{main}"
        );
        assert!(main.contains("#heading(level: 1)[#\"标题\";]#label(\"page:villages/index.md\")"));
        assert!(
            main.contains("#\"表\";") && !main.contains("data.csv"),
            "{main}"
        );
        assert!(
            main.contains("#link(\"https://example.org\")[#\"网站\";]"),
            "{main}"
        );
    }

    #[test]
    fn tables_keep_their_columns_alignment_and_header() {
        let source = typst_of(vec![page(
            "index.md",
            "| 年度 | 户数 |\n|---|---:|\n| 2014年 | 153户 |\n",
            false,
        )]);
        assert!(
            source.main.contains("#align(center, table(columns: 2, align: (left, right,), table.header(repeat: true, [#\"年度\";], [#\"户数\";], ), [#\"2014年\";], [#\"153户\";], ))"),
            "{}",
            source.main
        );
    }

    #[test]
    fn charts_become_images_and_site_only_blocks_are_left_out() {
        let chart = "<figure class=\"chart chart-pie\" id=\"c\">\n<figcaption>致贫原因 &amp; 构成</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><text>因病</text></svg>\n<p class=\"chart-note\">注：示例</p>\n<details class=\"chart-data\"><summary>查看数据表</summary><table><tr><td>因病</td></tr></table></details>\n</figure>";
        let markdown = format!(
            "<div class=\"site-only\">\n\n> 示例站点\n\n</div>\n\n正文\n\n{chart}\n\n后文\n"
        );
        let source = typst_of(vec![page("index.md", &markdown, false)]);
        let main = &source.main;
        assert!(!main.contains("示例站点"), "{main}");
        assert!(
            main.contains("#\"正文\";") && main.contains("#\"后文\";"),
            "{main}"
        );
        assert!(
            main.contains(
                "#figure(image(\"/charts/1.svg\", width: 92%), caption: [#\"致贫原因 & 构成\";])"
            ),
            "{main}"
        );
        assert!(main.contains("#\"注：示例\";"), "{main}");
        assert!(!main.contains("查看数据表"), "{main}");
        assert_eq!(source.files.len(), 1);
        assert!(source.files[0].1.starts_with(b"<svg"));
    }

    #[test]
    fn footnotes_are_written_where_they_are_referred_to() {
        let source = typst_of(vec![page(
            "index.md",
            "正文[^1]。\n\n[^1]: 注释。\n",
            false,
        )]);
        assert!(
            source.main.contains("#\"正文\";#footnote[#\"注释。\";"),
            "{}",
            source.main
        );
    }
}

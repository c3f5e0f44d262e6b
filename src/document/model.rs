//! The document model: a page's Markdown (after templating) read once with pulldown-cmark,
//! as the HTML pages read it, into plain blocks and inlines that every document writer
//! (`typst.rs` for the PDF, `docx.rs` for Word) writes its own way.
//!
//! What only the site needs is left out here, once: `site-only` blocks, the data tables
//! under charts (the chart itself stays, as its SVG), raw HTML tags (their text stays).
//! Headings carry their official numbers (一、（一）1.（1）) when the page numbers them;
//! figures are plain text (their source markers are stripped); a line break in the text is a
//! space unless next to Chinese text, as a browser shows it.

use pulldown_cmark::{Alignment, Event, HeadingLevel, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};
use std::iter::Peekable;

use crate::render::{MarkdownPage, markdown};

/// One page of the document.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// Its content path (`villages/hengxi.md`): what links to it name.
    pub key: String,
    /// Its title.
    pub title: String,
    /// Its content.
    pub blocks: Vec<Block>,
}

/// A block of a page.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A heading of `level` 1–6 (the page's title is not one), with its official number
    /// (empty when the page does not number its headings).
    Heading {
        level: u8,
        number: String,
        content: Vec<Inline>,
    },
    /// A paragraph.
    Paragraph(Vec<Inline>),
    /// A list: numbered from `start`, or bulleted (`None`); each item is blocks.
    List {
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    /// A block quote.
    Quote(Vec<Block>),
    /// Preformatted text.
    Code(String),
    /// A table: each column's alignment, the header row's cells, the body rows.
    Table {
        alignments: Vec<Align>,
        header: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    /// A chart: its caption, its SVG, the notes under it.
    Chart {
        caption: String,
        svg: String,
        notes: Vec<String>,
    },
    /// A horizontal rule.
    Rule,
}

/// The alignment of a table column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// A run of a paragraph.
#[derive(Clone, Debug, PartialEq)]
pub enum Inline {
    /// Text, shown as it is.
    Text(String),
    /// Code.
    Code(String),
    /// Emphasis (楷体 in an official document).
    Emphasis(Vec<Inline>),
    /// Strong.
    Strong(Vec<Inline>),
    /// Struck out.
    Strike(Vec<Inline>),
    /// A link.
    Link { to: LinkTo, content: Vec<Inline> },
    /// A line break.
    LineBreak,
    /// A footnote: its content, where it is referred to.
    Footnote(Vec<Block>),
}

/// Where a link leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkTo {
    /// A page of the document, by its content path.
    Page(String),
    /// Outside the site (`https://…`, `mailto:…`).
    Url(String),
}

/// Reads `page` into the model; `pages` are the content paths of every page of the document
/// (links to them stay links; links to other files of the site become their text).
pub fn page(page: &MarkdownPage, pages: &HashSet<&str>) -> Page {
    let markdown_text = crate::provenance::strip(&page.markdown);
    // Footnote definitions are kept aside and placed where they are referred to.
    let mut definitions: HashMap<String, Vec<Event<'_>>> = HashMap::new();
    let mut body = Vec::new();
    let mut definition: Option<(String, Vec<Event<'_>>)> = None;
    for event in Parser::new_ext(&markdown_text, markdown::OPTIONS) {
        match event {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                definition = Some((markdown::footnote_label(&label), Vec::new()));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some((label, events)) = definition.take() {
                    definitions.insert(label, events);
                }
            }
            event => match &mut definition {
                Some((_, events)) => events.push(event),
                None => body.push(event),
            },
        }
    }
    let source_dir = page.key.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut context = Context {
        pages,
        source_dir,
        number_headings: page.number_headings,
        counters: [0; 7],
        definitions: &definitions,
        expanding: Vec::new(),
        skipping: false,
        inline_depth: 0,
    };
    let blocks = context.blocks(&mut body.into_iter().peekable(), None);
    Page {
        key: page.key.clone(),
        title: clean(&crate::provenance::strip(&page.title)).into_owned(),
        blocks,
    }
}

/// What reading a page needs besides its events.
struct Context<'c, 'e> {
    pages: &'c HashSet<&'c str>,
    source_dir: &'c str,
    number_headings: bool,
    counters: [usize; 7],
    definitions: &'c HashMap<String, Vec<Event<'e>>>,
    /// The footnotes being read (one that refers to itself is not read again).
    expanding: Vec<String>,
    /// Whether the blocks read are left out (inside a `site-only` element): their headings
    /// take no number.
    skipping: bool,
    /// How many emphasis, strong, struck-out and link runs the text read is inside.
    inline_depth: usize,
}

/// How many runs deep emphasis, strong, struck-out text and links are kept as such; deeper
/// ones are plain text (a document's typesetter has a depth limit of its own).
const MAX_INLINE_DEPTH: usize = 8;

/// Whether `tag` starts a block.
fn is_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_)
    )
}

impl<'e> Context<'_, 'e> {
    /// Blocks up to the end `until` (consumed), or to the end of the events.
    fn blocks<I: Iterator<Item = Event<'e>>>(
        &mut self,
        events: &mut Peekable<I>,
        until: Option<TagEnd>,
    ) -> Vec<Block> {
        let mut blocks = Vec::new();
        // Whether a `site-only` element is open (its HTML split around Markdown blocks).
        let mut site_only = crate::render::print::SiteOnly::default();
        while let Some(event) = events.peek() {
            match event {
                Event::End(end) if Some(*end) == until => {
                    events.next();
                    break;
                }
                Event::Start(tag) if is_block(tag) => {
                    let Some(Event::Start(tag)) = events.next() else {
                        break;
                    };
                    if let Tag::HtmlBlock = tag {
                        let html = html_of(events);
                        let kept = crate::render::print::without_site_only(&html, &mut site_only);
                        html_block(&kept, &mut blocks);
                        continue;
                    }
                    site_only.block_starts();
                    let skipped = site_only.is_open();
                    let outer = self.skipping;
                    self.skipping = outer || skipped;
                    let block = self.block(tag, events);
                    self.skipping = outer;
                    if !skipped {
                        blocks.extend(block);
                    }
                }
                Event::Rule => {
                    events.next();
                    site_only.block_starts();
                    if !site_only.is_open() {
                        blocks.push(Block::Rule);
                    }
                }
                Event::End(_) => {
                    // An end this reader did not start: skipped.
                    events.next();
                }
                _ => {
                    // Inline events outside a paragraph (a tight list's item).
                    site_only.block_starts();
                    let content = self.inlines(events, None);
                    if !site_only.is_open() && !content.is_empty() {
                        blocks.push(Block::Paragraph(content));
                    }
                }
            }
        }
        blocks
    }

    /// The block that `tag` (just read) starts.
    fn block<I: Iterator<Item = Event<'e>>>(
        &mut self,
        tag: Tag<'e>,
        events: &mut Peekable<I>,
    ) -> Option<Block> {
        Some(match tag {
            Tag::Paragraph => Block::Paragraph(self.inlines(events, Some(TagEnd::Paragraph))),
            Tag::Heading { level, .. } => {
                let content = self.inlines(events, Some(TagEnd::Heading(level)));
                let number = if self.number_headings && !self.skipping {
                    markdown::heading_number(level, &mut self.counters)
                } else {
                    String::new()
                };
                Block::Heading {
                    level: heading_level(level),
                    number,
                    content,
                }
            }
            Tag::BlockQuote(kind) => {
                Block::Quote(self.blocks(events, Some(TagEnd::BlockQuote(kind))))
            }
            Tag::CodeBlock(_) => {
                let mut code = String::new();
                for event in events.by_ref() {
                    match event {
                        Event::Text(text) => code.push_str(&text),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                Block::Code(clean(code.trim_end_matches('\n')).into_owned())
            }
            Tag::List(start) => {
                let mut items = Vec::new();
                while let Some(event) = events.next() {
                    match event {
                        Event::Start(Tag::Item) => {
                            items.push(self.blocks(events, Some(TagEnd::Item)));
                        }
                        Event::End(TagEnd::List(_)) => break,
                        _ => {}
                    }
                }
                Block::List { start, items }
            }
            Tag::Table(alignments) => {
                let alignments = alignments
                    .iter()
                    .map(|a| match a {
                        Alignment::Right => Align::Right,
                        Alignment::Center => Align::Center,
                        Alignment::Left | Alignment::None => Align::Left,
                    })
                    .collect();
                let mut header = Vec::new();
                let mut rows = Vec::new();
                while let Some(event) = events.next() {
                    match event {
                        Event::Start(Tag::TableHead) => {
                            header = self.cells(events, TagEnd::TableHead)
                        }
                        Event::Start(Tag::TableRow) => {
                            rows.push(self.cells(events, TagEnd::TableRow))
                        }
                        Event::End(TagEnd::Table) => break,
                        _ => {}
                    }
                }
                Block::Table {
                    alignments,
                    header,
                    rows,
                }
            }
            // Read to their end and left out: definition lists and metadata are not written
            // by huibao's templates.
            other => {
                let end = other.to_end();
                self.blocks(events, Some(end));
                return None;
            }
        })
    }

    /// The cells of a table row, up to `until`.
    fn cells<I: Iterator<Item = Event<'e>>>(
        &mut self,
        events: &mut Peekable<I>,
        until: TagEnd,
    ) -> Vec<Vec<Inline>> {
        let mut cells = Vec::new();
        while let Some(event) = events.next() {
            match event {
                Event::Start(Tag::TableCell) => {
                    cells.push(self.inlines(events, Some(TagEnd::TableCell)));
                }
                Event::End(end) if end == until => break,
                _ => {}
            }
        }
        cells
    }

    /// Inlines up to the end `until` (consumed); with `None`, up to the next block.
    fn inlines<I: Iterator<Item = Event<'e>>>(
        &mut self,
        events: &mut Peekable<I>,
        until: Option<TagEnd>,
    ) -> Vec<Inline> {
        let mut out = Vec::new();
        let mut pending_space = false;
        // Inside an inline `site-only` element (`<span class="site-only">`): its text is left
        // out, as on the whole-report page.
        let mut site_only = crate::render::print::SiteOnly::default();
        // Runs read without their formatting (nested past the limit, or inside a site-only
        // span): how many are open. They are counted, not recursed into, so no input nests
        // the reader deeper than the limit.
        let mut flat = 0usize;
        while let Some(event) = events.peek() {
            match event {
                Event::End(end) if flat == 0 && Some(*end) == until => {
                    events.next();
                    break;
                }
                Event::Start(tag) if is_block(tag) => break,
                Event::End(_) if flat == 0 && until.is_none() => break,
                Event::Rule => break,
                _ => {}
            }
            let Some(event) = events.next() else { break };
            if let Event::InlineHtml(html) = &event {
                crate::render::print::without_site_only(html, &mut site_only);
            }
            match &event {
                Event::Start(_)
                    if site_only.is_open() || self.inline_depth + 1 >= MAX_INLINE_DEPTH =>
                {
                    flat += 1;
                    continue;
                }
                Event::End(_) if flat > 0 => {
                    flat -= 1;
                    continue;
                }
                _ if site_only.is_open() => continue,
                _ => {}
            }
            match event {
                Event::Text(text) => push_text(&mut out, &text, std::mem::take(&mut pending_space)),
                Event::SoftBreak => pending_space = true,
                Event::HardBreak => out.push(Inline::LineBreak),
                Event::Code(code) => out.push(Inline::Code(clean(&code).into_owned())),
                Event::InlineMath(text) | Event::DisplayMath(text) => {
                    push_text(&mut out, &text, std::mem::take(&mut pending_space))
                }
                Event::Html(html) | Event::InlineHtml(html) => {
                    if html.trim().to_ascii_lowercase().starts_with("<br") {
                        out.push(Inline::LineBreak);
                    }
                }
                Event::FootnoteReference(label) => {
                    let label = markdown::footnote_label(&label);
                    let definition = self.definitions.get(&label);
                    if let Some(definition) =
                        definition.filter(|_| !self.expanding.contains(&label))
                    {
                        let inside_footnote = !self.expanding.is_empty();
                        self.expanding.push(label);
                        // A footnote's text is read as it is wherever it is referred to.
                        let depth = std::mem::take(&mut self.inline_depth);
                        let mut events = definition.clone().into_iter().peekable();
                        let blocks = self.blocks(&mut events, None);
                        self.inline_depth = depth;
                        self.expanding.pop();
                        if inside_footnote {
                            // A footnote of a footnote: its text in brackets, where it is.
                            let text: Vec<String> = blocks.iter().map(text_of).collect();
                            let text = text.join(" ");
                            if !text.is_empty() {
                                push_text(&mut out, &format!("（{text}）"), false);
                            }
                        } else {
                            out.push(Inline::Footnote(blocks));
                        }
                    }
                }
                Event::TaskListMarker(_) => {}
                Event::Start(tag) => {
                    let end = tag.to_end();
                    self.inline_depth += 1;
                    let content = self.inlines(events, Some(end));
                    self.inline_depth -= 1;
                    match tag {
                        Tag::Emphasis => out.push(Inline::Emphasis(content)),
                        Tag::Strong => out.push(Inline::Strong(content)),
                        Tag::Strikethrough => out.push(Inline::Strike(content)),
                        Tag::Link { dest_url, .. } => match self.link(&dest_url) {
                            Some(to) => out.push(Inline::Link { to, content }),
                            None => extend(&mut out, content),
                        },
                        // An image's description stands for it; other tags keep their text.
                        _ => extend(&mut out, content),
                    }
                }
                Event::End(_) | Event::Rule => {}
            }
        }
        out
    }

    /// Where a link of this page leads in the document (`None`: nowhere it has).
    fn link(&self, dest: &str) -> Option<LinkTo> {
        match markdown::linked_content(dest, self.source_dir) {
            Some((Some(target), _)) if self.pages.contains(target.as_str()) => {
                Some(LinkTo::Page(target))
            }
            None if dest.contains("://") || dest.starts_with("mailto:") => {
                Some(LinkTo::Url(dest.to_string()))
            }
            _ => None,
        }
    }
}

/// Adds `text` to the inlines, joined to the text before it; `space` when a line break came
/// between them (a space unless Chinese text is on either side).
fn push_text(out: &mut Vec<Inline>, text: &str, space: bool) {
    let text = &*clean(text);
    if let Some(Inline::Text(last)) = out.last_mut() {
        if space
            && !last.chars().last().is_some_and(is_wide)
            && !text.chars().next().is_some_and(is_wide)
        {
            last.push(' ');
        }
        last.push_str(text);
    } else {
        out.push(Inline::Text(text.to_string()));
    }
}

/// The text of a block, its parts joined by spaces.
pub fn text_of(block: &Block) -> String {
    fn inline_text(inlines: &[Inline], out: &mut Vec<String>) {
        for inline in inlines {
            match inline {
                Inline::Text(text) | Inline::Code(text) => out.push(text.clone()),
                Inline::Emphasis(inner) | Inline::Strong(inner) | Inline::Strike(inner) => {
                    inline_text(inner, out)
                }
                Inline::Link { content, .. } => inline_text(content, out),
                Inline::LineBreak => {}
                Inline::Footnote(blocks) => out.extend(blocks.iter().map(text_of)),
            }
        }
    }
    let mut parts = Vec::new();
    match block {
        Block::Heading {
            number, content, ..
        } => {
            parts.push(number.clone());
            inline_text(content, &mut parts);
        }
        Block::Paragraph(content) => inline_text(content, &mut parts),
        Block::List { items, .. } => {
            for item in items {
                parts.extend(item.iter().map(text_of));
            }
        }
        Block::Quote(blocks) => parts.extend(blocks.iter().map(text_of)),
        Block::Code(code) => parts.push(code.clone()),
        Block::Table { header, rows, .. } => {
            for cell in header.iter().chain(rows.iter().flatten()) {
                inline_text(cell, &mut parts);
            }
        }
        Block::Chart { caption, notes, .. } => {
            parts.push(caption.clone());
            parts.extend(notes.iter().cloned());
        }
        Block::Rule => {}
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" ")
}

/// Adds `content` to the inlines, its first text joined to the text before it.
fn extend(out: &mut Vec<Inline>, content: Vec<Inline>) {
    for inline in content {
        match inline {
            Inline::Text(text) => push_text(out, &text, false),
            other => out.push(other),
        }
    }
}

/// `text` without the control characters a document cannot hold (XML 1.0 forbids them in
/// a Word document; a Shift+Enter pasted from Word is U+000B): tabs and line ends stay.
pub fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    let refused = |c: char| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
    };
    if text.contains(refused) {
        std::borrow::Cow::Owned(text.chars().filter(|&c| !refused(c)).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Whether `c` is a wide (CJK) character: no space stands for a line break next to it.
pub fn is_wide(c: char) -> bool {
    unicode_width::UnicodeWidthChar::width(c) == Some(2)
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

/// The text of an HTML block, to its end.
fn html_of<'e, I: Iterator<Item = Event<'e>>>(events: &mut Peekable<I>) -> String {
    let mut html = String::new();
    for event in events.by_ref() {
        match event {
            Event::Html(text) | Event::Text(text) => html.push_str(&text),
            Event::End(TagEnd::HtmlBlock) => break,
            _ => {}
        }
    }
    html
}

/// Reads an HTML block (its `site-only` parts already left out) into `blocks`: a chart as
/// its SVG, caption and notes; anything else as its text.
fn html_block(html: &str, blocks: &mut Vec<Block>) {
    let mut rest = html;
    while let Some(at) = rest.find("<figure class=\"chart") {
        let end = rest[at..]
            .find("</figure>")
            .map_or(rest.len(), |e| at + e + "</figure>".len());
        text_block(&rest[..at], blocks);
        blocks.push(chart(&rest[at..end]));
        rest = &rest[end..];
    }
    text_block(rest, blocks);
}

/// The text of an HTML fragment as a paragraph, when it has any.
fn text_block(html: &str, blocks: &mut Vec<Block>) {
    let text = super::html_text(html);
    let text = text.trim();
    if !text.is_empty() {
        blocks.push(Block::Paragraph(vec![Inline::Text(
            clean(text).into_owned(),
        )]));
    }
}

/// A chart's figure (`<figure class="chart …">`): its caption, SVG and notes; its data table
/// (`<details>`) stays on the site.
fn chart(figure: &str) -> Block {
    let between = |open: &str, close: &str| -> Option<&str> {
        let start = figure.find(open)? + open.len();
        let end = figure[start..].find(close)? + start;
        Some(&figure[start..end])
    };
    let caption = between("<figcaption>", "</figcaption>")
        .map(|c| clean(&super::html_text(c)).into_owned())
        .unwrap_or_default();
    let svg = figure
        .find("<svg")
        .and_then(|start| {
            let end = figure[start..].find("</svg>")? + start + "</svg>".len();
            Some(figure[start..end].to_string())
        })
        .unwrap_or_default();
    let mut notes = Vec::new();
    let mut rest = figure;
    while let Some(at) = rest.find("<p class=\"chart-note\">") {
        let start = at + "<p class=\"chart-note\">".len();
        let end = rest[start..].find("</p>").map_or(rest.len(), |e| start + e);
        notes.push(clean(super::html_text(&rest[start..end]).trim()).into_owned());
        rest = &rest[end..];
    }
    Block::Chart {
        caption,
        svg,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(key: &str, markdown: &str, numbered: bool, pages: &[&str]) -> Vec<Block> {
        let page_keys: HashSet<&str> = pages.iter().copied().collect();
        let markdown_page = MarkdownPage {
            index: 0,
            key: key.into(),
            output: key.replace(".md", ".html"),
            title: "标题".into(),
            number_headings: numbered,
            markdown: markdown.into(),
        };
        page(&markdown_page, &page_keys).blocks
    }

    fn text(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn headings_get_their_official_numbers() {
        let blocks = read(
            "index.md",
            "## 基本情况\n\n### 责任\n\n### 政策\n\n## 成效\n",
            true,
            &[],
        );
        let numbers: Vec<&str> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { number, .. } => Some(number.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(numbers, ["一、", "（一）", "（二）", "二、"]);
    }

    #[test]
    fn a_line_break_between_chinese_characters_is_no_space() {
        let blocks = read("index.md", "全乡\n辖17个\nvillage\ncommittees", false, &[]);
        assert_eq!(
            blocks,
            [Block::Paragraph(vec![text("全乡辖17个village committees")])]
        );
    }

    #[test]
    fn links_between_pages_stay_links_and_links_to_files_become_text() {
        let blocks = read(
            "policies/health.md",
            "见[村委会](../villages/index.md#x)、[表](../data.csv)和[网站](https://example.org)。",
            false,
            &["villages/index.md"],
        );
        assert_eq!(
            blocks,
            [Block::Paragraph(vec![
                text("见"),
                Inline::Link {
                    to: LinkTo::Page("villages/index.md".into()),
                    content: vec![text("村委会")]
                },
                text("、表和"),
                Inline::Link {
                    to: LinkTo::Url("https://example.org".into()),
                    content: vec![text("网站")]
                },
                text("。"),
            ])]
        );
    }

    #[test]
    fn tables_keep_their_columns_alignment_and_header() {
        let blocks = read(
            "index.md",
            "| 年度 | 户数 |\n|---|---:|\n| 2014年 | 153户 |\n",
            false,
            &[],
        );
        assert_eq!(
            blocks,
            [Block::Table {
                alignments: vec![Align::Left, Align::Right],
                header: vec![vec![text("年度")], vec![text("户数")]],
                rows: vec![vec![vec![text("2014年")], vec![text("153户")]]],
            }]
        );
    }

    #[test]
    fn charts_are_kept_with_their_svg_and_site_only_blocks_are_left_out() {
        let chart = "<figure class=\"chart chart-pie\" id=\"c\">\n<figcaption>致贫原因 &amp; 构成</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><text>因病</text></svg>\n<p class=\"chart-note\">注：示例</p>\n<details class=\"chart-data\"><summary>查看数据表</summary><table><tr><td>因病</td></tr></table></details>\n</figure>";
        let markdown = format!(
            "<div class=\"site-only\">\n\n> 示例站点\n\n</div>\n\n正文\n\n{chart}\n\n后文\n"
        );
        let blocks = read("index.md", &markdown, false, &[]);
        assert_eq!(
            blocks,
            [
                Block::Paragraph(vec![text("正文")]),
                Block::Chart {
                    caption: "致贫原因 & 构成".into(),
                    svg: "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>因病</text></svg>".into(),
                    notes: vec!["注：示例".into()],
                },
                Block::Paragraph(vec![text("后文")]),
            ]
        );
    }

    #[test]
    fn tight_and_nested_lists_keep_their_items() {
        let blocks = read("index.md", "- 甲\n- 乙\n  1. 丙\n", false, &[]);
        assert_eq!(
            blocks,
            [Block::List {
                start: None,
                items: vec![
                    vec![Block::Paragraph(vec![text("甲")])],
                    vec![
                        Block::Paragraph(vec![text("乙")]),
                        Block::List {
                            start: Some(1),
                            items: vec![vec![Block::Paragraph(vec![text("丙")])]],
                        },
                    ],
                ],
            }]
        );
    }

    #[test]
    fn a_footnote_of_a_footnote_is_text_in_brackets_and_deep_emphasis_is_text() {
        let blocks = read(
            "index.md",
            "正文[^a]。\n\n[^a]: 注[^b]。\n\n[^b]: 末注\n",
            false,
            &[],
        );
        assert_eq!(
            blocks,
            [Block::Paragraph(vec![
                text("正文"),
                Inline::Footnote(vec![Block::Paragraph(vec![text("注（末注）。")])]),
                text("。"),
            ])]
        );
        let deep = format!("{}深{}", "*".repeat(40000), "*".repeat(40000));
        let blocks = read("index.md", &deep, false, &[]);
        let mut depth = 0;
        let Block::Paragraph(mut inlines) = blocks[0].clone() else {
            panic!("{blocks:?}");
        };
        while let Some(Inline::Emphasis(inner) | Inline::Strong(inner)) = inlines.first().cloned() {
            depth += 1;
            inlines = inner;
        }
        assert!(depth <= MAX_INLINE_DEPTH, "{depth}");
        assert_eq!(text_of(&blocks[0]), "深");
    }

    #[test]
    fn footnotes_that_refer_to_themselves_are_read_once() {
        let blocks = read(
            "index.md",
            "正文[^a]。\n\n[^a]: 见[^b]。\n\n[^b]: 见[^a]。\n",
            false,
            &[],
        );
        let Block::Paragraph(content) = &blocks[0] else {
            panic!("{blocks:?}");
        };
        assert!(matches!(content[1], Inline::Footnote(_)), "{blocks:?}");
    }

    #[test]
    fn control_characters_are_left_out() {
        let blocks = read("index.md", "甲\u{b}乙\u{1}丙\t丁", false, &[]);
        assert_eq!(blocks, [Block::Paragraph(vec![text("甲乙丙\t丁")])]);
    }

    #[test]
    fn site_only_parts_are_left_out_as_on_the_whole_report_page() {
        let markdown = "<p>介绍</p><div class=\"site-only\">\n\n## 网站说明\n\n</div>\n<div class=\"note\">重要说明</div>\n\n## 正文标题\n\n<!-- 注释 a > b -->\n";
        let blocks = read("index.md", markdown, true, &[]);
        assert_eq!(
            blocks,
            [
                Block::Paragraph(vec![text("介绍")]),
                Block::Paragraph(vec![text("重要说明")]),
                Block::Heading {
                    level: 2,
                    number: "一、".into(),
                    content: vec![text("正文标题")],
                },
            ]
        );
    }

    #[test]
    fn an_unclosed_site_only_paragraph_ends_at_the_next_block_and_spans_are_left_out() {
        let markdown = "<p class=\"site-only\">网站专用\n\n正文甲<span class=\"site-only\">（仅网站）</span>乙\n\n## 正式\n";
        let blocks = read("index.md", markdown, true, &[]);
        assert_eq!(
            blocks,
            [
                Block::Paragraph(vec![text("正文甲乙")]),
                Block::Heading {
                    level: 2,
                    number: "一、".into(),
                    content: vec![text("正式")],
                },
            ]
        );
    }

    #[test]
    fn formatted_text_inside_a_site_only_span_is_left_out_too() {
        let markdown =
            "正文甲<span class=\"site-only\">网站**强调**[链接](https://example.com)尾</span>乙";
        let blocks = read("index.md", markdown, false, &[]);
        assert_eq!(blocks, [Block::Paragraph(vec![text("正文甲乙")])]);
    }

    #[test]
    fn footnotes_are_placed_where_they_are_referred_to() {
        let blocks = read("index.md", "正文[^1]。\n\n[^1]: 注释。\n", false, &[]);
        assert_eq!(
            blocks,
            [Block::Paragraph(vec![
                text("正文"),
                Inline::Footnote(vec![Block::Paragraph(vec![text("注释。")])]),
                text("。"),
            ])]
        );
        // A label matches without case and with its spaces run together, as in Markdown.
        let blocks = read(
            "index.md",
            "正文[^Note  A]。\n\n[^note a]: 注释。\n",
            false,
            &[],
        );
        assert!(
            matches!(&blocks[..], [Block::Paragraph(inlines)] if inlines.iter().any(|i| matches!(i, Inline::Footnote(_)))),
            "{blocks:?}"
        );
    }
}

//! Markdown to HTML with pulldown-cmark: heading anchors and numbering, and links between
//! content files rewritten into relative links to the built pages.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Tag, TagEnd, html};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::provenance::{self, Piece};

/// How the page shows figures that carry provenance markers ([`crate::provenance`]).
pub trait FigureHtml {
    /// Writes the HTML of a figure in the page's text at the end of `out`: `text_html` is
    /// its text, already escaped; `in_link` when it is inside a link (where no other link
    /// may be added). What it writes must read as the figure's text to a reader of the
    /// page's words (anything else in it, as a correction's 「更正」 link, marked as not
    /// text: see [`crate::search::text`]): the search index takes the text as it is,
    /// without reading the HTML.
    fn figure(&mut self, payload: &str, text_html: &str, in_link: bool, out: &mut String);
    /// A figure's source, for an attribute value written as an empty marked figure.
    fn source(&self, payload: &str) -> String;
}

/// Figures shown as plain text, without their sources.
pub struct PlainFigures;

impl FigureHtml for PlainFigures {
    fn figure(&mut self, _payload: &str, text_html: &str, _in_link: bool, out: &mut String) {
        out.push_str(text_html);
    }
    fn source(&self, _payload: &str) -> String {
        String::new()
    }
}

/// A heading of a page, for the on-page table of contents.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The anchor id (`#id`).
    pub id: String,
    /// The heading's text, with its number when headings are numbered.
    pub text: String,
}

/// What a page's Markdown became.
#[derive(Debug, Default)]
pub struct RenderedMarkdown {
    /// The HTML body.
    pub html: String,
    /// The headings, in order.
    pub headings: Vec<Heading>,
    /// Links to content files that are not pages of the site (the link target as written).
    pub broken_links: Vec<String>,
    /// The page's tables as its events said them, for their CSV downloads.
    pub tables: super::table_csv::TablesRead,
}

/// How links in one page are resolved.
pub struct Links<'a> {
    /// Content path of every page (`villages/hengxi.md`) → its output path (`villages/hengxi.html`).
    pub pages: &'a HashMap<String, String>,
    /// The folder of the current page's content file (`villages`, or `` at the top).
    pub source_dir: &'a str,
    /// `../` repeated to reach the site root from the current page.
    pub root: &'a str,
}

/// The Markdown huibao reads: CommonMark with tables, footnotes, strikethrough and
/// `{#id}` heading attributes (pages, the whole-report page and the documents alike).
pub const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_HEADING_ATTRIBUTES);

/// Renders `markdown` to HTML; marked figures are shown through `figures`, and the events
/// read by `search_text` (the page's text for the search index) as they are written.
///
/// The events stream from the parser to the HTML writer (a heading is held until it ends, a
/// run of text until it does): a page of 10,000 table rows holds no list of its events.
pub fn to_html(
    markdown: &str,
    links: &Links<'_>,
    number_headings: bool,
    figures: &mut dyn FigureHtml,
    search_text: Option<&mut crate::search::text::Reader>,
) -> RenderedMarkdown {
    let long = super::long_tables::LONG;
    to_html_cut_from(markdown, long, links, number_headings, figures, search_text)
}

/// [`to_html`], with Markdown of `long` bytes or more read in pieces where it can be.
fn to_html_cut_from(
    markdown: &str,
    long: usize,
    links: &Links<'_>,
    number_headings: bool,
    figures: &mut dyn FigureHtml,
    search_text: Option<&mut crate::search::text::Reader>,
) -> RenderedMarkdown {
    // A long table is parsed a piece at a time (see [`super::long_tables`]); a page read
    // whole goes straight from its parser, through the same code made for it.
    let pieces = super::long_tables::Pieces::cut(markdown, long);
    // A long page is mostly a table of figures, each a span naming its source in the HTML:
    // about three times its Markdown. Its HTML gets room for four at once, not grown by
    // doubling (each step copies the whole: at a 100,000-village overview, 42 MB copied
    // into 85 MB while the 42 MB is still held); the room never written is never touched,
    // and costs no memory.
    let capacity = if markdown.len() >= long {
        markdown.len() * 4
    } else {
        markdown.len() + markdown.len() / 2
    };
    let written = HtmlWriter {
        capacity,
        links,
        number_headings,
        figures,
        search_text,
    };
    match pieces.whole() {
        Some(whole) => written.write(pulldown_cmark::Parser::new_ext(whole, OPTIONS)),
        None => written.write(pieces.events(OPTIONS)),
    }
}

/// What [`to_html`] writes the events of a page with.
struct HtmlWriter<'w, 'l> {
    /// How long the HTML is expected to be.
    capacity: usize,
    links: &'w Links<'l>,
    number_headings: bool,
    figures: &'w mut dyn FigureHtml,
    search_text: Option<&'w mut crate::search::text::Reader>,
}

impl HtmlWriter<'_, '_> {
    /// The HTML of the page's Markdown `events`.
    fn write<'a>(self, events: impl Iterator<Item = Event<'a>>) -> RenderedMarkdown {
        let HtmlWriter {
            capacity,
            links,
            number_headings,
            figures,
            search_text,
        } = self;
        let mut broken_links = Vec::new();
        let mut headings = Vec::new();
        let mut used_ids: HashSet<String> = HashSet::default();
        let mut counters = [0usize; 7];
        let mut parsed = events.map(|event| match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                // A figure in a link's target or title is plain text there.
                dest_url: rewrite_link(
                    CowStr::from(provenance::strip(&dest_url).into_owned()),
                    links,
                    &mut broken_links,
                ),
                title: CowStr::from(provenance::strip(&title).into_owned()),
                id,
            }),
            // A picture from the site's root (`/images/水厂.png`) is made relative too.
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) if dest_url.starts_with('/') => Event::Start(Tag::Image {
                link_type,
                dest_url: rewrite_link(dest_url, links, &mut broken_links),
                title,
                id,
            }),
            // A footnote referred to as `[^Note]` and defined as `[^note]` is one footnote:
            // its link and its anchor are made from one label.
            Event::FootnoteReference(label) => {
                Event::FootnoteReference(footnote_label(&label).into())
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                Event::Start(Tag::FootnoteDefinition(footnote_label(&label).into()))
            }
            other => other,
        });
        // A heading is held until it ends: its id and number come from its whole text.
        let mut finished: std::collections::VecDeque<Event<'_>> = Default::default();
        // Headings inside a `site-only` element take no number: the whole-report page and the
        // documents leave them out, and number the others alike.
        let mut site_only = super::print::SiteOnly::default();
        let numbered = std::iter::from_fn(|| {
            if let Some(event) = finished.pop_front() {
                return Some(event);
            }
            let event = parsed.next()?;
            match &event {
                // Block HTML only: a `site-only` span ends with its paragraph and holds no heading.
                Event::Html(html) => {
                    super::print::without_site_only(html, &mut site_only);
                }
                Event::Start(tag) if !matches!(tag, Tag::HtmlBlock) => site_only.block_starts(),
                _ => {}
            }
            if !matches!(event, Event::Start(Tag::Heading { .. })) {
                return Some(event);
            }
            let mut buffered = vec![event];
            for event in parsed.by_ref() {
                let end = matches!(event, Event::End(TagEnd::Heading(_)));
                buffered.push(event);
                if end {
                    break;
                }
            }
            let level = match buffered.last() {
                Some(Event::End(TagEnd::Heading(level))) => *level,
                // The parser always ends what it starts; were it not to, left as it is.
                _ => {
                    finished.extend(buffered);
                    return finished.pop_front();
                }
            };
            let number = if number_headings && !site_only.is_open() {
                heading_number(level, &mut counters)
            } else {
                String::new()
            };
            let (events, heading) = finish_heading(buffered, number, &mut used_ids);
            headings.push(heading);
            finished.extend(events);
            finished.pop_front()
        });
        let mut shown = ShowFigures {
            figures,
            state: RawHtmlState::default(),
            links: 0,
            plain_depth: 0,
            search_text,
            tables: super::table_csv::TableReader::default(),
        };
        let events = merge_text(numbered).map(|event| shown.show(event));
        // The HTML is about as long as its Markdown and the figures' spans: reserved once.
        let mut html = String::with_capacity(capacity);
        html::push_html(&mut html, events);
        RenderedMarkdown {
            html,
            headings,
            broken_links,
            tables: shown.tables.finish(),
        }
    }
}

/// A footnote's label as Markdown matches it: without case, spaces run together.
pub fn footnote_label(label: &str) -> String {
    let words: Vec<&str> = label.split_whitespace().collect();
    words.join(" ").to_lowercase()
}

/// Joins each run of text events into one: Markdown may cut a run of text into several
/// events, and a figure is read whole.
fn merge_text<'a>(mut events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    let mut next: Option<Event<'a>> = None;
    std::iter::from_fn(move || {
        let first = next.take().or_else(|| events.next())?;
        let Event::Text(text) = first else {
            return Some(first);
        };
        let mut run: Option<String> = None;
        loop {
            match events.next() {
                Some(Event::Text(more)) => {
                    run.get_or_insert_with(|| text.to_string()).push_str(&more)
                }
                other => {
                    next = other;
                    break;
                }
            }
        }
        Some(Event::Text(run.map_or(text, CowStr::from)))
    })
}

/// Marked figures in text become their HTML (a span with the source); in code and image
/// descriptions they become plain text (link targets are made plain where they are read); in raw HTML they are shown as in
/// text outside tags, and inside a tag as their text. A figure with empty text stands for
/// its source: in raw HTML it becomes the source's text (a chart's SVG `<title>`).
struct ShowFigures<'f> {
    figures: &'f mut dyn FigureHtml,
    state: RawHtmlState,
    /// How many links the events are inside.
    links: usize,
    /// How many images and code blocks (where figures are plain text) they are inside.
    plain_depth: usize,
    /// Reads the events shown, for the search index.
    search_text: Option<&'f mut crate::search::text::Reader>,
    /// Reads the tables' cells, for their CSV downloads.
    tables: super::table_csv::TableReader,
}

impl ShowFigures<'_> {
    /// Follows the tables' structure for [`Self::tables`] (their texts are read as they are
    /// shown); what a cell's events cannot say as its HTML shows it leaves the table to its
    /// HTML.
    fn read_table(&mut self, event: &Event<'_>) {
        let tables = &mut self.tables;
        match event {
            Event::Start(Tag::Table(_)) => tables.table(),
            Event::End(TagEnd::Table) => tables.table_ends(),
            Event::Start(Tag::TableHead) => tables.head(true),
            Event::End(TagEnd::TableHead) => tables.head(false),
            Event::End(TagEnd::TableRow) => tables.row_ends(),
            Event::Start(Tag::TableCell) => tables.cell(),
            Event::End(TagEnd::TableCell) => tables.cell_ends(),
            Event::Text(_)
            | Event::Code(_)
            | Event::Start(
                Tag::TableRow | Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. },
            )
            | Event::End(
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link,
            ) => {}
            _ => tables.not_sure(),
        }
    }

    fn show<'a>(&mut self, event: Event<'a>) -> Event<'a> {
        let has = |t: &str| provenance::find_marker(t, provenance::OPEN).is_some();
        let plain = |t: &CowStr<'a>| CowStr::from(provenance::strip(t).into_owned());
        self.read_table(&event);
        let shown = match event {
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.plain_depth += 1;
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: plain(&dest_url),
                    title: plain(&title),
                    id,
                })
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                self.plain_depth += 1;
                Event::Start(Tag::CodeBlock(kind))
            }
            Event::End(end @ (TagEnd::Image | TagEnd::CodeBlock)) => {
                self.plain_depth = self.plain_depth.saturating_sub(1);
                Event::End(end)
            }
            Event::Start(tag @ Tag::Link { .. }) => {
                self.links += 1;
                Event::Start(tag)
            }
            Event::End(TagEnd::Link) => {
                self.links = self.links.saturating_sub(1);
                Event::End(TagEnd::Link)
            }
            Event::Text(text) if has(&text) => {
                if self.plain_depth > 0 {
                    let text = plain(&text);
                    self.tables.text(&text);
                    Event::Text(text)
                } else {
                    // Read as its text and figures, not as the HTML it becomes.
                    let in_link = self.links + self.state.links > 0;
                    return Event::Html(CowStr::from(text_with_figures(
                        &text,
                        in_link,
                        self.figures,
                        self.search_text.as_deref_mut(),
                        &mut self.tables,
                    )));
                }
            }
            Event::Text(text) => {
                self.tables.text(&text);
                Event::Text(text)
            }
            Event::Code(text) => {
                let text = if has(&text) { plain(&text) } else { text };
                self.tables.text(&text);
                Event::Code(text)
            }
            Event::Html(raw) => Event::Html(raw_html_with_figures(
                raw,
                &mut self.state,
                self.links,
                self.figures,
            )),
            Event::InlineHtml(raw) => Event::InlineHtml(raw_html_with_figures(
                raw,
                &mut self.state,
                self.links,
                self.figures,
            )),
            other => other,
        };
        if let Some(reader) = self.search_text.as_deref_mut() {
            reader.event(&shown);
        }
        shown
    }
}

/// Text with marked figures as HTML; `search_text` reads its text and each figure's HTML,
/// `tables` a table cell's text and figures.
fn text_with_figures(
    text: &str,
    in_link: bool,
    figures: &mut dyn FigureHtml,
    mut search_text: Option<&mut crate::search::text::Reader>,
    tables: &mut super::table_csv::TableReader,
) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for piece in provenance::pieces(text) {
        match piece {
            Piece::Plain(plain) => {
                crate::html::push_html_text(&mut out, plain);
                tables.text(plain);
                if let Some(reader) = search_text.as_deref_mut() {
                    reader.text(plain);
                }
            }
            Piece::Figure { payload, text: "" } => {
                let source = figures.source(payload);
                out.push_str(&crate::html::escape_html_text(&source));
                tables.not_sure();
                if let Some(reader) = search_text.as_deref_mut() {
                    reader.text(&source);
                }
            }
            Piece::Figure { payload, text } => {
                let escaped = crate::html::escape_html_text(text);
                let start = out.len();
                figures.figure(payload, &escaped, in_link, &mut out);
                tables.figure(text, &out[start..]);
                if let Some(reader) = search_text.as_deref_mut() {
                    reader.text(text);
                }
            }
        }
    }
    out
}

/// Where raw HTML is, between its fragments: inside a tag, inside `<script>`/`<style>`
/// (raw text, where markup would be code), inside a link.
#[derive(Default)]
struct RawHtmlState {
    in_tag: bool,
    raw_text: bool,
    links: usize,
}

impl RawHtmlState {
    /// Follows `text` (raw HTML without figures).
    fn track(&mut self, text: &str) {
        let bytes = text.as_bytes();
        // Whether the text ends inside a tag: its last `<` or `>` says.
        if let Some(last) = memchr::memrchr2(b'<', b'>', bytes) {
            self.in_tag = bytes[last] == b'<';
        }
        let mut at = 0;
        // A chart is thousands of tags: bytes compared in place, nothing allocated, each
        // tag's `<` found and its `>` passed by.
        while let Some(found) = memchr::memchr(b'<', &bytes[at..]) {
            at += found + 1;
            let after = &bytes[at..];
            // Only `<a`, `<s…`, `</a` and `</s…` can change the state: others (a chart's
            // `<rect`, `<text`, `</text`, `</td` …) are passed at their first bytes.
            let first = after.first().map(u8::to_ascii_lowercase);
            let name_start = match first {
                Some(b'/') => after.get(1).map(u8::to_ascii_lowercase),
                first => first,
            };
            if !matches!(name_start, Some(b'a' | b's')) {
                continue;
            }
            // The tag's name is `name` (any case), not the start of a longer one.
            let starts = |name: &str| {
                after
                    .get(..name.len())
                    .is_some_and(|start| start.eq_ignore_ascii_case(name.as_bytes()))
                    && !after
                        .get(name.len())
                        .is_some_and(|b| b.is_ascii_alphanumeric())
            };
            if starts("script") || starts("style") {
                self.raw_text = true;
            } else if starts("/script") || starts("/style") {
                self.raw_text = false;
            } else if starts("a") {
                self.links += 1;
            } else if starts("/a") {
                self.links = self.links.saturating_sub(1);
            }
        }
    }
}

/// Raw HTML with marked figures shown; `state` carries where the previous fragment ended.
fn raw_html_with_figures<'a>(
    raw: CowStr<'a>,
    state: &mut RawHtmlState,
    links: usize,
    figures: &mut dyn FigureHtml,
) -> CowStr<'a> {
    if provenance::find_marker(&raw, provenance::OPEN).is_none() {
        state.track(&raw);
        return raw;
    }
    let mut out = String::with_capacity(raw.len() + 64);
    for piece in provenance::pieces(&raw) {
        match piece {
            Piece::Plain(plain) => {
                state.track(plain);
                out.push_str(plain);
            }
            // An empty figure stands for its source (an SVG `<title>`, say).
            Piece::Figure { payload, text: "" } => {
                out.push_str(&crate::html::escape_html_text(&figures.source(payload)));
            }
            // In a tag, a script or a style a figure is its plain text.
            Piece::Figure { text, .. } if state.in_tag || state.raw_text => out.push_str(text),
            Piece::Figure { payload, text } => {
                let in_link = links + state.links > 0;
                figures.figure(payload, text, in_link, &mut out);
            }
        }
    }
    CowStr::from(out)
}

/// The official number of the next heading at `level` (`##` 一、, `###` （一）, `####` 1.,
/// `#####` （1）), counting in `counters`; empty for other levels.
pub fn heading_number(level: HeadingLevel, counters: &mut [usize; 7]) -> String {
    let depth = level as usize;
    if !(2..=5).contains(&depth) {
        return String::new();
    }
    counters[depth] += 1;
    for deeper in counters.iter_mut().skip(depth + 1) {
        *deeper = 0;
    }
    let n = counters[depth];
    // Pushed piece by piece (six headings a village page): no formatting machinery.
    let mut number = String::with_capacity(16);
    match depth {
        2 => {
            push_chinese_numeral(&mut number, n);
            number.push('、');
        }
        3 => {
            number.push('（');
            push_chinese_numeral(&mut number, n);
            number.push('）');
        }
        4 => {
            number.push_str(itoa::Buffer::new().format(n));
            number.push_str(". ");
        }
        _ => {
            number.push('（');
            number.push_str(itoa::Buffer::new().format(n));
            number.push('）');
        }
    }
    number
}

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九; larger numbers in digits.
pub fn chinese_numeral(n: usize) -> String {
    let mut numeral = String::new();
    push_chinese_numeral(&mut numeral, n);
    numeral
}

/// Pushes [`chinese_numeral`]`(n)` onto `out`.
fn push_chinese_numeral(out: &mut String, n: usize) {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => out.push_str(DIGITS[n]),
        10..=99 => {
            if n >= 20 {
                out.push_str(DIGITS[n / 10]);
            }
            out.push('十');
            if !n.is_multiple_of(10) {
                out.push_str(DIGITS[n % 10]);
            }
        }
        _ => out.push_str(itoa::Buffer::new().format(n)),
    }
}

fn finish_heading<'a>(
    mut buffered: Vec<Event<'a>>,
    number: String,
    used_ids: &mut HashSet<String>,
) -> (Vec<Event<'a>>, Heading) {
    let mut text = number.clone();
    for event in &buffered[1..] {
        if let Event::Text(t) | Event::Code(t) = event {
            text.push_str(&provenance::strip(t));
        }
    }
    let Event::Start(Tag::Heading {
        level,
        id,
        classes,
        attrs,
    }) = buffered.remove(0)
    else {
        unreachable!("a buffered heading starts with its Start event")
    };
    let base = match &id {
        Some(id) => id.to_string(),
        None => crate::html::slug(text.trim_start_matches(number.as_str())),
    };
    // The first free of `base`, `base-1`, `base-2` … (a heading may itself be called `x-1`).
    let mut unique = base.clone();
    let mut n = 0;
    while used_ids.contains(&unique) {
        n += 1;
        unique = format!("{base}-{n}");
    }
    used_ids.insert(unique.clone());
    let mut events = vec![Event::Start(Tag::Heading {
        level,
        id: Some(CowStr::from(unique.clone())),
        classes,
        attrs,
    })];
    if !number.is_empty() {
        let span = [crate::html::HEADING_NUMBER_START, &number, "</span>"].concat();
        events.push(Event::Html(CowStr::from(span)));
    }
    events.extend(buffered);
    let heading = Heading {
        level: level as u8,
        id: unique,
        text: text.trim().to_string(),
    };
    (events, heading)
}

/// `policies/education.md#x` → `../policies/education.html#x`, relative to the current page.
fn rewrite_link<'a>(dest: CowStr<'a>, links: &Links<'_>, broken: &mut Vec<String>) -> CowStr<'a> {
    if super::links::on_this_computer(&dest) {
        broken.push(dest.to_string());
        return dest;
    }
    // A file of the site from its root (`/images/水厂.png`, in `static/`): made relative, as
    // a page's link is, so that it works under any sub-path and from file://. (The link
    // check then finds whether the file is there.)
    if let Some(from_root) = dest.strip_prefix('/')
        && !from_root.starts_with('/')
        && linked_content(&dest, links.source_dir).is_none()
    {
        return CowStr::from(format!("{}{from_root}", links.root));
    }
    let Some((target, fragment)) = linked_content(&dest, links.source_dir) else {
        return dest;
    };
    match target.as_deref().and_then(|t| links.pages.get(t)) {
        Some(output) => {
            let mut url = format!("{}{output}", links.root);
            if let Some(fragment) = fragment {
                url.push('#');
                url.push_str(fragment);
            }
            CowStr::from(url)
        }
        None => {
            broken.push(dest.to_string());
            dest
        }
    }
}

/// The content file a link of a page in folder `source_dir` names, and its `#fragment`:
/// `None` when the link is not to a content file (`.md`); `Some((None, _))` when its path
/// leaves `content/`. `../villages/index.md#x` from `policies` names `villages/index.md`.
pub fn linked_content<'d>(
    dest: &'d str,
    source_dir: &str,
) -> Option<(Option<String>, Option<&'d str>)> {
    let (path, fragment) = match dest.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (dest, None),
    };
    if !path.ends_with(".md") || path.contains("://") || path.starts_with("//") {
        return None;
    }
    let joined = if let Some(absolute) = path.strip_prefix('/') {
        absolute.to_string()
    } else if source_dir.is_empty() {
        path.to_string()
    } else {
        format!("{source_dir}/{path}")
    };
    Some((normalize(&joined), fragment))
}

/// Resolves `.` and `..` in a `/`-separated path; `None` if it leaves the top folder.
pub(crate) fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages() -> HashMap<String, String> {
        [
            ("index.md", "index.html"),
            ("villages/index.md", "villages/index.html"),
            ("villages/hengxi.md", "villages/hengxi.html"),
            ("policies/education.md", "policies/education.html"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
    }

    #[test]
    fn links_to_content_files_become_relative_page_links() {
        let pages = pages();
        let links = Links {
            pages: &pages,
            source_dir: "villages",
            root: "../",
        };
        let out = to_html(
            "[a](hengxi.md) [b](../policies/education.md#x) [c](/index.md) [d](nope.md) [e](https://x.cn/a.md)",
            &links,
            false,
            &mut PlainFigures,
            None,
        );
        assert!(
            out.html.contains(r#"href="../villages/hengxi.html""#),
            "{}",
            out.html
        );
        assert!(out.html.contains(r#"href="../policies/education.html#x""#));
        assert!(out.html.contains(r#"href="../index.html""#));
        assert!(out.html.contains(r#"href="https://x.cn/a.md""#));
        assert_eq!(out.broken_links, vec!["nope.md"]);
    }

    #[test]
    fn headings_get_ids_and_official_numbers() {
        let md =
            "## 基本情况\n### 提高政治站位\n### 精准发力\n#### 教育\n## 工作 情况\n## 基本情况\n";
        let out = at_root(md, true, &mut PlainFigures);
        let texts: Vec<_> = out.headings.iter().map(|h| h.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "一、基本情况",
                "（一）提高政治站位",
                "（二）精准发力",
                "1. 教育",
                "二、工作 情况",
                "三、基本情况"
            ]
        );
        let ids: Vec<_> = out.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids[0], "基本情况");
        assert_eq!(ids[4], "工作-情况");
        assert_eq!(ids[5], "基本情况-1");
        let dup = at_root("## 数据\n## 数据\n## 数据-1\n", false, &mut PlainFigures);
        let dup_ids: Vec<_> = dup.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(dup_ids, ["数据", "数据-1", "数据-1-1"]);
        assert!(
            out.html.contains(
                r#"<h2 id="基本情况"><span class="heading-number">一、</span>基本情况</h2>"#
            ),
            "{}",
            out.html
        );
    }

    #[test]
    fn a_footnote_links_to_its_note_whatever_the_case_of_its_label() {
        let out = at_root(
            "正文[^Note]。\n\n[^note]: 注释。\n",
            false,
            &mut PlainFigures,
        );
        assert!(out.html.contains("href=\"#note\""), "{}", out.html);
        assert!(out.html.contains("id=\"note\""), "{}", out.html);
        assert_eq!(footnote_label(" Note  A "), "note a");
    }

    #[test]
    fn chinese_numerals() {
        let got: Vec<_> = [1, 9, 10, 11, 20, 21, 99, 100]
            .map(chinese_numeral)
            .to_vec();
        assert_eq!(
            got,
            ["一", "九", "十", "十一", "二十", "二十一", "九十九", "100"]
        );
    }

    /// `md` rendered as a page at the top of the content folder.
    #[test]
    fn headings_inside_site_only_blocks_take_no_number() {
        let md = "<div class=\"site-only\">\n\n## 网站说明\n\n</div>\n\n## 基本情况\n";
        let html = at_root(md, true, &mut PlainFigures).html;
        assert!(html.contains("<h2 id=\"网站说明\">网站说明</h2>"), "{html}");
        assert!(
            html.contains("<span class=\"heading-number\">一、</span>基本情况"),
            "{html}"
        );
    }

    #[test]
    fn a_long_table_cut_in_pieces_makes_the_same_page() {
        // Headings numbered before and after, figures in the cells and a link to a page,
        // a site-only block: the page read in pieces is the page read whole.
        let rows: String = (0..20_000)
            .map(|i| {
                let figure = provenance::mark(&format!("data/v{i}.yaml:4"), &format!("{i}户"));
                format!("| [横溪{i}](villages/hengxi.md) | {figure} | ~~{i}~~ |\n")
            })
            .collect();
        let md = format!(
            "## 概况\n\n<div class=\"site-only\">\n\n## 说明\n\n</div>\n\n| 村 | 户 | 旧 |\n|---|---:|---|\n{rows}\n## 合计\n\n正文 [页](index.md)。\n"
        );
        let pages = pages();
        let links = Links {
            pages: &pages,
            source_dir: "",
            root: "",
        };
        let page = |long| to_html_cut_from(&md, long, &links, true, &mut Tagged, None);
        let (whole, cut) = (page(usize::MAX), page(1));
        assert_eq!(cut.html, whole.html);
        assert_eq!(cut.headings, whole.headings);
        assert_eq!(cut.broken_links, whole.broken_links);
        assert_eq!(cut.html.matches("<thead>").count(), 1);
        assert!(
            cut.html
                .contains("<b data-src=\"data/v19999.yaml:4\">19999户</b>")
        );
        assert!(
            cut.html
                .contains("<span class=\"heading-number\">二、</span>合计")
        );
    }

    fn at_root(md: &str, number_headings: bool, figures: &mut dyn FigureHtml) -> RenderedMarkdown {
        let pages = pages();
        let links = Links {
            pages: &pages,
            source_dir: "",
            root: "",
        };
        to_html(md, &links, number_headings, figures, None)
    }

    /// Shows a figure as `<b src>text</b>` and its source as `src:<payload>`.
    struct Tagged;
    impl FigureHtml for Tagged {
        fn figure(&mut self, payload: &str, text_html: &str, in_link: bool, out: &mut String) {
            let link = if in_link { " in-link" } else { "" };
            out.push_str(&format!("<b data-src=\"{payload}\"{link}>{text_html}</b>"));
        }
        fn source(&self, payload: &str) -> String {
            format!("src:{payload}")
        }
    }

    /// Every Markdown table read from its events gives the CSV, link and file its HTML
    /// gives: figures, texts, entities, code, links, empty and short rows, a figure's bare
    /// source, raw HTML in a cell or beside the table (written as a Markdown table starts,
    /// too), an image, a footnote, text that reads as a figure's mark, a column of two units.
    #[test]
    fn tables_read_from_their_events_are_read_as_from_their_html() {
        let fig = |payload: &str, text: &str| provenance::mark(payload, text);
        let tables = [
            format!(
                "| 村 | 户数 | 资金 |\n|---|---:|---:|\n| 横溪 & 云湾 | {} | {} |\n| `code` [链](x.html) | {} | |\n| 短行 |\n",
                fig("d0.0", "1,189户"),
                fig("d0.1", "23.71万元"),
                fig("d0.2", "96户"),
            ),
            format!(
                "| a | b |\n|---|---|\n| {} | {} |\n| x | {} |\n",
                fig("d0.0", "1户"),
                fig("d0.1", ""),
                fig("d0.2", "2人"),
            ),
            format!(
                "| a | b |\n|---|---|\n| <i>x</i> | {} |\n",
                fig("d0.0", "3户")
            ),
            format!(
                "| a | b |\n|---|---|\n| ![图](p.png) | {} |\n",
                fig("d0.0", "3户")
            ),
            format!(
                "| a | b |\n|---|---|\n| 注[^1] | {} |\n\n[^1]: 说明\n",
                fig("d0.0", "3户")
            ),
            format!(
                "| a | b |\n|---|---|\n| data-src=x | {} |\n",
                fig("d0.0", "3户")
            ),
            format!(
                "| a | b |\n|---|---|\n| x | {} |\n| y | {} |\n",
                fig("d0.0", "3户"),
                fig("d0.1", "4人"),
            ),
            format!(
                "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>{}</td></tr></tbody></table>\n\n| a |\n|---|\n| {} |\n",
                fig("d0.0", "5户"),
                fig("d0.1", "6户"),
            ),
            "| a |\n|---|\n| 无数字 |\n".to_string(),
        ];
        // Which were read from their events: not those with what the events cannot say, nor
        // the one of two units in a column (its whole sheet is read from its HTML).
        let read: Vec<usize> = tables
            .iter()
            .map(|md| at_root(md, false, &mut Tagged).tables.read_from_events())
            .collect();
        assert_eq!(read, [1, 0, 0, 0, 0, 0, 0, 1, 1]);
        for md in &tables {
            let rendered = at_root(md, false, &mut Tagged);
            let mut from_events = rendered.html.clone();
            let files_from_events =
                super::super::table_csv::add_downloads(&mut from_events, "p.html", rendered.tables);
            let mut from_html = rendered.html.clone();
            let files_from_html = super::super::table_csv::add_downloads(
                &mut from_html,
                "p.html",
                super::super::table_csv::TablesRead::default(),
            );
            assert_eq!(from_events, from_html, "{md}");
            assert_eq!(files_from_events, files_from_html, "{md}");
        }
        // The first table's CSV, as read from its events.
        let rendered = at_root(&tables[0], false, &mut Tagged);
        let mut html = rendered.html.clone();
        let files = super::super::table_csv::add_downloads(&mut html, "p.html", rendered.tables);
        assert_eq!(
            String::from_utf8(files[0].1.to_vec()).unwrap(),
            "\u{feff}村,户数（户）,资金（万元）\r\n横溪 & 云湾,1189,23.71\r\ncode 链,96,\r\n短行,,\r\n"
        );
    }

    #[test]
    fn figures_show_their_source_where_markup_can_and_plain_text_elsewhere() {
        let fig = |payload: &str, text: &str| provenance::mark(payload, text);
        let md = format!(
            "## {}年\n\n共{}户，`{}`，[链接]({}) ![图]({})\n\n| a |\n|---|\n| {} |\n\n<p title=\"{}\">{}</p>\n\n<svg><text><title>{}</title>1</text></svg>\n",
            fig("d0.0", "2020"),
            fig("d0.1", "1841"),
            fig("d0.2", "code"),
            fig("d0.3", "x.md"),
            fig("d0.4", "a.png"),
            fig("csum:0.1x3", "9*9"),
            fig("d0.5", "5"),
            fig("d0.6", "6"),
            fig("d0.7", ""),
        );
        let out = at_root(&md, false, &mut Tagged);
        let html = &out.html;
        assert!(!html.contains(provenance::OPEN), "{html}");
        assert_eq!(out.headings[0].id, "2020年");
        assert!(
            html.contains("<b data-src=\"d0.0\">2020</b>年</h2>"),
            "{html}"
        );
        assert!(html.contains("共<b data-src=\"d0.1\">1841</b>户"), "{html}");
        assert!(html.contains("<code>code</code>"), "{html}");
        assert!(
            html.contains("<td><b data-src=\"csum:0.1x3\">9*9</b></td>"),
            "{html}"
        );
        assert!(
            html.contains("<p title=\"5\"><b data-src=\"d0.6\">6</b></p>"),
            "{html}"
        );
        assert!(html.contains("<title>src:d0.7</title>"), "{html}");
        assert!(
            html.contains("alt=\"图\"") && html.contains("src=\"a.png\""),
            "{html}"
        );
    }

    #[test]
    fn raw_html_is_followed_tag_by_tag() {
        let mut state = RawHtmlState::default();
        let state_after = |state: &mut RawHtmlState, html: &str| {
            state.track(html);
            (state.in_tag, state.raw_text, state.links)
        };
        assert_eq!(
            state_after(&mut state, "<div><SCRIPT type=x>"),
            (false, true, 0)
        );
        assert_eq!(state_after(&mut state, "</Script"), (true, false, 0));
        assert_eq!(
            state_after(&mut state, "><a href=x><abbr>"),
            (false, false, 1)
        );
        assert_eq!(
            state_after(&mut state, "<styles></A><aside>"),
            (false, false, 0)
        );
        assert_eq!(state_after(&mut state, "<style>横溪<"), (true, true, 0));
        // Closing tags are told apart by the byte after their `/`.
        assert_eq!(
            state_after(&mut state, "/text></STYLE><a><text></td></summary></svg>"),
            (false, false, 1)
        );
        assert_eq!(
            state_after(&mut state, "<span></abbr></a ><svg>"),
            (false, false, 0)
        );
    }

    #[test]
    fn figures_in_scripts_styles_and_links() {
        let fig = |payload: &str, text: &str| provenance::mark(payload, text);
        let md = format!(
            "<script>var n = {};</script>\n\n<style>p {{ width: {}px }}</style>\n\n[共{}户](x.md) 又<a href=\"x.html\">{}</a>，{}\n",
            fig("d0.0", "57000"),
            fig("d0.1", "12"),
            fig("d0.2", "1841"),
            fig("d0.3", "6"),
            fig("d0.4", "7"),
        );
        let html = at_root(&md, false, &mut Tagged).html;
        assert!(html.contains("<script>var n = 57000;</script>"), "{html}");
        assert!(html.contains("<style>p { width: 12px }</style>"), "{html}");
        assert!(
            html.contains("<b data-src=\"d0.2\" in-link>1841</b>"),
            "{html}"
        );
        assert!(
            html.contains("<b data-src=\"d0.3\" in-link>6</b></a>"),
            "{html}"
        );
        assert!(html.contains("<b data-src=\"d0.4\">7</b>"), "{html}");
    }
}

#[cfg(test)]
mod search_text_tests {
    use super::*;
    use crate::search::text::{PageText, Reader, page_text};
    use proptest::prelude::*;

    /// Shows figures as huibao's pages do: a span with the source, a corrected one (payload
    /// `c…`) with the link to its note.
    struct Spans;
    impl FigureHtml for Spans {
        fn figure(&mut self, payload: &str, text_html: &str, in_link: bool, out: &mut String) {
            let noted = payload.starts_with('c') && !in_link;
            out.push_str(&if noted {
                format!(
                    "<span class=\"fig-corrected\" data-src=\"{payload}\">{text_html}<a class=\"fig-note\" href=\"c.html#x\" title=\"原为 1\">更正</a></span>"
                )
            } else {
                format!("<span data-src=\"{payload}\">{text_html}</span>")
            });
        }
        fn source(&self, payload: &str) -> String {
            format!("来源 {payload}")
        }
    }

    /// The text read from the events of `md` (`None`: left to the HTML) and the text read
    /// from the HTML they make.
    fn both(md: &str) -> (Option<PageText>, PageText) {
        let pages: HashMap<String, String> = HashMap::default();
        let links = Links {
            pages: &pages,
            source_dir: "",
            root: "",
        };
        let mut reader = Reader::default();
        let html = to_html(md, &links, true, &mut Spans, Some(&mut reader)).html;
        (reader.finish(), page_text(&html))
    }

    /// Pieces of pages: Markdown's blocks and inlines, raw HTML, what only the site shows,
    /// figures.
    fn snippets() -> Vec<String> {
        let fig = |payload: &str, text: &str| provenance::mark(payload, text);
        let mut out: Vec<String> = [
            "# 总标题",
            "## 正式 标题\n第二行",
            "Setext 标题\n多行\n-------",
            "<div class=\"note site-only\">\n\n**示例** 这是网站说明[^a]。\n\n</div>",
            "正文甲<span class=\"site-only\">（仅网站）</span>乙 &amp; 丙 &lt;x&gt; &nbsp;丁",
            "![图片 **说明**[^b]](a.png \"t\") 图后文字",
            "```rust\nlet a = \"<p>\";\n```",
            "| 甲 | 乙 |\n|---:|----|\n| 1,234 | **粗** |",
            "- 一项\n  - 嵌套项\n- 二项  \n  硬换行",
            "1. 有序\n2. 列表",
            "> 引用[^b]\n> 第二行",
            "---",
            "<h3>原始 <em>标题</em></h3>",
            "<h2>未完的原始标题",
            "<h3>原始标题里的脚注\n\n[^c]: 脚注丙",
            "<script>var x = \"<div>\";</script>",
            "<details><summary>说明</summary>长颈鹿</details>",
            "<figure class=\"chart\"><figcaption>构成</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><text>因病</text></svg>\n<details class=\"chart-data\"><summary>查看数据表</summary>\n<table><tr><td>因病</td></tr></table>\n</details>\n</figure>",
            "<!-- 注释\n跨行 -->",
            "<div\n class=\"site-only\">跨行标签</div>",
            "文字 `代码` ~~删除~~ <span>内联</span> [链接](https://example.com)",
            "[^a]: 脚注甲",
            "[^b]: 脚注乙 *强调*",
            "<svg><text>画</text></svg>\n末尾",
            "<p class=\"site-only\">网站专用",
            "## 小标题 {.site-only}",
            "<nav>导航</nav>后",
            "<SVG><TEXT>内</TEXT></Svg>大写",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        out.push(format!(
            "共{}户，其中{}人；{}、[{}](https://example.com)，`{}`",
            fig("d0.1", "1841"),
            fig("d0.10", "甲&乙<丙>"),
            fig("c0.2", "6,336"),
            fig("c0.3", "链接里"),
            fig("d0.4", "代码里"),
        ));
        out.push(format!(
            "## {}年\n\n<p title=\"{}\">{}</p>\n\n<svg><title>{}</title></svg>{}",
            fig("d0.5", "2020"),
            fig("d0.6", "属性"),
            fig("c0.7", "原始"),
            fig("d0.8", ""),
            fig("d0.9", ""),
        ));
        out
    }

    #[test]
    fn the_text_read_from_the_events_is_the_text_read_from_the_html() {
        let snippets = snippets();
        let mut left_to_html = Vec::new();
        for snippet in &snippets {
            match both(snippet) {
                (Some(events), html) => assert_eq!(events, html, "{snippet}"),
                (None, _) => left_to_html.push(snippet.as_str()),
            }
        }
        // Left to the HTML: a footnote in a raw heading left open, a `site-only` element that
        // does not end (or that Markdown's own `</p>` would end), a `site-only` heading.
        assert_eq!(
            left_to_html,
            [
                "<h3>原始标题里的脚注\n\n[^c]: 脚注丙",
                "<p class=\"site-only\">网站专用",
                "## 小标题 {.site-only}"
            ]
        );
        let (events, html) = both("<p class=\"site-only\">网站专用\n\n正文");
        assert_eq!((events, html.body.as_str()), (None, "网站专用\n正文"));
        let whole = snippets
            .iter()
            .filter(|s| {
                !s.contains("网站专用") && !s.contains("{.site-only}") && !s.contains("原始标题")
            })
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\n\n");
        let (events, html) = both(&whole);
        assert_eq!(events.as_ref(), Some(&html));
        // The corrected figure (`c0.2`) read from its span's HTML: its text, not its link to
        // its correction.
        assert!(
            html.body.contains("脚注乙 强调")
                && html.body.contains("人；6,336、")
                && !html.body.contains("更正"),
            "{html:?}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        /// Any page made of the pieces: the same text from its events as from its HTML,
        /// or left to the HTML.
        #[test]
        fn any_page_reads_the_same_from_its_events(
            picks in proptest::collection::vec((0usize..64, 0usize..3), 1..12)
        ) {
            let snippets = snippets();
            let mut md = String::new();
            for (pick, joint) in picks {
                md.push_str(&snippets[pick % snippets.len()]);
                md.push_str(["\n\n", "\n", " "][joint]);
            }
            if let (Some(events), html) = both(&md) {
                prop_assert_eq!(events, html, "{}", md);
            }
        }
    }
}

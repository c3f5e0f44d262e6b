//! A page's text for the search index: its headings and its whole text, without the charts'
//! drawings and data tables (their figures are in the text around them), scripts, styles,
//! navigation and what only the site shows (`site-only`).
//!
//! A build reads it as the page is made, from the Markdown's events ([`Reader::event`]:
//! their text as it is, raw HTML read tag by tag); the page's HTML is read whole
//! ([`page_text`]) only where the events cannot say what the HTML shows (a `site-only`
//! element that Markdown's own elements of its name close, say). Both give the same text.

use pulldown_cmark::{Event, Tag, TagEnd};

/// A page's text for the index: its headings and its whole text, without the charts'
/// drawings and data tables (their figures are in the text around them), scripts and styles.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PageText {
    /// The text of each heading (`<h1>`–`<h6>`).
    pub headings: Vec<String>,
    /// The whole text, headings included, its blocks on lines of their own.
    pub body: String,
}

/// What an element is to the index.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Element {
    /// Its content is not indexed: drawings, scripts, styles, navigation.
    Skipped,
    /// `details`: skipped when it is a chart's data table (`class="chart-data"`).
    Details,
    /// `h1`–`h6`.
    Heading,
    /// A block: its text starts a line.
    Block,
    /// Any other: its text runs on.
    Inline,
}

/// A name of at most eight bytes as a number, its first byte lowest.
const fn name_key(name: &[u8]) -> u64 {
    let mut key = 0u64;
    let mut i = name.len();
    while i > 0 {
        i -= 1;
        key = key << 8 | name[i] as u64;
    }
    key
}

/// What the element named `name` (its bytes as written, in any case) is to the index.
fn element(name: &[u8]) -> Element {
    // The name in lower case as a number (names of more than eight bytes are compared
    // whole): one comparison a tag, for the hundreds of tags a page has.
    if name.len() > 8 {
        let block =
            name.eq_ignore_ascii_case(b"blockquote") || name.eq_ignore_ascii_case(b"figcaption");
        return if block {
            Element::Block
        } else {
            Element::Inline
        };
    }
    let mut key = 0u64;
    for &b in name.iter().rev() {
        key = key << 8 | u64::from(b.to_ascii_lowercase());
    }
    const SVG: u64 = name_key(b"svg");
    const SCRIPT: u64 = name_key(b"script");
    const STYLE: u64 = name_key(b"style");
    const NAV: u64 = name_key(b"nav");
    const DETAILS: u64 = name_key(b"details");
    const P: u64 = name_key(b"p");
    const LI: u64 = name_key(b"li");
    const TR: u64 = name_key(b"tr");
    const TD: u64 = name_key(b"td");
    const TH: u64 = name_key(b"th");
    const DIV: u64 = name_key(b"div");
    const PRE: u64 = name_key(b"pre");
    const BR: u64 = name_key(b"br");
    const TABLE: u64 = name_key(b"table");
    match key {
        SVG | SCRIPT | STYLE | NAV => Element::Skipped,
        DETAILS => Element::Details,
        P | LI | TR | TD | TH | DIV | PRE | BR | TABLE => Element::Block,
        _ if name.len() == 2 && key & 0xff == u64::from(b'h') && matches!(name[1], b'1'..=b'6') => {
            Element::Heading
        }
        _ => Element::Inline,
    }
}

/// Reads the text of a page's content HTML.
pub fn page_text(html: &str) -> PageText {
    let mut reader = Reader::default();
    reader.read_html(html, true);
    reader.into_page_text()
}

/// A page's text read as its content is made: from its Markdown's events, in the order the
/// HTML writer gets them ([`Reader::event`]), or from HTML.
#[derive(Default)]
pub struct Reader {
    headings: Vec<String>,
    /// The text as it is read, blocks on lines of their own (lines tidied at the end).
    body: String,
    /// The text of the heading being read.
    heading: Option<String>,
    /// Raw HTML of consecutive events, read together when the next other event comes (a
    /// tag may be cut across an HTML block's lines).
    raw: String,
    /// The element being left out, when it did not end in the HTML where it started: its
    /// name and how many elements of that name are open.
    skipping: Option<(String, usize)>,
    /// How many images the events are inside (their descriptions are not text).
    images: usize,
    /// Footnotes' numbers by label, numbered as the HTML writer numbers them.
    footnotes: Vec<String>,
    /// The events cannot say what the HTML shows: the page's HTML is to be read.
    lost: bool,
}

/// What a skipped element's content came to in a piece of HTML.
enum Skipped {
    /// It ends this many bytes in.
    Ended(usize),
    /// It is still open, this many elements of its name deep.
    Open(usize),
    /// A tag of its name has no `>`: an end tag that would end it (`closes`), or another.
    Unended { closes: bool },
}

impl Reader {
    /// A reader of a page whose Markdown is `markdown_len` bytes long: room made for its
    /// text at once (at most that long, or 64 KiB), not grown as it is read.
    pub fn for_markdown(markdown_len: usize) -> Reader {
        Reader {
            body: String::with_capacity(markdown_len.min(64 << 10)),
            ..Reader::default()
        }
    }

    /// Reads one of the page's Markdown events, as pulldown-cmark's HTML writer would
    /// write it.
    #[inline]
    pub fn event(&mut self, event: &Event<'_>) {
        // Most of a page's events are its text and its blocks' starts and ends, read
        // outside any raw HTML, image or element left out: told here, the rest below.
        if self.raw.is_empty() && self.images == 0 && self.skipping.is_none() {
            match event {
                Event::Text(text) | Event::Code(text) => return self.push(text),
                Event::Start(Tag::Paragraph | Tag::TableRow | Tag::TableCell | Tag::Item)
                | Event::End(
                    TagEnd::Paragraph | TagEnd::TableRow | TagEnd::TableCell | TagEnd::Item,
                )
                | Event::SoftBreak
                | Event::HardBreak
                    if self.heading.is_none() =>
                {
                    return self.block();
                }
                _ => {}
            }
        }
        self.any_event(event);
    }

    /// [`Reader::event`] for any event.
    fn any_event(&mut self, event: &Event<'_>) {
        if let Event::Html(raw) | Event::InlineHtml(raw) = event {
            if self.images > 0 {
                return;
            }
            // A heading's number (six a village page) is its text, read as the HTML would
            // be but without gathering and parsing it.
            match heading_number(raw) {
                Some(number)
                    if self.raw.is_empty() && self.heading.is_some() && self.skipping.is_none() =>
                {
                    self.push(number)
                }
                _ => self.raw.push_str(raw),
            }
            return;
        }
        self.read_raw();
        // Footnotes are numbered wherever they are (in an image's description, in what is
        // left out), as the writer numbers them.
        let footnote = match event {
            Event::Start(Tag::FootnoteDefinition(label)) | Event::FootnoteReference(label) => {
                Some(self.footnote_number(label))
            }
            _ => None,
        };
        match event {
            Event::Start(Tag::Image { .. }) => self.images += 1,
            Event::End(TagEnd::Image) => self.images = self.images.saturating_sub(1),
            _ => {}
        }
        if self.images > 0 || matches!(event, Event::End(TagEnd::Image)) {
            return;
        }
        if let Some((name, _)) = &self.skipping {
            // Left out with the element around it, unless Markdown writes an element of
            // its name (which the HTML counts in its depth).
            if markdown_writes(event, name) {
                self.lost = true;
            }
            return;
        }
        match event {
            Event::Text(text) | Event::Code(text) => self.push(text),
            Event::Start(Tag::Heading { classes, .. }) => {
                if self.heading.is_some() || classes.iter().any(|c| &**c == "site-only") {
                    self.lost = true;
                }
                self.block();
                self.heading = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => {
                self.end_heading();
                self.block();
            }
            Event::SoftBreak | Event::HardBreak => match &mut self.heading {
                Some(heading) => heading.push('\n'),
                None => self.block(),
            },
            Event::Start(Tag::FootnoteDefinition(_)) | Event::FootnoteReference(_) => {
                if matches!(event, Event::Start(_)) {
                    // Inside a heading (opened by raw HTML) a block is not followed here.
                    self.lost |= self.heading.is_some();
                    self.block();
                }
                if let Some(number) = footnote {
                    self.push(&number.to_string());
                }
            }
            Event::Start(
                Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Link { .. }
                | Tag::HtmlBlock,
            )
            | Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::HtmlBlock,
            ) => {}
            Event::Start(
                Tag::Paragraph
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_)
                | Tag::List(_)
                | Tag::Item
                | Tag::Table(_)
                | Tag::TableHead
                | Tag::TableRow
                | Tag::TableCell,
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::Table
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::TableCell
                | TagEnd::FootnoteDefinition,
            )
            | Event::Rule => {
                // A block inside a heading (opened by raw HTML) is not followed here.
                if self.heading.is_some() {
                    self.lost = true;
                }
                self.block();
            }
            // Markdown huibao does not turn on (task lists, maths, metadata …).
            _ => self.lost = true,
        }
    }

    /// The number of the footnote `label`: numbered in the order first seen.
    fn footnote_number(&mut self, label: &str) -> usize {
        match self.footnotes.iter().position(|l| l == label) {
            Some(at) => at + 1,
            None => {
                self.footnotes.push(label.to_string());
                self.footnotes.len()
            }
        }
    }

    /// The page's text read from its events; `None` when the page's HTML is to be read
    /// instead ([`page_text`]).
    pub fn finish(mut self) -> Option<PageText> {
        self.read_raw();
        (!self.lost && self.skipping.is_none()).then(|| self.into_page_text())
    }

    /// Reads text as it shows (a run of text of an event the Markdown writer was given).
    pub fn text(&mut self, text: &str) {
        self.read_raw();
        if self.images == 0 && self.skipping.is_none() {
            self.push(text);
        }
    }

    /// The text read.
    fn into_page_text(self) -> PageText {
        PageText {
            headings: self.headings,
            body: tidy_lines(self.body),
        }
    }

    /// Reads the raw HTML gathered.
    fn read_raw(&mut self) {
        if !self.raw.is_empty() {
            let raw = std::mem::take(&mut self.raw);
            self.read_html(&raw, false);
            self.raw = raw;
            self.raw.clear();
        }
    }

    /// Where text goes: the heading being read, or the body.
    fn target(&mut self) -> &mut String {
        self.heading.as_mut().unwrap_or(&mut self.body)
    }

    /// Adds text as it shows.
    fn push(&mut self, text: &str) {
        self.target().push_str(text);
    }

    /// Adds the text of raw HTML between two tags (`escaped`: whether it has a `&`). White
    /// space alone at the start of a line of the body — between a block's tags, most of it —
    /// is left out: the lines are trimmed and the empty ones left out at the end anyway
    /// ([`tidy_lines`]), which then has no line to mend on most pages.
    fn push_html_text(&mut self, text: &str, escaped: bool) {
        let line_start = self.body.is_empty() || self.body.ends_with('\n');
        if self.heading.is_none() && line_start && text.bytes().all(|b| b.is_ascii_whitespace()) {
            return;
        }
        push_text(self.target(), text, escaped);
    }

    /// A block starts or ends: outside a heading, the text goes on on a new line.
    fn block(&mut self) {
        if self.heading.is_none() && !self.body.is_empty() && !self.body.ends_with('\n') {
            self.body.push('\n');
        }
    }

    /// A heading ends: its text, when it has any, is a heading and a line of the body.
    fn end_heading(&mut self) {
        if let Some(done) = self.heading.take() {
            let done = done.trim();
            if !done.is_empty() {
                // (The heading taken, a block boundary is the body's own.)
                self.block();
                self.body.push_str(done);
                self.body.push('\n');
                self.headings.push(done.to_string());
            }
        }
    }

    /// Reads `html`: the whole of the content's HTML (`whole`, where an element that does
    /// not end is only its start tag), or a piece of it, the rest to come.
    fn read_html(&mut self, html: &str, whole: bool) {
        let bytes = html.as_bytes();
        let mut at = 0;
        if let Some((name, depth)) = self.skipping.take() {
            match skipped_to(html, &name, depth) {
                Skipped::Ended(end) => at = end,
                Skipped::Open(depth) => {
                    self.skipping = Some((name, depth));
                    return;
                }
                Skipped::Unended { .. } => {
                    self.lost = true;
                    return;
                }
            }
        }
        // Where the next `&` is (found ahead, once for the HTML: most texts have none).
        let mut escape_at = Ahead::new(html, crate::html::finder!(b"&"));
        while let Some(found) = memchr::memchr(b'<', &bytes[at..]) {
            let start = at + found;
            if start > at {
                let escaped = escape_at.within(at, start);
                self.push_html_text(&html[at..start], escaped);
            }
            if bytes[start..].starts_with(b"<!--") {
                match html[start..].find("-->") {
                    Some(e) => at = start + e + 3,
                    None => {
                        self.lost |= !whole;
                        return;
                    }
                }
                continue;
            }
            // The name: after the `<`s and `/`s that open the tag, its letters and digits.
            let mut name_start = start + 1;
            while bytes.get(name_start) == Some(&b'<') {
                name_start += 1;
            }
            while bytes.get(name_start) == Some(&b'/') {
                name_start += 1;
            }
            let mut name_end = name_start;
            while bytes.get(name_end).is_some_and(u8::is_ascii_alphanumeric) {
                name_end += 1;
            }
            let end = match memchr::memchr(b'>', &bytes[name_end..]) {
                Some(e) => name_end + e + 1,
                None if whole => html.len(),
                None => {
                    self.lost = true;
                    return;
                }
            };
            at = end;
            let closing = bytes.get(start + 1) == Some(&b'/');
            let tag = &html[start..end];
            let kind = match element(&bytes[name_start..name_end]) {
                // (Left out already: its start tag, a chart's drawing's long one, not read.)
                Element::Skipped => Element::Skipped,
                Element::Details if tag.contains("chart-data") => Element::Skipped,
                // What only the site shows (the 示例 banner, 「下载 CSV」) is not indexed.
                _ if !closing && site_only(tag) => Element::Skipped,
                // Nor a corrected figure's link to its correction (`6336人` is the text,
                // not `6336人更正`).
                Element::Inline
                    if !closing && is_correction_link(&bytes[name_start..name_end], tag) =>
                {
                    Element::Skipped
                }
                kind => kind,
            };
            match kind {
                Element::Skipped if !closing && !tag.ends_with("/>") => {
                    let name = &html[name_start..name_end];
                    match skipped_to(&html[at..], name, 1) {
                        Skipped::Ended(skipped) => at += skipped,
                        // An end tag cut off by the end of the page ends it there.
                        Skipped::Unended { closes: true } if whole => at = html.len(),
                        // Without an end tag only the start tag is skipped.
                        Skipped::Open(_) | Skipped::Unended { .. } if whole => {}
                        Skipped::Open(depth) => {
                            self.skipping = Some((name.to_string(), depth));
                            return;
                        }
                        Skipped::Unended { .. } => {
                            self.lost = true;
                            return;
                        }
                    }
                }
                Element::Heading if closing => self.end_heading(),
                Element::Heading => self.heading = Some(String::new()),
                Element::Block => self.block(),
                _ => {}
            }
        }
        if at < html.len() {
            let escaped = escape_at.within(at, html.len());
            self.push_html_text(&html[at..], escaped);
        }
    }
}

/// The text of a heading's number as huibao writes it
/// (`<span class="heading-number">一、</span>`), when that is all of `raw` and the number
/// has no markup or entity in it.
fn heading_number(raw: &str) -> Option<&str> {
    raw.strip_prefix(crate::html::HEADING_NUMBER_START)?
        .strip_suffix("</span>")
        .filter(|number| !number.contains(['<', '&']))
}

/// Whether Markdown's `event` is written as an element named `name` (any case), start or
/// end tag.
fn markdown_writes(event: &Event<'_>, name: &str) -> bool {
    let names: &[&str] = match event {
        Event::Start(tag) => match tag {
            Tag::Paragraph => &["p"],
            Tag::Heading { level, .. } => return name.eq_ignore_ascii_case(&level.to_string()),
            Tag::BlockQuote(_) => &["blockquote"],
            Tag::CodeBlock(_) => &["pre", "code"],
            Tag::List(Some(_)) => &["ol"],
            Tag::List(None) => &["ul"],
            Tag::Item => &["li"],
            Tag::Table(_) => &["table"],
            Tag::TableHead => &["thead", "tr"],
            Tag::TableRow => &["tr"],
            Tag::TableCell => &["th", "td"],
            Tag::Emphasis => &["em"],
            Tag::Strong => &["strong"],
            Tag::Strikethrough => &["del"],
            Tag::Link { .. } => &["a"],
            Tag::FootnoteDefinition(_) => &["div", "sup"],
            Tag::HtmlBlock => &[],
            _ => return true,
        },
        Event::End(tag) => match tag {
            TagEnd::Paragraph => &["p"],
            TagEnd::Heading(level) => return name.eq_ignore_ascii_case(&level.to_string()),
            TagEnd::BlockQuote(_) => &["blockquote"],
            TagEnd::CodeBlock => &["pre", "code"],
            TagEnd::List(true) => &["ol"],
            TagEnd::List(false) => &["ul"],
            TagEnd::Item => &["li"],
            TagEnd::Table => &["table", "tbody"],
            TagEnd::TableHead => &["thead", "tr", "tbody"],
            TagEnd::TableRow => &["tr"],
            TagEnd::TableCell => &["th", "td"],
            TagEnd::Emphasis => &["em"],
            TagEnd::Strong => &["strong"],
            TagEnd::Strikethrough => &["del"],
            TagEnd::Link => &["a"],
            TagEnd::FootnoteDefinition => &["div"],
            TagEnd::HtmlBlock => &[],
            _ => return true,
        },
        Event::Code(_) => &["code"],
        Event::FootnoteReference(_) => &["sup", "a"],
        Event::HardBreak => &["br"],
        Event::Rule => &["hr"],
        Event::Text(_) | Event::SoftBreak => &[],
        _ => return true,
    };
    names.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Whether the start tag `tag` of an element named `name` is a corrected figure's link to
/// its correction (`<a class="fig-note" …>更正</a>`).
fn is_correction_link(name: &[u8], tag: &str) -> bool {
    name.eq_ignore_ascii_case(b"a") && crate::html::has_class(tag, "fig-note")
}

/// Whether a start tag's classes include `site-only`: looked for in the tag alone (most
/// have no `site-only`), not ahead through the HTML, whose skipped drawings are long.
fn site_only(tag: &str) -> bool {
    crate::html::finder!(b"site-only")
        .find(tag.as_bytes())
        .is_some()
        && crate::html::has_class(tag, "site-only")
}

/// Where a needle is next in a page, looked for ahead of the reading: one search of the
/// page rather than one of each tag or text (most have none).
struct Ahead<'h> {
    haystack: &'h [u8],
    /// The needle's searcher (made once: a page's HTML comes in many pieces).
    finder: &'static memchr::memmem::Finder<'static>,
    /// Where it is next, from the last place asked about (`usize::MAX`: nowhere; `None`:
    /// not looked for yet — what is skipped, a chart's drawing, is never looked through).
    next: Option<usize>,
}

impl<'h> Ahead<'h> {
    /// The needle of `finder` to be looked for in `html`.
    fn new(html: &'h str, finder: &'static memchr::memmem::Finder<'static>) -> Ahead<'h> {
        Ahead {
            haystack: html.as_bytes(),
            finder,
            next: None,
        }
    }

    /// Whether the needle starts within `start..end` (the places asked about in order).
    fn within(&mut self, start: usize, end: usize) -> bool {
        let next = match self.next {
            Some(next) if next >= start => next,
            _ => {
                let next = self
                    .haystack
                    .get(start..)
                    .and_then(|rest| self.finder.find(rest))
                    .map_or(usize::MAX, |f| start + f);
                self.next = Some(next);
                next
            }
        };
        next < end
    }
}

/// `text` with each line trimmed and the empty ones left out: `text` itself when it is so
/// already (most pages' text: its lines were started as blocks start), else a copy.
fn tidy_lines(mut text: String) -> String {
    // The line break after the last block (most pages' text) ends no line.
    while text.ends_with('\n') {
        text.pop();
    }
    let lines = || memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]);
    let mut start = 0;
    let tidy = lines().all(|end| {
        let line = &text[start..end];
        start = end + 1;
        !line.is_empty() && trim(line).len() == line.len()
    });
    if tidy {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    for end in lines() {
        let line = trim(&text[start..end]);
        start = end + 1;
        if !line.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        }
    }
    out
}

/// `line` without white space at either end (as `str::trim`), its ends looked at as bytes
/// first: most lines start and end with no white space (a Chinese line ends with `。`, whose
/// last byte a white space character's may end with too: the bytes before it tell).
fn trim(line: &str) -> &str {
    if starts_with_space(line.as_bytes()) || ends_with_space(line.as_bytes()) {
        line.trim()
    } else {
        line
    }
}

/// Whether `bytes` (UTF-8) start with a character `char::is_whitespace` takes.
fn starts_with_space(bytes: &[u8]) -> bool {
    matches!(
        bytes,
        [9..=13 | b' ', ..]
            | [0xc2, 0x85 | 0xa0, ..]
            | [0xe1, 0x9a, 0x80, ..]
            | [0xe2, 0x80, 0x80..=0x8a | 0xa8 | 0xa9 | 0xaf, ..]
            | [0xe2, 0x81, 0x9f, ..]
            | [0xe3, 0x80, 0x80, ..]
    )
}

/// Whether `bytes` (UTF-8) end with a character `char::is_whitespace` takes.
fn ends_with_space(bytes: &[u8]) -> bool {
    matches!(
        bytes,
        [.., 9..=13 | b' ']
            | [.., 0xc2, 0x85 | 0xa0]
            | [.., 0xe1, 0x9a, 0x80]
            | [.., 0xe2, 0x80, 0x80..=0x8a | 0xa8 | 0xa9 | 0xaf]
            | [.., 0xe2, 0x81, 0x9f]
            | [.., 0xe3, 0x80, 0x80]
    )
}

/// Appends HTML `text` as the text it shows (`escaped`: whether it has a `&`).
fn push_text(out: &mut String, text: &str, escaped: bool) {
    if escaped {
        out.push_str(&crate::html::unescape(text));
    } else {
        out.push_str(text);
    }
}

/// The element name of a tag (`<svg …>`, `</p>`), as written.
fn tag_name(tag: &str) -> &str {
    let name = tag.trim_start_matches('<').trim_start_matches('/');
    let end = name
        .bytes()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(name.len());
    &name[..end]
}

/// Where the content of an element `name`, `depth` elements of that name deep, ends in
/// `rest`: after its end tag (elements of the same name inside counted). A name in lower
/// case, as huibao writes it (a chart is thousands of tags), is looked for as written; any
/// other, tag by tag.
fn skipped_to(rest: &str, name: &str, depth: usize) -> Skipped {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        return skipped_to_any_case(rest, name, depth);
    }
    // huibao's own skipped elements, looked for many times a page.
    static FINDERS: std::sync::LazyLock<Vec<(&str, memchr::memmem::Finder)>> =
        std::sync::LazyLock::new(|| {
            ["svg", "details"]
                .into_iter()
                .map(|name| {
                    (
                        name,
                        memchr::memmem::Finder::new(name.as_bytes()).into_owned(),
                    )
                })
                .collect()
        });
    let made;
    let finder = match FINDERS.iter().find(|(n, _)| *n == name) {
        Some((_, finder)) => finder,
        None => {
            made = memchr::memmem::Finder::new(name.as_bytes()).into_owned();
            &made
        }
    };
    let bytes = rest.as_bytes();
    let tag_end = |from: usize| memchr::memchr(b'>', &bytes[from..]).map(|e| from + e);
    // Each place the name is written, once (a chart's drawing is read through one time):
    // after `<` it opens an element of that name, after `</` it closes one.
    let mut depth = depth;
    let mut at = 0;
    while let Some(found) = finder.find(&bytes[at..]) {
        let place = at + found;
        at = place + name.len();
        if bytes.get(at).is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        if place >= 2 && &bytes[place - 2..place] == b"</" {
            let Some(end) = tag_end(at) else {
                return Skipped::Unended { closes: depth == 1 };
            };
            depth -= 1;
            if depth == 0 {
                return Skipped::Ended(end + 1);
            }
            at = end + 1;
        } else if place >= 1 && bytes[place - 1] == b'<' {
            let Some(end) = tag_end(at) else {
                return Skipped::Unended { closes: false };
            };
            if bytes[end - 1] != b'/' {
                depth += 1;
            }
            at = end + 1;
        }
    }
    Skipped::Open(depth)
}

/// [`skipped_to`] for a name written in any case: tag by tag.
fn skipped_to_any_case(rest: &str, name: &str, depth: usize) -> Skipped {
    let mut depth = depth;
    let mut at = 0;
    while let Some(found) = rest[at..].find('<') {
        let start = at + found;
        let Some(end) = rest[start..].find('>').map(|e| start + e + 1) else {
            let tag = &rest[start..];
            let closes =
                depth == 1 && tag.starts_with("</") && tag_name(tag).eq_ignore_ascii_case(name);
            return Skipped::Unended { closes };
        };
        let tag = &rest[start..end];
        at = end;
        if !tag_name(tag).eq_ignore_ascii_case(name) {
            continue;
        }
        if tag.starts_with("</") {
            depth -= 1;
            if depth == 0 {
                return Skipped::Ended(end);
            }
        } else if !tag.ends_with("/>") {
            depth += 1;
        }
    }
    Skipped::Open(depth)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Lines are trimmed as `str::trim` trims them, white space of every kind.
        #[test]
        fn lines_are_trimmed_as_str_trim_does(
            line in proptest::collection::vec(
                prop_oneof![
                    Just('\u{85}'), Just('\u{a0}'), Just('\u{1680}'), Just('\u{2000}'),
                    Just('\u{200a}'), Just('\u{2028}'), Just('\u{202f}'), Just('\u{205f}'),
                    Just('\u{3000}'), Just('\u{3002}'), Just('\u{200b}'), Just('\u{b}'),
                    Just('\u{2029}'), Just('\u{2009}'), Just('\u{3001}'), Just('\u{1681}'),
                    Just('\u{c285}'), Just('\u{e2}'), Just('\u{2030}'), Just('\u{205e}'),
                    Just(' '), Just('\t'), Just('\n'), Just('a'), Just('横'), Just('\u{ff0c}'),
                    any::<char>(),
                ],
                0..8,
            )
        ) {
            let line: String = line.into_iter().collect();
            prop_assert_eq!(trim(&line), line.trim());
            let tidy: Vec<&str> = line.split('\n').map(str::trim).filter(|l| !l.is_empty()).collect();
            prop_assert_eq!(tidy_lines(line.clone()), tidy.join("\n"));
        }
    }

    /// Every character's bytes start and end a white space as `char::is_whitespace` says,
    /// alone and after or before another character.
    #[test]
    fn white_space_is_told_by_its_bytes_for_every_character() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let alone = c.to_string();
            assert_eq!(
                starts_with_space(alone.as_bytes()),
                c.is_whitespace(),
                "{c:?}"
            );
            assert_eq!(
                ends_with_space(alone.as_bytes()),
                c.is_whitespace(),
                "{c:?}"
            );
            let after = format!("横{c}");
            assert_eq!(
                ends_with_space(after.as_bytes()),
                c.is_whitespace(),
                "{c:?}"
            );
            let before = format!("{c}横");
            assert_eq!(
                starts_with_space(before.as_bytes()),
                c.is_whitespace(),
                "{c:?}"
            );
        }
    }

    #[test]
    fn the_text_of_a_page_leaves_out_drawings_data_tables_and_scripts() {
        let html = "<h2 id=\"a\"><span class=\"heading-number\">一、</span>基本情况</h2>\n<p>住院<span data-src=\"x\">1445人次</span>，总费用1094.52万元。</p><figure class=\"chart\"><figcaption>构成</figcaption><svg><text>因病</text></svg><details class=\"chart-data\"><summary>查看数据表</summary><table><tr><td>因病</td></tr></table></details></figure><script>var x = '<p>';</script><p>A &amp; B</p>";
        let text = page_text(html);
        assert_eq!(text.headings, ["一、基本情况"]);
        assert_eq!(
            text.body,
            "一、基本情况\n住院1445人次，总费用1094.52万元。\n构成\nA & B"
        );
        // Nested elements of the same name, a self-closed one, a longer name.
        let html = "<p>前</p><svg><svg/><svg><text>内</text></svg><svgx>内</svg>后";
        assert_eq!(page_text(html).body, "前\n后");
        // The name elsewhere than in a tag's name; a nested one with attributes.
        let html = "<svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"x</svgy\">svg</a><svg class=\"in\"><text>内</text></svg ><text>/svg </text></svg>后<p>末</p>";
        assert_eq!(page_text(html).body, "后\n末");
        // Written in capitals; without an end tag only the start tag is skipped.
        let html = "<SVG><TEXT>内</TEXT></Svg><p>企鹅</p><script>var a;<p>考拉</p>";
        assert_eq!(page_text(html).body, "企鹅\nvar a;\n考拉");
        // A reader's own details are text; a chart's data table is not.
        let html = "<details><summary>说明</summary>长颈鹿</details>";
        assert_eq!(page_text(html).body, "说明长颈鹿");
        // A page's table of contents is navigation, not text.
        let html = "<nav class=\"page-toc\"><p>本页目录</p><ul><li>一、基本情况</li></ul></nav><h2>一、基本情况</h2>";
        assert_eq!(page_text(html).body, "一、基本情况");
        // A corrected figure's link to its correction is not its text.
        let html = "<p>家庭医生履约服务<span class=\"fig-corrected\" data-src=\"x:17\">6336人<a class=\"fig-note\" href=\"corrections.html#c1\" title=\"更正：原为67人\">更正</a></span>，其中<a class=\"other\">慢病</a>人群</p>";
        assert_eq!(page_text(html).body, "家庭医生履约服务6336人，其中慢病人群");
        let html = "<p>前</p><div class=\"note site-only\"><p>示例</p><div>内</div></div><p class='site-only table-download'><a>下载 CSV</a></p><p data-x=\"site-only\">后</p>";
        assert_eq!(page_text(html).body, "前\n后");
    }
}

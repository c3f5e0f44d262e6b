//! A page's text for the search index, read from its content's HTML: its headings and its
//! whole text, without the charts' drawings and data tables (their figures are in the text
//! around them), scripts, styles, navigation and what only the site shows (`site-only`).

/// A page's text for the index: its headings and its whole text, read from its
/// content's HTML without the charts' drawings and data tables (their figures are in the
/// text around them), scripts and styles.
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

/// What the element `name` (as written, in any case) is to the index.
fn element(name: &str) -> Element {
    let mut lower = [0u8; 10];
    let Some(lower) = lower.get_mut(..name.len()) else {
        return Element::Inline;
    };
    for (l, b) in lower.iter_mut().zip(name.bytes()) {
        *l = b.to_ascii_lowercase();
    }
    match &*lower {
        b"svg" | b"script" | b"style" | b"nav" => Element::Skipped,
        b"details" => Element::Details,
        [b'h', b'1'..=b'6'] => Element::Heading,
        b"p" | b"li" | b"tr" | b"td" | b"th" | b"div" | b"blockquote" | b"pre" | b"figcaption"
        | b"br" | b"table" => Element::Block,
        _ => Element::Inline,
    }
}

/// Reads the text of a page's content HTML.
pub fn page_text(html: &str) -> PageText {
    let mut headings = Vec::new();
    // The text as it is read, blocks on lines of their own (lines tidied at the end).
    let mut body = String::with_capacity(html.len() / 4);
    let mut heading: Option<String> = None;
    // Where the next `site-only` and the next `&` are (found ahead, once for the page: most
    // tags and texts have neither).
    let mut site_only_at = Ahead::new(html, b"site-only");
    let mut escape_at = Ahead::new(html, b"&");
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'<', &html.as_bytes()[at..]) {
        let start = at + found;
        push_text(
            heading.as_mut().unwrap_or(&mut body),
            &html[at..start],
            escape_at.within(at, start),
        );
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            at = start + rest.find("-->").map_or(rest.len(), |e| e + 3);
            continue;
        }
        let end = start + memchr::memchr(b'>', rest.as_bytes()).map_or(rest.len(), |e| e + 1);
        let tag = &html[start..end];
        at = end;
        let closing = tag.starts_with("</");
        let name = tag_name(tag);
        let kind = match element(name) {
            Element::Details if tag.contains("chart-data") => Element::Skipped,
            // What only the site shows (the 示例 banner, 「下载 CSV」) is not indexed.
            _ if !closing && site_only_at.within(start, end) && site_only(tag) => Element::Skipped,
            kind => kind,
        };
        match kind {
            Element::Skipped if !closing && !tag.ends_with("/>") => {
                at += skipped_to(&html[at..], name);
            }
            Element::Heading if closing => {
                if let Some(done) = heading.take() {
                    let done = done.trim();
                    if !done.is_empty() {
                        if !body.is_empty() && !body.ends_with('\n') {
                            body.push('\n');
                        }
                        body.push_str(done);
                        body.push('\n');
                        headings.push(done.to_string());
                    }
                }
            }
            Element::Heading => heading = Some(String::new()),
            Element::Block if heading.is_none() && !body.is_empty() && !body.ends_with('\n') => {
                body.push('\n');
            }
            _ => {}
        }
    }
    if heading.is_none() {
        push_text(&mut body, &html[at..], escape_at.within(at, html.len()));
    }
    PageText {
        headings,
        body: tidy_lines(&body),
    }
}

/// Whether a start tag's classes include `site-only`.
fn site_only(tag: &str) -> bool {
    crate::html::has_class(tag, "site-only")
}

/// Where a needle is next in a page, looked for ahead of the reading: one search of the
/// page rather than one of each tag or text (most have none).
struct Ahead<'h> {
    haystack: &'h [u8],
    finder: memchr::memmem::Finder<'static>,
    /// Where it is next, from the last place asked about (`usize::MAX`: nowhere).
    next: usize,
}

impl<'h> Ahead<'h> {
    /// `needle` to be looked for in `html`.
    fn new(html: &'h str, needle: &'static [u8]) -> Ahead<'h> {
        let mut ahead = Ahead {
            haystack: html.as_bytes(),
            finder: memchr::memmem::Finder::new(needle),
            next: 0,
        };
        ahead.find_from(0);
        ahead
    }

    /// Looks for the needle from `start` on.
    fn find_from(&mut self, start: usize) {
        self.next = self
            .haystack
            .get(start..)
            .and_then(|rest| self.finder.find(rest))
            .map_or(usize::MAX, |f| start + f);
    }

    /// Whether the needle starts within `start..end` (the places asked about in order).
    fn within(&mut self, start: usize, end: usize) -> bool {
        if self.next < start {
            self.find_from(start);
        }
        self.next < end
    }
}

/// `text` with each line trimmed and the empty ones left out.
fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        let line = line.trim();
        if !line.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        }
    }
    out
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

/// Where the content of an element `name` that starts `rest` ends: after its end tag
/// (elements of the same name inside counted); 0 when it has none (only the start tag is
/// skipped). A name in lower case, as huibao writes it (a chart is thousands of tags), is
/// looked for as written; any other, tag by tag.
fn skipped_to(rest: &str, name: &str) -> usize {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        return skipped_to_any_case(rest, name);
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
    let mut depth = 1;
    let mut at = 0;
    while let Some(found) = finder.find(&bytes[at..]) {
        let place = at + found;
        at = place + name.len();
        if bytes.get(at).is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        if place >= 2 && &bytes[place - 2..place] == b"</" {
            let end = tag_end(at).map_or(rest.len(), |e| e + 1);
            depth -= 1;
            if depth == 0 {
                return end;
            }
            at = end;
        } else if place >= 1 && bytes[place - 1] == b'<' {
            let Some(end) = tag_end(at) else { return 0 };
            if bytes[end - 1] != b'/' {
                depth += 1;
            }
            at = end + 1;
        }
    }
    0
}

/// [`skipped_to`] for a name written in any case: tag by tag.
fn skipped_to_any_case(rest: &str, name: &str) -> usize {
    let mut depth = 1;
    let mut at = 0;
    while let Some(found) = rest[at..].find('<') {
        let start = at + found;
        let end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        let tag = &rest[start..end];
        at = end;
        if !tag_name(tag).eq_ignore_ascii_case(name) {
            continue;
        }
        if tag.starts_with("</") {
            depth -= 1;
            if depth == 0 {
                return end;
            }
        } else if !tag.ends_with("/>") {
            depth += 1;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let html = "<p>前</p><div class=\"note site-only\"><p>示例</p><div>内</div></div><p class='site-only table-download'><a>下载 CSV</a></p><p data-x=\"site-only\">后</p>";
        assert_eq!(page_text(html).body, "前\n后");
    }
}

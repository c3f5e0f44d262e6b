//! The whole-report page (`print.html`, like mdBook's print page): every page's content in
//! reading order, in one page that prints as the whole report.
//!
//! Each page's content is rewritten for its place in the whole ([`fragment`]): its ids are
//! prefixed with the page's path so they stay unique (`villages/hengxi--基本情况`), its links
//! to other pages become links to their sections, its other links are made relative to the
//! site's root, and what only the site needs (`class="site-only"`, such as the bundled site's
//! 示例 banner) is left out. The pieces are kept in reading order by [`Parts`]: in memory for
//! the preview, spilled to a scratch file by a build (a site of 10,000 villages never holds
//! them all), and written between the head and tail of the theme's `print.html` layout by
//! [`WholeReport::write_to`].

use bytes::Bytes;
use rustc_hash::FxHashSet as HashSet;
use std::borrow::Cow;
use std::io::Write;
use std::sync::Mutex;

use crate::spill::{Spill, lock};

/// The whole-report page's path in the output folder.
pub const PAGE: &str = "print.html";

/// The layout template of the whole-report page.
pub const TEMPLATE: &str = "print.html";

/// What the layout prints where the pages' content goes (`{{ report.content | safe }}`).
pub const CONTENT_MARKER: &str = "<!--huibao:whole-report-content-->";

/// The most pages a site has for its whole-report page to be made when `huibao.toml` does not
/// say (a report one prints; 10,000 village pages would make a page of 200 MB).
pub const AUTO_LIMIT: usize = 1000;

/// The note that the whole-report page was not made for a site of `pages` pages.
pub fn too_large(pages: usize) -> crate::diagnostics::Diagnostic {
    use crate::diagnostics::{Diagnostic, Location, Severity, Text};
    Diagnostic::new(
        Severity::Info,
        "print-page-skipped",
        Some(Location::file(crate::config::CONFIG_FILE)),
        Text::new(
            format!("站点有 {pages} 个页面（多于 {AUTO_LIMIT} 个），没有生成全文页 {PAGE}"),
            format!(
                "the site has {pages} pages (more than {AUTO_LIMIT}): no whole-report page {PAGE} was made"
            ),
        ),
    )
    .with_hint(Text::new(
        "要生成，在 huibao.toml 里写 print_page = true；不要这条说明，写 print_page = false",
        "to make it, set print_page = true in huibao.toml; to silence this note, set print_page = false",
    ))
}

/// The error for a content page whose output path is the whole-report page's.
pub fn collision(file: &std::path::Path) -> crate::diagnostics::Diagnostic {
    use crate::diagnostics::{Diagnostic, Location, Text};
    Diagnostic::error(
        "page-collision",
        Some(Location::file(file)),
        Text::new(
            format!("这个页面会生成 {PAGE}，与全文页同名"),
            format!("this page would be {PAGE}, the whole-report page's path"),
        ),
    )
    .with_hint(Text::new(
        "给文件改个名字；或者在 huibao.toml 里写 print_page = false，不生成全文页",
        "rename the file, or set print_page = false in huibao.toml to make no whole-report page",
    ))
}

/// The error for a section of the whole-report page that could not be kept.
pub fn write_error(error: &std::io::Error) -> crate::diagnostics::Diagnostic {
    crate::diagnostics::Diagnostic::unwritable(
        PAGE,
        ("写入全文页", "writing the whole-report page"),
        error,
    )
}

/// The whole-report page's layout, rendered: (the text before the pages' sections, the text
/// after). Its context: `site`, `root` (empty: the page is at the top of the site) and
/// `report.pages` (each page's `title`, section `id` and `level` in the table of contents:
/// 1 for the home page and top-level pages, 2 for the pages of a folder).
pub fn layout(
    layout_tera: &tera::Tera,
    site: &crate::discover::Site,
    plan: &super::PagePlan,
    site_json: &serde_json::Value,
) -> Result<(String, String), crate::diagnostics::Diagnostic> {
    use crate::diagnostics::{Diagnostic, Location, Text};
    let pages: Vec<serde_json::Value> = plan
        .pages
        .iter()
        .enumerate()
        .map(|(index, page)| {
            serde_json::json!({
                "title": crate::provenance::strip(&page.title),
                "id": section_id(&page.output),
                "level": plan.breadcrumbs(index).len().max(1),
            })
        })
        .collect();
    let mut context = tera::Context::new();
    context.insert("site", site_json);
    context.insert("root", "");
    // The built-in layout in a theme of the site's own: the built-in styles come with it.
    if super::theme::print_layout_borrowed(site) {
        context.insert("builtin_css", super::theme::builtin_css());
    }
    context.insert(
        "report",
        &serde_json::json!({ "pages": pages, "content": CONTENT_MARKER }),
    );
    let file = super::theme::template_path(site, TEMPLATE);
    let html = super::theme::render_layout(layout_tera, site, TEMPLATE, &context)?;
    let html = crate::provenance::strip(&html).into_owned();
    match html.split_once(CONTENT_MARKER) {
        Some((head, tail)) => Ok((head.to_string(), tail.to_string())),
        None => Err(Diagnostic::error(
            "print-content-missing",
            Some(Location::file(&file)),
            Text::new(
                "全文页模板没有放正文的位置",
                "the whole-report page's template has no place for the content",
            ),
        )
        .with_hint(Text::new(
            "在模板里写 {{ report.content | safe }}",
            "write {{ report.content | safe }} in the template",
        ))),
    }
}

/// The id of a page's section in the whole report: its output path without `.html`
/// (`villages/hengxi`).
pub fn section_id(output: &str) -> &str {
    output.strip_suffix(".html").unwrap_or(output)
}

/// One page's section of the whole report: its title (unless `title` is `None`, the home
/// page, whose title is the report's) and its content `body` rewritten for the whole report
/// (see the module's doc). `output` is the page's path; `pages` every page's path.
pub fn fragment(output: &str, title: Option<&str>, body: &str, pages: &HashSet<String>) -> String {
    let id = section_id(output);
    let mut out = String::with_capacity(body.len() + 256);
    out.push_str("<article class=\"report-page\" id=\"");
    out.push_str(&crate::html::escape_html_text(id));
    out.push_str("\">\n");
    if let Some(title) = title {
        out.push_str("<h1 class=\"report-page-title\">");
        out.push_str(&crate::html::escape_html_text(&crate::provenance::strip(
            title,
        )));
        out.push_str("</h1>\n");
    }
    let dir = match output.rsplit_once('/') {
        Some((dir, _)) => dir,
        None => "",
    };
    let ids = ids_of(body);
    let place = Place {
        id,
        dir,
        pages,
        ids: &ids,
    };
    scan(body, Some(&place), &mut SiteOnly::default(), &mut out);
    out.push_str("</article>\n");
    out
}

/// `html` without its `site-only` elements (for the exported documents). `open` carries an
/// element left open at the end of one piece of HTML into the next: Markdown splits
/// `<div class="site-only">` … `</div>` into blocks around the Markdown between them.
/// HTML with no `site-only` in it, outside an open element, comes back as it is.
pub fn without_site_only<'h>(html: &'h str, open: &mut SiteOnly) -> Cow<'h, str> {
    if !open.is_open()
        && crate::html::finder!(b"site-only")
            .find(html.as_bytes())
            .is_none()
    {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    scan(html, None, open, &mut out);
    Cow::Owned(out)
}

/// Whether a `site-only` element is open: what follows it is left out until it closes.
#[derive(Debug, Default)]
pub struct SiteOnly(Option<(String, usize)>);

impl SiteOnly {
    /// Whether the scan is inside a `site-only` element.
    pub fn is_open(&self) -> bool {
        self.0.is_some()
    }

    /// A Markdown block starts: it ends an open `site-only` paragraph, as a browser ends a
    /// `<p>` where a block starts.
    pub fn block_starts(&mut self) {
        if matches!(&self.0, Some((name, 1)) if name == "p") {
            self.0 = None;
        }
    }
}

/// End tags that end an open `<p>` inside them (HTML closes the paragraph with its parent).
const ENDS_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "header",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "section",
    "summary",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// Inline elements: an open one ends, as a browser ends it, where its block ends (an end
/// tag of [`ENDS_P`]).
const INLINE: &[&str] = &[
    "a", "abbr", "b", "cite", "code", "em", "font", "i", "mark", "q", "s", "small", "span",
    "strong", "sub", "sup", "u",
];

/// Where a page's content goes in the whole report, for its ids and links.
struct Place<'p> {
    /// The page's section id.
    id: &'p str,
    /// The folder of the page's output path.
    dir: &'p str,
    /// Every page's output path.
    pages: &'p HashSet<String>,
    /// The ids of the page's content.
    ids: &'p HashSet<String>,
}

/// The values of the `id` attributes in `html`.
fn ids_of(html: &str) -> HashSet<String> {
    super::links::values_of(html, super::links::Attribute::Id)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// Elements a `<p>` ends at (HTML closes an open paragraph before them).
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];

/// Elements that have no end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Copies `html` into `out`, leaving out elements of class `site-only` (`skipping`: whether
/// one is open, carried from a piece of HTML to the next); with a `place`, its ids, fragment
/// links and page links rewritten for the page's section of the whole report.
/// Where the content of an `<svg>` that `rest` follows ends, after its `</svg>`, when it has
/// no `<svg>` inside and names nothing site-only; `None` otherwise (it is scanned tag by tag).
fn plain_svg_end(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let close = crate::html::finder!(b"</svg>").find(bytes)?;
    let inside = &bytes[..close];
    let nested = crate::html::finder!(b"<svg").find(inside).is_some();
    let site_only = crate::html::finder!(b"site-only").find(inside).is_some();
    (!nested && !site_only).then_some(close + "</svg>".len())
}

fn scan(html: &str, place: Option<&Place<'_>>, skipping: &mut SiteOnly, out: &mut String) {
    let mut rest = html;
    while let Some(at) = memchr::memchr(b'<', rest.as_bytes()) {
        if !skipping.is_open() {
            out.push_str(&rest[..at]);
        }
        rest = &rest[at..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(rest.len(), |e| e + 3);
            if !skipping.is_open() {
                out.push_str(&rest[..end]);
            }
            rest = &rest[end..];
            continue;
        }
        let Some(tag) = Tag::parse(rest) else {
            // A `<` that starts no tag (already escaped text would be `&lt;`): kept.
            if !skipping.is_open() {
                out.push('<');
            }
            rest = &rest[1..];
            continue;
        };
        let text = &rest[..tag.len];
        rest = &rest[tag.len..];
        if let Some((name, depth)) = &mut skipping.0 {
            // An open `<p>` ends where a block starts, as a browser ends it.
            let ends_p = name == "p"
                && *depth == 1
                && if tag.closing {
                    ENDS_P.iter().any(|b| tag.name.eq_ignore_ascii_case(b))
                } else {
                    CLOSES_P.iter().any(|b| tag.name.eq_ignore_ascii_case(b))
                };
            // An unclosed `<span class="site-only">` ends with its paragraph.
            let ends_inline = INLINE.contains(&name.as_str())
                && tag.closing
                && !tag.name.eq_ignore_ascii_case(name)
                && ENDS_P.iter().any(|b| tag.name.eq_ignore_ascii_case(b));
            if ends_p || ends_inline {
                skipping.0 = None;
            } else {
                if tag.name.eq_ignore_ascii_case(name) && !tag.self_closing {
                    if tag.closing {
                        *depth -= 1;
                    } else {
                        *depth += 1;
                    }
                }
                if *depth == 0 {
                    skipping.0 = None;
                }
                continue;
            }
        }
        if !tag.closing && tag.site_only {
            let void = VOID.iter().any(|v| tag.name.eq_ignore_ascii_case(v));
            if !(tag.self_closing || void) {
                skipping.0 = Some((tag.name.to_ascii_lowercase(), 1));
            }
            continue;
        }
        // A chart's SVG (thousands of tags) with nothing site-only in it is copied whole:
        // every page with a 「下载 CSV」 link is scanned, and its charts are most of it.
        // (Not for the whole report, whose ids inside the chart are each rewritten.)
        if place.is_none()
            && !tag.closing
            && !tag.self_closing
            && tag.name.eq_ignore_ascii_case("svg")
            && let Some(end) = plain_svg_end(rest)
        {
            out.push_str(text);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        // Raw text elements: their content is not markup.
        let raw = !tag.closing
            && (tag.name.eq_ignore_ascii_case("script") || tag.name.eq_ignore_ascii_case("style"));
        match place.and_then(|place| tag.rewritten(place)) {
            Some(new) => out.push_str(&new),
            None => out.push_str(text),
        }
        if raw {
            let end = end_tag(rest, tag.name);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
    if !skipping.is_open() {
        out.push_str(rest);
    }
}

/// Where the end tag `</name` (any case) starts in `text`, or its length.
fn end_tag(text: &str, name: &str) -> usize {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = memchr::memchr(b'<', &bytes[from..]) {
        let at = from + at;
        let after = at + 2 + name.len();
        if bytes.get(at + 1) == Some(&b'/')
            && bytes
                .get(at + 2..after)
                .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
        {
            return at;
        }
        from = at + 1;
    }
    text.len()
}

/// A start or end tag, read from the text it starts.
struct Tag<'h> {
    name: &'h str,
    closing: bool,
    self_closing: bool,
    /// The text of the attributes: from after the name to before the closing `>` or `/>`.
    attributes: &'h str,
    /// Whether its class is `site-only` (among others).
    site_only: bool,
    /// Whether an attribute is written otherwise in the whole report.
    rewrite: bool,
    /// The tag's length in bytes, `<` to `>`.
    len: usize,
}

impl<'h> Tag<'h> {
    /// The tag at the start of `text` (which starts with `<`), if it is one.
    fn parse(text: &'h str) -> Option<Tag<'h>> {
        let bytes = text.as_bytes();
        let mut at = 1;
        let closing = bytes.get(at) == Some(&b'/');
        if closing {
            at += 1;
        }
        let start = at;
        while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'-') {
            at += 1;
        }
        if at == start || !bytes[start].is_ascii_alphabetic() {
            return None;
        }
        let name = &text[start..at];
        let mut attributes = crate::html::Attributes {
            text,
            at,
            self_closing: false,
            end: None,
        };
        let (mut site_only, mut rewrite) = (false, false);
        for (name, value) in attributes.by_ref() {
            let Some(value) = value else { continue };
            rewrite |= needs_rewrite(name, value);
            site_only |= name.eq_ignore_ascii_case("class")
                && value.split_ascii_whitespace().any(|c| c == "site-only");
        }
        let end = attributes.end?;
        Some(Tag {
            name,
            closing,
            self_closing: attributes.self_closing,
            attributes: &text[start + name.len()..end],
            site_only,
            rewrite,
            len: end + 1,
        })
    }

    /// (name, value as written without its quotes) of each attribute.
    fn attributes(&self) -> crate::html::Attributes<'h> {
        crate::html::Attributes {
            text: self.attributes,
            at: 0,
            self_closing: false,
            end: None,
        }
    }

    /// The tag written anew when one of its attributes changes in the whole report.
    fn rewritten(&self, place: &Place<'_>) -> Option<String> {
        if self.closing || !self.rewrite {
            return None;
        }
        let mut tag = format!("<{}", self.name);
        for (name, value) in self.attributes() {
            tag.push(' ');
            tag.push_str(name);
            if let Some(value) = value {
                let new = rewrite_attribute(name, value, place);
                tag.push_str("=\"");
                tag.push_str(&new.as_deref().unwrap_or(value).replace('"', "&quot;"));
                tag.push('"');
            }
        }
        tag.push_str(if self.self_closing { " />" } else { ">" });
        Some(tag)
    }
}

/// Whether attribute `name` with `value` is written otherwise in the whole report.
fn needs_rewrite(name: &str, value: &str) -> bool {
    const NAMED: &[&str] = &[
        "id",
        "for",
        "headers",
        "aria-labelledby",
        "aria-describedby",
        "aria-controls",
        "aria-owns",
        "href",
        "xlink:href",
        "src",
        "poster",
        "srcset",
    ];
    NAMED.iter().any(|n| n.eq_ignore_ascii_case(name)) || value.contains("url(#")
}

/// An attribute's value in the whole report, when it differs from the page's.
fn rewrite_attribute(name: &str, value: &str, place: &Place<'_>) -> Option<String> {
    let id = place.id;
    let prefixed = |target: &str| format!("{id}--{target}");
    let is = |n: &str| name.eq_ignore_ascii_case(n);
    if is("id") {
        Some(prefixed(value))
    } else if [
        "for",
        "headers",
        "aria-labelledby",
        "aria-describedby",
        "aria-controls",
        "aria-owns",
    ]
    .into_iter()
    .any(is)
    {
        Some(
            value
                .split_ascii_whitespace()
                .map(prefixed)
                .collect::<Vec<_>>()
                .join(" "),
        )
    } else if is("href") || is("xlink:href") {
        link(value, place, true)
    } else if is("src") || is("poster") {
        link(value, place, false)
    } else if is("srcset") {
        // `a.png 1x, b.png 2x`: each file from the root.
        let candidates: Vec<String> = value
            .split(',')
            .map(|candidate| {
                let candidate = candidate.trim();
                let (url, descriptor) = candidate
                    .split_once(char::is_whitespace)
                    .unwrap_or((candidate, ""));
                let url = link(url, place, false).unwrap_or_else(|| url.to_string());
                format!("{url} {descriptor}").trim_end().to_string()
            })
            .collect();
        Some(candidates.join(", "))
    } else if value.contains("url(#") {
        Some(value.replace("url(#", &format!("url(#{id}--")))
    } else {
        None
    }
}

/// A link of the page at `place`, as the whole report links it: when `to_pages`, to a
/// section or a heading in it when it leads to a page of the site; else to the same file
/// from the site's root. `None`: the same link (outside the site, or already from the root).
fn link(value: &str, place: &Place<'_>, to_pages: bool) -> Option<String> {
    let id = place.id;
    if let Some(fragment) = value.strip_prefix('#') {
        // A fragment of the page's own content; else of its layout (`#main`), which the
        // whole report has not: the page's section.
        let fragment = super::links::decoded(fragment);
        return Some(if place.ids.contains(&fragment) {
            anchor(id, &fragment)
        } else {
            format!("#{id}")
        });
    }
    let scheme_end = value.find([':', '/', '?', '#']);
    if value.is_empty()
        || value.starts_with('/')
        || scheme_end.is_some_and(|at| value.as_bytes()[at] == b':')
    {
        return None;
    }
    let (before_fragment, fragment) = match value.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (value, None),
    };
    let (path, query) = match before_fragment.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (before_fragment, None),
    };
    // The path from the site's root.
    let mut segments: Vec<&str> = place.dir.split('/').filter(|s| !s.is_empty()).collect();
    let mut above_root = 0;
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if segments.pop().is_none() {
                    above_root += 1;
                }
            }
            s => segments.push(s),
        }
    }
    let mut resolved = "../".repeat(above_root);
    resolved.push_str(&segments.join("/"));
    if path.is_empty() {
        // `?q` alone: this page.
        resolved = format!("{id}.html");
    } else if path.ends_with('/') {
        if !resolved.is_empty() && !resolved.ends_with('/') {
            resolved.push('/');
        }
        resolved.push_str("index.html");
    }
    let page = super::links::decoded(&resolved);
    if to_pages && query.is_none() && above_root == 0 && place.pages.contains(&page) {
        let section = section_id(&page);
        return Some(match fragment {
            Some(fragment) if !fragment.is_empty() => {
                anchor(section, &super::links::decoded(fragment))
            }
            _ => format!("#{section}"),
        });
    }
    let mut new = resolved;
    if let Some(query) = query {
        new.push('?');
        new.push_str(query);
    }
    if let Some(fragment) = fragment {
        new.push('#');
        new.push_str(fragment);
    }
    Some(new)
}

/// `html` with each `href="#section--heading"` whose target is not among `ids` leading to
/// its section (the longest prefix before a `--` that is an id).
fn anchors_found<'h>(html: &'h str, ids: &HashSet<String>) -> Cow<'h, str> {
    const HREF: &str = " href=\"#";
    let mut out = String::new();
    let mut copied = 0;
    let mut rest_at = 0;
    let href = memchr::memmem::Finder::new(HREF);
    while let Some(found) = href.find(&html.as_bytes()[rest_at..]) {
        let start = rest_at + found + HREF.len();
        let Some(len) = html[start..].find('"') else {
            break;
        };
        let target = &html[start..start + len];
        rest_at = start + len;
        if ids.contains(target) {
            continue;
        }
        let section = target
            .match_indices("--")
            .map(|(at, _)| &target[..at])
            .filter(|prefix| ids.contains(*prefix))
            .last();
        if let Some(section) = section {
            out.push_str(&html[copied..start]);
            out.push_str(section);
            copied = start + len;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// The link to heading `fragment` of the section `section`.
fn anchor(section: &str, fragment: &str) -> String {
    if fragment.is_empty() {
        format!("#{section}")
    } else {
        format!("#{section}--{fragment}")
    }
}

/// Every page's section of the whole report as it is rendered, kept in reading order
/// ([`Spill`]), and the ids they hold (found as each is put, on the core that rendered it).
pub struct Parts {
    sections: Spill,
    ids: Mutex<HashSet<String>>,
}

impl Parts {
    /// Parts kept in `sections`.
    pub fn new(sections: Spill) -> Parts {
        Parts {
            sections,
            ids: Mutex::new(HashSet::default()),
        }
    }

    /// Parts held in memory.
    pub fn in_memory() -> Parts {
        Parts::new(Spill::in_memory())
    }

    /// Keeps the section of page `index`.
    pub fn put(&self, index: usize, section: Bytes) -> std::io::Result<()> {
        let ids = ids_of(&String::from_utf8_lossy(&section));
        lock(&self.ids).extend(ids);
        self.sections.put(index, section)
    }
}

/// The whole-report page: the layout's text before and after the pages' sections, and the
/// sections.
pub struct WholeReport {
    /// The layout up to where the content goes.
    pub head: String,
    /// The layout after the content.
    pub tail: String,
    /// Every page's section.
    pub parts: Parts,
}

impl WholeReport {
    /// Writes the page to `out`. A link to a heading of another page that the whole report
    /// has not (an anchor of that page's layout, `index.md#main`) leads to that page's section.
    pub fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut ids = lock(&self.parts.ids).clone();
        ids.extend(ids_of(&self.head));
        ids.extend(ids_of(&self.tail));
        out.write_all(self.head.as_bytes())?;
        self.parts.sections.for_each(&mut |_, section| {
            let section = String::from_utf8_lossy(section);
            out.write_all(anchors_found(&section, &ids).as_bytes())
        })?;
        out.write_all(self.tail.as_bytes())
    }

    /// The page's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        // Writing to a Vec cannot fail; a spilled part that cannot be read back is left out.
        let _ = self.write_to(&mut bytes);
        bytes
    }
}

impl std::fmt::Debug for WholeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WholeReport").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages() -> HashSet<String> {
        [
            "index.html",
            "villages/index.html",
            "villages/hengxi.html",
            "corrections.html",
        ]
        .into_iter()
        .map(String::from)
        .collect()
    }

    fn section(output: &str, body: &str) -> String {
        fragment(output, Some("标题"), body, &pages())
    }

    #[test]
    fn ids_and_links_within_the_page_get_the_page_prefix() {
        let out = section(
            "villages/hengxi.html",
            "<h2 id=\"基本情况\">基本情况</h2><a href=\"#基本情况\">上</a><svg aria-labelledby=\"c-title c-desc\"><title id=\"c-title\">t</title><rect fill=\"url(#g)\"/></svg>",
        );
        assert!(out.contains("<article class=\"report-page\" id=\"villages/hengxi\">"));
        assert!(
            out.contains("<h2 id=\"villages/hengxi--基本情况\">"),
            "{out}"
        );
        assert!(out.contains("href=\"#villages/hengxi--基本情况\""), "{out}");
        assert!(
            out.contains("aria-labelledby=\"villages/hengxi--c-title villages/hengxi--c-desc\"")
        );
        assert!(
            out.contains("fill=\"url(#villages/hengxi--g)\" />"),
            "{out}"
        );
    }

    #[test]
    fn links_to_pages_become_links_to_their_sections() {
        let out = section(
            "villages/hengxi.html",
            "<a href=\"index.html\">概况</a><a href=\"../corrections.html#c-1\">更正</a><a href=\"../index.html#基本情况\">首页</a><a href=\"./\">本节</a>",
        );
        assert!(out.contains("href=\"#villages/index\""), "{out}");
        assert!(out.contains("href=\"#corrections--c-1\""), "{out}");
        assert!(out.contains("href=\"#index--基本情况\""), "{out}");
        assert_eq!(out.matches("href=\"#villages/index\"").count(), 2, "{out}");
    }

    #[test]
    fn other_links_are_made_relative_to_the_root_and_outside_ones_kept() {
        let out = section(
            "villages/hengxi.html",
            "<a href=\"../data/hengxi.csv?x=1#a\">表</a><img src=\"../assets/logo.png\" alt=\"\"><a href=\"https://example.org/a\">外</a><a href=\"mailto:a@b\">信</a><a href=\"/abs\">根</a>",
        );
        assert!(out.contains("href=\"data/hengxi.csv?x=1#a\""), "{out}");
        assert!(out.contains("src=\"assets/logo.png\""), "{out}");
        assert!(out.contains("href=\"https://example.org/a\""));
        assert!(out.contains("href=\"mailto:a@b\""));
        assert!(out.contains("href=\"/abs\""));
    }

    #[test]
    fn site_only_elements_are_left_out_with_what_they_hold() {
        let out = fragment(
            "index.html",
            None,
            "<div class=\"note site-only\">\n<blockquote><div>示例</div></blockquote>\n</div>\n<p>正文<br></p><img class=\"site-only\" src=\"a.png\"><p>后</p>",
            &pages(),
        );
        assert!(!out.contains("示例"), "{out}");
        assert!(!out.contains("a.png"), "{out}");
        assert!(out.contains("<p>正文<br></p>"), "{out}");
        assert!(out.contains("<p>后</p>"), "{out}");
        assert!(
            !out.contains("<h1"),
            "the home page's title is the report's: {out}"
        );
    }

    #[test]
    fn scripts_and_styles_are_copied_as_they_are_to_their_end_tag() {
        let body = "<script>if (a<b) { x = '<a href=\"#y\">'; }</SCRIPT><p id=\"z\">z</p>";
        let out = section("index.html", body);
        assert!(
            out.contains("<script>if (a<b) { x = '<a href=\"#y\">'; }</SCRIPT>"),
            "{out}"
        );
        assert!(out.contains("<p id=\"index--z\">"), "{out}");
    }

    #[test]
    fn encoded_links_lead_to_sections_and_layout_anchors_to_the_page() {
        let mut pages = pages();
        pages.insert("说明.html".into());
        let out = fragment(
            "villages/hengxi.html",
            None,
            "<a href=\"../%E8%AF%B4%E6%98%8E.html#%E7%AC%AC%E4%B8%80%E8%8A%82\">说明</a><a href=\"#main\">顶部</a><img src=\"../a.png\" srcset=\"../a.png 1x, ../b.png 2x\"><video poster=\"../p.png\"></video>",
            &pages,
        );
        assert!(out.contains("href=\"#说明--第一节\""), "{out}");
        assert!(out.contains("href=\"#villages/hengxi\""), "{out}");
        assert!(out.contains("srcset=\"a.png 1x, b.png 2x\""), "{out}");
        assert!(out.contains("poster=\"p.png\""), "{out}");
    }

    #[test]
    fn an_unclosed_site_only_paragraph_ends_where_the_browser_ends_it() {
        let out = section(
            "index.html",
            "<p class=\"site-only\">只在网站上<p>正文</p><h2 id=\"x\">标题</h2>",
        );
        assert!(!out.contains("只在网站上"), "{out}");
        assert!(out.contains("<p>正文</p>") && out.contains("标题"), "{out}");
    }

    #[test]
    fn an_unclosed_site_only_span_ends_with_its_paragraph() {
        let out = section(
            "index.html",
            "<p>正文<span class=\"site-only\">未闭合</p><h2 id=\"x\">政策</h2>",
        );
        assert!(out.contains("<p>正文</p>") && out.contains("政策"), "{out}");
    }

    #[test]
    fn a_site_only_paragraph_ends_with_its_parent() {
        let out = section(
            "index.html",
            "<div class=\"box\"><p class=\"site-only\">只在网站上</div><p>正文</p>",
        );
        assert!(
            out.contains("<div class=\"box\"></div><p>正文</p>"),
            "{out}"
        );
    }

    #[test]
    fn a_site_only_element_open_at_the_end_of_one_piece_is_left_out_of_the_next() {
        let mut open = SiteOnly::default();
        let first = without_site_only("<p>前</p><div class=\"note site-only\">\n<p>甲", &mut open);
        assert_eq!(first, "<p>前</p>");
        assert!(open.is_open());
        let second = without_site_only("乙</p><div>丙</div>\n</div><div>丁</div>", &mut open);
        assert_eq!(second, "<div>丁</div>");
        assert!(!open.is_open());
    }

    #[test]
    fn links_to_another_pages_layout_anchors_lead_to_its_section() {
        let ids: HashSet<String> = ["index", "index--基本情况", "villages/a--b"]
            .into_iter()
            .map(String::from)
            .collect();
        let html = "<a href=\"#index--main\">x</a><a href=\"#index--基本情况\">y</a><a href=\"#nowhere\">z</a>";
        assert_eq!(
            anchors_found(html, &ids),
            "<a href=\"#index\">x</a><a href=\"#index--基本情况\">y</a><a href=\"#nowhere\">z</a>"
        );
    }

    #[test]
    fn text_comments_and_stray_angle_brackets_are_kept_as_they_are() {
        let body = "<p>1 < 2 且 a&lt;b</p><!-- id=\"x\" --><pre><code>a</code></pre>";
        let out = section("index.html", body);
        assert!(out.contains(body), "{out}");
    }

    #[test]
    fn parts_come_back_in_reading_order_from_memory_and_from_a_scratch_file() {
        let dir = tempfile::tempdir().unwrap();
        for parts in [
            Parts::in_memory(),
            Parts::new(Spill::to_file(dir.path().join("parts"), 0).unwrap()),
        ] {
            parts.put(2, Bytes::from_static(b"C")).unwrap();
            parts.put(0, Bytes::from_static(b"A")).unwrap();
            parts.put(1, Bytes::from_static(b"B")).unwrap();
            let whole = WholeReport {
                head: "<".into(),
                tail: ">".into(),
                parts,
            };
            assert_eq!(whole.to_bytes(), b"<ABC>");
        }
        assert!(
            !dir.path().join("parts").exists(),
            "the scratch file is removed"
        );
    }
}

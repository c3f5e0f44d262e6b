//! The last check of a build: every link and image in the built pages points to a file of
//! the site, and every `#fragment` to an anchor that exists — also links written as raw HTML
//! in content, which the Markdown stage does not see.

use crate::diagnostics::{Diagnostic, Location, Text};
use percent_encoding::percent_decode_str;
use rustc_hash::FxHashMap as HashMap;

/// A link that does not resolve: (page output path, the link as written).
pub type BrokenLink = (String, String);

/// What the link check keeps of one page once it is written: a fingerprint of each of its
/// anchors, the links already found broken, and the links to another page's anchor, which
/// can be checked only when that page is done. A few hundred bytes, whatever the page's size.
#[derive(Clone, Debug, Default)]
pub struct PageLinks {
    /// Fingerprints of the page's `id="…"` values, sorted.
    pub anchors: Vec<u64>,
    /// Links of the page's content that point to no file of the site, or to no anchor of
    /// the page itself.
    pub broken: Vec<String>,
    /// Links to an anchor of another page: (that page, the anchor, the link as written).
    pub pending: Vec<(String, String, String)>,
    /// Every link of the page's content as written: checked again when the page is reused
    /// by the next build of the preview (the pages and anchors it points to may have gone).
    pub links: Vec<String>,
}

impl PageLinks {
    /// What a build that keeps no page needs of the page: its anchors and what
    /// [`PageLinks::to_check`] reads, not every link as written (only the preview checks
    /// them again).
    pub fn for_build(self) -> PageLinks {
        PageLinks {
            links: Vec::new(),
            ..self
        }
    }

    /// What the build's link check needs of the page: its broken links and those waiting
    /// for another page's anchors; `None` when it has neither (most pages).
    pub fn to_check(&self) -> Option<PageLinks> {
        (!self.broken.is_empty() || !self.pending.is_empty()).then(|| PageLinks {
            broken: self.broken.clone(),
            pending: self.pending.clone(),
            ..PageLinks::default()
        })
    }
}

/// Scans page `page` (its output path): the anchors of its whole `html`, and the links of
/// its `content` (the layout's own links come from the plan and always resolve) against
/// `files`, every path of the site's output, and `own`, the files made with the page (its tables' CSV).
pub fn scan(
    page: &str,
    content: &str,
    html: &str,
    (files, own): (&super::site_files::OutputPaths, &[&str]),
) -> PageLinks {
    let links = attribute_values(content);
    let own_anchors = anchors(html);
    let mut found = resolve_links(page, links, &own_anchors, (files, own));
    found.anchors = own_anchors;
    found
}

/// The links of page `page` (its output path; `links` as written, `anchors` its own)
/// checked against `files` and `own`, as [`scan`] does (the page's anchors left empty).
pub fn resolve_links(
    page: &str,
    links: Vec<String>,
    anchors: &[u64],
    (files, own): (&super::site_files::OutputPaths, &[&str]),
) -> PageLinks {
    let mut found = PageLinks::default();
    let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
    for link in &links {
        // Cut at `#` and `?` as written, then decoded: `a%23b.html` names the file `a#b.html`.
        let written = unescape_amp(link);
        if on_this_computer(&written) {
            found.broken.push(link.clone());
            continue;
        }
        if is_external(&written) {
            continue;
        }
        let (path, fragment) = match written.split_once('#') {
            Some((path, fragment)) => (path, Some(percent_decoded(fragment))),
            None => (&*written, None),
        };
        let path = percent_decoded(path.split('?').next().unwrap_or_default());
        let fragment = fragment.as_deref();
        let target = if path.is_empty() {
            Some(page.to_string())
        } else {
            resolve(dir, &path)
        };
        match (target, fragment) {
            (Some(target), _) if !files.contains(&target) && !own.contains(&target.as_str()) => {
                found.broken.push(link.clone())
            }
            (None, _) => found.broken.push(link.clone()),
            (Some(target), Some(fragment)) if !fragment.is_empty() && target.ends_with(".html") => {
                if target == page {
                    if !has_anchor(anchors, fragment) {
                        found.broken.push(link.clone());
                    }
                } else {
                    found
                        .pending
                        .push((target, fragment.to_string(), link.clone()));
                }
            }
            _ => {}
        }
    }
    found.broken.sort();
    found.broken.dedup();
    found.links = links;
    found
}

/// The anchors of the pages of a build.
#[derive(Clone, Copy)]
pub struct Anchors<'a> {
    /// Output path → the page's anchors.
    pub pages: &'a HashMap<String, Vec<u64>>,
    /// The pages the preview keeps, with their anchors (not copied into `pages`).
    pub kept: Option<&'a super::cache::KeptPages>,
    /// Whether every page is there (else a link to a page not rendered is not judged).
    pub complete: bool,
}

impl<'a> Anchors<'a> {
    /// The anchors of the page at output path `page`, if it is known.
    pub fn of(&self, page: &str) -> Option<&'a [u64]> {
        let kept = || Some(&self.kept?.get(page)?.anchors[..]);
        self.pages.get(page).map(Vec::as_slice).or_else(kept)
    }
}

/// The links of `pages` (output path, what [`scan`] found) that point nowhere, now that the
/// pages' anchors are known.
pub fn check(pages: &[(String, PageLinks)], anchors: Anchors<'_>) -> Vec<BrokenLink> {
    let mut broken = Vec::new();
    for (page, links) in pages {
        broken.extend(links.broken.iter().map(|l| (page.clone(), l.clone())));
        for (target, fragment, link) in &links.pending {
            let found = match anchors.of(target) {
                Some(ids) => has_anchor(ids, fragment),
                None => !anchors.complete,
            };
            if !found {
                broken.push((page.clone(), link.clone()));
            }
        }
    }
    broken.sort();
    broken.dedup();
    broken
}

/// Whether `anchors` (sorted fingerprints) hold the anchor `id`.
fn has_anchor(anchors: &[u64], id: &str) -> bool {
    anchors
        .binary_search(&super::cache::fingerprint(&id))
        .is_ok()
}

/// Whether `link` names a file on the writer's own computer (`D:\汇报\附件.docx`,
/// `file:///D:/汇报/附件.docx`): no other reader has it. (`file://server/…`, a shared
/// folder, is left alone.)
pub fn on_this_computer(link: &str) -> bool {
    // (Read for every link of every page: no copy made of it.)
    let link = link.trim();
    let drive = |path: &str| {
        let mut chars = path.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.next().is_some_and(|c| c == ':' || c == '|')
            && chars.next().is_none_or(|c| c == '/' || c == '\\')
    };
    let starts = |text: &str, prefix: &str| {
        text.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    match starts(link, "file:").then(|| &link[5..]) {
        Some(rest) => {
            let path = rest.trim_start_matches('/');
            rest.starts_with("///") || starts(rest, "//localhost/") || drive(path)
        }
        None => drive(link),
    }
}

/// The error of a link to a file on the writer's computer (`D:\汇报\附件.docx`) at
/// `location`: it opens there and nowhere else.
pub(super) fn on_this_computer_problem(link: &str, location: Location) -> Diagnostic {
    Diagnostic::error(
        "link-broken",
        Some(location),
        Text::new(
            format!("链接「{link}」指向这台电脑上的文件：别人打开报告时找不到它"),
            format!("the link `{link}` points to a file on this computer: no other reader of the report can open it"),
        ),
    )
    .with_hint(Text::new(
        "把文件放进网站的 static/ 文件夹，再写相对于本页的链接：如 static/附件.docx，在 content/policies/ 下的页面里写成 ../附件.docx",
        "put the file in the site's static/ folder and link it relative to the page: static/附件.docx is ../附件.docx from a page in content/policies/",
    ))
}

fn is_external(link: &str) -> bool {
    let lower = link.to_ascii_lowercase();
    lower.starts_with("//")
        || lower.contains("://")
        || ["mailto:", "tel:", "data:", "javascript:"]
            .iter()
            .any(|s| lower.starts_with(s))
}

/// `dir` + `path` with `.` and `..` resolved; `None` if it leaves the site.
fn resolve(dir: &str, path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None; // root-relative links break under a sub-path and from file://
    }
    super::markdown::normalize(&format!("{dir}/{path}"))
}

/// A link or part of one as the file or id it names: `&amp;` read back, percent-decoded.
pub(super) fn decoded(link: &str) -> String {
    percent_decoded(&unescape_amp(link))
}

/// `text` percent-decoded.
fn percent_decoded(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// An attribute of a page that the link check reads.
#[derive(Clone, Copy)]
pub(super) enum Attribute {
    /// ` id="`.
    Id,
    /// ` href="`.
    Href,
    /// ` src="`.
    Src,
}

impl Attribute {
    /// Every attribute, in the order of their declaration (their searchers' places).
    const ALL: [Attribute; 3] = [Attribute::Id, Attribute::Href, Attribute::Src];

    /// How it opens in the HTML huibao writes.
    fn opening(self) -> &'static str {
        match self {
            Attribute::Id => " id=\"",
            Attribute::Href => " href=\"",
            Attribute::Src => " src=\"",
        }
    }

    /// Its searcher, made once, told how often each byte is in a page ([`HtmlBytes`]).
    fn finder(self) -> &'static memchr::memmem::Finder<'static> {
        static FINDERS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 3]> =
            std::sync::LazyLock::new(|| {
                Attribute::ALL.map(|attribute| {
                    memchr::memmem::FinderBuilder::new()
                        .build_forward_with_ranker(HtmlBytes, attribute.opening().as_bytes())
                        .into_owned()
                })
            });
        &FINDERS[self as usize]
    }
}

/// How often a byte is in a page, for a searcher's choice of the two bytes it looks for
/// first: memchr's own table, made from ordinary text, thinks `=` and `"` rare, and a search
/// for ` id="` stopped at every attribute of a page's charts (~640 a village page, 16 of
/// them ids). Here markup, Chinese text and figures are the commonest bytes, and letters
/// follow English's order (`etaoin…`), so the searchers look for `d`/`i`, `f`/`h`, `c`/`r`.
struct HtmlBytes;

impl memchr::arch::all::packedpair::HeuristicFrequencyRank for HtmlBytes {
    fn rank(&self, byte: u8) -> u8 {
        const LETTERS: &[u8] = b"etaoinsrhldcumfpgwybvkxjqz";
        match byte {
            b' ' | b'"' | b'=' | b'<' | b'>' | b'/' | b'\n' => 255,
            0x80.. => 250,
            b'0'..=b'9' | b'.' | b',' | b'-' | b'#' | b'%' => 240,
            _ => match LETTERS.iter().position(|&l| l == byte.to_ascii_lowercase()) {
                Some(at) => 200 - 4 * at as u8,
                None => 50,
            },
        }
    }
}

/// The values of `attribute` in `html`, in order.
pub(super) fn values_of(html: &str, attribute: Attribute) -> Vec<&str> {
    let mut values = Vec::new();
    let mut rest = html;
    let (finder, opening) = (attribute.finder(), attribute.opening());
    while let Some(start) = finder.find(rest.as_bytes()) {
        rest = &rest[start + opening.len()..];
        if let Some(end) = rest.find('"') {
            values.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    values
}

/// The values of `href="…"` and `src="…"` attributes.
fn attribute_values(html: &str) -> Vec<String> {
    [Attribute::Href, Attribute::Src]
        .into_iter()
        .flat_map(|attribute| values_of(html, attribute))
        .map(str::to_string)
        .collect()
}

/// An attribute's value with its `&amp;`s read back (borrowed when it has none: most).
fn unescape_amp(value: &str) -> std::borrow::Cow<'_, str> {
    if value.contains("&amp;") {
        value.replace("&amp;", "&").into()
    } else {
        value.into()
    }
}

/// Fingerprints of the `id="…"` values of a page, sorted.
pub fn anchors(html: &str) -> Vec<u64> {
    let mut found: Vec<u64> = values_of(html, Attribute::Id)
        .into_iter()
        .map(|id| super::cache::fingerprint(&&*unescape_amp(id)))
        .collect();
    found.sort_unstable();
    found.dedup();
    // Kept for the whole build (100,000 pages): without the room of the texts it was
    // collected in place of.
    found.shrink_to_fit();
    found
}

/// The content file a link to `target` (which is no page) most likely means: the one
/// the link names from `content/` (`villages/index.md` written in `policies/` for
/// `../villages/index.md`), the only page of its file name in another folder (`hengxi.md`
/// for `villages/hengxi.md`), or the one of a name close to it (`hengxy.md`).
fn meant_page<'p>(target: &str, link: &str, links: &super::markdown::Links<'p>) -> Option<&'p str> {
    let written = link.split('#').next().unwrap_or(link);
    let pages = links.pages;
    if !links.source_dir.is_empty()
        && !written.starts_with(['/', '.'])
        && let Some((page, _)) =
            super::markdown::normalize(written).and_then(|top| pages.get_key_value(&top))
    {
        return Some(page);
    }
    let keys = || pages.keys().map(String::as_str);
    // The only page of its very name before a page of a name near it (`hengxi.md` in
    // `policies/` is `villages/hengxi.md`, not `policies/health.md`).
    let only_of_name = || {
        let name = target.rsplit('/').next()?;
        let mut same_name = keys().filter(|page| page.rsplit('/').next() == Some(name));
        let only = same_name.next()?;
        same_name.next().is_none().then_some(only)
    };
    only_of_name().or_else(|| crate::suggest::did_you_mean(target, keys()))
}

/// For a link to a content file that does not exist (`../villages/hengxy.md`), the link
/// to the page it most likely means, written as it was (`../villages/hengxi.md`), or from
/// this page's folder when that page is in another folder (`../village/hengxi.md` →
/// `../villages/hengxi.md`).
pub(super) fn closest_page(link: &str, links: &super::markdown::Links<'_>) -> Option<String> {
    let (Some(target), fragment) = super::markdown::linked_content(link, links.source_dir)? else {
        return None;
    };
    let meant = meant_page(&target, link, links)?;
    fn folder(path: &str) -> &str {
        path.rsplit_once('/').map_or("", |(folder, _)| folder)
    }
    let written = link.split('#').next().unwrap_or(link);
    let mut fixed = match (folder(&target) == folder(meant), written.rsplit_once('/')) {
        (true, Some((before, _))) => format!("{before}/{}", meant.rsplit('/').next()?),
        (true, None) => meant.rsplit('/').next()?.to_string(),
        // (From this page's folder up to `content/`, then down.)
        (false, _) => {
            let depth = links
                .source_dir
                .split('/')
                .filter(|p| !p.is_empty())
                .count();
            format!("{}{meant}", "../".repeat(depth))
        }
    };
    if let Some(fragment) = fragment {
        fixed.push('#');
        fixed.push_str(fragment);
    }
    Some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_file_on_this_computer_is_told_from_a_shared_folder_and_the_web() {
        for local in [
            "D:\\汇报\\附件.docx",
            "d:/汇报/附件.docx",
            "file:///D:/汇报/附件.docx",
            "FILE:///C|/x.pdf",
            "file://localhost/C:/x.pdf",
            "file:///home/clerk/x.pdf",
        ] {
            assert!(on_this_computer(local), "{local}");
        }
        for elsewhere in [
            "file://server/共享/c.docx",
            "https://example.cn/x.pdf",
            "mailto:a@b.cn",
            "tel:123",
            "villages/index.md",
            "ab:/x",
            "#概况",
        ] {
            assert!(!on_this_computer(elsewhere), "{elsewhere}");
        }
    }

    /// [`values_of`] as written before the searchers were tuned: `str::find`.
    fn values_by_find(html: &str, attribute: Attribute) -> Vec<&str> {
        let (opening, mut rest, mut values) = (attribute.opening(), html, Vec::new());
        while let Some(start) = rest.find(opening) {
            rest = &rest[start + opening.len()..];
            if let Some(end) = rest.find('"') {
                values.push(&rest[..end]);
                rest = &rest[end..];
            }
        }
        values
    }

    proptest! {
        /// The searchers told how often each byte is in a page find every attribute a plain
        /// search finds, in a page's kind of text: markup, Chinese, figures, the openings
        /// themselves and their near misses.
        #[test]
        fn the_tuned_searchers_find_what_a_plain_search_finds(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    " id=\"", " href=\"", " src=\"", "id=\"", " hre", "f=\"", " sr", "c=\"",
                    "\"", "=", " ", "<a", ">", "</a>", "<svg width=\"30\" height=\"2\">",
                    "横溪村", "雨露计划", "1094.52", "d", "i", "h", "r", "s", "c", "grid", "x",
                ]),
                0..60,
            )
        ) {
            let html: String = pieces.concat();
            for attribute in Attribute::ALL {
                prop_assert_eq!(values_of(&html, attribute), values_by_find(&html, attribute));
            }
        }
    }

    #[test]
    fn finds_missing_pages_and_anchors() {
        let pages = [
            (
                "index.html",
                r##"<a href="villages/index.html#a">x</a> <a href="#top">t</a> <a href="#gone">g</a> <a href="https://x.cn/">e</a> <h1 id="top">"##,
            ),
            (
                "villages/index.html",
                r##"<h2 id="a">a</h2><a href="../index.html#nope">n</a><a href="nothere.md">m</a><img src="../assets/a.png"><a href="/abs.html">r</a><a href="../index.html#top">ok</a><a href="../a%23b.html">file a#b.html</a><a href="../%E6%A8%AA.html#%E6%BA%AA">横 with id 溪</a>"##,
            ),
            ("横.html", r##"<h1 id="溪">溪</h1>"##),
            // `&` written `&amp;` in ids and links, read back in both.
            (
                "r&d.html",
                r##"<h2 id="q&amp;a">问答</h2><a href="#q&amp;a">ok</a><a href="r&amp;d.html?x=1&amp;y=2#q&amp;a">ok</a><a href="#q&amp;b">gone</a>"##,
            ),
        ];
        let files = super::super::site_files::OutputPaths::of_files(&[
            "index.html",
            "villages/index.html",
            "assets/a.png",
            "a#b.html",
            "横.html",
            "r&d.html",
        ]);
        let scanned: Vec<(String, PageLinks)> = pages
            .iter()
            .map(|(p, html)| (p.to_string(), scan(p, html, html, (&files, &[]))))
            .collect();
        let pages: HashMap<String, Vec<u64>> = scanned
            .iter()
            .map(|(p, l)| (p.clone(), l.anchors.clone()))
            .collect();
        let anchors = Anchors {
            kept: None,
            pages: &pages,
            complete: true,
        };
        let broken = check(&scanned, anchors);
        let pair = |p: &str, l: &str| (p.to_string(), l.to_string());
        assert_eq!(
            broken,
            [
                pair("index.html", "#gone"),
                pair("r&d.html", "#q&amp;b"),
                pair("villages/index.html", "../index.html#nope"),
                pair("villages/index.html", "/abs.html"),
                pair("villages/index.html", "nothere.md"),
            ]
        );
    }
}

//! The search index of the rendered pages: each page's text read from its content's HTML,
//! its terms weighed by where they are (title, headings, text), gathered as the pages are
//! rendered, and cut into shards a search page loads by term (see [`super::files`]).

use bytes::Bytes;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use crate::spill::{Spill, lock};

use super::tokens;

/// How much a term counts where it is found.
pub mod weight {
    /// In the page's title.
    pub const TITLE: u32 = 8;
    /// In a heading of the page.
    pub const HEADING: u32 = 3;
    /// In the page's text.
    pub const BODY: u32 = 1;
}

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

/// Elements whose content is not indexed.
const SKIPPED: &[&str] = &["svg", "script", "style", "details"];

/// Block elements: their text starts a line.
const BLOCKS: &[&str] = &[
    "p",
    "li",
    "tr",
    "td",
    "th",
    "div",
    "blockquote",
    "pre",
    "figcaption",
    "br",
    "table",
];

/// Reads the text of a page's content HTML.
pub fn page_text(html: &str) -> PageText {
    let mut text = PageText::default();
    let mut heading: Option<String> = None;
    // The element whose content is skipped, and how deep inside it the reader is.
    let mut skipping: Option<(String, usize)> = None;
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        let before = &rest[..at];
        if skipping.is_none() {
            let target = heading.as_mut().unwrap_or(&mut text.body);
            target.push_str(&crate::html::unescape(before));
        }
        rest = &rest[at..];
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map_or(rest.len(), |e| e + 3)
        } else {
            rest.find('>').map_or(rest.len(), |e| e + 1)
        };
        let tag = &rest[..end];
        rest = &rest[end..];
        let closing = tag.starts_with("</");
        let name: String = tag
            .trim_start_matches('<')
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some((skipped, depth)) = &mut skipping {
            if name == *skipped {
                if closing {
                    *depth -= 1;
                } else if !tag.ends_with("/>") {
                    *depth += 1;
                }
            }
            if *depth == 0 {
                skipping = None;
            }
            continue;
        }
        if !closing && SKIPPED.contains(&name.as_str()) && !tag.ends_with("/>") {
            skipping = Some((name, 1));
            continue;
        }
        let is_heading = name.len() == 2
            && name.starts_with('h')
            && name[1..].parse::<u8>().is_ok_and(|n| (1..=6).contains(&n));
        if is_heading {
            if closing {
                if let Some(done) = heading.take() {
                    let done = done.trim().to_string();
                    if !done.is_empty() {
                        if !text.body.is_empty() && !text.body.ends_with('\n') {
                            text.body.push('\n');
                        }
                        text.body.push_str(&done);
                        text.body.push('\n');
                        text.headings.push(done);
                    }
                }
            } else {
                heading = Some(String::new());
            }
        } else if BLOCKS.contains(&name.as_str())
            && heading.is_none()
            && !text.body.ends_with('\n')
            && !text.body.is_empty()
        {
            text.body.push('\n');
        }
    }
    if skipping.is_none() {
        text.body.push_str(&crate::html::unescape(rest));
    }
    text.body = text
        .body
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    text
}

/// How many characters of a page's text the index keeps for the snippets of its results
/// (every term of the page is indexed; a match past this shows the page's opening lines).
pub const TEXT_LIMIT: usize = 4000;

/// The numbers of the terms: each term is written once, pages name it by number. Kept
/// between the preview's builds, with the pages it reuses.
#[derive(Debug, Default)]
pub struct Dictionary {
    ids: HashMap<Box<str>, u32>,
    terms: Vec<Box<str>>,
}

impl Dictionary {
    fn id(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.terms.len() as u32;
        self.terms.push(term.into());
        self.ids.insert(term.into(), id);
        id
    }

    /// The term numbered `id`.
    fn term(&self, id: u32) -> &str {
        self.terms.get(id as usize).map_or("", |t| t)
    }
}

/// A page's part of the index: its terms (by number in the [`Dictionary`]) with their
/// weights there, and its text for the snippets (at most [`TEXT_LIMIT`] characters).
#[derive(Debug, Clone)]
pub struct Entry {
    /// (term, weight), in term order.
    pub terms: Box<[(u32, u32)]>,
    /// The text shown around a match.
    pub text: Bytes,
}

impl Entry {
    /// The entry of a page titled `title` with `text`. A term weighs [`weight::TITLE`] when
    /// it is in the title, [`weight::HEADING`] for each heading it is in (three at most), and
    /// one for each time it is in the text (five at most): a page about a village outranks a
    /// table that names it among thousands.
    pub fn new(title: &str, text: &PageText, dictionary: &Mutex<Dictionary>) -> Entry {
        let title = tokens::normalise(title);
        let headings: Vec<String> = text.headings.iter().map(|h| tokens::normalise(h)).collect();
        let body = tokens::normalise(&text.body);
        // Per term: [in the title, headings it is in, times in the text].
        let mut counts: HashMap<&str, [u32; 3]> = HashMap::new();
        tokens::for_each_term(&title, |term, _, _| counts.entry(term).or_default()[0] = 1);
        for heading in &headings {
            let mut seen = HashSet::new();
            tokens::for_each_term(heading, |term, _, _| {
                if seen.insert(term) {
                    counts.entry(term).or_default()[1] += 1;
                }
            });
        }
        tokens::for_each_term(&body, |term, _, _| counts.entry(term).or_default()[2] += 1);
        let mut terms: Vec<(u32, u32)> = {
            let mut dictionary = lock(dictionary);
            counts
                .into_iter()
                .map(|(term, [in_title, headings, times])| {
                    let weight = weight::TITLE * in_title
                        + weight::HEADING * headings.min(3)
                        + weight::BODY * times.min(5);
                    (dictionary.id(term), weight)
                })
                .collect()
        };
        terms.sort_unstable();
        let kept: String = text.body.chars().take(TEXT_LIMIT).collect();
        Entry {
            terms: terms.into(),
            text: Bytes::from(kept.into_bytes()),
        }
    }
}

/// A page of the index: what a search result shows of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Its path in the site.
    pub url: String,
    /// Its title.
    pub title: String,
    /// Its place in the report (`示例乡…汇报 › 村委会概况`).
    pub place: String,
}

/// The index as the pages are rendered (from every core, in any order): each term's pages
/// and weights, and each page's text (in memory, or spilled to a scratch file by a build).
pub struct Collector {
    dictionary: Arc<Mutex<Dictionary>>,
    /// Per term number: (page, weight) pairs as variable-length numbers, in the order put.
    postings: Mutex<Vec<Vec<u8>>>,
    texts: Spill,
}

impl Collector {
    /// A collector naming terms by `dictionary`, keeping the pages' texts in `texts`.
    pub fn new(dictionary: Arc<Mutex<Dictionary>>, texts: Spill) -> Collector {
        Collector {
            dictionary,
            postings: Mutex::new(Vec::new()),
            texts,
        }
    }

    /// The dictionary the entries are made with.
    pub fn dictionary(&self) -> &Mutex<Dictionary> {
        &self.dictionary
    }

    /// Adds the entry of page `index` (its place in the reading order).
    pub fn put(&self, index: usize, entry: &Entry) -> std::io::Result<()> {
        {
            let mut postings = lock(&self.postings);
            for &(term, weight) in entry.terms.iter() {
                let term = term as usize;
                if postings.len() <= term {
                    postings.resize_with(term + 1, Vec::new);
                }
                push_number(&mut postings[term], index as u32);
                push_number(&mut postings[term], weight);
            }
        }
        self.texts.put(index, entry.text.clone())
    }

    /// The index of the pages put, `pages` being every page in reading order.
    pub fn finish(self, pages: Vec<Page>) -> Index {
        let dictionary = lock(&self.dictionary);
        let postings = self
            .postings
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        let mut terms: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
        for (id, bytes) in postings.iter().enumerate() {
            if bytes.is_empty() {
                continue;
            }
            let mut list = read_numbers(bytes);
            list.sort_unstable();
            terms.insert(dictionary.term(id as u32).to_string(), list);
        }
        drop(dictionary);
        // Shards of about `SHARD_BYTES` each, as many as a power of two (one for a township's
        // report).
        let bytes: usize = terms
            .iter()
            .map(|(term, postings)| term.len() + 6 + postings.len() * 6)
            .sum();
        let wanted = bytes.div_ceil(super::files::SHARD_BYTES).max(1);
        let shard_count = (wanted.next_power_of_two() as u32).min(super::files::MOST_SHARDS);
        Index {
            pages,
            terms,
            texts: self.texts,
            shard_count,
        }
    }
}

/// Appends `n` in seven-bit groups, the last without the high bit.
fn push_number(bytes: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        bytes.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    bytes.push(n as u8);
}

/// The (page, weight) pairs written by [`push_number`].
fn read_numbers(bytes: &[u8]) -> Vec<(u32, u32)> {
    let mut numbers = Vec::new();
    let mut n: u32 = 0;
    let mut shift = 0;
    for &byte in bytes {
        n |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            numbers.push(n);
            n = 0;
            shift = 0;
        } else {
            shift += 7;
        }
    }
    numbers.chunks_exact(2).map(|p| (p[0], p[1])).collect()
}

/// The finished index: the pages in reading order, each term with its pages and weights
/// (in page order), and the pages' texts.
pub struct Index {
    pages: Vec<Page>,
    terms: BTreeMap<String, Vec<(u32, u32)>>,
    texts: Spill,
    shard_count: u32,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("pages", &self.pages.len())
            .field("terms", &self.terms.len())
            .finish()
    }
}

impl Index {
    /// The pages, in reading order.
    pub fn pages(&self) -> &[Page] {
        &self.pages
    }

    /// The pages `query` finds, best first, as (page, score): each has every term of the
    /// query; its score is the sum of their weights there (the search page then ranks the
    /// results it shows by how near their terms are).
    pub fn search(&self, query: &str) -> Vec<(u32, u32)> {
        let terms = tokens::query_terms(query);
        let mut found: Option<BTreeMap<u32, u32>> = None;
        for term in &terms {
            let postings: BTreeMap<u32, u32> = self
                .terms
                .get(term)
                .map(|p| p.iter().copied().collect())
                .unwrap_or_default();
            found = Some(match found {
                None => postings,
                Some(before) => before
                    .into_iter()
                    .filter_map(|(page, score)| postings.get(&page).map(|w| (page, score + w)))
                    .collect(),
            });
        }
        let mut results: Vec<(u32, u32)> = found.unwrap_or_default().into_iter().collect();
        results.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        results
    }

    /// How many shards the terms are cut into: a power of two, so that each holds about
    /// [`super::files::SHARD_BYTES`].
    pub fn shard_count(&self) -> u32 {
        self.shard_count
    }

    /// The terms of each shard (see [`tokens::shard`]), each term with its pages and
    /// weights, in term order.
    pub fn shards(&self) -> Vec<BTreeMap<&str, &[(u32, u32)]>> {
        let mut out = vec![BTreeMap::new(); self.shard_count as usize];
        for (term, postings) in &self.terms {
            let shard = tokens::shard(term, self.shard_count) as usize;
            out[shard].insert(term.as_str(), postings.as_slice());
        }
        out
    }

    /// Calls `each` with every page and its text, in reading order.
    pub fn for_each_text(
        &self,
        each: &mut dyn FnMut(usize, &str) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.texts
            .for_each(&mut |index, text| each(index, &String::from_utf8_lossy(text)))
    }
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
    }

    /// An index of three pages, put out of order as a build's cores put them.
    fn index() -> Index {
        let pages = [
            (
                "villages/hengxi.html",
                "横溪村",
                "<p>横溪村有贫困户78户。</p>",
            ),
            (
                "policies/education.html",
                "教育扶贫",
                "<h2>资助</h2><p>雨露计划培训137人，见横溪村。</p>",
            ),
            (
                "policies/health.html",
                "健康扶贫",
                "<p>总费用1094.52万元。</p>",
            ),
        ];
        let collector = Collector::new(Arc::default(), Spill::in_memory());
        for index in [2, 0, 1] {
            let (_, title, html) = pages[index];
            let entry = Entry::new(title, &page_text(html), collector.dictionary());
            collector.put(index, &entry).unwrap();
        }
        collector.finish(
            pages
                .iter()
                .map(|(url, title, _)| Page {
                    url: url.to_string(),
                    title: title.to_string(),
                    place: "示例乡".into(),
                })
                .collect(),
        )
    }

    #[test]
    fn a_query_finds_the_pages_with_all_its_terms_the_title_first() {
        let index = index();
        let urls = |query: &str| -> Vec<String> {
            index
                .search(query)
                .into_iter()
                .map(|(page, _)| index.pages()[page as usize].url.clone())
                .collect()
        };
        assert_eq!(
            urls("横溪"),
            ["villages/hengxi.html", "policies/education.html"]
        );
        assert_eq!(urls("雨露计划"), ["policies/education.html"]);
        assert_eq!(urls("１０９４．５２"), ["policies/health.html"]);
        assert!(urls("饮水").is_empty());
    }

    #[test]
    fn every_term_is_in_exactly_one_shard() {
        let mut index = index();
        index.shard_count = 8;
        let shards = index.shards();
        let total: usize = shards.iter().map(BTreeMap::len).sum();
        assert_eq!(total, index.terms.len());
        for (n, shard) in shards.iter().enumerate() {
            for term in shard.keys() {
                assert_eq!(tokens::shard(term, 8) as usize, n);
            }
        }
    }

    #[test]
    fn weights_favour_the_title_then_headings_and_count_repeats_up_to_five() {
        let dictionary = Mutex::new(Dictionary::default());
        let text = page_text("<h2>横溪</h2><p>横溪横溪横溪横溪横溪横溪横溪</p>");
        let entry = Entry::new("横溪村", &text, &dictionary);
        let id = lock(&dictionary).id("横溪");
        let weight = entry.terms.iter().find(|(t, _)| *t == id).map(|(_, w)| *w);
        assert_eq!(weight, Some(weight::TITLE + weight::HEADING + 5));
    }

    #[test]
    fn numbers_are_read_back_as_written() {
        let mut bytes = Vec::new();
        for n in [0, 1, 127, 128, 300, 16_384, u32::MAX] {
            push_number(&mut bytes, n);
            push_number(&mut bytes, n / 2);
        }
        assert_eq!(
            read_numbers(&bytes),
            [0, 1, 127, 128, 300, 16_384, u32::MAX].map(|n| (n, n / 2))
        );
    }

    #[test]
    fn the_texts_come_back_in_reading_order_cut_to_the_limit() {
        let index = index();
        let mut texts = Vec::new();
        index
            .for_each_text(&mut |page, text| {
                texts.push((page, text.to_string()));
                Ok(())
            })
            .unwrap();
        assert_eq!(texts[0], (0, "横溪村有贫困户78户。".to_string()));
        assert_eq!(texts.len(), 3);
        let long = "字".repeat(TEXT_LIMIT + 10);
        let entry = Entry::new("", &page_text(&long), &Mutex::default());
        assert_eq!(
            String::from_utf8_lossy(&entry.text).chars().count(),
            TEXT_LIMIT
        );
    }
}

//! The search index of the rendered pages (issue 12, in progress; not yet written by a
//! build): each page's text read from its content's HTML, its terms weighed by where they
//! are (title, headings, body), and the index cut into shards a search page loads by term.

use std::collections::BTreeMap;

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

/// A page's text for the index: its headings and the rest of its text, read from its
/// content's HTML without the charts' drawings and data tables (their figures are in the
/// text around them), scripts and styles.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PageText {
    /// The text of each heading (`<h1>`–`<h6>`).
    pub headings: Vec<String>,
    /// The rest of the text, its blocks on lines of their own.
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
    text.body = text.body.trim().to_string();
    text
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

/// The index being built: the pages, and for each term the pages it is in with its weight
/// there.
#[derive(Debug, Default)]
pub struct Index {
    pages: Vec<Page>,
    terms: BTreeMap<String, Vec<(u32, u32)>>,
}

impl Index {
    /// Adds `page` with its title's and `text`'s terms.
    pub fn add(&mut self, page: Page, text: &PageText) {
        let number = self.pages.len() as u32;
        let mut weights: BTreeMap<String, u32> = BTreeMap::new();
        let mut count = |text: &str, weight: u32| {
            for token in tokens::tokens(text) {
                *weights.entry(token.text).or_default() += weight;
            }
        };
        count(&page.title, weight::TITLE);
        for heading in &text.headings {
            count(heading, weight::HEADING);
        }
        count(&text.body, weight::BODY);
        for (term, weight) in weights {
            self.terms.entry(term).or_default().push((number, weight));
        }
        self.pages.push(page);
    }

    /// The pages, in the order they were added.
    pub fn pages(&self) -> &[Page] {
        &self.pages
    }

    /// The pages `query` finds, best first: each has every term of the query; its score is
    /// the sum of their weights there.
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

    /// The terms of each of `shards` shards (see [`tokens::shard`]), each term with its
    /// pages and weights, in term order.
    pub fn shards(&self, shards: u32) -> Vec<BTreeMap<&str, &[(u32, u32)]>> {
        let mut out = vec![BTreeMap::new(); shards.max(1) as usize];
        for (term, postings) in &self.terms {
            out[tokens::shard(term, shards) as usize].insert(term.as_str(), postings.as_slice());
        }
        out
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
        assert_eq!(text.body, "住院1445人次，总费用1094.52万元。\n构成\nA & B");
    }

    fn index() -> Index {
        let mut index = Index::default();
        let page = |url: &str, title: &str| Page {
            url: url.into(),
            title: title.into(),
            place: "示例乡".into(),
        };
        index.add(
            page("villages/hengxi.html", "横溪村"),
            &page_text("<p>横溪村有贫困户78户。</p>"),
        );
        index.add(
            page("policies/education.html", "教育扶贫"),
            &page_text("<h2>资助</h2><p>雨露计划培训137人，见横溪村。</p>"),
        );
        index.add(
            page("policies/health.html", "健康扶贫"),
            &page_text("<p>总费用1094.52万元。</p>"),
        );
        index
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
        let index = index();
        let shards = index.shards(8);
        let total: usize = shards.iter().map(BTreeMap::len).sum();
        assert_eq!(total, index.terms.len());
        for (n, shard) in shards.iter().enumerate() {
            for term in shard.keys() {
                assert_eq!(tokens::shard(term, 8) as usize, n);
            }
        }
    }
}

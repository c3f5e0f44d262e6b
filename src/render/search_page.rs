//! The search page (`search.html`): the site's own layout around the search form and its
//! results, which the search program (`search/search.js`, see [`crate::search::files`])
//! fills from the query in the page's address (`search.html?q=横溪`).

use serde_json::Value as Json;
use tera::Tera;

use super::PagePlan;
use crate::diagnostics::{Diagnostic, Location, Text};
use crate::discover::Site;
use crate::search::{files, index::Index};

/// The search page's path in the output folder.
pub const PAGE: &str = "search.html";

/// The search page, in the layout of every page.
pub fn render(
    layout_tera: &Tera,
    site: &Site,
    plan: &PagePlan,
    site_json: &Json,
    index: &Index,
) -> Result<String, Diagnostic> {
    let zh = site.config.language.starts_with("zh");
    let (title, label, placeholder, noscript) = if zh {
        (
            "搜索",
            "搜索本报告",
            "村名、政策、数字，如 横溪、雨露计划、1094.52",
            "搜索需要浏览器允许运行 JavaScript。",
        )
    } else {
        (
            "Search",
            "Search this report",
            "a village, a policy, a figure",
            "Search needs JavaScript to be allowed in the browser.",
        )
    };
    let content = format!(
        concat!(
            "<div id=\"huibao-search\" class=\"search\" data-shards=\"{shards}\" ",
            "data-per-file=\"{per_file}\" data-lang=\"{lang}\">\n",
            "<form class=\"search-form\" role=\"search\" action=\"{page}\">\n",
            "<label class=\"search-label\" for=\"huibao-search-input\">{label}</label>\n",
            "<input id=\"huibao-search-input\" class=\"search-input\" type=\"search\" name=\"q\" ",
            "autocomplete=\"off\" placeholder=\"{placeholder}\">\n",
            "</form>\n",
            "<p id=\"huibao-search-status\" class=\"search-status\" role=\"status\" ",
            "aria-live=\"polite\"></p>\n",
            "<ol id=\"huibao-search-results\" class=\"search-results\"></ol>\n",
            "<noscript><p>{noscript}</p></noscript>\n",
            "</div>\n",
            "<script src=\"{script}\"></script>\n"
        ),
        shards = index.shard_count(),
        per_file = files::PAGES_PER_FILE,
        lang = if zh { "zh" } else { "en" },
        page = PAGE,
        label = label,
        placeholder = placeholder,
        noscript = noscript,
        script = files::SCRIPT,
    );
    plan.extra_page(layout_tera, site, (title, PAGE), &content, site_json)
}

/// The error for a page of the content where the search page or its index goes.
pub fn collision(file: &std::path::Path) -> Diagnostic {
    Diagnostic::error(
        "search-page-taken",
        Some(Location::file(file)),
        Text::new(
            format!("这一页会生成 {PAGE} 或 search/ 下的文件，与搜索页冲突"),
            format!(
                "this page would be written as {PAGE} or under search/, where the search page goes"
            ),
        ),
    )
    .with_hint(Text::new(
        "给这个文件改个名字，或在 huibao.toml 中写 [search] enabled = false 关闭搜索",
        "rename the file, or turn search off with [search] enabled = false in huibao.toml",
    ))
}

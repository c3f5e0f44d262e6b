//! Offline search (issue 12): the bundled report searched in headless Chromium from
//! `file://` and under a sub-path of a local HTTP server, the query read exactly as huibao
//! reads the pages, search turned off, and the shard sizes of a 10,000-village index.

mod common;

use common::browser::{chromium, dump_dom};
use common::*;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// The bundled report, built once per test.
fn built() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    build_ok(&repo(), out.path());
    out
}

/// What the search page shows for a query: its state, its status line, the results' links
/// and the DOM.
struct Shown {
    state: String,
    status: String,
    links: Vec<String>,
    dom: String,
}

fn attribute(dom: &str, before: &str) -> String {
    dom.split_once(before)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(value, _)| value.to_string())
        .unwrap_or_default()
}

fn search(browser: &Path, page: &str, query: &str) -> Shown {
    let query: String = query
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect::<Vec<_>>()
        .concat();
    let dom = dump_dom(browser, &format!("{page}?q={query}"));
    let status = dom
        .split_once("id=\"huibao-search-status\"")
        .and_then(|(_, rest)| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split_once('<'))
        .map(|(text, _)| text.to_string())
        .unwrap_or_default();
    let links = dom
        .split("class=\"search-result-link\" href=\"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(href, _)| href.to_string()))
        .collect();
    Shown {
        state: attribute(&dom, "data-state=\""),
        status,
        links,
        dom,
    }
}

/// The searches the issue names, on the search page at `page`.
fn the_report_is_found(browser: &Path, page: &str) {
    let shown = search(browser, page, "横溪");
    assert_eq!(shown.state, "done", "{}", shown.dom);
    assert_eq!(shown.links[0], "villages/hengxi.html", "{:?}", shown.links);
    assert!(shown.status.contains("找到"), "{}", shown.status);
    assert!(
        shown.dom.contains("<mark>横溪</mark>"),
        "the match is marked"
    );

    let shown = search(browser, page, "雨露计划");
    assert_eq!(
        shown.links[0], "policies/education.html",
        "{:?}",
        shown.links
    );
    assert!(shown.dom.contains("<mark>雨露计划</mark>"), "{}", shown.dom);

    let shown = search(browser, page, "1094.52");
    assert_eq!(shown.links[0], "policies/health.html", "{:?}", shown.links);
    // Typed on a Chinese keyboard: full-width digits and point.
    let full_width = search(browser, page, "１０９４．５２");
    assert_eq!(full_width.links, shown.links);

    let shown = search(browser, page, "饮水");
    assert_eq!(shown.links[0], "policies/water.html", "{:?}", shown.links);
    // Each result has its place in the report and a snippet.
    assert!(shown.dom.contains("class=\"search-result-place\""));
    assert!(shown.dom.contains("class=\"search-result-snippet\""));
    // A snippet starts where the match's block starts (the table's cell, not its head)…
    assert!(
        shown
            .dom
            .contains("<span class=\"search-result-snippet\">…印发《农村<mark>饮水</mark>"),
        "{}",
        shown.dom
    );
    // … or, in a long paragraph, where a clause starts, with the most context before it.
    let shown = search(browser, page, "1094.52");
    assert!(
        shown.dom.contains(
            "<span class=\"search-result-snippet\">…今年全乡贫困人口住院1445人次，总费用<mark>1094.52</mark>"
        ),
        "{}",
        shown.dom
    );

    let shown = search(browser, page, "量子计算机");
    assert_eq!(shown.state, "none", "{}", shown.dom);
    assert!(shown.links.is_empty());
    assert!(shown.status.contains("没有找到"), "{}", shown.status);
}

#[test]
fn the_bundled_report_is_searched_from_file() {
    let Some(browser) = chromium() else { return };
    let out = built();
    let page = format!("file://{}", out.path().join("search.html").display());
    the_report_is_found(&browser, &page);
}

/// Serves `root` under `/a/b/report/` on a free local port, one request at a time, until the
/// test ends; everything else is 404.
fn serve_under_sub_path(root: PathBuf) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            // The rest of the request's head.
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let path = path.split('?').next().unwrap_or("");
            let file = path
                .strip_prefix("/a/b/report/")
                .map(|rel| root.join(percent_decode(rel)))
                .filter(|file| file.is_file());
            let mut stream = &stream;
            match file {
                Some(file) => {
                    let body = fs::read(&file).unwrap();
                    let kind = match file.extension().and_then(|e| e.to_str()) {
                        Some("html") => "text/html; charset=utf-8",
                        Some("js") => "text/javascript; charset=utf-8",
                        Some("css") => "text/css",
                        _ => "application/octet-stream",
                    };
                    let _ = write!(
                        stream,
                        "HTTP/1.0 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(&body);
                }
                None => {
                    let _ = stream.write_all(
                        b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                }
            }
        }
    });
    format!("http://127.0.0.1:{port}/a/b/report/")
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn the_bundled_report_is_searched_under_a_sub_path() {
    let Some(browser) = chromium() else { return };
    let out = built();
    let base = serve_under_sub_path(out.path().to_path_buf());
    the_report_is_found(&browser, &format!("{base}search.html"));
}

#[test]
fn the_search_page_reads_a_query_as_huibao_reads_the_pages() {
    let Some(browser) = chromium() else { return };
    let out = built();
    let queries = [
        "横溪",
        "雨露计划",
        "村",
        "１０９４．５２ 村 饮水",
        "6,336人。2019年 Hello, WORLD.",
        "2019，2020年",
        "12,3456 1,2 12,345,678",
        "二〇一九年",
        "ＧＢ／Ｔ　9704",
        "café Zürich ΣΑΣ",
        "𠀀𠀁 A1b2.3.4",
        "，。！",
        "constructor __proto__",
    ];
    let json = serde_json::to_string(&queries).unwrap();
    // Terms' lists as huibao writes them, read back by the page: runs of pages with one
    // weight (written as counts of repeats), a term on no page, on one page.
    let pairs: [Vec<(u32, u32)>; 3] = [
        vec![
            (0, 1),
            (1, 1),
            (2, 1),
            (3, 1),
            (5, 2),
            (7, 2),
            (9, 2),
            (10, 3),
            (4000, 1),
        ],
        vec![],
        vec![(4, 9)],
    ];
    let lists = format!(
        "[{}]",
        pairs
            .iter()
            .map(|p| format!("[{}]", huibao::search::files::postings_text(p)))
            .collect::<Vec<_>>()
            .join(",")
    );
    let page = out.path().join("terms-test.html");
    fs::write(
        &page,
        format!(
            "<!DOCTYPE html><meta charset=\"utf-8\"><script src=\"search/search.js\"></script>\
             <pre id=\"out\"></pre><script>\
             var q = {json}; var out = q.map(function (x) {{ var t = huibaoSearch.queryTerms(x); \
             return [t, t.map(function (term) {{ return huibaoSearch.shardOf(term, 4096); }})]; }});\
             var lists = {lists}.map(function (l) {{ return huibaoSearch.decodePostings(l); }});\
             document.getElementById('out').textContent = JSON.stringify([out, lists]);</script>"
        ),
    )
    .unwrap();
    let dom = dump_dom(&browser, &format!("file://{}", page.display()));
    let text = dom
        .split_once("<pre id=\"out\">")
        .and_then(|(_, rest)| rest.split_once("</pre>"))
        .map(|(text, _)| {
            text.replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
        })
        .expect("the page wrote its terms");
    /// Each query's terms and their shards; each list's (page, weight) pairs.
    type FromBrowser = (Vec<(Vec<String>, Vec<u32>)>, Vec<Vec<(u32, u32)>>);
    let (from_browser, lists): FromBrowser = serde_json::from_str(&text).unwrap();
    assert_eq!(lists, pairs, "the terms' lists as the page reads them");
    for (query, (terms, shards)) in queries.iter().zip(from_browser) {
        let expected = huibao::search::tokens::query_terms(query);
        assert_eq!(terms, expected, "the terms of {query:?}");
        let expected_shards: Vec<u32> = expected
            .iter()
            .map(|t| huibao::search::tokens::shard(t, 4096))
            .collect();
        assert_eq!(shards, expected_shards, "the shards of {query:?}");
    }
}

#[test]
fn search_can_be_turned_off() {
    let site = copy_site(&repo());
    let config = site.path().join("huibao.toml");
    let mut text = fs::read_to_string(&config).unwrap();
    text.push_str("\n[search]\nenabled = false\n");
    fs::write(&config, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    assert!(!out.path().join("search.html").exists());
    assert!(!out.path().join("search").exists());
    let index = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(!index.contains("header-search"), "no search box");
}

#[test]
fn the_search_box_and_index_are_in_the_built_site() {
    let out = built();
    for page in ["index.html", "villages/hengxi.html"] {
        let html = fs::read_to_string(out.path().join(page)).unwrap();
        let root = if page.contains('/') { "../" } else { "" };
        assert!(
            html.contains(&format!("action=\"{root}search.html\"")),
            "{page} has the search box"
        );
    }
    let search = fs::read_to_string(out.path().join("search.html")).unwrap();
    assert!(search.contains("<script src=\"search/search.js\"></script>"));
    // The search page has its own box: not a second one in its header.
    assert!(
        !search.contains("header-search"),
        "one box on the search page"
    );
    assert!(
        search.contains("data-shards=\"1\""),
        "one shard for a township"
    );
    let terms = fs::read_to_string(out.path().join("search/terms-0.js")).unwrap();
    assert!(terms.starts_with("huibaoSearch.terms(0,{"));
    // Figures as whole terms, thousands separators dropped; the page list in reading order.
    assert!(terms.contains("\n\"1094.52\":["));
    let pages = fs::read_to_string(out.path().join("search/pages-0.js")).unwrap();
    assert!(pages.starts_with("huibaoSearch.pages(0,[\n[\"index.html\","));
    // The 示例 banner is only on the site: not in the index.
    let all: String = (0..4)
        .map(|n| fs::read_to_string(out.path().join(format!("search/pages-{n}.js"))).unwrap())
        .collect();
    assert!(
        !all.contains("本站为 huibao 的示例站点"),
        "site-only text is not indexed"
    );
    // A corrected figure is its text: its link to the correction (「更正」 after it on the
    // page) is not, nor in a snippet.
    assert!(all.contains("家庭医生履约服务6336人，其中慢病人群"));
    assert!(
        !all.contains("6336人更正"),
        "a correction's link is not text"
    );
    // No script reaches outside the site.
    let script = fs::read_to_string(out.path().join("search/search.js")).unwrap();
    for outside in [
        "fetch(",
        "import ",
        "http://",
        "https://",
        "XMLHttpRequest",
        "WebAssembly",
    ] {
        assert!(!script.contains(outside), "search.js has {outside}");
    }
}

#[test]
fn a_content_page_in_the_search_pages_place_is_an_error() {
    let site = copy_site(&fixture("small"));
    fs::write(
        site.path().join("content/search.md"),
        "+++\ntitle = \"搜索\"\n+++\n正文\n",
    )
    .unwrap();
    let text = build_fails(site.path());
    assert!(text.contains("search-page-taken"), "{text}");
    assert!(text.contains("content/search.md"), "{text}");
}

/// The text of village `n` of a county-sized report, like the scale benchmark's pages.
fn village_page(n: usize) -> (String, String) {
    let name = format!("第{n:05}村");
    let html = format!(
        "<h2>基本情况</h2><p>{name}位于乡政府驻地以西{km}公里，辖{groups}个村民小组，总户数{h}户、总人口{p}人，\
         耕地面积{mu}亩。全村共有建档立卡贫困户{r}户{rp}人，其中因病致贫{ill}户、因学致贫{sch}户。\
         自精准扶贫工作开展以来，村两委在驻村工作队和帮扶单位的支持下，坚持精准识别、精准帮扶、精准退出，\
         逐户制定帮扶计划，做到一户一策、一人一法，截至{year}年底已实现整村退出。</p>\
         <h2>帮扶措施</h2><p>落实产业扶贫、就业扶贫、教育扶贫、健康扶贫、饮水安全、住房安全等政策，\
         发放小额信贷{loan_wan}.{loan_fen}万元，培训劳动力{train}人次。</p>\
         <table><tr><th>年度</th><th>脱贫户数</th></tr><tr><td>2018</td><td>{e1}户</td></tr>\
         <tr><td>2019</td><td>{e2}户</td></tr></table>",
        km = 3 + n % 40,
        groups = 4 + n % 9,
        h = 300 + n % 700,
        p = 1000 + n % 2500,
        mu = 800 + n % 3000,
        r = 20 + n % 90,
        rp = 60 + n % 300,
        ill = 5 + n % 30,
        sch = 1 + n % 12,
        year = 2016 + n % 4,
        loan_wan = 10 + n % 90,
        loan_fen = n % 100,
        train = 50 + n % 400,
        e1 = 5 + n % 40,
        e2 = 3 + n % 30,
    );
    (name, html)
}

#[test]
#[allow(clippy::result_large_err)]
fn a_two_character_query_loads_under_a_megabyte_at_10000_villages() {
    use huibao::search::{files, index};
    use std::sync::Arc;
    let collector = index::Collector::new(Arc::default(), huibao::spill::Spill::in_memory());
    let mut pages = Vec::new();
    for n in 0..10_000 {
        let (title, html) = village_page(n);
        let entry = index::Entry::new(
            &title,
            &huibao::search::text::page_text(&html),
            collector.dictionary(),
        );
        collector.put(n, &entry).unwrap();
        pages.push(index::Page {
            url: format!("villages/v{n:05}.html"),
            title,
            place: "基准乡 › 村委会概况".into(),
        });
    }
    let index = collector.finish(|| pages);
    let out = tempfile::tempdir().unwrap();
    let written = std::sync::Mutex::new(Vec::new());
    fs::create_dir_all(out.path().join("search")).unwrap();
    files::write(&index, &|path, bytes| {
        fs::write(out.path().join(path), bytes).unwrap();
        written.lock().unwrap().push(path.to_path_buf());
        Ok(())
    })
    .unwrap();
    assert_eq!(written.lock().unwrap().len(), files::count(&index));
    let shards = index.shard_count();
    assert!(shards > 1, "a county's index is cut into shards");
    let size = |path: &str| fs::metadata(out.path().join(path)).unwrap().len();
    let largest = (0..shards)
        .map(|n| size(&files::terms_file(n)))
        .max()
        .unwrap();
    assert!(largest <= 512 * 1024, "largest shard {largest} bytes");
    // What a query loads: the program, the shards of its terms, the page files of the first
    // 20 results (the page lists them best first, as `search` does).
    for query in ["贫困", "精准", "第00042村", "饮水", "2018"] {
        let terms = huibao::search::tokens::query_terms(query);
        let mut loaded: std::collections::BTreeSet<String> = terms
            .iter()
            .map(|t| files::terms_file(huibao::search::tokens::shard(t, shards)))
            .collect();
        let results = index.search(query);
        assert!(!results.is_empty(), "{query} finds pages");
        for (page, _) in results.iter().take(20) {
            loaded.insert(files::pages_file(*page as usize / files::PAGES_PER_FILE));
        }
        let bytes: u64 = size(files::SCRIPT) + loaded.iter().map(|f| size(f)).sum::<u64>();
        assert!(
            bytes <= 1024 * 1024,
            "{query} loads {bytes} bytes: {loaded:?}"
        );
    }
    // A village's own page comes first for its name.
    let found = index.search("第00042村");
    assert_eq!(
        index.pages()[found[0].0 as usize].url,
        "villages/v00042.html"
    );
}

#[test]
fn a_static_file_in_the_search_folder_is_an_error() {
    let site = copy_site(&fixture("small"));
    fs::create_dir_all(site.path().join("static/search")).unwrap();
    fs::write(site.path().join("static/search/terms-0.js"), "/* mine */").unwrap();
    let text = build_fails(site.path());
    assert!(text.contains("static-collision"), "{text}");
    assert!(text.contains("terms-0.js"), "{text}");
}

#[test]
fn enter_pressed_before_the_results_come_shows_them_once() {
    let Some(browser) = chromium() else { return };
    let out = built();
    let page = fs::read_to_string(out.path().join("search.html")).unwrap();
    let page = page.replace(
        "<script src=\"search/search.js\"></script>",
        "<script src=\"search/search.js\"></script><script>\
         var form = document.getElementById('huibao-search-input').form;\
         form.requestSubmit(); form.requestSubmit();</script>",
    );
    fs::write(out.path().join("search-enter.html"), page).unwrap();
    let url = format!("file://{}", out.path().join("search-enter.html").display());
    let shown = search(&browser, &url, "横溪");
    assert_eq!(shown.state, "done", "{}", shown.dom);
    let mut unique = shown.links.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), shown.links.len(), "{:?}", shown.links);
    assert!(
        shown
            .status
            .contains(&format!("找到 {} 个页面", shown.links.len()))
    );
}

#[test]
fn an_english_site_says_search_in_english() {
    let site = common::copy_site(&common::fixture("small"));
    let config = site.path().join("huibao.toml");
    let toml = fs::read_to_string(&config).unwrap();
    fs::write(&config, format!("language = \"en\"\n{toml}")).unwrap();
    let out = site.path().join("public");
    common::build_ok(site.path(), &out);
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("placeholder=\"Search\""), "{index}");
    assert!(!index.contains("placeholder=\"搜索\""));
}

//! The report as a document: the whole-report page (`print.html`).

mod common;

use common::*;
use std::collections::HashSet;
use std::fs;

/// The values of attribute `name` in `html`, in order (`name="…"` with a space before it).
fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let needle = format!(" {name}=\"");
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&needle) {
        rest = &rest[start + needle.len()..];
        if let Some(end) = rest.find('"') {
            found.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    found
}

#[test]
fn the_whole_report_page_holds_every_page_in_reading_order() {
    let out = tempfile::tempdir().unwrap();
    build_ok(&repo(), out.path());
    let whole = fs::read_to_string(out.path().join("print.html")).unwrap();

    // Every page's section, in the order of the sidebar (the reading order).
    let home = fs::read_to_string(out.path().join("index.html")).unwrap();
    let nav = &home[home.find("class=\"site-nav\"").unwrap()..home.find("</nav>").unwrap()];
    let reading_order: Vec<String> = attribute_values(nav, "href")
        .iter()
        .map(|href| href.trim_end_matches(".html").to_string())
        .collect();
    let sections: Vec<String> = whole
        .split("<article class=\"report-page\" id=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect();
    assert_eq!(sections, reading_order);
    // Home, the villages overview, 17 villages, the policies overview, 7 policies, notes,
    // corrections.
    assert_eq!(sections.len(), 29);

    // Ids are unique, and every link inside the page leads to one of them.
    let ids = attribute_values(&whole, "id");
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "ids repeat");
    let mut inside = 0;
    for href in attribute_values(&whole, "href") {
        if let Some(target) = href.strip_prefix('#') {
            assert!(
                unique.contains(&target.to_string()),
                "`{href}` leads nowhere"
            );
            inside += 1;
        }
    }
    assert!(inside > 100, "only {inside} links inside the page");
    // A link between pages became a link to a section: the home page links the overview.
    assert!(whole.contains("href=\"#villages/index\""));
    // A corrected figure links to its entry in the corrections' section.
    assert!(
        whole.contains("href=\"#corrections--"),
        "corrections are linked"
    );

    // The site-only banner is left out of the report, kept on the site.
    assert!(home.contains("本站为 huibao 的示例站点"));
    assert!(!whole.contains("本站为 huibao 的示例站点"));
    assert!(!whole.contains("site-nav") && !whole.contains("prev-next"));
    // The report's figures and places are all there, with their sources.
    let text = page_text(&whole);
    for expected in [
        "1094.52万元",
        "横溪村",
        "竹山村",
        "贫困人口6336人",
        "81.76875万元",
    ] {
        assert!(text.contains(expected), "{expected} is missing");
    }
    assert!(whole.contains("data-src=\"data/policies/health.yaml:"));

    // Every page links to it from its header, by a relative link.
    for (path, bytes) in tree(out.path()) {
        if path.extension().is_some_and(|e| e == "html") && path.as_os_str() != "print.html" {
            let page = String::from_utf8(bytes).unwrap();
            let depth = path.components().count() - 1;
            let link = format!("href=\"{}print.html\"", "../".repeat(depth));
            assert!(page.contains(&link), "{} has no {link}", path.display());
        }
    }
}

#[test]
fn the_whole_report_page_can_be_turned_off() {
    let site = copy_site(&fixture("small"));
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    assert!(out.path().join("print.html").is_file());
    add_settings(site.path(), "print_page = false\n");
    build_ok(site.path(), out.path());
    assert!(!out.path().join("print.html").exists());
    let home = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(!home.contains("print.html") && !home.contains("打印全文"));
}

#[test]
fn a_page_named_like_the_whole_report_is_an_error_naming_its_file() {
    let site = copy_site(&fixture("small"));
    fs::write(
        site.path().join("content/print.md"),
        "+++\ntitle = \"打印\"\n+++\n正文\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = huibao(
        site.path(),
        &["build", "--out", out.path().to_str().unwrap()],
    );
    let said = text(&output);
    assert!(!output.status.success());
    assert!(
        said.contains("content/print.md") && said.contains("print_page = false"),
        "{said}"
    );
    // Nothing was published, and no scratch file is left beside the output.
    assert!(!out.path().join("index.html").exists());
    let parent = out.path().parent().unwrap();
    let name = out.path().file_name().unwrap().to_string_lossy();
    assert!(!parent.join(format!(".{name}.huibao-scratch")).exists());
    // `check` says so before a build; an export, which makes no whole-report page, is fine.
    let output = huibao(site.path(), &["check"]);
    assert!(!output.status.success() && text(&output).contains("content/print.md"));
    let docx = site.path().join("x.docx");
    let output = huibao(
        site.path(),
        &["export", "docx", "--out", docx.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn a_theme_of_its_own_gets_the_built_in_whole_report_layout_unless_it_has_one() {
    let site = copy_site(&fixture("small"));
    let templates = site.path().join("themes/mine/templates");
    fs::create_dir_all(&templates).unwrap();
    fs::write(
        templates.join("page.html"),
        "<!DOCTYPE html><html><body>{{ page.content | safe }}</body></html>",
    )
    .unwrap();
    add_settings(site.path(), "theme = \"mine\"");
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    let whole = fs::read_to_string(out.path().join("print.html")).unwrap();
    assert!(whole.contains("class=\"report-toc\"") && whole.contains("id=\"villages/hengxi\""));
    // The theme has no huibao.css: the built-in styles come inside the page.
    assert!(!whole.contains("assets/huibao.css") && whole.contains("@media print"));

    // A layout of its own must say where the content goes.
    fs::write(
        templates.join("print.html"),
        "<html><body>{{ site.title }}</body></html>",
    )
    .unwrap();
    let output = huibao(
        site.path(),
        &["build", "--out", out.path().to_str().unwrap()],
    );
    let said = text(&output);
    assert!(!output.status.success());
    assert!(
        said.contains("themes/mine/templates/print.html") && said.contains("report.content"),
        "{said}"
    );
    fs::write(
        templates.join("print.html"),
        "<html><body><h1>{{ site.title }}</h1>{{ report.content | safe }}</body></html>",
    )
    .unwrap();
    build_ok(site.path(), out.path());
    let whole = fs::read_to_string(out.path().join("print.html")).unwrap();
    assert!(whole.starts_with(
        "<html><body><h1>测试乡工作汇报</h1><article class=\"report-page\" id=\"index\">"
    ));
}

/// Runs `program` with `args`, returning its standard output.
fn run(program: &std::path::Path, args: &[&str]) -> String {
    let output = std::process::Command::new(program)
        .args(args)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", text(&output));
    String::from_utf8_lossy(&output.stdout).to_string()
}

/// Exports the bundled report as a PDF into `out`; `None` when this machine has no Chinese
/// font and CI did not ask for one (the export says so and fails).
fn export_pdf(out: &std::path::Path) -> Option<String> {
    let output = huibao(&repo(), &["export", "pdf", "--out", out.to_str().unwrap()]);
    let said = text(&output);
    if !output.status.success() && said.contains("font-missing") && !tools::required() {
        eprintln!("skipped: no Chinese font on this machine (apt-get install fonts-noto-cjk)");
        return None;
    }
    assert!(output.status.success(), "{said}");
    Some(said)
}

/// The names of the bundled report's villages, from their data files.
fn village_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(repo().join("data/villages"))
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let yaml = fs::read_to_string(entry.path()).ok()?;
            let line = yaml.lines().find(|l| l.starts_with("name:"))?;
            Some(line["name:".len()..].split('#').next()?.trim().to_string())
        })
        .collect();
    names.sort();
    names
}

#[test]
fn the_pdf_holds_the_whole_report_in_the_official_layout() {
    let Some(pdftotext) = tools::tool("pdftotext", "poppler-utils") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("汇报.pdf");
    let Some(said) = export_pdf(&pdf) else {
        return;
    };
    assert!(said.contains("汇报.pdf") && said.contains("页"), "{said}");

    // A4, many pages, the title in the metadata and no creation date.
    let pdfinfo = tools::tool("pdfinfo", "poppler-utils").unwrap();
    let info = run(&pdfinfo, &[pdf.to_str().unwrap()]);
    assert!(
        info.contains("Page size:       595.276 x 841.89 pts (A4)"),
        "{info}"
    );
    assert!(
        info.contains("Title:           示例乡2020年脱贫攻坚工作情况汇报"),
        "{info}"
    );
    assert!(!info.contains("CreationDate"), "{info}");
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(pages > 20, "{pages} pages");

    // Every font is embedded as a subset with its Unicode map (text can be copied).
    let pdffonts = tools::tool("pdffonts", "poppler-utils").unwrap();
    let fonts = run(&pdffonts, &[pdf.to_str().unwrap()]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty());
    for row in &rows {
        assert!(row.contains("yes yes yes"), "not embedded: {row}");
    }
    assert!(
        fonts.contains("CJK") || fonts.contains("FangSong") || fonts.contains("Han"),
        "{fonts}"
    );

    // The text: every seed figure, every village, the page numbers 「— 1 —」.
    let extracted = run(&pdftotext, &[pdf.to_str().unwrap(), "-"]);
    let compact: String = extracted.chars().filter(|c| !c.is_whitespace()).collect();
    for figure in SEED_FIGURES.iter().chain(&["—1—", "—2—"]) {
        assert!(compact.contains(figure), "the PDF lacks {figure}");
    }
    let names = village_names();
    assert_eq!(names.len(), 17);
    for name in &names {
        assert!(compact.contains(name.as_str()), "the PDF lacks {name}");
    }
    // The site-only banner is not in the document.
    assert!(!compact.contains("本站为huibao的示例站点"));

    // An outline (bookmarks) from the headings, and the report's language.
    let bytes = fs::read(&pdf).unwrap();
    let raw = String::from_utf8_lossy(&bytes);
    assert!(raw.contains("/Outlines/First"), "no outline");
    assert!(raw.contains("/Lang(zh-CN)"), "no language");

    // The same report gives the same bytes.
    let again = dir.path().join("again.pdf");
    export_pdf(&again).unwrap();
    assert!(
        fs::read(&pdf).unwrap() == fs::read(&again).unwrap(),
        "two exports differ"
    );
}

#[test]
fn a_font_named_in_the_settings_that_is_not_there_is_a_clear_error() {
    let site = copy_site(&fixture("small"));
    add_settings(
        site.path(),
        "\n[document]\nbody_font = \"不存在的字体\"\nfont_dirs = [\"D:/字体\"]\n",
    );
    let out = site.path().join("x.pdf");
    let output = huibao(
        site.path(),
        &["export", "pdf", "--out", out.to_str().unwrap()],
    );
    let said = text(&output);
    assert!(!output.status.success());
    assert!(
        said.contains("body_font") && said.contains("不存在的字体") && said.contains("fonts/"),
        "{said}"
    );
    // Said at the setting's value in huibao.toml.
    let settings = fs::read_to_string(site.path().join("huibao.toml")).unwrap();
    let line = settings
        .lines()
        .position(|l| l.starts_with("body_font"))
        .unwrap()
        + 1;
    assert!(
        said.contains(&format!("[font-missing] huibao.toml:{line}:13:")),
        "{said}"
    );
    // A font folder named that is not there is said with it (it was searched for nothing).
    assert!(
        said.contains(&format!(
            "警告[font-dir-missing] huibao.toml:{}:13: [document] font_dirs 里的文件夹「D:/字体」不存在",
            line + 1
        )),
        "{said}"
    );
    assert!(!out.exists(), "nothing is written");
    let output = huibao(site.path(), &["--lang", "en", "export", "pdf"]);
    assert!(
        text(&output).contains("is not on this computer"),
        "{}",
        text(&output)
    );
    // With a PDF to download, `check` reports the font with every other problem.
    add_settings(site.path(), "downloads = [\"pdf\"]");
    let index = site.path().join("content/index.md");
    let page = fs::read_to_string(&index).unwrap();
    fs::write(&index, format!("{page}\n{{{{ nosuch.value }}}}\n")).unwrap();
    let output = huibao(site.path(), &["check"]);
    let said = text(&output);
    assert!(!output.status.success());
    assert!(
        said.contains("body_font") && said.contains("nosuch"),
        "{said}"
    );
}

/// Exports the bundled report as a Word document into `out`.
fn export_docx(out: &std::path::Path) -> String {
    let output = huibao(&repo(), &["export", "docx", "--out", out.to_str().unwrap()]);
    let said = text(&output);
    assert!(output.status.success(), "{said}");
    said
}

/// The parts of a Word document: name → text (pictures as their size).
fn docx_parts(file: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(fs::File::open(file).unwrap()).unwrap();
    let mut parts = std::collections::BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => format!("{} bytes", e.into_bytes().len()),
        };
        parts.insert(entry.name().unwrap().to_string(), text);
    }
    parts
}

/// The text of a WordprocessingML part: its `<w:t>` runs.
fn word_text(xml: &str) -> String {
    let mut text = String::new();
    let mut rest = xml;
    while let Some(at) = rest.find("<w:t") {
        rest = &rest[at + 4..];
        if !rest.starts_with(['>', ' ']) {
            continue;
        }
        let start = rest.find('>').unwrap() + 1;
        let end = rest[start..].find("</w:t>").map_or(start, |e| start + e);
        text.push_str(&rest[start..end]);
        rest = &rest[end..];
    }
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// The figures of the seed report (and its headings) that every export must hold.
const SEED_FIGURES: [&str; 17] = [
    "139.3平方公里",
    "1841户",
    "6336人",
    "133人",
    "0.23%",
    "706人",
    "81.76875万元",
    "1425人次",
    "1094.52万元",
    "988.26万元",
    "90.29%",
    "92.13%",
    "1973人",
    "75.1%",
    "342万元",
    "一、基本情况",
    "（一）提高政治站位，推动责任落实",
];

#[test]
fn the_word_document_has_word_structure_and_the_whole_report() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("汇报.docx");
    let said = export_docx(&file);
    assert!(
        said.contains("汇报.docx") && said.contains("仿宋"),
        "{said}"
    );
    let parts = docx_parts(&file);
    let document = &parts["word/document.xml"];
    // Every page's title is a `heading 1`, its sections `heading 2`/`3`: Word's navigation
    // pane and table of contents work.
    assert_eq!(
        document.matches("<w:pStyle w:val=\"Heading1\" />").count(),
        29
    );
    assert!(document.contains("<w:pStyle w:val=\"Heading2\" />"));
    assert!(document.contains("<w:pStyle w:val=\"Heading3\" />"));
    let styles = &parts["word/styles.xml"];
    for expected in [
        "w:styleId=\"Heading1\"",
        "<w:name w:val=\"heading 1\" />",
        "<w:outlineLvl w:val=\"0\" />",
        "w:eastAsia=\"仿宋\"",
        "w:eastAsia=\"黑体\"",
        "w:eastAsia=\"楷体\"",
        "<w:sz w:val=\"32\" />",
        "w:firstLine=\"640\"",
        "w:default=\"1\" w:styleId=\"Normal\"",
        "w:line=\"579\" w:lineRule=\"exact\"",
    ] {
        assert!(styles.contains(expected), "styles.xml lacks {expected}");
    }
    // A4 with the GB/T 9704 margins; page numbers 「— 1 —」 on the outer side.
    assert!(
        document.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\" />"),
        "page size"
    );
    assert!(document.contains("w:top=\"2098\"") && document.contains("w:left=\"1587\""));
    assert!(parts["word/settings.xml"].contains("evenAndOddHeaders"));
    for footer in ["word/footer1.xml", "word/footer2.xml"] {
        let xml = &parts[footer];
        assert!(
            xml.contains("PAGE") && word_text(xml).contains("— 1 —"),
            "{xml}"
        );
    }
    // Tables whose header row repeats, and the charts as pictures.
    let tables = document.matches("<w:tbl>").count();
    assert!(tables >= 20, "{tables} tables");
    assert_eq!(document.matches("<w:tblHeader />").count(), tables);
    let pictures = parts
        .keys()
        .filter(|k| k.starts_with("word/media/"))
        .count();
    // Without a Chinese font the charts' pictures lose their labels (the export warns) and
    // alike ones are stored once: counted only where CI's font is.
    if said.contains("chart-font-missing") && !tools::required() {
        eprintln!(
            "pictures not counted: no Chinese font (apt-get install fonts-noto-cjk); CI counts them"
        );
    } else {
        assert!(pictures >= 20, "{pictures} pictures");
    }
    assert!(
        !said.contains("chart-font-missing") || !tools::required(),
        "{said}"
    );
    // The whole report's text, without the site-only banner.
    let text = word_text(document);
    for figure in SEED_FIGURES {
        assert!(text.contains(figure), "the Word document lacks {figure}");
    }
    for name in village_names() {
        assert!(
            text.contains(name.as_str()),
            "the Word document lacks {name}"
        );
    }
    assert!(!text.contains("本站为 huibao 的示例站点"));
    // The same report gives the same bytes.
    let again = dir.path().join("again.docx");
    export_docx(&again);
    assert!(
        fs::read(&file).unwrap() == fs::read(&again).unwrap(),
        "two exports differ"
    );
}

#[test]
fn the_word_document_opens_in_libreoffice_and_python_docx() {
    let Some(soffice) = tools::tool("soffice", "libreoffice-writer-nogui") else {
        return;
    };
    let Some(pdftotext) = tools::tool("pdftotext", "poppler-utils") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.docx");
    export_docx(&file);
    // LibreOffice lays it out and prints it as a PDF: A4, the report's text.
    let profile = dir.path().join("profile");
    let output = std::process::Command::new(&soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .unwrap();
    let pdf = dir.path().join("report.pdf");
    assert!(pdf.is_file(), "{}", text(&output));
    let pdfinfo = tools::tool("pdfinfo", "poppler-utils").unwrap();
    let info = run(&pdfinfo, &[pdf.to_str().unwrap()]);
    assert!(info.contains("(A4)"), "{info}");
    let extracted = run(&pdftotext, &[pdf.to_str().unwrap(), "-"]);
    let compact: String = extracted.chars().filter(|c| !c.is_whitespace()).collect();
    for figure in SEED_FIGURES {
        assert!(compact.contains(figure), "LibreOffice's PDF lacks {figure}");
    }
    // python-docx reads its headings, tables and pictures.
    let Some(python) = tools::tool("python3", "python3") else {
        return;
    };
    let script = "import sys, docx\n\
        d = docx.Document(sys.argv[1])\n\
        headings = [p.text for p in d.paragraphs if p.style.name == 'Heading 1']\n\
        print(len(headings), len(d.tables), len(d.inline_shapes), headings[0])\n";
    let output = std::process::Command::new(&python)
        .args(["-c", script])
        .arg(&file)
        .output()
        .unwrap();
    let said = text(&output);
    if said.contains("No module named 'docx'") && !tools::required() {
        eprintln!("skipped: no python-docx (pip install python-docx); CI runs this test");
        return;
    }
    assert!(output.status.success(), "{said}");
    let fields: Vec<&str> = said.split_whitespace().collect();
    assert_eq!(fields[0], "29", "{said}");
    assert!(fields[1].parse::<usize>().unwrap() >= 20, "{said}");
    assert!(fields[2].parse::<usize>().unwrap() >= 20, "{said}");
    assert_eq!(fields[3], "示例乡2020年脱贫攻坚工作情况汇报", "{said}");
}

#[test]
fn awkward_content_exports_to_both_documents_whole() {
    let site = copy_site(&fixture("small"));
    add_settings(site.path(), "language = \"zh-Hans-CN\"\n");
    let nested: String = (0..30)
        .map(|i| format!("{}- 层{i}\n", "  ".repeat(i)))
        .collect();
    let quotes = format!("{} 深引用\n", ">".repeat(30));
    fs::write(
        site.path().join("content/notes.md"),
        format!(
            "+++\ntitle = \"说明\\\"引号\\\\反斜杠\"\nweight = 5\nnumber_headings = true\n+++\n\
             <div class=\"site-only\">\n\n## 只在网站上\n\n</div>\n<div class=\"note\">保留的说明</div>\n\n\
             ## 正文\n\n甲\u{b}乙，自指脚注[^a]。<!-- 注释 a > b -->\n\n[^a]: 见[^b]。\n\n[^b]: 见[^a]，\
             含表：\n\n    | 列 |\n    |---|\n    | 格 |\n\n{nested}\n{quotes}\n\
             ```\nlet a = \"\\\\\";\n```\n\n| 甲 | 乙 |\n|---|---|\n| 只有一格 |\n| 一 | 二 | 三 |\n"
        ),
    )
    .unwrap();
    let docx = site.path().join("x.docx");
    let output = huibao(
        site.path(),
        &["export", "docx", "--out", docx.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", text(&output));
    let parts = docx_parts(&docx);
    // Well-formed XML (a control character would not be).
    for part in ["word/document.xml", "word/footnotes.xml", "word/styles.xml"] {
        roxmltree::Document::parse(&parts[part]).unwrap_or_else(|e| panic!("{part}: {e}"));
    }
    let body = word_text(&parts["word/document.xml"]);
    assert!(
        body.contains("甲乙，自指脚注") && body.contains("保留的说明") && body.contains("层29")
    );
    assert!(
        body.contains("一、正文") && !body.contains("只在网站上"),
        "{body}"
    );
    assert!(!body.contains("注释"), "{body}");
    // A footnote of a footnote is text in it, never a reference Word cannot resolve.
    assert!(word_text(&parts["word/footnotes.xml"]).contains("见"));
    assert!(!parts["word/footnotes.xml"].contains("footnoteReference"));

    let pdf = site.path().join("x.pdf");
    let output = huibao(
        site.path(),
        &["export", "pdf", "--out", pdf.to_str().unwrap()],
    );
    let said = text(&output);
    if said.contains("font-missing") && !tools::required() {
        return;
    }
    assert!(output.status.success(), "{said}");
    if let Some(pdftotext) = tools::tool("pdftotext", "poppler-utils") {
        let extracted = run(&pdftotext, &[pdf.to_str().unwrap(), "-"]);
        let compact: String = extracted.chars().filter(|c| !c.is_whitespace()).collect();
        for expected in [
            "说明\"引号\\反斜杠",
            "一、正文",
            "甲乙，自指脚注",
            "层29",
            "深引用",
            "保留的说明",
        ] {
            assert!(compact.contains(expected), "the PDF lacks {expected}");
        }
        assert!(!compact.contains("只在网站上"));
    }
}

#[test]
fn a_build_can_put_the_documents_on_the_site_to_download() {
    let site = copy_site(&fixture("small"));
    add_settings(
        site.path(),
        "\n[document]\ndownloads = [\"docx\", \"pdf\", \"docx\"]\n",
    );
    // Content may link the documents; `check` knows them as files of the site.
    let index = site.path().join("content/index.md");
    let text_of_index = fs::read_to_string(&index).unwrap();
    fs::write(
        &index,
        format!("{text_of_index}\n[全文](测试乡工作汇报.pdf)\n"),
    )
    .unwrap();
    let output = huibao(site.path(), &["check"]);
    if !text(&output).contains("font-missing") || tools::required() {
        assert!(output.status.success(), "{}", text(&output));
    }
    let out = tempfile::tempdir().unwrap();
    let output = huibao(
        site.path(),
        &["build", "--out", out.path().to_str().unwrap()],
    );
    let said = text(&output);
    if said.contains("font-missing") && !tools::required() {
        return;
    }
    assert!(output.status.success(), "{said}");
    let pdf = out.path().join("测试乡工作汇报.pdf");
    let docx = out.path().join("测试乡工作汇报.docx");
    assert!(fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    // The pages, the documents, the search page and its index (program, terms, pages), the
    // CSV of the village table.
    assert!(said.contains("已生成 14 个文件"), "each kind once: {said}");
    assert!(docx_parts(&docx).contains_key("word/document.xml"));
    // Every page and the whole-report page link them, relatively.
    for page in ["index.html", "villages/hengxi.html", "print.html"] {
        let html = fs::read_to_string(out.path().join(page)).unwrap();
        let depth = page.matches('/').count();
        for (label, extension) in [("PDF", "pdf"), ("Word", "docx")] {
            let href = format!(
                "href=\"{}%E6%B5%8B%E8%AF%95%E4%B9%A1%E5%B7%A5%E4%BD%9C%E6%B1%87%E6%8A%A5.{extension}\" download>下载 {label}</a>",
                "../".repeat(depth)
            );
            assert!(html.contains(&href), "{page} lacks {href}");
        }
    }
    // Built again from the same inputs: the same bytes, nothing republished.
    let before = tree(out.path());
    let again = build_ok(site.path(), out.path());
    assert!(again.contains("修改 0"), "{again}");
    assert_eq!(before, tree(out.path()));
    // Without the setting, neither the files nor the links.
    let config = site.path().join("huibao.toml");
    let settings = fs::read_to_string(&config).unwrap();
    fs::write(
        &config,
        settings.replace("downloads = [\"docx\", \"pdf\", \"docx\"]", ""),
    )
    .unwrap();
    fs::write(&index, &text_of_index).unwrap();
    build_ok(site.path(), out.path());
    assert!(!pdf.exists() && !docx.exists());
    let home = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(!home.contains("下载 PDF"));
}

#[test]
fn a_site_too_large_to_print_gets_no_whole_report_page_unless_asked() {
    let site = copy_site(&fixture("small"));
    let hengxi = fs::read_to_string(site.path().join("data/villages/hengxi.yaml")).unwrap();
    for n in 0..1000 {
        fs::write(
            site.path().join(format!("data/villages/v{n:04}.yaml")),
            hengxi.replace("横溪村", &format!("第{n}村")),
        )
        .unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let said = build_ok(site.path(), out.path());
    assert!(
        said.contains("print-page-skipped") && said.contains("print_page = true"),
        "{said}"
    );
    assert!(!out.path().join("print.html").exists());
    add_settings(site.path(), "print_page = true");
    let said = build_ok(site.path(), out.path());
    assert!(!said.contains("print-page-skipped"), "{said}");
    let whole = fs::read_to_string(out.path().join("print.html")).unwrap();
    assert!(whole.contains("id=\"villages/v0999\""));
}

/// Runs `huibao` in `site` on a machine that seems to have no fonts at all (fontconfig told
/// of an empty folder, no home folder's fonts).
fn huibao_without_fonts(site: &std::path::Path, args: &[&str]) -> std::process::Output {
    let no_fonts = NoFonts::new();
    huibao_with_env(site, args, &no_fonts.env())
}

#[test]
fn a_word_document_whose_charts_cannot_be_drawn_in_chinese_is_warned_of() {
    let site = copy_site(&repo());
    let out = site.path().join("汇报.docx");
    let run = huibao_without_fonts(
        site.path(),
        &["export", "docx", "--out", out.to_str().unwrap()],
    );
    let said = text(&run);
    assert!(
        run.status.success(),
        "a warning does not stop the export: {said}"
    );
    assert!(
        said.contains("警告[chart-font-missing]") && said.contains("图表中的中文会是空白"),
        "{said}"
    );
    assert!(said.contains("fonts-noto-cjk"), "{said}");
    assert!(out.is_file());
    let en = text(&huibao_without_fonts(
        site.path(),
        &[
            "export",
            "docx",
            "--out",
            out.to_str().unwrap(),
            "--lang",
            "en",
        ],
    ));
    assert!(en.contains("Chinese labels will be blank"), "{en}");
    // A build that offers the Word document and denies warnings publishes nothing.
    edit(
        site.path(),
        "huibao.toml",
        "downloads = [\"xlsx\"]",
        "downloads = [\"xlsx\", \"docx\"]",
    );
    let denied = huibao_without_fonts(site.path(), &["build", "--deny-warnings"]);
    let said = text(&denied);
    assert!(!denied.status.success(), "{said}");
    assert!(said.contains("chart-font-missing"), "{said}");
    assert!(!site.path().join("public").exists(), "{said}");
}

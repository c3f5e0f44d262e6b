//! Integration tests: the binary on real site folders.

mod common;

use common::*;
use std::fs;
use std::path::Path;

/// Writes the content page `content/list.md` of `site`: titled 列表, with `body` below its
/// front matter (line 4 on).
fn list_page(site: &Path, body: &str) {
    fs::write(
        site.join("content/list.md"),
        format!("+++\ntitle = \"列表\"\n+++\n{body}"),
    )
    .unwrap();
}
#[test]
fn builds_a_site_with_exact_figures() {
    let out = tempfile::tempdir().unwrap();
    let said = build_ok(&fixture("small"), out.path());
    assert!(said.contains("已生成"), "{said}");
    let index = page_text(&fs::read_to_string(out.path().join("index.html")).unwrap());
    // 0.1 + 0.2 is 0.3, not 0.30000000000000004.
    assert!(index.contains("小数相加：0.3。"), "{index}");
    assert!(index.contains("资助81.76875万元"), "{index}");
    // 580.25 + 96.34 + 295.84 + 15.83 = 988.26 (988.2600000000001 in f64).
    assert!(index.contains("报销合计988.26万元，占90.29%"), "{index}");
    // 1.10 keeps its trailing zero.
    assert!(index.contains("面积 1.10"), "{index}");
    assert!(index.contains("贫困发生率0.23%"), "{index}");
    assert!(index.contains("<span class=\"heading-number\">一、</span>基本情况"));
    for page in [
        "villages/index.html",
        "villages/hengxi.html",
        "villages/trick.html",
        "assets/huibao.css",
    ] {
        assert!(out.path().join(page).is_file(), "{page} missing");
    }
    let villages = page_text(&fs::read_to_string(out.path().join("villages/index.html")).unwrap());
    assert!(
        villages.contains("<a href=\"../villages/hengxi.html\">横溪村</a>"),
        "{villages}"
    );
    assert!(
        villages.contains("90户"),
        "the total row sums the villages: {villages}"
    );
}

#[test]
fn data_values_come_out_as_text_not_markup() {
    let out = tempfile::tempdir().unwrap();
    build_ok(&fixture("small"), out.path());
    let page = page_text(&fs::read_to_string(out.path().join("villages/trick.html")).unwrap());
    assert!(!page.contains("<script>"), "{page}");
    assert!(page.contains("&lt;script&gt;"), "{page}");
    assert!(!page.contains("href=\"http://evil.example/\""), "{page}");
    assert!(page.contains("[点我](http://evil.example/)"), "{page}");
    let index = page_text(&fs::read_to_string(out.path().join("villages/index.html")).unwrap());
    assert!(
        !index.contains("<script>") && !index.contains("href=\"http://evil"),
        "{index}"
    );
}

/// Data whose keys are in Chinese, read in a template by quoting them in brackets, as a
/// clerk writes them (`extra["户数"]`): a plain value and a figure with its source. Tera cut
/// such a path inside a character and panicked (an internal error, nothing built).
#[test]
fn chinese_keys_are_read_in_brackets() {
    let site = one_page_site(
        "名称: 示例村\n户数: 12\n",
        "{{ extra[\"名称\"] }}共有{{ extra[\"户数\"] | fig(unit=\"户\") }}。",
    );
    let root = site.path();
    let checked = huibao(root, &["check"]);
    assert!(checked.status.success(), "{}", text(&checked));
    let out = tempfile::tempdir().unwrap();
    build_ok(root, out.path());
    let page = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(
        page.contains("<p>示例村共有<span data-src=\"data/extra.yaml:2\">12户</span>。</p>"),
        "{page}"
    );
    // Written after a dot, which Tera's names cannot hold: said where, and how to write it.
    fs::write(
        root.join("content/index.md"),
        "+++\ntitle = \"首页\"\n+++\n\n{{ extra.名称 }}\n",
    )
    .unwrap();
    let checked = huibao(root, &["check"]);
    let said = text(&checked);
    assert_eq!(checked.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[template] content/index.md:5:9:")
            && said.contains("把 extra.名称 写成 extra[\"名称\"]"),
        "{said}"
    );
    let english = text(&huibao(root, &["--lang", "en", "check"]));
    assert!(
        english.contains("write extra[\"名称\"], not extra.名称"),
        "{english}"
    );
}

#[test]
fn two_builds_are_byte_identical() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    build_ok(&fixture("small"), a.path());
    build_ok(&fixture("small"), b.path());
    assert_eq!(tree(a.path()), tree(b.path()));
    // Rebuilding over the same output reports nothing changed, and keeps the files as they
    // were (same modification time) so that copying to the intranet server copies nothing.
    let index = a.path().join("index.html");
    let before = fs::metadata(&index).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let said = build_ok(&fixture("small"), a.path());
    assert!(said.contains("新增 0，修改 0，删除 0"), "{said}");
    assert_eq!(fs::metadata(&index).unwrap().modified().unwrap(), before);

    // A correction is reported by the files it changed, so the publisher knows what to copy.
    let site = copy_site(&fixture("small"));
    build_ok(site.path(), a.path());
    fs::write(
        site.path().join("data/villages/hengxi.yaml"),
        "name: 横溪村\nregistered:\n  households: 79\n  people: 270\n",
    )
    .unwrap();
    let said = build_ok(site.path(), a.path());
    assert!(said.contains("修改 villages/hengxi.html"), "{said}");
    assert!(
        said.contains("修改 villages/index.html"),
        "the overview sums the villages: {said}"
    );
    assert!(!said.contains("修改 assets/huibao.css"), "{said}");
}

#[test]
fn a_layout_that_only_shows_the_content_gets_it_spliced_in_unchanged() {
    // The built-in layout shows `page.content` only whole: the content is put in after the
    // layout is rendered. A layout that also tests it is rendered with the content in its
    // context. Both must give the same page (figures marked in the content included).
    let site = copy_site(&fixture("small"));
    let templates = site.path().join("themes/mine/templates");
    fs::create_dir_all(&templates).unwrap();
    add_settings(site.path(), "theme = \"mine\"");
    let pages = |layout: &str| {
        fs::write(templates.join("page.html"), layout).unwrap();
        let out = tempfile::tempdir().unwrap();
        build_ok(site.path(), out.path());
        ["index.html", "villages/hengxi.html", "villages/index.html"]
            .map(|page| fs::read_to_string(out.path().join(page)).unwrap())
    };
    let spliced = pages("<title>{{ page.title }}</title><main>{{ page.content | safe }}</main>\n");
    let rendered = pages(
        "<title>{{ page.title }}</title>{% if page.content %}<main>{{ page.content | safe }}</main>{% endif %}\n",
    );
    assert_eq!(spliced, rendered);
    assert!(
        spliced[1].contains("<main>") && spliced[1].contains("data-src="),
        "{}",
        spliced[1]
    );
    assert!(!spliced[1].contains("huibao:page-content"));
    // Shown twice, it is put in twice.
    let twice =
        pages("<main>{{ page.content | safe }}</main><aside>{{ page.content|safe }}</aside>");
    assert_eq!(
        twice[1].matches("横溪村").count(),
        2 * spliced[1].matches("横溪村").count() - 2
    );
}

#[test]
fn static_files_of_a_theme_keep_their_modification_time() {
    // The bundled site has its own themes/default: its CSS is a static file, copied.
    let site = copy_site(&repo());
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    let css = out.path().join("assets/huibao.css");
    let before = fs::metadata(&css).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let said = build_ok(site.path(), out.path());
    assert!(said.contains("新增 0，修改 0，删除 0"), "{said}");
    assert_eq!(fs::metadata(&css).unwrap().modified().unwrap(), before);
}

#[test]
fn files_a_clerk_put_in_the_output_folder_are_kept_and_only_huibaos_are_deleted() {
    let site = copy_site(&fixture("small"));
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    // A signed scan dropped beside the pages, a note in a page folder, Explorer's thumbnails.
    fs::write(out.path().join("扫描件.pdf"), "%PDF-1.4 签字盖章").unwrap();
    fs::write(out.path().join("villages/说明.txt"), "给县里").unwrap();
    fs::write(out.path().join("Thumbs.db"), "x").unwrap();
    // A page huibao made, now gone with its village's data.
    fs::remove_file(site.path().join("data/villages/trick.yaml")).unwrap();
    let html = Path::new("villages/trick.html");
    assert!(out.path().join(html).exists());
    let said = build_ok(site.path(), out.path());
    assert_eq!(
        fs::read_to_string(out.path().join("扫描件.pdf")).unwrap(),
        "%PDF-1.4 签字盖章"
    );
    assert_eq!(
        fs::read_to_string(out.path().join("villages/说明.txt")).unwrap(),
        "给县里"
    );
    assert!(!out.path().join(html).exists(), "{said}");
    assert!(!out.path().join("Thumbs.db").exists(), "{said}");
    assert!(
        said.contains(&format!("删除 {}", html.display()))
            && said.contains("删除 Thumbs.db")
            && said.contains("保留 2 个不是 huibao 生成的文件")
            && said.contains("    villages/说明.txt\n    扫描件.pdf\n")
            && said.contains("放进站点的 static/ 文件夹"),
        "{said}"
    );
    assert!(!said.contains("删除 扫描件.pdf"), "{said}");
    // Kept again by the next build, which writes nothing new.
    let again = build_ok(site.path(), out.path());
    assert!(
        again.contains("新增 0，修改 0，删除 0") && again.contains("保留 2 个"),
        "{again}"
    );
    // Another file of that name in static/: not written over the clerk's, nothing published.
    fs::create_dir_all(site.path().join("static")).unwrap();
    fs::write(site.path().join("static/扫描件.pdf"), "%PDF-1.4 另一份").unwrap();
    let refused = huibao(
        site.path(),
        &["build", "--out", &out.path().to_string_lossy()],
    );
    let said = text(&refused);
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert!(
        said.contains("扫描件.pdf 不是 huibao 生成的，新的站点也要写这个文件：不会覆盖它"),
        "{said}"
    );
    assert_eq!(
        fs::read_to_string(out.path().join("扫描件.pdf")).unwrap(),
        "%PDF-1.4 签字盖章"
    );
    // Once it is in static/, it is the site's: published, and deleted when taken out.
    fs::write(site.path().join("static/扫描件.pdf"), "%PDF-1.4 签字盖章").unwrap();
    let adopted = build_ok(site.path(), out.path());
    assert!(adopted.contains("保留 1 个"), "{adopted}");
    fs::remove_file(site.path().join("static/扫描件.pdf")).unwrap();
    let dropped = build_ok(site.path(), out.path());
    assert!(
        dropped.contains("删除 扫描件.pdf") && !out.path().join("扫描件.pdf").exists(),
        "{dropped}"
    );
    let english = text(&huibao(
        site.path(),
        &[
            "--lang",
            "en",
            "build",
            "--out",
            &out.path().to_string_lossy(),
        ],
    ));
    assert!(
        english.contains("kept 1 files huibao did not make") && english.contains("static/ folder"),
        "{english}"
    );
}

#[test]
fn a_site_built_before_huibao_listed_its_files_has_every_file_it_does_not_write_deleted() {
    // Its marker is empty: huibao cannot tell its own files from others, and deletes as then.
    let site = copy_site(&fixture("small"));
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    fs::write(out.path().join(".huibao-output"), "").unwrap();
    fs::write(out.path().join("old.html"), "<p>").unwrap();
    let said = build_ok(site.path(), out.path());
    assert!(
        said.contains("删除 old.html") && !said.contains("保留"),
        "{said}"
    );
    assert!(!out.path().join("old.html").exists());
    let marker = fs::read_to_string(out.path().join(".huibao-output")).unwrap();
    assert!(
        marker.starts_with("# huibao") && marker.lines().any(|l| l == "villages/index.html"),
        "{marker}"
    );
}

#[test]
fn a_second_build_into_the_same_folder_while_one_runs_stops_and_changes_nothing() {
    // Two builds at once into one folder (two windows, two clerks on a shared folder) would
    // share the staging folder and could publish a site with files missing. The one that
    // finds the folder's lock held makes nothing and says why; once it is free, builds go.
    let site = copy_site(&fixture("small"));
    let out = site.path().join("public");
    build_ok(site.path(), &out);
    let before = tree(&out);
    let lock = fs::File::open(site.path().join(".public.huibao-lock")).unwrap();
    lock.lock().unwrap();
    fs::write(
        site.path().join("content/index.md"),
        "+++\ntitle = \"另一个首页\"\n+++\n首页\n",
    )
    .unwrap();
    let busy = huibao(site.path(), &["build"]);
    let said = text(&busy);
    assert_eq!(busy.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[output-busy] ./public: 另一个 huibao build 正在生成 ./public")
            && said.contains("提示：等那次生成结束后再生成一次"),
        "{said}"
    );
    assert_eq!(tree(&out), before, "the published site is as it was");
    drop(lock);
    build_ok(site.path(), &out);
    assert!(
        fs::read_to_string(out.join("index.html"))
            .unwrap()
            .contains("另一个首页")
    );
}

#[test]
fn a_failed_build_leaves_the_published_site_as_it_was() {
    let site = copy_site(&fixture("small"));
    let out = site.path().join("public");
    build_ok(site.path(), &out);
    let before = tree(&out);

    fs::write(
        site.path().join("data/villages/hengxi.yaml"),
        "name: 横溪村\nregistered: [1, 2\n",
    )
    .unwrap();
    let failed = huibao(site.path(), &["build"]);
    assert!(!failed.status.success());
    assert_eq!(tree(&out), before, "public/ changed after a failed build");

    fs::write(
        site.path().join("content/index.md"),
        "+++\ntitle = \"x\"\n+++\n{{ nope.nothing }}\n",
    )
    .unwrap();
    fs::write(
        site.path().join("data/villages/hengxi.yaml"),
        "name: 横溪村\nregistered: {households: 1, people: 2}\n",
    )
    .unwrap();
    let failed = huibao(site.path(), &["build"]);
    assert!(!failed.status.success());
    assert_eq!(tree(&out), before, "public/ changed after a failed build");
    let leftovers: Vec<_> = fs::read_dir(site.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.contains("huibao-") && !name.ends_with(".huibao-lock")
        })
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary folders left: {leftovers:?}"
    );

    // Pages go into the staging folder as they are rendered: one page failing after the
    // others were written still publishes nothing and leaves no staging folder behind.
    fs::write(
        site.path().join("content/index.md"),
        "+++\ntitle = \"x\"\n+++\n首页\n",
    )
    .unwrap();
    let generator = site.path().join("content/villages/_village.md");
    let text_before = fs::read_to_string(&generator).unwrap();
    fs::write(
        &generator,
        format!(
            "{text_before}\n{{% if village.id == \"trick\" %}}{{{{ nope.nothing }}}}{{% endif %}}\n"
        ),
    )
    .unwrap();
    let failed = huibao(site.path(), &["build"]);
    assert!(!failed.status.success(), "{}", text(&failed));
    assert!(text(&failed).contains("_village.md"), "{}", text(&failed));
    assert_eq!(tree(&out), before, "public/ changed after a failed build");
    let leftovers = fs::read_dir(site.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.contains("huibao-") && !name.ends_with(".huibao-lock")
        })
        .count();
    assert_eq!(leftovers, 0, "a staging folder was left behind");
}

#[test]
fn yaml_errors_name_file_line_and_column() {
    let site = copy_site(&fixture("small"));
    fs::write(
        site.path().join("data/villages/hengxi.yaml"),
        "name: 横溪村\nregistered:\n  households: 78\n  households: 79\n",
    )
    .unwrap();
    let output = huibao(site.path(), &["build"]);
    assert_eq!(output.status.code(), Some(1));
    let said = text(&output);
    assert!(said.contains("data/villages/hengxi.yaml:4:3"), "{said}");
    assert!(said.contains("键「households」重复"), "{said}");
    assert!(said.contains("4 |   households: 79"), "{said}");
    assert!(
        !site.path().join("public").exists(),
        "nothing may be published"
    );

    let english = huibao(site.path(), &["--lang", "en", "check"]);
    let said = text(&english);
    assert!(said.contains("duplicate key `households`"), "{said}");
    assert!(said.contains("hint: "), "{said}");
}

#[test]
fn template_errors_name_file_line_and_column() {
    let site = copy_site(&fixture("small"));
    fs::write(
        site.path().join("content/index.md"),
        "+++\ntitle = \"x\"\n+++\n## 一\n\n人口{{ township.populaton | fig(unit=\"人\") }}\n",
    )
    .unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(said.contains("content/index.md:6:"), "{said}");
    assert!(said.contains("township.populaton"), "{said}");

    fs::write(
        site.path().join("content/index.md"),
        "+++\ntitle = \"x\"\n+++\n\n{{ township.name \n",
    )
    .unwrap();
    let output = huibao(site.path(), &["check"]);
    assert_eq!(output.status.code(), Some(1));
    let said = text(&output);
    // Tera notices the unclosed `{{` at the end of the file; huibao says it where it opens.
    assert!(said.contains("content/index.md:5:1"), "{said}");
    assert!(said.contains("模板错误：这里应是"), "{said}");
    assert!(said.contains("这个「{{」没有配对的「}}」"), "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(english.contains("template error: expected"), "{english}");

    // A filter Tera does not know, named in single quotes, is found where it stands (the
    // fixture has no schema: no template check before the render).
    fs::write(
        site.path().join("content/index.md"),
        "+++\ntitle = \"x\"\n+++\n\n名称\n\n{{ township.name | date }}\n",
    )
    .unwrap();
    let said = text(&huibao(site.path(), &["build"]));
    assert!(
        said.contains("错误[template] content/index.md:7:20: 模板错误：不存在的过滤器「date」"),
        "{said}"
    );
    let english = text(&huibao(site.path(), &["--lang", "en", "build"]));
    assert!(
        english.contains("template error: Filter 'date' not found"),
        "{english}"
    );
    // A name the data do not have, said in Chinese too (no schema: found when rendered).
    fs::write(
        site.path().join("content/index.md"),
        "+++\ntitle = \"x\"\n+++\n\n{{ township.populaton }}\n",
    )
    .unwrap();
    let said = text(&huibao(site.path(), &["build"]));
    assert!(
        said.contains("content/index.md:5:4: 模板错误：模板读取的「township.populaton」不存在"),
        "{said}"
    );
}

/// A template's syntax slips are said in Chinese with what to do, where they are: a block
/// left open (at its opening, not at the end of the file where Tera stops), an end with no
/// block, an end tag typed as two words, a bracket left open, an argument with no value or
/// no name, an empty tag.
#[test]
fn template_syntax_slips_are_said_with_what_to_do() {
    let site = copy_site(&fixture("small"));
    let index = site.path().join("content/index.md");
    for (body, at, message, hint, hint_en) in [
        (
            "{% if township.name %}\n{{ township.name }}\n\n后文\n",
            "content/index.md:5:1",
            "模板错误：这里应是",
            "这个「{% if … %}」没有结束：在它的内容后面写上「{% endif %}」",
            "this `{% if … %}` is never ended: write `{% endif %}` after its content",
        ),
        (
            "{% for v in villages_list %}{{ v.name }}{% endif %}\n",
            "content/index.md:5:41",
            "模板错误：",
            "这个「{% endif %}」前面打开的是「{% for … %}」：先写「{% endfor %}」结束它",
            "this `{% endif %}` comes where a `{% for … %}` is open",
        ),
        (
            "前文\n\n{% endif %}\n",
            "content/index.md:7:1",
            "模板错误：这里不应有标签，应是文件末尾",
            "这个「{% endif %}」前面没有对应的「{% if … %}」",
            "this `{% endif %}` has no `{% if … %}` before it",
        ),
        (
            "{{ township.name | truncate(length=5 }}\n",
            "content/index.md:5:",
            "模板错误：这里应是",
            "括号没有配对：在「}}」前补上「)」",
            "the brackets do not pair: add `)` before `}}`",
        ),
        (
            "{{ township.name | truncate(length=) }}\n",
            "content/index.md:5:",
            "模板错误：这里应是一个值",
            "「length=」后面要写一个值",
            "`length=` needs a value after it",
        ),
        (
            "文字{{ }}\n",
            "content/index.md:5:",
            "模板错误：这里应是一个值",
            "「{{ }}」里是空的",
            "the `{{ }}` is empty",
        ),
        // Two values side by side: Tera's long list of operators said as one item.
        (
            "{{ township.name township.id }}\n",
            "content/index.md:5:18",
            "模板错误：这里应是运算符（如 +、==、and）、过滤器（| 名字）或「}}」",
            "「township.name」和「township.id」之间少了东西：要连着显示两个值，写成 {{ township.name }}{{ township.id }}",
            "template error: expected an operator (such as `+`, `==`, `and`), a filter, or a variable end (`}}`)",
        ),
        // An end tag typed as two words.
        (
            "{% if township.name %}有{% end if %}\n",
            "content/index.md:5:24",
            "模板错误：这里不应有标签",
            "「{% end if %}」要连着写成「{% endif %}」：end 和 if 之间没有空格",
            "`{% end if %}` is written `{% endif %}`, with no space after end",
        ),
        // An argument without its name, as in a spreadsheet's formula.
        (
            "{{ township.name | truncate(5) }}{{ div(a=1, 2) }}\n",
            "content/index.md:5:29",
            "模板错误：这里应是名字",
            "「truncate」的参数要写名字：名字=值，如 {{ x | truncate(length=10) }}（Tera 不认不写名字的参数）",
            "`truncate` takes named arguments, name=value, as in {{ x | truncate(length=10) }}",
        ),
        (
            "{{- township.name | upper \"村\" }}\n",
            "content/index.md:5:27",
            "模板错误：这里应是运算符",
            "「township.name | upper」后面的文字 \"村\" 要写在 {{ }} 外面：{{ township.name | upper }}村；是数字的单位就写 {{ township.name | upper | fig(unit=\"村\") }}",
            "the text \"村\" after `township.name | upper` goes outside the {{ }}",
        ),
    ] {
        fs::write(&index, format!("+++\ntitle = \"x\"\n+++\n\n{body}")).unwrap();
        let out = huibao(site.path(), &["check"]);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "{body}: {said}");
        assert!(
            said.contains(&format!("错误[template] {at}")),
            "{body}: not at {at}: {said}"
        );
        assert!(said.contains(message), "{body}: {said}");
        assert!(said.contains(&format!("提示：{hint}")), "{body}: {said}");
        let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
        assert!(english.contains(hint_en), "{body}: {english}");
    }
}

/// A picture or file of `static/` linked from the site's root (`/images/水厂.png`) works from
/// any page, under any sub-path and from file://: made relative to the page. One that is
/// not there is told at its link, with where such files go.
#[test]
fn a_file_linked_from_the_site_s_root_is_made_relative_and_checked() {
    let site = copy_site(&fixture("small"));
    fs::create_dir_all(site.path().join("static/images")).unwrap();
    fs::write(
        site.path().join("static/images/水厂.png"),
        b"\x89PNG\r\n\x1a\n",
    )
    .unwrap();
    let page = site.path().join("content/villages/index.md");
    let before = fs::read_to_string(&page).unwrap();
    fs::write(
        &page,
        format!("{before}\n![水厂](/images/水厂.png) [附图](/images/水厂.png)\n"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    let html = fs::read_to_string(out.path().join("villages/index.html")).unwrap();
    let at = "../images/%E6%B0%B4%E5%8E%82.png";
    assert!(
        html.contains(&format!("<img src=\"{at}\""))
            && html.contains(&format!("<a href=\"{at}\">附图</a>")),
        "{html}"
    );
    let line = before.lines().count() + 2;
    fs::write(&page, format!("{before}\n![无](/images/没有.png)\n")).unwrap();
    let said = build_fails(site.path());
    assert!(
        said.contains(&format!(
            "错误[link-broken] content/villages/index.md:{line}:"
        )) && said.contains("链接「/images/没有.png」")
            && said.contains("提示：图片、附件等文件放在站点的 static/ 文件夹里"),
        "{said}"
    );
    // Linked with static/ in it, or by its name alone: the link to write.
    fs::write(
        &page,
        format!("{before}\n![水厂](/static/images/水厂.png)\n\n[附图](水厂.png)\n"),
    )
    .unwrap();
    let said = build_fails(site.path());
    for told in [
        format!(
            "错误[link-broken] content/villages/index.md:{line}:7: villages/index.html 里的链接「/static/images/水厂.png」指向的文件或锚点不存在"
        ),
        "提示：static/ 里的文件链接时不带「static/」：写成 /images/水厂.png".to_string(),
        format!(
            "错误[link-broken] content/villages/index.md:{}:6: villages/index.html 里的链接「水厂.png」",
            line + 2
        ),
        "提示：是不是「/images/水厂.png」？static/ 里的文件按它在 static/ 下的路径链接，以 / 开头"
            .to_string(),
    ] {
        assert!(said.contains(&told), "{told}: {said}");
    }
}

#[test]
fn a_link_written_with_windows_backslashes_is_told_the_link_with_slashes() {
    let site = copy_site(&fixture("small"));
    fs::create_dir_all(site.path().join("static/附件")).unwrap();
    fs::write(site.path().join("static/附件/年度报告.pdf"), "%PDF").unwrap();
    let page = site.path().join("content/villages/index.md");
    let before = fs::read_to_string(&page).unwrap();
    let line = before.lines().count() + 2;
    for (link, told) in [
        (
            "[首页](..\\index.md)",
            "链接「..\\index.md」指向的页面不存在",
        ),
        (
            "[附件](..\\附件\\年度报告.pdf)",
            "villages/index.html 里的链接「..\\附件\\年度报告.pdf」指向的文件或锚点不存在",
        ),
    ] {
        fs::write(&page, format!("{before}\n{link}\n")).unwrap();
        let said = build_fails(site.path());
        let meant = link
            .split_once("](")
            .unwrap()
            .1
            .trim_end_matches(')')
            .replace('\\', "/");
        assert!(
            said.contains(&format!(
                "错误[link-broken] content/villages/index.md:{line}:"
            )) && said.contains(told)
                && said.contains(&format!(
                    "提示：链接里的路径用「/」分隔，不用「\\」：写成 {meant}"
                )),
            "{link}: {said}"
        );
        // Written so, it builds.
        fs::write(&page, format!("{before}\n{}\n", link.replace('\\', "/"))).unwrap();
        let out = tempfile::tempdir().unwrap();
        build_ok(site.path(), out.path());
    }
}

/// A link to a file on the writer's own disk (Markdown's or raw HTML's, a path or a
/// `file:///` address) opens nowhere else: an error at it saying where to put the file. A
/// shared folder's address (`file://server/…`) is left alone.
#[test]
fn a_link_to_a_file_on_this_computer_is_an_error_saying_where_to_put_it() {
    let site = copy_site(&fixture("small"));
    let index = site.path().join("content/index.md");
    let text_before = fs::read_to_string(&index).unwrap();
    let line = text_before.lines().count() + 2;
    for (link, shown, col) in [
        ("[统计表](D:\\汇报\\附件.docx)", "D:\\汇报\\附件.docx", 7),
        (
            "[统计表](file:///D:/汇报/附件.docx)",
            "file:///D:/汇报/附件.docx",
            7,
        ),
        ("<a href=\"file:///C:/x.pdf\">x</a>", "file:///C:/x.pdf", 10),
    ] {
        let shared = "[共享](file://server/共享/c.docx)";
        fs::write(&index, format!("{text_before}\n{link} {shared}\n")).unwrap();
        let out = huibao(site.path(), &["build"]);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "{link}: {said}");
        assert!(
            said.contains(&format!(
                "错误[link-broken] content/index.md:{line}:{col}: 链接「{shown}」指向这台电脑上的文件：别人打开报告时找不到它"
            )) && said.contains("提示：把文件放进网站的 static/ 文件夹"),
            "{link}: {said}"
        );
        assert_eq!(said.matches("错误[").count(), 1, "{link}: {said}");
        let english = text(&huibao(site.path(), &["--lang", "en", "build"]));
        assert!(
            english.contains("points to a file on this computer"),
            "{english}"
        );
    }
}

#[test]
fn a_broken_link_is_told_on_its_own_line_with_the_page_it_means() {
    let site = copy_site(&fixture("small"));
    let villages = site.path().join("content/villages/index.md");
    let before = fs::read_to_string(&villages).unwrap();
    // A line links the top page correctly; the broken link comes after it.
    for (written, meant) in [
        // Written from content/ without the leading `/`.
        ("villages/index.md", "../villages/index.md"),
        // The only page of that name, in another folder (not a page of a name near it).
        ("../hengxi.md", "../villages/hengxi.md"),
    ] {
        let content =
            format!("{before}\n[首页](../index.md) [村](../villages/index.md)\n[x]({written})\n");
        let line = content.lines().count();
        fs::write(&villages, content).unwrap();
        let said = text(&huibao(site.path(), &["check"]));
        assert!(
            said.contains(&format!("content/villages/index.md:{line}:5"))
                && said.contains(&format!("提示：是不是「{meant}」？")),
            "{written}: {said}"
        );
    }
    // In the bundled report, `hengxi.md` written in policies/: the village's page, not the
    // policy page of a name near it (health.md).
    let report = copy_site(&repo());
    let industry = report.path().join("content/policies/industry.md");
    let text_before = fs::read_to_string(&industry).unwrap();
    fs::write(&industry, format!("{text_before}\n[横溪](hengxi.md)\n")).unwrap();
    let said = text(&huibao(report.path(), &["check"]));
    assert!(
        said.contains("提示：是不是「../villages/hengxi.md」？"),
        "{said}"
    );
    // `%20` in a link to a file: located as written.
    let content = format!("{before}\n![图](images/my%20photo.png)\n");
    let line = content.lines().count();
    fs::write(&villages, content).unwrap();
    let said = text(&huibao(site.path(), &["build"]));
    assert!(
        said.contains(&format!("content/villages/index.md:{line}:6"))
            && said.contains("链接「images/my photo.png」"),
        "{said}"
    );
}

#[test]
fn broken_links_between_pages_are_errors() {
    let site = copy_site(&fixture("small"));
    let index = site.path().join("content/index.md");
    let text_before = fs::read_to_string(&index).unwrap();
    fs::write(
        &index,
        text_before.replace("villages/index.md", "villages/nowhere.md"),
    )
    .unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("链接「villages/nowhere.md」指向的页面不存在"),
        "{said}"
    );
    assert!(said.contains("content/index.md:15:8"), "{said}");
    // Nothing near it: how links are written.
    assert!(said.contains("链接写内容文件的路径"), "{said}");

    // A page name or a folder misspelt: the page it most likely means, as the link would
    // write it (its fragment kept).
    for (written, meant) in [
        ("villages/indx.md#概况", "villages/index.md#概况"),
        ("village/index.md", "villages/index.md"),
        ("./villages/hengxy.md", "./villages/hengxi.md"),
    ] {
        fs::write(&index, text_before.replace("villages/index.md", written)).unwrap();
        let said = text(&huibao(site.path(), &["check"]));
        assert!(
            said.contains(&format!("链接「{written}」指向的页面不存在"))
                && said.contains(&format!("提示：是不是「{meant}」？")),
            "{written}: {said}"
        );
        let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
        assert!(
            english.contains(&format!("did you mean `{meant}`?")),
            "{english}"
        );
    }

    // A fragment that names no heading, and a raw HTML link: both checked in the built pages.
    // Each located where the content file writes it (as Markdown wrote it: `.md`, not the
    // `.html` the page links).
    for (link, shown, col) in [
        (
            "[村](villages/index.md#没有这个标题)",
            "villages/index.html#没有这个标题",
            5,
        ),
        ("<a href=\"nowhere.html\">x</a>", "nowhere.html", 10),
    ] {
        let content = format!("{text_before}\n{link}\n");
        let line = content[..content.find(link).unwrap()].matches('\n').count() + 1;
        fs::write(&index, content).unwrap();
        let output = huibao(site.path(), &["build"]);
        let said = text(&output);
        assert_eq!(output.status.code(), Some(1), "{said}");
        assert!(said.contains(&format!("链接「{shown}」")), "{said}");
        assert!(
            said.contains(&format!("content/index.md:{line}:{col}")),
            "{said}"
        );
    }
}

#[test]
fn a_page_with_a_link_to_no_page_has_its_other_broken_links_told_in_the_same_run() {
    // The page fails for its link to a page that is not there; its links to a file and to
    // an anchor that are not there either are told at once, in the order they are written,
    // not in a second run once the first is mended. The link it has right is not told.
    let site = copy_site(&fixture("small"));
    let index = site.path().join("content/index.md");
    let before = fs::read_to_string(&index).unwrap();
    let links = "见[村](villages/nowhere.md)、[附件](files/无此文件.pdf)、[锚](#没有这个锚)与[概况](villages/index.md)。";
    let content = format!("{before}\n{links}\n");
    let line = content.lines().count();
    fs::write(&index, content).unwrap();
    let output = huibao(site.path(), &["build"]);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    let told: Vec<&str> = said
        .lines()
        .filter(|l| l.starts_with("错误[link-broken]"))
        .collect();
    assert_eq!(told.len(), 3, "{said}");
    assert!(
        told[0].contains(&format!("content/index.md:{line}:"))
            && told[0].contains("链接「villages/nowhere.md」指向的页面不存在"),
        "{said}"
    );
    assert!(told[1].contains("「files/无此文件.pdf」"), "{said}");
    assert!(told[2].contains("「#没有这个锚」"), "{said}");
    assert!(
        !site.path().join("public").exists(),
        "nothing published: {said}"
    );
}

#[test]
fn problems_of_pages_made_on_every_core_are_told_in_page_order_every_time() {
    // The pages are made on every core and taken as each finishes: what they found is
    // still told page by page, the same at every build. First every page gives a figure
    // text (found as the page is made), then every page links to no file (found by the link
    // check once every page is made).
    let site = copy_site(&fixture("small"));
    let pages = 40;
    // (what page n says, how its problem is told).
    type Problem<'p> = (&'p dyn Fn(usize) -> String, &'p dyn Fn(usize) -> String);
    let problems: [Problem; 2] = [
        (
            &|_| "{{ township.name | fig(unit=\"户\") }}".to_string(),
            // (At the helper that failed: its message quotes only the value.)
            &|n| format!("content/p{n:02}.md:5:23: 模板错误"),
        ),
        (
            &|n| format!("<a href=\"missing-{n:02}.html\">x</a>"),
            &|n| format!("链接「missing-{n:02}.html」"),
        ),
    ];
    for (body, told_as) in problems {
        for n in 0..pages {
            fs::write(
                site.path().join(format!("content/p{n:02}.md")),
                format!("+++\ntitle = \"第{n}页\"\n+++\n\n正文。{}\n", body(n)),
            )
            .unwrap();
        }
        let mut told = Vec::new();
        for _ in 0..3 {
            let output = huibao(site.path(), &["build"]);
            let said = text(&output);
            assert_eq!(output.status.code(), Some(1), "{said}");
            let places: Vec<usize> = (0..pages)
                .map(|n| {
                    let what = told_as(n);
                    said.find(&what)
                        .unwrap_or_else(|| panic!("page {n} told ({what}): {said}"))
                })
                .collect();
            assert!(
                places.windows(2).all(|w| w[0] < w[1]),
                "in page order: {said}"
            );
            told.push(said);
        }
        assert!(told.windows(2).all(|w| w[0] == w[1]), "{told:?}");
        assert!(!site.path().join("public").exists(), "nothing published");
    }
}

#[test]
fn new_makes_a_site_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("mysite");
    let made = huibao(dir.path(), &["new", "mysite"]);
    assert!(made.status.success(), "{}", text(&made));
    let built = huibao(&site, &["build", "--deny-warnings"]);
    assert!(built.status.success(), "{}", text(&built));
    // It comes with a schema whose rules hold, and catch a broken total.
    let village = site.join("data/villages/dongcun.yaml");
    fs::write(
        &village,
        fs::read_to_string(&village).unwrap().replace("120", "121"),
    )
    .unwrap();
    // The site was built: the file that changed since is where the fault most likely is.
    let broken = text(&huibao(&site, &["check"]));
    assert!(
        broken.contains("[villages-households] data/villages/dongcun.yaml:3:"),
        "{broken}"
    );
    // With no published site to compare with, the stated total is blamed.
    fs::remove_dir_all(site.join("public")).unwrap();
    let broken = text(&huibao(&site, &["check"]));
    assert!(
        broken.contains("[villages-households] data/township.yaml:5:"),
        "{broken}"
    );
    assert!(huibao(&site, &["build"]).status.code() == Some(1));
    fs::write(
        &village,
        fs::read_to_string(&village).unwrap().replace("121", "120"),
    )
    .unwrap();
    assert!(huibao(&site, &["build"]).status.success());
    let index = page_text(&fs::read_to_string(site.join("public/index.html")).unwrap());
    assert!(index.contains("300户"), "{index}");
    // A second `new` into a folder with contents is refused.
    let again = huibao(dir.path(), &["new", "mysite"]);
    assert_eq!(again.status.code(), Some(1));
    // A folder Windows has put its desktop.ini in is empty for a clerk: made there.
    let shown = dir.path().join("已打开的文件夹");
    fs::create_dir(&shown).unwrap();
    fs::write(shown.join("desktop.ini"), "[.ShellClassInfo]\r\n").unwrap();
    let made = huibao(dir.path(), &["new", "已打开的文件夹"]);
    assert!(made.status.success(), "{}", text(&made));
    assert!(shown.join("huibao.toml").is_file());
    // A file is told it is one.
    fs::write(dir.path().join("a.txt"), "x").unwrap();
    let file = huibao(dir.path(), &["new", "a.txt"]);
    let said = text(&file);
    assert_eq!(file.status.code(), Some(1), "{said}");
    assert!(said.contains("a.txt 是一个文件，不是文件夹"), "{said}");
}

#[test]
fn refuses_to_replace_a_folder_it_did_not_make() {
    let out = tempfile::tempdir().unwrap();
    fs::write(out.path().join("important.docx"), b"precious").unwrap();
    let output = huibao(
        &fixture("small"),
        &["build", "--out", out.path().to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output).contains("不是 huibao 生成的"),
        "{}",
        text(&output)
    );
    assert_eq!(
        fs::read(out.path().join("important.docx")).unwrap(),
        b"precious"
    );
}

#[test]
fn golden_village_page() {
    let out = tempfile::tempdir().unwrap();
    build_ok(&fixture("small"), out.path());
    let got = fs::read_to_string(out.path().join("villages/hengxi.html")).unwrap();
    let golden = repo().join("tests/golden/small-villages-hengxi.html");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(golden.parent().unwrap()).unwrap();
        fs::write(&golden, &got).unwrap();
    }
    let want = fs::read_to_string(&golden).expect("golden file (UPDATE_GOLDEN=1 writes it)");
    assert_eq!(got, want, "the page differs from {}", golden.display());
}

#[test]
fn a_site_large_enough_to_render_in_parallel_is_still_byte_identical() {
    let site = copy_site(&fixture("small"));
    for i in 0..150 {
        fs::write(
            site.path().join(format!("data/villages/v{i:03}.yaml")),
            format!(
                "name: 第{i}村\nregistered:\n  households: {}\n  people: {}\n",
                10 + i,
                40 + 3 * i
            ),
        )
        .unwrap();
    }
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    build_ok(site.path(), a.path());
    build_ok(site.path(), b.path());
    let first = tree(a.path());
    assert!(first.len() > 150, "{} files", first.len());
    assert_eq!(first, tree(b.path()));
    let page = page_text(
        &String::from_utf8(first[&std::path::PathBuf::from("villages/v149.html")].clone()).unwrap(),
    );
    assert!(page.contains("第149村有建档立卡贫困户159户"), "{page}");
}

#[test]
fn arithmetic_on_typed_decimals_is_warned_about() {
    let site = copy_site(&fixture("small"));
    let index = site.path().join("content/index.md");
    let text_before = fs::read_to_string(&index).unwrap();
    fs::write(&index, format!("{text_before}\n{{{{ 0.1 + 0.2 }}}}\n")).unwrap();
    let output = huibao(site.path(), &["--lang", "en", "check"]);
    let said = text(&output);
    assert!(output.status.success(), "a warning: {said}");
    assert!(
        said.contains("warning[template-float] content/index.md"),
        "{said}"
    );
    let denied = huibao(site.path(), &["build", "--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(1));
    assert!(!site.path().join("public").exists());
}

#[test]
fn the_schema_language_is_documented_by_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let out = huibao(dir.path(), &["schema"]);
    assert!(out.status.success());
    let doc = String::from_utf8_lossy(&out.stdout);
    assert!(
        doc.contains("## The corrections log") && doc.contains("explained"),
        "{doc}"
    );
    // A new site's schema points there.
    let made = huibao(dir.path(), &["new", "s"]);
    assert!(made.status.success());
    let schema = fs::read_to_string(dir.path().join("s/data/schema.yaml")).unwrap();
    assert!(schema.contains("huibao schema"), "{schema}");
    // A path with a space is printed as it must be typed.
    let made = huibao(dir.path(), &["new", "my site"]);
    assert!(
        text(&made).contains("huibao build --site \"my site\""),
        "{}",
        text(&made)
    );
}

/// The preview reuses unchanged pages between builds; their figures name data values by
/// file number, so a new data file that shifts the numbers must not leave a reused page
/// naming the wrong file in the figures manifest.
#[test]
fn reused_pages_keep_true_sources_when_files_are_added() {
    let site = copy_site(&fixture("small"));
    let mut cache = huibao::BuildCache::default();
    let first =
        huibao::render_cached(site.path(), false, huibao::Compare::LastBuild, &mut cache).unwrap();
    assert!(first.output.figures.pages.len() > 2);
    let same =
        huibao::render_cached(site.path(), false, huibao::Compare::LastBuild, &mut cache).unwrap();
    assert_eq!(
        same.output.figures.to_bytes(),
        first.output.figures.to_bytes()
    );
    // Read by no page, and sorts before every other data file: every file's number moves
    // by one while no page's inputs change.
    fs::write(site.path().join("data/aaa.yaml"), "x: 1\n").unwrap();
    let again =
        huibao::render_cached(site.path(), false, huibao::Compare::LastBuild, &mut cache).unwrap();
    let fresh = huibao::render(site.path(), false, huibao::Compare::LastBuild).unwrap();
    let text = |m: &huibao::manifest::Manifest| String::from_utf8(m.to_bytes()).unwrap();
    assert_eq!(text(&again.output.figures), text(&fresh.output.figures));
    assert!(text(&fresh.output.figures).contains("data/villages/hengxi.yaml"));
}

/// A copy of the bundled site whose village template ends with `lines` (after a line break),
/// and the number of its first line.
fn village_template_with(lines: &str) -> (tempfile::TempDir, usize) {
    let site = copy_site(&repo());
    let template = site.path().join("content/villages/_village.md");
    let text_before = fs::read_to_string(&template).unwrap();
    fs::write(&template, format!("{text_before}\n{lines}")).unwrap();
    (site, text_before.lines().count() + 2)
}

/// A template's paths are checked against the schema without rendering: a typo in a branch
/// no page takes is still found, located, with the fields there are.
#[test]
fn template_paths_are_checked_against_the_schema() {
    let (site, line) = village_template_with(
        "{% if false %}{{ v.registerd.people }} {{ villages.hengxy.name }} {{ v.name | figg }}{% endif %}\n\
             {% if v.nothing is defined %}{{ v.name | upper }}{% endif %}{% for x in villages_list | sort(attribute=\"name\") %}{{ x.registered.people }}{% endfor %}\n",
    );
    let out = huibao(site.path(), &["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "错误[template-path] content/villages/_village.md:{line}:18: 模板读取「v.registerd.people」：v（村委会）没有字段「registerd」"
        )),
        "{said}"
    );
    assert!(said.contains("是不是「registered」？"), "{said}");
    assert!(
        said.contains("没有 id 为「hengxy」的文件") && said.contains("是不是「hengxi」？"),
        "{said}"
    );
    assert!(said.contains("不存在的过滤器「figg」"), "{said}");
    // `is defined`, Tera's own filters and a sorted loop over the villages are fine.
    assert_eq!(said.matches("[template-path]").count(), 3, "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains("v (村委会) has no field `registerd`")
            && english.contains("did you mean `registered`?"),
        "{english}"
    );
    // The build stops too, before anything is written.
    assert_eq!(huibao(site.path(), &["build"]).status.code(), Some(1));
    assert!(!site.path().join("public").exists());
}

/// The fields a chart or a filter reads of each item of a list (`values="households"`,
/// `sort(attribute=…)`) are checked against the schema without rendering, at the field in
/// the argument: a misspelt one (which `map` and `group_by` would pass over without a word),
/// one asked of a value, text where a chart draws numbers.
#[test]
fn fields_read_of_each_item_are_checked_against_the_schema() {
    let (site, line) = village_template_with(
        "{% if false %}{{ chart(kind=\"bar\", title=\"t\", data=villages_list | sort(attribute=\"registerd.people\"), label=\"nmae\", values=\"registered.househods, name\", unit=\"户\") }}{% endif %}\n\
         {% for x in villages_list | map(attribute=\"registered.peple\") %}{{ x }}{% endfor %}{{ villages_list | group_by(attribute=\"name.x\") | length }}\n\
         {% if false %}{{ chart(kind=\"bar\", title=\"u\", data=villages_list | sort(attribute=\"registered.people\"), label=\"name\", values=\"registered.households,registered.people\", unit=\"户\") }}{% endif %}\n",
    );
    let out = huibao(site.path(), &["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    let file = "content/villages/_village.md";
    let errors: Vec<&str> = said
        .lines()
        .filter(|l| l.starts_with("错误[template-path]"))
        .collect();
    assert_eq!(
        errors,
        [
            format!(
                "错误[template-path] {file}:{line}:84: 「sort」的 attribute 读取「registerd.people」：列表的每一项（村委会）没有这个字段"
            ),
            format!(
                "错误[template-path] {file}:{line}:111: 「chart」的 label 读取「nmae」：数据的每一项（村委会）没有这个字段"
            ),
            format!(
                "错误[template-path] {file}:{line}:126: 「chart」的 values 读取「registered.househods」：数据的每一项（村委会）没有这个字段"
            ),
            format!(
                "错误[template-path] {file}:{line}:148: 「chart」的 values 读取「name」：它是 text 类型，不是数字，画不成图"
            ),
            format!(
                "错误[template-path] {file}:{}:44: 「map」的 attribute 读取「registered.peple」：列表的每一项（村委会）没有这个字段",
                line + 1
            ),
            format!(
                "错误[template-path] {file}:{}:123: 「group_by」的 attribute 读取「name.x」：列表的每一项（村委会）没有这个字段",
                line + 1
            ),
        ],
        "{said}"
    );
    for hint in [
        "是不是「registered.people」？每一项的字段有：id、name、",
        "是不是「name」？",
        "是不是「registered.households」？「registered」的字段有：households、people",
        "values 写数字字段，例如：exit_year、registered.households、registered.people",
        "「name」是一个值（text 类型），没有下一级字段",
    ] {
        assert!(said.contains(hint), "{hint}\n{said}");
    }
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains("`chart`'s values reads `registered.househods`: the items of its data (村委会) have no such field")
            && english.contains("did you mean `registered.households`? the fields of `registered` are: households, people")
            && english.contains("`map`'s attribute reads `registered.peple`: the items of the list (村委会)")
            && english.contains("`chart`'s values reads `name`: it is text, not a number"),
        "{english}"
    );
    // The build stops too, before anything is written.
    assert_eq!(huibao(site.path(), &["build"]).status.code(), Some(1));
    assert!(!site.path().join("public").exists());
}

/// What Tera refuses when a page is rendered, found by the template check first, located,
/// with what to write: a filter called as a function (`fig(v=…)`) and a function as a
/// filter, a loop with one name over a folder's files or two over a list, arithmetic on a
/// figure (text that carries its source).
#[test]
fn helpers_loops_and_arithmetic_written_the_wrong_way_are_told_the_right_one() {
    let (site, line) = village_template_with(
        "{% if false %}{{ fig(v=v.registered.people) }}{% for x in villages %}{{ x.name }}{% endfor %}{% endif %}\n\
         {% if false %}{% for i, x in villages_list %}{{ x.name }}{% endfor %}{{ v.registered.people + 1 }}{{ v.name | rate(num=1, den=2) }}{% endif %}\n",
    );
    let out = huibao(site.path(), &["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    let file = "content/villages/_village.md";
    let next = line + 1;
    for (at, hint) in [
        (
            format!("{line}:18: 「fig」是过滤器，不是函数：写在值的后面"),
            "写成 {{ 值 | fig(…) }}，例如 {{ township.population | fig(unit=\"人\") }}",
        ),
        (
            format!("{line}:59: 「villages」是一个文件夹里的文件（按 id），不是列表"),
            "要逐个读，写成 {% for x in villages_list %}，或 {% for id, x in villages %}",
        ),
        (
            format!("{next}:30: 「villages_list」是列表，循环只写一个变量（这里写了 i, x）"),
            "写成 {% for x in villages_list %}；要序号，读 loop.index",
        ),
        (
            format!("{next}:111: 「rate」是函数，不是过滤器：单独写"),
            "写成 {{ rate(…) }}，例如 {{ rate(num=…, den=…, dp=1) }}",
        ),
    ] {
        assert!(
            said.contains(&format!("错误[template-path] {file}:{at}")),
            "{at}\n{said}"
        );
        assert!(said.contains(&format!("提示：{hint}")), "{hint}\n{said}");
    }
    assert!(
        said.contains(&format!(
            "错误[template-math] {file}:{next}:73: 模板用 + 计算数字「v.registered.people」：数字带着出处，是文本，不能直接算"
        )) && said.contains("提示：写成 {{ sum(values=[v.registered.people, 1]) }}；"),
        "{said}"
    );
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains("`fig` is a filter, not a function: it follows a value")
            && english.contains("write {{ value | fig(…) }}")
            && english.contains("`villages` is a folder's files by id, not a list")
            && english.contains("the template reckons with the figure `v.registered.people` by +"),
        "{english}"
    );
}

/// An argument huibao's helpers do not take (`fig(unt="人")`, which would print no unit) is
/// an error at it, with the closest they take (a chart's too); a helper's name misspelt gets
/// the closest name (`figg`, `lenght`, `summ`).
#[test]
fn a_helper_s_argument_or_name_misspelt_is_told_the_closest() {
    let (site, line) = village_template_with(
        "{{ v.registered.people | fig(unt=\"人\") }} {{ rate(num=v.registered.people, denom=v.registered.households, dp=1) }}\n\
             {{ v.name | lenght }} {{ summ(values=[1]) }} {{ sum(values=[v.registered.people]) | fig(unit=\"人\", dp=0) }}\n\
             {{ chart(kind=\"bar\", title=\"t\", labels=[\"a\"], values=[v.registered.people], unti=\"人\") }}\n",
    );
    let out = huibao(site.path(), &["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "错误[template-path] content/villages/_village.md:{line}:30: 「fig」没有参数「unt」：这样写会被忽略"
        )) && said.contains("是不是「unit」？它的参数：unit、dp"),
        "{said}"
    );
    assert!(
        said.contains("「rate」没有参数「denom」")
            && said.contains("是不是「den」？它的参数：num、den、dp"),
        "{said}"
    );
    assert!(
        said.contains("模板用了不存在的过滤器「lenght」")
            && said.contains("是不是「length」？")
            && said.contains("模板用了不存在的函数「summ」")
            && said.contains("是不是「sum」？"),
        "{said}"
    );
    // A chart's, which it would refuse when drawn, told where it is written, once.
    assert!(
        said.contains(&format!(
            "错误[template-path] content/villages/_village.md:{}:77: 「chart」没有参数「unti」\n",
            line + 2
        )) && said.contains("是不是「unit」？它的参数：title、kind、data"),
        "{said}"
    );
    assert!(!said.contains("[template]"), "{said}");
    // The arguments they take are fine.
    assert_eq!(said.matches("[template-path]").count(), 5, "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains("`fig` takes no argument `unt`: it would be ignored")
            && english.contains("did you mean `unit`? its arguments: unit, dp"),
        "{english}"
    );
}

/// A field that is no number printed as a figure (`{{ v.name | fig }}`) is an error at it,
/// found without rendering: the render's own error could not say which tag failed.
#[test]
fn a_text_printed_as_a_figure_is_told_at_it() {
    let (site, line) = village_template_with(
        "{{ v.registered.people | fig(unit=\"人\") }} {{ v.status | fig }}\n{{ v.name | float }}\n",
    );
    let out = huibao(site.path(), &["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "错误[template-type] content/villages/_village.md:{line}:46: 「v.status」是可选值之一（文字），不是数字：fig 只印数字"
        )) && said.contains("写成 {{ v.status }}（不加 fig）"),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "错误[template-type] content/villages/_village.md:{}:4: 「v.name」是文字，不是数字：float 只能用于数字",
            line + 1
        )),
        "{said}"
    );
    assert_eq!(said.matches("[template-type]").count(), 2, "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains(
            "`v.status` is one of a list of texts, not a number: fig prints numbers only"
        ),
        "{english}"
    );
}

/// A group of values or a list printed whole would show `[object]` on the page, silently
/// (Tera prints it so); through `fig` it would fail with no place: each an error at it,
/// found without rendering, with what to write. A list's length and a list of texts are
/// left alone.
#[test]
fn a_group_or_a_list_printed_whole_is_told_at_it() {
    let (site, line) = village_template_with(
        "{{ v.registered }} {{ township.exits | sort(attribute=\"year\") }}\n\
         {{ v.registered | fig(unit=\"户\") }} {{ villages }} {{ township.exits | length }}\n",
    );
    let out = huibao(site.path(), &["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    for told in [
        format!(
            "错误[template-type] content/villages/_village.md:{line}:4: 「v.registered」是一组值（households、people），不是一个值：直接印出来页面上会显示 [object]"
        ),
        "提示：写出其中一项：{{ v.registered.households }}".to_string(),
        format!(
            "错误[template-type] content/villages/_village.md:{line}:23: 「township.exits」是列表，不是一个值"
        ),
        "提示：逐项写出：{% for x in township.exits %}…{{ x.households }}…{% endfor %}".to_string(),
        format!(
            "错误[template-type] content/villages/_village.md:{}:4: 「v.registered」是一组值（households、people），不是一个值：fig 只能用于一个数字",
            line + 1
        ),
        format!(
            "错误[template-type] content/villages/_village.md:{}:39: 「villages」是一个文件夹的文件（changling、fenglin、hengxi、hujia、longgang、mingde 等 17 项）",
            line + 1
        ),
        "或用 {% for x in villages_list %} 逐个写出".to_string(),
    ] {
        assert!(said.contains(&told), "{told}: {said}");
    }
    assert_eq!(said.matches("[template-type]").count(), 4, "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains("`v.registered` is a group of values (households, people), not one value: printed whole, the page would show [object]"),
        "{english}"
    );
}

/// A helper's argument written as a number it refuses (`dp=-1`, `div`'s `b=0`) is an error
/// at that use of the helper — not at its first use in the file, as the render's error
/// was; decimals asked of a count (`fig(dp=2)` would print 132.00户) are a warning.
#[test]
fn a_helper_s_literal_argument_is_checked_at_its_own_use() {
    let (site, line) = village_template_with(
        "{{ v.registered.people | fig(unit=\"人\") }} {{ v.registered.people | fig(unit=\"人\", dp=-1) }}\n\
         {{ div(a=v.registered.people, b=3, dp=1) }} {{ div(a=v.registered.people, b=0, dp=1) }}\n\
         {{ v.registered.households | fig(unit=\"户\", dp=2) }}\n",
    );
    let out = huibao(site.path(), &["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    for told in [
        format!(
            "错误[template-type] content/villages/_village.md:{line}:68: 「fig」的 dp 要是 0 到 20 的整数，这里是 -1"
        ),
        format!(
            "错误[template-type] content/villages/_village.md:{}:48: 「div」的除数 b 是 0",
            line + 1
        ),
        format!(
            "警告[template-decimals] content/villages/_village.md:{}:30: 「v.registered.households」是整数（计数），dp=2 会把它印成带 2 位小数（如 132.00）",
            line + 2
        ),
    ] {
        assert!(said.contains(&told), "{told}: {said}");
    }
    assert_eq!(said.matches("错误[").count(), 2, "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains("`fig`'s dp must be a whole number from 0 to 20, not -1")
            && english.contains("`div` divides by b=0"),
        "{english}"
    );
}

/// An optional field read unguarded fails the pages of the records without it: one error,
/// at the read that failed (not at an earlier read its `{% if %}` guards), naming the
/// first pages and how many fail, with the warning's hint.
#[test]
fn a_page_error_met_on_many_pages_is_told_once_where_it_is() {
    let (site, line) = village_template_with("{{ v.assistance_unit }}\n");
    let out = huibao(site.path(), &["build"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "错误[template] content/villages/_village.md:{line}:4: 模板错误：模板读取的「v.assistance_unit」不存在"
        )) && said.contains("提示：用 {% if v.assistance_unit %}…{% endif %} 包起来"),
        "{said}"
    );
    let without: usize = std::fs::read_dir(site.path().join("data/villages"))
        .unwrap()
        .filter(|f| {
            let text = fs::read_to_string(f.as_ref().unwrap().path()).unwrap();
            !text.contains("assistance_unit:")
        })
        .count();
    assert!(
        without > 3,
        "the bundled villages without a unit: {without}"
    );
    assert!(
        said.contains(&format!("共 {without} 个页面同样出错")),
        "{said}"
    );
    assert_eq!(said.matches("生成这一页时出错").count(), 3, "{said}");
    assert_eq!(said.matches("错误[").count(), 1, "{said}");
    assert!(!said.contains("template-optional"), "{said}");

    // A helper failing on each page's value (int of a name), used twice: told once, at its
    // first use, with the other named.
    let (site, line) = village_template_with(
        "{% for u in [v.name] %}{{ u | int }}{% endfor %}\n{{ v.registered.people | int }}\n",
    );
    let said = text(&huibao(site.path(), &["build"]));
    assert!(
        said.contains(&format!(
            "错误[template] content/villages/_village.md:{line}:31: 模板错误：int：「"
        )) && said.contains(&format!(
            "= content/villages/_village.md:{}:26  「int」也用在这里：出错的也可能是这一处",
            line + 1
        )),
        "{said}"
    );
    assert_eq!(said.matches("错误[").count(), 1, "{said}");
    let villages = std::fs::read_dir(site.path().join("data/villages"))
        .unwrap()
        .count();
    assert!(
        said.contains(&format!("共 {villages} 个页面同样出错")),
        "{said}"
    );
    let english = text(&huibao(site.path(), &["--lang", "en", "build"]));
    assert!(
        english.contains(&format!("{villages} pages fail alike"))
            && english.contains("while making this page"),
        "{english}"
    );
}

/// A helper's call without the argument it needs (`rate(…)` without `dp=`) is told at that
/// call, not at the first call of the helper in the file, in Chinese with the helper named.
#[test]
fn a_helper_call_without_its_dp_is_told_at_that_call() {
    let (site, line) = village_template_with(
        "{{ rate(num=v.registered.people, den=township.registered.people) }}\n",
    );
    let out = huibao(site.path(), &["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "错误[template] content/villages/_village.md:{line}:4: 模板错误：rate：请用 dp= 声明结果保留几位小数，如 dp=2"
        )),
        "{said}"
    );
    assert!(!said.contains("也用在这里"), "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains("rate: declare the decimals of the result with dp=, e.g. dp=2"),
        "{english}"
    );
}

/// A figure printed with another unit than its data's (`fig(unit="户")` of a field in 人) is
/// warned of at it: the page would say what the data do not. The build goes on; not when
/// the unit would make it another figure (万元 printed 元).
#[test]
fn a_figure_printed_in_another_unit_is_warned_of() {
    let (site, line) = village_template_with(
        "{{ v.registered.people | fig(unit=\"户\") }} {{ v.registered.people | fig(unit=\"人\") }}\n",
    );
    let out = huibao(site.path(), &["check"]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains(&format!(
            "警告[template-unit] content/villages/_village.md:{line}:4: 「v.registered.people」的单位是「人」，这里印成「户」"
        )) && said.contains("写成 fig(unit=\"人\")"),
        "{said}"
    );
    assert_eq!(said.matches("[template-unit]").count(), 1, "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains("`v.registered.people` is in 人, printed here in 户"),
        "{english}"
    );
    // 万元 printed as 元 would publish a figure 10,000 times off: an error, nothing built.
    let (site, line) =
        village_template_with("{{ policies.industry.special_funds_wan | fig(unit=\"元\") }}\n");
    let out = huibao(site.path(), &["build"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "错误[template-unit] content/villages/_village.md:{line}:4: 「policies.industry.special_funds_wan」的单位是「万元」，这里印成「元」"
        )),
        "{said}"
    );
    assert!(!site.path().join("public").exists());
}

/// A folder's files given to a filter that reads a list's items (`villages | sum(…)`) is
/// told at it to take the folder's list, not found by Tera on every page.
#[test]
fn a_folder_given_where_a_list_is_read_is_told_its_list() {
    let (site, line) =
        village_template_with("{{ villages | sum(attribute=\"registered.households\") | fig }}\n");
    let out = huibao(site.path(), &["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "错误[template-type] content/villages/_village.md:{line}:4: 「villages」是一个文件夹里的文件（按 id），不是列表：sum 要一个列表"
        )) && said.contains("写成 villages_list | sum(…)：villages_list 是这个文件夹的记录列表"),
        "{said}"
    );
    // Written so, it builds.
    let template = site.path().join("content/villages/_village.md");
    let fixed = fs::read_to_string(&template)
        .unwrap()
        .replace("{{ villages | sum(", "{{ villages_list | sum(");
    fs::write(&template, fixed).unwrap();
    let out = huibao(site.path(), &["check"]);
    assert!(out.status.success(), "{}", text(&out));
}

/// A site with a schema, for the template check: a township, villages with an optional
/// field, a list page including a partial, a partials folder, a static page with an anchor.
fn checked_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("huibao.toml", "title = \"测试\"\n"),
        (
            "data/schema.yaml",
            "files:\n  township.yaml:\n    label: 乡\n    fields:\n      name: {type: text, label: 乡名}\n      people: {type: count, unit: 人}\n  villages/*.yaml:\n    label: 村\n    fields:\n      name: {type: text}\n      people: {type: count, unit: 人}\n      note: {type: text, optional: true}\n",
        ),
        ("data/township.yaml", "name: 测试乡\npeople: 10\n"),
        (
            "data/villages/a.yaml",
            "name: 甲村\npeople: 4\nnote: 有备注\n",
        ),
        ("data/villages/b.yaml", "name: 乙村\npeople: 6\n"),
        (
            "content/index.md",
            "+++\ntitle = \"首页\"\n+++\n{{ township.name | safe }}{{ township.name | default(value=\"-\") }}{% if notes is defined %}{{ notes.text }}{% endif %}{% if villages.zz is defined %}{{ villages.zz.name }}{% endif %}\n\n[锚点](static.html#sec)\n",
        ),
        (
            "content/list.md",
            "+++\ntitle = \"列表\"\n+++\n{% for v in villages_list %}{% include \"_row.md\" %}{% endfor %}\n",
        ),
        (
            "content/_row.md",
            "+++\ntitle = \"行\"\n+++\n- {{ v.name }}\n",
        ),
        ("content/_partials/x.md", "+++\ntitle = \"x\"\n+++\n部分\n"),
        (
            "content/villages/_v.md",
            "+++\ntitle = \"村\"\ngenerate = \"villages\"\nas = \"v\"\n+++\n{{ v.name }}{% if v.note %}：{{ v.note }}{% endif %}\n",
        ),
        ("static/static.html", "<h2 id=\"sec\">x</h2>\n"),
    ];
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

/// What Tera and the data allow is not a mistake: `safe` and `default`, a partial included
/// in a loop, `is defined` on a file that is not there, a guarded optional field, a data
/// file named `id.yaml`, an anchor of a static page; a partials folder is no page.
#[test]
fn template_check_raises_no_false_alarms() {
    let site = checked_site();
    fs::write(
        site.path().join("data/villages/id.yaml"),
        "name: 丙村\npeople: 1\n",
    )
    .unwrap();
    let out = huibao(site.path(), &["check", "--deny-warnings"]);
    assert!(out.status.success(), "{}", text(&out));
    let public = tempfile::tempdir().unwrap();
    build_ok(site.path(), public.path());
    let list = page_text(&fs::read_to_string(public.path().join("list.html")).unwrap());
    assert!(
        list.contains("甲村") && list.contains("乙村") && list.contains("丙村"),
        "{list}"
    );
    assert!(!public.path().join("_partials/x.html").exists());
    // The names a template sets are listed in a stable order in hints (a loop's names are
    // not: they name nothing outside their loop).
    let index = site.path().join("content/index.md");
    let before = fs::read_to_string(&index).unwrap();
    fs::write(&index, format!("{before}{{% set b = 1 %}}{{% set a = 2 %}}{{% for c in villages_list %}}{{% endfor %}}{{{{ nme }}}}\n")).unwrap();
    let first = text(&huibao(site.path(), &["check"]));
    assert!(
        first.contains("可以读的名称有：") && first.contains("a、b") && !first.contains("、c"),
        "{first}"
    );
    assert_eq!(first, text(&huibao(site.path(), &["check"])));
}

/// An optional field read where some records lack it: `check` (which renders one village)
/// warns, located, and `build` fails on the village without it.
#[test]
fn an_unguarded_optional_field_is_warned_about() {
    let site = checked_site();
    let template = site.path().join("content/villages/_v.md");
    let before = fs::read_to_string(&template).unwrap();
    fs::write(&template, format!("{before}备注：{{{{ v.note }}}}\n")).unwrap();
    let line = before.lines().count() + 1;
    let out = huibao(site.path(), &["check"]);
    let said = text(&out);
    assert!(out.status.success(), "a warning: {said}");
    assert!(
        said.contains(&format!(
            "警告[template-optional] content/villages/_v.md:{line}:7: 模板读取「v.note」"
        )),
        "{said}"
    );
    assert!(said.contains("default(value=\"\")"), "{said}");
    assert_eq!(
        huibao(site.path(), &["check", "--deny-warnings"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(huibao(site.path(), &["build"]).status.code(), Some(1));
}

/// Guards as Tera evaluates them: a tested path covers the paths it goes through, written
/// any way (`villages[v.id].note`, `v["note"]`), `default` and a loop's `filter` guard too;
/// a comparison guards nothing, and a loop variable bound twice alike stays checked.
#[test]
fn template_check_follows_tera_guards() {
    let site = checked_site();
    list_page(
        site.path(),
        "{% for v in villages_list %}{% if villages[v.id].note %}{{ villages[v.id].note }}{% endif %}{% if v[\"note\"] %}{{ v[\"note\"] }}{% endif %}{% endfor %}\n{{ notes.text | default(value=\"无\") }}{{ villages.zz.name | default(value=\"无\") }}{{ villages[villages_list[0].id].name }}\n{% for v in villages_list | filter(attribute=\"note\", value=\"有备注\") %}{{ v.note }}{% endfor %}\n{# v.note #}\n",
    );
    let out = huibao(site.path(), &["check", "--deny-warnings"]);
    assert!(out.status.success(), "{}", text(&out));
    list_page(
        site.path(),
        "{% for v in villages_list %}{% if v.note == \"x\" %}是{% endif %}{% endfor %}\n{% for v in villages_list %}{{ v.name }}{% endfor %}{% for v in villages_list %}{{ v.nmae }}{% endfor %}\n",
    );
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("警告[template-optional] content/list.md:4:"),
        "{said}"
    );
    assert!(
        said.contains("错误[template-path] content/list.md:5:") && said.contains("「nmae」"),
        "{said}"
    );
}

/// A loop's names hold inside the loop only, as Tera renders it: read after `{% endfor %}`
/// they are an error placed where they are read, with where the loop is; a generated page's
/// own `v` is itself again after an inner loop over `v`.
#[test]
fn a_loop_variable_read_outside_its_loop_is_told() {
    let site = checked_site();
    let write = |path: &str, text: &str| fs::write(site.path().join(path), text).unwrap();
    list_page(
        site.path(),
        "{% for v in villages_list %}{{ v.name }}{% endfor %}{{ v.name }}\n{% for k, v in villages %}{{ k }}{% endfor %}{{ k }}{{ v.id }}\n",
    );
    let out = huibao(site.path(), &["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    for expected in [
        "错误[template-path] content/list.md:4:56: 「v」是 for 循环的变量，只在循环里（{% for %} 到 {% endfor %} 之间）有值，这里在循环外",
        "= content/list.md:4:8  循环在这里",
        "错误[template-path] content/list.md:5:49: 「k」是 for 循环的变量",
        "= content/list.md:5:8  循环在这里",
        // (The loop told is the last one before the read.)
        "错误[template-path] content/list.md:5:56: 「v」是 for 循环的变量",
        "= content/list.md:5:11  循环在这里",
    ] {
        assert!(said.contains(expected), "{expected}\n{said}");
    }
    let en = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        en.contains("content/list.md:4:56: `v` is a for loop's variable: it holds a value only inside its loop")
            && en.contains("= content/list.md:4:8  the loop is here"),
        "{en}"
    );
    // Inside the loop, and the generated page's `v` after a loop of its own over `v`.
    list_page(
        site.path(),
        "{% for v in villages_list %}{{ v.name }}{% endfor %}\n",
    );
    write(
        "content/villages/_v.md",
        "+++\ntitle = \"村\"\ngenerate = \"villages\"\nas = \"v\"\n+++\n{% for v in villages_list %}{{ v.people }}{% endfor %}{{ v.name }}{{ v.nmae }}\n",
    );
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("错误[template-path] content/villages/_v.md:6:70: 模板读取「v.nmae」")
            && !said.contains("循环外"),
        "{said}"
    );
}

/// `{% set total = total + 1 %}` in a loop counts nothing (each round starts again from the
/// value outside the loop, and after it `total` is 0): an error at that `set`; with
/// `set_global` the count is right.
#[test]
fn a_set_accumulating_in_a_loop_is_an_error() {
    let site = checked_site();
    list_page(
        site.path(),
        "{% set total = 0 %}{% for v in villages_list %}{% set total = total + 1 %}{% endfor %}共{{ total }}个\n",
    );
    let out = huibao(site.path(), &["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(
            "错误[template-loop-set] content/list.md:4:55: 「total」在 for 循环里用 set 累加"
        ) && said.contains("提示：写成 {% set_global total = … %}"),
        "{said}"
    );
    let en = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        en.contains("error[template-loop-set] content/list.md:4:55: `total` is accumulated with set inside a for loop"),
        "{en}"
    );
    list_page(
        site.path(),
        "{% set total = 0 %}{% for v in villages_list %}{% set_global total = total + 1 %}{% set name = v.name %}{{ name }}{% endfor %}共{{ total }}个\n",
    );
    let out = huibao(site.path(), &["check", "--deny-warnings"]);
    assert!(out.status.success(), "{}", text(&out));
    let public = tempfile::tempdir().unwrap();
    build_ok(site.path(), public.path());
    let page = page_text(&fs::read_to_string(public.path().join("list.html")).unwrap());
    assert!(page.contains("共2个"), "{page}");
}

/// A name set in a loop and read after it (the find-in-a-loop habit) reads the value from
/// before the loop: an error at the read, with the `set`; with `set_global` the page shows
/// the village found.
#[test]
fn a_name_set_in_a_loop_and_read_after_it_is_an_error() {
    let site = checked_site();
    let found = "{% for v in villages_list %}{% if v.people is gt(5) %}{% set found = v.name %}{% endif %}{% endfor %}最多：{{ found }}";
    list_page(site.path(), &format!("{{% set found = \"无\" %}}{found}\n"));
    let out = huibao(site.path(), &["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(
            "错误[template-loop-set] content/list.md:4:129: 「found」是在 for 循环里用 set 赋的值"
        ) && said.contains("= content/list.md:4:83  在循环里赋值")
            && said.contains("提示：在循环里写成 {% set_global found = … %}"),
        "{said}"
    );
    let en = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        en.contains("error[template-loop-set] content/list.md:4:129: `found` was given its value with set inside a for loop"),
        "{en}"
    );
    // Not set before the loop: Tera would fail on the page; told the same way.
    list_page(site.path(), &format!("{found}\n"));
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("错误[template-loop-set] content/list.md:4:108: 「found」"),
        "{said}"
    );
    // Set again after the loop, or set_global: the page is right.
    list_page(
        site.path(),
        &format!(
            "{}{{% set found = \"甲村\" %}}{{{{ found }}}}\n",
            found.replace("最多：{{ found }}", "")
        ),
    );
    let said = text(&huibao(site.path(), &["check"]));
    assert!(!said.contains("template-loop-set"), "{said}");
    list_page(
        site.path(),
        &format!(
            "{{% set found = \"无\" %}}{}\n",
            found.replace("set found", "set_global found")
        ),
    );
    let out = huibao(site.path(), &["check", "--deny-warnings"]);
    assert!(out.status.success(), "{}", text(&out));
    let public = tempfile::tempdir().unwrap();
    build_ok(site.path(), public.path());
    let page = page_text(&fs::read_to_string(public.path().join("list.html")).unwrap());
    assert!(page.contains("最多：乙村"), "{page}");
}

/// A file read by its Chinese name (`villages["甲村"]`, as a clerk writes it) is told which
/// file that is and how a template reads it, by file name.
#[test]
fn a_file_read_by_its_name_is_told_its_file_name() {
    let site = checked_site();
    list_page(
        site.path(),
        "{{ villages[\"甲村\"].people }}{{ villages[\"乙\"].people }}\n",
    );
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("错误[template-path] content/list.md:4:4: 模板读取「villages[\"甲村\"].people」：villages（村）里没有 id 为「甲村」的文件")
            && said.contains("提示：「甲村」是 a.yaml 的 name；模板按文件名（不含 .yaml）读一个文件：写成 villages.a"),
        "{said}"
    );
    // One character names no file surely: the ids are listed instead.
    assert!(
        said.contains("没有 id 为「乙」的文件")
            && said.contains("提示：文件的 id 是文件名（不含 .yaml），例如：a、b"),
        "{said}"
    );
    let en = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        en.contains("hint: `甲村` is the name of a.yaml; templates read a file by its file name (without .yaml): write villages.a"),
        "{en}"
    );
}

/// A mistake is placed at the path as written, not inside a longer name met before it, nor
/// in the text between the tags.
#[test]
fn template_mistakes_are_placed_at_the_whole_path() {
    let site = checked_site();
    list_page(
        site.path(),
        "正文写着 v.peopl 和 nme。\n{% for v in villages_list %}{{ v.people }}{{ v.peopl }}{% endfor %}{{ names }}{{ nme }}\n",
    );
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("错误[template-path] content/list.md:5:46: 模板读取「v.peopl」"),
        "{said}"
    );
    assert!(
        said.contains("错误[template-path] content/list.md:5:82: 模板读取的「nme」不存在"),
        "{said}"
    );
}

/// A template that includes partials or calls macros is checked too: an included partial
/// with the includer's variables (its problem placed in the partial, with where it is
/// included), a macro's body with its arguments and the data, and each macro call and
/// include against what is there — in branches no sample page takes.
#[test]
fn template_check_follows_includes_and_macros() {
    let site = checked_site();
    let write = |path: &str, text: &str| fs::write(site.path().join(path), text).unwrap();
    // Partials need no front matter; `---` in one is a rule line, not YAML front matter.
    write("content/_row.md", "---\n- {{ v.name }}{{ v.peple }}\n");
    write(
        "content/_macros.md",
        "{% macro cell(x, unit=\"人\") %}{{ x | fig(unit=unit) }}{{ township.nmae }}{% endmacro cell %}\n",
    );
    list_page(
        site.path(),
        "{% import \"_macros.md\" as m %}\n{% for v in villages_list %}{% if v.note %}{% include \"_row.md\" %}{{ m::cell(x=v.people, unt=\"人\") }}{{ m::cel(x=1) }}{{ mm::cell(x=1) }}{{ m::cell() }}{% endif %}{% endfor %}\n{% if false %}{% include \"_rwo.md\" %}{% endif %}{{ township.populaton }}\n",
    );
    let out = huibao(site.path(), &["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    for expected in [
        // The includer's own paths (a template with an include was skipped before).
        "错误[template-path] content/list.md:6:52: 模板读取「township.populaton」",
        "错误[template-path] content/_row.md:2:18: 模板读取「v.peple」：v（村）没有字段「peple」",
        "= content/list.md:5:56  由这里 include",
        "错误[template-path] content/_macros.md:1:57: 模板读取「township.nmae」",
        "错误[template-path] content/list.md:5:90: 宏「m::cell」没有参数「unt」",
        "提示：是不是「unit」？它的参数：unit、x",
        "错误[template-path] content/list.md:5:104: 宏调用「m::cel」：_macros.md 里没有宏「cel」",
        "提示：是不是「cell」？它定义的宏：cell",
        "错误[template-path] content/list.md:5:121: 宏调用「mm::cell」：模板没有导入名为「mm」的宏文件",
        "错误[template-path] content/list.md:5:140: 宏「m::cell」少了参数「x」（它没有默认值）",
        "错误[template-path] content/list.md:6:26: {% include %} 的模板「_rwo.md」不存在",
        "提示：是不是「_row.md」？content/ 里可以 include 的文件：_macros.md、_partials/x.md、_row.md",
    ] {
        assert!(said.contains(expected), "{expected}\n{said}");
    }
    assert!(!said.contains("front-matter"), "{said}");
    let en = text(&huibao(site.path(), &["--lang", "en", "check"]));
    for expected in [
        "error[template-path] content/_row.md:2:18: the template reads `v.peple`",
        "= content/list.md:5:56  included here",
        "the macro `m::cell` takes no argument `unt`: it would be ignored",
        "the macro call `mm::cell`: the template imports no macro file as `mm`",
        "{% include %} names `_rwo.md`, which does not exist",
    ] {
        assert!(en.contains(expected), "{expected}\n{en}");
    }
    // Mended, the site builds: the partial and the macro as written render.
    write("content/_row.md", "- {{ v.name }}\n");
    write(
        "content/_macros.md",
        "{% macro cell(x, unit=\"人\") %}{{ x | fig(unit=unit) }}{% endmacro cell %}\n",
    );
    list_page(
        site.path(),
        "{% import \"_macros.md\" as m %}\n{% for v in villages_list %}{% include \"_row.md\" %}{{ m::cell(x=v.people) }}\n{% endfor %}\n",
    );
    let out = huibao(site.path(), &["check", "--deny-warnings"]);
    assert!(out.status.success(), "{}", text(&out));
    let public = tempfile::tempdir().unwrap();
    build_ok(site.path(), public.path());
    let list = page_text(&fs::read_to_string(public.path().join("list.html")).unwrap());
    assert!(list.contains("甲村") && list.contains("4人"), "{list}");
    // A generator whose first fence was deleted is told, not taken for a partial.
    let generator = site.path().join("content/villages/_v.md");
    let text_of = fs::read_to_string(&generator).unwrap();
    fs::write(&generator, text_of.trim_start_matches("+++\n")).unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("错误[front-matter] content/villages/_v.md:1:1"),
        "{said}"
    );
}

/// The preview's next build reuses what did not change (parsed and checked files, the data
/// context, pages): after every edit, failed builds included, its output is a fresh build's.
#[test]
fn preview_builds_after_edits_equal_fresh_builds() {
    let site = copy_site(&repo());
    let village = site.path().join("data/villages/hengxi.yaml");
    let schema = site.path().join("data/schema.yaml");
    let original = fs::read_to_string(&village).unwrap();
    let mut cache = huibao::BuildCache::default();
    let mut build = |what: &str| {
        let kept =
            huibao::render_cached(site.path(), false, huibao::Compare::LastBuild, &mut cache);
        let fresh = huibao::render(site.path(), false, huibao::Compare::LastBuild);
        match (kept, fresh) {
            (Ok(kept), Ok(fresh)) => {
                assert_eq!(kept.output.files, fresh.output.files, "{what}");
                assert_eq!(
                    kept.output.figures.to_bytes(),
                    fresh.output.figures.to_bytes(),
                    "{what}"
                );
                kept.output.files
            }
            (Err(kept), Err(fresh)) => {
                assert_eq!(kept, fresh, "{what}");
                Vec::new()
            }
            (kept, fresh) => panic!("{what}: {:?} / {:?}", kept.is_ok(), fresh.is_ok()),
        }
    };
    let first = build("first build");
    let bytes_of = |files: &[(std::path::PathBuf, bytes::Bytes)], name: &str| {
        files
            .iter()
            .find(|(p, _)| p.to_string_lossy().replace('\\', "/") == name)
            .map(|(_, b)| b.clone())
            .unwrap()
    };
    let page = |files: &[(std::path::PathBuf, bytes::Bytes)], name: &str| {
        String::from_utf8(bytes_of(files, name).to_vec()).unwrap()
    };
    assert!(page(&first, "villages/hengxi.html").contains("中航工业"));
    fs::write(&village, original.replace("中航工业", "航空工业")).unwrap();
    let text = build("a text changed");
    assert!(page(&text, "villages/hengxi.html").contains("航空工业"));
    fs::write(&village, format!("# 一行注释\n{original}")).unwrap();
    build("every value one line lower");
    fs::write(
        &village,
        original.replace("households: 132", "households: 132万"),
    )
    .unwrap();
    assert!(build("a mistake").is_empty());
    fs::write(&village, &original).unwrap();
    build("the mistake mended");
    let schema_text = fs::read_to_string(&schema).unwrap();
    fs::write(
        &schema,
        schema_text.replace("label: 户数}", "label: 户的数目}"),
    )
    .unwrap();
    build("a label of the schema changed");
    // A page of the villages' list: a renamed village names its figures anew.
    fs::write(
        site.path().join("content/shares.md"),
        "+++\ntitle = \"占比\"\n+++\n{% for v in villages_list %}{{ rate(num=v.registered.people, den=township.registered.people, dp=2) }}；{% endfor %}\n",
    )
    .unwrap();
    build("a page of the list");
    fs::write(&village, original.replace("横溪村", "横溪新村")).unwrap();
    build("a village renamed");
    // What the page plan is made of: a page's weight (the sidebar's order).
    let health = site.path().join("content/policies/health.md");
    let health_text = fs::read_to_string(&health).unwrap();
    fs::write(&health, health_text.replace("weight = 30", "weight = 5")).unwrap();
    build("a page moved up the sidebar");
    // A field misspelt in a template, then mended: the type check sees each edit.
    let shares = site.path().join("content/shares.md");
    let shares_text = fs::read_to_string(&shares).unwrap();
    fs::write(&shares, format!("{shares_text}\n{{{{ township.nmae }}}}\n")).unwrap();
    assert!(build("a field misspelt").is_empty());
    fs::write(&shares, &shares_text).unwrap();
    build("the field mended");
    // A template that does not parse, then mended; a figure moved a line after (the
    // templates kept parsed, their figures' functions read this build's values).
    fs::write(&shares, format!("{shares_text}\n{{% if %}}\n")).unwrap();
    assert!(build("a template that does not parse").is_empty());
    assert!(build("a template that still does not parse").is_empty());
    fs::write(&shares, &shares_text).unwrap();
    build("the template parses again");
    fs::write(&village, format!("# 又一行注释\n{original}")).unwrap();
    build("the values of a list's record one line lower");
    fs::write(&village, &original).unwrap();
    build("and back");
    // The layout edited: every page is laid out again.
    let layout = site.path().join("themes/default/templates/page.html");
    let layout_text = fs::read_to_string(&layout).unwrap();
    fs::write(
        &layout,
        layout_text.replace("</body>", "<p>页脚</p></body>"),
    )
    .unwrap();
    let laid_out = build("the layout edited");
    assert!(page(&laid_out, "villages/hengxi.html").contains("页脚"));
    fs::write(&layout, &layout_text).unwrap();
    build("the layout as it was");
    // A link to a static file not there yet, then the file: the link check sees the file.
    fs::write(
        site.path().join("content/attachment.md"),
        "+++\ntitle = \"附件\"\n+++\n[附件](files/note.txt)\n",
    )
    .unwrap();
    assert!(build("a link to a file not there").is_empty());
    fs::create_dir_all(site.path().join("static/files")).unwrap();
    fs::write(site.path().join("static/files/note.txt"), "说明").unwrap();
    build("the file added");
    // A page that fails to render fails the build; the pages made before it are kept for
    // the next build, which makes only the page mended.
    let before = build("before a template's mistake");
    let notes = site.path().join("content/data-notes.md");
    let notes_text = fs::read_to_string(&notes).unwrap();
    fs::write(
        &notes,
        format!("{notes_text}\n{{{{ chart(kind=\"pie\") }}}}\n"),
    )
    .unwrap();
    assert!(build("a chart without its data").is_empty());
    fs::write(&notes, &notes_text).unwrap();
    let after = build("the chart taken out");
    assert_eq!(
        bytes_of(&before, "villages/hengxi.html").as_ptr(),
        bytes_of(&after, "villages/hengxi.html").as_ptr(),
        "a page the mistake did not touch is reused, not made again"
    );
}

/// `check` renders its sample pages with a few records of each folder, and the records a
/// template names: a template naming the twelfth village is not a false error.
#[test]
fn check_samples_the_records_templates_name() {
    let site = copy_site(&fixture("small"));
    let villages = site.path().join("data/villages");
    let hengxi = fs::read_to_string(villages.join("hengxi.yaml")).unwrap();
    for n in 0..12 {
        let text = hengxi.replace("横溪村", &format!("第{n}村"));
        fs::write(villages.join(format!("v{n:02}.yaml")), text).unwrap();
    }
    let index = site.path().join("content/index.md");
    let before = fs::read_to_string(&index).unwrap();
    fs::write(
        &index,
        format!("{before}\n最后一个：{{{{ villages.v11.name }}}}。\n"),
    )
    .unwrap();
    let out = huibao(site.path(), &["check"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("17 个数据文件"), "{}", text(&out));
    // A record reached through a variable is not in the sample: tried again with all.
    let township = site.path().join("data/township.yaml");
    let township_text = fs::read_to_string(&township).unwrap();
    fs::write(&township, format!("{township_text}main: v11\n")).unwrap();
    fs::write(
        &index,
        format!("{before}\n主村：{{{{ villages[township.main].name }}}}。\n"),
    )
    .unwrap();
    let out = huibao(site.path(), &["check"]);
    assert!(out.status.success(), "{}", text(&out));
    fs::write(&township, &township_text).unwrap();
    // A name no file has is still an error.
    fs::write(&index, format!("{before}\n{{{{ villages.v99.name }}}}\n")).unwrap();
    let out = huibao(site.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let built = tempfile::tempdir().unwrap();
    fs::write(
        &index,
        format!("{before}\n最后一个：{{{{ villages.v11.name }}}}。\n"),
    )
    .unwrap();
    build_ok(site.path(), built.path());
    let home = fs::read_to_string(built.path().join("index.html")).unwrap();
    assert!(home.contains("最后一个：第11村"), "{home}");
}

/// A build makes each page's template values when the page needs them; the preview makes
/// them all first. Both give the same pages, nested folders and their lists included.
#[test]
fn a_build_makes_the_pages_the_preview_makes() {
    for from in [repo(), fixture("small")] {
        let site = copy_site(&from);
        let north = site.path().join("data/areas/north");
        fs::create_dir_all(&north).unwrap();
        fs::write(north.join("a.yaml"), "name: 甲\nx: 1.50\nparts: [1, 2.0]\n").unwrap();
        fs::write(north.join("b.yaml"), "name: 乙\nx: 2\n").unwrap();
        fs::write(
            site.path().join("content/areas.md"),
            "+++\ntitle = \"片区\"\n+++\n{% for a in areas.north_list %}{{ a.name }} {{ a.x }}；{% endfor %}\
             {{ areas.north.a.parts | sum | fig }}{% if areas_list is defined %}有{% else %}无{% endif %}\n",
        )
        .unwrap();
        let schema = site.path().join("data/schema.yaml");
        if schema.exists() {
            let text = fs::read_to_string(&schema).unwrap();
            let entry = "  areas/*/*.yaml:\n    label: 片区\n    fields:\n      name: {type: text, label: 名称}\n      x: {type: decimal, label: 数}\n      parts: {type: list, items: {type: decimal}, label: 部分, optional: true}\n";
            fs::write(
                &schema,
                text.replacen("files:\n", &format!("files:\n{entry}"), 1),
            )
            .unwrap();
        }
        let preview = huibao::render(site.path(), false, huibao::Compare::LastBuild)
            .unwrap_or_else(|e| panic!("{}: {e:?}", from.display()));
        let out = tempfile::tempdir().unwrap();
        build_ok(site.path(), out.path());
        let built = tree(out.path());
        for (path, bytes) in &preview.output.files {
            assert_eq!(
                built.get(path).map(Vec::as_slice),
                Some(&bytes[..]),
                "{}",
                path.display()
            );
        }
        let areas = String::from_utf8(built[std::path::Path::new("areas.html")].clone()).unwrap();
        assert!(areas.contains("甲") && areas.contains("乙"), "{areas}");
        // A folder of folders has no list form, in a build as in the preview.
        assert!(areas.contains("无") && !areas.contains("有"), "{areas}");
    }
}

/// A page of a folder's list is kept by the preview while the fields it reads are unchanged;
/// a record's name still names its figures, so renaming it makes the page again.
#[test]
fn preview_list_pages_follow_a_renamed_record() {
    let site = copy_site(&fixture("small"));
    let towns = site.path().join("data/towns");
    fs::create_dir_all(&towns).unwrap();
    fs::write(towns.join("a.yaml"), "name: 甲镇\npeople: 100\n").unwrap();
    fs::write(towns.join("b.yaml"), "name: 乙镇\npeople: 200\n").unwrap();
    fs::write(
        site.path().join("content/t.md"),
        "+++\ntitle = \"t\"\n+++\n{% for v in towns_list %}{{ rate(num=v.people, den=township.population, dp=2) }}；{% endfor %}\n",
    )
    .unwrap();
    let mut cache = huibao::BuildCache::default();
    let mut build = |what: &str| {
        let kept =
            huibao::render_cached(site.path(), false, huibao::Compare::LastBuild, &mut cache)
                .unwrap();
        let fresh = huibao::render(site.path(), false, huibao::Compare::LastBuild).unwrap();
        assert_eq!(kept.output.files, fresh.output.files, "{what}");
        let text = |m: &huibao::manifest::Manifest| String::from_utf8(m.to_bytes()).unwrap();
        assert_eq!(
            text(&kept.output.figures),
            text(&fresh.output.figures),
            "{what}"
        );
        text(&fresh.output.figures)
    };
    assert!(build("first").contains("甲镇"));
    fs::write(towns.join("a.yaml"), "name: 新甲镇\npeople: 100\n").unwrap();
    let renamed = build("renamed");
    assert!(renamed.contains("新甲镇"));
    // Each record's print is kept while its file is the same: the one changed is made
    // anew, whichever field changed, and so is the list's page when it reads that field.
    fs::write(towns.join("b.yaml"), "name: 乙镇\npeople: 250\n").unwrap();
    assert_ne!(build("a listed field changed"), renamed);
    fs::write(
        towns.join("a.yaml"),
        "name: 新甲镇\npeople: 100\nnote: 无\n",
    )
    .unwrap();
    build("a field not listed added");
    fs::write(towns.join("b.yaml"), "name: 乙镇\npeople: 200\n").unwrap();
    build("a listed field changed back");
    // A folder inside the folder: its files are in the list's records too.
    fs::create_dir_all(towns.join("east")).unwrap();
    fs::write(towns.join("east/c.yaml"), "name: 丙镇\npeople: 300\n").unwrap();
    build("a folder inside");
    fs::write(towns.join("east/c.yaml"), "name: 丙镇\npeople: 310\n").unwrap();
    build("a file of the folder inside changed");
    fs::remove_file(towns.join("a.yaml")).unwrap();
    build("a record removed");
}

/// The preview lists the page 「数据下载」's sheets with the pages and makes their files only
/// when one is asked for (a county's workbook takes seconds, a correction milliseconds):
/// made once per build, from that build's data.
#[test]
fn the_preview_makes_the_data_downloads_when_they_are_asked_for() {
    let site = copy_site(&repo());
    let mut cache = huibao::BuildCache::default();
    let workbook = "示例乡2020年脱贫攻坚工作情况汇报-数据.xlsx";
    let first =
        huibao::render_cached(site.path(), false, huibao::Compare::LastBuild, &mut cache).unwrap();
    let files: Vec<String> = first
        .output
        .files
        .iter()
        .map(|(p, _)| huibao::site_path::slashed(p))
        .collect();
    assert!(files.iter().any(|p| p == "downloads.html"), "{files:?}");
    assert!(
        !files
            .iter()
            .any(|p| p.ends_with(".xlsx") || p.starts_with("downloads/")),
        "no file made with the pages: {files:?}"
    );
    let offered = first.output.data_files.clone().expect("the data downloads");
    assert!(offered.offers(workbook) && offered.offers("downloads/村委会.csv"));
    assert!(!offered.offers("downloads/无.csv"));
    let made = offered.file(workbook).unwrap().expect("the workbook");
    let again = offered.file(workbook).unwrap().expect("the workbook");
    assert_eq!(made.as_ptr(), again.as_ptr(), "made once, then kept");
    let csv = offered
        .file("downloads/村委会.csv")
        .unwrap()
        .expect("a sheet");
    assert!(String::from_utf8_lossy(&csv).contains("hengxi,横溪村"));
    let file = site.path().join("data/villages/hengxi.yaml");
    let yaml = fs::read_to_string(&file).unwrap();
    fs::write(&file, yaml.replace("summary: ", "summary: 改过。")).unwrap();
    let changed =
        huibao::render_cached(site.path(), false, huibao::Compare::LastBuild, &mut cache).unwrap();
    let offered = changed.output.data_files.expect("the data downloads");
    let csv = offered
        .file("downloads/村委会.csv")
        .unwrap()
        .expect("a sheet");
    assert!(
        String::from_utf8_lossy(&csv).contains("改过。"),
        "made from the new data"
    );
    assert_ne!(offered.file(workbook).unwrap(), Some(made));
}

#[test]
fn a_static_file_where_a_table_download_goes_is_an_error() {
    let out = tempfile::tempdir().unwrap();
    build_ok(&fixture("small"), out.path());
    let csv = tree(out.path())
        .into_keys()
        .find(|p| p.to_string_lossy().ends_with(".table-1.csv"))
        .expect("a table download");
    let site = copy_site(&fixture("small"));
    let mine = site.path().join("static").join(&csv);
    fs::create_dir_all(mine.parent().unwrap()).unwrap();
    fs::write(&mine, "我的文件\n").unwrap();
    let said = build_fails(site.path());
    assert!(said.contains("static-collision"), "{said}");
    assert!(said.contains("表格下载文件"), "{said}");
    assert!(said.contains(&*csv.to_string_lossy()), "{said}");
    // `check`, which renders one sample page, says so too.
    let checked = huibao(site.path(), &["check"]);
    assert!(!checked.status.success(), "{}", text(&checked));
    assert!(
        text(&checked).contains("static-collision"),
        "{}",
        text(&checked)
    );
    // A table's number the page has not reached yet is the build's name too (a table added
    // to the page later would overwrite the file).
    let page = csv.to_string_lossy().replace(".table-1.csv", "");
    let later = site
        .path()
        .join("static")
        .join(format!("{page}.table-9.csv"));
    fs::rename(&mine, &later).unwrap();
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(english.contains("static-collision"), "{english}");
    assert!(
        english.contains(&format!("names like {page}.table-<n>.csv are kept")),
        "{english}"
    );
    // A name outside the pattern is the site's own (no page is named so, or no number).
    let unnumbered = site
        .path()
        .join("static")
        .join(format!("{page}.table-x.csv"));
    fs::rename(&later, &unnumbered).unwrap();
    build_ok(site.path(), tempfile::tempdir().unwrap().path());
    fs::rename(&unnumbered, &mine).unwrap();
    // With table downloads off, the static file is the site's.
    add_settings(site.path(), "[tables]\ncsv = false\n");
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    assert_eq!(
        fs::read_to_string(out.path().join(&csv)).unwrap(),
        "我的文件\n"
    );
}

/// A figure compared with `==`, `>` or `in` compares its text (a figure carries its
/// source): an error, located, that names the testers; the testers compare what it says.
#[test]
fn a_figure_compared_with_an_operator_is_an_error() {
    let site = checked_site();
    list_page(
        site.path(),
        "{% for v in villages_list %}{% if v.name == \"甲村\" %}甲{% endif %}{% if v.people == 4 %}四{% endif %}{% endfor %}\n{% if township.people in [10, 11] %}十{% endif %}\n",
    );
    let out = huibao(site.path(), &["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(
            "错误[template-compare] content/list.md:4:70: 模板用 == 比较数字「v.people」"
        ),
        "{said}"
    );
    assert!(
        said.contains(
            "错误[template-compare] content/list.md:5:7: 模板用 in 比较数字「township.people」"
        ),
        "{said}"
    );
    assert!(said.contains("is same_as(100)"), "{said}");
    // Text compares as text: not an error.
    assert!(!said.contains("「v.name」"), "{said}");
    list_page(
        site.path(),
        "{% for v in villages_list %}{% if v.people is same_as(4) %}四{% endif %}{% endfor %}\n",
    );
    let out = huibao(site.path(), &["check", "--deny-warnings"]);
    assert!(out.status.success(), "{}", text(&out));
    let public = tempfile::tempdir().unwrap();
    build_ok(site.path(), public.path());
    let page = page_text(&fs::read_to_string(public.path().join("list.html")).unwrap());
    assert!(page.contains('四'), "{page}");
}

/// The built-in layout's table of contents of a page lists its `##` and `###` headings
/// (`page.outline`), once there are three; the site's table of contents marks the section
/// of the current page open (`item.open`).
#[test]
fn a_page_lists_its_outline_and_the_site_toc_opens_its_section() {
    let site = copy_site(&fixture("small"));
    fs::write(
        site.path().join("content/outline.md"),
        "+++\ntitle = \"提纲\"\n+++\n## 甲\n\n### 乙\n\n#### 丙\n\n## 丁\n",
    )
    .unwrap();
    fs::write(
        site.path().join("content/short.md"),
        "+++\ntitle = \"短页\"\n+++\n## 甲\n\n#### 丙\n\n## 丁\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    let html = fs::read_to_string(out.path().join("outline.html")).unwrap();
    let start = html
        .find("<nav class=\"page-toc\"")
        .expect("a page table of contents");
    let toc = &html[start..start + html[start..].find("</nav>").unwrap()];
    let items: Vec<&str> = toc.lines().filter(|l| l.starts_with("<li")).collect();
    assert_eq!(items.len(), 3, "{toc}");
    for (item, (level, text)) in items.iter().zip([(2, "甲"), (3, "乙"), (2, "丁")]) {
        assert!(
            item.starts_with(&format!("<li class=\"level-{level}\"><a href=\"#")),
            "{item}"
        );
        assert!(item.contains(text), "{item}");
    }
    let short = fs::read_to_string(out.path().join("short.html")).unwrap();
    assert!(
        !short.contains("page-toc"),
        "two headings of those levels: no outline"
    );
    let village = fs::read_to_string(out.path().join("villages/hengxi.html")).unwrap();
    assert!(village.contains("<li class=\"open\"><a href=\"../villages/index.html\">"));
    let home = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(!home.contains("class=\"open\""), "{home}");
}

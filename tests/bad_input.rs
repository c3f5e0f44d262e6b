//! Bad input is normal input: every kind of broken data file gets a located message, a
//! non-zero exit and nothing published — never a panic.

mod common;

use common::*;
use std::fs;

/// (what, file bytes, expected code, expected location prefix)
fn cases() -> Vec<(&'static str, Vec<u8>, &'static str, &'static str)> {
    let deep = format!("a: {}1{}\n", "[".repeat(200), "]".repeat(200));
    let bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n";
    vec![
        (
            "syntax error",
            b"name: x\nregistered: {a: 1 b: 2}\n".to_vec(),
            "yaml-syntax",
            "data/villages/bad.yaml:2:",
        ),
        (
            // (The parser stops at the end of the file; the bracket is where it is.)
            "a bracket never closed",
            b"name: x\nregistered: [1, 2\n".to_vec(),
            "yaml-syntax",
            "data/villages/bad.yaml:2:13",
        ),
        (
            "tab indentation",
            b"name: x\nregistered:\n\thouseholds: 1\n".to_vec(),
            "yaml-tab",
            "data/villages/bad.yaml:3:1",
        ),
        (
            "duplicate key",
            b"name: x\nname: y\n".to_vec(),
            "yaml-duplicate-key",
            "data/villages/bad.yaml:2:1",
        ),
        (
            "GBK encoding",
            b"name: \xba\xe1\xcf\xaa\xb4\xe5\n".to_vec(),
            "encoding-not-utf8",
            "data/villages/bad.yaml:1:7",
        ),
        (
            "UTF-16",
            b"\xff\xfen\x00a\x00m\x00e\x00".to_vec(),
            "encoding-utf16",
            "data/villages/bad.yaml",
        ),
        (
            "binary file",
            vec![0x89, b'P', b'N', b'G', 0, 0, 0, 13],
            "encoding-binary",
            "data/villages/bad.yaml:1:",
        ),
        (
            "NUL byte",
            b"name: x\x00y\n".to_vec(),
            "encoding-binary",
            "data/villages/bad.yaml:1:8",
        ),
        (
            "alias bomb",
            bomb.as_bytes().to_vec(),
            "yaml-alias",
            "data/villages/bad.yaml:1:4",
        ),
        (
            "deep nesting",
            deep.into_bytes(),
            "yaml-depth",
            "data/villages/bad.yaml:1:",
        ),
        (
            "huge number",
            b"name: x\nn: 123456789012345678901234567890123456789\n".to_vec(),
            "yaml-number",
            "data/villages/bad.yaml:2:4",
        ),
        (
            "several documents",
            b"name: x\n---\nname: y\n".to_vec(),
            "yaml-documents",
            "data/villages/bad.yaml:2:1",
        ),
        (
            "top level not a mapping",
            b"- 1\n- 2\n".to_vec(),
            "data-not-mapping",
            "data/villages/bad.yaml:1:1",
        ),
        (
            "YAML tag",
            b"name: !!binary aGVsbG8=\n".to_vec(),
            "yaml-tag",
            "data/villages/bad.yaml:1:7",
        ),
        (
            "empty file",
            b"".to_vec(),
            "yaml-empty",
            "data/villages/bad.yaml",
        ),
        (
            "only a comment",
            b"# nothing yet\n".to_vec(),
            "yaml-empty",
            "data/villages/bad.yaml",
        ),
        (
            "reserved id",
            b"id: 3\nname: x\n".to_vec(),
            "data-reserved-key",
            "data/villages/bad.yaml:1:1",
        ),
    ]
}

#[test]
fn every_bad_input_is_refused_with_a_located_message() {
    for (what, bytes, code, location) in cases() {
        let site = copy_site(&fixture("small"));
        fs::write(site.path().join("data/villages/bad.yaml"), &bytes).unwrap();
        for lang in ["zh", "en"] {
            let output = huibao(site.path(), &["--lang", lang, "build"]);
            let said = text(&output);
            assert_eq!(output.status.code(), Some(1), "{what}: exit code\n{said}");
            assert!(
                said.contains(&format!("[{code}] {location}")),
                "{what} ({lang}): expected [{code}] {location}\n{said}"
            );
            assert!(!said.contains("panicked"), "{what}: {said}");
            assert!(
                !site.path().join("public").exists(),
                "{what}: something was published"
            );
            if code == "encoding-not-utf8" {
                // The line is shown as its writer sees it, not as mojibake.
                assert!(said.contains("1 | name: 横溪村"), "{what}: {said}");
            }
        }
    }
}

/// A data file's name templates cannot use is told what to do about it: a copy Windows
/// made (`hengxi - 副本.yaml`), a name with capitals or dashes (the name to give it), a
/// Chinese name (its pinyin, and the characters read one way of several), a file saved as
/// `.yml` where the schema describes `.yaml` files.
#[test]
fn a_data_file_s_name_is_told_what_to_write() {
    let cases = [
        (
            "hengxi - 副本.yaml",
            "错误[data-file-name] data/villages/hengxi - 副本.yaml: 文件或文件夹名「hengxi - 副本」不能在模板里使用",
            "「hengxi - 副本」像是复制出的副本：不需要就删去它",
            "looks like a copy Windows made",
        ),
        (
            "hengxi (2).yaml",
            "[data-file-name] data/villages/hengxi (2).yaml",
            "「hengxi (2)」像是复制出的副本",
            "looks like a copy Windows made",
        ),
        (
            "Xin-Zhuang.yaml",
            "[data-file-name] data/villages/Xin-Zhuang.yaml",
            "改名为「xin_zhuang」（小写字母、数字和下划线）",
            "rename it `xin_zhuang`",
        ),
        (
            "新庄.yaml",
            "[data-file-name] data/villages/新庄.yaml",
            "提示：按拼音改名为「xinzhuang」：文件名写成 xinzhuang.yaml，模板里读作 villages.xinzhuang；中文名写在文件里的 name: 中",
            "rename it `xinzhuang`, its pinyin: name the file xinzhuang.yaml, read in templates as villages.xinzhuang",
        ),
        (
            "长岭村.yaml",
            "[data-file-name] data/villages/长岭村.yaml",
            "按拼音改名为「zhangling」：文件名写成 zhangling.yaml，模板里读作 villages.zhangling；中文名写在文件里的 name: 中（按各字最常用的读音：读音不对就照实际读音改）",
            "(each character read the most usual way: if wrong, write the reading meant)",
        ),
        (
            "№5.yaml",
            "[data-file-name] data/villages/№5.yaml",
            "只用小写英文字母、数字和下划线",
            "use lowercase letters, digits and underscores only",
        ),
    ];
    for (name, zh_said, zh_hint, en_hint) in cases {
        let site = copy_site(&fixture("small"));
        fs::copy(
            site.path().join("data/villages/hengxi.yaml"),
            site.path().join("data/villages").join(name),
        )
        .unwrap();
        let output = huibao(site.path(), &["check"]);
        let said = text(&output);
        assert_eq!(output.status.code(), Some(1), "{name}: {said}");
        assert!(
            said.contains(zh_said) && said.contains(zh_hint),
            "{name}: {said}"
        );
        let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
        assert!(english.contains(en_hint), "{name}: {english}");
    }
    // A copy of a page: a warning, the build goes on.
    let site = copy_site(&fixture("small"));
    fs::copy(
        site.path().join("content/index.md"),
        site.path().join("content/index - 副本.md"),
    )
    .unwrap();
    let output = huibao(site.path(), &["check"]);
    let said = text(&output);
    assert!(output.status.success(), "{said}");
    assert!(
        said.contains("警告[content-copy] content/index - 副本.md: 「index - 副本」像是复制出的副本，会作为报告里的又一页发布"),
        "{said}"
    );
    // `.yml` for a schema's `.yaml`.
    let site = copy_site(&fixture("spreadsheet"));
    let villages = site.path().join("data/villages");
    let first = fs::read_dir(&villages)
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .min()
        .unwrap();
    let id = first.file_stem().unwrap().to_string_lossy().to_string();
    fs::rename(&first, first.with_extension("yml")).unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains(&format!(
            "错误[schema-no-entry] data/villages/{id}.yml: data/schema.yaml 描述的是 .yaml 文件，这个文件的扩展名是 .yml"
        )) && said.contains(&format!("把文件改名为 data/villages/{id}.yaml")),
        "{said}"
    );
}

#[test]
fn a_data_file_whose_extension_would_not_be_read_is_told_not_skipped() {
    // (Notepad with extensions hidden saves `hengxi.yaml.txt`; some programs write `.YAML`.)
    let cases = [
        (
            "hengxi.YAML",
            "错误[data-file-name] data/villages/hengxi.YAML: 文件名「hengxi.YAML」不以小写的 .yaml 结尾，这个数据文件不会被读入",
            "把文件改名为 data/villages/hengxi.yaml（",
            "rename the file data/villages/hengxi.yaml",
            true,
        ),
        (
            "hengxi.yaml.txt",
            "错误[data-file-name] data/villages/hengxi.yaml.txt: 文件名「hengxi.yaml.txt」不以小写的 .yaml 结尾",
            "把文件改名为 data/villages/hengxi.yaml（",
            "tick View → File name extensions",
            true,
        ),
        // A copy beside the file: the hint must not say to rename it over the other.
        (
            "hengxi.yml",
            "错误[data-file-name] data/villages/hengxi.yml: hengxi.yml 与 data/villages/hengxi.yaml 是同一个数据文件的两份，只能留一份",
            "已有 data/villages/hengxi.yaml：比较两者，保留正确的一份",
            "data/villages/hengxi.yaml is there too",
            false,
        ),
        (
            "hengxi.Yaml",
            "[data-file-name] data/villages/hengxi.Yaml: 文件名「hengxi.Yaml」不以小写的 .yaml 结尾",
            "已有 data/villages/hengxi.yaml",
            "compare the two",
            false,
        ),
    ];
    for (name, zh_said, zh_hint, en_hint, moved) in cases {
        let site = copy_site(&fixture("small"));
        let villages = site.path().join("data/villages");
        if moved {
            fs::rename(villages.join("hengxi.yaml"), villages.join(name)).unwrap();
        } else {
            fs::copy(villages.join("hengxi.yaml"), villages.join(name)).unwrap();
        }
        let output = huibao(site.path(), &["check"]);
        let said = text(&output);
        assert_eq!(output.status.code(), Some(1), "{name}: {said}");
        assert!(said.contains(zh_said), "{name}: {said}");
        assert!(said.contains(zh_hint), "{name}: {said}");
        let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
        assert!(english.contains(en_hint), "{name}: {english}");
    }
}

#[test]
fn a_data_file_named_in_capitals_is_told_the_name_templates_can_use() {
    let site = copy_site(&fixture("small"));
    let villages = site.path().join("data/villages");
    fs::rename(villages.join("hengxi.yaml"), villages.join("HENGXI.YAML")).unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("错误[data-file-name] data/villages/HENGXI.YAML:")
            && said.contains("把文件改名为 data/villages/hengxi.yaml（"),
        "{said}"
    );
}

#[test]
fn a_page_whose_name_would_not_be_read_is_told_not_skipped() {
    let site = copy_site(&repo());
    let policies = site.path().join("content/policies");
    fs::rename(policies.join("water.md"), policies.join("water.md.txt")).unwrap();
    fs::copy(policies.join("education.md"), policies.join("education.MD")).unwrap();
    fs::copy(policies.join("health.md"), policies.join("notes.markdown")).unwrap();
    let output = huibao(site.path(), &["check"]);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    for told in [
        "错误[content-file-name] content/policies/water.md.txt: 文件名「water.md.txt」不以小写的 .md 结尾，这个页面不会被读入\n  提示：把文件改名为 content/policies/water.md（",
        "错误[content-file-name] content/policies/education.MD: 文件名「education.MD」不以小写的 .md 结尾，这个页面不会被读入\n  提示：已有 content/policies/education.md：比较两者",
        "错误[content-file-name] content/policies/notes.markdown: 文件名「notes.markdown」不以小写的 .md 结尾，这个页面不会被读入\n  提示：把文件改名为 content/policies/notes.md（",
    ] {
        assert!(said.contains(told), "{told}: {said}");
    }
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains(
            "the file name `water.md.txt` does not end in lowercase .md: the page is not read"
        ),
        "{english}"
    );
}

#[test]
fn a_data_folder_renamed_is_one_error_naming_it() {
    // Renamed in the file manager (to keep last year's as a backup): said as that, not as
    // a missing schema and empty folders, by build (nothing published) and check alike.
    let site = copy_site(&repo());
    fs::rename(site.path().join("data"), site.path().join("data - 副本")).unwrap();
    for command in ["check", "build"] {
        let output = huibao(site.path(), &[command]);
        let said = text(&output);
        assert_eq!(output.status.code(), Some(1), "{said}");
        assert!(
            said.contains("错误[data-folder-missing] data - 副本: 站点里没有 data 文件夹：数据文件要放在 data 里；「data - 副本」里有 schema.yaml，像是改了名的 data 文件夹\n  提示：把「data - 副本」改回 data")
                && said.contains("共 1 个错误"),
            "{said}"
        );
    }
    assert!(!site.path().join("public").exists());
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english
            .contains("`data - 副本` holds a schema.yaml and looks like the data folder renamed"),
        "{english}"
    );
    fs::rename(site.path().join("data - 副本"), site.path().join("data")).unwrap();
    assert!(huibao(site.path(), &["check"]).status.success());
}

#[test]
fn a_backup_folder_is_one_problem_not_one_a_file() {
    let site = copy_site(&repo());
    let villages = site.path().join("data/villages");
    let backup = villages.join("备份");
    fs::create_dir(&backup).unwrap();
    let mut copied = 0;
    for entry in fs::read_dir(&villages).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            fs::copy(&path, backup.join(path.file_name().unwrap())).unwrap();
            copied += 1;
        }
    }
    // A copied folder of pages: published as one more part of the report, so warned of.
    let content = site.path().join("content");
    let copy = content.join("policies - 副本");
    fs::create_dir(&copy).unwrap();
    let mut pages = 0;
    for entry in fs::read_dir(content.join("policies")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, copy.join(path.file_name().unwrap())).unwrap();
        pages += 1;
    }
    let output = huibao(site.path(), &["check"]);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!("错误[data-file-name] data/villages/备份: 「备份」像是备份或复制出的文件夹：里面的 {copied} 个文件不会当作数据读入\n  提示：不需要就删去它；要留作备份，移到站点文件夹以外"))
            && said.contains(&format!("警告[content-copy] content/policies - 副本: 「policies - 副本」像是备份或复制出的文件夹：里面的 {pages} 个文件会作为报告里又一组页面发布")),
        "{said}"
    );
    // One error in all: not one a file, nor the files read as more villages.
    assert!(said.contains("共 1 个错误，1 个警告"), "{said}");
    fs::remove_dir_all(&backup).unwrap();
    let output = huibao(site.path(), &["check"]);
    assert!(output.status.success(), "{}", text(&output));
    // A folder so named that the schema describes is the site's own.
    let merged = site.path().join("data/villages_old");
    fs::create_dir(&merged).unwrap();
    fs::write(merged.join("nanshan.yaml"), "name: 南山村\n").unwrap();
    let without = text(&huibao(site.path(), &["check"]));
    assert!(
        without.contains("「villages_old」像是备份或复制出的文件夹"),
        "{without}"
    );
    edit(
        site.path(),
        "data/schema.yaml",
        "\nfiles:\n",
        "\nfiles:\n  villages_old/*.yaml:\n    label: 撤并村\n    fields:\n      name: {type: text, label: 村名}\n",
    );
    let output = huibao(site.path(), &["check"]);
    assert!(output.status.success(), "{}", text(&output));

    let denied = huibao(site.path(), &["check", "--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(1), "{}", text(&denied));
}

#[test]
fn settings_saved_in_gbk_are_told_where_and_how_to_save_them() {
    let site = copy_site(&fixture("small"));
    let settings = site.path().join("huibao.toml");
    let written = fs::read_to_string(&settings).unwrap();
    // 横溪 in GBK, as Notepad or WPS on Chinese Windows may save it.
    let mut bytes = b"# \xBA\xE1\xCF\xAA\n".to_vec();
    bytes.extend_from_slice(written.as_bytes());
    fs::write(&settings, bytes).unwrap();
    let output = huibao(site.path(), &["check"]);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[encoding-not-utf8] huibao.toml:1:3: 文件不是 UTF-8 编码"),
        "{said}"
    );
    assert!(said.contains("编码选 UTF-8 后保存"), "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(english.contains("pick the UTF-8 encoding"), "{english}");
}

/// Run in a folder of the site (`content/`), huibao finds no settings there: it says so in
/// Chinese and names the site folder above; elsewhere, how to name a site.
#[test]
fn run_inside_a_folder_of_the_site_it_names_the_site_above() {
    let site = copy_site(&fixture("small"));
    let output = huibao(&site.path().join("content"), &["check"]);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    let above = std::path::absolute(site.path()).unwrap();
    assert!(
        said.contains("错误[config-missing] huibao.toml: 读不到站点配置文件 ./huibao.toml：找不到这个文件或文件夹（")
            && said.contains(&format!("提示：站点文件夹是上面的 {}：到那里运行", above.display())),
        "{said}"
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let said = text(&huibao(elsewhere.path(), &["check"]));
    assert!(said.contains("用 --site 指定站点文件夹"), "{said}");
}

/// An output folder that would overwrite the site's own files — the site folder itself or
/// one of its sources — is refused before anything is written: by `check` and `build` at the
/// settings' `output_dir` line, by `build --out` naming the folder.
#[test]
fn an_output_folder_over_the_site_s_own_files_is_refused_where_it_is_set() {
    let site = copy_site(&fixture("small"));
    let settings = site.path().join("huibao.toml");
    let written = fs::read_to_string(&settings).unwrap();
    let before = tree(site.path());
    for folder in [".", "content", "./data/"] {
        fs::write(&settings, format!("output_dir = \"{folder}\"\n{written}")).unwrap();
        for command in ["check", "build"] {
            let output = huibao(site.path(), &[command]);
            let said = text(&output);
            assert_eq!(output.status.code(), Some(1), "{command} {folder}: {said}");
            assert!(
                said.contains(&format!(
                    "错误[output-dir] huibao.toml:1:14: 输出文件夹 {folder} 会覆盖站点自己的文件"
                )) && said.contains("提示：输出到单独的文件夹：写成 output_dir = \"public\""),
                "{command} {folder}: {said}"
            );
        }
    }
    fs::write(&settings, &written).unwrap();
    let said = text(&huibao(site.path(), &["build", "--out", "static"]));
    assert!(
        said.contains("错误[output-dir] static: 输出文件夹 static 会覆盖站点自己的文件"),
        "{said}"
    );
    assert_eq!(tree(site.path()), before, "nothing written");
}

/// A title left out or left blank, in the settings or a page's front matter: located, with
/// the line to write; never a page of no name.
#[test]
fn a_title_left_out_or_blank_is_told_where_to_write_it() {
    let site = copy_site(&fixture("small"));
    let settings = site.path().join("huibao.toml");
    let index = site.path().join("content/index.md");
    let (written, page) = (
        fs::read_to_string(&settings).unwrap(),
        fs::read_to_string(&index).unwrap(),
    );
    let cases = [
        (
            &settings,
            written.replace("title = \"测试乡工作汇报\"", "title = \" \""),
            "错误[config-invalid] huibao.toml:1:9: title 是空的",
            "提示：在引号里写上报告的标题",
        ),
        (
            &settings,
            written.replace("title = \"测试乡工作汇报\"\n", ""),
            "站点配置有误：缺少必须写的设置「title」",
            "提示：加上一行 title = \"标题\"",
        ),
        (
            &index,
            page.replace("title = \"测试报告\"", "title = \"\""),
            "错误[front-matter] content/index.md:2:9: title 是空的：这一页在目录里会没有名字",
            "提示：在引号里写上标题",
        ),
        (
            &index,
            page.replace("title = \"测试报告\"\n", ""),
            "前言有误：缺少必须写的设置「title」",
            "提示：加上一行 title = \"标题\"",
        ),
    ];
    for (file, text_now, said_zh, hint) in cases {
        fs::write(file, text_now).unwrap();
        let output = huibao(site.path(), &["check"]);
        let said = text(&output);
        assert_eq!(output.status.code(), Some(1), "{said}");
        assert!(said.contains(said_zh) && said.contains(hint), "{said}");
        let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
        assert!(
            english.contains("title is blank")
                || english.contains("the setting `title` must be there"),
            "{english}"
        );
        fs::write(&settings, &written).unwrap();
        fs::write(&index, &page).unwrap();
    }
}

/// A language written as a name (`中文`), not a tag, would make pages of no language with
/// huibao's words in English: an error at the value, with the tag meant.
#[test]
fn a_language_written_as_its_name_is_told_the_tag() {
    let site = copy_site(&fixture("small"));
    let settings = site.path().join("huibao.toml");
    let written = fs::read_to_string(&settings).unwrap();
    for (language, meant) in [("中文", "zh-CN"), ("English", "en"), ("zh_CN", "zh-CN")] {
        let line = written.lines().count() + 1;
        fs::write(&settings, format!("{written}language = \"{language}\"\n")).unwrap();
        let output = huibao(site.path(), &["check"]);
        let said = text(&output);
        assert_eq!(output.status.code(), Some(1), "{said}");
        assert!(
            said.contains(&format!(
                "错误[config-invalid] huibao.toml:{line}:12: language 要写语言代码（如 zh-CN），「{language}」不是"
            )) && said.contains(&format!("提示：写成 language = \"{meant}\"")),
            "{said}"
        );
        let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
        assert!(
            english.contains("language takes a language tag"),
            "{english}"
        );
    }
    for tag in ["zh-CN", "zh-Hans-CN", "en", "bo"] {
        fs::write(&settings, format!("{written}language = \"{tag}\"\n")).unwrap();
        let output = huibao(site.path(), &["check"]);
        assert!(output.status.success(), "{tag}: {}", text(&output));
    }
}

#[test]
fn a_system_error_is_said_in_chinese_with_the_system_s_words_after() {
    let site = copy_site(&fixture("small"));
    fs::write(site.path().join("afile"), "").unwrap();
    let output = huibao(site.path(), &["build", "--out", "afile/pub"]);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[write] afile: 创建文件夹失败：已有同名的文件或文件夹（"),
        "{said}"
    );
    let english = text(&huibao(
        site.path(),
        &["--lang", "en", "build", "--out", "afile/pub"],
    ));
    assert!(english.contains("error[write] afile: "), "{english}");
    assert!(!english.contains("已有同名"), "{english}");
}

/// A part of a template named as a page (`content/parts/row.md`, included by another
/// file) is told to be renamed with a leading `_`, not to be given a title; it is one error,
/// not its variables' too (they are read where it is included).
#[test]
fn a_partial_named_without_underscore_is_told_to_be_renamed() {
    let site = copy_site(&fixture("small"));
    let parts = site.path().join("content/parts");
    fs::create_dir_all(&parts).unwrap();
    fs::write(
        parts.join("row.md"),
        "| [{{ v.name }}]({{ v.id }}.md) | {{ v.registered.households | fig(unit=\"户\") }} |\n",
    )
    .unwrap();
    let index = site.path().join("content/villages/index.md");
    let text_before = fs::read_to_string(&index).unwrap();
    fs::write(
        &index,
        text_before.replace(
            "| [{{ v.name }}]({{ v.id }}.md) | {{ v.registered.households | fig(unit=\"户\") }} |\n",
            "{% include \"parts/row.md\" %}",
        ),
    )
    .unwrap();
    let output = huibao(site.path(), &["check"]);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[front-matter] content/parts/row.md:1:1")
            && said.contains("提示：content/villages/index.md 用 {% include %} 引入了它：它是模板的一部分，不是一页。把文件改名为 content/parts/_row.md"),
        "{said}"
    );
    assert_eq!(said.matches("错误[").count(), 1, "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains("Rename it content/parts/_row.md"),
        "{english}"
    );
}

#[test]
fn a_generator_s_front_matter_is_told_at_the_key_with_what_it_meant() {
    let front = |site: &std::path::Path, lines: &str| {
        let file = site.join("content/villages/_village.md");
        let text = fs::read_to_string(&file).unwrap();
        let body = text.splitn(3, "+++\n").nth(2).unwrap().to_string();
        fs::write(&file, format!("+++\n{lines}+++\n{body}")).unwrap();
    };
    let site = copy_site(&fixture("small"));
    // A folder misspelt: at its value, with the folder meant.
    front(
        site.path(),
        "title = \"村委会\"\ngenerate = \"village\"\nas = \"village\"\n",
    );
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("错误[generate-folder] content/villages/_village.md:3:12: generate = \"village\"：data/village 下没有数据文件")
            && said.contains("是不是 generate = \"villages\"？"),
        "{said}"
    );
    // An `as` that is no name, or a name taken: one error each, with what to write (the
    // template's reads of the record are not told too).
    for (name, why) in [
        ("村", "变量名只能用英文字母、数字和下划线"),
        (
            "villages",
            "「villages」已经是 huibao 的 page、site 或数据的顶层名称",
        ),
    ] {
        front(
            site.path(),
            &format!("title = \"村委会\"\ngenerate = \"villages\"\nas = \"{name}\"\n"),
        );
        let said = text(&huibao(site.path(), &["check"]));
        assert!(
            said.contains(&format!(
                "错误[generate-as] content/villages/_village.md:4:6: as = \"{name}\" 不能用：{why}"
            )) && said.contains("提示：写一个英文名字，如 as = \"village\""),
            "{said}"
        );
        assert_eq!(said.matches("错误[").count(), 1, "{said}");
    }
    // A folder written as a path: the name meant.
    for written in ["data/villages", "villages/*.yaml"] {
        front(
            site.path(),
            &format!("title = \"村委会\"\ngenerate = \"{written}\"\nas = \"village\"\n"),
        );
        let said = text(&huibao(site.path(), &["check"]));
        assert!(
            said.contains(&format!("错误[generate-folder] content/villages/_village.md:3:12: generate = \"{written}\"：不是数据文件夹的名字"))
                && said.contains("不写 data/ 和 *.yaml：写成 generate = \"villages\""),
            "{said}"
        );
    }
    // A title field no record has: once, where it is named — not once for each record.
    front(
        site.path(),
        "title = \"村委会\"\ngenerate = \"villages\"\nas = \"village\"\ntitle_field = \"nmae\"\n",
    );
    let output = huibao(site.path(), &["check"]);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[generate-title] content/villages/_village.md:5:15: title_field = \"nmae\"：这个文件夹的记录都没有文本字段「nmae」")
            && said.contains("是不是 title_field = \"name\"？"),
        "{said}"
    );
    assert_eq!(said.matches("[generate-title]").count(), 1, "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains("did you mean title_field = \"name\"?"),
        "{english}"
    );
    // A name the template cannot use for the record: at `as`.
    front(
        site.path(),
        "title = \"村委会\"\ngenerate = \"villages\"\nas = \"page\"\n",
    );
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("错误[generate-as] content/villages/_village.md:4:6: as = \"page\" 不能用"),
        "{said}"
    );
}

#[test]
fn bom_and_crlf_are_accepted() {
    let site = copy_site(&fixture("small"));
    fs::write(
        site.path().join("data/villages/hengxi.yaml"),
        "\u{feff}name: 横溪村\r\nregistered:\r\n  households: 78\r\n  people: 270\r\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    let page = page_text(&fs::read_to_string(out.path().join("villages/hengxi.html")).unwrap());
    assert!(page.contains("横溪村有建档立卡贫困户78户"), "{page}");
}

#[test]
fn a_symlink_loop_in_data_is_reported() {
    let site = copy_site(&fixture("small"));
    std::os::unix::fs::symlink("..", site.path().join("data/villages/loop")).unwrap();
    let output = huibao(site.path(), &["check"]);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(
        said.contains("[file-unreadable] data/villages/loop"),
        "{said}"
    );
    assert!(said.contains("符号链接形成了循环"), "{said}");
}

#[test]
fn several_bad_files_are_all_reported() {
    let site = copy_site(&fixture("small"));
    fs::write(site.path().join("data/villages/a.yaml"), "name: [\n").unwrap();
    fs::write(
        site.path().join("data/villages/b.yaml"),
        "name: x\nname: y\n",
    )
    .unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("data/villages/a.yaml") && said.contains("data/villages/b.yaml"),
        "{said}"
    );
    assert!(said.contains("共 2 个错误"), "{said}");
}

#[test]
fn a_missing_site_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = huibao(dir.path(), &["build"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output).contains("[config-missing]"),
        "{}",
        text(&output)
    );
}

#[test]
fn a_broken_link_in_data_is_an_unreadable_path() {
    let site = copy_site(&fixture("small"));
    std::os::unix::fs::symlink(
        "/nonexistent/huibao/x.yaml",
        site.path().join("data/villages/gone.yaml"),
    )
    .unwrap();
    let output = huibao(site.path(), &["build"]);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(
        said.contains("[file-unreadable] data/villages/gone.yaml"),
        "{said}"
    );
    assert!(!site.path().join("public").exists());
}

#[test]
fn a_closed_output_pipe_is_not_a_crash() {
    // `huibao diff | head`: the reader goes away; huibao must not panic (exit 101).
    let site = copy_site(&repo());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_huibao"))
        .args(["check", "--format", "json"])
        .current_dir(site.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_ne!(
        output.status.code(),
        Some(101),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_template_helper_error_speaks_the_chosen_language() {
    let site = copy_site(&repo());
    let index = site.path().join("content/index.md");
    let text_before = fs::read_to_string(&index).unwrap();
    fs::write(
        &index,
        format!("{text_before}\n{{{{ township.population | fig(unit=3) }}}}\n"),
    )
    .unwrap();
    let zh = text(&huibao(site.path(), &["check"]));
    assert!(zh.contains("模板错误：fig：unit 要写成文本"), "{zh}");
    assert!(!zh.contains("must be text"), "{zh}");
    let en = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        en.contains("template error: fig: `unit` must be text"),
        "{en}"
    );
    assert!(!en.contains("要写成文本"), "{en}");
}

/// A front matter fence typed with full-width plus signs (`＋＋＋`, a Chinese keyboard's) is
/// told at its line with what to type; one never closed is said so; a fence with spaces
/// after it is a fence.
#[test]
fn front_matter_fences_typed_full_width_or_left_open_are_told_at_their_line() {
    let front = "+++\ntitle = \"饮水安全\"\nweight = 40\nnumber_headings = true\n+++\n";
    for (written, at, zh, en) in [
        (
            front.replacen("+++", "＋＋＋", 1),
            "1:1",
            "「＋＋＋」里有全角的加号「＋」：前言的首尾两行要写半角的 +++",
            "`＋＋＋` has full-width plus signs",
        ),
        (
            front.replace("true\n+++", "true\n+＋+"),
            "5:1",
            "「+＋+」里有全角的加号「＋」",
            "the front matter's fences are half-width +++",
        ),
        (
            front.replace("true\n+++\n", "true\n"),
            "1:1",
            "前言以 +++ 开头，却没有结束的 +++",
            "the front matter opens with +++ but is never closed with +++",
        ),
    ] {
        let site = copy_site(&repo());
        edit(site.path(), "content/policies/water.md", front, &written);
        let said = text(&huibao(site.path(), &["check"]));
        assert!(
            said.contains(&format!(
                "错误[front-matter] content/policies/water.md:{at}: {zh}"
            )),
            "{written}\n{said}"
        );
        assert_eq!(said.matches("错误[").count(), 1, "{said}");
        let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
        assert!(english.contains(en), "{english}");
    }
    // Spaces after a fence: a fence.
    let site = copy_site(&repo());
    edit(
        site.path(),
        "content/policies/water.md",
        front,
        &front.replace("+++\n", "+++  \n"),
    );
    let out = huibao(site.path(), &["check"]);
    assert!(out.status.success(), "{}", text(&out));
}

/// Front matter written in YAML between `---` lines (as Hugo and Jekyll allow) is refused
/// with how to write it for huibao, at line 1 of the file, in Chinese and in English — and
/// the home page it belongs to is not said to be missing. Without a content/index.md, it is.
#[test]
fn front_matter_in_yaml_is_told_how_to_write_and_the_home_page_is_not_said_missing() {
    let site = copy_site(&repo());
    edit(
        site.path(),
        "content/index.md",
        "+++\ntitle = \"示例乡2020年脱贫攻坚工作情况汇报\"\nweight = 0\nnumber_headings = true\n+++",
        "---\ntitle: 示例乡2020年脱贫攻坚工作情况汇报\n---",
    );
    let output = huibao(site.path(), &["check"]);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[front-matter] content/index.md:1:1: 前言用 --- 包起来（YAML 写法）")
            && said.contains("把首尾两行 --- 改成 +++"),
        "{said}"
    );
    assert!(!said.contains("home-missing"), "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains("the front matter is between --- lines (YAML)")
            && english.contains("change both --- lines to +++"),
        "{english}"
    );
    assert!(!english.contains("home-missing"), "{english}");
    // Nothing is published.
    assert_eq!(huibao(site.path(), &["build"]).status.code(), Some(1));
    assert!(!site.path().join("public").exists());

    fs::remove_file(site.path().join("content/index.md")).unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("错误[home-missing] content/index.md: 站点没有首页 content/index.md"),
        "{said}"
    );
}

/// Full-width characters typed inside a template's tags on a Chinese keyboard — quotes,
/// the filter's bar, brackets, the equals sign, a comma, a space — are each named with the
/// half-width one to type, at the tag, in Chinese and in English; inside quotes they are
/// text, and right.
#[test]
fn full_width_characters_in_a_tag_are_named_with_their_half_width() {
    let cases = [
        (
            r#"{{ extra["户数"] | fig(unit=“户”) }}"#,
            "5:27",
            "「“」",
            "「\"」",
            "`“`",
        ),
        (
            r#"{{ extra["户数"] ｜ fig(unit="户") }}"#,
            "5:16",
            "「｜」",
            "「|」",
            "`｜`",
        ),
        (
            r#"{{ extra["户数"] | fig(unit="户"） }}"#,
            "5:30",
            "「）」",
            "「)」",
            "`）`",
        ),
        (
            r#"{{ extra["户数"] | fig(unit＝"户") }}"#,
            "5:22",
            "「＝」",
            "「=」",
            "`＝`",
        ),
        (
            r#"{{ extra["户数"] | fig(unit="户"，dp=0) }}"#,
            "5:30",
            "「，」",
            "「,」",
            "`，`",
        ),
    ];
    for (body, at, typed, half, english) in cases {
        let site = one_page_site("户数: 12\n", body);
        let output = huibao(site.path(), &["check"]);
        let said = text(&output);
        assert_eq!(output.status.code(), Some(1), "{body}: {said}");
        assert!(
            said.contains(&format!("错误[template] content/index.md:{at}:"))
                && said.contains(&format!("里的{typed}是全角字符，模板只认半角的{half}")),
            "{body}: {said}"
        );
        let said = text(&huibao(site.path(), &["--lang", "en", "check"]));
        assert!(
            said.contains(&format!(
                "the {english} inside {{{{ }}}} or {{% %}} is a full-width character"
            )),
            "{body}: {said}"
        );
    }
    // Chinese text without quotes where a value is wanted: quote it, or read it as a key.
    let site = one_page_site("户数: 12\n", r#"{{ extra["户数"] | fig(unit=户) }}"#);
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("错误[template] content/index.md:5:27:")
            && said.contains("「户」不是变量名")
            && said.contains("写成 \"户\""),
        "{said}"
    );
    let site = one_page_site("户数: 12\n", "{%\u{3000}if true %}是{% endif %}");
    let said = text(&huibao(site.path(), &["check"]));
    assert!(said.contains("里有全角空格「　」"), "{said}");
    // Full-width brackets inside quotes are the unit's text.
    let site = one_page_site("户数: 12\n", r#"{{ extra["户数"] | fig(unit="（户）") }}"#);
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    let page = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(page.contains(">12（户）</span>"), "{page}");
}

/// A tag opened with full-width braces or percent signs is no tag: the page would show it
/// as typed, so each is warned about where it is (the build goes on).
/// A tag left open (`{{ name }`, `{% endif`) is said so, at its opening when Tera finds it
/// lines later, and not taken for a full-width slip in the text that follows it.
#[test]
fn a_tag_left_open_is_said_so_where_it_opens() {
    let cases = [
        // One `}` for two, full-width text after it: the `}` is where Tera stopped.
        (
            "{{ extra[\"户数\"] }；共计{{ extra[\"户数\"] }}户",
            "5:16",
            "这个「{{」没有配对的「}}」",
            "this `{{` has no matching `}}`",
        ),
        // An `endif` left open, found by Tera two lines later: said where it opens.
        (
            "{% if extra[\"户数\"] > 1 %}多{% endif\n\n说明：共计{{ extra[\"户数\"] }}户",
            "5:26",
            "这个「{%」没有配对的「%}」",
            "this `{%` has no matching `%}`",
        ),
    ];
    for (body, at, zh, en) in cases {
        let site = one_page_site("户数: 12\n", body);
        let output = huibao(site.path(), &["check"]);
        let said = text(&output);
        assert_eq!(output.status.code(), Some(1), "{body}: {said}");
        assert!(
            said.contains(&format!("错误[template] content/index.md:{at}:")),
            "{body}: {said}"
        );
        assert!(said.contains(zh), "{body}: {said}");
        assert!(!said.contains("全角字符"), "{body}: {said}");
        let said = text(&huibao(site.path(), &["--lang", "en", "check"]));
        assert!(said.contains(en), "{body}: {said}");
    }
}

#[test]
fn markdown_typed_on_a_chinese_keyboard_is_warned_about_where_it_is() {
    // Body lines start at line 5 (after the front matter and a blank line).
    let body = "##乡村医疗卫生机构\n\
                ＃＃ 家庭医生签约服务\n\
                详见[更正说明]（corrections.md）和【数据下载】(downloads.html)。\n\
                \n\
                | 项目 | 人数 |\n\
                |---|---:|\n\
                ｜ 坐诊村卫生室 | 5 |\n\
                \n\
                【典型案例】（一）与 [注] （见附件）不是链接；# 标签 与 {# 注释 #} 也不是。\n\
                ```\n\
                ##代码里的不算\n\
                ```\n\
                ## 写对的标题";
    let site = one_page_site("户数: 12\n", body);
    let output = huibao(site.path(), &["check"]);
    let said = text(&output);
    assert!(output.status.success(), "{said}");
    for told in [
        "警告[markdown-full-width] content/index.md:5:1: 「##」后面没有空格，不是标题",
        "提示：在「##」后加一个空格：写成 ## 乡村医疗卫生机构",
        "警告[markdown-full-width] content/index.md:6:1: 「＃＃」是全角井号",
        "写成 ## 家庭医生签约服务",
        "警告[markdown-full-width] content/index.md:7:3: 「[更正说明]（corrections.md）」的括号用了全角，不是链接",
        "写成 [更正说明](corrections.md)",
        "警告[markdown-full-width] content/index.md:7:26: 「【数据下载】(downloads.html)」",
        "写成 [数据下载](downloads.html)",
        "警告[markdown-full-width] content/index.md:11:1: 表格的竖线用了全角「｜」",
    ] {
        assert!(said.contains(told), "{told}: {said}");
    }
    assert_eq!(said.matches("[markdown-full-width]").count(), 5, "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains("no space after `##`: it is no heading"),
        "{english}"
    );
}

/// A space in a link's target unmakes the link (Markdown shows it as typed): warned of at
/// the link with what to write; a title after the target, `<…>` and a tag are left alone.
#[test]
fn a_space_in_a_link_s_target_is_warned_about() {
    let body = "见[饮水](index.md#饮水 安全)与[附件](files/年度 报告.pdf)。\n\
                [对](index.md \"标题\") [对](<年度 报告.pdf>) [对]({{ \"index\" }}.md)\n\
                [不是链接](见 附件)";
    let site = one_page_site("户数: 12\n", body);
    fs::create_dir_all(site.path().join("static")).unwrap();
    fs::write(site.path().join("static/年度 报告.pdf"), "%PDF").unwrap();
    let output = huibao(site.path(), &["check"]);
    let said = text(&output);
    assert!(output.status.success(), "{said}");
    for told in [
        "警告[markdown-full-width] content/index.md:5:2: 「[饮水](index.md#饮水 安全)」的链接地址里有空格，不是链接",
        "提示：锚点写标题的 id，空格写成 -：[饮水](index.md#饮水-安全)",
        "警告[markdown-full-width] content/index.md:5:23: 「[附件](files/年度 报告.pdf)」",
        "把地址写在尖括号里：[附件](<files/年度 报告.pdf>)",
    ] {
        assert!(said.contains(told), "{told}: {said}");
    }
    assert_eq!(said.matches("的链接地址里有空格").count(), 2, "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains("holds a space: it is no link"),
        "{english}"
    );
}

/// A table whose rows do not match its header loses figures or shows as typed, silently in
/// Markdown: each such row is warned of at its line; a filter's `|` inside a tag is no cell.
#[test]
fn a_table_row_that_does_not_match_its_header_is_warned_about() {
    let body = "| 项目 | 户数 | 人数 |\n\
                |---|---:|---:|\n\
                | 全乡 | {{ extra[\"户数\"] | fig(unit=\"户\") }} | 36 | 9 |\n\
                | 短 | 1 |\n\
                | 对 | {{ extra[\"户数\"] | fig }} | 3 \\| 4 |\n\
                \n\
                | a | b | c |\n\
                |---|---:|\n\
                | 1 | 2 | 3 |\n\
                ```\n\
                | 代码 | 里的 |\n\
                |---|\n\
                ```";
    let site = one_page_site("户数: 12\n", body);
    let output = huibao(site.path(), &["check"]);
    let said = text(&output);
    assert!(output.status.success(), "{said}");
    for told in [
        "警告[markdown-table] content/index.md:7:1: 这一行有 4 格，表头只有 3 列：多出的 1 格不会显示",
        "警告[markdown-table] content/index.md:8:1: 这一行只有 2 格，表头有 3 列：缺的格会是空的",
        "警告[markdown-table] content/index.md:12:1: 表头有 3 列，下面的分隔行（---）有 2 列：这不是表格",
        "提示：分隔行写成表头的列数，每列一个 ---：|---|---|---|",
    ] {
        assert!(said.contains(told), "{told}: {said}");
    }
    assert_eq!(said.matches("[markdown-table]").count(), 3, "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(english.contains("the 1 past it are not shown"), "{english}");
}

/// A heading numbered by hand on a page whose headings are numbered (`number_headings`)
/// would show two numbers: warned of at the number typed; not on a page that numbers none.
#[test]
fn a_heading_numbered_by_hand_and_again_is_warned_about() {
    let site = one_page_site(
        "户数: 12\n",
        "## 一、就医保障\n\n### （二）乡村医疗\n\n## 2020年工作",
    );
    let said = text(&huibao(site.path(), &["check"]));
    assert!(!said.contains("heading-numbered"), "{said}");
    let index = site.path().join("content/index.md");
    let page = fs::read_to_string(&index).unwrap();
    fs::write(
        &index,
        page.replace("+++\n\n", "number_headings = true\n+++\n\n"),
    )
    .unwrap();
    let output = huibao(site.path(), &["build"]);
    let said = text(&output);
    assert!(output.status.success(), "{said}");
    assert!(
        said.contains(
            "警告[heading-numbered] content/index.md:6:4: 标题已写了编号「一、」，又会自动编号"
        ) && said.contains("警告[heading-numbered] content/index.md:8:5: 标题已写了编号「（二）」")
            && said.contains(
                "提示：删去手写的「一、」；若要自己编号，在前言里写 number_headings = false"
            ),
        "{said}"
    );
    assert_eq!(said.matches("[heading-numbered]").count(), 2, "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(english.contains("numbered by hand"), "{english}");
}

#[test]
fn a_tag_opened_with_full_width_braces_is_an_error() {
    // The page would show `｛｛ extra["户数"] ｝｝` where the figure belongs: not published.
    let site = one_page_site("户数: 12\n", "｛｛ extra[\"户数\"] ｝｝ 和 {％ if true ％}");
    let output = huibao(site.path(), &["check"]);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(
        said.contains(
            "错误[template-full-width] content/index.md:5:1: 「｛｛」用了全角括号或百分号"
        ) && said.contains("错误[template-full-width] content/index.md:5:21: 「{％」"),
        "{said}"
    );
    assert_eq!(said.matches("[template-full-width]").count(), 2, "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains("`｛｛` is typed with a full-width brace or percent sign"),
        "{english}"
    );
}

/// The usual slips in `huibao.toml` and in a page's front matter (both TOML) are said in
/// Chinese with what to write: a misspelt key and a value not allowed get the closest of
/// those allowed, a text without quotes its quoted form.
#[test]
fn mistakes_in_the_settings_and_the_front_matter_say_what_to_write() {
    let site = one_page_site("户数: 12\n", "值");
    let cases = [
        (
            "title = \"示例乡\"脱贫攻坚\"汇报\"\n",
            "错误[config-invalid] huibao.toml:1:14: 站点配置有误：文字里用了半角双引号「\"」",
            "写成 title = \"示例乡“脱贫攻坚”汇报\"；或整段改用单引号：title = '示例乡\"脱贫攻坚\"汇报'",
            "use Chinese quotes inside: title = \"示例乡“脱贫攻坚”汇报\"",
        ),
        (
            "title = \"测试\"\nlanguge = \"zh-CN\"\n",
            "错误[config-invalid] huibao.toml:2:1: 站点配置有误：没有「languge」这一项",
            "是不是「language」？可用的：title、language、",
            "did you mean `language`?",
        ),
        (
            "title = \"测试\"\n[document]\ndownloads = [\"xls\"]\n",
            "站点配置有误：「xls」不是可选的值",
            "是不是「xlsx」？可用的：pdf、docx、xlsx",
            "did you mean `xlsx`? allowed: pdf, docx, xlsx",
        ),
        (
            "title = \"测试\"\nprint_page = yes\n",
            "站点配置有误：开关写 true 或 false",
            "写成 print_page = true",
            "write print_page = true",
        ),
        (
            "title = \"测试\"\ntheme = \"\"\n",
            "错误[config-invalid] huibao.toml:2:9: theme 是空的",
            "删去这一行就用默认的「default」",
            "delete the line for the default `default`",
        ),
        (
            "title = \"测试\"\noutput_dir = \"\"\n",
            "错误[config-invalid] huibao.toml:2:14: output_dir 是空的",
            "删去这一行就用默认的「public」",
            "delete the line for the default `public`",
        ),
        (
            "title = \"测试\"\n[document]\ndownloads = [\"PDF\"]\n",
            "站点配置有误：「PDF」不是可选的值",
            "是不是「pdf」？可用的：pdf、docx、xlsx",
            "did you mean `pdf`?",
        ),
        (
            "title = \"测试\"\nprint_page = True\n",
            "站点配置有误：开关写 true 或 false",
            "写成 print_page = true",
            "write print_page = true",
        ),
        (
            "title = \"测试\"\n[document]\ndownloads = [\"xlsx\"]\nprint_page = false\n",
            "错误[config-invalid] huibao.toml:4:1: 站点配置有误：「print_page」是顶层设置，却写在了 [document] 这一节里",
            "把这一行移到 [document] 这一行的上面",
            "move this line above the line [document]",
        ),
        (
            "title = \"测试\"\ntoc_section_limit = \"60\"\n",
            "站点配置有误：应是整数，这里是文字「60」",
            "不加引号：写成 toc_section_limit = 60",
            "no quotes: write toc_section_limit = 60",
        ),
        (
            "title = \"测试\"\noutput_dir = public\n",
            "错误[config-invalid] huibao.toml:2:14: 站点配置有误：文字要用半角双引号括起来",
            "写成 output_dir = \"public\"",
            "write output_dir = \"public\"",
        ),
    ];
    for (settings, zh_said, zh_hint, en_hint) in cases {
        fs::write(site.path().join("huibao.toml"), settings).unwrap();
        let output = huibao(site.path(), &["check"]);
        let said = text(&output);
        assert_eq!(output.status.code(), Some(1), "{said}");
        assert!(said.contains(zh_said) && said.contains(zh_hint), "{said}");
        let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
        assert!(english.contains(en_hint), "{english}");
    }
    // Every mistake of one run, in the file's order (not one run for each).
    fs::write(
        site.path().join("huibao.toml"),
        "title = \"测试\"\nlanguag = \"zh-CN\"\nthme = \"default\"\n[document]\ndownloads = [\"xls\"]\n",
    )
    .unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    let at = |told: &str| said.find(told).unwrap_or_else(|| panic!("{told}: {said}"));
    assert!(
        at("huibao.toml:2:1: 站点配置有误：没有「languag」这一项")
            < at("huibao.toml:3:1: 站点配置有误：没有「thme」这一项")
            && at("huibao.toml:3:1:") < at("huibao.toml:5:14: 站点配置有误：「xls」不是可选的值"),
        "{said}"
    );
    assert_eq!(said.matches("错误[config-invalid]").count(), 3, "{said}");
    fs::write(site.path().join("huibao.toml"), "title = \"测试\"\n").unwrap();
    let index = site.path().join("content/index.md");
    let page = fs::read_to_string(&index).unwrap();
    fs::write(
        &index,
        page.replacen("+++\n", "+++\nwieght = 3\nnumber_heading = true\n", 1),
    )
    .unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("content/index.md:2:1: 前言有误：没有「wieght」这一项")
            && said.contains("content/index.md:3:1: 前言有误：没有「number_heading」这一项"),
        "{said}"
    );
    fs::write(&index, page).unwrap();
    // A theme misspelt: the closest of those there (and the built-in one).
    fs::write(
        site.path().join("huibao.toml"),
        "title = \"测试\"\ntheme = \"defualt\"\n",
    )
    .unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("错误[theme-missing] huibao.toml:2:9: 找不到主题文件夹 themes/defualt")
            && said
                .contains("是不是「default」？把 huibao.toml 里的 theme 改成 theme = \"default\""),
        "{said}"
    );
    // The Chinese keyboard's brackets: the line to write.
    for (written, hint) in [
        (
            "[document]\ndownloads = 【\"xlsx\"】\n",
            "「【」是全角字符，huibao.toml 只认半角的「[」：切换到英文（半角）输入再写，写成 downloads = [\"xlsx\"]",
        ),
        ("【document】\ndownloads = [\"xlsx\"]\n", "写成 [document]"),
        // A comma at the end of a line, as after a sentence: removed.
        (
            "[document]\ndownloads = [\"xlsx\"]\nsubtitle = \"初稿\"，\n",
            "删去这一行末尾的「，」（每项设置单独一行，行末不加标点）：写成 subtitle = \"初稿\"",
        ),
        // The text's own full-width characters stay as they are.
        (
            "[document]\ndownloads = [\"xlsx\"]\nsubtitle ＝ \"（初稿）：2020年\"\n",
            "写成 subtitle = \"（初稿）：2020年\"",
        ),
    ] {
        fs::write(
            site.path().join("huibao.toml"),
            format!("title = \"测试\"\n{written}"),
        )
        .unwrap();
        let said = text(&huibao(site.path(), &["check"]));
        assert!(said.contains(hint), "{written}: {said}");
    }
    // A theme written as its folder's path, with `/` or Windows' `\`: the folder's name.
    for (written, told, hint) in [
        (
            "themes/default",
            "错误[theme-missing] huibao.toml:2:9: 找不到主题文件夹 themes/themes/default",
            "提示：是不是「default」？把 huibao.toml 里的 theme 改成 theme = \"default\"",
        ),
        (
            "themes\\default",
            "错误[config-invalid] huibao.toml:2:17:",
            "提示：theme 只写 themes/ 下的文件夹名：写成 theme = \"default\"",
        ),
    ] {
        fs::write(
            site.path().join("huibao.toml"),
            format!("title = \"测试\"\ntheme = \"{written}\"\n"),
        )
        .unwrap();
        let said = text(&huibao(site.path(), &["check"]));
        assert!(
            said.contains(told) && said.contains(hint),
            "{written}: {said}"
        );
    }
    fs::write(site.path().join("huibao.toml"), "title = \"测试\"\n").unwrap();
    fs::write(
        site.path().join("content/index.md"),
        "+++\ntitel = \"首页\"\n+++\n\n值\n",
    )
    .unwrap();
    let output = huibao(site.path(), &["check"]);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[front-matter] content/index.md:2:1: 前言有误：没有「titel」这一项")
            && said.contains("是不是「title」？"),
        "{said}"
    );
}

/// What the TOML parser itself says (in English) about `huibao.toml` and a front matter is
/// said in Chinese with what to write: an unclosed text, section or list, a key written
/// twice, a colon for `=`, a Windows path's `\`, a value of the wrong kind.
#[test]
fn the_toml_parser_s_messages_are_said_in_chinese_with_what_to_write() {
    let site = one_page_site("户数: 12\n", "值");
    let cases = [
        (
            "title = \"测试\nlanguage = \"zh-CN\"\n",
            "huibao.toml:1:12: 站点配置有误：双引号里的文字没有结束",
            "在这一行文字的末尾补上半角双引号「\"」",
            "close the text with a double quote",
        ),
        (
            "title = \"测试\"\n[document\ndownloads = [\"xlsx\"]\n",
            "huibao.toml:2:10: 站点配置有误：节名缺少结尾的「]」",
            "节名写在一对半角方括号里，如 [document]",
            "a section's name is in square brackets",
        ),
        (
            "title = \"测试\"\n[document]\ndownloads = [\"xlsx\" \"docx\"]\n",
            "站点配置有误：列表的两项之间缺少半角逗号「,」",
            "列表写成 [\"xlsx\", \"csv\"]",
            "a list is written",
        ),
        (
            "title = \"测试\"\ntitle = \"再测\"\n",
            "huibao.toml:2:1: 站点配置有误：这一项（或这一节）前面已经写过",
            "同一项、同一节只写一次",
            "write each key and each section once",
        ),
        (
            "title: \"测试\"\n",
            "站点配置有误：设置项的名字和值之间用「=」，不用「:」",
            "写成 title = \"测试\"",
            "write title = \"测试\"",
        ),
        (
            "title = \"测试\"\noutput_dir = \"D:\\汇报\\public\"\n",
            "站点配置有误：双引号里的「\\」是转义符，路径里不能直接写",
            "写成 output_dir = \"D:/汇报/public\"（Windows 也认）",
            "write output_dir = \"D:/汇报/public\"",
        ),
        (
            "title = 2020\n",
            "站点配置有误：应是文字，这里是数字 2020",
            "写成 title = \"2020\"",
            "write title = \"2020\"",
        ),
        (
            "title = \"测试\"\n[document]\ndownloads = \"xlsx\"\n",
            "站点配置有误：应是列表，这里是文字「xlsx」",
            "写成 downloads = [\"xlsx\"]",
            "write downloads = [\"xlsx\"]",
        ),
        (
            "title = \"测试\"\n[document]\ndownloads = [xlsx, docx]\n",
            "站点配置有误：文字要用半角双引号括起来",
            "写成 downloads = [\"xlsx\", \"docx\"]",
            "write downloads = [\"xlsx\", \"docx\"]",
        ),
        (
            "title = \"测试\"\nprint_page = 1\n",
            "站点配置有误：应是 true 或 false，这里是数字 1",
            "写成 print_page = true（是）或 print_page = false（否）",
            "write print_page = true (yes) or print_page = false (no)",
        ),
        (
            "title = \"测试\"\ntoc_section_limit = -3\n",
            "站点配置有误：应是整数，这里是数字 -3",
            "写 0 或正整数（阿拉伯数字），不加负号",
            "without a minus sign",
        ),
        (
            "title = \"测试\"\ntheme = \n",
            "站点配置有误：「theme =」后面没有写值",
            "不用这一项就删去这一行",
            "or remove the line",
        ),
        (
            "title = \"测试\" 示例乡\n",
            "站点配置有误：这一行在值后面还有别的内容",
            "说明文字写在「#」后面（注释）",
            "put a remark after `#`",
        ),
        (
            "title：\"测试\"\n",
            "站点配置有误：设置项的名字后面缺少「=」和值",
            "「：」是全角冒号：huibao.toml 的设置用半角等号，写成 title = \"测试\"",
            "`：` is a full-width colon: huibao.toml sets a value with `=`: write title = \"测试\"",
        ),
    ];
    for (settings, zh_said, zh_hint, en_hint) in cases {
        fs::write(site.path().join("huibao.toml"), settings).unwrap();
        let output = huibao(site.path(), &["check"]);
        let said = text(&output);
        assert_eq!(output.status.code(), Some(1), "{settings}: {said}");
        assert!(said.contains(zh_said), "{settings}: {said}");
        assert!(said.contains(zh_hint), "{settings}: {said}");
        let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
        assert!(english.contains(en_hint), "{settings}: {english}");
    }
    // The same words for a page's front matter.
    fs::write(site.path().join("huibao.toml"), "title = \"测试\"\n").unwrap();
    fs::write(
        site.path().join("content/index.md"),
        "+++\ntitle = \"首页\nweight = 1\n+++\n\n值\n",
    )
    .unwrap();
    let output = huibao(site.path(), &["check"]);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[front-matter] content/index.md:2:")
            && said.contains("前言有误：双引号里的文字没有结束"),
        "{said}"
    );
}

/// A full-width character in `huibao.toml` or in a page's front matter (both TOML) is named
/// with the half-width one to type, where TOML stopped, in Chinese and in English.
#[test]
fn full_width_characters_in_the_settings_and_the_front_matter_are_named() {
    let site = one_page_site("户数: 12\n", "值");
    fs::write(
        site.path().join("huibao.toml"),
        "title = \"测试\"\nlanguage = “zh-CN”\n",
    )
    .unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("错误[config-invalid] huibao.toml:2:12:")
            && said.contains("「“」是全角字符，huibao.toml 只认半角的「\"」"),
        "{said}"
    );
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english
            .contains("`“` is a full-width character: huibao.toml takes the half-width `\"` only"),
        "{english}"
    );
    fs::write(site.path().join("huibao.toml"), "title = \"测试\"\n").unwrap();
    fs::write(
        site.path().join("content/index.md"),
        "+++\ntitle ＝ \"首页\"\n+++\n\n值\n",
    )
    .unwrap();
    let output = huibao(site.path(), &["check"]);
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[front-matter] content/index.md:2:7:")
            && said.contains("「＝」是全角字符，前言只认半角的「=」"),
        "{said}"
    );
    // A number in full-width digits is a number mistyped, not a text without its quotes.
    fs::write(
        site.path().join("content/index.md"),
        "+++\ntitle = \"首页\"\nweight = ３０\n+++\n\n值\n",
    )
    .unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains(
            "错误[front-matter] content/index.md:3:10: 前言有误：「３０」用了全角数字，读不出数"
        ),
        "{said}"
    );
    assert!(!said.contains("双引号"), "{said}");
    // A number in Chinese numerals: digits to write, not quotes to add.
    fs::write(
        site.path().join("content/index.md"),
        "+++\ntitle = \"首页\"\nweight = 三十\n+++\n\n值\n",
    )
    .unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("前言有误：「三十」不是数字：weight 要写阿拉伯数字")
            && said.contains("提示：写阿拉伯数字，不加引号，如 weight = 10"),
        "{said}"
    );
    assert!(!said.contains("双引号"), "{said}");
}

#[test]
fn a_mistake_in_the_command_line_is_told_in_chinese_with_what_to_write() {
    // clap says these in English only; a clerk reads what to type, in Chinese by default.
    let site = copy_site(&fixture("small"));
    for (args, message, hint) in [
        (&["biuld"][..], "没有「biuld」这个命令", "是不是 build？"),
        (
            &["build", "--sit", "."][..],
            "不认识「--sit」：这个命令没有这个选项",
            "是不是 --site？",
        ),
        (
            &["build", "－－deny-warnings"][..],
            "不认识「－－deny-warnings」",
            "「－－deny-warnings」里有全角的横线或空格（中文输入法）：切换到英文输入，写成 --deny-warnings",
        ),
        (
            &["build", "—deny-warnings"][..],
            "不认识「—deny-warnings」",
            "写成 --deny-warnings",
        ),
        (
            &["serve", "--port", "abc"][..],
            "「abc」不是 --port <PORT> 可以取的值",
            "端口写 1 到 65535 之间的数",
        ),
        (
            &["export", "JSON"][..],
            "「JSON」不是 <FORMAT> 可以取的值",
            "可以写：pdf、docx、xlsx、csv",
        ),
        (
            &["new"][..],
            "缺少必须写的参数：<DIR>",
            "运行 huibao --help",
        ),
    ] {
        let out = huibao(site.path(), args);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert!(
            said.contains(&format!("错误[usage]: {message}"))
                && said.contains("提示：")
                && said.contains(hint),
            "{args:?}: {said}"
        );
    }
    // In English: clap's own words, and the hint.
    let out = huibao(site.path(), &["--lang", "en", "build", "－－deny-warnings"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("unexpected argument")
            && said.contains("hint: `－－deny-warnings` has a full-width dash"),
        "{said}"
    );
    // Help is no mistake.
    let help = huibao(site.path(), &["build", "--help"]);
    assert!(help.status.success(), "{}", text(&help));
    assert!(!text(&help).contains("错误"), "{}", text(&help));
}

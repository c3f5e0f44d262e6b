//! `huibao import`: spreadsheets into data files — workbooks written by another tool
//! (rust_xlsxwriter's own API: a merged title and two-row header, a hidden sheet, dates,
//! formulas, percentages, numbers stored as text, a total row), CSV in UTF-8, UTF-8 with BOM
//! and GBK, every bad cell located, files edited in place, ids from names, and the round trip
//! export → import → the same site.

mod common;

use common::{copy_site, fixture, huibao, text, tree};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use std::path::Path;

/// A file of the site as text.
fn fs_read(site: &Path, name: &str) -> String {
    std::fs::read_to_string(site.join(name)).unwrap()
}

/// `huibao import BOOK --into data/villages` in the site `site`.
fn import_villages(site: &Path, book: &str) -> std::process::Output {
    huibao(site, &["import", book, "--into", "data/villages"])
}

/// The data files of a site, by path.
fn data_of(site: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    tree(&site.join("data"))
}

/// The fixture's villages as a workbook laid out as a clerk's: a hidden notes sheet first, a
/// merged title row, a two-row merged header, 序号, dates, a formula, percentages, funds in
/// 元, numbers typed as text (one in full-width digits), and a total row. `households` is
/// 横溪村's.
fn clerks_workbook(path: &Path, households: &str) {
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("填表说明").unwrap();
    notes.write_string(0, 0, "这张表不导入").unwrap();
    notes.set_hidden(true);
    let sheet = book.add_worksheet();
    sheet.set_name("各村情况").unwrap();
    sheet.set_active(true);
    let bold = Format::new().set_bold();
    sheet
        .merge_range(0, 0, 0, 8, "测试乡各村情况统计表", &bold)
        .unwrap();
    for (col, header) in [
        (0, "序号"),
        (1, "村名"),
        (2, "调查日期"),
        (3, "试点村"),
        (6, "帮扶资金（元）"),
        (7, "参保率"),
        (8, "备注"),
    ] {
        sheet.merge_range(1, col, 2, col, header, &bold).unwrap();
    }
    sheet.merge_range(1, 4, 1, 5, "建档立卡", &bold).unwrap();
    sheet
        .write_string_with_format(2, 4, "户数（户）", &bold)
        .unwrap();
    sheet
        .write_string_with_format(2, 5, "人数\n（人）", &bold)
        .unwrap();
    let date = Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
    let percent2 = Format::new().set_num_format("0.00%");
    let percent0 = Format::new().set_num_format("0%");
    let money = Format::new().set_num_format("#,##0.0");
    // 横溪村
    sheet.write_number(3, 0, 1).unwrap();
    sheet.write_string(3, 1, "横溪村").unwrap();
    let surveyed = ExcelDateTime::from_ymd(2020, 10, 31).unwrap();
    sheet
        .write_datetime_with_format(3, 2, &surveyed, &date)
        .unwrap();
    sheet.write_string(3, 3, "是").unwrap();
    sheet.write_string(3, 4, households).unwrap();
    sheet
        .write_formula(3, 5, Formula::new("=400+68").set_result("468"))
        .unwrap();
    sheet
        .write_number_with_format(3, 6, 817687.5, &money)
        .unwrap();
    sheet
        .write_number_with_format(3, 7, 0.995, &percent2)
        .unwrap();
    // 云湾村
    sheet.write_number(4, 0, 2).unwrap();
    sheet.write_string(4, 1, " 云湾村 ").unwrap();
    sheet.write_boolean(4, 3, false).unwrap();
    sheet.write_string(4, 4, "７").unwrap();
    sheet.write_number(4, 5, 21).unwrap();
    sheet.write_string(4, 6, "342").unwrap();
    sheet
        .write_number_with_format(4, 7, 1.0, &percent0)
        .unwrap();
    sheet.write_string(4, 8, "东片: 含两个自然村").unwrap();
    // 合计
    sheet.write_string(5, 0, "合计").unwrap();
    sheet
        .write_formula(5, 4, Formula::new("=SUM(E4:E5)").set_result("139"))
        .unwrap();
    book.save(path).unwrap();
}

#[test]
fn a_clerks_workbook_by_another_writer_reads_as_the_data_it_shows() {
    let site = copy_site(&fixture("import"));
    let book = site.path().join("各村情况.xlsx");
    clerks_workbook(&book, "132");
    let before = data_of(site.path());
    let out = huibao(
        site.path(),
        &[
            "import",
            "各村情况.xlsx",
            "--into",
            "data/villages",
            "--dry-run",
        ],
    );
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    // The hidden sheet is not read; the visible one is; the total row is left out, said.
    assert!(said.contains("工作表「各村情况」：2 条记录"), "{said}");
    assert!(
        said.contains("各村情况!6:6") && said.contains("合计行"),
        "{said}"
    );
    // Every value is what the fixture's YAML says: 2020-10-31, 是, 817687.5元 = 81.76875万元,
    // 99.50%, ７, 342元, 100%, the formula's result.
    assert!(said.contains("未变 2 个文件"), "{said}");
    assert!(!said.contains("改变的数字"), "{said}");
    assert_eq!(data_of(site.path()), before, "a dry run writes nothing");
}

#[test]
fn a_bad_import_is_located_at_its_cells_and_writes_nothing() {
    let site = copy_site(&fixture("import"));
    let book = site.path().join("各村情况.xlsx");
    // 横溪村 with 133 households: the villages no longer add up to the township's 139.
    clerks_workbook(&book, "133");
    let before = data_of(site.path());
    let out = import_villages(site.path(), "各村情况.xlsx");
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("各村建档立卡户数之和应等于全乡建档立卡户数"),
        "{said}"
    );
    assert!(
        said.contains("各村情况.xlsx 各村情况!E4（建档立卡户数（户））"),
        "{said}"
    );
    assert!(said.contains("没有写入任何文件"), "{said}");
    assert_eq!(data_of(site.path()), before);
}

/// The fixture's villages as CSV text, 横溪村's people as `people`.
fn villages_csv(people: &str) -> String {
    format!(
        "编号,村名,调查日期,试点村,建档立卡户数（户）,建档立卡人数（人）,帮扶资金（万元）,参保率（%）,备注\r\n\
         hengxi,横溪村,2020-10-31,true,132,{people},81.76875,99.50,\r\n\
         yunwan,云湾村,,false,7,21,0.0342,100,东片: 含两个自然村\r\n"
    )
}

#[test]
fn an_id_typed_in_capitals_or_in_chinese_is_one_error_naming_the_file_meant() {
    let site = copy_site(&fixture("import"));
    let before = data_of(site.path());
    for (written, hint) in [
        (
            "HengXi",
            "写成 hengxi（已有的文件 data/villages/hengxi.yaml；",
        ),
        (
            "ｈｅｎｇｘｉ",
            "写成 hengxi（已有的文件 data/villages/hengxi.yaml；",
        ),
        // The row's name is that file's.
        (
            "横溪",
            "写成 hengxi（已有的文件 data/villages/hengxi.yaml；",
        ),
    ] {
        let csv = villages_csv("468").replacen("hengxi,", &format!("{written},"), 1);
        std::fs::write(site.path().join("v.csv"), csv).unwrap();
        let out = import_villages(site.path(), "v.csv");
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "{said}");
        assert!(
            said.contains(&format!(
                "错误[import-id] v.csv v!A2（编号）: 编号「{written}」不能做文件名"
            )) && said.contains(hint),
            "{written}: {said}"
        );
        // Checked as that file: not a second 横溪村 beside it, nor its households twice.
        assert!(said.contains("共 1 个错误"), "{written}: {said}");
        assert_eq!(data_of(site.path()), before);
    }
    // A new village's id: the file name it can be.
    let csv = villages_csv("468").replacen("hengxi,横溪村", "Foo-Bar,新村", 1);
    std::fs::write(site.path().join("v.csv"), csv).unwrap();
    let said = text(&huibao(
        site.path(),
        &["--lang", "en", "import", "v.csv", "--into", "data/villages"],
    ));
    assert!(
        said.contains("hint: write foo_bar: file names are lowercase"),
        "{said}"
    );
}

#[test]
fn an_id_column_out_of_step_with_the_names_or_mistyped_is_told_at_its_cell() {
    // The sheet sorted with its 编号 column left out: each row's figures would go to another
    // village's file. One error a row, at its 编号 cell, naming the file of its name; no
    // figure of theirs told wrong besides, and nothing written.
    let site = copy_site(&fixture("import"));
    let root = site.path();
    let before = data_of(root);
    let swapped = villages_csv("468")
        .replacen("hengxi,横溪村", "yunwan,横溪村", 1)
        .replacen("yunwan,云湾村", "hengxi,云湾村", 1);
    std::fs::write(root.join("v.csv"), swapped).unwrap();
    let out = import_villages(root, "v.csv");
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(
            "错误[import-id] v.csv v!A2（编号）: 编号 yunwan 这一行的村名是「横溪村」，那是 hengxi.yaml 的；yunwan.yaml 是「云湾村」的：编号列与其他列错位了"
        ) && said.contains("v.csv v!A3（编号）: 编号 hengxi 这一行的村名是「云湾村」")
            && said.contains("这一行的编号应是 hengxi"),
        "{said}"
    );
    assert!(said.contains("共 2 个错误"), "{said}");
    // An 编号 mistyped as no file's, with --remove-missing: not 横溪村's file removed and a
    // new one made of its row.
    let typo = villages_csv("468").replacen("hengxi,", "hengix,", 1);
    std::fs::write(root.join("v.csv"), typo).unwrap();
    let out = huibao(
        root,
        &[
            "import",
            "v.csv",
            "--into",
            "data/villages",
            "--remove-missing",
        ],
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("v.csv v!A2（编号）: 编号 hengix：没有 hengix.yaml 这个文件，而「横溪村」是 hengxi.yaml 的：编号写错了？")
            && said.contains("提示：写成 hengxi；"),
        "{said}"
    );
    assert!(said.contains("共 1 个错误"), "{said}");
    assert_eq!(data_of(root), before, "nothing written");
}

#[test]
fn a_cell_after_a_blank_line_is_told_at_the_row_excel_shows() {
    let site = copy_site(&fixture("import"));
    // A blank line (Notepad), and a cell over two lines in quotes, which is one row.
    let csv = "编号,村名,调查日期,试点村,建档立卡户数（户）,建档立卡人数（人）,帮扶资金（万元）,参保率（%）,备注\r\n\
               hengxi,横溪村,2020-10-31,true,132,468,81.76875,99.50,\"东片:\r\n含两个自然村\"\r\n\
               \r\n\
               yunwan,云湾村,,false,abc,21,0.0342,100,\r\n";
    std::fs::write(site.path().join("v.csv"), csv).unwrap();
    let out = import_villages(site.path(), "v.csv");
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[type] v.csv v!E4（建档立卡户数（户））"),
        "{said}"
    );
    // Without the blank line, the row above.
    std::fs::write(
        site.path().join("v.csv"),
        csv.replacen("\r\n\r\n", "\r\n", 1),
    )
    .unwrap();
    let said = text(&import_villages(site.path(), "v.csv"));
    assert!(
        said.contains("错误[type] v.csv v!E3（建档立卡户数（户））"),
        "{said}"
    );
}

#[test]
fn a_file_of_a_folder_named_in_into_is_told_to_name_the_folder() {
    let site = copy_site(&fixture("import"));
    std::fs::write(site.path().join("v.csv"), villages_csv("468")).unwrap();
    let out = huibao(
        site.path(),
        &["import", "v.csv", "--into", "data/villages/hengxi.yaml"],
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("「data/villages/hengxi.yaml」是文件夹 data/villages 里的一个文件")
            && said.contains("写成 --into data/villages"),
        "{said}"
    );
}

#[test]
fn a_sheet_named_for_another_target_sharing_its_fields_is_told_which() {
    // The villages' sheet as `export` names it, into the township's file: the two share
    // 建档立卡户数, so the headers alone barely tell them apart.
    let site = copy_site(&fixture("import"));
    let csv = "编号,村名,建档立卡户数（户）\r\nhengxi,横溪村,132\r\n";
    std::fs::write(site.path().join("村委会.csv"), csv).unwrap();
    let out = huibao(
        site.path(),
        &[
            "import",
            "村委会.csv",
            "--into",
            "data/township.yaml",
            "--dry-run",
        ],
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[import-into] 村委会.csv 村委会: 这张表是 data/villages 的")
            && said.contains("写成 huibao import 村委会.csv --into data/villages"),
        "{said}"
    );
}

#[test]
fn csv_in_utf8_with_bom_and_in_gbk_reads_the_same() {
    let site = copy_site(&fixture("import"));
    let csv = villages_csv("468");
    let mut with_bom = vec![0xEF, 0xBB, 0xBF];
    with_bom.extend_from_slice(csv.as_bytes());
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&csv);
    assert!(!unmappable);
    for (name, bytes, gbk_said) in [
        ("utf8.csv", csv.as_bytes().to_vec(), false),
        ("bom.csv", with_bom, false),
        ("gbk.csv", gbk.into_owned(), true),
    ] {
        std::fs::write(site.path().join(name), bytes).unwrap();
        let out = import_villages(site.path(), name);
        let said = text(&out);
        assert!(out.status.success(), "{name}: {said}");
        assert!(said.contains("未变 2 个文件"), "{name}: {said}");
        assert_eq!(said.contains("GBK/GB18030"), gbk_said, "{name}: {said}");
    }
    // Neither UTF-8 nor GBK: refused, with what to do.
    std::fs::write(site.path().join("bad.csv"), [0x81, 0x20, 0xFF, 0x0A]).unwrap();
    let out = import_villages(site.path(), "bad.csv");
    assert!(!out.status.success());
    assert!(text(&out).contains("CSV UTF-8"), "{}", text(&out));
}

#[test]
fn a_changed_value_is_replaced_in_place_keeping_comments_and_reported() {
    let site = copy_site(&fixture("import"));
    std::fs::write(site.path().join("v.csv"), villages_csv("470")).unwrap();
    let dry = huibao(
        site.path(),
        &["import", "v.csv", "--into", "data/villages", "--dry-run"],
    );
    let said = text(&dry);
    assert!(dry.status.success(), "{said}");
    assert!(
        said.contains("村委会 横溪村 建档立卡人数：468人 → 470人"),
        "{said}"
    );
    assert!(
        said.contains("data/villages/hengxi.yaml ← v.csv v!F2"),
        "{said}"
    );
    let before = std::fs::read_to_string(site.path().join("data/villages/hengxi.yaml")).unwrap();
    let out = import_villages(site.path(), "v.csv");
    assert!(out.status.success(), "{}", text(&out));
    let after = std::fs::read_to_string(site.path().join("data/villages/hengxi.yaml")).unwrap();
    assert_eq!(after, before.replace("people: 468 ", "people: 470 "));
    assert!(after.contains("# 横溪村：帮扶资金 81.76875 万元（精确）。"));
    // 云湾村's file, which still says 342元, is not touched: its value is the same.
    let yunwan = std::fs::read_to_string(site.path().join("data/villages/yunwan.yaml")).unwrap();
    assert!(yunwan.contains("fund: 342元   # 按万元换算"));
    // A value added (横溪村's 备注) goes in as a line of its own where the schema puts it;
    // a value emptied (云湾村's) is taken out with its line; every comment stays.
    let hengxi_before = after;
    let yunwan_before = yunwan;
    let edited = villages_csv("470")
        .replace("99.50,\r\n", "99.50,新备注\r\n")
        .replace("100,东片: 含两个自然村", "100,");
    std::fs::write(site.path().join("v.csv"), edited).unwrap();
    let out = import_villages(site.path(), "v.csv");
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("原处修改 2 个文件"), "{said}");
    let hengxi = std::fs::read_to_string(site.path().join("data/villages/hengxi.yaml")).unwrap();
    assert_eq!(hengxi, format!("{hengxi_before}note: 新备注\n"));
    let yunwan = std::fs::read_to_string(site.path().join("data/villages/yunwan.yaml")).unwrap();
    assert_eq!(
        yunwan,
        yunwan_before.replace("note: \"东片: 含两个自然村\"\n", "")
    );
    // A date put in where the schema puts it: after the name, before the next key.
    let dated =
        fs_read(site.path(), "v.csv").replace("yunwan,云湾村,,", "yunwan,云湾村,2020-11-02,");
    std::fs::write(site.path().join("v.csv"), dated).unwrap();
    let out = import_villages(site.path(), "v.csv");
    assert!(out.status.success(), "{}", text(&out));
    let yunwan = std::fs::read_to_string(site.path().join("data/villages/yunwan.yaml")).unwrap();
    assert!(
        yunwan.starts_with("# 云湾村\nname: 云湾村\nsurveyed: 2020-11-02\npilot: false\n"),
        "{yunwan}"
    );
    let build = huibao(site.path(), &["build"]);
    assert!(build.status.success(), "{}", text(&build));
}

/// A comma typed into a CSV cell without quotes splits the cell: the row has more cells
/// than the header and every cell after it is one column off. One error at the row's first
/// cell past the header, saying so (not the text cut short, not type errors in the wrong
/// cells); nothing written.
#[test]
fn a_csv_row_split_by_an_unquoted_comma_is_one_error_and_nothing_is_written() {
    let site = copy_site(&fixture("import"));
    let before = data_of(site.path());
    for (row, column) in [
        (
            "hengxi,横溪村,2020-10-31,true,132,468,81.76875,99.50,定点帮扶,按文件要求\r\n",
            "J2",
        ),
        (
            "hengxi,横溪村,2020-10-31,true,132,468,1,094.52,99.50,\r\n",
            "J2",
        ),
    ] {
        let csv = villages_csv("468").replacen(
            "hengxi,横溪村,2020-10-31,true,132,468,81.76875,99.50,\r\n",
            row,
            1,
        );
        std::fs::write(site.path().join("v.csv"), csv).unwrap();
        let out = import_villages(site.path(), "v.csv");
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "{said}");
        assert!(
            said.contains(&format!("错误[import-extra-cell] v.csv v!{column}: 这一行有 10 格，表头只有 9 列：多半是某一格里的逗号没有加引号"))
                && said.contains("提示：把含逗号的格用英文双引号括起来"),
            "{row}: {said}"
        );
        assert_eq!(said.matches("错误[").count(), 1, "{row}: {said}");
        assert_eq!(data_of(site.path()), before, "{row}");
    }
    let out = huibao(
        site.path(),
        &["--lang", "en", "import", "v.csv", "--into", "data/villages"],
    );
    assert!(
        text(&out).contains("most likely a comma inside a cell has no quotes"),
        "{}",
        text(&out)
    );
    // Every row one empty field wider than the header (as Excel may write a group of rows,
    // or a comma typed at each row's end): the rows are read, no error.
    let csv = villages_csv("468");
    let (header, rows) = csv.split_once("\r\n").unwrap();
    let padded = format!("{header}\r\n{}", rows.replace("\r\n", ",\r\n"));
    std::fs::write(site.path().join("p.csv"), padded).unwrap();
    let out = huibao(
        site.path(),
        &["import", "p.csv", "--into", "data/villages", "--dry-run"],
    );
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn every_kind_of_bad_cell_is_located_with_the_header_and_what_to_do() {
    let site = copy_site(&fixture("import"));
    let before = data_of(site.path());
    let csv = "编号,村名,调查日期,试点村,建档立卡户数（户）,建档立卡人数（人）,帮扶资金（万元）,参保率（%）,备注\r\n\
               hengxi,横溪村,2020-13-45,也许,一百三十二,468,abc,120,\r\n\
               yunwan,,,false,7,21.5,0.0342,100,\r\n\
               Bad-Id,新村,,false,0,0,0,0,\r\n";
    std::fs::write(site.path().join("bad.csv"), csv).unwrap();
    let out = import_villages(site.path(), "bad.csv");
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    for cell in [
        "bad!A4（编号）",
        "bad!C2（调查日期）",
        "bad!D2（试点村）",
        "bad!E2（建档立卡户数（户））",
        "bad!G2（帮扶资金（万元））",
        "bad!H2（参保率（%））",
        "bad!B3（村名）",
        "bad!F3（建档立卡人数（人））",
    ] {
        assert!(said.contains(cell), "{cell} in {said}");
    }
    // A day no calendar has is told so, not how to write a date.
    assert!(
        said.contains("没有「2020-13-45」这一天") && said.contains("没有 13 月"),
        "{said}"
    );
    // A switch's cell is told to say 是 or 否, not to be a number.
    assert!(
        said.contains(
            "bad!D2（试点村）: 「试点村」（pilot）应是 true 或 false，这里是文本「也许」"
        ) && said.contains("提示：在单元格里写「是」或「否」"),
        "{said}"
    );
    assert_eq!(data_of(site.path()), before, "nothing written");
    // An unknown header, with did-you-mean; in English with --lang en.
    let csv = "编号,村名,试点村,建档立卡户数,建档立卡人口（人）,帮扶资金,参保率\r\nhengxi,横溪村,true,132,468,81.76875,99.50\r\n";
    std::fs::write(site.path().join("h.csv"), csv).unwrap();
    let out = huibao(
        site.path(),
        &["--lang", "en", "import", "h.csv", "--into", "data/villages"],
    );
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("h!E1"), "{said}");
    assert!(said.contains("did you mean “建档立卡人数（人）”"), "{said}");
    // (The required column it most likely means is not said to be missing too.)
    assert!(!said.contains("lacks the columns"), "{said}");
    // A folder the schema does not describe: the command is to be corrected, not the sheet.
    let out = huibao(site.path(), &["import", "h.csv", "--into", "data/vilages"]);
    let said = text(&out);
    assert!(
        said.contains("是不是 data/villages") && said.contains("改正命令后再导入"),
        "{said}"
    );
    clerks_workbook(&site.path().join("w.xlsx"), "132");
    let out = huibao(
        site.path(),
        &[
            "import",
            "w.xlsx",
            "--into",
            "data/villages",
            "--sheet",
            "各村情",
        ],
    );
    assert!(text(&out).contains("是不是「各村情况」"), "{}", text(&out));
    assert_eq!(data_of(site.path()), before, "nothing written");
}

#[test]
fn new_rows_are_named_in_pinyin_and_missing_ones_removed_only_when_asked() {
    let site = copy_site(&fixture("import"));
    // No 编号 column: 横溪村 is its file by name; 长岭村 is new (长 reads zhang or chang).
    let csv = "村名,试点村,建档立卡户数（户）,建档立卡人数（人）,帮扶资金（万元）,参保率（%）\r\n\
               横溪村,true,132,468,81.76875,99.50\r\n\
               长岭村,false,7,20,1.5,98\r\n";
    std::fs::write(site.path().join("v.csv"), csv).unwrap();
    // 云湾村 is not in the sheet: kept, so the villages have 146 households, not 139.
    let out = import_villages(site.path(), "v.csv");
    assert!(!out.status.success(), "{}", text(&out));
    let out = huibao(
        site.path(),
        &[
            "import",
            "v.csv",
            "--into",
            "data/villages",
            "--remove-missing",
        ],
    );
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("新文件（1 个）：data/villages/zhangling.yaml"),
        "{said}"
    );
    assert!(said.contains("长：zhang/chang"), "{said}");
    assert!(
        said.contains("删除表中没有的（1 个）：data/villages/yunwan.yaml"),
        "{said}"
    );
    assert!(!site.path().join("data/villages/yunwan.yaml").exists());
    let new = std::fs::read_to_string(site.path().join("data/villages/zhangling.yaml")).unwrap();
    assert_eq!(
        new,
        "name: 长岭村\npilot: false\nregistered:\n  households: 7\n  people: 20\nfund: 1.5\ncoverage: 98\n"
    );
    let build = huibao(site.path(), &["build"]);
    assert!(build.status.success(), "{}", text(&build));
}

#[test]
fn export_then_import_gives_back_the_same_data_and_the_same_site() {
    let site = copy_site(&fixture("import"));
    let root = site.path();
    // Export → import over the data as it is: nothing changes.
    let export = huibao(root, &["export", "xlsx", "--out", "data.xlsx"]);
    assert!(export.status.success(), "{}", text(&export));
    let before = data_of(root);
    let out = import_villages(root, "data.xlsx");
    assert!(text(&out).contains("未变 2 个文件"), "{}", text(&out));
    let out = huibao(
        root,
        &["import", "data.xlsx", "--into", "data/township.yaml"],
    );
    assert!(text(&out).contains("未变 1 个文件"), "{}", text(&out));
    assert_eq!(data_of(root), before);
    // Files made by the import (the folder emptied first) give the same site as the files
    // they were made from, byte for byte, the second time round as the first.
    let mut sites = Vec::new();
    for round in 0..2 {
        let export = huibao(root, &["export", "xlsx", "--out", "data.xlsx"]);
        assert!(export.status.success(), "{}", text(&export));
        for entry in std::fs::read_dir(root.join("data/villages")).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
        let out = import_villages(root, "data.xlsx");
        assert!(text(&out).contains("新文件（2 个）"), "{}", text(&out));
        let public = root.join(format!("public-{round}"));
        let build = huibao(root, &["build", "--out", public.to_str().unwrap()]);
        assert!(build.status.success(), "{}", text(&build));
        sites.push((data_of(root), tree(&public)));
    }
    assert!(sites[0] == sites[1], "the same data and the same site");
    let hengxi = String::from_utf8(sites[0].0[Path::new("villages/hengxi.yaml")].clone()).unwrap();
    assert!(hengxi.contains("fund: 81.76875\n"), "{hengxi}");
    assert!(hengxi.contains("coverage: 99.50\n"), "{hengxi}");
    assert!(hengxi.contains("surveyed: 2020-10-31\n"), "{hengxi}");
    let yunwan = String::from_utf8(sites[0].0[Path::new("villages/yunwan.yaml")].clone()).unwrap();
    assert!(yunwan.contains("fund: 0.0342\n"), "{yunwan}");
    assert!(
        yunwan.contains("note: \"东片: 含两个自然村\"\n"),
        "{yunwan}"
    );
}

#[test]
fn every_data_file_of_the_bundled_report_comes_back_from_its_workbook_lists_too() {
    let site = copy_site(&common::repo());
    let root = site.path();
    let export = |name: &str| {
        let out = huibao(root, &["export", "xlsx", "--out", name]);
        assert!(out.status.success(), "{}", text(&out));
        std::fs::read(root.join(name)).unwrap()
    };
    let before = export("before.xlsx");
    // Each file written anew from its sheet (and its lists' sheets: 乡基本情况·历年脱贫 …).
    for target in [
        "township.yaml",
        "policies/assistance.yaml",
        "policies/education.yaml",
        "policies/health.yaml",
        "policies/housing.yaml",
        "policies/industry.yaml",
        "policies/social_security.yaml",
        "policies/water.yaml",
    ] {
        std::fs::remove_file(root.join("data").join(target)).unwrap();
        let into = format!("data/{target}");
        let out = huibao(root, &["import", "before.xlsx", "--into", &into]);
        let said = text(&out);
        assert!(out.status.success(), "{target}: {said}");
        assert!(said.contains("新文件（1 个）"), "{target}: {said}");
    }
    for entry in std::fs::read_dir(root.join("data/villages")).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let out = import_villages(root, "before.xlsx");
    assert!(text(&out).contains("新文件（17 个）"), "{}", text(&out));
    // The same data: the workbook made of the imported files is the same, byte for byte.
    assert!(export("after.xlsx") == before, "the same workbook");
    let township = std::fs::read_to_string(root.join("data/township.yaml")).unwrap();
    assert!(
        township.contains("exits:\n  - households: 153\n"),
        "{township}"
    );
    let build = huibao(root, &["build"]);
    assert!(build.status.success(), "{}", text(&build));
}

/// A sheet `name` of `book` whose cells are the texts of `rows` (empty ones left empty).
fn text_sheet<'b>(
    book: &'b mut Workbook,
    name: &str,
    rows: &[&[&str]],
) -> &'b mut rust_xlsxwriter::Worksheet {
    let sheet = book.add_worksheet();
    sheet.set_name(name).unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
    }
    sheet
}

/// The spreadsheet fixture's villages as a workbook, with 横溪村's exits as `items` (编号,
/// 序号, 年度, 脱贫人数) on the sheet 村委会·历年脱贫.
fn villages_with_exits(path: &Path, items: &[(&str, u32, u32, u32)]) {
    villages_with_exits_on(path, items, "村委会·历年脱贫");
}

/// [`villages_with_exits`] with the exits on the sheet named `exits_sheet`.
fn villages_with_exits_on(path: &Path, items: &[(&str, u32, u32, u32)], exits_sheet: &str) {
    let mut book = Workbook::new();
    let header: &[&str] = &[
        "编号",
        "村名",
        "试点村",
        "建档立卡户数（户）",
        "建档立卡人数（人）",
        "帮扶资金（万元）",
        "占比",
    ];
    let hengxi: &[&str] = &[
        "hengxi",
        "横溪村",
        "true",
        "132",
        "468",
        "81.76875",
        "0.12345678901234567890",
    ];
    let yunwan: &[&str] = &["yunwan", "云湾村, 东片", "false", "7", "21", "0.0342", ""];
    text_sheet(&mut book, "村委会", &[header, hengxi, yunwan]);
    let exits = book.add_worksheet();
    exits.set_name(exits_sheet).unwrap();
    for (c, h) in ["编号", "序号", "年度", "脱贫人数（人）"]
        .iter()
        .enumerate()
    {
        exits.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (id, n, year, people)) in items.iter().enumerate() {
        let r = r as u32 + 1;
        exits.write_string(r, 0, *id).unwrap();
        exits.write_number(r, 1, *n).unwrap();
        exits.write_number(r, 2, *year).unwrap();
        exits.write_number(r, 3, *people).unwrap();
    }
    book.save(path).unwrap();
}

#[test]
fn a_lists_sheet_changes_its_items_and_grows_in_place_and_shrinks_by_writing_anew() {
    let site = copy_site(&fixture("spreadsheet"));
    let root = site.path();
    let file = root.join("data/villages/hengxi.yaml");
    let before = std::fs::read_to_string(&file).unwrap();
    // Out of order by 序号; 2019's people changed 168 → 170.
    villages_with_exits(
        &root.join("v.xlsx"),
        &[("hengxi", 2, 2019, 170), ("hengxi", 1, 2018, 300)],
    );
    let out = import_villages(root, "v.xlsx");
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("历年脱贫第 2 项 脱贫人数：168人 → 170人"),
        "{said}"
    );
    assert!(
        said.contains("v.xlsx 村委会·历年脱贫!D2（脱贫人数（人））"),
        "{said}"
    );
    assert!(said.contains("未变 1 个文件"), "{said}");
    // Nothing noted: no count of nothing.
    assert!(!said.contains("共 0 个错误"), "{said}");
    let after = std::fs::read_to_string(&file).unwrap();
    assert_eq!(after, before.replace("people: 168}", "people: 170}"));
    // A third item (next year's row): added after the last, in its style, every other
    // line kept (the comments too).
    let three = [
        ("hengxi", 1, 2018, 300),
        ("hengxi", 2, 2019, 170),
        ("hengxi", 3, 2020, 1),
    ];
    villages_with_exits(&root.join("v.xlsx"), &three);
    let out = import_villages(root, "v.xlsx");
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("村委会 横溪村 历年脱贫：2 项 → 3 项"),
        "{said}"
    );
    assert!(said.contains("原处修改 1 个文件"), "{said}");
    let after = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        after,
        format!(
            "{}  - {{year: 2020, people: 1}}\n",
            before.replace("people: 168}", "people: 170}")
        )
    );
    // A list written as blocks grows as blocks.
    let blocks = "exits:\n  - year: 2018   # 第一年\n    people: 300\n  - year: 2019\n    people: 170\n# 以上为历年脱贫\n";
    let head = &before[..before.find("exits:").unwrap()];
    std::fs::write(&file, format!("{head}{blocks}")).unwrap();
    villages_with_exits(&root.join("v.xlsx"), &three);
    let said = text(&import_villages(root, "v.xlsx"));
    assert!(said.contains("原处修改 1 个文件"), "{said}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!(
            "{head}{}",
            blocks.replace("# 以上", "  - year: 2020\n    people: 1\n# 以上")
        )
    );
    // Fewer items: the file written anew and said so.
    villages_with_exits(&root.join("v.xlsx"), &three[..1]);
    let said = text(&import_villages(root, "v.xlsx"));
    assert!(said.contains("重写 1 个文件（列表少了项"), "{said}");
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(
        after.contains("exits:\n  - year: 2018\n    people: 300\n"),
        "{after}"
    );
    // An item of a village not in the records' sheet is an error at its cell.
    villages_with_exits(&root.join("v.xlsx"), &[("hengxii", 1, 2018, 300)]);
    let out = import_villages(root, "v.xlsx");
    assert!(!out.status.success());
    assert!(
        text(&out).contains("村委会·历年脱贫!A2（编号）"),
        "{}",
        text(&out)
    );
}

/// A minimal OpenDocument spreadsheet (as LibreOffice and WPS save one) of `rows`: a cell
/// is a number when it parses as one, else text (`'99.50`: the text 99.50).
fn ods(path: &Path, sheet: &str, rows: &[&[&str]]) {
    use std::io::Write;
    let mut table = String::new();
    for row in rows {
        table.push_str("<table:table-row>");
        for cell in *row {
            if let Some(text) = cell.strip_prefix('\'') {
                table.push_str(&format!(
                    "<table:table-cell office:value-type=\"string\"><text:p>{text}</text:p></table:table-cell>"
                ));
            } else if cell.parse::<f64>().is_ok() {
                table.push_str(&format!(
                    "<table:table-cell office:value-type=\"float\" office:value=\"{cell}\"><text:p>{cell}</text:p></table:table-cell>"
                ));
            } else if cell.is_empty() {
                table.push_str("<table:table-cell/>");
            } else {
                table.push_str(&format!(
                    "<table:table-cell office:value-type=\"string\"><text:p>{cell}</text:p></table:table-cell>"
                ));
            }
        }
        table.push_str("</table:table-row>");
    }
    let content = format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" ",
            "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" ",
            "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">",
            "<office:body><office:spreadsheet><table:table table:name=\"{sheet}\">{table}</table:table>",
            "</office:spreadsheet></office:body></office:document-content>"
        ),
        sheet = sheet,
        table = table
    );
    let manifest = concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
        "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">",
        "<manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>",
        "<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>",
        "</manifest:manifest>"
    );
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap();
}

#[test]
fn an_opendocument_spreadsheet_from_libreoffice_or_wps_is_read_too() {
    let site = copy_site(&fixture("import"));
    let root = site.path();
    ods(
        &root.join("v.ods"),
        "村委会",
        &[
            &[
                "编号",
                "村名",
                "调查日期",
                "试点村",
                "建档立卡户数（户）",
                "建档立卡人数（人）",
                "帮扶资金（万元）",
                "参保率（%）",
                "备注",
            ],
            &[
                "hengxi",
                "横溪村",
                "2020-10-31",
                "是",
                "132",
                "470",
                "81.76875",
                "'99.50",
                "",
            ],
            &[
                "yunwan",
                "云湾村",
                "",
                "否",
                "7",
                "21",
                "0.0342",
                "100",
                "东片: 含两个自然村",
            ],
        ],
    );
    let out = huibao(
        root,
        &["import", "v.ods", "--into", "data/villages", "--dry-run"],
    );
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("建档立卡人数：468人 → 470人"), "{said}");
    assert!(said.contains("v.ods 村委会!F2"), "{said}");
    assert!(said.contains("未变 1 个文件"), "{said}");
    // Its number formats are not read: a fraction in a percentage column is doubted aloud.
    ods(
        &root.join("p.ods"),
        "村委会",
        &[
            &[
                "编号",
                "村名",
                "试点村",
                "建档立卡户数（户）",
                "建档立卡人数（人）",
                "帮扶资金（万元）",
                "参保率（%）",
            ],
            &["hengxi", "横溪村", "是", "132", "468", "81.76875", "0.99"],
        ],
    );
    let out = huibao(
        root,
        &["import", "p.ods", "--into", "data/villages", "--dry-run"],
    );
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("p.ods 村委会!G2（参保率（%））"), "{said}");
    assert!(said.contains("读作 0.99%"), "{said}");
    assert!(said.contains("参保率：99.50% → 0.99%"), "{said}");
}

/// The header of a sheet 村委会 with every column of the fixture's villages.
const VILLAGES_HEADER: &[&str] = &[
    "编号",
    "村名",
    "试点村",
    "建档立卡户数（户）",
    "建档立卡人数（人）",
    "帮扶资金（万元）",
    "参保率（%）",
];

/// A workbook at `path` of 横溪村's row (`hengxi`, in [`VILLAGES_HEADER`]'s columns) with
/// `formula` (its text and the result saved for it) in its column `col`.
fn formula_book(path: &Path, hengxi: &[&str], col: u16, formula: Formula) {
    let mut book = Workbook::new();
    let sheet = text_sheet(&mut book, "村委会", &[VILLAGES_HEADER, hengxi]);
    sheet.write_formula(1, col, formula).unwrap();
    book.save(path).unwrap();
}

#[test]
fn a_formulas_error_value_is_an_error_at_its_cell() {
    let site = copy_site(&fixture("import"));
    let root = site.path();
    let hengxi: &[&str] = &["hengxi", "横溪村", "true", "132", "468", "", "99.50"];
    let formula = Formula::new("=1/0").set_result("#DIV/0!");
    formula_book(&root.join("e.xlsx"), hengxi, 5, formula);
    let before = data_of(root);
    let out = import_villages(root, "e.xlsx");
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("e.xlsx 村委会!F2（帮扶资金（万元））"),
        "{said}"
    );
    assert!(said.contains("#DIV/0!"), "{said}");
    assert_eq!(data_of(root), before);
}

#[test]
fn a_rows_file_that_cannot_be_known_is_told_at_its_cell_and_nothing_is_written() {
    let site = copy_site(&fixture("import"));
    let before = data_of(site.path());
    let head =
        "编号,村名,试点村,建档立卡户数（户）,建档立卡人数（人）,帮扶资金（万元）,参保率（%）\r\n";
    // A 编号 that cannot be a file name, a row repeated, a row with neither id nor name.
    let csv = format!(
        "{head}Heng-Xi,横溪村,true,132,468,81.76875,99.50\r\n\
         yunwan,云湾村,false,7,21,0.0342,100\r\n\
         yunwan,云湾村,false,7,21,0.0342,100\r\n\
         ,,false,1,2,0.1,100\r\n"
    );
    std::fs::write(site.path().join("ids.csv"), csv).unwrap();
    let out = import_villages(site.path(), "ids.csv");
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    for told in [
        "ids.csv ids!A2（编号）",
        "编号「Heng-Xi」不能做文件名",
        "ids.csv ids!A4（编号）",
        "第 4 行与第 3 行是同一个文件 yunwan.yaml",
        "ids.csv ids!A5（编号）",
        "这一行没有编号也没有名称",
    ] {
        assert!(said.contains(told), "{told}: {said}");
    }
    // Without 编号: a name whose pinyin is another village's file, and one with no pinyin.
    let csv = "村名,试点村,建档立卡户数（户）,建档立卡人数（人）,帮扶资金（万元）,参保率（%）\r\n\
               横溪村,true,132,468,81.76875,99.50\r\n\
               Yunwan,false,7,21,0.0342,100\r\n\
               ※※,false,1,2,0.1,100\r\n";
    std::fs::write(site.path().join("names.csv"), csv).unwrap();
    let out = import_villages(site.path(), "names.csv");
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    for told in [
        "names.csv names!A3（村名）",
        "「Yunwan」按拼音是 yunwan，但 data/villages/yunwan.yaml 已经是「云湾村」的文件",
        "names.csv names!A4（村名）",
        "无法从名称「※※」生成文件名",
    ] {
        assert!(said.contains(told), "{told}: {said}");
    }
    assert_eq!(data_of(site.path()), before);
}

#[test]
fn a_header_that_names_no_field_twice_or_not_at_all_is_told_at_its_cell() {
    let site = copy_site(&fixture("import"));
    let before = data_of(site.path());
    let import = |name: &str, csv: &str| {
        std::fs::write(site.path().join(name), csv).unwrap();
        text(&import_villages(site.path(), name))
    };
    // A header misspelt, a field twice, a required field's column left out.
    let said = import(
        "h.csv",
        "编号,村名,试点村,建档立卡户数（户）,建档立卡户数,建档立卡人数（人）,帮扶资金（万元）,参保率（%）,备住\r\n\
         hengxi,横溪村,true,132,132,468,81.76875,99.50,\r\n",
    );
    for told in [
        "h.csv h!I1: 表头「备住」不是 schema 里的字段",
        "是不是「备注」？",
        "h.csv h!E1: 「建档立卡户数」与第 4 列「建档立卡户数（户）」是同一个字段",
    ] {
        assert!(said.contains(told), "{told}: {said}");
    }
    let said = import(
        "m.csv",
        "编号,村名,试点村,建档立卡人数（人）,帮扶资金（万元）,参保率（%）\r\n\
         hengxi,横溪村,true,468,81.76875,99.50\r\n",
    );
    assert!(
        said.contains("表中缺少必填字段的列：建档立卡户数（户）"),
        "{said}"
    );
    // No cell of the first twenty rows names a field.
    let said = import("n.csv", "甲,乙\r\n1,2\r\n");
    assert!(
        said.contains("前 20 行里找不到表头：没有一个单元格是字段的名称"),
        "{said}"
    );
    assert_eq!(data_of(site.path()), before);
}

/// A file named as a workbook that is none is told for what it is, with what to do: Excel's
/// lock file of an open workbook, a web page saved as `.xls`, a CSV renamed `.xlsx`.
#[test]
fn a_file_that_only_looks_like_a_workbook_is_told_for_what_it_is() {
    let site = copy_site(&fixture("import"));
    let before = data_of(site.path());
    let cases: [(&str, &[u8], &str, &str); 3] = [
        (
            "~$数据.xlsx",
            b"PK\x03\x04\x00\x00lock",
            "这是 Excel 或 WPS 打开工作簿时留下的临时文件",
            "如 数据.xlsx",
        ),
        (
            "表.xls",
            b"<html><body><table><tr><td>1</td></tr></table></body></html>",
            "这个文件其实是网页（HTML）",
            "「另存为」Excel 工作簿（.xlsx）",
        ),
        (
            "v.xlsx",
            b"a,b\r\n1,2\r\n",
            "这个文件是文字（可能是改了扩展名的 CSV）",
            "把扩展名改回 .csv",
        ),
    ];
    for (name, bytes, said_zh, hint) in cases {
        std::fs::write(site.path().join(name), bytes).unwrap();
        let out = import_villages(site.path(), name);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {said}");
        assert!(
            said.contains(&format!("错误[import-unreadable] {name}: {said_zh}"))
                && said.contains(hint),
            "{name}: {said}"
        );
    }
    assert_eq!(data_of(site.path()), before);
}

/// A problem found at a character inside a cell's text (the `。` of `12345678。`) is told at
/// the cell, not at a column as far to the right as the character is in the text.
#[test]
fn a_problem_inside_a_cell_s_text_is_told_at_that_cell() {
    let site = copy_site(&fixture("import"));
    let csv = villages_csv("12345678。");
    std::fs::write(site.path().join("x.csv"), csv).unwrap();
    let said = text(&huibao(
        site.path(),
        &["import", "x.csv", "--into", "data/villages", "--dry-run"],
    ));
    assert!(
        said.contains(
            "错误[type] x.csv x!F2（建档立卡人数（人））: 「人数」（registered.people）应是数字"
        ),
        "{said}"
    );
    // A space between digits is no thousands separator read away: `8 4` is not 84.
    for spaced in ["8 4", "8\u{3000}4"] {
        std::fs::write(site.path().join("x.csv"), villages_csv(spaced)).unwrap();
        let said = text(&huibao(
            site.path(),
            &["import", "x.csv", "--into", "data/villages", "--dry-run"],
        ));
        assert!(
            said.contains("x!F2（建档立卡人数（人））: 「人数」（registered.people）应是数字，这里是文本「8 4」")
                && said.contains("去掉数字中间的空格"),
            "{spaced}: {said}"
        );
    }
}

/// A sheet 村委会 of `book` with the fixture's required villages' headers in row 1, then
/// `more` headers.
fn villages_sheet<'b>(book: &'b mut Workbook, more: &[&str]) -> &'b mut rust_xlsxwriter::Worksheet {
    let sheet = book.add_worksheet();
    sheet.set_name("村委会").unwrap();
    let headers = [
        "编号",
        "村名",
        "试点村",
        "建档立卡户数（户）",
        "建档立卡人数（人）",
        "帮扶资金（万元）",
        "参保率（%）",
    ];
    for (col, header) in headers.iter().chain(more).enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    sheet
}

/// Row 2 of a [`villages_sheet`]: 横溪村's id, name and 试点村 (its numbers left to the test).
fn hengxi_in_row_2(sheet: &mut rust_xlsxwriter::Worksheet) {
    sheet.write_string(1, 0, "hengxi").unwrap();
    sheet.write_string(1, 1, "横溪村").unwrap();
    sheet.write_boolean(1, 2, true).unwrap();
}

/// A date where a number belongs (Excel makes one of `1-3` typed in a cell) is told as a
/// date, at its cell, with how to make the cell hold a number.
#[test]
fn a_date_cell_in_a_column_of_numbers_is_told_as_excel_s_date() {
    let site = copy_site(&fixture("import"));
    let before = data_of(site.path());
    let mut book = Workbook::new();
    let sheet = villages_sheet(&mut book, &[]);
    hengxi_in_row_2(sheet);
    let typed = ExcelDateTime::from_ymd(2020, 1, 3).unwrap();
    let date = Format::new().set_num_format("m-d");
    sheet
        .write_datetime_with_format(1, 3, &typed, &date)
        .unwrap();
    sheet.write_number(1, 4, 468).unwrap();
    sheet.write_number(1, 5, 81.76875).unwrap();
    sheet.write_number(1, 6, 99.5).unwrap();
    book.save(site.path().join("d.xlsx")).unwrap();
    let out = import_villages(site.path(), "d.xlsx");
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(
            "d.xlsx 村委会!D2（建档立卡户数（户））: 单元格是日期（2020-01-03），不是数字"
        ) && said.contains("把单元格格式设为「数值」，重新输入数字"),
        "{said}"
    );
    assert_eq!(data_of(site.path()), before);
}

/// A formula's result shown rounded by its cell's format, with more decimals than the field
/// takes: refused (the number held is what would be imported), and said what the cell shows
/// and holds, with what to type. The General format shows what it holds: nothing more said.
#[test]
fn a_number_its_cell_shows_rounded_is_told_as_shown_and_held() {
    let site = copy_site(&fixture("import"));
    let before = data_of(site.path());
    // 横溪村 with its 参保率 99.455 in a cell of the format `coverage`.
    let book_of = |name: &str, coverage: &Format| {
        let mut book = Workbook::new();
        let sheet = villages_sheet(&mut book, &[]);
        hengxi_in_row_2(sheet);
        sheet.write_number(1, 3, 132).unwrap();
        sheet.write_number(1, 4, 468).unwrap();
        sheet.write_number(1, 5, 81.76875).unwrap();
        sheet
            .write_number_with_format(1, 6, 99.455, coverage)
            .unwrap();
        book.save(site.path().join(name)).unwrap();
    };
    book_of("r.xlsx", &Format::new().set_num_format("0.00"));
    let out = import_villages(site.path(), "r.xlsx");
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("共 1 个错误，0 个警告，1 条说明"), "{said}");
    assert!(
        said.contains("说明[import-shown-rounded] r.xlsx 村委会!G2（参保率（%））: 单元格显示 99.46（数字格式只显示 2 位小数），里面存的是 99.455：导入的是存的数")
            && said.contains("提示：报告要的是 2 位小数的数：在单元格里输入 99.46，或把公式套上 ROUND(…, 2)")
            && said.contains("最多 2 位小数，这里是 99.455"),
        "{said}"
    );
    assert_eq!(data_of(site.path()), before);
    let english = text(&huibao(
        site.path(),
        &[
            "--lang",
            "en",
            "import",
            "r.xlsx",
            "--into",
            "data/villages",
        ],
    ));
    assert!(
        english
            .contains("the cell shows 99.46 (its number format shows 2 decimals) but holds 99.455"),
        "{english}"
    );
    // Shown as held (the General format): the decimals error alone.
    book_of("g.xlsx", &Format::new());
    let said = text(&import_villages(site.path(), "g.xlsx"));
    assert!(
        said.contains("最多 2 位小数，这里是 99.455") && !said.contains("import-shown-rounded"),
        "{said}"
    );
}

/// A number shown with a unit by its cell's format (`0"元"`: 3420000元) is read with that
/// unit, converted to the field's; a unit other than the column's is said.
#[test]
fn a_unit_in_a_cell_s_number_format_is_read_with_the_number() {
    let site = copy_site(&fixture("import"));
    let mut book = Workbook::new();
    let sheet = villages_sheet(&mut book, &[]);
    hengxi_in_row_2(sheet);
    let hu = Format::new().set_num_format("0\"户\"");
    sheet.write_number_with_format(1, 3, 132, &hu).unwrap();
    sheet.write_number(1, 4, 468).unwrap();
    let yuan = Format::new().set_num_format("#,##0\"元\"");
    sheet
        .write_number_with_format(1, 5, 817687.5, &yuan)
        .unwrap();
    sheet.write_number(1, 6, 99.5).unwrap();
    book.save(site.path().join("u.xlsx")).unwrap();
    let out = import_villages(site.path(), "u.xlsx");
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("说明[import-format-unit] u.xlsx 村委会!F2（帮扶资金（万元））: 单元格显示 817687.5元（数字格式里写着单位「元」），这一列的单位是「万元」：按单元格显示的 817687.5元 读入")
            && said.contains("把单元格的数字格式改为「数值」（去掉「元」），再导入"),
        "{said}"
    );
    // The header's own unit shown in the cell (户数（户）, 0"户"): nothing said.
    assert_eq!(said.matches("import-format-unit").count(), 1, "{said}");
    // 817687.5元 is the 81.76875万元 the file holds: no change.
    assert!(!said.contains("帮扶资金："), "{said}");
    let hengxi = fs_read(site.path(), "data/villages/hengxi.yaml");
    assert!(hengxi.contains("fund: 81.76875"), "{hengxi}");
    assert!(huibao(site.path(), &["check"]).status.success());
    // 万 in a column of 万元 (a cell formatted `0.00000"万"`): 万元, nothing said.
    let mut book = Workbook::new();
    let sheet = villages_sheet(&mut book, &[]);
    hengxi_in_row_2(sheet);
    sheet.write_number(1, 3, 132).unwrap();
    sheet.write_number(1, 4, 468).unwrap();
    let wan = Format::new().set_num_format("0.00000\"万\"");
    sheet
        .write_number_with_format(1, 5, 81.76875, &wan)
        .unwrap();
    sheet.write_number(1, 6, 99.5).unwrap();
    book.save(site.path().join("w.xlsx")).unwrap();
    let said = text(&import_villages(site.path(), "w.xlsx"));
    assert!(
        said.contains("数据没有变化") && !said.contains("import-format-unit"),
        "{said}"
    );
    // A sheet's notes come under the line that names the sheet (as a terminal shows both).
    let both = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' import u.xlsx --into data/villages --dry-run 2>&1",
            env!("CARGO_BIN_EXE_huibao")
        ))
        .current_dir(site.path())
        .output()
        .unwrap();
    let both = String::from_utf8_lossy(&both.stdout);
    let (read, note) = (
        both.find("读取 u.xlsx 的工作表「村委会」").unwrap(),
        both.find("说明[import-format-unit]").unwrap(),
    );
    assert!(read < note, "{both}");
}

/// A value in a workbook's column with no header belongs to no field: one error at the
/// cell, the row not read, nothing written.
#[test]
fn a_value_past_a_workbook_s_header_is_an_error_at_its_cell() {
    let site = copy_site(&fixture("import"));
    let before = data_of(site.path());
    let workbook = |past: &str| {
        let mut book = Workbook::new();
        let sheet = villages_sheet(&mut book, &[]);
        hengxi_in_row_2(sheet);
        sheet.write_number(1, 3, 132).unwrap();
        sheet.write_number(1, 4, 468).unwrap();
        sheet.write_number(1, 5, 81.76875).unwrap();
        sheet.write_number(1, 6, 99.5).unwrap();
        sheet.write_string(1, 8, past).unwrap();
        book.save(site.path().join("w.xlsx")).unwrap();
    };
    workbook("已核");
    let out = import_villages(site.path(), "w.xlsx");
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(
            "错误[import-extra-cell] w.xlsx 村委会!I2: 这一格在表头之外（表头只有 7 列）"
        ) && said.contains("提示：给这一列加上表头"),
        "{said}"
    );
    assert_eq!(said.matches("错误[").count(), 1, "{said}");
    assert_eq!(data_of(site.path()), before);
    // A cell of spaces there shows nothing: no error.
    workbook(" ");
    let out = huibao(
        site.path(),
        &["import", "w.xlsx", "--into", "data/villages", "--dry-run"],
    );
    assert!(out.status.success(), "{}", text(&out));
}

/// Cells merged across rows below the header (the same note for two villages) hold their
/// value in the first cell only: refused at the merged cell, never read as the other rows
/// leaving their values out.
#[test]
fn merged_cells_across_rows_are_refused_not_read_as_empty() {
    let site = copy_site(&fixture("import"));
    let before = data_of(site.path());
    let mut book = Workbook::new();
    let sheet = villages_sheet(&mut book, &["备注"]);
    for (row, (id, name, households, people)) in
        [("hengxi", "横溪村", 132, 468), ("yunwan", "云湾村", 7, 21)]
            .into_iter()
            .enumerate()
    {
        let row = row as u32 + 1;
        sheet.write_string(row, 0, id).unwrap();
        sheet.write_string(row, 1, name).unwrap();
        sheet.write_boolean(row, 2, false).unwrap();
        sheet.write_number(row, 3, households).unwrap();
        sheet.write_number(row, 4, people).unwrap();
        sheet.write_number(row, 5, 1).unwrap();
        sheet.write_number(row, 6, 100).unwrap();
    }
    sheet
        .merge_range(1, 7, 2, 7, "东片", &Format::new())
        .unwrap();
    book.save(site.path().join("m.xlsx")).unwrap();
    let out = import_villages(site.path(), "m.xlsx");
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[import-merged] m.xlsx 村委会!H2（备注）: H2:H3 是合并的单元格：合并后只有第一格有值")
            && said.contains("取消合并，再在每一格填上值"),
        "{said}"
    );
    assert_eq!(said.matches("错误[").count(), 1, "{said}");
    assert_eq!(data_of(site.path()), before);
}

/// The villages' sheet imported into the township's file is told once, with the folder it
/// was made for, not as one unknown header for each column.
#[test]
fn a_sheet_imported_into_the_wrong_folder_is_told_which_it_was_made_for() {
    let site = copy_site(&fixture("import"));
    let before = data_of(site.path());
    std::fs::write(site.path().join("v.csv"), villages_csv("468")).unwrap();
    let out = huibao(site.path(), &["import", "v.csv", "--into", "data/township"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(
            "错误[import-into] v.csv v: 这张表是 data/villages 的：表头有 8 列是它的字段，只有 1 列是 data/township 的"
        ) && said.contains("写成 huibao import v.csv --into data/villages"),
        "{said}"
    );
    assert_eq!(said.matches("错误[").count(), 1, "{said}");
    assert!(!said.contains("import-header"), "{said}");
    let english = text(&huibao(
        site.path(),
        &["--lang", "en", "import", "v.csv", "--into", "data/township"],
    ));
    assert!(
        english.contains("this sheet was made for data/villages: 8 of its headers are fields there, only 1 in data/township"),
        "{english}"
    );
    assert_eq!(data_of(site.path()), before);
    // Into the folder it was made for, it imports.
    let out = import_villages(site.path(), "v.csv");
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_number_in_scientific_notation_is_refused_at_its_cell_with_the_figure_written_out() {
    // Excel shows 1094.52 as 1.09452E+03 in a narrow column, rounded to six digits: a
    // copied figure may have lost digits, and read as a number it printed 1094.52000.
    let site = copy_site(&fixture("import"));
    let before = data_of(site.path());
    for (money, header) in [
        ("8.17688E+01", "帮扶资金（万元）"),
        ("8.17688E+05", "帮扶资金（元）"),
    ] {
        let csv = format!(
            "编号,村名,试点村,建档立卡户数（户）,建档立卡人数（人）,{header},参保率（%）\r\n\
             hengxi,横溪村,true,132,468,{money},99.50\r\n"
        );
        std::fs::write(site.path().join("s.csv"), csv).unwrap();
        let out = import_villages(site.path(), "s.csv");
        let said = text(&out);
        assert!(!out.status.success(), "{said}");
        assert!(said.contains("[number-scientific]"), "{said}");
        assert!(said.contains("s!F2"), "{said}");
        assert!(said.contains("是科学计数法"), "{said}");
        assert_eq!(data_of(site.path()), before, "nothing written");
    }
}

/// The import fixture's two villages and its township as one workbook, as `export xlsx`
/// names its sheets: 横溪村's households `hengxi`, the township's `township`.
fn village_and_township_book(path: &Path, hengxi: &str, township: &str) {
    let mut book = Workbook::new();
    text_sheet(
        &mut book,
        "村委会",
        &[
            &[
                "编号",
                "村名",
                "试点村",
                "建档立卡户数（户）",
                "建档立卡人数（人）",
                "帮扶资金（万元）",
                "参保率（%）",
            ],
            &["hengxi", "横溪村", "是", hengxi, "468", "81.76875", "99.50"],
            &["yunwan", "云湾村", "否", "7", "21", "0.0342", "100"],
        ],
    );
    text_sheet(
        &mut book,
        "乡基本情况",
        &[&["乡名", "建档立卡户数（户）"], &["测试乡", township]],
    );
    text_sheet(&mut book, "说明", &[&["本表由乡扶贫办填写"]]);
    book.save(path).unwrap();
}

#[test]
fn a_figure_that_others_add_up_to_is_imported_with_its_total_from_one_workbook() {
    // 横溪村 133 households (was 132) and the township's total 140 (was 139): each sheet
    // alone breaks the rule that the villages add up to the township's figure, so each is
    // refused alone; the workbook as a whole (no --into: every sheet named as the data are,
    // or both --into at once) is checked together and written together.
    let site = copy_site(&fixture("import"));
    let root = site.path();
    village_and_township_book(&root.join("book.xlsx"), "133", "140");
    let before = data_of(root);
    for into in ["data/villages", "data/township.yaml"] {
        let out = huibao(root, &["import", "book.xlsx", "--into", into]);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "{into}: {said}");
        assert!(said.contains("[households-sum]"), "{into}: {said}");
        assert_eq!(data_of(root), before, "{into}: nothing written");
    }
    let out = huibao(
        root,
        &[
            "import",
            "book.xlsx",
            "--into",
            "data/villages",
            "--into",
            "data/township.yaml",
            "--dry-run",
        ],
    );
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("读取 book.xlsx 的工作表「村委会」：2 条记录")
            && said.contains("读取 book.xlsx 的工作表「乡基本情况」：1 条记录"),
        "{said}"
    );
    assert_eq!(data_of(root), before, "a dry run writes nothing");
    let out = huibao(root, &["import", "book.xlsx"]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("132户 → 133户") && said.contains("139户 → 140户"),
        "{said}"
    );
    assert!(fs_read(root, "data/villages/hengxi.yaml").contains("households: 133   # 户"));
    assert!(fs_read(root, "data/township.yaml").contains("households: 140   # 户"));
    let check = huibao(root, &["check"]);
    assert!(check.status.success(), "{}", text(&check));
    // Again: nothing changes, the sheets named in one line.
    let out = huibao(root, &["import", "book.xlsx"]);
    let said = text(&out);
    assert!(
        said.contains("未变的工作表（2 张）：乡基本情况、村委会\n数据没有变化，没有写入文件。"),
        "{said}"
    );

    // A workbook with no sheet named as the data are: told to say where with --into.
    let mut book = Workbook::new();
    text_sheet(
        &mut book,
        "Sheet1",
        &[&["编号", "村名"], &["hengxi", "横溪村"]],
    );
    book.save(root.join("other.xlsx")).unwrap();
    let out = huibao(root, &["import", "other.xlsx"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("没有用 --into 指定导入到哪里")
            && said.contains("用 --into 写出导入到哪里：data/township.yaml、data/villages"),
        "{said}"
    );
}

#[test]
fn a_cell_that_contradicts_the_corrections_log_is_refused_before_anything_is_written() {
    // The bundled report's log says the industry fund is now 342万元; a sheet that makes it
    // 350 would leave `check` failing after the import: told at import, at the log's entry,
    // the cell named beside it, and nothing written.
    let site = copy_site(&common::repo());
    let root = site.path();
    let export = huibao(
        root,
        &[
            "export",
            "csv",
            "--sheet",
            "policies/industry.yaml",
            "--out",
            "i.csv",
        ],
    );
    assert!(export.status.success(), "{}", text(&export));
    let sheet = fs_read(root, "i.csv");
    assert!(sheet.contains("\n产业扶贫,342,"), "{sheet}");
    std::fs::write(
        root.join("i.csv"),
        sheet.replace("\n产业扶贫,342,", "\n产业扶贫,350,"),
    )
    .unwrap();
    let before = data_of(root);
    let out = huibao(
        root,
        &["import", "i.csv", "--into", "data/policies/industry.yaml"],
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[correction] data/corrections.yaml:15:10")
            && said.contains("现在是 342万元，但数据里是 350万元")
            && said.contains("i.csv i!B2（财政专项扶贫资金（万元））"),
        "{said}"
    );
    assert_eq!(data_of(root), before, "nothing written");
}

#[test]
fn a_value_in_a_column_with_no_header_is_an_error_at_its_cell_not_dropped() {
    // An empty column inserted between two of the header's, a note typed into it: which
    // field it is nobody knows; it is not lost without a word.
    let site = copy_site(&fixture("import"));
    let root = site.path();
    let before = data_of(root);
    let mut book = Workbook::new();
    text_sheet(
        &mut book,
        "村委会",
        &[
            &[
                "编号",
                "村名",
                "",
                "试点村",
                "建档立卡户数（户）",
                "建档立卡人数（人）",
                "帮扶资金（万元）",
                "参保率（%）",
            ],
            &[
                "hengxi",
                "横溪村",
                "",
                "是",
                "132",
                "468",
                "81.76875",
                "99.50",
            ],
            &[
                "yunwan",
                "云湾村",
                "人数已核实",
                "否",
                "7",
                "21",
                "0.0342",
                "100",
            ],
        ],
    );
    book.save(root.join("v.xlsx")).unwrap();
    let out = import_villages(root, "v.xlsx");
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(
            "错误[import-extra-cell] v.xlsx 村委会!C3: 这一格（「人数已核实」）所在的列没有表头"
        ) && said.contains("给这一列加上表头"),
        "{said}"
    );
    assert!(said.contains("共 1 个错误"), "{said}");
    assert_eq!(data_of(root), before, "nothing written");
}

#[test]
fn a_lists_sheet_renamed_is_an_error_not_its_changes_left_out() {
    // 村委会·历年脱贫 renamed 历年脱贫 (or 村委会-历年脱贫): its items would not be read and
    // 2019's 170 people would stay 168 while the import said it was done.
    let site = copy_site(&fixture("spreadsheet"));
    let root = site.path();
    let before = data_of(root);
    for renamed in ["历年脱贫", "村委会-历年脱贫"] {
        villages_with_exits_on(
            &root.join("v.xlsx"),
            &[("hengxi", 1, 2018, 300), ("hengxi", 2, 2019, 170)],
            renamed,
        );
        let out = import_villages(root, "v.xlsx");
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "{renamed}: {said}");
        assert!(
            said.contains(&format!(
                "错误[import-sheet] v.xlsx {renamed}: 列表「历年脱贫」的工作表要叫「村委会·历年脱贫」：工作表「{renamed}」没有读，它的改动不会导入"
            )) && said.contains(&format!("提示：把工作表「{renamed}」改名为「村委会·历年脱贫」，再导入")),
            "{renamed}: {said}"
        );
        assert_eq!(data_of(root), before, "nothing written");
    }
}

#[test]
fn an_export_under_another_formats_name_or_with_data_errors_exports_nothing_and_says_so() {
    let site = copy_site(&fixture("import"));
    let root = site.path();
    for (format, out, meant) in [
        ("pdf", "汇报.docx", "汇报.pdf"),
        ("xlsx", "数据.csv", "数据.xlsx"),
        ("csv", "村.xlsx", "村.csv"),
    ] {
        let mut args = vec!["export", format, "--out", out];
        if format == "csv" {
            args.extend(["--sheet", "villages"]);
        }
        let done = huibao(root, &args);
        let said = text(&done);
        assert_eq!(done.status.code(), Some(1), "{format}: {said}");
        assert!(
            said.contains(&format!(
                "错误[export-extension] {out}: 导出的是 {format} 文件"
            )) && said.contains(&format!("提示：写成 --out {meant}"))
                && said.contains("没有导出"),
            "{format}: {said}"
        );
        assert!(!root.join(out).exists(), "{format}: nothing written");
    }
    // A sheet named as `import --into` names its target: the same sheet.
    for sheet in [
        "township",
        "data/township",
        "data\\township.yaml",
        "township.yaml",
    ] {
        let done = huibao(root, &["export", "csv", "--sheet", sheet, "--out", "t.csv"]);
        let said = text(&done);
        assert!(
            said.contains("已导出 t.csv（数据表及行数：乡基本情况 1）"),
            "{sheet}: {said}"
        );
    }
    // A workbook's data with an error: nothing exported, and said so (an older export of
    // the same name is not this one).
    std::fs::write(
        root.join("data/villages/yunwan.yaml"),
        "name: 云湾村\npilot: 也许\n",
    )
    .unwrap();
    let done = huibao(root, &["export", "xlsx", "--out", "数据.xlsx"]);
    let said = text(&done);
    assert_eq!(done.status.code(), Some(1), "{said}");
    assert!(said.contains("没有导出：改正以上问题后再导出"), "{said}");
    assert!(!root.join("数据.xlsx").exists());
}

#[test]
fn notes_and_signatures_under_the_table_are_left_out_and_said() {
    let site = copy_site(&fixture("import"));
    let root = site.path();
    let csv = format!(
        "{}注：数据截至2020年10月底\r\n填表人：张三,,审核人：李四\r\n",
        villages_csv("470")
    );
    std::fs::write(root.join("v.csv"), csv).unwrap();
    let out = import_villages(root, "v.csv");
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert_eq!(said.matches("警告[import-note-row]").count(), 2, "{said}");
    assert!(
        said.contains("警告[import-note-row] v.csv v!4:4: 这是表下的注释或签名行")
            && said.contains("读取 v.csv 的工作表「v」：2 条记录")
            && said.contains("468人 → 470人"),
        "{said}"
    );
}

#[test]
fn a_figure_a_thousand_times_larger_or_smaller_is_warned_of_at_its_cell() {
    // 横溪村's fund typed in 元 (817687.5) in the column of 万元: imported as asked, but
    // said, at its cell, with how to name the column's unit.
    let site = copy_site(&fixture("import"));
    let root = site.path();
    let csv = villages_csv("468").replacen(",81.76875,", ",817687.5,", 1);
    std::fs::write(root.join("v.csv"), csv).unwrap();
    let out = huibao(
        root,
        &["import", "v.csv", "--into", "data/villages", "--dry-run"],
    );
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("警告[import-magnitude] v.csv v!G2（帮扶资金（万元））: ")
            && said.contains("从 81.76875万元 变成 817687.5万元，大了 10000 倍：单位写对了吗？")
            && said.contains("在表头写出来：帮扶资金（元）"),
        "{said}"
    );
    // Written so in the header, it is the same figure: nothing changes, nothing said.
    let csv = villages_csv("468")
        .replacen("帮扶资金（万元）", "帮扶资金（元）", 1)
        .replacen(",81.76875,", ",817687.5,", 1)
        .replacen(",0.0342,", ",342,", 1);
    std::fs::write(root.join("v.csv"), csv).unwrap();
    let out = huibao(
        root,
        &["import", "v.csv", "--into", "data/villages", "--dry-run"],
    );
    let said = text(&out);
    assert!(
        !said.contains("import-magnitude") && said.contains("未变 2 个文件"),
        "{said}"
    );
}

#[test]
fn a_hidden_or_copied_records_sheet_is_told_for_what_it_is() {
    let site = copy_site(&fixture("import"));
    let root = site.path();
    let rows: &[&[&str]] = &[&["编号", "村名"], &["hengxi", "横溪村"]];
    // Hidden: not "no sheet is called 村委会".
    let mut book = Workbook::new();
    text_sheet(&mut book, "说明", &[&["填表说明"]]);
    text_sheet(&mut book, "村委会", rows).set_hidden(true);
    text_sheet(&mut book, "其他", &[&["x"]]);
    book.save(root.join("h.xlsx")).unwrap();
    let said = text(&import_villages(root, "h.xlsx"));
    assert!(
        said.contains("错误[import-sheet] h.xlsx: 工作表「村委会」被隐藏了")
            && said.contains("提示：在 Excel/WPS 里取消隐藏它，或者加上 --sheet 村委会"),
        "{said}"
    );
    // A copy's name (村委会 (2)): the hint names the sheet there is.
    let mut book = Workbook::new();
    text_sheet(&mut book, "说明", &[&["填表说明"]]);
    text_sheet(&mut book, "村委会 (2)", rows);
    book.save(root.join("c.xlsx")).unwrap();
    let said = text(&import_villages(root, "c.xlsx"));
    assert!(
        said.contains("没有一个叫「村委会」") && said.contains("例如 --sheet \"村委会 (2)\""),
        "{said}"
    );
}

#[test]
fn a_formula_with_no_result_saved_is_told_so_at_its_cell() {
    // A workbook written by a program (not saved by Excel or WPS) may hold a formula with no
    // result: it is not an empty cell.
    let site = copy_site(&fixture("import"));
    let root = site.path();
    let hengxi: &[&str] = &["hengxi", "横溪村", "true", "132", "", "81.76875", "99.50"];
    let formula = Formula::new("=400+68").set_result("");
    formula_book(&root.join("f.xlsx"), hengxi, 4, formula);
    let before = data_of(root);
    let out = import_villages(root, "f.xlsx");
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    // (Read as the 0 a program saves for it, it changed 468 to 0.)
    assert!(
        said.contains("f.xlsx 村委会!E2（建档立卡人数（人））: 单元格里是公式 =400+68，工作簿里没有保存它的计算结果")
            && said.contains("在 Excel 或 WPS 里打开它、保存一次，再导入"),
        "{said}"
    );
    assert!(!said.contains("468人 → 0人"), "{said}");
    assert_eq!(data_of(root), before);
    let english = text(&huibao(
        root,
        &[
            "--lang",
            "en",
            "import",
            "f.xlsx",
            "--into",
            "data/villages",
        ],
    ));
    assert!(
        english.contains(
            "the cell holds the formula =400+68 and the workbook has no result of it saved"
        ),
        "{english}"
    );
}

#[test]
fn an_empty_required_cell_is_told_to_be_filled_not_to_edit_the_schema() {
    let site = copy_site(&fixture("import"));
    let root = site.path();
    std::fs::write(
        root.join("req.csv"),
        "编号,村名,试点村,建档立卡户数（户）,建档立卡人数（人）,帮扶资金（万元）,参保率（%）\nhengxi,横溪村,true,,468,81.76875,99.50\n",
    )
    .unwrap();
    let before = data_of(root);
    let out = import_villages(root, "req.csv");
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[required] req.csv req!D2（建档立卡户数（户））: 缺少必填字段「户数」")
            && said.contains(
                "提示：在这个单元格填上这个数（是 0 就填 0）；若确实没有这个数，不要填 0 充数"
            )
            && !said.contains("在 schema 里把字段标为"),
        "{said}"
    );
    assert_eq!(data_of(root), before);
}

//! `huibao export xlsx` and `huibao export csv`: the checked data as spreadsheets, read back
//! by calamine (as a spreadsheet program reads them), by the zip's own parts, and by Python's
//! csv module.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{copy_site, fixture, huibao, repo, text};
use std::io::Read;
use std::path::Path;

/// The sheets of a workbook file: name, then rows of cells.
fn read_workbook(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut workbook: Xlsx<_> = open_workbook(path).expect("calamine opens the workbook");
    let names = workbook.sheet_names().to_vec();
    names
        .into_iter()
        .map(|name| {
            let range = workbook.worksheet_range(&name).expect("a sheet");
            let rows = range.rows().map(|r| r.to_vec()).collect();
            (name, rows)
        })
        .collect()
}

/// A part of the xlsx file (it is a zip), as text.
fn part(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut out = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
    out
}

/// What Python prints running `script` on `file` (the CSV module reads it as Excel would).
fn python(script: &str, file: &Path) -> String {
    let run = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(file)
        .output()
        .expect("python3 runs (the CI installs it)");
    assert!(run.status.success(), "{}", text(&run));
    String::from_utf8_lossy(&run.stdout).trim().to_string()
}

/// The text of a CSV file as Excel on Chinese Windows wants it: a byte-order mark, CRLF.
fn excel_csv(file: &Path) -> String {
    let bytes = std::fs::read(file).unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "a byte-order mark"
    );
    let csv = String::from_utf8(bytes).unwrap();
    assert_eq!(
        csv.matches("\r\n").count(),
        csv.matches('\n').count(),
        "CRLF only"
    );
    csv
}

/// The row whose first cell is `id`, with the header row.
fn row_of<'s>(sheet: &'s [Vec<Data>], id: &str) -> (&'s [Data], &'s [Data]) {
    let row = sheet
        .iter()
        .find(|r| r.first() == Some(&Data::String(id.into())))
        .unwrap_or_else(|| panic!("a row for {id}"));
    (&sheet[0], row)
}

/// The cell of `row` under `header`.
fn under<'r>(header: &[Data], row: &'r [Data], wanted: &str) -> &'r Data {
    let at = header
        .iter()
        .position(|h| *h == Data::String(wanted.into()))
        .unwrap_or_else(|| panic!("a column {wanted}: {header:?}"));
    &row[at]
}

#[test]
fn the_bundled_data_export_as_a_workbook_a_sheet_per_kind_numbers_as_numbers() {
    let site = copy_site(&repo());
    let out = site.path().join("数据.xlsx");
    let run = huibao(site.path(), &["export", "xlsx", "--out", "数据.xlsx"]);
    assert!(run.status.success(), "{}", text(&run));
    assert!(text(&run).contains("村委会 17"), "{}", text(&run));
    let sheets = read_workbook(&out);
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    for wanted in [
        "乡基本情况",
        "乡基本情况·历年脱贫",
        "村委会",
        "健康扶贫",
        "教育扶贫",
    ] {
        assert!(names.contains(&wanted), "{wanted} in {names:?}");
    }
    let villages = &sheets.iter().find(|(n, _)| n == "村委会").unwrap().1;
    assert_eq!(villages.len(), 18, "a header and 17 villages");
    let (header, hengxi) = row_of(villages, "hengxi");
    assert_eq!(
        under(header, hengxi, "村名"),
        &Data::String("横溪村".into())
    );
    assert_eq!(
        under(header, hengxi, "建档立卡户数（户）"),
        &Data::Float(132.0)
    );
    let health = &sheets.iter().find(|(n, _)| n == "健康扶贫").unwrap().1;
    let total = health[0]
        .iter()
        .position(|h| h.to_string().contains("总费用"))
        .expect("a 总费用 column");
    assert_eq!(health[1][total].to_string(), "1094.52");
    // The same data, the same bytes.
    let first = std::fs::read(&out).unwrap();
    let again = huibao(site.path(), &["export", "xlsx", "--out", "数据.xlsx"]);
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(first, std::fs::read(&out).unwrap(), "deterministic bytes");
    // Frozen header, widths set, bold header, numbers shown with their decimals.
    let sheet = part(&out, "xl/worksheets/sheet4.xml");
    assert!(sheet.contains(r#"state="frozen""#), "{sheet}");
    assert!(
        sheet.contains("<cols>") && sheet.contains("customWidth"),
        "{sheet}"
    );
    let styles = part(&out, "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="0.00""#), "{styles}");
    // A fixed date, not today's.
    assert!(part(&out, "docProps/core.xml").contains("2000-01-01T00:00:00Z"));
}

#[test]
fn decimals_come_back_exactly_and_longer_ones_than_excel_keeps_go_as_text_with_a_note() {
    let site = copy_site(&fixture("spreadsheet"));
    let run = huibao(site.path(), &["export", "xlsx", "--out", "out.xlsx"]);
    assert!(run.status.success(), "{}", text(&run));
    let out = site.path().join("out.xlsx");
    let sheets = read_workbook(&out);
    let villages = &sheets[0].1;
    let (header, hengxi) = row_of(villages, "hengxi");
    let fund = under(header, hengxi, "帮扶资金（万元）");
    // Excel's double, shown as Excel shows it: the decimal of the YAML file.
    let Data::Float(double) = fund else {
        panic!("a number: {fund:?}")
    };
    assert_eq!(double.to_string(), "81.76875");
    let (_, yunwan) = row_of(villages, "yunwan");
    // 342元 in a 万元 column, converted exactly.
    assert_eq!(
        under(header, yunwan, "帮扶资金（万元）").to_string(),
        "0.0342"
    );
    assert_eq!(
        under(header, yunwan, "村名"),
        &Data::String("云湾村, 东片".into())
    );
    assert_eq!(under(header, hengxi, "试点村"), &Data::Bool(true));
    // 20 significant digits: text, and a note says why.
    assert_eq!(
        under(header, hengxi, "占比"),
        &Data::String("0.12345678901234567890".into())
    );
    assert!(
        part(&out, "xl/comments1.xml").contains("15"),
        "a note on the cell"
    );
    let exits = &sheets
        .iter()
        .find(|(n, _)| n == "村委会·历年脱贫")
        .unwrap()
        .1;
    let headers: Vec<String> = exits[0].iter().map(ToString::to_string).collect();
    assert_eq!(headers, ["编号", "序号", "年度", "脱贫人数（人）"]);
    assert_eq!(exits.len(), 3, "a header and hengxi's two years");
}

#[test]
fn a_csv_sheet_has_a_bom_crlf_and_plain_numbers_and_python_reads_it() {
    let site = copy_site(&fixture("spreadsheet"));
    let run = huibao(site.path(), &["export", "csv", "--sheet", "villages"]);
    assert!(run.status.success(), "{}", text(&run));
    let file = site.path().join("村委会.csv");
    let csv = excel_csv(&file);
    assert!(csv.contains(",81.76875,"), "{csv}");
    // By its sheet name too.
    let by_name = huibao(
        site.path(),
        &["export", "csv", "--sheet", "村委会·历年脱贫"],
    );
    assert!(by_name.status.success(), "{}", text(&by_name));
    let script = r#"
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
print(rows[0][3], rows[2][1], rows[1][5], len(rows))
"#;
    assert_eq!(
        python(script, &file),
        "建档立卡户数（户） 云湾村, 东片 81.76875 3"
    );
}

#[test]
fn an_unknown_sheet_or_data_with_errors_export_nothing_and_say_why() {
    let site = copy_site(&fixture("spreadsheet"));
    let run = huibao(site.path(), &["export", "csv", "--sheet", "vilages"]);
    assert!(!run.status.success());
    assert!(text(&run).contains("是不是「villages」"), "{}", text(&run));
    let run = huibao(site.path(), &["--lang", "en", "export", "csv"]);
    assert!(!run.status.success());
    assert!(text(&run).contains("--sheet villages"), "{}", text(&run));
    // A count that is not a whole number: the export stops at the data's error.
    let file = site.path().join("data/villages/yunwan.yaml");
    let yaml = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, yaml.replace("households: 7", "households: 7.5")).unwrap();
    let run = huibao(site.path(), &["export", "xlsx", "--out", "bad.xlsx"]);
    assert!(!run.status.success());
    assert!(text(&run).contains("yunwan.yaml:4"), "{}", text(&run));
    assert!(!site.path().join("bad.xlsx").exists(), "nothing written");
}

#[test]
fn a_build_offers_the_data_as_a_workbook_and_csv_on_its_page_the_same_bytes_each_time() {
    // The bundled report offers its data: `[document] downloads = ["xlsx"]`.
    let site = copy_site(&repo());
    let out = site.path().join("public");
    let first = common::build_ok(site.path(), &out);
    let file = out.join("示例乡2020年脱贫攻坚工作情况汇报-数据.xlsx");
    let sheets = read_workbook(&file);
    let villages = &sheets.iter().find(|(n, _)| n == "村委会").unwrap().1;
    assert_eq!(villages.len(), 18, "{first}");
    // Every page links the page 「数据下载」, by a relative address; it links the workbook
    // and each sheet's CSV, which Python's csv module reads as the data.
    for (page, link) in [
        ("index.html", "href=\"downloads.html\""),
        ("villages/hengxi.html", "href=\"../downloads.html\""),
    ] {
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        assert!(html.contains(&format!("{link} title=")), "{page}");
        assert!(html.contains(">数据下载</a>"), "{page}");
    }
    let downloads = std::fs::read_to_string(out.join("downloads.html")).unwrap();
    assert!(
        downloads.contains("-%E6%95%B0%E6%8D%AE.xlsx\" download>"),
        "the workbook"
    );
    assert!(
        downloads.contains(
            "<a href=\"downloads/%E6%9D%91%E5%A7%94%E4%BC%9A.csv\" download>村委会.csv</a>"
        ),
        "{downloads}"
    );
    let csv = out.join("downloads/村委会.csv");
    excel_csv(&csv);
    let script = r#"
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
hengxi = [r for r in rows if r[0] == "hengxi"][0]
print(len(rows), rows[0][5], hengxi[5])
"#;
    assert_eq!(python(script, &csv), "18 建档立卡户数（户） 132");
    let sheets_listed = downloads.matches(".csv</a>").count();
    assert_eq!(sheets_listed, sheets.len(), "a CSV per sheet");
    let bytes = std::fs::read(&file).unwrap();
    let again = common::build_ok(site.path(), &out);
    assert!(again.contains("修改 0"), "{again}");
    assert_eq!(bytes, std::fs::read(&file).unwrap());
}

#[test]
fn every_data_table_of_the_site_has_its_csv_which_python_reads() {
    let site = copy_site(&repo());
    let out = site.path().join("public");
    let said = common::build_ok(site.path(), &out);
    // The files the build says it made count the tables' files (a first build adds them all).
    let made = said
        .split("已生成 ")
        .nth(1)
        .and_then(|t| t.split(' ').next());
    let added = said
        .split("新增 ")
        .nth(1)
        .and_then(|t| t.split('，').next());
    assert_eq!(made, added, "{said}");
    let page = std::fs::read_to_string(out.join("villages/index.html")).unwrap();
    assert!(
        page.contains("<p class=\"site-only table-download\"><a href=\"index.table-1.csv\" download>下载 CSV</a></p>"),
        "a link right after the table"
    );
    let file = out.join("villages/index.table-1.csv");
    excel_csv(&file);
    let script = r#"
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
header = rows[0]
hengxi = next(r for r in rows if r[0] == "横溪村")
print(header[3], hengxi[3], rows[-1][0], rows[-1][3])
"#;
    // The unit moved to the header, the figures plain; the table's totals row too.
    assert_eq!(
        python(script, &file),
        "建档立卡户数（户） 132 全乡数字 1841"
    );
    // Only the site has the links: not the page to print, not the search index.
    let print = std::fs::read_to_string(out.join("print.html")).unwrap();
    assert!(!print.contains("下载 CSV"));
    // A corrected figure is its value: the page's link to its correction (更正) is not.
    let health = std::fs::read_to_string(out.join("policies/health.table-3.csv")).unwrap();
    assert!(health.contains("\r\n履约服务人数,6336人\r\n"), "{health}");
    assert!(!health.contains("更正"), "{health}");
}

#[test]
fn tables_csv_false_makes_no_table_files_and_no_links() {
    let site = copy_site(&repo());
    let config = site.path().join("huibao.toml");
    let toml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{toml}\n[tables]\ncsv = false\n")).unwrap();
    let out = site.path().join("public");
    common::build_ok(site.path(), &out);
    // The tables' files are gone; the data's own CSV files (the page 「数据下载」) stay.
    let csvs = walkdir::WalkDir::new(&out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "csv"))
        .filter(|e| !e.path().starts_with(out.join("downloads")))
        .count();
    assert_eq!(csvs, 0);
    let page = std::fs::read_to_string(out.join("villages/index.html")).unwrap();
    assert!(!page.contains("下载 CSV"));
}

#[test]
fn offering_the_data_without_a_schema_or_over_a_page_of_the_same_name_is_an_error() {
    // No data/schema.yaml: the sheets' headers cannot be made.
    let site = copy_site(&fixture("small"));
    let config = site.path().join("huibao.toml");
    let toml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{toml}\n[document]\ndownloads = [\"xlsx\"]\n"),
    )
    .unwrap();
    let out = huibao(site.path(), &["build"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("xlsx-schema-missing"), "{}", text(&out));
    assert!(!site.path().join("public").exists(), "nothing published");
    // A page of the content where 「数据下载」 goes.
    let site = copy_site(&repo());
    std::fs::write(
        site.path().join("content/downloads.md"),
        "+++\ntitle = \"下载\"\n+++\n下载。\n",
    )
    .unwrap();
    let out = huibao(site.path(), &["build"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("data-page-taken"), "{}", text(&out));
}

#[test]
fn the_figures_manifest_names_the_downloads_that_carry_the_figures() {
    let site = copy_site(&repo());
    let out = site.path().join("public");
    common::build_ok(site.path(), &out);
    let manifest = huibao::manifest::Manifest::read(&out).expect("figures.json");
    // A page's tables' files carry its figures.
    let overview = manifest
        .pages
        .iter()
        .find(|p| p.page == "villages/index.html")
        .unwrap();
    assert_eq!(
        overview.downloads,
        [
            "villages/index.table-1.csv",
            "villages/index.table-2.csv",
            "villages/index.table-3.csv"
        ]
    );
    // The data's own downloads carry every value of the data.
    assert!(
        manifest
            .downloads
            .contains(&"示例乡2020年脱贫攻坚工作情况汇报-数据.xlsx".to_string()),
        "{:?}",
        manifest.downloads
    );
    assert!(
        manifest
            .downloads
            .contains(&"downloads/村委会.csv".to_string())
    );
    let text = std::fs::read_to_string(out.join("figures.json")).unwrap();
    assert!(text.contains("\"downloads\": [\"villages/index.table-1.csv\","));
}

#[test]
fn a_temporary_folder_that_cannot_be_written_stops_the_build_with_what_to_do() {
    // A workbook's rows go to the system's temporary folder as they are written.
    let site = copy_site(&repo());
    let out = site.path().join("public");
    let missing = site.path().join("no-such-folder");
    let run = common::huibao_with_env(
        site.path(),
        &["build", "--out", "public"],
        &[("TMPDIR", missing.as_os_str())],
    );
    assert!(!run.status.success(), "{}", text(&run));
    let said = text(&run);
    assert!(
        said.contains("[xlsx]") && said.contains("临时文件夹") && said.contains("no-such-folder"),
        "{said}"
    );
    assert!(!out.exists(), "nothing published");
    // In English when asked.
    let run = common::huibao_with_env(
        site.path(),
        &["--lang", "en", "build", "--out", "public"],
        &[("TMPDIR", missing.as_os_str())],
    );
    assert!(text(&run).contains("temporary folder"), "{}", text(&run));
}

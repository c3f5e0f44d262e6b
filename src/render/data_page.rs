//! The page 「数据下载」 (`downloads.html`), made when the site offers its data to download
//! (`[document] downloads = ["xlsx"]`): the whole data as one Excel workbook, each of its
//! sheets as a CSV file (`downloads/村委会.csv`: UTF-8 with BOM, CRLF), and the report's
//! documents when the site offers them. Links are relative; the files are made from the
//! checked data by [`crate::spreadsheet`], the same bytes every build.

use bytes::Bytes;
use serde_json::Value as Json;
use std::path::PathBuf;
use tera::Tera;

use super::PagePlan;
use crate::diagnostics::{Diagnostic, Location, Text};
use crate::discover::Site;
use crate::spreadsheet::{self, Sheet};

/// The page's path in the output folder.
pub const PAGE: &str = "downloads.html";

/// The folder of the sheets' CSV files.
pub const FOLDER: &str = "downloads";

/// A sheet's CSV file in the output folder: `downloads/村委会.csv`.
pub fn csv_path(sheet: &Sheet) -> String {
    let name: String = sheet
        .name
        .chars()
        .map(|c| {
            if c.is_control() || "\\/:*?\"<>|#%".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    format!("{FOLDER}/{name}.csv")
}

/// The sheets' CSV files.
pub fn csv_files(sheets: &[Sheet]) -> Vec<(PathBuf, Bytes)> {
    sheets
        .iter()
        .map(|sheet| {
            let csv = spreadsheet::csv::csv(sheet);
            (
                PathBuf::from(csv_path(sheet)),
                Bytes::from(csv.into_bytes()),
            )
        })
        .collect()
}

/// A path as a link: each part percent-encoded.
fn url(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, super::IN_URL).to_string()
}

/// The page, in the layout of every page: the workbook (named `workbook`), each sheet's
/// CSV, and the other documents offered (`documents`: file and label).
pub fn render(
    layout_tera: &Tera,
    site: &Site,
    plan: &PagePlan,
    site_json: &Json,
    sheets: &[Sheet],
    workbook: &str,
    documents: &[(String, &str)],
) -> Result<String, Diagnostic> {
    let zh = !site.config.language.starts_with("en");
    let words = |zh_text: &'static str, en_text: &'static str| if zh { zh_text } else { en_text };
    let mut content = String::new();
    content.push_str(&format!(
        "<p>{}</p>\n",
        words(
            "本报告的全部数据，与网页上的数字出自同一份经过检查的数据：可以用 Excel 或 WPS 打开、核对、汇总。",
            "All the data of this report, the same checked data as the figures on its pages: open them in Excel or WPS to check and sum.",
        )
    ));
    let rows: usize = sheets.iter().map(|s| s.rows.len()).sum();
    content.push_str(&format!(
        "<p class=\"data-download-all\"><a href=\"{}\" download>{}</a>（{}）</p>\n",
        url(workbook),
        crate::html::escape_html_text(workbook),
        if zh {
            format!("Excel 工作簿，{} 张表，共 {rows} 行", sheets.len())
        } else {
            format!("Excel workbook, {} sheets, {rows} rows", sheets.len())
        }
    ));
    content.push_str(&format!(
        "<table class=\"data-downloads\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>CSV</th></tr></thead>\n<tbody>\n",
        words("数据表", "Sheet"),
        words("来源", "Source"),
        words("行数", "Rows"),
    ));
    for sheet in sheets {
        let path = csv_path(sheet);
        content.push_str(&format!(
            "<tr><td>{}</td><td><code>data/{}</code></td><td class=\"num\">{}</td><td><a href=\"{}\" download>{}</a></td></tr>\n",
            crate::html::escape_html_text(&sheet.name),
            crate::html::escape_html_text(&sheet.source),
            sheet.rows.len(),
            url(&path),
            crate::html::escape_html_text(path.trim_start_matches("downloads/")),
        ));
    }
    content.push_str("</tbody>\n</table>\n");
    content.push_str(&format!(
        "<p class=\"data-download-note\">{}</p>\n",
        words(
            "CSV 为 UTF-8（带 BOM）编码，Excel 和 WPS 可直接打开；表头带单位，数字为精确的小数。",
            "The CSV files are UTF-8 with a byte-order mark (Excel and WPS open them as they are); headers carry the units, figures are exact decimals.",
        )
    ));
    let others: Vec<&(String, &str)> = documents
        .iter()
        .filter(|(file, _)| file != workbook)
        .collect();
    if !others.is_empty() {
        content.push_str(&format!(
            "<h2>{}</h2>\n<ul>\n",
            words("汇报全文", "The report")
        ));
        for (file, label) in others {
            content.push_str(&format!(
                "<li><a href=\"{}\" download>{}</a>（{label}）</li>\n",
                url(file),
                crate::html::escape_html_text(file)
            ));
        }
        content.push_str("</ul>\n");
    }
    let title = words("数据下载", "Data downloads");
    plan.extra_page(layout_tera, site, (title, PAGE), &content, site_json)
}

/// The error for a page of the content where the data page or its files go.
pub fn collision(file: &std::path::Path) -> Diagnostic {
    Diagnostic::error(
        "data-page-taken",
        Some(Location::file(file)),
        Text::new(
            format!("这一页会生成 {PAGE} 或 {FOLDER}/ 下的文件，与「数据下载」页冲突"),
            format!(
                "this page would be written as {PAGE} or under {FOLDER}/, where the data downloads page goes"
            ),
        ),
    )
    .with_hint(Text::new(
        "给这一页改个文件名，或从 [document] downloads 中去掉 \"xlsx\"",
        "rename this page, or take \"xlsx\" out of [document] downloads",
    ))
}

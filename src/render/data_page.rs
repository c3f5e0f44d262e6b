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
use crate::load::Data;
use crate::spreadsheet::{self, Sheet};
use crate::validate::schema::Schema;

/// The page's path in the output folder.
pub const PAGE: &str = "downloads.html";

/// The folder of the sheets' CSV files.
pub const FOLDER: &str = "downloads";

/// What the page offers, made from the checked data: each sheet listed, and the files (the
/// workbook, each sheet's CSV). Kept by the preview while the data are the same (a county's
/// workbook takes seconds to make).
#[derive(Clone, Debug)]
pub struct DataDownloads {
    /// Each sheet: its name, the data it holds (`villages`), how many rows.
    pub listed: Vec<(String, String, usize)>,
    /// The workbook's file name in the output folder.
    pub workbook: String,
    /// The files: the workbook, then each sheet's CSV.
    pub files: Vec<(PathBuf, Bytes)>,
}

impl DataDownloads {
    /// The downloads of the data's `sheets` ([`spreadsheet::sheets`]), the workbook named
    /// `workbook` and titled `title`.
    pub fn make(
        sheets: Vec<Sheet>,
        title: &str,
        workbook: &str,
    ) -> Result<DataDownloads, Diagnostic> {
        let bytes = spreadsheet::xlsx::workbook(title, &sheets)?;
        let mut files = vec![(PathBuf::from(workbook), Bytes::from(bytes))];
        files.extend(csv_files(&sheets));
        Ok(DataDownloads {
            listed: sheets
                .iter()
                .map(|s| (s.name.clone(), s.source.clone(), s.rows.len()))
                .collect(),
            workbook: workbook.to_string(),
            files,
        })
    }

    /// Every path it makes in the output folder, the page's too.
    pub fn paths(&self) -> impl Iterator<Item = String> + '_ {
        std::iter::once(PAGE.to_string())
            .chain(self.files.iter().map(|(p, _)| crate::site_path::slashed(p)))
    }
}

/// What the downloads are made of: every data file's fingerprint and the schema.
pub fn fingerprint(data: &Data, schema: &Schema) -> String {
    let mut text = format!("{schema:?}");
    for file in &data.files {
        text.push_str(&file.path.display().to_string());
        text.push_str(file.fingerprint());
    }
    crate::manifest::fingerprint(text.as_bytes())
}

/// A sheet's CSV file in the output folder: `downloads/村委会.csv`.
pub fn csv_path(sheet_name: &str) -> String {
    let name: String = sheet_name
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
fn csv_files(sheets: &[Sheet]) -> Vec<(PathBuf, Bytes)> {
    sheets
        .iter()
        .map(|sheet| {
            let csv = spreadsheet::csv::csv(sheet);
            (
                PathBuf::from(csv_path(&sheet.name)),
                Bytes::from(csv.into_bytes()),
            )
        })
        .collect()
}

/// A path as a link: each part percent-encoded.
fn url(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, super::IN_URL).to_string()
}

/// The page, in the layout of every page: the workbook, each sheet's CSV, and the other
/// documents offered (`documents`: file and label).
pub fn render(
    layout_tera: &Tera,
    site: &Site,
    plan: &PagePlan,
    site_json: &Json,
    downloads: &DataDownloads,
    documents: &[(String, &str)],
) -> Result<String, Diagnostic> {
    let workbook = downloads.workbook.as_str();
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
    let rows: usize = downloads.listed.iter().map(|(_, _, rows)| rows).sum();
    let sheets = &downloads.listed;
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
    for (name, source, rows) in sheets {
        let path = csv_path(name);
        content.push_str(&format!(
            "<tr><td>{}</td><td><code>data/{}</code></td><td class=\"num\">{}</td><td><a href=\"{}\" download>{}</a></td></tr>\n",
            crate::html::escape_html_text(name),
            crate::html::escape_html_text(source),
            rows,
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

//! The page 「数据下载」 (`downloads.html`), made when the site offers its data to download
//! (`[document] downloads = ["xlsx"]`): the whole data as one Excel workbook, each of its
//! sheets as a CSV file (`downloads/村委会.csv`: UTF-8 with BOM, CRLF), and the report's
//! documents when the site offers them. Links are relative; the files are made from the
//! checked data by [`crate::spreadsheet`], the same bytes every build.

use bytes::Bytes;
use serde_json::Value as Json;
use std::path::PathBuf;
use std::sync::Arc;
use tera::Tera;

use super::PagePlan;
use super::context::Packed;
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
/// workbook, each sheet's CSV).
#[derive(Clone, Debug)]
pub struct DataDownloads {
    /// Each sheet: its name, the data it holds (`villages`), how many rows.
    pub listed: Vec<(String, String, usize)>,
    /// The workbook's file name in the output folder.
    pub workbook: String,
    /// The files: the workbook, then each sheet's CSV. Made by a build; the preview lists
    /// the sheets only ([`DataDownloads::listed`]) and makes the files when one is asked
    /// for ([`OnRequest`]): a county's workbook takes seconds, a correction milliseconds.
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
            listed: spreadsheet::listing(&sheets),
            workbook: workbook.to_string(),
            files,
        })
    }

    /// The sheets of `data` listed as [`DataDownloads::make`] lists them, without their
    /// files (see [`OnRequest`]).
    pub fn listed(schema: &Schema, data: &Data, workbook: &str) -> DataDownloads {
        DataDownloads {
            listed: spreadsheet::listed(schema, data),
            workbook: workbook.to_string(),
            files: Vec::new(),
        }
    }

    /// The paths of its files in the output folder: the workbook, then each sheet's CSV
    /// (made or not).
    pub fn file_paths(&self) -> impl Iterator<Item = String> + '_ {
        std::iter::once(self.workbook.clone())
            .chain(self.listed.iter().map(|(name, _, _)| csv_path(name)))
    }

    /// Every path it makes in the output folder, the page's too.
    pub fn paths(&self) -> impl Iterator<Item = String> + '_ {
        std::iter::once(PAGE.to_string()).chain(self.file_paths())
    }
}

/// The data downloads' files as the preview makes them: all at once when the first is asked
/// for, from the data of the build that listed them, and kept with that build (not when
/// they could not be made: the next request tries again).
#[derive(Debug)]
pub struct OnRequest {
    schema: Schema,
    data: Data,
    title: String,
    offered: DataDownloads,
    /// The files by path, once made.
    made: std::sync::Mutex<Option<MadeFiles>>,
}

/// Files made, by their paths in the output folder.
type MadeFiles = Arc<[(String, Bytes)]>;

impl OnRequest {
    /// The files of `offered` ([`DataDownloads::listed`]), to be made from `data` by
    /// `schema`, the workbook titled `title`.
    pub fn new(schema: &Schema, data: Data, title: &str, offered: &DataDownloads) -> OnRequest {
        OnRequest {
            schema: schema.clone(),
            data,
            title: title.to_string(),
            offered: offered.clone(),
            made: Default::default(),
        }
    }

    /// Whether `key` (a path in the output folder, `downloads/村委会.csv`) is one of its
    /// files.
    pub fn offers(&self, key: &str) -> bool {
        self.offered.file_paths().any(|path| path == key)
    }

    /// The file at `key`, made with the others the first time one is asked for (the same
    /// bytes a build writes; a second request meanwhile waits for them); `None` when it is
    /// not one of them.
    pub fn file(&self, key: &str) -> Result<Option<Bytes>, Diagnostic> {
        let mut made = crate::spill::lock(&self.made);
        let files = match &*made {
            Some(files) => files.clone(),
            None => {
                let sheets = spreadsheet::sheets(&self.schema, &self.data);
                let downloads = DataDownloads::make(sheets, &self.title, &self.offered.workbook)?;
                let files: MadeFiles = downloads
                    .files
                    .into_iter()
                    .map(|(path, bytes)| (crate::site_path::slashed(&path), bytes))
                    .collect();
                *made = Some(files.clone());
                files
            }
        };
        Ok(files
            .iter()
            .find(|(path, _)| path == key)
            .map(|(_, bytes)| bytes.clone()))
    }
}

/// How many packed files the workbook's sheets unpack at a time.
const UNPACKED_AT_ONCE: usize = 256;

/// What the page offers in this build, from the checked `data` by `schema` (the site's, when
/// it has a readable one): a build makes the files, from the `packed` files when it packed
/// them as they were checked; the preview (`on_request`) lists the sheets and returns what
/// makes the files when one is asked for.
pub(super) fn offered(
    site: &Site,
    schema: Option<&Schema>,
    data: &Data,
    packed: Option<&[Packed]>,
    on_request: bool,
) -> Result<(DataDownloads, Option<Arc<OnRequest>>), Diagnostic> {
    let Some(schema) = schema else {
        return Err(Diagnostic::error(
            "xlsx-schema-missing",
            Some(Location::file("huibao.toml")),
            Text::new(
                "[document] downloads 里有 \"xlsx\"，但站点没有可读的 data/schema.yaml：数据表的表头由它而来",
                "[document] downloads has \"xlsx\" but the site has no readable data/schema.yaml: the sheets' headers come from it",
            ),
        )
        .with_hint(Text::new(
            "写好 data/schema.yaml，或从 downloads 中去掉 \"xlsx\"",
            "write data/schema.yaml, or take \"xlsx\" out of downloads",
        )));
    };
    let workbook = site.config.document_file(crate::config::DocumentKind::Xlsx);
    let title = &site.config.title;
    if on_request {
        let listed = DataDownloads::listed(schema, data, &workbook);
        let files = OnRequest::new(schema, data.clone(), title, &listed);
        return Ok((listed, Some(Arc::new(files))));
    }
    let sheets = workbook_sheets(schema, data, packed);
    Ok((DataDownloads::make(sheets, title, &workbook)?, None))
}

/// The sheets of the data for the workbook: of `data`, or of the `packed` files (in the
/// data's order) when a build packed them as they were checked — unpacked a part at a time
/// ([`spreadsheet::joined`]), each part's trees let go once its rows are made.
fn workbook_sheets(schema: &Schema, data: &Data, packed: Option<&[Packed]>) -> Vec<Sheet> {
    let Some(packed) = packed else {
        return spreadsheet::sheets(schema, data);
    };
    use rayon::prelude::*;
    // On every core (the workbook is made before the pages, on one core after this).
    let parts: Vec<Vec<Sheet>> = packed
        .par_chunks(UNPACKED_AT_ONCE)
        .map(|part| {
            let data = Data {
                files: part
                    .iter()
                    .filter_map(|p| p.file().unpack().map(Arc::new))
                    .collect(),
            };
            spreadsheet::sheets(schema, &data)
        })
        .collect();
    spreadsheet::joined(schema, parts)
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

//! `huibao export`: the report as one document (PDF, Word) or its data as a workbook, CSV or
//! JSON Schema, from the same pipeline as a build.

use std::path::{Path, PathBuf};

use crate::diagnostics::{self, Diagnostic};
use crate::{
    BuildCache, Compare, ExportKind, Timer, config, discover, document, load, render,
    render_discovered, spreadsheet, validate, with_notes, write,
};

/// What `huibao export` made.
#[derive(Debug)]
pub struct ExportReport {
    /// The file written.
    pub file: PathBuf,
    /// How many pages it has (a PDF; a Word document's pages are laid out by Word).
    pub pages: Option<usize>,
    /// The fonts it is set in (a PDF: found on this machine and embedded) or names (a Word
    /// document: the reader's computer has them).
    pub fonts: document::fonts::Fonts,
    /// Warnings of the data and templates (the export went on).
    pub notes: Vec<Diagnostic>,
}

/// Renders the site in `site_root` as one document and writes it as `kind` into `out`
/// (default: the report's title with the kind's extension, in the site folder), whole or not
/// at all.
pub fn export(
    site_root: &Path,
    kind: ExportKind,
    out: Option<&Path>,
) -> Result<ExportReport, Vec<Diagnostic>> {
    let site = discover::discover(site_root)?;
    let file = match out {
        Some(out) => out.to_path_buf(),
        None => site.root.join(site.config.document_file(kind)),
    };
    let made = made_document(site, kind)?;
    write::write_file(&file, &made.bytes).map_err(|d| with_notes(vec![d], &made.notes))?;
    Ok(ExportReport {
        file,
        pages: made.pages,
        fonts: made.fonts,
        notes: made.notes,
    })
}

/// The report in `site_root` as `kind` (a PDF or a Word document), made now, with what the
/// making of the document said (not what the build of its pages said: the preview says
/// that already): what the preview serves at a document's link (a build writes them into
/// the site).
pub fn document_now(
    site_root: &Path,
    kind: ExportKind,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let site = discover::discover(site_root)?;
    let mut made = made_document(site, kind)?;
    let said = made.notes.split_off(made.pages_notes);
    Ok((made.bytes, said))
}

/// A document made of a discovered site: its bytes, pages, fonts and the notes found.
pub(super) struct MadeDocument {
    pub(super) bytes: Vec<u8>,
    pub(super) pages: Option<usize>,
    pub(super) fonts: document::fonts::Fonts,
    pub(super) notes: Vec<Diagnostic>,
    /// How many of `notes` the build of the pages said (the rest, the document's making).
    pub(super) pages_notes: usize,
}

/// Renders `site` as one document of `kind`.
pub(super) fn made_document(
    site: discover::Site,
    kind: ExportKind,
) -> Result<MadeDocument, Vec<Diagnostic>> {
    let settings = site.config.document.clone();
    // A PDF's fonts first: a machine without them fails before any page is rendered.
    let found = pdf_fonts(&site.root, &settings, &[kind])?;
    let (title, language) = (site.config.title.clone(), site.config.language.clone());
    let site_root = site.root.clone();
    let collector = document::Collector::default();
    let rendered = render_discovered(
        site,
        false,
        Compare::LastBuild,
        &mut BuildCache::default(),
        render::PagesTo::Sink(&collector),
    )?;
    let timer = Timer::start();
    let report = document::Document {
        title,
        language,
        pages: collector.into_pages(),
    };
    let mut notes = rendered.notes;
    let pages_notes = notes.len();
    let (bytes, pages, fonts) =
        document_bytes(&report, kind, &site_root, &settings, &found, &mut notes)
            .map_err(|problems| with_notes(problems, &notes))?;
    timer.lap("typeset");
    Ok(MadeDocument {
        bytes,
        pages,
        fonts,
        notes,
        pages_notes,
    })
}

/// The PDF's fonts, found before any page is rendered (a machine without them fails first).
pub(super) type PdfFonts = Option<(document::pdf::FontSearch, document::fonts::Fonts)>;

/// The fonts for a PDF when `kinds` has one.
pub(super) fn pdf_fonts(
    site_root: &Path,
    settings: &config::DocumentSettings,
    kinds: &[ExportKind],
) -> Result<PdfFonts, Vec<Diagnostic>> {
    if !kinds.contains(&ExportKind::Pdf) {
        return Ok(None);
    }
    let search = document::pdf::FontSearch::new(site_root, settings);
    let fonts = search.choose(settings)?;
    Ok(Some((search, fonts)))
}

/// Puts into `staging` each document of `files_of` (PDF, Word: kind and file) made of
/// `report` (`made_with`: the site's folder, its document settings and the fonts found); a
/// document that cannot be made stops the build, with its warnings (`notes`).
pub(super) fn put_documents(
    staging: &write::Staging,
    (report, files_of): (&document::Document, &[(ExportKind, String)]),
    (site_root, settings, found): (&Path, &config::DocumentSettings, &PdfFonts),
    notes: &mut Vec<Diagnostic>,
) -> Result<(), Vec<Diagnostic>> {
    for (kind, file) in files_of {
        let (bytes, _, _) = document_bytes(report, *kind, site_root, settings, found, notes)
            .map_err(|problems| with_notes(problems, notes))?;
        staging
            .put(Path::new(file), &bytes)
            .map_err(|d| with_notes(vec![d], notes))?;
    }
    Ok(())
}

/// The report as `kind`: its bytes, its pages (a PDF) and its fonts; warnings (a Word
/// document's charts drawn without a Chinese font) go into `notes`.
pub(super) fn document_bytes(
    report: &document::Document,
    kind: ExportKind,
    site_root: &Path,
    settings: &config::DocumentSettings,
    found: &PdfFonts,
    notes: &mut Vec<Diagnostic>,
) -> Result<(Vec<u8>, Option<usize>, document::fonts::Fonts), Vec<Diagnostic>> {
    match (kind, found) {
        (ExportKind::Pdf, Some((search, fonts))) => {
            let (bytes, pages) = document::pdf::pdf(report, search, fonts)?;
            Ok((bytes, Some(pages), fonts.clone()))
        }
        (ExportKind::Pdf, None) => {
            let found = pdf_fonts(site_root, settings, &[ExportKind::Pdf])?;
            document_bytes(report, kind, site_root, settings, &found, notes)
        }
        (ExportKind::Xlsx, _) => Ok((
            data_workbook(site_root, &report.title)?,
            None,
            document::fonts::Fonts::for_word(settings),
        )),
        (ExportKind::Docx, _) => {
            let fonts = document::fonts::Fonts::for_word(settings);
            let fontdb = document::fonts::chart_fonts(site_root, settings);
            notes.extend(document::fonts::charts_without_chinese(
                &fontdb, site_root, settings,
            ));
            Ok((document::docx::docx(report, &fonts, fontdb)?, None, fonts))
        }
    }
}

/// Which spreadsheet of the data `huibao export` writes.
#[derive(Clone, Copy, Debug)]
pub enum DataExport<'a> {
    /// Every kind of data file as a sheet of one Excel workbook.
    Xlsx,
    /// One sheet as CSV, named by its data folder or file (`villages`, `township.yaml`) or
    /// its name (`村委会`, `乡基本情况·历年脱贫`).
    Csv(&'a str),
}

/// What `huibao export xlsx` / `csv` wrote.
#[derive(Debug)]
pub struct DataExportReport {
    /// The file written.
    pub file: PathBuf,
    /// Each sheet written: its name and how many rows of data it has.
    pub sheets: Vec<(String, usize)>,
    /// Warnings of the data (the export went on).
    pub notes: Vec<Diagnostic>,
}

/// Writes the checked data of the site in `site_root` as a spreadsheet (see
/// [`spreadsheet`]) into `out` (default: in the site folder, `<title>-数据.xlsx` or
/// `<sheet>.csv`), whole or not at all. Data with errors are not exported.
pub fn export_data(
    site_root: &Path,
    what: DataExport<'_>,
    out: Option<&Path>,
) -> Result<DataExportReport, Vec<Diagnostic>> {
    let (site, sheets, notes) = data_sheets(site_root)?;
    let (file, bytes, written) = match what {
        DataExport::Xlsx => {
            let bytes =
                spreadsheet::xlsx::workbook(&site.config.title, &sheets).map_err(|d| vec![d])?;
            let file = out.map_or_else(
                || site.root.join(site.config.document_file(ExportKind::Xlsx)),
                Path::to_path_buf,
            );
            (file, bytes, sheets.iter().collect::<Vec<_>>())
        }
        DataExport::Csv(wanted) => {
            // Named as `import --into` names it too: `data/township`, `data\\villages`,
            // `township` for `township.yaml`.
            let slashed = wanted.replace('\\', "/");
            let wanted = slashed.trim_end_matches('/');
            let wanted = wanted.strip_prefix("data/").unwrap_or(wanted);
            let found = sheets
                .iter()
                .find(|s| s.name == wanted)
                .or_else(|| sheets.iter().find(|s| s.source == wanted))
                .or_else(|| {
                    sheets
                        .iter()
                        .find(|s| s.source.strip_suffix(".yaml") == Some(wanted))
                });
            let Some(sheet) = found else {
                let names: Vec<&str> = sheets
                    .iter()
                    .flat_map(|s| [s.source.as_str(), s.name.as_str()])
                    .collect();
                let mut problem = Diagnostic::error(
                    "unknown-sheet",
                    None,
                    diagnostics::Text::new(
                        format!("没有叫「{wanted}」的数据表"),
                        format!("no data sheet is called “{wanted}”"),
                    ),
                );
                let choices = sheets
                    .iter()
                    .map(|s| format!("{}（{}）", s.source, s.name))
                    .collect::<Vec<_>>()
                    .join("、");
                problem = match validate::schema::did_you_mean(wanted, names.into_iter()) {
                    Some(near) => problem.with_hint(diagnostics::Text::new(
                        format!("是不是「{near}」？可选：{choices}"),
                        format!("did you mean “{near}”? One of: {choices}"),
                    )),
                    None => problem.with_hint(diagnostics::Text::new(
                        format!("可选：{choices}"),
                        format!("one of: {choices}"),
                    )),
                };
                return Err(vec![problem]);
            };
            let file = out.map_or_else(
                || site.root.join(format!("{}.csv", sheet.name)),
                Path::to_path_buf,
            );
            (file, spreadsheet::csv::csv(sheet).into_bytes(), vec![sheet])
        }
    };
    write::write_file(&file, &bytes).map_err(|d| with_notes(vec![d], &notes))?;
    Ok(DataExportReport {
        file,
        sheets: written
            .iter()
            .map(|s| (s.name.clone(), s.rows.len()))
            .collect(),
        notes,
    })
}

/// The site's checked data laid out as sheets, with the data's warnings; data with errors
/// are not laid out.
pub(super) fn data_sheets(
    site_root: &Path,
) -> Result<(discover::Site, Vec<spreadsheet::Sheet>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let site = discover::discover(site_root)?;
    let loaded = load::load(&site.root, &site.data_files)?;
    let (data, notes) = validate::validate(&site.root, &loaded, None, None);
    if notes.iter().any(Diagnostic::is_error) {
        return Err(notes);
    }
    let schema = required_schema(
        &site.root,
        (
            "导出表格要用它的字段名称和单位做表头",
            "a spreadsheet's headers are its fields' labels and units",
        ),
    )?;
    let sheets = spreadsheet::sheets(&schema, &data);
    Ok((site, sheets, notes))
}

/// The data of the site in `site_root` as the workbook a build offers for download.
pub(super) fn data_workbook(site_root: &Path, title: &str) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let (_, sheets, _) = data_sheets(site_root)?;
    spreadsheet::xlsx::workbook(title, &sheets).map_err(|d| vec![d])
}

/// The site's schema, for a command that cannot go without it (`why`: what it needs it for).
pub(super) fn required_schema(
    site_root: &Path,
    why: (&str, &str),
) -> Result<validate::schema::Schema, Vec<Diagnostic>> {
    match validate::load_schema(site_root) {
        Some(result) => result,
        None => Err(vec![Diagnostic::error(
            "schema-missing",
            Some(diagnostics::Location::file(discover::SCHEMA_FILE)),
            diagnostics::Text::new(
                format!("站点没有 data/schema.yaml：{}", why.0),
                format!("the site has no data/schema.yaml: {}", why.1),
            ),
        )]),
    }
}

/// Writes a JSON Schema per data-file pattern of the site's schema into `dir`, for editors.
/// Returns the files written.
pub fn export_json_schema(site_root: &Path, dir: &Path) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    let site = discover::discover(site_root)?;
    let schema = required_schema(
        &site.root,
        (
            "JSON Schema 由它写成",
            "the JSON Schema files are made from it",
        ),
    )?;
    let ids = |folder: &str| -> Vec<String> {
        let prefix = Path::new("data").join(discover::data_folder(folder));
        site.data_files
            .iter()
            .filter(|p| p.parent() == Some(prefix.as_path()))
            .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().to_string()))
            .collect()
    };
    let io = |path: &Path, e: std::io::Error| {
        vec![Diagnostic::error(
            "write",
            Some(diagnostics::Location::file(path)),
            {
                let why = diagnostics::io_said(&e);
                diagnostics::Text::new(
                    format!("写入失败：{}", why.zh),
                    format!("cannot write: {}", why.en),
                )
            },
        )]
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let mut written = Vec::new();
    let log = (
        "corrections.schema.json".to_string(),
        validate::json_schema::corrections_log(),
    );
    for (name, document) in validate::json_schema::export(&schema, &ids)
        .into_iter()
        .chain([log])
    {
        let path = dir.join(name);
        let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
        text.push('\n');
        std::fs::write(&path, text).map_err(|e| io(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

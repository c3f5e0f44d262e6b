//! huibao (汇报): a static report-site generator for data-driven work reports.
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`discover`] → [`load`] → [`validate`] → [`render`] → [`write`].
//! Every stage reports problems in the user's files as [`diagnostics::Diagnostic`]s.

// Diagnostics are returned by value: they are rare, and boxing them buys nothing.
#![allow(clippy::result_large_err)]

pub mod chart;
pub mod config;
pub mod diagnostics;
pub mod discover;
pub mod document;
pub mod figure;
pub mod html;
pub mod intern;
pub mod json;
pub mod load;
pub mod manifest;
pub mod new_site;
pub mod progress;
pub mod provenance;
pub mod render;
pub mod search;
pub mod serve;
pub mod site_path;
pub mod spill;
pub mod spreadsheet;
mod streamed;
pub mod suggest;
pub mod validate;
pub mod varint;
pub mod write;

use std::path::{Path, PathBuf};

use diagnostics::Diagnostic;

/// docs/schema.md, printed by `huibao schema` for a user who has the binary alone.
pub const SCHEMA_DOC: &str = include_str!("../docs/schema.md");

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    /// Pages and other files written.
    pub files: usize,
    /// Where the site was published.
    pub out_dir: PathBuf,
    /// What changed compared with the site published before.
    pub changes: write::Changes,
    /// The figures whose printed value changed since the site published before.
    pub figure_changes: Vec<manifest::Change>,
    /// Warnings and notes from validation.
    pub notes: Vec<Diagnostic>,
}

/// A site read, validated and rendered in memory.
#[derive(Debug)]
pub struct Rendered {
    /// The site's files.
    pub site: discover::Site,
    /// The pages and files to publish.
    pub output: render::Output,
    /// Warnings and notes from validation (no errors: those stop the build).
    pub notes: Vec<Diagnostic>,
    /// The figures whose printed value changed since the published site compared with
    /// (`None` when there was none).
    pub figure_changes: Option<Vec<manifest::Change>>,
}

/// What a build compares its figures with.
#[derive(Clone, Copy, Debug)]
pub enum Compare<'p> {
    /// The last good build of the same [`BuildCache`], if any (the preview of `serve`).
    LastBuild,
    /// The site published in this folder (`None`: the site's own output folder). Its
    /// figures manifest tells which data files changed and which figures a correction
    /// changed; a changed figure with no entry in the corrections log is a warning.
    Published(Option<&'p Path>),
}

/// Reads, validates and renders the site in `site_root`, without writing anything: every
/// page is kept in memory.
/// With `deny_warnings`, warnings stop it like errors.
pub fn render(
    site_root: &Path,
    deny_warnings: bool,
    compare: Compare<'_>,
) -> Result<Rendered, Vec<Diagnostic>> {
    render_cached(
        site_root,
        deny_warnings,
        compare,
        &mut BuildCache::default(),
    )
}

/// What one build keeps for the next (used by `huibao serve`).
#[derive(Debug, Default)]
pub struct BuildCache {
    /// Parsed data files.
    pub data: load::LoadCache,
    /// Checked data files, and the rules that held.
    pub checked: validate::Cache,
    /// Rendered pages.
    pub pages: render::PageCache,
    /// The figures of the last good build.
    pub last_good: Option<std::sync::Arc<manifest::Manifest>>,
    /// The files the last build found.
    pub site: Option<discover::Site>,
    /// The paths (relative to the site folder) the preview's watcher saw change since the
    /// last build, when it knows them: the last build's files are reused when these cannot
    /// have changed which files the site has (see [`discover::unchanged`]).
    pub changed: Option<Vec<std::path::PathBuf>>,
}

/// Like [`render`], reusing what did not change since the last call with the same `cache`.
pub fn render_cached(
    site_root: &Path,
    deny_warnings: bool,
    compare: Compare<'_>,
    cache: &mut BuildCache,
) -> Result<Rendered, Vec<Diagnostic>> {
    let timer = Timer::start();
    let last = cache.site.take().zip(cache.changed.take());
    let site = match last
        .and_then(|(site, changed)| Some((discover::unchanged(&site, &changed)?, changed)))
    {
        Some((site, changed)) => {
            // The same files, and the watcher knows which changed: no other is asked its
            // time and size.
            cache.data.only_changed(&changed);
            site
        }
        None => discover::discover(site_root)?,
    };
    cache.site = Some(site.clone());
    timer.lap("discover");
    render_discovered(site, deny_warnings, compare, cache, render::PagesTo::Memory)
}

/// What `huibao check` does: reads and validates the site in `site_root` and renders one
/// page of each content template (template mistakes show on any page), writing nothing.
/// [`Output::pages`](render::Output::pages) is then the number of pages the site has.
pub fn check(site_root: &Path, deny_warnings: bool) -> Result<Rendered, Vec<Diagnostic>> {
    let timer = Timer::start();
    let site = discover::discover(site_root)?;
    timer.lap("discover");
    // A build that makes a PDF to download needs its fonts: found now as a build finds them,
    // and reported with every other problem.
    let fonts = pdf_fonts(&site.root, &site.config.document, &site.config.downloads())
        .err()
        .unwrap_or_default();
    let compare = Compare::Published(None);
    let cache = &mut BuildCache::default();
    let checked =
        match render_discovered(site, deny_warnings, compare, cache, render::PagesTo::Sample) {
            // The sample holds a few records of each folder: a template that reaches a record
            // through a variable, or counts records, may fail on the sample alone. It is tried
            // again with all the data before a mistake is reported.
            Err(problems) if problems.iter().any(|d| d.code == "template") => {
                let site = discover::discover(site_root)?;
                let cache = &mut BuildCache::default();
                render_discovered(
                    site,
                    deny_warnings,
                    compare,
                    cache,
                    render::PagesTo::SampleAll,
                )
            }
            done => done,
        };
    match checked {
        _ if fonts.is_empty() => checked,
        Ok(rendered) => Err(with_notes(fonts, &rendered.notes)),
        Err(problems) => Err(with_notes(fonts, &problems)),
    }
}

/// What `huibao diff` needs: every page rendered (and dropped) for the figures it prints,
/// compared with the site published in `against` (default: the site's output folder).
pub fn figures(site_root: &Path, against: Option<&Path>) -> Result<Rendered, Vec<Diagnostic>> {
    let site = discover::discover(site_root)?;
    let compare = Compare::Published(against);
    let cache = &mut BuildCache::default();
    let discard = render::Discard;
    render_discovered(site, false, compare, cache, render::PagesTo::Sink(&discard))
}

/// Like [`render_cached`] for a site already discovered; `pages_to` says where the pages go
/// (with [`render::PagesTo::Sample`], no figure changes are found: the manifest is partial).
fn render_discovered(
    site: discover::Site,
    deny_warnings: bool,
    compare: Compare<'_>,
    cache: &mut BuildCache,
    pages_to: render::PagesTo<'_>,
) -> Result<Rendered, Vec<Diagnostic>> {
    let timer = Timer::start();
    // Only the preview builds again with the same cache; a one-off build keeps no parsed
    // file beyond validation (and asks no file's time and size).
    let preview = matches!(pages_to, render::PagesTo::Memory);
    // The schema, read once for the checks, the corrections' units and the pages.
    let schema_read = validate::load_schema(&site.root);
    let mut env_notes = Vec::new();
    // A build reads, checks and packs each data file in one pass, when it can; the preview
    // and `check` keep the trees (their next build, their sample pages).
    let streamed = match (&pages_to, &schema_read) {
        (render::PagesTo::Sink(_), Some(Ok(schema))) => {
            streamed::read(&site.root, &site.data_files, schema, &mut env_notes)
        }
        _ => None,
    };
    let (loaded, streamed) = match streamed {
        Some(streamed) => (load::Data::default(), Some(streamed?)),
        None => {
            let loaded = load::load_cached(
                &site.root,
                &site.data_files,
                preview.then_some(&mut cache.data),
            )?;
            (loaded, None)
        }
    };
    if !preview {
        cache.data = load::LoadCache::default();
    }
    timer.lap("load");
    let (mut baseline, unreadable_manifest) = compared_with(compare, &site, cache);
    timer.lap("published figures");
    let since = baseline.as_ref().map(|b| match &streamed {
        Some(streamed) => changed_since(b.data(), streamed.prints()),
        None => changed_since(b.data(), prints_of(&loaded)),
    });
    // The published site's fingerprints of the data files have told what changed: they go
    // now, not at the end (24 MiB at 100,000 villages, held through the checks and the
    // pages; the comparison of the figures reads the file again).
    if let Some(Baseline::Published(published)) = &mut baseline {
        published.data = Default::default();
    }
    let keep = matches!(pages_to, render::PagesTo::Memory);
    let checked_before = keep.then_some(&mut cache.checked);
    let (data, mut notes, packed) = match streamed {
        Some(streamed) => {
            let (data, notes) = validate::validate_checked(
                streamed.schema,
                streamed.files,
                streamed.field_problems,
                since.as_ref(),
            );
            (data, notes, Some(streamed.packed))
        }
        None => {
            let (data, notes) = validate::validate_with(
                schema_read.as_ref(),
                &loaded,
                since.as_ref(),
                checked_before,
            );
            (data, notes, None)
        }
    };
    drop(loaded);
    timer.lap("validate");
    notes.extend(env_notes);
    notes.splice(0..0, site.notes.iter().cloned());
    notes.extend(unreadable_manifest.map(manifest_unreadable));
    // A schema that cannot be read is already reported; the log's units come from it.
    let schema_broken = matches!(schema_read, Some(Err(_)));
    let schema = schema_read.and_then(Result::ok);
    let (corrections, problems) = if schema_broken {
        (Vec::new(), Vec::new())
    } else {
        validate::corrections::read(&data, schema.as_ref())
    };
    notes.extend(problems);
    let stops = |d: &Diagnostic| stops_build(d, deny_warnings);
    if notes.iter().any(stops) {
        return Err(notes);
    }
    let extras = render::Extras {
        schema: schema.as_ref(),
        corrections: &corrections,
    };
    // Render takes the checked data and lets it go once the template values are made.
    let mut output =
        render::render_site_cached(&site, data, packed, extras, &mut cache.pages, pages_to)
            .map_err(|problems| with_notes(problems, &notes))?;
    timer.lap("render");
    notes.extend(output.notes.iter().cloned());
    // What the published site printed and this build prints differently: each change of a
    // data figure is owed an entry in the corrections log.
    let sampled = matches!(
        pages_to,
        render::PagesTo::Sample | render::PagesTo::SampleAll
    );
    // The published figures are streamed from their file against this build's (a million
    // at 10,000 villages: never all in memory).
    let compared = match &baseline {
        Some(Baseline::Published(published)) if !sampled => {
            let compared = published.compare(&output.figures);
            if compared.is_none() {
                notes.push(manifest_unreadable(published.file.clone()));
            }
            compared
        }
        _ => None,
    };
    timer.lap("compared");
    let figure_changes = match compared {
        Some(manifest::Compared { changes, pending }) => {
            let pending = unlogged_changes(&pending, &output.figures, &changes, &corrections);
            let today = validate::corrections::today();
            let changed = checked_files_of(&site, &pending);
            for change in &pending {
                if let Some(d) = validate::corrections::missing_entry(change, &changed, &today) {
                    notes.push(d);
                }
            }
            // What is still owed an entry stays in the manifest for the next build.
            std::sync::Arc::make_mut(&mut output.figures).pending = pending
                .iter()
                .map(|c| manifest::Pending {
                    key: c.key.clone(),
                    what: c.what.clone(),
                    old: c.old.clone().unwrap_or_default(),
                })
                .collect();
            Some(changes)
        }
        _ => None,
    };
    if deny_warnings && notes.iter().any(stops) {
        return Err(notes);
    }
    cache.last_good = Some(output.figures.clone());
    Ok(Rendered {
        site,
        output,
        notes,
        figure_changes,
    })
}

/// Builds the site in `site_root` and publishes it to `out_dir` (default: the site's
/// `output_dir`). Pages are written into a staging folder as they are rendered; on any error
/// the staging folder is removed and the previous site stays as it was.
pub fn build(
    site_root: &Path,
    out_dir: Option<&Path>,
    deny_warnings: bool,
) -> Result<BuildReport, Vec<Diagnostic>> {
    let timer = Timer::start();
    let site = discover::discover(site_root)?;
    timer.lap("discover");
    let out_dir = match out_dir {
        Some(dir) => dir.to_path_buf(),
        None => site.root.join(&site.config.output_dir),
    };
    check_output_dir(&site, &out_dir)?;
    // The documents to download from the site: made from the pages' Markdown, collected by
    // the staging folder as the pages are rendered.
    let settings = site.config.document.clone();
    let downloads = site.config.downloads();
    let found = pdf_fonts(&site.root, &settings, &downloads)?;
    let (title, language) = (site.config.title.clone(), site.config.language.clone());
    // The workbook is made by render with the page 「数据下载」; the documents here.
    let files_of: Vec<(ExportKind, String)> = downloads
        .iter()
        .filter(|&&kind| kind != ExportKind::Xlsx)
        .map(|&kind| (kind, site.config.document_file(kind)))
        .collect();
    let site_root = site.root.clone();
    let mut staging = write::Staging::create(&out_dir).map_err(|d| vec![d])?;
    if !downloads.is_empty() {
        staging.offer_downloads();
    }
    // The PDF and the Word document are made from the pages' Markdown (the workbook from
    // the data).
    if downloads.iter().any(|&kind| kind != ExportKind::Xlsx) {
        staging.collect_markdown();
    }
    let Rendered {
        mut output,
        mut notes,
        figure_changes,
        ..
    } = render_discovered(
        site,
        deny_warnings,
        Compare::Published(Some(&out_dir)),
        &mut BuildCache::default(),
        render::PagesTo::Sink(&staging),
    )?;
    let timer = Timer::start();
    if !files_of.is_empty() {
        let report = document::Document {
            title,
            language,
            pages: staging.take_markdown(),
        };
        // A document that cannot be made stops the build, with its warnings.
        for (kind, file) in &files_of {
            let (bytes, _, _) =
                document_bytes(&report, *kind, &site_root, &settings, &found, &mut notes)
                    .map_err(|problems| with_notes(problems, &notes))?;
            staging
                .put(Path::new(file), &bytes)
                .map_err(|d| with_notes(vec![d], &notes))?;
        }
        // A warning of the documents' (their charts drawn without a Chinese font) fails a
        // build that denies warnings, as the data's do: nothing is published.
        if notes.iter().any(|d| stops_build(d, deny_warnings)) {
            return Err(notes);
        }
        timer.lap("documents");
    }
    for (path, bytes) in &output.files {
        staging.put(path, bytes).map_err(|d| vec![d])?;
    }
    for (path, source) in &output.copies {
        staging.copy(path, source).map_err(|d| vec![d])?;
    }
    let search_files = output.search.as_ref().map_or(0, search::files::count);
    // The search index's lists and then its files made on every core but one, which writes
    // the whole-report page and figures.json (tens of megabytes at 10,000 villages, written as
    // it is made, on one core for longer than the index takes): the index is let go as soon
    // as its files are written.
    let search_index = output.search.take();
    // What the pages freed is held by each core's allocator (at 100,000 villages ~185 MiB
    // of the ~330 resident): given back, the two writers' memory (~+105) is new, not on top
    // of it (the build's peak was here, 400–450 MiB). Not for a smaller build: faulting
    // memory in again costs more than it saves.
    if output.pages >= GIVE_BACK_BEFORE_WRITING_FROM {
        give_back_freed_memory();
    }
    let (searched, written) = rayon::join(
        || {
            search_index.map_or(Ok(()), |index| {
                search::files::write(&index, &|path, bytes| staging.put(path, bytes))
            })
        },
        || -> Result<(), Diagnostic> {
            if let Some(whole) = &output.print {
                staging.put_with(Path::new(render::print::PAGE), |out| whole.write_to(out))?;
            }
            staging.put_with(Path::new(manifest::FILE), |out| {
                output.figures.write_to(out)
            })
        },
    );
    searched.map_err(|d| vec![d])?;
    written.map_err(|d| vec![d])?;
    timer.lap("search index, whole report, manifest");
    let changes = staging.publish().map_err(|d| vec![d])?;
    timer.lap("publish");
    Ok(BuildReport {
        files: output.pages
            + files_of.len()
            + output.files.len()
            + output.copies.len()
            + usize::from(output.print.is_some())
            + search_files
            + output.table_files
            + 1,
        out_dir,
        changes,
        figure_changes: figure_changes.unwrap_or_default(),
        notes,
    })
}

/// The kinds of document `huibao export` makes.
pub use config::DocumentKind as ExportKind;

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
struct MadeDocument {
    bytes: Vec<u8>,
    pages: Option<usize>,
    fonts: document::fonts::Fonts,
    notes: Vec<Diagnostic>,
    /// How many of `notes` the build of the pages said (the rest, the document's making).
    pages_notes: usize,
}

/// Renders `site` as one document of `kind`.
fn made_document(site: discover::Site, kind: ExportKind) -> Result<MadeDocument, Vec<Diagnostic>> {
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

/// Whether `d` stops a build: an error, or a warning when warnings are denied.
fn stops_build(d: &Diagnostic, deny_warnings: bool) -> bool {
    d.is_error() || (deny_warnings && d.severity == diagnostics::Severity::Warning)
}

/// `problems` that stop a command, with the warnings and notes found before them (reported
/// all together).
fn with_notes(mut problems: Vec<Diagnostic>, notes: &[Diagnostic]) -> Vec<Diagnostic> {
    problems.extend(notes.iter().cloned());
    problems
}

/// The PDF's fonts, found before any page is rendered (a machine without them fails first).
type PdfFonts = Option<(document::pdf::FontSearch, document::fonts::Fonts)>;

/// The fonts for a PDF when `kinds` has one.
fn pdf_fonts(
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

/// The report as `kind`: its bytes, its pages (a PDF) and its fonts; warnings (a Word
/// document's charts drawn without a Chinese font) go into `notes`.
fn document_bytes(
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
            let wanted = wanted.trim_end_matches(['/', '\\']);
            let found = sheets
                .iter()
                .find(|s| s.name == wanted)
                .or_else(|| sheets.iter().find(|s| s.source == wanted));
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

/// What `huibao import` reads and where it puts it.
#[derive(Clone, Copy, Debug)]
pub struct ImportOptions<'a> {
    /// The spreadsheet (`.xlsx`, `.xls`, `.ods`, `.csv`), as the user named it.
    pub file: &'a Path,
    /// The data folder or file the records go into: `data/villages`, `data/township.yaml`.
    pub into: &'a str,
    /// The sheet to read (default: the one named as the folder's label, or the only one).
    pub sheet: Option<&'a str>,
    /// Only say what would change; write nothing.
    pub dry_run: bool,
    /// Remove the folder's files whose record is not in the sheet (default: only report them).
    pub remove_missing: bool,
}

/// What `huibao import` did (or, with `dry_run`, would do).
#[derive(Debug)]
pub struct ImportReport {
    /// The plan: files to write and remove, values that change, notes.
    pub plan: spreadsheet::import::Plan,
    /// Whether the files were written (not a dry run).
    pub written: bool,
}

/// Imports a spreadsheet into the data of the site in `site_root` (see
/// [`spreadsheet::import`]): every row checked with the whole site's data first; nothing is
/// written when any has an error, and the files are written all together or not at all.
pub fn import_data(
    site_root: &Path,
    options: &ImportOptions<'_>,
) -> Result<ImportReport, Vec<Diagnostic>> {
    let site = discover::discover(site_root)?;
    let schema = required_schema(
        &site.root,
        (
            "导入要按它的字段读表头和单元格",
            "a sheet's header and cells are read by its fields",
        ),
    )?;
    let loaded = load::load(&site.root, &site.data_files)?;
    let request = spreadsheet::import::Request {
        file: options.file,
        shown: options.file,
        into: options.into,
        sheet: options.sheet,
        remove_missing: options.remove_missing,
    };
    let plan = spreadsheet::import::plan(&site.root, &schema, &loaded, &request)?;
    if !options.dry_run {
        write_imported(&site.root, &plan).map_err(|d| vec![d])?;
    }
    Ok(ImportReport {
        plan,
        written: !options.dry_run,
    })
}

/// Writes an import's files: each into a temporary file beside it first, all renamed into
/// place only when all are written; then removes the files to remove.
fn write_imported(root: &Path, plan: &spreadsheet::import::Plan) -> Result<(), Diagnostic> {
    let failed = |path: &Path, e: std::io::Error| {
        Diagnostic::error(
            "import-write",
            Some(diagnostics::Location::file(path)),
            diagnostics::Text::new(format!("写入失败：{e}"), format!("cannot write: {e}")),
        )
        .with_hint(diagnostics::Text::new(
            "检查文件夹权限和磁盘空间（文件是否在别的程序里打开）；数据文件没有改动",
            "check the folder's permissions and disk space (is the file open in another program?); no data file was changed",
        ))
    };
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    for planned in &plan.writes {
        let path = root.join(&planned.path);
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".huibao-import");
        let temporary = PathBuf::from(temporary);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&temporary, &planned.text));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temporary);
            for (t, _) in &staged {
                let _ = std::fs::remove_file(t);
            }
            return Err(failed(&planned.path, e));
        }
        staged.push((temporary, path));
    }
    for (temporary, path) in &staged {
        std::fs::rename(temporary, path).map_err(|e| failed(path, e))?;
    }
    for path in &plan.removes {
        std::fs::remove_file(root.join(path)).map_err(|e| failed(path, e))?;
    }
    Ok(())
}

/// The site's checked data laid out as sheets, with the data's warnings; data with errors
/// are not laid out.
fn data_sheets(
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
fn data_workbook(site_root: &Path, title: &str) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let (_, sheets, _) = data_sheets(site_root)?;
    spreadsheet::xlsx::workbook(title, &sheets).map_err(|d| vec![d])
}

/// The site's schema, for a command that cannot go without it (`why`: what it needs it for).
fn required_schema(
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
            diagnostics::Text::new(format!("写入失败：{e}"), format!("cannot write: {e}")),
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

/// What this build is compared with (the last good build's figures, or the published
/// site's), and the path of a published manifest that could not be read.
fn compared_with(
    compare: Compare<'_>,
    site: &discover::Site,
    cache: &BuildCache,
) -> (Option<Baseline>, Option<PathBuf>) {
    match compare {
        Compare::Published(dir) => {
            let dir = dir.map_or_else(
                || site.root.join(&site.config.output_dir),
                Path::to_path_buf,
            );
            let read = manifest::Published::read(&dir);
            let file = dir.join(manifest::FILE);
            let unreadable = (read.is_none() && file.is_file()).then_some(file);
            (read.map(Baseline::Published), unreadable)
        }
        Compare::LastBuild => (cache.last_good.clone().map(Baseline::LastBuild), None),
    }
}

/// What a build is compared with.
enum Baseline {
    /// The preview's last good build, in memory (to tell which data files changed).
    LastBuild(std::sync::Arc<manifest::Manifest>),
    /// The published site's manifest: its head read; its figures streamed when compared.
    Published(manifest::Published),
}

impl Baseline {
    /// Every data file's fingerprint then.
    fn data(&self) -> &std::collections::BTreeMap<String, String> {
        match self {
            Baseline::LastBuild(manifest) => &manifest.data,
            Baseline::Published(published) => &published.data,
        }
    }
}

/// Each file's path and fingerprint, the fingerprints taken on every core first.
fn prints_of(data: &load::Data) -> impl Iterator<Item = (&Path, &str)> + Clone {
    data.take_fingerprints();
    data.files
        .iter()
        .map(|f| (f.path.as_path(), f.fingerprint()))
}

/// The data files that differ from the last good build (`files`: each one's path and
/// fingerprint): where failed rules are blamed.
fn changed_since<'f>(
    baseline: &std::collections::BTreeMap<String, String>,
    files: impl Iterator<Item = (&'f Path, &'f str)> + Clone,
) -> validate::Since {
    // Each file looked up by its path as the manifest writes it (no copy of 10,000 paths
    // and fingerprints into a map of their own at every preview build): first as the entry
    // after the last one found (the files come in nearly the map's order: one comparison,
    // not a dozen down the tree), else in the whole map.
    use std::ops::Bound;
    let mut changed = std::collections::HashSet::new();
    let mut still_there = 0;
    let mut after_last = baseline.range::<str, _>(..).peekable();
    for (path, print) in files.clone() {
        let path = site_path::slashed_borrowed(path);
        let found = match after_last.next_if(|(next, _)| next.as_str() == path) {
            Some((_, published)) => Some(published),
            None => {
                let found = baseline.get(&*path);
                if found.is_some() {
                    let bounds = (Bound::Excluded(&*path), Bound::Unbounded);
                    after_last = baseline.range::<str, _>(bounds).peekable();
                }
                found
            }
        };
        match found {
            Some(published) => {
                still_there += 1;
                if published != print {
                    changed.insert(PathBuf::from(&*path));
                }
            }
            None => {
                changed.insert(PathBuf::from(&*path));
            }
        }
    }
    let removed = if still_there == baseline.len() {
        Vec::new()
    } else {
        let now: std::collections::HashSet<_> = files
            .map(|(path, _)| site_path::slashed_borrowed(path))
            .collect();
        baseline
            .keys()
            .filter(|path| !now.contains(path.as_str()))
            .map(PathBuf::from)
            .collect()
    };
    validate::Since { changed, removed }
}

/// The data files of `changes`, read and checked again (a few files: the build let go of
/// its checked data once its pages had their template values).
fn checked_files_of(site: &discover::Site, changes: &[manifest::Change]) -> load::Data {
    let changed: Vec<&Path> = changes
        .iter()
        .filter_map(|c| match manifest::Key::parse(&c.key) {
            manifest::Key::Data(path, _) => Some(Path::new(path)),
            manifest::Key::Computed(_) => None,
        })
        .collect();
    let paths: Vec<PathBuf> = site
        .data_files
        .iter()
        .filter(|p| changed.contains(&p.as_path()))
        .cloned()
        .collect();
    match load::load(&site.root, &paths) {
        // Rules over these few files alone mean nothing: only their checked values count.
        Ok(loaded) => validate::validate(&site.root, &loaded, None, None).0,
        Err(_) => load::Data::default(),
    }
}

/// The warning for a published `figures.json` that cannot be read.
fn manifest_unreadable(file: PathBuf) -> Diagnostic {
    Diagnostic::new(
        diagnostics::Severity::Warning,
        "manifest-unreadable",
        Some(diagnostics::Location::file(file)),
        diagnostics::Text::new(
            "已发布站点的数字清单 figures.json 无法读取（已损坏，或由别的版本写成）：这次不能列出改变的数字，也不能检查缺少的更正记录",
            "the published site's figures.json cannot be read (damaged, or written by another version): this time the changed figures cannot be listed nor missing corrections found",
        ),
    )
    .with_hint(diagnostics::Text::new(
        "确认输出文件夹是这个站点的；这次生成会写入新的 figures.json",
        "check that the output folder is this site's; this build writes a new figures.json",
    ))
}

/// The published figures that changed and that the corrections log does not record: this
/// build's changes of figures of data files, and the changes still pending from before (by
/// the value last published with a record), unless the figure is back to that value.
fn unlogged_changes(
    pending_before: &[manifest::Pending],
    now: &manifest::Manifest,
    changes: &[manifest::Change],
    corrections: &[validate::corrections::Correction],
) -> Vec<manifest::Change> {
    let logged = |key: &str| corrections.iter().any(|c| c.key == key);
    // The figures now of the keys still pending (a few): found in one pass, not by a map of
    // every figure (a million at 10,000 villages).
    // Each key by the number of its first change still pending.
    type Wanted<'k> = std::collections::HashMap<manifest::Key<'k>, usize>;
    let mut wanted: Wanted<'_> = std::collections::HashMap::new();
    for (number, p) in pending_before.iter().enumerate() {
        wanted.entry(manifest::Key::parse(&p.key)).or_insert(number);
    }
    // A figure's key lives as long as its page's figures, read one page at a time.
    fn for_now<'s, 'k: 's>(wanted: &'s Wanted<'k>) -> &'s Wanted<'s> {
        wanted
    }
    // By that number: the figure's text now, what it is and its source (read page by page,
    // from the scratch file where a large build keeps them).
    let mut current: std::collections::HashMap<usize, (String, String, String)> =
        std::collections::HashMap::new();
    if !wanted.is_empty() {
        let found = now.for_each_page(&mut |_, figures| {
            for figure in figures.iter() {
                if let Some(&number) = for_now(&wanted).get(&now.key(figure)) {
                    current.entry(number).or_insert_with(|| {
                        (
                            figure.value().to_string(),
                            now.what(figure).into_owned(),
                            now.src(figure).into_owned(),
                        )
                    });
                }
            }
            Ok(())
        });
        // (Never: the scratch file is the build's own. The changes still pending are then
        // kept as they were.)
        if found.is_err() {
            return pending_before
                .iter()
                .map(|p| manifest::Change {
                    key: p.key.clone(),
                    what: p.what.clone(),
                    old: Some(p.old.clone()),
                    new: None,
                    src: String::new(),
                    direct: true,
                })
                .collect();
        }
    }
    let mut owed: Vec<manifest::Change> = Vec::new();
    // A figure put back to the value last published with a record owes nothing.
    let reverted = |key: &str| {
        pending_before.iter().any(|p| {
            p.key == key
                && wanted
                    .get(&manifest::Key::parse(key))
                    .and_then(|number| current.get(number))
                    .is_some_and(|(value, _, _)| *value == p.old)
        })
    };
    for pending in pending_before.iter().filter(|p| !logged(&p.key)) {
        if let Some((value, what, src)) = wanted
            .get(&manifest::Key::parse(&pending.key))
            .and_then(|number| current.get(number))
            && *value != pending.old
        {
            owed.push(manifest::Change {
                key: pending.key.clone(),
                what: what.clone(),
                old: Some(pending.old.clone()),
                new: Some(value.clone()),
                src: src.clone(),
                direct: true,
            });
        }
    }
    for change in changes
        .iter()
        .filter(|c| c.direct && c.old.is_some() && c.new.is_some())
        .filter(|c| !logged(&c.key) && !reverted(&c.key))
    {
        if !owed.iter().any(|o| o.key == change.key) {
            owed.push(change.clone());
        }
    }
    owed.sort_by(|a, b| a.key.cmp(&b.key));
    owed
}

/// Refuses an output folder that would overwrite the site's own sources.
fn check_output_dir(site: &discover::Site, out_dir: &Path) -> Result<(), Vec<Diagnostic>> {
    let absolute = |p: &Path| {
        std::path::absolute(p)
            .map(|p| normalize(&p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let out = absolute(out_dir);
    let root = absolute(&site.root);
    let sources = ["data", "content", "themes", "static", "src", "tests"];
    let clashes = out == root
        || root.starts_with(&out)
        || sources.iter().any(|dir| out.starts_with(root.join(dir)));
    if clashes {
        return Err(vec![
            Diagnostic::error(
                "output-dir",
                Some(diagnostics::Location::file(out_dir)),
                diagnostics::Text::new(
                    format!("输出文件夹 {} 会覆盖站点自己的文件", out_dir.display()),
                    format!(
                        "the output folder {} would overwrite the site's own files",
                        out_dir.display()
                    ),
                ),
            )
            .with_hint(diagnostics::Text::new(
                "输出到单独的文件夹，例如 public/",
                "write to a folder of its own, such as public/",
            )),
        ]);
    }
    Ok(())
}

/// Removes `.` and `..` from an absolute path without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Gives the memory freed on every thread back to the system at once, after a stage let go
/// of much (mimalloc, the binary's allocator, keeps freed pages for a while: reused by the
/// next allocations of their size, given back only later).
///
/// Called on a core rendering pages (a large page let go of a copy), only that core's
/// memory: asking every core would wait until each has finished the pages it was dealt,
/// and a core waiting in the pool takes other pages meanwhile — the overview of 100,000
/// villages waited for 47,000 of them, its memory held all the while.
pub(crate) fn give_back_freed_memory() {
    // SAFETY: `mi_collect` only tidies the calling thread's own heap (and memory no thread
    // holds); it may be called at any time from any thread.
    let collect = || unsafe { libmimalloc_sys::mi_collect(true) };
    if rayon::current_thread_index().is_none() {
        rayon::broadcast(|_| collect());
    }
    collect();
}

/// A build of this many pages or more gives the memory its pages freed back to the system
/// before it writes the search index and `figures.json`.
const GIVE_BACK_BEFORE_WRITING_FROM: usize = spill::LARGE_SITE_PAGES;

/// When the first [`Timer`] started: each lap says how long after it it ended.
static TIMERS_STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Stage timings on stderr when `HUIBAO_TIMINGS` is set (for profiling, not for tests):
/// each stage's wall time, the process's CPU time in it (Linux; two cores busy show twice
/// the wall time) and its resident memory.
pub(crate) struct Timer {
    last: std::cell::Cell<std::time::Instant>,
    /// The process's CPU time at the last lap, in milliseconds.
    last_cpu: std::cell::Cell<u64>,
    on: bool,
}

/// The CPU time the process has used, user and system, in milliseconds (Linux, read from
/// `/proc/self/stat` in its clock ticks of 10 ms; 0 elsewhere).
fn cpu_ms() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's name (which may hold spaces, in parentheses): utime
    // and stime are the 14th and 15th of the line, the 12th and 13th after it.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    ticks * 10
}

impl Timer {
    pub(crate) fn start() -> Timer {
        TIMERS_STARTED.get_or_init(std::time::Instant::now);
        let on = std::env::var_os("HUIBAO_TIMINGS").is_some();
        Timer {
            last: std::cell::Cell::new(std::time::Instant::now()),
            last_cpu: std::cell::Cell::new(if on { cpu_ms() } else { 0 }),
            on,
        }
    }

    pub(crate) fn lap(&self, stage: &str) {
        if self.on {
            let now = std::time::Instant::now();
            // Resident memory now and at its peak (Linux only; blank elsewhere).
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let field = |name: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map(|v| v.trim().trim_end_matches(" kB").trim().to_string())
                    .and_then(|kb| kb.parse::<u64>().ok())
                    .map_or(String::new(), |kb| format!("{:>6} MiB", kb / 1024))
            };
            let since = TIMERS_STARTED
                .get()
                .map_or(0, |start| (now - *start).as_millis());
            let cpu = cpu_ms();
            eprintln!(
                "{stage:>10}: {:>6} ms (at {since:>6} ms)  cpu {:>6} ms  rss {} peak {}",
                (now - self.last.get()).as_millis(),
                cpu.saturating_sub(self.last_cpu.get()),
                field("VmRSS:"),
                field("VmHWM:")
            );
            self.last.set(now);
            self.last_cpu.set(cpu);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_given_back_on_a_core_rendering_pages_does_not_wait_for_the_other_cores() {
        // Two cores: one busy with a page that waits for a word from the other, the other
        // giving back the memory a large page let go and then sending that word. Were the
        // memory asked back on every core, the second would wait for the first to finish
        // (taking other work meanwhile): the first would wait out its five seconds.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .expect("a pool of two threads");
        let (send, receive) = std::sync::mpsc::channel::<()>();
        let (busy_started, busy_running) = std::sync::mpsc::channel::<()>();
        let heard = pool.install(|| {
            rayon::join(
                move || {
                    let _ = busy_started.send(());
                    receive
                        .recv_timeout(std::time::Duration::from_secs(5))
                        .is_ok()
                },
                move || {
                    // The other core is busy before the memory is given back.
                    let _ = busy_running.recv_timeout(std::time::Duration::from_secs(5));
                    give_back_freed_memory();
                    let _ = send.send(());
                },
            )
            .0
        });
        assert!(heard, "giving back memory waited for the busy core");
    }

    #[test]
    fn the_files_changed_since_the_last_build_are_the_new_the_different_and_the_gone() {
        let file = |path: &str, fingerprint: &str| {
            let root = load::yaml::Node {
                value: load::yaml::Value::Map(Box::default()),
                line: 1,
                col: 1,
            };
            let (path, print) = (PathBuf::from(path), fingerprint.to_string());
            std::sync::Arc::new(load::DataFile::with_fingerprint(
                path,
                Vec::new(),
                root,
                print,
            ))
        };
        let published = |prints: &[(&str, &str)]| -> std::collections::BTreeMap<String, String> {
            prints
                .iter()
                .map(|(p, f)| (p.to_string(), f.to_string()))
                .collect()
        };
        let baseline = published(&[
            ("data/a.yaml", "1"),
            ("data/b.yaml", "2"),
            ("data/c.yaml", "3"),
        ]);
        let data = load::Data {
            files: vec![
                file("data/a.yaml", "1"),
                file("data/b.yaml", "9"),
                file("data/d.yaml", "4"),
            ],
        };
        let since = changed_since(&baseline, prints_of(&data));
        let mut changed: Vec<_> = since.changed.into_iter().collect();
        changed.sort();
        assert_eq!(
            changed,
            [PathBuf::from("data/b.yaml"), PathBuf::from("data/d.yaml")]
        );
        assert_eq!(since.removed, [PathBuf::from("data/c.yaml")]);
        let same = load::Data {
            files: vec![file("data/a.yaml", "1"), file("data/b.yaml", "2")],
        };
        let since = changed_since(&baseline, prints_of(&same));
        assert!(since.changed.is_empty());
        assert_eq!(since.removed, [PathBuf::from("data/c.yaml")]);
        // In another order than the map's (a file beside a folder of its name, a file
        // listed backwards): each still found by its path, whatever came before it.
        let baseline = published(&[
            ("data/v.yaml", "1"),
            ("data/v/a.yaml", "2"),
            ("data/v/b.yaml", "3"),
            ("data/v-2.yaml", "4"),
            ("data/w.yaml", "5"),
        ]);
        let data = load::Data {
            files: vec![
                file("data/v/b.yaml", "3"),
                file("data/v/a.yaml", "2"),
                file("data/v-2.yaml", "4"),
                file("data/v.yaml", "6"),
                file("data/w.yaml", "5"),
                file("data/v/c.yaml", "7"),
            ],
        };
        let since = changed_since(&baseline, prints_of(&data));
        let mut changed: Vec<_> = since.changed.into_iter().collect();
        changed.sort();
        assert_eq!(
            changed,
            [PathBuf::from("data/v/c.yaml"), PathBuf::from("data/v.yaml")]
        );
        assert!(since.removed.is_empty());
    }
}

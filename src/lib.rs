//! huibao (汇报): a static report-site generator for data-driven work reports.
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`discover`] → [`load`] → [`validate`] → [`render`] → [`write`].
//! Every stage reports problems in the user's files as [`diagnostics::Diagnostic`]s.

// Diagnostics are returned by value: they are rare, and boxing them buys nothing.
#![allow(clippy::result_large_err)]

pub mod chart;
mod compare;
pub mod config;
pub mod diagnostics;
pub mod discover;
pub mod document;
mod export;
pub mod figure;
pub mod html;
mod import;
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
mod timings;
pub mod validate;
pub mod varint;
pub mod write;

use std::path::{Path, PathBuf};

use diagnostics::Diagnostic;

use compare::{Baseline, changed_since, changes_owed, compared_with, prints_of};
pub use export::{
    DataExport, DataExportReport, ExportReport, document_now, export, export_data,
    export_json_schema,
};
use export::{pdf_fonts, put_documents};
pub use import::{ImportOptions, ImportReport, import_data};
pub(crate) use timings::Timer;

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
    /// The corrections log's entries, checked against the data.
    pub corrections: Vec<validate::corrections::Correction>,
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
/// `retitled`: the report's title was changed (see [`BuildOptions::retitled`]).
pub fn check(
    site_root: &Path,
    deny_warnings: bool,
    retitled: bool,
) -> Result<Rendered, Vec<Diagnostic>> {
    let timer = Timer::start();
    let site = discover::discover(site_root)?;
    timer.lap("discover");
    // A build that makes a PDF to download needs its fonts: found now as a build finds them,
    // and reported with every other problem.
    let mut before_render = pdf_fonts(&site.root, &site.config.document, &site.config.downloads())
        .err()
        .unwrap_or_default();
    // (An output folder that would overwrite the site is told before a build tries it.)
    let out_dir = site.root.join(&site.config.output_dir);
    before_render.extend(
        check_output_dir(&site, &out_dir, true)
            .and_then(|()| check_same_report(&site, &out_dir, retitled))
            .err()
            .unwrap_or_default(),
    );
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
        _ if before_render.is_empty() => checked,
        Ok(rendered) => Err(with_notes(before_render, &rendered.notes)),
        Err(problems) => Err(with_notes(before_render, &problems)),
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
    let (loaded, streamed) = read_data(&site, (&schema_read, pages_to), cache, &mut env_notes)?;
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
    let checked_before = preview.then_some(&mut cache.checked);
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
            let checked = (schema_read.as_ref(), &loaded);
            let (data, notes) =
                validate::validate_with(checked.0, checked.1, since.as_ref(), checked_before);
            (data, notes, None)
        }
    };
    drop(loaded);
    timer.lap("validate");
    notes.extend(env_notes);
    notes.splice(0..0, site.notes.iter().cloned());
    notes.extend(unreadable_manifest);
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
    let published = match &baseline {
        Some(Baseline::Published(published)) if !sampled => Some(published),
        _ => None,
    };
    let figure_changes = published.and_then(|published| {
        let owed = (&site, &corrections[..]);
        let changed_since = since.as_ref().map(|since| &since.changed);
        changes_owed(
            published,
            &mut output.figures,
            owed,
            changed_since,
            &mut notes,
        )
    });
    timer.lap("compared");
    if deny_warnings && notes.iter().any(stops) {
        return Err(notes);
    }
    cache.last_good = Some(output.figures.clone());
    Ok(Rendered {
        site,
        output,
        notes,
        figure_changes,
        corrections,
    })
}

/// The site's data files: read, checked and packed in one pass by a build (`pages_to` a
/// sink) with a readable schema (`schema_read`), when it can; else loaded as trees, which the
/// preview keeps in `cache` for its next build (`check` keeps them for its sample pages).
fn read_data<'s>(
    site: &discover::Site,
    (schema_read, pages_to): (
        &'s Option<Result<validate::schema::Schema, Vec<Diagnostic>>>,
        render::PagesTo<'_>,
    ),
    cache: &mut BuildCache,
    notes: &mut Vec<Diagnostic>,
) -> Result<(load::Data, Option<streamed::Streamed<'s>>), Vec<Diagnostic>> {
    let streamed = match (pages_to, schema_read) {
        (render::PagesTo::Sink(_), Some(Ok(schema))) => {
            streamed::read(&site.root, &site.data_files, schema, notes)
        }
        _ => None,
    };
    // Only the preview builds again with the same cache; a one-off build keeps no parsed
    // file beyond validation (and asks no file's time and size).
    let preview = matches!(pages_to, render::PagesTo::Memory);
    let read = match streamed {
        Some(streamed) => (load::Data::default(), Some(streamed?)),
        None => {
            let last = preview.then_some(&mut cache.data);
            (load::load_cached(&site.root, &site.data_files, last)?, None)
        }
    };
    if !preview {
        cache.data = load::LoadCache::default();
    }
    Ok(read)
}

/// How `huibao build` builds: the command line's choices.
#[derive(Clone, Copy, Debug, Default)]
pub struct BuildOptions<'a> {
    /// The output folder (`None`: the site's `output_dir`).
    pub out: Option<&'a Path>,
    /// Warnings stop the build too.
    pub deny_warnings: bool,
    /// The report's title was changed: the site in the output folder, published under its
    /// old title, is this report's, compared with as always (else a folder holding a report
    /// of another title stops the build: see [`check_same_report`]).
    pub retitled: bool,
}

/// Builds the site in `site_root` and publishes it to the output folder (default: the site's
/// `output_dir`). Pages are written into a staging folder as they are rendered; on any error
/// the staging folder is removed and the previous site stays as it was.
pub fn build(site_root: &Path, options: BuildOptions<'_>) -> Result<BuildReport, Vec<Diagnostic>> {
    let timer = Timer::start();
    let site = discover::discover(site_root)?;
    timer.lap("discover");
    let deny_warnings = options.deny_warnings;
    let from_settings = options.out.is_none();
    let out_dir = match options.out {
        Some(dir) => dir.to_path_buf(),
        None => site.root.join(&site.config.output_dir),
    };
    check_output_dir(&site, &out_dir, from_settings)?;
    check_same_report(&site, &out_dir, options.retitled)?;
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
    // (An error now is the corrections log's, against the published figures: `diff` lists
    // the changes with it; a build publishes nothing.)
    if notes.iter().any(Diagnostic::is_error) {
        return Err(notes);
    }
    let timer = Timer::start();
    if !files_of.is_empty() {
        let report = document::Document {
            title,
            language,
            pages: staging.take_markdown(),
        };
        let made_with = (site_root.as_path(), &settings, &found);
        put_documents(&staging, (&report, &files_of), made_with, &mut notes)?;
        // A warning of the documents' (their charts drawn without a Chinese font) fails a
        // build that denies warnings, as the data's do: nothing is published.
        if notes.iter().any(|d| stops_build(d, deny_warnings)) {
            return Err(notes);
        }
        timer.lap("documents");
    }
    let search_files = write_site_files(&staging, &mut output)?;
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

/// Writes into `staging` what a build makes once its pages are done: the files kept in
/// `output` and its static files, the search index (its files' count returned), the
/// whole-report page and figures.json.
fn write_site_files(
    staging: &write::Staging,
    output: &mut render::Output,
) -> Result<usize, Vec<Diagnostic>> {
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
    Ok(search_files)
}

/// The kinds of document `huibao export` makes.
pub use config::DocumentKind as ExportKind;

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

/// Refuses an output folder that would overwrite the site's own sources; one the settings
/// name (`from_settings`, not `--out`) is told at its `output_dir` line.
fn check_output_dir(
    site: &discover::Site,
    out_dir: &Path,
    from_settings: bool,
) -> Result<(), Vec<Diagnostic>> {
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
        let (location, shown) = match from_settings {
            true => (
                config::setting_location(&site.root, None, "output_dir"),
                site.config.output_dir.as_path(),
            ),
            false => (diagnostics::Location::file(out_dir), out_dir),
        };
        return Err(vec![
            Diagnostic::error(
                "output-dir",
                Some(location),
                diagnostics::Text::new(
                    format!("输出文件夹 {} 会覆盖站点自己的文件", shown.display()),
                    format!(
                        "the output folder {} would overwrite the site's own files",
                        shown.display()
                    ),
                ),
            )
            .with_hint(match from_settings {
                true => diagnostics::Text::new(
                    "输出到单独的文件夹：写成 output_dir = \"public\"",
                    "write to a folder of its own: output_dir = \"public\"",
                ),
                false => diagnostics::Text::new(
                    "输出到单独的文件夹，例如 public/",
                    "write to a folder of its own, such as public/",
                ),
            }),
        ]);
    }
    Ok(())
}

/// What the site published in `site`'s output folder says of a build the preview made
/// (`figures`, `corrections`: compared with the last good build, not with it): the problems
/// of the corrections log that would stop `huibao build` (an `old` that is not what was
/// published, a published entry removed) and the figures owed an entry. Nothing when there
/// is no published site, or it is another report's.
pub(crate) fn against_published(
    site: &discover::Site,
    figures: &manifest::Manifest,
    corrections: &[validate::corrections::Correction],
) -> Vec<Diagnostic> {
    let out_dir = site.root.join(&site.config.output_dir);
    let mut notes = Vec::new();
    if check_same_report(site, &out_dir, false).is_err() {
        return notes;
    }
    if let Some(published) = manifest::Published::read(&out_dir) {
        let _ = compare::owed(&published, figures, (site, corrections), None, &mut notes);
    }
    notes
}

/// Refuses an output folder holding a report of another title (last year's, when a clerk
/// copied last year's site folder to make this year's): the build would replace it, and
/// its figures are not this report's to compare with — every new figure would be owed a
/// correction, every published correction said to be removed. `retitled` (the title of
/// this report was changed) lets it through.
fn check_same_report(
    site: &discover::Site,
    out_dir: &Path,
    retitled: bool,
) -> Result<(), Vec<Diagnostic>> {
    let title = site.config.title.trim();
    let Some(published) = manifest::Published::title(out_dir) else {
        return Ok(());
    };
    if retitled || title.is_empty() || published.trim() == title {
        return Ok(());
    }
    let out = out_dir.display();
    let folder = new_folder_name(&site.config.output_dir, title);
    Err(vec![
        Diagnostic::error(
            "output-other-report",
            Some(config::setting_location(&site.root, None, "title")),
            diagnostics::Text::new(
                format!("输出文件夹 {out} 里发布的是另一份汇报《{published}》，这次构建的是《{title}》"),
                format!(
                    "the output folder {out} holds another report, “{published}”; this build is “{title}”"
                ),
            ),
        )
        .with_hint(diagnostics::Text::new(
            format!(
                "构建会把《{published}》整个换掉，所以没有构建，什么也没改。这是新的一份汇报：输出到新的文件夹（在 huibao.toml 写 output_dir = \"{folder}\"，或 huibao build --out {folder}）；上一份不用留在这里，就先把 {out} 改名或移走。只是改了这份汇报的标题：用 huibao build --retitled 构建一次"
            ),
            format!(
                "the build would replace “{published}” altogether, so nothing was built or changed. A new report: write it to a new folder (output_dir = \"{folder}\" in huibao.toml, or huibao build --out {folder}); if the other need not stay there, rename or move {out} first. Only this report's title changed: build once with huibao build --retitled"
            ),
        )),
    ])
}

/// A name for a new report's output folder: `output_dir` with the title's year
/// (`public-2021`), else with `-new`.
fn new_folder_name(output_dir: &Path, title: &str) -> String {
    let year = title
        .split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 4 && (run.starts_with("19") || run.starts_with("20")));
    let base = output_dir.to_string_lossy();
    let base = base.trim_end_matches(['/', '\\']);
    format!("{base}-{}", year.unwrap_or("new"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_reports_folder_is_named_after_its_year() {
        let name = |dir: &str, title: &str| new_folder_name(Path::new(dir), title);
        assert_eq!(
            name("public", "示例乡2021年脱贫攻坚工作情况汇报"),
            "public-2021"
        );
        assert_eq!(name("public/", "2021年度汇报"), "public-2021");
        assert_eq!(name("site\\", "汇报（2022）"), "site-2022");
        // No year in it (a five-digit number is none): `-new`.
        assert_eq!(name("public", "乡镇工作汇报"), "public-new");
        assert_eq!(name("public", "编号12021的汇报"), "public-new");
    }

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
}

//! Where each page goes once made: to the sink, the whole report, the search index and the
//! figures manifest; the pages kept by the preview and reused when their inputs did not
//! change.

use bytes::Bytes;
use rustc_hash::FxHashMap as HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::cache::PageCache;
use super::pages::PagePlan;
use super::site_files::OutputPaths;
use super::{MarkdownPage, PageHtml, PageSink, cache, data_page, links, pages, print};
use crate::diagnostics::{Diagnostic, Text};
use crate::provenance::Sources;
use crate::{manifest, search};

/// One page rendered and handed to the sink: what the rest of the build needs of it.
pub(super) struct Finished {
    /// The page, when it is kept in memory (no sink).
    pub(super) bytes: Option<Bytes>,
    /// Its section of the whole-report page, when it is kept in memory (no sink).
    pub(super) section: Option<Bytes>,
    /// Its part of the search index, when it is kept in memory (no sink).
    pub(super) search: Option<std::sync::Arc<search::index::Entry>>,
    /// The CSV files of its data tables, when they are kept in memory (no sink).
    pub(super) tables: Vec<(String, Bytes)>,
    /// Their paths (for the figures manifest: they carry the page's figures too).
    pub(super) table_paths: Vec<String>,
    pub(super) figures: manifest::Figures,
    pub(super) links: links::PageLinks,
}

/// The figures manifest of the pages done (`pages_done`, their figures in the scratch file
/// `spilled` when a large build put them there), with the figures' sources and the data
/// files' fingerprints; the data's own downloads carry every value: named in it too.
pub(super) fn manifest_of(
    pages_done: Vec<manifest::Page>,
    spilled: Option<(manifest::SpilledFigures, Vec<u32>)>,
    (figure_sources, fingerprints): (
        std::sync::Arc<Sources>,
        std::collections::BTreeMap<String, String>,
    ),
    data_downloads: Option<&data_page::DataDownloads>,
) -> manifest::Manifest {
    let mut figures = match spilled {
        Some((spilled, _)) => manifest::Manifest::with_spilled_figures(
            pages_done,
            figure_sources,
            fingerprints,
            spilled,
        ),
        None => manifest::Manifest::new(pages_done, figure_sources, fingerprints),
    };
    if let Some(offered) = data_downloads {
        figures.downloads = offered.file_paths().collect();
    }
    figures
}

/// The pages of a build as they are done, reused or rendered now.
#[derive(Default)]
pub(super) struct Done {
    /// Whether pages are kept in memory (no sink): in `files`, and in `kept` for the next
    /// build.
    pub(super) keep: bool,
    /// The pages' bytes, when kept.
    pub(super) files: Vec<(PathBuf, Bytes)>,
    /// The figures each printed.
    pub(super) figures: Vec<manifest::Page>,
    /// Every page's anchors, for the links to them (when kept, they are in `kept`).
    pub(super) anchors: HashMap<String, Vec<u64>>,
    /// What the next build may reuse.
    pub(super) kept: cache::KeptPages,
}

/// A page done, reused or rendered now (see [`Done::add`]).
pub(super) struct DonePage {
    /// The fingerprint of its inputs.
    pub(super) print: u64,
    /// The whole page (when pages are kept).
    pub(super) bytes: Option<Bytes>,
    /// Its section of the whole-report page.
    pub(super) section: Option<Bytes>,
    /// Its tables' CSV files (when pages are kept).
    pub(super) tables: Vec<(String, Bytes)>,
    /// The figures it printed.
    pub(super) figures: std::sync::Arc<manifest::Figures>,
    /// Its tables' files (paths in the site), which carry its figures too.
    pub(super) table_paths: Vec<String>,
    /// Its anchors.
    pub(super) anchors: Vec<u64>,
    /// Its part of the search index (when kept).
    pub(super) search: Option<std::sync::Arc<search::index::Entry>>,
    /// Its content's links as written and what was found of them, kept with the page.
    pub(super) links: links::PageLinks,
}

impl Done {
    /// No page done yet, of a build of `pages` pages; the last build's pages (kept in
    /// `cache` when pages are `keep`t) stay where they are: a page reused is read in its
    /// place, a page made again replaces its entry.
    pub(super) fn new(keep: bool, cache: &mut PageCache, pages: usize) -> Self {
        Done {
            keep,
            kept: if keep {
                std::mem::take(&mut cache.pages)
            } else {
                cache::KeptPages::default()
            },
            anchors: HashMap::with_capacity_and_hasher(
                if keep { 0 } else { pages },
                Default::default(),
            ),
            // One entry a page: made at its size, not grown by doubling (each step copies
            // every entry while the old ones are held, at the end of the pages of 100,000
            // villages).
            figures: Vec::with_capacity(pages),
            ..Done::default()
        }
    }

    /// The anchors of the pages done, for the link check (`complete`: every page is done).
    pub(super) fn link_anchors(&self, complete: bool) -> links::Anchors<'_> {
        links::Anchors {
            pages: &self.anchors,
            kept: Some(&self.kept),
            complete,
        }
    }

    /// Takes `page`'s figures for the manifest, its anchors for the link check and, when
    /// pages are kept, its files and what the next build may reuse.
    pub(super) fn add(&mut self, page: &pages::PlannedPage, done: DonePage) {
        let DonePage {
            print,
            bytes,
            section,
            tables,
            figures,
            table_paths,
            anchors,
            search,
            links,
        } = done;
        if let (true, Some(bytes)) = (self.keep, bytes) {
            push_files(&mut self.files, page, bytes.clone(), &tables);
            self.kept.insert(
                page.output.clone(),
                cache::CachedPage {
                    print,
                    bytes,
                    section,
                    figures: figures.clone(),
                    anchors,
                    links,
                    search,
                    tables,
                },
            );
        } else {
            self.anchors.insert(page.output.clone(), anchors);
        }
        self.push_figures(page, figures, table_paths);
    }

    /// Adds `page`'s `figures` and table `downloads` to the manifest.
    pub(super) fn push_figures(
        &mut self,
        page: &pages::PlannedPage,
        figures: std::sync::Arc<manifest::Figures>,
        downloads: Vec<String>,
    ) {
        self.figures.push(manifest::Page {
            page: page.output.clone(),
            title: page.title.clone(),
            figures,
            downloads,
        });
    }
}

/// The pages rendered now, taken as the cores finish them (see [`render_in_parallel`]):
/// into `done`, and, by page, their links still to check and their problems.
pub(super) struct Finishing<'d> {
    pub(super) done: &'d mut Done,
    /// In any order ([`links::check`] sorts what it finds).
    pub(super) scanned: LinksToCheck,
    /// (page, its problems).
    pub(super) problems: Vec<(usize, Vec<Diagnostic>)>,
}

impl Finishing<'_> {
    /// Takes page `index` (planned as `planned`, with inputs fingerprinted `inputs`) as it
    /// was rendered.
    pub(super) fn add(
        &mut self,
        planned: &pages::PlannedPage,
        index: usize,
        inputs: u64,
        result: Result<Finished, Vec<Diagnostic>>,
    ) {
        let mut page = match result {
            Ok(page) => page,
            Err(found) => {
                self.problems.push((index, found));
                return;
            }
        };
        let anchors = std::mem::take(&mut page.links.anchors);
        // The link check needs only what is broken or waits for another page's anchors (a
        // few pages), not every page's links.
        if let Some(found) = page.links.to_check() {
            self.scanned.push((planned.output.clone(), found));
        }
        let links = if self.done.keep {
            page.links
        } else {
            links::PageLinks::default()
        };
        self.done.add(
            planned,
            DonePage {
                print: inputs,
                bytes: page.bytes,
                section: page.section,
                tables: page.tables,
                figures: shared_figures(page.figures),
                table_paths: page.table_paths,
                anchors,
                search: page.search,
                links,
            },
        );
    }
}

/// A page's figures, shared: none (a page without figures, or whose figures wait in the
/// build's scratch file) is one [`manifest::Figures`] for all such pages.
pub(super) fn shared_figures(figures: manifest::Figures) -> std::sync::Arc<manifest::Figures> {
    static NONE: std::sync::LazyLock<std::sync::Arc<manifest::Figures>> =
        std::sync::LazyLock::new(Default::default);
    if figures.is_empty() {
        NONE.clone()
    } else {
        std::sync::Arc::new(figures)
    }
}

/// Where each page goes as it is done, besides [`Done`]: the sink (a build's staging
/// folder), the whole report's sections, the search index and the figures' scratch file,
/// when the build has them.
pub(super) struct PageSinks<'a> {
    pub(super) sink: Option<&'a dyn PageSink>,
    pub(super) parts: Option<&'a print::Parts>,
    pub(super) collector: Option<&'a search::index::Collector>,
    /// The scratch file of a large build's figures, and each page's place in the manifest's
    /// order.
    pub(super) spilled_figures: Option<&'a (manifest::SpilledFigures, Vec<u32>)>,
    /// Whether pages are kept in memory (the preview): what each hands on is returned too.
    pub(super) keep: bool,
    /// How many CSV files of tables the sink was given.
    pub(super) table_files: AtomicUsize,
}

impl PageSinks<'_> {
    /// Hands page `output`'s HTML `bytes` and its `tables`' CSV files to the sink (if any):
    /// what could not be written.
    pub(super) fn put_files(
        &self,
        output: &str,
        bytes: &Bytes,
        tables: &[(String, Bytes)],
    ) -> Vec<Diagnostic> {
        let Some(sink) = self.sink else {
            return Vec::new();
        };
        let files = [(output, bytes)].into_iter();
        let problems = files
            .chain(tables.iter().map(|(path, csv)| (path.as_str(), csv)))
            .filter_map(|(path, bytes)| sink.put(std::path::Path::new(path), bytes).err())
            .collect();
        self.table_files.fetch_add(tables.len(), Ordering::Relaxed);
        problems
    }

    /// Hands page `index` (planned as `planned`), made now as `page` with its `links`, on:
    /// its section to the whole report (`page_outputs`: the pages its links may point to
    /// there), its words to the search index, its files and its Markdown to the sink, its
    /// figures to the scratch file. Returns what the rest of the build needs of it, and no
    /// more: every page's result is held until the last is done (100,000 at a province's
    /// report).
    pub(super) fn hand_on(
        &self,
        index: usize,
        planned: &pages::PlannedPage,
        mut page: PageHtml,
        links: links::PageLinks,
        page_outputs: &rustc_hash::FxHashSet<String>,
    ) -> Result<Finished, Vec<Diagnostic>> {
        let (keep, sink) = (self.keep, self.sink);
        let output_path = &planned.output;
        let section = self
            .parts
            .map(|parts| -> Result<Bytes, Vec<Diagnostic>> {
                let title = (planned.key != "index.md").then_some(planned.title.as_str());
                let section = print::fragment(output_path, title, &page.body, page_outputs);
                let section = Bytes::from(section.into_bytes());
                parts
                    .put(index, section.clone())
                    .map_err(|error| vec![print::write_error(&error)])?;
                Ok(section)
            })
            .transpose()?;
        // The page's words for the search index: its content without what only the site shows.
        let search = match self.collector {
            Some(collector) => {
                // Read from the Markdown's events, or else from the content's HTML.
                let text = match page.search_text.take() {
                    Some(text) => text,
                    None => search::text::page_text(&page.body),
                };
                index_page(collector, (index, &planned.title, text), keep, sink)?
            }
            None => None,
        };
        let bytes = Bytes::from(page.html.into_bytes());
        let not_put = self.put_files(output_path, &bytes, &page.tables);
        if !not_put.is_empty() {
            return Err(not_put);
        }
        if let (Some(sink), Some(markdown)) = (sink, page.markdown) {
            sink.put_markdown(MarkdownPage {
                index,
                key: planned.key.clone(),
                output: output_path.clone(),
                title: planned.title.clone(),
                number_headings: planned.number_headings,
                markdown,
            });
        }
        Ok(Finished {
            bytes: keep.then_some(bytes),
            section: section.filter(|_| keep),
            search: search.filter(|_| keep),
            table_paths: page.tables.iter().map(|(p, _)| p.clone()).collect(),
            tables: if keep { page.tables } else { Vec::new() },
            figures: match self.spilled_figures {
                Some((spilled, places)) => {
                    spilled
                        .put(places[index] as usize, &page.figures)
                        .map_err(|error| vec![manifest_scratch_error(&error)])?;
                    manifest::Figures::default()
                }
                None => page.figures.shrunk(),
            },
            links: if keep { links } else { links.for_build() },
        })
    }

    /// Hands page `index`, reused from the last build as `cached`, on as if made now: its
    /// files to the sink, its section to the whole report, its entry to the search index.
    pub(super) fn put_reused(
        &self,
        index: usize,
        cached: &cache::CachedPage,
        output: &str,
    ) -> Vec<Diagnostic> {
        let mut problems = self.put_files(output, &cached.bytes, &cached.tables);
        if let (Some(parts), Some(section)) = (self.parts, &cached.section)
            && let Err(error) = parts.put(index, section.clone())
        {
            problems.push(print::write_error(&error));
        }
        if let (Some(collector), Some(entry)) = (self.collector, &cached.search)
            && let Err(error) = collector.put(index, entry)
        {
            problems.push(search::files::write_error(&error));
        }
        problems
    }
}

/// Pages' links still to check: (its output path, its links broken or waiting for another
/// page's anchors).
pub(super) type LinksToCheck = Vec<(String, links::PageLinks)>;

/// Sorts the plan's pages (each with the print of its inputs, `page_prints`) into those the
/// last build made from the same inputs (`reusable`: the preview's, whose pages are kept in
/// `done`), handed on at once to `sinks` and `done`, and those to render now, returned with
/// the reused pages' links still to check. `relink`: the site's files are others than when
/// the kept pages were checked, and these (a page they point to may have gone). `check`
/// (`sample`) renders one page of each content template.
pub(super) fn reuse_kept_pages(
    (plan, page_prints): (&pages::PagePlan, &[u64]),
    reusable: bool,
    sample: bool,
    relink: Option<&OutputPaths>,
    done: &mut Done,
    sinks: &PageSinks<'_>,
    problems: &mut Vec<Diagnostic>,
) -> (Vec<(usize, u64)>, LinksToCheck) {
    let mut to_render: Vec<(usize, u64)> = Vec::new();
    let mut reused_links = Vec::new();
    for (index, page) in plan.pages.iter().enumerate() {
        let inputs = page_prints[index];
        match done.kept.get_mut(&page.output) {
            Some(cached) if reusable && cached.print == inputs => {
                problems.append(&mut sinks.put_reused(index, cached, &page.output));
                let table_paths: Vec<String> =
                    cached.tables.iter().map(|(p, _)| p.clone()).collect();
                // Its links to other pages' anchors are checked with the pages made now.
                if let Some(output_paths) = relink {
                    let own: Vec<&str> = table_paths.iter().map(String::as_str).collect();
                    cached.links = links::resolve_links(
                        &page.output,
                        std::mem::take(&mut cached.links.links),
                        &cached.anchors,
                        (output_paths, &own),
                    );
                }
                if let Some(found) = cached.links.to_check() {
                    reused_links.push((page.output.clone(), found));
                }
                push_files(&mut done.files, page, cached.bytes.clone(), &cached.tables);
                let figures = cached.figures.clone();
                done.push_figures(page, figures, table_paths);
            }
            // A page made again: its last version goes (a page kept is one reused by this
            // build or not in its plan, so that its links were checked against this build's
            // files).
            Some(_) => {
                done.kept.remove(&page.output);
                to_render.push((index, inputs));
            }
            None if sample
                && to_render
                    .iter()
                    .any(|&(i, _)| plan.pages[i].source == page.source) => {}
            None => to_render.push((index, inputs)),
        }
    }
    (to_render, reused_links)
}

/// Adds `page`'s files (its HTML `bytes` and its `tables`' CSV) to `files`, the output kept
/// in memory (a page made, or reused while the last build's pages are read in place).
pub(super) fn push_files(
    files: &mut Vec<(PathBuf, Bytes)>,
    page: &pages::PlannedPage,
    bytes: Bytes,
    tables: &[(String, Bytes)],
) {
    files.push((PathBuf::from(&page.output), bytes));
    for (path, csv) in tables {
        files.push((PathBuf::from(path), csv.clone()));
    }
}

/// A build of this many pages or more keeps their figures in a scratch file until the
/// manifest is written (`HUIBAO_FIGURES_SPILLED_FROM` sets another number: the tests keep a
/// small site's there).
pub(super) const FIGURES_SPILLED_FROM: usize = crate::spill::LARGE_SITE_PAGES;

/// How many pages a build has from which their figures wait in a scratch file: the
/// default, or `HUIBAO_FIGURES_SPILLED_FROM`'s whole number; a value that is not one is
/// the default with a warning in `notes` (never a silent one).
pub(super) fn figures_spilled_from(notes: &mut Vec<Diagnostic>) -> usize {
    crate::diagnostics::env_whole_number(
        "HUIBAO_FIGURES_SPILLED_FROM",
        FIGURES_SPILLED_FROM,
        Text::new("页", "pages"),
        notes,
    )
}

/// Each planned page's place in the manifest, whose pages are in the order of their
/// output paths.
pub(super) fn manifest_places(plan: &PagePlan) -> Vec<u32> {
    let mut order: Vec<u32> = (0..plan.pages.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| {
        plan.pages[a as usize]
            .output
            .cmp(&plan.pages[b as usize].output)
    });
    let mut places = vec![0; order.len()];
    for (place, &index) in order.iter().enumerate() {
        places[index as usize] = place as u32;
    }
    places
}

/// A failure to keep a page's figures in the build's scratch file.
pub(super) fn manifest_scratch_error(error: &std::io::Error) -> Diagnostic {
    Diagnostic::unwritable(
        manifest::FILE,
        (
            "暂存页面的数字（写入临时文件）",
            "keeping the pages' figures in a scratch file",
        ),
        error,
    )
}

/// Puts page `index` titled `title` with `text` in the search index: the preview keeps its
/// entry (`keep`, returned); a build's terms are counted with the thread's next pages', and
/// the page file of the index this page completed is written through `sink` now.
pub(super) fn index_page(
    collector: &search::index::Collector,
    (index, title, text): (usize, &str, search::text::PageText),
    keep: bool,
    sink: Option<&dyn PageSink>,
) -> Result<Option<std::sync::Arc<search::index::Entry>>, Vec<Diagnostic>> {
    let title = crate::provenance::strip(title);
    let unwritable = |error| vec![search::files::write_error(&error)];
    if keep {
        let entry = search::index::Entry::new(&title, &text, collector.dictionary());
        collector.put(index, &entry).map_err(unwritable)?;
        return Ok(Some(std::sync::Arc::new(entry)));
    }
    let page_file = collector
        .put_text(index, title.into_owned(), text)
        .map_err(unwritable)?;
    if let (Some((n, bytes)), Some(sink)) = (page_file, sink) {
        let path = search::files::pages_file(n);
        sink.put(std::path::Path::new(&path), &bytes)
            .map_err(|problem| vec![problem])?;
    }
    Ok(None)
}

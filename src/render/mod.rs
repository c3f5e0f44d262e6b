//! Render: content templates (Tera) → Markdown (pulldown-cmark) → HTML in the theme layout.
//!
//! The data context is built once; each page only adds its own small `page` (and, for a
//! generated page, its record) before rendering, so a site of thousands of villages never
//! copies the data tree per page.

mod cache;
pub mod context;
mod corrections_page;
pub mod data_page;
pub mod deps;
mod done;
mod errors;
pub mod escape;
pub mod figures;
mod links;
mod long_tables;
pub mod markdown;
mod pages;
mod parallel;
mod prepare;
pub mod print;
pub mod search_page;
mod shown;
mod site_files;
mod slips;
pub mod table_csv;
mod tera_filters;
mod tera_said;
pub mod theme;
mod typecheck;

use bytes::Bytes;
use rustc_hash::FxHashMap as HashMap;
use serde_json::{Map, Value as Json, json};
use std::path::PathBuf;
use tera::{Context, Tera};

use crate::diagnostics::{Diagnostic, Location, Text};
use crate::discover::Site;
use crate::load::Data;
use crate::manifest;
use crate::provenance::Sources;
use crate::search;
use crate::validate::schema::Schema;
pub use cache::PageCache;
use cache::fingerprint;
use done::{Done, PageSinks, manifest_of};
pub use errors::template_error;
pub use pages::{FrontMatter, PagePlan};
use parallel::{PageMaker, Shared, Values, lists_made_as_read_from, render_pages};
use prepare::{
    Mode, Taken, Templates, data_offered, float_math_warnings, page_prints, plan_cached, take_data,
    template_reads, values_made_now,
};
use shown::ShownFigures;
use site_files::{
    Collecting, Header, SitePages, check_links, files_in_order, files_made_too, output_paths_cached,
};
use std::sync::atomic::AtomicUsize;

/// A rendered site: what is left to write once every page went to its [`PageSink`].
#[derive(Debug, Default)]
pub struct Output {
    /// Generated files held in memory: path in the output folder → bytes, in path order.
    /// Every page when rendering without a sink (the preview); with a sink, only the files
    /// made after the pages (the built-in theme's assets). The figures manifest is in
    /// `figures`; the caller writes it ([`manifest::FILE`]).
    pub files: Vec<(PathBuf, Bytes)>,
    /// How many pages were rendered (or reused) and given to the sink or kept in `files`.
    pub pages: usize,
    /// Files copied as they are: (path in the output folder, source file).
    pub copies: Vec<(PathBuf, PathBuf)>,
    /// Warnings about the templates (the build went on).
    pub notes: Vec<Diagnostic>,
    /// Every figure printed, page by page, for the figures manifest (shared with the next
    /// build of `serve`, which compares with it).
    pub figures: std::sync::Arc<manifest::Manifest>,
    /// The whole-report page ([`print::PAGE`]), when the site has one; the caller writes it
    /// (a build streams it into the staging folder, the preview makes it when asked).
    pub print: Option<print::WholeReport>,
    /// The search index, when the site has search: the caller writes its files
    /// ([`crate::search::files`]; the search page itself is in `files`).
    pub search: Option<crate::search::index::Index>,
    /// How many tables' CSV files were given to the sink (without a sink they are in
    /// `files`).
    pub table_files: usize,
    /// The preview's data downloads (the workbook, each sheet's CSV), made when one is
    /// asked for; a build's are in `files` or given to the sink.
    pub data_files: Option<std::sync::Arc<data_page::OnRequest>>,
}

/// A file name in a link: its bytes outside plain ASCII, spaces, `#`, `?` and `%` encoded.
const IN_URL: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'?')
    .add(b'<')
    .add(b'>');

/// Where a build puts each page the moment it is rendered, so that a site of any size never
/// holds all its pages in memory (a build's staging folder, see `write::Staging`). Called
/// from every core at once.
pub trait PageSink: Sync {
    /// Takes the page at `path` in the output folder.
    fn put(&self, path: &std::path::Path, bytes: &[u8]) -> Result<(), Diagnostic>;

    /// Where pieces made with each of a site's `pages` pages wait for the end of the build: a
    /// scratch file for `purpose` (one of [`crate::write::SCRATCH_FILES`]); `None` when the
    /// sink keeps no such pieces (`huibao diff`).
    fn spill(
        &self,
        _purpose: &str,
        _pages: usize,
    ) -> Option<Result<crate::spill::Spill, Diagnostic>> {
        None
    }

    /// Whether the sink takes each page's Markdown ([`PageSink::put_markdown`]): the
    /// document exports do, a build does not.
    fn wants_markdown(&self) -> bool {
        false
    }

    /// Whether the pages link the files offered to download (`site.downloads`): a build
    /// that makes them; the document exports, which take the Markdown, as well.
    fn makes_downloads(&self) -> bool {
        self.wants_markdown()
    }

    /// Takes a page's Markdown after templating (called from every core, in any order).
    fn put_markdown(&self, _page: MarkdownPage) {}
}

/// A page's Markdown after templating, with what a document made of the pages needs of it.
#[derive(Debug, Clone)]
pub struct MarkdownPage {
    /// Its place in the reading order.
    pub index: usize,
    /// Its content path (`villages/hengxi.md`): what links between pages name.
    pub key: String,
    /// Its path in the site (`villages/hengxi.html`).
    pub output: String,
    /// Its title.
    pub title: String,
    /// Whether its headings get official numbers (一、（一）1.（1）).
    pub number_headings: bool,
    /// Its Markdown, figures still marked with their sources ([`crate::provenance`]).
    pub markdown: String,
}

/// What becomes of a build's pages.
#[derive(Clone, Copy)]
pub enum PagesTo<'s> {
    /// Kept in memory: in [`Output::files`] and in the cache for the next build (the
    /// preview, tests).
    Memory,
    /// Handed to a sink as each is rendered, then dropped (a build; `huibao diff`).
    Sink(&'s dyn PageSink),
    /// Only the first page of each content template is rendered, to find template mistakes
    /// without the time of a whole build, and dropped (`huibao check`). The template values
    /// then hold the first [`SAMPLE_LIST`] records of each folder and the records a template
    /// names (see [`context::sample_context`]): an overview of 10,000 villages is tried on a
    /// few. The figures manifest holds only those pages.
    Sample,
    /// Like [`PagesTo::Sample`], with all the data in the template values (what `check`
    /// tries when a sample page fails).
    SampleAll,
}

/// How many records a folder's list form holds in the sample pages of [`PagesTo::Sample`].
pub const SAMPLE_LIST: usize = 8;

/// A sink that drops every page: for what needs only the figures (`huibao diff`).
#[derive(Debug, Default)]
pub struct Discard;

impl PageSink for Discard {
    fn put(&self, _path: &std::path::Path, _bytes: &[u8]) -> Result<(), Diagnostic> {
        Ok(())
    }
}

/// What a build knows beyond the site's files: the schema (for the names of figures) and
/// the notes to link from corrected figures.
#[derive(Clone, Copy, Debug, Default)]
pub struct Extras<'e> {
    /// The site's schema, when it has a readable one.
    pub schema: Option<&'e Schema>,
    /// The checked entries of the corrections log: the page 「更正说明」 lists them and
    /// every corrected figure links to its entry.
    pub corrections: &'e [crate::validate::corrections::Correction],
}

/// Figure key (`data/policies/health.yaml#hospital.hospitalisations`) → (anchor on the
/// corrections page, the note shown on hover).
pub type CorrectedFigures = HashMap<String, (String, String)>;

/// One page rendered: the whole page, its content's HTML, and the figures it printed.
struct PageHtml {
    html: String,
    body: String,
    figures: manifest::Figures,
    /// The Markdown the content template made, when asked for (see [`Wanted`]).
    markdown: Option<String>,
    /// The CSV files of its data tables (paths in the site), linked under each table.
    tables: Vec<(String, Bytes)>,
    /// Its text for the search index, read as its Markdown was written (when asked for and
    /// the events could say it: else read from `body`).
    search_text: Option<search::text::PageText>,
    /// Its links to pages that are not there, as written, with their errors (the page is
    /// not published).
    broken_page_links: Vec<(String, Diagnostic)>,
}

/// Renders every page of `site` with `data`. Reports every problem it can find.
/// Every page is kept in [`Output::files`].
pub fn render_site(
    site: &Site,
    data: &Data,
    extras: Extras<'_>,
) -> Result<Output, Vec<Diagnostic>> {
    render_site_cached(
        site,
        data.clone(),
        None,
        extras,
        &mut PageCache::default(),
        PagesTo::Memory,
    )
}

/// The page plan and the maps made of it, kept by the preview while what the plan is made
/// of stays the same ([`pages::plan_print`]).
#[derive(Debug)]
pub(crate) struct Planned {
    plan: pages::PagePlan,
    /// Each page's content path → its output path (for links written to `.md` files).
    link_targets: HashMap<String, String>,
    /// Every page's output path, for the links of the whole-report page.
    page_outputs: rustc_hash::FxHashSet<String>,
    /// Every page as search results show it, made when first asked (the preview's
    /// rebuilds share them while the plan is the same).
    search_pages: std::sync::OnceLock<std::sync::Arc<[search::index::Page]>>,
}

impl Planned {
    fn new(plan: pages::PagePlan) -> Self {
        let link_targets = plan
            .pages
            .iter()
            .map(|p| (p.key.clone(), p.output.clone()))
            .collect();
        let page_outputs = plan.pages.iter().map(|p| p.output.clone()).collect();
        Planned {
            plan,
            link_targets,
            page_outputs,
            search_pages: std::sync::OnceLock::new(),
        }
    }

    /// Every page as search results show it ([`search_pages`]), shared.
    fn search_pages(&self) -> std::sync::Arc<[search::index::Page]> {
        self.search_pages
            .get_or_init(|| search_pages(&self.plan).into())
            .clone()
    }
}

/// Like [`render_site`], reusing the pages of `cache` whose inputs did not change; `pages`
/// says where they go (only [`PagesTo::Memory`] keeps them, and fills the cache). The data
/// is taken, and let go once the template values are made: pages read those. A build whose
/// files were packed as they were checked passes them as `packed` (in the data's order), and
/// as `data` the files outside folders whole and the others as much as the checks read.
pub fn render_site_cached(
    site: &Site,
    data: Data,
    packed: Option<Vec<context::Packed>>,
    extras: Extras<'_>,
    cache: &mut PageCache,
    pages_to: PagesTo<'_>,
) -> Result<Output, Vec<Diagnostic>> {
    let mode = Mode::of(pages_to);
    let timer = crate::Timer::start();
    let mut problems = Vec::new();
    let mut sources = pages::read_sources(site, &mut problems);
    // Its warnings (a tag typed with full-width braces) are told beside the pages.
    let source_notes: Vec<Diagnostic>;
    (problems, source_notes) = problems.into_iter().partition(Diagnostic::is_error);
    let made_now = values_made_now(&data, &sources, extras.schema, cache, mode);
    mode.give_back();
    timer.lap("context");
    let (data_downloads, data_files) = data_offered(
        (site, extras.schema),
        (&data, packed.as_deref()),
        mode,
        &mut problems,
    );
    if !extras.corrections.is_empty() && !sources.iter().any(|s| s.name == corrections_page::SOURCE)
    {
        sources.push(corrections_page::source());
    }
    let corrected = corrections_page::corrected(extras.corrections);
    let Taken {
        data_map,
        figure_sources,
        checked,
        fingerprints: build_fingerprints,
    } = take_data(data, packed, extras.schema, made_now, mode);
    timer.lap("fingerprints");
    // The plan's problems are told after the templates'.
    let mut plan_problems = Vec::new();
    let planned = plan_cached(site, (&checked, &sources), cache, mode, &mut plan_problems);
    let plan = &planned.plan;
    mode.give_back();
    timer.lap("plan");
    let (templates, warnings) = Templates::new(
        site,
        (&sources, &checked, figure_sources.clone()),
        extras.schema,
        mode.keep.then_some(&mut *cache),
        &mut problems,
    );
    // Template mistakes stop the build; optional fields read unguarded are warnings.
    let mut template_notes = source_notes;
    template_notes.extend(warnings);
    timer.lap("templates");
    problems.append(&mut plan_problems);
    let mut collecting = Collecting::new(
        (site, &planned),
        mode,
        &cache.search_terms,
        &mut template_notes,
        &mut problems,
    );
    let made_here = collecting.made_here(data_downloads.is_some(), mode);
    problems.extend(made_here.pages_in_their_places(plan, &sources));
    if !problems.is_empty() {
        problems.append(&mut template_notes);
        return Err(problems);
    }
    let shown = collecting.shown(data_downloads.is_some());
    let header = Header::new(
        (site, extras, mode),
        shown,
        data_downloads.as_ref(),
        &figure_sources,
    );
    let content_tera = &templates.content.tera;
    let (reads, list_fields) = template_reads(content_tera, &sources);
    let data_fingerprints = build_fingerprints.unwrap_or_else(|| checked.fingerprints(mode));
    // The files the preview keeps its data context of.
    let checked_files = checked.files_kept(mode);
    // Fingerprints of each page's inputs tell which cached pages can be reused; a build that
    // keeps nothing (a sink) does not need them.
    let page_prints = checked_files.as_deref().map(|files| {
        let theme_print = header.print(templates.layout_print);
        let lists = (reads.clone(), &list_fields[..]);
        page_prints(
            site,
            (&data_map, files),
            theme_print,
            (plan, &sources),
            lists,
            cache,
        )
    });
    let (lazy, folders) = checked.into_page_values();
    let values = match &lazy {
        Some(lazy) => Values::Lazy(lazy),
        None => Values::Made(&data_map, &folders),
    };
    timer.lap("prints");
    let builtin_files = theme::builtin_files(site);
    let made_too = files_made_too(
        &builtin_files,
        collecting.print_page,
        collecting.search_site,
        &header.documents,
        data_downloads.as_ref(),
    );
    let outputs = output_paths_cached(site, &planned, made_too, mode.keep.then_some(&mut *cache));
    let mut output = Output {
        notes: float_math_warnings(content_tera, &sources),
        data_files,
        ..Output::default()
    };
    output.notes.append(&mut template_notes);
    output.notes.extend(collecting.print_note.take());
    cache.keep_pages_of(&figure_sources);
    let mut done = Done::new(mode.keep, cache, plan.pages.len());
    let sinks = PageSinks {
        sink: mode.sink,
        parts: collecting.parts.as_ref(),
        collector: collecting.collector.as_ref(),
        spilled_figures: collecting.spilled_figures.as_ref(),
        keep: mode.keep,
        table_files: AtomicUsize::new(0),
    };
    let maker = PageMaker {
        site,
        plan,
        sources: &sources,
        values,
        content_tera,
        layout: (&templates.layout, templates.content_spliced),
        site_json: &header.site_json,
        link_targets: &planned.link_targets,
        figures: (&figure_sources, &corrected),
        wanted: Wanted {
            search_text: collecting.collector.is_some(),
            markdown: mode.sink.is_some_and(|sink| sink.wants_markdown()),
        },
        output_paths: &outputs,
        page_outputs: &planned.page_outputs,
        sinks: &sinks,
    };
    let shared = Shared {
        values,
        pages_left: &[],
        reads: &reads,
        list_fields: &list_fields,
        list_limit: mode.list_limit,
        lists_made_as_read_from: lists_made_as_read_from(&mut output.notes),
        site: &header.site_json,
        huibao: &header.huibao_json,
    };
    // The links of the pages reused are checked again with the rendered pages' links (their
    // links to other files again too when the site's files are others).
    let relink = (cache.output_print != outputs.print).then_some(&*outputs);
    let (reused, scanned) = render_pages(
        &maker,
        shared,
        (page_prints, mode.sample, relink),
        &mut done,
        &mut problems,
    );
    output.table_files = sinks.table_files.into_inner();
    output.pages = if mode.sample {
        plan.pages.len()
    } else {
        done.figures.len()
    };
    let mut manifest = manifest_of(
        std::mem::take(&mut done.figures),
        collecting.spilled_figures,
        (figure_sources.clone(), data_fingerprints),
        data_downloads.as_ref(),
    );
    manifest.corrections = extras.corrections.iter().map(|c| c.logged()).collect();
    manifest.title = site.config.title.clone();
    output.figures = std::sync::Arc::new(manifest);
    timer.lap(&format!("pages ({reused} reused)"));
    if mode.keep {
        templates.content.keep(&mut cache.content);
    }
    // Links are checked once every page was made.
    let pages_made = problems.is_empty();
    if pages_made {
        let site_of = (site, plan, &sources[..]);
        problems.extend(check_links(
            site_of,
            &scanned,
            &mut done,
            mode,
            &outputs.generated,
        ));
    }
    // The pages reused and made are kept for the next build, their links checked against
    // this build's files.
    cache.pages = done.kept;
    cache.output_print = outputs.print;
    if !pages_made {
        // The template's warnings may say where a page's error is: an optional field read
        // unguarded is the read that failed, where Tera's message named only the field.
        errors::at_the_read_warned_of(&mut problems, &mut output.notes);
        problems.append(&mut output.notes);
        return Err(problems);
    }
    output.files = files_in_order(done.files, builtin_files);
    output.copies = site.static_files.clone();
    timer.lap("links");
    let site_pages = SitePages {
        site,
        planned: &planned,
        layout_tera: &templates.layout,
        site_json: &header.site_json,
    };
    let made = (
        collecting.collector,
        data_downloads.as_ref(),
        collecting.parts,
    );
    site_pages.add_to(&mut output, made, header.downloads(), &mut problems);
    if let Some(files) = checked_files {
        cache.context = context::Cache::keep(files, extras.schema, data_map, figure_sources);
    }
    if problems.is_empty() {
        Ok(output)
    } else {
        Err(problems)
    }
}

/// A path of the output folder as pages link to it and the preview serves it:
/// `/`-separated.
pub fn output_key(path: &std::path::Path) -> String {
    crate::site_path::slashed(path)
}

/// A page whose Markdown or HTML is this many bytes or more (the overview of 100,000
/// villages: 20 MB of Markdown, 40 MB of HTML) gives the memory of each copy it lets go
/// back to the system at once (see [`crate::give_back_freed_memory`]).
const LARGE_PAGE: usize = 8 << 20;

/// Every page as the search index shows it in its results, in reading order.
fn search_pages(plan: &PagePlan) -> Vec<search::index::Page> {
    let home = plan.home();
    plan.pages
        .iter()
        .enumerate()
        .map(|(index, page)| {
            let place: Vec<String> = plan
                .breadcrumbs_under(home, index)
                .into_iter()
                .map(|i| crate::provenance::strip(&plan.pages[i].title).into_owned())
                .collect();
            search::index::Page {
                url: page.output.clone(),
                title: crate::provenance::strip(&page.title).into_owned(),
                place: place.join(" › "),
            }
        })
        .collect()
}

/// What a page's rendering hands on besides its HTML.
#[derive(Clone, Copy)]
struct Wanted {
    /// Its text for the search index, read from its Markdown's events.
    search_text: bool,
    /// Its Markdown (for the report's documents); else dropped once read.
    markdown: bool,
}

/// Renders page `index` of the plan from `markdown_text` (what its content template made):
/// its content's HTML, the figures it shows, its tables' CSV, and the whole page in the
/// layout.
#[allow(clippy::too_many_arguments)]
fn render_page(
    site: &Site,
    plan: &PagePlan,
    index: usize,
    markdown_text: String,
    (layout_tera, content_spliced): (&Tera, bool),
    site_json: &Json,
    link_targets: &HashMap<String, String>,
    sources: &[pages::Source],
    (figure_sources, corrected): (&Sources, Option<&CorrectedFigures>),
    wanted: Wanted,
) -> Result<PageHtml, Vec<Diagnostic>> {
    let page = &plan.pages[index];
    let source = &sources[page.source];
    let root = "../".repeat(page.output.matches('/').count());
    let source_dir = match page.key.rsplit_once('/') {
        Some((dir, _)) => dir,
        None => "",
    };
    let links = markdown::Links {
        pages: link_targets,
        source_dir,
        root: &root,
    };
    // The corrections page does not link its own figures to itself.
    let mut shown = ShownFigures {
        sources: figure_sources,
        corrected: corrected.filter(|_| source.name != corrections_page::SOURCE),
        root: &root,
        found: manifest::Figures::default(),
        last_file: None,
    };
    let mut search_text = wanted
        .search_text
        .then(|| search::text::Reader::for_markdown(markdown_text.len()));
    let mut body = markdown::to_html(
        &markdown_text,
        &links,
        page.number_headings,
        &mut shown,
        search_text.as_mut(),
    );
    // A 10,000-village overview's Markdown is tens of megabytes: not held beside its HTML
    // when nothing reads it.
    let markdown_len = markdown_text.len();
    let markdown = wanted.markdown.then_some(markdown_text);
    let large = markdown_len.max(body.html.len()) >= LARGE_PAGE;
    if let std::borrow::Cow::Owned(unique) = crate::chart::unique_ids(&body.html) {
        body.html = unique;
    }
    if large {
        crate::give_back_freed_memory();
    }
    let tables = if site.config.tables.csv {
        table_csv::add_downloads(
            &mut body.html,
            &plan.pages[index].output,
            std::mem::take(&mut body.tables),
        )
    } else {
        Vec::new()
    };
    if large {
        crate::give_back_freed_memory();
    }
    // A link to a page that is not there fails the page, but the page is still made: its
    // links to files and anchors are checked too, all told in one run.
    let broken_page_links: Vec<(String, Diagnostic)> = body
        .broken_links
        .iter()
        .map(|link| (link.clone(), broken_page_link(link, source, &links)))
        .collect();

    // The content goes into the layout after it is rendered when the layout only shows it.
    let content = if content_spliced {
        theme::PAGE_CONTENT_MARKER
    } else {
        &body.html
    };
    let layout_context = plan.layout_context(index, (content, &body.headings), &root, site_json);
    let mut layout = Context::from_value(layout_context).unwrap_or_else(|_| Context::new());
    layout.insert("root", &root);
    let html = theme::render_layout(layout_tera, site, theme::PAGE_TEMPLATE, &layout)
        .map_err(|problem| vec![problem])?;
    // A figure printed where no span can be (the page title, a layout attribute) shows as
    // its text.
    let stripped = match crate::provenance::strip(&html) {
        std::borrow::Cow::Owned(stripped) => Some(stripped),
        std::borrow::Cow::Borrowed(_) => None,
    };
    let mut html = stripped.unwrap_or(html);
    if content_spliced {
        html = theme::splice_content(&html, &crate::provenance::strip(&body.html));
    }
    Ok(PageHtml {
        html,
        body: body.html,
        figures: shown.found,
        markdown,
        tables,
        search_text: search_text.and_then(search::text::Reader::finish),
        broken_page_links,
    })
}

/// The error of `link` in `source`, a link to a content page that is not there (or to a file
/// on the writer's computer), with the page it likely meant.
fn broken_page_link(link: &str, source: &pages::Source, links: &markdown::Links<'_>) -> Diagnostic {
    let location = errors::locate_written(&source.template, link)
        .map(|(line, col)| Location::new(&source.file, line, col))
        .unwrap_or_else(|| Location::file(&source.file));
    if links::on_this_computer(link) {
        return links::on_this_computer_problem(link, location);
    }
    let hint = match links::closest_page(link, links) {
        // Windows' `\` between folders: the link with `/`.
        _ if link.contains('\\') => {
            let slashed = link.replace('\\', "/");
            let meant = links::closest_page(&slashed, links).unwrap_or(slashed);
            Text::new(
                format!("链接里的路径用「/」分隔，不用「\\」：写成 {meant}"),
                format!("a link's path is separated with `/`, not `\\`: write {meant}"),
            )
        }
        Some(meant) => Text::new(
            format!("是不是「{meant}」？"),
            format!("did you mean `{meant}`?"),
        ),
        None => Text::new(
            "链接写内容文件的路径（相对于本文件，或以 / 开头从 content/ 算起），例如 villages/index.md",
            "link to a content file, relative to this file or from content/ with a leading /, e.g. villages/index.md",
        ),
    };
    Diagnostic::error(
        "link-broken",
        Some(location),
        Text::new(
            format!("链接「{link}」指向的页面不存在"),
            format!("the link `{link}` points to a page that does not exist"),
        ),
    )
    .with_hint(hint)
}

impl PagePlan {
    /// The context of the layout template for page `index`.
    fn layout_context(
        &self,
        index: usize,
        (content, headings): (&str, &[markdown::Heading]),
        root: &str,
        site: &Json,
    ) -> Json {
        let page = &self.pages[index];
        let link = |i: usize| self.link_json(i);
        let (prev, next, _) = self.neighbours(index);
        let (prev, next) = (prev.map(link), next.map(link));
        let breadcrumbs: Vec<Json> = self.breadcrumbs(index).into_iter().map(link).collect();
        let toc = self.toc_json(Some(index));
        let mut page_json = Map::new();
        page_json.insert("title".into(), json!(page.title));
        page_json.insert("url".into(), json!(page.output));
        page_json.insert("content".into(), json!(content));
        page_json.insert("headings".into(), json!(headings));
        let outline: Vec<&markdown::Heading> = headings
            .iter()
            .filter(|h| h.level == 2 || h.level == 3)
            .collect();
        page_json.insert("outline".into(), json!(outline));
        page_json.insert("is_home".into(), json!(page.key == "index.md"));
        page_json.insert("breadcrumbs".into(), json!(breadcrumbs));
        page_json.insert("prev".into(), prev.unwrap_or(Json::Null));
        page_json.insert("next".into(), next.unwrap_or(Json::Null));
        // Moved in, and the site's values cloned: `json!` would serialise each again (every
        // key of every map hashed anew, the page's headings and table of contents too).
        let mut context = Map::with_capacity(4);
        context.insert("site".into(), site.clone());
        context.insert("page".into(), Json::Object(page_json));
        context.insert("toc".into(), Json::Array(toc));
        context.insert("root".into(), Json::String(root.to_string()));
        Json::Object(context)
    }

    /// Page `index` as the layout links to it: its `title` and `url`.
    fn link_json(&self, index: usize) -> Json {
        json!({ "title": self.pages[index].title, "url": self.pages[index].output })
    }

    /// The layout's table of contents (`toc`), `current` marked, and `open` where the
    /// entry or one of its children is the current page.
    fn toc_json(&self, current: Option<usize>) -> Vec<Json> {
        self.toc
            .iter()
            .map(|entry| {
                let children: Vec<Json> = entry
                    .children
                    .iter()
                    .map(|&c| {
                        let mut child = self.link_json(c);
                        child["current"] = Json::Bool(Some(c) == current);
                        child
                    })
                    .collect();
                let mut item = self.link_json(entry.page);
                let here = Some(entry.page) == current;
                let open = here || entry.children.iter().any(|&c| Some(c) == current);
                item["current"] = Json::Bool(here);
                item["open"] = Json::Bool(open);
                item["children"] = Json::Array(children);
                item
            })
            .collect()
    }

    /// The layout's context for a page the build makes beyond the content (the search page):
    /// titled `title`, at `url` at the top of the site, with `content`, under the home page.
    /// A page huibao makes itself (search, 数据下载), titled `title` at `url` with the HTML
    /// `content`, in the site's layout.
    pub(crate) fn extra_page(
        &self,
        layout_tera: &Tera,
        site: &Site,
        (title, url): (&str, &str),
        content: &str,
        site_json: &Json,
    ) -> Result<String, Diagnostic> {
        let context = self.extra_page_context(title, url, content, site_json);
        let context = Context::from_value(context).unwrap_or_else(|_| Context::new());
        let html = theme::render_layout(layout_tera, site, theme::PAGE_TEMPLATE, &context)?;
        Ok(crate::provenance::strip(&html).into_owned())
    }

    fn extra_page_context(&self, title: &str, url: &str, content: &str, site: &Json) -> Json {
        let breadcrumbs: Vec<Json> = self.home().into_iter().map(|i| self.link_json(i)).collect();
        let page = json!({
            "title": title,
            "url": url,
            "content": content,
            "headings": [],
            "outline": [],
            "is_home": false,
            "breadcrumbs": breadcrumbs,
            "prev": null,
            "next": null,
        });
        json!({ "site": site, "page": page, "toc": self.toc_json(None), "root": "" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    /// The vendored Tera (vendor/tera/PATCHED.md) reads dotted paths through objects and
    /// lists as Tera does, escapes (`~1` for `/`) included.
    #[test]
    fn the_patched_tera_reads_dotted_paths_as_tera_does() {
        let mut context = Context::new();
        context.insert(
            "v",
            &json!({ "registered": { "households": 151 }, "exits": [{ "year": 2013 }, { "year": 2014 }] }),
        );
        let template =
            "{{ v.registered.households }} {{ v.exits.1.year }} {{ v.missing | default(value=0) }}";
        let rendered = Tera::one_off(template, &context, false).expect("renders");
        assert_eq!(rendered, "151 2014 0");
        // A key with `/` and `~` in it, written escaped (JSON pointer's `~1` and `~0`).
        let escaped = json!({ "a/b": { "c~d": 7 } });
        assert_eq!(tera::dotted_pointer(&escaped, "a~1b.c~0d"), Some(&json!(7)));
        assert_eq!(tera::dotted_pointer(&escaped, "a/b.c~d"), Some(&json!(7)));
        assert_eq!(tera::dotted_pointer(&escaped, "a~1b.c~1d"), None);
        // Keys in Chinese, quoted in brackets (a clerk's `extra["名称"]`): Tera cut the path
        // by characters counted as bytes, inside `名`, and panicked.
        context.insert(
            "extra",
            &json!({ "名称": "示例", "户 数": { "合计": 12, "total": 13 } }),
        );
        let template =
            r#"{{ extra["名称"] }} {{ extra["户 数"]["合计"] }} {{ extra["户 数"].total }}"#;
        let rendered = Tera::one_off(template, &context, false).expect("renders");
        assert_eq!(rendered, "示例 12 13");
        // A loop over a text goes by what a reader sees as one character (a letter with its
        // accent, an emoji with its modifier): it looked for one past the end and panicked.
        context.insert("word", &json!("e\u{301}x👍🏻"));
        let rendered = Tera::one_off("{% for c in word %}{{ c }}|{% endfor %}", &context, false)
            .expect("renders");
        assert_eq!(rendered, "e\u{301}|x|👍🏻|");
        // A plain path split at its dots, as the machine for quotes and brackets splits it.
        let nested = json!({ "a": { "b": [10, { "c": 11 }] } });
        for (path, wanted) in [
            ("a.b.0", Some(json!(10))),
            ("a.b.1.c", Some(json!(11))),
            (".a..b.1.c.", Some(json!(11))),
            ("a.b.01", None),
            ("a.b.2", None),
            ("a.x", None),
            ("a.b.0.c", None),
        ] {
            assert_eq!(
                tera::dotted_pointer(&nested, path),
                wanted.as_ref(),
                "{path}"
            );
        }
    }

    #[test]
    fn the_patched_tera_writes_text_as_tera_wrote_bytes() {
        // Patched: the renderer writes through `fmt::Write` (no UTF-8 check of every page
        // afterwards); `render_to` adapts an `io::Write` and returns its error.
        let mut tera = Tera::default();
        let template = "{% macro m(n) %}<{{ n }}>{% endmacro m %}{% filter upper %}横溪 {{ v.x }}{% endfilter %} {{ self::m(n=v.list) }} {{ v.list | join(sep=\"、\") }} {{ 1.5 }} {% if self::m(n=1) %}有{% endif %}";
        tera.add_raw_template("t", template).expect("parses");
        let mut context = Context::new();
        context.insert("v", &json!({ "x": "村", "list": [1, "二", 3.5] }));
        let rendered = tera.render("t", &context).expect("renders");
        assert_eq!(rendered, "横溪 村 <[1, 二, 3.5]> 1、二、3.5 1.5 有");
        let mut bytes = Vec::new();
        tera.render_to("t", &context, &mut bytes).expect("writes");
        assert_eq!(bytes, rendered.as_bytes());
        struct Full;
        impl std::io::Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let error = tera
            .render_to("t", &context, Full)
            .expect_err("cannot write");
        assert!(
            matches!(
                error.kind,
                tera::ErrorKind::Io(std::io::ErrorKind::StorageFull)
            ),
            "{error:?}"
        );
    }

    #[test]
    fn the_patched_tera_gives_each_filter_its_own_arguments() {
        // Patched: a filter's arguments' map is kept from one call to the next (emptied),
        // and an argument's own filters take a map of their own.
        let mut tera = Tera::default();
        let template = "{{ v.list | join(sep=v.sep | replace(from=\"-\", to=\"、\")) }}|{{ v.x | replace(from=\"村\", to=v.y | default(value=\"乡\")) }}|{{ v.x | upper }}|{{ v.list | join(sep=\"/\") }}";
        tera.add_raw_template("t", template).expect("parses");
        let mut context = Context::new();
        context.insert("v", &json!({ "x": "横溪村", "list": [1, 2], "sep": "-" }));
        let rendered = tera.render("t", &context).expect("renders");
        assert_eq!(rendered, "1、2|横溪乡|横溪村|1/2");
        // A filter given no arguments sees none of the call before's.
        let missing = "{{ v.x | replace(from=\"村\", to=\"乡\") }}{{ v.x | replace() }}";
        tera.add_raw_template("u", missing).expect("parses");
        tera.render("u", &context)
            .expect_err("replace without its arguments");
    }

    /// A list beside the context for the tests of the patched Tera: its items, and what was
    /// asked of it.
    struct CountedList {
        items: Vec<Json>,
        made_items: std::cell::Cell<usize>,
        asked: std::cell::RefCell<Vec<Option<String>>>,
        whole: std::cell::OnceCell<Json>,
    }

    impl CountedList {
        fn of(items: &[Json]) -> CountedList {
            CountedList {
                items: items.to_vec(),
                made_items: Default::default(),
                asked: Default::default(),
                whole: Default::default(),
            }
        }
    }

    impl tera::ListSource for CountedList {
        fn len(&self) -> usize {
            self.items.len()
        }
        fn item(&self, index: usize) -> Option<Json> {
            self.made_items.set(self.made_items.get() + 1);
            self.items.get(index).cloned()
        }
        fn values(&self, attribute: &str) -> Option<Vec<Json>> {
            self.asked.borrow_mut().push(Some(attribute.to_string()));
            let values = self
                .items
                .iter()
                .map(|item| tera::dotted_pointer(item, attribute));
            values.map(|value| value.cloned()).collect()
        }
        fn list(&self) -> Option<&Json> {
            self.asked.borrow_mut().push(None);
            Some(self.whole.get_or_init(|| Json::Array(self.items.clone())))
        }
    }

    /// `sum(attribute=…)` of whole numbers, for the tests of the patched Tera (huibao's own
    /// needs the table of figures).
    fn test_tera() -> Tera {
        let mut tera = Tera::default();
        tera.register_filter("sum", whole_sum(Default::default()));
        tera
    }

    /// A `sum` filter of whole numbers (of an item's `attribute`, or of the items) counting
    /// its calls in `calls`.
    fn whole_sum(
        calls: std::sync::Arc<AtomicUsize>,
    ) -> impl Fn(&Json, &tera::HashMap<String, Json>) -> tera::Result<Json> + Send + Sync {
        move |value, args| {
            calls.fetch_add(1, Ordering::Relaxed);
            let path = args.get("attribute").and_then(Json::as_str).unwrap_or("");
            let items = value.as_array().ok_or("a list")?;
            let numbers = items.iter().map(|item| tera::dotted_pointer(item, path));
            Ok(Json::from(
                numbers
                    .map(|n| n.and_then(Json::as_i64).unwrap_or(0))
                    .sum::<i64>(),
            ))
        }
    }

    #[test]
    fn the_patched_tera_reads_a_list_beside_the_context_as_it_reads_one_in_it() {
        // Patched: a list named beside the context renders as the same list in it, a loop
        // over it making one item at a time, its sums reading their attribute only.
        let items = vec![
            json!({ "id": "a", "n": 3, "r": { "p": 10 }, "note": "甲" }),
            json!({ "id": "b", "n": 4, "r": { "p": 20 }, "note": null }),
            json!({ "id": "c", "n": 5, "r": { "p": 30 }, "note": "丙" }),
        ];
        let templates = [
            // A loop: its item's fields, `loop`'s values, the item whole, `break`.
            "{% for v in xs %}{{ loop.index }}{{ v.id }}{{ v.r.p }}{% if loop.last %}。{% endif %}{% endfor %}",
            "{% for v in xs %}{{ v | json_encode() | safe }}{% if v.n > 3 %}{% break %}{% endif %}{% endfor %}",
            "{% for v in xs %}{% if v.missing is defined %}有{% endif %}{{ v.n }}{% endfor %}",
            // The filters that read an attribute, `length`, and a use that takes it whole.
            "{{ xs | length }} {{ xs | length | json_encode() }} {{ xs | sum(attribute=\"n\") }} {{ xs | sum(attribute=\"r.p\") }} {{ xs | map(attribute=\"id\") | join(sep=\",\") }}",
            "{{ xs | first | json_encode() | safe }} {% for v in xs | reverse %}{{ v.id }}{% endfor %} {{ xs.1.id }}",
            // A name of the template's own hides the list's.
            "{% set xs = [1, 2] %}{% for v in xs %}{{ v }}{% endfor %}{{ xs | length }}",
            "{% for xs in [7] %}{{ xs }}{% endfor %}{% for v in xs %}{{ v.id }}{% endfor %}",
            "{{ xs | map(attribute=\"r.p\") | join(sep=\"+\") }} {{ xs | map(attribute=\"r\") | length }}",
            // `map` leaves a null out.
            "{{ xs | map(attribute=\"note\") | join(sep=\"、\") }} {{ xs | map(attribute=\"note\") | length }}",
            // A list of none: a loop's `else`.
            "{% for v in xs | slice(end=0) %}{{ v.id }}{% else %}无{% endfor %}",
        ];
        for template in templates {
            let mut tera = test_tera();
            tera.add_raw_template("t", template).expect("parses");
            let mut whole = Context::new();
            whole.insert("xs", &items);
            let expected = tera.render("t", &whole).expect("renders");
            let list = CountedList::of(&items);
            let lists: [(&str, &dyn tera::ListSource); 1] = [("xs", &list)];
            let rendered = tera
                .render_with_lists("t", &Context::new(), &lists)
                .expect("renders with the list beside");
            assert_eq!(rendered, expected, "{template}");
        }
        // An attribute an item lacks: `sum` fails alike (the list read whole).
        let mut tera = test_tera();
        let failing = "{{ xs | sum(attribute=\"r.q\") }}";
        tera.add_raw_template("t", failing).expect("parses");
        let strict = |_: &Json, _: &tera::HashMap<String, Json>| -> tera::Result<Json> {
            Err("an item has no r.q".into())
        };
        tera.register_filter("sum", strict);
        let mut whole = Context::new();
        whole.insert("xs", &items);
        assert!(tera.render("t", &whole).is_err());
        let list = CountedList::of(&items);
        let lists: [(&str, &dyn tera::ListSource); 1] = [("xs", &list)];
        assert!(
            tera.render_with_lists("t", &Context::new(), &lists)
                .is_err()
        );
        assert_eq!(list.asked.take(), [Some("r.q".to_string()), None]);
        // What the loop and the filters asked of the list.
        let asked = |template: &str| {
            let mut tera = test_tera();
            tera.add_raw_template("t", template).expect("parses");
            let list = CountedList::of(&items);
            let lists: [(&str, &dyn tera::ListSource); 1] = [("xs", &list)];
            tera.render_with_lists("t", &Context::new(), &lists)
                .expect("renders");
            (list.made_items.get(), list.asked.take())
        };
        assert_eq!(
            asked("{% for v in xs %}{{ v.id }}{{ v.n }}{{ xs | length }}{% endfor %}"),
            (3, vec![])
        );
        assert_eq!(
            asked(
                "{{ xs | length }}{{ xs | sum(attribute=\"r.p\") }}{{ xs | map(attribute=\"id\") }}"
            ),
            (0, vec![Some("r.p".to_string()), Some("id".to_string())])
        );
        assert_eq!(
            asked("{% for v in xs | reverse %}{% endfor %}{{ xs | last }}"),
            (0, vec![None, None])
        );
    }

    #[test]
    fn the_patched_tera_sums_a_list_once_a_render_when_it_is_the_same_list() {
        // Patched: `xs | sum(attribute="a")` of a list beside the context or of the
        // context's own value is made once a render (a table's share-of-total column summed
        // the list again at each of its rows: 10,000 villages took 27 s instead of 1.3 s),
        // never when the name is a frame's (a loop's variable, a `set`), which may change.
        let calls = std::sync::Arc::new(AtomicUsize::new(0));
        let items = vec![
            json!({ "n": 3, "r": { "p": 10 } }),
            json!({ "n": 4, "r": { "p": 20 } }),
            json!({ "n": 5, "r": { "p": 30 } }),
        ];
        let groups = json!([[{ "n": 1 }], [{ "n": 2 }, { "n": 7 }]]);
        let ys = json!([{ "n": 100 }]);
        // (template, what it renders, how many times `sum` is called)
        let cases = [
            (
                "{% for v in xs %}{{ v.n }}/{{ xs | sum(attribute=\"n\") }} {% endfor %}",
                "3/12 4/12 5/12 ",
                1,
            ),
            (
                "{% for v in xs %}{{ xs | sum(attribute=\"n\") }}{{ xs | sum(attribute=\"r.p\") }} {% endfor %}",
                "1260 1260 1260 ",
                2,
            ),
            // A loop's variable: summed at each item, each its own.
            (
                "{% for g in groups %}{{ g | sum(attribute=\"n\") }} {% endfor %}",
                "1 9 ",
                2,
            ),
            // A `set` hides the list: its own sum, then the list's again.
            (
                "{{ xs | sum(attribute=\"n\") }} {% set xs = ys %}{{ xs | sum(attribute=\"n\") }}",
                "12 100",
                2,
            ),
            (
                "{% for v in xs %}{% set xs = ys %}{{ xs | sum(attribute=\"n\") }} {% endfor %}{{ xs | sum(attribute=\"n\") }}",
                "100 100 100 12",
                4,
            ),
            // A macro's argument hides the name: summed at each call.
            (
                "{% macro m(xs) %}{{ xs | sum(attribute=\"n\") }}{% endmacro m %}{{ self::m(xs=ys) }} {{ xs | sum(attribute=\"n\") }} {{ self::m(xs=ys) }} {{ xs | sum(attribute=\"n\") }}",
                "100 12 100 12",
                3,
            ),
            // Not an attribute written as text: not kept.
            (
                "{% for v in xs %}{{ xs | map(attribute=\"n\") | sum }} {% endfor %}",
                "12 12 12 ",
                3,
            ),
        ];
        for (template, expected, sums) in cases {
            for beside in [false, true] {
                let mut tera = Tera::default();
                tera.register_filter("sum", whole_sum(calls.clone()));
                tera.add_raw_template("t", template).expect("parses");
                let mut context = Context::new();
                context.insert("groups", &groups);
                context.insert("ys", &ys);
                let list = CountedList::of(&items);
                let rendered = if beside {
                    let lists: [(&str, &dyn tera::ListSource); 1] = [("xs", &list)];
                    tera.render_with_lists("t", &context, &lists)
                } else {
                    context.insert("xs", &items);
                    tera.render("t", &context)
                };
                assert_eq!(rendered.expect("renders"), expected, "{template}");
                let called = calls.swap(0, Ordering::Relaxed);
                assert_eq!(called, sums, "{template} (beside: {beside})");
            }
        }
        // A second render sums again (its list may be another).
        let mut tera = Tera::default();
        tera.register_filter("sum", whole_sum(calls.clone()));
        tera.add_raw_template("t", "{{ xs | sum(attribute=\"n\") }}")
            .expect("parses");
        for (xs, expected) in [(json!([{ "n": 1 }]), "1"), (json!([{ "n": 2 }]), "2")] {
            let mut context = Context::new();
            context.insert("xs", &xs);
            assert_eq!(tera.render("t", &context).expect("renders"), expected);
            assert_eq!(calls.swap(0, Ordering::Relaxed), 1);
        }
    }

    #[test]
    fn the_patched_tera_keeps_a_lists_sum_from_render_to_render_unless_its_name_changes() {
        // Patched: `render_keeping_sums` keeps `name | sum(attribute=…)` for the next render
        // of the same context (a village page's share of all the villages' total summed the
        // list for every page: 10,000 villages 9.8 s instead of 1.4 s) — not for the names
        // the caller says it changed.
        let calls = std::sync::Arc::new(AtomicUsize::new(0));
        let mut tera = Tera::default();
        tera.register_filter("sum", whole_sum(calls.clone()));
        let template = "{{ xs | sum(attribute=\"n\") }} {{ ys | sum(attribute=\"n\") }} {{ v | sum(attribute=\"n\") }}";
        tera.add_raw_template("t", template).expect("parses");
        let items = [json!({ "n": 1 }), json!({ "n": 2 })];
        let list = CountedList::of(&items);
        let lists: [(&str, &dyn tera::ListSource); 1] = [("xs", &list)];
        let kept = tera::KeptSums::new();
        let mut context = Context::new();
        context.insert("ys", &json!([{ "n": 10 }]));
        let render = |context: &Context, changing: &[&str]| {
            let rendered = tera
                .render_keeping_sums("t", context, &lists, &kept, changing)
                .expect("renders");
            (rendered, calls.swap(0, Ordering::Relaxed))
        };
        // The page's own `v` changes at each render: summed each time, its own.
        context.insert("v", &json!([{ "n": 100 }]));
        assert_eq!(render(&context, &["v"]), ("3 10 100".to_string(), 3));
        context.insert("v", &json!([{ "n": 200 }]));
        assert_eq!(render(&context, &["v"]), ("3 10 200".to_string(), 1));
        assert_eq!(list.asked.take(), [Some("n".to_string())]);
        // A name said to change from now on is summed again, and then at every render.
        context.insert("ys", &json!([{ "n": 20 }]));
        assert_eq!(render(&context, &["v", "ys"]), ("3 20 200".to_string(), 2));
        context.insert("ys", &json!([{ "n": 30 }]));
        assert_eq!(render(&context, &["v"]), ("3 30 200".to_string(), 2));
        assert!(list.asked.take().is_empty());
        // A dotted name changes its first name.
        let kept = tera::KeptSums::new();
        tera.add_raw_template("u", "{{ page.xs | sum(attribute=\"n\") }}")
            .expect("parses");
        for n in [1, 2] {
            context.insert("page", &json!({ "xs": [{ "n": n }] }));
            let rendered = tera.render_keeping_sums("u", &context, &lists, &kept, &["page.xs"]);
            assert_eq!(rendered.expect("renders"), n.to_string());
        }
    }

    #[test]
    fn the_patched_tera_renders_a_template_again_whatever_its_last_length() {
        // Patched: a render starts with the room of the template's last one (at most a
        // megabyte), and a loop's, a `set`'s and a macro's names are hashed with FxHash.
        let mut tera = Tera::default();
        let template = "{% macro m(n, s) %}[{{ n }}{{ s }}]{% endmacro m %}{% set t = v.sep %}{% for x in v.list %}{{ self::m(n=x, s=t) }}{% if loop.last %}。{% endif %}{% endfor %}";
        tera.add_raw_template("t", template).expect("parses");
        let render = |list: Vec<u32>| {
            let mut context = Context::new();
            context.insert("v", &json!({ "list": list, "sep": "、" }));
            tera.render("t", &context).expect("renders")
        };
        let expected = |list: &[u32]| {
            let mut text: String = list.iter().map(|n| format!("[{n}、]")).collect();
            text.push('。');
            text
        };
        // Long (past the megabyte), short, long again, short: each text whole and alone.
        let long: Vec<u32> = (0..200_000).collect();
        for list in [long.clone(), vec![7], long, vec![1, 2]] {
            let rendered = render(list.clone());
            assert_eq!(rendered.len(), expected(&list).len());
            assert!(rendered == expected(&list), "{}", &rendered[..40]);
        }
    }
}

//! What a build makes beside the content's pages, and what only the whole site can tell: the
//! pages of huibao's own (search, 「数据下载」, the whole report) and their places, the header
//! every page shows, the output's paths, and the links and static files checked against them.

use bytes::Bytes;
use serde_json::{Value as Json, json};
use std::path::PathBuf;
use tera::Tera;

use super::cache::{PageCache, fingerprint};
use super::done::{Done, figures_spilled_from, manifest_places};
use super::pages::PagePlan;
use super::prepare::Mode;
use super::{
    Extras, IN_URL, Output, Planned, corrections_page, data_page, errors, links, output_key, pages,
    print, search_page,
};
use crate::diagnostics::{Diagnostic, Location, Text};
use crate::discover::Site;
use crate::provenance::Sources;
use crate::{manifest, search};

/// The paths of a build's output: the files it makes (its pages and the others) and the
/// static files, each path kept once (100,000 villages make 200,000 files), with a print of
/// them all.
#[derive(Debug)]
pub(crate) struct OutputPaths {
    pub(super) generated: rustc_hash::FxHashSet<String>,
    pub(super) statics: rustc_hash::FxHashSet<String>,
    /// The print of every path, whatever its order: a reused page's links are checked
    /// again only when it changed.
    pub(super) print: u64,
}

impl OutputPaths {
    /// The paths of the pages of `plan`, of the files the build makes besides them
    /// (`made_too`) and of the site's static files (`statics`).
    pub(super) fn new(plan: &pages::PagePlan, made_too: Vec<String>, statics: Vec<String>) -> Self {
        let generated: rustc_hash::FxHashSet<String> = plan
            .pages
            .iter()
            .map(|p| p.output.clone())
            .chain(made_too)
            .collect();
        // A static file in a generated file's place is reported (see `static_files`).
        let statics: rustc_hash::FxHashSet<String> = statics
            .into_iter()
            .filter(|path| !generated.contains(path))
            .collect();
        let print = generated.iter().chain(&statics).fold(0u64, |print, path| {
            print.wrapping_add(std::hash::BuildHasher::hash_one(
                &rustc_hash::FxBuildHasher,
                path,
            ))
        });
        OutputPaths {
            generated,
            statics,
            print,
        }
    }

    /// Whether the output has a file at `path`.
    pub(crate) fn contains(&self, path: &str) -> bool {
        self.generated.contains(path) || self.statics.contains(path)
    }

    /// An output of the files `paths` alone (for tests of what reads it).
    #[cfg(test)]
    pub(crate) fn of_files(paths: &[&str]) -> Self {
        OutputPaths {
            generated: paths.iter().map(|p| p.to_string()).collect(),
            statics: Default::default(),
            print: 0,
        }
    }
}

/// The files kept in memory (`pages`, with the theme's `builtin` files), in the order of
/// their paths' bytes (unique): a build's files in one order whatever was reused, and in
/// whatever order the cores finished the pages. (A sort that finds runs already in order:
/// the preview's reused pages come in the order of the plan, mostly that of their paths.
/// They were sorted before too, component by component: a fifth of a one-village rebuild at
/// 10,000 villages.)
pub(super) fn files_in_order(
    mut pages: Vec<(PathBuf, Bytes)>,
    builtin: Vec<(PathBuf, &'static str)>,
) -> Vec<(PathBuf, Bytes)> {
    for (path, text) in builtin {
        pages.push((path, Bytes::from_static(text.as_bytes())));
    }
    pages.sort_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
    pages
}

/// What is gathered from the pages as they are done, besides the pages: the whole-report
/// page's sections, the figures of a large build, the search index.
pub(super) struct Collecting {
    /// Whether the site has the whole-report page (not set, it has one at a printable size).
    pub(super) print_page: bool,
    /// Why a site of this size has none, when not set.
    pub(super) print_note: Option<Diagnostic>,
    /// Its sections, kept in reading order as the pages are done.
    pub(super) parts: Option<print::Parts>,
    /// The scratch file of a large build's figures, and each page's place in the
    /// manifest's order.
    pub(super) spilled_figures: Option<(manifest::SpilledFigures, Vec<u32>)>,
    /// Whether the site has search.
    pub(super) search_site: bool,
    /// The search index: each page's terms and text as it is rendered.
    pub(super) collector: Option<search::index::Collector>,
}

impl Collecting {
    /// What this build gathers (`terms`: the preview's search terms, shared with its pages
    /// kept); a scratch file that cannot be made is a problem in `problems`.
    pub(super) fn new(
        (site, planned): (&Site, &Planned),
        mode: Mode<'_>,
        terms: &std::sync::Arc<std::sync::RwLock<search::index::Dictionary>>,
        notes: &mut Vec<Diagnostic>,
        problems: &mut Vec<Diagnostic>,
    ) -> Self {
        let plan = &planned.plan;
        let (sink, sample) = (mode.sink, mode.sample);
        let mut spill = |purpose: &str| match sink?.spill(purpose, plan.pages.len())? {
            Ok(spill) => Some(spill),
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
        let print_page = site
            .config
            .print_page
            .unwrap_or(plan.pages.len() <= print::AUTO_LIMIT);
        let print_note = (site.config.print_page.is_none() && !print_page && !sample)
            .then(|| print::too_large(plan.pages.len()));
        let parts = match (print_page && !sample, sink) {
            (false, _) => None,
            (true, None) => Some(print::Parts::in_memory()),
            (true, Some(_)) => spill("print").map(print::Parts::new),
        };
        // The figures of each page, for the manifest: in a scratch file as the pages are done
        // when a build has many pages (a province's report: 100,000 pages printed ten million
        // figures, 150 MiB held until the end), each at its place in the manifest's order.
        let spilled_figures =
            if sink.is_some() && !sample && plan.pages.len() >= figures_spilled_from(notes) {
                spill("figures")
                    .map(|spill| (manifest::SpilledFigures::new(spill), manifest_places(plan)))
            } else {
                None
            };
        let search_site = site.config.search.enabled;
        let collector = match (search_site && !sample, sink) {
            (false, _) => None,
            (true, None) => Some(search::index::Collector::kept(terms.clone())),
            // A sink that keeps no pieces (`huibao diff`, the exports) wants no search
            // either; a build writes each page file of the index as soon as its pages are
            // made.
            (true, Some(_)) => spill("search").map(|texts| {
                search::index::Collector::new(Default::default(), texts)
                    .making_page_files(planned.search_pages())
            }),
        };
        Collecting {
            print_page,
            print_note,
            parts,
            spilled_figures,
            search_site,
            collector,
        }
    }

    /// The pages of the site's own that the content may not take the place of (a site with
    /// the page 「数据下载」 has `data_page`): a page in the whole report's place is found
    /// where the whole report is made, and by `check` (`mode`).
    pub(super) fn made_here(&self, data_page: bool, mode: Mode<'_>) -> MadeHere {
        MadeHere {
            search: self.search_site,
            data_page,
            print_page: self.print_page && (mode.sample || self.parts.is_some()),
        }
    }

    /// The pages of the site's own this build makes, which every page links (with the page
    /// 「数据下载」 when the site has `data_page`).
    pub(super) fn shown(&self, data_page: bool) -> MadeHere {
        MadeHere {
            search: self.collector.is_some(),
            data_page,
            print_page: self.parts.is_some(),
        }
    }
}

/// What every page shows of the site: the template values `site` and `huibao`, and the
/// documents a build makes into the site, linked from every page it makes and files of the
/// site for every link check.
pub(super) struct Header {
    pub(super) documents: Vec<(String, &'static str)>,
    /// Whether the pages link the documents (the preview, whose pages stay in memory, makes a
    /// document when its link is followed).
    pub(super) links_documents: bool,
    pub(super) site_json: Json,
    pub(super) huibao_json: Json,
}

impl Header {
    /// What every page shows of `site`, with the pages `shown` (the page 「数据下载」 of
    /// `data_downloads`, which the header links instead of the workbook).
    pub(super) fn new(
        (site, extras, mode): (&Site, Extras<'_>, Mode<'_>),
        shown: MadeHere,
        data_downloads: Option<&data_page::DataDownloads>,
        figure_sources: &Sources,
    ) -> Self {
        let documents: Vec<(String, &'static str)> = site
            .config
            .downloads()
            .into_iter()
            .map(|kind| (site.config.document_file(kind), kind.label()))
            .collect();
        let links_documents = mode.sink.is_none_or(|s| s.makes_downloads());
        let mut header = Header {
            documents,
            links_documents,
            site_json: Json::Null,
            huibao_json: json!({
                "corrections": corrections_page::context(extras.corrections, figure_sources),
            }),
        };
        // With the page 「数据下载」, the header links it instead of the workbook.
        let header_downloads: Vec<&(String, &str)> = header
            .downloads()
            .iter()
            .filter(|(file, _)| data_downloads.is_none_or(|offered| *file != offered.workbook))
            .collect();
        header.site_json = site_json(site, extras.corrections.len(), shown, &header_downloads);
        header
    }

    /// The documents the pages link.
    pub(super) fn downloads(&self) -> &[(String, &'static str)] {
        if self.links_documents {
            &self.documents
        } else {
            &[]
        }
    }

    /// The print of what every page shows of the site, with the layout's (`layout_print`).
    /// Corrections change the pages of corrected figures (their links and notes).
    pub(super) fn print(&self, layout_print: u64) -> u64 {
        fingerprint(&(
            layout_print,
            self.site_json.to_string(),
            self.huibao_json.to_string(),
        ))
    }
}

/// The site's links that point nowhere, and its static files in a generated file's place
/// ([`check_published`]), once every page is `done`: the anchors of a static HTML file that
/// a page links into are read from the file.
pub(super) fn check_links(
    (site, plan, sources): (&Site, &PagePlan, &[pages::Source]),
    scanned: &[(String, links::PageLinks)],
    done: &mut Done,
    mode: Mode<'_>,
    generated: &rustc_hash::FxHashSet<String>,
) -> Vec<Diagnostic> {
    for (_, page_links) in scanned {
        for (target, _, _) in &page_links.pending {
            if done.link_anchors(false).of(target).is_some() {
                continue;
            }
            let source = site
                .static_files
                .iter()
                .find(|(p, _)| output_key(p) == *target);
            if let Some((_, source)) = source
                && let Ok(text) = std::fs::read_to_string(source)
            {
                done.anchors.insert(target.clone(), links::anchors(&text));
            }
        }
    }
    let anchors = done.link_anchors(!mode.sample);
    check_published(plan, sources, scanned, anchors, site, generated)
}

/// What makes the pages huibao adds to the site besides the content's, once every page is
/// done: the search page, the page 「数据下载」 and the whole report's head and tail.
#[derive(Clone, Copy)]
pub(super) struct SitePages<'p> {
    pub(super) site: &'p Site,
    pub(super) planned: &'p Planned,
    pub(super) layout_tera: &'p Tera,
    pub(super) site_json: &'p Json,
}

impl SitePages<'_> {
    /// Adds to `output` the pages of the site's own it `made` (the search index, the data
    /// offered to download, the whole report's sections), beside the documents the pages
    /// link (`downloads`); what cannot be made is in `problems`. The search page comes with
    /// its index (`output.search`), 「数据下载」 with its files, the whole report as its head
    /// and tail around the sections (`output.print`).
    pub(super) fn add_to(
        &self,
        output: &mut Output,
        made: (
            Option<search::index::Collector>,
            Option<&data_page::DataDownloads>,
            Option<print::Parts>,
        ),
        downloads: &[(String, &str)],
        problems: &mut Vec<Diagnostic>,
    ) {
        let Self {
            site,
            planned,
            layout_tera,
            site_json,
        } = *self;
        let plan = &planned.plan;
        let (collector, data_downloads, parts) = made;
        if let Some(collector) = collector {
            let index = collector.finish(|| planned.search_pages());
            let page = search_page::render(layout_tera, site, plan, site_json, &index);
            add_page(output, search_page::PAGE, page, problems);
            output.search = Some(index);
        }
        if let Some(offered) = data_downloads {
            let page = data_page::render(layout_tera, site, plan, site_json, offered, downloads);
            if add_page(output, data_page::PAGE, page, problems) {
                output.files.extend(offered.files.iter().cloned());
            }
        }
        if let Some(parts) = parts {
            match print::layout(layout_tera, site, plan, site_json) {
                Ok((head, tail)) => output.print = Some(print::WholeReport { head, tail, parts }),
                Err(problem) => problems.push(problem),
            }
        }
    }
}

/// Adds the page at `path` to `output` when it was `made` (else its problem to `problems`):
/// whether it was.
fn add_page(
    output: &mut Output,
    path: &str,
    made: Result<String, Diagnostic>,
    problems: &mut Vec<Diagnostic>,
) -> bool {
    match made {
        Ok(html) => {
            output
                .files
                .push((PathBuf::from(path), Bytes::from(html.into_bytes())));
            true
        }
        Err(problem) => {
            problems.push(problem);
            false
        }
    }
}

/// The pages huibao makes itself in a build, besides the content's.
#[derive(Clone, Copy)]
pub(super) struct MadeHere {
    /// The search page and its index (`search.html`, `search/`).
    pub(super) search: bool,
    /// The page 「数据下载」 and its files (`downloads.html`, `downloads/`).
    pub(super) data_page: bool,
    /// The whole-report page (`print.html`).
    pub(super) print_page: bool,
}

impl MadeHere {
    /// A problem for each of these the content has a page in the place of.
    pub(super) fn pages_in_their_places(
        self,
        plan: &PagePlan,
        sources: &[pages::Source],
    ) -> Vec<Diagnostic> {
        let page_at = |taken: &dyn Fn(&str) -> bool| {
            plan.pages
                .iter()
                .find(|p| taken(&p.output))
                .map(|p| &sources[p.source].file)
        };
        let mut problems = Vec::new();
        if self.search
            && let Some(file) = page_at(&|output| {
                output == search_page::PAGE || output.starts_with(search::files::FOLDER)
            })
        {
            problems.push(search_page::collision(file));
        }
        if self.data_page
            && let Some(file) = page_at(&|output| {
                output == data_page::PAGE
                    || output
                        .strip_prefix(data_page::FOLDER)
                        .is_some_and(|rest| rest.starts_with('/'))
            })
        {
            problems.push(data_page::collision(file));
        }
        if self.print_page
            && let Some(file) = page_at(&|output| output == print::PAGE)
        {
            problems.push(print::collision(file));
        }
        problems
    }
}

/// The template value `site`: the site's settings and the pages and documents the layout
/// links (`downloads`: file and label, linked from every page's header).
pub(super) fn site_json(
    site: &Site,
    corrections: usize,
    shown: MadeHere,
    downloads: &[&(String, &str)],
) -> Json {
    let path_if = |shown: bool, path: &str| if shown { Json::from(path) } else { Json::Null };
    json!({
        "title": site.config.title,
        "language": site.config.language,
        "description": site.config.description,
        "corrections": corrections,
        "print_page": path_if(shown.print_page, print::PAGE),
        "search": path_if(shown.search, search_page::PAGE),
        "data_page": path_if(shown.data_page, data_page::PAGE),
        "downloads": downloads
            .iter()
            .map(|(file, label)| {
                let url = percent_encoding::utf8_percent_encode(file, IN_URL).to_string();
                json!({ "url": url, "label": label })
            })
            .collect::<Vec<_>>(),
    })
}

/// The files a build makes besides its pages (paths in the site): the theme's static files,
/// the figures manifest, the whole report, the search page and script, the documents and the
/// data downloads, as the build has them.
pub(super) fn files_made_too(
    builtin_files: &[(PathBuf, &str)],
    print_page: bool,
    search_site: bool,
    documents: &[(String, &str)],
    data_downloads: Option<&data_page::DataDownloads>,
) -> Vec<String> {
    let search_files = [search_page::PAGE, search::files::SCRIPT];
    builtin_files
        .iter()
        .map(|(p, _)| output_key(p))
        .chain([manifest::FILE.to_string()])
        .chain(print_page.then(|| print::PAGE.to_string()))
        .chain(
            search_site
                .then_some(search_files)
                .into_iter()
                .flatten()
                .map(String::from),
        )
        .chain(documents.iter().map(|(file, _)| file.clone()))
        .chain(
            data_downloads
                .into_iter()
                .flat_map(data_page::DataDownloads::paths),
        )
        .collect()
}

/// Every path of the output — the pages of the plan, the files the build makes besides them
/// (`made_too`) and the site's static files — for the link check of each page as it is done.
/// The preview (`cache`) keeps them while the plan and the other files are the same.
pub(super) fn output_paths_cached(
    site: &Site,
    planned: &std::sync::Arc<Planned>,
    made_too: Vec<String>,
    cache: Option<&mut PageCache>,
) -> std::sync::Arc<OutputPaths> {
    let statics: Vec<String> = site
        .static_files
        .iter()
        .map(|(p, _)| output_key(p))
        .collect();
    let outputs_key = fingerprint(&(&made_too, &statics));
    if let Some(PageCache {
        outputs: Some((of_plan, key, outputs)),
        ..
    }) = &cache
        && std::sync::Arc::ptr_eq(of_plan, planned)
        && *key == outputs_key
    {
        return outputs.clone();
    }
    let outputs = std::sync::Arc::new(OutputPaths::new(&planned.plan, made_too, statics));
    if let Some(cache) = cache {
        cache.outputs = Some((planned.clone(), outputs_key, outputs.clone()));
    }
    outputs
}

/// Whether `link` names a file (a picture, a document), not a page or an anchor.
fn link_to_file(link: &str) -> bool {
    let path = link.split(['#', '?']).next().unwrap_or_default();
    let name = path.rsplit('/').next().unwrap_or_default();
    name.rsplit_once('.').is_some_and(|(_, extension)| {
        !extension.eq_ignore_ascii_case("html") && !extension.is_empty()
    })
}

/// What to do about a link to the file `in_site` (its path in the site, `static/报告.pdf`),
/// which the site does not have: a static file is linked without `static/`
/// (`/报告.pdf`); one of the same name elsewhere is the file meant; else where files go.
fn static_file_meant(in_site: &str, site: &Site) -> Text {
    let statics = || {
        site.static_files
            .iter()
            .map(|(output, _)| output_key(output))
    };
    if let Some(rest) = in_site.strip_prefix("static/")
        && statics().any(|path| path == rest)
    {
        return Text::new(
            format!("static/ 里的文件链接时不带「static/」：写成 /{rest}"),
            format!("a file in static/ is linked without `static/`: write /{rest}"),
        );
    }
    if let Some(path) = static_named_as(in_site, site) {
        return Text::new(
            format!("是不是「/{path}」？static/ 里的文件按它在 static/ 下的路径链接，以 / 开头"),
            format!(
                "did you mean `/{path}`? a file in static/ is linked by its path there, starting with /"
            ),
        );
    }
    where_files_go()
}

/// The site's static file of the same name as `in_site` (a path in the site), by its path
/// in the output.
fn static_named_as(in_site: &str, site: &Site) -> Option<String> {
    let name = in_site.rsplit('/').next().unwrap_or(in_site);
    site.static_files
        .iter()
        .map(|(output, _)| output_key(output))
        .find(|path| path.rsplit('/').next() == Some(name))
}

/// Where pictures and other files go, and how they are linked.
fn where_files_go() -> Text {
    Text::new(
        "图片、附件等文件放在站点的 static/ 文件夹里，按它在 static/ 下的路径链接：static/images/图.png 写成 /images/图.png（文件名的大小写也要一样）",
        "put pictures and other files in the site's static/ folder and link them by their path there: static/images/a.png as /images/a.png (with the same upper and lower case)",
    )
}

/// The errors of links `broken` ((page, link as written) of pages of `plan`), each located
/// in its content file with the file or page it likely meant.
pub(super) fn broken_link_problems(
    broken: Vec<links::BrokenLink>,
    (plan, sources): (&PagePlan, &[pages::Source]),
    site: &Site,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for (page, written) in broken {
        let link = percent_encoding::percent_decode_str(&written)
            .decode_utf8_lossy()
            .to_string();
        let Some(planned) = plan.pages.iter().find(|p| p.output == page) else {
            continue; // a link of the theme's own files: not the user's content
        };
        let source = &sources[planned.source];
        // The file it names in the site (`static/报告.pdf`), and the link written from the
        // site's top so (`/static/报告.pdf`, which the page has as `../static/报告.pdf`).
        let page_dir = page.rsplit_once('/').map_or("", |(dir, _)| dir);
        let target = link.split(['#', '?']).next().unwrap_or_default();
        let in_site = super::markdown::normalize(&format!("{page_dir}/{target}"));
        let from_top = in_site.as_ref().map(|path| format!("/{path}"));
        // (As written from the top, as read, or as written: `my%20file.md`.)
        let (location, link) = match from_top.as_ref().and_then(|top| {
            let at = errors::written_link(&source.template, top, true)?;
            Some((
                crate::diagnostics::line_col(&source.template, at),
                top.clone(),
            ))
        }) {
            Some((at, top)) => (Some(at), top),
            None => (
                errors::locate_link(&source.template, &link)
                    .or_else(|| errors::locate_link(&source.template, &written)),
                link,
            ),
        };
        let location = location
            .map(|(line, col)| Location::new(&source.file, line, col))
            .unwrap_or_else(|| Location::file(&source.file));
        if links::on_this_computer(&link) {
            problems.push(links::on_this_computer_problem(&link, location));
            continue;
        }
        problems.push(
            Diagnostic::error(
                "link-broken",
                Some(location),
                Text::new(
                    format!("{page} 里的链接「{link}」指向的文件或锚点不存在"),
                    format!("the link `{link}` in {page} points to a file or anchor that does not exist"),
                ),
            )
            .with_hint(match link_to_file(&link) {
                _ if link.contains('\\') => {
                    let slashed = link.replace('\\', "/");
                    // The file it names so, if the site has it; else the one of its name.
                    let target = slashed.split(['#', '?']).next().unwrap_or_default();
                    let named = super::markdown::normalize(&format!("{page_dir}/{target}"));
                    let there = named.as_ref().is_some_and(|path| {
                        site.static_files.iter().any(|(output, _)| output_key(output) == *path)
                    });
                    let meant = match (&named, there) {
                        (Some(_), true) => slashed,
                        (Some(path), false) => {
                            static_named_as(path, site).map_or(slashed, |p| format!("/{p}"))
                        }
                        (None, _) => slashed,
                    };
                    Text::new(
                        format!("链接里的路径用「/」分隔，不用「\\」：写成 {meant}"),
                        format!("a link's path is separated with `/`, not `\\`: write {meant}"),
                    )
                }
                true if in_site.is_some() => static_file_meant(in_site.as_deref().unwrap_or_default(), site),
                true => where_files_go(),
                false => Text::new(
                    "页面之间的链接写内容文件（如 villages/index.md）；锚点写标题的 id（见生成页面的 id=\"…\"）",
                    "link pages by their content file (such as villages/index.md); an anchor names a heading's id (see id=\"…\" in the built page)",
                ),
            }),
        );
    }
    problems
}

/// What only the whole site can tell: links and anchors of the pages rendered now that
/// point nowhere (located in their content files), and static files that would overwrite a
/// page.
pub(super) fn check_published(
    plan: &PagePlan,
    sources: &[pages::Source],
    scanned: &[(String, links::PageLinks)],
    anchors: links::Anchors<'_>,
    site: &Site,
    generated: &rustc_hash::FxHashSet<String>,
) -> Vec<Diagnostic> {
    let mut problems = broken_link_problems(links::check(scanned, anchors), (plan, sources), site);
    // With search on, its whole folder is the build's; so are, with table downloads on, the
    // names of a page's tables' CSV files (`villages/hengxi.table-1.csv`), however many
    // tables the page has now: `check`, which renders a sample, says what `build` says, and
    // a table added later cannot take a file of the site's.
    let search_folder = generated.contains(search::files::SCRIPT);
    let table_downloads = site.config.tables.csv;
    for (output, source) in &site.static_files {
        let key = output_key(output);
        // Named as the site has it (`static/villages/index.table-1.csv`, or a theme's).
        let path = source.strip_prefix(&site.root).unwrap_or(source);
        if generated.contains(&key) || (search_folder && key.starts_with(search::files::FOLDER)) {
            problems.push(Diagnostic::error(
                "static-collision",
                Some(Location::file(path)),
                Text::new(
                    format!("静态文件 {} 与生成的页面同名", path.display()),
                    format!(
                        "the static file {} has the same path as a generated page",
                        path.display()
                    ),
                ),
            ));
        } else if let Some(page) = table_downloads
            .then(|| table_download_page(&key, generated))
            .flatten()
        {
            problems.push(
                Diagnostic::error(
                    "static-collision",
                    Some(Location::file(path)),
                    Text::new(
                        format!(
                            "静态文件 {} 与页面 {page} 的表格下载文件（CSV）同名：{}.table-数字.csv 这样的名字留给页面里表格的下载",
                            path.display(),
                            page.trim_end_matches(".html")
                        ),
                        format!(
                            "the static file {} has the name of a table's CSV download of the page {page}: names like {}.table-<n>.csv are kept for its tables' downloads",
                            path.display(),
                            page.trim_end_matches(".html")
                        ),
                    ),
                )
                .with_hint(Text::new(
                    "给静态文件改个名字；或者在 huibao.toml 的 [tables] 下写 csv = false，不生成表格下载",
                    "rename the static file, or write csv = false under [tables] in huibao.toml to make no table downloads",
                )),
            );
        }
    }
    problems
}

/// The page of this build whose table's CSV download would be named `key`
/// (`villages/hengxi.table-2.csv` → `villages/hengxi.html`), whatever its number of tables.
pub(super) fn table_download_page(
    key: &str,
    generated: &rustc_hash::FxHashSet<String>,
) -> Option<String> {
    let (stem, number) = key.strip_suffix(".csv")?.rsplit_once(".table-")?;
    let counted = !number.is_empty()
        && !number.starts_with('0')
        && number.bytes().all(|b| b.is_ascii_digit());
    let page = format!("{stem}.html");
    (counted && generated.contains(&page)).then_some(page)
}

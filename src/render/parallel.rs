//! Rendering the pages on every core: each worker's template contexts (made once per
//! template, holding only what it reads), and what renders one page.

use rustc_hash::FxHashMap as HashMap;
use serde_json::{Map, Value as Json, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use tera::{Context, Tera};

use super::done::{Done, Finished, Finishing, LinksToCheck, PageSinks, reuse_kept_pages};
use super::errors::template_error;
use super::pages::PagePlan;
use super::site_files::OutputPaths;
use super::{CorrectedFigures, Wanted, context, deps, links, pages, render_page};
use crate::diagnostics::{Diagnostic, Location, Text};
use crate::discover::Site;
use crate::provenance::Sources;

/// What is done with each page rendered in this build, on the core that made it: (its
/// index in the plan, its inputs' fingerprint, the page or its problems).
pub(super) type OnFinished<'f> = dyn Fn(usize, u64, Result<Finished, Vec<Diagnostic>>) + Sync + 'f;

/// What renders each page: the plan, the templates, the values and what every page shows.
pub(super) struct PageMaker<'m> {
    pub(super) site: &'m Site,
    pub(super) plan: &'m PagePlan,
    pub(super) sources: &'m [pages::Source],
    pub(super) values: Values<'m>,
    pub(super) content_tera: &'m Tera,
    /// The layout, and whether it splices the content in.
    pub(super) layout: (&'m Tera, bool),
    pub(super) site_json: &'m Json,
    /// Each page's content path → its output path.
    pub(super) link_targets: &'m HashMap<String, String>,
    /// The figures' sources, and the corrected figures.
    pub(super) figures: (&'m Sources, &'m CorrectedFigures),
    pub(super) wanted: Wanted,
    /// Every path of the output, for the link check of each page as it is done.
    pub(super) output_paths: &'m OutputPaths,
    /// Every page's output path.
    pub(super) page_outputs: &'m rustc_hash::FxHashSet<String>,
    pub(super) sinks: &'m PageSinks<'m>,
}

impl PageMaker<'_> {
    /// Renders page `index` of the plan with its template's context in `contexts`, scans its
    /// links and hands it on ([`PageSinks::hand_on`]).
    pub(super) fn make(
        &self,
        index: usize,
        contexts: &mut Contexts,
    ) -> Result<Finished, Vec<Diagnostic>> {
        let plan = self.plan;
        let planned = &plan.pages[index];
        let record = planned
            .record
            .as_ref()
            .and_then(|r| Some((&*r.var, self.values.record(r)?)));
        let source = &self.sources[planned.source];
        let markdown = render_content(
            self.content_tera,
            source,
            planned,
            contexts.of(planned.source),
            record,
        );
        // Its template's context goes as soon as no page is left to read it.
        contexts.rendered(planned.source);
        let (figure_sources, corrected) = self.figures;
        let page = render_page(
            self.site,
            plan,
            index,
            markdown?,
            self.layout,
            self.site_json,
            self.link_targets,
            self.sources,
            (figure_sources, Some(corrected)),
            self.wanted,
        )?;
        let output_path = &planned.output;
        let own_files: Vec<&str> = page.tables.iter().map(|(p, _)| p.as_str()).collect();
        let links = links::scan(
            output_path,
            &page.body,
            &page.html,
            (self.output_paths, &own_files),
        );
        if !page.broken_page_links.is_empty() {
            return Err(self.with_file_links(page.broken_page_links, links, output_path));
        }
        self.sinks
            .hand_on(index, planned, page, links, self.page_outputs)
    }

    /// The errors of a page's links to pages that are not there (`page_links`: as written,
    /// with their errors) and of its links to files and to its own anchors that are not there
    /// either (`links`, as [`links::scan`] found them on page `output_path`): all in one run,
    /// not the files' in the next. (Links to another page's anchors wait for that page: not
    /// judged here.)
    fn with_file_links(
        &self,
        page_links: Vec<(String, Diagnostic)>,
        links: links::PageLinks,
        output_path: &str,
    ) -> Vec<Diagnostic> {
        let told: Vec<String> = page_links.iter().map(|(l, _)| links::decoded(l)).collect();
        let others: Vec<links::BrokenLink> = links
            .broken
            .into_iter()
            .filter(|link| !told.contains(&links::decoded(link)))
            .map(|link| (output_path.to_string(), link))
            .collect();
        let mut problems: Vec<Diagnostic> = page_links.into_iter().map(|(_, d)| d).collect();
        problems.extend(super::site_files::broken_link_problems(
            others,
            (self.plan, self.sources),
            self.site,
        ));
        // In the order they are written.
        problems.sort_by(|a, b| a.location.cmp(&b.location));
        problems
    }
}

/// Hands on the pages the last build made from the same inputs (each page's inputs' print
/// in `prints`, when there are prints; `sample` and `relink` as [`reuse_kept_pages`] takes
/// them) and renders the others on every core with `maker`, into `done`. Returns how many
/// pages were reused and the pages' links still to check; the pages' problems, in the
/// plan's order, go to `problems`.
pub(super) fn render_pages(
    maker: &PageMaker<'_>,
    shared: Shared<'_>,
    (prints, sample, relink): (Option<Vec<u64>>, bool, Option<&OutputPaths>),
    done: &mut Done,
    problems: &mut Vec<Diagnostic>,
) -> (usize, LinksToCheck) {
    let plan = maker.plan;
    let reusable = prints.is_some();
    let page_prints = prints.unwrap_or_else(|| vec![0; plan.pages.len()]);
    let (to_render, mut scanned) = reuse_kept_pages(
        (plan, &page_prints),
        reusable,
        sample,
        relink,
        done,
        maker.sinks,
        problems,
    );
    // The pages of the last build that this one has not (the pages kept are now those
    // reused).
    if done.kept.len() > done.figures.len() {
        done.kept
            .retain(|output, _| maker.page_outputs.contains(output));
    }
    let reused = done.figures.len();
    let pages_left = pages_left(to_render.iter().map(|&(index, _)| plan.pages[index].source));
    let shared = Shared {
        pages_left: &pages_left,
        ..shared
    };
    // Each page's result goes to `done` as soon as it is made, in whatever order the cores
    // finish them (a build of 100,000 pages held every result until the last: 34 MB of
    // them, and as much again while they were sorted). What is read in order is put in
    // order: the problems by page below, the broken links by the link check, `done`'s
    // pages by the manifest and its files.
    let finishing = std::sync::Mutex::new(Finishing {
        done,
        scanned: Vec::new(),
        problems: Vec::new(),
    });
    let render_one = |index: usize, contexts: &mut Contexts| maker.make(index, contexts);
    render_in_parallel(&to_render, shared, &render_one, &|index, inputs, result| {
        let planned = &plan.pages[index];
        crate::spill::lock(&finishing).add(planned, index, inputs, result);
    });
    let Finishing {
        scanned: mut scanned_now,
        problems: mut problems_now,
        ..
    } = finishing.into_inner().unwrap_or_else(|e| e.into_inner());
    // The pages with links broken or waiting for another page's anchors.
    scanned.append(&mut scanned_now);
    problems_now.sort_unstable_by_key(|(index, _)| *index);
    let mut found = Vec::new();
    for (index, page_found) in problems_now {
        let page = &plan.pages[index].output;
        found.extend(page_found.into_iter().map(|d| made_on(d, page)));
    }
    problems.append(&mut merge_alike(found));
    (reused, scanned)
}

/// A page's problem with the page it was made on (`villages/hengxi.html`) among its places:
/// a template's mistake shows on some records' pages only.
fn made_on(mut problem: Diagnostic, page: &str) -> Diagnostic {
    if problem.code == "template" {
        let said = Text::new("生成这一页时出错", "while making this page");
        problem.related.push((Location::file(page), said));
    }
    problem
}

/// How many pages a problem found on many names before it says how many more.
const PAGES_NAMED: usize = 3;

/// The problems of many pages with one cause (a template's mistake met on each village's
/// page) told once: those alike but for the page they were made on and the values they
/// quote become one, the first page's words, naming the first [`PAGES_NAMED`] pages and
/// how many there are.
pub(super) fn merge_alike(problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut merged: Vec<(Diagnostic, usize)> = Vec::new();
    // Each kind of problem met, by what makes problems alike, with its place in `merged`
    // (a broken link on each of 10,000 pages: each looked up, not compared with all).
    type Alike = (&'static str, Option<Location>, Option<Text>, String);
    let mut known_at: HashMap<Alike, usize> = HashMap::default();
    for problem in problems {
        let alike = (
            problem.code,
            problem.location.clone(),
            problem.hint.clone(),
            values_left_out(&problem.message.zh),
        );
        match known_at.get(&alike).map(|&at| &mut merged[at]) {
            Some((known, pages)) => {
                *pages += 1;
                if *pages <= PAGES_NAMED {
                    for place in problem.related {
                        if !known.related.contains(&place) {
                            known.related.push(place);
                        }
                    }
                }
            }
            None => {
                known_at.insert(alike, merged.len());
                merged.push((problem, 1));
            }
        }
    }
    merged
        .into_iter()
        .map(|(mut problem, pages)| {
            if pages > PAGES_NAMED {
                problem.related.push((
                    Location::file("…"),
                    Text::new(
                        format!("共 {pages} 个页面同样出错"),
                        format!("{pages} pages fail alike"),
                    ),
                ));
            }
            problem
        })
        .collect()
}

/// A message without the values it quotes (`int：「横溪村」不是数字` → `int：「」不是数字`):
/// one tag's mistake met on each page names each page's value.
fn values_left_out(message: &str) -> String {
    let mut kept = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        match c {
            '「' => quoted = true,
            '」' => quoted = false,
            _ if quoted => continue,
            _ => {}
        }
        kept.push(c);
    }
    kept
}

/// Renders page `index` of the plan with a context of its own, and hands it to the sink.
pub(super) type RenderOne<'f> =
    dyn Fn(usize, &mut Contexts<'_>) -> Result<Finished, Vec<Diagnostic>> + Sync + 'f;

/// What every page's template context is made of: the data context, what each content
/// template reads of it, the site's settings and huibao's own values.
#[derive(Clone, Copy)]
pub(super) struct Shared<'s> {
    pub(super) values: Values<'s>,
    /// The pages of each content template still to render (see [`Contexts::rendered`]).
    pub(super) pages_left: &'s [AtomicUsize],
    pub(super) reads: &'s [Option<std::collections::BTreeSet<String>>],
    /// Per content template, the fields of each list's records it reads (see
    /// [`deps::list_fields`]).
    pub(super) list_fields: &'s [Option<deps::ListFields>],
    /// How many records a folder's list form holds (`None`: all of them).
    pub(super) list_limit: Option<usize>,
    /// A list form of this many records or more whose uses a template makes are all known
    /// ([`deps::list_fields`]) is read by it a record at a time ([`context::RecordList`]).
    pub(super) lists_made_as_read_from: usize,
    pub(super) site: &'s Json,
    pub(super) huibao: &'s Json,
}

/// The template values of the data: made before the pages (the preview, `check`; with each
/// top-level folder's file ids, for `villages_list`), or by each page as it needs them (a
/// build).
#[derive(Clone, Copy)]
pub(super) enum Values<'v> {
    Made(&'v Map<String, Json>, &'v HashMap<String, Vec<String>>),
    Lazy(&'v context::LazyValues<'v>),
}

impl<'v> Values<'v> {
    /// The top-level names of the data (`township`, `villages`).
    pub(super) fn names(self) -> Box<dyn Iterator<Item = &'v str> + 'v> {
        match self {
            Values::Made(data, _) => Box::new(data.keys().map(String::as_str)),
            Values::Lazy(lazy) => Box::new(lazy.names()),
        }
    }

    /// The value of a top-level name.
    pub(super) fn value(self, name: &str) -> Option<std::borrow::Cow<'v, Json>> {
        match self {
            Values::Made(data, _) => data.get(name).map(std::borrow::Cow::Borrowed),
            Values::Lazy(lazy) => lazy.value(name).map(std::borrow::Cow::Owned),
        }
    }

    /// The list form `list` of a top-level folder (`villages_list`), if it has one.
    pub(super) fn list(
        self,
        list: &str,
        limit: Option<usize>,
        fields: Option<&std::collections::BTreeSet<String>>,
    ) -> Option<Json> {
        match self {
            Values::Made(data, folders) => context::list_form(data, list, folders, limit, fields),
            Values::Lazy(lazy) => lazy.list(list, limit, fields),
        }
    }

    /// The record of a generated page.
    pub(super) fn record(self, at: &pages::RecordRef) -> Option<std::borrow::Cow<'v, Json>> {
        match self {
            Values::Made(data, _) => at.value(data).map(std::borrow::Cow::Borrowed),
            Values::Lazy(lazy) => lazy.record(at).map(std::borrow::Cow::Owned),
        }
    }
}

/// Adds `value` to `context` as `name`, moved in (not serialised again: a folder's values
/// are large).
pub(super) fn insert_owned(context: &mut Context, name: &str, value: Json) {
    let mut owned = Map::new();
    owned.insert(name.to_string(), value);
    if let Ok(moved) = Context::from_value(Json::Object(owned)) {
        context.extend(moved);
    }
}

/// One worker's template contexts, one per content template, made when first needed: each
/// holds only the top-level data its template reads (all of it when that cannot be known),
/// so a village page's context is its record, not a copy of every village.
pub(super) struct Contexts<'s> {
    pub(super) shared: Shared<'s>,
    pub(super) made: HashMap<usize, MadeContext<'s>>,
    /// The templates whose contexts hold a list of [`LARGE_LIST`] records or more, or read
    /// one beside them (what Tera made of it, its sums' values): their memory is given back
    /// to the system when they go.
    pub(super) large: Vec<usize>,
}

/// A content template's context, and the lists its pages read beside it, made as read (a
/// build's lists of [`Shared::lists_made_as_read_from`] records or more): they go together.
pub(super) struct MadeContext<'s> {
    pub(super) context: Context,
    pub(super) lists: Vec<(String, context::RecordList<'s>)>,
    /// The sums of its lists, made by the template's first page that shows one and kept
    /// for the others (a village page with its share of all the villages' total).
    pub(super) kept: tera::KeptSums,
}

impl<'s> Contexts<'s> {
    /// No context made yet, each to be made of `shared` when its template's first page
    /// asks.
    pub(super) fn new(shared: Shared<'s>) -> Contexts<'s> {
        Contexts {
            shared,
            made: HashMap::default(),
            large: Vec::new(),
        }
    }
}

/// A list of this many records or more (an overview of 50,000 villages) is large: the
/// memory of a context holding one is given back to the system when it goes, not kept by
/// the allocator for blocks of its sizes (at 100,000 villages, 90 MB of the overview's
/// peak). Not fewer: at 10,000 villages giving back 15 MB made the build 5 % slower (the
/// memory faulted in again by the pages after it) and its peak no lower.
pub(super) const LARGE_LIST: usize = 50_000;

/// How many pages of each content template (by number) there are, of pages whose
/// templates are `templates`.
pub(super) fn pages_left(templates: impl Iterator<Item = usize>) -> Vec<AtomicUsize> {
    let mut left: Vec<AtomicUsize> = Vec::new();
    for template in templates {
        if left.len() <= template {
            left.resize_with(template + 1, || AtomicUsize::new(0));
        }
        *left[template].get_mut() += 1;
    }
    left
}

impl Contexts<'_> {
    /// Says a page of content template `source` was rendered: the contexts of templates with
    /// no page left to render go — the overview's holds a list of every village (120 MB at
    /// 100,000) that no later page reads.
    pub(super) fn rendered(&mut self, source: usize) {
        let left = self.shared.pages_left;
        if let Some(pages) = left.get(source) {
            pages.fetch_sub(1, Ordering::AcqRel);
        }
        let large = &mut self.large;
        let mut large_gone = false;
        self.made.retain(|&template, _| {
            let keep = left
                .get(template)
                .is_some_and(|pages| pages.load(Ordering::Acquire) > 0);
            if !keep && let Some(at) = large.iter().position(|&t| t == template) {
                large.swap_remove(at);
                large_gone = true;
            }
            keep
        });
        if large_gone {
            crate::give_back_freed_memory();
        }
    }

    /// The context of content template `source` (the page's own values are added and
    /// removed around each page), and the lists its pages read beside it.
    pub(super) fn of(&mut self, source: usize) -> PageContext<'_> {
        let shared = self.shared;
        let large = &mut self.large;
        let made = self.made.entry(source).or_insert_with(|| {
            let mut context = Context::new();
            let mut lists = Vec::new();
            // Whether the context holds a large list or reads one beside it.
            let mut holds_large = false;
            let reads = match shared.reads.get(source) {
                Some(Some(names)) => Some(names),
                _ => None,
            };
            let read = |name: &str| reads.is_none_or(|names| names.contains(name));
            // The fields of a list's records the template reads, when they are known.
            let fields = |list: &str| {
                let lists = shared.list_fields.get(source)?.as_ref()?;
                lists.get(list)?.as_ref()
            };
            let values = shared.values;
            for name in values.names() {
                if read(name) {
                    match values.value(name) {
                        Some(std::borrow::Cow::Borrowed(value)) => context.insert(name, value),
                        Some(std::borrow::Cow::Owned(value)) => {
                            insert_owned(&mut context, name, value)
                        }
                        None => {}
                    }
                }
                // A top-level folder's list form is made for the templates that read it: a
                // long one whose uses are all known, as the template reads it.
                let list = format!("{name}_list");
                if read(&list)
                    && let Values::Lazy(lazy) = values
                    && let Some(fields) = fields(&list)
                    && let Some(records) = lazy.list_source(&list, shared.list_limit, Some(fields))
                    && tera::ListSource::len(&records) >= shared.lists_made_as_read_from
                {
                    lists.push((list, records));
                    // What Tera made of it (its sums' values) is given back when it goes.
                    holds_large = true;
                    continue;
                }
                if read(&list)
                    && let Some(records) = values.list(&list, shared.list_limit, fields(&list))
                {
                    holds_large |= records.as_array().is_some_and(|r| r.len() >= LARGE_LIST);
                    insert_owned(&mut context, &list, records);
                }
            }
            context.insert("site", shared.site);
            context.insert("huibao", shared.huibao);
            if holds_large {
                large.push(source);
            }
            MadeContext {
                context,
                lists,
                kept: tera::KeptSums::new(),
            }
        });
        let lists = made
            .lists
            .iter()
            .map(|(name, list)| (name.as_str(), list as &dyn tera::ListSource))
            .collect();
        PageContext {
            context: &mut made.context,
            lists,
            kept: &made.kept,
        }
    }
}

/// A content template's context for a page, the lists read beside it, and the sums kept
/// from page to page ([`Contexts::of`]).
pub(super) struct PageContext<'c> {
    pub(super) context: &'c mut Context,
    pub(super) lists: Vec<(&'c str, &'c dyn tera::ListSource)>,
    pub(super) kept: &'c tera::KeptSums,
}

/// How many records a list form must hold to be read by a template a record at a time: the
/// default ([`LARGE_LIST`]), or `HUIBAO_LISTS_MADE_AS_READ_FROM`'s whole number (the tests
/// read a small site's lists so); a value that is not one is the default with a warning in
/// `notes` (never a silent one).
pub(super) fn lists_made_as_read_from(notes: &mut Vec<Diagnostic>) -> usize {
    crate::diagnostics::env_whole_number(
        "HUIBAO_LISTS_MADE_AS_READ_FROM",
        LARGE_LIST,
        Text::new("条记录", "records"),
        notes,
    )
}

/// Renders the pages `to_render` (index in the plan, inputs fingerprint) on every core.
///
/// Pages are independent: each worker thread has its own contexts (see [`Contexts`]: made
/// once per thread and template, never per page). A page whose rendering panics is an
/// internal error of that page, not the end of the build.
pub(super) fn render_in_parallel(
    to_render: &[(usize, u64)],
    shared: Shared<'_>,
    render_one: &RenderOne<'_>,
    finished: &OnFinished<'_>,
) {
    use rayon::prelude::*;
    // One set of contexts per worker thread, made once whatever the pages it is given, so
    // the pages can be dealt in small batches: a core that drew a long page (the overview
    // table of every village) is not left with half of the others too.
    let slots: Vec<std::sync::Mutex<Option<Contexts<'_>>>> = (0..rayon::current_num_threads())
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    let progress = crate::progress::Progress::new("页面 pages", to_render.len());
    to_render
        .par_iter()
        .with_min_len(8)
        .for_each(|&(index, inputs)| {
            let make = || Contexts::new(shared);
            let slot = rayon::current_thread_index().unwrap_or(0) % slots.len().max(1);
            // Never waits: a thread already holding its slot (were it to render a page
            // inside another) uses contexts of its own.
            let mut guard = match slots[slot].try_lock() {
                Ok(guard) => Some(guard),
                Err(std::sync::TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => None,
            };
            let mut own = None;
            let contexts = match guard.as_mut() {
                Some(guard) => guard.get_or_insert_with(make),
                None => own.get_or_insert_with(make),
            };
            let page = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                render_one(index, contexts)
            }))
            .unwrap_or_else(|_| Err(vec![crate::diagnostics::Diagnostic::internal()]));
            finished(index, inputs, page);
            progress.tick();
        });
    progress.finish();
}

/// The Markdown content template `source` makes of page `page` with `context` (and the
/// page's `record`, added for this page alone). Both are moved in (a record of sixty
/// figures serialised again into the context cost 1.8 % of a build).
pub(super) fn render_content(
    content_tera: &Tera,
    source: &pages::Source,
    page: &pages::PlannedPage,
    PageContext {
        context,
        lists,
        kept,
    }: PageContext<'_>,
    record: Option<(&str, std::borrow::Cow<'_, Json>)>,
) -> Result<String, Vec<Diagnostic>> {
    insert_owned(
        context,
        "page",
        json!({ "title": page.title, "url": page.output, "id": page.id }),
    );
    let name = record.as_ref().map(|(name, _)| *name);
    if let Some((name, record)) = record {
        insert_owned(context, name, record.into_owned());
    }
    // The names this page changes in its template's context: their sums are not kept.
    let changing: &[&str] = match name {
        Some(name) => &["page", name],
        None => &["page"],
    };
    let rendered = content_tera.render_keeping_sums(&source.name, context, &lists, kept, changing);
    if let Some(name) = name {
        context.remove(name);
    }
    rendered.map_err(|e| vec![template_error(&e, &source.file, &source.template)])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A template's context is dropped with its last page, not kept to the end of the
    /// render: the overview's holds every village.
    #[test]
    fn a_templates_context_goes_with_its_last_page() {
        let (data, folders, site, huibao) = (Map::new(), HashMap::default(), json!({}), json!({}));
        // Template 0 renders one page (the overview), templates 1 and 2 two each.
        let left = pages_left([0, 1, 1, 2, 2].into_iter());
        let counts: Vec<usize> = left.iter().map(|n| n.load(Ordering::Relaxed)).collect();
        assert_eq!(counts, [1, 2, 2]);
        let mut contexts = Contexts::new(Shared {
            values: Values::Made(&data, &folders),
            pages_left: &left,
            reads: &[],
            list_fields: &[],
            list_limit: None,
            lists_made_as_read_from: LARGE_LIST,
            site: &site,
            huibao: &huibao,
        });
        for template in 0..3 {
            contexts.of(template);
        }
        contexts.rendered(0);
        assert!(
            !contexts.made.contains_key(&0),
            "no page of template 0 is left"
        );
        contexts.rendered(1);
        assert!(
            contexts.made.contains_key(&1),
            "a page of template 1 is left"
        );
        // Its last page rendered on another thread: this thread's copy goes at its next page.
        left[1].fetch_sub(1, Ordering::Relaxed);
        contexts.rendered(2);
        let kept: Vec<usize> = contexts.made.keys().copied().collect();
        assert_eq!(kept, [2]);
    }
}

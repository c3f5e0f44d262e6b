//! What a build makes before its pages: the data as the pages take it (values made now, or
//! packed), the plan, the content and layout templates (type-checked), and each page's
//! inputs' print for the preview's reuse.

use rustc_hash::FxHashMap as HashMap;
use serde_json::{Map, Value as Json};
use tera::Tera;

use super::cache::{PageCache, Prints, fingerprint};
use super::errors::template_error;
use super::pages::PagePlan;
use super::{
    PageSink, PagesTo, Planned, SAMPLE_LIST, cache, context, data_page, deps, escape, figures,
    pages, theme, typecheck,
};
use crate::diagnostics::{Diagnostic, Location, Text};
use crate::discover::Site;
use crate::load::Data;
use crate::provenance::Sources;
use crate::validate::schema::Schema;

/// How a build treats its pages, as [`PagesTo`] says.
#[derive(Clone, Copy)]
pub(super) struct Mode<'s> {
    /// Where a build hands each page as it is made.
    pub(super) sink: Option<&'s dyn PageSink>,
    /// Only a sample page of each content template is rendered (`check`).
    pub(super) sample: bool,
    /// How many records of each folder the sample pages have (`None`: all).
    pub(super) list_limit: Option<usize>,
    /// The pages are kept in memory, and in the cache for the next build (the preview keeps
    /// the data context too: see [`context::Cache`]).
    pub(super) keep: bool,
}

impl<'s> Mode<'s> {
    /// How a build treats its pages when they go as `pages_to` says.
    pub(super) fn of(pages_to: PagesTo<'s>) -> Self {
        let (sink, sample) = match pages_to {
            PagesTo::Memory => (None, false),
            PagesTo::Sink(sink) => (Some(sink), false),
            PagesTo::Sample | PagesTo::SampleAll => (None, true),
        };
        Mode {
            sink,
            sample,
            list_limit: matches!(pages_to, PagesTo::Sample).then_some(SAMPLE_LIST),
            keep: matches!(pages_to, PagesTo::Memory),
        }
    }

    /// What validation leaves behind (30–40 MiB at 100,000 villages), the trees once packed
    /// and what packing and the plan free (each file's numbers before they are shared with
    /// the files like it): a build gives them back to the system at once, not when the
    /// allocator next tidies. The preview and `check` keep their milliseconds.
    pub(super) fn give_back(self) {
        if self.sink.is_some() {
            crate::give_back_freed_memory();
        }
    }
}

/// The template values and the table of numbers, made before the pages by the preview and
/// `check`. A build makes its table as it packs the data ([`take_data`]), and each page
/// makes the values it reads ([`context::LazyValues`]).
pub(super) fn values_made_now(
    data: &Data,
    sources: &[pages::Source],
    schema: Option<&Schema>,
    cache: &mut PageCache,
    mode: Mode<'_>,
) -> Option<(Map<String, Json>, std::sync::Arc<Sources>)> {
    if mode.keep {
        let last = std::mem::take(&mut cache.context);
        Some(context::data_context_cached(data, schema, last))
    } else if mode.sample {
        let templates: Vec<&str> = sources.iter().map(|s| s.template.as_str()).collect();
        let per_folder = mode.list_limit.unwrap_or(usize::MAX);
        let (data_map, figure_sources) =
            context::sample_context(data, schema, &templates, per_folder);
        Some((data_map, std::sync::Arc::new(figure_sources)))
    } else {
        None
    }
}

/// The page 「数据下载」 and its files (the workbook, each sheet's CSV), when the site
/// offers its data to download: laid out from the checked data before the pages take it
/// (the preview lists the sheets, and makes the files when one is asked for).
pub(super) type Offered = (
    Option<data_page::DataDownloads>,
    Option<std::sync::Arc<data_page::OnRequest>>,
);

/// What the site offers of its data to download ([`Offered`]; nothing when it offers none,
/// or when it cannot: the problem is in `problems`).
pub(super) fn data_offered(
    (site, schema): (&Site, Option<&Schema>),
    (data, packed): (&Data, Option<&[context::Packed]>),
    mode: Mode<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Offered {
    let offers_data = (mode.sink.is_some_and(|s| s.makes_downloads()) || mode.keep)
        && site
            .config
            .downloads()
            .contains(&crate::config::DocumentKind::Xlsx);
    if !offers_data {
        return (None, None);
    }
    match data_page::offered(site, schema, data, packed, mode.keep) {
        Ok((offered, on_request)) => (Some(offered), on_request),
        Err(problem) => {
            problems.push(problem);
            (None, None)
        }
    }
}

/// The checked data as the pages take it, with the figures' sources.
pub(super) struct Taken<'s> {
    /// The template values made now (the preview, `check`); empty for a build.
    pub(super) data_map: Map<String, Json>,
    pub(super) figure_sources: std::sync::Arc<Sources>,
    pub(super) checked: Checked<'s>,
    /// The data files' fingerprints, taken as a build packs the data.
    pub(super) fingerprints: Option<std::collections::BTreeMap<String, String>>,
}

/// Takes the checked data: its trees, with the values `made_now` (the preview, `check`);
/// else packed now, making its table of numbers and its files' fingerprints as it goes: the
/// trees (416 MiB at 100,000 villages) go before the plan, the templates and the pages. A
/// build whose files were packed as they were checked passes them as `packed`.
pub(super) fn take_data<'s>(
    data: Data,
    packed: Option<Vec<context::Packed>>,
    schema: Option<&'s Schema>,
    made_now: Option<(Map<String, Json>, std::sync::Arc<Sources>)>,
    mode: Mode<'_>,
) -> Taken<'s> {
    if let Some((data_map, figure_sources)) = made_now {
        return Taken {
            data_map,
            figure_sources,
            checked: Checked::Trees(data),
            fingerprints: None,
        };
    }
    let (lazy, table, fingerprints) = match packed {
        Some(packed) => {
            let made = context::LazyValues::of_packed_files(&data, packed, schema);
            // What the checks read of the files goes with them.
            drop(data);
            made
        }
        None => context::LazyValues::for_build(data, schema),
    };
    // Their memory goes back to the system now, not when the allocator next tidies
    // (seconds later, when the overview page has taken as much again).
    mode.give_back();
    Taken {
        data_map: Map::new(),
        figure_sources: std::sync::Arc::new(table),
        checked: Checked::Packed(lazy),
        fingerprints: Some(fingerprints),
    }
}

/// The plan: the pages, from the content files and the data files' places (a generated
/// page's title is read from its record, packed or not). The preview plans again only when
/// what the plan is made of changed (a figure corrected in a village file leaves it as it
/// was).
pub(super) fn plan_cached(
    site: &Site,
    (checked, sources): (&Checked<'_>, &[pages::Source]),
    cache: &mut PageCache,
    mode: Mode<'_>,
    problems: &mut Vec<Diagnostic>,
) -> std::sync::Arc<Planned> {
    let plan_print = match checked {
        Checked::Trees(data) if mode.keep => Some(pages::plan_print(site, data, sources)),
        _ => None,
    };
    if let Some((print, planned)) = &cache.planned
        && plan_print == Some(*print)
    {
        return planned.clone();
    }
    let plan = match checked {
        Checked::Trees(data) => pages::plan(site, &data.files, sources, problems),
        Checked::Packed(lazy) => pages::plan(site, lazy.files(), sources, problems),
    };
    let planned = std::sync::Arc::new(Planned::new(plan));
    cache.planned = plan_print
        .filter(|_| problems.is_empty())
        .map(|print| (print, planned.clone()));
    planned
}

/// The content and layout templates, parsed (the preview keeps them: [`PageCache`]).
pub(super) struct Templates {
    pub(super) content: KeptTera,
    pub(super) layout: std::sync::Arc<Tera>,
    /// The print of the layout templates' texts.
    pub(super) layout_print: u64,
    /// Whether the layout splices the content in (see [`theme::content_spliced`]).
    pub(super) content_spliced: bool,
}

impl Templates {
    /// Parses the content templates of `sources` and type-checks them against the schema
    /// (mistakes stop the build: in `problems`; returned, its warnings), and parses the
    /// layout's.
    pub(super) fn new(
        site: &Site,
        (sources, checked, figure_sources): (
            &[pages::Source],
            &Checked<'_>,
            std::sync::Arc<Sources>,
        ),
        schema: Option<&Schema>,
        mut cache: Option<&mut PageCache>,
        problems: &mut Vec<Diagnostic>,
    ) -> (Self, Vec<Diagnostic>) {
        // What a chart adds to the page is in the site's language.
        let lang = if site.config.language.starts_with("zh") {
            crate::diagnostics::Lang::Zh
        } else {
            crate::diagnostics::Lang::En
        };
        let last_content = cache.as_deref_mut().map(|cache| &mut cache.content);
        let content = content_tera(sources, figure_sources, lang, problems, last_content);
        let mut warnings = Vec::new();
        if let Some(schema) = schema {
            let last = cache.as_deref_mut().map(|cache| &mut cache.typechecked);
            let tera = &content.tera;
            let (errors, found) = match checked {
                Checked::Trees(data) => {
                    typecheck::check_cached(tera, sources, &data.files, schema, last)
                }
                Checked::Packed(lazy) => {
                    typecheck::check_cached(tera, sources, lazy.files(), schema, last)
                }
            }
            .into_iter()
            .partition::<Vec<_>, _>(Diagnostic::is_error);
            problems.extend(errors);
            warnings = found;
        }
        let last_layout = cache.map(|cache| &mut cache.layout);
        let (layout, layout_print) = theme::layout_tera(site, problems, last_layout);
        let content_spliced = theme::content_spliced(&layout);
        let templates = Templates {
            content,
            layout,
            layout_print,
            content_spliced,
        };
        (templates, warnings)
    }
}

/// Per content template, what it reads (`None`: cannot be known): its top-level names, and
/// the fields of the records of each folder list.
pub(super) type Reads = (
    Vec<Option<std::collections::BTreeSet<String>>>,
    Vec<Option<deps::ListFields>>,
);

/// What each content template of `sources` reads ([`Reads`]).
pub(super) fn template_reads(content_tera: &Tera, sources: &[pages::Source]) -> Reads {
    sources
        .iter()
        .map(|s| match content_tera.get_template(&s.name) {
            Ok(t) => (deps::top_level_names(&t.ast), deps::list_fields(&t.ast)),
            Err(_) => (None, None),
        })
        .unzip()
}

/// The print of each page's inputs (on every core: 10,000 pages), from the data values
/// `data_map` of the checked `files`, what every page shows (`theme_print`) and what each
/// content template reads (`lists`); the data files' prints are kept in `cache` for the next
/// build.
pub(super) fn page_prints(
    site: &Site,
    (data_map, files): (&Map<String, Json>, &[std::sync::Arc<crate::load::DataFile>]),
    theme_print: u64,
    (plan, sources): (&PagePlan, &[pages::Source]),
    lists: (
        Vec<Option<std::collections::BTreeSet<String>>>,
        &[Option<deps::ListFields>],
    ),
    cache: &mut PageCache,
) -> Vec<u64> {
    use rayon::prelude::*;
    let schema_text = std::fs::read(site.root.join(crate::discover::SCHEMA_FILE));
    let schema_print = fingerprint(&schema_text.unwrap_or_default());
    let inputs = (data_map, files, schema_print);
    let prints = Prints::new(
        inputs,
        theme_print,
        plan,
        sources,
        lists,
        &mut cache.file_prints,
    );
    (0..plan.pages.len())
        .into_par_iter()
        .with_min_len(256)
        .map(|index| prints.page(plan, index))
        .collect()
}

/// The checked data as the pages take it: its trees (the preview, `check`), or, for a
/// build, packed with the values each page makes when it needs them.
pub(super) enum Checked<'s> {
    /// The files as loaded and checked.
    Trees(Data),
    /// The files packed.
    Packed(context::LazyValues<'s>),
}

impl<'s> Checked<'s> {
    /// The data files' fingerprints, for the manifest (taken on every core, and so ready for
    /// the preview's reuse); a sample (`check`) needs none, and a build took them as it
    /// packed the files ([`take_data`]).
    pub(super) fn fingerprints(
        &self,
        mode: Mode<'_>,
    ) -> std::collections::BTreeMap<String, String> {
        match self {
            Checked::Trees(data) if !mode.sample => data.fingerprints(),
            _ => std::collections::BTreeMap::new(),
        }
    }

    /// The checked files, kept by the preview (`mode`) with its data context.
    pub(super) fn files_kept(
        &self,
        mode: Mode<'_>,
    ) -> Option<Vec<std::sync::Arc<crate::load::DataFile>>> {
        match self {
            Checked::Trees(data) if mode.keep => Some(data.files.clone()),
            _ => None,
        }
    }

    /// What the pages read their template values of: a build's packed data, which makes
    /// them as the pages need them; else the top-level folders' file ids, beside the values
    /// made now (the preview, `check`), and the checked trees go.
    pub(super) fn into_page_values(
        self,
    ) -> (
        Option<context::LazyValues<'s>>,
        HashMap<String, Vec<String>>,
    ) {
        match self {
            Checked::Packed(lazy) => (Some(lazy), Default::default()),
            Checked::Trees(data) => {
                let folders = context::top_level_folders(&data);
                // Freeing 10,000 files' trees takes milliseconds (7 ms for `check` at 10,000
                // villages): done on another core while the pages are made.
                rayon::spawn(move || drop(data));
                (None, folders)
            }
        }
    }
}

/// The Tera instance for content: Markdown-escaping of data values and exact figures.
/// The preview keeps it (`last`, with a print of the templates' names and texts; given back
/// with [`KeptTera::keep`]): a correction of the data parses no template again, only its
/// figures' functions are registered anew (they read this build's values).
pub(super) fn content_tera(
    sources: &[pages::Source],
    figure_sources: std::sync::Arc<Sources>,
    lang: crate::diagnostics::Lang,
    problems: &mut Vec<Diagnostic>,
    last: Option<&mut Option<(u64, Tera)>>,
) -> KeptTera {
    let print = cache::sources_print(sources);
    let kept = match last {
        Some(last) => last.take().filter(|(kept, _)| *kept == print),
        None => None,
    };
    let parsed = kept.is_some();
    let mut tera = kept.map(|(_, tera)| tera).unwrap_or_default();
    figures::register(&mut tera, figure_sources);
    tera.register_function(
        "chart",
        crate::chart::ChartFunction {
            palette: crate::chart::PALETTE.to_vec(),
            lang,
        },
    );
    let mut parses = true;
    if !parsed {
        tera.autoescape_on(vec![".md"]);
        tera.set_escape_fn(escape::escape_markdown);
        for source in sources {
            if let Err(error) = tera.add_raw_template(&source.name, &source.template) {
                problems.push(template_error(&error, &source.file, &source.template));
                parses = false;
            }
        }
    }
    KeptTera {
        tera,
        print: parses.then_some(print),
    }
}

/// The content templates' Tera, with the print of their texts when they all parse.
pub(super) struct KeptTera {
    pub(super) tera: Tera,
    pub(super) print: Option<u64>,
}

impl KeptTera {
    /// Puts the instance in `cache` for the next build (when its templates all parsed).
    pub(super) fn keep(self, cache: &mut Option<(u64, Tera)>) {
        *cache = self.print.map(|print| (print, self.tera));
    }
}

/// Warnings for arithmetic on decimals typed into content templates (`{{ 0.1 + 0.2 }}`),
/// which Tera does in binary floating point.
pub(super) fn float_math_warnings(tera: &Tera, sources: &[pages::Source]) -> Vec<Diagnostic> {
    sources
        .iter()
        .filter(|s| tera.get_template(&s.name).is_ok_and(|t| deps::has_float_math(&t.ast)))
        .map(|s| {
            Diagnostic::new(
                crate::diagnostics::Severity::Warning,
                "template-float",
                Some(Location::file(&s.file)),
                Text::new(
                    "模板里用 + - * / 计算了手写的小数：Tera 用二进制浮点数计算，结果可能不精确（0.1 + 0.2 得 0.30000000000000004）",
                    "the template does + - * / with a decimal typed into it: Tera computes that in binary floating point (0.1 + 0.2 gives 0.30000000000000004)",
                ),
            )
            .with_hint(Text::new(
                "数字要来自 data/，计算用 sum、sub、mul、div、rate（精确的十进制）",
                "take figures from data/ and compute with sum, sub, mul, div, rate (exact decimals)",
            ))
        })
        .collect()
}

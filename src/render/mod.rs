//! Render: content templates (Tera) → Markdown (pulldown-cmark) → HTML in the theme layout.
//!
//! The data context is built once; each page only adds its own small `page` (and, for a
//! generated page, its record) before rendering, so a site of thousands of villages never
//! copies the data tree per page.

mod cache;
pub mod context;
mod corrections_page;
pub mod deps;
mod errors;
pub mod escape;
pub mod figures;
mod links;
pub mod markdown;
mod pages;
mod progress;
mod shown;
mod tera_filters;
pub mod theme;

use serde_json::{Map, Value as Json, json};
use std::collections::HashMap;
use std::path::PathBuf;
use tera::{Context, Tera};

use crate::diagnostics::{Diagnostic, Location, Text};
use crate::discover::Site;
use crate::load::Data;
use crate::manifest;
use crate::provenance::Sources;
use crate::validate::schema::Schema;
pub use cache::PageCache;
use cache::{Prints, fingerprint};
use errors::locate;
pub use errors::template_error;
pub use pages::{FrontMatter, PagePlan};
use shown::ShownFigures;

/// A built site held in memory, ready to be written.
#[derive(Debug, Default)]
pub struct Output {
    /// Generated files: path in the output folder → bytes, in path order.
    pub files: Vec<(PathBuf, Vec<u8>)>,
    /// Files copied as they are: (path in the output folder, source file).
    pub copies: Vec<(PathBuf, PathBuf)>,
    /// Warnings about the templates (the build went on).
    pub notes: Vec<Diagnostic>,
    /// Every figure printed, page by page, for the figures manifest.
    pub figures: manifest::Manifest,
}

impl Output {
    /// Writes the figures manifest into the files to publish (again, when it changed).
    pub fn set_manifest(&mut self) {
        let bytes = self.figures.to_bytes();
        match self
            .files
            .iter_mut()
            .find(|(path, _)| path.as_path() == std::path::Path::new(manifest::FILE))
        {
            Some((_, old)) => *old = bytes,
            None => self.files.push((PathBuf::from(manifest::FILE), bytes)),
        }
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

/// A page rendered in this build: (index in the plan, inputs fingerprint, the page or errors).
type RenderedPage = (usize, u64, Result<PageHtml, Vec<Diagnostic>>);

/// One page rendered: the whole page, its content's HTML, and the figures it printed.
struct PageHtml {
    html: String,
    body: String,
    figures: Vec<manifest::Figure>,
}

/// Renders every page of `site` with `data`. Reports every problem it can find.
pub fn render_site(
    site: &Site,
    data: &Data,
    extras: Extras<'_>,
) -> Result<Output, Vec<Diagnostic>> {
    render_site_cached(site, data, extras, &mut PageCache::default())
}

/// Like [`render_site`], reusing the pages of `cache` whose inputs did not change.
pub fn render_site_cached(
    site: &Site,
    data: &Data,
    extras: Extras<'_>,
    cache: &mut PageCache,
) -> Result<Output, Vec<Diagnostic>> {
    let timer = crate::Timer::start();
    let mut problems = Vec::new();
    let (data_map, figure_sources) = context::data_context(data, extras.schema);
    let figure_sources = std::sync::Arc::new(figure_sources);
    timer.lap("context");
    let mut sources = pages::read_sources(site, &mut problems);
    if !extras.corrections.is_empty() && !sources.iter().any(|s| s.name == corrections_page::SOURCE)
    {
        sources.push(corrections_page::source());
    }
    let corrected = corrections_page::corrected(extras.corrections);
    // What a chart adds to the page is in the site's language.
    let lang = if site.config.language.starts_with("zh") {
        crate::diagnostics::Lang::Zh
    } else {
        crate::diagnostics::Lang::En
    };
    let content_tera = content_tera(&sources, figure_sources.clone(), lang, &mut problems);
    let (layout_tera, layout_print) = theme::layout_tera(site, &mut problems);
    timer.lap("templates");
    let plan = pages::plan(site, data, &data_map, &sources, &mut problems);
    timer.lap("plan");
    if !problems.is_empty() {
        return Err(problems);
    }

    let site_json = json!({
        "title": site.config.title,
        "language": site.config.language,
        "description": site.config.description,
        "corrections": extras.corrections.len(),
    });
    let huibao_json = json!({
        "corrections": corrections_page::context(extras.corrections, &figure_sources),
    });
    // Corrections change the pages of corrected figures (their links and notes).
    let theme_print = fingerprint(&(layout_print, site_json.to_string(), huibao_json.to_string()));
    let prints = Prints::new(&data_map, theme_print, &plan, &sources, &content_tera);
    let mut context =
        Context::from_value(Json::Object(data_map)).unwrap_or_else(|_| Context::new());
    context.insert("site", &site_json);
    context.insert("huibao", &huibao_json);
    timer.lap("fingerprints");
    let link_targets: HashMap<String, String> = plan
        .pages
        .iter()
        .map(|p| (p.key.clone(), p.output.clone()))
        .collect();
    let mut output = Output {
        notes: float_math_warnings(&content_tera, &sources),
        ..Output::default()
    };
    let mut done = Done::default();
    let mut to_render = Vec::new();
    for (index, page) in plan.pages.iter().enumerate() {
        let inputs = prints.page(&plan, index, &sources);
        match cache.pages.remove(&page.output) {
            Some((print, html, figures)) if print == inputs => {
                done.add(page, inputs, html, figures, None);
            }
            _ => to_render.push((index, inputs)),
        }
    }
    let reused = done.files.len();
    let render_one = |index: usize, context: &mut Context| {
        render_page(
            site,
            &plan,
            index,
            &content_tera,
            &layout_tera,
            context,
            &site_json,
            &link_targets,
            &sources,
            (&figure_sources, Some(&corrected)),
        )
    };
    let mut rendered = render_in_parallel(&to_render, &context, &render_one);
    rendered.sort_by_key(|(index, _, _)| *index);
    for (index, inputs, result) in rendered {
        match result {
            Ok(page) => done.add(
                &plan.pages[index],
                inputs,
                page.html.into_bytes(),
                page.figures,
                Some(page.body),
            ),
            Err(mut found) => problems.append(&mut found),
        }
    }
    cache.pages = done.kept;
    output.files.extend(done.files);
    output.figures = manifest::Manifest::new(done.figures, data.fingerprints());
    output.set_manifest();
    let bodies = done.bodies;
    timer.lap(&format!("pages ({reused} reused)"));
    if !problems.is_empty() {
        return Err(problems);
    }
    if theme::uses_builtin(site) {
        for (path, text) in theme::builtin_static_files() {
            output.files.push((path, text.as_bytes().to_vec()));
        }
    }
    output.files.sort();
    output.copies = site.static_files.clone();
    problems.extend(check_published(&plan, &sources, &bodies, &output));
    timer.lap("links");
    if problems.is_empty() {
        Ok(output)
    } else {
        Err(problems)
    }
}

/// The pages of a build as they are done, reused or rendered now.
#[derive(Default)]
struct Done {
    /// The pages' bytes.
    files: Vec<(PathBuf, Vec<u8>)>,
    /// The figures each printed.
    figures: Vec<manifest::Page>,
    /// What the next build may reuse.
    kept: HashMap<String, (u64, Vec<u8>, Vec<manifest::Figure>)>,
    /// The content of each page rendered now, for the link check (the layout's own links
    /// come from the plan and always resolve).
    bodies: Vec<(String, String)>,
}

impl Done {
    fn add(
        &mut self,
        page: &pages::PlannedPage,
        inputs: u64,
        html: Vec<u8>,
        figures: Vec<manifest::Figure>,
        body: Option<String>,
    ) {
        if let Some(body) = body {
            self.bodies.push((page.output.clone(), body));
        }
        self.figures.push(manifest::Page {
            page: page.output.clone(),
            title: page.title.clone(),
            figures: figures.clone(),
        });
        self.files.push((PathBuf::from(&page.output), html.clone()));
        self.kept
            .insert(page.output.clone(), (inputs, html, figures));
    }
}

/// Renders page `index` of the plan with a context of its own.
type RenderOne<'f> = dyn Fn(usize, &mut Context) -> Result<PageHtml, Vec<Diagnostic>> + Sync + 'f;

/// Renders the pages `to_render` (index in the plan, inputs fingerprint) on every core.
///
/// Pages are independent: each worker has its own context (the context holds all the data:
/// cloned once per core's share of the pages, never per page). A page whose rendering
/// panics is an internal error of that page, not the end of the build.
fn render_in_parallel(
    to_render: &[(usize, u64)],
    context: &Context,
    render_one: &RenderOne<'_>,
) -> Vec<RenderedPage> {
    use rayon::prelude::*;
    let share = to_render
        .len()
        .div_ceil(rayon::current_num_threads())
        .max(32);
    let progress = progress::Progress::new(to_render.len());
    let rendered = to_render
        .par_iter()
        .with_min_len(share)
        .map_init(
            || context.clone(),
            |context, &(index, inputs)| {
                let page = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    render_one(index, context)
                }))
                .unwrap_or_else(|_| Err(vec![crate::diagnostics::Diagnostic::internal()]));
                progress.tick();
                (index, inputs, page)
            },
        )
        .collect();
    progress.finish();
    rendered
}

/// What only the whole output can tell: links and anchors of the pages rendered now that
/// point nowhere (located in their content files), and static files that would overwrite a
/// page.
fn check_published(
    plan: &PagePlan,
    sources: &[pages::Source],
    bodies: &[(String, String)],
    output: &Output,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let others: Vec<PathBuf> = output.copies.iter().map(|(p, _)| p.clone()).collect();
    let broken = links::check(bodies, &output.files, &others);
    for (page, link) in broken {
        let link = percent_encoding::percent_decode_str(&link)
            .decode_utf8_lossy()
            .to_string();
        let Some(planned) = plan.pages.iter().find(|p| p.output == page) else {
            continue; // a link of the theme's own files: not the user's content
        };
        let source = &sources[planned.source];
        let location = locate(&source.template, &link)
            .map(|(line, col)| Location::new(&source.file, line, col))
            .unwrap_or_else(|| Location::file(&source.file));
        problems.push(
            Diagnostic::error(
                "link-broken",
                Some(location),
                Text::new(
                    format!("{page} 里的链接「{link}」指向的文件或锚点不存在"),
                    format!("the link `{link}` in {page} points to a file or anchor that does not exist"),
                ),
            )
            .with_hint(Text::new(
                "页面之间的链接写内容文件（如 villages/index.md）；锚点写标题的 id（见生成页面的 id=\"…\"）",
                "link pages by their content file (such as villages/index.md); an anchor names a heading's id (see id=\"…\" in the built page)",
            )),
        );
    }
    for (path, _) in &output.copies {
        if output.files.iter().any(|(p, _)| p == path) {
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
        }
    }
    problems
}

/// The Tera instance for content: Markdown-escaping of data values and exact figures.
fn content_tera(
    sources: &[pages::Source],
    figure_sources: std::sync::Arc<Sources>,
    lang: crate::diagnostics::Lang,
    problems: &mut Vec<Diagnostic>,
) -> Tera {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".md"]);
    tera.set_escape_fn(escape::escape_markdown);
    figures::register(&mut tera, figure_sources);
    tera.register_function(
        "chart",
        crate::chart::ChartFunction {
            palette: crate::chart::PALETTE.to_vec(),
            lang,
        },
    );
    for source in sources {
        if let Err(error) = tera.add_raw_template(&source.name, &source.template) {
            problems.push(template_error(&error, &source.file, &source.template));
        }
    }
    tera
}

/// Warnings for arithmetic on decimals typed into content templates (`{{ 0.1 + 0.2 }}`),
/// which Tera does in binary floating point.
fn float_math_warnings(tera: &Tera, sources: &[pages::Source]) -> Vec<Diagnostic> {
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

#[allow(clippy::too_many_arguments)]
fn render_page(
    site: &Site,
    plan: &PagePlan,
    index: usize,
    content_tera: &Tera,
    layout_tera: &Tera,
    context: &mut Context,
    site_json: &Json,
    link_targets: &HashMap<String, String>,
    sources: &[pages::Source],
    (figure_sources, corrected): (&Sources, Option<&CorrectedFigures>),
) -> Result<PageHtml, Vec<Diagnostic>> {
    let page = &plan.pages[index];
    let source = &sources[page.source];
    context.insert(
        "page",
        &json!({ "title": page.title, "url": page.output, "id": page.id }),
    );
    if let Some((name, record)) = &page.record {
        context.insert(name.as_str(), record);
    }
    let rendered = content_tera.render(&source.name, context);
    if let Some((name, _)) = &page.record {
        context.remove(name);
    }
    let markdown_text =
        rendered.map_err(|e| vec![template_error(&e, &source.file, &source.template)])?;

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
        found: Vec::new(),
    };
    let mut body = markdown::to_html(&markdown_text, &links, page.number_headings, &mut shown);
    body.html = crate::chart::unique_ids(&body.html);
    if !body.broken_links.is_empty() {
        return Err(body
            .broken_links
            .iter()
            .map(|link| {
                let location = locate(&source.template, link)
                    .map(|(line, col)| Location::new(&source.file, line, col))
                    .unwrap_or_else(|| Location::file(&source.file));
                Diagnostic::error(
                    "link-broken",
                    Some(location),
                    Text::new(
                        format!("链接「{link}」指向的页面不存在"),
                        format!("the link `{link}` points to a page that does not exist"),
                    ),
                )
                .with_hint(Text::new(
                    "链接写内容文件的路径（相对于本文件，或以 / 开头从 content/ 算起），例如 villages/index.md",
                    "link to a content file, relative to this file or from content/ with a leading /, e.g. villages/index.md",
                ))
            })
            .collect());
    }

    let layout_context = plan.layout_context(index, &body, &root, site_json);
    let mut layout = Context::from_value(layout_context).unwrap_or_else(|_| Context::new());
    layout.insert("root", &root);
    let html = layout_tera
        .render(theme::PAGE_TEMPLATE, &layout)
        .map_err(|e| {
            let file = theme::template_path(site, theme::PAGE_TEMPLATE);
            let text = std::fs::read_to_string(site.root.join(&file)).unwrap_or_default();
            vec![template_error(&e, &file, &text)]
        })?;
    // A figure printed where no span can be (the page title, a layout attribute) shows as
    // its text.
    let html = crate::provenance::strip(&html).into_owned();
    Ok(PageHtml {
        html,
        body: body.html,
        figures: shown.found,
    })
}

impl PagePlan {
    /// The context of the layout template for page `index`.
    fn layout_context(
        &self,
        index: usize,
        body: &markdown::RenderedMarkdown,
        root: &str,
        site: &Json,
    ) -> Json {
        let page = &self.pages[index];
        let link = |i: usize| json!({ "title": self.pages[i].title, "url": self.pages[i].output });
        let (prev, next, _) = self.neighbours(index);
        let (prev, next) = (prev.map(link), next.map(link));
        let breadcrumbs: Vec<Json> = self.breadcrumbs(index).into_iter().map(link).collect();
        let toc: Vec<Json> = self
            .toc
            .iter()
            .map(|entry| {
                let children: Vec<Json> = entry
                    .children
                    .iter()
                    .map(|&c| {
                        let mut child = link(c);
                        child["current"] = Json::Bool(c == index);
                        child
                    })
                    .collect();
                let mut item = link(entry.page);
                item["current"] = Json::Bool(entry.page == index);
                item["children"] = Json::Array(children);
                item
            })
            .collect();
        let mut page_json = Map::new();
        page_json.insert("title".into(), json!(page.title));
        page_json.insert("url".into(), json!(page.output));
        page_json.insert("content".into(), json!(body.html));
        page_json.insert("headings".into(), json!(body.headings));
        page_json.insert("is_home".into(), json!(page.key == "index.md"));
        page_json.insert("breadcrumbs".into(), json!(breadcrumbs));
        page_json.insert("prev".into(), prev.unwrap_or(Json::Null));
        page_json.insert("next".into(), next.unwrap_or(Json::Null));
        json!({ "site": site, "page": page_json, "toc": toc, "root": root })
    }
}

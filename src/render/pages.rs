//! The site's pages: content files with their front matter, the pages generated from data
//! records, their order, the table of contents, and prev/next and breadcrumb links.

use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diagnostics::{Diagnostic, Location, Text};
use crate::discover::Site;
use crate::load::{Data, FilePlace};

/// A content file, read.
#[derive(Debug)]
pub struct Source {
    /// Its path relative to `content/`, with `/` separators: the Tera template name.
    pub name: String,
    /// Its path relative to the site folder, for messages.
    pub file: PathBuf,
    /// The template text: the file with its front matter blanked out, so lines keep their numbers.
    pub template: String,
    /// Its front matter (`None` when it could not be read; the problem is reported).
    pub front: Option<FrontMatter>,
}

/// The TOML front matter of a content file, between two `+++` lines.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// The page title (for a generator: the title of its folder's pages in breadcrumbs).
    pub title: String,
    /// Order in the table of contents: smaller first, then by file name.
    #[serde(default)]
    pub weight: i64,
    /// Number `##` headings 一、, `###` （一）, `####` 1., `#####` （1）.
    #[serde(default)]
    pub number_headings: bool,
    /// Make one page per record of this data folder (`villages`, or `a.b` for `data/a/b/`).
    pub generate: Option<String>,
    /// The record's variable name in the template (default `record`).
    #[serde(rename = "as")]
    pub as_name: Option<String>,
    /// The record field whose text is each generated page's title (default `name`).
    pub title_field: Option<String>,
    /// Where each key is written in the file: (key, line, column of its value).
    #[serde(skip)]
    pub places: Vec<(String, usize, usize)>,
}

impl FrontMatter {
    /// Where `key`'s value is written in `file`, for a message about it; the file's first
    /// line when it is not written.
    pub fn location(&self, file: &std::path::Path, key: &str) -> Location {
        match self.places.iter().find(|(written, _, _)| written == key) {
            Some(&(_, line, col)) => Location::new(file, line, col),
            None => Location::new(file, 1, 1),
        }
    }
}

/// Where each key of the front matter `toml_text` is written in its file (which has the
/// opening `+++` on line 1): (key, line, column of its value).
fn front_places(toml_text: &str) -> Vec<(String, usize, usize)> {
    let mut places = Vec::new();
    for (at, line) in toml_text.lines().enumerate() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        if key.is_empty() || key.starts_with('#') {
            continue;
        }
        let before = line.len() - value.trim_start().len();
        places.push((key.to_string(), at + 2, line[..before].chars().count() + 1));
    }
    places
}

/// One page to render.
#[derive(Debug)]
pub struct PlannedPage {
    /// Its content path: `villages/index.md`, or for a generated page `villages/<id>.md`.
    pub key: String,
    /// Its output path: `villages/index.html`.
    pub output: String,
    /// Index of its content file in the sources.
    pub source: usize,
    /// Its title.
    pub title: String,
    /// The record id of a generated page.
    pub id: Option<String>,
    /// Whether headings get official numbers.
    pub number_headings: bool,
    /// A generated page's record: where it is in the data context (not a copy of it).
    pub record: Option<RecordRef>,
    sort_key: (i64, usize, usize),
}

/// Where a generated page's record is: file `id` of the folder at `folder` (`villages`, or
/// `a`, `b` for `data/a/b/`) in the data context, seen by its template as `var`.
#[derive(Clone, Debug)]
pub struct RecordRef {
    /// The record's variable name in the template (one text for all the folder's pages).
    pub var: std::sync::Arc<str>,
    /// The path of the folder in the data context (one list for all the folder's pages).
    pub folder: std::sync::Arc<[String]>,
    /// The record's file id.
    pub id: String,
}

impl RecordRef {
    /// The record in the data context `data`.
    pub fn value<'d>(&self, data: &'d serde_json::Map<String, Json>) -> Option<&'d Json> {
        self.folder
            .iter()
            .try_fold(data, |map, key| map.get(key).and_then(Json::as_object))
            .and_then(|folder| folder.get(&self.id))
    }
}

/// An entry of the sidebar: a page and the pages listed under it.
#[derive(Debug)]
pub struct TocEntry {
    /// Index of the page in [`PagePlan::pages`].
    pub page: usize,
    /// Indices of the pages under it.
    pub children: Vec<usize>,
}

/// All pages in reading order, and the navigation between them.
#[derive(Debug, Default)]
pub struct PagePlan {
    /// The pages, in reading order.
    pub pages: Vec<PlannedPage>,
    /// The sidebar.
    pub toc: Vec<TocEntry>,
    /// For each page in a folder (by its place), the place of the folder's first page (its
    /// `index.md`).
    section_index: Vec<Option<usize>>,
    /// The home page's place (`index.md`), found once.
    home: Option<usize>,
}

impl PagePlan {
    /// The pages next to `index` in reading order and above it: (prev, next, breadcrumbs).
    pub fn neighbours(&self, index: usize) -> (Option<usize>, Option<usize>, Vec<usize>) {
        // Pages are stored in reading order.
        let prev = index.checked_sub(1);
        let next = (index + 1 < self.pages.len()).then_some(index + 1);
        (prev, next, self.breadcrumbs(index))
    }

    /// The pages above `index`: the home page, then its folder's index page.
    pub fn breadcrumbs(&self, index: usize) -> Vec<usize> {
        self.breadcrumbs_under(self.home(), index)
    }

    /// The home page's place in the plan.
    pub fn home(&self) -> Option<usize> {
        self.home
    }

    /// [`PagePlan::breadcrumbs`] of page `index`, the home page at `home` (for every page
    /// of a large site, without looking for the home page each time).
    pub fn breadcrumbs_under(&self, home: Option<usize>, index: usize) -> Vec<usize> {
        let mut crumbs = Vec::new();
        if let Some(home) = home.filter(|&h| h != index) {
            crumbs.push(home);
        }
        if let Some(section) = self.section_index.get(index).copied().flatten()
            && section != index
        {
            crumbs.push(section);
        }
        crumbs
    }
}

/// Reads every content file and its front matter.
pub fn read_sources(site: &Site, problems: &mut Vec<Diagnostic>) -> Vec<Source> {
    let before = problems.len();
    let sources = read_each_source(site, problems);
    included_without_underscore(&sources, &mut problems[before..]);
    sources
}

/// The hint of a content file without front matter that another file includes
/// (`{% include "villages/row.md" %}`): a part of a template, named as a page. It is to be
/// renamed with a leading `_` (`_row.md`), which makes no page — not given a title.
fn included_without_underscore(sources: &[Source], problems: &mut [Diagnostic]) {
    const MISSING: &str = "内容文件要以 +++ 包起来的前言开头";
    for problem in problems.iter_mut() {
        let Some(location) = &problem.location else {
            continue;
        };
        if problem.code != "front-matter" || !problem.message.zh.starts_with(MISSING) {
            continue;
        }
        let Ok(rel) = location.file.strip_prefix("content") else {
            continue;
        };
        let name = crate::site_path::slashed(rel);
        let including = sources.iter().find(|source| {
            source.name != name
                && source.template.match_indices("include").any(|(at, _)| {
                    let after = source.template[at + "include".len()..].trim_start();
                    after
                        .strip_prefix(['"', '\''])
                        .is_some_and(|quoted| quoted.starts_with(name.as_str()))
                })
        });
        let Some(including) = including else {
            continue;
        };
        let renamed = match name.rsplit_once('/') {
            Some((folder, file)) => format!("{folder}/_{file}"),
            None => format!("_{name}"),
        };
        problem.hint = Some(Text::new(
            format!(
                "{} 用 {{% include %}} 引入了它：它是模板的一部分，不是一页。把文件改名为 content/{renamed}（文件名以 _ 开头的不生成页面），并改好 include 里的名字",
                including.file.display()
            ),
            format!(
                "{} includes it with {{% include %}}: it is part of a template, not a page. Rename it content/{renamed} (a file whose name starts with _ makes no page), and the name in the include",
                including.file.display()
            ),
        ));
    }
}

/// Reads every content file and its front matter, in the site's order.
fn read_each_source(site: &Site, problems: &mut Vec<Diagnostic>) -> Vec<Source> {
    let mut sources = Vec::new();
    for rel in &site.content_files {
        let file = PathBuf::from("content").join(rel);
        let name = crate::site_path::slashed(rel);
        let bytes = match std::fs::read(site.root.join(&file)) {
            Ok(bytes) => bytes,
            Err(error) => {
                problems.push(Diagnostic::unreadable(&file, &error));
                continue;
            }
        };
        let text = match crate::load::decode(&bytes, &file) {
            Ok(text) => text.replace("\r\n", "\n"),
            Err(d) => {
                problems.push(d);
                continue;
            }
        };
        let (front, template) = split_front_matter(&text, &file, is_partial(&name), problems);
        let numbered = front.as_ref().is_some_and(|f| f.number_headings);
        super::slips::typed_slips(&template, &file, numbered, problems);
        sources.push(Source {
            name,
            file,
            template,
            front,
        });
    }
    sources
}

/// Whether `line` is a front matter fence typed with full-width characters (`＋＋＋`, `+＋+`).
fn is_full_width_fence(line: &str) -> bool {
    let line = line.trim_end();
    line != "+++"
        && line
            .chars()
            .map(|c| crate::diagnostics::half_width(c).unwrap_or(c))
            .collect::<String>()
            == "+++"
}

/// The error for a front matter fence typed with full-width characters, at line `line`.
fn full_width_fence(file: &std::path::Path, line: usize, typed: &str) -> Diagnostic {
    let typed = typed.trim_end();
    Diagnostic::error(
        "front-matter",
        Some(Location::new(file, line, 1)),
        Text::new(
            format!("「{typed}」里有全角的加号「＋」：前言的首尾两行要写半角的 +++"),
            format!("`{typed}` has full-width plus signs `＋`: the front matter's fences are half-width +++"),
        ),
    )
    .with_hint(Text::new(
        "切换到英文（半角）输入，把这一行改成 +++",
        "type the line again as +++ with the input method in English (half-width)",
    ))
}

/// Whether a file's opening lines look like front matter gone wrong (a `+++` fence, a
/// `title =` or `generate =` line): a page generator's first fence deleted is said, not
/// taken for a partial that makes no page.
fn meant_front_matter(text: &str) -> bool {
    text.lines().take(8).any(|line| {
        let line = line.trim();
        line == "+++"
            || ["title", "generate"].iter().any(|key| {
                line.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
    })
}

/// Splits `+++ … +++` front matter off `text`; the template keeps blank lines in its place.
/// A `partial` (`_row.md`, `_partials/x.md`) may have none: it is no page.
fn split_front_matter(
    text: &str,
    file: &std::path::Path,
    partial: bool,
    problems: &mut Vec<Diagnostic>,
) -> (Option<FrontMatter>, String) {
    let missing = || {
        Diagnostic::error(
            "front-matter",
            Some(Location::new(file, 1, 1)),
            Text::new(
                "内容文件要以 +++ 包起来的前言开头（至少写 title）",
                "a content file must start with front matter between +++ lines (at least a title)",
            ),
        )
        .with_hint(Text::new(
            "在文件开头写三行：+++、title = \"页面标题\"、+++",
            "start the file with three lines: +++, title = \"Page title\", +++",
        ))
    };
    // (A fence line may end in spaces.)
    let first_line = text.split_inclusive('\n').next().unwrap_or_default();
    let opened = (first_line.trim_end() == "+++").then(|| &text[first_line.len()..]);
    let Some(rest) = opened else {
        // Front matter in YAML between `---` lines, as Hugo and Jekyll allow: said so, with
        // how to write it for huibao.
        let yaml = first_line.trim_end() == "---";
        if yaml && !partial {
            problems.push(yaml_front_matter(file));
        } else if is_full_width_fence(first_line) {
            problems.push(full_width_fence(file, 1, first_line));
        } else if !partial || meant_front_matter(text) {
            problems.push(missing());
        }
        return (None, text.to_string());
    };
    let mut offset = 0;
    let mut closing = None;
    for (at, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "+++" {
            closing = Some((offset, offset + line.len()));
            break;
        }
        if is_full_width_fence(line) {
            problems.push(full_width_fence(file, at + 2, line));
            return (None, text.to_string());
        }
        offset += line.len();
    }
    let Some((end, after)) = closing else {
        problems.push(
            Diagnostic::error(
                "front-matter",
                Some(Location::new(file, 1, 1)),
                Text::new(
                    "前言以 +++ 开头，却没有结束的 +++",
                    "the front matter opens with +++ but is never closed with +++",
                ),
            )
            .with_hint(Text::new(
                "在前言（title = … 等几行）后面单独写一行 +++，正文写在它下面",
                "write a line +++ after the front matter (title = … and the like), the text below it",
            )),
        );
        return (None, text.to_string());
    };
    let toml_text = &rest[..end];
    let front_lines = 1 + rest[..after].matches('\n').count();
    let template = format!("{}{}", "\n".repeat(front_lines), &rest[after..]);
    match crate::diagnostics::parse_all::<FrontMatter>(toml_text) {
        Ok(mut front) => {
            front.places = front_places(toml_text);
            if front.title.trim().is_empty() {
                problems.push(blank_title(front.location(file, "title")));
            }
            (Some(front), template)
        }
        Err(errors) => {
            for error in &errors {
                problems.push(front_matter_problem(error, toml_text, file));
            }
            (None, template)
        }
    }
}

/// The error of a page's front matter (`toml_text`, of `file`) for what the parser said.
fn front_matter_problem(
    error: &toml::de::Error,
    toml_text: &str,
    file: &std::path::Path,
) -> Diagnostic {
    let (line, col) = error
        .span()
        .map(|s| crate::diagnostics::line_col(toml_text, s.start))
        .unwrap_or((0, 0));
    let start = error.span().map_or(0, |span| span.start);
    let (said, hint) = crate::diagnostics::toml_said(error.message(), toml_text, start);
    Diagnostic::error(
        "front-matter",
        Some(Location::new(file, line + 1, col)),
        Text::new(
            format!("前言有误：{}", said.zh),
            format!("invalid front matter: {}", said.en),
        ),
    )
    .with_hint(
        error
            .span()
            .and_then(|span| {
                crate::diagnostics::full_width_toml_hint(toml_text, span.start, ("前言", "front matter"))
            })
            .or(hint)
            .unwrap_or_else(|| Text::new(
                "可用的键：title、weight、number_headings、generate、as、title_field（见 docs/templates.md）",
                "the keys are: title, weight, number_headings, generate, as, title_field (see docs/templates.md)",
            )),
    )
}

/// The error of a title left blank (`title = ""`) at `location`: the page would have no
/// name in the contents, its link nothing to click.
pub(crate) fn blank_title(location: Location) -> Diagnostic {
    Diagnostic::error(
        "front-matter",
        Some(location),
        Text::new(
            "title 是空的：这一页在目录里会没有名字，链接无处可点",
            "title is blank: the page would have no name in the contents, its link nothing to click",
        ),
    )
    .with_hint(Text::new(
        "在引号里写上标题，如 title = \"健康扶贫\"",
        "write the title between the quotes, such as title = \"健康扶贫\"",
    ))
}

/// The error for front matter written in YAML between `---` lines (Hugo's and Jekyll's
/// other way): huibao's is TOML between `+++` lines.
fn yaml_front_matter(file: &std::path::Path) -> Diagnostic {
    Diagnostic::error(
        "front-matter",
        Some(Location::new(file, 1, 1)),
        Text::new(
            "前言用 --- 包起来（YAML 写法）；huibao 的前言用 +++ 包起来，按 TOML 写",
            "the front matter is between --- lines (YAML); huibao's is between +++ lines, in TOML",
        ),
    )
    .with_hint(Text::new(
        "把首尾两行 --- 改成 +++，把 title: 页面标题 改成 title = \"页面标题\"（键后用等号，文字加引号）",
        "change both --- lines to +++, and title: Page title to title = \"Page title\" (an equals sign after each key, text in quotes)",
    ))
}

/// Whether the content file `name` (`villages/_village.md`, `_partials/row.md`) is not a
/// page by itself: its name or a folder on its path starts with `_`.
pub fn is_partial(name: &str) -> bool {
    name.split('/').any(|part| part.starts_with('_'))
}

/// A print of everything [`plan`] reads — the content files' names, paths and front
/// matter, the sidebar's limit, the data files' places and the titles of the records pages
/// are made for — so that the preview plans again only when one of them changed.
pub fn plan_print(site: &Site, data: &Data, sources: &[Source]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    site.config.toc_section_limit.hash(&mut hasher);
    data.files.len().hash(&mut hasher);
    for file in &data.files {
        file.key_path.hash(&mut hasher);
    }
    for source in sources {
        source.hash_place(&mut hasher);
        let Some(front) = &source.front else { continue };
        let Some(folder) = &front.generate else {
            continue;
        };
        let folder_path: Vec<&str> = folder.split('.').collect();
        for file in records_of(&data.files, &folder_path) {
            match record_title(file, front) {
                Some(title) => title.hash(&mut hasher),
                None => 0xff_u8.hash(&mut hasher),
            }
        }
    }
    hasher.finish()
}

impl Source {
    /// Hashes what the file is and where its pages go: its name, its path and its front
    /// matter (not its text), for the prints the preview keeps its work by.
    pub(super) fn hash_place(&self, hasher: &mut impl std::hash::Hasher) {
        use std::hash::Hash;
        self.name.hash(hasher);
        self.file.hash(hasher);
        format!("{:?}", self.front).hash(hasher);
    }
}

/// The field a generated page's title is read from (`title_field`, else `name`).
fn title_field(front: &FrontMatter) -> &str {
    front.title_field.as_deref().unwrap_or("name")
}

/// The title of a page generated for `file`: its title field's text (`None`: it has none).
fn record_title<'d>(file: &'d impl FilePlace, front: &FrontMatter) -> Option<&'d str> {
    file.top_level_text(title_field(front))
}

/// The data files of the folder at `folder_path` (not those of folders inside it).
fn records_of<'d, F: FilePlace>(
    data: &'d [F],
    folder_path: &[&str],
) -> impl Iterator<Item = &'d F> {
    data.iter().filter(move |f| {
        f.key_path().len() == folder_path.len() + 1
            && f.key_path()[..folder_path.len()] == folder_path[..]
    })
}

/// Decides the pages, their order and navigation, from the data files (their trees, or
/// packed: only their places and the titles of the records pages are made for are read).
pub fn plan(
    site: &Site,
    data: &[impl FilePlace],
    sources: &[Source],
    problems: &mut Vec<Diagnostic>,
) -> PagePlan {
    let mut pages = Vec::new();
    for (position, source) in sources.iter().enumerate() {
        let Some(front) = &source.front else { continue };
        match &front.generate {
            Some(_) => generate_pages(data, source, front, position, &mut pages, problems),
            None if is_partial(&source.name) => {}
            None => pages.push(PlannedPage {
                key: source.name.clone(),
                output: output_path(&source.name),
                source: position,
                title: front.title.clone(),
                id: None,
                number_headings: front.number_headings,
                record: None,
                sort_key: (front.weight, position, 0),
            }),
        }
    }

    let mut seen: HashMap<&str, usize> = HashMap::default();
    for (i, page) in pages.iter().enumerate() {
        if let Some(&first) = seen.get(page.key.as_str()) {
            problems.push(Diagnostic::error(
                "page-collision",
                Some(Location::file(&sources[page.source].file)),
                Text::new(
                    format!(
                        "页面 {} 重复：{} 也生成了它",
                        page.output,
                        sources[pages[first].source].file.display()
                    ),
                    format!(
                        "the page {} is made twice: {} makes it too",
                        page.output,
                        sources[pages[first].source].file.display()
                    ),
                ),
            ));
        } else {
            seen.insert(&page.key, i);
        }
    }
    // A content/index.md whose front matter was refused is there: its error says why.
    if !pages.iter().any(|p| p.key == "index.md") && !sources.iter().any(|s| s.name == "index.md") {
        problems.push(
            Diagnostic::error(
                "home-missing",
                Some(Location::file("content/index.md")),
                Text::new(
                    "站点没有首页 content/index.md",
                    "the site has no home page content/index.md",
                ),
            )
            .with_hint(Text::new(
                "新建 content/index.md（报告的正文或目录）",
                "create content/index.md (the report itself, or its contents)",
            )),
        );
    }
    navigation(pages, site.config.toc_section_limit)
}

/// `villages/index.md` → `villages/index.html`.
fn output_path(key: &str) -> String {
    [key.strip_suffix(".md").unwrap_or(key), ".html"].concat()
}

fn generate_pages<F: FilePlace>(
    data: &[F],
    source: &Source,
    front: &FrontMatter,
    position: usize,
    pages: &mut Vec<PlannedPage>,
    problems: &mut Vec<Diagnostic>,
) {
    let dir = source.name.rsplit_once('/').map_or("", |(d, _)| d);
    let folder = front.generate.as_deref().unwrap_or_default();
    let folder_path: Vec<&str> = folder.split('.').collect();
    let records: Vec<_> = records_of(data, &folder_path).collect();
    if records.is_empty() {
        problems.push(empty_folder(data, folder, source, front));
        return;
    }
    let var = front
        .as_name
        .clone()
        .unwrap_or_else(|| "record".to_string());
    let why = unusable_as(&var, |name| data.iter().any(|f| f.key_path()[0] == name));
    if let Some(why) = why {
        problems.push(
            Diagnostic::error(
                "generate-as",
                Some(front.location(&source.file, "as")),
                Text::new(
                    format!("as = \"{var}\" 不能用：{}", why.zh),
                    format!("as = \"{var}\" cannot be used: {}", why.en),
                ),
            )
            .with_hint(Text::new(
                "写一个英文名字，如 as = \"village\"（用单数，与文件夹名区别），模板里就用这个名字读每条记录：{{ village.name }}",
                "write an English name, such as as = \"village\" (the singular, unlike the folder's name): the template reads each record by it, {{ village.name }}",
            )),
        );
        return;
    }
    let title_field = title_field(front);
    // A title field no record has: one error where it is named, not one for each record.
    if front.title_field.is_some()
        && records
            .iter()
            .all(|&file| record_title(file, front).is_none())
    {
        problems.push(title_field_nowhere(records.first().copied(), source, front));
        return;
    }
    // A folder of 100,000 villages: its pages share the variable's name and the folder's.
    let shared_var: std::sync::Arc<str> = var.as_str().into();
    let folder: std::sync::Arc<[String]> = folder_path.iter().map(|k| k.to_string()).collect();
    let record_ref = |file: &F| RecordRef {
        var: shared_var.clone(),
        folder: folder.clone(),
        id: file.id().to_string(),
    };
    for (n, &file) in records.iter().enumerate() {
        let title = match record_title(file, front) {
            Some(title) => title.to_string(),
            None => {
                problems.push(
                    Diagnostic::error(
                        "generate-title",
                        Some(file.root_location()),
                        Text::new(
                            format!("生成页面需要标题：这个记录缺少文本字段「{title_field}」"),
                            format!("a generated page needs a title: this record has no text field `{title_field}`"),
                        ),
                    )
                    .with_hint(Text::new(
                        format!("在文件里加一行 {title_field}: 名称；或在 {} 的前言里用 title_field 指定别的字段", source.file.display()),
                        format!("add a line {title_field}: Name, or set title_field in the front matter of {}", source.file.display()),
                    )),
                );
                continue;
            }
        };
        // (Joined without `format!`: a page for each of 10,000 villages.)
        let key = if dir.is_empty() {
            [file.id(), ".md"].concat()
        } else {
            [dir, "/", file.id(), ".md"].concat()
        };
        pages.push(PlannedPage {
            output: output_path(&key),
            key,
            source: position,
            title,
            id: Some(file.id().to_string()),
            number_headings: front.number_headings,
            record: Some(record_ref(file)),
            sort_key: (front.weight, position, n + 1),
        });
    }
}

/// The error of a generator whose folder (`generate = "villages"`) has no data files, with
/// the data folder it most likely means.
fn empty_folder<F: FilePlace>(
    data: &[F],
    folder: &str,
    source: &Source,
    front: &FrontMatter,
) -> Diagnostic {
    let dir = crate::discover::data_folder(folder);
    // The data's folders, by the name `generate` gives them (`villages`, `a.b`).
    let mut folders: Vec<String> = data
        .iter()
        .filter_map(|file| file.key_path().split_last())
        .filter(|(_, folder)| !folder.is_empty())
        .map(|(_, folder)| folder.join("."))
        .collect();
    folders.dedup();
    // Written as a path (`data/villages`, `villages/*.yaml`, `data\\villages`): the folder
    // meant, by the name `generate` gives it.
    let as_name = folder
        .replace('\\', "/")
        .trim_start_matches("./")
        .trim_start_matches("data/")
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml")
        .trim_end_matches("/*")
        .trim_end_matches('/')
        .replace('/', ".");
    let named = (as_name != folder)
        .then(|| folders.iter().find(|f| **f == as_name))
        .flatten();
    let near = named
        .map(String::as_str)
        .or_else(|| crate::suggest::did_you_mean(folder, folders.iter().map(String::as_str)));
    let hint = match near {
        Some(near) if named.is_some() => Text::new(
            format!(
                "generate 只写 data/ 下的文件夹名（子文件夹用 . 连接），不写 data/ 和 *.yaml：写成 generate = \"{near}\""
            ),
            format!(
                "generate names a folder under data/ (a folder inside it joined by .), without data/ and *.yaml: write generate = \"{near}\""
            ),
        ),
        Some(near) => Text::new(
            format!(
                "是不是 generate = \"{near}\"？（data/{} 下的每个文件生成一页）",
                crate::discover::data_folder(near)
            ),
            format!(
                "did you mean generate = \"{near}\"? (a page for each file in data/{})",
                crate::discover::data_folder(near)
            ),
        ),
        None => Text::new(
            "generate 写数据文件夹的名字，例如 villages 对应 data/villages/*.yaml",
            "generate names a data folder, e.g. villages for data/villages/*.yaml",
        ),
    };
    let message = if folder.contains(['/', '\\', '*']) {
        Text::new(
            format!("generate = \"{folder}\"：不是数据文件夹的名字"),
            format!("generate = \"{folder}\" is no data folder's name"),
        )
    } else {
        Text::new(
            format!("generate = \"{folder}\"：data/{dir} 下没有数据文件"),
            format!("generate = \"{folder}\": there are no data files in data/{dir}"),
        )
    };
    Diagnostic::error(
        "generate-folder",
        Some(front.location(&source.file, "generate")),
        message,
    )
    .with_hint(hint)
}

/// Why a generator's `as` (`var`) cannot name its record, if it cannot: not a variable's
/// name (`村`), or a name the template already has — `page`, `site`, or a top-level data
/// name (`is_top_name`). Asked by the generator and by the type check, which then leaves
/// the template's reads of the record alone.
pub(super) fn unusable_as(var: &str, is_top_name: impl Fn(&str) -> bool) -> Option<Text> {
    if !crate::load::is_identifier(var) {
        Some(Text::new(
            "变量名只能用英文字母、数字和下划线，不以数字开头",
            "a variable's name is English letters, digits and _, not starting with a digit",
        ))
    } else if ["page", "site"].contains(&var) || is_top_name(var) {
        Some(Text::new(
            format!("「{var}」已经是 huibao 的 page、site 或数据的顶层名称"),
            format!("`{var}` is already huibao's page or site, or a top-level data name"),
        ))
    } else {
        None
    }
}

/// The error of a generator's `title_field` that no record of its folder has (the `first`
/// record tells whether `name` was meant): one error where it is named.
fn title_field_nowhere<F: FilePlace>(
    first: Option<&F>,
    source: &Source,
    front: &FrontMatter,
) -> Diagnostic {
    let title_field = title_field(front);
    let hint = match first.and_then(|file| file.top_level_text("name")) {
        Some(_) => Text::new(
            "是不是 title_field = \"name\"？（记录里有 name；不写 title_field 就是它）",
            "did you mean title_field = \"name\"? (the records have name; it is the default)",
        ),
        None => Text::new(
            "title_field 写记录里一个文本字段的名字",
            "title_field names a text field of the records",
        ),
    };
    Diagnostic::error(
        "generate-title",
        Some(front.location(&source.file, "title_field")),
        Text::new(
            format!("title_field = \"{title_field}\"：这个文件夹的记录都没有文本字段「{title_field}」"),
            format!("title_field = \"{title_field}\": no record of this folder has a text field `{title_field}`"),
        ),
    )
    .with_hint(hint)
}

/// Orders pages: the home page, then top-level pages and folders by weight; inside a
/// folder its `index.md` first, then the rest by weight. Builds the sidebar from that.
fn navigation(pages: Vec<PlannedPage>, toc_section_limit: usize) -> PagePlan {
    // A page's folder, and whether it is the folder's index page.
    fn folder_of(key: &str) -> Option<(&str, bool)> {
        key.split_once('/')
            .map(|(top, rest)| (top, rest == "index.md"))
    }
    // The weight of a folder is that of its index page, else its lightest page.
    let mut folder_weight: BTreeMap<&str, (i64, usize)> = BTreeMap::new();
    for page in &pages {
        if let Some((folder, is_index)) = folder_of(&page.key) {
            let candidate = (page.sort_key.0, page.sort_key.1);
            let entry = folder_weight.entry(folder).or_insert(candidate);
            if is_index || candidate < *entry {
                *entry = candidate;
            }
        }
    }
    // With its rank by name (pages outside a folder before all: 0), so that the sort keys
    // hold no text.
    let folders: HashMap<&str, ((i64, usize), usize)> = folder_weight
        .into_iter()
        .enumerate()
        .map(|(rank, (folder, weight))| (folder, (weight, rank + 1)))
        .collect();
    type GroupKey = (u8, i64, usize, usize, u8, (i64, usize, usize));
    let group_key = |page: &PlannedPage| -> GroupKey {
        let home = u8::from(page.key != "index.md");
        match folder_of(&page.key) {
            None => (home, page.sort_key.0, page.sort_key.1, 0, 0, page.sort_key),
            Some((folder, is_index)) => {
                let ((w, p), rank) = folders[folder];
                (home, w, p, rank, u8::from(!is_index), page.sort_key)
            }
        }
    };
    let keys: Vec<GroupKey> = pages.iter().map(group_key).collect();
    let mut keyed: Vec<(GroupKey, PlannedPage)> = keys.into_iter().zip(pages).collect();
    // (Stable: pages of equal keys keep their order.)
    keyed.sort_by_key(|(key, _)| *key);
    let pages: Vec<PlannedPage> = keyed.into_iter().map(|(_, page)| page).collect();

    let mut plan = PagePlan {
        section_index: vec![None; pages.len()],
        ..PagePlan::default()
    };
    let mut current_folder: Option<(&str, usize)> = None;
    for (i, page) in pages.iter().enumerate() {
        match folder_of(&page.key).map(|(folder, _)| folder) {
            None => {
                current_folder = None;
                plan.toc.push(TocEntry {
                    page: i,
                    children: Vec::new(),
                });
            }
            Some(folder) => {
                let same = current_folder.as_ref().is_some_and(|(f, _)| *f == folder);
                if !same {
                    plan.toc.push(TocEntry {
                        page: i,
                        children: Vec::new(),
                    });
                    current_folder = Some((folder, i));
                } else if let (Some(entry), Some((_, head))) =
                    (plan.toc.last_mut(), &current_folder)
                {
                    entry.children.push(i);
                    plan.section_index[i] = Some(*head);
                }
            }
        }
    }
    for entry in &mut plan.toc {
        if entry.children.len() > toc_section_limit {
            entry.children.clear();
        }
    }
    plan.home = pages.iter().position(|p| p.key == "index.md");
    plan.pages = pages;
    plan
}

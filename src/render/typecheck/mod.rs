//! Template mistakes found without rendering: every variable path a content template reads
//! is checked against the shape of the data the schema declares (`v.registerd.people` names
//! no field of 村委会), and every filter, function and test against those Tera knows. A page
//! shows such a mistake only when its branch runs; `huibao check` renders one page per
//! template, so this finds the rest.

mod calls;
mod paths;
mod places;
mod problems;
mod scope;
mod shape;
mod walk;

use std::collections::HashMap;

use tera::Tera;

use super::pages::Source;
use crate::diagnostics::{Diagnostic, Location, Text};
use crate::load::FilePlace;
use crate::validate::schema::Schema;
use places::without_comments;
use shape::{Shape, element, field, top_level};

pub(super) use calls::helper_example;

/// Filters Tera applies itself, not registered as filters.
const TERA_OWN_FILTERS: [&str; 2] = ["safe", "default"];

/// The arguments of huibao's own filters (`true`) and functions: any other is a slip the
/// helper would ignore without a word (`fig(unt="人")` prints no unit).
const HELPER_ARGS: [(&str, bool, &[&str]); 9] = [
    ("fig", true, &["unit", "dp"]),
    ("round", true, &["precision", "method"]),
    ("sum", true, &["attribute"]),
    ("sum", false, &["values"]),
    ("sub", false, &["a", "b"]),
    ("mul", false, &["a", "b"]),
    ("div", false, &["a", "b", "dp"]),
    ("rate", false, &["num", "den", "dp"]),
    ("chart", false, crate::chart::ARGUMENTS),
];

/// The filters, functions and tests a template most often uses (huibao's and Tera's): a
/// name Tera does not know is told the closest of those it does.
const USUAL_HELPERS: [&str; 29] = [
    "fig", "round", "sum", "sub", "mul", "div", "rate", "chart", "sort", "filter", "group_by",
    "unique", "length", "first", "last", "join", "default", "upper", "lower", "trim", "replace",
    "truncate", "reverse", "slice", "gt", "ge", "lt", "le", "same_as",
];

/// Filters that keep a list's items as they are (`sort`, `filter` …): a path through them
/// holds what the list holds.
const KEEP: [&str; 5] = ["sort", "reverse", "filter", "slice", "unique"];

/// Filters whose `attribute` names a field of each item of a list. Tera leaves out, without
/// a word, the items that lack it (`map`, `filter`, `group_by`): a field misspelt there makes a
/// shorter list, not an error.
const ITEM_FILTERS: [&str; 6] = ["sort", "map", "filter", "group_by", "unique", "sum"];

/// The arguments of `chart` that name fields of each item of its `data` (`label="name"`,
/// `values="households,people"`), and whether those fields must hold numbers.
const CHART_FIELDS: [(&str, bool); 5] = [
    ("label", false),
    ("values", true),
    ("values2", true),
    ("values3", true),
    ("values4", true),
];

/// Names every template may read besides the data.
const BUILT_IN: [&str; 5] = ["page", "site", "huibao", "loop", "__tera_context"];

/// What [`check`] found, kept by the preview with what it read: the content files (names,
/// paths, front matter and text) and the data files' paths by [`inputs_print`], and the
/// schema.
#[derive(Debug)]
pub(super) struct Checked {
    print: u64,
    schema: Schema,
    found: Vec<Diagnostic>,
}

/// [`check`], or what it found last time when the content files, the data files' paths and
/// the schema are the same (`last`: updated; `None`: nothing kept).
pub(super) fn check_cached(
    tera: &Tera,
    sources: &[Source],
    data: &[impl FilePlace + Sync],
    schema: &Schema,
    last: Option<&mut Option<Checked>>,
) -> Vec<Diagnostic> {
    let Some(last) = last else {
        return check(tera, sources, data, schema);
    };
    let print = inputs_print(sources, data);
    match last {
        // (Only a clean result: a problem's hint may name a record by its data, which the
        // print does not cover.)
        Some(kept) if kept.print == print && kept.schema == *schema && kept.found.is_empty() => {
            Vec::new()
        }
        _ => {
            let found = check(tera, sources, data, schema);
            *last = Some(Checked {
                print,
                schema: schema.clone(),
                found: found.clone(),
            });
            found
        }
    }
}

/// A print of the content files and the data files' paths: what [`check`] reads besides
/// the schema and the templates made of the content files.
fn inputs_print(sources: &[Source], data: &[impl FilePlace]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    for source in sources {
        source.hash_place(&mut hasher);
        source.template.hash(&mut hasher);
    }
    data.len().hash(&mut hasher);
    // A path's bytes (its parts hashed one by one cost ten times as much, 10,000 paths at
    // each correction in the preview): another spelling of one path only checks again.
    for file in data {
        file.path().as_os_str().as_encoded_bytes().hash(&mut hasher);
    }
    hasher.finish()
}

/// Checks the content templates of `sources` (as added to `tera`) against the data's shape.
pub(super) fn check(
    tera: &Tera,
    sources: &[Source],
    data: &[impl FilePlace + Sync],
    schema: &Schema,
) -> Vec<Diagnostic> {
    let top = top_level(data, schema);
    let named = |folder: &str, key: &str| file_named(data, folder, key);
    let mut problems = Vec::new();
    for source in sources {
        let Ok(template) = tera.get_template(&source.name) else {
            continue;
        };
        let before = problems.len();
        // A partial (`_row.md`, `_partials/x.md`) is read where it is included, with that
        // template's variables: it is checked there, its macros here.
        let generates = source.front.as_ref().is_some_and(|f| f.generate.is_some());
        // A template that extends another is made of that one's blocks: left to rendering.
        let extends = template.parent.is_some();
        // A file that is no partial and has no front matter is already an error: read as a
        // partial (it is one named wrong, or its page fails anyway), not as a page.
        let no_page = source.front.is_none();
        // A generator whose `as` is no name is an error of its own: its reads of the record
        // are not told again.
        let bad_as = source.front.as_ref().is_some_and(|f| {
            let is_top_name = |name: &str| top.iter().any(|(top_name, _)| top_name == name);
            let unusable = |name: &str| super::pages::unusable_as(name, is_top_name).is_some();
            f.generate.is_some() && f.as_name.as_deref().is_some_and(unusable)
        });
        if (super::pages::is_partial(&source.name) && !generates) || extends || no_page || bad_as {
            Checker::new(tera, &top, &named, sources, source, &mut problems).macros(&template.ast);
        } else {
            let mut checker = Checker::new(tera, &top, &named, sources, source, &mut problems);
            if let Some(front) = &source.front
                && let Some(folder) = &front.generate
            {
                let var = front
                    .as_name
                    .clone()
                    .unwrap_or_else(|| "record".to_string());
                let record = folder
                    .split('.')
                    .try_fold(
                        Shape::Record {
                            what: String::new(),
                            fields: top.clone(),
                            optional: Vec::new(),
                            folder: true,
                        },
                        |shape, key| field(&shape, key),
                    )
                    .map(element)
                    .unwrap_or(Shape::Any);
                checker.varies.insert(var.clone());
                checker.bound.insert(var, record);
            }
            checker.bind(&template.ast);
            checker.nodes(&template.ast);
        }
        // In the template's order (a call's arguments are checked before what its data's
        // filters read), then the partials it includes, by file.
        problems[before..].sort_by(|a, b| {
            let place = |p: &Diagnostic| {
                p.location
                    .as_ref()
                    .map(|l| (l.file != source.file, l.file.clone(), l.line, l.col))
            };
            place(a).cmp(&place(b))
        });
    }
    problems
}

/// The message for `read.key` where `read` is a folder with no file of id `key`.
fn no_file_with_id(ident: &str, read: &str, what: &str, key: &str) -> Text {
    Text::new(
        format!("模板读取「{ident}」：{read}（{what}）里没有 id 为「{key}」的文件"),
        format!("the template reads `{ident}`: {read} ({what}) has no file with id `{key}`"),
    )
}

/// The one file of `folder` (`villages`, as a template reads it) whose top-level `name` (or
/// else `title`) is `key` or begins with it (`横溪` for 横溪村, `教育` for 教育扶贫): a template
/// that read a file by its Chinese name. `None` when no file, or more than one, is named so.
#[cold]
fn file_named(data: &[impl FilePlace], folder: &str, key: &str) -> Option<FileNamed> {
    let in_folder = |file: &&_| {
        let path = FilePlace::key_path(*file);
        path.len() == folder.split('.').count() + 1
            && path.iter().zip(folder.split('.')).all(|(a, b)| a == b)
    };
    let names: Vec<(&str, &'static str, &str)> = data
        .iter()
        .filter(in_folder)
        .filter_map(|file| {
            ["name", "title"]
                .into_iter()
                .find_map(|field| Some((file.id(), field, file.top_level_text(field)?)))
        })
        .collect();
    let exact: Vec<_> = names.iter().filter(|(_, _, text)| *text == key).collect();
    let begins: Vec<_> = names
        .iter()
        .filter(|(_, _, text)| key.chars().count() >= 2 && text.starts_with(key))
        .collect();
    let (id, field, text) = match (exact.as_slice(), begins.as_slice()) {
        ([one], _) | ([], [one]) => **one,
        _ => return None,
    };
    Some(FileNamed {
        id: id.to_string(),
        field,
        text: text.to_string(),
    })
}

/// Finds the file of a folder (`villages`) whose `name` or `title` is the key a template
/// wrote (`横溪`): its id, and the field and its text ([`file_named`]).
type Named<'n> = dyn Fn(&str, &str) -> Option<FileNamed> + 'n;

/// A file found by its name ([`file_named`]).
struct FileNamed {
    /// Its id (`hengxi`).
    id: String,
    /// The field that names it: `name` or `title`.
    field: &'static str,
    /// That field's text (`横溪村`).
    text: String,
}

struct Checker<'c> {
    tera: &'c Tera,
    top: &'c [(String, Shape)],
    /// A folder's file by its `name`, for the hint when a template reads a file by it.
    named: &'c Named<'c>,
    /// Names the template binds (`for v in …`, `set t = …`) and what they hold; a name bound
    /// twice holds [`Shape::Any`].
    bound: HashMap<String, Shape>,
    /// The names the template's loops bind (`v` of `for v in …`): read outside their loop,
    /// they name nothing, and the message says so.
    loop_names: Vec<String>,
    /// Bound names that hold one of many records or items (a loop's value, a generated
    /// page's record, and names set from them): their optional fields may be absent.
    varies: std::collections::HashSet<String>,
    source: &'c Source,
    /// Paths the template tests before reading (`{% if v.note %}`, `v.note is defined`,
    /// `v.note | default(…)`): a value there may be absent.
    guarded: Vec<String>,
    /// How many times each path was met so far: a problem is placed at that occurrence of
    /// its text (the AST has no positions), not at the first.
    seen: HashMap<String, usize>,
    problems: &'c mut Vec<Diagnostic>,
    /// The template with its comments blanked out ([`without_comments`]), where places are
    /// looked for: made once per template.
    searched: String,
    /// The content files, where an included partial is found.
    sources: &'c [Source],
    /// The templates being checked, this one last: an include of one of them is not
    /// followed again.
    including: Vec<String>,
    /// Where this partial is included (the outermost template's include last): said with
    /// each problem found in it, whose variables are the includer's.
    included_at: Vec<Location>,
    /// How many loops the node being checked is in (an included partial's count starts at
    /// its include's; a macro's at none).
    loop_depth: usize,
    /// Names set (not `set_global`) inside the loops being checked, innermost loop's last,
    /// each with which `set` of its name it is ([`Checker::sets_met`]): placed only when told.
    loop_sets: Vec<(String, usize)>,
    /// Names set inside a loop that has ended, and not set again since: after the loop
    /// they hold the value from before it (Tera's loop frame), or nothing.
    set_in_ended_loop: HashMap<String, usize>,
}

impl<'c> Checker<'c> {
    /// A checker of `source`'s template that knows no variable yet.
    fn new(
        tera: &'c Tera,
        top: &'c [(String, Shape)],
        named: &'c Named<'c>,
        sources: &'c [Source],
        source: &'c Source,
        problems: &'c mut Vec<Diagnostic>,
    ) -> Self {
        Checker {
            tera,
            top,
            named,
            bound: HashMap::new(),
            loop_names: Vec::new(),
            varies: Default::default(),
            source,
            guarded: Vec::new(),
            seen: HashMap::new(),
            problems,
            searched: without_comments(&source.template),
            sources,
            including: vec![source.name.clone()],
            included_at: Vec::new(),
            loop_depth: 0,
            loop_sets: Vec::new(),
            set_in_ended_loop: HashMap::new(),
        }
    }
}

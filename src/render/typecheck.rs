//! Template mistakes found without rendering: every variable path a content template reads
//! is checked against the shape of the data the schema declares (`v.registerd.people` names
//! no field of 村委会), and every filter, function and test against those Tera knows. A page
//! shows such a mistake only when its branch runs; `huibao check` renders one page per
//! template, so this finds the rest.

use std::collections::{BTreeMap, HashMap};

use tera::Tera;
use tera::ast::{Expr, ExprVal, Node};

use super::pages::Source;
use crate::diagnostics::{Diagnostic, Location, Severity, Text};
use crate::load::FilePlace;
use crate::validate::fields::schema_for;
use crate::validate::schema::{Field, Kind, Schema, did_you_mean};

/// What a value of the template context is known to be.
#[derive(Clone, Debug, PartialEq)]
enum Shape {
    /// Not known (no schema for it, or computed): not checked.
    Any,
    /// A mapping with these keys: a record of the schema, or a folder of unlike files.
    Record {
        what: String,
        fields: Vec<(String, Shape)>,
        /// The fields a record may lack (`optional: true` in the schema).
        optional: Vec<String>,
        /// A folder of unlike files: a key it lacks is a file that may yet be there.
        folder: bool,
    },
    /// The files of one folder by id (`villages.hengxi`), all of one kind.
    Files {
        what: String,
        ids: Vec<String>,
        item: Box<Shape>,
    },
    /// A list of items of one shape.
    List(Box<Shape>),
    /// A number, text, date … (the schema's type name, whether its values are numbers, and
    /// their unit when the schema gives one).
    Scalar(&'static str, bool, Option<String>),
}

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
        if (super::pages::is_partial(&source.name) && !generates) || extends {
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

/// The data context's top-level names and their shapes: each file's record (fields of its
/// schema, and `id`), each folder as its files by id, and its `_list`.
fn top_level(data: &[impl FilePlace + Sync], schema: &Schema) -> Vec<(String, Shape)> {
    // Folder path → its files: (id, the number of its schema entry).
    let mut folders: BTreeMap<Vec<String>, Vec<(String, Option<usize>)>> = BTreeMap::new();
    // Each file's schema entry, found on every core (a pattern match per file: 10,000 at
    // 10,000 villages).
    let entries: Vec<Option<usize>> = {
        use rayon::prelude::*;
        data.par_iter()
            .with_min_len(256)
            .map(|file| {
                schema_for(schema, file.path())
                    .and_then(|f| schema.files.iter().position(|g| std::ptr::eq(f, g)))
            })
            .collect()
    };
    for (file, entry) in data.iter().zip(entries) {
        let Some((id, folder)) = file.key_path().split_last() else {
            continue;
        };
        // (Looked up by the folder's names: a key is made once per folder, not per file.)
        match folders.get_mut(folder) {
            Some(files) => files.push((id.clone(), entry)),
            None => {
                folders.insert(folder.to_vec(), vec![(id.clone(), entry)]);
            }
        }
    }
    // The record of each schema entry: its fields, and `id`.
    let record = |entry: Option<usize>| -> Shape {
        let Some(f) = entry.and_then(|i| schema.files.get(i)) else {
            return Shape::Any;
        };
        let what = f.label.clone().unwrap_or_else(|| f.pattern.clone());
        let mut fields = vec![("id".to_string(), Shape::Scalar("text", false, None))];
        fields.extend(f.fields.iter().map(|(k, v)| (k.clone(), field_shape(v, k))));
        let optional = optional_fields(&f.fields);
        Shape::Record {
            what,
            fields,
            optional,
            folder: false,
        }
    };
    // Deepest folders first: each becomes an entry (and a list) of its parent.
    let mut entries: BTreeMap<Vec<String>, Vec<(String, Shape)>> = BTreeMap::new();
    let mut paths: std::collections::BTreeSet<Vec<String>> = std::collections::BTreeSet::new();
    for path in folders.keys() {
        for depth in 0..=path.len() {
            paths.insert(path[..depth].to_vec());
        }
    }
    let mut paths: Vec<Vec<String>> = paths.into_iter().collect();
    paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for path in paths {
        let mut own: Vec<(String, Shape)> = entries.remove(&path).unwrap_or_default();
        let files = folders.remove(&path).unwrap_or_default();
        let Some((name, parent)) = path.split_last() else {
            own.extend(files.into_iter().map(|(id, entry)| (id, record(entry))));
            entries.insert(Vec::new(), own);
            continue;
        };
        let alike = !files.is_empty()
            && own.is_empty()
            && files.iter().all(|f| f.1.is_some() && f.1 == files[0].1);
        let (folder, list) = if alike {
            let item = record(files[0].1);
            let what = match &item {
                Shape::Record { what, .. } => what.clone(),
                _ => name.clone(),
            };
            let ids = files.into_iter().map(|(id, _)| id).collect();
            let folder = Shape::Files {
                what,
                ids,
                item: Box::new(item.clone()),
            };
            (folder, Shape::List(Box::new(item)))
        } else {
            own.extend(files.into_iter().map(|(id, entry)| (id, record(entry))));
            let folder_record = Shape::Record {
                what: format!("data/{}/", path.join("/")),
                fields: own,
                optional: Vec::new(),
                folder: true,
            };
            (folder_record, Shape::List(Box::new(Shape::Any)))
        };
        let siblings = entries.entry(parent.to_vec()).or_default();
        siblings.push((name.clone(), folder));
        siblings.push((format!("{name}_list"), list));
    }
    entries.remove(&Vec::new()).unwrap_or_default()
}

/// The shape of a schema field's values.
fn field_shape(field: &Field, name: &str) -> Shape {
    let what = field.label.clone().unwrap_or_else(|| name.to_string());
    match &field.kind {
        Kind::Record(fields) => Shape::Record {
            what,
            fields: fields
                .iter()
                .map(|(k, v)| (k.clone(), field_shape(v, k)))
                .collect(),
            optional: optional_fields(fields),
            folder: false,
        },
        Kind::List(item) => Shape::List(Box::new(field_shape(item, name))),
        other => Shape::Scalar(other.name(), other.is_numeric(), field.unit.clone()),
    }
}

/// The names of the fields that are not required.
fn optional_fields(fields: &[(String, Field)]) -> Vec<String> {
    fields
        .iter()
        .filter(|(_, f)| !f.required)
        .map(|(k, _)| k.clone())
        .collect()
}

/// The shape of `shape.key`, when it has that key (`None`: it has not).
fn field(shape: &Shape, key: &str) -> Option<Shape> {
    match shape {
        Shape::Any => Some(Shape::Any),
        Shape::Record { fields, .. } => fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, s)| s.clone()),
        Shape::Files { ids, item, .. } => ids.iter().any(|id| id == key).then(|| (**item).clone()),
        Shape::List(item) => key.parse::<usize>().is_ok().then(|| (**item).clone()),
        Shape::Scalar(..) => None,
    }
}

/// The shape of an element of `shape` (`xs[i]`, `for x in xs`).
fn element(shape: Shape) -> Shape {
    match shape {
        Shape::List(item) => *item,
        Shape::Files { item, .. } => *item,
        _ => Shape::Any,
    }
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
    /// Names set (not `set_global`) inside the loops being checked, innermost last: the
    /// loop's depth at the `set`, and the byte offset of its name.
    loop_sets: Vec<(String, usize, Option<usize>)>,
    /// Names set inside a loop that has ended, and not set again since: after the loop
    /// they hold the value from before it (Tera's loop frame), or nothing.
    set_in_ended_loop: HashMap<String, Option<usize>>,
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

    /// Checks the macros `nodes` define ([`Checker::macro_definition`]): a partial's, whose
    /// other nodes are checked where it is included.
    fn macros(&mut self, nodes: &[Node]) {
        for node in nodes {
            if let Node::MacroDefinition(_, definition, _) = node {
                self.macro_definition(definition);
            }
        }
    }

    /// Checks a macro's body: it reads its arguments (holding what they are given, not
    /// known here) and the data, not the variables where it is called.
    fn macro_definition(&mut self, definition: &tera::ast::MacroDefinition) {
        let bound = std::mem::take(&mut self.bound);
        let varies = std::mem::take(&mut self.varies);
        let guarded = std::mem::take(&mut self.guarded);
        let loop_depth = std::mem::take(&mut self.loop_depth);
        let loop_sets = std::mem::take(&mut self.loop_sets);
        let set_in_ended_loop = std::mem::take(&mut self.set_in_ended_loop);
        // (By name: the same order whatever the map's.)
        let mut args: Vec<(&String, &Option<Expr>)> = definition.args.iter().collect();
        args.sort_by_key(|(name, _)| *name);
        for default in args.iter().filter_map(|(_, default)| default.as_ref()) {
            self.expr_tree(default);
        }
        for (name, _) in args {
            self.bound.insert(name.clone(), Shape::Any);
        }
        self.bind(&definition.body);
        self.nodes(&definition.body);
        self.bound = bound;
        self.varies = varies;
        self.guarded = guarded;
        self.loop_depth = loop_depth;
        self.loop_sets = loop_sets;
        self.set_in_ended_loop = set_in_ended_loop;
    }

    /// Checks a macro call (`m::row(v=v)`): its file imported, the macro defined there, each
    /// argument one it takes (another would be ignored) and each it needs given.
    fn macro_call(&mut self, call: &tera::ast::MacroCall) {
        let Ok(here) = self.tera.get_template(&self.source.name) else {
            return;
        };
        let written = format!("{}::{}", call.namespace, call.name);
        let file = match call.namespace.as_str() {
            "self" => Some(here),
            namespace => here
                .imported_macro_files
                .iter()
                .find(|(_, imported_as)| imported_as == namespace)
                .and_then(|(file, _)| self.tera.get_template(file).ok()),
        };
        let at = self.call_at(&written, false);
        let Some(file) = file else {
            let mut namespaces: Vec<&str> = here
                .imported_macro_files
                .iter()
                .map(|(_, imported_as)| imported_as.as_str())
                .collect();
            namespaces.push("self");
            let near = did_you_mean(&call.namespace, namespaces.iter().copied());
            let ns = &call.namespace;
            return self.report_at(
                at,
                &written,
                Text::new(
                    format!("宏调用「{written}」：模板没有导入名为「{ns}」的宏文件"),
                    format!("the macro call `{written}`: the template imports no macro file as `{ns}`"),
                ),
                Text::new(
                    format!("{}在模板开头写 {{% import \"_macros.md\" as {ns} %}}（文件名以 _ 开头）；本文件里定义的宏写 self::{}(…)", maybe_zh(near), call.name),
                    format!("{}write {{% import \"_macros.md\" as {ns} %}} at the template's start (a file name starting with _); a macro of this file is called as self::{}(…)", maybe_en(near), call.name),
                ),
            );
        };
        let Some(definition) = file.macros.get(&call.name) else {
            let mut names: Vec<&str> = file.macros.keys().map(String::as_str).collect();
            names.sort_unstable();
            let near = did_you_mean(&call.name, names.iter().copied());
            let (zh_list, en_list) = match names.is_empty() {
                true => ("（没有）".to_string(), "none".to_string()),
                false => (names.join("、"), names.join(", ")),
            };
            return self.report_at(
                at,
                &written,
                Text::new(
                    format!(
                        "宏调用「{written}」：{} 里没有宏「{}」",
                        file.name, call.name
                    ),
                    format!(
                        "the macro call `{written}`: {} has no macro `{}`",
                        file.name, call.name
                    ),
                ),
                Text::new(
                    format!("{}它定义的宏：{zh_list}", maybe_zh(near)),
                    format!("{}its macros: {en_list}", maybe_en(near)),
                ),
            );
        };
        let mut takes: Vec<&str> = definition.args.keys().map(String::as_str).collect();
        takes.sort_unstable();
        let mut given: Vec<&String> = call.args.keys().collect();
        given.sort();
        for arg in given
            .into_iter()
            .filter(|a| !definition.args.contains_key(*a))
        {
            let near = did_you_mean(arg, takes.iter().copied());
            self.report(
                &format!("{arg}="),
                Text::new(
                    format!("宏「{written}」没有参数「{arg}」：这样写会被忽略"),
                    format!("the macro `{written}` takes no argument `{arg}`: it would be ignored"),
                ),
                Text::new(
                    format!("{}它的参数：{}", maybe_zh(near), takes.join("、")),
                    format!("{}its arguments: {}", maybe_en(near), takes.join(", ")),
                ),
            );
        }
        let needed = takes
            .iter()
            .filter(|a| definition.args.get(**a).is_some_and(Option::is_none))
            .filter(|a| !call.args.contains_key(**a));
        for arg in needed {
            self.report_at(
                at,
                &written,
                Text::new(
                    format!("宏「{written}」少了参数「{arg}」（它没有默认值），生成这一页会失败"),
                    format!("the macro `{written}` is not given `{arg}` (it has no default value): the page would fail"),
                ),
                Text::new(
                    format!("写成 {written}({arg}=…)；它的参数：{}", takes.join("、")),
                    format!("write {written}({arg}=…); its arguments: {}", takes.join(", ")),
                ),
            );
        }
    }

    /// Checks the partial an `{% include %}` names (the first of `names` there is) with
    /// the variables here, where it is written; a name that is no template is an error
    /// unless the include says `ignore missing`.
    fn include(&mut self, names: &[String], ignore_missing: bool) {
        let Some(name) = names.iter().find(|n| self.tera.get_template(n).is_ok()) else {
            if !ignore_missing {
                self.missing_include(names);
            }
            return;
        };
        let Some(partial) = self.sources.iter().find(|s| s.name == *name) else {
            // A theme's template, not a content file.
            return;
        };
        if self.including.contains(name) {
            return;
        }
        let Ok(template) = self.tera.get_template(name) else {
            return;
        };
        let at = self.include_at(name);
        let mut included_at = vec![self.place(at)];
        included_at.extend(self.included_at.iter().cloned());
        let mut inner = Checker {
            tera: self.tera,
            top: self.top,
            named: self.named,
            // (Its `set`s stay inside it, as Tera renders an include.)
            bound: self.bound.clone(),
            loop_names: self.loop_names.clone(),
            varies: self.varies.clone(),
            source: partial,
            guarded: self.guarded.clone(),
            seen: HashMap::new(),
            problems: &mut *self.problems,
            searched: without_comments(&partial.template),
            sources: self.sources,
            including: self.including.clone(),
            included_at,
            loop_depth: self.loop_depth,
            loop_sets: Vec::new(),
            set_in_ended_loop: self.set_in_ended_loop.clone(),
        };
        inner.including.push(name.clone());
        inner.bind(&template.ast);
        inner.nodes(&template.ast);
    }

    /// The error for an include of a template that is not there.
    fn missing_include(&mut self, names: &[String]) {
        let name = names.first().map(String::as_str).unwrap_or_default();
        let partials: Vec<&str> = self
            .sources
            .iter()
            .filter(|s| super::pages::is_partial(&s.name))
            .filter(|s| s.front.as_ref().is_none_or(|f| f.generate.is_none()))
            .map(|s| s.name.as_str())
            .collect();
        let near = did_you_mean(name, partials.iter().copied());
        let (zh_list, en_list) = match partials.is_empty() {
            true => (
                "还没有（文件名以 _ 开头，或在 _ 开头的文件夹里）".to_string(),
                "none yet (a name starting with _, or in a folder whose name does)".to_string(),
            ),
            false => (partials.join("、"), partials.join(", ")),
        };
        self.report(
            &format!("\"{name}\""),
            Text::new(
                format!("{{% include %}} 的模板「{name}」不存在（路径从 content/ 算起）"),
                format!(
                    "{{% include %}} names `{name}`, which does not exist (paths start in content/)"
                ),
            ),
            Text::new(
                format!(
                    "{}content/ 里可以 include 的文件：{zh_list}",
                    maybe_zh(near)
                ),
                format!(
                    "{}the files of content/ to include: {en_list}",
                    maybe_en(near)
                ),
            ),
        );
    }

    /// Collects the names `nodes` bind, with the shapes of what they are bound to.
    fn bind(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::Set(_, set) => {
                    let shape = self.shape_of(&set.value);
                    if let ExprVal::Ident(ident) = &set.value.val
                        && let Some(Segment::Key(first)) = segments(ident).first()
                        && self.varies.contains(first)
                    {
                        self.varies.insert(set.key.clone());
                    }
                    self.bind_name(&set.key, shape);
                }
                Node::Forloop(_, forloop, _) => {
                    // A loop's names hold inside it only, as Tera renders a loop; the
                    // names its body sets are kept (a `set` in a loop is a slip of its own).
                    let outside = self.enter_loop(forloop);
                    self.bind(&forloop.body);
                    self.leave_loop(outside);
                    if let Some(body) = &forloop.empty_body {
                        self.bind(body);
                    }
                }
                Node::If(branches, _) => {
                    for (_, _, body) in &branches.conditions {
                        self.bind(body);
                    }
                    if let Some((_, body)) = &branches.otherwise {
                        self.bind(body);
                    }
                }
                Node::FilterSection(_, section, _) => self.bind(&section.body),
                Node::Block(_, block, _) => self.bind(&block.body),
                _ => {}
            }
        }
    }

    /// Binds a loop's names (`v`, or `k, v`) to what the loop goes over, for its body;
    /// returns what they held before, for [`Checker::leave_loop`].
    fn enter_loop(&mut self, forloop: &tera::ast::Forloop) -> Vec<(String, Option<Shape>)> {
        let container = self.shape_of(&forloop.container);
        let mut names = Vec::new();
        if let Some(key) = &forloop.key {
            names.push((key.clone(), Shape::Any));
            let value = match container {
                Shape::Files { item, .. } => *item,
                _ => Shape::Any,
            };
            names.push((forloop.value.clone(), value));
        } else {
            names.push((forloop.value.clone(), element(container)));
        }
        self.varies.insert(forloop.value.clone());
        names
            .into_iter()
            .map(|(name, shape)| {
                if !self.loop_names.contains(&name) {
                    self.loop_names.push(name.clone());
                }
                let before = self.bound.insert(name.clone(), shape);
                (name, before)
            })
            .collect()
    }

    /// Gives a loop's names back what they held before it: after a loop, its `v` names
    /// nothing (or the outer `v` again).
    fn leave_loop(&mut self, outside: Vec<(String, Option<Shape>)>) {
        for (name, before) in outside.into_iter().rev() {
            match before {
                Some(shape) => self.bound.insert(name, shape),
                None => self.bound.remove(&name),
            };
        }
    }

    fn bind_name(&mut self, name: &str, shape: Shape) {
        let shape = if self.bound.get(name).is_some_and(|old| *old != shape) {
            Shape::Any
        } else {
            shape
        };
        self.bound.insert(name.to_string(), shape);
    }

    /// What `expr` holds, as far as it can be told: a path, kept through filters that keep a
    /// list's items (`sort`, `filter` …).
    fn shape_of(&self, expr: &Expr) -> Shape {
        let ExprVal::Ident(ident) = &expr.val else {
            return Shape::Any;
        };
        if expr
            .filters
            .iter()
            .any(|f| !KEEP.contains(&f.name.as_str()))
        {
            return Shape::Any;
        }
        self.resolve(ident).unwrap_or(Shape::Any)
    }

    /// The shape of the value at `ident` (`v.registered.people`, `villages[page.id].name`);
    /// `None` where it names nothing (reported by [`Checker::path`]).
    fn resolve(&self, ident: &str) -> Option<Shape> {
        let segments = segments(ident);
        let (first, rest) = segments.split_first()?;
        let mut shape = match first {
            Segment::Key(name) => self.start(name)?,
            Segment::Element => return Some(Shape::Any),
        };
        for segment in rest {
            shape = match segment {
                Segment::Key(key) => field(&shape, key)?,
                Segment::Element => element(shape),
            };
        }
        Some(shape)
    }

    /// The shape of a path's first name.
    fn start(&self, name: &str) -> Option<Shape> {
        if BUILT_IN.contains(&name) {
            return Some(Shape::Any);
        }
        if let Some(shape) = self.bound.get(name) {
            return Some(shape.clone());
        }
        self.top
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, s)| s.clone())
    }

    /// Checks every expression of `nodes`. Inside an `if`, the paths its condition tests
    /// are guarded: a value there may be absent.
    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::VariableBlock(_, expr) => self.expr_tree(expr),
                Node::Set(_, set) => {
                    self.expr_tree(&set.value);
                    // (Counted at every `set` of the name: a problem is placed at its own.)
                    *self.seen.entry(set_seen(&set.key)).or_default() += 1;
                    self.set_in_ended_loop.remove(&set.key);
                    // `{% set total = total + 1 %}` in a loop: each round starts again from
                    // the value outside it (Tera's loop frame), and after it nothing changed.
                    if self.loop_depth > 0 && !set.global {
                        if super::deps::expr_names(&set.value).contains(&set.key) {
                            self.set_in_loop(&set.key);
                        } else {
                            let at = self.set_at(&set.key);
                            self.loop_sets.push((set.key.clone(), self.loop_depth, at));
                        }
                    }
                }
                Node::FilterSection(_, section, _) => {
                    let name = section.filter.name.as_str();
                    if !TERA_OWN_FILTERS.contains(&name) && self.tera.get_filter(name).is_err() {
                        self.unknown("过滤器", "filter", name);
                    }
                    section.filter.args.values().for_each(|e| self.expr_tree(e));
                    self.nodes(&section.body);
                }
                Node::Block(_, block, _) => self.nodes(&block.body),
                Node::Forloop(_, forloop, _) => {
                    self.expr_tree(&forloop.container);
                    self.loop_names(&forloop.container, forloop.key.as_deref(), &forloop.value);
                    // `for v in xs | filter(attribute="note", …)`: every v has its note.
                    let depth = self.guarded.len();
                    for filter in forloop
                        .container
                        .filters
                        .iter()
                        .filter(|f| f.name == "filter")
                    {
                        if let Some(ExprVal::String(attribute)) =
                            filter.args.get("attribute").map(|a| &a.val)
                        {
                            self.guarded.push(format!("{}.{attribute}", forloop.value));
                        }
                    }
                    let outside = self.enter_loop(forloop);
                    self.loop_depth += 1;
                    self.nodes(&forloop.body);
                    self.loop_depth -= 1;
                    while let Some((_, depth, _)) = self.loop_sets.last()
                        && *depth > self.loop_depth
                    {
                        if let Some((name, _, at)) = self.loop_sets.pop() {
                            self.set_in_ended_loop.insert(name, at);
                        }
                    }
                    self.leave_loop(outside);
                    // (`{% else %}` runs when the list is empty: no `v` there.)
                    if let Some(body) = &forloop.empty_body {
                        self.nodes(body);
                    }
                    self.guarded.truncate(depth);
                }
                Node::If(branches, _) => {
                    let mut tested = Vec::new();
                    for (_, condition, _) in &branches.conditions {
                        tested_paths(condition, &mut tested);
                    }
                    let tested: Vec<String> = tested.iter().map(|t| normal(&segments(t))).collect();
                    let depth = self.guarded.len();
                    self.guarded.extend(tested);
                    for (_, condition, body) in &branches.conditions {
                        self.expr_tree(condition);
                        self.nodes(body);
                    }
                    if let Some((_, body)) = &branches.otherwise {
                        self.nodes(body);
                    }
                    self.guarded.truncate(depth);
                }
                Node::Include(_, names, ignore_missing) => self.include(names, *ignore_missing),
                Node::MacroDefinition(_, definition, _) => self.macro_definition(definition),
                _ => {}
            }
        }
    }

    /// Checks `expr` and the expressions in it. `x | default(…)` guards `x`.
    fn expr_tree(&mut self, expr: &Expr) {
        let defaulted = match (&expr.val, expr.filters.first()) {
            (ExprVal::Ident(ident), Some(first)) if first.name == "default" => {
                Some(normal(&segments(ident)))
            }
            _ => None,
        };
        let depth = self.guarded.len();
        self.guarded.extend(defaulted);
        self.expr(expr);
        self.guarded.truncate(depth);
        for filter in &expr.filters {
            filter.args.values().for_each(|e| self.expr_tree(e));
        }
        match &expr.val {
            ExprVal::Math(m) => {
                // (Each side checked after it is read: its place is where it was met.)
                self.expr_tree(&m.lhs);
                self.expr_tree(&m.rhs);
                self.math_on_figure(m);
            }
            ExprVal::Logic(l) => {
                use tera::ast::LogicOperator as Op;
                // (Each side checked after it is read: its place is where it was met.)
                let op = (!matches!(l.operator, Op::And | Op::Or)).then(|| l.operator.to_string());
                for side in [&l.lhs, &l.rhs] {
                    self.expr_tree(side);
                    if let Some(op) = &op {
                        self.compared(side, op);
                    }
                }
            }
            ExprVal::In(i) => {
                self.expr_tree(&i.lhs);
                self.compared(&i.lhs, "in");
                self.expr_tree(&i.rhs);
            }
            ExprVal::Test(t) => t.args.iter().for_each(|e| self.expr_tree(e)),
            ExprVal::FunctionCall(f) => f.args.values().for_each(|e| self.expr_tree(e)),
            ExprVal::MacroCall(m) => m.args.values().for_each(|e| self.expr_tree(e)),
            ExprVal::Array(items) => items.iter().for_each(|e| self.expr_tree(e)),
            _ => {}
        }
    }

    /// Checks one expression (its nested expressions are visited on their own).
    fn expr(&mut self, expr: &Expr) {
        for filter in &expr.filters {
            if !TERA_OWN_FILTERS.contains(&filter.name.as_str())
                && self.tera.get_filter(&filter.name).is_err()
            {
                self.unknown("过滤器", "filter", &filter.name);
            }
            self.helper_args(&filter.name, true, filter.args.keys());
        }
        if let ExprVal::FunctionCall(call) = &expr.val {
            self.helper_args(&call.name, false, call.args.keys());
            if call.name == "chart" {
                self.chart_fields(&call.args);
            }
        }
        self.filter_attributes(expr);
        match &expr.val {
            ExprVal::Ident(ident) => {
                self.path(ident);
                // (After the path, which counts the places it is met at.)
                self.printed_unit(ident, expr);
            }
            ExprVal::Test(test) => {
                // `x is defined` asks whether x exists: not a mistake when it does not.
                if !["defined", "undefined"].contains(&test.name.as_str()) {
                    self.path(&test.ident);
                }
                if self.tera.get_tester(&test.name).is_err() {
                    self.unknown("测试", "test", &test.name);
                }
            }
            ExprVal::FunctionCall(call) if self.tera.get_function(&call.name).is_err() => {
                self.unknown("函数", "function", &call.name);
            }
            ExprVal::MacroCall(call) => self.macro_call(call),
            ExprVal::StringConcat(concat) => {
                for value in &concat.values {
                    if let ExprVal::Ident(ident) = value {
                        self.path(ident);
                    }
                }
            }
            _ => {}
        }
    }

    /// Reports the first segment of `ident` that names nothing, and checks the paths inside
    /// its brackets.
    fn path(&mut self, ident: &str) {
        for inner in super::deps::bracketed(ident) {
            if inner.starts_with(|c: char| c.is_alphabetic() || c == '_') {
                self.path(inner);
            }
        }
        *self.seen.entry(ident.to_string()).or_default() += 1;
        let segments = segments(ident);
        let Some((Segment::Key(first), rest)) = segments.split_first() else {
            return;
        };
        if let Some(&set_at) = self.set_in_ended_loop.get(first) {
            return self.read_after_loop_set(ident, first, set_at);
        }
        let Some(mut shape) = self.start(first) else {
            // `{% if notes is defined %}`: a file that may not be there.
            if self.is_guarded(first) {
                return;
            }
            if self.loop_names.contains(first) {
                return self.outside_loop(ident, first);
            }
            let mut bound: Vec<&str> = self.bound.keys().map(String::as_str).collect();
            bound.sort_unstable();
            let names: Vec<&str> = self
                .top
                .iter()
                .map(|(k, _)| k.as_str())
                .chain(bound)
                .chain(BUILT_IN.iter().copied().filter(|n| !n.starts_with('_')))
                .collect();
            let suggestion = did_you_mean(first, names.iter().copied());
            self.report(
                ident,
                Text::new(
                    format!("模板读取的「{first}」不存在：它不是数据的顶层名称，也不是模板里定义的变量"),
                    format!("the template reads `{first}`, which does not exist: it is no top-level data name nor a variable of the template"),
                ),
                Text::new(
                    format!("{}可以读的名称有：{}", maybe_zh(suggestion), names.join("、")),
                    format!("{}the names there are: {}", maybe_en(suggestion), names.join(", ")),
                ),
            );
            return;
        };
        let mut read = first.clone();
        let mut varies = self.varies.contains(first);
        for (step, segment) in rest.iter().enumerate() {
            // The path up to and with this step, as guards are written (`villages[*].note`).
            let here = normal(&segments[..step + 2]);
            let key = match segment {
                Segment::Key(key) => key,
                Segment::Element => {
                    varies = true;
                    read.push_str("[…]");
                    shape = element(shape);
                    continue;
                }
            };
            // An optional field of one of many records: some may lack it. (A single file's
            // page is rendered by `check`, which shows a field it lacks.)
            let optional = varies
                && matches!(&shape, Shape::Record { optional, .. } if optional.contains(key));
            let absent_file = matches!(
                &shape,
                Shape::Files { .. } | Shape::Record { folder: true, .. }
            );
            match field(&shape, key) {
                Some(next) => shape = next,
                // A file that is not there now may be when the test runs.
                None if absent_file && self.is_guarded(&here) => return,
                None => {
                    self.no_such_key(ident, &read, key, &shape);
                    return;
                }
            }
            read.push('.');
            read.push_str(key);
            if optional && !self.is_guarded(&here) {
                self.optional(ident, &read);
                return;
            }
        }
    }

    /// The error for `{% set total = total + … %}` inside a loop (not `set_global`): Tera
    /// starts each round from the value outside the loop, so a count or a sum made so is
    /// wrong on every row and, after the loop, is the value before it.
    #[cold]
    fn set_in_loop(&mut self, name: &str) {
        let at = self.set_at(name);
        let location = self.place(at);
        let problem = Diagnostic::error(
            "template-loop-set",
            Some(location),
            Text::new(
                format!("「{name}」在 for 循环里用 set 累加：Tera 的 set 在循环里只改这一轮的「{name}」，每一轮都从循环外的值重新算起，循环结束后「{name}」还是循环外的值"),
                format!("`{name}` is accumulated with set inside a for loop: in a loop, Tera's set changes this round's `{name}` only, every round starts again from the value outside the loop, and after the loop `{name}` is that value"),
            ),
        )
        .with_hint(Text::new(
            format!("写成 {{% set_global {name} = … %}}；计数和求和也可以不写循环，如 {{{{ villages_list | length }}}}（见 docs/templates.md）"),
            format!("write {{% set_global {name} = … %}}; counts and sums need no loop either, e.g. {{{{ villages_list | length }}}} (see docs/templates.md)"),
        ));
        self.push(problem);
    }

    /// The byte offset of `name` in the `{% set name = … %}` being checked (the last of that
    /// name met so far).
    fn set_at(&self, name: &str) -> Option<usize> {
        let found = set_places(&self.searched, name);
        let nth = self.seen.get(&set_seen(name)).copied().unwrap_or(1);
        found.get(nth.max(1) - 1).or(found.first()).copied()
    }

    /// The error for a name read after the loop that set it (`{% set found = v.name %}` in
    /// the loop, `{{ found }}` after `{% endfor %}`): it reads the value from before the
    /// loop, or nothing. Told once a name, with where the `set` is.
    #[cold]
    fn read_after_loop_set(&mut self, ident: &str, name: &str, set_at: Option<usize>) {
        self.set_in_ended_loop.remove(name);
        let location = self.place(self.needle_at(ident));
        let mut problem = Diagnostic::error(
            "template-loop-set",
            Some(location),
            Text::new(
                format!("「{name}」是在 for 循环里用 set 赋的值：Tera 的 set 在循环里只管这一轮，循环结束后这里读到的是循环前的「{name}」（没有就报错），不是循环里赋的值"),
                format!("`{name}` was given its value with set inside a for loop: in a loop, Tera's set holds for that round only, so after the loop this reads the `{name}` from before it (or fails when there is none), not the value set in the loop"),
            ),
        )
        .with_hint(Text::new(
            format!("在循环里写成 {{% set_global {name} = … %}}；找一个村用过滤器，不用循环，如 {{% set found = villages_list | filter(attribute=\"name\", value=\"横溪村\") | first %}}（见 docs/templates.md）"),
            format!("write {{% set_global {name} = … %}} in the loop; to find one village use a filter, not a loop, e.g. {{% set found = villages_list | filter(attribute=\"name\", value=\"横溪村\") | first %}} (see docs/templates.md)"),
        ));
        if set_at.is_some() {
            let place = self.place(set_at);
            problem
                .related
                .push((place, Text::new("在循环里赋值", "set in the loop here")));
        }
        self.push(problem);
    }

    /// The error for a loop's variable read outside its loop (`{{ v.name }}` after
    /// `{% endfor %}`), with where the loop is.
    #[cold]
    fn outside_loop(&mut self, ident: &str, name: &str) {
        let read_at = self.needle_at(ident);
        let location = self.place(read_at);
        let mut problem = Diagnostic::error(
            "template-path",
            Some(location),
            Text::new(
                format!("「{name}」是 for 循环的变量，只在循环里（{{% for %}} 到 {{% endfor %}} 之间）有值，这里在循环外"),
                format!("`{name}` is a for loop's variable: it holds a value only inside its loop (between {{% for %}} and {{% endfor %}}), and this is outside it"),
            ),
        )
        .with_hint(Text::new(
            format!("把读「{name}」的这一处移到循环里，或者改读数据里的名称"),
            format!("move this read of `{name}` into the loop, or read a name of the data instead"),
        ));
        if let Some(at) = loop_binding(&self.searched, name, read_at.unwrap_or(usize::MAX)) {
            let place = self.place(Some(at));
            problem
                .related
                .push((place, Text::new("循环在这里", "the loop is here")));
        }
        self.push(problem);
    }

    /// Whether the value at `path` (normalised, see [`normal`]) is tested before it is
    /// read: a tested path is it, or goes through it (`{% if v.support.unit %}` shows that
    /// `v.support` is there).
    fn is_guarded(&self, path: &str) -> bool {
        self.guarded.iter().any(|g| {
            g == path
                || g.strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
        })
    }

    /// The error for a figure of the data compared with `op` (`==`, `>`, `in` …): a figure is
    /// text that carries its source, so `v.exit_year == 2018` never holds and `>` fails the
    /// page; huibao's testers compare what it says.
    fn compared(&mut self, side: &Expr, op: &str) {
        let ExprVal::Ident(ident) = &side.val else {
            return;
        };
        if !side.filters.is_empty()
            || !matches!(self.resolve(ident), Some(Shape::Scalar(_, true, _)))
        {
            return;
        }
        let location = self.location(ident);
        let problem = Diagnostic::error(
            "template-compare",
            Some(location),
            Text::new(
                format!("模板用 {op} 比较数字「{ident}」：数字带着出处，是文本，这样比较的结果不对"),
                format!("the template compares the figure `{ident}` with {op}: a figure carries its source and is text, so the comparison is wrong"),
            ),
        )
        .with_hint(Text::new(
            format!("用测试来比较，例如 {{% if {ident} is same_as(100) %}}；还有 is gt(0)、ge、lt、le"),
            format!("compare with the testers, e.g. {{% if {ident} is same_as(100) %}}; also is gt(0), ge, lt, le"),
        ));
        self.push(problem);
    }

    /// The warning for an optional field read where a record may lack it.
    fn optional(&mut self, ident: &str, read: &str) {
        let location = self.location(ident);
        let problem = Diagnostic::new(
            crate::diagnostics::Severity::Warning,
            "template-optional",
            Some(location),
            Text::new(
                format!("模板读取「{ident}」：{read} 是可选字段（schema 里 optional: true），缺少它的记录会让这一页生成失败"),
                format!("the template reads `{ident}`: {read} is an optional field (optional: true in the schema); a record without it fails its page"),
            ),
        )
        .with_hint(Text::new(
            format!("用 {{% if {read} %}}…{{% endif %}} 包起来，或写 {{{{ {read} | default(value=\"\") }}}}"),
            format!("wrap it in {{% if {read} %}}…{{% endif %}}, or write {{{{ {read} | default(value=\"\") }}}}"),
        ));
        self.push(problem);
    }

    /// The error for `read.key`, which `shape` does not have.
    fn no_such_key(&mut self, ident: &str, read: &str, key: &str, shape: &Shape) {
        let (message, hint) = match shape {
            Shape::Files { what, .. }
            | Shape::Record {
                what, folder: true, ..
            } if let Some(FileNamed { id, field, text }) = (self.named)(read, key) => (
                no_file_with_id(ident, read, what, key),
                Text::new(
                    format!(
                        "「{text}」是 {id}.yaml 的 {field}；模板按文件名（不含 .yaml）读一个文件：写成 {read}.{id}"
                    ),
                    format!(
                        "`{text}` is the {field} of {id}.yaml; templates read a file by its file name (without .yaml): write {read}.{id}"
                    ),
                ),
            ),
            Shape::Record { what, fields, .. } => {
                let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
                let suggestion = did_you_mean(key, names.iter().copied());
                (
                    Text::new(
                        format!("模板读取「{ident}」：{read}（{what}）没有字段「{key}」"),
                        format!(
                            "the template reads `{ident}`: {read} ({what}) has no field `{key}`"
                        ),
                    ),
                    Text::new(
                        format!(
                            "{}它的字段有：{}（见 data/schema.yaml）",
                            maybe_zh(suggestion),
                            names.join("、")
                        ),
                        format!(
                            "{}its fields are: {} (see data/schema.yaml)",
                            maybe_en(suggestion),
                            names.join(", ")
                        ),
                    ),
                )
            }
            Shape::Files { what, ids, .. } => {
                let suggestion = did_you_mean(key, ids.iter().map(String::as_str));
                let shown: Vec<&str> = ids.iter().take(12).map(String::as_str).collect();
                (
                    no_file_with_id(ident, read, what, key),
                    Text::new(
                        format!(
                            "{}文件的 id 是文件名（不含 .yaml），例如：{}",
                            maybe_zh(suggestion),
                            shown.join("、")
                        ),
                        format!(
                            "{}a file's id is its name without .yaml, such as: {}",
                            maybe_en(suggestion),
                            shown.join(", ")
                        ),
                    ),
                )
            }
            Shape::List(_) => (
                Text::new(
                    format!("模板读取「{ident}」：{read} 是列表，没有「{key}」"),
                    format!("the template reads `{ident}`: {read} is a list and has no `{key}`"),
                ),
                Text::new(
                    "列表的项用 for 循环读，或写序号，例如 .0",
                    "read a list's items with a for loop, or by number such as .0",
                ),
            ),
            Shape::Scalar(kind, ..) => (
                Text::new(
                    format!("模板读取「{ident}」：{read} 是一个值（{kind}），没有字段「{key}」"),
                    format!(
                        "the template reads `{ident}`: {read} is a value ({kind}) and has no field `{key}`"
                    ),
                ),
                Text::new(
                    format!("去掉 .{key}，或检查 data/schema.yaml 里 {read} 的定义"),
                    format!("remove .{key}, or see how data/schema.yaml declares {read}"),
                ),
            ),
            Shape::Any => return,
        };
        self.report(ident, message, hint);
    }

    /// The error for an argument one of huibao's helpers (`name`, a filter or a function)
    /// does not take, with the closest it takes ([`HELPER_ARGS`]).
    fn helper_args<'n>(
        &mut self,
        name: &str,
        filter: bool,
        given: impl Iterator<Item = &'n String>,
    ) {
        let Some((_, _, takes)) = HELPER_ARGS
            .iter()
            .find(|(helper, is_filter, _)| *helper == name && *is_filter == filter)
        else {
            return;
        };
        // (Sorted: the same message for the same template, whatever the map's order.)
        let mut unknown: Vec<&String> =
            given.filter(|arg| !takes.contains(&arg.as_str())).collect();
        unknown.sort();
        for arg in unknown {
            let near = did_you_mean(arg, takes.iter().copied());
            let (zh_near, en_near) = (maybe_zh(near), maybe_en(near));
            // (`chart` refuses an unknown argument when drawn; the others would ignore it.)
            let (zh_why, en_why) = match name {
                "chart" => ("", ""),
                _ => ("：这样写会被忽略", ": it would be ignored"),
            };
            self.report(
                &format!("{arg}="),
                Text::new(
                    format!("「{name}」没有参数「{arg}」{zh_why}"),
                    format!("`{name}` takes no argument `{arg}`{en_why}"),
                ),
                Text::new(
                    format!("{zh_near}它的参数：{}", takes.join("、")),
                    format!("{en_near}its arguments: {}", takes.join(", ")),
                ),
            );
        }
    }

    /// Checks the fields a chart reads of each item of its `data` (`values="households"`):
    /// there, and holding numbers where it draws them ([`CHART_FIELDS`]).
    fn chart_fields(&mut self, args: &tera::HashMap<String, Expr>) {
        let Some(data) = args.get("data") else {
            return;
        };
        let item = element(self.shape_of(data));

        for (arg, numbers) in CHART_FIELDS {
            if let Some(written) = args.get(arg).and_then(literal) {
                // `values` names one field per series, `label` one field.
                let names = if arg == "label" {
                    vec![(0, written)]
                } else {
                    comma_separated(written)
                };
                let at = self.literal_at(arg, written);
                for (offset, name) in names.into_iter().filter(|(_, n)| !n.is_empty()) {
                    self.item_field("chart", arg, name, &item, numbers, at.map(|a| a + offset));
                }
            }
        }
    }

    /// Checks the `attribute` of the filters that read a field of each item of a list
    /// ([`ITEM_FILTERS`]: `villages_list | sort(attribute="registerd.people")`), the list's
    /// shape followed through the filters that keep its items.
    fn filter_attributes(&mut self, expr: &Expr) {
        let ExprVal::Ident(ident) = &expr.val else {
            return;
        };
        let Some(list) = self.resolve(ident) else {
            return;
        };
        for filter in &expr.filters {
            if ITEM_FILTERS.contains(&filter.name.as_str())
                && let Some(written) = filter.args.get("attribute").and_then(literal)
            {
                let at = self.literal_at("attribute", written);
                let item = element(list.clone());
                self.item_field(&filter.name, "attribute", written, &item, false, at);
            }
            if !KEEP.contains(&filter.name.as_str()) {
                return;
            }
        }
    }

    /// The error for `name`, a field of each item (`item`) that argument `arg` of `helper`
    /// reads, when the items have no such field, or when it must hold `numbers` and holds
    /// text. `at`: the byte offset of `name` in the template, when found.
    fn item_field(
        &mut self,
        helper: &str,
        arg: &str,
        name: &str,
        item: &Shape,
        numbers: bool,
        at: Option<usize>,
    ) {
        let mut shape = item.clone();
        let mut read: Vec<&str> = Vec::new();
        for key in name.split('.') {
            match field(&shape, key) {
                Some(next) => {
                    shape = next;
                    read.push(key);
                }
                None => {
                    let there: Vec<&str> = match &shape {
                        Shape::Record { fields, .. } => {
                            fields.iter().map(|(k, _)| k.as_str()).collect()
                        }
                        // (A list, a value or a folder's files: no field to offer.)
                        _ => Vec::new(),
                    };
                    let near = did_you_mean(key, there.iter().copied()).map(|near| {
                        let rest = name.split('.').skip(read.len() + 1);
                        read.iter()
                            .copied()
                            .chain([near])
                            .chain(rest)
                            .collect::<Vec<_>>()
                            .join(".")
                    });
                    let whose = match read.as_slice() {
                        [] => Text::new("每一项的字段有", "the items' fields are"),
                        path => {
                            let path = path.join(".");
                            Text::new(
                                format!("「{path}」的字段有"),
                                format!("the fields of `{path}` are"),
                            )
                        }
                    };
                    let what = match item {
                        Shape::Record { what, .. } if !what.is_empty() => format!("（{what}）"),
                        _ => String::new(),
                    };
                    let what_en = what.replace('（', " (").replace('）', ")");
                    let hint = if let Shape::Scalar(kind, ..) = &shape {
                        let path = read.join(".");
                        Text::new(
                            format!("「{path}」是一个值（{kind} 类型），没有下一级字段"),
                            format!("`{path}` is a value ({kind}) and has no fields"),
                        )
                    } else if there.is_empty() {
                        Text::new(
                            "见 data/schema.yaml 里数据的定义".to_string(),
                            "see how data/schema.yaml declares the data".to_string(),
                        )
                    } else {
                        Text::new(
                            format!(
                                "{}{}：{}（见 data/schema.yaml）",
                                maybe_zh(near.as_deref()),
                                whose.zh,
                                there.join("、")
                            ),
                            format!(
                                "{}{}: {} (see data/schema.yaml)",
                                maybe_en(near.as_deref()),
                                whose.en,
                                there.join(", ")
                            ),
                        )
                    };
                    let (items_zh, items_en) = match helper {
                        "chart" => ("数据", "its data"),
                        _ => ("列表", "the list"),
                    };
                    self.report_at(
                        at,
                        name,
                        Text::new(
                            format!("「{helper}」的 {arg} 读取「{name}」：{items_zh}的每一项{what}没有这个字段"),
                            format!("`{helper}`'s {arg} reads `{name}`: the items of {items_en}{what_en} have no such field"),
                        ),
                        hint,
                    );
                    return;
                }
            }
        }
        if let Shape::Scalar(kind, false, _) = shape
            && numbers
        {
            let mut numeric = Vec::new();
            number_paths(item, "", &mut numeric);
            self.report_at(
                at,
                name,
                Text::new(
                    format!("「{helper}」的 {arg} 读取「{name}」：它是 {kind} 类型，不是数字，画不成图"),
                    format!("`{helper}`'s {arg} reads `{name}`: it is {kind}, not a number, and cannot be drawn"),
                ),
                Text::new(
                    format!("{arg} 写数字字段，例如：{}", numeric.join("、")),
                    format!("name number fields in {arg}, such as: {}", numeric.join(", ")),
                ),
            );
        }
    }

    /// The error for a figure of the data a template reckons with (`township.population + 1`):
    /// a figure is text that carries its source, and Tera's arithmetic refuses it; huibao's
    /// functions reckon with figures, written out for this one.
    fn math_on_figure(&mut self, math: &tera::ast::MathExpr) {
        // The first side that is a figure (one error for `a / b`).
        let figure = [&math.lhs, &math.rhs]
            .into_iter()
            .find_map(|side| match &side.val {
                ExprVal::Ident(ident)
                    if side.filters.is_empty()
                        && matches!(self.resolve(ident), Some(Shape::Scalar(_, true, _))) =>
                {
                    Some(ident)
                }
                _ => None,
            });
        let Some(ident) = figure else {
            return;
        };
        use tera::ast::MathOperator as Op;
        let (a, b) = (written(&math.lhs), written(&math.rhs));
        let rewritten = match math.operator {
            Op::Add => Some(format!("sum(values=[{a}, {b}])")),
            Op::Sub => Some(format!("sub(a={a}, b={b})")),
            Op::Mul => Some(format!("mul(a={a}, b={b})")),
            Op::Div => Some(format!("div(a={a}, b={b}, dp=2)")),
            Op::Modulo => None,
        };
        let op = math.operator.to_string();
        let (zh_do, en_do) = match rewritten {
            Some(call) => (
                format!("写成 {{{{ {call} }}}}"),
                format!("write {{{{ {call} }}}}"),
            ),
            None => (String::new(), String::new()),
        };
        self.report_as(
            Severity::Error,
            "template-math",
            ident,
            Text::new(
                format!("模板用 {op} 计算数字「{ident}」：数字带着出处，是文本，不能直接算"),
                format!("the template reckons with the figure `{ident}` by {op}: a figure carries its source and is text, and cannot be reckoned with directly"),
            ),
            Text::new(
                format!("{zh_do}；huibao 的计算函数有 sum、sub、mul、div、rate（见 docs/templates.md），算出的数也带着出处"),
                format!("{en_do}; huibao's functions sum, sub, mul, div and rate reckon with figures (docs/templates.md), and their results carry the sources"),
            ),
        );
    }

    /// The error for a loop whose names do not fit what it loops over, which Tera refuses:
    /// one name over a folder's files or a record (`{% for v in villages %}`), two over a
    /// list (`{% for id, v in villages_list %}`).
    fn loop_names(&mut self, container: &Expr, key: Option<&str>, value: &str) {
        let ExprVal::Ident(ident) = &container.val else {
            return;
        };
        if !container.filters.is_empty() {
            return;
        }
        let shape = self.resolve(ident);
        // (Every loop's place counted, so that each is found at its own.)
        let at = self.loop_at(ident);
        if let Some(key) = key {
            if matches!(shape, Some(Shape::List(_))) {
                self.report_at(
                    at,
                    ident,
                    Text::new(
                        format!("「{ident}」是列表，循环只写一个变量（这里写了 {key}, {value}）"),
                        format!(
                            "`{ident}` is a list: its loop takes one name (here {key}, {value})"
                        ),
                    ),
                    Text::new(
                        format!("写成 {{% for {value} in {ident} %}}；要序号，读 loop.index"),
                        format!(
                            "write {{% for {value} in {ident} %}}; for the number, read loop.index"
                        ),
                    ),
                );
            }
            return;
        }
        let (zh, en) = match shape {
            Some(Shape::Files { .. }) => (
                format!("「{ident}」是一个文件夹里的文件（按 id），不是列表"),
                format!("`{ident}` is a folder's files by id, not a list"),
            ),
            Some(Shape::Record { .. }) => (
                format!("「{ident}」是一条记录（字段和值），不是列表"),
                format!("`{ident}` is a record (fields and values), not a list"),
            ),
            _ => return,
        };
        let list = format!("{ident}_list");
        let has_list = self.start(&list).is_some() && !ident.contains(['.', '[']);
        let (zh_do, en_do) = match has_list {
            true => (
                format!(
                    "要逐个读，写成 {{% for {value} in {list} %}}，或 {{% for id, {value} in {ident} %}}"
                ),
                format!(
                    "to read each, write {{% for {value} in {list} %}}, or {{% for id, {value} in {ident} %}}"
                ),
            ),
            false => (
                format!("要逐个读它的字段，写成 {{% for key, {value} in {ident} %}}"),
                format!("to read each field, write {{% for key, {value} in {ident} %}}"),
            ),
        };
        self.report_at(at, ident, Text::new(zh, en), Text::new(zh_do, en_do));
    }

    /// The byte offset of `ident` where a loop reads it (`in villages %}`), not inside a
    /// longer name (`villages_list`): its occurrence as often met as it was so far.
    fn loop_at(&mut self, ident: &str) -> Option<usize> {
        let template = &self.searched;
        let name_char = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
        let found: Vec<usize> = template
            .match_indices(ident)
            .map(|(at, _)| at)
            .filter(|&at| {
                let before = template[..at].trim_end_matches([' ', '\t']);
                let after = &template[at + ident.len()..];
                before.len() < at
                    && before.ends_with("in")
                    && !before[..before.len() - 2].ends_with(name_char)
                    && !after.starts_with(name_char)
            })
            .collect();
        self.nth_place(format!("in {ident}\u{0}loop"), &found)
    }

    /// The byte offset of a call of `name` as a function (`fig(`), or as a filter
    /// (`| rate`) when `filter`: its occurrence as often met as it was so far.
    fn call_at(&mut self, name: &str, filter: bool) -> Option<usize> {
        let template = &self.searched;
        let name_char = |c: char| c.is_alphanumeric() || c == '_';
        let called: Vec<usize> = template
            .match_indices(name)
            .map(|(at, _)| at)
            .filter(|&at| {
                let before = &template[..at];
                let after = &template[at + name.len()..];
                !before.ends_with(name_char)
                    && !after.starts_with(name_char)
                    && before.trim_end().ends_with('|') == filter
                    && (filter || after.starts_with('('))
            })
            .collect();
        self.nth_place(format!("{name}\u{0}{filter}"), &called)
    }

    /// The byte offset of the text of a string argument `arg="written"` in the template: its
    /// occurrence as often met as it was so far (the AST has no positions).
    fn literal_at(&mut self, arg: &str, written: &str) -> Option<usize> {
        let places = self.quoted_places(written, |before| {
            before.strip_suffix('=').is_some_and(|before| {
                before
                    .trim_end()
                    .strip_suffix(arg)
                    .is_some_and(|rest| !rest.ends_with(|c: char| c.is_alphanumeric() || c == '_'))
            })
        });
        self.nth_place(format!("{arg}=\u{0}{written}"), &places)
    }

    /// The byte offsets of the text `written` in quotes (any of Tera's three) whose
    /// template before it, trimmed, is `placed` (`arg =`, `include`): in the template's
    /// order, each at the text after its opening quote.
    fn quoted_places(&self, written: &str, placed: impl Fn(&str) -> bool) -> Vec<usize> {
        let template = &self.searched;
        let mut found = Vec::new();
        for quote in ['"', '\'', '`'] {
            let quoted = format!("{quote}{written}{quote}");
            for (at, _) in template.match_indices(&quoted) {
                if placed(template[..at].trim_end()) {
                    found.push(at + 1);
                }
            }
        }
        found.sort_unstable();
        found
    }

    /// Of `places` (byte offsets, in the template's order), the one met as often as `key`
    /// was met so far, this time counted; the first when there are fewer.
    fn nth_place(&mut self, key: String, places: &[usize]) -> Option<usize> {
        let seen = self.seen.entry(key).or_default();
        *seen += 1;
        places.get(*seen - 1).or(places.first()).copied()
    }

    /// The byte offset of the name of an include of `name` (`{% include "_row.md" %}`): its
    /// occurrence as often met as it was so far.
    fn include_at(&mut self, name: &str) -> Option<usize> {
        let places = self.quoted_places(name, |before| {
            before.ends_with("include") || before.ends_with('[') || before.ends_with(',')
        });
        self.nth_place(format!("include\u{0}{name}"), &places)
    }

    /// The place of byte `at` of the template (the file when not found).
    fn place(&self, at: Option<usize>) -> Location {
        match at {
            Some(at) => {
                let (line, col) = crate::diagnostics::line_col(&self.source.template, at);
                Location::new(&self.source.file, line, col)
            }
            None => Location::file(&self.source.file),
        }
    }

    /// `problem`, unless it was found already; in a partial, with where it is included (a
    /// problem found again through another include gets that place too).
    fn push(&mut self, mut problem: Diagnostic) {
        let includes = Text::new("由这里 include", "included here");
        let places = self
            .included_at
            .iter()
            .map(|at| (at.clone(), includes.clone()));
        let known = self.problems.iter_mut().find(|p| {
            p.code == problem.code && p.location == problem.location && p.message == problem.message
        });
        match known {
            Some(known) => {
                for place in places {
                    if !known.related.contains(&place) {
                        known.related.push(place);
                    }
                }
            }
            None => {
                problem.related.extend(places);
                self.problems.push(problem);
            }
        }
    }

    /// An error (`template-path`) at byte `at` of the template, or where `needle` is.
    fn report_at(&mut self, at: Option<usize>, needle: &str, message: Text, hint: Text) {
        let Some(at) = at else {
            return self.report(needle, message, hint);
        };
        let location = self.place(Some(at));
        let problem = Diagnostic::error("template-path", Some(location), message).with_hint(hint);
        self.push(problem);
    }

    /// A warning for a figure printed with another unit than its data's (`{{ e.aid.person_times
    /// | fig(unit="人") }}` of a field in 人次): the page would say what the data do not.
    fn printed_unit(&mut self, ident: &str, expr: &Expr) {
        let Some(fig) = expr.filters.first().filter(|f| f.name == "fig") else {
            return;
        };
        let Some(ExprVal::String(printed)) = fig.args.get("unit").map(|a| &a.val) else {
            return;
        };
        let Some(Shape::Scalar(_, true, Some(unit))) = self.resolve(ident) else {
            return;
        };
        if *printed != unit {
            self.report_as(
                Severity::Warning,
                "template-unit",
                ident,
                Text::new(
                    format!("「{ident}」的单位是「{unit}」，这里印成「{printed}」"),
                    format!("`{ident}` is in {unit}, printed here in {printed}"),
                ),
                Text::new(
                    format!("写成 fig(unit=\"{unit}\")；单位不同时先在数据里换算"),
                    format!("write fig(unit=\"{unit}\"); for another unit convert it in the data"),
                ),
            );
        }
    }

    /// The error for a filter, function or test Tera does not know, with the closest of
    /// the usual ones it knows (`figg`: `fig`).
    fn unknown(&mut self, zh: &str, en: &str, name: &str) {
        // A filter called as a function (`fig(v=…)`), or a function used as a filter.
        let (other, as_written) = match en {
            "function" => (
                self.tera.get_filter(name).is_ok(),
                format!("{{{{ 值 | {name}(…) }}}}"),
            ),
            "filter" => (
                self.tera.get_function(name).is_ok(),
                format!("{{{{ {name}(…) }}}}"),
            ),
            _ => (false, String::new()),
        };
        if other {
            let (zh_is, en_is) = match en {
                "function" => (
                    "过滤器，不是函数：写在值的后面",
                    "a filter, not a function: it follows a value",
                ),
                _ => (
                    "函数，不是过滤器：单独写",
                    "a function, not a filter: it stands alone",
                ),
            };
            let at = self.call_at(name, en == "filter");
            let as_written_en = as_written.replace("值", "value");
            return self.report_at(
                at,
                name,
                Text::new(
                    format!("「{name}」是{zh_is}"),
                    format!("`{name}` is {en_is}"),
                ),
                Text::new(
                    format!(
                        "写成 {as_written}，例如 {}；见 docs/templates.md",
                        helper_example(name)
                    ),
                    format!(
                        "write {as_written_en}, such as {}; see docs/templates.md",
                        helper_example(name)
                    ),
                ),
            );
        }
        let known = |candidate: &&str| match en {
            "filter" => self.tera.get_filter(candidate).is_ok(),
            "function" => self.tera.get_function(candidate).is_ok(),
            _ => self.tera.get_tester(candidate).is_ok(),
        };
        let usual: Vec<&str> = USUAL_HELPERS.into_iter().filter(known).collect();
        let near = did_you_mean(name, usual.into_iter());
        let (zh_near, en_near) = (maybe_zh(near), maybe_en(near));
        self.report(
            name,
            Text::new(
                format!("模板用了不存在的{zh}「{name}」"),
                format!("the template uses a {en} `{name}` that does not exist"),
            ),
            Text::new(
                format!("{zh_near}huibao 的模板函数和过滤器见 docs/templates.md；Tera 自带的见 https://keats.github.io/tera/docs/"),
                format!("{en_near}huibao's template helpers are in docs/templates.md; Tera's own at https://keats.github.io/tera/docs/"),
            ),
        );
    }

    /// An error (`template-path`) at `needle`, once.
    fn report(&mut self, needle: &str, message: Text, hint: Text) {
        self.report_as(Severity::Error, "template-path", needle, message, hint);
    }

    /// A problem of `severity` and `code` at `needle`, once.
    fn report_as(
        &mut self,
        severity: Severity,
        code: &'static str,
        needle: &str,
        message: Text,
        hint: Text,
    ) {
        let location = self.location(needle);
        let problem = Diagnostic::new(severity, code, Some(location), message).with_hint(hint);
        self.push(problem);
    }
}

impl Checker<'_> {
    /// Where `needle` is in the template: its occurrence as often met as it was so far,
    /// counting whole names inside tags only (`villages` is not in `villages_list`, `v.nme`
    /// not in `v.nme.x`, nor either in the text between the tags).
    fn location(&self, needle: &str) -> Location {
        self.place(self.needle_at(needle))
    }

    /// The byte offset where [`Checker::location`] places `needle`.
    fn needle_at(&self, needle: &str) -> Option<usize> {
        let nth = self.seen.get(needle).copied().unwrap_or(1).max(1);
        let text = &self.searched;
        let name_char = |c: char| c.is_alphanumeric() || c == '_';
        let (starts_name, ends_name) = (needle.starts_with(name_char), needle.ends_with(name_char));
        let whole: Vec<usize> = text
            .match_indices(needle)
            .map(|(at, _)| at)
            .filter(|&at| {
                // (A name going on before or after it is another name.)
                let longer_before = starts_name
                    && text[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| name_char(c) || c == '.');
                let longer_after = ends_name
                    && text[at + needle.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| name_char(c) || c == '.' || c == '[');
                !longer_before && !longer_after && in_tag(text, at) && !binds_at(text, at)
            })
            .collect();
        (whole.get(nth - 1).or(whole.first()).copied()).or_else(|| text.find(needle))
    }
}

/// The key under which [`Checker::seen`] counts the `set`s of `name` met so far.
fn set_seen(name: &str) -> String {
    format!("set {name}\u{0}set")
}

/// Each `{% … %}` tag of `template` ([`super::errors::tags`]): the byte offset of its first
/// word, and its text from there (`for v in villages_list %}`).
fn statements(template: &str) -> impl Iterator<Item = (usize, &str)> {
    super::errors::tags(template)
        .filter(|(_, tag)| tag.starts_with("{%"))
        .map(|(start, tag)| {
            let body = &tag[2..];
            let head = body.trim_start_matches(['-', ' ', '\t', '\n']);
            (start + 2 + body.len() - head.len(), head)
        })
}

/// The byte offsets of `name` in each `{% set name = … %}` of `template` (not `set_global`).
fn set_places(template: &str, name: &str) -> Vec<usize> {
    statements(template)
        .filter_map(|(at, head)| {
            let rest = head.strip_prefix("set ")?;
            let lead = rest.len() - rest.trim_start().len();
            let after = rest.trim_start().strip_prefix(name)?.trim_start();
            (after.starts_with('=') && !after.starts_with("==")).then_some(at + 4 + lead)
        })
        .collect()
}

/// The byte offset of `name` where the last loop of `template` that binds it before byte
/// `before` does (`{% for v in`, `{% for k, v in`), or else the first that does.
fn loop_binding(template: &str, name: &str, before: usize) -> Option<usize> {
    let found: Vec<usize> = statements(template)
        .filter_map(|(at, head)| {
            let names = head.strip_prefix("for ")?;
            let names = &names[..names.find(" in ")?];
            let mut offset = at + 4;
            for part in names.split(',') {
                if part.trim() == name {
                    return Some(offset + part.len() - part.trim_start().len());
                }
                offset += part.len() + 1;
            }
            None
        })
        .collect();
    found
        .iter()
        .rev()
        .find(|&&at| at < before)
        .or(found.first())
        .copied()
}

/// Whether byte `at` of `template` is a name a tag binds, not one it reads: a loop's
/// `v` (`{% for k, v in`), a `{% set t =`'s `t`.
fn binds_at(template: &str, at: usize) -> bool {
    let Some(open) = template[..at].rfind("{%") else {
        return false;
    };
    let head = template[open + 2..at].trim_start_matches(['-', ' ', '\t', '\n']);
    if let Some(names) = head.strip_prefix("for ") {
        return !names.contains(" in ");
    }
    ["set ", "set_global "].iter().any(|keyword| {
        head.strip_prefix(keyword)
            .is_some_and(|rest| rest.trim().is_empty())
    })
}

/// Whether byte `at` of `template` is inside a `{{ }}` or `{% %}` tag.
fn in_tag(template: &str, at: usize) -> bool {
    let before = &template[..at];
    let opened = before.rfind("{{").max(before.rfind("{%"));
    let closed = before.rfind("}}").max(before.rfind("%}"));
    opened.is_some_and(|open| closed.is_none_or(|close| close < open))
}

/// `template` with its `{# comments #}` blanked out, byte for byte (offsets stay valid).
fn without_comments(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{#") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("#}")
            .map_or(rest.len(), |e| start + e + 2);
        out.extend(std::iter::repeat_n(' ', end - start));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The paths of the fields of `shape` that hold numbers, nested records' too
/// (`registered.households`), each after `prefix`.
fn number_paths(shape: &Shape, prefix: &str, out: &mut Vec<String>) {
    let Shape::Record { fields, .. } = shape else {
        return;
    };
    for (key, field) in fields {
        match field {
            Shape::Scalar(_, true, _) => out.push(format!("{prefix}{key}")),
            Shape::Record { .. } => number_paths(field, &format!("{prefix}{key}."), out),
            _ => {}
        }
    }
}

/// An expression as a template would write it, where it is a plain one (a path, a number,
/// a text); `…` for the others.
fn written(expr: &Expr) -> String {
    if !expr.filters.is_empty() {
        return "…".to_string();
    }
    match &expr.val {
        ExprVal::Ident(ident) => ident.clone(),
        ExprVal::Int(n) => n.to_string(),
        ExprVal::Float(n) => n.to_string(),
        ExprVal::String(text) => format!("\"{text}\""),
        _ => "…".to_string(),
    }
}

/// How one of huibao's helpers is written, for a message that says it is written the other
/// way.
pub(super) fn helper_example(name: &str) -> String {
    match name {
        "fig" => "{{ township.population | fig(unit=\"人\") }}".to_string(),
        "round" => "{{ x | round(precision=2) }}".to_string(),
        "truncate" => "{{ x | truncate(length=10) }}".to_string(),
        "default" => "{{ x | default(value=\"—\") }}".to_string(),
        "sum" => "{{ sum(values=[a, b]) }}".to_string(),
        "sub" | "mul" => format!("{{{{ {name}(a=…, b=…) }}}}"),
        "div" => "{{ div(a=…, b=…, dp=2) }}".to_string(),
        "rate" => "{{ rate(num=…, den=…, dp=1) }}".to_string(),
        _ => format!("{{{{ {name}(…) }}}}"),
    }
}

/// The text of a string literal argument (`values="households"`), not a computed one.
fn literal(expr: &Expr) -> Option<&str> {
    match &expr.val {
        ExprVal::String(text) if expr.filters.is_empty() => Some(text),
        _ => None,
    }
}

/// The names of a comma-separated list (`"households, people"`), trimmed, each with its
/// byte offset in the list.
fn comma_separated(list: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for part in list.split(',') {
        let trimmed = part.trim_start();
        out.push((start + part.len() - trimmed.len(), trimmed.trim_end()));
        start += part.len() + 1;
    }
    out
}

fn maybe_zh(suggestion: Option<&str>) -> String {
    suggestion.map_or(String::new(), |s| format!("是不是「{s}」？"))
}

fn maybe_en(suggestion: Option<&str>) -> String {
    suggestion.map_or(String::new(), |s| format!("did you mean `{s}`? "))
}

/// The paths an `if` condition tests before its branch reads them: a plain path (`if x`,
/// `if not x`: a missing value is false), the subject of `is defined` / `is undefined`, and
/// both sides of `and`. A comparison or a test fails on a missing value, and `or` may take
/// its branch without it: they guard nothing.
fn tested_paths(expr: &Expr, found: &mut Vec<String>) {
    match &expr.val {
        ExprVal::Ident(ident) if expr.filters.is_empty() => found.push(ident.clone()),
        ExprVal::Test(test) if ["defined", "undefined"].contains(&test.name.as_str()) => {
            found.push(test.ident.clone())
        }
        ExprVal::Logic(logic) if logic.operator == tera::ast::LogicOperator::And => {
            tested_paths(&logic.lhs, found);
            tested_paths(&logic.rhs, found);
        }
        _ => {}
    }
}

/// A path as guards and reads are compared: `v["note"]` is `v.note`, `xs[i]` is `xs[*]`.
fn normal(segments: &[Segment]) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Element => out.push_str("[*]"),
        }
    }
    out
}

/// A step of a path: `.name` (or `["name"]`, `[0]`), or an element picked by a value.
#[derive(Debug, PartialEq)]
enum Segment {
    Key(String),
    Element,
}

/// The steps of a Tera path: `villages[page.id].name` → `villages`, element, `name`.
fn segments(ident: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = ident.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !current.is_empty() {
                    out.push(Segment::Key(std::mem::take(&mut current)));
                }
            }
            '[' => {
                if !current.is_empty() {
                    out.push(Segment::Key(std::mem::take(&mut current)));
                }
                let mut inner = String::new();
                let mut depth = 0;
                for c in chars.by_ref() {
                    match c {
                        ']' if depth == 0 => break,
                        ']' => depth -= 1,
                        '[' => depth += 1,
                        _ => {}
                    }
                    inner.push(c);
                }
                let inner = inner.trim();
                let quoted = inner
                    .strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .or_else(|| inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')));
                match quoted {
                    Some(key) => out.push(Segment::Key(key.to_string())),
                    None if inner.parse::<usize>().is_ok() => {
                        out.push(Segment::Key(inner.to_string()))
                    }
                    None => out.push(Segment::Element),
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(Segment::Key(current));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comma_separated_list_keeps_each_name_s_place() {
        assert_eq!(
            comma_separated("households, people ,x"),
            [(0, "households"), (12, "people"), (20, "x")]
        );
        assert_eq!(comma_separated("name"), [(0, "name")]);
    }

    #[test]
    fn paths_split_into_steps() {
        let key = |k: &str| Segment::Key(k.to_string());
        assert_eq!(
            segments("villages[page.id].name"),
            [key("villages"), Segment::Element, key("name")]
        );
        assert_eq!(
            segments("v.exits[0][\"people\"]"),
            [key("v"), key("exits"), key("0"), key("people")]
        );
        assert_eq!(
            super::super::deps::bracketed("villages[page.id].x[v.k]"),
            ["page.id", "v.k"]
        );
    }
}

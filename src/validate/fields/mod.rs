//! Checks every data file against its schema: types, units, ranges, required and unknown
//! fields, references and uniqueness. Values written with a convertible unit (`342元` in a
//! field declared in 万元) are converted exactly; the checked data is what templates see.

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;
use std::sync::Arc;

mod number;
mod text;

use super::schema::{DataName, Field, FileSchema, Kind, Schema, did_you_mean, matches_name};
use super::units;
use crate::diagnostics::{Diagnostic, Location, Severity, Text};
use crate::load::{Data, DataFile, Key, Node, Value};
use unicode_normalization::UnicodeNormalization;

/// Checks `data` against `schema`; returns the data with units converted. Files are checked
/// on every core; their problems come in file order. With a `cache` (the preview's), a file
/// checked by the last call with the same schema and the same files is not checked again.
pub fn check(
    schema: &Schema,
    data: &Data,
    problems: &mut Vec<Diagnostic>,
    mut cache: Option<&mut Cache>,
) -> Data {
    use rayon::prelude::*;
    let ids = folder_ids(data.files.iter().map(|f| f.key_path.as_slice()));
    let reusable = cache
        .as_deref()
        .filter(|c| c.schema.as_ref() == Some(schema) && c.ids == ids);
    let last_build = reusable.map(|c| {
        crate::load::LastBuild::new(&c.files, data.files.len(), |done: &Checked| {
            Some(&*done.loaded)
        })
    });
    let earlier = |index: usize, file: &Arc<DataFile>| -> Option<&Checked> {
        let done = last_build.as_ref()?.get(index, &file.path)?;
        Arc::ptr_eq(&done.loaded, file).then_some(done)
    };
    let progress = crate::progress::Progress::new("检查 check", data.files.len());
    let results: Vec<(Arc<DataFile>, Vec<Diagnostic>)> = data
        .files
        .par_iter()
        .enumerate()
        .with_min_len(64)
        .map(|(index, file)| {
            progress.tick();
            if let Some(done) = earlier(index, file) {
                return (done.checked.clone(), done.problems.clone());
            }
            let mut found = Vec::new();
            let checked = check_file(schema, file, &ids, &mut found);
            (checked, found)
        })
        .collect();
    progress.finish();
    // The unique values the last build compared, while the schema is the same.
    let last_unique = match cache.as_deref_mut() {
        Some(cache) if cache.schema.as_ref() == Some(schema) => {
            Some(std::mem::take(&mut cache.unique))
        }
        _ => None,
    };
    let mut checked = Vec::with_capacity(results.len());
    let mut kept = Vec::with_capacity(if cache.is_some() { results.len() } else { 0 });
    for ((file, found), loaded) in results.into_iter().zip(&data.files) {
        checked.push(file.clone());
        if cache.is_some() {
            kept.push(Checked {
                loaded: loaded.clone(),
                checked: file,
                problems: found.clone(),
            });
        }
        problems.extend(found);
    }
    let checked = Data { files: checked };
    let unique = unique_across_files_with(schema, &checked, problems, last_unique);
    if let Some(cache) = cache {
        cache.files = kept;
        cache.unique = unique;
        cache.schema = Some(schema.clone());
        cache.ids = ids;
    }
    checked
}

/// The files checked by the last build of the preview, reused by the next one for every file
/// that did not change (a one-village correction checks one file of 10,000).
#[derive(Debug, Default)]
pub struct Cache {
    /// The schema they were checked against.
    schema: Option<Schema>,
    /// Every folder's file ids then (references are checked against them).
    ids: HashMap<String, Vec<String>>,
    /// In the order of the data: the file as loaded (compared by pointer: the load cache
    /// shares unchanged files), as checked, and its problems.
    files: Vec<Checked>,
    /// The values compared by `unique: true` fields, each file's (see [`UniqueKeys`]).
    unique: UniqueKeys,
}

/// One file as the last build checked it (see [`Cache`]).
#[derive(Debug)]
struct Checked {
    loaded: Arc<DataFile>,
    checked: Arc<DataFile>,
    problems: Vec<Diagnostic>,
}

/// One file checked against its schema entry (as it is, when it has none: a problem).
pub(crate) fn check_file(
    schema: &Schema,
    file: &std::sync::Arc<DataFile>,
    ids: &HashMap<String, Vec<String>>,
    problems: &mut Vec<Diagnostic>,
) -> std::sync::Arc<DataFile> {
    let Some(file_schema) = schema_for(schema, &file.path) else {
        // A file saved as `.yml` the schema knows as `.yaml`: the name to give it.
        let as_yaml = file.path.with_extension("yaml");
        if file.path.extension().is_some_and(|ext| ext == "yml")
            && schema_for(schema, &as_yaml).is_some()
        {
            let name = crate::site_path::slashed(&as_yaml);
            problems.push(
                Diagnostic::error(
                    "schema-no-entry",
                    Some(Location::file(&file.path)),
                    Text::new(
                        "data/schema.yaml 描述的是 .yaml 文件，这个文件的扩展名是 .yml",
                        "data/schema.yaml describes .yaml files: this file ends in .yml",
                    ),
                )
                .with_hint(Text::new(
                    format!("把文件改名为 {name}"),
                    format!("rename the file {name}"),
                )),
            );
            return file.clone();
        }
        let patterns: Vec<&str> = schema.files.iter().map(|f| f.pattern.as_str()).collect();
        problems.push(
            Diagnostic::error(
                "schema-no-entry",
                Some(Location::file(&file.path)),
                Text::new("data/schema.yaml 里没有这个文件的定义", "data/schema.yaml does not describe this file"),
            )
            .with_hint(Text::new(
                format!("在 schema 的 files 下加上它（已有：{}），或把文件放到已定义的文件夹", patterns.join("、")),
                format!("add it under files in the schema (there are: {}), or move it into a folder the schema describes", patterns.join(", ")),
            )),
        );
        return file.clone();
    };
    let mut checker = Checker {
        file: &file.path,
        ids,
        problems,
    };
    // Most files have nothing to convert: the file as loaded is shared, not held twice.
    let Some(root) = checker.record(&file_schema.fields, &file.root, &FieldPath::Root) else {
        return file.clone();
    };
    std::sync::Arc::new(DataFile::with_fingerprint(
        file.path.clone(),
        file.key_path.clone(),
        root,
        file.fingerprint().to_string(),
    ))
}

/// `node` with the value `value` the check made of it, when that is not the value as
/// written (a number with another sign or scale, `1.10` for `1.1`, is not the same).
fn changed(node: &Node, value: Value) -> Option<Node> {
    let same = match (&node.value, &value) {
        (Value::Number(a), Value::Number(b)) => a.serialize() == b.serialize(),
        (a, b) => a == b,
    };
    (!same).then_some(Node {
        value,
        line: node.line,
        col: node.col,
    })
}

/// The schema entry for `path`: an exact pattern first, else the first matching one.
pub fn schema_for<'s>(schema: &'s Schema, path: &Path) -> Option<&'s FileSchema> {
    let name = crate::validate::schema::DataName::of(path);
    let matches = |f: &&FileSchema| crate::validate::schema::matches_name(&f.pattern, &name);
    schema
        .files
        .iter()
        .filter(|f| !f.pattern.contains('*'))
        .find(matches)
        .or_else(|| schema.files.iter().find(matches))
}

/// Folder name (`villages`, `a.b`) → ids of its files.
pub(crate) fn folder_ids<'k>(
    key_paths: impl Iterator<Item = &'k [String]>,
) -> HashMap<String, Vec<String>> {
    // The files come in path order: a folder's are side by side, its name joined once.
    let mut runs: Vec<(&[String], Vec<String>)> = Vec::new();
    for key_path in key_paths {
        if let Some((id, folders)) = key_path.split_last()
            && !folders.is_empty()
        {
            match runs.last_mut() {
                Some((last, ids)) if *last == folders => ids.push(id.clone()),
                _ => runs.push((folders, vec![id.clone()])),
            }
        }
    }
    let mut ids: HashMap<String, Vec<String>> = HashMap::default();
    for (folders, run) in runs {
        ids.entry(folders.join(".")).or_default().extend(run);
    }
    ids
}

struct Checker<'a> {
    file: &'a Path,
    ids: &'a HashMap<String, Vec<String>>,
    problems: &'a mut Vec<Diagnostic>,
}

/// The field of `fields` named `name`. Files mostly list their fields in the schema's order:
/// the one after the field found last (`next`) is tried first.
pub(crate) fn schema_field<'f>(
    fields: &'f [(String, Field)],
    name: &str,
    next: &mut usize,
) -> Option<&'f (String, Field)> {
    let at = match fields.get(*next) {
        Some((field, _)) if field == name => *next,
        _ => fields.iter().position(|(field, _)| field == name)?,
    };
    *next = at + 1;
    fields.get(at)
}

/// The line to write for the key `name` holding `value` (`people: 468`; `people:` when the
/// value is no single one).
fn key_written(name: &str, value: &Node) -> String {
    match value.value.scalar_text() {
        Some(v) => format!("{name}: {v}"),
        None => format!("{name}:"),
    }
}

/// The field whose label a key in Chinese cuts short (`退出年度` of 退出贫困村年度: each of
/// its characters there, in order), when only one field's label does.
fn label_cut_short(fields: &[(String, Field)], written: &str) -> Option<usize> {
    if written.is_ascii() {
        return None;
    }
    let holds = |label: &str| {
        let mut rest = label.chars();
        written.chars().all(|c| rest.any(|l| l == c))
    };
    let mut found = fields
        .iter()
        .enumerate()
        .filter(|(_, (_, f))| f.label.as_deref().is_some_and(holds))
        .map(|(at, _)| at);
    match (found.next(), found.next()) {
        (Some(at), None) => Some(at),
        _ => None,
    }
}

/// How a field is named in messages: `建档立卡贫困户（registered.households）`.
/// A field's name in messages, in Chinese and in English. Written only when a message needs
/// it: most values have none, and a site of 10,000 villages checks a million.
fn name_of<'f>(
    field: &'f Field,
    path: &'f dyn std::fmt::Display,
) -> (FieldName<'f>, FieldName<'f>) {
    let name = |zh| FieldName {
        field,
        path,
        zh,
        text: std::cell::OnceCell::new(),
    };
    (name(true), name(false))
}

/// See [`name_of`].
pub(super) struct FieldName<'f> {
    field: &'f Field,
    path: &'f dyn std::fmt::Display,
    zh: bool,
    text: std::cell::OnceCell<String>,
}

impl std::ops::Deref for FieldName<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        self.text.get_or_init(|| {
            let path = self.path;
            match (&self.field.label, self.zh) {
                (Some(label), true) => format!("「{label}」（{path}）"),
                (Some(label), false) => format!("`{path}` ({label})"),
                (None, true) => format!("「{path}」"),
                (None, false) => format!("`{path}`"),
            }
        })
    }
}

impl std::fmt::Display for FieldName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

/// Where a value is in its file (`registered.households`, `exits.0.year`): written out
/// only when a message names it (a site of 10,000 villages checks a million values).
#[derive(Clone, Copy)]
pub(super) enum FieldPath<'p> {
    /// The file's top-level mapping.
    Root,
    /// The value of a key of the mapping at a path.
    Key(&'p FieldPath<'p>, &'p str),
    /// An item of the list at a path.
    Item(&'p FieldPath<'p>, usize),
}

impl FieldPath<'_> {
    /// The last part of the path (`households`).
    pub(super) fn last(&self) -> String {
        match self {
            FieldPath::Root => String::new(),
            FieldPath::Key(_, key) => key.to_string(),
            FieldPath::Item(_, item) => item.to_string(),
        }
    }
}

impl std::fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (parent, part): (_, &dyn std::fmt::Display) = match self {
            FieldPath::Root => return Ok(()),
            FieldPath::Key(parent, key) => (parent, key),
            FieldPath::Item(parent, item) => (parent, item),
        };
        match parent {
            FieldPath::Root => write!(f, "{part}"),
            parent => write!(f, "{parent}.{part}"),
        }
    }
}

/// The value in `field`'s unit of `text` written with `万` or `亿` as a multiplier
/// (`0.468万` in 人 is 4680; `580.25万` in 万元 is 580.25), exactly; `None` when it is not
/// one, or its unit is not the field's.
pub(super) fn meant_with_multiplier(field: &Field, text: &str) -> Option<rust_decimal::Decimal> {
    let (number, times, _, rest) = super::slips::with_multiplier(text)?;
    let whole = number.checked_mul(times)?;
    let unit = field.unit.as_deref().unwrap_or_default();
    let meant = match units::family(unit) {
        Some(family) => {
            let from = if rest.is_empty() {
                units::base(family)
            } else {
                rest
            };
            units::convert(whole, from, unit)?
        }
        None if rest.is_empty() || rest == unit => whole,
        None => return None,
    };
    Some(meant.normalize())
}

impl Checker<'_> {
    /// Text where a number is expected, with a hint for the usual slips: the number meant
    /// named where it can be (`二〇一八` → 2018, `0.468万` → 4680), exactly.
    fn text_not_number(&mut self, field: &Field, node: &Node, name: (&str, &str), text: &str) {
        let unit = field.unit.as_deref().unwrap_or_default();
        let numeral = super::slips::chinese_numeral(text.trim()).filter(|(_, rest)| {
            rest.is_empty() || *rest == unit || (field.kind == Kind::Year && *rest == "年")
        });
        let hint = if text.contains([',', '，']) {
            Text::new(
                "去掉千位分隔符（逗号），例如 1841",
                "remove the thousands separators (commas), e.g. 1841",
            )
        } else if units::split_number_unit(text)
            .is_some_and(|(_, unit)| unit.starts_with(|c: char| c.is_ascii_digit()))
        {
            Text::new(
                "去掉数字中间的空格，例如 1 841 写成 1841",
                "remove the spaces inside the number, e.g. 1 841 as 1841",
            )
        } else if let Some((value, _)) = numeral {
            Text::new(
                format!("用阿拉伯数字写：「{text}」写成 {value}"),
                format!("write it in digits: `{text}` as {value}"),
            )
        } else if let Some(meant) = meant_with_multiplier(field, text) {
            Text::new(
                format!("「{text}」即 {meant}{unit}：写成 {meant}"),
                format!("`{text}` is {meant}{unit}: write {meant}"),
            )
        } else if text.contains('万') {
            Text::new(
                "写出完整的数，例如 5.7万 写成 57000",
                "write the number out, e.g. 5.7万 as 57000",
            )
        } else if super::slips::is_none_word(text) {
            Text::new(
                "是 0 就写 0；确实没有这个数，删去这一项，并在 schema 里把它标为 optional: true",
                "write 0 if it is zero; if there truly is no such figure, remove the entry and mark the field optional: true in the schema",
            )
        } else if crate::load::looks_like_decimal(text.trim()) {
            Text::new("写一个数字，不加引号", "write a number, without quotes")
        } else if unit.is_empty() {
            Text::new("只写阿拉伯数字", "write the number in digits")
        } else {
            Text::new(
                format!("只写阿拉伯数字（后面可带单位「{unit}」）"),
                format!("write the number in digits (its unit `{unit}` may follow)"),
            )
        };
        self.report(
            "type",
            node,
            format!("{}应是数字，这里是文本「{text}」", name.0),
            format!("{} must be a number, found the text `{text}`", name.1),
            Some(hint),
        );
    }

    /// A value of the wrong kind: "{name} must be {expected}, found a {kind}".
    fn wrong_kind(
        &mut self,
        node: &Node,
        name: (&str, &str),
        expected: (&str, &str),
        hint: Option<Text>,
    ) {
        self.report(
            "type",
            node,
            format!("{}应是{}，这里是{}", name.0, expected.0, node.kind().zh),
            format!(
                "{} must be {}, found a {}",
                name.1,
                expected.1,
                node.kind().en
            ),
            hint,
        );
    }

    fn report(
        &mut self,
        code: &'static str,
        node: &Node,
        zh: String,
        en: String,
        hint: Option<Text>,
    ) {
        let mut d = Diagnostic::error(code, Some(node.location(self.file)), Text::new(zh, en));
        d.hint = hint;
        self.problems.push(d);
    }

    /// A record checked; `Some` only when a value in it was converted (see [`changed`]).
    fn record(
        &mut self,
        fields: &[(String, Field)],
        node: &Node,
        path: &FieldPath<'_>,
    ) -> Option<Node> {
        let Value::Map(entries) = &node.value else {
            let (zh_name, en_name) = if matches!(path, FieldPath::Root) {
                ("文件".to_string(), "the file".to_string())
            } else {
                (format!("「{path}」"), format!("`{path}`"))
            };
            self.wrong_kind(
                node,
                (&zh_name, &en_name),
                ("「键: 值」映射", "a mapping"),
                None,
            );
            return None;
        };
        let mut converted: Vec<Option<Node>> = Vec::new();
        let mut next_field = 0;
        // Each schema field's value in this record, found while reading its entries (not
        // looked for again, field by field, among them).
        let mut present: Vec<Option<&Node>> = vec![None; fields.len()];
        // The fields an unknown key was told to be meant as, by their place (their missing
        // is not said again). Empty, with nothing allocated, in most records.
        let mut meant: Vec<usize> = Vec::new();
        for (at, (key, value)) in entries.iter().enumerate() {
            match schema_field(fields, &key.name, &mut next_field) {
                Some((_, field)) => {
                    // (`next_field` is one past the field found.)
                    if let Some(slot) = present.get_mut(next_field - 1) {
                        *slot = Some(value);
                    }
                    if let Some(value) = self.value(field, value, &FieldPath::Key(path, &key.name))
                    {
                        converted.resize(at, None);
                        converted.push(Some(value));
                    }
                }
                None => {
                    if let Some(d) = self.dedented_key(fields, &entries[..at], key, value, path) {
                        self.problems.push(d);
                        continue;
                    }
                    let names = fields.iter().map(|(n, _)| n.as_str());
                    // A key written as the field's label (`户数: 68` for `households`, the
                    // label the clerk reads on the page), else spelt near a field's name.
                    let written = key.name.trim();
                    let by_label = fields
                        .iter()
                        .position(|(_, f)| f.label.as_deref().map(str::trim) == Some(written));
                    let near = did_you_mean(&key.name, names);
                    // Else the label cut short (`退出年度` for 退出贫困村年度).
                    let in_label = match (by_label, near) {
                        (None, None) => label_cut_short(fields, written),
                        _ => None,
                    };
                    let meant_at = by_label.or(in_label).or_else(|| {
                        near.and_then(|near| fields.iter().position(|(n, _)| n == near))
                    });
                    meant.extend(meant_at);
                    let hint = match (by_label, near, in_label) {
                        (None, None, Some(at)) => {
                            let (name, field) = &fields[at];
                            let label = field.label.as_deref().unwrap_or_default();
                            let write = key_written(name, value);
                            Text::new(
                                format!("是不是字段 {name}（{label}）？键要写字段名：写成 {write}"),
                                format!(
                                    "did you mean the field {name} ({label})? a key is the field's name: write {write}"
                                ),
                            )
                        }
                        (Some(at), _, _) => {
                            let name = &fields[at].0;
                            let write = key_written(name, value);
                            Text::new(
                                format!(
                                    "「{written}」是字段 {name} 的名称；键要写字段名：写成 {write}"
                                ),
                                format!(
                                    "`{written}` is the label of the field {name}; a key is the field's name: write {write}"
                                ),
                            )
                        }
                        (None, Some(s), _) => {
                            Text::new(format!("是不是「{s}」？"), format!("did you mean `{s}`?"))
                        }
                        (None, None, None) => Text::new(
                            format!(
                                "这里可用的字段：{}；新字段要先写进 data/schema.yaml",
                                fields
                                    .iter()
                                    .map(|(n, _)| n.as_str())
                                    .collect::<Vec<_>>()
                                    .join("、")
                            ),
                            format!(
                                "the fields here are: {}; declare a new field in data/schema.yaml first",
                                fields
                                    .iter()
                                    .map(|(n, _)| n.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ),
                    };
                    let full = FieldPath::Key(path, &key.name);
                    let d = Diagnostic::error(
                        "unknown-field",
                        Some(key.location(self.file)),
                        Text::new(
                            format!("未知字段「{full}」"),
                            format!("unknown field `{full}`"),
                        ),
                    )
                    .with_hint(hint);
                    self.problems.push(d);
                }
            }
        }
        for (at, ((name, field), present)) in fields.iter().zip(present).enumerate() {
            let missing = match present {
                None => true,
                Some(v) => v.value == Value::Null,
            };
            let told = present.is_none() && meant.contains(&at);
            if field.required && missing && !told {
                let missing = self.missing(field, name, path, present.unwrap_or(node));
                self.problems.push(missing);
            }
        }
        if converted.is_empty() {
            return None;
        }
        converted.resize(entries.len(), None);
        let checked = entries
            .iter()
            .zip(converted)
            .map(|((key, value), new)| (key.clone(), new.unwrap_or_else(|| value.clone())))
            .collect();
        Some(Node {
            value: Value::Map(checked),
            line: node.line,
            col: node.col,
        })
    }

    /// A value checked; `Some` only when it was converted (see [`changed`]).
    fn value(&mut self, field: &Field, node: &Node, path: &FieldPath<'_>) -> Option<Node> {
        if node.value == Value::Null {
            return None; // required-ness is reported by the record
        }
        let (name_zh, name_en) = name_of(field, path);
        match &field.kind {
            kind if kind.is_numeric() => self.number(field, node, path),
            Kind::Text => {
                if let Value::String(text) = &node.value {
                    return self.text(field, node, path, text);
                }
                let hint = Text::new(
                    "给它加上引号，例如 \"001\"",
                    "put it in quotes, e.g. \"001\"",
                );
                self.wrong_kind(node, (&*name_zh, &*name_en), ("文本", "text"), Some(hint));
                None
            }
            Kind::Bool => {
                if !matches!(node.value, Value::Bool(_)) {
                    // A clerk's yes or no (`是`, `否`, `有`, `√`) is told as YAML writes it.
                    let written = node.value.scalar_text().unwrap_or_default();
                    let hint = match crate::diagnostics::yes_or_no(&written) {
                        // `"true"`: the quotes make it a text.
                        Some(yes) if written.trim().eq_ignore_ascii_case(&yes.to_string()) => {
                            Text::new(
                                format!("不加引号：写成 {yes}"),
                                format!("no quotes: write {yes}"),
                            )
                        }
                        Some(yes) => Text::new(
                            format!("「{written}」写成 {yes}（true 是，false 否）"),
                            format!("write `{written}` as {yes} (true: yes, false: no)"),
                        ),
                        None => Text::new(
                            "写 true（是）或 false（否），不加引号",
                            "write true (yes) or false (no), without quotes",
                        ),
                    };
                    self.wrong_kind(
                        node,
                        (&*name_zh, &*name_en),
                        (" true 或 false", "true or false"),
                        Some(hint),
                    );
                }
                None
            }
            Kind::Date => {
                let ok = matches!(&node.value, Value::String(s) if is_date(s));
                if !ok {
                    let written = node.value.scalar_text().unwrap_or_default();
                    let hint = super::slips::date_meant(&written).map(|meant| {
                        Text::new(
                            format!("「{written}」写成 {meant}"),
                            format!("write `{written}` as {meant}"),
                        )
                    });
                    self.report(
                        "type",
                        node,
                        format!("{name_zh}应是日期，写成 2020-10-31"),
                        format!("{name_en} must be a date written 2020-10-31"),
                        hint,
                    );
                }
                None
            }
            Kind::Enum(values) => self.one_of(values, node, (&*name_zh, &*name_en)),
            Kind::Ref(folder) => self.reference(folder, node, (&*name_zh, &*name_en)),
            Kind::List(item) => self.list(item, node, path, (&*name_zh, &*name_en)),
            Kind::Record(fields) => self.record(fields, node, path),
            _ => None,
        }
    }

    /// A value of an `enum`: one of the listed texts.
    fn one_of(&mut self, values: &[String], node: &Node, name: (&str, &str)) -> Option<Node> {
        let (name_zh, name_en) = name;
        let text = match &node.value {
            Value::String(s) => s.to_string(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        if !values.contains(&text) {
            let hint = match did_you_mean(&text, values.iter().map(String::as_str)) {
                Some(s) => Text::new(
                    format!("是不是「{s}」？可选：{}", values.join("、")),
                    format!("did you mean `{s}`? allowed: {}", values.join(", ")),
                ),
                None => Text::new(
                    format!("可选的值：{}", values.join("、")),
                    format!("allowed values: {}", values.join(", ")),
                ),
            };
            self.report(
                "enum",
                node,
                format!("{name_zh}不能是「{text}」"),
                format!("{name_en} cannot be `{text}`"),
                Some(hint),
            );
        }
        None
    }

    /// A `ref`: the id of a file of the data folder `folder`.
    fn reference(&mut self, folder: &str, node: &Node, name: (&str, &str)) -> Option<Node> {
        let (name_zh, name_en) = name;
        let ids = self.ids.get(folder);
        let id = match &node.value {
            Value::String(s) => s.to_string(),
            _ => String::new(),
        };
        if !ids.is_some_and(|ids| ids.contains(&id)) {
            let dir = crate::discover::data_folder(folder);
            let candidates = ids.map(|v| v.as_slice()).unwrap_or_default();
            let hint = match did_you_mean(&id, candidates.iter().map(String::as_str)) {
                Some(s) => Text::new(format!("是不是「{s}」？"), format!("did you mean `{s}`?")),
                None => Text::new(
                    format!(
                        "要写 data/{dir}/ 下某个文件的名字（不含 .yaml）：{}",
                        candidates.join("、")
                    ),
                    format!(
                        "write the name (without .yaml) of a file in data/{dir}/: {}",
                        candidates.join(", ")
                    ),
                ),
            };
            self.report(
                "reference",
                node,
                format!("{name_zh}指向「{id}」，但 data/{dir}/ 下没有这个文件"),
                format!("{name_en} refers to `{id}`, which is not a file in data/{dir}/"),
                Some(hint),
            );
        }
        None
    }

    /// A list: each item checked, `unique` fields of its records compared.
    fn list(
        &mut self,
        item: &Field,
        node: &Node,
        path: &FieldPath<'_>,
        name: (&str, &str),
    ) -> Option<Node> {
        let Value::List(items) = &node.value else {
            let expected = ("列表（每项以 - 开头）", "a list (items start with -)");
            self.wrong_kind(node, name, expected, None);
            return None;
        };
        let converted: Vec<Option<Node>> = items
            .iter()
            .enumerate()
            .map(|(i, n)| self.value(item, n, &FieldPath::Item(path, i)))
            .collect();
        let any = converted.iter().any(Option::is_some);
        let checked: Vec<std::borrow::Cow<'_, Node>> = items
            .iter()
            .zip(converted)
            .map(|(was, new)| new.map_or(std::borrow::Cow::Borrowed(was), std::borrow::Cow::Owned))
            .collect();
        if let Kind::Record(fields) = &item.kind {
            for (key, f) in fields.iter().filter(|(_, f)| f.unique) {
                let mut seen: rustc_hash::FxHashMap<String, &Node> =
                    rustc_hash::FxHashMap::default();
                seen.reserve(checked.len());
                for value in checked.iter().filter_map(|n| n.get(key)) {
                    let compared = unique_key(value);
                    if let Some(first) = seen.get(&compared) {
                        let text = scalar_text(value);
                        let item_path = format!("{path}.*.{key}");
                        let (zh, en) = name_of(f, &item_path);
                        self.report(
                            "unique",
                            value,
                            format!("{zh}的值「{text}」重复：第 {} 行已有", first.line),
                            format!(
                                "{en}: the value `{text}` repeats the one at line {}",
                                first.line
                            ),
                            None,
                        );
                    } else {
                        seen.insert(compared, value);
                    }
                }
            }
        }
        any.then(|| Node {
            value: Value::List(
                checked
                    .into_iter()
                    .map(std::borrow::Cow::into_owned)
                    .collect(),
            ),
            line: node.line,
            col: node.col,
        })
    }

    /// The error for the required field `name` (of `path`) missing, at `at`.
    fn missing(&self, field: &Field, name: &str, path: &FieldPath<'_>, at: &Node) -> Diagnostic {
        let full = FieldPath::Key(path, name);
        let (zh, en) = name_of(field, &full);
        Diagnostic::error("required", Some(at.location(self.file)), Text::new(
            format!("缺少必填字段{zh}"),
            format!("the required field {en} is missing"),
        ))
        .with_hint(Text::new(
            format!("写上 {name}: 值；若确实没有这个数，在 schema 里把它标为 optional: true"),
            format!("write {name}: value; if there truly is no such figure, mark it optional: true in the schema"),
        ))
    }

    /// The error for `key`, unknown here, when it is a field of the record written above it
    /// (the last of `before` that is one of `fields`) which that record lacks: written
    /// without the record's indentation (`people: 468` at the line's start under
    /// `registered:`). Told to line it up with the record's keys, with the line to write;
    /// the record's missing field, said when the record was checked, is taken back.
    #[cold]
    fn dedented_key(
        &mut self,
        fields: &[(String, Field)],
        before: &[(Key, Node)],
        key: &Key,
        value: &Node,
        path: &FieldPath<'_>,
    ) -> Option<Diagnostic> {
        let (record, own) = before.iter().rev().find_map(|(k, v)| {
            let known = fields.iter().find(|(n, _)| n.as_str() == &*k.name)?;
            Some((known, v))
        })?;
        let (
            record,
            Field {
                kind: Kind::Record(inner),
                ..
            },
        ) = (&record.0, &record.1)
        else {
            return None;
        };
        let Value::Map(own_entries) = &own.value else {
            return None;
        };
        let (_, field) = inner.iter().find(|(n, _)| n.as_str() == &*key.name)?;
        if own_entries.iter().any(|(k, _)| k.name == key.name) {
            return None;
        }
        let (first, _) = own_entries.first()?;
        let indent = (first.col() as usize).saturating_sub(1);
        let record_path = FieldPath::Key(path, record);
        if field.required {
            let said = self.missing(field, &key.name, &record_path, own);
            self.problems.retain(|p| *p != said);
        }
        let full = FieldPath::Key(&record_path, &key.name);
        let (zh_name, en_name) = name_of(field, &full);
        let write = format!("{}{}", " ".repeat(indent), key_written(&key.name, value));
        let sibling = &first.name;
        Some(
            Diagnostic::error(
                "unknown-field",
                Some(key.location(self.file)),
                Text::new(
                    format!("「{}」少了缩进：它是「{record}」里的字段{zh_name}，写在了「{record}」的外面", key.name),
                    format!("`{}` lacks its indentation: it is the field {en_name} inside `{record}`, written outside it", key.name),
                ),
            )
            .with_hint(Text::new(
                format!("缩进 {indent} 格，和「{sibling}」对齐：写成「{write}」"),
                format!("indent it {indent} spaces, lined up with `{sibling}`: write `{write}`"),
            )),
        )
    }

    /// A warning (`code`) at `location`.
    fn warn(&mut self, code: &'static str, location: Location, message: Text, hint: Text) {
        self.problems.push(
            Diagnostic::new(Severity::Warning, code, Some(location), message).with_hint(hint),
        );
    }
}

/// How `unique` compares values: as text, Unicode NFC-normalised (a name typed with a
/// composed or a decomposed character is one name), numbers by value.
fn unique_key(node: &Node) -> String {
    let text = scalar_text(node);
    // Most text is NFC already (Chinese characters are): the quick check says so.
    match unicode_normalization::is_nfc_quick(text.chars()) {
        unicode_normalization::IsNormalized::Yes => text,
        _ => text.nfc().collect(),
    }
}

fn scalar_text(node: &Node) -> String {
    match &node.value {
        Value::String(s) => s.to_string(),
        Value::Number(n) => crate::figure::decimal_text(&n.normalize(), &mut [0; 64]).into_owned(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// `YYYY-MM-DD` naming a real day.
pub fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    if y < 1000 || !(1..=12).contains(&m) || text.len() != 10 {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    (1..=days[m as usize - 1]).contains(&d)
}

/// `unique: true` on a top-level field of a folder's files: no two files share the value.
pub(crate) fn unique_across_files(schema: &Schema, data: &Data, problems: &mut Vec<Diagnostic>) {
    unique_across_files_with(schema, data, problems, None);
}

/// The values `unique: true` fields compare, each file's in the data's order (the file as
/// checked, by pointer: the preview's next build shares the files that did not change):
/// what a file's values are compared as is made again only for a file that changed (a
/// village's name normalised, its folder's pattern matched: 10,000 at each correction).
#[derive(Debug, Default)]
pub struct UniqueKeys {
    files: Vec<(Arc<DataFile>, FileKeys)>,
}

/// One file's values as compared, one for each unique field (`None`: the file is not of the
/// field's folder, or has no value there).
type FileKeys = Box<[Option<String>]>;

/// [`unique_across_files`], each file's values as compared taken from `last` (made by the
/// last build with the same schema) when the file is the one it had there; returns them for
/// the next build.
fn unique_across_files_with(
    schema: &Schema,
    data: &Data,
    problems: &mut Vec<Diagnostic>,
    last: Option<UniqueKeys>,
) -> UniqueKeys {
    // The unique fields, in the schema's order, each with the pattern of its files.
    let fields: Vec<(&FileSchema, &String, &Field)> = schema
        .files
        .iter()
        .filter(|f| f.pattern.contains('*'))
        .flat_map(|f| {
            f.fields
                .iter()
                .filter(|(_, field)| field.unique)
                .map(move |(key, field)| (f, key, field))
        })
        .collect();
    if fields.is_empty() {
        return UniqueKeys::default();
    }
    let mut last_files = last.map_or_else(Vec::new, |last| last.files);
    let keys: Vec<(Arc<DataFile>, FileKeys)> = data
        .files
        .iter()
        .enumerate()
        .map(|(index, file)| {
            let known = last_files
                .get_mut(index)
                .filter(|(was, _)| Arc::ptr_eq(was, file))
                .map(|(_, keys)| std::mem::take(keys));
            let keys = known.unwrap_or_else(|| {
                let name = DataName::of(&file.path);
                fields
                    .iter()
                    .map(|(file_schema, key, _)| {
                        let matched = matches_name(&file_schema.pattern, &name);
                        let value = file.root.get(key.as_str()).filter(|_| matched)?;
                        Some(unique_key(value))
                    })
                    .collect()
            });
            (file.clone(), keys)
        })
        .collect();
    for (number, (_, key, field)) in fields.iter().enumerate() {
        // Each value's first file, by its number.
        let mut seen: HashMap<&str, usize> = HashMap::default();
        for (index, (file, values)) in keys.iter().enumerate() {
            let Some(compared) = &values[number] else {
                continue;
            };
            let Some(&first) = seen.get(compared.as_str()) else {
                seen.insert(compared, index);
                continue;
            };
            let (Some(value), (first_file, _)) = (file.root.get(key.as_str()), &keys[first]) else {
                continue;
            };
            let Some(first_value) = first_file.root.get(key.as_str()) else {
                continue;
            };
            let text = scalar_text(value);
            let (zh, en) = name_of(field, key);
            let mut d = Diagnostic::error(
                "unique",
                Some(value.location(&file.path)),
                Text::new(
                    format!("{zh}的值「{text}」与 {} 重复", first_file.path.display()),
                    format!(
                        "{en}: the value `{text}` is also in {}",
                        first_file.path.display()
                    ),
                ),
            );
            d.related.push((
                first_value.location(&first_file.path),
                Text::new("已有的值", "the first one"),
            ));
            problems.push(d);
        }
    }
    UniqueKeys { files: keys }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_named_by_its_keys_and_list_items() {
        let exits = FieldPath::Key(&FieldPath::Root, "exits");
        let first = FieldPath::Item(&exits, 0);
        let year = FieldPath::Key(&first, "year");
        assert_eq!(FieldPath::Root.to_string(), "");
        assert_eq!(exits.to_string(), "exits");
        assert_eq!(year.to_string(), "exits.0.year");
        assert_eq!(year.last(), "year");
        assert_eq!(first.last(), "0");
        let field = Field {
            label: Some("年度".into()),
            ..Field::record(Vec::new(), 1, 1)
        };
        let (zh, en) = name_of(&field, &year);
        assert_eq!(
            (&*zh, &*en),
            ("「年度」（exits.0.year）", "`exits.0.year` (年度)")
        );
    }

    /// What `Field::refuses` tells the rules (which skip a value it refuses) is what the
    /// field checks report as an error, for every kind of number and bound.
    /// The schema written `text`.
    fn schema_of_text(text: &str) -> Schema {
        let node = crate::load::yaml::parse(text, Path::new("data/schema.yaml")).expect("parses");
        crate::validate::schema::parse(&node).expect("schema reads")
    }

    #[test]
    fn the_rules_skip_exactly_the_numbers_the_field_checks_refuse() {
        let schema = schema_of_text(
            "files:\n  t.yaml:\n    fields:\n      count: {type: count, unit: 户}\n      amount: {type: amount, unit: 万元, dp: 2}\n      share: {type: percent, unit: \"%\", dp: 1}\n      year: {type: year}\n      ranged: {type: decimal, min: -5, max: 5.5}\n",
        );
        let fields = &schema.files[0].fields;
        let ids = HashMap::default();
        for (name, field) in fields {
            for value in [
                "0", "1", "-1", "2.5", "468.0", "0.05", "0.123", "99.9", "100", "100.05", "18",
                "1899", "2018", "2101", "-5", "-5.01", "5.5", "5.51",
            ] {
                let number = rust_decimal::Decimal::from_str_exact(value).expect("a decimal");
                let text = format!("{name}: {value}\n");
                let root =
                    crate::load::yaml::parse(&text, Path::new("data/t.yaml")).expect("parses");
                let file = Arc::new(DataFile::new("data/t.yaml".into(), vec!["t".into()], root));
                let mut found = Vec::new();
                check_file(&schema, &file, &ids, &mut found);
                // (The other fields, required, are missing from the file: not this one's.)
                let refused = found
                    .iter()
                    .any(|d| d.is_error() && ["type", "range", "decimals"].contains(&d.code));
                assert_eq!(field.refuses(number), refused, "{name}: {value}: {found:?}");
            }
        }
    }

    /// The preview's checks in a row (one cache) find a clash of `unique: true` values as a
    /// check without a cache does, whichever file changed: one renamed into a clash and out
    /// of it, the unchanged one of a pair, a file added or removed, the schema changed.
    #[test]
    fn unique_values_are_compared_anew_in_the_preview_whichever_file_changed() {
        let schema_of = |unique: bool| {
            schema_of_text(&format!(
                "files:\n  villages/*.yaml:\n    fields:\n      name: {{type: text, unique: {unique}}}\n"
            ))
        };
        let file = |id: &str, name: &str| {
            let path = format!("data/villages/{id}.yaml");
            let root = crate::load::yaml::parse(&format!("name: {name}\n"), Path::new(&path))
                .expect("parses");
            Arc::new(DataFile::new(
                path.into(),
                vec!["villages".into(), id.into()],
                root,
            ))
        };
        // Each clash as (the file it is in, the file of the first one).
        let clashes = |schema: &Schema, files: &[Arc<DataFile>], cache: Option<&mut Cache>| {
            let mut problems = Vec::new();
            check(
                schema,
                &Data {
                    files: files.to_vec(),
                },
                &mut problems,
                cache,
            );
            problems
                .iter()
                .filter(|d| d.code == "unique")
                .map(|d| {
                    let at = |l: &Location| l.file.display().to_string();
                    let first = d.related.first().map(|(l, _)| at(l));
                    (d.location.as_ref().map(at), first)
                })
                .collect::<Vec<_>>()
        };
        let (schema, mut cache) = (schema_of(true), Cache::default());
        let a = file("a", "横溪村");
        let mut files = vec![a.clone(), file("b", "枫林村"), file("c", "长岭村")];
        let mut steps: Vec<(&str, Vec<Arc<DataFile>>, Schema)> = Vec::new();
        steps.push(("start", files.clone(), schema.clone()));
        files[1] = file("b", "横溪村");
        steps.push(("b renamed into a clash", files.clone(), schema.clone()));
        files[0] = file("a", "胡家村");
        steps.push(("a renamed out of it", files.clone(), schema.clone()));
        files[2] = file("c", "横溪村");
        steps.push(("c renamed into a clash", files.clone(), schema.clone()));
        files.insert(1, file("ab", "长岭村"));
        steps.push(("a file added", files.clone(), schema.clone()));
        files.remove(2);
        steps.push(("b removed", files.clone(), schema.clone()));
        steps.push(("not unique now", files.clone(), schema_of(false)));
        files.push(file("d", "胡家村"));
        steps.push(("unique again", files.clone(), schema.clone()));
        let mut found = Vec::new();
        for (step, files, schema) in &steps {
            let cached = clashes(schema, files, Some(&mut cache));
            assert_eq!(cached, clashes(schema, files, None), "{step}");
            found.push(cached.len());
        }
        assert_eq!(found, [0, 1, 0, 1, 1, 0, 0, 1]);
    }

    /// A file is shared as loaded only when checking converted nothing in it: `-0` and
    /// `468.0` in a count are converted, `1.10` in a decimal is kept as written.
    #[test]
    fn a_file_is_shared_only_when_nothing_was_converted() {
        let schema = crate::validate::schema::parse(
            &crate::load::yaml::parse(
                "files:\n  a.yaml:\n    fields:\n      n: {type: count}\n      d: {type: decimal}\n      t: {type: text}\n",
                Path::new("data/schema.yaml"),
            )
            .expect("schema parses"),
        )
        .expect("schema reads");
        let checked = |text: &str| {
            let root = crate::load::yaml::parse(text, Path::new("data/a.yaml")).expect("parses");
            let file = Arc::new(DataFile::new("data/a.yaml".into(), vec!["a".into()], root));
            let mut problems = Vec::new();
            let data = check(
                &schema,
                &Data {
                    files: vec![file.clone()],
                },
                &mut problems,
                None,
            );
            let same = Arc::ptr_eq(&data.files[0], &file);
            let n = data.files[0].root.get("n").map(|n| n.value.clone());
            (same, n)
        };
        let number = |t: &str| Some(Value::Number(t.parse().expect("decimal")));
        assert_eq!(checked("n: 3\nd: 1.10\nt: 甲\n"), (true, number("3")));
        let (same, n) = checked("n: -0\nd: 1\nt: 甲\n");
        assert!(!same);
        assert!(
            matches!(n, Some(Value::Number(d)) if !d.is_sign_negative()),
            "{n:?}"
        );
        assert_eq!(checked("n: 468.0\nd: 1\nt: 甲\n"), (false, number("468")));
        assert!(!checked("n: 1\nd: 1\nt: \" 甲 \"\n").0);
    }

    #[test]
    fn dates_are_real_days() {
        assert!(is_date("2020-02-29"));
        assert!(!is_date("2019-02-29"));
        assert!(!is_date("2020-13-01"));
        assert!(!is_date("2020-1-1"));
    }
}

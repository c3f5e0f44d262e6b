//! Corrections: `data/corrections.yaml`, the log of figures corrected after publication.
//!
//! ```yaml
//! entries:
//!   - date: 2020-12-01
//!     what: policies.health.hospital.hospitalisations   # the figure, as a data path
//!     old: 1445人次                                       # as published
//!     new: 1446                                           # as it is now (= the data)
//!     reason: 县卫健局复核，补录一人次
//! ```
//!
//! The log cannot lie: `new` must equal the data (after converting its unit). It becomes the
//! page 「更正说明」 (`render::corrections_page`), linked from every page's footer, and every corrected figure
//! links to its entry. Dates come from the log, never from the clock, so builds stay
//! byte-identical.

use rust_decimal::Decimal;
use std::path::Path;

use super::schema::{Field, Kind, Schema, did_you_mean};
use crate::diagnostics::{Diagnostic, Location, Severity, Text};
use crate::load::{Data, DataFile, Node, Value};

/// The log's file, relative to the site folder.
pub const FILE: &str = "data/corrections.yaml";

/// What the entry a warning suggests says for `reason`, to be replaced.
const PLACEHOLDER: &str = "（写明更正原因）";

/// The keys of an entry.
pub(super) const ENTRY_KEYS: &[&str] = &["date", "what", "old", "new", "reason"];

/// One checked entry of the log.
#[derive(Clone, Debug, PartialEq)]
pub struct Correction {
    /// 1-based, in the order of the log; the entry's anchor is `c<n>`.
    pub number: usize,
    /// `2020-12-01`.
    pub date: String,
    /// The data path written: `policies.health.hospital.hospitalisations`.
    pub what: String,
    /// The figure's key (as in the figures manifest):
    /// `data/policies/health.yaml#hospital.hospitalisations`.
    pub key: String,
    /// As published before, as written in the log (`1445`, `342元`).
    pub old: String,
    /// The corrected value as written in the log.
    pub new: String,
    /// The corrected value in the field's unit: what the data say.
    pub value: Decimal,
    /// The field's unit (`人次`), empty when it has none.
    pub unit: String,
    /// Why.
    pub reason: String,
    /// Where the entry is.
    pub location: Location,
}

impl Correction {
    /// The entry's anchor on the corrections page.
    pub fn anchor(&self) -> String {
        format!("c{}", self.number)
    }

    /// The published value as shown: as written, with the field's unit when none is written
    /// (`67` → `67人`; `342元` stays).
    pub fn old_shown(&self) -> String {
        with_unit(&self.old, &self.unit)
    }

    /// The corrected value as shown, like [`Correction::old_shown`].
    pub fn new_shown(&self) -> String {
        with_unit(&self.new, &self.unit)
    }
}

fn with_unit(text: &str, unit: &str) -> String {
    if crate::figure::parse_decimal(text.trim()).is_ok() {
        format!("{}{unit}", text.trim())
    } else {
        text.trim().to_string()
    }
}

/// Whether `path` (relative to the site) is the corrections log.
pub fn is_log(path: &Path) -> bool {
    // A data file's path (as discovery gives it: no trailing separator) that does not end
    // as the log's name is not the log: told without splitting it into its components
    // (asked of every data file, several times).
    path.as_os_str().as_encoded_bytes().ends_with(LOG_NAME) && path == Path::new(FILE)
}

/// The log's file name: [`FILE`] after its last `/`.
const LOG_NAME: &[u8] = {
    let bytes = FILE.as_bytes();
    let mut start = bytes.len();
    while start > 0 && bytes[start - 1] != b'/' {
        start -= 1;
    }
    bytes.split_at(start).1
};

/// Reads and checks the log in `data` (which holds the checked data files), if there is
/// one. Every problem is reported; only good entries are returned.
pub fn read(data: &Data, schema: Option<&Schema>) -> (Vec<Correction>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let Some(log) = data.files.iter().find(|f| is_log(&f.path)) else {
        return (Vec::new(), problems);
    };
    let file = log.path.as_path();
    let Value::Map(top) = &log.root.value else {
        return (Vec::new(), problems);
    };
    for (key, _) in top {
        if &*key.name != "entries" {
            problems.push(unknown_key(file, key, &["entries"]));
        }
    }
    let items = match log.root.get("entries").map(|n| (&n.value, n)) {
        Some((Value::List(items), _)) => &items[..],
        Some((Value::Null, _)) | None => &[],
        Some((_, node)) => {
            problems.push(problem(
                file,
                node,
                "entries 要是列表（每条更正以 - 开头）".into(),
                "entries must be a list (each correction starts with -)".into(),
                None,
            ));
            &[]
        }
    };
    let mut corrections = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let Some(entry) = entry_of(item, file, &mut problems) else {
            continue;
        };
        if let Some(correction) = check_entry(entry, index, item, file, data, schema, &mut problems)
        {
            corrections.push(correction);
        }
    }
    (corrections, problems)
}

/// A problem of the log at `node`.
fn problem(file: &Path, node: &Node, zh: String, en: String, hint: Option<Text>) -> Diagnostic {
    let mut d = Diagnostic::error("correction", Some(node.location(file)), Text::new(zh, en));
    d.hint = hint;
    d
}

/// An entry's texts as written, each with its node.
struct Entry<'n> {
    date: (String, &'n Node),
    what: (String, &'n Node),
    old: (String, &'n Node),
    new: (String, &'n Node),
    reason: (String, &'n Node),
}

/// An entry whose shape is right: a mapping of the five keys, a real date and reason.
fn entry_of<'n>(item: &'n Node, file: &Path, problems: &mut Vec<Diagnostic>) -> Option<Entry<'n>> {
    let error =
        |node: &Node, zh: String, en: String, hint: Option<Text>| problem(file, node, zh, en, hint);
    let Value::Map(entries) = &item.value else {
        problems.push(error(
            item,
            "每条更正要写成「键: 值」：date、what、old、new、reason".into(),
            "each correction is a mapping: date, what, old, new, reason".into(),
            None,
        ));
        return None;
    };
    let mut ok = true;
    for (key, _) in entries {
        if !ENTRY_KEYS.contains(&&*key.name) {
            ok = false;
            problems.push(unknown_key(file, key, ENTRY_KEYS));
        }
    }
    let mut text = |key: &str| -> Option<(String, &Node)> {
        match item.get(key) {
            None
            | Some(Node {
                value: Value::Null, ..
            }) => {
                ok = false;
                problems.push(error(
                    item,
                    format!("这条更正缺少 {key}"),
                    format!("this correction has no {key}"),
                    Some(Text::new(
                        "每条更正都要写 date（日期）、what（哪个数字）、old（原数）、new（新数）、reason（原因）",
                        "every correction has date, what (the figure), old, new and reason",
                    )),
                ));
                None
            }
            Some(node) => match &node.value {
                Value::String(s) => Some((s.trim().to_string(), node)),
                Value::Number(n) => Some((n.to_string(), node)),
                _ => {
                    ok = false;
                    problems.push(error(
                        node,
                        format!("{key} 要写成文本或数字，这里是{}", node.kind().zh),
                        format!("{key} must be text or a number, found a {}", node.kind().en),
                        None,
                    ));
                    None
                }
            },
        }
    };
    let (date, what, old, new, reason) = (
        text("date"),
        text("what"),
        text("old"),
        text("new"),
        text("reason"),
    );
    let (Some(date), Some(what), Some(old), Some(new), Some(reason)) =
        (date, what, old, new, reason)
    else {
        return None;
    };
    if !ok {
        return None;
    }
    if !matches!(reason.1.value, Value::String(_)) || reason.0.is_empty() || reason.0 == PLACEHOLDER
    {
        problems.push(error(
            reason.1,
            "reason 要写明更正的原因（文字）".into(),
            "reason must say why the figure was corrected (text)".into(),
            Some(Text::new(
                "例如：县卫健局复核，补录一人次",
                "for example: rechecked by the county health bureau, one stay added",
            )),
        ));
        return None;
    }
    if !super::fields::is_date(&date.0) {
        problems.push(error(
            date.1,
            format!("日期「{}」要写成 2020-12-01 这样的年-月-日", date.0),
            format!(
                "the date `{}` must be written year-month-day, e.g. 2020-12-01",
                date.0
            ),
            super::slips::date_meant(&date.0)
                .map(|meant| Text::new(format!("写成 {meant}"), format!("write {meant}"))),
        ));
        return None;
    }
    // A correction is made after the fact: a date to come is a slip of the year or month.
    let today = today();
    if date.0 > today {
        problems.push(
            Diagnostic::new(
                crate::diagnostics::Severity::Warning,
                "correction-date",
                Some(date.1.location(file)),
                Text::new(
                    format!("更正日期「{}」在今天（{today}）之后", date.0),
                    format!(
                        "the correction's date `{}` is after today ({today})",
                        date.0
                    ),
                ),
            )
            .with_hint(Text::new(
                "写更正实际做出的日期；是不是年份或月份写错了？",
                "write the date the correction was made; is the year or the month mistyped?",
            )),
        );
    }
    Some(Entry {
        date,
        what,
        old,
        new,
        reason,
    })
}

/// A well-shaped entry checked against the data: the figure it names, its unit, and that
/// `new` is what the data say.
fn check_entry(
    entry: Entry<'_>,
    index: usize,
    item: &Node,
    file: &Path,
    data: &Data,
    schema: Option<&Schema>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Correction> {
    let error =
        |node: &Node, zh: String, en: String, hint: Option<Text>| problem(file, node, zh, en, hint);
    let Entry {
        date,
        what,
        old,
        new,
        reason,
    } = entry;
    let Some((target_file, node, key, field)) = find(data, schema, &what.0) else {
        let tops: Vec<String> = data
            .files
            .iter()
            .filter(|f| !is_log(&f.path))
            .map(|f| f.key_path.join("."))
            .collect();
        let hint = did_you_mean(&what.0, tops.iter().map(String::as_str));
        // The path with its file's folders left out (`health.hospital…` for
        // `policies.health.hospital…`), as a clerk who opened the file itself writes it.
        let whole = what.0.split_once('.').and_then(|(first, rest)| {
            data.files
                .iter()
                .filter(|f| !is_log(&f.path) && f.key_path.len() > 1)
                .filter(|f| f.key_path.last().is_some_and(|last| last == first.trim()))
                .map(|f| format!("{}.{rest}", f.key_path.join(".")))
                .find(|whole| find(data, schema, whole).is_some())
        });
        let near = whole
            .is_none()
            .then(|| nearest_figure(data, &what.0))
            .flatten();
        let by_label = match (&near, &whole, schema) {
            (None, None, Some(schema)) => figures_by_label(data, schema, &what.0),
            _ => Vec::new(),
        };
        let near = match by_label.as_slice() {
            [only] => Some(only.path.clone()),
            _ => near,
        };
        problems.push(error(
            what.1,
            format!("what「{}」不是数据里的一个数字", what.0),
            format!("what `{}` is not a figure of the data", what.0),
            Some(match (near, whole, hint) {
                _ if by_label.len() > 1 => several_figures(&what.0, &new.0, &by_label),
                (Some(near), _, _) => Text::new(
                    format!("是不是「{near}」？"),
                    format!("did you mean `{near}`?"),
                ),
                (None, Some(whole), _) => Text::new(
                    format!("数据路径从 data 下的第一层文件夹写起：是不是「{whole}」？"),
                    format!("a data path starts at the first folder under data: did you mean `{whole}`?"),
                ),
                (None, None, Some(s)) => Text::new(
                    format!("写数据路径，如 policies.health.hospital.hospitalisations；是不是「{s}.…」？"),
                    format!("write a data path such as policies.health.hospital.hospitalisations; did you mean `{s}.…`?"),
                ),
                (None, None, None) => Text::new(
                    "写数据路径：文件（如 policies.health）加上文件里的键（如 hospital.hospitalisations），用 . 连接",
                    "write a data path: the file (such as policies.health) and the keys inside it (such as hospital.hospitalisations), joined by dots",
                ),
            }),
        ));
        return None;
    };
    let Value::Number(current) = node.value else {
        return None;
    };
    let unit = field.and_then(|f| f.unit.clone()).unwrap_or_default();
    let parse = |text: &str| figure_value(text, &unit);
    let Some(was) = parse(&old.0) else {
        let (zh, en, hint) = not_a_figure("old", &old.0, &unit);
        problems.push(error(old.1, zh, en, hint));
        return None;
    };
    let Some(value) = parse(&new.0) else {
        let (zh, en, hint) = not_a_figure("new", &new.0, &unit);
        problems.push(error(new.1, zh, en, hint));
        return None;
    };
    if was.normalize() == value.normalize() {
        problems.push(error(
            new.1,
            format!("old 和 new 相同（{}）：这不是一处更正", new.0),
            format!(
                "old and new are the same ({}): this is no correction",
                new.0
            ),
            Some(Text::new(
                "old 写原来发布的数，new 写更正后的数",
                "old is the figure as published, new the corrected one",
            )),
        ));
        return None;
    }
    if value.normalize() != current.normalize() {
        let mut d = error(
            new.1,
            format!(
                "更正记录说「{}」现在是 {}，但数据里是 {current}{unit}：记录不能与数据不符",
                what.0, new.0
            ),
            format!(
                "the log says `{}` is now {}, but the data say {current}{unit}: the log cannot disagree with the data",
                what.0, new.0
            ),
            Some(Text::new(
                "改正这条记录的 new，或者改正数据；两者要一致",
                "correct this entry's new, or the data: the two must agree",
            )),
        );
        d.related.push((
            node.location(&target_file.path),
            Text::new("数据里的值", "the value in the data"),
        ));
        problems.push(d);
        return None;
    }
    Some(Correction {
        number: index + 1,
        date: date.0,
        what: what.0,
        key: format!("{}#{key}", crate::site_path::slashed(&target_file.path)),
        old: old.0,
        new: new.0,
        value,
        unit,
        reason: reason.0,
        location: item.location(file),
    })
}

/// A key the log does not have, with a did-you-mean among `allowed`.
fn unknown_key(file: &Path, key: &crate::load::Key, allowed: &[&str]) -> Diagnostic {
    let hint = match did_you_mean(&key.name, allowed.iter().copied()) {
        Some(s) => Text::new(format!("是不是「{s}」？"), format!("did you mean `{s}`?")),
        None => Text::new(
            format!("可用的键：{}", allowed.join("、")),
            format!("the keys are: {}", allowed.join(", ")),
        ),
    };
    Diagnostic::error(
        "correction",
        Some(key.location(file)),
        Text::new(
            format!("更正记录里有未知的键「{}」", key.name),
            format!("unknown key `{}` in the corrections log", key.name),
        ),
    )
    .with_hint(hint)
}

/// The figure of the data `what` most likely means when a key of it is misspelt
/// (`policies.health.family_doctor.served` for `…served_people`): the path walked from its
/// file, each key not there taken as the closest key there, to a number.
fn nearest_figure(data: &Data, what: &str) -> Option<String> {
    let parts: Vec<&str> = what.split('.').map(str::trim).collect();
    let file = file_of(data, &parts)?;
    let mut path: Vec<String> = file.key_path.clone();
    let mut node = &file.root;
    let mut mended = false;
    for part in &parts[file.key_path.len()..] {
        node = match &node.value {
            Value::Map(entries) => match node.get(part) {
                Some(next) => {
                    path.push(part.to_string());
                    next
                }
                None => {
                    let keys = || entries.iter().map(|(key, _)| key.name.as_str());
                    // The closest key, or the only one that starts with what is written
                    // (`served` for `served_people`).
                    let mut starting =
                        keys().filter(|key| !part.is_empty() && key.starts_with(part));
                    let only = match (starting.next(), starting.next()) {
                        (Some(key), None) => Some(key),
                        _ => None,
                    };
                    let near = did_you_mean(part, keys()).or(only)?;
                    mended = true;
                    path.push(near.to_string());
                    node.get(near)?
                }
            },
            Value::List(items) => {
                let next = items.get(part.parse::<usize>().ok()?)?;
                path.push(part.to_string());
                next
            }
            _ => return None,
        };
    }
    (mended && matches!(node.value, Value::Number(_))).then(|| path.join("."))
}

/// A figure a `what` written in words may mean: its data path, its field's label and unit,
/// and its value now.
#[derive(Debug)]
struct Candidate {
    path: String,
    label: String,
    unit: String,
    value: Decimal,
}

/// The figure a `what` written in words means (`家庭医生履约服务人数`: the figure whose label,
/// 履约服务人数, it has, among those of its section, 家庭医生签约履约服务): the one whose
/// labels share the most characters with it. A village's figure is found when its name is
/// in the words too (`横溪村建档立卡人数`). When several fit as well (`横溪村户数`: 建档立卡户数
/// and 未脱贫户数), all of them; none when the words are not Chinese or fit no figure.
fn figures_by_label(data: &Data, schema: &Schema, written: &str) -> Vec<Candidate> {
    if written.is_ascii() {
        return Vec::new();
    }
    /// Every figure of `node` (the values of `fields`) whose own label is in `written`,
    /// with how many of `written`'s characters its labels (`labels` and its own) have;
    /// `own`: where the labels inside the file start in `labels`.
    fn walk(
        fields: &[(String, Field)],
        node: &Node,
        (path, labels, own): (&str, &str, usize),
        written: &str,
        found: &mut Vec<(usize, Candidate)>,
    ) {
        for (name, field) in fields {
            let Some(value) = node.get(name) else {
                continue;
            };
            let label = field.label.as_deref().unwrap_or(name);
            let (path, labels) = (format!("{path}.{name}"), format!("{labels}{label}"));
            match (&field.kind, &value.value) {
                (Kind::Record(inner), _) => {
                    walk(inner, value, (&path, &labels, own), written, found)
                }
                (_, Value::Number(number)) if written.contains(label) => {
                    let shared = written.chars().filter(|c| labels.contains(*c)).count();
                    found.push((
                        shared,
                        Candidate {
                            path,
                            // (The labels inside the file: 建档立卡户数, not 户数.)
                            label: labels[own..].to_string(),
                            unit: field.unit.clone().unwrap_or_default(),
                            value: *number,
                        },
                    ));
                }
                _ => {}
            }
        }
    }
    let mut found = Vec::new();
    for file in data.files.iter().filter(|f| !is_log(&f.path)) {
        let Some(file_schema) = super::fields::schema_for(schema, &file.path) else {
            continue;
        };
        // A record of a folder of many (a village) only when its name is in the words.
        let name = crate::load::FilePlace::top_level_text(file, "name");
        let named = name.is_some_and(|name| !name.is_empty() && written.contains(name));
        if file_schema.pattern.contains('*') && !named {
            continue;
        }
        let labels = match (named, &file_schema.label) {
            (true, _) => name.unwrap_or_default().to_string(),
            (false, Some(label)) => label.clone(),
            (false, None) => String::new(),
        };
        let path = file.key_path.join(".");
        walk(
            &file_schema.fields,
            &file.root,
            (&path, &labels, labels.len()),
            written,
            &mut found,
        );
    }
    // (Stable: tied figures stay in the files' order.)
    found.sort_by_key(|(shared, _)| std::cmp::Reverse(*shared));
    let best = found.first().map(|(shared, _)| *shared);
    found
        .into_iter()
        .take_while(|(shared, _)| Some(*shared) == best)
        .map(|(_, candidate)| candidate)
        .collect()
}

/// What to tell of a `what` written in words that several figures fit (`candidates`): the
/// one whose value now is the entry's `new` when only one is, else the figures to choose
/// from, each with its label and value.
fn several_figures(written: &str, new: &str, candidates: &[Candidate]) -> Text {
    let is_new = |c: &&Candidate| {
        figure_value(new, &c.unit).is_some_and(|n| n.normalize() == c.value.normalize())
    };
    let matching: Vec<&Candidate> = candidates.iter().filter(is_new).collect();
    if let [only] = matching.as_slice() {
        return Text::new(
            format!(
                "是不是「{}」？（{}，数据里是 {}{}，与 new 相同）",
                only.path, only.label, only.value, only.unit
            ),
            format!(
                "did you mean `{}`? ({}, {}{} in the data, as new says)",
                only.path, only.label, only.value, only.unit
            ),
        );
    }
    const SHOWN: usize = 4;
    let listed = |sep: &str| {
        candidates
            .iter()
            .take(SHOWN)
            .map(|c| format!("{}（{}，{}{}）", c.path, c.label, c.value, c.unit))
            .collect::<Vec<_>>()
            .join(sep)
    };
    let (more_zh, more_en) = match candidates.len() {
        n if n <= SHOWN => (String::new(), String::new()),
        n => (
            format!(" {n} 个数字中的一个，如"),
            format!(" {n} figures, such as"),
        ),
    };
    Text::new(
        format!(
            "「{written}」可能是{more_zh}：{}；把 what 写成其中一个的数据路径",
            listed("、")
        ),
        format!(
            "`{written}` may be any of{more_en}: {}; write the data path of the one meant as what",
            listed(", ")
                .replace('（', " (")
                .replace('，', ", ")
                .replace('）', ")")
        ),
    )
}

/// The data file a path's `parts` start with (the longest whose key path they start with).
fn file_of<'d>(data: &'d Data, parts: &[&str]) -> Option<&'d DataFile> {
    data.files
        .iter()
        .filter(|f| !is_log(&f.path))
        .filter(|f| {
            f.key_path.len() < parts.len() && f.key_path.iter().zip(parts).all(|(a, b)| a == b)
        })
        .max_by_key(|f| f.key_path.len())
        .map(|file| &**file)
}

/// The figure a data path names: (its file, its node, its key inside the file, its field).
fn find<'d>(
    data: &'d Data,
    schema: Option<&'d Schema>,
    what: &str,
) -> Option<(&'d DataFile, &'d Node, String, Option<&'d Field>)> {
    let parts: Vec<&str> = what.split('.').map(str::trim).collect();
    let file = file_of(data, &parts)?;
    let inside = &parts[file.key_path.len()..];
    let mut node = &file.root;
    let mut field: Option<&Field> = None;
    let mut fields = schema
        .and_then(|s| super::fields::schema_for(s, &file.path))
        .map(|f| f.fields.as_slice());
    // The key as the figures manifest writes it: an item of a list is known by its unique
    // field when it has one (`exits[year=2015]`), else by its index (`exits[3]`).
    let mut key = String::new();
    for part in inside {
        node = match &node.value {
            Value::Map(_) => {
                field = fields
                    .and_then(|fs| fs.iter().find(|(n, _)| n == part))
                    .map(|(_, f)| f);
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(part);
                node.get(part)?
            }
            Value::List(items) => {
                let i: usize = part.parse().ok()?;
                field = match field.map(|f| &f.kind) {
                    Some(Kind::List(item)) => Some(item.as_ref()),
                    _ => None,
                };
                let item = items.get(i)?;
                let unique = match field.map(|f| &f.kind) {
                    Some(Kind::Record(inner)) => inner.iter().find(|(_, f)| f.unique),
                    _ => None,
                };
                let named = unique.and_then(|(name, _)| {
                    Some(format!("{name}={}", item.get(name)?.value.scalar_text()?))
                });
                key.push_str(&format!("[{}]", named.unwrap_or_else(|| i.to_string())));
                item
            }
            _ => return None,
        };
        fields = match field.map(|f| &f.kind) {
            Some(Kind::Record(inner)) => Some(inner.as_slice()),
            _ => None,
        };
    }
    matches!(node.value, Value::Number(_)).then_some((file, node, key, field))
}

/// The node a manifest key names in `file`, and its data path with list indexes
/// (`exits.1.people`), as a log entry's `what` is written.
fn walk_key<'d>(file: &'d DataFile, key: &str) -> Option<(&'d Node, String)> {
    let mut node = &file.root;
    let mut path = file.key_path.join(".");
    for step in crate::provenance::key_steps(key) {
        node = match (step, &node.value) {
            (crate::provenance::KeyStep::Field(name), Value::Map(_)) => {
                path.push('.');
                path.push_str(name);
                node.get(name)?
            }
            (crate::provenance::KeyStep::Item(selector), Value::List(items)) => {
                let index = match selector.split_once('=') {
                    Some((name, wanted)) => items.iter().position(|item| {
                        item.get(name)
                            .and_then(|v| v.value.scalar_text())
                            .is_some_and(|text| text == wanted)
                    })?,
                    None => selector.parse().ok()?,
                };
                path.push_str(&format!(".{index}"));
                items.get(index)?
            }
            _ => return None,
        };
    }
    Some((node, path))
}

/// Why `text` (the log's `key`) is not a figure of a field in `unit`, in both languages,
/// and what to write when that is plain: a clerk's thousands separators or full-width digits
/// (`6,336`, `６３３６` → 写成 new: 6336).
fn not_a_figure(key: &str, text: &str, unit: &str) -> (String, String, Option<Text>) {
    let meant = super::units::to_half_width(text);
    let write = |meant: &str| {
        Text::new(
            format!("写成 {key}: {meant}"),
            format!("write {key}: {meant}"),
        )
    };
    let meant =
        (meant != text.trim() && figure_value(&meant, unit).is_some()).then(|| write(&meant));
    if text.contains([',', '，']) {
        return (
            format!("{key}「{text}」里有千位分隔符（逗号）"),
            format!("{key} `{text}` has thousands separators (commas)"),
            meant.or_else(|| Some(Text::new("去掉逗号", "remove the commas"))),
        );
    }
    if text.chars().any(|c| ('０'..='９').contains(&c)) {
        return (
            format!("{key}「{text}」里有全角数字：请切换到半角输入"),
            format!("{key} `{text}` has full-width digits: type half-width ones"),
            meant.or_else(|| {
                Some(Text::new(
                    "切换到半角输入再写数字，如 131",
                    "type the digits half-width, such as 131",
                ))
            }),
        );
    }
    if let Some((number, written)) = super::units::split_number_unit(text)
        && crate::figure::parse_decimal(number).is_ok()
    {
        return (
            format!("{key}「{text}」的单位「{written}」不能换算成这个数字的单位「{unit}」"),
            format!(
                "{key} `{text}`: the unit `{written}` does not convert to the figure's unit `{unit}`"
            ),
            None,
        );
    }
    (
        format!("{key}「{text}」不是一个数（可以带单位，如 342元）"),
        format!("{key} `{text}` is not a number (a unit may follow, as in 342元)"),
        None,
    )
}

/// A figure written in a log entry: a number, or a number and a unit that converts to
/// `unit` (`342元` for a field in 万元).
fn figure_value(text: &str, unit: &str) -> Option<Decimal> {
    let text = text.trim();
    if let Ok(n) = crate::figure::parse_decimal(text) {
        return Some(n);
    }
    let (number, written) = super::units::split_number_unit(text)?;
    let n = crate::figure::parse_decimal(number).ok()?;
    if written == unit {
        return Some(n);
    }
    super::units::convert(n, written, unit)
}

/// A published figure that changed without an entry in the log: a warning that prints the
/// entry to paste.
pub fn missing_entry(
    change: &crate::manifest::Change,
    data: &Data,
    today: &str,
) -> Option<Diagnostic> {
    let (old, new) = (change.old.as_ref()?, change.new.as_ref()?);
    let (path, inside) = change.key.split_once('#')?;
    let file = data
        .files
        .iter()
        .find(|f| crate::site_path::slashed(&f.path) == path)?;
    let (node, what) = walk_key(file, inside)?;
    let Value::Number(current) = node.value else {
        return None;
    };
    let entry = format!(
        "  - date: {today}\n    what: {what}\n    old: {old}\n    new: {current}\n    reason: {PLACEHOLDER}"
    );
    Some(
        Diagnostic::new(
            Severity::Warning,
            "correction-missing",
            Some(node.location(&file.path)),
            Text::new(
                format!(
                    "已发布的数字改了，更正记录里却没有它：{} {old} → {new}",
                    change.what
                ),
                format!(
                    "a published figure changed with no entry in the corrections log: {} {old} → {new}",
                    change.what
                ),
            ),
        )
        .with_hint(Text::new(
            format!("在 {FILE} 的 entries 下加上这一条（改好日期和原因）：\n{entry}"),
            format!("add this under entries in {FILE} (with the right date and reason):\n{entry}"),
        )),
    )
}

/// Today's date (UTC) as `YYYY-MM-DD`, for the entry a warning suggests; never written
/// into the site.
pub fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_log_itself_is_the_log() {
        assert!(is_log(Path::new(FILE)));
        assert!(is_log(&Path::new("data").join("corrections.yaml")));
        for other in [
            "data/villages/corrections.yaml",
            "data/xcorrections.yaml",
            "corrections.yaml",
            "data/corrections.yml",
            "data/schema.yaml",
        ] {
            assert!(!is_log(Path::new(other)), "{other}");
        }
    }

    #[test]
    fn figures_in_the_log_convert_to_the_field_unit() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(figure_value("342元", "万元"), Some(d("0.0342")));
        assert_eq!(figure_value("342", "万元"), Some(d("342")));
        assert_eq!(figure_value("1446人次", "人次"), Some(d("1446")));
        assert_eq!(figure_value("1446户", "人次"), None);
        assert_eq!(figure_value("abc", ""), None);
    }

    #[test]
    fn several_figures_fitting_the_words_are_told_apart_by_new() {
        let figure = |path: &str, label: &str, value: i64| Candidate {
            path: path.to_string(),
            label: label.to_string(),
            unit: "户".to_string(),
            value: Decimal::from(value),
        };
        let two = [
            figure("v.registered.households", "建档立卡户数", 132),
            figure("v.remaining.households", "未脱贫户数", 4),
        ];
        // `new` with the unit, or a value written another way, is the same figure.
        for new in ["132", "132户", "132.0"] {
            let said = several_figures("横溪村户数", new, &two);
            assert!(
                said.zh.starts_with("是不是「v.registered.households」？"),
                "{new}: {}",
                said.zh
            );
            assert!(
                said.en
                    .starts_with("did you mean `v.registered.households`?"),
                "{}",
                said.en
            );
        }
        let said = several_figures("横溪村户数", "5", &two);
        assert_eq!(
            said.en,
            "`横溪村户数` may be any of: v.registered.households (建档立卡户数, 132户), v.remaining.households (未脱贫户数, 4户); write the data path of the one meant as what"
        );
        // Many: the first four, and how many there are.
        let six: Vec<Candidate> = (0..6)
            .map(|i| figure(&format!("v.f{i}"), "户数", i))
            .collect();
        let said = several_figures("户数", "9", &six);
        assert!(
            said.zh
                .starts_with("「户数」可能是 6 个数字中的一个，如：v.f0"),
            "{}",
            said.zh
        );
        assert!(!said.zh.contains("v.f4"), "{}", said.zh);
        assert!(
            said.en.contains("may be any of 6 figures, such as: v.f0"),
            "{}",
            said.en
        );
    }

    #[test]
    fn today_is_a_date() {
        assert!(crate::validate::fields::is_date(&today()));
    }
}

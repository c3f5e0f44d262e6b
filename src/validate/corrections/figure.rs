//! The figure an entry of the corrections log names, and whether the entry says it: `what` a
//! figure of the data (else the one it most likely means), `old` and `new` figures in its
//! unit.

use rust_decimal::Decimal;
use std::path::Path;

use super::entry::Entry;
use super::{Correction, is_log, problem};
use crate::diagnostics::{Diagnostic, Text};
use crate::load::{Data, DataFile, Node, Value};
use crate::validate::schema::{Field, Kind, Schema, did_you_mean};

/// An entry checked on its own: the figure it names is a number of the data, `old` and
/// `new` are figures in its unit and differ. Whether `new` is what the data say is told
/// with the other entries of the same figure ([`super::chain`]): only the last one must be.
pub(super) struct Checked<'n> {
    /// The entry, its `value` the corrected figure in the field's unit.
    pub(super) correction: Correction,
    /// `old` in the field's unit.
    pub(super) was: Decimal,
    /// The figure in the data now, and where it is.
    pub(super) current: (Decimal, crate::diagnostics::Location),
    /// The entry's `old` and `new`, where they are.
    pub(super) old_at: &'n Node,
    pub(super) new_at: &'n Node,
}

/// A well-shaped entry checked against the data: the figure it names, its unit, `old` and
/// `new` figures in it.
pub(super) fn check_entry<'n>(
    entry: Entry<'n>,
    index: usize,
    item: &Node,
    file: &Path,
    (data, schema): (&Data, Option<&Schema>),
    problems: &mut Vec<Diagnostic>,
) -> Option<Checked<'n>> {
    let Entry {
        date,
        what,
        old,
        new,
        reason,
    } = entry;
    let Some((target_file, node, key, field)) = find(data, schema, &what.0) else {
        problems.push(unknown_figure(&what, &new.0, (data, schema), file));
        return None;
    };
    let Value::Number(current) = node.value else {
        return None;
    };
    let unit = field.and_then(|f| f.unit.clone()).unwrap_or_default();
    let (was, value) = match old_and_new((&old, &new), &unit, file) {
        Ok(values) => values,
        Err(problem) => {
            problems.push(problem);
            return None;
        }
    };
    Some(Checked {
        correction: Correction {
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
            old_location: old.1.location(file),
        },
        was,
        current: (current, node.location(&target_file.path)),
        old_at: old.1,
        new_at: new.1,
    })
}

/// The problem of a `what` that names no figure of the data, with the figure it most
/// likely means: a path near it, the path with its file's folders, the figures labelled as
/// it is written (`new`: the corrected value, to tell several apart), or how to write one.
pub(super) fn unknown_figure(
    (what, node): &(String, &Node),
    new: &str,
    (data, schema): (&Data, Option<&Schema>),
    file: &Path,
) -> Diagnostic {
    let tops: Vec<String> = data
        .files
        .iter()
        .filter(|f| !is_log(&f.path))
        .map(|f| f.key_path.join("."))
        .collect();
    let hint = did_you_mean(what, tops.iter().map(String::as_str));
    // The path with its file's folders left out (`health.hospital…` for
    // `policies.health.hospital…`), as a clerk who opened the file itself writes it.
    let whole = what.split_once('.').and_then(|(first, rest)| {
        data.files
            .iter()
            .filter(|f| !is_log(&f.path) && f.key_path.len() > 1)
            .filter(|f| f.key_path.last().is_some_and(|last| last == first.trim()))
            .map(|f| format!("{}.{rest}", f.key_path.join(".")))
            .find(|whole| find(data, schema, whole).is_some())
    });
    // Typed on a Chinese keyboard (`policies．health．…`, `policies。health…`) or with
    // capitals (`Policies.Health…`): the path as it is written in the data.
    let retyped = {
        let half = crate::validate::units::to_half_width(what).replace('。', ".");
        let lower = half.to_lowercase();
        [half, lower]
            .into_iter()
            .find(|path| path != what && find(data, schema, path).is_some())
    };
    // A record named by its name (`villages.南村.registered.households`), as a template
    // may: the path with its file's id.
    let by_name = || {
        let parts: Vec<&str> = what.split('.').collect();
        (0..parts.len()).find_map(|i| {
            let file = data.files.iter().find(|f| {
                !is_log(&f.path)
                    && f.key_path.len() == i + 1
                    && f.key_path[..i].iter().zip(&parts[..i]).all(|(a, b)| a == b)
                    && f.root
                        .get("name")
                        .and_then(|n| n.value.scalar_text())
                        .is_some_and(|name| name.trim() == parts[i].trim())
            })?;
            let mut path: Vec<&str> = parts.clone();
            path[i] = file.key_path[i].as_str();
            let path = path.join(".");
            find(data, schema, &path).is_some().then_some(path)
        })
    };
    let near = retyped.or_else(by_name).or_else(|| {
        whole
            .is_none()
            .then(|| nearest_figure(data, what))
            .flatten()
    });
    let by_label = match (&near, &whole, schema) {
        (None, None, Some(schema)) => figures_by_label(data, schema, what),
        _ => Vec::new(),
    };
    let near = match by_label.as_slice() {
        [only] => Some(only.path.clone()),
        _ => near,
    };
    problem(
        file,
        node,
        format!("what「{what}」不是数据里的一个数字"),
        format!("what `{what}` is not a figure of the data"),
        Some(match (near, whole, hint) {
            _ if by_label.len() > 1 => several_figures(what, new, &by_label),
            (Some(near), _, _) => Text::new(
                format!("是不是「{near}」？"),
                format!("did you mean `{near}`?"),
            ),
            (None, Some(whole), _) => Text::new(
                format!("数据路径从 data 下的第一层文件夹写起：是不是「{whole}」？"),
                format!(
                    "a data path starts at the first folder under data: did you mean `{whole}`?"
                ),
            ),
            (None, None, Some(s)) => Text::new(
                format!(
                    "写数据路径，如 policies.health.hospital.hospitalisations；是不是「{s}.…」？"
                ),
                format!(
                    "write a data path such as policies.health.hospital.hospitalisations; did you mean `{s}.…`?"
                ),
            ),
            (None, None, None) => Text::new(
                "写数据路径：文件（如 policies.health）加上文件里的键（如 hospital.hospitalisations），用 . 连接",
                "write a data path: the file (such as policies.health) and the keys inside it (such as hospital.hospitalisations), joined by dots",
            ),
        }),
    )
}

/// The published and the corrected value: `old` and `new` read as figures in `unit`, the
/// two not the same; else the problem of the first that is not so.
pub(super) fn old_and_new(
    (old, new): (&(String, &Node), &(String, &Node)),
    unit: &str,
    file: &Path,
) -> Result<(Decimal, Decimal), Diagnostic> {
    let read = |(text, node): &(String, &Node), key: &str| {
        figure_value(text, unit).ok_or_else(|| {
            let (zh, en, hint) = not_a_figure(key, text, unit);
            problem(file, node, zh, en, hint)
        })
    };
    let was = read(old, "old")?;
    let value = read(new, "new")?;
    if was.normalize() == value.normalize() {
        return Err(problem(
            file,
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
    }
    Ok((was, value))
}

/// The figure of the data `what` most likely means when a key of it is misspelt
/// (`policies.health.family_doctor.served` for `…served_people`): the path walked from its
/// file, each key not there taken as the closest key there, to a number.
pub(super) fn nearest_figure(data: &Data, what: &str) -> Option<String> {
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
            Value::List(items) => match part.parse::<usize>().ok().and_then(|i| items.get(i)) {
                Some(next) => {
                    path.push(part.to_string());
                    next
                }
                // An item named by a value of it (`exits.2015`, the year): its place.
                None => {
                    let (place, next) = items.iter().enumerate().find(|(_, item)| {
                        matches!(&item.value, Value::Map(fields) if fields.iter().any(|(_, v)| {
                            v.value.scalar_text().is_some_and(|text| text.trim() == *part)
                        }))
                    })?;
                    mended = true;
                    path.push(place.to_string());
                    next
                }
            },
            _ => return None,
        };
    }
    (mended && matches!(node.value, Value::Number(_))).then(|| path.join("."))
}

/// A figure a `what` written in words may mean: its data path, its field's label and unit,
/// and its value now.
#[derive(Debug)]
pub(super) struct Candidate {
    pub(super) path: String,
    pub(super) label: String,
    pub(super) unit: String,
    pub(super) value: Decimal,
}

/// The figure a `what` written in words means (`家庭医生履约服务人数`: the figure whose label,
/// 履约服务人数, it has, among those of its section, 家庭医生签约履约服务): the one whose
/// labels share the most characters with it. A village's figure is found when its name is
/// in the words too (`横溪村建档立卡人数`). When several fit as well (`横溪村户数`: 建档立卡户数
/// and 未脱贫户数), all of them; none when the words are not Chinese or fit no figure.
pub(super) fn figures_by_label(data: &Data, schema: &Schema, written: &str) -> Vec<Candidate> {
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
        let Some(file_schema) = crate::validate::fields::schema_for(schema, &file.path) else {
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
pub(super) fn several_figures(written: &str, new: &str, candidates: &[Candidate]) -> Text {
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
pub(super) fn file_of<'d>(data: &'d Data, parts: &[&str]) -> Option<&'d DataFile> {
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
pub(super) fn find<'d>(
    data: &'d Data,
    schema: Option<&'d Schema>,
    what: &str,
) -> Option<(&'d DataFile, &'d Node, String, Option<&'d Field>)> {
    // (`exits[2]`, as a template writes an item, is `exits.2`.)
    let what = what.replace('[', ".").replace(']', "");
    let parts: Vec<&str> = what
        .split('.')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let file = file_of(data, &parts)?;
    let inside = &parts[file.key_path.len()..];
    let mut node = &file.root;
    let mut field: Option<&Field> = None;
    let mut fields = schema
        .and_then(|s| crate::validate::fields::schema_for(s, &file.path))
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
pub(super) fn walk_key<'d>(file: &'d DataFile, key: &str) -> Option<(&'d Node, String)> {
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
pub(super) fn not_a_figure(key: &str, text: &str, unit: &str) -> (String, String, Option<Text>) {
    let meant = crate::validate::units::to_half_width(text);
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
    if let Some((number, written)) = crate::validate::units::split_number_unit(text)
        && crate::figure::parse_decimal(number).is_ok()
    {
        return (
            format!("{key}「{text}」的单位「{written}」不能换算成这个数字的单位「{unit}」"),
            format!(
                "{key} `{text}`: the unit `{written}` does not convert to the figure's unit `{unit}`"
            ),
            Some(if unit.is_empty() {
                Text::new(
                    format!("这个数字没有单位：写成 {key}: {number}"),
                    format!("the figure has no unit: write {key}: {number}"),
                )
            } else {
                Text::new(
                    format!(
                        "这个数字的单位是「{unit}」：写成 {key}: {number}（或 {number}{unit}）"
                    ),
                    format!(
                        "the figure's unit is `{unit}`: write {key}: {number} (or {number}{unit})"
                    ),
                )
            }),
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
pub(super) fn figure_value(text: &str, unit: &str) -> Option<Decimal> {
    let text = text.trim();
    if let Ok(n) = crate::figure::parse_decimal(text) {
        return Some(n);
    }
    let (number, written) = crate::validate::units::split_number_unit(text)?;
    let n = crate::figure::parse_decimal(number).ok()?;
    if written == unit {
        return Some(n);
    }
    crate::validate::units::convert(n, written, unit)
}

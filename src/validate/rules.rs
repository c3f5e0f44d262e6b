//! Evaluates the schema's consistency rules over the checked data.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::expr::{DataIndex, EvalError, Evaluator, Expr, Segment, Val, describe_en, describe_zh};
use super::schema::{Field, Kind, Rule, Schema, did_you_mean};
use crate::diagnostics::{Diagnostic, Location, Severity, Text};
use crate::load::{Data, Node, Value};

/// The most values a rule's message lists (a sum over thousands of villages lists the first).
const MAX_LISTED: usize = 30;

/// Every rule that does not hold, as diagnostics (information when explained).
///
/// `since` says which data files changed since the last good build, when one is known: a
/// failed rule over many files is located in a changed file it read, where the fault most
/// likely is; otherwise (and when a file was removed) at the total (the value read
/// directly, not as one of many parts), and the removed files are named.
/// A rule that reads a value already reported as unreadable (text where a number belongs)
/// is skipped, and the skipped rules are named once in a note.
pub fn check(schema: &Schema, data: &Data, since: Option<&super::Since>) -> Vec<Diagnostic> {
    let index = DataIndex::new(data);
    let unreadable = unreadable_values(schema, data);
    // A removed file may be the fault itself: then nothing that changed is blamed.
    let changed = since.filter(|s| s.removed.is_empty()).map(|s| &s.changed);
    let removed = since.map_or(&[][..], |s| s.removed.as_slice());
    let judge = Judge {
        changed,
        removed,
        unreadable: &unreadable,
    };
    let (bad_paths, mut problems) = check_paths(schema);
    let mut skipped: Vec<&str> = Vec::new();
    for rule in schema.rules.iter().filter(|r| !bad_paths.contains(&r.id)) {
        let mut outcomes = Vec::new();
        match &rule.each {
            None => {
                let mut evaluator = Evaluator::new(&index);
                outcomes.push(judge.check_once(rule, &mut evaluator));
            }
            Some((var, path)) => {
                let mut evaluator = Evaluator::new(&index);
                let places = match evaluator.places(path) {
                    Ok(places) => places,
                    Err(error) => {
                        problems.push(eval_failed(rule, &error));
                        continue;
                    }
                };
                for place in places {
                    let mut evaluator = Evaluator::new(&index);
                    evaluator.vars.push((var.clone(), place));
                    outcomes.push(judge.check_once(rule, &mut evaluator));
                }
            }
        }
        for outcome in outcomes {
            match outcome {
                Outcome::Holds => {}
                Outcome::Fails(d) => problems.push(*d),
                Outcome::Skipped => {
                    if !skipped.contains(&rule.id.as_str()) {
                        skipped.push(&rule.id);
                    }
                }
            }
        }
    }
    if !skipped.is_empty() {
        let list = skipped.join("、");
        let list_en = skipped.join(", ");
        problems.push(
            Diagnostic::new(
                Severity::Info,
                "rule-skipped",
                None,
                Text::new(
                    format!(
                        "{} 条规则没有检查，因为它们读到的值有错误（见上面的错误）：{list}",
                        skipped.len()
                    ),
                    format!(
                        "{} rule(s) were not checked because they read a value with an error (see the errors above): {list_en}",
                        skipped.len()
                    ),
                ),
            )
            .with_hint(Text::new(
                "改正上面的错误后，这些规则会重新检查",
                "once the errors above are fixed, these rules are checked again",
            )),
        );
    }
    problems
}

/// The places of values that field checks already reported as unreadable: text where a
/// number, a true/false, a date or one of the listed values belongs.
fn unreadable_values(schema: &Schema, data: &Data) -> HashSet<(PathBuf, u32, u32)> {
    fn walk(field: &Field, node: &Node, file: &Path, out: &mut HashSet<(PathBuf, u32, u32)>) {
        let bad = match (&field.kind, &node.value) {
            (_, Value::Null) => false,
            (kind, value) if kind.is_numeric() => !matches!(value, Value::Number(_)),
            (Kind::Bool, value) => !matches!(value, Value::Bool(_)),
            (Kind::Enum(values), Value::String(s)) => !values.contains(s),
            (Kind::Enum(_), _) => true,
            (Kind::Record(fields), Value::Map(entries)) => {
                for (key, value) in entries {
                    if let Some((_, f)) = fields.iter().find(|(n, _)| *n == key.name) {
                        walk(f, value, file, out);
                    }
                }
                false
            }
            (Kind::List(item), Value::List(items)) => {
                for value in items {
                    walk(item, value, file, out);
                }
                false
            }
            _ => false,
        };
        if bad {
            out.insert((file.to_path_buf(), node.line, node.col));
        }
    }
    let mut out = HashSet::new();
    for file in &data.files {
        if let Some(file_schema) = super::fields::schema_for(schema, &file.path) {
            let record = Field::record(file_schema.fields.clone(), 0, 0);
            walk(&record, &file.root, &file.path, &mut out);
        }
    }
    out
}

fn eval_failed(rule: &Rule, error: &EvalError) -> Diagnostic {
    let mut d = Diagnostic::error(
        "rule-eval",
        Some(rule.location.clone()),
        Text::new(
            format!("规则「{}」无法计算：{}", rule.id, error.zh),
            format!("rule `{}` cannot be evaluated: {}", rule.id, error.en),
        ),
    )
    .with_hint(Text::new(
        "检查规则里的数据路径是否与数据文件的键名一致",
        "check that the rule's data paths match the keys of the data files",
    ));
    d.rule = Some(rule.id.clone());
    d
}

/// What checking a rule once gave.
enum Outcome {
    Holds,
    Fails(Box<Diagnostic>),
    /// It read a value that is already reported as unreadable.
    Skipped,
}

/// What the rules know beyond the data: what changed, what is unreadable.
struct Judge<'j> {
    changed: Option<&'j HashSet<PathBuf>>,
    removed: &'j [PathBuf],
    unreadable: &'j HashSet<(PathBuf, u32, u32)>,
}

impl Judge<'_> {
    fn read_unreadable(&self, evaluator: &Evaluator<'_, '_>) -> bool {
        !self.unreadable.is_empty()
            && evaluator.readings.iter().any(|r| {
                self.unreadable
                    .contains(&(r.file.to_path_buf(), r.node.line, r.node.col))
            })
    }

    fn check_once(&self, rule: &Rule, evaluator: &mut Evaluator<'_, '_>) -> Outcome {
        let result = evaluator.eval(&rule.check);
        if self.read_unreadable(evaluator) {
            return Outcome::Skipped;
        }
        let holds = match result {
            Ok(Val::Bool(holds)) => holds,
            Ok(other) => {
                let error = EvalError {
                    zh: format!("check 的结果应是真假值，这里是{}", describe_zh(&other)),
                    en: format!(
                        "check must give true or false, found {}",
                        describe_en(&other)
                    ),
                };
                return Outcome::Fails(Box::new(eval_failed(rule, &error)));
            }
            Err(error) => return Outcome::Fails(Box::new(eval_failed(rule, &error))),
        };
        if holds {
            return Outcome::Holds;
        }
        let readings = std::mem::take(&mut evaluator.readings);
        // The measured sides of a comparison, for the message; and the value a side states
        // directly (`… == township.registered.households`): the total, or the subset.
        let mut stated = None;
        let gap = match &rule.check {
            Expr::Binary(op, left, right)
                if matches!(op.symbol(), "==" | "!=" | "<" | "<=" | ">" | ">=") =>
            {
                let a = evaluator.eval(left);
                let left_reads = std::mem::take(&mut evaluator.readings);
                let b = evaluator.eval(right);
                let right_reads = std::mem::take(&mut evaluator.readings);
                for (side, reads) in [(left, left_reads), (right, right_reads)] {
                    if stated.is_none() && matches!(**side, Expr::Path(_)) && reads.len() == 1 {
                        stated = reads.into_iter().next();
                    }
                }
                match (a, b) {
                    (Ok(Val::Number(a)), Ok(Val::Number(b))) => Some((a, b, a.checked_sub(b))),
                    _ => None,
                }
            }
            _ => None,
        };
        let (mut zh, mut en) = (rule.message.zh.clone(), rule.message.en.clone());
        if let Some((a, b, difference)) = gap {
            let (a, b) = (shown(a), shown(b));
            match difference {
                Some(difference) => {
                    let difference = shown(difference);
                    zh.push_str(&format!("（左边 {a}，右边 {b}，相差 {difference}）"));
                    en.push_str(&format!(" (left {a}, right {b}, difference {difference})"));
                }
                None => {
                    zh.push_str(&format!("（左边 {a}，右边 {b}）"));
                    en.push_str(&format!(" (left {a}, right {b})"));
                }
            }
        }
        let mut severity = rule.severity;
        if let Some(explained) = &rule.explained {
            evaluator.readings.clear();
            match evaluator.eval(&explained.within) {
                Ok(Val::Bool(true)) => {
                    zh.push_str(&format!("。已说明：{}", explained.reason.zh));
                    en.push_str(&format!(". Explained: {}", explained.reason.en));
                    severity = Severity::Info;
                }
                Ok(Val::Bool(false)) => {
                    zh.push_str(&format!(
                        "。这个差距超出了 explained 所说明的范围（{}），说明不适用：{}",
                        explained.within_text, explained.reason.zh
                    ));
                    en.push_str(&format!(
                        ". The gap is outside what explained covers ({}), so the explanation does not apply: {}",
                        explained.within_text, explained.reason.en
                    ));
                    severity = Severity::Error;
                }
                Ok(other) => {
                    let error = EvalError {
                        zh: format!(
                            "explained 的 within 应是真假值（比较的结果），这里是{}",
                            describe_zh(&other)
                        ),
                        en: format!(
                            "explained's within must give true or false, found {}",
                            describe_en(&other)
                        ),
                    };
                    return Outcome::Fails(Box::new(eval_failed(rule, &error)));
                }
                Err(error) => return Outcome::Fails(Box::new(eval_failed(rule, &error))),
            }
        }
        let location = self
            .blame(&readings, stated.as_ref())
            .map(|r| r.node.location(r.file))
            .unwrap_or_else(|| rule.location.clone());
        let mut d = Diagnostic::new(severity, "rule", Some(location), Text::new(zh, en));
        d.rule = Some(rule.id.clone());
        d.hint = rule.hint.clone();
        let mut seen = HashSet::new();
        let mut listed = 0;
        for reading in &readings {
            if !seen.insert((reading.file, reading.node.line, reading.node.col)) {
                continue;
            }
            listed += 1;
            if listed > MAX_LISTED {
                continue;
            }
            let value = match &reading.node.value {
                Value::Number(n) => format!(" = {n}"),
                Value::String(s) => format!(" = {s}"),
                Value::Bool(b) => format!(" = {b}"),
                Value::Null => " = null".to_string(),
                // A whole file or record, counted.
                Value::List(_) | Value::Map(_) => String::new(),
            };
            let what = format!("{}{value}", reading.path);
            d.related.push((
                reading.node.location(reading.file),
                Text::new(what.clone(), what),
            ));
        }
        if listed > MAX_LISTED {
            let more = listed - MAX_LISTED;
            d.related.push((
                Location::file(rule.location.file.clone()),
                Text::new(
                    format!("…另有 {more} 个值"),
                    format!("… and {more} more values"),
                ),
            ));
        }
        for gone in self.removed {
            d.related.push((
                Location::file(gone.clone()),
                Text::new("上次生成以来删除了这个文件", "removed since the last build"),
            ));
        }
        d.related
            .push((rule.location.clone(), Text::new("规则定义", "the rule")));
        Outcome::Fails(Box::new(d))
    }

    /// Where a failed rule's fault most likely is: a value in a file that changed since the
    /// last good build; else the value a side of the comparison states directly (a total,
    /// a stated rate, the subset); else the first value read directly, not one of many
    /// summed or counted parts; else the first value read.
    fn blame<'r, 'a>(
        &self,
        readings: &'r [super::expr::Reading<'a>],
        stated: Option<&'r super::expr::Reading<'a>>,
    ) -> Option<&'r super::expr::Reading<'a>> {
        let in_changed = self.changed.and_then(|changed| {
            let changed_file = |r: &&super::expr::Reading<'a>| changed.contains(r.file);
            stated
                .filter(changed_file)
                .or_else(|| {
                    readings
                        .iter()
                        .filter(changed_file)
                        .find(|r| !r.in_aggregate)
                })
                .or_else(|| readings.iter().find(changed_file))
        });
        in_changed
            .or(stated)
            .or_else(|| readings.iter().find(|r| !r.in_aggregate))
            .or(readings.first())
    }
}

/// A measured value for a message: exact up to 10 decimal places, else rounded and marked ≈.
fn shown(value: rust_decimal::Decimal) -> String {
    let rounded = crate::figure::round_half_up(value, 10).normalize();
    if rounded == value.normalize() {
        value.normalize().to_string()
    } else {
        format!("≈{rounded}")
    }
}

/// What a path reaches, as the schema declares it.
#[derive(Clone, Copy)]
enum Shape<'s> {
    /// Not known (a mapping of free keys, a mix): anything goes.
    Any,
    /// A data folder: its file patterns under one name (`villages/*.yaml`, `policies/health.yaml`).
    Folder,
    /// A record with declared fields.
    Record(&'s [(String, Field)]),
    /// A list of items.
    List(&'s Field),
    /// A single value.
    Scalar,
}

fn shape_of(field: &Field) -> Shape<'_> {
    match &field.kind {
        Kind::Record(fields) => Shape::Record(fields),
        Kind::List(item) => Shape::List(item),
        _ => Shape::Scalar,
    }
}

/// The file patterns below data folder `folder` (`villages`, `policies`): (name or `*`, fields).
fn folder_entries<'s>(schema: &'s Schema, folder: &str) -> Vec<(&'s str, &'s [(String, Field)])> {
    schema
        .files
        .iter()
        .filter_map(|f| {
            let rest = f.pattern.strip_prefix(folder)?.strip_prefix('/')?;
            let name = rest
                .strip_suffix(".yaml")
                .or_else(|| rest.strip_suffix(".yml"))?;
            (!name.contains('/')).then_some((name, f.fields.as_slice()))
        })
        .collect()
}

fn root_shape<'s>(schema: &'s Schema, name: &str) -> Option<Shape<'s>> {
    for file in &schema.files {
        let stem = file
            .pattern
            .trim_end_matches(".yaml")
            .trim_end_matches(".yml");
        if stem == name {
            return Some(Shape::Record(&file.fields));
        }
    }
    (!folder_entries(schema, name).is_empty()).then_some(Shape::Folder)
}

/// Rule paths checked against the schema: a misspelt field is reported when the schema is
/// read, instead of making the rule fail (or pass) for the wrong reason. Returns the ids of
/// rules with a bad path and the diagnostics.
pub fn check_paths(schema: &Schema) -> (Vec<String>, Vec<Diagnostic>) {
    let mut bad = Vec::new();
    let mut problems = Vec::new();
    for rule in &schema.rules {
        let mut vars: Vec<(String, Shape<'_>)> = Vec::new();
        let mut errors = Vec::new();
        if let Some((var, path)) = &rule.each {
            let shape = walk_expr(schema, path, &vars, None, &mut errors);
            vars.push((var.clone(), shape.unwrap_or(Shape::Any)));
        }
        walk_expr(schema, &rule.check, &vars, None, &mut errors);
        if let Some(explained) = &rule.explained {
            walk_expr(schema, &explained.within, &vars, None, &mut errors);
        }
        if !errors.is_empty() {
            bad.push(rule.id.clone());
        }
        for (zh, en) in errors {
            let mut d = Diagnostic::error(
                "rule-path",
                Some(rule.location.clone()),
                Text::new(
                    format!("规则「{}」的路径有误：{zh}", rule.id),
                    format!("rule `{}` has a bad path: {en}", rule.id),
                ),
            )
            .with_hint(Text::new(
                "路径要用数据文件里的键名，见 data/schema.yaml 的 files",
                "paths use the keys of the data files, as declared under files in data/schema.yaml",
            ));
            d.rule = Some(rule.id.clone());
            problems.push(d);
        }
    }
    (bad, problems)
}

type PathErrors = Vec<(String, String)>;

/// Checks the paths in `expr`; returns the shape of `expr` when it is a path.
fn walk_expr<'s>(
    schema: &'s Schema,
    expr: &Expr,
    vars: &[(String, Shape<'s>)],
    item: Option<Shape<'s>>,
    errors: &mut PathErrors,
) -> Option<Shape<'s>> {
    match expr {
        Expr::Path(segments) => walk_path(schema, segments, vars, item, errors),
        Expr::Negate(inner) | Expr::Not(inner) => {
            walk_expr(schema, inner, vars, item, errors);
            None
        }
        Expr::Binary(_, a, b) => {
            walk_expr(schema, a, vars, item, errors);
            walk_expr(schema, b, vars, item, errors);
            None
        }
        Expr::Call(_, args) => {
            for arg in args {
                walk_expr(schema, arg, vars, item, errors);
            }
            None
        }
        _ => None,
    }
}

fn walk_path<'s>(
    schema: &'s Schema,
    segments: &[Segment],
    vars: &[(String, Shape<'s>)],
    item: Option<Shape<'s>>,
    errors: &mut PathErrors,
) -> Option<Shape<'s>> {
    let Some(Segment::Key(first)) = segments.first() else {
        return None;
    };
    let written = |upto: usize| -> String {
        segments[..upto]
            .iter()
            .map(|s| match s {
                Segment::Key(k) => k.clone(),
                Segment::Every => "*".into(),
                Segment::Index(i) => i.to_string(),
                Segment::Filter(_) => "[…]".into(),
            })
            .collect::<Vec<_>>()
            .join(".")
    };
    let item_field = item.and_then(|shape| match shape {
        Shape::Record(fields) => fields
            .iter()
            .find(|(n, _)| n == first)
            .map(|(_, f)| shape_of(f)),
        Shape::Any => Some(Shape::Any),
        _ => None,
    });
    let mut shape = if let Some(shape) = item_field {
        shape
    } else if let Some((_, shape)) = vars.iter().rev().find(|(n, _)| n == first) {
        *shape
    } else if let Some(shape) = root_shape(schema, first) {
        shape
    } else {
        let mut names: Vec<&str> = schema
            .files
            .iter()
            .filter_map(|f| f.pattern.split(['/', '.']).next())
            .collect();
        if let Some(Shape::Record(fields)) = item {
            names.extend(fields.iter().map(|(n, _)| n.as_str()));
        }
        names.sort_unstable();
        names.dedup();
        let hint = did_you_mean(first, names.iter().copied())
            .map(|s| {
                (
                    format!("，是不是「{s}」？"),
                    format!("; did you mean `{s}`?"),
                )
            })
            .unwrap_or_default();
        errors.push((
            format!("数据里没有「{first}」{}", hint.0),
            format!("there is no `{first}` in the data{}", hint.1),
        ));
        return None;
    };
    let mut folder_name = first.as_str();
    for (i, segment) in segments.iter().enumerate().skip(1) {
        shape = match (shape, segment) {
            (Shape::Any, Segment::Filter(condition)) => {
                walk_expr(schema, condition, vars, Some(Shape::Any), errors);
                Shape::Any
            }
            (Shape::Any, _) => Shape::Any,
            (Shape::Folder, Segment::Key(name)) => {
                let entries = folder_entries(schema, folder_name);
                match entries
                    .iter()
                    .find(|(n, _)| n == name)
                    .or_else(|| entries.iter().find(|(n, _)| n.contains('*')))
                {
                    Some((_, fields)) => Shape::Record(fields),
                    None => {
                        let nested =
                            !folder_entries(schema, &format!("{folder_name}/{name}")).is_empty();
                        if nested {
                            folder_name = "";
                            Shape::Any
                        } else {
                            let names = entries.iter().map(|(n, _)| *n);
                            let hint = did_you_mean(name, names)
                                .map(|s| {
                                    (
                                        format!("，是不是「{s}」？"),
                                        format!("; did you mean `{s}`?"),
                                    )
                                })
                                .unwrap_or_default();
                            errors.push((
                                format!("{} 下没有数据文件「{name}」{}", written(i), hint.0),
                                format!(
                                    "there is no data file `{name}` in {}{}",
                                    written(i),
                                    hint.1
                                ),
                            ));
                            return None;
                        }
                    }
                }
            }
            (Shape::Folder, Segment::Every | Segment::Filter(_)) => {
                let entries = folder_entries(schema, folder_name);
                let record = match entries.as_slice() {
                    [(_, fields)] => Shape::Record(fields),
                    _ => Shape::Any,
                };
                if let Segment::Filter(condition) = segment {
                    walk_expr(schema, condition, vars, Some(record), errors);
                    // A filter keeps the folder's records; `.field` may follow directly.
                }
                record
            }
            (Shape::Folder, Segment::Index(_)) => Shape::Any,
            (Shape::Record(fields), Segment::Key(name)) => {
                match fields.iter().find(|(n, _)| n == name) {
                    Some((_, field)) => shape_of(field),
                    None => {
                        let hint = did_you_mean(name, fields.iter().map(|(n, _)| n.as_str()))
                            .map(|s| {
                                (
                                    format!("，是不是「{s}」？"),
                                    format!("; did you mean `{s}`?"),
                                )
                            })
                            .unwrap_or_default();
                        errors.push((
                            format!("{} 没有字段「{name}」{}", written(i), hint.0),
                            format!("{} has no field `{name}`{}", written(i), hint.1),
                        ));
                        return None;
                    }
                }
            }
            (Shape::Record(fields), Segment::Filter(condition)) => {
                walk_expr(schema, condition, vars, Some(Shape::Record(fields)), errors);
                Shape::Record(fields)
            }
            (Shape::Record(_), _) => Shape::Any,
            (Shape::List(item), Segment::Every | Segment::Index(_)) => shape_of(item),
            (Shape::List(item), Segment::Filter(condition)) => {
                walk_expr(schema, condition, vars, Some(shape_of(item)), errors);
                shape_of(item)
            }
            (Shape::List(_), Segment::Key(name)) => {
                errors.push((
                    format!(
                        "{} 是列表：用 {}.*.{name} 取每一项的「{name}」",
                        written(i),
                        written(i)
                    ),
                    format!(
                        "{} is a list: write {}.*.{name} for each item's `{name}`",
                        written(i),
                        written(i)
                    ),
                ));
                return None;
            }
            (Shape::Scalar, _) => {
                errors.push((
                    format!("{} 是单个值，后面不能再接「.」", written(i)),
                    format!("{} is a single value; nothing can follow it", written(i)),
                ));
                return None;
            }
        };
    }
    Some(shape)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn schema(rules: &str) -> Schema {
        let text = format!(
            "files:\n  township.yaml:\n    fields:\n      registered:\n        fields:\n          households: count\n  villages/*.yaml:\n    fields:\n      status: text\n      exits:\n        type: list\n        items:\n          fields:\n            year: year\nrules:\n{rules}"
        );
        let node = crate::load::yaml::parse(&text, Path::new("data/schema.yaml")).unwrap();
        super::super::schema::parse(&node).unwrap()
    }

    fn path_errors(check: &str) -> Vec<String> {
        let s = schema(&format!(
            "  - id: r\n    message: m\n    check: '{check}'\n"
        ));
        check_paths(&s)
            .1
            .into_iter()
            .map(|d| d.message.en)
            .collect()
    }

    #[test]
    fn misspelt_paths_are_reported_with_a_suggestion() {
        assert!(
            path_errors("township.registered.households == sum(villages.*.exits.*.year)")
                .is_empty()
        );
        assert!(path_errors("count(villages[status == \"x\"]) == 1").is_empty());
        let e = path_errors("township.registred.households == 1");
        assert!(
            e[0].contains("has no field `registred`; did you mean `registered`?"),
            "{e:?}"
        );
        let e = path_errors("count(villages[statuss == \"x\"]) == 1");
        assert!(
            e[0].contains("`statuss`") && e[0].contains("`status`"),
            "{e:?}"
        );
        let e = path_errors("sum(villages.*.exits.year) == 1");
        assert!(e[0].contains("is a list"), "{e:?}");
        let e = path_errors("towship.registered.households == 1");
        assert!(e[0].contains("did you mean `township`"), "{e:?}");
    }
}

//! Evaluates the schema's consistency rules over the checked data.

// Sets of places and of items looked up for each of 10,000 villages at each rebuild of the
// preview: hashed with FxHash (never iterated: their order is not read).
use rustc_hash::FxHashSet as HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod paths;

use rust_decimal::Decimal;

use super::expr::{
    DataIndex, EvalError, Evaluator, Expr, Place, Segment, Val, describe_en, describe_zh,
};
use super::schema::{Field, Kind, Rule, Schema};
use crate::diagnostics::{Diagnostic, Location, Severity, Text};
use crate::load::{Data, DataFile, Node, Value};
pub use paths::check_paths;

/// What the rules found in the last build of the preview, for the next: an `each` rule that
/// reads nothing but its item held for an item last time, and holds again while the item's
/// file is the same one (shared by pointer: the load and field caches hand on unchanged
/// files). A one-village correction checks one village's rules, not 10,000.
#[derive(Debug, Default)]
pub struct Cache {
    /// The files of the last build, kept so that no other file can take their addresses
    /// (held, never read).
    #[allow(dead_code)]
    files: Vec<Arc<DataFile>>,
    /// Each rule of the last build that reads only its item, with the items it held for (by
    /// the addresses of their file and value).
    held: Vec<(Rule, HashSet<(usize, usize)>)>,
}

/// An item of an `each` rule by the addresses of its file and value (see [`Cache`]).
fn item_key(place: &Place<'_>) -> (usize, usize) {
    let (file, node) = match place {
        Place::Node(reading) => (reading.data_file, reading.node),
        Place::File(file) => (*file, &file.root),
    };
    (
        std::ptr::from_ref(file) as usize,
        std::ptr::from_ref(node) as usize,
    )
}

/// Whether `rule`, an `each` rule, reads nothing but its item: no path of its check starts
/// at a top-level name of the data (`township.…`) rather than at the item (`v.…`).
fn reads_only_its_item(rule: &Rule, index: &DataIndex<'_>) -> bool {
    fn paths_stay(expr: &Expr, var: &str, index: &DataIndex<'_>) -> bool {
        match expr {
            Expr::Number(_) | Expr::Text(_) | Expr::Bool(_) | Expr::Null => true,
            Expr::Path(segments) => {
                let starts_at_data = matches!(segments.first(),
                    Some(Segment::Key(first)) if first != var && index.has(first));
                !starts_at_data
                    && segments.iter().all(|segment| match segment {
                        Segment::Filter(condition) => paths_stay(condition, var, index),
                        _ => true,
                    })
            }
            Expr::Negate(inner) | Expr::Not(inner) => paths_stay(inner, var, index),
            Expr::Binary(_, left, right) => {
                paths_stay(left, var, index) && paths_stay(right, var, index)
            }
            Expr::Call(_, args) => args.iter().all(|arg| paths_stay(arg, var, index)),
        }
    }
    rule.each
        .as_ref()
        .is_some_and(|(var, _)| paths_stay(&rule.check, var, index))
}

/// The most values a rule's message lists (a sum over thousands of villages lists the first).
const MAX_LISTED: usize = 30;

/// Every rule that does not hold, as diagnostics (information when explained).
///
/// `since` says which data files changed since the last good build, when one is known: a
/// failed rule over many files is located in a changed file it read, where the fault most
/// likely is; otherwise (and when a file was removed) at the total (the value read
/// directly, not as one of many parts), and the removed files are named.
/// A rule that reads a value already reported as unreadable (text where a number belongs)
/// is skipped, and the skipped rules are named once in a note (`field_errors`: whether the
/// field checks found any error).
///
/// The preview passes a `cache` of what held last time (see [`Cache`]).
pub fn check(
    schema: &Schema,
    data: &Data,
    (since, field_errors): (Option<&super::Since>, bool),
    cache: Option<&mut Cache>,
) -> Vec<Diagnostic> {
    let index = DataIndex::new(data);
    let mut held_now = Vec::new();
    // With no field errors, no value was reported unreadable.
    let unreadable = if field_errors {
        unreadable_values(schema, data)
    } else {
        Reported::default()
    };
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
                // An item it held for last time, in the same file, it holds for again.
                let local = cache.is_some() && reads_only_its_item(rule, &index);
                let held_before = cache
                    .as_deref()
                    .filter(|_| local)
                    .and_then(|c| c.held.iter().find(|(r, _)| r == rule))
                    .map(|(_, held)| held);
                // Each place is checked on its own: on every core (10,000 villages).
                use rayon::prelude::*;
                let checked: Vec<((usize, usize), Outcome)> = places
                    .into_par_iter()
                    .with_min_len(256)
                    .map(|place| {
                        let key = item_key(&place);
                        if held_before.is_some_and(|held| held.contains(&key)) {
                            return (key, Outcome::Holds);
                        }
                        let mut evaluator = Evaluator::new(&index);
                        evaluator.vars.push((var.clone(), place));
                        (key, judge.check_once(rule, &mut evaluator))
                    })
                    .collect();
                if local {
                    let mut held =
                        HashSet::with_capacity_and_hasher(checked.len(), Default::default());
                    held.extend(
                        checked
                            .iter()
                            .filter(|(_, outcome)| matches!(outcome, Outcome::Holds))
                            .map(|(key, _)| *key),
                    );
                    held_now.push((rule.clone(), held));
                }
                outcomes = checked.into_iter().map(|(_, outcome)| outcome).collect();
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
    if let Some(cache) = cache {
        *cache = Cache {
            files: data.files.clone(),
            held: held_now,
        };
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
                        "{} 条规则没有检查，因为它们读到的值有错误或缺少（见上面的错误）：{list}",
                        skipped.len()
                    ),
                    format!(
                        "{} rule(s) were not checked because they read a value with an error or one left out (see the errors above): {list_en}",
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

/// What the field checks already reported, which a rule reading it is skipped for.
#[derive(Default)]
struct Reported {
    /// The places of values unreadable or refused: text where a number, a true/false, a
    /// date or one of the listed values belongs; a number out of its field's range, not
    /// whole where it must be, with too many decimals.
    values: HashSet<(PathBuf, u32, u32)>,
    /// The required values left out (not there, or with no value), and every value left
    /// out of a record that has a key the schema does not have: their record's place and
    /// their key.
    left_out: HashSet<(PathBuf, u32, u32, Box<str>)>,
}

/// What the field checks of `data` already reported (see [`Reported`]).
fn unreadable_values(schema: &Schema, data: &Data) -> Reported {
    fn walk(field: &Field, node: &Node, file: &Path, out: &mut Reported) {
        let bad = match (&field.kind, &node.value) {
            (_, Value::Null) => false,
            // A number the field checks refuse (132.5 households, -468 people) is reported
            // there: a sum it puts out would only repeat it.
            (kind, Value::Number(n)) if kind.is_numeric() => field.refuses(*n),
            (kind, _) if kind.is_numeric() => true,
            (Kind::Bool, value) => !matches!(value, Value::Bool(_)),
            (Kind::Enum(values), Value::String(s)) => !values.iter().any(|v| **v == **s),
            (Kind::Enum(_), _) => true,
            (Kind::Record(fields), _) => {
                walk_record(fields, node, file, out);
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
            out.values.insert((file.to_path_buf(), node.line, node.col));
        }
    }
    fn walk_record(fields: &[(String, Field)], record: &Node, file: &Path, out: &mut Reported) {
        if let Value::Map(entries) = &record.value {
            let mut next = 0;
            // A key the schema does not have (reported by the field checks) may hold the
            // value of a field the record lacks (`退出年度: 2018` for `exit_year`): what the
            // rules would say of its missing fields only repeats that.
            let mut unknown_key = false;
            for (key, value) in entries {
                match crate::validate::fields::schema_field(fields, &key.name, &mut next) {
                    Some((_, f)) => walk(f, value, file, out),
                    None => unknown_key = true,
                }
            }
            for (name, _) in fields.iter().filter(|(_, f)| f.required || unknown_key) {
                let given = record.get(name).is_some_and(|v| v.value != Value::Null);
                if !given {
                    let place = (file.to_path_buf(), record.line, record.col);
                    out.left_out
                        .insert((place.0, place.1, place.2, name.as_str().into()));
                }
            }
        }
    }
    let mut out = Reported::default();
    for file in &data.files {
        if let Some(file_schema) = super::fields::schema_for(schema, &file.path) {
            walk_record(&file_schema.fields, &file.root, &file.path, &mut out);
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
    changed: Option<&'j std::collections::HashSet<PathBuf>>,
    removed: &'j [PathBuf],
    unreadable: &'j Reported,
}

impl Judge<'_> {
    /// Whether the rule read what the field checks reported: a value unreadable, a required
    /// value left out.
    fn read_unreadable(&self, evaluator: &Evaluator<'_, '_>) -> bool {
        let Reported { values, left_out } = self.unreadable;
        let read_value = !values.is_empty()
            && evaluator
                .readings
                .iter()
                .any(|r| values.contains(&(r.file().to_path_buf(), r.node.line, r.node.col)));
        read_value
            || !left_out.is_empty()
                && evaluator.left_out.iter().any(|l| {
                    let (record, key) = (l.record, l.key.clone());
                    left_out.contains(&(l.data_file.path.clone(), record.line, record.col, key))
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
        let (gap, stated) = measure(&rule.check, evaluator);
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
        let severity = match explain(rule, evaluator, &mut zh, &mut en) {
            Ok(severity) => severity,
            Err(error) => return Outcome::Fails(Box::new(eval_failed(rule, &error))),
        };
        let location = self
            .blame(&readings, stated.as_ref())
            .map(|r| r.node.location(r.file()))
            .unwrap_or_else(|| rule.location.clone());
        let mut d = Diagnostic::new(severity, "rule", Some(location), Text::new(zh, en));
        d.rule = Some(rule.id.clone());
        d.hint = rule.hint.clone();
        d.related = values_read(&readings, &rule.location);
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
            let changed_file = |r: &&super::expr::Reading<'a>| changed.contains(r.file());
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

/// A failed comparison measured: both sides and their difference (`None` when it overflows),
/// and the value a side states directly (`… == township.registered.households`): the total,
/// or the subset.
type Gap = (Decimal, Decimal, Option<Decimal>);

fn measure<'a>(
    check: &Expr,
    evaluator: &mut Evaluator<'a, '_>,
) -> (Option<Gap>, Option<super::expr::Reading<'a>>) {
    let Expr::Binary(op, left, right) = check else {
        return (None, None);
    };
    if !matches!(op.symbol(), "==" | "!=" | "<" | "<=" | ">" | ">=") {
        return (None, None);
    }
    let a = evaluator.eval(left);
    let left_reads = std::mem::take(&mut evaluator.readings);
    let b = evaluator.eval(right);
    let right_reads = std::mem::take(&mut evaluator.readings);
    let mut stated = None;
    for (side, reads) in [(left, left_reads), (right, right_reads)] {
        if stated.is_none() && matches!(**side, Expr::Path(_)) && reads.len() == 1 {
            stated = reads.into_iter().next();
        }
    }
    let gap = match (a, b) {
        (Ok(Val::Number(a)), Ok(Val::Number(b))) => Some((a, b, a.checked_sub(b))),
        _ => None,
    };
    (gap, stated)
}

/// The severity of a failed rule, after its explanation if it has one: a note inside the
/// gap the explanation covers, an error outside it (the message says which).
fn explain(
    rule: &Rule,
    evaluator: &mut Evaluator<'_, '_>,
    zh: &mut String,
    en: &mut String,
) -> Result<Severity, EvalError> {
    let Some(explained) = &rule.explained else {
        return Ok(rule.severity);
    };
    evaluator.readings.clear();
    match evaluator.eval(&explained.within)? {
        Val::Bool(true) => {
            zh.push_str(&format!("。已说明：{}", explained.reason.zh));
            en.push_str(&format!(". Explained: {}", explained.reason.en));
            Ok(Severity::Info)
        }
        Val::Bool(false) => {
            zh.push_str(&format!(
                "。这个差距超出了 explained 所说明的范围（{}），说明不适用：{}",
                explained.within_text, explained.reason.zh
            ));
            en.push_str(&format!(
                ". The gap is outside what explained covers ({}), so the explanation does not apply: {}",
                explained.within_text, explained.reason.en
            ));
            Ok(Severity::Error)
        }
        other => Err(EvalError {
            zh: format!(
                "explained 的 within 应是真假值（比较的结果），这里是{}",
                describe_zh(&other)
            ),
            en: format!(
                "explained's within must give true or false, found {}",
                describe_en(&other)
            ),
        }),
    }
}

/// Every value a failed rule read, once each, with its place (the first [`MAX_LISTED`],
/// then how many more).
fn values_read(readings: &[super::expr::Reading<'_>], rule: &Location) -> Vec<(Location, Text)> {
    let mut related = Vec::new();
    let mut seen = HashSet::default();
    let mut listed = 0;
    for reading in readings {
        if !seen.insert((reading.file(), reading.node.line, reading.node.col)) {
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
        let what = format!("{}{value}", reading.path());
        related.push((
            reading.node.location(reading.file()),
            Text::new(what.clone(), what),
        ));
    }
    if listed > MAX_LISTED {
        let more = listed - MAX_LISTED;
        related.push((
            Location::file(rule.file.clone()),
            Text::new(
                format!("…另有 {more} 个值"),
                format!("… and {more} more values"),
            ),
        ));
    }
    related
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

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> Arc<DataFile> {
        let node = crate::load::yaml::parse(text, Path::new(path)).expect("parses");
        Arc::new(crate::load::data_file(Path::new(path), node).expect("a data file"))
    }

    fn schema() -> Schema {
        let text = "files:\n  township.yaml:\n    fields:\n      cap: count\n  villages/*.yaml:\n    fields:\n      households: count\n      people: count\nrules:\n  - id: own\n    each: v in villages.*\n    check: v.people >= v.households\n    message: m\n  - id: capped\n    each: v in villages.*\n    check: v.people <= township.cap\n    message: m\n";
        let node = crate::load::yaml::parse(text, Path::new("data/schema.yaml")).expect("parses");
        crate::validate::schema::parse(&node).expect("a schema")
    }

    /// The failed rules (rule and file), and that the cache changed nothing.
    fn failed(schema: &Schema, files: &[&Arc<DataFile>], cache: &mut Cache) -> Vec<String> {
        let data = Data {
            files: files.iter().map(|f| Arc::clone(f)).collect(),
        };
        let names = |found: Vec<Diagnostic>| -> Vec<String> {
            found
                .into_iter()
                .filter(Diagnostic::is_error)
                .map(|d| {
                    let file = d.location.map(|l| l.file.display().to_string());
                    format!(
                        "{} {}",
                        d.rule.unwrap_or_default(),
                        file.unwrap_or_default()
                    )
                })
                .collect()
        };
        let cached = names(check(schema, &data, (None, false), Some(cache)));
        assert_eq!(cached, names(check(schema, &data, (None, false), None)));
        cached
    }

    #[test]
    fn a_rule_of_one_village_is_checked_again_only_where_its_file_changed() {
        let schema = schema();
        assert!(reads_only_its_item(&schema.rules[0], &DataIndex::default()));
        let township = file("data/township.yaml", "cap: 10\n");
        let a = file("data/villages/a.yaml", "households: 2\npeople: 5\n");
        let b = file("data/villages/b.yaml", "households: 2\npeople: 3\n");
        let mut cache = Cache::default();
        assert!(failed(&schema, &[&township, &a, &b], &mut cache).is_empty());
        // Both villages held `own`; `capped` reads the township too, and is not kept.
        assert_eq!(cache.held.len(), 1);
        assert_eq!(cache.held[0].1.len(), 2);
        let b_wrong = file("data/villages/b.yaml", "households: 2\npeople: 1\n");
        assert_eq!(
            failed(&schema, &[&township, &a, &b_wrong], &mut cache),
            ["own data/villages/b.yaml"]
        );
        assert_eq!(cache.held[0].1.len(), 1);
        // A change elsewhere fails `capped` in a village that did not change.
        let low_cap = file("data/township.yaml", "cap: 4\n");
        assert_eq!(
            failed(&schema, &[&low_cap, &a, &b_wrong], &mut cache),
            ["own data/villages/b.yaml", "capped data/villages/a.yaml"]
        );
        // The same text in a new file is checked again.
        let b_again = file("data/villages/b.yaml", "households: 2\npeople: 1\n");
        assert_eq!(
            failed(&schema, &[&low_cap, &a, &b_again], &mut cache),
            ["own data/villages/b.yaml", "capped data/villages/a.yaml"]
        );
        let b_right = file("data/villages/b.yaml", "households: 2\npeople: 4\n");
        assert_eq!(
            failed(&schema, &[&low_cap, &a, &b_right], &mut cache),
            ["capped data/villages/a.yaml"]
        );
    }
}

//! Evaluating a rule against the data, remembering every value read.

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::Path;

use super::{Builtin, Expr, Op, Segment};
use crate::load::{Data, DataFile, Node, Value};

/// The data a rule reads: top-level names → files and folders.
#[derive(Debug, Default)]
pub struct DataIndex<'a> {
    entries: BTreeMap<&'a str, Entry<'a>>,
}

#[derive(Debug)]
enum Entry<'a> {
    File(&'a DataFile),
    Folder(BTreeMap<&'a str, Entry<'a>>),
}

impl<'a> DataIndex<'a> {
    /// Indexes `data` by its files' key paths: each folder's names gathered, sorted (the
    /// data's order: most are in order already) and its map built at once, not name by
    /// name (the preview indexes 10,000 villages at each rebuild). As if each file were
    /// [`insert`]ed in turn: of a file and a folder of one name, the first comes.
    pub fn new(data: &'a Data) -> Self {
        let files = data
            .files
            .iter()
            .map(|file| (file.key_path.as_slice(), &**file))
            .collect();
        DataIndex {
            entries: folder(files),
        }
    }

    /// Whether the data has a top-level file or folder `name`.
    pub fn has(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }
}

/// The entries of a folder whose files (in the data's order) are at `files`' key paths
/// (under the folder). Of a name that is both a file and a folder, the first one in that
/// order is kept, as [`insert`] keeps it.
fn folder<'a>(mut files: Vec<(&'a [String], &'a DataFile)>) -> BTreeMap<&'a str, Entry<'a>> {
    files.retain(|(key_path, _)| !key_path.is_empty());
    // Stable: the files of one name stay in the data's order.
    files.sort_by(|(a, _), (b, _)| a[0].cmp(&b[0]));
    let mut entries = Vec::new();
    let mut rest = files.as_slice();
    while let Some(((key_path, file), _)) = rest.split_first() {
        let name = key_path[0].as_str();
        let end = rest
            .iter()
            .position(|(other, _)| other[0] != name)
            .unwrap_or(rest.len());
        let entry = if key_path.len() == 1 {
            Entry::File(file)
        } else {
            Entry::Folder(folder(
                rest[..end]
                    .iter()
                    .filter(|(inside, _)| inside.len() > 1)
                    .map(|(inside, file)| (&inside[1..], *file))
                    .collect(),
            ))
        };
        entries.push((name, entry));
        rest = &rest[end..];
    }
    // Sorted, each name once: built without searching.
    entries.into_iter().collect()
}

/// Puts `file` at `key_path`; a file and a folder of one name keep the first (validate
/// reports the clash). What [`folder`] does for all the files at once.
#[cfg(test)]
fn insert<'a>(map: &mut BTreeMap<&'a str, Entry<'a>>, key_path: &'a [String], file: &'a DataFile) {
    match key_path {
        [] => {}
        [last] => {
            map.entry(last.as_str()).or_insert(Entry::File(file));
        }
        [folder, rest @ ..] => {
            let entry = map
                .entry(folder.as_str())
                .or_insert_with(|| Entry::Folder(BTreeMap::new()));
            if let Entry::Folder(inner) = entry {
                insert(inner, rest, file);
            }
        }
    }
}

/// A value a rule read, with where it is.
#[derive(Clone, Copy, Debug)]
pub struct Reading<'a> {
    /// The node read.
    pub node: &'a Node,
    /// Its file.
    pub data_file: &'a DataFile,
    /// Whether it was read as one of many (by `sum`, `count`, `min`, `max`).
    pub in_aggregate: bool,
}

impl<'a> Reading<'a> {
    /// The node's file (relative to the site folder).
    pub fn file(&self) -> &'a Path {
        &self.data_file.path
    }

    /// The path the value is reached by, e.g. `villages.hengxi.registered.households`: made
    /// only for a message (a rule reads thousands of values, and most rules hold).
    pub fn path(&self) -> String {
        let mut steps = Vec::new();
        steps_to(&self.data_file.root, self.node, &mut steps);
        let mut path = self.data_file.key_path.join(".");
        for step in steps.iter().rev() {
            path.push('.');
            path.push_str(step);
        }
        path
    }
}

/// The keys and list indices from `from` down to `target` (innermost first), found by
/// looking for the node itself; whether it is under `from`.
fn steps_to(from: &Node, target: &Node, steps: &mut Vec<String>) -> bool {
    if std::ptr::eq(from, target) {
        return true;
    }
    let found = match &from.value {
        Value::List(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| steps_to(item, target, steps).then(|| i.to_string())),
        Value::Map(entries) => entries
            .iter()
            .find_map(|(key, value)| steps_to(value, target, steps).then(|| key.name.to_string())),
        _ => None,
    };
    found.map(|step| steps.push(step)).is_some()
}

/// What evaluating gives.
#[derive(Clone, Debug)]
pub enum Val<'a> {
    /// A number.
    Number(Decimal),
    /// Text.
    Text(String),
    /// A truth value.
    Bool(bool),
    /// Missing.
    Null,
    /// What a path found: zero, one or many places in the data.
    Found(Vec<Place<'a>>),
}

/// A place in the data a path reached: a node, or a folder of files.
#[derive(Clone, Debug)]
pub enum Place<'a> {
    /// A value in a file.
    Node(Reading<'a>),
    /// A whole file (as a record).
    File(&'a DataFile),
}

/// Evaluation of expressions against the data, remembering every value read.
pub struct Evaluator<'a, 'i> {
    index: &'i DataIndex<'a>,
    /// Variables bound by `each` rules: name → record.
    pub vars: Vec<(String, Place<'a>)>,
    /// Every scalar value read so far.
    pub readings: Vec<Reading<'a>>,
    /// How many filter conditions (`[…]`) are being evaluated: values read there only
    /// select items, like the parts of a sum.
    filter_depth: usize,
    /// Every key a path looked for on a record and found left out (not there, or there with
    /// no value): a rule that reads a required value the field checks found missing is
    /// skipped, as one that reads an unreadable value is.
    pub left_out: Vec<LeftOut<'a>>,
}

/// A key a path looked for on a record of a data file and found left out.
#[derive(Clone, Debug)]
pub struct LeftOut<'a> {
    /// The record it was looked for on.
    pub record: &'a Node,
    /// Its file.
    pub data_file: &'a DataFile,
    /// The key.
    pub key: Box<str>,
}

/// Why an expression could not be evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    /// What went wrong, in Chinese.
    pub zh: String,
    /// What went wrong, in English.
    pub en: String,
}

fn eval_error(zh: impl Into<String>, en: impl Into<String>) -> EvalError {
    EvalError {
        zh: zh.into(),
        en: en.into(),
    }
}

impl<'a, 'i> Evaluator<'a, 'i> {
    /// An evaluator over `index`.
    pub fn new(index: &'i DataIndex<'a>) -> Self {
        Evaluator {
            index,
            vars: Vec::new(),
            readings: Vec::new(),
            filter_depth: 0,
            left_out: Vec::new(),
        }
    }

    /// `place`'s child `name`, a key left out (not there, or with no value) remembered in
    /// [`Evaluator::left_out`].
    fn child_noted(&mut self, place: &Place<'a>, name: &str) -> Option<Place<'a>> {
        let found = child(place, name);
        let left_out = match &found {
            None => true,
            Some(Place::Node(reading)) => reading.node.value == Value::Null,
            Some(Place::File(_)) => false,
        };
        if left_out {
            let (record, data_file) = node_of(place);
            self.left_out.push(LeftOut {
                record,
                data_file,
                key: name.into(),
            });
        }
        found
    }

    /// Evaluates `expr`; a path that finds one scalar gives that scalar.
    pub fn eval(&mut self, expr: &Expr) -> Result<Val<'a>, EvalError> {
        self.eval_in(expr, None)
    }

    /// The places a path expression reaches (for `each`); other expressions reach none.
    pub fn places(&mut self, expr: &Expr) -> Result<Vec<Place<'a>>, EvalError> {
        match expr {
            Expr::Path(segments) => self.resolve(segments, None),
            _ => Ok(Vec::new()),
        }
    }

    fn eval_in(&mut self, expr: &Expr, item: Option<&Place<'a>>) -> Result<Val<'a>, EvalError> {
        Ok(match expr {
            Expr::Number(n) => Val::Number(*n),
            Expr::Text(t) => Val::Text(t.clone()),
            Expr::Bool(b) => Val::Bool(*b),
            Expr::Null => Val::Null,
            Expr::Path(segments) => {
                let places = self.resolve(segments, item)?;
                self.collapse(places)?
            }
            Expr::Negate(inner) => {
                let n = self.number(inner, item)?;
                Val::Number(-n)
            }
            Expr::Not(inner) => Val::Bool(!self.truth(inner, item)?),
            Expr::Binary(op, left, right) => self.binary(*op, left, right, item)?,
            Expr::Call(builtin, args) => self.call(*builtin, args, item)?,
        })
    }

    fn truth(&mut self, expr: &Expr, item: Option<&Place<'a>>) -> Result<bool, EvalError> {
        match self.eval_in(expr, item)? {
            Val::Bool(b) => Ok(b),
            other => Err(eval_error(
                format!(
                    "这里需要真假值（比较的结果），得到的是{}",
                    describe_zh(&other)
                ),
                format!(
                    "expected a truth value (the result of a comparison), found {}",
                    describe_en(&other)
                ),
            )),
        }
    }

    fn number(&mut self, expr: &Expr, item: Option<&Place<'a>>) -> Result<Decimal, EvalError> {
        match self.eval_in(expr, item)? {
            Val::Number(n) => Ok(n),
            other => Err(eval_error(
                format!("这里需要数字，得到的是{}", describe_zh(&other)),
                format!("expected a number, found {}", describe_en(&other)),
            )),
        }
    }

    fn binary(
        &mut self,
        op: Op,
        left: &Expr,
        right: &Expr,
        item: Option<&Place<'a>>,
    ) -> Result<Val<'a>, EvalError> {
        match op {
            Op::And => Ok(Val::Bool(
                self.truth(left, item)? && self.truth(right, item)?,
            )),
            Op::Or => Ok(Val::Bool(
                self.truth(left, item)? || self.truth(right, item)?,
            )),
            Op::Add | Op::Sub | Op::Mul | Op::Div => {
                let a = self.number(left, item)?;
                let b = self.number(right, item)?;
                let overflow = || eval_error("计算结果超出范围", "the result is out of range");
                let n = match op {
                    Op::Add => a.checked_add(b).ok_or_else(overflow)?,
                    Op::Sub => a.checked_sub(b).ok_or_else(overflow)?,
                    Op::Mul => a.checked_mul(b).ok_or_else(overflow)?,
                    _ => {
                        if b.is_zero() {
                            return Err(eval_error("除数为零", "division by zero"));
                        }
                        a.checked_div(b).ok_or_else(overflow)?
                    }
                };
                Ok(Val::Number(n))
            }
            _ => {
                let a = self.eval_in(left, item)?;
                let b = self.eval_in(right, item)?;
                compare(op, &a, &b).map(Val::Bool)
            }
        }
    }

    fn call(
        &mut self,
        builtin: Builtin,
        args: &[Expr],
        item: Option<&Place<'a>>,
    ) -> Result<Val<'a>, EvalError> {
        let name = builtin.name();
        match builtin {
            Builtin::Round => {
                let x = self.number(&args[0], item)?;
                let dp = match &args[1] {
                    Expr::Number(n)
                        if n.scale() == 0 && *n >= Decimal::ZERO && *n <= Decimal::from(20) =>
                    {
                        u32::try_from(n.mantissa()).unwrap_or(0)
                    }
                    _ => {
                        return Err(eval_error(
                            "round 的第二个参数要写 0 到 20 的整数",
                            "round's second argument must be a whole number from 0 to 20",
                        ));
                    }
                };
                let r = crate::figure::round_half_up(x, dp);
                if r.scale() != dp {
                    return Err(eval_error(
                        format!("{x} 位数太多，无法保留 {dp} 位小数"),
                        format!("{x} has too many digits to keep {dp} decimal places"),
                    ));
                }
                Ok(Val::Number(r))
            }
            Builtin::Abs => Ok(Val::Number(self.number(&args[0], item)?.abs())),
            Builtin::Count => {
                let places = self.path_argument(name, args, item)?;
                Ok(Val::Number(self.count(&places)))
            }
            Builtin::Sum => {
                let numbers = self.numbers(name, args, item)?;
                let sum = numbers
                    .iter()
                    .try_fold(Decimal::ZERO, |acc, n| acc.checked_add(*n))
                    .ok_or_else(|| eval_error("合计超出范围", "the sum is out of range"))?;
                Ok(Val::Number(sum))
            }
            Builtin::Min => {
                let numbers = self.numbers(name, args, item)?;
                let min = numbers.iter().copied().min();
                Ok(Val::Number(min.ok_or_else(|| {
                    eval_error("min：没有数字", "min: no numbers")
                })?))
            }
            Builtin::Max => {
                let numbers = self.numbers(name, args, item)?;
                let max = numbers.iter().copied().max();
                Ok(Val::Number(max.ok_or_else(|| {
                    eval_error("max：没有数字", "max: no numbers")
                })?))
            }
        }
    }

    /// The places the path argument of `name` finds.
    fn path_argument(
        &mut self,
        name: &str,
        args: &[Expr],
        item: Option<&Place<'a>>,
    ) -> Result<Vec<Place<'a>>, EvalError> {
        match &args[0] {
            Expr::Path(segments) => self.resolve(segments, item),
            _ => Err(eval_error(
                format!("{name} 的参数要是数据路径"),
                format!("the argument of {name} must be a data path"),
            )),
        }
    }

    /// How many values (or files) `places` holds, nulls aside; each is remembered as read.
    fn count(&mut self, places: &[Place<'a>]) -> Decimal {
        let present = places
            .iter()
            .filter(|p| !matches!(p, Place::Node(r) if r.node.value == Value::Null))
            .count();
        for place in places {
            match place {
                Place::Node(r) => self.readings.push(Reading {
                    in_aggregate: true,
                    ..*r
                }),
                // A file counted as a whole: it was read too (it may be the new one).
                Place::File(f) => self.readings.push(Reading {
                    node: &f.root,
                    data_file: f,
                    in_aggregate: true,
                }),
            }
        }
        Decimal::from(present)
    }

    /// The numbers the path argument of `name` finds (nulls aside); each is remembered.
    fn numbers(
        &mut self,
        name: &str,
        args: &[Expr],
        item: Option<&Place<'a>>,
    ) -> Result<Vec<Decimal>, EvalError> {
        let places = self.path_argument(name, args, item)?;
        let mut numbers = Vec::with_capacity(places.len());
        for place in places {
            match place {
                Place::Node(reading) => match &reading.node.value {
                    Value::Number(n) => {
                        numbers.push(*n);
                        self.readings.push(Reading {
                            in_aggregate: true,
                            ..reading
                        });
                    }
                    Value::Null => {}
                    _ => {
                        // Remembered, so that a value already reported as unreadable
                        // skips the rule instead of failing it twice.
                        self.readings.push(Reading {
                            in_aggregate: true,
                            ..reading
                        });
                        let reading_path = reading.path();
                        return Err(eval_error(
                            format!("{name}：{reading_path} 不是数字"),
                            format!("{name}: {reading_path} is not a number"),
                        ));
                    }
                },
                Place::File(file) => {
                    return Err(eval_error(
                        format!(
                            "{name}：{} 是整个文件，不是数字；在路径后面写上字段名",
                            file.path.display()
                        ),
                        format!(
                            "{name}: {} is a whole file, not a number; add a field name to the path",
                            file.path.display()
                        ),
                    ));
                }
            }
        }
        Ok(numbers)
    }

    /// One place gives its scalar; several stay a list.
    fn collapse(&mut self, places: Vec<Place<'a>>) -> Result<Val<'a>, EvalError> {
        if places.len() != 1 {
            return Ok(Val::Found(places));
        }
        match &places[0] {
            Place::Node(reading) => {
                let value = match &reading.node.value {
                    Value::Number(n) => Val::Number(*n),
                    Value::String(s) => Val::Text(s.to_string()),
                    Value::Bool(b) => Val::Bool(*b),
                    Value::Null => Val::Null,
                    Value::List(_) | Value::Map(_) => return Ok(Val::Found(places)),
                };
                self.readings.push(Reading {
                    in_aggregate: reading.in_aggregate || self.filter_depth > 0,
                    ..*reading
                });
                Ok(value)
            }
            Place::File(_) => Ok(Val::Found(places)),
        }
    }

    /// Follows a path from the data root, a bound variable, or (inside a filter) the item.
    fn resolve(
        &mut self,
        segments: &[Segment],
        item: Option<&Place<'a>>,
    ) -> Result<Vec<Place<'a>>, EvalError> {
        let Some(Segment::Key(first)) = segments.first() else {
            return Ok(Vec::new());
        };
        let mut current: Vec<Place<'a>>;
        let rest;
        if let Some(item) = item.filter(|item| child(item, first).is_some()) {
            current = child(item, first).into_iter().collect();
            rest = &segments[1..];
        } else if let Some((_, place)) = self.vars.iter().rev().find(|(name, _)| name == first) {
            current = vec![place.clone()];
            rest = &segments[1..];
        } else {
            // From the data root: folders are walked here, files then continue as nodes.
            let mut entry = match self.index.entries.get(first.as_str()) {
                Some(entry) => entry,
                // A key the item lacks (`exit_year` of a village that has none), noted as
                // [`Evaluator::child_noted`] notes one.
                None if item.is_some() => {
                    if let Some(item) = item {
                        let (record, data_file) = node_of(item);
                        self.left_out.push(LeftOut {
                            record,
                            data_file,
                            key: first.as_str().into(),
                        });
                    }
                    return Ok(Vec::new());
                }
                None => {
                    return Err(eval_error(
                        format!("数据里没有「{first}」"),
                        format!("there is no `{first}` in the data"),
                    ));
                }
            };
            let mut consumed = 1;
            current = loop {
                match entry {
                    Entry::File(file) => break vec![Place::File(file)],
                    Entry::Folder(files) => match segments.get(consumed) {
                        Some(Segment::Key(name)) => {
                            consumed += 1;
                            match files.get(name.as_str()) {
                                Some(next) => entry = next,
                                None => return Ok(Vec::new()),
                            }
                        }
                        Some(Segment::Every) | Some(Segment::Filter(_)) | None => {
                            let all: Vec<Place<'a>> = files
                                .values()
                                .filter_map(|e| match e {
                                    Entry::File(f) => Some(Place::File(f)),
                                    Entry::Folder(_) => None,
                                })
                                .collect();
                            if matches!(segments.get(consumed), Some(Segment::Every)) {
                                consumed += 1;
                            }
                            break all;
                        }
                        Some(Segment::Index(_)) => return Ok(Vec::new()),
                    },
                }
            };
            rest = &segments[consumed..];
        }
        // A path of keys from one place (`v.registered.people`, the usual case) is walked
        // without a list of places per step.
        if current.len() == 1 && rest.iter().all(|s| matches!(s, Segment::Key(_))) {
            for segment in rest {
                let Segment::Key(name) = segment else {
                    continue;
                };
                match self.child_noted(&current[0], name) {
                    Some(next) => current[0] = next,
                    None => return Ok(Vec::new()),
                }
            }
            return Ok(current);
        }
        for segment in rest {
            let mut next = Vec::new();
            for place in &current {
                match segment {
                    Segment::Key(name) => next.extend(self.child_noted(place, name)),
                    Segment::Index(i) => next.extend(children(place).into_iter().nth(*i)),
                    Segment::Every => next.extend(children(place)),
                    Segment::Filter(condition) => {
                        let candidates = if matches!(place, Place::File(_)) || is_map(place) {
                            vec![place.clone()]
                        } else {
                            children(place)
                        };
                        for candidate in candidates {
                            self.filter_depth += 1;
                            let keep = self.truth(condition, Some(&candidate));
                            self.filter_depth -= 1;
                            if keep? {
                                next.push(candidate);
                            }
                        }
                    }
                }
            }
            current = next;
        }
        Ok(current)
    }
}

fn is_map(place: &Place<'_>) -> bool {
    matches!(place, Place::Node(r) if matches!(r.node.value, Value::Map(_)))
}

fn node_of<'a>(place: &Place<'a>) -> (&'a Node, &'a DataFile) {
    match place {
        Place::Node(r) => (r.node, r.data_file),
        Place::File(f) => (&f.root, f),
    }
}

fn child<'a>(place: &Place<'a>, name: &str) -> Option<Place<'a>> {
    let (node, data_file) = node_of(place);
    node.get(name).map(|node| {
        Place::Node(Reading {
            node,
            data_file,
            in_aggregate: false,
        })
    })
}

fn children<'a>(place: &Place<'a>) -> Vec<Place<'a>> {
    let (node, data_file) = node_of(place);
    let reading = |node| {
        Place::Node(Reading {
            node,
            data_file,
            in_aggregate: false,
        })
    };
    match &node.value {
        Value::List(items) => items.iter().map(reading).collect(),
        Value::Map(entries) => entries.iter().map(|(_, node)| reading(node)).collect(),
        _ => Vec::new(),
    }
}

fn compare(op: Op, a: &Val<'_>, b: &Val<'_>) -> Result<bool, EvalError> {
    use std::cmp::Ordering;
    let ordering = match (a, b) {
        (Val::Number(x), Val::Number(y)) => Some(x.cmp(y)),
        (Val::Text(x), Val::Text(y)) => Some(x.cmp(y)),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        (Val::Null, Val::Null) => Some(Ordering::Equal),
        (Val::Found(p), Val::Null) | (Val::Null, Val::Found(p)) if p.is_empty() => {
            Some(Ordering::Equal)
        }
        _ => None,
    };
    match (op, ordering) {
        (Op::Eq, Some(o)) => Ok(o == Ordering::Equal),
        (Op::Ne, Some(o)) => Ok(o != Ordering::Equal),
        (Op::Eq, None) => Ok(false),
        (Op::Ne, None) => Ok(true),
        (_, Some(o)) if matches!((a, b), (Val::Number(_), Val::Number(_))) => Ok(match op {
            Op::Lt => o == Ordering::Less,
            Op::Le => o != Ordering::Greater,
            Op::Gt => o == Ordering::Greater,
            _ => o != Ordering::Less,
        }),
        _ => Err(eval_error(
            format!("无法比较{}和{}", describe_zh(a), describe_zh(b)),
            format!("cannot compare {} with {}", describe_en(a), describe_en(b)),
        )),
    }
}

/// A short description of a value, in Chinese.
pub fn describe_zh(v: &Val<'_>) -> String {
    match v {
        Val::Number(n) => format!("数字 {n}"),
        Val::Text(t) => format!("文本「{t}」"),
        Val::Bool(b) => format!("真假值 {b}"),
        Val::Null => "空值".to_string(),
        Val::Found(p) if p.is_empty() => "不存在的值".to_string(),
        Val::Found(p) => format!("{} 个值（路径选中了多个值，可用 sum 或 count）", p.len()),
    }
}

/// A short description of a value, in English.
pub fn describe_en(v: &Val<'_>) -> String {
    match v {
        Val::Number(n) => format!("the number {n}"),
        Val::Text(t) => format!("the text `{t}`"),
        Val::Bool(b) => format!("the truth value {b}"),
        Val::Null => "null".to_string(),
        Val::Found(p) if p.is_empty() => "a value that does not exist".to_string(),
        Val::Found(p) => format!(
            "{} values (the path selects several: use sum or count)",
            p.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index's names and what each is: a file (by its number in the data) or a folder.
    #[derive(Debug, PartialEq)]
    enum Shape {
        File(usize),
        Folder(Vec<(String, Shape)>),
    }

    fn shape(entries: &BTreeMap<&str, Entry<'_>>, data: &Data) -> Vec<(String, Shape)> {
        entries
            .iter()
            .map(|(name, entry)| {
                let what = match entry {
                    Entry::File(file) => Shape::File(
                        data.files
                            .iter()
                            .position(|f| std::ptr::eq(&**f, *file))
                            .unwrap_or(usize::MAX),
                    ),
                    Entry::Folder(inner) => Shape::Folder(shape(inner, data)),
                };
                (name.to_string(), what)
            })
            .collect()
    }

    proptest::proptest! {
        /// Built at once, the index is the one made by putting each file in turn: of a
        /// file and a folder of one name (or two files), the first.
        #[test]
        fn the_index_built_at_once_is_the_one_built_file_by_file(
            key_paths in proptest::collection::vec(
                proptest::collection::vec("[ab横]{1,2}", 0..4),
                0..12,
            )
        ) {
            let data = Data {
                files: key_paths
                    .iter()
                    .map(|key_path| {
                        let root = Node { value: Value::Null, line: 1, col: 1 };
                        std::sync::Arc::new(DataFile::new(
                            std::path::PathBuf::from(key_path.join("/")),
                            key_path.clone(),
                            root,
                        ))
                    })
                    .collect(),
            };
            let mut one_by_one = BTreeMap::new();
            for file in &data.files {
                insert(&mut one_by_one, &file.key_path, file);
            }
            let at_once = DataIndex::new(&data);
            proptest::prop_assert_eq!(shape(&at_once.entries, &data), shape(&one_by_one, &data));
        }
    }
}

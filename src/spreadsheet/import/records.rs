//! The records as an import would make them: each existing file with the sheet's values in
//! it, checked with the rest of the site, and what changes in each file — its text edited in
//! place where it can be, its comments kept.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Place, Plan, Planned, Row, Target, column, line_of, sheet_row, yaml_edit};
use crate::diagnostics::{Diagnostic, Location, Text};
use crate::load::{Data, DataFile, Key, Node, Value};
use crate::manifest::Change;
use crate::validate::schema::Kind;

/// The target's records as they would be after the import: each existing file with the
/// sheet's values in it, or a new one.
pub(super) struct Records<'r> {
    /// The shape of a record.
    pub(super) shape: Kind,
    /// Where each row's file is.
    pub(super) folder: Option<&'r str>,
    pub(super) file: Option<&'r Path>,
    /// The target's files as they are, by path (a county's sheet has thousands of rows).
    pub(super) existing_at: HashMap<&'r Path, &'r Arc<DataFile>>,
    /// The paths of the sheet's records.
    pub(super) in_sheet: HashSet<PathBuf>,
    /// Each record's file as it would be.
    pub(super) candidates: Vec<Arc<DataFile>>,
    /// Their problems (a value the sheet gives that cannot be a file's).
    pub(super) problems: Vec<Diagnostic>,
    /// Each record's file → its 0-based row of the sheet.
    pub(super) row_of: HashMap<PathBuf, usize>,
}

impl<'r> Records<'r> {
    /// The records of `rows` for `target`, whose files are `existing`.
    pub(super) fn new(
        rows: &[Row],
        target: &'r Target<'_>,
        existing: &[&'r Arc<DataFile>],
    ) -> Self {
        let mut records = Records {
            shape: Kind::Record(target.schema.fields.clone()),
            folder: target.folder.as_deref(),
            file: target.file.as_deref(),
            existing_at: existing.iter().map(|f| (f.path.as_path(), *f)).collect(),
            in_sheet: HashSet::new(),
            candidates: Vec::new(),
            problems: Vec::new(),
            row_of: HashMap::new(),
        };
        records.in_sheet = rows.iter().map(|row| records.path_of(row)).collect();
        for row in rows {
            let path = records.path_of(row);
            let root = records.root_of(row, &path);
            match crate::load::data_file(&path, root) {
                Ok(file) => records.candidates.push(Arc::new(file)),
                Err(found) => records.problems.extend(found),
            }
            records.row_of.insert(path, row.row);
        }
        records
    }

    /// The path of `row`'s file: `data/villages/hengxi.yaml`, or the target's single file.
    pub(super) fn path_of(&self, row: &Row) -> PathBuf {
        match (self.folder, self.file) {
            (Some(folder), _) => Path::new("data")
                .join(folder)
                .join(format!("{}.yaml", row.id)),
            (None, Some(file)) => file.to_path_buf(),
            (None, None) => PathBuf::new(),
        }
    }

    /// The tree of `row`'s file at `path` as it would be: the file's with the row's values
    /// in it (an empty cell of an optional field removes its value), or a new one.
    pub(super) fn root_of(&self, row: &Row, path: &Path) -> Node {
        let old = self.existing_at.get(path);
        let mut root = old.map_or_else(
            || Node {
                value: Value::Map(Box::default()),
                line: line_of(0, row.row),
                col: 1,
            },
            |f| f.root.clone(),
        );
        for (list_path, _, count) in &row.lists {
            resize_list(
                &mut root,
                &self.shape,
                list_path,
                *count,
                line_of(0, row.row),
            );
        }
        for assign in &row.values {
            if assign.node.value == Value::Null && !assign.required {
                remove_path(&mut root, &assign.path);
            } else {
                set_path(&mut root, &self.shape, &assign.path, assign.node.clone());
            }
        }
        root
    }

    /// The records of every target (`all`) checked together with every other file of the
    /// site (`loaded`, less those `removed`): the data as checked, and every problem
    /// (`problems` first: the rows').
    pub(super) fn checked_with_all(
        all: &[Records<'_>],
        site_root: &Path,
        loaded: &Data,
        removed: &HashSet<&PathBuf>,
        mut problems: Vec<Diagnostic>,
    ) -> (Data, Vec<Diagnostic>) {
        let in_a_sheet = |path: &PathBuf| all.iter().any(|r| r.in_sheet.contains(path));
        let mut files: Vec<Arc<DataFile>> = loaded
            .files
            .iter()
            .filter(|f| !in_a_sheet(&f.path) && !removed.contains(&f.path))
            .cloned()
            .collect();
        for records in all {
            problems.extend(records.problems.iter().cloned());
            files.extend(records.candidates.iter().cloned());
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let (checked, found) = crate::validate::validate(site_root, &Data { files }, None, None);
        problems.extend(found);
        (checked, problems)
    }

    /// The sheet's files as they are now, checked for their values (units converted) to
    /// tell what changes; rules over these few files alone mean nothing, so their problems
    /// are not kept (as `checked_files_of` in lib.rs does).
    pub(super) fn checked_before(&self, site_root: &Path, existing: &[&Arc<DataFile>]) -> Data {
        let now_in_sheet = Data {
            files: existing
                .iter()
                .filter(|f| self.in_sheet.contains(&f.path))
                .map(|f| Arc::clone(f))
                .collect(),
        };
        crate::validate::validate(site_root, &now_in_sheet, None, None).0
    }
}

/// How many times larger (`true`) or smaller a number `is` is than it `was`, when a
/// thousand times or more: a figure in 元 typed in a column of 万元 is 10,000 times too
/// large. `None` for a smaller change, or when either is not a number or is 0.
fn magnitude_jump(was: &Value, is: &Value) -> Option<(rust_decimal::Decimal, bool)> {
    let (Value::Number(was), Value::Number(is)) = (was, is) else {
        return None;
    };
    let (was, is) = (was.abs(), is.abs());
    if was.is_zero() || is.is_zero() {
        return None;
    }
    let larger = is > was;
    let ratio = match larger {
        true => is.checked_div(was)?,
        false => was.checked_div(is)?,
    };
    (ratio >= rust_decimal::Decimal::from(1000)).then(|| (ratio.round(), larger))
}

/// The files of `data` by path.
pub(super) fn by_path(data: &Data) -> HashMap<PathBuf, Arc<DataFile>> {
    data.files
        .iter()
        .map(|f| (f.path.clone(), f.clone()))
        .collect()
}

/// What tells the changes an import makes to each file, and the text it writes.
pub(super) struct Changes<'c> {
    pub(super) site_root: &'c Path,
    pub(super) target: &'c Target<'c>,
    /// The shape of a record.
    pub(super) shape: &'c Kind,
    /// The sheets read, to name a value's cell.
    pub(super) places: &'c [Place<'c>],
    /// The files as they would be, checked with the site (every target's).
    pub(super) checked_at: &'c HashMap<PathBuf, Arc<DataFile>>,
    /// The sheet's files as they are, checked.
    pub(super) before_at: HashMap<PathBuf, Arc<DataFile>>,
}

impl Changes<'_> {
    /// A new file at `path`, as the checked record is.
    pub(super) fn new_file(&self, path: PathBuf, plan: &mut Plan) {
        let Some(now) = self.checked_at.get(path.as_path()) else {
            return;
        };
        plan.writes.push(Planned {
            path,
            text: yaml_edit::file_text(&now.root),
            new: true,
            rewritten: false,
        });
    }

    /// The cell a value read from the sheets was at (see [`line_of`]).
    pub(super) fn cell_of(&self, node: &Node) -> String {
        match sheet_row(node.line as usize) {
            Some((sheet, row)) if sheet < self.places.len() => self.places[sheet]
                .cell(row, column(node.col as usize))
                .to_string(),
            _ => String::new(),
        }
    }

    /// What `row` changes of the existing file `old` at `path`: each value that changes
    /// (and each list whose length does) in `plan.changes`, and the file's new text, edited
    /// in place where it can be (its comments kept), else written anew; or the file among
    /// those unchanged.
    pub(super) fn of_row(&self, row: &Row, path: PathBuf, old: &DataFile, plan: &mut Plan) {
        let Some(now) = self.checked_at.get(path.as_path()) else {
            return;
        };
        let before = self.before_at.get(path.as_path());
        let file_name = crate::site_path::slashed(&old.path);
        let what = |label: &str| {
            let name = row
                .name
                .as_deref()
                .map(|n| format!(" {n}"))
                .unwrap_or_default();
            format!("{}{name} {label}", self.target.label)
        };
        let mut intended = old.root.clone();
        // The edits that make the file's text the sheet's, where they can be made in place;
        // `structural` once one cannot (the file is then written anew).
        let mut edits: Vec<yaml_edit::Edit> = Vec::new();
        let mut structural = false;
        // Lists made longer: (the list's path, its items before), the new items written
        // after the last one (a year's row added to each village's list of exits).
        let mut grown: Vec<(&[String], usize)> = Vec::new();
        for (list_path, label, count) in &row.lists {
            let had = match at(&old.root, list_path).map(|n| &n.value) {
                Some(Value::List(items)) => items.len(),
                _ => 0,
            };
            if had != *count {
                match had > 0 && *count > had {
                    true => grown.push((list_path, had)),
                    false => structural = true,
                }
                resize_list(&mut intended, self.shape, list_path, *count, 0);
                plan.changes.push(Change {
                    key: format!("{}.{}", old.key_path.join("."), list_path.join(".")),
                    what: what(label),
                    old: Some(format!("{had} 项")),
                    new: Some(format!("{count} 项")),
                    src: file_name.clone(),
                    direct: true,
                });
            }
        }
        for assign in &row.values {
            let leaf_path = &assign.path;
            let was = before
                .and_then(|f| at(&f.root, leaf_path))
                .filter(|n| n.value != Value::Null);
            let is = at(&now.root, leaf_path).filter(|n| n.value != Value::Null);
            let same = match (was, is) {
                (None, None) => true,
                (Some(a), Some(b)) => same_value(&a.value, &b.value),
                _ => false,
            };
            if same {
                continue;
            }
            if let (Some(was), Some(is)) = (was, is)
                && let Some((times, larger)) = magnitude_jump(&was.value, &is.value)
            {
                let (from, to) = (
                    shown(&was.value, &assign.unit),
                    shown(&is.value, &assign.unit),
                );
                let name = what(&assign.label);
                let (zh, en) = match larger {
                    true => ("大了", "larger"),
                    false => ("小了", "smaller"),
                };
                plan.notes.push(
                    Diagnostic::new(
                        crate::diagnostics::Severity::Warning,
                        "import-magnitude",
                        Some(Location::file(self.cell_of(&assign.node))),
                        Text::new(
                            format!("{name}从 {from} 变成 {to}，{zh} {times} 倍：单位写对了吗？"),
                            format!("{name} goes from {from} to {to}, {times} times {en}: is the unit right?"),
                        ),
                    )
                    .with_hint(Text::new(
                        "表格里的数若是另一个单位（如元），在表头写出来：帮扶资金（元）；若确实变了这么多，不用理会",
                        "if the sheet's figures are in another unit (元, say), say so in the header: 帮扶资金（元）; if it truly changed so much, never mind",
                    )),
                );
            }
            plan.changes.push(Change {
                key: format!("{}.{}", old.key_path.join("."), leaf_path.join(".")),
                what: what(&assign.label),
                old: was.map(|n| shown(&n.value, &assign.unit)),
                new: is.map(|n| shown(&n.value, &assign.unit)),
                src: format!("{file_name} ← {}", self.cell_of(&assign.node)),
                direct: true,
            });
            let edit = edit_of(&old.root, (&mut intended, self.shape), leaf_path, is);
            // A value of a new item is written with its item.
            let in_new_item = grown.iter().any(|(list, had)| {
                leaf_path.starts_with(list)
                    && leaf_path
                        .get(list.len())
                        .and_then(|i| i.parse::<usize>().ok())
                        .is_some_and(|i| i >= *had)
            });
            match edit {
                _ if in_new_item => {}
                Some(edit) => edits.push(edit),
                None => structural = true,
            }
        }
        if edits.is_empty() && !structural && grown.is_empty() {
            plan.unchanged.push(path);
            return;
        }
        let old_text = std::fs::read(self.site_root.join(&path))
            .ok()
            .and_then(|bytes| crate::load::decode(&bytes, &path).ok());
        let edited = match (&old_text, structural) {
            (Some(text), false) => grown
                .iter()
                .map(|(list, had)| appended_items(text, &old.root, &intended, list, *had))
                .collect::<Option<Vec<_>>>()
                .and_then(|appended| {
                    edits.extend(appended);
                    yaml_edit::edit_in_place(text, &edits, &intended)
                }),
            _ => None,
        };
        let rewritten = edited.is_none();
        plan.writes.push(Planned {
            path,
            text: edited.unwrap_or_else(|| yaml_edit::file_text(&intended)),
            new: false,
            rewritten,
        });
    }
}

/// The lines that append the items `had..` of the list at `list` in `intended` to the file
/// `text` (whose tree is `root`), after its last item and in its style: a flow mapping on
/// one line (`  - {year: 2020, people: 1}`) or a block one (`  - year: 2020`, `    people: 1`).
/// `None` when they cannot go in place (items that are not mappings of scalars).
pub(super) fn appended_items(
    text: &str,
    root: &Node,
    intended: &Node,
    list: &[String],
    had: usize,
) -> Option<yaml_edit::Edit> {
    let Value::List(old_items) = &at(root, list)?.value else {
        return None;
    };
    let last = old_items.get(had.checked_sub(1)?)?;
    let Value::Map(last_entries) = &last.value else {
        return None;
    };
    let Value::List(items) = &at(intended, list)?.value else {
        return None;
    };
    // The last item's dash, with only spaces before it: `  - {…}` or `  - year: …`.
    let line_text = text.lines().nth((last.line as usize).checked_sub(1)?)?;
    let dash = line_text.find("- ")?;
    let pad = &line_text[..dash];
    if !pad.chars().all(|c| c == ' ') {
        return None;
    }
    let flow = line_text[dash + 2..].trim_start().starts_with('{');
    let end_line = match flow {
        true => last.line,
        false => last_entries.iter().map(|(_, v)| v.line).max()?,
    };
    let mut lines = String::new();
    for item in items.get(had..)? {
        let Value::Map(entries) = &item.value else {
            return None;
        };
        let mut pairs = Vec::with_capacity(entries.len());
        for (key, value) in entries.iter() {
            if matches!(value.value, Value::List(_) | Value::Map(_)) {
                return None;
            }
            let key = yaml_edit::scalar(&Value::String(key.name.as_str().into()));
            pairs.push(format!("{key}: {}", yaml_edit::scalar(&value.value)));
        }
        if flow {
            lines.push_str(&format!("{pad}- {{{}}}\n", pairs.join(", ")));
        } else {
            for (i, pair) in pairs.iter().enumerate() {
                let lead = if i == 0 { "- " } else { "  " };
                lines.push_str(&format!("{pad}{lead}{pair}\n"));
            }
        }
    }
    Some(yaml_edit::Edit::Lines {
        before: end_line + 1,
        text: lines,
    })
}

/// The edit of the file whose tree is `root` that makes the value at `leaf_path` `is` (none:
/// removed), made also in `intended` (of shape `shape`); `None` when it cannot be made in
/// place.
pub(super) fn edit_of(
    root: &Node,
    (intended, shape): (&mut Node, &Kind),
    leaf_path: &[String],
    is: Option<&Node>,
) -> Option<yaml_edit::Edit> {
    match (at(root, leaf_path), is) {
        (Some(raw), Some(new)) if raw.value != Value::Null => {
            set_path(intended, shape, leaf_path, new.clone());
            Some(yaml_edit::Edit::Replace {
                line: raw.line,
                col: raw.col,
                old: raw.value.clone(),
                new: new.value.clone(),
            })
        }
        (_, Some(new)) => {
            set_path(intended, shape, leaf_path, new.clone());
            insertion(root, shape, leaf_path, &new.value)
        }
        (_, None) => {
            remove_path(intended, leaf_path);
            removal(root, leaf_path)
        }
    }
}

/// The line to put in for a value the file did not have, `key: value` where the schema's
/// order puts it: before the next key of its mapping, or after the last when that is one line
/// (at the end of the file, for the file's own mapping); `None` when it cannot go in place
/// (a flow mapping, a record the file lacks, a value that is not a scalar).
pub(super) fn insertion(
    root: &Node,
    shape: &Kind,
    path: &[String],
    value: &Value,
) -> Option<yaml_edit::Edit> {
    let (key, parent_path) = path.split_last()?;
    if matches!(value, Value::List(_) | Value::Map(_)) || key.parse::<usize>().is_ok() {
        return None;
    }
    let parent = at(root, parent_path)?;
    let Value::Map(entries) = &parent.value else {
        return None;
    };
    let parent_shape = parent_path
        .iter()
        .try_fold(shape, |shape, k| child_shape(shape, k))?;
    let order = |name: &str| match parent_shape {
        Kind::Record(fields) => fields.iter().position(|(n, _)| n == name),
        _ => None,
    };
    let mine = order(key)?;
    // A key written with no value (`note:`) is not put in twice.
    if entries.iter().any(|(k, _)| *k.name == **key) {
        return None;
    }
    let next = entries
        .iter()
        .find(|(k, _)| order(&k.name).is_some_and(|o| o > mine));
    let (before, indent) = match (next, entries.last()) {
        (Some((k, _)), _) => (k.line(), k.col().checked_sub(1)?),
        (None, Some((k, v))) if v.line == k.line() && !parent_path.is_empty() => {
            (k.line() + 1, k.col().checked_sub(1)?)
        }
        (None, Some((k, _))) if parent_path.is_empty() => (u32::MAX, k.col().checked_sub(1)?),
        _ => return None,
    };
    // In a flow mapping (`{households: 7}`) keys share a line: not edited in place.
    if entries.len() > 1 && entries.windows(2).any(|w| w[0].0.line() == w[1].0.line()) {
        return None;
    }
    Some(yaml_edit::Edit::Insert {
        before,
        indent,
        key: key.clone(),
        value: value.clone(),
    })
}

/// The line to take out for a value the sheet left empty: its `key: value` line, when the
/// value is on it; `None` otherwise.
pub(super) fn removal(root: &Node, path: &[String]) -> Option<yaml_edit::Edit> {
    let (key, parent_path) = path.split_last()?;
    let Value::Map(entries) = &at(root, parent_path)?.value else {
        return None;
    };
    let (k, v) = entries.iter().find(|(k, _)| *k.name == **key)?;
    let alone = entries
        .iter()
        .filter(|(other, _)| other.line() == k.line())
        .count()
        == 1;
    let scalar = !matches!(v.value, Value::List(_) | Value::Map(_));
    (alone && scalar && v.line == k.line()).then_some(yaml_edit::Edit::Remove { line: k.line() })
}

/// Two values the same, a number with its scale (`1.10` is not `1.1`: it prints otherwise).
pub(super) fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.serialize() == y.serialize(),
        _ => a == b,
    }
}

/// A value as the change report shows it: `132户`, `81.76875万元`, `横溪村`.
pub(super) fn shown(value: &Value, unit: &str) -> String {
    match value {
        Value::Number(n) => format!("{n}{unit}"),
        other => other.scalar_text().unwrap_or_default(),
    }
}

/// The node at `path` under `node` (a list's item by its index).
pub(super) fn at<'n>(node: &'n Node, path: &[String]) -> Option<&'n Node> {
    path.iter().try_fold(node, |node, key| match &node.value {
        Value::List(items) => items.get(key.parse::<usize>().ok()?),
        _ => node.get(key),
    })
}

/// What the child `key` of a value shaped `shape` is shaped as.
pub(super) fn child_shape<'k>(shape: &'k Kind, key: &str) -> Option<&'k Kind> {
    match shape {
        Kind::Record(fields) => fields.iter().find(|(n, _)| n == key).map(|(_, f)| &f.kind),
        Kind::List(item) => Some(&item.kind),
        _ => None,
    }
}

/// Sets the value at `path` under `node` (shaped as `shape`: the schema's record), making
/// the records on the way; a new key goes where the schema's order puts it. A list's item
/// is named by its index, and must be there.
pub(super) fn set_path(node: &mut Node, shape: &Kind, path: &[String], value: Node) {
    let Some((first, rest)) = path.split_first() else {
        *node = value;
        return;
    };
    let inner = child_shape(shape, first).unwrap_or(&Kind::Text);
    if let Value::List(items) = &mut node.value {
        if let Some(item) = first.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
            set_path(item, inner, rest, value);
        }
        return;
    }
    if !matches!(node.value, Value::Map(_)) {
        node.value = Value::Map(Box::default());
    }
    let Value::Map(entries) = &mut node.value else {
        return;
    };
    let order = |name: &str| match shape {
        Kind::Record(fields) => fields
            .iter()
            .position(|(n, _)| n == name)
            .unwrap_or(usize::MAX),
        _ => usize::MAX,
    };
    let at = match entries.iter().position(|(k, _)| *k.name == **first) {
        Some(i) => i,
        None => {
            let i = entries
                .iter()
                .position(|(k, _)| order(&k.name) > order(first))
                .unwrap_or(entries.len());
            let key = Key::new(first.as_str().into(), value.line, value.col);
            let placeholder = Node {
                value: Value::Map(Box::default()),
                line: value.line,
                col: value.col,
            };
            let mut grown = std::mem::take(entries).into_vec();
            grown.insert(i, (key, placeholder));
            *entries = grown.into_boxed_slice();
            i
        }
    };
    set_path(&mut entries[at].1, inner, rest, value);
}

/// Makes the list at `path` `count` items long: items kept from the start, new ones empty
/// records (placed at `line`) to be filled in.
pub(super) fn resize_list(root: &mut Node, shape: &Kind, path: &[String], count: usize, line: u32) {
    let mut items = match at(root, path).map(|n| &n.value) {
        Some(Value::List(items)) => items.to_vec(),
        _ => Vec::new(),
    };
    let (list_line, list_col) = at(root, path).map_or((line, 1), |n| (n.line, n.col));
    items.truncate(count);
    while items.len() < count {
        items.push(Node {
            value: Value::Map(Box::default()),
            line,
            col: 1,
        });
    }
    let list = Node {
        value: Value::List(items.into_boxed_slice()),
        line: list_line,
        col: list_col,
    };
    set_path(root, shape, path, list);
}

/// Removes entry `i` of a mapping's `entries`.
pub(super) fn remove_entry(entries: &mut Box<[(Key, Node)]>, i: usize) {
    let mut left = std::mem::take(entries).into_vec();
    left.remove(i);
    *entries = left.into_boxed_slice();
}

/// Removes the value at `path`, and each record left empty by that.
pub(super) fn remove_path(node: &mut Node, path: &[String]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    match &mut node.value {
        Value::List(items) => {
            if let Some(item) = first.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                remove_path(item, rest);
            }
        }
        Value::Map(entries) => {
            let Some(i) = entries.iter().position(|(k, _)| *k.name == **first) else {
                return;
            };
            if rest.is_empty() {
                remove_entry(entries, i);
                return;
            }
            remove_path(&mut entries[i].1, rest);
            if matches!(&entries[i].1.value, Value::Map(inner) if inner.is_empty()) {
                remove_entry(entries, i);
            }
        }
        _ => {}
    }
}

/// Problems found in the planned records, told at their cells.
pub(super) fn relocate_all(
    mut problems: Vec<Diagnostic>,
    row_of: &HashMap<PathBuf, usize>,
    places: &[Place<'_>],
) -> Vec<Diagnostic> {
    let relocate = |location: &mut Location| {
        let Some(row) = row_of.get(&location.file) else {
            return;
        };
        *location = match sheet_row(location.line) {
            Some((sheet, r)) if sheet < places.len() => places[sheet].cell(r, column(location.col)),
            _ if location.line == 0 && location.col == 0 => places[0].row(*row),
            _ => return,
        };
    };
    for problem in &mut problems {
        if let Some(location) = &mut problem.location {
            let in_file = location.clone();
            relocate(location);
            // A hint that tells how to write YAML is told for a cell instead.
            let moved = *location != in_file;
            if moved && problem.code == "required" {
                problem.hint = Some(Text::new(
                    "在这个单元格填上这个数（是 0 就填 0）；若确实没有这个数，不要填 0 充数：请维护这份报告数据格式（data/schema.yaml）的同事把这一项改为可以不填",
                    "fill in this cell (0 if it is zero); if there truly is no such figure, do not put 0 for it: ask whoever keeps the report's data format (data/schema.yaml) to make the field optional",
                ));
            } else if moved && problem.message.zh.contains("true 或 false") {
                problem.hint = Some(Text::new(
                    "在单元格里写「是」或「否」（也可写 true 或 false）",
                    "write 是 (yes) or 否 (no) in the cell (or true or false)",
                ));
            } else if moved
                && problem
                    .hint
                    .as_ref()
                    .is_some_and(|h| h.zh.contains("不加引号"))
            {
                problem.hint = Some(Text::new(
                    "在单元格里写一个数（可带单位，如 342元）",
                    "write a number in the cell (a unit may follow, such as 342元)",
                ));
            }
        }
        for (location, _) in &mut problem.related {
            relocate(location);
        }
    }
    problems
}

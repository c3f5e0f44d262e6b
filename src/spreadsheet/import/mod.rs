//! Spreadsheets in: `huibao import FILE --into data/villages` reads a sheet ([`super::read`]),
//! maps its header to the schema's fields ([`header`]), makes each row a record — its id
//! from an 编号 column, from the existing file of the same name, or from the name in pinyin
//! ([`crate::site_path::id_from_name`]) — and checks the records with every other file of the site by the same schema
//! code as YAML (units, ranges, rules across files). A problem is located at its cell,
//! `村委会.xlsx 村委会!D4（建档立卡户数（户））`. Nothing is planned when any row has an error.
//!
//! The plan says what would change, figure by figure, and the text of each file to write:
//! an existing file edited in place ([`yaml_edit`]), a new one in the schema's order.

pub mod header;
pub mod yaml_edit;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rust_decimal::Decimal;
use unicode_normalization::UnicodeNormalization;

use super::read::{self, Given, Grid, Workbook, cell_ref};
use super::{Leaf, value_columns};
use crate::diagnostics::{Diagnostic, Location, Severity, Text};
use crate::load::{Data, DataFile, Key, Node, Value, looks_like_decimal, resolve_plain};
use crate::manifest::Change;
use crate::validate::schema::{self, Field, FileSchema, Kind, Schema, did_you_mean};
use header::Role;

/// Values read from a sheet are placed at line `CELL_LINE + row` and the cell's column, so
/// that a problem the checks find in them is told at its cell.
pub const CELL_LINE: u32 = 1 << 30;

/// What to import.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The spreadsheet to read.
    pub file: &'a Path,
    /// It as named in messages.
    pub shown: &'a Path,
    /// The data folder or file it goes into (`data/villages`, `data/township.yaml`).
    pub into: &'a str,
    /// The sheet to read (default: the one named as the folder's label, or the only one).
    pub sheet: Option<&'a str>,
    /// Remove the folder's files whose record is not in the sheet (default: report them).
    pub remove_missing: bool,
}

/// What an import would do.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// The sheet read.
    pub sheet: String,
    /// How many records it has.
    pub records: usize,
    /// The files to write.
    pub writes: Vec<Planned>,
    /// Existing files whose values the sheet does not change.
    pub unchanged: Vec<PathBuf>,
    /// Files of the folder whose record is not in the sheet (kept).
    pub missing: Vec<PathBuf>,
    /// Files of the folder whose record is not in the sheet, to remove.
    pub removes: Vec<PathBuf>,
    /// Every value of an existing file that changes (old → new).
    pub changes: Vec<Change>,
    /// Warnings and notes (the CSV's encoding, rows left out, ids made from names).
    pub notes: Vec<Diagnostic>,
}

/// A file an import writes.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    /// Relative to the site folder: `data/villages/hengxi.yaml`.
    pub path: PathBuf,
    /// Its new text.
    pub text: String,
    /// A new file.
    pub new: bool,
    /// An existing file written anew (a value added or removed, or one that could not be
    /// replaced in place): its comments are not kept.
    pub rewritten: bool,
}

/// Where the records go.
struct Target<'s> {
    schema: &'s FileSchema,
    /// `villages` for a folder of files, one per record.
    folder: Option<String>,
    /// `data/township.yaml` for a single file.
    file: Option<PathBuf>,
    /// The sheet's default name: the schema's label of the files.
    label: String,
}

/// A sheet's place, to name its cells in messages.
struct Place<'a> {
    shown: &'a Path,
    sheet: &'a str,
    /// Each mapped column's header, by 0-based column.
    headers: HashMap<usize, String>,
}

impl Place<'_> {
    /// The cell at 0-based `row`, `col`: `村委会.xlsx 村委会!D4（建档立卡户数（户））`.
    fn cell(&self, row: usize, col: usize) -> Location {
        let header = self
            .headers
            .get(&col)
            .map(|h| format!("（{h}）"))
            .unwrap_or_default();
        Location::file(format!(
            "{} {}!{}{header}",
            self.shown.display(),
            self.sheet,
            cell_ref(row + 1, col + 1)
        ))
    }

    /// The 0-based `row` as a whole: `村委会.xlsx 村委会!4:4`.
    fn row(&self, row: usize) -> Location {
        Location::file(format!(
            "{} {}!{}:{}",
            self.shown.display(),
            self.sheet,
            row + 1,
            row + 1
        ))
    }

    /// The sheet as a whole.
    fn sheet(&self) -> Location {
        Location::file(format!("{} {}", self.shown.display(), self.sheet))
    }
}

/// The line a value read from `sheet` (0: the records' sheet, then the lists' sheets) at
/// 0-based `row` is placed at (see [`CELL_LINE`]).
fn line_of(sheet: usize, row: usize) -> u32 {
    CELL_LINE + ((sheet as u32) << ROW_BITS) + row as u32 + 1
}

/// Bits of a line made by [`line_of`] that hold the row: Excel's 1,048,576 rows and one.
const ROW_BITS: u32 = 21;

/// The sheet and 0-based row of a line made by [`line_of`].
fn sheet_row(line: usize) -> Option<(usize, usize)> {
    let at = line.checked_sub(CELL_LINE as usize)?;
    Some((at >> ROW_BITS, (at & ((1 << ROW_BITS) - 1)).checked_sub(1)?))
}

/// One value a row gives: where it goes in the record and what it is.
struct Assign {
    /// Its path in the record (a list item's by its index: `exits.2.year`).
    path: Vec<String>,
    /// The value, placed at its cell (null for an empty cell).
    node: Node,
    /// Whether it must be there (an empty cell of an optional field removes the value).
    required: bool,
    /// Its name in the change report: `建档立卡户数`, `历年脱贫第 3 项 脱贫年度`.
    label: String,
    /// Its unit, for the change report.
    unit: String,
}

/// One row of the sheet as a record.
struct Row {
    /// 0-based row.
    row: usize,
    /// Its id (a folder's file name), empty for a single file.
    id: String,
    /// Each value its cells give, its lists' items' too.
    values: Vec<Assign>,
    /// The lists read from their sheets: each list's path and how many items it has.
    lists: Vec<(Vec<String>, String, usize)>,
    /// Its name, when the sheet has the name column.
    name: Option<String>,
}

/// Diagnostics of a header's problems, at their cells of `place`.
fn header_problems(problems: Vec<header::Problem>, place: &Place<'_>) -> Vec<Diagnostic> {
    problems
        .into_iter()
        .map(|p| {
            let at =
                p.at.map_or_else(|| place.sheet(), |(r, c)| place.cell(r, c));
            let d = Diagnostic::error("import-header", Some(at), p.message);
            match p.hint {
                Some(hint) => d.with_hint(hint),
                None => d,
            }
        })
        .collect()
}

/// Plans the import of `request` into the site at `site_root`, whose schema is `schema`
/// and whose data files as loaded are `loaded`.
pub fn plan(
    site_root: &Path,
    schema: &Schema,
    loaded: &Data,
    request: &Request<'_>,
) -> Result<Plan, Vec<Diagnostic>> {
    let book = read::read(request.file, request.shown).map_err(|d| vec![d])?;
    let target = target(schema, request.into).map_err(|d| vec![d])?;
    let grid = choose_sheet(&book, request, &target).map_err(|d| vec![d])?;
    let mut notes = Vec::new();
    if let Some(note) = &book.encoding_note {
        notes.push(Diagnostic::new(
            Severity::Warning,
            "import-encoding",
            Some(Location::file(request.shown)),
            note.clone(),
        ));
    }
    let fields = &target.schema.fields;
    let shape = Kind::Record(fields.clone());
    let leaves = value_columns(fields);
    let required: Vec<bool> = leaves
        .iter()
        .map(|(path, _, _)| required_path(fields, path))
        .collect();
    let mut place = Place {
        shown: request.shown,
        sheet: &grid.name,
        headers: HashMap::new(),
    };
    let (header_row, mapped) = header::map(grid, &leaves, &required)
        .map_err(|problems| header_problems(problems, &place))?;
    place.headers = mapped.iter().map(|m| (m.col, m.header.clone())).collect();
    let existing: Vec<&Arc<DataFile>> = loaded
        .files
        .iter()
        .filter(|f| schema::matches(&target.schema.pattern, &f.path))
        .collect();
    // Rows with problems of their own are still checked (a row whose id is wrong under a
    // stand-in id), so that one import tells every problem of the sheet.
    let (mut rows, mut row_notes, mut problems) = rows(
        grid, header_row, &mapped, &leaves, &required, &target, &existing, &place,
    )?;
    notes.append(&mut row_notes);
    let mut places = vec![place];
    // The lists' sheets (`村委会·历年脱贫`), when the workbook has them.
    for list in super::list_fields(fields) {
        let Some(list_grid) = list_sheet(&book, grid, &target, &list.label) else {
            continue;
        };
        let sheet = places.len();
        let mut list_place = Place {
            shown: request.shown,
            sheet: &list_grid.name,
            headers: HashMap::new(),
        };
        let found = list_items(list_grid, sheet, &list, &target, &mut rows, &mut list_place);
        match found {
            Ok(mut found) => problems.append(&mut found),
            Err(mut found) => {
                problems.append(&mut found);
                continue;
            }
        }
        places.push(list_place);
    }

    // The records as they would be: each existing file with the sheet's values in it, or a
    // new one; checked with every other file of the site.
    let path_of = |row: &Row| match (&target.folder, &target.file) {
        (Some(folder), _) => Path::new("data")
            .join(folder)
            .join(format!("{}.yaml", row.id)),
        (None, Some(file)) => file.clone(),
        (None, None) => PathBuf::new(),
    };
    let in_sheet: HashSet<PathBuf> = rows.iter().map(path_of).collect();
    let left_out: Vec<PathBuf> = if target.folder.is_some() {
        existing
            .iter()
            .map(|f| f.path.clone())
            .filter(|p| !in_sheet.contains(p))
            .collect()
    } else {
        Vec::new()
    };
    // Files by path (a county's sheet has thousands of rows).
    let existing_at: HashMap<&Path, &Arc<DataFile>> =
        existing.iter().map(|f| (f.path.as_path(), *f)).collect();
    let mut candidates: Vec<Arc<DataFile>> = Vec::new();
    let mut row_of: HashMap<PathBuf, usize> = HashMap::new();
    for row in &rows {
        let path = path_of(row);
        let old = existing_at.get(path.as_path());
        let mut root = old.map_or_else(
            || Node {
                value: Value::Map(Box::default()),
                line: line_of(0, row.row),
                col: 1,
            },
            |f| f.root.clone(),
        );
        for (list_path, _, count) in &row.lists {
            resize_list(&mut root, &shape, list_path, *count, line_of(0, row.row));
        }
        for assign in &row.values {
            if assign.node.value == Value::Null && !assign.required {
                remove_path(&mut root, &assign.path);
            } else {
                set_path(&mut root, &shape, &assign.path, assign.node.clone());
            }
        }
        match crate::load::data_file(&path, root) {
            Ok(file) => candidates.push(Arc::new(file)),
            Err(found) => problems.extend(found),
        }
        row_of.insert(path, row.row);
    }
    let removed: HashSet<&PathBuf> = if request.remove_missing {
        left_out.iter().collect()
    } else {
        HashSet::new()
    };
    let mut files: Vec<Arc<DataFile>> = loaded
        .files
        .iter()
        .filter(|f| !in_sheet.contains(&f.path) && !removed.contains(&f.path))
        .cloned()
        .chain(candidates.iter().cloned())
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let (checked, found) = crate::validate::validate(site_root, &Data { files }, None, None);
    problems.extend(found);
    let found = relocate_all(problems, &row_of, &places);
    if found.iter().any(Diagnostic::is_error) {
        // The errors, and the warnings of the files the sheet touches (not the other
        // files' notes: `huibao check` reports those).
        let mut shown: Vec<Diagnostic> = found
            .into_iter()
            .filter(|d| d.is_error() || d.severity == Severity::Warning)
            .collect();
        shown.append(&mut notes);
        return Err(shown);
    }
    // Warnings about the sheet's records; those of the other files are `huibao check`'s.
    let sheet_prefix = request.shown.display().to_string();
    notes.extend(found.into_iter().filter(|d| {
        d.location
            .as_ref()
            .is_some_and(|l| l.file.to_string_lossy().starts_with(&sheet_prefix))
    }));
    // The sheet's files as they are now, checked for their values (units converted) to tell
    // what changes; rules over these few files alone mean nothing, so their problems are not
    // kept (as `checked_files_of` in lib.rs does).
    let now_in_sheet = Data {
        files: existing
            .iter()
            .filter(|f| in_sheet.contains(&f.path))
            .map(|f| Arc::clone(f))
            .collect(),
    };
    let (checked_before, _) = crate::validate::validate(site_root, &now_in_sheet, None, None);
    let by_path = |data: &Data| -> HashMap<PathBuf, Arc<DataFile>> {
        data.files
            .iter()
            .map(|f| (f.path.clone(), f.clone()))
            .collect()
    };
    let (checked_at, before_at) = (by_path(&checked), by_path(&checked_before));

    let mut plan = Plan {
        sheet: places[0].sheet.to_string(),
        records: rows.len(),
        notes,
        ..Plan::default()
    };
    let cell_of = |node: &Node| match sheet_row(node.line as usize) {
        Some((sheet, row)) if sheet < places.len() => places[sheet]
            .cell(row, (node.col as usize).saturating_sub(1))
            .to_string(),
        _ => String::new(),
    };
    for row in &rows {
        let path = path_of(row);
        let Some(now) = checked_at.get(path.as_path()) else {
            continue;
        };
        let old = existing_at.get(path.as_path());
        let Some(old) = old else {
            plan.writes.push(Planned {
                path,
                text: yaml_edit::file_text(&now.root),
                new: true,
                rewritten: false,
            });
            continue;
        };
        let before = before_at.get(path.as_path());
        let file_name = crate::site_path::slashed(&old.path);
        let what = |label: &str| {
            let name = row
                .name
                .as_deref()
                .map(|n| format!(" {n}"))
                .unwrap_or_default();
            format!("{}{name} {label}", target.label)
        };
        let mut intended = old.root.clone();
        // The edits that make the file's text the sheet's, where they can be made in place;
        // `structural` once one cannot (the file is then written anew).
        let mut edits: Vec<yaml_edit::Edit> = Vec::new();
        let mut structural = false;
        for (list_path, label, count) in &row.lists {
            let had = match at(&old.root, list_path).map(|n| &n.value) {
                Some(Value::List(items)) => items.len(),
                _ => 0,
            };
            if had != *count {
                structural = true;
                resize_list(&mut intended, &shape, list_path, *count, 0);
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
            plan.changes.push(Change {
                key: format!("{}.{}", old.key_path.join("."), leaf_path.join(".")),
                what: what(&assign.label),
                old: was.map(|n| shown(&n.value, &assign.unit)),
                new: is.map(|n| shown(&n.value, &assign.unit)),
                src: format!("{file_name} ← {}", cell_of(&assign.node)),
                direct: true,
            });
            let edit = match (at(&old.root, leaf_path), is) {
                (Some(raw), Some(new)) if raw.value != Value::Null => {
                    set_path(&mut intended, &shape, leaf_path, new.clone());
                    Some(yaml_edit::Edit::Replace {
                        line: raw.line,
                        col: raw.col,
                        old: raw.value.clone(),
                        new: new.value.clone(),
                    })
                }
                (_, Some(new)) => {
                    set_path(&mut intended, &shape, leaf_path, new.clone());
                    insertion(&old.root, &shape, leaf_path, &new.value)
                }
                (_, None) => {
                    remove_path(&mut intended, leaf_path);
                    removal(&old.root, leaf_path)
                }
            };
            match edit {
                Some(edit) => edits.push(edit),
                None => structural = true,
            }
        }
        if edits.is_empty() && !structural {
            plan.unchanged.push(path);
            continue;
        }
        let old_text = std::fs::read(site_root.join(&path))
            .ok()
            .and_then(|bytes| crate::load::decode(&bytes, &path).ok());
        let edited = match (&old_text, structural) {
            (Some(text), false) => yaml_edit::edit_in_place(text, &edits, &intended),
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
    if request.remove_missing {
        plan.removes = left_out;
    } else {
        plan.missing = left_out;
    }
    Ok(plan)
}

/// The line to put in for a value the file did not have, `key: value` where the schema's
/// order puts it: before the next key of its mapping, or after the last when that is one line
/// (at the end of the file, for the file's own mapping); `None` when it cannot go in place
/// (a flow mapping, a record the file lacks, a value that is not a scalar).
fn insertion(root: &Node, shape: &Kind, path: &[String], value: &Value) -> Option<yaml_edit::Edit> {
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
fn removal(root: &Node, path: &[String]) -> Option<yaml_edit::Edit> {
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

/// The workbook's sheet of a list labelled `label`: `村委会·历年脱贫` (the name of the
/// records' sheet or the target's label, a `·`, the list's label), as `huibao export`
/// names it (cut to Excel's 31 characters).
fn list_sheet<'b>(
    book: &'b Workbook,
    records: &Grid,
    target: &Target<'_>,
    label: &str,
) -> Option<&'b Grid> {
    let names: Vec<String> = [&records.name, &target.label]
        .iter()
        .flat_map(|sheet| {
            let full = format!("{sheet}·{label}");
            let cut: String = full.chars().take(31).collect();
            [header::loose(&full), header::loose(&cut)]
        })
        .collect();
    book.sheets
        .iter()
        .find(|s| !std::ptr::eq(*s, records) && names.contains(&header::loose(&s.name)))
}

/// A list's item read from its sheet: its 序号, its 0-based row, its values.
type Item = (Option<Decimal>, usize, Vec<Assign>);

/// Reads the items of `list` from its sheet (the `sheet`-th read) into `rows`: each row of
/// the sheet an item of the record its 编号 names (of the one record, for a single file), in
/// the order of its 序号. Returns the problems of its rows; `Err` when its header cannot be
/// read (the list is then left as it is).
fn list_items(
    grid: &Grid,
    sheet: usize,
    list: &super::ListField<'_>,
    target: &Target<'_>,
    rows: &mut [Row],
    place: &mut Place<'_>,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let leaves = super::item_columns(list.item);
    let item_fields: &[(String, Field)] = match &list.item.kind {
        Kind::Record(fields) => fields,
        _ => &[],
    };
    let required: Vec<bool> = leaves
        .iter()
        .map(|(path, _, _)| path.is_empty() || required_path(item_fields, path))
        .collect();
    let (header_row, mapped) =
        header::map(grid, &leaves, &required).map_err(|p| header_problems(p, place))?;
    place.headers = mapped.iter().map(|m| (m.col, m.header.clone())).collect();
    let id_col = mapped.iter().find(|m| m.role == Role::Id).map(|m| m.col);
    let number_col = mapped
        .iter()
        .find(|m| m.role == Role::RowNumber)
        .map(|m| m.col);
    if target.folder.is_some() && id_col.is_none() {
        return Err(vec![Diagnostic::error(
            "import-id",
            Some(place.sheet()),
            Text::new(
                "列表的工作表要有「编号」列：每一行是哪个文件的",
                "a list's sheet needs an 编号 (id) column: whose item is each row?",
            ),
        )]);
    }
    let mut problems = Vec::new();
    let ids: HashSet<&str> = rows.iter().map(|row| row.id.as_str()).collect();
    // By record: (序号, row, values) of each item.
    let mut items: HashMap<String, Vec<Item>> = HashMap::new();
    let empty = Given::Empty;
    for r in header_row + 1..grid.rows.len() {
        let cells = &grid.rows[r];
        let cell = |c: usize| cells.get(c).unwrap_or(&empty);
        if mapped.iter().all(|m| *cell(m.col) == Given::Empty) || is_total_row(cells) {
            continue;
        }
        let id = id_col
            .and_then(|c| header::text_of(cells.get(c)))
            .unwrap_or_default();
        if target.folder.is_some() && !ids.contains(id.as_str()) {
            problems.push(
                Diagnostic::error(
                    "import-id",
                    Some(place.cell(r, id_col.unwrap_or(0))),
                    Text::new(
                        format!("编号「{id}」不在记录的工作表里"),
                        format!("the id “{id}” is not in the records' sheet"),
                    ),
                )
                .with_hint(Text::new(
                    "每一项的编号要是记录表中的一行",
                    "each item's id must be a row of the records' sheet",
                )),
            );
            continue;
        }
        let number = match number_col.map(cell) {
            Some(Given::Number { value, .. }) => Some(*value),
            Some(Given::Text(t)) => t.trim().parse().ok(),
            _ => None,
        };
        let columns = Columns {
            mapped: &mapped,
            leaves: &leaves,
            required: &required,
        };
        let values = columns.values(grid, (sheet, r), place, &mut problems);
        items.entry(id).or_default().push((number, r, values));
    }
    for row in rows.iter_mut() {
        let mut mine = items.remove(&row.id).unwrap_or_default();
        mine.sort_by_key(|a| (a.0.is_none(), a.0, a.1));
        row.lists
            .push((list.path.clone(), list.label.clone(), mine.len()));
        for (i, (_, _, values)) in mine.into_iter().enumerate() {
            for mut assign in values {
                let mut path = list.path.clone();
                path.push(i.to_string());
                path.append(&mut assign.path);
                assign.path = path;
                assign.label = format!("{}第 {} 项 {}", list.label, i + 1, assign.label);
                row.values.push(assign);
            }
        }
    }
    Ok(problems)
}

/// The import's target by `--into`: a data folder of the schema (`data/villages`) or a
/// single data file (`data/township.yaml`).
fn target<'s>(schema: &'s Schema, into: &str) -> Result<Target<'s>, Diagnostic> {
    let normal = into.replace('\\', "/");
    let rel = normal.trim_end_matches('/');
    let rel = rel.strip_prefix("./").unwrap_or(rel);
    let rel = rel.strip_prefix("data/").unwrap_or(rel);
    let mut choices = Vec::new();
    for file_schema in &schema.files {
        let label = |fallback: &str| file_schema.label.clone().unwrap_or(fallback.to_string());
        if let Some(folder) = file_schema.pattern.strip_suffix("/*.yaml") {
            if folder == rel {
                return Ok(Target {
                    schema: file_schema,
                    folder: Some(folder.to_string()),
                    file: None,
                    label: label(folder),
                });
            }
            choices.push(format!("data/{folder}"));
        } else if !file_schema.pattern.contains('*') {
            let pattern = &file_schema.pattern;
            if pattern == rel || pattern.strip_suffix(".yaml") == Some(rel) {
                return Ok(Target {
                    schema: file_schema,
                    folder: None,
                    file: Some(Path::new("data").join(pattern)),
                    label: label(pattern),
                });
            }
            choices.push(format!("data/{pattern}"));
        }
    }
    let listed = choices.join("、");
    let hint = match did_you_mean(&format!("data/{rel}"), choices.iter().map(String::as_str)) {
        Some(near) => Text::new(
            format!("是不是 {near}？可选：{listed}"),
            format!("did you mean {near}? One of: {}", choices.join(", ")),
        ),
        None => Text::new(
            format!("可选：{listed}"),
            format!("one of: {}", choices.join(", ")),
        ),
    };
    Err(Diagnostic::error(
        "import-into",
        None,
        Text::new(
            format!("data/schema.yaml 里没有「{into}」这个数据文件夹或文件"),
            format!("data/schema.yaml describes no data folder or file “{into}”"),
        ),
    )
    .with_hint(hint))
}

/// The sheet to read: `--sheet`, else the one named as the target's label, else the only
/// visible one.
fn choose_sheet<'b>(
    book: &'b Workbook,
    request: &Request<'_>,
    target: &Target<'_>,
) -> Result<&'b Grid, Diagnostic> {
    let loose = header::loose;
    let names = || {
        book.sheets
            .iter()
            .map(|s| {
                if s.hidden {
                    format!("{}（隐藏）", s.name)
                } else {
                    s.name.clone()
                }
            })
            .collect::<Vec<_>>()
            .join("、")
    };
    if let Some(wanted) = request.sheet {
        if let Some(found) = book
            .sheets
            .iter()
            .find(|s| s.name == wanted)
            .or_else(|| book.sheets.iter().find(|s| loose(&s.name) == loose(wanted)))
        {
            return Ok(found);
        }
        let near = did_you_mean(wanted, book.sheets.iter().map(|s| s.name.as_str()));
        let d = Diagnostic::error(
            "import-sheet",
            Some(Location::file(request.shown)),
            Text::new(
                format!("工作簿里没有叫「{wanted}」的工作表"),
                format!("the workbook has no sheet called “{wanted}”"),
            ),
        );
        return Err(d.with_hint(match near {
            Some(near) => Text::new(
                format!("是不是「{near}」？工作表：{}", names()),
                format!("did you mean “{near}”? Sheets: {}", names()),
            ),
            None => Text::new(
                format!("工作表：{}", names()),
                format!("sheets: {}", names()),
            ),
        }));
    }
    let visible: Vec<&Grid> = book.sheets.iter().filter(|s| !s.hidden).collect();
    if let Some(found) = visible
        .iter()
        .find(|s| loose(&s.name) == loose(&target.label))
    {
        return Ok(found);
    }
    match visible.as_slice() {
        [only] => Ok(only),
        _ => Err(Diagnostic::error(
            "import-sheet",
            Some(Location::file(request.shown)),
            Text::new(
                format!(
                    "工作簿有 {} 个工作表，没有一个叫「{}」：不知道读哪一个",
                    book.sheets.len(),
                    target.label
                ),
                format!(
                    "the workbook has {} sheets and none is called “{}”: which one to read?",
                    book.sheets.len(),
                    target.label
                ),
            ),
        )
        .with_hint(Text::new(
            format!(
                "用 --sheet 指定，例如 --sheet {}（工作表：{}）",
                target.label,
                names()
            ),
            format!(
                "name it with --sheet, e.g. --sheet {} (sheets: {})",
                target.label,
                names()
            ),
        ))),
    }
}

/// Whether a field and every record around it must be there.
fn required_path(fields: &[(String, Field)], path: &[String]) -> bool {
    let mut fields = fields;
    for (i, key) in path.iter().enumerate() {
        let Some((_, field)) = fields.iter().find(|(name, _)| name == key) else {
            return false;
        };
        if !field.required {
            return false;
        }
        match &field.kind {
            Kind::Record(inner) => fields = inner,
            _ if i + 1 == path.len() => return true,
            _ => return false,
        }
    }
    true
}

/// The records of a sheet's rows, notes, and the problems of the rows (each row is kept,
/// one whose id is wrong under a stand-in id).
type RowsRead = (Vec<Row>, Vec<Diagnostic>, Vec<Diagnostic>);

/// Texts of a total row's first cells: such a row sums the others and is not a record.
const TOTAL_ROWS: [&str; 4] = ["合计", "总计", "小计", "全乡合计"];

/// Whether a row is a total row: one of its first three cells says 合计 (or 总计, 小计).
fn is_total_row(cells: &[Given]) -> bool {
    cells.iter().take(3).any(|c| match c {
        Given::Text(t) => TOTAL_ROWS.contains(&t.split_whitespace().collect::<String>().as_str()),
        _ => false,
    })
}

/// The sheet's rows below the header as records, with notes (rows left out, ids made from
/// names); every problem located at its cell.
#[allow(clippy::too_many_arguments)]
fn rows(
    grid: &Grid,
    header_row: usize,
    mapped: &[header::Mapped],
    leaves: &[Leaf<'_>],
    required: &[bool],
    target: &Target<'_>,
    existing: &[&Arc<DataFile>],
    place: &Place<'_>,
) -> Result<RowsRead, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let id_col = mapped.iter().find(|m| m.role == Role::Id).map(|m| m.col);
    // The record's name: the first unique text field at the top, or `name`.
    let name_leaf = leaves
        .iter()
        .position(|(p, _, f)| p.len() == 1 && matches!(f.kind, Kind::Text) && f.unique)
        .or_else(|| leaves.iter().position(|(p, _, _)| p == &["name"]));
    let name_col = name_leaf.and_then(|leaf| {
        mapped
            .iter()
            .find(|m| matches!(m.role, Role::Value { leaf: l, .. } if l == leaf))
            .map(|m| m.col)
    });
    if target.folder.is_some() && id_col.is_none() && name_col.is_none() {
        let name_header = name_leaf.map(|l| leaves[l].1.clone());
        return Err(vec![Diagnostic::error(
            "import-id",
            Some(place.sheet()),
            Text::new(
                "表中没有「编号」列，也没有名称列：不知道每一行是哪个文件",
                "the sheet has neither an 编号 (id) column nor a name column: which file is each row?",
            ),
        )
        .with_hint(Text::new(
            format!(
                "加一列「编号」（文件名，如 hengxi）{}",
                name_header.map(|h| format!("或「{h}」")).unwrap_or_default()
            ),
            "add an 编号 column (the file name, such as hengxi) or the name column",
        ))]);
    }
    let name_of_file = |file: &DataFile| -> Option<String> {
        let leaf = name_leaf?;
        at(&file.root, &leaves[leaf].0)?.value.scalar_text()
    };
    let by_name: HashMap<String, String> = existing
        .iter()
        .filter_map(|f| Some((nfc(&name_of_file(f)?), f.id().to_string())))
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut rows = Vec::new();
    let empty = Given::Empty;
    for r in header_row + 1..grid.rows.len() {
        let cells = &grid.rows[r];
        let cell = |c: usize| cells.get(c).unwrap_or(&empty);
        let blank = mapped
            .iter()
            .filter(|m| m.role != Role::RowNumber)
            .all(|m| *cell(m.col) == Given::Empty);
        if blank {
            continue;
        }
        if is_total_row(cells) {
            notes.push(Diagnostic::new(
                Severity::Warning,
                "import-total-row",
                Some(place.row(r)),
                Text::new(
                    "这是合计行，没有导入：合计由 huibao 从各行算出并核对",
                    "a total row, not imported: huibao computes and checks totals from the rows",
                ),
            ));
            continue;
        }
        let columns = Columns {
            mapped,
            leaves,
            required,
        };
        let mut found = Vec::new();
        let values = columns.values(grid, (0, r), place, &mut found);
        // Doubts are notes; the problems of cells stop the import.
        for d in found {
            if d.is_error() {
                problems.push(d);
            } else {
                notes.push(d);
            }
        }
        let name = name_col.and_then(|c| header::text_of(cells.get(c)));
        let id_problem = |col: usize, message: Text, hint: Text| {
            Diagnostic::error("import-id", Some(place.cell(r, col)), message).with_hint(hint)
        };
        // A row whose id cannot be had is checked under a stand-in id.
        let stand_in = format!("_row{}", r + 1);
        let id = 'id: {
            if target.folder.is_none() {
                break 'id String::new();
            }
            let written = id_col.and_then(|c| header::text_of(cells.get(c)));
            match (written, &name) {
                (Some(id), _) => {
                    if !crate::load::is_identifier(&id) || id.ends_with("_list") {
                        problems.push(
                            id_problem(id_col.unwrap_or(0), Text::new(
                                    format!("编号「{id}」不能做文件名"),
                                    format!("the id “{id}” cannot be a file name"),
                                ), Text::new(
                                "只用小写英文字母、数字和下划线，以字母开头，例如 hengxi",
                                "use lowercase letters, digits and underscores, starting with a letter, e.g. hengxi",
                            )),
                        );
                        break 'id stand_in.clone();
                    }
                    id
                }
                (None, Some(name)) => match by_name.get(&nfc(name)) {
                    Some(id) => id.clone(),
                    None => {
                        let made = crate::site_path::id_from_name(name);
                        let col = name_col.unwrap_or(0);
                        if made.id.is_empty() {
                            problems.push(id_problem(
                                col,
                                Text::new(
                                    format!("无法从名称「{name}」生成文件名"),
                                    format!("cannot make a file name of the name “{name}”"),
                                ),
                                Text::new(
                                    "加一列「编号」写明文件名（如 hengxi）",
                                    "add an 编号 column with the file name (such as hengxi)",
                                ),
                            ));
                            break 'id stand_in.clone();
                        }
                        if let Some(other) = existing.iter().find(|f| f.id() == made.id) {
                            let other_name = name_of_file(other).unwrap_or_default();
                            problems.push(id_problem(col, Text::new(
                                    format!("「{name}」按拼音是 {}，但 {} 已经是「{other_name}」的文件", made.id, other.path.display()),
                                    format!("“{name}” in pinyin is {}, but {} is already the file of “{other_name}”", made.id, other.path.display()),
                                ), Text::new("加一列「编号」为它写明另一个文件名", "add an 编号 column giving it another file name")));
                            break 'id stand_in.clone();
                        }
                        if !made.ambiguous.is_empty() {
                            let readings: Vec<String> = made
                                .ambiguous
                                .iter()
                                .map(|(c, r)| format!("{c}：{}", r.join("/")))
                                .collect();
                            notes.push(Diagnostic::new(
                                Severity::Warning,
                                "import-id-reading",
                                Some(place.cell(r, col)),
                                Text::new(
                                    format!("新文件名按拼音取 {}；{} 有多个读音（{}）", made.id, name, readings.join("，")),
                                    format!("the new file name is {} in pinyin; {} has characters of several readings ({})", made.id, name, readings.join(", ")),
                                ),
                            ).with_hint(Text::new("读音不对时，加一列「编号」写明文件名", "if the reading is wrong, add an 编号 column with the file name")));
                        }
                        made.id
                    }
                },
                (None, None) => {
                    let col = id_col.or(name_col).unwrap_or(0);
                    problems.push(Diagnostic::error(
                        "import-id",
                        Some(place.cell(r, col)),
                        Text::new(
                            "这一行没有编号也没有名称：不知道它是哪个文件",
                            "this row has neither an id nor a name: which file is it?",
                        ),
                    ));
                    break 'id stand_in.clone();
                }
            }
        };
        if target.folder.is_some() {
            if let Some(first) = seen.get(&id) {
                problems.push(
                    Diagnostic::error(
                        "import-id",
                        Some(place.cell(r, id_col.or(name_col).unwrap_or(0))),
                        Text::new(
                            format!("第 {} 行与第 {} 行是同一个文件 {id}.yaml", r + 1, first + 1),
                            format!(
                                "rows {} and {} are the same file {id}.yaml",
                                first + 1,
                                r + 1
                            ),
                        ),
                    )
                    .with_hint(Text::new(
                        "删掉重复的一行，或在「编号」列给它另一个文件名",
                        "delete the repeated row, or give it another file name in the 编号 column",
                    )),
                );
                // The first of the two is checked; this one is not read further.
                continue;
            }
            seen.insert(id.clone(), r);
        }
        rows.push(Row {
            row: r,
            id,
            values,
            lists: Vec::new(),
            name,
        });
    }
    if target.folder.is_none() && problems.is_empty() && rows.len() != 1 {
        problems.push(Diagnostic::error(
            "import-rows",
            Some(place.sheet()),
            Text::new(
                format!(
                    "{} 是一个文件，表中应有一行数据，这里有 {} 行",
                    target.label,
                    rows.len()
                ),
                format!(
                    "{} is one file: the sheet should have one row of data, it has {}",
                    target.label,
                    rows.len()
                ),
            ),
        ));
    }
    Ok((rows, notes, problems))
}

/// Text compared as Unicode NFC, trimmed (村 typed two ways is one name).
fn nfc(text: &str) -> String {
    text.trim().nfc().collect()
}

/// The mapped columns of a sheet, to read a row's values with.
struct Columns<'c, 'f> {
    mapped: &'c [header::Mapped],
    leaves: &'c [Leaf<'f>],
    required: &'c [bool],
}

impl Columns<'_, '_> {
    /// The values of the 0-based row `r` of `grid` (the `sheet`-th read), each placed at its
    /// cell; a cell that cannot be read is a problem, a doubtful one a warning.
    fn values(
        &self,
        grid: &Grid,
        (sheet, r): (usize, usize),
        place: &Place<'_>,
        problems: &mut Vec<Diagnostic>,
    ) -> Vec<Assign> {
        let empty = Given::Empty;
        let cells = &grid.rows[r];
        let mut values = Vec::new();
        for m in self.mapped {
            let Role::Value { leaf, unit } = &m.role else {
                continue;
            };
            let given = cells.get(m.col).unwrap_or(&empty);
            let (path, label, field) = &self.leaves[*leaf];
            if let Some(doubt) = percent_doubt(grid, given, field) {
                problems.push(Diagnostic::new(
                    Severity::Warning,
                    "import-percent",
                    Some(place.cell(r, m.col)),
                    doubt,
                ));
            }
            match cell_value(given, field, unit.as_deref()) {
                Ok(value) => values.push(Assign {
                    path: path.clone(),
                    node: Node {
                        value,
                        line: line_of(sheet, r),
                        col: m.col as u32 + 1,
                    },
                    required: self.required[*leaf],
                    label: label.clone(),
                    unit: field.unit.clone().unwrap_or_default(),
                }),
                Err(message) => problems.push(
                    Diagnostic::error("import-cell", Some(place.cell(r, m.col)), message)
                        .with_hint(Text::new(
                            "改正这个单元格（或它的公式），再导入",
                            "correct this cell (or its formula) and import again",
                        )),
                ),
            }
        }
        values
    }
}

/// A doubt about a number below 1 in a percentage column of a workbook whose number formats
/// are not read (.xls, .ods): a cell showing 85% holds 0.85, which is read as 0.85%.
fn percent_doubt(grid: &Grid, given: &Given, field: &Field) -> Option<Text> {
    let Given::Number { value, .. } = given else {
        return None;
    };
    let small = !value.is_zero() && value.abs() < Decimal::ONE;
    (!grid.formats && matches!(field.kind, Kind::Percent) && small).then(|| {
        Text::new(
            format!(
                "读作 {value}%：若单元格显示的是百分比（如 {}%），它存的是小数，请写成百分数或另存为 .xlsx 再导入",
                value * Decimal::ONE_HUNDRED
            ),
            format!(
                "read as {value}%: if the cell shows a percentage ({}%), it holds a fraction; write the percentage, or save as .xlsx and import again",
                value * Decimal::ONE_HUNDRED
            ),
        )
    })
}

/// A cell's value for `field`, as YAML would give it for the schema's checks; `unit` is the
/// unit the header gives its numbers in. Full-width digits and thousands separators are
/// folded (a spreadsheet's cell is not typed with YAML's care); a percentage format gives
/// the percentage shown.
fn cell_value(given: &Given, field: &Field, unit: Option<&str>) -> Result<Value, Text> {
    let numeric = matches!(
        field.kind,
        Kind::Count | Kind::Amount | Kind::Percent | Kind::Decimal | Kind::Year
    );
    Ok(match given {
        Given::Empty => Value::Null,
        Given::Error(e) => {
            return Err(Text::new(
                format!("单元格是错误值 {e}（公式出错）"),
                format!("the cell holds the error value {e} (a formula failed)"),
            ));
        }
        Given::Number {
            value,
            percent,
            decimals,
        } if numeric => {
            let mut value = if *percent && matches!(field.kind, Kind::Percent) {
                (*value * Decimal::ONE_HUNDRED).normalize()
            } else {
                *value
            };
            // The decimals the cell shows: 1.10 formatted `0.00` is 1.10.
            if value.scale() < *decimals {
                value.rescale(*decimals);
            }
            match unit {
                Some(unit) => Value::String(format!("{value}{unit}").into()),
                None => Value::Number(value),
            }
        }
        Given::Number { value, .. } if matches!(field.kind, Kind::Bool) => {
            if *value == Decimal::ONE {
                Value::Bool(true)
            } else if value.is_zero() {
                Value::Bool(false)
            } else {
                Value::Number(*value)
            }
        }
        Given::Number { value, .. } => Value::String(value.to_string().into()),
        Given::Bool(b) => Value::Bool(*b),
        Given::Date(date) => {
            let date = date.strip_suffix(" 00:00:00").unwrap_or(date);
            Value::String(date.to_string().into())
        }
        Given::Text(text) => {
            let text = text.trim();
            if text.is_empty() {
                Value::Null
            } else if numeric {
                number_text(text, field, unit)
            } else if matches!(field.kind, Kind::Bool) {
                match crate::diagnostics::yes_or_no(text) {
                    Some(yes) => Value::Bool(yes),
                    None => Value::String(text.into()),
                }
            } else {
                Value::String(text.into())
            }
        }
    })
}

/// A number typed as text in a cell: full-width forms folded, thousands separators
/// (`1,234.5`) taken out, the header's unit added; a number when it then reads as one, else
/// the text for the schema's checks (`342元`, `5.2%`).
fn number_text(text: &str, field: &Field, unit: Option<&str>) -> Value {
    let folded: String = text.nfkc().filter(|c| !c.is_whitespace()).collect();
    let folded = ungrouped(&folded);
    let folded = match field.unit.as_deref() {
        Some("%") => folded.strip_suffix('%').unwrap_or(&folded).to_string(),
        _ => folded,
    };
    if let Some(unit) = unit
        && looks_like_decimal(&folded)
    {
        return Value::String(format!("{folded}{unit}").into());
    }
    match resolve_plain(&folded) {
        Ok(Value::Number(n)) => Value::Number(n),
        _ => Value::String(folded.into()),
    }
}

/// `1,234,567.5元` → `1234567.5元`: commas taken out of a number's whole part only when they
/// group it by threes; anything else left as written.
fn ungrouped(text: &str) -> String {
    let sign = text.starts_with(['-', '+']) as usize;
    let end = text[sign..]
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .map_or(text.len(), |i| i + sign);
    let whole = &text[sign..end];
    if !whole.contains(',') {
        return text.to_string();
    }
    let groups: Vec<&str> = whole.split(',').collect();
    let grouped = (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
    if grouped {
        format!("{}{}{}", &text[..sign], groups.concat(), &text[end..])
    } else {
        text.to_string()
    }
}

/// Two values the same, a number with its scale (`1.10` is not `1.1`: it prints otherwise).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.serialize() == y.serialize(),
        _ => a == b,
    }
}

/// A value as the change report shows it: `132户`, `81.76875万元`, `横溪村`.
fn shown(value: &Value, unit: &str) -> String {
    match value {
        Value::Number(n) => format!("{n}{unit}"),
        other => other.scalar_text().unwrap_or_default(),
    }
}

/// The node at `path` under `node` (a list's item by its index).
fn at<'n>(node: &'n Node, path: &[String]) -> Option<&'n Node> {
    path.iter().try_fold(node, |node, key| match &node.value {
        Value::List(items) => items.get(key.parse::<usize>().ok()?),
        _ => node.get(key),
    })
}

/// What the child `key` of a value shaped `shape` is shaped as.
fn child_shape<'k>(shape: &'k Kind, key: &str) -> Option<&'k Kind> {
    match shape {
        Kind::Record(fields) => fields.iter().find(|(n, _)| n == key).map(|(_, f)| &f.kind),
        Kind::List(item) => Some(&item.kind),
        _ => None,
    }
}

/// Sets the value at `path` under `node` (shaped as `shape`: the schema's record), making
/// the records on the way; a new key goes where the schema's order puts it. A list's item
/// is named by its index, and must be there.
fn set_path(node: &mut Node, shape: &Kind, path: &[String], value: Node) {
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
fn resize_list(root: &mut Node, shape: &Kind, path: &[String], count: usize, line: u32) {
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
fn remove_entry(entries: &mut Box<[(Key, Node)]>, i: usize) {
    let mut left = std::mem::take(entries).into_vec();
    left.remove(i);
    *entries = left.into_boxed_slice();
}

/// Removes the value at `path`, and each record left empty by that.
fn remove_path(node: &mut Node, path: &[String]) {
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
fn relocate_all(
    mut problems: Vec<Diagnostic>,
    row_of: &HashMap<PathBuf, usize>,
    places: &[Place<'_>],
) -> Vec<Diagnostic> {
    let relocate = |location: &mut Location| {
        let Some(row) = row_of.get(&location.file) else {
            return;
        };
        *location = match sheet_row(location.line) {
            Some((sheet, r)) if sheet < places.len() => {
                places[sheet].cell(r, location.col.saturating_sub(1))
            }
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
                    "在这个单元格填上值；若确实没有这个数，在 schema 里把字段标为 optional: true",
                    "fill in this cell; if there truly is no such figure, mark the field optional: true in the schema",
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

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: Kind, unit: Option<&str>) -> Field {
        let mut f = Field::record(Vec::new(), 0, 0);
        f.kind = kind;
        f.unit = unit.map(Into::into);
        f
    }

    fn number(text: &str, percent: bool, decimals: u32) -> Given {
        Given::Number {
            value: text.parse().unwrap(),
            percent,
            decimals,
        }
    }

    #[test]
    fn cells_become_the_values_yaml_would_give() {
        let d = |s: &str| Value::Number(s.parse().unwrap());
        let count = field(Kind::Count, Some("户"));
        let wan = field(Kind::Amount, Some("万元"));
        let pct = field(Kind::Percent, Some("%"));
        let text = field(Kind::Text, None);
        let flag = field(Kind::Bool, None);
        let t = |s: &str| Given::Text(s.into());
        assert_eq!(cell_value(&t("１，２３４"), &count, None), Ok(d("1234")));
        assert_eq!(cell_value(&t("1,234,567"), &count, None), Ok(d("1234567")));
        assert_eq!(
            cell_value(&t("1,23"), &count, None),
            Ok(Value::String("1,23".into()))
        );
        assert_eq!(
            cell_value(&t("342元"), &wan, None),
            Ok(Value::String("342元".into()))
        );
        assert_eq!(
            cell_value(&t("342"), &wan, Some("元")),
            Ok(Value::String("342元".into()))
        );
        assert_eq!(
            cell_value(&number("342", false, 0), &wan, Some("元")),
            Ok(Value::String("342元".into()))
        );
        assert_eq!(cell_value(&t("5.25%"), &pct, None), Ok(d("5.25")));
        assert_eq!(
            cell_value(&number("0.0525", true, 2), &pct, None),
            Ok(d("5.25"))
        );
        assert_eq!(
            cell_value(&number("0.85", true, 2), &pct, None),
            Ok(d("85.00"))
        );
        assert_eq!(
            cell_value(&number("1.1", false, 2), &wan, None),
            Ok(d("1.10"))
        );
        assert_eq!(
            cell_value(&number("81.76875", false, 2), &wan, None),
            Ok(d("81.76875"))
        );
        assert_eq!(
            cell_value(&number("602", false, 0), &text, None),
            Ok(Value::String("602".into()))
        );
        assert_eq!(cell_value(&t("是"), &flag, None), Ok(Value::Bool(true)));
        assert_eq!(
            cell_value(&number("0", false, 0), &flag, None),
            Ok(Value::Bool(false))
        );
        assert_eq!(cell_value(&t("  "), &text, None), Ok(Value::Null));
        assert!(cell_value(&Given::Error("#DIV/0!".into()), &count, None).is_err());
        assert_eq!(
            cell_value(&Given::Date("2020-10-31 00:00:00".into()), &text, None),
            Ok(Value::String("2020-10-31".into()))
        );
    }

    #[test]
    fn values_are_set_in_the_schemas_order() {
        let hp = Field::record(
            vec![
                ("households".into(), field(Kind::Count, None)),
                ("people".into(), field(Kind::Count, None)),
            ],
            0,
            0,
        );
        let fields = vec![
            ("name".to_string(), field(Kind::Text, None)),
            ("registered".to_string(), hp),
            ("summary".to_string(), field(Kind::Text, None)),
        ];
        let mut root =
            crate::load::yaml::parse("name: 横溪村\nsummary: 好\n", Path::new("t")).unwrap();
        let value = |n: i64| Node {
            value: Value::Number(n.into()),
            line: 9,
            col: 9,
        };
        let shape = Kind::Record(fields.clone());
        set_path(
            &mut root,
            &shape,
            &["registered".into(), "people".into()],
            value(468),
        );
        set_path(
            &mut root,
            &shape,
            &["registered".into(), "households".into()],
            value(132),
        );
        assert_eq!(
            yaml_edit::file_text(&root),
            "name: 横溪村\nregistered:\n  households: 132\n  people: 468\nsummary: 好\n"
        );
        remove_path(&mut root, &["registered".into(), "households".into()]);
        remove_path(&mut root, &["registered".into(), "people".into()]);
        assert_eq!(yaml_edit::file_text(&root), "name: 横溪村\nsummary: 好\n");
    }

    #[test]
    fn a_cells_line_tells_its_sheet_and_row_to_excels_last_row() {
        for (sheet, row) in [(0, 0), (0, 1_048_575), (3, 11), (1000, 1_048_575)] {
            assert_eq!(sheet_row(line_of(sheet, row) as usize), Some((sheet, row)));
        }
        assert_eq!(sheet_row(12), None);
    }

    #[test]
    fn required_means_the_field_and_every_record_around_it() {
        let mut optional = field(Kind::Count, None);
        optional.required = false;
        let fields = vec![
            (
                "a".to_string(),
                Field::record(vec![("b".into(), field(Kind::Count, None))], 0, 0),
            ),
            ("c".to_string(), optional),
        ];
        assert!(required_path(&fields, &["a".into(), "b".into()]));
        assert!(!required_path(&fields, &["c".into()]));
    }
}

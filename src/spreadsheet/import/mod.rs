//! Spreadsheets in: `huibao import FILE --into data/villages` reads a sheet ([`super::read`]),
//! maps its header to the schema's fields ([`header`]), makes each row a record — its id
//! from an 编号 column, from the existing file of the same name, or from the name in pinyin
//! ([`crate::site_path::id_from_name`]) — and checks the records with every other file of the site by the same schema
//! code as YAML (units, ranges, rules across files). A problem is located at its cell,
//! `村委会.xlsx 村委会!D4（建档立卡户数（户））`. Nothing is planned when any row has an error.
//!
//! The plan says what would change, figure by figure, and the text of each file to write:
//! an existing file edited in place ([`yaml_edit`]), a new one in the schema's order.

mod cells;
pub mod header;
mod records;
mod rows;
pub mod yaml_edit;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::read::{self, Grid, Workbook, cell_ref};
use crate::diagnostics::{Diagnostic, Location, Severity, Text};
use crate::load::{Data, DataFile, Node};
use crate::manifest::Change;
use crate::validate::schema::{self, FileSchema, Schema, did_you_mean};
use records::{Changes, Records, by_path, relocate_all};
use rows::{SheetRead, read_records};

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
    /// The data folder or file it goes into (`data/villages`, `data/township.yaml`), as
    /// [`plan_all`] sets it for each of its targets.
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

/// The column a value read from 0-based column `col` is placed at: the column shifted
/// left, so that a problem told at a character inside the cell's text (`290。`, at its `。`)
/// is still in the cell's column (Excel's cells hold at most 32,767 characters).
fn col_of(col: usize) -> u32 {
    ((col as u32) + 1) << COL_SHIFT
}

/// The 0-based column of a column made by [`col_of`] (1, a whole row's: column A).
fn column(col: usize) -> usize {
    (col >> COL_SHIFT).saturating_sub(1)
}

/// How far [`col_of`] shifts a column.
const COL_SHIFT: u32 = 15;

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

/// Plans the import of the workbook of `request` (into the site at `site_root`, whose
/// schema is `schema` and whose data files as loaded are `loaded`) into each of `intos` (data folders or files,
/// as `--into` names them; none: every target whose label names a sheet of the workbook, as
/// `huibao export xlsx` writes them), the records of all checked together with the rest of
/// the site: a figure that other files add up to (a village's people, the township's total)
/// is changed in both at once. One plan per target, in the order of `intos`.
pub fn plan_all(
    site_root: &Path,
    schema: &Schema,
    loaded: &Data,
    request: &Request<'_>,
    intos: &[&str],
) -> Result<Vec<Plan>, Vec<Diagnostic>> {
    let book = read::read(request.file, request.shown).map_err(|d| vec![d])?;
    // Each target with its name as `--into` writes it.
    let named: Vec<(String, Target<'_>)> = if intos.is_empty() {
        sheets_targets(schema, &book, request)?
    } else {
        let mut named = Vec::new();
        for into in intos {
            named.push((into.to_string(), target(schema, into).map_err(|d| vec![d])?));
        }
        named
    };
    let one = named.len() == 1;
    let (names, targets): (Vec<String>, Vec<Target<'_>>) = named.into_iter().unzip();
    let requests: Vec<Request<'_>> = names
        .iter()
        .map(|into| Request {
            into,
            sheet: request.sheet.filter(|_| one),
            ..*request
        })
        .collect();
    // Each target's sheet read; every target's problems told at once.
    let mut problems = Vec::new();
    let mut read_all = Vec::new();
    for (target, request) in targets.iter().zip(&requests) {
        let existing: Vec<&Arc<DataFile>> = loaded
            .files
            .iter()
            .filter(|f| schema::matches(&target.schema.pattern, &f.path))
            .collect();
        let read = choose_sheet(&book, request, target)
            .map_err(|d| vec![d])
            .and_then(|grid| {
                read_records((&book, grid), request, target, &existing).map_err(|problems| {
                    made_for_another(schema, grid, request, target).unwrap_or(problems)
                })
            });
        match read {
            Ok(read) => read_all.push((target, read, existing)),
            Err(mut found) => problems.append(&mut found),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let records: Vec<Records<'_>> = read_all
        .iter()
        .map(|(target, read, existing)| Records::new(&read.rows, target, existing))
        .collect();
    let left_out: Vec<Vec<PathBuf>> = read_all
        .iter()
        .zip(&records)
        .map(|((target, _, existing), records)| match target.folder {
            Some(_) => existing
                .iter()
                .map(|f| f.path.clone())
                .filter(|p| !records.in_sheet.contains(p))
                .collect(),
            None => Vec::new(),
        })
        .collect();
    let removed: HashSet<&PathBuf> = match request.remove_missing {
        true => left_out.iter().flatten().collect(),
        false => HashSet::new(),
    };
    let sheet_problems = read_all
        .iter_mut()
        .flat_map(|(_, read, _)| std::mem::take(&mut read.problems))
        .collect();
    let (checked, mut found) =
        Records::checked_with_all(&records, site_root, loaded, &removed, sheet_problems);
    // The corrections log says what each corrected figure is now: a cell that changes one
    // again makes it wrong, told before anything is written (as `check` would after).
    found.extend(crate::validate::corrections::read(&checked, Some(schema)).1);
    for ((_, read, _), records) in read_all.iter().zip(&records) {
        found = relocate_all(found, &records.row_of, &read.places);
    }
    if found.iter().any(Diagnostic::is_error) {
        // The errors, and the warnings of the files the sheets touch (not the other
        // files' notes: `huibao check` reports those).
        let mut shown: Vec<Diagnostic> = found
            .into_iter()
            .filter(|d| d.is_error() || d.severity == Severity::Warning)
            .collect();
        for (_, read, _) in &mut read_all {
            shown.append(&mut read.notes);
        }
        return Err(shown);
    }
    // Warnings about the sheets' records, each with its target's plan (one told at the
    // workbook itself with the first); those of the other files are `huibao check`'s.
    let shown = request.shown.display().to_string();
    let mut sheet_notes: Vec<Vec<Diagnostic>> = vec![Vec::new(); read_all.len()];
    for note in found {
        let Some(file) = note
            .location
            .as_ref()
            .map(|l| l.file.to_string_lossy().into_owned())
        else {
            continue;
        };
        if !file.starts_with(&shown) {
            continue;
        }
        let of_sheet = read_all.iter().position(|(_, read, _)| {
            file.starts_with(&format!("{shown} {}", read.places[0].sheet))
        });
        sheet_notes[of_sheet.unwrap_or(0)].push(note);
    }
    let checked_at = by_path(&checked);
    let mut plans = Vec::new();
    for (((target, read, existing), records), left_out) in
        read_all.into_iter().zip(&records).zip(left_out)
    {
        let SheetRead {
            rows,
            places,
            mut notes,
            ..
        } = read;
        notes.append(&mut sheet_notes[plans.len()]);
        let mut plan = Plan {
            sheet: places[0].sheet.to_string(),
            records: rows.len(),
            notes,
            ..Plan::default()
        };
        let changes = Changes {
            site_root,
            target,
            shape: &records.shape,
            places: &places,
            checked_at: &checked_at,
            before_at: by_path(&records.checked_before(site_root, &existing)),
        };
        for row in &rows {
            let path = records.path_of(row);
            match records.existing_at.get(path.as_path()) {
                Some(old) => changes.of_row(row, path, old, &mut plan),
                None => changes.new_file(path, &mut plan),
            }
        }
        if request.remove_missing {
            plan.removes = left_out;
        } else {
            plan.missing = left_out;
        }
        plans.push(plan);
    }
    Ok(plans)
}

/// The targets of a whole workbook: each whose label names one of its sheets (`村委会`,
/// `乡基本情况`, as `huibao export xlsx` names them), in the schema's order.
fn sheets_targets<'s>(
    schema: &'s Schema,
    book: &Workbook,
    request: &Request<'_>,
) -> Result<Vec<(String, Target<'s>)>, Vec<Diagnostic>> {
    let loose = header::loose;
    let found: Vec<(String, Target<'s>)> = targets(schema)
        .into_iter()
        .filter(|(_, target)| {
            book.sheets
                .iter()
                .any(|s| loose(&s.name) == loose(&target.label))
        })
        .collect();
    if !found.is_empty() {
        return Ok(found);
    }
    let (choices, labels): (Vec<String>, Vec<String>) = targets(schema)
        .into_iter()
        .map(|(name, target)| (name, target.label))
        .unzip();
    Err(vec![
        Diagnostic::error(
            "import-into",
            Some(Location::file(request.shown)),
            Text::new(
                format!(
                    "没有用 --into 指定导入到哪里，而工作簿里没有一张工作表以数据命名（{}）",
                    labels.join("、")
                ),
                format!(
                    "no --into was given, and no sheet of the workbook is named as the data are ({})",
                    labels.join(", ")
                ),
            ),
        )
        .with_hint(Text::new(
            format!("用 --into 写出导入到哪里：{}", choices.join("、")),
            format!("say where to import with --into: {}", choices.join(", ")),
        )),
    ])
}

/// Every target an import can have: each data folder of the schema (`data/villages`) and
/// each single data file (`data/township.yaml`), with how `--into` names it.
fn targets(schema: &Schema) -> Vec<(String, Target<'_>)> {
    let mut all = Vec::new();
    for file_schema in &schema.files {
        let label = |fallback: &str| file_schema.label.clone().unwrap_or(fallback.to_string());
        if let Some(folder) = file_schema.pattern.strip_suffix("/*.yaml") {
            let target = Target {
                schema: file_schema,
                folder: Some(folder.to_string()),
                file: None,
                label: label(folder),
            };
            all.push((format!("data/{folder}"), target));
        } else if !file_schema.pattern.contains('*') {
            let pattern = &file_schema.pattern;
            let target = Target {
                schema: file_schema,
                folder: None,
                file: Some(Path::new("data").join(pattern)),
                label: label(pattern),
            };
            all.push((format!("data/{pattern}"), target));
        }
    }
    all
}

/// The import's target by `--into`: a data folder of the schema (`data/villages`) or a
/// single data file (`data/township.yaml`).
fn target<'s>(schema: &'s Schema, into: &str) -> Result<Target<'s>, Diagnostic> {
    let normal = into.replace('\\', "/");
    let rel = normal.trim_end_matches('/');
    let rel = rel.strip_prefix("./").unwrap_or(rel);
    let rel = format!("data/{}", rel.strip_prefix("data/").unwrap_or(rel));
    let all = targets(schema);
    let choices: Vec<String> = all.iter().map(|(name, _)| name.clone()).collect();
    if let Some((_, target)) = all.into_iter().find(|(name, t)| {
        *name == rel || (t.file.is_some() && name.strip_suffix(".yaml") == Some(rel.as_str()))
    }) {
        return Ok(target);
    }
    let listed = choices.join("、");
    // A file of a folder the schema describes by a pattern (`policies/*.yaml`): the folder
    // is imported, a row a file.
    let folder = rel
        .rsplit_once('/')
        .map(|(folder, _)| folder)
        .filter(|folder| choices.iter().any(|c| c == folder));
    if let Some(folder) = folder {
        return Err(Diagnostic::error(
            "import-into",
            None,
            Text::new(
                format!("「{into}」是文件夹 {folder} 里的一个文件：导入的是整个文件夹，表中每一行是其中一个文件"),
                format!("“{into}” is a file of the folder {folder}: the folder is imported, each row of the sheet one of its files"),
            ),
        )
        .with_hint(Text::new(
            format!("写成 --into {folder}（表中没有的文件保持不变）"),
            format!("write --into {folder} (the files not in the sheet stay as they are)"),
        )));
    }
    let hint = match did_you_mean(&rel, choices.iter().map(String::as_str)) {
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

/// The error of a sheet whose header names more fields of another target than of
/// `target` (the villages' sheet imported `--into data/township`): one error saying which
/// it was made for, instead of one for each column. `None` when no other fits better.
fn made_for_another(
    schema: &Schema,
    grid: &Grid,
    request: &Request<'_>,
    target: &Target<'_>,
) -> Option<Vec<Diagnostic>> {
    let named =
        |t: &Target<'_>| header::fields_named(grid, &super::value_columns(&t.schema.fields));
    let here = named(target);
    let (name, there, label) = targets(schema)
        .into_iter()
        .filter(|(_, t)| !std::ptr::eq(t.schema, target.schema))
        .map(|(name, t)| (name, named(&t), t.label))
        .max_by_key(|(_, n, _)| *n)?;
    // Many more of its headers are another's fields; or more are, and the sheet bears that
    // one's name (`村委会`, as `export` names it: the two may share fields, 建档立卡).
    let named_for_it = grid.name.trim() == label.trim();
    if there < 2 || (there <= here * 2 && !(named_for_it && there > here)) {
        return None;
    }
    let into = request.into;
    let file = request.shown.display();
    Some(vec![
        Diagnostic::error(
            "import-into",
            Some(Location::file(format!("{file} {}", grid.name))),
            Text::new(
                format!(
                    "这张表是 {name} 的：表头有 {there} 列是它的字段，只有 {here} 列是 {into} 的"
                ),
                format!(
                    "this sheet was made for {name}: {there} of its headers are fields there, only {here} in {into}"
                ),
            ),
        )
        .with_hint(Text::new(
            format!("写成 huibao import {file} --into {name}"),
            format!("run huibao import {file} --into {name}"),
        )),
    ])
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
    // Hidden (read only when named): said so, not "no sheet is called that".
    if let Some(hidden) = book
        .sheets
        .iter()
        .find(|s| s.hidden && loose(&s.name) == loose(&target.label))
    {
        return Err(Diagnostic::error(
            "import-sheet",
            Some(Location::file(request.shown)),
            Text::new(
                format!(
                    "工作表「{}」被隐藏了：隐藏的工作表不会自动读取",
                    hidden.name
                ),
                format!(
                    "the sheet “{}” is hidden: hidden sheets are not read unless named",
                    hidden.name
                ),
            ),
        )
        .with_hint(Text::new(
            format!(
                "在 Excel/WPS 里取消隐藏它，或者加上 --sheet {}",
                hidden.name
            ),
            format!("unhide it in Excel/WPS, or add --sheet {}", hidden.name),
        )));
    }
    // The sheet a copy of it is (`村委会 (2)`, `村委会副本`): named in the hint, it is the one
    // there is.
    let copied = visible
        .iter()
        .find(|s| loose(&s.name).starts_with(&loose(&target.label)) && !s.name.contains('·'))
        .map_or_else(|| target.label.clone(), |s| s.name.clone());
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
                "用 --sheet 指定，例如 --sheet \"{copied}\"（工作表：{}）",
                names()
            ),
            format!(
                "name it with --sheet, e.g. --sheet \"{copied}\" (sheets: {})",
                names()
            ),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::cells::cell_value;
    use super::records::{remove_path, set_path};
    use super::rows::required_path;
    use super::*;
    use crate::load::Value;
    use crate::spreadsheet::read::Given;
    use crate::validate::schema::{Field, Kind};

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
            unit: None,
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

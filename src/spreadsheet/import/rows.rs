//! Reading a sheet's rows as records: the header mapped to the schema's fields, each row's
//! file known by its 编号 or its name, and its lists' items from their own sheets.

use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;

use super::cells::Columns;
use super::header::{self, Role};
use super::records::at;
use super::{Assign, Place, Request, Row, Target};
use crate::diagnostics::{Diagnostic, Location, Severity, Text};
use crate::load::DataFile;
use crate::spreadsheet::read::{Given, Grid, Workbook};
use crate::spreadsheet::{self, Leaf, value_columns};
use crate::validate::schema::{Field, Kind};

/// Diagnostics of a header's problems, at their cells of `place`.
pub(super) fn header_problems(
    problems: Vec<header::Problem>,
    place: &Place<'_>,
) -> Vec<Diagnostic> {
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

/// A sheet's records as read: its rows, the places of the sheets read (the records' first,
/// then the lists'), notes, and the problems of the rows (each row is kept, one whose id is
/// wrong under a stand-in id, so that one import tells every problem of the sheet).
pub(super) struct SheetRead<'b> {
    pub(super) rows: Vec<Row>,
    pub(super) places: Vec<Place<'b>>,
    pub(super) notes: Vec<Diagnostic>,
    pub(super) problems: Vec<Diagnostic>,
}

/// Reads the records of `grid`, the sheet of `book` chosen for `target`, with their lists'
/// items from the lists' sheets (`村委会·历年脱贫`) when the workbook has them; `existing`:
/// the target's files as they are (a row without 编号 is the file of its name).
pub(super) fn read_records<'b>(
    (book, grid): (&'b Workbook, &'b Grid),
    request: &Request<'b>,
    target: &Target<'_>,
    existing: &[&Arc<DataFile>],
) -> Result<SheetRead<'b>, Vec<Diagnostic>> {
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
    let merged = merged_in_rows(grid, header_row, &place);
    if !merged.is_empty() {
        return Err(merged);
    }
    let columns = Columns {
        mapped: &mapped,
        leaves: &leaves,
        required: &required,
    };
    let (mut rows, mut row_notes, mut problems) =
        rows(grid, header_row, columns, target, existing, &place)?;
    notes.append(&mut row_notes);
    let mut places = vec![place];
    for list in spreadsheet::list_fields(fields) {
        let Some(list_grid) = list_sheet(book, grid, target, &list.label) else {
            // A sheet renamed (`历年脱贫`, `乡基本情况-历年脱贫`): its items would be left as
            // they are without a word.
            if let Some(renamed) = list_sheet_renamed(book, grid, target, &list.label) {
                problems.push(list_sheet_misnamed(
                    request.shown,
                    renamed,
                    grid,
                    &list.label,
                ));
            }
            continue;
        };
        let sheet = places.len();
        let mut list_place = Place {
            shown: request.shown,
            sheet: &list_grid.name,
            headers: HashMap::new(),
        };
        let found = list_items(list_grid, sheet, &list, target, &mut rows, &mut list_place);
        match found {
            Ok(mut found) => problems.append(&mut found),
            Err(mut found) => {
                problems.append(&mut found);
                continue;
            }
        }
        places.push(list_place);
    }
    Ok(SheetRead {
        rows,
        places,
        notes,
        problems,
    })
}

/// The errors of the merged cells of `grid` below its header (row `header_row`): a merged
/// cell holds its value in its first cell only, and the rows of its other cells would
/// read as empty — a value taken out, or a required one missing. (A header's merged cells
/// are read as the header they show.)
fn merged_in_rows(grid: &Grid, header_row: usize, place: &Place<'_>) -> Vec<Diagnostic> {
    grid.merged
        .iter()
        .filter(|((_, _), (last_row, _))| *last_row as usize > header_row)
        .map(|&((row, col), (last_row, last_col))| {
            let range = format!(
                "{}:{}",
                crate::spreadsheet::read::cell_ref(row as usize + 1, col as usize + 1),
                crate::spreadsheet::read::cell_ref(last_row as usize + 1, last_col as usize + 1)
            );
            Diagnostic::error(
                "import-merged",
                Some(place.cell(row as usize, col as usize)),
                Text::new(
                    format!("{range} 是合并的单元格：合并后只有第一格有值，其余各行读出来是空的"),
                    format!("{range} is a merged cell: only its first cell holds the value, the others read as empty"),
                ),
            )
            .with_hint(Text::new(
                "选中它，在「开始」里点「合并后居中」取消合并，再在每一格填上值，然后导入",
                "select it, unmerge it (Home → Merge & Center), fill in every cell, then import",
            ))
        })
        .collect()
}

/// The workbook's sheet of a list labelled `label`: `村委会·历年脱贫` (the name of the
/// records' sheet or the target's label, a `·`, the list's label), as `huibao export`
/// names it (cut to Excel's 31 characters).
pub(super) fn list_sheet<'b>(
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

/// A sheet of `book` that looks like the list `label`'s renamed: its name holds the label
/// (`历年脱贫`, `乡基本情况-历年脱贫`, `历年脱贫 (2)`), and it is not the records' sheet.
fn list_sheet_renamed<'b>(
    book: &'b Workbook,
    records: &Grid,
    target: &Target<'_>,
    label: &str,
) -> Option<&'b Grid> {
    let label = header::loose(label);
    book.sheets.iter().find(|s| {
        let name = header::loose(&s.name);
        !std::ptr::eq(*s, records) && name != header::loose(&target.label) && name.contains(&label)
    })
}

/// The error of the list `label`'s sheet found renamed as `sheet` (the records' sheet is
/// `records`): its items are not read, and the file's list would stay as it was.
fn list_sheet_misnamed(
    shown: &std::path::Path,
    sheet: &Grid,
    records: &Grid,
    label: &str,
) -> Diagnostic {
    let wanted = format!("{}·{label}", records.name);
    Diagnostic::error(
        "import-sheet",
        Some(Location::file(format!("{} {}", shown.display(), sheet.name))),
        Text::new(
            format!(
                "列表「{label}」的工作表要叫「{wanted}」：工作表「{}」没有读，它的改动不会导入",
                sheet.name
            ),
            format!(
                "the sheet of the list “{label}” is to be called “{wanted}”: the sheet “{}” was not read, and its changes would not be imported",
                sheet.name
            ),
        ),
    )
    .with_hint(Text::new(
        format!("把工作表「{}」改名为「{wanted}」，再导入", sheet.name),
        format!("rename the sheet “{}” to “{wanted}” and import again", sheet.name),
    ))
}

/// A list's item read from its sheet: its 序号, its 0-based row, its values.
pub(super) type Item = (Option<Decimal>, usize, Vec<Assign>);

/// Reads the items of `list` from its sheet (the `sheet`-th read) into `rows`: each row of
/// the sheet an item of the record its 编号 names (of the one record, for a single file), in
/// the order of its 序号. Returns the problems of its rows; `Err` when its header cannot be
/// read (the list is then left as it is).
pub(super) fn list_items(
    grid: &Grid,
    sheet: usize,
    list: &spreadsheet::ListField<'_>,
    target: &Target<'_>,
    rows: &mut [Row],
    place: &mut Place<'_>,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let leaves = spreadsheet::item_columns(list.item);
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
    let merged = merged_in_rows(grid, header_row, place);
    if !merged.is_empty() {
        return Err(merged);
    }
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

/// Whether a field and every record around it must be there.
pub(super) fn required_path(fields: &[(String, Field)], path: &[String]) -> bool {
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
pub(super) type RowsRead = (Vec<Row>, Vec<Diagnostic>, Vec<Diagnostic>);

/// Texts of a total row's first cells: such a row sums the others and is not a record.
pub(super) const TOTAL_ROWS: [&str; 11] = [
    "合计", "总计", "小计", "总数", "累计", "全乡", "全镇", "全县", "total", "sum", "subtotal",
];

/// Whether the row `cells` is a note under the table, not a record: each cell it shows is a
/// footnote (`注：数据截至2020年10月底`, `说明：…`) or a signature line (`填表人：张三`,
/// `审核人：李四`, `制表日期：…`, `联系电话：…`).
pub(super) fn is_note_row(cells: &[Given]) -> bool {
    const NOTES: [&str; 13] = [
        "注：",
        "注:",
        "注1",
        "注 ",
        "说明：",
        "说明:",
        "备注：",
        "填表",
        "审核",
        "制表",
        "填报",
        "联系",
        "负责人",
    ];
    let mut shown = cells.iter().filter(|c| shows(c)).peekable();
    shown.peek().is_some()
        && shown.all(|cell| match cell {
            Given::Text(text) => {
                let text = text.trim();
                NOTES.iter().any(|note| text.starts_with(note)) || text == "注"
            }
            _ => false,
        })
}

/// Whether a row is a total row: one of its first three cells says 合计 (or 总计, 小计, 全乡,
/// Total …), or ends so (`全乡合计`, `各村小计`), spaces aside.
pub(super) fn is_total_row(cells: &[Given]) -> bool {
    cells.iter().take(3).any(|c| match c {
        Given::Text(t) => {
            let said: String = t.split_whitespace().collect::<String>().to_lowercase();
            TOTAL_ROWS.contains(&said.as_str())
                || (said.chars().count() <= 6
                    && ["合计", "总计", "小计"].iter().any(|e| said.ends_with(e)))
        }
        _ => false,
    })
}

/// The sheet's rows below the header as records, read with `columns`, with notes (rows left
/// out, ids made from names); every problem located at its cell of `place`.
pub(super) fn rows(
    grid: &Grid,
    header_row: usize,
    columns: Columns<'_, '_>,
    target: &Target<'_>,
    existing: &[&Arc<DataFile>],
    place: &Place<'_>,
) -> Result<RowsRead, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let ids = Ids::new(columns, target, existing, place)?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut rows = Vec::new();
    let empty = Given::Empty;
    // The header's columns: as a CSV writes them, else up to its last cell with a name or
    // its last column mapped to a field (a header over two rows names it in either).
    let width = |r: usize| grid.widths.get(r).copied();
    let header_width = width(header_row).unwrap_or_else(|| {
        let named = grid.rows[header_row]
            .iter()
            .rposition(|cell| !matches!(cell, Given::Empty) && !is_spaces(cell))
            .map_or(0, |last| last + 1);
        let mapped = columns.mapped.iter().map(|m| m.col + 1).max();
        named.max(mapped.unwrap_or(0))
    });
    // A CSV's usual number of fields in a row below the header (the most rows have; the
    // fewer of two as many): Excel may write every row of a group one field wider than its
    // header, and a row split by a comma is wider than its neighbours.
    let usual = {
        let mut counts: HashMap<usize, usize> = HashMap::new();
        // (A blank line, no field at all, is no row's width.)
        for &w in grid.widths.iter().skip(header_row + 1).filter(|&&w| w > 0) {
            *counts.entry(w).or_default() += 1;
        }
        counts
            .into_iter()
            .max_by_key(|&(w, n)| (n, std::cmp::Reverse(w)))
            .map_or(header_width, |(w, _)| w)
    };
    // The columns inside the header with no name and no field (an empty column inserted):
    // a value there would be lost without a word.
    let unnamed: Vec<usize> = (0..header_width)
        .filter(|&c| columns.mapped.iter().all(|m| m.col != c))
        .collect();
    for r in header_row + 1..grid.rows.len() {
        let cells = &grid.rows[r];
        let cell = |c: usize| cells.get(c).unwrap_or(&empty);
        let blank = columns
            .mapped
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
        if is_note_row(cells) {
            notes.push(Diagnostic::new(
                Severity::Warning,
                "import-note-row",
                Some(place.row(r)),
                Text::new(
                    "这是表下的注释或签名行（注：…、填表人：…），不是一条记录，没有导入",
                    "a note or signature line under the table (注：…, 填表人：…), not a record: not imported",
                ),
            ));
            continue;
        }
        if let Some(beyond) = past_the_header((cells, width(r)), (header_width, usual), place, r) {
            // Its cells are not where the header says: not read further.
            problems.push(beyond);
            continue;
        }
        if let Some(&c) = unnamed.iter().find(|&&c| cells.get(c).is_some_and(shows)) {
            problems.push(under_no_header(place, r, c, &cells[c]));
            continue;
        }
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
        let name = ids.name_col.and_then(|c| header::text_of(cells.get(c)));
        let id = ids.id_of((r, cells), name.as_deref(), &mut problems, &mut notes);
        if target.folder.is_some() {
            if let Some(first) = seen.get(&id) {
                problems.push(ids.repeated(r, *first, &id));
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

/// Whether `cell` shows something (a cell of spaces, or a formula's "", shows nothing).
fn shows(cell: &Given) -> bool {
    *cell != Given::Empty && !is_spaces(cell)
}

/// Whether `cell` is text of spaces only.
fn is_spaces(cell: &Given) -> bool {
    matches!(cell, Given::Text(text) if text.trim().is_empty())
}

/// The error of a row (0-based `r`, its `cells`, and a CSV's its number of fields as
/// written) past the header's `header_width` columns. In a CSV, more fields than the
/// header, even empty ones: most likely a cell's comma typed without quotes
/// (`…定点帮扶,按文件要求…`, `1,094.52`), which split one cell into two and moved every cell
/// after it one column right (into an empty last column, silently). In a workbook, a value
/// in a column with no name. Either way the row's values are not where the header says.
fn past_the_header(
    (cells, written): (&[Given], Option<usize>),
    (header_width, usual): (usize, usize),
    place: &Place<'_>,
    r: usize,
) -> Option<Diagnostic> {
    let value_past = (header_width..cells.len()).find(|&c| shows(&cells[c]));
    let (beyond, count) = match written {
        // Wider than its neighbours, or a value under no header.
        Some(count) if count > header_width.max(usual) || value_past.is_some() => {
            (header_width, count)
        }
        Some(_) => return None,
        None => (value_past?, cells.len()),
    };
    let (message, hint) = if written.is_some() {
        (
            Text::new(
                format!(
                    "这一行有 {count} 格，表头只有 {header_width} 列：多半是某一格里的逗号没有加引号，把一格拆成了两格，后面的格都错了一列"
                ),
                format!(
                    "this row has {count} cells and the header {header_width} columns: most likely a comma inside a cell has no quotes around the cell, splitting it in two and moving every cell after it one column right"
                ),
            ),
            Text::new(
                "把含逗号的格用英文双引号括起来（\"…定点帮扶,按文件要求…\"），数字不写千位分隔符（1094.52）；或在 Excel/WPS 里打开后重新「另存为」CSV，它会加上引号。若是行末多打了逗号，删掉它",
                "put the cell holding a comma in double quotes (\"…,…\") and write numbers without thousands separators (1094.52); or open the file in Excel/WPS and Save As CSV again, which adds the quotes. If it is a comma typed at the row's end, delete it",
            ),
        )
    } else {
        (
            Text::new(
                format!(
                    "这一格在表头之外（表头只有 {header_width} 列）：它属于哪个字段不知道，这一行没有导入"
                ),
                format!(
                    "this cell is past the header ({header_width} columns): no field is known for it, and the row is not imported"
                ),
            ),
            Text::new(
                "给这一列加上表头（字段名或它的中文名），或删掉这一格",
                "give its column a header (a field's name or label), or delete the cell",
            ),
        )
    };
    Some(
        Diagnostic::error("import-extra-cell", Some(place.cell(r, beyond)), message)
            .with_hint(hint),
    )
}

/// The error of the value `cell` at 0-based row `r`, column `c`, in a column of the header
/// with no name: which field it is, nobody knows, and the row is not imported.
fn under_no_header(place: &Place<'_>, r: usize, c: usize, cell: &Given) -> Diagnostic {
    let shown = header::text_of(Some(cell)).unwrap_or_default();
    Diagnostic::error(
        "import-extra-cell",
        Some(place.cell(r, c)),
        Text::new(
            format!("这一格（「{shown}」）所在的列没有表头：它属于哪个字段不知道，这一行没有导入"),
            format!("this cell (`{shown}`) is in a column with no header: no field is known for it, and the row is not imported"),
        ),
    )
    .with_hint(Text::new(
        "给这一列加上表头（字段名或它的中文名；行号写「序号」），或删掉这一格（插入的空列整列删掉）",
        "give the column a header (a field's name or label; 序号 for row numbers), or delete the cell (an inserted empty column: delete the whole column)",
    ))
}

/// How a row's file is known: by its 编号, or by its name (the file of that name, or one
/// named from it in pinyin).
pub(super) struct Ids<'i, 'f> {
    /// Whether the target is a folder (a single file's one row needs no id).
    pub(super) folder: bool,
    pub(super) id_col: Option<usize>,
    /// The column of the record's name, when the sheet has it.
    pub(super) name_col: Option<usize>,
    /// The record's name: the first unique text field at the top, or `name`.
    pub(super) name_leaf: Option<usize>,
    pub(super) leaves: &'i [Leaf<'f>],
    /// The target's files as they are.
    pub(super) existing: &'i [&'i Arc<DataFile>],
    /// Their ids by their names (NFC).
    pub(super) by_name: HashMap<String, String>,
    pub(super) place: &'i Place<'i>,
}

impl<'i, 'f> Ids<'i, 'f> {
    /// How the rows of a sheet read with `columns` are known; an error when a folder's sheet
    /// has neither an 编号 column nor a name column.
    pub(super) fn new(
        columns: Columns<'i, 'f>,
        target: &Target<'_>,
        existing: &'i [&'i Arc<DataFile>],
        place: &'i Place<'i>,
    ) -> Result<Self, Vec<Diagnostic>> {
        let (mapped, leaves) = (columns.mapped, columns.leaves);
        let id_col = mapped.iter().find(|m| m.role == Role::Id).map(|m| m.col);
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
        let mut ids = Ids {
            folder: target.folder.is_some(),
            id_col,
            name_col,
            name_leaf,
            leaves,
            existing,
            by_name: HashMap::new(),
            place,
        };
        ids.by_name = existing
            .iter()
            .filter_map(|f| Some((nfc(&ids.name_of_file(f)?), f.id().to_string())))
            .collect();
        Ok(ids)
    }

    /// The record's name in `file`.
    pub(super) fn name_of_file(&self, file: &DataFile) -> Option<String> {
        let leaf = self.name_leaf?;
        at(&file.root, &self.leaves[leaf].0)?.value.scalar_text()
    }

    /// The id of the file of the 0-based row `r` (whose `cells` are given, with its `name`
    /// when the sheet has the name column): its 编号, or the file of its name, or a new one
    /// named from it. A row whose id cannot be had is checked under a stand-in id (its
    /// problem in `problems`); a name read in pinyin with doubt is a note.
    pub(super) fn id_of(
        &self,
        (r, cells): (usize, &[Given]),
        name: Option<&str>,
        problems: &mut Vec<Diagnostic>,
        notes: &mut Vec<Diagnostic>,
    ) -> String {
        if !self.folder {
            return String::new();
        }
        let stand_in = format!("_row{}", r + 1);
        let written = self.id_col.and_then(|c| header::text_of(cells.get(c)));
        match (written, name) {
            (Some(id), _) => {
                if !crate::load::is_identifier(&id) || id.ends_with("_list") {
                    let meant = self.meant_file(&id, name);
                    let hint = match meant {
                        Some(file) => Text::new(
                            format!(
                                "写成 {}（已有的文件 {}；文件名只用小写英文字母、数字和下划线）",
                                file.id(),
                                crate::site_path::slashed(&file.path)
                            ),
                            format!(
                                "write {} (the file {} there is; file names are lowercase letters, digits and underscores)",
                                file.id(),
                                crate::site_path::slashed(&file.path)
                            ),
                        ),
                        None => match folded_id(&id) {
                            Some(folded) => Text::new(
                                format!(
                                    "写成 {folded}：文件名只用小写英文字母、数字和下划线，以字母开头"
                                ),
                                format!(
                                    "write {folded}: file names are lowercase letters, digits and underscores, starting with a letter"
                                ),
                            ),
                            None => Text::new(
                                "只用小写英文字母、数字和下划线，以字母开头，例如 hengxi",
                                "use lowercase letters, digits and underscores, starting with a letter, e.g. hengxi",
                            ),
                        },
                    };
                    problems.push(self.id_problem(
                        (r, self.id_col.unwrap_or(0)),
                        Text::new(
                            format!("编号「{id}」不能做文件名"),
                            format!("the id “{id}” cannot be a file name"),
                        ),
                        hint,
                    ));
                    // Checked as the file meant, so that the row is not a new record
                    // whose name and figures repeat that file's.
                    return meant.map_or(stand_in, |file| file.id().to_string());
                }
                match name.and_then(|name| self.name_elsewhere(r, &id, name)) {
                    Some((problem, named)) => {
                        problems.push(problem);
                        // Checked as the file of its name: a sheet sorted without its 编号
                        // column is one error a row, not each row's figures told wrong.
                        named
                    }
                    None => id,
                }
            }
            (None, Some(name)) => match self.by_name.get(&nfc(name)) {
                Some(id) => id.clone(),
                None => self
                    .id_from_name(r, name, problems, notes)
                    .unwrap_or(stand_in),
            },
            (None, None) => {
                let col = self.id_col.or(self.name_col).unwrap_or(0);
                problems.push(Diagnostic::error(
                    "import-id",
                    Some(self.place.cell(r, col)),
                    Text::new(
                        "这一行没有编号也没有名称：不知道它是哪个文件",
                        "this row has neither an id nor a name: which file is it?",
                    ),
                ));
                stand_in
            }
        }
    }

    /// The error of row `r` whose 编号 `id` is not the file of its `name`, which is another
    /// existing file's (`id`'s own name is another, or `id` is no file yet): the 编号 column
    /// out of step with the others (a sheet sorted without it), or an 编号 mistyped. With
    /// the id of the file of that name. `None` when the name is `id`'s, or no file's.
    fn name_elsewhere(&self, r: usize, id: &str, name: &str) -> Option<(Diagnostic, String)> {
        let named = self.by_name.get(&nfc(name))?;
        if named == id {
            return None;
        }
        let header = self
            .name_leaf
            .map_or("名称".to_string(), |leaf| self.leaves[leaf].1.clone());
        let own = self
            .existing
            .iter()
            .find(|f| f.id() == id)
            .and_then(|f| self.name_of_file(f));
        let (message, hint) = match own {
            Some(own) => (
                Text::new(
                    format!(
                        "编号 {id} 这一行的{header}是「{name}」，那是 {named}.yaml 的；{id}.yaml 是「{own}」的：编号列与其他列错位了"
                    ),
                    format!(
                        "the row of id {id} has the {header} “{name}”, which is {named}.yaml's; {id}.yaml is “{own}”'s: the 编号 column is out of step with the others"
                    ),
                ),
                Text::new(
                    format!(
                        "多半是排序时只选中了部分列：撤销排序，或排序时选中整张表（含「编号」列）；这一行的编号应是 {named}"
                    ),
                    format!(
                        "most likely the sheet was sorted with only some columns selected: undo the sort, or sort the whole sheet (编号 column too); this row's id is {named}"
                    ),
                ),
            ),
            None => (
                Text::new(
                    format!(
                        "编号 {id}：没有 {id}.yaml 这个文件，而「{name}」是 {named}.yaml 的：编号写错了？"
                    ),
                    format!(
                        "id {id}: there is no file {id}.yaml, and “{name}” is {named}.yaml's: is the id mistyped?"
                    ),
                ),
                Text::new(
                    format!("写成 {named}；要给「{name}」换文件名，先在 data 里改文件名，再导入"),
                    format!(
                        "write {named}; to give “{name}” another file name, rename its file in data first, then import"
                    ),
                ),
            ),
        };
        let problem = self.id_problem((r, self.id_col.unwrap_or(0)), message, hint);
        Some((problem, named.clone()))
    }

    /// The existing file that an id which cannot be a file name means: its [`folded_id`]
    /// (`HengXi`, `ｈｅｎｇｘｉ`, `heng xi`), or else the file of the row's `name`.
    fn meant_file(&self, id: &str, name: Option<&str>) -> Option<&Arc<DataFile>> {
        let folded = folded_id(id);
        let of_name = || {
            let id = self.by_name.get(&nfc(name?))?;
            self.existing.iter().find(|f| f.id() == id)
        };
        self.existing
            .iter()
            .find(|f| folded.as_deref() == Some(f.id()))
            .or_else(of_name)
            .copied()
    }

    /// A new file's id made of the `name` of row `r` in pinyin; `None` when it cannot be
    /// made, or is another file's (the problem in `problems`).
    pub(super) fn id_from_name(
        &self,
        r: usize,
        name: &str,
        problems: &mut Vec<Diagnostic>,
        notes: &mut Vec<Diagnostic>,
    ) -> Option<String> {
        let made = crate::site_path::id_from_name(name);
        let col = self.name_col.unwrap_or(0);
        if made.id.is_empty() {
            problems.push(self.id_problem(
                (r, col),
                Text::new(
                    format!("无法从名称「{name}」生成文件名"),
                    format!("cannot make a file name of the name “{name}”"),
                ),
                Text::new(
                    "加一列「编号」写明文件名（如 hengxi）",
                    "add an 编号 column with the file name (such as hengxi)",
                ),
            ));
            return None;
        }
        if let Some(other) = self.existing.iter().find(|f| f.id() == made.id) {
            let other_name = self.name_of_file(other).unwrap_or_default();
            problems.push(self.id_problem(
                (r, col),
                Text::new(
                    format!(
                        "「{name}」按拼音是 {}，但 {} 已经是「{other_name}」的文件",
                        made.id,
                        other.path.display()
                    ),
                    format!(
                        "“{name}” in pinyin is {}, but {} is already the file of “{other_name}”",
                        made.id,
                        other.path.display()
                    ),
                ),
                Text::new(
                    "加一列「编号」为它写明另一个文件名",
                    "add an 编号 column giving it another file name",
                ),
            ));
            return None;
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
                Some(self.place.cell(r, col)),
                Text::new(
                    format!("新文件名按拼音取 {}；{} 有多个读音（{}）", made.id, name, readings.join("，")),
                    format!("the new file name is {} in pinyin; {} has characters of several readings ({})", made.id, name, readings.join(", ")),
                ),
            ).with_hint(Text::new("读音不对时，加一列「编号」写明文件名", "if the reading is wrong, add an 编号 column with the file name")));
        }
        Some(made.id)
    }

    /// A problem of a row's id, at its cell (0-based row and column).
    pub(super) fn id_problem(
        &self,
        (r, col): (usize, usize),
        message: Text,
        hint: Text,
    ) -> Diagnostic {
        Diagnostic::error("import-id", Some(self.place.cell(r, col)), message).with_hint(hint)
    }

    /// The problem of row `r`, the same file `id` as row `first` (0-based).
    pub(super) fn repeated(&self, r: usize, first: usize, id: &str) -> Diagnostic {
        Diagnostic::error(
            "import-id",
            Some(
                self.place
                    .cell(r, self.id_col.or(self.name_col).unwrap_or(0)),
            ),
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
        ))
    }
}

/// Text compared as Unicode NFC, trimmed (村 typed two ways is one name).
pub(super) fn nfc(text: &str) -> String {
    text.trim().nfc().collect()
}

/// `id` as a file name, if it is one that way: half-width, in lower case, without spaces,
/// `_` for `-` (`HengXi` → `hengxi`, `Foo-Bar` → `foo_bar`).
fn folded_id(id: &str) -> Option<String> {
    let folded: String = crate::validate::units::to_half_width(id)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if c == '-' {
                '_'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    (crate::load::is_identifier(&folded) && !folded.ends_with("_list")).then_some(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_total_row_is_known_by_its_words_and_a_village_is_not() {
        let row = |cells: &[&str]| -> Vec<Given> {
            cells.iter().map(|c| Given::Text((*c).into())).collect()
        };
        for total in [
            &["合计"][..],
            &["", "合　计"],
            &["全乡", "1841"],
            &["Total"],
            &["各村小计"],
            &["全乡合计"],
        ] {
            assert!(is_total_row(&row(total)), "{total:?}");
        }
        for village in [&["横溪村"][..], &["1", "合计村"], &["", "", "", "合计"]] {
            assert!(!is_total_row(&row(village)), "{village:?}");
        }
    }

    #[test]
    fn a_note_or_signature_under_the_table_is_known_and_a_record_is_not() {
        let row = |cells: &[&str]| -> Vec<Given> {
            cells
                .iter()
                .map(|c| match c.is_empty() {
                    true => Given::Empty,
                    false => Given::Text((*c).into()),
                })
                .collect()
        };
        for note in [
            &["注：数据截至2020年10月底"][..],
            &["", "说明：户数按建档立卡系统"],
            &["填表人：张三", "", "审核人：李四"],
            &["制表日期：2020-11-01"],
        ] {
            assert!(is_note_row(&row(note)), "{note:?}");
        }
        for record in [
            &["hengxi", "横溪村"][..],
            &["注：数据截至", "132"],
            &["注册村"],
            &["", ""],
        ] {
            assert!(!is_note_row(&row(record)), "{record:?}");
        }
    }
}

//! Spreadsheets out: the checked data as sheets — one per kind of data file (each file
//! pattern of the schema: 乡基本情况, 村委会, each policy area), a column per field (its
//! header the field's label with its unit, `建档立卡户数（户）`), a row per record — and one
//! more sheet per list field (`乡基本情况·历年脱贫`: a row per item, keyed by the record's id
//! and the item's number). Written as an Excel workbook by [`xlsx`] or a sheet as CSV by
//! [`csv`]. Numbers stay exact decimals here; each writer says how it writes them.

pub mod csv;
pub mod import;
pub mod read;
pub mod xlsx;

use rust_decimal::Decimal;

use crate::load::{Data, Node, Value};
use crate::validate::schema::{self, Field, Kind, Schema};

/// One sheet: its name, columns and rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    /// Its name (at most 31 characters, none of `[]:*?/\`, unique in the workbook).
    pub name: String,
    /// The data folder or file it holds (`villages`, `township.yaml`), to name it by.
    pub source: String,
    /// Its columns, in the schema's order (the keys first).
    pub columns: Vec<Column>,
    /// Its rows, each a cell per column.
    pub rows: Vec<Vec<Cell>>,
}

/// A column of a sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// The field's path in its record (`registered.households`), or `id` / `#` for the
    /// record's id and an item's number.
    pub path: String,
    /// The header: the field's label with its unit (`建档立卡户数（户）`).
    pub header: String,
    /// For numbers: how many decimals they are shown with (the most any cell has, at most
    /// the field's declared `dp`).
    pub decimals: u32,
}

/// A cell's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Nothing (an optional field left out).
    Empty,
    /// Text (dates and enumerations too).
    Text(String),
    /// A number, exact.
    Number(Decimal),
    /// True or false.
    Bool(bool),
}

/// The header of the record id column (the file name without `.yaml`).
pub const ID_HEADER: &str = "编号";

/// The header of a list item's number column.
pub const ITEM_HEADER: &str = "序号";

/// The sheets of `data` (checked, units converted) by `schema`: a sheet per file pattern in
/// the schema's order, each followed by the sheets of its lists.
pub fn sheets(schema: &Schema, data: &Data) -> Vec<Sheet> {
    sheets_of(schema, data, true)
}

/// Each sheet of [`sheets`] as the page 「数据下载」 lists it — its name, its source, how
/// many rows — without making its cells: the preview lists the sheets after every data
/// correction and makes the files only when one is asked for.
pub fn listed(schema: &Schema, data: &Data) -> Vec<(String, String, usize)> {
    listing(&sheets_of(schema, data, false))
}

/// Each of `sheets` as the page 「数据下载」 lists it: its name, its source, how many rows.
pub fn listing(sheets: &[Sheet]) -> Vec<(String, String, usize)> {
    sheets
        .iter()
        .map(|sheet| (sheet.name.clone(), sheet.source.clone(), sheet.rows.len()))
        .collect()
}

/// The sheets of `data`; each row empty unless `cells` (see [`listed`]).
fn sheets_of(schema: &Schema, data: &Data, cells: bool) -> Vec<Sheet> {
    let mut sheets = Vec::new();
    // Each file's name made once for the patterns of every sheet.
    let names: Vec<_> = data
        .files
        .iter()
        .map(|f| schema::DataName::of(&f.path))
        .collect();
    for file_schema in &schema.files {
        let files: Vec<_> = data
            .files
            .iter()
            .zip(&names)
            .filter(|(_, name)| schema::matches_name(&file_schema.pattern, name))
            .map(|(f, _)| f)
            .collect();
        let folder = file_schema.pattern.contains('*');
        let source = match file_schema.pattern.rsplit_once('/') {
            Some((folder_name, _)) if folder => folder_name.to_string(),
            _ => file_schema.pattern.clone(),
        };
        let name = file_schema.label.clone().unwrap_or_else(|| source.clone());
        let keys = if folder {
            vec![key_column("id", ID_HEADER)]
        } else {
            Vec::new()
        };
        let records = files
            .iter()
            .map(|f| {
                let key = if folder && cells {
                    vec![Cell::Text(f.id().to_string())]
                } else {
                    Vec::new()
                };
                (key, &f.root)
            })
            .collect();
        let shape = Field::record(file_schema.fields.clone(), 0, 0);
        table(&name, &source, keys, &shape, records, cells, &mut sheets);
    }
    name_uniquely(&mut sheets);
    sheets
}

/// The sheets of the whole data from the [`sheets`] of its parts (its files in order): a
/// build makes them a part at a time, each part's trees let go once its rows are made (the
/// workbook of 100,000 villages held all their trees, 400 MiB, beside its rows).
pub fn joined(schema: &Schema, parts: impl IntoIterator<Item = Vec<Sheet>>) -> Vec<Sheet> {
    let mut parts = parts.into_iter();
    let Some(mut whole) = parts.next() else {
        return sheets(schema, &Data::default());
    };
    for made in parts {
        // The same sheets and columns, from the schema; a column shows the most decimals
        // any part's cells have (each part's at most the field's `dp`).
        for (sheet, more) in whole.iter_mut().zip(made) {
            for (column, other) in sheet.columns.iter_mut().zip(&more.columns) {
                column.decimals = column.decimals.max(other.decimals);
            }
            sheet.rows.extend(more.rows);
        }
    }
    whole
}

/// A key column (the record's id, an item's number).
fn key_column(path: &str, header: &str) -> Column {
    Column {
        path: path.to_string(),
        header: header.to_string(),
        decimals: 0,
    }
}

/// A field that holds a list, found while the columns are laid out.
pub(crate) struct ListField<'f> {
    /// Its path in the record.
    pub(crate) path: Vec<String>,
    /// Its label.
    pub(crate) label: String,
    /// What its items are.
    pub(crate) item: &'f Field,
}

/// Adds the sheet `name` of `records` (each with its key cells) shaped as `shape` (a
/// record's fields, or one value per row), then a sheet per list field; each row empty
/// unless `cells`.
fn table(
    name: &str,
    source: &str,
    keys: Vec<Column>,
    shape: &Field,
    records: Vec<(Vec<Cell>, &Node)>,
    cells: bool,
    sheets: &mut Vec<Sheet>,
) {
    let mut leaves = Vec::new();
    let mut lists = Vec::new();
    match &shape.kind {
        Kind::Record(fields) => lay_out(fields, &[], "", &mut leaves, &mut lists),
        _ => leaves.push((Vec::new(), shape.label.clone().unwrap_or_default(), shape)),
    }
    let mut columns = keys.clone();
    for (path, label, field) in &leaves {
        let header = header_of(label, field);
        columns.push(Column {
            path: if path.is_empty() {
                "value".to_string()
            } else {
                path.join(".")
            },
            header,
            decimals: 0,
        });
    }
    let mut rows = Vec::with_capacity(records.len());
    // Where each column's keys were found in the last record.
    let mut hints: Vec<Vec<usize>> = leaves
        .iter()
        .map(|(path, _, _)| vec![0; path.len()])
        .collect();
    for (key, node) in &records {
        if !cells {
            rows.push(Vec::new());
            continue;
        }
        let mut row = key.clone();
        for ((path, _, _), hints) in leaves.iter().zip(&mut hints) {
            row.push(at(node, path, hints).map_or(Cell::Empty, cell));
        }
        rows.push(row);
    }
    // Each number column shows the most decimals its cells have (rows without cells: none).
    if cells {
        for (at_column, (_, _, field)) in leaves.iter().enumerate() {
            let column = keys.len() + at_column;
            let most = rows
                .iter()
                .filter_map(|row| match &row[column] {
                    Cell::Number(n) => Some(n.scale()),
                    _ => None,
                })
                .max()
                .unwrap_or(0);
            columns[column].decimals = field.dp.map_or(most, |dp| most.min(dp));
        }
    }
    unique_headers(&mut columns);
    sheets.push(Sheet {
        name: name.to_string(),
        source: source.to_string(),
        columns,
        rows,
    });
    for list in lists {
        let mut list_keys = keys.clone();
        list_keys.push(key_column("#", ITEM_HEADER));
        let mut items = Vec::new();
        let mut hints = vec![0; list.path.len()];
        for (key, node) in &records {
            let Some(Value::List(list_items)) = at(node, &list.path, &mut hints).map(|n| &n.value)
            else {
                continue;
            };
            for (i, item) in list_items.iter().enumerate() {
                let mut item_key = key.clone();
                if cells {
                    item_key.push(Cell::Number(Decimal::from(i + 1)));
                }
                items.push((item_key, item));
            }
        }
        let list_name = format!("{name}·{}", list.label);
        table(
            &list_name, source, list_keys, list.item, items, cells, sheets,
        );
    }
}

/// A column's header: the label with the field's unit, `建档立卡户数（户）`.
pub(crate) fn header_of(label: &str, field: &Field) -> String {
    match &field.unit {
        Some(unit) => format!("{label}（{unit}）"),
        None => label.to_string(),
    }
}

/// A value's column: its path in the record, its label (a record's fields under the
/// record's label) and its field.
pub(crate) type Leaf<'f> = (Vec<String>, String, &'f Field);

/// The value columns of a record of `fields`, as a sheet lays them out (lists left out).
pub(crate) fn value_columns(fields: &[(String, Field)]) -> Vec<Leaf<'_>> {
    let mut leaves = Vec::new();
    lay_out(fields, &[], "", &mut leaves, &mut Vec::new());
    leaves
}

/// The list fields of a record of `fields` (in records too), each a sheet of its own.
pub(crate) fn list_fields(fields: &[(String, Field)]) -> Vec<ListField<'_>> {
    let mut lists = Vec::new();
    lay_out(fields, &[], "", &mut Vec::new(), &mut lists);
    lists
}

/// The value columns of a list's items: the item's fields, or the item itself.
pub(crate) fn item_columns<'f>(item: &'f Field) -> Vec<Leaf<'f>> {
    match &item.kind {
        Kind::Record(fields) => value_columns(fields),
        _ => vec![(Vec::new(), item.label.clone().unwrap_or_default(), item)],
    }
}

/// Lays out `fields` under `path` (labels prefixed by `label`): each value a column, each
/// record's fields in turn, each list for a sheet of its own.
fn lay_out<'f>(
    fields: &'f [(String, Field)],
    path: &[String],
    label: &str,
    leaves: &mut Vec<Leaf<'f>>,
    lists: &mut Vec<ListField<'f>>,
) {
    for (key, field) in fields {
        let mut field_path = path.to_vec();
        field_path.push(key.clone());
        let field_label = format!("{label}{}", field.label.as_deref().unwrap_or(key));
        match &field.kind {
            Kind::Record(inner) => lay_out(inner, &field_path, &field_label, leaves, lists),
            Kind::List(item) => lists.push(ListField {
                path: field_path,
                label: field_label,
                item,
            }),
            _ => leaves.push((field_path, field_label, field)),
        }
    }
}

/// The node at `path` under `node`, each key looked for first where `hints` say (see
/// [`Node::get_near`]).
fn at<'n>(node: &'n Node, path: &[String], hints: &mut [usize]) -> Option<&'n Node> {
    path.iter()
        .zip(hints)
        .try_fold(node, |node, (key, hint)| node.get_near(key, hint))
}

/// A value as a cell.
fn cell(node: &Node) -> Cell {
    match &node.value {
        Value::Null | Value::List(_) | Value::Map(_) => Cell::Empty,
        Value::Bool(b) => Cell::Bool(*b),
        Value::Number(n) => Cell::Number(*n),
        Value::String(s) => Cell::Text(s.to_string()),
    }
}

/// Headers made unique within a sheet: a repeated one gets its field's path.
fn unique_headers(columns: &mut [Column]) {
    let headers: Vec<String> = columns.iter().map(|c| c.header.clone()).collect();
    for column in columns.iter_mut() {
        if headers.iter().filter(|h| **h == column.header).count() > 1 {
            column.header = format!("{}（{}）", column.header, column.path);
        }
    }
}

/// Sheet names as Excel takes them: at most 31 characters, none of `[]:*?/\`, no two the
/// same (ignoring case); a repeated name gets a number.
fn name_uniquely(sheets: &mut [Sheet]) {
    let mut taken: Vec<String> = Vec::new();
    for sheet in sheets.iter_mut() {
        let clean: String = sheet
            .name
            .chars()
            .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
            .collect();
        let clean = clean.trim_matches('\'').to_string();
        let mut name: String = clean.chars().take(31).collect();
        let mut n = 2;
        while taken
            .iter()
            .any(|t| t.to_lowercase() == name.to_lowercase())
            || name.is_empty()
        {
            let suffix = format!("({n})");
            name = clean
                .chars()
                .take(31 - suffix.chars().count())
                .collect::<String>()
                + &suffix;
            n += 1;
        }
        taken.push(name.clone());
        sheet.name = name;
    }
}

/// A sheet of the villages for the writers' tests: a column per header (its path the
/// header, no decimals), and `rows`.
#[cfg(test)]
pub(crate) fn village_sheet(headers: &[&str], rows: Vec<Vec<Cell>>) -> Sheet {
    Sheet {
        name: "村委会".into(),
        source: "villages".into(),
        columns: headers
            .iter()
            .map(|h| Column {
                path: h.to_string(),
                header: h.to_string(),
                decimals: 0,
            })
            .collect(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::sync::Arc;

    fn data_of(files: &[(&str, &str)]) -> Data {
        Data {
            files: files
                .iter()
                .map(|(path, yaml)| {
                    let path = PathBuf::from(path);
                    let root = crate::load::yaml::parse(yaml, &path).unwrap();
                    let stem = path.file_stem().unwrap().to_string_lossy().to_string();
                    let key_path = vec!["villages".into(), stem];
                    Arc::new(crate::load::DataFile::new(path, key_path, root))
                })
                .collect(),
        }
    }

    fn schema_of(yaml: &str) -> Schema {
        let node =
            crate::load::yaml::parse(yaml, std::path::Path::new("data/schema.yaml")).unwrap();
        schema::parse(&node).unwrap()
    }

    #[test]
    fn a_folder_is_a_sheet_a_record_a_row_a_list_a_sheet_of_its_own() {
        let schema = schema_of(
            "files:\n  villages/*.yaml:\n    label: 村委会\n    fields:\n      name: {type: text, label: 村名}\n      registered:\n        label: 建档立卡\n        fields:\n          households: {type: count, label: 户数, unit: 户}\n      fund: {type: amount, label: 资金, unit: 万元, dp: 6, optional: true}\n      exits:\n        type: list\n        label: 历年脱贫\n        items:\n          label: 脱贫\n          fields:\n            year: {type: year, label: 年度}\n",
        );
        let data = data_of(&[
            (
                "data/villages/hengxi.yaml",
                "name: 横溪村\nregistered: {households: 132}\nfund: 81.76875\nexits: [{year: 2018}, {year: 2019}]\n",
            ),
            (
                "data/villages/yunwan.yaml",
                "name: 云湾村\nregistered: {households: 7}\nexits: []\n",
            ),
        ]);
        let sheets = sheets(&schema, &data);
        assert_eq!(sheets.len(), 2);
        let villages = &sheets[0];
        assert_eq!(villages.name, "村委会");
        assert_eq!(villages.source, "villages");
        let headers: Vec<&str> = villages.columns.iter().map(|c| c.header.as_str()).collect();
        assert_eq!(
            headers,
            ["编号", "村名", "建档立卡户数（户）", "资金（万元）"]
        );
        assert_eq!(villages.columns[2].path, "registered.households");
        assert_eq!(villages.columns[3].decimals, 5);
        assert_eq!(
            villages.rows[0],
            [
                Cell::Text("hengxi".into()),
                Cell::Text("横溪村".into()),
                Cell::Number(132.into()),
                Cell::Number("81.76875".parse().unwrap()),
            ]
        );
        assert_eq!(villages.rows[1][3], Cell::Empty);
        let exits = &sheets[1];
        assert_eq!(exits.name, "村委会·历年脱贫");
        let headers: Vec<&str> = exits.columns.iter().map(|c| c.header.as_str()).collect();
        assert_eq!(headers, ["编号", "序号", "年度"]);
        assert_eq!(exits.rows.len(), 2);
        assert_eq!(exits.rows[1][1], Cell::Number(2.into()));
        // What the preview lists without making the cells: the same names, sources, rows.
        assert_eq!(
            listed(&schema, &data),
            [
                ("村委会".to_string(), "villages".to_string(), 2),
                ("村委会·历年脱贫".to_string(), "villages".to_string(), 2),
            ]
        );
    }

    #[test]
    fn each_record_s_cells_are_its_own_whatever_the_order_of_its_keys() {
        // The walk tries each key where the last record had it: records written in other
        // orders, or without a key, still get their own values.
        let schema = schema_of(
            "files:\n  villages/*.yaml:\n    fields:\n      name: {type: text, label: 村名}\n      people: {type: count, label: 人口, optional: true}\n      registered:\n        label: 建档立卡\n        fields:\n          households: {type: count, label: 户数}\n          people: {type: count, label: 人数}\n      exits:\n        type: list\n        label: 历年脱贫\n        items:\n          fields:\n            year: {type: year, label: 年度}\n",
        );
        let data = data_of(&[
            (
                "data/villages/a.yaml",
                "name: 甲村\npeople: 10\nregistered: {households: 1, people: 2}\nexits: [{year: 2018}]\n",
            ),
            (
                "data/villages/b.yaml",
                "exits: [{year: 2019}, {year: 2020}]\nregistered: {people: 4, households: 3}\nname: 乙村\n",
            ),
            (
                "data/villages/c.yaml",
                "registered: {households: 5, people: 6}\nname: 丙村\nexits: []\n",
            ),
            (
                "data/villages/d.yaml",
                "name: 丁村\npeople: 40\nregistered: {households: 7, people: 8}\nexits: [{year: 2017}]\n",
            ),
        ]);
        let sheets = sheets(&schema, &data);
        let n = |v: i64| Cell::Number(v.into());
        let text = |t: &str| Cell::Text(t.into());
        assert_eq!(
            sheets[0].rows,
            [
                vec![text("a"), text("甲村"), n(10), n(1), n(2)],
                vec![text("b"), text("乙村"), Cell::Empty, n(3), n(4)],
                vec![text("c"), text("丙村"), Cell::Empty, n(5), n(6)],
                vec![text("d"), text("丁村"), n(40), n(7), n(8)],
            ]
        );
        let years: Vec<&Cell> = sheets[1].rows.iter().map(|row| &row[2]).collect();
        assert_eq!(years, [&n(2018), &n(2019), &n(2020), &n(2017)]);
        assert_eq!(listed(&schema, &data)[1].2, 4);
    }

    #[test]
    fn sheets_made_in_parts_are_the_sheets_of_the_whole() {
        let schema = schema_of(
            "files:\n  township.yaml:\n    label: 乡\n    fields:\n      people: {type: count, label: 人口, unit: 人}\n  villages/*.yaml:\n    label: 村委会\n    fields:\n      name: {type: text, label: 村名}\n      fund: {type: amount, label: 资金, unit: 万元, dp: 3, optional: true}\n      exits:\n        type: list\n        label: 历年脱贫\n        items:\n          label: 脱贫\n          fields:\n            year: {type: year, label: 年度}\n            funds: {type: amount, label: 资金, unit: 万元}\n",
        );
        let mut files = vec![(
            "data/township.yaml".to_string(),
            "people: 57000\n".to_string(),
        )];
        for (i, fund) in ["1.5", "", "81.76875", "2", "0.25"].iter().enumerate() {
            let fund = if fund.is_empty() {
                String::new()
            } else {
                format!("fund: {fund}\n")
            };
            files.push((
                format!("data/villages/v{i}.yaml"),
                format!("name: 村{i}\n{fund}exits: [{{year: 2019, funds: {i}.{i}}}, {{year: 2020, funds: 3}}]\n"),
            ));
        }
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, y)| (p.as_str(), y.as_str()))
            .collect();
        let data = data_of(&files);
        let whole = sheets(&schema, &data);
        assert_eq!(whole[1].columns[2].decimals, 3, "{:?}", whole[1].columns);
        for size in [1, 2, 4, 6, 100] {
            let parts = data.files.chunks(size).map(|chunk| {
                sheets(
                    &schema,
                    &Data {
                        files: chunk.to_vec(),
                    },
                )
            });
            assert_eq!(joined(&schema, parts), whole, "parts of {size}");
        }
        assert_eq!(
            joined(&schema, std::iter::empty()),
            sheets(&schema, &Data::default())
        );
    }

    #[test]
    fn sheet_names_are_cut_cleaned_and_unique() {
        let sheet = |name: &str| Sheet {
            name: name.into(),
            source: String::new(),
            columns: Vec::new(),
            rows: Vec::new(),
        };
        let mut sheets = vec![
            sheet("教育/健康"),
            sheet("教育_健康"),
            sheet(&"长".repeat(40)),
        ];
        name_uniquely(&mut sheets);
        assert_eq!(sheets[0].name, "教育_健康");
        assert_eq!(sheets[1].name, "教育_健康(2)");
        assert_eq!(sheets[2].name.chars().count(), 31);
    }
}

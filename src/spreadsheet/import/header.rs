//! The header row of an imported sheet: which column holds which field. A header names a
//! field by its label with its unit (`建档立卡户数（户）`, as `huibao export` writes it), by its
//! label (`建档立卡户数`), by its path (`registered.households`), or as two rows of merged
//! cells (`建档立卡` over `户数（户）`). Another unit than the field's (`资金（元）` for a field in
//! 万元) says how the column's numbers are written; they are converted exactly.

use unicode_normalization::UnicodeNormalization;

use super::super::Leaf;
use super::super::read::{Given, Grid};
use crate::diagnostics::Text;
use crate::validate::schema::{Kind, did_you_mean};

/// Headers of a record's id column (its file name).
pub const ID_HEADERS: [&str; 4] = ["编号", "id", "文件名", "ID"];

/// Headers of a column of row numbers, which is not data (Chinese tables begin with one).
pub const ROW_NUMBER_HEADERS: [&str; 2] = ["序号", "行号"];

/// What a column holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Role {
    /// The record's id.
    Id,
    /// Row numbers, not data.
    RowNumber,
    /// A value: the index of its leaf, and the unit its numbers are written in when the
    /// header names another than the field's.
    Value { leaf: usize, unit: Option<String> },
}

/// A column of the sheet that has a header.
#[derive(Clone, Debug, PartialEq)]
pub struct Mapped {
    /// Its column, 0-based.
    pub col: usize,
    /// Its header as written (both rows of a two-row header).
    pub header: String,
    /// What it holds.
    pub role: Role,
}

/// A problem with a header: the cell (0-based row, column) and what is wrong.
#[derive(Debug)]
pub struct Problem {
    /// 0-based row of the cell, or `None` for the whole header.
    pub at: Option<(usize, usize)>,
    /// What is wrong.
    pub message: Text,
    /// What to do.
    pub hint: Option<Text>,
}

/// A header's text compared loosely: full-width forms folded (`（` is `(`), spaces and line
/// breaks dropped, Latin letters in lower case.
pub fn loose(text: &str) -> String {
    text.nfkc()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The names each leaf answers to, loosely: label with unit, label, path.
fn names(leaves: &[Leaf<'_>]) -> Vec<Vec<String>> {
    leaves
        .iter()
        .map(|(path, label, field)| {
            vec![
                loose(&super::super::header_of(label, field)),
                loose(label),
                loose(&path.join(".")),
            ]
        })
        .collect()
}

/// What a header names, if anything.
fn role_of(header: &str, leaves: &[Leaf<'_>], names: &[Vec<String>]) -> Option<Role> {
    let wanted = loose(header);
    if wanted.is_empty() {
        return None;
    }
    if ID_HEADERS.iter().any(|h| loose(h) == wanted) {
        return Some(Role::Id);
    }
    if ROW_NUMBER_HEADERS.iter().any(|h| loose(h) == wanted) {
        return Some(Role::RowNumber);
    }
    if let Some(leaf) = names.iter().position(|n| n.contains(&wanted)) {
        return Some(Role::Value { leaf, unit: None });
    }
    // `label(unit)` with another unit than the field's, for a number that has one.
    let (label, unit) = wanted.strip_suffix(')')?.rsplit_once('(')?;
    let leaf = names.iter().position(|n| n[1] == label)?;
    let field = leaves[leaf].2;
    let numeric = matches!(
        field.kind,
        Kind::Count | Kind::Amount | Kind::Percent | Kind::Decimal
    );
    (numeric && field.unit.is_some() && !unit.is_empty()).then(|| Role::Value {
        leaf,
        unit: Some(unit.to_string()),
    })
}

/// A cell's text, trimmed, when it has some (text, or a number: a header, a name, an id).
pub(super) fn text_of(cell: Option<&Given>) -> Option<String> {
    match cell? {
        Given::Text(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
        Given::Number { value, .. } => Some(value.to_string()),
        _ => None,
    }
}

/// The candidate headers of row `r`: each column's own text, or the cell above it with it
/// (a merged cell spanning columns holds its text in its first column only).
fn headers_at(grid: &Grid, r: usize) -> Vec<(usize, Vec<String>)> {
    let row = &grid.rows[r];
    let above = r.checked_sub(1).map(|a| &grid.rows[a]);
    let mut carried: Option<String> = None;
    let width = row.len().max(above.map_or(0, Vec::len));
    let mut out = Vec::new();
    for c in 0..width {
        let up = above.and_then(|a| text_of(a.get(c)));
        if up.is_some() {
            carried = up.clone();
        }
        let own = text_of(row.get(c));
        let mut tries = Vec::new();
        match (&own, &carried) {
            (Some(own), Some(group)) => {
                tries.push(own.clone());
                tries.push(format!("{group}{own}"));
            }
            (Some(own), None) => tries.push(own.clone()),
            // A header merged down over two rows has its text in the upper cell.
            (None, _) => tries.extend(up),
        }
        if !tries.is_empty() {
            out.push((c, tries));
        }
    }
    out
}

/// Finds the header row (the row among the first twenty whose cells name the most fields)
/// and maps its columns; every unknown, repeated or missing column is a problem.
/// `required` says whether a leaf's column must be there.
pub fn map(
    grid: &Grid,
    leaves: &[Leaf<'_>],
    required: &[bool],
) -> Result<(usize, Vec<Mapped>), Vec<Problem>> {
    let names = names(leaves);
    let all_headers: Vec<String> = leaves
        .iter()
        .map(|(_, label, field)| super::super::header_of(label, field))
        .collect();
    let header_row = header_row(grid, (leaves, &names), &all_headers).map_err(|p| vec![p])?;
    let mut problems = Vec::new();
    let mut mapped: Vec<Mapped> = Vec::new();
    // The headers the unknown ones most likely mean (`建挡立卡户数（户）`): not said to be
    // missing too.
    let mut meant: Vec<&str> = Vec::new();
    for (col, tries) in headers_at(grid, header_row) {
        let at = (header_row, col);
        let found = tries
            .iter()
            .find_map(|t| role_of(t, leaves, &names).map(|role| (t.clone(), role)));
        let Some((header, role)) = found else {
            let written = tries.last().cloned().unwrap_or_default();
            problems.push(unknown_header(&written, at, &all_headers));
            meant.extend(did_you_mean(
                &written,
                all_headers.iter().map(String::as_str),
            ));
            continue;
        };
        if let Some(first) = mapped
            .iter()
            .find(|m| m.role == role || same_leaf(&m.role, &role))
        {
            problems.push(repeated_field(&header, first, at));
            continue;
        }
        mapped.push(Mapped { col, header, role });
    }
    let missing: Vec<&str> = leaves
        .iter()
        .enumerate()
        .filter(|(i, _)| required[*i])
        .filter(|(i, _)| !mapped.iter().any(|m| same_leaf(&m.role, &leaf_role(*i))))
        .map(|(i, _)| all_headers[i].as_str())
        .filter(|header| !meant.contains(header))
        .collect();
    if !missing.is_empty() {
        problems.push(missing_columns(&missing));
    }
    if problems.is_empty() {
        Ok((header_row, mapped))
    } else {
        Err(problems)
    }
}

/// The header row: among the first twenty, the one whose cells name the most of the fields
/// of `leaves` (with their `names`); a problem when none names one, with the headers to
/// write (`all_headers`).
fn header_row(
    grid: &Grid,
    (leaves, names): (&[Leaf<'_>], &[Vec<String>]),
    all_headers: &[String],
) -> Result<usize, Problem> {
    let Some((header_row, _)) = best_row(grid, (leaves, names), false) else {
        return Err(Problem {
            at: None,
            message: Text::new(
                "前 20 行里找不到表头：没有一个单元格是字段的名称",
                "no header in the first 20 rows: no cell names a field",
            ),
            hint: Some(Text::new(
                format!(
                    "表头写字段的中文名（可带单位），例如：{}",
                    all_headers.join("、")
                ),
                format!(
                    "the header names the fields by label (unit optional), e.g.: {}",
                    all_headers.join(", ")
                ),
            )),
        });
    };
    Ok(header_row)
}

/// The row among the first twenty whose cells name the most of the fields of `leaves`
/// (with their `names`), and how many it names; `None` when no row names one.
/// `values_only`: an id or row-number column does not count.
fn best_row(
    grid: &Grid,
    (leaves, names): (&[Leaf<'_>], &[Vec<String>]),
    values_only: bool,
) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for r in 0..grid.rows.len().min(20) {
        let score = headers_at(grid, r)
            .iter()
            .filter(|(_, tries)| {
                tries.iter().any(|t| match role_of(t, leaves, names) {
                    Some(Role::Value { .. }) => true,
                    Some(_) => !values_only,
                    None => false,
                })
            })
            .count();
        if score > 0 && best.is_none_or(|(_, s)| score > s) {
            best = Some((r, score));
        }
    }
    best
}

/// How many columns of `grid`'s header row name a field of `leaves` (an id or row-number
/// column not counted): to tell which data folder a sheet was made for.
pub fn fields_named(grid: &Grid, leaves: &[Leaf<'_>]) -> usize {
    best_row(grid, (leaves, &names(leaves)), true).map_or(0, |(_, n)| n)
}

/// The problem of a header cell at `at` whose text (`written`) names no field: the closest
/// of `all_headers`, or all of them.
fn unknown_header(written: &str, at: (usize, usize), all_headers: &[String]) -> Problem {
    let near = did_you_mean(written, all_headers.iter().map(String::as_str));
    let listed = all_headers.join("、");
    Problem {
        at: Some(at),
        message: Text::new(
            format!("表头「{written}」不是 schema 里的字段"),
            format!("the header “{written}” is not a field of the schema"),
        ),
        hint: Some(match near {
            Some(near) => Text::new(
                format!("是不是「{near}」？"),
                format!("did you mean “{near}”?"),
            ),
            None => Text::new(
                format!("可用的表头：{listed}；不导入的列请删掉，新字段先写进 data/schema.yaml"),
                format!(
                    "the headers are: {}; delete columns not to import, declare a new field in data/schema.yaml first",
                    all_headers.join(", ")
                ),
            ),
        }),
    }
}

/// The problem of the column at `at` headed `header`, the same field as the column mapped
/// `first`.
fn repeated_field(header: &str, first: &Mapped, at: (usize, usize)) -> Problem {
    Problem {
        at: Some(at),
        message: Text::new(
            format!(
                "「{header}」与第 {} 列「{}」是同一个字段",
                first.col + 1,
                first.header
            ),
            format!(
                "“{header}” is the same field as column {} “{}”",
                first.col + 1,
                first.header
            ),
        ),
        hint: Some(Text::new("删掉其中一列", "delete one of the two columns")),
    }
}

/// The problem of the required fields whose columns (`missing`, by header) the sheet lacks.
fn missing_columns(missing: &[&str]) -> Problem {
    Problem {
        at: None,
        message: Text::new(
            format!("表中缺少必填字段的列：{}", missing.join("、")),
            format!(
                "the sheet lacks the columns of required fields: {}",
                missing.join(", ")
            ),
        ),
        hint: Some(Text::new(
            "在表头加上这些列；若这些数确实没有，请维护这份报告数据格式（data/schema.yaml）的同事把它们改为可以不填",
            "add these columns to the header; if there truly are no such figures, ask whoever keeps the report's data format (data/schema.yaml) to make them optional",
        )),
    }
}

fn leaf_role(leaf: usize) -> Role {
    Role::Value { leaf, unit: None }
}

fn same_leaf(a: &Role, b: &Role) -> bool {
    matches!((a, b), (Role::Value { leaf: x, .. }, Role::Value { leaf: y, .. }) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::schema::Field;

    fn field(kind: Kind, label: &str, unit: Option<&str>) -> Field {
        let mut f = Field::record(Vec::new(), 0, 0);
        f.kind = kind;
        f.label = Some(label.into());
        f.unit = unit.map(Into::into);
        f
    }

    fn text(s: &str) -> Given {
        Given::Text(s.into())
    }

    #[test]
    fn headers_by_label_unit_path_and_two_merged_rows() {
        let name = field(Kind::Text, "村名", None);
        let households = field(Kind::Count, "户数", Some("户"));
        let fund = field(Kind::Amount, "资金", Some("万元"));
        let leaves: Vec<Leaf<'_>> = vec![
            (vec!["name".into()], "村名".into(), &name),
            (
                vec!["registered".into(), "households".into()],
                "建档立卡户数".into(),
                &households,
            ),
            (vec!["fund".into()], "资金".into(), &fund),
        ];
        let grid = Grid {
            name: "村委会".into(),
            hidden: false,
            formats: true,
            merged: Vec::new(),
            widths: Vec::new(),
            rows: vec![
                vec![text("各村情况统计表")],
                vec![
                    text("序号"),
                    text("村名"),
                    text("建档立卡"),
                    text("资金 (元)"),
                ],
                vec![Given::Empty, Given::Empty, text("户数（户）")],
                vec![text("1"), text("横溪村"), text("132"), text("342")],
            ],
        };
        let (row, mapped) = map(&grid, &leaves, &[true, true, true]).unwrap();
        assert_eq!(row, 2);
        let roles: Vec<&Role> = mapped.iter().map(|m| &m.role).collect();
        assert_eq!(
            roles,
            [
                &Role::RowNumber,
                &Role::Value {
                    leaf: 0,
                    unit: None
                },
                &Role::Value {
                    leaf: 1,
                    unit: None
                },
                &Role::Value {
                    leaf: 2,
                    unit: Some("元".into())
                },
            ]
        );
        let by_path = Grid {
            name: "x".into(),
            hidden: false,
            formats: true,
            merged: Vec::new(),
            widths: Vec::new(),
            rows: vec![vec![
                text("name"),
                text("registered.households"),
                text("资金（万元）"),
            ]],
        };
        assert!(map(&by_path, &leaves, &[true, true, true]).is_ok());
        let unknown = Grid {
            name: "x".into(),
            hidden: false,
            formats: true,
            merged: Vec::new(),
            widths: Vec::new(),
            rows: vec![vec![text("村名"), text("建档立卡户"), text("资金")]],
        };
        let problems = map(&unknown, &leaves, &[true, true, true]).unwrap_err();
        assert_eq!(problems[0].at, Some((0, 1)));
        assert!(
            problems[0]
                .hint
                .as_ref()
                .unwrap()
                .zh
                .contains("建档立卡户数")
        );
        assert!(problems[1].message.zh.contains("建档立卡户数（户）"));
    }
}

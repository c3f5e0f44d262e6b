//! A row's values read from its cells: each mapped column's cell as its field's value
//! (numbers with their units, percents, digits grouped as Excel shows them), placed at the
//! cell so that a problem found in it is told there.

use rust_decimal::Decimal;
use unicode_normalization::UnicodeNormalization;

use super::header::{self, Role};
use super::{Assign, Place, col_of, line_of};
use crate::diagnostics::{Diagnostic, Severity, Text};
use crate::load::{Node, Value, looks_like_decimal, resolve_plain};
use crate::spreadsheet::Leaf;
use crate::spreadsheet::read::{Given, Grid};
use crate::validate::schema::{Field, Kind};

/// The mapped columns of a sheet, to read a row's values with.
#[derive(Clone, Copy)]
pub(super) struct Columns<'c, 'f> {
    pub(super) mapped: &'c [header::Mapped],
    pub(super) leaves: &'c [Leaf<'f>],
    pub(super) required: &'c [bool],
}

impl Columns<'_, '_> {
    /// The values of the 0-based row `r` of `grid` (the `sheet`-th read), each placed at its
    /// cell; a cell that cannot be read is a problem, a doubtful one a warning.
    pub(super) fn values(
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
            // What the cell shows that the number read differs from, said at the cell.
            let column = unit.as_deref().or(field.unit.as_deref());
            let noted = [
                ("import-format-unit", unit_unlike_column(given, column)),
                ("import-shown-rounded", shown_rounded(given, field)),
            ];
            for (code, (note, hint)) in noted
                .into_iter()
                .filter_map(|(code, said)| Some((code, said?)))
            {
                let at = Some(place.cell(r, m.col));
                problems.push(Diagnostic::new(Severity::Info, code, at, note).with_hint(hint));
            }
            match cell_value(given, field, unit.as_deref()) {
                Ok(value) => values.push(Assign {
                    path: path.clone(),
                    node: Node {
                        value,
                        line: line_of(sheet, r),
                        col: col_of(m.col),
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

/// The unit a number its cell's format shows with the unit `shown` is in, in a column of
/// `column`'s: `shown`, but 万元 for a 万 in a column of 万元 (as a clerk writes 342万 for it,
/// and formats a cell `0"万"`).
fn cell_unit<'u>(shown: Option<&'u str>, column: Option<&'u str>) -> Option<&'u str> {
    match (shown, column) {
        (Some(shown), Some(column)) if column.strip_suffix('元') == Some(shown) => Some(column),
        (shown, _) => shown,
    }
}

/// A number whose cell's format shows it with a unit (`0"元"`: 342元) other than its
/// column's (`column`: its header's, else its field's; 帮扶资金（万元）): read as the cell
/// shows it, and said.
pub(super) fn unit_unlike_column(given: &Given, column: Option<&str>) -> Option<(Text, Text)> {
    let Given::Number {
        value,
        unit: Some(shown),
        ..
    } = given
    else {
        return None;
    };
    let header = column.filter(|c| cell_unit(Some(shown), Some(c)) != Some(c))?;
    Some((
        Text::new(
            format!(
                "单元格显示 {value}{shown}（数字格式里写着单位「{shown}」），这一列的单位是「{header}」：按单元格显示的 {value}{shown} 读入"
            ),
            format!(
                "the cell shows {value}{shown} (its number format has the unit {shown}) but its column's unit is {header}: read as the cell shows it, {value}{shown}"
            ),
        ),
        Text::new(
            format!(
                "若这个数其实是以「{header}」计的，把单元格的数字格式改为「数值」（去掉「{shown}」），再导入"
            ),
            format!(
                "if the number is in fact in {header}, set the cell's number format to Number (without {shown}) and import again"
            ),
        ),
    ))
}

/// A number its cell shows rounded (its format shows fewer decimals than it holds, as a
/// formula's result often is) with more decimals than its field takes: the schema refuses
/// the number held, which the clerk does not see. What the cell shows and holds, and what
/// to type for the number shown (None for the General format, which shows what it holds).
pub(super) fn shown_rounded(given: &Given, field: &Field) -> Option<(Text, Text)> {
    let Given::Number {
        value,
        percent,
        decimals,
        ..
    } = given
    else {
        return None;
    };
    let dp = field.dp?;
    let percent = *percent && matches!(field.kind, Kind::Percent);
    let held = match percent {
        true => (*value * Decimal::ONE_HUNDRED).normalize(),
        false => value.normalize(),
    };
    if *decimals == 0 || held.scale() <= *decimals || held.scale() <= dp {
        return None;
    }
    // As Excel and WPS round for display: halves away from zero.
    let away = rust_decimal::RoundingStrategy::MidpointAwayFromZero;
    let sign = if percent { "%" } else { "" };
    let shown = held.round_dp_with_strategy(*decimals, away);
    let typed = held.round_dp_with_strategy(dp, away);
    // ROUND's places are of the fraction the cell holds, two more for a percentage.
    let places = dp + if percent { 2 } else { 0 };
    Some((
        Text::new(
            format!(
                "单元格显示 {shown}{sign}（数字格式只显示 {decimals} 位小数），里面存的是 {held}{sign}：导入的是存的数"
            ),
            format!(
                "the cell shows {shown}{sign} (its number format shows {decimals} decimals) but holds {held}{sign}: the number held is what is imported"
            ),
        ),
        Text::new(
            format!(
                "报告要的是 {dp} 位小数的数：在单元格里输入 {typed}{sign}，或把公式套上 ROUND(…, {places})"
            ),
            format!(
                "the report takes {dp} decimals: type {typed}{sign} in the cell, or wrap its formula in ROUND(…, {places})"
            ),
        ),
    ))
}

/// A doubt about a number below 1 in a percentage column of a workbook whose number formats
/// are not read (.xls, .ods): a cell showing 85% holds 0.85, which is read as 0.85%.
pub(super) fn percent_doubt(grid: &Grid, given: &Given, field: &Field) -> Option<Text> {
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
pub(super) fn cell_value(given: &Given, field: &Field, unit: Option<&str>) -> Result<Value, Text> {
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
        Given::Unsaved(formula) => {
            return Err(Text::new(
                format!(
                    "单元格里是公式 ={formula}，工作簿里没有保存它的计算结果（这个文件由程序生成，还没有在 Excel 或 WPS 里保存过）：表格里显示的数读不到。在 Excel 或 WPS 里打开它、保存一次，再导入"
                ),
                format!(
                    "the cell holds the formula ={formula} and the workbook has no result of it saved (made by a program, never saved in Excel or WPS): the number the sheet shows cannot be read. Open it in Excel or WPS, save it once, and import again"
                ),
            ));
        }
        Given::Number {
            value,
            percent,
            decimals,
            unit: shown_unit,
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
            // The unit the cell shows the number with (`0"元"`), else the header's.
            let column = unit.or(field.unit.as_deref());
            match cell_unit(shown_unit.as_deref(), column).or(unit) {
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
        Given::Date(date) if numeric => {
            // Excel makes a date of `1-3` or `3/4` typed in a cell of the General format.
            let date = date.strip_suffix(" 00:00:00").unwrap_or(date);
            return Err(Text::new(
                format!(
                    "单元格是日期（{date}），不是数字：Excel 会把输入的「1-3」「3/4」之类当成日期；把单元格格式设为「数值」，重新输入数字"
                ),
                format!(
                    "the cell holds a date ({date}), not a number: Excel makes a date of `1-3` or `3/4` typed in a cell; format the cell as Number and type the figure again"
                ),
            ));
        }
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
pub(super) fn number_text(text: &str, field: &Field, unit: Option<&str>) -> Value {
    // (Spaces inside are left for the schema's checks: `8 4` is no 84.)
    let folded: String = text.trim().nfkc().collect();
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
/// group it by threes (`0,468` does not); anything else left as written.
pub(super) fn ungrouped(text: &str) -> String {
    let sign = text.starts_with(['-', '+']) as usize;
    let end = text[sign..]
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .map_or(text.len(), |i| i + sign);
    let whole = &text[sign..end];
    if !whole.contains(',') {
        return text.to_string();
    }
    if crate::validate::units::thousands_grouped(whole) {
        format!(
            "{}{}{}",
            &text[..sign],
            whole.replace(',', ""),
            &text[end..]
        )
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::ungrouped;

    #[test]
    fn commas_are_taken_out_only_where_they_group_thousands() {
        assert_eq!(ungrouped("1,234,567.5元"), "1234567.5元");
        assert_eq!(ungrouped("-1,468"), "-1468");
        assert_eq!(ungrouped("468"), "468");
        // Not groups of three, or a first group starting with 0: left for the checks.
        for text in ["0,468", "13,2", "1,46", "1234,567"] {
            assert_eq!(ungrouped(text), text);
        }
    }
}

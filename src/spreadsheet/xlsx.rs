//! The sheets as an Excel workbook (rust_xlsxwriter): a header row in bold, frozen, columns
//! as wide as their Chinese text, printed on A4 landscape as wide as the page, numbers as
//! numbers shown with their own decimals (`0.00` for 1.10: what the report prints, and what
//! `huibao import` reads back), true/false as Excel's booleans, and fixed document dates, so that the same data
//! give the same bytes.
//!
//! Excel keeps a number as a binary double and shows at most 15 significant digits: a decimal
//! of at most 15 significant digits is written as the double nearest to it, whose shortest
//! text (what the file holds, and what Excel shows) is that decimal again — `81.76875` stays
//! `81.76875`. A decimal with more digits than that is written as text, with a note saying
//! so: never rounded without a word.

use rust_decimal::Decimal;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Note, Workbook, XlsxError};

use super::{Cell, Sheet};
use crate::diagnostics::{Diagnostic, Text};

/// The most significant digits Excel keeps of a number.
pub const EXCEL_DIGITS: u32 = 15;

/// The note on a number kept as text.
const TEXT_NOTE: &str = "这个数有效数字超过 15 位，Excel 会把它舍入，所以存为文本 / more than 15 significant digits, which Excel would round: kept as text";

/// The workbook of `sheets`, titled `title`, as the bytes of its file.
pub fn workbook(title: &str, sheets: &[Sheet]) -> Result<Vec<u8>, Diagnostic> {
    written(title, sheets).map_err(|e| {
        Diagnostic::error(
            "xlsx",
            None,
            Text::new(
                format!("无法生成 Excel 工作簿：{e}"),
                format!("cannot make the Excel workbook: {e}"),
            ),
        )
    })
}

/// The workbook of `sheets`, written by rust_xlsxwriter.
fn written(title: &str, sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    // A fixed date: the same data make the same bytes (no timestamp unless configured).
    let properties = DocProperties::new()
        .set_title(title)
        .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?);
    workbook.set_properties(&properties);
    let header = Format::new().set_bold();
    let mut number_formats: Vec<(u32, Format)> = Vec::new();
    for sheet in sheets {
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(&sheet.name)?;
        worksheet.set_freeze_panes(1, 0)?;
        // Printed as a clerk prints a table: A4 landscape, as wide as the page, the header
        // on every page, with grid lines.
        worksheet
            .set_paper_size(9)
            .set_landscape()
            .set_print_fit_to_pages(1, 0)
            .set_print_gridlines(true)
            .set_repeat_rows(0, 0)?;
        let mut widths: Vec<usize> = sheet.columns.iter().map(|c| width(&c.header)).collect();
        for (col, column) in sheet.columns.iter().enumerate() {
            worksheet.write_string_with_format(0, col as u16, &column.header, &header)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (col, cell) in row.iter().enumerate() {
                let c = col as u16;
                let shown = match cell {
                    Cell::Empty => 0,
                    Cell::Text(text) => {
                        worksheet.write_string(r, c, text)?;
                        width(text)
                    }
                    Cell::Bool(b) => {
                        worksheet.write_boolean(r, c, *b)?;
                        5
                    }
                    Cell::Number(n) => match as_double(n) {
                        Some(double) => {
                            // Each number shows its own decimals (1.10 as 1.10, 100 as
                            // 100): what the report prints, and what an import reads back.
                            let decimals = n.scale();
                            let format = number_format(&mut number_formats, decimals);
                            worksheet.write_number_with_format(r, c, double, &format)?;
                            width(&format!("{:.*}", decimals as usize, n))
                        }
                        None => {
                            let text = n.to_string();
                            worksheet.write_string(r, c, &text)?;
                            worksheet.insert_note(r, c, &Note::new(TEXT_NOTE))?;
                            width(&text)
                        }
                    },
                };
                if let Some(w) = widths.get_mut(col) {
                    *w = (*w).max(shown);
                }
            }
        }
        for (col, w) in widths.iter().enumerate() {
            // Excel's width is in characters of its default font; a Chinese character is two.
            worksheet.set_column_width(col as u16, (*w).clamp(6, 60) as f64 + 2.0)?;
        }
    }
    workbook.save_to_buffer()
}

/// How many columns `text` takes: two for a Chinese (wide) character.
fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// The format showing `decimals` decimals (`0`, `0.00`), made once.
fn number_format(formats: &mut Vec<(u32, Format)>, decimals: u32) -> Format {
    if let Some((_, found)) = formats.iter().find(|(d, _)| *d == decimals) {
        return found.clone();
    }
    let pattern = match decimals {
        0 => "0".to_string(),
        d => format!("0.{}", "0".repeat(d as usize)),
    };
    let format = Format::new().set_num_format(pattern);
    formats.push((decimals, format.clone()));
    format
}

/// `n` as the double Excel keeps, when its shortest text is `n` again (at most 15
/// significant digits); `None` when Excel would round it.
pub fn as_double(n: &Decimal) -> Option<f64> {
    let normal = n.normalize();
    let digits = normal.mantissa().unsigned_abs().to_string().len() as u32;
    if digits > EXCEL_DIGITS {
        return None;
    }
    // Parsing the decimal's text gives the nearest double (correctly rounded).
    let double: f64 = normal.to_string().parse().ok()?;
    // Checked, not assumed: its shortest text is the decimal.
    let back: Decimal = double.to_string().parse().ok()?;
    (back == normal).then_some(double)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_up_to_fifteen_digits_come_back_exactly_longer_ones_do_not_go_as_numbers() {
        for text in [
            "81.76875",
            "0.3",
            "1094.52",
            "0",
            "-2.5",
            "123456789012345",
            "0.000001",
        ] {
            let n: Decimal = text.parse().unwrap();
            let double = as_double(&n).expect(text);
            assert_eq!(
                double.to_string().parse::<Decimal>().unwrap(),
                n.normalize(),
                "{text}"
            );
        }
        let sum = "0.1".parse::<Decimal>().unwrap() + "0.2".parse::<Decimal>().unwrap();
        assert_eq!(as_double(&sum).unwrap().to_string(), "0.3");
        assert_eq!(as_double(&"1234567890123456".parse().unwrap()), None);
        assert_eq!(as_double(&"0.1234567890123456".parse().unwrap()), None);
    }
}

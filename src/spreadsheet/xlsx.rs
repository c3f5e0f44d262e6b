//! The sheets as an Excel workbook (rust_xlsxwriter): a header row in bold, frozen, columns
//! as wide as their Chinese text, printed on A4 landscape as wide as the page, numbers as
//! numbers shown with their own decimals (`0.00` for 1.10: what the report prints, and what
//! `huibao import` reads back; a whole number in General, which shows it as it is), true/false
//! as Excel's booleans, and fixed document dates, so that the same data give the same bytes.
//! Each sheet's rows go to a temporary file as they are written, and the file is compressed
//! at Excel's own level (3): a province's workbook neither fills the memory nor takes
//! minutes.
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

/// Whole numbers below this show in Excel's General format as they are (from 12 digits it
/// shows `1.23457E+11`): written without a format.
const GENERAL_WHOLE: u128 = 100_000_000_000;

/// The note on a number kept as text.
const TEXT_NOTE: &str = "这个数有效数字超过 15 位，Excel 会把它舍入，所以存为文本 / more than 15 significant digits, which Excel would round: kept as text";

/// The workbook of `sheets`, titled `title`, as the bytes of its file.
pub fn workbook(title: &str, sheets: &[Sheet]) -> Result<Vec<u8>, Diagnostic> {
    written(title, sheets).map_err(workbook_error)
}

/// What a failure to write the workbook tells.
fn workbook_error(e: XlsxError) -> Diagnostic {
    let problem = Diagnostic::error(
        "xlsx",
        None,
        Text::new(
            format!("无法生成 Excel 工作簿：{e}"),
            format!("cannot make the Excel workbook: {e}"),
        ),
    );
    match e {
        // The rows go to a temporary file first (see the module's notes).
        XlsxError::TempFileError(dir, _) => problem.with_hint(Text::new(
            format!(
                "工作簿的行先写到系统的临时文件夹 {}：请确认它存在、可写、有空间（Windows 的 TEMP、其他系统的 TMPDIR 环境变量指定它）",
                dir.display()
            ),
            format!(
                "the workbook's rows are first written to the system's temporary folder {}: make sure it exists, is writable and has room (set by TEMP on Windows, TMPDIR elsewhere)",
                dir.display()
            ),
        )),
        _ => problem,
    }
}

/// The workbook of `sheets`, written by rust_xlsxwriter.
fn written(title: &str, sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    // A fixed date: the same data make the same bytes (no timestamp unless configured).
    let properties = DocProperties::new()
        .set_title(title)
        .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?);
    workbook.set_properties(&properties);
    // Excel's own level: much faster than the default 6 for a file ~9 % larger here (the
    // workbook of 10,000 villages took a second to compress).
    workbook.set_zip_compression_level(3);
    let header = Format::new().set_bold();
    let mut number_formats: Vec<(u32, Format)> = Vec::new();
    for sheet in sheets {
        // Rows are written in order: each goes to a temporary file once the next begins, the
        // texts to the workbook's table of strings (as in a standard sheet, same file).
        let worksheet = workbook.add_worksheet_with_low_memory()?;
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
                            if n.scale() == 0 && n.mantissa().unsigned_abs() < GENERAL_WHOLE {
                                // A whole number General shows as it is (at most 11 digits):
                                // no format to look up (each cell's format is hashed whole:
                                // a third of the workbook's time). An import reads General
                                // as no decimals.
                                worksheet.write_number(r, c, double)?;
                            } else {
                                // Each number shows its own decimals (1.10 as 1.10, 100.0 as
                                // 100.0): what the report prints, and what an import reads
                                // back.
                                let format = number_format(&mut number_formats, n.scale());
                                worksheet.write_number_with_format(r, c, double, &format)?;
                            }
                            // Its text with its own decimals: ASCII, a column a byte.
                            crate::figure::decimal_text(n, &mut [0; 64]).len()
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
    // A whole number of at most 15 digits is a double exactly (below 2^53), and its shortest
    // text is its digits: most cells (households, people).
    if normal.scale() == 0 && normal.mantissa().unsigned_abs() < 10u128.pow(EXCEL_DIGITS) {
        return Some(normal.mantissa() as f64);
    }
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

    /// The text of part `name` of the workbook `bytes`.
    fn part(bytes: &[u8], name: &str) -> String {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut out = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn a_temporary_folder_that_cannot_be_written_is_named_with_what_to_do() {
        let error = XlsxError::TempFileError(
            std::path::PathBuf::from("/nonexistent"),
            std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        let problem = workbook_error(error);
        let hint = problem
            .hint
            .as_ref()
            .expect("a hint")
            .get(crate::diagnostics::Lang::Zh);
        assert!(
            hint.contains("/nonexistent") && hint.contains("TEMP"),
            "{hint}"
        );
    }

    #[test]
    fn whole_numbers_go_without_a_format_unless_general_would_show_them_otherwise() {
        let sheet = super::super::village_sheet(
            &["户数", "大数", "资金"],
            (0..3)
                .map(|i| {
                    vec![
                        Cell::Number(Decimal::from(132 + i)),
                        Cell::Number("123456789012".parse().unwrap()),
                        Cell::Number("1.10".parse().unwrap()),
                    ]
                })
                .collect(),
        );
        let bytes = workbook("t", std::slice::from_ref(&sheet)).unwrap();
        let xml = part(&bytes, "xl/worksheets/sheet1.xml");
        // 132 as General: no style; twelve digits General would show as 1.23457E+11: "0".
        assert!(xml.contains(r#"<c r="A2"><v>132</v></c>"#), "{xml}");
        assert!(xml.contains(r#"<c r="A4"><v>134</v></c>"#), "{xml}");
        assert!(!xml.contains(r#"<c r="B2"><v>"#), "{xml}");
        assert!(!xml.contains(r#"<c r="C2"><v>"#), "{xml}");
        let styles = part(&bytes, "xl/styles.xml");
        assert!(
            styles.contains(r#"formatCode="0""#) && styles.contains(r#"formatCode="0.00""#),
            "{styles}"
        );
        // The same sheet, the same bytes (its rows went through a temporary file).
        assert_eq!(workbook("t", &[sheet]).unwrap(), bytes);
    }

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

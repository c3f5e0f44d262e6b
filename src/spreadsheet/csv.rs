//! A sheet as CSV, as Excel and WPS on Chinese Windows open it without asking: UTF-8 with a
//! byte-order mark (without it they read GBK and show mojibake), lines ended by CRLF, the
//! header with units, numbers as plain decimals exactly as checked (`1094.52`, `81.76875`;
//! no thousands separators, no exponent), true/false as `true`/`false`.

use super::{Cell, Sheet};

/// The byte-order mark that tells Excel the file is UTF-8.
pub const BOM: &str = "\u{feff}";

/// `sheet` as the text of a CSV file.
pub fn csv(sheet: &Sheet) -> String {
    let mut out = String::from(BOM);
    for (i, column) in sheet.columns.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(&mut out, &column.header);
    }
    out.push_str("\r\n");
    for row in &sheet.rows {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match cell {
                Cell::Empty => {}
                Cell::Text(text) => push_field(&mut out, text),
                // As its `Display` writes it, without the formatting machinery.
                Cell::Number(n) => out.push_str(&crate::figure::decimal_text(n, &mut [0; 64])),
                Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            }
        }
        out.push_str("\r\n");
    }
    out
}

/// Appends a text field, quoted when it holds a comma, a quote, a line break or leading or
/// trailing spaces (quotes doubled).
pub(crate) fn push_field(out: &mut String, text: &str) {
    let quoted = text.contains([',', '"', '\r', '\n']) || text.trim() != text;
    if quoted {
        out.push('"');
        for piece in text.split_inclusive('"') {
            out.push_str(piece);
            if piece.ends_with('"') {
                out.push('"');
            }
        }
        out.push('"');
    } else {
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_crlf_quotes_and_exact_numbers() {
        let sheet = super::super::village_sheet(
            &["编号", "说明", "资金（万元）"],
            vec![vec![
                Cell::Text("hengxi".into()),
                Cell::Text("甲,乙 \"丙\"".into()),
                Cell::Number("81.76875".parse().unwrap()),
            ]],
        );
        assert_eq!(
            csv(&sheet),
            "\u{feff}编号,说明,资金（万元）\r\nhengxi,\"甲,乙 \"\"丙\"\"\",81.76875\r\n"
        );
    }

    #[test]
    fn every_kind_of_cell_and_every_quote_placement() {
        let sheet = Sheet {
            name: String::new(),
            source: String::new(),
            columns: Vec::new(),
            rows: vec![vec![
                Cell::Text(" 前有空格".into()),
                Cell::Text("尾\"".into()),
                Cell::Text("\"\"".into()),
                Cell::Empty,
                Cell::Bool(true),
                Cell::Number("0.30".parse().unwrap()),
                Cell::Text("行\r\n断".into()),
            ]],
        };
        assert_eq!(
            csv(&sheet),
            "\u{feff}\r\n\" 前有空格\",\"尾\"\"\",\"\"\"\"\"\",,true,0.30,\"行\r\n断\"\r\n"
        );
    }
}

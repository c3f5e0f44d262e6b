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
    let headers: Vec<&str> = sheet.columns.iter().map(|c| c.header.as_str()).collect();
    push_line(&mut out, headers.iter().map(|h| field(h)));
    for row in &sheet.rows {
        push_line(
            &mut out,
            row.iter().map(|cell| match cell {
                Cell::Empty => String::new(),
                Cell::Text(text) => field(text),
                Cell::Number(n) => n.to_string(),
                Cell::Bool(b) => b.to_string(),
            }),
        );
    }
    out
}

/// Appends one line of fields, separated by commas, ended by CRLF.
fn push_line(out: &mut String, fields: impl Iterator<Item = String>) {
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&f);
    }
    out.push_str("\r\n");
}

/// A text field, quoted when it holds a comma, a quote, a line break or leading or trailing
/// spaces (quotes doubled).
fn field(text: &str) -> String {
    let quoted = text.contains([',', '"', '\r', '\n']) || text.trim() != text;
    if quoted {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Column;
    use super::*;

    #[test]
    fn bom_crlf_quotes_and_exact_numbers() {
        let sheet = Sheet {
            name: "村委会".into(),
            source: "villages".into(),
            columns: ["编号", "说明", "资金（万元）"]
                .iter()
                .map(|h| Column {
                    path: String::new(),
                    header: h.to_string(),
                    decimals: 0,
                })
                .collect(),
            rows: vec![vec![
                Cell::Text("hengxi".into()),
                Cell::Text("甲,乙 \"丙\"".into()),
                Cell::Number("81.76875".parse().unwrap()),
            ]],
        };
        assert_eq!(
            csv(&sheet),
            "\u{feff}编号,说明,资金（万元）\r\nhengxi,\"甲,乙 \"\"丙\"\"\",81.76875\r\n"
        );
    }
}

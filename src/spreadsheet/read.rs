//! Spreadsheets in: a workbook (`.xlsx`, `.xls`, `.ods`, read by calamine) or a `.csv`
//! (UTF-8 with or without BOM, or GBK/GB18030 as Excel on Chinese Windows saves it) as
//! grids of cells, each cell as the sheet shows it: a number is the exact decimal the cell
//! displays (at most 15 significant digits, as Excel keeps), a date its `2020-10-31`.

use std::path::Path;

use calamine::{Data, Reader};
use rust_decimal::Decimal;

use crate::diagnostics::{Diagnostic, Location, Text};

/// The largest spreadsheet huibao reads.
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// One sheet of a workbook, from its cell A1.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// Its name (a CSV's: the file name without `.csv`, as Excel names it).
    pub name: String,
    /// Hidden in the workbook.
    pub hidden: bool,
    /// Whether its cells' number formats were read (an `.xlsx`: calamine reads them from no
    /// other format), so that a percentage cell is known as one and a number keeps the
    /// decimals it shows.
    pub formats: bool,
    /// Its rows from row 1, each from column A.
    pub rows: Vec<Vec<Given>>,
    /// Its merged cells, each as its first and last cell (0-based row, column): a merged
    /// cell holds its value in its first cell only (an `.xlsx` or `.xls`: calamine reads
    /// them from no other format).
    pub merged: Vec<((u32, u32), (u32, u32))>,
    /// A CSV's rows' numbers of fields as written, empty ones at the end counted (`rows`
    /// leaves those out): Excel writes as many in every row, so a row with more than its
    /// header has a comma typed in a cell without quotes. Empty for a workbook.
    pub widths: Vec<usize>,
}

/// A cell as read.
#[derive(Clone, Debug, PartialEq)]
pub enum Given {
    /// Nothing in it.
    Empty,
    /// Text, as typed (a CSV's cells are all text).
    Text(String),
    /// A number, as the cell holds it to Excel's 15 digits (no trailing zeros); `percent`
    /// when its format shows it as a percentage (the cell showing 85% holds 0.85), `decimals`
    /// how many decimals its format shows (`0.00`: 2; General: 0), `unit` the unit its
    /// format shows after it (`0"元"` shows 342 as 342元).
    Number {
        value: Decimal,
        percent: bool,
        decimals: u32,
        unit: Option<String>,
    },
    /// True or false.
    Bool(bool),
    /// A date (`2020-10-31`), or a date and time.
    Date(String),
    /// An error value of a formula (`#DIV/0!`).
    Error(String),
    /// A formula (`400+68`) whose result the workbook did not save: none, or the 0 that a
    /// program writing workbooks puts there for Excel to compute when the file is opened
    /// (the workbook asks for that: `fullCalcOnLoad`). Never read as a value.
    Unsaved(String),
}

/// A workbook read: its sheets, and how a CSV's bytes were decoded when not as UTF-8.
#[derive(Clone, Debug)]
pub struct Workbook {
    /// Its sheets, in the workbook's order.
    pub sheets: Vec<Grid>,
    /// Said when a CSV was read as GBK/GB18030.
    pub encoding_note: Option<Text>,
}

/// Reads the spreadsheet at `path` (named in messages as `shown`).
pub fn read(path: &Path, shown: &Path) -> Result<Workbook, Diagnostic> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let size = std::fs::metadata(path)
        .map_err(|e| Diagnostic::unreadable(shown, &e))?
        .len();
    if size > MAX_BYTES {
        return Err(Diagnostic::error(
            "import-too-large",
            Some(Location::file(shown)),
            Text::new(
                format!("表格有 {} MB，huibao 最多读 256 MB", size / (1024 * 1024)),
                format!(
                    "the spreadsheet is {} MB; huibao reads at most 256 MB",
                    size / (1024 * 1024)
                ),
            ),
        ));
    }
    match extension.as_str() {
        "csv" | "txt" => {
            let bytes = std::fs::read(path).map_err(|e| Diagnostic::unreadable(shown, &e))?;
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            csv_grid(&bytes, &name, shown)
        }
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => workbook(path, shown),
        _ => Err(Diagnostic::error(
            "import-format",
            Some(Location::file(shown)),
            Text::new(
                format!("不认识「.{extension}」文件：huibao 读 .xlsx、.xls、.ods 和 .csv"),
                format!(
                    "cannot read a “.{extension}” file: huibao reads .xlsx, .xls, .ods and .csv"
                ),
            ),
        )
        .with_hint(Text::new(
            "在 Excel 或 WPS 里「另存为」Excel 工作簿（.xlsx）或 CSV（逗号分隔）",
            "in Excel or WPS, Save As an Excel workbook (.xlsx) or CSV (comma delimited)",
        ))),
    }
}

/// A workbook's sheets, through calamine.
fn workbook(path: &Path, shown: &Path) -> Result<Workbook, Diagnostic> {
    let unreadable = |e: &dyn std::fmt::Display| {
        Diagnostic::error(
            "import-unreadable",
            Some(Location::file(shown)),
            Text::new(
                format!("无法读取这个工作簿：{e}"),
                format!("cannot read this workbook: {e}"),
            ),
        )
        .with_hint(Text::new(
            "确认文件没有损坏、没有加密（设了打开密码的工作簿先在 Excel 里取消密码）；或另存为 .xlsx 再试",
            "make sure the file is not damaged or encrypted (remove a workbook's open password in Excel first); or Save As .xlsx and try again",
        ))
    };
    let mut book = calamine::open_workbook_auto(path).map_err(|e| match not_a_workbook(path) {
        Some((message, hint)) => {
            Diagnostic::error("import-unreadable", Some(Location::file(shown)), message)
                .with_hint(hint)
        }
        None => unreadable(&e),
    })?;
    let formats = matches!(&book, calamine::Sheets::Xlsx(_));
    let computed_on_open = formats && computed_when_opened(path);
    let metadata: Vec<(String, bool)> = book
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible != calamine::SheetVisible::Visible))
        .collect();
    let mut sheets = Vec::new();
    for (name, hidden) in metadata {
        let Ok(range) = book.worksheet_range(&name) else {
            // A chart sheet or a macro sheet has no cells.
            continue;
        };
        let merged = match &mut book {
            calamine::Sheets::Xlsx(xlsx) => xlsx.merge_cells_by_sheet_name(&name).ok(),
            calamine::Sheets::Xls(xls) => xls.merge_cells_by_sheet_name(&name).ok(),
            _ => None,
        };
        let merged = merged
            .unwrap_or_default()
            .into_iter()
            .map(|d| (d.start, d.end))
            .collect();
        let styles = book.worksheet_style(&name).ok();
        // The formulas whose results may not be saved: every one, in a workbook that asks
        // to be computed when opened; else those with no result at all.
        let formulas = match &mut book {
            calamine::Sheets::Xlsx(xlsx) => xlsx.worksheet_formula(&name).ok(),
            _ => None,
        };
        let unsaved = |row: u32, col: u32, data: &Data| -> Option<Given> {
            let formula = formulas.as_ref()?.get_value((row, col))?;
            let no_result = match data {
                Data::Empty => true,
                Data::Int(0) => computed_on_open,
                Data::Float(f) => computed_on_open && *f == 0.0,
                Data::String(s) => computed_on_open && s.is_empty(),
                _ => false,
            };
            (!formula.is_empty() && no_result).then(|| Given::Unsaved(formula.clone()))
        };
        let format_at = |row: u32, col: u32| -> Shown {
            let code = styles
                .as_ref()
                .and_then(|styles| styles.get((row, col)))
                .and_then(|s| s.number_format.as_ref())
                .map(|f| f.format_code.as_str())
                .unwrap_or("General");
            Shown {
                percent: is_percent_format(code),
                decimals: format_decimals(code),
                unit: format_unit(code),
            }
        };
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut rows: Vec<Vec<Given>> = vec![Vec::new(); top as usize];
        for (r, row) in range.rows().enumerate() {
            let mut cells = vec![Given::Empty; left as usize];
            for (c, data) in row.iter().enumerate() {
                let (at_row, at_col) = (top + r as u32, left + c as u32);
                let cell = unsaved(at_row, at_col, data)
                    .unwrap_or_else(|| given(data, || format_at(at_row, at_col)));
                cells.push(cell);
            }
            while cells.last() == Some(&Given::Empty) {
                cells.pop();
            }
            rows.push(cells);
        }
        sheets.push(Grid {
            name,
            hidden,
            formats,
            rows,
            merged,
            widths: Vec::new(),
        });
    }
    Ok(Workbook {
        sheets,
        encoding_note: None,
    })
}

/// Whether the `.xlsx` at `path` asks to have its formulas computed when it is opened
/// (`<calcPr fullCalcOnLoad="1"/>` in its `xl/workbook.xml`), as a workbook written by a
/// program rather than saved by Excel or WPS does: its formulas' saved results are then
/// placeholders (0), not what the sheet shows.
fn computed_when_opened(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let Ok(mut archive) = zip::ZipArchive::new(std::io::BufReader::new(file)) else {
        return false;
    };
    let Ok(part) = archive.by_name("xl/workbook.xml") else {
        return false;
    };
    let mut xml = String::new();
    // (The part is small; a workbook whose part cannot be read says nothing here.)
    if std::io::Read::read_to_string(&mut std::io::Read::take(part, 1 << 20), &mut xml).is_err() {
        return false;
    }
    let Some(start) = xml.find("<calcPr") else {
        return false;
    };
    let tag = &xml[start..];
    let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
    tag.contains("fullCalcOnLoad=\"1\"") || tag.contains("fullCalcOnLoad=\"true\"")
}

/// What a file named as a workbook that calamine cannot open is instead, when it can be
/// told, and what to do: Excel's lock file of an open workbook (`~$数据.xlsx`), a web page
/// saved as `.xls` (as some systems export a table), text or a CSV given a workbook's name.
fn not_a_workbook(path: &Path) -> Option<(Text, Text)> {
    let name = path.file_name()?.to_string_lossy();
    if let Some(real) = name.strip_prefix("~$") {
        return Some((
            Text::new(
                "这是 Excel 或 WPS 打开工作簿时留下的临时文件，不是工作簿",
                "this is the lock file Excel or WPS leaves beside an open workbook, not a workbook",
            ),
            Text::new(
                format!("导入工作簿本身（文件名里「~$」后面的部分，如 {real}）"),
                format!("import the workbook itself (the name after `~$`, such as {real})"),
            ),
        ));
    }
    let mut start = [0u8; 512];
    let read = std::io::Read::read(&mut std::fs::File::open(path).ok()?, &mut start).ok()?;
    let head = String::from_utf8_lossy(&start[..read]).to_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    let save_as = Text::new(
        "在 Excel 或 WPS 里打开它，「另存为」Excel 工作簿（.xlsx），再导入",
        "open it in Excel or WPS, Save As an Excel workbook (.xlsx), and import that",
    );
    if head.starts_with('<') {
        let message = match head.contains("<html") || head.contains("<table") {
            true => Text::new(
                "这个文件其实是网页（HTML），只是名字是表格的",
                "this file is a web page (HTML) with a spreadsheet's name",
            ),
            false => Text::new(
                "这个文件是 XML（如「XML 表格 2003」），不是工作簿",
                "this file is XML (such as an XML Spreadsheet 2003), not a workbook",
            ),
        };
        return Some((message, save_as));
    }
    let binary = start[..read].contains(&0);
    (!binary && read > 0).then(|| {
        (
            Text::new(
                "这个文件是文字（可能是改了扩展名的 CSV），不是工作簿",
                "this file is text (a CSV renamed, maybe), not a workbook",
            ),
            Text::new(
                "若是 CSV，把扩展名改回 .csv 再导入；否则在 Excel 或 WPS 里另存为 .xlsx",
                "if it is a CSV, name it .csv again and import it; else Save As .xlsx in Excel or WPS",
            ),
        )
    })
}

/// Whether a number format shows a percentage (`0%`, `0.00%`; not a `%` inside quotes).
fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '%' if !quoted => return true,
            _ => {}
        }
    }
    false
}

/// How many decimals a number format shows: the `0`s and `#`s after the point of its
/// first section (`#,##0.00` → 2, `0.0%` → 1, `General` → 0).
fn format_decimals(code: &str) -> u32 {
    let section = code.split(';').next().unwrap_or("");
    let Some((_, after)) = section.split_once('.') else {
        return 0;
    };
    after
        .chars()
        .take_while(|c| matches!(c, '0' | '#' | '?'))
        .count() as u32
}

/// How a cell's number format shows its number.
struct Shown {
    /// As a percentage.
    percent: bool,
    /// With this many decimals.
    decimals: u32,
    /// With this unit after it.
    unit: Option<String>,
}

/// The unit a number format shows after the number: its first section's text in quotes or
/// escaped after the last digit placeholder (`0"元"`, `#,##0.00" 万元"`, `0\户` → 元, 万元,
/// 户). None for no text, or text with a digit in it.
fn format_unit(code: &str) -> Option<String> {
    let section = code.split(';').next().unwrap_or("");
    let (mut text, mut quoted, mut escaped) = (String::new(), false, false);
    for c in section.chars() {
        match c {
            _ if escaped => {
                text.push(c);
                escaped = false;
            }
            '"' => quoted = !quoted,
            _ if quoted => text.push(c),
            '\\' => escaped = true,
            // A digit placeholder after some text: the text came before the number.
            '0' | '#' | '?' => text.clear(),
            _ => {}
        }
    }
    let unit = text.trim();
    (!unit.is_empty() && !unit.chars().any(|c| c.is_ascii_digit())).then(|| unit.to_string())
}

/// A calamine cell as the sheet shows it; `format` says how the cell's number format shows
/// its number.
fn given(data: &Data, format: impl Fn() -> Shown) -> Given {
    let number = |value: Decimal| {
        let Shown {
            percent,
            decimals,
            unit,
        } = format();
        Given::Number {
            value,
            percent,
            decimals,
            unit,
        }
    };
    match data {
        Data::Empty => Given::Empty,
        Data::String(s) => Given::Text(s.clone()),
        Data::Bool(b) => Given::Bool(*b),
        Data::Int(i) => number(Decimal::from(*i)),
        Data::Float(f) => match displayed(*f) {
            Some(value) => number(value),
            None => Given::Error(f.to_string()),
        },
        Data::DateTime(when) => Given::Date(excel_date(when)),
        Data::DateTimeIso(text) | Data::DurationIso(text) => Given::Date(text.clone()),
        Data::Error(e) => Given::Error(e.to_string()),
    }
}

/// The decimal a cell holding the double `f` displays: at most 15 significant digits (as
/// Excel keeps and shows them), no trailing zeros: 81.76875 for the double nearest 81.76875,
/// 0.3 for 0.1 + 0.2. `None` for an infinite or NaN value.
pub fn displayed(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    if f == 0.0 {
        return Some(Decimal::ZERO);
    }
    // `{:.14e}` rounds to 15 significant digits, exactly as decimal text.
    let text = format!("{f:.14e}");
    let parsed = Decimal::from_scientific(&text).ok()?;
    Some(parsed.normalize())
}

/// An Excel date as `2020-10-31` (with ` 08:30:00` when it has a time of day).
fn excel_date(when: &calamine::ExcelDateTime) -> String {
    let (y, m, d, h, min, sec, _) = when.to_ymd_hms_milli();
    if (h, min, sec) == (0, 0, 0) {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{sec:02}")
    }
}

/// A CSV's cells, decoded (UTF-8, its BOM, or GBK/GB18030) and split as Excel writes it
/// (commas, or tabs or semicolons when the header has those instead; quotes doubled).
fn csv_grid(bytes: &[u8], name: &str, shown: &Path) -> Result<Workbook, Diagnostic> {
    let (text, encoding_note) = decode_csv(bytes, shown)?;
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| (first_line.bytes().filter(|b| b == d).count(), *d == b','))
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut widths = Vec::new();
    // A blank line is a row too, as Excel and WPS show the file (the reader passes over
    // it): each row numbered as its line is, so that a cell is told where it is seen.
    // (A cell over several lines, in quotes, is one row.)
    let mut record = csv::StringRecord::new();
    loop {
        let read = reader.read_record(&mut record).map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            Diagnostic::error(
                "import-csv",
                Some(Location::new(shown, line, 0)),
                Text::new(
                    format!("CSV 格式有误：{e}"),
                    format!("the CSV is malformed: {e}"),
                ),
            )
            .with_hint(Text::new(
                "检查这一行的引号是否成对；或在 Excel/WPS 里打开后重新「另存为」CSV",
                "check this line's quotes come in pairs; or open it in Excel/WPS and Save As CSV again",
            ))
        })?;
        if !read {
            break;
        }
        // (The record's position is where the reader went on from: before the blank
        // lines it passed over.)
        let bytes = text.as_bytes();
        let mut from = record
            .position()
            .map_or(0, |p| p.byte() as usize)
            .min(bytes.len());
        // (The `\n` of the line before's `\r\n` is not a line of its own.)
        if from > 0 && bytes[from - 1] == b'\r' && bytes.get(from) == Some(&b'\n') {
            from += 1;
        }
        let blank_lines = bytes[from..]
            .iter()
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .filter(|&&b| b == b'\n')
            .count();
        for _ in 0..blank_lines {
            rows.push(Vec::new());
            widths.push(0);
        }
        let mut cells: Vec<Given> = record
            .iter()
            .map(|cell| {
                if cell.trim().is_empty() {
                    Given::Empty
                } else {
                    Given::Text(cell.to_string())
                }
            })
            .collect();
        widths.push(cells.len());
        while cells.last() == Some(&Given::Empty) {
            cells.pop();
        }
        rows.push(cells);
    }
    if encoding_note.is_some()
        && let Some(lost) = lost_to_gbk(&rows, name, shown)
    {
        return Err(lost);
    }
    Ok(Workbook {
        sheets: vec![Grid {
            name: name.to_string(),
            hidden: false,
            formats: false,
            rows,
            merged: Vec::new(),
            widths,
        }],
        encoding_note,
    })
}

/// The error of a CSV saved as GBK whose cell has a `?` beside a Chinese character
/// (`横?村`): Excel's 「另存为 CSV」 writes `?` for each character GBK does not have (a
/// village's rare character), and the name would be imported so. `None` when no cell has.
fn lost_to_gbk(rows: &[Vec<Given>], sheet: &str, shown: &Path) -> Option<Diagnostic> {
    let lost = |text: &str| {
        let chars: Vec<char> = text.chars().collect();
        chars.iter().enumerate().any(|(i, &c)| {
            c == '?'
                && [i.checked_sub(1), Some(i + 1)]
                    .into_iter()
                    .flatten()
                    .filter_map(|j| chars.get(j))
                    .any(|n| !n.is_ascii())
        })
    };
    let (r, c, text) = rows.iter().enumerate().find_map(|(r, cells)| {
        cells.iter().enumerate().find_map(|(c, cell)| match cell {
            Given::Text(text) if lost(text) => Some((r, c, text)),
            _ => None,
        })
    })?;
    Some(
        Diagnostic::error(
            "import-encoding",
            Some(Location::file(format!(
                "{} {sheet}!{}",
                shown.display(),
                cell_ref(r + 1, c + 1)
            ))),
            Text::new(
                format!(
                    "「{text}」里的「?」多半是一个字：Excel 把表格另存为 CSV（GBK 编码）时，GBK 里没有的字（如生僻的村名用字）都换成了「?」，原来的字已经丢了"
                ),
                format!(
                    "the `?` in `{text}` is most likely a character: Excel saving a CSV in GBK writes `?` for each character GBK lacks (a rare character of a village's name), and the character is lost"
                ),
            ),
        )
        .with_hint(Text::new(
            "回到原来的工作簿，「另存为」选「CSV UTF-8（逗号分隔）」再导入；或者直接导入 .xlsx 工作簿",
            "go back to the workbook and Save As \"CSV UTF-8 (Comma delimited)\", then import; or import the .xlsx workbook itself",
        )),
    )
}

/// A CSV's text: UTF-8 (its BOM dropped), else GB18030 (which GBK is part of) when every
/// byte decodes as such — said, never silent — else an error.
fn decode_csv(bytes: &[u8], shown: &Path) -> Result<(String, Option<Text>), Diagnostic> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Diagnostic::error(
            "import-encoding",
            Some(Location::file(shown)),
            Text::new(
                "文件是 UTF-16 编码（Excel 的「Unicode 文本」），huibao 读 CSV",
                "the file is UTF-16 (Excel's “Unicode Text”); huibao reads CSV",
            ),
        )
        .with_hint(Text::new(
            "在 Excel 或 WPS 里「另存为」「CSV UTF-8（逗号分隔）」",
            "in Excel or WPS, Save As “CSV UTF-8 (Comma delimited)”",
        )));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), None));
    }
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok((
            text.into_owned(),
            Some(Text::new(
                "这个 CSV 不是 UTF-8，按 GBK/GB18030（中文 Windows 上 Excel 的默认编码）读取",
                "this CSV is not UTF-8: read as GBK/GB18030 (Excel's default on Chinese Windows)",
            )),
        )),
        None => Err(Diagnostic::error(
            "import-encoding",
            Some(Location::file(shown)),
            Text::new(
                "这个 CSV 既不是 UTF-8 也不是 GBK/GB18030 编码，无法读取",
                "this CSV is neither UTF-8 nor GBK/GB18030: cannot read it",
            ),
        )
        .with_hint(Text::new(
            "在 Excel 或 WPS 里打开，「另存为」「CSV UTF-8（逗号分隔）」",
            "open it in Excel or WPS and Save As “CSV UTF-8 (Comma delimited)”",
        ))),
    }
}

/// A cell's reference, `C12` (both 1-based).
pub fn cell_ref(row: usize, col: usize) -> String {
    let mut letters = Vec::new();
    let mut n = col;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{row}", String::from_utf8_lossy(&letters))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_double_reads_back_as_the_decimal_the_cell_displays() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(displayed(81.76875), Some(d("81.76875")));
        assert_eq!(displayed(0.1 + 0.2), Some(d("0.3")));
        assert_eq!(displayed(1094.52), Some(d("1094.52")));
        assert_eq!(displayed(0.0342), Some(d("0.0342")));
        assert_eq!(displayed(-2.5e-7), Some(d("-0.00000025")));
        assert_eq!(displayed(123456789012345.0), Some(d("123456789012345")));
        assert_eq!(displayed(f64::NAN), None);
    }

    #[test]
    fn excel_dates_and_cell_references() {
        use calamine::{ExcelDateTime, ExcelDateTimeType::DateTime};
        assert_eq!(
            excel_date(&ExcelDateTime::new(44135.0, DateTime, false)),
            "2020-10-31"
        );
        assert_eq!(
            excel_date(&ExcelDateTime::new(42673.0, DateTime, true)),
            "2020-10-31"
        );
        assert_eq!(
            excel_date(&ExcelDateTime::new(44135.5, DateTime, false)),
            "2020-10-31 12:00:00"
        );
        assert_eq!(cell_ref(12, 3), "C12");
        assert_eq!(cell_ref(1, 27), "AA1");
        assert_eq!(cell_ref(7, 52), "AZ7");
    }

    #[test]
    fn percent_formats_and_decimals() {
        assert_eq!(format_decimals("#,##0.00"), 2);
        assert_eq!(format_decimals("0.0%"), 1);
        assert_eq!(format_decimals("General"), 0);
        assert_eq!(format_decimals("0;[Red]-0.00"), 0);
        assert!(is_percent_format("0.00%"));
        assert!(is_percent_format("0%"));
        assert!(!is_percent_format("0.00\"%\""));
        assert!(!is_percent_format("#,##0.00"));
    }

    #[test]
    fn the_unit_a_number_format_shows_after_the_number() {
        let unit = |code: &str| format_unit(code);
        assert_eq!(unit("0\"元\"").as_deref(), Some("元"));
        assert_eq!(unit("#,##0.00\" 万元\"").as_deref(), Some("万元"));
        assert_eq!(unit("0\\户").as_deref(), Some("户"));
        assert_eq!(unit("\"共\"0\"户\";-0").as_deref(), Some("户"));
        // Text before the number only, none, a currency sign, a number in quotes.
        assert_eq!(unit("\"￥\"#,##0.00"), None);
        assert_eq!(unit("General"), None);
        assert_eq!(unit("[$¥-804]#,##0.00"), None);
        assert_eq!(unit("0.00_ "), None);
        assert_eq!(unit("0\"（2020）\""), None);
    }

    #[test]
    fn csv_in_utf8_with_bom_and_in_gbk() {
        let shown = Path::new("x.csv");
        let text = "村名,户数\r\n横溪村,\"1,234\"\r\n";
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice(text.as_bytes());
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        for (bytes, note) in [
            (text.as_bytes().to_vec(), false),
            (with_bom, false),
            (gbk.into_owned(), true),
        ] {
            let book = csv_grid(&bytes, "x", shown).unwrap();
            assert_eq!(book.encoding_note.is_some(), note);
            assert_eq!(
                book.sheets[0].rows[1],
                [Given::Text("横溪村".into()), Given::Text("1,234".into())]
            );
        }
        let bad = csv_grid(&[0x81, 0x20, 0xFF], "x", shown).unwrap_err();
        assert_eq!(bad.code, "import-encoding");
        let tabs = csv_grid("村名\t户数\n横溪村\t3\n".as_bytes(), "x", shown).unwrap();
        assert_eq!(tabs.sheets[0].rows[1][1], Given::Text("3".into()));
    }

    #[test]
    fn a_character_gbk_lacks_written_as_a_question_mark_is_an_error_at_its_cell() {
        // Excel's 「另存为 CSV」 in GBK writes `?` for a character GBK does not have.
        let shown = Path::new("x.csv");
        let text = "村名,户数,备注\r\n横?村,3,Q?\r\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let lost = csv_grid(&gbk, "x", shown).unwrap_err();
        assert_eq!(lost.code, "import-encoding");
        assert_eq!(
            lost.location.map(|l| l.file),
            Some(std::path::PathBuf::from("x.csv x!A2"))
        );
        // In UTF-8 a `?` is what was typed; in GBK one beside no Chinese character too.
        assert!(csv_grid(text.as_bytes(), "x", shown).is_ok());
        let (gbk, _, _) = encoding_rs::GBK.encode("村名,备注\r\n横溪村,Q?\r\n");
        assert!(csv_grid(&gbk, "x", shown).is_ok());
    }
}

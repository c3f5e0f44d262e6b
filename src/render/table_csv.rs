//! 「下载 CSV」 under every table built from data: each table of a page's content whose
//! cells show figures (`data-src`) becomes a CSV file beside the page (`index.table-1.csv`),
//! linked right after the table. A column whose figures all have the same unit (`1189户`)
//! has the unit in its header (`总户数（户）`) and plain numbers in its cells (`1189`,
//! thousands separators dropped), exact as shown. The file is UTF-8 with a byte-order mark
//! and CRLF (see [`crate::spreadsheet::csv`]). Charts' own data tables are left alone. A
//! Markdown table's cells are read from the events the HTML writer is given
//! ([`TableReader`]); a raw HTML table's, and a Markdown table's the events cannot say as
//! its HTML shows them, from the HTML.

use bytes::Bytes;
use rust_decimal::Decimal;

use crate::spreadsheet::{Cell, Column, Sheet, csv};

/// The label of the link.
pub const LINK_TEXT: &str = "下载 CSV";

/// Adds a link after each data table of a page's content `body`, in place (a 10,000-village
/// overview is tens of megabytes: not copied to add one link), and returns the CSV files
/// (their paths in the site); none when it has no data table. `read` is what the page's
/// Markdown events said of its tables ([`TablesRead`]): a Markdown table read there is not
/// read again from its HTML.
pub fn add_downloads(
    body: &mut String,
    page_output: &str,
    read: TablesRead,
) -> Vec<(String, Bytes)> {
    let mut files = Vec::new();
    // Where each `<table` is, found in one pass (a page's charts make it tens of
    // kilobytes): a Markdown table's start is one of them.
    let table_starts: Vec<usize> = crate::html::finder!(b"<table")
        .find_iter(body.as_bytes())
        .collect();
    if table_starts.is_empty() {
        return files;
    }
    let markdown_table = |start: &usize| body.as_bytes()[*start..].starts_with(MARKDOWN_TABLE);
    // The HTML writer writes a Markdown table's start as `MARKDOWN_TABLE`: each is the next
    // table read, in order — unless raw HTML wrote one so too (then none is used).
    let mut known = read.tables;
    if known.len() != table_starts.iter().filter(|s| markdown_table(s)).count() {
        known.clear();
    }
    let mut known = known.into_iter();
    // The page's folder (with its `/`) and its file name.
    let (dir, stem) = page_output.split_at(page_output.rfind('/').map_or(0, |at| at + 1));
    let stem = stem.strip_suffix(".html").unwrap_or(stem);
    // Each link and where it goes (the end of its table), found first and put in after.
    let mut links: Vec<(usize, String)> = Vec::new();
    let mut at = 0;
    // Whether the scan is inside a chart's data table (`details.chart-data`).
    let mut in_chart = false;
    // (A table inside one read is read with it.)
    let mut starts = table_starts.iter().copied().peekable();
    while let Some(start) = starts.find(|&start| start >= at) {
        let Some(end) = crate::html::finder!(b"</table>")
            .find(&body.as_bytes()[start..])
            .map(|e| start + e + "</table>".len())
        else {
            break;
        };
        let table = &body[start..end];
        // This table's entry when it is a Markdown table's, and those of the Markdown tables
        // inside it (read with it).
        let entry = if table.as_bytes().starts_with(MARKDOWN_TABLE) {
            known.next()
        } else {
            None
        };
        while let Some(inside) = starts.next_if(|&inside| inside < end) {
            if markdown_table(&inside) {
                known.next();
            }
        }
        in_chart = in_chart_data(&body[at..start], in_chart);
        let csv = match entry {
            _ if in_chart => None,
            Some(Known::Read { figures, csv }) => {
                debug_assert_eq!(
                    (figures, figures.then(|| csv.clone()).flatten()),
                    (
                        has_figure(table),
                        has_figure(table).then(|| csv_of(table)).flatten()
                    ),
                    "a table read from the events as from its HTML: {table}"
                );
                csv.filter(|_| figures)
            }
            _ => has_figure(table).then(|| csv_of(table)).flatten(),
        };
        if let Some(csv) = csv {
            // Pushed piece by piece (a table or two a page): no formatting machinery.
            let number = files.len() + 1;
            let name = [stem, ".table-", itoa::Buffer::new().format(number), ".csv"].concat();
            let mut link = String::with_capacity(name.len() + 96);
            link.push_str("\n<p class=\"site-only table-download\"><a href=\"");
            link.extend(percent_encoding::utf8_percent_encode(&name, super::IN_URL));
            link.push_str("\" download>");
            link.push_str(LINK_TEXT);
            link.push_str("</a></p>");
            links.push((end, link));
            files.push(([dir, &name].concat(), Bytes::from(csv)));
        }
        at = end;
    }
    // From the last: each link's place is still where it was found.
    body.reserve(links.iter().map(|(_, link)| link.len()).sum());
    for (end, link) in links.iter().rev() {
        body.insert_str(*end, link);
    }
    files
}

/// How pulldown-cmark's HTML writer starts a Markdown table (`Start(Table)`, then
/// `Start(TableHead)`; huibao's charts write `<table>\n<thead>`).
const MARKDOWN_TABLE: &[u8] = b"<table><thead>";

/// What a page's Markdown events said of its Markdown tables, in order: each one's cells
/// and CSV as the events give them (what the HTML writer is given: the same cells, texts
/// and figures), or nothing for one whose cells hold what the events cannot say as the HTML
/// shows it (raw HTML, an image, a footnote, a figure's bare source). Tables of raw HTML
/// are read from the HTML. Made by [`TableReader`].
#[derive(Debug, Default)]
pub struct TablesRead {
    tables: Vec<Known>,
}

impl TablesRead {
    /// How many Markdown tables were read from their events (the others from their HTML).
    #[cfg(test)]
    pub fn read_from_events(&self) -> usize {
        self.tables
            .iter()
            .filter(|known| matches!(known, Known::Read { .. }))
            .count()
    }
}

/// A Markdown table of a page, as the events read it.
#[derive(Debug)]
enum Known {
    /// Read from the HTML.
    FromHtml,
    /// A Markdown table read from its events: whether a cell shows a figure, and its CSV
    /// (`None`: no row but its header).
    Read { figures: bool, csv: Option<String> },
}

/// Reads a page's tables from the Markdown events as the HTML writer is given them (after
/// the figures are shown): see [`TablesRead`].
#[derive(Debug, Default)]
pub struct TableReader {
    read: TablesRead,
    /// The Markdown table being read: its entry's place, its rows so far.
    table: Option<(usize, TableCells)>,
}

/// A Markdown table's cells as read.
#[derive(Debug, Default)]
struct TableCells {
    rows: CsvRows,
    /// The row being read: each cell's (header, text, figure).
    row: Vec<(bool, String, bool)>,
    /// The cell being read.
    cell: Option<(bool, String, bool)>,
    in_head: bool,
    figures: bool,
    /// The events said something the HTML shows otherwise: read from the HTML.
    unsure: bool,
}

impl TableReader {
    /// A table starts (`Start(Tag::Table)`).
    pub fn table(&mut self) {
        self.read.tables.push(Known::FromHtml);
        self.table = Some((self.read.tables.len() - 1, TableCells::default()));
    }

    /// The table's head starts or ends (`Start(Tag::TableHead)`, `End(TagEnd::TableHead)`).
    pub fn head(&mut self, starts: bool) {
        if let Some((_, cells)) = &mut self.table {
            cells.in_head = starts;
            if !starts {
                cells.end_row();
            }
        }
    }

    /// A body row ends (`End(TagEnd::TableRow)`).
    pub fn row_ends(&mut self) {
        if let Some((_, cells)) = &mut self.table {
            cells.end_row();
        }
    }

    /// A cell starts (`Start(Tag::TableCell)`).
    pub fn cell(&mut self) {
        if let Some((_, cells)) = &mut self.table {
            cells.cell = Some((cells.in_head, String::new(), false));
        }
    }

    /// The cell ends (`End(TagEnd::TableCell)`).
    pub fn cell_ends(&mut self) {
        if let Some((_, cells)) = &mut self.table
            && let Some((header, text, figure)) = cells.cell.take()
        {
            cells.row.push((header, text.trim().to_string(), figure));
        }
    }

    /// Text the cell shows (`text`, as the events have it: not escaped). Text that reads
    /// as a figure's mark in the HTML (`data-src=`) leaves the table to its HTML.
    pub fn text(&mut self, text: &str) {
        if let Some((_, cells)) = &mut self.table
            && let Some((_, cell, _)) = &mut cells.cell
        {
            cell.push_str(text);
            if has_figure(text) {
                cells.unsure = true;
            }
        }
    }

    /// A figure the cell shows: its `text`, and its `html` as shown (with its source when
    /// it has a `data-src`, as the HTML's reading says).
    pub fn figure(&mut self, text: &str, html: &str) {
        if let Some((_, cells)) = &mut self.table
            && let Some((_, cell, figure)) = &mut cells.cell
        {
            cell.push_str(text);
            let sourced = has_figure(html);
            *figure |= sourced;
            cells.figures |= sourced;
        }
    }

    /// Something in a cell the events cannot say as the HTML shows it (raw HTML, an image, a
    /// footnote's number, a figure's bare source): the table is read from its HTML.
    pub fn not_sure(&mut self) {
        if let Some((_, cells)) = &mut self.table
            && cells.cell.is_some()
        {
            cells.unsure = true;
        }
    }

    /// The table ends (`End(TagEnd::Table)`).
    pub fn table_ends(&mut self) {
        let Some((place, cells)) = self.table.take() else {
            return;
        };
        if cells.unsure {
            return;
        }
        let csv = match cells.rows.finish() {
            Read::Written(csv) => Some(csv),
            Read::NoRows => None,
            Read::NeedsTheSheet => return,
        };
        if let Some(entry) = self.read.tables.get_mut(place) {
            *entry = Known::Read {
                figures: cells.figures,
                csv,
            };
        }
    }

    /// What was read.
    pub fn finish(self) -> TablesRead {
        self.read
    }
}

impl TableCells {
    fn end_row(&mut self) {
        if self.unsure {
            return;
        }
        let row = std::mem::take(&mut self.row);
        if !self.rows.row(row) {
            self.unsure = true;
        }
    }
}

/// Whether the end of `html` is inside a chart's data table (`details.chart-data`), its
/// start being inside one when `inside`.
fn in_chart_data(html: &str, inside: bool) -> bool {
    static OPEN: std::sync::LazyLock<memchr::memmem::FinderRev<'static>> =
        std::sync::LazyLock::new(|| {
            memchr::memmem::FinderRev::new(b"<details class=\"chart-data\"")
        });
    static CLOSE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"</details>"));
    // The last chart-data opened is still open when no end tag follows it — looked for in
    // the few bytes after it, not back through the chart before it.
    match OPEN.rfind(html.as_bytes()) {
        Some(open) => CLOSE.find(&html.as_bytes()[open..]).is_none(),
        None => inside && CLOSE.find(html.as_bytes()).is_none(),
    }
}

/// The CSV of `table` (`None` when it has no row but its header): written row by row as
/// read when every column's figures have one unit and no row is wider than the first
/// (nearly always: the overview of 100,000 villages held its rows' cells, ~45 MB, and a
/// sheet of them to write its CSV), else from the table's whole sheet ([`sheet_of`]).
fn csv_of(table: &str) -> Option<String> {
    match csv_as_read(table) {
        Read::Written(csv) => Some(csv),
        Read::NoRows => None,
        Read::NeedsTheSheet => {
            let sheet = sheet_of(table);
            (!sheet.rows.is_empty()).then(|| csv::csv(&sheet))
        }
    }
}

/// What [`csv_as_read`] made of a table.
#[derive(Debug)]
enum Read {
    Written(String),
    NoRows,
    /// A column's figures have more than one unit, or a row is wider than the first: the
    /// rows read before it may be written otherwise.
    NeedsTheSheet,
}

/// The CSV of `table` as [`sheet_of`] and [`csv::csv`] make it, written as its rows are
/// read, each figure as a number when its unit is its column's first figure's.
fn csv_as_read(table: &str) -> Read {
    let mut rows = CsvRows::default();
    for row in elements(table, "tr") {
        let cells = elements_of_any(row, &["th", "td"])
            .iter()
            .map(|(name, cell)| (*name == "th", cell_text(cell), has_figure(cell)))
            .collect();
        if !rows.row(cells) {
            return Read::NeedsTheSheet;
        }
    }
    rows.finish()
}

/// A table's CSV written as its rows are read (see [`csv_as_read`]): from its HTML, or from
/// a page's Markdown events ([`TableReader`]).
#[derive(Debug, Default)]
struct CsvRows {
    /// How many rows were read.
    read: usize,
    headers: Vec<String>,
    /// Each column's unit: that of its first figure (`None` until one is read).
    units: Vec<Option<String>>,
    width: Option<usize>,
    rows: String,
    any_row: bool,
}

impl CsvRows {
    /// Reads a row's cells, each (whether it is a header cell, its text as [`cell_text`]
    /// makes it, whether it shows a figure); `false` when the table needs its whole sheet
    /// ([`Read::NeedsTheSheet`]).
    fn row(&mut self, cells: Vec<(bool, String, bool)>) -> bool {
        let first = self.read == 0;
        self.read += 1;
        // The first row is the header when all its cells are `th`.
        if first && cells.iter().all(|(header, _, _)| *header) {
            self.headers = cells.into_iter().map(|(_, text, _)| text).collect();
            return true;
        }
        // Every row as wide as the first (and the header): shorter ones filled with empty
        // cells; a wider one would widen those written before it.
        let width = *self
            .width
            .get_or_insert(cells.len().max(self.headers.len()));
        if cells.len() > width {
            return false;
        }
        self.units.resize(width, None);
        self.any_row = true;
        let rows = &mut self.rows;
        for (col, (_, text, figure)) in cells.iter().enumerate() {
            if col > 0 {
                rows.push(',');
            }
            if *figure {
                // A figure that does not read as a number leaves its column without a unit.
                let Some((number, at)) = split_figure(text) else {
                    return false;
                };
                let unit = unit_of(text, at);
                match &self.units[col] {
                    None => self.units[col] = Some(unit.to_string()),
                    Some(first) if first == unit => {}
                    Some(_) => return false,
                }
                rows.push_str(&crate::figure::decimal_text(&number, &mut [0; 64]));
            } else if !text.is_empty() {
                csv::push_field(rows, text);
            }
        }
        for col in cells.len()..width {
            if col > 0 {
                rows.push(',');
            }
        }
        rows.push_str("\r\n");
        true
    }

    /// The CSV of the rows read.
    fn finish(self) -> Read {
        if !self.any_row {
            return Read::NoRows;
        }
        let width = self.width.unwrap_or(self.headers.len());
        let mut out = String::with_capacity(csv::BOM.len() + 64 * width + self.rows.len());
        out.push_str(csv::BOM);
        for col in 0..width {
            if col > 0 {
                out.push(',');
            }
            let header = self.headers.get(col).map_or("", String::as_str);
            let unit = self.units.get(col).and_then(Option::as_deref);
            csv::push_field(&mut out, &with_unit(header, unit.filter(|u| !u.is_empty())));
        }
        out.push_str("\r\n");
        out.push_str(&self.rows);
        Read::Written(out)
    }
}

/// The rows of a table's HTML as a sheet: the header row (`th` cells of the first row) as
/// the columns, the other rows as text or figures.
fn sheet_of(table: &str) -> Sheet {
    // The first row is the header when all its cells are `th`.
    let mut headers: Vec<String> = Vec::new();
    // Each cell's text and, when it shows a figure, the figure read once: its number and
    // where its unit starts in the text (`None` when it does not read as a number).
    type FigureCell = Option<Option<(Decimal, usize)>>;
    let mut body: Vec<Vec<(String, FigureCell)>> = Vec::new();
    for (n, row) in elements(table, "tr").into_iter().enumerate() {
        let cells = elements_of_any(row, &["th", "td"]);
        if n == 0 && cells.iter().all(|(name, _)| *name == "th") {
            headers = cells.iter().map(|(_, cell)| cell_text(cell)).collect();
            continue;
        }
        let figures = cells.iter().map(|(_, cell)| {
            let text = cell_text(cell);
            let figure = has_figure(cell).then(|| split_figure(&text));
            (text, figure)
        });
        body.push(figures.collect());
    }
    let width = body
        .iter()
        .map(Vec::len)
        .chain([headers.len()])
        .max()
        .unwrap_or(0);
    // Each column's unit: the one every figure in it has.
    let units: Vec<Option<String>> = (0..width)
        .map(|col| {
            let mut unit: Option<&str> = None;
            for row in &body {
                let Some((text, Some(figure))) = row.get(col) else {
                    continue;
                };
                let (_, at) = (*figure)?;
                let this = unit_of(text, at);
                match unit {
                    None => unit = Some(this),
                    Some(u) if u == this => {}
                    Some(_) => return None,
                }
            }
            unit.filter(|u| !u.is_empty()).map(str::to_string)
        })
        .collect();
    let columns = (0..width)
        .map(|col| {
            let header = headers.get(col).map_or("", String::as_str);
            Column {
                path: String::new(),
                header: with_unit(header, units[col].as_deref()).into_owned(),
                decimals: 0,
            }
        })
        .collect();
    let rows = body
        .into_iter()
        .map(|row| {
            let mut cells: Vec<Cell> = row
                .into_iter()
                .enumerate()
                .map(|(col, (text, figure))| {
                    if let Some(Some((number, at))) = figure
                        && units[col].as_deref().unwrap_or("") == unit_of(&text, at)
                    {
                        return Cell::Number(number);
                    }
                    if text.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(text)
                    }
                })
                .collect();
            cells.resize(width, Cell::Empty);
            cells
        })
        .collect();
    Sheet {
        name: String::new(),
        source: String::new(),
        columns,
        rows,
    }
}

/// A column's `header` with its `unit` (`总户数（户）`), unless it already ends with it.
fn with_unit<'h>(header: &'h str, unit: Option<&str>) -> std::borrow::Cow<'h, str> {
    match unit {
        Some(unit)
            if !header.ends_with(&format!("（{unit}）"))
                && !header.ends_with(&format!("({unit})")) =>
        {
            format!("{header}（{unit}）").into()
        }
        _ => header.into(),
    }
}

/// Whether `html` shows a figure (has a `data-src` attribute).
fn has_figure(html: &str) -> bool {
    crate::html::finder!(b"data-src=")
        .find(html.as_bytes())
        .is_some()
}

/// The unit of a figure's `text` whose unit starts at `at` ([`split_figure`]), trimmed.
fn unit_of(text: &str, at: usize) -> &str {
    text.get(at..).unwrap_or_default().trim()
}

/// A figure's text as its number and where its unit starts (`1,189户` → 1189 and 5: the
/// unit `户` once trimmed).
fn split_figure(text: &str) -> Option<(Decimal, usize)> {
    let end = text
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == ',' || c == '.' || (i == 0 && c == '-')))
        .map_or(text.len(), |(i, _)| i);
    let digits = &text[..end];
    let number: Decimal = if digits.contains(',') {
        digits.replace(',', "").parse().ok()?
    } else {
        digits.parse().ok()?
    };
    Some((number, end))
}

/// The inner HTML of each `name` element of `html` (not nested in one another).
fn elements<'h>(html: &'h str, name: &'static str) -> Vec<&'h str> {
    elements_of_any(html, &[name])
        .into_iter()
        .map(|(_, inner)| inner)
        .collect()
}

/// The inner HTML of each element named one of `names`, with its name, in order. Tags are
/// found by their `<` and `>` (SIMD search) and their names read byte by byte: a table's
/// rows and cells are short, a searcher set up for each would cost more than the search.
fn elements_of_any<'h>(html: &'h str, names: &[&'static str]) -> Vec<(&'static str, &'h str)> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(open) = memchr::memchr(b'<', &bytes[at..]) {
        let start = at + open;
        let tag_end = match memchr::memchr(b'>', &bytes[start..]) {
            Some(e) => start + e + 1,
            None => break,
        };
        // The name: up to a space or a `/` (HTML's tag names are ASCII).
        let tag = &bytes[start + 1..tag_end - 1];
        let name_len = tag
            .iter()
            .position(|&b| b.is_ascii_whitespace() || b == b'/')
            .unwrap_or(tag.len());
        at = tag_end;
        let Some(&name) = names
            .iter()
            .find(|n| n.as_bytes().eq_ignore_ascii_case(&tag[..name_len]))
        else {
            continue;
        };
        // `</name>` (in any case).
        let mut end = None;
        let mut from = tag_end;
        while let Some(e) = memchr::memchr(b'<', &bytes[from..]) {
            let start = from + e;
            let after = &bytes[start + 1..];
            if after.len() > name.len() + 1
                && after[0] == b'/'
                && after[name.len() + 1] == b'>'
                && after[1..=name.len()].eq_ignore_ascii_case(name.as_bytes())
            {
                end = Some(start);
                break;
            }
            from = start + 1;
        }
        let Some(end) = end else {
            break;
        };
        found.push((name, &html[tag_end..end]));
        at = end + name.len() + 3;
    }
    found
}

/// The text a cell shows: its tags left out, entities read, spaces trimmed — and a corrected
/// figure's link to its correction (`<a class="fig-note" …>更正</a>`, see
/// `ShownFigures::span`): the site's note, not the cell's value (`6336人`, not `6336人更正`).
fn cell_text(cell: &str) -> String {
    const NOTE: &[u8] = b"<a class=\"fig-note\"";
    // The text between the tags, the bytes looked at one by one (a cell is a few dozen
    // bytes: a searcher's setup for each `<` and `>` cost more than the search).
    let mut text = String::with_capacity(cell.len());
    let bytes = cell.as_bytes();
    let mut start = 0;
    while let Some(open) = bytes[start..].iter().position(|&b| b == b'<') {
        text.push_str(&cell[start..start + open]);
        if bytes[start + open..].starts_with(NOTE)
            && let Some(end) = crate::html::find(&cell[start + open..], "</a>")
        {
            start += open + end + "</a>".len();
            continue;
        }
        match bytes[start + open..].iter().position(|&b| b == b'>') {
            Some(close) => start += open + close + 1,
            None => {
                start = cell.len();
                break;
            }
        }
    }
    text.push_str(&cell[start..]);
    let trimmed = text.trim();
    if trimmed.contains('&') {
        crate::html::unescape(trimmed).into_owned()
    } else if trimmed.len() == text.len() {
        text
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `body` with its links and its files, `None` when it has no data table.
    fn with_downloads(body: &str, page_output: &str) -> Option<(String, Vec<(String, Bytes)>)> {
        let mut html = body.to_string();
        let files = add_downloads(&mut html, page_output, TablesRead::default());
        (!files.is_empty()).then_some((html, files))
    }

    #[test]
    fn a_corrected_figure_is_its_value_without_the_note() {
        let body = "<table><thead><tr><th>项目</th><th>数值</th></tr></thead><tbody>\n<tr><td>履约服务人数</td><td><span class=\"fig-corrected\" data-src=\"x:1\">6336人<a class=\"fig-note\" href=\"../corrections.html#c1\" title=\"更正：原为67人\">更正</a></span></td></tr>\n<tr><td>其中慢病人群</td><td><span data-src=\"x:2\">1741人</span></td></tr>\n</tbody></table>";
        let (_, files) = with_downloads(body, "policies/health.html").unwrap();
        let csv = String::from_utf8(files[0].1.to_vec()).unwrap();
        assert_eq!(
            csv,
            "\u{feff}项目,数值（人）\r\n履约服务人数,6336\r\n其中慢病人群,1741\r\n"
        );
    }

    #[test]
    fn a_data_table_gets_a_csv_with_units_in_its_header_and_a_link_after_it() {
        let body = "<p>前</p><table><thead><tr><th>村</th><th>总户数</th><th>资金</th></tr></thead><tbody>\n<tr><td><a href=\"a.html\">横溪村</a></td><td><span data-src=\"x:1\">1,189户</span></td><td><span data-src=\"x:2\">23.71万元</span></td></tr>\n<tr><td>云湾村</td><td><span data-src=\"x:3\">96户</span></td><td><span data-src=\"x:4\">342元</span></td></tr>\n</tbody></table><p>后</p>";
        let (html, files) = with_downloads(body, "villages/index.html").unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "villages/index.table-1.csv");
        assert!(html.contains("</table>\n<p class=\"site-only table-download\"><a href=\"index.table-1.csv\" download>下载 CSV</a></p><p>后</p>"), "{html}");
        let csv = String::from_utf8(files[0].1.to_vec()).unwrap();
        assert_eq!(
            csv,
            "\u{feff}村,总户数（户）,资金\r\n横溪村,1189,23.71万元\r\n云湾村,96,342元\r\n"
        );
    }

    #[test]
    fn a_column_of_two_units_keeps_its_figures_as_text_and_short_rows_are_filled() {
        // No header row; column 1 has 户 then 人 (no unit), column 2 one unit but a figure
        // not read as a number in the last row, column 3 only in the second row.
        let fig = |text: &str| format!("<span data-src=\"x\">{text}</span>");
        let body = format!(
            "<table><tr><td>甲</td><td>{}</td><td>{}</td></tr>\
             <tr><td>乙</td><td>{}</td><td>{}</td><td>{}</td></tr>\
             <tr><td>丙</td><td>{}</td><td>{}</td></tr></table>",
            fig("3户"),
            fig("1.5亩"),
            fig("4人"),
            fig("2亩"),
            fig("7元"),
            fig("5户"),
            fig("约亩"),
        );
        let (_, files) = with_downloads(&body, "a.html").unwrap();
        let csv = String::from_utf8(files[0].1.to_vec()).unwrap();
        assert_eq!(
            csv,
            "\u{feff},,,（元）\r\n甲,3户,1.5亩,\r\n乙,4人,2亩,7\r\n丙,5户,约亩,\r\n"
        );
    }

    #[test]
    fn text_after_an_end_tag_mark_is_read_as_text() {
        // `</` followed by Chinese (a reader's own text) is no end tag, and no panic.
        let body = "<table><tr><th>项</th></tr><tr><td>a</中文 <span data-src=\"x\">5户</span></td></tr></table>";
        let (_, files) = with_downloads(body, "a.html").unwrap();
        let csv = String::from_utf8(files[0].1.to_vec()).unwrap();
        assert!(csv.starts_with("\u{feff}项"), "{csv}");
    }

    proptest::proptest! {
        /// Any mix of table tags, figures, Chinese and stray marks: no panic, and every
        /// link made has its file.
        #[test]
        fn any_html_is_read_without_panic(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "<table>", "</table>", "<tr>", "</tr>", "<th>", "</th>", "<td>", "</td>",
                "</", "<", ">", "中", "户", "1,2", "3.5", "-", "<span data-src=\"x\">",
                "</span>", "&amp;", "<details class=\"chart-data\">", "</details>", " ",
            ]),
            0..60,
        )) {
            let body: String = parts.concat();
            if let Some((html, files)) = with_downloads(&body, "p/页.html") {
                proptest::prop_assert_eq!(html.matches("下载 CSV").count(), files.len());
            }
        }

        /// A table written as its rows are read is the table's sheet written: any rows of
        /// figures (of one unit or several, unitless, not numbers), texts and empty cells,
        /// of any widths, with a header row or without.
        #[test]
        fn a_csv_written_as_read_is_the_sheets(
            header in proptest::collection::vec(proptest::sample::select(vec!["村", "户数（户）", "人口", "a,b"]), 0..4),
            rows in proptest::collection::vec(proptest::collection::vec(proptest::sample::select(vec![
                "<span data-src=\"x\">1,189户</span>", "<span data-src=\"x\">96户</span>",
                "<span data-src=\"x\">4人</span>", "<span data-src=\"x\">-3.50</span>",
                "<span data-src=\"x\">约亩</span>", "横溪村", "", "\"引\" 号", "<a href=\"a.html\">云湾</a>",
            ]), 0..5), 0..6),
        ) {
            let mut table = String::from("<table>");
            if !header.is_empty() {
                table.push_str("<tr>");
                for h in &header {
                    table.push_str(&format!("<th>{h}</th>"));
                }
                table.push_str("</tr>");
            }
            for row in &rows {
                table.push_str("<tr>");
                for cell in row {
                    table.push_str(&format!("<td>{cell}</td>"));
                }
                table.push_str("</tr>");
            }
            table.push_str("</table>");
            let sheet = sheet_of(&table);
            let from_sheet = (!sheet.rows.is_empty()).then(|| csv::csv(&sheet));
            proptest::prop_assert_eq!(csv_of(&table), from_sheet);
        }
    }

    #[test]
    fn tables_without_figures_and_charts_data_tables_get_none() {
        assert!(with_downloads("<table><tr><td>甲</td></tr></table>", "a.html").is_none());
        let chart = "<figure><details class=\"chart-data\"><table><tr><td><span data-src=\"x\">1户</span></td></tr></table></details></figure>";
        assert!(with_downloads(chart, "a.html").is_none());
    }

    #[test]
    fn each_data_table_gets_its_own_link_in_place_and_the_rest_stays_as_it_was() {
        let table = |n: u32| {
            format!(
                "<table><tr><th>项</th></tr><tr><td><span data-src=\"x\">{n}户</span></td></tr></table>"
            )
        };
        let chart = "<details class=\"chart-data\"><table><tr><td><span data-src=\"x\">9户</span></td></tr></table></details>";
        let body = format!("<p>甲</p>{}{chart}<p>乙</p>{}<p>丙</p>", table(1), table(2));
        let (html, files) = with_downloads(&body, "v/页.html").unwrap();
        let link = |n: u32| {
            format!(
                "\n<p class=\"site-only table-download\"><a href=\"%E9%A1%B5.table-{n}.csv\" download>下载 CSV</a></p>"
            )
        };
        assert_eq!(
            html,
            format!(
                "<p>甲</p>{}{}{chart}<p>乙</p>{}{}<p>丙</p>",
                table(1),
                link(1),
                table(2),
                link(2)
            )
        );
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["v/页.table-1.csv", "v/页.table-2.csv"]);
        assert!(String::from_utf8_lossy(&files[1].1).ends_with("项（户）\r\n2\r\n"));
    }
}

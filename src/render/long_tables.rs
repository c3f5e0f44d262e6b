//! A long page's Markdown parsed a piece at a time. pulldown-cmark reads a whole document's
//! blocks into a tree before its first event — about four times the Markdown's size: 120 MB
//! for the 27 MB table of 100,000 villages' overview page. A long table at the top level of
//! the page is cut between its rows into pieces, each parsed when the one before is done;
//! each piece that goes on with a table repeats the table's head (its header and delimiter
//! rows), and the events of that head, and of the table's end before it, are left out: the
//! events are the whole page's, one piece's tree in memory at a time.
//!
//! A page is cut only where that is sure to read as the whole would: not at all when it has
//! a line that may be a link reference or footnote definition (they apply to the whole
//! page), or a raw HTML block that may go on past a blank line (`<pre>`, `<!--` …); only in
//! a table that starts after a blank line at the left margin (so inside no list or quote),
//! outside fenced code, whose rows all begin with `|`, whose head parses alone as a table.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Markdown at least this long (in bytes) is read in pieces where it can be.
pub const LONG: usize = 1 << 20;

/// How long a piece is at least before a table is cut (bytes).
const PIECE: usize = 1 << 18;

/// A page's Markdown in the pieces it is read in.
pub struct Pieces<'m> {
    /// Each piece's text: the first borrowed from the page, each other one a table's head
    /// and the rows that follow it.
    texts: Vec<std::borrow::Cow<'m, str>>,
}

impl<'m> Pieces<'m> {
    /// `markdown` cut where it can be (see the module's documentation); one piece when it
    /// is shorter than `long` bytes or cannot be cut.
    pub fn cut(markdown: &'m str, long: usize) -> Pieces<'m> {
        let whole = || Pieces {
            texts: vec![markdown.into()],
        };
        if markdown.len() < long || !cuttable(markdown) {
            return whole();
        }
        let mut texts: Vec<std::borrow::Cow<'m, str>> = Vec::new();
        // Where the piece being made starts, and the head it repeats (none for the first).
        let mut piece_start = 0;
        let mut piece_head: Option<&str> = None;
        let mut fence: Option<&str> = None;
        let mut blank_before = true;
        // The head of the table the lines are rows of, if any.
        let mut table: Option<&str> = None;
        let mut lines = line_starts(markdown).peekable();
        while let Some((start, line)) = lines.next() {
            if let Some(marker) = fence {
                if line.trim_start().starts_with(marker) && is_fence(line).is_some() {
                    fence = None;
                }
                blank_before = false;
                continue;
            }
            if let Some(marker) = is_fence(line) {
                fence = Some(marker);
                table = None;
                blank_before = false;
                continue;
            }
            match table {
                Some(head) if line.starts_with('|') => {
                    if start - piece_start >= PIECE {
                        texts.push(piece(markdown, piece_start, start, piece_head));
                        piece_start = start;
                        piece_head = Some(head);
                    }
                }
                _ => {
                    table = None;
                    if blank_before
                        && line.starts_with('|')
                        && let Some(&(_, delimiter)) = lines.peek()
                    {
                        let head_end = start + line.len() + delimiter.len();
                        let head = &markdown[start..head_end];
                        if is_table_head(line, delimiter) && parses_as_table_head(head) {
                            table = Some(head);
                            lines.next();
                        }
                    }
                }
            }
            blank_before = line.trim().is_empty();
        }
        if texts.is_empty() {
            return whole();
        }
        texts.push(piece(markdown, piece_start, markdown.len(), piece_head));
        Pieces { texts }
    }

    /// How many pieces.
    #[cfg(test)]
    fn count(&self) -> usize {
        self.texts.len()
    }

    /// The page's text when it is read whole (one piece).
    pub fn whole(&self) -> Option<&str> {
        match &self.texts[..] {
            [whole] => Some(whole),
            _ => None,
        }
    }

    /// The page's events, parsed a piece at a time: as the whole page's would be.
    pub fn events(&self, options: Options) -> impl Iterator<Item = Event<'_>> {
        let count = self.texts.len();
        self.texts.iter().enumerate().flat_map(move |(i, text)| {
            let mut events = Parser::new_ext(text, options).peekable();
            // A piece that goes on with a table: its head is the table's already.
            if i > 0 {
                for event in events.by_ref() {
                    if matches!(event, Event::End(TagEnd::TableHead)) {
                        break;
                    }
                }
            }
            let goes_on = i + 1 < count;
            std::iter::from_fn(move || {
                let event = events.next()?;
                // The table's end where the next piece goes on with it.
                if goes_on && matches!(event, Event::End(TagEnd::Table)) && events.peek().is_none()
                {
                    return None;
                }
                Some(event)
            })
        })
    }
}

/// The piece of `markdown` from `start` to `end`, after `head` when it repeats one.
fn piece<'m>(
    markdown: &'m str,
    start: usize,
    end: usize,
    head: Option<&str>,
) -> std::borrow::Cow<'m, str> {
    match head {
        None => markdown[start..end].into(),
        Some(head) => [head, &markdown[start..end]].concat().into(),
    }
}

/// Each line of `text` (with its line break) and where it starts.
fn line_starts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |at, line| {
        let start = *at;
        *at += line.len();
        Some((start, line))
    })
}

/// Whether nothing in `markdown` applies to the whole page or runs on past blank lines in a
/// way the cutting does not follow: a line that may define a link reference or a footnote,
/// or a raw HTML block of the kinds that end only at their closing text.
fn cuttable(markdown: &str) -> bool {
    markdown.lines().all(|line| {
        let line = line.trim_start();
        let html_block = line.starts_with("<!")
            || line.starts_with("<?")
            || ["<pre", "<script", "<style", "<textarea"]
                .iter()
                .any(|tag| {
                    line.get(..tag.len())
                        .is_some_and(|start| start.eq_ignore_ascii_case(tag))
                });
        let definition = line.starts_with('[') && line.contains("]:");
        !(definition || html_block)
    })
}

/// The marker of the code fence `line` opens or closes (three or more backticks or tildes
/// after at most three spaces), if it is one.
fn is_fence(line: &str) -> Option<&'static str> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    ["```", "~~~"]
        .into_iter()
        .find(|marker| trimmed.starts_with(marker))
}

/// Whether `header` and `delimiter` look like a table's head with as many cells each (a
/// header with a code span, which may hold a `|`, is not taken).
fn is_table_head(header: &str, delimiter: &str) -> bool {
    fn cells(row: &str) -> Vec<&str> {
        let row = row.trim();
        let row = row.strip_prefix('|').unwrap_or(row);
        let row = row.strip_suffix('|').unwrap_or(row);
        row.split('|').map(str::trim).collect()
    }
    let dashes = |cell: &&str| {
        let inner = cell.strip_prefix(':').unwrap_or(cell);
        let inner = inner.strip_suffix(':').unwrap_or(inner);
        !inner.is_empty() && inner.bytes().all(|b| b == b'-')
    };
    let (header_cells, delimiter_cells) = (cells(header), cells(delimiter));
    !header.contains('`')
        && !header.contains('\\')
        && delimiter.starts_with('|')
        && header_cells.len() == delimiter_cells.len()
        && delimiter_cells.iter().all(dashes)
}

/// Whether `head` alone is read as a table's head and nothing else.
fn parses_as_table_head(head: &str) -> bool {
    let events: Vec<Event<'_>> = Parser::new_ext(head, Options::ENABLE_TABLES).collect();
    matches!(events.first(), Some(Event::Start(Tag::Table(_))))
        && matches!(events.last(), Some(Event::End(TagEnd::Table)))
        && events
            .iter()
            .filter(|e| matches!(e, Event::End(TagEnd::TableHead)))
            .count()
            == 1
        && matches!(
            events.get(events.len().saturating_sub(2)),
            Some(Event::End(TagEnd::TableHead))
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: Options = Options::ENABLE_TABLES
        .union(Options::ENABLE_FOOTNOTES)
        .union(Options::ENABLE_STRIKETHROUGH)
        .union(Options::ENABLE_HEADING_ATTRIBUTES);

    /// The HTML of `markdown` read whole and read in pieces (cut from `long` bytes on, with
    /// pieces as short as the rows allow), and how many pieces.
    fn both(markdown: &str) -> (String, String, usize) {
        let mut whole = String::new();
        pulldown_cmark::html::push_html(&mut whole, Parser::new_ext(markdown, OPTIONS));
        let pieces = Pieces::cut(markdown, 1);
        let mut cut = String::new();
        pulldown_cmark::html::push_html(&mut cut, pieces.events(OPTIONS));
        (whole, cut, pieces.count())
    }

    fn rows(n: usize) -> String {
        (0..n)
            .map(|i| format!("| [第{i}村](v{i}.md) | {i}户 | *{i}* |\n"))
            .collect()
    }

    #[test]
    fn a_long_table_reads_in_pieces_as_whole() {
        let head = "| 村 | 户数 | 人 |\n|---|---:|:---:|\n";
        let markdown = format!(
            "# 概况\n\n段落一。\n\n{head}{}\n后记 **粗体**。\n\n{head}{}",
            rows(30_000),
            rows(20_000)
        );
        let (whole, cut, pieces) = both(&markdown);
        assert!(pieces > 4, "{pieces} pieces");
        assert_eq!(cut, whole);
        // The table is one table: its head once, its rows all there.
        assert_eq!(cut.matches("<table>").count(), 2);
        assert_eq!(cut.matches("<thead>").count(), 2);
        assert_eq!(cut.matches("<tr>").count(), 50_002);
    }

    #[test]
    fn a_page_is_read_whole_where_a_cut_could_change_it() {
        let head = "| 村 | 户数 |\n|---|---:|\n";
        let long = rows(30_000).replace(" *", " ").replace("* |", " |");
        for markdown in [
            // Short.
            format!("{head}{}", rows(3)),
            // A link reference definition, a footnote's: they apply to the whole page.
            format!("{head}{long}\n[ref]: https://x.cn\n"),
            format!("{head}{long}\n[^注]: 注释\n"),
            // Raw HTML that runs past blank lines.
            format!("<!--\n\n{head}{long}\n-->\n"),
            format!("<pre>\n\n{head}{long}</pre>\n"),
            // In fenced code, in a list, after a paragraph's line: no table to cut.
            format!("```\n{head}{long}```\n"),
            format!("- 项目\n  {head}{long}"),
            format!("段落\n{head}{long}"),
            // A head whose cells do not match its delimiter's: a paragraph.
            format!("| a | b |\n|---|\n{long}"),
        ] {
            let (whole, cut, pieces) = both(&markdown);
            assert_eq!(cut, whole);
            assert_eq!(pieces, 1, "{}", &markdown[..40.min(markdown.len())]);
        }
    }

    #[test]
    fn rows_after_fenced_code_and_crlf_lines_read_as_whole() {
        let head = "| 村 | 户数 |\r\n|---|---:|\r\n";
        let long: String = (0..30_000).map(|i| format!("| v{i} | {i} |\r\n")).collect();
        let markdown = format!("```\n| not | a table |\n```\n\n{head}{long}\r\n尾。\r\n");
        let (whole, cut, pieces) = both(&markdown);
        assert!(pieces > 1);
        assert_eq!(cut, whole);
    }
}

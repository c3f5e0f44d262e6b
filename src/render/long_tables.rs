//! A long page's Markdown parsed a piece at a time. pulldown-cmark reads a whole document's
//! blocks into a tree before its first event — about four times the Markdown's size: 120 MB
//! for the 27 MB table of 100,000 villages' overview page. A long table at the top level of
//! the page is cut between its rows into pieces, each parsed when the one before is done;
//! each piece that goes on with a table repeats the table's head (its header and delimiter
//! rows), and the events of that head, and of the table's end before it, are left out: the
//! events are the whole page's, one piece's tree in memory at a time.
//!
//! A page is cut only where that is sure to read as the whole would: not at all when it has
//! a `]:` anywhere (a link reference or footnote definition applies to the whole page), a
//! raw HTML block that may go on past a blank line (`<pre>`, `<!--` …) or an indented code
//! fence (a list item's ends with the item, one at the top level does not); only in a table
//! that starts after a blank line at the left margin (so inside no list or quote), outside
//! fenced code, whose rows all begin with `|`, whose head parses alone as a table. A
//! property test builds pages of tables, fences, lists, quotes and definitions and reads
//! each both ways.

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
        Pieces::cut_in(markdown, long, PIECE)
    }

    /// [`Pieces::cut`] into pieces of at least `piece` bytes.
    fn cut_in(markdown: &'m str, long: usize, piece_len: usize) -> Pieces<'m> {
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
        let mut fence: Option<Fence> = None;
        let mut blank_before = true;
        // The head of the table the lines are rows of, if any.
        let mut table: Option<&str> = None;
        let mut lines = line_starts(markdown).peekable();
        while let Some((start, line)) = lines.next() {
            if let Some(open) = fence {
                if open.closed_by(line) {
                    fence = None;
                }
                blank_before = false;
                continue;
            }
            if let Some(opened) = Fence::opened_by(line) {
                fence = Some(opened);
                table = None;
                blank_before = false;
                continue;
            }
            match table {
                Some(head) if line.starts_with('|') => {
                    if start - piece_start >= piece_len {
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
/// a raw HTML block of the kinds that end only at their closing text, or an indented code
/// fence (a list item's ends with the item, a fence at the top level does not).
fn cuttable(markdown: &str) -> bool {
    // Anything that may be a definition (in a quote or a list item too).
    !markdown.contains("]:")
        && markdown.lines().all(|line| {
            let trimmed = line.trim_start();
            let html_block = trimmed.starts_with("<!")
                || trimmed.starts_with("<?")
                || ["<pre", "<script", "<style", "<textarea"]
                    .iter()
                    .any(|tag| {
                        trimmed
                            .get(..tag.len())
                            .is_some_and(|start| start.eq_ignore_ascii_case(tag))
                    });
            !html_block && !is_indented_fence(line)
        })
}

/// A code fence at the left margin: its character and how many of it.
#[derive(Clone, Copy)]
struct Fence {
    mark: u8,
    count: usize,
}

impl Fence {
    /// The fence `line` opens: three or more backticks or tildes at the left margin (a
    /// backtick fence's info string has no backtick). An indented fence line makes the page
    /// uncut ([`cuttable`]): it may be a list item's, which ends with the item.
    fn opened_by(line: &str) -> Option<Fence> {
        let mark = *line.as_bytes().first()?;
        if mark != b'`' && mark != b'~' {
            return None;
        }
        let count = line.bytes().take_while(|&b| b == mark).count();
        let info = &line[count..];
        (count >= 3 && !(mark == b'`' && info.contains('`'))).then_some(Fence { mark, count })
    }

    /// Whether `line` closes this fence: as many of its character or more, then spaces.
    fn closed_by(self, line: &str) -> bool {
        let count = line.bytes().take_while(|&b| b == self.mark).count();
        count >= self.count && line[count..].trim().is_empty()
    }
}

/// Whether `line` is a fence line indented by one to three spaces.
fn is_indented_fence(line: &str) -> bool {
    let trimmed = line.trim_start_matches(' ');
    let indent = line.len() - trimmed.len();
    (1..=3).contains(&indent) && (trimmed.starts_with("```") || trimmed.starts_with("~~~"))
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
    use crate::render::markdown::OPTIONS;

    /// The HTML of `markdown` read whole and read in pieces (whatever its length, pieces of
    /// the build's size), and how many pieces.
    fn both(markdown: &str) -> (String, String, usize) {
        both_in(markdown, PIECE)
    }

    /// [`both`] with pieces of at least `piece` bytes.
    fn both_in(markdown: &str, piece: usize) -> (String, String, usize) {
        let mut whole = String::new();
        pulldown_cmark::html::push_html(&mut whole, Parser::new_ext(markdown, OPTIONS));
        let pieces = Pieces::cut_in(markdown, 1, piece);
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

    /// One block of a generated page: tables (some long, some odd), and what a cut must
    /// not be fooled by.
    fn block() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let cell = prop_oneof![
            Just("横溪".to_string()),
            Just("*强调*".to_string()),
            Just("`a|b`".to_string()),
            Just("a \\| b".to_string()),
            Just("[链接](v1.md)".to_string()),
            Just("<span>1户</span>".to_string()),
            Just("".to_string()),
            (0u32..100_000).prop_map(|n| n.to_string()),
        ];
        let row = proptest::collection::vec(cell, 1..5)
            .prop_map(|cells| format!("| {} |\n", cells.join(" | ")));
        let table = (1usize..4, proptest::collection::vec(row, 0..300)).prop_map(|(n, rows)| {
            let head = vec!["列"; n].join(" | ");
            let delimiter = vec!["---:"; n].join("|");
            format!("| {head} |\n|{delimiter}|\n{}", rows.concat())
        });
        prop_oneof![
            4 => table.clone(),
            1 => table.clone().prop_map(|t| format!("```\n{t}```\n")),
            1 => table.clone().prop_map(|t| format!("- 项\n\n  {}", t.replace('\n', "\n  "))),
            1 => table.clone().prop_map(|t| format!("> {}", t.replace('\n', "\n> "))),
            1 => table.prop_map(|t| format!("段落\n{t}")),
            1 => Just("## 标题\n".to_string()),
            1 => Just("正文 **粗** [^注]。\n".to_string()),
            1 => Just("[^注]: 脚注\n".to_string()),
            1 => Just("[ref]: https://x.cn\n".to_string()),
            1 => Just("<!--\n\n| a |\n-->\n".to_string()),
            1 => Just("~~~\n".to_string()),
            1 => Just(" ```\n\n| 列 |\n|---:|\n| 1 |\n ```\n".to_string()),
            1 => Just("````\n```\n\n| 列 |\n|---:|\n| 1 |\n".to_string()),
            1 => Just("| 孤行 |\n".to_string()),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Any page built of such blocks reads the same cut as whole.
        #[test]
        fn any_page_reads_the_same_cut_as_whole(
            blocks in proptest::collection::vec(block(), 1..8),
            blank in proptest::collection::vec(proptest::bool::ANY, 8),
        ) {
            let mut markdown = String::new();
            for (i, b) in blocks.iter().enumerate() {
                markdown.push_str(b);
                if blank[i] {
                    markdown.push('\n');
                }
            }
            let (whole, cut, _) = both_in(&markdown, 64);
            proptest::prop_assert_eq!(cut, whole);
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

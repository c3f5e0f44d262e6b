//! A quick reader for the YAML that data files are written in: block mappings and lists of
//! plain or simply quoted scalars, with comments and blank lines.
//!
//! It feeds the same [`Builder`] as the full parser's events, so a file it reads becomes the
//! very tree the full parser makes (a property test in this module holds the two to it).
//! Anything else — flow `[…]` and `{…}`, block scalars `|` and `>`, anchors, tags, escapes, a
//! value over several lines, a null value, several documents, tabs, any mistake — it gives up
//! on, and [`super::yaml::full`] reads the file, with its messages. Reading line by line,
//! without the full parser's token queue, is what makes loading 10,000 village files fast.

use std::borrow::Cow;
use std::path::Path;

use saphyr_parser::ScalarStyle;

use super::builder::Builder;
use super::yaml::Node;

/// `text`'s tree, or `None` when the full parser must read it.
pub(super) fn read(text: &str, file: &Path) -> Option<Node> {
    let lines = content_lines(text)?;
    let first = lines.first()?;
    if first.indent != 0 {
        return None;
    }
    let mut reader = Reader {
        lines,
        at: 0,
        builder: Builder::new(file),
    };
    reader.node(0)?;
    if reader.at != reader.lines.len() {
        return None;
    }
    reader.builder.root
}

/// A line with content: not blank, not only a comment.
#[derive(Clone, Copy)]
struct Line<'a> {
    /// Spaces before the content (its 0-based column).
    indent: usize,
    /// The content, without trailing spaces.
    text: &'a str,
    /// 1-based line number.
    number: u32,
}

/// The content lines of `text`; `None` if a line has something the quick reader leaves to
/// the full parser (a tab, a lone carriage return, a document marker or directive, a
/// byte-order mark, a full-width space starting a line).
fn content_lines(text: &str) -> Option<Vec<Line<'_>>> {
    let bytes = text.as_bytes();
    // Tabs, and byte-order marks anywhere, the full parser reads in its own ways.
    if memchr::memchr(b'\t', bytes).is_some()
        || memchr::memmem::find(bytes, "\u{feff}".as_bytes()).is_some()
    {
        return None;
    }
    // A carriage return not before a line feed is a line break to the full parser (even in
    // a comment).
    if memchr::memchr_iter(b'\r', bytes).any(|at| bytes.get(at + 1) != Some(&b'\n')) {
        return None;
    }
    let mut lines = Vec::with_capacity(text.len() / 16);
    // The lines' ends found in one pass over the bytes (most lines are a dozen bytes: a
    // search per line costs more), spaces trimmed as bytes.
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    let mut start = 0;
    for (index, end) in ends.enumerate() {
        let line = &text[start..end];
        start = end + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let indent = line.bytes().take_while(|&b| b == b' ').count();
        let content = &line[indent..];
        let trailing = content.bytes().rev().take_while(|&b| b == b' ').count();
        let text = &content[..content.len() - trailing];
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        if (indent == 0 && (text.starts_with("---") || text.starts_with("...")))
            || text.starts_with(['%', '\u{3000}'])
        {
            return None;
        }
        lines.push(Line {
            indent,
            text,
            number: u32::try_from(index + 1).ok()?,
        });
    }
    Some(lines)
}

struct Reader<'a> {
    lines: Vec<Line<'a>>,
    /// The next line to read.
    at: usize,
    builder: Builder<'a>,
}

impl<'a> Reader<'a> {
    /// The block (list or mapping) whose first line is the current one, at `indent`.
    fn node(&mut self, indent: usize) -> Option<()> {
        if is_item(self.lines.get(self.at)?.text) {
            self.list(indent, false)
        } else {
            self.map(indent)
        }
    }

    /// A list whose items (`- `) are at `indent`; `under_key` when it is a mapping's value
    /// and its items line up with the key (the full parser places such a list at its first
    /// item's content, not its dash).
    fn list(&mut self, indent: usize, under_key: bool) -> Option<()> {
        let first = self.lines[self.at];
        let at = if under_key {
            match item_content(first) {
                ("", _) => return None,
                (_, content_indent) => content_indent,
            }
        } else {
            indent
        };
        self.builder.open(true, first.number, column(at)).ok()?;
        while let Some(&line) = self.lines.get(self.at) {
            if line.indent < indent || (line.indent == indent && !is_item(line.text)) {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let (rest, rest_indent) = item_content(line);
            if rest.is_empty() {
                // The item is the block on the following lines.
                self.at += 1;
                let next = self.lines.get(self.at)?;
                if next.indent <= indent {
                    return None;
                }
                self.node(next.indent)?;
            } else if is_item(rest) {
                return None;
            } else if split_entry(rest).is_some() {
                // `- key: value`: a mapping whose other keys line up under this one.
                self.lines[self.at] = Line {
                    indent: rest_indent,
                    text: rest,
                    number: line.number,
                };
                self.map(rest_indent)?;
            } else {
                self.value(rest, line.number, rest_indent)?;
                self.at += 1;
            }
        }
        self.builder.close();
        Some(())
    }

    /// A mapping whose keys are at `indent`.
    fn map(&mut self, indent: usize) -> Option<()> {
        let first = self.lines[self.at];
        self.builder
            .open(false, first.number, column(indent))
            .ok()?;
        while let Some(&line) = self.lines.get(self.at) {
            if line.indent < indent {
                break;
            }
            if line.indent > indent || is_item(line.text) {
                return None;
            }
            let (key, value_at) = split_entry(line.text)?;
            if !plain_key(key) {
                return None;
            }
            self.builder
                .scalar(
                    Cow::Borrowed(key),
                    ScalarStyle::Plain,
                    line.number,
                    column(indent),
                )
                .ok()?;
            let value = &line.text[value_at..];
            if value.is_empty() || value.starts_with('#') {
                // The value is the block on the following lines: more indented, or a list
                // whose items line up with the key.
                self.at += 1;
                let next = self.lines.get(self.at)?;
                if next.indent > indent {
                    self.node(next.indent)?;
                } else if next.indent == indent && is_item(next.text) {
                    self.list(indent, true)?;
                } else {
                    return None;
                }
            } else {
                let key_and_colon = &line.text[..value_at];
                // Keys are mostly ASCII: their characters are their bytes.
                let width = if key_and_colon.is_ascii() {
                    key_and_colon.len()
                } else {
                    key_and_colon.chars().count()
                };
                let value_indent = indent + width;
                self.value(value, line.number, value_indent)?;
                self.at += 1;
            }
        }
        self.builder.close();
        Some(())
    }

    /// A scalar value `text` (the rest of its line) at 0-based column `indent`.
    fn value(&mut self, text: &'a str, number: u32, indent: usize) -> Option<()> {
        let (value, style) = scalar(text)?;
        self.builder
            .scalar(Cow::Borrowed(value), style, number, column(indent))
            .ok()
    }
}

/// The 1-based column of a 0-based one.
fn column(indent: usize) -> u32 {
    u32::try_from(indent + 1).unwrap_or(u32::MAX)
}

/// A list item's content after its dash and spaces (empty for a lone `-`), and the 0-based
/// column it starts at (only `-` and spaces precede it: its column is its offset).
fn item_content(line: Line<'_>) -> (&str, usize) {
    let content = line.text[1..].trim_start_matches(' ');
    (content, line.indent + line.text.len() - content.len())
}

/// Whether a line's content is a list item: `- …` or a lone `-`.
fn is_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// A `key: value` line's key and the byte offset of its value (after the colon and spaces):
/// the first `:` followed by a space or the line's end.
fn split_entry(text: &str) -> Option<(&str, usize)> {
    let bytes = text.as_bytes();
    // A byte loop, not `memchr`: a key is a few bytes, and a vector search's set-up costs
    // more than it saves on them (a million lines at 10,000 villages).
    let colon = (0..bytes.len())
        .find(|&at| bytes[at] == b':' && matches!(bytes.get(at + 1), None | Some(b' ')))?;
    let after = &text[colon + 1..];
    let value_at = text.len() - after.trim_start_matches(' ').len();
    Some((&text[..colon], value_at))
}

/// Whether a plain scalar may not start with `byte`: one of YAML's indicators, or a quote.
/// (A `match`, not a search of a list of them: asked of a million keys and values.)
fn is_indicator(byte: u8) -> bool {
    matches!(
        byte,
        b'[' | b']'
            | b'{'
            | b'}'
            | b'|'
            | b'>'
            | b'&'
            | b'*'
            | b'!'
            | b'%'
            | b'@'
            | b'`'
            | b'?'
            | b','
            | b'#'
            | b':'
            | b'\''
            | b'"'
            | b'-'
    )
}

/// Whether `key` is a key the quick reader reads as the full parser does: plain, on one
/// line, with nothing the full parser reads otherwise (a comment, trailing space, an
/// indicator at its start, a very long key).
fn plain_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 512
        && !is_indicator(key.as_bytes()[0])
        && !key.ends_with(' ')
        && comment_start(key).is_none()
}

/// Where the space of the first ` #` in `text` is (a comment starts there). Looked for a
/// byte at a time: a substring search sets itself up for each of a million short texts.
fn comment_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (1..bytes.len()).find_map(|at| (bytes[at] == b'#' && bytes[at - 1] == b' ').then(|| at - 1))
}

/// A value's text and style, without quotes and trailing comment; `None` for what the
/// quick reader leaves to the full parser.
fn scalar(text: &str) -> Option<(&str, ScalarStyle)> {
    let bytes = text.as_bytes();
    match bytes.first()? {
        quote @ (b'"' | b'\'') => {
            let end = 1 + memchr::memchr(*quote, &bytes[1..])?;
            let inner = &text[1..end];
            let after = &text[end + 1..];
            let rest = after.trim_start_matches(' ');
            let ends = rest.is_empty() || (rest.starts_with('#') && rest.len() < after.len());
            if !ends || (*quote == b'"' && inner.contains('\\')) {
                return None;
            }
            let style = if *quote == b'"' {
                ScalarStyle::DoubleQuoted
            } else {
                ScalarStyle::SingleQuoted
            };
            Some((inner, style))
        }
        b'-' if bytes.get(1).is_none_or(|b| *b == b' ') => None,
        b'-' => plain(text),
        first if is_indicator(*first) => None,
        _ => plain(text),
    }
}

/// A plain value without its trailing comment; `None` if it holds `: ` (a mapping where a
/// value should be: the full parser's error).
fn plain(text: &str) -> Option<(&str, ScalarStyle)> {
    let text = match comment_start(text) {
        Some(at) => text[..at].trim_end_matches(' '),
        None => text,
    };
    // A `:` before a space or at the end: read as `key: value`.
    if split_entry(text).is_some() {
        return None;
    }
    Some((text, ScalarStyle::Plain))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The full parser's tree of `text`, if it reads it.
    fn full(text: &str) -> Option<Node> {
        super::super::yaml::full(text, Path::new("t.yaml"))
            .ok()
            .flatten()
    }

    fn same(text: &str) {
        if let Some(quick) = read(text, Path::new("t.yaml")) {
            assert_eq!(Some(quick), full(text), "{text}");
        }
    }

    #[test]
    fn the_indicators_are_yamls() {
        let indicators = b"[]{}|>&*!%@`?,#:'\"-";
        for byte in 0..=u8::MAX {
            assert_eq!(is_indicator(byte), indicators.contains(&byte), "{byte}");
        }
    }

    #[test]
    fn reads_what_data_files_hold() {
        let text = "# 横溪村\nname: 横溪村\nregistered:\n  households: 78 # 户\n  people: 234\n\nexits:\n  - year: 2014\n    people: 12\n  - year: 2015\n    people: 'x'\nlist:\n- a\n- \"b c\"\n-\n  k: v\n";
        assert!(read(text, Path::new("t.yaml")).is_some());
        same(text);
    }

    #[test]
    fn leaves_the_rest_to_the_full_parser() {
        for text in [
            "a: [1, 2]\n",
            "a: {b: 1}\n",
            "a: |\n  x\n",
            "a: &x 1\n",
            "a: !!str 1\n",
            "a: \"x\\ny\"\n",
            "a: 'it''s'\n",
            "a: x\n  y\n",
            "a:\nb: 1\n",
            "---\na: 1\n",
            "a: b: c\n",
            "a:1\n",
            "a\tb: 1\n",
            "- - 1\n",
            "? a\n: b\n",
            "a: 1\n a: 2\n",
            "a: 1\nb:\n",
            "\"a\": 1\n",
            "a : 1\n",
        ] {
            assert!(read(text, Path::new("t.yaml")).is_none(), "{text}");
        }
    }

    #[test]
    fn every_yaml_file_of_the_repository_reads_the_same() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut read_quickly = 0;
        for folder in ["data", "tests/fixtures"] {
            for entry in walkdir::WalkDir::new(root.join(folder)) {
                let entry = entry.expect("walks");
                let is_yaml = entry.path().extension().is_some_and(|e| e == "yaml");
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                if is_yaml {
                    same(&text);
                    read_quickly += read(&text, Path::new("t.yaml")).is_some() as usize;
                }
            }
        }
        assert!(read_quickly > 20, "{read_quickly}");
    }

    /// Pieces data files are made of, good and bad.
    fn piece() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "a",
            "\u{feff}",
            "\u{85}",
            "\u{2028}",
            "\u{a0}",
            "\\",
            "\n",
            "- -",
            "!",
            "%",
            "b",
            "横溪",
            "名 称",
            "k-1",
            "x:y",
            "a#b",
            "1",
            "-5",
            "0.30",
            "1,841",
            "12%",
            "true",
            "~",
            "null",
            "'q'",
            "\"q r\"",
            "'a''b'",
            "\"a\\\"b\"",
            "[1, 2]",
            "{a: 1}",
            "|",
            ">-",
            "&x",
            "*x",
            "!t",
            "# c",
            " # c",
            "-",
            "- ",
            ":",
            ": ",
            "：",
            "\u{3000}",
            "  ",
            " ",
            "",
            "\r",
            "\t",
            "?",
            "0x1F",
            ".inf",
            "http://x",
            "a: b",
            "'",
            "\"",
        ])
        .prop_map(str::to_string)
    }

    /// Mostly the pieces of good files, sometimes anything.
    fn mostly_good() -> impl Strategy<Value = String> {
        prop_oneof![
            12 => prop::sample::select(vec![
                "a", "b_c", "横溪", "名 称", "k-1", "x:y", "a#b", "1", "-5", "0.30", "1,841",
                "12%", "true", "~", "'q'", "\"q r\"", "http://x", "说明：文字", "2020-10-31",
            ])
            .prop_map(str::to_string),
            1 => piece(),
        ]
    }

    fn line() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec!["", "  ", "    ", "- ", "  - ", "    - ", " ", "-"]),
            prop::collection::vec(piece(), 0..4),
            prop::sample::select(vec![": ", ":", "", ": - ", " "]),
            prop::collection::vec(piece(), 0..3),
        )
            .prop_map(|(indent, key, colon, value)| {
                format!("{indent}{}{colon}{}", key.concat(), value.concat())
            })
    }

    /// A data tree: scalars (good and bad) in mappings and lists.
    #[derive(Clone, Debug)]
    enum Tree {
        Scalar(String),
        Map(Vec<(String, Tree)>),
        List(Vec<Tree>),
    }

    fn tree() -> impl Strategy<Value = Tree> {
        let leaf =
            prop::collection::vec(mostly_good(), 1..3).prop_map(|p| Tree::Scalar(p.concat()));
        leaf.prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                prop::collection::vec(
                    (
                        prop::collection::vec(mostly_good(), 1..3).prop_map(|p| p.concat()),
                        inner.clone()
                    ),
                    1..5
                )
                .prop_map(Tree::Map),
                prop::collection::vec(inner, 1..5).prop_map(Tree::List),
            ]
        })
    }

    /// How a tree is written out: indentation step, lists under keys indented or not, items'
    /// mappings on the dash's line or below it, comments and blank lines between lines.
    #[derive(Clone, Debug)]
    struct Style {
        step: usize,
        indent_lists: bool,
        compact: bool,
        comments: bool,
    }

    fn write(tree: &Tree, indent: usize, style: &Style, out: &mut Vec<String>) {
        let pad = " ".repeat(indent);
        match tree {
            Tree::Scalar(text) => out.push(format!("{pad}{text}")),
            Tree::Map(entries) => {
                for (key, value) in entries {
                    if style.comments {
                        out.push(format!("{pad}# {key}"));
                    }
                    match value {
                        Tree::Scalar(text) => out.push(format!("{pad}{key}: {text}")),
                        Tree::List(_) if !style.indent_lists => {
                            out.push(format!("{pad}{key}:"));
                            write(value, indent, style, out);
                        }
                        _ => {
                            out.push(format!("{pad}{key}:"));
                            write(value, indent + style.step, style, out);
                        }
                    }
                }
            }
            Tree::List(items) => {
                for item in items {
                    match item {
                        Tree::Scalar(text) => out.push(format!("{pad}- {text}")),
                        Tree::Map(_) if style.compact => {
                            let mut inner = Vec::new();
                            write(item, indent + 2, style, &mut inner);
                            if let Some(first) = inner.first_mut() {
                                *first = format!("{pad}- {}", &first[indent + 2..]);
                            }
                            out.extend(inner);
                        }
                        _ => {
                            out.push(format!("{pad}-"));
                            write(item, indent + style.step, style, out);
                        }
                    }
                }
            }
        }
    }

    fn style() -> impl Strategy<Value = Style> {
        (1..5usize, any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
            |(step, indent_lists, compact, comments)| Style {
                step,
                indent_lists,
                compact,
                comments,
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Whole files written as people write them: whatever the quick reader reads, the
        /// full parser reads into the same tree.
        #[test]
        fn trees_read_the_same_both_ways(
            root in prop::collection::vec(
                (prop::collection::vec(mostly_good(), 1..3).prop_map(|p| p.concat()), tree()),
                1..6,
            ),
            style in style(),
            crlf in any::<bool>(),
        ) {
            let mut lines = Vec::new();
            write(&Tree::Map(root), 0, &style, &mut lines);
            let text = lines.join(if crlf { "\r\n" } else { "\n" }) + "\n";
            if let Some(quick) = read(&text, Path::new("t.yaml")) {
                prop_assert_eq!(Some(quick), full(&text), "{}", text);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// Whatever the quick reader reads, the full parser reads into the same tree.
        #[test]
        fn the_quick_reader_agrees_with_the_full_parser(
            lines in prop::collection::vec(line(), 1..12),
            crlf in any::<bool>(),
        ) {
            let text = lines.join(if crlf { "\r\n" } else { "\n" });
            if let Some(quick) = read(&text, Path::new("t.yaml")) {
                prop_assert_eq!(Some(quick), full(&text), "{}", text);
            }
        }
    }
}

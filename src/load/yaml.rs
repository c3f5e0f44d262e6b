//! A YAML reader that keeps every value's line and column and reads numbers exactly.
//!
//! Built on `saphyr-parser`'s event stream (and, for the plain block YAML most data files
//! are, the quick reader of `quick.rs`; both feed `builder.rs`) rather than a serde
//! deserializer so that huibao decides itself what YAML means for report data:
//! - numbers become [`Decimal`]s parsed from their text (never through `f64`),
//! - duplicate keys, anchors and aliases, tags, several documents and very deep nesting are
//!   refused with a located message instead of being silently accepted,
//! - scalars follow the YAML 1.2 core schema (`yes`/`no` are text, not booleans).

use rust_decimal::Decimal;
use saphyr_parser::Parser;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Location, Text};

use super::builder::Builder;
use super::slips::{SlipKind, collect_key_lines, keyboard_slips, parser_message_zh};

/// The deepest nesting of lists and mappings a data file may have.
pub const MAX_DEPTH: usize = 64;

/// A value read from YAML, with the place it starts at.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value itself.
    pub value: Value,
    /// 1-based line of the value's first character.
    pub line: u32,
    /// 1-based column (in characters) of the value's first character (for a quoted
    /// value, the first character inside the quotes).
    pub col: u32,
}

// A province's report holds ten million nodes: each stays 32 bytes (a map entry, with its
// key, 40).
const _: () = assert!(std::mem::size_of::<Node>() == 32);
const _: () = assert!(std::mem::size_of::<(Key, Node)>() == 40);

/// A key of a mapping, with its place (8 bytes: 7.8 million keys at 100,000 villages).
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key's text, kept once for every mapping with that key (100,000 village files
    /// name the same hundred fields): read as a `&str`, compared as a number.
    pub name: crate::intern::Name,
    /// Its line and column in one number (see [`Key::new`]).
    place: u32,
}

/// A key's line and column that do not fit in one number with each other, numbered.
static FAR_PLACES: crate::intern::Table<(u32, u32)> = crate::intern::Table::new();

/// How many bits of a key's place hold its column; the line is above them.
const COL_BITS: u32 = 10;

/// The bit of a key's place that says it is a number in [`FAR_PLACES`].
const FAR: u32 = 1 << 31;

impl Key {
    /// The key `name` at 1-based `line` and `col`. A key's line and column are kept in one
    /// number, the line in the high bits, the column in the low [`COL_BITS`]; a key past
    /// line two million or column 1,023 (a 16 MB file of short lines, a long flow mapping)
    /// is kept in a table of such places instead.
    pub fn new(name: crate::intern::Name, line: u32, col: u32) -> Key {
        let place = if line < FAR >> COL_BITS && col < 1 << COL_BITS {
            line << COL_BITS | col
        } else {
            FAR | FAR_PLACES.number(&(line, col))
        };
        Key { name, place }
    }

    /// Its 1-based line and column.
    pub fn line_col(&self) -> (u32, u32) {
        if self.place & FAR == 0 {
            (self.place >> COL_BITS, self.place & ((1 << COL_BITS) - 1))
        } else {
            FAR_PLACES
                .get(self.place & !FAR)
                .copied()
                .unwrap_or_default()
        }
    }

    /// 1-based line.
    pub fn line(&self) -> u32 {
        self.line_col().0
    }

    /// 1-based column (in characters).
    pub fn col(&self) -> u32 {
        self.line_col().1
    }

    /// This key's location in `file`.
    pub fn location(&self, file: &Path) -> Location {
        let (line, col) = self.line_col();
        Location::new(file, line as usize, col as usize)
    }
}

/// The kinds of values report data has.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, exact as written (`1.10` keeps its scale of 2).
    Number(Decimal),
    /// Any other scalar, and every quoted one.
    String(Box<str>),
    /// A sequence (boxed, not a `Vec`, with the text: a node is 32 bytes, not 40, and
    /// a province's report holds ten million).
    List(Box<[Node]>),
    /// A mapping, in the order of the file; keys are unique.
    Map(Box<[(Key, Node)]>),
}

impl Value {
    /// The text a scalar is known by (`2015`, `因病`, `true`); `None` for null, lists and
    /// mappings.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.to_string()),
            Value::Number(d) => Some(d.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

impl Node {
    /// The entry under `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| *k.name == *key)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Like [`Node::get`], trying first the entry at `*hint` and leaving there the place
    /// the key was found: the records of a folder have their keys in the same order, so a
    /// walk of them finds each key at once, not after a search of the entries before it.
    pub fn get_near(&self, key: &str, hint: &mut usize) -> Option<&Node> {
        let Value::Map(entries) = &self.value else {
            return None;
        };
        if let Some((k, v)) = entries.get(*hint)
            && *k.name == *key
        {
            return Some(v);
        }
        let at = entries.iter().position(|(k, _)| *k.name == *key)?;
        *hint = at;
        Some(&entries[at].1)
    }

    /// This node's location in `file`.
    pub fn location(&self, file: &Path) -> Location {
        Location::new(file, self.line as usize, self.col as usize)
    }

    /// A short name of the value's kind, in both languages.
    pub fn kind(&self) -> Text {
        match self.value {
            Value::Null => Text::new("空值", "null"),
            Value::Bool(_) => Text::new("布尔值", "boolean"),
            Value::Number(_) => Text::new("数字", "number"),
            Value::String(_) => Text::new("文本", "text"),
            Value::List(_) => Text::new("列表", "list"),
            Value::Map(_) => Text::new("映射", "mapping"),
        }
    }
}

/// Parses one YAML document from `text`. `file` is only used to name locations.
///
/// Returns every problem found before parsing stopped (at least one) on failure.
pub fn parse(text: &str, file: &Path) -> Result<Node, Vec<Diagnostic>> {
    let tabs = check_tab_indentation(text, file);
    if !tabs.is_empty() {
        return Err(tabs);
    }
    // Most data files are plain block YAML, which the quick reader reads into the same tree
    // as the full parser; anything else (or a mistake) is read by the full parser.
    let root = match super::quick::read(text, file) {
        Some(root) => Some(root),
        None => full(text, file)?,
    };
    let root = check_slips(text, file, root)?;
    match cut_by_comment(text, &root, file) {
        Some(problem) => Err(vec![problem]),
        None => Ok(root),
    }
}

/// The problem of a plain text value cut short by a comment: YAML reads ` #` as the start
/// of a comment, so `summary: 按县扶贫办 #12号文件派驻…` reads as 按县扶贫办 alone. Told
/// when text follows the `#` at once (a comment is written `# …`); a quoted value, a block
/// of text (`|`) and a figure's comment (`households: 132 #户`) are left alone.
fn cut_by_comment(text: &str, root: &Node, file: &Path) -> Option<Diagnostic> {
    // (Most files have no ` #` at all.)
    memchr::memmem::find(text.as_bytes(), b" #")?;
    // Each line with ` #` and text right after it: (line, byte of the `#`).
    let mut candidates = std::collections::HashMap::new();
    for (number, line) in text.lines().enumerate() {
        let at = memchr::memmem::find_iter(line.as_bytes(), b" #").find(|&at| {
            line[at + 2..]
                .chars()
                .next()
                .is_some_and(|c| !c.is_whitespace() && c != '#')
        });
        if let Some(at) = at {
            candidates.insert(number + 1, (line, at + 1));
        }
    }
    if candidates.is_empty() {
        return None;
    }
    let mut first = None;
    visit_texts(root, &mut |node, value| {
        let Some(&(line, hash)) = candidates.get(&(node.line as usize)) else {
            return;
        };
        let start = line
            .char_indices()
            .nth((node.col as usize).saturating_sub(1))
            .map_or(line.len(), |(at, _)| at);
        let quoted = line[..start].ends_with(['"', '\'']);
        let comment = &line[hash + 1..];
        // The value is all there is before the `#` (not an item of `[甲, 乙] #注`).
        if quoted
            || hash < start
            || line[start..hash].trim() != value.trim()
            || value.contains(comment.trim())
        {
            return;
        }
        if first.as_ref().is_none_or(|cut: &Cut| cut.line > node.line) {
            first = Some(Cut {
                line: node.line,
                col: line[..hash].chars().count() + 1,
                before: line[..start].trim().to_string(),
                read: value.to_string(),
                comment: comment.trim_end().to_string(),
            });
        }
    });
    let Cut {
        line,
        col,
        before,
        read,
        comment,
    } = first?;
    let whole = format!("{before} \"{read} #{comment}\"");
    Some(
        Diagnostic::error(
            "yaml-comment",
            Some(Location::new(file, line as usize, col)),
            Text::new(
                format!("「#{comment}」被当成了注释：这个值只读到「{read}」"),
                format!("`#{comment}` is read as a comment: the value is only `{read}`"),
            ),
        )
        .with_hint(Text::new(
            format!(
                "前面有空格的 # 以后是注释。若它是文字的一部分，给整段文字加半角引号：{whole}；若是注释，在 # 后加一个空格"
            ),
            format!(
                "after a space, # starts a comment. If it is part of the text, put the whole text in quotes: {whole}; if it is a comment, put a space after the #"
            ),
        )),
    )
}

/// A text value cut short by a comment ([`cut_by_comment`]).
struct Cut {
    line: u32,
    /// The `#`'s column.
    col: usize,
    /// What comes before the value on its line: `summary:`, `-`.
    before: String,
    /// The value as read.
    read: String,
    /// What the comment took, after its `#`.
    comment: String,
}

/// Calls `each` with every text value in `node` and its text.
fn visit_texts(node: &Node, each: &mut impl FnMut(&Node, &str)) {
    match &node.value {
        Value::String(text) => each(node, text),
        Value::Map(entries) => entries
            .iter()
            .for_each(|(_, value)| visit_texts(value, each)),
        Value::List(items) => items.iter().for_each(|item| visit_texts(item, each)),
        _ => {}
    }
}

/// The tree of `text` read by the full parser (saphyr's events), or every problem found
/// before parsing stopped (at least one).
pub(super) fn full(text: &str, file: &Path) -> Result<Option<Node>, Vec<Diagnostic>> {
    let mut builder = Builder::new(file);
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(pair) => pair,
            Err(error) => return Err(parse_failed(text, &error, file)),
        };
        builder.on_event(event, span).map_err(|d| vec![d])?;
    }
    Ok(builder.root)
}

/// Every problem to tell where the parser stopped at `error`: a slip of the keyboard, a
/// bracket left open, a list item's dash, an indentation or a colon found near it, else the
/// parser's own message. (Apart, and cold: reading a file that parses stays small.)
#[cold]
fn parse_failed(text: &str, error: &saphyr_parser::ScanError, file: &Path) -> Vec<Diagnostic> {
    // A Chinese-keyboard slip (a full-width colon, a missing space after `:`)
    // makes the parser complain a line later in its own words: report the slip
    // itself, at its own line and column, when there is one up to the error.
    let marker = error.marker();
    let slips = keyboard_slips(text);
    if slips.iter().any(|slip| slip.line <= marker.line()) {
        return slips.iter().map(|slip| slip.diagnostic(file)).collect();
    }
    // A `{` or `[` left open on a line before: said there, with its closing.
    if let Some((line, col, open)) = unclosed_bracket(text, marker.line()) {
        let location = Location::new(file, line, col);
        return vec![unclosed_bracket_error(location, open)];
    }
    // A list item's dash without its space, or not a half-width minus.
    if let Some(problem) = dash_slip(text, marker.line(), file) {
        return vec![problem];
    }
    // A figure written `-`, as a spreadsheet's "none".
    if let Some(problem) = dash_for_none(text, marker.line(), file) {
        return vec![problem];
    }
    // A key indented deeper than the key with a value above it, or written
    // without its colon.
    let near = indent_slip(text, marker.line(), file)
        .or_else(|| colon_left_out(text, marker.line(), file))
        .or_else(|| text_wrapped(text, marker.line(), file));
    if let Some(problem) = near {
        return vec![problem];
    }
    let location = Location::new(file, marker.line(), marker.col() + 1);
    let mut problems = vec![syntax_error(location, error.info())];
    problems.extend(slips.iter().map(|slip| slip.diagnostic(file)));
    problems
}

/// `root` unless `text` has keyboard slips that parsed without complaint, or is empty.
fn check_slips(text: &str, file: &Path, root: Option<Node>) -> Result<Node, Vec<Diagnostic>> {
    if let Some(root) = &root {
        // The same slips often parse without complaint, as text (`people:468` becomes the
        // text "people:468", or the rest of the value above): a key-like line that did not
        // become a key is one of them, and so is a key indented with a full-width space.
        let slips = keyboard_slips(text);
        let mut key_lines = std::collections::HashSet::new();
        if !slips.is_empty() {
            collect_key_lines(root, &mut key_lines);
        }
        let slips: Vec<Diagnostic> = slips
            .iter()
            .filter(|slip| {
                matches!(
                    slip.kind,
                    SlipKind::FullWidthIndent
                        | SlipKind::FullWidthComma
                        | SlipKind::FullWidthColonInBraces
                ) || !key_lines.contains(&slip.line)
            })
            .map(|slip| slip.diagnostic(file))
            .collect();
        if !slips.is_empty() {
            return Err(slips);
        }
    }
    match root {
        Some(root) => Ok(root),
        None => Err(vec![
            Diagnostic::error(
                "yaml-empty",
                Some(Location::file(file)),
                Text::new(
                    "文件是空的（没有任何数据）",
                    "the file is empty (it holds no data)",
                ),
            )
            .with_hint(Text::new(
                "写入数据，或删除这个文件",
                "write the data into it, or delete the file",
            )),
        ]),
    }
}

fn syntax_error(location: Location, info: &str) -> Diagnostic {
    let zh = match parser_message_zh(info) {
        Some(zh) => format!("YAML 语法错误：{zh}"),
        None => format!("YAML 语法错误（解析器原文：{info}）"),
    };
    Diagnostic::error(
        "yaml-syntax",
        Some(location),
        Text::new(zh, format!("YAML syntax error: {info}")),
    )
    .with_hint(Text::new(
        "检查这一行及上一行的缩进、冒号和引号：冒号要用半角「:」且后面要有空格，引号要用半角并成对，同一层的键要对齐",
        "check indentation, colons and quotes on this line and the one before; a colon needs a space after it and keys of one level must line up",
    ))
}

/// Characters a Chinese keyboard or a word processor types for a list item's `-`: the en
/// and em dashes, the full-width hyphen-minus, the minus sign, the hyphen.
const DASHES: [char; 5] = ['–', '—', '－', '−', '‐'];

/// The error for a list item written `-year: 2015` (no space after the dash) or `– year:
/// 2015` (a dash that is not a half-width minus) on line `at` (1-based, where the parser
/// stopped) or the line before, told at the dash with the line to write.
fn dash_slip(text: &str, at: usize, file: &Path) -> Option<Diagnostic> {
    let first = at.saturating_sub(2);
    for (index, line) in text.lines().enumerate().skip(first).take(at - first) {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        let mut chars = rest.chars();
        let Some(dash) = chars.next() else {
            continue;
        };
        let after = chars.as_str();
        // What follows the dash is a key and its colon (`year: 2015`), so the line was meant
        // as a list item.
        let keyed = |item: &str| {
            let key = key_of(item);
            !key.is_empty() && item[key.len()..].trim_start_matches(' ').starts_with(':')
        };
        let (zh, en, item) = if dash == '-' && keyed(after) {
            (
                format!("「-{}」：列表项的「-」后面要有一个半角空格", key_of(after)),
                format!(
                    "`-{}`: a list item's `-` is followed by a space",
                    key_of(after)
                ),
                after,
            )
        } else if DASHES.contains(&dash) && keyed(after.trim_start_matches(' ')) {
            (
                format!("「{dash}」不是半角减号：列表项要以半角的「- 」（减号和空格）开头"),
                format!(
                    "`{dash}` is not a half-width minus: a list item starts with `- ` (a minus and a space)"
                ),
                after.trim_start_matches(' '),
            )
        } else {
            continue;
        };
        let written = format!("{}- {item}", &line[..indent]);
        return Some(
            Diagnostic::error(
                "yaml-syntax",
                Some(Location::new(file, index + 1, indent + 1)),
                Text::new(zh, en),
            )
            .with_hint(Text::new(
                format!("写成 {}", written.trim_start()),
                format!("write {}", written.trim_start()),
            )),
        );
    }
    None
}

/// A line's key (as [`key_of`] reads it), the byte where it starts (after the indentation
/// and a list item's `- `), and what follows it on the line.
fn split_key(line: &str) -> (usize, &str, &str) {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let mut rest = &line[indent..];
    let mut at = indent;
    if let Some(item) = rest.strip_prefix("- ") {
        let spaces = item.len() - item.trim_start_matches(' ').len();
        at += 2 + spaces;
        rest = &item[spaces..];
    }
    let key = key_of(rest);
    (at, key, &rest[key.len()..])
}

/// `text` up to a comment (` #`), if there is one.
fn without_comment(text: &str) -> &str {
    text.find(" #").map_or(text, |comment| &text[..comment])
}

/// A line's key and where it starts (characters, 0-based; after a list item's `- `), when
/// the line is `key: …` or `- key: …`; and what follows the colon, comment left out.
fn key_line(line: &str) -> Option<(usize, &str, &str)> {
    let (at, key, after) = split_key(line);
    let after = after.strip_prefix(':')?;
    if key.is_empty() || !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    Some((at, key, without_comment(after).trim()))
}

/// The error for a key on line `at` (1-based, where the parser stopped) or next to it that
/// is indented deeper than the key above it, which holds a value (`   people: 468` under
/// `  households: 132`): YAML reads it as more of that value. Told at the key, with the
/// indentation to give it.
fn indent_slip(text: &str, at: usize, file: &Path) -> Option<Diagnostic> {
    let lines: Vec<&str> = text.lines().collect();
    let first = at.saturating_sub(2);
    for index in first..(at + 1).min(lines.len()) {
        let Some((indent, key, _)) = key_line(lines[index]) else {
            continue;
        };
        let above = lines[..index].iter().rev().find(|line| {
            let line = line.trim_start();
            !line.is_empty() && !line.starts_with('#')
        });
        let Some((above_indent, above_key, above_value)) = above.and_then(|l| key_line(l)) else {
            continue;
        };
        if above_value.is_empty() || indent <= above_indent {
            continue;
        }
        if let Some(item) = item_slip(&lines, index, file) {
            return Some(item);
        }
        let more = indent - above_indent;
        let written = format!(
            "{}{}",
            " ".repeat(above_indent),
            lines[index][indent..].trim_end()
        );
        return Some(
            Diagnostic::error(
                "yaml-syntax",
                Some(Location::new(file, index + 1, indent + 1)),
                Text::new(
                    format!("YAML 语法错误：「{key}」比上一行的「{above_key}」多缩进了 {more} 格，会被读成「{above_key}」的值的续行"),
                    format!("YAML syntax error: `{key}` is indented {more} more than `{above_key}` on the line above, and would be read as more of its value"),
                ),
            )
            .with_hint(Text::new(
                format!("同一层的键要对齐（和 {above_key} 一样缩进 {above_indent} 格）：写成「{written}」"),
                format!("keys of one level line up (indented {above_indent}, as {above_key} is): write `{written}`"),
            )),
        );
    }
    None
}

/// The error for a list item (line `index`, `   - year: 2015`) whose `-` is indented deeper
/// than the item before it (`  - year: 2014`): told at its `-`, with the line lined up with
/// the item before (its `- ` kept). `None` when the line is no item, or no item is above.
fn item_slip(lines: &[&str], index: usize, file: &Path) -> Option<Diagnostic> {
    let line = lines[index];
    let trimmed = line.trim_start();
    if !trimmed.starts_with("- ") {
        return None;
    }
    let dash = line.len() - trimmed.len();
    let before = lines[..index].iter().rev().find_map(|above| {
        let item = above.trim_start();
        let at = above.len() - item.len();
        (item.starts_with("- ") && at < dash).then_some(at)
    })?;
    let more = dash - before;
    let written = format!("{}{}", " ".repeat(before), trimmed.trim_end());
    Some(
        Diagnostic::error(
            "yaml-syntax",
            Some(Location::new(file, index + 1, dash + 1)),
            Text::new(
                format!("YAML 语法错误：这一项的「-」比上一项多缩进了 {more} 格，不会被读成列表的新一项"),
                format!("YAML syntax error: this item's `-` is indented {more} more than the item before, and is not read as a new item of the list"),
            ),
        )
        .with_hint(Text::new(
            format!("列表的各项要对齐（「-」和上一项一样缩进 {before} 格）：写成「{written}」"),
            format!("a list's items line up (the `-` indented {before}, as the item before): write `{written}`"),
        )),
    )
}

/// The error for a key written without its colon (`people 468`) on line `at` (1-based,
/// where the parser stopped) or the line before, told at the space after the key with the
/// line to write.
fn colon_left_out(text: &str, at: usize, file: &Path) -> Option<Diagnostic> {
    let first = at.saturating_sub(2);
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate().skip(first).take(at - first) {
        let (at_key, key, after) = split_key(line);
        if key.is_empty() || line.contains([':', '：']) {
            continue;
        }
        let value = without_comment(after).trim();
        let indent = |line: &str| line.len() - line.trim_start_matches(' ').len();
        let below = lines[index + 1..]
            .iter()
            .find(|line| !without_comment(line).trim().is_empty());
        let hint = if value.is_empty() {
            // A key alone on its line (`registered`) over the deeper lines of its record.
            if below.is_none_or(|below| indent(below) <= at_key) {
                continue;
            }
            Text::new(
                format!("在「{key}」后面写半角冒号：{key}:（下面缩进的各行是它的内容）"),
                format!(
                    "write a colon after `{key}`: {key}: (the indented lines below are what it holds)"
                ),
            )
        } else {
            // A key and its value with a space between them (`households 132`).
            if !after.starts_with(' ') {
                continue;
            }
            // (As the line has it, a list item's `- ` kept.)
            let written = format!("{}{key}: {value}", &line[..at_key]);
            let written = written.trim_start();
            Text::new(
                format!("在键和值之间写「: 」（半角冒号和空格）：{written}"),
                format!(
                    "write `: ` (a colon and a space) between the key and its value: {written}"
                ),
            )
        };
        return Some(
            Diagnostic::error(
                "yaml-syntax",
                Some(Location::new(
                    file,
                    index + 1,
                    line[..at_key + key.len()].chars().count() + 1,
                )),
                Text::new(
                    format!("YAML 语法错误：「{key}」后面缺少半角冒号「:」"),
                    format!("YAML syntax error: the key `{key}` has no colon after it"),
                ),
            )
            .with_hint(hint),
        );
    }
    None
}

/// A text value continued on the next line without indentation, as a clerk breaks a long
/// sentence (`location: 位于示例县北部，` then `交通便利。` under it): the parser stops a line
/// or two later (or past the file's end), looking for that line's colon. Said at the line
/// that continues the text, with the two ways to write it. `at`: the parser's line.
fn text_wrapped(text: &str, at: usize, file: &Path) -> Option<Diagnostic> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |line: &str| line.len() - line.trim_start_matches(' ').len();
    let first = at.saturating_sub(3);
    for index in (first..at.min(lines.len())).rev() {
        let line = lines[index];
        let trimmed = without_comment(line).trim();
        if trimmed.is_empty()
            || trimmed.starts_with(['#', '-', '"', '\'', '[', '{'])
            || line.contains([':', '：'])
        {
            continue;
        }
        // The line above with text on it: a key and its text value.
        let above = lines[..index]
            .iter()
            .rposition(|line| !without_comment(line).trim().is_empty())?;
        let (at_key, key, after) = split_key(lines[above]);
        let value = without_comment(after.strip_prefix(':')?).trim();
        if key.is_empty()
            || value.is_empty()
            || value.starts_with(['"', '\'', '|', '>', '[', '{', '&', '*', '!'])
            || indent(line) > at_key
        {
            return None;
        }
        let joined = format!("{key}: {value}{trimmed}");
        return Some(
            Diagnostic::error(
                "yaml-syntax",
                Some(Location::new(file, index + 1, indent(line) + 1)),
                Text::new(
                    format!("YAML 语法错误：「{key}」的文字换行了，第 {} 行接着写的文字没有缩进，读不成它的一部分", index + 1),
                    format!("YAML syntax error: the text of `{key}` goes on to line {} without indentation, which cannot be read as part of it", index + 1),
                ),
            )
            .with_hint(Text::new(
                format!("合成一行（{joined}），或在接着写的每一行前面空 {} 格（比「{key}」多缩进）", at_key + 2),
                format!("join the lines ({joined}), or put {} spaces before each line that goes on (deeper than `{key}`)", at_key + 2),
            )),
        );
    }
    None
}

/// A value written as a lone `-` (`households: -`), as a clerk marks "none" in a table:
/// YAML reads it as a list's item where none may start. Told at the dash near line `at`
/// (the parser's), with what to write.
fn dash_for_none(text: &str, at: usize, file: &Path) -> Option<Diagnostic> {
    let first = at.saturating_sub(1);
    for (index, line) in text.lines().enumerate().skip(first).take(at + 1 - first) {
        let (at_key, key, after) = split_key(line);
        let Some(value) = after.strip_prefix(':') else {
            continue;
        };
        if key.is_empty() || without_comment(value).trim() != "-" {
            continue;
        }
        let dash = at_key + key.len() + 1 + value.find('-')?;
        return Some(
            Diagnostic::error(
                "yaml-syntax",
                Some(Location::new(file, index + 1, line[..dash].chars().count() + 1)),
                Text::new(
                    format!("「{key}: -」：单独的「-」在 YAML 里是列表项的开头，不是「没有」"),
                    format!("`{key}: -`: a lone `-` starts a list's item in YAML; it does not mean none"),
                ),
            )
            .with_hint(Text::new(
                "是 0 就写 0；确实没有这个数，删去这一行，并在 schema 里把它标为 optional: true",
                "write 0 if it is zero; if there truly is no such figure, remove the line and mark the field optional: true in the schema",
            )),
        );
    }
    None
}

/// The key at the start of `item` (`year` of `year: 2015`).
fn key_of(item: &str) -> &str {
    let end = item
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(item.len());
    &item[..end]
}

/// The last `{` or `[` of `text` left open before line `before` (1-based): its line, its
/// column (characters, 1-based) and the bracket. A bracket opens a flow where a value
/// starts (after `key:`, `- ` or the indentation) or inside a flow; quoted text and
/// comments are passed over (`name: 第[1]村` opens nothing).
fn unclosed_bracket(text: &str, before: usize) -> Option<(usize, usize, char)> {
    let mut open: Vec<(usize, usize, char)> = Vec::new();
    for (index, line) in text.lines().take(before.saturating_sub(1)).enumerate() {
        let mut quote = None;
        // (The last character before this one that is not a space, on this line.)
        let mut last = None;
        let mut previous = ' ';
        for (col, c) in line.chars().enumerate() {
            let starts_value = !open.is_empty() || matches!(last, None | Some(':' | '-' | ','));
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if previous.is_whitespace() => break,
                (None, '{' | '[') if starts_value => open.push((index + 1, col + 1, c)),
                (None, '}' | ']') => {
                    let pairs = matches!(
                        (open.last(), c),
                        (Some((.., '{')), '}') | (Some((.., '[')), ']')
                    );
                    if pairs {
                        open.pop();
                    }
                }
                _ => {}
            }
            if !c.is_whitespace() {
                last = Some(c);
            }
            previous = c;
        }
    }
    open.pop()
}

/// A `{` or `[` never closed, at `location`.
fn unclosed_bracket_error(location: Location, open: char) -> Diagnostic {
    let close = if open == '{' { '}' } else { ']' };
    Diagnostic::error(
        "yaml-syntax",
        Some(location),
        Text::new(
            format!("YAML 语法错误：这个「{open}」没有配对的「{close}」"),
            format!("YAML syntax error: this `{open}` is never closed with `{close}`"),
        ),
    )
    .with_hint(Text::new(
        format!("在它的内容末尾补上半角的「{close}」（通常在这一行的末尾）"),
        format!("add a half-width `{close}` after its content (usually at the end of this line)"),
    ))
}

/// YAML forbids tabs in indentation; say so plainly rather than through the parser's words.
fn check_tab_indentation(text: &str, file: &Path) -> Vec<Diagnostic> {
    if memchr::memchr(b'\t', text.as_bytes()).is_none() {
        return Vec::new();
    }
    // Every line so indented (an editor's Tab key indents them all).
    let mut problems = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let Some(col) = line[..indent].find('\t') else {
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        problems.push(
            Diagnostic::error(
                "yaml-tab",
                Some(Location::new(file, index + 1, col + 1)),
                Text::new(
                    "缩进里有制表符（Tab）：YAML 只允许用空格缩进",
                    "a tab in the indentation: YAML indents with spaces only",
                ),
            )
            .with_hint(Text::new(
                "把行首的 Tab 换成空格（通常每层两个空格）",
                "replace the leading tabs with spaces (usually two per level)",
            )),
        );
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        parse(text, Path::new("t.yaml")).expect("parses")
    }

    fn parse_err(text: &str) -> Diagnostic {
        parse(text, Path::new("t.yaml"))
            .expect_err("fails")
            .remove(0)
    }

    #[test]
    fn a_key_is_found_near_its_last_place_or_anywhere_else() {
        let root = parse_ok("a: 1\nb: 2\nc: 3\n");
        let text = |node: Option<&Node>| node.and_then(|n| n.value.scalar_text());
        let mut hint = 0;
        assert_eq!(text(root.get_near("c", &mut hint)).as_deref(), Some("3"));
        assert_eq!(hint, 2, "the place it was found is kept");
        assert_eq!(text(root.get_near("c", &mut hint)).as_deref(), Some("3"));
        assert_eq!(text(root.get_near("a", &mut hint)).as_deref(), Some("1"));
        assert_eq!(hint, 0);
        assert_eq!(root.get_near("z", &mut hint), None);
        assert_eq!(hint, 0, "a key not there leaves the hint");
        let mut far = 99;
        assert_eq!(text(root.get_near("b", &mut far)).as_deref(), Some("2"));
        assert_eq!(far, 1);
        let scalar = parse_ok("5\n");
        assert_eq!(scalar.get_near("a", &mut hint), None);
    }

    #[test]
    fn numbers_keep_their_exact_text() {
        let root = parse_ok("a: 1.10\nb: 0.30000000000000004441\nc: 81.76875\nd: -5\nf: .5\n");
        let text = |k: &str| match &root.get(k).unwrap().value {
            Value::Number(d) => d.to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(text("a"), "1.10");
        assert_eq!(text("b"), "0.30000000000000004441");
        assert_eq!(text("c"), "81.76875");
        assert_eq!(text("d"), "-5");
        assert_eq!(text("f"), "0.5");
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let root = parse_ok("a: yes\nb: true\nc: ~\nd: '12'\ne: 1,841\nf: 12%\n");
        assert_eq!(root.get("a").unwrap().value, Value::String("yes".into()));
        assert_eq!(root.get("b").unwrap().value, Value::Bool(true));
        assert_eq!(root.get("c").unwrap().value, Value::Null);
        assert_eq!(root.get("d").unwrap().value, Value::String("12".into()));
        assert_eq!(root.get("e").unwrap().value, Value::String("1,841".into()));
        assert_eq!(root.get("f").unwrap().value, Value::String("12%".into()));
    }

    #[test]
    fn values_know_their_line_and_column() {
        let root = parse_ok("name: 横溪村\nregistered:\n  households: 78\n");
        let households = root.get("registered").unwrap().get("households").unwrap();
        assert_eq!((households.line, households.col), (3, 15));
        let name = root.get("name").unwrap();
        assert_eq!((name.line, name.col), (1, 7));
    }

    #[test]
    fn refuses_duplicate_keys_with_both_places() {
        let d = parse_err("a: 1\nb: 2\na: 3\n");
        assert_eq!(d.code, "yaml-duplicate-key");
        assert_eq!(d.location.unwrap().to_string(), "t.yaml:3:1");
        assert!(d.message.zh.contains("第 1 行"));
        // A long mapping finds its keys through an index: the same message.
        let long: String = (0..100).map(|i| format!("k{i}: {i}\n")).collect();
        let d = parse_err(&format!("{long}k7: again\n"));
        assert_eq!(d.code, "yaml-duplicate-key");
        assert_eq!(d.location.unwrap().to_string(), "t.yaml:101:1");
        assert!(d.message.zh.contains("第 8 行"), "{}", d.message.zh);
        let d = parse_err(&format!("{long}k99: again\n"));
        assert!(d.message.zh.contains("第 100 行"), "{}", d.message.zh);
        let nested: String = (0..100).map(|i| format!("  k{i}: {i}\n")).collect();
        assert!(parse(&format!("a:\n{nested}b:\n{nested}"), Path::new("t.yaml")).is_ok());
        // In an item of a list, most often a new item whose `- ` was left out.
        let d = parse_err("xs:\n  - year: 2014\n    n: 1\n    year: 2015\n    n: 2\n");
        assert_eq!(d.code, "yaml-duplicate-key");
        let hint = d.hint.map(|h| h.zh).unwrap_or_default();
        assert!(
            hint.starts_with("如果第 4 行开始的是新的一项，在「year」前写上「- 」"),
            "{hint}"
        );
        let d = parse_err("a: 1\na: 2\n");
        let hint = d.hint.map(|h| h.zh).unwrap_or_default();
        assert!(hint.starts_with("删除其中一个，或者改名"), "{hint}");
    }

    #[test]
    fn a_key_keeps_its_place_near_and_far() {
        let name = crate::intern::Name::new("people");
        for (line, col) in [
            (1, 1),
            (7, 1023),
            (7, 1024),
            (2_097_151, 3),
            (2_097_152, 3),
            (16_000_000, 40_000),
        ] {
            let key = Key::new(name, line, col);
            assert_eq!((key.line(), key.col()), (line, col));
            // The same place is the same key, however it is kept.
            assert_eq!(key, Key::new(name, line, col));
            assert_ne!(key, Key::new(name, line, col + 1));
        }
        // Through the reader: a key of a flow mapping past column 1,023, named in the
        // message of its duplicate.
        let filler = "x".repeat(1100);
        let d = parse_err(&format!("{{a: {filler}, b: 1, b: 2}}\n"));
        assert_eq!(d.code, "yaml-duplicate-key");
        assert!(
            d.message.zh.contains("第 1 行第 1107 列"),
            "{}",
            d.message.zh
        );
        assert_eq!(d.location.unwrap().to_string(), "t.yaml:1:1113");
    }

    #[test]
    fn refuses_what_report_data_should_not_use() {
        assert_eq!(parse_err("a: &x 1\nb: *x\n").code, "yaml-alias");
        assert_eq!(parse_err("a: !!float 1\n").code, "yaml-tag");
        assert_eq!(parse_err("a: 1\n---\nb: 2\n").code, "yaml-documents");
        assert_eq!(parse_err("").code, "yaml-empty");
        assert_eq!(parse_err("a:\n\tb: 1\n").code, "yaml-tab");
        // Every line indented with a Tab, at once.
        let problems = parse("a:\n\tb: 1\n\tc: 2\n  d: 3\n", Path::new("t.yaml")).unwrap_err();
        let lines: Vec<usize> = problems
            .iter()
            .map(|p| p.location.clone().unwrap().line)
            .collect();
        assert_eq!(lines, [2, 3]);
        assert_eq!(parse_err("a: [1, 2\n").code, "yaml-syntax");
        assert_eq!(parse_err("a: .inf\n").code, "yaml-number");
        let scientific = parse_err("a: 1\nb: 1.09452E+03\n");
        assert_eq!(scientific.code, "number-scientific");
        assert_eq!(scientific.location.unwrap().to_string(), "t.yaml:2:4");
        assert_eq!(
            parse_err("a: 123456789012345678901234567890123\n").code,
            "yaml-number"
        );
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(parse_err(&deep).code, "yaml-depth");
    }

    #[test]
    fn keyboard_slips_are_found_at_their_own_place() {
        let d = parse_err("name: 横溪村\nregistered:\n  people：468\n  households: 1\n");
        assert_eq!(d.code, "yaml-fullwidth");
        assert_eq!(d.location.unwrap().to_string(), "t.yaml:3:9");
        assert!(d.hint.unwrap().zh.contains("全角冒号"));
        // `a:1` alone parses as the text "a:1": still a slip.
        let d = parse_err("a:1\n");
        assert_eq!(d.code, "yaml-colon-space");
        assert_eq!(d.location.unwrap().to_string(), "t.yaml:1:2");
        let d = parse_err("- name:胡家村\n");
        assert_eq!(d.location.unwrap().to_string(), "t.yaml:1:7");
        let d = parse_err("a:\n\u{3000}\u{3000}b: 1\n");
        assert_eq!(d.code, "yaml-fullwidth");
        assert_eq!(d.location.unwrap().to_string(), "t.yaml:2:1");
    }

    #[test]
    fn full_width_commas_and_colons_in_flow_collections_are_slips() {
        // In a list YAML reads `1， 2` as one item, silently: a slip all the same.
        let d = parse_err("counts: [1， 2]\n");
        assert_eq!(d.code, "yaml-fullwidth");
        assert_eq!(d.location.unwrap().to_string(), "t.yaml:1:11");
        assert!(d.hint.unwrap().zh.contains("全角逗号"));
        // In a mapping the parser stops a column later: the comma is reported instead.
        let d = parse_err("a: {b: 1， c: 2}\n");
        assert_eq!(d.location.unwrap().to_string(), "t.yaml:1:9");
        // A list item's collection, and a collection over two lines.
        let d = parse_err("- [因病，因学]\n");
        assert_eq!(d.location.unwrap().to_string(), "t.yaml:1:6");
        let d = parse_err("a: [1,\n  2， 3]\n");
        assert_eq!(d.location.unwrap().to_string(), "t.yaml:2:4");
        // A full-width colon after a key in braces: YAML would read one key `b：1`.
        let d = parse_err("a: {b：1, c: 2}\n");
        assert_eq!(d.code, "yaml-fullwidth");
        assert_eq!(d.location.unwrap().to_string(), "t.yaml:1:6");
        assert!(
            d.message.zh.contains("键「b」后面是全角冒号"),
            "{}",
            d.message.zh
        );
        // Quoted items, text that is not a collection, comments and block scalars are not.
        let text = "a: [\"因病，因学\", '甲，''乙''']\nb: 见[附件]，说明\nc: 1  # [1，2]\nd: |\n  [1，2]\ne: {x: \"1，2\", y: 说明：文字}\nf: [k：v]\n";
        assert_eq!(keyboard_slips(text), vec![]);
        parse_ok(text);
    }

    #[test]
    fn a_text_wrapped_onto_a_line_without_indentation_is_told_at_that_line() {
        let told = |text: &str| {
            let problems = parse(text, Path::new("t.yaml")).unwrap_err();
            let at = problems[0].location.clone().unwrap();
            (at.line, at.col, problems[0].hint.clone().unwrap().zh)
        };
        let (line, col, hint) =
            told("name: 横溪村\nlocation: 位于北部，\n交通便利。\nyear: 2020\n");
        assert_eq!((line, col), (3, 1));
        assert!(
            hint.starts_with(
                "合成一行（location: 位于北部，交通便利。），或在接着写的每一行前面空 2 格"
            ),
            "{hint}"
        );
        // The file's last value: the parser stops past the end.
        let (line, _, _) = told("name: 横溪村\nsummary: 第一句，\n第二句。\n");
        assert_eq!(line, 3);
        // In a record: indented as its key.
        let (line, col, hint) = told("registered:\n  note: 第一句，\n  第二句。\n  people: 3\n");
        assert_eq!((line, col), (3, 3));
        assert!(hint.contains("前面空 4 格"), "{hint}");
        // Indented deeper, it is part of the text.
        assert!(
            parse(
                "summary: 第一句，\n  第二句。\nyear: 2020\n",
                Path::new("t.yaml")
            )
            .is_ok()
        );
    }

    #[test]
    fn a_lone_dash_for_none_is_told_what_to_write() {
        for (text, line, col) in [
            ("name: 横溪村\nhouseholds: -\npeople: 3\n", 2, 13),
            ("registered:\n  households: -   # 无\n  people: 3\n", 2, 15),
            ("households: -\n", 1, 13),
        ] {
            let problems = parse(text, Path::new("t.yaml")).unwrap_err();
            let at = problems[0].location.clone().unwrap();
            assert_eq!((at.line, at.col), (line, col), "{text}");
            assert!(problems[0].message.zh.contains("单独的「-」"), "{text}");
            assert!(
                problems[0]
                    .hint
                    .clone()
                    .unwrap()
                    .zh
                    .starts_with("是 0 就写 0"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_text_cut_short_by_a_comment_is_an_error_at_its_hash() {
        let cut = |text: &str| {
            parse(text, Path::new("t.yaml")).err().map(|problems| {
                (
                    problems[0].location.clone().unwrap(),
                    problems[0].hint.clone().unwrap().zh,
                )
            })
        };
        let (at, hint) = cut("name: 横溪村\nsummary: 按县扶贫办 #12号文件派驻\n").unwrap();
        assert_eq!((at.line, at.col), (2, 16));
        assert!(
            hint.contains("summary: \"按县扶贫办 #12号文件派驻\""),
            "{hint}"
        );
        let (at, hint) = cut("items:\n  - 第一项 #1\n").unwrap();
        assert_eq!((at.line, at.col), (2, 9));
        assert!(hint.contains("- \"第一项 #1\""), "{hint}");
        for fine in [
            "summary: 按县扶贫办 # 注释\n",
            "summary: \"按县扶贫办 #12号\"\n",
            "summary: '按县扶贫办 #12号'\n",
            "households: 132 #户\n",
            "summary: |\n  按县扶贫办 #12号文件\n",
            "summary: 按县扶贫办#12号文件\n",
            "summary: 按县扶贫办 ##\n",
            "summary: [甲, 乙] #注\n",
            "summary: {a: 甲} #注\n",
        ] {
            assert!(cut(fine).is_none(), "{fine}");
        }
    }

    #[test]
    fn prose_comments_and_block_scalars_are_not_slips() {
        let text = "# people：468\nsummary: 说明：文字 a:b\nnote: |\n  key：value\n  a:b\nurl: http://x\nlist:\n  - |\n    Note：x\n  - >-\n    k:v\nend: 1  # k:v\nprose: 第一行\n  　　第二行\n";
        assert_eq!(keyboard_slips(text), vec![]);
        parse_ok(text);
    }

    #[test]
    fn parser_messages_are_translated_or_kept() {
        for info in [
            "simple key expect ':'",
            "while parsing a block mapping, did not find expected key",
            "while scanning a quoted scalar, found unexpected end of stream",
            "unexpected character: `@'",
            "while parsing a tag, did not find expected tag URI",
        ] {
            assert!(parser_message_zh(info).is_some(), "{info}");
        }
        assert_eq!(parser_message_zh("something new"), None);
        let d = parse_err("a: {b: 1 c: 2}\n");
        assert!(!d.message.zh.contains("did not find"), "{}", d.message.zh);
        assert!(d.message.en.contains("did not find") || d.message.en.contains("expected"));
        let d = syntax_error(Location::file("t.yaml"), "something new");
        assert!(d.message.zh.contains("YAML 语法错误") && d.message.zh.contains("something new"));
    }

    #[test]
    fn a_list_item_s_dash_without_its_space_or_not_a_minus_is_said_at_it() {
        let list = "exits:\n  - year: 2014\n    people: 1\n  - year: 2015\n    people: 2\n";
        for (typed, zh, en) in [
            (
                "  -year: 2015",
                "「-year」：列表项的「-」后面要有一个半角空格",
                "`-year`: a list item's `-` is followed by a space",
            ),
            (
                "  – year: 2015",
                "「–」不是半角减号：列表项要以半角的「- 」（减号和空格）开头",
                "`–` is not a half-width minus",
            ),
            (
                "  －year : 2015",
                "「－」不是半角减号",
                "`－` is not a half-width minus",
            ),
        ] {
            let text = list.replace("  - year: 2015", typed);
            let d = parse_err(&text);
            assert_eq!(d.code, "yaml-syntax", "{typed}");
            assert!(d.message.zh.starts_with(zh), "{typed}: {}", d.message.zh);
            assert!(d.message.en.starts_with(en), "{typed}: {}", d.message.en);
            let at = d.location.as_ref().map(|l| (l.line, l.col));
            assert_eq!(at, Some((4, 3)), "{typed}");
            let hint = d.hint.as_ref().map(|h| h.zh.as_str());
            assert!(
                hint.is_some_and(|h| h.starts_with("写成 - year")),
                "{typed}: {hint:?}"
            );
        }
        // A negative number's minus is no list item's (`a: -1` parses; `-1` alone is text).
        assert!(parse("a:\n  - -1\n  - 2\n", Path::new("t.yaml")).is_ok());
    }

    #[test]
    fn a_bracket_left_open_is_said_where_it_opens() {
        // The parser stops on a later line; the `[` or `{` is on its own. A bracket inside
        // a text, quoted or plain, or in a comment, opens nothing.
        for (text, line, col, said) in [
            ("a: [1, 2\nb: 3\n", 1, 4, "这个「[」没有配对的「]」"),
            (
                "name: 第[1]村 [x\nnote: \"{\" # {\nb: {c: 1, d: 2\ne: 1\n",
                3,
                4,
                "这个「{」没有配对的「}」",
            ),
            ("- [a, {b: 1}\n- c\n", 1, 3, "这个「[」没有配对的「]」"),
        ] {
            let d = parse_err(text);
            assert_eq!(
                (d.code, d.message.zh.as_str()),
                ("yaml-syntax", &*format!("YAML 语法错误：{said}")),
                "{text}"
            );
            let at = d.location.as_ref().map(|l| (l.line, l.col));
            assert_eq!(at, Some((line, col)), "{text}");
        }
    }

    #[test]
    fn a_quoted_value_starts_inside_its_quotes() {
        let root = parse_ok("a: \"x y\"\nb: 'z'\nc: w\n");
        assert_eq!(root.get("a").unwrap().col, 5);
        assert_eq!(root.get("b").unwrap().col, 5);
        assert_eq!(root.get("c").unwrap().col, 4);
    }

    #[test]
    fn crlf_line_endings_are_read() {
        let root = parse_ok("a: 1\r\nb: 2.50\r\n");
        assert_eq!(
            root.get("b").unwrap().value,
            Value::Number(Decimal::new(250, 2))
        );
    }
}

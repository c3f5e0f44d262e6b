//! A YAML reader that keeps every value's line and column and reads numbers exactly.
//!
//! Built on `saphyr-parser`'s event stream rather than a serde deserializer so that huibao
//! decides itself what YAML means for report data:
//! - numbers become [`Decimal`]s parsed from their text (never through `f64`),
//! - duplicate keys, anchors and aliases, tags, several documents and very deep nesting are
//!   refused with a located message instead of being silently accepted,
//! - scalars follow the YAML 1.2 core schema (`yes`/`no` are text, not booleans).

use rust_decimal::Decimal;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::path::Path;

use crate::diagnostics::{Diagnostic, Location, Text};

use super::scalar::resolve_plain;
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

/// A key of a mapping, with its place.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key's text, shared by every mapping of the thread's files with that key (10,000
    /// village files name the same hundred fields).
    pub name: std::sync::Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
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
    String(String),
    /// A sequence.
    List(Vec<Node>),
    /// A mapping, in the order of the file; keys are unique.
    Map(Vec<(Key, Node)>),
}

impl Value {
    /// The text a scalar is known by (`2015`, `因病`, `true`); `None` for null, lists and
    /// mappings.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.clone()),
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
    if let Some(diagnostic) = check_tab_indentation(text, file) {
        return Err(vec![diagnostic]);
    }
    // Most data files are plain block YAML, which the quick reader reads into the same tree
    // as the full parser; anything else (or a mistake) is read by the full parser.
    let root = match super::quick::read(text, file) {
        Some(root) => Some(root),
        None => full(text, file)?,
    };
    check_slips(text, file, root)
}

/// The tree of `text` read by the full parser (saphyr's events), or every problem found
/// before parsing stopped (at least one).
pub(super) fn full(text: &str, file: &Path) -> Result<Option<Node>, Vec<Diagnostic>> {
    let mut builder = Builder::new(file);
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(pair) => pair,
            Err(error) => {
                // A Chinese-keyboard slip (a full-width colon, a missing space after `:`)
                // makes the parser complain a line later in its own words: report the slip
                // itself, at its own line and column, when there is one up to the error.
                let marker = error.marker();
                let slips = keyboard_slips(text);
                if slips.iter().any(|slip| slip.line <= marker.line()) {
                    return Err(slips.iter().map(|slip| slip.diagnostic(file)).collect());
                }
                let location = Location::new(file, marker.line(), marker.col() + 1);
                let mut problems = vec![syntax_error(location, error.info())];
                problems.extend(slips.iter().map(|slip| slip.diagnostic(file)));
                return Err(problems);
            }
        };
        builder.on_event(event, span).map_err(|d| vec![d])?;
    }
    Ok(builder.root)
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
                slip.kind == SlipKind::FullWidthIndent || !key_lines.contains(&slip.line)
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

/// YAML forbids tabs in indentation; say so plainly rather than through the parser's words.
fn check_tab_indentation(text: &str, file: &Path) -> Option<Diagnostic> {
    memchr::memchr(b'\t', text.as_bytes())?;
    for (index, line) in text.lines().enumerate() {
        let indent: String = line
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        if let Some(col) = indent.chars().position(|c| c == '\t') {
            if line.trim().is_empty() {
                continue;
            }
            return Some(
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
    }
    None
}

enum Frame {
    List {
        items: Vec<Node>,
        line: u32,
        col: u32,
    },
    Map {
        entries: Vec<(Key, Node)>,
        /// Key → its entry, made once a mapping is long enough that looking through its
        /// keys would be slow (most have a few dozen: a look is quicker than a hash).
        index: Option<rustc_hash::FxHashMap<std::sync::Arc<str>, usize>>,
        pending_key: Option<Key>,
        line: u32,
        col: u32,
    },
}

/// Makes a located tree from a parser's events (saphyr's, or the quick reader's), with the
/// checks that make it report data: unique keys, no anchors or tags, one document, numbers
/// read exactly.
pub(super) struct Builder<'a> {
    file: &'a Path,
    stack: Vec<Frame>,
    /// The finished tree, once its last event came.
    pub(super) root: Option<Node>,
    documents: usize,
}

impl<'a> Builder<'a> {
    /// A builder of `file`'s tree (`file` names locations only).
    pub(super) fn new(file: &'a Path) -> Self {
        Builder {
            file,
            stack: Vec::new(),
            root: None,
            documents: 0,
        }
    }

    fn location(&self, span: Span) -> Location {
        Location::new(self.file, span.start.line(), span.start.col() + 1)
    }

    fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<(), Diagnostic> {
        let is_list = matches!(event, Event::SequenceStart(..));
        let (line, col) = (span.start.line() as u32, span.start.col() as u32 + 1);
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(Diagnostic::error(
                        "yaml-documents",
                        Some(self.location(span)),
                        Text::new(
                            "一个文件里有多个 YAML 文档（---）",
                            "several YAML documents (---) in one file",
                        ),
                    )
                    .with_hint(Text::new(
                        "每个数据文件只写一个文档：删除多余的 ---，或把它拆成几个文件",
                        "keep one document per data file: remove the extra --- or split the file",
                    )));
                }
            }
            Event::Alias(_) => return Err(self.anchor_error(span)),
            Event::Scalar(text, style, anchor, tag) => {
                self.refuse_anchor_and_tag(anchor, tag.as_deref(), span)?;
                self.scalar(text, style, line, col)?;
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                self.refuse_anchor_and_tag(anchor, tag.as_deref(), span)?;
                self.open(is_list, line, col)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// A scalar at `line`:`col` (for a quoted one, its opening quote): a mapping's key when
    /// the mapping awaits one, else a value.
    pub(super) fn scalar(
        &mut self,
        text: std::borrow::Cow<'_, str>,
        style: ScalarStyle,
        line: u32,
        col: u32,
    ) -> Result<(), Diagnostic> {
        if matches!(
            self.stack.last(),
            Some(Frame::Map {
                pending_key: None,
                ..
            })
        ) {
            return self.on_key(&text, line, col);
        }
        // A quoted value's place is its first character inside the quotes, so that a column
        // counted into the text lands on the character itself.
        let value_col = match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => col + 1,
            _ => col,
        };
        let value = if style == ScalarStyle::Plain {
            resolve_plain(&text).map_err(|message| {
                Diagnostic::error("yaml-number", Some(self.at(line, col)), message).with_hint(
                    Text::new(
                        "写一个不超过 28 位有效数字的普通数字；如果这是文本，请加引号",
                        "write an ordinary number of at most 28 significant digits; if it is text, put it in quotes",
                    ),
                )
            })?
        } else {
            Value::String(text.into_owned())
        };
        self.push(Node {
            value,
            line,
            col: value_col,
        });
        Ok(())
    }

    /// A list (`is_list`) or mapping starting at `line`:`col`.
    pub(super) fn open(&mut self, is_list: bool, line: u32, col: u32) -> Result<(), Diagnostic> {
        if matches!(
            self.stack.last(),
            Some(Frame::Map {
                pending_key: None,
                ..
            })
        ) {
            return Err(Diagnostic::error(
                "yaml-complex-key",
                Some(self.at(line, col)),
                Text::new("映射的键必须是简单文本", "a mapping key must be plain text"),
            ));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(Diagnostic::error(
                "yaml-depth",
                Some(self.at(line, col)),
                Text::new(
                    format!("嵌套超过 {MAX_DEPTH} 层"),
                    format!("nested more than {MAX_DEPTH} levels deep"),
                ),
            )
            .with_hint(Text::new("把数据写得扁平一些", "flatten the data")));
        }
        self.stack.push(if is_list {
            Frame::List {
                items: Vec::new(),
                line,
                col,
            }
        } else {
            Frame::Map {
                entries: Vec::new(),
                index: None,
                pending_key: None,
                line,
                col,
            }
        });
        Ok(())
    }

    /// The end of the innermost open list or mapping.
    pub(super) fn close(&mut self) {
        // Held for the whole build: no room left over from growing.
        let node = match self.stack.pop() {
            Some(Frame::List {
                mut items,
                line,
                col,
            }) => {
                items.shrink_to_fit();
                Node {
                    value: Value::List(items),
                    line,
                    col,
                }
            }
            Some(Frame::Map {
                mut entries,
                line,
                col,
                ..
            }) => {
                entries.shrink_to_fit();
                Node {
                    value: Value::Map(entries),
                    line,
                    col,
                }
            }
            None => return,
        };
        self.push(node);
    }

    fn at(&self, line: u32, col: u32) -> Location {
        Location::new(self.file, line as usize, col as usize)
    }

    fn on_key(&mut self, name: &str, line: u32, col: u32) -> Result<(), Diagnostic> {
        let file = self.file;
        if let Some(Frame::Map {
            entries,
            index,
            pending_key,
            ..
        }) = self.stack.last_mut()
        {
            let first = match index {
                Some(index) => index.get(name).and_then(|&i| entries.get(i)),
                None => entries.iter().find(|(key, _)| *key.name == *name),
            };
            if let Some((
                Key {
                    line: first_line,
                    col: first_col,
                    ..
                },
                _,
            )) = first
            {
                return Err(Diagnostic::error(
                    "yaml-duplicate-key",
                    Some(Location::new(file, line as usize, col as usize)),
                    Text::new(
                        format!("键「{name}」重复：第 {first_line} 行第 {first_col} 列已经有它"),
                        format!("duplicate key `{name}`: it is already at line {first_line}, column {first_col}"),
                    ),
                )
                .with_hint(Text::new(
                    "删除其中一个，或者改名；huibao 不会悄悄地只保留最后一个",
                    "remove one of them or rename it; huibao does not silently keep the last one",
                )));
            }
            const LONG_MAPPING: usize = 32;
            if index.is_none() && entries.len() >= LONG_MAPPING {
                let known = entries.iter().enumerate();
                *index = Some(known.map(|(i, (key, _))| (key.name.clone(), i)).collect());
            }
            let name = crate::intern::intern(name);
            // Its value comes next: the key's entry will be the next one.
            if let Some(index) = index {
                index.insert(name.clone(), entries.len());
            }
            *pending_key = Some(Key { name, line, col });
        }
        Ok(())
    }

    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            Some(Frame::List { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => {
                if let Some(key) = pending_key.take() {
                    entries.push((key, node));
                }
            }
            None => self.root = Some(node),
        }
    }

    /// Report data use plain values: an anchor (`&a`) or a tag (`!!float`) is refused.
    fn refuse_anchor_and_tag(
        &self,
        anchor: usize,
        tag: Option<&saphyr_parser::Tag>,
        span: Span,
    ) -> Result<(), Diagnostic> {
        if anchor != 0 {
            return Err(self.anchor_error(span));
        }
        match tag {
            Some(tag) => Err(self.tag_error(span, &format!("{}{}", tag.handle, tag.suffix))),
            None => Ok(()),
        }
    }

    fn anchor_error(&self, span: Span) -> Diagnostic {
        Diagnostic::error(
            "yaml-alias",
            Some(self.location(span)),
            Text::new(
                "不支持 YAML 锚点（&）和别名（*）",
                "YAML anchors (&) and aliases (*) are not supported",
            ),
        )
        .with_hint(Text::new(
            "把数值直接写出来：报表数据要让人一眼看清每个数",
            "write the values out: every figure of a report should be visible where it is used",
        ))
    }

    fn tag_error(&self, span: Span, tag: &str) -> Diagnostic {
        Diagnostic::error(
            "yaml-tag",
            Some(self.location(span)),
            Text::new(
                format!("不支持 YAML 标签「{tag}」"),
                format!("YAML tags such as `{tag}` are not supported"),
            ),
        )
        .with_hint(Text::new(
            "删除标签；要写文本就加引号",
            "remove the tag; to write text, put it in quotes",
        ))
    }
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
    fn numbers_keep_their_exact_text() {
        let root =
            parse_ok("a: 1.10\nb: 0.30000000000000004441\nc: 81.76875\nd: -5\ne: 1e3\nf: .5\n");
        let text = |k: &str| match &root.get(k).unwrap().value {
            Value::Number(d) => d.to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(text("a"), "1.10");
        assert_eq!(text("b"), "0.30000000000000004441");
        assert_eq!(text("c"), "81.76875");
        assert_eq!(text("d"), "-5");
        assert_eq!(text("e"), "1000");
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
    }

    #[test]
    fn refuses_what_report_data_should_not_use() {
        assert_eq!(parse_err("a: &x 1\nb: *x\n").code, "yaml-alias");
        assert_eq!(parse_err("a: !!float 1\n").code, "yaml-tag");
        assert_eq!(parse_err("a: 1\n---\nb: 2\n").code, "yaml-documents");
        assert_eq!(parse_err("").code, "yaml-empty");
        assert_eq!(parse_err("a:\n\tb: 1\n").code, "yaml-tab");
        assert_eq!(parse_err("a: [1, 2\n").code, "yaml-syntax");
        assert_eq!(parse_err("a: .inf\n").code, "yaml-number");
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
        let d = parse_err("a: [1, 2\n");
        assert!(!d.message.zh.contains("did not find"), "{}", d.message.zh);
        assert!(d.message.en.contains("did not find") || d.message.en.contains("expected"));
        let d = syntax_error(Location::file("t.yaml"), "something new");
        assert!(d.message.zh.contains("YAML 语法错误") && d.message.zh.contains("something new"));
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

//! The located tree of a YAML file, made from a parser's events — saphyr-parser's, or the
//! quick reader's ([`super::quick`]) — with the checks that make it report data: unique keys,
//! no anchors or tags, one document, limited depth, numbers read exactly.

use saphyr_parser::{Event, ScalarStyle, Span};
use std::path::Path;

use super::scalar::resolve_plain;
use super::yaml::{Key, MAX_DEPTH, Node, Value};
use crate::diagnostics::{Diagnostic, Location, Text};
use crate::intern::Name;

/// A list or mapping being read.
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
        index: Option<rustc_hash::FxHashMap<Name, usize>>,
        pending_key: Option<Key>,
        line: u32,
        col: u32,
    },
}

/// Emptied lists and mappings of this thread's files, their room kept: a list or mapping is
/// read into a spare one and copied out once, at its length, when it ends — not grown a
/// few times and shrunk (an eighth of the load's time at 10,000 village files).
#[derive(Default)]
struct Spares {
    items: Vec<Vec<Node>>,
    entries: Vec<Vec<(Key, Node)>>,
}

/// How many spares a thread keeps of each kind, and the most room one may keep.
const SPARES_KEPT: usize = MAX_DEPTH;
const SPARE_ROOM: usize = 4096;

thread_local! {
    static SPARES: std::cell::RefCell<Spares> = std::cell::RefCell::default();
}

/// `spare`'s values in a vector of their length; `spare`, empty, kept for the next one.
fn copied_out<T>(mut spare: Vec<T>, keep: impl FnOnce(&mut Spares) -> &mut Vec<Vec<T>>) -> Vec<T> {
    let mut exact = Vec::with_capacity(spare.len());
    exact.append(&mut spare);
    if spare.capacity() <= SPARE_ROOM {
        SPARES.with_borrow_mut(|spares| {
            let kept = keep(spares);
            if kept.len() < SPARES_KEPT {
                kept.push(spare);
            }
        });
    }
    exact
}

/// Makes a located tree from a parser's events.
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

    /// One event of saphyr-parser, at `span`.
    pub(super) fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<(), Diagnostic> {
        let is_list = matches!(event, Event::SequenceStart(..));
        let (line, col) = (span.start.line() as u32, span.start.col() as u32 + 1);
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(Diagnostic::error(
                        "yaml-documents",
                        Some(self.at(line, col)),
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
            Event::Alias(_) => return Err(self.anchor_error(line, col)),
            Event::Scalar(text, style, anchor, tag) => {
                self.refuse_anchor_and_tag(anchor, tag.as_deref(), (line, col))?;
                self.scalar(text, style, line, col)?;
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                self.refuse_anchor_and_tag(anchor, tag.as_deref(), (line, col))?;
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
            resolve_plain(&text).map_err(|unreadable| {
                Diagnostic::error(
                    unreadable.code,
                    Some(self.at(line, col)),
                    unreadable.message,
                )
                .with_hint(unreadable.hint)
            })?
        } else {
            Value::String(text.into())
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
                items: SPARES
                    .with_borrow_mut(|s| s.items.pop())
                    .unwrap_or_default(),
                line,
                col,
            }
        } else {
            Frame::Map {
                entries: SPARES
                    .with_borrow_mut(|s| s.entries.pop())
                    .unwrap_or_default(),
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
        // Held for the whole build: no room left over.
        let node = match self.stack.pop() {
            Some(Frame::List { items, line, col }) => Node {
                value: Value::List(copied_out(items, |s| &mut s.items).into_boxed_slice()),
                line,
                col,
            },
            Some(Frame::Map {
                entries, line, col, ..
            }) => Node {
                value: Value::Map(copied_out(entries, |s| &mut s.entries).into_boxed_slice()),
                line,
                col,
            },
            None => return,
        };
        self.push(node);
    }

    /// The place `line`:`col` of this builder's file.
    fn at(&self, line: u32, col: u32) -> Location {
        Location::new(self.file, line as usize, col as usize)
    }

    fn on_key(&mut self, text: &str, line: u32, col: u32) -> Result<(), Diagnostic> {
        let file = self.file;
        let name = Name::new(text);
        // Whether the mapping is an item of a list: a key met again there is most often a
        // new item whose `- ` was left out.
        let in_list =
            self.stack.len() >= 2 && matches!(self.stack[self.stack.len() - 2], Frame::List { .. });
        if let Some(Frame::Map {
            entries,
            index,
            pending_key,
            ..
        }) = self.stack.last_mut()
        {
            let first = match index {
                Some(index) => index.get(&name).and_then(|&i| entries.get(i)),
                None => entries.iter().find(|(key, _)| key.name == name),
            };
            if let Some((first, _)) = first {
                let (first_line, first_col) = first.line_col();
                return Err(Diagnostic::error(
                    "yaml-duplicate-key",
                    Some(Location::new(file, line as usize, col as usize)),
                    Text::new(
                        format!("键「{name}」重复：第 {first_line} 行第 {first_col} 列已经有它"),
                        format!("duplicate key `{name}`: it is already at line {first_line}, column {first_col}"),
                    ),
                )
                .with_hint(match in_list {
                    true => Text::new(
                        format!("如果第 {line} 行开始的是新的一项，在「{name}」前写上「- 」（减号和空格），与上面各项的「- 」对齐；不然删除其中一个"),
                        format!("if line {line} starts a new item, write `- ` (a minus and a space) before `{name}`, in line with the items above; else remove one of them"),
                    ),
                    false => Text::new(
                        "删除其中一个，或者改名；huibao 不会悄悄地只保留最后一个",
                        "remove one of them or rename it; huibao does not silently keep the last one",
                    ),
                }));
            }
            const LONG_MAPPING: usize = 32;
            if index.is_none() && entries.len() >= LONG_MAPPING {
                let known = entries.iter().enumerate();
                *index = Some(known.map(|(i, (key, _))| (key.name, i)).collect());
            }
            // Its value comes next: the key's entry will be the next one.
            if let Some(index) = index {
                index.insert(name, entries.len());
            }
            *pending_key = Some(Key::new(name, line, col));
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
        (line, col): (u32, u32),
    ) -> Result<(), Diagnostic> {
        if anchor != 0 {
            return Err(self.anchor_error(line, col));
        }
        match tag {
            Some(tag) => Err(self.tag_error(line, col, &format!("{}{}", tag.handle, tag.suffix))),
            None => Ok(()),
        }
    }

    fn anchor_error(&self, line: u32, col: u32) -> Diagnostic {
        Diagnostic::error(
            "yaml-alias",
            Some(self.at(line, col)),
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

    fn tag_error(&self, line: u32, col: u32, tag: &str) -> Diagnostic {
        Diagnostic::error(
            "yaml-tag",
            Some(self.at(line, col)),
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

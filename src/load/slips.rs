//! Chinese-keyboard slips in YAML (a full-width colon or space, a missing space after `:`),
//! found line by line so that each is reported where it is, and the YAML parser's messages
//! in Chinese.

use std::path::Path;

use super::yaml::{Node, Value};
use crate::diagnostics::{Diagnostic, Location, Text};

/// saphyr-parser's messages (its `ScanError`s) that a data file can meet, and their Chinese.
const MESSAGES: &[(&str, &str)] = &[
    (
        "simple key expect ':'",
        "这一行（或上一行）的键后面缺少半角冒号「:」",
    ),
    (
        "simple key expected",
        "这里应是「键: 值」，缺少半角冒号「:」",
    ),
    (
        "mapping values are not allowed in this context",
        "这里不能再写「键: 值」：冒号前后的写法或缩进不对（值里有「: 」时请给值加引号）",
    ),
    (
        "mapping keys are not allowed in this context",
        "这里不能写键：检查缩进",
    ),
    (
        "block sequence entries are not allowed in this context",
        "这里不能写列表项「- 」：检查缩进",
    ),
    (
        "while parsing a block mapping, did not find expected key",
        "缩进不对：这一行与同一层的其他键没有对齐",
    ),
    (
        "while parsing a block collection, did not find expected '-' indicator",
        "列表项没有对齐：每一项都要以同样缩进的「- 」开头",
    ),
    (
        "while parsing a flow sequence, expected ',' or ']'",
        "方括号列表 [ … ] 里缺少半角逗号「,」或右括号「]」",
    ),
    (
        "while parsing a flow mapping, did not find expected ',' or '}'",
        "花括号 { … } 里缺少半角逗号「,」或右括号「}」",
    ),
    (
        "while parsing a node, did not find expected node content",
        "这里缺少值",
    ),
    ("did not find expected node content", "这里缺少值"),
    ("did not find expected next token", "这里有无法识别的内容"),
    (
        "did not find expected <document start>",
        "文件开头的写法不对",
    ),
    (
        "did not find expected <document-start>",
        "文件开头的写法不对",
    ),
    ("unexpected eof", "文件意外结束：括号或引号没有闭合"),
    (
        "while scanning a quoted scalar, found unexpected end of stream",
        "引号没有闭合：缺少结尾的半角引号",
    ),
    (
        "while scanning a quoted scalar, found unexpected document indicator",
        "引号没有闭合：缺少结尾的半角引号",
    ),
    (
        "invalid indentation in quoted scalar",
        "引号没有闭合（或引号里的多行文字缩进不对）：检查引号是否成对，且都是半角「\"」",
    ),
    (
        "invalid trailing content after double-quoted scalar",
        "引号结束后还有多余的内容",
    ),
    (
        "while parsing a quoted scalar, found unknown escape character",
        "双引号里有无效的转义（反斜杠「\\」）：改用单引号，或写成「\\\\」",
    ),
    (
        "while parsing a quoted scalar, found invalid Unicode character escape code",
        "双引号里的 \\u 转义无效",
    ),
    (
        "while parsing a quoted scalar, did not find expected hexadecimal number",
        "双引号里的 \\x 或 \\u 转义后缺少十六进制数字",
    ),
    ("invalid indentation", "缩进不对"),
    (
        "invalid indentation in flow construct",
        "括号里的内容缩进不对",
    ),
    (
        "wrongly indented line in block scalar",
        "多行文字（| 或 >）的某一行缩进不够",
    ),
    (
        "while scanning a block scalar, did not find expected comment or line break",
        "「|」或「>」后面只能换行或写注释",
    ),
    (
        "while scanning a block scalar, found an indentation indicator equal to 0",
        "「|」或「>」后的缩进数字不能是 0",
    ),
    (
        "a block scalar content cannot start with a tab",
        "多行文字不能以制表符（Tab）开头",
    ),
    (
        "while scanning a plain scalar, found a tab",
        "值里有制表符（Tab）：改成空格，或给值加引号",
    ),
    (
        "tabs disallowed within this context (block indentation)",
        "缩进里有制表符（Tab）：只能用空格缩进",
    ),
    (
        "tabs disallowed in this context",
        "这里不能有制表符（Tab）：改成空格",
    ),
    (
        "tab cannot be used as indentation",
        "缩进里有制表符（Tab）：只能用空格缩进",
    ),
    (
        "comment intercepting the multiline text",
        "多行的值中间插了注释（#）",
    ),
    (
        "found unprintable character",
        "有不可打印的控制字符：删除它",
    ),
    (
        "a byte order mark must not appear inside a document",
        "文件中间有字节顺序标记（BOM，U+FEFF）：删除它",
    ),
    ("unexpected end of plain scalar", "值意外结束"),
    (
        "plain scalar cannot start with '-' followed by ,[]{}",
        "值不能以「-」加括号或逗号开头：给值加引号",
    ),
    (
        "misplaced bracket",
        "括号位置不对：文字里有括号时给值加引号",
    ),
    (
        "illegal placement of ':' indicator",
        "冒号「:」位置不对：值里有冒号时给值加引号",
    ),
    (
        "':' must be followed by a valid YAML whitespace",
        "冒号「:」后面要有空格",
    ),
    (
        "'-' must be followed by a valid YAML whitespace",
        "列表项的「-」后面要有空格",
    ),
    (
        "':' may not precede any of `[{` in flow mapping",
        "花括号里冒号「:」后面要有空格",
    ),
    ("expected whitespace", "这里缺少空格"),
    (
        "\"-\" is only valid inside a block",
        "「-」只能用在块结构里：检查缩进",
    ),
    ("recursion limit exceeded", "嵌套太深"),
    (
        "invalid content after document end marker",
        "文档结束标记（...）后面还有内容",
    ),
    (
        "missing explicit document end marker before directive",
        "指令（%）前缺少文档结束标记",
    ),
    ("found incompatible YAML document", "YAML 版本不兼容"),
    ("duplicate version directive", "%YAML 指令重复"),
    (
        "while parsing anchor, found duplicated anchor",
        "锚点（&）重复：数据文件不用锚点",
    ),
    (
        "while parsing node, found unknown anchor",
        "别名（*）指向不存在的锚点：数据文件不用锚点和别名",
    ),
    (
        "while scanning an anchor or alias, did not find expected alphabetic or numeric character",
        "「&」或「*」后缺少名字：文字以 & 或 * 开头时给值加引号",
    ),
    (
        "unexpected character",
        "有 YAML 不允许放在值开头的字符（% @ `）：给值加引号",
    ),
    (
        "the handle wasn't declared",
        "标签（!）写法不对：数据文件不用标签，文字以 ! 开头时给值加引号",
    ),
];

/// A parser message in Chinese; unknown ones are shown in the parser's words (`None`).
pub(super) fn parser_message_zh(info: &str) -> Option<&'static str> {
    MESSAGES
        .iter()
        .find(|(en, _)| info == *en || (info.starts_with(en) && *en == "unexpected character"))
        .map(|(_, zh)| *zh)
        .or_else(|| {
            let lower = info.to_ascii_lowercase();
            (lower.contains("tag") || lower.contains("directive")).then_some(
                "标签（!）或指令（%）的写法不对：数据文件不用它们，文字以 ! 或 % 开头时给值加引号",
            )
        })
}

/// The kinds of Chinese-keyboard slips the line scan finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SlipKind {
    /// `people：468`: a full-width colon after a key.
    FullWidthColon,
    /// `people:468`: no space after the colon.
    MissingSpace,
    /// `people:　468`: a full-width space right after the colon.
    FullWidthSpaceAfterColon,
    /// `people:<Tab>468`: a tab after the colon, which the parser refuses (and an excerpt
    /// shows as a space).
    TabAfterColon,
    /// `　people: 468`: a full-width space in the indentation.
    FullWidthIndent,
    /// `{households：132}`: a full-width colon after a key in a flow mapping, which YAML
    /// reads as one key `households：132` with no value.
    FullWidthColonInBraces,
    /// `counts: [1， 2]`: a full-width comma between the items of a flow collection, which
    /// YAML reads as part of one item (`"1， 2"`) or, in `{…}`, as a syntax error.
    FullWidthComma,
}

/// One slip: where it is (1-based line, column in characters) and what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Slip {
    pub(super) kind: SlipKind,
    pub(super) line: usize,
    pub(super) col: usize,
    pub(super) key: String,
}

impl Slip {
    pub(super) fn diagnostic(&self, file: &Path) -> Diagnostic {
        let key = &self.key;
        let (code, message, hint) = match self.kind {
            SlipKind::FullWidthColon => (
                "yaml-fullwidth",
                Text::new(
                    format!("键「{key}」后面是全角冒号「：」，YAML 只认半角冒号「:」"),
                    format!(
                        "the key `{key}` is followed by a full-width colon `：`; YAML needs the ASCII colon `:`"
                    ),
                ),
                full_width_colon_hint(),
            ),
            SlipKind::MissingSpace => (
                "yaml-colon-space",
                Text::new(
                    format!("键「{key}」的冒号后面缺少空格，YAML 会把整行当成一段文字"),
                    format!(
                        "no space after the colon of the key `{key}`: YAML reads the whole line as text"
                    ),
                ),
                Text::new(
                    format!("在半角冒号后加一个半角空格，写成「{key}: 值」"),
                    format!("put a space after the colon: `{key}: value`"),
                ),
            ),
            SlipKind::TabAfterColon => (
                "yaml-tab",
                Text::new(
                    format!("键「{key}」的冒号后面是制表符（Tab），YAML 要求冒号后是空格"),
                    format!(
                        "the colon of the key `{key}` is followed by a tab; YAML needs a space there"
                    ),
                ),
                Text::new(
                    format!("把冒号后的 Tab 换成一个半角空格，写成「{key}: 值」"),
                    format!("replace the tab after the colon with one space: `{key}: value`"),
                ),
            ),
            SlipKind::FullWidthSpaceAfterColon => (
                "yaml-fullwidth",
                Text::new(
                    format!("键「{key}」的冒号后面是全角空格「　」，YAML 只认半角空格"),
                    format!(
                        "the colon of the key `{key}` is followed by a full-width space (U+3000); YAML needs an ASCII space"
                    ),
                ),
                Text::new(
                    "这里是全角空格，请切换到半角输入，把它换成一个半角空格",
                    "this is a full-width space (Chinese input): switch to half-width input and replace it with an ordinary space",
                ),
            ),
            SlipKind::FullWidthIndent => (
                "yaml-fullwidth",
                Text::new(
                    format!("键「{key}」前的缩进里有全角空格「　」，YAML 只认半角空格"),
                    format!(
                        "a full-width space (U+3000) in the indentation before the key `{key}`; YAML indents with ASCII spaces"
                    ),
                ),
                Text::new(
                    "这里是全角空格，请切换到半角输入，用半角空格缩进（通常每层两个）",
                    "this is a full-width space (Chinese input): switch to half-width input and indent with ordinary spaces (usually two per level)",
                ),
            ),
            SlipKind::FullWidthColonInBraces => (
                "yaml-fullwidth",
                Text::new(
                    format!(
                        "花括号 {{ … }} 里键「{key}」后面是全角冒号「：」，YAML 只认半角冒号「:」"
                    ),
                    format!(
                        "the key `{key}` inside {{ … }} is followed by a full-width colon `：`; YAML needs the ASCII colon `:`"
                    ),
                ),
                full_width_colon_hint(),
            ),
            SlipKind::FullWidthComma => (
                "yaml-fullwidth",
                Text::new(
                    "括号 [ … ] 或 { … } 里用了全角逗号「，」，YAML 只认半角逗号「,」：各项没有分开",
                    "a full-width comma `，` inside [ … ] or { … }: YAML separates items with the ASCII comma `,` only, so they were not separated",
                ),
                Text::new(
                    "这里是全角逗号，请切换到半角输入，写成「, 」（逗号后加一个空格）；若这个逗号是文字的一部分，给这一项加半角引号（\"…\"）",
                    "this is a full-width comma (Chinese input): switch to half-width input and write `, ` (a comma, then a space); if the comma belongs to the text, quote the item (\"…\")",
                ),
            ),
        };
        Diagnostic::error(
            code,
            Some(Location::new(file, self.line, self.col)),
            message,
        )
        .with_hint(hint)
    }
}

/// What to type for a full-width colon after a key, in a block or in braces.
fn full_width_colon_hint() -> Text {
    Text::new(
        "这里是全角冒号「：」，请切换到半角输入，写成「: 」（冒号后加一个空格）",
        "this is a full-width colon `：` (Chinese input): switch to half-width input and write `: ` (a colon, then a space)",
    )
}

/// Line by line, the key separators a Chinese keyboard gets wrong. Only a line whose text
/// before the mark is an ASCII key (`[A-Za-z_][A-Za-z0-9_]*`, optionally after `- `) is
/// looked at, so prose values that contain `：` are never taken for keys; comment lines and
/// the lines of block scalars (`|`, `>`) are skipped.
pub(super) fn keyboard_slips(text: &str) -> Vec<Slip> {
    if may_have_slips(text) {
        slips_line_by_line(text)
    } else {
        Vec::new()
    }
}

fn slips_line_by_line(text: &str) -> Vec<Slip> {
    let mut slips = Vec::new();
    // The indentation (in characters) of the key that opened a block scalar.
    let mut block: Option<usize> = None;
    // The flow collections (`[…]`, `{…}`) open at the end of the line before, and the
    // indentation of the line that opened the outermost.
    let mut flow = Flow::default();
    let mut chars: Vec<char> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        chars.clear();
        chars.extend(line.trim_end_matches('\r').chars());
        let indent = chars
            .iter()
            .take_while(|c| **c == ' ' || **c == '\u{3000}')
            .count();
        if let Some(key_indent) = block {
            if indent == chars.len() || indent > key_indent {
                continue;
            }
            block = None;
        }
        for (kind, col, key) in flow.slips(&chars, indent) {
            slips.push(Slip {
                kind,
                line: index + 1,
                col: col + 1,
                key,
            });
        }
        let mut i = indent;
        while chars.get(i) == Some(&'-') && matches!(chars.get(i + 1), Some(' ' | '\u{3000}')) {
            i += 2;
            while matches!(chars.get(i), Some(' ' | '\u{3000}')) {
                i += 1;
            }
        }
        if i > indent && matches!(chars.get(i), Some('|' | '>')) {
            block = Some(indent); // `- |`: a list item that is a block scalar
            continue;
        }
        let key_start = i;
        if !chars
            .get(i)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == '_')
        {
            continue;
        }
        while chars
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
        {
            i += 1;
        }
        let key_end = i;
        while matches!(chars.get(i), Some(' ' | '\u{3000}')) {
            i += 1;
        }
        let slip = |kind, at: usize| Slip {
            kind,
            line: index + 1,
            col: at + 1,
            key: chars[key_start..key_end].iter().collect(),
        };
        let after = chars.get(i + 1).copied();
        let found = match chars.get(i) {
            Some('：') => Some(slip(SlipKind::FullWidthColon, i)),
            Some(':') => match after {
                Some('\t')
                    if chars[i + 1..]
                        .iter()
                        .find(|c| !matches!(c, ' ' | '\t'))
                        .is_some_and(|c| *c != '#') =>
                {
                    Some(slip(SlipKind::TabAfterColon, i + 1))
                }
                None | Some(' ' | '\t') => {
                    let value: String = chars[i + 1..].iter().collect();
                    let value = value.trim_start();
                    if value.starts_with(['|', '>']) {
                        block = Some(key_start);
                    }
                    None
                }
                Some('\u{3000}') => Some(slip(SlipKind::FullWidthSpaceAfterColon, i + 1)),
                // `http://…` in a line of prose is not a key.
                Some('/' | ':') => None,
                Some(_) => Some(slip(SlipKind::MissingSpace, i)),
            },
            _ => continue,
        };
        if let Some(at) = chars[..indent].iter().position(|c| *c == '\u{3000}') {
            slips.push(slip(SlipKind::FullWidthIndent, at));
        }
        slips.extend(found);
    }
    slips
}

/// The flow collections a line scan is inside (`true` for a mapping `{…}`, innermost last),
/// and the indentation of the line that opened the outermost (a line indented no more than
/// it, and not closing it, is taken to have left it: an unclosed bracket is the parser's to
/// report).
#[derive(Default)]
struct Flow {
    open: Vec<bool>,
    indent: usize,
}

impl Flow {
    /// The slips of a line (`chars`, indented by `indent`) inside flow collections, outside
    /// quotes and comments — those already open and those opened where a value starts
    /// (after `key: `, `- ` or at the line's start: `见[附件]，说明` is text): each full-width
    /// comma, and in a mapping a full-width colon after a key (`{households：132}`, which
    /// YAML reads as one key `households：132` with no value). Each with its column
    /// (0-based, in characters) and, for a colon, its key.
    fn slips(&mut self, chars: &[char], indent: usize) -> Vec<(SlipKind, usize, String)> {
        let mut slips = Vec::new();
        if !self.open.is_empty()
            && indent <= self.indent
            && !matches!(chars.get(indent), Some(']' | '}'))
        {
            self.open.clear();
        }
        // Whether a value may start here (only spaces, `key:` or `-` since the line's start
        // or the last separator), and where the text since then started.
        let mut value_start = true;
        let mut item_start: Option<usize> = None;
        let mut i = indent;
        while let Some(&c) = chars.get(i) {
            let after_space = i == 0 || matches!(chars[i - 1], ' ' | '\t' | '\u{3000}');
            match c {
                '#' if after_space => break,
                '"' | '\'' if value_start => {
                    // A quoted scalar: to its closing quote (`\"` escapes in double quotes,
                    // `''` is a quote in single ones).
                    i += 1;
                    while let Some(&q) = chars.get(i) {
                        if q == '\\' && c == '"' {
                            i += 2;
                            continue;
                        }
                        if q == c {
                            if c == '\'' && chars.get(i + 1) == Some(&'\'') {
                                i += 2;
                                continue;
                            }
                            break;
                        }
                        i += 1;
                    }
                    value_start = false;
                    item_start = None;
                }
                '[' | '{' if !self.open.is_empty() || value_start => {
                    if self.open.is_empty() {
                        self.indent = indent;
                    }
                    self.open.push(c == '{');
                    value_start = true;
                }
                ']' | '}' if !self.open.is_empty() => {
                    self.open.pop();
                    value_start = false;
                    item_start = None;
                }
                '，' if !self.open.is_empty() => {
                    slips.push((SlipKind::FullWidthComma, i, String::new()));
                    value_start = true;
                }
                '：' if self.open.last() == Some(&true) => {
                    let key: String = item_start
                        .map(|from| chars[from..i].iter().collect::<String>())
                        .unwrap_or_default();
                    let key = key.trim_end_matches([' ', '\u{3000}']);
                    if is_ascii_key(key) {
                        slips.push((SlipKind::FullWidthColonInBraces, i, key.to_string()));
                        value_start = true;
                        item_start = None;
                    }
                }
                ',' if !self.open.is_empty() => value_start = true,
                ':' if chars.get(i + 1).is_none_or(|n| matches!(n, ' ' | '\t')) => {
                    value_start = true
                }
                '-' if value_start && matches!(chars.get(i + 1), None | Some(' ')) => {}
                ' ' | '\t' | '\u{3000}' => {}
                _ => {
                    if value_start {
                        item_start = Some(i);
                    }
                    value_start = false;
                }
            }
            i += 1;
        }
        slips
    }
}

/// Whether `word` is a key as the line scan knows keys: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_ascii_key(word: &str) -> bool {
    let mut bytes = word.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Whether `text` has anything [`keyboard_slips`] could report: a full-width colon after
/// a word of ASCII letters, a full-width space in a line's indentation, or a `:` followed by
/// something other than a space, a line's end, `/` or `:`. Most files have none, and are
/// not looked at line by line.
fn may_have_slips(text: &str) -> bool {
    let bytes = text.as_bytes();
    let line_start = |at: usize| memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |n| n + 1);
    let colon_after_word = |at: usize| {
        let before = text[line_start(at)..at].trim_end_matches([' ', '\u{3000}']);
        before
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    let in_indent = |at: usize| {
        text[line_start(at)..at]
            .chars()
            .all(|c| c == ' ' || c == '\u{3000}' || c == '-')
    };
    // (Substring searches, not `match_indices` of a `char`: that looks for the character's
    // last byte, and a full-width space's, 0x80, ends one Chinese character in 64.)
    let full_width_colon = crate::html::finder!("：".as_bytes());
    let full_width_space = crate::html::finder!("\u{3000}".as_bytes());
    // A full-width comma in a flow collection: any, when the text has a bracket.
    let full_width_comma = crate::html::finder!("，".as_bytes());
    (full_width_comma.find(bytes).is_some() && memchr::memchr2(b'[', b'{', bytes).is_some())
        || full_width_colon.find_iter(bytes).any(colon_after_word)
        || full_width_space.find_iter(bytes).any(in_indent)
        || memchr::memchr_iter(b':', bytes).any(|at| match bytes.get(at + 1) {
            None | Some(b' ' | b'\n' | b'/' | b':') => false,
            Some(b'\r') => !matches!(bytes.get(at + 2), None | Some(b'\n')),
            // A value after a tab (`people:<Tab>468`).
            Some(b'\t') => {
                let after = &bytes[at + 1..];
                match after.iter().position(|b| !matches!(b, b' ' | b'\t')) {
                    None => false,
                    Some(v) => match after[v] {
                        b'\n' | b'#' => false,
                        // (A lone `\r` ends no line: the value goes on after it.)
                        b'\r' => !matches!(after.get(v + 1), None | Some(b'\n')),
                        _ => true,
                    },
                }
            }
            Some(_) => true,
        })
}

/// The lines on which a mapping key starts, anywhere in `node`.
pub(super) fn collect_key_lines(node: &Node, lines: &mut std::collections::HashSet<usize>) {
    match &node.value {
        Value::Map(entries) => {
            for (key, value) in entries {
                lines.insert(key.line() as usize);
                collect_key_lines(value, lines);
            }
        }
        Value::List(items) => items.iter().for_each(|item| collect_key_lines(item, lines)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// The quick look never passes over a file that has a slip.
        #[test]
        fn files_passed_over_have_no_slips(
            lines in prop::collection::vec(
                prop::collection::vec(
                    prop::sample::select(vec![
                        "a", "b_1", "横溪", " ", "  ", "- ", ":", ": ", "：", "\u{3000}", "1",
                        "|", ">", "http://x", "#", "说明：", "\t", "\r", "，", "[", "]",
                        "{", "}", "\"", "'",
                    ]),
                    0..8,
                ),
                1..6,
            ),
        ) {
            let text = lines.iter().map(|l| l.concat()).collect::<Vec<_>>().join("\n");
            if !slips_line_by_line(&text).is_empty() {
                prop_assert!(may_have_slips(&text), "{:?}", text);
            }
        }
    }

    #[test]
    fn prose_with_full_width_colons_is_passed_over() {
        assert!(!may_have_slips("summary: 说明：文字\nnote: 时间：2020\n"));
        assert!(may_have_slips("people：468\n"));
        assert!(may_have_slips("- name：胡家村\n"));
        assert!(may_have_slips("a:\n\u{3000}b: 1\n"));
    }
}

//! Text values of the data: trimmed (with a warning), quotes and invisible characters
//! pointed at, emoji in names.

use std::path::Path;

use super::{Checker, FieldPath, name_of};
use crate::diagnostics::{Location, Text};
use crate::load::{Node, Value};
use crate::validate::schema::Field;

impl Checker<'_> {
    /// A text value: trimmed of surrounding spaces (with a warning), an empty required text
    /// is missing, and full-width quotes, invisible characters and emoji are pointed out.
    /// `Some` only when the text changed (trimmed).
    pub(super) fn text(
        &mut self,
        field: &Field,
        node: &Node,
        path: &FieldPath<'_>,
        text: &str,
    ) -> Option<Node> {
        let (name_zh, name_en) = name_of(field, path);
        let blank = |c: char| matches!(c, ' ' | '\t' | '\u{3000}');
        let trimmed = text.trim_matches(blank);
        if trimmed.is_empty() {
            if field.required {
                let name = path.last();
                self.report(
                    "required",
                    node,
                    format!("缺少必填字段{name_zh}：它的值是空的"),
                    format!("the required field {name_en} is missing: its value is empty"),
                    Some(Text::new(
                        format!("在 {name}: 后写上内容；若确实没有，在 schema 里把它标为 optional: true"),
                        format!("write the text after {name}:; if there truly is none, mark it optional: true in the schema"),
                    )),
                );
            }
            return None;
        }
        if trimmed.len() != text.len() {
            let leading = text.chars().take_while(|c| blank(*c)).count();
            let at = if leading > 0 {
                0
            } else {
                trimmed.chars().count()
            };
            let full_width = text.contains('\u{3000}');
            self.warn(
                "text-trimmed",
                char_location(node, text, at, self.file),
                Text::new(
                    format!(
                        "{name_zh}的值前后有{}，已去掉：按「{trimmed}」处理",
                        if full_width { "空格（含全角空格「　」）" } else { "空格" }
                    ),
                    format!("{name_en}: the spaces around the value were removed: it is read as `{trimmed}`"),
                ),
                Text::new(
                    "删除值前后的空格（引号里的空格也算）",
                    "remove the spaces around the value (spaces inside quotes count too)",
                ),
            );
        }
        let first = trimmed.chars().next().unwrap_or(' ');
        let last = trimmed.chars().last().unwrap_or(' ');
        let wrapped = trimmed.chars().count() >= 2
            && matches!(
                (first, last),
                ('“', '”') | ('「', '」') | ('『', '』') | ('‘', '’')
            );
        let leading = text.chars().take_while(|c| blank(*c)).count();
        if wrapped {
            self.warn(
                "text-quotes",
                char_location(node, text, leading, self.file),
                Text::new(
                    format!("{name_zh}的值整个包在全角引号「{first}{last}」里：YAML 不把它们当引号，它们会作为文字的一部分保留（「{trimmed}」）"),
                    format!("{name_en}: the value is wrapped in full-width quotes `{first}{last}`; YAML does not read them as quotes, so they stay part of the text (`{trimmed}`)"),
                ),
                Text::new(
                    format!("若引号不是文字的一部分，删除「{first}」和「{last}」（YAML 的引号要用半角 \"…\"）；若是，可以不管这条警告"),
                    format!("if the quotes are not part of the text, remove `{first}` and `{last}` (YAML quotes are ASCII \"…\"); if they are, ignore this warning"),
                ),
            );
        }
        for (index, ch) in text.chars().enumerate() {
            if let Some((what_zh, what_en)) = invisible(ch) {
                let code = format!("U+{:04X}", ch as u32);
                self.warn(
                    "text-invisible",
                    char_location(node, text, index, self.file),
                    Text::new(
                        format!("{name_zh}的值里有看不见的字符 {code}（{what_zh}）"),
                        format!("{name_en}: the value has an invisible character {code} ({what_en})"),
                    ),
                    Text::new(
                        "删除它（通常是从网页、微信或 Word 复制时带进来的）：把光标移到这里，按删除键，或重新输入这段文字",
                        "delete it (it usually comes with text copied from a web page, a chat or Word): retype the text",
                    ),
                );
                break;
            }
        }
        if field.unique
            && let Some((index, ch)) = text.chars().enumerate().find(|(_, c)| is_emoji(*c))
        {
            self.warn(
                "text-emoji",
                char_location(node, text, index, self.file),
                Text::new(
                    format!("{name_zh}的值里有表情符号「{ch}」：名称里一般不用"),
                    format!("{name_en}: the value has the emoji `{ch}`, unusual in a name"),
                ),
                Text::new(
                    "删除表情符号；名称用来区分记录，应写正式的文字",
                    "remove the emoji; a name tells records apart and should be plain text",
                ),
            );
        }
        super::changed(node, Value::String(trimmed.into()))
    }
}

/// The place of the `index`-th character of `text`, the value of `node`: exact on the
/// value's first line; a character on a later line of a multi-line value is placed at the
/// value's start.
pub(super) fn char_location(node: &Node, text: &str, index: usize, file: &Path) -> Location {
    if text.chars().take(index).any(|c| c == '\n') {
        return node.location(file);
    }
    Location::new(file, node.line as usize, node.col as usize + index)
}

/// A character that shows nothing: a control character (other than a line break) or a
/// zero-width one.
pub(super) fn invisible(ch: char) -> Option<(&'static str, &'static str)> {
    match ch {
        '\n' => None,
        '\u{200B}' => Some(("零宽空格", "zero-width space")),
        '\u{200C}' | '\u{200D}' => Some(("零宽连接符", "zero-width joiner")),
        '\u{2060}' => Some(("零宽不换行符", "word joiner")),
        '\u{FEFF}' => Some(("零宽不换行空格（BOM）", "zero-width no-break space (BOM)")),
        '\t' => Some(("制表符", "tab")),
        c if c.is_control() => Some(("控制字符", "control character")),
        _ => None,
    }
}

/// Emoji and pictographs (which have no place in a name).
fn is_emoji(ch: char) -> bool {
    matches!(ch as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B50..=0x2B55 | 0xFE0F)
}

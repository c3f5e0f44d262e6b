//! Data files written by `huibao import`: a new file as YAML in the schema's order, and an
//! existing file edited in place — each changed value replaced where it stands, every other
//! line (comments too) kept byte for byte. An edit is checked by reading the result back;
//! when a value cannot be replaced in place (a block scalar, a value added or removed), the
//! file is written anew and the report says its comments were not kept.

use std::path::Path;

use crate::load::{Node, Value, canonical, resolve_plain, yaml};

/// A whole data file's text for the mapping `root` (two-space indents, lists of records
/// with `- `), ending with a newline.
pub fn file_text(root: &Node) -> String {
    let mut out = String::new();
    if let Value::Map(entries) = &root.value {
        for (key, value) in entries {
            entry(&mut out, 0, &key.name, value);
        }
    }
    out
}

/// Writes `key: value` at `indent`.
fn entry(out: &mut String, indent: usize, key: &str, value: &Node) {
    let pad = " ".repeat(indent);
    let key = scalar(&Value::String(key.into()));
    match &value.value {
        Value::Map(entries) if !entries.is_empty() => {
            out.push_str(&format!("{pad}{key}:\n"));
            for (k, v) in entries {
                entry(out, indent + 2, &k.name, v);
            }
        }
        Value::List(items) if !items.is_empty() => {
            out.push_str(&format!("{pad}{key}:\n"));
            for item in items {
                list_item(out, indent + 2, item);
            }
        }
        _ => out.push_str(&format!("{pad}{key}: {}\n", scalar(&value.value))),
    }
}

/// Writes `- item` at `indent`.
fn list_item(out: &mut String, indent: usize, item: &Node) {
    let pad = " ".repeat(indent);
    match &item.value {
        Value::Map(entries) if !entries.is_empty() => {
            let mut first = String::new();
            for (i, (k, v)) in entries.iter().enumerate() {
                if i == 0 {
                    entry(&mut first, indent + 2, &k.name, v);
                    out.push_str(&format!("{pad}- {}", first.trim_start()));
                } else {
                    entry(out, indent + 2, &k.name, v);
                }
            }
        }
        Value::List(items) if !items.is_empty() => {
            out.push_str(&format!("{pad}-\n"));
            for inner in items {
                list_item(out, indent + 2, inner);
            }
        }
        _ => out.push_str(&format!("{pad}- {}\n", scalar(&item.value))),
    }
}

/// A scalar's YAML text: plain when it reads back as itself, else double-quoted.
pub fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "~".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if plain_is_safe(s) => s.to_string(),
        Value::String(s) => quoted(s),
        Value::List(_) => "[]".to_string(),
        Value::Map(_) => "{}".to_string(),
    }
}

/// Whether `s` written plain reads back as the text `s`.
fn plain_is_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    !"-?:,[]{}#&*!|>'\"%@`".contains(first)
        && !s.starts_with(char::is_whitespace)
        && !s.ends_with(char::is_whitespace)
        && !s.ends_with(':')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.chars().any(|c| c.is_control())
        && matches!(resolve_plain(s), Ok(Value::String(ref t)) if **t == *s)
}

/// `s` double-quoted, escaped.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One change to a data file's text, made where it stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// The scalar at 1-based `line`:`col` (inside its quotes, for a quoted one), which reads
    /// as `old`, becomes `new`.
    Replace {
        line: u32,
        col: u32,
        old: Value,
        new: Value,
    },
    /// A line `key: value` indented by `indent` spaces, put before 1-based line `before`
    /// (past the last line: at the end).
    Insert {
        before: u32,
        indent: u32,
        key: String,
        value: Value,
    },
    /// The 1-based line `line`, which holds one `key: value` entry, taken out.
    Remove { line: u32 },
    /// Whole lines (`text`, each ending with a line break) put before 1-based line `before`
    /// (past the last line: at the end): a list's new items.
    Lines { before: u32, text: String },
}

/// `text` with each of `edits` made where it stands, every other byte kept; `None` when one
/// cannot be (then the caller writes the file anew). The result is read back and must hold
/// `wanted`.
pub fn edit_in_place(text: &str, edits: &[Edit], wanted: &Node) -> Option<String> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let start_of = |line: u32| -> usize {
        line_starts
            .get((line as usize).saturating_sub(1))
            .copied()
            .unwrap_or(text.len())
    };
    // Each change as bytes replaced: (range, new text, its place among the edits).
    let mut replacements: Vec<(std::ops::Range<usize>, String, usize)> = Vec::new();
    for (n, edit) in edits.iter().enumerate() {
        match edit {
            Edit::Replace {
                line,
                col,
                old,
                new,
            } => {
                let start_of_line = *line_starts.get((*line as usize).checked_sub(1)?)?;
                let line_text = text[start_of_line..].split('\n').next()?;
                let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
                let at = line_text
                    .char_indices()
                    .nth((*col as usize).checked_sub(1)?)
                    .map(|(i, _)| i)?;
                let range = scalar_range(line_text, at, old)?;
                replacements.push((
                    start_of_line + range.start..start_of_line + range.end,
                    scalar(new),
                    n,
                ));
            }
            Edit::Insert {
                before,
                indent,
                key,
                value,
            } => {
                let at = start_of(*before);
                let newline = if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
                    "\n"
                } else {
                    ""
                };
                let line = format!(
                    "{newline}{}{}: {}\n",
                    " ".repeat(*indent as usize),
                    scalar(&Value::String(key.as_str().into())),
                    scalar(value)
                );
                replacements.push((at..at, line, n));
            }
            Edit::Lines {
                before,
                text: lines,
            } => {
                let at = start_of(*before);
                let newline = if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
                    "\n"
                } else {
                    ""
                };
                replacements.push((at..at, format!("{newline}{lines}"), n));
            }
            Edit::Remove { line } => {
                let start = *line_starts.get((*line as usize).checked_sub(1)?)?;
                let end = line_starts
                    .get(*line as usize)
                    .copied()
                    .unwrap_or(text.len());
                replacements.push((start..end, String::new(), n));
            }
        }
    }
    // From the end, so that earlier places stay put; at one place, what is replaced or taken
    // out first, then the lines put in, in their order.
    replacements
        .sort_by_key(|(range, _, n)| std::cmp::Reverse((range.start, !range.is_empty(), *n)));
    let mut edited = text.to_string();
    for (range, new, _) in replacements {
        edited.replace_range(range, &new);
    }
    let back = yaml::parse(&edited, Path::new("edit.yaml")).ok()?;
    (canonical(&back) == canonical(wanted)).then_some(edited)
}

/// The bytes of `line` holding the scalar that starts at byte `at` (inside its quotes, for
/// a quoted one), quotes included; `None` unless it is one-line and reads as `old`.
fn scalar_range(line: &str, at: usize, old: &Value) -> Option<std::ops::Range<usize>> {
    let before = line[..at].chars().next_back();
    match before {
        Some(quote @ ('"' | '\'')) => {
            let rest = &line[at..];
            let mut end = None;
            let mut chars = rest.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                if quote == '"' && c == '\\' {
                    chars.next();
                } else if c == quote {
                    if quote == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') {
                        chars.next();
                        continue;
                    }
                    end = Some(at + i + 1);
                    break;
                }
            }
            let range = at - 1..end?;
            let back = yaml::parse(&format!("v: {}", &line[range.clone()]), Path::new("v"))
                .ok()?
                .get("v")?
                .value
                .clone();
            (back == *old).then_some(range)
        }
        _ => {
            let in_flow =
                line[..at].matches(['{', '[']).count() > line[..at].matches(['}', ']']).count();
            let rest = &line[at..];
            let mut end = rest.len();
            for (i, c) in rest.char_indices() {
                let comment = c == '#' && rest[..i].ends_with([' ', '\t']);
                if comment || (in_flow && matches!(c, ',' | ']' | '}')) {
                    end = i;
                    break;
                }
            }
            let slice = rest[..end].trim_end();
            if slice.is_empty() || slice.starts_with(['|', '>']) {
                return None;
            }
            (resolve_plain(slice).ok()? == *old).then_some(at..at + slice.len())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        yaml::parse(text, Path::new("t.yaml")).unwrap()
    }

    #[test]
    fn a_new_file_reads_back_as_its_values() {
        let text = "name: 横溪村\nnote: \"123\"\nflag: true\nfund: 81.76875\nregistered:\n  households: 132\n  people: 468\nexits:\n  - year: 2018\n    households: 3\n  - year: 2019\n    households: 4\nwords: [\"a: b\", \"#x\", \" lead\", \"yes\"]\nempty: []\n";
        let root = parse(text);
        let written = file_text(&root);
        assert_eq!(canonical(&parse(&written)), canonical(&root));
        assert!(written.contains("name: 横溪村\n"));
        assert!(written.contains("note: \"123\"\n"));
        assert!(written.contains("  - year: 2018\n    households: 3\n"));
    }

    #[test]
    fn values_are_replaced_where_they_stand_and_comments_kept() {
        let text = "# 村委会数据\nname: 横溪村\nregistered:\n  households: 132     # 户\n  people: 468 # 人\nunit: '602所' # 见 assistance\nflow: {a: 1, b: 2}\n";
        let old = parse(text);
        let mut wanted = parse(
            "name: 横溪村\nregistered:\n  households: 133\n  people: 468\nunit: 603所\nflow: {a: 1, b: 5}\n",
        );
        let replace = |line, col, old: Value, new: Value| Edit::Replace {
            line,
            col,
            old,
            new,
        };
        let edits = [
            replace(4, 15, Value::Number(132.into()), Value::Number(133.into())),
            replace(
                6,
                8,
                Value::String("602所".into()),
                Value::String("603所".into()),
            ),
            replace(7, 17, Value::Number(2.into()), Value::Number(5.into())),
        ];
        let edited = edit_in_place(text, &edits, &wanted).unwrap();
        assert_eq!(
            edited,
            "# 村委会数据\nname: 横溪村\nregistered:\n  households: 133     # 户\n  people: 468 # 人\nunit: 603所 # 见 assistance\nflow: {a: 1, b: 5}\n"
        );
        assert_eq!(old.get("name"), parse(&edited).get("name"));
        // What the edit makes must be what is wanted, else it is not made.
        wanted = parse("name: 别的\n");
        assert_eq!(edit_in_place(text, &edits, &wanted), None);
    }

    #[test]
    fn lines_are_put_in_and_taken_out_where_they_belong() {
        let text =
            "# 注释\nname: 横溪村\nregistered:\n  households: 132 # 户\nnote: 旧\nsummary: 好\n";
        let wanted = parse(
            "name: 横溪村\nexit_year: 2018\nregistered:\n  households: 132\n  people: 468\nsummary: 好\nextra: \"1\"\n",
        );
        let edits = [
            Edit::Insert {
                before: 3,
                indent: 0,
                key: "exit_year".into(),
                value: Value::Number(2018.into()),
            },
            Edit::Insert {
                before: 5,
                indent: 2,
                key: "people".into(),
                value: Value::Number(468.into()),
            },
            Edit::Remove { line: 5 },
            Edit::Insert {
                before: 99,
                indent: 0,
                key: "extra".into(),
                value: Value::String("1".into()),
            },
        ];
        assert_eq!(
            edit_in_place(text, &edits, &wanted).unwrap(),
            "# 注释\nname: 横溪村\nexit_year: 2018\nregistered:\n  households: 132 # 户\n  people: 468\nsummary: 好\nextra: \"1\"\n"
        );
    }

    #[test]
    fn a_block_scalar_is_not_edited_in_place() {
        let text = "summary: |\n  第一行\n";
        let wanted = parse("summary: 新的\n");
        let edits = [Edit::Replace {
            line: 1,
            col: 10,
            old: Value::String("第一行\n".into()),
            new: Value::String("新的".into()),
        }];
        assert_eq!(edit_in_place(text, &edits, &wanted), None);
    }
}

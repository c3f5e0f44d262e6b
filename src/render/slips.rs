//! Slips of a Chinese keyboard in a content file's text (the template, before Tera): a tag
//! or Markdown's marks typed full-width, or a heading's `#` without its space. Tera and
//! pulldown-cmark read none of them as marks, and the page would show them as typed: each
//! is a located warning naming what to type.

use std::path::Path;

use crate::diagnostics::{Diagnostic, Location, Severity, Text};

/// The warnings for a content file's `template` (`file`: where it is, for the messages);
/// `numbered`: its headings get official numbers (`number_headings`), so that one numbered
/// by hand would be numbered twice.
pub(super) fn typed_slips(
    template: &str,
    file: &Path,
    numbered: bool,
    problems: &mut Vec<Diagnostic>,
) {
    full_width_tags(template, file, problems);
    markdown_slips(template, (file, numbered), problems);
    table_slips(template, file, problems);
}

/// A table whose rows do not match its header (outside fenced code), as pulldown-cmark
/// would read it, silently: a delimiter row of another number of columns than the header
/// (no table at all: the lines show as typed), a row with more cells than the header (the
/// cells past it are dropped, figures with them) or fewer (the missing ones empty). Cells
/// are counted with the template's tags taken out (`{{ x | fig }}` holds a `|`).
fn table_slips(template: &str, file: &Path, problems: &mut Vec<Diagnostic>) {
    if !template.contains('|') {
        return;
    }
    let lines: Vec<&str> = template.split('\n').collect();
    let mut fence: Option<&str> = None;
    // The header's number of columns while in a table.
    let mut columns: Option<usize> = None;
    for (index, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start_matches(' ');
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            columns = None;
            continue;
        }
        let cells = without_tags(line);
        if let Some(header) = columns {
            if line.trim().is_empty() || (!cells.contains('|') && !cells.trim().is_empty()) {
                columns = None;
            } else if cells.contains('|') {
                let count = cell_count(&cells);
                if count != header {
                    problems.push(table_warning(file, index + 1, count, header));
                }
            }
            continue;
        }
        let Some(next) = lines.get(index + 1) else {
            continue;
        };
        if cells.contains('|') && is_delimiter_row(next) {
            let (header, delimiter) = (cell_count(&cells), cell_count(next));
            if header == delimiter {
                columns = Some(header);
            } else {
                problems.push(Diagnostic::new(
                    Severity::Warning,
                    "markdown-table",
                    Some(Location::new(file, index + 2, 1)),
                    Text::new(
                        format!("表头有 {header} 列，下面的分隔行（---）有 {delimiter} 列：这不是表格，页面上会原样显示这些竖线"),
                        format!("the header has {header} columns and the delimiter row (---) {delimiter}: it is no table, and the page shows the bars as typed"),
                    ),
                ).with_hint(Text::new(
                    format!("分隔行写成表头的列数，每列一个 ---：{}", delimiter_row(header)),
                    format!("give the delimiter row the header's columns, a --- each: {}", delimiter_row(header)),
                )));
            }
        }
    }
}

/// A delimiter row of `columns` columns: `|---|---|`.
fn delimiter_row(columns: usize) -> String {
    format!("|{}", "---|".repeat(columns))
}

/// The warning of row `line` of a table with `count` cells under a header of `header`.
fn table_warning(file: &Path, line: usize, count: usize, header: usize) -> Diagnostic {
    let (message, hint) = if count > header {
        (
            Text::new(
                format!(
                    "这一行有 {count} 格，表头只有 {header} 列：多出的 {} 格不会显示",
                    count - header
                ),
                format!(
                    "this row has {count} cells and the header {header} columns: the {} past it are not shown",
                    count - header
                ),
            ),
            Text::new(
                "删去多出的格，或在表头和分隔行里加上这一列",
                "remove the cells too many, or add their column to the header and the delimiter row",
            ),
        )
    } else {
        (
            Text::new(
                format!("这一行只有 {count} 格，表头有 {header} 列：缺的格会是空的"),
                format!(
                    "this row has {count} cells and the header {header} columns: the missing ones are empty"
                ),
            ),
            Text::new(
                "补上缺的格（没有值的格也写上「|」）",
                "add the missing cells (a cell with no value still needs its `|`)",
            ),
        )
    };
    Diagnostic::new(
        Severity::Warning,
        "markdown-table",
        Some(Location::new(file, line, 1)),
        message,
    )
    .with_hint(hint)
}

/// `line` with its template tags (`{{ … }}`, `{% … %}`, `{# … #}`), code spans and escaped
/// bars taken out: what is left of it as a table row's text.
fn without_tags(line: &str) -> String {
    let mut kept = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find(['{', '`', '\\']) {
        kept.push_str(&rest[..open]);
        let from = &rest[open..];
        let close = match from.get(..2) {
            Some("{{") => from.find("}}").map(|e| e + 2),
            Some("{%") => from.find("%}").map(|e| e + 2),
            Some("{#") => from.find("#}").map(|e| e + 2),
            _ if from.starts_with('`') => from[1..].find('`').map(|e| e + 2),
            _ if from.starts_with('\\') => {
                Some(from.chars().nth(1).map_or(1, |c| 1 + c.len_utf8()))
            }
            _ => None,
        };
        match close {
            Some(end) => rest = &from[end..],
            None => {
                kept.push_str(&from[..1]);
                rest = &from[1..];
            }
        }
    }
    kept.push_str(rest);
    kept
}

/// How many cells a table row (`| a | b |`, `a | b`) has.
fn cell_count(row: &str) -> usize {
    let row = row.trim();
    let row = row.strip_prefix('|').unwrap_or(row);
    let row = row.strip_suffix('|').unwrap_or(row);
    row.split('|').count()
}

/// Whether `line` is a table's delimiter row: `|---|:---:|`, `--- | ---`.
fn is_delimiter_row(line: &str) -> bool {
    let row = line.trim();
    if !row.contains('-') || (!row.contains('|') && !row.starts_with('-')) {
        return false;
    }
    let row = row.strip_prefix('|').unwrap_or(row);
    let row = row.strip_suffix('|').unwrap_or(row);
    row.split('|').all(|cell| {
        let cell = cell.trim();
        let cell = cell.strip_prefix(':').unwrap_or(cell);
        let cell = cell.strip_suffix(':').unwrap_or(cell);
        !cell.is_empty() && cell.chars().all(|c| c == '-')
    })
}

/// An error for each tag opened with a full-width brace or percent sign (`｛｛ v.name ｝｝`,
/// typed on a Chinese keyboard): Tera reads no tag there and the page would show the
/// template's text where a figure belongs (no report means `｛｛` in its prose).
fn full_width_tags(template: &str, file: &Path, problems: &mut Vec<Diagnostic>) {
    const OPENINGS: [&str; 6] = ["｛｛", "｛{", "{｛", "｛％", "｛%", "{％"];
    // A file with neither character is passed at once.
    if !template.contains('\u{FF5B}') && !template.contains('\u{FF05}') {
        return;
    }
    let mut at = 0;
    while let Some((found, opening)) = OPENINGS
        .iter()
        .filter_map(|o| template[at..].find(o).map(|f| (at + f, *o)))
        .min()
    {
        let (line, col) = crate::diagnostics::line_col(template, found);
        problems.push(
            Diagnostic::error(
                "template-full-width",
                Some(Location::new(file, line, col)),
                Text::new(
                    format!("「{opening}」用了全角括号或百分号，不是模板标记：页面上会原样显示这些字，而不是数据"),
                    format!("`{opening}` is typed with a full-width brace or percent sign: it is no template tag, and the page would show it as it is, not the data"),
                ),
            )
            .with_hint(Text::new(
                "要读数据，切换到英文（半角）输入，写成 {{ … }} 或 {% … %}",
                "to read the data, type it with the input method in English (half-width): {{ … }} or {% … %}",
            )),
        );
        at = found + opening.len();
    }
}

/// A warning at `line`:`col` of `file`.
fn warning(file: &Path, (line, col): (usize, usize), message: Text, hint: Text) -> Diagnostic {
    Diagnostic::new(
        Severity::Warning,
        "markdown-full-width",
        Some(Location::new(file, line, col)),
        message,
    )
    .with_hint(hint)
}

/// Markdown's marks typed so that pulldown-cmark reads none (outside fenced code): a
/// heading's `#` without its space (`##乡村医疗`) or full-width (`＃＃ 标题`); a link's
/// brackets or parentheses full-width (`[更正说明]（../corrections.md）`,
/// `【更正说明】(../corrections.md)`: said when what is in the parentheses is a link's target,
/// a path or an address, so that prose's 【…】（…） is left alone); a table's border typed
/// `｜` at a row's start or end.
fn markdown_slips(template: &str, (file, numbered): (&Path, bool), problems: &mut Vec<Diagnostic>) {
    // (Most content files have none of these: passed at once.)
    let may = template.contains(['＃', '｜', '（', '】'])
        || template.contains("](")
        || template.contains("\n#")
        || template.starts_with('#');
    if !may {
        return;
    }
    let mut fence: Option<&str> = None;
    for (index, line) in template.split('\n').enumerate() {
        let number = index + 1;
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
            continue;
        }
        if indent < 4 && (trimmed.starts_with("```") || trimmed.starts_with("~~~")) {
            fence = Some(&trimmed[..3]);
            continue;
        }
        if indent >= 4 {
            continue;
        }
        let col_of = |byte: usize| line[..byte].chars().count() + 1;
        if let Some(found) = heading_slip(trimmed) {
            let (message, hint) = found;
            problems.push(warning(file, (number, col_of(indent)), message, hint));
        }
        if numbered && let Some((byte, typed)) = hand_number(trimmed) {
            problems.push(numbered_twice(file, (number, col_of(indent + byte)), typed));
        }
        for (byte, message, hint) in link_slips(line) {
            problems.push(warning(file, (number, col_of(byte)), message, hint));
        }
        if let Some(byte) = table_border(line) {
            problems.push(warning(
                file,
                (number, col_of(byte)),
                Text::new(
                    "表格的竖线用了全角「｜」，不是表格的边线：这一行会原样显示",
                    "a table's bar is typed full-width `｜`: it is no border, and the row shows as typed",
                ),
                Text::new(
                    "切换到英文（半角）输入，把「｜」换成「|」",
                    "type `|` with the input method in English (half-width) in place of `｜`",
                ),
            ));
        }
    }
}

/// The number a heading of a numbered level (`##` to `#####`) was given by hand (`## 一、就医`,
/// `### （二）乡村医疗`, `#### 1. 门诊`): where it starts in `trimmed`, and it.
fn hand_number(trimmed: &str) -> Option<(usize, &str)> {
    let marks = trimmed.chars().take_while(|c| *c == '#').count();
    if !(2..=5).contains(&marks) {
        return None;
    }
    let text = trimmed[marks..].strip_prefix(' ')?;
    let start = trimmed.len() - text.trim_start().len();
    let text = text.trim_start();
    let numeral = |c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c);
    let (open, rest) = match text.strip_prefix(['（', '(']) {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let digits = rest
        .chars()
        .take_while(|c| numeral(*c))
        .map(char::len_utf8)
        .sum::<usize>();
    if digits == 0 {
        return None;
    }
    let after = rest[digits..].chars().next()?;
    let end = text.len() - rest.len() + digits + after.len_utf8();
    // (`1.5万元` is a figure, not a number with its point.)
    let figure =
        matches!(after, '.' | '．') && text[end..].starts_with(|c: char| c.is_ascii_digit());
    let closes = match open {
        true => matches!(after, '）' | ')'),
        false => matches!(after, '、' | '.' | '．') && !figure,
    };
    closes.then(|| (start, &text[..end]))
}

/// The warning of a heading numbered by hand (`typed`) at `at` of `file`, which
/// `number_headings` numbers again.
fn numbered_twice(file: &Path, at: (usize, usize), typed: &str) -> Diagnostic {
    Diagnostic::new(
        Severity::Warning,
        "heading-numbered",
        Some(Location::new(file, at.0, at.1)),
        Text::new(
            format!("标题已写了编号「{typed}」，又会自动编号：页面上会编两次号"),
            format!("the heading is numbered by hand (`{typed}`) and numbered again: the page would show two numbers"),
        ),
    )
    .with_hint(Text::new(
        format!("删去手写的「{typed}」；若要自己编号，在前言里写 number_headings = false"),
        format!("remove the `{typed}` typed; to number the headings yourself, write number_headings = false in the front matter"),
    ))
}

/// A heading typed so that it is none: `##标题` (no space after the `#`s) or `＃＃ 标题`
/// (full-width). Not a Tera comment's end (`#}`), nor a `#` that is all the line has.
fn heading_slip(trimmed: &str) -> Option<(Text, Text)> {
    let marks = trimmed.chars().take_while(|c| *c == '#').count();
    if (1..=6).contains(&marks) {
        let after = trimmed[marks..].chars().next()?;
        if after.is_whitespace() || after == '}' || after == '{' {
            return None;
        }
        let hashes = &trimmed[..marks];
        let rest = &trimmed[marks..];
        return Some((
            Text::new(
                format!("「{hashes}」后面没有空格，不是标题：这一行会原样显示"),
                format!("no space after `{hashes}`: it is no heading, and the line shows as typed"),
            ),
            Text::new(
                format!("在「{hashes}」后加一个空格：写成 {hashes} {rest}"),
                format!("put a space after `{hashes}`: {hashes} {rest}"),
            ),
        ));
    }
    let full = trimmed.chars().take_while(|c| *c == '＃').count();
    if (1..=6).contains(&full) {
        let hashes = "#".repeat(full);
        let rest = trimmed[full * '＃'.len_utf8()..].trim_start_matches([' ', '\u{3000}']);
        return Some((
            Text::new(
                format!(
                    "「{}」是全角井号，不是标题标记：这一行会原样显示",
                    "＃".repeat(full)
                ),
                format!(
                    "`{}` is a full-width number sign, no heading mark: the line shows as typed",
                    "＃".repeat(full)
                ),
            ),
            Text::new(
                format!("切换到英文（半角）输入，写成 {hashes} {rest}"),
                format!("type it with the input method in English (half-width): {hashes} {rest}"),
            ),
        ));
    }
    None
}

/// The links of `line` typed with a full-width bracket or parenthesis: (byte where the link
/// starts, message, hint), for each whose parentheses hold a link's target.
fn link_slips(line: &str) -> Vec<(usize, Text, Text)> {
    let mut found = Vec::new();
    for (open, close) in [('[', ']'), ('【', '】')] {
        let mut from = 0;
        while let Some(start) = line[from..].find(open).map(|at| from + at) {
            let text_start = start + open.len_utf8();
            let Some(end) = line[text_start..].find(close).map(|at| text_start + at) else {
                break;
            };
            from = end + close.len_utf8();
            let after = &line[from..];
            let paren = if after.starts_with('(') {
                ('(', ')')
            } else if after.starts_with('（') {
                ('（', '）')
            } else {
                continue;
            };
            if open == '[' && paren.0 == '(' {
                // A link as Markdown has it, unless a space in its target unmakes it.
                found.extend(spaced_target(line, (start, end), from));
                continue;
            }
            let inside_start = from + paren.0.len_utf8();
            let Some(inside_end) = line[inside_start..]
                .find([')', '）'])
                .map(|at| inside_start + at)
            else {
                continue;
            };
            let target = line[inside_start..inside_end].trim();
            if !looks_like_target(target) {
                continue;
            }
            let text = &line[text_start..end];
            let typed = &line
                [start..inside_end + line[inside_end..].chars().next().map_or(0, char::len_utf8)];
            found.push((
                start,
                Text::new(
                    format!("「{typed}」的括号用了全角，不是链接：页面上会原样显示"),
                    format!("`{typed}` is typed with full-width brackets: it is no link, and the page shows it as typed"),
                ),
                Text::new(
                    format!("切换到英文（半角）输入，写成 [{text}]({target})"),
                    format!("type it with the input method in English (half-width): [{text}]({target})"),
                ),
            ));
        }
    }
    found.sort_by_key(|(at, _, _)| *at);
    found
}

/// A link `[text](target)` of `line` (`start`: its `[`, `end`: its `]`, `from`: its `(`)
/// whose target holds a space (`[饮水](water.md#饮水 安全)`): no link for Markdown, which
/// shows it as typed. A title after the target (`(a.md "标题")`), a target in `<…>` and a
/// tag (`({{ v.id }}.md)`) are left alone.
fn spaced_target(
    line: &str,
    (start, end): (usize, usize),
    from: usize,
) -> Option<(usize, Text, Text)> {
    let inside_start = from + 1;
    let inside_end = inside_start + line[inside_start..].find(')')?;
    let target = &line[inside_start..inside_end];
    let (before, after) = target.trim().split_once(' ')?;
    let is_title = after.trim_start().starts_with(['"', '\'', '(']);
    if is_title || target.starts_with('<') || target.contains('{') {
        return None;
    }
    if !(before.contains(['/', '.', '#']) || before.starts_with("http")) {
        return None;
    }
    let text = &line[start + 1..end];
    let typed = &line[start..=inside_end];
    let target = target.trim();
    let hint = match target.split_once('#') {
        Some((path, fragment)) if !path.contains(' ') => {
            let meant = format!("[{text}]({path}#{})", crate::html::slug(fragment));
            Text::new(
                format!("锚点写标题的 id，空格写成 -：{meant}"),
                format!("an anchor names a heading's id, with - for a space: {meant}"),
            )
        }
        _ => {
            let meant = format!("[{text}](<{target}>)");
            Text::new(
                format!("去掉文件名里的空格，或把地址写在尖括号里：{meant}"),
                format!(
                    "take the space out of the file's name, or write the target in angle brackets: {meant}"
                ),
            )
        }
    };
    Some((
        start,
        Text::new(
            format!("「{typed}」的链接地址里有空格，不是链接：页面上会原样显示"),
            format!(
                "the target of `{typed}` holds a space: it is no link, and the page shows it as typed"
            ),
        ),
        hint,
    ))
}

/// Whether `text`, in parentheses after a bracketed text, is a link's target: an address,
/// a path, a page's file or an anchor — not prose (`【典型案例】（一）`).
fn looks_like_target(text: &str) -> bool {
    !text.is_empty()
        && !text.contains(char::is_whitespace)
        && text.is_ascii()
        && (text.contains(['/', '.', '#']) || text.starts_with("http"))
}

/// Where a table row's border is typed `｜` (at the row's start or end), if it is.
fn table_border(line: &str) -> Option<usize> {
    let trimmed = line.trim();
    if !trimmed.contains('｜') {
        return None;
    }
    let start = line.len() - line.trim_start().len();
    if trimmed.starts_with('｜') {
        return Some(start);
    }
    (trimmed.ends_with('｜') && trimmed.starts_with('|'))
        .then(|| start + trimmed.len() - '｜'.len_utf8())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_heading_s_number_typed_by_hand_is_found_and_a_figure_is_not() {
        let found =
            |line: &str| super::hand_number(line).map(|(at, typed)| (at, typed.to_string()));
        assert_eq!(found("## 一、就医保障"), Some((3, "一、".into())));
        assert_eq!(found("### （十二）乡村医疗"), Some((4, "（十二）".into())));
        assert_eq!(found("#### 1. 门诊"), Some((5, "1.".into())));
        assert_eq!(found("##### (3)住院"), Some((6, "(3)".into())));
        for none in [
            "## 2020年工作",
            "## 1.5万元资金",
            "# 一、总述",
            "## 一二三",
            "###### 1. x",
            "## 就医",
        ] {
            assert_eq!(found(none), None, "{none}");
        }
    }
}

//! Template problems as located diagnostics: Tera's parse errors carry their place; for
//! render errors the names Tera quotes are looked up in the template's text.

use std::path::Path;

use crate::diagnostics::{Diagnostic, Location, Text};

/// A Tera error as a located diagnostic: Tera's parse errors carry `--> line:col`; for
/// render errors the first name Tera quotes is looked up in the template's text.
pub fn template_error(error: &tera::Error, file: &Path, template: &str) -> Diagnostic {
    let mut messages = Vec::new();
    let mut current: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        if !messages.contains(&text) {
            messages.push(text);
        }
        current = e.source();
    }
    let full = messages.join("\n");
    let tera_arrow = parse_arrow_location(&full);
    // A block left without its end (`{% if %}` and no `{% endif %}`), or an end without its
    // block, where Tera stops at it or after it (at the end of the file, maybe).
    let block = tera_arrow
        .filter(|&(line, col)| unclosed_tag(template, line, col).is_none())
        .and_then(|(line, col)| offset_of(template, line, col))
        .and_then(|offset| {
            super::tera_said::unpaired_block(template).filter(|(start, ..)| *start <= offset)
        });
    // Tera finds a tag left open where it expected its end, lines later maybe: the error
    // then stands at the tag's opening; a block left open, at its opening.
    let arrow = tera_arrow.map(
        |(line, col)| match (&block, unclosed_tag(template, line, col)) {
            (Some((start, ..)), _) => crate::diagnostics::line_col(template, *start),
            (_, Some((start, _))) if crate::diagnostics::line_col(template, start).0 < line => {
                crate::diagnostics::line_col(template, start)
            }
            _ => (line, col),
        },
    );
    // A helper's message quotes the value it was given (`横溪村`), which the template has
    // not; Tera's own words name the helper (`Filter call 'int' failed`), which the
    // template may use more than once: its other uses are named too.
    let helper = quoted_names(&full.replace('`', ""));
    let by_name = locate_names(template, &quoted_names(&full));
    let by_helper = (arrow.is_none() && by_name.is_none())
        .then(|| locate_names(template, &helper))
        .flatten();
    // A helper's argument left out (`rate(…)` without `dp=`): the call that lacks it.
    let without_argument = (arrow.is_none() && full.contains("dp="))
        .then(|| helper.first())
        .flatten()
        .and_then(|name| {
            uses_in_tags(template, name).find(|&(line, col)| {
                offset_of(template, line, col).is_some_and(|at| {
                    let call = &template[at..];
                    let call = &call[..call.find(')').unwrap_or(call.len())];
                    !call.contains("dp")
                })
            })
        });
    let located = arrow.or(without_argument).or(by_name).or(by_helper);
    let location = located
        .map(|(line, col)| Location::new(file, line, col))
        .unwrap_or_else(|| Location::file(file));
    // (Located at one use of the helper Tera names: which of its uses failed is not known.)
    let uses: Vec<(usize, usize)> = match (arrow, helper.first()) {
        (None, Some(name)) => uses_in_tags(template, name).collect(),
        _ => Vec::new(),
    };
    let other_uses: Vec<(Location, Text)> = match (located, helper.first()) {
        (Some(first), Some(name)) if without_argument.is_none() && uses.contains(&first) => uses
            .into_iter()
            .filter(|&at| at != first)
            .take(3)
            .map(|(line, col)| {
                let said = Text::new(
                    format!("「{name}」也用在这里：出错的也可能是这一处"),
                    format!("`{name}` is used here too: this may be the one that failed"),
                );
                (Location::new(file, line, col), said)
            })
            .collect(),
        _ => Vec::new(),
    };
    // The deepest message is the most specific; parse errors are multi-line with a caret.
    let detail = messages.last().cloned().unwrap_or_default();
    // A parse error draws the line with a caret and says what it expected after `= `;
    // the diagnostic draws its own caret, so keep only what Tera says.
    let said: Vec<&str> = detail
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("= "))
        .collect();
    let detail = if said.is_empty() {
        detail.trim().to_string()
    } else {
        said.join("; ")
    };
    let (en, zh) = split_languages(&detail);
    // Tera's own words (not a helper's, which come in both languages) in Chinese where
    // they are known.
    let known = match said.is_empty() {
        false => super::tera_said::parse_error_zh(&detail),
        true if zh == en => super::tera_said::render_error_zh(&detail),
        true => None,
    };
    let zh = known.unwrap_or(zh);
    // (Tera's words, a run of operators said as one.)
    let en = match said.is_empty() {
        false => super::tera_said::parse_error_en(&detail).unwrap_or(en),
        true => en,
    };
    let mut diagnostic = Diagnostic::error(
        "template",
        Some(location),
        Text::new(format!("模板错误：{zh}"), format!("template error: {en}")),
    );
    diagnostic.related = other_uses;
    diagnostic.with_hint(
        block
            .map(|(_, zh, en)| Text::new(zh, en))
            .or_else(|| arrow.and_then(|(line, col)| slip_hint(template, line, col)))
            .unwrap_or_else(|| Text::new(
                "检查 {{ }} 和 {% %} 里的变量名、括号和过滤器；数据的键名见 data/ 下的文件（如 township.registered.households）",
                "check the names, brackets and filters inside {{ }} and {% %}; data keys are those of the files under data/ (e.g. township.registered.households)",
            )),
    )
}

/// Moves each page's error about a name Tera did not find (「v.note」) to the read of it
/// that a `template-optional` warning of the same file names: Tera's message names the
/// field, not which of its reads failed, and the first read may be one its `{% if %}`
/// guards. The warning, which says the same, is then left out; its hint is the error's.
pub(super) fn at_the_read_warned_of(problems: &mut [Diagnostic], warnings: &mut Vec<Diagnostic>) {
    let quoted = |d: &Diagnostic| -> Option<String> {
        let (_, rest) = d.message.zh.split_once('「')?;
        Some(rest.split_once('」')?.0.to_string())
    };
    for problem in problems.iter_mut().filter(|p| p.code == "template") {
        let (Some(location), Some(name)) = (&problem.location, quoted(problem)) else {
            continue;
        };
        let unguarded = warnings.iter().position(|w| {
            w.code == "template-optional"
                && w.location.as_ref().is_some_and(|l| l.file == location.file)
                && quoted(w).as_deref() == Some(name.as_str())
        });
        if let Some(warning) = unguarded.map(|at| warnings.remove(at)) {
            problem.location = warning.location;
            problem.hint = warning.hint;
        }
    }
}

/// What to do about a parse error at (`line`, `col`) caused by a slip of a clerk's hand,
/// first that applies: a full-width character typed inside a tag (`fig(unit=“户”)`), a key
/// in Chinese after a dot (`extra.名称`, which Tera's names cannot hold), Chinese text
/// without quotes where Tera wants a value (`fig(unit=户)`).
fn slip_hint(template: &str, line: usize, col: usize) -> Option<Text> {
    if let Some((_, close)) = unclosed_tag(template, line, col) {
        let open = if close == "}}" { "{{" } else { "{%" };
        return Some(Text::new(
            format!(
                "这个「{open}」没有配对的「{close}」：在标签末尾补上半角的「{close}」（两个字符）"
            ),
            format!(
                "this `{open}` has no matching `{close}`: close the tag with a half-width `{close}` (two characters)"
            ),
        ));
    }
    if let Some((typed, half)) = full_width_in_tag(template, line, col) {
        return Some(if typed == '\u{3000}' {
            Text::new(
                "{{ }} 和 {% %} 里有全角空格「　」，模板只认半角空格：切换到英文（半角）输入再写",
                "there is a full-width space inside {{ }} or {% %}: templates take half-width spaces only (type it with the input method in English, half-width)",
            )
        } else {
            Text::new(
                format!(
                    "{{{{ }}}} 和 {{% %}} 里的「{typed}」是全角字符，模板只认半角的「{half}」：切换到英文（半角）输入再写"
                ),
                format!(
                    "the `{typed}` inside {{{{ }}}} or {{% %}} is a full-width character: templates take the half-width `{half}` only (type it with the input method in English, half-width)"
                ),
            )
        });
    }
    // (After the full-width characters: a `）` typed for `)` leaves the bracket open.)
    if let Some(hint) = unfinished_tag(template, line, col) {
        return Some(hint);
    }
    if let Some(hint) = unnamed_argument(template, line, col) {
        return Some(hint);
    }
    if let Some((written, bracketed)) = key_needing_brackets(template, line, col) {
        return Some(Text::new(
            format!(
                "键名不是英文字母和数字时（中文、空格），用引号和方括号读：把 {written} 写成 {bracketed}"
            ),
            format!(
                "a key that is not ASCII letters and digits (Chinese, a space) is read in quotes and brackets: write {bracketed}, not {written}"
            ),
        ));
    }
    if let Some(hint) = values_side_by_side(template, line, col) {
        return Some(hint);
    }
    let word = chinese_word_at(template, line, col)?;
    Some(Text::new(
        format!(
            "「{word}」不是变量名（变量名只用英文字母、数字和下划线）：是文字就加半角引号，写成 \"{word}\"；是数据里的键就写成 文件名[\"{word}\"]"
        ),
        format!(
            "`{word}` is no variable name (names are ASCII letters, digits and underscores): text goes in half-width quotes, \"{word}\"; a key of the data is read as file[\"{word}\"]"
        ),
    ))
}

/// Where a parse error stands (`line`, `col`: characters, 1-based) in a tag left
/// unfinished: empty (`{{ }}`), its brackets not paired (`fig(unit="户" }}`: a `)` to add),
/// or right after an argument's `=` with no value (`fig(unit=)`).
fn unfinished_tag(template: &str, line: usize, col: usize) -> Option<Text> {
    let offset = offset_of(template, line, col)?;
    let before = template[..offset].trim_end();
    // (Nothing after the `=`: the arguments or the tag go on at once.)
    let nothing_after = template[offset..]
        .trim_start()
        .starts_with([')', ',', '}', '%']);
    if let Some(name) = before
        .strip_suffix('=')
        .filter(|b| nothing_after && !b.ends_with(['=', '!', '<', '>']))
    {
        let name: String = name
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if !name.is_empty() {
            return Some(Text::new(
                format!("「{name}=」后面要写一个值，如 {name}=\"…\"（文字加半角引号）或 {name}=2"),
                format!(
                    "`{name}=` needs a value after it, such as {name}=\"…\" (text in half-width quotes) or {name}=2"
                ),
            ));
        }
    }
    let (_, tag) =
        tags(template).find(|(start, tag)| (*start..=start + tag.len()).contains(&offset))?;
    let close = closing(tag);
    let inside = tag.get(2..tag.len().saturating_sub(2)).unwrap_or_default();
    if tag.ends_with(close) && inside.trim_matches(['-', ' ', '\t']).is_empty() {
        let open = &tag[..2];
        return Some(Text::new(
            format!(
                "「{open} {close}」里是空的：写上要显示的数据（如 {{{{ township.name }}}}），或删掉它"
            ),
            format!(
                "the `{open} {close}` is empty: write what it shows (such as {{{{ township.name }}}}), or remove it"
            ),
        ));
    }
    // (Brackets inside quotes are text.)
    let (mut round, mut square) = (0i32, 0i32);
    for (_, c) in unquoted(tag) {
        match c {
            '(' => round += 1,
            ')' => round -= 1,
            '[' => square += 1,
            ']' => square -= 1,
            _ => {}
        }
    }
    let missing = match (round > 0, square > 0) {
        (true, _) => ")",
        (_, true) => "]",
        _ => return None,
    };
    Some(Text::new(
        format!("括号没有配对：在「{close}」前补上「{missing}」"),
        format!("the brackets do not pair: add `{missing}` before `{close}`"),
    ))
}

/// Where a parse error stands (`line`, `col`: characters, 1-based) at a value written right
/// after another in a `{{ }}` tag (`{{ v.name v.id }}`, `{{ a "户" }}`): what to write to
/// show both, or to reckon with them.
fn values_side_by_side(template: &str, line: usize, col: usize) -> Option<Text> {
    let offset = offset_of(template, line, col)?;
    let (start, tag) = tag_at(template, offset)?;
    if !tag.starts_with("{{") || !tag.ends_with("}}") {
        return None;
    }
    let inner_end = start + tag.len() - 2 - usize::from(tag.ends_with("-}}"));
    let inner_start = start + 2 + usize::from(tag.starts_with("{{-"));
    let left = template.get(inner_start..offset)?;
    let right = template.get(offset..inner_end)?.trim_end();
    // (A space between them: `v.namev` is one name.)
    let left = match left.trim_end() {
        trimmed if trimmed.len() < left.len() => trimmed.trim_start(),
        _ => return None,
    };
    // The value at the error: a text in quotes, or a name or a number, the tag's last.
    let is_text = right.len() >= 2
        && ["\"", "'"].iter().any(|q| {
            right.starts_with(q) && right.ends_with(q) && !right[1..right.len() - 1].contains(q)
        });
    let is_name = !right.is_empty()
        && right
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.[]\"'".contains(c));
    // After an operator Tera reads as a word (`and`, `not` …) a value is right.
    let last_word = left.rsplit(char::is_whitespace).next().unwrap_or_default();
    if left.is_empty()
        || (!is_text && !is_name)
        || super::tera_said::is_operator_word(last_word)
        || super::tera_said::is_operator_word(right)
    {
        return None;
    }
    if is_text {
        let text = &right[1..right.len() - 1];
        // (A figure shown without `fig` may have meant its unit.)
        let (unit_zh, unit_en) = match left.contains("fig(") {
            true => (String::new(), String::new()),
            false => (
                format!("；是数字的单位就写 {{{{ {left} | fig(unit={right}) }}}}"),
                format!("; a figure's unit is written {{{{ {left} | fig(unit={right}) }}}}"),
            ),
        };
        return Some(Text::new(
            format!(
                "「{left}」后面的文字 {right} 要写在 {{{{ }}}} 外面：{{{{ {left} }}}}{text}{unit_zh}"
            ),
            format!(
                "the text {right} after `{left}` goes outside the {{{{ }}}}: {{{{ {left} }}}}{text}{unit_en}"
            ),
        ));
    }
    Some(Text::new(
        format!(
            "「{left}」和「{right}」之间少了东西：要连着显示两个值，写成 {{{{ {left} }}}}{{{{ {right} }}}}；要算数，在中间写运算符（+ - * /）；要接成一段文字，写 ~"
        ),
        format!(
            "something is missing between `{left}` and `{right}`: to show both, write {{{{ {left} }}}}{{{{ {right} }}}}; to reckon, put an operator between them (+ - * /); to join them as text, ~"
        ),
    ))
}

/// Where a parse error stands (`line`, `col`: characters, 1-based) at an argument given
/// without its name (`round(2)`, `fig("人")`, `div(a=x, 2)`), as in a spreadsheet's formula:
/// Tera's filters and functions take `name=value` only.
fn unnamed_argument(template: &str, line: usize, col: usize) -> Option<Text> {
    let offset = offset_of(template, line, col)?;
    let (start, _) = tag_at(template, offset)?;
    let left = template.get(start..offset)?.trim_end();
    if !left.ends_with(['(', ',']) {
        return None;
    }
    // The call whose bracket is open: the name before the last `(` not closed.
    let mut depth = 0usize;
    let open = unquoted(left)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .find_map(|(at, c)| match c {
            ')' => {
                depth += 1;
                None
            }
            '(' if depth == 0 => Some(at),
            '(' => {
                depth -= 1;
                None
            }
            _ => None,
        })?;
    let before = left[..open].trim_end();
    let name_start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let name = &before[name_start..];
    if name.is_empty() {
        return None;
    }
    let example = super::typecheck::helper_example(name);
    Some(Text::new(
        format!("「{name}」的参数要写名字：名字=值，如 {example}（Tera 不认不写名字的参数）"),
        format!(
            "`{name}` takes named arguments, name=value, as in {example} (Tera takes no argument without its name)"
        ),
    ))
}

/// The `{{ }}` or `{% %}` tag that holds byte `offset` of `template`, with where it starts.
fn tag_at(template: &str, offset: usize) -> Option<(usize, &str)> {
    tags(template).find(|(start, tag)| (*start..start + tag.len()).contains(&offset))
}

/// The characters of a tag outside half-width quotes (`"`, `'`, `` ` ``), each with where it
/// stands in the tag; the quotes themselves are left out.
fn unquoted(tag: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut quote = None;
    tag.char_indices().filter(move |&(_, c)| match quote {
        Some(q) if c == q => {
            quote = None;
            false
        }
        Some(_) => false,
        None if c == '"' || c == '\'' || c == '`' => {
            quote = Some(c);
            false
        }
        None => true,
    })
}

/// The characters of line `line` (1-based) of `template`.
fn line_chars(template: &str, line: usize) -> Option<Vec<char>> {
    Some(
        template
            .lines()
            .nth(line.checked_sub(1)?)?
            .chars()
            .collect(),
    )
}

/// The word of Chinese characters (letters that are not ASCII) where a parse error stands
/// (`line`, `col`: characters, 1-based): `户` in `fig(unit=户)`, `户数` in `{{ 户数 }}`.
fn chinese_word_at(template: &str, line: usize, col: usize) -> Option<String> {
    let chars = line_chars(template, line)?;
    let word: String = chars
        .get(col.checked_sub(1)?..)?
        .iter()
        .take_while(|c| c.is_alphanumeric() && !c.is_ascii())
        .collect();
    (!word.is_empty()).then_some(word)
}

/// The first full-width character (with its half-width one) in the `{{ }}` or `{% %}` tag
/// where a parse error stands (`line`, `col`: characters, 1-based): from the error on, else
/// anywhere in the tag (Tera may stop before it, at the name it belongs to). Text in quotes
/// is passed over (`fig(unit="（户）")` is right).
fn full_width_in_tag(template: &str, line: usize, col: usize) -> Option<(char, char)> {
    let offset = offset_of(template, line, col)?;
    let (start, tag) = tag_at(template, offset)?;
    let unquoted: Vec<(usize, char)> = unquoted(tag).collect();
    let full = |&(_, c): &(usize, char)| crate::diagnostics::half_width(c).map(|half| (c, half));
    unquoted
        .iter()
        .filter(|(at, _)| start + at >= offset)
        .find_map(full)
        .or_else(|| unquoted.iter().find_map(full))
}

/// Where a parse error stands (`line`, `col`: characters, 1-based) at a dot followed by a
/// key that is not a plain ASCII name (`extra.名称`): the path as written and as it is read
/// (`extra["名称"]`).
fn key_needing_brackets(template: &str, line: usize, col: usize) -> Option<(String, String)> {
    let chars = line_chars(template, line)?;
    let at = col.checked_sub(1)?;
    // Tera stops at the dot or at the key's first character.
    let dot = [Some(at), at.checked_sub(1)]
        .into_iter()
        .flatten()
        .find(|&i| chars.get(i) == Some(&'.'))?;
    let key: String = chars[dot + 1..]
        .iter()
        .take_while(|c| c.is_alphanumeric() || **c == '_')
        .collect();
    let mut path: Vec<char> = chars[..dot]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '_' || **c == '.')
        .copied()
        .collect();
    path.reverse();
    let path: String = path.into_iter().collect();
    if key.is_ascii() || path.is_empty() {
        return None;
    }
    Some((format!("{path}.{key}"), format!("{path}[\"{key}\"]")))
}

/// A helper's message written `English / 中文` (see `figure::bilingual`) as (English,
/// Chinese); any other message is both.
fn split_languages(message: &str) -> (String, String) {
    let chinese = |text: &str| text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    match message.rsplit_once(" / ") {
        Some((en, zh)) if chinese(zh) => (en.to_string(), zh.to_string()),
        _ => (message.to_string(), message.to_string()),
    }
}

/// `--> 3:5` in a Tera parse error.
fn parse_arrow_location(message: &str) -> Option<(usize, usize)> {
    let rest = &message[message.find("--> ")? + 4..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit() && c != ':')
        .unwrap_or(rest.len());
    let (line, col) = rest[..end].split_once(':')?;
    Some((line.parse().ok()?, col.parse().ok()?))
}

/// Names Tera quotes in backticks — or in single quotes, as it names a filter, a function
/// or a test it does not know (`Filter 'date' not found`) — most specific first.
fn quoted_names(message: &str) -> Vec<String> {
    // (A name in single quotes is one word: an apostrophe in prose quotes no name.)
    let quoted = |quote: char| {
        message
            .split(quote)
            .skip(1)
            .step_by(2)
            .filter(|name| {
                !name.is_empty()
                    && !name.ends_with(".md")
                    && !name.ends_with(".html")
                    && (quote == '`' || !name.contains(char::is_whitespace))
            })
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let mut names = quoted('`');
    if names.is_empty() {
        // An include Tera cannot find is the names it tried, in brackets:
        // `Template '[nofile.md]' not found`.
        names = quoted('\'')
            .into_iter()
            .map(
                |name| match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
                    Some(tried) => tried.to_string(),
                    None => name,
                },
            )
            .collect();
    }
    names.reverse();
    names
}

/// 1-based line and column in `template` of the link written `link`: where it stands whole
/// first (see [`written_link`]).
pub(super) fn locate_written(template: &str, link: &str) -> Option<(usize, usize)> {
    [true, false].into_iter().find_map(|whole| {
        let at = written_link(template, link, whole)?;
        Some(crate::diagnostics::line_col(template, at))
    })
}

/// 1-based line and column in `template` of the names an error quotes (`names`, most
/// specific first): in the `{{ }}` or `{% %}` tag that holds the most of them — a chart's
/// error names its title and a field, and an earlier tag may hold the field alone
/// (`{{ township.name }}` before a chart of the field `name`) — at the most specific name
/// that tag holds; outside any tag, where the most specific name first stands.
fn locate_names(template: &str, names: &[String]) -> Option<(usize, usize)> {
    // (How many of the names the tag holds, where its most specific one is.)
    let mut best: Option<(usize, usize)> = None;
    for (start, tag) in tags(template) {
        let mut found = names.iter().filter_map(|name| name_offset(tag, name));
        let Some(first) = found.next() else {
            continue;
        };
        let count = 1 + found.count();
        if best.is_none_or(|(most, _)| count > most) {
            best = Some((count, start + first));
        }
    }
    let offset = match best {
        Some((_, offset)) => offset,
        None => names.iter().find_map(|name| name_offset(template, name))?,
    };
    Some(crate::diagnostics::line_col(template, offset))
}

/// 1-based line and column of each use of `name` as a whole word in a tag of `template`.
fn uses_in_tags<'t>(template: &'t str, name: &'t str) -> impl Iterator<Item = (usize, usize)> + 't {
    tags(template).flat_map(move |(start, tag)| {
        let mut found = Vec::new();
        let mut from = 0;
        while let Some(at) = name_offset(&tag[from..], name) {
            found.push(crate::diagnostics::line_col(template, start + from + at));
            from += at + name.len();
        }
        found
    })
}

/// The `{{ … }}` and `{% … %}` tags of a template, each with where it starts (a tag left
/// open runs to the next tag's opening, or to the end).
pub(super) fn tags(template: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let rest = &template[at..];
        let start = at + next_opening(rest)?;
        let close = closing(&template[start..]);
        let after = &template[start + 2..];
        let end = match (after.find(close), next_opening(after)) {
            (Some(e), Some(o)) if o < e => start + 2 + o,
            (Some(e), _) => start + 2 + e + 2,
            (None, Some(o)) => start + 2 + o,
            (None, None) => template.len(),
        };
        at = end;
        Some((start, &template[start..end]))
    })
}

/// What closes the tag `tag` opens with: `}}` for `{{`, `%}` for `{%`.
fn closing(tag: &str) -> &'static str {
    if tag.starts_with("{{") { "}}" } else { "%}" }
}

/// Where the first `{{` or `{%` of `text` is.
fn next_opening(text: &str) -> Option<usize> {
    text.find("{{").into_iter().chain(text.find("{%")).min()
}

/// The tag left open (`{{ w.name }`, `{% endif`) where a parse error stands (`line`, `col`:
/// characters, 1-based): where it opens and its closing (`}}` or `%}`).
fn unclosed_tag(template: &str, line: usize, col: usize) -> Option<(usize, &'static str)> {
    let offset = offset_of(template, line, col)?;
    let (start, tag) = tags(template)
        .take_while(|(start, _)| *start <= offset)
        .last()?;
    let close = closing(tag);
    (!tag.ends_with(close) || tag.len() < 4).then_some((start, close))
}

/// The byte offset in `template` of (`line`, `col`: characters, 1-based); the line's end
/// when the column is past it.
fn offset_of(template: &str, line: usize, col: usize) -> Option<usize> {
    let line_start: usize = template
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let in_line = template.get(line_start..)?.lines().next().unwrap_or("");
    Some(
        line_start
            + in_line
                .char_indices()
                .nth(col.checked_sub(1)?)
                .map_or(in_line.len(), |(at, _)| at),
    )
}

/// Where the name `needle` first stands in `text` not as part of a longer ASCII word: a
/// field `id` is not found in `aid_amount`.
fn name_offset(text: &str, needle: &str) -> Option<usize> {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    text.match_indices(needle).map(|(at, _)| at).find(|&at| {
        !word(text[..at].chars().next_back()) && !word(text[at + needle.len()..].chars().next())
    })
}

/// Where a link of a built page (`../villages/nowhere.html#基本情况`, decoded) is written in
/// its content `template`: as it is in the page, or as Markdown wrote it (the content file
/// `….md` the page is made of), or by its file name or its anchor alone — the longest form
/// found first.
pub(super) fn locate_link(template: &str, link: &str) -> Option<(usize, usize)> {
    let (path, fragment) = match link.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (link, None),
    };
    let as_markdown = |path: &str| path.strip_suffix(".html").map(|stem| format!("{stem}.md"));
    let with_fragment = |path: String| match fragment {
        Some(fragment) => format!("{path}#{fragment}"),
        None => path,
    };
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut forms = vec![link.to_string()];
    forms.extend(as_markdown(path).map(with_fragment));
    forms.extend(as_markdown(path));
    if !name.is_empty() && name != path {
        forms.extend(as_markdown(name).map(with_fragment));
        forms.push(with_fragment(name.to_string()));
    }
    forms.extend(fragment.map(|fragment| format!("#{fragment}")));
    // A form standing whole (`(index.md)`) before one inside a longer link
    // (`(../villages/index.md)`, which may be a correct link on an earlier line).
    let at = [true, false].into_iter().find_map(|whole| {
        forms
            .iter()
            .find_map(|form| written_link(template, form, whole))
    })?;
    Some(crate::diagnostics::line_col(template, at))
}

/// Where the link `written` stands in `template`: when `whole`, only where it is the whole
/// link (after `(`, `<`, a quote, `: ` or a space, and before `)`, `>`, a quote, `#`, `?`
/// or a space), so that `villages/index.md` is not found inside `../villages/index.md`;
/// otherwise anywhere.
pub(super) fn written_link(template: &str, written: &str, whole: bool) -> Option<usize> {
    if !whole {
        return template.find(written);
    }
    let opens = |c: Option<char>| {
        c.is_none_or(|c| matches!(c, '(' | '<' | '"' | '\'' | ':' | '=') || c.is_whitespace())
    };
    let closes = |c: Option<char>| {
        c.is_none_or(|c| matches!(c, ')' | '>' | '"' | '\'' | '#' | '?') || c.is_whitespace())
    };
    template
        .match_indices(written)
        .map(|(at, _)| at)
        .find(|&at| {
            opens(template[..at].chars().next_back())
                && closes(template[at + written.len()..].chars().next())
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_quoted_name_is_found_as_a_whole_word() {
        let template =
            "资助{{ p.aid_amount }}\n{{ chart(title=\"名字图\", values=\"id\") }}横溪村位于";
        let locate = |name: &str| super::locate_names(template, &[name.to_string()]);
        assert_eq!(locate("id"), Some((2, 31)));
        assert_eq!(locate("名字图"), Some((2, 17)));
        // Chinese next to Chinese is still found, outside any tag too; a name nowhere whole
        // is not.
        assert_eq!(locate("横溪村"), Some((2, 38)));
        assert_eq!(locate("amount"), None);
    }

    #[test]
    fn quoted_names_are_found_in_the_tag_that_holds_most_of_them() {
        // A chart of the field `name` fails: Tera quotes the village, the field and the
        // chart's title; an earlier tag holds `name` alone, a later one the title alone.
        let template = "{{ township.name }}有{{ n }}户\n\n{{ chart(title=\"名字图\", label=\"名\", values=\"name\") }}\n{# 名字图 #}{{ \"名字图\" }}";
        let names = super::quoted_names("chart `名字图`: `name` of `横溪村` is not a number");
        assert_eq!(names, ["横溪村", "name", "名字图"]);
        // A filter Tera does not know is named in single quotes.
        let filters = super::quoted_names("Filter 'date' not found while rendering 'index.md'");
        assert_eq!(filters, ["date"]);
        let included = super::quoted_names("Template '[nofile.md]' not found");
        assert_eq!(included, ["nofile.md"]);
        assert_eq!(
            super::locate_names("值\n\n{% include \"nofile.md\" %}", &included),
            Some((3, 13))
        );
        assert_eq!(
            super::locate_names("有{{ n }}户\n{{ n | date }}", &filters),
            Some((2, 8))
        );
        assert_eq!(super::locate_names(template, &names), Some((3, 42)));
        // A tag left open still counts; names in no tag are found where they first stand.
        assert_eq!(
            super::locate_names("{{ a }}\n{{ chart(title=\"图\", values=\"a\")", &names[1..]),
            None
        );
        let open = "{{ b }}\n{{ chart(title=\"名字图\", values=\"name\"";
        assert_eq!(super::locate_names(open, &names), Some((2, 31)));
        assert_eq!(super::locate_names("名字图 name", &names), Some((1, 5)));
    }

    #[test]
    fn a_key_in_chinese_after_a_dot_is_written_in_brackets() {
        let template = "第一行\n值：{{ extra.名称 }}，{{ v.registered.户 数 }}{{ v.name.x }}";
        let at = |col| super::key_needing_brackets(template, 2, col);
        let wanted =
            |path: &str, key: &str| Some((format!("{path}.{key}"), format!("{path}[\"{key}\"]")));
        // At the dot or at the key's first character, as Tera points.
        assert_eq!(at(11), wanted("extra", "名称"));
        assert_eq!(at(12), wanted("extra", "名称"));
        assert_eq!(at(33), wanted("v.registered", "户"));
        // A plain key, a place with no dot, a line or column past the text: nothing.
        assert_eq!(at(44), None);
        assert_eq!(at(3), None);
        assert_eq!(super::key_needing_brackets(template, 9, 1), None);
        assert_eq!(super::key_needing_brackets(template, 2, 0), None);
        assert_eq!(super::key_needing_brackets(template, 2, 400), None);
    }

    #[test]
    fn a_word_in_chinese_where_a_value_is_wanted_is_found() {
        let template = "\n{{ x | fig(unit=户数) }}{{ 名称 }}";
        let at = |col| super::chinese_word_at(template, 2, col);
        assert_eq!(at(17).as_deref(), Some("户数"));
        assert_eq!(at(26).as_deref(), Some("名称"));
        assert_eq!(at(4), None);
        assert_eq!(at(0), None);
        assert_eq!(at(99), None);
        assert_eq!(super::chinese_word_at(template, 7, 1), None);
    }

    #[test]
    fn helper_messages_are_split_by_language() {
        let (en, zh) = super::split_languages("fig: `unit` must be text / fig：unit 要写成文本");
        assert_eq!(en, "fig: `unit` must be text");
        assert_eq!(zh, "fig：unit 要写成文本");
        let (en, zh) = super::split_languages("Variable `x` not found in context");
        assert_eq!(en, zh);
    }

    #[test]
    fn a_built_page_s_link_is_found_as_markdown_wrote_it() {
        let template = "# 村\n\n见[概况](../villages/index.md#基本情况)。\n[下一页](v2.md)\n<a href=\"#无\">x</a>\n";
        let at = |link| super::locate_link(template, link);
        assert_eq!(at("../villages/index.html#基本情况"), Some((3, 7)));
        assert_eq!(at("../villages/index.html"), Some((3, 7)));
        assert_eq!(at("villages/v2.html"), Some((4, 7)));
        assert_eq!(at("v1.html#无"), Some((5, 10)));
        assert_eq!(at("../somewhere/else.pdf"), None);
    }

    #[test]
    fn a_link_is_found_where_it_is_whole_before_where_it_ends_a_longer_link() {
        // Line 1 links the villages' index correctly from policies/; line 2 forgot the
        // `../`: the broken `villages/index.md` is on line 2.
        let template = "见[村](../villages/index.md)。\n再见[村](villages/index.md)。\n";
        assert_eq!(
            super::locate_link(template, "villages/index.html"),
            Some((2, 7))
        );
        assert_eq!(
            super::written_link(template, "villages/index.md", true),
            Some(46)
        );
        assert_eq!(
            super::written_link(template, "villages/index.md", false),
            Some(12)
        );
        // Written only inside a longer link, it is still found there.
        assert_eq!(
            super::locate_link("见[村](../villages/index.md)", "villages/index.html"),
            Some((1, 9))
        );
        // An anchor or a query ends a link; a longer name does not.
        assert_eq!(super::written_link("(a.md#x)", "a.md", true), Some(1));
        assert_eq!(super::written_link("(a.md5)", "a.md", true), None);
        assert_eq!(
            super::written_link("<a href=\"a.md\">", "a.md", true),
            Some(9)
        );
    }
}

//! What the TOML parser says about `huibao.toml` and a page's front matter (`+++`), said in
//! Chinese and English, with what to write: the parser speaks English only, and a clerk's
//! usual mistakes (a text without quotes, a Windows path's `\\`, a full-width `：`, a
//! section's missing `]`) are better told in the words of the file than of the grammar.

use super::{Text, full_width_char_hint, half_width, yes_or_no};

/// The parser's messages after which the rest of a file is still read: a key or a value
/// of one line the settings do not take. (After a mistake of the grammar, or a section's
/// header, what follows would be misread.)
const READ_ON_AFTER: [&str; 5] = [
    "unknown field",
    "unknown variant",
    "invalid type",
    "invalid value",
    "invalid boolean",
];

/// `text` read as a `T`, or every mistake in it (at most 20), not only the first: after a
/// mistake of one `key = value` line, the line is blanked (its bytes become spaces: every
/// offset the parser gives stays an offset of `text`) and the file read again. A clerk with
/// three keys misspelt sees three errors in one run.
pub fn parse_all<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Vec<toml::de::Error>> {
    let mut errors: Vec<toml::de::Error> = Vec::new();
    let mut read = text.to_string();
    // (In the file's order, as they were met or not.)
    let in_order = |mut errors: Vec<toml::de::Error>| {
        errors.sort_by_key(|e| e.span().map(|span| span.start));
        Err(errors)
    };
    loop {
        let error = match toml::from_str::<T>(&read) {
            Ok(value) if errors.is_empty() => return Ok(value),
            Ok(_) => return in_order(errors),
            Err(error) => error,
        };
        // (A required key on a blanked line is not missing.)
        if !errors.is_empty() && error.message().starts_with("missing field") {
            return in_order(errors);
        }
        let reads_on = READ_ON_AFTER.iter().any(|m| error.message().starts_with(m));
        let line = error.span().map(|span| {
            let start = read[..span.start.min(read.len())]
                .rfind('\n')
                .map_or(0, |at| at + 1);
            let end = read[start..].find('\n').map_or(read.len(), |at| start + at);
            start..end
        });
        let repeated = errors.last().and_then(|e| e.span()) == error.span();
        errors.push(error);
        match line {
            Some(line)
                if reads_on
                    && !repeated
                    && errors.len() < 20
                    && !read[line.clone()].trim_start().starts_with('[') =>
            {
                let blank = " ".repeat(line.len());
                read.replace_range(line, &blank);
            }
            _ => return in_order(errors),
        }
    }
}

/// What a TOML file's parser said about byte `offset` of `text`, in both languages, and
/// what to write when it is a usual mistake (see [`toml_mistake`]); any other message is
/// said as [`parser_said`] says it, with no hint.
pub fn toml_said(message: &str, text: &str, offset: usize) -> (Text, Option<Text>) {
    match toml_mistake(message, text, offset) {
        Some((said, hint)) => (said, Some(hint)),
        None => parser_said(message),
    }
}

/// A TOML file's usual mistakes said in both languages, from the parser's `message` about
/// byte `offset` of `text`: a key it does not have (`languge`), a value not among those
/// allowed (`xls`) — each with the closest of the names the parser lists —, a key and its
/// value parted by `:`, a text without quotes (`output_dir = public`), a Windows path's
/// `\\`, a value of another kind than the setting takes. (What is wrong, what to write);
/// `None` for any other message.
fn toml_mistake(message: &str, text: &str, offset: usize) -> Option<(Text, Text)> {
    if let Some(said) = unknown_name(message) {
        return Some(said);
    }
    // A setting that must be there (`title`), left out.
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name)
    {
        let example = match name {
            "title" => "title = \"标题\"".to_string(),
            _ => format!("{name} = …"),
        };
        return Some((
            Text::new(
                format!("缺少必须写的设置「{name}」"),
                format!("the setting `{name}` must be there and is not"),
            ),
            Text::new(
                format!("加上一行 {example}"),
                format!("add a line {example}"),
            ),
        ));
    }
    let line = line_at(text, offset.min(text.len()));
    // A key and its value parted by a colon (YAML's way, the data files' way).
    if message.starts_with("key with no value") {
        let written = with_equals(line, ':')?;
        return Some((
            Text::new(
                "设置项的名字和值之间用「=」，不用「:」",
                "a key and its value are parted by `=`, not `:`",
            ),
            Text::new(format!("写成 {written}"), format!("write {written}")),
        ));
    }
    // The key and the value as written on the line of the mistake.
    let (key, value) = line.split_once('=')?;
    let (key, value) = (key.trim(), value.trim());
    unquoted(message, key, value)
        .or_else(|| quotes_inside(message, key, value))
        .or_else(|| windows_path(message, key, value))
        .or_else(|| wrong_kind(message, key))
}

/// A key the parser does not have (`languge`), or a value not among those allowed (`xls`),
/// with the closest of the names the parser lists in its `message`.
fn unknown_name(message: &str) -> Option<(Text, Text)> {
    let kind = ["unknown field", "unknown variant"]
        .into_iter()
        .find(|kind| message.starts_with(kind))?;
    // The names in backticks: the one written, then those allowed.
    let names: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let (written, allowed) = names.split_first()?;
    // (A value in capitals, `PDF`, as it is spoken of.)
    let near = crate::suggest::did_you_mean(written, allowed.iter().copied()).or_else(|| {
        allowed
            .iter()
            .copied()
            .find(|a| a.eq_ignore_ascii_case(written))
    });
    let what = if kind == "unknown field" {
        Text::new(
            format!("没有「{written}」这一项"),
            format!("there is no key `{written}`"),
        )
    } else {
        Text::new(
            format!("「{written}」不是可选的值"),
            format!("`{written}` is not one of the values allowed"),
        )
    };
    let (zh_list, en_list) = (allowed.join("、"), allowed.join(", "));
    let hint = match near {
        Some(near) => Text::new(
            format!("是不是「{near}」？可用的：{zh_list}"),
            format!("did you mean `{near}`? allowed: {en_list}"),
        ),
        None => Text::new(format!("可用的：{zh_list}"), format!("allowed: {en_list}")),
    };
    Some((what, hint))
}

/// `true` or `false` for a yes or no written for a switch (`是`, `"yes"`).
fn switch_word(word: &str) -> Option<String> {
    yes_or_no(word.trim_matches('"')).map(|yes| yes.to_string())
}

/// A text written without quotes after `key =` (`value`): or no value at all, or a yes or
/// no meant for a switch.
/// Half-width double quotes inside a text (`title = "示例乡"脱贫攻坚"汇报"`): the text ends
/// at the second, and what follows is a mistake. Chinese quotes, or the whole in single
/// quotes, say it.
fn quotes_inside(message: &str, key: &str, value: &str) -> Option<(Text, Text)> {
    let after_value = [
        "unexpected key or value",
        "unexpected content",
        "expected newline",
    ];
    if !after_value.iter().any(|m| message.starts_with(m))
        || !value.starts_with('"')
        || value.matches('"').count() < 3
    {
        return None;
    }
    let text = value.trim_end().trim_matches('"');
    let chinese: String = text
        .chars()
        .scan(false, |open, c| {
            Some(match c {
                '"' => {
                    *open = !*open;
                    if *open { '“' } else { '”' }
                }
                c => c,
            })
        })
        .collect();
    Some((
        Text::new(
            "文字里用了半角双引号「\"」：文字在第二个「\"」处就结束了",
            "the text holds half-width double quotes `\"`: it ends at the second one",
        ),
        Text::new(
            format!(
                "文字里的引号用中文引号：写成 {key} = \"{chinese}\"；或整段改用单引号：{key} = '{text}'"
            ),
            format!(
                "use Chinese quotes inside: {key} = \"{chinese}\"; or put the whole in single quotes: {key} = '{text}'"
            ),
        ),
    ))
}

/// The settings of `huibao.toml` and of a front matter that take a number.
const NUMBER_KEYS: [&str; 2] = ["weight", "toc_section_limit"];

fn unquoted(message: &str, key: &str, value: &str) -> Option<(Text, Text)> {
    // (`True`, `FALSE`: the parser reads a word starting as a switch's as one mistyped.)
    let unquoted = [
        "string values must be quoted",
        "missing opening quote",
        "invalid boolean",
    ];
    if !unquoted.iter().any(|kind| message.starts_with(kind)) {
        return None;
    }
    // Nothing after the `=`: a value left out, not a text without quotes.
    if value.is_empty() {
        return Some((
            Text::new(
                format!("「{key} =」后面没有写值"),
                format!("`{key} =` has no value"),
            ),
            Text::new(
                format!("写上值，如 {key} = \"…\"；不用这一项就删去这一行"),
                format!("write its value, as in {key} = \"…\", or remove the line"),
            ),
        ));
    }
    // A number typed in full-width digits (`weight = ３０`): a number, not a text.
    let is_full_width_digit = |c: char| ('０'..='９').contains(&c);
    if value.chars().any(is_full_width_digit)
        && value.chars().all(|c| {
            c.is_ascii_digit() || is_full_width_digit(c) || matches!(c, '.' | '．' | '-' | '－')
        })
    {
        let half: String = value
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                '．' => '.',
                '－' => '-',
                c => c,
            })
            .collect();
        return Some((
            Text::new(
                format!("「{value}」用了全角数字，读不出数"),
                format!("`{value}` is typed in full-width digits: it reads as no number"),
            ),
            Text::new(
                format!("切换到英文（半角）输入，写成 {key} = {half}"),
                format!("type it with the input method in English (half-width): {key} = {half}"),
            ),
        ));
    }
    // A number written in Chinese numerals for a setting that takes a number.
    let numeral = |c: char| "〇零一二两三四五六七八九十百千万".contains(c);
    if NUMBER_KEYS.contains(&key) && value.chars().all(numeral) {
        return Some((
            Text::new(
                format!("「{value}」不是数字：{key} 要写阿拉伯数字"),
                format!("`{value}` is no number: {key} takes digits"),
            ),
            Text::new(
                format!("写阿拉伯数字，不加引号，如 {key} = 10"),
                format!("write digits without quotes, as in {key} = 10"),
            ),
        ));
    }
    // A yes or no meant for a switch is `true` or `false`, not a text.
    if let Some(switch) = switch_word(value) {
        return Some((
            Text::new("开关写 true 或 false", "a switch is true or false"),
            Text::new(
                format!("写成 {key} = {switch}"),
                format!("write {key} = {switch}"),
            ),
        ));
    }
    let written = quoted_value(value);
    Some((
        Text::new("文字要用半角双引号括起来", "text must be in double quotes"),
        Text::new(
            format!("写成 {key} = {written}"),
            format!("write {key} = {written}"),
        ),
    ))
}

/// A Windows path as `key`'s `value`: its `\` starts an escape in a text in double quotes.
fn windows_path(message: &str, key: &str, value: &str) -> Option<(Text, Text)> {
    if !(message.starts_with("missing escaped value") && value.contains('\\')) {
        return None;
    }
    let slashed = value.replace('\\', "/");
    if key == "theme" {
        // A theme is named by its folder in themes/, not by a path.
        let name = slashed.trim_matches('"').trim_end_matches('/');
        let name = name.rsplit('/').next().unwrap_or(name);
        return Some((
            Text::new(
                "双引号里的「\\」是转义符，路径里不能直接写",
                "a `\\` in double quotes starts an escape: a path cannot have it as it is",
            ),
            Text::new(
                format!("theme 只写 themes/ 下的文件夹名：写成 theme = \"{name}\""),
                format!("theme is the name of a folder in themes/: write theme = \"{name}\""),
            ),
        ));
    }
    Some((
        Text::new(
            "双引号里的「\\」是转义符，路径里不能直接写",
            "a `\\` in double quotes starts an escape: a path cannot have it as it is",
        ),
        Text::new(
            format!("路径用「/」分隔：写成 {key} = {slashed}（Windows 也认）"),
            format!("separate the path with `/`: write {key} = {slashed} (Windows takes it too)"),
        ),
    ))
}

/// A value of another kind than the setting `key` takes: a switch or a number in quotes, a
/// number for a text, a text for a list (serde's `invalid type: string "是", expected a
/// boolean`, `invalid value: integer `-3`, expected usize`).
fn wrong_kind(message: &str, key: &str) -> Option<(Text, Text)> {
    let (found, wanted) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?
        .split_once(", expected ")?;
    let wanted = Wanted::of(wanted)?;
    let is_text = found.starts_with("string ");
    // The value as written: in a text's quotes, or a number's backticks.
    let written = match is_text {
        true => found.split('"').nth(1),
        false => found.split('`').nth(1),
    }
    .unwrap_or_default();
    let found = match found.split_once(' ').map_or(found, |(kind, _)| kind) {
        "string" => Text::new(
            format!("文字「{written}」"),
            format!("the text `{written}`"),
        ),
        "integer" | "floating" => {
            Text::new(format!("数字 {written}"), format!("the number {written}"))
        }
        "boolean" => Text::new(format!("开关值 {written}"), format!("the switch {written}")),
        "sequence" => Text::new("列表", "a list"),
        "map" => Text::new("一节设置", "a table"),
        _ => Text::new(found, found),
    };
    let (kind, hint) = wanted.said(key, written, is_text);
    // (`应是 true 或 false`: a space between Chinese and a Latin word.)
    let gap = if kind.zh.starts_with(|c: char| c.is_ascii()) {
        " "
    } else {
        ""
    };
    Some((
        Text::new(
            format!("应是{gap}{}，这里是{}", kind.zh, found.zh),
            format!("must be {}, found {}", kind.en, found.en),
        ),
        hint,
    ))
}

impl Wanted {
    /// The kind of value `key` takes, and what to write there for the value `written` (a
    /// text when `is_text`).
    fn said(&self, key: &str, written: &str, is_text: bool) -> (Text, Text) {
        match self {
            Wanted::Switch => {
                let said = Text::new("true 或 false", "true or false");
                let hint = match switch_word(written) {
                    Some(switch) if is_text => Text::new(
                        format!("不加引号：写成 {key} = {switch}"),
                        format!("no quotes: write {key} = {switch}"),
                    ),
                    _ => Text::new(
                        format!("写成 {key} = true（是）或 {key} = false（否）"),
                        format!("write {key} = true (yes) or {key} = false (no)"),
                    ),
                };
                (said, hint)
            }
            Wanted::Whole => {
                let said = Text::new("整数", "a whole number");
                let digits = !written.is_empty() && written.bytes().all(|b| b.is_ascii_digit());
                let hint = if digits {
                    Text::new(
                        format!("不加引号：写成 {key} = {written}"),
                        format!("no quotes: write {key} = {written}"),
                    )
                } else if written.starts_with('-') {
                    Text::new(
                        "写 0 或正整数（阿拉伯数字），不加负号",
                        "write 0 or a positive whole number in digits, without a minus sign",
                    )
                } else {
                    Text::new(
                        "写一个整数（阿拉伯数字），不加引号",
                        "write a whole number in digits, without quotes",
                    )
                };
                (said, hint)
            }
            Wanted::Text => (
                Text::new("文字", "a text"),
                Text::new(
                    format!("文字要用半角双引号括起来：写成 {key} = \"{written}\""),
                    format!("text is in double quotes: write {key} = \"{written}\""),
                ),
            ),
            Wanted::List => {
                let item = match written {
                    "" => "…",
                    item => item,
                };
                (
                    Text::new("列表", "a list"),
                    Text::new(
                        format!("列表写在方括号里：写成 {key} = [\"{item}\"]"),
                        format!("a list is in square brackets: write {key} = [\"{item}\"]"),
                    ),
                )
            }
        }
    }
}

/// What kind of value a setting takes, as serde names it in a message (`a boolean`,
/// `usize`, `a string`, `a sequence`).
enum Wanted {
    Switch,
    Whole,
    Text,
    List,
}

impl Wanted {
    /// The kind serde's `expected …` names; `None` for another (a table, a date …).
    fn of(expected: &str) -> Option<Wanted> {
        let whole = ["usize", "u64", "u32", "u16", "u8", "i64", "i32", "integer"];
        match expected {
            "a boolean" => Some(Wanted::Switch),
            "a string" => Some(Wanted::Text),
            "a sequence" => Some(Wanted::List),
            _ if whole.contains(&expected) => Some(Wanted::Whole),
            _ => None,
        }
    }
}

/// `line` (a setting written `key: value`, parted by `colon`) as it is written with `=`:
/// `key = value`; `None` when it has an `=` already or no key before the colon.
fn with_equals(line: &str, colon: char) -> Option<String> {
    let (key, value) = line.split_once(colon)?;
    (!key.trim().is_empty() && !line.contains('='))
        .then(|| format!("{} = {}", key.trim(), value.trim()))
}

/// `value` (a text written without quotes, or a list of them) as written in quotes: its
/// stray quotes dropped, a list's items each quoted (`[xlsx, csv]` → `["xlsx", "csv"]`).
fn quoted_value(value: &str) -> String {
    let bare = |text: &str| text.trim().trim_matches(['"', '\'', '“', '”']).to_string();
    match value.strip_prefix('[') {
        Some(items) => {
            let items = items.trim_end().trim_end_matches(']');
            let quoted: Vec<String> = items
                .split([',', '，'])
                .map(bare)
                .filter(|item| !item.is_empty())
                .map(|item| format!("\"{item}\""))
                .collect();
            format!("[{}]", quoted.join(", "))
        }
        None => format!("\"{}\"", bare(value)),
    }
}

/// A hint for a TOML file (`file`: `huibao.toml`, 前言) that did not parse at byte `offset`
/// of `text` because of a full-width character — the one there, else the first on its
/// line: which one, and the half-width one to type.
pub fn full_width_toml_hint(text: &str, offset: usize, file: (&str, &str)) -> Option<Text> {
    let offset = offset.min(text.len());
    let line = line_at(text, offset);
    let here = text.get(offset..).and_then(|rest| rest.chars().next());
    let (typed, half) = here
        .and_then(|c| half_width(c).map(|h| (c, h)))
        .or_else(|| line.chars().find_map(|c| half_width(c).map(|h| (c, h))))?;
    // A colon, full-width or not, is no TOML setting's sign: the line is written with `=`.
    if half == ':' {
        let (zh_file, en_file) = file;
        let (zh_write, en_write) = match with_equals(line, typed) {
            Some(written) => (written.clone(), written),
            None => ("名字 = 值".to_string(), "name = value".to_string()),
        };
        return Some(Text::new(
            format!("「{typed}」是全角冒号：{zh_file}的设置用半角等号，写成 {zh_write}"),
            format!(
                "`{typed}` is a full-width colon: {en_file} sets a value with `=`: write {en_write}"
            ),
        ));
    }
    // A comma after a value, as at a sentence's end: TOML takes none there.
    let trimmed = line.trim_end();
    if typed == '，' && trimmed.ends_with('，') && !trimmed.contains(['[', '{']) {
        let written = trimmed.trim_end_matches('，').trim();
        return Some(Text::new(
            format!("删去这一行末尾的「，」（每项设置单独一行，行末不加标点）：写成 {written}"),
            format!(
                "remove the `，` at the end of the line (one setting a line, no punctuation after it): write {written}"
            ),
        ));
    }
    let hint = full_width_char_hint(typed, half, file);
    // The line as it is written half-width outside its quotes (a title's own `（` stays),
    // when that is all it needs: it then reads as TOML.
    let mut quoted = false;
    let written: String = line
        .trim()
        .chars()
        .map(|c| {
            let c = if quoted && !matches!(c, '“' | '”') {
                c
            } else {
                half_width(c).unwrap_or(c)
            };
            if c == '"' {
                quoted = !quoted;
            }
            c
        })
        .collect();
    if written.starts_with('#') || toml::from_str::<toml::Table>(&written).is_err() {
        return Some(hint);
    }
    Some(Text::new(
        format!("{}，写成 {written}", hint.zh),
        format!("{}: write {written}", hint.en),
    ))
}

/// The TOML parser's own `message` (`unclosed table, expected `]``) said in Chinese too, with
/// what to write for the usual ones (`None`: the caller's list of the keys helps most). A
/// message not known here is given in the parser's words after a Chinese lead-in.
fn parser_said(message: &str) -> (Text, Option<Text>) {
    // The parser's description, before what it expected (`, expected `]``).
    let description = message.split(", expected ").next().unwrap_or(message);
    let said = |zh: &str| Text::new(zh, message);
    let hint = |zh: &str, en: &str| Some(Text::new(zh, en));
    match description {
        "invalid basic string" => (
            said("双引号里的文字没有结束"),
            hint(
                "在这一行文字的末尾补上半角双引号「\"」（文字不能跨行）",
                "close the text with a double quote `\"` on the same line",
            ),
        ),
        "invalid literal string" => (
            said("单引号里的文字没有结束"),
            hint(
                "在这一行文字的末尾补上半角单引号「'」（文字不能跨行）",
                "close the text with a single quote `'` on the same line",
            ),
        ),
        "invalid multi-line basic string" | "invalid multi-line literal string" => (
            said("三个引号括起的文字没有结束"),
            hint(
                "在文字末尾补上同样的三个引号",
                "close the text with the same three quotes",
            ),
        ),
        "unclosed table" => (
            said("节名缺少结尾的「]」"),
            hint(
                "节名写在一对半角方括号里，如 [document]",
                "a section's name is in square brackets, as in [document]",
            ),
        ),
        "unclosed array table" => (said("节名缺少结尾的「]]」"), None),
        "unclosed array" => (
            said("列表缺少结尾的「]」"),
            hint(
                "列表写成 [\"xlsx\", \"csv\"]：各项之间用半角逗号，最后用「]」结束",
                "a list is written [\"xlsx\", \"csv\"]: items between commas, closed by `]`",
            ),
        ),
        "unclosed inline table" => (said("「{」括起的设置缺少结尾的「}」"), None),
        "missing comma between array elements" => (
            said("列表的两项之间缺少半角逗号「,」"),
            hint(
                "列表写成 [\"xlsx\", \"csv\"]",
                "a list is written [\"xlsx\", \"csv\"]",
            ),
        ),
        "missing comma between key-value pairs" => {
            (said("「{」里两项设置之间缺少半角逗号「,」"), None)
        }
        "duplicate key" => (
            said("这一项（或这一节）前面已经写过"),
            hint(
                "同一项、同一节只写一次：删去一处，或把两处的设置合在一起",
                "write each key and each section once: remove one, or merge the two",
            ),
        ),
        "key with no value" | "missing assignment between key-value pairs" => (
            said("设置项的名字后面缺少「=」和值"),
            hint(
                "一行写一项：名字 = 值，如 theme = \"default\"；名字里不能有空格",
                "one setting a line: name = value, as in theme = \"default\"; no space in the name",
            ),
        ),
        "missing value" | "missing value for key" => (said("「=」后面缺少值"), None),
        "invalid unquoted key" | "unquoted keys cannot be empty" => {
            (said("设置项的名字只能用英文字母、数字、「-」和「_」"), None)
        }
        "unexpected key or value" | "unexpected content" => (
            said("这一行在值后面还有别的内容"),
            hint(
                "一行只写一项设置；说明文字写在「#」后面（注释）",
                "write one setting a line; put a remark after `#` (a comment)",
            ),
        ),
        "unexpected content between comment and newline" | "invalid comment character" => {
            (said("注释里有不能用的字符"), None)
        }
        "unexpected leading zero" => (
            said("数字不能以 0 开头"),
            hint("去掉开头的 0，如 60", "drop the leading zeros, as in 60"),
        ),
        "unexpected sign" | "redundant numeric sign" => (said("数字的正负号写得不对"), None),
        "extra `=`" | "extra assignment between key-value pairs" | "unexpected `=` in array" => {
            (said("多了一个「=」"), None)
        }
        "extra comma in inline table" => (said("「{」里多了一个逗号"), None),
        "missing escaped value" => (
            said("双引号里的「\\」是转义符，后面的字符不能转义"),
            hint(
                "要写「\\」本身就写两个「\\\\」；路径用「/」分隔",
                "write `\\\\` for a backslash itself; separate a path with `/`",
            ),
        ),
        "carriage return must be followed by newline" => (
            said("文件里有单独的回车符"),
            hint(
                "用记事本或编辑器把文件另存一次（换行符选 CRLF 或 LF）",
                "save the file again from an editor (line ends CRLF or LF)",
            ),
        ),
        "invalid value" => (said("值写得不对"), None),
        _ => (
            Text::new(format!("TOML 格式有误（{message}）"), message),
            None,
        ),
    }
}

/// The line of `text` byte `offset` (at most its length) stands on, without its end.
fn line_at(text: &str, offset: usize) -> &str {
    let line_start = text[..offset].rfind('\n').map_or(0, |at| at + 1);
    text[line_start..].lines().next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parser_s_usual_messages_are_said_in_chinese_and_others_in_its_words() {
        let usual = [
            "invalid basic string, expected `\"`",
            "invalid literal string, expected `'`",
            "unclosed table, expected `]`",
            "unclosed array, expected `]`",
            "missing comma between array elements, expected `,`",
            "duplicate key",
            "key with no value, expected `=`",
            "invalid unquoted key, expected letters, numbers, `-`, `_`",
            "unexpected key or value, expected newline, `#`",
            "unexpected leading zero, expected nothing",
            "missing escaped value, expected `b`, `e`, `f`, `n`, `r`, `\\`, `\"`",
            "carriage return must be followed by newline, expected `\\n`",
        ];
        for message in usual {
            let (said, _) = parser_said(message);
            assert!(
                !said.zh.is_empty() && !said.zh.contains(|c: char| c.is_ascii_lowercase()),
                "{message}: {}",
                said.zh
            );
            assert_eq!(said.en, message);
        }
        let (said, hint) = parser_said("cannot recurse further; max recursion depth met");
        assert_eq!(
            said.zh,
            "TOML 格式有误（cannot recurse further; max recursion depth met）"
        );
        assert!(hint.is_none());
    }

    /// A value of another kind than its setting takes is said with what to write for its
    /// kind: a text in quotes, a list in brackets, a whole number in digits.
    #[test]
    fn a_value_of_another_kind_is_told_what_to_write_for_its_kind() {
        let said = |message: &str, line: &str| {
            let (said, hint) = toml_said(message, line, 0);
            (said.zh, hint.map(|h| h.zh).unwrap_or_default())
        };
        assert_eq!(
            said("invalid type: integer `3`, expected a string", "title = 3"),
            (
                "应是文字，这里是数字 3".to_string(),
                "文字要用半角双引号括起来：写成 title = \"3\"".to_string()
            )
        );
        assert_eq!(
            said(
                "invalid type: string \"xlsx\", expected a sequence",
                "downloads = \"xlsx\""
            ),
            (
                "应是列表，这里是文字「xlsx」".to_string(),
                "列表写在方括号里：写成 downloads = [\"xlsx\"]".to_string()
            )
        );
        assert_eq!(
            said(
                "invalid type: string \"三\", expected usize",
                "depth = \"三\""
            ),
            (
                "应是整数，这里是文字「三」".to_string(),
                "写一个整数（阿拉伯数字），不加引号".to_string()
            )
        );
        assert_eq!(
            said(
                "invalid type: string \"是\", expected a boolean",
                "pilot = \"是\""
            ),
            (
                "应是 true 或 false，这里是文字「是」".to_string(),
                "不加引号：写成 pilot = true".to_string()
            )
        );
    }

    #[test]
    fn a_text_or_a_list_written_without_quotes_is_quoted() {
        assert_eq!(quoted_value("public"), "\"public\"");
        assert_eq!(quoted_value("示例乡\""), "\"示例乡\"");
        assert_eq!(quoted_value("[xlsx, docx]"), "[\"xlsx\", \"docx\"]");
        assert_eq!(quoted_value("[xlsx，“docx”]"), "[\"xlsx\", \"docx\"]");
    }
}

//! Checks every data file against its schema: types, units, ranges, required and unknown
//! fields, references and uniqueness. Values written with a convertible unit (`342元` in a
//! field declared in 万元) are converted exactly; the checked data is what templates see.

use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;

use super::schema::{Field, FileSchema, Kind, Schema, did_you_mean, matches};
use super::units;
use crate::diagnostics::{Diagnostic, Location, Severity, Text};
use crate::load::{Data, DataFile, Key, Node, Value};
use unicode_normalization::UnicodeNormalization;

/// Checks `data` against `schema`; returns the data with units converted.
pub fn check(schema: &Schema, data: &Data, problems: &mut Vec<Diagnostic>) -> Data {
    let ids = folder_ids(data);
    let mut checked = Vec::with_capacity(data.files.len());
    for file in &data.files {
        let Some(file_schema) = schema_for(schema, &file.path) else {
            let patterns: Vec<&str> = schema.files.iter().map(|f| f.pattern.as_str()).collect();
            problems.push(
                Diagnostic::error(
                    "schema-no-entry",
                    Some(Location::file(&file.path)),
                    Text::new("data/schema.yaml 里没有这个文件的定义", "data/schema.yaml does not describe this file"),
                )
                .with_hint(Text::new(
                    format!("在 schema 的 files 下加上它（已有：{}），或把文件放到已定义的文件夹", patterns.join("、")),
                    format!("add it under files in the schema (there are: {}), or move it into a folder the schema describes", patterns.join(", ")),
                )),
            );
            checked.push(file.clone());
            continue;
        };
        let mut checker = Checker {
            file: &file.path,
            ids: &ids,
            problems,
        };
        let root = checker.record(&file_schema.fields, &file.root, "");
        checked.push(DataFile {
            root,
            ..file.clone()
        });
    }
    let checked = Data { files: checked };
    unique_across_files(schema, &checked, problems);
    checked
}

/// The schema entry for `path`: an exact pattern first, else the first matching one.
pub fn schema_for<'s>(schema: &'s Schema, path: &Path) -> Option<&'s FileSchema> {
    schema
        .files
        .iter()
        .find(|f| !f.pattern.contains('*') && matches(&f.pattern, path))
        .or_else(|| schema.files.iter().find(|f| matches(&f.pattern, path)))
}

/// Folder name (`villages`, `a.b`) → ids of its files.
fn folder_ids(data: &Data) -> HashMap<String, Vec<String>> {
    let mut ids: HashMap<String, Vec<String>> = HashMap::new();
    for file in &data.files {
        if let Some((id, folders)) = file.key_path.split_last()
            && !folders.is_empty()
        {
            ids.entry(folders.join(".")).or_default().push(id.clone());
        }
    }
    ids
}

struct Checker<'a> {
    file: &'a Path,
    ids: &'a HashMap<String, Vec<String>>,
    problems: &'a mut Vec<Diagnostic>,
}

/// How a field is named in messages: `建档立卡贫困户（registered.households）`.
fn name_of(field: &Field, path: &str) -> (String, String) {
    match &field.label {
        Some(label) => (
            format!("「{label}」（{path}）"),
            format!("`{path}` ({label})"),
        ),
        None => (format!("「{path}」"), format!("`{path}`")),
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl Checker<'_> {
    /// Text where a number is expected, with a hint for the usual slips.
    fn text_not_number(&mut self, node: &Node, name: (&str, &str), text: &str) {
        let hint = if text.contains([',', '，']) {
            Text::new(
                "去掉千位分隔符（逗号），例如 1841",
                "remove the thousands separators (commas), e.g. 1841",
            )
        } else if units::split_number_unit(text)
            .is_some_and(|(_, unit)| unit.starts_with(|c: char| c.is_ascii_digit()))
        {
            Text::new(
                "去掉数字中间的空格，例如 1 841 写成 1841",
                "remove the spaces inside the number, e.g. 1 841 as 1841",
            )
        } else if text.contains('万') {
            Text::new(
                "写出完整的数，例如 5.7万 写成 57000",
                "write the number out, e.g. 5.7万 as 57000",
            )
        } else {
            Text::new("写一个数字，不加引号", "write a number, without quotes")
        };
        self.report(
            "type",
            node,
            format!("{}应是数字，这里是文本「{text}」", name.0),
            format!("{} must be a number, found the text `{text}`", name.1),
            Some(hint),
        );
    }

    /// A value of the wrong kind: "{name} must be {expected}, found a {kind}".
    fn wrong_kind(
        &mut self,
        node: &Node,
        name: (&str, &str),
        expected: (&str, &str),
        hint: Option<Text>,
    ) {
        self.report(
            "type",
            node,
            format!("{}应是{}，这里是{}", name.0, expected.0, node.kind().zh),
            format!(
                "{} must be {}, found a {}",
                name.1,
                expected.1,
                node.kind().en
            ),
            hint,
        );
    }

    fn report(
        &mut self,
        code: &'static str,
        node: &Node,
        zh: String,
        en: String,
        hint: Option<Text>,
    ) {
        let mut d = Diagnostic::error(code, Some(node.location(self.file)), Text::new(zh, en));
        d.hint = hint;
        self.problems.push(d);
    }

    fn record(&mut self, fields: &[(String, Field)], node: &Node, path: &str) -> Node {
        let Value::Map(entries) = &node.value else {
            let (zh_name, en_name) = if path.is_empty() {
                ("文件".to_string(), "the file".to_string())
            } else {
                (format!("「{path}」"), format!("`{path}`"))
            };
            self.wrong_kind(
                node,
                (&zh_name, &en_name),
                ("「键: 值」映射", "a mapping"),
                None,
            );
            return node.clone();
        };
        let mut checked: Vec<(Key, Node)> = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            match fields.iter().find(|(name, _)| *name == key.name) {
                Some((_, field)) => {
                    let value = self.value(field, value, &join(path, &key.name));
                    checked.push((key.clone(), value));
                }
                None => {
                    let names = fields.iter().map(|(n, _)| n.as_str());
                    let hint = match did_you_mean(&key.name, names) {
                        Some(s) => {
                            Text::new(format!("是不是「{s}」？"), format!("did you mean `{s}`?"))
                        }
                        None => Text::new(
                            format!(
                                "这里可用的字段：{}；新字段要先写进 data/schema.yaml",
                                fields
                                    .iter()
                                    .map(|(n, _)| n.as_str())
                                    .collect::<Vec<_>>()
                                    .join("、")
                            ),
                            format!(
                                "the fields here are: {}; declare a new field in data/schema.yaml first",
                                fields
                                    .iter()
                                    .map(|(n, _)| n.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ),
                    };
                    let full = join(path, &key.name);
                    let d = Diagnostic::error(
                        "unknown-field",
                        Some(Location::new(
                            self.file,
                            key.line as usize,
                            key.col as usize,
                        )),
                        Text::new(
                            format!("未知字段「{full}」"),
                            format!("unknown field `{full}`"),
                        ),
                    )
                    .with_hint(hint);
                    self.problems.push(d);
                    checked.push((key.clone(), value.clone()));
                }
            }
        }
        for (name, field) in fields {
            let present = entries
                .iter()
                .find(|(k, _)| k.name == *name)
                .map(|(_, v)| v);
            let missing = match present {
                None => true,
                Some(v) => v.value == Value::Null,
            };
            if field.required && missing {
                let full = join(path, name);
                let (zh, en) = name_of(field, &full);
                let at = present.unwrap_or(node);
                self.report(
                    "required",
                    at,
                    format!("缺少必填字段{zh}"),
                    format!("the required field {en} is missing"),
                    Some(Text::new(
                        format!("写上 {name}: 值；若确实没有这个数，在 schema 里把它标为 optional: true"),
                        format!("write {name}: value; if there truly is no such figure, mark it optional: true in the schema"),
                    )),
                );
            }
        }
        Node {
            value: Value::Map(checked),
            ..node.clone()
        }
    }

    fn value(&mut self, field: &Field, node: &Node, path: &str) -> Node {
        if node.value == Value::Null {
            return node.clone(); // required-ness is reported by the record
        }
        let (name_zh, name_en) = name_of(field, path);
        match &field.kind {
            kind if kind.is_numeric() => self.number(field, node, path),
            Kind::Text => {
                if let Value::String(text) = &node.value {
                    return self.text(field, node, path, text);
                }
                let hint = Text::new(
                    "给它加上引号，例如 \"001\"",
                    "put it in quotes, e.g. \"001\"",
                );
                self.wrong_kind(node, (&name_zh, &name_en), ("文本", "text"), Some(hint));
                node.clone()
            }
            Kind::Bool => {
                if !matches!(node.value, Value::Bool(_)) {
                    self.wrong_kind(
                        node,
                        (&name_zh, &name_en),
                        (" true 或 false", "true or false"),
                        None,
                    );
                }
                node.clone()
            }
            Kind::Date => {
                let ok = matches!(&node.value, Value::String(s) if is_date(s));
                if !ok {
                    self.report(
                        "type",
                        node,
                        format!("{name_zh}应是日期，写成 2020-10-31"),
                        format!("{name_en} must be a date written 2020-10-31"),
                        None,
                    );
                }
                node.clone()
            }
            Kind::Enum(values) => {
                let text = match &node.value {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => String::new(),
                };
                if !values.contains(&text) {
                    let hint = match did_you_mean(&text, values.iter().map(String::as_str)) {
                        Some(s) => Text::new(
                            format!("是不是「{s}」？可选：{}", values.join("、")),
                            format!("did you mean `{s}`? allowed: {}", values.join(", ")),
                        ),
                        None => Text::new(
                            format!("可选的值：{}", values.join("、")),
                            format!("allowed values: {}", values.join(", ")),
                        ),
                    };
                    self.report(
                        "enum",
                        node,
                        format!("{name_zh}不能是「{text}」"),
                        format!("{name_en} cannot be `{text}`"),
                        Some(hint),
                    );
                }
                node.clone()
            }
            Kind::Ref(folder) => {
                let ids = self.ids.get(folder.as_str());
                let id = match &node.value {
                    Value::String(s) => s.clone(),
                    _ => String::new(),
                };
                if !ids.is_some_and(|ids| ids.contains(&id)) {
                    let candidates = ids.map(|v| v.as_slice()).unwrap_or_default();
                    let hint = match did_you_mean(&id, candidates.iter().map(String::as_str)) {
                        Some(s) => {
                            Text::new(format!("是不是「{s}」？"), format!("did you mean `{s}`?"))
                        }
                        None => Text::new(
                            format!(
                                "要写 data/{}/ 下某个文件的名字（不含 .yaml）：{}",
                                folder.replace('.', "/"),
                                candidates.join("、")
                            ),
                            format!(
                                "write the name (without .yaml) of a file in data/{}/: {}",
                                folder.replace('.', "/"),
                                candidates.join(", ")
                            ),
                        ),
                    };
                    self.report(
                        "reference",
                        node,
                        format!(
                            "{name_zh}指向「{id}」，但 data/{}/ 下没有这个文件",
                            folder.replace('.', "/")
                        ),
                        format!(
                            "{name_en} refers to `{id}`, which is not a file in data/{}/",
                            folder.replace('.', "/")
                        ),
                        Some(hint),
                    );
                }
                node.clone()
            }
            Kind::List(item) => {
                let Value::List(items) = &node.value else {
                    let expected = ("列表（每项以 - 开头）", "a list (items start with -)");
                    self.wrong_kind(node, (&name_zh, &name_en), expected, None);
                    return node.clone();
                };
                let checked: Vec<Node> = items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| self.value(item, n, &format!("{path}.{i}")))
                    .collect();
                if let Kind::Record(fields) = &item.kind {
                    for (key, f) in fields.iter().filter(|(_, f)| f.unique) {
                        let mut seen: HashMap<String, &Node> = HashMap::new();
                        for value in checked.iter().filter_map(|n| n.get(key)) {
                            let text = scalar_text(value);
                            if let Some(first) = seen.get(&unique_key(value)) {
                                let (zh, en) = name_of(f, &format!("{path}.*.{key}"));
                                self.report(
                                    "unique",
                                    value,
                                    format!("{zh}的值「{text}」重复：第 {} 行已有", first.line),
                                    format!(
                                        "{en}: the value `{text}` repeats the one at line {}",
                                        first.line
                                    ),
                                    None,
                                );
                            } else {
                                seen.insert(unique_key(value), value);
                            }
                        }
                    }
                }
                Node {
                    value: Value::List(checked),
                    ..node.clone()
                }
            }
            Kind::Record(fields) => self.record(fields, node, path),
            _ => node.clone(),
        }
    }

    fn number(&mut self, field: &Field, node: &Node, path: &str) -> Node {
        let (name_zh, name_en) = name_of(field, path);
        let unit_text = field.unit.clone().unwrap_or_default();
        let number = match &node.value {
            Value::Number(n) => *n,
            Value::String(text) if units::first_full_width(text).is_some() => {
                self.full_width_number(node, (&name_zh, &name_en), text);
                return node.clone();
            }
            Value::String(text)
                if text.contains([',', '，'])
                    || units::split_number_unit(text).is_some_and(|(_, unit)| {
                        (unit.starts_with('万') && unit != "万元")
                            || unit.starts_with(|c: char| c.is_ascii_digit())
                    }) =>
            {
                self.text_not_number(node, (&name_zh, &name_en), text);
                return node.clone();
            }
            Value::String(text) => {
                match units::split_number_unit(text) {
                    Some((number, unit)) => {
                        // The number part must be a number on its own: `.元` is not 0元.
                        let parsed = crate::load::yaml::looks_like_decimal(number)
                            .then(|| crate::figure::parse_decimal(number).ok())
                            .flatten();
                        let converted = parsed.and_then(|n| match &field.unit {
                            Some(to) => units::convert(n, unit, to),
                            None => None,
                        });
                        match converted {
                            Some(n) => n,
                            None => {
                                let hint = match &field.unit {
                                    Some(to) => Text::new(
                                        format!(
                                            "这一项的单位是「{to}」：直接写数字，或写成能换算的单位"
                                        ),
                                        format!(
                                            "this field is in {to}: write the bare number, or a unit that converts to it"
                                        ),
                                    ),
                                    None => Text::new(
                                        "这一项没有单位：只写数字",
                                        "this field has no unit: write the bare number",
                                    ),
                                };
                                self.report("unit", node, format!("{name_zh}的单位「{unit}」不能换算成「{unit_text}」"), format!("{name_en}: the unit `{unit}` does not convert to `{unit_text}`"), Some(hint));
                                return node.clone();
                            }
                        }
                    }
                    None => {
                        self.text_not_number(node, (&name_zh, &name_en), text);
                        return node.clone();
                    }
                }
            }
            _ => {
                self.wrong_kind(node, (&name_zh, &name_en), ("数字", "a number"), None);
                return node.clone();
            }
        };
        let whole = number.normalize().scale() == 0;
        let (default_min, default_max) = match field.kind {
            Kind::Count | Kind::Amount => (Some(Decimal::ZERO), None),
            Kind::Percent => (Some(Decimal::ZERO), Some(Decimal::ONE_HUNDRED)),
            Kind::Year => (Some(Decimal::from(1900)), Some(Decimal::from(2100))),
            _ => (None, None),
        };
        if matches!(field.kind, Kind::Count | Kind::Year) && !whole {
            self.report(
                "type",
                node,
                format!("{name_zh}应是整数，这里是 {number}"),
                format!("{name_en} must be a whole number, found {number}"),
                None,
            );
        }
        if let Some(min) = field.min.or(default_min)
            && number < min
        {
            self.report(
                "range",
                node,
                format!("{name_zh}不能小于 {min}{unit_text}，这里是 {number}{unit_text}"),
                format!("{name_en} must be at least {min}{unit_text}, found {number}{unit_text}"),
                None,
            );
        }
        if let Some(max) = field.max.or(default_max)
            && number > max
        {
            self.report(
                "range",
                node,
                format!("{name_zh}不能大于 {max}{unit_text}，这里是 {number}{unit_text}"),
                format!("{name_en} must be at most {max}{unit_text}, found {number}{unit_text}"),
                None,
            );
        }
        if let Some(dp) = field.dp
            && number.normalize().scale() > dp
        {
            self.report(
                "decimals",
                node,
                format!("{name_zh}最多 {dp} 位小数，这里是 {number}"),
                format!("{name_en} has at most {dp} decimal places, found {number}"),
                None,
            );
        }
        // A count or year written `468.0` (as spreadsheets export it) is the whole number
        // 468: kept with scale 0, so that every page prints 468 (documented in docs/schema.md).
        let number = if matches!(field.kind, Kind::Count | Kind::Year) && whole {
            number.normalize()
        } else {
            number
        };
        Node {
            value: Value::Number(number),
            ..node.clone()
        }
    }

    /// A number typed with a Chinese keyboard: full-width digits, comma, space, quotes.
    fn full_width_number(&mut self, node: &Node, name: (&str, &str), text: &str) {
        let Some(found) = units::first_full_width(text) else {
            return;
        };
        let half = units::to_half_width(text);
        let ch = found.ch;
        let (what_zh, what_en) = found.what;
        let hint = match ch {
            '，' => Text::new(
                format!(
                    "这里是全角逗号「，」（千位分隔符）：数字不用分隔符，请切换到半角输入，写成 {half}"
                ),
                format!(
                    "this is a full-width comma `，` (a thousands separator): numbers take none; switch to half-width input and write {half}"
                ),
            ),
            '“' | '”' | '「' | '」' | '『' | '』' | '‘' | '’' | '＂' | '＇' => {
                Text::new(
                    format!("这里是全角引号「{ch}」：数字不加引号，请切换到半角输入，写成 {half}"),
                    format!(
                        "this is a full-width quotation mark `{ch}`: numbers take no quotes; switch to half-width input and write {half}"
                    ),
                )
            }
            _ => Text::new(
                format!(
                    "这里是{what_zh}「{ch}」，请切换到半角输入，写成 {half}（「{text}」→ {half}）"
                ),
                format!(
                    "this is {what_en} `{ch}` (Chinese input): switch to half-width input and write {half}"
                ),
            ),
        };
        let mut d = Diagnostic::error(
            "type",
            Some(char_location(node, text, found.index, self.file)),
            Text::new(
                format!(
                    "{}应是数字，这里是文本「{text}」：其中有{what_zh}「{ch}」",
                    name.0
                ),
                format!(
                    "{} must be a number, found the text `{text}`: it has {what_en} `{ch}`",
                    name.1
                ),
            ),
        );
        d.hint = Some(hint);
        self.problems.push(d);
    }

    /// A text value: trimmed of surrounding spaces (with a warning), an empty required text
    /// is missing, and full-width quotes, invisible characters and emoji are pointed out.
    fn text(&mut self, field: &Field, node: &Node, path: &str, text: &str) -> Node {
        let (name_zh, name_en) = name_of(field, path);
        let blank = |c: char| matches!(c, ' ' | '\t' | '\u{3000}');
        let trimmed = text.trim_matches(blank);
        if trimmed.is_empty() {
            if field.required {
                let name = path.rsplit('.').next().unwrap_or(path);
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
            return node.clone();
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
        Node {
            value: Value::String(trimmed.to_string()),
            ..node.clone()
        }
    }

    fn warn(&mut self, code: &'static str, location: Location, message: Text, hint: Text) {
        self.problems.push(
            Diagnostic::new(Severity::Warning, code, Some(location), message).with_hint(hint),
        );
    }
}

/// The place of the `index`-th character of `text`, the value of `node`: exact on the
/// value's first line; a character on a later line of a multi-line value is placed at the
/// value's start.
fn char_location(node: &Node, text: &str, index: usize, file: &Path) -> Location {
    if text.chars().take(index).any(|c| c == '\n') {
        return node.location(file);
    }
    Location::new(file, node.line as usize, node.col as usize + index)
}

/// A character that shows nothing: a control character (other than a line break) or a
/// zero-width one.
fn invisible(ch: char) -> Option<(&'static str, &'static str)> {
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

/// How `unique` compares values: as text, Unicode NFC-normalised (a name typed with a
/// composed or a decomposed character is one name), numbers by value.
fn unique_key(node: &Node) -> String {
    scalar_text(node).nfc().collect()
}

fn scalar_text(node: &Node) -> String {
    match &node.value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.normalize().to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// `YYYY-MM-DD` naming a real day.
pub fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    if y < 1000 || !(1..=12).contains(&m) || text.len() != 10 {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    (1..=days[m as usize - 1]).contains(&d)
}

/// `unique: true` on a top-level field of a folder's files: no two files share the value.
fn unique_across_files(schema: &Schema, data: &Data, problems: &mut Vec<Diagnostic>) {
    for file_schema in schema.files.iter().filter(|f| f.pattern.contains('*')) {
        for (key, field) in file_schema.fields.iter().filter(|(_, f)| f.unique) {
            let mut seen: HashMap<String, (&Path, &Node)> = HashMap::new();
            for file in data
                .files
                .iter()
                .filter(|f| matches(&file_schema.pattern, &f.path))
            {
                let Some(value) = file.root.get(key) else {
                    continue;
                };
                let text = scalar_text(value);
                if let Some((first_file, first)) = seen.get(&unique_key(value)) {
                    let (zh, en) = name_of(field, key);
                    let mut d = Diagnostic::error(
                        "unique",
                        Some(value.location(&file.path)),
                        Text::new(
                            format!("{zh}的值「{text}」与 {} 重复", first_file.display()),
                            format!(
                                "{en}: the value `{text}` is also in {}",
                                first_file.display()
                            ),
                        ),
                    );
                    d.related.push((
                        first.location(first_file),
                        Text::new("已有的值", "the first one"),
                    ));
                    problems.push(d);
                } else {
                    seen.insert(unique_key(value), (&file.path, value));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_real_days() {
        assert!(is_date("2020-02-29"));
        assert!(!is_date("2019-02-29"));
        assert!(!is_date("2020-13-01"));
        assert!(!is_date("2020-1-1"));
    }
}

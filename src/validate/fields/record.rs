//! A file's values checked against their fields: each record's keys, each value's kind,
//! unit and range, lists, references to other files, and the warnings for clerks' slips.

use super::names::{FieldPath, key_written, label_cut_short, meant_with_multiplier, name_of};
use super::unique::{scalar_text, unique_key};
use super::{Checker, is_date, schema_field};
use crate::diagnostics::{Diagnostic, Location, Severity, Text};
use crate::load::{Key, Node, Value};
use crate::validate::schema::{Field, Kind, did_you_mean};
use crate::validate::{slips, units};

impl Checker<'_> {
    /// Text where a number is expected, with a hint for the usual slips: the number meant
    /// named where it can be (`二〇一八` → 2018, `0.468万` → 4680), exactly.
    pub(super) fn text_not_number(
        &mut self,
        field: &Field,
        node: &Node,
        name: (&str, &str),
        text: &str,
    ) {
        let unit = field.unit.as_deref().unwrap_or_default();
        let numeral = slips::chinese_numeral(text.trim()).filter(|(_, rest)| {
            rest.is_empty() || *rest == unit || (field.kind == Kind::Year && *rest == "年")
        });
        let meant = units::number_meant(text, unit);
        let hint = if let Some(meant) = meant.filter(|_| text.contains([',', '，'])) {
            Text::new(
                format!("去掉千位分隔符（逗号）：写成 {meant}"),
                format!("remove the thousands separators (commas): write {meant}"),
            )
        } else if let Some(comma) = super::number::misplaced_comma_hint(text, &field.kind) {
            comma
        } else if text.contains([',', '，']) {
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
        } else if let Some((value, _)) = numeral {
            Text::new(
                format!("用阿拉伯数字写：「{text}」写成 {value}"),
                format!("write it in digits: `{text}` as {value}"),
            )
        } else if let Some(meant) = meant_with_multiplier(field, text) {
            Text::new(
                format!("「{text}」即 {meant}{unit}：写成 {meant}"),
                format!("`{text}` is {meant}{unit}: write {meant}"),
            )
        } else if let Some(meant) = meant.filter(|_| !crate::load::looks_like_decimal(text.trim()))
        {
            // (A number in quotes is told to lose its quotes, below.)
            let with_unit = if unit.is_empty() {
                String::new()
            } else {
                format!("（或 {meant}{unit}）")
            };
            let with_unit_en = if unit.is_empty() {
                String::new()
            } else {
                format!(" (or {meant}{unit})")
            };
            Text::new(
                format!(
                    "只写数字（可带单位，不加货币符号、括号和「整」字）：写成 {meant}{with_unit}"
                ),
                format!(
                    "write the number alone (a unit may follow; no currency sign, brackets or 整): write {meant}{with_unit_en}"
                ),
            )
        } else if text.contains('万') {
            Text::new(
                "写出完整的数，例如 5.7万 写成 57000",
                "write the number out, e.g. 5.7万 as 57000",
            )
        } else if slips::is_none_word(text) {
            Text::new(
                "是 0 就写 0；确实没有这个数，删去这一项，并在 schema 里把它标为 optional: true",
                "write 0 if it is zero; if there truly is no such figure, remove the entry and mark the field optional: true in the schema",
            )
        } else if crate::load::looks_like_decimal(text.trim()) {
            Text::new("写一个数字，不加引号", "write a number, without quotes")
        } else if unit.is_empty() {
            Text::new("只写阿拉伯数字", "write the number in digits")
        } else {
            Text::new(
                format!("只写阿拉伯数字（后面可带单位「{unit}」）"),
                format!("write the number in digits (its unit `{unit}` may follow)"),
            )
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
    pub(super) fn wrong_kind(
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

    pub(super) fn report(
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

    /// A record checked; `Some` only when a value in it was converted (see [`changed`]).
    pub(super) fn record(
        &mut self,
        fields: &[(String, Field)],
        node: &Node,
        path: &FieldPath<'_>,
    ) -> Option<Node> {
        let Value::Map(entries) = &node.value else {
            let (zh_name, en_name) = if matches!(path, FieldPath::Root) {
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
            return None;
        };
        let mut converted: Vec<Option<Node>> = Vec::new();
        let mut next_field = 0;
        // Each schema field's value in this record, found while reading its entries (not
        // looked for again, field by field, among them).
        let mut present: Vec<Option<&Node>> = vec![None; fields.len()];
        // The fields an unknown key was told to be meant as, by their place (their missing
        // is not said again). Empty, with nothing allocated, in most records.
        let mut meant: Vec<usize> = Vec::new();
        for (at, (key, value)) in entries.iter().enumerate() {
            match schema_field(fields, &key.name, &mut next_field) {
                Some((_, field)) => {
                    // (`next_field` is one past the field found.)
                    if let Some(slot) = present.get_mut(next_field - 1) {
                        *slot = Some(value);
                    }
                    if let Some(value) = self.value(field, value, &FieldPath::Key(path, &key.name))
                    {
                        converted.resize(at, None);
                        converted.push(Some(value));
                    }
                }
                None => {
                    let told = self.unknown_key(fields, &entries[..at], (key, value), path);
                    meant.extend(told);
                }
            }
        }
        for (at, ((name, field), present)) in fields.iter().zip(present).enumerate() {
            let missing = match present {
                None => true,
                Some(v) => v.value == Value::Null,
            };
            let told = present.is_none() && meant.contains(&at);
            if field.required && missing && !told {
                let missing = self.missing(field, name, path, present.unwrap_or(node));
                self.problems.push(missing);
            }
        }
        if converted.is_empty() {
            return None;
        }
        converted.resize(entries.len(), None);
        let checked = entries
            .iter()
            .zip(converted)
            .map(|((key, value), new)| (key.clone(), new.unwrap_or_else(|| value.clone())))
            .collect();
        Some(Node {
            value: Value::Map(checked),
            line: node.line,
            col: node.col,
        })
    }

    /// The error of a key of a record that is no field of `fields` (the entries `before`
    /// it in the record); returns the place of the field it was told to be meant as, whose
    /// missing is then not said again.
    #[cold]
    fn unknown_key(
        &mut self,
        fields: &[(String, Field)],
        before: &[(Key, Node)],
        (key, value): (&Key, &Node),
        path: &FieldPath<'_>,
    ) -> Option<usize> {
        if let Some(d) = self.dedented_key(fields, before, key, value, path) {
            self.problems.push(d);
            return None;
        }
        let names = fields.iter().map(|(n, _)| n.as_str());
        // A key written as the field's label (`户数: 68` for `households`, the
        // label the clerk reads on the page), else spelt near a field's name.
        let written = key.name.trim();
        let by_label = fields
            .iter()
            .position(|(_, f)| f.label.as_deref().map(str::trim) == Some(written));
        let near = did_you_mean(&key.name, names);
        // Else the label cut short (`退出年度` for 退出贫困村年度).
        let in_label = match (by_label, near) {
            (None, None) => label_cut_short(fields, written),
            _ => None,
        };
        let meant_at = by_label
            .or(in_label)
            .or_else(|| near.and_then(|near| fields.iter().position(|(n, _)| n == near)));
        let hint = match (by_label, near, in_label) {
            (None, None, Some(at)) => {
                let (name, field) = &fields[at];
                let label = field.label.as_deref().unwrap_or_default();
                let write = key_written(name, value);
                Text::new(
                    format!("是不是字段 {name}（{label}）？键要写字段名：写成 {write}"),
                    format!(
                        "did you mean the field {name} ({label})? a key is the field's name: write {write}"
                    ),
                )
            }
            (Some(at), _, _) => {
                let name = &fields[at].0;
                let write = key_written(name, value);
                Text::new(
                    format!("「{written}」是字段 {name} 的名称；键要写字段名：写成 {write}"),
                    format!(
                        "`{written}` is the label of the field {name}; a key is the field's name: write {write}"
                    ),
                )
            }
            // (A full-width space typed after the key: invisible in the message.)
            (None, Some(s), _) if written == s && key.name.contains('\u{3000}') => Text::new(
                format!("键「{s}」的前后多了全角空格「　」：删去它，写成 {s}:"),
                format!(
                    "the key `{s}` has a full-width space (U+3000) beside it: remove it and write {s}:"
                ),
            ),
            (None, Some(s), _) => {
                Text::new(format!("是不是「{s}」？"), format!("did you mean `{s}`?"))
            }
            (None, None, None) => Text::new(
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
        let full = FieldPath::Key(path, &key.name);
        let d = Diagnostic::error(
            "unknown-field",
            Some(key.location(self.file)),
            Text::new(
                format!("未知字段「{full}」"),
                format!("unknown field `{full}`"),
            ),
        )
        .with_hint(hint);
        self.problems.push(d);
        meant_at
    }

    /// A value checked; `Some` only when it was converted (see [`changed`]).
    pub(super) fn value(
        &mut self,
        field: &Field,
        node: &Node,
        path: &FieldPath<'_>,
    ) -> Option<Node> {
        if node.value == Value::Null {
            return None; // required-ness is reported by the record
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
                self.wrong_kind(node, (&*name_zh, &*name_en), ("文本", "text"), Some(hint));
                None
            }
            Kind::Bool => {
                if !matches!(node.value, Value::Bool(_)) {
                    // A clerk's yes or no (`是`, `否`, `有`, `√`) is told as YAML writes it.
                    let written = node.value.scalar_text().unwrap_or_default();
                    let hint = match crate::diagnostics::yes_or_no(&written) {
                        // `"true"`: the quotes make it a text.
                        Some(yes) if written.trim().eq_ignore_ascii_case(&yes.to_string()) => {
                            Text::new(
                                format!("不加引号：写成 {yes}"),
                                format!("no quotes: write {yes}"),
                            )
                        }
                        Some(yes) => Text::new(
                            format!("「{written}」写成 {yes}（true 是，false 否）"),
                            format!("write `{written}` as {yes} (true: yes, false: no)"),
                        ),
                        None => Text::new(
                            "写 true（是）或 false（否），不加引号",
                            "write true (yes) or false (no), without quotes",
                        ),
                    };
                    // (What was written, quoted: a cell's text is not in view.)
                    let kind = node.kind();
                    let (shown_zh, shown_en) = match written.trim() {
                        "" => (kind.zh.to_string(), format!("a {}", kind.en)),
                        text => (format!("{}「{text}」", kind.zh), format!("`{text}`")),
                    };
                    self.report(
                        "type",
                        node,
                        format!("{name_zh}应是 true 或 false，这里是{shown_zh}"),
                        format!("{name_en} must be true or false, found {shown_en}"),
                        Some(hint),
                    );
                }
                None
            }
            Kind::Date => {
                let ok = matches!(&node.value, Value::String(s) if is_date(s));
                if !ok {
                    let written = node.value.scalar_text().unwrap_or_default();
                    let (zh, en, hint) = match slips::date_not_there(&written) {
                        Some(why) => (
                            format!("{name_zh}：没有「{written}」这一天"),
                            format!("{name_en}: there is no day `{written}`"),
                            Some(why),
                        ),
                        None => (
                            format!("{name_zh}应是日期，写成 2020-10-31"),
                            format!("{name_en} must be a date written 2020-10-31"),
                            slips::date_meant(&written).map(|meant| {
                                Text::new(
                                    format!("「{written}」写成 {meant}"),
                                    format!("write `{written}` as {meant}"),
                                )
                            }),
                        ),
                    };
                    self.report("type", node, zh, en, hint);
                }
                None
            }
            Kind::Enum(values) => self.one_of(values, node, (&*name_zh, &*name_en)),
            Kind::Ref(folder) => self.reference(folder, node, (&*name_zh, &*name_en)),
            Kind::List(item) => self.list(item, node, path, (&*name_zh, &*name_en)),
            Kind::Record(fields) => self.record(fields, node, path),
            _ => None,
        }
    }

    /// A value of an `enum`: one of the listed texts.
    pub(super) fn one_of(
        &mut self,
        values: &[String],
        node: &Node,
        name: (&str, &str),
    ) -> Option<Node> {
        let (name_zh, name_en) = name;
        let text = match &node.value {
            Value::String(s) => s.to_string(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        if !values.contains(&text) {
            let trimmed = text.trim();
            let meant = did_you_mean(&text, values.iter().map(String::as_str)).or_else(|| {
                crate::suggest::written_in_full(&text, values.iter().map(String::as_str))
            });
            let hint = match meant {
                // (A full-width space typed around the value: invisible in the message.)
                Some(s) if s == trimmed && text.contains('\u{3000}') => Text::new(
                    format!("值的前后多了全角空格「　」：删去它，写成 {s}"),
                    format!(
                        "the value has a full-width space (U+3000) beside it: remove it and write {s}"
                    ),
                ),
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
        None
    }

    /// A `ref`: the id of a file of the data folder `folder`.
    pub(super) fn reference(
        &mut self,
        folder: &str,
        node: &Node,
        name: (&str, &str),
    ) -> Option<Node> {
        let (name_zh, name_en) = name;
        let ids = self.ids.get(folder);
        let id = match &node.value {
            Value::String(s) => s.to_string(),
            _ => String::new(),
        };
        if !ids.is_some_and(|ids| ids.contains(&id)) {
            let dir = crate::discover::data_folder(folder);
            let candidates = ids.map(|v| v.as_slice()).unwrap_or_default();
            let hint = match did_you_mean(&id, candidates.iter().map(String::as_str)) {
                Some(s) => Text::new(format!("是不是「{s}」？"), format!("did you mean `{s}`?")),
                None => Text::new(
                    format!(
                        "要写 data/{dir}/ 下某个文件的名字（不含 .yaml）：{}",
                        candidates.join("、")
                    ),
                    format!(
                        "write the name (without .yaml) of a file in data/{dir}/: {}",
                        candidates.join(", ")
                    ),
                ),
            };
            self.report(
                "reference",
                node,
                format!("{name_zh}指向「{id}」，但 data/{dir}/ 下没有这个文件"),
                format!("{name_en} refers to `{id}`, which is not a file in data/{dir}/"),
                Some(hint),
            );
        }
        None
    }

    /// A list: each item checked, `unique` fields of its records compared.
    pub(super) fn list(
        &mut self,
        item: &Field,
        node: &Node,
        path: &FieldPath<'_>,
        name: (&str, &str),
    ) -> Option<Node> {
        let Value::List(items) = &node.value else {
            let expected = ("列表（每项以 - 开头）", "a list (items start with -)");
            self.wrong_kind(node, name, expected, None);
            return None;
        };
        let converted: Vec<Option<Node>> = items
            .iter()
            .enumerate()
            .map(|(i, n)| self.value(item, n, &FieldPath::Item(path, i)))
            .collect();
        let any = converted.iter().any(Option::is_some);
        let checked: Vec<std::borrow::Cow<'_, Node>> = items
            .iter()
            .zip(converted)
            .map(|(was, new)| new.map_or(std::borrow::Cow::Borrowed(was), std::borrow::Cow::Owned))
            .collect();
        if let Kind::Record(fields) = &item.kind {
            for (key, f) in fields.iter().filter(|(_, f)| f.unique) {
                let mut seen: rustc_hash::FxHashMap<String, &Node> =
                    rustc_hash::FxHashMap::default();
                seen.reserve(checked.len());
                for value in checked.iter().filter_map(|n| n.get(key)) {
                    let compared = unique_key(value);
                    if let Some(first) = seen.get(&compared) {
                        let text = scalar_text(value);
                        let item_path = format!("{path}.*.{key}");
                        let (zh, en) = name_of(f, &item_path);
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
                        seen.insert(compared, value);
                    }
                }
            }
        }
        any.then(|| Node {
            value: Value::List(
                checked
                    .into_iter()
                    .map(std::borrow::Cow::into_owned)
                    .collect(),
            ),
            line: node.line,
            col: node.col,
        })
    }

    /// The error for the required field `name` (of `path`) missing, at `at`.
    pub(super) fn missing(
        &self,
        field: &Field,
        name: &str,
        path: &FieldPath<'_>,
        at: &Node,
    ) -> Diagnostic {
        let full = FieldPath::Key(path, name);
        let (zh, en) = name_of(field, &full);
        Diagnostic::error("required", Some(at.location(self.file)), Text::new(
            format!("缺少必填字段{zh}"),
            format!("the required field {en} is missing"),
        ))
        .with_hint(Text::new(
            format!("写上 {name}: 值；若确实没有这个数，在 schema 里把它标为 optional: true"),
            format!("write {name}: value; if there truly is no such figure, mark it optional: true in the schema"),
        ))
    }

    /// The error for `key`, unknown here, when it is a field of the record written above it
    /// (the last of `before` that is one of `fields`) which that record lacks: written
    /// without the record's indentation (`people: 468` at the line's start under
    /// `registered:`). Told to line it up with the record's keys, with the line to write;
    /// the record's missing field, said when the record was checked, is taken back.
    #[cold]
    pub(super) fn dedented_key(
        &mut self,
        fields: &[(String, Field)],
        before: &[(Key, Node)],
        key: &Key,
        value: &Node,
        path: &FieldPath<'_>,
    ) -> Option<Diagnostic> {
        let (record, own) = before.iter().rev().find_map(|(k, v)| {
            let known = fields.iter().find(|(n, _)| n.as_str() == &*k.name)?;
            Some((known, v))
        })?;
        let (
            record,
            Field {
                kind: Kind::Record(inner),
                ..
            },
        ) = (&record.0, &record.1)
        else {
            return None;
        };
        let Value::Map(own_entries) = &own.value else {
            return None;
        };
        let (_, field) = inner.iter().find(|(n, _)| n.as_str() == &*key.name)?;
        if own_entries.iter().any(|(k, _)| k.name == key.name) {
            return None;
        }
        let (first, _) = own_entries.first()?;
        let indent = (first.col() as usize).saturating_sub(1);
        let record_path = FieldPath::Key(path, record);
        if field.required {
            let said = self.missing(field, &key.name, &record_path, own);
            self.problems.retain(|p| *p != said);
        }
        let full = FieldPath::Key(&record_path, &key.name);
        let (zh_name, en_name) = name_of(field, &full);
        let write = format!("{}{}", " ".repeat(indent), key_written(&key.name, value));
        let sibling = &first.name;
        Some(
            Diagnostic::error(
                "unknown-field",
                Some(key.location(self.file)),
                Text::new(
                    format!("「{}」少了缩进：它是「{record}」里的字段{zh_name}，写在了「{record}」的外面", key.name),
                    format!("`{}` lacks its indentation: it is the field {en_name} inside `{record}`, written outside it", key.name),
                ),
            )
            .with_hint(Text::new(
                format!("缩进 {indent} 格，和「{sibling}」对齐：写成「{write}」"),
                format!("indent it {indent} spaces, lined up with `{sibling}`: write `{write}`"),
            )),
        )
    }

    /// A warning (`code`) at `location`.
    pub(super) fn warn(
        &mut self,
        code: &'static str,
        location: Location,
        message: Text,
        hint: Text,
    ) {
        self.problems.push(
            Diagnostic::new(Severity::Warning, code, Some(location), message).with_hint(hint),
        );
    }
}

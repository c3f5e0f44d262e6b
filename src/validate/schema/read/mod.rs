//! Reading `data/schema.yaml` into the model: every problem in it located.

use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;

mod rule;

use super::plausible::plausibility_rules;
use super::{Field, FileSchema, Kind, Plausible, Rule, Schema};
use crate::diagnostics::{Diagnostic, Severity, Text};
use crate::discover::SCHEMA_FILE;
use crate::load::{Node, Value};
use crate::suggest::did_you_mean;
use crate::validate::expr::{self, Expr};

/// The keys of an `explained` mapping.
pub(super) const EXPLAINED_KEYS: &[&str] = &["reason", "reason_en", "within"];

/// Every field key a field declaration may have.
const FIELD_KEYS: &[&str] = &[
    "plausible",
    "type",
    "label",
    "unit",
    "optional",
    "min",
    "max",
    "dp",
    "values",
    "to",
    "items",
    "fields",
    "unique",
    "description",
];
pub(super) const RULE_KEYS: &[&str] = &[
    "id",
    "check",
    "each",
    "severity",
    "message",
    "message_en",
    "hint",
    "hint_en",
    "explained",
];
const TYPES: &[&str] = &[
    "count", "amount", "percent", "decimal", "text", "year", "date", "bool", "enum", "ref", "list",
    "record",
];

/// Reads the schema from its parsed YAML. Reports every problem in it.
pub fn parse(root: &Node) -> Result<Schema, Vec<Diagnostic>> {
    let file = Path::new(SCHEMA_FILE);
    let mut problems = Vec::new();
    let mut reader = Reader {
        file,
        problems: &mut problems,
        types: HashMap::new(),
        depth: 0,
    };
    let mut schema = Schema::default();
    let Value::Map(top) = &root.value else {
        return Err(vec![reader.error(
            root,
            "schema 的顶层要是映射（types、files、rules）",
            "the schema's top level must be a mapping (types, files, rules)",
        )]);
    };
    for (key, _) in top {
        if !["types", "files", "rules"].contains(&&*key.name) {
            let d = reader.unknown_key(key, &["types", "files", "rules"]);
            reader.problems.push(d);
        }
    }
    if let Some(types) = root.get("types") {
        reader.types(types);
    }
    if let Some(files) = root.get("files") {
        schema.files = reader.files(files);
    }
    for file in &schema.files {
        plausibility_rules(file, &file.fields, "", &mut schema.rules);
    }
    if let Some(rules) = root.get("rules") {
        reader.rules(rules, &mut schema.rules);
    }
    if problems.is_empty() {
        Ok(schema)
    } else {
        Err(problems)
    }
}

impl Reader<'_> {
    /// `types:`: named types, each may use the ones declared before it.
    fn types(&mut self, types: &Node) {
        if let Value::Map(entries) = &types.value {
            // Named types may use the ones declared before them.
            for (key, spec) in entries {
                if TYPES.contains(&&*key.name) {
                    self.report(
                        spec,
                        format!("类型名「{}」与内置类型重名", key.name),
                        format!("the type name `{}` is a built-in type", key.name),
                    );
                    continue;
                }
                // A named type is a field definition, or just the fields of a record.
                let is_bare_record = matches!(&spec.value, Value::Map(_))
                    && spec.get("type").is_none()
                    && spec.get("fields").is_none();
                let field = if is_bare_record {
                    let fields = self.fields(spec);
                    Some(Field::record(fields, spec.line, spec.col))
                } else {
                    self.field(spec)
                };
                if let Some(field) = field {
                    self.types.insert(key.name.to_string(), field);
                }
            }
        } else {
            self.report(
                types,
                "types 要是映射：类型名: 定义",
                "types must be a mapping of name: definition",
            );
        }
    }

    /// `files:`: each file pattern with its label and fields.
    fn files(&mut self, files: &Node) -> Vec<FileSchema> {
        let mut schema_files = Vec::new();
        match Some((&files.value, files)) {
            Some((Value::Map(entries), _)) => {
                for (key, spec) in entries {
                    if key
                        .name
                        .split('/')
                        .any(|part| part.matches('*').count() > 1)
                    {
                        let mut d = self.error(
                        spec,
                        format!(
                            "文件模式「{}」的每一层只能有一个 *（如 villages/*.yaml）",
                            key.name
                        ),
                        format!(
                            "the file pattern `{}` may have one * per folder level (such as villages/*.yaml)",
                            key.name
                        ),
                    );
                        d.location = Some(key.location(self.file));
                        self.problems.push(d);
                    }
                    if !key.name.ends_with(".yaml") && !key.name.ends_with(".yml") {
                        self.report(
                            spec,
                            format!("文件模式「{}」要以 .yaml 结尾", key.name),
                            format!("the file pattern `{}` must end in .yaml", key.name),
                        );
                    }
                    let label = spec.get("label").and_then(text_of);
                    let fields = match spec.get("fields") {
                        Some(fields) => self.fields(fields),
                        None => {
                            self.report(
                                spec,
                                format!("「{}」缺少 fields", key.name),
                                format!("`{}` has no fields", key.name),
                            );
                            Vec::new()
                        }
                    };
                    if let Value::Map(keys) = &spec.value {
                        for (k, _) in keys {
                            if !["label", "fields", "description"].contains(&&*k.name) {
                                let d = self.unknown_key(k, &["label", "fields", "description"]);
                                self.problems.push(d);
                            }
                        }
                    }
                    schema_files.push(FileSchema {
                        pattern: key.name.to_string(),
                        label,
                        fields,
                    });
                }
            }
            Some((_, node)) => {
                self.report(
                    node,
                    "files 要是映射：文件模式: 字段",
                    "files must be a mapping of pattern: fields",
                );
            }
            None => {}
        }
        schema_files
    }

    /// `rules:`: each rule, ids unique; read after the plausibility rules in `rules`.
    fn rules(&mut self, rules: &Node, into: &mut Vec<Rule>) {
        match &rules.value {
            Value::List(items) => {
                for item in items {
                    if let Some(rule) = self.rule(item) {
                        if into.iter().any(|r| r.id == rule.id) {
                            self.report(
                                item,
                                format!("规则 id「{}」重复", rule.id),
                                format!("duplicate rule id `{}`", rule.id),
                            );
                        }
                        into.push(rule);
                    }
                }
            }
            _ => {
                self.report(rules, "rules 要是列表", "rules must be a list");
            }
        }
    }
}

pub(super) fn text_of(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.to_string()),
        _ => None,
    }
}

pub(super) struct Reader<'p> {
    file: &'p Path,
    problems: &'p mut Vec<Diagnostic>,
    types: HashMap<String, Field>,
    depth: usize,
}

impl Reader<'_> {
    /// Reports a problem of the schema at `node`.
    pub(super) fn report(&mut self, node: &Node, zh: impl Into<String>, en: impl Into<String>) {
        let d = self.error(node, zh, en);
        self.problems.push(d);
    }

    pub(super) fn error(
        &self,
        node: &Node,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::error("schema", Some(node.location(self.file)), Text::new(zh, en)).with_hint(
            Text::new(
                "schema 的写法见 huibao schema 打印的说明（docs/schema.md）",
                "the schema language is described by `huibao schema` (docs/schema.md)",
            ),
        )
    }

    pub(super) fn unknown_key(&self, key: &crate::load::Key, allowed: &[&str]) -> Diagnostic {
        let suggestion = did_you_mean(&key.name, allowed.iter().copied());
        let (zh, en) = match &suggestion {
            Some(s) => (format!("是不是「{s}」？"), format!("did you mean `{s}`?")),
            None => (
                format!("可用的键：{}", allowed.join("、")),
                format!("the keys are: {}", allowed.join(", ")),
            ),
        };
        Diagnostic::error(
            "schema",
            Some(key.location(self.file)),
            Text::new(
                format!("schema 里有未知的键「{}」", key.name),
                format!("unknown key `{}` in the schema", key.name),
            ),
        )
        .with_hint(Text::new(zh, en))
    }

    fn fields(&mut self, node: &Node) -> Vec<(String, Field)> {
        let Value::Map(entries) = &node.value else {
            self.report(
                node,
                "fields 要是映射：字段名: 定义",
                "fields must be a mapping of name: definition",
            );
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|(key, spec)| self.field(spec).map(|f| (key.name.to_string(), f)))
            .collect()
    }

    fn decimal(&mut self, node: Option<&Node>, what: &str) -> Option<Decimal> {
        let node = node?;
        match &node.value {
            Value::Number(n) => Some(*n),
            _ => {
                self.report(
                    node,
                    format!("{what} 要是数字"),
                    format!("{what} must be a number"),
                );
                None
            }
        }
    }

    fn field(&mut self, spec: &Node) -> Option<Field> {
        self.depth += 1;
        let result = self.field_inner(spec);
        self.depth -= 1;
        result
    }

    fn field_inner(&mut self, spec: &Node) -> Option<Field> {
        if self.depth > 32 {
            self.report(spec, "schema 嵌套太深", "the schema is nested too deeply");
            return None;
        }
        // Shorthand: `name: text` means `name: {type: text}`.
        let shorthand;
        let spec = match &spec.value {
            Value::String(_) => {
                shorthand = Node {
                    value: Value::Map(Box::new([(
                        crate::load::Key::new("type".into(), spec.line, spec.col),
                        spec.clone(),
                    )])),
                    line: spec.line,
                    col: spec.col,
                };
                &shorthand
            }
            Value::Map(_) => spec,
            _ => {
                self.report(spec, "字段定义要是映射（如 {type: count, unit: 户}）或类型名", "a field definition must be a mapping (such as {type: count, unit: 户}) or a type name");
                return None;
            }
        };
        if let Value::Map(keys) = &spec.value {
            for (key, _) in keys {
                if !FIELD_KEYS.contains(&&*key.name) {
                    let d = self.unknown_key(key, FIELD_KEYS);
                    self.problems.push(d);
                }
            }
        }
        let type_name = match spec.get("type") {
            Some(node) => match text_of(node) {
                Some(t) => t,
                None => {
                    self.report(node, "type 要写类型名", "type must name a type");
                    return None;
                }
            },
            None if spec.get("fields").is_some() => "record".to_string(),
            None => {
                self.report(spec, "字段缺少 type", "the field has no type");
                return None;
            }
        };
        // `optional` and `unique` are true or false: `yes`, `是` or `1` would be taken for
        // false without a word.
        for flag in ["optional", "unique"] {
            if let Some(node) = spec.get(flag)
                && !matches!(node.value, Value::Bool(_))
            {
                let written = match &node.value {
                    Value::Null => String::new(),
                    value => value.scalar_text().unwrap_or_else(|| "…".to_string()),
                };
                self.report(
                    node,
                    format!("{flag} 只能写 true 或 false，这里是「{written}」"),
                    format!("{flag} is true or false, found `{written}`"),
                );
            }
        }
        let mut field = Field {
            kind: Kind::Text,
            label: spec.get("label").and_then(text_of),
            unit: spec.get("unit").and_then(text_of),
            required: !matches!(
                spec.get("optional").map(|n| &n.value),
                Some(Value::Bool(true))
            ),
            min: self.decimal(spec.get("min"), "min"),
            max: self.decimal(spec.get("max"), "max"),
            dp: None,
            unique: matches!(
                spec.get("unique").map(|n| &n.value),
                Some(Value::Bool(true))
            ),
            plausible: None,
            line: spec.line,
            col: spec.col,
        };
        if let Some(node) = spec.get("plausible") {
            field.plausible = self.plausible(node);
        }
        if let Some(dp) = self.decimal(spec.get("dp"), "dp") {
            field.dp = u32::try_from(dp.mantissa())
                .ok()
                .filter(|d| dp.scale() == 0 && *d <= 20);
            if field.dp.is_none() {
                self.report(
                    spec,
                    "dp 要是 0 到 20 的整数",
                    "dp must be a whole number from 0 to 20",
                );
            }
        }
        field.kind = match self.builtin_kind(&type_name, spec) {
            Some(kind) => kind?,
            None => self.named_kind(&type_name, spec, &mut field)?,
        };
        if let (Kind::Amount, Some(unit)) = (&field.kind, &field.unit)
            && crate::validate::units::family(unit) != Some(crate::validate::units::Family::Money)
        {
            self.report(
                spec,
                format!("amount 的单位要是元、万元或亿元，这里是「{unit}」"),
                format!("an amount's unit must be 元, 万元 or 亿元, not `{unit}`"),
            );
        }
        Some(field)
    }

    /// The kind of a built-in type (`None`: `type_name` is not one); `Some(None)` when its
    /// declaration lacks what the type needs (reported).
    fn builtin_kind(&mut self, type_name: &str, spec: &Node) -> Option<Option<Kind>> {
        let kind = match type_name {
            "count" => Kind::Count,
            "amount" => Kind::Amount,
            "percent" => Kind::Percent,
            "decimal" => Kind::Decimal,
            "text" => Kind::Text,
            "year" => Kind::Year,
            "date" => Kind::Date,
            "bool" => Kind::Bool,
            "enum" => match spec.get("values").map(|n| &n.value) {
                Some(Value::List(items)) if !items.is_empty() => Kind::Enum(
                    items
                        .iter()
                        .map(|i| match &i.value {
                            Value::String(s) => s.to_string(),
                            Value::Number(n) => n.to_string(),
                            _ => String::new(),
                        })
                        .collect(),
                ),
                // `values: 十二五贫困村, 十三五贫困村` is one text, not a list.
                Some(Value::String(text)) => {
                    let values = spec.get("values").unwrap_or(spec);
                    let items: Vec<&str> = text
                        .split([',', '，', '、'])
                        .map(str::trim)
                        .filter(|i| !i.is_empty())
                        .collect();
                    let list = format!("values: [{}]", items.join(", "));
                    let d = self
                        .error(
                            values,
                            "values 要写成列表，用方括号括起来；这里是一段文字",
                            "values is a list in square brackets; this is one text",
                        )
                        .with_hint(Text::new(format!("写成 {list}"), format!("write {list}")));
                    self.problems.push(d);
                    return Some(None);
                }
                _ => {
                    self.report(
                        spec,
                        "enum 要用 values 列出可选的值",
                        "an enum lists its allowed values in values",
                    );
                    return Some(None);
                }
            },
            "ref" => match spec.get("to").and_then(text_of) {
                Some(folder) => Kind::Ref(folder),
                None => {
                    self.report(
                        spec,
                        "ref 要用 to 写明指向的数据文件夹（如 to: villages）",
                        "a ref names its data folder in to (such as to: villages)",
                    );
                    return Some(None);
                }
            },
            "list" => match spec.get("items") {
                Some(items) => Kind::List(Box::new(match self.field(items) {
                    Some(item) => item,
                    None => return Some(None),
                })),
                None => {
                    self.report(
                        spec,
                        "list 要用 items 写明每一项的定义",
                        "a list declares its items in items",
                    );
                    return Some(None);
                }
            },
            "record" => match spec.get("fields") {
                Some(fields) => Kind::Record(self.fields(fields)),
                None => {
                    self.report(
                        spec,
                        "record 要用 fields 写明字段",
                        "a record declares its fields in fields",
                    );
                    return Some(None);
                }
            },
            _ => return None,
        };
        Some(Some(kind))
    }

    /// The kind of a type named under `types:`; what the use of it leaves out (label, unit,
    /// bounds, decimals, optional, unique) comes from the named type. An unknown name is
    /// reported with the types there are.
    fn named_kind(&mut self, name: &str, spec: &Node, field: &mut Field) -> Option<Kind> {
        match self.types.get(name).cloned() {
            Some(named) => {
                let mut kind = named.kind.clone();
                if let (Kind::Record(base), Some(extra)) = (&mut kind, spec.get("fields")) {
                    base.extend(self.fields(extra));
                }
                field.label = field.label.take().or_else(|| named.label.clone());
                field.unit = field.unit.take().or_else(|| named.unit.clone());
                field.min = field.min.or(named.min);
                field.max = field.max.or(named.max);
                field.dp = field.dp.or(named.dp);
                // `optional` and `unique` written where the type is used win; else the type's.
                if spec.get("optional").is_none() {
                    field.required = named.required;
                }
                if spec.get("unique").is_none() {
                    field.unique = named.unique;
                }
                Some(kind)
            }
            None => {
                let node = spec.get("type").unwrap_or(spec);
                let known: Vec<&str> = TYPES
                    .iter()
                    .copied()
                    .chain(self.types.keys().map(String::as_str))
                    .collect();
                let hint = match did_you_mean(name, known.iter().copied()) {
                    Some(s) => {
                        Text::new(format!("是不是「{s}」？"), format!("did you mean `{s}`?"))
                    }
                    None => Text::new(
                        format!("可用的类型：{}", known.join("、")),
                        format!("the types are: {}", known.join(", ")),
                    ),
                };
                let d = Diagnostic::error(
                    "schema",
                    Some(node.location(self.file)),
                    Text::new(
                        format!("未知的类型「{name}」"),
                        format!("unknown type `{name}`"),
                    ),
                )
                .with_hint(hint);
                self.problems.push(d);
                None
            }
        }
    }

    fn plausible(&mut self, node: &Node) -> Option<Plausible> {
        let Value::Map(keys) = &node.value else {
            self.report(
                node,
                "plausible 要写成 {per: 路径, min: 数, max: 数}",
                "plausible must read {per: path, min: number, max: number}",
            );
            return None;
        };
        for (key, _) in keys {
            if !["per", "min", "max", "severity"].contains(&&*key.name) {
                let d = self.unknown_key(key, &["per", "min", "max", "severity"]);
                self.problems.push(d);
            }
        }
        let per_text = node.get("per").and_then(text_of);
        let per = match &per_text {
            None => None,
            Some(text) => match expr::parse(text) {
                Ok(path @ Expr::Path(_)) => Some(path),
                _ => {
                    self.report(
                        node,
                        format!("plausible 的 per 要是数据路径，这里是「{text}」"),
                        format!("plausible's per must be a data path, not `{text}`"),
                    );
                    return None;
                }
            },
        };
        let severity = match node.get("severity").and_then(text_of).as_deref() {
            None | Some("warning") => Severity::Warning,
            Some("error") => Severity::Error,
            Some(other) => {
                self.report(
                    node,
                    format!("severity 只能是 error 或 warning，这里是「{other}」"),
                    format!("severity must be error or warning, not `{other}`"),
                );
                Severity::Warning
            }
        };
        let (min, max) = (
            self.decimal(node.get("min"), "min"),
            self.decimal(node.get("max"), "max"),
        );
        if min.is_none() && max.is_none() {
            self.report(
                node,
                "plausible 至少要写 min 或 max",
                "plausible needs min or max",
            );
            return None;
        }
        Some(Plausible {
            per,
            per_text,
            min,
            max,
            severity,
        })
    }
}

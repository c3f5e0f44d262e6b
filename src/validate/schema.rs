//! The schema language: `data/schema.yaml` declares every data file's fields (type, unit,
//! range, required) and the consistency rules across files. See `docs/schema.md`.

use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::expr::{self, Expr};
use crate::diagnostics::{Diagnostic, Location, Severity, Text};
use crate::load::{Node, Value};

use crate::discover::SCHEMA_FILE;

/// A site's schema.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// Data-file patterns and their fields, in the order written.
    pub files: Vec<FileSchema>,
    /// Consistency rules, in the order written.
    pub rules: Vec<Rule>,
}

/// The fields of the data files matching a pattern.
#[derive(Clone, Debug)]
pub struct FileSchema {
    /// `township.yaml`, `villages/*.yaml` (relative to `data/`; `*` matches within one name).
    pub pattern: String,
    /// What such a file holds, in Chinese.
    pub label: Option<String>,
    /// The fields of the file's top-level mapping.
    pub fields: Vec<(String, Field)>,
}

/// One field: its kind and constraints.
#[derive(Clone, Debug)]
pub struct Field {
    /// What the value is.
    pub kind: Kind,
    /// Its Chinese name, used in messages (`建档立卡贫困户`).
    pub label: Option<String>,
    /// Its unit (`户`, `万元`, `%`); a value may be written with a convertible unit (`342元`).
    pub unit: Option<String>,
    /// Whether the field must be present (and not empty).
    pub required: bool,
    /// The smallest value allowed.
    pub min: Option<Decimal>,
    /// The largest value allowed.
    pub max: Option<Decimal>,
    /// At most this many decimal places.
    pub dp: Option<u32>,
    /// In a list: no two items have the same value of this field; across the files of a
    /// folder: no two files do.
    pub unique: bool,
    /// A plausible range (per another figure): outside it, a likely unit or typing error.
    pub plausible: Option<Plausible>,
    /// Where it is declared in the schema.
    pub line: u32,
    /// Column of the declaration.
    pub col: u32,
}

impl Field {
    /// A required record of `fields`, declared at `line`:`col`, with no other constraint.
    pub fn record(fields: Vec<(String, Field)>, line: u32, col: u32) -> Field {
        Field {
            kind: Kind::Record(fields),
            label: None,
            unit: None,
            required: true,
            min: None,
            max: None,
            dp: None,
            unique: false,
            plausible: None,
            line,
            col,
        }
    }
}

/// `plausible: {per: policies.industry.projects, min: 1, max: 500}`: the value (divided by
/// `per` when given) is expected between `min` and `max`; outside, it is reported (a warning
/// unless `severity: error`) as a likely unit or typing error. Becomes a rule.
#[derive(Clone, Debug)]
pub struct Plausible {
    /// The figure the value is divided by (a rule path; `it.` is the record itself).
    pub per: Option<Expr>,
    /// The text of `per`, for messages.
    pub per_text: Option<String>,
    /// The smallest plausible value.
    pub min: Option<Decimal>,
    /// The largest plausible value.
    pub max: Option<Decimal>,
    /// Warning (default) or error.
    pub severity: Severity,
}

/// The kinds of fields.
#[derive(Clone, Debug)]
pub enum Kind {
    /// A whole number ≥ 0 (户, 人, 个 …).
    Count,
    /// Money: a decimal ≥ 0 in 元, 万元 or 亿元.
    Amount,
    /// A percentage, 0 to 100 unless declared otherwise.
    Percent,
    /// Any decimal number.
    Decimal,
    /// Text.
    Text,
    /// A year (1900–2100).
    Year,
    /// A date written `2020-10-31`.
    Date,
    /// `true` or `false`.
    Bool,
    /// One of the listed texts.
    Enum(Vec<String>),
    /// The id of a file in a data folder (`to: villages` → a file in `data/villages/`).
    Ref(String),
    /// A list whose items follow the inner field.
    List(Box<Field>),
    /// A mapping with these fields.
    Record(Vec<(String, Field)>),
}

impl Kind {
    /// The type's name as written in the schema.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Count => "count",
            Kind::Amount => "amount",
            Kind::Percent => "percent",
            Kind::Decimal => "decimal",
            Kind::Text => "text",
            Kind::Year => "year",
            Kind::Date => "date",
            Kind::Bool => "bool",
            Kind::Enum(_) => "enum",
            Kind::Ref(_) => "ref",
            Kind::List(_) => "list",
            Kind::Record(_) => "record",
        }
    }

    /// Whether values of this kind are numbers.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            Kind::Count | Kind::Amount | Kind::Percent | Kind::Decimal | Kind::Year
        )
    }
}

/// A consistency rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Its id, shown with every problem it finds.
    pub id: String,
    /// The condition that must hold.
    pub check: Expr,
    /// `v in villages.*`: check once per item, with the item bound to `v`.
    pub each: Option<(String, Expr)>,
    /// Error, warning (or info when explained).
    pub severity: Severity,
    /// What it means when the rule does not hold, in Chinese.
    pub message: Text,
    /// What to do.
    pub hint: Option<Text>,
    /// A declared reason why the rule does not hold, and the gap it covers: inside that gap
    /// the failure is reported as information; outside it, as an error.
    pub explained: Option<Explained>,
    /// Where it is declared.
    pub location: Location,
}

/// `explained: {reason: …, reason_en: …, within: <expr>}`: why a rule does not hold for
/// these data, and the bound of the gap that reason covers.
#[derive(Clone, Debug)]
pub struct Explained {
    /// The reason, in both languages.
    pub reason: Text,
    /// The condition the explained gap satisfies (its direction and plausible size).
    pub within: Expr,
    /// The text of `within`, for messages.
    pub within_text: String,
}

/// The keys of an `explained` mapping.
const EXPLAINED_KEYS: &[&str] = &["reason", "reason_en", "within"];

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
const RULE_KEYS: &[&str] = &[
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
        if !["types", "files", "rules"].contains(&key.name.as_str()) {
            let d = reader.unknown_key(key, &["types", "files", "rules"]);
            reader.problems.push(d);
        }
    }
    if let Some(types) = root.get("types") {
        if let Value::Map(entries) = &types.value {
            // Named types may use the ones declared before them.
            for (key, spec) in entries {
                if TYPES.contains(&key.name.as_str()) {
                    let d = reader.error(
                        spec,
                        format!("类型名「{}」与内置类型重名", key.name),
                        format!("the type name `{}` is a built-in type", key.name),
                    );
                    reader.problems.push(d);
                    continue;
                }
                // A named type is a field definition, or just the fields of a record.
                let is_bare_record = matches!(&spec.value, Value::Map(_))
                    && spec.get("type").is_none()
                    && spec.get("fields").is_none();
                let field = if is_bare_record {
                    let fields = reader.fields(spec);
                    Some(Field::record(fields, spec.line, spec.col))
                } else {
                    reader.field(spec)
                };
                if let Some(field) = field {
                    reader.types.insert(key.name.clone(), field);
                }
            }
        } else {
            let d = reader.error(
                types,
                "types 要是映射：类型名: 定义",
                "types must be a mapping of name: definition",
            );
            reader.problems.push(d);
        }
    }
    match root.get("files").map(|n| (&n.value, n)) {
        Some((Value::Map(entries), _)) => {
            for (key, spec) in entries {
                if key
                    .name
                    .split('/')
                    .any(|part| part.matches('*').count() > 1)
                {
                    let mut d = reader.error(
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
                    d.location = Some(Location::new(
                        reader.file,
                        key.line as usize,
                        key.col as usize,
                    ));
                    reader.problems.push(d);
                }
                if !key.name.ends_with(".yaml") && !key.name.ends_with(".yml") {
                    let d = reader.error(
                        spec,
                        format!("文件模式「{}」要以 .yaml 结尾", key.name),
                        format!("the file pattern `{}` must end in .yaml", key.name),
                    );
                    reader.problems.push(d);
                }
                let label = spec.get("label").and_then(text_of);
                let fields = match spec.get("fields") {
                    Some(fields) => reader.fields(fields),
                    None => {
                        let d = reader.error(
                            spec,
                            format!("「{}」缺少 fields", key.name),
                            format!("`{}` has no fields", key.name),
                        );
                        reader.problems.push(d);
                        Vec::new()
                    }
                };
                if let Value::Map(keys) = &spec.value {
                    for (k, _) in keys {
                        if !["label", "fields", "description"].contains(&k.name.as_str()) {
                            let d = reader.unknown_key(k, &["label", "fields", "description"]);
                            reader.problems.push(d);
                        }
                    }
                }
                schema.files.push(FileSchema {
                    pattern: key.name.clone(),
                    label,
                    fields,
                });
            }
        }
        Some((_, node)) => {
            let d = reader.error(
                node,
                "files 要是映射：文件模式: 字段",
                "files must be a mapping of pattern: fields",
            );
            reader.problems.push(d);
        }
        None => {}
    }
    for file in &schema.files {
        plausibility_rules(file, &file.fields, "", &mut schema.rules);
    }
    if let Some(rules) = root.get("rules") {
        match &rules.value {
            Value::List(items) => {
                for item in items {
                    if let Some(rule) = reader.rule(item) {
                        if schema.rules.iter().any(|r| r.id == rule.id) {
                            let d = reader.error(
                                item,
                                format!("规则 id「{}」重复", rule.id),
                                format!("duplicate rule id `{}`", rule.id),
                            );
                            reader.problems.push(d);
                        }
                        schema.rules.push(rule);
                    }
                }
            }
            _ => {
                let d = reader.error(rules, "rules 要是列表", "rules must be a list");
                reader.problems.push(d);
            }
        }
    }
    if problems.is_empty() {
        Ok(schema)
    } else {
        Err(problems)
    }
}

fn text_of(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

struct Reader<'p> {
    file: &'p Path,
    problems: &'p mut Vec<Diagnostic>,
    types: HashMap<String, Field>,
    depth: usize,
}

impl Reader<'_> {
    fn error(&self, node: &Node, zh: impl Into<String>, en: impl Into<String>) -> Diagnostic {
        Diagnostic::error("schema", Some(node.location(self.file)), Text::new(zh, en)).with_hint(
            Text::new(
                "schema 的写法见 huibao schema 打印的说明（docs/schema.md）",
                "the schema language is described by `huibao schema` (docs/schema.md)",
            ),
        )
    }

    fn unknown_key(&self, key: &crate::load::Key, allowed: &[&str]) -> Diagnostic {
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
            Some(Location::new(
                self.file,
                key.line as usize,
                key.col as usize,
            )),
            Text::new(
                format!("schema 里有未知的键「{}」", key.name),
                format!("unknown key `{}` in the schema", key.name),
            ),
        )
        .with_hint(Text::new(zh, en))
    }

    fn fields(&mut self, node: &Node) -> Vec<(String, Field)> {
        let Value::Map(entries) = &node.value else {
            let d = self.error(
                node,
                "fields 要是映射：字段名: 定义",
                "fields must be a mapping of name: definition",
            );
            self.problems.push(d);
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|(key, spec)| self.field(spec).map(|f| (key.name.clone(), f)))
            .collect()
    }

    fn decimal(&mut self, node: Option<&Node>, what: &str) -> Option<Decimal> {
        let node = node?;
        match &node.value {
            Value::Number(n) => Some(*n),
            _ => {
                let d = self.error(
                    node,
                    format!("{what} 要是数字"),
                    format!("{what} must be a number"),
                );
                self.problems.push(d);
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
            let d = self.error(spec, "schema 嵌套太深", "the schema is nested too deeply");
            self.problems.push(d);
            return None;
        }
        // Shorthand: `name: text` means `name: {type: text}`.
        let shorthand;
        let spec = match &spec.value {
            Value::String(_) => {
                shorthand = Node {
                    value: Value::Map(vec![(
                        crate::load::Key {
                            name: "type".into(),
                            line: spec.line,
                            col: spec.col,
                        },
                        spec.clone(),
                    )]),
                    line: spec.line,
                    col: spec.col,
                };
                &shorthand
            }
            Value::Map(_) => spec,
            _ => {
                let d = self.error(spec, "字段定义要是映射（如 {type: count, unit: 户}）或类型名", "a field definition must be a mapping (such as {type: count, unit: 户}) or a type name");
                self.problems.push(d);
                return None;
            }
        };
        if let Value::Map(keys) = &spec.value {
            for (key, _) in keys {
                if !FIELD_KEYS.contains(&key.name.as_str()) {
                    let d = self.unknown_key(key, FIELD_KEYS);
                    self.problems.push(d);
                }
            }
        }
        let type_name = match spec.get("type") {
            Some(node) => match text_of(node) {
                Some(t) => t,
                None => {
                    let d = self.error(node, "type 要写类型名", "type must name a type");
                    self.problems.push(d);
                    return None;
                }
            },
            None if spec.get("fields").is_some() => "record".to_string(),
            None => {
                let d = self.error(spec, "字段缺少 type", "the field has no type");
                self.problems.push(d);
                return None;
            }
        };
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
                let d = self.error(
                    spec,
                    "dp 要是 0 到 20 的整数",
                    "dp must be a whole number from 0 to 20",
                );
                self.problems.push(d);
            }
        }
        field.kind = match type_name.as_str() {
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
                            Value::String(s) => s.clone(),
                            Value::Number(n) => n.to_string(),
                            _ => String::new(),
                        })
                        .collect(),
                ),
                _ => {
                    let d = self.error(
                        spec,
                        "enum 要用 values 列出可选的值",
                        "an enum lists its allowed values in values",
                    );
                    self.problems.push(d);
                    return None;
                }
            },
            "ref" => match spec.get("to").and_then(text_of) {
                Some(folder) => Kind::Ref(folder),
                None => {
                    let d = self.error(
                        spec,
                        "ref 要用 to 写明指向的数据文件夹（如 to: villages）",
                        "a ref names its data folder in to (such as to: villages)",
                    );
                    self.problems.push(d);
                    return None;
                }
            },
            "list" => match spec.get("items") {
                Some(items) => Kind::List(Box::new(self.field(items)?)),
                None => {
                    let d = self.error(
                        spec,
                        "list 要用 items 写明每一项的定义",
                        "a list declares its items in items",
                    );
                    self.problems.push(d);
                    return None;
                }
            },
            "record" => match spec.get("fields") {
                Some(fields) => Kind::Record(self.fields(fields)),
                None => {
                    let d = self.error(
                        spec,
                        "record 要用 fields 写明字段",
                        "a record declares its fields in fields",
                    );
                    self.problems.push(d);
                    return None;
                }
            },
            name => match self.types.get(name).cloned() {
                Some(named) => {
                    let mut kind = named.kind.clone();
                    if let (Kind::Record(base), Some(extra)) = (&mut kind, spec.get("fields")) {
                        base.extend(self.fields(extra));
                    }
                    field.label = field.label.or_else(|| named.label.clone());
                    field.unit = field.unit.or_else(|| named.unit.clone());
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
                    kind
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
                    return None;
                }
            },
        };
        if let (Kind::Amount, Some(unit)) = (&field.kind, &field.unit)
            && super::units::family(unit) != Some(super::units::Family::Money)
        {
            let d = self.error(
                spec,
                format!("amount 的单位要是元、万元或亿元，这里是「{unit}」"),
                format!("an amount's unit must be 元, 万元 or 亿元, not `{unit}`"),
            );
            self.problems.push(d);
        }
        Some(field)
    }

    fn plausible(&mut self, node: &Node) -> Option<Plausible> {
        let Value::Map(keys) = &node.value else {
            let d = self.error(
                node,
                "plausible 要写成 {per: 路径, min: 数, max: 数}",
                "plausible must read {per: path, min: number, max: number}",
            );
            self.problems.push(d);
            return None;
        };
        for (key, _) in keys {
            if !["per", "min", "max", "severity"].contains(&key.name.as_str()) {
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
                    let d = self.error(
                        node,
                        format!("plausible 的 per 要是数据路径，这里是「{text}」"),
                        format!("plausible's per must be a data path, not `{text}`"),
                    );
                    self.problems.push(d);
                    return None;
                }
            },
        };
        let severity = match node.get("severity").and_then(text_of).as_deref() {
            None | Some("warning") => Severity::Warning,
            Some("error") => Severity::Error,
            Some(other) => {
                let d = self.error(
                    node,
                    format!("severity 只能是 error 或 warning，这里是「{other}」"),
                    format!("severity must be error or warning, not `{other}`"),
                );
                self.problems.push(d);
                Severity::Warning
            }
        };
        let (min, max) = (
            self.decimal(node.get("min"), "min"),
            self.decimal(node.get("max"), "max"),
        );
        if min.is_none() && max.is_none() {
            let d = self.error(
                node,
                "plausible 至少要写 min 或 max",
                "plausible needs min or max",
            );
            self.problems.push(d);
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

    /// `explained: {reason, reason_en, within}`; a bare reason is refused: an explanation
    /// must say which gap it covers, or it would accept any value.
    fn explained(&mut self, id: &str, node: &Node) -> Option<Explained> {
        let Value::Map(keys) = &node.value else {
            let d = self
                .error(
                    node,
                    format!("规则「{id}」的 explained 要写明它说明的差距范围：reason（理由）和 within（差距的界限）"),
                    format!("rule `{id}`: explained must state the gap it covers: reason and within (the bound of the gap)"),
                )
                .with_hint(Text::new(
                    "写成 explained: {reason: 理由, within: \"所列比例 >= 计算的比例 and 所列比例 <= 100\"}；超出 within 的值仍是错误",
                    "write explained: {reason: why, within: \"stated >= computed and stated <= 100\"}; a value outside within is still an error",
                ));
            self.problems.push(d);
            return None;
        };
        for (key, _) in keys {
            if !EXPLAINED_KEYS.contains(&key.name.as_str()) {
                let d = self.unknown_key(key, EXPLAINED_KEYS);
                self.problems.push(d);
            }
        }
        let Some(reason) = node.get("reason").and_then(text_of) else {
            let d = self.error(
                node,
                format!("规则「{id}」的 explained 缺少 reason（理由）"),
                format!("rule `{id}`: explained has no reason"),
            );
            self.problems.push(d);
            return None;
        };
        let reason_en = node
            .get("reason_en")
            .and_then(text_of)
            .unwrap_or_else(|| reason.clone());
        let Some(within_node) = node.get("within") else {
            let d = self.error(
                node,
                format!("规则「{id}」的 explained 缺少 within：说明只覆盖一定方向和大小的差距"),
                format!("rule `{id}`: explained has no within: an explanation covers a gap of one direction and size"),
            );
            self.problems.push(d);
            return None;
        };
        let Some(within_text) = text_of(within_node) else {
            let d = self.error(
                within_node,
                "within 要写成文本（规则表达式）",
                "within must be text (a rule expression)",
            );
            self.problems.push(d);
            return None;
        };
        match expr::parse(&within_text) {
            Ok(within) => Some(Explained {
                reason: Text::new(reason, reason_en),
                within,
                within_text,
            }),
            Err(error) => {
                let mut location = within_node.location(self.file);
                location.col += error.offset;
                self.problems.push(
                    Diagnostic::error(
                        "schema-rule",
                        Some(location),
                        Text::new(
                            format!("规则「{id}」的 within 写法有误：{}", error.message),
                            format!("rule `{id}`: invalid within: {}", error.message),
                        ),
                    )
                    .with_hint(Text::new(
                        "规则的表达式语言见 huibao schema 打印的说明（docs/schema.md）",
                        "the rule language is described by `huibao schema` (docs/schema.md)",
                    )),
                );
                None
            }
        }
    }

    fn rule(&mut self, node: &Node) -> Option<Rule> {
        let Value::Map(keys) = &node.value else {
            let d = self.error(
                node,
                "每条规则要是映射（id、check、message …）",
                "each rule must be a mapping (id, check, message …)",
            );
            self.problems.push(d);
            return None;
        };
        for (key, _) in keys {
            if !RULE_KEYS.contains(&key.name.as_str()) {
                let d = self.unknown_key(key, RULE_KEYS);
                self.problems.push(d);
            }
        }
        let text = |key: &str| node.get(key).and_then(text_of);
        let Some(id) = text("id") else {
            let d = self.error(node, "规则缺少 id", "the rule has no id");
            self.problems.push(d);
            return None;
        };
        let parse_expr = |reader: &mut Self, key: &str| -> Option<(Expr, Location)> {
            let expr_node = node.get(key)?;
            let Some(source) = text_of(expr_node) else {
                let d = reader.error(
                    expr_node,
                    format!("{key} 要写成文本"),
                    format!("{key} must be text"),
                );
                reader.problems.push(d);
                return None;
            };
            match expr::parse(&source) {
                Ok(expr) => Some((expr, expr_node.location(reader.file))),
                Err(error) => {
                    // Point into the expression when it is written on the line of its key.
                    let mut location = expr_node.location(reader.file);
                    location.col += error.offset;
                    reader.problems.push(
                        Diagnostic::error(
                            "schema-rule",
                            Some(location),
                            Text::new(
                                format!("规则「{id}」的 {key} 写法有误：{}", error.message),
                                format!("rule `{id}`: invalid {key}: {}", error.message),
                            ),
                        )
                        .with_hint(Text::new(
                            "规则的表达式语言见 huibao schema 打印的说明（docs/schema.md）",
                            "the rule language is described by `huibao schema` (docs/schema.md)",
                        )),
                    );
                    None
                }
            }
        };
        let Some((check, location)) = parse_expr(self, "check") else {
            if node.get("check").is_none() {
                let d = self.error(
                    node,
                    format!("规则「{id}」缺少 check"),
                    format!("rule `{id}` has no check"),
                );
                self.problems.push(d);
            }
            return None;
        };
        let each = match text("each") {
            None => None,
            Some(each) => match each.split_once(" in ") {
                Some((var, path)) if crate::load::is_identifier(var.trim()) => {
                    match expr::parse(path) {
                        Ok(path @ Expr::Path(_)) => Some((var.trim().to_string(), path)),
                        _ => {
                            let d = self.error(
                                node.get("each").unwrap_or(node),
                                "each 的路径写法有误",
                                "invalid path in each",
                            );
                            self.problems.push(d);
                            return None;
                        }
                    }
                }
                _ => {
                    let d = self.error(
                        node.get("each").unwrap_or(node),
                        "each 要写成「变量 in 路径」，如 v in villages.*",
                        "each must read `name in path`, such as v in villages.*",
                    );
                    self.problems.push(d);
                    return None;
                }
            },
        };
        let severity = match text("severity").as_deref() {
            None | Some("error") => Severity::Error,
            Some("warning") => Severity::Warning,
            Some(other) => {
                let d = self.error(
                    node.get("severity").unwrap_or(node),
                    format!("severity 只能是 error 或 warning，这里是「{other}」"),
                    format!("severity must be error or warning, not `{other}`"),
                );
                self.problems.push(d);
                Severity::Error
            }
        };
        let Some(message) = text("message") else {
            let d = self.error(
                node,
                format!("规则「{id}」缺少 message（中文说明）"),
                format!("rule `{id}` has no message"),
            );
            self.problems.push(d);
            return None;
        };
        let message_en = text("message_en").unwrap_or_else(|| message.clone());
        let hint = text("hint").map(|zh| {
            let en = text("hint_en").unwrap_or_else(|| zh.clone());
            Text::new(zh, en)
        });
        let explained = match node.get("explained") {
            None => None,
            Some(explained) => Some(self.explained(&id, explained)?),
        };
        Some(Rule {
            id,
            check,
            each,
            severity,
            message: Text::new(message, message_en),
            hint,
            explained,
            location,
        })
    }
}

/// Turns every `plausible` declaration into a rule.
fn plausibility_rules(
    file: &FileSchema,
    fields: &[(String, Field)],
    prefix: &str,
    rules: &mut Vec<Rule>,
) {
    let stem = file
        .pattern
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml");
    let (root, each) = match stem.strip_suffix("/*") {
        Some(folder) => ("it".to_string(), Some(folder.to_string())),
        None => (stem.replace('/', "."), None),
    };
    for (name, field) in fields {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        if let Kind::Record(inner) = &field.kind {
            plausibility_rules(file, inner, &path, rules);
        }
        let Some(plausible) = &field.plausible else {
            continue;
        };
        let mut segments = vec![expr::Segment::Key(root.clone())];
        segments.extend(path.split('.').map(|k| expr::Segment::Key(k.to_string())));
        let own = Expr::Path(segments);
        let value = match &plausible.per {
            Some(per) => Expr::Binary(expr::Op::Div, Box::new(own.clone()), Box::new(per.clone())),
            None => own.clone(),
        };
        // A missing optional value, or nothing to divide by, is not implausible.
        let mut skip = Expr::Binary(expr::Op::Eq, Box::new(own), Box::new(Expr::Null));
        if let Some(per) = &plausible.per {
            let zero = Expr::Binary(
                expr::Op::Eq,
                Box::new(per.clone()),
                Box::new(Expr::Number(Decimal::ZERO)),
            );
            skip = Expr::Binary(expr::Op::Or, Box::new(skip), Box::new(zero));
        }
        let mut check: Option<Expr> = None;
        for (op, bound) in [(expr::Op::Ge, plausible.min), (expr::Op::Le, plausible.max)] {
            if let Some(bound) = bound {
                let part = Expr::Binary(op, Box::new(value.clone()), Box::new(Expr::Number(bound)));
                check = Some(match check {
                    None => part,
                    Some(first) => Expr::Binary(expr::Op::And, Box::new(first), Box::new(part)),
                });
            }
        }
        let Some(check) = check else { continue };
        let check = Expr::Binary(expr::Op::Or, Box::new(skip), Box::new(check));
        let label = field.label.clone().unwrap_or_else(|| path.clone());
        let unit = field.unit.clone().unwrap_or_default();
        let range = match (plausible.min, plausible.max) {
            (Some(a), Some(b)) => format!("{a}–{b}{unit}"),
            (Some(a), None) => format!("≥{a}{unit}"),
            (None, Some(b)) => format!("≤{b}{unit}"),
            (None, None) => String::new(),
        };
        let (zh, en) = match &plausible.per_text {
            Some(per) => (
                format!(
                    "「{label}」按 {per} 平均后不在合理范围（{range}）内，可能是单位错误（如把万元写成了元）或录入错误"
                ),
                format!(
                    "`{path}` ({label}) per {per} is outside its plausible range ({range}): a likely unit error (元 for 万元) or typo"
                ),
            ),
            None => (
                format!("「{label}」不在合理范围（{range}）内，可能是单位错误或录入错误"),
                format!(
                    "`{path}` ({label}) is outside its plausible range ({range}): a likely unit error or typo"
                ),
            ),
        };
        rules.push(Rule {
            id: format!(
                "plausible-{}-{path}",
                stem.replace(['/', '*'], "-").trim_end_matches('-')
            ),
            check,
            each: each.as_ref().map(|folder| {
                let mut all: Vec<expr::Segment> = folder
                    .split('/')
                    .map(|k| expr::Segment::Key(k.to_string()))
                    .collect();
                all.push(expr::Segment::Every);
                ("it".to_string(), Expr::Path(all))
            }),
            severity: plausible.severity,
            message: Text::new(zh, en),
            hint: Some(Text::new(
                format!("核对「{label}」的数值和单位（这一项的单位是{unit}）"),
                format!("check the figure and unit of `{path}` (it is in {unit})"),
            )),
            explained: None,
            location: Location::new(SCHEMA_FILE, field.line as usize, field.col as usize),
        });
    }
}

/// The closest of `candidates` to `name`, if one is close enough to be a typo.
pub fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, c)| *d <= 2.max(c.chars().count() / 4) && *d < c.chars().count())
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

/// Whether the data file `path` (relative to the site) matches `pattern` (relative to data/).
pub fn matches(pattern: &str, path: &Path) -> bool {
    let rel: PathBuf = path.strip_prefix("data").unwrap_or(path).to_path_buf();
    let rel = rel.to_string_lossy().replace('\\', "/");
    let pattern_parts: Vec<&str> = pattern.split('/').collect();
    let path_parts: Vec<&str> = rel.split('/').collect();
    pattern_parts.len() == path_parts.len()
        && pattern_parts
            .iter()
            .zip(&path_parts)
            .all(|(p, s)| glob(p, s))
}

/// `*` matches any run of characters within one name.
fn glob(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((prefix, suffix)) => {
            name.len() >= prefix.len() + suffix.len()
                && name.starts_with(prefix)
                && name.ends_with(suffix)
                && !suffix.contains('*')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_for_typos() {
        assert_eq!(
            did_you_mean("housholds", ["households", "people"].into_iter()),
            Some("households")
        );
        assert_eq!(
            did_you_mean("zzz", ["households", "people"].into_iter()),
            None
        );
    }

    #[test]
    fn a_pattern_with_two_stars_in_one_name_is_refused() {
        let text = "files:\n  villages/*_*.yaml:\n    fields:\n      name: text\n";
        let node = crate::load::yaml::parse(text, Path::new("data/schema.yaml")).unwrap();
        let problems = parse(&node).unwrap_err();
        assert!(
            problems[0].message.en.contains("one * per folder level"),
            "{problems:?}"
        );
        assert_eq!(problems[0].location.as_ref().unwrap().line, 2);
    }

    #[test]
    fn patterns_match_within_one_name() {
        assert!(matches(
            "villages/*.yaml",
            Path::new("data/villages/hengxi.yaml")
        ));
        assert!(!matches(
            "villages/*.yaml",
            Path::new("data/villages/a/b.yaml")
        ));
        assert!(matches("township.yaml", Path::new("data/township.yaml")));
        assert!(!matches(
            "township.yaml",
            Path::new("data/villages/township.yaml")
        ));
    }
}

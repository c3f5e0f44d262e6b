//! Tera's own filters made to read what a figure says: a figure carries its source through
//! the template (see `crate::provenance`), so `filter`, `group_by`, `unique`, `int`,
//! `length`, `json_encode` and the text filters compare and edit its text, and `float` is
//! refused (a figure is an exact decimal).

use rust_decimal::Decimal;
// Tera's map of a call's arguments (FxHash: vendor/tera/PATCHED.md).
use tera::HashMap;
use tera::{Filter, Result, Tera, Value};

use super::figures::lookup;
use crate::figure::{bilingual, describe, describe_zh, to_decimal};
use crate::provenance;

/// Registers the filters on `tera`, in place of Tera's own of the same names.
pub fn register(tera: &mut Tera) {
    tera.register_filter("filter", KeepWhere);
    tera.register_filter("group_by", GroupBy);
    tera.register_filter("unique", Unique);
    tera.register_filter("int", Int);
    tera.register_filter("length", Length);
    tera.register_filter("float", Float);
    tera.register_filter("json_encode", JsonEncode);
    for (name, edit) in TEXT_FILTERS {
        tera.register_filter(name, TextFilter(name, *edit));
    }
}

/// Whether two template values say the same: figures by their text without provenance, a
/// figure and a number by their exact value, anything else as Tera compares it.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => provenance::strip(x) == provenance::strip(y),
        (Value::String(_), Value::Number(_)) | (Value::Number(_), Value::String(_)) => {
            match (to_decimal(a, "filter"), to_decimal(b, "filter")) {
                (Ok(x), Ok(y)) => x == y,
                _ => false,
            }
        }
        _ => a == b,
    }
}

/// The text a value is grouped or deduplicated by.
fn key_text(value: &Value) -> String {
    match value {
        Value::String(s) => provenance::strip(s).into_owned(),
        other => other.to_string(),
    }
}

fn list<'v>(value: &'v Value, filter: &str) -> Result<&'v Vec<Value>> {
    match value {
        Value::Array(items) => Ok(items),
        other => Err(bilingual(
            format!("{filter}: expected a list, found {}", describe(other)),
            format!("{filter}：需要一个列表，这里是{}", describe_zh(other)),
        )),
    }
}

fn attribute<'a>(args: &'a HashMap<String, Value>, filter: &str) -> Result<Option<&'a str>> {
    match args.get("attribute") {
        None => Ok(None),
        Some(Value::String(path)) => Ok(Some(path.as_str())),
        Some(other) => Err(bilingual(
            format!(
                "{filter}: `attribute` must be text, found {}",
                describe(other)
            ),
            format!(
                "{filter}：attribute 要写成文本，这里是{}",
                describe_zh(other)
            ),
        )),
    }
}

/// `{{ records | filter(attribute="status", value="十三五贫困村") }}`: the records whose
/// attribute says `value` (without `value`: whose attribute is not null), as Tera's `filter`.
struct KeepWhere;
impl Filter for KeepWhere {
    fn filter(&self, value: &Value, args: &HashMap<String, Value>) -> Result<Value> {
        let items = list(value, "filter")?;
        let path = attribute(args, "filter")?.ok_or_else(|| {
            bilingual(
                "filter: give the field to look at, e.g. filter(attribute=\"status\", value=\"非贫困村\")".into(),
                "filter：用 attribute= 写明按哪个字段筛选，例如 filter(attribute=\"status\", value=\"非贫困村\")".into(),
            )
        })?;
        let wanted = args.get("value").unwrap_or(&Value::Null);
        let kept = items
            .iter()
            .filter(|item| {
                let found = lookup(item, path).unwrap_or(&Value::Null);
                if wanted.is_null() {
                    !found.is_null()
                } else {
                    same(found, wanted)
                }
            })
            .cloned()
            .collect();
        Ok(Value::Array(kept))
    }
}

/// `{{ records | group_by(attribute="exit_year") }}`: a mapping from each value (as text)
/// to its records, as Tera's `group_by`.
struct GroupBy;
impl Filter for GroupBy {
    fn filter(&self, value: &Value, args: &HashMap<String, Value>) -> Result<Value> {
        let items = list(value, "group_by")?;
        let path = attribute(args, "group_by")?.ok_or_else(|| {
            bilingual(
                "group_by: give the field to group by with attribute=".into(),
                "group_by：用 attribute= 写明按哪个字段分组".into(),
            )
        })?;
        let mut groups = tera::Map::new();
        for item in items {
            let Some(key) = lookup(item, path).filter(|k| !k.is_null()) else {
                continue;
            };
            let entry = groups
                .entry(key_text(key))
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(group) = entry {
                group.push(item.clone());
            }
        }
        Ok(Value::Object(groups))
    }
}

/// `{{ list | unique }}`, `{{ records | unique(attribute="status") }}`: the first of each
/// value (text compared without case unless `case_sensitive=true`), as Tera's `unique`.
struct Unique;
impl Filter for Unique {
    fn filter(&self, value: &Value, args: &HashMap<String, Value>) -> Result<Value> {
        let items = list(value, "unique")?;
        let path = attribute(args, "unique")?;
        let case_sensitive = matches!(args.get("case_sensitive"), Some(Value::Bool(true)));
        let mut seen = std::collections::HashSet::new();
        let mut kept = Vec::new();
        for item in items {
            let key = match path {
                Some(path) => lookup(item, path),
                None => Some(item),
            };
            let Some(key) = key else { continue };
            let mut text = key_text(key);
            if !case_sensitive {
                text = text.to_lowercase();
            }
            if seen.insert(text) {
                kept.push(item.clone());
            }
        }
        Ok(Value::Array(kept))
    }
}

/// A figure (or any value) without provenance markers, deep.
fn plain(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(provenance::strip(s).into_owned()),
        Value::Array(items) => Value::Array(items.iter().map(plain).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), plain(v))).collect())
        }
        other => other.clone(),
    }
}

/// `{{ x | length }}`: the characters of a text (a figure's as printed), the items of a list
/// or of a mapping, as Tera's `length`.
struct Length;
impl Filter for Length {
    fn filter(&self, value: &Value, _args: &HashMap<String, Value>) -> Result<Value> {
        match value {
            Value::String(s) => Ok(Value::from(provenance::strip(s).chars().count())),
            Value::Array(items) => Ok(Value::from(items.len())),
            Value::Object(map) => Ok(Value::from(map.len())),
            other => Err(bilingual(
                format!(
                    "length: expected a text, a list or a mapping, found {}",
                    describe(other)
                ),
                format!("length：需要文本、列表或映射，这里是{}", describe_zh(other)),
            )),
        }
    }
}

/// `{{ x | float }}` is refused: a figure is an exact decimal, and binary floating point is
/// how reports get 0.30000000000000004.
struct Float;
impl Filter for Float {
    fn filter(&self, _value: &Value, _args: &HashMap<String, Value>) -> Result<Value> {
        Err(bilingual(
            "float: figures are exact decimals and are not turned into floating point; use fig, round, sum, div or rate".into(),
            "float：数字是精确的十进制数，不转成浮点数；请用 fig、round、sum、div、rate".into(),
        ))
    }
}

/// `{{ value | json_encode }}`: JSON of the value, figures as their text.
struct JsonEncode;
impl Filter for JsonEncode {
    fn filter(&self, value: &Value, args: &HashMap<String, Value>) -> Result<Value> {
        let pretty = matches!(args.get("pretty"), Some(Value::Bool(true)));
        let value = plain(value);
        let text = if pretty {
            serde_json::to_string_pretty(&value)
        } else {
            serde_json::to_string(&value)
        }
        .map_err(|e| bilingual(format!("json_encode: {e}"), format!("json_encode：{e}")))?;
        Ok(Value::String(text))
    }
}

/// An edit of a text: Tera's text filters, on what a figure prints.
type TextEdit = fn(&str, &HashMap<String, Value>) -> Result<Value>;

/// Tera's text filters, read on a figure's text (its markers stripped).
const TEXT_FILTERS: &[(&str, TextEdit)] = &[
    ("upper", |t, _| Ok(Value::String(t.to_uppercase()))),
    ("lower", |t, _| Ok(Value::String(t.to_lowercase()))),
    ("trim", |t, _| Ok(Value::String(t.trim().to_string()))),
    ("replace", |t, args| {
        let text_arg = |name: &str| match args.get(name) {
            Some(Value::String(s)) => Ok(s.as_str()),
            _ => Err(bilingual(
                format!("replace: give {name}= as text"),
                format!("replace：{name}= 要写成文本"),
            )),
        };
        Ok(Value::String(t.replace(text_arg("from")?, text_arg("to")?)))
    }),
    ("split", |t, args| match args.get("pat") {
        Some(Value::String(pat)) => Ok(Value::Array(
            t.split(pat.as_str())
                .map(|p| Value::String(p.to_string()))
                .collect(),
        )),
        _ => Err(bilingual(
            "split: give the separator as pat=".into(),
            "split：用 pat= 写明分隔符".into(),
        )),
    }),
    ("truncate", |t, args| {
        let length = match args.get("length") {
            None => 255,
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| {
                    bilingual(
                        "truncate: length= must be a whole number".into(),
                        "truncate：length= 要是整数".into(),
                    )
                })?,
        };
        let end = match args.get("end") {
            Some(Value::String(end)) => end.as_str(),
            _ => "…",
        };
        if t.chars().count() <= length {
            return Ok(Value::String(t.to_string()));
        }
        Ok(Value::String(format!(
            "{}{end}",
            t.chars().take(length).collect::<String>()
        )))
    }),
];

/// A text filter of [`TEXT_FILTERS`].
struct TextFilter(&'static str, TextEdit);
impl Filter for TextFilter {
    fn filter(&self, value: &Value, args: &HashMap<String, Value>) -> Result<Value> {
        let text = match value {
            Value::String(s) => provenance::strip(s).into_owned(),
            Value::Number(n) => n.to_string(),
            other => {
                return Err(bilingual(
                    format!("{}: expected a text, found {}", self.0, describe(other)),
                    format!("{}：需要文本，这里是{}", self.0, describe_zh(other)),
                ));
            }
        };
        (self.1)(&text, args)
    }
}

/// `{{ x | int }}`: a whole number (for `range(end=…)`), as Tera's `int`; a figure with
/// decimals is refused rather than cut.
struct Int;
impl Filter for Int {
    fn filter(&self, value: &Value, _args: &HashMap<String, Value>) -> Result<Value> {
        let number = to_decimal(value, "int")?;
        if number.fract() != Decimal::ZERO {
            return Err(bilingual(
                format!("int: {number} is not a whole number"),
                format!("int：{number} 不是整数"),
            ));
        }
        let whole = i64::try_from(number.trunc()).map_err(|_| {
            bilingual(
                format!("int: {number} is too large"),
                format!("int：{number} 太大"),
            )
        })?;
        Ok(Value::from(whole))
    }
}

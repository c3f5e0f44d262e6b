//! JSON Schema export of the site's schema, for editors with YAML language support
//! (completion, hover labels and inline errors while a clerk types).
//!
//! A value that huibao's field checks accept passes the exported schema, and one they refuse
//! (type, unit, range, decimals, enum, required, unknown field) fails it, as far as JSON
//! Schema can say it (`tests/input_mistakes.rs` holds both to one corpus). What it cannot
//! say, and huibao alone checks:
//! - the rules across fields and files, and `plausible`;
//! - `unique` (JSON Schema's `uniqueItems` compares whole items, not one field);
//! - that a `ref` names a file that exists now (the schema lists the ids at export time);
//! - the range of a value written with a unit (`342元`): only its sign and decimals;
//! - a real calendar day (`2019-02-29` has the right shape);
//! - what the YAML parser sees: duplicate keys, full-width colons, tabs, anchors;
//! - the warnings (spaces trimmed from a text, full-width quotes, invisible characters).

use serde_json::{Map, Value as Json, json};

use super::schema::{Field, FileSchema, Kind, Schema};
use super::units;

/// One JSON Schema document per file pattern: (file name to write, document).
pub fn export(schema: &Schema, ids: &dyn Fn(&str) -> Vec<String>) -> Vec<(String, Json)> {
    schema
        .files
        .iter()
        .map(|file| (file_name(file), document(file, ids)))
        .collect()
}

/// `villages/*.yaml` → `villages.schema.json`; `township.yaml` → `township.schema.json`.
pub fn file_name(file: &FileSchema) -> String {
    let stem = file
        .pattern
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml")
        .replace("/*", "")
        .replace(['/', '*'], "_");
    format!("{stem}.schema.json")
}

fn document(file: &FileSchema, ids: &dyn Fn(&str) -> Vec<String>) -> Json {
    let mut doc = record(&file.fields, ids);
    doc["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    doc["title"] = json!(file.label.clone().unwrap_or_else(|| file.pattern.clone()));
    doc["description"] = json!(format!(
        "huibao data file data/{} (generated from data/schema.yaml)",
        file.pattern
    ));
    doc
}

fn record(fields: &[(String, Field)], ids: &dyn Fn(&str) -> Vec<String>) -> Json {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, field) in fields {
        properties.insert(name.clone(), property(field, ids));
        if field.required {
            required.push(json!(name));
        }
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn property(field: &Field, ids: &dyn Fn(&str) -> Vec<String>) -> Json {
    let mut p = match &field.kind {
        kind if kind.is_numeric() => numeric(field),
        // A required text must have something besides spaces (huibao trims ' ', tab and
        // U+3000 and calls an empty text missing); an optional one may be empty.
        Kind::Text if field.required => json!({"type": "string", "pattern": "[^ \t\u{3000}]"}),
        Kind::Text => json!({"type": "string"}),
        Kind::Date => json!({
            "type": "string",
            "pattern": "^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        }),
        Kind::Bool => json!({"type": "boolean"}),
        Kind::Enum(values) => {
            // huibao compares an enum as text: `2019` matches the value "2019".
            let mut allowed: Vec<Json> = values.iter().map(|v| json!(v)).collect();
            for value in values {
                if let Ok(crate::load::Value::Number(n)) = crate::load::resolve_plain(value) {
                    allowed.push(number(n));
                }
            }
            json!({"enum": allowed})
        }
        Kind::Ref(folder) => json!({"type": "string", "enum": ids(folder)}),
        Kind::List(item) => json!({"type": "array", "items": property(item, ids)}),
        Kind::Record(fields) => record(fields, ids),
        _ => json!({}),
    };
    let mut description = field.label.clone().unwrap_or_default();
    if let Some(unit) = &field.unit {
        description.push_str(&format!("（单位：{unit}）"));
    }
    // An optional field may be written empty (`key:`, `~`, `null`).
    if !field.required {
        p = json!({"anyOf": [p, {"type": "null"}]});
    }
    if !description.is_empty() {
        p["description"] = json!(description);
        if let Some(label) = &field.label {
            p["title"] = json!(label);
        }
    }
    p
}

/// A numeric field: a bare number with its range and decimals, or — when the field has a
/// unit — the text of a number followed by a unit that converts to it (`342元` in a 万元
/// field, `1841户` in a 户 field, `92.13%`).
///
/// The number's decimals (`dp`, and wholeness for `count` and `year`) are `multipleOf`
/// 10⁻ᵈᵖ. A validator that divides in binary floating point misjudges that (92.13 ÷ 0.01 is
/// 9212.999…): the `jsonschema` crate and VS Code's JSON language service compare decimals
/// exactly, `boon` does not.
///
/// In the text form the pattern checks the sign (no `-` when the minimum is not negative)
/// and the decimals after conversion (`342元` may have 2 decimals in a field of 万元 with
/// `dp: 6`); the range of a value written with a unit is checked by huibao alone.
fn numeric(field: &Field) -> Json {
    let whole = matches!(field.kind, Kind::Count | Kind::Year);
    let mut p = if whole {
        json!({"type": "integer"})
    } else {
        json!({"type": "number"})
    };
    let (min, max) = bounds(field);
    if let Some(min) = min {
        p["minimum"] = number(min);
    }
    if let Some(max) = max {
        p["maximum"] = number(max);
    }
    let dp = if whole { Some(0) } else { field.dp };
    if let Some(dp) = dp
        && !whole
    {
        p["multipleOf"] = number(rust_decimal::Decimal::new(1, dp));
    }
    let Some(unit) = &field.unit else {
        return p;
    };
    let written: Vec<&str> = match units::family(unit) {
        Some(family) => units::units_of(family).collect(),
        None => vec![unit.as_str()],
    };
    let negative = min.is_none_or(|m| m.is_sign_negative());
    let sign = if negative { "[+-]?" } else { "[+]?" };
    let alternatives: Vec<String> = written
        .iter()
        .map(|from| {
            // Decimals a value may have in `from` so that, in `unit`, it has at most `dp`.
            let shift = units::exponent(from).unwrap_or(0) - units::exponent(unit).unwrap_or(0);
            let digits = match dp {
                None => "(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)".to_string(),
                Some(dp) => decimal_digits(dp as i64 + i64::from(shift)),
            };
            format!("{sign}{digits}[ \t]*{}", escape(from))
        })
        .collect();
    let pattern = format!("^[ \t]*(?:{})[ \t]*$", alternatives.join("|"));
    json!({"anyOf": [p, {"type": "string", "pattern": pattern}]})
}

/// A number's digits with at most `decimals` significant decimal places (trailing zeros do
/// not count); a negative `decimals` asks for a multiple of 10^-decimals (`0000` at the end).
fn decimal_digits(decimals: i64) -> String {
    if decimals >= 0 {
        let fraction = match decimals {
            0 => "0*".to_string(),
            _ => format!("[0-9]{{0,{decimals}}}0*"),
        };
        let dot_only = if decimals == 0 {
            "0+".to_string()
        } else {
            format!("(?:[0-9]{{1,{decimals}}}0*|0+)")
        };
        format!("(?:[0-9]+(?:\\.{fraction})?|\\.{dot_only})")
    } else {
        let zeros = "0".repeat(decimals.unsigned_abs() as usize);
        format!("(?:0+|[0-9]*{zeros})(?:\\.0*)?")
    }
}

/// A unit as a regular expression (units are words and signs such as `%`). Only the syntax
/// characters are escaped: ECMA-262 in Unicode mode (editors) refuses `\%`.
fn escape(unit: &str) -> String {
    unit.chars()
        .map(|c| {
            if "^$\\.*+?()[]{}|/".contains(c) {
                format!("\\{c}")
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The field's range: its `min`/`max`, else its type's defaults.
fn bounds(field: &Field) -> (Option<rust_decimal::Decimal>, Option<rust_decimal::Decimal>) {
    match field.kind {
        Kind::Count | Kind::Amount => (field.min.or(Some(rust_decimal::Decimal::ZERO)), field.max),
        Kind::Percent => (
            field.min.or(Some(rust_decimal::Decimal::ZERO)),
            field.max.or(Some(rust_decimal::Decimal::ONE_HUNDRED)),
        ),
        Kind::Year => (
            field.min.or(Some(1900.into())),
            field.max.or(Some(2100.into())),
        ),
        _ => (field.min, field.max),
    }
}

/// A decimal as a JSON number (bounds in a schema are small, exact decimal texts).
fn number(d: rust_decimal::Decimal) -> Json {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Json::Null)
}
/// The JSON Schema of the log, for editors (written by `huibao schema --json-schema`).
pub fn corrections_log() -> serde_json::Value {
    let figure = serde_json::json!({
        "anyOf": [
            {"type": "number"},
            {"type": "string", "pattern": "^[+-]?[0-9]+(\\.[0-9]+)?\\s*\\S*$"}
        ]
    });
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "更正记录",
        "description": "huibao data/corrections.yaml: figures corrected after publication",
        "type": "object",
        "properties": {
            "entries": {
                "type": ["array", "null"],
                "items": {
                    "type": "object",
                    "properties": {
                        "date": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "更正日期，如 2020-12-01"},
                        "what": {"type": "string", "minLength": 1, "description": "哪个数字：数据路径，如 policies.health.hospital.hospitalisations"},
                        "old": {"description": "原来发布的数（可带单位）", "anyOf": figure["anyOf"].clone()},
                        "new": {"description": "更正后的数（可带单位）：一个数字最后一条记录的 new 必须与数据一致", "anyOf": figure["anyOf"].clone()},
                        "reason": {"type": "string", "minLength": 1, "description": "更正原因"}
                    },
                    "required": super::corrections::ENTRY_KEYS,
                    "additionalProperties": false
                }
            }
        },
        "additionalProperties": false
    })
}

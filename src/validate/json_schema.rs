//! JSON Schema export of the site's schema, for editors with YAML language support
//! (completion, hover labels and inline errors while a clerk types).

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
        Kind::Count | Kind::Year => json!({"type": "integer"}),
        Kind::Amount | Kind::Percent | Kind::Decimal => json!({"type": "number"}),
        Kind::Text => json!({"type": "string", "minLength": 1}),
        Kind::Date => json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}),
        Kind::Bool => json!({"type": "boolean"}),
        Kind::Enum(values) => json!({"enum": values}),
        Kind::Ref(folder) => json!({"type": "string", "enum": ids(folder)}),
        Kind::List(item) => json!({"type": "array", "items": property(item, ids)}),
        Kind::Record(fields) => record(fields, ids),
    };
    let (min, max) = match field.kind {
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
    };
    if let Some(min) = min {
        p["minimum"] = number(min);
    }
    if let Some(max) = max {
        p["maximum"] = number(max);
    }
    // A figure may be written with a unit that converts to the declared one (`342元`).
    if let Some(unit) = &field.unit
        && field.kind.is_numeric()
        && let Some(family) = units::family(unit)
    {
        let names: Vec<&str> = units::units_of(family).collect();
        let number_schema = p.clone();
        p = json!({"anyOf": [number_schema, {"type": "string", "pattern": format!("^-?[0-9]+(\\.[0-9]+)?\\s*({})$", names.join("|"))}]});
    }
    let mut description = field.label.clone().unwrap_or_default();
    if let Some(unit) = &field.unit {
        description.push_str(&format!("（单位：{unit}）"));
    }
    if !description.is_empty() {
        p["description"] = json!(description);
        if let Some(label) = &field.label {
            p["title"] = json!(label);
        }
    }
    p
}

/// A decimal as a JSON number (bounds in a schema are small, exact decimal texts).
fn number(d: rust_decimal::Decimal) -> Json {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Json::Null)
}

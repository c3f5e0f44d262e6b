//! The template context: data files as Tera values, numbers kept as exact decimal text.
//!
//! Numbers go into the context as their decimal *text*: Tera prints a JSON number through
//! `f64` (`0.30000000000000004441` would print as `0.30000000000000004`), and does `+ - * /`
//! on numbers in floating point. As text, `{{ x }}` prints exactly what the YAML says, and
//! Tera arithmetic on a figure fails loudly instead of silently rounding; the figure
//! helpers (`fig`, `sum`, `rate` …) read the text as an exact decimal.

use serde_json::{Map, Value as Json};

use crate::load::{Data, Node, Value};

/// Converts a located YAML node into a template value; a number becomes its decimal text
/// (`1.10` stays `1.10`).
pub fn node_to_json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(d) => Json::String(d.to_string()),
        Value::String(s) => Json::String(s.clone()),
        Value::List(items) => Json::Array(items.iter().map(node_to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), node_to_json(v)))
                .collect(),
        ),
    }
}

/// The data part of the template context: `data/township.yaml` → `township`,
/// `data/villages/hengxi.yaml` → `villages.hengxi`, and for every folder a list form
/// `villages_list` in file-name order. Every file's mapping gets its `id`.
pub fn data_context(data: &Data) -> Map<String, Json> {
    let mut root = Map::new();
    'files: for file in &data.files {
        let mut record = node_to_json(&file.root);
        if let Json::Object(map) = &mut record {
            map.shift_insert(0, "id".to_string(), Json::String(file.id().to_string()));
        }
        let folders = &file.key_path[..file.key_path.len().saturating_sub(1)];
        let mut parent = &mut root;
        for (depth, folder) in folders.iter().enumerate() {
            if depth + 1 == folders.len() {
                let list = parent
                    .entry(format!("{folder}_list"))
                    .or_insert_with(|| Json::Array(Vec::new()));
                if let Json::Array(list) = list {
                    list.push(record.clone());
                }
            }
            let child = parent
                .entry(folder.clone())
                .or_insert_with(|| Json::Object(Map::new()));
            if !child.is_object() {
                // load() refuses a file `a.yaml` beside a folder `a/`; never mix them here.
                *child = Json::Object(Map::new());
            }
            match child {
                Json::Object(map) => parent = map,
                _ => continue 'files,
            }
        }
        parent.insert(file.id().to_string(), record);
    }
    root
}

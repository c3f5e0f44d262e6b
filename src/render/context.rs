//! The template context: data files as Tera values, numbers kept as exact decimal text.

use serde_json::{Map, Value as Json};

use crate::load::{Data, Node, Value};

/// Converts a located YAML node into a template value. Numbers keep their decimal text
/// (`1.10` stays `1.10`): serde_json's `arbitrary_precision` stores them as text.
pub fn node_to_json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(d) => match serde_json::from_str::<serde_json::Number>(&d.to_string()) {
            Ok(n) => Json::Number(n),
            // A Decimal's text is always a JSON number; keep the text rather than lose it.
            Err(_) => Json::String(d.to_string()),
        },
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

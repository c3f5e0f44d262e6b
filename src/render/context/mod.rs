//! The template context: data files as Tera values, numbers kept as exact decimal text.
//!
//! Numbers go into the context as their decimal *text*: Tera prints a JSON number through
//! `f64` (`0.30000000000000004441` would print as `0.30000000000000004`), and does `+ - * /`
//! on numbers in floating point. As text, `{{ x }}` prints exactly what the YAML says, and
//! Tera arithmetic on a figure fails loudly instead of silently rounding; the figure
//! helpers (`fig`, `sum`, `rate` …) read the text as an exact decimal.
//!
//! Each number's text is wrapped in invisible provenance markers naming its place in the
//! data ([`crate::provenance`]); the table of those places is built in the same walk.

use std::sync::Arc;

use serde_json::{Map, Value as Json};

use crate::load::{Data, DataFile, Node, Value};
use crate::provenance::{SourceFile, Sources};
use crate::validate::schema::Schema;

mod lazy;
mod marked;

use lazy::put;
pub use lazy::{LazyValues, Packed, RecordList, SharedTables};
use marked::{Make, marked_record};

/// Converts a located YAML node into a template value without provenance; a number becomes
/// its decimal text (`1.10` stays `1.10`).
pub fn node_to_json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(d) => Json::String(d.to_string()),
        Value::String(s) => Json::String(s.to_string()),
        Value::List(items) => Json::Array(items.iter().map(node_to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.to_string(), node_to_json(v)))
                .collect(),
        ),
    }
}

/// The data part of the template context: `data/township.yaml` → `township`,
/// `data/villages/hengxi.yaml` → `villages.hengxi`, and for every folder a list form
/// `villages_list` in file-name order. Every file's mapping gets its `id`. Numbers carry
/// their provenance; the returned [`Sources`] say where each one is and what it is called
/// (labels from `schema` when there is one).
pub fn data_context(data: &Data, schema: Option<&Schema>) -> (Map<String, Json>, Sources) {
    data_context_of(data, schema, None, Make::Both)
}

/// The table of the data's numbers alone, as [`data_context`] makes it: for a build, whose
/// pages make the template values they read when they need them ([`LazyValues`]).
pub fn sources_of(data: &Data, schema: Option<&Schema>) -> Sources {
    data_context_of(data, schema, None, Make::Table).1
}

/// The data context for sample pages (`huibao check`): every file outside a folder, the
/// first `per_folder` files of each folder (a sample page's record is its folder's first),
/// and every file whose id a template names (`villages.hengxi`); the other files are left
/// out of it, their table of numbers left empty. At 10,000 villages: a few dozen records.
pub fn sample_context(
    data: &Data,
    schema: Option<&Schema>,
    templates: &[&str],
    per_folder: usize,
) -> (Map<String, Json>, Sources) {
    let named: rustc_hash::FxHashSet<&str> = templates
        .iter()
        .flat_map(|t| t.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')))
        .filter(|word| !word.is_empty())
        .collect();
    let mut counted: rustc_hash::FxHashMap<&[String], usize> = Default::default();
    let wanted: Vec<bool> = data
        .files
        .iter()
        .map(|file| match file.key_path.split_last() {
            Some((id, folders)) if !folders.is_empty() => {
                let n = counted.entry(folders).or_default();
                *n += 1;
                *n <= per_folder || named.contains(id.as_str())
            }
            _ => true,
        })
        .collect();
    data_context_of(data, schema, Some(&wanted), Make::Both)
}

/// [`data_context`] of the files `wanted` (all when `None`); with [`Make::Table`], the table
/// alone (the values are left empty).
fn data_context_of(
    data: &Data,
    schema: Option<&Schema>,
    wanted: Option<&[bool]>,
    mode: Make,
) -> (Map<String, Json>, Sources) {
    use rayon::prelude::*;
    let mut root = Map::new();
    let mut sources = Sources::default();
    // Files are independent: marked on every core, then put in place in file order. A file
    // of a folder inside a folder is in the context twice (`a.b.x`, `a.b_list`); a top-level
    // folder's list (`villages_list`) is made only for the templates that read it (see
    // [`list_form`]), so that the records of thousands of villages are held once.
    let progress = crate::progress::Progress::new("数值 values", data.files.len());
    let marked: Vec<Option<(Json, Option<Json>, SourceFile)>> = data
        .files
        .par_iter()
        .enumerate()
        .map(|(index, file)| {
            progress.tick();
            if wanted.is_some_and(|w| !w.get(index).copied().unwrap_or(true)) {
                return None;
            }
            let (record, source) = marked_record(index, file, schema, mode, None);
            let listed = (mode != Make::Table && file.key_path.len() > 2).then(|| record.clone());
            Some((record, listed, source))
        })
        .collect();
    progress.finish();
    let tables = SharedTables::default();
    for (file, marked) in data.files.iter().zip(marked) {
        let Some((record, listed, source)) = marked else {
            // Left out: its number still names its place in the table.
            sources.files.push(Arc::new(SourceFile {
                path: crate::site_path::slashed(&file.path),
                ..SourceFile::default()
            }));
            continue;
        };
        sources.files.push(Arc::new(tables.share(source)));
        if mode == Make::Table {
            continue;
        }
        put(&mut root, &file.key_path, file.id(), record, listed);
    }
    (root, sources)
}

/// The data context of the preview's last build and what it was made from, for the next
/// build: a one-village correction marks one file again and patches it in, instead of
/// making the values of 10,000 villages anew.
#[derive(Debug, Default)]
pub struct Cache {
    /// The checked files it was made from, in order (compared by pointer: the validation
    /// cache hands on the very files that did not change).
    files: Vec<Arc<DataFile>>,
    /// The schema it was made with.
    schema: Option<Schema>,
    data: Map<String, Json>,
    sources: Arc<Sources>,
}

impl Cache {
    /// Keeps this build's data context, made from `files` with `schema`, for the next one.
    pub fn keep(
        files: Vec<Arc<DataFile>>,
        schema: Option<&Schema>,
        data: Map<String, Json>,
        sources: Arc<Sources>,
    ) -> Cache {
        Cache {
            files,
            schema: schema.cloned(),
            data,
            sources,
        }
    }
}

/// Like [`data_context`], starting from the context of the last build in `cache`: when the
/// files are the same ones in the same order, with the same schema, only the files that
/// changed are marked again and put in place. Anything else makes the context anew.
pub fn data_context_cached(
    data: &Data,
    schema: Option<&Schema>,
    cache: Cache,
) -> (Map<String, Json>, Arc<Sources>) {
    let same_files = !cache.files.is_empty()
        && cache.files.len() == data.files.len()
        && cache.schema.as_ref() == schema
        && cache
            .files
            .iter()
            .zip(&data.files)
            .all(|(was, is)| was.path == is.path && was.key_path == is.key_path);
    let changed: Vec<usize> = (0..data.files.len())
        .filter(|&i| !same_files || !Arc::ptr_eq(&cache.files[i], &data.files[i]))
        .collect();
    // A file of a folder inside a folder is in its folder's list too: made anew.
    if !same_files || changed.iter().any(|&i| data.files[i].key_path.len() > 2) {
        let (context, sources) = data_context(data, schema);
        return (context, Arc::new(sources));
    }
    let Cache {
        data: mut context,
        mut sources,
        ..
    } = cache;
    for index in changed {
        let file = &data.files[index];
        let (record, source) = marked_record(index, file, schema, Make::Both, None);
        if let Some(was) = Arc::make_mut(&mut sources).files.get_mut(index) {
            *was = Arc::new(source);
        }
        match record_slot(&mut context, file) {
            Some(slot) => *slot = record,
            // Not where the last build put it: made anew rather than guessed.
            None => {
                let (context, sources) = data_context(data, schema);
                return (context, Arc::new(sources));
            }
        }
    }
    (context, sources)
}

/// Where the record of `file` is in the data context (`villages` → `hengxi`).
fn record_slot<'c>(context: &'c mut Map<String, Json>, file: &DataFile) -> Option<&'c mut Json> {
    let (id, folders) = file.key_path.split_last()?;
    let mut parent = context;
    for folder in folders {
        parent = parent.get_mut(folder.as_str())?.as_object_mut()?;
    }
    parent.get_mut(id.as_str())
}

/// The list form of a top-level folder of the data context, `name` being `villages_list`:
/// its records in file-name order (`None` when there is no such folder), the first `limit`
/// of them when there is a limit. `folders` holds each top-level folder's file ids, in order
/// (see [`top_level_folders`]).
pub fn list_form(
    data: &Map<String, Json>,
    name: &str,
    folders: &rustc_hash::FxHashMap<String, Vec<String>>,
    limit: Option<usize>,
    fields: Option<&std::collections::BTreeSet<String>>,
) -> Option<Json> {
    let folder = name.strip_suffix("_list")?;
    let ids = folders.get(folder)?;
    let records = data.get(folder)?.as_object()?;
    Some(Json::Array(
        ids.iter()
            .take(limit.unwrap_or(usize::MAX))
            .filter_map(|id| records.get(id))
            .map(|record| match (fields, record) {
                (Some(fields), Json::Object(map)) => Json::Object(
                    map.iter()
                        .filter(|(key, _)| is_kept(key, fields))
                        .map(|(key, value)| (key.clone(), value.clone()))
                        .collect(),
                ),
                _ => record.clone(),
            })
            .collect(),
    ))
}

/// Whether a record's field `key` is kept when a template reads only `fields` of it (see
/// [`super::deps::list_fields`]): those and `id`.
fn is_kept(key: &str, fields: &std::collections::BTreeSet<String>) -> bool {
    key == "id" || fields.contains(key)
}

/// Each top-level data folder (`villages`) and the ids of its files, in file-name order.
pub fn top_level_folders(data: &Data) -> rustc_hash::FxHashMap<String, Vec<String>> {
    let mut folders: rustc_hash::FxHashMap<String, Vec<String>> = Default::default();
    for file in &data.files {
        if let [folder, id] = file.key_path.as_slice() {
            // The folder's name copied once, for its first file (10,000 villages).
            match folders.get_mut(folder.as_str()) {
                Some(ids) => ids.push(id.clone()),
                None => {
                    folders.insert(folder.clone(), vec![id.clone()]);
                }
            }
        }
    }
    folders
}

#[cfg(test)]
mod tests {
    use super::marked::schema_field;
    use super::*;
    use crate::provenance::{self, SourceValue};
    use crate::validate::schema::Field;

    #[test]
    fn a_schema_field_is_found_in_any_order_of_the_files_keys() {
        let fields: Vec<(String, Field)> = ["name", "households", "people", "exits"]
            .iter()
            .map(|n| (n.to_string(), Field::record(Vec::new(), 1, 1)))
            .collect();
        // In the schema's order, each found where the last one ended.
        assert_eq!(schema_field(&fields, "households", 1), Some(1));
        // Out of order: found before the place looked from, or after it.
        assert_eq!(schema_field(&fields, "name", 3), Some(0));
        assert_eq!(schema_field(&fields, "exits", 1), Some(3));
        // From past the end, and not in the schema.
        assert_eq!(schema_field(&fields, "people", 9), Some(2));
        assert_eq!(schema_field(&fields, "remarks", 2), None);
        assert_eq!(schema_field(&[], "name", 0), None);
    }

    #[test]
    fn list_form_keeps_file_order_and_its_limit() {
        let mut villages = Map::new();
        for id in ["c", "a", "b"] {
            villages.insert(id.to_string(), serde_json::json!({ "id": id }));
        }
        let mut data = Map::new();
        data.insert("villages".to_string(), Json::Object(villages));
        let folders = rustc_hash::FxHashMap::from_iter([(
            "villages".to_string(),
            vec!["a".to_string(), "b".to_string(), "c".to_string()],
        )]);
        let ids = |list: Option<Json>| -> Vec<String> {
            list.and_then(|l| l.as_array().cloned())
                .unwrap_or_default()
                .iter()
                .map(|r| r["id"].as_str().unwrap_or_default().to_string())
                .collect()
        };
        assert_eq!(
            ids(list_form(&data, "villages_list", &folders, None, None)),
            ["a", "b", "c"]
        );
        assert_eq!(
            ids(list_form(&data, "villages_list", &folders, Some(2), None)),
            ["a", "b"]
        );
        assert_eq!(list_form(&data, "towns_list", &folders, None, None), None);
        assert_eq!(list_form(&data, "villages", &folders, None, None), None);
    }

    #[test]
    fn files_whose_numbers_are_alike_share_one_table_of_them() {
        let file = |name: &str, text: &str| {
            let path = std::path::PathBuf::from(format!("data/villages/{name}.yaml"));
            let root = crate::load::yaml::parse(text, &path).expect("parses");
            Arc::new(DataFile::new(
                path,
                vec!["villages".into(), name.into()],
                root,
            ))
        };
        let data = Data {
            files: vec![
                file("a", "name: 甲\nfarm: 3\nlate: 4\n"),
                // The same keys on the same lines, other values: the same table.
                file("b", "name: 乙\nfarm: 7\nlate: 8.10\n"),
                // A line more: its own.
                file("c", "name: 丙\n\nfarm: 7\nlate: 8\n"),
                // Another key: its own.
                file("d", "name: 丁\nfarm: 7\nlater: 8\n"),
            ],
        };
        for sources in [sources_of(&data, None), data_context(&data, None).1] {
            let tables: Vec<&Arc<[SourceValue]>> =
                sources.files.iter().map(|f| &f.values).collect();
            assert!(Arc::ptr_eq(tables[0], tables[1]));
            assert!(!Arc::ptr_eq(tables[0], tables[2]));
            assert!(!Arc::ptr_eq(tables[0], tables[3]));
            let lines: Vec<u32> = tables[2].iter().map(|v| v.line).collect();
            assert_eq!(lines, [3, 4]);
            assert_eq!(tables[3][1].key(), "later");
        }
    }

    #[test]
    fn a_list_of_some_fields_is_the_whole_list_trimmed_its_figures_in_their_places() {
        let file = |name: &str, text: &str| {
            let path = std::path::PathBuf::from(format!("data/villages/{name}.yaml"));
            let root = crate::load::yaml::parse(text, &path).expect("parses");
            std::sync::Arc::new(DataFile::new(
                path,
                vec!["villages".into(), name.into()],
                root,
            ))
        };
        let data = Data {
            files: vec![
                file(
                    "a",
                    "name: 甲\nearly:\n  - 1\n  - x: 2.5\nfarm: 3\nlate: 4\n",
                ),
                file("b", "farm: 7\nname: 乙\nlate: 8.10\n"),
            ],
        };
        // What a build makes in its one pass: the table as made apart, and the fingerprints.
        let (table, prints) = (sources_of(&data, None), data.fingerprints());
        let (values, built_table, built_prints) = LazyValues::for_build(data, None);
        assert_eq!(built_prints, prints);
        assert_eq!(built_table.files.len(), table.files.len());
        for (built, apart) in built_table.files.iter().zip(&table.files) {
            assert_eq!(
                (&built.path, &built.title, &built.values[..]),
                (&apart.path, &apart.title, &apart.values[..])
            );
        }
        let fields: std::collections::BTreeSet<String> =
            ["name", "late"].into_iter().map(String::from).collect();
        let some = values.list("villages_list", None, Some(&fields));
        let all = values.list("villages_list", None, None).map(|mut list| {
            for record in list.as_array_mut().into_iter().flatten() {
                if let Json::Object(map) = record {
                    map.retain(|key, _| is_kept(key, &fields));
                }
            }
            list
        });
        assert_eq!(some, all);
        // The later figures keep the places the earlier ones left out hold in the table.
        let late = some
            .as_ref()
            .and_then(|l| l[0]["late"].as_str())
            .unwrap_or_default();
        let (payload, text) = provenance::unmark(late).expect("a marked figure");
        assert_eq!(text, "4");
        assert!(payload.starts_with("d0.3l"), "{payload}");
    }
}

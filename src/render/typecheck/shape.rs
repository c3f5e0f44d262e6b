//! What a value of the template context is known to be, from the schema and the files.

use std::collections::BTreeMap;

use crate::load::FilePlace;
use crate::validate::fields::schema_for;
use crate::validate::schema::{Field, Kind, Schema};

/// What a value of the template context is known to be.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Shape {
    /// Not known (no schema for it, or computed): not checked.
    Any,
    /// A mapping with these keys: a record of the schema, or a folder of unlike files.
    Record {
        what: String,
        fields: Vec<(String, Shape)>,
        /// The fields a record may lack (`optional: true` in the schema).
        optional: Vec<String>,
        /// A folder of unlike files: a key it lacks is a file that may yet be there.
        folder: bool,
    },
    /// The files of one folder by id (`villages.hengxi`), all of one kind.
    Files {
        what: String,
        ids: Vec<String>,
        item: Box<Shape>,
    },
    /// A list of items of one shape.
    List(Box<Shape>),
    /// A number, text, date … (the schema's type name, whether its values are numbers, and
    /// their unit when the schema gives one).
    Scalar(&'static str, bool, Option<String>),
}

/// The data context's top-level names and their shapes: each file's record (fields of its
/// schema, and `id`), each folder as its files by id, and its `_list`.
pub(super) fn top_level(data: &[impl FilePlace + Sync], schema: &Schema) -> Vec<(String, Shape)> {
    // Folder path → its files: (id, the number of its schema entry).
    let mut folders: BTreeMap<Vec<String>, Vec<(String, Option<usize>)>> = BTreeMap::new();
    // Each file's schema entry, found on every core (a pattern match per file: 10,000 at
    // 10,000 villages).
    let entries: Vec<Option<usize>> = {
        use rayon::prelude::*;
        data.par_iter()
            .with_min_len(256)
            .map(|file| {
                schema_for(schema, file.path())
                    .and_then(|f| schema.files.iter().position(|g| std::ptr::eq(f, g)))
            })
            .collect()
    };
    for (file, entry) in data.iter().zip(entries) {
        let Some((id, folder)) = file.key_path().split_last() else {
            continue;
        };
        // (Looked up by the folder's names: a key is made once per folder, not per file.)
        match folders.get_mut(folder) {
            Some(files) => files.push((id.clone(), entry)),
            None => {
                folders.insert(folder.to_vec(), vec![(id.clone(), entry)]);
            }
        }
    }
    // The record of each schema entry: its fields, and `id`.
    let record = |entry: Option<usize>| -> Shape {
        let Some(f) = entry.and_then(|i| schema.files.get(i)) else {
            return Shape::Any;
        };
        let what = f.label.clone().unwrap_or_else(|| f.pattern.clone());
        let mut fields = vec![("id".to_string(), Shape::Scalar("text", false, None))];
        fields.extend(f.fields.iter().map(|(k, v)| (k.clone(), field_shape(v, k))));
        let optional = optional_fields(&f.fields);
        Shape::Record {
            what,
            fields,
            optional,
            folder: false,
        }
    };
    // Deepest folders first: each becomes an entry (and a list) of its parent.
    let mut entries: BTreeMap<Vec<String>, Vec<(String, Shape)>> = BTreeMap::new();
    let mut paths: std::collections::BTreeSet<Vec<String>> = std::collections::BTreeSet::new();
    for path in folders.keys() {
        for depth in 0..=path.len() {
            paths.insert(path[..depth].to_vec());
        }
    }
    let mut paths: Vec<Vec<String>> = paths.into_iter().collect();
    paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for path in paths {
        let mut own: Vec<(String, Shape)> = entries.remove(&path).unwrap_or_default();
        let files = folders.remove(&path).unwrap_or_default();
        let Some((name, parent)) = path.split_last() else {
            own.extend(files.into_iter().map(|(id, entry)| (id, record(entry))));
            entries.insert(Vec::new(), own);
            continue;
        };
        let alike = !files.is_empty()
            && own.is_empty()
            && files.iter().all(|f| f.1.is_some() && f.1 == files[0].1);
        let (folder, list) = if alike {
            let item = record(files[0].1);
            let what = match &item {
                Shape::Record { what, .. } => what.clone(),
                _ => name.clone(),
            };
            let ids = files.into_iter().map(|(id, _)| id).collect();
            let folder = Shape::Files {
                what,
                ids,
                item: Box::new(item.clone()),
            };
            (folder, Shape::List(Box::new(item)))
        } else {
            own.extend(files.into_iter().map(|(id, entry)| (id, record(entry))));
            let folder_record = Shape::Record {
                what: format!("data/{}/", path.join("/")),
                fields: own,
                optional: Vec::new(),
                folder: true,
            };
            (folder_record, Shape::List(Box::new(Shape::Any)))
        };
        let siblings = entries.entry(parent.to_vec()).or_default();
        siblings.push((name.clone(), folder));
        siblings.push((format!("{name}_list"), list));
    }
    entries.remove(&Vec::new()).unwrap_or_default()
}

/// The shape of a schema field's values.
fn field_shape(field: &Field, name: &str) -> Shape {
    let what = field.label.clone().unwrap_or_else(|| name.to_string());
    match &field.kind {
        Kind::Record(fields) => Shape::Record {
            what,
            fields: fields
                .iter()
                .map(|(k, v)| (k.clone(), field_shape(v, k)))
                .collect(),
            optional: optional_fields(fields),
            folder: false,
        },
        Kind::List(item) => Shape::List(Box::new(field_shape(item, name))),
        other => Shape::Scalar(other.name(), other.is_numeric(), field.unit.clone()),
    }
}

/// The names of the fields that are not required.
fn optional_fields(fields: &[(String, Field)]) -> Vec<String> {
    fields
        .iter()
        .filter(|(_, f)| !f.required)
        .map(|(k, _)| k.clone())
        .collect()
}

/// The shape of `shape.key`, when it has that key (`None`: it has not).
pub(super) fn field(shape: &Shape, key: &str) -> Option<Shape> {
    match shape {
        Shape::Any => Some(Shape::Any),
        Shape::Record { fields, .. } => fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, s)| s.clone()),
        Shape::Files { ids, item, .. } => ids.iter().any(|id| id == key).then(|| (**item).clone()),
        Shape::List(item) => key.parse::<usize>().is_ok().then(|| (**item).clone()),
        Shape::Scalar(..) => None,
    }
}

/// The shape of an element of `shape` (`xs[i]`, `for x in xs`).
pub(super) fn element(shape: Shape) -> Shape {
    match shape {
        Shape::List(item) => *item,
        Shape::Files { item, .. } => *item,
        _ => Shape::Any,
    }
}

/// The paths of the fields of `shape` that hold numbers, nested records' too
/// (`registered.households`), each after `prefix`.
pub(super) fn number_paths(shape: &Shape, prefix: &str, out: &mut Vec<String>) {
    let Shape::Record { fields, .. } = shape else {
        return;
    };
    for (key, field) in fields {
        match field {
            Shape::Scalar(_, true, _) => out.push(format!("{prefix}{key}")),
            Shape::Record { .. } => number_paths(field, &format!("{prefix}{key}."), out),
            _ => {}
        }
    }
}

//! A file's values as templates see them, each figure marked with its source (its place in
//! the table of the data's numbers, see [`crate::provenance`]).

use serde_json::{Map, Value as Json};
use std::sync::Arc;

use super::is_kept;
use crate::load::{DataFile, Node, Value};
use crate::provenance::{self, Ref, SourceFile, SourceValue};
use crate::validate::schema::{Field, Kind, Schema};

/// File number `index` as a template value with marked numbers and its `id`, and the table
/// of its numbers. With `fields`, only those top-level fields (and `id`): the numbers of the
/// others keep their places in the file's table, their values are not made (nor, so, their
/// rows of the table: for template values alone, [`Make::Value`]).
pub(super) fn marked_record(
    index: usize,
    file: &DataFile,
    schema: Option<&Schema>,
    mode: Make,
    fields: Option<&std::collections::BTreeSet<String>>,
) -> (Json, SourceFile) {
    let (mut record, source) = marked_file(index as u32, file, schema, mode, fields);
    if let Json::Object(map) = &mut record {
        map.shift_insert(0, "id".to_string(), Json::String(file.id().to_string()));
    }
    (record, source)
}

/// One file as a template value with marked numbers, and the table of its numbers (as much
/// of them as `mode` says).
pub(super) fn marked_file(
    index: u32,
    file: &DataFile,
    schema: Option<&Schema>,
    mode: Make,
    fields: Option<&std::collections::BTreeSet<String>>,
) -> (Json, SourceFile) {
    let path = crate::site_path::slashed(&file.path);
    let file_schema = schema.and_then(|s| crate::validate::fields::schema_for(s, &file.path));
    let in_folder = file.key_path.len() > 1;
    let pattern = match file_schema {
        Some(f) if f.pattern.contains('*') => format!("data/{}", f.pattern),
        Some(_) => path.clone(),
        None if in_folder => format!(
            "data/{}/*.yaml",
            file.key_path[..file.key_path.len() - 1].join("/")
        ),
        None => path.clone(),
    };
    let schema_label = file_schema.and_then(|f| f.label.clone());
    let name = crate::load::FilePlace::top_level_text(file, "name")
        .filter(|_| pattern != path)
        .map(str::to_string);
    let title = name
        .or_else(|| schema_label.clone())
        .unwrap_or_else(|| file.key_path.join("."));
    let group = schema_label.unwrap_or_else(|| file.key_path[..file.key_path.len() - 1].join("."));
    let mut source = SourceFile {
        path,
        pattern,
        title,
        group,
        values: Arc::default(),
    };
    let record = file_schema.map(|f| f.fields.as_slice());
    let mut marker = Marker {
        file: index,
        values: Vec::new(),
        next: 0,
        make: mode,
        top_level: fields,
        key: String::new(),
        label: String::new(),
    };
    let json = marker.node(&file.root, record.map(Shape::Record));
    // Held for the whole build: no room left over from growing.
    source.values = marker.values.into();
    (json, source)
}

/// What a walk over a file makes: its template value, the table of its numbers, or both.
/// Either alone gives every number the same place in the table as both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Make {
    /// The template value and the table.
    Both,
    /// The table of numbers only (the value is `null`).
    Table,
    /// The template value only (the table is left empty).
    Value,
}

/// What the schema says is at a place: the fields of a record, or one field.
#[derive(Clone, Copy)]
pub(super) enum Shape<'s> {
    Record(&'s [(String, Field)]),
    Field(&'s Field),
}

pub(super) struct Marker<'m> {
    pub(super) file: u32,
    /// The file's numbers (its table's rows), as found.
    pub(super) values: Vec<SourceValue>,
    /// The place of the next number in the file's table.
    pub(super) next: u32,
    pub(super) make: Make,
    /// The only top-level fields to make (taken by the walk of the file's mapping).
    pub(super) top_level: Option<&'m std::collections::BTreeSet<String>>,
    /// The key path of the value being walked (`exits[year=2015].people`): grown and cut
    /// back as the walk goes down and up (two strings made for each value of every file
    /// were a quarter of the table's making).
    pub(super) key: String,
    /// Its name from the schema's labels (`历年脱贫 [2015] 人数`), grown and cut back as
    /// `key` is.
    pub(super) label: String,
}

/// Adds `part` to the path `path` (`.` or ` ` between them when the path is not empty).
pub(super) fn push_part(path: &mut String, separator: char, part: &str) {
    if !path.is_empty() {
        path.push(separator);
    }
    path.push_str(part);
}

/// How many numbers `node` holds: the places in its file's table a value not made skips.
pub(super) fn numbers_in(node: &Node) -> u32 {
    match &node.value {
        Value::Number(_) => 1,
        Value::List(items) => items.iter().map(numbers_in).sum(),
        Value::Map(entries) => entries.iter().map(|(_, v)| numbers_in(v)).sum(),
        _ => 0,
    }
}

impl Marker<'_> {
    /// The template value of `node` (at [`Marker::key`], named [`Marker::label`]), its
    /// numbers put in the table.
    pub(super) fn node(&mut self, node: &Node, shape: Option<Shape<'_>>) -> Json {
        let fields = match shape {
            Some(Shape::Record(fields)) => Some(fields),
            Some(Shape::Field(Field {
                kind: Kind::Record(fields),
                ..
            })) => Some(fields.as_slice()),
            _ => None,
        };
        match &node.value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::String(s) => Json::String(s.to_string()),
            Value::Number(d) => {
                let r = Ref {
                    file: self.file,
                    value: self.next,
                };
                self.next += 1;
                if self.make != Make::Value {
                    let value = SourceValue::new(node.line, &self.key, &self.label);
                    self.values.push(value);
                }
                if self.make == Make::Table {
                    return Json::Null;
                }
                // The line rides along (and is ignored when read back), so that a value that
                // moved changes the context and `serve` renders its pages again.
                Json::String(provenance::mark_data(r, node.line, d))
            }
            Value::List(items) => {
                let item_field = match shape {
                    Some(Shape::Field(Field {
                        kind: Kind::List(item),
                        ..
                    })) => Some(item.as_ref()),
                    _ => None,
                };
                let unique_key = item_field.and_then(|f| match &f.kind {
                    Kind::Record(fields) => fields.iter().find(|(_, f)| f.unique).map(|(k, _)| k),
                    _ => None,
                });
                // A value's key and label are for the table alone.
                let names = self.make != Make::Value;
                let values: Vec<Json> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        if !names {
                            return self.node(item, item_field.map(Shape::Field));
                        }
                        // An item with a unique field is known by it (`exits[year=2015]`), so
                        // that reordering the list changes no figure's key; else by position.
                        let named = unique_key.and_then(|k| {
                            let value = item.get(k)?.value.scalar_text()?;
                            Some((k.as_str(), value))
                        });
                        let (key_len, label_len) = (self.key.len(), self.label.len());
                        let mut digits = itoa::Buffer::new();
                        self.key.push('[');
                        let name = match &named {
                            Some((k, v)) => {
                                self.key.push_str(k);
                                if !k.is_empty() {
                                    self.key.push('=');
                                }
                                self.key.push_str(v);
                                v.as_str()
                            }
                            None => {
                                self.key.push_str(digits.format(i));
                                digits.format(i + 1)
                            }
                        };
                        self.key.push(']');
                        push_part(&mut self.label, ' ', "[");
                        self.label.push_str(name);
                        self.label.push(']');
                        let value = self.node(item, item_field.map(Shape::Field));
                        self.key.truncate(key_len);
                        self.label.truncate(label_len);
                        value
                    })
                    .collect();
                match self.make {
                    Make::Table => Json::Null,
                    _ => Json::Array(values),
                }
            }
            Value::Map(entries) => {
                let names = self.make != Make::Value;
                let only = self.top_level.take();
                let mut object = match (self.make, only) {
                    (Make::Table, _) => Map::new(),
                    (_, Some(only)) => Map::with_capacity(only.len() + 1),
                    _ => Map::with_capacity(entries.len()),
                };
                // Where the schema's field after the last one found is: a file's keys are
                // mostly in the schema's order.
                let mut after = 0;
                for (k, v) in entries {
                    let name = k.name.as_str();
                    if only.is_some_and(|only| !is_kept(name, only)) {
                        self.next += numbers_in(v);
                        continue;
                    }
                    let field = fields.and_then(|fields| {
                        let at = schema_field(fields, name, after)?;
                        after = at + 1;
                        Some(&fields[at].1)
                    });
                    let value = if names {
                        let part = field.and_then(|f| f.label.as_deref());
                        let (key_len, label_len) = (self.key.len(), self.label.len());
                        push_part(&mut self.key, '.', name);
                        push_part(&mut self.label, ' ', part.unwrap_or(name));
                        let value = self.node(v, field.map(Shape::Field));
                        self.key.truncate(key_len);
                        self.label.truncate(label_len);
                        value
                    } else {
                        self.node(v, field.map(Shape::Field))
                    };
                    if self.make != Make::Table {
                        object.insert(name.to_string(), value);
                    }
                }
                match self.make {
                    Make::Table => Json::Null,
                    _ => Json::Object(object),
                }
            }
        }
    }
}

/// The place of field `name` in a record's `fields`, looked for from `from` first (then
/// from the start).
pub(super) fn schema_field(fields: &[(String, Field)], name: &str, from: usize) -> Option<usize> {
    let is_it = |(n, _): &(String, Field)| n == name;
    let later = fields.get(from..).unwrap_or_default();
    match later.iter().position(is_it) {
        Some(at) => Some(from + at),
        None => fields[..from.min(fields.len())].iter().position(is_it),
    }
}

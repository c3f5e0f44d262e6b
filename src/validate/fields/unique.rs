//! Unique fields across the files of a folder: each value once (`name` of every village),
//! told at both files.

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;

use super::names::name_of;
use crate::diagnostics::{Diagnostic, Text};
use crate::load::{Data, DataFile, Node, Value};
use crate::validate::schema::{DataName, Field, FileSchema, Schema, matches_name};

/// How `unique` compares values: as text, Unicode NFC-normalised (a name typed with a
/// composed or a decomposed character is one name), numbers by value.
pub(super) fn unique_key(node: &Node) -> String {
    let text = scalar_text(node);
    // Most text is NFC already (Chinese characters are): the quick check says so.
    match unicode_normalization::is_nfc_quick(text.chars()) {
        unicode_normalization::IsNormalized::Yes => text,
        _ => text.nfc().collect(),
    }
}

pub(super) fn scalar_text(node: &Node) -> String {
    match &node.value {
        Value::String(s) => s.to_string(),
        Value::Number(n) => crate::figure::decimal_text(&n.normalize(), &mut [0; 64]).into_owned(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// `unique: true` on a top-level field of a folder's files: no two files share the value.
pub(crate) fn unique_across_files(schema: &Schema, data: &Data, problems: &mut Vec<Diagnostic>) {
    unique_across_files_with(schema, data, problems, None);
}

/// The values `unique: true` fields compare, each file's in the data's order (the file as
/// checked, by pointer: the preview's next build shares the files that did not change):
/// what a file's values are compared as is made again only for a file that changed (a
/// village's name normalised, its folder's pattern matched: 10,000 at each correction).
#[derive(Debug, Default)]
pub struct UniqueKeys {
    pub(super) files: Vec<(Arc<DataFile>, FileKeys)>,
}

/// One file's values as compared, one for each unique field (`None`: the file is not of the
/// field's folder, or has no value there).
pub(super) type FileKeys = Box<[Option<String>]>;

/// [`unique_across_files`], each file's values as compared taken from `last` (made by the
/// last build with the same schema) when the file is the one it had there; returns them for
/// the next build.
pub(super) fn unique_across_files_with(
    schema: &Schema,
    data: &Data,
    problems: &mut Vec<Diagnostic>,
    last: Option<UniqueKeys>,
) -> UniqueKeys {
    // The unique fields, in the schema's order, each with the pattern of its files.
    let fields: Vec<(&FileSchema, &String, &Field)> = schema
        .files
        .iter()
        .filter(|f| f.pattern.contains('*'))
        .flat_map(|f| {
            f.fields
                .iter()
                .filter(|(_, field)| field.unique)
                .map(move |(key, field)| (f, key, field))
        })
        .collect();
    if fields.is_empty() {
        return UniqueKeys::default();
    }
    let mut last_files = last.map_or_else(Vec::new, |last| last.files);
    let keys: Vec<(Arc<DataFile>, FileKeys)> = data
        .files
        .iter()
        .enumerate()
        .map(|(index, file)| {
            let known = last_files
                .get_mut(index)
                .filter(|(was, _)| Arc::ptr_eq(was, file))
                .map(|(_, keys)| std::mem::take(keys));
            let keys = known.unwrap_or_else(|| {
                let name = DataName::of(&file.path);
                fields
                    .iter()
                    .map(|(file_schema, key, _)| {
                        let matched = matches_name(&file_schema.pattern, &name);
                        let value = file.root.get(key.as_str()).filter(|_| matched)?;
                        Some(unique_key(value))
                    })
                    .collect()
            });
            (file.clone(), keys)
        })
        .collect();
    for (number, (_, key, field)) in fields.iter().enumerate() {
        // Each value's first file, by its number.
        let mut seen: HashMap<&str, usize> = HashMap::default();
        for (index, (file, values)) in keys.iter().enumerate() {
            let Some(compared) = &values[number] else {
                continue;
            };
            let Some(&first) = seen.get(compared.as_str()) else {
                seen.insert(compared, index);
                continue;
            };
            let (Some(value), (first_file, _)) = (file.root.get(key.as_str()), &keys[first]) else {
                continue;
            };
            let Some(first_value) = first_file.root.get(key.as_str()) else {
                continue;
            };
            let text = scalar_text(value);
            let (zh, en) = name_of(field, key);
            let mut d = Diagnostic::error(
                "unique",
                Some(value.location(&file.path)),
                Text::new(
                    format!("{zh}的值「{text}」与 {} 重复", first_file.path.display()),
                    format!(
                        "{en}: the value `{text}` is also in {}",
                        first_file.path.display()
                    ),
                ),
            );
            d.related.push((
                first_value.location(&first_file.path),
                Text::new("已有的值", "the first one"),
            ));
            problems.push(d.with_hint(repeated_hint(file, first_file, &zh, &en)));
        }
    }
    UniqueKeys { files: keys }
}

/// What to do about a value of `file` that `first` has too: a file copied from another to
/// make a new one (every value the same) is said to be so, as the rules across files (the
/// villages' sums) then fail too.
fn repeated_hint(
    file: &DataFile,
    first: &DataFile,
    zh: &dyn std::fmt::Display,
    en: &dyn std::fmt::Display,
) -> Text {
    let (path, first_path) = (file.path.display(), first.path.display());
    if file.root == first.root {
        Text::new(
            format!(
                "{path} 与 {first_path} 的内容完全一样：若是复制来新建的，把它的{zh}和各项数字改成它自己的（改好之前，各文件相加的规则也会报错）；若是多出来的，删掉它"
            ),
            format!(
                "{path} is the same as {first_path} in every value: if it was copied to make a new one, give it its own {en} and figures (until then the rules adding up the files fail too); if it is one too many, delete it"
            ),
        )
    } else {
        Text::new(
            format!("每个文件的{zh}要各不相同：改正其中一个"),
            format!("each file's {en} must differ: correct one of them"),
        )
    }
}

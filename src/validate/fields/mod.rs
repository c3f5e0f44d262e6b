//! Checks every data file against its schema: types, units, ranges, required and unknown
//! fields, references and uniqueness. Values written with a convertible unit (`342元` in a
//! field declared in 万元) are converted exactly; the checked data is what templates see.

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;
use std::sync::Arc;

mod names;
mod number;
mod record;
mod text;
mod unique;

use names::{FieldPath, meant_with_multiplier, name_of};
pub use unique::UniqueKeys;
pub(crate) use unique::unique_across_files;
use unique::unique_across_files_with;

use super::schema::{Field, FileSchema, Schema};
use crate::diagnostics::{Diagnostic, Location, Text};
use crate::load::{Data, DataFile, Node, Value};

/// Checks `data` against `schema`; returns the data with units converted. Files are checked
/// on every core; their problems come in file order. With a `cache` (the preview's), a file
/// checked by the last call with the same schema and the same files is not checked again.
pub fn check(
    schema: &Schema,
    data: &Data,
    problems: &mut Vec<Diagnostic>,
    mut cache: Option<&mut Cache>,
) -> Data {
    use rayon::prelude::*;
    let ids = folder_ids(data.files.iter().map(|f| f.key_path.as_slice()));
    let reusable = cache
        .as_deref()
        .filter(|c| c.schema.as_ref() == Some(schema) && c.ids == ids);
    let last_build = reusable.map(|c| {
        crate::load::LastBuild::new(&c.files, data.files.len(), |done: &Checked| {
            Some(&*done.loaded)
        })
    });
    let earlier = |index: usize, file: &Arc<DataFile>| -> Option<&Checked> {
        let done = last_build.as_ref()?.get(index, &file.path)?;
        Arc::ptr_eq(&done.loaded, file).then_some(done)
    };
    let progress = crate::progress::Progress::new("检查 check", data.files.len());
    let results: Vec<(Arc<DataFile>, Vec<Diagnostic>)> = data
        .files
        .par_iter()
        .enumerate()
        .with_min_len(64)
        .map(|(index, file)| {
            progress.tick();
            if let Some(done) = earlier(index, file) {
                return (done.checked.clone(), done.problems.clone());
            }
            let mut found = Vec::new();
            let checked = check_file(schema, file, &ids, &mut found);
            (checked, found)
        })
        .collect();
    progress.finish();
    // The unique values the last build compared, while the schema is the same.
    let last_unique = match cache.as_deref_mut() {
        Some(cache) if cache.schema.as_ref() == Some(schema) => {
            Some(std::mem::take(&mut cache.unique))
        }
        _ => None,
    };
    let mut checked = Vec::with_capacity(results.len());
    let mut kept = Vec::with_capacity(if cache.is_some() { results.len() } else { 0 });
    for ((file, found), loaded) in results.into_iter().zip(&data.files) {
        checked.push(file.clone());
        if cache.is_some() {
            kept.push(Checked {
                loaded: loaded.clone(),
                checked: file,
                problems: found.clone(),
            });
        }
        problems.extend(found);
    }
    let checked = Data { files: checked };
    let unique = unique_across_files_with(schema, &checked, problems, last_unique);
    if let Some(cache) = cache {
        cache.files = kept;
        cache.unique = unique;
        cache.schema = Some(schema.clone());
        cache.ids = ids;
    }
    checked
}

/// The files checked by the last build of the preview, reused by the next one for every file
/// that did not change (a one-village correction checks one file of 10,000).
#[derive(Debug, Default)]
pub struct Cache {
    /// The schema they were checked against.
    schema: Option<Schema>,
    /// Every folder's file ids then (references are checked against them).
    ids: HashMap<String, Vec<String>>,
    /// In the order of the data: the file as loaded (compared by pointer: the load cache
    /// shares unchanged files), as checked, and its problems.
    files: Vec<Checked>,
    /// The values compared by `unique: true` fields, each file's (see [`UniqueKeys`]).
    unique: UniqueKeys,
}

/// One file as the last build checked it (see [`Cache`]).
#[derive(Debug)]
struct Checked {
    loaded: Arc<DataFile>,
    checked: Arc<DataFile>,
    problems: Vec<Diagnostic>,
}

/// One file checked against its schema entry (as it is, when it has none: a problem).
pub(crate) fn check_file(
    schema: &Schema,
    file: &std::sync::Arc<DataFile>,
    ids: &HashMap<String, Vec<String>>,
    problems: &mut Vec<Diagnostic>,
) -> std::sync::Arc<DataFile> {
    let Some(file_schema) = schema_for(schema, &file.path) else {
        // A file saved as `.yml` the schema knows as `.yaml`: the name to give it.
        let as_yaml = file.path.with_extension("yaml");
        if file.path.extension().is_some_and(|ext| ext == "yml")
            && schema_for(schema, &as_yaml).is_some()
        {
            let name = crate::site_path::slashed(&as_yaml);
            problems.push(
                Diagnostic::error(
                    "schema-no-entry",
                    Some(Location::file(&file.path)),
                    Text::new(
                        "data/schema.yaml 描述的是 .yaml 文件，这个文件的扩展名是 .yml",
                        "data/schema.yaml describes .yaml files: this file ends in .yml",
                    ),
                )
                .with_hint(Text::new(
                    format!("把文件改名为 {name}"),
                    format!("rename the file {name}"),
                )),
            );
            return file.clone();
        }
        let patterns: Vec<&str> = schema.files.iter().map(|f| f.pattern.as_str()).collect();
        problems.push(
            Diagnostic::error(
                "schema-no-entry",
                Some(Location::file(&file.path)),
                Text::new("data/schema.yaml 里没有这个文件的定义", "data/schema.yaml does not describe this file"),
            )
            .with_hint(Text::new(
                format!("在 schema 的 files 下加上它（已有：{}），或把文件放到已定义的文件夹", patterns.join("、")),
                format!("add it under files in the schema (there are: {}), or move it into a folder the schema describes", patterns.join(", ")),
            )),
        );
        return file.clone();
    };
    let mut checker = Checker {
        file: &file.path,
        ids,
        problems,
    };
    // Most files have nothing to convert: the file as loaded is shared, not held twice.
    let Some(root) = checker.record(&file_schema.fields, &file.root, &FieldPath::Root) else {
        return file.clone();
    };
    std::sync::Arc::new(DataFile::with_fingerprint(
        file.path.clone(),
        file.key_path.clone(),
        root,
        file.fingerprint().to_string(),
    ))
}

/// `node` with the value `value` the check made of it, when that is not the value as
/// written (a number with another sign or scale, `1.10` for `1.1`, is not the same).
fn changed(node: &Node, value: Value) -> Option<Node> {
    let same = match (&node.value, &value) {
        (Value::Number(a), Value::Number(b)) => a.serialize() == b.serialize(),
        (a, b) => a == b,
    };
    (!same).then_some(Node {
        value,
        line: node.line,
        col: node.col,
    })
}

/// The schema entry for `path`: an exact pattern first, else the first matching one.
pub fn schema_for<'s>(schema: &'s Schema, path: &Path) -> Option<&'s FileSchema> {
    let name = crate::validate::schema::DataName::of(path);
    let matches = |f: &&FileSchema| crate::validate::schema::matches_name(&f.pattern, &name);
    schema
        .files
        .iter()
        .filter(|f| !f.pattern.contains('*'))
        .find(matches)
        .or_else(|| schema.files.iter().find(matches))
}

/// Folder name (`villages`, `a.b`) → ids of its files.
pub(crate) fn folder_ids<'k>(
    key_paths: impl Iterator<Item = &'k [String]>,
) -> HashMap<String, Vec<String>> {
    // The files come in path order: a folder's are side by side, its name joined once.
    let mut runs: Vec<(&[String], Vec<String>)> = Vec::new();
    for key_path in key_paths {
        if let Some((id, folders)) = key_path.split_last()
            && !folders.is_empty()
        {
            match runs.last_mut() {
                Some((last, ids)) if *last == folders => ids.push(id.clone()),
                _ => runs.push((folders, vec![id.clone()])),
            }
        }
    }
    let mut ids: HashMap<String, Vec<String>> = HashMap::default();
    for (folders, run) in runs {
        ids.entry(folders.join(".")).or_default().extend(run);
    }
    ids
}

/// What checks one file's values: its path, the ids of each folder's files (for references)
/// and where its problems go.
struct Checker<'a> {
    file: &'a Path,
    ids: &'a HashMap<String, Vec<String>>,
    problems: &'a mut Vec<Diagnostic>,
}

/// The field of `fields` named `name`. Files mostly list their fields in the schema's order:
/// the one after the field found last (`next`) is tried first.
pub(crate) fn schema_field<'f>(
    fields: &'f [(String, Field)],
    name: &str,
    next: &mut usize,
) -> Option<&'f (String, Field)> {
    let at = match fields.get(*next) {
        Some((field, _)) if field == name => *next,
        _ => fields.iter().position(|(field, _)| field == name)?,
    };
    *next = at + 1;
    fields.get(at)
}

/// `YYYY-MM-DD` naming a real day.
pub fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    if y < 1000 || !(1..=12).contains(&m) || text.len() != 10 {
        return false;
    }
    (1..=days_in_month(y, m)).contains(&d)
}

/// How many days month `m` (1–12) of year `y` has.
pub fn days_in_month(y: u32, m: u32) -> u32 {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_named_by_its_keys_and_list_items() {
        let exits = FieldPath::Key(&FieldPath::Root, "exits");
        let first = FieldPath::Item(&exits, 0);
        let year = FieldPath::Key(&first, "year");
        assert_eq!(FieldPath::Root.to_string(), "");
        assert_eq!(exits.to_string(), "exits");
        assert_eq!(year.to_string(), "exits.0.year");
        assert_eq!(year.last(), "year");
        assert_eq!(first.last(), "0");
        let field = Field {
            label: Some("年度".into()),
            ..Field::record(Vec::new(), 1, 1)
        };
        let (zh, en) = name_of(&field, &year);
        assert_eq!(
            (&*zh, &*en),
            ("「年度」（exits.0.year）", "`exits.0.year` (年度)")
        );
    }

    /// What `Field::refuses` tells the rules (which skip a value it refuses) is what the
    /// field checks report as an error, for every kind of number and bound.
    /// The schema written `text`.
    fn schema_of_text(text: &str) -> Schema {
        let node = crate::load::yaml::parse(text, Path::new("data/schema.yaml")).expect("parses");
        crate::validate::schema::parse(&node).expect("schema reads")
    }

    #[test]
    fn the_rules_skip_exactly_the_numbers_the_field_checks_refuse() {
        let schema = schema_of_text(
            "files:\n  t.yaml:\n    fields:\n      count: {type: count, unit: 户}\n      amount: {type: amount, unit: 万元, dp: 2}\n      share: {type: percent, unit: \"%\", dp: 1}\n      year: {type: year}\n      ranged: {type: decimal, min: -5, max: 5.5}\n",
        );
        let fields = &schema.files[0].fields;
        let ids = HashMap::default();
        for (name, field) in fields {
            for value in [
                "0", "1", "-1", "2.5", "468.0", "0.05", "0.123", "99.9", "100", "100.05", "18",
                "1899", "2018", "2101", "-5", "-5.01", "5.5", "5.51",
            ] {
                let number = rust_decimal::Decimal::from_str_exact(value).expect("a decimal");
                let text = format!("{name}: {value}\n");
                let root =
                    crate::load::yaml::parse(&text, Path::new("data/t.yaml")).expect("parses");
                let file = Arc::new(DataFile::new("data/t.yaml".into(), vec!["t".into()], root));
                let mut found = Vec::new();
                check_file(&schema, &file, &ids, &mut found);
                // (The other fields, required, are missing from the file: not this one's.)
                let refused = found
                    .iter()
                    .any(|d| d.is_error() && ["type", "range", "decimals"].contains(&d.code));
                assert_eq!(field.refuses(number), refused, "{name}: {value}: {found:?}");
            }
        }
    }

    /// The preview's checks in a row (one cache) find a clash of `unique: true` values as a
    /// check without a cache does, whichever file changed: one renamed into a clash and out
    /// of it, the unchanged one of a pair, a file added or removed, the schema changed.
    #[test]
    fn unique_values_are_compared_anew_in_the_preview_whichever_file_changed() {
        let schema_of = |unique: bool| {
            schema_of_text(&format!(
                "files:\n  villages/*.yaml:\n    fields:\n      name: {{type: text, unique: {unique}}}\n"
            ))
        };
        let file = |id: &str, name: &str| {
            let path = format!("data/villages/{id}.yaml");
            let root = crate::load::yaml::parse(&format!("name: {name}\n"), Path::new(&path))
                .expect("parses");
            Arc::new(DataFile::new(
                path.into(),
                vec!["villages".into(), id.into()],
                root,
            ))
        };
        // Each clash as (the file it is in, the file of the first one).
        let clashes = |schema: &Schema, files: &[Arc<DataFile>], cache: Option<&mut Cache>| {
            let mut problems = Vec::new();
            check(
                schema,
                &Data {
                    files: files.to_vec(),
                },
                &mut problems,
                cache,
            );
            problems
                .iter()
                .filter(|d| d.code == "unique")
                .map(|d| {
                    let at = |l: &Location| l.file.display().to_string();
                    let first = d.related.first().map(|(l, _)| at(l));
                    (d.location.as_ref().map(at), first)
                })
                .collect::<Vec<_>>()
        };
        let (schema, mut cache) = (schema_of(true), Cache::default());
        let a = file("a", "横溪村");
        let mut files = vec![a.clone(), file("b", "枫林村"), file("c", "长岭村")];
        let mut steps: Vec<(&str, Vec<Arc<DataFile>>, Schema)> = Vec::new();
        steps.push(("start", files.clone(), schema.clone()));
        files[1] = file("b", "横溪村");
        steps.push(("b renamed into a clash", files.clone(), schema.clone()));
        files[0] = file("a", "胡家村");
        steps.push(("a renamed out of it", files.clone(), schema.clone()));
        files[2] = file("c", "横溪村");
        steps.push(("c renamed into a clash", files.clone(), schema.clone()));
        files.insert(1, file("ab", "长岭村"));
        steps.push(("a file added", files.clone(), schema.clone()));
        files.remove(2);
        steps.push(("b removed", files.clone(), schema.clone()));
        steps.push(("not unique now", files.clone(), schema_of(false)));
        files.push(file("d", "胡家村"));
        steps.push(("unique again", files.clone(), schema.clone()));
        let mut found = Vec::new();
        for (step, files, schema) in &steps {
            let cached = clashes(schema, files, Some(&mut cache));
            assert_eq!(cached, clashes(schema, files, None), "{step}");
            found.push(cached.len());
        }
        assert_eq!(found, [0, 1, 0, 1, 1, 0, 0, 1]);
    }

    /// A file is shared as loaded only when checking converted nothing in it: `-0` and
    /// `468.0` in a count are converted, `1.10` in a decimal is kept as written.
    #[test]
    fn a_file_is_shared_only_when_nothing_was_converted() {
        let schema = crate::validate::schema::parse(
            &crate::load::yaml::parse(
                "files:\n  a.yaml:\n    fields:\n      n: {type: count}\n      d: {type: decimal}\n      t: {type: text}\n",
                Path::new("data/schema.yaml"),
            )
            .expect("schema parses"),
        )
        .expect("schema reads");
        let checked = |text: &str| {
            let root = crate::load::yaml::parse(text, Path::new("data/a.yaml")).expect("parses");
            let file = Arc::new(DataFile::new("data/a.yaml".into(), vec!["a".into()], root));
            let mut problems = Vec::new();
            let data = check(
                &schema,
                &Data {
                    files: vec![file.clone()],
                },
                &mut problems,
                None,
            );
            let same = Arc::ptr_eq(&data.files[0], &file);
            let n = data.files[0].root.get("n").map(|n| n.value.clone());
            (same, n)
        };
        let number = |t: &str| Some(Value::Number(t.parse().expect("decimal")));
        assert_eq!(checked("n: 3\nd: 1.10\nt: 甲\n"), (true, number("3")));
        let (same, n) = checked("n: -0\nd: 1\nt: 甲\n");
        assert!(!same);
        assert!(
            matches!(n, Some(Value::Number(d)) if !d.is_sign_negative()),
            "{n:?}"
        );
        assert_eq!(checked("n: 468.0\nd: 1\nt: 甲\n"), (false, number("468")));
        assert!(!checked("n: 1\nd: 1\nt: \" 甲 \"\n").0);
    }

    #[test]
    fn dates_are_real_days() {
        assert!(is_date("2020-02-29"));
        assert!(!is_date("2019-02-29"));
        assert!(!is_date("2020-13-01"));
        assert!(!is_date("2020-1-1"));
    }
}

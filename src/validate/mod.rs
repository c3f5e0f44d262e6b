//! Validate: check the loaded data against the site's schema before anything is rendered.
//!
//! - the shape of the data tree (a file and a folder may not claim one name),
//! - [`fields`]: every file against `data/schema.yaml` (types, units, ranges, required and
//!   unknown fields, references, uniqueness), converting values written with another unit,
//! - [`rules`]: the schema's consistency rules across files, in exact decimals ([`expr`]).

pub mod corrections;
pub mod expr;
pub mod fields;
pub mod json_schema;
pub mod projection;
pub mod rules;
pub mod schema;
pub mod slips;
pub mod units;

use rustc_hash::FxHashMap as HashMap;

use std::path::Path;

use crate::diagnostics::{Diagnostic, Location, Severity, Text};
use crate::load::Data;

/// What the checks of one build of the preview keep for the next.
#[derive(Debug, Default)]
pub struct Cache {
    /// The files checked against the schema.
    pub fields: fields::Cache,
    /// The items the rules held for.
    pub rules: rules::Cache,
}

/// What changed in the data since the last good build.
#[derive(Clone, Debug, Default)]
pub struct Since {
    /// Files whose values changed, or that are new.
    pub changed: std::collections::HashSet<std::path::PathBuf>,
    /// Files that are gone.
    pub removed: Vec<std::path::PathBuf>,
}

/// Reads `data/schema.yaml` of the site, if it has one.
pub fn load_schema(site_root: &Path) -> Option<Result<schema::Schema, Vec<Diagnostic>>> {
    let schema_path = Path::new(crate::discover::SCHEMA_FILE);
    if !site_root.join(schema_path).is_file() {
        return None;
    }
    Some(crate::load::load_yaml(site_root, schema_path).and_then(|node| schema::parse(&node)))
}

/// The checked data (units converted) and every problem found.
///
/// `since` says which data files changed since the last good build, when one is known:
/// failed rules over many files are located there (see [`rules::check`]). The preview passes
/// a `cache` of what it checked last time (see [`Cache`]).
pub fn validate(
    site_root: &Path,
    data: &Data,
    since: Option<&Since>,
    cache: Option<&mut Cache>,
) -> (Data, Vec<Diagnostic>) {
    validate_with(load_schema(site_root).as_ref(), data, since, cache)
}

/// [`validate`] with the site's schema as [`load_schema`] read it (read once by a build for
/// every stage that needs it).
pub fn validate_with(
    loaded: Option<&Result<schema::Schema, Vec<Diagnostic>>>,
    data: &Data,
    since: Option<&Since>,
    mut cache: Option<&mut Cache>,
) -> (Data, Vec<Diagnostic>) {
    let mut problems = tree_shape(data);
    let schema_path = Path::new(crate::discover::SCHEMA_FILE);
    let Some(loaded) = loaded else {
        problems.push(Diagnostic::new(
            Severity::Warning,
            "schema-missing",
            Some(Location::file(schema_path)),
            Text::new(
                "没有 data/schema.yaml：数据只检查了 YAML 语法，没有检查类型、单位和一致性",
                "no data/schema.yaml: the data were only parsed, not checked for types, units and consistency",
            ),
        ).with_hint(Text::new("写一个 schema，见 huibao schema 打印的说明（docs/schema.md）", "write a schema, see `huibao schema` (docs/schema.md)")));
        return (data.clone(), problems);
    };
    let schema = match loaded {
        Ok(schema) => schema,
        Err(found) => {
            problems.extend(found.iter().cloned());
            return (data.clone(), problems);
        }
    };
    // The corrections log is huibao's own file, checked by `crate::corrections`.
    let (log, files): (Vec<_>, Vec<_>) = data
        .files
        .iter()
        .cloned()
        .partition(|f| corrections::is_log(&f.path));
    let timer = crate::Timer::start();
    let checked = fields::check(
        schema,
        &Data { files },
        &mut problems,
        cache.as_deref_mut().map(|c| &mut c.fields),
    );
    timer.lap("  fields");
    let checked = rules_after_fields(
        schema,
        checked,
        log,
        &mut problems,
        since,
        cache.map(|c| &mut c.rules),
    );
    timer.lap("  rules");
    (checked, problems)
}

/// [`validate_with`] for files whose own fields were checked one by one as they were read
/// (`fields::check_file`, a build: see `crate::streamed`): `files` in the order they were
/// read, the corrections log among them, with the problems of their fields in that order.
/// The files may hold only what the checks across files read of them
/// ([`projection::Reads`]); the problems are those [`validate_with`] finds.
pub fn validate_checked(
    schema: &schema::Schema,
    files: Vec<std::sync::Arc<crate::load::DataFile>>,
    field_problems: Vec<Diagnostic>,
    since: Option<&Since>,
) -> (Data, Vec<Diagnostic>) {
    let data = Data { files };
    let mut problems = tree_shape(&data);
    problems.extend(field_problems);
    let (log, files): (Vec<_>, Vec<_>) = data
        .files
        .into_iter()
        .partition(|f| corrections::is_log(&f.path));
    let checked = Data { files };
    fields::unique_across_files(schema, &checked, &mut problems);
    let checked = rules_after_fields(schema, checked, log, &mut problems, since, None);
    (checked, problems)
}

/// The checks after each file's own: the log put back among the `checked` files, all in
/// path order, and the rules across them (none that only repeats a field's error).
fn rules_after_fields(
    schema: &schema::Schema,
    mut checked: Data,
    log: Vec<std::sync::Arc<crate::load::DataFile>>,
    problems: &mut Vec<Diagnostic>,
    since: Option<&Since>,
    cache: Option<&mut rules::Cache>,
) -> Data {
    checked.files.extend(log);
    // In path order (`Path`'s, by comparing bytes: 10,000 files at each rebuild of the
    // preview).
    checked
        .files
        .sort_by(|a, b| crate::site_path::path_order(&a.path, &b.path));
    let field_errors = problems.iter().any(Diagnostic::is_error);
    // A rule that cannot be computed because a value it reads is already reported as wrong
    // would only repeat that error.
    problems.extend(
        rules::check(schema, &checked, (since, field_errors), cache)
            .into_iter()
            .filter(|d| !(field_errors && d.code == "rule-eval")),
    );
    checked
}

/// A file and a folder may not have one name: `a.yaml` beside `a/`.
fn tree_shape(data: &Data) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    // Only a file with a shorter name than the longest can be named as another's folder
    // (`township` beside 10,000 `villages.*`: one name to look up, not 10,000).
    let longest = data.files.iter().map(|f| f.key_path.len()).max();
    let files: HashMap<&[String], &std::path::Path> = data
        .files
        .iter()
        .filter(|f| Some(f.key_path.len()) < longest)
        .map(|f| (f.key_path.as_slice(), f.path.as_path()))
        .collect();
    for file in &data.files {
        for depth in 1..file.key_path.len() {
            if let Some(other) = files.get(&file.key_path[..depth]) {
                let name = file.key_path[..depth].join(".");
                problems.push(
                    Diagnostic::error(
                        "data-name-clash",
                        Some(Location::file(*other)),
                        Text::new(
                            format!(
                                "「{name}」既是文件 {} 又是文件夹（{} 在里面）",
                                other.display(),
                                file.path.display()
                            ),
                            format!(
                                "`{name}` is both the file {} and a folder (holding {})",
                                other.display(),
                                file.path.display()
                            ),
                        ),
                    )
                    .with_hint(Text::new(
                        "给文件或文件夹改个名字",
                        "rename the file or the folder",
                    )),
                );
            }
        }
    }
    problems.sort_by(|a, b| a.location.cmp(&b.location));
    problems.dedup();
    problems
}

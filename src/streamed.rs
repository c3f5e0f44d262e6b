//! A build's data in one pass: each data file read, checked against the schema and packed
//! for the pages as soon as it is parsed, its tree then let go but for what the checks
//! across files read of it ([`Reads`]). The whole trees of 100,000
//! villages (~400 MiB) are never held together, as `check` and the preview hold them.
//!
//! What it finds is what loading, then [`crate::validate::validate_with`], then packing find (the
//! tests build sites both ways and compare): the same problems in the same order, the same
//! pages.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Text};
use crate::load::{self, DataFile};
use crate::render::context::{Packed, SharedTables};
use crate::validate::{corrections, fields, projection::Reads, schema::Schema};

/// A build of this many data files or more reads them in one pass
/// (`HUIBAO_STREAMED_FROM` sets another number: the tests build sites both ways).
const STREAMED_FROM: usize = 0;

/// The data of a build read in one pass.
pub(crate) struct Streamed<'s> {
    /// The schema it was checked against.
    pub schema: &'s Schema,
    /// Every file in the order read, checked: files outside folders and the corrections log
    /// whole, the others with what the checks across files read of them.
    pub files: Vec<Arc<DataFile>>,
    /// The problems of each file's own fields, in the order read.
    pub field_problems: Vec<Diagnostic>,
    /// Every file packed for the pages, in path order (the checked data's).
    pub packed: Vec<Packed>,
}

impl Streamed<'_> {
    /// Each file's path and fingerprint (of its values as written).
    pub fn prints(&self) -> impl Iterator<Item = (&Path, &str)> + Clone {
        self.packed
            .iter()
            .map(|p| (p.file().path.as_path(), p.print()))
    }
}

/// The data files `paths` of the site in `root`, read in one pass and checked against
/// `schema`; `None` when the site's data cannot be read so (a folder inside a folder, a
/// rule that reads fields it does not name, a name or a log that cannot be read: the build
/// then reads them as `check` does, which reports what is wrong), or when
/// `HUIBAO_STREAMED_FROM` says not (a warning in `notes` when it is not a number).
pub(crate) fn read<'s>(
    root: &Path,
    paths: &[PathBuf],
    schema: &'s Schema,
    notes: &mut Vec<Diagnostic>,
) -> Option<Result<Streamed<'s>, Vec<Diagnostic>>> {
    if paths.len() < streamed_from(notes) {
        return None;
    }
    let key_paths: Vec<Vec<String>> = paths
        .iter()
        .map(|path| load::key_path(path).ok())
        .collect::<Option<_>>()?;
    if key_paths.iter().any(|k| k.len() > 2) {
        return None;
    }
    let folders: HashSet<String> = key_paths
        .iter()
        .filter(|k| k.len() == 2)
        .map(|k| k[0].clone())
        .collect();
    let ids = fields::folder_ids(key_paths.iter().map(Vec::as_slice));
    drop(key_paths);
    let is_log: Vec<bool> = paths.iter().map(|p| corrections::is_log(p)).collect();
    let log = match paths.iter().zip(&is_log).find(|(_, log)| **log) {
        Some((path, _)) => Some(load::load_file(root, path).ok()?),
        None => None,
    };
    let reads = Reads::of(schema, log.as_ref(), &folders)?;
    drop(log);
    // Each file's place in the checked data, which is in path order.
    let mut order: Vec<usize> = (0..paths.len()).collect();
    order.sort_by(|&a, &b| crate::site_path::path_order(&paths[a], &paths[b]));
    let mut place = vec![0; paths.len()];
    for (at, &index) in order.iter().enumerate() {
        place[index] = at;
    }
    let tables = SharedTables::default();
    let made = load::load_each(root, paths, |index, loaded| {
        let loaded = Arc::new(loaded);
        if is_log[index] {
            let packed = Packed::new(place[index], &loaded, Some(schema), &tables);
            return (loaded, Vec::new(), packed);
        }
        let mut found = Vec::new();
        let checked = fields::check_file(schema, &loaded, &ids, &mut found);
        drop(loaded);
        let packed = Packed::new(place[index], &checked, Some(schema), &tables);
        let kept = if checked.key_path.len() == 1 {
            checked
        } else {
            reads.project(&checked)
        };
        (kept, found, packed)
    });
    let made = match made {
        Ok(made) => made,
        Err(problems) => return Some(Err(problems)),
    };
    let mut files = Vec::with_capacity(made.len());
    let mut field_problems = Vec::new();
    let mut packed: Vec<Option<Packed>> = (0..made.len()).map(|_| None).collect();
    for (index, (file, mut found, one)) in made.into_iter().enumerate() {
        files.push(file);
        field_problems.append(&mut found);
        packed[place[index]] = Some(one);
    }
    Some(Ok(Streamed {
        schema,
        files,
        field_problems,
        packed: packed.into_iter().flatten().collect(),
    }))
}

/// How many data files a build has from which it reads them in one pass: the default, or
/// `HUIBAO_STREAMED_FROM`'s whole number; a value that is not one is the default with a
/// warning in `notes` (never a silent one).
fn streamed_from(notes: &mut Vec<Diagnostic>) -> usize {
    crate::diagnostics::env_whole_number(
        "HUIBAO_STREAMED_FROM",
        STREAMED_FROM,
        Text::new("个数据文件", "data files"),
        notes,
    )
}

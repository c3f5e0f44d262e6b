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

use crate::load::{Data, DataFile, Node, PackedFile, Value};
use crate::provenance::{self, Ref, SourceFile, SourceValue, Sources};
use crate::validate::schema::{Field, Kind, Schema};

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

/// The tables of numbers of the files made so far: files whose numbers have the same lines,
/// keys and names share one table of them. Shared by the cores making them (a build's
/// tables are shared as they are made, not all held unshared first: 100 MB at 100,000
/// villages).
#[derive(Default)]
pub struct SharedTables(std::sync::Mutex<rustc_hash::FxHashSet<Arc<[SourceValue]>>>);

impl SharedTables {
    /// `source` with the table of a file before it when they are the same (every village
    /// names the same fields: their keys and names are shared, see `SourceValue::new`, and
    /// so are their tables when their lines are the same too).
    fn share(&self, mut source: SourceFile) -> SourceFile {
        let mut tables = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match tables.get(&source.values) {
            Some(same) => source.values = same.clone(),
            None => {
                tables.insert(source.values.clone());
            }
        }
        source
    }
}

/// Puts the value of `file` in its place in `root` (`villages` → `hengxi`), and in its
/// folder's list when it is in a folder inside a folder (`a.b_list`).
fn put(
    root: &mut Map<String, Json>,
    key_path: &[String],
    id: &str,
    record: Json,
    mut listed: Option<Json>,
) {
    let folders = &key_path[..key_path.len().saturating_sub(1)];
    let mut parent = root;
    for (depth, folder) in folders.iter().enumerate() {
        if depth > 0 && depth + 1 == folders.len() {
            let list = parent
                .entry(format!("{folder}_list"))
                .or_insert_with(|| Json::Array(Vec::new()));
            if let (Json::Array(list), Some(listed)) = (list, listed.take()) {
                list.push(listed);
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
            _ => return,
        }
    }
    parent.insert(id.to_string(), record);
}

/// What a build keeps of one checked data file: its numbers' row of the table of the data,
/// its fingerprint and its tree packed. Made as soon as the file is checked, so that its
/// tree can go at once (see [`LazyValues::of_packed_files`]).
#[derive(Debug)]
pub struct Packed {
    source: SourceFile,
    print: String,
    file: PackedFile,
}

impl Packed {
    /// File number `index` of the data (in path order), checked, packed; its table of
    /// numbers shared in `tables` with those of the files before it.
    pub fn new(
        index: usize,
        file: &DataFile,
        schema: Option<&Schema>,
        tables: &SharedTables,
    ) -> Packed {
        let (_, source) = marked_record(index, file, schema, Make::Table, None);
        Packed {
            source: tables.share(source),
            print: file.fingerprint().to_string(),
            file: PackedFile::new(file),
        }
    }

    /// The file, packed.
    pub fn file(&self) -> &PackedFile {
        &self.file
    }

    /// The fingerprint of its values as written ([`DataFile::fingerprint`]).
    pub fn print(&self) -> &str {
        &self.print
    }
}

/// The template values of the data for a build, made when a page needs them: a village
/// page marks its one record, a page reading a whole folder (`villages_list`) marks the
/// folder's records then (on every core) and lets them go with its context. Only the values
/// of files outside folders (a few) are made at once. Every number gets the place in the
/// table ([`sources_of`]) that [`data_context`] gives it, so pages are the same. The files
/// wait packed ([`PackedFile`]: a seventh of their trees' memory), each unpacked when a
/// page reads it.
pub struct LazyValues<'s> {
    files: Vec<PackedFile>,
    schema: Option<&'s Schema>,
    /// The values of the files outside folders (`township`).
    singles: Map<String, Json>,
    /// Each top-level folder and the numbers of its files (at any depth), in order.
    folders: std::collections::BTreeMap<String, Vec<usize>>,
    /// The files' numbers in the order of their key paths (`villages`, `hengxi`), for a
    /// record's file found by halving (no copy of every key path, 100,000 of them).
    by_key_path: Vec<u32>,
}

impl<'s> LazyValues<'s> {
    /// Takes the checked data of a build: makes the values of the files outside folders,
    /// and packs every file — with the table of the data's numbers (as [`sources_of`] makes
    /// it) and every file's fingerprint by its path (as [`Data::fingerprints`]), all made in
    /// one pass on every core in which each file's tree is let go as soon as it is packed:
    /// the trees of 100,000 villages (416 MiB) are never held with the table beside them.
    pub fn for_build(
        data: Data,
        schema: Option<&'s Schema>,
    ) -> (
        LazyValues<'s>,
        Sources,
        std::collections::BTreeMap<String, String>,
    ) {
        use rayon::prelude::*;
        let (singles, folders) = Self::singles_and_folders(&data, schema);
        let progress = crate::progress::Progress::new("数值 values", data.files.len());
        let tables = SharedTables::default();
        let packed: Vec<Packed> = data
            .files
            .into_par_iter()
            .enumerate()
            .map(|(index, file)| {
                progress.tick();
                Packed::new(index, &file, schema, &tables)
            })
            .collect();
        progress.finish();
        Self::assemble(packed, schema, singles, folders)
    }

    /// Like [`LazyValues::for_build`] for files already packed as they were checked
    /// (`packed`, in the data's order: [`Packed::new`]); `data` holds the same files, those
    /// outside folders whole (their values are made now), the others as much as the checks
    /// read of them (only their places are read here).
    pub fn of_packed_files(
        data: &Data,
        packed: Vec<Packed>,
        schema: Option<&'s Schema>,
    ) -> (
        LazyValues<'s>,
        Sources,
        std::collections::BTreeMap<String, String>,
    ) {
        let (singles, folders) = Self::singles_and_folders(data, schema);
        Self::assemble(packed, schema, singles, folders)
    }

    /// The values of the `packed` files, with the table of their numbers and their
    /// fingerprints by path.
    fn assemble(
        packed: Vec<Packed>,
        schema: Option<&'s Schema>,
        singles: Map<String, Json>,
        folders: std::collections::BTreeMap<String, Vec<usize>>,
    ) -> (
        LazyValues<'s>,
        Sources,
        std::collections::BTreeMap<String, String>,
    ) {
        let mut sources = Sources::default();
        let mut prints = std::collections::BTreeMap::new();
        let mut files = Vec::with_capacity(packed.len());
        for Packed {
            source,
            print,
            file,
        } in packed
        {
            prints.insert(crate::site_path::slashed(&file.path), print);
            sources.files.push(Arc::new(source));
            files.push(file);
        }
        let lazy = Self::of_packed(files, schema, singles, folders);
        (lazy, sources, prints)
    }

    /// The values of the files outside folders (`township`), and each top-level folder
    /// with the numbers of its files.
    fn singles_and_folders(
        data: &Data,
        schema: Option<&Schema>,
    ) -> (
        Map<String, Json>,
        std::collections::BTreeMap<String, Vec<usize>>,
    ) {
        let mut singles = Map::new();
        let mut folders: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
        for (index, file) in data.files.iter().enumerate() {
            match file.key_path.as_slice() {
                [name] => {
                    let (record, _) = marked_record(index, file, schema, Make::Value, None);
                    singles.insert(name.clone(), record);
                }
                [folder, ..] => folders.entry(folder.clone()).or_default().push(index),
                [] => {}
            }
        }
        (singles, folders)
    }

    /// The values of the packed `files` (in the data's order).
    fn of_packed(
        files: Vec<PackedFile>,
        schema: Option<&'s Schema>,
        singles: Map<String, Json>,
        folders: std::collections::BTreeMap<String, Vec<usize>>,
    ) -> LazyValues<'s> {
        use rayon::prelude::*;
        let mut by_key_path: Vec<u32> = (0..files.len() as u32).collect();
        by_key_path.par_sort_unstable_by(|&a, &b| {
            files[a as usize].key_path.cmp(&files[b as usize].key_path)
        });
        LazyValues {
            files,
            schema,
            singles,
            folders,
            by_key_path,
        }
    }

    /// The data files, packed, in the data's order.
    pub fn files(&self) -> &[PackedFile] {
        &self.files
    }

    /// The top-level names of the data context (`township`, `villages`).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.singles
            .keys()
            .map(String::as_str)
            .chain(self.folders.keys().map(String::as_str))
    }

    /// The value of the top-level name `name`, as [`data_context`] has it.
    pub fn value(&self, name: &str) -> Option<Json> {
        if let Some(value) = self.singles.get(name) {
            return Some(value.clone());
        }
        let files = self.folders.get(name)?;
        // With a copy for its folder's list, for a file of a folder inside a folder.
        let marked = self.marked_each(files, None, |record, file| {
            let copy = (file.key_path.len() > 2).then(|| record.clone());
            (record, copy)
        })?;
        let mut root = Map::new();
        for (&index, (record, listed)) in files.iter().zip(marked) {
            let file = &self.files[index];
            put(&mut root, &file.key_path, file.id(), record, listed);
        }
        root.remove(name)
    }

    /// The list form `name` of a top-level folder (`villages_list`), as [`list_form`] makes
    /// it, the first `limit` records when there is a limit, with only `fields` of each when
    /// the template reads only those.
    pub fn list(
        &self,
        name: &str,
        limit: Option<usize>,
        fields: Option<&std::collections::BTreeSet<String>>,
    ) -> Option<Json> {
        self.list_source(name, limit, fields)?.records()
    }

    /// The list form `name` of a top-level folder as [`LazyValues::list`] gives it, its
    /// records made as a template reads them ([`RecordList`]).
    pub fn list_source<'l>(
        &'l self,
        name: &str,
        limit: Option<usize>,
        fields: Option<&'l std::collections::BTreeSet<String>>,
    ) -> Option<RecordList<'l>> {
        let folder = name.strip_suffix("_list")?;
        // Its files of its own: a folder of folders has no list form (see
        // [`top_level_folders`]).
        let own: Vec<usize> = self
            .folders
            .get(folder)?
            .iter()
            .copied()
            .filter(|&i| self.files[i].key_path.len() == 2)
            .collect();
        if own.is_empty() {
            return None;
        }
        let mut files = own;
        files.truncate(limit.unwrap_or(usize::MAX));
        Some(RecordList {
            values: self,
            files,
            fields,
            whole: std::sync::OnceLock::new(),
        })
    }

    /// The record of a generated page.
    pub fn record(&self, at: &super::pages::RecordRef) -> Option<Json> {
        let wanted = at.folder.iter().map(String::as_str).chain([at.id.as_str()]);
        let place = self.by_key_path.binary_search_by(|&index| {
            let key_path = self.files[index as usize]
                .key_path
                .iter()
                .map(String::as_str);
            key_path.cmp(wanted.clone())
        });
        let index = *self.by_key_path.get(place.ok()?)? as usize;
        self.marked(index, None).map(|(record, _)| record)
    }

    /// The value of file number `index` with marked numbers (only `fields` of it when
    /// given), and the file unpacked.
    fn marked(
        &self,
        index: usize,
        fields: Option<&std::collections::BTreeSet<String>>,
    ) -> Option<(Json, DataFile)> {
        let file = self.files[index].unpack()?;
        // Only the fields the templates read are made (the overview of 10,000 villages
        // reads a few of each village's sixty).
        let (record, _) = marked_record(index, &file, self.schema, Make::Value, fields);
        Some((record, file))
    }

    /// What `each` makes of the value of each file of `files` (with the file), only `fields`
    /// of each value when given.
    ///
    /// On the page's own core, in turn: it is called while a page is rendered, on one of the
    /// cores rendering the others, and a core waiting for its share of work spread over the
    /// cores takes other pages meanwhile, the page's values held (as a wait for every core
    /// in [`crate::give_back_freed_memory`] once made the overview of 100,000 villages wait
    /// for 47,000 village pages).
    fn marked_each<T>(
        &self,
        files: &[usize],
        fields: Option<&std::collections::BTreeSet<String>>,
        each: impl Fn(Json, &DataFile) -> T,
    ) -> Option<Vec<T>> {
        files
            .iter()
            .map(|&index| {
                let (record, file) = self.marked(index, fields)?;
                Some(each(record, &file))
            })
            .collect()
    }
}

/// A folder's list form (`villages_list`) whose records are made as a template reads them
/// (a [`tera::ListSource`]): a loop over it makes one record at a time, `| length` makes
/// none, `| sum(attribute="people")` the values of that field alone, any other use the
/// whole list once. The overview of 100,000 villages held its 100,000 records (146 MiB)
/// while Tera wrote its table.
pub struct RecordList<'v> {
    values: &'v LazyValues<'v>,
    /// The folder's files, by their numbers.
    files: Vec<usize>,
    /// The only fields a record holds (and `id`), when the templates read only those.
    fields: Option<&'v std::collections::BTreeSet<String>>,
    /// The records whole, made when a template first reads them so (kept while the list
    /// is: a template that filters the list for each of its rows makes it once).
    whole: std::sync::OnceLock<Option<Json>>,
}

impl RecordList<'_> {
    /// The records whole (with only the list's `fields` of each): as the list was before
    /// Tera could read it a record at a time.
    fn records(&self) -> Option<Json> {
        // Each record straight into the list (the list of 100,000 villages is the overview
        // page's peak: no pairs of a record and its copy made first).
        let records = self
            .values
            .marked_each(&self.files, self.fields, |record, _| record)?;
        Some(Json::Array(records))
    }
}

impl tera::ListSource for RecordList<'_> {
    fn len(&self) -> usize {
        self.files.len()
    }

    fn item(&self, index: usize) -> Option<Json> {
        let &file_index = self.files.get(index)?;
        let (record, _) = self.values.marked(file_index, self.fields)?;
        Some(record)
    }

    fn values(&self, attribute: &str) -> Option<Vec<Json>> {
        // A path of names only (`registered.households`; no index, no `~` escape, no quote),
        // which `sum`'s look-up and Tera's read alike; any other is read from the whole
        // records.
        let names = attribute.split('.').all(|name| {
            !name.is_empty()
                && !name.contains(['~', '"', '\''])
                && !name.bytes().all(|b| b.is_ascii_digit())
        });
        if !names {
            return None;
        }
        // Each record made with the attribute's top-level field alone (a number keeps its
        // place in its file's table whatever else is made), its value taken out.
        let field = attribute.split('.').next()?;
        let only = std::collections::BTreeSet::from([field.to_string()]);
        let picked = self
            .values
            .marked_each(&self.files, Some(&only), |mut record, _| {
                attribute
                    .split('.')
                    .try_fold(&mut record, |value, name| value.get_mut(name))
                    .map(Json::take)
            })?;
        picked.into_iter().collect()
    }

    fn list(&self) -> Option<&Json> {
        self.whole.get_or_init(|| self.records()).as_ref()
    }
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

/// File number `index` as a template value with marked numbers and its `id`, and the table
/// of its numbers. With `fields`, only those top-level fields (and `id`): the numbers of the
/// others keep their places in the file's table, their values are not made (nor, so, their
/// rows of the table: for template values alone, [`Make::Value`]).
fn marked_record(
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
fn marked_file(
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
enum Make {
    /// The template value and the table.
    Both,
    /// The table of numbers only (the value is `null`).
    Table,
    /// The template value only (the table is left empty).
    Value,
}

/// What the schema says is at a place: the fields of a record, or one field.
#[derive(Clone, Copy)]
enum Shape<'s> {
    Record(&'s [(String, Field)]),
    Field(&'s Field),
}

struct Marker<'m> {
    file: u32,
    /// The file's numbers (its table's rows), as found.
    values: Vec<SourceValue>,
    /// The place of the next number in the file's table.
    next: u32,
    make: Make,
    /// The only top-level fields to make (taken by the walk of the file's mapping).
    top_level: Option<&'m std::collections::BTreeSet<String>>,
    /// The key path of the value being walked (`exits[year=2015].people`): grown and cut
    /// back as the walk goes down and up (two strings made for each value of every file
    /// were a quarter of the table's making).
    key: String,
    /// Its name from the schema's labels (`历年脱贫 [2015] 人数`), grown and cut back as
    /// `key` is.
    label: String,
}

/// Adds `part` to the path `path` (`.` or ` ` between them when the path is not empty).
fn push_part(path: &mut String, separator: char, part: &str) {
    if !path.is_empty() {
        path.push(separator);
    }
    path.push_str(part);
}

/// How many numbers `node` holds: the places in its file's table a value not made skips.
fn numbers_in(node: &Node) -> u32 {
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
    fn node(&mut self, node: &Node, shape: Option<Shape<'_>>) -> Json {
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
fn schema_field(fields: &[(String, Field)], name: &str, from: usize) -> Option<usize> {
    let is_it = |(n, _): &(String, Field)| n == name;
    let later = fields.get(from..).unwrap_or_default();
    match later.iter().position(is_it) {
        Some(at) => Some(from + at),
        None => fields[..from.min(fields.len())].iter().position(is_it),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

//! A build's template values, made page by page: each data file packed with its row of the
//! table of numbers (the tables shared as they are made), unpacked when a page reads it;
//! a long folder list handed to Tera a record at a time.

use serde_json::{Map, Value as Json};
use std::sync::Arc;

use super::marked::{Make, marked_record};
use crate::load::{Data, DataFile, PackedFile};
use crate::provenance::{SourceFile, SourceValue, Sources};
use crate::render::pages;
use crate::validate::schema::Schema;

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
    pub(super) fn share(&self, mut source: SourceFile) -> SourceFile {
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
pub(super) fn put(
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
    pub(super) source: SourceFile,
    pub(super) print: String,
    pub(super) file: PackedFile,
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
    pub(super) files: Vec<PackedFile>,
    pub(super) schema: Option<&'s Schema>,
    /// The values of the files outside folders (`township`).
    pub(super) singles: Map<String, Json>,
    /// Each top-level folder and the numbers of its files (at any depth), in order.
    pub(super) folders: std::collections::BTreeMap<String, Vec<usize>>,
    /// The files' numbers in the order of their key paths (`villages`, `hengxi`), for a
    /// record's file found by halving (no copy of every key path, 100,000 of them).
    pub(super) by_key_path: Vec<u32>,
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
    pub(super) fn assemble(
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
    pub(super) fn singles_and_folders(
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
    pub(super) fn of_packed(
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
    pub fn record(&self, at: &pages::RecordRef) -> Option<Json> {
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
    pub(super) fn marked(
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
    pub(super) fn marked_each<T>(
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
    pub(super) values: &'v LazyValues<'v>,
    /// The folder's files, by their numbers.
    pub(super) files: Vec<usize>,
    /// The only fields a record holds (and `id`), when the templates read only those.
    pub(super) fields: Option<&'v std::collections::BTreeSet<String>>,
    /// The records whole, made when a template first reads them so (kept while the list
    /// is: a template that filters the list for each of its rows makes it once).
    pub(super) whole: std::sync::OnceLock<Option<Json>>,
}

impl RecordList<'_> {
    /// The records whole (with only the list's `fields` of each): as the list was before
    /// Tera could read it a record at a time.
    pub(super) fn records(&self) -> Option<Json> {
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

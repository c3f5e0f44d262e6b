//! What a page depends on: fingerprints of its inputs, and the pages kept between builds
//! (by `huibao serve`) to be reused when their inputs did not change.

use bytes::Bytes;
use serde_json::{Map, Value as Json};
// The maps here are looked up for each of 10,000 pages and filled for each of 10,000 files
// at each rebuild of the preview: hashed with FxHash (their order is never read). The prints
// themselves are made by [`print_hasher`].
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::hash::{BuildHasher, Hash, Hasher};

use super::pages::{self, PagePlan};
use crate::manifest;

/// Pages kept between builds (by `huibao serve`): a page whose inputs — its template, the
/// data it reads (see [`super::deps`]), its record, the layout and the navigation — did not change
/// is not rendered again.
#[derive(Debug, Default)]
pub struct PageCache {
    pub(super) pages: KeptPages,
    /// The data files of the build that made the pages, in order: the pages' figures name
    /// values by their file's number, so pages are kept only while the files are the same.
    pub(super) files: Vec<String>,
    /// The data context the pages were made with, patched by the next build.
    pub(super) context: super::context::Cache,
    /// The data files' prints, for the next build's.
    pub(super) file_prints: FilePrints,
    /// A print of the set of output files the kept pages' links were checked against.
    pub(super) output_print: u64,
    /// The search terms' numbers, which the kept pages' search entries use.
    pub(super) search_terms: std::sync::Arc<std::sync::RwLock<crate::search::index::Dictionary>>,
    /// The last plan with the print of what it was made of (a plan with problems is not
    /// kept).
    pub(super) planned: Option<(u64, std::sync::Arc<super::Planned>)>,
    /// What the type check of the content templates found, with what it read.
    pub(super) typechecked: Option<super::typecheck::Checked>,
    /// The layout templates, with the print of their texts.
    pub(super) layout: Option<(u64, std::sync::Arc<tera::Tera>)>,
    /// The content templates, parsed, with the print of their names and texts.
    pub(super) content: Option<(u64, tera::Tera)>,
    /// The output's paths, with the plan and a print of the other files they were made of.
    pub(super) outputs: Option<(
        std::sync::Arc<super::Planned>,
        u64,
        std::sync::Arc<super::site_files::OutputPaths>,
    )>,
}

/// The pages kept by output path (hashed with FxHash: 10,000 paths looked up and stored
/// again at each rebuild of the preview).
pub(super) type KeptPages = rustc_hash::FxHashMap<String, CachedPage>;

/// Each data file's print from the last build, with the file it was made from (see
/// `data_prints`).
#[derive(Debug, Default)]
pub(super) struct FilePrints {
    schema: u64,
    files: Vec<(std::sync::Arc<crate::load::DataFile>, u64)>,
    /// (content template, folder list) → the fields it read, and per record of the list the
    /// print of those fields: a record whose file did not change keeps its print.
    lists: HashMap<(usize, String), (std::collections::BTreeSet<String>, Vec<u64>)>,
}

/// A page kept for the next build: shared, never copied (the preview serves the same bytes).
#[derive(Debug)]
pub(super) struct CachedPage {
    /// The fingerprint of its inputs.
    pub print: u64,
    /// The whole page.
    pub bytes: Bytes,
    /// Its section of the whole-report page (when the site has one).
    pub section: Option<Bytes>,
    /// The figures it printed.
    pub figures: std::sync::Arc<manifest::Figures>,
    /// Its anchors, for the link check of the pages that link to it.
    pub anchors: Vec<u64>,
    /// Its content's links as written and what the check found of them (its anchors
    /// aside), against the output files of [`PageCache::output_print`]: checked again when
    /// it is reused by a build with other files.
    pub links: super::links::PageLinks,
    /// Its part of the search index (when the site has search).
    pub search: Option<std::sync::Arc<crate::search::index::Entry>>,
    /// The CSV files of its data tables (paths in the site).
    pub tables: Vec<(String, Bytes)>,
}

/// The print of the content templates' names and texts, all at once.
pub(super) fn sources_print(sources: &[pages::Source]) -> u64 {
    fingerprint(
        &sources
            .iter()
            .map(|s| (&s.name, &s.template))
            .collect::<Vec<_>>(),
    )
}

/// The print of `value` (kept in memory only, between the preview's builds).
pub(super) fn fingerprint(value: &impl Hash) -> u64 {
    let mut hasher = print_hasher();
    value.hash(&mut hasher);
    hasher.finish()
}

/// The hasher of every print here: foldhash's quality variant with its fixed seed (the same
/// prints in every run), not SipHash — 10,000 pages' and files' prints at every correction
/// in the preview, where SipHash took a tenth of a correction's instructions.
type PrintHasher = foldhash::quality::FoldHasher<'static>;

/// A new [`PrintHasher`].
fn print_hasher() -> PrintHasher {
    foldhash::quality::FixedState::default().build_hasher()
}

/// What a page's HTML depends on, as fingerprints: a page whose inputs did not change is
/// not rendered again (see [`PageCache`]).
pub(super) struct Prints<'d> {
    /// Each top-level data name (`township`, `villages`) → its fingerprint.
    data: HashMap<String, u64>,
    /// All the data at once, for a template whose reads cannot be known.
    all_data: u64,
    /// The layout, the site settings and the corrections.
    theme: u64,
    /// The navigation every page shows.
    toc: u64,
    /// All content templates at once.
    all_content: u64,
    /// Each content template (its name and text), hashed once, not once per page.
    templates: Vec<u64>,
    /// Per content template, the top-level data names it reads (`None`: unknown).
    reads: Vec<Option<std::collections::BTreeSet<String>>>,
    /// (content template, folder list) → the fingerprint of the fields of the list's records
    /// the template reads (see [`super::deps::list_fields`]): an overview of villages is not
    /// made again when a field it does not show changes.
    list_prints: HashMap<usize, HashMap<String, u64>>,
    /// Each data file's fingerprint (by its folder's key path and its id; of its number,
    /// contents, places and the schema): what a generated page's record is made of.
    records: Records<'d>,
    /// Per content template, the print of it and of the data it reads (made once, not
    /// for each of its pages).
    by_source: Vec<u64>,
}

/// Data files' prints by folder (key path) and id: one map, made for as many as there are
/// files at once (10,000 at each correction in the preview; a map per folder grew by
/// doubling, each step hashing its ids again).
type Records<'d> = HashMap<(&'d [String], &'d str), u64>;

impl PageCache {
    /// Keeps the pages only while the data files are those of `sources`: figures name data
    /// values by file number, so with another list of files no page is reused.
    pub(super) fn keep_pages_of(&mut self, sources: &crate::provenance::Sources) {
        let same_files = self.files.len() == sources.files.len()
            && self
                .files
                .iter()
                .zip(&sources.files)
                .all(|(kept, now)| *kept == now.path);
        if !same_files {
            self.pages.clear();
            self.files = sources.files.iter().map(|f| f.path.clone()).collect();
        }
    }
}

impl<'d> Prints<'d> {
    /// The fingerprints of a build: of each top-level data name, of the layout (`theme`),
    /// of the navigation every page shows, of the content templates and what each reads.
    pub(super) fn new(
        (data_map, files, schema): (
            &Map<String, Json>,
            &'d [std::sync::Arc<crate::load::DataFile>],
            u64,
        ),
        theme: u64,
        plan: &PagePlan,
        sources: &[pages::Source],
        (reads, list_fields): (
            Vec<Option<std::collections::BTreeSet<String>>>,
            &[Option<super::deps::ListFields>],
        ),
        last: &mut FilePrints,
    ) -> Prints<'d> {
        let mut records = HashMap::default();
        let (data, changed) = data_prints(data_map, files, schema, (&mut records, last));
        let mut lists_before = std::mem::take(&mut last.lists);
        let mut list_prints: HashMap<usize, HashMap<String, u64>> = HashMap::default();
        for (source, lists) in list_fields.iter().enumerate() {
            for (list, fields) in lists.iter().flatten() {
                let Some(fields) = fields else { continue };
                let folder = list.strip_suffix("_list").unwrap_or(list);
                let Some(Json::Object(records)) = data_map.get(folder) else {
                    continue;
                };
                let key = (source, list.clone());
                // The prints of its records the last build made, while they are of the same
                // fields of as many records, and the records are files' (a folder inside the
                // folder changes with its files).
                let before = lists_before.remove(&key).filter(|(read, prints)| {
                    read == fields && prints.len() == records.len() && !changed.deep(folder)
                });
                let mut hasher = print_hasher();
                // The schema (labels, units) is part of every data print.
                schema.hash(&mut hasher);
                // `name` too: it names the figures of the record (their `what` in the
                // figures manifest). Each field looked up in the record (a few), not each of
                // the record's fields in the set (sixty a village).
                let read: Vec<&str> = ["id", "name"]
                    .into_iter()
                    .chain(
                        fields
                            .iter()
                            .map(String::as_str)
                            .filter(|f| *f != "id" && *f != "name"),
                    )
                    .collect();
                let mut prints = Vec::with_capacity(records.len());
                for (position, (id, record)) in records.iter().enumerate() {
                    let kept = before
                        .as_ref()
                        .filter(|_| !changed.record(folder, id))
                        .map(|(_, prints)| prints[position]);
                    let print = kept.unwrap_or_else(|| record_print(id, record, &read));
                    print.hash(&mut hasher);
                    prints.push(print);
                }
                let by_list = list_prints.entry(source).or_default();
                by_list.insert(list.clone(), hasher.finish());
                last.lists.insert(key, (fields.clone(), prints));
            }
        }
        let all_data = fingerprint(&data_map.keys().map(|k| (k, data[k])).collect::<Vec<_>>());
        // Every page's sidebar lists the same pages; what differs per page is which is
        // current, its neighbours and its breadcrumbs.
        let toc = fingerprint(&(
            plan.pages
                .iter()
                .map(|p| (&p.title, &p.output))
                .collect::<Vec<_>>(),
            plan.toc
                .iter()
                .map(|e| (e.page, &e.children))
                .collect::<Vec<_>>(),
        ));
        let all_content = sources_print(sources);

        let templates = sources
            .iter()
            .map(|s| fingerprint(&(&s.name, &s.template)))
            .collect();
        let mut prints = Prints {
            data,
            all_data,
            theme,
            toc,
            all_content,
            templates,
            reads,
            list_prints,
            records,
            by_source: Vec::new(),
        };
        prints.by_source = (0..sources.len())
            .map(|source| prints.source(source))
            .collect();
        prints
    }

    /// The print of content template `source` and of the data it reads: of each top-level
    /// name it reads (of the fields of a list's records it shows, for a list), or of all
    /// the data when what it reads cannot be known.
    fn source(&self, source: usize) -> u64 {
        fingerprint(&match &self.reads[source] {
            Some(names) => (
                self.templates[source],
                names
                    .iter()
                    .map(|n| {
                        let lists = self.list_prints.get(&source);
                        let fields = lists.and_then(|l| l.get(n)).copied();
                        let listed = || self.data.get(n.strip_suffix("_list")?).copied();
                        fields.or_else(|| self.data.get(n).copied()).or_else(listed)
                    })
                    .collect::<Vec<_>>(),
            ),
            None => (self.all_content, vec![Some(self.all_data)]),
        })
    }

    /// The fingerprint of the inputs of page `index`: its template and the data it reads,
    /// its record, its place in the navigation, the layout.
    pub(super) fn page(&self, plan: &PagePlan, index: usize) -> u64 {
        let page = &plan.pages[index];
        fingerprint(&(
            self.theme,
            self.toc,
            plan.neighbours(index),
            &page.key,
            page.number_headings,
            page.record.as_ref().map(|r| {
                let print = self.records.get(&(&r.folder[..], r.id.as_str()));
                (&*r.var, print.copied())
            }),
            self.by_source.get(page.source),
        ))
    }
}

/// The print of the fields `read` of the record `id` of a folder list.
fn record_print(id: &str, record: &Json, read: &[&str]) -> u64 {
    let mut hasher = print_hasher();
    id.hash(&mut hasher);
    if let Json::Object(record) = record {
        for key in read {
            key.hash(&mut hasher);
            match record.get(*key) {
                Some(value) => {
                    1u8.hash(&mut hasher);
                    hash_json(value, &mut hasher);
                }
                None => 0u8.hash(&mut hasher),
            }
        }
    }
    hasher.finish()
}

/// The data files whose prints were made anew (not known from the last build): their
/// records' values may have changed.
#[derive(Default)]
struct Changed<'d> {
    /// Top-level folder → the ids of its changed files.
    records: HashMap<&'d str, HashSet<&'d str>>,
    /// Top-level folders with a folder inside.
    deep: HashSet<&'d str>,
}

impl Changed<'_> {
    /// Whether record `id` of top-level folder `folder` may have changed.
    fn record(&self, folder: &str, id: &str) -> bool {
        self.records.get(folder).is_some_and(|ids| ids.contains(id))
    }

    /// Whether top-level folder `folder` has folders inside.
    fn deep(&self, folder: &str) -> bool {
        self.deep.contains(folder)
    }
}

/// The fingerprint of each top-level name of the data context (`villages_list` has that of
/// `villages`), from what the context is made of rather than from its text: each file's
/// number, path and values (their fingerprint from loading), the place of every value (a
/// figure's source names its line), and the schema (labels, units). With it, the files
/// whose prints were made anew.
fn data_prints<'d>(
    data_map: &Map<String, Json>,
    files: &'d [std::sync::Arc<crate::load::DataFile>],
    schema: u64,
    (by_file, last): (&mut Records<'d>, &mut FilePrints),
) -> (HashMap<String, u64>, Changed<'d>) {
    let mut by_top: HashMap<&str, PrintHasher> = HashMap::default();
    let mut made = Vec::with_capacity(files.len());
    by_file.reserve(files.len());
    let mut changed = Changed::default();
    for (index, file) in files.iter().enumerate() {
        let Some(top) = file.key_path.first() else {
            made.push((file.clone(), 0));
            continue;
        };
        // The same file (by pointer: the caches hand on unchanged files) at the same place
        // with the same schema has the print it had.
        let known = last
            .files
            .get(index)
            .filter(|(was, _)| last.schema == schema && std::sync::Arc::ptr_eq(was, file));
        match &file.key_path[..] {
            [folder, _, _, ..] => {
                changed.deep.insert(folder.as_str());
            }
            [folder, id] if known.is_none() => {
                let ids = changed.records.entry(folder.as_str()).or_default();
                ids.insert(id.as_str());
            }
            _ => {}
        }
        let print = match known {
            Some((_, print)) => *print,
            None => {
                let mut own = print_hasher();
                schema.hash(&mut own);
                (index, &file.path, file.fingerprint()).hash(&mut own);
                places(&file.root, &mut own);
                own.finish()
            }
        };
        made.push((file.clone(), print));
        if let Some((id, folder)) = file.key_path.split_last() {
            by_file.insert((folder, id.as_str()), print);
        }
        let hasher = by_top.entry(top.as_str()).or_insert_with(|| {
            let mut h = print_hasher();
            schema.hash(&mut h);
            h
        });
        print.hash(hasher);
    }
    last.schema = schema;
    last.files = made;
    let prints: HashMap<&str, u64> = by_top.into_iter().map(|(k, h)| (k, h.finish())).collect();
    let tops = data_map
        .keys()
        .map(|name| {
            let own = prints.get(name.as_str()).copied();
            let listed = || prints.get(name.strip_suffix("_list")?).copied();
            (name.clone(), own.or_else(listed).unwrap_or_default())
        })
        .collect();
    (tops, changed)
}

/// Hashes a template value as it is, its mappings' keys in their order (the order a
/// template lists them in): without writing it out as text first.
fn hash_json(value: &Json, hasher: &mut impl Hasher) {
    match value {
        Json::Null => 0u8.hash(hasher),
        Json::Bool(b) => (1u8, b).hash(hasher),
        Json::Number(n) => (2u8, n).hash(hasher),
        Json::String(s) => (3u8, s).hash(hasher),
        Json::Array(items) => {
            (4u8, items.len()).hash(hasher);
            items.iter().for_each(|item| hash_json(item, hasher));
        }
        Json::Object(entries) => {
            (5u8, entries.len()).hash(hasher);
            for (key, value) in entries {
                key.hash(hasher);
                hash_json(value, hasher);
            }
        }
    }
}

/// Hashes where every value and key of `node` is.
fn places(node: &crate::load::Node, hasher: &mut PrintHasher) {
    (node.line, node.col).hash(hasher);
    match &node.value {
        crate::load::Value::List(items) => items.iter().for_each(|item| places(item, hasher)),
        crate::load::Value::Map(entries) => {
            for (key, value) in entries {
                key.line_col().hash(hasher);
                places(value, hasher);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(value: Json) -> u64 {
        let mut hasher = print_hasher();
        hash_json(&value, &mut hasher);
        hasher.finish()
    }

    #[test]
    fn a_value_is_hashed_by_what_a_template_sees_of_it() {
        let base = print(serde_json::json!({"people": 234, "name": "横溪村", "exits": [1, 2]}));
        assert_eq!(
            base,
            print(serde_json::json!({"people": 234, "name": "横溪村", "exits": [1, 2]}))
        );
        for other in [
            serde_json::json!({"people": 235, "name": "横溪村", "exits": [1, 2]}),
            serde_json::json!({"people": "234", "name": "横溪村", "exits": [1, 2]}),
            serde_json::json!({"name": "横溪村", "people": 234, "exits": [1, 2]}),
            serde_json::json!({"people": 234, "name": "横溪村", "exits": [[1], 2]}),
            serde_json::json!({"people": 234, "name": "横溪村", "exits": [1, 2, null]}),
        ] {
            assert_ne!(base, print(other.clone()), "{other}");
        }
    }
}

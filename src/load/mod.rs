//! Load: read the data files into located value trees.
//!
//! Bytes are checked before parsing so that a file saved in the wrong encoding or a binary
//! file gets a message that says what to do, not a parser's complaint.

mod builder;
mod packed;
mod quick;
mod scalar;
mod slips;
pub mod yaml;

pub use packed::PackedFile;
pub use scalar::{looks_like_decimal, resolve_plain};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Location, Text};
pub use crate::diagnostics::{decode, decode_owned};
pub use yaml::{Key, Node, Value};

/// The largest data file huibao reads (a report's data file is a few kilobytes).
pub const MAX_DATA_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One data file, parsed.
#[derive(Clone, Debug)]
pub struct DataFile {
    /// The file relative to the site folder, e.g. `data/villages/hengxi.yaml`.
    pub path: PathBuf,
    /// Its place in the template context: `["villages", "hengxi"]`.
    pub key_path: Vec<String>,
    /// Its top-level mapping.
    pub root: Node,
    /// See [`DataFile::fingerprint`]: taken when first asked (`huibao check` does not ask;
    /// it was a tenth of its work at 10,000 villages).
    fingerprint: std::sync::OnceLock<String>,
}

impl DataFile {
    /// The data file `path` (its template key `key_path`) of values `root`.
    pub fn new(path: PathBuf, key_path: Vec<String>, root: Node) -> DataFile {
        DataFile {
            path,
            key_path,
            root,
            fingerprint: std::sync::OnceLock::new(),
        }
    }

    /// [`DataFile::new`] with its fingerprint known: a file's values as checked keep the
    /// fingerprint of its values as written.
    pub fn with_fingerprint(
        path: PathBuf,
        key_path: Vec<String>,
        root: Node,
        fingerprint: String,
    ) -> DataFile {
        DataFile {
            path,
            key_path,
            root,
            fingerprint: std::sync::OnceLock::from(fingerprint),
        }
    }

    /// The record's id: its file name without the extension.
    pub fn id(&self) -> &str {
        record_id(&self.key_path)
    }

    /// A fingerprint of its values ([`crate::manifest::fingerprint`] of [`canonical`]: its
    /// keys and values, not its comments, spacing or lines): tells whether its data changed
    /// since the last build.
    pub fn fingerprint(&self) -> &str {
        self.fingerprint.get_or_init(|| {
            let mut fingerprint = crate::manifest::Fingerprinter::default();
            write_canonical(&self.root, &mut fingerprint);
            fingerprint.finish()
        })
    }
}

/// What is known of a data file whether its tree is loaded ([`DataFile`]) or packed
/// ([`PackedFile`]): where it is, its place in the template context, and its top-level
/// texts (a generated page's title).
pub trait FilePlace {
    /// The file relative to the site folder, e.g. `data/villages/hengxi.yaml`.
    fn path(&self) -> &Path;
    /// Its place in the template context: `["villages", "hengxi"]`.
    fn key_path(&self) -> &[String];
    /// The place of its top-level mapping.
    fn root_location(&self) -> Location;
    /// The text of its top-level field `key`, if it has one that is text.
    fn top_level_text(&self, key: &str) -> Option<&str>;

    /// The record's id: its file name without the extension.
    fn id(&self) -> &str {
        record_id(self.key_path())
    }
}

impl FilePlace for DataFile {
    fn path(&self) -> &Path {
        &self.path
    }

    fn key_path(&self) -> &[String] {
        &self.key_path
    }

    fn root_location(&self) -> Location {
        self.root.location(&self.path)
    }

    fn top_level_text(&self, key: &str) -> Option<&str> {
        match &self.root.get(key)?.value {
            Value::String(text) => Some(text),
            _ => None,
        }
    }
}

/// The data's files, shared ([`Data::files`]).
impl<T: FilePlace> FilePlace for Arc<T> {
    fn path(&self) -> &Path {
        T::path(self)
    }

    fn key_path(&self) -> &[String] {
        T::key_path(self)
    }

    fn root_location(&self) -> Location {
        T::root_location(self)
    }

    fn top_level_text(&self, key: &str) -> Option<&str> {
        T::top_level_text(self, key)
    }
}

impl FilePlace for PackedFile {
    fn path(&self) -> &Path {
        &self.path
    }

    fn key_path(&self) -> &[String] {
        &self.key_path
    }

    fn root_location(&self) -> Location {
        let (line, col) = self.root_place().unwrap_or((1, 1));
        Location::new(&self.path, line as usize, col as usize)
    }

    fn top_level_text(&self, key: &str) -> Option<&str> {
        PackedFile::top_level_text(self, key)
    }
}

/// The id of the record at `key_path` (`villages`, `hengxi`): its last part.
fn record_id(key_path: &[String]) -> &str {
    key_path.last().map_or("", String::as_str)
}

/// All data of a site, sorted by path.
#[derive(Clone, Debug, Default)]
pub struct Data {
    /// The files, in path order.
    pub files: Vec<Arc<DataFile>>,
}

impl Data {
    /// Every file's fingerprint by its path (`data/villages/hengxi.yaml`, `/`-separated).
    pub fn fingerprints(&self) -> std::collections::BTreeMap<String, String> {
        self.take_fingerprints();
        self.files
            .iter()
            .map(|f| {
                (
                    crate::site_path::slashed(&f.path),
                    f.fingerprint().to_string(),
                )
            })
            .collect()
    }

    /// Takes, on every core, the fingerprint of each file that has none yet.
    pub fn take_fingerprints(&self) {
        use rayon::prelude::*;
        self.files.par_iter().with_min_len(64).for_each(|f| {
            f.fingerprint();
        });
    }
}

/// Reads and parses every file of `paths` (relative to `root`); reports every bad file.
pub fn load(root: &Path, paths: &[PathBuf]) -> Result<Data, Vec<Diagnostic>> {
    load_cached(root, paths, None)
}

/// Parsed files kept between builds (by `huibao serve`): a file whose size and modification
/// time have not changed is not read again. Files are shared with the build, not copied.
#[derive(Debug, Default)]
pub struct LoadCache {
    /// The files of the last load, in its order, each with the time and size it had when it
    /// was read (`None`: not to be reused — unreadable then, or forgotten since).
    files: Vec<Option<(std::time::SystemTime, u64, Arc<DataFile>)>>,
    /// The only files that may have changed since the last load, when the preview's watcher
    /// knows (see [`LoadCache::only_changed`]): the others are reused without asking their
    /// time and size. Taken by the next load.
    only_changed: Option<crate::site_path::PathsToFind>,
}

impl LoadCache {
    /// Says that of the files of the last load only those at `paths` (relative to the site
    /// folder) can have changed — the preview's watcher saw nothing else change, and the
    /// site has the same files — so that the next load asks no other file's time and size
    /// (10,000 system calls at 10,000 villages). For the next load only.
    pub fn only_changed(&mut self, paths: &[PathBuf]) {
        self.only_changed = Some(crate::site_path::PathsToFind::new(paths.iter().cloned()));
    }

    /// Forgets the files at `paths` (relative to the site folder, as the preview's watcher
    /// reported them changed): read again at the next build whatever their time and size
    /// say (a shared folder may keep a file's time through an edit of the same length).
    pub fn forget<'p>(&mut self, paths: impl IntoIterator<Item = &'p Path>) {
        let paths = crate::site_path::PathsToFind::new(paths);
        for slot in &mut self.files {
            if slot
                .as_ref()
                .is_some_and(|(_, _, file)| paths.contains(&file.path))
            {
                *slot = None;
            }
        }
    }
}

/// What the preview kept of the last build's data files (`entries`), found for this build's
/// files: in the same place while there are as many files, else by path (a file was added
/// or removed). Used by the load cache and the field checks' cache.
pub struct LastBuild<'c, T> {
    entries: &'c [T],
    /// The file an entry is of (`None`: an entry not to be reused).
    file_of: fn(&T) -> Option<&DataFile>,
    /// The entries by their file's path, when the number of files changed.
    by_path: Option<std::collections::HashMap<&'c Path, &'c T>>,
}

impl<'c, T> LastBuild<'c, T> {
    /// The `entries` of the last build, for a build of `files_now` files.
    pub fn new(entries: &'c [T], files_now: usize, file_of: fn(&T) -> Option<&DataFile>) -> Self {
        let by_path = (entries.len() != files_now).then(|| {
            let with_path = |entry| Some((file_of(entry)?.path.as_path(), entry));
            entries.iter().filter_map(with_path).collect()
        });
        LastBuild {
            entries,
            file_of,
            by_path,
        }
    }

    /// The last build's entry of the file at `path`, this build's `index`th.
    pub fn get(&self, index: usize, path: &Path) -> Option<&'c T> {
        let entry = match &self.by_path {
            Some(by_path) => *by_path.get(path)?,
            None => self.entries.get(index)?,
        };
        (self.file_of)(entry)
            .is_some_and(|file| file.path == path)
            .then_some(entry)
    }
}

/// Like [`load`], reusing the files of `cache` that did not change, and updating it (with no
/// cache, no file's time and size are asked for).
pub fn load_cached(
    root: &Path,
    paths: &[PathBuf],
    mut cache: Option<&mut LoadCache>,
) -> Result<Data, Vec<Diagnostic>> {
    let keep = cache.is_some();
    let only_changed = cache.as_mut().and_then(|c| c.only_changed.take());
    let known = cache.as_deref();
    // Files unchanged since the last build come from the cache; the others are parsed,
    // on every core. A file whose parsing panics is an internal error of that file, as a
    // page is in render.
    let earlier = known.map(|c| {
        LastBuild::new(&c.files, paths.len(), |slot| {
            slot.as_ref().map(|(_, _, file)| &**file)
        })
    });
    use rayon::prelude::*;
    let progress = crate::progress::Progress::new("数据 data", paths.len());
    type Loaded = (
        Option<(std::time::SystemTime, u64)>,
        Result<Arc<DataFile>, Vec<Diagnostic>>,
    );
    let results: Vec<Loaded> = (0..paths.len())
        .into_par_iter()
        .with_min_len(64)
        .map(|i| {
            let last = earlier.as_ref().and_then(|e| e.get(i, &paths[i])?.as_ref());
            // A file the watcher did not see change keeps the time and size it had.
            let unseen = only_changed
                .as_ref()
                .is_some_and(|changed| !changed.contains(&paths[i]));
            let stamp = match last {
                Some((modified, len, _)) if unseen => Some((*modified, *len)),
                _ => keep
                    .then(|| std::fs::metadata(root.join(&paths[i])).ok())
                    .flatten()
                    .and_then(|m| Some((m.modified().ok()?, m.len()))),
            };
            let cached = last
                .filter(|(modified, len, _)| Some((*modified, *len)) == stamp)
                .map(|(_, _, file)| file.clone());
            let file = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                cached.map_or_else(|| load_file(root, &paths[i]).map(Arc::new), Ok)
            }))
            .unwrap_or_else(|_| Err(vec![Diagnostic::internal()]));
            progress.tick();
            (stamp, file)
        })
        .collect();
    progress.finish();
    if let Some(cache) = cache.as_mut() {
        cache.files = results
            .iter()
            .map(|(stamp, result)| match (stamp, result) {
                (Some((modified, len)), Ok(file)) => Some((*modified, *len, file.clone())),
                _ => None,
            })
            .collect();
    }
    all_or_problems(results.into_iter().map(|(_, result)| result)).map(|files| Data { files })
}

/// Every one of `results`, or every problem of those that failed.
fn all_or_problems<T>(
    results: impl ExactSizeIterator<Item = Result<T, Vec<Diagnostic>>>,
) -> Result<Vec<T>, Vec<Diagnostic>> {
    let mut made = Vec::with_capacity(results.len());
    let mut problems = Vec::new();
    for result in results {
        match result {
            Ok(one) => made.push(one),
            Err(mut found) => problems.append(&mut found),
        }
    }
    if problems.is_empty() {
        Ok(made)
    } else {
        Err(problems)
    }
}

/// Reads and parses every file of `paths` as [`load`] does, on every core, handing each
/// file to `each` as soon as it is parsed (with its number in `paths`) and keeping what
/// `each` makes of it instead of its tree; reports every bad file. A file whose reading or
/// `each` panics is an internal error of that file.
pub fn load_each<T: Send>(
    root: &Path,
    paths: &[PathBuf],
    each: impl Fn(usize, DataFile) -> T + Sync,
) -> Result<Vec<T>, Vec<Diagnostic>> {
    use rayon::prelude::*;
    let progress = crate::progress::Progress::new("数据 data", paths.len());
    let results: Vec<Result<T, Vec<Diagnostic>>> = (0..paths.len())
        .into_par_iter()
        .with_min_len(64)
        .map(|i| {
            let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                load_file(root, &paths[i]).map(|file| each(i, file))
            }))
            .unwrap_or_else(|_| Err(vec![Diagnostic::internal()]));
            progress.tick();
            made
        })
        .collect();
    progress.finish();
    all_or_problems(results.into_iter())
}

/// Reads one data file.
pub fn load_file(root: &Path, path: &Path) -> Result<DataFile, Vec<Diagnostic>> {
    // A name that cannot be a template key is said before the file is read.
    let key_path = key_path(path).map_err(|d| vec![d])?;
    let bytes = read_limited(&root.join(path))
        .map_err(|error| vec![Diagnostic::unreadable(path, &error)])?;
    let text = decode_owned(bytes, path).map_err(|d| vec![d])?;
    let root = yaml::parse(&text, path)?;
    file_of(path, key_path, root)
}

/// The data file `path` (relative to the site folder) whose top-level mapping is `root`:
/// what a file's tree must be (a mapping, no key `id`) checked.
pub fn data_file(path: &Path, root: Node) -> Result<DataFile, Vec<Diagnostic>> {
    let key_path = key_path(path).map_err(|d| vec![d])?;
    file_of(path, key_path, root)
}

/// What to write in a data file whose top level is no mapping: a list of corrections
/// (items with `what`, the corrections log written without its first line) goes under
/// `entries:`.
fn not_mapping_hint(root: &Node) -> Text {
    match &root.value {
        Value::List(items) if items.first().is_some_and(|item| item.get("what").is_some()) => {
            Text::new(
                "更正记录的第一行写 entries:，每条更正写在它下面，以「  - 」开头（缩进两格）",
                "the corrections log's first line is entries:, and each correction goes below it, starting with `  - ` (indented two spaces)",
            )
        }
        _ => Text::new(
            "每行写成「名称: 值」，例如 name: 横溪村",
            "write one `name: value` per line, e.g. name: 横溪村",
        ),
    }
}

/// [`data_file`] of a file whose template key is known.
fn file_of(path: &Path, key_path: Vec<String>, root: Node) -> Result<DataFile, Vec<Diagnostic>> {
    let Value::Map(entries) = &root.value else {
        return Err(vec![
            Diagnostic::error(
                "data-not-mapping",
                Some(root.location(path)),
                Text::new(
                    format!(
                        "数据文件的顶层必须是「键: 值」映射，这里是{}",
                        root.kind().zh
                    ),
                    format!(
                        "a data file's top level must be a `key: value` mapping, not a {}",
                        root.kind().en
                    ),
                ),
            )
            .with_hint(not_mapping_hint(&root)),
        ]);
    };
    if let Some((key, _)) = entries.iter().find(|(k, _)| &*k.name == "id") {
        return Err(vec![
            Diagnostic::error(
                "data-reserved-key",
                Some(key.location(path)),
                Text::new(
                    "键「id」是保留的：记录的 id 就是它的文件名",
                    "the key `id` is reserved: a record's id is its file name",
                ),
            )
            .with_hint(Text::new(
                "删除 id 这一行，或改用别的键名（如 code）；要改 id 就给文件改名",
                "remove the id line or use another key (such as code); rename the file to change its id",
            )),
        ]);
    }
    Ok(DataFile::new(path.to_path_buf(), key_path, root))
}

/// The values of a tree as text, without their places: what a fingerprint of the data is
/// taken of (so that a comment or a moved line is not a change).
pub fn canonical(node: &Node) -> String {
    let mut out = String::new();
    write_canonical(node, &mut out);
    out
}

/// Where [`canonical`] text goes: a string, or straight into a fingerprint.
pub trait CanonicalText {
    /// Appends `text`.
    fn push_text(&mut self, text: &str);
}

impl CanonicalText for String {
    fn push_text(&mut self, text: &str) {
        self.push_str(text);
    }
}

impl CanonicalText for crate::manifest::Fingerprinter {
    fn push_text(&mut self, text: &str) {
        self.write(text.as_bytes());
    }
}

/// Writes [`canonical`]'s text of `node` into `out`.
pub fn write_canonical(node: &Node, out: &mut impl CanonicalText) {
    /// `text` with a backslash before each of the two ASCII characters `special` (looked
    /// for as bytes: every key and text of 10,000 files goes through here).
    fn escaped(text: &str, special: [u8; 2], out: &mut impl CanonicalText) {
        let mut rest = text;
        while let Some(at) = memchr::memchr2(special[0], special[1], rest.as_bytes()) {
            out.push_text(&rest[..at]);
            out.push_text("\\");
            out.push_text(&rest[at..=at]);
            rest = &rest[at + 1..];
        }
        out.push_text(rest);
    }
    match &node.value {
        Value::Null => out.push_text("~"),
        Value::Bool(b) => out.push_text(if *b { "T" } else { "F" }),
        Value::Number(n) => {
            out.push_text("#");
            out.push_text(&crate::figure::decimal_text(n, &mut [0; 64]));
        }
        Value::String(s) => {
            out.push_text("\"");
            escaped(s, [b'\\', b'"'], out);
            out.push_text("\"");
        }
        Value::List(items) => {
            out.push_text("[");
            for item in items {
                write_canonical(item, out);
                out.push_text(",");
            }
            out.push_text("]");
        }
        Value::Map(entries) => {
            out.push_text("{");
            for (key, value) in entries {
                escaped(&key.name, [b'\\', b':'], out);
                out.push_text(":");
                write_canonical(value, out);
                out.push_text(",");
            }
            out.push_text("}");
        }
    }
}

/// Reads and parses one YAML file (`path` relative to `root`, and so named in messages).
pub fn load_yaml(root: &Path, path: &Path) -> Result<Node, Vec<Diagnostic>> {
    let bytes = read_limited(&root.join(path))
        .map_err(|error| vec![Diagnostic::unreadable(path, &error)])?;
    let text = decode_owned(bytes, path).map_err(|d| vec![d])?;
    yaml::parse(&text, path)
}

fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    // Read up to one byte past the limit, without asking the file's size first (one system
    // call fewer for each of 10,000 files); most data files fit the first read.
    let mut bytes = Vec::with_capacity(16 * 1024);
    file.take(MAX_DATA_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_DATA_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "more than the {MAX_DATA_FILE_BYTES} bytes a data file may have"
        )));
    }
    Ok(bytes)
}

/// `data/villages/hengxi.yaml` → `["villages", "hengxi"]`; every part must be usable in a
/// template (`villages.hengxi`).
pub(crate) fn key_path(path: &Path) -> Result<Vec<String>, Diagnostic> {
    let rel = path.strip_prefix("data").unwrap_or(path).with_extension("");
    let mut parts = Vec::new();
    let mut components = rel.components().peekable();
    while let Some(part) = components.next() {
        let part = part.as_os_str().to_string_lossy().to_string();
        if !is_usable_name(&part) {
            let is_file = components.peek().is_none();
            return Err(Diagnostic::error(
                "data-file-name",
                Some(Location::file(path)),
                Text::new(
                    format!("文件或文件夹名「{part}」不能在模板里使用"),
                    format!("the file or folder name `{part}` cannot be used in templates"),
                ),
            )
            .with_hint(file_name_hint(&part, is_file, &parts)));
        }
        parts.push(part);
    }
    Ok(parts)
}

/// What to do about a data file's (`is_file`) or folder's name `part` (inside the folders
/// `outer`) that templates cannot use: a copy Windows made (`hengxi - 副本`) is told as one;
/// a name that only needs lowercase letters or `_` for its dashes and spaces gets that name,
/// a Chinese one its pinyin (横溪村 → hengxi); any other the rule.
fn file_name_hint(part: &str, is_file: bool, outer: &[String]) -> Text {
    const RULE: (&str, &str) = (
        "只用小写英文字母、数字和下划线（以字母开头，不以 _list 结尾），例如 hengxi.yaml；中文名写在文件里的 name: 中",
        "use lowercase letters, digits and underscores only (starting with a letter, not ending in _list), e.g. hengxi.yaml; put the Chinese name in name: inside the file",
    );
    if crate::site_path::looks_copied(part) {
        return Text::new(
            format!(
                "「{part}」像是复制出的副本：不需要就删去它；要新增一个村（或一项），改成新的名字，如 xinzhuang.yaml"
            ),
            format!(
                "`{part}` looks like a copy Windows made: remove it if it is not needed; to add a village (or an item), give it a new name, such as xinzhuang.yaml"
            ),
        );
    }
    let renamed: String = part
        .chars()
        .map(|c| match c {
            '-' | ' ' | '.' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    if renamed != part && is_usable_name(&renamed) {
        return Text::new(
            format!("改名为「{renamed}」（小写字母、数字和下划线）"),
            format!("rename it `{renamed}` (lowercase letters, digits and underscores)"),
        );
    }
    let pinyin = crate::site_path::id_from_name(part);
    if pinyin.chinese && is_usable_name(&pinyin.id) {
        let id = &pinyin.id;
        let read_as = outer
            .iter()
            .map(String::as_str)
            .chain([id.as_str()])
            .collect::<Vec<_>>()
            .join(".");
        let (zh_as, en_as) = match is_file {
            true => (
                format!("文件名写成 {id}.yaml，模板里读作 {read_as}；中文名写在文件里的 name: 中"),
                format!(
                    "name the file {id}.yaml, read in templates as {read_as}; the Chinese name goes in name: inside it"
                ),
            ),
            false => (
                format!("文件夹名写成 {id}，模板里读作 {read_as}"),
                format!("name the folder {id}, read in templates as {read_as}"),
            ),
        };
        // (Not the characters of several readings: most have rare ones, 庄 peng, 横 guang.)
        let (zh_readings, en_readings) = match pinyin.ambiguous.is_empty() {
            true => ("", ""),
            false => (
                "（按各字最常用的读音：读音不对就照实际读音改）",
                " (each character read the most usual way: if wrong, write the reading meant)",
            ),
        };
        return Text::new(
            format!("按拼音改名为「{id}」：{zh_as}{zh_readings}"),
            format!("rename it `{id}`, its pinyin: {en_as}{en_readings}"),
        );
    }
    Text::new(RULE.0, RULE.1)
}

/// Whether a data file's or folder's name can be its place in the template context: an
/// identifier not ending in `_list` (the name of a folder's list).
fn is_usable_name(name: &str) -> bool {
    is_identifier(name) && !name.ends_with("_list")
}

/// Whether `name` is a template identifier: `[a-z_][a-z0-9_]*` (ASCII, lowercase).
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_build_s_entry_is_found_in_its_place_or_by_its_path() {
        let file = |path: &str| {
            let root = yaml::parse("a: 1\n", Path::new(path)).unwrap();
            Arc::new(data_file(Path::new(path), root).unwrap())
        };
        let (a, b, c) = (
            file("data/a.yaml"),
            file("data/b.yaml"),
            file("data/c.yaml"),
        );
        let kept = vec![Some(a.clone()), None, Some(c.clone())];
        fn file_of(slot: &Option<Arc<DataFile>>) -> Option<&DataFile> {
            slot.as_deref()
        }
        let found = |last: &LastBuild<Option<Arc<DataFile>>>, index, path: &str| {
            last.get(index, Path::new(path)).map(|slot| slot.is_some())
        };
        // As many files: by place, and only when the place holds that file.
        let same = LastBuild::new(&kept, 3, file_of);
        assert_eq!(found(&same, 0, "data/a.yaml"), Some(true));
        assert_eq!(found(&same, 1, "data/b.yaml"), None);
        assert_eq!(found(&same, 1, "data/c.yaml"), None);
        assert_eq!(found(&same, 2, "data/c.yaml"), Some(true));
        // A file added before c: by path.
        let more = LastBuild::new(&kept, 4, file_of);
        assert_eq!(found(&more, 3, "data/c.yaml"), Some(true));
        assert_eq!(found(&more, 1, b.path.to_str().unwrap()), None);
    }

    #[test]
    fn a_file_changed_without_a_new_time_or_size_is_read_again_once_forgotten() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = PathBuf::from("data/a.yaml");
        std::fs::create_dir_all(dir.path().join("data")).expect("folder");
        let full = dir.path().join(&path);
        std::fs::write(&full, "n: 1\n").expect("written");
        let time = std::fs::metadata(&full)
            .and_then(|m| m.modified())
            .expect("time");
        let mut cache = LoadCache::default();
        let paths = [path.clone()];
        let value = |data: &Data| canonical(&data.files[0].root);
        let first = load_cached(dir.path(), &paths, Some(&mut cache)).expect("loads");
        assert_eq!(value(&first), "{n:#1,}");
        // The same length and, as a shared folder may keep it, the same time.
        std::fs::write(&full, "n: 2\n").expect("written");
        std::fs::File::options()
            .write(true)
            .open(&full)
            .and_then(|f| f.set_modified(time))
            .expect("time kept");
        let stale = load_cached(dir.path(), &paths, Some(&mut cache)).expect("loads");
        assert_eq!(value(&stale), "{n:#1,}");
        cache.forget([path.as_path()]);
        let fresh = load_cached(dir.path(), &paths, Some(&mut cache)).expect("loads");
        assert_eq!(value(&fresh), "{n:#2,}");
    }

    #[test]
    fn with_the_watcher_s_list_only_the_files_on_it_are_asked_their_time_and_size() {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::create_dir_all(dir.path().join("data")).expect("folder");
        let paths = [PathBuf::from("data/a.yaml"), PathBuf::from("data/b.yaml")];
        for path in &paths {
            std::fs::write(dir.path().join(path), "n: 1\n").expect("written");
        }
        let mut cache = LoadCache::default();
        let values = |data: &Data| -> Vec<String> {
            data.files.iter().map(|f| canonical(&f.root)).collect()
        };
        load_cached(dir.path(), &paths, Some(&mut cache)).expect("loads");
        // Both change (a new length), the watcher reports only b: a is kept as it was.
        for path in &paths {
            std::fs::write(dir.path().join(path), "n: 22\n").expect("written");
        }
        cache.only_changed(&paths[1..]);
        let trusted = load_cached(dir.path(), &paths, Some(&mut cache)).expect("loads");
        assert_eq!(values(&trusted), ["{n:#1,}", "{n:#22,}"]);
        // For one load only: the next one asks every file again and sees a's change.
        let asked = load_cached(dir.path(), &paths, Some(&mut cache)).expect("loads");
        assert_eq!(values(&asked), ["{n:#22,}", "{n:#22,}"]);
    }

    #[test]
    fn a_data_file_is_read_whole_up_to_the_limit() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let small = dir.path().join("small.yaml");
        std::fs::write(&small, "a: 1\n").expect("written");
        assert_eq!(read_limited(&small).expect("read"), b"a: 1\n");
        let limit = dir.path().join("limit.yaml");
        let file = std::fs::File::create(&limit).expect("created");
        file.set_len(MAX_DATA_FILE_BYTES).expect("sized");
        assert_eq!(
            read_limited(&limit).expect("read").len() as u64,
            MAX_DATA_FILE_BYTES
        );
        file.set_len(MAX_DATA_FILE_BYTES + 1).expect("sized");
        let error = read_limited(&limit).expect_err("too big");
        assert!(error.to_string().contains("more than"), "{error}");
    }

    #[test]
    fn accepts_a_bom_and_refuses_other_encodings() {
        let p = Path::new("x.yaml");
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1", p).unwrap(), "a: 1");
        assert_eq!(
            decode(b"\xFF\xFEa\0", p).unwrap_err().code,
            "encoding-utf16"
        );
        assert_eq!(
            decode(b"a: 1\n\0\0", p).unwrap_err().code,
            "encoding-binary"
        );
        // 横溪村 in GBK.
        let gbk = b"name: \xba\xe1\xcf\xaa\xb4\xe5\n";
        let d = decode(gbk, p).unwrap_err();
        assert_eq!(d.code, "encoding-not-utf8");
        assert_eq!(d.location.unwrap().to_string(), "x.yaml:1:7");
        // The bytes given up: the same text, the same messages.
        for bytes in [
            &b"a: 1"[..],
            b"\xEF\xBB\xBFa: 1",
            b"\xFF\xFEa\0",
            b"a: 1\n\0\0",
            gbk,
        ] {
            let owned = decode_owned(bytes.to_vec(), p).map_err(|d| d.code);
            assert_eq!(owned, decode(bytes, p).map_err(|d| d.code));
        }
    }

    #[test]
    fn a_file_is_fingerprinted_by_its_canonical_text() {
        let text = "name: \"横\\\\溪\"\nk\\:x: 1.10\nz: 0.00\nn: -5\nl:\n  - ~\n  - true\n";
        let root = yaml::parse(text, Path::new("t.yaml")).expect("parses");
        let canonical = canonical(&root);
        // Numbers as written; a backslash, a quote in a text and a colon in a key escaped.
        assert_eq!(
            canonical,
            r#"{name:"横\\溪",k\\\:x:#1.10,z:#0.00,n:#-5,l:[~,T,],}"#
        );
        let file = data_file(Path::new("data/t.yaml"), root).expect("a data file");
        assert_eq!(
            file.fingerprint(),
            crate::manifest::fingerprint(canonical.as_bytes())
        );
    }

    #[test]
    fn file_names_become_template_keys() {
        assert_eq!(
            key_path(Path::new("data/villages/hengxi.yaml")).unwrap(),
            vec!["villages", "hengxi"]
        );
        assert!(key_path(Path::new("data/villages/heng-xi.yaml")).is_err());
        assert!(key_path(Path::new("data/横溪.yaml")).is_err());
        assert!(key_path(Path::new("data/villages_list.yaml")).is_err());
    }
}

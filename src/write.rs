//! Write: publish the built site atomically.
//!
//! The new site is written into a temporary folder beside the output folder and swapped in
//! only when every file is written, so a failed build or a full disk never leaves a
//! half-written site where the last good one was.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diagnostics::{Diagnostic, Location, Text};
use crate::site_path::path_order;
use crate::spill::lock;

/// The file that marks a folder as huibao's output, so that huibao never replaces a folder
/// it did not make. It lists the files huibao wrote there ([`MARKER_HEAD`], then one path a
/// line, `/` between folders, sorted by their bytes), so that the next build deletes only those
/// of them it does not write again and keeps every other file (see [`Changes::kept`]).
/// An empty marker (written before huibao listed its files) lists nothing: every file
/// not written again is deleted, as then. Lines starting with `#` are not files.
pub const MARKER: &str = ".huibao-output";

/// The first line of [`MARKER`] when it lists huibao's files.
const MARKER_HEAD: &str =
    "# huibao 生成的文件，只有它们会被 huibao 删除 / the files huibao wrote; it deletes no other";

/// What publishing changed compared with the previous site.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Files in the new site.
    pub total: usize,
    /// Files that did not exist before.
    pub added: Vec<PathBuf>,
    /// Files whose bytes differ.
    pub modified: Vec<PathBuf>,
    /// Files that are gone.
    pub removed: Vec<PathBuf>,
    /// Files in the output folder that huibao did not write (a scanned document a clerk put
    /// there): carried into the new site as they are, never deleted.
    pub kept: Vec<PathBuf>,
}

/// A new site being written: a staging folder beside the output folder, swapped in by
/// [`Staging::publish`] when every file is there, removed when dropped unpublished (a failed
/// build leaves the published site as it was). Files may be put from every core at once.
#[derive(Debug)]
pub struct Staging {
    /// The output folder's lock, held until the build ends (see [`lock_output`]).
    _lock: Option<fs::File>,
    out_dir: PathBuf,
    staging: PathBuf,
    retired: PathBuf,
    /// The start of the scratch files' paths, beside the staging folder (see
    /// [`SCRATCH_FILES`]).
    scratch: PathBuf,
    /// Folders already made in the staging folder.
    folders: Mutex<HashSet<PathBuf>>,
    /// What differs from the published site, found as each file is put.
    changes: Mutex<Changes>,
    /// Every file of the published site put again, for those of its files that are gone.
    written: Mutex<HashSet<PathBuf>>,
    /// The pages' Markdown, when the site's documents are made with it (`[document]
    /// downloads`).
    markdown: Option<crate::document::Collector>,
    /// Whether the site offers files to download (the pages link them).
    downloads: bool,
    published: bool,
    /// Whether the output folder had no published site when the build began (a first
    /// build): no file is looked for there (a look-up for each of tens of thousands).
    nothing_published: bool,
}

/// What the scratch files beside the staging folder hold while the pages are rendered: the
/// whole-report page's sections, the search index's page texts.
pub const SCRATCH_FILES: [&str; 3] = ["print", "search", "figures"];

/// The scratch file for `purpose`.
fn scratch_file(scratch: &Path, purpose: &str) -> PathBuf {
    let mut path = scratch.as_os_str().to_owned();
    path.push("-");
    path.push(purpose);
    PathBuf::from(path)
}

/// The scratch files a killed build left beside `scratch` (the start of their paths, see
/// [`scratch_file`]): those of [`SCRATCH_FILES`] and those made beside them
/// (`….huibao-scratch-search.batch-3`: the search lists' batches of a large site).
fn leftover_scratch_files(scratch: &Path) -> Vec<PathBuf> {
    let names: Vec<String> = SCRATCH_FILES
        .iter()
        .filter_map(|purpose| {
            let path = scratch_file(scratch, purpose);
            Some(path.file_name()?.to_string_lossy().into_owned())
        })
        .collect();
    let is_leftover = |name: &str| {
        names.iter().any(|scratch| {
            name.strip_prefix(scratch.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
    };
    let parent = match scratch.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut leftovers: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| is_leftover(&entry.file_name().to_string_lossy()))
        .map(|entry| entry.path())
        .collect();
    leftovers.sort();
    leftovers
}

impl Staging {
    /// Makes the staging folder for a new site in `out_dir` (which huibao must own, or be
    /// new or empty), clearing what a killed build left.
    pub fn create(out_dir: &Path) -> Result<Staging, Diagnostic> {
        let name = out_dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "public".to_string());
        let parent = match out_dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| io_error(Step::CreateFolder, &parent, e))?;
        // One build at a time for an output folder: two at once (two windows, two clerks on
        // a shared folder) would share the staging folder and publish a site with files
        // missing, each saying it succeeded.
        let lock = lock_output(&parent.join(format!(".{name}.huibao-lock")), out_dir)?;
        let nothing_published = !out_dir.exists();
        if !nothing_published && !is_ours(out_dir) {
            return Err(foreign(out_dir));
        }
        let staging = parent.join(format!(".{name}.huibao-new"));
        let retired = parent.join(format!(".{name}.huibao-old"));
        let scratch = parent.join(format!(".{name}.huibao-scratch"));
        for leftover in leftover_scratch_files(&scratch) {
            fs::remove_file(&leftover)
                .map_err(|e| io_error(Step::RemoveTemporary, &leftover, e))?;
        }
        for leftover in [&staging, &retired] {
            if leftover.exists() {
                fs::remove_dir_all(leftover)
                    .map_err(|e| io_error(Step::RemoveTemporary, leftover, e))?;
            }
        }
        fs::create_dir_all(&staging).map_err(|e| io_error(Step::CreateFolder, &staging, e))?;
        Ok(Staging {
            _lock: lock,
            out_dir: out_dir.to_path_buf(),
            staging,
            retired,
            scratch,
            folders: Mutex::new(HashSet::new()),
            changes: Mutex::new(Changes::default()),
            written: Mutex::new(HashSet::new()),
            markdown: None,
            downloads: false,
            published: false,
            nothing_published,
        })
    }

    /// The pages link the files the site offers to download (`[document] downloads`).
    pub fn offer_downloads(&mut self) {
        self.downloads = true;
    }

    /// Keeps each page's Markdown as it is rendered, for the documents made from it.
    pub fn collect_markdown(&mut self) {
        self.markdown = Some(crate::document::Collector::default());
    }

    /// The pages' Markdown kept, in reading order.
    pub fn take_markdown(&mut self) -> Vec<crate::render::MarkdownPage> {
        self.markdown
            .take()
            .map(crate::document::Collector::into_pages)
            .unwrap_or_default()
    }

    /// Writes the file `path` (relative to the output folder). A file with the same bytes
    /// as the published one is that file, hard-linked: it keeps its modification time.
    pub fn put(&self, path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
        let target = self.staging.join(path);
        if let Some(dir) = target.parent() {
            self.make_folder(dir)?;
        }
        let published = self.out_dir.join(path);
        let before = self.published_file(&published);
        let same = before
            .as_ref()
            .is_some_and(|m| m.len() == bytes.len() as u64)
            && file_holds(&published, bytes);
        if !(same && fs::hard_link(&published, &target).is_ok()) {
            fs::write(&target, bytes).map_err(|e| io_error(Step::WriteFile, path, e))?;
        }
        self.record(path, before.is_some(), same);
        Ok(())
    }

    /// Writes the file `path` (relative to the output folder) with `write`, straight into
    /// the staging folder (for a file too large to hold in memory first). Kept as the
    /// published file when the bytes are the same, as [`Staging::put`] does.
    pub fn put_with(
        &self,
        path: &Path,
        write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), Diagnostic> {
        use std::io::Write;
        let target = self.staging.join(path);
        if let Some(dir) = target.parent() {
            self.make_folder(dir)?;
        }
        let fail = |e| io_error(Step::WriteFile, path, e);
        let file = fs::File::create(&target).map_err(fail)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        write(&mut out).map_err(fail)?;
        out.flush().map_err(fail)?;
        drop(out);
        let published = self.out_dir.join(path);
        let before = self.published_file(&published);
        let size = fs::metadata(&target).map(|m| m.len()).ok();
        let same = before.as_ref().is_some_and(|m| Some(m.len()) == size)
            && same_bytes(&published, &target);
        if same {
            // The published file, hard-linked: it keeps its modification time. The link is
            // made beside the new file and renamed over it, so a failure keeps the new file.
            let link = target.with_extension("huibao-link");
            if fs::hard_link(&published, &link).is_ok() && fs::rename(&link, &target).is_err() {
                let _ = fs::remove_file(&link);
            }
        }
        self.record(path, before.is_some(), same);
        Ok(())
    }

    /// The published file at `published`, if there is one.
    fn published_file(&self, published: &Path) -> Option<fs::Metadata> {
        if self.nothing_published {
            return None;
        }
        fs::metadata(published).ok().filter(|m| m.is_file())
    }

    /// Notes what putting `path` changed.
    fn record(&self, path: &Path, existed: bool, same: bool) {
        let mut changes = lock(&self.changes);
        changes.total += 1;
        match (existed, same) {
            (false, _) => changes.added.push(path.to_path_buf()),
            (true, false) => changes.modified.push(path.to_path_buf()),
            (true, true) => {}
        }
        drop(changes);
        // A file the published site did not have cannot be one of its files that are gone:
        // only the published files put again are kept (none in a first build, whose
        // 200,000 files at 100,000 villages would be held twice, here and in `added`).
        if existed {
            lock(&self.written).insert(path.to_path_buf());
        }
    }

    /// Copies the file `source` to `path` (relative to the output folder).
    pub fn copy(&self, path: &Path, source: &Path) -> Result<(), Diagnostic> {
        let bytes = fs::read(source).map_err(|e| io_error(Step::CopyFile, source, e))?;
        self.put(path, &bytes)
    }

    /// Makes `dir` and its parents, once.
    fn make_folder(&self, dir: &Path) -> Result<(), Diagnostic> {
        if lock(&self.folders).contains(dir) {
            return Ok(());
        }
        fs::create_dir_all(dir).map_err(|e| io_error(Step::CreateFolder, dir, e))?;
        lock(&self.folders).insert(dir.to_path_buf());
        Ok(())
    }

    /// Writes [`MARKER`] listing `paths` (sorted, as the marker lists them); the published
    /// marker, hard-linked, when it lists the same (it keeps its modification time).
    fn put_marker(&self, paths: &[std::borrow::Cow<'_, str>]) -> Result<(), Diagnostic> {
        let mut text = String::with_capacity(paths.iter().map(|p| p.len() + 1).sum::<usize>() + 80);
        text.push_str(MARKER_HEAD);
        text.push('\n');
        for path in paths {
            text.push_str(path);
            text.push('\n');
        }
        let (published, target) = (self.out_dir.join(MARKER), self.staging.join(MARKER));
        let same = !self.nothing_published && file_holds(&published, text.as_bytes());
        if !(same && fs::hard_link(&published, &target).is_ok()) {
            fs::write(&target, text).map_err(|e| io_error(Step::WriteFile, &target, e))?;
        }
        Ok(())
    }

    /// Carries the file `path` (relative to the output folder), which huibao did not write,
    /// into the new site as it is: hard-linked, or copied where the disk cannot link.
    fn carry(&self, path: &Path) -> Result<(), Diagnostic> {
        let (published, target) = (self.out_dir.join(path), self.staging.join(path));
        if let Some(dir) = target.parent() {
            self.make_folder(dir)?;
        }
        if fs::hard_link(&published, &target).is_ok() {
            return Ok(());
        }
        fs::copy(&published, &target).map(drop).map_err(|e| {
            io_error(Step::CopyFile, &published, e).with_hint(Text::new(
                format!(
                    "{} 不是 huibao 生成的，huibao 不会删除它，但也放不进新的站点（新站点在这里有同名的文件夹，或磁盘已满）：把它移出输出文件夹后再生成；已发布的站点没有改动",
                    path.display()
                ),
                format!(
                    "{} was not made by huibao, which never deletes it, but it cannot go into the new site (the new site has a folder of that name there, or the disk is full): move it out of the output folder and build again; the published site was not changed",
                    path.display()
                ),
            ))
        })
    }

    /// Swaps the new site in for the published one, in one step where the system can.
    /// Returns what changed.
    pub fn publish(mut self) -> Result<Changes, Diagnostic> {
        let mut changes = std::mem::take(&mut *lock(&self.changes));
        let written = std::mem::take(&mut *lock(&self.written));
        let mut marker_lists = Vec::with_capacity(written.len() + changes.added.len());
        marker_lists.extend(
            written
                .iter()
                .chain(&changes.added)
                .map(|p| crate::site_path::slashed_borrowed(p)),
        );
        marker_lists.sort_unstable();
        self.put_marker(&marker_lists)?;
        drop(marker_lists);
        let gone: BTreeSet<PathBuf> = files_of(&self.out_dir)
            .into_iter()
            .filter(|p| !written.contains(p))
            .collect();
        drop(written);
        let marker = self.out_dir.join(MARKER);
        let Sorted {
            removed,
            kept,
            overwritten,
        } = huibaos_and_others(&marker, gone, &changes.modified);
        // A file of someone else's that the new site writes too is not overwritten: the
        // build stops, and the published site stays as it was.
        if let Some(path) = overwritten.first() {
            return Err(not_overwritten(&self.out_dir, path));
        }
        for path in &kept {
            self.carry(path)?;
        }
        (changes.removed, changes.kept) = (removed, kept);
        for list in [&mut changes.added, &mut changes.modified] {
            list.sort_unstable_by(|a, b| path_order(a, b));
        }
        let (out_dir, staging, retired) = (&self.out_dir, &self.staging, &self.retired);
        // Where the system can, the new site and the published one trade places in one
        // step, so a web server serving the folder never finds it missing.
        if out_dir.exists() && exchange(staging, out_dir).is_ok() {
            let _ = fs::remove_dir_all(staging);
            self.published = true;
            return Ok(changes);
        }
        if out_dir.exists() {
            fs::rename(out_dir, retired).map_err(|e| io_error(Step::Swap, out_dir, e))?;
        }
        if let Err(error) = fs::rename(staging, out_dir) {
            // Put the last good site back.
            let _ = fs::rename(retired, out_dir);
            return Err(io_error(Step::Swap, out_dir, error));
        }
        self.published = true;
        if retired.exists() {
            let _ = fs::remove_dir_all(retired);
        }
        Ok(changes)
    }
}

impl Drop for Staging {
    /// An unpublished staging folder (a failed build) is removed.
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

impl crate::render::PageSink for Staging {
    fn spill(
        &self,
        purpose: &str,
        pages: usize,
    ) -> Option<Result<crate::spill::Spill, Diagnostic>> {
        let path = scratch_file(&self.scratch, purpose);
        Some(
            crate::spill::Spill::to_file(path.clone(), crate::spill::memory_budget(pages))
                .map_err(|e| io_error(Step::WriteFile, &path, e)),
        )
    }

    fn wants_markdown(&self) -> bool {
        self.markdown.is_some()
    }

    fn makes_downloads(&self) -> bool {
        self.downloads
    }

    fn put_markdown(&self, page: crate::render::MarkdownPage) {
        if let Some(markdown) = &self.markdown {
            markdown.put_markdown(page);
        }
    }

    fn put(&self, path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
        Staging::put(self, path, bytes)
    }
}

/// Whether the file at `path` holds exactly `bytes`, read a block at a time: the published
/// overview of 100,000 villages (43 MB) is not read whole into memory beside the new one.
fn file_holds(path: &Path, bytes: &[u8]) -> bool {
    let Ok(mut file) = fs::File::open(path) else {
        return false;
    };
    // A page's size for a page (as reading it whole did), 64 KiB for a larger file.
    let mut block = vec![0u8; bytes.len().clamp(1, 1 << 16)];
    let mut at = 0;
    loop {
        match read_full(&mut file, &mut block) {
            Ok(0) => return at == bytes.len(),
            Ok(n) if bytes.get(at..at + n) == Some(&block[..n]) => at += n,
            _ => return false,
        }
    }
}

/// Whether two files have the same bytes (read a block at a time).
fn same_bytes(a: &Path, b: &Path) -> bool {
    let (Ok(fa), Ok(fb)) = (fs::File::open(a), fs::File::open(b)) else {
        return false;
    };
    let (mut ra, mut rb) = (std::io::BufReader::new(fa), std::io::BufReader::new(fb));
    let (mut ba, mut bb) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let (Ok(na), Ok(nb)) = (read_full(&mut ra, &mut ba), read_full(&mut rb, &mut bb)) else {
            return false;
        };
        if na != nb || ba[..na] != bb[..nb] {
            return false;
        }
        if na == 0 {
            return true;
        }
    }
}

/// Reads until `buffer` is full or the file ends; how many bytes were read.
fn read_full(reader: &mut impl std::io::Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// The error of a failed step of writing `path`.
fn io_error(what: Step, path: &Path, error: std::io::Error) -> Diagnostic {
    Diagnostic::unwritable(path, what.words(), &error)
}

/// Takes the lock of output folder `out_dir` (the file `lock_path` beside it, which stays
/// there), held by the file returned, released when it is dropped or the process ends (a
/// killed build leaves no lock behind). Another build holding it is an error; a file system
/// that cannot lock (some network shares) builds without one, as before there was a lock.
fn lock_output(lock_path: &Path, out_dir: &Path) -> Result<Option<fs::File>, Diagnostic> {
    let Ok(file) = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path)
    else {
        return Ok(None);
    };
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(fs::TryLockError::WouldBlock) => Err(Diagnostic::error(
            "output-busy",
            Some(Location::file(out_dir)),
            Text::new(
                format!(
                    "另一个 huibao build 正在生成 {}（另一个窗口，或共享文件夹上别人的电脑）：这次没有生成，已发布的站点没有改动",
                    out_dir.display()
                ),
                format!(
                    "another huibao build is making {} (another window, or someone else's computer on a shared folder): this one made nothing, the published site is as it was",
                    out_dir.display()
                ),
            ),
        )
        .with_hint(Text::new(
            "等那次生成结束后再生成一次",
            "build again once that build has ended",
        ))),
        Err(fs::TryLockError::Error(_)) => Ok(None),
    }
}

/// The error for an output folder huibao did not make.
fn foreign(out_dir: &Path) -> Diagnostic {
    Diagnostic::error(
        "output-foreign",
        Some(Location::file(out_dir)),
        Text::new(
            format!(
                "输出文件夹 {} 已存在且不是 huibao 生成的，不会覆盖它",
                out_dir.display()
            ),
            format!(
                "the output folder {} exists and was not made by huibao; it is left alone",
                out_dir.display()
            ),
        ),
    )
    .with_hint(Text::new(
        "用 --out 指定一个新的或空的文件夹，或者先自己移走这个文件夹",
        "name a new or empty folder with --out, or move this folder away yourself",
    ))
}

/// Writes the file `path` whole or not at all: into a temporary file beside it, renamed
/// over it when complete (an exported document that fails half-way leaves the last one).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let hint = Text::new(
        "检查路径、磁盘空间和文件夹权限；原有的文件没有改动",
        "check the path, disk space and folder permissions; no file was changed",
    );
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)
            .map_err(|e| io_error(Step::CreateFolder, dir, e).with_hint(hint.clone()))?;
    }
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".huibao-tmp");
    let temporary = PathBuf::from(temporary);
    let written = fs::write(&temporary, bytes).and_then(|()| fs::rename(&temporary, path));
    written.map_err(|e| {
        let _ = fs::remove_file(&temporary);
        io_error(Step::WriteFile, path, e).with_hint(hint)
    })
}

/// Swaps folders `a` and `b` in one step (Linux: renameat2 with RENAME_EXCHANGE).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

/// Elsewhere there is no such call: the caller renames twice.
#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// A step of publishing, named in messages when it fails.
#[derive(Clone, Copy)]
enum Step {
    CreateFolder,
    RemoveTemporary,
    WriteFile,
    CopyFile,
    Swap,
}

impl Step {
    /// (Chinese, English).
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Step::CreateFolder => ("创建文件夹", "creating a folder"),
            Step::RemoveTemporary => ("清理临时文件夹", "removing a temporary folder"),
            Step::WriteFile => ("写入文件", "writing a file"),
            Step::CopyFile => ("复制文件", "copying a file"),
            Step::Swap => ("替换输出文件夹", "replacing the output folder"),
        }
    }
}

/// Whether the marker of the output folder `out_dir` lists the file `path` (slashed, as the
/// marker writes it): a file huibao wrote there at the last build.
pub fn marker_lists(out_dir: &Path, path: &str) -> bool {
    marker_lines(&out_dir.join(MARKER)).is_some_and(|mut lines| lines.any(|line| line == path))
}

/// The lines of the marker at `marker` as it lists files, read one by one: a byte-order mark
/// and a `\r` (an editor saved it again) left out, `#` lines skipped. `None` when it cannot
/// be opened.
fn marker_lines(marker: &Path) -> Option<impl Iterator<Item = String>> {
    use std::io::BufRead;
    let file = fs::File::open(marker).ok()?;
    Some(
        std::io::BufReader::new(file)
            .lines()
            .map_while(Result::ok)
            .map(|line| {
                let line = line.trim_start_matches('\u{feff}').trim_end_matches('\r');
                line.to_string()
            })
            .filter(|line| !line.starts_with('#')),
    )
}

/// An output folder huibao may replace: one it made, or an empty one.
fn is_ours(dir: &Path) -> bool {
    dir.join(MARKER).exists() || fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none())
}

/// Files of `dir`, relative to it.
fn files_of(dir: &Path) -> BTreeSet<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        // (A link someone made there is a file of theirs: carried, not dropped.)
        .filter(|e| e.file_type().is_file() || e.file_type().is_symlink())
        .filter_map(|e| e.path().strip_prefix(dir).ok().map(Path::to_path_buf))
        .filter(|p| p != Path::new(MARKER))
        .collect()
}

/// The published files sorted by who made them (see [`huibaos_and_others`]).
struct Sorted {
    /// huibao's files not written again: deleted.
    removed: Vec<PathBuf>,
    /// Someone else's files not written again: carried into the new site.
    kept: Vec<PathBuf>,
    /// Someone else's files that the new site writes with other bytes.
    overwritten: Vec<PathBuf>,
}

/// Sorts the published files `gone` (not written again) and `modified` (written again with
/// other bytes) by who made them: huibao, whose files the marker at `marker` lists (read
/// line by line, against these few files; each compared as the marker writes it), or
/// someone else. An empty marker (written before huibao listed its files) makes them all
/// huibao's, as they were then; a marker that cannot be read keeps the files gone (no
/// one's file is lost) and lets those written again be. A file a system makes of its own
/// (`Thumbs.db`) is deleted all the same.
fn huibaos_and_others(marker: &Path, gone: BTreeSet<PathBuf>, modified: &[PathBuf]) -> Sorted {
    let listed = |path: &Path| crate::site_path::slashed(path);
    let empty_marker = fs::metadata(marker).is_ok_and(|m| m.len() == 0);
    if empty_marker || (gone.is_empty() && modified.is_empty()) {
        return Sorted {
            removed: sorted(gone.into_iter()),
            kept: Vec::new(),
            overwritten: Vec::new(),
        };
    }
    // Each file by the line the marker would list it on: (path, whether it was written
    // again).
    let mut unlisted: std::collections::HashMap<String, (PathBuf, bool)> = gone
        .into_iter()
        .map(|p| (listed(&p), (p, false)))
        .chain(modified.iter().map(|p| (listed(p), (p.clone(), true))))
        .collect();
    let mut removed = Vec::new();
    let Some(lines) = marker_lines(marker) else {
        // (Never, but for a marker made unreadable from outside: the files gone are kept,
        // those written again written.)
        let (system, kept): (Vec<PathBuf>, Vec<PathBuf>) = unlisted
            .into_values()
            .filter(|(_, again)| !again)
            .map(|(path, _)| path)
            .partition(|p| made_by_system(p));
        return Sorted {
            removed: sorted(system.into_iter()),
            kept: sorted(kept.into_iter()),
            overwritten: Vec::new(),
        };
    };
    for line in lines {
        if let Some((path, again)) = unlisted.remove(&line)
            && !again
        {
            removed.push(path);
        }
    }
    let mut kept = Vec::new();
    let mut overwritten = Vec::new();
    for (path, again) in unlisted.into_values() {
        match (again, made_by_system(&path)) {
            (true, _) => overwritten.push(path),
            (false, true) => removed.push(path),
            (false, false) => kept.push(path),
        }
    }
    Sorted {
        removed: sorted(removed.into_iter()),
        kept: sorted(kept.into_iter()),
        overwritten: sorted(overwritten.into_iter()),
    }
}

/// The error for a file someone put in the output folder `out_dir` (`path`, relative to it)
/// that the new site writes too.
fn not_overwritten(out_dir: &Path, path: &Path) -> Diagnostic {
    let shown = path.display();
    Diagnostic::error(
        "output-foreign",
        Some(Location::file(out_dir.join(path))),
        Text::new(
            format!("输出文件夹里的 {shown} 不是 huibao 生成的，新的站点也要写这个文件：不会覆盖它"),
            format!("{shown} in the output folder was not made by huibao, and the new site writes that file too: it is not overwritten"),
        ),
    )
    .with_hint(Text::new(
        "比较两者：要发布的那份放进站点（如 static/），输出文件夹里的那份移走或删除，再生成；已发布的站点没有改动",
        "compare the two: keep the one to publish in the site (such as static/), move or delete the one in the output folder, and build again; the published site was not changed",
    ))
}

/// `paths` in the order a site's files are listed in.
fn sorted(paths: impl Iterator<Item = PathBuf>) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = paths.collect();
    paths.sort_unstable_by(|a, b| path_order(a, b));
    paths
}

/// A file a system or program makes in any folder it shows or opens, not a clerk's: the
/// pictures' thumbnails of Windows' Explorer, a folder's view of the Mac's Finder, the lock
/// file of a document open in Word or WPS (`~$报告.docx`).
pub fn made_by_system(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    ["Thumbs.db", "desktop.ini", ".DS_Store"]
        .iter()
        .any(|system| name.eq_ignore_ascii_case(system))
        || name.starts_with("~$")
        || name.starts_with("._")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_holds_the_bytes_only_when_every_byte_is_the_same() {
        let dir = tempfile::tempdir().expect("a scratch folder");
        // Larger than a block, so that the comparison goes on past the first.
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let file = dir.path().join("page.html");
        fs::write(&file, &bytes).expect("written");
        assert!(file_holds(&file, &bytes));
        let mut late = bytes.clone();
        late[150_000] ^= 1;
        assert!(
            !file_holds(&file, &late),
            "a byte in the third block differs"
        );
        assert!(!file_holds(&file, &bytes[..199_999]), "the file is longer");
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(!file_holds(&file, &longer), "the file is shorter");
        assert!(!file_holds(&dir.path().join("gone.html"), &bytes));
        let empty = dir.path().join("empty.html");
        fs::write(&empty, b"").expect("written");
        assert!(file_holds(&empty, b""));
        assert!(!file_holds(&empty, b"x"));
    }

    proptest::proptest! {
        #[test]
        // Clean relative paths, as the site's are: no empty, `.` or `..` name; names of
        // bytes just before and after the separator.
        fn paths_sort_as_their_names_one_by_one(
            a in "[a.-][a.0-]{0,2}(/[a.-][a.0-]{0,2}){0,3}",
            b in "[a.-][a.0-]{0,2}(/[a.-][a.0-]{0,2}){0,3}",
        ) {
            let clean = |p: &str| p.split('/').all(|name| name != "." && name != "..");
            proptest::prop_assume!(clean(&a) && clean(&b));
            let (a, b) = (Path::new(&a), Path::new(&b));
            proptest::prop_assert_eq!(path_order(a, b), a.cmp(b));
        }
    }

    #[test]
    fn a_folder_comes_before_a_longer_name_beside_it() {
        let mut paths = vec![PathBuf::from("a-b.html"), PathBuf::from("a/z.html")];
        paths.sort_unstable_by(|a, b| path_order(a, b));
        assert_eq!(
            paths,
            [PathBuf::from("a/z.html"), PathBuf::from("a-b.html")]
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn two_folders_trade_places_in_one_step() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(a.join("new.html"), "new").unwrap();
        fs::write(b.join("old.html"), "old").unwrap();
        exchange(&a, &b).unwrap();
        assert!(b.join("new.html").is_file() && !b.join("old.html").exists());
        assert!(a.join("old.html").is_file());
    }

    #[test]
    fn what_a_system_makes_in_a_folder_is_not_a_clerks_file() {
        for name in [
            "Thumbs.db",
            "thumbs.db",
            "a/Desktop.ini",
            ".DS_Store",
            "~$报告.docx",
            "._index.html",
        ] {
            assert!(made_by_system(Path::new(name)), "{name}");
        }
        for name in [
            "扫描件.pdf",
            "thumbs.db.bak",
            "报告~$.docx",
            "villages/说明.txt",
        ] {
            assert!(!made_by_system(Path::new(name)), "{name}");
        }
    }

    /// A site of `files` (path, text) published into `out`.
    fn publish_into(out: &Path, files: &[(&str, &str)]) -> Result<Changes, Diagnostic> {
        let staging = Staging::create(out).unwrap();
        for (path, text) in files {
            staging.put(Path::new(path), text.as_bytes()).unwrap();
        }
        staging.publish()
    }

    #[test]
    fn someone_else_s_files_are_kept_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let build = |files: &[(&str, &str)]| publish_into(&out, files);
        build(&[("index.html", "1")]).unwrap();
        // A clerk's files, one named with a backslash (a Windows path unpacked on Linux).
        fs::write(out.join("scan.pdf"), "mine").unwrap();
        fs::write(out.join("a\\b.txt"), "mine too").unwrap();
        let kept = build(&[("index.html", "1")]).unwrap();
        assert_eq!(kept.kept.len(), 2, "{kept:?}");
        // The new site writes the same name with other bytes: refused, nothing changed.
        let refused = build(&[("index.html", "2"), ("scan.pdf", "site's")]).unwrap_err();
        assert_eq!(refused.code, "output-foreign");
        assert_eq!(fs::read_to_string(out.join("scan.pdf")).unwrap(), "mine");
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "1");
        // The same bytes: no loss, the file is the site's from now on.
        build(&[("index.html", "1"), ("scan.pdf", "mine")]).unwrap();
        let gone = build(&[("index.html", "1")]).unwrap();
        assert_eq!(gone.removed, [PathBuf::from("scan.pdf")]);
        assert_eq!(gone.kept, [PathBuf::from("a\\b.txt")]);
    }

    #[test]
    fn a_marker_saved_again_by_an_editor_still_lists_huibao_s_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let build = |files: &[&str]| {
            let staging = Staging::create(&out).unwrap();
            for path in files {
                staging.put(Path::new(path), b"x").unwrap();
            }
            staging.publish().unwrap()
        };
        build(&["index.html", "old.html"]);
        fs::write(out.join("mine.txt"), "mine").unwrap();
        // Notepad put a BOM before it and CRLF after each line.
        let marker = fs::read_to_string(out.join(MARKER)).unwrap();
        fs::write(
            out.join(MARKER),
            format!("\u{feff}{}", marker.replace('\n', "\r\n")),
        )
        .unwrap();
        let changes = build(&["index.html"]);
        assert_eq!(changes.removed, [PathBuf::from("old.html")]);
        assert_eq!(changes.kept, [PathBuf::from("mine.txt")]);
        // Emptied (as an older huibao wrote it): every file not written again is deleted.
        fs::write(out.join(MARKER), "").unwrap();
        assert_eq!(build(&["index.html"]).removed, [PathBuf::from("mine.txt")]);
    }

    #[test]
    fn the_marker_lists_paths_with_slashes_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let staging = Staging::create(&out).unwrap();
        for path in ["villages/b.html", "index.html", "villages/a.html"] {
            staging.put(Path::new(path), b"x").unwrap();
        }
        staging.publish().unwrap();
        let marker = fs::read_to_string(out.join(MARKER)).unwrap();
        assert_eq!(
            marker,
            format!("{MARKER_HEAD}\nindex.html\nvillages/a.html\nvillages/b.html\n")
        );
    }

    #[test]
    fn leftovers_of_a_killed_build_are_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        for leftover in [".public.huibao-new", ".public.huibao-old"] {
            fs::create_dir_all(dir.path().join(leftover).join("x")).unwrap();
        }
        // Scratch files, and those of the search lists' batches beside them.
        for leftover in [
            ".public.huibao-scratch-search",
            ".public.huibao-scratch-search.batch-0",
            ".public.huibao-scratch-print",
        ] {
            fs::write(dir.path().join(leftover), "x").unwrap();
        }
        // Not a scratch file of huibao's: kept.
        fs::write(dir.path().join(".public.huibao-scratch-notes"), "mine").unwrap();
        for _ in 0..2 {
            let staging = Staging::create(&out).unwrap();
            staging.put(Path::new("index.html"), b"<p>1</p>").unwrap();
            staging.publish().unwrap();
        }
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        // (The lock stays, empty: taken by each build.)
        assert_eq!(
            names,
            [
                ".public.huibao-lock",
                ".public.huibao-scratch-notes",
                "public"
            ]
        );
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"<p>1</p>");
    }

    #[test]
    fn the_files_added_changed_and_gone_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let build = |files: &[(&str, &str)]| publish_into(&out, files).unwrap();
        let paths = |list: &[PathBuf]| -> Vec<String> {
            list.iter()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .collect()
        };
        let first = build(&[("a.html", "1"), ("b/c.html", "2"), ("d.html", "3")]);
        assert_eq!(paths(&first.added), ["a.html", "b/c.html", "d.html"]);
        assert!(
            first.modified.is_empty() && first.removed.is_empty(),
            "{first:?}"
        );
        let second = build(&[("a.html", "1"), ("d.html", "4"), ("e.html", "5")]);
        assert_eq!(paths(&second.added), ["e.html"]);
        assert_eq!(paths(&second.modified), ["d.html"]);
        assert_eq!(paths(&second.removed), ["b/c.html"]);
        assert!(!out.join("b/c.html").exists());
    }

    #[test]
    fn a_streamed_file_with_the_same_bytes_is_the_published_one() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let write = |text: &'static str| {
            let staging = Staging::create(&out).unwrap();
            staging
                .put_with(Path::new("figures.json"), |w| w.write_all(text.as_bytes()))
                .unwrap();
            staging.publish().unwrap()
        };
        assert_eq!(write("[1]").added, [PathBuf::from("figures.json")]);
        let modified = fs::metadata(out.join("figures.json"))
            .unwrap()
            .modified()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let same = write("[1]");
        assert!(
            same.added.is_empty() && same.modified.is_empty(),
            "{same:?}"
        );
        let kept = fs::metadata(out.join("figures.json"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(
            kept, modified,
            "an unchanged file keeps its modification time"
        );
        assert_eq!(write("[2]").modified, [PathBuf::from("figures.json")]);
        assert_eq!(fs::read(out.join("figures.json")).unwrap(), b"[2]");
    }
}

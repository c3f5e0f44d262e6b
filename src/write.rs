//! Write: publish the built site atomically.
//!
//! The new site is written into a temporary folder beside the output folder and swapped in
//! only when every file is written, so a failed build or a full disk never leaves a
//! half-written site where the last good one was.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Location, Text};
use crate::render::Output;

/// The file that marks a folder as huibao's output, so that huibao never replaces a folder
/// it did not make.
pub const MARKER: &str = ".huibao-output";

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
}

/// Publishes `output` to `out_dir` (replacing its contents only when all is written).
pub fn publish(output: &Output, out_dir: &Path) -> Result<Changes, Diagnostic> {
    let io_error = |what: Step, path: &Path, error: std::io::Error| {
        let (zh, en) = what.words();
        Diagnostic::error(
            "write",
            Some(Location::file(path)),
            Text::new(
                format!("{zh}失败：{error}"),
                format!("{en} failed: {error}"),
            ),
        )
        .with_hint(Text::new(
            "检查磁盘空间和文件夹权限；原来发布的站点没有改动",
            "check disk space and folder permissions; the site published before is unchanged",
        ))
    };
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "public".to_string());
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if out_dir.exists() && !is_ours(out_dir) {
        return Err(Diagnostic::error(
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
        )));
    }
    fs::create_dir_all(&parent).map_err(|e| io_error(Step::CreateFolder, &parent, e))?;
    let staging = parent.join(format!(".{name}.huibao-new"));
    let retired = parent.join(format!(".{name}.huibao-old"));
    for leftover in [&staging, &retired] {
        if leftover.exists() {
            fs::remove_dir_all(leftover)
                .map_err(|e| io_error(Step::RemoveTemporary, leftover, e))?;
        }
    }

    let write_all = || -> Result<(), Diagnostic> {
        fs::create_dir_all(&staging).map_err(|e| io_error(Step::CreateFolder, &staging, e))?;
        for (path, bytes) in &output.files {
            let target = staging.join(path);
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir).map_err(|e| io_error(Step::CreateFolder, dir, e))?;
            }
            if !keep_unchanged(&out_dir.join(path), &target, bytes) {
                fs::write(&target, bytes).map_err(|e| io_error(Step::WriteFile, path, e))?;
            }
        }
        for (path, source) in &output.copies {
            let target = staging.join(path);
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir).map_err(|e| io_error(Step::CreateFolder, dir, e))?;
            }
            let bytes = fs::read(source).map_err(|e| io_error(Step::CopyFile, source, e))?;
            if !keep_unchanged(&out_dir.join(path), &target, &bytes) {
                fs::write(&target, &bytes).map_err(|e| io_error(Step::CopyFile, source, e))?;
            }
        }
        fs::write(staging.join(MARKER), b"")
            .map_err(|e| io_error(Step::WriteFile, &staging.join(MARKER), e))
    };
    if let Err(diagnostic) = write_all() {
        let _ = fs::remove_dir_all(&staging);
        return Err(diagnostic);
    }

    let changes = compare(out_dir, &staging);
    // Where the system can, the new site and the published one trade places in one step, so
    // a web server serving the folder never finds it missing.
    if out_dir.exists() && exchange(&staging, out_dir).is_ok() {
        let _ = fs::remove_dir_all(&staging);
        return Ok(changes);
    }
    if out_dir.exists() {
        fs::rename(out_dir, &retired).map_err(|e| {
            let _ = fs::remove_dir_all(&staging);
            io_error(Step::Swap, out_dir, e)
        })?;
    }
    if let Err(error) = fs::rename(&staging, out_dir) {
        // Put the last good site back.
        let _ = fs::rename(&retired, out_dir);
        let _ = fs::remove_dir_all(&staging);
        return Err(io_error(Step::Swap, out_dir, error));
    }
    if retired.exists() {
        let _ = fs::remove_dir_all(&retired);
    }
    Ok(changes)
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

/// An unchanged file keeps its inode and modification time: `target` becomes a hard link to
/// the `published` file when that has the same bytes, so that copying tools (robocopy,
/// rsync, "skip identical") see only what changed. Whether it did.
fn keep_unchanged(published: &Path, target: &Path, bytes: &[u8]) -> bool {
    fs::read(published).is_ok_and(|old| old == bytes) && fs::hard_link(published, target).is_ok()
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

/// An output folder huibao may replace: one it made, or an empty one.
fn is_ours(dir: &Path) -> bool {
    dir.join(MARKER).exists() || fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none())
}

/// Files of `dir`, relative to it.
fn files_of(dir: &Path) -> BTreeSet<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.path().strip_prefix(dir).ok().map(Path::to_path_buf))
        .filter(|p| p != Path::new(MARKER))
        .collect()
}

/// What differs between the published site `old` and the new one in `new`.
fn compare(old: &Path, new: &Path) -> Changes {
    let before = files_of(old);
    let after = files_of(new);
    let mut changes = Changes {
        total: after.len(),
        ..Changes::default()
    };
    for path in &after {
        if !before.contains(path) {
            changes.added.push(path.clone());
        } else if fs::read(old.join(path)).ok() != fs::read(new.join(path)).ok() {
            changes.modified.push(path.clone());
        }
    }
    changes.removed = before.difference(&after).cloned().collect();
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn leftovers_of_a_killed_build_are_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        for leftover in [".public.huibao-new", ".public.huibao-old"] {
            fs::create_dir_all(dir.path().join(leftover).join("x")).unwrap();
        }
        let output = Output {
            files: vec![(PathBuf::from("index.html"), b"<p>1</p>".to_vec())],
            ..Output::default()
        };
        publish(&output, &out).unwrap();
        publish(&output, &out).unwrap();
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(names, ["public"]);
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"<p>1</p>");
    }
}

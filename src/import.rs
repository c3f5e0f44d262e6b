//! `huibao import`: a spreadsheet's rows into the site's data files, planned and checked with
//! the whole site first, then written all together.

use std::path::{Path, PathBuf};

use crate::diagnostics::{self, Diagnostic};
use crate::export::required_schema;
use crate::{discover, load, spreadsheet};

/// What `huibao import` reads and where it puts it.
#[derive(Clone, Copy, Debug)]
pub struct ImportOptions<'a> {
    /// The spreadsheet (`.xlsx`, `.xls`, `.ods`, `.csv`), as the user named it.
    pub file: &'a Path,
    /// The data folders or files the records go into: `data/villages`, `data/township.yaml`
    /// (`--into`, given once or more); none: every one whose label names a sheet of the
    /// workbook (as `huibao export xlsx` writes it), all checked together.
    pub into: &'a [String],
    /// The sheet to read (default: the one named as the folder's label, or the only one),
    /// with one target.
    pub sheet: Option<&'a str>,
    /// Only say what would change; write nothing.
    pub dry_run: bool,
    /// Remove the folder's files whose record is not in the sheet (default: only report them).
    pub remove_missing: bool,
}

/// What `huibao import` did (or, with `dry_run`, would do).
#[derive(Debug)]
pub struct ImportReport {
    /// The plan of each target: files to write and remove, values that change, notes.
    pub plans: Vec<spreadsheet::import::Plan>,
    /// Whether the files were written (not a dry run).
    pub written: bool,
}

/// Imports a spreadsheet into the data of the site in `site_root` (see
/// [`spreadsheet::import`]): every row checked with the whole site's data first; nothing is
/// written when any has an error, and the files are written all together or not at all.
pub fn import_data(
    site_root: &Path,
    options: &ImportOptions<'_>,
) -> Result<ImportReport, Vec<Diagnostic>> {
    let site = discover::discover(site_root)?;
    let schema = required_schema(
        &site.root,
        (
            "导入要按它的字段读表头和单元格",
            "a sheet's header and cells are read by its fields",
        ),
    )?;
    let loaded = load::load(&site.root, &site.data_files)?;
    let request = spreadsheet::import::Request {
        file: options.file,
        shown: options.file,
        into: "",
        sheet: options.sheet,
        remove_missing: options.remove_missing,
    };
    let intos: Vec<&str> = options.into.iter().map(String::as_str).collect();
    let plans = spreadsheet::import::plan_all(&site.root, &schema, &loaded, &request, &intos)?;
    if !options.dry_run {
        write_imported(&site.root, &plans).map_err(|d| vec![d])?;
    }
    Ok(ImportReport {
        plans,
        written: !options.dry_run,
    })
}

/// Writes an import's files (of every target's plan): each into a temporary file beside it
/// first, all renamed into place only when all are written; then removes the files to
/// remove.
pub(super) fn write_imported(
    root: &Path,
    plans: &[spreadsheet::import::Plan],
) -> Result<(), Diagnostic> {
    let failed = |path: &Path, e: std::io::Error| {
        Diagnostic::error(
            "import-write",
            Some(diagnostics::Location::file(path)),
            {
                let why = diagnostics::io_said(&e);
                diagnostics::Text::new(format!("写入失败：{}", why.zh), format!("cannot write: {}", why.en))
            },
        )
        .with_hint(diagnostics::Text::new(
            "检查文件夹权限和磁盘空间（文件是否在别的程序里打开）；数据文件没有改动",
            "check the folder's permissions and disk space (is the file open in another program?); no data file was changed",
        ))
    };
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    for planned in plans.iter().flat_map(|plan| &plan.writes) {
        let path = root.join(&planned.path);
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".huibao-import");
        let temporary = PathBuf::from(temporary);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&temporary, &planned.text));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temporary);
            for (t, _) in &staged {
                let _ = std::fs::remove_file(t);
            }
            return Err(failed(&planned.path, e));
        }
        staged.push((temporary, path));
    }
    for (temporary, path) in &staged {
        std::fs::rename(temporary, path).map_err(|e| failed(path, e))?;
    }
    for path in plans.iter().flat_map(|plan| &plan.removes) {
        std::fs::remove_file(root.join(path)).map_err(|e| failed(path, e))?;
    }
    Ok(())
}

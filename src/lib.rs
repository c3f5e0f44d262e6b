//! huibao (汇报): a static report-site generator for data-driven work reports.
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`discover`] → [`load`] → [`validate`] → [`render`] → [`write`].
//! Every stage reports problems in the user's files as [`diagnostics::Diagnostic`]s.

// Diagnostics are returned by value: they are rare, and boxing them buys nothing.
#![allow(clippy::result_large_err)]

pub mod config;
pub mod diagnostics;
pub mod discover;
pub mod load;
pub mod new_site;
pub mod render;
pub mod validate;
pub mod write;

use std::path::{Path, PathBuf};

use diagnostics::Diagnostic;

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    /// Pages and other files written.
    pub files: usize,
    /// Where the site was published.
    pub out_dir: PathBuf,
    /// What changed compared with the site published before.
    pub changes: write::Changes,
    /// Warnings and notes from validation.
    pub notes: Vec<Diagnostic>,
}

/// A site read, validated and rendered in memory.
#[derive(Debug)]
pub struct Rendered {
    /// The site's files.
    pub site: discover::Site,
    /// The pages and files to publish.
    pub output: render::Output,
    /// Warnings and notes from validation (no errors: those stop the build).
    pub notes: Vec<Diagnostic>,
}

/// Reads, validates and renders the site in `site_root`, without writing anything.
/// With `deny_warnings`, warnings stop it like errors.
pub fn render(site_root: &Path, deny_warnings: bool) -> Result<Rendered, Vec<Diagnostic>> {
    let site = discover::discover(site_root)?;
    let data = load::load(&site.root, &site.data_files)?;
    let (data, notes) = validate::validate(&site.root, &data);
    let stops = |d: &Diagnostic| {
        d.is_error() || (deny_warnings && d.severity == diagnostics::Severity::Warning)
    };
    if notes.iter().any(stops) {
        return Err(notes);
    }
    let output = render::render_site(&site, &data).map_err(|mut problems| {
        problems.extend(notes.iter().cloned());
        problems
    })?;
    Ok(Rendered {
        site,
        output,
        notes,
    })
}

/// Builds the site in `site_root` and publishes it to `out_dir` (default: the site's
/// `output_dir`). On any error nothing is published and the previous site stays as it was.
pub fn build(
    site_root: &Path,
    out_dir: Option<&Path>,
    deny_warnings: bool,
) -> Result<BuildReport, Vec<Diagnostic>> {
    let Rendered {
        site,
        output,
        notes,
    } = render(site_root, deny_warnings)?;
    let out_dir = match out_dir {
        Some(dir) => dir.to_path_buf(),
        None => site.root.join(&site.config.output_dir),
    };
    check_output_dir(&site, &out_dir)?;
    let changes = write::publish(&output, &out_dir).map_err(|d| vec![d])?;
    Ok(BuildReport {
        files: output.files.len() + output.copies.len(),
        out_dir,
        changes,
        notes,
    })
}

/// Refuses an output folder that would overwrite the site's own sources.
fn check_output_dir(site: &discover::Site, out_dir: &Path) -> Result<(), Vec<Diagnostic>> {
    let absolute = |p: &Path| {
        std::path::absolute(p)
            .map(|p| normalize(&p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let out = absolute(out_dir);
    let root = absolute(&site.root);
    let sources = ["data", "content", "themes", "static", "src", "tests"];
    let clashes = out == root
        || root.starts_with(&out)
        || sources.iter().any(|dir| out.starts_with(root.join(dir)));
    if clashes {
        return Err(vec![
            Diagnostic::error(
                "output-dir",
                Some(diagnostics::Location::file(out_dir)),
                diagnostics::Text::new(
                    format!("输出文件夹 {} 会覆盖站点自己的文件", out_dir.display()),
                    format!(
                        "the output folder {} would overwrite the site's own files",
                        out_dir.display()
                    ),
                ),
            )
            .with_hint(diagnostics::Text::new(
                "输出到单独的文件夹，例如 public/",
                "write to a folder of its own, such as public/",
            )),
        ]);
    }
    Ok(())
}

/// Removes `.` and `..` from an absolute path without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

//! Validate: checks on the loaded data before anything is rendered.
//!
//! Today: the shape of the data tree (a file and a folder may not claim one name). The
//! schema, units and cross-file rules come here next (see the issues).

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Location, Text};
use crate::load::Data;

/// Every problem found in `data`.
pub fn validate(data: &Data) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let files: HashMap<&[String], &std::path::Path> = data
        .files
        .iter()
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

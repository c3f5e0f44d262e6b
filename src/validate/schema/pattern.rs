//! File patterns of the schema: `villages/*.yaml` (one `*` per folder level).

use std::path::{Path, PathBuf};

/// Whether the data file `path` (relative to the site) matches `pattern` (relative to data/).
pub fn matches(pattern: &str, path: &Path) -> bool {
    let rel: PathBuf = path.strip_prefix("data").unwrap_or(path).to_path_buf();
    let rel = crate::site_path::slashed(&rel);
    let pattern_parts: Vec<&str> = pattern.split('/').collect();
    let path_parts: Vec<&str> = rel.split('/').collect();
    pattern_parts.len() == path_parts.len()
        && pattern_parts
            .iter()
            .zip(&path_parts)
            .all(|(p, s)| glob(p, s))
}

/// `*` matches any run of characters within one name.
fn glob(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((prefix, suffix)) => {
            name.len() >= prefix.len() + suffix.len()
                && name.starts_with(prefix)
                && name.ends_with(suffix)
                && !suffix.contains('*')
        }
    }
}

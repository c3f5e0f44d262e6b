//! File patterns of the schema: `villages/*.yaml` (one `*` per folder level).

use std::path::Path;

/// Whether the data file `path` (relative to the site) matches `pattern` (relative to data/):
/// name by name, nothing made (every file is matched against the schema's patterns by each
/// stage that checks it).
pub fn matches(pattern: &str, path: &Path) -> bool {
    matches_name(pattern, &DataName::of(path))
}

/// A data file's path as patterns read it: relative to `data/`.
pub struct DataName<'p>(std::borrow::Cow<'p, str>);

impl<'p> DataName<'p> {
    /// The name of the data file at `path` (relative to the site), made once for the
    /// matches of every pattern.
    pub fn of(path: &'p Path) -> Self {
        DataName(path.to_string_lossy())
    }

    fn relative(&self) -> &str {
        let text = &*self.0;
        text.strip_prefix("data/")
            .or_else(|| text.strip_prefix("data\\"))
            .unwrap_or(text)
    }
}

/// [`matches`] of a name made once.
pub fn matches_name(pattern: &str, name: &DataName<'_>) -> bool {
    let rel = name.relative();
    let mut names = rel.split(['/', '\\']);
    let mut patterns = pattern.split('/');
    loop {
        match (patterns.next(), names.next()) {
            (None, None) => return true,
            (Some(pattern), Some(name)) if glob(pattern, name) => {}
            _ => return false,
        }
    }
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

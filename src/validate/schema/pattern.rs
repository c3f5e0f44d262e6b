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
        DataName(crate::site_path::text(path))
    }

    fn relative(&self) -> &str {
        let text = &*self.0;
        text.strip_prefix("data/")
            .or_else(|| text.strip_prefix("data\\"))
            .unwrap_or(text)
    }
}

/// [`matches`] of a name made once. Compared as bytes (`/`, `\` and `*` are ASCII: a
/// name's bytes split where its characters would).
pub fn matches_name(pattern: &str, name: &DataName<'_>) -> bool {
    let mut names = name
        .relative()
        .as_bytes()
        .split(|&b| b == b'/' || b == b'\\');
    let mut patterns = pattern.as_bytes().split(|&b| b == b'/');
    loop {
        match (patterns.next(), names.next()) {
            (None, None) => return true,
            (Some(pattern), Some(name)) if glob(pattern, name) => {}
            _ => return false,
        }
    }
}

/// `*` matches any run of characters within one name.
fn glob(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.iter().position(|&b| b == b'*') {
        None => pattern == name,
        Some(star) => {
            let (prefix, suffix) = (&pattern[..star], &pattern[star + 1..]);
            name.len() >= prefix.len() + suffix.len()
                && name.starts_with(prefix)
                && name.ends_with(suffix)
                && !suffix.contains(&b'*')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The match as written with the names as texts (as it was before it compared bytes).
    fn matches_as_text(pattern: &str, path: &str) -> bool {
        let rel = path
            .strip_prefix("data/")
            .or_else(|| path.strip_prefix("data\\"))
            .unwrap_or(path);
        let glob = |pattern: &str, name: &str| match pattern.split_once('*') {
            None => pattern == name,
            Some((prefix, suffix)) => {
                name.len() >= prefix.len() + suffix.len()
                    && name.starts_with(prefix)
                    && name.ends_with(suffix)
                    && !suffix.contains('*')
            }
        };
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

    proptest::proptest! {
        /// Bytes match as the texts do, whatever the names' characters.
        #[test]
        fn a_pattern_matches_as_bytes_what_it_matches_as_text(
            pattern in "[a横*/.]{0,8}",
            path in "(data[/\\\\])?[a横*/\\\\.]{0,10}",
        ) {
            let name = DataName::of(Path::new(&path));
            proptest::prop_assert_eq!(
                matches_name(&pattern, &name),
                matches_as_text(&pattern, &path)
            );
        }
    }

    #[test]
    fn village_files_match_their_folder_s_pattern() {
        let name = |p: &'static str| DataName::of(Path::new(p));
        assert!(matches_name(
            "villages/*.yaml",
            &name("data/villages/横溪.yaml")
        ));
        assert!(matches_name(
            "villages/*.yaml",
            &name("data\\villages\\v1.yaml")
        ));
        assert!(!matches_name(
            "villages/*.yaml",
            &name("data/villages/a/v1.yaml")
        ));
        assert!(!matches_name(
            "villages/*.yaml",
            &name("data/township.yaml")
        ));
        assert!(matches_name("township.yaml", &name("data/township.yaml")));
    }
}

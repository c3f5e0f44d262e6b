//! A path inside the site as the site writes it: `/` between its parts on every system (a
//! page's output path, a data file named in a message or in `figures.json`).

use std::borrow::Cow;
use std::path::Path;

/// `path` with `/` between its parts (Windows writes `\`).
pub fn slashed(path: &Path) -> String {
    slashed_borrowed(path).into_owned()
}

/// [`slashed`], borrowed when the path has no `\\` (as on Unix): no copy.
pub fn slashed_borrowed(path: &Path) -> Cow<'_, str> {
    match text(path) {
        text if text.contains('\\') => Cow::Owned(text.replace('\\', "/")),
        text => text,
    }
}

/// `path` as text, as `to_string_lossy` makes it, but told valid first by `to_str` (which
/// checks the bytes many at a time; `to_string_lossy` reads them one at a time, valid or
/// not: 10,000 data paths at each rebuild of the preview).
pub fn text(path: &Path) -> Cow<'_, str> {
    path.to_str()
        .map_or_else(|| path.to_string_lossy(), Cow::Borrowed)
}

/// Whether `a` and `b` are one path, their file names compared first (one part, where a
/// whole path is compared part by part: the preview looks for a few changed paths among
/// 10,000 listed ones).
pub fn same(a: &Path, b: &Path) -> bool {
    a.file_name() == b.file_name() && a == b
}

/// The order of two of the site's paths (relative, made by joining clean names): the order
/// of their names one by one, as `Path`'s own, found by comparing their bytes with the
/// separator before every other byte — without splitting either into components (a build
/// of 10,000 villages sorts 30,000 paths, written in any order from every core; the preview
/// sorts 10,000 data files at each rebuild).
pub fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let key = |byte: u8| {
        if std::path::is_separator(byte.into()) {
            0
        } else {
            byte
        }
    };
    let (a, b) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    a.iter().map(|&x| key(x)).cmp(b.iter().map(|&x| key(x)))
}

/// A few paths looked for among many (the files the preview's watcher saw change, among
/// 10,000 data files at each correction): a path's last part is compared first, as bytes,
/// and the whole path ([`same`]) only when it matches — a path's hash, like its parts,
/// costs hundreds of instructions. More paths than [`PathsToFind::FEW`] are hashed.
#[derive(Debug)]
pub enum PathsToFind {
    /// Each path with its file name's bytes (empty when it has none: always compared whole).
    Few(Vec<(Vec<u8>, std::path::PathBuf)>),
    /// Many paths (a folder replaced at once).
    Many(std::collections::HashSet<std::path::PathBuf>),
}

impl PathsToFind {
    /// More paths than this are looked up by their hash.
    pub const FEW: usize = 64;

    /// The paths to look for.
    pub fn new<P: Into<std::path::PathBuf>>(paths: impl IntoIterator<Item = P>) -> PathsToFind {
        let paths: Vec<std::path::PathBuf> = paths.into_iter().map(Into::into).collect();
        if paths.len() > Self::FEW {
            return PathsToFind::Many(paths.into_iter().collect());
        }
        let name = |p: &Path| {
            p.file_name()
                .map_or_else(Vec::new, |n| n.as_encoded_bytes().to_vec())
        };
        PathsToFind::Few(paths.into_iter().map(|p| (name(&p), p)).collect())
    }

    /// Whether `path` is one of them (as `Path` compares: part by part).
    pub fn contains(&self, path: &Path) -> bool {
        match self {
            PathsToFind::Many(paths) => paths.contains(path),
            PathsToFind::Few(paths) => {
                let bytes = path.as_os_str().as_encoded_bytes();
                // A path ending in a part of its own (not a separator, not `.`) ends with
                // its file name's bytes: one that does not end with the other's is another.
                let plain_end = bytes
                    .last()
                    .is_some_and(|&b| b != b'.' && !std::path::is_separator(char::from(b)));
                paths
                    .iter()
                    .any(|(name, other)| (!plain_end || bytes.ends_with(name)) && same(other, path))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_to_find_are_found_as_paths_compare_whatever_their_number() {
        let wanted = ["data/villages/hengxi.yaml", "data/a.yaml", "data/b/"];
        for filler in [0, PathsToFind::FEW] {
            let paths = PathsToFind::new(
                wanted
                    .iter()
                    .map(|p| p.to_string())
                    .chain((0..filler).map(|i| format!("data/other/{i}.yaml"))),
            );
            for (path, found) in [
                ("data/villages/hengxi.yaml", true),
                ("data//villages/./hengxi.yaml", true),
                ("data/villages/hengxi.yaml/", true),
                ("data/villages/hengxi.yaml/.", true),
                ("data/a.yaml", true),
                ("data/b", true),
                ("data/villages/fenglin.yaml", false),
                ("data/ahengxi.yaml", false),
                ("hengxi.yaml", false),
                ("data/villages", false),
                ("", false),
            ] {
                assert_eq!(paths.contains(Path::new(path)), found, "{path} ({filler})");
            }
        }
    }

    #[test]
    fn parts_are_joined_by_slashes() {
        assert_eq!(
            slashed(Path::new("data/villages/hengxi.yaml")),
            "data/villages/hengxi.yaml"
        );
        assert_eq!(
            slashed(Path::new("data\\villages\\横溪.yaml")),
            "data/villages/横溪.yaml"
        );
        let unix = Path::new("data/villages/hengxi.yaml");
        assert!(matches!(slashed_borrowed(unix), Cow::Borrowed(_)));
    }
}

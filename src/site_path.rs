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

#[cfg(test)]
mod tests {
    use super::*;

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

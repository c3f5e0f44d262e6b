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
    match path.to_string_lossy() {
        text if text.contains('\\') => Cow::Owned(text.replace('\\', "/")),
        text => text,
    }
}

/// Whether `a` and `b` are one path, their file names compared first (one part, where a
/// whole path is compared part by part: the preview looks for a few changed paths among
/// 10,000 listed ones).
pub fn same(a: &Path, b: &Path) -> bool {
    a.file_name() == b.file_name() && a == b
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

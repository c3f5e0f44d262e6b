//! A path inside the site as the site writes it: `/` between its parts on every system (a
//! page's output path, a data file named in a message or in `figures.json`).

use std::path::Path;

/// `path` with `/` between its parts (Windows writes `\`).
pub fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
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
    }
}

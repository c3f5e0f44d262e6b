//! A path inside the site as the site writes it: `/` between its parts on every system (a
//! page's output path, a data file named in a message or in `figures.json`); a file name
//! made from a Chinese name in pinyin.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

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

/// Whether `a` and `b` are one path (as `Path` compares them: part by part), their last
/// parts' bytes compared first, from the end, when both end in a part of their own — a
/// path's parts cost hundreds of instructions to find, and the preview looks for a few
/// changed paths among 10,000 listed ones at each correction.
pub fn same(a: &Path, b: &Path) -> bool {
    let (a_bytes, b_bytes) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    if ends_plainly(a_bytes) && ends_plainly(b_bytes) && last_parts_differ(a_bytes, b_bytes) {
        return false;
    }
    a == b
}

/// Whether a path ends in a part of its own: not in a separator, nor in `.` (`a/.` is `a`
/// and `a/..` has no last name; a name ending in `.` is left to `Path` too).
fn ends_plainly(path: &[u8]) -> bool {
    path.last()
        .is_some_and(|&byte| byte != b'.' && !ends_part(byte))
}

/// Whether a byte ends a path's part: a separator, or on Windows a drive's `:` (`c:a` and
/// `C:a` are one path).
fn ends_part(byte: u8) -> bool {
    std::path::is_separator(char::from(byte)) || (cfg!(windows) && byte == b':')
}

/// Whether the last parts of two paths that end plainly differ, read from the end: most
/// paths looked for differ within their last few bytes.
fn last_parts_differ(a: &[u8], b: &[u8]) -> bool {
    let in_part = |byte: &&u8| !ends_part(**byte);
    let (mut a, mut b) = (a.iter().rev(), b.iter().rev());
    loop {
        match (a.next().filter(in_part), b.next().filter(in_part)) {
            (None, None) => return false,
            (Some(x), Some(y)) if x == y => {}
            _ => return true,
        }
    }
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
/// 10,000 data files at each correction), each compared by [`same`]; more paths than
/// [`PathsToFind::FEW`] are hashed.
#[derive(Debug)]
pub enum PathsToFind {
    /// A few paths.
    Few(Vec<std::path::PathBuf>),
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
            PathsToFind::Many(paths.into_iter().collect())
        } else {
            PathsToFind::Few(paths)
        }
    }

    /// Whether `path` is one of them (as `Path` compares: part by part).
    pub fn contains(&self, path: &Path) -> bool {
        match self {
            PathsToFind::Many(paths) => paths.contains(path),
            PathsToFind::Few(paths) => paths.iter().any(|other| same(other, path)),
        }
    }
}

/// Whether a file's name without its extension (`hengxi - 副本`) looks like a copy Windows
/// made of another: `名 - 副本`, `名 - Copy`, `名 (2)`, `名（2）`.
pub fn looks_copied(stem: &str) -> bool {
    let lower = stem.to_lowercase();
    let numbered = |open: char, close: char| {
        lower
            .strip_suffix(close)
            .and_then(|rest| rest.rsplit_once(open))
            .is_some_and(|(name, n)| {
                !name.trim().is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
            })
    };
    lower.contains("副本")
        || lower.ends_with(" - copy")
        || numbered('(', ')')
        || numbered('（', '）')
}

/// Whether a folder's `name` says it keeps a backup or a copy, not the report's files:
/// a copy Windows made ([`looks_copied`]: `policies - 副本`), 备份 in it (`villages备份`),
/// or a backup's usual name (`bak`, `backup`, `old`, 旧, 旧版, 存档; `villages_bak`).
pub fn looks_like_backup(name: &str) -> bool {
    let lower = name.trim().to_lowercase();
    looks_copied(&lower)
        || lower.contains("备份")
        || ["bak", "backup", "backups", "old", "旧", "旧版", "存档"].contains(&lower.as_str())
        || [
            "_bak", ".bak", "-bak", " bak", "_old", "-old", "_backup", "-backup",
        ]
        .iter()
        .any(|end| lower.ends_with(end))
}

/// The folders of `paths` (files relative to one folder, sorted as walked) that keep a
/// backup ([`looks_like_backup`]), each the outermost such folder with how many files it
/// holds, in order.
pub fn backup_folders(paths: &[PathBuf]) -> Vec<(PathBuf, usize)> {
    let mut found: Vec<(PathBuf, usize)> = Vec::new();
    // (Files of one folder come together: each folder looked at once.)
    let mut last: Option<(&Path, Option<PathBuf>)> = None;
    for path in paths {
        let parent = path.parent().unwrap_or(Path::new(""));
        let backup = match &last {
            Some((seen, backup)) if *seen == parent => backup.clone(),
            _ => {
                let mut folder = PathBuf::new();
                let mut backup = None;
                for part in parent.components() {
                    folder.push(part);
                    if looks_like_backup(&part.as_os_str().to_string_lossy()) {
                        backup = Some(folder.clone());
                        break;
                    }
                }
                last = Some((parent, backup.clone()));
                backup
            }
        };
        let Some(backup) = backup else {
            continue;
        };
        match found.last_mut() {
            Some((folder, files)) if *folder == backup => *files += 1,
            _ => found.push((backup, 1)),
        }
    }
    found
}

/// What a name's village or community suffix may be, longest first ([`id_from_name`]).
const SUFFIXES: [&str; 6] = ["村民委员会", "居民委员会", "村委会", "居委会", "社区", "村"];

/// A file name (an id) made from a name in pinyin ([`id_from_name`]).
#[derive(Clone, Debug, PartialEq)]
pub struct IdFromName {
    /// The id (`[a-z_][a-z0-9_]*`), empty when the name has nothing to make one of.
    pub id: String,
    /// The characters read one way of several (长: zhang, chang), with their readings.
    pub ambiguous: Vec<(char, Vec<&'static str>)>,
    /// Whether a character of the name was read in pinyin (a Chinese name).
    pub chinese: bool,
}

/// The id of a record named `name`, as the bundled files are named (横溪村 → `hengxi`: the
/// 村, 村委会, 社区 of a village's name left off): its pinyin without tones (each character's
/// first reading), Latin letters and digits kept in lower case, the rest left out.
pub fn id_from_name(name: &str) -> IdFromName {
    use pinyin::ToPinyinMulti;
    let name = name.trim();
    let stem = SUFFIXES
        .iter()
        .find_map(|s| name.strip_suffix(s).filter(|rest| !rest.is_empty()))
        .unwrap_or(name);
    let mut id = String::new();
    let mut ambiguous = Vec::new();
    let mut chinese = false;
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if let Some(readings) = c.to_pinyin_multi() {
            chinese = true;
            let mut plain: Vec<&'static str> = Vec::new();
            for reading in readings {
                if !plain.contains(&reading.plain()) {
                    plain.push(reading.plain());
                }
            }
            if let Some(first) = plain.first() {
                id.push_str(first);
            }
            if plain.len() > 1 {
                ambiguous.push((c, plain));
            }
        }
    }
    // `ü` is written `v` in file names, as on a keyboard.
    let mut id = id.replace('ü', "v");
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert(0, '_');
    }
    IdFromName {
        id,
        ambiguous,
        chinese,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_folder_is_told_by_its_name() {
        for name in [
            "备份",
            "villages备份",
            "policies - 副本",
            "bak",
            "Backup",
            "old",
            "旧版",
            "存档",
            "villages_bak",
            "policies_old",
            "policies (2)",
        ] {
            assert!(looks_like_backup(name), "{name}");
        }
        for name in [
            "villages",
            "policies",
            "bold",
            "旧村改造",
            "history",
            "older_people",
        ] {
            assert!(!looks_like_backup(name), "{name}");
        }
        let paths: Vec<PathBuf> = [
            "a.yaml",
            "villages/a.yaml",
            "villages/备份/a.yaml",
            "villages/备份/b.yaml",
            "villages/备份/x/c.yaml",
            "villages/z.yaml",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(
            backup_folders(&paths),
            [(PathBuf::from("villages/备份"), 3)]
        );
    }

    #[test]
    fn a_copy_windows_made_is_told_by_its_name() {
        for copied in [
            "hengxi - 副本",
            "hengxi - 副本 (2)",
            "Hengxi - Copy",
            "hengxi (2)",
            "hengxi（3）",
        ] {
            assert!(looks_copied(copied), "{copied}");
        }
        for own in ["hengxi", "hengxi_2", "(2)", "notes (draft)", "copy"] {
            assert!(!looks_copied(own), "{own}");
        }
    }

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
    fn same_is_paths_own_equality() {
        let paths = [
            "data/villages/hengxi.yaml",
            "data//villages/./hengxi.yaml",
            "./data/villages/hengxi.yaml",
            "data/villages/hengxi.yaml/",
            "data/villages/hengxi.yaml/.",
            "data/villages/hengxi.yaml/..",
            "data/villages/../villages/hengxi.yaml",
            "/data/villages/hengxi.yaml",
            "data/villages/ahengxi.yaml",
            "hengxi.yaml",
            "villages/hengxi.yaml",
            "data/villages",
            "data/villages/",
            "data/villages/.",
            "data/villages.",
            "data/villages..",
            "data/b",
            "data/b/",
            ".",
            "..",
            "/",
            "",
            "横溪.yaml",
            "data/村/横溪.yaml",
            "data\\villages\\hengxi.yaml",
            "c:hengxi.yaml",
            "C:hengxi.yaml",
            "C:\\data\\hengxi.yaml",
        ];
        for a in paths {
            for b in paths {
                let (a, b) = (Path::new(a), Path::new(b));
                assert_eq!(same(a, b), a == b, "{a:?} {b:?}");
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

    #[test]
    fn village_names_become_the_bundled_file_names() {
        for (name, id) in [
            ("横溪村", "hengxi"),
            ("云湾村", "yunwan"),
            ("枫林村委会", "fenglin"),
            ("新塘社区", "xintang"),
            ("村", "cun"),
            ("女儿村", "nver"),
            ("3组", "_3zu"),
        ] {
            assert_eq!(id_from_name(name).id, id, "{name}");
        }
        let changling = id_from_name("长岭村");
        assert_eq!(changling.ambiguous[0].0, '长');
        assert!(changling.ambiguous[0].1.contains(&"chang"));
        assert_eq!(id_from_name("——").id, "");
    }
}

//! The figures manifest: every figure a build published, page by page, with what it is, its
//! exact value as printed and its source. Written into the output as [`FILE`], it is how
//! the next build (and `huibao diff`) tells which figures a correction changed.
//!
//! The file is deterministic: pages in output order, figures in page order, data files by
//! path; no time stamps.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The manifest's file name in the output folder.
pub const FILE: &str = "figures.json";

/// One figure as a page printed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    /// A stable key: `data/policies/health.yaml#hospital.hospitalisations`, or for a computed
    /// figure its helper and its inputs' keys.
    pub key: String,
    /// What it is: `健康扶贫 贫困人口住院 住院人次`.
    pub what: String,
    /// The text printed, e.g. `1445人次`.
    pub value: String,
    /// Where it comes from: `data/policies/health.yaml:5`, or how it was computed.
    pub src: String,
    /// One value of a data file (`true`), or computed from several.
    pub direct: bool,
}

/// The figures of one page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// Its path in the output: `policies/health.html`.
    pub page: String,
    /// Its title.
    pub title: String,
    /// Its figures, in the order printed.
    pub figures: Vec<Figure>,
}

/// Every figure of a build, and a fingerprint of every data file it read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The format's version.
    pub version: u32,
    /// Data file (`data/villages/hengxi.yaml`) → fingerprint of its bytes.
    pub data: BTreeMap<String, String>,
    /// The pages, in output order.
    pub pages: Vec<Page>,
}

impl Manifest {
    /// A manifest of `pages` (sorted here) and `data` fingerprints.
    pub fn new(mut pages: Vec<Page>, data: BTreeMap<String, String>) -> Manifest {
        pages.sort_by(|a, b| a.page.cmp(&b.page));
        Manifest {
            version: 1,
            data,
            pages,
        }
    }

    /// The manifest as the bytes written: one line per figure, so that two manifests diff
    /// line by line.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::from("{\n\"version\": 1,\n\"data\": {");
        for (i, (path, print)) in self.data.iter().enumerate() {
            out.push_str(if i == 0 { "\n  " } else { ",\n  " });
            out.push_str(&json(path));
            out.push_str(": ");
            out.push_str(&json(print));
        }
        out.push_str("\n},\n\"pages\": [");
        for (i, page) in self.pages.iter().enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            out.push_str(&format!(
                "{{\"page\": {}, \"title\": {}, \"figures\": [",
                json(&page.page),
                json(&page.title)
            ));
            for (j, figure) in page.figures.iter().enumerate() {
                out.push_str(if j == 0 { "\n  " } else { ",\n  " });
                out.push_str(&serde_json::to_string(figure).unwrap_or_default());
            }
            out.push_str("\n]}");
        }
        out.push_str("\n]\n}\n");
        out.into_bytes()
    }

    /// Reads the manifest of the site published in `out_dir`, if there is a readable one.
    pub fn read(out_dir: &Path) -> Option<Manifest> {
        let bytes = std::fs::read(out_dir.join(FILE)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Every figure once, by key: (the first page printing it, the figure as printed there).
    pub fn by_key(&self) -> BTreeMap<&str, (&Page, &Figure)> {
        let mut map = BTreeMap::new();
        for page in &self.pages {
            for figure in &page.figures {
                map.entry(figure.key.as_str()).or_insert((page, figure));
            }
        }
        map
    }
}

fn json(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// The fingerprint of a data file's bytes (FNV-1a, 64 bits, hex): the manifest only needs to
/// tell whether a file changed, stably across runs and machines.
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// A figure that changed between two builds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The figure's key.
    pub key: String,
    /// What it is.
    pub what: String,
    /// As printed before (`None`: it was not published before).
    pub old: Option<String>,
    /// As printed now (`None`: it is no longer published).
    pub new: Option<String>,
    /// Its source now (or before, when it is gone).
    pub src: String,
    /// One value of a data file, not computed.
    pub direct: bool,
}

/// The figures whose printed value changed from `old` to `new`, with the figures no longer
/// published and those published for the first time, in key order.
pub fn diff(old: &Manifest, new: &Manifest) -> Vec<Change> {
    let (before, after) = (old.by_key(), new.by_key());
    let mut changes = Vec::new();
    for (key, (_, figure)) in &after {
        match before.get(key) {
            Some((_, was)) if was.value == figure.value => {}
            was => changes.push(Change {
                key: key.to_string(),
                what: figure.what.clone(),
                old: was.map(|(_, f)| f.value.clone()),
                new: Some(figure.value.clone()),
                src: figure.src.clone(),
                direct: figure.direct,
            }),
        }
    }
    for (key, (_, figure)) in &before {
        if !after.contains_key(key) {
            changes.push(Change {
                key: key.to_string(),
                what: figure.what.clone(),
                old: Some(figure.value.clone()),
                new: None,
                src: figure.src.clone(),
                direct: figure.direct,
            });
        }
    }
    changes.sort_by(|a, b| a.key.cmp(&b.key));
    changes
}

/// The data files whose fingerprint differs between `old` and the current `data`
/// fingerprints, or that are new.
pub fn changed_files(old: &Manifest, data: &BTreeMap<String, String>) -> Vec<String> {
    data.iter()
        .filter(|(path, print)| old.data.get(*path) != Some(*print))
        .map(|(path, _)| path.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(key: &str, value: &str) -> Figure {
        Figure {
            key: key.into(),
            what: format!("什么 {key}"),
            value: value.into(),
            src: format!("{key}:1"),
            direct: true,
        }
    }

    fn manifest(figures: Vec<Figure>) -> Manifest {
        Manifest::new(
            vec![Page {
                page: "index.html".into(),
                title: "首页".into(),
                figures,
            }],
            BTreeMap::from([("data/a.yaml".to_string(), fingerprint(b"a: 1"))]),
        )
    }

    #[test]
    fn changed_removed_and_new_figures() {
        let old = manifest(vec![
            figure("a", "1人"),
            figure("b", "2人"),
            figure("c", "3人"),
        ]);
        let new = manifest(vec![
            figure("a", "1人"),
            figure("b", "5人"),
            figure("d", "4人"),
        ]);
        let changes = diff(&old, &new);
        let summary: Vec<_> = changes
            .iter()
            .map(|c| (c.key.as_str(), c.old.as_deref(), c.new.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                ("b", Some("2人"), Some("5人")),
                ("c", Some("3人"), None),
                ("d", None, Some("4人"))
            ]
        );
        assert!(diff(&new, &new).is_empty());
    }

    #[test]
    fn bytes_read_back_and_fingerprints_are_stable() {
        let m = manifest(vec![figure("a", "1人")]);
        let back: Manifest = serde_json::from_slice(&m.to_bytes()).unwrap();
        assert_eq!(back, m);
        assert_eq!(fingerprint(b""), "cbf29ce484222325");
        assert_eq!(fingerprint(b"a"), "af63dc4c8601ec8c");
    }
}

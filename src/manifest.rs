//! The figures manifest: every figure a build published, page by page, with what it is, its
//! exact value as printed and its source. Written into the output as [`FILE`], it is how
//! the next build (and `huibao diff`) tells which figures a correction changed.
//!
//! The file is deterministic: pages in output order, figures in page order, data files by
//! path; no time stamps. It is compact (a site of 10,000 villages prints hundreds of
//! thousands of figures): a figure of a data file is written as its file's number in the
//! `files` table, its key in the file, its line, its label's number in `labels` and its
//! value; only computed figures spell out their key, name and source.

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
    /// For a figure of a data file, what the file is (`健康扶贫`, `横溪村`): the start of
    /// `what`, written once per file in the manifest.
    #[serde(skip)]
    pub file_title: String,
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
    /// Data file (`data/villages/hengxi.yaml`) → fingerprint of its values.
    pub data: BTreeMap<String, String>,
    /// The pages, in output order.
    pub pages: Vec<Page>,
    /// Published figures that changed with no entry in the corrections log yet: kept until
    /// the log has one, so that the warning is not given once and then forgotten.
    #[serde(default)]
    pub pending: Vec<Pending>,
}

/// A changed figure still owed an entry in the corrections log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The figure's key.
    pub key: String,
    /// What it is.
    pub what: String,
    /// As it was last published with a record (the `old` the entry will need).
    pub old: String,
}

impl Manifest {
    /// A manifest of `pages` (sorted here) and `data` fingerprints.
    pub fn new(mut pages: Vec<Page>, data: BTreeMap<String, String>) -> Manifest {
        pages.sort_by(|a, b| a.page.cmp(&b.page));
        Manifest {
            version: VERSION,
            data,
            pages,
            pending: Vec::new(),
        }
    }

    /// The manifest as the bytes written: one line per page's figure, so that two manifests
    /// diff line by line.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Tables of the data files (path, title) and of the labels, numbered in order met.
        let mut files: Vec<(&str, &str)> = Vec::new();
        let mut file_index: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        let mut labels: Vec<&str> = Vec::new();
        let mut label_index: BTreeMap<&str, usize> = BTreeMap::new();
        let mut pages = Vec::with_capacity(self.pages.len());
        for page in &self.pages {
            let mut lines = Vec::with_capacity(page.figures.len());
            for figure in &page.figures {
                match direct_parts(figure) {
                    Some((path, inside, line, label)) => {
                        let next = files.len();
                        let f = *file_index
                            .entry((path, figure.file_title.as_str()))
                            .or_insert_with(|| {
                                files.push((path, figure.file_title.as_str()));
                                next
                            });
                        let next = labels.len();
                        let l = *label_index.entry(label).or_insert_with(|| {
                            labels.push(label);
                            next
                        });
                        lines.push(format!(
                            "[{f},{},{line},{l},{}]",
                            json(inside),
                            json(&figure.value)
                        ));
                    }
                    None => lines.push(format!(
                        "[{},{},{},{}]",
                        json(&figure.key),
                        json(&figure.what),
                        json(&figure.src),
                        json(&figure.value)
                    )),
                }
            }
            pages.push((page, lines));
        }
        let mut out = format!("{{\n\"version\": {VERSION},\n\"data\": {{");
        for (i, (path, print)) in self.data.iter().enumerate() {
            out.push_str(if i == 0 { "\n  " } else { ",\n  " });
            out.push_str(&format!("{}: {}", json(path), json(print)));
        }
        out.push_str("\n},\n\"files\": [");
        for (i, (path, title)) in files.iter().enumerate() {
            out.push_str(if i == 0 { "\n  " } else { ",\n  " });
            out.push_str(&format!("[{},{}]", json(path), json(title)));
        }
        out.push_str("\n],\n\"labels\": [");
        for (i, label) in labels.iter().enumerate() {
            out.push_str(if i == 0 { "\n  " } else { ",\n  " });
            out.push_str(&json(label));
        }
        out.push_str("\n],\n\"pages\": [");
        for (i, (page, lines)) in pages.iter().enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            out.push_str(&format!(
                "{{\"page\": {}, \"title\": {}, \"figures\": [",
                json(&page.page),
                json(&page.title)
            ));
            for (j, line) in lines.iter().enumerate() {
                out.push_str(if j == 0 { "\n  " } else { ",\n  " });
                out.push_str(line);
            }
            out.push_str("\n]}");
        }
        out.push_str("\n],\n\"pending\": [");
        for (i, p) in self.pending.iter().enumerate() {
            out.push_str(if i == 0 { "\n  " } else { ",\n  " });
            out.push_str(&format!(
                "[{},{},{}]",
                json(&p.key),
                json(&p.what),
                json(&p.old)
            ));
        }
        out.push_str("\n]\n}\n");
        out.into_bytes()
    }

    /// Reads a manifest written by [`Manifest::to_bytes`]; `None` if it is not one.
    pub fn from_bytes(bytes: &[u8]) -> Option<Manifest> {
        use serde_json::Value;
        let doc: Value = serde_json::from_slice(bytes).ok()?;
        if doc["version"].as_u64()? != u64::from(VERSION) {
            return None;
        }
        let text = |v: &Value| v.as_str().map(str::to_string);
        let data = doc["data"]
            .as_object()?
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), text(v)?)))
            .collect();
        let files: Vec<(String, String)> = doc["files"]
            .as_array()?
            .iter()
            .filter_map(|f| Some((text(&f[0])?, text(&f[1])?)))
            .collect();
        let labels: Vec<String> = doc["labels"].as_array()?.iter().filter_map(text).collect();
        let mut pages = Vec::new();
        for page in doc["pages"].as_array()? {
            let mut figures = Vec::new();
            for item in page["figures"].as_array()? {
                let figure = match item.as_array()?.as_slice() {
                    [f, inside, line, l, value] => {
                        let (path, title) = files.get(usize::try_from(f.as_u64()?).ok()?)?;
                        let label = labels.get(usize::try_from(l.as_u64()?).ok()?)?;
                        Figure {
                            key: format!("{path}#{}", inside.as_str()?),
                            what: format!("{title} {label}").trim().to_string(),
                            value: text(value)?,
                            src: format!("{path}:{}", line.as_u64()?),
                            direct: true,
                            file_title: title.clone(),
                        }
                    }
                    [key, what, src, value] => Figure {
                        key: text(key)?,
                        what: text(what)?,
                        value: text(value)?,
                        src: text(src)?,
                        direct: false,
                        file_title: String::new(),
                    },
                    _ => return None,
                };
                figures.push(figure);
            }
            pages.push(Page {
                page: text(&page["page"])?,
                title: text(&page["title"])?,
                figures,
            });
        }
        let pending = doc["pending"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|p| {
                        Some(Pending {
                            key: text(&p[0])?,
                            what: text(&p[1])?,
                            old: text(&p[2])?,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Manifest {
            version: VERSION,
            data,
            pages,
            pending,
        })
    }

    /// Reads the manifest of the site published in `out_dir`, if there is a readable one.
    pub fn read(out_dir: &Path) -> Option<Manifest> {
        Manifest::from_bytes(&std::fs::read(out_dir.join(FILE)).ok()?)
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

/// The format's version: a manifest of another version is not compared with.
const VERSION: u32 = 2;

/// A figure of a data file as (path, key in the file, line, label), when its key, source and
/// name have the shapes [`crate::provenance`] gives them.
fn direct_parts(figure: &Figure) -> Option<(&str, &str, u64, &str)> {
    if !figure.direct {
        return None;
    }
    let (path, inside) = figure.key.split_once('#')?;
    let (src_path, line) = figure.src.rsplit_once(':')?;
    let line: u64 = line.parse().ok()?;
    let label = figure
        .what
        .strip_prefix(figure.file_title.as_str())?
        .trim_start();
    (src_path == path && !figure.file_title.is_empty()).then_some((path, inside, line, label))
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

/// The data files of `old` that the current `data` no longer has.
pub fn removed_files(old: &Manifest, data: &BTreeMap<String, String>) -> Vec<String> {
    old.data
        .keys()
        .filter(|path| !data.contains_key(*path))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(key: &str, value: &str) -> Figure {
        Figure {
            key: format!("data/{key}.yaml#a.b"),
            what: format!("文件{key} 什么"),
            value: value.into(),
            src: format!("data/{key}.yaml:1"),
            direct: true,
            file_title: format!("文件{key}"),
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
                ("data/b.yaml#a.b", Some("2人"), Some("5人")),
                ("data/c.yaml#a.b", Some("3人"), None),
                ("data/d.yaml#a.b", None, Some("4人"))
            ]
        );
        assert!(diff(&new, &new).is_empty());
    }

    #[test]
    fn bytes_read_back_and_fingerprints_are_stable() {
        let computed = Figure {
            key: "sum(data/a.yaml#a.b)".into(),
            what: "合计（文件a 什么）".into(),
            value: "3人".into(),
            src: "合计：data/a.yaml:1".into(),
            direct: false,
            file_title: String::new(),
        };
        let mut m = manifest(vec![figure("a", "1人"), figure("b", "2人"), computed]);
        m.pending.push(Pending {
            key: "data/a.yaml#a.b".into(),
            what: "文件a 什么".into(),
            old: "0人".into(),
        });
        let bytes = m.to_bytes();
        let back = Manifest::from_bytes(&bytes).unwrap();
        assert_eq!(back, m);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("[0,\"a.b\",1,0,\"1人\"]"), "{text}");
        assert_eq!(fingerprint(b""), "cbf29ce484222325");
        assert_eq!(fingerprint(b"a"), "af63dc4c8601ec8c");
    }
}

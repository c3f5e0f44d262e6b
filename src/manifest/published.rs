//! A published site's figures manifest, read to compare a build with it without holding its
//! figures in memory (a site of 10,000 villages publishes a million, a 50 MB file; 100,000
//! villages ten times that). [`Published::read`] reads the file's head — its version and the
//! fingerprint of every data file — and stops there; [`Published::compare`] streams the
//! whole file once, figure by figure, against the new build's manifest, and keeps only what
//! changed and the changes still pending.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Change, FILE, Figure, Key, Manifest, Pending, VERSION};

/// The head of a published manifest: enough to tell which data files changed since.
#[derive(Clone, Debug)]
pub struct Published {
    /// The file, streamed again by [`Published::compare`].
    pub file: PathBuf,
    /// Data file (`data/villages/hengxi.yaml`) → fingerprint of its values when published.
    pub data: BTreeMap<String, String>,
}

/// What the published figures and the new ones differ by.
#[derive(Clone, Debug, Default)]
pub struct Compared {
    /// The figures whose printed value changed, those no longer published and those
    /// published for the first time, in key order (as [`super::diff`] gives them).
    pub changes: Vec<Change>,
    /// The published changes still owed an entry in the corrections log.
    pub pending: Vec<Pending>,
}

/// The error the head reader stops the parser with once it has what it reads.
const HEAD_READ: &str = "huibao: the head is read";

impl Published {
    /// Reads the head of the manifest published in `out_dir`; `None` when there is none or
    /// it is not one of this version.
    pub fn read(out_dir: &Path) -> Option<Published> {
        let file = out_dir.join(FILE);
        let reader = BufReader::new(std::fs::File::open(&file).ok()?);
        let mut de = serde_json::Deserializer::from_reader(reader);
        let mut head = Head::default();
        let read = de::Deserializer::deserialize_map(
            &mut de,
            Document {
                head: &mut head,
                comparison: None,
            },
        );
        // Stopped on purpose at the pages (or read through, for a manifest without any).
        let stopped = match &read {
            Ok(()) => true,
            Err(e) => e.to_string().starts_with(HEAD_READ),
        };
        (stopped && head.version == Some(VERSION)).then_some(Published {
            file,
            data: head.data,
        })
    }

    /// Streams the published figures against `new`'s: `None` when the file cannot be read
    /// (any more) as a manifest.
    pub fn compare(&self, new: &Manifest) -> Option<Compared> {
        let reader = BufReader::new(std::fs::File::open(&self.file).ok()?);
        let mut de = serde_json::Deserializer::from_reader(reader);
        let mut head = Head::default();
        let mut comparison = Comparison::new(new);
        de::Deserializer::deserialize_map(
            &mut de,
            Document {
                head: &mut head,
                comparison: Some(&mut comparison),
            },
        )
        .ok()?;
        de.end().ok()?;
        if head.version != Some(VERSION) {
            return None;
        }
        Some(Compared {
            changes: comparison.finish(),
            pending: head.pending,
        })
    }
}

/// What is read of the document besides its pages.
#[derive(Default)]
struct Head {
    version: Option<u32>,
    data: BTreeMap<String, String>,
    files: Vec<(String, String)>,
    labels: Vec<String>,
    pending: Vec<Pending>,
}

/// The new build's figures, each once by key (its first page's), and what the published
/// ones differ by so far.
struct Comparison<'m> {
    new: &'m Manifest,
    /// A data file's path → a key in it → the figure's number.
    data: FxHashMap<&'m str, FxHashMap<&'m str, u32>>,
    /// A computed figure's key → its number.
    computed: FxHashMap<&'m str, u32>,
    /// By number: the figure (its key is the manifest's to tell).
    figures: Vec<Figure<'m>>,
    /// By number: whether the published manifest has it.
    seen: Vec<bool>,
    /// Keys of published figures no longer published, each told once.
    gone: HashSet<String>,
    changes: Vec<Change>,
}

impl<'m> Comparison<'m> {
    fn new(new: &'m Manifest) -> Self {
        let mut comparison = Comparison {
            new,
            data: FxHashMap::with_capacity_and_hasher(new.table.files.len(), Default::default()),
            computed: FxHashMap::default(),
            figures: Vec::new(),
            seen: Vec::new(),
            gone: HashSet::new(),
            changes: Vec::new(),
        };
        for page in &new.pages {
            for figure in page.figures.iter() {
                let key = new.key(figure);
                let next = comparison.figures.len() as u32;
                let number = match key {
                    Key::Data(path, inside) => *comparison
                        .data
                        .entry(path)
                        .or_default()
                        .entry(inside)
                        .or_insert(next),
                    Key::Computed(text) => *comparison.computed.entry(text).or_insert(next),
                };
                if number == next {
                    comparison.figures.push(figure);
                }
            }
        }
        comparison.seen = vec![false; comparison.figures.len()];
        comparison
    }

    /// The number of the new figure keyed `key`, if the build printed it.
    fn find(&self, key: &Key<'_>) -> Option<usize> {
        let number = match key {
            Key::Data(path, inside) => self.data.get(path)?.get(inside)?,
            Key::Computed(text) => self.computed.get(text)?,
        };
        Some(*number as usize)
    }

    /// A published figure (its key, the text printed, what it is and where from).
    fn published(&mut self, key: Key<'_>, value: &str, what: impl FnOnce() -> (String, String)) {
        match self.find(&key) {
            Some(number) => {
                if std::mem::replace(&mut self.seen[number], true) {
                    return;
                }
                let figure = self.figures[number];
                if figure.value() != value {
                    self.changes.push(Change {
                        key: self.new.key(figure).to_string(),
                        what: self.new.what(figure).into_owned(),
                        old: Some(value.to_string()),
                        new: Some(figure.value().to_string()),
                        src: self.new.src(figure).into_owned(),
                        direct: figure.direct(),
                    });
                }
            }
            None => {
                let text = key.to_string();
                if self.gone.insert(text.clone()) {
                    let (what, src) = what();
                    self.changes.push(Change {
                        direct: matches!(key, Key::Data(..)),
                        key: text,
                        what,
                        old: Some(value.to_string()),
                        new: None,
                        src,
                    });
                }
            }
        }
    }

    /// The changes, with the figures published for the first time, in key order.
    fn finish(mut self) -> Vec<Change> {
        for (number, &figure) in self.figures.iter().enumerate() {
            if !self.seen[number] {
                self.changes.push(Change {
                    key: self.new.key(figure).to_string(),
                    what: self.new.what(figure).into_owned(),
                    old: None,
                    new: Some(figure.value().to_string()),
                    src: self.new.src(figure).into_owned(),
                    direct: figure.direct(),
                });
            }
        }
        self.changes.sort_by(|a, b| a.key.cmp(&b.key));
        self.changes
    }
}

/// The whole document: its head read, its pages skipped (then the reading stops) or
/// compared.
struct Document<'h, 's, 'm> {
    head: &'h mut Head,
    comparison: Option<&'s mut Comparison<'m>>,
}

impl<'de> Visitor<'de> for Document<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a huibao figures manifest")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "version" => self.head.version = Some(map.next_value()?),
                "data" => self.head.data = map.next_value()?,
                "files" => self.head.files = map.next_value()?,
                "labels" => self.head.labels = map.next_value()?,
                "pages" => match self.comparison.as_deref_mut() {
                    None => return Err(de::Error::custom(HEAD_READ)),
                    Some(comparison) => map.next_value_seed(Pages {
                        head: &*self.head,
                        comparison,
                    })?,
                },
                "pending" => {
                    let pending: Vec<(String, String, String)> = map.next_value()?;
                    self.head.pending = pending
                        .into_iter()
                        .map(|(key, what, old)| Pending { key, what, old })
                        .collect();
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// The pages, each figure compared as it is read.
struct Pages<'h, 's, 'm> {
    head: &'h Head,
    comparison: &'s mut Comparison<'m>,
}

impl<'de> DeserializeSeed<'de> for Pages<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Pages<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the pages")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut pages: A) -> Result<(), A::Error> {
        while pages
            .next_element_seed(Page {
                head: self.head,
                comparison: &mut *self.comparison,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// One page: its figures compared.
struct Page<'h, 's, 'm> {
    head: &'h Head,
    comparison: &'s mut Comparison<'m>,
}

impl<'de> DeserializeSeed<'de> for Page<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Page<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a page")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "figures" {
                map.next_value_seed(Figures {
                    head: self.head,
                    comparison: &mut *self.comparison,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// A page's figures.
struct Figures<'h, 's, 'm> {
    head: &'h Head,
    comparison: &'s mut Comparison<'m>,
}

impl<'de> DeserializeSeed<'de> for Figures<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Figures<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a page's figures")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut figures: A) -> Result<(), A::Error> {
        while let Some(item) = figures.next_element::<Item>()? {
            match item {
                Item::Data {
                    file,
                    inside,
                    line,
                    label,
                    value,
                } => {
                    let head = self.head;
                    let Some((path, title)) = head.files.get(file as usize) else {
                        return Err(de::Error::custom("a figure of no file"));
                    };
                    let key = Key::Data(path, &inside);
                    self.comparison.published(key, &value, || {
                        let label = head.labels.get(label as usize).map_or("", String::as_str);
                        (
                            format!("{title} {label}").trim().to_string(),
                            format!("{path}:{line}"),
                        )
                    });
                }
                Item::Computed {
                    key,
                    what,
                    src,
                    value,
                } => {
                    self.comparison
                        .published(Key::parse(&key), &value, || (what, src));
                }
            }
        }
        Ok(())
    }
}

/// A figure as written: of a data file `[file, key, line, label, value]`, else
/// `[key, what, src, value]`.
enum Item {
    Data {
        file: u32,
        inside: String,
        line: u32,
        label: u32,
        value: String,
    },
    Computed {
        key: String,
        what: String,
        src: String,
        value: String,
    },
}

impl<'de> de::Deserialize<'de> for Item {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Item, D::Error> {
        deserializer.deserialize_seq(ItemVisitor)
    }
}

struct ItemVisitor;

/// The first element of an item: a file's number or a computed figure's key.
enum First {
    File(u32),
    Key(String),
}

impl<'de> de::Deserialize<'de> for First {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<First, D::Error> {
        struct FirstVisitor;
        impl Visitor<'_> for FirstVisitor {
            type Value = First;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a file's number or a key")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<First, E> {
                u32::try_from(n)
                    .map(First::File)
                    .map_err(|_| E::custom("a file's number too large"))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<First, E> {
                Ok(First::Key(text.to_string()))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<First, E> {
                Ok(First::Key(text))
            }
        }
        deserializer.deserialize_any(FirstVisitor)
    }
}

impl<'de> Visitor<'de> for ItemVisitor {
    type Value = Item;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a figure")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Item, A::Error> {
        let missing = || de::Error::custom("a figure too short");
        let first: First = seq.next_element()?.ok_or_else(missing)?;
        let item = match first {
            First::File(file) => Item::Data {
                file,
                inside: seq.next_element()?.ok_or_else(missing)?,
                line: seq.next_element()?.ok_or_else(missing)?,
                label: seq.next_element()?.ok_or_else(missing)?,
                value: seq.next_element()?.ok_or_else(missing)?,
            },
            First::Key(key) => Item::Computed {
                key,
                what: seq.next_element()?.ok_or_else(missing)?,
                src: seq.next_element()?.ok_or_else(missing)?,
                value: seq.next_element()?.ok_or_else(missing)?,
            },
        };
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(de::Error::custom("a figure too long"));
        }
        Ok(item)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Computed, Figures as PageFigures, Page, diff};
    use super::*;
    use crate::provenance::{Ref, SourceFile, SourceValue, Sources};
    use proptest::prelude::*;
    use std::sync::Arc;

    /// A manifest of `pages`, each a list of (file, value number, printed) for figures of
    /// data files `data/f0.yaml` … (two values each) or, for file 9, a computed figure.
    fn manifest(pages: &[Vec<(u32, u32, String)>], pending: &[(u32, &str)]) -> Manifest {
        let files = (0..5)
            .map(|n| {
                Arc::new(SourceFile {
                    path: format!("data/f{n}.yaml"),
                    pattern: format!("data/f{n}.yaml"),
                    title: format!("文件{n}"),
                    group: String::new(),
                    values: vec![
                        SourceValue::new(2, "a.b", "甲"),
                        SourceValue::new(3, "c", "乙"),
                    ],
                })
            })
            .collect();
        let pages = pages
            .iter()
            .enumerate()
            .map(|(p, figures)| Page {
                page: format!("p{p}.html"),
                title: format!("第{p}页"),
                figures: {
                    let mut out = PageFigures::default();
                    for (file, value, printed) in figures {
                        if *file == 9 {
                            out.push_computed(Computed {
                                key: format!("sum(x{value})"),
                                what: format!("合计{value}"),
                                src: "合计：…".into(),
                                value: printed.clone(),
                            });
                        } else {
                            let at = Ref {
                                file: *file,
                                value: *value,
                            };
                            out.push_data(at, printed);
                        }
                    }
                    Arc::new(out)
                },
                downloads: Vec::new(),
            })
            .collect();
        let mut m = Manifest::new(
            pages,
            Arc::new(Sources { files }),
            BTreeMap::from([("data/f0.yaml".to_string(), "1".to_string())]),
        );
        m.pending = pending
            .iter()
            .map(|(n, old)| Pending {
                key: format!("data/f{n}.yaml#a.b"),
                what: "甲".into(),
                old: old.to_string(),
            })
            .collect();
        m
    }

    fn figures() -> impl Strategy<Value = Vec<Vec<(u32, u32, String)>>> {
        let figure = (prop_oneof![0u32..5, Just(9u32)], 0u32..2, "[0-3]人");
        prop::collection::vec(prop::collection::vec(figure, 0..6), 0..4)
    }

    proptest! {
        /// Streamed from the file, the comparison is the in-memory one's, figure for figure.
        #[test]
        fn streaming_compares_as_the_manifests_in_memory(old in figures(), new in figures()) {
            let old = manifest(&old, &[(1, "7人")]);
            let new = manifest(&new, &[]);
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(FILE), old.to_bytes()).unwrap();
            let published = Published::read(dir.path()).unwrap();
            prop_assert_eq!(&published.data, &old.data);
            let compared = published.compare(&new).unwrap();
            prop_assert_eq!(compared.changes, diff(&old, &new));
            prop_assert_eq!(compared.pending, old.pending);
        }
    }

    #[test]
    fn a_damaged_or_other_manifest_is_not_compared_with() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Published::read(dir.path()).is_none(), "no file");
        std::fs::write(dir.path().join(FILE), "{\"version\": 1, \"data\": {}}").unwrap();
        assert!(Published::read(dir.path()).is_none(), "another version");
        let m = manifest(&[vec![(0, 0, "1人".into())]], &[]);
        let bytes = m.to_bytes();
        let pages = String::from_utf8_lossy(&bytes).find("\"pages\"").unwrap();
        std::fs::write(dir.path().join(FILE), &bytes[..pages + 14]).unwrap();
        // The head reads; the figures, cut off, do not.
        let published = Published::read(dir.path()).unwrap();
        assert!(published.compare(&m).is_none());
    }
}

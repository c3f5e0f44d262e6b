//! `figures.json` as text: the manifest written page by page with its tables of files and
//! names (version 3), and read back (versions 2 and 3).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use super::{Computed, FILE, Figure, Figures, Logged, Manifest, Page, Pending};
use crate::provenance::{Ref, SourceFile, SourceValue, Sources};

/// The numbers [`Manifest::write_to`] gives the data files and the names (key and label)
/// of the figures it writes through the tables, in the order first met.
pub(super) struct Numbers<'n> {
    /// By a file's number in the table of values: its number in the manifest's files.
    pub(super) files: &'n [Option<usize>],
    /// By a value's key-and-name number ([`SourceValue::names_number`]): its name's number.
    pub(super) names: &'n rustc_hash::FxHashMap<u32, usize>,
}

impl Numbers<'_> {
    /// The numbers of the file and name of a [`Manifest::tabled`] figure.
    pub(super) fn of(
        &self,
        (file, _, value): (u32, &SourceFile, &SourceValue),
    ) -> Option<(usize, usize)> {
        let file = (*self.files.get(file as usize)?)?;
        Some((file, *self.names.get(&value.names_number())?))
    }
}

/// `figures.json` as written (see [`Manifest::to_bytes`]), for reading it back. Texts are
/// borrowed from the file's bytes where they hold no escape (a million figures at 10,000
/// villages: no string of their own each).
#[derive(serde::Deserialize)]
pub(super) struct Document<'d> {
    pub(super) version: u32,
    #[serde(default)]
    pub(super) title: String,
    pub(super) data: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) downloads: Vec<String>,
    #[serde(borrow)]
    pub(super) files: Vec<(Cow<'d, str>, Cow<'d, str>)>,
    /// Version 2's labels.
    #[serde(borrow, default)]
    pub(super) labels: Vec<Cow<'d, str>>,
    /// Version 3's names: (key, label).
    #[serde(borrow, default)]
    pub(super) names: Vec<(Cow<'d, str>, Cow<'d, str>)>,
    #[serde(borrow)]
    pub(super) pages: Vec<DocumentPage<'d>>,
    #[serde(default)]
    pub(super) pending: Vec<super::PendingRow>,
    #[serde(default)]
    pub(super) corrections: Vec<Logged>,
}

#[derive(serde::Deserialize)]
pub(super) struct DocumentPage<'d> {
    pub(super) page: String,
    pub(super) title: String,
    #[serde(default)]
    pub(super) downloads: Vec<String>,
    #[serde(borrow)]
    pub(super) figures: Vec<Item<'d>>,
}

/// A figure as written: of a data file `[file, name, line, value]` (version 3) or
/// `[file, key, line, label, value]` (version 2), else `[key, what, src, value]`.
#[derive(serde::Deserialize)]
#[serde(untagged)]
pub(super) enum Item<'d> {
    Named(u32, u32, u32, #[serde(borrow)] Cow<'d, str>),
    Data(
        u32,
        #[serde(borrow)] Cow<'d, str>,
        u32,
        u32,
        #[serde(borrow)] Cow<'d, str>,
    ),
    Computed(String, String, String, String),
}

/// The format's version written.
pub(super) const VERSION: u32 = 3;

/// Whether a manifest of `version` is read (and compared with): this one, and version 2,
/// which a site published by huibao before it has.
pub(super) fn readable(version: u32) -> bool {
    version == VERSION || version == 2
}

/// `text` as a JSON string, quoted and escaped (see [`push_json`]).
pub(super) fn json(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len() + 2);
    push_json(&mut out, text);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends [`json`] of `text` to `out`.
pub(super) fn push_json(out: &mut Vec<u8>, text: &str) {
    crate::json::push_string(out, text.as_bytes());
}

impl Manifest {
    /// The manifest as the bytes written (see [`Manifest::write_to`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing into memory cannot fail.
        let _ = self.write_to(&mut out);
        out
    }

    /// Writes the manifest: one line per page's figure, so that two manifests diff line by
    /// line. The tables are numbered in order met (one pass), then the pages are written a
    /// batch at a time, each batch on every core: memory stays bounded at any size.
    pub fn write_to(&self, out: &mut (impl std::io::Write + ?Sized)) -> std::io::Result<()> {
        use rayon::prelude::*;
        // Tables of the data files (path, title) and of the names (key, label), numbered in
        // order met; each page's figures get their numbers in the same pass.
        let mut files: Vec<(&str, &str)> = Vec::new();
        let mut file_index: Vec<Option<usize>> = vec![None; self.table.files.len()];
        let mut names: Vec<(&str, &str)> = Vec::new();
        let mut name_index: HashMap<(&str, &str), usize> = HashMap::new();
        // A name's number by its value's key-and-name number (a hundred of them for a
        // million figures): each name's text looked up once. The numbers are looked up again
        // when the pages are written, not kept for each figure (ten million at 100,000
        // villages).
        let mut name_of: rustc_hash::FxHashMap<u32, usize> = Default::default();
        self.for_each_page(&mut |_, figures| {
            for figure in figures.iter() {
                let Some((file_number, file, source)) = self.tabled(figure) else {
                    continue;
                };
                let Some(slot) = file_index.get_mut(file_number as usize) else {
                    continue;
                };
                slot.get_or_insert_with(|| {
                    files.push((&file.path, &file.title));
                    files.len() - 1
                });
                name_of.entry(source.names_number()).or_insert_with(|| {
                    let name = (source.key(), source.label().trim());
                    *name_index.entry(name).or_insert_with(|| {
                        names.push(name);
                        names.len() - 1
                    })
                });
            }
            Ok(())
        })?;
        let numbers = Numbers {
            files: &file_index,
            names: &name_of,
        };
        let mut head = format!("{{\n\"version\": {VERSION},");
        if !self.title.is_empty() {
            head.push_str(&format!("\n\"title\": {},", json(&self.title)));
        }
        head.push_str("\n\"data\": {");
        for (i, (path, print)) in self.data.iter().enumerate() {
            head.push_str(if i == 0 { "\n  " } else { ",\n  " });
            head.push_str(&format!("{}: {}", json(path), json(print)));
        }
        head.push_str("\n},");
        if !self.downloads.is_empty() {
            let files: Vec<String> = self.downloads.iter().map(|d| json(d)).collect();
            head.push_str(&format!("\n\"downloads\": [{}],", files.join(",")));
        }
        if !self.corrections.is_empty() {
            head.push_str("\n\"corrections\": [");
            for (i, c) in self.corrections.iter().enumerate() {
                head.push_str(if i == 0 { "\n  " } else { ",\n  " });
                head.push_str(&format!(
                    "{{\"number\": {}, \"key\": {}, \"what\": {}, \"date\": {}, \"old\": {}, \"new\": {}, \"reason\": {}}}",
                    c.number,
                    json(&c.key),
                    json(&c.what),
                    json(&c.date),
                    json(&c.old),
                    json(&c.new),
                    json(&c.reason)
                ));
            }
            head.push_str("\n],");
        }
        head.push_str("\n\"files\": [");
        for (i, (path, title)) in files.iter().enumerate() {
            head.push_str(if i == 0 { "\n  " } else { ",\n  " });
            head.push_str(&format!("[{},{}]", json(path), json(title)));
        }
        head.push_str("\n],\n\"names\": [");
        for (i, (key, label)) in names.iter().enumerate() {
            head.push_str(if i == 0 { "\n  " } else { ",\n  " });
            head.push_str(&format!("[{},{}]", json(key), json(label)));
        }
        head.push_str("\n],\n\"pages\": [");
        out.write_all(head.as_bytes())?;
        let progress = crate::progress::Progress::new("清单 figures", self.pages.len());
        const BATCH: usize = 512;
        let mut batch: Vec<(&Page, Cow<'_, Figures>)> = Vec::with_capacity(BATCH);
        let mut first = true;
        let mut write_batch = |batch: &mut Vec<(&Page, Cow<'_, Figures>)>| {
            let texts: Vec<Vec<u8>> = batch
                .par_iter()
                .map(|(page, figures)| self.page_text(page, figures, &numbers))
                .collect();
            batch.clear();
            for text in &texts {
                out.write_all(if first { b"\n" } else { b",\n" })?;
                first = false;
                out.write_all(text)?;
                progress.tick();
            }
            std::io::Result::Ok(())
        };
        self.for_each_page(&mut |page, figures| {
            batch.push((page, figures));
            if batch.len() == BATCH {
                write_batch(&mut batch)?;
            }
            Ok(())
        })?;
        write_batch(&mut batch)?;
        progress.finish();
        let mut tail = String::from("\n],\n\"pending\": [");
        for (i, p) in self.pending.iter().enumerate() {
            tail.push_str(if i == 0 { "\n  " } else { ",\n  " });
            tail.push_str(&format!(
                "[{},{},{}",
                json(&p.key),
                json(&p.what),
                json(&p.old)
            ));
            if !p.inputs.is_empty() {
                let inputs: Vec<String> = p.inputs.iter().map(|k| json(k)).collect();
                tail.push_str(&format!(",[{}]", inputs.join(",")));
            }
            tail.push(']');
        }
        tail.push_str("\n]\n}\n");
        out.write_all(tail.as_bytes())
    }

    /// One page's entry: its figures, those of data files by their numbers in the tables.
    pub(super) fn page_text(
        &self,
        page: &Page,
        figures: &Figures,
        numbers: &Numbers<'_>,
    ) -> Vec<u8> {
        // Pushed piece by piece, texts escaped straight into the page's bytes (the
        // formatting machinery and a string per text took most of the manifest's time).
        let mut body = Vec::with_capacity(64 + 40 * figures.len());
        let mut digits = itoa::Buffer::new();
        body.extend_from_slice(b"{\"page\": ");
        push_json(&mut body, &page.page);
        body.extend_from_slice(b", \"title\": ");
        push_json(&mut body, &page.title);
        body.extend_from_slice(b", ");
        if !page.downloads.is_empty() {
            body.extend_from_slice(b"\"downloads\": [");
            for (i, download) in page.downloads.iter().enumerate() {
                if i > 0 {
                    body.push(b',');
                }
                push_json(&mut body, download);
            }
            body.extend_from_slice(b"], ");
        }
        body.extend_from_slice(b"\"figures\": [");
        for (j, figure) in figures.iter().enumerate() {
            body.extend_from_slice(if j == 0 { b"\n  " } else { b",\n  " });
            // Only a tabled figure has numbers.
            let tabled = self.tabled(figure).and_then(|t| Some((t, numbers.of(t)?)));
            body.push(b'[');
            match tabled {
                Some(((_, _, source), (f, n))) => {
                    body.extend_from_slice(digits.format(f).as_bytes());
                    body.push(b',');
                    body.extend_from_slice(digits.format(n).as_bytes());
                    body.push(b',');
                    body.extend_from_slice(digits.format(source.line).as_bytes());
                }
                None => {
                    push_json(&mut body, &self.key(figure).to_string());
                    body.push(b',');
                    push_json(&mut body, &self.what(figure));
                    body.push(b',');
                    push_json(&mut body, &self.src(figure));
                }
            }
            body.push(b',');
            push_json(&mut body, figure.value());
            body.push(b']');
        }
        body.extend_from_slice(b"\n]}");
        body
    }

    /// A figure written through the tables: (its file's number in the table of values, the
    /// file, the value), when it is one value of a data file whose title is known.
    pub(super) fn tabled(&self, figure: Figure<'_>) -> Option<(u32, &SourceFile, &SourceValue)> {
        match figure {
            Figure::Data { at, .. } => self
                .place(at)
                .filter(|(file, _)| !file.title.is_empty())
                .map(|(file, value)| (at.file, file, value)),
            Figure::Computed(_) => None,
        }
    }

    /// Reads a manifest written by [`Manifest::to_bytes`]; `None` if it is not one.
    pub fn from_bytes(bytes: &[u8]) -> Option<Manifest> {
        let doc: Document = serde_json::from_slice(bytes).ok()?;
        if !readable(doc.version) {
            return None;
        }
        // The table: the files as written, each with the values its figures name.
        let mut files: Vec<SourceFile> = Vec::with_capacity(doc.files.len());
        let mut places: Vec<HashMap<&str, u32>> = Vec::with_capacity(doc.files.len());
        let mut values: Vec<Vec<SourceValue>> = Vec::with_capacity(doc.files.len());
        for (path, title) in &doc.files {
            files.push(SourceFile {
                path: path.to_string(),
                pattern: path.to_string(),
                title: title.to_string(),
                group: String::new(),
                values: Arc::default(),
            });
            places.push(HashMap::new());
            values.push(Vec::new());
        }
        let labels: Vec<Arc<str>> = doc.labels.iter().map(|l| Arc::from(l.as_ref())).collect();
        let names: Vec<(&str, Arc<str>)> = doc
            .names
            .iter()
            .map(|(key, label)| (key.as_ref(), Arc::from(label.as_ref())))
            .collect();
        let mut pages = Vec::with_capacity(doc.pages.len());
        for page in &doc.pages {
            let mut figures = Figures::default();
            for item in &page.figures {
                let (f, inside, line, label, value) = match item {
                    Item::Data(f, inside, line, l, value) => {
                        let label = labels.get(usize::try_from(*l).ok()?)?;
                        (*f, inside.as_ref(), *line, label, value)
                    }
                    Item::Named(f, n, line, value) => {
                        let (inside, label) = names.get(usize::try_from(*n).ok()?)?;
                        (*f, *inside, *line, label, value)
                    }
                    Item::Computed(key, what, src, value) => {
                        figures.push_computed(Computed {
                            key: key.clone(),
                            what: what.clone(),
                            src: src.clone(),
                            value: value.clone(),
                        });
                        continue;
                    }
                };
                let file_values = values.get_mut(usize::try_from(f).ok()?)?;
                let known = places.get_mut(usize::try_from(f).ok()?)?;
                let next = u32::try_from(file_values.len()).ok()?;
                let value_number = *known.entry(inside).or_insert_with(|| {
                    file_values.push(SourceValue::new(line, inside, label));
                    next
                });
                let at = Ref {
                    file: f,
                    value: value_number,
                };
                figures.push_data(at, value);
            }
            pages.push(Page {
                page: page.page.clone(),
                title: page.title.clone(),
                figures: Arc::new(figures.shrunk()),
                downloads: page.downloads.clone(),
            });
        }
        let pending = doc.pending.into_iter().map(Pending::from).collect();
        Some(Manifest {
            version: VERSION,
            title: doc.title,
            data: doc.data,
            table: Arc::new(Sources {
                files: files
                    .into_iter()
                    .zip(values)
                    .map(|(file, values)| {
                        Arc::new(SourceFile {
                            values: values.into(),
                            ..file
                        })
                    })
                    .collect(),
            }),
            pages,
            downloads: doc.downloads,
            pending,
            corrections: doc.corrections,
            spilled: None,
        })
    }

    /// Reads the manifest of the site published in `out_dir`, if there is a readable one.
    pub fn read(out_dir: &Path) -> Option<Manifest> {
        Manifest::from_bytes(&std::fs::read(out_dir.join(FILE)).ok()?)
    }
}

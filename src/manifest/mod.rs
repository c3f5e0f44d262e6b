//! The figures manifest: every figure a build published, page by page, with what it is, its
//! exact value as printed and its source. Written into the output as [`FILE`], it is how
//! the next build (and `huibao diff`) tells which figures a correction changed.
//!
//! The file is deterministic: pages in output order, figures in page order, data files by
//! path; no time stamps. It is compact (a site of 10,000 villages prints a million figures):
//! a figure of a data file is written as its file's number in the `files` table, its name's
//! number in `names` (its key in the file and its label), its line and its value (version
//! 3; version 2, still read, wrote the key itself — 40 % of a large manifest — and a
//! label's number in `labels`); only computed figures
//! spell out their key, name and source. In memory it is as compact: a figure of a data file
//! is its place in the table of the data's values ([`Sources`], shared with the build that
//! printed it) and its printed text.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;
use std::sync::Arc;

use serde::Serialize;

use crate::diagnostics::Text;
use crate::provenance::{Ref, SourceFile, SourceValue, Sources};

mod figures;
mod file;
mod published;
pub use figures::{Computed, Figure, Figures};
use file::VERSION;
pub use published::{Compared, Published};

/// The manifest's file name in the output folder.
pub const FILE: &str = "figures.json";

/// The figures of one page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Its path in the output: `policies/health.html`.
    pub page: String,
    /// Its title.
    pub title: String,
    /// Its figures, in the order printed (shared, not copied, by the preview's next build
    /// when the page is unchanged).
    pub figures: Arc<Figures>,
    /// The files made of its tables, which carry its figures too
    /// (`villages/index.table-1.csv`).
    pub downloads: Vec<String>,
}

/// Every figure of a build, and a fingerprint of every data file it read.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    /// The format's version.
    pub version: u32,
    /// The report's title (`title` in huibao.toml) when built: a build into a folder that
    /// holds another report (last year's, say) is told so, not compared with it figure by
    /// figure. Empty in a manifest written before huibao recorded it.
    pub title: String,
    /// Data file (`data/villages/hengxi.yaml`) → fingerprint of its values.
    pub data: BTreeMap<String, String>,
    /// The data files and their values that [`Figure::Data`] refers to.
    pub table: Arc<Sources>,
    /// The pages, in output order.
    pub pages: Vec<Page>,
    /// The files made of the data as a whole, which carry every value of it (the workbook
    /// and each sheet's CSV on the page 「数据下载」).
    pub downloads: Vec<String>,
    /// Published figures that changed with no entry in the corrections log yet: kept until
    /// the log has one, so that the warning is not given once and then forgotten.
    pub pending: Vec<Pending>,
    /// The entries of the corrections log the build published (on 「更正说明」), in the log's
    /// order: a later build whose log has lost one of them says so, as a published
    /// correction stays on record.
    pub corrections: Vec<Logged>,
    /// The pages' figures when a build keeps them in a scratch file instead of in memory
    /// ([`Manifest::with_spilled_figures`]); the pages' own `figures` are then empty.
    spilled: Option<Arc<SpilledFigures>>,
}

/// The figures of a build's pages, each page's as [`Figures::to_bytes`], put in a scratch
/// file as the pages are done by the page's place in the manifest's order (its output path
/// among the paths of every page of the build).
pub struct SpilledFigures(crate::spill::Spill);

impl std::fmt::Debug for SpilledFigures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpilledFigures")
    }
}

impl SpilledFigures {
    /// Figures kept in `spill`.
    pub fn new(spill: crate::spill::Spill) -> SpilledFigures {
        SpilledFigures(spill)
    }

    /// Keeps `figures`, of the page at `place` in the manifest's order.
    pub fn put(&self, place: usize, figures: &Figures) -> std::io::Result<()> {
        self.0.put(place, figures.to_bytes().into())
    }
}

/// The error of spilled figures that do not read back as the pages' (never, but for a
/// scratch file changed from outside).
fn spilled_unreadable() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "the figures kept in the build's scratch file do not read back",
    )
}

/// A changed figure still owed an entry in the corrections log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// The figure's key.
    pub key: String,
    /// What it is.
    pub what: String,
    /// As it was last published with a record (the `old` the entry will need).
    pub old: String,
    /// For a computed figure (a rate, a sum): the keys of the values it is made of, not
    /// printed, that changed when it was first owed (the entries offered then, offered
    /// again at later builds, when their files no longer differ from the published site).
    pub inputs: Vec<String>,
}

/// A changed figure still owed an entry as `figures.json` writes it: `[key, what, old]`,
/// and a computed figure's inputs after them when it has any.
#[derive(serde::Deserialize)]
#[serde(untagged)]
pub(super) enum PendingRow {
    /// With the inputs of a computed figure.
    WithInputs(String, String, String, Vec<String>),
    /// A figure of a data file's value, or written before the inputs were kept.
    Plain(String, String, String),
}

impl From<PendingRow> for Pending {
    fn from(row: PendingRow) -> Pending {
        let (key, what, old, inputs) = match row {
            PendingRow::WithInputs(key, what, old, inputs) => (key, what, old, inputs),
            PendingRow::Plain(key, what, old) => (key, what, old, Vec::new()),
        };
        Pending {
            key,
            what,
            old,
            inputs,
        }
    }
}

/// Whether two printed forms `a` and `b` show the same figure: the same text, or the same
/// number with its unit shown or not (`120户`, `120`: a page's table and a chart's label) or
/// rounded to fewer decimals (`81.77万元`, `81.76875`). A figure that changed differs in
/// its number (`120户`, `121户`).
pub fn same_figure(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    /// The number printed and the unit after it.
    fn split(text: &str) -> Option<(rust_decimal::Decimal, &str)> {
        let text = text.trim();
        let end = text
            .char_indices()
            .take_while(|(_, c)| c.is_ascii_digit() || matches!(c, '.' | '-'))
            .last()
            .map(|(at, c)| at + c.len_utf8())?;
        let number = crate::figure::parse_decimal(&text[..end]).ok()?;
        Some((number, text[end..].trim()))
    }
    let (Some((na, ua)), Some((nb, ub))) = (split(a), split(b)) else {
        return false;
    };
    if !(ua == ub || ua.is_empty() || ub.is_empty()) {
        return false;
    }
    let (fine, coarse) = if na.scale() >= nb.scale() {
        (na, nb)
    } else {
        (nb, na)
    };
    let rounded = fine.round_dp_with_strategy(
        coarse.scale(),
        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
    );
    rounded == coarse
}

/// An entry of the corrections log as published: the figure's key and the entry's texts as
/// the corrections page showed them (`old` and `new` with the field's unit).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct Logged {
    /// Its number in the log then (its anchor `c<n>` on 「更正说明」).
    pub number: usize,
    /// The figure's key: `data/policies/health.yaml#hospital.hospitalisations`.
    pub key: String,
    /// The data path written: `policies.health.hospital.hospitalisations`.
    pub what: String,
    /// `2020-12-01`.
    pub date: String,
    /// As published before the correction: `1445人次`.
    pub old: String,
    /// As corrected: `1446人次`.
    pub new: String,
    /// Why.
    pub reason: String,
}

/// A figure's key without building its text: a value of a data file is (path, key in the
/// file); a computed figure has its own key. Ordered as the keys' text would be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key<'k> {
    /// `data/policies/health.yaml` and `hospital.hospitalisations`.
    Data(&'k str, &'k str),
    /// `sum(data/a.yaml#x,…)`.
    Computed(&'k str),
}

impl<'k> Key<'k> {
    /// The key written as text (`data/policies/health.yaml#hospital.hospitalisations`) read
    /// back.
    pub fn parse(text: &'k str) -> Key<'k> {
        match text.split_once('#') {
            Some((path, inside)) if !path.contains('(') => Key::Data(path, inside),
            _ => Key::Computed(text),
        }
    }

    /// The keys of the data values a computed figure is made of, as its key names them:
    /// `rate(data/a.yaml#x,data/a.yaml#y)` → `data/a.yaml#x`, `data/a.yaml#y`; values alike
    /// as one, by their folder's pattern and general key (`data/villages/*.yaml#exits[*].people`).
    /// None for a value of a data file.
    pub fn inputs(self) -> Vec<&'k str> {
        let Key::Computed(text) = self else {
            return Vec::new();
        };
        let Some(list) = text
            .split_once('(')
            .and_then(|(_, rest)| rest.strip_suffix(')'))
        else {
            return Vec::new();
        };
        // Split at the commas outside `[…]` (an item's selector may hold one).
        let mut inputs = Vec::new();
        let (mut depth, mut start) = (0usize, 0);
        for (i, c) in list.char_indices() {
            match c {
                '[' => depth += 1,
                ']' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    inputs.push(&list[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        inputs.push(&list[start..]);
        inputs.retain(|input| input.contains('#'));
        inputs
    }
}

/// Where and how a `figures.json` that cannot be read is damaged, when it is not JSON: its
/// place (line and column, from 1), and what to say of it and do about it. `None` when it
/// is JSON (of another version, say) or cannot be opened. Read only when the file failed.
pub fn damage(file: &std::path::Path) -> Option<(crate::diagnostics::Location, Text, Text)> {
    let reader = std::io::BufReader::new(std::fs::File::open(file).ok()?);
    let error = serde_json::from_reader::<_, serde::de::IgnoredAny>(reader).err()?;
    let at = crate::diagnostics::Location::new(file, error.line(), error.column());
    let restore = Text::new(
        "从备份或服务器上的已发布站点里把完整的 figures.json 放回，再比较",
        "put the whole figures.json back from a backup or the published site on the server, and compare again",
    );
    match error.classify() {
        serde_json::error::Category::Eof => Some((
            at,
            Text::new(
                "文件在这里中断，没有复制或保存完整（复制被打断、磁盘满了）",
                "the file stops here; it was not copied or saved whole (a copy cut short, a full disk)",
            ),
            restore,
        )),
        serde_json::error::Category::Syntax => Some((
            at,
            Text::new(
                "这里不是 huibao 写的 JSON，文件被改动过或已损坏",
                "this is not the JSON huibao wrote; the file was edited or is damaged",
            ),
            restore,
        )),
        _ => None,
    }
}

/// Whether the value of a data file keyed `key` (`data/villages/hengxi.yaml#exits[year=2015].people`)
/// is the computed figure's `input` (see [`Key::inputs`]): that value, or one of the values
/// alike its pattern names (`data/villages/*.yaml#exits[*].people`).
pub fn is_input(input: &str, key: &str) -> bool {
    if input == key {
        return true;
    }
    let (Some((pattern, general)), Some((path, inside))) =
        (input.split_once('#'), key.split_once('#'))
    else {
        return false;
    };
    let inside_matches = general == inside || crate::provenance::general_key(inside) == general;
    inside_matches && path_matches(pattern, path)
}

/// Whether the data file `path` (`data/villages/hengxi.yaml`) holds a value of the computed
/// figure's `input` (see [`Key::inputs`]).
pub fn is_input_file(input: &str, path: &str) -> bool {
    input
        .split_once('#')
        .is_some_and(|(pattern, _)| path_matches(pattern, path))
}

/// Whether `path` is one of the files `pattern` names: its `*` any run of characters but `/`.
fn path_matches(pattern: &str, path: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == path,
        Some((before, after)) => {
            let Some(rest) = path.strip_prefix(before) else {
                return false;
            };
            // The shortest run first; `*` never crosses a folder.
            (0..=rest.len())
                .filter(|&i| rest.is_char_boundary(i))
                .take_while(|&i| !rest[..i].contains('/'))
                .any(|i| path_matches(after, &rest[i..]))
        }
    }
}

impl std::fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Data(path, inside) => write!(f, "{path}#{inside}"),
            Key::Computed(key) => f.write_str(key),
        }
    }
}

impl Manifest {
    /// A manifest of `pages` (sorted here), whose data figures refer to `table`, and `data`
    /// fingerprints.
    pub fn new(
        mut pages: Vec<Page>,
        table: Arc<Sources>,
        data: BTreeMap<String, String>,
    ) -> Manifest {
        pages.sort_by(|a, b| a.page.cmp(&b.page));
        Manifest {
            version: VERSION,
            title: String::new(),
            data,
            table,
            pages,
            downloads: Vec::new(),
            pending: Vec::new(),
            corrections: Vec::new(),
            spilled: None,
        }
    }

    /// [`Manifest::new`] of pages whose figures wait in `spilled` (put there by each page's
    /// place among `pages` in order), not in the pages.
    pub fn with_spilled_figures(
        pages: Vec<Page>,
        table: Arc<Sources>,
        data: BTreeMap<String, String>,
        spilled: SpilledFigures,
    ) -> Manifest {
        Manifest {
            spilled: Some(Arc::new(spilled)),
            ..Manifest::new(pages, table, data)
        }
    }

    /// Calls `each` with every page and its figures, in order: the page's own, or read back
    /// one page at a time from the scratch file they wait in.
    pub fn for_each_page<'m>(
        &'m self,
        each: &mut dyn FnMut(&'m Page, Cow<'m, Figures>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut failed = None;
        self.for_each_page_while(&mut |page, figures| match each(page, figures) {
            Ok(()) => ControlFlow::Continue(()),
            Err(error) => {
                failed = Some(error);
                ControlFlow::Break(())
            }
        })?;
        failed.map_or(Ok(()), Err)
    }

    /// As [`for_each_page`](Self::for_each_page), until `each` breaks (then `Ok(false)`, and
    /// no more of the scratch file is read).
    pub fn for_each_page_while<'m>(
        &'m self,
        each: &mut dyn FnMut(&'m Page, Cow<'m, Figures>) -> ControlFlow<()>,
    ) -> std::io::Result<bool> {
        let Some(spilled) = &self.spilled else {
            for page in &self.pages {
                if each(page, Cow::Borrowed(&page.figures)).is_break() {
                    return Ok(false);
                }
            }
            return Ok(true);
        };
        /// Why the reading of the scratch file ended early: `each` broke, or it failed.
        enum Stop {
            Broken,
            Failed(std::io::Error),
        }
        impl From<std::io::Error> for Stop {
            fn from(error: std::io::Error) -> Stop {
                Stop::Failed(error)
            }
        }
        let mut pages = self.pages.iter();
        let read = spilled
            .0
            .for_each_part(crate::spill::Part::Whole, &mut |_, bytes| {
                let page = pages.next().ok_or_else(spilled_unreadable)?;
                let figures = Figures::from_bytes(bytes).ok_or_else(spilled_unreadable)?;
                match each(page, Cow::Owned(figures)) {
                    ControlFlow::Continue(()) => Ok(()),
                    ControlFlow::Break(()) => Err(Stop::Broken),
                }
            });
        match read {
            Ok(()) => {}
            Err(Stop::Broken) => return Ok(false),
            Err(Stop::Failed(error)) => return Err(error),
        }
        match pages.next() {
            Some(_) => Err(spilled_unreadable()),
            None => Ok(true),
        }
    }

    /// This manifest with every page's figures in memory: itself, unless they wait in a
    /// scratch file (then read back, for what looks figures up across pages: the
    /// comparison with the published figures).
    pub fn loaded(&self) -> std::io::Result<Cow<'_, Manifest>> {
        if self.spilled.is_none() {
            return Ok(Cow::Borrowed(self));
        }
        let mut pages = Vec::with_capacity(self.pages.len());
        self.for_each_page(&mut |page, figures| {
            pages.push(Page {
                figures: Arc::new(figures.into_owned()),
                ..page.clone()
            });
            Ok(())
        })?;
        Ok(Cow::Owned(Manifest {
            pages,
            spilled: None,
            ..self.clone()
        }))
    }

    /// The file and value a data figure refers to.
    fn place(&self, at: Ref) -> Option<(&SourceFile, &SourceValue)> {
        self.table.value(at)
    }

    /// The figure's key.
    pub fn key<'m>(&'m self, figure: Figure<'m>) -> Key<'m> {
        match figure {
            Figure::Data { at, .. } => match self.place(at) {
                Some((file, value)) => Key::Data(&file.path, value.key()),
                None => Key::Computed(""),
            },
            Figure::Computed(c) => Key::parse(&c.key),
        }
    }

    /// What the figure is: `健康扶贫 贫困人口住院 住院人次`.
    pub fn what<'m>(&'m self, figure: Figure<'m>) -> Cow<'m, str> {
        match figure {
            Figure::Data { at, .. } => match self.place(at) {
                Some((file, value)) => Cow::Owned(
                    format!("{} {}", file.title, value.label())
                        .trim()
                        .to_string(),
                ),
                None => Cow::Borrowed(""),
            },
            Figure::Computed(c) => Cow::Borrowed(&c.what),
        }
    }

    /// Where the figure comes from: `data/policies/health.yaml:5`, or how it was computed.
    pub fn src<'m>(&'m self, figure: Figure<'m>) -> Cow<'m, str> {
        match figure {
            Figure::Data { at, .. } => match self.place(at) {
                Some((file, value)) => Cow::Owned(format!("{}:{}", file.path, value.line)),
                None => Cow::Borrowed(""),
            },
            Figure::Computed(c) => Cow::Borrowed(&c.src),
        }
    }

    /// Every figure once, by key: (the first page printing it, the figure as printed there).
    /// Of a manifest whose figures are in memory ([`Manifest::loaded`]).
    pub fn by_key(&self) -> HashMap<Key<'_>, (&Page, Figure<'_>)> {
        debug_assert!(self.spilled.is_none(), "by_key of figures not loaded");
        let mut map = HashMap::new();
        for page in &self.pages {
            for figure in page.figures.iter() {
                map.entry(self.key(figure)).or_insert((page, figure));
            }
        }
        map
    }
}

/// The fingerprint of a data file's bytes (FNV-1a, 64 bits, hex): the manifest only needs to
/// tell whether a file changed, stably across runs and machines.
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut fingerprint = Fingerprinter::default();
    fingerprint.write(bytes);
    fingerprint.finish()
}

/// A [`fingerprint`] taken of bytes written piece by piece (the same as of them all at
/// once).
#[derive(Clone, Copy, Debug)]
pub struct Fingerprinter(u64);

impl Default for Fingerprinter {
    fn default() -> Self {
        Fingerprinter(0xcbf2_9ce4_8422_2325)
    }
}

impl Fingerprinter {
    /// Adds `bytes`.
    pub fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// The fingerprint of everything written, as 16 hexadecimal digits.
    pub fn finish(&self) -> String {
        format!("{:016x}", self.0)
    }
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

impl Manifest {
    /// A change of `figure`, one of this manifest's: its key, what it is and its source
    /// from here, printed `old` before and `new` now.
    pub fn change(&self, figure: Figure<'_>, old: Option<String>, new: Option<String>) -> Change {
        Change {
            key: self.key(figure).to_string(),
            what: self.what(figure).into_owned(),
            old,
            new,
            src: self.src(figure).into_owned(),
            direct: figure.direct(),
        }
    }
}

/// The figures whose printed value changed from `old` to `new`, with the figures no longer
/// published and those published for the first time, in key order.
pub fn diff(old: &Manifest, new: &Manifest) -> Vec<Change> {
    let (before, after) = (old.by_key(), new.by_key());
    let mut changes = Vec::new();
    for (key, (_, figure)) in &after {
        match before.get(key) {
            Some((_, was)) if was.value() == figure.value() => {}
            was => changes.push(new.change(
                *figure,
                was.map(|(_, f)| f.value().to_string()),
                Some(figure.value().to_string()),
            )),
        }
    }
    for (key, (_, figure)) in &before {
        if !after.contains_key(key) {
            changes.push(old.change(*figure, Some(figure.value().to_string()), None));
        }
    }
    changes.sort_by(|a, b| a.key.cmp(&b.key));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_computed_figure_names_its_inputs_and_each_value_is_known_as_one() {
        let key = Key::parse("rate(data/extra.yaml#poor,data/villages/*.yaml#exits[*].people)");
        assert_eq!(
            key.inputs(),
            [
                "data/extra.yaml#poor",
                "data/villages/*.yaml#exits[*].people"
            ]
        );
        // A selector holding a comma stays in its input.
        let key = Key::parse("sub(data/a.yaml#x[name=a,b].n,data/a.yaml#y)");
        assert_eq!(key.inputs(), ["data/a.yaml#x[name=a,b].n", "data/a.yaml#y"]);
        assert!(Key::parse("data/a.yaml#x").inputs().is_empty());
        let (single, group) = (
            "data/extra.yaml#poor",
            "data/villages/*.yaml#exits[*].people",
        );
        assert!(is_input(single, "data/extra.yaml#poor"));
        assert!(!is_input(single, "data/extra.yaml#poor_households"));
        assert!(is_input(
            group,
            "data/villages/hengxi.yaml#exits[year=2015].people"
        ));
        assert!(is_input(group, "data/villages/hengxi.yaml#exits[3].people"));
        assert!(!is_input(
            group,
            "data/villages/hengxi.yaml#exits[3].households"
        ));
        // `*` stands for a file's name, never a folder.
        assert!(!is_input(
            group,
            "data/villages/old/hengxi.yaml#exits[3].people"
        ));
        assert!(!is_input(
            group,
            "data/policies/health.yaml#exits[3].people"
        ));
        assert!(is_input("data/*/*.yaml#x", "data/villages/长岭.yaml#x"));
    }

    #[test]
    fn a_figure_printed_another_way_is_the_same_figure() {
        for (a, b) in [
            ("120户", "120"),
            ("120", "120户"),
            ("81.76875万元", "81.77"),
            ("81.77万元", "81.76875万元"),
            ("99.50%", "99.5%"),
            ("-3", "-3.0"),
        ] {
            assert!(same_figure(a, b), "{a} {b}");
        }
        for (a, b) in [
            ("120户", "121户"),
            ("120户", "120人"),
            ("81.76875", "81.78"),
            ("横溪村", "云湾村"),
            ("120", ""),
        ] {
            assert!(!same_figure(a, b), "{a} {b}");
        }
    }

    /// A table of one value in each of the files `data/a.yaml`, `data/b.yaml` …
    fn table(names: &[&str]) -> Arc<Sources> {
        Arc::new(Sources {
            files: names
                .iter()
                .map(|n| {
                    Arc::new(SourceFile {
                        path: format!("data/{n}.yaml"),
                        pattern: format!("data/{n}.yaml"),
                        title: format!("文件{n}"),
                        group: String::new(),
                        values: Arc::from([SourceValue::new(1, "a.b", "什么")]),
                    })
                })
                .collect(),
        })
    }

    fn figure(file: u32, value: &str) -> Figure<'_> {
        Figure::Data {
            at: Ref { file, value: 0 },
            value,
        }
    }

    fn manifest(figures: Vec<Figure<'_>>, names: &[&str]) -> Manifest {
        Manifest::new(
            vec![Page {
                page: "index.html".into(),
                title: "首页".into(),
                figures: Arc::new(figures.into_iter().collect()),
                downloads: vec!["index.table-1.csv".into()],
            }],
            table(names),
            BTreeMap::from([("data/a.yaml".to_string(), fingerprint(b"a: 1"))]),
        )
    }

    #[test]
    fn figures_in_a_scratch_file_read_back_as_kept() {
        let computed = Computed {
            key: "sum(data/a.yaml#a.b)".into(),
            what: "合计".into(),
            src: "合计：…".into(),
            value: "3人".into(),
        };
        let pages: Vec<Page> = [
            (
                "b.html",
                vec![figure(1, "2人"), Figure::Computed(&computed)],
            ),
            ("a.html", vec![figure(0, "1人")]),
            ("c.html", vec![]),
        ]
        .into_iter()
        .map(|(page, figures)| Page {
            page: page.into(),
            title: page.into(),
            figures: Arc::new(figures.into_iter().collect()),
            downloads: Vec::new(),
        })
        .collect();
        let data = BTreeMap::new();
        let held = Manifest::new(pages.clone(), table(&["a", "b"]), data.clone());
        // Put in any order, each at its page's place among the pages in path order.
        let spill = crate::spill::Spill::in_memory();
        let spilled = SpilledFigures::new(spill);
        for (place, page) in [(1, &pages[0]), (2, &pages[2]), (0, &pages[1])] {
            spilled.put(place, &page.figures).unwrap();
        }
        let empty: Vec<Page> = pages
            .iter()
            .map(|p| Page {
                figures: Arc::default(),
                ..p.clone()
            })
            .collect();
        let kept = Manifest::with_spilled_figures(empty, table(&["a", "b"]), data, spilled);
        assert_eq!(kept.to_bytes(), held.to_bytes());
        let loaded = kept.loaded().unwrap();
        assert!(matches!(loaded, Cow::Owned(_)));
        assert_eq!(loaded.pages, held.pages);
        assert!(matches!(held.loaded().unwrap(), Cow::Borrowed(_)));
        assert_eq!(diff(&held, &loaded), Vec::new());
    }

    #[test]
    fn changed_removed_and_new_figures() {
        let old = manifest(
            vec![figure(0, "1人"), figure(1, "2人"), figure(2, "3人")],
            &["a", "b", "c"],
        );
        // Another build numbers its files differently: figures are matched by key.
        let new = manifest(
            vec![figure(1, "1人"), figure(2, "5人"), figure(0, "4人")],
            &["d", "a", "b"],
        );
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
        assert_eq!(changes[0].what, "文件b 什么");
        assert_eq!(changes[0].src, "data/b.yaml:1");
        assert!(diff(&new, &new).is_empty());
    }

    #[test]
    fn packed_figures_come_back_as_pushed() {
        let computed = Computed {
            key: "sum(x)".into(),
            what: "合计".into(),
            src: "合计：…".into(),
            value: "3人".into(),
        };
        let at = |file, value| Ref { file, value };
        let pushed = vec![
            Figure::Data {
                at: at(0, 1),
                value: "1,445人次",
            },
            Figure::Computed(&computed),
            // An empty text, then one after a computed figure: each keeps its own.
            Figure::Data {
                at: at(2, 0),
                value: "",
            },
            Figure::Data {
                at: at(1, 7),
                value: "81.76875",
            },
        ];
        let figures: Figures = pushed.iter().copied().collect();
        assert_eq!(figures.len(), 4);
        assert_eq!(figures.iter().collect::<Vec<_>>(), pushed);
        assert!(Figures::default().is_empty());
    }

    proptest::proptest! {
        /// Any figures — files and values far apart, back and forth, at the ends of `u32`,
        /// computed ones between — come back as pushed, in order.
        #[test]
        fn figures_packed_as_differences_come_back_as_pushed(
            pushed in proptest::collection::vec(
                (
                    proptest::prop_oneof![0u32..4, proptest::strategy::Just(u32::MAX), proptest::num::u32::ANY],
                    proptest::prop_oneof![0u32..40, proptest::strategy::Just(u32::MAX), proptest::num::u32::ANY],
                    "[0-9,.万人]{0,6}",
                    proptest::bool::weighted(0.1),
                ),
                0..60,
            )
        ) {
            let computed: Vec<Computed> = pushed
                .iter()
                .map(|(_, _, text, _)| Computed {
                    key: format!("sum({text})"),
                    what: "合计".into(),
                    src: "合计：…".into(),
                    value: text.clone(),
                })
                .collect();
            let figures: Vec<Figure<'_>> = pushed
                .iter()
                .zip(&computed)
                .map(|((file, value, text, is_computed), c)| match is_computed {
                    true => Figure::Computed(c),
                    false => Figure::Data {
                        at: Ref { file: *file, value: *value },
                        value: text,
                    },
                })
                .collect();
            let packed: Figures = figures.iter().copied().collect();
            proptest::prop_assert_eq!(packed.len(), figures.len());
            proptest::prop_assert_eq!(&packed.iter().collect::<Vec<_>>(), &figures);
            // As bytes (a build's scratch file) and back: the same figures, and the same
            // bytes again; cut short or with a byte more, they are not read.
            let bytes = packed.to_bytes();
            let back = Figures::from_bytes(&bytes);
            proptest::prop_assert_eq!(back.as_ref(), Some(&packed));
            proptest::prop_assert_eq!(back.map(|b| b.to_bytes()), Some(bytes.clone()));
            proptest::prop_assert_eq!(Figures::from_bytes(&bytes[..bytes.len() - 1]), None);
            let mut longer = bytes;
            longer.push(0);
            proptest::prop_assert_eq!(Figures::from_bytes(&longer), None);
        }
    }

    #[test]
    fn bytes_read_back_and_fingerprints_are_stable() {
        let computed = Computed {
            key: "sum(data/a.yaml#a.b)".into(),
            what: "合计（文件a 什么）".into(),
            src: "合计：data/a.yaml:1".into(),
            value: "3人".into(),
        };
        let computed = Figure::Computed(&computed);
        // A computed figure between two of data files: each keeps its own numbers.
        let mut m = manifest(
            vec![figure(0, "1人"), computed, figure(1, "2人")],
            &["a", "b"],
        );
        m.pending.push(Pending {
            key: "data/a.yaml#a.b".into(),
            what: "文件a 什么".into(),
            old: "0人".into(),
            inputs: Vec::new(),
        });
        m.pending.push(Pending {
            key: "rate(data/a.yaml#a.b,data/a.yaml#a.c)".into(),
            what: "比例".into(),
            old: "2.50%".into(),
            inputs: vec!["data/a.yaml#a.c".into()],
        });
        m.downloads = vec!["downloads/村委会.csv".into()];
        let bytes = m.to_bytes();
        let back = Manifest::from_bytes(&bytes).unwrap();
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(back.downloads, m.downloads);
        assert_eq!(back.pages[0].downloads, ["index.table-1.csv"]);
        assert_eq!(back.pending, m.pending);
        assert!(diff(&m, &back).is_empty());
        let text = String::from_utf8(bytes).unwrap();
        // Each data figure names its key and label by one number in the names table.
        assert!(
            text.contains("\"names\": [\n  [\"a.b\",\"什么\"]\n],"),
            "{text}"
        );
        assert!(text.contains("\n  [0,0,1,\"1人\"],\n"), "{text}");
        assert!(text.contains("\n  [1,0,1,\"2人\"]\n"), "{text}");
        // The same manifest as version 2 wrote it is read as the same figures.
        let v2 = text
            .replace("\"version\": 3,", "\"version\": 2,")
            .replace(
                "\"names\": [\n  [\"a.b\",\"什么\"]\n],",
                "\"labels\": [\n  \"什么\"\n],",
            )
            .replace("[0,0,1,\"1人\"]", "[0,\"a.b\",1,0,\"1人\"]")
            .replace("[1,0,1,\"2人\"]", "[1,\"a.b\",1,0,\"2人\"]");
        assert!(
            v2.contains("[0,\"a.b\",1,0,\"1人\"]")
                && v2.contains("[1,\"a.b\",1,0,\"2人\"]")
                && v2.contains("\"labels\"")
                && !v2.contains("\"names\""),
            "{v2}"
        );
        let old = Manifest::from_bytes(v2.as_bytes()).expect("version 2 is read");
        assert!(diff(&m, &old).is_empty());
        assert_eq!(
            old.to_bytes(),
            text.as_bytes(),
            "written again as version 3"
        );
        assert!(
            Manifest::from_bytes(
                text.replace("\"version\": 3,", "\"version\": 1,")
                    .as_bytes()
            )
            .is_none()
        );
        assert_eq!(
            Key::parse("data/a.yaml#a.b"),
            Key::Data("data/a.yaml", "a.b")
        );
        assert_eq!(
            Key::parse("sum(data/a.yaml#a.b)"),
            Key::Computed("sum(data/a.yaml#a.b)")
        );
        assert_eq!(fingerprint(b""), "cbf29ce484222325");
        assert_eq!(fingerprint(b"a"), "af63dc4c8601ec8c");
    }
}

//! A published site's figures manifest, read to compare a build with it without holding its
//! figures in memory (a site of 10,000 villages publishes a million, a 50 MB file; 100,000
//! villages ten times that). [`Published::read`] reads the file's head — its version and the
//! fingerprint of every data file — and stops there; [`Published::compare`] streams the
//! whole file once, figure by figure, against the new build's manifest — its figures read
//! page by page too, from the scratch file where a large build keeps them — and keeps only
//! what changed and the changes still pending.
//!
//! The comparison reads the file in the layout [`Manifest::write_to`] gives it, one figure a
//! line: each line is parsed on its own from the bytes read (its texts borrowed, not
//! copied), and compared with the new figure in the same place (see
//! [`Published::compare`]). A JSON reader pulling the whole document byte by byte through
//! `io::Read`, each figure then looked up by its key, took 0.4–0.5 s of a rebuild of 10,000
//! villages, on one core; this, 0.14 s. A file in another layout — hand-edited,
//! reformatted — is not compared with (the build says so, and writes a new one).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fmt::{self, Write as _};
use std::io::{BufRead, BufReader, Read};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::file::readable;
use super::{Change, FILE, Figure, Key, Logged, Manifest, Pending};

/// The head of a published manifest: enough to tell which data files changed since.
#[derive(Clone, Debug)]
pub struct Published {
    /// The file, streamed again by [`Published::compare`].
    pub file: PathBuf,
    /// Data file (`data/villages/hengxi.yaml`) → fingerprint of its values when published.
    pub data: BTreeMap<String, String>,
    /// The corrections log's entries the site published.
    pub corrections: Vec<Logged>,
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

/// The manifest `file` opened for reading, past a UTF-8 byte-order mark (Notepad on Windows
/// saves one when the file is opened and saved again).
fn opened(file: &Path) -> Option<BufReader<std::fs::File>> {
    let mut reader = BufReader::with_capacity(1 << 16, std::fs::File::open(file).ok()?);
    if reader.fill_buf().ok()?.starts_with(&[0xEF, 0xBB, 0xBF]) {
        reader.consume(3);
    }
    Some(reader)
}

/// The error the head reader stops the parser with once it has what it reads.
const HEAD_READ: &str = "huibao: the head is read";

impl Published {
    /// Reads the head of the manifest published in `out_dir`; `None` when there is none or
    /// it is not of a version read (this one or 2).
    pub fn read(out_dir: &Path) -> Option<Published> {
        let file = out_dir.join(FILE);
        let reader = opened(&file)?;
        let mut head = Head::default();
        // Any layout of JSON: stopped on purpose at the pages.
        read_document(serde_json::Deserializer::from_reader(reader), &mut head)?;
        head.version.is_some_and(readable).then_some(Published {
            file,
            data: head.data,
            corrections: head.corrections,
        })
    }

    /// The title of the report whose manifest is published in `out_dir` (its first lines
    /// read): `None` when there is none, it is not of a version read, or it records no title.
    pub fn title(out_dir: &Path) -> Option<String> {
        let mut head = Head {
            title_only: true,
            ..Head::default()
        };
        let reader = opened(&out_dir.join(FILE))?;
        read_document(serde_json::Deserializer::from_reader(reader), &mut head)?;
        let recorded = head.version.is_some_and(readable) && !head.title.is_empty();
        recorded.then_some(head.title)
    }

    /// Streams the published figures against `new`'s: `None` when the file cannot be read
    /// (any more) as a manifest in the layout huibao writes.
    ///
    /// A rebuild after a correction prints the same figures in the same order as the site
    /// it replaces: the published figures are first read against the new ones in order,
    /// keys compared side by side and nothing looked up. Only when the two part (a page or
    /// a figure added, removed or moved, or many values changed at once) is the file read
    /// again, each published figure found by its key.
    pub fn compare(&self, new: &Manifest) -> Option<Compared> {
        // In order, the new figures are read page by page — from the scratch file where a
        // large build keeps them, never all in memory (~130 MB at 100,000 villages).
        if let Some(compared) = self.compare_in_order(new)? {
            return Some(compared);
        }
        // Looked up across pages: in memory for this comparison alone when they wait in a
        // scratch file (the build's pages are done by now).
        let loaded = new.loaded().ok()?;
        let compared = self.compare_by_key(&loaded);
        // That copy goes back to the system now, not under the search index and
        // `figures.json` made next.
        if let Cow::Owned(copy) = loaded {
            drop(copy);
            crate::give_back_freed_memory();
        }
        compared
    }

    /// Opens the file and reads its head, up to the line opening the pages.
    fn open(&self) -> Option<(BufReader<std::fs::File>, Head)> {
        let mut reader = opened(&self.file)?;
        let mut line = Vec::new();
        let mut head_bytes = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line).ok()? == 0 {
                return None;
            }
            head_bytes.extend_from_slice(&line);
            if line.trim_ascii() == b"\"pages\": [" {
                break;
            }
        }
        let mut head = Head::default();
        read_document(serde_json::Deserializer::from_slice(&head_bytes), &mut head)?;
        head.version.is_some_and(readable).then_some((reader, head))
    }

    /// Reads the pages, handing each published figure to `figure` (which says whether to
    /// go on), then the tail with the changes still pending into `head`. `Some(false)` when
    /// `figure` stopped the reading.
    fn read_pages(
        reader: BufReader<std::fs::File>,
        head: &mut Head,
        mut figure: impl FnMut(&Head, Item<'_>) -> Option<bool>,
    ) -> Option<bool> {
        let mut lines = FigureLines::new(reader);
        while lines.next_figure()? {
            if !figure(head, lines.item()?)? {
                return Some(false);
            }
        }
        lines.read_tail(head)?;
        Some(true)
    }

    /// The comparison when the published figures are the new ones, in the same order, but
    /// for some values: `Some(None)` as soon as they are not. The new figures are read page
    /// by page ([`Manifest::for_each_page_while`]) up to where they part, again up to the last
    /// changed one when a value changed.
    fn compare_in_order(&self, new: &Manifest) -> Option<Option<Compared>> {
        /// More changed values than this, and finding each one's first place costs more
        /// than looking every figure up by its key.
        const MOST_CHANGED: usize = 1000;
        let (reader, mut head) = self.open()?;
        let mut lines = FigureLines::new(reader);
        // The figures whose value changed: their place in the order, the data file they
        // are a value of (none for a computed one), and the change.
        let mut changed: Vec<(usize, Option<u32>, Change)> = Vec::new();
        let mut place = 0;
        // How the reading went: unreadable (`None`), or whether the figures are in order.
        let mut in_order = Some(true);
        let walked = new.for_each_page_while(&mut |_, figures| {
            for figure in figures.iter() {
                let same = lines.next_figure().and_then(|more| {
                    if !more {
                        return Some(false);
                    }
                    let new_key = new.key(figure);
                    if lines.is_named(&head, new_key, figure.value()) {
                        place += 1;
                        return Some(true);
                    }
                    let item = lines.item()?;
                    let (key, value) = item.key_and_value(&head)?;
                    if new_key != key {
                        return Some(false);
                    }
                    if !super::same_figure(figure.value(), &value) {
                        let file = match figure {
                            Figure::Data { at, .. } => Some(at.file),
                            Figure::Computed(_) => None,
                        };
                        let now = Some(figure.value().to_string());
                        changed.push((
                            place,
                            file,
                            new.change(figure, Some(value.into_owned()), now),
                        ));
                    }
                    place += 1;
                    Some(changed.len() <= MOST_CHANGED)
                });
                in_order = same;
                if in_order != Some(true) {
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        });
        walked.ok()?;
        match in_order {
            None => return None,
            Some(false) => return Some(None),
            Some(true) => {}
        }
        // Published figures after the last new one: not in order.
        if lines.next_figure()? {
            return Some(None);
        }
        lines.read_tail(&mut head)?;
        // A figure printed twice is compared where it is first printed (as by key): a
        // changed value counts only where its key is met first.
        let mut first: FxHashMap<&str, usize> = FxHashMap::default();
        if let Some(&(last, _, _)) = changed.last() {
            let keys: HashSet<&str> = changed.iter().map(|(_, _, c)| c.key.as_str()).collect();
            let files: HashSet<u32> = changed.iter().filter_map(|&(_, file, _)| file).collect();
            let mut place = 0;
            // Each key written as text here in turn (the changes' keys are text).
            let mut key = String::new();
            new.for_each_page_while(&mut |_, figures| {
                for figure in figures.iter() {
                    if place > last {
                        return ControlFlow::Break(());
                    }
                    let maybe = match figure {
                        Figure::Data { at, .. } => files.contains(&at.file),
                        Figure::Computed(_) => true,
                    };
                    if maybe {
                        key.clear();
                        let _ = write!(key, "{}", new.key(figure));
                        if let Some(&known) = keys.get(key.as_str()) {
                            first.entry(known).or_insert(place);
                        }
                    }
                    place += 1;
                }
                ControlFlow::Continue(())
            })
            .ok()?;
        }
        let mut changes: Vec<Change> = changed
            .iter()
            .filter(|(place, _, change)| first.get(change.key.as_str()) == Some(place))
            .map(|(_, _, change)| change.clone())
            .collect();
        changes.sort_by(|a, b| a.key.cmp(&b.key));
        Some(Some(Compared {
            changes,
            pending: head.pending,
        }))
    }

    /// The comparison with each published figure found among the new ones by its key.
    fn compare_by_key(&self, new: &Manifest) -> Option<Compared> {
        let (reader, mut head) = self.open()?;
        let mut comparison = Comparison::new(new);
        Self::read_pages(reader, &mut head, |head, item| {
            comparison.item(head, item)?;
            Some(true)
        })?;
        Some(Compared {
            changes: comparison.finish(),
            pending: head.pending,
        })
    }
}

/// The published pages' figures, read a line at a time: the lines of the pages (each page
/// opening with its own line, then one line a figure), then the tail after them.
struct FigureLines {
    reader: BufReader<std::fs::File>,
    /// The last line read.
    line: Vec<u8>,
}

impl FigureLines {
    /// The figures of `reader`, read up to the line opening the pages.
    fn new(reader: BufReader<std::fs::File>) -> FigureLines {
        FigureLines {
            reader,
            line: Vec::new(),
        }
    }

    /// Reads on to the next figure's line (`Some(true)`, its [`item`](Self::item) then
    /// readable) or to the end of the pages (`Some(false)`); `None` when the lines are not
    /// the manifest's.
    fn next_figure(&mut self) -> Option<bool> {
        loop {
            if !self.read_line().ok()? {
                return None;
            }
            match self.text() {
                b"]" => return Some(false),
                b"]}" => {}
                [b'{', ..] => {}
                [b'[', ..] => return Some(true),
                _ => return None,
            }
        }
    }

    /// Reads the next line into [`Self::line`] (`false` at the end of the file): as
    /// `read_until`, its end found by the `memchr` crate's vector search, not the standard
    /// library's byte-wise one (a million short lines at 10,000 villages).
    fn read_line(&mut self) -> std::io::Result<bool> {
        self.line.clear();
        loop {
            let buffer = match self.reader.fill_buf() {
                Ok(buffer) => buffer,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buffer.is_empty() {
                return Ok(!self.line.is_empty());
            }
            let (taken, ended) = match memchr::memchr(b'\n', buffer) {
                Some(end) => (end + 1, true),
                None => (buffer.len(), false),
            };
            self.line.extend_from_slice(&buffer[..taken]);
            self.reader.consume(taken);
            if ended {
                return Ok(true);
            }
        }
    }

    /// The last line read, without its spaces and its comma.
    fn text(&self) -> &[u8] {
        let text = self.line.trim_ascii();
        text.strip_suffix(b",").unwrap_or(text)
    }

    /// The figure of the line [`next_figure`](Self::next_figure) stopped at.
    fn item(&self) -> Option<Item<'_>> {
        let text = self.text();
        match Item::quick(text) {
            Some(item) => Some(item),
            None => serde_json::from_slice(text).ok(),
        }
    }

    /// Whether the line read is, as huibao writes it, the figure of version 3 with `key` and
    /// `value` (a rebuild's million unchanged figures): its value compared as bytes, not
    /// told UTF-8 first — bytes equal to a `str`'s are UTF-8. `false` whenever it cannot
    /// tell so at once (another figure, a changed value, escapes, another kind of line —
    /// what [`Cut::of`] does not cut): the line is then read whole.
    fn is_named(&self, head: &Head, key: Key<'_>, value: &str) -> bool {
        let Key::Data(path, inside) = key else {
            return false;
        };
        let Some(Cut::Named {
            file,
            name,
            value: written,
            ..
        }) = Cut::of(self.text())
        else {
            return false;
        };
        written == value.as_bytes()
            && head
                .files
                .get(file as usize)
                .is_some_and(|(p, _)| p == path)
            && head
                .names
                .get(name as usize)
                .is_some_and(|(n, _)| n == inside)
    }

    /// Reads the tail, after the pages: the changes still pending, into `head`.
    fn read_tail(mut self, head: &mut Head) -> Option<()> {
        let mut tail = b"{".to_vec();
        self.reader.read_to_end(&mut tail).ok()?;
        read_document(serde_json::Deserializer::from_slice(&tail), head)
    }
}

/// Reads the document, or a piece of it — its head (stopping at the pages) or its tail
/// (from after the pages, with a `{` put before) — into `head`; `None` if it is not JSON of
/// the manifest's.
fn read_document<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
    head: &mut Head,
) -> Option<()> {
    let read = de::Deserializer::deserialize_map(&mut de, Document { head });
    match read {
        Ok(()) => de.end().ok(),
        Err(e) => e.to_string().starts_with(HEAD_READ).then_some(()),
    }
}

/// What is read of the document besides its pages.
#[derive(Default)]
struct Head {
    /// Read no further than the title (which comes before the data files).
    title_only: bool,
    version: Option<u32>,
    title: String,
    data: BTreeMap<String, String>,
    files: Vec<(String, String)>,
    /// Version 2's labels.
    labels: Vec<String>,
    /// Version 3's names: (key, label).
    names: Vec<(String, String)>,
    pending: Vec<Pending>,
    corrections: Vec<Logged>,
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
                if !super::same_figure(figure.value(), value) {
                    let now = Some(figure.value().to_string());
                    let change = self.new.change(figure, Some(value.to_string()), now);
                    self.changes.push(change);
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

    /// A published figure as read from its line; `None` if it names a file the head does
    /// not list.
    fn item(&mut self, head: &Head, item: Item<'_>) -> Option<()> {
        let (key, value) = item.key_and_value(head)?;
        self.published(key, &value, || item.what_and_src(head));
        Some(())
    }

    /// The changes, with the figures published for the first time, in key order.
    fn finish(mut self) -> Vec<Change> {
        for (number, &figure) in self.figures.iter().enumerate() {
            if !self.seen[number] {
                let now = Some(figure.value().to_string());
                self.changes.push(self.new.change(figure, None, now));
            }
        }
        self.changes.sort_by(|a, b| a.key.cmp(&b.key));
        self.changes
    }
}

/// The document's head and tail: read until the pages (then the reading stops).
struct Document<'h> {
    head: &'h mut Head,
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a huibao figures manifest")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "version" => self.head.version = Some(map.next_value()?),
                "title" => self.head.title = map.next_value()?,
                "data" if self.head.title_only => return Err(de::Error::custom(HEAD_READ)),
                "data" => self.head.data = map.next_value()?,
                "files" => self.head.files = map.next_value()?,
                "labels" => self.head.labels = map.next_value()?,
                "names" => self.head.names = map.next_value()?,
                "corrections" => self.head.corrections = map.next_value()?,
                "pages" => return Err(de::Error::custom(HEAD_READ)),
                "pending" => {
                    let pending: Vec<super::PendingRow> = map.next_value()?;
                    self.head.pending = pending.into_iter().map(Pending::from).collect();
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// The number `digits` spell, as `u32`'s `parse` reads it: one digit at least, leading
/// zeros allowed, no sign, `None` past `u32::MAX` or for any other byte.
fn whole_number(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u32, |value, &digit| {
        let digit = u32::from(digit)
            .checked_sub(u32::from(b'0'))
            .filter(|&d| d < 10)?;
        value.checked_mul(10)?.checked_add(digit)
    })
}

/// A data figure's line as huibao writes it when its texts need no escapes, cut at its
/// brackets, commas and quotes: its numbers read, its texts still bytes (not yet told
/// UTF-8). What [`Item::quick`] reads, and what [`FigureLines::is_named`] compares as it is.
enum Cut<'a> {
    /// `[file, name, line, value]` (version 3).
    Named {
        file: u32,
        name: u32,
        line: u32,
        value: &'a [u8],
    },
    /// `[file, key, line, label, value]` (version 2).
    Data {
        file: u32,
        inside: &'a [u8],
        line: u32,
        label: u32,
        value: &'a [u8],
    },
}

impl<'a> Cut<'a> {
    /// The parts of `line`; `None` for any other line (escapes, computed figures, a line
    /// cut short), which the JSON parser reads.
    fn of(line: &'a [u8]) -> Option<Cut<'a>> {
        /// A number of digits (see [`whole_number`]) and the bytes after it.
        fn number(bytes: &[u8]) -> Option<(u32, &[u8])> {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            let (number, rest) = bytes.split_at(digits);
            Some((whole_number(number)?, rest))
        }
        /// A quoted text without escapes and the bytes after its closing quote.
        fn text(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
            let bytes = bytes.strip_prefix(b"\"")?;
            let end = memchr::memchr(b'"', bytes)?;
            let (text, rest) = bytes.split_at(end);
            if memchr::memchr(b'\\', text).is_some() {
                return None;
            }
            Some((text, &rest[1..]))
        }
        let inner = line.strip_prefix(b"[")?.strip_suffix(b"]")?;
        let (file, rest) = number(inner)?;
        let rest = rest.strip_prefix(b",")?;
        if rest.first() != Some(&b'"') {
            let (name, rest) = number(rest)?;
            let (line, rest) = number(rest.strip_prefix(b",")?)?;
            let (value, rest) = text(rest.strip_prefix(b",")?)?;
            return rest.is_empty().then_some(Cut::Named {
                file,
                name,
                line,
                value,
            });
        }
        let (inside, rest) = text(rest)?;
        let (line, rest) = number(rest.strip_prefix(b",")?)?;
        let (label, rest) = number(rest.strip_prefix(b",")?)?;
        let (value, rest) = text(rest.strip_prefix(b",")?)?;
        rest.is_empty().then_some(Cut::Data {
            file,
            inside,
            line,
            label,
            value,
        })
    }
}

/// A figure as written: of a data file `[file, name, line, value]` (version 3) or
/// `[file, key, line, label, value]` (version 2), else `[key, what, src, value]`. Texts are
/// borrowed from the line unless they had escapes.
#[derive(Debug, PartialEq, Eq)]
enum Item<'a> {
    Named {
        file: u32,
        name: u32,
        line: u32,
        value: Cow<'a, str>,
    },
    Data {
        file: u32,
        inside: Cow<'a, str>,
        line: u32,
        label: u32,
        value: Cow<'a, str>,
    },
    Computed {
        key: Cow<'a, str>,
        what: Cow<'a, str>,
        src: Cow<'a, str>,
        value: Cow<'a, str>,
    },
}

impl<'a> Item<'a> {
    /// A data figure's line as huibao writes it when its texts need no escapes
    /// (`[3,5,8,"52户"]`, or version 2's `[3,"households",8,3,"52户"]`: most of a
    /// manifest's million lines), read without the JSON parser; `None` for any other line,
    /// which serde_json reads.
    fn quick(line: &'a [u8]) -> Option<Item<'a>> {
        let text = |bytes: &'a [u8]| std::str::from_utf8(bytes).ok().map(Cow::Borrowed);
        Some(match Cut::of(line)? {
            Cut::Named {
                file,
                name,
                line,
                value,
            } => Item::Named {
                file,
                name,
                line,
                value: text(value)?,
            },
            Cut::Data {
                file,
                inside,
                line,
                label,
                value,
            } => Item::Data {
                file,
                inside: text(inside)?,
                line,
                label,
                value: text(value)?,
            },
        })
    }

    /// The figure's key (a data file's path from the head's table) and printed value;
    /// `None` if it names a file the head does not list.
    fn key_and_value<'i>(&'i self, head: &'i Head) -> Option<(Key<'i>, Cow<'i, str>)> {
        match self {
            Item::Named {
                file, name, value, ..
            } => {
                let (path, _) = head.files.get(*file as usize)?;
                let (inside, _) = head.names.get(*name as usize)?;
                Some((Key::Data(path, inside), Cow::Borrowed(value)))
            }
            Item::Data {
                file,
                inside,
                value,
                ..
            } => {
                let (path, _) = head.files.get(*file as usize)?;
                Some((Key::Data(path, inside), Cow::Borrowed(value)))
            }
            Item::Computed { key, value, .. } => Some((Key::parse(key), Cow::Borrowed(value))),
        }
    }

    /// What the figure is and where it came from, as the published manifest says (for a
    /// figure no longer published).
    fn what_and_src(&self, head: &Head) -> (String, String) {
        let (file, line, label) = match self {
            Item::Named {
                file, name, line, ..
            } => {
                let label = head
                    .names
                    .get(*name as usize)
                    .map_or("", |(_, l)| l.as_str());
                (file, line, label)
            }
            Item::Data {
                file, line, label, ..
            } => {
                let label = head.labels.get(*label as usize).map_or("", String::as_str);
                (file, line, label)
            }
            Item::Computed { what, src, .. } => return (what.to_string(), src.to_string()),
        };
        let (path, title) = head
            .files
            .get(*file as usize)
            .map_or(("", ""), |(p, t)| (p.as_str(), t.as_str()));
        (
            format!("{title} {label}").trim().to_string(),
            format!("{path}:{line}"),
        )
    }
}

impl<'de> de::Deserialize<'de> for Item<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Item<'de>, D::Error> {
        deserializer.deserialize_seq(ItemVisitor)
    }
}

struct ItemVisitor;

/// A JSON text, borrowed from the input when it can be.
struct Text<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Text<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Text<'de>, D::Error> {
        deserializer.deserialize_str(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a text")
    }
    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Borrowed(text)))
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Owned(text.to_string())))
    }
}

/// The first element of an item (a file's number or a computed figure's key), or a data
/// figure's second (its name's number, or version 2's key in the file).
enum First<'a> {
    File(u32),
    Key(Cow<'a, str>),
}

impl<'de> de::Deserialize<'de> for First<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<First<'de>, D::Error> {
        struct FirstVisitor;
        impl<'de> Visitor<'de> for FirstVisitor {
            type Value = First<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a file's number or a key")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<First<'de>, E> {
                u32::try_from(n)
                    .map(First::File)
                    .map_err(|_| E::custom("a file's number too large"))
            }
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<First<'de>, E> {
                Ok(First::Key(Cow::Borrowed(text)))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<First<'de>, E> {
                Ok(First::Key(Cow::Owned(text.to_string())))
            }
        }
        deserializer.deserialize_any(FirstVisitor)
    }
}

impl<'de> Visitor<'de> for ItemVisitor {
    type Value = Item<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a figure")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Item<'de>, A::Error> {
        let missing = || de::Error::custom("a figure too short");
        let first: First<'de> = seq.next_element()?.ok_or_else(missing)?;
        let item = match first {
            First::File(file) => match seq.next_element::<First<'de>>()?.ok_or_else(missing)? {
                First::File(name) => Item::Named {
                    file,
                    name,
                    line: seq.next_element()?.ok_or_else(missing)?,
                    value: seq.next_element::<Text<'de>>()?.ok_or_else(missing)?.0,
                },
                First::Key(inside) => Item::Data {
                    file,
                    inside,
                    line: seq.next_element()?.ok_or_else(missing)?,
                    label: seq.next_element()?.ok_or_else(missing)?,
                    value: seq.next_element::<Text<'de>>()?.ok_or_else(missing)?.0,
                },
            },
            First::Key(key) => Item::Computed {
                key,
                what: seq.next_element::<Text<'de>>()?.ok_or_else(missing)?.0,
                src: seq.next_element::<Text<'de>>()?.ok_or_else(missing)?.0,
                value: seq.next_element::<Text<'de>>()?.ok_or_else(missing)?.0,
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
                    values: Arc::from([
                        SourceValue::new(2, "a.b", "甲"),
                        SourceValue::new(3, "c", "乙"),
                    ]),
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
                inputs: Vec::new(),
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

    proptest! {
        /// A data figure's line as the manifest writes it reads the same without the JSON
        /// parser as with it; a line it cannot read so (escapes) is left to the parser.
        #[test]
        fn a_data_line_reads_the_same_without_the_json_parser(
            file in any::<u32>(),
            line in any::<u32>(),
            label in any::<u32>(),
            inside in "[a-z.\\[\\]=0-9\"\\\\户]{0,12}",
            value in "[0-9.,万元人户\"\\\\ ]{0,8}",
        ) {
            let mut written = format!("[{file},");
            written.push_str(&serde_json::to_string(&inside).unwrap());
            written.push_str(&format!(",{line},{label},"));
            written.push_str(&serde_json::to_string(&value).unwrap());
            written.push(']');
            let parsed: Item<'_> = serde_json::from_slice(written.as_bytes()).unwrap();
            match Item::quick(written.as_bytes()) {
                Some(quick) => prop_assert_eq!(quick, parsed),
                None => prop_assert!(written.contains('\\'), "{}", written),
            }
        }
    }

    proptest! {
        /// The same for a line of version 3 (`[file, name, line, value]`).
        #[test]
        fn a_named_data_line_reads_the_same_without_the_json_parser(
            file in any::<u32>(),
            name in any::<u32>(),
            line in any::<u32>(),
            value in "[0-9.,万元人户\"\\\\ ]{0,8}",
        ) {
            let written = format!("[{file},{name},{line},{}]", serde_json::to_string(&value).unwrap());
            let parsed: Item<'_> = serde_json::from_slice(written.as_bytes()).unwrap();
            prop_assert_eq!(&parsed, &Item::Named { file, name, line, value: Cow::Owned(value.clone()) });
            match Item::quick(written.as_bytes()) {
                Some(quick) => prop_assert_eq!(quick, parsed),
                None => prop_assert!(written.contains('\\'), "{}", written),
            }
        }
    }

    /// The quick reading takes what `u32` parses and nothing else: leading zeros, the
    /// largest number, but no number past it, no empty number, no sign, no line cut short.
    #[test]
    fn a_line_quick_read_has_u32_numbers_and_whole_texts() {
        let named = |file, name, line, value| Item::Named {
            file,
            name,
            line,
            value: Cow::Borrowed(value),
        };
        fn read(line: &str) -> Option<Item<'_>> {
            Item::quick(line.as_bytes())
        }
        assert_eq!(read(r#"[007,1,2,"52户"]"#), Some(named(7, 1, 2, "52户")));
        assert_eq!(
            read(r#"[4294967295,0,1,"横溪村"]"#),
            Some(named(u32::MAX, 0, 1, "横溪村"))
        );
        for line in [
            r#"[4294967296,0,1,"52户"]"#,
            r#"[,0,1,"52户"]"#,
            r#"[+3,0,1,"52户"]"#,
            r#"[3,0,1,"52户""#,
            r#"[3,0,1,"52户"] "#,
            r#"[3,0,1,"52户",]"#,
            r#"[3,"x",1,"52户"]"#,
        ] {
            assert_eq!(read(line), None, "{line}");
        }
        let mut invalid = br#"[3,0,1,"52"]"#.to_vec();
        invalid.insert(9, 0xFF);
        assert_eq!(Item::quick(&invalid), None);
    }

    /// The quick check of an unchanged figure's line says "the same" only where reading the
    /// line whole says so too, and says it for the lines huibao writes.
    #[test]
    fn a_line_is_told_unchanged_only_when_read_whole_it_is() {
        let head = Head {
            files: vec![("data/a.yaml".into(), "甲村".into())],
            names: vec![("x".into(), "户数".into()), ("y.z".into(), "人数".into())],
            ..Head::default()
        };
        let lines = [
            r#"[0,0,1,"52户"]"#,
            r#"  [0,0,1,"52户"],"#,
            r#"[00,1,2,"5,2户"]"#,
            r#"[0,0,1,"a\b"]"#,
            r#"[0,0,1,"a"b"]"#,
            r#"[0,2,1,"52户"]"#,
            r#"[1,0,1,"52户"]"#,
            r#"[0,0,x,"52户"]"#,
            r#"[0,"x",1,0,"52户"]"#,
        ];
        let key = |inside| Key::Data("data/a.yaml", inside);
        let candidates = [
            (key("x"), "52户"),
            (key("y.z"), "5,2户"),
            (key("x"), r"a\b"),
            (key("x"), r"a"),
            (key("x"), r#"a"b"#),
            (key("x"), r#"a"b"#),
            (key("y.z"), "52户"),
            (Key::Computed("sum(data/a.yaml#x)"), "52户"),
        ];
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("figures.json");
        std::fs::write(&file, lines.map(|l| format!("{l}\n")).concat()).unwrap();
        let mut read = FigureLines::new(BufReader::new(std::fs::File::open(&file).unwrap()));
        let mut told = Vec::new();
        for line in lines {
            assert_eq!(read.next_figure(), Some(true), "{line}");
            let whole = read.item().and_then(|item| {
                let (key, value) = item.key_and_value(&head)?;
                Some((format!("{key}"), value.into_owned()))
            });
            for (key, value) in candidates {
                let quick = read.is_named(&head, key, value);
                if quick {
                    told.push((line, value));
                    assert_eq!(whole, Some((format!("{key}"), value.to_string())), "{line}");
                }
            }
        }
        assert_eq!(
            told,
            [(lines[0], "52户"), (lines[1], "52户"), (lines[2], "5,2户")]
        );
    }

    /// A figure of version 2 and the same figure of version 3 are one figure: the same key,
    /// value, name and source, each read through its own head's tables.
    #[test]
    fn a_figure_of_either_version_is_the_same_figure() {
        let files = vec![("data/a.yaml".to_string(), "甲村".to_string())];
        let old = Head {
            files: files.clone(),
            labels: vec!["x".into(), "户数".into()],
            ..Head::default()
        };
        let new = Head {
            files,
            names: vec![
                ("y".into(), "x".into()),
                ("households".into(), "户数".into()),
            ],
            ..Head::default()
        };
        fn read(line: &str) -> Item<'_> {
            Item::quick(line.as_bytes()).expect(line)
        }
        let (v2, v3) = (
            read(r#"[0,"households",4,1,"52户"]"#),
            read(r#"[0,1,4,"52户"]"#),
        );
        assert_eq!(v2.key_and_value(&old), v3.key_and_value(&new));
        let (key, value) = v3.key_and_value(&new).unwrap();
        assert_eq!(
            (key.to_string(), value.as_ref()),
            ("data/a.yaml#households".into(), "52户")
        );
        assert_eq!(v2.what_and_src(&old), v3.what_and_src(&new));
        assert_eq!(
            v3.what_and_src(&new),
            ("甲村 户数".to_string(), "data/a.yaml:4".to_string())
        );
        // A name the head does not have is no figure.
        assert_eq!(read(r#"[0,2,4,"52户"]"#).key_and_value(&new), None);
    }

    #[test]
    fn lines_not_of_a_data_figure_are_left_to_the_json_parser() {
        for line in [
            "[\"sum(x)\",\"合计\",\"a\",\"3人\"]",
            "[1,\"a\",2,3]",
            "[1,\"a\",2,3,\"x\",4]",
            "[1,2,3]",
            "[1,2,3,4]",
            "[1,2,3,\"x\",4]",
            "[1,2,-3,\"x\"]",
            "[1,\"a\",-2,3,\"x\"]",
            "[1,\"a\\\"b\",2,3,\"x\"]",
            "[1\"a\",2,3,\"x\"]",
        ] {
            assert!(Item::quick(line.as_bytes()).is_none(), "{line}");
        }
    }

    /// Texts with escapes (read as copies, not borrowed) and a file saved with Windows line
    /// ends (a shared folder's editor) compare as any other.
    #[test]
    fn escaped_texts_and_crlf_lines_are_read() {
        let with_escapes = |data: &str, computed: &str| {
            let mut m = manifest(&[vec![]], &[]);
            let mut figures = PageFigures::default();
            figures.push_data(Ref { file: 0, value: 0 }, data);
            figures.push_computed(Computed {
                key: "sum(\"引号\"\\x)".into(),
                what: "合计\t\"甲\"".into(),
                src: "a\\b".into(),
                value: computed.into(),
            });
            m.pages[0].figures = Arc::new(figures);
            m
        };
        let old = with_escapes("1\"人", "2人");
        let new = with_escapes("3人", "4\\人");
        let dir = tempfile::tempdir().unwrap();
        let crlf = String::from_utf8(old.to_bytes())
            .unwrap()
            .replace('\n', "\r\n");
        std::fs::write(dir.path().join(FILE), crlf).unwrap();
        let compared = Published::read(dir.path()).unwrap().compare(&new).unwrap();
        assert_eq!(compared.changes, diff(&old, &new));
        assert_eq!(compared.changes.len(), 2);
    }

    /// The comparison reads the layout huibao writes (one figure a line): the same JSON
    /// reformatted is not compared with (the build says so and writes a new file).
    #[test]
    fn a_manifest_in_another_layout_is_not_compared_with() {
        let m = manifest(&[vec![(0, 0, "1人".into())]], &[]);
        let value: serde_json::Value = serde_json::from_slice(&m.to_bytes()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), value.to_string()).unwrap();
        let published = Published::read(dir.path()).expect("the head reads as JSON");
        assert!(published.compare(&m).is_none());
        std::fs::write(dir.path().join(FILE), m.to_bytes()).unwrap();
        let published = Published::read(dir.path()).unwrap();
        assert!(published.compare(&m).unwrap().changes.is_empty());
    }

    proptest! {
        /// A rebuild's figures in the published order, some values changed (a figure printed
        /// twice changed in one place or both): compared in order, as by key.
        #[test]
        fn figures_in_the_same_order_compare_in_order_as_by_key(
            old in figures(),
            changed in prop::collection::vec(any::<bool>(), 0..24),
        ) {
            let mut figures = old.clone();
            let mut flags = changed.iter().copied().chain(std::iter::repeat(false));
            for figure in figures.iter_mut().flatten() {
                if flags.next() == Some(true) {
                    figure.2.push('0');
                }
            }
            let old = manifest(&old, &[(1, "7人")]);
            let new = manifest(&figures, &[]);
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(FILE), old.to_bytes()).unwrap();
            let published = Published::read(dir.path()).unwrap();
            let in_order = published.compare_in_order(&new).unwrap();
            let in_order = in_order.expect("the same figures in the same order");
            prop_assert_eq!(&in_order.changes, &diff(&old, &new));
            prop_assert_eq!(&in_order.pending, &old.pending);
            let by_key = published.compare_by_key(&new).unwrap();
            prop_assert_eq!(in_order.changes, by_key.changes);
        }
    }

    /// A figure more, one fewer or two swapped: not in order, compared by key.
    #[test]
    fn figures_out_of_order_are_compared_by_key() {
        let figures = vec![vec![(0, 0, "1人".to_string()), (1, 1, "2人".to_string())]];
        let old = manifest(&figures, &[]);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), old.to_bytes()).unwrap();
        let published = Published::read(dir.path()).unwrap();
        let mut more = figures.clone();
        more[0].push((2, 0, "3人".into()));
        let mut swapped = figures.clone();
        swapped[0].swap(0, 1);
        for new in [more, vec![figures[0][..1].to_vec()], swapped] {
            let new = manifest(&new, &[]);
            assert!(published.compare_in_order(&new).unwrap().is_none());
            assert_eq!(published.compare(&new).unwrap().changes, diff(&old, &new));
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

//! Provenance: where every printed figure comes from.
//!
//! Figures reach templates as decimal text (see `render::context`). Each number of a data
//! file is wrapped there in invisible markers that carry a reference to its source:
//! `OPEN payload SEP text CLOSE`, three Unicode private-use characters that report text never
//! holds. The figure helpers (`fig`, `sum`, `rate` …) read the markers, compute, and wrap
//! their result with the origin of its inputs. Once a page's Markdown is parsed, each marked
//! figure becomes `<span data-src="…">text</span>` and is recorded for the
//! figures manifest (see `manifest`); inside an HTML tag a marker becomes its text, or its
//! source when its text is empty, so attribute values stay plain. Nothing else in the page
//! ever shows a marker: what is left is stripped before a page is written.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::intern::{Name, Table};

/// Starts a marked figure; its payload follows.
pub const OPEN: char = '\u{E000}';
/// Ends the payload; the figure's text follows.
pub const SEP: char = '\u{E001}';
/// Ends a marked figure.
pub const CLOSE: char = '\u{E002}';

/// A number's place in the data: the file's index in the data and the value's index
/// among the numbers of that file, in document order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ref {
    /// Index of the file in `Data::files`.
    pub file: u32,
    /// Index of the number in the file, in document order.
    pub value: u32,
}

/// Where a figure comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// One value of a data file.
    Data(Ref),
    /// Computed by a helper (`sum`, `sub`, `mul`, `div`, `rate`) from data values. Inputs
    /// alike (the same field of every file of a folder, of every item of a list) are kept
    /// as one representative and how many there were.
    Computed {
        /// The helper's name.
        op: String,
        /// (representative, count), in the order first met.
        inputs: Vec<(Ref, u32)>,
    },
}

/// The payload of [`Origin::Data`]: `d3.7` (file 3, value 7).
struct DataPayload(Ref);

impl DataPayload {
    /// Appends `d3.7` to `out`.
    fn push_to(&self, out: &mut String) {
        let mut digits = itoa::Buffer::new();
        out.push('d');
        out.push_str(digits.format(self.0.file));
        out.push('.');
        out.push_str(digits.format(self.0.value));
    }
}

impl Origin {
    /// The payload carried between the markers: `d3.7`, or `csum:3.7x17,0.2`. Only letters,
    /// digits, `.`, `,` and `:`, which Markdown leaves alone (a `*` would start emphasis).
    pub fn encode(&self) -> String {
        match self {
            Origin::Data(r) => {
                let mut payload = String::new();
                DataPayload(*r).push_to(&mut payload);
                payload
            }
            Origin::Computed { op, inputs } => {
                let parts: Vec<String> = inputs
                    .iter()
                    .map(|(r, n)| {
                        if *n == 1 {
                            format!("{}.{}", r.file, r.value)
                        } else {
                            format!("{}.{}x{n}", r.file, r.value)
                        }
                    })
                    .collect();
                format!("c{op}:{}", parts.join(","))
            }
        }
    }

    /// Reads a payload written by [`Origin::encode`].
    pub fn decode(payload: &str) -> Option<Origin> {
        fn reference(text: &str) -> Option<Ref> {
            let (file, value) = split_at_byte(text, b'.')?;
            Some(Ref {
                file: file.parse().ok()?,
                value: value.parse().ok()?,
            })
        }
        if let Some(rest) = payload.strip_prefix('d') {
            // `d3.7l12`: what follows `l` only makes the payload change with the line.
            let rest = split_at_byte(rest, b'l').map_or(rest, |(r, _)| r);
            return reference(rest).map(Origin::Data);
        }
        let rest = payload.strip_prefix('c')?;
        let (op, list) = split_at_byte(rest, b':')?;
        let mut inputs = Vec::new();
        for part in list.split(',').filter(|p| !p.is_empty()) {
            let (r, n) = match split_at_byte(part, b'x') {
                Some((r, n)) => (r, n.parse().ok()?),
                None => (part, 1),
            };
            inputs.push((reference(r)?, n));
        }
        Some(Origin::Computed {
            op: op.to_string(),
            inputs,
        })
    }
}

/// `text` wrapped with the origin `payload`.
pub fn mark(payload: &str, text: &str) -> String {
    mark_with(payload, text.len(), |out| out.push_str(text))
}

/// [`mark`] of the text `push_text` writes (about `text_len` bytes): made in one piece.
pub fn mark_with(payload: &str, text_len: usize, push_text: impl FnOnce(&mut String)) -> String {
    let mut out = String::with_capacity(payload.len() + text_len + 9);
    out.push(OPEN);
    out.push_str(payload);
    out.push(SEP);
    push_text(&mut out);
    out.push(CLOSE);
    out
}

/// `text` wrapped with the origin of value `r` of a data file, at `line` of it: the payload
/// [`Origin::Data`] encodes, with the line after an `l` (ignored when read back). The same
/// as [`mark`] of that payload, made in one piece (a village's every number is marked).
pub fn mark_data(r: Ref, line: u32, number: &rust_decimal::Decimal) -> String {
    // Pieces pushed one by one: the formatting machinery took a twentieth of a build.
    let mut out = String::with_capacity(40);
    out.push(OPEN);
    DataPayload(r).push_to(&mut out);
    out.push('l');
    out.push_str(itoa::Buffer::new().format(line));
    out.push(SEP);
    out.push_str(&crate::figure::decimal_text(number, &mut [0; 64]));
    out.push(CLOSE);
    out
}

/// `(payload, text)` when `value` is exactly one marked figure.
pub fn unmark(value: &str) -> Option<(&str, &str)> {
    let rest = value.strip_prefix(OPEN)?.strip_suffix(CLOSE)?;
    let at = find_marker(rest, SEP)?;
    let (payload, text) = (&rest[..at], &rest[at + SEP.len_utf8()..]);
    (!has_markers(text)).then_some((payload, text))
}

/// Whether `text` holds a marker, in one pass over its bytes: the three markers are
/// `EE 80 80`–`EE 80 82` in UTF-8, and `EE` starts no character of Chinese text (only the
/// private-use area), so a page is searched for one byte.
pub fn has_markers(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(0xEE, bytes).any(|at| {
        bytes.get(at + 1) == Some(&0x80) && matches!(bytes.get(at + 2), Some(0x80..=0x82))
    })
}

/// `text` split around the first `byte` (ASCII), as `str::split_once` with a `char` but
/// without its searcher's setup: payloads are a dozen bytes, read a million times a build.
fn split_at_byte(text: &str, byte: u8) -> Option<(&str, &str)> {
    debug_assert!(byte.is_ascii());
    let at = text.bytes().position(|b| b == byte)?;
    Some((&text[..at], &text[at + 1..]))
}

/// Where `marker` first is in `text`, found by its first byte (`EE` for the three markers,
/// which no character of Chinese text starts with: `str::find` looks for the last byte,
/// `80`, which half the characters of a Chinese page hold).
pub fn find_marker(text: &str, marker: char) -> Option<usize> {
    let mut buffer = [0u8; 4];
    let code = marker.encode_utf8(&mut buffer).as_bytes();
    let bytes = text.as_bytes();
    memchr::memchr_iter(code[0], bytes).find(|&at| bytes[at..].starts_with(code))
}

/// `text` without markers: each marked figure reduced to its text.
pub fn strip(text: &str) -> Cow<'_, str> {
    if !has_markers(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for piece in pieces(text) {
        match piece {
            Piece::Plain(plain) => out.push_str(plain),
            Piece::Figure { text, .. } => out.push_str(text),
        }
    }
    Cow::Owned(out)
}

/// A run of text: plain, or one marked figure.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'t> {
    /// Text without markers.
    Plain(&'t str),
    /// A marked figure.
    Figure {
        /// Its origin, encoded.
        payload: &'t str,
        /// Its text.
        text: &'t str,
    },
}

/// Splits `text` into plain runs and marked figures. A stray marker (never written by
/// huibao, but a template could cut a value apart) is dropped.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    // Room for a plain run before each figure and one after the last (each marker starts
    // with the byte 0xEE, a figure has three): made once, not grown figure by figure.
    let markers = memchr::memchr_iter(0xEE, text.as_bytes()).count();
    let mut out = Vec::with_capacity(markers / 3 * 2 + 1);
    let mut rest = text;
    while let Some(start) = find_marker(rest, OPEN) {
        let plain = &rest[..start];
        let after = &rest[start + OPEN.len_utf8()..];
        let parsed = find_marker(after, SEP).and_then(|sep| {
            let payload = &after[..sep];
            let tail = &after[sep + SEP.len_utf8()..];
            let close = find_marker(tail, CLOSE)?;
            let inner = &tail[..close];
            (!payload.contains([OPEN, CLOSE]) && !inner.contains([OPEN, SEP]))
                .then(|| (payload, inner, &tail[close + CLOSE.len_utf8()..]))
        });
        push_plain(&mut out, plain);
        match parsed {
            Some((payload, inner, tail)) => {
                out.push(Piece::Figure {
                    payload,
                    text: inner,
                });
                rest = tail;
            }
            None => rest = after,
        }
    }
    push_plain(&mut out, rest);
    out
}

/// Pushes a plain run, dropping stray markers.
fn push_plain<'t>(out: &mut Vec<Piece<'t>>, plain: &'t str) {
    if plain.is_empty() {
        return;
    }
    if has_markers(plain) {
        for part in plain.split([OPEN, SEP, CLOSE]).filter(|p| !p.is_empty()) {
            out.push(Piece::Plain(part));
        }
    } else {
        out.push(Piece::Plain(plain));
    }
}

/// Everything known about the numbers of the data: per file, where each one is and what it
/// is called. Built with the template context, in the same order.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// The data files, in the order of the data (each shared: the preview's next build
    /// replaces only the files that changed).
    pub files: Vec<std::sync::Arc<SourceFile>>,
}

/// The numbers of one data file.
#[derive(Clone, Debug, Default)]
pub struct SourceFile {
    /// `data/villages/hengxi.yaml`.
    pub path: String,
    /// `data/villages/*.yaml` for a file in a folder; else its path.
    pub pattern: String,
    /// What the file is, for people: the record's name (横溪村) or the schema's label (健康扶贫).
    pub title: String,
    /// What the files of its pattern are, for people: `村委会` (the schema's label).
    pub group: String,
    /// Its numbers, in document order: shared by the files whose numbers have the same
    /// lines, keys and names (the villages of a folder written from one form: 58 MB at
    /// 100,000 villages, held once).
    pub values: std::sync::Arc<[SourceValue]>,
}

/// One number of a data file: its line and what it is (8 bytes: a site of 100,000 villages
/// has ten million).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SourceValue {
    /// 1-based line.
    pub line: u32,
    /// Its key and name: their number in [`VALUE_NAMES`].
    name: u32,
}

impl Default for SourceValue {
    /// No line, and no key nor name (a number [`VALUE_NAMES`] never hands out).
    fn default() -> Self {
        SourceValue {
            line: 0,
            name: u32::MAX,
        }
    }
}

/// Every number's key and name, kept once for the process.
static VALUE_NAMES: Table<(Name, Name)> = Table::new();

impl SourceValue {
    /// The number at `line` whose key path in its file is `key` (`hospital.hospitalisations`,
    /// `exits.3.people`) and whose name from the schema's labels is `label` (`贫困人口住院
    /// 住院人次`). The key and name are kept once for every file with them.
    pub fn new(line: u32, key: &str, label: &str) -> SourceValue {
        thread_local! {
            static KNOWN: std::cell::RefCell<rustc_hash::FxHashMap<(Name, Name), u32>> =
                Default::default();
        }
        let pair = (Name::new(key), Name::new(label));
        let name =
            KNOWN.with_borrow_mut(|known| VALUE_NAMES.number_remembered(known, &pair, || pair));
        SourceValue { line, name }
    }

    /// Its key path in the file: `hospital.hospitalisations`.
    pub fn key(&self) -> &'static str {
        VALUE_NAMES
            .get(self.name)
            .map_or("", |(key, _)| key.as_str())
    }

    /// The number of its key and name together: values with the same number have the
    /// same [`key`](Self::key) and [`label`](Self::label).
    pub fn names_number(&self) -> u32 {
        self.name
    }

    /// Its name from the schema's labels: `贫困人口住院 住院人次`.
    pub fn label(&self) -> &'static str {
        VALUE_NAMES
            .get(self.name)
            .map_or("", |(_, label)| label.as_str())
    }
}

// Ten million of them at 100,000 villages.
const _: () = assert!(std::mem::size_of::<SourceValue>() == 8);

/// The stable key of one value of a data file: `data/policies/health.yaml#hospital.visits`.
pub fn data_key(file: &SourceFile, value: &SourceValue) -> String {
    [&file.path, "#", value.key()].concat()
}

/// Where one value of a data file is: `data/policies/health.yaml:5`.
pub fn data_src(file: &SourceFile, value: &SourceValue) -> String {
    data_src_parts(file, value, &mut itoa::Buffer::new()).concat()
}

/// [`data_src`] in its parts (path, `:`, line; the line's digits made in `digits`), for a
/// page that writes them escaped without making the string.
pub fn data_src_parts<'a>(
    file: &'a SourceFile,
    value: &SourceValue,
    digits: &'a mut itoa::Buffer,
) -> [&'a str; 3] {
    [&file.path, ":", digits.format(value.line)]
}

/// What a figure's origin comes to, for the page and the manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Described {
    /// A stable key of the figure: `data/policies/health.yaml#hospital.hospitalisations`,
    /// or for a computed figure the helper and its inputs' keys.
    pub key: String,
    /// What the figure is, for people: `健康扶贫 贫困人口住院 住院人次`.
    pub what: String,
    /// Where it comes from: `data/policies/health.yaml:5`, or how it was computed.
    pub src: String,
    /// Whether it is one value of a data file (not computed).
    pub direct: bool,
    /// For one value of a data file, what the file is (the start of `what`).
    pub file_title: String,
}

/// The most inputs a computed figure's description names one by one.
const MAX_NAMED_INPUTS: usize = 6;

impl Sources {
    /// The value `r` refers to.
    pub fn value(&self, r: Ref) -> Option<(&SourceFile, &SourceValue)> {
        let file = self.files.get(r.file as usize)?;
        Some((file, file.values.get(r.value as usize)?))
    }

    /// Whether two values are alike: the same field in files of one folder, or in the items
    /// of one list (`exits.0.people`, `exits.1.people`).
    fn group_of(&self, r: Ref) -> Option<(&str, String)> {
        let (file, value) = self.value(r)?;
        Some((file.pattern.as_str(), general_key(value.key())))
    }

    /// The origin of a figure computed by `op` from figures of `inputs` origins.
    pub fn computed<'o>(&self, op: &str, inputs: impl IntoIterator<Item = &'o Origin>) -> Origin {
        let mut flat: Vec<(Ref, u32)> = Vec::new();
        for origin in inputs {
            match origin {
                Origin::Data(r) => flat.push((*r, 1)),
                Origin::Computed { inputs, .. } => flat.extend(inputs.iter().copied()),
            }
        }
        // Alike inputs become one group: (representative, count).
        let mut groups: Vec<(Ref, u32)> = Vec::new();
        let mut index: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut seen = std::collections::HashSet::new();
        for (r, n) in flat {
            if n == 1 && !seen.insert(r) {
                continue;
            }
            match self.group_of(r) {
                Some((pattern, key)) => {
                    let slot = (pattern.to_string(), key);
                    match index.get(&slot) {
                        Some(&i) => groups[i].1 += n,
                        None => {
                            index.insert(slot, groups.len());
                            groups.push((r, n));
                        }
                    }
                }
                None => groups.push((r, n)),
            }
        }
        Origin::Computed {
            op: op.to_string(),
            inputs: groups,
        }
    }

    /// Where `origin` comes from ([`Described::src`]), made alone for a value of a data file
    /// (most figures) rather than with the rest of its description.
    pub fn src(&self, origin: &Origin) -> String {
        match origin {
            Origin::Data(r) => self
                .value(*r)
                .map(|(file, value)| data_src(file, value))
                .unwrap_or_default(),
            Origin::Computed { .. } => self.describe(origin).src,
        }
    }

    /// What `origin` comes to: key, name and source, in Chinese. (Made piece by piece, not
    /// through `format!`: a page's computed figures are described as it is rendered.)
    pub fn describe(&self, origin: &Origin) -> Described {
        match origin {
            Origin::Data(r) => match self.value(*r) {
                Some((file, value)) => Described {
                    key: data_key(file, value),
                    what: title_and_label(&file.title, value.label()),
                    src: data_src(file, value),
                    direct: true,
                    file_title: file.title.clone(),
                },
                None => Described {
                    key: String::new(),
                    what: String::new(),
                    src: String::new(),
                    direct: true,
                    file_title: String::new(),
                },
            },
            Origin::Computed { op, inputs } => {
                let mut keys = Vec::new();
                let mut whats = Vec::new();
                // Single inputs of one file are named together: `data/a.yaml:6、7、9`.
                let mut srcs: Vec<(String, Vec<u32>)> = Vec::new();
                for (r, n) in inputs {
                    let Some((file, value)) = self.value(*r) else {
                        continue;
                    };
                    if *n == 1 {
                        keys.push(data_key(file, value));
                        whats.push(title_and_label(&file.title, value.label()));
                        match srcs
                            .iter_mut()
                            .find(|(path, lines)| *path == file.path && !lines.is_empty())
                        {
                            Some((_, lines)) => lines.push(value.line),
                            None => srcs.push((file.path.clone(), vec![value.line])),
                        }
                    } else {
                        let key = general_key(value.key());
                        keys.push(format!("{}#{key}", file.pattern));
                        let label = general_label(value.label());
                        let whole = if file.pattern == file.path {
                            file.title.clone()
                        } else {
                            format!("各{}", file.group)
                        };
                        whats.push(format!("{whole} {label}").trim().to_string());
                        srcs.push((format!("{} 的 {key}（{n} 项）", file.pattern), Vec::new()));
                    }
                }
                let srcs: Vec<String> = srcs
                    .into_iter()
                    .map(|(mut path, lines)| {
                        // `path:6、7、9`.
                        for (i, line) in lines.iter().enumerate() {
                            path.push_str(if i == 0 { ":" } else { "、" });
                            path.push_str(itoa::Buffer::new().format(*line));
                        }
                        path
                    })
                    .collect();
                let name = op_name(op);
                // The items joined by `sep`; past the first few, how many there are.
                let push_listed = |out: &mut String, items: &[String], sep: &str| {
                    out.push_str(&items[..items.len().min(MAX_NAMED_INPUTS)].join(sep));
                    if items.len() > MAX_NAMED_INPUTS {
                        out.push_str(sep);
                        out.push_str("…等 ");
                        out.push_str(itoa::Buffer::new().format(items.len()));
                        out.push_str(" 项");
                    }
                };
                let key = [op, "(", &keys.join(","), ")"].concat();
                let mut what = String::with_capacity(64);
                what.push_str(name);
                what.push('（');
                push_listed(&mut what, &whats, "、");
                what.push('）');
                let mut src = String::with_capacity(64);
                src.push_str(name);
                src.push('：');
                push_listed(&mut src, &srcs, "；");
                Described {
                    key,
                    what,
                    src,
                    direct: false,
                    file_title: String::new(),
                }
            }
        }
    }
}

/// `title label`, trimmed (either may be empty): what a value of a data file is called.
fn title_and_label(title: &str, label: &str) -> String {
    let what = [title, " ", label].concat();
    match what.trim() {
        trimmed if trimmed.len() == what.len() => what,
        trimmed => trimmed.to_string(),
    }
}

/// A helper's name in Chinese.
fn op_name(op: &str) -> &str {
    match op {
        "sum" => "合计",
        "sub" => "差",
        "mul" => "乘积",
        "div" => "商",
        "rate" => "比例",
        other => other,
    }
}

/// `exits[year=2015].people` (or `exits[3].people`) → `exits[*].people`.
pub fn general_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut depth = 0;
    for c in key.chars() {
        match c {
            '[' => {
                if depth == 0 {
                    out.push_str("[*]");
                }
                depth += 1;
            }
            ']' => depth -= 1,
            _ if depth > 0 => {}
            c => out.push(c),
        }
    }
    out
}

/// A value's key in its file as steps: `exits[year=2015].people` →
/// `[Field("exits"), Item("year=2015"), Field("people")]`. Dots inside `[…]` are kept.
pub fn key_steps(key: &str) -> Vec<KeyStep<'_>> {
    let mut steps = Vec::new();
    let mut start = 0;
    let mut depth = 0;
    for (i, c) in key.char_indices() {
        match c {
            '[' => {
                if depth == 0 && start < i {
                    steps.push(KeyStep::Field(&key[start..i]));
                }
                if depth == 0 {
                    start = i + 1;
                }
                depth += 1;
            }
            ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    steps.push(KeyStep::Item(&key[start..i]));
                    start = i + 1;
                }
            }
            '.' if depth == 0 => {
                if start < i {
                    steps.push(KeyStep::Field(&key[start..i]));
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < key.len() {
        steps.push(KeyStep::Field(&key[start..]));
    }
    steps
}

/// One step of a value's key.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyStep<'k> {
    /// A field of a mapping.
    Field(&'k str),
    /// An item of a list: `field=value` (by its unique field) or its index.
    Item(&'k str),
}

/// A label without the item it names: `历年脱贫 [2017] 人数` → `历年脱贫 人数`.
fn general_label(label: &str) -> String {
    label
        .split(' ')
        .filter(|part| !(part.starts_with('[') && part.ends_with(']')))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn sources() -> Sources {
        let village = |id: &str, name: &str| SourceFile {
            path: format!("data/villages/{id}.yaml"),
            pattern: "data/villages/*.yaml".into(),
            title: name.into(),
            group: "村委会".into(),
            values: Arc::from([SourceValue::new(
                4,
                "registered.households",
                "建档立卡 户数",
            )]),
        };
        Sources {
            files: [
                SourceFile {
                    path: "data/township.yaml".into(),
                    pattern: "data/township.yaml".into(),
                    title: "乡基本情况".into(),
                    group: "乡基本情况".into(),
                    values: Arc::from([SourceValue::new(9, "population", "总人口")]),
                },
                village("a", "甲村"),
                village("b", "乙村"),
                village("c", "丙村"),
            ]
            .into_iter()
            .map(std::sync::Arc::new)
            .collect(),
        }
    }

    #[test]
    fn a_value_reads_back_its_key_and_name_and_a_default_one_none() {
        let value = SourceValue::new(9, "registered.households", "建档立卡 户数");
        let same = SourceValue::new(12, "registered.households", "建档立卡 户数");
        assert_eq!(
            (value.key(), value.label()),
            ("registered.households", "建档立卡 户数")
        );
        assert_eq!(value.name, same.name);
        assert_ne!(
            SourceValue::new(9, "registered.households", "户数").name,
            value.name
        );
        let none = SourceValue::default();
        assert_eq!((none.line, none.key(), none.label()), (0, "", ""));
    }

    #[test]
    fn a_data_value_is_marked_as_its_encoded_origin() {
        let r = Ref { file: 12, value: 7 };
        let d: rust_decimal::Decimal = "81.76875".parse().unwrap();
        let marked = mark_data(r, 40, &d);
        assert_eq!(
            marked,
            mark(&format!("{}l40", Origin::Data(r).encode()), "81.76875")
        );
        let (payload, text) = unmark(&marked).unwrap();
        assert_eq!(
            (Origin::decode(payload), text),
            (Some(Origin::Data(r)), "81.76875")
        );
    }

    #[test]
    fn markers_are_found_by_their_bytes() {
        for marker in [OPEN, SEP, CLOSE] {
            assert!(has_markers(&format!("横溪村{marker}")));
        }
        // Other private-use characters (EE 80 83, EE 81 80) and Chinese text are not markers.
        assert!(!has_markers("横溪村\u{E003}\u{E040}1094.52 万元"));
        assert!(!has_markers("\u{EE}")); // 'î' is C3 AE: no EE byte at all
        assert!(!has_markers(""));
        let text = format!("一{OPEN}d1.2{SEP}3{CLOSE}");
        assert_eq!(find_marker(&text, OPEN), Some(3));
        assert_eq!(find_marker(&text, CLOSE), Some(text.len() - 3));
        assert_eq!(find_marker("一二三", OPEN), None);
        assert_eq!(strip("a\u{E003}b"), "a\u{E003}b");
        assert_eq!(strip(&format!("共{}户", mark("d:0:4", "844"))), "共844户");
    }

    #[test]
    fn keys_of_list_items() {
        assert_eq!(general_key("exits[year=2015].people"), "exits[*].people");
        assert_eq!(general_key("a[0][1].b"), "a[*][*].b");
        assert_eq!(
            key_steps("exits[year=2015].people"),
            [
                KeyStep::Field("exits"),
                KeyStep::Item("year=2015"),
                KeyStep::Field("people")
            ]
        );
        assert_eq!(
            key_steps("causes[cause=其他（因灾.缺资金）].households"),
            [
                KeyStep::Field("causes"),
                KeyStep::Item("cause=其他（因灾.缺资金）"),
                KeyStep::Field("households")
            ]
        );
    }

    #[test]
    fn payloads_round_trip() {
        let data = Origin::Data(Ref { file: 3, value: 17 });
        assert_eq!(Origin::decode(&data.encode()), Some(data.clone()));
        let computed = Origin::Computed {
            op: "rate".into(),
            inputs: vec![
                (Ref { file: 1, value: 0 }, 3),
                (Ref { file: 0, value: 0 }, 1),
            ],
        };
        assert_eq!(computed.encode(), "crate:1.0x3,0.0");
        assert_eq!(Origin::decode(&computed.encode()), Some(computed));
        assert_eq!(Origin::decode("d3.17l42"), Some(data));
        assert_eq!(Origin::decode("x"), None);
        assert_eq!(Origin::decode("d1"), None);
    }

    #[test]
    fn marks_split_and_strip() {
        let text = format!("共{}，占{}。", mark("d0.0", "57000人"), mark("d1.0", "3%"));
        assert_eq!(strip(&text), "共57000人，占3%。");
        assert_eq!(
            pieces(&text),
            vec![
                Piece::Plain("共"),
                Piece::Figure {
                    payload: "d0.0",
                    text: "57000人"
                },
                Piece::Plain("，占"),
                Piece::Figure {
                    payload: "d1.0",
                    text: "3%"
                },
                Piece::Plain("。"),
            ]
        );
        assert_eq!(unmark(&mark("d0.0", "5")), Some(("d0.0", "5")));
        assert_eq!(unmark("5"), None);
        // A value cut apart by a template leaves stray markers: they are dropped.
        let cut = format!("a{OPEN}d0.0b");
        assert_eq!(strip(&cut), "ad0.0b");
    }

    #[test]
    fn alike_inputs_are_grouped_and_described() {
        let s = sources();
        let villages: Vec<Origin> = (1..=3)
            .map(|f| Origin::Data(Ref { file: f, value: 0 }))
            .collect();
        let total = s.computed("sum", villages.iter());
        assert_eq!(total.encode(), "csum:1.0x3");
        let rate = s.computed("rate", [&total, &Origin::Data(Ref { file: 0, value: 0 })]);
        let d = s.describe(&rate);
        assert_eq!(
            d.src,
            "比例：data/villages/*.yaml 的 registered.households（3 项）；data/township.yaml:9"
        );
        assert_eq!(d.what, "比例（各村委会 建档立卡 户数、乡基本情况 总人口）");
        assert!(!d.direct);
        let one = s.describe(&Origin::Data(Ref { file: 2, value: 0 }));
        assert_eq!(one.src, "data/villages/b.yaml:4");
        assert_eq!(one.what, "乙村 建档立卡 户数");
        assert_eq!(one.key, "data/villages/b.yaml#registered.households");
        // The source alone is the description's.
        for origin in [rate, Origin::Data(Ref { file: 2, value: 0 })] {
            assert_eq!(s.src(&origin), s.describe(&origin).src);
        }
        assert_eq!(s.src(&Origin::Data(Ref { file: 9, value: 0 })), "");
    }

    /// Single inputs of one file are named by their lines together; past the first six
    /// inputs, how many there are (the sources alike).
    #[test]
    fn many_inputs_are_named_six_and_counted() {
        let s = sources();
        let data = |file| (Ref { file, value: 0 }, 1);
        let inputs: Vec<(Ref, u32)> = [1, 2, 3, 0, 1, 2, 3, 0].into_iter().map(data).collect();
        let d = s.describe(&Origin::Computed {
            op: "sum".into(),
            inputs,
        });
        assert_eq!(
            d.key,
            "sum(data/villages/a.yaml#registered.households,data/villages/b.yaml#registered.households,\
             data/villages/c.yaml#registered.households,data/township.yaml#population,\
             data/villages/a.yaml#registered.households,data/villages/b.yaml#registered.households,\
             data/villages/c.yaml#registered.households,data/township.yaml#population)"
        );
        assert_eq!(
            d.what,
            "合计（甲村 建档立卡 户数、乙村 建档立卡 户数、丙村 建档立卡 户数、乡基本情况 总人口、\
             甲村 建档立卡 户数、乙村 建档立卡 户数、…等 8 项）"
        );
        // The same file's lines named together: four sources, all named.
        assert_eq!(
            d.src,
            "合计：data/villages/a.yaml:4、4；data/villages/b.yaml:4、4；data/villages/c.yaml:4、4；\
             data/township.yaml:9、9"
        );
        // Seven sources: six named.
        let mut s = s;
        let more: Vec<Arc<SourceFile>> = (0..4)
            .map(|n| {
                let mut file = (*s.files[1]).clone();
                file.path = format!("data/villages/x{n}.yaml");
                file.title = format!("{n}村");
                Arc::new(file)
            })
            .collect();
        s.files.extend(more);
        let inputs: Vec<(Ref, u32)> = (1..8).map(data).collect();
        let d = s.describe(&Origin::Computed {
            op: "rate".into(),
            inputs,
        });
        assert_eq!(
            d.src,
            "比例：data/villages/a.yaml:4；data/villages/b.yaml:4；data/villages/c.yaml:4；\
             data/villages/x0.yaml:4；data/villages/x1.yaml:4；data/villages/x2.yaml:4；…等 7 项"
        );
    }
}

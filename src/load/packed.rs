//! A data file's tree packed into bytes, for the pages of a build: after validation a
//! build keeps every file's values until its last page, but a page reads one village's at a
//! time. Packed, a village of the scale site (`bench/scale_site.py`: 110 values) takes
//! 630 bytes instead of 4.4 KB of nodes, keys and boxes (100,000 villages: 63 MB instead
//! of 416 MiB); a page unpacks the files it reads into trees equal to those loaded, and
//! drops them with its context.
//!
//! The bytes, in the tree's order, every number a [`varint`]:
//! - a node: its line (the difference from the line before, [`varint::zigzag`]ged), its
//!   column, then its value's tag and what follows it;
//! - tags: [`NULL`], [`FALSE`], [`TRUE`]; [`STRING`] then its length and its bytes;
//!   [`LIST`] then how many items and each node; [`MAP`] then how many entries and for each
//!   its key's [`Name`] number, line and column (as a node's), then its node;
//! - a number: its tag says its scale and sign ([`NUMBER`] + 2 × scale + sign), then the low
//!   64 bits of its mantissa; a mantissa wider than 64 bits has [`WIDE`] added to its tag
//!   and its high 32 bits after. `-0` and `1.10` come back as they were written.

use std::path::PathBuf;

use rust_decimal::Decimal;

use super::{DataFile, Key, Node, Value};
use crate::intern::Name;
use crate::varint;

/// Tag of a null.
const NULL: u8 = 0;
/// Tag of `false`.
const FALSE: u8 = 1;
/// Tag of `true`.
const TRUE: u8 = 2;
/// Tag of a string.
const STRING: u8 = 3;
/// Tag of a list.
const LIST: u8 = 4;
/// Tag of a mapping.
const MAP: u8 = 5;
/// Tag of a number of scale 0, positive; up to `NUMBER + 57` (scale 28, negative).
const NUMBER: u8 = 8;
/// Added to a number's tag when its mantissa is wider than 64 bits.
const WIDE: u8 = 64;

/// A data file with its tree packed ([`PackedFile::new`]); [`PackedFile::unpack`] gives it
/// back.
#[derive(Debug)]
pub struct PackedFile {
    /// The file relative to the site folder, as [`DataFile::path`].
    pub path: PathBuf,
    /// Its place in the template context, as [`DataFile::key_path`].
    pub key_path: Vec<String>,
    /// Its tree, packed.
    root: Box<[u8]>,
}

impl PackedFile {
    /// `file` with its tree packed.
    pub fn new(file: &DataFile) -> PackedFile {
        let mut packer = Packer {
            bytes: Vec::with_capacity(1024),
            line: 0,
        };
        packer.node(&file.root);
        PackedFile {
            path: file.path.clone(),
            key_path: file.key_path.clone(),
            // Copied into a block of its own size: shrunk in place (`into_boxed_slice`),
            // a village's ~630 bytes kept the 1 KB block they were written in — 37 MiB
            // more at 100,000 villages, held through every page.
            root: Box::from(packer.bytes.as_slice()),
        }
    }

    /// The record's id: its file name without the extension.
    pub fn id(&self) -> &str {
        super::record_id(&self.key_path)
    }

    /// The file as it was packed; none if its bytes do not read back (they always do: they
    /// were written by [`PackedFile::new`]).
    pub fn unpack(&self) -> Option<DataFile> {
        let mut unpacker = Unpacker {
            bytes: &self.root,
            at: 0,
            line: 0,
        };
        let root = unpacker.node()?;
        (unpacker.at == self.root.len())
            .then(|| DataFile::new(self.path.clone(), self.key_path.clone(), root))
    }

    /// How many bytes its tree takes packed.
    pub fn packed_len(&self) -> usize {
        self.root.len()
    }

    /// The line and column of its top-level mapping, as [`DataFile::root`]'s.
    pub fn root_place(&self) -> Option<(u32, u32)> {
        self.reader().place()
    }

    /// The text of top-level field `key` (as [`Node::get`] on the unpacked tree, then its
    /// string), read from the bytes without unpacking the rest: a generated page's title.
    pub fn top_level_text(&self, key: &str) -> Option<&str> {
        let mut reader = self.reader();
        reader.place()?;
        if reader.tag()? != MAP {
            return None;
        }
        for _ in 0..reader.count()? {
            let name = Name::numbered(u32::try_from(reader.number()?).ok()?)?;
            reader.place()?;
            if *name == *key {
                reader.place()?;
                if reader.tag()? != STRING {
                    return None;
                }
                let len = reader.count()?;
                let text = reader.bytes.get(reader.at..reader.at.checked_add(len)?)?;
                return std::str::from_utf8(text).ok();
            }
            reader.skip()?;
        }
        None
    }

    /// A reader at the start of its bytes.
    fn reader(&self) -> Unpacker<'_> {
        Unpacker {
            bytes: &self.root,
            at: 0,
            line: 0,
        }
    }
}

/// Writes a tree's bytes.
struct Packer {
    bytes: Vec<u8>,
    /// The line of the node or key written last.
    line: u32,
}

impl Packer {
    fn place(&mut self, line: u32, col: u32) {
        let step = i64::from(line) - i64::from(self.line);
        varint::push(&mut self.bytes, varint::zigzag(step));
        varint::push(&mut self.bytes, u64::from(col));
        self.line = line;
    }

    fn node(&mut self, node: &Node) {
        self.place(node.line, node.col);
        match &node.value {
            Value::Null => self.bytes.push(NULL),
            Value::Bool(false) => self.bytes.push(FALSE),
            Value::Bool(true) => self.bytes.push(TRUE),
            Value::String(text) => {
                self.bytes.push(STRING);
                varint::push(&mut self.bytes, text.len() as u64);
                self.bytes.extend_from_slice(text.as_bytes());
            }
            Value::List(items) => {
                self.bytes.push(LIST);
                varint::push(&mut self.bytes, items.len() as u64);
                for item in items {
                    self.node(item);
                }
            }
            Value::Map(entries) => {
                self.bytes.push(MAP);
                varint::push(&mut self.bytes, entries.len() as u64);
                for (key, value) in entries {
                    varint::push(&mut self.bytes, u64::from(key.name.number()));
                    let (line, col) = key.line_col();
                    self.place(line, col);
                    self.node(value);
                }
            }
            Value::Number(number) => self.number(number),
        }
    }

    fn number(&mut self, number: &Decimal) {
        // Flags (scale in the third byte, sign in the top bit of the fourth), then the
        // mantissa's low, middle and high 32 bits.
        let raw = number.serialize();
        let sign = raw[3] >> 7;
        let low = u64::from_le_bytes([
            raw[4], raw[5], raw[6], raw[7], raw[8], raw[9], raw[10], raw[11],
        ]);
        let high = u32::from_le_bytes([raw[12], raw[13], raw[14], raw[15]]);
        let tag = NUMBER + 2 * raw[2] + sign;
        if high == 0 {
            self.bytes.push(tag);
            varint::push(&mut self.bytes, low);
        } else {
            self.bytes.push(tag + WIDE);
            varint::push(&mut self.bytes, low);
            varint::push(&mut self.bytes, u64::from(high));
        }
    }
}

/// Reads a tree's bytes back.
struct Unpacker<'b> {
    bytes: &'b [u8],
    at: usize,
    /// The line of the node or key read last.
    line: u32,
}

impl Unpacker<'_> {
    fn number(&mut self) -> Option<u64> {
        varint::read(self.bytes, &mut self.at)
    }

    /// The next byte: a value's tag.
    fn tag(&mut self) -> Option<u8> {
        let tag = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(tag)
    }

    /// Goes past a node without making it.
    fn skip(&mut self) -> Option<()> {
        self.place()?;
        match self.tag()? {
            NULL | FALSE | TRUE => {}
            STRING => {
                let len = self.count()?;
                self.at = self
                    .at
                    .checked_add(len)
                    .filter(|&end| end <= self.bytes.len())?;
            }
            LIST => {
                for _ in 0..self.count()? {
                    self.skip()?;
                }
            }
            MAP => {
                for _ in 0..self.count()? {
                    self.number()?;
                    self.place()?;
                    self.skip()?;
                }
            }
            tag => {
                let wide = tag.checked_sub(NUMBER)? >= WIDE;
                self.number()?;
                if wide {
                    self.number()?;
                }
            }
        }
        Some(())
    }

    fn count(&mut self) -> Option<usize> {
        usize::try_from(self.number()?).ok()
    }

    fn place(&mut self) -> Option<(u32, u32)> {
        let line = i64::from(self.line) + varint::unzigzag(self.number()?);
        let line = u32::try_from(line).ok()?;
        let col = u32::try_from(self.number()?).ok()?;
        self.line = line;
        Some((line, col))
    }

    fn node(&mut self) -> Option<Node> {
        let (line, col) = self.place()?;
        let tag = *self.bytes.get(self.at)?;
        self.at += 1;
        let value = match tag {
            NULL => Value::Null,
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            STRING => {
                let len = self.count()?;
                let text = self.bytes.get(self.at..self.at.checked_add(len)?)?;
                self.at += len;
                Value::String(std::str::from_utf8(text).ok()?.into())
            }
            LIST => {
                let len = self.count()?;
                // Never more room than the bytes left could fill (a node is 3 bytes at least).
                let mut items = Vec::with_capacity(len.min(self.bytes.len() - self.at));
                for _ in 0..len {
                    items.push(self.node()?);
                }
                Value::List(items.into_boxed_slice())
            }
            MAP => {
                let len = self.count()?;
                let mut entries = Vec::with_capacity(len.min(self.bytes.len() - self.at));
                for _ in 0..len {
                    let name = Name::numbered(u32::try_from(self.number()?).ok()?)?;
                    let (line, col) = self.place()?;
                    entries.push((Key::new(name, line, col), self.node()?));
                }
                Value::Map(entries.into_boxed_slice())
            }
            _ => {
                let (tag, wide) = match tag.checked_sub(NUMBER)? {
                    narrow if narrow < WIDE => (narrow, false),
                    other => (other.checked_sub(WIDE)?, true),
                };
                let (scale, sign) = (tag / 2, tag % 2);
                if u32::from(scale) > Decimal::MAX_SCALE {
                    return None;
                }
                let low = self.number()?.to_le_bytes();
                let high = match wide {
                    true => u32::try_from(self.number()?).ok()?,
                    false => 0,
                }
                .to_le_bytes();
                let raw = [
                    0,
                    0,
                    scale,
                    sign << 7,
                    low[0],
                    low[1],
                    low[2],
                    low[3],
                    low[4],
                    low[5],
                    low[6],
                    low[7],
                    high[0],
                    high[1],
                    high[2],
                    high[3],
                ];
                Value::Number(Decimal::deserialize(raw))
            }
        };
        Some(Node { value, line, col })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn file(text: &str) -> DataFile {
        let root = super::super::yaml::parse(text, Path::new("data/x.yaml")).expect("parses");
        DataFile::new(
            PathBuf::from("data/villages/x.yaml"),
            vec!["villages".into(), "x".into()],
            root,
        )
    }

    #[test]
    fn a_file_unpacks_to_the_tree_it_was_packed_from() {
        let text = "\
name: 横溪村
households: 1376
rate: 95.16
tiny: 0.1
zero: -0.0
neg: -12.50
big: 79228162514264337593543950335
small: 0.0000000000000000000000000001
flag: true
off: false
none: ~
empty:
quoted: \"1,094.52万元\"
exits:
  - year: 2013
    people: [191, 33, {a: 1}]
  - {year: 2014, people: 34}
  - - nested
    - 2
";
        let file = file(text);
        let packed = PackedFile::new(&file);
        let unpacked = packed.unpack().expect("unpacks");
        assert_eq!(unpacked.root, file.root);
        assert_eq!(unpacked.path, file.path);
        assert_eq!(unpacked.key_path, file.key_path);
        assert_eq!(packed.id(), "x");
        // Scale and sign as written: `-0.0` is not `0`, `-12.50` keeps its 0.
        let back = |key: &str| shown(&unpacked.root, key);
        assert_eq!(back("zero"), shown(&file.root, "zero"));
        assert_eq!(back("neg"), "-12.50");
        assert_eq!(back("big"), "79228162514264337593543950335");
        assert_eq!(back("small"), "0.0000000000000000000000000001");
        // Lines and columns of keys and values come back too (compared above through
        // `Key`'s and `Node`'s equality), far ones included.
        let far = Node {
            value: Value::Map(Box::new([(
                Key::new(Name::new("far"), 3_000_000, 5_000),
                Node {
                    value: Value::Null,
                    line: 3_000_000,
                    col: 5_002,
                },
            )])),
            line: 3_000_000,
            col: 5_000,
        };
        let far_file = DataFile::new(PathBuf::from("data/f.yaml"), vec!["f".into()], far);
        let back = PackedFile::new(&far_file).unpack().expect("unpacks");
        assert_eq!(back.root, far_file.root);
    }

    /// The value under `key` of the mapping `root` as text (a number as `Display` writes it).
    fn shown(root: &Node, key: &str) -> String {
        match &root.get(key).expect("key").value {
            Value::Number(d) => d.to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn a_value_of_a_village_packs_into_about_eight_bytes() {
        let mut text = String::from("name: 第00001村\n");
        for i in 0..60 {
            text.push_str(&format!("field_{i}: {}\n", 1000 + i * 37));
        }
        let packed = PackedFile::new(&file(&text));
        // Key, its place, the value's place, tag and digits: 8 bytes (a tree's mapping takes
        // 40 bytes an entry, before its box and its numbers' texts).
        assert!(packed.packed_len() <= 61 * 9, "{}", packed.packed_len());
    }

    /// Any tree: scalars of every kind (numbers of any scale, sign and width, texts of any
    /// characters), lists and mappings nested, at any lines and columns, near and far.
    fn tree() -> impl proptest::strategy::Strategy<Value = Node> {
        use proptest::prelude::*;
        let place = (0u32..3_000_000, 0u32..3_000);
        // Mantissas small (most figures), of 64 bits, and of up to 96 (as a Decimal holds).
        let mantissa = prop_oneof![
            (-1000i128..1000),
            any::<i64>().prop_map(i128::from),
            any::<i128>().prop_map(|m| m % (1i128 << 96)),
        ];
        let number =
            (mantissa, 0u32..=28).prop_map(|(m, scale)| Decimal::from_i128_with_scale(m, scale));
        let scalar = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            number.prop_map(Value::Number),
            ".{0,12}".prop_map(|t: String| Value::String(t.into())),
        ];
        let leaf =
            (scalar, place.clone()).prop_map(|(value, (line, col))| Node { value, line, col });
        leaf.prop_recursive(4, 48, 6, move |inner| {
            let key = ("[a-z_]{1,8}", 0u32..3_000_000, 0u32..3_000);
            prop_oneof![
                (
                    proptest::collection::vec(inner.clone(), 0..6),
                    place.clone()
                )
                    .prop_map(|(items, (line, col))| Node {
                        value: Value::List(items.into()),
                        line,
                        col,
                    }),
                (proptest::collection::vec((key, inner), 0..6), place.clone()).prop_map(
                    |(entries, (line, col))| Node {
                        value: Value::Map(
                            entries
                                .into_iter()
                                .map(|((name, l, c), node)| (
                                    Key::new(Name::new(&name), l, c),
                                    node
                                ))
                                .collect()
                        ),
                        line,
                        col,
                    }
                ),
            ]
        })
    }

    /// A number's text as its `Display` writes it, for every number of a tree in order:
    /// equality of `Decimal`s does not see a scale or the sign of a zero.
    fn numbers_shown(node: &Node, out: &mut Vec<String>) {
        match &node.value {
            Value::Number(d) => out.push(d.to_string()),
            Value::List(items) => items.iter().for_each(|n| numbers_shown(n, out)),
            Value::Map(entries) => entries.iter().for_each(|(_, n)| numbers_shown(n, out)),
            _ => {}
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Any tree unpacks to itself, its numbers written as they were.
        #[test]
        fn any_tree_unpacks_to_itself(root in tree()) {
            let file = DataFile::new(PathBuf::from("data/t.yaml"), vec!["t".into()], root);
            let back = PackedFile::new(&file).unpack().expect("unpacks");
            proptest::prop_assert_eq!(&back.root, &file.root);
            let (mut before, mut after) = (Vec::new(), Vec::new());
            numbers_shown(&file.root, &mut before);
            numbers_shown(&back.root, &mut after);
            proptest::prop_assert_eq!(before, after);
            // Read from the bytes without unpacking: the root's place, and each top-level
            // field's text as the tree has it (every other field skipped over whole).
            let packed = PackedFile::new(&file);
            proptest::prop_assert_eq!(packed.root_place(), Some((file.root.line, file.root.col)));
            let mut names: Vec<String> = match &file.root.value {
                Value::Map(entries) => entries.iter().map(|(k, _)| k.name.to_string()).collect(),
                _ => Vec::new(),
            };
            names.push("none_such".into());
            for name in &names {
                let text = match file.root.get(name).map(|n| &n.value) {
                    Some(Value::String(text)) => Some(&**text),
                    _ => None,
                };
                proptest::prop_assert_eq!(packed.top_level_text(name), text, "{}", name);
            }
        }
    }

    #[test]
    fn bytes_cut_short_or_changed_do_not_unpack() {
        let packed = PackedFile::new(&file("a: 1\nb: [x, 2.5]\n"));
        for end in 0..packed.root.len() {
            let cut = PackedFile {
                root: packed.root[..end].into(),
                path: packed.path.clone(),
                key_path: packed.key_path.clone(),
            };
            assert!(cut.unpack().is_none(), "cut at {end}");
        }
        let mut longer = packed.root.to_vec();
        longer.push(NULL);
        let longer = PackedFile {
            root: longer.into(),
            path: packed.path.clone(),
            key_path: packed.key_path.clone(),
        };
        assert!(longer.unpack().is_none());
    }
}

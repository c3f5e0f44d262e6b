//! A page's figures as the manifest holds them: each a figure of the data (its place in the
//! table of the data's values) or a computed one, with its printed text, packed into bytes.

use super::Key;
use crate::provenance::Ref;
use crate::varint;

/// One figure as a page printed it, read from its page's [`Figures`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure<'f> {
    /// One value of a data file: its place in the manifest's [`Sources`], and the text printed
    /// (`1445人次`).
    Data {
        /// The value in the table.
        at: Ref,
        /// The text printed.
        value: &'f str,
    },
    /// A figure computed from others (or one whose source is not in the table), spelled out.
    Computed(&'f Computed),
}

/// A computed figure in full.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Computed {
    /// A stable key: the helper and its inputs' keys.
    pub key: String,
    /// What it is: `合计（…）`.
    pub what: String,
    /// How it was computed: `合计：data/villages/*.yaml 的 registered.households（17 项）`.
    pub src: String,
    /// The text printed.
    pub value: String,
}

impl<'f> Figure<'f> {
    /// The text printed, e.g. `1445人次`.
    pub fn value(self) -> &'f str {
        match self {
            Figure::Data { value, .. } => value,
            Figure::Computed(c) => &c.value,
        }
    }

    /// Whether it is one value of a data file (not computed). A value of a file with no
    /// title is written spelled out, and read back so: its key still says what it is.
    pub fn direct(self) -> bool {
        match self {
            Figure::Data { .. } => true,
            Figure::Computed(c) => matches!(Key::parse(&c.key), Key::Data(..)),
        }
    }
}

/// The figures of one page, in the order printed, packed: a build keeps every page's until
/// it writes the manifest (ten million at 100,000 villages), so a figure of a data file is
/// its place in the table as the difference from the figure before's and the length of its
/// text — three bytes for most (a village's page prints its own file's values in order) —
/// and its text, in one string with the others'; no allocation of its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// Each figure, one after the other, as [LEB128] numbers: a computed one `0`; a value of
    /// a data file its file's difference from the figure before's ([zig-zag], plus one),
    /// then its value's difference from the one after the figure before's (in the same
    /// file, zig-zag) or its value (in another file), then its text's length in `texts`.
    ///
    /// [LEB128]: https://en.wikipedia.org/wiki/LEB128
    /// [zig-zag]: https://protobuf.dev/programming-guides/encoding/#signed-ints
    pub(super) places: Vec<u8>,
    /// How many figures.
    pub(super) count: u32,
    /// The texts printed of the figures of data files, one after the other.
    pub(super) texts: String,
    /// The computed figures in full, in the order printed.
    pub(super) computed: Vec<Computed>,
    /// The place of the last value of a data file pushed (the next one is written as the
    /// difference), none yet.
    pub(super) last: Option<Ref>,
}

impl Figures {
    /// Adds a value of a data file, printed as `value`.
    pub fn push_data(&mut self, at: Ref, value: &str) {
        let before = self.last.unwrap_or(Ref { file: 0, value: 0 });
        let file_step = i64::from(at.file) - i64::from(before.file);
        varint::push(&mut self.places, varint::zigzag(file_step) + 1);
        match self.last {
            Some(before) if before.file == at.file => {
                let value_step = i64::from(at.value) - (i64::from(before.value) + 1);
                varint::push(&mut self.places, varint::zigzag(value_step));
            }
            _ => varint::push(&mut self.places, u64::from(at.value)),
        }
        varint::push(&mut self.places, value.len() as u64);
        self.texts.push_str(value);
        self.last = Some(at);
        self.count += 1;
    }

    /// Adds a computed figure.
    pub fn push_computed(&mut self, computed: Computed) {
        self.computed.push(computed);
        self.places.push(0);
        self.count += 1;
    }

    /// Adds `figure`.
    pub fn push(&mut self, figure: Figure<'_>) {
        match figure {
            Figure::Data { at, value } => self.push_data(at, value),
            Figure::Computed(c) => self.push_computed(c.clone()),
        }
    }

    /// The figures as kept: no room to spare.
    pub fn shrunk(mut self) -> Figures {
        self.places.shrink_to_fit();
        self.texts.shrink_to_fit();
        self.computed.shrink_to_fit();
        // A computed figure's texts were formatted with room to grow (100,000 village
        // pages have one each).
        for computed in &mut self.computed {
            computed.key.shrink_to_fit();
            computed.what.shrink_to_fit();
            computed.src.shrink_to_fit();
            computed.value.shrink_to_fit();
        }
        self
    }

    /// The figures as bytes, for a scratch file ([`Figures::from_bytes`] reads them back):
    /// each part's length then its bytes, as [`varint`]s where numbers.
    pub fn to_bytes(&self) -> Vec<u8> {
        let computed: usize = self
            .computed
            .iter()
            .map(|c| c.key.len() + c.what.len() + c.src.len() + c.value.len() + 8)
            .sum();
        let mut out = Vec::with_capacity(self.places.len() + self.texts.len() + computed + 24);
        varint::push(&mut out, u64::from(self.count));
        for part in [&self.places[..], self.texts.as_bytes()] {
            varint::push(&mut out, part.len() as u64);
            out.extend_from_slice(part);
        }
        varint::push(&mut out, self.computed.len() as u64);
        for c in &self.computed {
            for text in [&c.key, &c.what, &c.src, &c.value] {
                varint::push(&mut out, text.len() as u64);
                out.extend_from_slice(text.as_bytes());
            }
        }
        match self.last {
            Some(Ref { file, value }) => {
                varint::push(&mut out, u64::from(file) + 1);
                varint::push(&mut out, u64::from(value));
            }
            None => varint::push(&mut out, 0),
        }
        out
    }

    /// The figures written by [`Figures::to_bytes`]; `None` if `bytes` are not such.
    pub fn from_bytes(bytes: &[u8]) -> Option<Figures> {
        let mut at = 0;
        let part = |at: &mut usize| -> Option<&[u8]> {
            let len = usize::try_from(varint::read(bytes, at)?).ok()?;
            let part = bytes.get(*at..at.checked_add(len)?)?;
            *at += len;
            Some(part)
        };
        let count = u32::try_from(varint::read(bytes, &mut at)?).ok()?;
        let places = part(&mut at)?.to_vec();
        let texts = std::str::from_utf8(part(&mut at)?).ok()?.to_string();
        let computed_count = usize::try_from(varint::read(bytes, &mut at)?).ok()?;
        let mut computed = Vec::with_capacity(computed_count.min(bytes.len()));
        for _ in 0..computed_count {
            let mut text = || -> Option<String> {
                Some(std::str::from_utf8(part(&mut at)?).ok()?.to_string())
            };
            computed.push(Computed {
                key: text()?,
                what: text()?,
                src: text()?,
                value: text()?,
            });
        }
        let last = match varint::read(bytes, &mut at)? {
            0 => None,
            file => Some(Ref {
                file: u32::try_from(file - 1).ok()?,
                value: u32::try_from(varint::read(bytes, &mut at)?).ok()?,
            }),
        };
        (at == bytes.len()).then_some(Figures {
            places,
            count,
            texts,
            computed,
            last,
        })
    }

    /// How many figures.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// Whether none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The figures, in the order printed.
    pub fn iter(&self) -> impl Iterator<Item = Figure<'_>> + '_ {
        let (mut at, mut text_at, mut computed) = (0, 0, self.computed.iter());
        // The place of the value of a data file before (none yet: the first is written whole).
        let mut last: Option<Ref> = None;
        std::iter::from_fn(move || {
            let head = varint::read(&self.places, &mut at)?;
            if head == 0 {
                return computed.next().map(Figure::Computed);
            }
            let before = last.unwrap_or(Ref { file: 0, value: 0 });
            let file = i64::from(before.file) + varint::unzigzag(head - 1);
            let step = varint::read(&self.places, &mut at)?;
            let value = match last {
                Some(before) if file == i64::from(before.file) => {
                    i64::from(before.value) + 1 + varint::unzigzag(step)
                }
                _ => i64::try_from(step).ok()?,
            };
            let length = usize::try_from(varint::read(&self.places, &mut at)?).ok()?;
            let text = self.texts.get(text_at..text_at + length)?;
            text_at += length;
            let at = Ref {
                file: u32::try_from(file).ok()?,
                value: u32::try_from(value).ok()?,
            };
            last = Some(at);
            Some(Figure::Data { at, value: text })
        })
    }
}

impl<'f> FromIterator<Figure<'f>> for Figures {
    fn from_iter<I: IntoIterator<Item = Figure<'f>>>(figures: I) -> Figures {
        let mut out = Figures::default();
        for figure in figures {
            out.push(figure);
        }
        out.shrunk()
    }
}

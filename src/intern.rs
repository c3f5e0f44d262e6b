//! Texts a site repeats by the million — the field names of 100,000 village files, the keys
//! and names of their numbers — kept once for the whole process and known by a number: a
//! [`Name`] is 4 bytes, compared and hashed as a number (the same text has the same number
//! on every thread), and read as its text.
//!
//! A [`Table`] only grows (a value once numbered keeps its number) and is read without a
//! lock: it is a list of chunks, each twice the one before and made once, and a value is set
//! once in its slot. Numbering a new value takes a lock; each thread remembers the names it
//! has numbered, so a build takes the lock about once per name and thread.

use rustc_hash::{FxBuildHasher, FxHashMap};
use std::cell::RefCell;
use std::hash::Hash;
use std::sync::{Mutex, OnceLock};

/// How many values the first chunk of a [`Table`] holds (chunk `k` holds `FIRST << k`).
const FIRST: usize = 1024;

/// How many chunks: room for every `u32`.
const CHUNKS: usize = 23;

/// Values numbered from 0 in the order first met, read by number without a lock.
pub struct Table<T: 'static> {
    chunks: [OnceLock<Box<[OnceLock<T>]>>; CHUNKS],
    numbers: Mutex<FxHashMap<T, u32>>,
}

impl<T: Hash + Eq + Clone> Table<T> {
    /// An empty table (for a `static`).
    pub const fn new() -> Self {
        Table {
            chunks: [const { OnceLock::new() }; CHUNKS],
            numbers: Mutex::new(FxHashMap::with_hasher(FxBuildHasher)),
        }
    }

    /// `value`'s number, numbering it if it is new (under the table's lock).
    pub fn number(&self, value: &T) -> u32 {
        let mut numbers = self
            .numbers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(&number) = numbers.get(value) {
            return number;
        }
        // Four billion texts would not fit in memory: the last number is never handed out.
        let number = u32::try_from(numbers.len()).unwrap_or(u32::MAX);
        let (k, at) = place(number);
        let slot = self.chunks.get(k).and_then(|chunk| {
            chunk
                .get_or_init(|| (0..FIRST << k).map(|_| OnceLock::new()).collect())
                .get(at)
        });
        if let Some(slot) = slot {
            let _ = slot.set(value.clone());
        }
        numbers.insert(value.clone(), number);
        number
    }

    /// `value`'s number from a thread's memory `known` of this table when it is there (no
    /// lock), else [`Table::number`] of `owned()`, remembered while `known` holds fewer than
    /// [`MOST`] values (a site's names are a few thousand; past that, values are still
    /// numbered, under the lock).
    pub fn number_remembered<Q: Hash + Eq + ?Sized>(
        &self,
        known: &mut FxHashMap<T, u32>,
        value: &Q,
        owned: impl FnOnce() -> T,
    ) -> u32
    where
        T: std::borrow::Borrow<Q>,
    {
        if let Some(&number) = known.get(value) {
            return number;
        }
        let owned = owned();
        let number = self.number(&owned);
        if known.len() < MOST {
            known.insert(owned, number);
        }
        number
    }

    /// The value numbered `number`, if one was.
    pub fn get(&self, number: u32) -> Option<&T> {
        let (k, at) = place(number);
        self.chunks.get(k)?.get()?.get(at)?.get()
    }
}

impl<T: Hash + Eq + Clone> Default for Table<T> {
    fn default() -> Self {
        Table::new()
    }
}

/// Where value `number` is: its chunk and its place in it.
fn place(number: u32) -> (usize, usize) {
    let number = number as usize;
    // Chunk k starts at FIRST * (2^k - 1).
    let k = (number / FIRST + 1).ilog2() as usize;
    (k, number - FIRST * ((1 << k) - 1))
}

/// How many values a thread remembers at most of a table (see
/// [`Table::number_remembered`]).
const MOST: usize = 100_000;

/// Every [`Name`]'s text.
static TEXTS: Table<Box<str>> = Table::new();

thread_local! {
    static KNOWN: RefCell<FxHashMap<Box<str>, u32>> = RefCell::new(FxHashMap::default());
}

/// A text kept once for the process, known by its number: a field's name, a number's key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Name(u32);

impl Name {
    /// `text`'s name.
    pub fn new(text: &str) -> Name {
        KNOWN.with_borrow_mut(|known| Name(TEXTS.number_remembered(known, text, || text.into())))
    }

    /// Its text.
    pub fn as_str(self) -> &'static str {
        TEXTS.get(self.0).map_or("", |text| text)
    }

    /// Its number (the same for the same text for the whole process).
    pub fn number(self) -> u32 {
        self.0
    }

    /// The name numbered `number`, if a text was.
    pub fn numbered(number: u32) -> Option<Name> {
        TEXTS.get(number).map(|_| Name(number))
    }
}

impl std::ops::Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::new(text)
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_has_its_own_slot_in_chunks_that_double() {
        let mut expected = (0, 0);
        for number in 0..(FIRST as u32 * 40) {
            assert_eq!(place(number), expected, "{number}");
            expected.1 += 1;
            if expected.1 == FIRST << expected.0 {
                expected = (expected.0 + 1, 0);
            }
        }
        // The last chunk ends past the largest number.
        let (k, at) = place(u32::MAX);
        assert!(k < CHUNKS && at < FIRST << k);
    }

    #[test]
    fn a_text_has_one_name_on_every_thread_and_reads_back() {
        let text = "a_text_has_one_name.registered.households";
        let names: Vec<(Name, Name)> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| (Name::new(text), Name::new("户数"))))
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        assert!(names.iter().all(|pair| *pair == names[0]));
        assert_ne!(names[0].0, names[0].1);
        assert_eq!(names[0].0.as_str(), text);
        assert_eq!(&*names[0].1, "户数");
        assert_eq!(format!("{:?} {}", names[0].1, names[0].1), "\"户数\" 户数");
        // A number never handed out reads as nothing.
        assert_eq!(Name(u32::MAX - 1).as_str(), "");
    }

    #[test]
    fn a_thread_remembers_what_it_numbered_until_its_memory_is_full() {
        let table: Table<u64> = Table::new();
        let mut known = FxHashMap::default();
        assert_eq!(table.number_remembered(&mut known, &7, || 7), 0);
        assert_eq!(known.get(&7), Some(&0));
        // Remembered: the table is not asked again.
        assert_eq!(
            table.number_remembered(&mut known, &7, || unreachable!()),
            0
        );
        // A full memory still numbers, and remembers nothing more.
        let mut full: FxHashMap<u64, u32> = (1000..1000 + MOST as u64).map(|v| (v, 0)).collect();
        assert_eq!(table.number_remembered(&mut full, &8, || 8), 1);
        assert!(!full.contains_key(&8));
        assert_eq!(table.number_remembered(&mut known, &8, || 8), 1);
    }

    #[test]
    fn a_table_numbers_in_the_order_met_past_its_first_chunk() {
        let table: Table<u64> = Table::new();
        for value in 0..5000u64 {
            assert_eq!(table.number(&(value * 7)), value as u32);
        }
        assert_eq!(table.number(&(4999 * 7)), 4999);
        assert_eq!(table.get(3000), Some(&21000));
        assert_eq!(table.get(5000), None);
    }
}

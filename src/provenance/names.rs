//! The keys and names of the data's numbers, each kept once for the whole process and known
//! by its number, so that a [`super::SourceValue`] is 8 bytes: a line and a number (a site of
//! 100,000 villages has ten million values and a few thousand names).
//!
//! The table only grows (a name once numbered keeps its number), and is read without a
//! lock: it is a list of chunks, each twice the one before, each made once; a name is set
//! once in its slot. Numbering a new name takes a lock; each thread remembers the names it
//! numbered (see [`number`]), so a build takes it once per name and thread.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, OnceLock};

/// A number's key path in its file and its name from the schema's labels.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct ValueName {
    /// `hospital.hospitalisations`.
    pub key: Box<str>,
    /// `贫困人口住院 住院人次`.
    pub label: Box<str>,
}

/// How many names the first chunk holds (chunk `k` holds `FIRST << k`).
const FIRST: usize = 1024;

/// How many chunks: room for every `u32`.
const CHUNKS: usize = 23;

/// A chunk of named slots.
type Chunk = Box<[OnceLock<ValueName>]>;

/// The names, by number.
static TABLE: [OnceLock<Chunk>; CHUNKS] = [const { OnceLock::new() }; CHUNKS];

/// The number of each name numbered, for the next thread that meets it.
static NUMBERS: LazyLock<Mutex<HashMap<KeyAndLabel, u32>>> = LazyLock::new(Default::default);

/// A name's key and label, owned.
type KeyAndLabel = (Box<str>, Box<str>);

/// A thread's numbers: each key's labels and their numbers.
type Known = HashMap<Box<str>, Vec<(Box<str>, u32)>>;

/// The name no number has: what [`name`] gives for a number never handed out.
static NONE: LazyLock<ValueName> = LazyLock::new(ValueName::default);

/// Where name `number` is: its chunk and its place in it.
fn place(number: u32) -> (usize, usize) {
    let number = number as usize;
    // Chunk k starts at FIRST * (2^k - 1).
    let k = (number / FIRST + 1).ilog2() as usize;
    (k, number - FIRST * ((1 << k) - 1))
}

/// The number of the name (`key`, `label`), numbering it if it is new.
pub(super) fn number(key: &str, label: &str) -> u32 {
    /// How many keys a thread remembers at most (a site's keys are a few thousand).
    const MOST: usize = 100_000;
    thread_local! {
        static KNOWN: RefCell<Known> = RefCell::new(HashMap::new());
    }
    KNOWN.with_borrow_mut(|known| {
        if let Some(&(_, number)) = known
            .get(key)
            .and_then(|same_key| same_key.iter().find(|(l, _)| &**l == label))
        {
            return number;
        }
        let number = number_anew(key, label);
        if known.len() < MOST {
            known
                .entry(key.into())
                .or_default()
                .push((label.into(), number));
        }
        number
    })
}

/// [`number`] without the thread's memory: under the lock.
fn number_anew(key: &str, label: &str) -> u32 {
    let mut numbers = NUMBERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let wanted = (Box::<str>::from(key), Box::<str>::from(label));
    if let Some(&number) = numbers.get(&wanted) {
        return number;
    }
    let Ok(number) = u32::try_from(numbers.len()) else {
        return u32::MAX;
    };
    let (k, at) = place(number);
    let Some(chunk) = TABLE.get(k) else {
        return u32::MAX;
    };
    let chunk = chunk.get_or_init(|| (0..FIRST << k).map(|_| OnceLock::new()).collect());
    if let Some(slot) = chunk.get(at) {
        let _ = slot.set(ValueName {
            key: wanted.0.clone(),
            label: wanted.1.clone(),
        });
    }
    numbers.insert(wanted, number);
    number
}

/// The name numbered `number` (an empty one for a number never handed out).
pub(super) fn name(number: u32) -> &'static ValueName {
    let (k, at) = place(number);
    TABLE
        .get(k)
        .and_then(OnceLock::get)
        .and_then(|chunk| chunk.get(at))
        .and_then(OnceLock::get)
        .unwrap_or(&*NONE)
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
    fn a_name_has_one_number_on_every_thread_and_reads_back() {
        let key = "a_name_has_one_number.key";
        let numbers: Vec<u32> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| (number(key, "甲"), number(key, "乙"))))
                .collect();
            threads
                .into_iter()
                .flat_map(|t| {
                    let (a, b) = t.join().unwrap();
                    [a, b]
                })
                .collect()
        });
        assert!(numbers.chunks(2).all(|pair| pair == &numbers[..2]));
        assert_ne!(numbers[0], numbers[1]);
        assert_eq!(&*name(numbers[0]).key, key);
        assert_eq!(&*name(numbers[0]).label, "甲");
        assert_eq!(&*name(numbers[1]).label, "乙");
        assert_eq!(name(u32::MAX - 1), &*NONE);
    }
}

//! The numbers of the search terms: each term written once and named by number, Han terms
//! looked up by their characters' code points, words by their text.

use rustc_hash::FxHashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The dictionary to look terms up in, even when a thread panicked holding it.
pub(super) fn read(dictionary: &RwLock<Dictionary>) -> std::sync::RwLockReadGuard<'_, Dictionary> {
    dictionary.read().unwrap_or_else(|e| e.into_inner())
}

/// The dictionary to number new terms in, even when a thread panicked holding it.
pub(super) fn write(
    dictionary: &RwLock<Dictionary>,
) -> std::sync::RwLockWriteGuard<'_, Dictionary> {
    dictionary.write().unwrap_or_else(|e| e.into_inner())
}

/// The dictionary to number new terms in if no other core is using it now (`None`: one is).
pub(super) fn write_now(
    dictionary: &RwLock<Dictionary>,
) -> Option<std::sync::RwLockWriteGuard<'_, Dictionary>> {
    match dictionary.try_write() {
        Ok(guard) => Some(guard),
        Err(std::sync::TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
        Err(std::sync::TryLockError::WouldBlock) => None,
    }
}

/// The numbers of the terms: each term is written once, pages name it by number. Kept
/// between the preview's builds, with the pages it reuses. Han terms are looked up by their
/// characters' code points ([`han_key`]), words by their text.
#[derive(Debug)]
pub struct Dictionary {
    /// Which dictionary this is (a thread's tally remembers numbers of one dictionary).
    pub(super) identity: u64,
    pub(super) han: FxHashMap<u64, u32>,
    /// Words of at most 8 bytes (most: figures, codes) by [`short_word_key`]: looked up
    /// without following a pointer to their text.
    pub(super) short_words: FxHashMap<u64, u32>,
    /// Longer words by their text.
    pub(super) words: FxHashMap<Box<str>, u32>,
    /// Whole numbers below [`SMALL_NUMBERS`] written without leading zeros (most of a
    /// report's figures: households, people, years), by their value: looked up in a table
    /// rather than hashed. `u32::MAX` where there is none.
    pub(super) small_numbers: Vec<u32>,
    pub(super) terms: Vec<Box<str>>,
}

/// The whole numbers [`Dictionary::small_numbers`] holds are below this.
pub(super) const SMALL_NUMBERS: u32 = 1 << 20;

/// The value of `word` when it is a whole number below [`SMALL_NUMBERS`] with no leading
/// zero (`0` itself is one; `007` is not).
pub(super) fn small_number(word: &str) -> Option<u32> {
    let bytes = word.as_bytes();
    if bytes.is_empty() || bytes.len() > 7 || (bytes[0] == b'0' && bytes.len() > 1) {
        return None;
    }
    let mut value: u32 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(b - b'0');
    }
    (value < SMALL_NUMBERS).then_some(value)
}

impl Default for Dictionary {
    fn default() -> Dictionary {
        static MADE: AtomicU64 = AtomicU64::new(0);
        Dictionary {
            identity: MADE.fetch_add(1, Ordering::Relaxed),
            han: FxHashMap::default(),
            short_words: FxHashMap::default(),
            words: FxHashMap::default(),
            small_numbers: Vec::new(),
            terms: Vec::new(),
        }
    }
}

impl Dictionary {
    /// The number of a Han term by its [`han_key`], if it has one.
    pub(super) fn han(&self, key: u64) -> Option<u32> {
        self.han.get(&key).copied()
    }

    /// The number of a word, if it has one.
    pub(super) fn word(&self, word: &str) -> Option<u32> {
        self.word_by(word_key(word), word)
    }

    /// The number of `word`, looked up by its `key`, if it has one.
    pub(super) fn word_by(&self, key: WordKey, word: &str) -> Option<u32> {
        match key {
            WordKey::Small(value) => self
                .small_numbers
                .get(value as usize)
                .copied()
                .filter(|&id| id != u32::MAX),
            WordKey::Short(key) => self.short_words.get(&key).copied(),
            WordKey::Long => self.words.get(word).copied(),
        }
    }

    /// The number of a Han term by its [`han_key`], numbered now if it had none.
    pub(super) fn han_or_new(&mut self, key: u64) -> u32 {
        let next = self.terms.len() as u32;
        let id = *self.han.entry(key).or_insert(next);
        if id == next {
            self.terms.push(han_term(key).into());
        }
        id
    }

    /// The number of a word, numbered now if it had none.
    pub(super) fn word_or_new(&mut self, word: &str) -> u32 {
        let key = word_key(word);
        if let Some(id) = self.word_by(key, word) {
            return id;
        }
        let id = self.terms.len() as u32;
        match key {
            WordKey::Small(value) => {
                let value = value as usize;
                if self.small_numbers.len() <= value {
                    self.small_numbers.resize(value + 1, u32::MAX);
                }
                self.small_numbers[value] = id;
            }
            WordKey::Short(key) => {
                self.short_words.insert(key, id);
            }
            WordKey::Long => {
                self.words.insert(word.into(), id);
            }
        }
        self.terms.push(word.into());
        id
    }

    /// The term numbered `id`.
    pub(super) fn term(&self, id: u32) -> &str {
        self.terms.get(id as usize).map_or("", |t| t)
    }
}

/// A Han term (one character or two) as a number: the code points side by side, the top
/// bit set for a pair.
pub(super) fn han_key(term: &str) -> u64 {
    let mut chars = term.chars();
    let first = chars.next().map_or(0, u64::from);
    match chars.next() {
        Some(second) => PAIR | first << 21 | u64::from(second),
        None => first,
    }
}

/// Where a word is numbered in a [`Dictionary`].
#[derive(Clone, Copy)]
pub(super) enum WordKey {
    /// In `small_numbers`, by this value ([`small_number`]).
    Small(u32),
    /// In `short_words`, by this [`short_word_key`].
    Short(u64),
    /// In `words`, by its text.
    Long,
}

/// Where `word` is numbered in a [`Dictionary`].
pub(super) fn word_key(word: &str) -> WordKey {
    if let Some(value) = small_number(word) {
        return WordKey::Small(value);
    }
    match short_word_key(word) {
        Some(key) => WordKey::Short(key),
        None => WordKey::Long,
    }
}

/// A word of at most 8 bytes as a number: its bytes from the lowest, the rest zero (a
/// word has no zero byte: letters, digits and points). A table of such keys takes half the
/// memory of one of 16 bytes (a `u128` is aligned to 16): at 10,000 villages it holds
/// their tens of thousands of figures, looked up (missed in the processor's caches) for
/// each figure of each page.
pub(super) fn short_word_key(word: &str) -> Option<u64> {
    let bytes = word.as_bytes();
    if bytes.len() > 8 {
        return None;
    }
    let mut key = [0u8; 8];
    key[..bytes.len()].copy_from_slice(bytes);
    Some(u64::from_le_bytes(key))
}

/// The bit of a [`han_key`] that marks a pair.
pub(super) const PAIR: u64 = 1 << 63;

/// The term of a [`han_key`].
pub(super) fn han_term(key: u64) -> String {
    let char_of = |code: u64| char::from_u32(code as u32).unwrap_or('\u{fffd}');
    if key & PAIR == 0 {
        return char_of(key).to_string();
    }
    [char_of(key >> 21 & 0x1f_ffff), char_of(key & 0x1f_ffff)]
        .into_iter()
        .collect()
}

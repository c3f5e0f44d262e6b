//! The search index of the rendered pages: each page's text (read by [`super::text`]), its
//! terms weighed by where they are (title, headings, text), gathered as the pages are
//! rendered, and cut into shards a search page loads by term (see [`super::files`]).

use bytes::Bytes;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use crate::spill::{Part, Spill, lock};

use super::text::PageText;
use super::tokens;

/// How much a term counts where it is found.
pub mod weight {
    /// In the page's title.
    /// (More than three headings, five times in the text and the search page's bonus for
    /// the words side by side together: a page titled with the query comes first.)
    pub const TITLE: u32 = 24;
    /// In a heading of the page.
    pub const HEADING: u32 = 3;
    /// In the page's text.
    pub const BODY: u32 = 1;
}

/// The dictionary to look terms up in, even when a thread panicked holding it.
fn read(dictionary: &RwLock<Dictionary>) -> std::sync::RwLockReadGuard<'_, Dictionary> {
    dictionary.read().unwrap_or_else(|e| e.into_inner())
}

/// The dictionary to number new terms in, even when a thread panicked holding it.
fn write(dictionary: &RwLock<Dictionary>) -> std::sync::RwLockWriteGuard<'_, Dictionary> {
    dictionary.write().unwrap_or_else(|e| e.into_inner())
}

/// The dictionary to number new terms in if no other core is using it now (`None`: one is).
fn write_now(
    dictionary: &RwLock<Dictionary>,
) -> Option<std::sync::RwLockWriteGuard<'_, Dictionary>> {
    match dictionary.try_write() {
        Ok(guard) => Some(guard),
        Err(std::sync::TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
        Err(std::sync::TryLockError::WouldBlock) => None,
    }
}

/// How many characters of a page's text the index keeps for the snippets of its results
/// (every term of the page is indexed; a match past this shows the page's opening lines).
pub const TEXT_LIMIT: usize = 4000;

/// The numbers of the terms: each term is written once, pages name it by number. Kept
/// between the preview's builds, with the pages it reuses. Han terms are looked up by their
/// characters' code points ([`han_key`]), words by their text.
#[derive(Debug)]
pub struct Dictionary {
    /// Which dictionary this is (a thread's tally remembers numbers of one dictionary).
    identity: u64,
    han: FxHashMap<u64, u32>,
    /// Words of at most 8 bytes (most: figures, codes) by [`short_word_key`]: looked up
    /// without following a pointer to their text.
    short_words: FxHashMap<u64, u32>,
    /// Longer words by their text.
    words: FxHashMap<Box<str>, u32>,
    /// Whole numbers below [`SMALL_NUMBERS`] written without leading zeros (most of a
    /// report's figures: households, people, years), by their value: looked up in a table
    /// rather than hashed. `u32::MAX` where there is none.
    small_numbers: Vec<u32>,
    terms: Vec<Box<str>>,
}

/// The whole numbers [`Dictionary::small_numbers`] holds are below this.
const SMALL_NUMBERS: u32 = 1 << 20;

/// The value of `word` when it is a whole number below [`SMALL_NUMBERS`] with no leading
/// zero (`0` itself is one; `007` is not).
fn small_number(word: &str) -> Option<u32> {
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
    fn han(&self, key: u64) -> Option<u32> {
        self.han.get(&key).copied()
    }

    /// The number of a word, if it has one.
    fn word(&self, word: &str) -> Option<u32> {
        self.word_by(word_key(word), word)
    }

    /// The number of `word`, looked up by its `key`, if it has one.
    fn word_by(&self, key: WordKey, word: &str) -> Option<u32> {
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
    fn han_or_new(&mut self, key: u64) -> u32 {
        let next = self.terms.len() as u32;
        let id = *self.han.entry(key).or_insert(next);
        if id == next {
            self.terms.push(han_term(key).into());
        }
        id
    }

    /// The number of a word, numbered now if it had none.
    fn word_or_new(&mut self, word: &str) -> u32 {
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
    fn term(&self, id: u32) -> &str {
        self.terms.get(id as usize).map_or("", |t| t)
    }
}

/// A Han term (one character or two) as a number: the code points side by side, the top
/// bit set for a pair.
fn han_key(term: &str) -> u64 {
    let mut chars = term.chars();
    let first = chars.next().map_or(0, u64::from);
    match chars.next() {
        Some(second) => PAIR | first << 21 | u64::from(second),
        None => first,
    }
}

/// Where a word is numbered in a [`Dictionary`].
#[derive(Clone, Copy)]
enum WordKey {
    /// In `small_numbers`, by this value ([`small_number`]).
    Small(u32),
    /// In `short_words`, by this [`short_word_key`].
    Short(u64),
    /// In `words`, by its text.
    Long,
}

/// Where `word` is numbered in a [`Dictionary`].
fn word_key(word: &str) -> WordKey {
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
fn short_word_key(word: &str) -> Option<u64> {
    let bytes = word.as_bytes();
    if bytes.len() > 8 {
        return None;
    }
    let mut key = [0u8; 8];
    key[..bytes.len()].copy_from_slice(bytes);
    Some(u64::from_le_bytes(key))
}

/// The bit of a [`han_key`] that marks a pair.
const PAIR: u64 = 1 << 63;

/// The term of a [`han_key`].
fn han_term(key: u64) -> String {
    let char_of = |code: u64| char::from_u32(code as u32).unwrap_or('\u{fffd}');
    if key & PAIR == 0 {
        return char_of(key).to_string();
    }
    [char_of(key >> 21 & 0x1f_ffff), char_of(key & 0x1f_ffff)]
        .into_iter()
        .collect()
}

/// A page's part of the index: its terms (by number in the [`Dictionary`]) with their
/// weights there, and its text for the snippets (at most [`TEXT_LIMIT`] characters), in one
/// piece of bytes as the [`Collector`] keeps it: how many terms (`u32`), its [`Groups`]'
/// group + 1 (`u32`; 0: none), each term [`pack`]ed with its weight (`u32`), then the text.
/// A page of a group has the group's terms too, but those listed here (see [`Lists::make`]).
#[derive(Debug, Clone)]
pub struct Entry {
    piece: Bytes,
    /// How many terms (as the piece says): a page reused by the preview is put again
    /// without reading its piece, 10,000 of them scattered in memory.
    terms: u32,
}

/// How many bytes an entry's piece has before its terms: how many, and its group.
const HEAD: usize = 8;

/// The terms and the text of an entry's piece (nothing when it is not one).
fn split_piece(piece: &[u8]) -> (&[u8], &[u8]) {
    let count = piece
        .get(..4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
    let end = HEAD + count * 4;
    match (piece.get(HEAD..end), piece.get(end..)) {
        (Some(terms), Some(text)) => (terms, text),
        _ => (&[], &[]),
    }
}

/// The [`pack`]ed terms of an entry's head (its piece but the text).
fn head_terms(head: &[u8]) -> &[u8] {
    head.get(HEAD..).unwrap_or_default()
}

/// The group of an entry's head, if it has one.
fn head_group(head: &[u8]) -> Option<u32> {
    let b = head.get(4..HEAD)?;
    u32::from_le_bytes([b[0], b[1], b[2], b[3]]).checked_sub(1)
}

/// The [`pack`]ed pairs of an entry's terms.
fn packed_terms(terms: &[u8]) -> impl Iterator<Item = u32> + '_ {
    terms
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// How often each term is in a page. Terms the dictionary numbers are counted in a table
/// by number — one per thread, kept from page to page, only the numbers counted emptied
/// after each — with no table to make or grow for each page; the others by Han key or text
/// ([`NewTerms`]) until they are numbered.
#[derive(Default)]
struct Tally {
    /// The counts of every numbered term (all zero but those of the page being counted).
    by_number: Vec<Counts>,
    /// The numbers counted for the page, each once.
    counted: Vec<u32>,
    /// Han pieces ([`tokens::for_each_piece`]: the text between a page's figures) seen
    /// before, with the numbers of their terms in order: the pages of a report share most
    /// of their sentences (a template's prose, units, headings), each piece's terms are
    /// looked up once. For the dictionary `identity`. (Not the figures and words between
    /// them: most figures are a village's own, and a table of them, missed in memory at
    /// every look-up, cost more than the dictionary's look-up of their one or two terms.)
    pieces: Pieces,
    /// The [`Dictionary::identity`] the pieces' numbers are of.
    identity: Option<u64>,
    /// The counts of the terms of the group last counted with ([`GroupCounts`]).
    group: GroupCounts,
}

/// The counts of a group's terms by number (zero: not the group's), for the page's own terms
/// to be found in its group with no search: the group's terms set out once for all the pages
/// of the group a thread counts one after the other (most of a report's kind).
#[derive(Default)]
struct GroupCounts {
    by_number: Vec<Counts>,
    /// The group whose terms are set out (held: no other group is made where it was).
    terms: Option<GroupTerms>,
}

impl GroupCounts {
    /// The counts of the terms of the group `terms`, set out now if another's were.
    fn of(&mut self, terms: &GroupTerms) -> &[Counts] {
        if !self
            .terms
            .as_ref()
            .is_some_and(|set| Arc::ptr_eq(set, terms))
        {
            for &(term, _) in self.terms.take().iter().flat_map(|set| set.iter()) {
                if let Some(counts) = self.by_number.get_mut(term as usize) {
                    *counts = 0;
                }
            }
            for &(term, counts) in terms.iter() {
                if self.by_number.len() <= term as usize {
                    self.by_number.resize(term as usize + 1, 0);
                }
                self.by_number[term as usize] = counts;
            }
            self.terms = Some(terms.clone());
        }
        &self.by_number
    }
}

/// Pieces of text remembered with the numbers of their terms, and how many bytes they hold.
#[derive(Default)]
struct Pieces {
    numbers: FxHashMap<Box<str>, Box<[u32]>>,
    bytes: usize,
}

/// How many bytes of pieces and their numbers a thread's tally remembers (it forgets them
/// all when it has this many) and how long a piece it remembers, in bytes.
const PIECE_BYTES_KEPT: usize = 8 << 20;
const LONGEST_PIECE_KEPT: usize = 1024;

thread_local! {
    /// This thread's tally.
    static TALLY: std::cell::RefCell<Tally> = std::cell::RefCell::default();
}

/// A page's terms being counted: those the dictionary (`numbers`) numbers by number in
/// `by_number`, the others in `new`.
struct Counting<'a> {
    numbers: &'a Dictionary,
    by_number: &'a mut Vec<Counts>,
    counted: &'a mut Vec<u32>,
    new: NewTerms,
}

impl Counting<'_> {
    /// Counts the term numbered `number`, found in `field`.
    #[inline(always)]
    fn number(&mut self, number: u32, field: Field) {
        count_number(self.by_number, self.counted, number, field);
    }

    /// Counts the terms numbered `numbers`, found in `field`: the text's (most terms) in a
    /// loop of their own, the field known to it, the tables borrowed once (not through
    /// `self` at each term).
    #[inline(always)]
    fn numbers(&mut self, numbers: &[u32], field: Field) {
        let (by_number, counted) = (&mut *self.by_number, &mut *self.counted);
        counted.reserve(numbers.len());
        if let Field::Text = field {
            for &number in numbers {
                count_number(by_number, counted, number, Field::Text);
            }
        } else {
            for &number in numbers {
                count_number(by_number, counted, number, field);
            }
        }
    }

    /// Counts `term`, found in `field`; its number if it has one.
    fn term(&mut self, term: &str, kind: tokens::Kind, field: Field) -> Option<u32> {
        let number = match kind {
            tokens::Kind::Word => self.numbers.word(term),
            _ => self.numbers.han(han_key(term)),
        };
        match number.filter(|&n| (n as usize) < self.by_number.len()) {
            Some(n) => self.number(n, field),
            None if kind == tokens::Kind::Word => match self.new.words.get_mut(term) {
                Some(counts) => count(counts, field),
                None => {
                    let mut counts = 0;
                    count(&mut counts, field);
                    self.new.words.insert(term.into(), counts);
                }
            },
            None => count(self.new.han.entry(han_key(term)).or_default(), field),
        }
        number
    }

    /// Counts the terms of `text`, found in `field`, piece by piece ([`tokens::for_each_piece`]):
    /// a Han piece seen before through `pieces`. Only what lies between the Han pieces is
    /// [`tokens::normalise`]d: Han characters are searched as they are written.
    fn text(&mut self, text: &str, field: Field, pieces: &mut Pieces) {
        tokens::for_each_piece(text, |piece, han| {
            if han {
                self.han_piece(piece, field, pieces);
            } else {
                self.plain_piece(piece, field);
            }
        });
    }

    /// Counts the terms of the page's body text, its Han pieces known to `groups` (met on a
    /// page before) not counted but named, in order, in `known` (the page's group is theirs);
    /// the others counted, and those whose terms all have numbers put in `met` for `groups`
    /// to know.
    fn grouped_text(
        &mut self,
        text: &str,
        groups: &Groups,
        known: &mut Vec<u32>,
        met: &mut Vec<(Box<str>, Box<[u32]>)>,
        pieces: &mut Pieces,
    ) {
        tokens::for_each_piece(text, |piece, han| {
            if !han {
                self.plain_piece(piece, Field::Text);
                return;
            }
            if let Some(&number) = groups.pieces.get(piece) {
                known.push(number);
                return;
            }
            if let Some(numbers) = self.han_piece(piece, Field::Text, pieces)
                && piece.len() <= LONGEST_PIECE_KEPT
            {
                met.push((piece.into(), numbers.into()));
            }
        });
    }

    /// Counts the terms of a piece that is not Han (most: a figure, a comma or a full stop).
    fn plain_piece(&mut self, piece: &str, field: Field) {
        if tokens::for_each_plain_word(piece, |word| {
            self.term(word, tokens::Kind::Word, field);
        }) {
            return;
        }
        if !tokens::has_no_terms(piece) {
            tokens::for_each_term(&tokens::normalise(piece), |term, kind, _| {
                self.term(term, kind, field);
            });
        }
    }

    /// Counts the terms of a Han piece, seen before through `pieces`; the numbers of its
    /// terms when it was not seen before and the dictionary numbers all of them.
    fn han_piece(&mut self, piece: &str, field: Field, pieces: &mut Pieces) -> Option<Vec<u32>> {
        if let Some(numbers) = pieces.numbers.get(piece) {
            self.numbers(numbers, field);
            return None;
        }
        let mut numbers = Vec::new();
        let mut all_numbered = true;
        let mut count = |term: &str, kind| match self.term(term, kind, field) {
            Some(number) => numbers.push(number),
            None => all_numbered = false,
        };
        tokens::for_each_term(piece, |term, kind, _| count(term, kind));
        if !all_numbered {
            return None;
        }
        if piece.len() <= LONGEST_PIECE_KEPT {
            let bytes = piece.len() + 4 * numbers.len();
            if pieces.bytes + bytes > PIECE_BYTES_KEPT {
                pieces.numbers.clear();
                pieces.bytes = 0;
            }
            pieces.bytes += bytes;
            pieces.numbers.insert(piece.into(), numbers.clone().into());
        }
        Some(numbers)
    }
}

/// Counts the term numbered `number`, found in `field`, in `by_number`, the page's counts
/// by number; `counted` takes the number the first time it is counted.
#[inline(always)]
fn count_number(by_number: &mut [Counts], counted: &mut Vec<u32>, number: u32, field: Field) {
    if let Some(counts) = by_number.get_mut(number as usize) {
        if *counts == 0 {
            counted.push(number);
        }
        count(counts, field);
    }
}

/// A page's terms that have no number yet, Han terms by [`han_key`] and words by text.
#[derive(Default)]
struct NewTerms {
    han: FxHashMap<u64, Counts>,
    words: FxHashMap<Box<str>, Counts>,
}

/// Pages grouped by the Han pieces of their text they share with pages before them (a
/// template's sentences, [`tokens::for_each_piece`]): a group's terms are counted once, and
/// a page of it counts only the rest of its terms (its figures and words, its sentences of
/// its own, its title and headings); the lists give each page of a group the group's terms
/// ([`Lists::make`]), but those the page counts itself. Which pages are grouped depends on
/// what each thread met first; the lists are the same whatever the grouping.
#[derive(Default)]
struct Groups {
    /// Han pieces of the pages' text met so far, by text: each one's number.
    pieces: FxHashMap<Box<str>, u32>,
    /// The numbers of each piece's terms, by piece number.
    piece_terms: Vec<Box<[u32]>>,
    /// How many bytes the pieces hold (none is met past [`GROUP_PIECE_BYTES`]).
    bytes: usize,
    /// The groups by their pieces' numbers, in the order of their pages' text.
    by_pieces: FxHashMap<Box<[u32]>, u32>,
    /// Each group's terms with their counts in the text.
    terms: Vec<GroupTerms>,
    /// How many terms the groups have in all (no group is made past [`GROUP_TERMS_KEPT`]).
    term_count: usize,
    /// Another limit than [`GROUP_TERMS_KEPT`] (the tests').
    terms_kept: Option<usize>,
}

/// A group's terms (ascending) with their counts in its text, shared with the pages
/// counting their own terms.
type GroupTerms = Arc<[(u32, Counts)]>;

/// How many bytes of pieces [`Groups`] remembers: pages met after that many are grouped by
/// the pieces known already (a site whose pages each have sentences of their own).
const GROUP_PIECE_BYTES: usize = 16 << 20;

/// How many terms [`Groups`]' groups hold in all (8 bytes each): a site whose pages share
/// their sentences in ever new orders makes no more groups past it, its pages then counted
/// alone.
const GROUP_TERMS_KEPT: usize = 2 << 20;

impl Groups {
    /// Remembers the pieces `met` (each with its terms' numbers) not known yet.
    fn meet(&mut self, met: Vec<(Box<str>, Box<[u32]>)>) {
        for (piece, numbers) in met {
            let bytes = piece.len() + 4 * numbers.len() + 32;
            if self.bytes + bytes > GROUP_PIECE_BYTES || self.pieces.contains_key(&piece) {
                continue;
            }
            self.bytes += bytes;
            self.pieces.insert(piece, self.piece_terms.len() as u32);
            self.piece_terms.push(numbers);
        }
    }

    /// The number of the group of the pieces `known` (in their order in the page), made now
    /// (its terms counted) if there was none: `None` when the groups hold
    /// [`GROUP_TERMS_KEPT`] terms already.
    fn group(&mut self, known: &[u32]) -> Option<u32> {
        if let Some(&group) = self.by_pieces.get(known) {
            return Some(group);
        }
        if self.term_count >= self.terms_kept.unwrap_or(GROUP_TERMS_KEPT) {
            return None;
        }
        let mut counts: FxHashMap<u32, Counts> = FxHashMap::default();
        for &piece in known {
            for &term in self
                .piece_terms
                .get(piece as usize)
                .map_or(&[][..], |t| &t[..])
            {
                count(counts.entry(term).or_default(), Field::Text);
            }
        }
        let mut terms: Vec<(u32, Counts)> = counts.into_iter().collect();
        terms.sort_unstable();
        let group = self.terms.len() as u32;
        self.term_count += terms.len();
        self.terms.push(terms.into());
        self.by_pieces.insert(known.into(), group);
        Some(group)
    }
}

/// The groups to read, even when a thread panicked holding them.
fn read_groups(groups: &RwLock<Groups>) -> std::sync::RwLockReadGuard<'_, Groups> {
    groups.read().unwrap_or_else(|e| e.into_inner())
}

/// The groups to change, even when a thread panicked holding them.
fn write_groups(groups: &RwLock<Groups>) -> std::sync::RwLockWriteGuard<'_, Groups> {
    groups.write().unwrap_or_else(|e| e.into_inner())
}

/// A page's `own` counts of a term with its group's (text only): the times in the text
/// added (seven at most, as [`count`] keeps them).
fn with_group(own: Counts, group: Counts) -> Counts {
    let times = ((own >> 3 & 7) + (group >> 3 & 7)).min(7);
    (own & !(7 << 3)) | times << 3
}

/// How often a term is in a page, in one number (a tally of a page's terms stays small):
/// bit 0 whether it is in the title, bits 1–2 how many headings it is in (three at most),
/// bits 3–5 how many times it is in the text (seven at most), from bit 6 the number of the
/// last heading it was counted in + 1. Never zero once counted.
type Counts = u32;

/// Where the number of the last heading a term was counted in starts in its [`Counts`].
const LAST_HEADING: u32 = 6;

/// Where a term is found.
#[derive(Clone, Copy)]
enum Field {
    Title,
    /// The heading of that number.
    Heading(u32),
    Text,
}

/// Counts a term found in `field`.
fn count(counts: &mut Counts, field: Field) {
    match field {
        Field::Title => *counts |= 1,
        Field::Heading(h) => {
            // A heading counts once however often the term is in it.
            let heading = (h + 1).min(u32::MAX >> LAST_HEADING);
            if *counts >> LAST_HEADING != heading {
                let headings = ((*counts >> 1 & 3) + 1).min(3);
                *counts = (*counts & 0b11_1001) | headings << 1 | heading << LAST_HEADING;
            }
        }
        Field::Text if *counts >> 3 & 7 < 7 => *counts += 1 << 3,
        Field::Text => {}
    }
}

/// The weight of a term in a page from its [`Counts`].
fn weigh(counts: Counts) -> u32 {
    let (in_title, headings, times) = (counts & 1, counts >> 1 & 3, counts >> 3 & 7);
    weight::TITLE * in_title + weight::HEADING * headings + weight::BODY * times.min(5)
}

impl Entry {
    /// The entry of a page titled `title` with `text`. A term weighs [`weight::TITLE`] when
    /// it is in the title, [`weight::HEADING`] for each heading it is in (three at most), and
    /// one for each time it is in the text (five at most): a page about a village outranks a
    /// table that names it among thousands.
    pub fn new(title: &str, text: &PageText, dictionary: &RwLock<Dictionary>) -> Entry {
        let mut counted = Counted::of(title, text, dictionary, None, None);
        if !counted.is_numbered() {
            counted.number(&mut write(dictionary), None);
        }
        counted.entry(Some(kept_text(&text.body)))
    }

    /// The page's terms with their weights.
    pub fn terms(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        packed_terms(split_piece(&self.piece).0).map(unpack)
    }

    /// The page's text kept for the snippets.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(split_piece(&self.piece).1)
    }
}

/// A page's terms as counted: the entry's bytes so far (room for the number of terms, then
/// the numbered terms, each [`pack`]ed with its weight) and the terms the dictionary had no
/// number for when they were counted.
struct Counted {
    piece: Vec<u8>,
    new: NewTerms,
    /// The page's group, when it has one.
    group: Option<u32>,
}

impl Counted {
    /// Counts the terms of a page titled `title` with `text` (weighed as [`Entry::new`]
    /// says), looking them up in `dictionary` — together with every core; none is numbered.
    /// The page is counted in `pages_of_term` (when given) for each term the dictionary
    /// numbers; [`Counted::number`] counts the others.
    fn of(
        title: &str,
        text: &PageText,
        dictionary: &RwLock<Dictionary>,
        mut pages_of_term: Option<&mut Vec<u32>>,
        groups: Option<&RwLock<Groups>>,
    ) -> Counted {
        let mut piece: Vec<u8> = vec![0; HEAD];
        let (new, group) = TALLY.with_borrow_mut(|tally| {
            let numbers = read(dictionary);
            if tally.identity != Some(numbers.identity) {
                tally.pieces = Pieces::default();
                tally.identity = Some(numbers.identity);
            }
            // Counts left by a page whose counting panicked are not this page's.
            for n in tally.counted.drain(..) {
                if let Some(counts) = tally.by_number.get_mut(n as usize) {
                    *counts = 0;
                }
            }
            if tally.by_number.len() < numbers.terms.len() {
                tally.by_number.resize(numbers.terms.len(), 0);
            }
            let Tally {
                by_number,
                counted,
                pieces,
                group: group_counts,
                ..
            } = tally;
            let mut counting = Counting {
                numbers: &numbers,
                by_number,
                counted,
                new: NewTerms::default(),
            };
            counting.text(title, Field::Title, pieces);
            for (h, heading) in text.headings.iter().enumerate() {
                counting.text(heading, Field::Heading(h as u32), pieces);
            }
            // The page's group and its terms' counts, when the collector groups pages.
            let mut group: Option<(u32, GroupTerms)> = None;
            match groups {
                None => counting.text(&text.body, Field::Text, pieces),
                Some(groups) => {
                    let (mut known, mut met) = (Vec::new(), Vec::new());
                    let mut found = None;
                    {
                        let table = read_groups(groups);
                        counting.grouped_text(&text.body, &table, &mut known, &mut met, pieces);
                        if let Some(&g) = table.by_pieces.get(&known[..]) {
                            found = table.terms.get(g as usize).map(|terms| (g, terms.clone()));
                        }
                    }
                    if found.is_none() && !known.is_empty() {
                        let mut table = write_groups(groups);
                        table.meet(met);
                        match table.group(&known) {
                            Some(g) => {
                                found = table.terms.get(g as usize).map(|t| (g, t.clone()));
                            }
                            // No group: the known pieces counted as the others.
                            None => {
                                for &known in &known {
                                    let terms = table.piece_terms.get(known as usize);
                                    counting.numbers(terms.map_or(&[][..], |t| t), Field::Text);
                                }
                            }
                        }
                    } else if !met.is_empty()
                        && let Ok(mut table) = groups.try_write()
                    {
                        // (Busy: the pieces are met again on a later page.)
                        table.meet(met);
                    }
                    group = found;
                }
            }
            let new = counting.new;
            drop(numbers);
            piece.reserve(4 * (counted.len() + new.han.len() + new.words.len()));
            let of_group = group.as_ref().map(|(_, terms)| group_counts.of(terms));
            for n in counted.drain(..) {
                if let Some(counts) = by_number.get_mut(n as usize) {
                    let mut counts = std::mem::take(counts);
                    // A term of the page's group too: its times in the group's text added;
                    // the page is counted among the term's pages with the group's.
                    let in_group = of_group
                        .and_then(|of_group| of_group.get(n as usize).copied())
                        .filter(|&counts| counts != 0);
                    if let Some(group_counts) = in_group {
                        counts = with_group(counts, group_counts);
                    }
                    piece.extend(pack(n, weigh(counts)).to_le_bytes());
                    if let (Some(pages), None) = (pages_of_term.as_deref_mut(), in_group) {
                        count_page(pages, n);
                    }
                }
            }
            (new, group.map(|(g, _)| g))
        });
        Counted { piece, new, group }
    }

    /// Whether the dictionary numbered every term when they were counted.
    fn is_numbered(&self) -> bool {
        self.new.han.is_empty() && self.new.words.is_empty()
    }

    /// Numbers the new terms in `dictionary` (one core at a time) and adds them, counting
    /// the page in `pages_of_term` (when given) for each.
    fn number(&mut self, dictionary: &mut Dictionary, mut pages_of_term: Option<&mut Vec<u32>>) {
        let mut add = |number: u32, counts: Counts| {
            self.piece.extend(pack(number, weigh(counts)).to_le_bytes());
            if let Some(pages) = pages_of_term.as_deref_mut() {
                count_page(pages, number);
            }
        };
        for (key, counts) in self.new.han.drain() {
            add(dictionary.han_or_new(key), counts);
        }
        for (word, counts) in self.new.words.drain() {
            add(dictionary.word_or_new(&word), counts);
        }
    }

    /// The entry (its terms [`Counted::number`]ed first), with `text` kept for the snippets.
    fn entry(mut self, text: Option<&str>) -> Entry {
        debug_assert!(self.is_numbered(), "a page's new terms were not numbered");
        let terms = ((self.piece.len() - HEAD) / 4) as u32;
        self.piece[..4].copy_from_slice(&terms.to_le_bytes());
        let group = self.group.map_or(0, |g| g + 1);
        self.piece[4..HEAD].copy_from_slice(&group.to_le_bytes());
        if let Some(text) = text {
            self.piece.extend_from_slice(text.as_bytes());
        }
        Entry {
            piece: Bytes::from(self.piece),
            terms,
        }
    }
}

/// What of a page's text the index keeps for the snippets: at most [`TEXT_LIMIT`]
/// characters.
fn kept_text(body: &str) -> &str {
    // (A text of no more bytes than the limit has no more characters: not counted.)
    if body.len() <= TEXT_LIMIT {
        return body;
    }
    match body.char_indices().nth(TEXT_LIMIT) {
        Some((end, _)) => &body[..end],
        None => body,
    }
}

/// The page files ([`super::files`]) of a build, each made as soon as the last of its
/// pages is put — during the pages' rendering, on every core — rather than read back at the
/// end: the pages' texts then need not be kept with their terms.
struct PageFiles {
    /// Every page, in reading order.
    pages: Arc<[Page]>,
    /// The texts of files still waiting for some of their pages, by file number.
    waiting: Mutex<FxHashMap<usize, Vec<Option<Vec<u8>>>>>,
}

impl PageFiles {
    /// Takes the text of page `index`: the page file (its number and bytes) when it was the
    /// last of its file's pages to come.
    fn put(&self, index: usize, text: Vec<u8>) -> Option<PageFile> {
        let per_file = super::files::PAGES_PER_FILE;
        let n = index / per_file;
        let first = n * per_file;
        let texts = {
            let mut waiting = lock(&self.waiting);
            let texts = waiting.entry(n).or_insert_with(|| {
                vec![None; per_file.min(self.pages.len().saturating_sub(first)).max(1)]
            });
            if let Some(slot) = texts.get_mut(index - first) {
                *slot = Some(text);
            }
            if texts.iter().any(Option::is_none) {
                return None;
            }
            waiting.remove(&n)?
        };
        Some((n, page_file(&self.pages, n, texts)))
    }

    /// The pages, and the files still waiting with what came of their pages, in file order.
    fn rest(self) -> (Arc<[Page]>, Vec<PageFile>) {
        let waiting = self.waiting.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut rest: Vec<(usize, Vec<Option<Vec<u8>>>)> = waiting.into_iter().collect();
        rest.sort_unstable_by_key(|(n, _)| *n);
        let files = rest
            .into_iter()
            .map(|(n, texts)| (n, page_file(&self.pages, n, texts)))
            .collect();
        (self.pages, files)
    }
}

/// A page file of the index: its number and its bytes.
type PageFile = (usize, Vec<u8>);

/// The bytes of page file `n` of `pages` with `texts` (a page not put has none).
fn page_file(pages: &[Page], n: usize, texts: Vec<Option<Vec<u8>>>) -> Vec<u8> {
    let texts: Vec<Vec<u8>> = texts.into_iter().map(Option::unwrap_or_default).collect();
    super::files::pages_script(n, pages, &texts)
}

/// A page of the index: what a search result shows of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Its path in the site.
    pub url: String,
    /// Its title.
    pub title: String,
    /// Its place in the report (`示例乡…汇报 › 村委会概况`).
    pub place: String,
}

/// The index as the pages are rendered (from every core, in any order): each page's entry
/// kept whole, in memory or spilled to a scratch file by a build, and read back in page order
/// at the end.
pub struct Collector {
    dictionary: Arc<RwLock<Dictionary>>,
    entries: Spill,
    /// What is counted of the entries' terms as they are put.
    counts: TermCounts,
    /// Pages put by [`Collector::put_text`] whose terms are not counted yet: a batch for
    /// each thread (at least one).
    waiting: Vec<Mutex<Vec<(usize, String, PageText)>>>,
    /// The page files made as the pages come (a build's: [`Collector::making_page_files`]).
    page_files: Option<PageFiles>,
    /// The pages put by [`Collector::put_text`] grouped by the pieces they share (not the
    /// preview's, whose entries are made alone and reused).
    groups: Option<RwLock<Groups>>,
    /// How many pages each group has: a count for each thread (as [`Collector::waiting`]).
    group_pages: Vec<Mutex<Vec<u32>>>,
}

/// What a [`Collector`] counts of the entries' terms as they are put.
enum TermCounts {
    /// How many pages each term (by number) is in, so that a build makes the lists reading
    /// the entries once (the number of (term, page) pairs is their sum): a count for each
    /// thread (as [`Collector::waiting`]; summed at the end), the pages counted as their terms
    /// are, with no other core waiting.
    PagesOfTerm(Vec<Mutex<Vec<u32>>>),
    /// Only the number of (term, page) pairs: the preview's index counts each term's pages
    /// when a search first asks (most rebuilds are never searched).
    Postings(std::sync::atomic::AtomicUsize),
}

/// A mutex for each thread of the pool (at least one).
fn slots<T: Default>() -> Vec<Mutex<T>> {
    (0..rayon::current_num_threads().max(1))
        .map(|_| Mutex::default())
        .collect()
}

/// How many pages' texts [`Collector::put_text`] holds for each thread before it counts
/// their terms, one page after the other.
const BATCH: usize = 128;

/// Weights are below 64 (title 24 + three headings 9 + five times 5): a (number, weight) pair
/// is one `u32`, the number in the top 26 bits (67 million pages or terms) — and a list of
/// packed (page, weight) sorts by page.
const WEIGHT_BITS: u32 = 6;

/// `number` and `weight` in one `u32`.
pub(crate) fn pack(number: u32, weight: u32) -> u32 {
    debug_assert!(number < 1 << (32 - WEIGHT_BITS), "{number} does not fit");
    number << WEIGHT_BITS | weight.min((1 << WEIGHT_BITS) - 1)
}

/// The (number, weight) of a [`pack`]ed pair.
fn unpack(packed: u32) -> (u32, u32) {
    (packed >> WEIGHT_BITS, packed & ((1 << WEIGHT_BITS) - 1))
}

impl Collector {
    /// A collector naming terms by `dictionary`, keeping the pages' entries in `entries`.
    pub fn new(dictionary: Arc<RwLock<Dictionary>>, entries: Spill) -> Collector {
        Collector {
            dictionary,
            entries,
            counts: TermCounts::PagesOfTerm(slots()),
            waiting: slots(),
            page_files: None,
            groups: Some(RwLock::default()),
            group_pages: slots(),
        }
    }

    /// The collector, making each page file ([`super::files`]) of `pages` (every page, in
    /// reading order) as soon as its pages are put by [`Collector::put_text`] — a build's,
    /// which writes them as they come — and keeping the entries' terms without their texts.
    pub fn making_page_files(self, pages: impl Into<Arc<[Page]>>) -> Collector {
        Collector {
            page_files: Some(PageFiles {
                pages: pages.into(),
                waiting: Mutex::default(),
            }),
            ..self
        }
    }

    /// A collector keeping the entries in memory (the preview, which reuses them from build
    /// to build), whose terms' pages are counted only when the lists are first made.
    pub fn kept(dictionary: Arc<RwLock<Dictionary>>) -> Collector {
        Collector {
            counts: TermCounts::Postings(Default::default()),
            groups: None,
            ..Collector::new(dictionary, Spill::in_memory())
        }
    }

    /// Adds page `index` (its place in the reading order) titled `title` with `text`, its
    /// entry made later: a thread's pages are counted [`BATCH`] at a time, one after the
    /// other, while the index's tables are in the processor's caches (between two pages a
    /// build renders a page, which pushes them out). For a build, which keeps no entry.
    /// When the collector makes the page files, the one this page completed (its number and
    /// bytes), for the caller to write.
    pub fn put_text(
        &self,
        index: usize,
        title: String,
        text: PageText,
    ) -> std::io::Result<Option<(usize, Vec<u8>)>> {
        let page_file = self
            .page_files
            .as_ref()
            .and_then(|files| files.put(index, kept_text(&text.body).as_bytes().to_vec()));
        let slot = self.slot();
        let batch = {
            let mut waiting = lock(&self.waiting[slot]);
            waiting.push((index, title, text));
            if waiting.len() < BATCH {
                return Ok(page_file);
            }
            std::mem::take(&mut *waiting)
        };
        self.count(batch)?;
        Ok(page_file)
    }

    /// Makes and adds the entries of `pages` (their texts kept unless the page files are
    /// made as the pages come). A page's new terms are numbered at once if no other core is
    /// using the dictionary, or else with the other such pages at the end: numbering waits
    /// for every core to finish the page it is counting, and stops them counting, which for
    /// each page would idle the cores.
    fn count(&self, pages: Vec<(usize, String, PageText)>) -> std::io::Result<()> {
        let with_text = self.page_files.is_none();
        // This thread's count of the pages of each term, if the collector counts them.
        let mut pages_of_term = match &self.counts {
            TermCounts::PagesOfTerm(slots) => Some(lock(&slots[self.slot() % slots.len()])),
            TermCounts::Postings(_) => None,
        };
        // And of the pages of each group (the collector groups pages only if it counts them).
        let mut group_pages = pages_of_term
            .is_some()
            .then(|| lock(&self.group_pages[self.slot() % self.group_pages.len()]));
        let groups = self.groups.as_ref().filter(|_| group_pages.is_some());
        let mut waiting: Vec<(usize, Counted, Option<PageText>)> = Vec::new();
        for (index, title, text) in pages {
            let mut page = Counted::of(
                &title,
                &text,
                &self.dictionary,
                pages_of_term.as_deref_mut(),
                groups,
            );
            if let (Some(group), Some(pages)) = (page.group, group_pages.as_deref_mut()) {
                count_page(pages, group);
            }
            if !page.is_numbered() {
                match write_now(&self.dictionary) {
                    Some(mut dictionary) => {
                        page.number(&mut dictionary, pages_of_term.as_deref_mut())
                    }
                    None => {
                        waiting.push((index, page, with_text.then_some(text)));
                        continue;
                    }
                }
            }
            self.keep(index, &page.entry(with_text.then(|| kept_text(&text.body))))?;
        }
        if waiting.is_empty() {
            return Ok(());
        }
        let mut dictionary = write(&self.dictionary);
        for (_, page, _) in &mut waiting {
            page.number(&mut dictionary, pages_of_term.as_deref_mut());
        }
        drop(dictionary);
        for (index, page, text) in waiting {
            let text = text.as_ref().map(|text| kept_text(&text.body));
            self.keep(index, &page.entry(text))?;
        }
        Ok(())
    }

    /// The slot of the thread calling in [`Collector::waiting`].
    fn slot(&self) -> usize {
        rayon::current_thread_index().unwrap_or(0) % self.waiting.len()
    }

    /// The dictionary the entries are made with.
    pub fn dictionary(&self) -> &RwLock<Dictionary> {
        &self.dictionary
    }

    /// Adds the entry of page `index` (its place in the reading order).
    pub fn put(&self, index: usize, entry: &Entry) -> std::io::Result<()> {
        if let TermCounts::PagesOfTerm(slots) = &self.counts {
            let mut pages_of_term = lock(&slots[self.slot() % slots.len()]);
            count_pages(&mut pages_of_term, split_piece(&entry.piece).0);
        }
        self.keep(index, entry)
    }

    /// Keeps the entry of page `index`, its pages of terms counted already (when the
    /// collector counts them).
    fn keep(&self, index: usize, entry: &Entry) -> std::io::Result<()> {
        let terms = entry.terms as usize;
        if let TermCounts::Postings(postings) = &self.counts {
            postings.fetch_add(terms, std::sync::atomic::Ordering::Relaxed);
        }
        // The terms are the piece's head: the lists are made without reading the texts.
        self.entries
            .put_with_head(index, entry.piece.clone(), HEAD + 4 * terms)
    }

    /// The index of the pages put, `pages` giving every page in reading order (asked only
    /// when the collector was not given them to make the page files). Its terms' lists are
    /// made when first needed ([`Index::shards`]): the preview makes them only when a search
    /// asks.
    pub fn finish<P: Into<Arc<[Page]>>>(self, pages: impl FnOnce() -> P) -> Index {
        // The pages still waiting; were they not to be kept, the index says so when used.
        let counted = self
            .waiting
            .iter()
            .try_for_each(|waiting| self.count(std::mem::take(&mut *lock(waiting))));
        let lists = OnceLock::new();
        if let Err(error) = counted {
            let _ = lists.set(Err(error.to_string()));
        }
        // Each group's terms with their weights, and how many pages each group has.
        let group_terms: Vec<Box<[(u32, u32)]>> = self.groups.map_or(Vec::new(), |groups| {
            let groups = groups.into_inner().unwrap_or_else(|e| e.into_inner());
            let weighed = |terms: &GroupTerms| {
                terms
                    .iter()
                    .map(|&(term, counts)| (term, weigh(counts)))
                    .collect()
            };
            groups.terms.iter().map(weighed).collect()
        });
        let pages_of_group = sum_slots(self.group_pages);
        let (pages_of_term, postings) = match self.counts {
            TermCounts::PagesOfTerm(slots) => {
                let mut counted = sum_slots(slots);
                // A group's terms are in each of its pages (but for those a page counted with
                // its own terms, counted there).
                for (terms, &pages) in group_terms.iter().zip(&pages_of_group) {
                    for &(term, _) in terms.iter() {
                        if counted.len() <= term as usize {
                            counted.resize(term as usize + 1, 0);
                        }
                        counted[term as usize] += pages;
                    }
                }
                let postings = counted.iter().map(|&pages| pages as usize).sum();
                (Some(counted), postings)
            }
            TermCounts::Postings(postings) => (None, postings.into_inner()),
        };
        // Shards of at most about `SHARD_BYTES` each, as many as a power of two: one for a
        // township's report. A (term, page) pair is counted as two bytes written: from five
        // (a page number's difference and a weight) to none (a pair repeating the one before,
        // as the pages of one kind repeat their prose: 0.4 a pair at 10,000 villages).
        let wanted = (postings * 2).div_ceil(super::files::SHARD_BYTES).max(1);
        let shard_count = (wanted.next_power_of_two() as u32).min(super::files::MOST_SHARDS);
        let (pages, page_files_left) = match self.page_files.map(PageFiles::rest) {
            Some((pages, left)) => (pages, Some(left)),
            None => (pages().into(), None),
        };
        Index {
            page_files_left,
            pages,
            dictionary: self.dictionary,
            entries: self.entries,
            pages_of_term,
            group_terms,
            shard_count,
            lists,
        }
    }
}

/// The counts of each thread's slot summed, number by number.
fn sum_slots(slots: Vec<Mutex<Vec<u32>>>) -> Vec<u32> {
    let mut counted = Vec::new();
    for slot in slots {
        let slot = slot.into_inner().unwrap_or_else(|e| e.into_inner());
        if counted.len() < slot.len() {
            counted.resize(slot.len(), 0);
        }
        for (sum, pages) in counted.iter_mut().zip(slot) {
            *sum += pages;
        }
    }
    counted
}

/// Counts the page of an entry's `terms` (its [`pack`]ed pairs) in `pages_of_term`.
fn count_pages(pages_of_term: &mut Vec<u32>, terms: &[u8]) {
    for packed in packed_terms(terms) {
        count_page(pages_of_term, unpack(packed).0);
    }
}

/// Counts a page of term `term` in `pages_of_term`.
fn count_page(pages_of_term: &mut Vec<u32>, term: u32) {
    let term = term as usize;
    if term >= pages_of_term.len() {
        pages_of_term.resize(term + 1, 0);
    }
    pages_of_term[term] += 1;
}

/// The finished index: the pages in reading order, each page's entry, and (made when first
/// needed) each term with its pages and weights in page order.
pub struct Index {
    /// Shared: the preview makes them once for a plan, not at every rebuild.
    pages: Arc<[Page]>,
    /// When the page files were made as the pages came: those still to write (pages that
    /// never came).
    page_files_left: Option<Vec<PageFile>>,
    dictionary: Arc<RwLock<Dictionary>>,
    /// The pages' entries.
    entries: Spill,
    /// How many pages each term (by number) is in (`None`: counted when the lists are made).
    pages_of_term: Option<Vec<u32>>,
    /// Each [`Groups`]' group's terms with their weights, ascending (none: the preview's).
    group_terms: Vec<Box<[(u32, u32)]>>,
    shard_count: u32,
    /// The terms' lists, or why the entries could not be read back.
    lists: OnceLock<Result<Lists, String>>,
}

/// Every term's pages and weights.
struct Lists {
    /// In term order, each with where its runs are in `runs`.
    terms: Vec<(Box<str>, std::ops::Range<usize>)>,
    /// The terms' postings in runs ([`Run`]).
    runs: Vec<Run>,
}

/// Postings in a row that are each as far from the one before, with one weight: that
/// (difference, weight) [`pack`]ed, and how many. A term's list is its runs, two in a row
/// never of the same difference and weight ([`Postings::runs`]): the pages of a group
/// ([`Groups`]) — most of a report's kind — are a few runs for each of the group's terms,
/// written without making a posting for each page.
pub type Run = (u32, u32);

/// Writes a term's postings, in page order, as its runs: a posting or a series of them at a
/// time.
struct RunWriter<'r> {
    runs: &'r mut Vec<Run>,
    /// Where the term's runs start in `runs`.
    start: usize,
    /// The page of the last posting written.
    before: u32,
}

impl<'r> RunWriter<'r> {
    /// A writer of a term's runs after those in `runs`.
    fn new(runs: &'r mut Vec<Run>) -> RunWriter<'r> {
        let start = runs.len();
        RunWriter {
            runs,
            start,
            before: 0,
        }
    }

    /// `count` postings more, each `difference` pages after the one before, of `weight`.
    fn repeat(&mut self, difference: u32, weight: u32, count: u32) {
        let key = pack(difference, weight);
        let mine = self.runs.len() > self.start;
        match self.runs.last_mut() {
            Some((last, times)) if mine && *last == key => *times += count,
            _ => self.runs.push((key, count)),
        }
    }

    /// The posting of `page` (after the last), of `weight`.
    fn posting(&mut self, page: u32, weight: u32) {
        self.repeat(page - self.before, weight, 1);
        self.before = page;
    }

    /// The [`pack`]ed postings `packed` (ascending, after the last).
    fn packed(&mut self, packed: &[u32]) {
        for &pair in packed {
            let (page, weight) = unpack(pair);
            self.posting(page, weight);
        }
    }

    /// `count` postings of `weight` from page `first` on, `step` pages apart.
    fn series(&mut self, (first, step, count): Series, weight: u32) {
        if count == 0 {
            return;
        }
        self.posting(first, weight);
        if count > 1 {
            self.repeat(step, weight, count - 1);
            self.before = first + step * (count - 1);
        }
    }
}

/// Pages in a row each as far from the one before: (the first, how far apart, how many).
type Series = (u32, u32, u32);

/// `pages` (ascending) as series, each as long as it can be.
fn series_of(pages: &[u32]) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    let mut at = 0;
    while let Some(&first) = pages.get(at) {
        let step = pages.get(at + 1).map_or(0, |&next| next - first);
        let mut count = 1;
        while pages.get(at + count as usize) == Some(&(first + step * count)) && step > 0 {
            count += 1;
        }
        out.push((first, step, count));
        at += count as usize;
    }
    out
}

/// Writes a term's postings: its pages' `own` ([`pack`]ed, ascending) and the pages of its
/// one group (as series, ascending) with its `weight` there, a page of both with its own
/// weight — in the group's runs, not page by page.
fn write_with_group(writer: &mut RunWriter<'_>, own: &[u32], group: &[Series], weight: u32) {
    let mut own = own.iter().map(|&pair| unpack(pair)).peekable();
    for &(first, step, count) in group {
        let (mut page, mut left) = (first, count);
        while left > 0 {
            let last = page + step * (left - 1);
            match own.peek().copied() {
                Some((mine, my_weight)) if mine <= page => {
                    writer.posting(mine, my_weight);
                    own.next();
                    if mine == page {
                        page += step;
                        left -= 1;
                    }
                }
                // Before an own page within the series: the group's pages up to it.
                Some((mine, _)) if mine <= last => {
                    let before = (mine - page).div_ceil(step);
                    writer.series((page, step, before), weight);
                    page += step * before;
                    left -= before;
                }
                _ => {
                    writer.series((page, step, left), weight);
                    left = 0;
                }
            }
        }
    }
    for (page, my_weight) in own {
        writer.posting(page, my_weight);
    }
}

impl Lists {
    /// The lists of the entries' terms `listed` (term numbers, ascending; `None`: every
    /// term), `pages_of_term` saying how many pages each term is in: the entries' terms read
    /// (a scratch file: from the disk cache; not their texts) and placed in page order — in
    /// `runs` runs on as many cores, each placing a run of terms with about as many postings
    /// —, then written as [`Run`]s with the pages of the groups they are in (a group's pages
    /// as series: [`write_with_group`]).
    fn make(
        entries: &Spill,
        dictionary: &RwLock<Dictionary>,
        pages_of_term: &[u32],
        listed: Option<&[u32]>,
        runs: usize,
        group_terms: &[Box<[(u32, u32)]>],
    ) -> std::io::Result<Lists> {
        let dictionary = read(dictionary);
        let term_count = dictionary.terms.len();
        // The term at each place of the lists, and each term's place (`u32::MAX`: not
        // listed) — when every term is listed, each term is at its own number.
        let listed_count = listed.map_or(term_count, <[u32]>::len);
        let term_at = |at: usize| listed.map_or(at as u32, |listed| listed[at]);
        let place: Option<Vec<u32>> = listed.map(|listed| {
            let mut place = vec![u32::MAX; term_count];
            for (at, &term) in listed.iter().enumerate() {
                if let Some(slot) = place.get_mut(term as usize) {
                    *slot = at as u32;
                }
            }
            place
        });
        let mut starts = vec![0u32; listed_count + 1];
        for at in 0..listed_count {
            let count = pages_of_term
                .get(term_at(at) as usize)
                .copied()
                .unwrap_or(0);
            starts[at + 1] = starts[at] + count;
        }
        let total = starts[listed_count] as usize;
        let mut postings = vec![0u32; total];
        // The runs of terms: bounds by place in `listed`, each run's postings a slice of its
        // own.
        let mut bounds = vec![0];
        for run in 1..runs {
            let half_way = (total * run / runs) as u32;
            let bound = starts
                .partition_point(|&start| start < half_way)
                .min(listed_count);
            bounds.push(bound.max(*bounds.last().unwrap_or(&0)));
        }
        bounds.push(listed_count);
        let mut slices = Vec::with_capacity(runs);
        let mut rest = &mut postings[..];
        for pair in bounds.windows(2) {
            let (first, end) = (pair[0], pair[1]);
            let len = (starts[end] - starts[first]) as usize;
            let (run, after) = rest.split_at_mut(len);
            slices.push((first..end, run));
            rest = after;
        }
        let place = place.as_deref();
        // A term's place in the lists (`u32::MAX`: not listed).
        let place_of = |term: u32| match place {
            Some(place) => place.get(term as usize).copied().unwrap_or(u32::MAX),
            None => term,
        };
        // Each run's terms' runs, and where each term's are among them.
        let made: Vec<(Vec<Run>, Vec<std::ops::Range<usize>>)> = slices
            .into_par_iter()
            .map(|(terms, run)| {
                // Where each term's next own posting goes in `run`.
                let base = starts[terms.start];
                let mut next: Vec<u32> = starts[terms.clone()]
                    .iter()
                    .map(|start| start - base)
                    .collect();
                let (low, high) = (terms.start as u32, terms.end as u32);
                // Each group's pages, in page order.
                let mut group_pages: Vec<Vec<u32>> = vec![Vec::new(); group_terms.len()];
                entries.for_each_part::<std::io::Error>(Part::Head, &mut |page, head| {
                    if let Some(pages) =
                        head_group(head).and_then(|g| group_pages.get_mut(g as usize))
                    {
                        pages.push(page as u32);
                    }
                    for pair in packed_terms(head_terms(head)) {
                        let (term, weight) = unpack(pair);
                        let at = place_of(term);
                        if at < low || at >= high {
                            continue;
                        }
                        let at = &mut next[(at - low) as usize];
                        if let Some(slot) = run.get_mut(*at as usize) {
                            *slot = pack(page as u32, weight);
                        }
                        *at += 1;
                    }
                    Ok(())
                })?;
                // The run's terms of the groups: (place, group, weight), by place.
                let mut of_groups: Vec<(u32, u32, u32)> = Vec::new();
                for (group, terms) in group_terms.iter().enumerate() {
                    for &(term, weight) in terms.iter() {
                        let at = place_of(term);
                        if (low..high).contains(&at) {
                            of_groups.push((at, group as u32, weight));
                        }
                    }
                }
                of_groups.sort_unstable();
                let series: Vec<Vec<Series>> =
                    group_pages.iter().map(|pages| series_of(pages)).collect();
                // Each term's own postings merged with its groups' pages, in page order.
                let mut runs: Vec<Run> = Vec::new();
                let mut ranges = Vec::with_capacity(terms.len());
                let mut of_groups = of_groups.chunk_by(|a, b| a.0 == b.0).peekable();
                let mut merged: Vec<u32> = Vec::new();
                for at in terms {
                    let start = (starts[at] - base) as usize;
                    let placed = next[at - low as usize] as usize;
                    let own = run.get(start..placed).unwrap_or_default();
                    let groups = of_groups.next_if(|same| same[0].0 as usize == at);
                    let first = runs.len();
                    let mut writer = RunWriter::new(&mut runs);
                    match groups {
                        None => writer.packed(own),
                        Some(&[(_, group, weight)]) => {
                            let group = series.get(group as usize).map_or(&[][..], |s| &s[..]);
                            write_with_group(&mut writer, own, group, weight);
                        }
                        // A term of several groups (pages of different kinds): its postings
                        // made one by one.
                        Some(same) => {
                            let listed: Vec<(&[u32], u32)> = same
                                .iter()
                                .filter_map(|&(_, group, weight)| {
                                    Some((&group_pages.get(group as usize)?[..], weight))
                                })
                                .collect();
                            let end = (starts[at + 1] - base) as usize;
                            merged.clear();
                            merged.resize(end - start, 0);
                            let written = merge_postings(&mut merged, own, &listed);
                            writer.packed(&merged[..written]);
                        }
                    }
                    ranges.push(first..runs.len());
                }
                Ok((runs, ranges))
            })
            .collect::<std::io::Result<_>>()?;
        drop(postings);
        // The runs side by side, each term's range among them by place.
        let mut runs: Vec<Run> = Vec::with_capacity(made.iter().map(|(r, _)| r.len()).sum());
        let mut ranges: Vec<std::ops::Range<usize>> = Vec::with_capacity(listed_count);
        for (made_runs, made_ranges) in made {
            let offset = runs.len();
            runs.extend_from_slice(&made_runs);
            ranges.extend(
                made_ranges
                    .into_iter()
                    .map(|range| range.start + offset..range.end + offset),
            );
        }
        // Sorted by their first eight bytes, then (rarely: most terms are no longer) the rest.
        let mut terms: Vec<(u64, Box<str>, std::ops::Range<usize>)> = (0..listed_count)
            .filter(|&at| starts[at] < starts[at + 1])
            .map(|at| {
                let range = ranges.get(at).cloned().unwrap_or_default();
                let term = dictionary.term(term_at(at));
                (first_bytes(term), term.into(), range)
            })
            .collect();
        drop(dictionary);
        terms.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let terms = terms
            .into_iter()
            .map(|(_, term, range)| (term, range))
            .collect();
        Ok(Lists { terms, runs })
    }

    /// The terms of shards `first..` (of `count`), each term with its pages and weights, in
    /// term order, one list a shard.
    fn shards(&self, first: u32, count: u32, shard_count: u32) -> Vec<Shard<'_>> {
        let mut out = vec![Vec::new(); count as usize];
        for (at, (term, _)) in self.terms.iter().enumerate() {
            let shard = tokens::shard(term, shard_count);
            if let Some(list) = shard
                .checked_sub(first)
                .and_then(|n| out.get_mut(n as usize))
            {
                list.push((&**term, self.postings_of(at)));
            }
        }
        out
    }

    /// The postings of term number `at` in term order.
    fn postings_of(&self, at: usize) -> Postings<'_> {
        Postings(self.runs.get(self.terms[at].1.clone()).unwrap_or_default())
    }
}

/// Writes into `room` the [`pack`]ed (page, weight) postings of a term: its pages' `own`
/// (ascending) and the pages of its `groups` (each ascending, with the term's weight in the
/// group; no page in two groups), a page of both with its own weight, in page order; how
/// many.
fn merge_postings(room: &mut [u32], own: &[u32], groups: &[(&[u32], u32)]) -> usize {
    let mut next_of_group = vec![0usize; groups.len()];
    let (mut next_own, mut written) = (0, 0);
    while written < room.len() {
        // The group whose next page comes first.
        let first_of_groups = groups
            .iter()
            .zip(&next_of_group)
            .enumerate()
            .filter_map(|(g, ((pages, _), &next))| Some((*pages.get(next)?, g)))
            .min();
        let own_page = own.get(next_own).map(|&pair| unpack(pair).0);
        let posting = match (own_page, first_of_groups) {
            (None, None) => break,
            (None, Some((first, g))) => {
                next_of_group[g] += 1;
                pack(first, groups[g].1)
            }
            (Some(page), Some((first, g))) if first < page => {
                next_of_group[g] += 1;
                pack(first, groups[g].1)
            }
            (Some(page), group) => {
                // The page's own weight, whether or not its group has the term too.
                if let Some((first, g)) = group
                    && first == page
                {
                    next_of_group[g] += 1;
                }
                next_own += 1;
                own[next_own - 1]
            }
        };
        room[written] = posting;
        written += 1;
    }
    written
}

/// The first eight bytes of `term` as a number that sorts as they do (zeros after a shorter
/// term: no term has a NUL byte, so one that is the start of another sorts first).
fn first_bytes(term: &str) -> u64 {
    let mut bytes = [0u8; 8];
    let len = term.len().min(8);
    bytes[..len].copy_from_slice(&term.as_bytes()[..len]);
    u64::from_be_bytes(bytes)
}

/// How many runs make the terms' lists when no core is busy otherwise: one a core (at most
/// sixteen: each run reads every page's terms).
fn every_core() -> usize {
    rayon::current_num_threads().clamp(1, 16)
}

/// A shard's terms, each with its pages and weights, in term order.
pub type Shard<'i> = Vec<(&'i str, Postings<'i>)>;

/// What [`Index::for_each_shard_batch`] calls with each batch (its first shard's number and
/// the shards): `Err` stops the walk.
pub type EachBatch<'e, E> = dyn for<'s> FnMut(u32, Vec<Shard<'s>>) -> Result<(), E> + 'e;

/// A term's pages and weights, in page order: its [`Run`]s.
#[derive(Clone, Copy, Debug)]
pub struct Postings<'i>(&'i [Run]);

impl Postings<'_> {
    /// The runs of the [`pack`]ed (page, weight) pairs `packed` (pages ascending), for
    /// [`Postings::from_runs`].
    pub fn runs_of(packed: &[u32]) -> Vec<Run> {
        let mut runs = Vec::new();
        RunWriter::new(&mut runs).packed(packed);
        runs
    }

    /// The postings of `runs` ([`Postings::runs_of`]).
    pub fn from_runs(runs: &[Run]) -> Postings<'_> {
        Postings(runs)
    }

    /// How many pages.
    pub fn len(&self) -> usize {
        self.0.iter().map(|&(_, count)| count as usize).sum()
    }

    /// Whether no page.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The (page, weight) pairs.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let mut page = 0;
        self.0.iter().flat_map(move |&(key, count)| {
            let (difference, weight) = unpack(key);
            let first = page + difference;
            page = first + difference * (count - 1);
            (0..count).map(move |n| (first + difference * n, weight))
        })
    }

    /// The pairs in runs: (a page's difference from the page before, its weight, how many
    /// pages in a row are that far from the one before with that weight), two runs in a row
    /// never of the same difference and weight. The pages of a report's kind share their
    /// prose: most of a large index's pairs are in a few long runs.
    pub fn runs(&self) -> impl Iterator<Item = (u32, u32, u32)> + '_ {
        self.0.iter().map(|&(key, count)| {
            let (difference, weight) = unpack(key);
            (difference, weight, count)
        })
    }
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("pages", &self.pages.len())
            .field("shards", &self.shard_count)
            .finish()
    }
}

impl Index {
    /// The pages, in reading order.
    pub fn pages(&self) -> &[Page] {
        &self.pages
    }

    /// The pages `query` finds, best first, as (page, score): each has every term of the
    /// query; its score is the sum of their weights there. The reference of what the search
    /// page's program does (for tests and benchmarks; the page then also ranks the results it
    /// shows by how near their terms are). Nothing when the entries cannot be read back.
    pub fn search(&self, query: &str) -> Vec<(u32, u32)> {
        let Ok(lists) = self.lists(every_core()) else {
            return Vec::new();
        };
        let terms = tokens::query_terms(query);
        let mut found: Option<BTreeMap<u32, u32>> = None;
        for term in &terms {
            let postings: BTreeMap<u32, u32> = lists
                .terms
                .binary_search_by(|(t, _)| (**t).cmp(term.as_str()))
                .map(|at| lists.postings_of(at).iter().collect())
                .unwrap_or_default();
            found = Some(match found {
                None => postings,
                Some(before) => before
                    .into_iter()
                    .filter_map(|(page, score)| postings.get(&page).map(|w| (page, score + w)))
                    .collect(),
            });
        }
        let mut results: Vec<(u32, u32)> = found.unwrap_or_default().into_iter().collect();
        results.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        results
    }

    /// How many shards the terms are cut into: a power of two, so that each holds about
    /// [`super::files::SHARD_BYTES`].
    pub fn shard_count(&self) -> u32 {
        self.shard_count
    }

    /// The terms of each shard (see [`tokens::shard`]), each term with its pages and
    /// weights, in term order.
    pub fn shards(&self) -> std::io::Result<Vec<Shard<'_>>> {
        self.shards_in(every_core())
    }

    /// [`Index::shards`], the lists (when not made yet) made in `runs` runs on as many
    /// cores — each run reads every page's terms: one when the other cores are busy.
    pub fn shards_in(&self, runs: usize) -> std::io::Result<Vec<Shard<'_>>> {
        let lists = self.lists(runs)?;
        Ok(lists.shards(0, self.shard_count, self.shard_count))
    }

    /// Calls `each` with the first shard's number and the terms of each shard from it (as
    /// [`Index::shards`] gives them), a batch of shards at a time: each batch's lists are
    /// made (in `runs` runs) for it and let go before the next, so that a build holds about
    /// `batch_postings` postings, not every one (74 million at 100,000 villages: 300 MB).
    /// Entries in a scratch file are read once and split by batch into scratch files of their
    /// own ([`Index::split_by_batch`]), each batch reading only its own; entries in memory are
    /// read again by each batch.
    /// `each` may stop with an error of its own (`E`), handed back as a failure to read the
    /// scratch file is.
    pub fn for_each_shard_batch<E: From<std::io::Error>>(
        &self,
        runs: usize,
        batch_postings: usize,
        each: &mut EachBatch<'_, E>,
    ) -> Result<(), E> {
        let pages_of_term = self.pages_of_term()?;
        // Each term's shard, and how many postings each shard has.
        let shard_of: Vec<u32> = {
            let dictionary = read(&self.dictionary);
            (0..dictionary.terms.len() as u32)
                .map(|term| tokens::shard(dictionary.term(term), self.shard_count))
                .collect()
        };
        let mut shard_postings = vec![0usize; self.shard_count as usize];
        for (term, &shard) in shard_of.iter().enumerate() {
            let count = pages_of_term.get(term).copied().unwrap_or(0) as usize;
            if let Some(sum) = shard_postings.get_mut(shard as usize) {
                *sum += count;
            }
        }
        // The batches' shards, as many in each as fit in the batch (at least one).
        let mut batches: Vec<std::ops::Range<u32>> = Vec::new();
        let mut first = 0u32;
        while first < self.shard_count {
            let mut end = first + 1;
            let mut postings = shard_postings[first as usize];
            while end < self.shard_count
                && postings + shard_postings[end as usize] <= batch_postings
            {
                postings += shard_postings[end as usize];
                end += 1;
            }
            batches.push(first..end);
            first = end;
        }
        let mut parts = match batches.len() {
            1 => None,
            _ => self.split_by_batch(&shard_of, &batches)?,
        };
        for (n, shards) in batches.into_iter().enumerate() {
            // Every term when the batch is every shard (a site of up to 10,000 villages).
            let listed: Option<Vec<u32>> = (shards.start > 0 || shards.end < self.shard_count)
                .then(|| {
                    (0..shard_of.len() as u32)
                        .filter(|&term| shards.contains(&shard_of[term as usize]))
                        .collect()
                });
            // This batch's part of the entries (its scratch file removed once read).
            let part = parts.as_mut().and_then(|parts| parts.get_mut(n)?.take());
            let lists = Lists::make(
                part.as_ref().unwrap_or(&self.entries),
                &self.dictionary,
                &pages_of_term,
                listed.as_deref(),
                runs,
                &self.group_terms,
            )?;
            drop(part);
            each(
                shards.start,
                lists.shards(shards.start, shards.end - shards.start, self.shard_count),
            )?;
        }
        Ok(())
    }

    /// The entries' terms split by `batches` (ranges of shards; `shard_of` each term's
    /// shard): a spill for each batch, beside the entries' scratch file, holding each page's
    /// terms of that batch in the entries' form (how many, the page's group, then the
    /// [`pack`]ed pairs; a page of a group in every batch, its group's terms in any). One
    /// pass over the entries instead of one for each batch. `None` when the entries are in
    /// memory (read again, they cost no file's reading).
    fn split_by_batch(
        &self,
        shard_of: &[u32],
        batches: &[std::ops::Range<u32>],
    ) -> std::io::Result<Option<Vec<Option<Spill>>>> {
        let mut parts = Vec::with_capacity(batches.len());
        for n in 0..batches.len() {
            match self.entries.beside(&format!("batch-{n}")) {
                Some(part) => parts.push(part?),
                None => return Ok(None),
            }
        }
        let mut batch_of_shard = vec![0u16; self.shard_count as usize];
        for (n, shards) in batches.iter().enumerate() {
            for shard in shards.clone() {
                if let Some(batch) = batch_of_shard.get_mut(shard as usize) {
                    *batch = n as u16;
                }
            }
        }
        let batch_of: Vec<u16> = shard_of
            .iter()
            .map(|&shard| batch_of_shard.get(shard as usize).copied().unwrap_or(0))
            .collect();
        // Each batch's terms of the page being read, after room for how many.
        let mut heads: Vec<Vec<u8>> = vec![Vec::new(); parts.len()];
        self.entries
            .for_each_part::<std::io::Error>(Part::Head, &mut |page, head| {
                // Each batch's part of the page: its group (every batch's terms may be in it),
                // then its terms.
                let group = head.get(4..HEAD).unwrap_or(&[0; 4]);
                for part_head in &mut heads {
                    part_head.clear();
                    part_head.extend_from_slice(&[0; 4]);
                    part_head.extend_from_slice(group);
                }
                let grouped = head_group(head).is_some();
                for pair in packed_terms(head_terms(head)) {
                    let batch = batch_of.get(unpack(pair).0 as usize).copied();
                    if let Some(head) = batch.and_then(|batch| heads.get_mut(batch as usize)) {
                        head.extend_from_slice(&pair.to_le_bytes());
                    }
                }
                for (head, part) in heads.iter_mut().zip(&parts) {
                    if head.len() > HEAD || grouped {
                        let terms = ((head.len() - HEAD) / 4) as u32;
                        head[..4].copy_from_slice(&terms.to_le_bytes());
                        part.put_copy(page, head)?;
                    }
                }
                Ok(())
            })?;
        Ok(Some(parts.into_iter().map(Some).collect()))
    }

    /// The terms' lists, made the first time they are asked for.
    fn lists(&self, runs: usize) -> std::io::Result<&Lists> {
        self.lists
            .get_or_init(|| self.made_lists(runs).map_err(|error| error.to_string()))
            .as_ref()
            .map_err(|error| std::io::Error::other(error.clone()))
    }

    /// The terms' lists (see [`Index::pages_of_term`]).
    fn made_lists(&self, runs: usize) -> std::io::Result<Lists> {
        let pages_of_term = self.pages_of_term()?;
        Lists::make(
            &self.entries,
            &self.dictionary,
            &pages_of_term,
            None,
            runs,
            &self.group_terms,
        )
    }

    /// How many pages each term is in: as counted when the entries were put, or else
    /// (the preview) counted from the entries now.
    fn pages_of_term(&self) -> std::io::Result<std::borrow::Cow<'_, [u32]>> {
        if let Some(counted) = &self.pages_of_term {
            return Ok(std::borrow::Cow::Borrowed(counted));
        }
        let mut pages_of_term = Vec::new();
        self.entries
            .for_each_part::<std::io::Error>(Part::Head, &mut |_, head| {
                count_pages(&mut pages_of_term, head_terms(head));
                Ok(())
            })?;
        Ok(std::borrow::Cow::Owned(pages_of_term))
    }

    /// The page files not written yet when they were made as the pages came (`None`: none
    /// was; they are made from the texts kept, [`Index::for_each_text`]).
    pub fn page_files_left(&self) -> Option<&[(usize, Vec<u8>)]> {
        self.page_files_left.as_deref()
    }

    /// Calls `each` with every page and its text (UTF-8, as kept: it is not checked again on
    /// its way to the page files), in reading order; `each` may stop with an error of its
    /// own (`E`).
    pub fn for_each_text<E: From<std::io::Error>>(
        &self,
        each: &mut crate::spill::EachPiece<'_, E>,
    ) -> Result<(), E> {
        self.entries.for_each_part(Part::Tail, each)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::search::text::page_text;

    proptest::proptest! {
        /// Terms sort by their first bytes as by their text, but where those are the same.
        #[test]
        fn first_bytes_sort_as_the_text(
            a in "[^\\x00]{0,12}",
            b in "[^\\x00]{0,12}",
        ) {
            let (first_a, first_b) = (first_bytes(&a), first_bytes(&b));
            if first_a != first_b {
                proptest::prop_assert_eq!(first_a.cmp(&first_b), a.cmp(&b));
            } else {
                let prefix = |t: &str| t.as_bytes()[..t.len().min(8)].to_vec();
                proptest::prop_assert_eq!(prefix(&a), prefix(&b));
            }
        }
    }

    proptest::proptest! {
        /// A term's runs written from its group's series (`write_with_group`) are those of
        /// its postings merged page by page (`merge_postings`), whatever pages the group and
        /// the term's own postings have (series of any step, own pages in and out of the
        /// group); and the runs give back those postings.
        #[test]
        fn runs_written_with_a_group_are_those_of_the_postings_merged(
            series in proptest::collection::vec((0u32..300, 1u32..6, 1u32..40), 0..5),
            own in proptest::collection::btree_map(0u32..400, 1u32..40, 0..30),
            weight in 1u32..40,
        ) {
            let group: Vec<u32> = series
                .iter()
                .flat_map(|&(first, step, count)| (0..count).map(move |n| first + step * n))
                .collect::<std::collections::BTreeSet<u32>>()
                .into_iter()
                .collect();
            let own: Vec<u32> = own.iter().map(|(&page, &weight)| pack(page, weight)).collect();
            let pages: std::collections::BTreeSet<u32> =
                group.iter().copied().chain(own.iter().map(|&p| unpack(p).0)).collect();
            let mut merged = vec![0; pages.len()];
            let written = merge_postings(&mut merged, &own, &[(&group, weight)]);
            proptest::prop_assert_eq!(written, merged.len());
            let mut written = Vec::new();
            write_with_group(&mut RunWriter::new(&mut written), &own, &series_of(&group), weight);
            proptest::prop_assert_eq!(&written, &Postings::runs_of(&merged));
            let postings = Postings::from_runs(&written);
            let back: Vec<u32> = postings.iter().map(|(page, weight)| pack(page, weight)).collect();
            proptest::prop_assert_eq!(postings.len(), merged.len());
            proptest::prop_assert_eq!(back, merged);
            // Two runs in a row never of the same difference and weight.
            proptest::prop_assert!(written.windows(2).all(|pair| pair[0].0 != pair[1].0));
        }
    }

    #[test]
    fn the_lists_are_the_same_however_many_runs_place_them() {
        let collector = Collector::new(Arc::default(), Spill::in_memory());
        let mut postings = 0;
        for page in 0..40 {
            let html = format!("<p>第{page}村 横溪{} 饮水{}</p>", page % 7, page % 3);
            let entry = Entry::new("村", &page_text(&html), collector.dictionary());
            postings += entry.terms().count();
            collector.put(page, &entry).unwrap();
        }
        let index = collector.finish(Vec::new);
        let make = |runs| {
            Lists::make(
                &index.entries,
                &index.dictionary,
                index.pages_of_term.as_deref().unwrap_or_default(),
                None,
                runs,
                &index.group_terms,
            )
            .unwrap()
        };
        let one = make(1);
        let listed: usize = one.runs.iter().map(|&(_, count)| count as usize).sum();
        assert_eq!(listed, postings, "every term of every page");
        for runs in [2, 3, 16] {
            let many = make(runs);
            assert_eq!(many.terms, one.terms, "{runs} runs");
            assert_eq!(many.runs, one.runs, "{runs} runs");
        }
    }

    #[test]
    fn pages_whose_new_terms_wait_for_the_dictionary_are_indexed_as_the_others() {
        let pages = || -> Vec<(usize, String, PageText)> {
            (0..12)
                .map(|page| {
                    let html = format!("<p>第{page}村 横溪{} 饮水 {}户</p>", page % 5, page * 7);
                    (page, format!("村{page}"), page_text(&html))
                })
                .collect()
        };
        let lists = |collector: Collector| {
            let index = collector.finish(Vec::new);
            let lists = index.lists(1).unwrap();
            (lists.terms.clone(), lists.runs.clone())
        };
        let alone = Collector::new(Arc::default(), Spill::in_memory());
        alone.count(pages()).unwrap();
        // Another core reads the dictionary while the pages are counted: their new terms
        // cannot be numbered at once, and wait until the dictionary is free.
        let waited = Collector::new(Arc::default(), Spill::in_memory());
        std::thread::scope(|scope| {
            let reading = read(waited.dictionary());
            let counting = scope.spawn(|| waited.count(pages()));
            std::thread::sleep(std::time::Duration::from_millis(200));
            assert!(!counting.is_finished(), "the pages wait for the dictionary");
            drop(reading);
            counting.join().unwrap().unwrap();
        });
        let (terms, postings) = lists(waited);
        assert!(terms.iter().any(|(term, _)| &**term == "横溪"));
        assert_eq!((terms, postings), lists(alone));
    }

    #[test]
    fn shards_made_a_batch_at_a_time_are_the_shards_made_at_once() {
        let dir = tempfile::tempdir().unwrap();
        // Entries in memory (each batch reads them all), in a scratch file (split by batch
        // into files of their own) and partly in each.
        shards_by_batch_are_shards_at_once(Spill::in_memory());
        shards_by_batch_are_shards_at_once(Spill::to_file(dir.path().join("all"), 0).unwrap());
        shards_by_batch_are_shards_at_once(Spill::to_file(dir.path().join("some"), 2000).unwrap());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "the batches' scratch files are removed"
        );
    }

    fn shards_by_batch_are_shards_at_once(entries: Spill) {
        let collector = Collector::new(Arc::default(), entries);
        for page in 0..60 {
            let html = format!(
                "<p>第{page}村 横溪{} 饮水{} 雨露计划</p>",
                page % 7,
                page % 3
            );
            let entry = Entry::new("村", &page_text(&html), collector.dictionary());
            collector.put(page, &entry).unwrap();
        }
        let mut index = collector.finish(Vec::new);
        index.shard_count = 16;
        type Listed = Vec<(String, Vec<(u32, u32)>)>;
        let listed = |shards: &[Shard<'_>]| -> Vec<Listed> {
            shards
                .iter()
                .map(|shard| {
                    let terms = shard.iter();
                    terms
                        .map(|(t, p)| (t.to_string(), p.iter().collect()))
                        .collect()
                })
                .collect()
        };
        let at_once = listed(&index.shards().unwrap());
        // Batches of one shard (a batch never smaller), of a few, of all.
        for (batch_postings, runs) in [(0, 1), (40, 2), (300, 1), (usize::MAX, 3)] {
            let mut batches = Vec::new();
            let mut shards = Vec::new();
            index
                .for_each_shard_batch::<std::io::Error>(
                    runs,
                    batch_postings,
                    &mut |first, batch| {
                        assert_eq!(first as usize, shards.len(), "batches in order");
                        batches.push(batch.len());
                        shards.extend(listed(&batch));
                        Ok(())
                    },
                )
                .unwrap();
            assert_eq!(shards, at_once, "batches of {batch_postings} postings");
            if batch_postings == 0 {
                assert!(batches.iter().all(|&n| n == 1));
            }
            if batch_postings == usize::MAX {
                assert_eq!(batches, [16]);
            }
        }
    }

    #[test]
    fn pages_put_as_texts_are_indexed_as_pages_put_as_entries() {
        // More pages than a batch, put from every core in any order, as a build puts them.
        let html = |page: usize| {
            format!(
                "<h2>第{page}村</h2><p>横溪{}饮水{}，雨露计划{page}人。</p>",
                page % 7,
                page % 3
            )
        };
        let count = BATCH * 2 + 45;
        let by_entry = Collector::new(Arc::default(), Spill::in_memory());
        let by_text = Collector::new(Arc::default(), Spill::in_memory());
        // The preview's: its terms' pages counted only when the lists are made.
        let kept = Collector::kept(Arc::default());
        (0..count).into_par_iter().for_each(|page| {
            let text = page_text(&html(page));
            let entry = Entry::new("村", &text, by_entry.dictionary());
            by_entry.put(page, &entry).unwrap();
            kept.put(page, &Entry::new("村", &text, kept.dictionary()))
                .unwrap();
            by_text.put_text(page, "村".to_string(), text).unwrap();
        });
        let pages = |count| {
            (0..count)
                .map(|page| Page {
                    url: format!("{page}.html"),
                    title: "村".to_string(),
                    place: String::new(),
                })
                .collect::<Vec<_>>()
        };
        let (by_entry, by_text) = (
            by_entry.finish(|| pages(count)),
            by_text.finish(|| pages(count)),
        );
        let kept = kept.finish(|| pages(count));
        assert!(kept.pages_of_term.is_none() && by_entry.pages_of_term.is_some());
        let listed = |index: &Index| every_term(index.shards().unwrap());
        assert!(
            !by_text.group_terms.is_empty(),
            "the pages put as texts were grouped"
        );
        assert!(by_entry.group_terms.is_empty() && kept.group_terms.is_empty());
        assert_eq!(listed(&by_text), listed(&by_entry));
        assert_eq!(listed(&kept), listed(&by_entry));
        assert_eq!(kept.shard_count(), by_entry.shard_count());
        assert_eq!(
            listed(&by_text)
                .iter()
                .find(|(t, _)| t == "雨露")
                .map(|(_, p)| p.len()),
            Some(count)
        );
        assert_eq!(texts(&by_text), texts(&by_entry));
        assert_eq!(texts(&by_text).len(), count);
        assert_eq!(by_text.shard_count(), by_entry.shard_count());
    }

    /// Every term of `shards` with its (page, weight) pairs, in term order.
    fn every_term(shards: Vec<Shard<'_>>) -> Vec<(String, Vec<(u32, u32)>)> {
        let mut terms: Vec<_> = shards
            .into_iter()
            .flatten()
            .map(|(term, postings)| (term.to_string(), postings.iter().collect()))
            .collect();
        terms.sort();
        terms
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// Pages made of a template's sentences (some repeated, some left out, in any order,
        /// some in a heading, some in the title), figures and sentences of their own, put as
        /// texts from every core (grouped by the sentences they share) are listed as the same
        /// pages put one entry at a time (never grouped): the same terms, pages and weights —
        /// the terms' lists made at once, or a few shards at a time from a scratch file split
        /// by batch.
        #[test]
        fn grouped_pages_are_listed_as_pages_counted_alone(
            pages in proptest::collection::vec(
                (
                    proptest::collection::vec(0usize..6, 0..12),
                    0usize..4,
                    proptest::bool::ANY,
                    0u32..3000,
                ),
                1..(BATCH * 3),
            ),
            terms_kept in proptest::prop_oneof![
                proptest::strategy::Just(None),
                proptest::strategy::Just(Some(0)),
                proptest::strategy::Strategy::prop_map(1usize..40, Some),
            ],
        ) {
            const SENTENCES: [&str; 6] = [
                "全村共有建档立卡贫困户",
                "其中因病致贫",
                "饮水安全，饮水安全，饮水安全。",
                "落实教育扶贫政策",
                "贫困户贫困户贫困户贫困户",
                "村",
            ];
            let made: Vec<(String, String)> = pages
                .iter()
                .enumerate()
                .map(|(page, (sentences, heading, own, figure))| {
                    let mut body = String::new();
                    for &n in sentences {
                        body.push_str(SENTENCES[n]);
                        body.push_str(&format!("{}", figure + n as u32));
                    }
                    if *own {
                        body.push_str(&format!("第{page}号自己的句子贫困"));
                    }
                    let html = format!(
                        "<h2>{}</h2><p>{body}</p>",
                        SENTENCES[*heading]
                    );
                    (format!("贫困村{}", page % 5), html)
                })
                .collect();
            let dir = tempfile::tempdir().unwrap();
            let by_entry = Collector::new(Arc::default(), Spill::in_memory());
            let mut by_text =
                Collector::new(Arc::default(), Spill::to_file(dir.path().join("e"), 0).unwrap());
            // Groups made until they hold that many terms, then pages counted alone.
            by_text.groups = Some(RwLock::new(Groups { terms_kept, ..Groups::default() }));
            made.par_iter().enumerate().for_each(|(page, (title, html))| {
                let text = page_text(html);
                let entry = Entry::new(title, &text, by_entry.dictionary());
                by_entry.put(page, &entry).unwrap();
                by_text.put_text(page, title.clone(), text).unwrap();
            });
            let (by_entry, mut by_text) = (by_entry.finish(Vec::new), by_text.finish(Vec::new));
            let listed = every_term;
            let wanted = listed(by_entry.shards().unwrap());
            by_text.shard_count = 8;
            let mut batched = Vec::new();
            by_text
                .for_each_shard_batch::<std::io::Error>(1, 50, &mut |_, shards| {
                    batched.extend(listed(shards));
                    Ok(())
                })
                .unwrap();
            batched.sort();
            proptest::prop_assert_eq!(&batched, &wanted);
            proptest::prop_assert_eq!(listed(by_text.shards().unwrap()), wanted);
        }
    }

    #[test]
    fn page_files_made_as_the_pages_come_are_those_made_at_the_end() {
        // Pages put from every core in any order, as a build puts them; one never comes.
        let count = BATCH + 21;
        let pages: Vec<Page> = (0..count)
            .map(|page| Page {
                url: format!("v{page}.html"),
                title: format!("第{page}村"),
                place: "汇报 › 村".to_string(),
            })
            .collect();
        let missing = 13;
        let at_the_end = Collector::new(Arc::default(), Spill::in_memory());
        let as_they_come =
            Collector::new(Arc::default(), Spill::in_memory()).making_page_files(pages.clone());
        let made = Mutex::new(BTreeMap::new());
        (0..count)
            .into_par_iter()
            .filter(|&page| page != missing)
            .for_each(|page| {
                let html = format!(
                    "<h2>第{page}村</h2><p>横溪{}，\"雨露\"计划{page}人。</p>",
                    page % 5
                );
                at_the_end
                    .put_text(page, format!("第{page}村"), page_text(&html))
                    .unwrap();
                let file = as_they_come
                    .put_text(page, format!("第{page}村"), page_text(&html))
                    .unwrap();
                if let Some((n, bytes)) = file {
                    lock(&made).insert(super::super::files::pages_file(n), bytes);
                }
            });
        let written = |index: &Index| {
            let files = Mutex::new(BTreeMap::new());
            super::super::files::write(index, &|path, bytes| {
                lock(&files).insert(path.display().to_string(), bytes.to_vec());
                Ok(())
            })
            .unwrap();
            files.into_inner().unwrap()
        };
        let at_the_end = written(&at_the_end.finish(|| pages.clone()));
        let as_they_come = as_they_come.finish(Vec::new);
        // The file of the page that never came is made at the end.
        let left = as_they_come.page_files_left().unwrap().to_vec();
        assert_eq!(left.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1]);
        let mut all = made.into_inner().unwrap();
        assert!(!all.contains_key("search/pages-1.js"));
        all.extend(written(&as_they_come));
        assert_eq!(all, at_the_end);
        assert_eq!(
            all.len(),
            1 + count.div_ceil(8) + as_they_come.shard_count() as usize
        );
    }

    /// Every page of `index` with its text, in reading order.
    fn texts(index: &Index) -> Vec<(usize, String)> {
        let mut texts = Vec::new();
        index
            .for_each_text::<std::io::Error>(&mut |page, text| {
                texts.push((page, String::from_utf8_lossy(text).into_owned()));
                Ok(())
            })
            .unwrap();
        texts
    }

    /// An index of three pages, put out of order as a build's cores put them.
    pub(crate) fn index() -> Index {
        let pages = [
            (
                "villages/hengxi.html",
                "横溪村",
                "<p>横溪村有贫困户78户。</p>",
            ),
            (
                "policies/education.html",
                "教育扶贫",
                "<h2>资助</h2><p>雨露计划培训137人，见横溪村。</p>",
            ),
            (
                "policies/health.html",
                "健康扶贫",
                "<p>总费用1094.52万元。</p>",
            ),
        ];
        let collector = Collector::new(Arc::default(), Spill::in_memory());
        for index in [2, 0, 1] {
            let (_, title, html) = pages[index];
            let entry = Entry::new(title, &page_text(html), collector.dictionary());
            collector.put(index, &entry).unwrap();
        }
        collector.finish(|| {
            pages
                .iter()
                .map(|(url, title, _)| Page {
                    url: url.to_string(),
                    title: title.to_string(),
                    place: "示例乡".into(),
                })
                .collect::<Vec<_>>()
        })
    }

    #[test]
    fn a_query_finds_the_pages_with_all_its_terms_the_title_first() {
        let index = index();
        let urls = |query: &str| -> Vec<String> {
            index
                .search(query)
                .into_iter()
                .map(|(page, _)| index.pages()[page as usize].url.clone())
                .collect()
        };
        assert_eq!(
            urls("横溪"),
            ["villages/hengxi.html", "policies/education.html"]
        );
        assert_eq!(urls("雨露计划"), ["policies/education.html"]);
        assert_eq!(urls("１０９４．５２"), ["policies/health.html"]);
        assert!(urls("饮水").is_empty());
    }

    #[test]
    fn every_term_is_in_exactly_one_shard() {
        let mut index = index();
        index.shard_count = 8;
        let shards = index.shards().unwrap();
        let total: usize = shards.iter().map(Vec::len).sum();
        assert_eq!(total, index.lists(2).unwrap().terms.len());
        for (n, shard) in shards.iter().enumerate() {
            for (term, _) in shard {
                assert_eq!(tokens::shard(term, 8) as usize, n);
            }
        }
    }

    #[test]
    fn weights_favour_the_title_then_headings_and_count_repeats_up_to_five() {
        let dictionary = RwLock::new(Dictionary::default());
        let text = page_text("<h2>横溪</h2><p>横溪横溪横溪横溪横溪横溪横溪</p>");
        let entry = Entry::new("横溪村", &text, &dictionary);
        let id = read(&dictionary).han(han_key("横溪")).expect("numbered");
        assert_eq!(read(&dictionary).term(id), "横溪");
        assert_eq!(han_term(han_key("横")), "横");
        let weight = entry.terms().find(|(t, _)| *t == id).map(|(_, w)| w);
        assert_eq!(weight, Some(weight::TITLE + weight::HEADING + 5));
    }

    /// An entry's terms as (term, weight), in term order.
    fn weighed_terms(entry: &Entry, dictionary: &RwLock<Dictionary>) -> Vec<(String, u32)> {
        let dictionary = read(dictionary);
        let mut terms: Vec<(String, u32)> = entry
            .terms()
            .map(|(id, weight)| (dictionary.term(id).to_string(), weight))
            .collect();
        terms.sort();
        terms
    }

    #[test]
    fn a_page_weighs_the_same_whatever_the_thread_counted_before() {
        let html = "<h2>基本情况</h2><p>横溪村有贫困户78户，横溪村有贫困户。</p><h3>横溪村</h3><p>见 2019 年。</p>";
        let text = page_text(html);
        let fresh = RwLock::new(Dictionary::default());
        let first = Entry::new("横溪村", &text, &fresh);
        let expected = weighed_terms(&first, &fresh);
        assert!(expected.contains(&("横溪".to_string(), weight::TITLE + weight::HEADING + 3)));
        assert!(expected.contains(&("2019".to_string(), weight::BODY)));
        // Its Han pieces now remembered by this thread, with their numbers.
        assert_eq!(
            weighed_terms(&Entry::new("横溪村", &text, &fresh), &fresh),
            expected
        );
        // Another dictionary numbers the same terms otherwise: what the thread remembers
        // of the first is not used for it.
        let other = RwLock::new(Dictionary::default());
        Entry::new("", &page_text("<p>饮水安全，贫困户，村有</p>"), &other);
        let again = Entry::new("横溪村", &text, &other);
        assert_eq!(weighed_terms(&again, &other), expected);
        // Nor is it after the first dictionary took new terms.
        Entry::new("", &page_text("<p>饮水安全</p>"), &fresh);
        let third = Entry::new("横溪村", &text, &fresh);
        assert_eq!(weighed_terms(&third, &fresh), expected);
    }

    #[test]
    fn a_text_is_counted_by_the_terms_it_is_searched_by() {
        // Only the stretches between Han pieces are normalised when counted:
        // the terms must be those of the whole text normalised.
        let texts = [
            "横溪村有贫困户６，３３６户，ＡＢＣ合作社、Tea 茶园",
            "总费用1,094.52万元，ＧＤＰ增长　3.5%，Ｘ光",
            "ÉCOLE 学校；Straße 路 ⅫⅣ 6,3367 12,345,678",
            "1094.52万元",
            "",
        ];
        for text in texts {
            let dictionary = RwLock::new(Dictionary::default());
            let page = PageText {
                headings: Vec::new(),
                body: text.to_string(),
            };
            let entry = Entry::new("", &page, &dictionary);
            let mut counted: Vec<String> = weighed_terms(&entry, &dictionary)
                .into_iter()
                .map(|(term, _)| term)
                .collect();
            counted.sort();
            let mut searched: Vec<String> =
                tokens::tokens(text).into_iter().map(|t| t.text).collect();
            searched.sort();
            searched.dedup();
            assert_eq!(counted, searched, "{text}");
            // Counted again (its terms numbered now: its Han pieces are remembered by
            // the thread), and again from what the thread remembers.
            for _ in 0..2 {
                let again = Entry::new("", &page, &dictionary);
                assert_eq!(
                    weighed_terms(&again, &dictionary),
                    weighed_terms(&entry, &dictionary),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn whole_numbers_and_other_words_are_numbered_apart_and_found_again() {
        assert_eq!(small_number("0"), Some(0));
        assert_eq!(small_number("2019"), Some(2019));
        assert_eq!(small_number("1048575"), Some((1 << 20) - 1));
        for other in ["", "007", "1048576", "12345678", "23.71", "v0001", "١٢"] {
            assert_eq!(small_number(other), None, "{other}");
        }
        let mut dictionary = Dictionary::default();
        let words = [
            "7",
            "007",
            "7.0",
            "1048575",
            "1048576",
            "0",
            "a-very-long-word-indeed",
        ];
        let ids: Vec<u32> = words.iter().map(|w| dictionary.word_or_new(w)).collect();
        assert_eq!(ids, [0, 1, 2, 3, 4, 5, 6]);
        for (word, id) in words.iter().zip(&ids) {
            assert_eq!(dictionary.word(word), Some(*id), "{word}");
            assert_eq!(dictionary.term(*id), *word);
        }
        assert_eq!(dictionary.word("8"), None);
        assert_eq!(dictionary.word("2000000"), None);
    }

    #[test]
    fn pairs_are_packed_and_unpacked() {
        for (number, weight) in [(0, 0), (1, 22), (10_000, 63), ((1 << 26) - 1, 5)] {
            assert_eq!(unpack(pack(number, weight)), (number, weight));
        }
        assert_eq!(
            unpack(pack(3, 70)),
            (3, 63),
            "a weight past the bits is capped"
        );
        assert!(pack(2, 63) < pack(3, 0), "packed pairs sort by number");
    }

    #[test]
    fn the_texts_come_back_in_reading_order_cut_to_the_limit() {
        let texts = texts(&index());
        assert_eq!(texts[0], (0, "横溪村有贫困户78户。".to_string()));
        assert_eq!(texts.len(), 3);
        let long = "字".repeat(TEXT_LIMIT + 10);
        let entry = Entry::new("", &page_text(&long), &RwLock::default());
        assert_eq!(entry.text().chars().count(), TEXT_LIMIT);
    }
}

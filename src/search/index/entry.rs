//! One page's part of the index: its terms weighed by where they are (title, headings,
//! text), counted from the pieces of its text a thread has seen before.

use bytes::Bytes;
use rustc_hash::FxHashMap;
use std::sync::{Arc, RwLock};

use super::collector::{count_page, pack, unpack};
use super::dictionary::{Dictionary, han_key, read, write};
use super::{TEXT_LIMIT, tokens, weight};
use crate::search::text::PageText;

thread_local! {
    /// This thread's tally.
    static TALLY: std::cell::RefCell<Tally> = std::cell::RefCell::default();
}

/// A page's part of the index: its terms (by number in the [`Dictionary`]) with their
/// weights there, and its text for the snippets (at most [`TEXT_LIMIT`] characters), in one
/// piece of bytes as the [`Collector`] keeps it: how many terms (`u32`), its [`Groups`]'
/// group + 1 (`u32`; 0: none), each term [`pack`]ed with its weight (`u32`), then the text.
/// A page of a group has the group's terms too, but those listed here (see [`Lists::make`]).
#[derive(Debug, Clone)]
pub struct Entry {
    pub(super) piece: Bytes,
    /// How many terms (as the piece says): a page reused by the preview is put again
    /// without reading its piece, 10,000 of them scattered in memory.
    pub(super) terms: u32,
}

/// How many bytes an entry's piece has before its terms: how many, and its group.
pub(super) const HEAD: usize = 8;

/// The terms and the text of an entry's piece (nothing when it is not one).
pub(super) fn split_piece(piece: &[u8]) -> (&[u8], &[u8]) {
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
pub(super) fn head_terms(head: &[u8]) -> &[u8] {
    head.get(HEAD..).unwrap_or_default()
}

/// The group of an entry's head, if it has one.
pub(super) fn head_group(head: &[u8]) -> Option<u32> {
    let b = head.get(4..HEAD)?;
    u32::from_le_bytes([b[0], b[1], b[2], b[3]]).checked_sub(1)
}

/// The [`pack`]ed pairs of an entry's terms.
pub(super) fn packed_terms(terms: &[u8]) -> impl Iterator<Item = u32> + '_ {
    terms
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// How often each term is in a page. Terms the dictionary numbers are counted in a table
/// by number — one per thread, kept from page to page, only the numbers counted emptied
/// after each — with no table to make or grow for each page; the others by Han key or text
/// ([`NewTerms`]) until they are numbered.
#[derive(Default)]
pub(super) struct Tally {
    /// The counts of every numbered term (all zero but those of the page being counted).
    pub(super) by_number: Vec<Counts>,
    /// The numbers counted for the page, each once.
    pub(super) counted: Vec<u32>,
    /// Han pieces ([`tokens::for_each_piece`]: the text between a page's figures) seen
    /// before, with the numbers of their terms in order: the pages of a report share most
    /// of their sentences (a template's prose, units, headings), each piece's terms are
    /// looked up once. For the dictionary `identity`. (Not the figures and words between
    /// them: most figures are a village's own, and a table of them, missed in memory at
    /// every look-up, cost more than the dictionary's look-up of their one or two terms.)
    pub(super) pieces: Pieces,
    /// The [`Dictionary::identity`] the pieces' numbers are of.
    pub(super) identity: Option<u64>,
    /// The counts of the terms of the group last counted with ([`GroupCounts`]).
    pub(super) group: GroupCounts,
}

/// The counts of a group's terms by number (zero: not the group's), for the page's own terms
/// to be found in its group with no search: the group's terms set out once for all the pages
/// of the group a thread counts one after the other (most of a report's kind).
#[derive(Default)]
pub(super) struct GroupCounts {
    pub(super) by_number: Vec<Counts>,
    /// The group whose terms are set out (held: no other group is made where it was).
    pub(super) terms: Option<GroupTerms>,
}

impl GroupCounts {
    /// The counts of the terms of the group `terms`, set out now if another's were.
    pub(super) fn of(&mut self, terms: &GroupTerms) -> &[Counts] {
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
pub(super) struct Pieces {
    pub(super) numbers: FxHashMap<Box<str>, Box<[u32]>>,
    pub(super) bytes: usize,
}

/// How many bytes of pieces and their numbers a thread's tally remembers (it forgets them
/// all when it has this many) and how long a piece it remembers, in bytes.
pub(super) const PIECE_BYTES_KEPT: usize = 8 << 20;
pub(super) const LONGEST_PIECE_KEPT: usize = 1024;

/// A page's terms being counted: those the dictionary (`numbers`) numbers by number in
/// `by_number`, the others in `new`.
pub(super) struct Counting<'a> {
    pub(super) numbers: &'a Dictionary,
    pub(super) by_number: &'a mut Vec<Counts>,
    pub(super) counted: &'a mut Vec<u32>,
    pub(super) new: NewTerms,
}

impl Counting<'_> {
    /// Counts the term numbered `number`, found in `field`.
    #[inline(always)]
    pub(super) fn number(&mut self, number: u32, field: Field) {
        count_number(self.by_number, self.counted, number, field);
    }

    /// Counts the terms numbered `numbers`, found in `field`: the text's (most terms) in a
    /// loop of their own, the field known to it, the tables borrowed once (not through
    /// `self` at each term).
    #[inline(always)]
    pub(super) fn numbers(&mut self, numbers: &[u32], field: Field) {
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
    pub(super) fn term(&mut self, term: &str, kind: tokens::Kind, field: Field) -> Option<u32> {
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
    pub(super) fn text(&mut self, text: &str, field: Field, pieces: &mut Pieces) {
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
    pub(super) fn grouped_text(
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
    pub(super) fn plain_piece(&mut self, piece: &str, field: Field) {
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
    pub(super) fn han_piece(
        &mut self,
        piece: &str,
        field: Field,
        pieces: &mut Pieces,
    ) -> Option<Vec<u32>> {
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
pub(super) fn count_number(
    by_number: &mut [Counts],
    counted: &mut Vec<u32>,
    number: u32,
    field: Field,
) {
    if let Some(counts) = by_number.get_mut(number as usize) {
        if *counts == 0 {
            counted.push(number);
        }
        count(counts, field);
    }
}

/// A page's terms that have no number yet, Han terms by [`han_key`] and words by text.
#[derive(Default)]
pub(super) struct NewTerms {
    pub(super) han: FxHashMap<u64, Counts>,
    pub(super) words: FxHashMap<Box<str>, Counts>,
}

/// Pages grouped by the Han pieces of their text they share with pages before them (a
/// template's sentences, [`tokens::for_each_piece`]): a group's terms are counted once, and
/// a page of it counts only the rest of its terms (its figures and words, its sentences of
/// its own, its title and headings); the lists give each page of a group the group's terms
/// ([`Lists::make`]), but those the page counts itself. Which pages are grouped depends on
/// what each thread met first; the lists are the same whatever the grouping.
#[derive(Default)]
pub(super) struct Groups {
    /// Han pieces of the pages' text met so far, by text: each one's number.
    pub(super) pieces: FxHashMap<Box<str>, u32>,
    /// The numbers of each piece's terms, by piece number.
    pub(super) piece_terms: Vec<Box<[u32]>>,
    /// How many bytes the pieces hold (none is met past [`GROUP_PIECE_BYTES`]).
    pub(super) bytes: usize,
    /// The groups by their pieces' numbers, in the order of their pages' text.
    pub(super) by_pieces: FxHashMap<Box<[u32]>, u32>,
    /// Each group's terms with their counts in the text.
    pub(super) terms: Vec<GroupTerms>,
    /// How many terms the groups have in all (no group is made past [`GROUP_TERMS_KEPT`]).
    pub(super) term_count: usize,
    /// Another limit than [`GROUP_TERMS_KEPT`] (the tests').
    pub(super) terms_kept: Option<usize>,
}

/// A group's terms (ascending) with their counts in its text, shared with the pages
/// counting their own terms.
pub(super) type GroupTerms = Arc<[(u32, Counts)]>;

/// How many bytes of pieces [`Groups`] remembers: pages met after that many are grouped by
/// the pieces known already (a site whose pages each have sentences of their own).
pub(super) const GROUP_PIECE_BYTES: usize = 16 << 20;

/// How many terms [`Groups`]' groups hold in all (8 bytes each): a site whose pages share
/// their sentences in ever new orders makes no more groups past it, its pages then counted
/// alone.
pub(super) const GROUP_TERMS_KEPT: usize = 2 << 20;

impl Groups {
    /// Remembers the pieces `met` (each with its terms' numbers) not known yet.
    pub(super) fn meet(&mut self, met: Vec<(Box<str>, Box<[u32]>)>) {
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
    pub(super) fn group(&mut self, known: &[u32]) -> Option<u32> {
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
pub(super) fn read_groups(groups: &RwLock<Groups>) -> std::sync::RwLockReadGuard<'_, Groups> {
    groups.read().unwrap_or_else(|e| e.into_inner())
}

/// The groups to change, even when a thread panicked holding them.
pub(super) fn write_groups(groups: &RwLock<Groups>) -> std::sync::RwLockWriteGuard<'_, Groups> {
    groups.write().unwrap_or_else(|e| e.into_inner())
}

/// A page's `own` counts of a term with its group's (text only): the times in the text
/// added (seven at most, as [`count`] keeps them).
pub(super) fn with_group(own: Counts, group: Counts) -> Counts {
    let times = ((own >> 3 & 7) + (group >> 3 & 7)).min(7);
    (own & !(7 << 3)) | times << 3
}

/// How often a term is in a page, in one number (a tally of a page's terms stays small):
/// bit 0 whether it is in the title, bits 1–2 how many headings it is in (three at most),
/// bits 3–5 how many times it is in the text (seven at most), from bit 6 the number of the
/// last heading it was counted in + 1. Never zero once counted.
pub(super) type Counts = u32;

/// Where the number of the last heading a term was counted in starts in its [`Counts`].
pub(super) const LAST_HEADING: u32 = 6;

/// Where a term is found.
#[derive(Clone, Copy)]
pub(super) enum Field {
    Title,
    /// The heading of that number.
    Heading(u32),
    Text,
}

/// Counts a term found in `field`.
pub(super) fn count(counts: &mut Counts, field: Field) {
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
pub(super) fn weigh(counts: Counts) -> u32 {
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
pub(super) struct Counted {
    pub(super) piece: Vec<u8>,
    pub(super) new: NewTerms,
    /// The page's group, when it has one.
    pub(super) group: Option<u32>,
}

impl Counted {
    /// Counts the terms of a page titled `title` with `text` (weighed as [`Entry::new`]
    /// says), looking them up in `dictionary` — together with every core; none is numbered.
    /// The page is counted in `pages_of_term` (when given) for each term the dictionary
    /// numbers; [`Counted::number`] counts the others.
    pub(super) fn of(
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
    pub(super) fn is_numbered(&self) -> bool {
        self.new.han.is_empty() && self.new.words.is_empty()
    }

    /// Numbers the new terms in `dictionary` (one core at a time) and adds them, counting
    /// the page in `pages_of_term` (when given) for each.
    pub(super) fn number(
        &mut self,
        dictionary: &mut Dictionary,
        mut pages_of_term: Option<&mut Vec<u32>>,
    ) {
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
    pub(super) fn entry(mut self, text: Option<&str>) -> Entry {
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
pub(super) fn kept_text(body: &str) -> &str {
    // (A text of no more bytes than the limit has no more characters: not counted.)
    if body.len() <= TEXT_LIMIT {
        return body;
    }
    match body.char_indices().nth(TEXT_LIMIT) {
        Some((end, _)) => &body[..end],
        None => body,
    }
}

//! The index gathered from every core as the pages are rendered: a build's pages counted a
//! batch per thread at a time, and its page files written as soon as their pages are in.

use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use super::Index;
use super::dictionary::{Dictionary, write, write_now};
use super::entry::{
    Counted, Entry, GroupTerms, Groups, HEAD, kept_text, packed_terms, split_piece, weigh,
};
use crate::search::files;
use crate::search::text::PageText;
use crate::spill::{Spill, lock};

/// The page files ([`super::files`]) of a build, each made as soon as the last of its
/// pages is put — during the pages' rendering, on every core — rather than read back at the
/// end: the pages' texts then need not be kept with their terms.
pub(super) struct PageFiles {
    /// Every page, in reading order.
    pub(super) pages: Arc<[Page]>,
    /// The texts of files still waiting for some of their pages, by file number.
    pub(super) waiting: Mutex<FxHashMap<usize, Vec<Option<Vec<u8>>>>>,
}

impl PageFiles {
    /// Takes the text of page `index`: the page file (its number and bytes) when it was the
    /// last of its file's pages to come.
    pub(super) fn put(&self, index: usize, text: Vec<u8>) -> Option<PageFile> {
        let per_file = files::PAGES_PER_FILE;
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
    pub(super) fn rest(self) -> (Arc<[Page]>, Vec<PageFile>) {
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
pub(super) type PageFile = (usize, Vec<u8>);

/// The bytes of page file `n` of `pages` with `texts` (a page not put has none).
pub(super) fn page_file(pages: &[Page], n: usize, texts: Vec<Option<Vec<u8>>>) -> Vec<u8> {
    let texts: Vec<Vec<u8>> = texts.into_iter().map(Option::unwrap_or_default).collect();
    files::pages_script(n, pages, &texts)
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
    pub(super) dictionary: Arc<RwLock<Dictionary>>,
    pub(super) entries: Spill,
    /// What is counted of the entries' terms as they are put.
    pub(super) counts: TermCounts,
    /// Pages put by [`Collector::put_text`] whose terms are not counted yet: a batch for
    /// each thread (at least one).
    pub(super) waiting: Vec<Mutex<Vec<(usize, String, PageText)>>>,
    /// The page files made as the pages come (a build's: [`Collector::making_page_files`]).
    pub(super) page_files: Option<PageFiles>,
    /// The pages put by [`Collector::put_text`] grouped by the pieces they share (not the
    /// preview's, whose entries are made alone and reused).
    pub(super) groups: Option<RwLock<Groups>>,
    /// How many pages each group has: a count for each thread (as [`Collector::waiting`]).
    pub(super) group_pages: Vec<Mutex<Vec<u32>>>,
}

/// What a [`Collector`] counts of the entries' terms as they are put.
pub(super) enum TermCounts {
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
pub(super) fn slots<T: Default>() -> Vec<Mutex<T>> {
    (0..rayon::current_num_threads().max(1))
        .map(|_| Mutex::default())
        .collect()
}

/// How many pages' texts [`Collector::put_text`] holds for each thread before it counts
/// their terms, one page after the other.
pub(super) const BATCH: usize = 128;

/// Weights are below 64 (title 24 + three headings 9 + five times 5): a (number, weight) pair
/// is one `u32`, the number in the top 26 bits (67 million pages or terms) — and a list of
/// packed (page, weight) sorts by page.
pub(super) const WEIGHT_BITS: u32 = 6;

/// `number` and `weight` in one `u32`.
pub(crate) fn pack(number: u32, weight: u32) -> u32 {
    debug_assert!(number < 1 << (32 - WEIGHT_BITS), "{number} does not fit");
    number << WEIGHT_BITS | weight.min((1 << WEIGHT_BITS) - 1)
}

/// The (number, weight) of a [`pack`]ed pair.
pub(super) fn unpack(packed: u32) -> (u32, u32) {
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
    pub(super) fn count(&self, pages: Vec<(usize, String, PageText)>) -> std::io::Result<()> {
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
    pub(super) fn slot(&self) -> usize {
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
    pub(super) fn keep(&self, index: usize, entry: &Entry) -> std::io::Result<()> {
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
        let wanted = (postings * 2).div_ceil(files::SHARD_BYTES).max(1);
        let shard_count = (wanted.next_power_of_two() as u32).min(files::MOST_SHARDS);
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
pub(super) fn sum_slots(slots: Vec<Mutex<Vec<u32>>>) -> Vec<u32> {
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
pub(super) fn count_pages(pages_of_term: &mut Vec<u32>, terms: &[u8]) {
    for packed in packed_terms(terms) {
        count_page(pages_of_term, unpack(packed).0);
    }
}

/// Counts a page of term `term` in `pages_of_term`.
pub(super) fn count_page(pages_of_term: &mut Vec<u32>, term: u32) {
    let term = term as usize;
    if term >= pages_of_term.len() {
        pages_of_term.resize(term + 1, 0);
    }
    pages_of_term[term] += 1;
}

//! The search index of the rendered pages: each page's text (read by [`super::text`]), its
//! terms weighed by where they are (title, headings, text), gathered as the pages are
//! rendered, and cut into shards a search page loads by term (see [`super::files`]).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock, RwLock};

use crate::spill::{Part, Spill};

use super::tokens;

mod collector;
mod dictionary;
mod entry;
mod lists;

pub(crate) use collector::pack;
pub use collector::{Collector, Page};
use collector::{PageFile, count_pages, unpack};
pub use dictionary::Dictionary;
use dictionary::read;
pub use entry::Entry;
use entry::{HEAD, head_group, head_terms, packed_terms};
use lists::{Lists, Run, RunWriter};

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

/// How many characters of a page's text the index keeps for the snippets of its results
/// (every term of the page is indexed; a match past this shows the page's opening lines).
pub const TEXT_LIMIT: usize = 4000;

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
    use super::collector::BATCH;
    use super::dictionary::{han_key, han_term, small_number};
    use super::entry::Groups;
    use super::lists::{merge_postings, series_of, write_with_group};
    use super::*;
    use crate::search::text::PageText;
    use crate::search::text::page_text;
    use crate::spill::lock;
    use rayon::prelude::*;
    use std::sync::Mutex;

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

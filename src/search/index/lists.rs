//! Each term's pages as the index writes them: runs of page numbers with their weights, a
//! group's pages written once for the terms that share them.

use rayon::prelude::*;
use std::sync::RwLock;

use super::collector::{pack, unpack};
use super::dictionary::{Dictionary, read};
use super::entry::{head_group, head_terms, packed_terms};
use super::{Postings, Shard, first_bytes, tokens};
use crate::spill::{Part, Spill};

/// Every term's pages and weights.
pub(super) struct Lists {
    /// In term order, each with where its runs are in `runs`.
    pub(super) terms: Vec<(Box<str>, std::ops::Range<usize>)>,
    /// The terms' postings in runs ([`Run`]).
    pub(super) runs: Vec<Run>,
}

/// Postings in a row that are each as far from the one before, with one weight: that
/// (difference, weight) [`pack`]ed, and how many. A term's list is its runs, two in a row
/// never of the same difference and weight ([`Postings::runs`]): the pages of a group
/// ([`Groups`]) — most of a report's kind — are a few runs for each of the group's terms,
/// written without making a posting for each page.
pub type Run = (u32, u32);

/// Writes a term's postings, in page order, as its runs: a posting or a series of them at a
/// time.
pub(super) struct RunWriter<'r> {
    pub(super) runs: &'r mut Vec<Run>,
    /// Where the term's runs start in `runs`.
    pub(super) start: usize,
    /// The page of the last posting written.
    pub(super) before: u32,
}

impl<'r> RunWriter<'r> {
    /// A writer of a term's runs after those in `runs`.
    pub(super) fn new(runs: &'r mut Vec<Run>) -> RunWriter<'r> {
        let start = runs.len();
        RunWriter {
            runs,
            start,
            before: 0,
        }
    }

    /// `count` postings more, each `difference` pages after the one before, of `weight`.
    pub(super) fn repeat(&mut self, difference: u32, weight: u32, count: u32) {
        let key = pack(difference, weight);
        let mine = self.runs.len() > self.start;
        match self.runs.last_mut() {
            Some((last, times)) if mine && *last == key => *times += count,
            _ => self.runs.push((key, count)),
        }
    }

    /// The posting of `page` (after the last), of `weight`.
    pub(super) fn posting(&mut self, page: u32, weight: u32) {
        self.repeat(page - self.before, weight, 1);
        self.before = page;
    }

    /// The [`pack`]ed postings `packed` (ascending, after the last).
    pub(super) fn packed(&mut self, packed: &[u32]) {
        for &pair in packed {
            let (page, weight) = unpack(pair);
            self.posting(page, weight);
        }
    }

    /// `count` postings of `weight` from page `first` on, `step` pages apart.
    pub(super) fn series(&mut self, (first, step, count): Series, weight: u32) {
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
pub(super) type Series = (u32, u32, u32);

/// `pages` (ascending) as series, each as long as it can be.
pub(super) fn series_of(pages: &[u32]) -> Vec<Series> {
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
pub(super) fn write_with_group(
    writer: &mut RunWriter<'_>,
    own: &[u32],
    group: &[Series],
    weight: u32,
) {
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
    /// ([`RunOfTerms`]) —, then written as [`Run`]s with the pages of the groups they are in
    /// (a group's pages as series: [`write_with_group`]).
    pub(super) fn make(
        entries: &Spill,
        dictionary: &RwLock<Dictionary>,
        pages_of_term: &[u32],
        listed: Option<&[u32]>,
        runs: usize,
        group_terms: &[Box<[(u32, u32)]>],
    ) -> std::io::Result<Lists> {
        let dictionary = read(dictionary);
        let places = Places::new(listed, dictionary.terms.len());
        let starts = places.starts(pages_of_term);
        let total = starts[places.count] as usize;
        let mut postings = vec![0u32; total];
        let slices = slices_of(&starts, &mut postings, runs);
        let made: Vec<(Vec<Run>, Vec<std::ops::Range<usize>>)> = slices
            .into_par_iter()
            .map(|(terms, room)| {
                RunOfTerms {
                    terms,
                    starts: &starts,
                    places: &places,
                    group_terms,
                }
                .runs(entries, room)
            })
            .collect::<std::io::Result<_>>()?;
        drop(postings);
        let (runs, ranges) = side_by_side(made, places.count);
        let terms = places.sorted_terms(&starts, &ranges, &dictionary);
        drop(dictionary);
        Ok(Lists { terms, runs })
    }

    /// The terms of shards `first..` (of `count`), each term with its pages and weights, in
    /// term order, one list a shard.
    pub(super) fn shards(&self, first: u32, count: u32, shard_count: u32) -> Vec<Shard<'_>> {
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
    pub(super) fn postings_of(&self, at: usize) -> Postings<'_> {
        Postings(self.runs.get(self.terms[at].1.clone()).unwrap_or_default())
    }
}

/// Where each listed term is in the lists: the term at each place, and each term's place
/// (`u32::MAX`: not listed) — when every term is listed, each term is at its own number.
struct Places<'l> {
    /// The listed terms (`None`: every term).
    listed: Option<&'l [u32]>,
    /// Each term's place, when not every term is listed.
    place: Option<Vec<u32>>,
    /// How many terms are listed.
    count: usize,
}

impl<'l> Places<'l> {
    /// The places of `listed` among `term_count` terms.
    fn new(listed: Option<&'l [u32]>, term_count: usize) -> Places<'l> {
        let place = listed.map(|listed| {
            let mut place = vec![u32::MAX; term_count];
            for (at, &term) in listed.iter().enumerate() {
                if let Some(slot) = place.get_mut(term as usize) {
                    *slot = at as u32;
                }
            }
            place
        });
        Places {
            listed,
            place,
            count: listed.map_or(term_count, <[u32]>::len),
        }
    }

    /// The term at place `at`.
    fn term_at(&self, at: usize) -> u32 {
        self.listed.map_or(at as u32, |listed| listed[at])
    }

    /// A term's place in the lists (`u32::MAX`: not listed).
    fn of(&self, term: u32) -> u32 {
        match &self.place {
            Some(place) => place.get(term as usize).copied().unwrap_or(u32::MAX),
            None => term,
        }
    }

    /// Where each place's postings start among all of them, and (last) how many there are.
    fn starts(&self, pages_of_term: &[u32]) -> Vec<u32> {
        let mut starts = vec![0u32; self.count + 1];
        for at in 0..self.count {
            let count = pages_of_term
                .get(self.term_at(at) as usize)
                .copied()
                .unwrap_or(0);
            starts[at + 1] = starts[at] + count;
        }
        starts
    }

    /// The listed terms that have pages, each with its runs' `ranges`, sorted by their first
    /// eight bytes, then (rarely: most terms are no longer) the rest.
    fn sorted_terms(
        &self,
        starts: &[u32],
        ranges: &[std::ops::Range<usize>],
        dictionary: &Dictionary,
    ) -> Vec<(Box<str>, std::ops::Range<usize>)> {
        let mut terms: Vec<(u64, Box<str>, std::ops::Range<usize>)> = (0..self.count)
            .filter(|&at| starts[at] < starts[at + 1])
            .map(|at| {
                let range = ranges.get(at).cloned().unwrap_or_default();
                let term = dictionary.term(self.term_at(at));
                (first_bytes(term), term.into(), range)
            })
            .collect();
        terms.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        terms
            .into_iter()
            .map(|(_, term, range)| (term, range))
            .collect()
    }
}

/// The places in `runs` runs of about as many postings each (bounds by place), each with
/// its slice of `postings`.
fn slices_of<'p>(
    starts: &[u32],
    postings: &'p mut [u32],
    runs: usize,
) -> Vec<(std::ops::Range<usize>, &'p mut [u32])> {
    let count = starts.len() - 1;
    let total = postings.len();
    let mut bounds = vec![0];
    for run in 1..runs {
        let half_way = (total * run / runs) as u32;
        let bound = starts.partition_point(|&start| start < half_way).min(count);
        bounds.push(bound.max(*bounds.last().unwrap_or(&0)));
    }
    bounds.push(count);
    let mut slices = Vec::with_capacity(runs);
    let mut rest = postings;
    for pair in bounds.windows(2) {
        let (first, end) = (pair[0], pair[1]);
        let len = (starts[end] - starts[first]) as usize;
        let (run, after) = rest.split_at_mut(len);
        slices.push((first..end, run));
        rest = after;
    }
    slices
}

/// The runs of terms' runs side by side, each term's range among them by place.
fn side_by_side(
    made: Vec<(Vec<Run>, Vec<std::ops::Range<usize>>)>,
    count: usize,
) -> (Vec<Run>, Vec<std::ops::Range<usize>>) {
    let mut runs: Vec<Run> = Vec::with_capacity(made.iter().map(|(r, _)| r.len()).sum());
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::with_capacity(count);
    for (made_runs, made_ranges) in made {
        let offset = runs.len();
        runs.extend_from_slice(&made_runs);
        ranges.extend(
            made_ranges
                .into_iter()
                .map(|range| range.start + offset..range.end + offset),
        );
    }
    (runs, ranges)
}

/// A run of places whose terms' lists one core makes.
struct RunOfTerms<'a> {
    /// The places of the run.
    terms: std::ops::Range<usize>,
    /// Where each place's postings start among all of them.
    starts: &'a [u32],
    /// The terms' places.
    places: &'a Places<'a>,
    /// Each group's terms with their weights.
    group_terms: &'a [Box<[(u32, u32)]>],
}

impl RunOfTerms<'_> {
    /// The run's terms' runs, and where each term's are among them: the entries' own
    /// postings placed in `room` ([`RunOfTerms::place`]), then each term's merged with its
    /// groups' pages, in page order.
    fn runs(
        &self,
        entries: &Spill,
        room: &mut [u32],
    ) -> std::io::Result<(Vec<Run>, Vec<std::ops::Range<usize>>)> {
        let base = self.starts[self.terms.start];
        let (next, group_pages) = self.place(entries, room)?;
        let low = self.terms.start;
        let of_groups = self.of_groups();
        let series: Vec<Vec<Series>> = group_pages.iter().map(|pages| series_of(pages)).collect();
        let mut runs: Vec<Run> = Vec::new();
        let mut ranges = Vec::with_capacity(self.terms.len());
        let mut of_groups = of_groups.chunk_by(|a, b| a.0 == b.0).peekable();
        let mut merged: Vec<u32> = Vec::new();
        for at in self.terms.clone() {
            let start = (self.starts[at] - base) as usize;
            let placed = next[at - low] as usize;
            let own = room.get(start..placed).unwrap_or_default();
            let groups = of_groups.next_if(|same| same[0].0 as usize == at);
            let first = runs.len();
            let mut writer = RunWriter::new(&mut runs);
            match groups {
                None => writer.packed(own),
                Some(&[(_, group, weight)]) => {
                    let group = series.get(group as usize).map_or(&[][..], |s| &s[..]);
                    write_with_group(&mut writer, own, group, weight);
                }
                // A term of several groups (pages of different kinds): its postings made one
                // by one.
                Some(same) => {
                    let listed: Vec<(&[u32], u32)> = same
                        .iter()
                        .filter_map(|&(_, group, weight)| {
                            Some((&group_pages.get(group as usize)?[..], weight))
                        })
                        .collect();
                    let end = (self.starts[at + 1] - base) as usize;
                    merged.clear();
                    merged.resize(end - start, 0);
                    let written = merge_postings(&mut merged, own, &listed);
                    writer.packed(&merged[..written]);
                }
            }
            ranges.push(first..runs.len());
        }
        Ok((runs, ranges))
    }

    /// The entries' own postings of the run's terms placed in `room`, each term's in page
    /// order from its start: where each term's placed ones end, and each group's pages in
    /// page order.
    fn place(
        &self,
        entries: &Spill,
        room: &mut [u32],
    ) -> std::io::Result<(Vec<u32>, Vec<Vec<u32>>)> {
        let base = self.starts[self.terms.start];
        let mut next: Vec<u32> = self.starts[self.terms.clone()]
            .iter()
            .map(|start| start - base)
            .collect();
        let (low, high) = (self.terms.start as u32, self.terms.end as u32);
        let mut group_pages: Vec<Vec<u32>> = vec![Vec::new(); self.group_terms.len()];
        entries.for_each_part::<std::io::Error>(Part::Head, &mut |page, head| {
            if let Some(pages) = head_group(head).and_then(|g| group_pages.get_mut(g as usize)) {
                pages.push(page as u32);
            }
            for pair in packed_terms(head_terms(head)) {
                let (term, weight) = unpack(pair);
                let at = self.places.of(term);
                if at < low || at >= high {
                    continue;
                }
                let at = &mut next[(at - low) as usize];
                if let Some(slot) = room.get_mut(*at as usize) {
                    *slot = pack(page as u32, weight);
                }
                *at += 1;
            }
            Ok(())
        })?;
        Ok((next, group_pages))
    }

    /// The run's terms of the groups: (place, group, weight), by place.
    fn of_groups(&self) -> Vec<(u32, u32, u32)> {
        let range = self.terms.start as u32..self.terms.end as u32;
        let mut of_groups: Vec<(u32, u32, u32)> = Vec::new();
        for (group, terms) in self.group_terms.iter().enumerate() {
            for &(term, weight) in terms.iter() {
                let at = self.places.of(term);
                if range.contains(&at) {
                    of_groups.push((at, group as u32, weight));
                }
            }
        }
        of_groups.sort_unstable();
        of_groups
    }
}

/// Writes into `room` the [`pack`]ed (page, weight) postings of a term: its pages' `own`
/// (ascending) and the pages of its `groups` (each ascending, with the term's weight in the
/// group; no page in two groups), a page of both with its own weight, in page order; how
/// many.
pub(super) fn merge_postings(room: &mut [u32], own: &[u32], groups: &[(&[u32], u32)]) -> usize {
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

//! The search index as files of the site, plain scripts that hand their data to the search
//! page's global `huibaoSearch` — loaded with `<script>` tags by relative path, they work
//! from `file://`, under any sub-path, with no server (no `fetch`, no modules, no WASM):
//!
//! - `search/search.js`: the search page's program (this folder's `search.js`);
//! - `search/terms-N.js`: shard N of the terms, `huibaoSearch.terms(N, {"横溪": [page, weight,
//!   …]})`, each term's pages in reading order, each page number written as the difference
//!   from the one before, a repeated (difference, weight) pair as its count of repeats
//!   (`-9999`);
//! - `search/pages-N.js`: pages `N × 8` to `N × 8 + 7`, `huibaoSearch.pages(N, [[url, title,
//!   place, text], …])`, for the results shown (title, breadcrumb, snippet).
//!
//! A query loads the shards of its terms and the page files of the results it shows.

use std::io::Write as _;
use std::path::Path;

use super::index::{Index, Page, Postings};
use crate::diagnostics::Diagnostic;

/// The folder of the index in the site.
pub const FOLDER: &str = "search/";

/// The search page's program, in the site.
pub const SCRIPT: &str = "search/search.js";

/// The program's text.
pub const SCRIPT_TEXT: &str = include_str!("search.js");

/// About how many bytes a shard of the terms holds.
pub const SHARD_BYTES: usize = 128 * 1024;

/// The most shards the terms are cut into.
pub const MOST_SHARDS: u32 = 4096;

/// How many pages a page file holds.
pub const PAGES_PER_FILE: usize = 8;

/// The path of shard `n` of the terms.
pub fn terms_file(n: u32) -> String {
    format!("search/terms-{n}.js")
}

/// The path of page file `n`.
pub fn pages_file(n: usize) -> String {
    format!("search/pages-{n}.js")
}

/// Takes a file of the index: its path in the site and its bytes.
/// Called from every core at once.
pub type Put<'p> = dyn Fn(&Path, &[u8]) -> Result<(), Diagnostic> + Sync + 'p;

/// Every file of `index`, given to `put` one at a time: the program, the terms' shards,
/// the page files. A build writes them beside the whole-report page and figures.json, which
/// keep a core busy for longer: the terms' lists are made in one run (a run on each core
/// would read every page's terms once each, one after the other).
pub fn write(index: &Index, put: &Put<'_>) -> Result<(), Diagnostic> {
    write_stopping(index, put).map_err(Stop::into_diagnostic)
}

/// Why writing the index stopped: a file that could not be put, or the index's scratch
/// file that could not be read.
enum Stop {
    Put(Diagnostic),
    Read(std::io::Error),
}

impl From<std::io::Error> for Stop {
    fn from(error: std::io::Error) -> Self {
        Stop::Read(error)
    }
}

impl Stop {
    fn into_diagnostic(self) -> Diagnostic {
        match self {
            Stop::Put(problem) => problem,
            Stop::Read(error) => write_error(&error),
        }
    }
}

/// [`write`], stopping at the first file not put or scratch file not read.
fn write_stopping(index: &Index, put: &Put<'_>) -> Result<(), Stop> {
    use rayon::prelude::*;
    let put = |path: &str, bytes: &[u8]| put(Path::new(path), bytes).map_err(Stop::Put);
    put(SCRIPT, SCRIPT_TEXT.as_bytes())?;
    // The terms' files a batch of shards at a time (on one core: the other writes the whole
    // report and figures.json), each batch's lists let go before the next.
    index.for_each_shard_batch::<Stop>(1, BATCH_POSTINGS, &mut |first, shards| {
        shards.par_iter().enumerate().try_for_each(|(i, terms)| {
            let n = first as usize + i;
            put(&terms_file(n as u32), &terms_script(n, terms))
        })
    })?;
    // The page files made as the pages came are written already, but those whose pages
    // never all came.
    if let Some(left) = index.page_files_left() {
        for (n, bytes) in left {
            put(&pages_file(*n), bytes)?;
        }
        return Ok(());
    }
    // The page files, a batch at a time: texts read in page order, files made on every core.
    let pages = index.pages();
    let mut batch: Vec<Vec<u8>> = Vec::with_capacity(BATCH_PAGES);
    let mut batch_first = 0;
    let write_batch = |first: usize, texts: &[Vec<u8>]| -> Result<(), Stop> {
        texts
            .par_chunks(PAGES_PER_FILE)
            .enumerate()
            .try_for_each(|(i, texts)| {
                let n = first / PAGES_PER_FILE + i;
                put(&pages_file(n), &pages_script(n, pages, texts))
            })
    };
    index.for_each_text::<Stop>(&mut |page, text| {
        let first = page - page % BATCH_PAGES;
        if first != batch_first && !batch.is_empty() {
            write_batch(batch_first, &batch)?;
            batch.clear();
        }
        batch_first = first;
        batch.resize(page - first, Vec::new());
        batch.push(text.to_vec());
        Ok(())
    })?;
    if !batch.is_empty() {
        write_batch(batch_first, &batch)?;
    }
    Ok(())
}

/// How many postings of the terms' lists [`write`] holds at once (4 bytes each): the lists
/// of a site of 10,000 villages (7.4 million) at once, of 100,000 in five batches.
const BATCH_POSTINGS: usize = 16 << 20;

/// How many pages' texts [`write`] holds at once (whole page files).
const BATCH_PAGES: usize = PAGES_PER_FILE * 64;

/// How many files [`write`] writes.
pub fn count(index: &Index) -> usize {
    1 + index.shard_count() as usize + index.pages().len().div_ceil(PAGES_PER_FILE)
}

/// The file at `path` (`search/terms-3.js`) of `index`, made when asked for (the preview).
pub fn file(index: &Index, path: &str) -> Option<Vec<u8>> {
    if path == SCRIPT {
        return Some(SCRIPT_TEXT.as_bytes().to_vec());
    }
    let number = |prefix: &str| -> Option<usize> {
        path.strip_prefix(prefix)?.strip_suffix(".js")?.parse().ok()
    };
    if let Some(n) = number("search/terms-") {
        return index
            .shards()
            .ok()?
            .get(n)
            .map(|terms| terms_script(n, terms));
    }
    let n = number("search/pages-")?;
    let first = n.checked_mul(PAGES_PER_FILE)?;
    if first >= index.pages().len() {
        return None;
    }
    let mut texts = vec![Vec::new(); PAGES_PER_FILE.min(index.pages().len() - first)];
    let _ = index.for_each_text::<std::io::Error>(&mut |page, text| {
        if let Some(slot) = page.checked_sub(first).and_then(|i| texts.get_mut(i)) {
            *slot = text.to_vec();
        }
        Ok(())
    });
    Some(pages_script(n, index.pages(), &texts))
}

/// Shard `n` of the terms as a script.
fn terms_script(n: usize, terms: &[(&str, Postings<'_>)]) -> Vec<u8> {
    // About two bytes a posting (see `Collector::finish`).
    let postings: usize = terms.iter().map(|(_, p)| p.len()).sum();
    let mut out = Vec::with_capacity(64 + terms.len() * 16 + postings * 2);
    let _ = write!(out, "huibaoSearch.terms({n},{{");
    for (i, (term, postings)) in terms.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'\n');
        crate::json::push_string(&mut out, term.as_bytes());
        out.extend_from_slice(b":[");
        push_postings(&mut out, postings);
        out.push(b']');
    }
    out.extend_from_slice(b"});\n");
    out
}

/// Appends a term's `postings` as the numbers of its list: each page as the difference
/// from the one before and its weight — and, where that (difference, weight) pair repeats,
/// how many more times as a negative number (`1,1,-9999`: the next 10,000 pages, weight 1
/// on each). A report's prose is on every page of its kind: most of a large index is such
/// runs (ten times fewer bytes at 10,000 villages).
fn push_postings(out: &mut Vec<u8>, postings: &Postings<'_>) {
    for (at, (difference, weight, count)) in postings.runs().enumerate() {
        if at > 0 {
            out.push(b',');
        }
        push_number(out, difference);
        out.push(b',');
        push_number(out, weight);
        if count > 1 {
            out.extend_from_slice(b",-");
            push_number(out, count - 1);
        }
    }
}

/// A term's list as a terms file writes it ([`push_postings`]), of its (page, weight)
/// pairs in page order: for tests of the search page's reading of it.
pub fn postings_text(pairs: &[(u32, u32)]) -> String {
    let packed: Vec<u32> = pairs
        .iter()
        .map(|&(page, weight)| super::index::pack(page, weight))
        .collect();
    let mut out = Vec::new();
    let runs = Postings::runs_of(&packed);
    push_postings(&mut out, &Postings::from_runs(&runs));
    String::from_utf8_lossy(&out).into_owned()
}

/// Appends `n` in decimal digits.
fn push_number(out: &mut Vec<u8>, mut n: u32) {
    // Most are one digit: a weight, the distance to a neighbouring page.
    if n < 10 {
        out.push(b'0' + n as u8);
        return;
    }
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// Page file `n` as a script: pages `n × PAGES_PER_FILE` on, with `texts`.
pub(super) fn pages_script(n: usize, pages: &[Page], texts: &[Vec<u8>]) -> Vec<u8> {
    let bytes: usize = texts.iter().map(|t| t.len() + 200).sum();
    let mut out = Vec::with_capacity(64 + bytes);
    let _ = write!(out, "huibaoSearch.pages({n},[");
    for (i, text) in texts.iter().enumerate() {
        let Some(page) = pages.get(n * PAGES_PER_FILE + i) else {
            break;
        };
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"\n[");
        for (j, field) in [
            page.url.as_bytes(),
            page.title.as_bytes(),
            page.place.as_bytes(),
            text,
        ]
        .into_iter()
        .enumerate()
        {
            if j > 0 {
                out.push(b',');
            }
            crate::json::push_string(&mut out, field);
        }
        out.push(b']');
    }
    out.extend_from_slice(b"]);\n");
    out
}

/// The error for a page text of the index that could not be kept or read back.
pub fn write_error(error: &std::io::Error) -> Diagnostic {
    Diagnostic::unwritable(SCRIPT, ("写入搜索索引", "writing the search index"), error)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file that cannot be put stops the writing with its own problem: no file after it
    /// (the terms are written before the pages' texts).
    #[test]
    fn a_file_not_put_stops_the_writing_with_its_problem() {
        let index = crate::search::index::tests::index();
        let tried = std::sync::Mutex::new(Vec::new());
        let put = |path: &Path, _: &[u8]| {
            let path = path.to_string_lossy().into_owned();
            let full = path.starts_with("search/terms-");
            tried.lock().unwrap().push(path);
            if full {
                Err(Diagnostic::error(
                    "disk-full",
                    None,
                    crate::diagnostics::Text::new("磁盘已满", "the disk is full"),
                ))
            } else {
                Ok(())
            }
        };
        let problem = write(&index, &put).unwrap_err();
        assert_eq!(problem.code, "disk-full");
        let tried = tried.into_inner().unwrap();
        assert!(
            tried.iter().any(|p| p.starts_with("search/terms-")),
            "{tried:?}"
        );
        assert!(!tried.iter().any(|p| p.contains("pages-")), "{tried:?}");
        // Nothing failing, every file is put.
        let all = std::sync::Mutex::new(0);
        write(&index, &|_: &Path, _: &[u8]| {
            *all.lock().unwrap() += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(all.into_inner().unwrap(), count(&index));
    }

    #[test]
    fn a_repeated_pair_is_written_as_its_count() {
        // Pages 4, 5, 6 weighing 1; 8 and 10 weighing 2; 11.
        let pairs = [(4, 1), (5, 1), (6, 1), (8, 2), (10, 2), (11, 3)];
        assert_eq!(postings_text(&pairs), "4,1,1,1,-1,2,2,-1,1,3");
        assert_eq!(postings_text(&[]), "");
    }

    proptest::proptest! {
        /// A list written by its runs is the list written pair by pair, each pair that
        /// repeats the one before counted.
        #[test]
        fn a_list_is_written_as_pair_by_pair(
            steps in proptest::collection::vec((1u32..4, 0u32..3), 0..40),
        ) {
            let mut page = 0;
            let pairs: Vec<(u32, u32)> = steps
                .iter()
                .map(|&(step, weight)| {
                    page += step;
                    (page, weight)
                })
                .collect();
            let mut expected = String::new();
            let (mut before, mut last, mut repeats) = (0, None, 0);
            for &(page, weight) in &pairs {
                let pair = (page - before, weight);
                before = page;
                if last == Some(pair) {
                    repeats += 1;
                    continue;
                }
                if repeats > 0 {
                    expected.push_str(&format!(",-{repeats}"));
                    repeats = 0;
                }
                if last.is_some() {
                    expected.push(',');
                }
                expected.push_str(&format!("{},{}", pair.0, pair.1));
                last = Some(pair);
            }
            if repeats > 0 {
                expected.push_str(&format!(",-{repeats}"));
            }
            proptest::prop_assert_eq!(postings_text(&pairs), expected);
        }
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        let mut out = Vec::new();
        for n in [0, 7, 9, 10, 99, 1094, u32::MAX] {
            push_number(&mut out, n);
            out.push(b' ');
        }
        assert_eq!(out, b"0 7 9 10 99 1094 4294967295 ");
    }
}

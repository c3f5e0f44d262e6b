//! Pieces of output kept in reading order while the pages are rendered in any order: in
//! memory (the preview, tests, a small site's build) or, beyond a budget, appended to a
//! scratch file (a large site's build, so that 100,000 villages never hold them all). The
//! whole-report page's sections and the search index's entries wait here for the end of
//! the build (and, at 100,000 villages, the entries split by batch of the index's lists).

use bytes::Bytes;
use std::io::{BufWriter, Write};
#[cfg(not(any(unix, windows)))]
use std::io::{Read, Seek};
use std::path::PathBuf;
use std::sync::Mutex;

/// Pieces put by page number, read back in page order: held in memory up to a budget, the
/// rest appended to a scratch file.
pub struct Spill {
    /// Pieces held in memory.
    memory: Mutex<Held>,
    /// How many bytes of pieces are held in memory before they go to the scratch file.
    budget: usize,
    /// The scratch file, when pieces beyond the budget go to one.
    file: Option<ScratchFile>,
}

/// Pieces held in memory: (index, piece, length of its head) of each, and how many bytes
/// they hold.
#[derive(Default)]
struct Held {
    pieces: Vec<(usize, Bytes, usize)>,
    bytes: usize,
}

/// A scratch file the pieces beyond a spill's budget are appended to as they come (through
/// a buffer: one write for many pieces).
struct ScratchFile {
    /// Removed when the spill is dropped.
    path: PathBuf,
    /// The file and how long it is.
    file: Mutex<(BufWriter<std::fs::File>, u64)>,
    /// Where each piece is in it.
    places: Mutex<Vec<Place>>,
}

/// Which part of each piece [`Spill::for_each_part`] reads back: a piece can be put with
/// a head ([`Spill::put_with_head`]) that is read without the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The whole piece.
    Whole,
    /// Its head.
    Head,
    /// What follows its head.
    Tail,
}

/// The (start, length) of `part` of a piece of `len` bytes with a head of `head`.
fn part_range(part: Part, len: u64, head: u64) -> (u64, u64) {
    let head = head.min(len);
    match part {
        Part::Whole => (0, len),
        Part::Head => (0, head),
        Part::Tail => (head, len - head),
    }
}

/// How much a scratch file's buffer holds before it is written.
const WRITE_BUFFER: usize = 1 << 20;

/// How many bytes of pieces a spill of a small site holds in memory before it writes them
/// to its scratch file ([`memory_budget`]).
const MEMORY_BUDGET: usize = 40 << 20;

/// From how many pages a build keeps its memory bounded rather than as fast as it can:
/// its spills write every piece to their scratch files ([`memory_budget`]), its pages'
/// figures wait in a scratch file until `figures.json` is written, and what its pages
/// freed is given back before the writers start. One number for the three: 100,000
/// villages build in 400 MiB, 10,000 as fast as they can.
pub const LARGE_SITE_PAGES: usize = 20_000;

/// How many bytes of pieces a spill of a site of `pages` pages holds in memory first: a site
/// of 10,000 villages keeps its search entries' terms (~30 MB) in memory — written to a file
/// and read back they cost a few per cent of its build —; one of 20,000 pages or more keeps
/// none (100,000 villages build in 400 MiB).
pub fn memory_budget(pages: usize) -> usize {
    if pages < LARGE_SITE_PAGES {
        MEMORY_BUDGET
    } else {
        0
    }
}

impl Spill {
    /// Pieces held in memory.
    pub fn in_memory() -> Spill {
        Spill {
            memory: Mutex::default(),
            budget: usize::MAX,
            file: None,
        }
    }

    /// Pieces held in memory up to `budget` bytes ([`memory_budget`]), the rest appended to
    /// a new scratch file at `path` (made now: a folder that cannot take it is told at once).
    pub fn to_file(path: PathBuf, budget: usize) -> std::io::Result<Spill> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)?;
        Ok(Spill {
            memory: Mutex::default(),
            budget,
            file: Some(ScratchFile {
                path,
                file: Mutex::new((BufWriter::with_capacity(WRITE_BUFFER, file), 0)),
                places: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Keeps the piece of page `index`.
    pub fn put(&self, index: usize, piece: Bytes) -> std::io::Result<()> {
        let len = piece.len();
        self.put_with_head(index, piece, len)
    }

    /// Keeps the piece of page `index`, its first `head` bytes readable without the rest.
    pub fn put_with_head(&self, index: usize, piece: Bytes, head: usize) -> std::io::Result<()> {
        if self.hold(index, piece.len(), head, || piece.clone()) {
            return Ok(());
        }
        self.append(index, &piece, head)
    }

    /// Keeps a copy of the piece of page `index` (copied only when it is held in memory).
    pub fn put_copy(&self, index: usize, piece: &[u8]) -> std::io::Result<()> {
        if self.hold(index, piece.len(), piece.len(), || {
            Bytes::copy_from_slice(piece)
        }) {
            return Ok(());
        }
        self.append(index, piece, piece.len())
    }

    /// Holds the piece of page `index` (`len` bytes, made by `piece`) in memory if the
    /// budget has room for it (or the spill has no scratch file): whether it did.
    fn hold(&self, index: usize, len: usize, head: usize, piece: impl FnOnce() -> Bytes) -> bool {
        let mut held = lock(&self.memory);
        if self.file.is_some() && held.bytes + len > self.budget {
            return false;
        }
        held.bytes += len;
        held.pieces.push((index, piece(), head));
        true
    }

    /// Appends the piece of page `index` to the scratch file (nothing without one).
    fn append(&self, index: usize, piece: &[u8], head: usize) -> std::io::Result<()> {
        if let Some(ScratchFile { file, places, .. }) = &self.file {
            let mut file = lock(file);
            let (file, length) = &mut *file;
            file.write_all(piece)?;
            let offset = *length;
            *length += piece.len() as u64;
            lock(places).push((index, offset, piece.len() as u64, head as u64));
        }
        Ok(())
    }

    /// A new spill beside this one, its scratch file (with the same budget) named after
    /// this one's with `.{suffix}` added: `None` when this one has no scratch file.
    pub fn beside(&self, suffix: &str) -> Option<std::io::Result<Spill>> {
        let ScratchFile { path, .. } = self.file.as_ref()?;
        let mut name = path.as_os_str().to_owned();
        name.push(".");
        name.push(suffix);
        Some(Spill::to_file(PathBuf::from(name), self.budget))
    }

    /// Calls `each` with every page number and its piece, in page order. Several threads
    /// may read at once (each reads the scratch file by position).
    pub fn for_each(
        &self,
        each: &mut dyn FnMut(usize, &[u8]) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.for_each_part(Part::Whole, each)
    }

    /// Like [`Spill::for_each`], with only `part` of each piece (the rest is not read).
    /// `each` may stop the walk with an error of its own (`E`), which is handed back, as is
    /// a failure to read the scratch file.
    pub fn for_each_part<E: From<std::io::Error>>(
        &self,
        part: Part,
        each: &mut EachPiece<'_, E>,
    ) -> Result<(), E> {
        let mut in_memory = lock(&self.memory).pieces.clone();
        in_memory.sort_by_key(|(index, _, _)| *index);
        let mut in_memory = in_memory.into_iter().peekable();
        // The pieces in the file, in page order, among those in memory.
        if let Some(ScratchFile { path, file, places }) = &self.file {
            let mut places = lock(places).clone();
            if !places.is_empty() {
                places.sort_by_key(|(index, _, _, _)| *index);
                lock(file).0.flush()?;
                let reader = std::fs::File::open(path)?;
                let mut buffer = Vec::new();
                for chunk in read_chunks(&places) {
                    // Where each piece's part is in `buffer`.
                    let ranges = read_chunk(&reader, part, chunk, &mut buffer)?;
                    for (&(index, ..), range) in chunk.iter().zip(ranges) {
                        while let Some((before, piece, head)) =
                            in_memory.next_if(|(before, _, _)| *before < index)
                        {
                            each_part(part, before, &piece, head, each)?;
                        }
                        each(index, &buffer[range])?;
                    }
                }
            }
        }
        for (index, piece, head) in in_memory {
            each_part(part, index, &piece, head, each)?;
        }
        Ok(())
    }
}

/// (index, offset, length, length of its head) of a piece in a scratch file.
type Place = (usize, u64, u64, u64);

/// How many bytes of pieces [`Spill::for_each_part`] reads from the scratch file at once
/// (a chunk of pieces in page order, at least one).
const READ_CHUNK: u64 = 4 << 20;

/// Parts of pieces at most this far apart in the scratch file (and no farther than the
/// next one is long) are read in one call, the bytes between them read and skipped.
const READ_GAP: u64 = 16 << 10;

/// `places` (in page order) cut into chunks of about [`READ_CHUNK`] bytes.
fn read_chunks(places: &[Place]) -> impl Iterator<Item = &[Place]> {
    let mut rest = places;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut bytes = 0;
        let end = rest
            .iter()
            .position(|&(_, _, len, _)| {
                bytes += len;
                bytes > READ_CHUNK
            })
            .map_or(rest.len(), |at| at.max(1));
        let (chunk, after) = rest.split_at(end);
        rest = after;
        Some(chunk)
    })
}

/// Reads `part` of each piece of `chunk` from `file` into `buffer`, a few calls for the
/// whole chunk (the pieces near each other in the file — most: each thread appends its
/// pages in their order — in one), and says where each is in it, in the chunk's order.
fn read_chunk(
    file: &std::fs::File,
    part: Part,
    chunk: &[Place],
    buffer: &mut Vec<u8>,
) -> std::io::Result<Vec<std::ops::Range<usize>>> {
    // Each part's place in the file, in the file's order.
    let mut wanted: Vec<(u64, u64, usize)> = chunk
        .iter()
        .enumerate()
        .map(|(at, &(_, offset, len, head))| {
            let (start, len) = part_range(part, len, head);
            (offset + start, len, at)
        })
        .collect();
    wanted.sort_unstable();
    // How much of `buffer` this chunk fills (it keeps the length of the longest chunk: its
    // bytes are not zeroed again for each).
    let mut used = 0;
    let mut ranges = vec![0..0; chunk.len()];
    let mut at = 0;
    while at < wanted.len() {
        // A run of parts read in one call: from the first's start to the last's end.
        let run_start = wanted[at].0;
        let mut run_end = run_start + wanted[at].1;
        let mut end = at + 1;
        while let Some(&(start, len, _)) = wanted.get(end) {
            // (A gap read is no longer than the part after it: the buffer holds at most
            // twice the chunk's parts.)
            if start > run_end + READ_GAP.min(len) {
                break;
            }
            run_end = run_end.max(start + len);
            end += 1;
        }
        let base = used;
        used += (run_end - run_start) as usize;
        if buffer.len() < used {
            buffer.resize(used, 0);
        }
        read_at(file, &mut buffer[base..used], run_start)?;
        for &(start, len, piece) in &wanted[at..end] {
            let from = base + (start - run_start) as usize;
            ranges[piece] = from..from + len as usize;
        }
        at = end;
    }
    Ok(ranges)
}

/// Calls `each` with `part` of the piece of page `index` held in memory.
fn each_part<E>(
    part: Part,
    index: usize,
    piece: &[u8],
    head: usize,
    each: &mut EachPiece<'_, E>,
) -> Result<(), E> {
    let (start, len) = part_range(part, piece.len() as u64, head as u64);
    each(index, &piece[start as usize..(start + len) as usize])
}

/// What [`Spill::for_each_part`] calls with each piece (its index and bytes): `Err` stops
/// the walk.
pub type EachPiece<'e, E> = dyn FnMut(usize, &[u8]) -> Result<(), E> + 'e;

/// Fills `buffer` from `file` at `offset` (one call, the file's position untouched).
#[cfg(unix)]
fn read_at(file: &std::fs::File, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
}

/// Fills `buffer` from `file` at `offset`.
#[cfg(windows)]
fn read_at(file: &std::fs::File, mut buffer: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buffer.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buffer, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buffer = &mut buffer[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// Fills `buffer` from `file` at `offset`.
#[cfg(not(any(unix, windows)))]
fn read_at(file: &std::fs::File, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
    let mut file = file;
    file.seek(std::io::SeekFrom::Start(offset))?;
    file.read_exact(buffer)
}

impl Drop for Spill {
    fn drop(&mut self) {
        if let Some(ScratchFile { path, .. }) = &self.file {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The value behind `mutex`, even when a thread panicked holding it.
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each page number and its `part`, as the spill gives them back (the whole piece
    /// through [`Spill::for_each`]).
    fn read_back(spill: &Spill, part: Part) -> Vec<(usize, Vec<u8>)> {
        let mut out = Vec::new();
        let mut each = |index, piece: &[u8]| {
            out.push((index, piece.to_vec()));
            Ok(())
        };
        match part {
            Part::Whole => spill.for_each(&mut each),
            _ => spill.for_each_part::<std::io::Error>(part, &mut each),
        }
        .unwrap();
        out
    }

    #[test]
    fn pieces_come_back_in_page_order_from_memory_and_from_a_scratch_file() {
        let dir = tempfile::tempdir().unwrap();
        for spill in [
            Spill::in_memory(),
            Spill::to_file(dir.path().join("pieces"), memory_budget(1)).unwrap(),
            Spill::to_file(dir.path().join("pieces-0"), 0).unwrap(),
            // "C" held, "A" and "BB" beyond the budget.
            Spill::to_file(dir.path().join("pieces-1"), 1).unwrap(),
            // "C" and "A" held, "BB" beyond the budget.
            Spill::to_file(dir.path().join("pieces-2"), 2).unwrap(),
        ] {
            spill.put(2, Bytes::from_static(b"C")).unwrap();
            spill.put(0, Bytes::from_static(b"A")).unwrap();
            spill.put(1, Bytes::from_static(b"BB")).unwrap();
            assert_eq!(
                read_back(&spill, Part::Whole),
                [(0, b"A".to_vec()), (1, b"BB".to_vec()), (2, b"C".to_vec())]
            );
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "the scratch files are removed"
        );
    }

    #[test]
    fn a_piece_s_head_and_tail_are_read_apart() {
        let dir = tempfile::tempdir().unwrap();
        for spill in [
            Spill::in_memory(),
            Spill::to_file(dir.path().join("pieces"), memory_budget(1)).unwrap(),
            Spill::to_file(dir.path().join("pieces-0"), 0).unwrap(),
            // "headTAIL" held, the others beyond the budget.
            Spill::to_file(dir.path().join("pieces-8"), 8).unwrap(),
        ] {
            spill
                .put_with_head(1, Bytes::from_static(b"headTAIL"), 4)
                .unwrap();
            spill.put(0, Bytes::from_static(b"whole")).unwrap();
            // A head said longer than its piece is the whole piece.
            spill
                .put_with_head(2, Bytes::from_static(b"ab"), 9)
                .unwrap();
            let read = |part| -> Vec<(usize, String)> {
                let pieces = read_back(&spill, part).into_iter();
                let text = |piece: Vec<u8>| String::from_utf8_lossy(&piece).into_owned();
                pieces.map(|(index, piece)| (index, text(piece))).collect()
            };
            let strings = |pieces: [&str; 3]| -> Vec<(usize, String)> {
                pieces.iter().map(|p| p.to_string()).enumerate().collect()
            };
            assert_eq!(read(Part::Whole), strings(["whole", "headTAIL", "ab"]));
            assert_eq!(read(Part::Head), strings(["whole", "head", "ab"]));
            assert_eq!(read(Part::Tail), strings(["", "TAIL", ""]));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// However many pieces, however long, in whatever order they are put, with whatever
        /// heads and budget, each part comes back as it was put, in page order — the
        /// scratch file read a chunk of pieces at a time, pieces near each other in one call.
        #[test]
        fn every_part_comes_back_as_put_in_page_order(
            pieces in proptest::collection::vec(
                (0usize..40_000, 0usize..40_000, proptest::bool::ANY), 1..300),
            budget in proptest::prop_oneof![proptest::strategy::Just(0usize), 0usize..200_000],
            order_seed in proptest::prelude::any::<u64>(),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let spill = Spill::to_file(dir.path().join("pieces"), budget).unwrap();
            let made: Vec<(Vec<u8>, usize)> = pieces
                .iter()
                .enumerate()
                .map(|(index, &(len, head, copied))| {
                    let bytes = (0..len).map(|i| (i * 31 + index * 7) as u8).collect();
                    (bytes, if copied { len } else { head })
                })
                .collect();
            // Put in an order of their own, as threads put pages.
            let mut order: Vec<usize> = (0..made.len()).collect();
            let mut state = order_seed | 1;
            for i in (1..order.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                order.swap(i, (state % (i as u64 + 1)) as usize);
            }
            for &index in &order {
                let (bytes, head) = &made[index];
                if pieces[index].2 {
                    spill.put_copy(index, bytes).unwrap();
                } else {
                    spill.put_with_head(index, Bytes::from(bytes.clone()), *head).unwrap();
                }
            }
            for part in [Part::Whole, Part::Head, Part::Tail] {
                let out = read_back(&spill, part);
                let wanted: Vec<(usize, Vec<u8>)> = made
                    .iter()
                    .enumerate()
                    .map(|(index, (bytes, head))| {
                        let (start, len) = part_range(part, bytes.len() as u64, *head as u64);
                        (index, bytes[start as usize..(start + len) as usize].to_vec())
                    })
                    .collect();
                proptest::prop_assert_eq!(out, wanted, "{:?}", part);
            }
        }
    }

    #[test]
    fn a_spill_beside_another_has_a_scratch_file_of_its_own_only_if_the_other_has_one() {
        assert!(Spill::in_memory().beside("batch-0").is_none());
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::to_file(dir.path().join("entries"), 0).unwrap();
        let beside = spill.beside("batch-1").unwrap().unwrap();
        beside.put_copy(3, b"three").unwrap();
        spill.put_copy(0, b"zero").unwrap();
        assert!(dir.path().join("entries.batch-1").exists());
        assert_eq!(read_back(&beside, Part::Whole), [(3, b"three".to_vec())]);
        drop(beside);
        assert!(
            !dir.path().join("entries.batch-1").exists(),
            "removed when dropped"
        );
    }
}

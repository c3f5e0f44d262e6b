//! The search index's cost per page: `cargo bench --bench search [SITE_OUTPUT]`.
//! Reads the content of every page of a built site (default: the bundled report built into
//! `public/`; for scale, a 10,000-village site built by `bench/scale.sh`), then times each
//! step the build takes per page — the text of the content, its terms and weights, adding them
//! to the index — and the end: the index finished and its files made. Target: the whole at
//! most a tenth of the build's time (issue 12).

#![allow(clippy::result_large_err)]

use huibao::search::{files, index};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let root = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map_or_else(|| PathBuf::from("public"), PathBuf::from);
    let mut bodies = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let Ok(html) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let body = match (html.find("<article>"), html.rfind("</article>")) {
            (Some(start), Some(end)) if start < end => html[start..end].to_string(),
            _ => continue,
        };
        let title = entry.path().display().to_string();
        bodies.push((title, body));
    }
    if bodies.is_empty() {
        eprintln!("no pages under {}: build a site first", root.display());
        return;
    }
    let bytes: usize = bodies.iter().map(|(_, b)| b.len()).sum();
    let start = Instant::now();
    let texts: Vec<_> = bodies
        .iter()
        .map(|(_, body)| huibao::search::text::page_text(body))
        .collect();
    let read = start.elapsed();
    let start = Instant::now();
    let collector = index::Collector::new(Arc::default(), huibao::spill::Spill::in_memory());
    let entries: Vec<_> = bodies
        .iter()
        .zip(&texts)
        .map(|((title, _), text)| index::Entry::new(title, text, collector.dictionary()))
        .collect();
    let weighed = start.elapsed();
    let start = Instant::now();
    for (n, entry) in entries.iter().enumerate() {
        collector.put(n, entry).expect("in memory");
    }
    let put = start.elapsed();
    let start = Instant::now();
    let pages = bodies
        .iter()
        .map(|(title, _)| index::Page {
            url: title.clone(),
            title: title.clone(),
            place: String::new(),
        })
        .collect::<Vec<_>>();
    let index = collector.finish(|| pages);
    index.shards().expect("in memory");
    let finished = start.elapsed();
    let start = Instant::now();
    let written = std::sync::atomic::AtomicUsize::new(0);
    files::write(&index, &|_, bytes| {
        written.fetch_add(bytes.len(), std::sync::atomic::Ordering::Relaxed);
        Ok(())
    })
    .expect("in memory");
    let written = written.into_inner();
    let made = start.elapsed();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{} pages ({:.1} MB of content HTML), one core:\n  text {:.0} ms, terms {:.0} ms, put {:.0} ms, finish {:.0} ms, files {:.0} ms ({:.1} MB in {} shards)",
        bodies.len(),
        bytes as f64 / 1e6,
        ms(read),
        ms(weighed),
        ms(put),
        ms(finished),
        ms(made),
        written as f64 / 1e6,
        index.shard_count()
    );
}

//! Reading data files, one core: `cargo bench --bench load [SITE]`.
//! Reads every `.yaml` under the site's `data/` folder into memory (default: the bundled
//! report; for scale, a site written by `bench/scale_site.py`), then times each step a build
//! takes per file — the YAML parser's events alone, huibao's located tree, and the whole of
//! `load::data_file` (tree, checks, fingerprint) — in MB/s of YAML. Target (issue 10): the
//! whole load at 100 MB/s on two cores.

#![allow(clippy::result_large_err)]

use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let site = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(site.join("data")).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        if entry.path().extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let path = entry.path().strip_prefix(&site).unwrap_or(entry.path());
        files.push((path.to_path_buf(), text));
    }
    if files.is_empty() {
        eprintln!("no data files under {}", site.join("data").display());
        return;
    }
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let mb = bytes as f64 / 1e6;
    let rate = |what: &str, seconds: f64| {
        println!(
            "{what:>12}: {:7.1} ms  {:6.1} MB/s",
            seconds * 1e3,
            mb / seconds
        );
    };
    println!("{} files, {:.1} MB of YAML", files.len(), mb);

    let start = Instant::now();
    let mut events = 0usize;
    for (_, text) in &files {
        let mut parser = saphyr_parser::Parser::new_from_str(text);
        while let Some(Ok(_)) = parser.next_event() {
            events += 1;
        }
    }
    rate("events", start.elapsed().as_secs_f64());
    std::hint::black_box(events);

    let start = Instant::now();
    let trees: Vec<_> = files
        .iter()
        .map(|(path, text)| huibao::load::yaml::parse(text, Path::new(path)).expect("parses"))
        .collect();
    rate("tree", start.elapsed().as_secs_f64());

    let start = Instant::now();
    let mut done = 0usize;
    for ((path, _), tree) in files.iter().zip(trees) {
        done += huibao::load::data_file(path, tree).is_ok() as usize;
    }
    rate("data_file", start.elapsed().as_secs_f64());
    std::hint::black_box(done);

    let start = Instant::now();
    for (path, _) in &files {
        std::hint::black_box(huibao::load::load_file(&site, path).is_ok());
    }
    rate("load_file", start.elapsed().as_secs_f64());
}

//! The bundled site (the repository itself): it builds, checks clean, every link resolves
//! inside the output, and nothing is requested from outside it.

mod common;

use common::*;
use std::fs;
use std::path::{Component, Path, PathBuf};

fn built() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    build_ok(&repo(), out.path());
    out
}

#[test]
fn check_is_clean() {
    let output = huibao(&repo(), &["check", "--deny-warnings"]);
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn every_link_resolves_to_a_file_of_the_site() {
    let out = built();
    let mut checked = 0;
    for (path, bytes) in tree(out.path()) {
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for link in links(&html) {
            assert!(
                !link.starts_with('/') && !link.contains("://") && !link.starts_with("//"),
                "{}: `{link}` is not a relative link inside the site",
                path.display()
            );
            if link.starts_with('#') || link.starts_with("mailto:") {
                continue;
            }
            let target = link.split(['#', '?']).next().unwrap();
            // A file named in Chinese is linked percent-encoded (`downloads/%E6%9D%91….csv`).
            let target = percent_encoding::percent_decode_str(target)
                .decode_utf8()
                .unwrap();
            let resolved = resolve(&path, &target);
            assert!(
                out.path().join(&resolved).is_file(),
                "{}: `{link}` points to {} which does not exist",
                path.display(),
                resolved.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} links checked");
}

/// `target` relative to the folder of `page`, with `..` resolved; panics if it leaves the site.
fn resolve(page: &Path, target: &str) -> PathBuf {
    let mut parts: Vec<_> = page.parent().unwrap().components().collect();
    for component in Path::new(target).components() {
        match component {
            Component::ParentDir => {
                assert!(
                    parts.pop().is_some(),
                    "{}: `{target}` leaves the site",
                    page.display()
                );
            }
            Component::Normal(_) => parts.push(component),
            _ => {}
        }
    }
    parts.iter().collect()
}

#[test]
fn nothing_is_loaded_from_outside_the_site() {
    let out = built();
    for (path, bytes) in tree(out.path()) {
        let text = String::from_utf8_lossy(&bytes);
        for needle in [
            "http://",
            "https://",
            "//cdn",
            "@import url(\"http",
            "url(http",
        ] {
            // Plain prose could mention a web address; markup and styles may not load one.
            for line in text.lines().filter(|l| l.contains(needle)) {
                assert!(
                    !(line.contains("src=") || line.contains("href=") || line.contains("url(")),
                    "{}: loads from outside: {line}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn reproduces_the_seed_report() {
    let out = built();
    let page = |p: &str| page_text(&fs::read_to_string(out.path().join(p)).unwrap());
    let index = page("index.html");
    for figure in ["139.3平方公里", "1841户", "6336人", "133人", "0.23%"] {
        assert!(index.contains(figure), "home page lacks {figure}");
    }
    let villages: Vec<_> = fs::read_dir(out.path().join("villages"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() != "index.html")
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .collect();
    assert_eq!(villages.len(), 17, "one page per village");
    // Each data table has its CSV beside the page (the overview's three, a village's own).
    let tables = fs::read_dir(out.path().join("villages"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "csv"))
        .count();
    assert_eq!(tables, 20, "a CSV for each data table");
    for (file, figures) in [
        (
            "policies/education.html",
            &["706人", "81.76875万元", "1425人次"][..],
        ),
        (
            "policies/health.html",
            &["1094.52万元", "988.26万元", "90.29%", "92.13%"][..],
        ),
        ("policies/social_security.html", &["1973人", "75.1%"][..]),
        ("policies/industry.html", &["342万元"][..]),
    ] {
        let text = page(file);
        for figure in figures {
            assert!(text.contains(figure), "{file} lacks {figure}");
        }
    }
    let notes = page("data-notes.html");
    assert!(
        notes.contains("1741") && notes.contains("67"),
        "数据说明 states the 家庭医生 correction"
    );
    assert!(
        notes.contains("342"),
        "数据说明 states the 342 元 correction"
    );
}

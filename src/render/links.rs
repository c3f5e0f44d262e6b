//! The last check of a build: every link and image in the built pages points to a file of
//! the site, and every `#fragment` to an anchor that exists — also links written as raw HTML
//! in content, which the Markdown stage does not see.

use percent_encoding::percent_decode_str;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// A link that does not resolve: (page output path, the link as written).
pub type BrokenLink = (String, String);

/// Checks the links in `bodies` (page output path, HTML to scan) against the site's `files`
/// (whose ids are the anchors) and `others` (static copies).
pub fn check(
    bodies: &[(String, String)],
    files: &[(PathBuf, Vec<u8>)],
    others: &[PathBuf],
) -> Vec<BrokenLink> {
    let key = |p: &PathBuf| p.to_string_lossy().replace('\\', "/");
    let pages: HashMap<String, &[u8]> = files.iter().map(|(p, b)| (key(p), b.as_slice())).collect();
    let exists: HashSet<String> = pages
        .keys()
        .cloned()
        .chain(others.iter().map(key))
        .collect();
    let mut anchors: HashMap<String, HashSet<String>> = HashMap::new();
    let mut broken = Vec::new();
    for (page, html) in bodies {
        let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
        for link in attribute_values(html) {
            let decoded = percent_decode_str(&link.replace("&amp;", "&"))
                .decode_utf8_lossy()
                .to_string();
            if is_external(&decoded) {
                continue;
            }
            let (path, fragment) = match decoded.split_once('#') {
                Some((path, fragment)) => (path, Some(fragment)),
                None => (decoded.as_str(), None),
            };
            let path = path.split('?').next().unwrap_or_default();
            let target = if path.is_empty() {
                Some(page.to_string())
            } else {
                resolve(dir, path)
            };
            let ok = match &target {
                Some(target) if exists.contains(target) => match fragment {
                    Some(fragment) if !fragment.is_empty() && target.ends_with(".html") => anchors
                        .entry(target.clone())
                        .or_insert_with(|| {
                            pages
                                .get(target)
                                .map(|b| ids(&String::from_utf8_lossy(b)))
                                .unwrap_or_default()
                        })
                        .contains(fragment),
                    _ => true,
                },
                _ => false,
            };
            if !ok {
                broken.push((page.clone(), link));
            }
        }
    }
    broken.sort();
    broken.dedup();
    broken
}

fn is_external(link: &str) -> bool {
    let lower = link.to_ascii_lowercase();
    lower.starts_with("//")
        || lower.contains("://")
        || ["mailto:", "tel:", "data:", "javascript:"]
            .iter()
            .any(|s| lower.starts_with(s))
}

/// `dir` + `path` with `.` and `..` resolved; `None` if it leaves the site.
fn resolve(dir: &str, path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None; // root-relative links break under a sub-path and from file://
    }
    super::markdown::normalize(&format!("{dir}/{path}"))
}

/// The values of `href="…"` and `src="…"` attributes.
fn attribute_values(html: &str) -> Vec<String> {
    let mut values = Vec::new();
    for attribute in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            rest = &rest[start + attribute.len()..];
            if let Some(end) = rest.find('"') {
                values.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    values
}

/// The `id="…"` values of a page.
fn ids(html: &str) -> HashSet<String> {
    let mut found = HashSet::new();
    let mut rest = html;
    while let Some(start) = rest.find(" id=\"") {
        rest = &rest[start + 5..];
        if let Some(end) = rest.find('"') {
            found.insert(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_missing_pages_and_anchors() {
        let files = vec![
            (PathBuf::from("index.html"), br##"<a href="villages/index.html#a">x</a> <a href="#top">t</a> <a href="https://x.cn/">e</a> <h1 id="top">"##.to_vec()),
            (PathBuf::from("villages/index.html"), br##"<h2 id="a">a</h2><a href="../index.html#nope">n</a><a href="nothere.md">m</a><img src="../assets/a.png"><a href="/abs.html">r</a>"##.to_vec()),
        ];
        let bodies: Vec<(String, String)> = files
            .iter()
            .map(|(p, b)| {
                (
                    p.to_string_lossy().to_string(),
                    String::from_utf8_lossy(b).to_string(),
                )
            })
            .collect();
        let broken = check(&bodies, &files, &[PathBuf::from("assets/a.png")]);
        assert_eq!(
            broken,
            [
                (
                    "villages/index.html".to_string(),
                    "../index.html#nope".to_string()
                ),
                ("villages/index.html".to_string(), "/abs.html".to_string()),
                ("villages/index.html".to_string(), "nothere.md".to_string()),
            ]
        );
    }
}

//! Helpers shared by the integration tests: run the binary, copy fixtures, read trees.
#![allow(dead_code)]

pub mod browser;
pub mod tools;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (the bundled site).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Edits `file` of `site` in place: its first `find` becomes `replace` (the test fails when
/// the file has no `find`, so an edit never silently does nothing). Returns the text before.
pub fn edit(site: &Path, file: &str, find: &str, replace: &str) -> String {
    let path = site.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(find), "{file} has no `{find}`");
    std::fs::write(&path, text.replacen(find, replace, 1)).unwrap();
    text
}

/// A fixture site folder under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Runs `huibao` with `args` in `cwd`.
pub fn huibao(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_huibao"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the huibao binary runs")
}

/// Runs `huibao` with `args` in `cwd`, with the environment variables `envs` set.
pub fn huibao_with_env(cwd: &Path, args: &[&str], envs: &[(&str, &std::ffi::OsStr)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_huibao"))
        .args(args)
        .current_dir(cwd)
        .envs(envs.iter().copied())
        .output()
        .expect("the huibao binary runs")
}

/// A machine that seems to have no fonts at all, for as long as it is held: fontconfig told
/// of an empty folder, and no home folder's fonts.
pub struct NoFonts {
    folder: tempfile::TempDir,
    config: PathBuf,
}

impl NoFonts {
    pub fn new() -> NoFonts {
        let folder = tempfile::tempdir().unwrap();
        let config = folder.path().join("fonts.conf");
        std::fs::write(
            &config,
            format!(
                "<?xml version=\"1.0\"?>\n<fontconfig><dir>{}</dir></fontconfig>\n",
                folder.path().display()
            ),
        )
        .unwrap();
        NoFonts { folder, config }
    }

    /// The environment variables that make it so.
    pub fn env(&self) -> [(&'static str, &std::ffi::OsStr); 2] {
        [
            ("FONTCONFIG_FILE", self.config.as_os_str()),
            ("HOME", self.folder.path().as_os_str()),
        ]
    }
}

/// Builds each of two copies of a site, each changed by `change` first, with the
/// environment variable `name` set to its copy's value (a build's two ways of doing the
/// same), and asserts they exited, said and published the same (`step` names the build in
/// the failures). Returns what they said.
pub fn same_built_both_ways(
    copies: [(&Path, &str); 2],
    name: &str,
    step: &str,
    change: impl Fn(&Path),
) -> String {
    let runs: Vec<_> = copies
        .iter()
        .map(|&(copy, value)| {
            change(copy);
            let run = huibao_with_env(copy, &["build"], &[(name, value.as_ref())]);
            (run.status.code(), text(&run), tree(&copy.join("public")))
        })
        .collect();
    let (a, b) = (&runs[0], &runs[1]);
    assert_eq!(a.0, b.0, "exit status, {step}:\n{}\n---\n{}", a.1, b.1);
    assert_eq!(a.1, b.1, "messages, {step}");
    assert!(a.2 == b.2, "published files differ, {step}");
    a.1.clone()
}

/// Builds a copy of the bundled site with the environment variable `name` set to `value`,
/// which is not a whole number, and asserts the build is not stopped by it, warns of it
/// naming the variable and the value (`“value” 不是整数`), and publishes the site. Returns
/// what it said.
pub fn warned_of_a_bad_whole_number(name: &str, value: &str) -> String {
    let site = copy_site(&repo());
    let run = huibao_with_env(site.path(), &["build"], &[(name, value.as_ref())]);
    let said = text(&run);
    assert!(
        run.status.success(),
        "a warning does not stop the build: {said}"
    );
    assert!(
        said.contains(name) && said.contains(&format!("“{value}” 不是整数")),
        "{said}"
    );
    assert!(site.path().join("public/index.html").is_file());
    said
}

/// stdout and stderr of a run, as text.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Copies a site folder (without any built output) into a new temporary folder.
pub fn copy_site(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = entry.path().strip_prefix(from).expect("inside");
        let first = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().to_string());
        if matches!(first.as_deref(), Some("public" | "target" | ".git")) {
            continue;
        }
        let target = dir.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
    dir
}

/// Every file under `dir`: relative path → bytes.
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside").to_path_buf();
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .collect()
}

/// Builds `site` into `out`, asserting success; returns the combined output.
pub fn build_ok(site: &Path, out: &Path) -> String {
    let output = huibao(site, &["build", "--out", out.to_str().expect("utf-8 path")]);
    let text = text(&output);
    assert!(output.status.success(), "build failed:\n{text}");
    text
}

/// Builds `site`, which must fail; what it said.
pub fn build_fails(site: &Path) -> String {
    let out = tempfile::tempdir().unwrap();
    let output = huibao(site, &["build", "--out", out.path().to_str().unwrap()]);
    assert!(!output.status.success());
    text(&output)
}

/// The values of every `href="…"` and `src="…"` in `html`.
pub fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attr) {
            rest = &rest[start + attr.len()..];
            if let Some(end) = rest.find('"') {
                found.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    found
}

/// A page's HTML without the markup huibao puts around figures (the `span[data-src]` with their
/// sources, the links to corrections), for tests that look for a sentence with its figures.
pub fn page_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut open: Vec<bool> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        let tag = &rest[..end];
        if tag.starts_with("<a class=\"fig-note\"") {
            let close = rest.find("</a>").map_or(rest.len(), |e| e + 4);
            rest = &rest[close..];
            continue;
        }
        if tag.starts_with("<span") {
            let figure = tag.starts_with("<span data-src=")
                || tag.starts_with("<span class=\"fig-corrected\"");
            open.push(figure);
            if !figure {
                out.push_str(tag);
            }
        } else if tag == "</span>" {
            if !open.pop().unwrap_or(false) {
                out.push_str(tag);
            }
        } else {
            out.push_str(tag);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Adds `more` to the end of `file` of `site`.
pub fn append(site: &Path, file: &str, more: &str) {
    let path = site.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}{more}")).unwrap();
}

/// Adds `settings` to the end of the site's `huibao.toml`.
pub fn add_settings(site: &Path, settings: &str) {
    append(site, "huibao.toml", &format!("\n{settings}\n"));
}

/// A one-page site: `huibao.toml` with a title, `data/extra.yaml` holding `extra_yaml`, and
/// a home page whose body (after its front matter, from line 5) is `body`. No schema.
pub fn one_page_site(extra_yaml: &str, body: &str) -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    let root = site.path();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::create_dir_all(root.join("data")).unwrap();
    std::fs::write(root.join("huibao.toml"), "title = \"测试\"\n").unwrap();
    std::fs::write(root.join("data/extra.yaml"), extra_yaml).unwrap();
    std::fs::write(
        root.join("content/index.md"),
        format!("+++\ntitle = \"首页\"\n+++\n\n{body}\n"),
    )
    .unwrap();
    site
}

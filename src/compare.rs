//! A build compared with what came before: the data files changed since the preview's last
//! good build or the published site, and the published figures that changed without a
//! record in the corrections log.

use std::path::{Path, PathBuf};

use crate::diagnostics::{self, Diagnostic};
use crate::{BuildCache, Compare, discover, load, manifest, site_path, validate};

/// What this build is compared with (the last good build's figures, or the published
/// site's), and the path of a published manifest that could not be read.
pub(super) fn compared_with(
    compare: Compare<'_>,
    site: &discover::Site,
    cache: &BuildCache,
) -> (Option<Baseline>, Option<Diagnostic>) {
    match compare {
        Compare::Published(dir) => {
            let dir = dir.map_or_else(
                || site.root.join(&site.config.output_dir),
                Path::to_path_buf,
            );
            let read = manifest::Published::read(&dir);
            let file = dir.join(manifest::FILE);
            let unreadable = match read.is_none() {
                true if file.is_file() => Some(manifest_unreadable(file)),
                // Gone from a site huibao published it in (deleted, or not copied back with
                // the pages): its figures cannot be compared either.
                true if crate::write::marker_lists(&dir, manifest::FILE) => {
                    Some(manifest_missing(&dir))
                }
                _ => None,
            };
            (read.map(Baseline::Published), unreadable)
        }
        Compare::LastBuild => (cache.last_good.clone().map(Baseline::LastBuild), None),
    }
}

/// What a build is compared with.
pub(super) enum Baseline {
    /// The preview's last good build, in memory (to tell which data files changed).
    LastBuild(std::sync::Arc<manifest::Manifest>),
    /// The published site's manifest: its head read; its figures streamed when compared.
    Published(manifest::Published),
}

impl Baseline {
    /// Every data file's fingerprint then.
    pub(super) fn data(&self) -> &std::collections::BTreeMap<String, String> {
        match self {
            Baseline::LastBuild(manifest) => &manifest.data,
            Baseline::Published(published) => &published.data,
        }
    }
}

/// Each file's path and fingerprint, the fingerprints taken on every core first.
pub(super) fn prints_of(data: &load::Data) -> impl Iterator<Item = (&Path, &str)> + Clone {
    data.take_fingerprints();
    data.files
        .iter()
        .map(|f| (f.path.as_path(), f.fingerprint()))
}

/// The data files that differ from the last good build (`files`: each one's path and
/// fingerprint): where failed rules are blamed.
pub(super) fn changed_since<'f>(
    baseline: &std::collections::BTreeMap<String, String>,
    files: impl Iterator<Item = (&'f Path, &'f str)> + Clone,
) -> validate::Since {
    // Each file looked up by its path as the manifest writes it (no copy of 10,000 paths
    // and fingerprints into a map of their own at every preview build): first as the entry
    // after the last one found (the files come in nearly the map's order: one comparison,
    // not a dozen down the tree), else in the whole map.
    use std::ops::Bound;
    let mut changed = std::collections::HashSet::new();
    let mut still_there = 0;
    let mut after_last = baseline.range::<str, _>(..).peekable();
    for (path, print) in files.clone() {
        let path = site_path::slashed_borrowed(path);
        let found = match after_last.next_if(|(next, _)| next.as_str() == path) {
            Some((_, published)) => Some(published),
            None => {
                let found = baseline.get(&*path);
                if found.is_some() {
                    let bounds = (Bound::Excluded(&*path), Bound::Unbounded);
                    after_last = baseline.range::<str, _>(bounds).peekable();
                }
                found
            }
        };
        match found {
            Some(published) => {
                still_there += 1;
                if published != print {
                    changed.insert(PathBuf::from(&*path));
                }
            }
            None => {
                changed.insert(PathBuf::from(&*path));
            }
        }
    }
    let removed = if still_there == baseline.len() {
        Vec::new()
    } else {
        let now: std::collections::HashSet<_> = files
            .map(|(path, _)| site_path::slashed_borrowed(path))
            .collect();
        baseline
            .keys()
            .filter(|path| !now.contains(path.as_str()))
            .map(PathBuf::from)
            .collect()
    };
    validate::Since { changed, removed }
}

/// The data files of `changes`, read and checked again (a few files: the build let go of
/// its checked data once its pages had their template values).
pub(super) fn checked_files_of(
    site: &discover::Site,
    changes: &[manifest::Change],
    changed_since: Option<&std::collections::HashSet<PathBuf>>,
    named_inputs: &[&str],
) -> load::Data {
    let changed: Vec<&Path> = changes
        .iter()
        .filter_map(|c| match manifest::Key::parse(&c.key) {
            manifest::Key::Data(path, _) => Some(Path::new(path)),
            manifest::Key::Computed(_) => None,
        })
        .collect();
    // A computed figure's: the files it is made of that changed since.
    let inputs: Vec<&str> = changes
        .iter()
        .flat_map(|c| manifest::Key::parse(&c.key).inputs())
        .collect();
    let an_input_changed = |path: &Path| {
        let slashed = site_path::slashed_borrowed(path);
        changed_since.is_some_and(|since| since.contains(Path::new(&*slashed)))
            && inputs
                .iter()
                .any(|input| manifest::is_input_file(input, &slashed))
    };
    // The files of the inputs named when a computed figure still owed was first owed.
    let named = |path: &Path| {
        let slashed = site_path::slashed_borrowed(path);
        named_inputs
            .iter()
            .any(|key| key.split_once('#').is_some_and(|(file, _)| file == slashed))
    };
    let paths: Vec<PathBuf> = site
        .data_files
        .iter()
        .filter(|p| changed.contains(&p.as_path()) || an_input_changed(p) || named(p))
        .cloned()
        .collect();
    match load::load(&site.root, &paths) {
        // Rules over these few files alone mean nothing: only their checked values count.
        Ok(loaded) => validate::validate(&site.root, &loaded, None, None).0,
        Err(_) => load::Data::default(),
    }
}

/// The warning for a published site (`dir`) whose figures.json is gone though huibao wrote
/// it there: nothing to compare this build's figures with.
fn manifest_missing(dir: &Path) -> Diagnostic {
    Diagnostic::new(
        diagnostics::Severity::Warning,
        "manifest-missing",
        Some(diagnostics::Location::file(dir.join(manifest::FILE))),
        diagnostics::Text::new(
            format!(
                "已发布的站点 {} 里没有 figures.json（被删除了，或复制站点时没有带上它）：这次不能列出改变的数字，也不能检查缺少的更正记录",
                dir.display()
            ),
            format!(
                "the published site {} has no figures.json (deleted, or left behind when the site was copied): this time the changed figures cannot be listed nor missing corrections found",
                dir.display()
            ),
        ),
    )
    .with_hint(diagnostics::Text::new(
        "从备份或服务器上的已发布站点里把 figures.json 放回这个文件夹，再生成；不放回的话，这次生成会写入新的 figures.json，以后就和它比较",
        "put figures.json back into this folder from a backup or the site on the server, then build; if not, this build writes a new figures.json, compared with from then on",
    ))
}

/// The warning for a published `figures.json` that cannot be read.
pub(super) fn manifest_unreadable(file: PathBuf) -> Diagnostic {
    // Not JSON (cut short, edited): said where.
    if let Some((at, what, hint)) = manifest::damage(&file) {
        return Diagnostic::new(
            diagnostics::Severity::Warning,
            "manifest-unreadable",
            Some(at),
            diagnostics::Text::new(
                format!("已发布站点的数字清单 figures.json 无法读取，{}：这次不能列出改变的数字，也不能检查缺少的更正记录", what.zh),
                format!("the published site's figures.json cannot be read, {}: this time the changed figures cannot be listed nor missing corrections found", what.en),
            ),
        )
        .with_hint(diagnostics::Text::new(
            format!("{}；不放回的话，这次生成会写入新的 figures.json", hint.zh),
            format!("{}; else this build writes a new figures.json", hint.en),
        ));
    }
    Diagnostic::new(
        diagnostics::Severity::Warning,
        "manifest-unreadable",
        Some(diagnostics::Location::file(file)),
        diagnostics::Text::new(
            "已发布站点的数字清单 figures.json 无法读取（已损坏，或由别的版本写成）：这次不能列出改变的数字，也不能检查缺少的更正记录",
            "the published site's figures.json cannot be read (damaged, or written by another version): this time the changed figures cannot be listed nor missing corrections found",
        ),
    )
    .with_hint(diagnostics::Text::new(
        "确认输出文件夹是这个站点的；这次生成会写入新的 figures.json",
        "check that the output folder is this site's; this build writes a new figures.json",
    ))
}

/// The published figures that changed and that the corrections log does not record: this
/// build's changes of figures of data files, and the changes still pending from before (by
/// the value last published with a record), unless the figure is back to that value. A
/// computed figure (a rate, a sum) is recorded by a change of a value it is made of that
/// the pages print (itself recorded or owed), or by an entry for one of them made since
/// the log was published (`published_entries`): else it is owed too (its inputs changed
/// where readers cannot see it).
pub(super) fn unlogged_changes(
    pending_before: &[manifest::Pending],
    now: &manifest::Manifest,
    changes: &[manifest::Change],
    (corrections, published_entries): (&[validate::corrections::Correction], &[manifest::Logged]),
) -> Vec<manifest::Change> {
    let unpublished = |c: &&validate::corrections::Correction| {
        !published_entries
            .iter()
            .any(|l| l.key == c.key && manifest::same_figure(&l.new, &c.new_shown()))
    };
    let logged = |key: &str| match manifest::Key::parse(key) {
        manifest::Key::Data(..) => corrections.iter().any(|c| c.key == key),
        computed => {
            let inputs = computed.inputs();
            let made_of = |k: &str| inputs.iter().any(|input| manifest::is_input(input, k));
            changes.iter().any(|c| c.direct && made_of(&c.key))
                || corrections
                    .iter()
                    .filter(unpublished)
                    .any(|c| made_of(&c.key))
        }
    };
    // The figures now of the keys still pending (a few): found in one pass, not by a map of
    // every figure (a million at 10,000 villages).
    // Each key by the number of its first change still pending.
    type Wanted<'k> = std::collections::HashMap<manifest::Key<'k>, usize>;
    let mut wanted: Wanted<'_> = std::collections::HashMap::new();
    for (number, p) in pending_before.iter().enumerate() {
        wanted.entry(manifest::Key::parse(&p.key)).or_insert(number);
    }
    // A figure's key lives as long as its page's figures, read one page at a time.
    fn for_now<'s, 'k: 's>(wanted: &'s Wanted<'k>) -> &'s Wanted<'s> {
        wanted
    }
    // By that number: the figure's text now, what it is and its source (read page by page,
    // from the scratch file where a large build keeps them).
    let mut current: std::collections::HashMap<usize, (String, String, String)> =
        std::collections::HashMap::new();
    if !wanted.is_empty() {
        let found = now.for_each_page(&mut |_, figures| {
            for figure in figures.iter() {
                if let Some(&number) = for_now(&wanted).get(&now.key(figure)) {
                    current.entry(number).or_insert_with(|| {
                        (
                            figure.value().to_string(),
                            now.what(figure).into_owned(),
                            now.src(figure).into_owned(),
                        )
                    });
                }
            }
            Ok(())
        });
        // (Never: the scratch file is the build's own. The changes still pending are then
        // kept as they were.)
        if found.is_err() {
            return pending_before
                .iter()
                .map(|p| manifest::Change {
                    key: p.key.clone(),
                    what: p.what.clone(),
                    old: Some(p.old.clone()),
                    new: None,
                    src: String::new(),
                    direct: is_data(&p.key),
                })
                .collect();
        }
    }
    let mut owed: Vec<manifest::Change> = Vec::new();
    // A figure put back to the value last published with a record owes nothing.
    let reverted = |key: &str| {
        pending_before.iter().any(|p| {
            p.key == key
                && wanted
                    .get(&manifest::Key::parse(key))
                    .and_then(|number| current.get(number))
                    .is_some_and(|(value, _, _)| manifest::same_figure(value, &p.old))
        })
    };
    for pending in pending_before.iter().filter(|p| !logged(&p.key)) {
        if let Some((value, what, src)) = wanted
            .get(&manifest::Key::parse(&pending.key))
            .and_then(|number| current.get(number))
            && !manifest::same_figure(value, &pending.old)
        {
            owed.push(manifest::Change {
                key: pending.key.clone(),
                what: what.clone(),
                old: Some(pending.old.clone()),
                new: Some(value.clone()),
                src: src.clone(),
                direct: is_data(&pending.key),
            });
        }
    }
    for change in changes
        .iter()
        .filter(|c| c.old.is_some() && c.new.is_some())
        .filter(|c| !logged(&c.key) && !reverted(&c.key))
    {
        if !owed.iter().any(|o| o.key == change.key) {
            owed.push(change.clone());
        }
    }
    owed.sort_by(|a, b| a.key.cmp(&b.key));
    owed
}

/// The keys of the values of the data files `files` that the pages of `figures` print
/// (read page by page) and that one of the computed figures `owed` is made of: a few, not
/// every printed figure's (a million at 10,000 villages).
fn printed_inputs(
    figures: &manifest::Manifest,
    owed: &[manifest::Change],
    files: &load::Data,
) -> std::collections::HashSet<String> {
    let inputs: Vec<&str> = owed
        .iter()
        .flat_map(|c| manifest::Key::parse(&c.key).inputs())
        .collect();
    let paths: std::collections::HashSet<String> = files
        .files
        .iter()
        .map(|f| site_path::slashed(&f.path))
        .collect();
    let mut keys = std::collections::HashSet::new();
    // (Never an error: the scratch file is the build's own; the set is then partial.)
    let _ = figures.for_each_page(&mut |_, page| {
        for figure in page.iter().filter(|f| f.direct()) {
            let key = figures.key(figure);
            let manifest::Key::Data(path, _) = key else {
                continue;
            };
            if paths.contains(path) {
                let key = key.to_string();
                if inputs.iter().any(|input| manifest::is_input(input, &key)) {
                    keys.insert(key);
                }
            }
        }
        Ok(())
    });
    keys
}

/// Whether `key` is a figure's of one value of a data file (not computed).
fn is_data(key: &str) -> bool {
    matches!(manifest::Key::parse(key), manifest::Key::Data(..))
}

/// The published figures this build prints differently (streamed from their file against
/// this build's `figures`: a million at 10,000 villages, never all in memory), and of them
/// those owed an entry in `site`'s corrections log (`corrections`, its checked entries): each
/// a warning in `notes`, and kept in the manifest for the next build. `None` when the
/// published figures cannot be read (said in `notes`).
pub(super) fn changes_owed(
    published: &manifest::Published,
    figures: &mut std::sync::Arc<manifest::Manifest>,
    owed_by: (&discover::Site, &[validate::corrections::Correction]),
    changed_since: Option<&std::collections::HashSet<PathBuf>>,
    notes: &mut Vec<Diagnostic>,
) -> Option<Vec<manifest::Change>> {
    let (changes, pending) = owed(published, figures, owed_by, changed_since, notes)?;
    // What is still owed an entry stays in the manifest for the next build.
    std::sync::Arc::make_mut(figures).pending = pending;
    Some(changes)
}

/// [`changes_owed`] without keeping what is owed in `figures`: the changes, and what is
/// still owed an entry (for the manifest).
pub(crate) fn owed(
    published: &manifest::Published,
    figures: &manifest::Manifest,
    (site, corrections): (&discover::Site, &[validate::corrections::Correction]),
    changed_since: Option<&std::collections::HashSet<PathBuf>>,
    notes: &mut Vec<Diagnostic>,
) -> Option<(Vec<manifest::Change>, Vec<manifest::Pending>)> {
    // A published entry is kept in the log.
    notes.extend(validate::corrections::removed_from_log(
        &published.corrections,
        corrections,
    ));
    let Some(manifest::Compared { changes, pending }) = published.compare(figures) else {
        notes.push(manifest_unreadable(published.file.clone()));
        return None;
    };
    // A change the log records: its entry's `old` is what was published. (A published
    // entry edited to the new figure is told so above, once.)
    let edited =
        validate::corrections::edited_after_publishing_keys(&published.corrections, corrections);
    for change in changes
        .iter()
        .filter(|c| c.direct && c.new.is_some() && !edited.contains(&c.key))
    {
        notes.extend(validate::corrections::old_not_published(
            change,
            corrections,
            true,
        ));
    }
    // A figure published before without a record, now given one: its entry's `old` is
    // the figure as last published with a record (the one readers had before the change),
    // checked as when the entry comes with the change.
    for owed in pending
        .iter()
        .filter(|owed| !changes.iter().any(|c| c.key == owed.key))
    {
        let as_published = manifest::Change {
            key: owed.key.clone(),
            what: owed.what.clone(),
            old: Some(owed.old.clone()),
            new: None,
            src: String::new(),
            direct: true,
        };
        notes.extend(validate::corrections::old_not_published(
            &as_published,
            corrections,
            false,
        ));
    }
    let logs = (corrections, &published.corrections[..]);
    let owed_now = unlogged_changes(&pending, figures, &changes, logs);
    // A computed figure owed since an earlier build: the inputs named then (its files may
    // no longer differ from the published site), offered again.
    let named: Vec<&str> = pending
        .iter()
        .filter(|p| owed_now.iter().any(|c| !c.direct && c.key == p.key))
        .flat_map(|p| p.inputs.iter().map(String::as_str))
        .collect();
    // A figure published changed without an entry, now put back as it was last published
    // with a record: owed nothing, said (readers may have seen the other figure).
    let put_back: Vec<manifest::Change> = changes
        .iter()
        .filter(|c| c.direct && !owed_now.iter().any(|o| o.key == c.key))
        // (Unless the log now records it: an entry from the figure the site shows.)
        .filter(|c| {
            !corrections.iter().any(|e| {
                e.key == c.key
                    && c.old
                        .as_ref()
                        .is_some_and(|shown| manifest::same_figure(shown, &e.old))
            })
        })
        .filter(|c| {
            pending.iter().any(|p| {
                p.key == c.key
                    && c.new
                        .as_ref()
                        .is_some_and(|new| manifest::same_figure(new, &p.old))
            })
        })
        .cloned()
        .collect();
    let today = validate::corrections::today();
    let changed = checked_files_of(
        site,
        &[&owed_now[..], &put_back[..]].concat(),
        changed_since,
        &named,
    );
    for change in &put_back {
        notes.extend(validate::corrections::put_back(change, &changed, &today));
    }
    // The values of those files the pages print (for a computed figure owed an entry: an
    // unchanged printed value is not what changed it).
    let printed = match owed_now.iter().any(|c| !c.direct) {
        true => printed_inputs(figures, &owed_now, &changed),
        false => std::collections::HashSet::new(),
    };
    let mut still_owed = Vec::with_capacity(owed_now.len());
    for change in &owed_now {
        let mut inputs = Vec::new();
        let missing = match change.direct {
            true => validate::corrections::missing_entry(change, &changed, &today),
            false => {
                let printed = |key: &str| printed.contains(key);
                let candidates =
                    validate::corrections::input_candidates(change, &changed, &printed, &today);
                inputs = candidates.iter().map(|c| c.key.clone()).collect();
                validate::corrections::missing_input_entry(change, &candidates)
            }
        };
        notes.extend(missing);
        still_owed.push(manifest::Pending {
            key: change.key.clone(),
            what: change.what.clone(),
            old: change.old.clone().unwrap_or_default(),
            inputs,
        });
    }
    Some((changes, still_owed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_changed_since_the_last_build_are_the_new_the_different_and_the_gone() {
        let file = |path: &str, fingerprint: &str| {
            let root = load::yaml::Node {
                value: load::yaml::Value::Map(Box::default()),
                line: 1,
                col: 1,
            };
            let (path, print) = (PathBuf::from(path), fingerprint.to_string());
            std::sync::Arc::new(load::DataFile::with_fingerprint(
                path,
                Vec::new(),
                root,
                print,
            ))
        };
        let published = |prints: &[(&str, &str)]| -> std::collections::BTreeMap<String, String> {
            prints
                .iter()
                .map(|(p, f)| (p.to_string(), f.to_string()))
                .collect()
        };
        let baseline = published(&[
            ("data/a.yaml", "1"),
            ("data/b.yaml", "2"),
            ("data/c.yaml", "3"),
        ]);
        let data = load::Data {
            files: vec![
                file("data/a.yaml", "1"),
                file("data/b.yaml", "9"),
                file("data/d.yaml", "4"),
            ],
        };
        let since = changed_since(&baseline, prints_of(&data));
        let mut changed: Vec<_> = since.changed.into_iter().collect();
        changed.sort();
        assert_eq!(
            changed,
            [PathBuf::from("data/b.yaml"), PathBuf::from("data/d.yaml")]
        );
        assert_eq!(since.removed, [PathBuf::from("data/c.yaml")]);
        let same = load::Data {
            files: vec![file("data/a.yaml", "1"), file("data/b.yaml", "2")],
        };
        let since = changed_since(&baseline, prints_of(&same));
        assert!(since.changed.is_empty());
        assert_eq!(since.removed, [PathBuf::from("data/c.yaml")]);
        // In another order than the map's (a file beside a folder of its name, a file
        // listed backwards): each still found by its path, whatever came before it.
        let baseline = published(&[
            ("data/v.yaml", "1"),
            ("data/v/a.yaml", "2"),
            ("data/v/b.yaml", "3"),
            ("data/v-2.yaml", "4"),
            ("data/w.yaml", "5"),
        ]);
        let data = load::Data {
            files: vec![
                file("data/v/b.yaml", "3"),
                file("data/v/a.yaml", "2"),
                file("data/v-2.yaml", "4"),
                file("data/v.yaml", "6"),
                file("data/w.yaml", "5"),
                file("data/v/c.yaml", "7"),
            ],
        };
        let since = changed_since(&baseline, prints_of(&data));
        let mut changed: Vec<_> = since.changed.into_iter().collect();
        changed.sort();
        assert_eq!(
            changed,
            [PathBuf::from("data/v/c.yaml"), PathBuf::from("data/v.yaml")]
        );
        assert!(since.removed.is_empty());
    }
}

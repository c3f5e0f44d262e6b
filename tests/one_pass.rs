//! A build reads, checks and packs each data file in one pass (`src/streamed.rs`), keeping
//! of a village only what the checks across files read; `check` and the preview keep the
//! whole trees. Both ways must say and publish the same: each site here is built both ways
//! (`HUIBAO_STREAMED_FROM` set past its number of files turns the pass off) and compared —
//! its messages, its exit status and every byte of its output.

mod common;

use common::{copy_site, edit, fixture, repo, same_built_both_ways, warned_of_a_bad_whole_number};
use std::path::Path;

/// Builds two copies of `site`, each changed by `change`, one in one pass and one with the
/// whole trees, then again after `again` (a correction over the published site), and
/// asserts they said and published the same. Returns what the one-pass builds said.
fn same_both_ways(site: &Path, change: impl Fn(&Path), again: impl Fn(&Path)) -> (String, String) {
    let (one_pass, whole) = (copy_site(site), copy_site(site));
    let copies = [(one_pass.path(), "0"), (whole.path(), "1000000")];
    let first = same_built_both_ways(copies, "HUIBAO_STREAMED_FROM", "step 0", change);
    let again = same_built_both_ways(copies, "HUIBAO_STREAMED_FROM", "step 1", again);
    (first, again)
}

fn nothing(_: &Path) {}

#[test]
fn the_bundled_report_and_a_correction_of_it_are_the_same_in_one_pass() {
    let (first, again) = same_both_ways(&repo(), nothing, |site| {
        edit(
            site,
            "data/policies/health.yaml",
            "hospitalisations: 1445",
            "hospitalisations: 1446",
        );
    });
    assert!(first.contains("新增"), "{first}");
    // The correction is found by the published fingerprints and owed an entry in the log.
    assert!(again.contains("correction-missing"), "{again}");
    assert!(again.contains("1445人次 → 1446人次"), "{again}");
}

#[test]
fn the_seed_as_published_fails_the_same_in_one_pass() {
    let (said, _) = same_both_ways(&fixture("as-published"), nothing, nothing);
    assert!(said.contains("错误["), "{said}");
}

#[test]
fn each_kind_of_mistake_is_told_the_same_in_one_pass() {
    // A field's type, a rule across files, a name used twice, a correction that does not
    // match the data, a broken file: each told where it is, both ways alike.
    let mistakes: [(&str, &str, &str, &str); 5] = [
        (
            "data/villages/hengxi.yaml",
            "households: 132",
            "households: 很多",
            "hengxi.yaml",
        ),
        (
            "data/villages/hengxi.yaml",
            "people: 468",
            "people: 469",
            "registered",
        ),
        (
            "data/villages/fenglin.yaml",
            "name: 枫林村",
            "name: 横溪村",
            "重复",
        ),
        (
            "data/corrections.yaml",
            "new: 6336",
            "new: 6337",
            "corrections.yaml",
        ),
        (
            "data/villages/hengxi.yaml",
            "status: 十三五贫困村",
            "status: [十三五",
            "hengxi.yaml",
        ),
    ];
    for (file, find, replace, told) in mistakes {
        let (said, _) = same_both_ways(
            &repo(),
            |site| {
                edit(site, file, find, replace);
            },
            nothing,
        );
        assert!(said.contains("错误["), "{file}: {replace}\n{said}");
        assert!(said.contains(told), "{file}: {replace}\n{said}");
    }
}

#[test]
fn a_schema_whose_rules_read_whole_files_builds_the_same() {
    // `count(villages.hengxi.*)` counts a village's fields, read other than by their
    // names: the build keeps the whole trees (no projection), and the count is right.
    let rule = "rules:\n  - id: whole-file\n    check: count(villages.hengxi.*) == 9\n    message: 横溪村有九项\n    message_en: hengxi has nine fields\n";
    let (said, _) = same_both_ways(
        &repo(),
        |site| {
            edit(site, "data/schema.yaml", "rules:\n", rule);
        },
        nothing,
    );
    assert!(said.contains("共 0 个错误"), "{said}");
}

#[test]
fn a_one_pass_threshold_that_is_not_a_number_is_warned_of_not_ignored() {
    warned_of_a_bad_whole_number("HUIBAO_STREAMED_FROM", "许多");
}

//! A long list form (`villages_list` of 50,000 villages or more) is read by a template a
//! record at a time when every use the template makes of it is known: a loop makes one
//! record, `length` none, `sum(attribute=…)` and `map(attribute=…)` the attribute's values;
//! any other use makes the list whole once (`render::context::RecordList`, the vendored
//! Tera's `ListSource`). Both ways must say and publish the same: each site here is built
//! with every list read so (`HUIBAO_LISTS_MADE_AS_READ_FROM=0`) and with none
//! (`1000000`), and compared — its messages, its exit status and every byte of its output.

mod common;

use common::{copy_site, repo, same_built_both_ways, warned_of_a_bad_whole_number};
use std::path::Path;

/// Builds two copies of `site`, each changed by `change`, one reading every list as it
/// goes and one making each whole, and asserts they said and published the same. Returns
/// what the first said.
fn same_both_ways(site: &Path, change: impl Fn(&Path)) -> String {
    let (as_read, whole) = (copy_site(site), copy_site(site));
    let copies = [(as_read.path(), "0"), (whole.path(), "1000000")];
    same_built_both_ways(
        copies,
        "HUIBAO_LISTS_MADE_AS_READ_FROM",
        "the build",
        change,
    )
}

/// A page of the bundled report reading `villages_list` in every way Tera is patched for.
const LISTS_PAGE: &str = "+++\ntitle = \"各村一览\"\n+++\n\
| 村 | 建档立卡户数 |\n|---|---:|\n\
{% for v in villages_list -%}\n\
| [{{ v.name }}]({{ v.id }}.md) | {{ v.registered.households | fig(unit=\"户\") }} |\n\
{% endfor %}| **合计{{ villages_list | length }}村** | {{ villages_list | sum(attribute=\"registered.households\") | fig(unit=\"户\") }} |\n\n\
村名：{{ villages_list | map(attribute=\"name\") | join(sep=\"、\") }}。\
人口合计{{ villages_list | sum(attribute=\"registered.people\") | fig(unit=\"人\") }}。\n";

#[test]
fn the_bundled_report_is_the_same_with_its_lists_read_as_they_go() {
    // Its pages filter the list in loops, sort it for a chart, count and sum it.
    let said = same_both_ways(&repo(), |_| {});
    assert!(said.contains("共 0 个错误"), "{said}");
}

#[test]
fn a_page_that_loops_over_counts_and_sums_a_list_is_the_same() {
    let said = same_both_ways(&repo(), |site| {
        std::fs::write(site.join("content/villages/lists.md"), LISTS_PAGE).unwrap();
    });
    assert!(said.contains("共 0 个错误"), "{said}");
}

#[test]
fn a_sum_of_a_field_a_village_lacks_fails_the_same() {
    let page = LISTS_PAGE.replace("registered.people", "registered.lacking");
    let said = same_both_ways(&repo(), |site| {
        std::fs::write(site.join("content/villages/lists.md"), &page).unwrap();
    });
    assert!(said.contains("registered.lacking"), "{said}");
    assert!(said.contains("lists.md"), "{said}");
}

#[test]
fn a_list_threshold_that_is_not_a_number_is_warned_of_not_ignored() {
    warned_of_a_bad_whole_number("HUIBAO_LISTS_MADE_AS_READ_FROM", "许多");
}

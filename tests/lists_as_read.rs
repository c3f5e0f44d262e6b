//! A long list form (`villages_list` of 50,000 villages or more) is read by a template a
//! record at a time when every use the template makes of it is known: a loop makes one
//! record, `length` none, `sum(attribute=…)` and `map(attribute=…)` the attribute's values;
//! any other use makes the list whole once (`render::context::RecordList`, the vendored
//! Tera's `ListSource`). Both ways must say and publish the same: each site here is built
//! with every list read so (`HUIBAO_LISTS_MADE_AS_READ_FROM=0`) and with none
//! (`1000000`), and compared — its messages, its exit status and every byte of its output.

mod common;

use common::{
    append, build_ok, copy_site, fixture, page_text, repo, same_built_both_ways,
    warned_of_a_bad_whole_number,
};
use rust_decimal::{Decimal, RoundingStrategy};
use std::path::{Path, PathBuf};

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

/// Builds the bundled report changed by `change` both ways, asserting they are the same and
/// without error, then once more: its site (a temporary folder) and its output folder.
fn built_both_ways(change: impl Fn(&Path)) -> (tempfile::TempDir, PathBuf) {
    let said = same_both_ways(&repo(), &change);
    assert!(said.contains("共 0 个错误"), "{said}");
    let site = copy_site(&repo());
    change(site.path());
    let out = site.path().join("public");
    build_ok(site.path(), &out);
    (site, out)
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

/// `part` as a percentage of `total`, rounded half up to 2 decimals (as `rate(…, dp=2)`).
fn share_of(part: Decimal, total: Decimal) -> Decimal {
    (part * Decimal::ONE_HUNDRED / total)
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A table with each village's share of the township's total: the list's sum in every row
/// (made once a page by the vendored Tera, however the list is read).
const SHARES_PAGE: &str = "+++\ntitle = \"各村占比\"\n+++\n\
| 村 | 建档立卡户数 | 占全乡 |\n|---|---:|---:|\n\
{% for v in villages_list -%}\n\
| {{ v.name }} | {{ v.registered.households | fig(unit=\"户\") }} | {{ rate(num=v.registered.households, den=villages_list | sum(attribute=\"registered.households\"), dp=2) | fig(dp=2, unit=\"%\") }} |\n\
{% endfor %}";

#[test]
fn a_share_of_the_total_in_every_row_is_the_same_both_ways_and_right() {
    let (_site, out) = built_both_ways(|site| {
        std::fs::write(site.join("content/villages/shares.md"), SHARES_PAGE).unwrap();
    });
    // Each row's share is its households over the sum of every row's, exactly.
    let html = std::fs::read_to_string(out.join("villages/shares.html")).unwrap();
    let shown = |cell: &str| -> String {
        let text = cell.rsplit_once("\">").map_or(cell, |(_, text)| text);
        text.split('<').next().unwrap_or("").to_string()
    };
    let rows: Vec<(Decimal, String)> = html
        .split("<tr>")
        .skip(2)
        .map(|row| {
            let cells: Vec<&str> = row.split("</td>").collect();
            let households = shown(cells[1]).trim_end_matches('户').parse().unwrap();
            (households, shown(cells[2]))
        })
        .collect();
    assert_eq!(rows.len(), 17, "{html}");
    let total: Decimal = rows.iter().map(|(households, _)| households).sum();
    for (households, share) in &rows {
        let expected = share_of(*households, total);
        assert_eq!(share, &format!("{expected:.2}%"), "{households} of {total}");
    }
}

/// A sentence for each village page with its share of every village's total: the list's
/// sum on every page (made once for all of them, however the list is read).
const SHARE_LINE: &str = "\n\n份额：{{ village.registered.households }}/\
{{ villages_list | sum(attribute=\"registered.households\") }}=\
{{ rate(num=village.registered.households, den=villages_list | sum(attribute=\"registered.households\"), dp=2) }}。\n";

#[test]
fn each_village_pages_share_of_the_total_is_the_same_both_ways_and_right() {
    let (_site, out) = built_both_ways(|site| {
        append(site, "content/villages/_village.md", SHARE_LINE);
    });
    let mut shares = Vec::new();
    for entry in std::fs::read_dir(out.join("villages")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "html") || path.ends_with("index.html") {
            continue;
        }
        let text = page_text(&std::fs::read_to_string(&path).unwrap());
        let share = text
            .split_once("份额：")
            .and_then(|(_, rest)| rest.split_once('。'))
            .map(|(share, _)| share.to_string())
            .unwrap_or_else(|| panic!("{} shows no share", path.display()));
        let (households, rest) = share.split_once('/').unwrap();
        let (total, rate) = rest.split_once('=').unwrap();
        let parse = |n: &str| n.parse::<Decimal>().unwrap();
        shares.push((parse(households), parse(total), parse(rate)));
    }
    assert_eq!(shares.len(), 17);
    let total: Decimal = shares.iter().map(|(households, _, _)| households).sum();
    for (households, page_total, rate) in shares {
        assert_eq!(page_total, total);
        assert_eq!(rate, share_of(households, total), "{households} of {total}");
    }
}

#[test]
fn a_village_pages_own_list_is_summed_for_it_and_the_villages_list_for_all() {
    // The sums kept from page to page (`tera::KeptSums`) are the list's, never the page's
    // own record's, which is another on every page.
    let site = copy_site(&fixture("small"));
    for (village, exits) in [("hengxi", [3, 4]), ("trick", [10, 20])] {
        let exits: String = exits.iter().map(|n| format!("  - people: {n}\n")).collect();
        let file = format!("data/villages/{village}.yaml");
        append(site.path(), &file, &format!("exits:\n{exits}"));
    }
    common::edit(
        site.path(),
        "content/villages/_village.md",
        "## {{ village.name }}",
        "## {{ village.name }}\n\n\
         脱贫：{{ village.exits | sum(attribute=\"people\") }}／\
         {{ villages_list | sum(attribute=\"registered.people\") }}。",
    );
    let out = site.path().join("public");
    build_ok(site.path(), &out);
    for (village, own) in [("hengxi", "7"), ("trick", "30")] {
        let html = std::fs::read_to_string(out.join(format!("villages/{village}.html"))).unwrap();
        let text = page_text(&html);
        assert!(
            text.contains(&format!("脱贫：{own}／310。")),
            "{village}: {text}"
        );
    }
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

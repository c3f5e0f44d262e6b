//! Trust: no contradictory figure publishes, corrections leave a record, every figure shows
//! its source. The binary on copies of the bundled site, one data file edited at a time.

mod common;

use common::*;
use std::fs;
use std::path::Path;

fn json_check(site: &Path) -> Vec<serde_json::Value> {
    let out = huibao(site, &["check", "--format", "json"]);
    serde_json::from_slice(&out.stdout).expect("check --format json prints JSON")
}

#[test]
fn an_explanation_covers_one_gap_not_any_value() {
    let site = copy_site(&repo());
    // The stated 92.13% is explained: a note, and the site builds.
    let fine = json_check(site.path());
    let note = fine
        .iter()
        .find(|d| d["rule"] == "hospital-reimbursement-rate")
        .expect("the explained note");
    assert_eq!(note["severity"], "info");
    // 50% is below the four listed compensations' share: the explanation cannot cover it.
    edit(
        site.path(),
        "data/policies/health.yaml",
        "reimbursement_rate_percent: 92.13",
        "reimbursement_rate_percent: 50",
    );
    let out = huibao(site.path(), &["build"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[hospital-reimbursement-rate] data/policies/health.yaml:11:31"),
        "located at the stated rate: {said}"
    );
    assert!(said.contains("超出了 explained 所说明的范围"), "{said}");
    assert!(!site.path().join("public").exists(), "nothing published");
    // Above 100% is not covered either: the field's range refuses it, one error, and the
    // rule that reads it is skipped rather than said to fail too.
    edit(
        site.path(),
        "data/policies/health.yaml",
        "reimbursement_rate_percent: 50",
        "reimbursement_rate_percent: 100.5",
    );
    let found = json_check(site.path());
    let errors: Vec<_> = found.iter().filter(|d| d["severity"] == "error").collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["code"], "range", "{errors:?}");
    assert!(
        found.iter().any(|d| d["code"] == "rule-skipped"
            && d["message"]
                .as_str()
                .unwrap()
                .contains("hospital-reimbursement-rate")),
        "{found:?}"
    );
}

#[test]
fn an_explanation_without_its_bound_is_refused() {
    let site = copy_site(&repo());
    let schema = site.path().join("data/schema.yaml");
    let text_before = fs::read_to_string(&schema).unwrap();
    let start = text_before.find("    explained:\n").unwrap();
    let end = text_before[start..].find("\n  - id:").unwrap() + start;
    let bare = format!(
        "{}    explained: 原文注明含其他报销\n{}",
        &text_before[..start],
        &text_before[end + 1..]
    );
    fs::write(&schema, bare).unwrap();
    let out = huibao(site.path(), &["--lang", "en", "check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("explained must state the gap it covers"),
        "{said}"
    );
}

/// The README's recipe for a new village, half done: a copy with a new name.
fn copy_a_village(site: &Path) {
    let hengxi = fs::read_to_string(site.join("data/villages/hengxi.yaml")).unwrap();
    fs::write(
        site.join("data/villages/xinzhuang.yaml"),
        hengxi.replace("name: 横溪村", "name: 新庄村"),
    )
    .unwrap();
}

fn rule_locations(diagnostics: &[serde_json::Value]) -> Vec<(String, String)> {
    diagnostics
        .iter()
        .filter(|d| d["code"] == "rule" && d["severity"] == "error")
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or("").to_string(),
                d["file"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_copied_village_is_blamed_on_the_totals_without_a_published_site() {
    let site = copy_site(&repo());
    copy_a_village(site.path());
    let found = json_check(site.path());
    let located = rule_locations(&found);
    assert!(!located.is_empty(), "{found:?}");
    // Never at whatever village a filter met first (changling.yaml is a 非贫困村).
    for (rule, file) in &located {
        assert!(
            !file.contains("changling"),
            "{rule} is blamed on {file}: {found:?}"
        );
    }
    let at = |rule: &str| {
        located
            .iter()
            .find(|(r, _)| r == rule)
            .map(|(_, f)| f.as_str())
    };
    assert_eq!(
        at("thirteenth-plan-villages-count"),
        Some("data/township.yaml")
    );
    assert_eq!(
        at("villages-registered-households"),
        Some("data/township.yaml")
    );
    // The message lists the parts, the copy among them.
    let sum = found
        .iter()
        .find(|d| d["rule"] == "villages-registered-households")
        .unwrap();
    let parts: Vec<&str> = sum["related"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["file"].as_str())
        .collect();
    assert!(parts.contains(&"data/villages/xinzhuang.yaml"), "{parts:?}");
}

#[test]
fn a_copied_village_is_blamed_on_the_copy_after_a_build() {
    let site = copy_site(&repo());
    let built = huibao(site.path(), &["build"]);
    assert!(built.status.success(), "{}", text(&built));
    copy_a_village(site.path());
    let located = rule_locations(&json_check(site.path()));
    assert!(!located.is_empty());
    for (rule, file) in &located {
        assert_eq!(
            file, "data/villages/xinzhuang.yaml",
            "{rule}: the new file is where the fault most likely is"
        );
    }
}

#[test]
fn one_mistake_gives_one_error() {
    let site = copy_site(&repo());
    edit(
        site.path(),
        "data/township.yaml",
        "households: 1841",
        "households: 1,841",
    );
    let found = json_check(site.path());
    let errors: Vec<_> = found.iter().filter(|d| d["severity"] == "error").collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0]["code"], "type");
    assert_eq!(errors[0]["file"], "data/township.yaml");
    let skipped = found
        .iter()
        .find(|d| d["code"] == "rule-skipped")
        .expect("the skipped rules are named once");
    assert_eq!(skipped["severity"], "info");
    assert!(
        skipped["message"]
            .as_str()
            .unwrap()
            .contains("villages-registered-households"),
        "{skipped}"
    );
}

/// A required value left out (its line deleted, or with no value, or its key misspelt) is
/// one error too: the rules that read it are skipped, not reported as a sum that is short.
#[test]
fn a_value_left_out_is_one_error_not_a_short_sum_too() {
    for (find, replace) in [
        ("  people: 468", "  people:"),
        ("  people: 468", "  peopel: 468"),
        ("  people: 468     # 人\n", ""),
    ] {
        let site = copy_site(&repo());
        edit(site.path(), "data/villages/hengxi.yaml", find, replace);
        let found = json_check(site.path());
        let errors: Vec<_> = found.iter().filter(|d| d["severity"] == "error").collect();
        assert_eq!(errors.len(), 1, "{replace:?}: {errors:#?}");
        assert_eq!(
            errors[0]["file"], "data/villages/hengxi.yaml",
            "{errors:#?}"
        );
        let skipped = found
            .iter()
            .find(|d| d["code"] == "rule-skipped")
            .expect("the skipped rules are named once");
        assert!(
            skipped["message"]
                .as_str()
                .unwrap()
                .contains("villages-registered-people"),
            "{skipped}"
        );
    }
}

/// A value under a key the schema does not have — a label cut short (`退出年度` for
/// 退出贫困村年度), a name misspelt — is one error, with the field meant: the rules that
/// read the fields its record lacks are skipped, not reported as counts that are short.
#[test]
fn a_value_under_an_unknown_key_is_one_error_not_short_counts_too() {
    for (find, replace, hint) in [
        (
            "exit_year: 2018",
            "退出年度: 2018",
            "是不是字段 exit_year（退出贫困村年度）？键要写字段名：写成 exit_year: 2018",
        ),
        (
            "exit_year: 2018",
            "exit_yaer: 2018",
            "是不是「exit_year」？",
        ),
        (
            "  people: 468 ",
            "  人: 468 ",
            "是不是字段 people（人数）？键要写字段名：写成 people: 468",
        ),
    ] {
        let site = copy_site(&repo());
        edit(site.path(), "data/villages/hengxi.yaml", find, replace);
        let found = json_check(site.path());
        let errors: Vec<_> = found.iter().filter(|d| d["severity"] == "error").collect();
        assert_eq!(errors.len(), 1, "{replace:?}: {errors:#?}");
        assert_eq!(errors[0]["code"], "unknown-field", "{errors:#?}");
        assert_eq!(errors[0]["hint"], hint, "{errors:#?}");
        let skipped = found
            .iter()
            .find(|d| d["code"] == "rule-skipped")
            .expect("the skipped rules are named once");
        let rule = match find {
            "exit_year: 2018" => "thirteenth-plan-villages-exited",
            _ => "villages-registered-people",
        };
        assert!(
            skipped["message"].as_str().unwrap().contains(rule),
            "{replace:?}: {skipped}"
        );
    }
}

/// A number the field checks refuse (not whole, out of range, too many decimals) is one
/// error too: the rules that read it are skipped, not reported as a sum or a rate it puts
/// out.
#[test]
fn a_refused_number_is_one_error_not_a_wrong_sum_too() {
    for (file, find, replace, code, rule) in [
        (
            "data/villages/hengxi.yaml",
            "households: 132 ",
            "households: 132.5 ",
            "type",
            "villages-registered-households",
        ),
        (
            "data/villages/hengxi.yaml",
            "people: 468 ",
            "people: -468 ",
            "range",
            "villages-registered-people",
        ),
        (
            "data/township.yaml",
            "poverty_incidence_percent: 0.23",
            "poverty_incidence_percent: 0.2345",
            "decimals",
            "poverty-incidence-rate",
        ),
    ] {
        let site = copy_site(&repo());
        edit(site.path(), file, find, replace);
        let found = json_check(site.path());
        let errors: Vec<_> = found.iter().filter(|d| d["severity"] == "error").collect();
        assert_eq!(errors.len(), 1, "{replace:?}: {errors:#?}");
        assert_eq!(errors[0]["code"], code, "{errors:#?}");
        assert_eq!(errors[0]["file"], file, "{errors:#?}");
        let skipped = found
            .iter()
            .find(|d| d["code"] == "rule-skipped")
            .expect("the skipped rules are named once");
        assert!(
            skipped["message"].as_str().unwrap().contains(rule),
            "{replace:?}: {skipped}"
        );
    }
}

#[test]
fn every_figure_shows_its_source() {
    let site = copy_site(&repo());
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    let health = fs::read_to_string(out.path().join("policies/health.html")).unwrap();
    // A figure of a data file: its file and line.
    assert!(
        health.contains(r#"<span data-src="data/policies/health.yaml:5">1445人次</span>"#),
        "{health}"
    );
    // A computed figure: how, from which values.
    assert!(
        health.contains(
            r#"data-src="合计：data/policies/health.yaml:7、8、9、10">988.26万元</span>"#
        ),
        "{health}"
    );
    // Chart data tables too.
    let table = &health[health.find("chart-data").unwrap()..];
    assert!(
        table.contains(r#"<span data-src="data/policies/health.yaml:7">580.25万元</span>"#),
        "{table}"
    );
    // The chart's own value labels: an SVG <title>, a tooltip on hover.
    assert!(
        health.contains("<title>data/policies/health.yaml:7</title>"),
        "{health}"
    );
    // A sum over the villages names the field and the file pattern.
    let villages = fs::read_to_string(out.path().join("villages/index.html")).unwrap();
    assert!(
        villages.contains("合计：data/villages/*.yaml 的 registered.households（17 项）"),
        "{villages}"
    );
    // Figures that carry their sources still compare by what they say: the villages that
    // exited in a year are found by their exit_year (Tera's `filter`).
    assert!(
        page_text(&villages).contains(r#"<a href="../villages/hengxi.html">横溪村</a>、<a href="../villages/hujia.html">胡家村</a>、<a href="../villages/tongfeng.html">潼丰村</a>（3个）"#),
        "{villages}"
    );
    // The manifest lists every figure with what it is, its value and its source.
    let manifest = huibao::manifest::Manifest::read(out.path()).expect("figures.json");
    let health_page = manifest
        .pages
        .iter()
        .find(|p| p.page == "policies/health.html")
        .unwrap();
    let first = health_page.figures.iter().next().expect("a figure");
    assert_eq!(manifest.what(first), "健康扶贫 贫困人口住院 住院人次");
    assert_eq!(first.value(), "1445人次");
    assert_eq!(manifest.src(first), "data/policies/health.yaml:5");
    assert_eq!(
        manifest.key(first).to_string(),
        "data/policies/health.yaml#hospital.hospitalisations"
    );
    let raw = fs::read_to_string(out.path().join("figures.json")).unwrap();
    assert!(
        raw.contains(r#"["data/policies/health.yaml","健康扶贫"]"#),
        "{raw}"
    );
    // No marker is left anywhere in the site.
    for (path, bytes) in tree(out.path()) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(['\u{E000}', '\u{E001}', '\u{E002}']),
            "{} has a provenance marker left",
            path.display()
        );
    }
}

/// A copy of the bundled report, built (published into its `public/`).
fn published_report() -> tempfile::TempDir {
    let site = copy_site(&repo());
    let first = huibao(site.path(), &["build"]);
    assert!(first.status.success(), "{}", text(&first));
    site
}

/// Corrects the health page's hospitalisations, 1445 → 1446 (no entry in the log).
fn correct_hospitalisations(site: &Path) {
    edit(
        site,
        "data/policies/health.yaml",
        "hospitalisations: 1445",
        "hospitalisations: 1446",
    );
}

/// What `huibao diff` says of [`correct_hospitalisations`].
const HOSPITALISATIONS_CORRECTED: &str =
    "健康扶贫 贫困人口住院 住院人次：1445人次 → 1446人次（data/policies/health.yaml:5）\n";

#[test]
fn a_correction_is_listed_logged_and_linked() {
    let site = published_report();
    let published = site.path().join("public/policies/health.html");
    let before = fs::read(&published).unwrap();
    correct_hospitalisations(site.path());
    // diff says what would change, without building.
    let diff = huibao(site.path(), &["diff"]);
    assert!(diff.status.success());
    assert_eq!(
        String::from_utf8_lossy(&diff.stdout),
        HOSPITALISATIONS_CORRECTED
    );
    // --against the published folder, its figures.json itself, or the site folder that
    // holds it in public/: the same.
    let root = site.path().to_str().unwrap();
    for against in [
        format!("{root}/public"),
        format!("{root}/public/figures.json"),
        root.to_string(),
    ] {
        let diff = huibao(site.path(), &["diff", "--against", &against]);
        assert_eq!(
            String::from_utf8_lossy(&diff.stdout),
            HOSPITALISATIONS_CORRECTED,
            "{against}: {}",
            text(&diff)
        );
    }
    let json = huibao(site.path(), &["diff", "--format", "json"]);
    let changes: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(changes[0]["old"], "1445人次");
    assert_eq!(changes[0]["new"], "1446人次");
    assert_eq!(
        changes[0]["key"],
        "data/policies/health.yaml#hospital.hospitalisations"
    );
    // A changed figure with no entry in the log: with --deny-warnings nothing is published.
    let denied = huibao(site.path(), &["build", "--deny-warnings"]);
    let said = text(&denied);
    assert_eq!(denied.status.code(), Some(1), "{said}");
    assert!(
        said.contains("警告[correction-missing] data/policies/health.yaml:5:21"),
        "{said}"
    );
    assert!(
        said.contains("what: policies.health.hospital.hospitalisations")
            && said.contains("old: 1445人次")
            && said.contains("new: 1446"),
        "the entry to paste: {said}"
    );
    assert_eq!(fs::read(&published).unwrap(), before, "nothing published");
    // A log that disagrees with the data is an error.
    let log = site.path().join("data/corrections.yaml");
    let entries = fs::read_to_string(&log).unwrap();
    let entry = |new: &str| {
        format!(
            "{entries}  - date: 2020-12-20\n    what: policies.health.hospital.hospitalisations\n    old: 1445人次\n    new: {new}\n    reason: 县卫健局复核，补录一人次\n"
        )
    };
    fs::write(&log, entry("1447")).unwrap();
    let lying = huibao(site.path(), &["build"]);
    let said = text(&lying);
    assert_eq!(lying.status.code(), Some(1), "{said}");
    assert!(said.contains("记录不能与数据不符"), "{said}");
    assert!(said.contains("data/corrections.yaml:20:10"), "{said}");
    // The right entry: it builds clean, lists the change and links the figure to the entry.
    fs::write(&log, entry("1446人次")).unwrap();
    let built = huibao(site.path(), &["build", "--deny-warnings"]);
    let said = text(&built);
    assert!(built.status.success(), "{said}");
    assert!(
        said.contains(
            "改变的数字（1 个）：\n  健康扶贫 贫困人口住院 住院人次：1445人次 → 1446人次（data/policies/health.yaml:5）"
        ),
        "{said}"
    );
    let page = fs::read_to_string(&published).unwrap();
    assert!(
        page.contains(r#"<span class="fig-corrected" data-src="data/policies/health.yaml:5">1446人次<a class="fig-note" href="../corrections.html#c3""#),
        "{page}"
    );
    let corrections = fs::read_to_string(site.path().join("public/corrections.html")).unwrap();
    let text_of_page = page_text(&corrections);
    assert!(
        text_of_page.contains(r#"<span id="c3">3</span></td><td><span class="nowrap">2020-12-20</span></td><td>健康扶贫 贫困人口住院 住院人次</td><td style="text-align: right">1445人次</td><td style="text-align: right">1446人次</td>"#),
        "{text_of_page}"
    );
    // Every page's footer links to the log.
    let index = fs::read_to_string(site.path().join("public/index.html")).unwrap();
    assert!(
        index.contains(r#"<a href="corrections.html">更正说明</a>（3 条）"#),
        "{index}"
    );
    // Dates come from the log, never the clock: a rebuild changes nothing.
    let again = huibao(site.path(), &["build"]);
    assert!(
        text(&again).contains("新增 0，修改 0，删除 0"),
        "{}",
        text(&again)
    );
}

/// A figure corrected twice has two entries, each `old` the `new` before it; only the last
/// `new` is the data. An `old` that is not what the published site printed is an error.
#[test]
fn a_figure_shown_again_another_way_is_not_a_change() {
    // A chart added on a page of its own, first in the report's order, shows each village's
    // households as its labels do (`132`, where the village's page prints `132户`).
    let site = published_report();
    fs::write(
        site.path().join("content/a-chart.md"),
        "+++\ntitle = \"图表\"\nweight = -1\n+++\n\n{{ chart(kind=\"bar\", title=\"各村建档立卡户数\", data=villages_list, label=\"name\", values=\"registered.households\") }}\n\n住院总费用 {{ policies.health.hospital.total_cost_wan | fig(dp=1) }}\n",
    )
    .unwrap();
    let diff = huibao(site.path(), &["diff"]);
    assert!(diff.status.success(), "{}", text(&diff));
    assert_eq!(
        String::from_utf8_lossy(&diff.stdout),
        "与已发布的站点相比，没有数字改变。\n",
        "{}",
        text(&diff)
    );
    let built = huibao(site.path(), &["build", "--deny-warnings"]);
    assert!(built.status.success(), "{}", text(&built));
    // A figure that changed is still one.
    correct_hospitalisations(site.path());
    let diff = huibao(site.path(), &["diff"]);
    assert_eq!(
        String::from_utf8_lossy(&diff.stdout),
        HOSPITALISATIONS_CORRECTED
    );
}

#[test]
fn a_published_correction_stays_on_record() {
    let site = published_report();
    let log = site.path().join("data/corrections.yaml");
    let entries = fs::read_to_string(&log).unwrap();
    let first = "  - date: 2020-12-01\n    what: policies.health.family_doctor.served_people\n    old: 67\n    new: 6336\n";
    assert!(entries.contains(first), "{entries}");
    let published = fs::read(site.path().join("public/corrections.html")).unwrap();
    // The first entry deleted (its figure still 6336): the build stops, nothing published.
    let (before, after) = entries.split_at(entries.find(first).unwrap());
    let second = after
        .find("  - date: 2020-12-01\n    what: policies.industry")
        .unwrap();
    fs::write(&log, format!("{before}{}", &after[second..])).unwrap();
    let built = huibao(site.path(), &["build"]);
    let said = text(&built);
    assert_eq!(built.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[correction-removed] data/corrections.yaml:7:5: 已发布的站点上有第 1 条更正（2020-12-01，policies.health.family_doctor.served_people 67人 → 6336人），更正记录里却没有了")
            && said.contains("把它加回 data/corrections.yaml 的 entries 下第 1 条的位置")
            && said.contains("  - date: 2020-12-01\n    what: policies.health.family_doctor.served_people\n    old: 67人\n    new: 6336人\n    reason: 原文"),
        "{said}"
    );
    assert_eq!(
        fs::read(site.path().join("public/corrections.html")).unwrap(),
        published
    );
    let english = text(&huibao(site.path(), &["--lang", "en", "build"]));
    assert!(
        english.contains("the published site shows correction 1 (2020-12-01, policies.health.family_doctor.served_people 67人 → 6336人), which the log no longer has"),
        "{english}"
    );
    let diff = huibao(site.path(), &["diff"]);
    assert!(
        text(&diff).contains("correction-removed"),
        "{}",
        text(&diff)
    );
    // Put back with its date mended and its old written with the unit: the same entry.
    let mended = first
        .replace("2020-12-01", "2020-12-02")
        .replace("old: 67\n", "old: 67.0人\n");
    fs::write(&log, entries.replace(first, &mended)).unwrap();
    let built = huibao(site.path(), &["build", "--deny-warnings"]);
    assert!(built.status.success(), "{}", text(&built));
    let manifest = fs::read_to_string(site.path().join("public/figures.json")).unwrap();
    assert!(
        manifest.contains("\"number\": 1, \"key\": \"data/policies/health.yaml#family_doctor.served_people\", \"what\": \"policies.health.family_doctor.served_people\", \"date\": \"2020-12-02\", \"old\": \"67.0人\", \"new\": \"6336人\""),
        "{manifest}"
    );
    // An entry saying another figure was published (67 → 6000) is not that one.
    fs::write(&log, entries.replace("old: 67\n", "old: 6000\n")).unwrap();
    let said = text(&huibao(site.path(), &["build"]));
    assert!(said.contains("错误[correction-removed]"), "{said}");
}

#[test]
fn a_figure_corrected_twice_has_a_chain_of_entries_from_what_was_published() {
    let site = published_report();
    let log = site.path().join("data/corrections.yaml");
    let entries = fs::read_to_string(&log).unwrap();
    let entry = |date: &str, old: &str, new: &str| {
        format!(
            "  - date: {date}\n    what: policies.health.hospital.hospitalisations\n    old: {old}\n    new: {new}\n    reason: 县卫健局复核\n"
        )
    };
    // Published 1445; corrected to 1446 with an entry that says 1440 was published.
    correct_hospitalisations(site.path());
    fs::write(
        &log,
        format!("{entries}{}", entry("2020-12-20", "1440", "1446")),
    )
    .unwrap();
    let built = huibao(site.path(), &["build"]);
    let said = text(&built);
    assert_eq!(built.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[correction] data/corrections.yaml:19:10: 更正记录说「policies.health.hospital.hospitalisations」原来发布的是 1440人次，但已发布的站点上是 1445人次")
            && said.contains("提示：old 写已发布的数：写成 old: 1445人次"),
        "{said}"
    );
    let english = text(&huibao(site.path(), &["--lang", "en", "build"]));
    assert!(
        english.contains("but the published site shows 1445人次"),
        "{english}"
    );
    // `diff` lists the change all the same, and says what is wrong.
    let diff = huibao(site.path(), &["diff"]);
    assert_eq!(
        String::from_utf8_lossy(&diff.stdout),
        HOSPITALISATIONS_CORRECTED,
        "{}",
        text(&diff)
    );
    assert!(
        text(&diff).contains("原来发布的是 1440人次"),
        "{}",
        text(&diff)
    );
    // The right entry publishes.
    let first = entry("2020-12-20", "1445", "1446");
    fs::write(&log, format!("{entries}{first}")).unwrap();
    let built = huibao(site.path(), &["build", "--deny-warnings"]);
    assert!(built.status.success(), "{}", text(&built));

    // Corrected again, 1446 → 1447: a second entry after the first, which stays as it was.
    edit(
        site.path(),
        "data/policies/health.yaml",
        "hospitalisations: 1446",
        "hospitalisations: 1447",
    );
    // Rewriting the first entry's new instead is told at it, with how to add one.
    fs::write(
        &log,
        format!("{entries}{}", entry("2020-12-20", "1445", "1446")),
    )
    .unwrap();
    let said = text(&huibao(site.path(), &["build"]));
    assert!(
        said.contains("data/corrections.yaml:20:10") && said.contains("记录不能与数据不符"),
        "{said}"
    );
    // A second entry whose old is not the first's new.
    let second = entry("2020-12-25", "1445", "1447");
    fs::write(&log, format!("{entries}{first}{second}")).unwrap();
    let built = huibao(site.path(), &["build"]);
    let said = text(&built);
    assert_eq!(built.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[correction] data/corrections.yaml:24:10: 「policies.health.hospital.hospitalisations」上一次更正（第 3 条，2020-12-20）后是 1446人次，这一条的 old 却是 1445人次")
            && said.contains("写成 old: 1446"),
        "{said}"
    );
    // The first entry's new moved to the data, with a second entry: the last one must be.
    let rewritten = entry("2020-12-20", "1445", "1447");
    let second = entry("2020-12-25", "1447", "1448");
    fs::write(&log, format!("{entries}{rewritten}{second}")).unwrap();
    let said = text(&huibao(site.path(), &["build"]));
    assert!(
        said.contains("data/corrections.yaml:25:10")
            && said.contains("有 2 条更正记录：最后一条的 new 要等于数据"),
        "{said}"
    );
    // The chain: both entries listed, the figure linked to the last.
    let second = entry("2020-12-25", "1446", "1447");
    fs::write(&log, format!("{entries}{first}{second}")).unwrap();
    let built = huibao(site.path(), &["build", "--deny-warnings"]);
    assert!(built.status.success(), "{}", text(&built));
    let page = fs::read_to_string(site.path().join("public/policies/health.html")).unwrap();
    assert!(
        page.contains(r#"1447人次<a class="fig-note" href="../corrections.html#c4""#),
        "{page}"
    );
    let corrections =
        page_text(&fs::read_to_string(site.path().join("public/corrections.html")).unwrap());
    for listed in [
        "<td style=\"text-align: right\">1445人次</td><td style=\"text-align: right\">1446人次</td>",
        "<td style=\"text-align: right\">1446人次</td><td style=\"text-align: right\">1447人次</td>",
    ] {
        assert!(corrections.contains(listed), "{listed}: {corrections}");
    }
    // Only the last entry's value is the figure's now: the earlier one is plain text (a
    // change report reads the figure where it is first printed: this page).
    let page = fs::read_to_string(site.path().join("public/corrections.html")).unwrap();
    assert_eq!(
        page.matches(r#"data-src="data/policies/health.yaml:5""#)
            .count(),
        1,
        "{page}"
    );
    // Corrected twice before the next publish: two new entries, the first from what was
    // published.
    edit(
        site.path(),
        "data/policies/health.yaml",
        "hospitalisations: 1447",
        "hospitalisations: 1449",
    );
    let (third, fourth) = (
        entry("2020-12-26", "1447", "1448"),
        entry("2020-12-27", "1448", "1449"),
    );
    fs::write(&log, format!("{entries}{first}{second}{third}{fourth}")).unwrap();
    let built = huibao(site.path(), &["build", "--deny-warnings"]);
    assert!(built.status.success(), "{}", text(&built));
}

/// `figures.json` (version 3) as huibao wrote it before version 3: each data figure with its
/// key spelled out and its label's number in `labels`, line for line in the same layout.
fn as_version_2(manifest: &str) -> String {
    let mut names: Vec<(String, String)> = Vec::new();
    let mut in_names = false;
    for line in manifest.lines() {
        if line == "\"names\": [" {
            in_names = true;
        } else if in_names && line.starts_with("  [") {
            let name = line.trim().trim_end_matches(',');
            names.push(serde_json::from_str(name).unwrap());
        } else if in_names {
            break;
        }
    }
    assert!(!names.is_empty(), "a names table: {manifest}");
    let mut labels: Vec<&str> = Vec::new();
    let label_of: Vec<usize> = names
        .iter()
        .map(|(_, label)| match labels.iter().position(|l| l == label) {
            Some(at) => at,
            None => {
                labels.push(label);
                labels.len() - 1
            }
        })
        .collect();
    let mut out = String::new();
    let mut in_names = false;
    for line in manifest.lines() {
        let figure = line.trim().trim_end_matches(',');
        let comma = if line.ends_with(',') { "," } else { "" };
        if line == "\"version\": 3," {
            out.push_str("\"version\": 2,");
        } else if line == "\"names\": [" {
            in_names = true;
            out.push_str("\"labels\": [");
            for (i, label) in labels.iter().enumerate() {
                out.push_str(if i == 0 { "\n  " } else { ",\n  " });
                out.push_str(&serde_json::to_string(label).unwrap());
            }
        } else if in_names && line.starts_with("  [") {
            continue;
        } else if line.starts_with("  [")
            && let Ok((file, name, at, value)) =
                serde_json::from_str::<(u32, usize, u32, String)>(figure)
        {
            in_names = false;
            let key = serde_json::to_string(&names[name].0).unwrap();
            let value = serde_json::to_string(&value).unwrap();
            out.push_str(&format!(
                "  [{file},{key},{at},{},{value}]{comma}",
                label_of[name]
            ));
        } else {
            in_names = false;
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// A site published by the huibao before the manifest's version 3 (keys spelled out in
/// every figure) is still compared with: its corrections are found, in order and by key.
#[test]
fn a_site_published_with_the_manifest_of_version_2_is_still_compared() {
    let site = published_report();
    let manifest = site.path().join("public/figures.json");
    let written = fs::read_to_string(&manifest).unwrap();
    assert!(written.contains("\n\"version\": 3,\n"), "{written}");
    assert!(
        written.contains(r#"["hospital.hospitalisations","贫困人口住院 住院人次"]"#),
        "the names table: {written}"
    );
    let old = as_version_2(&written);
    assert!(
        old.contains(r#","hospital.hospitalisations",5,"#) && old.contains("\"labels\": ["),
        "{old}"
    );
    fs::write(&manifest, &old).unwrap();
    // Unchanged data: nothing to tell, either way of reading.
    let diff = huibao(site.path(), &["diff"]);
    assert!(diff.status.success(), "{}", text(&diff));
    assert_eq!(
        String::from_utf8_lossy(&diff.stdout),
        "与已发布的站点相比，没有数字改变。\n"
    );
    correct_hospitalisations(site.path());
    let diff = huibao(site.path(), &["diff"]);
    assert_eq!(
        String::from_utf8_lossy(&diff.stdout),
        HOSPITALISATIONS_CORRECTED
    );
    let built = huibao(site.path(), &["build"]);
    let said = text(&built);
    assert!(built.status.success(), "{said}");
    assert!(
        said.contains("警告[correction-missing] data/policies/health.yaml:5:21")
            && said.contains("old: 1445人次"),
        "{said}"
    );
    assert!(
        fs::read_to_string(&manifest)
            .unwrap()
            .contains("\n\"version\": 3,\n"),
        "the new site's manifest is of version 3"
    );
}

#[test]
fn the_log_is_checked_like_data() {
    let site = copy_site(&repo());
    let log = site.path().join("data/corrections.yaml");
    let entries = fs::read_to_string(&log).unwrap();
    for (entry, expected) in [
        (
            "  - date: 2020-13-01\n    what: township.population\n    old: 5.7万\n    new: 57000\n    reason: x\n",
            "没有「2020-13-01」这一天",
        ),
        (
            "  - date: 2020-02-30\n    what: township.population\n    old: 5.7万\n    new: 57000\n    reason: x\n",
            "这一天不存在：2020 年 2 月只有 29 天",
        ),
        (
            "  - date: 2020-12-01\n    what: township.populaton\n    old: 1\n    new: 57000\n    reason: x\n",
            "township.populaton",
        ),
        (
            "  - date: 2020-12-01\n    what: health.hospital.hospitalisations\n    old: 1\n    new: 1445\n    reason: x\n",
            "是不是「policies.health.hospital.hospitalisations」？",
        ),
        // A key misspelt or cut short, the figure named in words: the figure meant.
        (
            "  - date: 2020-12-01\n    what: township.populaton\n    old: 1\n    new: 57000\n    reason: x\n",
            "是不是「township.population」？",
        ),
        (
            "  - date: 2020-12-01\n    what: policies.health.family_docter.served\n    old: 1\n    new: 6336\n    reason: x\n",
            "是不是「policies.health.family_doctor.served_people」？",
        ),
        (
            "  - date: 2020-12-01\n    what: 家庭医生履约服务人数\n    old: 1\n    new: 6336\n    reason: x\n",
            "是不是「policies.health.family_doctor.served_people」？",
        ),
        (
            "  - date: 2020-12-01\n    what: 横溪村建档立卡人数\n    old: 1\n    new: 468\n    reason: x\n",
            "是不是「villages.hengxi.registered.people」？",
        ),
        // Words that fit two figures as well: the one whose value is the entry's new, or
        // both to choose from.
        (
            "  - date: 2020-12-01\n    what: 横溪村户数\n    old: 1\n    new: 132\n    reason: x\n",
            "提示：是不是「villages.hengxi.registered.households」？（建档立卡户数，数据里是 132户，与 new 相同）\n",
        ),
        (
            "  - date: 2020-12-01\n    what: 横溪村户数\n    old: 1\n    new: 130\n    reason: x\n",
            "提示：「横溪村户数」可能是：villages.hengxi.registered.households（建档立卡户数，132户）、villages.hengxi.remaining.households（未脱贫户数，4户）；把 what 写成其中一个的数据路径\n",
        ),
        (
            "  - date: 2020年12月1日\n    what: township.population\n    old: 1\n    new: 57000\n    reason: x\n",
            "写成 2020-12-01\n",
        ),
        (
            "  - date: 2020-12-01\n    what: township.population\n    old: 1\n    new: 57000\n",
            "缺少 reason",
        ),
        (
            "  - date: 2020-12-01\n    what: township.population\n    old: 1\n    new: 57000\n    reasn: x\n",
            "是不是「reason」",
        ),
        (
            "  - date: 2020-12-01\n    what: township.population\n    old: 1\n    new: 57000\n    reason: （写明更正原因）\n",
            "reason 要写明更正的原因",
        ),
        (
            "  - date: 2020-12-01\n    what: township.population\n    old: 57000\n    new: 57000\n    reason: x\n",
            "old 和 new 相同",
        ),
        (
            "  - date: 2020-12-01\n    what: policies.industry.special_funds_wan\n    old: 342人\n    new: 342\n    reason: x\n",
            "单位「人」不能换算成这个数字的单位「万元」",
        ),
        (
            "  - date: 2020-12-01\n    what: township.population\n    old: １３１\n    new: 57000\n    reason: x\n",
            "old「１３１」里有全角数字：请切换到半角输入\n",
        ),
        (
            "  - date: 2020-12-01\n    what: township.population\n    old: １３１\n    new: 57000\n    reason: x\n",
            "提示：写成 old: 131\n",
        ),
        // A list's item named by its year: its place.
        (
            "  - date: 2020-12-01\n    what: township.exits.2015.people\n    old: 1\n    new: 1118\n    reason: x\n",
            "是不是「township.exits.1.people」？",
        ),
        // A path typed with full-width dots or capitals: as the data write it.
        (
            "  - date: 2020-12-01\n    what: policies．health。hospital．hospitalisations\n    old: 1\n    new: 1445\n    reason: x\n",
            "是不是「policies.health.hospital.hospitalisations」？",
        ),
        (
            "  - date: 2020-12-01\n    what: Township.Population\n    old: 1\n    new: 57000\n    reason: x\n",
            "是不是「township.population」？",
        ),
        // A spreadsheet's thousands separators: the figure meant, its unit kept.
        (
            "  - date: 2020-12-01\n    what: township.population\n    old: 1\n    new: 57,000\n    reason: x\n",
            "new「57,000」里有千位分隔符（逗号）",
        ),
        (
            "  - date: 2020-12-01\n    what: policies.industry.special_funds_wan\n    old: \"3,420元\"\n    new: 342万元\n    reason: x\n",
            "提示：写成 old: 3420元\n",
        ),
        // (A date to come is a warning; the same old and new, the error.)
        (
            "  - date: 2999-12-01\n    what: township.population\n    old: 57000\n    new: 57000\n    reason: x\n",
            "更正日期「2999-12-01」在今天（",
        ),
    ] {
        fs::write(&log, format!("{entries}{entry}")).unwrap();
        let out = huibao(site.path(), &["check"]);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "{entry}: {said}");
        assert!(said.contains(expected), "{entry}: {said}");
        assert!(said.contains("data/corrections.yaml:"), "{said}");
    }
    // A key misspelt is one error, not a missing key too.
    let misspelt = "  - date: 2020-12-01\n    waht: township.population\n    old: 1\n    new: 57000\n    reason: x\n";
    fs::write(&log, format!("{entries}{misspelt}")).unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(said.contains("是不是「what」？"), "{said}");
    assert!(!said.contains("缺少 what"), "{said}");
    // One correction written without its `- `.
    let unlisted = "entries:\n  date: 2020-12-01\n  what: township.population\n  old: 1\n  new: 57000\n  reason: x\n";
    fs::write(&log, unlisted).unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("entries 要是列表（每条更正以 - 开头）")
            && said.contains("提示：每条更正的第一行以「- 」开头"),
        "{said}"
    );
    // The log written as a list, without its first line `entries:`.
    let listed =
        "- date: 2020-12-01\n  what: township.population\n  old: 1\n  new: 57000\n  reason: x\n";
    fs::write(&log, listed).unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("错误[data-not-mapping] data/corrections.yaml:1:1")
            && said.contains("提示：更正记录的第一行写 entries:，每条更正写在它下面"),
        "{said}"
    );
}

#[test]
fn every_problem_of_an_entry_is_said_at_once() {
    let site = copy_site(&repo());
    append(
        site.path(),
        "data/corrections.yaml",
        "  - date: 2020-12-01 10:00\n    what: policies.health.hospital.hospitalisations\n    old: 1445人次次\n    new: 1446\n    reason: 复核\n  - date: 2020-13-01\n    what: policies.health.hospital.hospitalisationz\n    old: abc\n    new: 1446\n  - date: 2020-12-01\n    what: policies.health.hospital.hospitalisations\n    old: 1445\n    new: 1446\n    reason:\n  - date: 2020-12-01\n    what: villages.横溪村.registered.people\n    old: 467\n    new: 468\n    reason: 复核\n",
    );
    let checked = huibao(site.path(), &["check"]);
    let said = text(&checked);
    assert_eq!(checked.status.code(), Some(1), "{said}");
    for (at, told) in [
        // A date with its time: the date to write.
        (
            "17:11",
            "日期「2020-12-01 10:00」要写成 2020-12-01 这样的年-月-日",
        ),
        ("17:11", "提示：写成 2020-12-01"),
        // The same entry's old, though its date is wrong: with the unit to write.
        (
            "19:10",
            "old「1445人次次」的单位「人次次」不能换算成这个数字的单位「人次」",
        ),
        (
            "19:10",
            "提示：这个数字的单位是「人次」：写成 old: 1445（或 1445人次）",
        ),
        // An entry without its reason: its date and its figure are told too.
        ("22:5", "这条更正缺少 reason"),
        ("22:11", "没有「2020-13-01」这一天"),
        (
            "23:11",
            "what「policies.health.hospital.hospitalisationz」不是数据里的一个数字",
        ),
        (
            "23:11",
            "是不是「policies.health.hospital.hospitalisations」？",
        ),
        // Written with nothing after it: at its own line.
        ("30:5", "这条更正缺少 reason"),
        // A village named by its name: the path with its file's id.
        ("32:11", "是不是「villages.hengxi.registered.people」？"),
    ] {
        // Said in the problem at that place.
        let place = format!("data/corrections.yaml:{at}:");
        assert!(
            said.split("\n\n")
                .any(|problem| problem.contains(&place) && problem.contains(told)),
            "{place} {told}: {said}"
        );
    }
    assert!(said.contains("共 7 个错误"), "{said}");
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains("hint: the figure's unit is `人次`: write old: 1445 (or 1445人次)"),
        "{english}"
    );
}

#[test]
fn an_entry_written_swapped_or_twice_is_told_so() {
    let site = copy_site(&repo());
    correct_hospitalisations(site.path());
    let log = site.path().join("data/corrections.yaml");
    let entries = fs::read_to_string(&log).unwrap();
    let entry = |old: &str, new: &str| {
        format!(
            "  - date: 2020-12-20\n    what: policies.health.hospital.hospitalisations\n    old: {old}\n    new: {new}\n    reason: 县卫健局复核\n"
        )
    };
    fs::write(&log, format!("{entries}{}", entry("1446", "1445"))).unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("提示：数据里还是 1446（这条记录的 old）：数据还没改的话，先把数据改成 1445 并保存；若是 old 和 new 写反了（old 写原来发布的数，new 写更正后的数），写成 old: 1445、new: 1446"),
        "{said}"
    );
    // The data file not saved yet: the same entry, the data still as published.
    let health = site.path().join("data/policies/health.yaml");
    let data_before = fs::read_to_string(&health).unwrap();
    fs::write(
        &health,
        data_before.replace("hospitalisations: 1446", "hospitalisations: 1445"),
    )
    .unwrap();
    fs::write(&log, format!("{entries}{}", entry("1445", "1446"))).unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains(
            "提示：数据里还是 1445（这条记录的 old）：数据还没改的话，先把数据改成 1446 并保存"
        ),
        "{said}"
    );
    fs::write(&health, data_before).unwrap();
    let right = entry("1445", "1446");
    fs::write(&log, format!("{entries}{right}{right}")).unwrap();
    let said = text(&huibao(site.path(), &["check"]));
    assert!(
        said.contains("错误[correction] data/corrections.yaml:24:10: 第 4 条与第 3 条是同一处更正（「policies.health.hospital.hospitalisations」1445人次 → 1446人次）：写了两遍")
            && said.contains("提示：删去其中一条（第 4 条）"),
        "{said}"
    );
    let english = text(&huibao(site.path(), &["--lang", "en", "check"]));
    assert!(
        english.contains("entry 4 is the same correction as entry 3"),
        "{english}"
    );
}

#[test]
fn one_figure_has_one_spelling_on_its_page() {
    let site = copy_site(&repo());
    // A stated rate inside the explained gap: the page builds and prints it one way.
    edit(
        site.path(),
        "data/policies/health.yaml",
        "reimbursement_rate_percent: 92.13",
        "reimbursement_rate_percent: 95",
    );
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    let page = page_text(&fs::read_to_string(out.path().join("policies/health.html")).unwrap());
    assert!(page.matches("95.00%").count() >= 3, "{page}");
    for other in ["95%", "95.0%"] {
        for before in [">", "例", "率"] {
            assert!(
                !page.contains(&format!("{before}{other}")),
                "`{other}` printed beside 95.00%: {page}"
            );
        }
    }
}

#[test]
fn reordering_a_list_changes_no_figure_and_a_list_item_can_be_corrected() {
    let site = copy_site(&repo());
    let built = huibao(site.path(), &["build"]);
    assert!(built.status.success(), "{}", text(&built));
    // Swap two causes of poverty: the same figures, in another order.
    let township = site.path().join("data/township.yaml");
    let original = fs::read_to_string(&township).unwrap();
    let a = "  - cause: 因残\n    households: 268\n    people: 812\n    illustrative: true\n";
    let b = "  - cause: 因学\n    households: 171\n    people: 694\n    illustrative: true\n";
    assert!(original.contains(a) && original.contains(b));
    let swapped = original.replace(a, "@a@").replace(b, a).replace("@a@", b);
    fs::write(&township, &swapped).unwrap();
    let diff = huibao(site.path(), &["diff"]);
    assert_eq!(
        String::from_utf8_lossy(&diff.stdout),
        "与已发布的站点相比，没有数字改变。\n",
        "{}",
        text(&diff)
    );
    // A real change of two items (their sum unchanged): each entry to paste names its item
    // by its place in the list, and pasting them makes the build clean.
    fs::write(
        &township,
        swapped
            .replace("people: 812", "people: 813")
            .replace("people: 694", "people: 693"),
    )
    .unwrap();
    let warned = huibao(site.path(), &["build", "--deny-warnings"]);
    let said = text(&warned);
    assert_eq!(warned.status.code(), Some(1), "{said}");
    let entries: Vec<String> = said
        .match_indices("  - date: ")
        .map(|(start, _)| {
            said[start..]
                .lines()
                .take(5)
                .map(|l| format!("{l}\n"))
                .collect()
        })
        .collect();
    assert_eq!(entries.len(), 2, "{said}");
    // 因学 is now the third cause (index 2), 因残 the fourth.
    assert!(
        entries
            .iter()
            .any(|e| e.contains("what: township.causes.2.people")),
        "{entries:?}"
    );
    assert!(
        entries
            .iter()
            .any(|e| e.contains("what: township.causes.3.people")),
        "{entries:?}"
    );
    let log = site.path().join("data/corrections.yaml");
    let mut text_of_log = fs::read_to_string(&log).unwrap();
    for entry in &entries {
        text_of_log.push_str(&entry.replace("（写明更正原因）", "复核"));
    }
    fs::write(&log, text_of_log).unwrap();
    let clean = huibao(site.path(), &["build", "--deny-warnings"]);
    assert!(clean.status.success(), "{}", text(&clean));
}

#[test]
fn a_comment_is_not_a_change_and_a_removed_file_is_named() {
    let site = copy_site(&repo());
    let built = huibao(site.path(), &["build"]);
    assert!(built.status.success(), "{}", text(&built));
    // A comment added to one village, a figure changed in another: the one whose value
    // changed is blamed.
    edit(
        site.path(),
        "data/villages/hengxi.yaml",
        "name: 横溪村",
        "# 复核\nname: 横溪村",
    );
    let zhushan = fs::read_to_string(site.path().join("data/villages/zhushan.yaml")).unwrap();
    let line = zhushan
        .lines()
        .find(|l| l.trim_start().starts_with("households:"))
        .unwrap()
        .to_string();
    edit(
        site.path(),
        "data/villages/zhushan.yaml",
        &line,
        &line.replacen("households: ", "households: 1", 1),
    );
    let located = rule_locations(&json_check(site.path()));
    assert!(
        located.contains(&(
            "villages-registered-households".to_string(),
            "data/villages/zhushan.yaml".to_string()
        )),
        "{located:?}"
    );
    // A village removed: the totals are blamed, and the removed file is named.
    let site = copy_site(&repo());
    assert!(huibao(site.path(), &["build"]).status.success());
    edit(
        site.path(),
        "data/villages/hengxi.yaml",
        "name: 横溪村",
        "# 复核\nname: 横溪村",
    );
    fs::remove_file(site.path().join("data/villages/hujia.yaml")).unwrap();
    let found = json_check(site.path());
    for (rule, file) in rule_locations(&found) {
        assert_ne!(file, "data/villages/hengxi.yaml", "{rule}");
    }
    let sum = found
        .iter()
        .find(|d| d["rule"] == "villages-registered-households")
        .unwrap();
    assert_eq!(sum["file"], "data/township.yaml");
    assert!(
        sum["related"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["file"] == "data/villages/hujia.yaml"),
        "{sum}"
    );
}

#[test]
fn a_missing_correction_is_not_forgotten_after_one_build() {
    let site = published_report();
    correct_hospitalisations(site.path());
    // Built without --deny-warnings: published, with the warning.
    let first = text(&huibao(site.path(), &["build"]));
    assert!(first.contains("correction-missing"), "{first}");
    // The next build still owes the entry, for the value published before the change.
    let again = huibao(site.path(), &["build", "--deny-warnings"]);
    let said = text(&again);
    assert_eq!(again.status.code(), Some(1), "{said}");
    assert!(
        said.contains("old: 1445人次") && said.contains("new: 1446"),
        "{said}"
    );
    // Put back as it was: nothing is owed.
    edit(
        site.path(),
        "data/policies/health.yaml",
        "hospitalisations: 1446",
        "hospitalisations: 1445",
    );
    let back = huibao(site.path(), &["build", "--deny-warnings"]);
    let said = text(&back);
    assert!(back.status.success(), "{said}");
    // Not silently: readers of the published site saw 1446, and the entry that would tell
    // them is offered.
    assert!(
        said.contains("说明[correction-put-back] data/policies/health.yaml:5:21: 健康扶贫 贫困人口住院 住院人次 改回了上次有更正记录时发布的 1445人次，不再欠更正记录；但已发布的站点上是没有记录的 1446人次")
            && said.contains("    old: 1446人次\n    new: 1445\n"),
        "{said}"
    );
    // Once published, nothing more is said.
    let again = text(&huibao(site.path(), &["build"]));
    assert!(!again.contains("correction-put-back"), "{again}");
}

#[test]
fn a_figure_put_back_can_be_recorded_as_the_entry_offered() {
    let site = published_report();
    correct_hospitalisations(site.path());
    assert!(huibao(site.path(), &["build"]).status.success());
    edit(
        site.path(),
        "data/policies/health.yaml",
        "hospitalisations: 1446",
        "hospitalisations: 1445",
    );
    let log = site.path().join("data/corrections.yaml");
    let entries = fs::read_to_string(&log).unwrap();
    fs::write(
        &log,
        format!(
            "{entries}  - date: 2020-12-20\n    what: policies.health.hospital.hospitalisations\n    old: 1446人次\n    new: 1445\n    reason: 误改，恢复原数\n"
        ),
    )
    .unwrap();
    let out = huibao(site.path(), &["build", "--deny-warnings"]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(!said.contains("correction-put-back"), "{said}");
    let page = fs::read_to_string(site.path().join("public/corrections.html")).unwrap();
    assert!(
        page.contains("误改，恢复原数") && page.contains("1446人次"),
        "{page}"
    );
}

#[test]
fn an_entry_given_after_the_change_was_published_starts_from_the_figure_before_it() {
    // 1446 published with the warning (no entry); the entry added at a later build must
    // start from 1445, what readers had before — not any number (it would stay on record).
    let site = published_report();
    correct_hospitalisations(site.path());
    assert!(huibao(site.path(), &["build"]).status.success());
    let log = site.path().join("data/corrections.yaml");
    let entries = fs::read_to_string(&log).unwrap();
    let entry = |old: &str| {
        format!(
            "  - date: 2020-12-20\n    what: policies.health.hospital.hospitalisations\n    old: {old}\n    new: 1446\n    reason: 县卫健局复核\n"
        )
    };
    fs::write(&log, format!("{entries}{}", entry("9999"))).unwrap();
    let out = huibao(site.path(), &["build"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[correction] data/corrections.yaml:19:10: 更正记录说「policies.health.hospital.hospitalisations」原来发布的是 9999人次，但它改动之前发布的是 1445人次")
            && said.contains("提示：old 写已发布的数：写成 old: 1445人次"),
        "{said}"
    );
    fs::write(&log, format!("{entries}{}", entry("1445"))).unwrap();
    let out = huibao(site.path(), &["build", "--deny-warnings"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        fs::read_to_string(site.path().join("public/corrections.html"))
            .unwrap()
            .contains("1445人次")
    );
}

#[test]
fn a_published_entry_edited_to_correct_again_is_one_error_saying_to_add_one() {
    // 1445 → 1446 published with its entry; corrected again to 1447 by editing that entry's
    // new (not adding one): one error, at the entry, with the entry to add — not "removed"
    // and "old is not what was published" at once, which contradict each other.
    let site = published_report();
    correct_hospitalisations(site.path());
    let log = site.path().join("data/corrections.yaml");
    let entries = fs::read_to_string(&log).unwrap();
    let entry = |new: &str| {
        format!(
            "  - date: 2020-12-20\n    what: policies.health.hospital.hospitalisations\n    old: 1445\n    new: {new}\n    reason: 县卫健局复核\n"
        )
    };
    fs::write(&log, format!("{entries}{}", entry("1446"))).unwrap();
    let out = huibao(site.path(), &["build", "--deny-warnings"]);
    assert!(out.status.success(), "{}", text(&out));
    edit(
        site.path(),
        "data/policies/health.yaml",
        "hospitalisations: 1446",
        "hospitalisations: 1447",
    );
    fs::write(&log, format!("{entries}{}", entry("1447"))).unwrap();
    let out = huibao(site.path(), &["build"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[correction-removed] data/corrections.yaml:17:5: 第 3 条更正已经发布（policies.health.hospital.hospitalisations 更正为 1446人次），它的 new 不能再改成 1447人次")
            && said.contains("提示：把这一条的 new 改回 1446人次；再次更正，在它后面另加一条：old: 1446人次、new: 1447人次"),
        "{said}"
    );
    assert!(said.contains("共 1 个错误"), "{said}");
    // Done as told: builds.
    let again = format!(
        "{}  - date: 2020-12-28\n    what: policies.health.hospital.hospitalisations\n    old: 1446\n    new: 1447\n    reason: 再次复核\n",
        entry("1446")
    );
    fs::write(&log, format!("{entries}{again}")).unwrap();
    let out = huibao(site.path(), &["build", "--deny-warnings"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_manifest_saved_again_with_a_byte_order_mark_is_still_read() {
    // Opened and saved in Notepad: a UTF-8 BOM before the JSON.
    let site = published_report();
    let manifest = site.path().join("public/figures.json");
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(fs::read(&manifest).unwrap());
    fs::write(&manifest, bytes).unwrap();
    correct_hospitalisations(site.path());
    let diff = huibao(site.path(), &["diff"]);
    assert!(diff.status.success(), "{}", text(&diff));
    assert_eq!(
        String::from_utf8_lossy(&diff.stdout),
        HOSPITALISATIONS_CORRECTED
    );
    let said = text(&huibao(site.path(), &["build"]));
    assert!(said.contains("警告[correction-missing]"), "{said}");
}

#[test]
fn an_unreadable_manifest_is_said_and_an_empty_log_builds() {
    let site = copy_site(&repo());
    // diff before any build: no manifest there.
    let diff = huibao(site.path(), &["diff"]);
    let said = text(&diff);
    assert_eq!(diff.status.code(), Some(1), "{said}");
    assert!(
        said.contains("错误[diff-no-published-site]") && said.contains("public/figures.json"),
        "{said}"
    );
    assert!(huibao(site.path(), &["build"]).status.success());
    // One there that cannot be read (a later huibao's, say) is said to be so, not missing.
    let manifest = site.path().join("public/figures.json");
    let later = fs::read_to_string(&manifest)
        .unwrap()
        .replace("\n\"version\": 3,\n", "\n\"version\": 4,\n");
    assert!(later.contains("\"version\": 4,"), "{later}");
    fs::write(&manifest, later).unwrap();
    for (lang, wanted) in [
        (None, "错误[diff-manifest-unreadable]"),
        (Some("en"), "error[diff-manifest-unreadable]"),
    ] {
        let mut args = vec!["diff"];
        if let Some(lang) = lang {
            args.extend(["--lang", lang]);
        }
        let diff = huibao(site.path(), &args);
        let said = text(&diff);
        assert_eq!(diff.status.code(), Some(1), "{said}");
        assert!(
            said.contains(wanted) && said.contains("public/figures.json"),
            "{said}"
        );
        assert!(!said.contains("no-published-site"), "{said}");
    }
    fs::write(&manifest, "{ not json").unwrap();
    let out = huibao(site.path(), &["build", "--deny-warnings"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("警告[manifest-unreadable] public/figures.json")
            || said.contains("[manifest-unreadable]"),
        "{said}"
    );
    // One deleted from the site huibao wrote it in (or not copied back with the pages): the
    // figures cannot be compared either, said so (an error with --deny-warnings).
    assert!(huibao(site.path(), &["build"]).status.success());
    fs::remove_file(&manifest).unwrap();
    let out = huibao(site.path(), &["build", "--deny-warnings"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("警告[manifest-missing] ./public/figures.json: 已发布的站点 ./public 里没有 figures.json")
            && said.contains("提示：从备份或服务器上的已发布站点里把 figures.json 放回这个文件夹"),
        "{said}"
    );
    assert!(!manifest.exists(), "nothing published");
    // A log with no entries: no 更正说明 page, and the bundled pages still build.
    fs::write(site.path().join("data/corrections.yaml"), "entries:\n").unwrap();
    let built = huibao(site.path(), &["build"]);
    assert!(built.status.success(), "{}", text(&built));
    assert!(!site.path().join("public/corrections.html").exists());
}

#[test]
fn a_within_that_is_not_true_or_false_is_an_error() {
    let site = copy_site(&repo());
    let schema = site.path().join("data/schema.yaml");
    let text_before = fs::read_to_string(&schema).unwrap();
    let start = text_before.find("      within: ").unwrap();
    let end = text_before[start..].find('\n').unwrap() + start;
    fs::write(
        &schema,
        format!(
            "{}      within: 1 + 1{}",
            &text_before[..start],
            &text_before[end..]
        ),
    )
    .unwrap();
    let out = huibao(site.path(), &["--lang", "en", "check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("within must give true or false"), "{said}");
}

/// A figure of a file with no title (an empty `name`) is written spelled out in
/// figures.json; read back it is still that file's value: a change is one change, owed an
/// entry in the corrections log.
#[test]
fn a_figure_of_an_untitled_file_changes_as_one_figure() {
    let site = copy_site(&fixture("small"));
    fs::create_dir_all(site.path().join("data/extra")).unwrap();
    fs::write(site.path().join("data/extra/x.yaml"), "name: \"\"\nn: 5\n").unwrap();
    let index = site.path().join("content/index.md");
    let before = fs::read_to_string(&index).unwrap();
    fs::write(
        &index,
        format!("{before}\n另：{{{{ extra.x.n | fig(unit=\"个\") }}}}\n"),
    )
    .unwrap();
    assert!(huibao(site.path(), &["build"]).status.success());
    edit(site.path(), "data/extra/x.yaml", "n: 5", "n: 6");
    let said = text(&huibao(site.path(), &["build"]));
    assert!(said.contains("5个 → 6个"), "{said}");
    assert!(
        !said.contains("不再发布") && !said.contains("新发布"),
        "{said}"
    );
    assert!(said.contains("correction-missing"), "{said}");
}

/// Runs `huibao` in `site` with the pages' figures kept in a scratch file until the
/// manifest is written, as a build of 20,000 pages or more keeps them.
fn huibao_figures_spilled(site: &Path, args: &[&str]) -> std::process::Output {
    huibao_spilling_from(site, "0", args)
}

/// Runs `huibao` in `site` with `HUIBAO_FIGURES_SPILLED_FROM` set to `threshold`.
fn huibao_spilling_from(site: &Path, threshold: &str, args: &[&str]) -> std::process::Output {
    huibao_with_env(
        site,
        args,
        &[("HUIBAO_FIGURES_SPILLED_FROM", threshold.as_ref())],
    )
}

#[test]
fn a_spill_threshold_that_is_not_a_number_is_warned_of_not_ignored() {
    warned_of_a_bad_whole_number("HUIBAO_FIGURES_SPILLED_FROM", "两万");
    let site = copy_site(&repo());
    let run = |args: &[&str]| huibao_spilling_from(site.path(), "两万", args);
    let en = text(&run(&["build", "--lang", "en"]));
    assert!(en.contains("is “两万”, not a whole number"), "{en}");
}

#[test]
fn figures_kept_in_a_scratch_file_are_published_and_compared_the_same() {
    // Two copies of the report, built the same way but for where the figures wait.
    let (held, spilled) = (copy_site(&repo()), copy_site(&repo()));
    let both = |args: &[&str]| {
        let (a, b) = (
            huibao(held.path(), args),
            huibao_figures_spilled(spilled.path(), args),
        );
        assert_eq!(
            a.status.code(),
            b.status.code(),
            "{}\n{}",
            text(&a),
            text(&b)
        );
        assert_eq!(text(&a), text(&b));
        assert_eq!(
            tree(&held.path().join("public")),
            tree(&spilled.path().join("public")),
            "the same site, figures.json too"
        );
        text(&a)
    };
    let first = both(&["build"]);
    assert!(first.contains("已生成"), "{first}");
    let scratch = |site: &Path| {
        fs::read_dir(site)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("scratch"))
            .count()
    };
    assert_eq!(
        scratch(spilled.path()),
        0,
        "the scratch file goes with the build"
    );
    // Each edit made to both copies.
    let edit_both = |file: &str, find: &str, replace: &str| {
        for site in [held.path(), spilled.path()] {
            edit(site, file, find, replace);
        }
    };
    // A figure changed without an entry in the log: found by comparing with the published
    // figures, and still owed at the next build (the figures looked up by key).
    edit_both(
        "data/policies/health.yaml",
        "hospitalisations: 1445",
        "hospitalisations: 1446",
    );
    let changed = both(&["build"]);
    assert!(
        changed.contains("correction-missing") && changed.contains("1445人次 → 1446人次"),
        "{changed}"
    );
    let owed = both(&["build", "--deny-warnings"]);
    assert!(owed.contains("old: 1445人次"), "{owed}");
    // Put back: nothing owed, nothing changed.
    edit_both(
        "data/policies/health.yaml",
        "hospitalisations: 1446",
        "hospitalisations: 1445",
    );
    let back = both(&["build", "--deny-warnings"]);
    assert!(!back.contains("correction-missing"), "{back}");
    // A figure printed in a new place (the figures no longer in the published order) and a
    // value changed: the comparison stops reading in order and looks each figure up by its
    // key, the same both ways.
    edit_both(
        "content/index.md",
        "面积{{ t.area_km2 | fig(unit=\"平方公里\") }}",
        "面积{{ t.area_km2 | fig(unit=\"平方公里\") }}（户籍人口{{ t.population | fig(unit=\"人\") }}）",
    );
    edit_both(
        "data/policies/health.yaml",
        "hospitalisations: 1445",
        "hospitalisations: 1446",
    );
    let moved = both(&["build"]);
    assert!(
        moved.contains("correction-missing") && moved.contains("1445人次 → 1446人次"),
        "{moved}"
    );
}

#[test]
fn next_years_report_does_not_replace_last_years_in_its_folder() {
    // Last year's site folder copied to make this year's, its public/ with it: the title
    // made 2021, a figure and the corrections log made new.
    let site = published_report();
    let published = tree(&site.path().join("public"));
    let manifest = fs::read_to_string(site.path().join("public/figures.json")).unwrap();
    assert!(
        manifest.starts_with(
            "{\n\"version\": 3,\n\"title\": \"示例乡2020年脱贫攻坚工作情况汇报\",\n\"data\": {"
        ),
        "{}",
        &manifest[..200]
    );
    edit(site.path(), "huibao.toml", "2020年", "2021年");
    correct_hospitalisations(site.path());
    let log = site.path().join("data/corrections.yaml");
    let entries = fs::read_to_string(&log).unwrap();
    let head = &entries[..entries.find("entries:").unwrap()];
    fs::write(&log, format!("{head}entries: []\n")).unwrap();
    let wanted = "错误[output-other-report] huibao.toml:2:9: 输出文件夹 ./public 里发布的是另一份汇报《示例乡2020年脱贫攻坚工作情况汇报》，这次构建的是《示例乡2021年脱贫攻坚工作情况汇报》";
    for command in ["build", "check"] {
        let out = huibao(site.path(), &[command]);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "{said}");
        assert!(said.contains(wanted), "{said}");
        assert!(
            said.contains("output_dir = \"public-2021\"")
                && said.contains("huibao build --out public-2021")
                && said.contains("huibao build --retitled"),
            "{said}"
        );
        // Not compared figure by figure with another report: no entry owed, none removed.
        assert!(
            !said.contains("correction-removed") && !said.contains("correction-missing"),
            "{said}"
        );
    }
    assert_eq!(tree(&site.path().join("public")), published);
    let english = text(&huibao(site.path(), &["--lang", "en", "build"]));
    assert!(
        english.contains("error[output-other-report] huibao.toml:2:9: the output folder ./public holds another report, “示例乡2020年脱贫攻坚工作情况汇报”; this build is “示例乡2021年脱贫攻坚工作情况汇报”"),
        "{english}"
    );
    // The way out it gives: a folder of its own, which leaves last year's as it was.
    let built = huibao(site.path(), &["build", "--out", "public-2021"]);
    assert!(built.status.success(), "{}", text(&built));
    assert_eq!(tree(&site.path().join("public")), published);
    let manifest = fs::read_to_string(site.path().join("public-2021/figures.json")).unwrap();
    assert!(manifest.contains("\"title\": \"示例乡2021年脱贫攻坚工作情况汇报\""));
    // `diff` still compares the two reports' figures when asked.
    let diff = huibao(site.path(), &["diff", "--against", "public"]);
    assert!(
        String::from_utf8_lossy(&diff.stdout).contains(HOSPITALISATIONS_CORRECTED),
        "{}",
        text(&diff)
    );
}

#[test]
fn a_title_corrected_is_still_the_same_report_with_retitled() {
    let site = published_report();
    edit(site.path(), "huibao.toml", "工作情况汇报", "工作汇报");
    let out = huibao(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("[output-other-report]"));
    let check = huibao(site.path(), &["check", "--retitled"]);
    assert!(check.status.success(), "{}", text(&check));
    // The same report retitled: compared with as always (a figure changed with no entry is
    // owed one), then the new title is the published one.
    correct_hospitalisations(site.path());
    let out = huibao(site.path(), &["build", "--retitled"]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("警告[correction-missing]"), "{said}");
    let manifest = fs::read_to_string(site.path().join("public/figures.json")).unwrap();
    assert!(manifest.contains("\"title\": \"示例乡2020年脱贫攻坚工作汇报\""));
    let again = huibao(site.path(), &["build"]);
    assert!(again.status.success(), "{}", text(&again));
    // A site published before huibao recorded the title is compared with as before.
    let manifest = site.path().join("public/figures.json");
    let untitled = fs::read_to_string(&manifest)
        .unwrap()
        .replace("\n\"title\": \"示例乡2020年脱贫攻坚工作汇报\",", "");
    fs::write(&manifest, untitled).unwrap();
    edit(site.path(), "huibao.toml", "2020年", "2021年");
    let out = huibao(site.path(), &["build"]);
    assert!(out.status.success(), "{}", text(&out));
}

/// A one-page site printing `printed` (`extra_yaml` more data) and a rate of two values,
/// population 12000 and poor 300, built (published).
fn published_rate_site(extra_yaml: &str, printed: &str) -> tempfile::TempDir {
    let site = one_page_site(
        &format!("population: 12000\npoor: 300\n{extra_yaml}"),
        &format!(
            "{printed}，贫困发生率{{{{ rate(num=extra.poor, den=extra.population, dp=2) | fig(dp=2, unit=\"%\") }}}}。"
        ),
    );
    assert!(huibao(site.path(), &["build"]).status.success());
    site
}

/// The corrections log of [`published_rate_site`] with the population corrected.
const POPULATION_LOGGED: &str = "entries:\n  - date: 2026-12-01\n    what: extra.population\n    old: 12000\n    new: 11800\n    reason: 人口按统计年报更正\n";

#[test]
fn a_computed_figure_changed_by_data_no_page_prints_is_owed_an_entry() {
    // A rate of two values no page prints: readers see only the rate.
    let site = published_rate_site(
        "households: 80\n",
        "户数{{ extra.households | fig(unit=\"户\") }}",
    );
    let root = site.path();
    edit(
        root,
        "data/extra.yaml",
        "population: 12000",
        "population: 11800",
    );
    let said = text(&huibao(root, &["build"]));
    assert!(
        said.contains("警告[correction-missing] data/extra.yaml:2:7: 已发布的数字改了，更正记录里却没有它所依据的数据的更正：比例（extra poor、extra population） 2.50% → 2.54%"),
        "{said}"
    );
    // Both values are in the file that changed: an entry for each, to keep the one meant.
    assert!(
        said.contains("只留实际改动了的那个数的一条）：\n  - date: ")
            && said.contains("    what: extra.poor\n    old: （改动前的数）\n    new: 300\n")
            && said
                .contains("    what: extra.population\n    old: （改动前的数）\n    new: 11800\n"),
        "{said}"
    );
    // The value printed (households) is not offered; nor is it, unchanged, an entry.
    assert!(!said.contains("what: extra.households"), "{said}");
    let english = text(&huibao(root, &["--lang", "en", "diff"]));
    assert!(
        english.contains("warning[correction-missing] data/extra.yaml:2:7: a published figure changed with no entry in the corrections log for the data it is made of: 比例（extra poor、extra population） 2.50% → 2.54%")
            && english.contains("    what: extra.population\n    old: （改动前的数）\n    new: 11800\n"),
        "{english}"
    );
    // Not forgotten after one build: still owed, though its file no longer changed since,
    // and the values named then are offered again (figures.json keeps them).
    let said = text(&huibao(root, &["build"]));
    assert!(
        said.contains("警告[correction-missing] data/extra.yaml:2:7: 已发布的数字改了，更正记录里却没有它所依据的数据的更正：比例（extra poor、extra population） 2.50% → 2.54%")
            && said
                .contains("    what: extra.population\n    old: （改动前的数）\n    new: 11800\n"),
        "{said}"
    );
    let kept = fs::read_to_string(root.join("public/figures.json")).unwrap();
    assert!(
        kept.contains("\"2.50%\",[\"data/extra.yaml#poor\",\"data/extra.yaml#population\"]]"),
        "{}",
        &kept[kept.find("\"pending\"").unwrap()..]
    );
    // And again at the next build, from what that build kept.
    let said = text(&huibao(root, &["build"]));
    assert!(
        said.contains("    what: extra.population\n    old: （改动前的数）\n    new: 11800\n"),
        "{said}"
    );
    // An entry for the value that changed records it.
    fs::write(root.join("data/corrections.yaml"), POPULATION_LOGGED).unwrap();
    let said = text(&huibao(root, &["build"]));
    assert!(!said.contains("correction-missing"), "{said}");
    // That entry, once published, records no later change of the other value.
    edit(root, "data/extra.yaml", "poor: 300", "poor: 295");
    let said = text(&huibao(root, &["build"]));
    assert!(
        said.contains("警告[correction-missing] data/extra.yaml:2:7: 已发布的数字改了，更正记录里却没有它所依据的数据的更正：比例（extra poor、extra population） 2.54% → 2.50%")
            && said.contains("    what: extra.poor\n    old: （改动前的数）\n    new: 295\n")
            && !said.contains("what: extra.population\n    old: （改动前的数）"),
        "{said}"
    );
    // A rate that moves with a value the page prints is told once, at that value.
    let said = text(&huibao(root, &["build"]));
    assert!(said.contains("correction-missing"), "{said}");
    fs::write(
        root.join("data/corrections.yaml"),
        "entries:\n  - date: 2026-12-01\n    what: extra.population\n    old: 12000\n    new: 11800\n    reason: 人口按统计年报更正\n  - date: 2026-12-02\n    what: extra.poor\n    old: 300\n    new: 295\n    reason: 复核\n",
    )
    .unwrap();
    assert!(!text(&huibao(root, &["build"])).contains("correction-missing"));
    // A rate that moves with a value the page prints is told once, at that value.
    let site = published_rate_site("", "贫困人口{{ extra.poor | fig(unit=\"人\") }}");
    let root = site.path();
    // The value printed, unchanged, is not what changed the rate: only the other is offered.
    edit(
        root,
        "data/extra.yaml",
        "population: 12000",
        "population: 11800",
    );
    let said = text(&huibao(root, &["build"]));
    assert!(
        said.contains("警告[correction-missing] data/extra.yaml:1:13: 已发布的数字改了，更正记录里却没有它所依据的数据的更正")
            && said.contains("（写上改动前的数，改好日期和原因）：\n  - date: ")
            && !said.contains("what: extra.poor"),
        "{said}"
    );
    fs::write(root.join("data/corrections.yaml"), POPULATION_LOGGED).unwrap();
    assert!(huibao(root, &["build"]).status.success());
    edit(root, "data/extra.yaml", "poor: 300", "poor: 290");
    let said = text(&huibao(root, &["build"]));
    assert_eq!(said.matches("[correction-missing]").count(), 1, "{said}");
    assert!(
        said.contains("警告[correction-missing] data/extra.yaml:2:7: 已发布的数字改了，更正记录里却没有它：extra poor 300人 → 290人"),
        "{said}"
    );
}

#[test]
fn a_manifest_cut_short_is_told_where_and_to_be_put_back() {
    let site = published_report();
    let manifest = site.path().join("public/figures.json");
    let whole = fs::read_to_string(&manifest).unwrap();
    // Cut after the 30th line's first quote (a copy to the shared folder interrupted).
    let line_start: usize = whole.split_inclusive('\n').take(29).map(str::len).sum();
    let cut = line_start + whole[line_start..].find('"').unwrap() + 1;
    fs::write(&manifest, &whole[..cut]).unwrap();
    let diff = huibao(site.path(), &["diff"]);
    let said = text(&diff);
    assert_eq!(diff.status.code(), Some(1), "{said}");
    let column = cut - line_start;
    assert!(
        said.contains(&format!("错误[diff-manifest-unreadable] ./public/figures.json:30:{column}: 已发布站点的数字清单 figures.json 无法读取，文件在这里中断，没有复制或保存完整"))
            && said.contains("提示：从备份或服务器上的已发布站点里把完整的 figures.json 放回"),
        "{said}"
    );
    let built = huibao(site.path(), &["build", "--deny-warnings"]);
    let said = text(&built);
    assert!(
        said.contains(&format!("警告[manifest-unreadable] ./public/figures.json:30:{column}: 已发布站点的数字清单 figures.json 无法读取，文件在这里中断")),
        "{said}"
    );
    // Edited into something that is not JSON: told where too.
    fs::write(
        &manifest,
        whole.replacen("\"version\": 3,", "\"version\": 3,,", 1),
    )
    .unwrap();
    let english = text(&huibao(site.path(), &["--lang", "en", "diff"]));
    assert!(
        english.contains("error[diff-manifest-unreadable] ./public/figures.json:2:14: the published site's figures.json cannot be read, this is not the JSON huibao wrote"),
        "{english}"
    );
}

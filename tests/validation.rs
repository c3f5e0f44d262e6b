//! Validation: the schema's types, units and rules, run through `huibao check` on small
//! sites, and the seed's errors caught in the as-published fixture.

mod common;

use common::*;
use serde_json::Value;
use std::fs;
use std::path::Path;

const SCHEMA: &str = r#"
types:
  hp:
    households: {type: count, unit: 户, label: 户数}
    people: {type: count, unit: 人, label: 人数}
files:
  township.yaml:
    label: 乡
    fields:
      name: {type: text, label: 乡名}
      population: {type: count, unit: 人, label: 人口}
      registered: {type: hp, label: 建档立卡}
      remaining: {type: hp, label: 未脱贫}
      incidence_percent: {type: percent, dp: 2, label: 贫困发生率}
      funds: {type: amount, unit: 万元, label: 资金, plausible: {per: township.projects, min: 1, max: 500, severity: error}}
      projects: {type: count, unit: 个, label: 项目}
      area: {type: decimal, unit: 平方公里, dp: 1, label: 面积, optional: true}
      founded: {type: date, label: 成立日期, optional: true}
      year: {type: year, label: 年度}
      audited: {type: bool, label: 已审计, optional: true}
      exits:
        type: list
        label: 历年脱贫
        items:
          fields:
            year: {type: year, label: 年度, unique: true}
            people: {type: count, unit: 人, label: 人数}
  villages/*.yaml:
    label: 村
    fields:
      name: {type: text, label: 村名, unique: true}
      status: {type: enum, values: [十三五贫困村, 非贫困村], label: 类别}
      registered: {type: hp, label: 建档立卡}
      helper: {type: ref, to: villages, optional: true, label: 结对村}
      area_km2: {type: decimal, unit: 平方公里, optional: true, label: 面积, plausible: {min: 0.5, max: 100}}
rules:
  - id: households-sum
    check: sum(villages.*.registered.households) == township.registered.households
    message: 各村户数之和应等于全乡户数
    message_en: the villages' households must add up to the township's
  - id: remaining-subset
    check: township.remaining.people <= township.registered.people
    message: 未脱贫人数不能多于建档立卡人数
  - id: incidence-rate
    check: round(township.remaining.people / township.population * 100, 2) == township.incidence_percent
    message: 贫困发生率应等于未脱贫人数 ÷ 人口
  - id: registered-exits-remaining
    check: township.registered.people == sum(township.exits.*.people) + township.remaining.people
    message: 建档立卡人数应等于历年脱贫与未脱贫之和
  - id: poor-villages
    check: count(villages[status == "十三五贫困村"]) >= 1
    message: 至少一个十三五贫困村
    severity: warning
  - id: village-people
    each: v in villages.*
    check: v.registered.people >= v.registered.households
    message: 人数不应少于户数
  - id: funds-per-project
    check: township.funds / township.projects >= 1
    message: 每个项目不足1万元，可能是单位错误
"#;

const TOWNSHIP: &str = "name: 测试乡\npopulation: 57000\nregistered:\n  households: 30\n  people: 100\nremaining:\n  households: 1\n  people: 133\nincidence_percent: 0.23\nfunds: 342\nprojects: 11\nyear: 2020\nexits:\n  - year: 2019\n    people: -33\n";

fn site(township: &str, villages: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("data/villages")).unwrap();
    fs::create_dir_all(root.join("content")).unwrap();
    fs::write(root.join("huibao.toml"), "title = \"t\"\n").unwrap();
    fs::write(
        root.join("content/index.md"),
        "+++\ntitle = \"t\"\n+++\n{{ township.name }}\n",
    )
    .unwrap();
    fs::write(root.join("data/schema.yaml"), SCHEMA).unwrap();
    fs::write(root.join("data/township.yaml"), township).unwrap();
    for (id, text) in villages {
        fs::write(root.join(format!("data/villages/{id}.yaml")), text).unwrap();
    }
    dir
}

const A: &str = "name: 甲村\nstatus: 十三五贫困村\nregistered:\n  households: 10\n  people: 40\n";
const B: &str = "name: 乙村\nstatus: 非贫困村\nregistered:\n  households: 20\n  people: 60\n";

/// Runs `check --format json` and returns (exit code, diagnostics).
fn check_json(root: &Path, extra: &[&str]) -> (i32, Vec<Value>) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let output = huibao(root, &args);
    let json: Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&output)));
    (
        output.status.code().unwrap_or(-1),
        json.as_array().unwrap().clone(),
    )
}

fn find<'a>(diagnostics: &'a [Value], key: &str, value: &str) -> Option<&'a Value> {
    diagnostics.iter().find(|d| d[key] == value)
}

#[test]
fn a_valid_site_is_clean() {
    let t = TOWNSHIP
        .replace(
            "  - year: 2019\n    people: -33\n",
            "  - year: 2019\n    people: 67\n",
        )
        .replace("people: 133", "people: 33")
        .replace("incidence_percent: 0.23", "incidence_percent: 0.06");
    let dir = site(&t, &[("a", A), ("b", B)]);
    let (code, diagnostics) = check_json(dir.path(), &["--deny-warnings"]);
    assert_eq!(code, 0, "{diagnostics:#?}");
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
}

#[test]
fn a_percentage_written_with_its_sign_is_read_where_the_schema_gives_no_unit() {
    let t = TOWNSHIP
        .replace(
            "  - year: 2019\n    people: -33\n",
            "  - year: 2019\n    people: 67\n",
        )
        .replace("people: 133", "people: 33")
        .replace("incidence_percent: 0.23", "incidence_percent: 0.06%");
    let dir = site(&t, &[("a", A), ("b", B)]);
    let (code, diagnostics) = check_json(dir.path(), &["--deny-warnings"]);
    assert_eq!(code, 0, "{diagnostics:#?}");
    // Another unit is still not a percentage's.
    let dir = site(&t.replace("0.06%", "0.06人"), &[("a", A), ("b", B)]);
    let (code, diagnostics) = check_json(dir.path(), &[]);
    assert_eq!(code, 1, "{diagnostics:#?}");
}

#[test]
fn every_rule_kind_catches_its_error_with_every_value_located() {
    let dir = site(
        TOWNSHIP,
        &[
            ("a", &A.replace("people: 40", "people: 4")),
            ("b", &B.replace("十三五贫困村", "非贫困村")),
        ],
    );
    let (code, d) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    // remaining 133 > registered 100: a subset larger than its set.
    let subset = find(&d, "rule", "remaining-subset").expect("subset rule");
    assert_eq!(
        (subset["file"].as_str(), subset["line"].as_u64()),
        (Some("data/township.yaml"), Some(8))
    );
    assert_eq!(
        subset["related"].as_array().unwrap().len(),
        3,
        "both values and the rule: {subset:#}"
    );
    // 133 / 57000 = 0.2333… → 0.23 holds; the sum of exits does not.
    assert!(find(&d, "rule", "incidence-rate").is_none(), "{d:#?}");
    // 100 == -33 + 133: the parts add up, even though -33 is out of range.
    assert!(find(&d, "rule", "registered-exits-remaining").is_none());
    // per-record rule, bound with each: village a has 4 people in 10 households.
    let each = find(&d, "rule", "village-people").expect("each rule");
    assert_eq!(each["file"], "data/villages/a.yaml");
    // plausibility: 342 万元 for 11 projects holds.
    assert!(find(&d, "rule", "funds-per-project").is_none());
    // Negative count in a list item.
    let range = find(&d, "code", "range").expect("range");
    assert_eq!(
        (
            range["file"].as_str(),
            range["line"].as_u64(),
            range["column"].as_u64()
        ),
        (Some("data/township.yaml"), Some(15), Some(13))
    );
}

#[test]
fn a_sum_that_breaks_points_at_the_total_and_lists_the_parts() {
    let dir = site(
        TOWNSHIP,
        &[
            ("a", A),
            ("b", &B.replace("households: 20", "households: 21")),
        ],
    );
    let (_, d) = check_json(dir.path(), &[]);
    let sum = find(&d, "rule", "households-sum").expect("sum rule");
    assert_eq!(
        (sum["file"].as_str(), sum["line"].as_u64()),
        (Some("data/township.yaml"), Some(4))
    );
    assert!(
        sum["message"]
            .as_str()
            .unwrap()
            .contains("左边 31，右边 30，相差 1"),
        "{sum:#}"
    );
    let related: Vec<&str> = sum["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        related,
        [
            "data/villages/a.yaml",
            "data/villages/b.yaml",
            "data/township.yaml",
            "data/schema.yaml"
        ]
    );
}

#[test]
fn a_unit_error_is_caught_by_plausibility() {
    // 342元 in a 万元 field is converted exactly to 0.0342万元: 0.0031万元 per project.
    let dir = site(
        &TOWNSHIP.replace("funds: 342", "funds: 342元"),
        &[("a", A), ("b", B)],
    );
    let (_, d) = check_json(dir.path(), &[]);
    assert!(find(&d, "rule", "funds-per-project").is_some(), "{d:#?}");
    // The same, declared on the field: `plausible: {per: township.projects, min: 1, …}`.
    let declared = find(&d, "rule", "plausible-township-funds").expect("field plausibility");
    assert_eq!(declared["severity"], "error");
    assert_eq!(
        (declared["file"].as_str(), declared["line"].as_u64()),
        (Some("data/township.yaml"), Some(10))
    );
    // Per record of a folder, and a warning by default: 5000 km² for one village.
    let dir = site(
        TOWNSHIP,
        &[("a", A), ("b", &format!("{B}area_km2: 5000\n"))],
    );
    let (_, d) = check_json(dir.path(), &[]);
    let area = find(&d, "rule", "plausible-villages-area_km2").expect("per-record plausibility");
    assert_eq!(
        (area["severity"].as_str(), area["file"].as_str()),
        (Some("warning"), Some("data/villages/b.yaml"))
    );
}

#[test]
fn warnings_fail_only_when_denied() {
    let t = TOWNSHIP
        .replace(
            "  - year: 2019\n    people: -33\n",
            "  - year: 2019\n    people: 67\n",
        )
        .replace("people: 133", "people: 33")
        .replace("incidence_percent: 0.23", "incidence_percent: 0.06");
    let dir = site(
        &t,
        &[("a", &A.replace("十三五贫困村", "非贫困村")), ("b", B)],
    );
    let (code, d) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{d:#?}");
    assert_eq!(
        find(&d, "rule", "poor-villages").unwrap()["severity"],
        "warning"
    );
    let (code, _) = check_json(dir.path(), &["--deny-warnings"]);
    assert_eq!(code, 1);
    let built = huibao(dir.path(), &["build", "--deny-warnings"]);
    assert_eq!(built.status.code(), Some(1));
    assert!(!dir.path().join("public").exists());
}

/// (what, township edit (from, to) or village b text, expected code, expected text in message)
#[test]
fn each_type_refuses_what_it_must() {
    let cases: Vec<(&str, String, Option<String>, &str, &str)> = vec![
        (
            "count not whole",
            TOWNSHIP.replace("projects: 11", "projects: 11.5"),
            None,
            "type",
            "whole number",
        ),
        (
            "count as text with commas",
            TOWNSHIP.replace("population: 57000", "population: \"57,000\""),
            None,
            "type",
            "must be a number",
        ),
        (
            "count in 万",
            TOWNSHIP.replace("population: 57000", "population: 5.7万"),
            None,
            "type",
            "must be a number",
        ),
        (
            "percent above 100",
            TOWNSHIP.replace("incidence_percent: 0.23", "incidence_percent: 123"),
            None,
            "range",
            "at most 100",
        ),
        (
            "percent decimals",
            TOWNSHIP.replace("incidence_percent: 0.23", "incidence_percent: 0.233"),
            None,
            "decimals",
            "at most 2 decimal places",
        ),
        (
            "unit that does not convert",
            TOWNSHIP.replace("funds: 342", "funds: 342米"),
            None,
            "unit",
            "does not convert",
        ),
        (
            "decimal places",
            format!("{TOWNSHIP}area: 139.35\n"),
            None,
            "decimals",
            "at most 1 decimal",
        ),
        (
            "bad date",
            format!("{TOWNSHIP}founded: 2020-02-30\n"),
            None,
            "type",
            "date",
        ),
        (
            "a date written the Chinese way",
            format!("{TOWNSHIP}founded: 2020年2月3日\n"),
            None,
            "type",
            "write `2020年2月3日` as 2020-02-03",
        ),
        (
            "a date of eight digits",
            format!("{TOWNSHIP}founded: 20200203\n"),
            None,
            "type",
            "write `20200203` as 2020-02-03",
        ),
        (
            "year out of range",
            TOWNSHIP.replace("year: 2020", "year: 1800"),
            None,
            "range",
            "at least 1900",
        ),
        (
            "bool",
            format!("{TOWNSHIP}audited: yes\n"),
            None,
            "type",
            "true or false",
        ),
        (
            "text given a number",
            TOWNSHIP.replace("name: 测试乡", "name: 2020"),
            None,
            "type",
            "must be text",
        ),
        (
            "unknown field",
            format!("{TOWNSHIP}popluation: 3\n"),
            None,
            "unknown-field",
            "unknown field `popluation`",
        ),
        (
            "required missing",
            TOWNSHIP.replace("projects: 11\n", ""),
            None,
            "required",
            "`projects`",
        ),
        (
            "list item unique",
            TOWNSHIP.replace(
                "  - year: 2019\n    people: -33\n",
                "  - year: 2019\n    people: 1\n  - year: 2019\n    people: 2\n",
            ),
            None,
            "unique",
            "repeats",
        ),
        (
            "enum",
            TOWNSHIP.to_string(),
            Some(B.replace("非贫困村", "非贫困")),
            "enum",
            "did you mean `非贫困村`",
        ),
        (
            "ref",
            TOWNSHIP.to_string(),
            Some(format!("{B}helper: c\n")),
            "reference",
            "not a file in data/villages/",
        ),
        (
            "unique across files",
            TOWNSHIP.to_string(),
            Some(B.replace("乙村", "甲村")),
            "unique",
            "also in data/villages/a.yaml",
        ),
        (
            "record given a list",
            TOWNSHIP.to_string(),
            Some(B.replace(
                "registered:\n  households: 20\n  people: 60\n",
                "registered: [20, 60]\n",
            )),
            "type",
            "must be a mapping",
        ),
    ];
    for (what, township, village_b, code, needle) in cases {
        let b = village_b.unwrap_or_else(|| B.to_string());
        let dir = site(&township, &[("a", A), ("b", &b)]);
        let output = huibao(dir.path(), &["--lang", "en", "check", "--format", "json"]);
        assert_eq!(output.status.code(), Some(1), "{what}: {}", text(&output));
        let d: Vec<Value> = serde_json::from_slice::<Value>(&output.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone();
        let said = |x: &Value| {
            format!(
                "{} {}",
                x["message"].as_str().unwrap_or(""),
                x["hint"].as_str().unwrap_or("")
            )
        };
        let hit = d
            .iter()
            .find(|x| x["code"] == code && said(x).contains(needle));
        assert!(
            hit.is_some(),
            "{what}: no [{code}] containing `{needle}` in {d:#?}"
        );
        assert!(
            hit.unwrap()["line"].as_u64().is_some_and(|l| l > 0),
            "{what}: no line"
        );
    }
}

#[test]
fn the_seed_as_published_fails_with_both_of_its_errors() {
    let site = fixture("as-published");
    let output = huibao(&site, &["check"]);
    assert_eq!(output.status.code(), Some(1));
    let said = text(&output);
    let golden = |name: &str, got: &str| {
        let path = repo().join("tests/golden").join(name);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            fs::write(&path, got).unwrap();
        }
        let want = fs::read_to_string(&path).expect("golden file (UPDATE_GOLDEN=1 writes it)");
        assert_eq!(got, want, "differs from {}", path.display());
    };
    assert!(
        said.contains("错误[family-doctor-chronic-within-served] data/policies/health.yaml:18:19"),
        "{said}"
    );
    assert!(
        said.contains(
            "错误[industry-funds-per-project-plausible] data/policies/industry.yaml:3:20"
        ),
        "{said}"
    );
    assert!(said.contains("说明[hospital-reimbursement-rate]"), "{said}");
    assert!(said.contains("共 2 个错误，0 个警告，1 条说明。"), "{said}");
    golden("as-published.zh.txt", &said);
    let english = text(&huibao(&site, &["--lang", "en", "check"]));
    assert!(
        english.contains("error[family-doctor-chronic-within-served]"),
        "{english}"
    );
    golden("as-published.en.txt", &english);
    // And nothing is published.
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("public");
    let built = huibao(&site, &["build", "--out", target.to_str().unwrap()]);
    assert_eq!(built.status.code(), Some(1));
    assert!(!target.exists());
}

#[test]
fn json_schema_export_describes_every_file() {
    let out = tempfile::tempdir().unwrap();
    let output = huibao(
        &repo(),
        &["schema", "--json-schema", out.path().to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", text(&output));
    let villages: Value =
        serde_json::from_str(&fs::read_to_string(out.path().join("villages.schema.json")).unwrap())
            .unwrap();
    assert_eq!(villages["type"], "object");
    assert_eq!(villages["additionalProperties"], false);
    assert!(
        villages["required"]
            .as_array()
            .unwrap()
            .contains(&Value::from("name"))
    );
    assert!(
        villages["properties"]["status"]["enum"]
            .as_array()
            .unwrap()
            .contains(&Value::from("十三五贫困村"))
    );
    assert!(out.path().join("township.schema.json").is_file());
    assert!(out.path().join("policies_health.schema.json").is_file());
}

#[test]
fn schema_mistakes_are_located_in_the_schema() {
    let dir = site(TOWNSHIP, &[("a", A), ("b", B)]);
    let schema = dir.path().join("data/schema.yaml");
    fs::write(
        &schema,
        SCHEMA.replace("type: percent", "type: procent").replace(
            "sum(villages.*.registered.households)",
            "sum(villages.*.registred.households)",
        ),
    )
    .unwrap();
    let said = text(&huibao(dir.path(), &["--lang", "en", "check"]));
    assert!(said.contains("unknown type `procent`"), "{said}");
    assert!(said.contains("did you mean `percent`?"), "{said}");
    assert!(said.contains("data/schema.yaml:"), "{said}");

    // `optional: yes` is no silent `false`; a rule's mistakes are said in Chinese, a
    // full-width character with the half-width one to type.
    for (find, replace, zh) in [
        (
            "optional: true}",
            "optional: yes}",
            "optional 只能写 true 或 false，这里是「yes」",
        ),
        (
            "sum(villages.*.registered.households) ==",
            "sum（villages.*.registered.households） ==",
            "「（」是全角字符，规则只认半角的「(」",
        ),
        (
            "sum(villages.*.registered.households) ==",
            "sum(villages.*.registered.households) =",
            "比较相等要写 ==（两个半角等号）",
        ),
        (
            "sum(villages.*.registered.households) ==",
            "summ(villages.*.registered.households) ==",
            "data/schema.yaml:38:12: 规则「households-sum」的 check 写法有误：没有函数「summ」，是不是「sum」？可用 sum、count、min、max、abs、round",
        ),
        (
            "sum(villages.*.registered.households) ==",
            "SUM(villages.*.registered.households) ==",
            "没有函数「SUM」，是不是「sum」？",
        ),
        (
            "sum(villages.*.registered.households) ==",
            "sum(villages.*.registered.households, 2) ==",
            "data/schema.yaml:38:12: 规则「households-sum」的 check 写法有误：「sum」要 1 个参数，这里有 2 个",
        ),
    ] {
        assert!(SCHEMA.contains(find), "{find}");
        fs::write(&schema, SCHEMA.replacen(find, replace, 1)).unwrap();
        let output = huibao(dir.path(), &["check"]);
        let said = text(&output);
        assert_eq!(output.status.code(), Some(1), "{said}");
        assert!(said.contains(zh), "{replace}: {said}");
    }
}

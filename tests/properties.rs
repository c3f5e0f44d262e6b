//! Property tests: the loader and the rule language never panic; a valid generated site
//! passes its rules and a single perturbed figure is caught by the rule that covers it.

use proptest::prelude::*;
use std::fs;
use std::path::Path;

use huibao::load::{self, yaml};
use huibao::validate::{self, expr};

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn decoding_and_parsing_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(text) = load::decode(&bytes, Path::new("x.yaml")) {
            let _ = yaml::parse(&text, Path::new("x.yaml"));
        }
    }

    #[test]
    fn yaml_like_text_never_panics(text in "[a-z:\\- \\[\\]{}&*!'\"#\n\t0-9.,|>]{0,200}") {
        let _ = yaml::parse(&text, Path::new("x.yaml"));
    }

    #[test]
    fn rule_parsing_never_panics(text in "[a-z_.*()\\[\\]=!<>+\\-/ 0-9\",]{0,120}") {
        let _ = expr::parse(&text);
    }

    #[test]
    fn decimals_read_back_exactly(int in 0u64..1_000_000_000, frac in 0u32..100_000, scale in 0usize..6) {
        let text = if scale == 0 { int.to_string() } else { format!("{int}.{:0width$}", frac % 10u32.pow(scale as u32), width = scale) };
        let node = yaml::parse(&format!("n: {text}\n"), Path::new("x.yaml")).unwrap();
        match &node.get("n").unwrap().value {
            load::Value::Number(d) => prop_assert_eq!(d.to_string(), text),
            other => prop_assert!(false, "{:?}", other),
        }
    }
}

const SCHEMA: &str = r#"
types:
  hp:
    households: {type: count, unit: 户, label: 户数}
    people: {type: count, unit: 人, label: 人数}
files:
  township.yaml:
    fields:
      registered: {type: hp, label: 建档立卡}
      aid_wan: {type: amount, unit: 万元, label: 资助金额}
  villages/*.yaml:
    fields:
      name: {type: text, label: 名称, unique: true}
      registered: {type: hp, label: 建档立卡}
      aid_wan: {type: amount, unit: 万元, label: 资助金额}
rules:
  - id: households-sum
    check: sum(villages.*.registered.households) == township.registered.households
    message: 各村户数之和应等于全乡户数
  - id: people-sum
    check: sum(villages.*.registered.people) == township.registered.people
    message: 各村人数之和应等于全乡人数
  - id: aid-sum
    check: sum(villages.*.aid_wan) == township.aid_wan
    message: 各村资助之和应等于全乡资助
  - id: people-per-household
    each: v in villages.*
    check: v.registered.people >= v.registered.households
    message: 人数不应少于户数
"#;

fn write_site(dir: &Path, villages: &[(u32, u32, u32)]) {
    fs::create_dir_all(dir.join("data/villages")).unwrap();
    fs::write(dir.join("data/schema.yaml"), SCHEMA).unwrap();
    let total = |f: fn(&(u32, u32, u32)) -> u32| villages.iter().map(f).sum::<u32>();
    let aid_total: u64 = villages.iter().map(|v| u64::from(v.2)).sum();
    fs::write(
        dir.join("data/township.yaml"),
        format!(
            "registered:\n  households: {}\n  people: {}\naid_wan: {}.{:05}\n",
            total(|v| v.0),
            total(|v| v.1),
            aid_total / 100_000,
            aid_total % 100_000
        ),
    )
    .unwrap();
    for (i, (households, people, aid)) in villages.iter().enumerate() {
        fs::write(
            dir.join(format!("data/villages/v{i:03}.yaml")),
            format!(
                "name: 第{i}村\nregistered:\n  households: {households}\n  people: {people}\naid_wan: {}.{:05}\n",
                aid / 100_000,
                aid % 100_000
            ),
        )
        .unwrap();
    }
}

fn problems(dir: &Path) -> Vec<huibao::diagnostics::Diagnostic> {
    let files: Vec<_> = walkdir::WalkDir::new(dir.join("data"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() != "schema.yaml")
        .map(|e| e.path().strip_prefix(dir).unwrap().to_path_buf())
        .collect();
    let data = load::load(dir, &files).unwrap();
    validate::validate(dir, &data, None, None).1
}

fn villages() -> impl Strategy<Value = Vec<(u32, u32, u32)>> {
    proptest::collection::vec((1u32..500, 0u32..1500, 0u32..10_000_000), 1..12).prop_map(|vs| {
        vs.into_iter()
            .map(|(h, extra, aid)| (h, h + extra, aid))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_consistent_site_passes(villages in villages()) {
        let dir = tempfile::tempdir().unwrap();
        write_site(dir.path(), &villages);
        let found = problems(dir.path());
        prop_assert!(found.is_empty(), "{:?}", found);
    }

    #[test]
    fn one_perturbed_figure_is_caught_by_its_rule(villages in villages(), which in any::<prop::sample::Index>(), field in 0usize..3, delta in 1u32..50) {
        let dir = tempfile::tempdir().unwrap();
        write_site(dir.path(), &villages);
        let i = which.index(villages.len());
        let path = dir.path().join(format!("data/villages/v{i:03}.yaml"));
        let (households, people, aid) = villages[i];
        let (perturbed, rule) = match field {
            0 => (format!("households: {}", households + delta), "households-sum"),
            1 => (format!("people: {}", people + delta), "people-sum"),
            _ => (format!("aid_wan: {}.{:05}", aid / 100_000, (aid % 100_000 + delta) % 100_000), "aid-sum"),
        };
        let original = match field {
            0 => format!("households: {households}"),
            1 => format!("people: {people}"),
            _ => format!("aid_wan: {}.{:05}", aid / 100_000, aid % 100_000),
        };
        let text = fs::read_to_string(&path).unwrap().replace(&original, &perturbed);
        fs::write(&path, text).unwrap();
        let found = problems(dir.path());
        prop_assert!(found.iter().any(|d| d.rule.as_deref() == Some(rule)), "{} not caught: {:?}", rule, found);
        prop_assert!(found.iter().all(|d| d.rule.as_deref() == Some(rule) || d.rule.as_deref() == Some("people-per-household")), "{:?}", found);
    }
}

/// Values at the edges of what a Decimal holds (±7.9e28, the smallest fraction) and ordinary
/// ones: rules that compare, add, subtract, multiply and divide them must never panic, and
/// the message of a failed rule (which shows both sides and their difference) is built.
fn extreme() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("79228162514264337593543950335".to_string()),
        Just("-79228162514264337593543950335".to_string()),
        Just("79228162514264337593543950334".to_string()),
        Just("-39614081257132168796771975168".to_string()),
        Just("0.0000000000000000000000000001".to_string()),
        Just("0".to_string()),
        Just("7.9228162514264337593543950335".to_string()),
        (-1_000_000i64..1_000_000).prop_map(|n| n.to_string()),
    ]
}

/// Checks the rule `checks[which]` over a file holding `a`, `b` and `c`; renders each problem.
fn check_extreme(a: &str, b: &str, c: &str, which: usize) -> Vec<huibao::diagnostics::Diagnostic> {
    let checks = [
        "x.a == x.b",
        "x.a <= x.b",
        "x.a - x.b >= x.c",
        "x.a + x.b == x.c",
        "x.a * x.b > x.c",
        "round(x.a / x.b * 100, 2) == x.c",
        "sum(x.items.*.v) == x.c",
        "abs(x.a - x.b) < x.c and x.a != x.b",
    ];
    let text = format!("a: {a}\nb: {b}\nc: {c}\nitems:\n  - v: {a}\n  - v: {b}\n  - v: {c}\n");
    let root = yaml::parse(&text, Path::new("data/x.yaml")).unwrap();
    let data = load::Data {
        files: vec![std::sync::Arc::new(load::DataFile::new(
            "data/x.yaml".into(),
            vec!["x".into()],
            root,
        ))],
    };
    let schema_text = format!(
        "files:\n  x.yaml:\n    fields:\n      a: decimal\n      b: decimal\n      c: decimal\n      items:\n        type: list\n        items:\n          fields:\n            v: decimal\nrules:\n  - id: r\n    check: '{}'\n    message: 不成立\n",
        checks[which % checks.len()]
    );
    let node = yaml::parse(&schema_text, Path::new("data/schema.yaml")).unwrap();
    let schema = validate::schema::parse(&node).unwrap();
    let found = validate::rules::check(&schema, &data, (None, true), None);
    for d in &found {
        assert!(!d.message.zh.is_empty() && !d.message.en.is_empty());
        let shown = huibao::diagnostics::render(
            std::slice::from_ref(d),
            Path::new("."),
            huibao::diagnostics::Lang::Zh,
        );
        assert!(!shown.is_empty());
    }
    found
}

#[test]
fn the_gap_of_the_widest_values_is_shown_without_overflow() {
    let max = "79228162514264337593543950335";
    let found = check_extreme(max, &format!("-{max}"), "0", 1);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .message
            .en
            .contains("(left 79228162514264337593543950335, right -79228162514264337593543950335)"),
        "{}",
        found[0].message.en
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn failing_rules_with_extreme_values_never_panic(a in extreme(), b in extreme(), c in extreme(), which in 0usize..8) {
        check_extreme(&a, &b, &c, which);
    }
}

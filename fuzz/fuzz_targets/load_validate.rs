//! Fuzzes loading and validation: arbitrary bytes as a data file, then as a rule
//! expression evaluated against that data, and checked as a schema rule so that the
//! message of a failed rule is built too. Nothing may panic.
//!
//! Run: `cargo install cargo-fuzz` once, then from the repository root
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run load_validate -- -max_total_time=60`.
#![no_main]

use huibao::load::{Data, DataFile, decode, yaml};
use huibao::diagnostics::{Location, Severity, Text};
use huibao::validate::expr::{DataIndex, Evaluator, parse};
use huibao::validate::{rules, schema};
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};

fuzz_target!(|bytes: &[u8]| {
    // The first line is a rule; the rest is a data file.
    let split = bytes.iter().position(|b| *b == b'\n').unwrap_or(bytes.len());
    let (rule, file) = bytes.split_at(split);
    let Ok(text) = decode(file, Path::new("data/x.yaml")) else { return };
    let Ok(root) = yaml::parse(&text, Path::new("data/x.yaml")) else { return };
    let data = Data {
        files: vec![DataFile { path: PathBuf::from("data/x.yaml"), key_path: vec!["x".into()], root, fingerprint: String::new() }],
    };
    if let Ok(rule) = std::str::from_utf8(rule)
        && let Ok(expr) = parse(rule)
    {
        let index = DataIndex::new(&data);
        let mut evaluator = Evaluator::new(&index);
        let _ = evaluator.eval(&expr);
        let schema = schema::Schema {
            files: Vec::new(),
            rules: vec![schema::Rule {
                id: "fuzz".into(),
                check: expr,
                each: None,
                severity: Severity::Error,
                message: Text::new("不成立", "does not hold"),
                hint: None,
                explained: None,
                location: Location::file("data/schema.yaml"),
            }],
        };
        for d in rules::check(&schema, &data, None) {
            let _ = huibao::diagnostics::render(&[d], Path::new("."), huibao::diagnostics::Lang::En);
        }
    }
});

//! Charts per second: `cargo bench --bench charts`.
//! Draws a bar, a grouped, a line and a pie chart of report size repeatedly and prints the
//! rate. Target (2-core machine): well over 1,000 charts per second, so that a chart on every
//! one of 10,000 village pages costs seconds, not minutes.

use huibao::chart::{PALETTE, spec_from_args, to_html};
use serde_json::{Value, json};
use std::time::Instant;
use tera::HashMap;

fn args(value: Value) -> HashMap<String, Value> {
    value
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn main() {
    let years = json!(["2014", "2015", "2016", "2017", "2018", "2019"]);
    let specs = [
        json!({"kind": "bar", "title": "兜底保障资金", "labels": ["农村低保", "特困供养", "残疾人两项补贴", "临时救助"], "values": ["738", "126.4", "73.8", "29.1"], "unit": "万元"}),
        json!({"kind": "grouped", "title": "脱贫", "labels": years, "values": ["153", "275", "238", "215", "271", "617"], "values2": ["653", "1118", "864", "835", "1047", "1686"], "names": "户数,人数", "units": "户,人"}),
        json!({"kind": "line", "title": "年末贫困人口", "labels": years, "values": ["5683", "4565", "3701", "2866", "1819", "133"], "unit": "人"}),
        json!({"kind": "pie", "title": "致贫原因", "labels": ["因病", "动力不足", "因残", "因学", "缺劳力", "缺技术", "其他"], "values": ["3302", "842", "812", "694", "246", "350", "90"], "unit": "人"}),
    ]
    .map(|v| spec_from_args(&args(v), &PALETTE, huibao::diagnostics::Lang::Zh).unwrap());
    let rounds = 500;
    let start = Instant::now();
    let mut bytes = 0;
    for _ in 0..rounds {
        for spec in &specs {
            bytes += to_html(spec).len();
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let charts = (rounds * specs.len()) as f64;
    println!(
        "{charts} charts in {elapsed:.3} s: {:.0} charts/s ({:.1} KB each)",
        charts / elapsed,
        bytes as f64 / charts / 1024.0
    );
}

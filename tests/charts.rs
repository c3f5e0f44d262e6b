//! Charts: valid SVG, golden output per kind, Chinese labels as text, and a layout where no
//! label overlaps the plot area or leaves the canvas (boxes from the font metrics).

mod common;

use common::*;
use huibao::chart::draw::{Role, draw};
use huibao::chart::{ChartSpec, PALETTE, spec_from_args, to_html};
use serde_json::{Value, json};
use std::fs;
use tera::HashMap;

fn args(value: Value) -> HashMap<String, Value> {
    value
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn spec(value: Value) -> ChartSpec {
    spec_from_args(&args(value), &PALETTE, huibao::diagnostics::Lang::Zh).unwrap()
}

/// One chart of each kind, with figures as the context gives them (decimal text).
fn samples() -> Vec<(&'static str, ChartSpec)> {
    let exits = json!([
        {"year": "2014", "households": "153", "people": "653"},
        {"year": "2015", "households": "275", "people": "1118"},
        {"year": "2016", "households": "238", "people": "864"},
        {"year": "2017", "households": "215", "people": "835"},
        {"year": "2018", "households": "271", "people": "1047"},
        {"year": "2019", "households": "617", "people": "1686"}
    ]);
    vec![
        (
            "bar",
            spec(
                json!({"kind": "bar", "title": "兜底保障资金", "labels": ["农村低保", "特困供养", "残疾人两项补贴", "临时救助"], "values": ["738", "126.4", "73.8", "29.1"], "names": "发放资金", "unit": "万元"}),
            ),
        ),
        (
            "hbar",
            spec(
                json!({"kind": "hbar", "title": "各村建档立卡户数", "labels": ["明德村", "潼丰村", "横溪村", "胡家村", "云湾村"], "values": ["285", "214", "132", "118", "96"], "unit": "户"}),
            ),
        ),
        (
            "grouped",
            spec(
                json!({"kind": "grouped", "title": "历年脱贫户数与人数", "data": exits, "label": "year", "label_suffix": "年", "values": "households,people", "names": "脱贫户数,脱贫人数", "units": "户,人"}),
            ),
        ),
        (
            "stacked",
            spec(
                json!({"kind": "stacked", "title": "历年脱贫户数与人数（堆叠）", "data": exits, "label": "year", "label_suffix": "年", "values": "households,people", "names": "脱贫户数,脱贫人数", "unit": "人"}),
            ),
        ),
        (
            "line",
            spec(
                json!({"kind": "line", "title": "历年年末贫困人口", "labels": ["2014", "2015", "2016", "2017", "2018", "2019"], "label_suffix": "年", "values": ["5683", "4565", "3701", "2866", "1819", "133"], "unit": "人"}),
            ),
        ),
        (
            "pie",
            spec(
                json!({"kind": "pie", "title": "致贫原因构成", "labels": ["因病", "自身发展动力不足", "因残", "因学", "缺劳力", "缺技术", "其他（因灾、缺资金等）"], "values": ["3302", "842", "812", "694", "246", "350", "90"], "unit": "人"}),
            ),
        ),
        (
            "donut",
            spec(
                json!({"kind": "donut", "title": "住院总费用构成", "labels": ["基本医保补偿", "大病保险补偿", "补充保险补偿", "医疗救助", "其他报销及个人负担"], "values": ["580.25", "96.34", "295.84", "15.83", "106.26"], "unit": "万元"}),
            ),
        ),
        (
            "spark",
            spec(
                json!({"kind": "spark", "title": "横溪村脱贫情况", "labels": ["建档立卡人口", "已脱贫", "未脱贫"], "values": ["468", "461", "7"], "unit": "人"}),
            ),
        ),
    ]
}

#[test]
fn every_kind_is_valid_svg_with_chinese_text() {
    for (kind, spec) in samples() {
        let html = to_html(&spec);
        let start = html.find("<svg").unwrap();
        let end = html.find("</svg>").unwrap() + "</svg>".len();
        let svg = &html[start..end];
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{kind}: {e}\n{svg}"));
        let root = doc.root_element();
        assert_eq!(root.attribute("role"), Some("img"), "{kind}");
        let title = root
            .children()
            .find(|n| n.has_tag_name("title"))
            .expect("title")
            .text();
        assert_eq!(title, Some(spec.title.as_str()), "{kind}");
        assert!(root.children().any(|n| n.has_tag_name("desc")), "{kind}");
        let texts: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .map(|t| t.trim().to_string())
            .collect();
        for label in &spec.labels {
            let shown = texts.iter().any(|t| {
                t == label
                    || t.starts_with(label.as_str())
                    || label.starts_with(t.trim_end_matches('…'))
            });
            assert!(shown, "{kind}: label {label} not drawn as text: {texts:?}");
        }
        // Every value label is formatted from its exact decimal with its unit.
        let first = &spec.series[0];
        let figure = format!("{}{}", first.values[0], first.unit);
        assert!(
            texts.iter().any(|t| t.contains(&figure)) || html.contains(&figure),
            "{kind}: {figure}"
        );
        // The data table.
        assert!(
            html.contains("<details class=\"chart-data\">") && html.contains("<table>"),
            "{kind}"
        );
        assert!(
            !html.contains("\n\n"),
            "{kind}: a blank line would end the Markdown HTML block"
        );
        // Lean: the font stack once, on the root, inherited by every label.
        assert_eq!(html.matches("font-family=").count(), 1, "{kind}");
        assert!(
            html.contains("<svg role=\"img\"") && html.contains("font-family=\"Microsoft YaHei"),
            "{kind}"
        );
        assert!(!html.contains("opacity=\"1\""), "{kind}");
        assert!(!html.contains(">\n</text>"), "{kind}: labels on one line");
    }
}

#[test]
fn golden_svg_for_each_kind() {
    let dir = repo().join("tests/golden/charts");
    for (kind, spec) in samples() {
        let got = to_html(&spec);
        let path = dir.join(format!("{kind}.html"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            fs::create_dir_all(&dir).unwrap();
            fs::write(&path, &got).unwrap();
        }
        let want = fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{} (UPDATE_GOLDEN=1 writes it)", path.display()));
        assert_eq!(got, want, "{kind} differs from {}", path.display());
        assert_eq!(to_html(&spec), got, "{kind}: not deterministic");
    }
}

#[test]
fn labels_stay_off_the_plot_area_and_inside_the_canvas() {
    let mut all = samples();
    // Long Chinese labels and many categories.
    all.push(("long", spec(json!({"kind": "bar", "title": "长标签", "labels": ["中航工业直升机设计研究所", "市农村商业银行", "市文学艺术界联合会", "县人民检察院", "县公路分局", "县第二轻工业局", "县妇幼保健院"], "values": ["19", "14", "12", "63", "49", "3", "8"], "unit": "人"}))));
    all.push(("many", spec(json!({"kind": "hbar", "title": "十七个村", "labels": (1..=17).map(|i| format!("第{i}号示例村委会")).collect::<Vec<_>>(), "values": (1..=17).map(|i| (i * 37 % 300).to_string()).collect::<Vec<_>>(), "unit": "户"}))));
    for (kind, spec) in all {
        let drawn = draw(&spec);
        for (rect, role, text) in drawn.texts() {
            assert!(
                drawn.canvas.contains(&rect),
                "{kind}: `{text}` ({role:?}) leaves the canvas: {rect:?}"
            );
            if matches!(role, Role::Tick | Role::AxisTitle | Role::Legend) {
                assert!(
                    !rect.overlaps(&drawn.plot),
                    "{kind}: `{text}` ({role:?}) overlaps the plot area {:?}: {rect:?}",
                    drawn.plot
                );
            }
        }
        let labels: Vec<_> = drawn
            .texts()
            .filter(|(_, role, _)| *role != Role::Value)
            .collect();
        for (i, (a, _, ta)) in labels.iter().enumerate() {
            for (b, _, tb) in &labels[i + 1..] {
                assert!(!a.overlaps(b), "{kind}: `{ta}` overlaps `{tb}`");
            }
        }
    }
}

#[test]
fn chart_errors_are_located_in_the_content_file() {
    let site = copy_site(&fixture("small"));
    let index = site.path().join("content/index.md");
    let text_before = fs::read_to_string(&index).unwrap();
    for (call, needle) in [
        (
            r#"{{ chart(kind="bar", title="户数图", data=villages_list, label="name", values="registered.househods", unit="户") }}"#,
            "has no field `registered.househods`; did you mean `registered.households`?",
        ),
        (
            r#"{{ chart(kind="bar", title="户数图", data=villages_list, label="name", values="registerd.households", unit="户") }}"#,
            "has no field `registerd.households`; did you mean `registered.households`?",
        ),
        (
            r#"{{ chart(kind="bar", title="户数图", data=villages_list, label="nmae", values="registered.households", unit="户") }}"#,
            "item 1 has no field `nmae`; did you mean `name`?",
        ),
        (
            r#"{{ chart(kind="bar", title="户数图", data=villages_list, label="name", values="registered.sheep", unit="户") }}"#,
            "has no field `registered.sheep`\n",
        ),
        (
            r#"{{ chart(kind="pie", title="饼图", labels=["甲", "乙"], values=[1], unit="人") }}"#,
            "must match",
        ),
        (
            r#"{{ chart(kind="bar", title="空图", labels=[], values=[], unit="人") }}"#,
            "no data",
        ),
        (
            r#"{{ chart(kind="bar", title="文字图", labels=["甲"], values=[township.name], unit="人") }}"#,
            "not a number",
        ),
        (
            r#"{{ chart(kind="bar", title="名字图", data=villages_list, label="name", values="id", unit="户") }}"#,
            "`id` of `",
        ),
        // The page names `township.name` earlier: the error is placed in the chart's call,
        // the tag that holds both its title and the field.
        (
            r#"{{ chart(kind="bar", title="名字图", data=villages_list, label="name", values="name", unit="户") }}"#,
            "`name` of `",
        ),
        (
            r#"{{ chart(kind="bar", title="宽图", labels=["甲"], values=[1], width="宽") }}"#,
            "width must be a whole number from 80 to 2000",
        ),
        (
            r#"{{ chart(kind="radar", title="雷达图", labels=["甲"], values=[1]) }}"#,
            "unknown kind `radar`",
        ),
        (
            r#"{{ chart(kind="pie", title="大数", labels=["甲", "乙"], values=["1000000000000000000000000000", "1"]) }}"#,
            "too large to chart",
        ),
    ] {
        fs::write(&index, format!("{text_before}\n\n{call}\n")).unwrap();
        let output = huibao(site.path(), &["--lang", "en", "build"]);
        let said = text(&output);
        assert_eq!(output.status.code(), Some(1), "{call}\n{said}");
        assert!(said.contains(needle), "{call}\n{said}");
        let line = text_before.lines().count() + 3;
        assert!(
            said.contains(&format!("content/index.md:{line}:")),
            "{call}: not located at line {line}\n{said}"
        );
        assert!(!site.path().join("public").exists());
    }
}

#[test]
fn the_bundled_report_carries_its_charts() {
    let out = tempfile::tempdir().unwrap();
    build_ok(&repo(), out.path());
    for (page, count) in [
        ("index.html", 3),
        ("villages/index.html", 1),
        ("villages/hengxi.html", 1),
        ("policies/education.html", 1),
        ("policies/health.html", 1),
        ("policies/social_security.html", 1),
        ("policies/assistance.html", 1),
    ] {
        let html = fs::read_to_string(out.path().join(page)).unwrap();
        assert_eq!(
            html.matches("<figure class=\"chart").count(),
            count,
            "{page}"
        );
        assert!(html.contains("<desc id="), "{page}");
    }
    // Every village page has its own chart.
    for entry in fs::read_dir(out.path().join("villages")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "html") {
            continue;
        }
        let html = fs::read_to_string(path).unwrap();
        assert!(html.contains("<svg"), "a village page without a chart");
    }
}

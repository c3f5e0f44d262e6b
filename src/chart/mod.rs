//! Chart: figures from the data drawn as static SVG at build time (plotters' SVG backend),
//! with a title, an SVG `<title>`/`<desc>`, and the data as a table the reader can expand.
//!
//! Charts are declared in content with the Tera function `chart(...)` (docs/charts.md); its
//! arguments name data, never numbers typed by hand.

pub mod draw;
mod html;
pub mod metrics;

pub use html::{to_html, unique_ids};

use plotters::style::RGBColor;
use rust_decimal::Decimal;
// Tera's map of a call's arguments (FxHash: vendor/tera/PATCHED.md).
use tera::HashMap;
use tera::{Error, Function, Result, Value};

use crate::diagnostics::Lang;
use crate::figure::decimal_of;

/// The kinds of charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    /// Vertical bars, one series.
    Bar,
    /// Horizontal bars: rankings, per-village comparisons.
    HBar,
    /// Vertical bars, several series side by side.
    Grouped,
    /// Vertical bars, several series stacked.
    Stacked,
    /// Lines over categories (years).
    Line,
    /// A pie.
    Pie,
    /// A pie with a hole showing the total.
    Donut,
    /// A small horizontal bar chart for village pages.
    Spark,
}

impl ChartKind {
    fn parse(name: &str) -> Option<ChartKind> {
        Some(match name {
            "bar" => ChartKind::Bar,
            "hbar" => ChartKind::HBar,
            "grouped" => ChartKind::Grouped,
            "stacked" => ChartKind::Stacked,
            "line" => ChartKind::Line,
            "pie" => ChartKind::Pie,
            "donut" => ChartKind::Donut,
            "spark" => ChartKind::Spark,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            ChartKind::Bar => "bar",
            ChartKind::HBar => "hbar",
            ChartKind::Grouped => "grouped",
            ChartKind::Stacked => "stacked",
            ChartKind::Line => "line",
            ChartKind::Pie => "pie",
            ChartKind::Donut => "donut",
            ChartKind::Spark => "spark",
        }
    }
}

/// One series of values.
#[derive(Clone, Debug)]
pub struct Series {
    /// Its name (legend, table header).
    pub name: String,
    /// The unit written after each value (`人`, `万元`).
    pub unit: String,
    /// One exact value per category.
    pub values: Vec<Decimal>,
    /// Per value, its provenance payload when it came from the data
    /// ([`crate::provenance`]): the data table shows its source.
    pub sources: Vec<Option<String>>,
}

/// Everything needed to draw one chart.
#[derive(Clone, Debug)]
pub struct ChartSpec {
    /// What kind of chart.
    pub kind: ChartKind,
    /// Its title (figure caption, SVG `<title>`).
    pub title: String,
    /// Category labels.
    pub labels: Vec<String>,
    /// The series; single-series kinds use the first.
    pub series: Vec<Series>,
    /// The value axis title.
    pub y_title: Option<String>,
    /// A note under the chart.
    pub note: Option<String>,
    /// Size in pixels (the SVG scales to the page width).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Series colours.
    pub palette: Vec<RGBColor>,
    /// The language of the text the chart adds (the site's).
    pub lang: Lang,
}

/// The default palette: distinct in hue and in grey value, so that print in black and white
/// still separates neighbours (every value is also labelled).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x9b, 0x1c, 0x1c),
    RGBColor(0x3b, 0x5b, 0x92),
    RGBColor(0xd0, 0x9a, 0x2c),
    RGBColor(0x2f, 0x7f, 0x6f),
    RGBColor(0x6b, 0x6b, 0x6b),
    RGBColor(0x7b, 0x4f, 0x8a),
    RGBColor(0xc4, 0x6a, 0x4b),
    RGBColor(0x1f, 0x2f, 0x4f),
];

fn err(title: &str, zh: &str, en: &str) -> Error {
    // The title is quoted in backticks so the error is located at its chart() call.
    Error::msg(format!("chart `{title}`: {en} / 图表「{title}」：{zh}"))
}

/// The provenance payload of a value that is one marked figure.
fn payload(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => crate::provenance::unmark(s).map(|(p, _)| p.to_string()),
        _ => None,
    }
}

/// A text argument, without provenance markers (the note keeps them: it is shown as text,
/// where its figures show their sources).
fn text_arg(args: &HashMap<String, Value>, name: &str) -> Option<String> {
    match args.get(name) {
        Some(Value::String(s)) if name == "note" => Some(s.clone()),
        Some(Value::String(s)) => Some(crate::provenance::strip(s).into_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// A list argument: a Tera array (borrowed: a chart's values are read, not kept), or a
/// comma-separated text.
fn list_arg<'a>(
    args: &'a HashMap<String, Value>,
    name: &str,
) -> Option<std::borrow::Cow<'a, [Value]>> {
    match args.get(name)? {
        Value::Array(items) => Some(std::borrow::Cow::Borrowed(items)),
        Value::String(s) => Some(
            s.split(',')
                .map(|p| Value::String(p.trim().to_string()))
                .collect(),
        ),
        other => Some(std::borrow::Cow::Owned(vec![other.clone()])),
    }
}

fn label_text(value: &Value) -> String {
    match value {
        Value::String(s) => crate::provenance::strip(s).into_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn lookup<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

/// For a `path` a record does not have (`registered.househods`): the path it may have meant,
/// its first missing key replaced by the closest key the record has there, the rest as
/// written (`registered.households`; `registerd.people` → `registered.people`).
fn closest_path(record: &Value, path: &str) -> Option<String> {
    let mut at = record;
    let mut keys = path.split('.');
    let mut meant = Vec::new();
    for key in keys.by_ref() {
        match at.get(key) {
            Some(next) => {
                at = next;
                meant.push(key);
            }
            None => {
                let there = at.as_object()?.keys().map(String::as_str);
                meant.push(crate::suggest::did_you_mean(key, there)?);
                meant.extend(keys);
                return Some(meant.join("."));
            }
        }
    }
    None
}

/// 「是不是「…」？」 / "did you mean `…`? ", or nothing, for a field `path` a record lacks.
fn closest_said(record: &Value, path: &str) -> (String, String) {
    match closest_path(record, path) {
        Some(near) => (
            format!("；是不是「{near}」？"),
            format!("; did you mean `{near}`?"),
        ),
        None => (String::new(), String::new()),
    }
}

/// Reads a chart's spec from the arguments of `chart(...)`.
pub fn spec_from_args(
    args: &HashMap<String, Value>,
    palette: &[RGBColor],
    lang: Lang,
) -> Result<ChartSpec> {
    let title = text_arg(args, "title")
        .ok_or_else(|| Error::msg("chart: give it a title= / 图表需要 title="))?;
    let kind_name = text_arg(args, "kind").unwrap_or_else(|| "bar".to_string());
    let kind = ChartKind::parse(&kind_name).ok_or_else(|| {
        err(&title, &format!("没有「{kind_name}」这种图表；可用：bar、hbar、grouped、stacked、line、pie、donut、spark"),
            &format!("unknown kind `{kind_name}`; the kinds are bar, hbar, grouped, stacked, line, pie, donut, spark"))
    })?;
    check_argument_names(args, &title)?;
    let suffix = text_arg(args, "label_suffix").unwrap_or_default();
    let names: Vec<String> = list_arg(args, "names")
        .unwrap_or_default()
        .iter()
        .map(label_text)
        .collect();
    let units: Vec<String> = match list_arg(args, "units") {
        Some(units) => units.iter().map(label_text).collect(),
        None => vec![text_arg(args, "unit").unwrap_or_default()],
    };
    let unit_of = |i: usize| unit_at(&units, i);
    let (labels, series) = match args.get("data") {
        Some(Value::Array(records)) => {
            series_from_records(args, records, &title, &suffix, &names, &units)?
        }
        Some(other) => {
            return Err(err(
                &title,
                &format!("data= 要是记录列表，这里是 {other}"),
                &format!("data= must be a list of records, found {other}"),
            ));
        }
        None => series_from_lists(args, &title, &suffix, &names, &units)?,
    };
    check_series(kind, &labels, &series, &title)?;
    let (default_w, default_h) = match kind {
        ChartKind::Spark => (360, 24 * labels.len() as u32 + 12),
        ChartKind::HBar => (640, (28 * labels.len() as u32 + 12).max(120)),
        ChartKind::Pie | ChartKind::Donut => (640, 300),
        _ => (640, 340),
    };
    let size = |name: &str, default: u32| -> Result<u32> {
        match args.get(name) {
            None => Ok(default),
            Some(v) => decimal_of(v)
                .and_then(|d| u32::try_from(d.trunc().mantissa()).ok())
                .filter(|n| (80..=2000).contains(n))
                .ok_or_else(|| {
                    err(
                        &title,
                        &format!("{name} 要是 80 到 2000 的整数"),
                        &format!("{name} must be a whole number from 80 to 2000"),
                    )
                }),
        }
    };
    let y_title = text_arg(args, "y_title").or_else(|| {
        let unit = unit_of(0);
        (matches!(
            kind,
            ChartKind::Bar | ChartKind::Grouped | ChartKind::Stacked | ChartKind::Line
        ) && !unit.is_empty())
        .then(|| match (series.len(), lang) {
            (1, Lang::Zh) => format!("{}（{unit}）", series[0].name),
            (1, Lang::En) => format!("{} ({unit})", series[0].name),
            (_, Lang::Zh) => format!("单位：{unit}"),
            (_, Lang::En) => format!("Unit: {unit}"),
        })
    });
    Ok(ChartSpec {
        kind,
        title: title.clone(),
        labels,
        series,
        y_title,
        note: text_arg(args, "note"),
        width: size("width", default_w)?,
        height: size("height", default_h)?,
        palette: palette.to_vec(),
        lang,
    })
}

/// The arguments `chart()` knows; any other is refused (a typo would be silently ignored).
/// The template check tells one at its place, with the closest of these.
pub(crate) const ARGUMENTS: &[&str] = &[
    "title",
    "kind",
    "data",
    "label",
    "label_suffix",
    "labels",
    "values",
    "names",
    "unit",
    "units",
    "values2",
    "values3",
    "values4",
    "y_title",
    "note",
    "width",
    "height",
];

fn check_argument_names(args: &HashMap<String, Value>, title: &str) -> Result<()> {
    let mut keys: Vec<&String> = args.keys().collect();
    keys.sort();
    for key in keys {
        if !ARGUMENTS.contains(&key.as_str()) {
            return Err(err(
                title,
                &format!("未知参数「{key}」"),
                &format!("unknown argument `{key}`"),
            ));
        }
    }
    Ok(())
}

/// The data a chart of `kind` can draw: some values, one series for single-series kinds,
/// none negative or too large for the layout's arithmetic, not all zero in a pie.
fn check_series(kind: ChartKind, labels: &[String], series: &[Series], title: &str) -> Result<()> {
    let title = title.to_string();
    if labels.is_empty() || series.iter().all(|s| s.values.is_empty()) {
        return Err(err(
            &title,
            "没有数据（列表是空的）",
            "there are no data (the list is empty)",
        ));
    }
    let single = matches!(
        kind,
        ChartKind::Bar | ChartKind::HBar | ChartKind::Pie | ChartKind::Donut | ChartKind::Spark
    );
    if single && series.len() > 1 {
        return Err(err(
            &title,
            &format!(
                "{} 只画一组数值；多组请用 grouped、stacked 或 line",
                kind.name()
            ),
            &format!(
                "{} draws one series; use grouped, stacked or line for several",
                kind.name()
            ),
        ));
    }
    // Layout multiplies and adds values (shares of a pie, stacked totals): keep them far from
    // the 28-digit limit of a Decimal.
    let limit = Decimal::from_i128_with_scale(10i128.pow(20), 0);
    if series
        .iter()
        .flat_map(|s| &s.values)
        .any(|v| v.abs() > limit)
    {
        return Err(err(
            &title,
            "数值过大（超过 10 的 20 次方），无法绘图",
            "a value is too large to chart (over 10^20)",
        ));
    }
    let negative = series
        .iter()
        .flat_map(|s| &s.values)
        .any(|v| v.is_sign_negative() && !v.is_zero());
    if negative {
        return Err(err(
            &title,
            "有负数：图表只画非负的数值",
            "a value is negative: charts draw non-negative values",
        ));
    }
    if matches!(kind, ChartKind::Pie | ChartKind::Donut)
        && series[0].values.iter().all(Decimal::is_zero)
    {
        return Err(err(
            &title,
            "饼图的数值全为零",
            "every value of the pie is zero",
        ));
    }
    Ok(())
}

/// The unit of series `i`: its own, else the last one given.
fn unit_at(units: &[String], i: usize) -> String {
    units.get(i).or(units.last()).cloned().unwrap_or_default()
}

/// `data=records, label="name", values="a, b"`: the labels and one series per field.
fn series_from_records(
    args: &HashMap<String, Value>,
    records: &[Value],
    title: &str,
    suffix: &str,
    names: &[String],
    units: &[String],
) -> Result<(Vec<String>, Vec<Series>)> {
    let title = title.to_string();
    let unit_of = |i: usize| unit_at(units, i);
    let label_field = text_arg(args, "label").ok_or_else(|| {
        err(
            &title,
            "用 data= 时要用 label= 指定类别字段",
            "with data=, name the category field in label=",
        )
    })?;
    let fields: Vec<String> = list_arg(args, "values")
        .ok_or_else(|| {
            err(
                &title,
                "用 values= 指定数值字段",
                "name the value field(s) in values=",
            )
        })?
        .iter()
        .map(label_text)
        .collect();
    let mut labels = Vec::with_capacity(records.len());
    for (i, record) in records.iter().enumerate() {
        let label = lookup(record, &label_field).ok_or_else(|| {
            let (zh_near, en_near) = closest_said(record, &label_field);
            err(
                &title,
                &format!("第 {} 项没有字段「{label_field}」{zh_near}", i + 1),
                &format!("item {} has no field `{label_field}`{en_near}", i + 1),
            )
        })?;
        labels.push(label_text(label) + suffix);
    }
    let mut series = Vec::new();
    for (s, field) in fields.iter().enumerate() {
        let mut values = Vec::with_capacity(records.len());
        let mut sources = Vec::with_capacity(records.len());
        for (i, record) in records.iter().enumerate() {
            let value = lookup(record, field).ok_or_else(|| {
                let (zh_near, en_near) = closest_said(record, field);
                err(
                    &title,
                    &format!("「{}」没有字段「{field}」{zh_near}", labels[i]),
                    &format!("`{}` has no field `{field}`{en_near}", labels[i]),
                )
            })?;
            sources.push(payload(value));
            // (The message is made only for a value that is no number: a chart of ten
            // values read each one.)
            values.push(decimal_of(value).ok_or_else(|| {
                err(
                    &title,
                    &format!(
                        "「{}」的「{field}」不是数字：{}",
                        labels[i],
                        label_text(value)
                    ),
                    &format!(
                        "`{field}` of `{}` is not a number: {}",
                        labels[i],
                        label_text(value)
                    ),
                )
            })?);
        }
        series.push(Series {
            name: names.get(s).cloned().unwrap_or_else(|| field.clone()),
            unit: unit_of(s),
            values,
            sources,
        });
    }
    Ok((labels, series))
}

/// `labels=[…], values=[…]` (and `values2` … `values4`): the labels and the series.
fn series_from_lists(
    args: &HashMap<String, Value>,
    title: &str,
    suffix: &str,
    names: &[String],
    units: &[String],
) -> Result<(Vec<String>, Vec<Series>)> {
    let title = title.to_string();
    let unit_of = |i: usize| unit_at(units, i);
    let labels: Vec<String> = list_arg(args, "labels")
        .ok_or_else(|| {
            err(
                &title,
                "用 data= 和 label=、values=，或用 labels= 和 values= 给出数据",
                "give the data as data= with label= and values=, or as labels= and values=",
            )
        })?
        .iter()
        .map(|l| label_text(l) + suffix)
        .collect();
    let mut series = Vec::new();
    for (s, key) in ["values", "values2", "values3", "values4"]
        .iter()
        .enumerate()
    {
        let Some(raw) = list_arg(args, key) else {
            if s == 0 {
                return Err(err(&title, "缺少 values=", "values= is missing"));
            }
            break;
        };
        let mut values = Vec::with_capacity(raw.len());
        let sources = raw.iter().map(payload).collect();
        for (i, value) in raw.iter().enumerate() {
            values.push(decimal_of(value).ok_or_else(|| {
                let label = labels.get(i).cloned().unwrap_or_default();
                err(
                    &title,
                    &format!("「{label}」的值不是数字：{}", label_text(value)),
                    &format!(
                        "the value of `{label}` is not a number: {}",
                        label_text(value)
                    ),
                )
            })?);
        }
        if values.len() != labels.len() {
            return Err(err(
                &title,
                &format!(
                    "labels 有 {} 项，{key} 有 {} 项，数目要相同",
                    labels.len(),
                    values.len()
                ),
                &format!(
                    "labels has {} items and {key} {}; they must match",
                    labels.len(),
                    values.len()
                ),
            ));
        }
        let name = names.get(s).cloned().unwrap_or_else(|| {
            if s == 0 {
                title.clone()
            } else {
                format!("系列{}", s + 1)
            }
        });
        series.push(Series {
            name,
            unit: unit_of(s),
            values,
            sources,
        });
    }
    Ok((labels, series))
}

/// The Tera function `chart(...)`.
pub struct ChartFunction {
    /// The colours of series and slices.
    pub palette: Vec<RGBColor>,
    /// The language of the text a chart adds (its data table's heading, notes): the site's.
    pub lang: Lang,
}

impl Function for ChartFunction {
    fn call(&self, args: &HashMap<String, Value>) -> Result<Value> {
        let spec = spec_from_args(args, &self.palette, self.lang)?;
        Ok(Value::String(to_html(&spec)))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

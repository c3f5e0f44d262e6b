//! Template helpers for report figures, computed in exact decimals.
//!
//! Tera's own `+ - * /` and its `round` work in binary floating point; these do not. Every
//! argument is read from its decimal text, every result is written as decimal text, and
//! rounding is half-up (四舍五入) at the number of decimals the template declares.

use rust_decimal::Decimal;
use std::cmp::Ordering;
// Tera's map of a call's arguments (FxHash: vendor/tera/PATCHED.md).
use std::sync::Arc;
use tera::HashMap;
use tera::{Error, Filter, Function, Result, Tera, Test, Value};

use crate::figure::{
    bilingual, describe, describe_zh, round_half_up, to_decimal, without_negative_zero,
};
use crate::provenance::{self, Origin, Sources};

/// Registers the figure helpers on `tera` (replacing Tera's float `round`). `sources`
/// describes the data's numbers, so that a computed figure names its inputs.
pub fn register(tera: &mut Tera, sources: Arc<Sources>) {
    tera.register_filter("fig", Fig);
    tera.register_filter("round", Round);
    tera.register_filter(
        "sum",
        SumFilter {
            sources: sources.clone(),
        },
    );
    tera.register_function(
        "sum",
        SumFunction {
            sources: sources.clone(),
        },
    );
    for name in ["sub", "mul", "div", "rate"] {
        tera.register_function(
            name,
            Binary {
                name,
                sources: sources.clone(),
            },
        );
    }
    tera.register_filter("sort", Sort);
    super::tera_filters::register(tera);
    for (name, wanted) in [
        ("gt", &[Ordering::Greater][..]),
        ("ge", &[Ordering::Greater, Ordering::Equal][..]),
        ("lt", &[Ordering::Less][..]),
        ("le", &[Ordering::Less, Ordering::Equal][..]),
        ("same_as", &[Ordering::Equal][..]),
    ] {
        tera.register_tester(name, Compare(name, wanted));
    }
}

/// `{% if x is gt(0) %}`, `ge`, `lt`, `le`, `same_as`: exact comparisons of figures.
struct Compare(&'static str, &'static [Ordering]);
impl Test for Compare {
    fn test(&self, value: Option<&Value>, args: &[Value]) -> Result<bool> {
        let name = self.0;
        let value = value.ok_or_else(|| {
            bilingual(
                format!("{name}: the value is not defined"),
                format!("{name}：这个值没有定义"),
            )
        })?;
        let [other] = args else {
            return Err(bilingual(
                format!("{name}: give one number to compare with, e.g. {name}(0)"),
                format!("{name}：要给一个用来比较的数，例如 {name}(0)"),
            ));
        };
        let ordering = to_decimal(value, name)?.cmp(&to_decimal(other, name)?);
        Ok(self.1.contains(&ordering))
    }
}

/// `{{ records | sort(attribute="registered.people") }}`: figures sort by their exact value,
/// text by its characters; numbers before text.
struct Sort;
impl Filter for Sort {
    fn filter(&self, value: &Value, args: &HashMap<String, Value>) -> Result<Value> {
        let Value::Array(items) = value else {
            return Err(bilingual(
                format!("sort: expected a list, found {}", describe(value)),
                format!("sort：需要一个列表，这里是{}", describe_zh(value)),
            ));
        };
        let path = match args.get("attribute") {
            None => None,
            Some(Value::String(path)) => Some(path.as_str()),
            Some(other) => {
                return Err(bilingual(
                    format!("sort: `attribute` must be text, found {}", describe(other)),
                    format!("sort：attribute 要写成文本，这里是{}", describe_zh(other)),
                ));
            }
        };
        let mut keyed = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let key = match path {
                None => item,
                Some(path) => lookup(item, path).ok_or_else(|| {
                    Error::msg(format!(
                        "sort: item {} has no `{path}` / 第 {} 项没有 {path}",
                        index + 1,
                        index + 1
                    ))
                })?,
            };
            let key = match to_decimal(key, "sort") {
                Ok(number) => (0, Some(number), String::new()),
                Err(_) => (
                    1,
                    None,
                    key.as_str().map_or_else(|| key.to_string(), str::to_string),
                ),
            };
            keyed.push((key, item.clone()));
        }
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Value::Array(
            keyed.into_iter().map(|(_, item)| item).collect(),
        ))
    }
}

/// The provenance payload of a template value that is one marked figure.
fn payload_of(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => provenance::unmark(s).map(|(payload, _)| payload),
        _ => None,
    }
}

/// Where a template value comes from, when it is a marked figure.
pub fn origin_of(value: &Value) -> Option<Origin> {
    payload_of(value).and_then(Origin::decode)
}

/// The text `push_text` writes (about `text_len` bytes), carrying the provenance of `value`
/// (when it has one): made in one piece, marked as it is written (the figures of every page
/// go through here).
fn with_origin_of(value: &Value, text_len: usize, push_text: impl FnOnce(&mut String)) -> Value {
    Value::String(match payload_of(value) {
        Some(payload) => provenance::mark_with(payload, text_len, push_text),
        None => {
            let mut text = String::with_capacity(text_len);
            push_text(&mut text);
            text
        }
    })
}

/// `d` as a template value whose provenance is `op` over the figures `inputs`.
fn computed(sources: &Sources, op: &str, inputs: &[&Value], d: Decimal) -> Value {
    let text = without_negative_zero(d).to_string();
    let origins: Vec<Origin> = inputs.iter().filter_map(|v| origin_of(v)).collect();
    if origins.is_empty() {
        return Value::String(text);
    }
    let origin = sources.computed(op, origins.iter());
    Value::String(provenance::mark(&origin.encode(), &text))
}

/// A template value holding `d` exactly: its decimal text, like every figure in the context.
pub fn from_decimal(d: Decimal) -> Result<Value> {
    Ok(Value::String(without_negative_zero(d).to_string()))
}

fn arg<'a>(args: &'a HashMap<String, Value>, name: &str, helper: &str) -> Result<&'a Value> {
    find_arg(args, name).ok_or_else(|| {
        bilingual(
            format!("{helper}: missing argument `{name}`"),
            format!("{helper}：缺少参数 {name}"),
        )
    })
}

/// The argument `name` of a filter: looked for one by one among a few (`fig(unit="户")`,
/// ~50 a village page: hashing the name cost more than the comparisons when Tera's maps
/// used SipHash; with FxHash, `vendor/tera/PATCHED.md` item 8, the two are close), by hash
/// among more.
fn find_arg<'a>(args: &'a HashMap<String, Value>, name: &str) -> Option<&'a Value> {
    if args.len() <= 4 {
        args.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    } else {
        args.get(name)
    }
}

/// The number of decimals in `dp=`, or `None` when absent.
fn decimals(args: &HashMap<String, Value>, name: &str, helper: &str) -> Result<Option<u32>> {
    match find_arg(args, name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .filter(|d| *d <= 20)
            .map(|d| Some(d as u32))
            .ok_or_else(|| {
                bilingual(
                    format!("{helper}: `{name}` must be a whole number from 0 to 20"),
                    format!("{helper}：{name} 要是 0 到 20 的整数"),
                )
            }),
        Some(other) => Err(bilingual(
            format!(
                "{helper}: `{name}` must be a whole number, found {}",
                describe(other)
            ),
            format!("{helper}：{name} 要是整数，这里是{}", describe_zh(other)),
        )),
    }
}

/// Like [`round_half_up`], refusing a number too wide to show `dp` decimals exactly
/// (a Decimal holds 28 significant digits: `12345678901234567890` has room for 8 more).
pub fn round_half_up_checked(value: Decimal, dp: u32, helper: &str) -> Result<Decimal> {
    let rounded = round_half_up(value, dp);
    if rounded.scale() == dp {
        Ok(rounded)
    } else {
        Err(bilingual(
            format!("{helper}: {value} has too many digits to show {dp} decimal places"),
            format!("{helper}：{value} 位数太多，无法保留 {dp} 位小数"),
        ))
    }
}

/// `{{ x | fig(unit="户", dp=2) }}`.
struct Fig;
impl Filter for Fig {
    fn filter(&self, value: &Value, args: &HashMap<String, Value>) -> Result<Value> {
        let number = to_decimal(value, "fig")?;
        let dp = decimals(args, "dp", "fig")?;
        let unit = match find_arg(args, "unit") {
            None => "",
            Some(Value::String(unit)) => unit.as_str(),
            Some(other) => {
                return Err(bilingual(
                    format!("fig: `unit` must be text, found {}", describe(other)),
                    format!("fig：unit 要写成文本，这里是{}", describe_zh(other)),
                ));
            }
        };
        if let Some(dp) = dp {
            round_half_up_checked(number, dp, "fig")?;
        }
        Ok(with_origin_of(
            value,
            crate::figure::FIGURE_TEXT + unit.len(),
            |out| crate::figure::push_figure(out, number, dp, unit),
        ))
    }
    fn is_safe(&self) -> bool {
        true
    }
}

/// `{{ x | round(precision=1) }}`, half-up on the exact decimal.
struct Round;
impl Filter for Round {
    fn filter(&self, value: &Value, args: &HashMap<String, Value>) -> Result<Value> {
        let number = to_decimal(value, "round")?;
        if let Some(Value::String(method)) = find_arg(args, "method")
            && method != "common"
        {
            return Err(bilingual(
                "round: only method=\"common\" (half-up) is supported".into(),
                "round：只支持 method=\"common\"（四舍五入）".into(),
            ));
        }
        let dp = decimals(args, "precision", "round")?.unwrap_or(0);
        let rounded = round_half_up_checked(number, dp, "round")?;
        Ok(with_origin_of(value, crate::figure::FIGURE_TEXT, |out| {
            out.push_str(&crate::figure::decimal_text(&rounded, &mut [0; 64]))
        }))
    }
    fn is_safe(&self) -> bool {
        true
    }
}

/// Follows a dotted path (`registered.households`) into a value.
pub(super) fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

fn sum_values<'a>(
    sources: &Sources,
    values: impl Iterator<Item = &'a Value>,
    what: &str,
) -> Result<Value> {
    let mut total = Decimal::ZERO;
    let mut inputs = Vec::new();
    for (index, value) in values.enumerate() {
        let number = match crate::figure::decimal_of(value) {
            Some(number) => number,
            None => to_decimal(value, &format!("{what} (item {})", index + 1))?,
        };
        total = total.checked_add(number).ok_or_else(|| {
            bilingual(
                format!("{what}: the sum is too large"),
                format!("{what}：合计太大"),
            )
        })?;
        inputs.push(value);
    }
    Ok(computed(sources, "sum", &inputs, total))
}

/// `{{ list | sum }}` or `{{ records | sum(attribute="registered.households") }}`.
struct SumFilter {
    sources: Arc<Sources>,
}
impl Filter for SumFilter {
    fn filter(&self, value: &Value, args: &HashMap<String, Value>) -> Result<Value> {
        let Value::Array(items) = value else {
            return Err(bilingual(
                format!("sum: expected a list, found {}", describe(value)),
                format!("sum：需要一个列表，这里是{}", describe_zh(value)),
            ));
        };
        match args.get("attribute") {
            None => sum_values(&self.sources, items.iter(), "sum"),
            Some(Value::String(path)) => {
                let mut picked = Vec::with_capacity(items.len());
                for (index, item) in items.iter().enumerate() {
                    picked.push(lookup(item, path).ok_or_else(|| {
                        Error::msg(format!(
                            "sum: item {} has no `{path}` / 第 {} 项没有 {path}",
                            index + 1,
                            index + 1
                        ))
                    })?);
                }
                sum_values(&self.sources, picked.into_iter(), "sum")
            }
            Some(other) => Err(bilingual(
                format!("sum: `attribute` must be text, found {}", describe(other)),
                format!("sum：attribute 要写成文本，这里是{}", describe_zh(other)),
            )),
        }
    }
    fn is_safe(&self) -> bool {
        true
    }
}

/// `{{ sum(values=[a, b, c]) }}`.
struct SumFunction {
    sources: Arc<Sources>,
}
impl Function for SumFunction {
    fn call(&self, args: &HashMap<String, Value>) -> Result<Value> {
        match arg(args, "values", "sum")? {
            Value::Array(items) => sum_values(&self.sources, items.iter(), "sum"),
            other => Err(bilingual(
                format!("sum: `values` must be a list, found {}", describe(other)),
                format!("sum：values 要是列表，这里是{}", describe_zh(other)),
            )),
        }
    }
    fn is_safe(&self) -> bool {
        true
    }
}

/// `sub(a=, b=)`, `mul(a=, b=)`, `div(a=, b=, dp=)`, `rate(num=, den=, dp=)`.
struct Binary {
    name: &'static str,
    sources: Arc<Sources>,
}
impl Function for Binary {
    fn call(&self, args: &HashMap<String, Value>) -> Result<Value> {
        let name = self.name;
        let (first, second) = if name == "rate" {
            ("num", "den")
        } else {
            ("a", "b")
        };
        let (a_value, b_value) = (arg(args, first, name)?, arg(args, second, name)?);
        let a = to_decimal(a_value, &format!("{name}: {first}"))?;
        let b = to_decimal(b_value, &format!("{name}: {second}"))?;
        let overflow = || {
            bilingual(
                format!("{name}: the result is too large"),
                format!("{name}：结果太大"),
            )
        };
        let result = match name {
            "sub" => a.checked_sub(b).ok_or_else(overflow)?,
            "mul" => a.checked_mul(b).ok_or_else(overflow)?,
            _ => {
                let dp = decimals(args, "dp", name)?.ok_or_else(|| {
                    bilingual(
                        format!("{name}: declare the decimals of the result with dp=, e.g. dp=2"),
                        format!("{name}：请用 dp= 声明结果保留几位小数，如 dp=2"),
                    )
                })?;
                if b.is_zero() {
                    return Err(bilingual(
                        format!("{name}: division by zero"),
                        format!("{name}：除数为零"),
                    ));
                }
                let scaled = if name == "rate" {
                    a.checked_mul(Decimal::ONE_HUNDRED).ok_or_else(overflow)?
                } else {
                    a
                };
                round_half_up_checked(scaled.checked_div(b).ok_or_else(overflow)?, dp, name)?
            }
        };
        Ok(computed(&self.sources, name, &[a_value, b_value], result))
    }
    fn is_safe(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str) -> String {
        let mut tera = Tera::default();
        register(&mut tera, Arc::default());
        let mut context = tera::Context::new();
        let num = |s: &str| Value::String(s.to_string());
        context.insert("a", &num("0.1"));
        context.insert("b", &num("0.2"));
        context.insert("aid", &num("81.76875"));
        context.insert(
            "parts",
            &vec![num("580.25"), num("96.34"), num("295.84"), num("15.83")],
        );
        tera.render_str(template, &context).unwrap()
    }

    #[test]
    fn sums_are_exact() {
        assert_eq!(render("{{ sum(values=[a, b]) }}"), "0.3");
        assert_eq!(render("{{ parts | sum }}"), "988.26");
        assert_eq!(render("{{ aid | fig(unit=\"万元\") }}"), "81.76875万元");
    }

    #[test]
    fn rates_round_half_up_at_declared_decimals() {
        assert_eq!(
            render("{{ rate(num=988.26, den=1094.52, dp=2) | fig(unit=\"%\") }}"),
            "90.29%"
        );
        assert_eq!(render("{{ rate(num=133, den=57000, dp=2) }}"), "0.23");
        assert_eq!(render("{{ rate(num=1482, den=1973, dp=1) }}"), "75.1");
        // 17.45 to one decimal is 17.5 (d3-format says 17.4).
        assert_eq!(render("{{ 17.45 | round(precision=1) }}"), "17.5");
        assert_eq!(render("{{ 0.125 | fig(dp=2) }}"), "0.13");
        assert_eq!(render("{{ 92.1 | fig(dp=2, unit=\"%\") }}"), "92.10%");
    }

    #[test]
    fn filters_compare_what_figures_say_not_their_sources() {
        let mut tera = Tera::default();
        register(&mut tera, Arc::default());
        let mut context = tera::Context::new();
        let record = |year: &str, payload: &str, name: &str| serde_json::json!({"year": provenance::mark(payload, year), "name": name});
        context.insert(
            "records",
            &vec![
                record("2018", "d1.0", "甲"),
                record("2019", "d2.0", "乙"),
                record("2018", "d3.0", "丙"),
            ],
        );
        context.insert("wanted", &provenance::mark("d0.4", "2018"));
        let mut render = |t: &str| tera.render_str(t, &context).unwrap();
        assert_eq!(
            render(
                "{% for r in records | filter(attribute=\"year\", value=wanted) %}{{ r.name }}{% endfor %}"
            ),
            "甲丙"
        );
        assert_eq!(
            render("{{ records | filter(attribute=\"year\", value=2019) | length }}"),
            "1"
        );
        assert_eq!(
            render(
                "{% for y, g in records | group_by(attribute=\"year\") %}{{ y }}:{{ g | length }} {% endfor %}"
            ),
            "2018:2 2019:1 "
        );
        assert_eq!(
            render("{{ records | unique(attribute=\"year\") | length }}"),
            "2"
        );
        assert_eq!(
            render(
                "{% for i in range(end=wanted | int) %}{% if loop.last %}{{ i }}{% endif %}{% endfor %}"
            ),
            "2017"
        );
    }

    #[test]
    fn comparisons_and_sorting_are_exact() {
        assert_eq!(render("{% if aid is gt(81.76874) %}yes{% endif %}"), "yes");
        assert_eq!(render("{% if a is lt(b) %}yes{% endif %}"), "yes");
        assert_eq!(
            render("{{ parts | sort | join(sep=\" \") }}"),
            "15.83 96.34 295.84 580.25"
        );
        assert_eq!(render("{{ a }}"), "0.1");
    }

    #[test]
    fn wide_numbers_and_negative_zero() {
        assert_eq!(render("{{ \"-0\" | fig(unit=\"户\") }}"), "0户");
        assert_eq!(render("{{ -0.001 | fig(dp=2) }}"), "0.00");
        let mut tera = Tera::default();
        register(&mut tera, Arc::default());
        let err = tera
            .render_str(
                "{{ \"12345678901234567890\" | fig(dp=20) }}",
                &tera::Context::new(),
            )
            .unwrap_err();
        assert!(format!("{err:?}").contains("too many digits"), "{err:?}");
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let mut tera = Tera::default();
        register(&mut tera, Arc::default());
        let context = tera::Context::new();
        let err = tera
            .render_str("{{ div(a=1, b=3) }}", &context)
            .unwrap_err();
        let chain = format!("{:?}", err);
        assert!(chain.contains("dp="), "{chain}");
        let err = tera.render_str("{{ 'abc' | fig }}", &context).unwrap_err();
        assert!(format!("{err:?}").contains("not a number"));
    }
}

//! Exact figures: decimals read from their text, rounded half-up (四舍五入) only where
//! declared, and written the way Chinese official reports write them. Every stage that
//! touches a number uses these, so that a figure is read, rounded and printed one way.

use rust_decimal::{Decimal, RoundingStrategy};
use tera::{Error, Value};

use crate::diagnostics::Text;
use crate::provenance;

/// Parses the text of a decimal number exactly (`1.10` keeps its two decimals; `1e3`,
/// `.5`, `-0.2` are read too); refuses what a Decimal cannot hold exactly.
pub fn parse_decimal(text: &str) -> Result<Decimal, Text> {
    let negative = text.starts_with('-');
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mut mantissa = mantissa.to_string();
    if mantissa.starts_with('.') {
        mantissa.insert(0, '0');
    }
    if mantissa.ends_with('.') {
        mantissa.pop();
    }
    let mut value = Decimal::from_str_exact(&mantissa).map_err(|_| too_large(text))?;
    if let Some(exponent) = exponent {
        let exponent: i64 = exponent.parse().map_err(|_| too_large(text))?;
        if exponent.unsigned_abs() > 28 {
            return Err(too_large(text));
        }
        let power = Decimal::from_i128_with_scale(10i128.pow(exponent.unsigned_abs() as u32), 0);
        value = if exponent >= 0 {
            value.checked_mul(power)
        } else {
            value.checked_div(power)
        }
        .ok_or_else(|| too_large(text))?;
    }
    if negative {
        value.set_sign_negative(true);
    }
    Ok(value)
}

/// The message for a number too large or too long to hold exactly.
pub fn too_large(text: &str) -> Text {
    Text::new(
        format!("数字「{text}」太大或位数太多，无法精确表示"),
        format!("the number `{text}` is too large or has too many digits to be exact"),
    )
}

/// Rounds half-up (四舍五入, away from zero at .5) to exactly `dp` decimals, zeros kept.
pub fn round_half_up(value: Decimal, dp: u32) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(dp);
    without_negative_zero(rounded)
}

/// `-0` (a zero that kept its sign, e.g. from `-0.001` rounded) is written `0`.
pub fn without_negative_zero(mut value: Decimal) -> Decimal {
    if value.is_zero() {
        value.set_sign_positive(true);
    }
    value
}

/// Formats a figure the way Chinese official reports write it: the number, then its unit
/// with no space (`1841户`, `81.76875万元`, `92.13%`).
pub fn format_figure(value: Decimal, dp: Option<u32>, unit: &str) -> String {
    let value = match dp {
        Some(dp) => round_half_up(value, dp),
        None => without_negative_zero(value),
    };
    format!("{value}{unit}")
}

/// The exact decimal a template value holds: a number, or text that is a number
/// (provenance markers aside).
pub fn to_decimal(value: &Value, what: &str) -> tera::Result<Decimal> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => provenance::strip(s).trim().to_string(),
        other => {
            return Err(bilingual(
                format!("{what}: expected a number, found {}", describe(other)),
                format!("{what}：需要一个数字，这里是{}", describe_zh(other)),
            ));
        }
    };
    parse_decimal(&text).map_err(|_| {
        bilingual(
            format!("{what}: `{text}` is not a number"),
            format!("{what}：「{text}」不是数字"),
        )
    })
}

/// A template helper's error in both languages: `English / 中文`, which
/// `render::template_error` splits back into the two.
pub fn bilingual(en: String, zh: String) -> Error {
    Error::msg(format!("{en} / {zh}"))
}

/// A short description of a template value, in Chinese.
pub fn describe_zh(value: &Value) -> String {
    match value {
        Value::Null => "空值（这个值不存在）".to_string(),
        Value::Bool(b) => format!("真假值 {b}"),
        Value::Array(a) => format!("{} 项的列表", a.len()),
        Value::Object(_) => "映射".to_string(),
        Value::String(s) => format!("文本「{}」", provenance::strip(s)),
        Value::Number(n) => format!("数字 {n}"),
    }
}

/// A short description of a template value, for messages.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null (the value is missing)".to_string(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Array(a) => format!("a list of {}", a.len()),
        Value::Object(_) => "a mapping".to_string(),
        Value::String(s) => format!("text `{}`", provenance::strip(s)),
        Value::Number(n) => format!("number {n}"),
    }
}

//! Exact figures: decimals read from their text, rounded half-up (四舍五入) only where
//! declared, and written the way Chinese official reports write them. Every stage that
//! touches a number uses these, so that a figure is read, rounded and printed one way.

use rust_decimal::{Decimal, RoundingStrategy};
use tera::{Error, Value};

use crate::diagnostics::Text;
use crate::provenance;

/// `d`'s text as its `Display` writes it, made in `buf` without going through the
/// formatting machinery (the fingerprint of every data file writes each of its numbers).
pub fn decimal_text<'b>(d: &Decimal, buf: &'b mut [u8; 64]) -> std::borrow::Cow<'b, str> {
    let mantissa = d.mantissa();
    if mantissa == 0 {
        // Zero (and a negative zero) as Display has it.
        return d.to_string().into();
    }
    // The digits, from the right end of `buf`.
    let mut start = buf.len();
    let mut rest = mantissa.unsigned_abs();
    // Most figures fit in 64 bits, whose division is a few cycles (128-bit division is a
    // call): the digits above 64 bits are made first, the rest with 64-bit arithmetic.
    while rest > u128::from(u64::MAX) {
        start -= 1;
        buf[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    let mut rest = rest as u64;
    while rest > 0 {
        start -= 1;
        buf[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    let digits = buf.len() - start;
    let scale = d.scale() as usize;
    if scale >= digits {
        // `0.00…` before the digits.
        let zeros = scale - digits;
        start -= zeros;
        buf[start..start + zeros].fill(b'0');
        start -= 2;
        buf[start..start + 2].copy_from_slice(b"0.");
    } else if scale > 0 {
        // The whole part moves left by one, for the point.
        let point = buf.len() - scale;
        buf.copy_within(start..point, start - 1);
        start -= 1;
        buf[point - 1] = b'.';
    }
    if mantissa < 0 {
        start -= 1;
        buf[start] = b'-';
    }
    std::str::from_utf8(&buf[start..]).map_or_else(|_| d.to_string().into(), Into::into)
}

/// Parses the text of a decimal number exactly (`1.10` keeps its two decimals; `1e3`,
/// `.5`, `-0.2` are read too); refuses what a Decimal cannot hold exactly.
pub fn parse_decimal(text: &str) -> Result<Decimal, Text> {
    match plain_decimal(text) {
        Some(value) => Ok(value),
        None => any_decimal(text),
    }
}

/// A number as most are written (`1094.52`, `-5`, `.5`: at most 18 digits, no exponent)
/// read straight from its digits; `None` for anything else.
pub(crate) fn plain_decimal(text: &str) -> Option<Decimal> {
    let negative = text.starts_with('-');
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mut mantissa, mut digits, mut scale, mut point) = (0i64, 0u32, 0u32, false);
    for byte in body.bytes() {
        match byte {
            b'0'..=b'9' if digits < 18 => {
                mantissa = mantissa * 10 + i64::from(byte - b'0');
                digits += 1;
                scale += u32::from(point);
            }
            b'.' if !point => point = true,
            _ => return None,
        }
    }
    if digits == 0 {
        return None;
    }
    let mut value = Decimal::new(mantissa, scale);
    if negative {
        value.set_sign_negative(true);
    }
    Some(value)
}

/// Any number [`parse_decimal`] reads: with an exponent, or many digits.
fn any_decimal(text: &str) -> Result<Decimal, Text> {
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

/// A number in scientific notation at the start of `text` (`1.09452E+03`, `1e3元`): how
/// many bytes it takes, and its value written out (`1094.52`, trailing zeros dropped).
/// Excel shows a number so when its column is too narrow, rounded to six digits: a clerk
/// who copies it may copy a rounded figure, so it is never read as a number silently.
pub fn scientific_prefix(text: &str) -> Option<(usize, Decimal)> {
    let e = text.find(['e', 'E'])?;
    let after = &text.as_bytes()[e + 1..];
    let sign = usize::from(matches!(after.first(), Some(b'+' | b'-')));
    let digits = after[sign..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let end = e + 1 + sign + digits;
    let number = &text[..end];
    if digits == 0 || !crate::load::looks_like_decimal(number) {
        return None;
    }
    Some((end, parse_decimal(number).ok()?.normalize()))
}

/// What is wrong with a number typed in scientific notation (`number`), and what to do:
/// write it out (`plain`), or copy it in full from the spreadsheet.
pub fn scientific_mistake(number: &str, plain: &Decimal) -> (Text, Text) {
    (
        Text::new(
            format!("「{number}」是科学计数法（Excel 在列太窄时这样显示数字，只留 6 位有效数字）"),
            format!(
                "`{number}` is in scientific notation (as Excel shows a number in a narrow column, to 6 significant digits)"
            ),
        ),
        Text::new(
            format!(
                "写出完整的数：若原数就是它，写成 {plain}；若是从 Excel 复制的，先把列拉宽或把单元格格式设为「数值」，再复制完整的数"
            ),
            format!(
                "write the number out: {plain} if that is the figure; if it was copied from Excel, widen the column or format the cell as Number, and copy the whole figure"
            ),
        ),
    )
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
    let mut text = String::with_capacity(FIGURE_TEXT + unit.len());
    push_figure(&mut text, value, dp, unit);
    text
}

/// About how many bytes a figure's number takes (room made for it at once).
pub const FIGURE_TEXT: usize = 16;

/// Writes [`format_figure`]'s text at the end of `out`.
pub fn push_figure(out: &mut String, value: Decimal, dp: Option<u32>, unit: &str) {
    let value = match dp {
        Some(dp) => round_half_up(value, dp),
        None => without_negative_zero(value),
    };
    out.push_str(&decimal_text(&value, &mut [0; 64]));
    out.push_str(unit);
}

/// The exact decimal a template value holds: a number, or text that is a number
/// (provenance markers aside).
pub fn to_decimal(value: &Value, what: &str) -> tera::Result<Decimal> {
    if let Some(number) = decimal_of(value) {
        return Ok(number);
    }
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

/// [`to_decimal`] without its message (made only when there is a mistake: a sum of 10,000
/// values asks for 10,000 numbers).
pub fn decimal_of(value: &Value) -> Option<Decimal> {
    match value {
        Value::Number(n) => parse_decimal(&n.to_string()).ok(),
        // One marked figure (most): its text, borrowed.
        Value::String(s) => match provenance::unmark(s) {
            Some((_, text)) => parse_decimal(text.trim()).ok(),
            None => parse_decimal(provenance::strip(s).trim()).ok(),
        },
        _ => None,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]
        /// Every decimal is written as Display writes it.
        #[test]
        fn decimals_are_written_as_displayed(
            lo in any::<u32>(),
            mid in prop_oneof![Just(0u32), any::<u32>()],
            hi in prop_oneof![Just(0u32), any::<u32>()],
            negative in any::<bool>(),
            scale in 0u32..=28,
        ) {
            let d = Decimal::from_parts(lo, mid, hi, negative, scale);
            let mut buf = [0; 64];
            prop_assert_eq!(decimal_text(&d, &mut buf), d.to_string());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]
        /// Numbers read straight from their digits are the numbers read the long way.
        #[test]
        fn plain_numbers_read_the_same_both_ways(text in "[+-]?[0-9]{0,20}[.]?[0-9]{0,20}") {
            if let Some(quick) = plain_decimal(&text) {
                let long = any_decimal(&text).expect("a number");
                prop_assert_eq!(quick, long);
                prop_assert_eq!(quick.to_string(), long.to_string());
                prop_assert_eq!(quick.is_sign_negative(), long.is_sign_negative());
            }
        }
    }

    #[test]
    fn report_figures_come_out_as_written() {
        for text in [
            "81.76875", "0.30", "-5", "0.005", "100", "0", "0.00", "1094.52",
        ] {
            let d = parse_decimal(text).expect("a number");
            assert_eq!(decimal_text(&d, &mut [0; 64]), text);
        }
    }
}

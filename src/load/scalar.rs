//! Plain scalars by the YAML 1.2 core schema: null, true/false, numbers as exact decimals
//! (`yes` and `no` are text), everything else text.

use super::yaml::Value;
use crate::diagnostics::Text;
use crate::figure::{parse_decimal, too_large};
use rust_decimal::Decimal;

/// Resolves a plain scalar by the YAML 1.2 core schema, numbers as exact decimals.
pub fn resolve_plain(text: &str) -> Result<Value, Text> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
        _ => {}
    }
    let unsigned = text.trim_start_matches(['+', '-']);
    if unsigned.eq_ignore_ascii_case(".inf") || unsigned.eq_ignore_ascii_case(".nan") {
        return Err(Text::new(
            format!("「{text}」不是一个有限的数"),
            format!("`{text}` is not a finite number"),
        ));
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return radix(text, hex, 16);
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return radix(text, oct, 8);
    }
    if !looks_like_decimal(text) {
        return Ok(Value::String(text.to_string()));
    }
    parse_decimal(text).map(Value::Number)
}

fn radix(text: &str, digits: &str, base: u32) -> Result<Value, Text> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(base)) {
        return Ok(Value::String(text.to_string()));
    }
    i64::from_str_radix(digits, base)
        .map(|n| Value::Number(Decimal::from(n)))
        .map_err(|_| too_large(text))
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, the core schema's float and int.
pub fn looks_like_decimal(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac {
        None => !int.is_empty() && digits(int),
        Some(frac) => digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty()),
    };
    let exponent_ok = match exponent {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && digits(e)
        }
    };
    mantissa_ok && exponent_ok
}

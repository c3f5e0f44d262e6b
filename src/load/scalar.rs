//! Plain scalars by the YAML 1.2 core schema: null, true/false, numbers as exact decimals
//! (`yes` and `no` are text), everything else text.

use super::yaml::Value;
use crate::diagnostics::Text;
use crate::figure::{
    parse_decimal, plain_decimal, scientific_mistake, scientific_prefix, too_large,
};

/// A plain scalar that cannot be read: what is wrong, and what to do.
#[derive(Debug, PartialEq)]
pub struct Unreadable {
    /// The diagnostic code (`yaml-number`, `number-scientific`).
    pub code: &'static str,
    /// What is wrong.
    pub message: Text,
    /// What to do.
    pub hint: Text,
}

/// Resolves a plain scalar by the YAML 1.2 core schema, numbers as exact decimals. A number
/// in scientific notation (`1.09452E+03`) is refused ([`crate::figure::scientific_mistake`]).
pub fn resolve_plain(text: &str) -> Result<Value, Unreadable> {
    // Most plain scalars of report data are numbers as they are usually written (`1094.52`):
    // read at once. (What `plain_decimal` reads is a decimal by the core schema too.)
    if let Some(number) = plain_decimal(text) {
        return Ok(Value::Number(number));
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
        _ => {}
    }
    let unsigned = text.trim_start_matches(['+', '-']);
    if unsigned.eq_ignore_ascii_case(".inf") || unsigned.eq_ignore_ascii_case(".nan") {
        return Err(not_a_number(Text::new(
            format!("「{text}」不是一个有限的数"),
            format!("`{text}` is not a finite number"),
        )));
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return radix(text, hex, 16);
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return radix(text, oct, 8);
    }
    if !looks_like_decimal(text) {
        return Ok(Value::String(text.into()));
    }
    if let Some((_, plain)) = scientific_prefix(text) {
        let (message, hint) = scientific_mistake(text, &plain);
        return Err(Unreadable {
            code: "number-scientific",
            message,
            hint,
        });
    }
    parse_decimal(text).map(Value::Number).map_err(not_a_number)
}

/// A number that cannot be read exactly, or is no finite number: `message`.
fn not_a_number(message: Text) -> Unreadable {
    Unreadable {
        code: "yaml-number",
        message,
        hint: Text::new(
            "写一个不超过 28 位有效数字的普通数字；如果这是文本，请加引号",
            "write an ordinary number of at most 28 significant digits; if it is text, put it in quotes",
        ),
    }
}

/// A number YAML reads in another base (`0x84`, `0o204`): refused, as no report writes its
/// figures so and a slip of the keyboard would publish another number (0x84 is 132); text
/// that is no such number stays text.
fn radix(text: &str, digits: &str, base: u32) -> Result<Value, Unreadable> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(base)) {
        return Ok(Value::String(text.into()));
    }
    let value = i64::from_str_radix(digits, base).map_err(|_| not_a_number(too_large(text)))?;
    let (zh, en) = match base {
        16 => ("十六进制", "hexadecimal"),
        _ => ("八进制", "octal"),
    };
    Err(Unreadable {
        code: "yaml-number",
        message: Text::new(
            format!("「{text}」是{zh}写法，YAML 会读作 {value}：报告里的数不这样写"),
            format!(
                "`{text}` is written in {en}, which YAML reads as {value}: no report writes its figures so"
            ),
        ),
        hint: Text::new(
            "写十进制的数；若它是文字（如编号），加引号",
            "write the number in decimal; if it is text (an id, say), put it in quotes",
        ),
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The quick way to a number reads only what the core schema calls a number, and
        /// reads it as the long way does.
        #[test]
        fn numbers_read_at_once_are_numbers_by_the_core_schema(
            text in "[-+.0-9eE_x a]{0,8}",
        ) {
            if let Some(number) = plain_decimal(&text) {
                prop_assert!(looks_like_decimal(&text), "{:?}", text);
                prop_assert_eq!(parse_decimal(&text).ok(), Some(number));
            }
        }
    }

    #[test]
    fn plain_scalars_resolve_by_the_core_schema() {
        let number = |t: &str| match resolve_plain(t) {
            Ok(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        assert_eq!(number("1094.52").as_deref(), Some("1094.52"));
        assert_eq!(number("-.5").as_deref(), Some("-0.5"));
        assert_eq!(number("1.10").as_deref(), Some("1.10"));
        let hex = resolve_plain("0x1F").unwrap_err();
        assert!(
            hex.message
                .zh
                .contains("「0x1F」是十六进制写法，YAML 会读作 31"),
            "{hex:?}"
        );
        assert!(
            resolve_plain("0o17")
                .unwrap_err()
                .message
                .zh
                .contains("八进制")
        );
        assert_eq!(resolve_plain("0xZZ"), Ok(Value::String("0xZZ".into())));
        assert_eq!(number("1e3"), None);
        let refused = resolve_plain("1.09452E+03").unwrap_err();
        assert_eq!(refused.code, "number-scientific");
        assert!(
            refused.hint.zh.contains("写成 1094.52；"),
            "{:?}",
            refused.hint
        );
        assert_eq!(number("."), None);
        assert_eq!(number("-"), None);
        assert_eq!(resolve_plain("true"), Ok(Value::Bool(true)));
        assert_eq!(resolve_plain("~"), Ok(Value::Null));
        assert_eq!(resolve_plain("yes"), Ok(Value::String("yes".into())));
        assert!(resolve_plain(".inf").is_err());
    }
}

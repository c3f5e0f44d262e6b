//! Units of report figures and exact conversions between units of one family.
//!
//! A value may be written with its unit (`342元`, `81.76875万元`, `2700米`); it is converted
//! exactly to the unit the schema declares, or refused when the units do not convert
//! (`户` is not `人`).

use rust_decimal::Decimal;

/// Units that convert into one another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// 元, 万元, 亿元.
    Money,
    /// 米, 千米, 公里.
    Length,
    /// 平方米, 平方公里.
    Area,
}

/// (unit, family, how many of the family's base unit one of it is).
const UNITS: &[(&str, Family, i64)] = &[
    ("元", Family::Money, 1),
    ("万元", Family::Money, 10_000),
    ("亿元", Family::Money, 100_000_000),
    ("米", Family::Length, 1),
    ("千米", Family::Length, 1000),
    ("公里", Family::Length, 1000),
    ("平方米", Family::Area, 1),
    ("平方公里", Family::Area, 1_000_000),
];

/// The family of `unit`, if it converts to others.
pub fn family(unit: &str) -> Option<Family> {
    UNITS
        .iter()
        .find(|(u, _, _)| *u == unit)
        .map(|(_, f, _)| *f)
}

fn factor(unit: &str) -> Option<(Family, Decimal)> {
    UNITS
        .iter()
        .find(|(u, _, _)| *u == unit)
        .map(|(_, f, n)| (*f, Decimal::from(*n)))
}

/// The power of ten one `unit` is of its family's base unit (`万元` → 4), if it converts.
pub fn exponent(unit: &str) -> Option<i32> {
    let (_, mut factor) = factor(unit)?;
    let mut power = 0;
    let ten = Decimal::TEN;
    while factor >= ten {
        factor /= ten;
        power += 1;
    }
    Some(power)
}

/// The unit of `family` the others are multiples of (`元`, `米`, `平方米`).
pub fn base(family: Family) -> &'static str {
    UNITS
        .iter()
        .find(|(_, f, n)| *f == family && *n == 1)
        .map_or("", |(u, _, _)| *u)
}

/// The units of `family`.
pub fn units_of(family: Family) -> impl Iterator<Item = &'static str> {
    UNITS
        .iter()
        .filter(move |(_, f, _)| *f == family)
        .map(|(u, _, _)| *u)
}

/// `value` in `from` expressed in `to`, exactly; `None` when they do not convert.
pub fn convert(value: Decimal, from: &str, to: &str) -> Option<Decimal> {
    if from == to {
        return Some(value);
    }
    let (family_from, from_factor) = factor(from)?;
    let (family_to, to_factor) = factor(to)?;
    if family_from != family_to {
        return None;
    }
    let base = value.checked_mul(from_factor)?;
    Some(base.checked_div(to_factor)?.normalize())
}

/// Splits `342元` into its number text and unit: the longest leading run that reads as a
/// number, then the rest without surrounding spaces. `None` when the text does not start
/// with a number.
pub fn split_number_unit(text: &str) -> Option<(&str, &str)> {
    let text = text.trim();
    let end = text
        .char_indices()
        .take_while(|(_, c)| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
        .last()
        .map(|(i, c)| i + c.len_utf8())?;
    let (number, unit) = text.split_at(end);
    let unit = unit.trim();
    (!unit.is_empty()).then_some((number, unit))
}

/// The figure `text` means in `unit` (a field's unit, empty for none), exactly, when it is
/// a number written as a clerk writes one in a document: typed on a Chinese keyboard
/// (`１４６８`, `342（万元）`), with thousands separators (`1,468`), a currency sign
/// (`￥342万`, `¥342`, `人民币342万元`), 整 after it (`342万元整`), the unit in brackets
/// (`342(万元)`) or with 元 left off (`342万` for 万元). `None` when it is not such a
/// number, or its unit does not convert to `unit`.
pub fn number_meant(text: &str, unit: &str) -> Option<Decimal> {
    // Commas only as thousands separators, in one number (`1,468`; not `3,5`, `1,46`,
    // `0,468` or `1234,567`, which are no number to name).
    if let Some(comma) = text.find([',', '，']) {
        let is_part = |c: char| is_digit(c) || c == ',' || c == '，';
        let before: usize = text[..comma]
            .chars()
            .rev()
            .take_while(|c| is_digit(*c))
            .map(char::len_utf8)
            .sum();
        let start = comma - before;
        let end = text[start..]
            .find(|c: char| !is_part(c))
            .map_or(text.len(), |i| start + i);
        if text[end..].contains([',', '，']) || !thousands_grouped(&text[start..end]) {
            return None;
        }
    }
    let half = to_half_width(&text.replace('￥', "¥"));
    let bare = ["¥", "RMB", "人民币"].iter().fold(half.trim(), |t, sign| {
        t.strip_prefix(sign).unwrap_or(t).trim()
    });
    let bare = bare.strip_suffix('整').unwrap_or(bare).trim();
    // The unit in brackets: `342(万元)`.
    let (number, written) = match bare.strip_suffix(')').and_then(|b| b.split_once('(')) {
        Some((number, written)) => (number.trim(), written.trim()),
        None => split_number_unit(bare).unwrap_or((bare, "")),
    };
    let value = crate::figure::parse_decimal(number).ok()?;
    if written.is_empty() || written == unit || format!("{written}元") == unit {
        return Some(value);
    }
    convert(value, written, unit)
}

/// A digit, half- or full-width.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// Whether the commas (half- or full-width) of `whole`, the digits of a number's whole part,
/// group it by thousands as Excel shows it: `1,468`, `12,345,678`; not `13,2`, `1,46`, `468,`,
/// `1234,567`, nor `0,468` (no group of thousands starts with 0: 0.468 written the European
/// way, or 468?). The one rule of the data's checks and of import's cells.
pub fn thousands_grouped(whole: &str) -> bool {
    let mut groups = whole.split([',', '，']);
    let first = groups.next().unwrap_or_default();
    (1..=3).contains(&first.chars().count())
        && first.chars().all(is_digit)
        && !first.starts_with(['0', '０'])
        && groups.all(|g| g.chars().count() == 3 && g.chars().all(is_digit))
}

/// A number with a comma where no thousands separator goes, which [`number_meant`] does not
/// read: one typed after it (`4,`), or not before three digits (`13,2`, `13，2`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MisplacedComma {
    /// Whether the comma is after the number (`4,`).
    pub trailing: bool,
    /// The number with its commas left out (`132`).
    pub joined: Decimal,
    /// The number with its one comma read as a decimal point (`13.2`), when it has one
    /// comma.
    pub decimal: Option<Decimal>,
}

/// The number `text` is with its misplaced commas (see [`MisplacedComma`]); `None` when it
/// has none, has other characters than digits and commas (`1.468,5`: which is the
/// separator?), or its commas are thousands separators.
pub fn misplaced_comma(text: &str) -> Option<MisplacedComma> {
    let half: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '，' => ',',
            '．' => '.',
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect();
    let digits_and_commas = half.starts_with(|c: char| c.is_ascii_digit())
        && half.chars().all(|c| c.is_ascii_digit() || c == ',');
    if !half.contains(',') || !digits_and_commas || number_meant(&half, "").is_some() {
        return None;
    }
    if let Some(before) = half.strip_suffix(',')
        && !before.contains(',')
    {
        let joined = crate::figure::parse_decimal(before).ok()?;
        return Some(MisplacedComma {
            trailing: true,
            joined,
            decimal: None,
        });
    }
    let joined = crate::figure::parse_decimal(&half.replace(',', "")).ok()?;
    let decimal = (half.matches(',').count() == 1)
        .then(|| crate::figure::parse_decimal(&half.replace(',', ".")).ok())
        .flatten();
    Some(MisplacedComma {
        trailing: false,
        joined,
        decimal,
    })
}

/// A character a Chinese keyboard puts into a number where an ASCII one belongs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FullWidth {
    /// Its index (in characters) in the text.
    pub index: usize,
    /// The character.
    pub ch: char,
    /// What it is, in both languages (「全角数字」 / "a full-width digit").
    pub what: (&'static str, &'static str),
}

/// The first full-width (Chinese-keyboard) character in the text of a number, if any:
/// full-width digits, comma, full stop, percent sign, minus, space (U+3000) and Chinese
/// quotes. `None` when the text has none (then it is some other mistake).
pub fn first_full_width(text: &str) -> Option<FullWidth> {
    text.chars().enumerate().find_map(|(index, ch)| {
        let what = match ch {
            '０'..='９' => ("全角数字", "a full-width digit"),
            '，' => ("全角逗号", "a full-width comma"),
            '．' | '。' => ("全角句点", "a full-width full stop"),
            '％' => ("全角百分号", "a full-width percent sign"),
            '－' | '＋' => ("全角正负号", "a full-width sign"),
            '\u{3000}' => ("全角空格", "a full-width space (U+3000)"),
            '“' | '”' | '「' | '」' | '『' | '』' | '‘' | '’' | '＂' | '＇' => {
                ("全角引号", "a full-width quotation mark")
            }
            '\u{FF01}'..='\u{FF5E}' => ("全角字符", "a full-width character"),
            _ => return None,
        };
        Some(FullWidth { index, ch, what })
    })
}

/// The text with its full-width characters made half-width, as a clerk meant it:
/// `４６８` → `468`, `1，841` → `1841` (no thousands separator), `“468”` → `468`,
/// `92.13％` → `92.13%`; full-width spaces and Chinese quotes are dropped.
pub fn to_half_width(text: &str) -> String {
    text.chars()
        .filter_map(|ch| match ch {
            '，' | ',' | '\u{3000}' => None,
            '“' | '”' | '「' | '」' | '『' | '』' | '‘' | '’' | '＂' | '＇' => None,
            '。' => Some('.'),
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(ch as u32 - 0xFEE0),
            _ => Some(ch),
        })
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comma_where_no_thousands_separator_goes_is_read_both_ways() {
        let read = |text: &str| {
            misplaced_comma(text).map(|m| {
                (
                    m.trailing,
                    m.joined.to_string(),
                    m.decimal.map(|d| d.to_string()),
                )
            })
        };
        assert_eq!(
            read("13,2"),
            Some((false, "132".into(), Some("13.2".into())))
        );
        assert_eq!(read("1,0"), Some((false, "10".into(), Some("1.0".into()))));
        assert_eq!(
            read("１３，２"),
            Some((false, "132".into(), Some("13.2".into())))
        );
        assert_eq!(read("4,"), Some((true, "4".into(), None)));
        assert_eq!(read("4，"), Some((true, "4".into(), None)));
        assert_eq!(read("1,46,8"), Some((false, "1468".into(), None)));
        assert_eq!(read("1.468,5"), None);
        // Thousands separators where they go, no comma, or no number: not this slip.
        assert_eq!(read("1,468"), None);
        assert_eq!(read("1，468"), None);
        assert_eq!(read("13.2"), None);
        assert_eq!(
            read("0,468"),
            Some((false, "468".into(), Some("0.468".into())))
        );
        assert_eq!(read("约13,2"), None);
        assert_eq!(read(",5"), None);
    }

    #[test]
    fn the_number_a_clerk_wrote_is_read_exactly_in_the_fields_unit() {
        let meant = |text: &str, unit: &str| number_meant(text, unit).map(|d| d.to_string());
        for (text, unit, value) in [
            ("342（万元）", "万元", "342"),
            ("342(万元)", "万元", "342"),
            ("￥342万", "万元", "342"),
            ("¥342万元", "万元", "342"),
            ("人民币342万元整", "万元", "342"),
            ("342元", "万元", "0.0342"),
            ("1,468", "户", "1468"),
            ("１４６８", "", "1468"),
            ("１，４６８", "", "1468"),
            ("10,468", "", "10468"),
            ("81.76875万元", "万元", "81.76875"),
        ] {
            assert_eq!(meant(text, unit).as_deref(), Some(value), "{text}");
        }
        for (text, unit) in [
            ("约342", "万元"),
            ("342人", "万元"),
            ("待定", ""),
            ("342万", "户"),
            ("3,5", ""),
            ("1,46", "户"),
            ("3,42万元", "万元"),
            // No group of thousands starts with 0: 0.468 the European way?
            ("0,468", ""),
            ("￥0,468", ""),
            // A first group longer than three: no thousands separator (as import reads it).
            ("1234,567", ""),
            ("1,468,", ""),
        ] {
            assert_eq!(meant(text, unit), None, "{text}");
        }
    }

    #[test]
    fn thousands_are_grouped_by_one_rule_for_data_and_cells() {
        for grouped in ["1,468", "12,345,678", "１，４６８", "999,000"] {
            assert!(thousands_grouped(grouped), "{grouped}");
        }
        for not in [
            "1468", "13,2", "1,46", "468,", "1234,567", "0,468", ",468", "",
        ] {
            assert!(!thousands_grouped(not), "{not}");
        }
    }

    #[test]
    fn converts_exactly_within_a_family() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(convert(d("342"), "元", "万元"), Some(d("0.0342")));
        assert_eq!(convert(d("81.76875"), "万元", "元"), Some(d("817687.5")));
        assert_eq!(convert(d("2.7"), "公里", "米"), Some(d("2700")));
        assert_eq!(convert(d("1"), "户", "人"), None);
        assert_eq!(convert(d("1"), "元", "米"), None);
    }

    #[test]
    fn splits_numbers_from_units() {
        assert_eq!(split_number_unit("342元"), Some(("342", "元")));
        assert_eq!(
            split_number_unit("81.76875 万元"),
            Some(("81.76875", "万元"))
        );
        assert_eq!(split_number_unit("元"), None);
        assert_eq!(split_number_unit("342"), None);
    }

    #[test]
    fn full_width_characters_are_found_and_made_half_width() {
        let found = first_full_width("1，841").unwrap();
        assert_eq!((found.index, found.ch), (1, '，'));
        assert_eq!(first_full_width("４６８").unwrap().what.0, "全角数字");
        assert_eq!(first_full_width("4\u{3000}68").unwrap().index, 1);
        assert_eq!(first_full_width("“468”").unwrap().what.0, "全角引号");
        assert_eq!(first_full_width("468"), None);
        assert_eq!(to_half_width("４６８"), "468");
        assert_eq!(to_half_width("1，841"), "1841");
        assert_eq!(to_half_width("“468”"), "468");
        assert_eq!(to_half_width("「468」"), "468");
        assert_eq!(to_half_width("92.13％"), "92.13%");
        assert_eq!(to_half_width("4\u{3000}68"), "468");
        assert_eq!(to_half_width("１２．５"), "12.5");
    }
}

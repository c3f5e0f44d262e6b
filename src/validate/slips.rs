//! What a clerk meant by a number written another way, for the hints of the field checks:
//! Chinese numerals (`二〇一八`, `一百三十二`), `万` and `亿` written as multipliers
//! (`0.468万`), words of approximation (`约468`, `468余`) and words for "none" (`无`).
//! huibao never takes these as numbers by itself: the hint names the number meant, and the
//! clerk writes it.

use rust_decimal::Decimal;

use crate::diagnostics::Text;

/// The value of a Chinese digit (`〇`–`九`, `两`, and the financial `壹`–`玖`).
fn digit(c: char) -> Option<u64> {
    Some(match c {
        '〇' | '零' => 0,
        '一' | '壹' => 1,
        '二' | '贰' | '两' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// The power of ten of a Chinese unit of ten (`十` … `亿`).
fn unit_of_ten(c: char) -> Option<u64> {
    Some(match c {
        '十' | '拾' => 10,
        '百' | '佰' => 100,
        '千' | '仟' => 1000,
        '万' => 10_000,
        '亿' => 100_000_000,
        _ => return None,
    })
}

/// The whole number a Chinese numeral at the start of `text` writes — digit by digit
/// (`二〇一八` → 2018) or with units of ten (`一百三十二` → 132, `两万零五` → 20005,
/// `十二` → 12) — and the text after it, trimmed; `None` when `text` does not start with one.
pub fn chinese_numeral(text: &str) -> Option<(u64, &str)> {
    let end = text
        .char_indices()
        .find(|&(_, c)| digit(c).is_none() && unit_of_ten(c).is_none())
        .map_or(text.len(), |(i, _)| i);
    let (numeral, rest) = text.split_at(end);
    if numeral.is_empty() {
        return None;
    }
    let value = if numeral.chars().all(|c| digit(c).is_some()) {
        // Digit by digit, as years are written.
        numeral.chars().try_fold(0u64, |value, c| {
            value.checked_mul(10)?.checked_add(digit(c)?)
        })?
    } else {
        with_units_of_ten(numeral)?
    };
    Some((value, rest.trim()))
}

/// A numeral with units of ten (`三千零五`, `两万`, `十二`): `None` when it is not one as
/// numbers are written (two digits side by side, a unit with nothing before it but `十`).
fn with_units_of_ten(numeral: &str) -> Option<u64> {
    // What is read below 万, below 亿, and above.
    let (mut below_wan, mut below_yi, mut total) = (0u64, 0u64, 0u64);
    let mut pending: Option<u64> = None;
    for c in numeral.chars() {
        if let Some(d) = digit(c) {
            // `零` holds a place (`三千零五`); two other digits side by side are no numeral.
            if d == 0 {
                continue;
            }
            if pending.is_some() {
                return None;
            }
            pending = Some(d);
            continue;
        }
        let unit = unit_of_ten(c)?;
        match unit {
            10 | 100 | 1000 => {
                // `十二` is 12: a ten with no digit before it is one ten.
                let times = match pending.take() {
                    Some(d) => d,
                    None if unit == 10 => 1,
                    None => return None,
                };
                below_wan = below_wan.checked_add(times * unit)?;
            }
            10_000 => {
                let part = below_wan + pending.take().unwrap_or(0);
                if part == 0 {
                    return None;
                }
                below_yi = below_yi.checked_add(part.checked_mul(unit)?)?;
                below_wan = 0;
            }
            _ => {
                let part = below_yi + below_wan + pending.take().unwrap_or(0);
                if part == 0 {
                    return None;
                }
                total = total.checked_add(part.checked_mul(unit)?)?;
                below_yi = 0;
                below_wan = 0;
            }
        }
    }
    total
        .checked_add(below_yi)?
        .checked_add(below_wan)?
        .checked_add(pending.unwrap_or(0))
}

/// A number written with `万` or `亿` as a multiplier (`0.468万`, `580.25万`, `1.2亿元`):
/// the number, how many one of the multiplier is (10,000 or 100,000,000), its character and
/// the text after it, trimmed.
pub fn with_multiplier(text: &str) -> Option<(Decimal, Decimal, char, &str)> {
    let (number, unit) = super::units::split_number_unit(text)?;
    let mut chars = unit.chars();
    let multiplier = chars.next()?;
    let times = match multiplier {
        '万' => Decimal::from(10_000),
        '亿' => Decimal::from(100_000_000),
        _ => return None,
    };
    if !crate::load::looks_like_decimal(number) {
        return None;
    }
    let value = crate::figure::parse_decimal(number).ok()?;
    Some((value, times, multiplier, chars.as_str().trim()))
}

/// Words that make a number approximate, before it and after it.
const ABOUT_BEFORE: &[&str] = &[
    "大约", "约", "将近", "接近", "近", "超过", "逾", "不到", "不足", "≈", "～", "~",
];
const ABOUT_AFTER: &[&str] = &["左右", "上下", "以上", "以下", "多", "余", "+"];

/// A number with a word of approximation (`约468`, `468余`, `468多人`, `500左右`): the word
/// and the text without it (`468`, `468人`).
pub fn approximate(text: &str) -> Option<(&'static str, String)> {
    let text = text.trim();
    let (before, rest) = ABOUT_BEFORE
        .iter()
        .find_map(|word| Some((Some(*word), text.strip_prefix(word)?.trim_start())))
        .unwrap_or((None, text));
    let (number, unit) = match super::units::split_number_unit(rest) {
        Some(split) => split,
        None => (rest, ""),
    };
    if !crate::load::looks_like_decimal(number) {
        return None;
    }
    let (after, unit) = ABOUT_AFTER
        .iter()
        .find_map(|word| Some((Some(*word), unit.strip_prefix(word)?.trim_start())))
        .unwrap_or((None, unit));
    let word = before.or(after)?;
    Some((word, format!("{number}{unit}")))
}

/// Whether `text` is a word for "none" or "unknown" (`无`, `暂无`, `不详`, `—`), written where
/// a number belongs.
pub fn is_none_word(text: &str) -> bool {
    matches!(
        text.trim(),
        "无" | "没有"
            | "暂无"
            | "不详"
            | "未知"
            | "空"
            | "缺"
            | "—"
            | "——"
            | "-"
            | "－"
            | "/"
            | "／"
            | "N/A"
            | "n/a"
            | "NA"
    )
}

/// The year, month and day of `text` written as a clerk writes dates (see [`date_meant`]),
/// whether or not there is such a day.
fn date_parts(text: &str) -> Option<(u32, u32, u32)> {
    let half = super::units::to_half_width(text.trim());
    let half = without_time(&half).trim_end_matches(['日', '号']);
    let parts: Vec<&str> = if half.len() == 8 && half.bytes().all(|b| b.is_ascii_digit()) {
        vec![&half[..4], &half[4..6], &half[6..]]
    } else {
        half.split(['年', '月', '.', '/', '-', ' '])
            .filter(|part| !part.is_empty())
            .collect()
    };
    let [year, month, day] = parts.as_slice() else {
        return None;
    };
    let digits = |part: &str, most: usize| {
        (!part.is_empty() && part.len() <= most && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    Some((
        digits(year, 4).filter(|_| year.len() == 4)?,
        digits(month, 2)?,
        digits(day, 2)?,
    ))
}

/// `text` without a time of day after its date (`2020-12-01 10:00`, `2020-12-01T10:00:00`,
/// as a spreadsheet or a database writes a date).
fn without_time(text: &str) -> &str {
    let Some(colon) = text.find(':') else {
        return text;
    };
    let Some(cut) = text[..colon].rfind([' ', 'T']) else {
        return text;
    };
    let time = &text[cut + 1..];
    if time
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b':' || b == b'.')
    {
        text[..cut].trim_end()
    } else {
        text
    }
}

/// The date `text` means, written as huibao reads dates (`2020-12-01`), when it is written
/// another way a clerk writes dates: `2020年12月1日`, `2020.12.1`, `2020/12/01`, `2020-12-1`,
/// `20201201`, in half-width or full-width digits. `None` when it is no such date (or is
/// written right already).
pub fn date_meant(text: &str) -> Option<String> {
    let (year, month, day) = date_parts(text)?;
    let meant = format!("{year:04}-{month:02}-{day:02}");
    (super::fields::is_date(&meant) && meant != text.trim()).then_some(meant)
}

/// What to do about a date written as a year, a month and a day (in any way
/// [`date_meant`] reads) that no calendar has: `2020-02-30` (February of 2020 has 29 days),
/// `2020-13-01`. `None` for a day there is, or text that is no date.
pub fn date_not_there(text: &str) -> Option<Text> {
    let (year, month, day) = date_parts(text)?;
    if !(1..=12).contains(&month) {
        return Some(Text::new(
            format!("没有 {month} 月：月份是 1 到 12，核对这个日期"),
            format!("there is no month {month}: months are 1 to 12; check this date"),
        ));
    }
    let days = super::fields::days_in_month(year, month);
    (day == 0 || day > days).then(|| {
        Text::new(
            format!("这一天不存在：{year} 年 {month} 月只有 {days} 天，核对这个日期"),
            format!(
                "there is no such day: month {month} of {year} has {days} days; check this date"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_with_its_time_of_day_means_the_date() {
        for written in [
            "2020-12-01 10:00",
            "2020-12-01T10:00:00",
            "2020/12/1 8:05:00.5",
            "２０２０－１２－０１ １０：００",
        ] {
            assert_eq!(
                date_meant(written).as_deref(),
                Some("2020-12-01"),
                "{written}"
            );
        }
        assert_eq!(date_meant("2020-12-01 上午"), None);
        assert_eq!(date_meant("10:00"), None);
    }

    #[test]
    fn a_day_no_calendar_has_is_told_why() {
        let told = |text| date_not_there(text).map(|t| t.zh);
        assert_eq!(
            told("2020-02-30").as_deref(),
            Some("这一天不存在：2020 年 2 月只有 29 天，核对这个日期")
        );
        assert_eq!(
            told("2019年2月29日").as_deref(),
            Some("这一天不存在：2019 年 2 月只有 28 天，核对这个日期")
        );
        assert_eq!(
            told("2020-04-31").as_deref(),
            Some("这一天不存在：2020 年 4 月只有 30 天，核对这个日期")
        );
        assert!(told("2020-13-01").unwrap().contains("没有 13 月"));
        assert_eq!(told("2020-02-29"), None);
        assert_eq!(told("2020.12.1"), None);
        assert_eq!(told("十月底"), None);
    }

    #[test]
    fn chinese_numerals_read_as_they_are_written() {
        let read = |text| chinese_numeral(text).map(|(value, _)| value);
        assert_eq!(read("二〇一八"), Some(2018));
        assert_eq!(read("二零二零"), Some(2020));
        assert_eq!(read("一百三十二"), Some(132));
        assert_eq!(read("十二"), Some(12));
        assert_eq!(read("十"), Some(10));
        assert_eq!(read("三千零五"), Some(3005));
        assert_eq!(read("两万"), Some(20_000));
        assert_eq!(read("两万零五"), Some(20_005));
        assert_eq!(read("一万二千三百四十五"), Some(12_345));
        assert_eq!(read("六千三百三十六"), Some(6336));
        assert_eq!(read("三亿零五十万"), Some(300_500_000));
        assert_eq!(read("叁佰"), Some(300));
        assert_eq!(read("九"), Some(9));
        // Not numerals as they are written.
        assert_eq!(read("百"), None);
        assert_eq!(read("万"), None);
        assert_eq!(read("三五百"), None);
        assert_eq!(read("横溪"), None);
        assert_eq!(read(""), None);
        // What follows is handed back.
        assert_eq!(chinese_numeral("二〇一八年"), Some((2018, "年")));
        assert_eq!(chinese_numeral("四百六十八 人"), Some((468, "人")));
        // Too long for a number is none.
        assert_eq!(read(&"九".repeat(30)), None);
    }

    #[test]
    fn multipliers_and_approximations_are_read_apart() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(
            with_multiplier("0.468万"),
            Some((d("0.468"), d("10000"), '万', ""))
        );
        assert_eq!(
            with_multiplier("1.2亿元"),
            Some((d("1.2"), d("100000000"), '亿', "元"))
        );
        assert_eq!(with_multiplier("468人"), None);
        assert_eq!(with_multiplier("万"), None);
        assert_eq!(approximate("约468"), Some(("约", "468".to_string())));
        assert_eq!(approximate("468余"), Some(("余", "468".to_string())));
        assert_eq!(approximate("468多人"), Some(("多", "468人".to_string())));
        assert_eq!(
            approximate("大约 500 左右"),
            Some(("大约", "500".to_string()))
        );
        assert_eq!(approximate("468人"), None);
        assert_eq!(approximate("约"), None);
        assert!(is_none_word(" 无 "));
        for written in [
            "2020年12月1日",
            "2020年12月01日",
            "2020.12.1",
            "2020/12/01",
            "2020-12-1",
            "20201201",
            "２０２０年１２月１日",
            "2020年12月1号",
        ] {
            assert_eq!(
                date_meant(written).as_deref(),
                Some("2020-12-01"),
                "{written}"
            );
        }
        assert_eq!(date_meant("2020-12-01"), None);
        assert_eq!(date_meant("2020年2月30日"), None);
        assert_eq!(date_meant("2020年10月底"), None);
        assert_eq!(date_meant("20年12月1日"), None);
        assert!(!is_none_word("0"));
    }
}

//! Numbers of the data: exact, in the field's unit (converted when written with another),
//! within range and decimals; full-width digits named where they are.

use rust_decimal::Decimal;

use super::text::char_location;
use super::{Checker, FieldPath, changed, name_of};
use crate::diagnostics::{Diagnostic, Text};
use crate::load::{Node, Value};
use crate::validate::schema::{Field, Kind};
use crate::validate::{slips, units};

impl Checker<'_> {
    /// A number checked; `Some` only when it was written otherwise (text, another unit,
    /// `468.0` for a count).
    pub(super) fn number(
        &mut self,
        field: &Field,
        node: &Node,
        path: &FieldPath<'_>,
    ) -> Option<Node> {
        let (name_zh, name_en) = name_of(field, path);
        let unit_text = field.unit.as_deref().unwrap_or_default();
        let number = match &node.value {
            Value::Number(n) => *n,
            Value::String(text) => {
                self.number_in_text(field, node, (&*name_zh, &*name_en), text)?
            }
            _ => {
                self.wrong_kind(node, (&*name_zh, &*name_en), ("数字", "a number"), None);
                return None;
            }
        };
        // (Normalised once: a million numbers at 10,000 villages.)
        let normal = number.normalize();
        let whole = normal.scale() == 0;
        // (What is refused here is what `Field::refuses` tells the rules, which skip a value
        // reported here rather than report a sum it puts out.)
        let (min, max) = field.bounds();
        if matches!(field.kind, Kind::Count | Kind::Year) && !whole {
            self.report(
                "type",
                node,
                format!("{name_zh}应是整数，这里是 {number}"),
                format!("{name_en} must be a whole number, found {number}"),
                None,
            );
        }
        if let Some(min) = min
            && number < min
        {
            self.report(
                "range",
                node,
                format!("{name_zh}不能小于 {min}{unit_text}，这里是 {number}{unit_text}"),
                format!("{name_en} must be at least {min}{unit_text}, found {number}{unit_text}"),
                two_digit_year(field, normal),
            );
        }
        if let Some(max) = max
            && number > max
        {
            self.report(
                "range",
                node,
                format!("{name_zh}不能大于 {max}{unit_text}，这里是 {number}{unit_text}"),
                format!("{name_en} must be at most {max}{unit_text}, found {number}{unit_text}"),
                None,
            );
        }
        if let Some(dp) = field.dp
            && normal.scale() > dp
        {
            // A percentage as a spreadsheet holds it (92.13% is 0.9213 in its cell).
            let hundredfold = (field.kind == Kind::Percent && number.abs() <= Decimal::ONE)
                .then(|| number.checked_mul(Decimal::ONE_HUNDRED))
                .flatten()
                .map(|n| n.normalize())
                .filter(|n| n.scale() <= dp);
            let hint = hundredfold.map(|percent| {
                Text::new(
                    format!("这一项是百分数：{number} 即 {percent}%，写成 {percent}"),
                    format!("this field is a percentage: {number} is {percent}%, write {percent}"),
                )
            });
            self.report(
                "decimals",
                node,
                format!("{name_zh}最多 {dp} 位小数，这里是 {number}"),
                format!("{name_en} has at most {dp} decimal places, found {number}"),
                hint,
            );
        }
        if matches!(field.kind, Kind::Percent) && field.dp.is_none() {
            self.percent_fraction(node, &name_zh, &name_en, number, normal);
        }
        // A count or year written `468.0` (as spreadsheets export it) is the whole number
        // 468: kept with scale 0, so that every page prints 468 (documented in docs/schema.md).
        let number = if matches!(field.kind, Kind::Count | Kind::Year) && whole {
            normal
        } else {
            number
        };
        changed(node, Value::Number(number))
    }

    /// The warning for a percentage whose field gives no `dp`, written as a spreadsheet
    /// holds it (0.9213 for 92.13%): below 1 with more decimals than a percentage is
    /// written with. (Apart, and cold: the checks of every number stay small.)
    #[cold]
    fn percent_fraction(
        &mut self,
        node: &Node,
        name_zh: &str,
        name_en: &str,
        number: Decimal,
        normal: Decimal,
    ) {
        if normal.scale() < 3 || number <= Decimal::ZERO || number >= Decimal::ONE {
            return;
        }
        let Some(percent) = number.checked_mul(Decimal::ONE_HUNDRED) else {
            return;
        };
        let percent = percent.normalize();
        let scale = normal.scale();
        self.warn(
            "percent-fraction",
            node.location(self.file),
            Text::new(
                format!("{name_zh}是百分数，这里是 {number}：看起来是把 {percent}% 写成了小数（表格里的 {percent}% 存为 {number}）"),
                format!("{name_en} is a percentage, found {number}: it looks like {percent}% written as a fraction (a spreadsheet holds {percent}% as {number})"),
            ),
            Text::new(
                format!("写成 {percent}；若确是 {number}%，在 data/schema.yaml 里给这个字段写 dp: {scale}，这条警告就不再出现"),
                format!("write {percent}; if it is {number}% indeed, give the field dp: {scale} in data/schema.yaml and this warning goes"),
            ),
        );
    }

    /// A number typed with a Chinese keyboard: full-width digits, comma, space, quotes.
    fn full_width_number(&mut self, node: &Node, name: (&str, &str), text: &str, field: &Field) {
        let unit = field.unit.as_deref().unwrap_or_default();
        let Some(found) = units::first_full_width(text) else {
            return;
        };
        // The number meant, when the text is one once typed half-width (`342（万元）` → 342:
        // not `342(万元)`, which is no number either).
        let half = units::number_meant(text, unit)
            .map_or_else(|| units::to_half_width(text), |meant| meant.to_string());
        let ch = found.ch;
        let (what_zh, what_en) = found.what;
        // A full stop typed after the number, as at a sentence's end.
        let before_stop = text
            .trim_end()
            .strip_suffix(ch)
            .filter(|before| matches!(ch, '。' | '．') && crate::load::looks_like_decimal(before));
        // (A comma not before three digits: `13，2` is not 132 for sure.)
        let comma = (ch == '，')
            .then(|| misplaced_comma_hint(text, &field.kind))
            .flatten();
        let hint = match (ch, before_stop, comma) {
            (_, Some(before), _) => Text::new(
                format!("去掉数字后面的句号「{ch}」，写成 {before}"),
                format!("remove the full stop `{ch}` after the number: write {before}"),
            ),
            (_, _, Some(comma)) => comma,
            ('，', None, None) => Text::new(
                format!(
                    "这里是全角逗号「，」（千位分隔符）：数字不用分隔符，请切换到半角输入，写成 {half}"
                ),
                format!(
                    "this is a full-width comma `，` (a thousands separator): numbers take none; switch to half-width input and write {half}"
                ),
            ),
            ('“' | '”' | '「' | '」' | '『' | '』' | '‘' | '’' | '＂' | '＇', None, _) => {
                Text::new(
                    format!("这里是全角引号「{ch}」：数字不加引号，请切换到半角输入，写成 {half}"),
                    format!(
                        "this is a full-width quotation mark `{ch}`: numbers take no quotes; switch to half-width input and write {half}"
                    ),
                )
            }
            _ => Text::new(
                format!(
                    "这里是{what_zh}「{ch}」，请切换到半角输入，写成 {half}（「{text}」→ {half}）"
                ),
                format!(
                    "this is {what_en} `{ch}` (Chinese input): switch to half-width input and write {half}"
                ),
            ),
        };
        let mut d = Diagnostic::error(
            "type",
            Some(char_location(node, text, found.index, self.file)),
            Text::new(
                format!(
                    "{}应是数字，这里是文本「{text}」：其中有{what_zh}「{ch}」",
                    name.0
                ),
                format!(
                    "{} must be a number, found the text `{text}`: it has {what_en} `{ch}`",
                    name.1
                ),
            ),
        );
        d.hint = Some(hint);
        self.problems.push(d);
    }

    /// A number followed by a comment typed without its space (`468#人`): YAML reads `#` as
    /// a comment only after a space, so the whole is text. Said at the `#`; `true` when so.
    fn comment_without_space(&mut self, node: &Node, name: (&str, &str), text: &str) -> bool {
        let Some(at) = text.find('#').filter(|&at| at > 0) else {
            return false;
        };
        let before = text[..at].trim_end();
        if !crate::load::looks_like_decimal(before) && units::split_number_unit(before).is_none() {
            return false;
        }
        let comment = text[at + 1..].trim();
        let index = text[..at].chars().count();
        let mut d = Diagnostic::error(
            "type",
            Some(char_location(node, text, index, self.file)),
            Text::new(
                format!(
                    "{}应是数字，这里是文本「{text}」：「#」前没有空格，不算注释",
                    name.0
                ),
                format!(
                    "{} must be a number, found the text `{text}`: with no space before `#`, it is no comment",
                    name.1
                ),
            ),
        );
        d.hint = Some(Text::new(
            format!("注释的「#」前要空一格：写成 {before}  # {comment}"),
            format!("a comment's `#` follows a space: write {before}  # {comment}"),
        ));
        self.problems.push(d);
        true
    }

    /// A number written as text: with a unit (`342元`), converted exactly to the field's;
    /// full-width digits, thousands separators and `万` named where they are. `None` when it
    /// is not one (reported).
    #[cold]
    fn number_in_text(
        &mut self,
        field: &Field,
        node: &Node,
        name: (&str, &str),
        text: &str,
    ) -> Option<Decimal> {
        let (name_zh, name_en) = name;
        if units::first_full_width(text).is_some() {
            self.full_width_number(node, name, text, field);
            return None;
        }
        if let Some((word, exact)) = slips::approximate(text) {
            // (`约81万` in a field of 万元: 81.)
            let exact = super::meant_with_multiplier(field, &exact)
                .map_or(exact, |meant| meant.to_string());
            self.report(
                "type",
                node,
                format!("{name_zh}应是确切的数字，这里是「{text}」"),
                format!("{name_en} must be an exact number, found `{text}`"),
                Some(Text::new(
                    format!("报告里的数要确切：去掉「{word}」，写成 {exact}"),
                    format!("a report's figures are exact: remove `{word}` and write {exact}"),
                )),
            );
            return None;
        }
        if self.comment_without_space(node, name, text) {
            return None;
        }
        if let Some((end, plain)) = crate::figure::scientific_prefix(text) {
            let (message, hint) = crate::figure::scientific_mistake(&text[..end], &plain);
            self.report(
                "number-scientific",
                node,
                format!("{name_zh}：{}", message.zh),
                format!("{name_en}: {}", message.en),
                Some(hint),
            );
            return None;
        }
        let split = units::split_number_unit(text);
        let not_a_unit = split.is_some_and(|(_, unit)| {
            (unit.starts_with('万') && unit != "万元")
                || unit.starts_with(|c: char| c.is_ascii_digit())
        });
        let Some((number, unit)) = split.filter(|_| !text.contains([',', '，']) && !not_a_unit)
        else {
            self.text_not_number(field, node, name, text);
            return None;
        };
        // The number part must be a number on its own: `.元` is not 0元.
        let parsed = crate::load::looks_like_decimal(number)
            .then(|| crate::figure::parse_decimal(number).ok())
            .flatten();
        let converted = parsed.and_then(|n| match &field.unit {
            Some(to) => units::convert(n, unit, to),
            // A percentage's own sign, where the schema gives no unit (`type: percent`).
            None if field.kind == Kind::Percent && unit == "%" => Some(n),
            None => None,
        });
        if let (None, None, Some(bare)) = (converted, &field.unit, parsed) {
            self.report(
                "unit",
                node,
                format!("{name_zh}没有单位，这里写了「{unit}」"),
                format!("{name_en} has no unit; found `{unit}`"),
                Some(Text::new(
                    format!("去掉「{unit}」，只写数字 {bare}"),
                    format!("remove `{unit}` and write the bare number {bare}"),
                )),
            );
        } else if let Some((ch, (what_zh, what_en))) = unit
            .chars()
            .find_map(|c| Some((c, super::text::invisible(c)?)))
            && converted.is_none()
        {
            // `1445人次` with a zero-width space after it (copied from a web page or a chat):
            // quoted as written, the unit would look right.
            let code = format!("U+{:04X}", ch as u32);
            let seen: String = unit
                .chars()
                .filter(|c| super::text::invisible(*c).is_none())
                .collect();
            self.report(
                "unit",
                node,
                format!("{name_zh}的单位「{seen}」里有看不见的字符 {code}（{what_zh}）"),
                format!("{name_en}: the unit `{seen}` has an invisible character {code} ({what_en})"),
                Some(Text::new(
                    format!(
                        "删除它（通常是从网页、微信或 Word 复制时带进来的）：重新输入 {number}{seen}，或只写数字 {number}"
                    ),
                    format!(
                        "delete it (it usually comes with text copied from a web page, a chat or Word): type {number}{seen} again, or the bare number {number}"
                    ),
                )),
            );
        } else if converted.is_none() {
            let unit_text = field.unit.clone().unwrap_or_default();
            let meant = field
                .unit
                .as_deref()
                .and_then(|to| Some((to, units::number_meant(text, to)?)));
            let hint = match (&field.unit, meant) {
                // (`342(万元)`: the unit in brackets, 342.)
                (Some(_), Some((to, meant))) => Text::new(
                    format!("只写数字（可带单位，不加括号）：写成 {meant}（或 {meant}{to}）"),
                    format!(
                        "write the number alone (a unit may follow, without brackets): write {meant} (or {meant}{to})"
                    ),
                ),
                (Some(to), None) => Text::new(
                    format!("这一项的单位是「{to}」：直接写数字，或写成能换算的单位"),
                    format!(
                        "this field is in {to}: write the bare number, or a unit that converts to it"
                    ),
                ),
                (None, _) => Text::new(
                    "这一项没有单位：只写数字",
                    "this field has no unit: write the bare number",
                ),
            };
            self.report(
                "unit",
                node,
                format!("{name_zh}的单位「{unit}」不能换算成「{unit_text}」"),
                format!("{name_en}: the unit `{unit}` does not convert to `{unit_text}`"),
                Some(hint),
            );
        }
        converted
    }
}

/// For a year written with two digits (`exit_year: 18`), the year of this century it
/// stands for, when the field allows it: 写成 2018.
fn two_digit_year(field: &Field, year: Decimal) -> Option<Text> {
    let two_digits = year.scale() == 0 && (Decimal::ZERO..Decimal::ONE_HUNDRED).contains(&year);
    if field.kind != Kind::Year || !two_digits {
        return None;
    }
    let meant = year + Decimal::from(2000);
    let (min, max) = field.bounds();
    if min.is_some_and(|min| meant < min) || max.is_some_and(|max| meant > max) {
        return None;
    }
    Some(Text::new(
        format!("年份写四位数：{year} 写成 {meant}"),
        format!("write the year with four digits: {year} as {meant}"),
    ))
}

/// The hint for a number with a comma where no thousands separator goes (see
/// [`units::misplaced_comma`]) in a field of kind `kind`: `4,` is 4; `13,2` is 132, or 13.2
/// where the field takes decimals — which, only the clerk's source can say.
pub(super) fn misplaced_comma_hint(text: &str, kind: &Kind) -> Option<Text> {
    let comma = units::misplaced_comma(text)?;
    let joined = comma.joined;
    if comma.trailing {
        return Some(Text::new(
            format!("去掉数字后面的逗号：写成 {joined}"),
            format!("remove the comma after the number: write {joined}"),
        ));
    }
    let whole = matches!(kind, Kind::Count | Kind::Year);
    Some(match comma.decimal.filter(|_| !whole) {
        Some(decimal) => Text::new(
            format!(
                "「{text}」里的逗号不是千位分隔符（千位分隔符后面是三位数字）：核对原始数字，是小数就写成 {decimal}（小数点用「.」），是整数就写成 {joined}"
            ),
            format!(
                "the comma in `{text}` is no thousands separator (three digits follow one): check the source; a decimal is written {decimal} (with a `.`), a whole number {joined}"
            ),
        ),
        None => Text::new(
            format!(
                "「{text}」里的逗号不是千位分隔符（千位分隔符后面是三位数字）：核对原始数字，去掉逗号是 {joined}"
            ),
            format!(
                "the comma in `{text}` is no thousands separator (three digits follow one): check the source; without the comma it is {joined}"
            ),
        ),
    })
}

//! An entry of the corrections log as written: a mapping of its five keys, each a text or a
//! number, with a reason and a real date.

use std::path::Path;

use super::{ENTRY_KEYS, PLACEHOLDER, problem, today};
use crate::diagnostics::{Diagnostic, Text};
use crate::load::{Node, Value};
use crate::validate::schema::did_you_mean;

/// An entry's texts as written, each with its node.
pub(super) struct Entry<'n> {
    pub(super) date: (String, &'n Node),
    pub(super) what: (String, &'n Node),
    pub(super) old: (String, &'n Node),
    pub(super) new: (String, &'n Node),
    pub(super) reason: (String, &'n Node),
}

/// What an entry as written gives: the entry, when it has its five keys (`sound` when its
/// date and reason are right too), or the texts it has.
pub(super) enum Written<'n> {
    /// All five keys, each a text or a number.
    Whole { entry: Entry<'n>, sound: bool },
    /// Some keys missing or of another kind: the texts of those there are.
    Partial(Texts<'n>),
}

/// An entry's texts as written, those there are.
#[derive(Default)]
pub(super) struct Texts<'n> {
    pub(super) date: Option<(String, &'n Node)>,
    pub(super) what: Option<(String, &'n Node)>,
    pub(super) old: Option<(String, &'n Node)>,
    pub(super) new: Option<(String, &'n Node)>,
    pub(super) reason: Option<(String, &'n Node)>,
}

/// An entry as written, every problem of its date and reason said (a date to come is a
/// warning); `None` when it is not a mapping.
pub(super) fn entry_of<'n>(
    item: &'n Node,
    file: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Option<Written<'n>> {
    let (texts, whole) = entry_texts(item, file, problems)?;
    let reason = texts.reason.as_ref().and_then(|r| reason_problem(r, file));
    let date = texts.date.as_ref().and_then(|d| date_problem(d, file));
    let sound = reason.is_none() && date.is_none();
    problems.extend(reason.into_iter().chain(date));
    if sound {
        problems.extend(texts.date.as_ref().and_then(|d| date_to_come(d, file)));
    }
    if !whole {
        return Some(Written::Partial(texts));
    }
    let Texts {
        date: Some(date),
        what: Some(what),
        old: Some(old),
        new: Some(new),
        reason: Some(reason),
    } = texts
    else {
        return Some(Written::Partial(texts));
    };
    let entry = Entry {
        date,
        what,
        old,
        new,
        reason,
    };
    Some(Written::Whole { entry, sound })
}

/// The texts of an entry that is a mapping, and whether it has the five keys, each a text or
/// a number, and no other (`None` when it is not a mapping).
pub(super) fn entry_texts<'n>(
    item: &'n Node,
    file: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Option<(Texts<'n>, bool)> {
    let error =
        |node: &Node, zh: String, en: String, hint: Option<Text>| problem(file, node, zh, en, hint);
    let Value::Map(entries) = &item.value else {
        problems.push(error(
            item,
            "每条更正要写成「键: 值」：date、what、old、new、reason".into(),
            "each correction is a mapping: date, what, old, new, reason".into(),
            None,
        ));
        return None;
    };
    let mut ok = true;
    // The keys the unknown ones most likely mean (`waht`: `what`), not said to be missing too.
    let mut meant = Vec::new();
    for (key, _) in entries {
        if !ENTRY_KEYS.contains(&&*key.name) {
            ok = false;
            problems.push(unknown_key(file, key, ENTRY_KEYS));
            meant.extend(crate::suggest::did_you_mean(
                &key.name,
                ENTRY_KEYS.iter().copied(),
            ));
        }
    }
    let mut text = |key: &str| -> Option<(String, &Node)> {
        match item.get(key) {
            None
            | Some(Node {
                value: Value::Null, ..
            }) if meant.contains(&key) => {
                ok = false;
                None
            }
            None
            | Some(Node {
                value: Value::Null, ..
            }) => {
                ok = false;
                let mut missing = error(
                    item,
                    format!("这条更正缺少 {key}"),
                    format!("this correction has no {key}"),
                    Some(Text::new(
                        "每条更正都要写 date（日期）、what（哪个数字）、old（原数）、new（新数）、reason（原因）",
                        "every correction has date, what (the figure), old, new and reason",
                    )),
                );
                // Written with nothing after it (`reason:`): told at its own line.
                if let Some((written, _)) = entries.iter().find(|(k, _)| &*k.name == key) {
                    missing.location = Some(written.location(file));
                }
                problems.push(missing);
                None
            }
            Some(node) => match &node.value {
                Value::String(s) => Some((s.trim().to_string(), node)),
                Value::Number(n) => Some((n.to_string(), node)),
                _ => {
                    ok = false;
                    problems.push(error(
                        node,
                        format!("{key} 要写成文本或数字，这里是{}", node.kind().zh),
                        format!("{key} must be text or a number, found a {}", node.kind().en),
                        None,
                    ));
                    None
                }
            },
        }
    };
    let texts = Texts {
        date: text("date"),
        what: text("what"),
        old: text("old"),
        new: text("new"),
        reason: text("reason"),
    };
    Some((texts, ok))
}

/// The problem of a `reason` that says nothing: not a text, empty, or the template's
/// placeholder.
pub(super) fn reason_problem((reason, node): &(String, &Node), file: &Path) -> Option<Diagnostic> {
    let said = matches!(node.value, Value::String(_)) && !reason.is_empty();
    if said && reason != PLACEHOLDER {
        return None;
    }
    Some(problem(
        file,
        node,
        "reason 要写明更正的原因（文字）".into(),
        "reason must say why the figure was corrected (text)".into(),
        Some(Text::new(
            "例如：县卫健局复核，补录一人次",
            "for example: rechecked by the county health bureau, one stay added",
        )),
    ))
}

/// The problem of a `date` that is not a year-month-day.
pub(super) fn date_problem((date, node): &(String, &Node), file: &Path) -> Option<Diagnostic> {
    if crate::validate::fields::is_date(date) {
        return None;
    }
    if let Some(why) = crate::validate::slips::date_not_there(date) {
        return Some(problem(
            file,
            node,
            format!("没有「{date}」这一天"),
            format!("there is no day `{date}`"),
            Some(why),
        ));
    }
    Some(problem(
        file,
        node,
        format!("日期「{date}」要写成 2020-12-01 这样的年-月-日"),
        format!("the date `{date}` must be written year-month-day, e.g. 2020-12-01"),
        crate::validate::slips::date_meant(date)
            .map(|meant| Text::new(format!("写成 {meant}"), format!("write {meant}"))),
    ))
}

/// A correction is made after the fact: a date to come is a slip of the year or month (a
/// warning).
pub(super) fn date_to_come((date, node): &(String, &Node), file: &Path) -> Option<Diagnostic> {
    let today = today();
    if *date <= today {
        return None;
    }
    Some(
        Diagnostic::new(
            crate::diagnostics::Severity::Warning,
            "correction-date",
            Some(node.location(file)),
            Text::new(
                format!("更正日期「{date}」在今天（{today}）之后"),
                format!("the correction's date `{date}` is after today ({today})"),
            ),
        )
        .with_hint(Text::new(
            "写更正实际做出的日期；是不是年份或月份写错了？",
            "write the date the correction was made; is the year or the month mistyped?",
        )),
    )
}

/// A key the log does not have, with a did-you-mean among `allowed`.
pub(super) fn unknown_key(file: &Path, key: &crate::load::Key, allowed: &[&str]) -> Diagnostic {
    let hint = match did_you_mean(&key.name, allowed.iter().copied()) {
        Some(s) => Text::new(format!("是不是「{s}」？"), format!("did you mean `{s}`?")),
        None => Text::new(
            format!("可用的键：{}", allowed.join("、")),
            format!("the keys are: {}", allowed.join(", ")),
        ),
    };
    Diagnostic::error(
        "correction",
        Some(key.location(file)),
        Text::new(
            format!("更正记录里有未知的键「{}」", key.name),
            format!("unknown key `{}` in the corrections log", key.name),
        ),
    )
    .with_hint(hint)
}

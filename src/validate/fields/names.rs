//! How a field and a value's place are named in messages (written only when a message
//! needs them: a site of 10,000 villages checks a million values), and what a clerk's
//! slips mean.

use crate::load::Node;
use crate::validate::schema::Field;
use crate::validate::{slips, units};

/// The line to write for the key `name` holding `value` (`people: 468`; `people:` when the
/// value is no single one).
pub(super) fn key_written(name: &str, value: &Node) -> String {
    match value.value.scalar_text() {
        Some(v) => format!("{name}: {v}"),
        None => format!("{name}:"),
    }
}

/// The field whose label a key in Chinese cuts short (`退出年度` of 退出贫困村年度: each of
/// its characters there, in order), when only one field's label does.
pub(super) fn label_cut_short(fields: &[(String, Field)], written: &str) -> Option<usize> {
    if written.is_ascii() {
        return None;
    }
    let holds = |label: &str| {
        let mut rest = label.chars();
        written.chars().all(|c| rest.any(|l| l == c))
    };
    let mut found = fields
        .iter()
        .enumerate()
        .filter(|(_, (_, f))| f.label.as_deref().is_some_and(holds))
        .map(|(at, _)| at);
    match (found.next(), found.next()) {
        (Some(at), None) => Some(at),
        _ => None,
    }
}

/// How a field is named in messages: `建档立卡贫困户（registered.households）`.
/// A field's name in messages, in Chinese and in English. Written only when a message needs
/// it: most values have none, and a site of 10,000 villages checks a million.
pub(super) fn name_of<'f>(
    field: &'f Field,
    path: &'f dyn std::fmt::Display,
) -> (FieldName<'f>, FieldName<'f>) {
    let name = |zh| FieldName {
        field,
        path,
        zh,
        text: std::cell::OnceCell::new(),
    };
    (name(true), name(false))
}

/// See [`name_of`].
pub(super) struct FieldName<'f> {
    pub(super) field: &'f Field,
    pub(super) path: &'f dyn std::fmt::Display,
    pub(super) zh: bool,
    pub(super) text: std::cell::OnceCell<String>,
}

impl std::ops::Deref for FieldName<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        self.text.get_or_init(|| {
            let path = self.path;
            match (&self.field.label, self.zh) {
                (Some(label), true) => format!("「{label}」（{path}）"),
                (Some(label), false) => format!("`{path}` ({label})"),
                (None, true) => format!("「{path}」"),
                (None, false) => format!("`{path}`"),
            }
        })
    }
}

impl std::fmt::Display for FieldName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

/// Where a value is in its file (`registered.households`, `exits.0.year`): written out
/// only when a message names it (a site of 10,000 villages checks a million values).
#[derive(Clone, Copy)]
pub(super) enum FieldPath<'p> {
    /// The file's top-level mapping.
    Root,
    /// The value of a key of the mapping at a path.
    Key(&'p FieldPath<'p>, &'p str),
    /// An item of the list at a path.
    Item(&'p FieldPath<'p>, usize),
}

impl FieldPath<'_> {
    /// The last part of the path (`households`).
    pub(super) fn last(&self) -> String {
        match self {
            FieldPath::Root => String::new(),
            FieldPath::Key(_, key) => key.to_string(),
            FieldPath::Item(_, item) => item.to_string(),
        }
    }
}

impl std::fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (parent, part): (_, &dyn std::fmt::Display) = match self {
            FieldPath::Root => return Ok(()),
            FieldPath::Key(parent, key) => (parent, key),
            FieldPath::Item(parent, item) => (parent, item),
        };
        match parent {
            FieldPath::Root => write!(f, "{part}"),
            parent => write!(f, "{parent}.{part}"),
        }
    }
}

/// The value in `field`'s unit of `text` written with `万` or `亿` as a multiplier
/// (`0.468万` in 人 is 4680; `580.25万` in 万元 is 580.25), exactly; `None` when it is not
/// one, or its unit is not the field's.
pub(super) fn meant_with_multiplier(field: &Field, text: &str) -> Option<rust_decimal::Decimal> {
    let (number, times, _, rest) = slips::with_multiplier(text)?;
    let whole = number.checked_mul(times)?;
    let unit = field.unit.as_deref().unwrap_or_default();
    let meant = match units::family(unit) {
        Some(family) => {
            let from = if rest.is_empty() {
                units::base(family)
            } else {
                rest
            };
            units::convert(whole, from, unit)?
        }
        None if rest.is_empty() || rest == unit => whole,
        None => return None,
    };
    Some(meant.normalize())
}

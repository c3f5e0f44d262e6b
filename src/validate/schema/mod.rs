//! The schema language: `data/schema.yaml` declares every data file's fields (type, unit,
//! range, required) and the consistency rules across files. See `docs/schema.md`.
//!
//! The model is here; [`read`] reads it from the YAML, [`plausible`] turns `plausible:`
//! declarations into rules, [`crate::suggest`] gives did-you-mean hints and [`pattern`] matches
//! file patterns.

mod pattern;
mod plausible;
mod read;

use rust_decimal::Decimal;

use crate::diagnostics::{Location, Severity, Text};
use crate::validate::expr::Expr;

pub use crate::suggest::did_you_mean;
pub use pattern::{DataName, matches, matches_name};
pub use read::parse;

/// A site's schema.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// Data-file patterns and their fields, in the order written.
    pub files: Vec<FileSchema>,
    /// Consistency rules, in the order written.
    pub rules: Vec<Rule>,
}

/// The fields of the data files matching a pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct FileSchema {
    /// `township.yaml`, `villages/*.yaml` (relative to `data/`; `*` matches within one name).
    pub pattern: String,
    /// What such a file holds, in Chinese.
    pub label: Option<String>,
    /// The fields of the file's top-level mapping.
    pub fields: Vec<(String, Field)>,
}

/// One field: its kind and constraints.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// What the value is.
    pub kind: Kind,
    /// Its Chinese name, used in messages (`建档立卡贫困户`).
    pub label: Option<String>,
    /// Its unit (`户`, `万元`, `%`); a value may be written with a convertible unit (`342元`).
    pub unit: Option<String>,
    /// Whether the field must be present (and not empty).
    pub required: bool,
    /// The smallest value allowed.
    pub min: Option<Decimal>,
    /// The largest value allowed.
    pub max: Option<Decimal>,
    /// At most this many decimal places.
    pub dp: Option<u32>,
    /// In a list: no two items have the same value of this field; across the files of a
    /// folder: no two files do.
    pub unique: bool,
    /// A plausible range (per another figure): outside it, a likely unit or typing error.
    pub plausible: Option<Plausible>,
    /// Where it is declared in the schema.
    pub line: u32,
    /// Column of the declaration.
    pub col: u32,
}

impl Field {
    /// A required record of `fields`, declared at `line`:`col`, with no other constraint.
    pub fn record(fields: Vec<(String, Field)>, line: u32, col: u32) -> Field {
        Field {
            kind: Kind::Record(fields),
            label: None,
            unit: None,
            required: true,
            min: None,
            max: None,
            dp: None,
            unique: false,
            plausible: None,
            line,
            col,
        }
    }

    /// The range its numbers must be in: its own `min` and `max`, else its kind's (a count
    /// or an amount at least 0, a percentage 0–100, a year 1900–2100).
    pub fn bounds(&self) -> (Option<Decimal>, Option<Decimal>) {
        let (min, max) = match self.kind {
            Kind::Count | Kind::Amount => (Some(Decimal::ZERO), None),
            Kind::Percent => (Some(Decimal::ZERO), Some(Decimal::ONE_HUNDRED)),
            Kind::Year => (Some(Decimal::from(1900)), Some(Decimal::from(2100))),
            _ => (None, None),
        };
        (self.min.or(min), self.max.or(max))
    }

    /// Whether the field checks refuse `number` as its value: a count or year not whole, out
    /// of [`Field::bounds`], more decimals than `dp`.
    pub fn refuses(&self, number: Decimal) -> bool {
        let normal = number.normalize();
        let (min, max) = self.bounds();
        matches!(self.kind, Kind::Count | Kind::Year) && normal.scale() > 0
            || min.is_some_and(|min| number < min)
            || max.is_some_and(|max| number > max)
            || self.dp.is_some_and(|dp| normal.scale() > dp)
    }
}

/// `plausible: {per: policies.industry.projects, min: 1, max: 500}`: the value (divided by
/// `per` when given) is expected between `min` and `max`; outside, it is reported (a warning
/// unless `severity: error`) as a likely unit or typing error. Becomes a rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Plausible {
    /// The figure the value is divided by (a rule path; `it.` is the record itself).
    pub per: Option<Expr>,
    /// The text of `per`, for messages.
    pub per_text: Option<String>,
    /// The smallest plausible value.
    pub min: Option<Decimal>,
    /// The largest plausible value.
    pub max: Option<Decimal>,
    /// Warning (default) or error.
    pub severity: Severity,
}

/// The kinds of fields.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A whole number ≥ 0 (户, 人, 个 …).
    Count,
    /// Money: a decimal ≥ 0 in 元, 万元 or 亿元.
    Amount,
    /// A percentage, 0 to 100 unless declared otherwise.
    Percent,
    /// Any decimal number.
    Decimal,
    /// Text.
    Text,
    /// A year (1900–2100).
    Year,
    /// A date written `2020-10-31`.
    Date,
    /// `true` or `false`.
    Bool,
    /// One of the listed texts.
    Enum(Vec<String>),
    /// The id of a file in a data folder (`to: villages` → a file in `data/villages/`).
    Ref(String),
    /// A list whose items follow the inner field.
    List(Box<Field>),
    /// A mapping with these fields.
    Record(Vec<(String, Field)>),
}

impl Kind {
    /// The type's name as written in the schema.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Count => "count",
            Kind::Amount => "amount",
            Kind::Percent => "percent",
            Kind::Decimal => "decimal",
            Kind::Text => "text",
            Kind::Year => "year",
            Kind::Date => "date",
            Kind::Bool => "bool",
            Kind::Enum(_) => "enum",
            Kind::Ref(_) => "ref",
            Kind::List(_) => "list",
            Kind::Record(_) => "record",
        }
    }

    /// Whether values of this kind are numbers.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            Kind::Count | Kind::Amount | Kind::Percent | Kind::Decimal | Kind::Year
        )
    }
}

/// A consistency rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// Its id, shown with every problem it finds.
    pub id: String,
    /// The condition that must hold.
    pub check: Expr,
    /// `v in villages.*`: check once per item, with the item bound to `v`.
    pub each: Option<(String, Expr)>,
    /// Error, warning (or info when explained).
    pub severity: Severity,
    /// What it means when the rule does not hold, in Chinese.
    pub message: Text,
    /// What to do.
    pub hint: Option<Text>,
    /// A declared reason why the rule does not hold, and the gap it covers: inside that gap
    /// the failure is reported as information; outside it, as an error.
    pub explained: Option<Explained>,
    /// Where it is declared.
    pub location: Location,
}

/// `explained: {reason: …, reason_en: …, within: <expr>}`: why a rule does not hold for
/// these data, and the bound of the gap that reason covers.
#[derive(Clone, Debug, PartialEq)]
pub struct Explained {
    /// The reason, in both languages.
    pub reason: Text,
    /// The condition the explained gap satisfies (its direction and plausible size).
    pub within: Expr,
    /// The text of `within`, for messages.
    pub within_text: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn suggestions_for_typos() {
        assert_eq!(
            did_you_mean("housholds", ["households", "people"].into_iter()),
            Some("households")
        );
        assert_eq!(
            did_you_mean("zzz", ["households", "people"].into_iter()),
            None
        );
    }

    #[test]
    fn a_pattern_with_two_stars_in_one_name_is_refused() {
        let text = "files:\n  villages/*_*.yaml:\n    fields:\n      name: text\n";
        let node = crate::load::yaml::parse(text, Path::new("data/schema.yaml")).unwrap();
        let problems = parse(&node).unwrap_err();
        assert!(
            problems[0].message.en.contains("one * per folder level"),
            "{problems:?}"
        );
        assert_eq!(problems[0].location.as_ref().unwrap().line, 2);
    }

    #[test]
    fn patterns_match_within_one_name() {
        assert!(matches(
            "villages/*.yaml",
            Path::new("data/villages/hengxi.yaml")
        ));
        assert!(!matches(
            "villages/*.yaml",
            Path::new("data/villages/a/b.yaml")
        ));
        assert!(matches("township.yaml", Path::new("data/township.yaml")));
        assert!(!matches(
            "township.yaml",
            Path::new("data/villages/township.yaml")
        ));
        // A shorter or a longer path, another extension.
        assert!(!matches("villages/*.yaml", Path::new("data/villages")));
        assert!(!matches(
            "villages/*.yaml",
            Path::new("data/villages/v1.yml")
        ));
        assert!(!matches("*.yaml", Path::new("data/villages/v1.yaml")));
        assert!(matches("*.yaml", Path::new("data/township.yaml")));
    }
}

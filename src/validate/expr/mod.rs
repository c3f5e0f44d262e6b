//! The rule language: small, exact expressions over the data, for consistency rules.
//!
//! ```text
//! sum(villages.*.registered.households) == township.registered.households
//! policies.health.family_doctor.chronic_people <= policies.health.family_doctor.served_people
//! round(a.people / a.population * 100, 2) == a.rate_percent
//! count(villages[status == "十三五贫困村" and exit_year != null]) == township.poor_villages.thirteenth_plan
//! ```
//!
//! Numbers are `rust_decimal::Decimal` throughout: `+ - * /` are exact (division to 28
//! significant digits), and the only rounding is `round(x, dp)`, half-up. Paths name data as
//! templates do (`township.registered.people`); `*` takes every item of a list or every file
//! of a folder, `[condition]` keeps the items for which the condition holds (names inside
//! it are the item's fields). Every value a rule reads is remembered with its location, so
//! a failed rule can show each one.
//!
//! [`syntax`] reads the text into an [`Expr`]; [`eval`] evaluates it against the data.

mod eval;
mod syntax;

use rust_decimal::Decimal;

pub use eval::{
    DataIndex, EvalError, Evaluator, LeftOut, Place, Reading, Val, describe_en, describe_zh,
};
pub use syntax::parse;

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A number literal.
    Number(Decimal),
    /// A text literal in double quotes.
    Text(String),
    /// `true` or `false`.
    Bool(bool),
    /// `null`: a missing or empty value.
    Null,
    /// A path into the data.
    Path(Vec<Segment>),
    /// `-x`.
    Negate(Box<Expr>),
    /// `not x`.
    Not(Box<Expr>),
    /// `a op b`.
    Binary(Op, Box<Expr>, Box<Expr>),
    /// `name(args)`: one of the [`Builtin`]s.
    Call(Builtin, Vec<Expr>),
}

/// One step of a path.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// `.name`
    Key(String),
    /// `.*`: every item of a list, every entry of a mapping, every file of a folder.
    Every,
    /// `.0`: one item of a list.
    Index(usize),
    /// `[condition]`: the items for which it holds.
    Filter(Box<Expr>),
}

/// Binary operators, from loosest to tightest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl Op {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Or => "or",
            Op::And => "and",
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
        }
    }

    pub(super) fn is_comparison(self) -> bool {
        matches!(self, Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }
}

/// A parse error: what is wrong and the character offset where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 0-based offset in characters.
    pub offset: usize,
    /// What is wrong, in both languages (the caller words its message around it).
    pub message: crate::diagnostics::Text,
}

/// The functions of the rule language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// `sum(path)`: the exact sum of the numbers a path finds.
    Sum,
    /// `count(path)`: how many values (or files) a path finds, nulls aside.
    Count,
    /// `min(path)`: the smallest number a path finds.
    Min,
    /// `max(path)`: the largest.
    Max,
    /// `abs(x)`.
    Abs,
    /// `round(x, dp)`: half-up to `dp` decimals.
    Round,
}

impl Builtin {
    /// Every function of the language, in the order the messages list them.
    pub const ALL: [Builtin; 6] = [
        Builtin::Sum,
        Builtin::Count,
        Builtin::Min,
        Builtin::Max,
        Builtin::Abs,
        Builtin::Round,
    ];

    /// The function of `name`, if the language has one.
    pub fn named(name: &str) -> Option<Builtin> {
        Some(match name {
            "sum" => Builtin::Sum,
            "count" => Builtin::Count,
            "min" => Builtin::Min,
            "max" => Builtin::Max,
            "abs" => Builtin::Abs,
            "round" => Builtin::Round,
            _ => return None,
        })
    }

    /// Its name as written.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Sum => "sum",
            Builtin::Count => "count",
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Abs => "abs",
            Builtin::Round => "round",
        }
    }

    /// How many arguments it takes.
    pub fn arity(self) -> usize {
        match self {
            Builtin::Round => 2,
            _ => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Data, load_file};
    use std::path::PathBuf;

    fn data(files: &[(&str, &str)]) -> (tempfile::TempDir, Data) {
        let dir = tempfile::tempdir().unwrap();
        let mut loaded = Vec::new();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, text).unwrap();
            loaded.push(std::sync::Arc::new(
                load_file(dir.path(), &PathBuf::from(path)).unwrap(),
            ));
        }
        (dir, Data { files: loaded })
    }

    #[derive(Debug, PartialEq)]
    enum Simple {
        Number(Decimal),
        Bool(bool),
        Text(String),
    }

    fn eval(data: &Data, source: &str) -> Simple {
        let index = DataIndex::new(data);
        let mut evaluator = Evaluator::new(&index);
        let expr = parse(source).unwrap();
        match evaluator.eval(&expr).unwrap() {
            Val::Number(n) => Simple::Number(n),
            Val::Bool(b) => Simple::Bool(b),
            Val::Text(t) => Simple::Text(t),
            other => Simple::Text(describe_en(&other)),
        }
    }

    fn sample() -> (tempfile::TempDir, Data) {
        data(&[
            (
                "data/township.yaml",
                "registered:\n  households: 210\nexits:\n  - people: 0.1\n  - people: 0.2\n",
            ),
            (
                "data/villages/a.yaml",
                "name: 甲村\nstatus: 十三五贫困村\nexit_year: 2018\nregistered:\n  households: 200\n",
            ),
            (
                "data/villages/b.yaml",
                "name: 乙村\nstatus: 非贫困村\nregistered:\n  households: 10\n",
            ),
        ])
    }

    #[test]
    fn sums_counts_and_filters() {
        let (_dir, d) = sample();
        assert_eq!(
            eval(
                &d,
                "sum(villages.*.registered.households) == township.registered.households"
            ),
            Simple::Bool(true)
        );
        assert_eq!(
            eval(&d, "sum(township.exits.*.people)"),
            Simple::Number(Decimal::new(3, 1))
        );
        assert_eq!(
            eval(
                &d,
                "count(villages[status == \"十三五贫困村\" and exit_year != null])"
            ),
            Simple::Number(Decimal::ONE)
        );
        assert_eq!(eval(&d, "villages.b.name"), Simple::Text("乙村".into()));
        assert_eq!(
            eval(&d, "round(200 / 210 * 100, 2)"),
            Simple::Number(Decimal::new(9524, 2))
        );
        assert_eq!(eval(&d, "round(0.125, 2) == 0.13"), Simple::Bool(true));
        assert_eq!(eval(&d, "1 + 2 * 3 - -1"), Simple::Number(Decimal::from(8)));
        assert_eq!(eval(&d, "not (1 > 2) and 2 >= 2"), Simple::Bool(true));
    }

    #[test]
    fn readings_remember_every_value_and_where() {
        let (_dir, d) = sample();
        let index = DataIndex::new(&d);
        let mut evaluator = Evaluator::new(&index);
        evaluator
            .eval(
                &parse("sum(villages.*.registered.households) == township.registered.households")
                    .unwrap(),
            )
            .unwrap();
        let paths: Vec<_> = evaluator
            .readings
            .iter()
            .map(|r| (r.path(), r.node.line))
            .collect();
        assert_eq!(
            paths,
            [
                ("villages.a.registered.households".to_string(), 5),
                ("villages.b.registered.households".to_string(), 4),
                ("township.registered.households".to_string(), 2)
            ]
        );
    }

    #[test]
    fn a_reading_names_the_path_of_list_items_and_whole_files() {
        let (_dir, d) = data(&[
            (
                "data/villages/a.yaml",
                "name: 甲村\nexits:\n  - year: 2015\n    people: 3\n  - year: 2016\n    people: 4\n",
            ),
            ("data/villages/b.yaml", "name: 乙村\n"),
        ]);
        let index = DataIndex::new(&d);
        let mut evaluator = Evaluator::new(&index);
        let check =
            parse("sum(villages.a.exits[year > 2015].people) + count(villages.*) == 6").unwrap();
        assert!(matches!(evaluator.eval(&check), Ok(Val::Bool(true))));
        let paths: Vec<_> = evaluator.readings.iter().map(|r| r.path()).collect();
        assert_eq!(
            paths,
            [
                "villages.a.exits.0.year",
                "villages.a.exits.1.year",
                "villages.a.exits.1.people",
                "villages.a",
                "villages.b"
            ]
        );
    }

    #[test]
    fn parse_errors_point_at_the_problem() {
        assert_eq!(parse("a = b").unwrap_err().offset, 2);
        assert_eq!(
            parse("sum(a, b)").unwrap_err().message,
            crate::diagnostics::Text::new(
                "「sum」要 1 个参数，这里有 2 个",
                "`sum` takes 1 argument(s), found 2"
            )
        );
        assert!(parse("a < b < c").is_err());
        assert!(parse("frob(a)").is_err());
        assert!(parse("(((((a").is_err());
        assert!(parse(&"(".repeat(500)).is_err());
        assert!(parse(&"-".repeat(500)).is_err());
        assert!(parse("\"open").is_err());
    }
}

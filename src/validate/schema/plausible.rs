//! `plausible:` declarations of fields, turned into rules.

use rust_decimal::Decimal;

use super::{Field, FileSchema, Kind, Rule};
use crate::diagnostics::{Location, Text};
use crate::discover::SCHEMA_FILE;
use crate::validate::expr::{self, Expr};

/// Turns every `plausible` declaration into a rule.
pub(super) fn plausibility_rules(
    file: &FileSchema,
    fields: &[(String, Field)],
    prefix: &str,
    rules: &mut Vec<Rule>,
) {
    let stem = file
        .pattern
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml");
    let (root, each) = match stem.strip_suffix("/*") {
        Some(folder) => ("it".to_string(), Some(folder.to_string())),
        None => (stem.replace('/', "."), None),
    };
    for (name, field) in fields {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        if let Kind::Record(inner) = &field.kind {
            plausibility_rules(file, inner, &path, rules);
        }
        let Some(plausible) = &field.plausible else {
            continue;
        };
        let mut segments = vec![expr::Segment::Key(root.clone())];
        segments.extend(path.split('.').map(|k| expr::Segment::Key(k.to_string())));
        let own = Expr::Path(segments);
        let value = match &plausible.per {
            Some(per) => Expr::Binary(expr::Op::Div, Box::new(own.clone()), Box::new(per.clone())),
            None => own.clone(),
        };
        // A missing optional value, or nothing to divide by, is not implausible.
        let mut skip = Expr::Binary(expr::Op::Eq, Box::new(own), Box::new(Expr::Null));
        if let Some(per) = &plausible.per {
            let zero = Expr::Binary(
                expr::Op::Eq,
                Box::new(per.clone()),
                Box::new(Expr::Number(Decimal::ZERO)),
            );
            skip = Expr::Binary(expr::Op::Or, Box::new(skip), Box::new(zero));
        }
        let mut check: Option<Expr> = None;
        for (op, bound) in [(expr::Op::Ge, plausible.min), (expr::Op::Le, plausible.max)] {
            if let Some(bound) = bound {
                let part = Expr::Binary(op, Box::new(value.clone()), Box::new(Expr::Number(bound)));
                check = Some(match check {
                    None => part,
                    Some(first) => Expr::Binary(expr::Op::And, Box::new(first), Box::new(part)),
                });
            }
        }
        let Some(check) = check else { continue };
        let check = Expr::Binary(expr::Op::Or, Box::new(skip), Box::new(check));
        let label = field.label.clone().unwrap_or_else(|| path.clone());
        let unit = field.unit.clone().unwrap_or_default();
        let range = match (plausible.min, plausible.max) {
            (Some(a), Some(b)) => format!("{a}–{b}{unit}"),
            (Some(a), None) => format!("≥{a}{unit}"),
            (None, Some(b)) => format!("≤{b}{unit}"),
            (None, None) => String::new(),
        };
        let (zh, en) = match &plausible.per_text {
            Some(per) => (
                format!(
                    "「{label}」按 {per} 平均后不在合理范围（{range}）内，可能是单位错误（如把万元写成了元）或录入错误"
                ),
                format!(
                    "`{path}` ({label}) per {per} is outside its plausible range ({range}): a likely unit error (元 for 万元) or typo"
                ),
            ),
            None => (
                format!("「{label}」不在合理范围（{range}）内，可能是单位错误或录入错误"),
                format!(
                    "`{path}` ({label}) is outside its plausible range ({range}): a likely unit error or typo"
                ),
            ),
        };
        rules.push(Rule {
            id: format!(
                "plausible-{}-{path}",
                stem.replace(['/', '*'], "-").trim_end_matches('-')
            ),
            check,
            each: each.as_ref().map(|folder| {
                let mut all: Vec<expr::Segment> = folder
                    .split('/')
                    .map(|k| expr::Segment::Key(k.to_string()))
                    .collect();
                all.push(expr::Segment::Every);
                ("it".to_string(), Expr::Path(all))
            }),
            severity: plausible.severity,
            message: Text::new(zh, en),
            hint: Some(Text::new(
                format!("核对「{label}」的数值和单位（这一项的单位是{unit}）"),
                format!("check the figure and unit of `{path}` (it is in {unit})"),
            )),
            explained: None,
            location: Location::new(SCHEMA_FILE, field.line as usize, field.col as usize),
        });
    }
}

//! Evaluates the schema's consistency rules over the checked data.

use super::expr::{DataIndex, Evaluator, Expr, Val, describe_en, describe_zh};
use super::schema::{Rule, Schema};
use crate::diagnostics::{Diagnostic, Severity, Text};
use crate::load::{Data, Value};

/// Every rule that does not hold, as diagnostics (information when explained).
pub fn check(schema: &Schema, data: &Data) -> Vec<Diagnostic> {
    let index = DataIndex::new(data);
    let mut problems = Vec::new();
    for rule in &schema.rules {
        match &rule.each {
            None => {
                let mut evaluator = Evaluator::new(&index);
                if let Some(d) = check_once(rule, &mut evaluator) {
                    problems.push(d);
                }
            }
            Some((var, path)) => {
                let mut evaluator = Evaluator::new(&index);
                let places = match evaluator.places(path) {
                    Ok(places) => places,
                    Err(error) => {
                        problems.push(eval_failed(rule, &error.zh, &error.en));
                        continue;
                    }
                };
                for place in places {
                    let mut evaluator = Evaluator::new(&index);
                    evaluator.vars.push((var.clone(), place));
                    if let Some(d) = check_once(rule, &mut evaluator) {
                        problems.push(d);
                    }
                }
            }
        }
    }
    problems
}

fn eval_failed(rule: &Rule, zh: &str, en: &str) -> Diagnostic {
    let mut d = Diagnostic::error(
        "rule-eval",
        Some(rule.location.clone()),
        Text::new(
            format!("规则「{}」无法计算：{zh}", rule.id),
            format!("rule `{}` cannot be evaluated: {en}", rule.id),
        ),
    )
    .with_hint(Text::new(
        "检查规则里的数据路径是否与数据文件的键名一致",
        "check that the rule's data paths match the keys of the data files",
    ));
    d.rule = Some(rule.id.clone());
    d
}

fn check_once(rule: &Rule, evaluator: &mut Evaluator<'_, '_>) -> Option<Diagnostic> {
    let holds = match evaluator.eval(&rule.check) {
        Ok(Val::Bool(holds)) => holds,
        Ok(other) => {
            return Some(eval_failed(
                rule,
                &format!("check 的结果应是真假值，这里是{}", describe_zh(&other)),
                &format!(
                    "check must give true or false, found {}",
                    describe_en(&other)
                ),
            ));
        }
        Err(error) => return Some(eval_failed(rule, &error.zh, &error.en)),
    };
    if holds {
        return None;
    }
    let readings = std::mem::take(&mut evaluator.readings);
    // The measured sides of a comparison, for the message.
    let gap = match &rule.check {
        Expr::Binary(op, left, right)
            if matches!(op.symbol(), "==" | "!=" | "<" | "<=" | ">" | ">=") =>
        {
            match (evaluator.eval(left), evaluator.eval(right)) {
                (Ok(Val::Number(a)), Ok(Val::Number(b))) => Some((a, b, a - b)),
                _ => None,
            }
        }
        _ => None,
    };
    let (mut zh, mut en) = (rule.message.zh.clone(), rule.message.en.clone());
    if let Some((a, b, difference)) = gap {
        zh.push_str(&format!("（左边 {a}，右边 {b}，相差 {difference}）"));
        en.push_str(&format!(" (left {a}, right {b}, difference {difference})"));
    }
    let severity = if let Some(reason) = &rule.explained {
        zh.push_str(&format!("。已说明：{reason}"));
        en.push_str(&format!(". Explained: {reason}"));
        Severity::Info
    } else {
        rule.severity
    };
    let location = readings
        .first()
        .map(|r| r.node.location(r.file))
        .unwrap_or_else(|| rule.location.clone());
    let mut d = Diagnostic::new(severity, "rule", Some(location), Text::new(zh, en));
    d.rule = Some(rule.id.clone());
    d.hint = rule.hint.clone();
    let mut seen = std::collections::HashSet::new();
    for reading in &readings {
        if !seen.insert((reading.file, reading.node.line, reading.node.col)) {
            continue;
        }
        let value = match &reading.node.value {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            _ => String::new(),
        };
        d.related.push((
            reading.node.location(reading.file),
            Text::new(
                format!("{} = {value}", reading.path),
                format!("{} = {value}", reading.path),
            ),
        ));
    }
    d.related
        .push((rule.location.clone(), Text::new("规则定义", "the rule")));
    Some(d)
}

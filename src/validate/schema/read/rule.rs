//! Reading a rule of the schema: its keys, its `check` and `each`, its `explained`.

use super::{EXPLAINED_KEYS, RULE_KEYS, Reader, text_of};
use crate::diagnostics::{Diagnostic, Location, Severity, Text};
use crate::load::{Node, Value};
use crate::validate::expr::{self, Expr};
use crate::validate::schema::{Explained, Rule};

impl Reader<'_> {
    /// `explained: {reason, reason_en, within}`; a bare reason is refused: an explanation
    /// must say which gap it covers, or it would accept any value.
    fn explained(&mut self, id: &str, node: &Node) -> Option<Explained> {
        let Value::Map(keys) = &node.value else {
            let d = self
                .error(
                    node,
                    format!("规则「{id}」的 explained 要写明它说明的差距范围：reason（理由）和 within（差距的界限）"),
                    format!("rule `{id}`: explained must state the gap it covers: reason and within (the bound of the gap)"),
                )
                .with_hint(Text::new(
                    "写成 explained: {reason: 理由, within: \"所列比例 >= 计算的比例 and 所列比例 <= 100\"}；超出 within 的值仍是错误",
                    "write explained: {reason: why, within: \"stated >= computed and stated <= 100\"}; a value outside within is still an error",
                ));
            self.problems.push(d);
            return None;
        };
        for (key, _) in keys {
            if !EXPLAINED_KEYS.contains(&&*key.name) {
                let d = self.unknown_key(key, EXPLAINED_KEYS);
                self.problems.push(d);
            }
        }
        let Some(reason) = node.get("reason").and_then(text_of) else {
            self.report(
                node,
                format!("规则「{id}」的 explained 缺少 reason（理由）"),
                format!("rule `{id}`: explained has no reason"),
            );
            return None;
        };
        let reason_en = node
            .get("reason_en")
            .and_then(text_of)
            .unwrap_or_else(|| reason.clone());
        let Some(within_node) = node.get("within") else {
            self.report(
                node,
                format!("规则「{id}」的 explained 缺少 within：说明只覆盖一定方向和大小的差距"),
                format!("rule `{id}`: explained has no within: an explanation covers a gap of one direction and size"),
            );
            return None;
        };
        let (within, _) = self.expression(id, node, "within")?;
        Some(Explained {
            reason: Text::new(reason, reason_en),
            within,
            within_text: text_of(within_node).unwrap_or_default(),
        })
    }

    pub(super) fn rule(&mut self, node: &Node) -> Option<Rule> {
        let Value::Map(keys) = &node.value else {
            self.report(
                node,
                "每条规则要是映射（id、check、message …）",
                "each rule must be a mapping (id, check, message …)",
            );
            return None;
        };
        for (key, _) in keys {
            if !RULE_KEYS.contains(&&*key.name) {
                let d = self.unknown_key(key, RULE_KEYS);
                self.problems.push(d);
            }
        }
        let text = |key: &str| node.get(key).and_then(text_of);
        let Some(id) = text("id") else {
            self.report(node, "规则缺少 id", "the rule has no id");
            return None;
        };
        let Some((check, location)) = self.expression(&id, node, "check") else {
            if node.get("check").is_none() {
                self.report(
                    node,
                    format!("规则「{id}」缺少 check"),
                    format!("rule `{id}` has no check"),
                );
            }
            return None;
        };
        let each = match text("each") {
            None => None,
            Some(each) => Some(self.each(node, &each)?),
        };
        let severity = match text("severity").as_deref() {
            None | Some("error") => Severity::Error,
            Some("warning") => Severity::Warning,
            Some(other) => {
                self.report(
                    node.get("severity").unwrap_or(node),
                    format!("severity 只能是 error 或 warning，这里是「{other}」"),
                    format!("severity must be error or warning, not `{other}`"),
                );
                Severity::Error
            }
        };
        let Some(message) = text("message") else {
            self.report(
                node,
                format!("规则「{id}」缺少 message（中文说明）"),
                format!("rule `{id}` has no message"),
            );
            return None;
        };
        let message_en = text("message_en").unwrap_or_else(|| message.clone());
        let hint = text("hint").map(|zh| {
            let en = text("hint_en").unwrap_or_else(|| zh.clone());
            Text::new(zh, en)
        });
        let explained = match node.get("explained") {
            None => None,
            Some(explained) => Some(self.explained(&id, explained)?),
        };
        Some(Rule {
            id,
            check,
            each,
            severity,
            message: Text::new(message, message_en),
            hint,
            explained,
            location,
        })
    }

    /// The rule language expression under `key` of rule `id`, and where it is; a parse
    /// error is located inside the expression when it is on its key's line.
    fn expression(&mut self, id: &str, node: &Node, key: &str) -> Option<(Expr, Location)> {
        let expr_node = node.get(key)?;
        let Some(source) = text_of(expr_node) else {
            self.report(
                expr_node,
                format!("{key} 要写成文本"),
                format!("{key} must be text"),
            );
            return None;
        };
        match expr::parse(&source) {
            Ok(expr) => Some((expr, expr_node.location(self.file))),
            Err(error) => {
                let mut location = expr_node.location(self.file);
                location.col += error.offset;
                // A full-width character typed on a Chinese keyboard is named with the
                // half-width one to type.
                let typed = source.chars().nth(error.offset);
                let half = typed.and_then(|c| Some((c, crate::diagnostics::half_width(c)?)));
                let hint = match half {
                    Some((typed, half)) => {
                        crate::diagnostics::full_width_char_hint(typed, half, ("规则", "rules"))
                    }
                    None => Text::new(
                        "规则的表达式语言见 huibao schema 打印的说明（docs/schema.md）",
                        "the rule language is described by `huibao schema` (docs/schema.md)",
                    ),
                };
                self.problems.push(
                    Diagnostic::error(
                        "schema-rule",
                        Some(location),
                        Text::new(
                            format!("规则「{id}」的 {key} 写法有误：{}", error.message.zh),
                            format!("rule `{id}`: invalid {key}: {}", error.message.en),
                        ),
                    )
                    .with_hint(hint),
                );
                None
            }
        }
    }

    /// `each: v in villages.*`: the variable and the path of its places.
    fn each(&mut self, node: &Node, each: &str) -> Option<(String, Expr)> {
        let at = node.get("each").unwrap_or(node);
        match each.split_once(" in ") {
            Some((var, path)) if crate::load::is_identifier(var.trim()) => {
                match expr::parse(path) {
                    Ok(path @ Expr::Path(_)) => Some((var.trim().to_string(), path)),
                    _ => {
                        self.report(at, "each 的路径写法有误", "invalid path in each");
                        None
                    }
                }
            }
            _ => {
                self.report(
                    at,
                    "each 要写成「变量 in 路径」，如 v in villages.*",
                    "each must read `name in path`, such as v in villages.*",
                );
                None
            }
        }
    }
}

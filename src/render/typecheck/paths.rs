//! A variable path cut into its steps (`villages[page.id].name`), and the paths a test
//! guards.

use tera::ast::{Expr, ExprVal};

/// The paths an `if` condition tests before its branch reads them: a plain path (`if x`,
/// `if not x`: a missing value is false), the subject of `is defined` / `is undefined`, and
/// both sides of `and`. A comparison or a test fails on a missing value, and `or` may take
/// its branch without it: they guard nothing.
pub(super) fn tested_paths(expr: &Expr, found: &mut Vec<String>) {
    match &expr.val {
        ExprVal::Ident(ident) if expr.filters.is_empty() => found.push(ident.clone()),
        ExprVal::Test(test) if ["defined", "undefined"].contains(&test.name.as_str()) => {
            found.push(test.ident.clone())
        }
        ExprVal::Logic(logic) if logic.operator == tera::ast::LogicOperator::And => {
            tested_paths(&logic.lhs, found);
            tested_paths(&logic.rhs, found);
        }
        _ => {}
    }
}

/// A path as guards and reads are compared: `v["note"]` is `v.note`, `xs[i]` is `xs[*]`.
pub(super) fn normal(segments: &[Segment]) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Element => out.push_str("[*]"),
        }
    }
    out
}

/// A step of a path: `.name` (or `["name"]`, `[0]`), or an element picked by a value.
#[derive(Debug, PartialEq)]
pub(super) enum Segment {
    Key(String),
    Element,
}

/// The steps of a Tera path: `villages[page.id].name` → `villages`, element, `name`.
pub(super) fn segments(ident: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = ident.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !current.is_empty() {
                    out.push(Segment::Key(std::mem::take(&mut current)));
                }
            }
            '[' => {
                if !current.is_empty() {
                    out.push(Segment::Key(std::mem::take(&mut current)));
                }
                let mut inner = String::new();
                let mut depth = 0;
                for c in chars.by_ref() {
                    match c {
                        ']' if depth == 0 => break,
                        ']' => depth -= 1,
                        '[' => depth += 1,
                        _ => {}
                    }
                    inner.push(c);
                }
                let inner = inner.trim();
                let quoted = inner
                    .strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .or_else(|| inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')));
                match quoted {
                    Some(key) => out.push(Segment::Key(key.to_string())),
                    None if inner.parse::<usize>().is_ok() => {
                        out.push(Segment::Key(inner.to_string()))
                    }
                    None => out.push(Segment::Element),
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(Segment::Key(current));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_steps() {
        let key = |k: &str| Segment::Key(k.to_string());
        assert_eq!(
            segments("villages[page.id].name"),
            [key("villages"), Segment::Element, key("name")]
        );
        assert_eq!(
            segments("v.exits[0][\"people\"]"),
            [key("v"), key("exits"), key("0"), key("people")]
        );
        assert_eq!(
            crate::render::deps::bracketed("villages[page.id].x[v.k]"),
            ["page.id", "v.k"]
        );
    }
}

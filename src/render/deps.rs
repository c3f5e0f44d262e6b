//! What a content template reads, for reusing pages across rebuilds (`huibao serve`).
//!
//! Tera's syntax tree is walked for the names a template uses; the first part of each
//! (`township` of `township.registered.people`) is a top-level name of the context. A
//! template that includes, imports or extends others, calls macros, or dumps the whole
//! context is taken to read everything.

use std::collections::BTreeSet;
use tera::ast::{Expr, ExprVal, Node};

/// The top-level names `nodes` read, or `None` when that cannot be known (read everything).
pub fn top_level_names(nodes: &[Node]) -> Option<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    walk_nodes(nodes, &mut names).then_some(names)
}

/// Whether `nodes` do arithmetic with a decimal number typed into the template
/// (`{{ 0.1 + 0.2 }}`): Tera computes that in binary floating point.
pub fn has_float_math(nodes: &[Node]) -> bool {
    let mut found = false;
    visit_exprs(nodes, &mut |expr| {
        if let ExprVal::Math(m) = &expr.val
            && (matches!(m.lhs.val, ExprVal::Float(_)) || matches!(m.rhs.val, ExprVal::Float(_)))
        {
            found = true;
        }
    });
    found
}

/// Calls `visit` on every expression of `nodes`, nested ones included.
pub(super) fn visit_exprs(nodes: &[Node], visit: &mut dyn FnMut(&Expr)) {
    fn expr(e: &Expr, visit: &mut dyn FnMut(&Expr)) {
        visit(e);
        for f in &e.filters {
            f.args.values().for_each(|a| expr(a, visit));
        }
        match &e.val {
            ExprVal::Math(m) => {
                expr(&m.lhs, visit);
                expr(&m.rhs, visit);
            }
            ExprVal::Logic(l) => {
                expr(&l.lhs, visit);
                expr(&l.rhs, visit);
            }
            ExprVal::In(i) => {
                expr(&i.lhs, visit);
                expr(&i.rhs, visit);
            }
            ExprVal::Test(t) => t.args.iter().for_each(|a| expr(a, visit)),
            ExprVal::FunctionCall(f) => f.args.values().for_each(|a| expr(a, visit)),
            ExprVal::MacroCall(m) => m.args.values().for_each(|a| expr(a, visit)),
            ExprVal::Array(items) => items.iter().for_each(|a| expr(a, visit)),
            _ => {}
        }
    }
    for node in nodes {
        match node {
            Node::VariableBlock(_, e) => expr(e, visit),
            Node::Set(_, set) => expr(&set.value, visit),
            Node::FilterSection(_, section, _) => {
                section.filter.args.values().for_each(|a| expr(a, visit));
                visit_exprs(&section.body, visit);
            }
            Node::Block(_, block, _) => visit_exprs(&block.body, visit),
            Node::Forloop(_, forloop, _) => {
                expr(&forloop.container, visit);
                visit_exprs(&forloop.body, visit);
                if let Some(body) = &forloop.empty_body {
                    visit_exprs(body, visit);
                }
            }
            Node::If(branches, _) => {
                for (_, e, body) in &branches.conditions {
                    expr(e, visit);
                    visit_exprs(body, visit);
                }
                if let Some((_, body)) = &branches.otherwise {
                    visit_exprs(body, visit);
                }
            }
            Node::MacroDefinition(_, definition, _) => visit_exprs(&definition.body, visit),
            _ => {}
        }
    }
}

fn walk_nodes(nodes: &[Node], names: &mut BTreeSet<String>) -> bool {
    nodes.iter().all(|node| walk_node(node, names))
}

fn walk_node(node: &Node, names: &mut BTreeSet<String>) -> bool {
    match node {
        Node::Text(_) | Node::Raw(..) | Node::Comment(..) | Node::Break(_) | Node::Continue(_) => {
            true
        }
        Node::VariableBlock(_, expr) => walk_expr(expr, names),
        Node::Set(_, set) => walk_expr(&set.value, names),
        Node::FilterSection(_, section, _) => {
            section.filter.args.values().all(|e| walk_expr(e, names))
                && walk_nodes(&section.body, names)
        }
        Node::Block(_, block, _) => walk_nodes(&block.body, names),
        Node::Forloop(_, forloop, _) => {
            walk_expr(&forloop.container, names)
                && walk_nodes(&forloop.body, names)
                && forloop
                    .empty_body
                    .as_ref()
                    .is_none_or(|body| walk_nodes(body, names))
        }
        Node::If(branches, _) => {
            branches
                .conditions
                .iter()
                .all(|(_, e, body)| walk_expr(e, names) && walk_nodes(body, names))
                && branches
                    .otherwise
                    .as_ref()
                    .is_none_or(|(_, body)| walk_nodes(body, names))
        }
        Node::Super
        | Node::MacroDefinition(..)
        | Node::Extends(..)
        | Node::Include(..)
        | Node::ImportMacro(..) => false,
    }
}

fn walk_expr(expr: &Expr, names: &mut BTreeSet<String>) -> bool {
    walk_val(&expr.val, names)
        && expr
            .filters
            .iter()
            .all(|f| f.args.values().all(|e| walk_expr(e, names)))
}

fn walk_val(val: &ExprVal, names: &mut BTreeSet<String>) -> bool {
    match val {
        ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => true,
        ExprVal::Ident(ident) => add_ident(ident, names),
        ExprVal::Math(m) => walk_expr(&m.lhs, names) && walk_expr(&m.rhs, names),
        ExprVal::Logic(l) => walk_expr(&l.lhs, names) && walk_expr(&l.rhs, names),
        ExprVal::Test(t) => {
            add_ident(&t.ident, names) && t.args.iter().all(|e| walk_expr(e, names))
        }
        ExprVal::MacroCall(_) => false,
        ExprVal::FunctionCall(f) => f.args.values().all(|e| walk_expr(e, names)),
        ExprVal::Array(items) => items.iter().all(|e| walk_expr(e, names)),
        ExprVal::StringConcat(c) => c.values.iter().all(|v| walk_val(v, names)),
        ExprVal::In(i) => walk_expr(&i.lhs, names) && walk_expr(&i.rhs, names),
    }
}

/// `villages[v.id].name` reads `villages` and `v`.
fn add_ident(ident: &str, names: &mut BTreeSet<String>) -> bool {
    if ident.starts_with("__tera_context") {
        return false;
    }
    for part in ident.split(['[', ']']) {
        let first = part.split('.').next().unwrap_or_default().trim();
        if !first.is_empty()
            && !first.starts_with(['"', '\''])
            && !first.starts_with(|c: char| c.is_ascii_digit())
        {
            names.insert(first.to_string());
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(template: &str) -> Option<Vec<String>> {
        let mut tera = tera::Tera::default();
        tera.add_raw_template("t", template).unwrap();
        let ast = &tera.get_template("t").unwrap().ast;
        top_level_names(ast).map(|s| s.into_iter().collect())
    }

    #[test]
    fn collects_the_top_level_names_read() {
        assert_eq!(
            names(
                "{% set t = township %}{{ t.name }}{% for v in villages_list | sort(attribute=\"x\") %}{{ v.name | fig(unit=u) }}{% endfor %}{% if a is gt(b) %}{{ sum(values=[c.d, 1]) }}{% endif %}"
            ),
            Some(
                ["a", "b", "c", "t", "township", "u", "v", "villages_list"]
                    .map(String::from)
                    .to_vec()
            )
        );
        assert_eq!(
            names("{{ villages[page.id].name }}"),
            Some(["page", "villages"].map(String::from).to_vec())
        );
    }

    #[test]
    fn typed_decimals_in_arithmetic_are_found() {
        let ast = |t: &str| {
            let mut tera = tera::Tera::default();
            tera.add_raw_template("t", t).unwrap();
            tera.get_template("t").unwrap().ast.clone()
        };
        assert!(has_float_math(&ast("{{ 0.1 + 0.2 }}")));
        assert!(has_float_math(&ast(
            "{% for x in xs %}{% if x > 1 %}{{ x * 1.5 }}{% endif %}{% endfor %}"
        )));
        assert!(!has_float_math(&ast(
            "{{ loop.index + 1 }}{{ sum(values=[0.1, 0.2]) }}"
        )));
    }

    #[test]
    fn includes_and_macros_read_everything() {
        let mut tera = tera::Tera::default();
        tera.add_raw_templates(vec![("p", "x"), ("t", "{% include \"p\" %}")])
            .unwrap();
        assert_eq!(top_level_names(&tera.get_template("t").unwrap().ast), None);
        assert_eq!(names("{{ __tera_context }}"), None);
    }
}

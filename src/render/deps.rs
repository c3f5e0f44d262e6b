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
    fn includes_and_macros_read_everything() {
        let mut tera = tera::Tera::default();
        tera.add_raw_templates(vec![("p", "x"), ("t", "{% include \"p\" %}")])
            .unwrap();
        assert_eq!(top_level_names(&tera.get_template("t").unwrap().ast), None);
        assert_eq!(names("{{ __tera_context }}"), None);
    }
}

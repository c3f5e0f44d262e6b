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

/// The top-level names `expr` reads (`total` of `total + v.people`), as far as they can be
/// told (not inside a macro call's arguments).
pub(super) fn expr_names(expr: &Expr) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    walk_expr(expr, &mut names);
    names
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

/// For each folder list a template reads (`villages_list`), the fields of its records the
/// template reads (`Some`), or `None` when the records are used whole or in ways not followed
/// here; `None` overall when nothing can be known (macros, includes). A page then gets the
/// records with only those fields (and `id`): an overview of 100,000 villages holds five
/// fields of each, not a hundred.
///
/// Followed: `{% for v in villages_list | sort(attribute="x") | filter(attribute="y",
/// value=…) | reverse | slice(…) %}` with `v.field…` (and `is defined` tests) in its body;
/// `villages_list | length`, `| sum(attribute="a.b")`, `| map(attribute="a")`. Any other use
/// of the list or of a record (passed to a function, a filter, `set`, printed whole, indexed
/// by a variable) takes the records whole.
pub fn list_fields(nodes: &[Node]) -> Option<ListFields> {
    let mut walk = FieldWalk::default();
    walk.nodes(nodes).then_some(walk.fields)
}

/// See [`list_fields`]: list name → the record fields read (`None`: whole records).
pub type ListFields = std::collections::HashMap<String, Option<BTreeSet<String>>>;

#[derive(Default)]
struct FieldWalk {
    fields: ListFields,
    /// Loop variables bound to a record of a list, innermost last: variable → list name.
    records: Vec<(String, String)>,
}

/// Filters that keep a list of records a list of the same records, reading the attribute.
const KEEPS_RECORDS: [&str; 5] = ["sort", "filter", "reverse", "slice", "unique"];
/// Filters that read an attribute of every record and give something else.
const ENDS_RECORDS: [&str; 3] = ["length", "sum", "map"];

impl FieldWalk {
    fn nodes(&mut self, nodes: &[Node]) -> bool {
        nodes.iter().all(|node| self.node(node))
    }

    fn node(&mut self, node: &Node) -> bool {
        match node {
            Node::Text(_)
            | Node::Raw(..)
            | Node::Comment(..)
            | Node::Break(_)
            | Node::Continue(_) => true,
            Node::VariableBlock(_, e) => self.expr(e),
            Node::Set(_, set) => {
                // A record's name set to something else (maybe, in one branch): its list's
                // reads are no longer followed.
                self.hidden(&set.key);
                self.expr(&set.value)
            }
            Node::FilterSection(_, section, _) => {
                section.filter.args.values().all(|e| self.expr(e)) && self.nodes(&section.body)
            }
            Node::Block(_, block, _) => self.nodes(&block.body),
            Node::Forloop(_, forloop, _) => {
                let bound = match (&forloop.key, self.list_chain(&forloop.container)) {
                    (None, Some(list)) => Some(list),
                    _ => {
                        if !self.expr(&forloop.container) {
                            return false;
                        }
                        None
                    }
                };
                let depth = self.records.len();
                if let Some(key) = &forloop.key {
                    self.hidden(key);
                }
                match bound {
                    Some(list) => {
                        self.hidden(&forloop.value);
                        self.records.push((forloop.value.clone(), list));
                    }
                    None => self.hidden(&forloop.value),
                }
                let ok = self.nodes(&forloop.body)
                    && forloop
                        .empty_body
                        .as_ref()
                        .is_none_or(|body| self.nodes(body));
                self.records.truncate(depth.min(self.records.len()));
                ok
            }
            Node::If(branches, _) => {
                branches
                    .conditions
                    .iter()
                    .all(|(_, e, body)| self.expr(e) && self.nodes(body))
                    && branches
                        .otherwise
                        .as_ref()
                        .is_none_or(|(_, body)| self.nodes(body))
            }
            Node::Super
            | Node::MacroDefinition(..)
            | Node::Extends(..)
            | Node::Include(..)
            | Node::ImportMacro(..) => false,
        }
    }

    /// When `e` is a folder list, kept a list of its records by its filters, the list's
    /// name (the attributes the filters read are noted).
    fn list_chain(&mut self, e: &Expr) -> Option<String> {
        let ExprVal::Ident(ident) = &e.val else {
            return None;
        };
        if !is_list_name(ident) || e.negated {
            return None;
        }
        for filter in &e.filters {
            if !KEEPS_RECORDS.contains(&filter.name.as_str()) {
                return None;
            }
        }
        for filter in &e.filters {
            if !self.filter_args(ident, filter) {
                return None;
            }
        }
        self.fields
            .entry(ident.clone())
            .or_insert_with(|| Some(BTreeSet::new()));
        Some(ident.clone())
    }

    /// Notes the attribute a filter on list `list` reads; false when it reads something
    /// not followed (an attribute that is not written out).
    fn filter_args(&mut self, list: &str, filter: &tera::ast::FunctionCall) -> bool {
        for (name, arg) in &filter.args {
            if name == "attribute" {
                match &arg.val {
                    ExprVal::String(path) if arg.filters.is_empty() => {
                        self.read(list, path.split('.').next().unwrap_or_default())
                    }
                    _ => return false,
                }
            } else if !self.expr(arg) {
                return false;
            }
        }
        true
    }

    fn expr(&mut self, e: &Expr) -> bool {
        // `villages_list | sort(…) | sum(attribute="a")`: the attributes, not the records.
        if let ExprVal::Ident(ident) = &e.val
            && is_list_name(ident)
        {
            let ends = e
                .filters
                .iter()
                .position(|f| ENDS_RECORDS.contains(&f.name.as_str()));
            let followed = ends.is_some_and(|end| {
                e.filters[..end]
                    .iter()
                    .all(|f| KEEPS_RECORDS.contains(&f.name.as_str()))
            });
            if followed {
                self.fields
                    .entry(ident.clone())
                    .or_insert_with(|| Some(BTreeSet::new()));
                let end = ends.unwrap_or_default();
                let mut ok = true;
                for filter in &e.filters[..=end] {
                    ok &= self.filter_args(ident, filter);
                }
                for filter in &e.filters[end + 1..] {
                    ok &= filter.args.values().all(|a| self.expr(a));
                }
                return ok;
            }
        }
        self.val(&e.val)
            && e.filters
                .iter()
                .all(|f| f.args.values().all(|a| self.expr(a)))
    }

    fn val(&mut self, val: &ExprVal) -> bool {
        match val {
            ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => true,
            ExprVal::Ident(ident) => self.ident(ident),
            ExprVal::Math(m) => self.expr(&m.lhs) && self.expr(&m.rhs),
            ExprVal::Logic(l) => self.expr(&l.lhs) && self.expr(&l.rhs),
            ExprVal::Test(t) => self.ident(&t.ident) && t.args.iter().all(|e| self.expr(e)),
            ExprVal::MacroCall(_) => false,
            ExprVal::FunctionCall(f) => f.args.values().all(|e| self.expr(e)),
            ExprVal::Array(items) => items.iter().all(|e| self.expr(e)),
            ExprVal::StringConcat(c) => c.values.iter().all(|v| self.val(v)),
            ExprVal::In(i) => self.expr(&i.lhs) && self.expr(&i.rhs),
        }
    }

    /// A path read: `v.a.b` of a record `v` reads field `a`; a list or a record used any
    /// other way is taken whole; the names inside brackets (`names[v.code]`) are paths read
    /// too. False for a dump of the whole context (`__tera_context`).
    fn ident(&mut self, ident: &str) -> bool {
        if ident.trim_start().starts_with("__tera_context") {
            return false;
        }
        for inside in bracketed(ident) {
            let quoted = inside.starts_with(['"', '\'']);
            let number = inside.starts_with(|c: char| c.is_ascii_digit());
            if !inside.is_empty() && !quoted && !number && !self.ident(inside) {
                return false;
            }
        }
        let first = ident
            .split(['.', '['])
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        // A loop's record first: `v_list` may be a record's name too.
        let Some(list) = self
            .records
            .iter()
            .rev()
            .find(|(var, _)| *var == first)
            .map(|(_, list)| list.clone())
        else {
            if is_list_name(&first) {
                self.fields.insert(first, None);
            }
            return true;
        };
        let rest = &ident.trim_start()[first.len()..];
        // `v.a…` or `v["a"]…`; `v`, `v[x]` take the record whole.
        let field = if let Some(after) = rest.strip_prefix('.') {
            Some(after.split(['.', '[']).next().unwrap_or_default().trim())
        } else if let Some(after) = rest.strip_prefix('[') {
            let inside = after.split(']').next().unwrap_or_default().trim();
            inside
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .or_else(|| inside.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        } else {
            None
        };
        match field {
            Some(field) if !field.is_empty() => self.read(&list, field),
            _ => {
                self.fields.insert(list, None);
            }
        }
        true
    }

    /// A name bound anew where a record of that name is seen: the record's list is taken
    /// whole (which of the two a later `name.x` means is not followed).
    fn hidden(&mut self, name: &str) {
        let lists: Vec<String> = self
            .records
            .iter()
            .filter(|(var, _)| var == name)
            .map(|(_, list)| list.clone())
            .collect();
        for list in lists {
            self.fields.insert(list, None);
        }
    }

    /// Notes that field `field` of the records of `list` is read.
    fn read(&mut self, list: &str, field: &str) {
        let entry = self
            .fields
            .entry(list.to_string())
            .or_insert_with(|| Some(BTreeSet::new()));
        if let Some(fields) = entry {
            fields.insert(field.to_string());
        }
    }
}

/// The texts inside the outer brackets of a path: `a[b.c].d[e[f]]` → `b.c`, `e[f]`
/// (`villages[page.id]` → `page.id`).
pub(super) fn bracketed(ident: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (at, c) in ident.char_indices() {
        match c {
            '[' => {
                if depth == 0 {
                    start = at + 1;
                }
                depth += 1;
            }
            ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    found.push(ident[start..at].trim());
                }
            }
            _ => {}
        }
    }
    found
}

/// `villages_list`: the list form of a folder, as the data context names it.
fn is_list_name(ident: &str) -> bool {
    ident.len() > "_list".len() && ident.ends_with("_list") && !ident.contains(['.', '[', ' '])
}

/// Whether a layout's `nodes` show the page's content only whole — every use of it is
/// `{{ page.content | safe }}`, and nothing else reads it (no test, condition, filter,
/// loop, `set` or include that could see it) — so the content can be put in after the layout
/// is rendered instead of copied through Tera (a village page's content is most of it).
pub fn shows_content_whole(nodes: &[Node]) -> bool {
    top_level_names(nodes).is_some() && !reads_content_otherwise(nodes, false)
}

/// Whether `nodes` read `page.content` other than by showing it whole; `filtered` inside a
/// filter section (whose filter would change what is shown).
fn reads_content_otherwise(nodes: &[Node], filtered: bool) -> bool {
    nodes.iter().any(|node| match node {
        Node::VariableBlock(_, expr) => (filtered || !shows_whole(expr)) && mentions_content(expr),
        Node::Set(_, set) => set.key == "page" || mentions_content(&set.value),
        Node::FilterSection(_, section, _) => {
            section.filter.args.values().any(mentions_content)
                || reads_content_otherwise(&section.body, true)
        }
        Node::Block(_, block, _) => reads_content_otherwise(&block.body, filtered),
        // A loop variable named `page` hides the page.
        Node::Forloop(_, forloop, _) => {
            forloop.value == "page"
                || forloop.key.as_deref() == Some("page")
                || mentions_content(&forloop.container)
                || reads_content_otherwise(&forloop.body, filtered)
                || forloop
                    .empty_body
                    .as_ref()
                    .is_some_and(|body| reads_content_otherwise(body, filtered))
        }
        Node::If(branches, _) => {
            branches.conditions.iter().any(|(_, condition, body)| {
                mentions_content(condition) || reads_content_otherwise(body, filtered)
            }) || branches
                .otherwise
                .as_ref()
                .is_some_and(|(_, body)| reads_content_otherwise(body, filtered))
        }
        Node::Text(_) | Node::Raw(..) | Node::Comment(..) | Node::Break(_) | Node::Continue(_) => {
            false
        }
        Node::Super
        | Node::MacroDefinition(..)
        | Node::Extends(..)
        | Node::Include(..)
        | Node::ImportMacro(..) => true,
    })
}

/// Whether `expr` is `page.content | safe` and nothing more.
fn shows_whole(expr: &Expr) -> bool {
    matches!(&expr.val, ExprVal::Ident(name) if name == "page.content")
        && !expr.negated
        && matches!(&expr.filters[..], [only] if only.name == "safe" && only.args.is_empty())
}

/// Whether `expr` reads the page's content anywhere in it (or the whole page, or the whole
/// context).
fn mentions_content(expr: &Expr) -> bool {
    mentions_content_val(&expr.val)
        || expr
            .filters
            .iter()
            .any(|f| f.args.values().any(mentions_content))
}

fn mentions_content_val(val: &ExprVal) -> bool {
    let reads = |name: &str| {
        name == "page"
            || name.starts_with("page.content")
            || name.starts_with("page[")
            || name == "__tera_context"
    };
    match val {
        ExprVal::Ident(name) => reads(name),
        ExprVal::Test(test) => reads(&test.ident) || test.args.iter().any(mentions_content),
        ExprVal::Math(m) => mentions_content(&m.lhs) || mentions_content(&m.rhs),
        ExprVal::Logic(l) => mentions_content(&l.lhs) || mentions_content(&l.rhs),
        ExprVal::In(i) => mentions_content(&i.lhs) || mentions_content(&i.rhs),
        ExprVal::FunctionCall(f) => f.args.values().any(mentions_content),
        ExprVal::MacroCall(m) => m.args.values().any(mentions_content),
        ExprVal::Array(items) => items.iter().any(mentions_content),
        ExprVal::StringConcat(concat) => concat.values.iter().any(mentions_content_val),
        ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => false,
    }
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

    fn whole(template: &str) -> bool {
        let mut tera = tera::Tera::default();
        tera.add_raw_template("t", template).unwrap();
        shows_content_whole(&tera.get_template("t").unwrap().ast)
    }

    #[test]
    fn content_shown_whole_only_when_nothing_else_reads_it() {
        assert!(whole("<main>{{ page.content | safe }}</main>"));
        assert!(whole(
            "{% if page.is_home %}{{ page.content | safe }}{% else %}<article>{{ page.content|safe }}</article>{% endif %}\
             {% for h in page.headings %}{{ h.title }}{% endfor %}{{ page.title }}"
        ));
        // Read another way: a filter, a test, a condition, a loop, a set, a concatenation, the
        // whole page or context, a filter section, a loop variable named `page`, an include.
        for template in [
            "{{ page.content }}",
            "{{ page.content | safe | upper }}",
            "{{ page.content | safe }}{{ page.content | length }}",
            "{% if page.content is containing(\"x\") %}{% endif %}{{ page.content | safe }}",
            "{% if page.content %}{{ page.content | safe }}{% endif %}",
            "{% for c in page.content %}{% endfor %}",
            "{% set c = page.content %}{{ c | safe }}",
            "{{ \"<div>\" ~ page.content ~ \"</div>\" | safe }}",
            "{{ page | json_encode }}",
            "{{ __tera_context }}",
            "{{ page[\"content\"] | safe }}",
            "{% filter upper %}{{ page.content | safe }}{% endfilter %}",
            "{% for page in pages %}{{ page.content | safe }}{% endfor %}",
            "{% include \"nav.html\" %}",
            "{{ x | default(value=page.content) }}{{ page.content | safe }}",
        ] {
            assert!(!whole(template), "{template}");
        }
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

    fn fields(template: &str) -> Option<Vec<(String, Option<Vec<String>>)>> {
        let mut tera = tera::Tera::default();
        tera.add_raw_template("t", template).unwrap();
        let found = list_fields(&tera.get_template("t").unwrap().ast)?;
        let mut found: Vec<_> = found
            .into_iter()
            .map(|(list, fields)| (list, fields.map(|f| f.into_iter().collect())))
            .collect();
        found.sort();
        Some(found)
    }

    fn some(list: &str, names: &[&str]) -> (String, Option<Vec<String>>) {
        (
            list.to_string(),
            Some(names.iter().map(|n| n.to_string()).collect()),
        )
    }

    #[test]
    fn the_fields_of_list_records_a_template_reads() {
        assert_eq!(
            fields(
                "{% for v in villages_list -%}| [{{ v.name }}]({{ v.id }}.md) | {{ v.households | fig(unit=\"户\") }} | {{ v.registered.people }} |\n{% endfor %}\
                 {{ villages_list | sum(attribute=\"people\") | fig(unit=\"人\") }}{{ villages_list | length }}"
            ),
            Some(vec![some(
                "villages_list",
                &["households", "id", "name", "people", "registered"]
            )])
        );
        assert_eq!(
            fields(
                "{% for v in villages_list | sort(attribute=\"b.c\") | filter(attribute=\"e\", value=township.x) %}{{ v[\"a\"] }}{% if v.d is defined %}{{ loop.index }}{% endif %}{% for x in v.exits %}{{ x.year }}{% endfor %}{% endfor %}{{ towns_list | map(attribute=\"n\") | join(sep=\",\") }}"
            ),
            Some(vec![
                some("towns_list", &["n"]),
                some("villages_list", &["a", "b", "d", "e", "exits"]),
            ])
        );
        // Used whole, or in ways not followed: whole records.
        let whole = |t: &str| fields(t).map(|f| f.into_iter().all(|(_, fields)| fields.is_none()));
        assert_eq!(
            whole("{% for v in villages_list %}{{ v }}{% endfor %}"),
            Some(true)
        );
        assert_eq!(
            whole("{{ chart(data=villages_list, x=\"name\") }}"),
            Some(true)
        );
        assert_eq!(whole("{{ villages_list | first }}"), Some(true));
        assert_eq!(
            whole("{% set xs = villages_list %}{{ villages_list | length }}"),
            Some(true)
        );
        assert_eq!(
            whole("{% for v in villages_list %}{{ v[page.id] }}{% endfor %}"),
            Some(true)
        );
        assert_eq!(
            whole("{% for k, v in villages_list %}{{ v.a }}{% endfor %}"),
            Some(true)
        );
        assert_eq!(
            whole("{% for v in villages_list | sort(attribute=k) %}{{ v.a }}{% endfor %}"),
            Some(true)
        );
        // A record's name bound again: which one `v.a` reads is not followed.
        assert_eq!(
            whole("{% for v in villages_list %}{% for v in xs %}{% endfor %}{{ v.a }}{% endfor %}"),
            Some(true)
        );
        assert_eq!(
            whole(
                "{% for v in villages_list %}{% if x %}{% set v = 1 %}{% endif %}{{ v.a }}{% endfor %}"
            ),
            Some(true)
        );
        assert_eq!(
            fields("{% macro m() %}{% endmacro m %}{{ villages_list | length }}"),
            None
        );
        assert_eq!(fields("{{ township.name }}"), Some(vec![]));
        // Names inside brackets are read; a record may be called `x_list`; a dump of the
        // context takes everything.
        assert_eq!(
            fields(
                "{% for v in villages_list %}{{ names[v.code] }}{% if t[v.a[v.b]] is defined %}{% endif %}{% endfor %}"
            ),
            Some(vec![some("villages_list", &["a", "b", "code"])])
        );
        assert_eq!(
            fields("{% for v_list in villages_list %}{{ v_list.code }}{% endfor %}"),
            Some(vec![some("villages_list", &["code"])])
        );
        assert_eq!(
            fields("{% for v in villages_list %}{{ v.name }}{% endfor %}{{ __tera_context }}"),
            None
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

//! The walk over a template's nodes and expressions: each statement, each expression in
//! it, each variable path read, in the order Tera renders them.

use std::collections::HashMap;

use tera::ast::{Expr, ExprVal, Node};

use super::paths::{Segment, normal, segments, tested_paths};
use super::places::{set_seen, without_comments};
use super::problems::{maybe_en, maybe_zh};
use super::shape::{Shape, element, field};
use super::{BUILT_IN, Checker, TERA_OWN_FILTERS};
use crate::diagnostics::Text;
use crate::validate::schema::did_you_mean;

impl Checker<'_> {
    /// Checks the macros `nodes` define ([`Checker::macro_definition`]): a partial's, whose
    /// other nodes are checked where it is included.
    pub(super) fn macros(&mut self, nodes: &[Node]) {
        for node in nodes {
            if let Node::MacroDefinition(_, definition, _) = node {
                self.macro_definition(definition);
            }
        }
    }

    /// Checks a macro's body: it reads its arguments (holding what they are given, not
    /// known here) and the data, not the variables where it is called.
    fn macro_definition(&mut self, definition: &tera::ast::MacroDefinition) {
        let bound = std::mem::take(&mut self.bound);
        let varies = std::mem::take(&mut self.varies);
        let guarded = std::mem::take(&mut self.guarded);
        let loop_depth = std::mem::take(&mut self.loop_depth);
        let loop_sets = std::mem::take(&mut self.loop_sets);
        let set_in_ended_loop = std::mem::take(&mut self.set_in_ended_loop);
        // (By name: the same order whatever the map's.)
        let mut args: Vec<(&String, &Option<Expr>)> = definition.args.iter().collect();
        args.sort_by_key(|(name, _)| *name);
        for default in args.iter().filter_map(|(_, default)| default.as_ref()) {
            self.expr_tree(default);
        }
        for (name, _) in args {
            self.bound.insert(name.clone(), Shape::Any);
        }
        self.bind(&definition.body);
        self.nodes(&definition.body);
        self.bound = bound;
        self.varies = varies;
        self.guarded = guarded;
        self.loop_depth = loop_depth;
        self.loop_sets = loop_sets;
        self.set_in_ended_loop = set_in_ended_loop;
    }

    /// Checks the partial an `{% include %}` names (the first of `names` there is) with
    /// the variables here, where it is written; a name that is no template is an error
    /// unless the include says `ignore missing`.
    pub(super) fn include(&mut self, names: &[String], ignore_missing: bool) {
        let Some(name) = names.iter().find(|n| self.tera.get_template(n).is_ok()) else {
            if !ignore_missing {
                self.missing_include(names);
            }
            return;
        };
        let Some(partial) = self.sources.iter().find(|s| s.name == *name) else {
            // A theme's template, not a content file.
            return;
        };
        if self.including.contains(name) {
            return;
        }
        let Ok(template) = self.tera.get_template(name) else {
            return;
        };
        let at = self.include_at(name);
        let mut included_at = vec![self.place(at)];
        included_at.extend(self.included_at.iter().cloned());
        let mut inner = Checker {
            tera: self.tera,
            top: self.top,
            named: self.named,
            // (Its `set`s stay inside it, as Tera renders an include.)
            bound: self.bound.clone(),
            loop_names: self.loop_names.clone(),
            varies: self.varies.clone(),
            source: partial,
            guarded: self.guarded.clone(),
            seen: HashMap::new(),
            problems: &mut *self.problems,
            searched: without_comments(&partial.template),
            sources: self.sources,
            including: self.including.clone(),
            included_at,
            loop_depth: self.loop_depth,
            loop_sets: Vec::new(),
            set_in_ended_loop: self.set_in_ended_loop.clone(),
        };
        inner.including.push(name.clone());
        inner.bind(&template.ast);
        inner.nodes(&template.ast);
    }

    /// Checks every expression of `nodes`. Inside an `if`, the paths its condition tests
    /// are guarded: a value there may be absent.
    pub(super) fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::VariableBlock(_, expr) => {
                    self.expr_tree(expr);
                    self.printed_whole(expr);
                }
                Node::Set(_, set) => {
                    self.expr_tree(&set.value);
                    // (Counted at every `set` of the name: a problem is placed at its own.)
                    *self.seen.entry(set_seen(&set.key)).or_default() += 1;
                    self.set_in_ended_loop.remove(&set.key);
                    // `{% set total = total + 1 %}` in a loop: each round starts again from
                    // the value outside it (Tera's loop frame), and after it nothing changed.
                    if self.loop_depth > 0 && !set.global {
                        if crate::render::deps::expr_names(&set.value).contains(&set.key) {
                            self.set_in_loop(&set.key);
                        } else {
                            let nth = self.sets_met(&set.key);
                            self.loop_sets.push((set.key.clone(), nth));
                        }
                    }
                }
                Node::FilterSection(_, section, _) => {
                    let name = section.filter.name.as_str();
                    if !TERA_OWN_FILTERS.contains(&name) && self.tera.get_filter(name).is_err() {
                        self.unknown("过滤器", "filter", name);
                    }
                    section.filter.args.values().for_each(|e| self.expr_tree(e));
                    self.nodes(&section.body);
                }
                Node::Block(_, block, _) => self.nodes(&block.body),
                Node::Forloop(_, forloop, _) => {
                    self.expr_tree(&forloop.container);
                    self.loop_names(&forloop.container, forloop.key.as_deref(), &forloop.value);
                    // `for v in xs | filter(attribute="note", …)`: every v has its note.
                    let depth = self.guarded.len();
                    for filter in forloop
                        .container
                        .filters
                        .iter()
                        .filter(|f| f.name == "filter")
                    {
                        if let Some(ExprVal::String(attribute)) =
                            filter.args.get("attribute").map(|a| &a.val)
                        {
                            self.guarded.push(format!("{}.{attribute}", forloop.value));
                        }
                    }
                    let outside = self.enter_loop(forloop);
                    let sets_before = self.loop_sets.len();
                    self.loop_depth += 1;
                    self.nodes(&forloop.body);
                    self.loop_depth -= 1;
                    // (A name set twice in the loop is placed at its first `set` there.)
                    let ended = self.loop_sets.drain(sets_before..).rev();
                    self.set_in_ended_loop.extend(ended);
                    self.leave_loop(outside);
                    // (`{% else %}` runs when the list is empty: no `v` there.)
                    if let Some(body) = &forloop.empty_body {
                        self.nodes(body);
                    }
                    self.guarded.truncate(depth);
                }
                Node::If(branches, _) => {
                    let mut tested = Vec::new();
                    for (_, condition, _) in &branches.conditions {
                        tested_paths(condition, &mut tested);
                    }
                    let tested: Vec<String> = tested.iter().map(|t| normal(&segments(t))).collect();
                    let depth = self.guarded.len();
                    self.guarded.extend(tested);
                    for (_, condition, body) in &branches.conditions {
                        self.expr_tree(condition);
                        self.nodes(body);
                    }
                    if let Some((_, body)) = &branches.otherwise {
                        self.nodes(body);
                    }
                    self.guarded.truncate(depth);
                }
                Node::Include(_, names, ignore_missing) => self.include(names, *ignore_missing),
                Node::MacroDefinition(_, definition, _) => self.macro_definition(definition),
                _ => {}
            }
        }
    }

    /// Checks `expr` and the expressions in it. `x | default(…)` guards `x`.
    fn expr_tree(&mut self, expr: &Expr) {
        let defaulted = match (&expr.val, expr.filters.first()) {
            (ExprVal::Ident(ident), Some(first)) if first.name == "default" => {
                Some(normal(&segments(ident)))
            }
            _ => None,
        };
        let depth = self.guarded.len();
        self.guarded.extend(defaulted);
        self.expr(expr);
        self.guarded.truncate(depth);
        for filter in &expr.filters {
            filter.args.values().for_each(|e| self.expr_tree(e));
        }
        match &expr.val {
            ExprVal::Math(m) => {
                // (Each side checked after it is read: its place is where it was met.)
                self.expr_tree(&m.lhs);
                self.expr_tree(&m.rhs);
                self.math_on_figure(m);
            }
            ExprVal::Logic(l) => {
                use tera::ast::LogicOperator as Op;
                // (Each side checked after it is read: its place is where it was met.)
                let op = (!matches!(l.operator, Op::And | Op::Or)).then(|| l.operator.to_string());
                for side in [&l.lhs, &l.rhs] {
                    self.expr_tree(side);
                    if let Some(op) = &op {
                        self.compared(side, op);
                    }
                }
            }
            ExprVal::In(i) => {
                self.expr_tree(&i.lhs);
                self.compared(&i.lhs, "in");
                self.expr_tree(&i.rhs);
            }
            ExprVal::Test(t) => t.args.iter().for_each(|e| self.expr_tree(e)),
            ExprVal::FunctionCall(f) => f.args.values().for_each(|e| self.expr_tree(e)),
            ExprVal::MacroCall(m) => m.args.values().for_each(|e| self.expr_tree(e)),
            ExprVal::Array(items) => items.iter().for_each(|e| self.expr_tree(e)),
            _ => {}
        }
    }

    /// Checks one expression (its nested expressions are visited on their own).
    pub(super) fn expr(&mut self, expr: &Expr) {
        for (nth, filter) in expr.filters.iter().enumerate() {
            // (Each use counted, so that a problem of this one is placed at it.)
            *self.seen.entry(filter.name.clone()).or_default() += 1;
            if !TERA_OWN_FILTERS.contains(&filter.name.as_str())
                && self.tera.get_filter(&filter.name).is_err()
            {
                self.unknown("过滤器", "filter", &filter.name);
            }
            self.helper_args(&filter.name, true, filter.args.keys());
            let piped = (nth == 0).then_some(&expr.val);
            self.literal_args(&filter.name, &filter.args, piped);
        }
        if let ExprVal::FunctionCall(call) = &expr.val {
            *self.seen.entry(call.name.clone()).or_default() += 1;
            self.helper_args(&call.name, false, call.args.keys());
            self.literal_args(&call.name, &call.args, None);
            if call.name == "chart" {
                self.chart_fields(&call.args);
            }
        }
        self.filter_attributes(expr);
        match &expr.val {
            ExprVal::Ident(ident) => {
                self.path(ident);
                // (After the path, which counts the places it is met at.)
                self.printed(ident, expr);
            }
            ExprVal::Test(test) => {
                // `x is defined` asks whether x exists: not a mistake when it does not.
                if !["defined", "undefined"].contains(&test.name.as_str()) {
                    self.path(&test.ident);
                }
                if self.tera.get_tester(&test.name).is_err() {
                    self.unknown("测试", "test", &test.name);
                }
            }
            ExprVal::FunctionCall(call) if self.tera.get_function(&call.name).is_err() => {
                self.unknown("函数", "function", &call.name);
            }
            ExprVal::MacroCall(call) => self.macro_call(call),
            ExprVal::StringConcat(concat) => {
                for value in &concat.values {
                    if let ExprVal::Ident(ident) = value {
                        self.path(ident);
                    }
                }
            }
            _ => {}
        }
    }

    /// Reports the first segment of `ident` that names nothing, and checks the paths inside
    /// its brackets.
    pub(super) fn path(&mut self, ident: &str) {
        for inner in crate::render::deps::bracketed(ident) {
            if inner.starts_with(|c: char| c.is_alphabetic() || c == '_') {
                self.path(inner);
            }
        }
        *self.seen.entry(ident.to_string()).or_default() += 1;
        let segments = segments(ident);
        let Some((Segment::Key(first), rest)) = segments.split_first() else {
            return;
        };
        if let Some(&nth_set) = self.set_in_ended_loop.get(first) {
            return self.read_after_loop_set(ident, first, nth_set);
        }
        let Some(mut shape) = self.start(first) else {
            // `{% if notes is defined %}`: a file that may not be there.
            if self.is_guarded(first) {
                return;
            }
            if self.loop_names.contains(first) {
                return self.outside_loop(ident, first);
            }
            let mut bound: Vec<&str> = self.bound.keys().map(String::as_str).collect();
            bound.sort_unstable();
            let names: Vec<&str> = self
                .top
                .iter()
                .map(|(k, _)| k.as_str())
                .chain(bound)
                .chain(BUILT_IN.iter().copied().filter(|n| !n.starts_with('_')))
                .collect();
            let suggestion = did_you_mean(first, names.iter().copied());
            self.report(
                ident,
                Text::new(
                    format!("模板读取的「{first}」不存在：它不是数据的顶层名称，也不是模板里定义的变量"),
                    format!("the template reads `{first}`, which does not exist: it is no top-level data name nor a variable of the template"),
                ),
                Text::new(
                    format!("{}可以读的名称有：{}", maybe_zh(suggestion), names.join("、")),
                    format!("{}the names there are: {}", maybe_en(suggestion), names.join(", ")),
                ),
            );
            return;
        };
        let mut read = first.clone();
        let mut varies = self.varies.contains(first);
        for (step, segment) in rest.iter().enumerate() {
            // The path up to and with this step, as guards are written (`villages[*].note`).
            let here = normal(&segments[..step + 2]);
            let key = match segment {
                Segment::Key(key) => key,
                Segment::Element => {
                    varies = true;
                    read.push_str("[…]");
                    shape = element(shape);
                    continue;
                }
            };
            // An optional field of one of many records: some may lack it. (A single file's
            // page is rendered by `check`, which shows a field it lacks.)
            let optional = varies
                && matches!(&shape, Shape::Record { optional, .. } if optional.contains(key));
            let absent_file = matches!(
                &shape,
                Shape::Files { .. } | Shape::Record { folder: true, .. }
            );
            match field(&shape, key) {
                Some(next) => shape = next,
                // A file that is not there now may be when the test runs.
                None if absent_file && self.is_guarded(&here) => return,
                None => {
                    self.no_such_key(ident, &read, key, &shape);
                    return;
                }
            }
            read.push('.');
            read.push_str(key);
            if optional && !self.is_guarded(&here) {
                self.optional(ident, &read);
                return;
            }
        }
    }
}

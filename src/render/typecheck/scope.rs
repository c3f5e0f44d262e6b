//! The names a template can read where it reads them: what a `set` or a loop binds, and
//! the shape of what a path holds.

use tera::ast::{Expr, ExprVal, Node};

use super::paths::{Segment, segments};
use super::shape::{Shape, element, field};
use super::{BUILT_IN, Checker, KEEP};

impl Checker<'_> {
    /// Collects the names `nodes` bind, with the shapes of what they are bound to.
    pub(super) fn bind(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::Set(_, set) => {
                    let shape = self.shape_of(&set.value);
                    if let ExprVal::Ident(ident) = &set.value.val
                        && let Some(Segment::Key(first)) = segments(ident).first()
                        && self.varies.contains(first)
                    {
                        self.varies.insert(set.key.clone());
                    }
                    self.bind_name(&set.key, shape);
                }
                Node::Forloop(_, forloop, _) => {
                    // A loop's names hold inside it only, as Tera renders a loop; the
                    // names its body sets are kept (a `set` in a loop is a slip of its own).
                    let outside = self.enter_loop(forloop);
                    self.bind(&forloop.body);
                    self.leave_loop(outside);
                    if let Some(body) = &forloop.empty_body {
                        self.bind(body);
                    }
                }
                Node::If(branches, _) => {
                    for (_, _, body) in &branches.conditions {
                        self.bind(body);
                    }
                    if let Some((_, body)) = &branches.otherwise {
                        self.bind(body);
                    }
                }
                Node::FilterSection(_, section, _) => self.bind(&section.body),
                Node::Block(_, block, _) => self.bind(&block.body),
                _ => {}
            }
        }
    }

    /// Binds a loop's names (`v`, or `k, v`) to what the loop goes over, for its body;
    /// returns what they held before, for [`Checker::leave_loop`].
    pub(super) fn enter_loop(
        &mut self,
        forloop: &tera::ast::Forloop,
    ) -> Vec<(String, Option<Shape>)> {
        let container = self.shape_of(&forloop.container);
        let mut names = Vec::new();
        if let Some(key) = &forloop.key {
            names.push((key.clone(), Shape::Any));
            let value = match container {
                Shape::Files { item, .. } => *item,
                _ => Shape::Any,
            };
            names.push((forloop.value.clone(), value));
        } else {
            names.push((forloop.value.clone(), element(container)));
        }
        self.varies.insert(forloop.value.clone());
        names
            .into_iter()
            .map(|(name, shape)| {
                if !self.loop_names.contains(&name) {
                    self.loop_names.push(name.clone());
                }
                let before = self.bound.insert(name.clone(), shape);
                (name, before)
            })
            .collect()
    }

    /// Gives a loop's names back what they held before it: after a loop, its `v` names
    /// nothing (or the outer `v` again).
    pub(super) fn leave_loop(&mut self, outside: Vec<(String, Option<Shape>)>) {
        for (name, before) in outside.into_iter().rev() {
            match before {
                Some(shape) => self.bound.insert(name, shape),
                None => self.bound.remove(&name),
            };
        }
    }

    fn bind_name(&mut self, name: &str, shape: Shape) {
        let shape = if self.bound.get(name).is_some_and(|old| *old != shape) {
            Shape::Any
        } else {
            shape
        };
        self.bound.insert(name.to_string(), shape);
    }

    /// What `expr` holds, as far as it can be told: a path, kept through filters that keep a
    /// list's items (`sort`, `filter` …).
    pub(super) fn shape_of(&self, expr: &Expr) -> Shape {
        let ExprVal::Ident(ident) = &expr.val else {
            return Shape::Any;
        };
        if expr
            .filters
            .iter()
            .any(|f| !KEEP.contains(&f.name.as_str()))
        {
            return Shape::Any;
        }
        self.resolve(ident).unwrap_or(Shape::Any)
    }

    /// The shape of the value at `ident` (`v.registered.people`, `villages[page.id].name`);
    /// `None` where it names nothing (reported by [`Checker::path`]).
    pub(super) fn resolve(&self, ident: &str) -> Option<Shape> {
        let segments = segments(ident);
        let (first, rest) = segments.split_first()?;
        let mut shape = match first {
            Segment::Key(name) => self.start(name)?,
            Segment::Element => return Some(Shape::Any),
        };
        for segment in rest {
            shape = match segment {
                Segment::Key(key) => field(&shape, key)?,
                Segment::Element => element(shape),
            };
        }
        Some(shape)
    }

    /// The shape of a path's first name.
    pub(super) fn start(&self, name: &str) -> Option<Shape> {
        if BUILT_IN.contains(&name) {
            return Some(Shape::Any);
        }
        if let Some(shape) = self.bound.get(name) {
            return Some(shape.clone());
        }
        self.top
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, s)| s.clone())
    }

    /// Whether the value at `path` (normalised, see [`normal`]) is tested before it is
    /// read: a tested path is it, or goes through it (`{% if v.support.unit %}` shows that
    /// `v.support` is there).
    pub(super) fn is_guarded(&self, path: &str) -> bool {
        self.guarded.iter().any(|g| {
            g == path
                || g.strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
        })
    }
}

//! What the checks across files read of a data file in a folder: the top-level fields the
//! rules name, the fields that must be unique across files and those the corrections log
//! names. A build keeps only those of each village once its own fields are checked and its
//! tree is packed for the pages (`crate::streamed`): the whole trees of 100,000 villages
//! (~400 MiB) are never held together.
//!
//! The projection is conservative: any name a rule, the log or a unique field writes keeps
//! the top-level field of that name; a rule that could read a file's fields other than by
//! name (`v.*`, `villages.*.*`, a bare file outside `count`) allows no projection at all.

use std::collections::HashSet;
use std::sync::Arc;

use crate::load::{DataFile, Node, Value};

use super::expr::{Builtin, Expr, Segment};
use super::schema::Schema;

/// The top-level field names the checks across files read of a file in a folder.
#[derive(Debug, Default)]
pub struct Reads {
    names: HashSet<String>,
}

/// Where a path of a rule is read from, for [`Reads::of`].
struct Names<'n> {
    /// The data's top-level folders (`villages`): a path from one reaches a file after two
    /// steps (`villages.hengxi`, `villages.*`, `villages[…]`).
    folders: &'n HashSet<String>,
    /// The names the rules' `each` binds (`v`): a file, perhaps, after one step.
    bound: HashSet<&'n str>,
}

impl Reads {
    /// What the checks of `schema` and the corrections log `log` read of the files in
    /// `folders` (the data's top-level folders, each holding files only); `None` when a rule
    /// may read fields it does not name.
    pub fn of(schema: &Schema, log: Option<&DataFile>, folders: &HashSet<String>) -> Option<Reads> {
        let mut reads = Reads::default();
        let names = Names {
            folders,
            bound: schema
                .rules
                .iter()
                .filter_map(|rule| rule.each.as_ref().map(|(name, _)| name.as_str()))
                .collect(),
        };
        for rule in &schema.rules {
            if let Some((_, over)) = &rule.each {
                reads.expr(over, &names, true)?;
            }
            reads.expr(&rule.check, &names, false)?;
            if let Some(explained) = &rule.explained {
                reads.expr(&explained.within, &names, false)?;
            }
        }
        for file in &schema.files {
            for (name, field) in &file.fields {
                if field.unique {
                    reads.names.insert(name.clone());
                }
            }
        }
        if let Some(log) = log {
            reads.words_of(&log.root);
        }
        Some(reads)
    }

    /// The names `expr` reads; `None` when it may read a file's fields by other means.
    /// `whole_file` says a path may end at a file (counted, or an `each`'s items).
    fn expr(&mut self, expr: &Expr, names: &Names<'_>, whole_file: bool) -> Option<()> {
        match expr {
            Expr::Number(_) | Expr::Text(_) | Expr::Bool(_) | Expr::Null => Some(()),
            Expr::Path(segments) => self.path(segments, names, whole_file),
            Expr::Negate(inner) | Expr::Not(inner) => self.expr(inner, names, false),
            Expr::Binary(_, left, right) => {
                self.expr(left, names, false)?;
                self.expr(right, names, false)
            }
            Expr::Call(builtin, args) => {
                let counted = *builtin == Builtin::Count;
                args.iter()
                    .try_for_each(|arg| self.expr(arg, names, counted))
            }
        }
    }

    /// The names a path reads (see [`Reads::expr`]).
    fn path(&mut self, segments: &[Segment], names: &Names<'_>, whole_file: bool) -> Option<()> {
        let Some(Segment::Key(first)) = segments.first() else {
            return None;
        };
        // How many steps reach a file, when the path may reach one.
        let file_at = if names.bound.contains(first.as_str()) {
            Some(1)
        } else if names.folders.contains(first) {
            Some(2)
        } else {
            // A file outside folders (kept whole), or a field of the item a filter is on.
            None
        };
        for (at, segment) in segments.iter().enumerate() {
            match segment {
                Segment::Key(name) => {
                    self.names.insert(name.clone());
                }
                Segment::Filter(condition) => self.expr(condition, names, false)?,
                Segment::Every | Segment::Index(_) => {}
            }
            // The step into a file's top-level mapping must name its field.
            if Some(at) == file_at && !matches!(segment, Segment::Key(_)) {
                return None;
            }
        }
        match file_at {
            Some(steps) if segments.len() == steps && !whole_file => None,
            _ => Some(()),
        }
    }

    /// Every word of the log's text values (a `what` path's names: `hospital`,
    /// `hospitalisations`).
    fn words_of(&mut self, node: &Node) {
        match &node.value {
            Value::String(text) => {
                for word in text.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                    if !word.is_empty() {
                        self.names.insert(word.to_string());
                    }
                }
            }
            Value::List(items) => items.iter().for_each(|item| self.words_of(item)),
            Value::Map(entries) => entries.iter().for_each(|(_, value)| self.words_of(value)),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// `file` with only the top-level fields the checks read, its place and fingerprint
    /// kept.
    pub fn project(&self, file: &DataFile) -> Arc<DataFile> {
        let value = match &file.root.value {
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .filter(|(key, _)| self.names.contains(&*key.name))
                    .cloned()
                    .collect(),
            ),
            other => other.clone(),
        };
        Arc::new(DataFile::with_fingerprint(
            file.path.clone(),
            file.key_path.clone(),
            Node {
                value,
                line: file.root.line,
                col: file.root.col,
            },
            file.fingerprint().to_string(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(text: &str) -> Schema {
        let node = crate::load::yaml::parse(text, std::path::Path::new("data/schema.yaml"))
            .expect("schema parses");
        crate::validate::schema::parse(&node).expect("schema reads")
    }

    fn folders() -> HashSet<String> {
        ["villages".to_string(), "policies".to_string()].into()
    }

    const FILES: &str = "files:\n  villages/*.yaml:\n    fields:\n      name: {type: text, unique: true}\n      a: {type: count}\n      b: {type: count}\n      exits:\n        type: list\n        items:\n          fields:\n            year: {type: count}\n  township.yaml:\n    fields:\n      total: {type: count}\n";

    fn names(reads: &Reads) -> Vec<&str> {
        let mut names: Vec<&str> = reads.names.iter().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    #[test]
    fn the_fields_rules_read_by_name_are_kept_with_the_unique_ones() {
        let schema = schema(&format!(
            "{FILES}rules:\n  - id: r1\n    each: v in villages.*\n    check: v.a >= 0\n    message: m\n  - id: r2\n    check: count(villages[b == 1]) <= township.total\n    message: m\n  - id: r3\n    check: count(villages.*) == township.total\n    message: m\n"
        ));
        let reads = Reads::of(&schema, None, &folders()).expect("a projection");
        assert_eq!(
            names(&reads),
            ["a", "b", "name", "total", "township", "v", "villages"]
        );
    }

    #[test]
    fn a_rule_that_reads_a_file_other_than_by_field_name_allows_no_projection() {
        for check in [
            "sum(villages.*.*) == 3",
            "count(v.*) == 3",
            "sum(villages.hengxi.*) == 3",
            "villages.hengxi == 3",
        ] {
            let schema = schema(&format!(
                "{FILES}rules:\n  - id: r1\n    each: v in villages.*\n    check: {check}\n    message: m\n"
            ));
            assert!(Reads::of(&schema, None, &folders()).is_none(), "{check}");
        }
    }

    #[test]
    fn a_projected_file_keeps_what_the_checks_read_where_it_was() {
        let schema = schema(&format!(
            "{FILES}rules:\n  - id: r1\n    each: v in villages.*\n    check: v.a >= 0\n    message: m\n"
        ));
        let log = crate::load::data_file(
            std::path::Path::new("data/corrections.yaml"),
            crate::load::yaml::parse(
                "entries:\n  - what: villages.x.exits[year=2019].year\n",
                std::path::Path::new("data/corrections.yaml"),
            )
            .expect("log parses"),
        )
        .expect("a data file");
        let reads = Reads::of(&schema, Some(&log), &folders()).expect("a projection");
        let path = std::path::Path::new("data/villages/x.yaml");
        let text = "name: 甲村\na: 1\nb: 2\nexits:\n  - year: 2019\n";
        let file =
            crate::load::data_file(path, crate::load::yaml::parse(text, path).expect("parses"))
                .expect("a data file");
        let projected = reads.project(&file);
        let Value::Map(entries) = &projected.root.value else {
            panic!("a mapping");
        };
        let kept: Vec<(&str, u32)> = entries.iter().map(|(k, _)| (&*k.name, k.line())).collect();
        assert_eq!(kept, [("name", 1), ("a", 2), ("exits", 4)]);
        assert_eq!(projected.fingerprint(), file.fingerprint());
        assert_eq!(projected.root.line, file.root.line);
    }
}

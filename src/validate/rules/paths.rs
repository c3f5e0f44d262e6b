//! Rule paths checked against the schema: a misspelt field is reported when the schema is
//! read, instead of making the rule fail (or pass) for the wrong reason.

use crate::diagnostics::{Diagnostic, Text};
use crate::validate::expr::{Expr, Segment};
use crate::validate::schema::{Field, Kind, Schema, did_you_mean};

/// What a path reaches, as the schema declares it.
#[derive(Clone, Copy)]
enum Shape<'s> {
    /// Not known (a mapping of free keys, a mix): anything goes.
    Any,
    /// A data folder: its file patterns under one name (`villages/*.yaml`, `policies/health.yaml`).
    Folder,
    /// A record with declared fields.
    Record(&'s [(String, Field)]),
    /// A list of items.
    List(&'s Field),
    /// A single value.
    Scalar,
}

fn shape_of(field: &Field) -> Shape<'_> {
    match &field.kind {
        Kind::Record(fields) => Shape::Record(fields),
        Kind::List(item) => Shape::List(item),
        _ => Shape::Scalar,
    }
}

/// The file patterns below data folder `folder` (`villages`, `policies`): (name or `*`, fields).
fn folder_entries<'s>(schema: &'s Schema, folder: &str) -> Vec<(&'s str, &'s [(String, Field)])> {
    schema
        .files
        .iter()
        .filter_map(|f| {
            let rest = f.pattern.strip_prefix(folder)?.strip_prefix('/')?;
            let name = rest
                .strip_suffix(".yaml")
                .or_else(|| rest.strip_suffix(".yml"))?;
            (!name.contains('/')).then_some((name, f.fields.as_slice()))
        })
        .collect()
}

fn root_shape<'s>(schema: &'s Schema, name: &str) -> Option<Shape<'s>> {
    for file in &schema.files {
        let stem = file
            .pattern
            .trim_end_matches(".yaml")
            .trim_end_matches(".yml");
        if stem == name {
            return Some(Shape::Record(&file.fields));
        }
    }
    (!folder_entries(schema, name).is_empty()).then_some(Shape::Folder)
}

/// Rule paths checked against the schema: a misspelt field is reported when the schema is
/// read, instead of making the rule fail (or pass) for the wrong reason. Returns the ids of
/// rules with a bad path and the diagnostics.
pub fn check_paths(schema: &Schema) -> (Vec<String>, Vec<Diagnostic>) {
    let mut bad = Vec::new();
    let mut problems = Vec::new();
    for rule in &schema.rules {
        let mut vars: Vec<(String, Shape<'_>)> = Vec::new();
        let mut errors = Vec::new();
        if let Some((var, path)) = &rule.each {
            let shape = walk_expr(schema, path, &vars, None, &mut errors);
            vars.push((var.clone(), shape.unwrap_or(Shape::Any)));
        }
        walk_expr(schema, &rule.check, &vars, None, &mut errors);
        if let Some(explained) = &rule.explained {
            walk_expr(schema, &explained.within, &vars, None, &mut errors);
        }
        if !errors.is_empty() {
            bad.push(rule.id.clone());
        }
        for (zh, en) in errors {
            let mut d = Diagnostic::error(
                "rule-path",
                Some(rule.location.clone()),
                Text::new(
                    format!("规则「{}」的路径有误：{zh}", rule.id),
                    format!("rule `{}` has a bad path: {en}", rule.id),
                ),
            )
            .with_hint(Text::new(
                "路径要用数据文件里的键名，见 data/schema.yaml 的 files",
                "paths use the keys of the data files, as declared under files in data/schema.yaml",
            ));
            d.rule = Some(rule.id.clone());
            problems.push(d);
        }
    }
    (bad, problems)
}

type PathErrors = Vec<(String, String)>;

/// Checks the paths in `expr`; returns the shape of `expr` when it is a path.
fn walk_expr<'s>(
    schema: &'s Schema,
    expr: &Expr,
    vars: &[(String, Shape<'s>)],
    item: Option<Shape<'s>>,
    errors: &mut PathErrors,
) -> Option<Shape<'s>> {
    match expr {
        Expr::Path(segments) => walk_path(schema, segments, vars, item, errors),
        Expr::Negate(inner) | Expr::Not(inner) => {
            walk_expr(schema, inner, vars, item, errors);
            None
        }
        Expr::Binary(_, a, b) => {
            walk_expr(schema, a, vars, item, errors);
            walk_expr(schema, b, vars, item, errors);
            None
        }
        Expr::Call(_, args) => {
            for arg in args {
                walk_expr(schema, arg, vars, item, errors);
            }
            None
        }
        _ => None,
    }
}

fn walk_path<'s>(
    schema: &'s Schema,
    segments: &[Segment],
    vars: &[(String, Shape<'s>)],
    item: Option<Shape<'s>>,
    errors: &mut PathErrors,
) -> Option<Shape<'s>> {
    let Some(Segment::Key(first)) = segments.first() else {
        return None;
    };
    let written = |upto: usize| -> String {
        segments[..upto]
            .iter()
            .map(|s| match s {
                Segment::Key(k) => k.clone(),
                Segment::Every => "*".into(),
                Segment::Index(i) => i.to_string(),
                Segment::Filter(_) => "[…]".into(),
            })
            .collect::<Vec<_>>()
            .join(".")
    };
    let mut shape = start_shape(schema, first, vars, item, errors)?;
    let mut folder_name = first.as_str();
    for (i, segment) in segments.iter().enumerate().skip(1) {
        shape = match (shape, segment) {
            (Shape::Any, Segment::Filter(condition)) => {
                walk_expr(schema, condition, vars, Some(Shape::Any), errors);
                Shape::Any
            }
            (Shape::Any, _) => Shape::Any,
            (Shape::Folder, Segment::Key(name)) => {
                let (next, nested) =
                    file_in_folder(schema, folder_name, name, &written(i), errors)?;
                if nested {
                    folder_name = "";
                }
                next
            }
            (Shape::Folder, Segment::Every | Segment::Filter(_)) => {
                let entries = folder_entries(schema, folder_name);
                let record = match entries.as_slice() {
                    [(_, fields)] => Shape::Record(fields),
                    _ => Shape::Any,
                };
                if let Segment::Filter(condition) = segment {
                    walk_expr(schema, condition, vars, Some(record), errors);
                    // A filter keeps the folder's records; `.field` may follow directly.
                }
                record
            }
            (Shape::Folder, Segment::Index(_)) => Shape::Any,
            (Shape::Record(fields), Segment::Key(name)) => {
                field_of_record(fields, name, &written(i), errors)?
            }
            (Shape::Record(fields), Segment::Filter(condition)) => {
                walk_expr(schema, condition, vars, Some(Shape::Record(fields)), errors);
                Shape::Record(fields)
            }
            (Shape::Record(_), _) => Shape::Any,
            (Shape::List(item), Segment::Every | Segment::Index(_)) => shape_of(item),
            (Shape::List(item), Segment::Filter(condition)) => {
                walk_expr(schema, condition, vars, Some(shape_of(item)), errors);
                shape_of(item)
            }
            (Shape::List(_), Segment::Key(name)) => {
                errors.push((
                    format!(
                        "{} 是列表：用 {}.*.{name} 取每一项的「{name}」",
                        written(i),
                        written(i)
                    ),
                    format!(
                        "{} is a list: write {}.*.{name} for each item's `{name}`",
                        written(i),
                        written(i)
                    ),
                ));
                return None;
            }
            (Shape::Scalar, _) => {
                errors.push((
                    format!("{} 是单个值，后面不能再接「.」", written(i)),
                    format!("{} is a single value; nothing can follow it", written(i)),
                ));
                return None;
            }
        };
    }
    Some(shape)
}

/// The shape a path starts at: a field of the item a filter looks at, a variable of `each`,
/// or a top-level name of the data (a file or a folder).
fn start_shape<'s>(
    schema: &'s Schema,
    first: &str,
    vars: &[(String, Shape<'s>)],
    item: Option<Shape<'s>>,
    errors: &mut PathErrors,
) -> Option<Shape<'s>> {
    let item_field = item.and_then(|shape| match shape {
        Shape::Record(fields) => fields
            .iter()
            .find(|(n, _)| n == first)
            .map(|(_, f)| shape_of(f)),
        Shape::Any => Some(Shape::Any),
        _ => None,
    });
    let shape = if let Some(shape) = item_field {
        shape
    } else if let Some((_, shape)) = vars.iter().rev().find(|(n, _)| n == first) {
        *shape
    } else if let Some(shape) = root_shape(schema, first) {
        shape
    } else {
        let mut names: Vec<&str> = schema
            .files
            .iter()
            .filter_map(|f| f.pattern.split(['/', '.']).next())
            .collect();
        if let Some(Shape::Record(fields)) = item {
            names.extend(fields.iter().map(|(n, _)| n.as_str()));
        }
        names.sort_unstable();
        names.dedup();
        let hint = did_you_mean(first, names.iter().copied())
            .map(|s| {
                (
                    format!("，是不是「{s}」？"),
                    format!("; did you mean `{s}`?"),
                )
            })
            .unwrap_or_default();
        errors.push((
            format!("数据里没有「{first}」{}", hint.0),
            format!("there is no `{first}` in the data{}", hint.1),
        ));
        return None;
    };
    Some(shape)
}

/// `folder.name`: the file pattern of that file (or `*`), or a folder below (`nested`).
fn file_in_folder<'s>(
    schema: &'s Schema,
    folder_name: &str,
    name: &str,
    written: &str,
    errors: &mut PathErrors,
) -> Option<(Shape<'s>, bool)> {
    let entries = folder_entries(schema, folder_name);
    if let Some((_, fields)) = entries
        .iter()
        .find(|(n, _)| *n == name)
        .or_else(|| entries.iter().find(|(n, _)| n.contains('*')))
    {
        return Some((Shape::Record(fields), false));
    }
    if !folder_entries(schema, &format!("{folder_name}/{name}")).is_empty() {
        return Some((Shape::Any, true));
    }
    let hint = did_you_mean(name, entries.iter().map(|(n, _)| *n))
        .map(|s| {
            (
                format!("，是不是「{s}」？"),
                format!("; did you mean `{s}`?"),
            )
        })
        .unwrap_or_default();
    errors.push((
        format!("{written} 下没有数据文件「{name}」{}", hint.0),
        format!("there is no data file `{name}` in {written}{}", hint.1),
    ));
    None
}

/// `record.name`: the shape of that field of the record.
fn field_of_record<'s>(
    fields: &'s [(String, Field)],
    name: &str,
    written: &str,
    errors: &mut PathErrors,
) -> Option<Shape<'s>> {
    if let Some((_, field)) = fields.iter().find(|(n, _)| n == name) {
        return Some(shape_of(field));
    }
    let hint = did_you_mean(name, fields.iter().map(|(n, _)| n.as_str()))
        .map(|s| {
            (
                format!("，是不是「{s}」？"),
                format!("; did you mean `{s}`?"),
            )
        })
        .unwrap_or_default();
    errors.push((
        format!("{written} 没有字段「{name}」{}", hint.0),
        format!("{written} has no field `{name}`{}", hint.1),
    ));
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn schema(rules: &str) -> Schema {
        let text = format!(
            "files:\n  township.yaml:\n    fields:\n      registered:\n        fields:\n          households: count\n  villages/*.yaml:\n    fields:\n      status: text\n      exits:\n        type: list\n        items:\n          fields:\n            year: year\nrules:\n{rules}"
        );
        let node = crate::load::yaml::parse(&text, Path::new("data/schema.yaml")).unwrap();
        crate::validate::schema::parse(&node).unwrap()
    }

    fn path_errors(check: &str) -> Vec<String> {
        let s = schema(&format!(
            "  - id: r\n    message: m\n    check: '{check}'\n"
        ));
        check_paths(&s)
            .1
            .into_iter()
            .map(|d| d.message.en)
            .collect()
    }

    #[test]
    fn misspelt_paths_are_reported_with_a_suggestion() {
        assert!(
            path_errors("township.registered.households == sum(villages.*.exits.*.year)")
                .is_empty()
        );
        assert!(path_errors("count(villages[status == \"x\"]) == 1").is_empty());
        let e = path_errors("township.registred.households == 1");
        assert!(
            e[0].contains("has no field `registred`; did you mean `registered`?"),
            "{e:?}"
        );
        let e = path_errors("count(villages[statuss == \"x\"]) == 1");
        assert!(
            e[0].contains("`statuss`") && e[0].contains("`status`"),
            "{e:?}"
        );
        let e = path_errors("sum(villages.*.exits.year) == 1");
        assert!(e[0].contains("is a list"), "{e:?}");
        let e = path_errors("towship.registered.households == 1");
        assert!(e[0].contains("did you mean `township`"), "{e:?}");
    }
}

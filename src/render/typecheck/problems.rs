//! The errors and warnings of a path read, and the one place they are pushed from.

use tera::ast::{Expr, ExprVal};

use super::places::loop_binding;
use super::shape::Shape;
use super::{Checker, FileNamed, no_file_with_id};
use crate::diagnostics::{Diagnostic, Severity, Text};
use crate::validate::schema::did_you_mean;

pub(super) fn maybe_zh(suggestion: Option<&str>) -> String {
    suggestion.map_or(String::new(), |s| format!("是不是「{s}」？"))
}

pub(super) fn maybe_en(suggestion: Option<&str>) -> String {
    suggestion.map_or(String::new(), |s| format!("did you mean `{s}`? "))
}

impl Checker<'_> {
    /// The error for `{% set total = total + … %}` inside a loop (not `set_global`): Tera
    /// starts each round from the value outside the loop, so a count or a sum made so is
    /// wrong on every row and, after the loop, is the value before it.
    #[cold]
    pub(super) fn set_in_loop(&mut self, name: &str) {
        let at = self.set_at(name, self.sets_met(name));
        let location = self.place(at);
        let problem = Diagnostic::error(
            "template-loop-set",
            Some(location),
            Text::new(
                format!("「{name}」在 for 循环里用 set 累加：Tera 的 set 在循环里只改这一轮的「{name}」，每一轮都从循环外的值重新算起，循环结束后「{name}」还是循环外的值"),
                format!("`{name}` is accumulated with set inside a for loop: in a loop, Tera's set changes this round's `{name}` only, every round starts again from the value outside the loop, and after the loop `{name}` is that value"),
            ),
        )
        .with_hint(Text::new(
            format!("写成 {{% set_global {name} = … %}}；计数和求和也可以不写循环，如 {{{{ villages_list | length }}}}（见 docs/templates.md）"),
            format!("write {{% set_global {name} = … %}}; counts and sums need no loop either, e.g. {{{{ villages_list | length }}}} (see docs/templates.md)"),
        ));
        self.push(problem);
    }

    /// The error for a name read after the loop that set it (`{% set found = v.name %}` in
    /// the loop, `{{ found }}` after `{% endfor %}`): it reads the value from before the
    /// loop, or nothing. Told once a name, with where the `set` is.
    #[cold]
    pub(super) fn read_after_loop_set(&mut self, ident: &str, name: &str, nth_set: usize) {
        self.set_in_ended_loop.remove(name);
        let set_at = self.set_at(name, nth_set);
        let location = self.place(self.needle_at(ident));
        let mut problem = Diagnostic::error(
            "template-loop-set",
            Some(location),
            Text::new(
                format!("「{name}」是在 for 循环里用 set 赋的值：Tera 的 set 在循环里只管这一轮，循环结束后这里读到的是循环前的「{name}」（没有就报错），不是循环里赋的值"),
                format!("`{name}` was given its value with set inside a for loop: in a loop, Tera's set holds for that round only, so after the loop this reads the `{name}` from before it (or fails when there is none), not the value set in the loop"),
            ),
        )
        .with_hint(Text::new(
            format!("在循环里写成 {{% set_global {name} = … %}}；找一个村用过滤器，不用循环，如 {{% set {name} = villages_list | filter(attribute=\"name\", value=\"横溪村\") | first %}}（见 docs/templates.md）"),
            format!("write {{% set_global {name} = … %}} in the loop; to find one village use a filter, not a loop, e.g. {{% set {name} = villages_list | filter(attribute=\"name\", value=\"横溪村\") | first %}} (see docs/templates.md)"),
        ));
        if set_at.is_some() {
            let place = self.place(set_at);
            problem
                .related
                .push((place, Text::new("在循环里赋值", "set in the loop here")));
        }
        self.push(problem);
    }

    /// The error for a loop's variable read outside its loop (`{{ v.name }}` after
    /// `{% endfor %}`), with where the loop is.
    #[cold]
    pub(super) fn outside_loop(&mut self, ident: &str, name: &str) {
        let read_at = self.needle_at(ident);
        let location = self.place(read_at);
        let mut problem = Diagnostic::error(
            "template-path",
            Some(location),
            Text::new(
                format!("「{name}」是 for 循环的变量，只在循环里（{{% for %}} 到 {{% endfor %}} 之间）有值，这里在循环外"),
                format!("`{name}` is a for loop's variable: it holds a value only inside its loop (between {{% for %}} and {{% endfor %}}), and this is outside it"),
            ),
        )
        .with_hint(Text::new(
            format!("把读「{name}」的这一处移到循环里，或者改读数据里的名称"),
            format!("move this read of `{name}` into the loop, or read a name of the data instead"),
        ));
        if let Some(at) = loop_binding(&self.searched, name, read_at.unwrap_or(usize::MAX)) {
            let place = self.place(Some(at));
            problem
                .related
                .push((place, Text::new("循环在这里", "the loop is here")));
        }
        self.push(problem);
    }

    /// The warning for an optional field read where a record may lack it.
    pub(super) fn optional(&mut self, ident: &str, read: &str) {
        let location = self.location(ident);
        let problem = Diagnostic::new(
            crate::diagnostics::Severity::Warning,
            "template-optional",
            Some(location),
            Text::new(
                format!("模板读取「{ident}」：{read} 是可选字段（schema 里 optional: true），缺少它的记录会让这一页生成失败"),
                format!("the template reads `{ident}`: {read} is an optional field (optional: true in the schema); a record without it fails its page"),
            ),
        )
        .with_hint(Text::new(
            format!("用 {{% if {read} %}}…{{% endif %}} 包起来，或写 {{{{ {read} | default(value=\"\") }}}}"),
            format!("wrap it in {{% if {read} %}}…{{% endif %}}, or write {{{{ {read} | default(value=\"\") }}}}"),
        ));
        self.push(problem);
    }

    /// The error for `read.key`, which `shape` does not have.
    pub(super) fn no_such_key(&mut self, ident: &str, read: &str, key: &str, shape: &Shape) {
        let (message, hint) = match shape {
            Shape::Files { what, .. }
            | Shape::Record {
                what, folder: true, ..
            } if let Some(FileNamed { id, field, text }) = (self.named)(read, key) => (
                no_file_with_id(ident, read, what, key),
                Text::new(
                    format!(
                        "「{text}」是 {id}.yaml 的 {field}；模板按文件名（不含 .yaml）读一个文件：写成 {read}.{id}"
                    ),
                    format!(
                        "`{text}` is the {field} of {id}.yaml; templates read a file by its file name (without .yaml): write {read}.{id}"
                    ),
                ),
            ),
            Shape::Record { what, fields, .. } => {
                let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
                let suggestion = did_you_mean(key, names.iter().copied());
                (
                    Text::new(
                        format!("模板读取「{ident}」：{read}（{what}）没有字段「{key}」"),
                        format!(
                            "the template reads `{ident}`: {read} ({what}) has no field `{key}`"
                        ),
                    ),
                    Text::new(
                        format!(
                            "{}它的字段有：{}（见 data/schema.yaml）",
                            maybe_zh(suggestion),
                            names.join("、")
                        ),
                        format!(
                            "{}its fields are: {} (see data/schema.yaml)",
                            maybe_en(suggestion),
                            names.join(", ")
                        ),
                    ),
                )
            }
            Shape::Files { what, ids, .. } => {
                let suggestion = did_you_mean(key, ids.iter().map(String::as_str));
                let shown: Vec<&str> = ids.iter().take(12).map(String::as_str).collect();
                (
                    no_file_with_id(ident, read, what, key),
                    Text::new(
                        format!(
                            "{}文件的 id 是文件名（不含 .yaml），例如：{}",
                            maybe_zh(suggestion),
                            shown.join("、")
                        ),
                        format!(
                            "{}a file's id is its name without .yaml, such as: {}",
                            maybe_en(suggestion),
                            shown.join(", ")
                        ),
                    ),
                )
            }
            Shape::List(_) => (
                Text::new(
                    format!("模板读取「{ident}」：{read} 是列表，没有「{key}」"),
                    format!("the template reads `{ident}`: {read} is a list and has no `{key}`"),
                ),
                Text::new(
                    "列表的项用 for 循环读，或写序号，例如 .0",
                    "read a list's items with a for loop, or by number such as .0",
                ),
            ),
            Shape::Scalar(kind, ..) => (
                Text::new(
                    format!("模板读取「{ident}」：{read} 是一个值（{kind}），没有字段「{key}」"),
                    format!(
                        "the template reads `{ident}`: {read} is a value ({kind}) and has no field `{key}`"
                    ),
                ),
                Text::new(
                    format!("去掉 .{key}，或检查 data/schema.yaml 里 {read} 的定义"),
                    format!("remove .{key}, or see how data/schema.yaml declares {read}"),
                ),
            ),
            Shape::Any => return,
        };
        self.report(ident, message, hint);
    }

    /// The error for a loop whose names do not fit what it loops over, which Tera refuses:
    /// one name over a folder's files or a record (`{% for v in villages %}`), two over a
    /// list (`{% for id, v in villages_list %}`).
    pub(super) fn loop_names(&mut self, container: &Expr, key: Option<&str>, value: &str) {
        let ExprVal::Ident(ident) = &container.val else {
            return;
        };
        if !container.filters.is_empty() {
            return;
        }
        let shape = self.resolve(ident);
        // (Every loop's place counted, so that each is found at its own.)
        let at = self.loop_at(ident);
        if let Some(key) = key {
            if matches!(shape, Some(Shape::List(_))) {
                self.report_at(
                    at,
                    ident,
                    Text::new(
                        format!("「{ident}」是列表，循环只写一个变量（这里写了 {key}, {value}）"),
                        format!(
                            "`{ident}` is a list: its loop takes one name (here {key}, {value})"
                        ),
                    ),
                    Text::new(
                        format!("写成 {{% for {value} in {ident} %}}；要序号，读 loop.index"),
                        format!(
                            "write {{% for {value} in {ident} %}}; for the number, read loop.index"
                        ),
                    ),
                );
            }
            return;
        }
        let (zh, en) = match shape {
            Some(Shape::Files { .. }) => (
                format!("「{ident}」是一个文件夹里的文件（按 id），不是列表"),
                format!("`{ident}` is a folder's files by id, not a list"),
            ),
            Some(Shape::Record { .. }) => (
                format!("「{ident}」是一条记录（字段和值），不是列表"),
                format!("`{ident}` is a record (fields and values), not a list"),
            ),
            _ => return,
        };
        let list = format!("{ident}_list");
        let has_list = self.start(&list).is_some() && !ident.contains(['.', '[']);
        let (zh_do, en_do) = match has_list {
            true => (
                format!(
                    "要逐个读，写成 {{% for {value} in {list} %}}，或 {{% for id, {value} in {ident} %}}"
                ),
                format!(
                    "to read each, write {{% for {value} in {list} %}}, or {{% for id, {value} in {ident} %}}"
                ),
            ),
            false => (
                format!("要逐个读它的字段，写成 {{% for key, {value} in {ident} %}}"),
                format!("to read each field, write {{% for key, {value} in {ident} %}}"),
            ),
        };
        self.report_at(at, ident, Text::new(zh, en), Text::new(zh_do, en_do));
    }

    /// `problem`, unless it was found already; in a partial, with where it is included (a
    /// problem found again through another include gets that place too).
    pub(super) fn push(&mut self, mut problem: Diagnostic) {
        let includes = Text::new("由这里 include", "included here");
        let places = self
            .included_at
            .iter()
            .map(|at| (at.clone(), includes.clone()));
        let known = self.problems.iter_mut().find(|p| {
            p.code == problem.code && p.location == problem.location && p.message == problem.message
        });
        match known {
            Some(known) => {
                for place in places {
                    if !known.related.contains(&place) {
                        known.related.push(place);
                    }
                }
            }
            None => {
                problem.related.extend(places);
                self.problems.push(problem);
            }
        }
    }

    /// An error (`template-path`) at byte `at` of the template, or where `needle` is.
    pub(super) fn report_at(&mut self, at: Option<usize>, needle: &str, message: Text, hint: Text) {
        let Some(at) = at else {
            return self.report(needle, message, hint);
        };
        let location = self.place(Some(at));
        let problem = Diagnostic::error("template-path", Some(location), message).with_hint(hint);
        self.push(problem);
    }

    /// An error (`template-path`) at `needle`, once.
    pub(super) fn report(&mut self, needle: &str, message: Text, hint: Text) {
        self.report_as(Severity::Error, "template-path", needle, message, hint);
    }

    /// A problem of `severity` and `code` at `needle`, once.
    pub(super) fn report_as(
        &mut self,
        severity: Severity,
        code: &'static str,
        needle: &str,
        message: Text,
        hint: Text,
    ) {
        let location = self.location(needle);
        let problem = Diagnostic::new(severity, code, Some(location), message).with_hint(hint);
        self.push(problem);
    }
}

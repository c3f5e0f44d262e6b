//! What filters, functions, macros and operators are given: their arguments' names, the
//! fields a list's items are read by, arithmetic and comparisons on figures.

use tera::ast::{Expr, ExprVal};

use super::problems::{maybe_en, maybe_zh};
use super::shape::{Shape, element, field, number_paths};
use super::{CHART_FIELDS, Checker, HELPER_ARGS, ITEM_FILTERS, KEEP, USUAL_HELPERS};
use crate::diagnostics::{Diagnostic, Severity, Text};
use crate::validate::schema::did_you_mean;

/// huibao's filters that take only numbers: a field of text given to one fails its page.
const NUMBERS_ONLY: [&str; 3] = ["fig", "int", "float"];

/// An expression as a template would write it, where it is a plain one (a path, a number,
/// a text); `…` for the others.
pub(super) fn written(expr: &Expr) -> String {
    if !expr.filters.is_empty() {
        return "…".to_string();
    }
    match &expr.val {
        ExprVal::Ident(ident) => ident.clone(),
        ExprVal::Int(n) => n.to_string(),
        ExprVal::Float(n) => n.to_string(),
        ExprVal::String(text) => format!("\"{text}\""),
        _ => "…".to_string(),
    }
}

/// How one of huibao's helpers is written, for a message that says it is written the other
/// way.
pub(in crate::render) fn helper_example(name: &str) -> String {
    match name {
        "fig" => "{{ township.population | fig(unit=\"人\") }}".to_string(),
        "round" => "{{ x | round(precision=2) }}".to_string(),
        "truncate" => "{{ x | truncate(length=10) }}".to_string(),
        "default" => "{{ x | default(value=\"—\") }}".to_string(),
        "sum" => "{{ sum(values=[a, b]) }}".to_string(),
        "sub" | "mul" => format!("{{{{ {name}(a=…, b=…) }}}}"),
        "div" => "{{ div(a=…, b=…, dp=2) }}".to_string(),
        "rate" => "{{ rate(num=…, den=…, dp=1) }}".to_string(),
        _ => format!("{{{{ {name}(…) }}}}"),
    }
}

/// The text of a string literal argument (`values="households"`), not a computed one.
fn literal(expr: &Expr) -> Option<&str> {
    match &expr.val {
        ExprVal::String(text) if expr.filters.is_empty() => Some(text),
        _ => None,
    }
}

/// The names of a comma-separated list (`"households, people"`), trimmed, each with its
/// byte offset in the list.
fn comma_separated(list: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for part in list.split(',') {
        let trimmed = part.trim_start();
        out.push((start + part.len() - trimmed.len(), trimmed.trim_end()));
        start += part.len() + 1;
    }
    out
}

impl Checker<'_> {
    /// Checks a macro call (`m::row(v=v)`): its file imported, the macro defined there, each
    /// argument one it takes (another would be ignored) and each it needs given.
    pub(super) fn macro_call(&mut self, call: &tera::ast::MacroCall) {
        let Ok(here) = self.tera.get_template(&self.source.name) else {
            return;
        };
        let written = format!("{}::{}", call.namespace, call.name);
        let file = match call.namespace.as_str() {
            "self" => Some(here),
            namespace => here
                .imported_macro_files
                .iter()
                .find(|(_, imported_as)| imported_as == namespace)
                .and_then(|(file, _)| self.tera.get_template(file).ok()),
        };
        let at = self.call_at(&written, false);
        let Some(file) = file else {
            let mut namespaces: Vec<&str> = here
                .imported_macro_files
                .iter()
                .map(|(_, imported_as)| imported_as.as_str())
                .collect();
            namespaces.push("self");
            let near = did_you_mean(&call.namespace, namespaces.iter().copied());
            let ns = &call.namespace;
            return self.report_at(
                at,
                &written,
                Text::new(
                    format!("宏调用「{written}」：模板没有导入名为「{ns}」的宏文件"),
                    format!("the macro call `{written}`: the template imports no macro file as `{ns}`"),
                ),
                Text::new(
                    format!("{}在模板开头写 {{% import \"_macros.md\" as {ns} %}}（文件名以 _ 开头）；本文件里定义的宏写 self::{}(…)", maybe_zh(near), call.name),
                    format!("{}write {{% import \"_macros.md\" as {ns} %}} at the template's start (a file name starting with _); a macro of this file is called as self::{}(…)", maybe_en(near), call.name),
                ),
            );
        };
        let Some(definition) = file.macros.get(&call.name) else {
            let mut names: Vec<&str> = file.macros.keys().map(String::as_str).collect();
            names.sort_unstable();
            let near = did_you_mean(&call.name, names.iter().copied());
            let (zh_list, en_list) = match names.is_empty() {
                true => ("（没有）".to_string(), "none".to_string()),
                false => (names.join("、"), names.join(", ")),
            };
            return self.report_at(
                at,
                &written,
                Text::new(
                    format!(
                        "宏调用「{written}」：{} 里没有宏「{}」",
                        file.name, call.name
                    ),
                    format!(
                        "the macro call `{written}`: {} has no macro `{}`",
                        file.name, call.name
                    ),
                ),
                Text::new(
                    format!("{}它定义的宏：{zh_list}", maybe_zh(near)),
                    format!("{}its macros: {en_list}", maybe_en(near)),
                ),
            );
        };
        let mut takes: Vec<&str> = definition.args.keys().map(String::as_str).collect();
        takes.sort_unstable();
        let mut given: Vec<&String> = call.args.keys().collect();
        given.sort();
        for arg in given
            .into_iter()
            .filter(|a| !definition.args.contains_key(*a))
        {
            let near = did_you_mean(arg, takes.iter().copied());
            self.report(
                &format!("{arg}="),
                Text::new(
                    format!("宏「{written}」没有参数「{arg}」：这样写会被忽略"),
                    format!("the macro `{written}` takes no argument `{arg}`: it would be ignored"),
                ),
                Text::new(
                    format!("{}它的参数：{}", maybe_zh(near), takes.join("、")),
                    format!("{}its arguments: {}", maybe_en(near), takes.join(", ")),
                ),
            );
        }
        let needed = takes
            .iter()
            .filter(|a| definition.args.get(**a).is_some_and(Option::is_none))
            .filter(|a| !call.args.contains_key(**a));
        for arg in needed {
            self.report_at(
                at,
                &written,
                Text::new(
                    format!("宏「{written}」少了参数「{arg}」（它没有默认值），生成这一页会失败"),
                    format!("the macro `{written}` is not given `{arg}` (it has no default value): the page would fail"),
                ),
                Text::new(
                    format!("写成 {written}({arg}=…)；它的参数：{}", takes.join("、")),
                    format!("write {written}({arg}=…); its arguments: {}", takes.join(", ")),
                ),
            );
        }
    }

    /// The error for an include of a template that is not there.
    pub(super) fn missing_include(&mut self, names: &[String]) {
        let name = names.first().map(String::as_str).unwrap_or_default();
        let partials: Vec<&str> = self
            .sources
            .iter()
            .filter(|s| crate::render::pages::is_partial(&s.name))
            .filter(|s| s.front.as_ref().is_none_or(|f| f.generate.is_none()))
            .map(|s| s.name.as_str())
            .collect();
        let near = did_you_mean(name, partials.iter().copied());
        let (zh_list, en_list) = match partials.is_empty() {
            true => (
                "还没有（文件名以 _ 开头，或在 _ 开头的文件夹里）".to_string(),
                "none yet (a name starting with _, or in a folder whose name does)".to_string(),
            ),
            false => (partials.join("、"), partials.join(", ")),
        };
        self.report(
            &format!("\"{name}\""),
            Text::new(
                format!("{{% include %}} 的模板「{name}」不存在（路径从 content/ 算起）"),
                format!(
                    "{{% include %}} names `{name}`, which does not exist (paths start in content/)"
                ),
            ),
            Text::new(
                format!(
                    "{}content/ 里可以 include 的文件：{zh_list}",
                    maybe_zh(near)
                ),
                format!(
                    "{}the files of content/ to include: {en_list}",
                    maybe_en(near)
                ),
            ),
        );
    }

    /// The error for a figure of the data compared with `op` (`==`, `>`, `in` …): a figure is
    /// text that carries its source, so `v.exit_year == 2018` never holds and `>` fails the
    /// page; huibao's testers compare what it says.
    pub(super) fn compared(&mut self, side: &Expr, op: &str) {
        let ExprVal::Ident(ident) = &side.val else {
            return;
        };
        if !side.filters.is_empty()
            || !matches!(self.resolve(ident), Some(Shape::Scalar(_, true, _)))
        {
            return;
        }
        let location = self.location(ident);
        let problem = Diagnostic::error(
            "template-compare",
            Some(location),
            Text::new(
                format!("模板用 {op} 比较数字「{ident}」：数字带着出处，是文本，这样比较的结果不对"),
                format!("the template compares the figure `{ident}` with {op}: a figure carries its source and is text, so the comparison is wrong"),
            ),
        )
        .with_hint(Text::new(
            format!("用测试来比较，例如 {{% if {ident} is same_as(100) %}}；还有 is gt(0)、ge、lt、le"),
            format!("compare with the testers, e.g. {{% if {ident} is same_as(100) %}}; also is gt(0), ge, lt, le"),
        ));
        self.push(problem);
    }

    /// The error for an argument one of huibao's helpers (`name`, a filter or a function)
    /// does not take, with the closest it takes ([`HELPER_ARGS`]).
    pub(super) fn helper_args<'n>(
        &mut self,
        name: &str,
        filter: bool,
        given: impl Iterator<Item = &'n String>,
    ) {
        let Some((_, _, takes)) = HELPER_ARGS
            .iter()
            .find(|(helper, is_filter, _)| *helper == name && *is_filter == filter)
        else {
            return;
        };
        // (Sorted: the same message for the same template, whatever the map's order.)
        let mut unknown: Vec<&String> =
            given.filter(|arg| !takes.contains(&arg.as_str())).collect();
        unknown.sort();
        for arg in unknown {
            let near = did_you_mean(arg, takes.iter().copied());
            let (zh_near, en_near) = (maybe_zh(near), maybe_en(near));
            // (`chart` refuses an unknown argument when drawn; the others would ignore it.)
            let (zh_why, en_why) = match name {
                "chart" => ("", ""),
                _ => ("：这样写会被忽略", ": it would be ignored"),
            };
            self.report(
                &format!("{arg}="),
                Text::new(
                    format!("「{name}」没有参数「{arg}」{zh_why}"),
                    format!("`{name}` takes no argument `{arg}`{en_why}"),
                ),
                Text::new(
                    format!("{zh_near}它的参数：{}", takes.join("、")),
                    format!("{en_near}its arguments: {}", takes.join(", ")),
                ),
            );
        }
    }

    /// The arguments of huibao's helpers written as numbers that the helper would refuse
    /// or that print what the data do not say, at the helper's use (the render's own error
    /// could not say which use failed): `dp` not a whole number from 0 to 20 (`dp=-1`,
    /// `dp=1.5`), `div`'s `b=0`; and decimals asked of a figure that is a whole number
    /// (`{{ v.registered.households | fig(dp=2) }}` would print 132.00户): a warning.
    /// `piped`: the value a filter is given, when it is the expression's own.
    pub(super) fn literal_args(
        &mut self,
        helper: &str,
        args: &tera::HashMap<String, Expr>,
        piped: Option<&ExprVal>,
    ) {
        if !matches!(helper, "fig" | "div" | "rate" | "mul" | "sum" | "sub") {
            return;
        }
        let dp = args.get("dp").map(|e| &e.val);
        let bad_dp = match dp {
            Some(ExprVal::Int(n)) if !(0..=20).contains(n) => Some(n.to_string()),
            Some(ExprVal::Float(f)) => Some(f.to_string()),
            _ => None,
        };
        if let Some(written) = bad_dp {
            self.report_as(
                Severity::Error,
                "template-type",
                helper,
                Text::new(
                    format!("「{helper}」的 dp 要是 0 到 20 的整数，这里是 {written}"),
                    format!("`{helper}`'s dp must be a whole number from 0 to 20, not {written}"),
                ),
                Text::new(
                    "dp 是小数位数：dp=0 印整数，dp=2 印两位小数",
                    "dp is the number of decimals: dp=0 prints whole numbers, dp=2 two decimals",
                ),
            );
        }
        let zero = |e: &Expr| match e.val {
            ExprVal::Int(n) => n == 0,
            ExprVal::Float(f) => f == 0.0,
            _ => false,
        };
        if helper == "div" && args.get("b").is_some_and(zero) {
            self.report_as(
                Severity::Error,
                "template-type",
                helper,
                Text::new("「div」的除数 b 是 0", "`div` divides by b=0"),
                Text::new(
                    "b 写不为 0 的数或数据字段；求比例用 rate(num=…, den=…, dp=1)",
                    "give b a number or a field that is not 0; a share is rate(num=…, den=…, dp=1)",
                ),
            );
        }
        let (Some(ExprVal::Ident(ident)), Some(ExprVal::Int(decimals))) = (piped, dp) else {
            return;
        };
        let whole = matches!(
            self.resolve(ident),
            Some(Shape::Scalar("count" | "year", ..))
        );
        if helper == "fig" && whole && (1..=20).contains(decimals) {
            self.report_as(
                Severity::Warning,
                "template-decimals",
                helper,
                Text::new(
                    format!("「{ident}」是整数（计数），dp={decimals} 会把它印成带 {decimals} 位小数（如 132.{}）", "0".repeat(*decimals as usize)),
                    format!("`{ident}` is a whole number (a count): dp={decimals} prints it with {decimals} decimals (such as 132.{})", "0".repeat(*decimals as usize)),
                ),
                Text::new("去掉 dp，计数就印成整数", "leave dp out: a count prints as a whole number"),
            );
        }
    }

    /// Checks the fields a chart reads of each item of its `data` (`values="households"`):
    /// there, and holding numbers where it draws them ([`CHART_FIELDS`]).
    pub(super) fn chart_fields(&mut self, args: &tera::HashMap<String, Expr>) {
        let Some(data) = args.get("data") else {
            return;
        };
        let item = element(self.shape_of(data));

        for (arg, numbers) in CHART_FIELDS {
            if let Some(written) = args.get(arg).and_then(literal) {
                // `values` names one field per series, `label` one field.
                let names = if arg == "label" {
                    vec![(0, written)]
                } else {
                    comma_separated(written)
                };
                let at = self.literal_at(arg, written);
                for (offset, name) in names.into_iter().filter(|(_, n)| !n.is_empty()) {
                    self.item_field("chart", arg, name, &item, numbers, at.map(|a| a + offset));
                }
            }
        }
    }

    /// Checks the `attribute` of the filters that read a field of each item of a list
    /// ([`ITEM_FILTERS`]: `villages_list | sort(attribute="registerd.people")`), the list's
    /// shape followed through the filters that keep its items.
    pub(super) fn filter_attributes(&mut self, expr: &Expr) {
        let ExprVal::Ident(ident) = &expr.val else {
            return;
        };
        let Some(list) = self.resolve(ident) else {
            return;
        };
        // A folder's files or a record where a list's items are read (`villages |
        // sum(attribute=…)`): Tera would fail on each page, saying only 需要一个列表.
        if let (Some(first), Shape::Files { .. } | Shape::Record { .. }) =
            (expr.filters.first(), &list)
            && ITEM_FILTERS.contains(&first.name.as_str())
        {
            return self.not_a_list(ident, &first.name, &list);
        }
        for filter in &expr.filters {
            if ITEM_FILTERS.contains(&filter.name.as_str())
                && let Some(written) = filter.args.get("attribute").and_then(literal)
            {
                let at = self.literal_at("attribute", written);
                let item = element(list.clone());
                self.item_field(&filter.name, "attribute", written, &item, false, at);
            }
            if !KEEP.contains(&filter.name.as_str()) {
                return;
            }
        }
    }

    /// The error for the filter `filter`, which reads a list's items, given `ident`, a
    /// folder's files or a record (`shape`): with the folder's list when there is one.
    fn not_a_list(&mut self, ident: &str, filter: &str, shape: &Shape) {
        let (zh, en) = match shape {
            Shape::Files { .. } => (
                format!("「{ident}」是一个文件夹里的文件（按 id），不是列表：{filter} 要一个列表"),
                format!("`{ident}` is a folder's files by id, not a list: {filter} takes a list"),
            ),
            _ => (
                format!("「{ident}」是一条记录（字段和值），不是列表：{filter} 要一个列表"),
                format!(
                    "`{ident}` is a record (fields and values), not a list: {filter} takes a list"
                ),
            ),
        };
        let list = format!("{ident}_list");
        let hint = if self.start(&list).is_some() && !ident.contains(['.', '[']) {
            Text::new(
                format!("写成 {list} | {filter}(…)：{list} 是这个文件夹的记录列表"),
                format!("write {list} | {filter}(…): {list} is the folder's records as a list"),
            )
        } else {
            Text::new(
                format!("{filter} 读列表的每一项：给它一个列表（见 docs/templates.md）"),
                format!("{filter} reads each item of a list: give it one (see docs/templates.md)"),
            )
        };
        self.report_as(
            Severity::Error,
            "template-type",
            ident,
            Text::new(zh, en),
            hint,
        );
    }

    /// The error for `name`, a field of each item (`item`) that argument `arg` of `helper`
    /// reads, when the items have no such field, or when it must hold `numbers` and holds
    /// text. `at`: the byte offset of `name` in the template, when found.
    fn item_field(
        &mut self,
        helper: &str,
        arg: &str,
        name: &str,
        item: &Shape,
        numbers: bool,
        at: Option<usize>,
    ) {
        let mut shape = item.clone();
        let mut read: Vec<&str> = Vec::new();
        for key in name.split('.') {
            match field(&shape, key) {
                Some(next) => {
                    shape = next;
                    read.push(key);
                }
                None => {
                    let there: Vec<&str> = match &shape {
                        Shape::Record { fields, .. } => {
                            fields.iter().map(|(k, _)| k.as_str()).collect()
                        }
                        // (A list, a value or a folder's files: no field to offer.)
                        _ => Vec::new(),
                    };
                    let near = did_you_mean(key, there.iter().copied()).map(|near| {
                        let rest = name.split('.').skip(read.len() + 1);
                        read.iter()
                            .copied()
                            .chain([near])
                            .chain(rest)
                            .collect::<Vec<_>>()
                            .join(".")
                    });
                    let whose = match read.as_slice() {
                        [] => Text::new("每一项的字段有", "the items' fields are"),
                        path => {
                            let path = path.join(".");
                            Text::new(
                                format!("「{path}」的字段有"),
                                format!("the fields of `{path}` are"),
                            )
                        }
                    };
                    let what = match item {
                        Shape::Record { what, .. } if !what.is_empty() => format!("（{what}）"),
                        _ => String::new(),
                    };
                    let what_en = what.replace('（', " (").replace('）', ")");
                    let hint = if let Shape::Scalar(kind, ..) = &shape {
                        let path = read.join(".");
                        Text::new(
                            format!("「{path}」是一个值（{kind} 类型），没有下一级字段"),
                            format!("`{path}` is a value ({kind}) and has no fields"),
                        )
                    } else if there.is_empty() {
                        Text::new(
                            "见 data/schema.yaml 里数据的定义".to_string(),
                            "see how data/schema.yaml declares the data".to_string(),
                        )
                    } else {
                        Text::new(
                            format!(
                                "{}{}：{}（见 data/schema.yaml）",
                                maybe_zh(near.as_deref()),
                                whose.zh,
                                there.join("、")
                            ),
                            format!(
                                "{}{}: {} (see data/schema.yaml)",
                                maybe_en(near.as_deref()),
                                whose.en,
                                there.join(", ")
                            ),
                        )
                    };
                    let (items_zh, items_en) = match helper {
                        "chart" => ("数据", "its data"),
                        _ => ("列表", "the list"),
                    };
                    self.report_at(
                        at,
                        name,
                        Text::new(
                            format!("「{helper}」的 {arg} 读取「{name}」：{items_zh}的每一项{what}没有这个字段"),
                            format!("`{helper}`'s {arg} reads `{name}`: the items of {items_en}{what_en} have no such field"),
                        ),
                        hint,
                    );
                    return;
                }
            }
        }
        if let Shape::Scalar(kind, false, _) = shape
            && numbers
        {
            let mut numeric = Vec::new();
            number_paths(item, "", &mut numeric);
            self.report_at(
                at,
                name,
                Text::new(
                    format!("「{helper}」的 {arg} 读取「{name}」：它是 {kind} 类型，不是数字，画不成图"),
                    format!("`{helper}`'s {arg} reads `{name}`: it is {kind}, not a number, and cannot be drawn"),
                ),
                Text::new(
                    format!("{arg} 写数字字段，例如：{}", numeric.join("、")),
                    format!("name number fields in {arg}, such as: {}", numeric.join(", ")),
                ),
            );
        }
    }

    /// The error for a figure of the data a template reckons with (`township.population + 1`):
    /// a figure is text that carries its source, and Tera's arithmetic refuses it; huibao's
    /// functions reckon with figures, written out for this one.
    pub(super) fn math_on_figure(&mut self, math: &tera::ast::MathExpr) {
        // The first side that is a figure (one error for `a / b`).
        let figure = [&math.lhs, &math.rhs]
            .into_iter()
            .find_map(|side| match &side.val {
                ExprVal::Ident(ident)
                    if side.filters.is_empty()
                        && matches!(self.resolve(ident), Some(Shape::Scalar(_, true, _))) =>
                {
                    Some(ident)
                }
                _ => None,
            });
        let Some(ident) = figure else {
            return;
        };
        use tera::ast::MathOperator as Op;
        let (a, b) = (written(&math.lhs), written(&math.rhs));
        let rewritten = match math.operator {
            Op::Add => Some(format!("sum(values=[{a}, {b}])")),
            Op::Sub => Some(format!("sub(a={a}, b={b})")),
            Op::Mul => Some(format!("mul(a={a}, b={b})")),
            Op::Div => Some(format!("div(a={a}, b={b}, dp=2)")),
            Op::Modulo => None,
        };
        let op = math.operator.to_string();
        let (zh_do, en_do) = match rewritten {
            Some(call) => (
                format!("写成 {{{{ {call} }}}}"),
                format!("write {{{{ {call} }}}}"),
            ),
            None => (String::new(), String::new()),
        };
        self.report_as(
            Severity::Error,
            "template-math",
            ident,
            Text::new(
                format!("模板用 {op} 计算数字「{ident}」：数字带着出处，是文本，不能直接算"),
                format!("the template reckons with the figure `{ident}` by {op}: a figure carries its source and is text, and cannot be reckoned with directly"),
            ),
            Text::new(
                format!("{zh_do}；huibao 的计算函数有 sum、sub、mul、div、rate（见 docs/templates.md），算出的数也带着出处"),
                format!("{en_do}; huibao's functions sum, sub, mul, div and rate reckon with figures (docs/templates.md), and their results carry the sources"),
            ),
        );
    }

    /// The checks of a field printed through a filter that takes numbers (`fig`, `int`,
    /// `float`), its shape resolved once: see [`Checker::printed_unit`] and
    /// [`Checker::text_as_figure`].
    pub(super) fn printed(&mut self, ident: &str, expr: &Expr) {
        let Some(filter) = expr
            .filters
            .first()
            .filter(|f| NUMBERS_ONLY.contains(&f.name.as_str()))
        else {
            return;
        };
        let (kind, numeric, unit) = match self.resolve(ident) {
            Some(Shape::Scalar(kind, numeric, unit)) => (kind, numeric, unit),
            Some(group @ (Shape::Record { .. } | Shape::Files { .. } | Shape::List(_))) => {
                return self.group_printed(ident, &group, Some(&filter.name));
            }
            _ => return,
        };
        match (numeric, unit) {
            (true, Some(unit)) => self.printed_unit(ident, filter, &unit),
            (true, None) => {}
            (false, _) => self.text_as_figure(ident, &filter.name, kind),
        }
    }

    /// A warning for a figure printed with another unit than its data's `unit` (`{{
    /// e.aid.person_times | fig(unit="人") }}` of a field in 人次): the page would say what
    /// the data do not.
    fn printed_unit(&mut self, ident: &str, filter: &tera::ast::FunctionCall, unit: &str) {
        if filter.name != "fig" {
            return;
        }
        let Some(ExprVal::String(printed)) = filter.args.get("unit").map(|a| &a.val) else {
            return;
        };
        if printed != unit {
            // A unit the figure converts to by a factor (万元 printed 元) or of another kind
            // (万元 printed 米) would publish a figure 10,000 times off: an error. Another
            // word for the unit is a warning.
            use crate::validate::units;
            let wrong_size = units::family(unit).is_some()
                && units::family(printed).is_some()
                && units::convert(rust_decimal::Decimal::ONE, unit, printed)
                    != Some(rust_decimal::Decimal::ONE);
            let severity = if wrong_size {
                Severity::Error
            } else {
                Severity::Warning
            };
            self.report_as(
                severity,
                "template-unit",
                ident,
                Text::new(
                    format!("「{ident}」的单位是「{unit}」，这里印成「{printed}」"),
                    format!("`{ident}` is in {unit}, printed here in {printed}"),
                ),
                Text::new(
                    format!("写成 fig(unit=\"{unit}\")；单位不同时先在数据里换算"),
                    format!("write fig(unit=\"{unit}\"); for another unit convert it in the data"),
                ),
            );
        }
    }

    /// A path printed by `{{ }}` as it is, or through filters that keep a list's items
    /// (`sort`, `filter` …): an error when it is a group of values or a list.
    pub(super) fn printed_whole(&mut self, expr: &Expr) {
        let ExprVal::Ident(ident) = &expr.val else {
            return;
        };
        if expr
            .filters
            .iter()
            .any(|f| !super::KEEP.contains(&f.name.as_str()))
        {
            return;
        }
        if let Some(group @ (Shape::Record { .. } | Shape::Files { .. } | Shape::List(_))) =
            self.resolve(ident)
        {
            self.group_printed(ident, &group, None);
        }
    }

    /// The error for a group of values (a record, a folder's files) or a list printed
    /// whole — `{{ township.registered }}`, which the page would show as `[object]` — or
    /// through `filter`, which takes one number (`| fig`): rendering would fail, and could
    /// not say where.
    pub(super) fn group_printed(&mut self, ident: &str, group: &Shape, filter: Option<&str>) {
        let (zh_what, en_what, zh_do, en_do) = match group {
            Shape::List(item) => {
                // (A list of texts or numbers shows as `[a, b]`: not this mistake.)
                let Shape::Record { fields, .. } = &**item else {
                    return;
                };
                let first = first_field(fields).unwrap_or("字段");
                (
                    "列表".to_string(),
                    "a list".to_string(),
                    format!(
                        "逐项写出：{{% for x in {ident} %}}…{{{{ x.{first} }}}}…{{% endfor %}}"
                    ),
                    format!(
                        "write its items one by one: {{% for x in {ident} %}}…{{{{ x.{first} }}}}…{{% endfor %}}"
                    ),
                )
            }
            Shape::Files { ids, .. } => {
                let (zh_some, en_some) = some_of(ids.iter().map(String::as_str));
                (
                    format!("一个文件夹的文件（{zh_some}）"),
                    format!("a folder's files ({en_some})"),
                    format!(
                        "写出其中一个文件的字段（{ident}.{}.字段），或用 {{% for x in {ident}_list %}} 逐个写出",
                        ids.first().map_or("编号", String::as_str)
                    ),
                    format!(
                        "print a field of one of its files ({ident}.{}.field), or write each with {{% for x in {ident}_list %}}",
                        ids.first().map_or("id", String::as_str)
                    ),
                )
            }
            Shape::Record { fields, .. } => {
                let names = fields
                    .iter()
                    .filter(|(name, _)| name != "id")
                    .map(|(name, _)| name.as_str());
                let (zh_some, en_some) = some_of(names);
                let first = first_field(fields).unwrap_or("字段");
                (
                    format!("一组值（{zh_some}）"),
                    format!("a group of values ({en_some})"),
                    format!("写出其中一项：{{{{ {ident}.{first} }}}}"),
                    format!("print one of them: {{{{ {ident}.{first} }}}}"),
                )
            }
            _ => return,
        };
        let (zh_rule, en_rule) = match filter {
            Some(filter) => (
                format!("{filter} 只能用于一个数字"),
                format!("{filter} takes one number"),
            ),
            None => (
                "直接印出来页面上会显示 [object]".to_string(),
                "printed whole, the page would show [object]".to_string(),
            ),
        };
        self.report_as(
            Severity::Error,
            "template-type",
            ident,
            Text::new(
                format!("「{ident}」是{zh_what}，不是一个值：{zh_rule}"),
                format!("`{ident}` is {en_what}, not one value: {en_rule}"),
            ),
            Text::new(zh_do, en_do),
        );
    }

    /// The error for a field of `kind` that is no number printed as a figure (`{{ h.as_of |
    /// fig(unit="人") }}` of a date written 2020年10月底), or given to a filter that takes
    /// numbers (`{{ v.name | int }}`): rendering would fail on it, and could not say where.
    fn text_as_figure(&mut self, ident: &str, filter: &str, kind: &str) {
        let (zh_kind, en_kind) = match kind {
            "text" => ("文字", "text"),
            "date" => ("日期", "a date"),
            "enum" => ("可选值之一（文字）", "one of a list of texts"),
            "ref" => ("另一个文件的编号", "another file's id"),
            "bool" => ("true 或 false", "true or false"),
            _ => return,
        };
        let (zh_rule, en_rule) = match filter {
            "fig" => (
                "fig 只印数字".to_string(),
                "fig prints numbers only".to_string(),
            ),
            _ => (
                format!("{filter} 只能用于数字"),
                format!("{filter} takes numbers only"),
            ),
        };
        self.report_as(
            Severity::Error,
            "template-type",
            ident,
            Text::new(
                format!("「{ident}」是{zh_kind}，不是数字：{zh_rule}"),
                format!("`{ident}` is {en_kind}, not a number: {en_rule}"),
            ),
            Text::new(
                format!("写成 {{{{ {ident} }}}}（不加 {filter}），或换成要用的数字字段"),
                format!(
                    "write {{{{ {ident} }}}} (without {filter}), or use the numeric field meant"
                ),
            ),
        );
    }

    /// The error for a filter, function or test Tera does not know, with the closest of
    /// the usual ones it knows (`figg`: `fig`).
    pub(super) fn unknown(&mut self, zh: &str, en: &str, name: &str) {
        // A filter called as a function (`fig(v=…)`), or a function used as a filter.
        let (other, as_written) = match en {
            "function" => (
                self.tera.get_filter(name).is_ok(),
                format!("{{{{ 值 | {name}(…) }}}}"),
            ),
            "filter" => (
                self.tera.get_function(name).is_ok(),
                format!("{{{{ {name}(…) }}}}"),
            ),
            _ => (false, String::new()),
        };
        if other {
            let (zh_is, en_is) = match en {
                "function" => (
                    "过滤器，不是函数：写在值的后面",
                    "a filter, not a function: it follows a value",
                ),
                _ => (
                    "函数，不是过滤器：单独写",
                    "a function, not a filter: it stands alone",
                ),
            };
            let at = self.call_at(name, en == "filter");
            let as_written_en = as_written.replace("值", "value");
            return self.report_at(
                at,
                name,
                Text::new(
                    format!("「{name}」是{zh_is}"),
                    format!("`{name}` is {en_is}"),
                ),
                Text::new(
                    format!(
                        "写成 {as_written}，例如 {}；见 docs/templates.md",
                        helper_example(name)
                    ),
                    format!(
                        "write {as_written_en}, such as {}; see docs/templates.md",
                        helper_example(name)
                    ),
                ),
            );
        }
        let known = |candidate: &&str| match en {
            "filter" => self.tera.get_filter(candidate).is_ok(),
            "function" => self.tera.get_function(candidate).is_ok(),
            _ => self.tera.get_tester(candidate).is_ok(),
        };
        let usual: Vec<&str> = USUAL_HELPERS.into_iter().filter(known).collect();
        let near = did_you_mean(name, usual.into_iter());
        let (zh_near, en_near) = (maybe_zh(near), maybe_en(near));
        self.report(
            name,
            Text::new(
                format!("模板用了不存在的{zh}「{name}」"),
                format!("the template uses a {en} `{name}` that does not exist"),
            ),
            Text::new(
                format!("{zh_near}huibao 的模板函数和过滤器见 docs/templates.md；Tera 自带的见 https://keats.github.io/tera/docs/"),
                format!("{en_near}huibao's template helpers are in docs/templates.md; Tera's own at https://keats.github.io/tera/docs/"),
            ),
        );
    }
}

/// The first few of `names`, in Chinese and in English (`a、b、c 等 9 项`, `a, b, c … 9 in
/// all`).
fn some_of<'n>(names: impl Iterator<Item = &'n str>) -> (String, String) {
    const SHOWN: usize = 6;
    let names: Vec<&str> = names.collect();
    let shown = &names[..names.len().min(SHOWN)];
    if names.len() > SHOWN {
        (
            format!("{} 等 {} 项", shown.join("、"), names.len()),
            format!("{} … {} in all", shown.join(", "), names.len()),
        )
    } else {
        (shown.join("、"), shown.join(", "))
    }
}

/// The field of a record to print as an example: its first number, else its first field
/// (not `id`).
fn first_field(fields: &[(String, Shape)]) -> Option<&str> {
    let named = || fields.iter().filter(|(name, _)| name != "id");
    named()
        .find(|(_, shape)| matches!(shape, Shape::Scalar(_, true, _)))
        .or_else(|| named().next())
        .map(|(name, _)| name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comma_separated_list_keeps_each_name_s_place() {
        assert_eq!(
            comma_separated("households, people ,x"),
            [(0, "households"), (12, "people"), (20, "x")]
        );
        assert_eq!(comma_separated("name"), [(0, "name")]);
    }
}

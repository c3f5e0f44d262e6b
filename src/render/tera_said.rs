//! Tera's parse errors said in Chinese (`expected a filter, or a variable end (`}}`)` →
//! 这里应是过滤器或「}}」), and its usual render errors (`Filter 'date' not found` →
//! 不存在的过滤器「date」), and a block tag left without its end (`{% if %}` without
//! `{% endif %}`) or an end without its block, found in the template's text.

/// Tera's names for what it expected or did not expect (pest's rules as Tera renames them),
/// in Chinese; longest first where one holds another.
const PHRASES: &[(&str, &str)] = &[
    (
        "a list of keyword arguments: `key=value` where `value` can be any expressions and separated by `,`",
        "参数（名字=值，用逗号隔开）",
    ),
    (
        "a keyword argument: `key=value` where `value` can be any expressions",
        "参数（名字=值）",
    ),
    (
        "a filter section (`{% filter something %}...{% endfilter %}`)",
        "「{% filter … %}」",
    ),
    (
        "a forloop (`{% for i in something %}...{% endfor %}",
        "「{% for … in … %}」",
    ),
    (
        "a macro definition tag (`{% macro my_macro() %}`",
        "宏定义「{% macro … %}」",
    ),
    (
        "a square bracketed identifier (identifiers separated by `.` or `[]`s)",
        "名字",
    ),
    ("a dotted identifier (identifiers separated by `.`)", "名字"),
    (
        "an identifier, string or integer inside `[]`s",
        "方括号里的名字、文字或整数",
    ),
    (
        "an identifier (must start with a-z)",
        "名字（以英文字母开头）",
    ),
    ("an array of values with an optional filter", "列表"),
    ("an array of values", "列表（如 [1, 2]）"),
    ("an array of strings", "文字的列表"),
    ("an expression with an optional filter", "表达式"),
    ("an expression", "表达式"),
    ("any expressions", "表达式"),
    ("a value that can be negated", "一个值"),
    ("a comparison value", "一个值"),
    ("a value", "一个值"),
    ("a string or a concatenation of strings", "文字"),
    ("a concatenation of strings", "文字"),
    ("a string", "加引号的文字"),
    ("an integer", "整数"),
    ("a float", "小数"),
    ("`true` or `false`", "true 或 false"),
    ("a function call", "函数调用"),
    ("a mathematical operator", "运算符"),
    ("a comparison operator", "比较运算符"),
    ("a negated test", "测试"),
    ("a test call", "测试"),
    ("a test", "测试"),
    ("a filter", "过滤器（| 名字）"),
    ("a variable end (`}}`)", "「}}」"),
    ("a variable start (`{{`)", "「{{」"),
    ("a variable tag (`{{ ... }}`)", "「{{ … }}」"),
    ("`%}` or `-%}`", "「%}」"),
    ("an endif tag (`{% endif %}`)", "「{% endif %}」"),
    ("an endfor tag (`{% endfor %}`)", "「{% endfor %}」"),
    (
        "an endfilter tag (`{% endfilter %}`)",
        "「{% endfilter %}」",
    ),
    ("an `elif` tag", "「{% elif … %}」"),
    ("an `else` tag", "「{% else %}」"),
    ("an `if` tag", "「{% if … %}」"),
    ("a `set` tag`", "「{% set … %}」"),
    ("a `in` condition", "in 条件"),
    ("a comment tag (`{#...#}`)", "注释「{# … #}」"),
    ("end of input", "文件末尾"),
    ("some content", "内容"),
    ("some text", "文字"),
    ("tag", "标签"),
];

/// Tera's parse error `detail` (`expected …`, `unexpected …; expected …`) in Chinese; `None`
/// when it says something this table does not know (the message then keeps Tera's words).
pub(super) fn parse_error_zh(detail: &str) -> Option<String> {
    let mut parts = Vec::new();
    for part in detail.split("; ") {
        let (list, said) = if let Some(list) = part.strip_prefix("unexpected ") {
            (list, "这里不应有")
        } else if let Some(list) = part.strip_prefix("expected ") {
            (
                list,
                if parts.is_empty() {
                    "这里应是"
                } else {
                    "应是"
                },
            )
        } else {
            return None;
        };
        parts.push(format!("{said}{}", items_zh(list)?));
    }
    (!parts.is_empty()).then(|| parts.join("，"))
}

/// Tera's render error `detail` in Chinese for the errors a clerk meets (a name not in the
/// data, a filter, function or test that does not exist, arithmetic on text); `None` for
/// the others (the message then keeps Tera's words).
pub(super) fn render_error_zh(detail: &str) -> Option<String> {
    let quoted = |text: &str, quote: char| -> Option<String> {
        let (_, rest) = text.split_once(quote)?;
        Some(rest.split_once(quote)?.0.to_string())
    };
    if let Some(rest) = detail.strip_prefix("Variable `")
        && let Some((name, _)) =
            rest.split_once("` was used in a math operation but is not a number")
    {
        return Some(format!(
            "「{name}」不是数字，不能直接计算（数据里的数字带着出处，是文本：用 sum、sub、mul、div 计算，见 docs/templates.md）"
        ));
    }
    if let Some(rest) = detail.strip_prefix("Tried to iterate using key value on variable `") {
        let (name, why) = rest.split_once('`')?;
        return Some(match why.contains("missing a key") {
            // `for v in villages`: one name over a map.
            true => format!(
                "「{name}」不是列表，是按名字排列的值（文件夹或记录）：写成 {{% for 键, 值 in {name} %}}；一个文件夹的文件列表是「文件夹名_list」"
            ),
            // `for k, v in villages_list`: two names over a list.
            false => format!(
                "「{name}」是列表，不是按名字排列的值：循环只写一个变量，{{% for 值 in {name} %}}"
            ),
        });
    }
    if let Some(rest) = detail.strip_prefix("Variable `") {
        let name = rest.split_once('`')?.0;
        let evaluated = rest
            .split_once("the evaluated version was")
            .and_then(|(_, after)| quoted(after, '`'));
        return Some(match evaluated {
            Some(evaluated) => {
                format!("模板读取的「{name}」（即「{evaluated}」）不存在：下标可能超出了列表的范围")
            }
            None => unreachable_variable(name),
        });
    }
    for (what, zh) in [
        ("Filter '", "过滤器"),
        ("Function '", "函数"),
        ("Test '", "测试"),
    ] {
        if detail.starts_with(what) && detail.contains("' not found") {
            return Some(format!("不存在的{zh}「{}」", quoted(detail, '\'')?));
        }
    }
    for (what, zh) in [
        ("Tried to do math with a string", "文字"),
        ("Tried to do math with a boolean", "真假值"),
    ] {
        if detail.starts_with(what) {
            return Some(format!(
                "不能用{zh}「{}」做算术（数字要写在数据里，不加引号）",
                quoted(detail, '`')?
            ));
        }
    }
    None
}

/// A name a template reads that the data and the template's variables do not have.
fn unreachable_variable(name: &str) -> String {
    format!("模板读取的「{name}」不存在（数据里没有这个键，或模板没有设这个变量）")
}

/// Tera's operators, which its parse errors list one by one where one may come (`or`,
/// `and`, `not`, `<=` … `%`): a run of [`OPERATOR_RUN`] or more is said as one item.
const OPERATORS: [&str; 17] = [
    "or", "and", "not", "in", "is", "<=", ">=", "<", ">", "==", "!=", "+", "-", "*", "/", "%", "~",
];

/// Whether `word` is one of Tera's operators (`and`, `in`, `+` …).
pub(super) fn is_operator_word(word: &str) -> bool {
    OPERATORS.contains(&word)
}

/// How many operators in a row a list names before they are said as one item.
const OPERATOR_RUN: usize = 3;

/// `items` (each with the token it names, when it is one) with every run of
/// [`OPERATOR_RUN`] operators or more replaced by `operator`.
fn operators_as_one(items: Vec<(String, Option<&str>)>, operator: &str) -> Vec<String> {
    let is_operator =
        |item: &(String, Option<&str>)| item.1.is_some_and(|t| OPERATORS.contains(&t));
    let mut out = Vec::new();
    let mut at = 0;
    while at < items.len() {
        let run = items[at..].iter().take_while(|i| is_operator(i)).count();
        if run >= OPERATOR_RUN {
            out.push(operator.to_string());
            at += run;
        } else {
            out.push(items[at].0.clone());
            at += 1;
        }
    }
    out
}

/// Tera's parse error `detail` with each run of operators it lists said as one item
/// (`expected an operator (such as `+`, `==`, `and`), a filter, or …`); `None` when it lists
/// none or is not a list this reads.
pub(super) fn parse_error_en(detail: &str) -> Option<String> {
    let mut parts = Vec::new();
    let mut shortened = false;
    for part in detail.split("; ") {
        let (said, list) = ["unexpected ", "expected "]
            .into_iter()
            .find_map(|said| Some((said, part.strip_prefix(said)?)))?;
        let items = items_en(list)?;
        let before = items.len();
        let items = items
            .into_iter()
            .map(|(item, token)| (item.to_string(), token))
            .collect();
        let items = operators_as_one(items, "an operator (such as `+`, `==`, `and`)");
        shortened |= items.len() < before;
        let list = match items.split_last()? {
            (last, []) => last.clone(),
            (last, [one]) => format!("{one} or {last}"),
            (last, first) => format!("{}, or {last}", first.join(", ")),
        };
        parts.push(format!("{said}{list}"));
    }
    shortened.then(|| parts.join("; "))
}

/// A list as pest writes it (`a, b, or c`; `a or b`), split into its items, each with the
/// token it names when it is one (`` `or` ``). A phrase of [`PHRASES`] is one item (their
/// commas and `or`s are theirs), and so are the commas and backticks inside an item's
/// backticks (`` `,` ``).
fn items_en(list: &str) -> Option<Vec<(&str, Option<&str>)>> {
    let mut items = Vec::new();
    let mut rest = list.trim();
    while !rest.is_empty() {
        rest = rest
            .strip_prefix(", or ")
            .or_else(|| rest.strip_prefix(", "))
            .or_else(|| rest.strip_prefix("or "))
            .unwrap_or(rest);
        let end = match PHRASES.iter().find(|(en, _)| rest.starts_with(en)) {
            Some((en, _)) => en.len(),
            // Else the item runs to the first `, ` or ` or ` outside backticks.
            None => {
                let mut ticks = 0;
                let mut end = rest.len();
                for (at, c) in rest.char_indices() {
                    if c == '`' {
                        ticks += 1;
                    } else if ticks % 2 == 0
                        && (rest[at..].starts_with(", ") || rest[at..].starts_with(" or "))
                    {
                        end = at;
                        break;
                    }
                }
                end
            }
        };
        let item = &rest[..end];
        let token = item
            .strip_prefix('`')
            .and_then(|t| t.strip_suffix('`'))
            .filter(|t| !t.contains('`'));
        items.push((item, token));
        rest = rest[end..].trim_start();
    }
    (!items.is_empty()).then_some(items)
}

/// A list as pest writes it (`a, b, or c`; `a or b`), each item in Chinese, joined as
/// Chinese lists are (`a、b或c`); a run of operators said as one (运算符). `None` when an
/// item is neither a phrase of [`PHRASES`] nor a token.
fn items_zh(list: &str) -> Option<String> {
    let items = items_en(list)?
        .into_iter()
        .map(|(item, token)| {
            let zh = match PHRASES.iter().find(|(en, _)| *en == item) {
                Some((_, zh)) => zh.to_string(),
                None => format!("「{}」", token?),
            };
            Some((zh, token))
        })
        .collect::<Option<Vec<_>>>()?;
    let items = operators_as_one(items, "运算符（如 +、==、and）");
    let (last, first) = items.split_last()?;
    Some(if first.is_empty() {
        last.clone()
    } else {
        format!("{}或{last}", first.join("、"))
    })
}

/// A block tag of a template: an opening (`if`, `for` …), a middle (`elif`, `else`) or an
/// end (`endif` …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Block {
    Opens(&'static str),
    Ends(&'static str),
}

/// The blocks a tag's first word opens or ends.
const BLOCKS: [&str; 6] = ["if", "for", "filter", "macro", "block", "raw"];

fn block_of(word: &str) -> Option<Block> {
    if let Some(name) = BLOCKS.iter().find(|name| **name == word) {
        return Some(Block::Opens(name));
    }
    let ended = word.strip_prefix("end")?;
    BLOCKS
        .iter()
        .find(|name| **name == ended)
        .map(|name| Block::Ends(name))
}

/// A block of `template` left unpaired: an end tag with no open block of its kind
/// (`{% endif %}` after no `{% if %}`, or where a `{% for %}` is open), or else the last
/// block left open at the end. Its byte offset, and what to do, in Chinese and English.
pub(super) fn unpaired_block(template: &str) -> Option<(usize, String, String)> {
    let mut open: Vec<(usize, &'static str)> = Vec::new();
    let mut at = 0;
    while let Some(found) = template[at..].find("{%") {
        let start = at + found;
        let inside = template[start + 2..].trim_start_matches(['-', '+', ' ', '\t', '\n']);
        let word: String = inside
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        at = start + 2;
        if word == "end"
            && let Some(written) = end_with_space(&inside[3..])
        {
            return Some((
                start,
                format!(
                    "「{{% end {written} %}}」要连着写成「{{% end{written} %}}」：end 和 {written} 之间没有空格"
                ),
                format!(
                    "`{{% end {written} %}}` is written `{{% end{written} %}}`, with no space after end"
                ),
            ));
        }
        match block_of(&word) {
            Some(Block::Opens("raw")) => {
                // Nothing in a raw block is a tag.
                open.push((start, "raw"));
                match template[at..].find("endraw") {
                    Some(end) => {
                        open.pop();
                        at += end;
                    }
                    None => break,
                }
            }
            Some(Block::Opens(name)) => open.push((start, name)),
            Some(Block::Ends(name)) => match open.last() {
                Some((_, last)) if *last == name => {
                    open.pop();
                }
                Some((_, last)) => {
                    return Some((
                        start,
                        format!(
                            "这个「{{% end{name} %}}」前面打开的是「{{% {last} … %}}」：先写「{{% end{last} %}}」结束它，或删掉多余的「{{% end{name} %}}」"
                        ),
                        format!(
                            "this `{{% end{name} %}}` comes where a `{{% {last} … %}}` is open: end that with `{{% end{last} %}}` first, or remove the extra `{{% end{name} %}}`"
                        ),
                    ));
                }
                None => {
                    return Some((
                        start,
                        format!(
                            "这个「{{% end{name} %}}」前面没有对应的「{{% {name} … %}}」：删掉它，或在前面补上「{{% {name} … %}}」"
                        ),
                        format!(
                            "this `{{% end{name} %}}` has no `{{% {name} … %}}` before it: remove it, or open the block before it"
                        ),
                    ));
                }
            },
            None => {}
        }
    }
    let (start, name) = open.pop()?;
    Some((
        start,
        format!("这个「{{% {name} … %}}」没有结束：在它的内容后面写上「{{% end{name} %}}」"),
        format!(
            "this `{{% {name} … %}}` is never ended: write `{{% end{name} %}}` after its content"
        ),
    ))
}

/// The block name after `end` and spaces (`if` of `{% end if %}`), when `end` and it make a
/// block's end tag.
#[cold]
fn end_with_space(after_end: &str) -> Option<&str> {
    let rest = after_end.strip_prefix([' ', '\t'])?.trim_start();
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    BLOCKS.contains(&name).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tera_s_parse_errors_are_said_in_chinese() {
        assert_eq!(
            parse_error_zh(
                "expected `or`, `and`, `not`, `<=`, or a filter, or a variable end (`}}`)"
            )
            .as_deref(),
            Some("这里应是运算符（如 +、==、and）、过滤器（| 名字）或「}}」")
        );
        // Two operators are said as they are.
        assert_eq!(
            parse_error_zh("expected `or`, `and`, or a variable end (`}}`)").as_deref(),
            Some("这里应是「or」、「and」或「}}」")
        );
        assert_eq!(
            parse_error_zh("expected a value that can be negated or an array of values").as_deref(),
            Some("这里应是一个值或列表（如 [1, 2]）")
        );
        assert_eq!(
            parse_error_zh(
                "unexpected tag; expected end of input, a macro definition tag (`{% macro my_macro() %}`, or some content"
            )
            .as_deref(),
            Some("这里不应有标签，应是文件末尾、宏定义「{% macro … %}」或内容")
        );
        // What the table does not know keeps Tera's words.
        assert_eq!(parse_error_zh("expected a frobnicator"), None);
        assert_eq!(parse_error_zh("Variable `x` not found"), None);
    }

    #[test]
    fn a_run_of_operators_is_one_item_in_english_too() {
        assert_eq!(
            parse_error_en(
                "expected `or`, `and`, `not`, `<=`, `>=`, `<`, `>`, `==`, `!=`, `+`, `-`, `*`, `/`, `%`, a filter, or a variable end (`}}`)"
            )
            .as_deref(),
            Some("expected an operator (such as `+`, `==`, `and`), a filter, or a variable end (`}}`)")
        );
        assert_eq!(
            parse_error_en("unexpected `x`; expected `+`, `-`, `*`, or `/`").as_deref(),
            Some("unexpected `x`; expected an operator (such as `+`, `==`, `and`)")
        );
        // A list of few operators, or of none, keeps Tera's words; a comma in backticks is
        // an item's.
        assert_eq!(parse_error_en("expected `or`, `and`, or a filter"), None);
        assert_eq!(
            parse_error_en(
                "expected a list of keyword arguments: `key=value` where `value` can be any expressions and separated by `,`"
            ),
            None
        );
        assert_eq!(parse_error_en("Variable `x` not found"), None);
    }

    #[test]
    fn tera_s_usual_render_errors_are_said_in_chinese() {
        let said = |detail: &str| render_error_zh(detail);
        assert_eq!(
            said("Variable `township.populaton` not found in context while rendering 'index.md'")
                .as_deref(),
            Some(
                "模板读取的「township.populaton」不存在（数据里没有这个键，或模板没有设这个变量）"
            )
        );
        assert_eq!(
            said("Variable `xs[n]` not found in context while rendering 'index.md': the evaluated version was `xs.9`. Maybe the index is out of bounds?").as_deref(),
            Some("模板读取的「xs[n]」（即「xs.9」）不存在：下标可能超出了列表的范围")
        );
        assert_eq!(
            said("Filter 'date' not found").as_deref(),
            Some("不存在的过滤器「date」")
        );
        assert_eq!(
            said("Function 'now' not found").as_deref(),
            Some("不存在的函数「now」")
        );
        assert_eq!(
            said("Test 'odd2' not found").as_deref(),
            Some("不存在的测试「odd2」")
        );
        assert_eq!(
            said("Tried to do math with a string: `横溪`").as_deref(),
            Some("不能用文字「横溪」做算术（数字要写在数据里，不加引号）")
        );
        assert_eq!(
            said("Variable `township.population` was used in a math operation but is not a number")
                .as_deref(),
            Some(
                "「township.population」不是数字，不能直接计算（数据里的数字带着出处，是文本：用 sum、sub、mul、div 计算，见 docs/templates.md）"
            )
        );
        assert_eq!(
            said(
                "Tried to iterate using key value on variable `villages`, but it is missing a key"
            )
            .as_deref(),
            Some(
                "「villages」不是列表，是按名字排列的值（文件夹或记录）：写成 {% for 键, 值 in villages %}；一个文件夹的文件列表是「文件夹名_list」"
            )
        );
        assert_eq!(
            said("Tried to iterate using key value on variable `villages_list`, but it isn't an object/map").as_deref(),
            Some("「villages_list」是列表，不是按名字排列的值：循环只写一个变量，{% for 值 in villages_list %}")
        );
        assert_eq!(said("Something else went wrong"), None);
    }

    #[test]
    fn a_block_left_open_or_an_end_without_its_block_is_found() {
        let said = |template: &str| unpaired_block(template).map(|(at, zh, _)| (at, zh));
        let open = "{% for v in vs %}\n{% if v.ok %}{{ v }}\n{% endfor %}";
        let (at, zh) = said(open).unwrap();
        assert_eq!(at, open.find("{% endfor").unwrap());
        assert!(zh.contains("前面打开的是「{% if … %}」"), "{zh}");
        let (at, zh) = said("文字\n{% if a %}\n{{ a }}\n").unwrap();
        assert_eq!(at, 7);
        assert!(zh.contains("写上「{% endif %}」"), "{zh}");
        let (at, zh) = said("{{ a }}{%- endif -%}").unwrap();
        assert_eq!(at, 7);
        assert!(zh.contains("前面没有对应的「{% if … %}」"), "{zh}");
        // Paired blocks, elif and else, a raw block's text, set: nothing.
        assert_eq!(
            said(
                "{% if a %}{% elif b %}{% else %}{% for x in y %}{% endfor %}{% endif %}{% raw %}{% if %}{% endraw %}{% set a = 1 %}"
            ),
            None
        );
    }
}

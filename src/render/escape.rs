//! Escaping data values printed into Markdown templates.
//!
//! A value from a data file is text, never markup: `<script>` must show as text and `[x](y)`
//! must not become a link. The result is read by pulldown-cmark and then written as HTML, so
//! HTML-special characters become entities and Markdown-special ones get a backslash.

/// Escapes `value` so that pulldown-cmark renders it as the same literal text, on one line.
pub fn escape_markdown(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    // Characters that start a block (list, heading, quote, setext rule) only matter at the
    // start of the value, which may be at the start of a line.
    let mut chars = value.chars().peekable();
    let leading_digits: usize = value.chars().take_while(char::is_ascii_digit).count();
    let mut index = 0;
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            // Leading spaces would make an indented code block.
            ' ' | '\t' if value.chars().take(index).all(|c| c == ' ' || c == '\t') => {
                out.push_str(if c == ' ' { "&#32;" } else { "&#9;" });
            }
            '+' | '-' | '=' if index == 0 => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if index == leading_digits && index > 0 => {
                out.push('\\');
                out.push(c);
            }
            // A line break inside a value would let what follows start a block.
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("<br>");
                }
            }
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
        index += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Options, Parser, html};

    fn through_markdown(markdown: &str) -> String {
        let mut html = String::new();
        html::push_html(&mut html, Parser::new_ext(markdown, Options::all()));
        html
    }

    #[test]
    fn values_stay_text_through_markdown() {
        for (value, expected) in [
            (
                "<script>alert(1)</script>",
                "&lt;script&gt;alert(1)&lt;/script&gt;",
            ),
            ("[点我](http://example.com)", "[点我](http://example.com)"),
            ("*粗* _斜_ `码`", "*粗* _斜_ `码`"),
            ("a | b", "a | b"),
            ("横溪村", "横溪村"),
            ("139.3", "139.3"),
        ] {
            let html = through_markdown(&format!("值：{}", escape_markdown(value)));
            assert_eq!(html, format!("<p>值：{expected}</p>\n"), "{value}");
        }
    }

    #[test]
    fn values_at_line_start_do_not_start_blocks() {
        for value in [
            "# 标题",
            "- 项",
            "1. 项",
            "> 引",
            "===",
            "+ x",
            "2020) x",
            "    缩进村",
            "\t村",
        ] {
            let html = through_markdown(&escape_markdown(value));
            assert!(html.starts_with("<p>"), "{value}: {html}");
        }
        let html = through_markdown(&escape_markdown("一\n\n    代码\n# 标题"));
        assert!(
            html.starts_with("<p>") && !html.contains("<h1") && !html.contains("<pre"),
            "{html}"
        );
    }
}

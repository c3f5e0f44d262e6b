//! Escaping data values printed into Markdown templates.
//!
//! A value from a data file is text, never markup: `<script>` must show as text and `[x](y)`
//! must not become a link. The result is read by pulldown-cmark and then written as HTML, so
//! HTML-special characters become entities and Markdown-special ones get a backslash.

/// Escapes `value` so that pulldown-cmark renders it as the same literal text, on one line.
pub fn escape_markdown(value: &str) -> String {
    // Most values (names, figures) have nothing to escape: copied whole.
    if !needs_escaping(value) {
        return value.to_string();
    }
    escape_each_character(value)
}

/// The bytes that are escaped wherever they are in a value (`&<>"`, Markdown's punctuation,
/// line breaks).
const SPECIAL: [bool; 256] = {
    let mut special = [false; 256];
    let bytes = b"&<>\"\\`*_[]|~#!\r\n";
    let mut at = 0;
    while at < bytes.len() {
        special[bytes[at] as usize] = true;
        at += 1;
    }
    special
};

/// Whether [`escape_each_character`] changes `value`: a special byte anywhere, a space, tab,
/// `+`, `-` or `=` first, or a `.` or `)` right after leading digits.
fn needs_escaping(value: &str) -> bool {
    let bytes = value.as_bytes();
    if let Some(b' ' | b'\t' | b'+' | b'-' | b'=') = bytes.first() {
        return true;
    }
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 && matches!(bytes.get(digits), Some(b'.' | b')')) {
        return true;
    }
    bytes.iter().any(|&b| SPECIAL[b as usize])
}

/// [`escape_markdown`] a character at a time.
fn escape_each_character(value: &str) -> String {
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

    proptest::proptest! {
        /// A value said to need no escaping is what escaping it a character at a time
        /// gives: the quick path changes nothing.
        #[test]
        fn a_value_needing_no_escaping_is_its_own_escape(
            value in "[ \t+=.)\\-0-9a-z横&<>\"\\\\`*_\\[\\]|~#!\r\n]{0,8}",
        ) {
            proptest::prop_assert_eq!(escape_markdown(&value), escape_each_character(&value));
            if !needs_escaping(&value) {
                proptest::prop_assert_eq!(escape_each_character(&value), value);
            }
        }
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

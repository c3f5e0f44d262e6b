//! Every message huibao shows exists in both languages: each `Text::new(zh, en)` in the
//! source has a Chinese first text and a different, English second text.

mod common;

use std::fs;

/// The two top-level arguments of the call whose `(` is at `open`, and where it ends.
fn arguments(source: &str, open: usize) -> Option<(String, String)> {
    let mut depth = 0;
    let mut in_string = false;
    let mut escaped = false;
    let mut split = None;
    for (i, c) in source[open..].char_indices() {
        let at = open + i;
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    let split = split?;
                    return Some((
                        source[open + 1..split].to_string(),
                        source[split + 1..at].to_string(),
                    ));
                }
            }
            ',' if depth == 1 && split.is_none() => split = Some(at),
            _ => {}
        }
    }
    None
}

/// The first string literal of an argument (`"…"`, as in `format!("…", x)`), if any.
fn first_literal(argument: &str) -> Option<String> {
    let start = argument.find('"')? + 1;
    let mut escaped = false;
    for (i, c) in argument[start..].char_indices() {
        match (escaped, c) {
            (true, _) => escaped = false,
            (false, '\\') => escaped = true,
            (false, '"') => return Some(argument[start..start + i].to_string()),
            _ => {}
        }
    }
    None
}

fn chinese(text: &str) -> bool {
    text.chars().any(|c| {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
            || ('\u{3000}'..='\u{303f}').contains(&c)
            || ('\u{ff00}'..='\u{ffef}').contains(&c)
    })
}

#[test]
fn every_message_has_chinese_and_english() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for entry in walkdir::WalkDir::new(common::repo().join("src"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
    {
        let source = fs::read_to_string(entry.path()).unwrap();
        for (at, _) in source.match_indices("Text::new(") {
            let Some((zh, en)) = arguments(&source, at + "Text::new".len()) else {
                continue;
            };
            let (Some(zh), Some(en)) = (first_literal(&zh), first_literal(&en)) else {
                continue; // computed texts (`what.clone()`), not written here
            };
            checked += 1;
            let line = source[..at].matches('\n').count() + 1;
            let place = format!("{}:{line}", entry.path().display());
            if !zh.is_empty() && !chinese(&zh) && zh.chars().any(|c| c.is_ascii_alphabetic()) {
                problems.push(format!(
                    "{place}: the first (Chinese) text is not Chinese: {zh}"
                ));
            }
            if zh == en && !zh.is_empty() {
                problems.push(format!("{place}: the same text in both languages: {zh}"));
            }
        }
    }
    assert!(checked > 150, "only {checked} messages found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

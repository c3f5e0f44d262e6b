//! Where a problem is in the template's text (the AST has no positions): a name found at
//! its occurrence as often met as it was so far, inside tags only.

use super::Checker;
use crate::diagnostics::Location;

/// The key under which [`Checker::seen`] counts the `set`s of `name` met so far.
pub(super) fn set_seen(name: &str) -> String {
    format!("set {name}\u{0}set")
}

/// Each `{% … %}` tag of `template` ([`crate::render::errors::tags`]): the byte offset of its first
/// word, and its text from there (`for v in villages_list %}`).
fn statements(template: &str) -> impl Iterator<Item = (usize, &str)> {
    crate::render::errors::tags(template)
        .filter(|(_, tag)| tag.starts_with("{%"))
        .map(|(start, tag)| {
            let body = &tag[2..];
            let head = body.trim_start_matches(['-', ' ', '\t', '\n']);
            (start + 2 + body.len() - head.len(), head)
        })
}

/// The byte offsets of `name` in each `{% set name = … %}` of `template` (not `set_global`).
fn set_places(template: &str, name: &str) -> Vec<usize> {
    statements(template)
        .filter_map(|(at, head)| {
            let rest = head.strip_prefix("set ")?;
            let lead = rest.len() - rest.trim_start().len();
            let after = rest.trim_start().strip_prefix(name)?.trim_start();
            (after.starts_with('=') && !after.starts_with("==")).then_some(at + 4 + lead)
        })
        .collect()
}

/// The byte offset of `name` where the last loop of `template` that binds it before byte
/// `before` does (`{% for v in`, `{% for k, v in`), or else the first that does.
pub(super) fn loop_binding(template: &str, name: &str, before: usize) -> Option<usize> {
    let found: Vec<usize> = statements(template)
        .filter_map(|(at, head)| {
            let names = head.strip_prefix("for ")?;
            let names = &names[..names.find(" in ")?];
            let mut offset = at + 4;
            for part in names.split(',') {
                if part.trim() == name {
                    return Some(offset + part.len() - part.trim_start().len());
                }
                offset += part.len() + 1;
            }
            None
        })
        .collect();
    found
        .iter()
        .rev()
        .find(|&&at| at < before)
        .or(found.first())
        .copied()
}

/// Whether byte `at` of `template` is a name a tag binds, not one it reads: a loop's
/// `v` (`{% for k, v in`), a `{% set t =`'s `t`.
fn binds_at(template: &str, at: usize) -> bool {
    let Some(open) = template[..at].rfind("{%") else {
        return false;
    };
    let head = template[open + 2..at].trim_start_matches(['-', ' ', '\t', '\n']);
    if let Some(names) = head.strip_prefix("for ") {
        return !names.contains(" in ");
    }
    ["set ", "set_global "].iter().any(|keyword| {
        head.strip_prefix(keyword)
            .is_some_and(|rest| rest.trim().is_empty())
    })
}

/// Whether byte `at` of `template` is inside a `{{ }}` or `{% %}` tag.
fn in_tag(template: &str, at: usize) -> bool {
    let before = &template[..at];
    let opened = before.rfind("{{").max(before.rfind("{%"));
    let closed = before.rfind("}}").max(before.rfind("%}"));
    opened.is_some_and(|open| closed.is_none_or(|close| close < open))
}

/// `template` with its `{# comments #}` blanked out, byte for byte (offsets stay valid).
pub(super) fn without_comments(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{#") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("#}")
            .map_or(rest.len(), |e| start + e + 2);
        out.extend(std::iter::repeat_n(' ', end - start));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

impl Checker<'_> {
    /// How many `{% set name = … %}` of `name` were met so far: the one being checked is
    /// that one ([`Checker::set_at`]).
    pub(super) fn sets_met(&self, name: &str) -> usize {
        self.seen.get(&set_seen(name)).copied().unwrap_or(1)
    }

    /// The byte offset of `name` in the `nth` `{% set name = … %}` of the template.
    pub(super) fn set_at(&self, name: &str, nth: usize) -> Option<usize> {
        let found = set_places(&self.searched, name);
        found.get(nth.max(1) - 1).or(found.first()).copied()
    }

    /// The byte offset of `ident` where a loop reads it (`in villages %}`), not inside a
    /// longer name (`villages_list`): its occurrence as often met as it was so far.
    pub(super) fn loop_at(&mut self, ident: &str) -> Option<usize> {
        let template = &self.searched;
        let name_char = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
        let found: Vec<usize> = template
            .match_indices(ident)
            .map(|(at, _)| at)
            .filter(|&at| {
                let before = template[..at].trim_end_matches([' ', '\t']);
                let after = &template[at + ident.len()..];
                before.len() < at
                    && before.ends_with("in")
                    && !before[..before.len() - 2].ends_with(name_char)
                    && !after.starts_with(name_char)
            })
            .collect();
        self.nth_place(format!("in {ident}\u{0}loop"), &found)
    }

    /// The byte offset of a call of `name` as a function (`fig(`), or as a filter
    /// (`| rate`) when `filter`: its occurrence as often met as it was so far.
    pub(super) fn call_at(&mut self, name: &str, filter: bool) -> Option<usize> {
        let template = &self.searched;
        let name_char = |c: char| c.is_alphanumeric() || c == '_';
        let called: Vec<usize> = template
            .match_indices(name)
            .map(|(at, _)| at)
            .filter(|&at| {
                let before = &template[..at];
                let after = &template[at + name.len()..];
                !before.ends_with(name_char)
                    && !after.starts_with(name_char)
                    && before.trim_end().ends_with('|') == filter
                    && (filter || after.starts_with('('))
            })
            .collect();
        self.nth_place(format!("{name}\u{0}{filter}"), &called)
    }

    /// The byte offset of the text of a string argument `arg="written"` in the template: its
    /// occurrence as often met as it was so far (the AST has no positions).
    pub(super) fn literal_at(&mut self, arg: &str, written: &str) -> Option<usize> {
        let places = self.quoted_places(written, |before| {
            before.strip_suffix('=').is_some_and(|before| {
                before
                    .trim_end()
                    .strip_suffix(arg)
                    .is_some_and(|rest| !rest.ends_with(|c: char| c.is_alphanumeric() || c == '_'))
            })
        });
        self.nth_place(format!("{arg}=\u{0}{written}"), &places)
    }

    /// The byte offsets of the text `written` in quotes (any of Tera's three) whose
    /// template before it, trimmed, is `placed` (`arg =`, `include`): in the template's
    /// order, each at the text after its opening quote.
    fn quoted_places(&self, written: &str, placed: impl Fn(&str) -> bool) -> Vec<usize> {
        let template = &self.searched;
        let mut found = Vec::new();
        for quote in ['"', '\'', '`'] {
            let quoted = format!("{quote}{written}{quote}");
            for (at, _) in template.match_indices(&quoted) {
                if placed(template[..at].trim_end()) {
                    found.push(at + 1);
                }
            }
        }
        found.sort_unstable();
        found
    }

    /// Of `places` (byte offsets, in the template's order), the one met as often as `key`
    /// was met so far, this time counted; the first when there are fewer.
    fn nth_place(&mut self, key: String, places: &[usize]) -> Option<usize> {
        let seen = self.seen.entry(key).or_default();
        *seen += 1;
        places.get(*seen - 1).or(places.first()).copied()
    }

    /// The byte offset of the name of an include of `name` (`{% include "_row.md" %}`): its
    /// occurrence as often met as it was so far.
    pub(super) fn include_at(&mut self, name: &str) -> Option<usize> {
        let places = self.quoted_places(name, |before| {
            before.ends_with("include") || before.ends_with('[') || before.ends_with(',')
        });
        self.nth_place(format!("include\u{0}{name}"), &places)
    }

    /// The place of byte `at` of the template (the file when not found).
    pub(super) fn place(&self, at: Option<usize>) -> Location {
        match at {
            Some(at) => {
                let (line, col) = crate::diagnostics::line_col(&self.source.template, at);
                Location::new(&self.source.file, line, col)
            }
            None => Location::file(&self.source.file),
        }
    }

    /// Where `needle` is in the template: its occurrence as often met as it was so far,
    /// counting whole names inside tags only (`villages` is not in `villages_list`, `v.nme`
    /// not in `v.nme.x`, nor either in the text between the tags).
    pub(super) fn location(&self, needle: &str) -> Location {
        self.place(self.needle_at(needle))
    }

    /// The byte offset where [`Checker::location`] places `needle`.
    pub(super) fn needle_at(&self, needle: &str) -> Option<usize> {
        let nth = self.seen.get(needle).copied().unwrap_or(1).max(1);
        let text = &self.searched;
        let name_char = |c: char| c.is_alphanumeric() || c == '_';
        let (starts_name, ends_name) = (needle.starts_with(name_char), needle.ends_with(name_char));
        let whole: Vec<usize> = text
            .match_indices(needle)
            .map(|(at, _)| at)
            .filter(|&at| {
                // (A name going on before or after it is another name.)
                let longer_before = starts_name
                    && text[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| name_char(c) || c == '.');
                let longer_after = ends_name
                    && text[at + needle.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| name_char(c) || c == '.' || c == '[');
                !longer_before && !longer_after && in_tag(text, at) && !binds_at(text, at)
            })
            .collect();
        (whole.get(nth - 1).or(whole.first()).copied()).or_else(|| text.find(needle))
    }
}

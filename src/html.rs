//! HTML text: escaping for content and attribute values, and anchor ids from text.

/// How a numbered heading's number starts: its raw HTML is
/// `<span class="heading-number">一、</span>` (written by the Markdown renderer, read as text
/// by the search index's reader).
pub const HEADING_NUMBER_START: &str = "<span class=\"heading-number\">";

/// Escapes text for HTML (content and attribute values): `& < > " '`.
pub fn escape_html_text(text: &str) -> std::borrow::Cow<'_, str> {
    if !has_any_special(text.as_bytes()) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    push_html_text(&mut out, text);
    out.into()
}

/// The entity a byte of text is escaped as, if it is one of the five.
fn entity(byte: u8) -> Option<&'static str> {
    match byte {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    }
}

/// Appends `text` to `out`, escaped like [`escape_html_text`].
pub fn push_html_text(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut start = 0;
    if bytes.len() < SHORT_TEXT {
        // Eight bytes at a time, each byte of a word holding one looked at alone (the five
        // are ASCII, so each is a character of its own).
        let mut chunk = 0;
        while chunk < bytes.len() {
            let end = (chunk + 8).min(bytes.len());
            if end - chunk == 8 && !has_special(&bytes[chunk..end]) {
                chunk = end;
                continue;
            }
            for (at, &byte) in bytes.iter().enumerate().take(end).skip(chunk) {
                let Some(escaped) = entity(byte) else {
                    continue;
                };
                out.push_str(&text[start..at]);
                out.push_str(escaped);
                start = at + 1;
            }
            chunk = end;
        }
    } else {
        // The next of `& < >` and the next quote, each searched again only once passed.
        let mut angle = memchr::memchr3(b'&', b'<', b'>', bytes);
        let mut quote = memchr::memchr2(b'"', b'\'', bytes);
        loop {
            let at = match (angle, quote) {
                (Some(a), Some(q)) => a.min(q),
                (Some(a), None) => a,
                (None, Some(q)) => q,
                (None, None) => break,
            };
            out.push_str(&text[start..at]);
            out.push_str(entity(bytes[at]).unwrap_or_default());
            start = at + 1;
            let rest = &bytes[start..];
            if angle == Some(at) {
                angle = memchr::memchr3(b'&', b'<', b'>', rest).map(|n| start + n);
            } else {
                quote = memchr::memchr2(b'"', b'\'', rest).map(|n| start + n);
            }
        }
    }
    out.push_str(&text[start..]);
}

/// Below this many bytes a text is looked through byte by byte: a SIMD search's setup
/// costs more (a figure's text, `1376户`, is a few bytes). Longer ones are searched with
/// SIMD (`memchr`), `& < >` and the quotes side by side: most of a page's text has none.
const SHORT_TEXT: usize = 32;

/// Whether one of the five bytes HTML escapes is among eight `bytes` (each compared in its
/// lane of a 64-bit word: a lane that equals the byte becomes zero, and a zero lane is found
/// by the borrow out of it; a lane past a zero one may be found too, which only means its
/// bytes are looked at one by one).
fn has_special(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut word = [0; 8];
    word.copy_from_slice(bytes);
    let word = u64::from_le_bytes(word);
    let zero_lane = |byte: u8| {
        let x = word ^ (ONES * u64::from(byte));
        x.wrapping_sub(ONES) & !x & HIGHS
    };
    (zero_lane(b'&') | zero_lane(b'<') | zero_lane(b'>') | zero_lane(b'"') | zero_lane(b'\'')) != 0
}

/// Whether `bytes` hold one of the five bytes HTML escapes.
fn has_any_special(bytes: &[u8]) -> bool {
    if bytes.len() < SHORT_TEXT {
        return bytes.iter().any(|&b| entity(b).is_some());
    }
    memchr::memchr3(b'&', b'<', b'>', bytes).is_some()
        || memchr::memchr2(b'"', b'\'', bytes).is_some()
}

/// An anchor id from heading text: letters (Chinese kept), digits, `-`; spaces become `-`.
pub fn slug(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.trim().chars() {
        // ASCII and the common Han characters (a report's headings) without Unicode's
        // tables: each of U+3400–U+4DBF and U+4E00–U+9FFF is alphanumeric and its own lower
        // case.
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}') {
            slug.push(c);
        } else if !c.is_ascii() && c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_') && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    // One `-` at most at either end (a run of them is pushed as one): cut.
    if slug.ends_with('-') {
        slug.pop();
    }
    if slug.starts_with('-') {
        slug.remove(0);
    }
    if slug.is_empty() {
        "section".to_string()
    } else {
        slug
    }
}

/// The searcher of a fixed `needle` (bytes), made once: `memchr::memmem::find` makes one
/// anew at every call, which costs more than the search itself in the many short pieces of
/// HTML a build scans (about a hundred milliseconds of CPU at 10,000 villages).
macro_rules! finder {
    ($needle:expr) => {{
        static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new($needle));
        &*FINDER
    }};
}
pub(crate) use finder;

/// Where `needle` first is in `haystack` (SIMD search: pages are scanned many times).
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    memchr::memmem::find(haystack.as_bytes(), needle.as_bytes())
}

/// `haystack` with every `needle` replaced by `with` (as `str::replace`, by SIMD search).
pub fn replace_all(haystack: &str, needle: &str, with: &str) -> String {
    let mut out = String::with_capacity(haystack.len());
    let mut last = 0;
    for at in memchr::memmem::find_iter(haystack.as_bytes(), needle.as_bytes()) {
        out.push_str(&haystack[last..at]);
        out.push_str(with);
        last = at + needle.len();
    }
    out.push_str(&haystack[last..]);
    out
}

/// How many times `needle` is in `haystack`, not overlapping.
pub fn count(haystack: &str, needle: &str) -> usize {
    memchr::memmem::find_iter(haystack.as_bytes(), needle.as_bytes()).count()
}

/// `text` with the HTML entities huibao and Markdown write (`&amp;` `&lt;` `&gt;` `&quot;`
/// `&#39;`, and numeric ones) read back; borrowed when it has none.
pub fn unescape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('&') {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let entity = rest[1..]
            .find(';')
            .filter(|&end| end <= 10)
            .map(|end| &rest[1..=end]);
        let decoded = entity.and_then(|name| match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => {
                let number = name.strip_prefix('#')?;
                let code = match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => number.parse().ok()?,
                };
                char::from_u32(code)
            }
        });
        match (decoded, entity) {
            (Some(c), Some(name)) => {
                out.push(c);
                rest = &rest[name.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.into()
}

/// The attributes of a tag, read one by one from `text` at `at`; `end` is where the tag's
/// `>` is, once read to it (`None`: the text ended first, so it is no tag).
pub struct Attributes<'h> {
    /// The text the tag is in.
    pub text: &'h str,
    /// Where the next attribute is looked for.
    pub at: usize,
    /// Whether the tag ends `/>`, once read to its end.
    pub self_closing: bool,
    /// Where the tag's `>` is, once read to it.
    pub end: Option<usize>,
}

impl<'h> Iterator for Attributes<'h> {
    type Item = (&'h str, Option<&'h str>);

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        let skip_space = |at: &mut usize| {
            while *at < bytes.len() && bytes[*at].is_ascii_whitespace() {
                *at += 1;
            }
        };
        loop {
            skip_space(&mut self.at);
            match bytes.get(self.at) {
                None => return None,
                Some(b'>') => {
                    self.end = Some(self.at);
                    return None;
                }
                Some(b'/') => {
                    self.self_closing = true;
                    self.at += 1;
                }
                Some(_) => break,
            }
        }
        let name_start = self.at;
        while self.at < bytes.len()
            && !bytes[self.at].is_ascii_whitespace()
            && !matches!(bytes[self.at], b'=' | b'>' | b'/')
        {
            self.at += 1;
        }
        let name = &self.text[name_start..self.at];
        let mut after = self.at;
        skip_space(&mut after);
        if bytes.get(after) != Some(&b'=') {
            return Some((name, None));
        }
        self.at = after + 1;
        skip_space(&mut self.at);
        let value = match bytes.get(self.at) {
            Some(quote @ (b'"' | b'\'')) => {
                let Some(close) = memchr::memchr(*quote, &bytes[self.at + 1..]) else {
                    self.at = bytes.len();
                    return None;
                };
                let value = &self.text[self.at + 1..self.at + 1 + close];
                self.at += close + 2;
                value
            }
            _ => {
                let value_start = self.at;
                while self.at < bytes.len()
                    && !bytes[self.at].is_ascii_whitespace()
                    && bytes[self.at] != b'>'
                {
                    self.at += 1;
                }
                &self.text[value_start..self.at]
            }
        };
        Some((name, Some(value)))
    }
}

/// Whether the start tag `tag` (`<p class="note site-only">`) has the class `class`.
pub fn has_class(tag: &str, class: &str) -> bool {
    let name_end = tag
        .bytes()
        .skip(1)
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'-'))
        .map_or(tag.len(), |i| i + 1);
    let mut attributes = Attributes {
        text: tag,
        at: name_end,
        self_closing: false,
        end: None,
    };
    attributes.any(|(name, value)| {
        name.eq_ignore_ascii_case("class")
            && value.is_some_and(|v| v.split_ascii_whitespace().any(|c| c == class))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Texts short and long, with the five among Chinese and ASCII, are escaped as a
        /// byte-by-byte replacement of each escapes them.
        #[test]
        fn text_is_escaped_as_each_of_the_five_replaced(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just("&"), Just("<"), Just(">"), Just("\""), Just("'"),
                    Just("横溪村"), Just("1,376户"), Just("a"), Just(" "), Just("&amp;"),
                ],
                0..40,
            ),
        ) {
            let text: String = pieces.concat();
            let mut expected = String::new();
            for c in text.chars() {
                match c {
                    '&' => expected.push_str("&amp;"),
                    '<' => expected.push_str("&lt;"),
                    '>' => expected.push_str("&gt;"),
                    '"' => expected.push_str("&quot;"),
                    '\'' => expected.push_str("&#39;"),
                    c => expected.push(c),
                }
            }
            let mut pushed = String::from("前");
            push_html_text(&mut pushed, &text);
            prop_assert_eq!(&pushed[3..], expected.as_str());
            prop_assert_eq!(escape_html_text(&text), expected.as_str());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Slugs are made as Unicode's tables make them (the fast paths for ASCII and Han
        /// characters change nothing): letters and digits lower-cased, runs of spaces, `-`
        /// and `_` as one `-`, none at either end, `section` when nothing is left.
        #[test]
        fn slugs_are_made_as_by_unicode_tables(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just("横溪"), Just("〇"), Just("Ⅷ"), Just("ÉÀ"), Just("İ"), Just("ß"),
                    Just("Abc"), Just("2020"), Just(" "), Just("-"), Just("_"), Just("、"),
                    Just("（一）"), Just("\u{3000}"), Just("\u{fa6e}"), Just("𠀀"), Just("!"),
                ],
                0..12,
            ),
        ) {
            let text: String = pieces.concat();
            let mut expected = String::new();
            for c in text.trim().chars() {
                if c.is_alphanumeric() {
                    expected.extend(c.to_lowercase());
                } else if (c.is_whitespace() || c == '-' || c == '_') && !expected.ends_with('-') {
                    expected.push('-');
                }
            }
            let expected = expected.trim_matches('-');
            let expected = if expected.is_empty() { "section" } else { expected };
            prop_assert_eq!(slug(&text), expected);
        }
    }

    #[test]
    fn a_class_is_found_among_the_tags_classes_only() {
        assert!(has_class("<div class=\"note site-only\">", "site-only"));
        assert!(has_class(
            "<p class='site-only table-download'>",
            "site-only"
        ));
        assert!(has_class("<span class=site-only>", "site-only"));
        assert!(!has_class("<p data-class=\"site-only\">", "site-only"));
        assert!(!has_class("<p class=\"site-only-not\">", "site-only"));
    }

    #[test]
    fn entities_are_read_back_and_unknown_ones_kept() {
        assert_eq!(
            unescape("a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; &#x4e00; &bogus; & x"),
            "a & b <c> \"d\" 'e' 一 &bogus; & x"
        );
    }
}

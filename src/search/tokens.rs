//! The terms of a text for the search index, and of a query.

/// Whether a term is one Han character, two neighbouring ones, or a word or figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One Han character.
    Unigram,
    /// Two neighbouring Han characters.
    Bigram,
    /// A Latin word, lower-cased, or a figure (`1094.52`; thousands separators dropped).
    Word,
}

/// A term of a text and where it is (the position of its first character among the
/// characters of the text as searched, [`normalise`]d, for the proximity of a query's terms).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The term.
    pub text: String,
    /// Its first character's position in the normalised text.
    pub position: u32,
    /// What it is.
    pub kind: Kind,
}

/// `c` as it is searched: full-width ASCII forms (`１`, `Ａ`, `．`) as half-width ones — but
/// the full-width comma, which separates the items of a Chinese list, not thousands —, the
/// ideographic space as a space. (Letters are lower-cased by [`normalise`].)
pub fn fold(c: char) -> char {
    match c {
        '\u{ff0c}' => c,
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        c => c,
    }
}

/// Whether `c` is a Han character (CJK unified ideographs and their extensions, 〇, and the
/// compatibility ideographs).
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3007}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2fa1f}'
        | '\u{30000}'..='\u{323af}')
}

/// `text` as it is searched: each character [`fold`]ed and lower-cased (one character at a
/// time), and the commas that separate thousands left out (`6,336` is `6336`: a comma between
/// a digit and exactly three digits). Borrowed when it is already so (most of a Chinese
/// text: Han characters, Chinese punctuation, digits). Han characters are left as they are
/// and no other character becomes one: a text's runs of Han characters are the same before
/// and after.
pub fn normalise(text: &str) -> std::borrow::Cow<'_, str> {
    // Made at the first character that changes; until then the text is as it is.
    let mut folded: Option<String> = None;
    // Runs of characters that stay as they are (most of a Chinese text) are copied whole.
    let mut run = 0;
    for (at, c) in text.char_indices() {
        let same = if c.is_ascii() {
            !c.is_ascii_uppercase()
        } else {
            is_han(c) || (is_cjk_punctuation(c) && fold(c) == c)
        };
        if same {
            continue;
        }
        let folded = folded.get_or_insert_with(|| String::with_capacity(text.len()));
        folded.push_str(&text[run..at]);
        run = at + c.len_utf8();
        let c = fold(c);
        if c.is_ascii() {
            folded.push(c.to_ascii_lowercase());
        } else if is_han(c) || is_cjk_punctuation(c) {
            folded.push(c);
        } else {
            folded.extend(c.to_lowercase());
        }
    }
    let folded: std::borrow::Cow<'_, str> = match folded {
        Some(mut folded) => {
            folded.push_str(&text[run..]);
            folded.into()
        }
        None => text.into(),
    };
    // Commas and digits are ASCII: the separators are found among the bytes.
    let bytes = folded.as_bytes();
    let digit = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_digit);
    let thousands = |at: usize| {
        bytes[at] == b','
            && at > 0
            && digit(at - 1)
            && digit(at + 1)
            && digit(at + 2)
            && digit(at + 3)
            && !digit(at + 4)
    };
    if !memchr::memchr_iter(b',', bytes).any(thousands) {
        return folded;
    }
    let mut out = String::with_capacity(folded.len());
    let mut start = 0;
    for at in memchr::memchr_iter(b',', bytes).filter(|&at| thousands(at)) {
        out.push_str(&folded[start..at]);
        start = at + 1;
    }
    out.push_str(&folded[start..]);
    out.into()
}

/// Whether `c` is a punctuation mark of Chinese text (no case, no letter or digit):
/// answered without Unicode's tables.
fn is_cjk_punctuation(c: char) -> bool {
    matches!(c,
        '\u{00b7}'
        | '\u{2014}'..='\u{201f}'
        | '\u{2026}'
        | '\u{3000}'..='\u{3003}'
        | '\u{3008}'..='\u{3011}'
        | '\u{3014}'..='\u{301f}'
        | '\u{ff01}'..='\u{ff0f}'
        | '\u{ff1a}'..='\u{ff20}')
}

/// Whether `c` is a letter or digit (Unicode's alphabetic and numeric characters), the
/// punctuation of Chinese text answered without Unicode's tables.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    !is_cjk_punctuation(c) && c.is_alphanumeric()
}

/// Calls `each` with every term of a [`normalise`]d text, in order: (the term, what it is,
/// the position of its first character). Han characters are terms one by one and in pairs;
/// a run of letters and digits (with the points between digits) is one term.
pub fn for_each_term<'t>(normalised: &'t str, mut each: impl FnMut(&'t str, Kind, u32)) {
    let mut chars = normalised.char_indices().peekable();
    let mut position: u32 = 0;
    while let Some((at, c)) = chars.next() {
        if is_han(c) {
            let end = at + c.len_utf8();
            each(&normalised[at..end], Kind::Unigram, position);
            if let Some(&(_, next)) = chars.peek().filter(|(_, n)| is_han(*n)) {
                each(
                    &normalised[at..end + next.len_utf8()],
                    Kind::Bigram,
                    position,
                );
            }
            position += 1;
        } else if is_word_char(c) {
            let start = position;
            let mut end = at + c.len_utf8();
            let mut last = c;
            position += 1;
            while let Some(&(next_at, next)) = chars.peek() {
                let word = !is_han(next) && is_word_char(next);
                let point = next == '.'
                    && last.is_ascii_digit()
                    && normalised[next_at + 1..]
                        .chars()
                        .next()
                        .is_some_and(|d| d.is_ascii_digit());
                if !word && !point {
                    break;
                }
                chars.next();
                end = next_at + next.len_utf8();
                last = next;
                position += 1;
            }
            each(&normalised[at..end], Kind::Word, start);
        } else {
            position += 1;
        }
    }
}

/// Calls `each` with the pieces of `text`, in order: each run of Han characters with the
/// punctuation between and after them (`true`: Chinese text's punctuation, ASCII spaces and
/// punctuation but the point and the comma), and each stretch of the rest (`false`: no Han
/// character). The pieces make up the text, and no term spans two: the terms of a
/// [`normalise`]d text are those of its pieces, [`for_each_term`] of a Han piece as it is
/// (its punctuation has no term, normalised or not, and parts its Han characters either
/// way), of the rest normalised. A report's pieces are its sentences between its figures:
/// few, and the same from page to page.
pub fn for_each_piece<'t>(text: &'t str, mut each: impl FnMut(&'t str, bool)) {
    let bytes = text.as_bytes();
    let mut start = 0;
    // Whether the piece being read is one of Han characters (and punctuation), and whether
    // it has a Han character yet: one of punctuation alone is told `false`.
    let mut in_han = false;
    let mut has_han = false;
    let mut at = 0;
    while at < bytes.len() {
        // Most characters stay in the piece they are in: in a Han piece the Han characters
        // of U+4000–U+9FFF (E4–E9 ..), Chinese text's common punctuation and ASCII's (a
        // line's end), told by their bytes; ASCII in the rest.
        if in_han {
            while let Some(&b) = bytes.get(at) {
                match b {
                    0xe5..=0xe9 => {
                        at += 3;
                        has_han = true;
                    }
                    0xe4 if bytes.get(at + 1) != Some(&0xb7) => {
                        at += 3;
                        has_han = true;
                    }
                    _ if b < 0x80 && !is_word_byte(b) => at += 1,
                    0xe2 | 0xe3 | 0xef if is_common_punctuation(&bytes[at..]) => at += 3,
                    _ => break,
                }
            }
        } else {
            while bytes.get(at).is_some_and(u8::is_ascii) {
                at += 1;
            }
        }
        if at >= bytes.len() {
            break;
        }
        // Characters of up to three bytes are told by their first two (the text is UTF-8):
        // ASCII is not Han; every character that starts with E5–E9 (U+5000–U+9FFF) is; of
        // E4 (U+4000–U+4FFF) all but U+4DC0–U+4DFF (E4 B7 ..); of E3 (U+3000–U+3FFF)
        // U+3400 on (E3 90 ..) and 〇 (E3 80 87); of EF (U+F000–U+FFFF) U+F900–U+FAFF
        // (EF A4 .. to EF AB ..); no other of two or three bytes.
        let second = || bytes.get(at + 1).copied().unwrap_or(0);
        let (class, len) = match bytes[at] {
            b if b < 0x80 => {
                let word = is_word_byte(b);
                (if word { Class::Word } else { Class::Quiet }, 1)
            }
            0xe5..=0xe9 => (Class::Han, 3),
            0xe4 if second() != 0xb7 => (Class::Han, 3),
            0xe3 if second() >= 0x90 || bytes[at..].starts_with("〇".as_bytes()) => {
                (Class::Han, 3)
            }
            0xef if (0xa4..=0xab).contains(&second()) => (Class::Han, 3),
            _ => match text[at..].chars().next() {
                Some(c) if is_han(c) => (Class::Han, c.len_utf8()),
                // The full-width point folds to a point, which joins a figure's digits.
                Some(c) if is_cjk_punctuation(c) && c != '．' => {
                    (Class::Punctuation, c.len_utf8())
                }
                Some(c) => (Class::Word, c.len_utf8()),
                None => break,
            },
        };
        let han_piece = match class {
            Class::Quiet => in_han,
            Class::Han | Class::Punctuation => true,
            Class::Word => false,
        };
        if han_piece != in_han {
            if at > start {
                each(&text[start..at], in_han && has_han);
            }
            start = at;
            in_han = han_piece;
            has_han = false;
        }
        has_han |= class == Class::Han;
        at += len;
    }
    if text.len() > start {
        each(&text[start..], in_han && has_han);
    }
}

/// Whether an ASCII byte is of a word or a figure (a letter, a digit, a point or a comma:
/// [`Class::Word`]); any other is [`Class::Quiet`], in the piece it is in.
#[inline(always)]
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b','
}

/// Whether `bytes` start with a punctuation mark of Chinese text of three bytes that stays in
/// a Han piece ([`is_cjk_punctuation`] but the full-width point) — `，。、；：“”（）…` —, told
/// by its bytes.
#[inline(always)]
fn is_common_punctuation(bytes: &[u8]) -> bool {
    matches!(
        bytes,
        [0xe2, 0x80, 0x94..=0x9f | 0xa6, ..]
            | [0xe3, 0x80, 0x80..=0x83 | 0x88..=0x91 | 0x94..=0x9f, ..]
            | [0xef, 0xbc, 0x81..=0x8d | 0x8f | 0x9a..=0xa0, ..]
    )
}

/// What a character is to [`for_each_piece`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// A Han character.
    Han,
    /// Chinese text's punctuation (no term, normalised or not): in a Han piece.
    Punctuation,
    /// An ASCII space or punctuation mark but the point and the comma: in the piece it is in.
    Quiet,
    /// Anything else: a letter, a digit, a point or comma (of a figure) … in the rest.
    Word,
}

/// Calls `each` with the words of a piece of text between Han pieces, when the
/// piece is plain: ASCII with nothing [`normalise`] would change (no capital letter, no
/// comma) — most such pieces of a report are its figures (`23`, `40.62`, `2018`). The words
/// are those [`for_each_term`] finds in it, read byte by byte. `false` (and nothing called)
/// for any other piece.
pub fn for_each_plain_word<'t>(piece: &'t str, mut each: impl FnMut(&'t str)) -> bool {
    let bytes = piece.as_bytes();
    if !bytes
        .iter()
        .all(|&b| b.is_ascii() && !b.is_ascii_uppercase() && b != b',')
    {
        return false;
    }
    let mut at = 0;
    while at < bytes.len() {
        if !bytes[at].is_ascii_alphanumeric() {
            at += 1;
            continue;
        }
        let start = at;
        at += 1;
        while at < bytes.len() {
            let next = bytes[at];
            let point = next == b'.'
                && bytes[at - 1].is_ascii_digit()
                && bytes.get(at + 1).is_some_and(u8::is_ascii_digit);
            if !next.is_ascii_alphanumeric() && !point {
                break;
            }
            at += 1;
        }
        each(&piece[start..at]);
    }
    true
}

/// Whether a piece of text between Han pieces has no term however it is
/// normalised: punctuation only (ASCII's, Chinese text's), spaces, nothing that folds to a
/// letter or a digit. Most such pieces of a Chinese text are a comma or a full stop.
pub fn has_no_terms(piece: &str) -> bool {
    let bytes = piece.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if b < 0x80 {
            if b.is_ascii_alphanumeric() {
                return false;
            }
            at += 1;
            continue;
        }
        match piece[at..].chars().next() {
            Some(c) if is_cjk_punctuation(c) => at += c.len_utf8(),
            _ => return false,
        }
    }
    true
}

/// The terms of `text`, in order.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for_each_term(&normalise(text), |term, kind, position| {
        out.push(Token {
            text: term.to_string(),
            position,
            kind,
        })
    });
    out
}

/// The terms a query is looked up by: its bigrams where it has two or more Han characters in
/// a run (a lone one is its unigram), and its words and figures; each once, in order.
pub fn query_terms(query: &str) -> Vec<String> {
    let tokens = tokens(query);
    let mut terms: Vec<String> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let wanted = match token.kind {
            Kind::Word | Kind::Bigram => true,
            // A Han character that is in no bigram of the query.
            Kind::Unigram => !tokens.iter().enumerate().any(|(j, other)| {
                other.kind == Kind::Bigram
                    && j != i
                    && (other.position == token.position || other.position + 1 == token.position)
            }),
        };
        if wanted && !terms.contains(&token.text) {
            terms.push(token.text.clone());
        }
    }
    terms
}

/// The shard of the index that holds `term`, of `shards` (FNV-1a of its UTF-8 bytes): the
/// search page loads only the shards of a query's terms.
pub fn shard(term: &str, shards: u32) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in term.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash % shards.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn a_text_already_as_searched_is_borrowed() {
        for text in ["横溪村有贫困户78户，共 2019 年。", "", "a-b 1.5"] {
            assert!(matches!(normalise(text), std::borrow::Cow::Borrowed(t) if t == text));
        }
        for (text, searched) in [
            ("６，３３６户", "6，336户"),
            ("6,336", "6336"),
            ("Ａb", "ab"),
        ] {
            assert!(matches!(normalise(text), std::borrow::Cow::Owned(ref t) if t == searched));
        }
    }

    #[test]
    fn chinese_is_every_character_and_every_pair() {
        assert_eq!(texts("横溪村"), ["横", "横溪", "溪", "溪村", "村"]);
        let tokens = tokens("见横溪");
        assert_eq!(tokens[2].position, 1);
        assert_eq!(tokens[2].kind, Kind::Unigram);
        assert_eq!(tokens[3].kind, Kind::Bigram);
    }

    #[test]
    fn figures_and_words_are_whole_and_full_width_forms_fold() {
        assert_eq!(
            texts("总费用1094.52万元"),
            [
                "总", "总费", "费", "费用", "用", "1094.52", "万", "万元", "元"
            ]
        );
        assert_eq!(texts("１０９４．５２"), ["1094.52"]);
        assert_eq!(
            texts("6,336人。2019年 Hello, WORLD."),
            ["6336", "人", "2019", "年", "hello", "world"]
        );
        assert_eq!(texts("ＧＢ／Ｔ　9704"), ["gb", "t", "9704"]);
        assert_eq!(texts("12,345,678"), ["12345678"]);
        assert_eq!(texts("café Zürich"), ["café", "zürich"]);
    }

    #[test]
    fn a_comma_is_a_thousands_separator_only_before_three_digits() {
        assert_eq!(texts("2019，2020年"), ["2019", "2020", "年"]);
        assert_eq!(texts("1,2"), ["1", "2"]);
        assert_eq!(texts("12,3456"), ["12", "3456"]);
        assert_eq!(
            texts("二〇一九年"),
            ["二", "二〇", "〇", "〇一", "一", "一九", "九", "九年", "年"]
        );
    }

    #[test]
    fn a_query_is_looked_up_by_its_pairs_words_and_lone_characters() {
        assert_eq!(query_terms("横溪"), ["横溪"]);
        assert_eq!(query_terms("雨露计划"), ["雨露", "露计", "计划"]);
        assert_eq!(query_terms("村"), ["村"]);
        assert_eq!(query_terms("1094.52 村 饮水"), ["1094.52", "村", "饮水"]);
        assert!(query_terms("，。！").is_empty());
    }

    /// Terms with their kinds.
    type Terms = Vec<(String, Kind)>;

    /// Whether `c` may be in a Han piece: a Han character, Chinese text's punctuation but the
    /// full-width point, ASCII's but the point and the comma (and no letter or digit).
    fn in_han_piece(c: char) -> bool {
        is_han(c)
            || (is_cjk_punctuation(c) && c != '．')
            || (c.is_ascii() && !c.is_ascii_alphanumeric() && c != '.' && c != ',')
    }

    /// The terms of `text` (kind and text) as the index counts them, piece by piece: a Han
    /// piece as it is, the rest normalised; and the pieces, checked to make up the text,
    /// each Han piece with a Han character and only Han characters and punctuation, the
    /// rest with none, no two Han pieces one after the other.
    fn terms_by_piece(text: &str) -> (Terms, Vec<(String, bool)>) {
        let mut terms = Vec::new();
        let mut pieces: Vec<(String, bool)> = Vec::new();
        for_each_piece(text, |piece, han| {
            assert!(!piece.is_empty(), "{text:?}");
            if han {
                assert!(piece.chars().any(is_han), "{piece:?}");
                assert!(piece.chars().all(in_han_piece), "{piece:?}");
                assert!(!pieces.last().is_some_and(|(_, h)| *h), "{text:?}");
                for_each_term(piece, |term, kind, _| terms.push((term.to_string(), kind)));
            } else {
                assert!(!piece.chars().any(is_han), "{piece:?}");
                for_each_term(&normalise(piece), |term, kind, _| {
                    terms.push((term.to_string(), kind))
                });
            }
            pieces.push((piece.to_string(), han));
        });
        let joined: String = pieces.iter().map(|(piece, _)| piece.as_str()).collect();
        assert_eq!(joined, text);
        (terms, pieces)
    }

    /// The terms of `text` normalised whole.
    fn terms_of_whole(text: &str) -> Terms {
        let mut terms = Vec::new();
        for_each_term(&normalise(text), |term, kind, _| {
            terms.push((term.to_string(), kind))
        });
        terms
    }

    #[test]
    fn a_text_s_terms_are_those_of_its_pieces() {
        for text in [
            "横溪村有贫困户78户，总费用1094.52万元。",
            "2019年 hello横溪12.5",
            "",
            "横",
            "a.b 1.2.3 ＧＢ／Ｔ 二〇一九",
            "合计6,336人、1，2户（见表）１．５亩 “雨露计划”！",
        ] {
            assert_eq!(terms_by_piece(text).0, terms_of_whole(text), "{text}");
        }
        // A report's sentence between two figures is one piece, its punctuation with it.
        assert_eq!(
            terms_by_piece("以西8公里，辖5个村民小组。\n年度\n2013\n20").1,
            [
                ("以西".to_string(), true),
                ("8".to_string(), false),
                ("公里，辖".to_string(), true),
                ("5".to_string(), false),
                ("个村民小组。\n年度\n".to_string(), true),
                ("2013\n20".to_string(), false),
            ]
        );
    }

    proptest::proptest! {
        /// The pieces make up the text, Han pieces of Han characters and punctuation and the
        /// rest of none; the terms counted piece by piece are the whole text's; a piece said
        /// to have no terms has none; a plain piece's words are its terms.
        #[test]
        fn pieces_are_runs_of_han_and_the_rest(
            text in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just('横'), proptest::strategy::Just('〇'),
                    proptest::strategy::Just('\u{4dc0}'), proptest::strategy::Just('\u{3400}'),
                    proptest::strategy::Just('\u{20000}'), proptest::strategy::Just('，'),
                    proptest::strategy::Just('．'), proptest::strategy::Just('１'),
                    proptest::strategy::Just('\u{3000}'), proptest::strategy::Just('.'),
                    proptest::strategy::Just(','), proptest::strategy::Just('7'),
                    proptest::strategy::Just('A'), proptest::strategy::Just('“'),
                    proptest::strategy::Just('a'), proptest::strategy::Just('\n'),
                    proptest::strategy::Just('！'), proptest::strategy::Just('%'),
                    proptest::arbitrary::any::<char>(),
                ],
                0..12,
            )
        ) {
            let text: String = text.into_iter().collect();
            let (terms, pieces) = terms_by_piece(&text);
            proptest::prop_assert_eq!(terms, terms_of_whole(&text));
            for (piece, han) in pieces {
                if !han && has_no_terms(&piece) {
                    assert!(tokens(&piece).is_empty(), "{piece}");
                }
                let mut plain = Vec::new();
                if !han && for_each_plain_word(&piece, |word| plain.push(word.to_string())) {
                    assert_eq!(plain, texts(&piece), "{piece}");
                }
            }
        }
    }

    #[test]
    fn every_character_is_told_han_punctuation_or_not_as_is_han_tells_it() {
        // Every character of one to three bytes (told by its first bytes), and the first
        // of four-byte ones: between letters and between Han characters.
        for c in ('\0'..='\u{ffff}').chain('\u{10000}'..='\u{20100}') {
            let pieces = |text: &str| {
                let mut pieces = Vec::new();
                for_each_piece(text, |piece, han| pieces.push((piece.to_string(), han)));
                pieces
            };
            let owned = |pieces: &[(&str, bool)]| -> Vec<(String, bool)> {
                pieces.iter().map(|(p, h)| (p.to_string(), *h)).collect()
            };
            let c_ = c.to_string();
            let among_letters = if is_han(c) {
                owned(&[("a", false), (&c_, true), ("a", false)])
            } else if in_han_piece(c) && !c.is_ascii() {
                owned(&[("a", false), (&c_, false), ("a", false)])
            } else {
                owned(&[(&format!("a{c}a"), false)])
            };
            assert_eq!(
                pieces(&format!("a{c}a")),
                among_letters,
                "U+{:04X}",
                u32::from(c)
            );
            let among_han = if in_han_piece(c) {
                owned(&[(&format!("横{c}横"), true)])
            } else {
                owned(&[("横", true), (&c_, false), ("横", true)])
            };
            assert_eq!(
                pieces(&format!("横{c}横")),
                among_han,
                "U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn the_words_of_a_plain_piece_are_its_terms() {
        for piece in [
            "23",
            "a.5",
            "40.62",
            "2013\n8\n75\n74.90\n",
            "1.2.3",
            "a.b",
            ".5",
            "5.",
            "v2.0x",
            "",
            " ",
            "%",
            "12.5%",
        ] {
            let mut words = Vec::new();
            assert!(for_each_plain_word(piece, |word| words.push(word.to_string())));
            assert_eq!(words, texts(piece), "{piece}");
        }
        for piece in ["6,336", "GB", "，", "１２", "é"] {
            assert!(
                !for_each_plain_word(piece, |_| panic!("{piece}")),
                "{piece}"
            );
        }
    }

    #[test]
    fn pieces_of_punctuation_have_no_terms() {
        assert!(has_no_terms("，"));
        assert!(has_no_terms("”（ . ）— "));
        assert!(!has_no_terms("１"));
        assert!(!has_no_terms("，6"));
        assert!(!has_no_terms("é"));
    }

    #[test]
    fn terms_go_to_the_same_shard_every_time() {
        assert_eq!(shard("横溪", 64), shard("横溪", 64));
        assert!(shard("横溪", 64) < 64);
        assert_eq!(shard("a", 1), 0);
        // FNV-1a of "a" (a known value), as the search page computes it.
        assert_eq!(shard("a", u32::MAX), 0xe40c_292c);
    }
}

//! JSON strings written straight into bytes, as serde_json writes them but without its
//! machinery: the search index's files and `figures.json` write millions of them.

/// Appends UTF-8 `text` as a JSON string (valid JavaScript too), escaped as serde_json
/// escapes: `"`, `\` and the control characters; the rest as it is, copied a stretch at a
/// time (a page's text is megabytes of Chinese with a line break every sentence or two).
pub fn push_string(out: &mut Vec<u8>, text: &[u8]) {
    out.push(b'"');
    let mut start = 0;
    while let Some(at) = next_to_escape(text, start) {
        let byte = text[at];
        let escaped: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            _ => b"",
        };
        out.extend_from_slice(&text[start..at]);
        start = at + 1;
        if escaped.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 0xf)]);
        } else {
            out.extend_from_slice(escaped);
        }
    }
    out.extend_from_slice(&text[start..]);
    out.push(b'"');
}

/// Where the next byte from `from` on that a JSON string escapes is (`"`, `\`, a control
/// character): eight bytes compared at a time (a page's text has few).
fn next_to_escape(text: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    // The high bit of each byte that is zero (the lowest one found is exact: a borrow
    // only runs up into the bytes after it).
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut at = from;
    while let Some(chunk) = text.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        let found = below_space
            | zero_bytes(x ^ (ONES * u64::from(b'"')))
            | zero_bytes(x ^ (ONES * u64::from(b'\\')));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    text.get(at..)?
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .map(|p| at + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A text is escaped as serde_json escapes it.
        #[test]
        fn texts_are_escaped_as_serde_json_escapes_them(
            text in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just('"'), proptest::strategy::Just('\\'),
                    proptest::strategy::Just('\n'), proptest::strategy::Just('\u{1}'),
                    proptest::strategy::Just('\u{1f}'), proptest::strategy::Just(' '),
                    proptest::strategy::Just('\u{7f}'), proptest::strategy::Just('横'),
                    proptest::strategy::Just('\u{a0}'), proptest::strategy::Just('\u{2028}'),
                    proptest::arbitrary::any::<char>(),
                ],
                0..40,
            )
        ) {
            let text: String = text.into_iter().collect();
            let mut out = Vec::new();
            push_string(&mut out, text.as_bytes());
            let expected = serde_json::to_string(&text).expect("a string");
            proptest::prop_assert_eq!(String::from_utf8(out).expect("UTF-8"), expected);
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut text = String::from(
            "横溪村 \"引号\" \\ 斜杠\n行\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f} é 𠀀 </script>",
        );
        text.extend((0u8..0x20).map(char::from));
        let mut out = Vec::new();
        push_string(&mut out, text.as_bytes());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            serde_json::to_string(&text).unwrap()
        );
    }
}

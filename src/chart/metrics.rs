//! Text metrics for chart layout, without a font file.
//!
//! A chart's SVG is drawn by the reader's browser in whatever CJK font the intranet PC has
//! (Microsoft YaHei, PingFang SC, Noto Sans CJK SC, SimHei …). Those fonts agree on what
//! matters for layout: every Chinese character and full-width punctuation mark is one em
//! wide; digits and Latin letters are about half an em. huibao measures with these widths,
//! rounded up, so that a label laid out here fits in any of those fonts. (plotters' own
//! estimate counts UTF-8 bytes: three times too wide for Chinese.)

/// Width in pixels of `text` at font size `px` (an over-estimate by a few per cent at most).
pub fn text_width(text: &str, px: f64) -> f64 {
    text.chars().map(|c| char_width(c) * px).sum()
}

/// Advance width of `c` in ems.
pub fn char_width(c: char) -> f64 {
    match c {
        '0'..='9' => 0.58,
        '.' | ',' | ':' | ';' | '!' | '|' | '\'' => 0.3,
        ' ' => 0.3,
        '%' => 0.9,
        '-' | '(' | ')' | '[' | ']' => 0.38,
        'i' | 'j' | 'l' | 'I' | 'f' | 't' | 'r' => 0.36,
        'm' | 'w' | 'M' | 'W' => 0.88,
        'A'..='Z' => 0.68,
        'a'..='z' => 0.56,
        c if c.is_ascii() => 0.6,
        // CJK ideographs, kana, hangul, full-width forms and CJK punctuation: one em.
        _ => 1.0,
    }
}

/// An axis-aligned box: left, top, right, bottom in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub left: f64,
    /// Top edge.
    pub top: f64,
    /// Right edge.
    pub right: f64,
    /// Bottom edge.
    pub bottom: f64,
}

impl Rect {
    /// Whether the two boxes overlap (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.left < other.right
            && other.left < self.right
            && self.top < other.bottom
            && other.top < self.bottom
    }

    /// Whether `other` lies wholly inside this box.
    pub fn contains(&self, other: &Rect) -> bool {
        other.left >= self.left
            && other.right <= self.right
            && other.top >= self.top
            && other.bottom <= self.bottom
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_one_em_per_character() {
        assert_eq!(text_width("横溪村", 12.0), 36.0);
        assert!(text_width("1686人", 12.0) < 12.0 * 3.5);
        assert!(text_width("2019年", 10.0) > 30.0);
    }
}

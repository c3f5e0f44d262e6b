//! The SVG huibao publishes, written by a plotters drawing backend of its own.
//!
//! plotters' `SVGBackend` formats every colour, opacity and coordinate through `format!` and
//! escapes every attribute character by character; on a province's report (two charts on
//! each of 100,000 pages) that was a tenth of a build, and its output then needed a second
//! pass to make it lean. [`LeanSvg`] implements the same [`DrawingBackend`] primitives and
//! writes the lean form directly, in one pass:
//!
//! - the font stack and base size are on the root `<svg>` once; a `<text>` names a size only
//!   when it differs, and a family only when it is not the stand-in [`PLOTTED_FAMILY`];
//! - full opacity (the default) is not written;
//! - the whole drawing on one line, labels' line breaks dropped: the page's Markdown passes
//!   it as one HTML event (a line each was ~100 events a page, each scanned for figures and
//!   tags on its own: 2 % of a build), and it stays one HTML block (no blank line inside);
//! - a value's `<text>` can carry a `<title>` (see [`LeanSvg::title_next_text`]).

use std::convert::Infallible;
use std::fmt::Write as _;

use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle, FontTransform,
};

use super::{FONT_STACK, PLOTTED_FAMILY};
use crate::html::push_html_text;

/// The font size most chart text has: the root `<svg>` states it once.
const BASE_FONT_SIZE: f64 = 12.0;

/// A plotters backend writing huibao's lean SVG into a string.
pub struct LeanSvg {
    svg: String,
    size: (u32, u32),
    /// The `<title>` content (already HTML) for the next text drawn.
    next_title: Option<String>,
}

/// What a primitive returns: drawing into a string cannot fail.
type DrawResult = Result<(), DrawingErrorKind<Infallible>>;

impl LeanSvg {
    /// A blank canvas of `width` × `height` pixels.
    pub fn new(width: u32, height: u32) -> LeanSvg {
        let mut svg = String::with_capacity(8192);
        svg.push_str("<svg font-family=\"");
        svg.push_str(FONT_STACK);
        svg.push_str("\" font-size=\"12\" width=\"");
        push_int(&mut svg, width);
        svg.push_str("\" height=\"");
        push_int(&mut svg, height);
        svg.push_str("\" viewBox=\"0 0 ");
        push_int(&mut svg, width);
        svg.push(' ');
        push_int(&mut svg, height);
        svg.push_str("\" xmlns=\"http://www.w3.org/2000/svg\">");
        LeanSvg {
            svg,
            size: (width, height),
            next_title: None,
        }
    }

    /// The next text drawn gets `title` (HTML, written as is) as its `<title>`, or none: a
    /// tooltip, and the page's source marker for the value it shows.
    pub fn title_next_text(&mut self, title: Option<String>) {
        self.next_title = title;
    }

    /// The finished SVG document.
    pub fn finish(mut self) -> String {
        self.svg.push_str("</svg>");
        self.svg
    }

    /// Starts an element, `<name`, unless `color` is fully transparent: then nothing is
    /// drawn and `false` returned.
    fn open(&mut self, name: &str, color: BackendColor) -> bool {
        if color.alpha == 0.0 {
            return false;
        }
        self.svg.push('<');
        self.svg.push_str(name);
        true
    }

    /// A shape's paint: filled (` fill="#…" stroke="none"`) or outlined (` fill="none"
    /// stroke="#…"`).
    fn paint(&mut self, color: BackendColor, fill: bool) {
        if fill {
            self.color_attribute("fill", color);
            self.svg.push_str(" stroke=\"none\"");
        } else {
            self.svg.push_str(" fill=\"none\"");
            self.color_attribute("stroke", color);
        }
    }

    /// ` name="value"` for a whole number.
    fn int_attribute(&mut self, name: &str, value: impl itoa::Integer) {
        self.svg.push(' ');
        self.svg.push_str(name);
        self.svg.push_str("=\"");
        push_int(&mut self.svg, value);
        self.svg.push('"');
    }

    /// ` name="#RRGGBB"`.
    fn color_attribute(&mut self, name: &str, color: BackendColor) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        self.svg.push(' ');
        self.svg.push_str(name);
        self.svg.push_str("=\"#");
        let (r, g, b) = color.rgb;
        for byte in [r, g, b] {
            self.svg.push(char::from(HEX[usize::from(byte >> 4)]));
            self.svg.push(char::from(HEX[usize::from(byte & 15)]));
        }
        self.svg.push('"');
    }

    /// ` opacity="…"` unless the colour is opaque (the default).
    fn opacity(&mut self, color: BackendColor) {
        if color.alpha != 1.0 {
            let _ = write!(self.svg, " opacity=\"{}\"", color.alpha);
        }
    }

    /// ` points="x,y x,y "`.
    fn points(&mut self, path: impl IntoIterator<Item = BackendCoord>) {
        self.svg.push_str(" points=\"");
        for (x, y) in path {
            push_int(&mut self.svg, x);
            self.svg.push(',');
            push_int(&mut self.svg, y);
            self.svg.push(' ');
        }
        self.svg.push('"');
    }
}

fn push_int(out: &mut String, value: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(value));
}

impl DrawingBackend for LeanSvg {
    type ErrorType = Infallible;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> DrawResult {
        Ok(())
    }

    fn present(&mut self) -> DrawResult {
        Ok(())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> DrawResult {
        if !self.open("rect", color) {
            return Ok(());
        }
        self.int_attribute("x", point.0);
        self.int_attribute("y", point.1);
        self.svg
            .push_str(" width=\"1\" height=\"1\" stroke=\"none\"");
        self.opacity(color);
        self.color_attribute("fill", color);
        self.svg.push_str("/>");
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> DrawResult {
        let color = style.color();
        if !self.open("line", color) {
            return Ok(());
        }
        self.opacity(color);
        self.color_attribute("stroke", color);
        self.int_attribute("stroke-width", style.stroke_width());
        self.int_attribute("x1", from.0);
        self.int_attribute("y1", from.1);
        self.int_attribute("x2", to.0);
        self.int_attribute("y2", to.1);
        self.svg.push_str("/>");
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> DrawResult {
        let color = style.color();
        if !self.open("rect", color) {
            return Ok(());
        }
        self.int_attribute("x", upper_left.0);
        self.int_attribute("y", upper_left.1);
        self.int_attribute("width", bottom_right.0 - upper_left.0);
        self.int_attribute("height", bottom_right.1 - upper_left.1);
        self.opacity(color);
        self.paint(color, fill);
        self.svg.push_str("/>");
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> DrawResult {
        let color = style.color();
        if !self.open("polyline", color) {
            return Ok(());
        }
        self.svg.push_str(" fill=\"none\"");
        self.opacity(color);
        self.color_attribute("stroke", color);
        self.int_attribute("stroke-width", style.stroke_width());
        self.points(path);
        self.svg.push_str("/>");
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> DrawResult {
        let color = style.color();
        if !self.open("circle", color) {
            return Ok(());
        }
        self.int_attribute("cx", center.0);
        self.int_attribute("cy", center.1);
        self.int_attribute("r", radius);
        self.opacity(color);
        self.paint(color, fill);
        self.int_attribute("stroke-width", style.stroke_width());
        self.svg.push_str("/>");
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> DrawResult {
        let color = style.color();
        if !self.open("polygon", color) {
            return Ok(());
        }
        self.opacity(color);
        self.color_attribute("fill", color);
        self.points(path);
        self.svg.push_str("/>");
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> DrawResult {
        let color = style.color();
        // The title pending is this text's, drawn or not.
        let title = self.next_title.take();
        if !self.open("text", color) {
            return Ok(());
        }
        let (x, y) = pos;
        self.int_attribute("x", x);
        self.int_attribute("y", y);
        self.svg.push_str(match style.anchor().v_pos {
            VPos::Top => " dy=\"0.76em\"",
            VPos::Center => " dy=\"0.5ex\"",
            VPos::Bottom => " dy=\"-0.5ex\"",
        });
        self.svg.push_str(match style.anchor().h_pos {
            HPos::Left => " text-anchor=\"start\"",
            HPos::Right => " text-anchor=\"end\"",
            HPos::Center => " text-anchor=\"middle\"",
        });
        let family = style.family();
        if family.as_str() != PLOTTED_FAMILY {
            self.svg.push_str(" font-family=\"");
            push_html_text(&mut self.svg, family.as_str());
            self.svg.push('"');
        }
        // plotters' text sizes are em × 1.24; the SVG states the em size, to one decimal.
        let size = (style.size() / 1.24 * 10.0).round() / 10.0;
        if size != BASE_FONT_SIZE {
            let _ = write!(self.svg, " font-size=\"{size}\"");
        }
        self.opacity(color);
        self.color_attribute("fill", color);
        match style.style() {
            FontStyle::Normal => {}
            FontStyle::Bold => self.svg.push_str(" font-weight=\"bold\""),
            other => {
                self.svg.push_str(" font-style=\"");
                self.svg.push_str(other.as_str());
                self.svg.push('"');
            }
        }
        let degrees = match style.transform() {
            FontTransform::Rotate90 => Some(90),
            FontTransform::Rotate180 => Some(180),
            FontTransform::Rotate270 => Some(270),
            FontTransform::None => None,
        };
        if let Some(degrees) = degrees {
            self.svg.push_str(" transform=\"rotate(");
            push_int(&mut self.svg, degrees);
            self.svg.push_str(", ");
            push_int(&mut self.svg, x);
            self.svg.push_str(", ");
            push_int(&mut self.svg, y);
            self.svg.push_str(")\"");
        }
        self.svg.push('>');
        if let Some(title) = title {
            self.svg.push_str("<title>");
            self.svg.push_str(&title);
            self.svg.push_str("</title>");
        }
        // A label's line breaks and blank lines are dropped: the text stays on one line.
        for line in text.lines().filter(|line| !line.trim().is_empty()) {
            push_html_text(&mut self.svg, line);
        }
        self.svg.push_str("</text>");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::*;
    use plotters::style::text_anchor::Pos;

    fn text_style(family: &str, px: f64) -> TextStyle<'_> {
        TextStyle::from(FontDesc::new(
            FontFamily::Name(family),
            px * 1.24,
            FontStyle::Normal,
        ))
        .color(&RGBColor(0x22, 0x22, 0x22))
        .pos(Pos::new(HPos::Left, VPos::Center))
    }

    #[test]
    fn elements_are_lean_on_one_line() {
        let mut svg = LeanSvg::new(320, 200);
        let red = ShapeStyle::from(&RGBColor(0xff, 0, 0x0a)).filled();
        svg.draw_rect((1, 2), (11, 22), &red, true).unwrap();
        svg.fill_polygon(vec![(0, 0), (5, -4)], &red).unwrap();
        svg.draw_path(
            vec![(1, 1), (2, 2)],
            &ShapeStyle::from(&BLUE).stroke_width(2),
        )
        .unwrap();
        svg.draw_circle((3, 4), 5, &red, true).unwrap();
        svg.draw_rect((0, 0), (1, 1), &ShapeStyle::from(&RED.mix(0.5)), false)
            .unwrap();
        svg.draw_rect((0, 0), (1, 1), &ShapeStyle::from(&RED.mix(0.0)), true)
            .unwrap();
        assert_eq!(
            svg.finish(),
            format!(
                "<svg font-family=\"{FONT_STACK}\" font-size=\"12\" width=\"320\" height=\"200\" viewBox=\"0 0 320 200\" xmlns=\"http://www.w3.org/2000/svg\">\
                 <rect x=\"1\" y=\"2\" width=\"10\" height=\"20\" fill=\"#FF000A\" stroke=\"none\"/>\
                 <polygon fill=\"#FF000A\" points=\"0,0 5,-4 \"/>\
                 <polyline fill=\"none\" stroke=\"#0000FF\" stroke-width=\"2\" points=\"1,1 2,2 \"/>\
                 <circle cx=\"3\" cy=\"4\" r=\"5\" fill=\"#FF000A\" stroke=\"none\" stroke-width=\"1\"/>\
                 <rect x=\"0\" y=\"0\" width=\"1\" height=\"1\" opacity=\"0.5\" fill=\"none\" stroke=\"#FF0000\"/>\
                 </svg>"
            )
        );
    }

    #[test]
    fn texts_name_only_what_differs_and_stay_on_one_line() {
        let mut svg = LeanSvg::new(10, 10);
        svg.draw_text(
            "A<&\"'>\n\n  \nB",
            &text_style(PLOTTED_FAMILY, 12.0),
            (5, 6),
        )
        .unwrap();
        svg.title_next_text(Some("<span>src</span>".to_string()));
        let rotated = text_style("Serif", 11.0).transform(FontTransform::Rotate270);
        svg.draw_text("村", &rotated, (7, 8)).unwrap();
        // A title belongs to its text: one not drawn (transparent) takes it along.
        svg.title_next_text(Some("lost".to_string()));
        let transparent = RGBColor(0, 0, 0).mix(0.0);
        let clear = text_style(PLOTTED_FAMILY, 12.0).color(&transparent);
        svg.draw_text("hidden", &clear, (1, 1)).unwrap();
        svg.draw_text("x", &text_style(PLOTTED_FAMILY, 13.33), (0, 0))
            .unwrap();
        let svg = svg.finish();
        assert!(!svg.contains("lost") && !svg.contains("hidden"), "{svg}");
        assert_eq!(svg.lines().count(), 1);
        let first = svg.find("<text").unwrap();
        let texts: Vec<&str> = svg[first..].split_inclusive("</text>").collect();
        assert_eq!(
            texts,
            [
                "<text x=\"5\" y=\"6\" dy=\"0.5ex\" text-anchor=\"start\" fill=\"#222222\">A&lt;&amp;&quot;&#39;&gt;B</text>",
                "<text x=\"7\" y=\"8\" dy=\"0.5ex\" text-anchor=\"start\" font-family=\"Serif\" font-size=\"11\" fill=\"#222222\" transform=\"rotate(270, 7, 8)\"><title><span>src</span></title>村</text>",
                "<text x=\"0\" y=\"0\" dy=\"0.5ex\" text-anchor=\"start\" font-size=\"13.3\" fill=\"#222222\">x</text>",
                "</svg>",
            ]
        );
    }
}

//! The SVG huibao publishes, written by a plotters drawing backend of its own.
//!
//! plotters' `SVGBackend` formats every colour, opacity and coordinate through `format!` and
//! escapes every attribute character by character; on a province's report (two charts on
//! each of 100,000 pages) that was a tenth of a build, and its output then needed a second
//! pass to make it lean. [`LeanSvg`] implements the same [`DrawingBackend`] primitives and
//! writes the lean form directly, in one pass:
//!
//! - the font stack, base size, text colour and anchor are on the root `<svg>` once (SVG
//!   inherits them; the standalone SVG of the PDF and Word documents as much as the page's):
//!   a `<text>` names a size, colour or anchor only when it differs, and a family only when
//!   it is not the stand-in [`PLOTTED_FAMILY`];
//! - a filled shape has no `stroke="none"` (SVG's default);
//! - a pie's slice is a path with an arc ([`LeanSvg::sector`]), not a polygon of 126 points;
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

use super::{FONT_STACK, PLOTTED_FAMILY, TEXT};
use crate::html::push_html_text;

/// The font size most chart text has: the root `<svg>` states it once.
const BASE_FONT_SIZE: f64 = 12.0;

/// The colour most chart text has ([`TEXT`]): the root `<svg>` states it once as `fill`.
const BASE_TEXT_COLOR: (u8, u8, u8) = (TEXT.0, TEXT.1, TEXT.2);

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
        svg.push_str("\" font-size=\"12\"");
        push_color_attribute(&mut svg, "fill", BASE_TEXT_COLOR);
        svg.push_str(" text-anchor=\"middle\" width=\"");
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

    /// A shape's paint: filled (` fill="#…"`; no stroke is SVG's default) or outlined
    /// (` fill="none" stroke="#…"`).
    fn paint(&mut self, color: BackendColor, fill: bool) {
        if fill {
            self.color_attribute("fill", color);
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
        push_color_attribute(&mut self.svg, name, color.rgb);
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

    /// A slice of a pie filled with `color`: from the centre `center` (pixels) out to the
    /// circle of `radius`, and along it clockwise from angle `from` to angle `to` (radians,
    /// 0 at three o'clock). An SVG path with arcs: exact at any size, a few dozen bytes where
    /// a polygon took a point every 0.05 radians. Each arc is at most a quarter of the
    /// circle: its ends, rounded to whole pixels, stay well inside the circle's diameter (an
    /// arc of nearly half the circle whose rounded ends lay a pixel short of it bent about a
    /// centre ~12 pixels away, flattening its side; one whose two ends rounded to one point
    /// drew nothing). A slice of no angle draws nothing.
    pub fn sector(
        &mut self,
        center: (f64, f64),
        radius: f64,
        from: f64,
        to: f64,
        color: BackendColor,
    ) {
        if to <= from || !self.open("path", color) {
            return;
        }
        self.opacity(color);
        self.color_attribute("fill", color);
        let at = |angle: f64| {
            (
                (center.0 + radius * angle.cos()).round() as i32,
                (center.1 + radius * angle.sin()).round() as i32,
            )
        };
        let r = radius.round() as i32;
        self.svg.push_str(" d=\"M");
        self.pair(center.0.round() as i32, center.1.round() as i32);
        self.svg.push('L');
        let (x, y) = at(from);
        self.pair(x, y);
        let arcs = ((to - from) / std::f64::consts::FRAC_PI_2).ceil().max(1.0) as u32;
        for k in 1..=arcs {
            let end = from + (to - from) * f64::from(k) / f64::from(arcs);
            self.svg.push('A');
            self.pair(r, r);
            self.svg.push_str(" 0 0 1 ");
            let (x, y) = at(end);
            self.pair(x, y);
        }
        self.svg.push_str("Z\"/>");
    }

    /// `x y`.
    fn pair(&mut self, x: i32, y: i32) {
        push_int(&mut self.svg, x);
        self.svg.push(' ');
        push_int(&mut self.svg, y);
    }
}

/// ` name="#RRGGBB"` at the end of `out`.
fn push_color_attribute(out: &mut String, name: &str, (r, g, b): (u8, u8, u8)) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"#");
    for byte in [r, g, b] {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 15)]));
    }
    out.push('"');
}

fn push_int(out: &mut String, value: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(value));
}

/// `value`, a number rounded to tenths, as `Display` writes it (`11`, `10.5`), without
/// formatting a float (most of a chart's text has a size of its own: a pie's labels, an
/// axis's ticks).
fn push_tenths(out: &mut String, value: f64) {
    let tenths = (value * 10.0).round();
    // (Beyond what a font size is, or not a number: as `Display` writes it.)
    if value.is_sign_negative() || !(0.0..1e9).contains(&tenths) || tenths / 10.0 != value {
        let _ = write!(out, "{value}");
        return;
    }
    let tenths = tenths as u32;
    push_int(out, tenths / 10);
    if !tenths.is_multiple_of(10) {
        out.push('.');
        out.push(char::from(b'0' + (tenths % 10) as u8));
    }
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
        self.svg.push_str(" width=\"1\" height=\"1\"");
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
        if !fill {
            self.int_attribute("stroke-width", style.stroke_width());
        }
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
        // `middle`, the root's, is not written.
        self.svg.push_str(match style.anchor().h_pos {
            HPos::Left => " text-anchor=\"start\"",
            HPos::Right => " text-anchor=\"end\"",
            HPos::Center => "",
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
            self.svg.push_str(" font-size=\"");
            push_tenths(&mut self.svg, size);
            self.svg.push('"');
        }
        self.opacity(color);
        if color.rgb != BASE_TEXT_COLOR {
            self.color_attribute("fill", color);
        }
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

    /// A text's size is written as `Display` writes the size rounded to tenths, for every
    /// size a chart's text may be given (and the odd ones: no size lost).
    #[test]
    fn sizes_in_tenths_are_written_as_display_writes_them() {
        let mut sizes: Vec<f64> = (0..20_000).map(|tenths| f64::from(tenths) / 10.0).collect();
        sizes.extend((0..2_000).map(|n| f64::from(n) * 0.37 / 1.24));
        sizes.extend([-0.0, -1.5, 1e12, f64::NAN, f64::INFINITY, 0.05, 1.0 / 3.0]);
        for px in sizes {
            // As `draw_text` rounds: the plotted size in tenths.
            let size = (px * 10.0).round() / 10.0;
            let mut written = String::new();
            push_tenths(&mut written, size);
            assert_eq!(written, format!("{size}"), "{px}");
        }
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
        svg.draw_circle((3, 4), 5, &ShapeStyle::from(&BLUE), false)
            .unwrap();
        assert_eq!(
            svg.finish(),
            format!(
                "<svg font-family=\"{FONT_STACK}\" font-size=\"12\" fill=\"#222222\" text-anchor=\"middle\" width=\"320\" height=\"200\" viewBox=\"0 0 320 200\" xmlns=\"http://www.w3.org/2000/svg\">\
                 <rect x=\"1\" y=\"2\" width=\"10\" height=\"20\" fill=\"#FF000A\"/>\
                 <polygon fill=\"#FF000A\" points=\"0,0 5,-4 \"/>\
                 <polyline fill=\"none\" stroke=\"#0000FF\" stroke-width=\"2\" points=\"1,1 2,2 \"/>\
                 <circle cx=\"3\" cy=\"4\" r=\"5\" fill=\"#FF000A\"/>\
                 <rect x=\"0\" y=\"0\" width=\"1\" height=\"1\" opacity=\"0.5\" fill=\"none\" stroke=\"#FF0000\"/>\
                 <circle cx=\"3\" cy=\"4\" r=\"5\" fill=\"none\" stroke=\"#0000FF\" stroke-width=\"1\"/>\
                 </svg>"
            )
        );
    }

    /// The path of a slice from `from` to `to` (radians) of the circle of radius 100 about
    /// (150, 150).
    fn sector(from: f64, to: f64) -> String {
        let mut svg = LeanSvg::new(300, 300);
        svg.sector((150.0, 150.0), 100.0, from, to, RED.to_backend_color());
        let svg = svg.finish();
        let start = svg.find('>').unwrap() + 1;
        svg[start..svg.len() - "</svg>".len()].to_string()
    }

    #[test]
    fn a_slice_is_arcs_of_at_most_a_quarter_of_the_circle() {
        use std::f64::consts::{FRAC_PI_2, PI, TAU};
        // A quarter from twelve o'clock to three: one arc, clockwise (sweep flag 1).
        assert_eq!(
            sector(-FRAC_PI_2, 0.0),
            "<path fill=\"#FF0000\" d=\"M150 150L150 50A100 100 0 0 1 250 150Z\"/>"
        );
        // Half the circle: two quarters.
        assert_eq!(
            sector(-FRAC_PI_2, FRAC_PI_2),
            "<path fill=\"#FF0000\" d=\"M150 150L150 50A100 100 0 0 1 250 150A100 100 0 0 1 150 250Z\"/>"
        );
        // The whole circle (a single slice of 100 %): four quarters, not an arc from a point
        // to itself, which draws nothing.
        assert_eq!(
            sector(-FRAC_PI_2, -FRAC_PI_2 + TAU),
            "<path fill=\"#FF0000\" d=\"M150 150L150 50A100 100 0 0 1 250 150A100 100 0 0 1 150 250A100 100 0 0 1 50 150A100 100 0 0 1 150 50Z\"/>"
        );
        // A slice of no angle is not drawn.
        assert!(!sector(PI, PI).contains("<path"));
        // A transparent slice is not drawn.
        let mut svg = LeanSvg::new(10, 10);
        svg.sector((5.0, 5.0), 4.0, 0.0, 1.0, RED.mix(0.0).to_backend_color());
        assert!(!svg.finish().contains("<path"));
    }

    /// Every arc of any slice, its ends rounded to whole pixels, bends about the pie's own
    /// centre: half its chord is well under the radius (an arc whose rounded chord came within
    /// a pixel of the diameter bent about a centre ~12 pixels away).
    #[test]
    fn every_arc_bends_about_the_pie_s_centre() {
        use std::f64::consts::FRAC_PI_2;
        for radius in [30.0, 100.0, 134.0, 134.5, 150.25] {
            let center = (radius + 16.0, 150.5);
            for start in (0..40).map(|i| -FRAC_PI_2 + f64::from(i) * 0.157) {
                for sweep in (1..=200).map(|i| std::f64::consts::TAU * f64::from(i) / 200.0) {
                    let mut svg = LeanSvg::new(400, 300);
                    svg.sector(center, radius, start, start + sweep, RED.to_backend_color());
                    let svg = svg.finish();
                    let d = svg.split("d=\"").nth(1).unwrap().split('"').next().unwrap();
                    let numbers: Vec<f64> = d
                        .split(|c: char| !c.is_ascii_digit() && c != '-')
                        .filter(|n| !n.is_empty())
                        .map(|n| n.parse().unwrap())
                        .collect();
                    // M cx cy L x y, then A r r 0 0 1 x y for each arc.
                    let mut last = (numbers[2], numbers[3]);
                    for arc in numbers[4..].chunks(7) {
                        let r = arc[0];
                        let end = (arc[5], arc[6]);
                        let half =
                            ((end.0 - last.0).powi(2) + (end.1 - last.1).powi(2)).sqrt() / 2.0;
                        assert!(half <= 0.75 * r, "{d}: an arc of half-chord {half}, r {r}");
                        last = end;
                    }
                }
            }
        }
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
        // Centred (the root's anchor) in another colour: the colour alone is written.
        let centred = text_style(PLOTTED_FAMILY, 12.0)
            .color(&WHITE)
            .pos(Pos::new(HPos::Center, VPos::Top));
        svg.draw_text("y", &centred, (1, 2)).unwrap();
        let svg = svg.finish();
        assert!(!svg.contains("lost") && !svg.contains("hidden"), "{svg}");
        assert_eq!(svg.lines().count(), 1);
        let first = svg.find("<text").unwrap();
        let texts: Vec<&str> = svg[first..].split_inclusive("</text>").collect();
        assert_eq!(
            texts,
            [
                "<text x=\"5\" y=\"6\" dy=\"0.5ex\" text-anchor=\"start\">A&lt;&amp;&quot;&#39;&gt;B</text>",
                "<text x=\"7\" y=\"8\" dy=\"0.5ex\" text-anchor=\"start\" font-family=\"Serif\" font-size=\"11\" transform=\"rotate(270, 7, 8)\"><title><span>src</span></title>村</text>",
                "<text x=\"0\" y=\"0\" dy=\"0.5ex\" text-anchor=\"start\" font-size=\"13.3\">x</text>",
                "<text x=\"1\" y=\"2\" dy=\"0.76em\" fill=\"#FFFFFF\">y</text>",
                "</svg>",
            ]
        );
    }
}

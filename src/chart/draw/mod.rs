//! Drawing charts with plotters' backend primitives.
//!
//! huibao lays charts out itself (with [`super::metrics`], so Chinese labels are measured
//! right) and draws with plotters' backend primitives: rectangles, lines, polygons, text,
//! into [`svg::LeanSvg`], the backend that writes the SVG huibao publishes (and a pie's
//! slices as arcs, which plotters' primitives do not have).
//! Pixel positions are geometry and use `f64`; every number printed on a chart is formatted
//! from its exact `Decimal`.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::DrawingBackend;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

mod categories;
mod horizontal;
mod pie;
mod svg;

use super::metrics::{Rect, text_width};
use super::{ChartKind, ChartSpec};
use categories::categories;
use horizontal::horizontal;
use pie::pie;
use svg::LeanSvg;

/// The font stack charts name: fonts intranet PCs have, then the generic family.
pub const FONT_STACK: &str =
    "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, Source Han Sans SC, SimHei, sans-serif";

/// The family plotters is told for every text: a stand-in [`LeanSvg`] does not write (the
/// root `<svg>` names [`FONT_STACK`] once, inherited by every `<text>`).
const PLOTTED_FAMILY: &str = "f";

const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);

/// What a piece of text on a chart is, for layout checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A tick or category label on an axis.
    Tick,
    /// An axis title.
    AxisTitle,
    /// A legend entry.
    Legend,
    /// A value printed on a bar, point or slice.
    Value,
}

/// A drawn chart: the SVG, and where its plot area and texts are (for tests and checks).
#[derive(Debug)]
pub struct Drawn {
    /// The SVG document.
    pub svg: String,
    /// The plotting area (axes box; for pies the pie's box).
    pub plot: Rect,
    /// The whole canvas.
    pub canvas: Rect,
    texts: Texts,
}

impl Drawn {
    /// Every text drawn, with its box from the font metrics and its role.
    pub fn texts(&self) -> impl Iterator<Item = (Rect, Role, &str)> {
        let Texts { boxes, text } = &self.texts;
        boxes
            .iter()
            .map(|(rect, role, at)| (*rect, *role, text.get(at.clone()).unwrap_or("")))
    }
}

/// The texts drawn on a chart, for the layout checks: each one's box from the font metrics,
/// its role and where it is in `text`, which holds them one after the other (not a string
/// each: a chart has dozens).
#[derive(Debug, Default)]
struct Texts {
    boxes: Vec<(Rect, Role, std::ops::Range<usize>)>,
    text: String,
}

struct Canvas {
    backend: LeanSvg,
    /// The texts drawn ([`Drawn::texts`]).
    texts: Texts,
    /// The text styles drawn with, by size, colour and anchor: a chart draws its few dozen
    /// texts in a handful of styles, and plotters' style owns its font's names (two
    /// strings made for each style, and again for each copy).
    text_styles: Vec<(TextStyleKey, TextStyle<'static>)>,
}

/// What tells a chart's text styles apart: the font size (its bits), the colour, the anchor.
type TextStyleKey = (u64, (u8, u8, u8), u8, u8);

fn style(color: &RGBColor) -> ShapeStyle {
    ShapeStyle::from(color)
}

impl Canvas {
    /// The next text drawn shows the value whose provenance payload is `source`: it gets a
    /// `<title>` naming that source, an empty marked figure, which the page shows as the
    /// value's data file and line (a tooltip on hover).
    fn source(&mut self, source: Option<&String>) {
        self.backend
            .title_next_text(source.map(|payload| crate::provenance::mark(payload, "")));
    }

    fn rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, color: &RGBColor) {
        let (l, r) = (x0.min(x1), x0.max(x1));
        let (t, b) = (y0.min(y1), y0.max(y1));
        let _ = self.backend.draw_rect(
            (l.round() as i32, t.round() as i32),
            (r.round() as i32, b.round() as i32),
            &style(color).filled(),
            true,
        );
    }

    fn line(&mut self, points: &[(f64, f64)], color: &RGBColor, width: u32) {
        let path: Vec<(i32, i32)> = points
            .iter()
            .map(|(x, y)| (x.round() as i32, y.round() as i32))
            .collect();
        let _ = self
            .backend
            .draw_path(path, &style(color).stroke_width(width));
    }

    /// A pie's slice (see [`LeanSvg::sector`]).
    fn sector(&mut self, center: (f64, f64), radius: f64, from: f64, to: f64, color: &RGBColor) {
        self.backend
            .sector(center, radius, from, to, color.to_backend_color());
    }

    /// A filled circle.
    fn disc(&mut self, center: (f64, f64), radius: f64, color: &RGBColor) {
        let center = (center.0.round() as i32, center.1.round() as i32);
        let radius = radius.round().max(0.0) as u32;
        let _ = self
            .backend
            .draw_circle(center, radius, &style(color).filled(), true);
    }

    fn marker(&mut self, x: f64, y: f64, series: usize, color: &RGBColor) {
        let (x, y) = (x.round() as i32, y.round() as i32);
        let s = style(color).filled();
        // Different shapes tell series apart in grey print.
        let _ = match series % 3 {
            0 => self.backend.draw_circle((x, y), 4, &s, true),
            1 => self
                .backend
                .draw_rect((x - 4, y - 4), (x + 4, y + 4), &s, true),
            _ => self
                .backend
                .fill_polygon(vec![(x, y - 5), (x + 5, y + 4), (x - 5, y + 4)], &s),
        };
    }

    #[allow(clippy::too_many_arguments)]
    fn text(
        &mut self,
        text: &str,
        x: f64,
        y: f64,
        px: f64,
        color: &RGBColor,
        h: HPos,
        v: VPos,
        role: Role,
    ) -> Rect {
        let w = text_width(text, px);
        let height = px * 1.25;
        let (left, right) = match h {
            HPos::Left => (x, x + w),
            HPos::Center => (x - w / 2.0, x + w / 2.0),
            HPos::Right => (x - w, x),
        };
        let (top, bottom) = match v {
            VPos::Top => (y, y + height),
            VPos::Center => (y - height / 2.0, y + height / 2.0),
            VPos::Bottom => (y - height, y),
        };
        let key = (px.to_bits(), (color.0, color.1, color.2), h as u8, v as u8);
        let at = match self.text_styles.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                let font = FontDesc::new(
                    FontFamily::Name(PLOTTED_FAMILY),
                    px * 1.24,
                    FontStyle::Normal,
                );
                self.text_styles.push((
                    key,
                    TextStyle {
                        font,
                        color: color.to_backend_color(),
                        pos: Pos::new(h, v),
                    },
                ));
                self.text_styles.len() - 1
            }
        };
        let _ = self.backend.draw_text(
            text,
            &self.text_styles[at].1,
            (x.round() as i32, y.round() as i32),
        );
        let rect = Rect {
            left,
            top,
            right,
            bottom,
        };
        self.keep_text(rect, role, text);
        rect
    }

    /// Keeps a text drawn, for [`Drawn::texts`].
    fn keep_text(&mut self, rect: Rect, role: Role, text: &str) {
        let Texts { boxes, text: all } = &mut self.texts;
        let start = all.len();
        all.push_str(text);
        boxes.push((rect, role, start..all.len()));
    }
}

/// A 'nice' axis: ticks at multiples of 1, 2 or 5 × 10ⁿ from 0 up to at least `max`.
pub fn nice_ticks(max: Decimal) -> Vec<Decimal> {
    if max <= Decimal::ZERO {
        return vec![Decimal::ZERO, Decimal::ONE];
    }
    let raw = max / Decimal::from(5);
    let mut magnitude = Decimal::ONE;
    while magnitude * Decimal::TEN <= raw {
        magnitude *= Decimal::TEN;
    }
    while magnitude > raw && magnitude > Decimal::new(1, 10) {
        magnitude /= Decimal::TEN;
    }
    let step = [1, 2, 5, 10]
        .iter()
        .map(|m| magnitude * Decimal::from(*m))
        .find(|s| *s >= raw)
        .unwrap_or(magnitude * Decimal::TEN);
    let mut ticks = vec![Decimal::ZERO];
    while *ticks.last().unwrap_or(&Decimal::ZERO) < max {
        let next = ticks.last().copied().unwrap_or_default() + step;
        ticks.push(next.normalize());
    }
    ticks
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

fn palette(spec: &ChartSpec, i: usize) -> RGBColor {
    spec.palette[i % spec.palette.len()]
}

/// Draws `spec` into an SVG document.
pub fn draw(spec: &ChartSpec) -> Drawn {
    let (width, height) = (spec.width, spec.height);
    let mut canvas = Canvas {
        backend: LeanSvg::new(width, height),
        texts: Texts::default(),
        text_styles: Vec::new(),
    };
    let plot = match spec.kind {
        ChartKind::Bar | ChartKind::Grouped | ChartKind::Stacked | ChartKind::Line => {
            categories(spec, &mut canvas)
        }
        ChartKind::HBar | ChartKind::Spark => horizontal(spec, &mut canvas),
        ChartKind::Pie | ChartKind::Donut => pie(spec, &mut canvas),
    };
    Drawn {
        svg: canvas.backend.finish(),
        plot,
        texts: canvas.texts,
        canvas: Rect {
            left: 0.0,
            top: 0.0,
            right: f64::from(width),
            bottom: f64::from(height),
        },
    }
}

/// The legend, in a row at the top; returns its height.
fn legend(spec: &ChartSpec, canvas: &mut Canvas, left: f64, right: f64) -> f64 {
    if spec.series.len() < 2 {
        return 0.0;
    }
    let px = 12.0;
    let (mut x, mut y) = (left, 8.0);
    for (i, series) in spec.series.iter().enumerate() {
        let label = series.name.clone();
        let w = 14.0 + 6.0 + text_width(&label, px) + 18.0;
        if x + w > right && x > left {
            x = left;
            y += px * 1.6;
        }
        if spec.kind == ChartKind::Line {
            canvas.line(&[(x, y + 7.0), (x + 14.0, y + 7.0)], &palette(spec, i), 2);
            canvas.marker(x + 7.0, y + 7.0, i, &palette(spec, i));
        } else {
            canvas.rect(x, y + 1.0, x + 14.0, y + 13.0, &palette(spec, i));
        }
        canvas.text(
            &label,
            x + 20.0,
            y + 7.0,
            px,
            &TEXT,
            HPos::Left,
            VPos::Center,
            Role::Legend,
        );
        x += w;
    }
    y + px * 1.6 + 4.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_cover_the_maximum() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(
            nice_ticks(d("1686")),
            ["0", "500", "1000", "1500", "2000"].map(d)
        );
        assert_eq!(
            nice_ticks(d("0.23")),
            ["0", "0.05", "0.1", "0.15", "0.2", "0.25"].map(d)
        );
        assert_eq!(
            nice_ticks(d("100")),
            ["0", "20", "40", "60", "80", "100"].map(d)
        );
    }
}

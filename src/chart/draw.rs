//! Drawing charts with plotters' SVG backend.
//!
//! huibao lays charts out itself (with [`super::metrics`], so Chinese labels are measured
//! right) and draws with plotters' backend primitives: rectangles, lines, polygons, text.
//! Pixel positions are geometry and use `f64`; every number printed on a chart is formatted
//! from its exact `Decimal`.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::DrawingBackend;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::metrics::{Rect, text_width};
use super::{ChartKind, ChartSpec};
use crate::figure::{format_figure, round_half_up};

/// The font stack charts name: fonts intranet PCs have, then the generic family.
pub const FONT_STACK: &str =
    "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, Source Han Sans SC, SimHei, sans-serif";

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
    /// Every text drawn, with its box from the font metrics.
    pub texts: Vec<(Rect, Role, String)>,
    /// The whole canvas.
    pub canvas: Rect,
}

struct Canvas<'a> {
    backend: SVGBackend<'a>,
    texts: Vec<(Rect, Role, String)>,
    /// Per text drawn, in order: the provenance payload of the value it shows, if any.
    sources: Vec<Option<String>>,
    /// The payload for the next text drawn.
    next_source: Option<String>,
}

fn style(color: &RGBColor) -> ShapeStyle {
    ShapeStyle::from(color)
}

impl Canvas<'_> {
    /// The next text drawn shows the value whose provenance payload is `source`.
    fn source(&mut self, source: Option<&String>) {
        self.next_source = source.cloned();
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

    fn polygon(&mut self, points: &[(f64, f64)], color: &RGBColor) {
        let path: Vec<(i32, i32)> = points
            .iter()
            .map(|(x, y)| (x.round() as i32, y.round() as i32))
            .collect();
        let _ = self.backend.fill_polygon(path, &style(color).filled());
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
        let font = FontDesc::new(FontFamily::Name(FONT_STACK), px * 1.24, FontStyle::Normal);
        let text_style = TextStyle::from(font).color(color).pos(Pos::new(h, v));
        let _ = self
            .backend
            .draw_text(text, &text_style, (x.round() as i32, y.round() as i32));
        self.sources.push(self.next_source.take());
        let rect = Rect {
            left,
            top,
            right,
            bottom,
        };
        self.texts.push((rect, role, text.to_string()));
        rect
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
    let mut svg = String::new();
    let (plot, texts) = {
        let backend = SVGBackend::with_string(&mut svg, (width, height));
        let mut canvas = Canvas {
            backend,
            texts: Vec::new(),
            sources: Vec::new(),
            next_source: None,
        };
        let plot = match spec.kind {
            ChartKind::Bar | ChartKind::Grouped | ChartKind::Stacked | ChartKind::Line => {
                categories(spec, &mut canvas)
            }
            ChartKind::HBar | ChartKind::Spark => horizontal(spec, &mut canvas),
            ChartKind::Pie | ChartKind::Donut => pie(spec, &mut canvas),
        };
        let _ = canvas.backend.present();
        (plot, (canvas.texts, canvas.sources))
    };
    let (texts, sources) = texts;
    Drawn {
        svg: with_sources(&tidy(&svg), &sources),
        plot,
        texts,
        canvas: Rect {
            left: 0.0,
            top: 0.0,
            right: f64::from(width),
            bottom: f64::from(height),
        },
    }
}

/// Gives each value's `<text>` a `<title>` naming its source: an empty marked figure, which
/// the page shows as the value's data file and line (a tooltip on hover). Texts are matched
/// to draw calls by order; if the counts disagree nothing is added.
fn with_sources(svg: &str, sources: &[Option<String>]) -> String {
    if sources.iter().all(Option::is_none) || svg.matches("<text").count() != sources.len() {
        return svg.to_string();
    }
    let mut out = String::with_capacity(svg.len() + 64 * sources.len());
    let mut rest = svg;
    for source in sources {
        let Some(start) = rest.find("<text") else {
            break;
        };
        let Some(end) = rest[start..].find('>').map(|e| start + e + 1) else {
            break;
        };
        out.push_str(&rest[..end]);
        if let Some(payload) = source {
            out.push_str(&format!(
                "<title>{}</title>",
                crate::provenance::mark(payload, "")
            ));
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// plotters writes font sizes as `px × 1.24 ÷ 1.24` in floating point (`11.999999999999998`):
/// round them, and drop blank lines so the SVG stays one Markdown HTML block.
fn tidy(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(start) = rest.find("font-size=\"") {
        let value_start = start + "font-size=\"".len();
        out.push_str(&rest[..value_start]);
        rest = &rest[value_start..];
        let end = rest.find('"').unwrap_or(rest.len());
        let size: f64 = rest[..end].parse().unwrap_or(12.0);
        out.push_str(&format!("{}", (size * 10.0).round() / 10.0));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.lines()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The legend, in a row at the top; returns its height.
fn legend(spec: &ChartSpec, canvas: &mut Canvas<'_>, left: f64, right: f64) -> f64 {
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

/// Vertical bars (single, grouped, stacked) and lines over categories.
fn categories(spec: &ChartSpec, canvas: &mut Canvas<'_>) -> Rect {
    let (width, height) = (f64::from(spec.width), f64::from(spec.height));
    let tick_px = 12.0;
    let value_px = 11.0;
    let stacked = spec.kind == ChartKind::Stacked;
    let max = if stacked {
        (0..spec.labels.len())
            .map(|i| spec.series.iter().map(|s| s.values[i]).sum::<Decimal>())
            .max()
            .unwrap_or_default()
    } else {
        spec.series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .max()
            .unwrap_or_default()
    };
    let ticks = nice_ticks(max);
    let top_value = *ticks.last().unwrap_or(&Decimal::ONE);
    let tick_texts: Vec<String> = ticks.iter().map(|t| t.normalize().to_string()).collect();
    let tick_width = tick_texts
        .iter()
        .map(|t| text_width(t, tick_px))
        .fold(0.0, f64::max);
    let axis_title = spec.y_title.clone();
    let title_space = if axis_title.is_some() {
        tick_px * 1.25 + 8.0
    } else {
        0.0
    };

    let left = 8.0 + title_space + tick_width + 8.0;
    let right = width - 12.0;
    let top = legend(spec, canvas, left, right) + 4.0 + value_px * 1.3;
    // Category labels: horizontal when they fit their slot, else shortened to fit.
    let slot = (right - left) / spec.labels.len().max(1) as f64;
    let bottom = height - (tick_px * 1.25 + 10.0);
    let plot = Rect {
        left,
        top,
        right,
        bottom,
    };
    let y_of = |v: Decimal| bottom - (bottom - top) * f(v) / f(top_value).max(f64::MIN_POSITIVE);

    // Grid and axis.
    for (tick, text) in ticks.iter().zip(&tick_texts) {
        let y = y_of(*tick);
        canvas.line(
            &[(left, y), (right, y)],
            if tick.is_zero() { &AXIS } else { &GRID },
            1,
        );
        canvas.text(
            text,
            left - 6.0,
            y,
            tick_px,
            &MUTED,
            HPos::Right,
            VPos::Center,
            Role::Tick,
        );
    }
    if let Some(title) = &axis_title {
        let x = 8.0 + tick_px * 0.625;
        let y = (top + bottom) / 2.0;
        // Rotated text: its box is the rotated one.
        let w = text_width(title, tick_px);
        let font = FontDesc::new(
            FontFamily::Name(FONT_STACK),
            tick_px * 1.24,
            FontStyle::Normal,
        )
        .transform(FontTransform::Rotate270);
        let style = TextStyle::from(font)
            .color(&MUTED)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let _ = canvas
            .backend
            .draw_text(title, &style, (x.round() as i32, y.round() as i32));
        canvas.sources.push(None);
        canvas.texts.push((
            Rect {
                left: x - tick_px * 0.625,
                top: y - w / 2.0,
                right: x + tick_px * 0.625,
                bottom: y + w / 2.0,
            },
            Role::AxisTitle,
            title.clone(),
        ));
    }

    let groups = spec.series.len();
    for (i, label) in spec.labels.iter().enumerate() {
        let x0 = left + slot * i as f64;
        let centre = x0 + slot / 2.0;
        let shown = fit(label, slot - 4.0, tick_px);
        canvas.text(
            &shown,
            centre,
            bottom + 6.0,
            tick_px,
            &TEXT,
            HPos::Center,
            VPos::Top,
            Role::Tick,
        );
        match spec.kind {
            ChartKind::Line => {}
            ChartKind::Stacked => {
                let bar_w = (slot * 0.56).min(56.0);
                let mut base = Decimal::ZERO;
                for (s, series) in spec.series.iter().enumerate() {
                    let v = series.values[i];
                    let (y0, y1) = (y_of(base), y_of(base + v));
                    canvas.rect(
                        centre - bar_w / 2.0,
                        y1,
                        centre + bar_w / 2.0,
                        y0,
                        &palette(spec, s),
                    );
                    let text = format_figure(v, None, &series.unit);
                    if y0 - y1 >= value_px * 1.3 && text_width(&text, value_px) <= bar_w {
                        canvas.source(series.sources.get(i).and_then(Option::as_ref));
                        canvas.text(
                            &text,
                            centre,
                            (y0 + y1) / 2.0,
                            value_px,
                            &WHITE,
                            HPos::Center,
                            VPos::Center,
                            Role::Value,
                        );
                    }
                    base += v;
                }
                let unit = spec.series.first().map(|s| s.unit.as_str()).unwrap_or("");
                canvas.text(
                    &format_figure(base, None, unit),
                    centre,
                    y_of(base) - 3.0,
                    value_px,
                    &TEXT,
                    HPos::Center,
                    VPos::Bottom,
                    Role::Value,
                );
            }
            _ => {
                let inner = slot * 0.72;
                let bar_w = (inner / groups as f64).min(if groups == 1 { 64.0 } else { 40.0 });
                let start = centre - bar_w * groups as f64 / 2.0;
                for (s, series) in spec.series.iter().enumerate() {
                    let v = series.values[i];
                    let bx = start + bar_w * s as f64;
                    let y = y_of(v);
                    canvas.rect(bx + 1.0, y, bx + bar_w - 1.0, bottom, &palette(spec, s));
                    let text = format_figure(v, None, &series.unit);
                    let px = if text_width(&text, value_px) <= bar_w + 6.0 {
                        value_px
                    } else {
                        9.0
                    };
                    if text_width(&text, px) <= bar_w + 10.0 || groups == 1 {
                        canvas.source(series.sources.get(i).and_then(Option::as_ref));
                        canvas.text(
                            &text,
                            bx + bar_w / 2.0,
                            y - 3.0,
                            px,
                            &TEXT,
                            HPos::Center,
                            VPos::Bottom,
                            Role::Value,
                        );
                    }
                }
            }
        }
    }
    if spec.kind == ChartKind::Line {
        for (s, series) in spec.series.iter().enumerate() {
            let points: Vec<(f64, f64)> = series
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| (left + slot * (i as f64 + 0.5), y_of(*v)))
                .collect();
            canvas.line(&points, &palette(spec, s), 2);
            for (i, (x, y)) in points.iter().enumerate() {
                canvas.marker(*x, *y, s, &palette(spec, s));
                let text = format_figure(series.values[i], None, &series.unit);
                canvas.source(series.sources.get(i).and_then(Option::as_ref));
                canvas.text(
                    &text,
                    *x,
                    y - 7.0,
                    value_px,
                    &TEXT,
                    HPos::Center,
                    VPos::Bottom,
                    Role::Value,
                );
            }
        }
    }
    plot
}

/// Shortens `label` with "…" until it fits `room` pixels.
fn fit(label: &str, room: f64, px: f64) -> String {
    if text_width(label, px) <= room {
        return label.to_string();
    }
    let mut chars: Vec<char> = label.chars().collect();
    while !chars.is_empty()
        && text_width(&format!("{}…", chars.iter().collect::<String>()), px) > room
    {
        chars.pop();
    }
    format!("{}…", chars.iter().collect::<String>())
}

/// Horizontal bars (rankings, per-village comparison) and the small inline chart.
fn horizontal(spec: &ChartSpec, canvas: &mut Canvas<'_>) -> Rect {
    let spark = spec.kind == ChartKind::Spark;
    let (width, height) = (f64::from(spec.width), f64::from(spec.height));
    let px = if spark { 11.0 } else { 12.0 };
    let label_width = spec
        .labels
        .iter()
        .map(|l| text_width(l, px))
        .fold(0.0, f64::max);
    let series = &spec.series[0];
    let max = series.values.iter().copied().max().unwrap_or_default();
    let texts: Vec<String> = series
        .values
        .iter()
        .map(|v| format_figure(*v, None, &series.unit))
        .collect();
    let value_width = texts.iter().map(|t| text_width(t, px)).fold(0.0, f64::max);
    let left = 6.0 + label_width + 8.0;
    let right = width - value_width - 12.0;
    let top = 6.0;
    let bottom = height - 6.0;
    let plot = Rect {
        left,
        top,
        right,
        bottom,
    };
    let row = (bottom - top) / spec.labels.len().max(1) as f64;
    let bar_h = (row * 0.66).min(22.0);
    let scale = |v: Decimal| (right - left) * f(v) / f(max).max(f64::MIN_POSITIVE);
    canvas.line(&[(left, top), (left, bottom)], &AXIS, 1);
    for (i, label) in spec.labels.iter().enumerate() {
        let centre = top + row * (i as f64 + 0.5);
        canvas.text(
            label,
            left - 6.0,
            centre,
            px,
            &TEXT,
            HPos::Right,
            VPos::Center,
            Role::Tick,
        );
        let w = scale(series.values[i]);
        canvas.rect(
            left,
            centre - bar_h / 2.0,
            left + w,
            centre + bar_h / 2.0,
            &palette(spec, 0),
        );
        canvas.source(series.sources.get(i).and_then(Option::as_ref));
        canvas.text(
            &texts[i],
            left + w + 4.0,
            centre,
            px,
            &TEXT,
            HPos::Left,
            VPos::Center,
            Role::Value,
        );
    }
    plot
}

/// Pie and donut: slices clockwise from twelve o'clock, labelled with name, value and share.
fn pie(spec: &ChartSpec, canvas: &mut Canvas<'_>) -> Rect {
    let (width, height) = (f64::from(spec.width), f64::from(spec.height));
    let series = &spec.series[0];
    let total: Decimal = series.values.iter().copied().sum();
    let px = 12.0;
    // Legend on the right: colour, name, value and share (labels, not colour alone).
    let entries: Vec<String> = spec
        .labels
        .iter()
        .zip(&series.values)
        .map(|(label, v)| {
            let share = round_half_up(*v * Decimal::ONE_HUNDRED / total, 1);
            format!(
                "{label}  {}（{share}%）",
                format_figure(*v, None, &series.unit)
            )
        })
        .collect();
    let legend_width = entries
        .iter()
        .map(|e| text_width(e, px))
        .fold(0.0, f64::max)
        + 26.0;
    let radius = ((width - legend_width - 40.0) / 2.0)
        .min(height / 2.0 - 16.0)
        .max(30.0);
    let (cx, cy) = (16.0 + radius, height / 2.0);
    let plot = Rect {
        left: cx - radius,
        top: cy - radius,
        right: cx + radius,
        bottom: cy + radius,
    };
    let mut angle = -std::f64::consts::FRAC_PI_2;
    for (i, v) in series.values.iter().enumerate() {
        let sweep = std::f64::consts::TAU * f(*v) / f(total).max(f64::MIN_POSITIVE);
        let steps = ((sweep / 0.05).ceil() as usize).max(2);
        let mut points = vec![(cx, cy)];
        for k in 0..=steps {
            let a = angle + sweep * k as f64 / steps as f64;
            points.push((cx + radius * a.cos(), cy + radius * a.sin()));
        }
        canvas.polygon(&points, &palette(spec, i));
        // A white edge between slices keeps them apart in grey print.
        canvas.line(
            &[
                (cx, cy),
                (cx + radius * angle.cos(), cy + radius * angle.sin()),
            ],
            &WHITE,
            2,
        );
        // The share inside the slice when it is wide enough.
        let share = round_half_up(*v * Decimal::ONE_HUNDRED / total, 1);
        let mid = angle + sweep / 2.0;
        let r = if spec.kind == ChartKind::Donut {
            radius * 0.78
        } else {
            radius * 0.64
        };
        let label = format!("{share}%");
        if sweep * r > text_width(&label, 11.0) + 6.0 {
            canvas.text(
                &label,
                cx + r * mid.cos(),
                cy + r * mid.sin(),
                11.0,
                &WHITE,
                HPos::Center,
                VPos::Center,
                Role::Value,
            );
        }
        angle += sweep;
    }
    if spec.kind == ChartKind::Donut {
        let hole: Vec<(f64, f64)> = (0..=72)
            .map(|k| {
                let a = std::f64::consts::TAU * k as f64 / 72.0;
                (cx + radius * 0.55 * a.cos(), cy + radius * 0.55 * a.sin())
            })
            .collect();
        canvas.polygon(&hole, &WHITE);
        let unit = series.unit.as_str();
        canvas.text(
            &format_figure(total, None, unit),
            cx,
            cy,
            13.0,
            &TEXT,
            HPos::Center,
            VPos::Center,
            Role::Value,
        );
    }
    let x = cx + radius + 24.0;
    let line_h = px * 1.7;
    let mut y = cy - line_h * entries.len() as f64 / 2.0 + line_h / 2.0;
    for (i, entry) in entries.iter().enumerate() {
        canvas.rect(x, y - 6.0, x + 12.0, y + 6.0, &palette(spec, i));
        canvas.source(series.sources.get(i).and_then(Option::as_ref));
        canvas.text(
            entry,
            x + 18.0,
            y,
            px,
            &TEXT,
            HPos::Left,
            VPos::Center,
            Role::Legend,
        );
        y += line_h;
    }
    plot
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

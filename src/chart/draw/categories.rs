//! Bars (single, grouped, stacked) and lines over categories.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use rust_decimal::Decimal;

use super::super::metrics::{Rect, text_width};
use super::super::{ChartKind, ChartSpec};
use super::*;
use crate::figure::format_figure;

/// Vertical bars (single, grouped, stacked) and lines over categories.
pub(super) fn categories(spec: &ChartSpec, canvas: &mut Canvas) -> Rect {
    let (width, height) = (f64::from(spec.width), f64::from(spec.height));
    let ticks = nice_ticks(largest(spec));
    let tick_texts: Vec<String> = ticks.iter().map(|t| t.normalize().to_string()).collect();
    let tick_width = tick_texts
        .iter()
        .map(|t| text_width(t, TICK_PX))
        .fold(0.0, f64::max);
    let title_space = if spec.y_title.is_some() {
        TICK_PX * 1.25 + 8.0
    } else {
        0.0
    };
    let left = 8.0 + title_space + tick_width + 8.0;
    let right = width - 12.0;
    let top = legend(spec, canvas, left, right) + 4.0 + VALUE_PX * 1.3;
    let axis = Axis {
        plot: Rect {
            left,
            top,
            right,
            bottom: height - (TICK_PX * 1.25 + 10.0),
        },
        top_value: *ticks.last().unwrap_or(&Decimal::ONE),
        // Category labels: horizontal when they fit their slot, else shortened to fit.
        slot: (right - left) / spec.labels.len().max(1) as f64,
    };
    grid(canvas, &axis, &ticks, &tick_texts);
    if let Some(title) = &spec.y_title {
        axis_title(canvas, &axis, title);
    }
    for (i, label) in spec.labels.iter().enumerate() {
        let centre = axis.plot.left + axis.slot * i as f64 + axis.slot / 2.0;
        let shown = fit(label, axis.slot - 4.0, TICK_PX);
        let bottom = axis.plot.bottom;
        canvas.text(
            &shown,
            centre,
            bottom + 6.0,
            TICK_PX,
            &TEXT,
            HPos::Center,
            VPos::Top,
            Role::Tick,
        );
        match spec.kind {
            ChartKind::Line => {}
            ChartKind::Stacked => stacked_bar(spec, canvas, &axis, i, centre),
            _ => bars(spec, canvas, &axis, i, centre),
        }
    }
    if spec.kind == ChartKind::Line {
        lines(spec, canvas, &axis);
    }
    axis.plot
}

/// Tick labels' size, and value labels' size.
const TICK_PX: f64 = 12.0;
const VALUE_PX: f64 = 11.0;

/// The plot area of a category chart and its value scale.
struct Axis {
    plot: Rect,
    /// The value at the top of the axis.
    top_value: Decimal,
    /// The width of one category.
    slot: f64,
}

impl Axis {
    /// The y of value `v`.
    fn y(&self, v: Decimal) -> f64 {
        let (top, bottom) = (self.plot.top, self.plot.bottom);
        bottom - (bottom - top) * f(v) / f(self.top_value).max(f64::MIN_POSITIVE)
    }
}

/// The largest value the axis must reach: of a stack, its total.
fn largest(spec: &ChartSpec) -> Decimal {
    if spec.kind == ChartKind::Stacked {
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
    }
}

/// Grid lines and tick labels; the zero line is the axis.
fn grid(canvas: &mut Canvas, axis: &Axis, ticks: &[Decimal], texts: &[String]) {
    let (left, right) = (axis.plot.left, axis.plot.right);
    for (tick, text) in ticks.iter().zip(texts) {
        let y = axis.y(*tick);
        canvas.line(
            &[(left, y), (right, y)],
            if tick.is_zero() { &AXIS } else { &GRID },
            1,
        );
        canvas.text(
            text,
            left - 6.0,
            y,
            TICK_PX,
            &MUTED,
            HPos::Right,
            VPos::Center,
            Role::Tick,
        );
    }
}

/// The value axis' title, rotated, left of the tick labels.
fn axis_title(canvas: &mut Canvas, axis: &Axis, title: &str) {
    let x = 8.0 + TICK_PX * 0.625;
    let y = (axis.plot.top + axis.plot.bottom) / 2.0;
    // Rotated text: its box is the rotated one.
    let w = text_width(title, TICK_PX);
    let font = FontDesc::new(
        FontFamily::Name(PLOTTED_FAMILY),
        TICK_PX * 1.24,
        FontStyle::Normal,
    )
    .transform(FontTransform::Rotate270);
    let style = TextStyle::from(font)
        .color(&MUTED)
        .pos(Pos::new(HPos::Center, VPos::Center));
    let _ = canvas
        .backend
        .draw_text(title, &style, (x.round() as i32, y.round() as i32));
    canvas.keep_text(
        Rect {
            left: x - TICK_PX * 0.625,
            top: y - w / 2.0,
            right: x + TICK_PX * 0.625,
            bottom: y + w / 2.0,
        },
        Role::AxisTitle,
        title,
    );
}

/// Category `i` as one stack of its series, each part labelled when it has room, the total
/// on top.
fn stacked_bar(spec: &ChartSpec, canvas: &mut Canvas, axis: &Axis, i: usize, centre: f64) {
    let bar_w = (axis.slot * 0.56).min(56.0);
    let mut base = Decimal::ZERO;
    for (s, series) in spec.series.iter().enumerate() {
        let v = series.values[i];
        let (y0, y1) = (axis.y(base), axis.y(base + v));
        canvas.rect(
            centre - bar_w / 2.0,
            y1,
            centre + bar_w / 2.0,
            y0,
            &palette(spec, s),
        );
        let text = format_figure(v, None, &series.unit);
        if y0 - y1 >= VALUE_PX * 1.3 && text_width(&text, VALUE_PX) <= bar_w {
            canvas.source(series.sources.get(i).and_then(Option::as_ref));
            canvas.text(
                &text,
                centre,
                (y0 + y1) / 2.0,
                VALUE_PX,
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
        axis.y(base) - 3.0,
        VALUE_PX,
        &TEXT,
        HPos::Center,
        VPos::Bottom,
        Role::Value,
    );
}

/// Category `i` as one bar per series, side by side, each labelled with its value.
fn bars(spec: &ChartSpec, canvas: &mut Canvas, axis: &Axis, i: usize, centre: f64) {
    let groups = spec.series.len();
    let inner = axis.slot * 0.72;
    let bar_w = (inner / groups as f64).min(if groups == 1 { 64.0 } else { 40.0 });
    let start = centre - bar_w * groups as f64 / 2.0;
    for (s, series) in spec.series.iter().enumerate() {
        let v = series.values[i];
        let bx = start + bar_w * s as f64;
        let y = axis.y(v);
        canvas.rect(
            bx + 1.0,
            y,
            bx + bar_w - 1.0,
            axis.plot.bottom,
            &palette(spec, s),
        );
        let text = format_figure(v, None, &series.unit);
        let px = if text_width(&text, VALUE_PX) <= bar_w + 6.0 {
            VALUE_PX
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

/// Each series as a line through its values, with markers and value labels.
fn lines(spec: &ChartSpec, canvas: &mut Canvas, axis: &Axis) {
    for (s, series) in spec.series.iter().enumerate() {
        let points: Vec<(f64, f64)> = series
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| (axis.plot.left + axis.slot * (i as f64 + 0.5), axis.y(*v)))
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
                VALUE_PX,
                &TEXT,
                HPos::Center,
                VPos::Bottom,
                Role::Value,
            );
        }
    }
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

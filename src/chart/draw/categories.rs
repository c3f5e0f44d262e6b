//! Bars (single, grouped, stacked) and lines over categories.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use rust_decimal::Decimal;

use super::super::metrics::{Rect, text_width};
use super::super::{ChartKind, ChartSpec};
use super::*;
use crate::figure::format_figure;

/// Vertical bars (single, grouped, stacked) and lines over categories.
pub(super) fn categories(spec: &ChartSpec, canvas: &mut Canvas<'_>) -> Rect {
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

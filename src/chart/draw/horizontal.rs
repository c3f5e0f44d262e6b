//! Horizontal bars and sparklines.

use plotters::style::text_anchor::{HPos, VPos};
use rust_decimal::Decimal;

use super::super::metrics::{Rect, text_width};
use super::super::{ChartKind, ChartSpec};
use super::*;
use crate::figure::format_figure;

/// Horizontal bars (rankings, per-village comparison) and the small inline chart.
pub(super) fn horizontal(spec: &ChartSpec, canvas: &mut Canvas) -> Rect {
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

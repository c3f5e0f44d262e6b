//! Pie and donut charts.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use rust_decimal::Decimal;

use super::super::metrics::{Rect, text_width};
use super::super::{ChartKind, ChartSpec};
use super::*;
use crate::figure::{format_figure, round_half_up};

/// Pie and donut: slices clockwise from twelve o'clock, labelled with name, value and share.
pub(super) fn pie(spec: &ChartSpec, canvas: &mut Canvas) -> Rect {
    let (width, height) = (f64::from(spec.width), f64::from(spec.height));
    let series = &spec.series[0];
    let total: Decimal = series.values.iter().copied().sum();
    let px = 12.0;
    // Each slice's share in percent, to one decimal, as its text (`25.2`).
    let shares: Vec<String> = series
        .values
        .iter()
        .map(|v| {
            let share = round_half_up(*v * Decimal::ONE_HUNDRED / total, 1);
            crate::figure::decimal_text(&share, &mut [0; 64]).into_owned()
        })
        .collect();
    // Legend on the right: colour, name, value and share (labels, not colour alone).
    let entries: Vec<String> = spec
        .labels
        .iter()
        .zip(&series.values)
        .zip(&shares)
        .map(|((label, v), share)| {
            let value = format_figure(*v, None, &series.unit);
            [label, "  ", &value, "（", share, "%）"].concat()
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
        canvas.sector((cx, cy), radius, angle, angle + sweep, &palette(spec, i));
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
        let mid = angle + sweep / 2.0;
        let r = if spec.kind == ChartKind::Donut {
            radius * 0.78
        } else {
            radius * 0.64
        };
        let label = [shares[i].as_str(), "%"].concat();
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
        canvas.disc((cx, cy), radius * 0.55, &WHITE);
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

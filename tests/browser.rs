//! Pages rendered in headless Chromium: the chart is drawn (its box is not blank).

mod common;

use common::browser::{chromium, pixels, screenshot};
use common::*;
use std::fs;

#[test]
fn a_chart_renders_in_the_browser() {
    let Some(browser) = chromium() else { return };
    let site = copy_site(&fixture("small"));
    fs::write(
        site.path().join("content/index.md"),
        "+++\ntitle = \"图表\"\n+++\n{{ chart(kind=\"bar\", title=\"各村户数\", data=villages_list, label=\"id\", values=\"registered.households\", unit=\"户\") }}\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    let png = out.path().join("shot.png");
    screenshot(
        &browser,
        &format!("file://{}", out.path().join("index.html").display()),
        &png,
        1200,
        900,
    );
    let (width, _, pixels) = pixels(&png);
    // The bars are drawn in the palette's first colour, #9b1c1c.
    let bar = |p: &[u8; 3]| {
        p[0].abs_diff(0x9b) < 24 && p[1].abs_diff(0x1c) < 24 && p[2].abs_diff(0x1c) < 24
    };
    let (mut left, mut right, mut top, mut bottom, mut count) = (u32::MAX, 0, u32::MAX, 0, 0);
    for (i, p) in pixels.iter().enumerate() {
        if bar(p) {
            let (x, y) = (i as u32 % width, i as u32 / width);
            // Skip the header's accent rule at the very top.
            if y < 10 {
                continue;
            }
            count += 1;
            left = left.min(x);
            right = right.max(x);
            top = top.min(y);
            bottom = bottom.max(y);
        }
    }
    assert!(count > 2000, "only {count} bar pixels: is the chart blank?");
    assert!(
        right - left > 200 && bottom - top > 80,
        "bar area {left},{top}–{right},{bottom} too small"
    );
}

//! Headless Chromium for tests that look at rendered pages.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The Chromium binary, if installed. Without one the caller skips — unless
/// `HUIBAO_REQUIRE_BROWSER` is set (CI sets it), when a missing browser fails the test.
pub fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        });
    if found.is_none() {
        assert!(
            std::env::var_os("HUIBAO_REQUIRE_BROWSER").is_none(),
            "HUIBAO_REQUIRE_BROWSER is set but no chromium is installed (apt-get install chromium)"
        );
        eprintln!("skipped: no chromium installed (apt-get install chromium); CI runs this test");
    }
    found
}

/// Headless flags for a sandboxed machine with no network beyond loopback.
pub const FLAGS: [&str; 7] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

/// Takes a screenshot of `url` at `width`×`height` into `png`.
pub fn screenshot(browser: &Path, url: &str, png: &Path, width: u32, height: u32) {
    let profile = tempfile::tempdir().expect("profile dir");
    let output = Command::new(browser)
        .args(FLAGS)
        .arg("--hide-scrollbars")
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        png.is_file(),
        "no screenshot: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Decoded RGB pixels of a PNG: (width, height, pixels row by row).
pub fn pixels(png: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png).expect("png"),
    ));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let channels = info.color_type.samples();
    let pixels = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1.min(channels - 1)], p[2.min(channels - 1)]])
        .collect();
    (info.width, info.height, pixels)
}

/// The DOM of `url` after its scripts ran (and the scripts they loaded), as HTML.
pub fn dump_dom(browser: &Path, url: &str) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let output = Command::new(browser)
        .args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--virtual-time-budget=10000")
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("chromium runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

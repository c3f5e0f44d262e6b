//! Programs some tests read their output with (poppler's pdftotext …), from Debian's packages.

use std::path::PathBuf;

/// The program `name` (from Debian's `package`), if installed. Without it the caller skips —
/// unless `HUIBAO_REQUIRE_TOOLS` is set (CI sets it), when a missing program fails the test.
pub fn tool(name: &str, package: &str) -> Option<PathBuf> {
    let found = std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            !required(),
            "HUIBAO_REQUIRE_TOOLS is set but {name} is not installed (apt-get install {package})"
        );
        eprintln!("skipped: no {name} (apt-get install {package}); CI runs this test");
    }
    found
}

/// Whether CI asked for every tool and font the tests can use.
pub fn required() -> bool {
    std::env::var_os("HUIBAO_REQUIRE_TOOLS").is_some()
}

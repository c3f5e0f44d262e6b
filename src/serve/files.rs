//! Safe lookup of request paths in the built site, and content types.
//!
//! The preview server serves the site from memory: a request path is decoded once, checked,
//! and looked up in the map of built files. Nothing is ever read from the file system by a
//! request, so no path can reach outside the site; paths that try (`..`, encoded dots,
//! backslashes, NUL) are refused with 400 rather than quietly normalised.

use percent_encoding::percent_decode_str;

/// What a request path resolves to.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A file of the site: its key (`villages/hengxi.html`).
    File(String),
    /// A folder asked for without its trailing slash: redirect here, so relative links work.
    Redirect(String),
    /// A path that tries to leave the site or is malformed: 400.
    Bad,
    /// Nothing there: 404.
    NotFound,
}

/// Resolves the raw (still percent-encoded) path of a request against `exists`.
pub fn resolve(raw_path: &str, exists: impl Fn(&str) -> bool) -> Resolved {
    let Ok(decoded) = percent_decode_str(raw_path).decode_utf8() else {
        return Resolved::Bad;
    };
    if decoded.contains(['\\', '\0'])
        || decoded.chars().any(char::is_control)
        || !decoded.starts_with('/')
    {
        return Resolved::Bad;
    }
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" => {}
            "." | ".." => return Resolved::Bad,
            // A second layer of encoding (`%252e%252e` → `%2e%2e`) or a drive (`C:`) is never
            // part of a built site's path.
            s if s.contains('%') || s.contains(':') => return Resolved::Bad,
            s => segments.push(s),
        }
    }
    let key = segments.join("/");
    if key.is_empty() {
        return if exists("index.html") {
            Resolved::File("index.html".into())
        } else {
            Resolved::NotFound
        };
    }
    if decoded.ends_with('/') {
        let index = format!("{key}/index.html");
        return if exists(&index) {
            Resolved::File(index)
        } else {
            Resolved::NotFound
        };
    }
    if exists(&key) {
        return Resolved::File(key);
    }
    if exists(&format!("{key}/index.html")) {
        return Resolved::Redirect(format!("/{key}/"));
    }
    Resolved::NotFound
}

/// The `Content-Type` of a file, by its extension; text types carry `charset=utf-8`.
pub fn content_type(key: &str) -> &'static str {
    let ext = key
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(key: &str) -> bool {
        [
            "index.html",
            "villages/index.html",
            "villages/hengxi.html",
            "assets/huibao.css",
        ]
        .contains(&key)
    }

    #[test]
    fn ordinary_paths_resolve() {
        assert_eq!(resolve("/", site), Resolved::File("index.html".into()));
        assert_eq!(
            resolve("/villages/", site),
            Resolved::File("villages/index.html".into())
        );
        assert_eq!(
            resolve("/villages", site),
            Resolved::Redirect("/villages/".into())
        );
        assert_eq!(
            resolve("/villages/hengxi.html", site),
            Resolved::File("villages/hengxi.html".into())
        );
        assert_eq!(
            resolve("/%76illages/hengxi.html", site),
            Resolved::File("villages/hengxi.html".into())
        );
        assert_eq!(resolve("/nope.html", site), Resolved::NotFound);
    }

    #[test]
    fn traversal_is_refused() {
        for path in [
            "/../etc/passwd",
            "/villages/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/%252e%252e/etc/passwd",
            "/..%5c..%5cetc%5cpasswd",
            "/villages\\..\\..\\etc\\passwd",
            "/%00index.html",
            "/C:/Windows/win.ini",
            "/./index.html",
            "/%ff%fe",
        ] {
            assert_eq!(resolve(path, site), Resolved::Bad, "{path}");
        }
    }

    #[test]
    fn text_types_say_utf8() {
        for key in ["a.html", "a.css", "a.js", "a.svg", "a.json", "a.csv"] {
            assert!(content_type(key).ends_with("charset=utf-8"), "{key}");
        }
        assert_eq!(content_type("a.png"), "image/png");
    }
}

//! A text file's bytes as text: UTF-8 with or without its BOM; UTF-16, binary files and
//! other encodings (GBK, Chinese Windows' default) refused with a located message saying
//! how to re-save the file. Data files, templates and `huibao.toml` are all read so.

use std::path::Path;

use super::{Diagnostic, Location, Text};

/// [`decode`] of bytes the caller gives up: plain UTF-8 (most files) becomes the text
/// without a copy.
pub fn decode_owned(bytes: Vec<u8>, path: &Path) -> Result<String, Diagnostic> {
    let plain = !bytes.starts_with(&[0xEF, 0xBB, 0xBF]) && memchr::memchr(0, &bytes).is_none();
    match String::from_utf8(bytes) {
        Ok(text) if plain => Ok(text),
        Ok(text) => decode(text.as_bytes(), path),
        Err(error) => decode(error.as_bytes(), path),
    }
}

/// Turns a file's bytes into text: UTF-8, with or without a BOM. Other encodings and binary
/// files are refused with a message saying how to re-save the file.
pub fn decode(bytes: &[u8], path: &Path) -> Result<String, Diagnostic> {
    let resave = Text::new(
        "用记事本、WPS 或 VS Code 打开，选择「另存为」，编码选 UTF-8 后保存",
        "open it in Notepad, WPS or VS Code, choose Save As, and pick the UTF-8 encoding",
    );
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Diagnostic::error(
            "encoding-utf16",
            Some(Location::file(path)),
            Text::new(
                "文件是 UTF-16 编码，huibao 只读 UTF-8",
                "the file is UTF-16 encoded; huibao reads UTF-8 only",
            ),
        )
        .with_hint(resave));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if let Some(offset) = memchr::memchr(0, bytes) {
        let (line, col) =
            crate::diagnostics::line_col(&String::from_utf8_lossy(&bytes[..offset]), offset);
        return Err(Diagnostic::error(
            "encoding-binary",
            Some(Location::new(path, line, col)),
            Text::new(
                "文件里有空字节（NUL）：它不是文本文件，或是 UTF-16 编码",
                "the file has a NUL byte: it is not a text file, or it is UTF-16 encoded",
            ),
        )
        .with_hint(Text::new(
            "确认这是数据文件；若是，请另存为 UTF-8 编码的纯文本",
            "make sure this is a data file; if it is, re-save it as UTF-8 plain text",
        )));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(error) => {
            let good = &bytes[..error.valid_up_to()];
            let good = String::from_utf8_lossy(good);
            let (line, col) = crate::diagnostics::line_col(&good, good.len());
            Err(Diagnostic::error(
                "encoding-not-utf8",
                Some(Location::new(path, line, col)),
                Text::new(
                    "文件不是 UTF-8 编码（看起来像 GBK/GB2312，Windows 中文版的默认编码）",
                    "the file is not UTF-8 (it looks like GBK/GB2312, the default of Chinese Windows)",
                ),
            )
            .with_hint(resave))
        }
    }
}

//! Diagnostics: user-facing problems as values, with a location and bilingual text.
//!
//! Every stage reports what is wrong with the user's files as [`Diagnostic`]s instead of
//! failing on the first one; `check` and `build` print them all with [`render`].

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub mod command_line;
mod encoding;
mod toml;
pub use encoding::{decode, decode_owned};
pub use toml::{full_width_toml_hint, parse_all, toml_said};

/// The language messages are printed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// Simplified Chinese (the default).
    #[default]
    Zh,
    /// English (`--lang en`).
    En,
}

/// A message in both languages huibao speaks.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Text {
    /// The Chinese wording.
    pub zh: String,
    /// The English wording.
    pub en: String,
}

impl Severity {
    /// The word that introduces a diagnostic of this severity.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Severity::Error, Lang::Zh) => "错误",
            (Severity::Error, Lang::En) => "error",
            (Severity::Warning, Lang::Zh) => "警告",
            (Severity::Warning, Lang::En) => "warning",
            (Severity::Info, Lang::Zh) => "说明",
            (Severity::Info, Lang::En) => "note",
        }
    }
}

impl Text {
    /// A message from its Chinese and English wording.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The wording in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Stops the build: nothing is published.
    Error,
    /// Reported, but the build goes on (fails only with `--deny-warnings`).
    Warning,
    /// Information: a rule that does not hold for a declared reason, with the measured gap.
    Info,
}

/// A place in a user's file: 1-based line and column (in characters).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file, as shown to the user (relative to the site folder where possible).
    pub file: PathBuf,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub col: usize,
}

impl Location {
    /// A location in `file` at `line`:`col` (both 1-based).
    pub fn new(file: impl Into<PathBuf>, line: usize, col: usize) -> Self {
        Location {
            file: file.into(),
            line,
            col,
        }
    }

    /// The whole file, with no line.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location::new(file, 0, 0)
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = crate::site_path::slashed(&self.file);
        match (self.line, self.col) {
            (0, _) => write!(f, "{file}"),
            (line, 0) => write!(f, "{file}:{line}"),
            (line, col) => write!(f, "{file}:{line}:{col}"),
        }
    }
}

/// One problem found in the user's files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable code naming the kind of problem (`yaml-syntax`, `template-render` …).
    pub code: &'static str,
    /// Where it is, when it is in a file.
    pub location: Option<Location>,
    /// What is wrong.
    pub message: Text,
    /// What to do about it.
    pub hint: Option<Text>,
    /// The id of the schema rule that found it, if a rule did.
    pub rule: Option<String>,
    /// Other places involved (for a rule: every value it read), each with what it is.
    pub related: Vec<(Location, Text)>,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn error(code: &'static str, location: Option<Location>, message: Text) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            location,
            message,
            hint: None,
            rule: None,
            related: Vec::new(),
        }
    }

    /// A diagnostic of `severity`.
    pub fn new(
        severity: Severity,
        code: &'static str,
        location: Option<Location>,
        message: Text,
    ) -> Self {
        Diagnostic {
            severity,
            ..Diagnostic::error(code, location, message)
        }
    }

    /// A file that cannot be read (`error` says why).
    pub fn unreadable(path: impl Into<PathBuf>, error: &std::io::Error) -> Self {
        let why = io_said(error);
        Diagnostic::error(
            "file-unreadable",
            Some(Location::file(path)),
            Text::new(
                format!("无法读取：{}", why.zh),
                format!("cannot be read: {}", why.en),
            ),
        )
        .with_hint(Text::new(
            "检查这个路径的权限，或删除坏掉的链接",
            "check the permissions of this path, or remove the broken link",
        ))
    }

    /// Writing the output failed at `path`: `what` was being done (in Chinese and English:
    /// 「写入全文页」, "writing the whole-report page"), `error` says why.
    pub fn unwritable(
        path: impl Into<PathBuf>,
        (zh, en): (&str, &str),
        error: &std::io::Error,
    ) -> Self {
        let why = io_said(error);
        Diagnostic::error(
            "write",
            Some(Location::file(path)),
            Text::new(
                format!("{zh}失败：{}", why.zh),
                format!("{en} failed: {}", why.en),
            ),
        )
        .with_hint(Text::new(
            "检查磁盘空间和文件夹权限；原来发布的站点没有改动",
            "check disk space and folder permissions; the site published before is unchanged",
        ))
    }

    /// A bug of huibao's (a panic caught in a worker): reported, never a crash.
    pub fn internal() -> Self {
        Diagnostic::error(
            "internal",
            None,
            Text::new(
                "huibao 内部出错，请报告这个问题（附上上面的输出）",
                "an internal error of huibao; please report it (with the output above)",
            ),
        )
    }

    /// The same diagnostic with a hint saying what to do.
    pub fn with_hint(mut self, hint: Text) -> Self {
        self.hint = Some(hint);
        self
    }

    /// Whether this diagnostic stops the build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Renders diagnostics for a terminal: location, message, the source line with a caret, hint.
///
/// `site_root` is where relative file names are read from to show the source line.
pub fn render(diagnostics: &[Diagnostic], site_root: &Path, lang: Lang) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        render_one(&mut out, diagnostic, site_root, lang);
    }
    let count = |severity| {
        diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    };
    let (errors, warnings, infos) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let summary = match lang {
        Lang::Zh => format!("共 {errors} 个错误，{warnings} 个警告，{infos} 条说明。"),
        Lang::En => format!("{errors} error(s), {warnings} warning(s), {infos} note(s)."),
    };
    out.push_str(&summary);
    out.push('\n');
    out
}

fn render_one(out: &mut String, diagnostic: &Diagnostic, site_root: &Path, lang: Lang) {
    let label = diagnostic.severity.label(lang);
    match &diagnostic.rule {
        Some(rule) => {
            let _ = write!(out, "{label}[{rule}]");
        }
        None => {
            let _ = write!(out, "{label}[{}]", diagnostic.code);
        }
    }
    if let Some(location) = &diagnostic.location {
        let _ = write!(out, " {location}");
    }
    let _ = writeln!(out, ": {}", diagnostic.message.get(lang));
    if let Some(snippet) = (diagnostic.location.as_ref()).and_then(|l| source_snippet(l, site_root))
    {
        out.push_str(&snippet);
    }
    for (location, what) in &diagnostic.related {
        let _ = writeln!(out, "  = {location}  {}", what.get(lang));
    }
    if let Some(hint) = &diagnostic.hint {
        let prefix = match lang {
            Lang::Zh => "提示：",
            Lang::En => "hint: ",
        };
        let _ = writeln!(out, "  {prefix}{}", hint.get(lang));
    }
    out.push('\n');
}

/// The source line of `location` with a caret under its column, if the file can be read.
fn source_snippet(location: &Location, site_root: &Path) -> Option<String> {
    if location.line == 0 {
        return None;
    }
    let path = if location.file.is_absolute() {
        location.file.clone()
    } else {
        site_root.join(&location.file)
    };
    let bytes = std::fs::read(path).ok()?;
    // A file saved in GBK (told as such) is shown as its writer sees it, not as mojibake.
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(&bytes)
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes)),
    };
    let line = text.lines().nth(location.line - 1)?;
    let line = line.trim_end_matches('\r').replace('\t', " ");
    let number = location.line.to_string();
    let pad = " ".repeat(number.len());
    let mut snippet = format!("  {pad} |\n  {number} | {line}\n");
    if location.col > 0 {
        // Wide (CJK, full-width) characters take two terminal columns.
        let width: usize = line
            .chars()
            .take(location.col - 1)
            .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
            .sum();
        let _ = writeln!(snippet, "  {pad} | {}^", " ".repeat(width));
    }
    Some(snippet)
}

/// Diagnostics as JSON, for machines: a list of objects with severity, code, rule, file,
/// line, column, message, hint and related places.
pub fn to_json(diagnostics: &[Diagnostic], lang: Lang) -> String {
    use serde_json::{Value, json};
    let place = |l: &Option<&Location>| match l {
        Some(l) => {
            json!({"file": crate::site_path::slashed(&l.file), "line": l.line, "column": l.col})
        }
        None => json!({"file": Value::Null, "line": Value::Null, "column": Value::Null}),
    };
    let items: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut item = place(&d.location.as_ref());
            item["severity"] = json!(match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            });
            item["code"] = json!(d.code);
            item["rule"] = json!(d.rule);
            item["message"] = json!(d.message.get(lang));
            item["hint"] = json!(d.hint.as_ref().map(|h| h.get(lang)));
            item["related"] = Value::Array(
                d.related
                    .iter()
                    .map(|(l, what)| {
                        let mut r = place(&Some(l));
                        r["what"] = json!(what.get(lang));
                        r
                    })
                    .collect(),
            );
            item
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string());
    text.push('\n');
    text
}

/// 1-based line and column (in characters) of byte offset `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The half-width character meant by `c`, a full-width one a Chinese keyboard types:
/// quotes (“ ” ‘ ’), the ideographic space, and the full-width forms of ASCII (`（` `）`
/// `＝` `｜` `，` `：` …, U+FF01–FF5E).
pub fn half_width(c: char) -> Option<char> {
    match c {
        '“' | '”' => Some('"'),
        '‘' | '’' => Some('\''),
        '\u{3000}' => Some(' '),
        // The Chinese keyboard's bracket keys.
        '【' => Some('['),
        '】' => Some(']'),
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        _ => None,
    }
}

/// What to do about the full-width character `typed` (`half` its half-width form) in a file
/// that takes the half-width one only (`file`: `huibao.toml`, 前言, 规则, in both languages).
pub fn full_width_char_hint(typed: char, half: char, file: (&str, &str)) -> Text {
    let (zh_file, en_file) = file;
    if typed == '\u{3000}' {
        Text::new(
            format!("这里有全角空格「　」，{zh_file}只认半角空格：切换到英文（半角）输入再写"),
            format!(
                "there is a full-width space here: {en_file} takes half-width spaces only (type it with the input method in English, half-width)"
            ),
        )
    } else {
        Text::new(
            format!(
                "「{typed}」是全角字符，{zh_file}只认半角的「{half}」：切换到英文（半角）输入再写"
            ),
            format!(
                "`{typed}` is a full-width character: {en_file} takes the half-width `{half}` only (type it with the input method in English, half-width)"
            ),
        )
    }
}

/// Why a file could not be read or written, said in Chinese by its kind (the system's own
/// words after it, in parentheses, for whoever looks further) and in English as the system
/// says it. On Windows, a file another program holds open (Excel, WPS) is said so.
pub fn io_said(error: &std::io::Error) -> Text {
    use std::io::ErrorKind;
    let held = cfg!(windows) && matches!(error.raw_os_error(), Some(32 | 33));
    let zh = if held {
        "文件正被另一个程序打开（如 Excel、WPS）：关掉它再试"
    } else {
        match error.kind() {
            ErrorKind::NotFound => "找不到这个文件或文件夹",
            ErrorKind::PermissionDenied => "没有权限（文件只读、被占用，或文件夹不允许写入）",
            ErrorKind::AlreadyExists => "已有同名的文件或文件夹",
            ErrorKind::NotADirectory => "路径中有一段是文件，不是文件夹",
            ErrorKind::IsADirectory => "这是一个文件夹，不是文件",
            ErrorKind::DirectoryNotEmpty => "文件夹不是空的",
            ErrorKind::ReadOnlyFilesystem => "磁盘或共享文件夹是只读的",
            ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "磁盘已满",
            ErrorKind::FileTooLarge => "文件太大",
            ErrorKind::InvalidFilename => "文件名不合法（太长，或含有不能用的字符）",
            ErrorKind::ResourceBusy => "文件或文件夹正被占用",
            ErrorKind::TimedOut | ErrorKind::NetworkDown => "网络或共享文件夹没有响应",
            ErrorKind::InvalidData => "内容不是有效的文本",
            _ => "系统报告了错误",
        }
    };
    Text::new(format!("{zh}（{error}）"), error.to_string())
}

/// Whether a word a clerk writes for a switch says yes or no (`是`, `有`, `yes`, `√`;
/// `否`, `无`, `no`, `×`), in any case; `None` for any other word.
pub fn yes_or_no(word: &str) -> Option<bool> {
    match word.trim().to_lowercase().as_str() {
        "是" | "有" | "true" | "√" | "✓" | "y" | "yes" => Some(true),
        "否" | "无" | "false" | "×" | "✗" | "n" | "no" => Some(false),
        _ => None,
    }
}

/// The whole number an environment variable `name` sets (counted in `unit`), or `default`
/// when it is not set; a value that is not a whole number is the default with a warning in
/// `notes` (never a silent one).
pub(crate) fn env_whole_number(
    name: &str,
    default: usize,
    unit: Text,
    notes: &mut Vec<Diagnostic>,
) -> usize {
    let Some(set) = std::env::var_os(name) else {
        return default;
    };
    let text = set.to_string_lossy();
    match text.trim().parse() {
        Ok(number) => number,
        Err(_) => {
            notes.push(
                Diagnostic::new(
                    Severity::Warning,
                    "environment",
                    None,
                    Text::new(
                        format!("环境变量 {name} 的值 “{text}” 不是整数，按默认的 {default} {}", unit.zh),
                        format!("the environment variable {name} is “{text}”, not a whole number: the default of {default} {} is used", unit.en),
                    ),
                )
                .with_hint(Text::new(
                    "写一个整数（如 0），或删掉这个环境变量",
                    "set it to a whole number (such as 0), or unset it",
                )),
            );
            default
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_display_omits_unknown_parts() {
        assert_eq!(Location::new("a.yaml", 3, 5).to_string(), "a.yaml:3:5");
        assert_eq!(Location::new("a.yaml", 3, 0).to_string(), "a.yaml:3");
        assert_eq!(Location::file("a.yaml").to_string(), "a.yaml");
    }

    #[test]
    fn caret_accounts_for_wide_characters() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("v.yaml"), "name: 横溪村\nx: [\n").unwrap();
        let d = Diagnostic::error(
            "test",
            Some(Location::new("v.yaml", 1, 8)),
            Text::new("消息", "message"),
        );
        let text = render(&[d], dir.path(), Lang::Zh);
        assert!(text.contains("1 | name: 横溪村"), "{text}");
        // "name: 横" is 6 narrow + 1 wide = 8 columns before the caret.
        assert!(text.contains(&format!("| {}^", " ".repeat(8))), "{text}");
    }
}

//! `huibao.toml`: the site's settings.

use serde::Deserialize;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Location, Text};

/// The name of the settings file at the top of a site folder.
pub const CONFIG_FILE: &str = "huibao.toml";

/// The settings of a site, from `huibao.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The report's title, shown in every page's header.
    pub title: String,
    /// The HTML language of the pages.
    #[serde(default = "default_language")]
    pub language: String,
    /// A one-line description for the pages' `<meta name="description">`.
    #[serde(default)]
    pub description: String,
    /// The theme folder under `themes/`.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Where `build` writes the site, relative to the site folder.
    #[serde(default = "default_output_dir")]
    pub output_dir: PathBuf,
    /// Sections with more pages than this show only their index page in the sidebar,
    /// so that a site of thousands of villages does not repeat them on every page.
    #[serde(default = "default_toc_section_limit")]
    pub toc_section_limit: usize,
    /// Whether `build` also writes the whole-report page (`print.html`: every page in reading
    /// order, for printing the whole report); when not set, it does for a site of at most
    /// [`crate::render::print::AUTO_LIMIT`] pages (a report one prints), and says so when not.
    #[serde(default)]
    pub print_page: Option<bool>,
    /// How `huibao export` makes the report as a document (`[document]`).
    #[serde(default)]
    pub document: DocumentSettings,
    /// The offline search (`[search]`).
    #[serde(default)]
    pub search: SearchSettings,
    /// The tables' downloads (`[tables]`).
    #[serde(default)]
    pub tables: TableSettings,
}

/// The `[tables]` settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSettings {
    /// Whether each table that shows figures gets its CSV file beside the page and a
    /// 「下载 CSV」 link under it (default: yes).
    #[serde(default = "yes")]
    pub csv: bool,
}

impl Default for TableSettings {
    fn default() -> TableSettings {
        TableSettings { csv: true }
    }
}

/// The `[search]` settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchSettings {
    /// Whether `build` writes the search page (`search.html`), its index (`search/`) and a
    /// search box in every page's header (default: yes).
    #[serde(default = "yes")]
    pub enabled: bool,
}

impl Default for SearchSettings {
    fn default() -> SearchSettings {
        SearchSettings { enabled: true }
    }
}

fn yes() -> bool {
    true
}

/// The `[document]` settings: the fonts of the exported report.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentSettings {
    /// Folders searched for fonts before the system's, relative to the site folder (the
    /// site's `fonts/` folder is searched too).
    #[serde(default)]
    pub font_dirs: Vec<PathBuf>,
    /// The body font's family (default: the first found of 仿宋 FangSong, … Noto Serif CJK).
    pub body_font: Option<String>,
    /// The font of `一、` headings (default: 黑体 SimHei, … Noto Sans CJK).
    pub heiti_font: Option<String>,
    /// The font of `（一）` headings (default: 楷体 KaiTi, …).
    pub kaiti_font: Option<String>,
    /// The font of titles (default: 方正小标宋, 宋体 SimSun, … Noto Serif CJK).
    pub title_font: Option<String>,
    /// The documents `build` also makes into the site, linked 「下载 PDF」/「下载 Word」/
    /// 「下载 Excel」 (the data) from every page (default: none; `huibao export` makes them on
    /// demand).
    #[serde(default)]
    pub downloads: Vec<DocumentKind>,
}

/// The kinds of document the report is exported as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    /// A PDF in the GB/T 9704 layout, typeset by huibao.
    Pdf,
    /// A Word document to edit (Word, WPS, LibreOffice).
    Docx,
    /// The report's data as an Excel workbook (see [`crate::spreadsheet`]).
    Xlsx,
}

impl DocumentKind {
    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "pdf",
            DocumentKind::Docx => "docx",
            DocumentKind::Xlsx => "xlsx",
        }
    }

    /// What a download link calls it.
    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "PDF",
            DocumentKind::Docx => "Word",
            DocumentKind::Xlsx => "Excel",
        }
    }
}

impl Config {
    /// The documents `build` makes into the site, each kind once.
    pub fn downloads(&self) -> Vec<DocumentKind> {
        let mut kinds = Vec::new();
        for &kind in &self.document.downloads {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        kinds
    }

    /// The file name of the report exported as `kind`: its title, with the characters
    /// Windows refuses in a name (`\\ / : * ? " < > |`) and those a link reads otherwise
    /// (`#`, `%`) as `_`, cut to 200 bytes.
    pub fn document_file(&self, kind: DocumentKind) -> String {
        let name: String = self
            .title
            .trim()
            .chars()
            .map(|c| {
                if c.is_control()
                    || matches!(
                        c,
                        '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '#' | '%'
                    )
                {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        let mut name = name.trim_matches(['.', ' ']);
        // File systems take names of 255 bytes: a long title is cut, at a character.
        if name.len() > 200 {
            let mut end = 200;
            while !name.is_char_boundary(end) {
                end -= 1;
            }
            name = name[..end].trim_end_matches(['.', ' ']);
        }
        let extension = kind.extension();
        // The report's data, beside the report of the same title.
        let suffix = if kind == DocumentKind::Xlsx {
            "-数据"
        } else {
            ""
        };
        if name.is_empty() {
            format!("report{suffix}.{extension}")
        } else {
            format!("{name}{suffix}.{extension}")
        }
    }
}

fn default_language() -> String {
    "zh-CN".to_string()
}
fn default_theme() -> String {
    "default".to_string()
}
fn default_output_dir() -> PathBuf {
    PathBuf::from("public")
}
fn default_toc_section_limit() -> usize {
    60
}

impl Config {
    /// Reads `huibao.toml` from the site folder `root`; every mistake in it when it has any.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        // (Saved by Notepad or WPS in GBK: located, with how to save it as UTF-8.)
        let text = match std::fs::read(&path) {
            Ok(bytes) => crate::diagnostics::decode_owned(bytes, Path::new(CONFIG_FILE))
                .map_err(|d| vec![d])?,
            Err(error) => {
                let why = crate::diagnostics::io_said(&error);
                // Run in a folder of the site (`content/`): the site is the folder above.
                let site_above = std::path::absolute(root).ok().and_then(|at| {
                    at.ancestors()
                        .skip(1)
                        .find(|a| a.join(CONFIG_FILE).is_file())
                        .map(Path::to_path_buf)
                });
                let hint = match site_above {
                    Some(site) => Text::new(
                        format!(
                            "站点文件夹是上面的 {}：到那里运行，或写 huibao --site \"{}\" …",
                            site.display(),
                            site.display()
                        ),
                        format!(
                            "the site folder is {} above: run huibao there, or huibao --site \"{}\" …",
                            site.display(),
                            site.display()
                        ),
                    ),
                    None => Text::new(
                        "在站点文件夹里运行 huibao，或用 --site 指定站点文件夹；新建站点用 huibao new",
                        "run huibao inside the site folder or name it with --site; start a new site with huibao new",
                    ),
                };
                return Err(vec![
                    Diagnostic::error(
                        "config-missing",
                        Some(Location::file(CONFIG_FILE)),
                        Text::new(
                            format!("读不到站点配置文件 {}：{}", path.display(), why.zh),
                            format!(
                                "cannot read the site settings {}: {}",
                                path.display(),
                                why.en
                            ),
                        ),
                    )
                    .with_hint(hint),
                ]);
            }
        };
        crate::diagnostics::parse_all::<Config>(&text).map_err(|errors| {
            errors
                .iter()
                .map(|error| settings_problem(error, &text))
                .collect()
        })
    }
}

/// The error of `huibao.toml` (its `text`) for what the parser said.
fn settings_problem(error: &toml::de::Error, text: &str) -> Diagnostic {
    let (line, col) = error
        .span()
        .map(|span| crate::diagnostics::line_col(text, span.start))
        .unwrap_or((0, 0));
    let start = error.span().map_or(0, |span| span.start);
    let (said, hint) = match top_level_in_section(error.message(), text, start) {
        Some((said, hint)) => (said, Some(hint)),
        None => crate::diagnostics::toml_said(error.message(), text, start),
    };
    Diagnostic::error(
        "config-invalid",
        Some(Location::new(CONFIG_FILE, line, col)),
        Text::new(
            format!("站点配置有误：{}", said.zh),
            format!("invalid site settings: {}", said.en),
        ),
    )
    .with_hint(
        error
            .span()
            .and_then(|span| {
                crate::diagnostics::full_width_toml_hint(
                    text,
                    span.start,
                    ("huibao.toml ", "huibao.toml"),
                )
            })
            .or(hint)
            .unwrap_or_else(|| Text::new(
                "可用的设置：title、language、description、theme、output_dir、toc_section_limit、print_page、[document]、[search]、[tables]（见 README）",
                "the settings are: title, language, description, theme, output_dir, toc_section_limit, print_page, [document], [search], [tables] (see README)",
            )),
    )
}

/// The top-level settings of `huibao.toml` (the keys of [`Config`]).
const TOP_LEVEL: &[&str] = &[
    "title",
    "language",
    "description",
    "theme",
    "output_dir",
    "toc_section_limit",
    "print_page",
    "document",
    "search",
    "tables",
];

/// A top-level setting written below a `[section]` (`print_page = false` after the file's
/// `[document]`): TOML reads every line below a section's header as the section's, and
/// the section has no such key. Said so (not 「没有这一项」), with where to move it.
fn top_level_in_section(message: &str, text: &str, offset: usize) -> Option<(Text, Text)> {
    if !message.starts_with("unknown field") {
        return None;
    }
    let written = message.split('`').nth(1)?;
    if !TOP_LEVEL.contains(&written) {
        return None;
    }
    let section = text
        .get(..offset)?
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| line.starts_with('['))?;
    Some((
        Text::new(
            format!(
                "「{written}」是顶层设置，却写在了 {section} 这一节里（{section} 下面的行都属于这一节）"
            ),
            format!(
                "`{written}` is a top-level setting, written inside {section} (every line below {section} belongs to it)"
            ),
        ),
        Text::new(
            format!("把这一行移到 {section} 这一行的上面（文件开头、第一个 [节] 之前）"),
            format!(
                "move this line above the line {section} (at the file's top, before the first [section])"
            ),
        ),
    ))
}

/// The problem of a report's `title` left blank: every page's head, the contents and the
/// documents name the report by it.
pub fn blank_title(root: &Path, title: &str) -> Option<Diagnostic> {
    title.trim().is_empty().then(|| {
        Diagnostic::error(
            "config-invalid",
            Some(setting_location(root, None, "title")),
            Text::new(
                "title 是空的：报告的每一页、目录和文档都用它作报告的名字",
                "title is blank: every page, the contents and the documents name the report by it",
            ),
        )
        .with_hint(Text::new(
            "在引号里写上报告的标题，如 title = \"示例乡2020年脱贫攻坚工作情况汇报\"",
            "write the report's title between the quotes, such as title = \"示例乡2020年脱贫攻坚工作情况汇报\"",
        ))
    })
}

/// The problems of `theme` or `output_dir` written blank (`theme = ""`): huibao would look
/// for the theme in `themes/` itself, or write the site over the site folder. Each at its
/// line, with the default to write or to leave to (by deleting the line).
pub fn blank_settings(root: &Path, config: &Config) -> Vec<Diagnostic> {
    let blank = [
        ("theme", config.theme.trim().is_empty(), default_theme()),
        (
            "output_dir",
            config
                .output_dir
                .as_os_str()
                .to_string_lossy()
                .trim()
                .is_empty(),
            default_output_dir().to_string_lossy().into_owned(),
        ),
    ];
    blank
        .into_iter()
        .filter(|(_, is_blank, _)| *is_blank)
        .map(|(key, _, default)| {
            Diagnostic::error(
                "config-invalid",
                Some(setting_location(root, None, key)),
                Text::new(format!("{key} 是空的"), format!("{key} is blank")),
            )
            .with_hint(Text::new(
                format!("删去这一行就用默认的「{default}」，或在引号里写上名字，如 {key} = \"{default}\""),
                format!("delete the line for the default `{default}`, or write a name between the quotes, such as {key} = \"{default}\""),
            ))
        })
        .collect()
}

/// The problem of a `language` that is no language tag (`中文`, `Chinese`): pages would say
/// they are in no language, and huibao's words on them would be English. The tag meant is
/// given for the usual names.
pub fn language_problem(root: &Path, language: &str) -> Option<Diagnostic> {
    let mut parts = language.split('-');
    let primary = parts.next().unwrap_or_default();
    let tag = (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if tag {
        return None;
    }
    let loose: String = language.trim().to_lowercase();
    let meant = match loose.as_str() {
        "中文" | "汉语" | "简体中文" | "简体" | "chinese" | "cn" => Some("zh-CN"),
        "英文" | "英语" | "english" | "en_us" => Some("en"),
        _ if loose.starts_with("zh_") => Some("zh-CN"),
        _ => None,
    };
    let hint = match meant {
        Some(meant) => Text::new(
            format!("写成 language = \"{meant}\""),
            format!("write language = \"{meant}\""),
        ),
        None => Text::new(
            "写语言代码：中文写 language = \"zh-CN\"，英文写 language = \"en\"",
            "write a language tag: language = \"zh-CN\" for Chinese, language = \"en\" for English",
        ),
    };
    Some(
        Diagnostic::error(
            "config-invalid",
            Some(setting_location(root, None, "language")),
            Text::new(
                format!("language 要写语言代码（如 zh-CN），「{language}」不是"),
                format!("language takes a language tag (such as zh-CN); `{language}` is not one"),
            ),
        )
        .with_hint(hint),
    )
}

/// Where setting `key` of `section` (`None`: the top of the file) is written in the site
/// folder `root`'s `huibao.toml`: the line and the column of its value, for a message about
/// the value (a theme not there); the file alone when it is not written there (a default).
pub fn setting_location(root: &Path, section: Option<&str>, key: &str) -> Location {
    let text = std::fs::read_to_string(root.join(CONFIG_FILE)).unwrap_or_default();
    let mut in_section = section.is_none();
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(name) = trimmed.strip_prefix('[') {
            let name = name.split(']').next().unwrap_or_default().trim();
            in_section = section == Some(name);
            continue;
        }
        let Some((written, value)) = trimmed.split_once('=') else {
            continue;
        };
        if in_section && written.trim().trim_matches('"') == key {
            let before = line.len() - value.trim_start().len();
            let col = line[..before].chars().count() + 1;
            return Location::new(CONFIG_FILE, n + 1, col);
        }
    }
    Location::file(CONFIG_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_level_settings_are_the_keys_of_config() {
        // The parser lists the keys it knows when it meets one it does not.
        let error = toml::from_str::<Config>("title = \"x\"\nzz_unknown = 1\n").unwrap_err();
        let listed: Vec<&str> = error.message().split('`').skip(3).step_by(2).collect();
        assert_eq!(listed, TOP_LEVEL);
    }

    fn titled(title: &str) -> Config {
        toml::from_str(&format!("title = {title:?}")).unwrap()
    }

    #[test]
    fn a_setting_is_found_in_its_section_at_its_value() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "# theme = \"x\"\ntitle = \"横溪\"\n  theme  =  \"blue\"\n[document]\ntheme = 1\nbody_font = \"仿宋\"\n",
        )
        .unwrap();
        let at = |section, key| setting_location(dir.path(), section, key).to_string();
        assert_eq!(at(None, "theme"), "huibao.toml:3:13");
        assert_eq!(at(Some("document"), "theme"), "huibao.toml:5:9");
        assert_eq!(at(Some("document"), "body_font"), "huibao.toml:6:13");
        assert_eq!(at(None, "output_dir"), "huibao.toml");
    }

    #[test]
    fn a_document_is_named_after_the_report_without_what_windows_refuses() {
        let pdf = DocumentKind::Pdf;
        assert_eq!(
            titled("示例乡2020年工作汇报").document_file(pdf),
            "示例乡2020年工作汇报.pdf"
        );
        assert_eq!(
            titled("a/b: \"c\"?").document_file(DocumentKind::Docx),
            "a_b_ _c__.docx"
        );
        assert_eq!(titled(" .. ").document_file(pdf), "report.pdf");
        assert_eq!(titled("a#b%c").document_file(pdf), "a_b_c.pdf");
        assert_eq!(
            titled("示例乡2020年工作汇报").document_file(DocumentKind::Xlsx),
            "示例乡2020年工作汇报-数据.xlsx"
        );
        let long = titled(&"汇".repeat(100)).document_file(pdf);
        assert_eq!(long, format!("{}.pdf", "汇".repeat(66)));
    }

    #[test]
    fn downloads_are_read_by_their_kind() {
        let config: Config = toml::from_str(
            "title = \"t\"\n[document]\ndownloads = [\"pdf\", \"docx\", \"xlsx\"]\n",
        )
        .unwrap();
        assert_eq!(
            config.document.downloads,
            [DocumentKind::Pdf, DocumentKind::Docx, DocumentKind::Xlsx]
        );
        let twice: Config =
            toml::from_str("title = \"t\"\n[document]\ndownloads = [\"docx\", \"docx\"]\n")
                .unwrap();
        assert_eq!(twice.downloads(), [DocumentKind::Docx]);
        assert!(
            toml::from_str::<Config>("title = \"t\"\n[document]\ndownloads = [\"doc\"]\n").is_err()
        );
    }
}

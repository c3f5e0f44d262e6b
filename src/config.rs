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
    /// order, for printing the whole report).
    #[serde(default = "default_print_page")]
    pub print_page: bool,
    /// How `huibao export` makes the report as a document (`[document]`).
    #[serde(default)]
    pub document: DocumentSettings,
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
fn default_print_page() -> bool {
    true
}

impl Config {
    /// Reads `huibao.toml` from the site folder `root`.
    pub fn load(root: &Path) -> Result<Config, Diagnostic> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) => {
                return Err(Diagnostic::error(
                    "config-missing",
                    Some(Location::file(CONFIG_FILE)),
                    Text::new(
                        format!("读不到站点配置文件 {}：{error}", path.display()),
                        format!("cannot read the site settings {}: {error}", path.display()),
                    ),
                )
                .with_hint(Text::new(
                    "在站点文件夹里运行 huibao，或用 --site 指定站点文件夹；新建站点用 huibao new",
                    "run huibao inside the site folder or name it with --site; start a new site with huibao new",
                )));
            }
        };
        toml::from_str::<Config>(&text).map_err(|error| {
            let (line, col) = error
                .span()
                .map(|span| crate::diagnostics::line_col(&text, span.start))
                .unwrap_or((0, 0));
            Diagnostic::error(
                "config-invalid",
                Some(Location::new(CONFIG_FILE, line, col)),
                Text::new(
                    format!("站点配置有误：{}", error.message()),
                    format!("invalid site settings: {}", error.message()),
                ),
            )
            .with_hint(Text::new(
                "可用的设置：title、language、description、theme、output_dir、toc_section_limit、print_page、[document]（见 README）",
                "the settings are: title, language, description, theme, output_dir, toc_section_limit, print_page, [document] (see README)",
            ))
        })
    }
}

//! The document's fonts, found on the machine.
//!
//! Search order: the folders `huibao.toml` names in `[document] font_dirs`, the site's own
//! `fonts/` folder, then the system's fonts (Windows: `C:\Windows\Fonts` and the user's fonts;
//! Linux: the fontconfig folders such as `/usr/share/fonts` and `~/.local/share/fonts`; macOS:
//! `/Library/Fonts` and `~/Library/Fonts`). Each role takes the first family of its list that
//! is found: the fonts of a Chinese Windows PC first (仿宋, 黑体, 楷体, 宋体, 方正小标宋), then the
//! free CJK fonts of Linux (Noto CJK, Source Han, AR PL, WenQuanYi). `huibao.toml` can name the
//! family of each role instead.

use std::path::{Path, PathBuf};
use typst::text::FontBook;

use crate::config::DocumentSettings;
use crate::diagnostics::{Diagnostic, Location, Text};

/// The font family of each part of the document, as the font book names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fonts {
    /// Body text (仿宋).
    pub body: String,
    /// `一、` headings, table headers, captions (黑体).
    pub heiti: String,
    /// `（一）` headings and emphasis (楷体).
    pub kaiti: String,
    /// Page titles (小标宋).
    pub title: String,
    /// Whether the title font is a heavy face of its own (方正小标宋), set in its regular
    /// weight; a plain 宋体 is set bold instead.
    pub title_is_bold: bool,
    /// Page numbers (宋体).
    pub numbers: String,
}

impl Fonts {
    /// The fonts a Word document names: those `settings` name, else those of a Chinese
    /// Windows PC by their Chinese names (仿宋, 黑体, 楷体, 方正小标宋简体 — where it is not
    /// installed Word shows another 宋体 —, 宋体). A Word document names its fonts; the
    /// reader's computer has them.
    pub fn for_word(settings: &DocumentSettings) -> Fonts {
        let or = |setting: &Option<String>, default: &str| {
            setting.clone().unwrap_or_else(|| default.to_string())
        };
        let title = or(&settings.title_font, "方正小标宋简体");
        Fonts {
            body: or(&settings.body_font, "仿宋"),
            heiti: or(&settings.heiti_font, "黑体"),
            kaiti: or(&settings.kaiti_font, "楷体"),
            title_is_bold: is_xiaobiaosong(&title),
            title,
            numbers: "宋体".to_string(),
        }
    }
}

/// Whether `family` is 方正小标宋 (a heavy face of its own, set in its regular weight), by
/// its Chinese or its family name.
fn is_xiaobiaosong(family: &str) -> bool {
    family.contains("小标宋") || family.starts_with("FZXiaoBiaoSong")
}

/// 仿宋 for the body text, then the CJK serif fonts of Linux.
pub const BODY: &[&str] = &[
    "FangSong",
    "FangSong_GB2312",
    "STFangsong",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Source Han Serif CN",
    "Noto Serif SC",
    "AR PL UMing CN",
    "SimSun",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
];

/// 黑体 for `一、` headings.
pub const HEITI: &[&str] = &[
    "SimHei",
    "STHeiti",
    "Microsoft YaHei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
];

/// 楷体 for `（一）` headings.
pub const KAITI: &[&str] = &[
    "KaiTi",
    "KaiTi_GB2312",
    "STKaiti",
    "AR PL UKai CN",
    "LXGW WenKai",
];

/// 小标宋 for titles; the first two are heavy faces of their own.
pub const TITLE: &[&str] = &[
    "FZXiaoBiaoSong-B05S",
    "FZXiaoBiaoSong-B05",
    "SimSun",
    "STSong",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Source Han Serif CN",
    "Noto Serif SC",
];

/// 宋体 for page numbers: the title fonts after the two 小标宋 faces.
pub const NUMBERS: &[&str] = TITLE.split_at(2).1;

/// Chinese names of the fonts of a Chinese Windows PC, as a user may write them in
/// `huibao.toml`, and their family names.
const CHINESE_NAMES: &[(&str, &str)] = &[
    ("仿宋", "FangSong"),
    ("仿宋_GB2312", "FangSong_GB2312"),
    ("黑体", "SimHei"),
    ("楷体", "KaiTi"),
    ("楷体_GB2312", "KaiTi_GB2312"),
    ("宋体", "SimSun"),
    ("微软雅黑", "Microsoft YaHei"),
    ("方正小标宋简体", "FZXiaoBiaoSong-B05S"),
    ("方正小标宋_GBK", "FZXiaoBiaoSong-B05"),
];

/// The folders searched before the system's fonts: `font_dirs` of the settings, then the
/// site's `fonts/` folder (those that exist).
pub fn site_font_dirs(site_root: &Path, settings: &DocumentSettings) -> Vec<PathBuf> {
    settings
        .font_dirs
        .iter()
        .map(|dir| site_root.join(dir))
        .chain([site_root.join("fonts")])
        .filter(|dir| dir.is_dir())
        .collect()
}

/// The fonts charts are drawn with as pictures (a Word document's charts): the same folders
/// in the same order as the PDF's fonts.
pub fn chart_fonts(
    site_root: &Path,
    settings: &DocumentSettings,
) -> std::sync::Arc<resvg::usvg::fontdb::Database> {
    let mut database = resvg::usvg::fontdb::Database::new();
    for dir in site_font_dirs(site_root, settings) {
        database.load_fonts_dir(dir);
    }
    database.load_system_fonts();
    std::sync::Arc::new(database)
}

/// A warning when none of the chart fonts `database` has draws Chinese: a Word document's
/// charts are pictures drawn here, and their Chinese labels would be blank.
pub fn charts_without_chinese(
    database: &resvg::usvg::fontdb::Database,
    site_root: &Path,
    settings: &DocumentSettings,
) -> Option<Diagnostic> {
    let draws_chinese = database.faces().any(|face| {
        database
            .with_face_data(face.id, |data, index| {
                ttf_parser::Face::parse(data, index)
                    .ok()
                    .and_then(|face| face.glyph_index('村'))
                    .is_some()
            })
            .unwrap_or(false)
    });
    if draws_chinese {
        return None;
    }
    let searched = searched_folders(&site_font_dirs(site_root, settings));
    Some(
        Diagnostic::new(
            crate::diagnostics::Severity::Warning,
            "chart-font-missing",
            None,
            Text::new(
                format!("Word 文档里的图表要画成图片，却找不到能显示中文的字体（找过：{}）：图表中的中文会是空白", searched.zh),
                format!("a Word document's charts are drawn as pictures, but no font that draws Chinese was found (searched: {}): their Chinese labels will be blank", searched.en),
            ),
        )
        .with_hint(install_a_chinese_font()),
    )
}

/// The font folders searched, `dirs` then the system's, as a message names them.
fn searched_folders(dirs: &[PathBuf]) -> Text {
    let dirs: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    let with_system = |system: &str, separator: &str| -> String {
        dirs.iter()
            .map(String::as_str)
            .chain([system])
            .collect::<Vec<_>>()
            .join(separator)
    };
    Text::new(
        with_system("系统字体文件夹", "、"),
        with_system("the system's font folders", ", "),
    )
}

/// How to get a Chinese font onto the machine, or into the site.
fn install_a_chinese_font() -> Text {
    Text::new(
        "Windows 自带仿宋（FangSong）；Linux 上安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）；或者把字体文件放进站点的 fonts/ 文件夹",
        "Windows has FangSong; on Linux install fonts-noto-cjk (apt-get install fonts-noto-cjk); or put a font file in the site's fonts/ folder",
    )
}

/// For a font not found: each folder `[document] font_dirs` names that is not there (a
/// path mistyped, a drive of another PC), where it is named — it was searched for nothing.
fn missing_font_dirs(settings: &DocumentSettings, site_root: Option<&Path>) -> Vec<Diagnostic> {
    let Some(root) = site_root else {
        return Vec::new();
    };
    settings
        .font_dirs
        .iter()
        .filter(|dir| !root.join(dir).is_dir())
        .map(|dir| {
            let dir = dir.display();
            Diagnostic::new(
                crate::diagnostics::Severity::Warning,
                "font-dir-missing",
                Some(crate::config::setting_location(root, Some("document"), "font_dirs")),
                Text::new(
                    format!("[document] font_dirs 里的文件夹「{dir}」不存在，没有在那里找字体"),
                    format!("the folder `{dir}` of [document] font_dirs does not exist: no font was looked for there"),
                ),
            )
            .with_hint(Text::new(
                "写字体文件所在的文件夹：相对于站点文件夹（如 \"fonts\"），或完整路径，用 / 分隔",
                "write the folder the font files are in: relative to the site folder (such as \"fonts\"), or in full, with / between folders",
            ))
        })
        .collect()
}

/// Chooses the family of each role from the fonts in `book`. Without a body font there is
/// no document: the error names what was searched and how to install a font.
pub fn choose(
    book: &FontBook,
    settings: &DocumentSettings,
    searched: &[PathBuf],
    site_root: Option<&Path>,
) -> Result<Fonts, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let found = |name: &str| -> Option<String> {
        let family = CHINESE_NAMES
            .iter()
            .find(|(chinese, _)| *chinese == name)
            .map_or(name, |(_, family)| family);
        book.contains_family(&family.to_lowercase())
            .then(|| family.to_string())
    };
    let mut pick = |setting: &Option<String>, key: &str, list: &[&str]| -> Option<String> {
        if let Some(name) = setting {
            let family = found(name);
            if family.is_none() {
                problems.push(
                    Diagnostic::error(
                        "font-missing",
                        // (At the setting's line, when the site folder is known.)
                        Some(site_root.map_or_else(
                            || Location::file(crate::config::CONFIG_FILE),
                            |root| crate::config::setting_location(root, Some("document"), key),
                        )),
                        Text::new(
                            format!("[document] {key} 指定的字体「{name}」在这台电脑上找不到"),
                            format!("the font `{name}` named by [document] {key} is not on this computer"),
                        ),
                    )
                    .with_hint(Text::new(
                        "写字体的英文族名（如 FangSong、SimHei、Noto Serif CJK SC），或把字体文件放进站点的 fonts/ 文件夹",
                        "write the font's family name (such as FangSong, SimHei, Noto Serif CJK SC), or put the font file in the site's fonts/ folder",
                    )),
                );
            }
            return family;
        }
        list.iter().find_map(|name| found(name))
    };
    let body = pick(&settings.body_font, "body_font", BODY);
    let heiti = pick(&settings.heiti_font, "heiti_font", HEITI);
    let kaiti = pick(&settings.kaiti_font, "kaiti_font", KAITI);
    let title = pick(&settings.title_font, "title_font", TITLE);
    let numbers = NUMBERS.iter().find_map(|name| found(name));
    if !problems.is_empty() {
        problems.extend(missing_font_dirs(settings, site_root));
        return Err(problems);
    }
    let Some(body) = body else {
        let searched = searched_folders(searched);
        let mut missing = missing_font_dirs(settings, site_root);
        missing.insert(
            0,
            Diagnostic::error(
                "font-missing",
                None,
                Text::new(
                    format!(
                        "找不到中文字体：在{}里没有找到 {} 中的任何一种",
                        searched.zh,
                        BODY.join("、")
                    ),
                    format!(
                        "no Chinese font found: none of {} is in {}",
                        BODY.join(", "),
                        searched.en
                    ),
                ),
            )
            .with_hint(install_a_chinese_font()),
        );
        return Err(missing);
    };
    let title_is_bold = title.as_deref().is_some_and(is_xiaobiaosong);
    Ok(Fonts {
        heiti: heiti.unwrap_or_else(|| body.clone()),
        kaiti: kaiti.unwrap_or_else(|| body.clone()),
        title: title.unwrap_or_else(|| body.clone()),
        title_is_bold,
        numbers: numbers.unwrap_or_else(|| body.clone()),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_drawn_without_a_chinese_font_are_warned_of() {
        // No font at all: the warning, in both languages, names where it looked.
        let settings = DocumentSettings::default();
        let empty = resvg::usvg::fontdb::Database::new();
        let warning = charts_without_chinese(&empty, Path::new("."), &settings)
            .expect("a warning without any font");
        assert_eq!(warning.code, "chart-font-missing");
        assert_eq!(warning.severity, crate::diagnostics::Severity::Warning);
        assert!(
            warning.message.zh.contains("中文会是空白"),
            "{}",
            warning.message.zh
        );
        assert!(
            warning.message.en.contains("blank"),
            "{}",
            warning.message.en
        );
        assert!(
            warning.message.zh.contains("系统字体"),
            "{}",
            warning.message.zh
        );
        // The machine's own fonts: no warning when one of them draws Chinese (CI installs
        // fonts-noto-cjk; elsewhere the machine may have none).
        let system = chart_fonts(Path::new("."), &settings);
        let has_chinese = system.faces().any(|f| {
            f.families.iter().any(|(name, _)| {
                name.contains("CJK") || name.contains("Hei") || name.contains("Song")
            })
        });
        if has_chinese {
            assert!(charts_without_chinese(&system, Path::new("."), &settings).is_none());
        }
    }

    fn book(families: &[&str]) -> FontBook {
        let mut book = FontBook::new();
        for family in families {
            book.push(typst::text::FontInfo {
                family: family.to_string(),
                variant: Default::default(),
                flags: typst::text::FontFlags::empty(),
                axes: Vec::new(),
                coverage: typst::text::Coverage::from_vec(vec![]),
            });
        }
        book
    }

    #[test]
    fn a_windows_pc_gets_its_official_fonts() {
        let fonts = choose(
            &book(&["SimSun", "FangSong", "SimHei", "KaiTi", "Noto Serif CJK SC"]),
            &DocumentSettings::default(),
            &[],
            None,
        )
        .unwrap();
        assert_eq!(
            fonts,
            Fonts {
                body: "FangSong".into(),
                heiti: "SimHei".into(),
                kaiti: "KaiTi".into(),
                title: "SimSun".into(),
                title_is_bold: false,
                numbers: "SimSun".into(),
            }
        );
    }

    #[test]
    fn linux_gets_noto_and_a_missing_role_takes_the_body_font() {
        let fonts = choose(
            &book(&["Noto Serif CJK SC", "Noto Sans CJK SC"]),
            &DocumentSettings::default(),
            &[],
            None,
        )
        .unwrap();
        assert_eq!(fonts.body, "Noto Serif CJK SC");
        assert_eq!(fonts.heiti, "Noto Sans CJK SC");
        assert_eq!(fonts.kaiti, "Noto Serif CJK SC");
    }

    #[test]
    fn settings_name_fonts_in_chinese_or_english_and_a_missing_one_is_an_error() {
        let settings = DocumentSettings {
            body_font: Some("仿宋".into()),
            title_font: Some("方正小标宋简体".into()),
            ..DocumentSettings::default()
        };
        let fonts = choose(
            &book(&["FangSong", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC"]),
            &settings,
            &[],
            None,
        )
        .unwrap();
        assert_eq!(
            (fonts.body.as_str(), fonts.title.as_str()),
            ("FangSong", "FZXiaoBiaoSong-B05S")
        );
        assert!(fonts.title_is_bold);
        let missing = DocumentSettings {
            kaiti_font: Some("楷体".into()),
            ..DocumentSettings::default()
        };
        let problems = choose(&book(&["Noto Serif CJK SC"]), &missing, &[], None).unwrap_err();
        assert!(
            problems[0].message.zh.contains("kaiti_font"),
            "{problems:?}"
        );
    }

    #[test]
    fn no_chinese_font_is_an_error_naming_what_was_searched() {
        let problems = choose(
            &book(&["DejaVu Sans"]),
            &DocumentSettings::default(),
            &[PathBuf::from("site/fonts")],
            None,
        )
        .unwrap_err();
        let message = &problems[0].message;
        assert!(
            message.zh.contains("site/fonts") && message.zh.contains("FangSong"),
            "{message:?}"
        );
        assert!(
            problems[0]
                .hint
                .as_ref()
                .unwrap()
                .en
                .contains("fonts-noto-cjk")
        );
    }
}

//! Discover: find the site's files (settings, data, content, theme) in a stable order.

/// Where the schema lives, relative to the site folder. It is not data.
pub const SCHEMA_FILE: &str = "data/schema.yaml";

/// The folder under `data/` that a dotted folder name (`generate = "villages.north"`,
/// `type: ref` with `folder: villages.north`) stands for: `villages/north`.
pub fn data_folder(dotted: &str) -> String {
    dotted.replace('.', "/")
}

use std::path::{Path, PathBuf};
use walkdir::WalkDir;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Location, Severity, Text};

/// Everything a build reads, found but not yet read.
#[derive(Clone, Debug)]
pub struct Site {
    /// The site folder.
    pub root: PathBuf,
    /// Its settings.
    pub config: Config,
    /// YAML files under `data/`, relative to `root`, sorted (shared, not copied, by the
    /// preview's next build: 10,000 paths at 10,000 villages).
    pub data_files: std::sync::Arc<[PathBuf]>,
    /// Markdown templates under `content/`, relative to `content/`, sorted.
    pub content_files: Vec<PathBuf>,
    /// Layout templates of the theme: (name relative to `templates/`, absolute path).
    pub theme_templates: Vec<(String, PathBuf)>,
    /// Files copied as they are: (path in the output, absolute source path), sorted by output path.
    pub static_files: Vec<(PathBuf, PathBuf)>,
    /// Warnings about what was found (links leading outside the site).
    pub notes: Vec<Diagnostic>,
}

/// Finds the files of the site in `root`.
pub fn discover(root: &Path) -> Result<Site, Vec<Diagnostic>> {
    let config = Config::load(root)?;
    let mut problems = Vec::new();

    // The schema, found as the walk gives paths (relative to `data/`): compared as it is
    // written, not component by component (10,000 village files).
    let schema = Path::new(SCHEMA_FILE)
        .strip_prefix("data")
        .unwrap_or(Path::new(SCHEMA_FILE));
    // `data` renamed (`data-old`, `data - 副本`) or moved: said once, not as each thing
    // that then has no data.
    if let Some(renamed) = data_folder_renamed(root) {
        return Err(vec![renamed]);
    }
    let mut walked_data = walk(root, "data", &mut problems);
    // A backup folder's files are not data: one error for the folder, its files not read.
    let mut backups = crate::site_path::backup_folders(&walked_data);
    if !backups.is_empty() {
        // A folder the schema describes is the site's own (`villages_old/*.yaml`: the
        // villages merged away), whatever its name.
        let schema_text = std::fs::read_to_string(root.join(SCHEMA_FILE)).unwrap_or_default();
        backups.retain(|(folder, _)| {
            !schema_text.contains(&format!("{}/", crate::site_path::slashed(folder)))
        });
    }
    if !backups.is_empty() {
        problems.extend(
            backups
                .iter()
                .map(|(folder, files)| backup_folder(folder, *files, &DATA_FILES)),
        );
        walked_data.retain(|p| !backups.iter().any(|(folder, _)| p.starts_with(folder)));
    }
    problems.extend(misnamed_files(&walked_data, &DATA_FILES));
    let data_files = walked_data
        .into_iter()
        .filter(|p| is_ext(p, &["yaml", "yml"]) && p.as_os_str() != schema.as_os_str())
        .map(|p| Path::new("data").join(p))
        .collect();
    let walked_content = walk(root, "content", &mut problems);
    problems.extend(misnamed_files(&walked_content, &PAGES));
    // A copied folder of pages is published as one more part of the report: a warning.
    problems.extend(
        crate::site_path::backup_folders(&walked_content)
            .iter()
            .map(|(folder, files)| backup_folder(folder, *files, &PAGES)),
    );
    let content_files: Vec<PathBuf> = walked_content
        .into_iter()
        .filter(|p| is_ext(p, &["md"]))
        .collect();
    problems.extend(content_files.iter().filter_map(|page| copied_page(page)));
    problems.extend(crate::config::language_problem(root, &config.language));
    problems.extend(crate::config::blank_title(root, &config.title));
    let blank = crate::config::blank_settings(root, &config);
    if !blank.is_empty() {
        // (No theme or output folder to look at.)
        problems.extend(blank);
        return Err(problems);
    }
    let theme_dir = Path::new("themes").join(&config.theme);
    let theme_templates = theme_templates(root, &config, &theme_dir, &mut problems);
    let static_files = static_files(root, &theme_dir, &mut problems);
    if !problems.iter().any(Diagnostic::is_error) {
        Ok(Site {
            notes: problems,
            root: root.to_path_buf(),
            config,
            data_files,
            content_files,
            theme_templates,
            static_files,
        })
    } else {
        Err(problems)
    }
}

/// What files of a folder are meant to be read, for [`misnamed_files`].
struct Readable {
    /// The folder (`data`, `content`).
    folder: &'static str,
    /// The extension read, with its dot (`.yaml`, `.md`).
    ext: &'static str,
    /// Other endings of a file meant so (lowercase, longest first): `.yaml.txt`, `.yml`.
    meant_endings: &'static [&'static str],
    /// The one of them read too, only not beside a file of the same name (`.yml`).
    also_read: Option<&'static str>,
    /// The file's name in the hint in lowercase (a data file's name is a template's key).
    lowercase: bool,
    /// What such a file is: (Chinese, English).
    noun: (&'static str, &'static str),
    /// The problem's code.
    code: &'static str,
}

/// Data files: YAML.
const DATA_FILES: Readable = Readable {
    folder: "data",
    ext: ".yaml",
    meant_endings: &[".yaml.txt", ".yml.txt", ".yaml", ".yml"],
    also_read: Some(".yml"),
    lowercase: true,
    noun: ("数据文件", "data file"),
    code: "data-file-name",
};

/// Content pages: Markdown.
const PAGES: Readable = Readable {
    folder: "content",
    ext: ".md",
    meant_endings: &[".md.txt", ".markdown", ".md"],
    also_read: None,
    lowercase: false,
    noun: ("页面", "page"),
    code: "content-file-name",
};

/// An error for each file under `kind`'s folder (`walked`, relative to it) that is meant to
/// be read but would not be: its extension in capitals (`hengxi.YAML`, `water.MD`, as some
/// programs save it), `.txt` after it (`hengxi.yaml.txt`: Notepad's, with extensions
/// hidden), another spelling (`.markdown`), or a `.yml` beside the `.yaml` of the same name
/// (two copies of one file). The hint names the file to rename it to, or, when that file is
/// there, says to keep one of the two.
fn misnamed_files(walked: &[PathBuf], kind: &Readable) -> Vec<Diagnostic> {
    // (Most are named right: 10,000 village files.)
    let odd: Vec<&PathBuf> = walked
        .iter()
        .filter(|p| !p.as_os_str().to_string_lossy().ends_with(kind.ext))
        .collect();
    if odd.is_empty() {
        return Vec::new();
    }
    // How many files have each name, letters' case aside (one on Windows).
    let lower = |path: &Path| crate::site_path::slashed(path).to_lowercase();
    let mut named: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for path in walked {
        *named.entry(lower(path)).or_default() += 1;
    }
    let (noun_zh, noun_en) = kind.noun;
    let ext = kind.ext;
    let mut problems = Vec::new();
    for path in odd {
        // Another file than `path` named `other`, case aside.
        let there = |other: &Path| {
            let same = usize::from(lower(other) == lower(path));
            named.get(&lower(other)).is_some_and(|&n| n > same)
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let lowered = name.to_lowercase();
        let Some(stem) = kind
            .meant_endings
            .iter()
            .find_map(|end| lowered.strip_suffix(end))
        else {
            continue;
        };
        let stem = if kind.lowercase {
            stem
        } else {
            &name[..stem.len()]
        };
        let meant = path.with_file_name(format!("{stem}{ext}"));
        let also_read = kind.also_read.is_some_and(|end| name.ends_with(end));
        let two_copies = also_read && there(&meant);
        if *path == meant || (also_read && !two_copies) {
            // (A `.yml` alone is told by the schema's check: a name it does not describe.)
            continue;
        }
        let meant_shown = crate::site_path::slashed(&Path::new(kind.folder).join(&meant));
        let message = if two_copies {
            Text::new(
                format!("{name} 与 {meant_shown} 是同一个{noun_zh}的两份，只能留一份"),
                format!("{name} and {meant_shown} are two copies of one {noun_en}: keep only one"),
            )
        } else {
            Text::new(
                format!("文件名「{name}」不以小写的 {ext} 结尾，这个{noun_zh}不会被读入"),
                format!(
                    "the file name `{name}` does not end in lowercase {ext}: the {noun_en} is not read"
                ),
            )
        };
        let hint = if there(&meant) {
            Text::new(
                format!(
                    "已有 {meant_shown}：比较两者，保留正确的一份，删去或移走另一份（备份放在站点文件夹外）"
                ),
                format!(
                    "{meant_shown} is there too: compare the two, keep the right one and remove or move the other (keep backups outside the site folder)"
                ),
            )
        } else {
            Text::new(
                format!(
                    "把文件改名为 {meant_shown}（在 Windows 资源管理器里勾选「查看 → 文件扩展名」才看得到完整的名字）"
                ),
                format!(
                    "rename the file {meant_shown} (in Windows Explorer, tick View → File name extensions to see the whole name)"
                ),
            )
        };
        let shown = Path::new(kind.folder).join(path);
        problems.push(
            Diagnostic::error(kind.code, Some(Location::file(&shown)), message).with_hint(hint),
        );
    }
    problems
}

/// The problem of a folder in `kind`'s folder that keeps a backup or a copy (`folder`,
/// relative to it, holding `files` files): in `data/`, an error (its files would be read
/// as more villages, and are not read); in `content/`, a warning (its pages are published
/// as one more part of the report).
/// When the site has no `data` folder but a folder beside `content` holds a `schema.yaml`
/// (the data folder renamed in a file manager, `data-old`, `data - 副本`): the error that
/// says so.
fn data_folder_renamed(root: &Path) -> Option<Diagnostic> {
    if root.join("data").exists() {
        return None;
    }
    let mut renamed: Vec<String> = std::fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join("schema.yaml").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    renamed.sort();
    let folder = renamed.first()?;
    Some(
        Diagnostic::error(
            "data-folder-missing",
            Some(Location::file(folder)),
            Text::new(
                format!(
                    "站点里没有 data 文件夹：数据文件要放在 data 里；「{folder}」里有 schema.yaml，像是改了名的 data 文件夹"
                ),
                format!(
                    "the site has no data folder, where the data files belong; `{folder}` holds a schema.yaml and looks like the data folder renamed"
                ),
            ),
        )
        .with_hint(Text::new(
            format!("把「{folder}」改回 data；要留一份备份，复制到站点文件夹以外"),
            format!(
                "rename `{folder}` back to data; to keep a backup, copy it outside the site folder"
            ),
        )),
    )
}

fn backup_folder(folder: &Path, files: usize, kind: &Readable) -> Diagnostic {
    let shown = Path::new(kind.folder).join(folder);
    let name = folder
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let hint = Text::new(
        format!(
            "不需要就删去它；要留作备份，移到站点文件夹以外（{} 里只放要发布的）",
            kind.folder
        ),
        format!(
            "remove it if it is not needed; to keep it as a backup, move it out of the site folder ({} holds only what is published)",
            kind.folder
        ),
    );
    if kind.folder == "data" {
        return Diagnostic::error(
            kind.code,
            Some(Location::file(&shown)),
            Text::new(
                format!(
                    "「{name}」像是备份或复制出的文件夹：里面的 {files} 个文件不会当作数据读入"
                ),
                format!(
                    "`{name}` looks like a backup or a copy: its {files} files are not read as data"
                ),
            ),
        )
        .with_hint(hint);
    }
    Diagnostic::new(
        Severity::Warning,
        "content-copy",
        Some(Location::file(&shown)),
        Text::new(
            format!("「{name}」像是备份或复制出的文件夹：里面的 {files} 个文件会作为报告里又一组页面发布"),
            format!("`{name}` looks like a backup or a copy: its {files} files are published as one more part of the report"),
        ),
    )
    .with_hint(hint)
}

/// A warning for a copy Windows made of a page (`education - 副本.md`, `page` relative to
/// `content/`): it is published as a page of its own.
fn copied_page(page: &Path) -> Option<Diagnostic> {
    let stem = page
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    if !crate::site_path::looks_copied(&stem) {
        return None;
    }
    let path = Path::new("content").join(page);
    Some(
        Diagnostic::new(
            Severity::Warning,
            "content-copy",
            Some(Location::file(&path)),
            Text::new(
                format!("「{stem}」像是复制出的副本，会作为报告里的又一页发布"),
                format!("`{stem}` looks like a copy Windows made: it is published as one more page of the report"),
            ),
        )
        .with_hint(Text::new(
            "不需要就删去它，或移到 content/ 以外（备份放在站点文件夹外）",
            "remove it or move it out of content/ (keep backups outside the site folder)",
        )),
    )
}

/// The layout templates of the site's theme in `theme_dir` (name → file); none for the
/// built-in default theme, and none with a problem when the theme named has no folder.
fn theme_templates(
    root: &Path,
    config: &Config,
    theme_dir: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(String, PathBuf)> {
    if root.join(theme_dir).is_dir() {
        let templates = theme_dir.join("templates");
        walk(root, &templates.to_string_lossy(), problems)
            .into_iter()
            .filter(|p| is_ext(p, &["html"]))
            .map(|p| {
                let name = crate::site_path::slashed(&p);
                (name, root.join(&templates).join(p))
            })
            .collect()
    } else if config.theme == "default" {
        Vec::new() // the built-in default theme is used
    } else {
        problems.push(theme_missing(root, config, theme_dir));
        Vec::new()
    }
}

/// The problem of a theme named in huibao.toml with no folder in `themes/`, with the closest
/// of the themes there are (and the built-in one).
fn theme_missing(root: &Path, config: &Config, theme_dir: &Path) -> Diagnostic {
    let mut themes: Vec<String> = std::fs::read_dir(root.join("themes"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| entry.file_name().to_str().map(str::to_string))
        .collect();
    themes.push("default".to_string());
    // Written as a path (`themes/default`, `./themes/mine/`): the folder's name is meant.
    let named = config.theme.replace('\\', "/");
    let named = named
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let near = if named != config.theme && themes.iter().any(|t| t == named) {
        Some(named)
    } else {
        crate::suggest::did_you_mean(&config.theme, themes.iter().map(String::as_str))
    };
    let hint = match near {
        Some(near) => Text::new(
            format!("是不是「{near}」？把 huibao.toml 里的 theme 改成 theme = \"{near}\""),
            format!("did you mean `{near}`? set theme = \"{near}\" in huibao.toml"),
        ),
        None => Text::new(
            "把 huibao.toml 里的 theme 改成 themes/ 下已有的文件夹名，或删去它以使用内置的 default 主题",
            "set theme in huibao.toml to a folder under themes/, or remove it to use the built-in default theme",
        ),
    };
    Diagnostic::error(
        "theme-missing",
        Some(crate::config::setting_location(root, None, "theme")),
        Text::new(
            format!("找不到主题文件夹 {}", theme_dir.display()),
            format!("the theme folder {} does not exist", theme_dir.display()),
        ),
    )
    .with_hint(hint)
}

/// The files copied as they are, the theme's (in `theme_dir`) and the site's: (path in the
/// output, source), by output path; a site's own file replaces the theme's of the same
/// name. They are published as they are: a link to something outside the site (say, a
/// folder of the PC) must not put that into the published site.
fn static_files(
    root: &Path,
    theme_dir: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(PathBuf, PathBuf)> {
    let mut static_files = Vec::new();
    let inside = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    for dir in [theme_dir.join("static"), PathBuf::from("static")] {
        for rel in walk_filtered(root, &dir.to_string_lossy(), problems, &inside) {
            let source = root.join(&dir).join(&rel);
            static_files.push((rel, source));
        }
    }
    static_files.sort();
    static_files.dedup_by(|later, earlier| {
        if later.0 == earlier.0 {
            earlier.1 = later.1.clone();
            true
        } else {
            false
        }
    });
    static_files
}

/// The files `last` found, found again without walking the folders (10,000 village files)
/// when the paths the preview's watcher saw change — `changed`, relative to the site folder
/// — cannot have changed which files the site has: each is a file `last` lists and still a
/// file, or a path that is not there now and held no listed file (an editor's temporary
/// file). `None` when the folders must be walked again: a file new or gone, a folder, the
/// settings.
pub fn unchanged(last: &Site, changed: &[PathBuf]) -> Option<Site> {
    let content = Path::new("content");
    let listed_sources = || {
        let themes = last.theme_templates.iter().map(|(_, source)| source);
        themes.chain(last.static_files.iter().map(|(_, source)| source))
    };
    for rel in changed {
        if rel == Path::new(crate::config::CONFIG_FILE) {
            return None;
        }
        let full = last.root.join(rel);
        if full.is_dir() {
            return None;
        }
        let in_content = rel.strip_prefix(content).ok();
        let same = crate::site_path::same;
        let listed = last.data_files.iter().any(|p| same(p, rel))
            || in_content.is_some_and(|c| last.content_files.iter().any(|p| same(p, c)))
            || listed_sources().any(|source| *source == full);
        let there = full.is_file();
        if listed != there {
            return None;
        }
        // A folder moved away: its files are gone without an event of their own.
        let held_listed = || {
            last.data_files.iter().any(|p| p.starts_with(rel))
                || rel == content
                || in_content.is_some_and(|c| last.content_files.iter().any(|p| p.starts_with(c)))
                || listed_sources().any(|source| source.starts_with(&full))
        };
        if !there && held_listed() {
            return None;
        }
    }
    Some(last.clone())
}

fn is_ext(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.contains(&e))
}

/// Files under `root/dir`, relative to it, sorted; hidden files and folders are skipped.
/// A missing folder has no files.
fn walk(root: &Path, dir: &str, problems: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    walk_inside(root, dir, problems, None)
}

/// Like [`walk`], skipping links that lead outside `inside`.
fn walk_filtered(
    root: &Path,
    dir: &str,
    problems: &mut Vec<Diagnostic>,
    inside: &Path,
) -> Vec<PathBuf> {
    walk_inside(root, dir, problems, Some(inside))
}

/// `path` relative to `base`, which it is inside: as written (the walk joins a folder's
/// path, a separator and a name) when both are UTF-8, else component by component.
fn relative_to<'p>(path: &'p Path, base: &Path) -> Option<&'p Path> {
    if let (Some(path), Some(base)) = (path.to_str(), base.to_str())
        && let Some(rest) = path
            .strip_prefix(base)
            .and_then(|rest| rest.strip_prefix(std::path::MAIN_SEPARATOR))
    {
        return Some(Path::new(rest));
    }
    path.strip_prefix(base).ok()
}

fn walk_inside(
    root: &Path,
    dir: &str,
    problems: &mut Vec<Diagnostic>,
    inside: Option<&Path>,
) -> Vec<PathBuf> {
    let base = root.join(dir);
    if !base.exists() {
        return Vec::new();
    }
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let walker = WalkDir::new(&base)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let hidden = e.depth() > 0 && e.file_name().as_encoded_bytes().starts_with(b".");
            let outside = inside.is_some_and(|inside| {
                e.path_is_symlink()
                    && std::fs::canonicalize(e.path()).is_ok_and(|real| !real.starts_with(inside))
            });
            if outside {
                skipped.push(
                    e.path()
                        .strip_prefix(root)
                        .unwrap_or(e.path())
                        .to_path_buf(),
                );
            }
            !hidden && !outside
        });
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                if let Some(rel) = relative_to(entry.path(), &base) {
                    files.push(rel.to_path_buf());
                }
            }
            Ok(_) => {}
            Err(error) => {
                let path = error
                    .path()
                    .map(|p| p.strip_prefix(root).unwrap_or(p).to_path_buf())
                    .unwrap_or_else(|| PathBuf::from(dir));
                let (zh, en) = if error.loop_ancestor().is_some() {
                    (
                        "符号链接形成了循环".to_string(),
                        "a symbolic link loop".to_string(),
                    )
                } else {
                    let io = error.io_error().map_or(String::new(), |e| e.to_string());
                    (format!("无法读取：{io}"), format!("cannot be read: {io}"))
                };
                problems.push(
                    Diagnostic::error(
                        "file-unreadable",
                        Some(Location::file(path)),
                        Text::new(zh, en),
                    )
                    .with_hint(Text::new(
                        "检查这个路径的权限，或删除坏掉的链接",
                        "check the permissions of this path, or remove the broken link",
                    )),
                );
            }
        }
    }
    for path in skipped {
        problems.push(crate::diagnostics::Diagnostic::new(
            crate::diagnostics::Severity::Warning,
            "static-outside",
            Some(Location::file(path)),
            Text::new(
                "这个链接指向站点以外，不发布也不预览",
                "this link points outside the site; it is neither published nor previewed",
            ),
        ));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walked_path_is_made_relative_to_its_folder() {
        let base = Path::new("站点").join("data");
        let path = base.join("村委会").join("横溪.yaml");
        assert_eq!(
            relative_to(&path, &base),
            Some(Path::new("村委会").join("横溪.yaml").as_path())
        );
        // A name that only starts as the folder's does is not inside it.
        let beside = Path::new("站点").join("data2").join("a.yaml");
        assert_eq!(relative_to(&beside, &base), None);
        assert_eq!(relative_to(Path::new("elsewhere/a.yaml"), &base), None);
    }

    #[test]
    fn the_files_found_are_reused_only_while_no_file_can_be_new_or_gone() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("data/villages")).unwrap();
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::write(root.join("data/villages/a.yaml"), "name: 甲\n").unwrap();
        std::fs::write(root.join("content/index.md"), "首页\n").unwrap();
        std::fs::write(root.join("huibao.toml"), "title = \"t\"\n").unwrap();
        let site = discover(root).expect("a site");
        let reused = |changed: &[&str]| {
            let changed: Vec<PathBuf> = changed.iter().map(PathBuf::from).collect();
            unchanged(&site, &changed).map(|s| (s.data_files, s.content_files))
        };
        let found = Some((site.data_files.clone(), site.content_files.clone()));
        // Edits of listed files, and an editor's temporary file already gone.
        assert_eq!(
            reused(&[
                "data/villages/a.yaml",
                "content/index.md",
                "data/villages/.a.swx"
            ]),
            found
        );
        // The settings, a folder, a new file, a listed file gone, a folder of listed files
        // gone: walked again.
        assert_eq!(reused(&["huibao.toml"]), None);
        assert_eq!(reused(&["data/villages"]), None);
        std::fs::write(root.join("data/villages/b.yaml"), "name: 乙\n").unwrap();
        assert_eq!(reused(&["data/villages/b.yaml"]), None);
        std::fs::remove_file(root.join("data/villages/a.yaml")).unwrap();
        assert_eq!(reused(&["data/villages/a.yaml"]), None);
        std::fs::remove_dir_all(root.join("content")).unwrap();
        assert_eq!(reused(&["content"]), None);
    }
}

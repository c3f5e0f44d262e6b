//! The `huibao` command line: parses arguments and calls the library.
#![allow(clippy::result_large_err)]

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

use huibao::diagnostics::{self, Lang};

/// `println!` that does not panic when standard output is closed (`huibao diff | head`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `print!` that does not panic when standard output is closed.
macro_rules! out_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// huibao（汇报）：把数据（YAML）和模板（Markdown）生成为静态的工作报告网站。
/// huibao: builds a static work-report site from YAML data and Markdown templates.
#[derive(Parser)]
#[command(name = "huibao", version)]
struct Cli {
    /// 消息语言 / language of messages
    #[arg(long, value_enum, default_value = "zh", global = true)]
    lang: LangArg,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// 生成站点，全部成功后才替换输出文件夹 / build the site; the output folder is replaced only when all succeeded
    Build {
        /// 站点文件夹 / the site folder
        #[arg(long, default_value = ".")]
        site: PathBuf,
        /// 输出文件夹（默认为站点的 public/）/ the output folder (default: the site's public/)
        #[arg(long)]
        out: Option<PathBuf>,
        /// 有警告也不生成 / warnings stop the build too
        #[arg(long)]
        deny_warnings: bool,
    },
    /// 检查数据和模板，报告所有问题，不写任何文件 / check data and templates, report every problem, write nothing
    Check {
        /// 站点文件夹 / the site folder
        #[arg(long, default_value = ".")]
        site: PathBuf,
        /// 有警告也算失败 / warnings fail the check too
        #[arg(long)]
        deny_warnings: bool,
        /// 输出格式 / output format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 列出与已发布站点相比改变了的数字，不生成站点 / list the figures that changed since the published site, without building
    Diff {
        /// 站点文件夹 / the site folder
        #[arg(long, default_value = ".")]
        site: PathBuf,
        /// 已发布的站点（默认为站点的 public/）/ the published site (default: the site's public/)
        #[arg(long, value_name = "DIR")]
        against: Option<PathBuf>,
        /// 输出格式 / output format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 本地预览：生成后在浏览器中查看，保存文件后自动刷新 / preview locally with live reload
    Serve {
        /// 站点文件夹 / the site folder
        #[arg(long, default_value = ".")]
        site: PathBuf,
        /// 端口（0 表示任选一个空闲端口）/ the port (0 picks a free one)
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// 监听地址（默认只限本机）/ the address to listen on (default: this computer only)
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// 在浏览器中打开 / open it in the browser
        #[arg(long)]
        open: bool,
    },
    /// 打印 data/schema.yaml 的写法说明；或导出 JSON Schema，供编辑器补全和提示 / print how to write data/schema.yaml; or export JSON Schema files for editors
    Schema {
        /// 站点文件夹 / the site folder
        #[arg(long, default_value = ".")]
        site: PathBuf,
        /// 写入 JSON Schema 的文件夹（不写则打印写法说明）/ the folder to write the JSON Schema files into (without it, print the schema language's documentation)
        #[arg(long, value_name = "DIR")]
        json_schema: Option<PathBuf>,
    },
    /// 新建一个可以直接生成的最小站点 / create a minimal site that builds as it is
    New {
        /// 新站点的文件夹（不能已有内容）/ the new site's folder (must not have contents)
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = match cli.lang {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    };
    let say = |zh: String, en: String| match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    match cli.command {
        Command::Build {
            site,
            out,
            deny_warnings,
        } => match huibao::build(&site, out.as_deref(), deny_warnings) {
            Ok(report) => {
                if !report.notes.is_empty() {
                    eprint!("{}", diagnostics::render(&report.notes, &site, lang));
                }
                let c = &report.changes;
                out!(
                    "{}",
                    say(
                        format!(
                            "已生成 {} 个文件到 {}（新增 {}，修改 {}，删除 {}）",
                            report.files,
                            report.out_dir.display(),
                            c.added.len(),
                            c.modified.len(),
                            c.removed.len()
                        ),
                        format!(
                            "built {} files into {} ({} added, {} modified, {} removed)",
                            report.files,
                            report.out_dir.display(),
                            c.added.len(),
                            c.modified.len(),
                            c.removed.len()
                        ),
                    )
                );
                // What to re-publish: the changed files by name (the first few of each kind).
                for (label, paths) in [
                    (say("  新增".into(), "  added".into()), &c.added),
                    (say("  修改".into(), "  modified".into()), &c.modified),
                    (say("  删除".into(), "  removed".into()), &c.removed),
                ] {
                    const SHOWN: usize = 20;
                    for path in paths.iter().take(SHOWN) {
                        out!("{label} {}", path.display());
                    }
                    if paths.len() > SHOWN {
                        out!(
                            "{label} … {}",
                            say(
                                format!("另有 {} 个", paths.len() - SHOWN),
                                format!("and {} more", paths.len() - SHOWN)
                            )
                        );
                    }
                }
                print_figure_changes(&report.figure_changes, lang);
                ExitCode::SUCCESS
            }
            Err(problems) => fail(&problems, &site, lang),
        },
        Command::Diff {
            site,
            against,
            format,
        } => diff(&site, against.as_deref(), format, lang),
        Command::Check {
            site,
            deny_warnings,
            format,
        } => match huibao::render(&site, deny_warnings, huibao::Compare::Published(None)) {
            Ok(rendered) => {
                if format == Format::Json {
                    out_raw!("{}", diagnostics::to_json(&rendered.notes, lang));
                    return ExitCode::SUCCESS;
                }
                if !rendered.notes.is_empty() {
                    eprint!("{}", diagnostics::render(&rendered.notes, &site, lang));
                }
                let files = rendered.output.files.len();
                out!(
                    "{}",
                    say(
                        format!("检查通过：{files} 个文件，没有错误。"),
                        format!("check passed: {files} files, no errors."),
                    )
                );
                ExitCode::SUCCESS
            }
            Err(problems) if format == Format::Json => {
                out_raw!("{}", diagnostics::to_json(&problems, lang));
                ExitCode::FAILURE
            }
            Err(problems) => fail(&problems, &site, lang),
        },
        Command::Serve {
            site,
            port,
            bind,
            open,
        } => match huibao::serve::run(huibao::serve::Options {
            site: site.clone(),
            bind,
            port,
            open,
            lang,
        }) {
            Ok(()) => ExitCode::SUCCESS,
            Err(problems) => fail(&problems, &site, lang),
        },
        Command::Schema {
            json_schema: None, ..
        } => {
            // The schema language's documentation travels with the binary.
            out_raw!("{}", huibao::SCHEMA_DOC);
            ExitCode::SUCCESS
        }
        Command::Schema {
            site,
            json_schema: Some(json_schema),
        } => match huibao::export_json_schema(&site, &json_schema) {
            Ok(files) => {
                for file in &files {
                    out!("{}", file.display());
                }
                out!(
                    "{}",
                    say(
                        format!(
                            "已写入 {} 个 JSON Schema。VS Code（YAML 插件）：在 settings.json 的 yaml.schemas 里把每个文件对应到 data/ 下的文件模式，或在数据文件第一行写 # yaml-language-server: $schema=<路径>",
                            files.len()
                        ),
                        format!(
                            "wrote {} JSON Schema files. VS Code (YAML extension): map each to its data/ pattern under yaml.schemas in settings.json, or put # yaml-language-server: $schema=<path> on a data file's first line",
                            files.len()
                        ),
                    )
                );
                ExitCode::SUCCESS
            }
            Err(problems) => fail(&problems, &site, lang),
        },
        Command::New { dir } => match huibao::new_site::create(&dir) {
            Ok(()) => {
                out!(
                    "{}",
                    say(
                        format!(
                            "已新建站点 {}。生成：huibao build --site {}",
                            dir.display(),
                            dir.display()
                        ),
                        format!(
                            "created the site {}. Build it: huibao build --site {}",
                            dir.display(),
                            dir.display()
                        ),
                    )
                );
                ExitCode::SUCCESS
            }
            Err(problem) => fail(&[problem], &dir, lang),
        },
    }
}

/// The most changed figures a build lists one by one.
const FIGURES_SHOWN: usize = 100;

/// One line per figure that changed: `健康扶贫 住院人次：1445人次 → 1446人次（data/…:5）`.
fn figure_change_line(change: &huibao::manifest::Change, lang: Lang) -> String {
    let (gone, new) = match lang {
        Lang::Zh => ("（不再发布）", "（新发布）"),
        Lang::En => ("(no longer published)", "(newly published)"),
    };
    let old = change.old.as_deref().unwrap_or(new);
    let now = change.new.as_deref().unwrap_or(gone);
    match lang {
        Lang::Zh => format!("{}：{old} → {now}（{}）", change.what, change.src),
        Lang::En => format!("{}: {old} → {now} ({})", change.what, change.src),
    }
}

fn print_figure_changes(changes: &[huibao::manifest::Change], lang: Lang) {
    if changes.is_empty() {
        return;
    }
    out!(
        "{}",
        match lang {
            Lang::Zh => format!("改变的数字（{} 个）：", changes.len()),
            Lang::En => format!("figures changed ({}):", changes.len()),
        }
    );
    for change in changes.iter().take(FIGURES_SHOWN) {
        out!("  {}", figure_change_line(change, lang));
    }
    if changes.len() > FIGURES_SHOWN {
        let more = changes.len() - FIGURES_SHOWN;
        out!(
            "  {}",
            match lang {
                Lang::Zh => format!("… 另有 {more} 个（huibao diff 列出全部）"),
                Lang::En => format!("… and {more} more (huibao diff lists them all)"),
            }
        );
    }
}

/// `huibao diff`: the figures that changed since the published site, without building.
fn diff(
    site: &std::path::Path,
    against: Option<&std::path::Path>,
    format: Format,
    lang: Lang,
) -> ExitCode {
    let rendered = match huibao::render(site, false, huibao::Compare::Published(against)) {
        Ok(rendered) => rendered,
        Err(problems) => return fail(&problems, site, lang),
    };
    let Some(changes) = rendered.figure_changes else {
        let dir = against.map_or_else(
            || rendered.site.root.join(&rendered.site.config.output_dir),
            std::path::Path::to_path_buf,
        );
        let problem = diagnostics::Diagnostic::error(
            "diff-no-published-site",
            Some(diagnostics::Location::file(dir.join(huibao::manifest::FILE))),
            diagnostics::Text::new(
                "找不到已发布站点的数字清单（figures.json），无法比较",
                "the published site's figures manifest (figures.json) is not there: nothing to compare with",
            ),
        )
        .with_hint(diagnostics::Text::new(
            "先用 huibao build 生成一次，或用 --against 指定已发布站点的文件夹",
            "build once with huibao build, or name the published site's folder with --against",
        ));
        return fail(&[problem], site, lang);
    };
    if format == Format::Json {
        let text = serde_json::to_string_pretty(&changes).unwrap_or_else(|_| "[]".into());
        out!("{text}");
        return ExitCode::SUCCESS;
    }
    if !rendered.notes.is_empty() {
        eprint!("{}", diagnostics::render(&rendered.notes, site, lang));
    }
    if changes.is_empty() {
        out!(
            "{}",
            match lang {
                Lang::Zh => "与已发布的站点相比，没有数字改变。",
                Lang::En => "no figure changed since the published site.",
            }
        );
    }
    for change in &changes {
        out!("{}", figure_change_line(change, lang));
    }
    ExitCode::SUCCESS
}

fn fail(problems: &[diagnostics::Diagnostic], site: &std::path::Path, lang: Lang) -> ExitCode {
    eprint!("{}", diagnostics::render(problems, site, lang));
    ExitCode::FAILURE
}

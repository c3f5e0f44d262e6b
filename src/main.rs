//! The `huibao` command line: parses arguments and calls the library.
#![allow(clippy::result_large_err)]

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

use huibao::diagnostics::{self, Lang, Text};

/// mimalloc instead of the system allocator: rendering is allocation-heavy (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: MiMalloc = MiMalloc;

/// mimalloc called as C's `malloc` wherever the alignment allows, as the standard library
/// calls the system's: the `mimalloc` crate's allocator calls `mi_malloc_aligned` for every
/// allocation, whose extra checks were ~1 % of a build's instructions (1.8 million
/// allocations at 1,000 villages).
struct MiMalloc;

/// Whether `mi_malloc`'s blocks are aligned enough for `align`: every block is aligned to a
/// machine word at least (mimalloc's own `mi_realloc_aligned` takes the plain path for
/// these alignments too); a larger alignment (16 for `u128`) goes the aligned way.
fn malloc_aligns(align: usize) -> bool {
    align <= std::mem::size_of::<usize>()
}

// SAFETY: every call passes mimalloc's own functions what `GlobalAlloc` was given; a block
// from `mi_malloc` and one from `mi_malloc_aligned` are both freed by `mi_free` and resized
// by either `mi_realloc` (for a word's alignment, which every block has) or `mi_realloc_aligned`.
unsafe impl std::alloc::GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_malloc, mi_malloc_aligned};
        if malloc_aligns(layout.align()) {
            unsafe { mi_malloc(layout.size()).cast() }
        } else {
            unsafe { mi_malloc_aligned(layout.size(), layout.align()).cast() }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_zalloc, mi_zalloc_aligned};
        if malloc_aligns(layout.align()) {
            unsafe { mi_zalloc(layout.size()).cast() }
        } else {
            unsafe { mi_zalloc_aligned(layout.size(), layout.align()).cast() }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        use libmimalloc_sys::{mi_realloc, mi_realloc_aligned};
        if malloc_aligns(layout.align()) {
            unsafe { mi_realloc(ptr.cast(), new_size).cast() }
        } else {
            unsafe { mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast() }
        }
    }
}

use std::path::Path;

/// mimalloc's option `mi_option_destroy_on_exit` (the `mi_option_e` of its `mimalloc.h`,
/// whose options keep their numbers: retired ones stay as `deprecated_…`). At 2 or more,
/// mimalloc leaves its memory to the system at exit (`_mi_auto_process_done`).
const MI_OPTION_DESTROY_ON_EXIT: libmimalloc_sys::mi_option_t = 22;

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
enum ExportFormat {
    Pdf,
    Docx,
    Xlsx,
    Csv,
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
        /// 这份汇报改了标题：输出文件夹里旧标题的站点仍是它 / this report's title changed: the site in the output folder under the old title is still this report
        #[arg(long)]
        retitled: bool,
    },
    /// 检查数据和模板，报告所有问题，不写任何文件 / check data and templates, report every problem, write nothing
    Check {
        /// 站点文件夹 / the site folder
        #[arg(long, default_value = ".")]
        site: PathBuf,
        /// 有警告也算失败 / warnings fail the check too
        #[arg(long)]
        deny_warnings: bool,
        /// 这份汇报改了标题（同 build --retitled）/ this report's title changed (as build --retitled)
        #[arg(long)]
        retitled: bool,
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
    /// 导出：整份汇报为 GB/T 9704 版式的 PDF 或可编辑的 Word 文档；全部数据为 Excel 工作簿（xlsx），或一张数据表为 CSV / export the whole report as a PDF in the GB/T 9704 layout or a Word document to edit; all the data as an Excel workbook (xlsx), or one data sheet as CSV
    Export {
        /// 文件格式 / the file format
        #[arg(value_enum)]
        format: ExportFormat,
        /// csv：哪张数据表（数据文件夹如 villages，或表名如 村委会）/ csv: which data sheet (a data folder such as villages, or a sheet name such as 村委会)
        #[arg(long, value_name = "SHEET")]
        sheet: Option<String>,
        /// 站点文件夹 / the site folder
        #[arg(long, default_value = ".")]
        site: PathBuf,
        /// 输出文件（默认为站点文件夹里以汇报标题命名的文件）/ the file to write (default: named after the report's title, in the site folder)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 从 Excel/WPS 表格（xlsx、xls、ods、csv）导入数据：表头对应 schema 的字段，每行一个文件；先全部检查，有错则不写任何文件 / import data from an Excel/WPS spreadsheet (xlsx, xls, ods, csv): the header maps to the schema's fields, a file per row; all checked first, nothing written on any error
    Import {
        /// 表格文件 / the spreadsheet
        file: PathBuf,
        /// 导入到哪个数据文件夹或文件，如 data/villages 或 data/township.yaml；可写多次，一起检查；不写则导入工作簿里以数据命名的每张表（如 huibao export xlsx 导出的）/ the data folder or file to import into, such as data/villages or data/township.yaml; may be given more than once, all checked together; none: every sheet named as the data are (as huibao export xlsx writes them)
        #[arg(long, value_name = "DIR")]
        into: Vec<String>,
        /// 读哪个工作表（默认为与数据文件夹同名的，如 村委会）/ the sheet to read (default: the one named as the data folder's label, such as 村委会)
        #[arg(long)]
        sheet: Option<String>,
        /// 站点文件夹 / the site folder
        #[arg(long, default_value = ".")]
        site: PathBuf,
        /// 只列出会改变的数字，不写入 / only list what would change; write nothing
        #[arg(long)]
        dry_run: bool,
        /// 删除表中没有的记录的文件（默认只报告）/ remove the files of records not in the sheet (default: only report them)
        #[arg(long)]
        remove_missing: bool,
    },
    /// 新建一个可以直接生成的最小站点 / create a minimal site that builds as it is
    New {
        /// 新站点的文件夹（不能已有内容）/ the new site's folder (must not have contents)
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    // mimalloc asks Linux for transparent huge pages: each first touch of its memory then
    // zeroes 2 MiB, for a build whose pages need far less at a time. Without them, a build
    // of 10,000 villages peaks 30 MiB lower and the kernel zeroes a fraction of the memory
    // (see README § Speed). Nothing to do where it fails (an old kernel).
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    // A command ends by exiting, and the system takes all of its memory back: mimalloc's
    // tidying of its memory at exit, page by page, is skipped (226 system calls at the end
    // of `huibao check` of 10,000 villages, 3 % of its time).
    // SAFETY: sets one of mimalloc's options before any other thread runs (mimalloc's
    // options are not thread-safe); no memory is touched.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_DESTROY_ON_EXIT, 2) };
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return command_line_mistake(&error),
    };
    let lang = match cli.lang {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    };
    match cli.command {
        Command::Build {
            site,
            out,
            deny_warnings,
            retitled,
        } => {
            let options = huibao::BuildOptions {
                out: out.as_deref(),
                deny_warnings,
                retitled,
            };
            build(&site, options, lang)
        }
        Command::Check {
            site,
            deny_warnings,
            retitled,
            format,
        } => check(&site, (deny_warnings, retitled), format, lang),
        Command::Diff {
            site,
            against,
            format,
        } => diff(&site, against.as_deref(), format, lang),
        Command::Serve {
            site,
            port,
            bind,
            open,
        } => {
            // Nothing to watch: a preview of a folder that is not there would wait forever.
            if !site.is_dir() {
                let problem = diagnostics::Diagnostic::error(
                    "site-missing",
                    Some(diagnostics::Location::file(&site)),
                    Text::new(
                        format!("站点文件夹 {} 不存在", site.display()),
                        format!("the site folder {} does not exist", site.display()),
                    ),
                )
                .with_hint(Text::new(
                    "用 --site 写站点文件夹（有 huibao.toml 的那个）；新建站点用 huibao new",
                    "name the site folder (the one with huibao.toml) with --site; create a site with huibao new",
                ));
                return fail(&[problem], &site, lang);
            }
            serve(site, bind, port, open, lang)
        }
        Command::Schema {
            json_schema: None, ..
        } => {
            // The schema language's documentation travels with the binary.
            out_raw!("{}", huibao::SCHEMA_DOC);
            ExitCode::SUCCESS
        }
        Command::Schema {
            site,
            json_schema: Some(dir),
        } => json_schema(&site, &dir, lang),
        Command::Export {
            format,
            sheet,
            site,
            out,
        } => {
            if let Some(problem) = out.as_deref().and_then(|out| other_extension(out, format)) {
                return export_failed(&[problem], &site, lang);
            }
            let kind = match format {
                ExportFormat::Pdf => huibao::ExportKind::Pdf,
                ExportFormat::Docx => huibao::ExportKind::Docx,
                ExportFormat::Xlsx => {
                    return export_data(&site, huibao::DataExport::Xlsx, out.as_deref(), lang);
                }
                ExportFormat::Csv => {
                    let Some(sheet) = sheet.as_deref() else {
                        let problem = diagnostics::Diagnostic::error(
                            "sheet-missing",
                            None,
                            Text::new(
                                "导出 CSV 要说明哪张数据表：--sheet villages（数据文件夹）或 --sheet 村委会（表名）",
                                "a CSV export needs its data sheet: --sheet villages (a data folder) or --sheet 村委会 (a sheet name)",
                            ),
                        );
                        return fail(&[problem], &site, lang);
                    };
                    let what = huibao::DataExport::Csv(sheet);
                    return export_data(&site, what, out.as_deref(), lang);
                }
            };
            export(&site, kind, out.as_deref(), lang)
        }
        Command::Import {
            file,
            into,
            sheet,
            site,
            dry_run,
            remove_missing,
        } => {
            let options = huibao::ImportOptions {
                file: &file,
                into: &into,
                sheet: sheet.as_deref(),
                dry_run,
                remove_missing,
            };
            import(&site, &options, lang)
        }
        Command::New { dir } => new_site(&dir, lang),
    }
}

/// A command line clap cannot read: told in Chinese (clap's English with `--lang en`),
/// with what to write; `--help` and `--version` printed as clap prints them.
fn command_line_mistake(error: &clap::Error) -> ExitCode {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let lang = diagnostics::command_line::lang_of(&args);
    match diagnostics::command_line::told(error, &args) {
        Some((message, hint)) if lang == Lang::Zh => {
            eprintln!(
                "错误[usage]: {}\n  提示：{}",
                message.get(lang),
                hint.get(lang)
            );
            ExitCode::from(2)
        }
        Some((_, hint)) => {
            let _ = error.print();
            eprintln!("hint: {}", hint.get(lang));
            ExitCode::from(2)
        }
        None => {
            let _ = error.print();
            // (0 for --help and --version; 2 for a command line that is only `huibao`.)
            ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2))
        }
    }
}

/// What an import's `plan` of one sheet of `file` does: the sheet read, what was noted of
/// its cells (`notes`, rendered), the figures that change, the files written, kept and left
/// out.
fn print_import_plan(
    plan: &huibao::spreadsheet::import::Plan,
    file: &Path,
    notes: &str,
    lang: Lang,
) {
    let file = file.display();
    let text = Text::new(
        format!(
            "读取 {file} 的工作表「{}」：{} 条记录",
            plan.sheet, plan.records
        ),
        format!(
            "read sheet “{}” of {file}: {} records",
            plan.sheet, plan.records
        ),
    );
    out!("{}", text.get(lang));
    // (A sheet's notes under the line that names it, not above.)
    eprint!("{notes}");
    print_figure_changes(&plan.changes, lang);
    // Each kind of file, how many and which.
    let listed = |paths: Vec<&Path>| -> (usize, String) {
        let names: Vec<String> = paths
            .iter()
            .map(|p| huibao::site_path::slashed(p))
            .collect();
        (names.len(), names.join(", "))
    };
    let writes = |new: bool, rewritten: bool| -> Vec<&Path> {
        plan.writes
            .iter()
            .filter(|w| w.new == new && w.rewritten == rewritten)
            .map(|w| w.path.as_path())
            .collect()
    };
    let (new, new_names) = listed(writes(true, false));
    if new > 0 {
        let text = Text::new(
            format!("新文件（{new} 个）：{new_names}"),
            format!("new files ({new}): {new_names}"),
        );
        out!("{}", text.get(lang));
    }
    let edited = writes(false, false).len();
    if edited > 0 {
        let text = Text::new(
            format!("原处修改 {edited} 个文件（注释和未改的行保持不变）"),
            format!("{edited} file(s) edited in place (comments and unchanged lines kept)"),
        );
        out!("{}", text.get(lang));
    }
    let (rewritten, rewritten_names) = listed(writes(false, true));
    if rewritten > 0 {
        let text = Text::new(
            format!(
                "重写 {rewritten} 个文件（列表少了项，或值在 {{…}} 里，原有注释没有保留）：{rewritten_names}"
            ),
            format!(
                "{rewritten} file(s) written anew (a list made shorter, or a value in a {{…}} mapping; their comments were not kept): {rewritten_names}"
            ),
        );
        out!("{}", text.get(lang));
    }
    if !plan.unchanged.is_empty() {
        let n = plan.unchanged.len();
        let text = Text::new(format!("未变 {n} 个文件"), format!("{n} file(s) unchanged"));
        out!("{}", text.get(lang));
    }
    let (missing, missing_names) = listed(plan.missing.iter().map(PathBuf::as_path).collect());
    if missing > 0 {
        let text = Text::new(
            format!(
                "表中没有、保留未删（{missing} 个）：{missing_names}；要删除它们，加 --remove-missing"
            ),
            format!(
                "not in the sheet, kept ({missing}): {missing_names}; add --remove-missing to remove them"
            ),
        );
        out!("{}", text.get(lang));
    }
    let (removed, removed_names) = listed(plan.removes.iter().map(PathBuf::as_path).collect());
    if removed > 0 {
        let text = Text::new(
            format!("删除表中没有的（{removed} 个）：{removed_names}"),
            format!("removing the files not in the sheet ({removed}): {removed_names}"),
        );
        out!("{}", text.get(lang));
    }
}

/// `huibao import`: the values that change, the files written, kept and left out.
fn import(site: &Path, options: &huibao::ImportOptions<'_>, lang: Lang) -> ExitCode {
    let report = match huibao::import_data(site, options) {
        Ok(report) => report,
        Err(problems) => {
            let n = problems.iter().filter(|d| d.is_error()).count();
            let code = fail(&problems, site, lang);
            // (A folder or file named wrong in the command: the sheet is not at fault.)
            let command = problems.iter().any(|d| d.code == "import-into");
            let text = match command {
                true => Text::new(
                    format!("有 {n} 个错误：没有写入任何文件。改正命令后再导入。"),
                    format!(
                        "{n} error(s): no file was written. Correct the command and import again."
                    ),
                ),
                false => Text::new(
                    format!("有 {n} 个错误：没有写入任何文件。改正表格后再导入。"),
                    format!(
                        "{n} error(s): no file was written. Correct the sheet and import again."
                    ),
                ),
            };
            eprintln!("{}", text.get(lang));
            return code;
        }
    };
    // A whole workbook's sheets that change nothing are told in one line at the end.
    let mut sheets_unchanged: Vec<&str> = Vec::new();
    for plan in &report.plans {
        let notes = match plan.notes.is_empty() {
            true => String::new(),
            false => diagnostics::render(&plan.notes, site, lang),
        };
        let quiet = plan.changes.is_empty()
            && plan.writes.is_empty()
            && plan.removes.is_empty()
            && plan.missing.is_empty();
        if quiet && report.plans.len() > 1 {
            eprint!("{notes}");
            sheets_unchanged.push(&plan.sheet);
            continue;
        }
        print_import_plan(plan, options.file, &notes, lang);
    }
    if !sheets_unchanged.is_empty() {
        let n = sheets_unchanged.len();
        let zh = sheets_unchanged.join("、");
        let en = sheets_unchanged.join(", ");
        let text = Text::new(
            format!("未变的工作表（{n} 张）：{zh}"),
            format!("sheets that change nothing ({n}): {en}"),
        );
        out!("{}", text.get(lang));
    }
    let text = if !report.written {
        Text::new(
            "--dry-run：没有写入任何文件；去掉 --dry-run 即写入。",
            "--dry-run: no file was written; run again without --dry-run to write.",
        )
    } else if report
        .plans
        .iter()
        .all(|plan| plan.writes.is_empty() && plan.removes.is_empty())
    {
        Text::new(
            "数据没有变化，没有写入文件。",
            "nothing changed: no file was written.",
        )
    } else {
        Text::new(
            "已写入。下一步：huibao check 检查，huibao build 生成（改动的数字要在 data/corrections.yaml 说明）。",
            "written. Next: huibao check, then huibao build (changed figures are owed an entry in data/corrections.yaml).",
        )
    };
    out!("{}", text.get(lang));
    ExitCode::SUCCESS
}

/// The error of `--out FILE` whose extension names another format than the export's
/// (`export pdf --out 汇报.docx`: a PDF under a Word document's name, which Word cannot open).
/// `None` when it names the same, or none.
fn other_extension(out: &Path, format: ExportFormat) -> Option<diagnostics::Diagnostic> {
    let wanted = match format {
        ExportFormat::Pdf => "pdf",
        ExportFormat::Docx => "docx",
        ExportFormat::Xlsx => "xlsx",
        ExportFormat::Csv => "csv",
    };
    let written = out.extension()?.to_string_lossy().to_lowercase();
    let known = [
        "pdf", "docx", "doc", "xlsx", "xls", "csv", "wps", "et", "ods", "odt",
    ];
    if written == wanted || !known.contains(&written.as_str()) {
        return None;
    }
    let meant = out.with_extension(wanted);
    Some(
        diagnostics::Diagnostic::error(
            "export-extension",
            Some(diagnostics::Location::file(out)),
            Text::new(
                format!(
                    "导出的是 {wanted} 文件，--out 的名字却是 .{written}：打开它的程序会认不出来；没有导出"
                ),
                format!(
                    "the export is a {wanted} file but --out names a .{written}: the program that opens it would not know it; nothing was exported"
                ),
            ),
        )
        .with_hint(Text::new(
            format!(
                "写成 --out {}（要别的格式，换 export 后面的格式：pdf、docx、xlsx、csv）",
                meant.display()
            ),
            format!(
                "write --out {} (for another format, change the format after export: pdf, docx, xlsx, csv)",
                meant.display()
            ),
        )),
    )
}

/// `huibao export xlsx` / `csv`: the file and its sheets.
fn export_data(
    site: &Path,
    what: huibao::DataExport<'_>,
    out: Option<&Path>,
    lang: Lang,
) -> ExitCode {
    let report = match huibao::export_data(site, what, out) {
        Ok(report) => report,
        Err(problems) => return export_failed(&problems, site, lang),
    };
    if !report.notes.is_empty() {
        eprint!("{}", diagnostics::render(&report.notes, site, lang));
    }
    let sheets: Vec<String> = report
        .sheets
        .iter()
        .map(|(name, rows)| format!("{name} {rows}"))
        .collect();
    let file = report.file.display();
    let text = Text::new(
        format!("已导出 {file}（数据表及行数：{}）", sheets.join("、")),
        format!("exported {file} (sheets and rows: {})", sheets.join(", ")),
    );
    out!("{}", text.get(lang));
    ExitCode::SUCCESS
}

/// `huibao export`: the file, its pages and fonts.
fn export(site: &Path, kind: huibao::ExportKind, out: Option<&Path>, lang: Lang) -> ExitCode {
    let report = match huibao::export(site, kind, out) {
        Ok(report) => report,
        Err(problems) => return export_failed(&problems, site, lang),
    };
    if !report.notes.is_empty() {
        eprint!("{}", diagnostics::render(&report.notes, site, lang));
    }
    let (file, f) = (report.file.display(), &report.fonts);
    let text = match report.pages {
        Some(pages) => Text::new(
            format!(
                "已导出 {file}（{pages} 页；正文 {}，标题 {}，一级标题 {}，二级标题 {}）",
                f.body, f.title, f.heiti, f.kaiti
            ),
            format!(
                "exported {file} ({pages} pages; body {}, titles {}, headings {} and {})",
                f.body, f.title, f.heiti, f.kaiti
            ),
        ),
        None => Text::new(
            format!(
                "已导出 {file}（字体：正文 {}，标题 {}，一级标题 {}，二级标题 {}；打开它的电脑要有这些字体）",
                f.body, f.title, f.heiti, f.kaiti
            ),
            format!(
                "exported {file} (fonts: body {}, titles {}, headings {} and {}; the computer that opens it needs them)",
                f.body, f.title, f.heiti, f.kaiti
            ),
        ),
    };
    out!("{}", text.get(lang));
    ExitCode::SUCCESS
}

/// `huibao build`: publish, then say what changed (files, then figures).
fn build(site: &Path, options: huibao::BuildOptions<'_>, lang: Lang) -> ExitCode {
    let report = match huibao::build(site, options) {
        Ok(report) => report,
        Err(problems) => return fail(&problems, site, lang),
    };
    if !report.notes.is_empty() {
        eprint!("{}", diagnostics::render(&report.notes, site, lang));
    }
    let c = &report.changes;
    let (files, dir) = (report.files, report.out_dir.display());
    let (added, modified, removed) = (c.added.len(), c.modified.len(), c.removed.len());
    out!(
        "{}",
        Text::new(
            format!("已生成 {files} 个文件到 {dir}（新增 {added}，修改 {modified}，删除 {removed}）"),
            format!("built {files} files into {dir} ({added} added, {modified} modified, {removed} removed)"),
        )
        .get(lang)
    );
    // What to re-publish: the changed files by name (the first few of each kind).
    const SHOWN: usize = 20;
    for (label, paths) in [
        (Text::new("  新增", "  added"), &c.added),
        (Text::new("  修改", "  modified"), &c.modified),
        (Text::new("  删除", "  removed"), &c.removed),
    ] {
        let label = label.get(lang);
        for path in paths.iter().take(SHOWN) {
            out!("{label} {}", path.display());
        }
        if paths.len() > SHOWN {
            let more = paths.len() - SHOWN;
            let text = Text::new(format!("另有 {more} 个"), format!("and {more} more"));
            out!("{label} … {}", text.get(lang));
        }
    }
    if !c.kept.is_empty() {
        let kept = c.kept.len();
        let text = Text::new(
            format!("  保留 {kept} 个不是 huibao 生成的文件（放进了新站点，没有删除）："),
            format!(
                "  kept {kept} files huibao did not make (carried into the new site, not deleted):"
            ),
        );
        out!("{}", text.get(lang));
        for path in &c.kept {
            out!("    {}", path.display());
        }
        let hint = Text::new(
            "  提示：要让它们随站点发布（换了输出文件夹也在），放进站点的 static/ 文件夹；不需要的从输出文件夹删除",
            "  hint: to publish them with the site (in any output folder), put them in the site's static/ folder; delete from the output folder those not needed",
        );
        out!("{}", hint.get(lang));
    }
    print_figure_changes(&report.figure_changes, lang);
    ExitCode::SUCCESS
}

/// `huibao check`: every problem, nothing written.
fn check(
    site: &Path,
    (deny_warnings, retitled): (bool, bool),
    format: Format,
    lang: Lang,
) -> ExitCode {
    match huibao::check(site, deny_warnings, retitled) {
        Ok(rendered) if format == Format::Json => {
            out_raw!("{}", diagnostics::to_json(&rendered.notes, lang));
            ExitCode::SUCCESS
        }
        Ok(rendered) => {
            if !rendered.notes.is_empty() {
                eprint!("{}", diagnostics::render(&rendered.notes, site, lang));
            }
            let data = rendered.site.data_files.len();
            let pages = rendered.output.pages;
            let text = Text::new(
                format!(
                    "检查通过：{data} 个数据文件、{pages} 个页面，没有错误（每个模板试生成了一页；页面间的链接在 build 时全部检查）。"
                ),
                format!(
                    "check passed: {data} data files, {pages} pages, no errors (one page of each template rendered; build checks every link between pages)."
                ),
            );
            out!("{}", text.get(lang));
            ExitCode::SUCCESS
        }
        Err(problems) if format == Format::Json => {
            out_raw!("{}", diagnostics::to_json(&problems, lang));
            ExitCode::FAILURE
        }
        Err(problems) => fail(&problems, site, lang),
    }
}

/// `huibao serve`: until Ctrl-C.
fn serve(site: PathBuf, bind: std::net::IpAddr, port: u16, open: bool, lang: Lang) -> ExitCode {
    let options = huibao::serve::Options {
        site: site.clone(),
        bind,
        port,
        open,
        lang,
    };
    match huibao::serve::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(problems) => fail(&problems, &site, lang),
    }
}

/// `huibao schema --json-schema DIR`: editor schemas, and how to use them.
fn json_schema(site: &Path, dir: &Path, lang: Lang) -> ExitCode {
    let files = match huibao::export_json_schema(site, dir) {
        Ok(files) => files,
        Err(problems) => return fail(&problems, site, lang),
    };
    for file in &files {
        out!("{}", file.display());
    }
    let n = files.len();
    let text = Text::new(
        format!(
            "已写入 {n} 个 JSON Schema。VS Code（YAML 插件）：在 settings.json 的 yaml.schemas 里把每个文件对应到 data/ 下的文件模式，或在数据文件第一行写 # yaml-language-server: $schema=<路径>"
        ),
        format!(
            "wrote {n} JSON Schema files. VS Code (YAML extension): map each to its data/ pattern under yaml.schemas in settings.json, or put # yaml-language-server: $schema=<path> on a data file's first line"
        ),
    );
    out!("{}", text.get(lang));
    ExitCode::SUCCESS
}

/// `huibao new DIR`.
fn new_site(dir: &Path, lang: Lang) -> ExitCode {
    if let Err(problem) = huibao::new_site::create(dir) {
        return fail(&[problem], dir, lang);
    }
    let shown = quoted(dir);
    let text = Text::new(
        format!("已新建站点 {shown}。生成：huibao build --site {shown}"),
        format!("created the site {shown}. Build it: huibao build --site {shown}"),
    );
    out!("{}", text.get(lang));
    ExitCode::SUCCESS
}

/// A path as typed in a command: in quotes when it has spaces.
fn quoted(path: &Path) -> String {
    let text = path.display().to_string();
    if text.contains(' ') {
        format!("\"{text}\"")
    } else {
        text
    }
}

/// The most changed figures a build lists one by one.
const FIGURES_SHOWN: usize = 100;

/// One line per figure that changed: `健康扶贫 住院人次：1445人次 → 1446人次（data/…:5）`.
fn figure_change_line(change: &huibao::manifest::Change, lang: Lang) -> String {
    let gone = Text::new("（不再发布）", "(no longer published)");
    let new = Text::new("（新发布）", "(newly published)");
    let old = change.old.as_deref().unwrap_or(new.get(lang));
    let now = change.new.as_deref().unwrap_or(gone.get(lang));
    let (what, src) = (&change.what, &change.src);
    Text::new(
        format!("{what}：{old} → {now}（{src}）"),
        format!("{what}: {old} → {now} ({src})"),
    )
    .get(lang)
    .to_string()
}

fn print_figure_changes(changes: &[huibao::manifest::Change], lang: Lang) {
    if changes.is_empty() {
        return;
    }
    let n = changes.len();
    let title = Text::new(
        format!("改变的数字（{n} 个）："),
        format!("figures changed ({n}):"),
    );
    out!("{}", title.get(lang));
    for change in changes.iter().take(FIGURES_SHOWN) {
        out!("  {}", figure_change_line(change, lang));
    }
    if changes.len() > FIGURES_SHOWN {
        let more = changes.len() - FIGURES_SHOWN;
        let text = Text::new(
            format!("… 另有 {more} 个（huibao diff 列出全部）"),
            format!("… and {more} more (huibao diff lists them all)"),
        );
        out!("  {}", text.get(lang));
    }
}

/// `huibao diff`: the figures that changed since the published site, without building.
fn diff(
    site: &std::path::Path,
    against: Option<&std::path::Path>,
    format: Format,
    lang: Lang,
) -> ExitCode {
    // The manifest itself named (`…/public/figures.json`), or the published site's own site
    // folder (whose output folder is `public/`): the folder that has it.
    let against_dir = against.map(|path| {
        let manifest = huibao::manifest::FILE;
        if path.file_name().is_some_and(|n| n == manifest) && path.is_file() {
            return path.parent().unwrap_or(path).to_path_buf();
        }
        let inside = path.join("public");
        if !path.join(manifest).exists() && inside.join(manifest).is_file() {
            return inside;
        }
        path.to_path_buf()
    });
    let against = against_dir.as_deref();
    let rendered = match huibao::figures(site, against) {
        Ok(rendered) => rendered,
        Err(problems) => return fail(&problems, site, lang),
    };
    let Some(changes) = rendered.figure_changes else {
        let dir = against.map_or_else(
            || rendered.site.root.join(&rendered.site.config.output_dir),
            std::path::Path::to_path_buf,
        );
        let manifest = dir.join(huibao::manifest::FILE);
        // There but not readable (damaged, or written by a huibao that writes another
        // version, on another PC of a shared folder) is not "not there".
        let damage = manifest
            .is_file()
            .then(|| huibao::manifest::damage(&manifest));
        let problem = if let Some(Some((at, what, hint))) = damage {
            diagnostics::Diagnostic::error(
                "diff-manifest-unreadable",
                Some(at),
                diagnostics::Text::new(
                    format!("已发布站点的数字清单 figures.json 无法读取，{}：无法比较", what.zh),
                    format!(
                        "the published site's figures.json cannot be read, {}: nothing to compare with",
                        what.en
                    ),
                ),
            )
            .with_hint(hint)
        } else if manifest.is_file() {
            diagnostics::Diagnostic::error(
                "diff-manifest-unreadable",
                Some(diagnostics::Location::file(manifest)),
                diagnostics::Text::new(
                    "已发布站点的数字清单 figures.json 无法读取（已损坏，或由别的版本的 huibao 写成），无法比较",
                    "the published site's figures.json cannot be read (damaged, or written by another version of huibao): nothing to compare with",
                ),
            )
            .with_hint(diagnostics::Text::new(
                "用写出它的 huibao 或更新的版本比较（新版本也读旧版本的清单）；确认这是这个站点的输出文件夹",
                "compare with the huibao that wrote it or a newer one (a newer one reads older manifests too); check that this is the site's output folder",
            ))
        } else {
            diagnostics::Diagnostic::error(
                "diff-no-published-site",
                Some(diagnostics::Location::file(manifest)),
                diagnostics::Text::new(
                    "找不到已发布站点的数字清单（figures.json），无法比较",
                    "the published site's figures manifest (figures.json) is not there: nothing to compare with",
                ),
            )
            .with_hint(diagnostics::Text::new(
                "先用 huibao build 生成一次，或用 --against 指定已发布站点的文件夹",
                "build once with huibao build, or name the published site's folder with --against",
            ))
        };
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
        let text = Text::new(
            "与已发布的站点相比，没有数字改变。",
            "no figure changed since the published site.",
        );
        out!("{}", text.get(lang));
    }
    for change in &changes {
        out!("{}", figure_change_line(change, lang));
    }
    ExitCode::SUCCESS
}

/// An export's problems, and that nothing was exported: a file of an earlier export there
/// is not this one's (a clerk might open it).
fn export_failed(problems: &[diagnostics::Diagnostic], site: &Path, lang: Lang) -> ExitCode {
    let code = fail(problems, site, lang);
    let text = Text::new(
        "没有导出：改正以上问题后再导出（同名的旧文件不是这次导出的）。",
        "nothing was exported: correct the problems above and export again (a file of the same name is an earlier export's).",
    );
    eprintln!("{}", text.get(lang));
    code
}

fn fail(problems: &[diagnostics::Diagnostic], site: &std::path::Path, lang: Lang) -> ExitCode {
    eprint!("{}", diagnostics::render(problems, site, lang));
    ExitCode::FAILURE
}

//! Serve: local preview with live reload.
//!
//! The site is built in memory and served over HTTP (axum on tokio). A debounced watcher
//! (notify) on `data/`, `content/`, `themes/`, `static/` and `huibao.toml` rebuilds after each
//! save; every open page reloads through Server-Sent Events. When a build fails, the last
//! good build stays served and every page shows the problems in an overlay until they are
//! fixed. Nothing is written to disk: `public/` is left alone.

pub mod files;
pub mod live;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use notify_debouncer_full::notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::diagnostics::{self, Diagnostic, Lang, Text};
use files::{Resolved, content_type, resolve};

/// How to serve.
#[derive(Clone, Debug)]
pub struct Options {
    /// The site folder.
    pub site: PathBuf,
    /// The address to listen on (loopback by default).
    pub bind: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Open the preview in the default browser.
    pub open: bool,
    /// The language of messages and of the overlay.
    pub lang: Lang,
}

/// The last good build, in memory: path (`villages/hengxi.html`) → bytes, and its figures
/// (`figures.json` is written only when asked for: tens of megabytes at 10,000 villages).
#[derive(Default)]
struct Snapshot {
    /// Every file by its path in the site (FxHash: the keys are the site's own paths, and
    /// 20,000 of them are hashed at each rebuild of 10,000 villages).
    files: rustc_hash::FxHashMap<String, Bytes>,
    figures: Option<Arc<crate::manifest::Manifest>>,
    /// The whole-report page, put together when asked for (it holds every page's content).
    print: Option<crate::render::print::WholeReport>,
    /// The search index, its files made when first asked for and kept.
    search: Option<crate::search::index::Index>,
    search_files: std::sync::Mutex<HashMap<String, Bytes>>,
    /// The data downloads (the workbook, each sheet's CSV), made when one is first asked for.
    data_files: Option<Arc<crate::render::data_page::OnRequest>>,
}

/// What the request handlers share with the builder.
struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    /// Problems of the last build (empty when it succeeded).
    problems: RwLock<Arc<Vec<Diagnostic>>>,
    /// The errors `huibao build` would stop at in the last good build, compared with the
    /// site published in the output folder (the corrections log's): shown above the pages
    /// while the build itself has no problem.
    publish_problems: RwLock<Arc<Vec<Diagnostic>>>,
    builds: AtomicU64,
    page_views: AtomicU64,
    events: broadcast::Sender<&'static str>,
    lang: Lang,
    /// The site folder (its PDF and Word document are made when asked for).
    site: PathBuf,
}

impl Shared {
    /// Whether a good build is served (none has succeeded yet when the preview started on a
    /// site that does not build).
    fn serves_a_build(&self) -> bool {
        !self
            .snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .files
            .is_empty()
    }
}

/// Builds the site in memory, reusing parsed data files between builds.
struct Builder {
    site: PathBuf,
    cache: crate::BuildCache,
    /// The last good build's site and corrections log, for [`publish_check`].
    last_good: Option<(
        crate::discover::Site,
        Vec<crate::validate::corrections::Correction>,
    )>,
    /// What [`publish_check`] said last (as printed): said again in one line, not in full.
    last_publish_said: String,
}

impl Builder {
    fn build(&mut self) -> Result<(Snapshot, Vec<Diagnostic>), Vec<Diagnostic>> {
        let rendered = crate::render_cached(
            &self.site,
            false,
            crate::Compare::LastBuild,
            &mut self.cache,
        )?;
        let timer = crate::Timer::start();
        let mut files = rustc_hash::FxHashMap::with_capacity_and_hasher(
            rendered.output.files.len() + rendered.output.copies.len(),
            Default::default(),
        );
        // Each file's key made on every core (a string of its path, 20,000 of them).
        use rayon::prelude::*;
        let keyed: Vec<(String, Bytes)> = rendered
            .output
            .files
            .into_par_iter()
            .with_min_len(1024)
            .map(|(path, bytes)| (crate::render::output_key(&path), bytes))
            .collect();
        files.extend(keyed);
        let mut notes = rendered.notes;
        // discover() has already left out static files that link outside the site.
        for (path, source) in rendered.output.copies {
            match std::fs::read(&source) {
                Ok(bytes) => {
                    files.insert(crate::render::output_key(&path), Bytes::from(bytes));
                }
                Err(error) => notes.push(Diagnostic::unreadable(&source, &error)),
            }
        }
        timer.lap("files to serve");
        self.last_good = Some((rendered.site, rendered.corrections));
        let figures = Some(rendered.output.figures);
        let print = rendered.output.print;
        let search = rendered.output.search;
        Ok((
            Snapshot {
                files,
                figures,
                print,
                search,
                search_files: Default::default(),
                data_files: rendered.output.data_files,
            },
            notes,
        ))
    }
}

/// After a good build, served: what `huibao build` would say of it compared with the site
/// published in the output folder (the preview compares with its own last build, so an
/// entry of the corrections log whose `old` is not what was published, or a published entry
/// deleted, would otherwise show only when publishing). Said in the terminal; its errors
/// shown above the pages (the pages reloaded again when they change).
fn publish_check(
    builder: &mut Builder,
    shared: &Shared,
    options: &Options,
    figures: Option<Arc<crate::manifest::Manifest>>,
) {
    let (Some((site, corrections)), Some(figures)) = (builder.last_good.as_ref(), figures) else {
        return;
    };
    // A bug here must not end the preview either: then nothing is said.
    let said = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::against_published(site, &figures, corrections)
    }))
    .unwrap_or_default();
    let stops: Vec<Diagnostic> = said.iter().filter(|d| d.is_error()).cloned().collect();
    let lang = options.lang;
    let printed = diagnostics::render(&said, &options.site, lang);
    if printed == builder.last_publish_said && !said.is_empty() {
        // The same as after the last build (a page edited while an entry is still owed):
        // one line, not the list again.
        let line = match stops.is_empty() {
            true => Text::new(
                format!("与已发布的站点相比：仍是上次列出的 {} 条提醒", said.len()),
                format!(
                    "compared with the published site: still the {} warnings listed before",
                    said.len()
                ),
            ),
            false => Text::new(
                format!(
                    "与已发布的站点相比：仍有上次列出的问题（{} 条），huibao build 会停下，不发布",
                    said.len()
                ),
                format!(
                    "compared with the published site: still the {} problems listed before; huibao build would stop and publish nothing",
                    said.len()
                ),
            ),
        };
        println!("{}", line.get(lang));
    } else if !said.is_empty() {
        eprint!("{printed}");
        let line = match stops.is_empty() {
            true => Text::new(
                "与已发布的站点相比（huibao build 会同样提醒）：见上",
                "compared with the published site (huibao build says the same): see above",
            ),
            false => Text::new(
                "预览已更新，但与已发布的站点相比有上面的错误：huibao build 会停下，不发布；页面上显示这些错误",
                "the preview is updated, but compared with the published site it has the errors above: huibao build would stop and publish nothing; the pages show them",
            ),
        };
        println!("{}", line.get(lang));
    }
    builder.last_publish_said = printed;
    let mut shown = shared
        .publish_problems
        .write()
        .unwrap_or_else(|e| e.into_inner());
    let changed = !(shown.is_empty() && stops.is_empty());
    *shown = Arc::new(stops);
    drop(shown);
    if changed {
        let _ = shared.events.send("reload");
    }
}

/// Serves the site until Ctrl-C. Returns an error only when the server cannot start.
pub fn run(mut options: Options) -> Result<(), Vec<Diagnostic>> {
    // The watcher reports absolute paths.
    if let Ok(site) = std::fs::canonicalize(&options.site) {
        options.site = site;
    }
    let lang = options.lang;
    let (events, _) = broadcast::channel(16);
    let shared = Arc::new(Shared {
        snapshot: RwLock::new(Arc::new(Snapshot::default())),
        problems: RwLock::new(Arc::new(Vec::new())),
        publish_problems: RwLock::new(Arc::new(Vec::new())),
        builds: AtomicU64::new(0),
        page_views: AtomicU64::new(0),
        events,
        lang: options.lang,
        site: options.site.clone(),
    });
    let mut builder = Builder {
        site: options.site.clone(),
        cache: crate::BuildCache::default(),
        last_good: None,
        last_publish_said: String::new(),
    };
    rebuild(&mut builder, &shared, &options, None);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| vec![start_error(&format!("{e}"))])?;
    let address = SocketAddr::new(options.bind, options.port);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(address))
        .map_err(|e| vec![start_error(&format!("{address}: {e}"))])?;
    let local = listener
        .local_addr()
        .map_err(|e| vec![start_error(&e.to_string())])?;
    let url = format!("http://{local}/");
    // Ctrl-C is caught from before anything is printed: tokio installs its handler when the
    // wait is first polled, and a Ctrl-C before that would kill the process mid-way.
    let mut ctrl_c = Box::pin(tokio::signal::ctrl_c());
    let stopped_early = runtime.block_on(async {
        tokio::select! {
            biased;
            _ = &mut ctrl_c => true,
            () = std::future::ready(()) => false,
        }
    });
    // The watcher and the builder run on their own thread.
    match start_watcher(&options.site) {
        Some(watcher) => {
            let watch_shared = shared.clone();
            let watch_options = options.clone();
            std::thread::spawn(move || watch(builder, watch_shared, watch_options, watcher));
        }
        None => eprintln!(
            "{}",
            Text::new(
                "无法监视文件变化：修改后请重新运行 huibao serve",
                "cannot watch for changes: restart huibao serve after editing",
            )
            .get(lang)
        ),
    }
    println!(
        "{}",
        Text::new(
            format!("huibao 预览：{url}（Ctrl-C 停止）"),
            format!("huibao preview: {url} (Ctrl-C to stop)"),
        )
        .get(lang)
    );
    if !options.bind.is_loopback() {
        let bind = options.bind;
        eprintln!(
            "{}",
            Text::new(
                format!(
                    "警告：正在 {bind} 上提供预览，局域网里的其他电脑也能访问。预览只供本机使用；发布请用 huibao build。"
                ),
                format!(
                    "warning: serving on {bind}, reachable by other computers on the network. The preview is for this computer; publish with huibao build."
                ),
            )
            .get(lang)
        );
    }
    if options.open {
        open_browser(&url, lang);
    }

    let app = Router::new()
        .route(live::EVENTS_PATH, get(events_stream))
        .route(live::STATUS_PATH, get(status))
        .fallback(serve_file)
        .with_state(shared);
    runtime.block_on(async move {
        let shutdown = async move {
            if !stopped_early {
                let _ = ctrl_c.await;
            }
        };
        let server = axum::serve(listener, app).with_graceful_shutdown(shutdown);
        let _ = server.await;
    });
    println!(
        "{}",
        Text::new("已停止预览。", "preview stopped.").get(lang)
    );
    // Open event streams would keep the runtime waiting; nothing is left to finish.
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(())
}

fn start_error(detail: &str) -> Diagnostic {
    Diagnostic::error(
        "serve-start",
        None,
        Text::new(
            format!("无法启动预览服务器：{detail}"),
            format!("cannot start the preview server: {detail}"),
        ),
    )
    .with_hint(Text::new(
        "端口可能被占用：用 --port 换一个，例如 --port 1112",
        "the port may be in use: choose another with --port, e.g. --port 1112",
    ))
}

fn open_browser(url: &str, lang: Lang) {
    let opener = if cfg!(target_os = "windows") {
        std::process::Command::new("cmd")
            .args(["/C", "start", url])
            .spawn()
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    if opener.is_err() {
        eprintln!(
            "{}",
            Text::new(
                format!("无法打开浏览器，请手动访问 {url}"),
                format!("cannot open a browser; visit {url} yourself"),
            )
            .get(lang)
        );
    }
}

/// Builds, publishes the result to the handlers, reports in the terminal, tells the pages.
fn rebuild(builder: &mut Builder, shared: &Shared, options: &Options, changed: Option<&[PathBuf]>) {
    let started = Instant::now();
    // A file the watcher saw change is read again even if its time and size say otherwise.
    if let Some(paths) = changed {
        let relative: Vec<&Path> = paths
            .iter()
            .filter_map(|p| p.strip_prefix(&options.site).ok())
            .collect();
        builder.cache.data.forget(relative.iter().copied());
        // (A path outside the site folder as named: the folders are walked again.)
        builder.cache.changed = (relative.len() == paths.len())
            .then(|| relative.iter().map(|p| p.to_path_buf()).collect());
    }
    // A bug in a build must not end the preview: it is reported like any other problem.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.build()))
        .unwrap_or_else(|_| {
            builder.cache = crate::BuildCache::default();
            Err(vec![Diagnostic::error(
                "internal",
                None,
                Text::new(
                    "huibao 内部出错（上面是详情）：请报告这个问题；修改文件后会再试",
                    "an internal error in huibao (details above): please report it; it tries again after the next edit",
                ),
            )])
        });
    let elapsed = started.elapsed().as_millis();
    let lang = options.lang;
    let what = changed
        .map(|paths| {
            paths
                .iter()
                .map(|p| {
                    p.strip_prefix(&options.site)
                        .unwrap_or(p)
                        .display()
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join("、")
        })
        .unwrap_or_default();
    // The build is counted, and said, once the preview serves its result (its files, or its
    // problems): whoever sees the count or the words sees the state they belong to.
    match result {
        Ok((snapshot, notes)) => {
            let pages = snapshot.files.len();
            let figures = snapshot.figures.clone();
            // The last build's files (20,000 at 10,000 villages) are let go on a thread of
            // their own, not while the pages wait for the lock nor before the reload.
            let last = std::mem::replace(
                &mut *shared.snapshot.write().unwrap_or_else(|e| e.into_inner()),
                Arc::new(snapshot),
            );
            // (When no thread can be made, the closure and the files go here.)
            let _ = std::thread::Builder::new().spawn(move || drop(last));
            *shared.problems.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(Vec::new());
            if !notes.is_empty() {
                eprint!("{}", diagnostics::render(&notes, &options.site, lang));
            }
            let line = if what.is_empty() {
                Text::new(
                    format!("已生成 {pages} 个文件，用时 {elapsed} ms"),
                    format!("built {pages} files in {elapsed} ms"),
                )
            } else {
                Text::new(
                    format!("已重新生成（{what}），用时 {elapsed} ms"),
                    format!("rebuilt ({what}) in {elapsed} ms"),
                )
            };
            println!("{}", line.get(lang));
            let _ = shared.events.send("reload");
            publish_check(builder, shared, options, figures);
            shared.builds.fetch_add(1, Ordering::SeqCst);
        }
        Err(problems) => {
            let said = diagnostics::render(&problems, &options.site, lang);
            *shared.problems.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(problems);
            shared.builds.fetch_add(1, Ordering::SeqCst);
            eprint!("{said}");
            let line = match shared.serves_a_build() {
                true => Text::new(
                    format!(
                        "生成失败（用时 {elapsed} ms）：继续提供上一次成功生成的内容，页面上显示问题"
                    ),
                    format!(
                        "build failed ({elapsed} ms): still serving the last good build; the pages show the problems"
                    ),
                ),
                false => Text::new(
                    format!(
                        "生成失败（用时 {elapsed} ms）：还没有成功生成过，页面上只显示问题；修正后会自动显示报告"
                    ),
                    format!(
                        "build failed ({elapsed} ms): no build has succeeded yet, the pages show the problems only; the report shows once they are fixed"
                    ),
                ),
            };
            eprintln!("{}", line.get(lang));
            let _ = shared.events.send("errors");
        }
    }
}

/// The folders and file a site's build reads.
const WATCHED: [&str; 4] = ["data", "content", "themes", "static"];

type Watcher = notify_debouncer_full::Debouncer<
    notify_debouncer_full::notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

/// Starts watching the site (before the URL is printed, so no early edit is missed).
fn start_watcher(
    site: &Path,
) -> Option<(
    Watcher,
    std::sync::mpsc::Receiver<DebounceEventResult>,
    Vec<PathBuf>,
)> {
    let (sender, receiver) = std::sync::mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(Duration::from_millis(150), None, sender).ok()?;
    // The site folder itself, not recursively: huibao.toml, and folders created later.
    debouncer.watch(site, RecursiveMode::NonRecursive).ok()?;
    let mut watched = Vec::new();
    add_watches(&mut debouncer, site, &mut watched);
    Some((debouncer, receiver, watched))
}

/// Watches every folder of [`WATCHED`] that exists and is not watched yet.
fn add_watches(debouncer: &mut Watcher, site: &Path, watched: &mut Vec<PathBuf>) {
    watched.retain(|p| p.is_dir());
    for dir in WATCHED {
        let path = site.join(dir);
        if path.is_dir()
            && !watched.contains(&path)
            && debouncer.watch(&path, RecursiveMode::Recursive).is_ok()
        {
            watched.push(path);
        }
    }
}

fn watch(
    mut builder: Builder,
    shared: Arc<Shared>,
    options: Options,
    (mut debouncer, receiver, mut watched): (
        Watcher,
        std::sync::mpsc::Receiver<DebounceEventResult>,
        Vec<PathBuf>,
    ),
) {
    let site = options.site.clone();
    for result in receiver {
        let Ok(events) = result else {
            // The watcher failed and may have missed changes: the next build walks the
            // folders and asks every file's time and size again.
            builder.cache.site = None;
            continue;
        };
        if events.iter().any(|e| e.need_rescan()) {
            // The watcher lost track of what changed (its queue overflowed): look at all.
            builder.cache.site = None;
            add_watches(&mut debouncer, &site, &mut watched);
            rebuild(&mut builder, &shared, &options, None);
            continue;
        }
        // Reading files (the build itself) makes access events: only changes count.
        let mut changed: Vec<PathBuf> = events
            .iter()
            .filter(|e| e.kind.is_create() || e.kind.is_modify() || e.kind.is_remove())
            .flat_map(|e| e.paths.iter())
            .filter(|p| relevant(&site, p))
            .cloned()
            .collect();
        changed.sort();
        changed.dedup();
        if changed.is_empty() {
            continue;
        }
        // A watched folder that was created (or re-created) needs its own watch.
        add_watches(&mut debouncer, &site, &mut watched);
        rebuild(&mut builder, &shared, &options, Some(&changed));
    }
}

/// Whether a changed path can change the site: under a watched folder (not a hidden or
/// editor backup file), or `huibao.toml`.
fn relevant(site: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(site) else {
        return false;
    };
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") || name == "4913" {
        return false;
    }
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().to_string());
    match first.as_deref() {
        Some("huibao.toml") => true,
        Some(dir) => WATCHED.contains(&dir),
        None => false,
    }
}

async fn events_stream(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let stream = BroadcastStream::new(shared.events.subscribe())
        .filter_map(|message| message.ok())
        .map(|name| Ok::<Event, std::convert::Infallible>(Event::default().event(name).data(name)));
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn status(State(shared): State<Arc<Shared>>) -> Response {
    let problems = shared
        .problems
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let publish_problems = shared
        .publish_problems
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let body = serde_json::json!({
        "builds": shared.builds.load(Ordering::SeqCst),
        "ok": problems.is_empty(),
        "page_views": shared.page_views.load(Ordering::SeqCst),
        "clients": shared.events.receiver_count(),
        "problems": serde_json::from_str::<serde_json::Value>(&diagnostics::to_json(&problems, shared.lang)).unwrap_or_default(),
        "publish_problems": serde_json::from_str::<serde_json::Value>(&diagnostics::to_json(&publish_problems, shared.lang)).unwrap_or_default(),
    });
    let mut response = Response::new(Body::from(body.to_string()));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn serve_file(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed");
    }
    let snapshot = shared
        .snapshot
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let manifest = |key: &str| key == crate::manifest::FILE && snapshot.figures.is_some();
    let print = |key: &str| key == crate::render::print::PAGE && snapshot.print.is_some();
    let search =
        |key: &str| key.starts_with(crate::search::files::FOLDER) && snapshot.search.is_some();
    let data_file = |key: &str| snapshot.data_files.as_ref().is_some_and(|d| d.offers(key));
    let document = |key: &str| offered_document(&shared.site, key);
    match resolve(uri.path(), |key| {
        snapshot.files.contains_key(key)
            || manifest(key)
            || print(key)
            || search(key)
            || data_file(key)
            || document(key).is_some()
    }) {
        Resolved::Bad => plain(StatusCode::BAD_REQUEST, "400 Bad Request"),
        Resolved::Redirect(to) => {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::PERMANENT_REDIRECT;
            if let Ok(value) = HeaderValue::from_str(&to) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
        Resolved::NotFound => {
            let page = match shared.lang {
                Lang::Zh => {
                    "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>页面不存在</title></head><body style=\"font-family:sans-serif;padding:2em\"><h1>404 页面不存在</h1><p><a href=\"/\">回到首页</a></p></body></html>"
                }
                Lang::En => {
                    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head><body style=\"font-family:sans-serif;padding:2em\"><h1>404 Not Found</h1><p><a href=\"/\">Home</a></p></body></html>"
                }
            };
            let mut response = html_response(&shared, page);
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        }
        Resolved::File(key) => {
            let bytes = match (snapshot.files.get(&key), &snapshot.figures) {
                (Some(bytes), _) => bytes.clone(),
                (None, Some(figures)) if manifest(&key) => Bytes::from(figures.to_bytes()),
                (None, _) if print(&key) => match &snapshot.print {
                    Some(whole) => Bytes::from(whole.to_bytes()),
                    None => return plain(StatusCode::NOT_FOUND, "404 Not Found"),
                },
                (None, _) if search(&key) => {
                    let mut made = crate::spill::lock(&snapshot.search_files);
                    let file = made.get(&key).cloned().or_else(|| {
                        let index = snapshot.search.as_ref()?;
                        let bytes = Bytes::from(crate::search::files::file(index, &key)?);
                        made.insert(key.clone(), bytes.clone());
                        Some(bytes)
                    });
                    match file {
                        Some(bytes) => bytes,
                        None => return plain(StatusCode::NOT_FOUND, "404 Not Found"),
                    }
                }
                // The data's workbook or a sheet's CSV, made with the others the first time
                // one is asked for after a build (seconds for a county's data).
                (None, _) if data_file(&key) => {
                    let Some(data_files) = snapshot.data_files.clone() else {
                        return plain(StatusCode::NOT_FOUND, "404 Not Found");
                    };
                    let wanted = key.clone();
                    let made = tokio::task::spawn_blocking(move || data_files.file(&wanted)).await;
                    match made {
                        Ok(Ok(Some(bytes))) => bytes,
                        Ok(Ok(None)) => return plain(StatusCode::NOT_FOUND, "404 Not Found"),
                        Ok(Err(problem)) => return problems_response(&shared, &[problem]),
                        Err(_) => {
                            return plain(
                                StatusCode::INTERNAL_SERVER_ERROR,
                                "500 Internal Server Error",
                            );
                        }
                    }
                }
                // The report's PDF or Word document, made now from the site's files (a
                // build writes them into the site; the preview makes them when clicked).
                (None, _) => match document(&key) {
                    Some(kind) => {
                        let site = shared.site.clone();
                        let made =
                            tokio::task::spawn_blocking(move || crate::document_now(&site, kind))
                                .await;
                        match made {
                            Ok(Ok((bytes, said))) => {
                                // What the making of the document said (a chart font
                                // missing), as a build's warnings are.
                                if !said.is_empty() {
                                    eprint!(
                                        "{}",
                                        diagnostics::render(&said, &shared.site, shared.lang)
                                    );
                                }
                                Bytes::from(bytes)
                            }
                            Ok(Err(problems)) => return problems_response(&shared, &problems),
                            Err(_) => {
                                return plain(
                                    StatusCode::INTERNAL_SERVER_ERROR,
                                    "500 Internal Server Error",
                                );
                            }
                        }
                    }
                    None => return plain(StatusCode::NOT_FOUND, "404 Not Found"),
                },
            };
            let kind = content_type(&key);
            if kind.starts_with("text/html") {
                shared.page_views.fetch_add(1, Ordering::SeqCst);
                return html_response(&shared, &String::from_utf8_lossy(&bytes));
            }
            let mut response = Response::new(Body::from(bytes));
            set_headers(&mut response, kind);
            response
        }
    }
}

/// A file that could not be made: its problems as text, status 500.
fn problems_response(shared: &Shared, problems: &[Diagnostic]) -> Response {
    let text = diagnostics::render(problems, &shared.site, shared.lang);
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    set_headers(&mut response, "text/plain; charset=utf-8");
    response
}

/// An HTML page with the live-reload script, and the overlay while the last build failed.
fn html_response(shared: &Shared, html: &str) -> Response {
    let problems = shared
        .problems
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let mut extra = String::new();
    if !problems.is_empty() {
        extra.push_str(&live::overlay(
            &problems,
            shared.lang,
            shared.serves_a_build(),
        ));
    } else {
        let publish_problems = shared
            .publish_problems
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if !publish_problems.is_empty() {
            extra.push_str(&live::publish_overlay(&publish_problems, shared.lang));
        }
    }
    extra.push_str(&live::script());
    let mut response = Response::new(Body::from(live::inject(html, &extra)));
    set_headers(&mut response, "text/html; charset=utf-8");
    response
}

fn set_headers(response: &mut Response, kind: &'static str) {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// The document (PDF or Word) the site offers for download at `key`, if any (the data's
/// workbook is the snapshot's `data_files`).
fn offered_document(site: &Path, key: &str) -> Option<crate::ExportKind> {
    if !(key.ends_with(".pdf") || key.ends_with(".docx")) {
        return None;
    }
    let config = crate::config::Config::load(site).ok()?;
    config
        .downloads()
        .into_iter()
        .filter(|&kind| kind != crate::ExportKind::Xlsx)
        .find(|&kind| config.document_file(kind) == key)
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    set_headers(&mut response, "text/plain; charset=utf-8");
    response
}

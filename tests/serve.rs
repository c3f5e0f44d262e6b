//! `huibao serve`: real HTTP requests against the preview server on a free loopback port.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use std::{fs, thread};

/// A running `huibao serve`; stopped when dropped.
struct Server {
    child: Child,
    port: u16,
    output: Arc<Mutex<String>>,
}

impl Server {
    fn start(site: &std::path::Path, extra: &[&str]) -> Server {
        Server::start_with_env(site, extra, &[])
    }

    /// Starts the preview with environment variables `envs` set.
    fn start_with_env(
        site: &std::path::Path,
        extra: &[&str],
        envs: &[(&str, &std::ffi::OsStr)],
    ) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_huibao"))
            .args(["serve", "--port", "0"])
            .args(extra)
            .envs(envs.iter().copied())
            .current_dir(site)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let output = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let output = output.clone();
            thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    output.lock().unwrap().push_str(&format!("{line}\n"));
                }
            });
        }
        let started = Instant::now();
        let port = loop {
            let text = output.lock().unwrap().clone();
            if let Some(at) = text
                .find("http://127.0.0.1:")
                .or_else(|| text.find("http://0.0.0.0:"))
            {
                let rest = &text[at..];
                let rest = &rest[rest
                    .find("1:")
                    .map(|i| i + 2)
                    .or_else(|| rest.find("0:").map(|i| i + 2))
                    .unwrap()..];
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                break digits.parse().unwrap();
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "serve did not start:\n{text}"
            );
            thread::sleep(Duration::from_millis(20));
        };
        Server {
            child,
            port,
            output,
        }
    }

    fn said(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// A raw GET of `path` exactly as written: (status, headers, body as text).
    fn get(&self, path: &str) -> (u16, String, String) {
        let (status, head, body) = self.get_bytes(path);
        (status, head, page_text(&String::from_utf8_lossy(&body)))
    }

    /// A raw GET of `path` exactly as written: (status, headers, body).
    fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        // Generous: a test build is unoptimised, and a document made on request draws every
        // chart as a picture (11 s for the Word document on a slow 2-core machine).
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(response.len());
        let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
        let body = response.get(split + 4..).unwrap_or_default().to_vec();
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, head, body)
    }

    fn status(&self) -> serde_json::Value {
        serde_json::from_str(&self.get("/__huibao/status").2).unwrap()
    }

    /// Waits (up to 10 s) until `done` holds.
    fn wait_for(&self, what: &str, done: impl Fn(&Server) -> bool) {
        let started = Instant::now();
        while !done(self) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "timed out waiting for {what}\n{}",
                self.said()
            );
            thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn edit(site: &std::path::Path, file: &str, text: &str) {
    fs::write(site.join(file), text).unwrap();
}

const HENGXI: &str = "name: 横溪村\nregistered:\n  households: 78\n  people: 270\n";

#[test]
fn serves_the_site_with_live_reload_only_in_the_preview() {
    let site = copy_site(&fixture("small"));
    let server = Server::start(site.path(), &[]);
    let (status, headers, body) = server.get("/");
    assert_eq!(status, 200);
    assert!(
        headers.contains("content-type: text/html; charset=utf-8"),
        "{headers}"
    );
    assert!(
        body.contains("测试乡建档立卡贫困户1841户") && body.contains("/__huibao/events"),
        "{body}"
    );
    let (status, headers, _) = server.get("/assets/huibao.css");
    assert_eq!(status, 200);
    assert!(
        headers.contains("content-type: text/css; charset=utf-8"),
        "{headers}"
    );
    assert_eq!(
        server.get("/villages").0,
        308,
        "a folder without its slash redirects"
    );
    assert_eq!(server.get("/villages/").0, 200);
    // The figures manifest is made when asked for, as `build` writes it.
    let (status, _, manifest) = server.get("/figures.json");
    assert_eq!(status, 200);
    assert!(
        manifest.contains("\"data/villages/hengxi.yaml\""),
        "{manifest}"
    );
    let (status, _, body) = server.get("/no/such/page.html");
    assert_eq!(status, 404);
    assert!(body.contains("404"), "{body}");
    // The whole-report page is put together when asked for, as `build` writes it.
    let (status, _, whole) = server.get("/print.html");
    assert_eq!(status, 200);
    assert!(
        whole.contains("id=\"villages/hengxi\"") && whole.contains("/__huibao/events"),
        "{whole}"
    );
    // `build` output never carries the reload script.
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    assert_eq!(
        live_script_removed(&whole),
        page_text(&fs::read_to_string(out.path().join("print.html")).unwrap()),
        "the preview's whole-report page is the one build writes"
    );
    assert_eq!(
        fs::read_to_string(out.path().join("figures.json")).unwrap(),
        manifest,
        "the preview's figures.json is the one build writes"
    );
    // The search page and its index are the ones build writes (the index made when asked).
    let mut search_files = 0;
    for (path, bytes) in tree(out.path()) {
        let path = path.to_string_lossy().replace('\\', "/");
        if path.starts_with("search/") {
            let (status, _, served) = server.get(&format!("/{path}"));
            assert_eq!(status, 200, "{path}");
            assert_eq!(served.as_bytes(), &bytes[..], "{path}");
            search_files += 1;
        }
    }
    assert!(search_files >= 3, "the program, the terms and the pages");
    assert_eq!(server.get("/search/terms-99.js").0, 404);
    assert_eq!(server.get("/search/pages-99.js").0, 404);
    assert_eq!(
        live_script_removed(&server.get("/search.html").2),
        page_text(&fs::read_to_string(out.path().join("search.html")).unwrap()),
    );
    for (_, bytes) in tree(out.path()) {
        assert!(!String::from_utf8_lossy(&bytes).contains("__huibao"));
    }
    // Nothing was written into the site folder.
    assert!(!site.path().join("public").exists());
}

#[test]
fn content_types_carry_utf8() {
    let site = copy_site(&fixture("small"));
    fs::create_dir_all(site.path().join("static/files")).unwrap();
    for (name, text) in [
        ("a.json", "{}"),
        ("b.csv", "村,户\n"),
        ("c.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
        ("d.js", "1;"),
    ] {
        fs::write(site.path().join("static/files").join(name), text).unwrap();
    }
    let server = Server::start(site.path(), &[]);
    for (name, kind) in [
        ("a.json", "application/json"),
        ("b.csv", "text/csv"),
        ("c.svg", "image/svg+xml"),
        ("d.js", "text/javascript"),
    ] {
        let (status, headers, _) = server.get(&format!("/files/{name}"));
        assert_eq!(status, 200, "{name}");
        assert!(
            headers.contains(&format!("content-type: {kind}; charset=utf-8")),
            "{name}: {headers}"
        );
    }
}

#[test]
fn no_request_reads_outside_the_site() {
    let site = copy_site(&fixture("small"));
    fs::create_dir_all(site.path().join("static")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", site.path().join("static/passwd")).unwrap();
    std::os::unix::fs::symlink("/etc", site.path().join("static/etc")).unwrap();
    let server = Server::start(site.path(), &[]);
    let corpus = [
        "/../../../../etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/%252e%252e/%252e%252e/etc/passwd",
        "/..%252f..%252fetc%252fpasswd",
        "/..\\..\\etc\\passwd",
        "/..%5c..%5cetc%5cpasswd",
        "/villages/../../etc/passwd",
        "/villages/%2e%2e/%2e%2e/etc/passwd",
        "//etc/passwd",
        "/etc/passwd",
        "/passwd",
        "/etc/hostname",
        "/%00/etc/passwd",
        "/index.html%00.css",
        "/C:/Windows/win.ini",
        "/.%2e/.%2e/etc/passwd",
        "/%c0%ae%c0%ae/etc/passwd",
        "/./../etc/passwd",
    ];
    for path in corpus {
        let (status, _, body) = server.get(path);
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert!(!body.contains("root:"), "{path} leaked /etc/passwd");
    }
    server.wait_for("the static-outside warning", |s| {
        s.said().contains("[static-outside] static/passwd")
    });
}

#[test]
fn a_data_edit_reaches_the_page_and_errors_show_until_fixed() {
    let site = copy_site(&fixture("small"));
    let server = Server::start(site.path(), &[]);
    let builds = |s: &Server| s.status()["builds"].as_u64().unwrap();
    let before = builds(&server);
    let started = Instant::now();
    edit(
        site.path(),
        "data/villages/hengxi.yaml",
        &HENGXI.replace("78", "79"),
    );
    server.wait_for("the edit", |s| {
        s.get("/villages/hengxi.html").2.contains("贫困户79户")
    });
    eprintln!("edit served after {} ms", started.elapsed().as_millis());
    // The whole-report page follows: the edited village's section is made again.
    assert!(server.get("/print.html").2.contains("贫困户79户"));
    // So does the search index: the page's text and its terms.
    let texts: String = (0..)
        .map(|n| server.get(&format!("/search/pages-{n}.js")))
        .take_while(|(status, _, _)| *status == 200)
        .map(|(_, _, body)| body)
        .collect();
    assert!(texts.contains("贫困户79户"), "{texts}");
    assert!(server.get("/search/terms-0.js").2.contains("\n\"79\":["));
    // Pages that sum over the villages are rebuilt too (the others are reused).
    assert!(
        server.get("/villages/").2.contains("91户"),
        "the overview's total includes the edit"
    );
    assert!(server.get("/").2.contains("测试乡建档立卡贫困户1841户"));
    // The terminal output is read by another thread: wait for the rebuild's line.
    server.wait_for("the rebuild names the file and its time", |s| {
        s.said().contains("data/villages/hengxi.yaml") && s.said().contains(" ms")
    });

    // A broken file: the last good page stays, with the problems over it.
    edit(
        site.path(),
        "data/villages/hengxi.yaml",
        "name: 横溪村\nregistered: [\n",
    );
    server.wait_for("the error", |s| !s.status()["ok"].as_bool().unwrap());
    let (status, _, page) = server.get("/villages/hengxi.html");
    assert_eq!(status, 200);
    assert!(
        page.contains("贫困户79户"),
        "the last good build is still served"
    );
    assert!(
        page.contains("id=\"huibao-overlay\"") && page.contains("data/villages/hengxi.yaml:2:13"),
        "{page}"
    );
    assert!(
        server.get("/").2.contains("huibao-overlay"),
        "every page shows the overlay"
    );
    // Fixed: the overlay goes.
    edit(site.path(), "data/villages/hengxi.yaml", HENGXI);
    server.wait_for("the fix", |s| s.status()["ok"].as_bool().unwrap());
    let page = server.get("/villages/hengxi.html").2;
    assert!(
        !page.contains("huibao-overlay\" role") && page.contains("贫困户78户"),
        "{page}"
    );
    assert!(builds(&server) >= before + 3);
}

/// A preview started on a site that does not build yet says so: neither the overlay nor the
/// terminal speaks of a last good build; the report shows once the mistake is fixed.
#[test]
fn a_preview_started_on_a_broken_site_says_no_build_has_succeeded() {
    let site = copy_site(&fixture("small"));
    edit(
        site.path(),
        "data/villages/hengxi.yaml",
        "name: 横溪村\nregistered: [\n",
    );
    let server = Server::start(site.path(), &[]);
    server.wait_for("the error", |s| !s.status()["ok"].as_bool().unwrap());
    let page = server.get("/").2;
    assert!(
        page.contains("id=\"huibao-overlay\"") && page.contains("还没有成功生成过"),
        "{page}"
    );
    assert!(!page.contains("上一次成功生成的内容"), "{page}");
    server.wait_for("the terminal's line", |s| {
        s.said().contains("还没有成功生成过，页面上只显示问题")
    });
    edit(site.path(), "data/villages/hengxi.yaml", HENGXI);
    server.wait_for("the fix", |s| s.status()["ok"].as_bool().unwrap());
    let page = server.get("/").2;
    assert!(
        !page.contains("huibao-overlay\" role") && page.contains("测试乡建档立卡贫困户1841户"),
        "{page}"
    );
}

#[test]
fn pages_are_told_to_reload() {
    let site = copy_site(&fixture("small"));
    let server = Server::start(site.path(), &[]);
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /__huibao/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    server.wait_for("the event client", |s| {
        s.status()["clients"].as_u64().unwrap() >= 1
    });
    edit(
        site.path(),
        "data/villages/hengxi.yaml",
        &HENGXI.replace("78", "80"),
    );
    let mut seen = String::new();
    let mut buf = [0u8; 1024];
    while !seen.contains("event: reload") {
        let n = stream.read(&mut buf).expect("the event arrives");
        assert!(n > 0, "stream closed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
}

#[test]
fn stays_up_under_concurrent_requests_while_rebuilding() {
    let site = copy_site(&fixture("small"));
    let server = Arc::new(Server::start(site.path(), &[]));
    let workers: Vec<_> = (0..8)
        .map(|i| {
            let server = server.clone();
            thread::spawn(move || {
                for n in 0..40 {
                    let path = [
                        "/",
                        "/villages/hengxi.html",
                        "/villages/",
                        "/assets/huibao.css",
                    ][(i + n) % 4];
                    let (status, _, body) = server.get(path);
                    assert_eq!(status, 200, "{path}");
                    assert!(!body.is_empty());
                }
            })
        })
        .collect();
    for n in 0..10 {
        edit(
            site.path(),
            "data/villages/hengxi.yaml",
            &HENGXI.replace("78", &(100 + n).to_string()),
        );
        thread::sleep(Duration::from_millis(60));
    }
    for worker in workers {
        worker.join().expect("every request answered");
    }
    server.wait_for("the last edit", |s| {
        s.get("/villages/hengxi.html").2.contains("贫困户109户")
    });
}

#[test]
fn a_folder_added_later_is_watched() {
    let site = copy_site(&fixture("small"));
    let server = Server::start(site.path(), &[]);
    fs::create_dir_all(site.path().join("static/docs")).unwrap();
    server.wait_for("the new folder", |s| {
        s.status()["builds"].as_u64().unwrap() >= 2
    });
    fs::write(site.path().join("static/docs/note.txt"), "说明").unwrap();
    server.wait_for("the new file", |s| s.get("/docs/note.txt").0 == 200);
    // And a folder removed is gone from the preview.
    fs::remove_dir_all(site.path().join("static")).unwrap();
    server.wait_for("the removal", |s| s.get("/docs/note.txt").0 == 404);
    fs::create_dir_all(site.path().join("static")).unwrap();
    fs::write(site.path().join("static/again.txt"), "再来").unwrap();
    server.wait_for("the re-created folder", |s| s.get("/again.txt").0 == 200);
}

#[test]
fn a_non_loopback_bind_warns_and_ctrl_c_stops_cleanly() {
    let site = copy_site(&fixture("small"));
    let mut server = Server::start(site.path(), &["--bind", "0.0.0.0"]);
    // Standard error is read by another thread than standard output: wait for the warning.
    server.wait_for("the warning about other computers", |s| {
        s.said().contains("其他电脑也能访问")
    });
    let stopped = Command::new("kill")
        .args(["-INT", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "did not stop");
        thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    server.wait_for("the goodbye", |s| s.said().contains("已停止预览"));
}

#[test]
fn an_open_page_reloads_itself_in_the_browser() {
    let Some(browser) = common::browser::chromium() else {
        return;
    };
    let site = copy_site(&fixture("small"));
    let server = Server::start(site.path(), &[]);
    let profile = tempfile::tempdir().unwrap();
    let mut chromium = Command::new(browser)
        .args(common::browser::FLAGS)
        .arg("--remote-debugging-port=0")
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!(
            "http://127.0.0.1:{}/villages/hengxi.html",
            server.port
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let views = |s: &Server| s.status()["page_views"].as_u64().unwrap();
    server.wait_for("the page to open its event stream", |s| {
        s.status()["clients"].as_u64().unwrap() >= 1
    });
    let before = views(&server);
    edit(
        site.path(),
        "data/villages/hengxi.yaml",
        &HENGXI.replace("78", "81"),
    );
    server.wait_for("the page to reload", |s| views(s) > before);
    let _ = chromium.kill();
    let _ = chromium.wait();
}

#[test]
fn a_broken_total_is_blamed_on_the_file_just_edited() {
    let site = copy_site(&repo());
    let server = Server::start(site.path(), &[]);
    server.wait_for("the first build", |s| {
        s.status()["ok"].as_bool() == Some(true)
    });
    let hengxi = site.path().join("data/villages/hengxi.yaml");
    let text_before = fs::read_to_string(&hengxi).unwrap();
    fs::write(
        &hengxi,
        text_before.replace("households: 132 ", "households: 133 "),
    )
    .unwrap();
    server.wait_for("the error", |s| s.status()["ok"].as_bool() == Some(false));
    let page = server.get("/villages/hengxi.html").2;
    // The sum over the villages fails; the overlay names the village just edited, not the
    // township's total or the first village in file order.
    assert!(
        page.contains("villages-registered-households")
            && page.contains("data/villages/hengxi.yaml:7:15"),
        "{page}"
    );
}

/// A page as the preview served it, without the live-reload script it adds before `</body>`.
fn live_script_removed(html: &str) -> String {
    let end = html.rfind("</body>").expect("a whole page");
    let start = html[..end]
        .rfind("<script>/* huibao serve")
        .expect("the live-reload script");
    format!("{}{}", &html[..start], &html[end..])
}

#[test]
fn a_tables_csv_is_served_beside_its_page() {
    let site = copy_site(&repo());
    let server = Server::start(site.path(), &[]);
    let (status, _, html) = server.get("/villages/index.html");
    assert_eq!(status, 200);
    assert!(html.contains("href=\"index.table-1.csv\" download>下载 CSV</a>"));
    let (status, headers, csv) = server.get("/villages/index.table-1.csv");
    assert_eq!(status, 200, "{headers}");
    assert!(csv.starts_with('\u{feff}'), "{csv}");
    assert!(csv.contains("横溪村,十三五贫困村,2018,132,468,"), "{csv}");
    // The page 「数据下载」, its sheets' CSV and the workbook are served too.
    let (status, _, html) = server.get("/downloads.html");
    assert_eq!(status, 200);
    assert!(html.contains("村委会.csv"), "{html}");
    let (status, headers, csv) = server.get("/downloads/%E6%9D%91%E5%A7%94%E4%BC%9A.csv");
    assert_eq!(status, 200, "{headers}");
    assert!(csv.contains("hengxi,横溪村"), "{csv}");
    let workbook = "/%E7%A4%BA%E4%BE%8B%E4%B9%A12020%E5%B9%B4%E8%84%B1%E8%B4%AB%E6%94%BB%E5%9D%9A%E5%B7%A5%E4%BD%9C%E6%83%85%E5%86%B5%E6%B1%87%E6%8A%A5-%E6%95%B0%E6%8D%AE.xlsx";
    let (status, headers, _) = server.get(workbook);
    assert_eq!(status, 200, "{headers}");
}

#[test]
fn the_data_downloads_follow_a_correction_with_the_bytes_a_build_writes() {
    let site = copy_site(&repo());
    let server = Server::start(site.path(), &[]);
    let workbook = "示例乡2020年脱贫攻坚工作情况汇报-数据.xlsx";
    let csv = "downloads/村委会.csv";
    let url = |path: &str| {
        let encoded: String = path
            .bytes()
            .map(|b| match b {
                b'.' | b'/' | b'-' | b'0'..=b'9' | b'a'..=b'z' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
        format!("/{encoded}")
    };
    let (status, _, before) = server.get_bytes(&url(workbook));
    assert_eq!(status, 200);
    // A correction of a village's text (no rule reads it): the preview lists the sheets
    // again and makes the files anew when they are next asked for.
    let hengxi = site.path().join("data/villages/hengxi.yaml");
    let text = fs::read_to_string(&hengxi).unwrap();
    fs::write(&hengxi, text.replace("定点帮扶", "定点帮扶（已核对）")).unwrap();
    server.wait_for("the corrected sheet", |s| {
        String::from_utf8_lossy(&s.get_bytes(&url(csv)).2).contains("定点帮扶（已核对）")
    });
    let (status, _, after) = server.get_bytes(&url(workbook));
    assert_eq!(status, 200);
    assert_ne!(
        after, before,
        "the workbook is made again after the correction"
    );
    // The same bytes a build writes.
    let out = tempfile::tempdir().unwrap();
    let built = huibao(
        site.path(),
        &["build", "--out", &out.path().to_string_lossy()],
    );
    assert!(built.status.success(), "{built:?}");
    assert_eq!(after, fs::read(out.path().join(workbook)).unwrap());
    assert_eq!(
        server.get_bytes(&url(csv)).2,
        fs::read(out.path().join(csv)).unwrap()
    );
    // The page lists the sheets as a build's does (counted, not made, by the preview).
    let (_, _, page) = server.get_bytes("/downloads.html");
    assert_eq!(
        live_script_removed(&String::from_utf8_lossy(&page)),
        fs::read_to_string(out.path().join("downloads.html")).unwrap()
    );
    // A sheet the site does not have is not found.
    let (status, _, _) = server.get("/downloads/%E6%97%A0.csv");
    assert_eq!(status, 404);
}

#[test]
fn a_workbook_that_cannot_be_made_is_answered_with_what_to_do() {
    // Its rows go through the system's temporary folder: one that does not exist stops the
    // workbook (and the CSVs made with it), told as text with status 500; the pages stay.
    let site = copy_site(&repo());
    let missing = site.path().join("no-such-temp");
    let server = Server::start_with_env(site.path(), &[], &[("TMPDIR", missing.as_os_str())]);
    let (status, _, text) = server.get(
        "/%E7%A4%BA%E4%BE%8B%E4%B9%A12020%E5%B9%B4%E8%84%B1%E8%B4%AB%E6%94%BB%E5%9D%9A%E5%B7%A5%E4%BD%9C%E6%83%85%E5%86%B5%E6%B1%87%E6%8A%A5-%E6%95%B0%E6%8D%AE.xlsx",
    );
    assert_eq!(status, 500, "{text}");
    assert!(
        text.contains("TMPDIR") && text.contains("no-such-temp"),
        "{text}"
    );
    let (status, _, _) = server.get("/downloads.html");
    assert_eq!(status, 200);
    // Once the folder is there, the next request makes the workbook (no edit needed).
    fs::create_dir(&missing).unwrap();
    let (status, headers, _) = server.get(
        "/%E7%A4%BA%E4%BE%8B%E4%B9%A12020%E5%B9%B4%E8%84%B1%E8%B4%AB%E6%94%BB%E5%9D%9A%E5%B7%A5%E4%BD%9C%E6%83%85%E5%86%B5%E6%B1%87%E6%8A%A5-%E6%95%B0%E6%8D%AE.xlsx",
    );
    assert_eq!(status, 200, "{headers}");
}

/// A copy of the bundled report offering its Word document too.
fn bundled_site_offering_word() -> tempfile::TempDir {
    let site = copy_site(&repo());
    let config = fs::read_to_string(site.path().join("huibao.toml")).unwrap();
    fs::write(
        site.path().join("huibao.toml"),
        config.replace("downloads = [\"xlsx\"]", "downloads = [\"xlsx\", \"docx\"]"),
    )
    .unwrap();
    site
}

/// The bundled report's Word document's file name as its link writes it.
fn word_document_link() -> String {
    "示例乡2020年脱贫攻坚工作情况汇报.docx"
        .bytes()
        .map(|b| match b {
            b'.' | b'0'..=b'9' | b'a'..=b'z' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn the_report_s_word_document_is_made_when_its_link_is_followed() {
    let site = bundled_site_offering_word();
    let server = Server::start(site.path(), &[]);
    let (status, _, html) = server.get("/index.html");
    assert_eq!(status, 200);
    assert!(html.contains(".docx"), "{html}");
    let name = word_document_link();
    let (status, headers, _) = server.get(&format!("/{name}"));
    assert_eq!(status, 200, "{headers}");
    assert!(
        headers.contains("content-type: application/vnd.openxmlformats"),
        "{headers}"
    );
    // A document the site does not offer is not made.
    let (status, _, _) = server.get(&format!("/{}", name.replace(".docx", ".pdf")));
    assert_eq!(status, 404);
}

#[test]
fn a_word_document_made_at_its_link_on_a_machine_without_chinese_fonts_is_warned_of() {
    // The preview makes the document when its link is followed: what its making says (its
    // charts' Chinese would be blank) is printed as a build's warnings are.
    let site = bundled_site_offering_word();
    let no_fonts = NoFonts::new();
    let server = Server::start_with_env(site.path(), &[], &no_fonts.env());
    server.wait_for("the first build", |s| {
        s.status()["builds"].as_u64() >= Some(1)
    });
    assert!(
        !server.said().contains("chart-font-missing"),
        "{}",
        server.said()
    );
    let name = word_document_link();
    let (status, headers, _) = server.get(&format!("/{name}"));
    assert_eq!(status, 200, "{headers}");
    server.wait_for("the warning", |s| s.said().contains("chart-font-missing"));
    let said = server.said();
    assert!(said.contains("图表中的中文会是空白"), "{said}");
    assert!(said.contains("fonts-noto-cjk"), "{said}");
    assert_eq!(said.matches("chart-font-missing").count(), 1, "{said}");
}

/// A page reused by the next build is checked again: a broken link stays an error after an
/// edit that does not touch the page (it was dropped from the preview's problems).
#[test]
fn a_broken_link_stays_reported_after_an_unrelated_edit() {
    let site = copy_site(&fixture("small"));
    let server = Server::start(site.path(), &[]);
    let index = site.path().join("content/index.md");
    let before = fs::read_to_string(&index).unwrap();
    let builds = |s: &Server| s.status()["builds"].as_u64().unwrap();
    let first = builds(&server);
    fs::write(
        &index,
        format!("{before}\n[横溪](villages/hengxi.md#没有这个标题)\n"),
    )
    .unwrap();
    server.wait_for("the broken link", |s| !s.status()["ok"].as_bool().unwrap());
    let broken = builds(&server);
    assert!(broken > first);
    // A comment in a data file: a build that reuses the home page.
    let hengxi = site.path().join("data/villages/hengxi.yaml");
    let data = fs::read_to_string(&hengxi).unwrap();
    fs::write(&hengxi, format!("{data}# 备注\n")).unwrap();
    server.wait_for("the next build", |s| builds(s) > broken);
    let status = server.status();
    assert_eq!(status["ok"], false, "{status}");
    assert!(status.to_string().contains("没有这个标题"), "{status}");
    // Fixed: the error goes.
    fs::write(&index, &before).unwrap();
    server.wait_for("the fix", |s| s.status()["ok"].as_bool().unwrap());
}

/// The preview walks the folders again only when a file may be new or gone: a file added,
/// one saved through a temporary file and a rename (as many editors save), one removed and
/// a folder moved away all reach the pages; an edit in place reuses the files found.
#[test]
fn files_added_saved_by_rename_removed_and_moved_away_reach_the_preview() {
    let site = copy_site(&fixture("small"));
    let server = Server::start(site.path(), &[]);
    let villages = site.path().join("data/villages");
    fs::write(
        villages.join("xincun.yaml"),
        HENGXI.replace("横溪村", "新村"),
    )
    .unwrap();
    server.wait_for("the new village", |s| {
        s.get("/villages/xincun.html").2.contains("新村")
    });
    // Saved as an editor does: written beside it, then renamed over it.
    fs::write(
        villages.join(".xincun.yaml.tmp"),
        HENGXI.replace("横溪村", "新新村"),
    )
    .unwrap();
    fs::rename(
        villages.join(".xincun.yaml.tmp"),
        villages.join("xincun.yaml"),
    )
    .unwrap();
    server.wait_for("the renamed save", |s| {
        s.get("/villages/xincun.html").2.contains("新新村")
    });
    edit(
        site.path(),
        "data/villages/xincun.yaml",
        &HENGXI.replace("横溪村", "旧村"),
    );
    server.wait_for("the edit in place", |s| {
        s.get("/villages/xincun.html").2.contains("旧村")
    });
    fs::remove_file(villages.join("xincun.yaml")).unwrap();
    server.wait_for("the removal", |s| s.get("/villages/xincun.html").0 == 404);
    // A folder moved out of the site: its files go without events of their own.
    let away = tempfile::tempdir().unwrap();
    fs::rename(&villages, away.path().join("villages")).unwrap();
    server.wait_for("the folder moved away", |s| {
        !s.status()["ok"].as_bool().unwrap()
    });
    // The message reaches the test through the thread reading the server's output, which
    // may lag behind the status the server sets after printing it.
    server.wait_for("the message of the folder moved away", |s| {
        s.said().contains("data/villages 下没有数据文件")
    });
}

#[test]
fn a_preview_of_a_site_folder_that_is_not_there_stops_at_once() {
    // It would otherwise wait, serving an error page, watching nothing.
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("没有这个站点");
    let mut child = Command::new(env!("CARGO_BIN_EXE_huibao"))
        .args(["serve", "--port", "0", "--site"])
        .arg(&missing)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            break None;
        }
        thread::sleep(Duration::from_millis(50));
    };
    let mut said = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut said)
        .unwrap();
    assert_eq!(status.and_then(|s| s.code()), Some(1), "{said}");
    assert!(
        said.contains("错误[site-missing]") && said.contains("不存在"),
        "{said}"
    );
}

#[test]
fn a_correction_the_published_site_contradicts_shows_in_the_preview() {
    // The bundled report published, then an entry of its corrections log deleted: the
    // preview builds (it compares with its own last build) but `huibao build` would stop.
    let site = copy_site(&repo());
    let built = huibao(site.path(), &["build"]);
    assert!(built.status.success(), "{}", text(&built));
    let log = site.path().join("data/corrections.yaml");
    let entries = fs::read_to_string(&log).unwrap();
    let first = "  - date: 2020-12-01\n    what: policies.health.family_doctor.served_people\n";
    let at = entries.find(first).unwrap();
    let second = at
        + entries[at..]
            .find("  - date: 2020-12-01\n    what: policies.industry")
            .unwrap();
    fs::write(&log, format!("{}{}", &entries[..at], &entries[second..])).unwrap();
    let server = Server::start(site.path(), &[]);
    server.wait_for("the first build", |s| {
        s.status()["builds"].as_u64() >= Some(1)
    });
    let status = server.status();
    assert_eq!(status["ok"], true, "{status}");
    assert_eq!(
        status["publish_problems"][0]["code"], "correction-removed",
        "{status}"
    );
    let (_, _, page) = server.get("/");
    assert!(
        page.contains("huibao：预览正常，但发布时（huibao build）会因以下问题停下")
            && page.contains("已发布的站点上有第 1 条更正"),
        "{page}"
    );
    assert!(
        server
            .said()
            .contains("与已发布的站点相比有上面的错误：huibao build 会停下"),
        "{}",
        server.said()
    );
    // A page edited while the log still contradicts the published site: said again in one
    // line, not listed again.
    let notes = site.path().join("content/data-notes.md");
    let text_before = fs::read_to_string(&notes).unwrap();
    fs::write(&notes, format!("{text_before}\n又及。\n")).unwrap();
    server.wait_for("the page edited", |s| {
        s.said().contains("仍有上次列出的问题（1 条）")
    });
    assert_eq!(
        server.said().matches("已发布的站点上有第 1 条更正").count(),
        1,
        "{}",
        server.said()
    );
    // Put back: the overlay goes at the next build.
    fs::write(&log, &entries).unwrap();
    server.wait_for("the log put back", |s| {
        s.status()["publish_problems"]
            .as_array()
            .is_some_and(Vec::is_empty)
    });
    let (_, _, page) = server.get("/");
    assert!(!page.contains("<div id=\"huibao-overlay\""), "{page}");
}

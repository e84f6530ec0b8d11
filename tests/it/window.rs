//! Driving the real app window: a private X server and tauri-driver per test, sessions on the
//! app, and the helpers the window tests share (waiting for text, clicking, typing in the editor).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use meshdesk_tests::{Proc, Xvfb, closed_port, repo_root, target_dir, tool, wait_webdriver_ready};

pub(crate) async fn cards(client: &Client) -> Vec<String> {
    let mut ids = Vec::new();
    for el in client.find_all(Locator::Css(".product-card")).await.unwrap_or_default() {
        if let Ok(Some(id)) = el.attr("data-product-id").await {
            ids.push(id);
        }
    }
    ids.sort();
    ids
}

pub(crate) async fn wait_for_cards(client: &Client, want: &[&str], within: Duration) {
    let started = Instant::now();
    loop {
        let got = cards(client).await;
        if got == want {
            return;
        }
        if started.elapsed() > within {
            let body = match client.find(Locator::Css("body")).await {
                Ok(b) => b.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            panic!("expected cards {want:?} within {within:?}, saw {got:?}; the page says:\n{body}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Saves a screenshot of the window as `target/e2e/<name>.png`, once the page has settled.
pub(crate) async fn shot(client: &Client, name: &str) {
    tokio::time::sleep(Duration::from_millis(400)).await;
    let dir = repo_root().join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), client.screenshot().await.unwrap()).unwrap();
}

/// The app binary the tests launch (scripts/test.sh builds it and sets `MESHDESK_APP_BIN`).
pub(crate) fn app_bin() -> PathBuf {
    let app =
        std::env::var_os("MESHDESK_APP_BIN").map(PathBuf::from).unwrap_or_else(|| target_dir().join("debug/meshdesk"));
    assert!(app.is_file(), "the app binary {} is missing: scripts/test.sh builds it before the tests", app.display());
    app
}

/// A private X server and a tauri-driver on free ports. The apps it launches inherit a fresh,
/// private data dir (`data/meshdesk`). Dropped in field order: the driver (and the apps) first.
pub(crate) struct Driver {
    pub(crate) url: String,
    _driver: Proc,
    _xvfb: Xvfb,
    pub(crate) data: tempfile::TempDir,
}

impl Driver {
    pub(crate) async fn start() -> Driver {
        Self::start_as(None).await
    }

    /// [`Driver::start`], the apps acting as `principal` in their sandbox (`MESHDESK_PRINCIPAL`).
    pub(crate) async fn start_as(principal: Option<&str>) -> Driver {
        Self::start_with(principal, &[], &[]).await
    }

    /// [`Driver::start_as`], with variables set and removed in the apps' environment.
    pub(crate) async fn start_with(
        principal: Option<&str>,
        set: &[(&str, &std::path::Path)],
        remove: &[&str],
    ) -> Driver {
        let xvfb = Xvfb::start();
        let data = tempfile::tempdir().unwrap();
        let (port, native_port) = (closed_port(), closed_port());
        let log = std::fs::File::create(data.path().join("tauri-driver.log")).unwrap();
        let mut cmd = Command::new(tool("tauri-driver"));
        for name in remove {
            cmd.env_remove(name);
        }
        let driver = Proc::spawn(
            cmd.args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
                .env("DISPLAY", &xvfb.display)
                // Inherited by WebKitWebDriver and the app it launches.
                .env("MESHDESK_DATA_DIR", data.path().join("meshdesk"))
                .envs(principal.map(|p| ("MESHDESK_PRINCIPAL", p)))
                .envs(set.iter().copied())
                .stdout(Stdio::null())
                .stderr(log),
        )
        .expect("tauri-driver starts");
        let url = format!("http://127.0.0.1:{port}");
        wait_webdriver_ready(&url, Duration::from_secs(30)).await;
        Driver { url, _driver: driver, _xvfb: xvfb, data }
    }

    /// Answers the app's save dialog (GTK's file chooser, a window of its own that WebDriver
    /// cannot reach) as a person would, with the keyboard through the X server: the path typed
    /// into the name field, then Enter. `xdotool` comes from Debian (scripts/setup.sh test).
    pub(crate) async fn save_as(&self, path: &std::path::Path) {
        let xdotool = |args: &[&str]| {
            let out =
                Command::new("xdotool").env("DISPLAY", &self._xvfb.display).args(args).output().expect("xdotool runs");
            (out.status.success(), String::from_utf8_lossy(&out.stdout).trim().to_owned())
        };
        let started = Instant::now();
        let window = loop {
            let (ok, found) = xdotool(&["search", "--onlyvisible", "--name", "^Save"]);
            if ok && let Some(id) = found.lines().next_back() {
                break id.to_owned();
            }
            assert!(started.elapsed() < Duration::from_secs(20), "no save dialog appeared");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let typed = path.to_str().expect("a UTF-8 path");
        for step in [
            vec!["windowfocus", "--sync", window.as_str()],
            vec!["key", "--clearmodifiers", "ctrl+a"],
            vec!["type", "--delay", "20", typed],
            vec!["key", "Return"],
        ] {
            let (ok, _) = xdotool(&step);
            assert!(ok, "xdotool {step:?} failed");
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Ends a session and waits until its app has let go of the data dir, so the next session
    /// starts a fresh app rather than meeting the closing one (which would take it for a second
    /// start, bring its window forward and leave the new session without a window).
    pub(crate) async fn close(&self, client: Client) {
        client.close().await.unwrap();
        let lock = self.data.path().join("meshdesk/app.lock");
        let started = Instant::now();
        loop {
            let free = std::fs::OpenOptions::new().read(true).write(true).open(&lock).map(|f| {
                use std::os::fd::AsRawFd;
                // SAFETY: flock on a descriptor this block owns; closing it releases the lock.
                unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
            });
            if free.unwrap_or(true) {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "the app did not exit after its session closed");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

pub(crate) async fn text_of(client: &Client, css: &str, within: Duration, want: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        if let Ok(el) = client.find(Locator::Css(css)).await
            && let Ok(t) = el.text().await
        {
            if want(&t) {
                return t;
            }
            if started.elapsed() > within {
                panic!("`{css}` says `{t}`, not what was expected");
            }
        }
        assert!(started.elapsed() < within, "`{css}` never appeared");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Replaces the text of a code editor (CodeMirror) by typing, as a person would: select all,
/// delete, type.
pub(crate) async fn type_in_editor(client: &Client, editor_css: &str, text: &str) {
    let content = client.find(Locator::Css(&format!("{editor_css} .cm-content"))).await.unwrap();
    content.click().await.unwrap();
    // Ctrl+A, release, Backspace.
    content.send_keys("\u{E009}a\u{E000}\u{E003}").await.unwrap();
    content.send_keys(text).await.unwrap();
}

/// A session on `app` started with no arguments: its own embedded sandbox.
pub(crate) async fn session_plain(url: &str, app: &std::path::Path) -> Client {
    connect(url, app, &[]).await
}

/// A session on `app` started on the environment file `env`.
pub(crate) async fn session(url: &str, app: &std::path::Path, env: &std::path::Path) -> Client {
    connect(url, app, &["--env", env.to_str().unwrap()]).await
}

/// A session on `app` started with `args`, once its window is there.
async fn connect(url: &str, app: &std::path::Path, args: &[&str]) -> Client {
    let caps = serde_json::json!({
        "browserName": "wry",
        "tauri:options": { "application": app.to_str().unwrap(), "args": args }
    });
    let mut builder = ClientBuilder::native();
    builder.capabilities(caps.as_object().unwrap().clone());
    tokio::time::timeout(Duration::from_secs(120), builder.connect(url))
        .await
        .expect("the app window appears within two minutes")
        .expect("a WebDriver session on the app window")
}

pub(crate) async fn click(client: &Client, css: &str) {
    let started = Instant::now();
    loop {
        if let Ok(el) = client.find(Locator::Css(css)).await
            && el.click().await.is_ok()
        {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "`{css}` never became clickable");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A session on `app` as the environment file `env` says, on the Requests page once the catalog
/// shows `cards`.
pub(crate) async fn open_requests(url: &str, app: &std::path::Path, env: &std::path::Path, cards: &[&str]) -> Client {
    let client = session(url, app, env).await;
    wait_for_cards(&client, cards, Duration::from_secs(60)).await;
    open_requests_page(&client).await;
    client
}

async fn open_requests_page(client: &Client) {
    client.find(Locator::Css(".sidebar a[href='/requests']")).await.unwrap().click().await.unwrap();
}

/// From the catalog: opens Stock levels and fills its request form for the Sales domain.
pub(crate) async fn fill_request(client: &Client, consumer: &str, purpose: &str) {
    click(client, ".product-card[data-product-id='inventory.stock-levels'] .product-title a").await;
    text_of(client, "#product-title", Duration::from_secs(10), |t| t == "Stock levels").await;
    click(client, "#tab-access").await;
    text_of(client, "#request-domain", Duration::from_secs(10), |t| t.contains("sales")).await;
    client.find(Locator::Id("request-consumer")).await.unwrap().send_keys(consumer).await.unwrap();
    client.find(Locator::Id("request-purpose")).await.unwrap().send_keys(purpose).await.unwrap();
}

/// Sends the filled request and waits until it shows as pending among mine: it went out and
/// came back through the log, accepted by the fold.
pub(crate) async fn send_request(client: &Client) {
    click(client, "#send-request").await;
    text_of(client, "#request-sent", Duration::from_secs(10), |t| t.starts_with("Request sent")).await;
    open_requests_page(client).await;
    text_of(client, "#outgoing .request[data-state='pending']", Duration::from_secs(30), |t| {
        t.contains("Stock levels")
    })
    .await;
}

/// An environment file for `User:<who>` on the sandbox, in a folder of its own under `cfg`
/// (one file per folder: the harness names it `env.toml`).
pub(crate) fn env_for(cfg: &std::path::Path, t: &meshdesk_tests::TestSandbox, who: &str) -> std::path::PathBuf {
    let dir = cfg.join(who);
    std::fs::create_dir_all(&dir).unwrap();
    meshdesk_tests::env_file_as(&dir, who, &t.sandbox, &format!("User:{who}"))
}

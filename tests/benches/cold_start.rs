//! App cold start to the catalog rendered: from the app process's start to the first paint of
//! the catalog, as the app measures it itself (`report_first_paint`), with the sandbox already
//! running. The sandbox is started here (seeded, on free ports) and the app is pointed at it
//! through an environment file, so the figure is the app's own start: window, webview, UI and
//! the catalog read from the SQLite cache.
//!
//! Run: `cargo bench -p meshdesk-tests --bench cold_start` after
//! `cargo build --release -p meshdesk-desktop` (set `MESHDESK_APP_BIN` to time another build).
//! Needs Xvfb (scripts/setup.sh installs it).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use meshdesk_tests::{Proc, Xvfb, env_file, sandbox, target_dir};

/// Starts timed: 7 under `cargo bench`; 2 under `cargo test --all-targets` (a smoke run).
fn runs() -> usize {
    if std::env::args().any(|a| a == "--bench") { 7 } else { 2 }
}

/// Resident memory of every process in a process group (the app and the web view processes
/// WebKitGTK starts for it), from /proc: (command name, kB).
fn group_rss(pgid: u32) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        let comm = stat[open + 1..close].to_owned();
        // After the name: state, ppid, pgrp.
        let pgrp = stat[close + 2..].split_whitespace().nth(2).and_then(|p| p.parse::<u32>().ok());
        if pgrp != Some(pgid) {
            continue;
        }
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else { continue };
        let kb = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok());
        if let Some(kb) = kb {
            out.push((comm, kb));
        }
    }
    out.sort();
    out
}

/// Starts the app and returns (ms, products) from its first-paint line.
fn launch(app: &Path, display: &str, data: &Path, env: &Path) -> (u64, u32) {
    launch_measured(app, display, data, env, false).0
}

/// [`launch`], and the resident memory of the app's processes two seconds after the first
/// paint when `memory` is set.
fn launch_measured(
    app: &Path,
    display: &str,
    data: &Path,
    env: &Path,
    memory: bool,
) -> ((u64, u32), Vec<(String, u64)>) {
    let mut proc = Proc::spawn(
        Command::new(app)
            .env("DISPLAY", display)
            .env("MESHDESK_DATA_DIR", data)
            .env("MESHDESK_ENV_FILE", env)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    )
    .expect("the app starts");
    let stderr = proc.take_stderr().expect("stderr is piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("meshdesk: first catalog paint ") {
                let ms = rest.split_whitespace().next().and_then(|m| m.parse::<u64>().ok());
                let products = rest.split('(').nth(1).and_then(|p| p.split_whitespace().next()?.parse::<u32>().ok());
                let _ = tx.send((ms.unwrap_or(u64::MAX), products.unwrap_or(0)));
            }
        }
    });
    let got = rx.recv_timeout(Duration::from_secs(60)).expect("the app reports its first catalog paint within 60 s");
    let rss = if memory {
        std::thread::sleep(Duration::from_secs(2));
        group_rss(proc.pid())
    } else {
        Vec::new()
    };
    drop(proc);
    (got, rss)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let app = std::env::var_os("MESHDESK_APP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("release/meshdesk"));
    assert!(app.is_file(), "{} is missing: cargo build --release -p meshdesk-desktop", app.display());
    let t = sandbox(true).await;
    let cfg = tempfile::tempdir().unwrap();
    let env = env_file(cfg.path(), "bench", &t.sandbox);
    let xvfb = Xvfb::start();
    let data = tempfile::tempdir().unwrap();

    // The first start ever: empty cache (the catalog paints before the log is read).
    let (first, n) = launch(&app, &xvfb.display, data.path(), &env);
    println!("first start (empty cache): {first} ms to the first catalog paint ({n} products)");
    // Let a start fill the cache from the governance log, so later starts paint a real catalog.
    let mut filled = false;
    for _ in 0..20 {
        let (_, n) = launch(&app, &xvfb.display, data.path(), &env);
        if n >= 3 {
            filled = true;
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    assert!(filled, "the cache never held the seeded products");
    let runs = runs();
    let mut ms: Vec<u64> = (0..runs)
        .map(|_| {
            let (ms, n) = launch(&app, &xvfb.display, data.path(), &env);
            assert!(n >= 3, "the catalog painted {n} products");
            ms
        })
        .collect();
    ms.sort();
    println!(
        "cold start to the catalog rendered ({} build, {runs} runs, sandbox already running): p50 {} ms, max {} ms (target under 1000 ms)",
        app.display().to_string().rsplit('/').nth(1).unwrap_or("?"),
        ms[runs / 2],
        ms[runs - 1]
    );
    println!("all runs: {ms:?} ms");

    // Resident memory once the catalog is shown: the app and the web view processes it started.
    let (_, rss) = launch_measured(&app, &xvfb.display, data.path(), &env, true);
    let total: u64 = rss.iter().map(|(_, kb)| kb).sum();
    let parts: Vec<String> = rss.iter().map(|(n, kb)| format!("{n} {} MiB", kb / 1024)).collect();
    println!("resident memory with the catalog shown: {} MiB in all ({})", total / 1024, parts.join(", "));
}

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use meshdesk_tests::{Proc, Xvfb, closed_port, repo_root, target_dir, tool, wait_webdriver_ready};

async fn cards(client: &Client) -> Vec<String> {
    let mut ids = Vec::new();
    for el in client.find_all(Locator::Css(".product-card")).await.unwrap_or_default() {
        if let Ok(Some(id)) = el.attr("data-product-id").await {
            ids.push(id);
        }
    }
    ids.sort();
    ids
}

async fn wait_for_cards(client: &Client, want: &[&str], within: Duration) {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_window_shows_the_seeded_catalog_and_filters_it() {
    // Verifies the first journey through the real app window: on a fresh data dir the app starts its embedded sandbox, seeds it, shows the three seeded products with both endpoints up, filters them as you type, and leaves a screenshot in target/e2e/catalog.png.
    let app =
        std::env::var_os("MESHDESK_APP_BIN").map(PathBuf::from).unwrap_or_else(|| target_dir().join("debug/meshdesk"));
    assert!(app.is_file(), "the app binary {} is missing: scripts/test.sh builds it before the tests", app.display());

    let xvfb = Xvfb::start();
    let data = tempfile::tempdir().unwrap();
    let (port, native_port) = (closed_port(), closed_port());
    let log = std::fs::File::create(data.path().join("tauri-driver.log")).unwrap();
    let _driver = Proc::spawn(
        Command::new(tool("tauri-driver"))
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("DISPLAY", &xvfb.display)
            // Inherited by WebKitWebDriver and the app it launches: a fresh, private data dir.
            .env("MESHDESK_DATA_DIR", data.path().join("meshdesk"))
            .stdout(Stdio::null())
            .stderr(log),
    )
    .expect("tauri-driver starts");
    let url = format!("http://127.0.0.1:{port}");
    wait_webdriver_ready(&url, Duration::from_secs(30)).await;

    let caps = serde_json::json!({
        "browserName": "wry",
        "tauri:options": { "application": app.to_str().unwrap() }
    });
    let client = ClientBuilder::native()
        .capabilities(caps.as_object().unwrap().clone())
        .connect(&url)
        .await
        .expect("a WebDriver session on the app window");

    let all = ["customer.profiles", "inventory.stock-levels", "sales.orders"];
    wait_for_cards(&client, &all, Duration::from_secs(120)).await;
    let titles: Vec<String> = {
        let mut t = Vec::new();
        for el in client.find_all(Locator::Css(".product-card .product-title")).await.unwrap() {
            t.push(el.text().await.unwrap());
        }
        t.sort();
        t
    };
    assert_eq!(titles, ["Customer profiles", "Orders", "Stock levels"]);

    // The environment indicator shows both endpoints reachable.
    let started = Instant::now();
    while client.find_all(Locator::Css("#probe-broker .dot.up, #probe-registry .dot.up")).await.unwrap().len() < 2 {
        assert!(started.elapsed() < Duration::from_secs(30), "broker and registry never showed as up");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    let screenshot = client.screenshot().await.expect("a screenshot of the window");
    let out = repo_root().join("target/e2e");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("catalog.png"), &screenshot).unwrap();
    assert!(screenshot.starts_with(b"\x89PNG"), "the screenshot is a PNG");

    // Filtering as you type narrows the list; clearing it brings everything back.
    let search = client.find(Locator::Id("catalog-search")).await.unwrap();
    search.send_keys("order-placed").await.unwrap();
    wait_for_cards(&client, &["sales.orders"], Duration::from_secs(10)).await;
    search.clear().await.unwrap();
    search.send_keys(" ").await.unwrap();
    wait_for_cards(&client, &all, Duration::from_secs(10)).await;

    // Navigation reaches the domains page, which lists the three domains.
    client.find(Locator::LinkText("My domains")).await.unwrap().click().await.unwrap();
    let started = Instant::now();
    while client.find_all(Locator::Css(".domain-card")).await.unwrap().len() != 3 {
        assert!(started.elapsed() < Duration::from_secs(10), "the domains page did not list three domains");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    client.close().await.unwrap();
}

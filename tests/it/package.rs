//! The installable package (scripts/package.sh, which scripts/test.sh runs before the tests):
//! the .deb is accepted by dpkg, and the app unpacked from it starts its sandbox from the
//! packaged Apache Kafka jars and shows the seeded catalog.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use meshdesk_tests::target_dir;

use crate::window::{Driver, session_plain, wait_for_cards};

/// The newest .deb the bundler wrote.
fn built_deb() -> PathBuf {
    let dir = target_dir().join("release/bundle/deb");
    let mut debs: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!("{}: {e}; scripts/package.sh deb builds it (scripts/test.sh runs it)", dir.display())
        })
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "deb"))
        .filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p)))
        .collect();
    debs.sort();
    debs.pop().map(|(_, p)| p).expect("a .deb from scripts/package.sh")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deb_is_accepted_and_its_app_starts_its_own_sandbox() {
    // Verifies the package scripts/package.sh built: `dpkg-deb --info` accepts the .deb and names the app and its dependencies (a Java 17 runtime among them); it carries the app, Apache Kafka's jars and a desktop entry; the app unpacked from it (`dpkg-deb -x` into a throwaway directory), with no other Kafka jars to be found, starts its sandbox broker from the packaged jars and its window shows the three seeded products.
    let deb = built_deb();
    let info = Command::new("dpkg-deb").arg("--info").arg(&deb).output().expect("dpkg-deb runs");
    assert!(
        info.status.success(),
        "dpkg-deb --info refuses {}: {}",
        deb.display(),
        String::from_utf8_lossy(&info.stderr)
    );
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("Package: meshdesk"), "{info}");
    assert!(info.contains("Depends:") && info.contains("libwebkit2gtk-4.1-0"), "{info}");
    assert!(info.contains("openjdk-17-jre-headless"), "the sandbox's broker needs a Java runtime: {info}");

    let root = tempfile::tempdir().unwrap();
    let x = Command::new("dpkg-deb").arg("-x").arg(&deb).arg(root.path()).status().expect("dpkg-deb runs");
    assert!(x.success(), "dpkg-deb -x failed");
    let app = root.path().join("usr/bin/meshdesk");
    let libs = root.path().join("usr/lib/meshdesk/kafka/libs");
    let kafka_jar = format!("kafka_2.13-{}.jar", meshdesk_sandbox::KAFKA_VERSION);
    assert!(app.is_file() && libs.join(&kafka_jar).is_file(), "the package holds usr/bin/meshdesk and {kafka_jar}");
    let desktop = std::fs::read_dir(root.path().join("usr/share/applications")).unwrap().flatten().next();
    assert!(desktop.is_some(), "the package holds a desktop entry");

    // No Kafka jars but the packaged ones: not the tools folder, not $MESHDESK_KAFKA_LIBS.
    let empty = tempfile::tempdir().unwrap();
    let driver = Driver::start_with(None, &[("MESHDESK_TOOLS", empty.path())], &["MESHDESK_KAFKA_LIBS"]).await;
    let client = session_plain(&driver.url, &app).await;
    wait_for_cards(&client, &["customer.profiles", "inventory.stock-levels", "sales.orders"], Duration::from_secs(120))
        .await;
    std::fs::create_dir_all(meshdesk_tests::repo_root().join("target/e2e")).unwrap();
    std::fs::write(
        meshdesk_tests::repo_root().join("target/e2e/package-catalog.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();
    // The broker running is Kafka from the packaged jars.
    let running: Vec<String> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains("kafka.Kafka"))
        .collect();
    let packaged = libs.canonicalize().unwrap().to_string_lossy().into_owned();
    assert!(running.iter().any(|c| c.contains(&packaged)), "the packaged broker runs: {running:?}");
    driver.close(client).await;
}

//! Apicurio Registry 3.3 (`scripts/apicurio.sh` unpacks it from Maven Central) on free loopback
//! ports, its HTTP and management interfaces both bound to 127.0.0.1, storage in memory: the
//! second real registry the registry client's suite and a window test run against, through its
//! Confluent API (`/apis/ccompat/v7`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Proc, closed_port};

/// The Java major version Apicurio 3.3 is compiled for (class file version 65).
const NEEDS_JAVA: u32 = 21;

/// A running Apicurio Registry; dropping it ends the JVM.
pub struct Apicurio {
    pub url: String,
    _proc: Proc,
    _dir: tempfile::TempDir,
    /// From launch to the first answer of its Confluent API.
    pub started_in: Duration,
}

impl Apicurio {
    /// Starts one, and waits until `GET /apis/ccompat/v7/subjects` answers. Panics with what to
    /// do when it is not installed or no Java 21+ is found.
    pub async fn start() -> Apicurio {
        let home = std::env::var_os("MESHDESK_APICURIO_HOME").map(PathBuf::from).unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/meshdesk/tools/apicurio-3.3.3")
        });
        let jar = home.join("quarkus-run.jar");
        assert!(jar.is_file(), "Apicurio Registry is not in {}: run scripts/setup.sh test", home.display());
        let java = java_21().unwrap_or_else(|| {
            panic!(
                "Apicurio Registry 3.3 needs Java {NEEDS_JAVA} or later and none was found (JAVA_HOME, \
                 MESHDESK_APICURIO_JAVA, /usr/lib/jvm/*): install one, e.g. a Temurin JDK"
            )
        });
        let dir = tempfile::tempdir().unwrap();
        let (port, management) = (closed_port(), closed_port());
        let log = std::fs::File::create(dir.path().join("apicurio.log")).unwrap();
        let launched = Instant::now();
        let proc = Proc::spawn(
            Command::new(&java)
                .args(["-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-Djava.awt.headless=true"])
                .arg("-Dquarkus.http.host=127.0.0.1")
                .arg(format!("-Dquarkus.http.port={port}"))
                .arg("-Dquarkus.management.host=127.0.0.1")
                .arg(format!("-Dquarkus.management.port={management}"))
                .arg("-jar")
                .arg(&jar)
                .current_dir(dir.path())
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log),
        )
        .expect("Apicurio's JVM starts");
        let url = format!("http://127.0.0.1:{port}/apis/ccompat/v7");
        let http = reqwest::Client::new();
        loop {
            if let Ok(r) = http.get(format!("{url}/subjects")).send().await
                && r.status().is_success()
            {
                break;
            }
            if launched.elapsed() > Duration::from_secs(90) {
                let said = std::fs::read_to_string(dir.path().join("apicurio.log")).unwrap_or_default();
                panic!("Apicurio did not answer within 90 s; its log says:\n{said}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Apicurio { url, _proc: proc, _dir: dir, started_in: launched.elapsed() }
    }
}

/// A `java` of version 21 or later: `$MESHDESK_APICURIO_JAVA`, `$JAVA_HOME`, then each JVM
/// under /usr/lib/jvm, judged by its `release` file.
fn java_21() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MESHDESK_APICURIO_JAVA") {
        return Some(PathBuf::from(p));
    }
    let major = |home: &Path| -> Option<u32> {
        let release = std::fs::read_to_string(home.join("release")).ok()?;
        let line = release.lines().find(|l| l.starts_with("JAVA_VERSION="))?;
        line.trim_start_matches("JAVA_VERSION=").trim_matches('"').split('.').next()?.parse().ok()
    };
    let mut homes: Vec<PathBuf> = std::env::var_os("JAVA_HOME").map(PathBuf::from).into_iter().collect();
    if let Ok(entries) = std::fs::read_dir("/usr/lib/jvm") {
        let mut found: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        found.sort();
        homes.extend(found);
    }
    homes
        .into_iter()
        .filter(|h| major(h).is_some_and(|v| v >= NEEDS_JAVA))
        .map(|h| h.join("bin/java"))
        .find(|j| j.is_file())
}

use std::time::{Duration, Instant};

use meshdesk_kafka::{KafkaProfile, probe};
use meshdesk_tests::{closed_port, sandbox};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_probe_names_the_reason_it_failed() {
    // Verifies each failure reason of the health probe against real sockets: an unresolvable host (DNS), a closed port (connection refused), a server that accepts but never answers (timeout), and TLS spoken to a plaintext broker (handshake failure); and success against the broker.
    let timeout = Duration::from_secs(2);

    let dns = probe(&KafkaProfile::plaintext("no-such-host.invalid:9092"), timeout).await;
    assert!(!dns.ok && dns.detail.contains("cannot resolve no-such-host.invalid"), "{}", dns.detail);

    let refused = probe(&KafkaProfile::plaintext(format!("127.0.0.1:{}", closed_port())), timeout).await;
    assert!(!refused.ok && refused.detail.contains("Connection refused"), "{}", refused.detail);

    // Accepts connections and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = done.clone();
    let keep = std::thread::spawn(move || {
        let mut held = Vec::new();
        silent.set_nonblocking(true).unwrap();
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            if let Ok((s, _)) = silent.accept() {
                held.push(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let started = Instant::now();
    let hung = probe(&KafkaProfile::plaintext(silent_addr.to_string()), timeout).await;
    assert!(!hung.ok, "{}", hung.detail);
    assert!(hung.detail.to_lowercase().contains("timed out"), "{}", hung.detail);
    assert!(started.elapsed() < Duration::from_secs(6), "the probe gives up in time");
    done.store(true, std::sync::atomic::Ordering::Relaxed);

    let t = sandbox(false).await;
    let ok = probe(&t.sandbox.kafka_profile(), timeout).await;
    assert!(ok.ok, "{}", ok.detail);
    assert!(ok.detail.starts_with("1 broker"), "{}", ok.detail);

    let mut tls = t.sandbox.kafka_profile();
    tls.properties.insert("security.protocol".into(), "SSL".into());
    let tls = probe(&tls, timeout).await;
    assert!(!tls.ok, "{}", tls.detail);
    assert!(tls.detail.contains("SSL"), "the reason names TLS: {}", tls.detail);
    keep.join().unwrap();
}

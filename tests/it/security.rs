use std::path::Path;
use std::process::Command;
use std::time::Duration;

use meshdesk_kafka::{Admin, KafkaProfile, Producer, TopicOutcome, TopicSpec, probe, read_partition};
use meshdesk_sandbox::{BrokerProcess, BrokerSecurity, locate_nisshi};
use meshdesk_tests::closed_port;

fn profile(bootstrap: &str, props: &[(&str, &str)]) -> KafkaProfile {
    let mut p = KafkaProfile::plaintext(bootstrap);
    for (k, v) in props {
        p.properties.insert((*k).into(), (*v).into());
    }
    p
}

fn scram(bootstrap: &str, mechanism: &str, user: &str, password: &str) -> KafkaProfile {
    profile(
        bootstrap,
        &[
            ("security.protocol", "SASL_PLAINTEXT"),
            ("sasl.mechanism", mechanism),
            ("sasl.username", user),
            ("sasl.password", password),
        ],
    )
}

/// Creates, produces to and reads back a topic through `p`: the connection really works.
async fn round_trip(p: &KafkaProfile, topic: &str) {
    let admin = Admin::new(p).unwrap();
    let spec = TopicSpec { name: topic.into(), partitions: 1, replication_factor: 1, configs: vec![] };
    assert_eq!(admin.create_topics(&[spec]).await.unwrap()[0].1, TopicOutcome::Created);
    let (part, off) = Producer::new(p).unwrap().send(topic, None, b"hello").await.unwrap();
    let got = read_partition(p, topic, part, off, 1).await.unwrap();
    assert_eq!(got[0].value.as_deref(), Some(&b"hello"[..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scram_authentication_against_the_broker() {
    // Verifies SASL/SCRAM-SHA-512 and SCRAM-SHA-256 end to end: users created on the broker, the broker restarted requiring authentication, then the right passwords can create a topic, produce and read, a wrong one is refused with an authentication reason, and a client without credentials is not let in.
    let nisshi = locate_nisshi().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let port = closed_port();
    let bootstrap = format!("127.0.0.1:{port}");
    let open = BrokerProcess::start(&nisshi, dir.path(), port).await.unwrap();
    BrokerProcess::create_scram_user(&nisshi, &bootstrap, "alice", "s3cret-pw", true).await.unwrap();
    BrokerProcess::create_scram_user(&nisshi, &bootstrap, "bob", "an0ther-pw", false).await.unwrap();
    open.stop().await.unwrap();

    let alice = scram(&bootstrap, "SCRAM-SHA-512", "alice", "s3cret-pw");
    let security = BrokerSecurity { authentication: true, tls: None };
    let broker = BrokerProcess::start_with(&nisshi, dir.path(), port, &security, Some(alice.clone())).await.unwrap();

    round_trip(&alice, "secured.sha512").await;
    let bob = scram(&bootstrap, "SCRAM-SHA-256", "bob", "an0ther-pw");
    let p = probe(&bob, Duration::from_secs(5)).await;
    assert!(p.ok, "SCRAM-SHA-256: {}", p.detail);
    round_trip(&bob, "secured.sha256").await;

    let bad = probe(&scram(&bootstrap, "SCRAM-SHA-512", "alice", "wrong"), Duration::from_secs(5)).await;
    assert!(!bad.ok);
    assert!(
        bad.detail.to_lowercase().contains("sasl authentication"),
        "the reason names authentication: {}",
        bad.detail
    );

    let anonymous = probe(&KafkaProfile::plaintext(&bootstrap), Duration::from_secs(5)).await;
    assert!(!anonymous.ok, "a client without credentials is refused: {}", anonymous.detail);
    broker.stop().await.unwrap();
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs (scripts/setup.sh installs it)");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_connections_with_a_ca_and_a_client_certificate() {
    // Verifies SSL profiles end to end against a TLS listener using a CA made by the test: with the CA the client connects and round-trips a record, also presenting a client certificate and key; without the CA it is refused with a certificate reason; plaintext to a TLS listener is refused.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=meshdesk test CA",
        ],
    );
    std::fs::write(d.join("san.cnf"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    for who in ["server", "client"] {
        let (key, csr, pem) = (format!("{who}.key"), format!("{who}.csr"), format!("{who}.pem"));
        openssl(
            d,
            &["req", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj", &format!("/CN={who}")],
        );
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &pem,
                "-days",
                "2",
                "-extfile",
                "san.cnf",
            ],
        );
    }
    let port = closed_port();
    let bootstrap = format!("127.0.0.1:{port}");
    let ca = d.join("ca.pem");
    let with_ca = profile(&bootstrap, &[("security.protocol", "SSL"), ("ssl.ca.location", ca.to_str().unwrap())]);
    let security = BrokerSecurity { authentication: false, tls: Some((d.join("server.pem"), d.join("server.key"))) };
    let nisshi = locate_nisshi().unwrap();
    let broker =
        BrokerProcess::start_with(&nisshi, &d.join("broker"), port, &security, Some(with_ca.clone())).await.unwrap();

    round_trip(&with_ca, "tls.topic").await;
    let mut with_client_cert = with_ca.clone();
    with_client_cert
        .properties
        .insert("ssl.certificate.location".into(), d.join("client.pem").to_str().unwrap().into());
    with_client_cert.properties.insert("ssl.key.location".into(), d.join("client.key").to_str().unwrap().into());
    let p = probe(&with_client_cert, Duration::from_secs(5)).await;
    assert!(p.ok, "with a client certificate: {}", p.detail);

    let no_ca = probe(&profile(&bootstrap, &[("security.protocol", "SSL")]), Duration::from_secs(5)).await;
    assert!(!no_ca.ok);
    assert!(no_ca.detail.contains("certificate verify failed"), "the reason names the certificate: {}", no_ca.detail);
    let plaintext = probe(&KafkaProfile::plaintext(&bootstrap), Duration::from_secs(3)).await;
    assert!(!plaintext.ok, "plaintext to a TLS listener: {}", plaintext.detail);
    broker.stop().await.unwrap();
}

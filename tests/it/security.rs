use std::path::Path;
use std::process::Command;
use std::time::Duration;

use meshdesk_domain::Principal;
use meshdesk_kafka::{
    AclBinding, AclOperation, AclPermission, Admin, KafkaProfile, PatternType, Producer, ResourceType, TopicOutcome,
    TopicSpec, probe, read_partition,
};
use meshdesk_sandbox::{KafkaInstall, KafkaNode, NodeOptions, NodeTls, access};
use meshdesk_tests::{closed_port, sandbox};

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
    // Verifies SASL/SCRAM-SHA-512 and SCRAM-SHA-256 end to end on Apache Kafka: a user made through the admin API (AlterUserScramCredentials) with both mechanisms can create a topic (given the ACLs), produce and read with either, a wrong password is refused with an authentication reason, PLAIN is refused for a SCRAM-only user, and a client without credentials is not let in.
    let t = sandbox(false).await;
    let bootstrap = t.sandbox.bootstrap_servers();
    let alice = Principal::parse("User:alice").unwrap();
    let pw = t.sandbox.create_principal(&alice).await.unwrap().expect("a new user");
    let grants: Vec<AclBinding> =
        [AclOperation::Create, AclOperation::Write, AclOperation::Read, AclOperation::Describe]
            .into_iter()
            .map(|operation| AclBinding {
                resource: ResourceType::Topic,
                name: "secured.".into(),
                pattern: PatternType::Prefixed,
                principal: alice.as_str().into(),
                host: "*".into(),
                operation,
                permission: AclPermission::Allow,
            })
            .collect();
    Admin::new(&t.sandbox.kafka_profile()).unwrap().create_acls(&grants).await.unwrap();

    let sha512 = scram(&bootstrap, "SCRAM-SHA-512", "alice", &pw);
    round_trip(&sha512, "secured.sha512").await;
    let sha256 = scram(&bootstrap, "SCRAM-SHA-256", "alice", &pw);
    let p = probe(&sha256, Duration::from_secs(5)).await;
    assert!(p.ok, "SCRAM-SHA-256: {}", p.detail);
    round_trip(&sha256, "secured.sha256").await;

    for (mechanism, password) in [("SCRAM-SHA-512", "wrong"), ("SCRAM-SHA-256", "wrong"), ("PLAIN", pw.as_str())] {
        let bad = probe(&scram(&bootstrap, mechanism, "alice", password), Duration::from_secs(5)).await;
        assert!(!bad.ok, "{mechanism}");
        assert!(
            bad.detail.to_lowercase().contains("authentication"),
            "{mechanism}: the reason names authentication: {}",
            bad.detail
        );
    }
    let anonymous = probe(&KafkaProfile::plaintext(&bootstrap), Duration::from_secs(5)).await;
    assert!(!anonymous.ok, "a client without credentials is refused: {}", anonymous.detail);
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
    // Verifies SSL profiles end to end against Apache Kafka's TLS listener (SASL_SSL, PEM stores) using a CA made by the test: with the CA the client connects and round-trips a record, also presenting a client certificate and key; without the CA it is refused with a certificate reason; plaintext to a TLS listener is refused.
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
    // Kafka's PEM keystore: the private key, then the certificate.
    let keystore = d.join("server-keystore.pem");
    let key_and_cert = std::fs::read_to_string(d.join("server.key")).unwrap()
        + &std::fs::read_to_string(d.join("server.pem")).unwrap();
    std::fs::write(&keystore, key_and_cert).unwrap();
    let port = closed_port();
    let bootstrap = format!("127.0.0.1:{port}");
    let ca = d.join("ca.pem");
    let password = access::new_password().unwrap();
    let with_ca = profile(
        &bootstrap,
        &[
            ("security.protocol", "SASL_SSL"),
            ("ssl.ca.location", ca.to_str().unwrap()),
            ("sasl.mechanism", "SCRAM-SHA-512"),
            ("sasl.username", access::ADMIN_USER),
            ("sasl.password", &password),
        ],
    );
    let options = NodeOptions {
        tls: Some(NodeTls { keystore_pem: keystore, truststore_pem: Some(ca.clone()) }),
        probe_with: Some(with_ca.clone()),
        ..NodeOptions::default()
    };
    let install = KafkaInstall::locate().unwrap();
    let broker = KafkaNode::start_with(&install, &d.join("broker"), port, access::ADMIN_USER, &password, &options)
        .await
        .unwrap();

    round_trip(&with_ca, "tls.topic").await;
    let mut with_client_cert = with_ca.clone();
    with_client_cert
        .properties
        .insert("ssl.certificate.location".into(), d.join("client.pem").to_str().unwrap().into());
    with_client_cert.properties.insert("ssl.key.location".into(), d.join("client.key").to_str().unwrap().into());
    let p = probe(&with_client_cert, Duration::from_secs(5)).await;
    assert!(p.ok, "with a client certificate: {}", p.detail);

    let mut no_ca = with_ca.clone();
    no_ca.properties.remove("ssl.ca.location");
    let no_ca = probe(&no_ca, Duration::from_secs(5)).await;
    assert!(!no_ca.ok);
    assert!(no_ca.detail.contains("certificate verify failed"), "the reason names the certificate: {}", no_ca.detail);
    let plaintext = probe(&KafkaProfile::plaintext(&bootstrap), Duration::from_secs(3)).await;
    assert!(!plaintext.ok, "plaintext to a TLS listener: {}", plaintext.detail);
    broker.stop().await.unwrap();
}

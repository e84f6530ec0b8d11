use std::time::Duration;

use meshdesk_kafka::{Admin, KafkaProfile, Producer, TopicOutcome, TopicSpec, probe, read_partition};
use meshdesk_sandbox::{BrokerProcess, locate_nisshi};
use meshdesk_tests::closed_port;

fn scram(bootstrap: &str, user: &str, password: &str) -> KafkaProfile {
    let mut p = KafkaProfile::plaintext(bootstrap);
    for (k, v) in [
        ("security.protocol", "SASL_PLAINTEXT"),
        ("sasl.mechanism", "SCRAM-SHA-512"),
        ("sasl.username", user),
        ("sasl.password", password),
    ] {
        p.properties.insert(k.into(), v.into());
    }
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scram_sha_512_authentication_against_the_broker() {
    // Verifies SASL/SCRAM-SHA-512 end to end: a user created on the broker, the broker restarted requiring authentication, then the right password can probe, create a topic, produce and read, a wrong one is refused with an authentication reason, and a client without credentials is not let in.
    let nisshi = locate_nisshi().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let port = closed_port();
    let bootstrap = format!("127.0.0.1:{port}");
    let open = BrokerProcess::start(&nisshi, dir.path(), port).await.unwrap();
    BrokerProcess::create_scram_user(&nisshi, &bootstrap, "alice", "s3cret-pw", true).await.unwrap();
    open.stop().await.unwrap();

    let good = scram(&bootstrap, "alice", "s3cret-pw");
    let broker = BrokerProcess::start_with(&nisshi, dir.path(), port, Some(good.clone())).await.unwrap();

    let p = probe(&good, Duration::from_secs(5)).await;
    assert!(p.ok, "{}", p.detail);
    let admin = Admin::new(&good).unwrap();
    let spec = TopicSpec { name: "secured.topic".into(), partitions: 1, replication_factor: 1, configs: vec![] };
    assert_eq!(admin.create_topics(&[spec]).await.unwrap()[0].1, TopicOutcome::Created);
    let (part, off) = Producer::new(&good).unwrap().send("secured.topic", None, b"hello").await.unwrap();
    let got = read_partition(&good, "secured.topic", part, off, 1).await.unwrap();
    assert_eq!(got[0].value.as_deref(), Some(&b"hello"[..]));

    let mut badp = scram(&bootstrap, "alice", "wrong");
    badp.properties.insert("debug".into(), "security,broker".into());
    let bad = probe(&badp, Duration::from_secs(5)).await;
    assert!(!bad.ok);
    let reason = bad.detail.to_lowercase();
    assert!(reason.contains("sasl authentication"), "the reason names authentication: {}", bad.detail);

    let anonymous = probe(&KafkaProfile::plaintext(&bootstrap), Duration::from_secs(5)).await;
    assert!(!anonymous.ok, "a client without credentials is refused: {}", anonymous.detail);
    broker.stop().await.unwrap();
}

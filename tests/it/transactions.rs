//! An open transaction on the governance log and on a product topic. The sandbox broker refuses
//! transactional producers, so the sandbox gateway's test double (`meshdesk_gateway`'s
//! `held.rs`, built only with the `failpoints` feature) answers `read_committed` readers as a
//! broker with an open transaction would: a last stable offset below the high watermark and no
//! records at or beyond it.

use std::time::Duration;

use meshdesk_domain::{Domain, DomainId, Envelope, EventBody, Principal};
use meshdesk_kafka::{Admin, Producer, TopicSpec};
use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};
use meshdesk_tests::{env_file, sandbox, unique};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_stop_at_the_last_stable_offset_of_an_open_transaction() {
    // Verifies, with the last two records of a topic held in an open transaction (the gateway's labelled test double), that a sync of the governance log applies exactly the committed events and returns at once rather than waiting for the rest, that sampling a product topic returns only its committed records, and that both see the rest once the transaction is over.
    let t = sandbox(true).await;
    let dir = tempfile::tempdir().unwrap();
    let env = env_file(dir.path(), "txn", &t.sandbox);
    let log = format!("_meshdesk.governance-{}", unique("txn"));
    let text = std::fs::read_to_string(&env).unwrap();
    let (first, rest) = text.split_once('\n').unwrap();
    std::fs::write(&env, format!("{first}\ngovernance_topic = \"{log}\"\n{rest}")).unwrap();
    let md = Meshdesk::open(&dir.path().join("data"), EnvSource::File(env), SandboxPorts::default()).await.unwrap();
    assert_eq!(md.sync().await.unwrap().applied, 0, "the new log is created empty");

    // Five signed events, the last two inside the open transaction.
    let admin = t.sandbox.signer(&Principal::parse(meshdesk_domain::seed::SEED_ACTOR).unwrap()).unwrap();
    let producer = Producer::new(&t.sandbox.kafka_profile()).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    for i in 0..5 {
        let d = Domain {
            id: DomainId::parse(&format!("txn-{i}")).unwrap(),
            name: format!("Domain {i}"),
            description: "Written for the transaction test.".into(),
            owners: vec![Principal::parse("User:gen").unwrap()],
            contact: "gen@example".into(),
        };
        let mut e =
            Envelope::new(unique("txn-event"), meshdesk_domain::seed::SEED_ACTOR, now, &EventBody::DomainRegistered(d));
        admin.sign_for(&mut e, &t.sandbox.environment());
        producer.send(&log, Some(e.id.as_bytes()), &e.to_bytes()).await.unwrap();
    }
    fail::cfg("gateway-open-transaction", &format!("return({log}:2)")).unwrap();
    let r = tokio::time::timeout(Duration::from_secs(30), md.sync()).await.expect("sync returns").unwrap();
    assert_eq!((r.applied, r.next_offset), (3, 3), "only the committed events");

    // A product topic with five records, the last two held.
    let topic = format!("inventory.{}", unique("txn-topic"));
    let spec = TopicSpec { name: topic.clone(), partitions: 1, replication_factor: 1, configs: vec![] };
    Admin::new(&t.sandbox.kafka_profile()).unwrap().create_topics(&[spec]).await.unwrap();
    for i in 0..5 {
        producer.send(&topic, Some(format!("k{i}").as_bytes()), format!("{{\"n\": {i}}}").as_bytes()).await.unwrap();
    }
    fail::cfg("gateway-open-transaction", &format!("return({topic}:2)")).unwrap();
    let sampled = tokio::time::timeout(Duration::from_secs(30), md.sample_topic(&topic, 10))
        .await
        .expect("sampling returns")
        .unwrap();
    let offsets: Vec<i64> = sampled.iter().map(|r| r.offset).collect();
    assert_eq!(offsets, [0, 1, 2], "only the committed records");

    // The transaction is over: everything is there.
    fail::remove("gateway-open-transaction");
    let r = md.sync().await.unwrap();
    assert_eq!((r.applied, r.next_offset), (2, 5));
    assert_eq!(md.sample_topic(&topic, 10).await.unwrap().len(), 5);
    md.shutdown().await;
}

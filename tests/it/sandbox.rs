use meshdesk_domain::{GOVERNANCE_TOPIC, SchemaFormat};
use meshdesk_kafka::{Admin, Producer, read_partition, watermarks};
use meshdesk_registry::RegistryClient;
use meshdesk_sandbox::Sandbox;
use meshdesk_tests::{sandbox_options, seed_events, unique};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_is_seeded_once_with_the_retail_example() {
    // Verifies a fresh sandbox holds the retail example (topics, Avro value schemas at BACKWARD_TRANSITIVE, the signed governance events: endorsements, domains, products) and that starting it again does not seed twice, while a second start on the same directory as it runs is refused.
    let dir = tempfile::tempdir().unwrap();
    let sb = Sandbox::start(sandbox_options(dir.path(), true)).await.unwrap();
    let report = sb.seed_report.clone().expect("a fresh sandbox is seeded");
    assert_eq!((report.topics_created, report.schemas_registered, report.events_published), (4, 3, seed_events()));
    let profile = sb.kafka_profile();
    let topics: Vec<String> =
        Admin::new(&profile).unwrap().list_topics(true).await.unwrap().into_iter().map(|t| t.name).collect();
    for t in [GOVERNANCE_TOPIC, "inventory.stock-level-updated", "sales.order-placed", "customer.profile-updated"] {
        assert!(topics.iter().any(|x| x == t), "{t} missing from {topics:?}");
    }
    let registry = RegistryClient::new(&sb.registry_url(), None).unwrap();
    let mut subjects = registry.subjects().await.unwrap();
    subjects.sort();
    assert_eq!(
        subjects,
        ["customer.profile-updated-value", "inventory.stock-level-updated-value", "sales.order-placed-value"]
    );
    assert_eq!(
        registry.compatibility("sales.order-placed-value").await.unwrap(),
        meshdesk_domain::CompatibilityLevel::BackwardTransitive
    );
    assert_eq!(watermarks(&profile, GOVERNANCE_TOPIC, 0).await.unwrap().high, seed_events() as i64);
    sb.stop().await.unwrap();

    let again = Sandbox::start(sandbox_options(dir.path(), true)).await.unwrap();
    assert!(again.seed_report.is_none(), "the seed is applied once");
    // A second sandbox on the same directory (a second app window, a stray meshdesk-sandbox)
    // would start a second broker on the same storage: refused, naming who runs it.
    let twice = Sandbox::start(sandbox_options(dir.path(), true)).await.err().expect("a second start is refused");
    assert!(twice.to_string().contains(&format!("is already running (process {})", std::process::id())), "{twice}");
    assert_eq!(watermarks(&again.kafka_profile(), GOVERNANCE_TOPIC, 0).await.unwrap().high, seed_events() as i64);
    again.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarting_the_sandbox_keeps_topics_records_and_schema_ids() {
    // Verifies durability across a restart on new ports: topics and their records survive in the broker's SQLite storage, and the registry's journal restores every subject with the same schema ids and never reuses an id.
    let dir = tempfile::tempdir().unwrap();
    let sb = Sandbox::start(sandbox_options(dir.path(), true)).await.unwrap();
    let profile = sb.kafka_profile();
    let topic = "inventory.stock-level-updated";
    let producer = Producer::new(&profile).unwrap();
    let mut sent = Vec::new();
    for i in 0..3u8 {
        let value = vec![0, 0, 0, 0, 1, b'r', i];
        let (p, o) = producer.send(topic, Some(&[i]), &value).await.unwrap();
        sent.push((p, o, value));
    }
    let registry = RegistryClient::new(&sb.registry_url(), None).unwrap();
    let subject = unique("it.restart") + "-value";
    let first = r#"{"type": "record", "name": "Restocked", "fields": [{"name": "sku", "type": "string"}]}"#;
    let v1 = registry.register(&subject, first, SchemaFormat::Avro).await.unwrap();
    let evolved = first.replace(
        r#"{"name": "sku", "type": "string"}"#,
        r#"{"name": "sku", "type": "string"}, {"name": "batch", "type": ["null", "string"], "default": null}"#,
    );
    let v2 = registry.register(&subject, &evolved, SchemaFormat::Avro).await.unwrap();
    assert_ne!(v1, v2);
    let seeded = registry.version("customer.profile-updated-value", None).await.unwrap();
    let old_ports = (sb.bootstrap_servers(), sb.registry_url());
    sb.stop().await.unwrap();

    let sb = Sandbox::start(sandbox_options(dir.path(), true)).await.unwrap();
    assert_ne!((sb.bootstrap_servers(), sb.registry_url()), old_ports, "free ports were chosen anew");
    let profile = sb.kafka_profile();
    let names: Vec<String> =
        Admin::new(&profile).unwrap().list_topics(false).await.unwrap().into_iter().map(|t| t.name).collect();
    assert!(names.iter().any(|n| n == topic), "{names:?}");
    for (p, o, value) in &sent {
        let got = read_partition(&profile, topic, *p, *o, 1).await.unwrap();
        assert_eq!(got.len(), 1, "record at {p}/{o} survived");
        assert_eq!(got[0].value.as_ref(), Some(value));
    }
    let registry = RegistryClient::new(&sb.registry_url(), None).unwrap();
    assert_eq!(registry.versions(&subject).await.unwrap(), vec![1, 2]);
    assert_eq!(registry.version(&subject, Some(1)).await.unwrap().id, v1);
    assert_eq!(registry.version(&subject, Some(2)).await.unwrap().id, v2);
    let back = registry.schema_by_id(v2).await.unwrap();
    assert!(back.schema.contains("batch"));
    assert_eq!(registry.version("customer.profile-updated-value", None).await.unwrap(), seeded);
    let other = unique("it.restart-next") + "-value";
    // A schema never registered before (identical text would get its old id, in any subject).
    let novel = r#"{"type": "record", "name": "Audited", "fields": [{"name": "by", "type": "string"}]}"#;
    let v3 = registry.register(&other, novel, SchemaFormat::Avro).await.unwrap();
    assert!(v3 > v2, "ids continue after the restart ({v3} > {v2})");
    sb.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sandbox_seeded_before_signing_stays_readable_and_its_owners_can_act() {
    // Verifies the upgrade of a sandbox an older app seeded with unsigned events: on start it records the log's end as `accept_unsigned_before_offset`, so the old catalog still folds (with a note), endorses the seed's principals with new keys, and Inventory's owner can then publish; an unsigned event written after the upgrade is refused.
    use meshdesk_domain::{Envelope, EventBody, seed};
    use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};
    let dir = tempfile::tempdir().unwrap();
    let sb = Sandbox::start(sandbox_options(dir.path(), false)).await.unwrap();
    let profile = sb.kafka_profile();
    Admin::new(&profile).unwrap().create_topics(&[meshdesk_sandbox::seed::governance_topic_spec()]).await.unwrap();
    // What an older app wrote: the seed's events, unsigned.
    let producer = Producer::new(&profile).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    for e in seed::events(&seed::products(), now) {
        producer.send(GOVERNANCE_TOPIC, Some(e.id.as_bytes()), &e.to_bytes()).await.unwrap();
    }
    sb.stop().await.unwrap();
    let state_path = dir.path().join("sandbox.json");
    let mut state: serde_json::Value = serde_json::from_slice(&std::fs::read(&state_path).unwrap()).unwrap();
    state["seeded_at_ms"] = serde_json::json!(now);
    std::fs::write(&state_path, state.to_string()).unwrap();
    std::fs::remove_file(dir.path().join("trust/keys.json")).unwrap();

    let sb = Sandbox::start(sandbox_options(dir.path(), true)).await.unwrap();
    assert_eq!(sb.trust_root().accept_unsigned_before_offset, Some(6));
    let cfg = tempfile::tempdir().unwrap();
    let env = meshdesk_tests::env_file_as(cfg.path(), "it", &sb, "User:ines");
    let md = Meshdesk::open(cfg.path(), EnvSource::File(env), SandboxPorts::default()).await.unwrap();
    md.sync().await.unwrap();
    assert_eq!(md.list_domains().await.unwrap().len(), 3);
    let events = md.store().events(GOVERNANCE_TOPIC).await.unwrap();
    assert!(events[0].note.as_deref().unwrap_or_default().contains("accepted as written before signing"));
    let mut stock = md.store().product("inventory.stock-levels").await.unwrap().unwrap().product;
    stock.title = "Stock levels, signed".into();
    md.publish(&EventBody::ProductPublished(stock)).await.unwrap();
    md.flush_outbox().await.unwrap();
    let late =
        Envelope::new("late-unsigned", "User:ines", now, &EventBody::DomainRegistered(seed::domains().remove(0)));
    let producer = Producer::new(&sb.kafka_profile()).unwrap();
    producer.send(GOVERNANCE_TOPIC, Some(b"late"), &late.to_bytes()).await.unwrap();
    md.sync().await.unwrap();
    assert_eq!(
        md.store().product("inventory.stock-levels").await.unwrap().unwrap().product.title,
        "Stock levels, signed"
    );
    let events = md.store().events(GOVERNANCE_TOPIC).await.unwrap();
    let late = events.iter().find(|e| e.id == "late-unsigned").unwrap();
    assert_eq!((late.outcome.as_str(), late.note.as_deref()), ("refused", Some("the event is not signed")));
    md.shutdown().await;
    sb.stop().await.unwrap();
}

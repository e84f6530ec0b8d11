use std::time::Duration;

use apache_avro::types::Value;
use meshdesk_domain::{SchemaFormat, seed, wire};
use meshdesk_kafka::{Admin, Producer, TopicOutcome, TopicSpec, read_partition};
use meshdesk_registry::{Missing, RegistryClient, RegistryError};
use meshdesk_tests::{closed_port, sandbox, unique};

fn stock_record(quantity: i32) -> Value {
    Value::Record(vec![
        ("productId".into(), Value::String("sku-42".into())),
        ("locationId".into(), Value::String("store-7".into())),
        ("quantity".into(), Value::Int(quantity)),
        ("timestamp".into(), Value::TimestampMillis(1_700_000_000_000)),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_round_trips_through_topic_schema_and_wire_format() {
    // Verifies the project's own layers against a real broker and registry: a topic created with configs, a schema registered and read back by id, and an Avro record produced and consumed in the Confluent wire format.
    let t = sandbox(false).await;
    let profile = t.sandbox.kafka_profile();
    let admin = Admin::new(&profile).unwrap();
    let topic = unique("it.round-trip");
    let spec = TopicSpec {
        name: topic.clone(),
        partitions: 2,
        replication_factor: 1,
        configs: vec![("retention.ms".into(), "3600000".into()), ("cleanup.policy".into(), "compact".into())],
    };
    assert_eq!(
        admin.create_topics(std::slice::from_ref(&spec)).await.unwrap(),
        vec![(topic.clone(), TopicOutcome::Created)]
    );
    assert_eq!(
        admin.create_topics(&[spec]).await.unwrap(),
        vec![(topic.clone(), TopicOutcome::AlreadyExists)],
        "creating it again is an outcome, not an error"
    );
    let configs = admin.topic_configs(&topic).await.unwrap();
    assert_eq!(configs.get("retention.ms").map(String::as_str), Some("3600000"));
    assert_eq!(configs.get("cleanup.policy").map(String::as_str), Some("compact"));
    let listed = admin.list_topics(false).await.unwrap();
    let ours = listed.iter().find(|i| i.name == topic).expect("the new topic is listed");
    assert_eq!(ours.partitions, 2);

    let registry = RegistryClient::new(&t.sandbox.registry_url(), None).unwrap();
    let subject = format!("{topic}-value");
    let id = registry.register(&subject, seed::STOCK_LEVEL_UPDATED, SchemaFormat::Avro).await.unwrap();
    let again = registry.register(&subject, seed::STOCK_LEVEL_UPDATED, SchemaFormat::Avro).await.unwrap();
    assert_eq!(id, again, "the same schema keeps its id");

    let schema = apache_avro::Schema::parse_str(seed::STOCK_LEVEL_UPDATED).unwrap();
    let datum = apache_avro::to_avro_datum(&schema, stock_record(17)).unwrap();
    let producer = Producer::new(&profile).unwrap();
    let (partition, offset) = producer.send(&topic, Some(b"sku-42"), &wire::encode(id, &datum)).await.unwrap();

    let records = read_partition(&profile, &topic, partition, offset, 10).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].key.as_deref(), Some(&b"sku-42"[..]));
    let bytes = records[0].value.as_deref().unwrap();
    let (read_id, mut payload) = wire::decode(bytes).expect("the record is in wire format");
    assert_eq!(read_id, id);
    let fetched = registry.schema_by_id(read_id).await.unwrap();
    assert_eq!(fetched.schema_type, "AVRO");
    let writer = apache_avro::Schema::parse_str(&fetched.schema).unwrap();
    let decoded = apache_avro::from_avro_datum(&writer, &mut payload, None).unwrap();
    assert_eq!(decoded, stock_record(17));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_answers_are_mapped_to_domain_outcomes() {
    // Verifies the registry client's mapping against the real sandbox registry: unknown subjects and ids are NotFound, an invalid schema is Invalid, an incompatible one is Incompatible, and a closed port is Unreachable.
    let t = sandbox(false).await;
    let registry = RegistryClient::new(&t.sandbox.registry_url(), None).unwrap();
    let subject = unique("it.mapping") + "-value";
    match registry.versions(&subject).await {
        Err(RegistryError::NotFound { what: Missing::Subject, .. }) => {}
        other => panic!("expected subject not found, got {other:?}"),
    }
    assert!(matches!(registry.schema_by_id(987_654).await, Err(RegistryError::NotFound { .. })));
    match registry.register(&subject, "{\"type\": \"record\", \"name\": ", SchemaFormat::Avro).await {
        Err(RegistryError::Invalid { message }) => assert!(!message.is_empty()),
        other => panic!("expected invalid, got {other:?}"),
    }
    registry.set_compatibility(&subject, meshdesk_domain::CompatibilityLevel::Backward).await.unwrap();
    assert_eq!(registry.compatibility(&subject).await.unwrap(), meshdesk_domain::CompatibilityLevel::Backward);
    registry.register(&subject, seed::STOCK_LEVEL_UPDATED, SchemaFormat::Avro).await.unwrap();
    // A new required field without a default: new readers cannot read old records.
    let breaking = seed::STOCK_LEVEL_UPDATED.replace(
        r#"{"name": "quantity", "type": "int""#,
        r#"{"name": "warehouseZone", "type": "string"}, {"name": "quantity", "type": "int""#,
    );
    assert_ne!(breaking, seed::STOCK_LEVEL_UPDATED);
    match registry.register(&subject, &breaking, SchemaFormat::Avro).await {
        Err(RegistryError::Incompatible { message }) => assert!(!message.is_empty()),
        other => panic!("expected incompatible, got {other:?}"),
    }
    assert_eq!(registry.versions(&subject).await.unwrap(), vec![1]);

    let gone = RegistryClient::new(&format!("http://127.0.0.1:{}", closed_port()), None).unwrap();
    let started = std::time::Instant::now();
    assert!(matches!(gone.subjects().await, Err(RegistryError::Unreachable { .. })));
    assert!(started.elapsed() < Duration::from_secs(10), "an unreachable registry fails fast");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_bulk_sync_fills_the_cache_and_counts_its_requests() {
    // Verifies the bulk copy of the registry into the cache: all seeded versions arrive, the HTTP requests are counted (one GET /schemas, which the sandbox registry serves as Confluent's does), and a second sync adds no version.
    let t = sandbox(true).await;
    let cfg = tempfile::tempdir().unwrap();
    let env = meshdesk_tests::env_file(cfg.path(), "reg", &t.sandbox);
    let data = tempfile::tempdir().unwrap();
    let md = meshdesk_service::Meshdesk::open(
        data.path(),
        meshdesk_service::EnvSource::File(env),
        meshdesk_service::SandboxPorts::default(),
    )
    .await
    .unwrap();
    let (added, requests) = md.sync_registry().await.unwrap();
    println!("registry sync: {added} versions in {requests} HTTP requests");
    assert_eq!((added, requests), (3, 1), "one GET /schemas");
    let cached = md.store().registry_versions("sales.order-placed-value").await.unwrap();
    assert_eq!(cached.len(), 1);
    assert!(cached[0].schema.contains("OrderPlaced"));
    let (again, requests) = md.sync_registry().await.unwrap();
    println!("registry sync again: {again} versions in {requests} HTTP requests");
    assert_eq!((again, requests), (0, 1), "one list again, nothing new");
}

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
async fn the_registry_client_covers_checks_lookup_config_mode_and_deletes() {
    // Verifies the registry client's wider API against the sandbox registry: compatibility checks with the registry's messages, lookup (with the fallback for servers without it), subject prefixes, global config, mode, version-not-found mapping, and soft then permanent deletes.
    let t = sandbox(false).await;
    let r = RegistryClient::new(&t.sandbox.registry_url(), None).unwrap();
    let subject = unique("it.wide") + "-value";
    let v1 = r#"{"type": "record", "name": "W", "fields": [{"name": "a", "type": "int"}]}"#;
    let v2 = r#"{"type": "record", "name": "W", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": ""}]}"#;
    let bad = r#"{"type": "record", "name": "W", "fields": [{"name": "a", "type": "string"}]}"#;
    let id1 = r.register(&subject, v1, SchemaFormat::Avro).await.unwrap();

    let ok = r.check_compatibility(&subject, None, v2, SchemaFormat::Avro).await.unwrap();
    assert!(ok.is_compatible, "{ok:?}");
    let no = r.check_compatibility(&subject, Some(1), bad, SchemaFormat::Avro).await.unwrap();
    assert!(!no.is_compatible && !no.messages.is_empty(), "{no:?}");

    // Lookup (`POST /subjects/{s}`): whitespace makes no new schema.
    let found = r.lookup(&subject, &v1.replace(", ", ",  "), SchemaFormat::Avro).await.unwrap().expect("found");
    assert_eq!((found.version, found.id), (1, id1));
    assert_eq!(r.lookup(&subject, v2, SchemaFormat::Avro).await.unwrap(), None);
    assert_eq!(r.lookup("it.nobody-value", v1, SchemaFormat::Avro).await.unwrap(), None);

    r.register(&subject, v2, SchemaFormat::Avro).await.unwrap();
    let other = unique("zz.other") + "-value";
    r.register(&other, v1, SchemaFormat::Avro).await.unwrap();
    let mine = r.subjects_matching(Some("it.wide"), false).await.unwrap();
    assert!(mine.contains(&subject) && !mine.contains(&other), "{mine:?}");

    assert!(matches!(r.version(&subject, Some(9)).await, Err(RegistryError::NotFound { .. })));

    r.set_global_compatibility(meshdesk_domain::CompatibilityLevel::Full).await.unwrap();
    assert_eq!(r.global_compatibility().await.unwrap(), meshdesk_domain::CompatibilityLevel::Full);
    assert_eq!(r.mode().await.unwrap(), "READWRITE");
    r.set_mode("READONLY").await.unwrap();
    let refused = r.register(&other, v2, SchemaFormat::Avro).await;
    assert!(matches!(refused, Err(RegistryError::NotPermitted { .. })), "{refused:?}");
    r.set_mode("READWRITE").await.unwrap();

    assert_eq!(r.delete_subject(&subject, false).await.unwrap(), vec![1, 2]);
    assert!(!r.subjects().await.unwrap().contains(&subject), "soft-deleted subjects are not listed");
    // Confluent lists the versions again on the permanent delete.
    assert_eq!(r.delete_subject(&subject, true).await.unwrap(), vec![1, 2]);
    assert!(matches!(r.versions(&subject).await, Err(RegistryError::NotFound { .. })));
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

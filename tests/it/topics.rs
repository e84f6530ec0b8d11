use std::time::Duration;

use apache_avro::types::Value;
use meshdesk_contract::SampleValue;
use meshdesk_domain::{SchemaFormat, seed, wire};
use meshdesk_kafka::{Admin, Producer, TopicSpec, group_lag, list_groups};
use meshdesk_registry::RegistryClient;
use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};
use meshdesk_tests::{env_file, sandbox, unique};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_samples_and_live_metrics_of_a_topic() {
    // Verifies against the real broker and registry: a consumer group's committed offset and lag, the last records decoded through the registry (Avro in wire format decoded; plain text and an unknown schema id shown raw, not dropped), and live metrics (rate from offset deltas, newest record's age, lag per group).
    let t = sandbox(false).await;
    let profile = t.sandbox.kafka_profile();
    let topic = unique("it.metrics");
    Admin::new(&profile)
        .unwrap()
        .create_topics(&[TopicSpec { name: topic.clone(), partitions: 1, replication_factor: 1, configs: vec![] }])
        .await
        .unwrap();
    let registry = RegistryClient::new(&t.sandbox.registry_url(), None).unwrap();
    let id = registry.register(&format!("{topic}-value"), seed::STOCK_LEVEL_UPDATED, SchemaFormat::Avro).await.unwrap();
    let schema = apache_avro::Schema::parse_str(seed::STOCK_LEVEL_UPDATED).unwrap();
    let avro = apache_avro::to_avro_datum(
        &schema,
        Value::Record(vec![
            ("productId".into(), Value::String("sku-1".into())),
            ("locationId".into(), Value::String("store-2".into())),
            ("quantity".into(), Value::Int(5)),
            ("timestamp".into(), Value::TimestampMillis(1_700_000_000_000)),
        ]),
    )
    .unwrap();
    let producer = Producer::new(&profile).unwrap();
    producer.send(&topic, Some(b"sku-1"), &wire::encode(id, &avro)).await.unwrap();
    producer.send(&topic, None, b"{\"legacy\": true}").await.unwrap();
    producer.send(&topic, None, &wire::encode(424_242, b"??")).await.unwrap();

    // A group that read two of the three records.
    let group = unique("it.readers");
    let mut config = ClientConfig::new();
    for (k, v) in &profile.properties {
        config.set(k, v);
    }
    let consumer: BaseConsumer = config.set("group.id", &group).set("enable.auto.commit", "false").create().unwrap();
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(&topic, 0, Offset::Offset(2)).unwrap();
    consumer.commit(&tpl, CommitMode::Sync).unwrap();
    let lag = group_lag(&profile, &group, &[&topic]).await.unwrap();
    assert_eq!(lag.len(), 1);
    assert_eq!((lag[0].committed, lag[0].high, lag[0].lag), (2, 3, 1));
    let groups = list_groups(&profile, None).await.unwrap();
    assert!(groups.iter().any(|g| g.name == group), "{groups:?}");

    let cfg = tempfile::tempdir().unwrap();
    let env = env_file(cfg.path(), "m", &t.sandbox);
    let data = tempfile::tempdir().unwrap();
    let md = Meshdesk::open(data.path(), EnvSource::File(env), SandboxPorts::default()).await.unwrap();

    let samples = md.sample_topic(&topic, 10).await.unwrap();
    assert_eq!(samples.iter().map(|s| s.offset).collect::<Vec<_>>(), [0, 1, 2]);
    match &samples[0].value {
        SampleValue::Decoded { schema_id, format, json } => {
            assert_eq!((*schema_id, format.as_str()), (id, "AVRO"));
            assert_eq!(json["productId"], "sku-1");
            assert_eq!(json["quantity"], 5);
        }
        other => panic!("expected a decoded record, got {other:?}"),
    }
    assert_eq!(samples[0].key.as_deref(), Some("sku-1"));
    match &samples[1].value {
        SampleValue::Raw { schema_id: None, text: Some(t), note, .. } => {
            assert_eq!(t, "{\"legacy\": true}");
            assert!(note.contains("wire format"), "{note}");
        }
        other => panic!("expected a raw record, got {other:?}"),
    }
    match &samples[2].value {
        SampleValue::Raw { schema_id: Some(424_242), note, .. } => assert!(note.contains("424242"), "{note}"),
        other => panic!("expected a raw record with its schema id, got {other:?}"),
    }
    assert_eq!(md.sample_topic(&topic, 1).await.unwrap().len(), 1, "only the last one");

    let first = md.topic_metrics(&topic).await.unwrap();
    assert_eq!(first.end_offset, 3);
    assert_eq!(first.records_per_sec, None, "one snapshot is no rate yet");
    let age = first.newest_record_age_ms.unwrap();
    assert!((0..60_000).contains(&age), "the newest record is seconds old: {age} ms");
    assert_eq!(first.consumer_lag.iter().find(|g| g.group == group).map(|g| g.lag), Some(1));

    let batch: Vec<(Option<Vec<u8>>, Vec<u8>)> = (0..20).map(|i| (None, format!("r{i}").into_bytes())).collect();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    producer.send_many(&topic, &batch).await.unwrap();
    let second = md.topic_metrics(&topic).await.unwrap();
    assert_eq!(second.end_offset, 23);
    let rate = second.records_per_sec.expect("two snapshots give a rate");
    assert!(rate > 0.0 && rate <= 20.0, "20 records over at least 1.1 s: {rate}");
    assert_eq!(second.series.len(), 1);
    assert_eq!(second.consumer_lag.iter().find(|g| g.group == group).map(|g| g.lag), Some(21));
}

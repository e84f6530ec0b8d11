//! The catalog beyond the list: live health against the SLA, masked samples, unmanaged topics
//! and their adoption, on the real broker and registry.

use std::collections::BTreeMap;
use std::time::Duration;

use apache_avro::types::Value;
use meshdesk_contract::{AdoptRequest, Classification, HealthLevel, PortSampleRequest, SampleValue};
use meshdesk_domain::{
    CleanupPolicy, CompatibilityLevel, Contract, DataProduct, DomainId, EventBody, FieldSemantics, MASK, OutputPort,
    Principal, ProductId, ProductStatus, SchemaFormat, SchemaRef, Sla, TopicName, seed, wire,
};
use meshdesk_kafka::{Admin, Producer, TopicSpec, watermarks};
use meshdesk_registry::RegistryClient;
use meshdesk_service::Meshdesk;
use meshdesk_tests::{TestSandbox, desktop, sandbox, unique};

fn product(topic: &str, schema: Option<SchemaRef>, sla: Sla, contract: Contract) -> DataProduct {
    let topic = TopicName::parse(topic).unwrap();
    let id = ProductId::parse(topic.as_str()).unwrap();
    DataProduct {
        domain: DomainId::parse("it").unwrap(),
        id,
        title: "Test product".into(),
        description: "Made by an integration test.".into(),
        owners: vec![Principal::parse("User:owner").unwrap()],
        classification: Classification::Internal,
        tags: vec![],
        status: ProductStatus::Published,
        version: "1.0.0".into(),
        output_ports: vec![OutputPort {
            topic,
            description: String::new(),
            partitions: 1,
            replication_factor: 1,
            retention_ms: 3_600_000,
            cleanup_policy: CleanupPolicy::Delete,
            key_schema: None,
            value_schema: schema,
            deprecation: None,
        }],
        input_ports: vec![],
        sources: vec![],
        sla,
        contract,
        sunset: None,
    }
}

async fn publish_and_sync(md: &Meshdesk, p: DataProduct) {
    md.publish(&EventBody::ProductPublished(p)).await.unwrap();
    assert_eq!(md.flush_outbox().await.unwrap(), 1);
    md.sync().await.unwrap();
}

async fn create_topic(t: &TestSandbox, topic: &str, partitions: i32, configs: Vec<(String, String)>) {
    let out = Admin::new(&t.sandbox.kafka_profile())
        .unwrap()
        .create_topics(&[TopicSpec { name: topic.into(), partitions, replication_factor: 1, configs }])
        .await
        .unwrap();
    assert!(matches!(out[0].1, meshdesk_kafka::TopicOutcome::Created), "{out:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_badge_breaches_when_no_record_arrives_within_the_freshness_sla() {
    // Verifies the product health badge on the real broker: an empty port says "no data yet" (neither healthy nor breaching); with a 3 s freshness SLA a port is healthy right after a record arrives and turns "breaching" (with the reason) once no record has arrived for longer than the SLA.
    let t = sandbox(false).await;
    meshdesk_tests::given_domain(&t.sandbox, "it", &["User:viewer"]).await;
    let (_d, md) = desktop(&t, "User:viewer").await;
    md.connect().await.unwrap();
    let topic = unique("it.fresh");
    create_topic(&t, &topic, 1, vec![]).await;
    let sla = Sla { freshness_ms: Some(3_000), ..Default::default() };
    publish_and_sync(&md, product(&topic, None, sla.clone(), Contract::default())).await;

    let empty = md.product_health(&topic).await.unwrap();
    assert_eq!(empty.level, HealthLevel::NoData);
    assert!(empty.ports[0].health.reasons[0].starts_with("no record has arrived yet"), "{empty:?}");

    Producer::new(&t.sandbox.kafka_profile()).unwrap().send(&topic, None, b"tick").await.unwrap();
    let fresh = md.product_health(&topic).await.unwrap();
    assert_eq!(fresh.level, HealthLevel::Healthy, "{fresh:?}");
    assert_eq!(fresh.freshness_sla_ms, Some(3_000));

    tokio::time::sleep(Duration::from_millis(3_500)).await;
    let late = md.product_health(&topic).await.unwrap();
    assert_eq!(late.level, HealthLevel::Breaching, "{late:?}");
    let reason = &late.ports[0].health.reasons[0];
    assert!(reason.contains("beyond the freshness SLA of 3 s"), "{reason}");
    assert!(late.ports[0].metrics.as_ref().unwrap().newest_record_age_ms.unwrap() > 3_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samples_mask_personal_data_unless_the_viewer_owns_the_product() {
    // Verifies the product page's samples on the real broker and registry: an Avro record is decoded, the contract's PII fields are masked for a viewer who does not own the product, on the product page and in the topic sampler alike, and shown to its owner; the product page reports lineage and live partitions.
    let t = sandbox(false).await;
    let topic = unique("it.people");
    create_topic(&t, &topic, 1, vec![]).await;
    let registry = RegistryClient::new(&t.sandbox.registry_url(), None).unwrap();
    let subject = format!("{topic}-value");
    let id = registry.register(&subject, seed::PROFILE_UPDATED, SchemaFormat::Avro).await.unwrap();
    let schema = apache_avro::Schema::parse_str(seed::PROFILE_UPDATED).unwrap();
    let record = apache_avro::to_avro_datum(
        &schema,
        Value::Record(vec![
            ("customerId".into(), Value::String("C-1".into())),
            ("name".into(), Value::String("Ada Lovelace".into())),
            ("email".into(), Value::String("ada@example.org".into())),
            ("phoneNumber".into(), Value::Union(0, Box::new(Value::Null))),
            (
                "address".into(),
                Value::Record(vec![
                    ("street".into(), Value::String("Main St 1".into())),
                    ("city".into(), Value::String("Berlin".into())),
                    ("postalCode".into(), Value::String("10115".into())),
                    ("country".into(), Value::String("DE".into())),
                ]),
            ),
        ]),
    )
    .unwrap();
    Producer::new(&t.sandbox.kafka_profile())
        .unwrap()
        .send(&topic, Some(b"C-1"), &wire::encode(id, &record))
        .await
        .unwrap();
    // Only the email is flagged by the contract (the policies find the rest by name); the address
    // parts the schema leaves undocumented are described here.
    let described =
        |path: &str| FieldSemantics { path: path.into(), description: format!("The {path}."), ..Default::default() };
    let contract = Contract {
        fields: vec![
            FieldSemantics { path: "email".into(), pii: true, ..Default::default() },
            described("address.street"),
            described("address.city"),
            described("address.postalCode"),
        ],
        ..Default::default()
    };
    let schema_ref = SchemaRef {
        subject,
        format: SchemaFormat::Avro,
        schema: seed::PROFILE_UPDATED.into(),
        id: Some(id),
        version: Some(1),
        compatibility: CompatibilityLevel::Backward,
    };
    let mut p = product(&topic, Some(schema_ref), Sla::default(), contract);
    p.input_ports = vec![ProductId::parse("customer.profiles").unwrap()];

    meshdesk_tests::given_domain(&t.sandbox, "it", &["User:someone-else"]).await;
    let (_d1, viewer) = desktop(&t, "User:someone-else").await;
    viewer.connect().await.unwrap();
    publish_and_sync(&viewer, p).await;
    let req = PortSampleRequest { product: topic.clone(), topic: topic.clone(), count: 5 };
    let masked = viewer.sample_product_port(&req).await.unwrap();
    assert!(masked.masked);
    assert_eq!(masked.masked_values, 3, "name and email and address; the null phone stays null");
    let SampleValue::Decoded { json, .. } = &masked.records[0].value else { panic!("{masked:?}") };
    assert_eq!((json["customerId"].as_str(), json["email"].as_str()), (Some("C-1"), Some(MASK)));
    assert_eq!(json["address"], MASK);
    // The topic sampler (the Schemas page) masks a product's port the same way.
    let sampled = viewer.sample_topic(&topic, 5).await.unwrap();
    let SampleValue::Decoded { json, .. } = &sampled[0].value else { panic!("{sampled:?}") };
    assert_eq!((json["customerId"].as_str(), json["email"].as_str()), (Some("C-1"), Some(MASK)));

    let detail = viewer.product_detail(&topic).await.unwrap();
    assert!(!detail.viewer_is_owner);
    assert_eq!(detail.pii_paths, ["address", "email", "name", "phoneNumber"]);
    assert_eq!(detail.ports[0].partitions, Some(1));
    assert_eq!(detail.upstream.len(), 1);
    assert!(!detail.upstream[0].known, "customer.profiles is not in this unseeded catalog");

    let (_d2, owner) = desktop(&t, "User:owner").await;
    owner.connect().await.unwrap();
    owner.sync().await.unwrap();
    let clear = owner.sample_product_port(&req).await.unwrap();
    assert!(!clear.masked);
    let SampleValue::Decoded { json, .. } = &clear.records[0].value else { panic!("{clear:?}") };
    assert_eq!(json["email"], "ada@example.org");
    let sampled = owner.sample_topic(&topic, 5).await.unwrap();
    let SampleValue::Decoded { json, .. } = &sampled[0].value else { panic!("{sampled:?}") };
    assert_eq!(json["email"], "ada@example.org", "the owner sees it in clear");
    assert!(owner.product_detail(&topic).await.unwrap().viewer_is_owner);

    let other = PortSampleRequest { topic: "it.not-a-port".into(), ..req };
    let err = viewer.sample_product_port(&other).await.unwrap_err().to_string();
    assert!(err.contains("is not an output port"), "{err}");
}

async fn topic_state(t: &TestSandbox, topic: &str) -> (usize, BTreeMap<String, String>, Vec<(i64, i64)>) {
    let profile = t.sandbox.kafka_profile();
    let admin = Admin::new(&profile).unwrap();
    let d = admin.describe_topic(topic).await.unwrap();
    let configs = admin.topic_configs(topic).await.unwrap();
    let mut marks = Vec::new();
    for p in 0..d.partitions.len() as i32 {
        let w = watermarks(&profile, topic, p).await.unwrap();
        marks.push((w.low, w.high));
    }
    (d.partitions.len(), configs, marks)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adopting_an_unmanaged_topic_does_not_recreate_or_alter_it() {
    // Verifies on the real broker and registry that a topic no product manages is listed as unmanaged with its subject (from the cache, saying since when, while the broker is down), that adopting it as it is with a description the policies find too short is refused before anything is written, that adopting it publishes a product describing it as it is (partitions, retention, latest schema) while the topic keeps its partitions, configs and records, and that it is then managed (adopting again is refused).
    let mut t = sandbox(false).await;
    let topic = unique("it.legacy");
    create_topic(&t, &topic, 2, vec![("retention.ms".into(), "7200000".into())]).await;
    let registry = RegistryClient::new(&t.sandbox.registry_url(), None).unwrap();
    let id = registry.register(&format!("{topic}-value"), seed::STOCK_LEVEL_UPDATED, SchemaFormat::Avro).await.unwrap();
    let producer = Producer::new(&t.sandbox.kafka_profile()).unwrap();
    let batch: Vec<(Option<Vec<u8>>, Vec<u8>)> =
        (0..6).map(|i| (Some(format!("k{i}").into_bytes()), format!("v{i}").into_bytes())).collect();
    producer.send_many(&topic, &batch).await.unwrap();
    let before = topic_state(&t, &topic).await;
    assert_eq!(before.2.iter().map(|(_, h)| h).sum::<i64>(), 6);

    meshdesk_tests::given_domain(&t.sandbox, "it", &["User:ines"]).await;
    let (_d, md) = desktop(&t, "User:ines").await;
    md.connect().await.unwrap();
    let unmanaged = md.list_unmanaged().await.unwrap();
    assert!(unmanaged.errors.is_empty(), "{:?}", unmanaged.errors);
    let listed = unmanaged.topics.iter().find(|u| u.topic == topic).expect("the topic is unmanaged");
    assert_eq!(listed.partitions, 2);
    assert_eq!(listed.value_subject.as_deref(), Some(format!("{topic}-value").as_str()));
    assert_eq!(listed.suggested_product.as_deref(), Some(topic.as_str()));
    let as_of = unmanaged.topics_as_of_ms.expect("the list is cached");

    t.sandbox.stop_broker().await.unwrap();
    let offline = md.list_unmanaged().await.unwrap();
    assert!(offline.errors.iter().any(|e| e.starts_with("cluster:")), "{:?}", offline.errors);
    assert_eq!(offline.topics_as_of_ms, Some(as_of), "the cached list, with its time");
    assert!(offline.topics.iter().any(|u| u.topic == topic));
    t.sandbox.start_broker().await.unwrap();

    let req = AdoptRequest {
        topic: topic.clone(),
        product: topic.clone(),
        title: "Legacy stock feed".into(),
        description: "A legacy stock feed, adopted by a test.".into(),
        classification: Classification::Internal,
        owners: vec![],
    };
    // As it is, a product still needs what every product needs: a short description is refused
    // before anything is written, saying what to do.
    let careless = AdoptRequest { description: "Old feed.".into(), ..req.clone() };
    let refused = md.adopt_topic(&careless).await.unwrap_err().to_string();
    assert!(
        refused.contains("as it is still needs what every product needs")
            && refused.contains("describe the product in at least 20 characters"),
        "{refused}"
    );
    let adopted = md.adopt_topic(&req).await.unwrap();
    assert!(!adopted.extended_existing);
    md.flush_outbox().await.unwrap();
    md.sync().await.unwrap();

    assert_eq!(topic_state(&t, &topic).await, before, "same partitions, configs and records");
    let p = md.product_detail(&topic).await.unwrap().product;
    assert_eq!(p.owners, [Principal::parse("User:ines").unwrap()], "the adopter owns it by default");
    let port = &p.output_ports[0];
    assert_eq!((port.partitions, port.retention_ms), (2, 7_200_000));
    let vs = port.value_schema.as_ref().expect("the latest value schema");
    assert_eq!((vs.id, vs.version), (Some(id), Some(1)));
    assert!(!md.list_unmanaged().await.unwrap().topics.iter().any(|u| u.topic == topic));
    let again = md.adopt_topic(&req).await.unwrap_err().to_string();
    assert!(again.contains("already belongs to"), "{again}");
    let hits = md
        .search(&meshdesk_contract::SearchRequest { text: Some("legacy".into()), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(hits.hits.iter().map(|h| h.product.id.as_str()).collect::<Vec<_>>(), [topic.as_str()]);

    // Adoption through the wizard: a draft of the topic as it is, checked and published like
    // any product; the topic step finds it there, the schema keeps its id and version.
    let second = unique("it.legacy-two");
    create_topic(&t, &second, 3, vec![("retention.ms".into(), "3600000".into())]).await;
    let id2 =
        registry.register(&format!("{second}-value"), seed::STOCK_LEVEL_UPDATED, SchemaFormat::Avro).await.unwrap();
    producer.send_many(&second, &batch).await.unwrap();
    let before = topic_state(&t, &second).await;
    let wreq = AdoptRequest { topic: second.clone(), product: second.clone(), title: String::new(), ..req.clone() };
    let mut draft = md.adopt_in_wizard(&wreq).await.unwrap().draft;
    assert_eq!(draft.product.output_ports[0].partitions, 3);
    draft.product.title = "Second legacy feed".into();
    draft.product.description = "A second legacy feed, adopted through the wizard.".into();
    // The domain is in the catalog already (the adoption above published into it): the wizard
    // does not register it again.
    draft.new_domain = Some(meshdesk_domain::Domain {
        id: DomainId::parse("it").unwrap(),
        name: "Integration tests".into(),
        description: "Topics made by tests.".into(),
        owners: vec![Principal::parse("User:ines").unwrap()],
        contact: "tests@example.org".into(),
    });
    md.save_draft(&draft).await.unwrap();
    let done = md.publish_draft(&draft.id).await.unwrap();
    assert_eq!(done.status, meshdesk_contract::DraftStatus::Published, "{:?}", done.last_error);
    assert_eq!(done.steps[0].result.as_deref(), Some("already there"));
    assert_eq!(topic_state(&t, &second).await, before, "the topic is neither recreated nor altered");
    assert_eq!(registry.versions(&format!("{second}-value")).await.unwrap(), [1]);
    md.flush_outbox().await.unwrap();
    md.sync().await.unwrap();
    let p2 = md.product_detail(&second).await.unwrap().product;
    assert_eq!(p2.output_ports[0].value_schema.as_ref().unwrap().id, Some(id2));
}

//! Lineage through the real window: a derived product made by a Kafka Streams processor, its
//! group seen on the cluster, and a reader nobody declared.

use std::time::Duration;

use fantoccini::Locator;
use meshdesk_domain::{EventBody, ProductId, Source, SourceKind, TopicName};
use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};
use meshdesk_tests::{consume_with, env_file_as, repo_root, sandbox, three_records};

use crate::window::{Driver, app_bin, click, session, text_of, wait_for_cards};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_processor_seen_on_the_cluster_is_confirmed_and_an_undeclared_reader_is_observed() {
    // Verifies the lineage picture in the app window: Sam publishes Enriched orders, made by the Kafka Streams processor `orders-enricher` reading Stock levels; a confluent-kafka consumer in the group `orders-enricher` and one in the undeclared group `mystery-reader` read Stock levels' topic and commit; Stock levels' page then draws the processor's edge as confirmed and the other group as observed (screenshot target/e2e/lineage.png), and Enriched orders' page shows the processor on its input side.
    let app = app_bin();
    let t = sandbox(true).await;
    let cfg = tempfile::tempdir().unwrap();
    let sam_env = env_file_as(cfg.path(), "sam", &t.sandbox, "User:sam");
    let data = tempfile::tempdir().unwrap();
    let sam = Meshdesk::open(data.path(), EnvSource::File(sam_env.clone()), SandboxPorts::default()).await.unwrap();
    sam.sync().await.unwrap();
    let mut p = meshdesk_domain::seed::products().remove(1);
    p.id = ProductId::parse("sales.enriched-orders").unwrap();
    p.title = "Enriched orders".into();
    p.input_ports.clear();
    p.sources.push(Source {
        kind: SourceKind::KafkaStreams,
        name: "orders-enricher".into(),
        system: None,
        reads: vec![ProductId::parse("inventory.stock-levels").unwrap()],
        group: None,
    });
    let port = &mut p.output_ports[0];
    port.topic = TopicName::parse("sales.order-enriched").unwrap();
    if let Some(s) = port.value_schema.as_mut() {
        s.subject = "sales.order-enriched-value".into();
    }
    sam.publish(&EventBody::ProductPublished(p)).await.unwrap();
    sam.flush_outbox().await.unwrap();
    sam.shutdown().await;

    // Two readers of Stock levels' topic, as the sandbox's admin (a super user).
    three_records(&t).await;
    let admin = t.sandbox.kafka_profile();
    assert_eq!(consume_with(&admin, "orders-enricher", 3), "read 3");
    assert_eq!(consume_with(&admin, "mystery-reader", 3), "read 3");

    let ines_env = env_file_as(cfg.path(), "ines", &t.sandbox, "User:ines");
    let driver = Driver::start().await;
    let client = session(&driver.url, &app, &ines_env).await;
    wait_for_cards(
        &client,
        &["customer.profiles", "inventory.stock-levels", "sales.enriched-orders", "sales.orders"],
        Duration::from_secs(60),
    )
    .await;
    click(&client, ".product-card[data-product-id='inventory.stock-levels'] .product-title a").await;
    text_of(&client, "#product-title", Duration::from_secs(10), |t| t == "Stock levels").await;
    click(&client, "#tab-lineage").await;
    let lineage = text_of(&client, "#lineage", Duration::from_secs(20), |t| t.contains("mystery-reader")).await;
    assert!(lineage.contains("Kafka Streams orders-enricher"), "{lineage}");
    assert!(lineage.contains("confirmed · sales.enriched-orders"), "{lineage}");
    assert!(lineage.contains("observed · group mystery-reader"), "{lineage}");
    assert!(lineage.contains("declared"), "Orders is declared and not seen: {lineage}");
    let confirmed = client.find(Locator::Css("#lineage line[data-provenance='confirmed']")).await;
    assert!(confirmed.is_ok(), "the confirmed edge is drawn as such");
    std::fs::create_dir_all(repo_root().join("target/e2e")).unwrap();
    std::fs::write(repo_root().join("target/e2e/lineage.png"), client.screenshot().await.unwrap()).unwrap();

    click(&client, "#lineage g.lineage-link[data-href='/products/sales.enriched-orders'] text.lineage-title").await;
    text_of(&client, "#product-title", Duration::from_secs(10), |t| t == "Enriched orders").await;
    let inputs = text_of(&client, "#lineage", Duration::from_secs(10), |t| t.contains("orders-enricher")).await;
    assert!(inputs.contains("reads inventory.stock-levels"), "{inputs}");
    driver.close(client).await;
}

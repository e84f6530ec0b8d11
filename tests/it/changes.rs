//! Schema changes and their readers across two desktops on the real broker and registry: the
//! impact panel's readers (grant, consumer group with lag, derived product), the breaking path
//! published by Inventory's owner, Sales' owner told and acknowledging, the migration states.

use meshdesk_contract::{AcknowledgeRequest, DecideRequest, Decision, ReaderKind};
use meshdesk_domain::change::{Change, breaking_path};
use meshdesk_kafka::Producer;
use meshdesk_tests::{consume, consumer_password, desktop, sandbox, stock_levels_request, three_records};

/// Sales' grant on Stock levels, approved by Inventory; a Sales consumer group that read three
/// records, then two more written (its lag).
pub(crate) async fn granted_and_read(
    t: &meshdesk_tests::TestSandbox,
    sam: &meshdesk_service::Meshdesk,
    ines: &meshdesk_service::Meshdesk,
) {
    let pw = consumer_password(t, "User:sales-app").await;
    let sent = sam.request_access(&stock_levels_request("Check stock before confirming orders.")).await.unwrap();
    sam.flush_outbox().await.unwrap();
    ines.sync().await.unwrap();
    let approve = DecideRequest { request_id: sent.request_id, decision: Decision::Approve { days: Some(30) } };
    assert_eq!(ines.decide_access(&approve).await.unwrap().state, meshdesk_contract::RequestStatus::Approved);
    ines.flush_outbox().await.unwrap();
    sam.sync().await.unwrap();
    three_records(t).await;
    assert_eq!(consume(t, "sales-app", &pw, "sales.stock-check", 3), "read 3");
    let producer = Producer::new(&t.sandbox.kafka_profile()).unwrap();
    for i in 0..2 {
        producer.send("inventory.stock-level-updated", Some(format!("L-{i}").as_bytes()), b"{}").await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_breaking_change_reaches_its_readers_and_their_migration_is_followed() {
    // Verifies the readers of Stock levels' subject (Sales' grant with its consumer group `sales.stock-check` and its lag of 2, and Orders as a derived product); then Inventory's owner publishes the breaking path (a `-v2` port, the old one deprecated until a sunset date) and the registry holds the v2 subject; Sales' owner is notified once, sees the change among the notices, acknowledges it, and the owner's migration state for the grant reads "acknowledged, still reading the old port" with the group and its lag.
    let t = sandbox(true).await;
    let (_s, sam) = desktop(&t, "User:sam").await;
    let (_i, ines) = desktop(&t, "User:ines").await;
    granted_and_read(&t, &sam, &ines).await;

    let readers = ines.subject_readers("inventory.stock-level-updated-value").await.unwrap();
    assert_eq!(readers.product.as_deref(), Some("inventory.stock-levels"));
    assert_eq!(readers.note, None);
    let grant = readers.readers.iter().find(|r| r.kind == ReaderKind::Grant).expect("the grant");
    assert_eq!(grant.who, "User:sales-app");
    assert_eq!(grant.group.as_deref(), Some("sales.stock-check"));
    assert_eq!(grant.lag, Some(2), "{readers:?}");
    assert!(readers.readers.iter().any(|r| r.kind == ReaderKind::Derived && r.who == "Orders"), "{readers:?}");

    // Sam's first look announces nothing that was there before.
    let mut sam_notices = sam.subscribe();
    sam.announce_product_changes().await;

    // Inventory takes the breaking path through the wizard's edit.
    let edit = ines.edit_product("inventory.stock-levels").await.unwrap();
    let mut draft = edit.draft.clone();
    let registered = draft.product.output_ports[0].value_schema.as_ref().unwrap().schema.clone();
    let v2 = registered.replace(
        r#""type": "int""#,
        r#""type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}"#,
    );
    draft.product =
        breaking_path(&draft.product, 0, &v2, &registered, "2027-03-31", "quantity becomes a decimal").unwrap();
    ines.save_draft(&draft).await.unwrap();
    let published = ines.publish_draft(&draft.id).await.unwrap();
    assert_eq!(published.status, meshdesk_contract::DraftStatus::Published, "{published:?}");
    ines.flush_outbox().await.unwrap();
    let registry = meshdesk_registry::RegistryClient::new(&t.sandbox.registry_url(), None).unwrap();
    assert_eq!(registry.versions("inventory.stock-level-updated-v2-value").await.unwrap(), [1]);
    assert_eq!(
        registry.versions("inventory.stock-level-updated-value").await.unwrap(),
        [1],
        "the old subject is kept as it was"
    );

    sam.sync().await.unwrap();
    sam.announce_product_changes().await;
    let told: Vec<(String, String)> = std::iter::from_fn(|| sam_notices.try_recv().ok())
        .filter_map(|n| match n {
            meshdesk_service::Notice::Change { title, body } => Some((title, body)),
            _ => None,
        })
        .collect();
    assert!(
        told.iter()
            .any(|(t, b)| t == "Stock levels: action needed" && b.contains("move to inventory.stock-level-updated-v2")),
        "{told:?}"
    );
    sam.announce_product_changes().await;
    assert!(sam_notices.try_recv().is_err(), "told once");

    let notices = sam.notices().await.unwrap();
    let deprecation = notices
        .iter()
        .find(|n| matches!(n.change, Change::PortDeprecated { .. }))
        .expect("the deprecation is a notice")
        .clone();
    assert!(notices.iter().all(|n| n.viewer_reads && !n.viewer_acknowledged));
    sam.acknowledge_change(&AcknowledgeRequest {
        product: deprecation.product.clone(),
        event_id: deprecation.event_id.clone(),
    })
    .await
    .unwrap();
    assert!(sam.notices().await.unwrap().is_empty(), "acknowledged: no notice left");
    let wrong = AcknowledgeRequest { product: "inventory.stock-levels".into(), event_id: "no-such-event".into() };
    assert!(sam.acknowledge_change(&wrong).await.unwrap_err().to_string().contains("no such change"));

    ines.sync().await.unwrap();
    let page = ines.product_detail("inventory.stock-levels").await.unwrap();
    let old = &page.product.output_ports[0];
    assert_eq!(old.deprecation.as_ref().map(|d| d.sunset.as_str()), Some("2027-03-31"));
    let change = page.changes.iter().find(|c| matches!(c.change, Change::PortDeprecated { .. })).unwrap();
    assert_eq!(change.acknowledged_by, ["User:sam"]);
    let m = &change.migrations[0];
    assert_eq!(m.consumer, "User:sales-app");
    assert_eq!(m.state(), "acknowledged, still reading the old port");
    assert_eq!((m.on_old[0].group.as_str(), m.on_old[0].lag), ("sales.stock-check", 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_registered_on_the_schemas_page_is_announced_to_readers() {
    // Verifies that a compatible version of Stock levels' subject registered from the Schemas page by its owner republishes the product with the new version, so Sales' owner (a reader) gets a notice saying what readers will see; an undocumented new field is refused by the policies before anything is registered; and a non-owner's registration is not announced, with the reason.
    let t = sandbox(true).await;
    let (_s, sam) = desktop(&t, "User:sam").await;
    let (_i, ines) = desktop(&t, "User:ines").await;
    granted_and_read(&t, &sam, &ines).await;
    let subject = "inventory.stock-level-updated-value";
    let mut schema: serde_json::Value = serde_json::from_str(meshdesk_domain::seed::STOCK_LEVEL_UPDATED).unwrap();
    schema["fields"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "note", "type": ["null", "string"], "default": null}));
    let req = |s: &serde_json::Value| meshdesk_contract::RegisterRequest {
        subject: subject.into(),
        schema: s.to_string(),
        format: meshdesk_domain::SchemaFormat::Avro,
    };
    let refused = ines.register_schema(&req(&schema)).await.unwrap_err().to_string();
    assert!(refused.contains("describe the field `note`"), "{refused}");
    let registry = meshdesk_registry::RegistryClient::new(&t.sandbox.registry_url(), None).unwrap();
    assert_eq!(registry.versions(subject).await.unwrap(), [1], "nothing registered");

    schema["fields"][4]["doc"] = serde_json::json!("A remark on the level.");
    let done = ines.register_schema(&req(&schema)).await.unwrap();
    assert_eq!(done.version, 2);
    assert_eq!(
        done.announced.as_deref(),
        Some("Stock levels was published again with version 2: its readers are told.")
    );
    ines.flush_outbox().await.unwrap();
    sam.sync().await.unwrap();
    let notices = sam.notices().await.unwrap();
    let told = notices.iter().find(|n| matches!(n.change, Change::NewVersion { .. })).expect("a new version notice");
    assert!(
        told.change.describe().contains("version 2 of the schema (a new field `note` (null | string))"),
        "{}",
        told.change.describe()
    );

    schema["fields"][4]["doc"] = serde_json::json!("Another remark.");
    let by_sam = sam.register_schema(&req(&schema)).await.unwrap();
    assert_eq!(
        by_sam.announced.as_deref(),
        Some("Not announced: only the owners of Stock levels publish it, and with it tell its readers.")
    );
}

//! Insiders on the real broker: members with legitimately endorsed keys write, with a stock
//! `confluent-kafka` producer straight to the governance topic, events every sending desktop
//! would have refused (an approval signed for another environment with the same keys, a claim on
//! another team's topic, a request for a domain the signer does not own, a product breaking the
//! policies, a schema with 2^41 field paths), and every desktop refuses them, or folds them in
//! bounded work, and goes on.

use meshdesk_contract::{DecideRequest, Decision};
use meshdesk_domain::seed::SEED_ACTOR;
use meshdesk_domain::{EventBody, Principal, TopicName};
use meshdesk_tests::{desktop, forge, sandbox, stock_levels_request as form};

#[path = "../../crates/store/src/tests/hostile_schemas.rs"]
#[allow(dead_code)]
mod hostile_schemas;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insiders_writing_with_a_stock_client_are_refused_and_a_hostile_schema_does_not_freeze_the_fold() {
    // Verifies, through the broker with an independent producer, that an approval signed for another environment with Ines's real key, Ines's product claiming payments.card-numbers, Carla's request for Sales (which she does not own) and Ines's product with a description the policies find too short are refused with their reasons; that Ines's valid 40-level schema reusing its types is folded and her next event applies after it; and that the catalog and the grants show none of the refused claims.
    let t = sandbox(true).await;
    let (_s, sam) = desktop(&t, "User:sam").await;
    let (_o, observer) = desktop(&t, SEED_ACTOR).await;
    let sent = sam.request_access(&form("Check stock before confirming orders.")).await.unwrap();
    sam.flush_outbox().await.unwrap();
    observer.sync().await.unwrap();
    let request = observer.store().access_request(&sent.request_id).await.unwrap().unwrap().request;

    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let sign = |actor: &str, id: &str, environment: &str, body: &EventBody| {
        let mut env = meshdesk_domain::Envelope::new(id, actor, now, body);
        t.sandbox.signer(&Principal::parse(actor).unwrap()).unwrap().sign_for(&mut env, environment);
        String::from_utf8(env.to_bytes()).unwrap()
    };
    let here = t.sandbox.environment();
    let stock =
        meshdesk_domain::seed::products().into_iter().find(|p| p.id.as_str() == "inventory.stock-levels").unwrap();
    let mut claim = stock.clone();
    claim.output_ports[0].topic = TopicName::parse("payments.card-numbers").unwrap();
    let mut nested = stock.clone();
    nested.output_ports[0].value_schema.as_mut().unwrap().schema = hostile_schemas::nested_reuse(40);
    let mut careless = stock.clone();
    careless.description = "Stock.".into();
    let mut after = stock.clone();
    after.title = "Stock levels, after the nested schema".into();
    let mut carla = request.clone();
    carla.id = "carla-for-sales".into();
    let spec = serde_json::json!({
        "now_ms": now,
        "events": [],
        "replay": [],
        "raw": [
            {"value": sign("User:ines", "dev-approval", "_meshdesk.governance@dev", &EventBody::approval(&request, None))},
            {"value": sign("User:ines", "claim", &here, &EventBody::ProductPublished(claim))},
            {"value": sign("User:carla", "carla-request", &here, &EventBody::AccessRequested(carla))},
            {"value": sign("User:ines", "careless", &here, &EventBody::ProductPublished(careless))},
            {"value": sign("User:ines", "nested", &here, &EventBody::ProductPublished(nested))},
            {"value": sign("User:ines", "after", &here, &EventBody::ProductPublished(after))},
        ],
    });
    let stdout = forge(&t.sandbox, _o.path(), &spec);
    assert_eq!(stdout.lines().filter(|l| l.starts_with("forged ")).count(), 6, "{stdout}");

    tokio::time::timeout(std::time::Duration::from_secs(120), observer.sync())
        .await
        .expect("the fold finishes")
        .unwrap();
    let audit = observer.store().events(meshdesk_domain::GOVERNANCE_TOPIC).await.unwrap();
    let outcome = |id: &str| {
        let e = audit.iter().find(|e| e.id == id).unwrap_or_else(|| panic!("{id} is in the audit"));
        (e.outcome, e.note.clone().unwrap_or_default())
    };
    for (id, why) in [
        ("dev-approval", "signed for the environment `_meshdesk.governance@dev`"),
        ("claim", "outside the domain's namespace"),
        ("carla-request", "User:carla does not own the domain sales"),
        ("careless", "product.description (required-metadata)"),
    ] {
        let (o, note) = outcome(id);
        assert_eq!(o, "refused", "{id}: {note}");
        assert!(note.contains(why), "{id}: `{note}` should say `{why}`");
    }
    assert_eq!(outcome("nested").0, "applied", "{:?}", outcome("nested"));
    assert_eq!(outcome("after").0, "applied", "{:?}", outcome("after"));
    let product = observer.store().product("inventory.stock-levels").await.unwrap().unwrap();
    assert_eq!(product.product.title, "Stock levels, after the nested schema");
    assert_eq!(product.product.output_ports[0].topic.as_str(), "inventory.stock-level-updated");
    let state = observer.store().access_request(&sent.request_id).await.unwrap().unwrap().state;
    assert_eq!(state.name(), "pending", "the replayed approval granted nothing");
    assert!(observer.store().access_request("carla-for-sales").await.unwrap().is_none());

    // The owner's own approval, made here, still applies.
    let (_i, ines) = desktop(&t, "User:ines").await;
    ines.sync().await.unwrap();
    let decided = ines
        .decide_access(&DecideRequest {
            request_id: sent.request_id.clone(),
            decision: Decision::Approve { days: None },
        })
        .await
        .unwrap();
    assert_eq!(decided.state, meshdesk_contract::RequestStatus::Approved);
    for md in [sam, observer, ines] {
        md.shutdown().await;
    }
}

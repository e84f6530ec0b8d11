//! Access that really holds: Apache Kafka's own authorizer (`StandardAuthorizer`) enforces the
//! ACLs a grant creates, as a stock confluent-kafka consumer sees it.

use meshdesk_contract::{DecideRequest, Decision};
use meshdesk_domain::access::AccessRequest;
use meshdesk_domain::{DomainId, Envelope, EventBody, GOVERNANCE_TOPIC, Principal, ProductId, TopicName};
use meshdesk_kafka::Producer;
use meshdesk_tests::{
    consume, consumer_password, desktop, sandbox, stock_levels_request as form, three_records, unique,
};

const TOPIC: &str = "inventory.stock-level-updated";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_granted_consumer_reads_and_everyone_else_is_refused() {
    // Verifies with a stock confluent-kafka consumer against Apache Kafka's authorizer: User:sales-app is refused on inventory.stock-level-updated with TOPIC_AUTHORIZATION_FAILED; once Sam requests and Ines approves, exactly the plan's ACLs are on the cluster and the consumer reads the records in group sales.stock-check but is refused in marketing.x with GROUP_AUTHORIZATION_FAILED; with a second, overlapping grant for the same consumer, revoking the first leaves it reading; revoking the second refuses it again.
    let t = sandbox(true).await;
    three_records(&t).await;
    let pw = consumer_password(&t, "User:sales-app").await;
    assert_eq!(consume(&t, "sales-app", &pw, "-", 3), "refused TOPIC_AUTHORIZATION_FAILED");

    let (_s, sam) = desktop(&t, "User:sam").await;
    let (_i, ines) = desktop(&t, "User:ines").await;
    let first = sam.request_access(&form("Check stock before confirming orders.")).await.unwrap();
    sam.flush_outbox().await.unwrap();
    ines.sync().await.unwrap();
    let approve = |id: &str| DecideRequest { request_id: id.into(), decision: Decision::Approve { days: Some(30) } };
    let decided = ines.decide_access(&approve(&first.request_id)).await.unwrap();
    assert_eq!(decided.state, meshdesk_contract::RequestStatus::Approved);
    assert_eq!(decided.grant.as_ref().map(|g| g.status.as_str()), Some("applied"), "{decided:?}");
    let mine: Vec<String> = t
        .sandbox
        .acls()
        .await
        .unwrap()
        .iter()
        .filter(|a| a.principal == "User:sales-app")
        .map(|a| format!("{:?} {:?} {} {:?}", a.resource, a.operation, a.name, a.pattern))
        .collect();
    assert_eq!(
        mine,
        [
            "Topic Read inventory.stock-level-updated Literal",
            "Topic Describe inventory.stock-level-updated Literal",
            "Group Read sales. Prefixed"
        ]
    );
    assert_eq!(consume(&t, "sales-app", &pw, "sales.stock-check", 3), "read 3");
    assert_eq!(consume(&t, "sales-app", &pw, "marketing.x", 3), "refused GROUP_AUTHORIZATION_FAILED");

    // A second grant for the same consumer, topic and group prefix.
    let second = sam.request_access(&form("Nightly stock report for the sales team.")).await.unwrap();
    sam.flush_outbox().await.unwrap();
    ines.sync().await.unwrap();
    let decided = ines.decide_access(&approve(&second.request_id)).await.unwrap();
    assert_eq!(decided.grant.as_ref().map(|g| g.status.as_str()), Some("applied"));
    let revoke = |id: &str| DecideRequest {
        request_id: id.into(),
        decision: Decision::Revoke { reason: "replaced by the nightly report".into() },
    };
    let revoked = ines.decide_access(&revoke(&first.request_id)).await.unwrap();
    assert_eq!(
        (revoked.state.as_str(), revoked.grant.as_ref().map(|g| g.status.as_str())),
        ("revoked", Some("removed"))
    );
    assert_eq!(
        consume(&t, "sales-app", &pw, &unique("sales.after-first-revoke"), 3),
        "read 3",
        "the overlapping grant still holds"
    );
    ines.decide_access(&revoke(&second.request_id)).await.unwrap();
    assert!(
        t.sandbox.acls().await.unwrap().iter().all(|a| a.principal != "User:sales-app"),
        "{:?}",
        t.sandbox.acls().await.unwrap()
    );
    assert_eq!(consume(&t, "sales-app", &pw, "-", 3), "refused TOPIC_AUTHORIZATION_FAILED");
    assert_eq!(consume(&t, "sales-app", &pw, &unique("sales.after-revoke"), 3), "refused GROUP_AUTHORIZATION_FAILED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_that_expires_is_removed_by_the_reconciler() {
    // Verifies a short grant end to end: an approval written (signed, with its historical time) so that it ends 15 s from now is applied by the reconciler and the consumer reads; once it has expired the reconciler removes its ACLs and the consumer is refused with TOPIC_AUTHORIZATION_FAILED.
    let t = sandbox(true).await;
    three_records(&t).await;
    let pw = consumer_password(&t, "User:sales-report").await;
    let day = 86_400_000i64;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let approved_at = now - day + 15_000;
    let req = AccessRequest {
        id: "short".into(),
        product: ProductId::parse("inventory.stock-levels").unwrap(),
        ports: vec![TopicName::parse(TOPIC).unwrap()],
        consumer: Principal::parse("User:sales-report").unwrap(),
        requester_domain: DomainId::parse("sales").unwrap(),
        group_prefix: "sales.".into(),
        purpose: "Check stock before confirming orders.".into(),
        days: 1,
    };
    let producer = Producer::new(&t.sandbox.kafka_profile()).unwrap();
    let events = [
        ("User:sam", approved_at - 60_000, EventBody::AccessRequested(req.clone())),
        ("User:ines", approved_at, EventBody::approval(&req, Some(1))),
    ];
    for (i, (actor, at, body)) in events.iter().enumerate() {
        let mut env = Envelope::new(format!("short-{i}"), *actor, *at, body);
        t.sandbox.signer(&Principal::parse(actor).unwrap()).unwrap().sign_for(&mut env, &t.sandbox.environment());
        producer.send_at(GOVERNANCE_TOPIC, Some(env.id.as_bytes()), &env.to_bytes(), Some(*at)).await.unwrap();
    }
    let (_i, ines) = desktop(&t, "User:ines").await;
    ines.sync().await.unwrap();
    let applied = ines.reconcile().await.unwrap();
    assert_eq!(applied.len(), 1, "{applied:?}");
    assert!(applied[0].0.apply);
    assert_eq!(consume(&t, "sales-report", &pw, "sales.report", 3), "read 3");

    let wait = (approved_at + day)
        - std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    tokio::time::sleep(std::time::Duration::from_millis(wait.max(0) as u64 + 500)).await;
    let removed = ines.reconcile().await.unwrap();
    assert_eq!(removed.len(), 1, "{removed:?}");
    assert!(!removed[0].0.apply && removed[0].0.why == "expired", "{removed:?}");
    assert_eq!(consume(&t, "sales-report", &pw, "-", 3), "refused TOPIC_AUTHORIZATION_FAILED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consumers_log_in_with_scram_and_wrong_passwords_are_refused() {
    // Verifies the sandbox's SASL with a stock confluent-kafka client: a consumer principal logs in with SCRAM-SHA-256 and SCRAM-SHA-512 (each is authenticated and then refused on the topic it has no grant for), a wrong password is refused with an authentication error under each mechanism, PLAIN (the admin's only) is refused for a consumer, and the admin's login reaches the topic.
    let t = sandbox(true).await;
    three_records(&t).await;
    let pw = consumer_password(&t, "User:sales-app").await;
    let as_with = |mechanism: &str, password: &str| {
        let mut p = t.sandbox.kafka_profile_as("sales-app", password);
        p.properties.insert("sasl.mechanism".into(), mechanism.into());
        p
    };
    for mechanism in ["SCRAM-SHA-256", "SCRAM-SHA-512"] {
        assert_eq!(
            meshdesk_tests::consume_with(&as_with(mechanism, &pw), "-", 3),
            "refused TOPIC_AUTHORIZATION_FAILED",
            "{mechanism}: authenticated, not granted"
        );
        let wrong = meshdesk_tests::consume_with(&as_with(mechanism, "wrong-password"), "-", 3);
        assert_eq!(wrong, "refused _AUTHENTICATION", "{mechanism}");
    }
    assert_eq!(meshdesk_tests::consume_with(&as_with("PLAIN", &pw), "-", 3), "refused _AUTHENTICATION", "PLAIN");
    assert_eq!(meshdesk_tests::consume_with(&t.sandbox.kafka_profile(), "-", 3), "read 3");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_that_loses_the_race_leaves_no_acl_behind() {
    // Verifies that ACLs follow the log: Ines approves while the cluster is unreachable (the approval waits in her outbox and no ACL is made); meanwhile Sam withdraws the request and his withdrawal lands first; when Ines's approval lands the fold refuses it, neither her desktop nor the reconciler creates an ACL, and the consumer stays refused.
    let mut t = sandbox(true).await;
    let pw = consumer_password(&t, "User:sales-app").await;
    let (_s, sam) = desktop(&t, "User:sam").await;
    let (_i, ines) = desktop(&t, "User:ines").await;
    let sent = sam.request_access(&form("Check stock before confirming orders.")).await.unwrap();
    sam.flush_outbox().await.unwrap();
    ines.sync().await.unwrap();

    t.sandbox.stop_broker().await.unwrap();
    let approve = DecideRequest { request_id: sent.request_id.clone(), decision: Decision::Approve { days: None } };
    let decided = ines.decide_access(&approve).await.unwrap();
    assert_eq!(decided.state, meshdesk_contract::RequestStatus::Approved, "the rules allow it, so it is queued");
    assert!(decided.grant.is_none() && decided.acls.is_empty(), "no ACL before the log has the decision: {decided:?}");
    t.sandbox.start_broker().await.unwrap();

    let withdraw = DecideRequest { request_id: sent.request_id.clone(), decision: Decision::Withdraw };
    assert_eq!(sam.decide_access(&withdraw).await.unwrap().state, meshdesk_contract::RequestStatus::Withdrawn);
    ines.flush_outbox().await.unwrap();
    ines.sync().await.unwrap();
    let incoming = ines.list_access().await.unwrap().incoming;
    assert_eq!(incoming[0].state.name(), "withdrawn", "the withdrawal came first; the approval was refused");
    assert!(ines.reconcile().await.unwrap().is_empty(), "the reconciler has nothing to apply");
    assert!(
        t.sandbox.acls().await.unwrap().iter().all(|a| a.principal != "User:sales-app"),
        "{:?}",
        t.sandbox.acls().await.unwrap()
    );
    assert_eq!(consume(&t, "sales-app", &pw, "-", 1), "refused TOPIC_AUTHORIZATION_FAILED");
}

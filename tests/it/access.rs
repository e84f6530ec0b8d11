//! Cross-domain access on the real broker: two desktops (Sales' and Inventory's owners) share
//! one governance log; the reconciler's dry run.

use meshdesk_contract::{DecideRequest, Decision};
use meshdesk_domain::access::AccessRequest;
use meshdesk_domain::{DomainId, Envelope, EventBody, GOVERNANCE_TOPIC, Principal, ProductId, TopicName};
use meshdesk_kafka::{Producer, watermarks};

use meshdesk_tests::{desktop, env_file_as, sandbox, stock_levels_request as form, target_dir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sales_requests_stock_levels_and_inventory_approves_on_another_desktop() {
    // Verifies the seed's access story across two desktops sharing the sandbox's governance log: Sales' owner requests read access to inventory.stock-level-updated (the plan is exactly READ+DESCRIBE on the topic and READ on groups `sales.`), Inventory's owner sees it arrive and approves it, Kafka's authorizer takes the ACLs and the grant is recorded as applied, both desktops see the same state, the product's consumers list the grant, the reconciler then has nothing to do and writes nothing, revocation removes the ACLs, and illegal decisions are refused.
    let t = sandbox(true).await;
    let (_s, sam) = desktop(&t, "User:sam").await;
    let (_i, ines) = desktop(&t, "User:ines").await;
    let mut ines_notices = ines.subscribe();
    let mut sam_notices = sam.subscribe();
    ines.announce_access_changes().await; // the first look announces nothing
    sam.announce_access_changes().await;

    // Sam cannot request for a domain he does not own, nor without a purpose.
    let mut bad = form("Check stock before confirming orders.");
    bad.requester_domain = "customer".into();
    assert!(sam.request_access(&bad).await.unwrap_err().to_string().contains("does not own the domain customer"));
    assert!(sam.request_access(&form("x")).await.unwrap_err().to_string().contains("say what the data is for"));

    let sent = sam.request_access(&form("Check stock before confirming orders.")).await.unwrap();
    let plan: Vec<String> =
        sent.plan.iter().map(|b| format!("{:?} {:?} {} {:?}", b.resource, b.operation, b.name, b.pattern)).collect();
    assert_eq!(
        plan,
        [
            "Topic Read inventory.stock-level-updated Literal",
            "Topic Describe inventory.stock-level-updated Literal",
            "Group Read sales. Prefixed"
        ]
    );
    sam.flush_outbox().await.unwrap();

    ines.sync().await.unwrap();
    ines.announce_access_changes().await;
    let notice = loop {
        match ines_notices.try_recv().expect("a notice for the new request") {
            meshdesk_service::Notice::Access { title, body } => break (title, body),
            _ => continue,
        }
    };
    assert_eq!(notice.0, "New access request");
    assert!(notice.1.starts_with("User:sam asks for Stock levels for User:sales-app"), "{}", notice.1);
    let queue = ines.list_access().await.unwrap();
    assert_eq!(queue.my_domains, ["inventory"]);
    assert_eq!(queue.incoming.len(), 1, "the request arrived on Inventory's desktop");
    let incoming = &queue.incoming[0];
    assert_eq!((incoming.requested_by.as_str(), incoming.state.name()), ("User:sam", "pending"));
    assert_eq!(incoming.request.purpose, "Check stock before confirming orders.");

    // Sam cannot approve his own request (he does not own the product either).
    let approve = DecideRequest { request_id: sent.request_id.clone(), decision: Decision::Approve { days: Some(30) } };
    sam.sync().await.unwrap();
    let refused = sam.decide_access(&approve).await.unwrap_err().to_string();
    assert!(refused.contains("does not own inventory.stock-levels"), "{refused}");

    let decided = ines.decide_access(&approve).await.unwrap();
    assert_eq!(decided.state, meshdesk_contract::RequestStatus::Approved);
    let grant = decided.grant.expect("an approval applies the grant once the log has it");
    assert_eq!(grant.status, meshdesk_contract::GrantStatus::Applied, "{grant:?}");
    assert_eq!(ines.flush_outbox().await.unwrap(), 1, "the grant's outcome (the approval went first)");
    // Deciding twice is refused (the decider reads the log first).
    let twice = ines.decide_access(&approve).await.unwrap_err().to_string();
    assert!(twice.contains("cannot be approved"), "{twice}");

    sam.sync().await.unwrap();
    sam.announce_access_changes().await;
    let decided_notice = std::iter::from_fn(|| sam_notices.try_recv().ok())
        .find_map(|n| match n {
            meshdesk_service::Notice::Access { title, body } => Some((title, body)),
            _ => None,
        })
        .expect("Sam is told about the decision");
    assert_eq!(decided_notice.0, "Access request approved");
    let mine = sam.list_access().await.unwrap();
    let out = &mine.outgoing[0];
    assert!(out.active && out.state.name() == "approved");
    assert_eq!(out.grant.as_ref().map(|g| g.status.as_str()), Some("applied"));
    let consumers = sam.product_detail("inventory.stock-levels").await.unwrap().consumers;
    assert_eq!(consumers.len(), 1);
    assert_eq!((consumers[0].principal.as_str(), consumers[0].domain.as_str()), ("User:sales-app", "sales"));
    let until = consumers[0].until_ms.unwrap();
    let days = (until - consumers[0].since_ms) / 86_400_000;
    assert_eq!(days, 30, "the owner shortened it to 30 days");

    // The grant is applied: the reconciler has nothing to do, and the log does not grow.
    let profile = t.sandbox.kafka_profile();
    let before = watermarks(&profile, GOVERNANCE_TOPIC, 0).await.unwrap().high;
    let done = ines.reconcile().await.unwrap();
    assert!(done.is_empty(), "{done:?}");
    assert_eq!(ines.flush_outbox().await.unwrap(), 0);
    assert_eq!(watermarks(&profile, GOVERNANCE_TOPIC, 0).await.unwrap().high, before);

    // Revocation by the owner ends it on every desktop.
    let revoke = DecideRequest {
        request_id: sent.request_id.clone(),
        decision: Decision::Revoke { reason: "the stock check moved to a batch job".into() },
    };
    let revoked = ines.decide_access(&revoke).await.unwrap();
    assert_eq!(revoked.state, meshdesk_contract::RequestStatus::Revoked);
    assert_eq!(revoked.grant.map(|g| g.status), Some(meshdesk_contract::GrantStatus::Removed));
    assert!(
        t.sandbox.acls().await.unwrap().iter().all(|a| a.principal != "User:sales-app"),
        "the grant's ACLs are gone"
    );
    ines.flush_outbox().await.unwrap();
    sam.sync().await.unwrap();
    assert_eq!(sam.list_access().await.unwrap().outgoing[0].state.name(), "revoked");
    assert!(sam.product_detail("inventory.stock-levels").await.unwrap().consumers.is_empty());
    let csv = sam.access_audit_csv().await.unwrap();
    let kinds: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').nth(3).unwrap()).collect();
    assert_eq!(kinds, ["AccessRequested", "AccessApproved", "GrantApplied", "AccessRevoked", "GrantApplied"], "{csv}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reconciler_dry_run_prints_exact_changes_and_makes_none() {
    // Verifies `meshctl reconcile` against Apache Kafka's authorizer on a log with an approved grant not yet applied, one that expired and one revoked (events written with their historical times), and a hand-made ACL on a managed topic: the dry run prints an apply and two removals with their bindings and kafka-acls.sh commands, reports the hand-made ACL as drift with its two remedies, and changes nothing on the cluster or the log; the real run prints its counts, creates exactly the grant's ACLs and the owners' missing producer bindings, and leaves the hand-made one in place.
    let t = sandbox(true).await;
    let profile = t.sandbox.kafka_profile();
    let producer = Producer::new(&profile).unwrap();
    let day = 86_400_000i64;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let req = |id: &str, consumer: &str| AccessRequest {
        id: id.into(),
        product: ProductId::parse("inventory.stock-levels").unwrap(),
        ports: vec![TopicName::parse("inventory.stock-level-updated").unwrap()],
        consumer: Principal::parse(consumer).unwrap(),
        requester_domain: DomainId::parse("sales").unwrap(),
        group_prefix: "sales.".into(),
        purpose: "Check stock before confirming orders.".into(),
        days: 90,
    };
    let events = [
        ("User:sam", now - 20 * day, EventBody::AccessRequested(req("approved", "User:sales-app"))),
        ("User:ines", now - 19 * day, EventBody::approval(&req("approved", "User:sales-app"), None)),
        ("User:sam", now - 20 * day, EventBody::AccessRequested(req("expired", "User:sales-report"))),
        ("User:ines", now - 19 * day, EventBody::approval(&req("expired", "User:sales-report"), Some(7))),
        ("User:sam", now - 5 * day, EventBody::AccessRequested(req("revoked", "User:sales-batch"))),
        ("User:ines", now - 4 * day, EventBody::approval(&req("revoked", "User:sales-batch"), None)),
        (
            "User:ines",
            now - day,
            EventBody::AccessRevoked { request_id: "revoked".into(), reason: "batch job retired".into() },
        ),
    ];
    for (i, (actor, at, body)) in events.iter().enumerate() {
        // Signed by each actor's sandbox key and written with its historical time as the record's.
        let mut env = Envelope::new(format!("hist-{i}"), *actor, *at, body);
        t.sandbox.signer(&Principal::parse(actor).unwrap()).unwrap().sign_for(&mut env, &t.sandbox.environment());
        producer.send_at(GOVERNANCE_TOPIC, Some(env.id.as_bytes()), &env.to_bytes(), Some(*at)).await.unwrap();
    }
    // A binding made by hand, not by Meshdesk.
    let legacy = meshdesk_kafka::AclBinding {
        resource: meshdesk_kafka::ResourceType::Topic,
        name: "inventory.stock-level-updated".into(),
        pattern: meshdesk_kafka::PatternType::Literal,
        principal: "User:legacy-etl".into(),
        host: "*".into(),
        operation: meshdesk_kafka::AclOperation::Read,
        permission: meshdesk_kafka::AclPermission::Allow,
    };
    meshdesk_kafka::Admin::new(&profile).unwrap().create_acls(&[legacy]).await.unwrap();
    let acls_before = t.sandbox.acls().await.unwrap();
    let before = watermarks(&profile, GOVERNANCE_TOPIC, 0).await.unwrap().high;

    let dir = tempfile::tempdir().unwrap();
    let env = env_file_as(dir.path(), "it", &t.sandbox, "User:platform");
    let out = std::process::Command::new(target_dir().join("debug/meshctl"))
        .args(["reconcile", "--dry-run", "--once", "--env"])
        .arg(&env)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    // Newest request first.
    let headlines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("would ") && l.contains(" grant ")).collect();
    assert_eq!(
        headlines,
        [
            "would remove grant revoked (revoked by User:ines: batch job retired):",
            "would apply grant approved (approved and in force; its ACLs are not applied yet):",
            "would remove grant expired (expired):",
        ]
    );
    assert!(
        stdout.contains("  ALLOW User:sales-app Read on topic inventory.stock-level-updated (literal)"),
        "{stdout}"
    );
    assert!(stdout.contains("  ALLOW User:sales-app Read on group sales. (prefixed)"), "{stdout}");
    let bootstrap = t.sandbox.bootstrap_servers();
    assert!(stdout.contains(&format!(
        "kafka-acls.sh --bootstrap-server {bootstrap} --remove --allow-principal User:sales-batch --operation Describe --topic inventory.stock-level-updated --resource-pattern-type literal --force"
    )), "{stdout}");
    assert!(stdout.contains("dry run: 3 change(s), none made (would apply 1, would remove 2)"), "{stdout}");
    assert!(stdout.contains("would create 6 missing binding(s)"), "{stdout}");
    assert!(stdout.contains("drift: 1 finding(s)"), "{stdout}");
    assert!(
        stdout.contains("unmanaged: ALLOW User:legacy-etl Read on topic inventory.stock-level-updated (literal) (not made by Meshdesk): left alone; adopt it into a grant"),
        "{stdout}"
    );
    assert!(stdout.contains("or remove it: kafka-acls.sh --bootstrap-server"), "{stdout}");
    assert_eq!(watermarks(&profile, GOVERNANCE_TOPIC, 0).await.unwrap().high, before, "nothing was written");
    assert_eq!(t.sandbox.acls().await.unwrap(), acls_before, "the dry run changed no ACL");

    // The real run (as an owner of the product, who may record grant outcomes).
    let owner_env = env_file_as(dir.path(), "it", &t.sandbox, "User:ines");
    let out = std::process::Command::new(target_dir().join("debug/meshctl"))
        .args(["reconcile", "--once", "--env"])
        .arg(&owner_env)
        .arg("--data-dir")
        .arg(dir.path().join("data-ines"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.contains("3 change(s): applied 1, removed 2, not applied 0; 3 governance event(s) written"),
        "{stdout}"
    );
    let acls = t.sandbox.acls().await.unwrap();
    let owners = ["User:ines", "User:sam", "User:carla"];
    let consumers: Vec<String> = acls
        .iter()
        .filter(|a| !owners.contains(&a.principal.as_str()))
        .map(|a| format!("{} {:?}", a.principal, a.operation))
        .collect();
    assert_eq!(
        consumers,
        ["User:legacy-etl Read", "User:sales-app Read", "User:sales-app Describe", "User:sales-app Read"],
        "the grant's three bindings were created and the hand-made one left alone"
    );
    // The desired state also holds the owners' producer bindings, which the seed never made.
    assert!(stdout.contains("created 6 missing binding(s)"), "{stdout}");
    let producers = acls.iter().filter(|a| owners.contains(&a.principal.as_str())).count();
    assert_eq!(producers, 6, "WRITE and DESCRIBE for each seeded product's owner: {acls:?}");
}

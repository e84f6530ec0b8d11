//! Trust on the real broker: forgeries written by an independent client (the `confluent-kafka`
//! Python package) are refused by every desktop, and a new principal enrolls through an admin.

use meshdesk_contract::{DecideRequest, Decision, EnrollmentRequest, KeyStanding, TrustAction};
use meshdesk_domain::seed::SEED_ACTOR;
use meshdesk_domain::{Envelope, EventBody, Principal};
use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};
use meshdesk_tests::{TestSandbox, desktop, env_file_as, forge, sandbox, stock_levels_request as form};

/// What a desktop believes: owners, grants, keys, and the reconciler's plan.
async fn beliefs(md: &Meshdesk) -> String {
    let mut out = String::new();
    for d in md.list_domains().await.unwrap() {
        out += &format!("domain {} {:?}\n", d.id, d.owners);
    }
    for id in ["inventory.stock-levels", "sales.orders", "customer.profiles"] {
        let p = md.store().product(id).await.unwrap().unwrap();
        out += &format!("product {id} {:?} {}\n", p.product.owners, p.product.title);
    }
    for r in md.store().access_requests().await.unwrap() {
        out += &format!("request {} {} {:?}\n", r.request.consumer, r.state.name(), r.grant_status);
    }
    for k in md.store().trust_keys().await.unwrap() {
        out += &format!("key {} {}\n", k.principal, k.state);
    }
    for a in md.reconcile_plan().await.unwrap() {
        out += &format!("plan {} apply={}\n", a.request_id, a.apply);
    }
    out
}

fn signed(t: &TestSandbox, actor: &str, id: &str, at_ms: i64, body: &EventBody) -> String {
    let mut env = Envelope::new(id, actor, at_ms, body);
    t.sandbox.signer(&Principal::parse(actor).unwrap()).unwrap().sign_for(&mut env, &t.sandbox.environment());
    String::from_utf8(env.to_bytes()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgeries_written_by_an_independent_client_are_refused_and_change_nothing() {
    // Verifies, with a stock confluent-kafka producer writing straight to the governance topic, that an impersonated approval, a domain takeover, a product takeover, a forged GrantApplied after a revocation, a signed event replayed with a changed payload, an event signed with a revoked key, and events dated in year 2300 or at i64::MAX are each refused with their reason, and that neither the catalog, the grants nor the reconciler's plan changes.
    let t = sandbox(true).await;
    let (_s, sam) = desktop(&t, "User:sam").await;
    let (_i, ines) = desktop(&t, "User:ines").await;
    let (_a, admin) = desktop(&t, SEED_ACTOR).await;
    let (_o, observer) = desktop(&t, "User:carla").await;

    // One grant approved and revoked (the reconciler recorded the removal), one request pending.
    let first = sam.request_access(&form("Check stock before confirming orders.")).await.unwrap();
    let second = sam.request_access(&form("Forecast demand from stock movements.")).await.unwrap();
    sam.flush_outbox().await.unwrap();
    ines.sync().await.unwrap();
    let approval = ines
        .decide_access(&DecideRequest {
            request_id: first.request_id.clone(),
            decision: Decision::Approve { days: None },
        })
        .await
        .unwrap();
    ines.decide_access(&DecideRequest {
        request_id: first.request_id.clone(),
        decision: Decision::Revoke { reason: "project ended".into() },
    })
    .await
    .unwrap();
    ines.flush_outbox().await.unwrap();
    // The admin revokes Carla's key (a lost laptop); her later signature must not count.
    admin.sync().await.unwrap();
    let carla = t.sandbox.signer(&Principal::parse("User:carla").unwrap()).unwrap();
    admin
        .decide_trust(&TrustAction::Revoke {
            key: carla.public_key().id(),
            reason: "laptop lost".into(),
            compromised_since_ms: None,
        })
        .await
        .unwrap();
    observer.sync().await.unwrap();
    let before = beliefs(&observer).await;
    assert!(before.contains("key User:carla revoked"), "{before}");
    assert!(before.contains("request User:sales-app revoked"), "{before}");

    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let mut stock = observer.store().product("inventory.stock-levels").await.unwrap().unwrap().product;
    stock.owners = vec![Principal::parse("User:mallory").unwrap()];
    let mut profiles = observer.store().product("customer.profiles").await.unwrap().unwrap().product;
    profiles.title = "Signed after revocation".into();
    let mut takeover = meshdesk_domain::seed::domains().remove(0);
    takeover.owners.push(Principal::parse("User:mallory").unwrap());
    let payload = |body: &EventBody| serde_json::to_value(body).unwrap()["payload"].clone();
    let year_2300 = 10_413_792_000_000i64;
    let spec = serde_json::json!({
        "now_ms": now,
        "events": [
            {"id": "forged-approval", "type": "AccessApproved", "actor": "User:ines",
             "payload": {"request_id": second.request_id, "days": null}},
            {"id": "forged-domain", "type": "DomainRegistered", "actor": "User:mallory",
             "payload": payload(&EventBody::DomainRegistered(takeover.clone()))},
            {"id": "forged-product", "type": "ProductPublished", "actor": "User:ines",
             "payload": payload(&EventBody::ProductPublished(stock))},
            {"id": "forged-grant", "type": "GrantApplied", "actor": meshdesk_domain::seed::RECONCILER,
             "payload": {"request_id": first.request_id, "outcome": {"status": "applied"}}},
        ],
        "replay": [
            {"of": approval.event_id, "new_id": "replayed-approval",
             "payload": {"request_id": second.request_id, "days": null}},
        ],
        "raw": [
            {"value": signed(&t, "User:carla", "revoked-key", now, &EventBody::ProductPublished(profiles))},
            {"value": signed(&t, "User:ines", "year-2300", year_2300, &EventBody::DomainRegistered(takeover.clone()))},
            {"value": signed(&t, "User:ines", "max-time", i64::MAX,
                &EventBody::AccessApproved { request_id: second.request_id.clone(), days: None, request_digest: None })},
        ],
    });
    let stdout = forge(&t.sandbox, _o.path(), &spec);
    assert_eq!(stdout.lines().filter(|l| l.starts_with("forged ")).count(), 8, "{stdout}");

    observer.sync().await.unwrap();
    let audit = observer.store().events(meshdesk_domain::GOVERNANCE_TOPIC).await.unwrap();
    let expect = [
        ("forged-approval", "not signed"),
        ("forged-domain", "not signed"),
        ("forged-product", "not signed"),
        ("forged-grant", "not signed"),
        ("replayed-approval", "does not match"),
        ("revoked-key", "was revoked"),
        ("year-2300", "minutes apart"),
        ("max-time", "minutes apart"),
    ];
    for (id, why) in expect {
        let e = audit.iter().find(|e| e.id == id).unwrap_or_else(|| panic!("{id} is in the audit"));
        assert_eq!(e.outcome, "refused", "{id}");
        let note = e.note.clone().unwrap_or_default();
        assert!(note.contains(why), "{id}: `{note}` should say `{why}`");
    }
    assert_eq!(beliefs(&observer).await, before, "no forgery changed what the desktop believes");
    for md in [sam, ines, admin, observer] {
        md.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_principal_enrolls_is_endorsed_and_then_may_request() {
    // Verifies enrollment on the real broker: a principal without a key creates one (kept in the machine's keyring), its access request is refused before endorsement with the reason, it requests enrollment, the sandbox admin sees it pending and endorses it, and then the same request is accepted and reaches the product's owner.
    let t = sandbox(true).await;
    let data = tempfile::tempdir().unwrap();
    // A desktop for a principal the sandbox never endorsed, with no key in its file: the key is
    // created in the keyring under the principal's own entry.
    let name = meshdesk_tests::unique("newbie").replace('-', "");
    let principal = format!("User:{name}");
    let env = env_file_as(data.path(), "it", &t.sandbox, &principal);
    let text = std::fs::read_to_string(&env).unwrap();
    let text: String = text.lines().filter(|l| !l.starts_with("signing_key")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&env, text).unwrap();
    // Requests are made for one's own domain: the admin makes the newcomer an owner of Sales.
    let (_a, admin) = desktop(&t, SEED_ACTOR).await;
    assert!(admin.identity().await.unwrap().is_admin);
    let mut sales = meshdesk_domain::seed::domains().remove(1);
    sales.owners.push(Principal::parse(&principal).unwrap());
    admin.publish(&EventBody::DomainRegistered(sales)).await.unwrap();
    admin.flush_outbox().await.unwrap();

    let newbie = Meshdesk::open(data.path(), EnvSource::File(env), SandboxPorts::default()).await.unwrap();
    newbie.sync().await.unwrap();
    assert_eq!(newbie.identity().await.unwrap().standing, KeyStanding::NoKey);
    let no_key = newbie.request_access(&form("Check stock before confirming orders.")).await.unwrap_err();
    assert!(no_key.to_string().contains("has no signing key"), "{no_key}");
    let id = newbie.create_my_key().await.unwrap();
    assert_eq!(id.standing, KeyStanding::NotEnrolled);
    let key = id.key.clone().unwrap();
    let unendorsed = newbie.request_access(&form("Check stock before confirming orders.")).await.unwrap_err();
    assert!(unendorsed.to_string().contains("not endorsed"), "{unendorsed}");

    let id = newbie.request_enrollment(&EnrollmentRequest { note: "New in Sales".into() }).await.unwrap();
    assert_eq!(id.standing, KeyStanding::Pending);

    admin.sync().await.unwrap();
    let trust = admin.trust_overview().await.unwrap();
    let pending = &trust.keys[0];
    assert_eq!((pending.principal.as_str(), pending.state.as_str()), (principal.as_str(), "pending"));
    assert_eq!(pending.note.as_deref(), Some("New in Sales"));
    // Sam (an owner, not an admin) cannot endorse: the service says why before writing anything.
    let (_s, sam) = desktop(&t, "User:sam").await;
    let refused = sam
        .decide_trust(&TrustAction::Endorse {
            principal: principal.clone(),
            key: key.clone(),
            roles: vec!["owner".into()],
        })
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("only a governance admin"), "{refused}");
    admin
        .decide_trust(&TrustAction::Endorse {
            principal: principal.clone(),
            key: key.clone(),
            roles: vec!["owner".into()],
        })
        .await
        .unwrap();

    newbie.sync().await.unwrap();
    assert_eq!(newbie.identity().await.unwrap().standing, KeyStanding::Endorsed);
    let sent = newbie.request_access(&form("Check stock before confirming orders.")).await.unwrap();
    newbie.flush_outbox().await.unwrap();
    let (_i, ines) = desktop(&t, "User:ines").await;
    let row = ines.store().access_request(&sent.request_id).await.unwrap().expect("the request reached Inventory");
    assert_eq!(row.requested_by, principal);
    meshdesk_service::keyring::delete_signing_key(&Principal::parse(&principal).unwrap()).unwrap();
}

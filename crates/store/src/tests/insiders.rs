//! The fold against its own members: an insider with a legitimately endorsed key and WRITE on
//! the log, and events carried over from a second environment whose members hold the same keys.
//! Each test opens with the class of attack it tries (issue "trust that holds against its own
//! members"); each attack is refused with its reason and the honest events around it apply.

use meshdesk_domain::access::AccessRequest;
use meshdesk_domain::model::SchemaRef;
use meshdesk_domain::policy::{Rule, Scope, Severity, Target};
use meshdesk_domain::trust::{Signer, TrustRoot};
use meshdesk_domain::{DataProduct, DomainId, Envelope, EventBody, Principal, TopicName, seed};
use sqlx::SqlitePool;

use super::hostile_schemas;
use super::{ENV, LOG, T0, rec, root, seed_log, signed, signers};
use crate::{LogRecord, Store};

/// Another environment (dev) whose desktops hold the same keys as this one's.
const DEV: &str = "_meshdesk.governance@dev-cluster";

fn p(s: &str) -> Principal {
    Principal::parse(s).unwrap()
}

/// An event signed by `actor`'s seeded key for the environment `environment`.
fn signed_in(environment: &str, id: &str, actor: &str, at_ms: i64, body: &EventBody) -> Envelope {
    let all = signers();
    let mut env = Envelope::new(id, actor, at_ms, body);
    all.for_principal(actor).unwrap().sign_for(&mut env, environment);
    env
}

fn outcome(events: &[crate::EventRow], id: &str) -> (String, String) {
    let e = events.iter().rev().find(|e| e.id == id).unwrap_or_else(|| panic!("event {id} is in the audit"));
    (e.outcome.to_string(), e.note.clone().unwrap_or_default())
}

fn refused_with(events: &[crate::EventRow], id: &str, words: &str) {
    let (o, note) = outcome(events, id);
    assert_eq!(o, "refused", "{id}: {note}");
    assert!(note.contains(words), "{id}: `{note}` should say `{words}`");
}

fn applied(events: &[crate::EventRow], id: &str) {
    let (o, note) = outcome(events, id);
    assert_eq!(o, "applied", "{id}: {note}");
}

fn request(id: &str, consumer: &str, days: u32) -> AccessRequest {
    AccessRequest { days, ..super::trust::request(id, consumer) }
}

fn stock() -> DataProduct {
    seed::products().into_iter().find(|p| p.id.as_str() == "inventory.stock-levels").unwrap()
}

/// Folds `events` (signed, in order) after the seed and returns the audit.
async fn fold(store: &Store, events: Vec<Envelope>) -> Vec<crate::EventRow> {
    let mut log = seed_log();
    for e in events {
        log.push(rec(log.len(), e));
    }
    store.apply(LOG, &root(), &log).await.unwrap();
    store.events(LOG).await.unwrap()
}

#[sqlx::test(migrations = false)]
async fn a_deeply_nested_schema_reusing_its_types_folds_in_bounded_work(pool: SqlitePool) {
    // Verifies class 1 (an owner freezes every desktop): a valid Avro schema 40 levels deep whose every named type is used twice (2^41 field paths) is folded without walking them all: the product applies with its first field paths indexed, and the owner's next event applies after it.
    let store = Store::from_pool(pool).await.unwrap();
    let mut hostile = stock();
    hostile.output_ports[0].value_schema.as_mut().unwrap().schema = hostile_schemas::nested_reuse(40);
    let mut next = stock();
    next.title = "Stock levels, after the hostile one".into();
    let t = T0 + 1_000;
    let events = vec![
        signed("hostile", "User:ines", t, &EventBody::ProductPublished(hostile)),
        signed("after", "User:ines", t + 1, &EventBody::ProductPublished(next)),
    ];
    let audit = tokio::time::timeout(std::time::Duration::from_secs(60), fold(&store, events))
        .await
        .expect("the fold finishes");
    applied(&audit, "hostile");
    applied(&audit, "after");
    let product = store.product("inventory.stock-levels").await.unwrap().unwrap();
    assert_eq!(product.product.title, "Stock levels, after the hostile one");
}

#[sqlx::test(migrations = false)]
async fn events_from_another_environment_never_apply_here(pool: SqlitePool) {
    // Verifies class 2 (events not bound to their environment): a dev approval of a request replayed into this log, a dev co-ownership of Inventory, an event naming no environment and one whose environment was edited after signing are refused; an approval naming the content of another request than the one under its id is refused; the honest request and approval made here apply.
    let store = Store::from_pool(pool).await.unwrap();
    let t = T0 + 1_000;
    let honest = request("req-1", "User:sales-app", 90);
    // Sam writes, here, a request under the id dev approved, for himself and for a year.
    let squatted = request("req-dev", "User:sam", 365);
    let dev_request = request("req-dev", "User:sales-app", 30);
    let mut co_owned = seed::domains().into_iter().find(|d| d.id.as_str() == "inventory").unwrap();
    co_owned.owners.push(p("User:sam"));
    let mut unbound = Envelope::new(
        "unbound",
        "User:sam",
        t + 4,
        &EventBody::AccessRequested(request("req-u", "User:sales-app", 30)),
    );
    signers().for_principal("User:sam").unwrap().sign(&mut unbound);
    let mut edited = signed_in(
        DEV,
        "edited",
        "User:sam",
        t + 5,
        &EventBody::AccessRequested(request("req-e", "User:sales-app", 30)),
    );
    edited.environment = Some(ENV.into());
    let events = vec![
        signed("squat", "User:sam", t, &EventBody::AccessRequested(squatted.clone())),
        signed_in(DEV, "dev-approval", "User:ines", t + 1, &EventBody::approval(&dev_request, None)),
        signed_in(DEV, "dev-owners", seed::SEED_ACTOR, t + 2, &EventBody::DomainRegistered(co_owned)),
        signed("other-content", "User:ines", t + 3, &EventBody::approval(&dev_request, None)),
        unbound,
        edited,
        signed("honest", "User:sam", t + 6, &EventBody::AccessRequested(honest.clone())),
        signed("approved", "User:ines", t + 7, &EventBody::approval(&honest, Some(30))),
    ];
    let audit = fold(&store, events).await;
    applied(&audit, "squat");
    refused_with(&audit, "dev-approval", "signed for the environment `_meshdesk.governance@dev-cluster`");
    refused_with(&audit, "dev-owners", "not this one");
    refused_with(&audit, "other-content", "names other content than request req-dev holds");
    refused_with(&audit, "unbound", "names no environment");
    refused_with(&audit, "edited", "signature does not match");
    applied(&audit, "honest");
    applied(&audit, "approved");
    let squat = store.access_request("req-dev").await.unwrap().unwrap();
    assert_eq!(squat.state.name(), "pending", "the squatted request got no grant");
    let inventory = store.list_domains().await.unwrap().into_iter().find(|d| d.id == "inventory").unwrap();
    assert_eq!(inventory.owners, ["User:ines"]);
}

#[sqlx::test(migrations = false)]
async fn older_unbound_events_count_only_below_the_configured_offset(pool: SqlitePool) {
    // Verifies the migration of a log written before events were bound: signed events naming no environment apply below `accept_unbound_before_offset` (with a note saying so) and are refused from it on.
    let store = Store::from_pool(pool).await.unwrap();
    let all = signers();
    let mut log: Vec<LogRecord> = seed::signed_events(&all, &seed::products(), ENV, T0)
        .into_iter()
        .map(|mut e| {
            e.environment = None;
            all.for_principal(&e.actor.clone()).unwrap().sign(&mut e);
            e
        })
        .enumerate()
        .map(|(i, e)| rec(i, e))
        .collect();
    let n = log.len() as i64;
    let mut late = stock();
    late.title = "Late".into();
    let mut e = Envelope::new("late", "User:ines", T0 + 5, &EventBody::ProductPublished(late));
    all.for_principal("User:ines").unwrap().sign(&mut e);
    log.push(rec(log.len(), e));
    let legacy = TrustRoot { accept_unbound_before_offset: Some(n), ..root() };
    store.apply(LOG, &legacy, &log).await.unwrap();
    let audit = store.events(LOG).await.unwrap();
    assert!(audit[..n as usize].iter().all(|e| e.outcome == "applied"), "{audit:?}");
    assert!(audit[0].note.as_deref().unwrap_or_default().contains("accept_unbound_before_offset"));
    refused_with(&audit, "late", "names no environment");
}

#[sqlx::test(migrations = false)]
async fn owners_claim_topics_only_in_their_namespace_or_by_adoption(pool: SqlitePool) {
    // Verifies class 3 (an owner claims another team's topic): ports on another team's topic not yet a product's, on `_schemas`, `__consumer_offsets`, Connect's config topic and the governance log are refused; a non-admin's adoption and an adoption of an internal topic are refused; after an admin's adoption the topic may be Inventory's port.
    let store = Store::from_pool(pool).await.unwrap();
    let t = T0 + 1_000;
    let with_topic = |topic: &str| {
        let mut pr = stock();
        pr.output_ports[0].topic = TopicName::parse(topic).unwrap();
        if let Some(s) = pr.output_ports[0].value_schema.as_mut() {
            s.subject = format!("{topic}-value");
        }
        EventBody::ProductPublished(pr)
    };
    let adopt = |topic: &str| EventBody::TopicAdopted {
        topic: TopicName::parse(topic).unwrap(),
        domain: DomainId::parse("inventory").unwrap(),
        reason: "legacy stock feed, owned by Inventory since 2019".into(),
    };
    let events = vec![
        signed("payments", "User:ines", t, &with_topic("payments.card-numbers")),
        signed("schemas", "User:ines", t + 1, &with_topic("_schemas")),
        signed("offsets", "User:ines", t + 2, &with_topic("__consumer_offsets")),
        signed("connect", "User:ines", t + 3, &with_topic("connect-configs")),
        signed("log", "User:ines", t + 4, &with_topic(LOG)),
        signed("self-adopt", "User:ines", t + 5, &adopt("legacy-stock")),
        signed("adopt-internal", seed::SEED_ACTOR, t + 6, &adopt("__transaction_state")),
        signed("adopt", seed::SEED_ACTOR, t + 7, &adopt("legacy-stock")),
        signed("adopted", "User:ines", t + 8, &with_topic("legacy-stock")),
        signed("own", "User:ines", t + 9, &with_topic("inventory.stock-moved")),
    ];
    let audit = fold(&store, events).await;
    refused_with(&audit, "payments", "outside the domain's namespace (inventory.…)");
    refused_with(&audit, "schemas", "internal");
    refused_with(&audit, "offsets", "internal");
    refused_with(&audit, "connect", "Kafka Connect");
    refused_with(&audit, "log", "it is the governance log");
    refused_with(&audit, "self-adopt", "only a governance admin");
    refused_with(&audit, "adopt-internal", "can never be adopted");
    applied(&audit, "adopt");
    applied(&audit, "adopted");
    applied(&audit, "own");
}

#[sqlx::test(migrations = false)]
async fn requests_are_checked_by_the_fold_as_the_sender_checks_them(pool: SqlitePool) {
    // Verifies class 4 (rules checked only by the sender): a request for a domain its signer does not own, one for an unregistered domain and one breaking a published rule on requests are refused with the rule's words; the same request within the rule applies.
    let store = Store::from_pool(pool).await.unwrap();
    let t = T0 + 1_000;
    let rule = Rule {
        id: "inventory.short-requests".into(),
        policy: "inventory.short-requests".into(),
        target: Target::Request,
        condition: "request.days <= 30".into(),
        severity: Severity::Error,
        message: "Inventory grants at most 30 days, not {request.days}".into(),
        at: "days".into(),
        owner: Scope::Domain("inventory".into()),
    };
    let mut nowhere = request("req-n", "User:sales-app", 30);
    nowhere.requester_domain = DomainId::parse("nowhere").unwrap();
    nowhere.group_prefix = "nowhere.".into();
    let events = vec![
        signed("rule", "User:ines", t, &EventBody::PolicyPublished(rule)),
        signed("not-owner", "User:carla", t + 1, &EventBody::AccessRequested(request("req-c", "User:carla", 30))),
        signed("nowhere", "User:sam", t + 2, &EventBody::AccessRequested(nowhere)),
        signed("too-long", "User:sam", t + 3, &EventBody::AccessRequested(request("req-l", "User:sales-app", 90))),
        signed("within", "User:sam", t + 4, &EventBody::AccessRequested(request("req-w", "User:sales-app", 30))),
    ];
    let audit = fold(&store, events).await;
    applied(&audit, "rule");
    refused_with(&audit, "not-owner", "User:carla does not own the domain sales");
    refused_with(&audit, "nowhere", "the requesting domain nowhere is not registered");
    refused_with(&audit, "too-long", "Inventory grants at most 30 days, not 90");
    applied(&audit, "within");
    assert!(store.access_request("req-c").await.unwrap().is_none());
}

#[sqlx::test(migrations = false)]
async fn publications_are_held_to_the_policies_by_the_fold_as_by_the_sender(pool: SqlitePool) {
    // Verifies class 4 for products (the wizard's policies judged only by the sender): a publication that brings a policy error (a short description, an undocumented field, a port breaking a domain rule, an adopted topic's product without owners) is refused with the policy's words, while one keeping an error its product already had (deprecating a product a later rule flags) and one whose only errors are on a port an admin let the domain adopt apply; for every case the service's check before writing (`Store::authorize`, which `Meshdesk::refusal` calls) and the fold agree.
    let store = Store::from_pool(pool).await.unwrap();
    store.apply(LOG, &root(), &seed_log()).await.unwrap();
    let t = T0 + 1_000;
    let mut short = stock();
    short.description = "Short.".into();
    let mut undocumented = stock();
    let s = undocumented.output_ports[0].value_schema.as_mut().unwrap();
    s.schema = s.schema.replacen(r#""fields": ["#, r#""fields": [{"name": "shelf", "type": "string"}, "#, 1);
    let one = Rule {
        id: "inventory.one-partition".into(),
        policy: "inventory.one-partition".into(),
        target: Target::Port,
        condition: "port.partitions <= 1".into(),
        severity: Severity::Error,
        message: "Inventory topics have one partition, not {port.partitions}".into(),
        at: "partitions".into(),
        owner: Scope::Domain("inventory".into()),
    };
    let mut wide = stock();
    wide.id = meshdesk_domain::ProductId::parse("inventory.stock-wide").unwrap();
    wide.output_ports[0].topic = TopicName::parse("inventory.stock-wide").unwrap();
    let mut deprecated = stock();
    deprecated.status = meshdesk_domain::ProductStatus::Deprecated;
    deprecated.sunset = Some("2999-12-31".into());
    let mut legacy = undocumented.clone();
    legacy.id = meshdesk_domain::ProductId::parse("inventory.legacy-stock").unwrap();
    legacy.output_ports[0].topic = TopicName::parse("legacy-stock").unwrap();
    legacy.output_ports[0].partitions = 1;
    let mut ownerless = legacy.clone();
    ownerless.owners.clear();
    let adopt = EventBody::TopicAdopted {
        topic: TopicName::parse("legacy-stock").unwrap(),
        domain: DomainId::parse("inventory").unwrap(),
        reason: "legacy stock feed, owned by Inventory since 2019".into(),
    };
    let cases: Vec<(&str, &str, EventBody, Option<&str>)> = vec![
        ("short", "User:ines", EventBody::ProductPublished(short), Some("product.description (required-metadata)")),
        ("undocumented", "User:ines", EventBody::ProductPublished(undocumented), Some("describe the field `shelf`")),
        ("rule", "User:ines", EventBody::PolicyPublished(one), None),
        ("wide", "User:ines", EventBody::ProductPublished(wide), Some("Inventory topics have one partition, not")),
        ("deprecate", "User:ines", EventBody::ProductPublished(deprecated), None),
        ("adopt", seed::SEED_ACTOR, adopt, None),
        ("ownerless", "User:ines", EventBody::ProductPublished(ownerless), Some("product.owners (required-metadata)")),
        ("legacy", "User:ines", EventBody::ProductPublished(legacy), None),
    ];
    let mut log = seed_log();
    for (i, (id, actor, body, refusal)) in cases.into_iter().enumerate() {
        let key = signers().for_principal(actor).unwrap().public_key().id();
        let sender = store.authorize(&root(), LOG, &key, actor, &body).await.unwrap();
        log.push(rec(log.len(), signed(id, actor, t + i as i64, &body)));
        store.apply(LOG, &root(), &log).await.unwrap();
        let audit = store.events(LOG).await.unwrap();
        match refusal {
            Some(words) => {
                refused_with(&audit, id, words);
                let why = sender.expect_err(id);
                assert!(why.to_string().contains(words), "{id}: the sender says `{why}`");
            }
            None => {
                applied(&audit, id);
                assert_eq!(sender, Ok(()), "{id}");
            }
        }
    }
    let stock_now = store.product("inventory.stock-levels").await.unwrap().unwrap().product;
    assert_eq!(stock_now.status, meshdesk_domain::ProductStatus::Deprecated);
    assert!(store.product("inventory.stock-wide").await.unwrap().is_none());
}

#[sqlx::test(migrations = false)]
async fn an_insider_cannot_pre_empt_an_event_id_or_enroll_a_key_she_does_not_hold(pool: SqlitePool) {
    // Verifies class 5 (identity): Sam publishes first under the id Ines's next publication will use, and Ines's event still applies (deduplication is by id and signer, so only the same signer's copy is a duplicate); Sam's enrollment of a key he does not hold (a key seen in the log) is refused for want of proof of possession.
    let store = Store::from_pool(pool).await.unwrap();
    let t = T0 + 1_000;
    let mut orders = seed::products().into_iter().find(|p| p.id.as_str() == "sales.orders").unwrap();
    orders.title = "Orders (Sam)".into();
    let mut stock_v2 = stock();
    stock_v2.title = "Stock levels v2".into();
    let victim = Signer::from_seed(p("User:dana"), &[91; 32]).public_key().id();
    let events = vec![
        signed("draft-predicted-step-1", "User:sam", t, &EventBody::ProductPublished(orders)),
        signed("draft-predicted-step-1", "User:ines", t + 1, &EventBody::ProductPublished(stock_v2.clone())),
        signed("draft-predicted-step-1", "User:ines", t + 2, &EventBody::ProductPublished(stock_v2)),
        signed(
            "squat-key",
            "User:sam",
            t + 3,
            &EventBody::KeyEnrollmentRequested { principal: p("User:sam"), key: victim.clone(), note: "mine".into() },
        ),
    ];
    let audit = fold(&store, events).await;
    let rows: Vec<_> = audit.iter().filter(|e| e.id == "draft-predicted-step-1").map(|e| e.outcome.as_str()).collect();
    assert_eq!(rows, ["applied", "applied", "duplicate"]);
    let stock = store.product("inventory.stock-levels").await.unwrap().unwrap();
    assert_eq!(stock.product.title, "Stock levels v2");
    refused_with(&audit, "squat-key", "proof of possession");
    assert!(store.key_record(&victim).await.unwrap().is_none());
}

#[sqlx::test(migrations = false)]
async fn records_no_desktop_sends_are_refused_without_stopping_the_fold(pool: SqlitePool) {
    // Verifies, over every hostile kind (deep, wide, recursive, named types reused at every level, huge enums and unions) and 16 random shapes of them, that each is folded as an ordinary product (applied, or refused with a reason) and the product after them applies; the time and memory each takes are printed by `benches/hostile_fold.rs`.
    let store = Store::from_pool(pool).await.unwrap();
    let t = T0 + 1_000;
    let mut events = Vec::new();
    let mut rng = hostile_schemas::Rng(0x005e_ed0f_f01d);
    let mut schemas = hostile_schemas::all_kinds();
    schemas.extend((0..16).map(|_| hostile_schemas::random(&mut rng)));
    for (i, schema) in schemas.into_iter().enumerate() {
        let mut pr = stock();
        pr.output_ports[0].value_schema =
            Some(SchemaRef { schema, ..pr.output_ports[0].value_schema.clone().unwrap() });
        events.push(signed(format!("h{i}"), "User:ines", t + i as i64, &EventBody::ProductPublished(pr)));
    }
    let n = events.len() as i64;
    let mut last = stock();
    last.title = "After the hostile ones".into();
    events.push(signed("last", "User:ines", t + n, &EventBody::ProductPublished(last)));
    let audit = tokio::time::timeout(std::time::Duration::from_secs(120), fold(&store, events))
        .await
        .expect("the fold finishes");
    for e in audit.iter().filter(|e| e.id.starts_with('h')) {
        assert!(e.outcome == "applied" || e.note.is_some(), "{e:?}");
    }
    applied(&audit, "h0");
    refused_with(&audit, "h2", "a product carries at most 256 KiB of schemas");
    applied(&audit, "last");
}

#[sqlx::test(migrations = false)]
async fn a_domain_cannot_squat_a_rule_id_the_organisation_later_wants(pool: SqlitePool) {
    // Verifies class 5 (rule-id squatting): Inventory's owner publishing a rule under an id outside her domain's namespace (`freshness-sla`) is refused, so the admins' later global `freshness-sla` applies; her rule under `inventory.freshness-sla` applies beside it.
    let store = Store::from_pool(pool).await.unwrap();
    let t = T0 + 1_000;
    let rule = |id: &str, owner: Scope| Rule {
        id: id.into(),
        policy: "sla".into(),
        target: Target::Product,
        condition: "product.title != ''".into(),
        severity: Severity::Warning,
        message: "name it".into(),
        at: "product.title".into(),
        owner,
    };
    let inventory = || Scope::Domain("inventory".into());
    let events = vec![
        signed("squat", "User:ines", t, &EventBody::PolicyPublished(rule("freshness-sla", inventory()))),
        signed("global", seed::SEED_ACTOR, t + 1, &EventBody::PolicyPublished(rule("freshness-sla", Scope::Global))),
        signed("own", "User:ines", t + 2, &EventBody::PolicyPublished(rule("inventory.freshness-sla", inventory()))),
    ];
    let audit = fold(&store, events).await;
    refused_with(&audit, "squat", "has an id starting with `inventory.`");
    applied(&audit, "global");
    applied(&audit, "own");
}

#[sqlx::test(migrations = false)]
async fn a_key_revoked_as_compromised_loses_what_it_signed_since_its_endorsements_included(pool: SqlitePool) {
    // Verifies class 5 (revocation reaching back): Eve, an endorsed admin, registers a domain before her key is compromised and, after, endorses Mallory's key and gives Mallory a domain; the admin's revocation of Eve's key as compromised since in between asks for the log to be folded again, after which the earlier domain stays and the endorsement and the later domain are gone (Mallory is pending again), and folding again asks for no further rebuild.
    let store = Store::from_pool(pool).await.unwrap();
    let eve = Signer::from_seed(p("User:eve"), &[31; 32]);
    let mallory = Signer::from_seed(p("User:mallory"), &[32; 32]);
    let sign = |s: &Signer, id: &str, at: i64, body: EventBody| {
        let mut e = Envelope::new(id, s.principal().as_str(), at, &body);
        s.sign_for(&mut e, ENV);
        e
    };
    let domain = |id: &str, owner: &str| meshdesk_domain::Domain {
        id: DomainId::parse(id).unwrap(),
        name: id.into(),
        description: "Registered in the test.".into(),
        owners: vec![p(owner)],
        contact: "x@example.org".into(),
    };
    let admin = signers().admin;
    let t = T0 + 10_000;
    let compromised_at = t + 100;
    let events = vec![
        sign(
            &admin,
            "eve-admin",
            t,
            EventBody::KeyEndorsed {
                principal: p("User:eve"),
                key: eve.public_key().id(),
                roles: vec![meshdesk_domain::trust::Role::Admin],
            },
        ),
        sign(&eve, "before", t + 10, EventBody::DomainRegistered(domain("marketing", "User:sam"))),
        sign(
            &mallory,
            "enroll",
            t + 200,
            EventBody::KeyEnrollmentRequested {
                principal: p("User:mallory"),
                key: mallory.public_key().id(),
                note: String::new(),
            },
        ),
        sign(
            &eve,
            "after-endorse",
            t + 210,
            EventBody::KeyEndorsed {
                principal: p("User:mallory"),
                key: mallory.public_key().id(),
                roles: vec![meshdesk_domain::trust::Role::Owner],
            },
        ),
        sign(&eve, "after-domain", t + 220, EventBody::DomainRegistered(domain("loot", "User:mallory"))),
        sign(
            &admin,
            "compromised",
            t + 300,
            EventBody::KeyRevoked {
                key: eve.public_key().id(),
                reason: "leaked in a build log".into(),
                compromised_since_ms: Some(compromised_at),
            },
        ),
    ];
    let mut log = seed_log();
    for e in events {
        log.push(rec(log.len(), e));
    }
    let first = store.apply(LOG, &root(), &log).await.unwrap();
    assert!(first.rebuild.as_deref().unwrap_or_default().contains("revoked as compromised"), "{first:?}");
    // What the service does: forget what was folded and fold the log again.
    store.reset_folded().await.unwrap();
    let again = store.apply(LOG, &root(), &log).await.unwrap();
    assert_eq!(again.rebuild, None, "the same revocation asks for no second rebuild");
    let audit = store.events(LOG).await.unwrap();
    applied(&audit, "before");
    refused_with(&audit, "after-endorse", "revoked as compromised");
    refused_with(&audit, "after-domain", "revoked as compromised");
    applied(&audit, "compromised");
    let domains: Vec<String> = store.list_domains().await.unwrap().into_iter().map(|d| d.id).collect();
    assert!(domains.contains(&"marketing".to_owned()) && !domains.contains(&"loot".to_owned()), "{domains:?}");
    let m = store.key_record(&mallory.public_key().id()).await.unwrap().unwrap();
    assert_eq!(m.state, meshdesk_domain::trust::KeyState::Pending);
}

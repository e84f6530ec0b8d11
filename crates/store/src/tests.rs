use meshdesk_domain::seed::SeedSigners;
use meshdesk_domain::trust::{Signer, TrustRoot};
use meshdesk_domain::{Envelope, EventBody, Principal, seed};
use sqlx::SqlitePool;

use crate::{LogRecord, Store};

mod changes;
mod hostile_schemas;
mod insiders;
mod policies;
mod trust;

const LOG: &str = "_meshdesk.governance";
/// The test environment's governance identity: every test event is signed for it.
const ENV: &str = "_meshdesk.governance@test-cluster";
const T0: i64 = 1_700_000_000_000;
/// The signed seed: four endorsements, three domains, three products.
const SEED_N: u64 = 10;

/// The seed's signers, with fixed keys: the admin and one key per seeded principal.
fn signers() -> SeedSigners {
    SeedSigners {
        admin: Signer::from_seed(Principal::parse(seed::SEED_ACTOR).unwrap(), &[100; 32]),
        principals: seed::principals()
            .into_iter()
            .enumerate()
            .map(|(i, (p, role))| (Signer::from_seed(p, &[i as u8 + 1; 32]), role))
            .collect(),
    }
}

fn root() -> TrustRoot {
    TrustRoot::new(vec![signers().admin.public_key().id()], None).unwrap().bound_to(ENV, None).unwrap()
}

/// A record as the broker would hand it: written when the event says it was.
fn rec(offset: usize, env: Envelope) -> LogRecord {
    LogRecord { offset: offset as i64, timestamp_ms: Some(env.at_ms), envelope: Ok(env) }
}

/// An event signed by `actor`'s seeded key.
fn signed(id: impl Into<String>, actor: &str, at_ms: i64, body: &EventBody) -> Envelope {
    let all = signers();
    let signer = all.for_principal(actor).unwrap_or_else(|| panic!("{actor} has a seeded key"));
    let mut env = Envelope::new(id, actor, at_ms, body);
    signer.sign_for(&mut env, ENV);
    env
}

fn seed_log() -> Vec<LogRecord> {
    seed::signed_events(&signers(), &seed::products(), ENV, T0)
        .into_iter()
        .enumerate()
        .map(|(i, e)| rec(i, e))
        .collect()
}

#[sqlx::test(migrations = false)]
async fn folding_the_seed_fills_domains_products_and_ports(pool: SqlitePool) {
    // Verifies that the signed seed (four endorsements, then three domains and three products) becomes three domains and three products with their topics.
    let store = Store::from_pool(pool).await.unwrap();
    let report = store.apply(LOG, &root(), &seed_log()).await.unwrap();
    assert_eq!((report.applied, report.skipped, report.next_offset), (SEED_N, 0, SEED_N as i64));
    let products = store.list_products(None).await.unwrap();
    let ids: Vec<_> = products.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["customer.profiles", "inventory.stock-levels", "sales.orders"]);
    let stock = &products[1];
    assert_eq!(stock.topics, ["inventory.stock-level-updated"]);
    assert_eq!(stock.owners, ["User:ines"]);
    assert_eq!(stock.classification, "internal");
    let domains = store.list_domains().await.unwrap();
    assert_eq!(domains.len(), 3);
    assert!(domains.iter().all(|d| d.product_count == 1));
    assert_eq!(store.next_offset(LOG).await.unwrap(), SEED_N as i64);
    assert_eq!(store.trust_keys().await.unwrap().len(), 4);
}

#[sqlx::test(migrations = false)]
async fn re_reading_records_already_applied_changes_nothing(pool: SqlitePool) {
    // Verifies that overlapping batches (a re-read after a crash) apply each offset once.
    let store = Store::from_pool(pool).await.unwrap();
    let log = seed_log();
    store.apply(LOG, &root(), &log[..6]).await.unwrap();
    let again = store.apply(LOG, &root(), &log[2..]).await.unwrap();
    assert_eq!((again.applied, again.skipped, again.next_offset), (SEED_N - 6, 0, SEED_N as i64));
    assert_eq!(store.events(LOG).await.unwrap().len(), SEED_N as usize);
    assert_eq!(store.list_products(None).await.unwrap().len(), 3);
}

#[sqlx::test(migrations = false)]
async fn an_event_id_seen_before_is_recorded_as_a_duplicate(pool: SqlitePool) {
    // Verifies idempotence by event id: a re-published seed (new offsets, same ids) changes nothing.
    let store = Store::from_pool(pool).await.unwrap();
    let mut log = seed_log();
    let replay: Vec<_> = seed_log()
        .into_iter()
        .map(|mut r| {
            r.offset += SEED_N as i64;
            r
        })
        .collect();
    log.extend(replay);
    let report = store.apply(LOG, &root(), &log).await.unwrap();
    assert_eq!((report.applied, report.skipped, report.next_offset), (SEED_N, SEED_N, 2 * SEED_N as i64));
    let events = store.events(LOG).await.unwrap();
    assert!(events[SEED_N as usize..].iter().all(|e| e.outcome == "duplicate"));
}

#[sqlx::test(migrations = false)]
async fn unknown_events_and_garbage_are_kept_and_skipped(pool: SqlitePool) {
    // Verifies forward compatibility: unknown types, newer versions and non-events advance the position without applying.
    let store = Store::from_pool(pool).await.unwrap();
    let mut newer = Envelope::new("n1", "User:x", 5, &EventBody::DomainRegistered(seed::domains().remove(0)));
    newer.version = 9;
    let mut unknown = newer.clone();
    unknown.id = "u1".into();
    unknown.kind = "PolicyChanged".into();
    let records = vec![
        rec(0, newer),
        rec(1, unknown),
        LogRecord {
            offset: 2,
            timestamp_ms: Some(5),
            envelope: Err(crate::NotAnEvent::Unreadable("expected value at line 1 column 1".into())),
        },
    ];
    let report = store.apply(LOG, &root(), &records).await.unwrap();
    assert_eq!((report.applied, report.skipped, report.next_offset), (0, 3, 3));
    assert!(store.list_domains().await.unwrap().is_empty());
    let outcomes: Vec<_> = store.events(LOG).await.unwrap().into_iter().map(|e| e.outcome).collect();
    assert_eq!(outcomes, ["skipped", "skipped", "invalid"]);
    // The Trust page's summary counts the same outcomes.
    let mut counts = store.outcome_counts(LOG).await.unwrap();
    counts.sort_by_key(|(o, _)| o.as_str());
    use meshdesk_domain::events::Outcome;
    assert_eq!(counts, [(Outcome::Invalid, 1), (Outcome::Skipped, 2)]);
    assert!(store.outcome_counts("another-log").await.unwrap().is_empty());
}

#[sqlx::test(migrations = false)]
async fn the_text_filter_matches_ids_titles_tags_and_topics(pool: SqlitePool) {
    // Verifies the catalog filter is case-insensitive over titles, tags and topic names.
    let store = Store::from_pool(pool).await.unwrap();
    store.apply(LOG, &root(), &seed_log()).await.unwrap();
    let ids = |v: Vec<crate::ProductRow>| v.into_iter().map(|p| p.id).collect::<Vec<_>>();
    assert_eq!(ids(store.list_products(Some("ORDER-placed")).await.unwrap()), ["sales.orders"]);
    assert_eq!(ids(store.list_products(Some("pii")).await.unwrap()), ["customer.profiles"]);
    assert_eq!(ids(store.list_products(Some("Stock levels")).await.unwrap()), ["inventory.stock-levels"]);
    assert!(store.list_products(Some("nothing-like-this")).await.unwrap().is_empty());
    assert_eq!(store.list_products(Some("  ")).await.unwrap().len(), 3);
}

#[sqlx::test(migrations = false)]
async fn the_outbox_keeps_order_and_survives_failures(pool: SqlitePool) {
    // Verifies outbox bookkeeping: entries come back in the order written, a failure keeps the entry pending with its error and backoff, a re-queued event id is not duplicated, and sent entries leave the pending set.
    let store = Store::from_pool(pool).await.unwrap();
    let evs = seed::events(&seed::products(), 1);
    for e in &evs[..3] {
        store.enqueue(LOG, e).await.unwrap();
    }
    store.enqueue(LOG, &evs[0]).await.unwrap();
    let pending = store.pending(LOG, 10).await.unwrap();
    assert_eq!(pending.iter().map(|p| p.event_id.as_str()).collect::<Vec<_>>(), [&evs[0].id, &evs[1].id, &evs[2].id]);
    assert_eq!(pending[0].envelope, evs[0].to_bytes());
    store.mark_failed(pending[0].seq, "broker away", 99).await.unwrap();
    let st = store.outbox_status(LOG).await.unwrap();
    assert_eq!((st.pending, st.last_error.as_deref()), (3, Some("broker away")));
    let first = &store.pending(LOG, 1).await.unwrap()[0];
    assert_eq!((first.attempts, first.next_attempt_at_ms), (1, 99));
    store.mark_sent(first.seq, 41).await.unwrap();
    let st = store.outbox_status(LOG).await.unwrap();
    assert_eq!((st.pending, st.last_error), (2, None));
    assert_eq!(store.pending(LOG, 10).await.unwrap()[0].event_id, evs[1].id);
}

fn ids(r: &crate::SearchResult) -> Vec<&str> {
    r.hits.iter().map(|h| h.product.id.as_str()).collect()
}

#[sqlx::test(migrations = false)]
async fn search_finds_products_by_field_names_topics_and_words(pool: SqlitePool) {
    // Verifies full-text search on the seeded catalog: a schema field name, a prefix typed so far, a topic word and a tag each find the right product, with the matched field highlighted.
    use crate::{MARK_END, MARK_START, SearchQuery};
    let store = Store::from_pool(pool).await.unwrap();
    store.apply(LOG, &root(), &seed_log()).await.unwrap();
    let q = |t: &str| SearchQuery { text: Some(t.into()), limit: 50, ..Default::default() };

    let r = store.search(&q("quantity")).await.unwrap();
    let mut found = ids(&r);
    found.sort();
    assert_eq!(found, ["inventory.stock-levels", "sales.orders"], "a field of stock levels and of order lines");
    for hit in &r.hits {
        let fields = hit.highlights.iter().find(|(f, _)| f == "fields").expect("the fields column matched");
        assert!(fields.1.contains(&format!("{MARK_START}quantity{MARK_END}")), "{:?}", fields.1);
    }
    assert_eq!(
        ids(&store.search(&q("stock")).await.unwrap())[0],
        "inventory.stock-levels",
        "a title match ranks first"
    );

    assert_eq!(ids(&store.search(&q("ema")).await.unwrap()), ["customer.profiles"], "prefixes match as you type");
    assert_eq!(ids(&store.search(&q("order placed")).await.unwrap()), ["sales.orders"], "every word must match");
    assert_eq!(ids(&store.search(&q("real-time")).await.unwrap()), ["inventory.stock-levels"]);
    assert!(store.search(&q("warehouse zebra")).await.unwrap().hits.is_empty());
    assert_eq!(store.search(&q("  ")).await.unwrap().total, 3, "no words: everything");
}

#[sqlx::test(migrations = false)]
async fn search_facets_count_and_filter(pool: SqlitePool) {
    // Verifies facet counts (domain, classification, status, tag, has-PII) on the seeded catalog and that each filter narrows results and counts alike.
    use crate::SearchQuery;
    let store = Store::from_pool(pool).await.unwrap();
    store.apply(LOG, &root(), &seed_log()).await.unwrap();
    let all = store.search(&SearchQuery { limit: 50, ..Default::default() }).await.unwrap();
    let f = &all.facets;
    let pairs = |v: &Vec<(String, i64)>| v.iter().map(|(a, n)| format!("{a}={n}")).collect::<Vec<_>>();
    assert_eq!(pairs(&f.domain), ["customer=1", "inventory=1", "sales=1"]);
    assert_eq!(pairs(&f.classification), ["internal=2", "confidential=1"]);
    assert_eq!(pairs(&f.status), ["published=3"]);
    assert_eq!(pairs(&f.has_pii), ["no=2", "yes=1"]);
    assert_eq!(f.tag.len(), 6);
    let pii = store.search(&SearchQuery { has_pii: Some(true), limit: 50, ..Default::default() }).await.unwrap();
    assert_eq!(ids(&pii), ["customer.profiles"]);
    let internal = store
        .search(&SearchQuery { classification: Some("internal".into()), limit: 50, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(internal.total, 2);
    assert_eq!(pairs(&internal.facets.classification), ["internal=2"]);
    let tagged = store.search(&SearchQuery { tag: Some("pii".into()), limit: 50, ..Default::default() }).await.unwrap();
    assert_eq!(ids(&tagged), ["customer.profiles"]);
    let both = store
        .search(&SearchQuery { text: Some("id".into()), domain: Some("sales".into()), limit: 50, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(ids(&both), ["sales.orders"]);
}

#[sqlx::test(migrations = false)]
async fn search_over_generated_products_counts_exactly(pool: SqlitePool) {
    // Verifies search and facets on 300 generated products with known distributions: counts per facet match what was generated, a republished product is indexed once, and the limit caps the hits but not the total.
    use crate::SearchQuery;
    use meshdesk_domain::{Classification, DataProduct, ProductId};
    let store = Store::from_pool(pool).await.unwrap();
    let template = seed::products().remove(0);
    let mut records = seed_log();
    for i in 0..300usize {
        let mut p: DataProduct = template.clone();
        p.id = ProductId::parse(&format!("inventory.generated-{i}")).unwrap();
        p.output_ports[0].topic = meshdesk_domain::TopicName::parse(&format!("inventory.generated-{i}")).unwrap();
        p.title = format!("Generated {i}");
        p.classification = if i % 3 == 0 { Classification::Restricted } else { Classification::Internal };
        p.tags = vec![format!("batch-{}", i % 5)];
        let env = signed(format!("gen-{i}"), "User:ines", T0, &EventBody::ProductPublished(p));
        records.push(rec(records.len(), env));
    }
    let mut again: DataProduct = template.clone();
    again.id = ProductId::parse("inventory.generated-7").unwrap();
    again.output_ports[0].topic = meshdesk_domain::TopicName::parse("inventory.generated-7").unwrap();
    again.title = "Generated 7, renamed".into();
    again.tags = vec!["batch-2".into()];
    let env = signed("gen-7-again", "User:ines", T0 + 1, &EventBody::ProductPublished(again));
    records.push(rec(records.len(), env));
    store.apply(LOG, &root(), &records).await.unwrap();

    let r =
        store.search(&SearchQuery { text: Some("generated".into()), limit: 20, ..Default::default() }).await.unwrap();
    assert_eq!((r.hits.len(), r.total), (20, 300));
    let count = |v: &Vec<(String, i64)>, k: &str| v.iter().find(|(a, _)| a == k).map(|(_, n)| *n);
    assert_eq!(count(&r.facets.classification, "restricted"), Some(100));
    assert_eq!(count(&r.facets.classification, "internal"), Some(200), "the seed's are not generated");
    assert_eq!(count(&r.facets.tag, "batch-2"), Some(60), "the republished product is counted once");
    assert_eq!(count(&r.facets.tag, "batch-3"), Some(60));
    let renamed =
        store.search(&SearchQuery { text: Some("renamed".into()), limit: 20, ..Default::default() }).await.unwrap();
    assert_eq!(ids(&renamed), ["inventory.generated-7"], "the index follows the latest publication");
}

#[sqlx::test(migrations = false)]
async fn the_search_index_is_rebuilt_from_products_when_it_is_behind(pool: SqlitePool) {
    // Verifies that a store whose search index and facets are empty or partial (as after the migration that rebuilt them) refills them from the products on open, so search finds what the fold applied earlier.
    use crate::SearchQuery;
    let store = Store::from_pool(pool.clone()).await.unwrap();
    store.apply(LOG, &root(), &seed_log()).await.unwrap();
    sqlx::query("DELETE FROM product_search").execute(&pool).await.unwrap();
    sqlx::query("DELETE FROM product_facets WHERE product_id <> 'sales.orders'").execute(&pool).await.unwrap();
    let q = SearchQuery { text: Some("quantity".into()), limit: 50, ..Default::default() };
    assert!(store.search(&q).await.unwrap().hits.is_empty(), "the index is behind");
    let reopened = Store::from_pool(pool).await.unwrap();
    let r = reopened.search(&q).await.unwrap();
    let mut found = ids(&r);
    found.sort();
    assert_eq!(found, ["inventory.stock-levels", "sales.orders"]);
    assert_eq!(reopened.search(&SearchQuery { limit: 50, ..Default::default() }).await.unwrap().total, 3);
}

#[sqlx::test(migrations = false)]
async fn access_events_fold_through_the_rules_and_refusals_change_nothing(pool: SqlitePool) {
    // Verifies the access fold on the seed: a request from Sales is pending, its own requester's approval is refused (kept in the audit as refused), the owner's approval makes it approved until now + 30 days, a second approval is refused, a grant outcome is recorded, and revocation ends it.
    use meshdesk_domain::access::{AccessRequest, RequestState};
    use meshdesk_domain::events::GrantOutcome;
    use meshdesk_domain::{DomainId, ProductId, TopicName};
    let store = Store::from_pool(pool.clone()).await.unwrap();
    let mut log = seed_log();
    let req = AccessRequest {
        id: "req-1".into(),
        product: ProductId::parse("inventory.stock-levels").unwrap(),
        ports: vec![TopicName::parse("inventory.stock-level-updated").unwrap()],
        consumer: meshdesk_domain::Principal::parse("User:sales-app").unwrap(),
        requester_domain: DomainId::parse("sales").unwrap(),
        group_prefix: "sales.".into(),
        purpose: "Check stock before confirming orders.".into(),
        days: 90,
    };
    let t0 = 1_800_000_000_000;
    let events = [
        ("User:sam", EventBody::AccessRequested(req.clone())),
        ("User:sam", EventBody::approval(&req, None)),
        ("User:ines", EventBody::approval(&req, Some(30))),
        ("User:ines", EventBody::approval(&req, None)),
        (
            "User:ines",
            EventBody::GrantApplied {
                request_id: "req-1".into(),
                outcome: GrantOutcome::NotApplied { reason: "SECURITY_DISABLED".into() },
            },
        ),
    ];
    for (i, (actor, body)) in events.iter().enumerate() {
        let env = signed(format!("a{i}"), actor, t0 + i as i64, body);
        log.push(rec(log.len(), env));
    }
    let report = store.apply(LOG, &root(), &log).await.unwrap();
    assert_eq!((report.applied, report.skipped), (SEED_N + 3, 2));
    let rows = store.access_requests_for("inventory.stock-levels").await.unwrap();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r.requested_by, "User:sam");
    match &r.state {
        RequestState::Approved { approvers, until_ms } => {
            assert_eq!(approvers.iter().map(|a| a.as_str()).collect::<Vec<_>>(), ["User:ines"]);
            assert_eq!(*until_ms, t0 + 2 + 30 * 86_400_000);
        }
        other => panic!("expected approved, got {other:?}"),
    }
    assert_eq!(
        (r.grant_status.as_deref(), r.grant_detail.as_deref()),
        (Some("not_applied"), Some("SECURITY_DISABLED"))
    );
    let refused: Vec<(String, String)> =
        sqlx::query_as("SELECT id, note FROM events WHERE outcome = 'refused' ORDER BY \"offset\"")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        refused,
        [
            ("a1".to_owned(), "User:sam does not own inventory.stock-levels".to_owned()),
            ("a3".to_owned(), "a request that is approved cannot be approved".to_owned())
        ]
    );

    let revoke = signed(
        "a9",
        "User:ines",
        t0 + 10,
        &EventBody::AccessRevoked { request_id: "req-1".into(), reason: "project ended".into() },
    );
    store.apply(LOG, &root(), &[rec(log.len(), revoke)]).await.unwrap();
    let r = &store.access_requests().await.unwrap()[0];
    assert_eq!(r.state.name(), "revoked");
}

#[sqlx::test(migrations = false)]
async fn folding_again_forgets_every_table_the_fold_writes(pool: SqlitePool) {
    // Verifies that every table in the cache's schema is either written by the fold or local (a new table must say which), and that after a fold that fills every one of them, `reset_folded` leaves each empty, the full-text index included.
    use crate::identity::{FOLDED_TABLES, LOCAL_TABLES};
    use meshdesk_domain::policy::{Rule, Scope, Severity, Target};
    let store = Store::from_pool(pool).await.unwrap();
    let tests_trust_request = || crate::tests::trust::request("req-reset", "User:sam");
    // The seed, then an event for each table the seed leaves empty: a product's breaking change
    // and a reader's acknowledgement of it, a domain's policy rule, an adopted topic.
    let mut log = seed_log();
    let stock = seed::products().into_iter().find(|p| p.id.as_str() == "inventory.stock-levels").unwrap();
    let registered = stock.output_ports[0].value_schema.as_ref().unwrap().schema.clone();
    let v2 = registered.replace(r#""type": "int""#, r#""type": "string""#);
    let moved = meshdesk_domain::change::breaking_path(&stock, 0, &v2, &registered, "2027-03-31", "text").unwrap();
    let rule = Rule {
        id: "inventory.partitions".into(),
        policy: "bounds".into(),
        target: Target::Port,
        condition: "port.partitions <= 12".into(),
        severity: Severity::Error,
        message: "at most 12 partitions".into(),
        at: "partitions".into(),
        owner: Scope::Domain("inventory".into()),
    };
    let product = meshdesk_domain::ProductId::parse("inventory.stock-levels").unwrap();
    let adopted = EventBody::TopicAdopted {
        topic: meshdesk_domain::TopicName::parse("legacy.shipments").unwrap(),
        domain: meshdesk_domain::DomainId::parse("sales").unwrap(),
        reason: "the old shipments feed".into(),
    };
    for (id, actor, body) in [
        ("b1", "User:ines", EventBody::ProductPublished(moved)),
        ("a1", "User:sam", EventBody::ChangeAcknowledged { product, change: "b1".into() }),
        ("p1", "User:ines", EventBody::PolicyPublished(rule)),
        ("t1", seed::SEED_ACTOR, adopted),
        ("r1", "User:sam", EventBody::AccessRequested(tests_trust_request())),
    ] {
        let at = T0 + 1_000 + log.len() as i64;
        log.push(rec(log.len(), signed(id, actor, at, &body)));
    }
    store.apply(LOG, &root(), &log).await.unwrap();
    for t in FOLDED_TABLES {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {t}")).fetch_one(&store.pool).await.unwrap();
        assert!(n > 0, "{t} holds something before the reset (or the test proves nothing for it)");
    }
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
           AND name NOT LIKE '_sqlx_%' AND name NOT LIKE 'product_search_%'",
    )
    .fetch_all(&store.pool)
    .await
    .unwrap();
    for t in &tables {
        let folded = FOLDED_TABLES.contains(&t.as_str());
        assert!(folded != LOCAL_TABLES.contains(&t.as_str()), "{t}: folded or local, and not both");
    }
    for t in FOLDED_TABLES.iter().chain(LOCAL_TABLES) {
        assert!(tables.iter().any(|x| x == t), "{t} is not in the schema");
    }
    let filled: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products").fetch_one(&store.pool).await.unwrap();
    assert!(filled > 0, "the seed was folded");
    store.reset_folded().await.unwrap();
    for t in FOLDED_TABLES {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {t}")).fetch_one(&store.pool).await.unwrap();
        assert_eq!(n, 0, "{t} is emptied");
    }
}

#[sqlx::test(migrations = false)]
async fn an_event_of_an_unknown_kind_is_refused_with_its_reason_and_the_next_applies(pool: SqlitePool) {
    // Verifies that a validly signed event of a kind this version does not know (`AccessTeleported`) is not applied but recorded with the reason, and that the honest event after it applies.
    let store = Store::from_pool(pool).await.unwrap();
    let mut log = seed_log();
    let domain = |id: &str| {
        EventBody::DomainRegistered(meshdesk_domain::Domain {
            id: meshdesk_domain::DomainId::parse(id).unwrap(),
            name: id.into(),
            description: "A domain.".into(),
            owners: vec![meshdesk_domain::Principal::parse("User:ines").unwrap()],
            contact: "ines@example".into(),
        })
    };
    let all = signers();
    let mut strange = Envelope::new("teleport", seed::SEED_ACTOR, T0 + 1_000, &domain("teleported"));
    strange.kind = "AccessTeleported".into();
    all.for_principal(seed::SEED_ACTOR).unwrap().sign_for(&mut strange, ENV);
    log.push(rec(log.len(), strange));
    log.push(rec(log.len(), signed("after", seed::SEED_ACTOR, T0 + 2_000, &domain("after"))));
    store.apply(LOG, &root(), &log).await.unwrap();
    let audit = store.events(LOG).await.unwrap();
    let row = |id: &str| audit.iter().find(|e| e.id == id).unwrap_or_else(|| panic!("{id} is in the audit"));
    assert_eq!(row("teleport").outcome, "skipped");
    assert!(row("teleport").note.as_deref().unwrap_or_default().contains("unknown event type `AccessTeleported`"));
    assert_eq!(row("after").outcome, "applied", "{:?}", row("after").note);
    let domains: Vec<String> = store.list_domains().await.unwrap().into_iter().map(|d| d.id).collect();
    assert!(domains.contains(&"after".to_owned()) && !domains.contains(&"teleported".to_owned()), "{domains:?}");
}

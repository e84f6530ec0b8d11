use meshdesk_domain::{Envelope, EventBody, seed};
use sqlx::SqlitePool;

use crate::{LogRecord, Store};

const LOG: &str = "_meshdesk.governance";

fn seed_log() -> Vec<LogRecord> {
    seed::events(&seed::products(), 1_700_000_000_000)
        .into_iter()
        .enumerate()
        .map(|(i, e)| LogRecord { offset: i as i64, envelope: Ok(e) })
        .collect()
}

#[sqlx::test(migrations = false)]
async fn folding_the_seed_fills_domains_products_and_ports(pool: SqlitePool) {
    // Verifies that the seed's six events become three domains and three products with their topics.
    let store = Store::from_pool(pool).await.unwrap();
    let report = store.apply(LOG, &seed_log()).await.unwrap();
    assert_eq!((report.applied, report.skipped, report.next_offset), (6, 0, 6));
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
    assert_eq!(store.next_offset(LOG).await.unwrap(), 6);
}

#[sqlx::test(migrations = false)]
async fn re_reading_records_already_applied_changes_nothing(pool: SqlitePool) {
    // Verifies that overlapping batches (a re-read after a crash) apply each offset once.
    let store = Store::from_pool(pool).await.unwrap();
    let log = seed_log();
    store.apply(LOG, &log[..4]).await.unwrap();
    let again = store.apply(LOG, &log[2..]).await.unwrap();
    assert_eq!((again.applied, again.skipped, again.next_offset), (2, 0, 6));
    assert_eq!(store.events(LOG).await.unwrap().len(), 6);
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
            r.offset += 6;
            r
        })
        .collect();
    log.extend(replay);
    let report = store.apply(LOG, &log).await.unwrap();
    assert_eq!((report.applied, report.skipped, report.next_offset), (6, 6, 12));
    let events = store.events(LOG).await.unwrap();
    assert!(events[6..].iter().all(|e| e.outcome == "duplicate"));
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
        LogRecord { offset: 0, envelope: Ok(newer) },
        LogRecord { offset: 1, envelope: Ok(unknown) },
        LogRecord { offset: 2, envelope: Err("expected value at line 1 column 1".into()) },
    ];
    let report = store.apply(LOG, &records).await.unwrap();
    assert_eq!((report.applied, report.skipped, report.next_offset), (0, 3, 3));
    assert!(store.list_domains().await.unwrap().is_empty());
    let outcomes: Vec<_> = store.events(LOG).await.unwrap().into_iter().map(|e| e.outcome).collect();
    assert_eq!(outcomes, ["skipped", "skipped", "invalid"]);
}

#[sqlx::test(migrations = false)]
async fn the_text_filter_matches_ids_titles_tags_and_topics(pool: SqlitePool) {
    // Verifies the catalog filter is case-insensitive over titles, tags and topic names.
    let store = Store::from_pool(pool).await.unwrap();
    store.apply(LOG, &seed_log()).await.unwrap();
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

//! Changes to products as the fold records them for readers, and readers' acknowledgements.

use meshdesk_domain::change::{Change, breaking_path};
use meshdesk_domain::{EventBody, ProductId, seed};
use sqlx::SqlitePool;

use super::{LOG, T0, rec, root, seed_log, signed};
use crate::Store;

#[sqlx::test(migrations = false)]
async fn a_breaking_change_is_recorded_for_readers_and_acknowledged(pool: SqlitePool) {
    // Verifies that republishing Stock levels on the breaking path records a new port and a deprecation (with sunset and successor) under the event that made them; Sam's acknowledgement is kept; an acknowledgement naming no change is refused with the reason; a deprecation naming a successor that is not a port of the product is refused; the first publication records nothing.
    let store = Store::from_pool(pool).await.unwrap();
    let mut log = seed_log();
    let stock = seed::products().into_iter().find(|p| p.id.as_str() == "inventory.stock-levels").unwrap();
    let registered = stock.output_ports[0].value_schema.as_ref().unwrap().schema.clone();
    let v2 = registered.replace(r#""type": "int""#, r#""type": "string""#);
    let moved = breaking_path(&stock, 0, &v2, &registered, "2027-03-31", "quantity becomes text").unwrap();
    let mut bad = moved.clone();
    bad.output_ports[0].deprecation.as_mut().unwrap().successor =
        Some(meshdesk_domain::TopicName::parse("sales.order-placed").unwrap());
    let mut t = T0 + 1_000;
    let mut push = |id: &str, actor: &str, body: EventBody| {
        t += 1;
        log.push(rec(log.len(), signed(id, actor, t, &body)));
    };
    let product = ProductId::parse("inventory.stock-levels").unwrap();
    push("x1", "User:ines", EventBody::ProductPublished(bad));
    push("b1", "User:ines", EventBody::ProductPublished(moved));
    push("a1", "User:sam", EventBody::ChangeAcknowledged { product: product.clone(), change: "b1".into() });
    push("x2", "User:sam", EventBody::ChangeAcknowledged { product, change: "nothing".into() });
    store.apply(LOG, &root(), &log).await.unwrap();

    let events = store.events(LOG).await.unwrap();
    let outcome =
        |id: &str| events.iter().find(|e| e.id == id).map(|e| (e.outcome, e.note.clone().unwrap_or_default())).unwrap();
    assert_eq!(outcome("b1").0, "applied");
    assert_eq!(outcome("a1").0, "applied");
    let (o, why) = outcome("x1");
    assert!(o == "refused" && why.contains("not another port"), "{o}: {why}");
    let (o, why) = outcome("x2");
    assert!(o == "refused" && why.contains("no change made by event nothing"), "{o}: {why}");

    let changes = store.product_changes("inventory.stock-levels", 10).await.unwrap();
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(changes.iter().all(|c| c.event_id == "b1" && c.by == "User:ines"));
    assert!(changes.iter().all(|c| c.acknowledged_by == vec!["User:sam".to_owned()]));
    let deprecated = changes.iter().find_map(|c| match &c.change {
        Change::PortDeprecated { topic, sunset, successor, .. } => {
            Some((topic.clone(), sunset.clone(), successor.clone()))
        }
        _ => None,
    });
    assert_eq!(
        deprecated,
        Some((
            "inventory.stock-level-updated".into(),
            "2027-03-31".into(),
            Some("inventory.stock-level-updated-v2".into())
        ))
    );
    assert!(store.product_changes("sales.orders", 10).await.unwrap().is_empty(), "a first publication changes nothing");
}

//! Policy rules in the fold: published and withdrawn by whom the trust rules allow, a domain's
//! rule that would take a global rule's place refused with the reason, and each rule's history.

use meshdesk_domain::EventBody;
use meshdesk_domain::policy::{Rule, Scope, Severity, Target};
use sqlx::SqlitePool;

use super::{LOG, T0, rec, root, seed, seed_log, signed};
use crate::Store;

fn rule(id: &str, owner: Scope, condition: &str) -> Rule {
    Rule {
        id: id.into(),
        policy: "bounds".into(),
        target: Target::Port,
        condition: condition.into(),
        severity: Severity::Error,
        message: "at most 12 partitions, not {port.partitions}".into(),
        at: "partitions".into(),
        owner,
    }
}

#[sqlx::test(migrations = false)]
async fn policy_rules_fold_by_the_trust_rules_and_keep_their_history(pool: SqlitePool) {
    // Verifies the fold of policy events: Inventory's owner publishes and republishes her domain's rule (version 2), a global rule by the admin is kept, the same global rule from an owner, a domain rule in a built-in or published global rule's place, another domain's owner withdrawing Inventory's rule and a rule that does not compile are refused with their reasons and change nothing, a withdrawal takes the rule out of force, and the history lists every attempt in log order.
    let store = Store::from_pool(pool).await.unwrap();
    let mut log = seed_log();
    let inventory = || Scope::Domain("inventory".into());
    let mut t = T0 + 1_000;
    let mut push = |id: &str, actor: &str, body: EventBody| {
        t += 1;
        log.push(rec(log.len(), signed(id, actor, t, &body)));
    };
    let tight = rule("inventory.max-partitions", inventory(), "port.partitions <= 12");
    push("p1", "User:ines", EventBody::PolicyPublished(tight.clone()));
    let tighter = rule("inventory.max-partitions", inventory(), "port.partitions <= 6");
    push("p2", "User:ines", EventBody::PolicyPublished(tighter.clone()));
    let sla = rule("restricted-sla", Scope::Global, "product.classification != 'restricted'");
    push("p3", seed::SEED_ACTOR, EventBody::PolicyPublished(sla.clone()));
    push("x1", "User:ines", EventBody::PolicyPublished(rule("owners-global", Scope::Global, "true")));
    push(
        "x2",
        "User:ines",
        EventBody::PolicyPublished(rule("bounds.partitions", inventory(), "port.partitions <= 100")),
    );
    push("x3", "User:ines", EventBody::PolicyPublished(rule("restricted-sla", inventory(), "true")));
    push("x4", "User:sam", EventBody::PolicyWithdrawn { id: tight.id.clone(), reason: "mine now".into() });
    push("x5", "User:ines", EventBody::PolicyPublished(rule("inventory.broken", inventory(), "port.partitions <")));
    push("w1", "User:ines", EventBody::PolicyWithdrawn { id: tight.id.clone(), reason: "too strict".into() });
    store.apply(LOG, &root(), &log).await.unwrap();

    let events = store.events(LOG).await.unwrap();
    let outcome = |id: &str| {
        let e = events.iter().find(|e| e.id == id).unwrap();
        (e.outcome, e.note.clone().unwrap_or_default())
    };
    for id in ["p1", "p2", "p3", "w1"] {
        assert_eq!(outcome(id).0, "applied", "{id}: {:?}", outcome(id));
    }
    let refused = |id: &str, why: &str| {
        let (o, note) = outcome(id);
        assert_eq!(o, "refused", "{id}");
        assert!(note.contains(why), "{id}: {note}");
    };
    refused("x1", "only a governance admin may publish a global policy rule");
    refused("x2", "`bounds.partitions` is a global rule");
    refused("x3", "never replace or loosen");
    refused("x4", "User:sam does not own the domain inventory");
    refused("x5", "not valid CEL");

    let rules = store.policy_rules().await.unwrap();
    assert_eq!(rules.len(), 2, "{rules:#?}");
    assert_eq!((rules[0].rule.id.as_str(), rules[0].version), ("restricted-sla", 1), "global rules first");
    assert_eq!(rules[0].published_by, seed::SEED_ACTOR);
    assert_eq!((rules[1].rule.clone(), rules[1].version), (tighter.clone(), 2));
    assert_eq!(rules[1].withdrawn.as_ref().map(|w| w.2.as_str()), Some("too strict"));
    assert_eq!(store.rules_in_force().await.unwrap(), vec![sla]);

    let history = store.policy_history(&tight.id).await.unwrap();
    let seen: Vec<_> = history.iter().map(|h| (h.kind.as_str(), h.outcome.as_str(), h.actor.as_str())).collect();
    assert_eq!(
        seen,
        [
            ("PolicyPublished", "applied", "User:ines"),
            ("PolicyPublished", "applied", "User:ines"),
            ("PolicyWithdrawn", "refused", "User:sam"),
            ("PolicyWithdrawn", "applied", "User:ines"),
        ]
    );
    assert_eq!(history[0].rule.as_ref(), Some(&tight));
    assert_eq!(history[1].rule.as_ref(), Some(&tighter));
    assert_eq!(history[3].reason.as_deref(), Some("too strict"));
}

#[sqlx::test(migrations = false)]
async fn the_catalog_knows_which_products_break_a_policy_as_rules_come_and_go(pool: SqlitePool) {
    // Verifies the "breaks a policy" facet: the seed meets every policy; an Inventory rule its product fails marks that product (facet counts, the filter, the hit) and no other; a product published afterwards is checked against the rule when it is indexed; withdrawing the rule clears the mark.
    use crate::SearchQuery;
    let store = Store::from_pool(pool).await.unwrap();
    let mut log = seed_log();
    store.apply(LOG, &root(), &log).await.unwrap();
    let facet = |s: &crate::SearchResult| s.facets.breaks_policy.clone();
    let all = SearchQuery { limit: 50, ..Default::default() };
    assert_eq!(facet(&store.search(&all).await.unwrap()), [("no".to_owned(), 3)]);

    let mut t = T0 + 1_000;
    let mut next = |log: &mut Vec<_>, id: &str, actor: &str, body: EventBody| {
        t += 1;
        log.push(rec(log.len(), signed(id, actor, t, &body)));
    };
    let one = rule("inventory.one-partition", Scope::Domain("inventory".into()), "port.partitions <= 1");
    next(&mut log, "p1", "User:ines", EventBody::PolicyPublished(one.clone()));
    store.apply(LOG, &root(), &log).await.unwrap();
    let r = store.search(&all).await.unwrap();
    assert_eq!(facet(&r), [("no".to_owned(), 2), ("yes".to_owned(), 1)]);
    let breaking = store.search(&SearchQuery { breaks_policy: Some(true), ..all.clone() }).await.unwrap();
    let ids: Vec<_> = breaking.hits.iter().map(|h| (h.product.id.as_str(), h.breaks_policy)).collect();
    assert_eq!(ids, [("inventory.stock-levels", true)]);

    // A product published under the rule is checked when it is indexed: one within it is not
    // marked; a new one breaking it is refused by the fold (a publication may not bring an error).
    let mut second = seed::products().remove(0);
    second.id = meshdesk_domain::ProductId::parse("inventory.stock-counts").unwrap();
    second.output_ports[0].topic = meshdesk_domain::TopicName::parse("inventory.stock-counted").unwrap();
    let mut third = second.clone();
    second.output_ports[0].partitions = 1;
    next(&mut log, "p2", "User:ines", EventBody::ProductPublished(second));
    third.id = meshdesk_domain::ProductId::parse("inventory.stock-counts-wide").unwrap();
    third.output_ports[0].topic = meshdesk_domain::TopicName::parse("inventory.stock-counted-wide").unwrap();
    next(&mut log, "p3", "User:ines", EventBody::ProductPublished(third));
    store.apply(LOG, &root(), &log).await.unwrap();
    assert_eq!(facet(&store.search(&all).await.unwrap()), [("no".to_owned(), 3), ("yes".to_owned(), 1)]);
    let audit = store.events(LOG).await.unwrap();
    let p3 = audit.iter().find(|e| e.id == "p3").unwrap();
    assert_eq!(p3.outcome, "refused");
    assert!(
        p3.note.as_deref().unwrap_or_default().contains("ports[0].partitions (bounds): at most 12 partitions"),
        "{p3:?}"
    );

    next(&mut log, "w1", "User:ines", EventBody::PolicyWithdrawn { id: one.id.clone(), reason: "done".into() });
    store.apply(LOG, &root(), &log).await.unwrap();
    assert_eq!(facet(&store.search(&all).await.unwrap()), [("no".to_owned(), 4)]);
}

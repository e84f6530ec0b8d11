//! The fold's trust checks: forged, tampered, replayed, mis-dated and unauthorized events are
//! refused with their reason and change nothing; enrollment and endorsement work; a property test
//! that random forgeries never change what honest events made.

use meshdesk_domain::access::AccessRequest;
use meshdesk_domain::events::GrantOutcome;
use meshdesk_domain::trust::{Role, Signer, TrustRoot};
use meshdesk_domain::{DomainId, Envelope, EventBody, Principal, ProductId, TopicName, seed};
use proptest::prelude::*;
use sqlx::SqlitePool;

use super::{ENV, LOG, SEED_N, T0, rec, root, seed_log, signed, signers};
use crate::{LogRecord, Store};

fn p(s: &str) -> Principal {
    Principal::parse(s).unwrap()
}

fn mallory() -> Signer {
    Signer::from_seed(p("User:mallory"), &[66; 32])
}

/// Signs `body` with `key` but claims `actor`: what a forger with their own key can write (the
/// signature is valid; the key is what gives it away).
fn forged(id: &str, key: &Signer, actor: &str, at_ms: i64, body: &EventBody) -> Envelope {
    let mut env = Envelope::new(id, actor, at_ms, body);
    Signer::from_seed(p(actor), &key.seed()).sign_for(&mut env, ENV);
    env
}

pub(super) fn request(id: &str, consumer: &str) -> AccessRequest {
    AccessRequest {
        id: id.into(),
        product: ProductId::parse("inventory.stock-levels").unwrap(),
        ports: vec![TopicName::parse("inventory.stock-level-updated").unwrap()],
        consumer: p(consumer),
        requester_domain: DomainId::parse("sales").unwrap(),
        group_prefix: "sales.".into(),
        purpose: "Check stock before confirming orders.".into(),
        days: 90,
    }
}

/// What a desktop shows: domains and their owners, products with owners and topics, requests
/// with their state and grant status.
async fn snapshot(store: &Store) -> String {
    let mut out = String::new();
    for d in store.list_domains().await.unwrap() {
        out += &format!("domain {} owners {:?}\n", d.id, d.owners);
    }
    for pr in store.list_products(None).await.unwrap() {
        out += &format!("product {} owners {:?} topics {:?}\n", pr.id, pr.owners, pr.topics);
    }
    for r in store.access_requests().await.unwrap() {
        out += &format!("request {} {:?} grant {:?}\n", r.request.id, r.state, r.grant_status);
    }
    for k in store.trust_keys().await.unwrap() {
        out += &format!("key {} {} {} {:?}\n", k.key, k.principal, k.state, k.roles);
    }
    out
}

fn outcome_of(events: &[crate::EventRow], id: &str) -> (String, String) {
    let e = events.iter().rev().find(|e| e.id == id).unwrap_or_else(|| panic!("event {id} is in the audit"));
    (e.outcome.to_string(), e.note.clone().unwrap_or_default())
}

#[sqlx::test(migrations = false)]
async fn forgeries_are_refused_with_their_reason_and_change_nothing(pool: SqlitePool) {
    // Verifies the fold refuses, with a reason, a domain takeover, a product takeover, a stolen topic, an impersonated approval, a replayed event with a changed payload, an event signed with a revoked key, a forged GrantApplied after a revocation, unsigned events and events dated in 2300 or at i64::MAX, and that none of them changes the catalog or the grants.
    let store = Store::from_pool(pool).await.unwrap();
    let mut log = seed_log();
    let t = T0 + 1_000;
    let req = request("req-1", "User:sales-app");
    log.push(rec(log.len(), signed("r1", "User:sam", t, &EventBody::AccessRequested(req.clone()))));
    let approval = signed("ok1", "User:ines", t + 1, &EventBody::approval(&request("req-1", "User:sales-app"), None));
    log.push(rec(log.len(), approval.clone()));
    log.push(rec(
        log.len(),
        signed(
            "rv1",
            "User:ines",
            t + 2,
            &EventBody::AccessRevoked { request_id: "req-1".into(), reason: "done".into() },
        ),
    ));
    log.push(rec(
        log.len(),
        signed(
            "g1",
            seed::RECONCILER,
            t + 3,
            &EventBody::GrantApplied { request_id: "req-1".into(), outcome: GrantOutcome::Removed },
        ),
    ));
    store.apply(LOG, &root(), &log).await.unwrap();
    let before = snapshot(&store).await;
    assert!(before.contains("request req-1 Revoked"), "{before}");

    let m = mallory();
    let sam = signers().for_principal("User:sam").unwrap().clone();
    let carla_key = signers().for_principal("User:carla").unwrap().public_key().id();
    let mut takeover = seed::domains().remove(0);
    takeover.owners = vec![p("User:mallory")];
    let mut stolen = seed::products().remove(0);
    stolen.owners = vec![p("User:mallory")];
    let mut topic_thief = seed::products().remove(1);
    topic_thief.id = ProductId::parse("sales.stolen").unwrap();
    topic_thief.output_ports[0].topic = TopicName::parse("inventory.stock-level-updated").unwrap();
    let mut replayed = approval.clone();
    replayed.id = "replay".into();
    replayed.payload = serde_json::json!({"request_id": "req-2", "days": null});
    let mut unsigned = Envelope::new("unsigned", seed::SEED_ACTOR, t, &EventBody::DomainRegistered(takeover.clone()));
    unsigned.key = None;
    let admin = signers().admin.clone();
    let revoke_carla = {
        let mut e = Envelope::new(
            "revoke-carla",
            seed::SEED_ACTOR,
            t + 10,
            &EventBody::KeyRevoked {
                key: carla_key.clone(),
                reason: "laptop stolen".into(),
                compromised_since_ms: None,
            },
        );
        admin.sign_for(&mut e, ENV);
        e
    };
    let mut carla_republish = seed::products().remove(2);
    carla_republish.title = "Changed after revocation".into();
    let year_2300 = 10_413_792_000_000;
    let cases: Vec<(Envelope, Option<i64>, &str)> = vec![
        (
            forged("f-domain", &m, "User:mallory", t, &EventBody::DomainRegistered(takeover.clone())),
            None,
            "not endorsed",
        ),
        (
            forged("f-domain-as-admin", &m, seed::SEED_ACTOR, t, &EventBody::DomainRegistered(takeover.clone())),
            None,
            "not endorsed",
        ),
        (forged("f-product", &m, "User:ines", t, &EventBody::ProductPublished(stolen.clone())), None, "not endorsed"),
        (
            signed("f-product-sam", "User:sam", t, &EventBody::ProductPublished(stolen.clone())),
            None,
            "User:sam does not own the domain inventory",
        ),
        (
            signed("f-topic", "User:sam", t, &EventBody::ProductPublished(topic_thief)),
            None,
            "is an output port of inventory.stock-levels",
        ),
        (
            forged("f-approve", &sam, "User:ines", t, &EventBody::approval(&request("req-1", "User:sales-app"), None)),
            None,
            "belongs to User:sam",
        ),
        (replayed, None, "does not match"),
        (unsigned, None, "not signed"),
        (revoke_carla, None, ""),
        (signed("f-revoked", "User:carla", t + 11, &EventBody::ProductPublished(carla_republish)), None, "was revoked"),
        (
            signed(
                "f-grant",
                "User:sam",
                t + 12,
                &EventBody::GrantApplied { request_id: "req-1".into(), outcome: GrantOutcome::Applied },
            ),
            None,
            "neither a reconciler nor an owner",
        ),
        (
            signed("f-2300", "User:ines", year_2300, &EventBody::DomainRegistered(seed::domains().remove(0))),
            Some(t),
            "minutes apart",
        ),
        (
            signed(
                "f-max",
                "User:ines",
                i64::MAX,
                &EventBody::approval(&request("req-1", "User:sales-app"), Some(u32::MAX)),
            ),
            Some(t),
            "minutes apart",
        ),
    ];
    let start = log.len();
    let records: Vec<LogRecord> = cases
        .iter()
        .enumerate()
        .map(|(i, (env, ts, _))| LogRecord {
            offset: (start + i) as i64,
            timestamp_ms: Some(ts.unwrap_or(env.at_ms)),
            envelope: Ok(env.clone()),
        })
        .collect();
    store.apply(LOG, &root(), &records).await.unwrap();
    let events = store.events(LOG).await.unwrap();
    for (env, _, why) in &cases {
        let (outcome, note) = outcome_of(&events, &env.id);
        if why.is_empty() {
            assert_eq!(outcome, "applied", "{}: {note}", env.id);
        } else {
            assert_eq!(outcome, "refused", "{} should be refused", env.id);
            assert!(note.contains(why), "{}: `{note}` should say `{why}`", env.id);
        }
    }
    let after = snapshot(&store).await;
    let expected =
        before.replace(&format!("key {carla_key} User:carla endorsed"), &format!("key {carla_key} User:carla revoked"));
    assert_eq!(after, expected, "only the admin's revocation changed anything");
}

#[sqlx::test(migrations = false)]
async fn a_new_principal_enrolls_and_is_endorsed_before_it_may_request(pool: SqlitePool) {
    // Verifies enrollment: a new key's own request for enrollment is pending, its access request is refused until an admin endorses it, then accepted; an endorsement by a non-admin and a rejection of an endorsed key are refused.
    let store = Store::from_pool(pool).await.unwrap();
    let mut log = seed_log();
    let newbie = Signer::from_seed(p("User:newbie"), &[77; 32]);
    let key = newbie.public_key().id();
    let sign = |s: &Signer, id: &str, at: i64, body: EventBody| {
        let mut e = Envelope::new(id, s.principal().as_str(), at, &body);
        s.sign_for(&mut e, ENV);
        e
    };
    let t = T0 + 500;
    // Newbie asks for its own domain's use: a request is made for a domain one owns.
    let mut req = request("req-n", "User:newbie-app");
    req.requester_domain = DomainId::parse("marketing").unwrap();
    req.group_prefix = "marketing.".into();
    log.push(rec(
        log.len(),
        sign(
            &newbie,
            "enroll",
            t,
            EventBody::KeyEnrollmentRequested {
                principal: p("User:newbie"),
                key: key.clone(),
                note: "new in Sales".into(),
            },
        ),
    ));
    log.push(rec(log.len(), sign(&newbie, "early", t + 1, EventBody::AccessRequested(req.clone()))));
    store.apply(LOG, &root(), &log).await.unwrap();
    let keys = store.trust_keys().await.unwrap();
    assert_eq!((keys[0].principal.as_str(), keys[0].state.as_str()), ("User:newbie", "pending"), "pending first");
    let events = store.events(LOG).await.unwrap();
    assert!(outcome_of(&events, "early").1.contains("is not endorsed"), "{:?}", outcome_of(&events, "early"));

    let ines = signers().for_principal("User:ines").unwrap().clone();
    let endorse = EventBody::KeyEndorsed { principal: p("User:newbie"), key: key.clone(), roles: vec![Role::Owner] };
    let admin = signers().admin.clone();
    let marketing = meshdesk_domain::Domain {
        id: DomainId::parse("marketing").unwrap(),
        name: "Marketing".into(),
        description: "Campaigns.".into(),
        owners: vec![p("User:newbie")],
        contact: "marketing@example.com".into(),
    };
    let more = vec![
        rec(log.len(), sign(&ines, "by-owner", t + 2, endorse.clone())),
        rec(log.len() + 1, sign(&admin, "by-admin", t + 3, endorse)),
        rec(
            log.len() + 2,
            sign(&admin, "reject-late", t + 4, EventBody::EnrollmentRejected { key: key.clone(), reason: "x".into() }),
        ),
        rec(log.len() + 3, sign(&newbie, "not-owner", t + 5, EventBody::AccessRequested(req.clone()))),
        rec(log.len() + 4, sign(&admin, "marketing", t + 6, EventBody::DomainRegistered(marketing))),
        rec(log.len() + 5, sign(&newbie, "later", t + 7, EventBody::AccessRequested(req))),
    ];
    store.apply(LOG, &root(), &more).await.unwrap();
    let events = store.events(LOG).await.unwrap();
    assert!(outcome_of(&events, "by-owner").1.contains("only a governance admin"));
    assert_eq!(outcome_of(&events, "by-admin").0, "applied");
    assert!(outcome_of(&events, "reject-late").1.contains("no pending enrollment"));
    assert!(outcome_of(&events, "not-owner").1.contains("is not registered"), "{:?}", outcome_of(&events, "not-owner"));
    assert_eq!(outcome_of(&events, "later").0, "applied");
    assert_eq!(store.access_request("req-n").await.unwrap().unwrap().requested_by, "User:newbie");
    assert_eq!(store.key_record(&key).await.unwrap().unwrap().roles, vec![Role::Owner]);
}

#[sqlx::test(migrations = false)]
async fn unsigned_events_count_only_below_the_configured_offset(pool: SqlitePool) {
    // Verifies the legacy rule: with accept_unsigned_before_offset = 3, unsigned events at offsets 0-2 are applied with a note saying so, and an unsigned event at offset 3 is refused.
    let store = Store::from_pool(pool).await.unwrap();
    let legacy: Vec<LogRecord> =
        seed::events(&seed::products(), T0).into_iter().take(4).enumerate().map(|(i, e)| rec(i, e)).collect();
    let root = TrustRoot { accept_unsigned_before_offset: Some(3), ..root() };
    let report = store.apply(LOG, &root, &legacy).await.unwrap();
    assert_eq!((report.applied, report.skipped), (3, 1));
    let events = store.events(LOG).await.unwrap();
    assert!(events[0].note.as_deref().unwrap().contains("accepted as written before signing"));
    assert_eq!(events[3].outcome, "refused");
    assert_eq!(store.list_domains().await.unwrap().len(), 3);
}

/// A tiny deterministic generator, so a failing case is reproduced by its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }

    fn pick_str<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let picked: &&'a str = self.pick(items);
        picked
    }
}

/// Honest events from random endorsed principals (some of which the rules refuse: publishing in
/// someone else's domain, deciding one's own request...), never naming Mallory.
fn honest(rng: &mut Rng, n: usize) -> Vec<Envelope> {
    let owners = ["User:ines", "User:sam", "User:carla"];
    let all = signers();
    let mut out = Vec::new();
    for i in 0..n {
        let at = T0 + 1_000 + i as i64;
        let id = format!("h{i}");
        let actor = *rng.pick(&owners);
        let req_id = format!("req-{}", rng.next() % 4);
        let body = match rng.next() % 7 {
            0 => {
                let mut d = rng.pick(&seed::domains()).clone();
                d.owners = vec![p(rng.pick_str(&owners))];
                let mut e = Envelope::new(id, seed::SEED_ACTOR, at, &EventBody::DomainRegistered(d));
                all.admin.sign_for(&mut e, ENV);
                out.push(e);
                continue;
            }
            1 => {
                let mut pr = rng.pick(&seed::products()).clone();
                pr.title = format!("Republished {i}");
                pr.owners = vec![p(rng.pick_str(&owners))];
                EventBody::ProductPublished(pr)
            }
            2 => EventBody::AccessRequested(request(&req_id, rng.pick_str(&["User:sales-app", "User:crm-app"]))),
            3 => EventBody::approval(
                &request(&req_id, rng.pick_str(&["User:sales-app", "User:crm-app"])),
                Some(1 + (rng.next() % 30) as u32),
            ),
            4 => EventBody::AccessDenied { request_id: req_id, reason: "not now".into() },
            5 => EventBody::AccessRevoked { request_id: req_id, reason: "ended".into() },
            _ => {
                let actor = if rng.next().is_multiple_of(2) { seed::RECONCILER } else { actor };
                out.push(signed(
                    id,
                    actor,
                    at,
                    &EventBody::GrantApplied { request_id: req_id, outcome: GrantOutcome::Applied },
                ));
                continue;
            }
        };
        out.push(signed(id, actor, at, &body));
    }
    out
}

/// Mallory's attempts: her own unendorsed key (as herself or claiming others), honest events
/// with their payload or actor changed, unsigned events, and self-endorsement.
fn forgeries(rng: &mut Rng, honest: &[Envelope], n: usize) -> Vec<Envelope> {
    let m = mallory();
    let claims = ["User:mallory", "User:ines", "User:sam", seed::SEED_ACTOR, seed::RECONCILER];
    let mut out = Vec::new();
    for i in 0..n {
        let at = T0 + 1_000 + i as i64;
        let claim = *rng.pick(&claims);
        let mut domain = rng.pick(&seed::domains()).clone();
        domain.owners = vec![p("User:mallory")];
        let mut product = rng.pick(&seed::products()).clone();
        product.owners = vec![p("User:mallory")];
        let req_id = format!("req-{}", rng.next() % 4);
        let body = match rng.next() % 7 {
            0 => EventBody::DomainRegistered(domain),
            1 => EventBody::ProductPublished(product),
            2 => EventBody::AccessRequested(request(&req_id, "User:mallory")),
            3 => EventBody::approval(&request(&req_id, "User:mallory"), None),
            4 => EventBody::KeyEndorsed {
                principal: p("User:mallory"),
                key: m.public_key().id(),
                roles: vec![Role::Admin],
            },
            5 => EventBody::GrantApplied { request_id: req_id, outcome: GrantOutcome::Applied },
            _ => {
                // Tamper with an honest event: its payload now names Mallory, its signature stays.
                let Some(h) = honest.get((rng.next() % honest.len().max(1) as u64) as usize) else { continue };
                let mut e = h.clone();
                let text =
                    e.payload.to_string().replace("User:ines", "User:mallory").replace("User:sam", "User:mallory");
                e.payload = serde_json::from_str(&text).unwrap();
                if e.payload == h.payload {
                    e.actor = "User:mallory".into();
                }
                out.push(e);
                continue;
            }
        };
        let e = if rng.next().is_multiple_of(3) {
            Envelope::new(format!("m{i}"), claim, at, &body)
        } else {
            forged(&format!("m{i}"), &m, claim, at, &body)
        };
        out.push(e);
    }
    out
}

async fn fold(events: &[Envelope]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("c.db")).await.unwrap();
    let mut log = seed_log();
    for e in events {
        log.push(rec(log.len(), e.clone()));
    }
    store.apply(LOG, &root(), &log).await.unwrap();
    let s = snapshot(&store).await;
    store.close().await;
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Over random interleavings of honest events and Mallory's forgeries, the fold gives
    /// Mallory no ownership and no access, and ends exactly where the honest events alone lead.
    #[test]
    fn forgeries_never_give_ownership_or_access(seed in any::<u64>(), n_honest in 5usize..30, n_forged in 1usize..30) {
        let mut rng = Rng(seed | 1);
        let honest = honest(&mut rng, n_honest);
        let forged = forgeries(&mut rng, &honest, n_forged);
        let mut mixed = Vec::new();
        let (mut h, mut f) = (honest.iter().peekable(), forged.iter().peekable());
        while h.peek().is_some() || f.peek().is_some() {
            let take_forged = f.peek().is_some() && (h.peek().is_none() || rng.next().is_multiple_of(2));
            mixed.push(if take_forged { f.next() } else { h.next() }.unwrap().clone());
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (with, without) = rt.block_on(async { (fold(&mixed).await, fold(&honest).await) });
        prop_assert!(!with.contains("User:mallory"), "Mallory gained something:\n{with}");
        prop_assert_eq!(with, without);
    }
}

#[test]
fn the_seed_is_signed_by_its_actors() {
    // Verifies the seed's envelopes verify and that each is signed by the key of its own actor, so a desktop folding a seeded sandbox refuses none of them.
    let all = signers();
    let events = seed::signed_events(&all, &seed::products(), ENV, T0);
    assert_eq!(events.len() as u64, SEED_N);
    for e in &events {
        let key = meshdesk_domain::trust::verify(e).unwrap();
        assert_eq!(all.for_principal(&e.actor).unwrap().public_key(), key, "{}", e.id);
    }
}

#[sqlx::test(migrations = false)]
async fn an_event_the_database_refuses_is_refused_alone_and_the_fold_goes_on(pool: SqlitePool) {
    // Verifies a poison event cannot freeze the fold: an event that fails in SQLite (a constraint no rule foresaw, stood in for by a trigger this test installs, since the known conflicts are caught by the rules first) is refused with the database's reason, its changes rolled back, and the events after it in the same batch still apply; a reused request id is refused by the rules.
    let store = Store::from_pool(pool.clone()).await.unwrap();
    sqlx::query(
        "CREATE TRIGGER poison BEFORE INSERT ON access_requests WHEN NEW.consumer = 'User:poison'
         BEGIN SELECT RAISE(ABORT, 'an unforeseen constraint'); END",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut log = seed_log();
    let t = T0 + 1_000;
    let req = request("req-1", "User:sales-app");
    log.push(rec(log.len(), signed("r1", "User:sam", t, &EventBody::AccessRequested(req.clone()))));
    log.push(rec(
        log.len(),
        signed("poison", "User:sam", t + 1, &EventBody::AccessRequested(request("req-2", "User:poison"))),
    ));
    let mut again = req.clone();
    again.consumer = p("User:mallory-app");
    log.push(rec(log.len(), signed("r1-again", "User:sam", t + 2, &EventBody::AccessRequested(again))));
    log.push(rec(
        log.len(),
        signed("ok1", "User:ines", t + 3, &EventBody::approval(&request("req-1", "User:sales-app"), None)),
    ));
    let report = store.apply(LOG, &root(), &log).await.expect("the batch is applied, not failed");
    assert_eq!(report.next_offset, log.len() as i64);
    let events = store.events(LOG).await.unwrap();
    let (outcome, note) = outcome_of(&events, "poison");
    assert_eq!(outcome, "refused");
    assert!(note.starts_with("could not be applied:") && note.contains("an unforeseen constraint"), "{note}");
    assert_eq!(outcome_of(&events, "r1-again").0, "refused");
    assert_eq!(outcome_of(&events, "ok1").0, "applied", "the event after it still applies");
    let rows = store.access_requests().await.unwrap();
    assert_eq!(rows.len(), 1, "nothing of the poison event stayed");
    assert_eq!(rows[0].request.consumer.as_str(), "User:sales-app", "the first request is untouched");
    assert_eq!(rows[0].state.name(), "approved");
}

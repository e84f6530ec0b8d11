use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::Duration;

use meshdesk_domain::{Domain, DomainId, Envelope, EventBody, GOVERNANCE_TOPIC, Principal};
use meshdesk_kafka::Producer;
use meshdesk_store::Store;
use meshdesk_tests::{env_file, sandbox, seed_events, target_dir};

/// Checks the cache's invariants after a crash: the position equals the number of records kept,
/// offsets are 0..position with none missing or repeated, and no event id was applied twice.
async fn check_cache(db: &std::path::Path) -> i64 {
    let store = Store::open(db).await.unwrap();
    let next = store.next_offset(GOVERNANCE_TOPIC).await.unwrap();
    let events = store.events(GOVERNANCE_TOPIC).await.unwrap();
    let offsets: Vec<i64> = events.iter().map(|e| e.offset).collect();
    assert_eq!(offsets, (0..next).collect::<Vec<_>>(), "every offset below the position, once");
    let mut applied = HashSet::new();
    for e in events.iter().filter(|e| e.outcome == "applied") {
        assert!(applied.insert(e.id.clone()), "event {} applied twice", e.id);
    }
    let domains = store.list_domains().await.unwrap().len() as i64;
    let products = store.list_products(None).await.unwrap().len() as i64;
    let keys = store.trust_keys().await.unwrap().len() as i64;
    assert_eq!(domains + products + keys, applied.len() as i64, "tables match the events applied");
    store.close().await;
    next
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fold_killed_mid_batch_never_applies_an_event_twice_or_skips_one() {
    // Verifies crash safety with real process kills: `meshctl sync` folding a log of 2,000 signed events after the seed is SIGKILLed repeatedly while a fold transaction is open (it pauses between applying and committing, a test hook that only widens the window), and after every kill the cache is consistent; a final sync completes it exactly.
    let meshctl = target_dir().join("debug/meshctl");
    assert!(meshctl.is_file(), "{} is missing: scripts/test.sh builds it", meshctl.display());
    let t = sandbox(true).await;
    let profile = t.sandbox.kafka_profile();
    let producer = Producer::new(&profile).unwrap();
    const EXTRA: usize = 2000;
    // Domains are created by the sandbox's governance admin.
    let admin = t.sandbox.signer(&Principal::parse(meshdesk_domain::seed::SEED_ACTOR).unwrap()).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    for i in 0..EXTRA {
        let d = Domain {
            id: DomainId::parse(&format!("domain-{i:05}")).unwrap(),
            name: format!("Domain {i}"),
            description: "Generated for the crash test.".into(),
            owners: vec![Principal::parse("User:gen").unwrap()],
            contact: "gen@example".into(),
        };
        let mut env = Envelope::new(format!("crash-{i}"), "User:gen", now, &EventBody::DomainRegistered(d));
        admin.sign(&mut env);
        producer.send(GOVERNANCE_TOPIC, Some(env.id.as_bytes()), &env.to_bytes()).await.unwrap();
    }
    let total = (EXTRA + seed_events()) as i64;

    let cfg = tempfile::tempdir().unwrap();
    let env = env_file(cfg.path(), "crash", &t.sandbox);
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join("cache/crash.db");
    let sync = |pause: &str| {
        Command::new(&meshctl)
            .args(["sync", "--env", env.to_str().unwrap(), "--data-dir", data.path().to_str().unwrap()])
            .args(["--batch", "100", "--pause-before-commit-ms", pause])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };

    let mut interrupted = 0;
    let mut last = 0;
    for round in 0..6u64 {
        let mut child = sync("150");
        tokio::time::sleep(Duration::from_millis(700 + round * 170)).await;
        let still_running = child.try_wait().unwrap().is_none();
        child.kill().unwrap();
        child.wait().unwrap();
        let next = check_cache(&db).await;
        assert!(next >= last, "the position never goes back ({next} < {last})");
        if still_running && next < total {
            interrupted += 1;
        }
        last = next;
    }
    assert!(interrupted >= 3, "only {interrupted} kills landed mid-fold; the test did not test");

    let out = sync("0").wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(check_cache(&db).await, total);
    let store = Store::open(&db).await.unwrap();
    assert_eq!(store.list_domains().await.unwrap().len(), 3 + EXTRA);
}

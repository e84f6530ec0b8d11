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
        admin.sign_for(&mut env, &t.sandbox.environment());
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
            .args(["--batch", "100"])
            // A test build's failpoint: a pause between applying a batch and committing it.
            .env("FAILPOINTS", format!("fold-before-commit=sleep({pause})"))
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

/// The process the SIGKILL test below starts and kills: publishes the wizard's draft and then
/// writes governance events one after another, each sent at once, until it is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of killed_mid_publish_and_mid_flush_nothing_is_lost_or_duplicated"]
async fn crash_child_publishes_and_writes() {
    // Not a check of its own: with MESHDESK_CRASH_CHILD set (data dir|environment file) it is the desktop the SIGKILL test kills mid-work; otherwise it returns at once.
    let Ok(spec) = std::env::var("MESHDESK_CRASH_CHILD") else { return };
    let (data, env) = spec.split_once('|').unwrap();
    let md = meshdesk_service::Meshdesk::open(
        std::path::Path::new(data),
        meshdesk_service::EnvSource::File(env.into()),
        meshdesk_service::SandboxPorts::default(),
    )
    .await
    .unwrap();
    // Refused once it is being published or published: the journal goes on from where it is.
    let _ = md.save_draft(&crate::wizard::draft()).await;
    let _ = md.publish_draft("draft-1").await;
    for i in 0.. {
        let d = Domain {
            id: DomainId::parse("inventory").unwrap(),
            name: "Inventory".into(),
            description: format!("Revision {i} of the description."),
            owners: vec![Principal::parse("User:ines").unwrap()],
            contact: "inventory@example.org".into(),
        };
        md.publish(&EventBody::DomainRegistered(d)).await.unwrap();
        let _ = md.flush_outbox().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_publish_and_mid_flush_nothing_is_lost_or_duplicated() {
    // Verifies crash safety of writing with real SIGKILLs: a desktop process publishing a wizard draft and then queueing and sending governance events is killed four times at different moments; reopened, it resumes the draft and sends what waits, and then every event it ever queued is in the log applied exactly once (none lost, none applied twice), the product was published once, and the outbox is empty.
    let t = sandbox(true).await;
    let cfg = tempfile::tempdir().unwrap();
    let env = meshdesk_tests::env_file_as(cfg.path(), "crash", &t.sandbox, "User:ines");
    let data = tempfile::tempdir().unwrap();
    let spec = format!("{}|{}", data.path().display(), env.display());
    let exe = std::env::current_exe().unwrap();
    for (round, ms) in [900u64, 1_700, 2_600, 3_400].into_iter().enumerate() {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash::crash_child_publishes_and_writes", "--ignored", "--nocapture"])
            .env("MESHDESK_CRASH_CHILD", &spec)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(ms)).await;
        assert!(child.try_wait().unwrap().is_none(), "round {round}: the child was still working when killed");
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }

    let md = meshdesk_service::Meshdesk::open(
        data.path(),
        meshdesk_service::EnvSource::File(env.clone()),
        meshdesk_service::SandboxPorts::default(),
    )
    .await
    .unwrap();
    assert_eq!(md.publish_draft("draft-1").await.unwrap().status, meshdesk_contract::DraftStatus::Published);
    md.flush_outbox().await.unwrap();
    md.sync().await.unwrap();
    assert_eq!(md.environment_status().await.pending_writes, 0, "nothing waits");

    // Every event the desktop ever queued, from its outbox, is applied exactly once.
    let db = data.path().join("cache/crash.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    let queued: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT event_id, sent_offset FROM outbox").fetch_all(&pool).await.unwrap();
    assert!(queued.len() > 4, "the child got some work done: {}", queued.len());
    let events = md.store().events(GOVERNANCE_TOPIC).await.unwrap();
    for (id, sent) in &queued {
        assert!(sent.is_some(), "event {id} was sent");
        let applied = events.iter().filter(|e| &e.id == id && e.outcome == "applied").count();
        assert_eq!(applied, 1, "event {id} applied exactly once");
    }
    let products: Vec<_> =
        events.iter().filter(|e| e.kind == "ProductPublished" && e.id.starts_with("draft-draft-1-")).collect();
    assert_eq!(products.iter().filter(|e| e.outcome == "applied").count(), 1, "{products:?}");
    assert!(
        md.list_products(&Default::default()).await.unwrap().iter().any(|p| p.id == "inventory.stock-reservations")
    );
}

use meshdesk_contract::{ProbeState, ProductQuery};
use meshdesk_service::{EnvSource, Meshdesk, PortChoice, SandboxPorts};
use meshdesk_tests::{closed_port, env_file, env_file_for, sandbox};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_sandbox_fills_the_catalog_as_the_app_does() {
    // Verifies the app's own path: the service starts the embedded sandbox in a fresh data dir, both endpoints probe as up, and one sync folds the seed into a catalog of three products and three domains.
    let data = tempfile::tempdir().unwrap();
    let ports = SandboxPorts { broker: PortChoice::Free, registry: PortChoice::Free };
    let md = Meshdesk::open(data.path(), EnvSource::Sandbox { dir: data.path().join("sandbox") }, ports).await.unwrap();
    let before = md.environment_status().await;
    assert_eq!(before.broker.state, ProbeState::Starting);
    assert!(
        md.list_products(&ProductQuery::default()).await.unwrap().is_empty(),
        "the cache serves reads before connecting"
    );

    md.connect().await.unwrap();
    let status = md.environment_status().await;
    assert_eq!(status.broker.state, ProbeState::Up, "{}", status.broker.detail);
    assert_eq!(status.registry.state, ProbeState::Up, "{}", status.registry.detail);
    assert_eq!(status.registry.detail, "3 subjects");

    let report = md.sync().await.unwrap();
    let n = meshdesk_tests::seed_events() as u64;
    assert_eq!((report.applied, report.next_offset), (n, n as i64));
    let titles: Vec<String> =
        md.list_products(&ProductQuery::default()).await.unwrap().into_iter().map(|p| p.title).collect();
    assert_eq!(titles, ["Customer profiles", "Stock levels", "Orders"]);
    assert_eq!(md.list_domains().await.unwrap().len(), 3);
    assert_eq!(md.sync().await.unwrap().applied, 0, "a second sync finds nothing new");
    assert_eq!(md.environment_status().await.last_sync.unwrap().next_offset, n as i64);
    md.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_desktops_fold_the_same_log_into_identical_catalogs() {
    // Verifies that two fresh caches configured from an environment file read the same governance log and end with identical catalogs, domains and audit trails.
    let t = sandbox(true).await;
    let cfg = tempfile::tempdir().unwrap();
    let env = env_file(cfg.path(), "test", &t.sandbox);
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Meshdesk::open(a_dir.path(), EnvSource::File(env.clone()), SandboxPorts::default()).await.unwrap();
    let b = Meshdesk::open(b_dir.path(), EnvSource::File(env), SandboxPorts::default()).await.unwrap();
    a.sync().await.unwrap();
    b.sync().await.unwrap();
    let q = ProductQuery::default();
    let pa = a.list_products(&q).await.unwrap();
    assert_eq!(pa.len(), 3);
    assert_eq!(pa, b.list_products(&q).await.unwrap());
    assert_eq!(a.list_domains().await.unwrap(), b.list_domains().await.unwrap());
    let log = meshdesk_domain::GOVERNANCE_TOPIC;
    assert_eq!(a.store().events(log).await.unwrap(), b.store().events(log).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_cluster_is_explained_and_the_cache_still_answers() {
    // Verifies that with nothing listening the status names the reason for both endpoints, sync fails with a message, and the catalog is still served from the cache.
    let cfg = tempfile::tempdir().unwrap();
    let env = env_file_for(
        cfg.path(),
        "test",
        &format!("127.0.0.1:{}", closed_port()),
        &format!("http://127.0.0.1:{}", closed_port()),
    );
    let data = tempfile::tempdir().unwrap();
    let md = Meshdesk::open(data.path(), EnvSource::File(env), SandboxPorts::default()).await.unwrap();
    let status = md.environment_status().await;
    assert_eq!(status.broker.state, ProbeState::Down);
    assert!(status.broker.detail.contains("refused"), "{}", status.broker.detail);
    assert_eq!(status.registry.state, ProbeState::Down);
    assert!(status.registry.detail.contains("did not answer"), "{}", status.registry.detail);
    let err = md.sync().await.unwrap_err().to_string();
    assert!(!err.is_empty());
    assert!(md.environment_status().await.sync_error.is_some());
    assert!(md.list_products(&ProductQuery::default()).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_environment_file_is_refused_with_its_reason() {
    // Verifies that an invalid environment file is reported with the file's path and what is wrong in it.
    let cfg = tempfile::tempdir().unwrap();
    let path = cfg.path().join("env.toml");
    std::fs::write(&path, "[kafka]\n[registry]\nurl = \"http://127.0.0.1:1\"\n").unwrap();
    let data = tempfile::tempdir().unwrap();
    let err =
        Meshdesk::open(data.path(), EnvSource::File(path), SandboxPorts::default()).await.err().unwrap().to_string();
    assert!(err.contains("env.toml") && err.contains("bootstrap.servers"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_made_while_the_broker_is_away_wait_and_land_once_in_order() {
    // Verifies the outbox end to end: with the broker stopped, three published events wait as pending (and survive closing and reopening the cache); when the broker is back they appear in the governance log exactly once, in order, and fold into the catalog.
    use meshdesk_domain::{Domain, DomainId, EventBody, GOVERNANCE_TOPIC, Principal};
    use std::time::{Duration, Instant};

    let mut t = sandbox(true).await;
    let cfg = tempfile::tempdir().unwrap();
    // Creating domains is the governance admin's.
    let env = meshdesk_tests::env_file_as(cfg.path(), "test", &t.sandbox, meshdesk_domain::seed::SEED_ACTOR);
    let data = tempfile::tempdir().unwrap();
    let open = || Meshdesk::open(data.path(), EnvSource::File(env.clone()), SandboxPorts::default());
    let md = open().await.unwrap();
    md.sync().await.unwrap();

    t.sandbox.stop_broker().await.unwrap();
    let mut ids = Vec::new();
    for name in ["returns", "pricing", "logistics"] {
        let d = Domain {
            id: DomainId::parse(name).unwrap(),
            name: name.to_uppercase(),
            description: format!("The {name} domain."),
            owners: vec![Principal::parse("User:pat").unwrap()],
            contact: "pat@retail.example".into(),
        };
        ids.push(md.publish(&EventBody::DomainRegistered(d)).await.unwrap());
    }
    assert_eq!(md.environment_status().await.pending_writes, 3);
    let err = md.flush_outbox().await.unwrap_err();
    assert!(!err.to_string().is_empty());
    let status = md.environment_status().await;
    assert_eq!(status.pending_writes, 3, "a failed send keeps every write");
    assert!(status.pending_error.is_some());
    md.shutdown().await;
    drop(md);

    // Reopened with the broker still away: nothing was lost.
    let md = open().await.unwrap();
    assert_eq!(md.environment_status().await.pending_writes, 3);
    t.sandbox.start_broker().await.unwrap();
    let started = Instant::now();
    loop {
        match md.flush_outbox().await {
            Ok(_) if md.environment_status().await.pending_writes == 0 => break,
            _ => {}
        }
        assert!(started.elapsed() < Duration::from_secs(90), "the pending writes never went out");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let log = meshdesk_kafka::read_partition(
        &t.sandbox.kafka_profile(),
        GOVERNANCE_TOPIC,
        0,
        meshdesk_tests::seed_events() as i64,
        100,
    )
    .await
    .unwrap();
    let written: Vec<String> =
        log.iter().map(|r| meshdesk_domain::Envelope::from_bytes(r.value.as_deref().unwrap()).unwrap().id).collect();
    assert_eq!(written, ids, "exactly the three events, once each, in order");
    md.sync().await.unwrap();
    assert_eq!(md.list_domains().await.unwrap().len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_governance_topic_is_created_on_first_use() {
    // Verifies that a cluster without a governance topic gets one on the first sync (one partition, records kept forever) and that a write then lands in it.
    use meshdesk_domain::{Domain, DomainId, EventBody, GOVERNANCE_TOPIC, Principal};
    let t = sandbox(false).await;
    let admin = meshdesk_kafka::Admin::new(&t.sandbox.kafka_profile()).unwrap();
    assert!(!admin.list_topics(true).await.unwrap().iter().any(|x| x.name == GOVERNANCE_TOPIC));
    let cfg = tempfile::tempdir().unwrap();
    let env = meshdesk_tests::env_file_as(cfg.path(), "test", &t.sandbox, meshdesk_domain::seed::SEED_ACTOR);
    let data = tempfile::tempdir().unwrap();
    let md = Meshdesk::open(data.path(), EnvSource::File(env), SandboxPorts::default()).await.unwrap();
    let r = md.sync().await.unwrap();
    assert_eq!((r.applied, r.next_offset), (0, 0));
    let d = admin.describe_topic(GOVERNANCE_TOPIC).await.unwrap();
    assert_eq!(d.partitions.len(), 1);
    assert_eq!(d.configs.iter().find(|c| c.name == "retention.ms").and_then(|c| c.value.as_deref()), Some("-1"));
    let domain = Domain {
        id: DomainId::parse("billing").unwrap(),
        name: "Billing".into(),
        description: "Invoices.".into(),
        owners: vec![Principal::parse("User:bo").unwrap()],
        contact: "bo@example".into(),
    };
    md.publish(&EventBody::DomainRegistered(domain)).await.unwrap();
    assert_eq!(md.flush_outbox().await.unwrap(), 1);
    md.sync().await.unwrap();
    assert_eq!(md.list_domains().await.unwrap().iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["billing"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_refused_for_good_is_parked_and_the_next_one_goes_out() {
    // Verifies the outbox against a producer whose size limit (librdkafka's message.max.bytes, 2,000 bytes here) refuses one event for good: that write is parked with the reason, the normal write after it is sent and folded, the status lists the parked one, which can be sent again (and is parked again) or discarded; and an event over the log's own limit is refused before it is queued.
    use meshdesk_domain::{Domain, DomainId, EventBody, Principal};
    let t = sandbox(true).await;
    let dir = tempfile::tempdir().unwrap();
    let env = meshdesk_tests::env_file_as(dir.path(), "it", &t.sandbox, "User:ines");
    let text =
        std::fs::read_to_string(&env).unwrap().replace("[kafka]\n", "[kafka]\n\"message.max.bytes\" = \"2000\"\n");
    std::fs::write(&env, text).unwrap();
    let ines = Meshdesk::open(&dir.path().join("data"), EnvSource::File(env), SandboxPorts::default()).await.unwrap();
    ines.sync().await.unwrap();
    let inventory = |description: String| Domain {
        id: DomainId::parse("inventory").unwrap(),
        name: "Inventory".into(),
        description,
        owners: vec![Principal::parse("User:ines").unwrap()],
        contact: "inventory@example.org".into(),
    };
    let big = ines.publish(&EventBody::DomainRegistered(inventory("x".repeat(3_000)))).await.unwrap();
    let small = ines
        .publish(&EventBody::DomainRegistered(inventory("Stock, warehouses and reservations.".into())))
        .await
        .unwrap();
    assert_eq!(ines.flush_outbox().await.unwrap(), 1, "the normal write went out behind the refused one");
    ines.sync().await.unwrap();
    let domains = ines.list_domains().await.unwrap();
    let d = domains.iter().find(|d| d.id == "inventory").unwrap();
    assert_eq!(d.description, "Stock, warehouses and reservations.");
    let status = ines.environment_status().await;
    assert_eq!(status.pending_writes, 0);
    assert_eq!(status.parked_writes.len(), 1, "{status:?}");
    assert_eq!(status.parked_writes[0].event_id, big);
    assert!(status.parked_writes[0].reason.to_lowercase().contains("size"), "{:?}", status.parked_writes[0]);
    assert_ne!(big, small);

    // Sent again (the cause is still there): parked again. Then discarded.
    ines.settle_parked_write(&meshdesk_contract::ParkedAction { event_id: big.clone(), retry: true }).await.unwrap();
    assert_eq!(ines.flush_outbox().await.unwrap(), 0);
    assert_eq!(ines.environment_status().await.parked_writes.len(), 1);
    ines.settle_parked_write(&meshdesk_contract::ParkedAction { event_id: big.clone(), retry: false }).await.unwrap();
    assert!(ines.environment_status().await.parked_writes.is_empty());
    let again = ines.settle_parked_write(&meshdesk_contract::ParkedAction { event_id: big, retry: false }).await;
    assert!(again.unwrap_err().to_string().contains("no refused write"));

    // Over the log's own limit: refused before it is queued, with the sizes.
    let huge = ines.publish(&EventBody::DomainRegistered(inventory("y".repeat(1_000_000)))).await.unwrap_err();
    assert!(huge.to_string().contains("the log takes events up to 900 KiB"), "{huge}");
    assert_eq!(ines.environment_status().await.pending_writes, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_governance_topic_of_the_wrong_shape_is_refused_with_the_reason() {
    // Verifies the governance topic's shape is checked, not assumed: a desktop whose governance topic was pre-created with three partitions (where a keyed producer would scatter events the reader never sees) refuses to sync or write, says why in its status, and queues nothing to it; the sandbox's own topic passes the same check.
    use meshdesk_kafka::{Admin, TopicSpec};
    let t = sandbox(true).await;
    let admin = Admin::new(&t.sandbox.kafka_profile()).unwrap();
    let spec = TopicSpec { name: "it.governance-3".into(), partitions: 3, replication_factor: 1, configs: vec![] };
    admin.create_topics(&[spec]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = meshdesk_tests::env_file_as(dir.path(), "it", &t.sandbox, "User:ines");
    let text = std::fs::read_to_string(&env).unwrap();
    std::fs::write(&env, format!("governance_topic = \"it.governance-3\"\n{text}")).unwrap();
    let md = Meshdesk::open(&dir.path().join("data"), EnvSource::File(env), SandboxPorts::default()).await.unwrap();
    let err = md.sync().await.unwrap_err().to_string();
    assert!(err.contains("has 3 partitions; it must have exactly one"), "{err}");
    let status = md.environment_status().await;
    assert!(status.sync_error.as_deref().unwrap_or_default().contains("3 partitions"), "{status:?}");
    assert!(md.flush_outbox().await.is_err(), "nothing is written to it either");

    // The sandbox's own governance topic is fit.
    let (_d, ok) = meshdesk_tests::desktop(&t, "User:ines").await;
    ok.sync().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_is_keyed_to_its_environment_and_rebuilt_when_the_log_was_recreated() {
    // Verifies cache identity: two environment files without a name get caches of their own; when the governance log is deleted and re-created behind a desktop's back, its next sync notices the log is shorter than what it folded, folds the new log from the start and says so in the status; a desktop opened later on the old cache notices it on connect too.
    use meshdesk_domain::GOVERNANCE_TOPIC;
    let t = sandbox(true).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for d in [&a, &b] {
        std::fs::create_dir_all(d).unwrap();
        let env = meshdesk_tests::env_file_as(d, "unused", &t.sandbox, "User:ines");
        let text = std::fs::read_to_string(&env).unwrap().replace("name = \"unused\"\n", "");
        std::fs::write(&env, text).unwrap();
    }
    let first = Meshdesk::open(&data, EnvSource::File(a.join("env.toml")), SandboxPorts::default()).await.unwrap();
    let second = Meshdesk::open(&data, EnvSource::File(b.join("env.toml")), SandboxPorts::default()).await.unwrap();
    let (p1, p2) = (first.app_info().await.cache_path, second.app_info().await.cache_path);
    assert_ne!(p1, p2, "two nameless files, two caches");
    second.sync().await.unwrap();
    drop(second);

    first.sync().await.unwrap();
    assert_eq!(first.list_products(&Default::default()).await.unwrap().len(), 3);
    let admin = meshdesk_kafka::Admin::new(&t.sandbox.kafka_profile()).unwrap();
    admin.delete_topics(&[GOVERNANCE_TOPIC]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    // A new log with one event: the admin endorses someone (the helper creates the topic).
    meshdesk_tests::endorse(&t.sandbox, "User:newcomer", &[meshdesk_domain::trust::Role::Owner]).await;
    let report = first.sync().await.unwrap();
    assert_eq!(report.next_offset, 1, "the new log was folded from its start");
    assert!(first.list_products(&Default::default()).await.unwrap().is_empty(), "the old catalog is gone");
    let notice = first.environment_status().await.cache_notice.expect("the status says the cache was rebuilt");
    assert!(notice.contains("truncated or re-created"), "{notice}");

    // The other desktop, opened again on its old cache, notices on connect.
    let later = Meshdesk::open(&data, EnvSource::File(b.join("env.toml")), SandboxPorts::default()).await.unwrap();
    assert_eq!(later.list_products(&Default::default()).await.unwrap().len(), 3, "offline, the old cache answers");
    assert_eq!(later.sync().await.unwrap().next_offset, 1);
    assert!(later.list_products(&Default::default()).await.unwrap().is_empty());
    assert!(later.environment_status().await.cache_notice.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_loop_retries_a_sandbox_that_could_not_start() {
    // Verifies the background loop does not give up after a failed start: the embedded sandbox's fixed broker port is taken, so the first start fails and the status says why; once the port is free again, the loop starts the sandbox on its own and the catalog fills.
    let data = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let ports = SandboxPorts { broker: PortChoice::Fixed(port), registry: PortChoice::Free };
    let md = Meshdesk::open(data.path(), EnvSource::Sandbox { dir: data.path().join("sandbox") }, ports).await.unwrap();
    let task = tokio::spawn(md.clone().run(std::time::Duration::from_millis(500)));
    let started = std::time::Instant::now();
    loop {
        let s = md.environment_status().await;
        if s.broker.state == ProbeState::Down {
            assert!(s.broker.detail.contains(&format!("port {port}")), "{}", s.broker.detail);
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "the failed start never showed");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    drop(taken);
    let started = std::time::Instant::now();
    while md.list_products(&ProductQuery::default()).await.unwrap().len() < 3 {
        assert!(started.elapsed() < std::time::Duration::from_secs(90), "the loop never started the sandbox");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(md.environment_status().await.broker.state, ProbeState::Up);
    task.abort();
    md.shutdown().await;
}

//! Three brokers, one of them lost: a three-node Apache Kafka cluster (static KRaft quorum,
//! replication 3, `min.insync.replicas` 2) under desktops that publish and decide while a broker
//! is killed with SIGKILL and started again.

use std::time::Duration;

use meshdesk_contract::{DecideRequest, Decision};
use meshdesk_domain::{Domain, DomainId, EventBody, GOVERNANCE_TOPIC, Principal};
use meshdesk_sandbox::{KafkaCluster, KafkaInstall, SandboxKeys};
use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};
use meshdesk_tests::{env_file_on, sandbox, stock_levels_request};

async fn desktop_on(
    t: &meshdesk_tests::TestSandbox,
    profile: &meshdesk_kafka::KafkaProfile,
    who: &str,
) -> (tempfile::TempDir, std::sync::Arc<Meshdesk>) {
    let dir = tempfile::tempdir().unwrap();
    let env = env_file_on(dir.path(), "cluster", &t.sandbox, profile, who);
    let md = Meshdesk::open(&dir.path().join("data"), EnvSource::File(env), SandboxPorts::default()).await.unwrap();
    (dir, md)
}

/// A sandbox (whose keys and registry serve the cluster; seeded, so its principals' keys exist)
/// and a three-node cluster seeded with the retail example.
pub(crate) async fn seeded_cluster() -> (meshdesk_tests::TestSandbox, tempfile::TempDir, KafkaCluster) {
    let t = sandbox(true).await;
    let dir = tempfile::tempdir().unwrap();
    let cluster = KafkaCluster::start(&KafkaInstall::locate().unwrap(), dir.path(), 3).await.unwrap();
    let (mut keys, _) = SandboxKeys::open(&t.sandbox.data_dir).unwrap();
    let signers = keys.seed_signers().unwrap();
    meshdesk_sandbox::seed::seed(
        &cluster.admin_profile(),
        &t.sandbox.registry_url(),
        &signers,
        &t.sandbox.environment(),
    )
    .await
    .unwrap();
    (t, dir, cluster)
}

fn load_domain(i: usize) -> EventBody {
    EventBody::DomainRegistered(Domain {
        id: DomainId::parse(&format!("load-{i}")).unwrap(),
        name: format!("Load {i}"),
        description: "Written while a broker dies.".into(),
        owners: vec![Principal::parse("User:gen").unwrap()],
        contact: "gen@example".into(),
    })
}

/// A desktop's audit of the log: offset, event id and outcome of every record.
async fn audit(md: &Meshdesk) -> Vec<(i64, String, String)> {
    let events = md.store().events(GOVERNANCE_TOPIC).await.unwrap();
    events.into_iter().map(|e| (e.offset, e.id, e.outcome.to_string())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_killed_mid_publish_loses_no_event_and_no_approval() {
    // Verifies on a three-node Apache Kafka cluster that while the admin's desktop publishes 1,000 governance events and Inventory's owner approves Sales' request on another desktop, the governance partition's leader killed with SIGKILL and started again loses nothing: the governance topic has 3 replicas, every one of the 1,000 events is folded exactly once on both desktops (their audits agree event for event, offset for offset), the approval is folded on both, and its ACLs are on the cluster.
    let (t, _dir, mut cluster) = seeded_cluster().await;
    let profile = cluster.admin_profile();
    let admin = meshdesk_kafka::Admin::new(&profile).unwrap();
    let log = admin.describe_topic(GOVERNANCE_TOPIC).await.unwrap();
    assert_eq!(log.partitions[0].replicas.len(), 3, "the governance log is replicated to every broker");

    let (_a, publisher) = desktop_on(&t, &profile, meshdesk_domain::seed::SEED_ACTOR).await;
    let (_s, sam) = desktop_on(&t, &profile, "User:sam").await;
    let (_i, ines) = desktop_on(&t, &profile, "User:ines").await;
    for md in [&publisher, &sam, &ines] {
        md.sync().await.unwrap();
    }
    let sent = sam.request_access(&stock_levels_request("Check stock before confirming orders.")).await.unwrap();
    sam.flush_outbox().await.unwrap();
    ines.sync().await.unwrap();

    // 1,000 events queued, then sent while the log's leader dies.
    for i in 0..1000 {
        publisher.publish(&load_domain(i)).await.unwrap();
    }
    let leader = log.partitions[0].leader as u32;
    let flushing = tokio::spawn(async move {
        let mut sent = 0;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(180);
        while sent < 1000 && tokio::time::Instant::now() < deadline {
            match publisher.flush_outbox().await {
                Ok(n) => sent += n,
                Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
            }
        }
        (publisher, sent)
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!flushing.is_finished(), "the leader dies while the events are being sent");
    cluster.kill(leader).await.unwrap();
    let approve = DecideRequest { request_id: sent.request_id.clone(), decision: Decision::Approve { days: Some(30) } };
    let decided =
        tokio::time::timeout(Duration::from_secs(120), ines.decide_access(&approve)).await.expect("deciding returns");
    let decided = decided.unwrap();
    assert_eq!(decided.state, meshdesk_contract::RequestStatus::Approved, "{decided:?}");
    let (publisher, flushed) = flushing.await.unwrap();
    assert_eq!(flushed, 1000, "every queued event was sent");
    cluster.restart(leader).await.unwrap();
    assert_eq!(cluster.running(), [1, 2, 3]);

    ines.flush_outbox().await.unwrap();
    for md in [&publisher, &ines] {
        md.sync().await.unwrap();
    }
    let (a, b) = (audit(&publisher).await, audit(&ines).await);
    assert_eq!(a, b, "both desktops folded the same log the same way");
    let mut applied: Vec<&str> =
        a.iter().filter(|(_, id, o)| o == "applied" && !id.is_empty()).map(|(_, id, _)| id.as_str()).collect();
    let total = applied.len();
    applied.sort();
    applied.dedup();
    assert_eq!(applied.len(), total, "no event applied twice");
    let domains = publisher.list_domains().await.unwrap();
    assert_eq!(domains.iter().filter(|d| d.id.as_str().starts_with("load-")).count(), 1000);
    let request = ines.store().access_request(&sent.request_id).await.unwrap().unwrap();
    assert_eq!(request.state.name(), "approved");
    // ACLs made while the quorum changed may not have been confirmed: whatever the approval
    // left undone, the reconciler finishes from the log.
    ines.reconcile().await.unwrap();
    // ACLs reach every broker through the metadata log: asked until they are there (10 s).
    let mine = meshdesk_kafka::AclFilter { principal: Some("User:sales-app".into()), ..Default::default() };
    let mut acls = Vec::new();
    for _ in 0..20 {
        if let meshdesk_kafka::AclOutcome::Done(a) = admin.describe_acls(&mine).await.unwrap() {
            acls = a;
        }
        if !acls.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(
        acls.iter()
            .any(|a| a.operation == meshdesk_kafka::AclOperation::Read && a.name == "inventory.stock-level-updated"),
        "{acls:?}"
    );
    for md in [publisher, sam, ines] {
        md.shutdown().await;
    }
    cluster.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_change_during_a_sync_leaves_no_gap_and_no_duplicate() {
    // Verifies on a three-node Apache Kafka cluster that when the governance partition's leader is killed with SIGKILL while a desktop is folding 2,000 events, the fold resumes from its saved offset once another replica leads: the desktop's audit then holds every offset of the log exactly once, with no gap, and every one of the 2,000 domains.
    let (t, _dir, mut cluster) = seeded_cluster().await;
    let profile = cluster.admin_profile();
    let (_a, publisher) = desktop_on(&t, &profile, meshdesk_domain::seed::SEED_ACTOR).await;
    publisher.sync().await.unwrap();
    for i in 0..2000 {
        publisher.publish(&load_domain(i)).await.unwrap();
    }
    let mut sent = 0;
    while sent < 2000 {
        sent += publisher.flush_outbox().await.unwrap();
    }
    let admin = meshdesk_kafka::Admin::new(&profile).unwrap();
    let log = admin.describe_topic(GOVERNANCE_TOPIC).await.unwrap();
    let end = meshdesk_kafka::watermarks(&profile, GOVERNANCE_TOPIC, 0).await.unwrap().high;

    let (_r, reader) = desktop_on(&t, &profile, "User:ines").await;
    let reading = {
        let reader = reader.clone();
        tokio::spawn(async move { reader.sync().await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!reading.is_finished(), "the leader dies while the desktop is folding");
    cluster.kill(log.partitions[0].leader as u32).await.unwrap();
    // Whether the interrupted sync ended in an error or waited for the new leader, what it
    // folded is kept; the next syncs go on from there.
    let _ = tokio::time::timeout(Duration::from_secs(120), reading).await.expect("the sync returns");
    let mut next = 0;
    for _ in 0..20 {
        if let Ok(r) = reader.sync().await {
            next = r.next_offset;
        }
        if next >= end {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(next, end, "the desktop reached the end of the log");
    let offsets: Vec<i64> = audit(&reader).await.into_iter().map(|(o, _, _)| o).collect();
    assert_eq!(offsets, (0..end).collect::<Vec<_>>(), "every offset once, no gap");
    let domains = reader.list_domains().await.unwrap();
    assert_eq!(domains.iter().filter(|d| d.id.as_str().starts_with("load-")).count(), 2000);
    for md in [publisher, reader] {
        md.shutdown().await;
    }
    cluster.stop().await.unwrap();
}

//! The window on a three-node Apache Kafka cluster that loses a broker: degraded while it is
//! away, healthy again once it is back.

use std::time::Duration;

use meshdesk_tests::env_file_on;

use crate::window::{Driver, app_bin, click, session, shot, text_of, wait_for_cards};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_shows_a_broker_away_and_the_cluster_healthy_again() {
    // Verifies in the app window, on a three-node cluster (replication 3), that the top bar and Settings' cluster section say healthy with three brokers answering (screenshot target/e2e/cluster-healthy.png); once broker 2 is killed with SIGKILL, that the cluster is degraded, broker 2 away and partitions under-replicated, in the top bar's pill and on Settings (cluster-degraded.png); and once it is started again, healthy with every partition fully replicated (cluster-recovered.png).
    let (t, _dir, mut cluster) = crate::cluster::seeded_cluster().await;
    let cfg = tempfile::tempdir().unwrap();
    let env = env_file_on(cfg.path(), "three brokers", &t.sandbox, &cluster.admin_profile(), "User:ines");
    let driver = Driver::start().await;
    let client = session(&driver.url, &app_bin(), &env).await;
    wait_for_cards(&client, &["customer.profiles", "inventory.stock-levels", "sales.orders"], Duration::from_secs(60))
        .await;
    text_of(&client, "#probe-broker[data-health='healthy']", Duration::from_secs(30), |t| t.contains("3 brokers"))
        .await;
    click(&client, ".sidebar a[href='/settings']").await;
    let said = text_of(&client, "#cluster-verdict[data-health='healthy']", Duration::from_secs(30), |_| true).await;
    assert_eq!(said, "Healthy: 3 brokers answering, every partition fully replicated.");
    client.execute("document.getElementById('cluster').scrollIntoView({block: 'start'})", vec![]).await.unwrap();
    shot(&client, "cluster-healthy").await;

    cluster.kill(2).await.unwrap();
    // The controller fences the broker once its session times out; Settings asks every 10 s.
    let said = text_of(&client, "#cluster-verdict[data-health='degraded']", Duration::from_secs(90), |_| true).await;
    assert!(said.contains("broker 2 is away") && said.contains("under-replicated"), "{said}");
    let away = text_of(&client, "#cluster-brokers li.away", Duration::from_secs(5), |_| true).await;
    assert!(away.contains("Broker 2") && away.contains("away"), "{away}");
    let pill = text_of(&client, "#cluster-health", Duration::from_secs(30), |t| t.contains("broker 2 away")).await;
    assert!(pill.starts_with("Cluster degraded"), "{pill}");
    let topics = text_of(&client, "#cluster-topics", Duration::from_secs(5), |_| true).await;
    assert!(topics.contains("the governance log") || topics.contains("inventory."), "{topics}");
    client.execute("document.getElementById('cluster').scrollIntoView({block: 'start'})", vec![]).await.unwrap();
    shot(&client, "cluster-degraded").await;

    cluster.restart(2).await.unwrap();
    click(&client, "#cluster-refresh").await;
    let said = text_of(&client, "#cluster-verdict", Duration::from_secs(120), |t| t.starts_with("Healthy")).await;
    assert_eq!(said, "Healthy: 3 brokers answering, every partition fully replicated.");
    text_of(&client, "#probe-broker[data-health='healthy']", Duration::from_secs(30), |_| true).await;
    assert!(client.find(fantoccini::Locator::Id("cluster-health")).await.is_err(), "no pill once healthy");
    client.execute("document.getElementById('cluster').scrollIntoView({block: 'start'})", vec![]).await.unwrap();
    shot(&client, "cluster-recovered").await;
    driver.close(client).await;
    cluster.stop().await.unwrap();
}

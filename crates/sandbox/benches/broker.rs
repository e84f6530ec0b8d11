//! The sandbox's Apache Kafka broker: its start-up time, its memory, and its throughput for a
//! consumer principal with exactly a grant's ACLs (every request checked by `StandardAuthorizer`)
//! next to the super user's (the authorizer's baseline), in one run.
//!
//! Starts a fresh sandbox on free ports (formatting the storage: the cold start), stops and
//! starts its broker again (the warm start), creates a topic of one partition, produces N records
//! of 512 bytes (default 200,000; `MESHDESK_BENCH_RECORDS` to change) with many in flight and
//! reads them back from the start, once as the admin and once as `User:bench-app` holding READ,
//! DESCRIBE and WRITE on the topic only. Prints records per second for each, the ratio
//! granted/admin, the JVM's resident memory after the runs, and the start-up times.
//!
//! Run: `cargo bench -p meshdesk-sandbox --bench broker`
// A test or a benchmark reads as one story: the 80-line bound is for the code it runs.
#![allow(clippy::too_many_lines)]

use std::time::{Duration, Instant};

use meshdesk_kafka::{
    AclBinding, AclOperation, AclPermission, Admin, KafkaProfile, PartitionReader, PatternType, Producer, ResourceType,
    TopicSpec,
};
use meshdesk_sandbox::{PortChoice, Sandbox, SandboxOptions};

struct Figures {
    produce: f64,
    consume: f64,
}

async fn run(profile: &KafkaProfile, topic: &str, n: usize) -> anyhow::Result<Figures> {
    let value = vec![b'x'; 512];
    let records: Vec<(Option<Vec<u8>>, Vec<u8>)> =
        (0..n).map(|i| (Some(i.to_string().into_bytes()), value.clone())).collect();
    let producer = Producer::new(profile)?;
    let t = Instant::now();
    for chunk in records.chunks(20_000) {
        producer.send_many(topic, chunk).await?;
    }
    let produce = n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut reader = PartitionReader::open(profile, topic, 0, 0).await?;
    let mut read = 0;
    while read < n {
        let batch = reader.next_batch(10_000).await?;
        anyhow::ensure!(!batch.is_empty(), "the reader stopped at {read} of {n}");
        read += batch.len();
    }
    let consume = n as f64 / t.elapsed().as_secs_f64();
    Ok(Figures { produce, consume })
}

fn spec(name: &str) -> TopicSpec {
    TopicSpec { name: name.into(), partitions: 1, replication_factor: 1, configs: vec![] }
}

/// A process's resident memory (Linux), in MiB.
fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("MESHDESK_BENCH_RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(if full {
        200_000
    } else {
        5_000
    });
    if !full {
        println!("smoke run on {n} records (cargo bench runs the full 200,000; unoptimized figures)");
    }
    let dir = tempfile::tempdir()?;
    let mut opts = SandboxOptions::new(dir.path().join("sandbox"));
    opts.broker_port = PortChoice::Free;
    opts.registry_port = PortChoice::Free;
    opts.seed = false;
    let t = Instant::now();
    let mut sb = Sandbox::start(opts).await?;
    let sandbox_cold = t.elapsed();
    let broker_cold = sb.broker().map(|b| b.started_in).unwrap_or_default();
    sb.stop_broker().await?;
    sb.start_broker().await?;
    let broker_warm = sb.broker().map(|b| b.started_in).unwrap_or_default();

    let admin = Admin::new(&sb.kafka_profile())?;
    admin.create_topics(&[spec("bench.admin"), spec("bench.granted")]).await?;
    let base = run(&sb.kafka_profile(), "bench.admin", n).await?;

    let principal = meshdesk_domain::Principal::parse("User:bench-app").map_err(anyhow::Error::msg)?;
    let password = sb.create_principal(&principal).await?.expect("a new user");
    let acls: Vec<AclBinding> = [AclOperation::Read, AclOperation::Describe, AclOperation::Write]
        .into_iter()
        .map(|operation| AclBinding {
            resource: ResourceType::Topic,
            name: "bench.granted".into(),
            pattern: PatternType::Literal,
            principal: principal.as_str().into(),
            host: "*".into(),
            operation,
            permission: AclPermission::Allow,
        })
        .collect();
    admin.create_acls(&acls).await?;
    // ACLs reach the authorizer through the metadata log: give it a moment.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let granted = run(&sb.kafka_profile_as("bench-app", &password), "bench.granted", n).await?;
    let rss = sb.broker().and_then(|b| b.pid()).and_then(rss_mib);
    sb.stop().await?;

    println!("Apache Kafka {} (one KRaft node, StandardAuthorizer)", meshdesk_sandbox::KAFKA_VERSION);
    println!(
        "start-up: sandbox cold (format, broker, users, registry) {}; broker cold {}, warm {}",
        secs(sandbox_cold),
        secs(broker_cold),
        secs(broker_warm)
    );
    match rss {
        Some(mib) => println!("broker RSS after the runs: {mib:.0} MiB (heap at most 384 MiB)"),
        None => println!("broker RSS: not readable here"),
    }
    println!("records of 512 bytes: {n}");
    println!(
        "produce  super user {:>10.0} rec/s   granted principal {:>10.0} rec/s   ratio {:.2}",
        base.produce,
        granted.produce,
        granted.produce / base.produce
    );
    println!(
        "consume  super user {:>10.0} rec/s   granted principal {:>10.0} rec/s   ratio {:.2}",
        base.consume,
        granted.consume,
        granted.consume / base.consume
    );
    Ok(())
}

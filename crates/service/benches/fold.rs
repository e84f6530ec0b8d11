//! Folding the governance log from the broker into SQLite: events per second.
//!
//! Starts a sandbox broker on a free port, produces N governance events (default 100,000;
//! `MESHDESK_BENCH_EVENTS` to change), then times `Meshdesk::sync` reading them from the broker
//! and folding them into a fresh cache, 1,000 per transaction (reading overlapped with folding). The naive baseline folds the same
//! records one transaction per event, measured on the first `MESHDESK_BENCH_NAIVE` events
//! (default 5,000: at one fsync per event the whole log would take minutes).
//!
//! Run: `cargo bench -p meshdesk-service --bench fold`

use std::time::Instant;

use meshdesk_domain::{Domain, DomainId, Envelope, EventBody, GOVERNANCE_TOPIC, Principal};
use meshdesk_kafka::{Admin, PartitionReader, Producer};
use meshdesk_sandbox::{PortChoice, Sandbox, SandboxOptions};
use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};
use meshdesk_store::{LogRecord, Store};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let n = env_usize("MESHDESK_BENCH_EVENTS", 100_000);
    let naive_n = env_usize("MESHDESK_BENCH_NAIVE", 5_000).min(n);
    let dir = tempfile::tempdir()?;
    let mut opts = SandboxOptions::new(dir.path().join("sandbox"));
    (opts.broker_port, opts.registry_port, opts.seed) = (PortChoice::Free, PortChoice::Free, false);
    let sb = Sandbox::start(opts).await?;
    let profile = sb.kafka_profile();
    Admin::new(&profile)?.create_topics(&[meshdesk_sandbox::seed::governance_topic_spec()]).await?;

    let owner = Principal::parse("User:bench").map_err(anyhow::Error::msg)?;
    let records: Vec<(Option<Vec<u8>>, Vec<u8>)> = (0..n)
        .map(|i| {
            let d = Domain {
                id: DomainId::parse(&format!("domain-{i:06}")).expect("valid id"),
                name: format!("Domain {i}"),
                description: "A generated domain for the fold benchmark.".into(),
                owners: vec![owner.clone()],
                contact: "bench@example".into(),
            };
            let e = Envelope::new(format!("bench-{i}"), "User:bench", i as i64, &EventBody::DomainRegistered(d));
            (Some(e.id.clone().into_bytes()), e.to_bytes())
        })
        .collect();
    let bytes: usize = records.iter().map(|(_, v)| v.len()).sum();
    let producer = Producer::new(&profile)?;
    let t = Instant::now();
    for chunk in records.chunks(10_000) {
        producer.send_many(GOVERNANCE_TOPIC, chunk).await?;
    }
    println!("produced {n} events ({:.1} MB) in {:.2} s", bytes as f64 / 1e6, t.elapsed().as_secs_f64());

    // The real path: read from the broker and fold, 1,000 events per transaction.
    let env = dir.path().join("env.toml");
    std::fs::write(
        &env,
        format!(
            "name = \"bench\"\n[kafka]\n\"bootstrap.servers\" = \"{}\"\n[registry]\nurl = \"{}\"\n",
            sb.bootstrap_servers(),
            sb.registry_url()
        ),
    )?;
    let md = Meshdesk::open(&dir.path().join("desk"), EnvSource::File(env), SandboxPorts::default()).await?;
    let t = Instant::now();
    let report = md.sync().await?;
    let batched = t.elapsed().as_secs_f64();
    assert_eq!(report.applied as usize, n, "every event applied");
    println!(
        "fold from the broker, 1,000 events per transaction: {n} events in {batched:.2} s = {:.0} events/s",
        n as f64 / batched
    );

    // Reading alone, for context.
    let t = Instant::now();
    let mut reader = PartitionReader::open(&profile, GOVERNANCE_TOPIC, 0, 0).await?;
    let mut read = Vec::with_capacity(n);
    loop {
        let b = reader.next_batch(5_000).await?;
        if b.is_empty() {
            break;
        }
        read.extend(b);
    }
    let read_s = t.elapsed().as_secs_f64();
    println!(
        "  of which reading {n} records from the broker alone: {read_s:.2} s = {:.0} records/s",
        n as f64 / read_s
    );

    // The naive baseline: the same records, one transaction per event.
    let log: Vec<LogRecord> = read
        .into_iter()
        .take(naive_n)
        .map(|r| LogRecord {
            offset: r.offset,
            envelope: Envelope::from_bytes(r.value.as_deref().unwrap_or_default()).map_err(|e| e.to_string()),
        })
        .collect();
    let store = Store::open(&dir.path().join("naive.db")).await?;
    let t = Instant::now();
    for rec in &log {
        store.apply(GOVERNANCE_TOPIC, std::slice::from_ref(rec)).await?;
    }
    let naive = t.elapsed().as_secs_f64();
    let naive_rate = naive_n as f64 / naive;
    println!("naive fold, one transaction per event: {naive_n} events in {naive:.2} s = {naive_rate:.0} events/s");
    println!("ratio: batched fold is {:.1}x the naive one", (n as f64 / batched) / naive_rate);
    md.shutdown().await;
    sb.stop().await?;
    Ok(())
}

//! Folding the governance log from the broker into SQLite: events per second, with and without
//! signature verification.
//!
//! Starts a sandbox broker on a free port, produces N governance events signed by an admin key
//! (default 100,000; `MESHDESK_BENCH_EVENTS` to change), then times `Meshdesk::sync` reading them
//! from the broker and folding them into a fresh cache, 1,000 per transaction (reading
//! overlapped with folding), every event verified and authorized. The same records are then
//! folded from memory twice: verified, and as unsigned legacy events accepted without any trust
//! check (`accept_unsigned_before_offset`), which is the cost of the fold without verification.
//! The naive baseline folds the signed records one transaction per event, measured on the first
//! `MESHDESK_BENCH_NAIVE` events (default 5,000: at one fsync per event the whole log would take
//! minutes).
//!
//! Run: `cargo bench -p meshdesk-service --bench fold`
// A test or a benchmark reads as one story: the 80-line bound is for the code it runs.
#![allow(clippy::too_many_lines)]

use std::time::Instant;

use meshdesk_domain::trust::{Signer, TrustRoot};
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
    // `cargo bench` passes --bench: the full run. Under `cargo test --all-targets` a smoke run on
    // a twentieth of the log (unoptimized; its figures are not the benchmark's).
    let full = std::env::args().any(|a| a == "--bench");
    let n = env_usize("MESHDESK_BENCH_EVENTS", if full { 100_000 } else { 5_000 });
    let naive_n = env_usize("MESHDESK_BENCH_NAIVE", if full { 5_000 } else { 500 }).min(n);
    if !full {
        println!("smoke run on {n} events (cargo bench runs the full 100,000)");
    }
    let dir = tempfile::tempdir()?;
    let mut opts = SandboxOptions::new(dir.path().join("sandbox"));
    (opts.broker_port, opts.registry_port, opts.seed) = (PortChoice::Free, PortChoice::Free, false);
    let sb = Sandbox::start(opts).await?;
    let profile = sb.kafka_profile();
    Admin::new(&profile)?.create_topics(&[meshdesk_sandbox::seed::governance_topic_spec()]).await?;

    let owner = Principal::parse("User:bench").map_err(anyhow::Error::msg)?;
    let admin = Signer::from_seed(Principal::parse("User:bench-admin").map_err(anyhow::Error::msg)?, &[7; 32]);
    let root = TrustRoot::new(vec![admin.public_key().id()], None)
        .and_then(|r| r.bound_to("bench", None))
        .map_err(anyhow::Error::msg)?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as i64;
    let records: Vec<(Option<Vec<u8>>, Vec<u8>)> = (0..n)
        .map(|i| {
            let d = Domain {
                id: DomainId::parse(&format!("domain-{i:06}")).expect("valid id"),
                name: format!("Domain {i}"),
                description: "A generated domain for the fold benchmark.".into(),
                owners: vec![owner.clone()],
                contact: "bench@example".into(),
            };
            let mut e = Envelope::new(format!("bench-{i}"), "User:bench-admin", now, &EventBody::DomainRegistered(d));
            admin.sign_for(&mut e, "bench");
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
            "name = \"bench\"\n[kafka]\n{}[registry]\nurl = \"{}\"\n[trust]\nadmins = [\"{}\"]\nenvironment = \"bench\"\n",
            sb.kafka_profile().properties.iter().map(|(k, v)| format!("\"{k}\" = \"{v}\"\n")).collect::<String>(),
            sb.registry_url(),
            admin.public_key().id()
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
    println!(
        "  the fold from the broker runs at {:.2} of the raw read rate (every trust check included)",
        (n as f64 / batched) / (n as f64 / read_s)
    );

    let log: Vec<LogRecord> = read
        .into_iter()
        .map(|r| LogRecord {
            offset: r.offset,
            timestamp_ms: r.timestamp_ms,
            envelope: Envelope::from_bytes(r.value.as_deref().unwrap_or_default())
                .map_err(|e| meshdesk_store::NotAnEvent::Unreadable(e.to_string())),
        })
        .collect();

    // From memory, verified and not: the cost of verification alone.
    let fold_memory = |name: &'static str, root: TrustRoot, log: Vec<LogRecord>| {
        let dir = dir.path().to_owned();
        async move {
            let store = Store::open(&dir.join(format!("{name}.db"))).await?;
            let t = Instant::now();
            let mut applied = 0;
            for chunk in log.chunks(1000) {
                applied += store.apply(GOVERNANCE_TOPIC, &root, chunk).await?.applied;
            }
            let s = t.elapsed().as_secs_f64();
            anyhow::ensure!(applied as usize == log.len(), "{name}: {applied} of {} applied", log.len());
            Ok::<f64, anyhow::Error>(log.len() as f64 / s)
        }
    };
    let verified = fold_memory("verified", root.clone(), log.clone()).await?;
    let unsigned: Vec<LogRecord> = log
        .iter()
        .cloned()
        .map(|mut r| {
            if let Ok(e) = &mut r.envelope {
                (e.key, e.sig) = (None, None);
            }
            r
        })
        .collect();
    let legacy = TrustRoot { accept_unsigned_before_offset: Some(i64::MAX), ..root.clone() };
    let unverified = fold_memory("unverified", legacy, unsigned).await?;
    println!(
        "fold from memory, 1,000 per transaction, every signature verified and authorized: {verified:.0} events/s"
    );
    println!(
        "fold from memory, 1,000 per transaction, no verification (unsigned legacy events): {unverified:.0} events/s"
    );
    println!("ratio: verification keeps {:.0}% of the unverified rate", 100.0 * verified / unverified);

    // The naive baseline: the same records, one transaction per event.
    let store = Store::open(&dir.path().join("naive.db")).await?;
    let t = Instant::now();
    for rec in log.iter().take(naive_n) {
        store.apply(GOVERNANCE_TOPIC, &root, std::slice::from_ref(rec)).await?;
    }
    let naive = t.elapsed().as_secs_f64();
    let naive_rate = naive_n as f64 / naive;
    println!("naive fold, one transaction per event: {naive_n} events in {naive:.2} s = {naive_rate:.0} events/s");
    println!("ratio: batched fold is {:.1}x the naive one", (n as f64 / batched) / naive_rate);
    md.shutdown().await;
    sb.stop().await?;
    Ok(())
}

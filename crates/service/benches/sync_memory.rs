//! A sync's memory over a log of junk: the process's peak resident memory while `Meshdesk::sync`
//! folds a governance topic filled with records no desktop writes (random bytes and oversized
//! JSON, 16 KiB to 900 KiB each), next to the same records read the way syncs read before they
//! were bounded in bytes (1,000 records per batch, whatever their size).
//!
//! Starts a sandbox broker on a free port and produces `MESHDESK_BENCH_JUNK_MIB` of junk (default
//! 500 MiB; a smoke run of 24 MiB under `cargo test --all-targets`). The peak is the kernel's
//! high-water mark (`VmHWM`), reset before each measured phase (`/proc/self/clear_refs`).
//!
//! Run: `cargo bench -p meshdesk-service --bench sync_memory`
// A test or a benchmark reads as one story: the 80-line bound is for the code it runs.
#![allow(clippy::too_many_lines)]

use meshdesk_domain::GOVERNANCE_TOPIC;
use meshdesk_kafka::{Admin, PartitionReader, Producer};
use meshdesk_sandbox::{PortChoice, Sandbox, SandboxOptions};
use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix(field)?.trim().strip_suffix("kB")?.trim().parse().ok()).unwrap_or(0)
}

/// Resets the peak to the current resident size.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// A small deterministic generator (xorshift), so every run writes the same junk.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let total_mib: usize = std::env::var("MESHDESK_BENCH_JUNK_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 500 } else { 24 });
    if !full {
        println!("smoke run on {total_mib} MiB of junk (cargo bench runs 500 MiB)");
    }
    let dir = tempfile::tempdir()?;
    let mut opts = SandboxOptions::new(dir.path().join("sandbox"));
    (opts.broker_port, opts.registry_port, opts.seed) = (PortChoice::Free, PortChoice::Free, false);
    let sb = Sandbox::start(opts).await?;
    let profile = sb.kafka_profile();
    Admin::new(&profile)?.create_topics(&[meshdesk_sandbox::seed::governance_topic_spec()]).await?;

    // Junk: random bytes, and JSON arrays of small numbers (what parses into the most memory).
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut written = 0usize;
    let mut count = 0usize;
    {
        let producer = Producer::new(&profile)?;
        while written < total_mib << 20 {
            let mut batch = Vec::new();
            let mut batch_bytes = 0;
            while batch_bytes < 8 << 20 && written + batch_bytes < total_mib << 20 {
                let size = 16 * 1024 + (rng.next() % (884 * 1024)) as usize;
                let value = if count.is_multiple_of(2) {
                    (0..size).map(|_| rng.next() as u8).collect::<Vec<u8>>()
                } else {
                    let mut v = b"[".to_vec();
                    while v.len() + 2 < size {
                        v.extend_from_slice(b"1,");
                    }
                    v.extend_from_slice(b"1]");
                    v
                };
                batch_bytes += value.len();
                count += 1;
                batch.push((None, value));
            }
            producer.send_many(GOVERNANCE_TOPIC, &batch).await?;
            written += batch_bytes;
        }
    }
    println!("produced {count} junk records, {:.0} MiB", written as f64 / (1 << 20) as f64);

    let env = dir.path().join("env.toml");
    std::fs::write(
        &env,
        format!(
            "name = \"bench\"\n[kafka]\n{}[registry]\nurl = \"{}\"\n[trust]\nadmins = []\nenvironment = \"bench\"\n",
            profile.properties.iter().map(|(k, v)| format!("\"{k}\" = \"{v}\"\n")).collect::<String>(),
            sb.registry_url(),
        ),
    )?;
    let md = Meshdesk::open(&dir.path().join("desk"), EnvSource::File(env), SandboxPorts::default()).await?;

    reset_peak();
    let before = status_kib("VmRSS:");
    let t = std::time::Instant::now();
    let report = md.sync().await?;
    let peak = status_kib("VmHWM:");
    println!(
        "sync of {count} junk records ({:.0} MiB): {} applied, {} refused or invalid in {:.1} s; peak RSS {:.0} MiB (before {:.0} MiB, limit 200 MiB)",
        written as f64 / (1 << 20) as f64,
        report.applied,
        report.skipped,
        t.elapsed().as_secs_f64(),
        mib(peak),
        mib(before)
    );
    assert_eq!(report.skipped as usize, count, "every junk record was refused");

    // Baseline, same run (after the sync, whose peak the allocator's retained memory would
    // otherwise inflate): the records read as syncs read them before, a count per batch and no
    // byte bound, two batches alive at once as when reading overlaps folding. At 1,000 records
    // per batch (what syncs read before) a log of large records does not even arrive within the
    // reader's 30 s per batch here, so the baseline reads 200 per batch.
    reset_peak();
    let before = status_kib("VmRSS:");
    let per_batch = 200;
    let mut reader = PartitionReader::open(&profile, GOVERNANCE_TOPIC, 0, 0).await?;
    let mut previous = Vec::new();
    let read = async {
        loop {
            let b = reader.next_batch(per_batch).await?;
            if b.is_empty() {
                return Ok::<_, meshdesk_kafka::KafkaError>(());
            }
            let parsed: Vec<_> =
                b.iter().map(|r| r.value.as_deref().map(serde_json::from_slice::<serde_json::Value>)).collect();
            drop(parsed);
            previous = b;
        }
    };
    let outcome = read.await;
    drop(previous);
    let unbounded_peak = status_kib("VmHWM:");
    println!(
        "baseline, {per_batch} records per batch without a byte bound, parsed: peak RSS {:.0} MiB (before {:.0} MiB){}",
        mib(unbounded_peak),
        mib(before),
        outcome.err().map(|e| format!("; the read failed: {e}")).unwrap_or_default()
    );

    Ok(())
}

//! The fold's work per hostile event: each valid-but-hostile Avro schema (deep, wide, recursive,
//! named types reused at every level, huge enums and unions; the fixed kinds and 40 random ones)
//! published as a signed product and folded into a real SQLite cache, one event per fold. Prints
//! the time and the peak resident memory each event added, next to the same figures for an
//! ordinary product (the seed's Stock levels) measured in the same run. The bounds: 50 ms and
//! 64 MiB per event.
//!
//! Run: `cargo bench -p meshdesk-store --bench hostile_fold`
// A test or a benchmark reads as one story: the 80-line bound is for the code it runs.
#![allow(clippy::too_many_lines)]

use std::time::Instant;

use meshdesk_domain::seed::{self, SeedSigners};
use meshdesk_domain::trust::{Signer, TrustRoot};
use meshdesk_domain::{DataProduct, Envelope, EventBody, Principal};
use meshdesk_store::{LogRecord, Store};

#[path = "../src/tests/hostile_schemas.rs"]
#[allow(dead_code)]
mod hostile_schemas;

const ENV: &str = "bench";
const LOG: &str = "_meshdesk.governance";

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix(field)?.trim().strip_suffix("kB")?.trim().parse().ok()).unwrap_or(0)
}

struct Measured {
    ms: f64,
    mib: f64,
    outcome: String,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let random = if full { 40 } else { 8 };
    let signers = SeedSigners {
        admin: Signer::from_seed(Principal::parse(seed::SEED_ACTOR).map_err(anyhow::Error::msg)?, &[100; 32]),
        principals: seed::principals()
            .into_iter()
            .enumerate()
            .map(|(i, (p, role))| (Signer::from_seed(p, &[i as u8 + 1; 32]), role))
            .collect(),
    };
    let root = TrustRoot::new(vec![signers.admin.public_key().id()], None)
        .and_then(|r| r.bound_to(ENV, None))
        .map_err(anyhow::Error::msg)?;
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("cache.db")).await?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as i64;
    let seeded = seed::signed_events(&signers, &seed::products(), ENV, now);
    let mut offset = 0i64;
    let records: Vec<LogRecord> = seeded
        .into_iter()
        .map(|e| {
            offset += 1;
            LogRecord { offset: offset - 1, timestamp_ms: Some(e.at_ms), envelope: Ok(e) }
        })
        .collect();
    store.apply(LOG, &root, &records).await?;
    let stock: DataProduct =
        seed::products().into_iter().find(|p| p.id.as_str() == "inventory.stock-levels").expect("seeded");
    let ines = signers.for_principal("User:ines").expect("seeded").clone();

    let mut fold_one = async |schema: Option<String>, i: usize| -> anyhow::Result<Measured> {
        let mut p = stock.clone();
        p.title = format!("Stock levels {i}");
        if let Some(s) = schema {
            p.output_ports[0].value_schema.as_mut().expect("a value schema").schema = s;
        }
        let mut e = Envelope::new(format!("bench-{i}"), "User:ines", now, &EventBody::ProductPublished(p));
        ines.sign_for(&mut e, ENV);
        let rec = LogRecord { offset, timestamp_ms: Some(now), envelope: Ok(e) };
        offset += 1;
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let before = status_kib("VmRSS:");
        let t = Instant::now();
        store.apply(LOG, &root, std::slice::from_ref(&rec)).await?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let mib = status_kib("VmHWM:").saturating_sub(before) as f64 / 1024.0;
        let row = store.events(LOG).await?.pop().expect("the event is in the audit");
        Ok(Measured { ms, mib, outcome: row.outcome.to_string() })
    };

    let mut baseline = Vec::new();
    for i in 0..5 {
        baseline.push(fold_one(None, i).await?);
    }
    let mut kinds = hostile_schemas::all_kinds();
    let mut rng = hostile_schemas::Rng(0x0dd_ba11_5eed);
    kinds.extend((0..random).map(|_| hostile_schemas::random(&mut rng)));
    let mut hostile = Vec::new();
    for (i, schema) in kinds.into_iter().enumerate() {
        let bytes = schema.len();
        let m = fold_one(Some(schema), 100 + i).await?;
        if full {
            println!(
                "  hostile schema {i:2} ({:>4} KiB): {:7.1} ms, +{:5.1} MiB, {}",
                bytes / 1024,
                m.ms,
                m.mib,
                m.outcome
            );
        }
        hostile.push(m);
    }
    let stats = |v: &[Measured]| {
        let mut ms: Vec<f64> = v.iter().map(|m| m.ms).collect();
        ms.sort_by(f64::total_cmp);
        let max_mib = v.iter().map(|m| m.mib).fold(0.0, f64::max);
        (ms[ms.len() / 2], ms[ms.len() - 1], max_mib)
    };
    let (b50, bmax, bmib) = stats(&baseline);
    let (h50, hmax, hmib) = stats(&hostile);
    println!(
        "ordinary product (baseline), {} events: p50 {b50:.1} ms, max {bmax:.1} ms, peak +{bmib:.1} MiB",
        baseline.len()
    );
    println!(
        "hostile schemas, {} events: p50 {h50:.1} ms, max {hmax:.1} ms, peak +{hmib:.1} MiB per event (bounds: 50 ms, 64 MiB)",
        hostile.len()
    );
    Ok(())
}

//! Compatibility of a 200-field Avro record pair: the local engine (natively) against the same
//! check through the sandbox registry's HTTP endpoint.
//!
//! Run: `cargo bench -p meshdesk-service --bench compat`
// A test or a benchmark reads as one story: the 80-line bound is for the code it runs.
#![allow(clippy::too_many_lines)]

use std::time::{Duration, Instant};

use meshdesk_domain::schema::{AvroSchema, check};
use meshdesk_domain::{CompatibilityLevel, SchemaFormat};
use meshdesk_registry::RegistryClient;
use meshdesk_sandbox::{PortChoice, Sandbox, SandboxOptions};

#[path = "../../domain/benches/wide_schemas.rs"]
mod wide_schemas;
use wide_schemas::avro as schema;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let (old_text, new_text) = (schema(200, false), schema(200, true));

    // Local: parse both and check FULL (both directions), as the editor does on every change.
    let mut local = Vec::new();
    for _ in 0..2_000 {
        let t = Instant::now();
        let old = AvroSchema::parse(&old_text).map_err(anyhow::Error::msg)?;
        let new = AvroSchema::parse(&new_text).map_err(anyhow::Error::msg)?;
        let v = check(CompatibilityLevel::Full, &[(1, &old)], &new);
        local.push(t.elapsed());
        assert!(!v.is_compatible(), "widening int to long is not FULL-compatible");
    }
    local.sort();
    let old = AvroSchema::parse(&old_text).map_err(anyhow::Error::msg)?;
    let new = AvroSchema::parse(&new_text).map_err(anyhow::Error::msg)?;
    let issues = check(CompatibilityLevel::Full, &[(1, &old)], &new).issues.len();
    let mut check_only = Vec::new();
    for _ in 0..2_000 {
        let t = Instant::now();
        let _ = check(CompatibilityLevel::Full, &[(1, &old)], &new);
        check_only.push(t.elapsed());
    }
    check_only.sort();

    // The registry: the same pair through POST /compatibility/subjects/{s}/versions/latest.
    let dir = tempfile::tempdir()?;
    let mut opts = SandboxOptions::new(dir.path().join("sandbox"));
    (opts.broker_port, opts.registry_port, opts.seed) = (PortChoice::Free, PortChoice::Free, false);
    let sb = Sandbox::start(opts).await?;
    let registry = RegistryClient::new(&sb.registry_url(), None)?;
    registry.set_compatibility("bench.wide-value", CompatibilityLevel::Full).await?;
    registry.register("bench.wide-value", &old_text, SchemaFormat::Avro).await?;
    let mut remote = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let _ = registry.check_compatibility("bench.wide-value", None, &new_text, SchemaFormat::Avro).await?;
        remote.push(t.elapsed());
    }
    remote.sort();

    println!("200-field Avro record pair, FULL compatibility ({issues} issues found locally):");
    println!(
        "  local, parse both + check: p50 {:?}, p95 {:?}  (target p95 under 2 ms)",
        percentile(&local, 0.5),
        percentile(&local, 0.95)
    );
    println!(
        "  local, check only:         p50 {:?}, p95 {:?}",
        percentile(&check_only, 0.5),
        percentile(&check_only, 0.95)
    );
    println!("  registry over HTTP:        p50 {:?}, p95 {:?}", percentile(&remote, 0.5), percentile(&remote, 0.95));
    println!(
        "  ratio (p50, registry / local parse + check): {:.1}x",
        percentile(&remote, 0.5).as_secs_f64() / percentile(&local, 0.5).as_secs_f64()
    );
    sb.stop().await?;
    Ok(())
}

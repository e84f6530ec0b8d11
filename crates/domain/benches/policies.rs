//! Policies as data: evaluating 50 CEL rules (the 22 built-in ones and 28 more of the kinds a
//! platform team or a domain writes) against a catalog of 10,000 products, natively, on one core
//! and as the violation report does it (`RuleSet::check_catalog`, every core). Printed next to
//! it, measured in the same run: the floor (building what the rules see of each product, Avro
//! schemas parsed, with no rule at all) and the built-in set alone. Target: the whole catalog
//! under 1 s.
//!
//! Run: `cargo bench -p meshdesk-domain --bench policies`
//! (`MESHDESK_BENCH_PRODUCTS` to change the catalog's size.)
// A test or a benchmark reads as one story: the 80-line bound is for the code it runs.
#![allow(clippy::too_many_lines)]

use std::time::{Duration, Instant};

use meshdesk_domain::DataProduct;
use meshdesk_domain::policy::{Policies, RuleSet};

mod policy_catalog;
use policy_catalog::{catalog, extra_rules};

fn time(set: &RuleSet, products: &[DataProduct]) -> (Duration, usize) {
    let t = Instant::now();
    let mut findings = 0;
    for p in products {
        findings += set.check(p, &[]).len();
    }
    (t.elapsed(), findings)
}

fn main() {
    let n: usize = std::env::var("MESHDESK_BENCH_PRODUCTS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let products = catalog(n);
    let builtin = Policies::default().rules();
    let mut fifty = builtin.clone();
    fifty.extend(extra_rules());
    let sets = [
        ("floor: the model's view, no rule", RuleSet::compile(vec![]).expect("no rules")),
        ("built-in policies", RuleSet::compile(builtin).expect("the built-in rules compile")),
        ("50 policies", RuleSet::compile(fifty).expect("the rules compile")),
    ];
    // One warm-up pass, then the best of three (the machine is shared).
    for (_, set) in &sets {
        time(set, &products[..n.min(500)]);
    }
    println!("policies: {n} products, natively");
    let line = |name: &str, rules: usize, best: Duration, findings: usize| {
        println!(
            "  {name:<40} {rules:>3} rules  {:>8.1} ms for the catalog  {:>9.0} products/s  ({findings} findings)",
            best.as_secs_f64() * 1e3,
            n as f64 / best.as_secs_f64()
        )
    };
    for (name, set) in &sets {
        let (best, findings) = (0..3).map(|_| time(set, &products)).min().expect("three runs");
        line(&format!("{name}, one core"), set.len(), best, findings);
    }
    // The violation report's way: the whole catalog on every core.
    let (_, fifty) = &sets[2];
    let (best, findings) = (0..3)
        .map(|_| {
            let t = Instant::now();
            let f = fifty.check_catalog(&products);
            (t.elapsed(), f.iter().map(Vec::len).sum::<usize>())
        })
        .min()
        .expect("three runs");
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    line(&format!("50 policies, every core ({cores})"), fifty.len(), best, findings);
    println!("  target: the whole catalog under 1 s: {}", if best < Duration::from_secs(1) { "met" } else { "missed" });
}

//! Policies as data: evaluating 50 CEL rules (the 22 built-in ones and 28 more of the kinds a
//! platform team or a domain writes) against a catalog of 10,000 products, natively, on one core
//! and as the violation report does it (`RuleSet::check_catalog`, every core). Printed next to
//! it, measured in the same run: the floor (building what the rules see of each product, Avro
//! schemas parsed, with no rule at all) and the built-in set alone. Target: the whole catalog
//! under 1 s.
//!
//! Run: `cargo bench -p meshdesk-domain --bench policies`
//! (`MESHDESK_BENCH_PRODUCTS` to change the catalog's size.)

use std::time::{Duration, Instant};

use meshdesk_domain::policy::{Policies, Rule, RuleSet, Scope, Severity, Target};
use meshdesk_domain::{DataProduct, ProductId, seed};

/// A catalog of `n` products: the seed's products again and again, each with its own id and
/// partitions.
fn catalog(n: usize) -> Vec<DataProduct> {
    let seed = seed::products();
    (0..n)
        .map(|i| {
            let mut p = seed[i % seed.len()].clone();
            p.id = ProductId::parse(&format!("{}-{i}", p.id)).expect("a valid id");
            for port in &mut p.output_ports {
                port.partitions = 1 + (i % 16) as i32;
            }
            p
        })
        .collect()
}

/// 28 rules beyond the built-in ones: limits, naming, SLA and contract rules over products,
/// ports, schemas and fields, some global, some a domain's own.
fn extra_rules() -> Vec<Rule> {
    let mut out = Vec::new();
    let mut add = |target: Target, condition: String, domain: Option<&str>| {
        let id = format!("extra-{}", out.len());
        out.push(Rule {
            id: id.clone(),
            policy: id,
            target,
            condition,
            severity: Severity::Warning,
            message: "breaks {product.id}".into(),
            at: "x".into(),
            owner: domain.map_or(Scope::Global, |d| Scope::Domain(d.into())),
        });
    };
    for k in 0..7 {
        add(Target::Product, format!("size(product.tags) <= {}", 10 + k), None);
        add(
            Target::Port,
            format!("port.partitions <= {} || product.classification == \"public\"", 12 + k),
            Some(["inventory", "sales", "customer"][k % 3]),
        );
        add(Target::Schema, format!("schema.fields <= {} && schema.subject.endsWith(\"-value\")", 200 + k), None);
        add(Target::Field, format!("size(field.path) < {} && !field.path.contains(\"..\")", 64 + k), None);
    }
    out
}

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

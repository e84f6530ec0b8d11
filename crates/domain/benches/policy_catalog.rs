//! The catalog and the rules the policy benchmarks evaluate (natively: `policies.rs`; in wasm:
//! `policies_wasm.rs`).
// A test or a benchmark reads as one story: the 80-line bound is for the code it runs.
#![allow(clippy::too_many_lines)]

use meshdesk_domain::policy::{Rule, Scope, Severity, Target};
use meshdesk_domain::{DataProduct, ProductId, seed};

/// A catalog of `n` products: the seed's products again and again, each with its own id and
/// partitions.
pub fn catalog(n: usize) -> Vec<DataProduct> {
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
pub fn extra_rules() -> Vec<Rule> {
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

//! The built-in policies' table: for each policy a passing and a failing input, and the exact
//! verdicts. This file runs natively (`cargo test`) and in wasm under node
//! (`wasm-bindgen-test-runner`, see scripts/test.sh): the same table, the same verdicts, so the
//! wizard's live check in the browser and the backend's enforcement agree.
// A test or a benchmark reads as one story: the 80-line bound is for the code it runs.
#![allow(clippy::too_many_lines)]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use meshdesk_domain::policy::{Policies, Severity, check};
use meshdesk_domain::{Classification, CompatibilityLevel, DataProduct, TopicName, seed};

type Edit = fn(&mut DataProduct);

fn rows() -> Vec<(&'static str, Edit)> {
    vec![
        ("naming passes", |_| {}),
        ("naming fails: not kebab", |p| p.output_ports[0].topic = TopicName::parse("inventory.StockLevel").unwrap()),
        ("naming fails: other domain", |p| p.output_ports[0].topic = TopicName::parse("sales.stock").unwrap()),
        ("required-metadata passes", |p| p.description = "Twenty characters at least.".into()),
        ("required-metadata fails", |p| {
            p.title.clear();
            p.owners.clear()
        }),
        ("fields-documented passes", |p| p.contract.fields.clear()),
        ("fields-documented fails", |p| {
            let s = p.output_ports[0].value_schema.as_mut().unwrap();
            s.schema = s.schema.replace(r#", "doc": "Units on hand after the change; never negative.""#, "");
            p.contract.fields.retain(|f| f.path != "quantity")
        }),
        ("pii passes: flagged, internal", |p| *p = seed::products().remove(2)),
        ("pii fails: flagged, public", |p| {
            *p = seed::products().remove(2);
            p.classification = Classification::Public
        }),
        ("pii warns: unflagged email", |p| {
            let s = p.output_ports[0].value_schema.as_mut().unwrap();
            s.schema = s.schema.replace(
                r#"{"name": "locationId""#,
                r#"{"name": "email", "type": "string", "doc": "x"}, {"name": "locationId""#,
            )
        }),
        ("compatibility passes: FULL", |p| {
            p.output_ports[0].value_schema.as_mut().unwrap().compatibility = CompatibilityLevel::Full
        }),
        ("compatibility fails: NONE", |p| {
            p.output_ports[0].value_schema.as_mut().unwrap().compatibility = CompatibilityLevel::None
        }),
        ("bounds pass: restricted, 12 partitions, 30 days", |p| {
            p.classification = Classification::Restricted;
            p.output_ports[0].partitions = 12;
            p.output_ports[0].retention_ms = 30 * 86_400_000
        }),
        ("bounds fail: restricted, 13 partitions, 31 days", |p| {
            p.classification = Classification::Restricted;
            p.output_ports[0].partitions = 13;
            p.output_ports[0].retention_ms = 31 * 86_400_000
        }),
    ]
}

fn verdicts() -> Vec<String> {
    let mut out = Vec::new();
    for (name, edit) in rows() {
        let mut p = seed::products().remove(0);
        edit(&mut p);
        let f = check(&p, &Policies::default(), &[]);
        if f.is_empty() {
            out.push(format!("{name}: -"));
        }
        for x in f {
            let sev = if x.severity == Severity::Error { "error" } else { "warning" };
            out.push(format!("{name}: {} {sev} {}", x.policy, x.at));
        }
    }
    out
}

const EXPECTED: &[&str] = &[
    "naming passes: -",
    "naming fails: not kebab: naming error ports[0].topic",
    "naming fails: other domain: naming error ports[0].topic",
    "required-metadata passes: -",
    "required-metadata fails: required-metadata error product.title",
    "required-metadata fails: required-metadata error product.owners",
    "fields-documented passes: -",
    "fields-documented fails: fields-documented error ports[0].fields.quantity",
    "pii passes: flagged, internal: -",
    "pii fails: flagged, public: pii error ports[0].fields.name",
    "pii fails: flagged, public: pii error ports[0].fields.email",
    "pii fails: flagged, public: pii error ports[0].fields.phoneNumber",
    "pii fails: flagged, public: pii error ports[0].fields.address",
    "pii warns: unflagged email: pii warning ports[0].fields.email",
    "compatibility passes: FULL: -",
    "compatibility fails: NONE: compatibility error ports[0].value_schema.compatibility",
    "bounds pass: restricted, 12 partitions, 30 days: -",
    "bounds fail: restricted, 13 partitions, 31 days: bounds error ports[0].partitions",
    "bounds fail: restricted, 13 partitions, 31 days: bounds error ports[0].retention_ms",
];

#[test]
fn every_built_in_policy_passes_and_fails_on_its_inputs() {
    // Verifies each built-in policy on a passing and a failing input, with the exact verdicts; the same table runs natively and in wasm.
    assert_eq!(verdicts(), EXPECTED);
}

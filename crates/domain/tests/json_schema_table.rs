//! JSON Schema compatibility on a table of evolutions (`data/json_schema_evolutions.json`):
//! combinators, local, nested and recursive `$ref`s, patterns, conditionals and the differences
//! between drafts 7, 2019-09 and 2020-12, each with its expected verdict at BACKWARD and at
//! FORWARD. The same file is given to an independent oracle, the `json-schema-diff` package,
//! by `tests/it/json_schema_oracle.rs`. Runs natively and in wasm under node (scripts/test.sh),
//! so the Schemas page in the window gives the backend's verdicts.
// A test or a benchmark reads as one story: the 80-line bound is for the code it runs.
#![allow(clippy::too_many_lines)]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use meshdesk_domain::schema::jsonschema::CANNOT_JUDGE;
use meshdesk_domain::schema::{ParsedSchema, check_messages};
use meshdesk_domain::{CompatibilityLevel, SchemaFormat};
use serde_json::Value;

const TABLE: &str = include_str!("data/json_schema_evolutions.json");

fn verdict(level: CompatibilityLevel, old: &Value, new: &Value) -> (&'static str, Vec<String>) {
    let parse = |v: &Value| ParsedSchema::parse(SchemaFormat::Json, &v.to_string()).expect("the table's schemas parse");
    let (o, n) = (parse(old), parse(new));
    let messages = check_messages(level, &[(1, &o)], &n);
    let v = if messages.is_empty() {
        "compatible"
    } else if messages.iter().all(|m| m.starts_with(CANNOT_JUDGE)) {
        "undecided"
    } else {
        "incompatible"
    };
    (v, messages)
}

#[test]
fn every_evolution_gets_its_expected_verdict_in_both_directions() {
    // Verifies each evolution of the table against its expected verdict at BACKWARD and at FORWARD (at least 40 cases; every kind the table names is present), reporting all that differ at once with the engine's messages.
    let cases: Vec<Value> = serde_json::from_str(TABLE).unwrap();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut wrong = Vec::new();
    for c in &cases {
        let name = c["name"].as_str().unwrap();
        for (level, key) in [(CompatibilityLevel::Backward, "backward"), (CompatibilityLevel::Forward, "forward")] {
            let (got, messages) = verdict(level, &c["old"], &c["new"]);
            let want = c[key].as_str().unwrap();
            if got != want {
                wrong.push(format!("{name} at {key}: expected {want}, got {got}: {messages:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{} of {} verdicts differ:\n{}", wrong.len(), cases.len() * 2, wrong.join("\n"));
    for kind in [
        "anyOf",
        "oneOf",
        "allOf",
        "not",
        "$ref",
        "$defs",
        "recursive",
        "pattern",
        "patternProperties",
        "2020-12",
        "draft-07",
        "if/then",
    ] {
        assert!(cases.iter().any(|c| c["name"].as_str().unwrap().contains(kind)), "no case for {kind}");
    }
}

#[test]
fn hostile_schemas_end_with_a_verdict() {
    // Verifies the comparison ends on schemas built to make it run long: references that only point at each other, a deep nesting of unions, and a wide union compared with itself under another reference; each gets a verdict (never a hang or a panic).
    let cyclic = serde_json::json!({"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}}});
    let (v, _) = verdict(CompatibilityLevel::Full, &cyclic, &serde_json::json!({"type": "string"}));
    assert!(v == "undecided" || v == "incompatible", "{v}");
    let mut deep = serde_json::json!({"type": "integer"});
    for _ in 0..60 {
        deep = serde_json::json!({"anyOf": [deep, {"type": "string"}], "oneOf": [{"type": "integer"}, {"type": "string"}]});
    }
    let (v, _) =
        verdict(CompatibilityLevel::FullTransitive, &deep, &serde_json::json!({"anyOf": [deep, {"type": "null"}]}));
    assert!(["compatible", "undecided", "incompatible"].contains(&v));
    let wide: Vec<Value> =
        (0..200).map(|i| serde_json::json!({"type": "object", "required": [format!("f{i}")]})).collect();
    let a = serde_json::json!({"$ref": "#/definitions/u", "definitions": {"u": {"oneOf": wide}}});
    let (v, _) = verdict(CompatibilityLevel::Full, &a, &serde_json::json!({"oneOf": wide}));
    assert!(["compatible", "undecided", "incompatible"].contains(&v));
}

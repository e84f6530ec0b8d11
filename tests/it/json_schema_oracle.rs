//! JSON Schema compatibility checked against an independent oracle: the `json-schema-diff`
//! package, which compares the sets of documents two schemas accept.

use meshdesk_domain::schema::jsonschema::CANNOT_JUDGE;
use meshdesk_domain::schema::{ParsedSchema, check_messages};
use meshdesk_domain::{CompatibilityLevel, SchemaFormat};
use serde_json::Value;

fn ours(level: CompatibilityLevel, old: &Value, new: &Value) -> &'static str {
    let parse = |v: &Value| ParsedSchema::parse(SchemaFormat::Json, &v.to_string()).unwrap();
    let messages = check_messages(level, &[(1, &parse(old))], &parse(new));
    if messages.is_empty() {
        "compatible"
    } else if messages.iter().all(|m| m.starts_with(CANNOT_JUDGE)) {
        "undecided"
    } else {
        "incompatible"
    }
}

#[test]
fn json_schema_verdicts_agree_with_the_json_schema_diff_oracle() {
    // Verifies the table of JSON Schema evolutions (crates/domain/tests/data) against `json-schema-diff`: on every case the oracle can judge (not marked silent: keywords it ignores, recursive or external references), no verdict of ours is "compatible" where the oracle finds documents the new schema refuses (BACKWARD) or newly accepts (FORWARD), every "incompatible" of ours is one the oracle finds too, and the oracle answers every such case without an error.
    let table = meshdesk_tests::repo_root().join("crates/domain/tests/data/json_schema_evolutions.json");
    let cases: Vec<Value> = serde_json::from_slice(&std::fs::read(&table).unwrap()).unwrap();
    let node_modules = std::env::var_os("MESHDESK_NODE_MODULES").expect("scripts/env.sh sets MESHDESK_NODE_MODULES");
    // Node finds the package from the script's own folder: the script goes beside node_modules.
    let script = std::path::Path::new(&node_modules).parent().unwrap().join("json_schema_diff.mjs");
    std::fs::copy(meshdesk_tests::repo_root().join("tests/clients/json_schema_diff.mjs"), &script).unwrap();
    let out = std::process::Command::new("node").arg(&script).arg(&table).output().expect("node runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answers: Vec<Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(answers.len(), cases.len(), "one answer per case");
    let (mut judged, mut silent, mut wrong) = (0, 0, Vec::new());
    for (c, a) in cases.iter().zip(&answers) {
        let name = c["name"].as_str().unwrap();
        assert_eq!(a["name"], c["name"]);
        if c.get("oracle").is_some() {
            silent += 1;
            continue;
        }
        judged += 1;
        if let Some(e) = a.get("error") {
            wrong.push(format!("{name}: the oracle failed: {e}"));
            continue;
        }
        for (level, key, found) in [
            (CompatibilityLevel::Backward, "backward", a["removals"].as_bool().unwrap()),
            (CompatibilityLevel::Forward, "forward", a["additions"].as_bool().unwrap()),
        ] {
            let mine = ours(level, &c["old"], &c["new"]);
            assert_eq!(mine, c[key].as_str().unwrap(), "{name} at {key}: the table and the engine agree");
            let oracle = if found { "incompatible" } else { "compatible" };
            if mine != "undecided" && mine != oracle {
                wrong.push(format!("{name} at {key}: ours {mine}, the oracle's {oracle}"));
            }
        }
    }
    println!("json-schema-diff: {judged} cases judged by the oracle, {silent} where it is silent");
    assert!(judged >= 30, "only {judged} cases for the oracle");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

//! The JSON Schema compatibility check of a 1,000-field pair in wasm (as the Schemas page runs it
//! on every change), timed in node; the baseline in the same run is the Avro check of a
//! 1,000-field pair with the same engine build. Prints mean and p95 of each.
//!
//! Run: `scripts/bench-wasm.sh` (release build, wasm-bindgen-test-runner under node).
#![cfg(target_arch = "wasm32")]
// A test or a benchmark reads as one story: the 80-line bound is for the code it runs.
#![allow(clippy::too_many_lines)]

use meshdesk_domain::schema::{ParsedSchema, check_messages};
use meshdesk_domain::{CompatibilityLevel, SchemaFormat};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

mod wide_schemas;
use wide_schemas::avro as avro_schema;

/// A JSON Schema with `n` properties of mixed kinds: numbers, optional strings, arrays, enums,
/// nested objects, references to definitions and unions. `evolved` widens every integer to a
/// number, makes the referenced definition wider and adds a property to the closed object.
fn json_schema(n: usize, evolved: bool) -> String {
    let mut props = Vec::with_capacity(n + 1);
    for i in 0..n {
        let ty = match i % 8 {
            0 => if evolved { r#"{"type": "number"}"#.to_owned() } else { r#"{"type": "integer"}"#.to_owned() },
            1 => r#"{"type": "string", "maxLength": 64}"#.to_owned(),
            2 => r#"{"type": ["string", "null"]}"#.to_owned(),
            3 => r#"{"type": "array", "items": {"type": "string"}, "maxItems": 10}"#.to_owned(),
            4 => r#"{"enum": ["A", "B", "C"]}"#.to_owned(),
            5 => r#"{"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "string"}}, "required": ["x"]}"#.to_owned(),
            6 => r##"{"$ref": "#/definitions/amount"}"##.to_owned(),
            _ => r#"{"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 0}]}"#.to_owned(),
        };
        props.push(format!(r#""f{i}": {ty}"#));
    }
    if evolved {
        props.push(r#""added": {"type": "string"}"#.to_owned());
    }
    let amount = if evolved { r#"{"type": "number"}"# } else { r#"{"type": "number", "minimum": 0}"# };
    format!(
        r#"{{"type": "object", "properties": {{{}}}, "required": ["f0", "f1"], "additionalProperties": false, "definitions": {{"amount": {amount}}}}}"#,
        props.join(", ")
    )
}

/// Parses both and checks at FULL (both directions), as the editor does; returns (mean, p95) in
/// ms over `runs` and the number of messages.
fn time(format: SchemaFormat, old: &str, new: &str, runs: usize) -> (f64, f64, usize) {
    let mut ms = Vec::with_capacity(runs);
    let mut messages = 0;
    for _ in 0..runs {
        let t = js_sys::Date::now();
        let o = ParsedSchema::parse(format, old).unwrap();
        let n = ParsedSchema::parse(format, new).unwrap();
        messages = check_messages(CompatibilityLevel::Full, &[(1, &o)], &n).len();
        ms.push(js_sys::Date::now() - t);
    }
    ms.sort_by(f64::total_cmp);
    let mean = ms.iter().sum::<f64>() / runs as f64;
    (mean, ms[(runs - 1) * 95 / 100], messages)
}

#[wasm_bindgen_test]
fn json_schema_check_of_1000_fields_in_wasm() {
    let (jo, jn) = (json_schema(1000, false), json_schema(1000, true));
    let (ao, an) = (avro_schema(1000, false), avro_schema(1000, true));
    // Warm-up.
    time(SchemaFormat::Json, &jo, &jn, 5);
    time(SchemaFormat::Avro, &ao, &an, 5);
    let (jm, jp, jmsgs) = time(SchemaFormat::Json, &jo, &jn, 200);
    let (am, ap, amsgs) = time(SchemaFormat::Avro, &ao, &an, 200);
    console_log!(
        "JSON Schema, 1,000 properties, parse both + FULL check in wasm: mean {jm:.2} ms, p95 {jp:.2} ms ({jmsgs} messages; target under 8 ms)"
    );
    console_log!(
        "baseline, Avro, 1,000 fields, parse both + FULL check in wasm: mean {am:.2} ms, p95 {ap:.2} ms ({amsgs} messages)"
    );
    assert!(jmsgs > 0 && amsgs > 0, "both evolutions break FULL, so both checks ran to the end");
}

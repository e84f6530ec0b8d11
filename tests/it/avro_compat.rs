use meshdesk_domain::CompatibilityLevel::{self, *};
use meshdesk_domain::SchemaFormat;
use meshdesk_domain::schema::{AvroSchema, check};
use meshdesk_registry::{RegistryClient, RegistryError};
use meshdesk_tests::{sandbox, unique};

/// A record `R` (or `name`) with the given fields (JSON fragments).
fn rec_named(name: &str, fields: &[&str]) -> String {
    format!(r#"{{"type": "record", "name": "{name}", "namespace": "t", "fields": [{}]}}"#, fields.join(", "))
}
fn rec(fields: &[&str]) -> String {
    rec_named("R", fields)
}
fn f(name: &str, ty: &str) -> String {
    format!(r#"{{"name": "{name}", "type": {ty}}}"#)
}
fn fd(name: &str, ty: &str, default: &str) -> String {
    format!(r#"{{"name": "{name}", "type": {ty}, "default": {default}}}"#)
}
fn enum_field(symbols: &str, default: Option<&str>) -> String {
    let d = default.map(|d| format!(r#", "default": "{d}""#)).unwrap_or_default();
    format!(r#"{{"name": "e", "type": {{"type": "enum", "name": "E", "symbols": [{symbols}]{d}}}}}"#)
}

struct Case {
    name: &'static str,
    level: CompatibilityLevel,
    previous: Vec<String>,
    new: String,
    compatible: bool,
    /// Words the first explanation must contain, for incompatible cases.
    says: &'static str,
}

fn case(
    name: &'static str,
    level: CompatibilityLevel,
    previous: Vec<String>,
    new: String,
    compatible: bool,
    says: &'static str,
) -> Case {
    Case { name, level, previous, new, compatible, says }
}

fn cases() -> Vec<Case> {
    let a_int = || rec(&[&f("a", r#""int""#)]);
    let s = |x: &str| x.to_owned();
    vec![
        // BACKWARD: the new schema reads records written with the latest version.
        case("add field with default", Backward, vec![a_int()], rec(&[&f("a", r#""int""#), &fd("b", r#""string""#, r#""""#)]), true, ""),
        case("add field without default", Backward, vec![a_int()], rec(&[&f("a", r#""int""#), &f("b", r#""string""#)]), false, "field `b` was added without a default"),
        case("remove field", Backward, vec![rec(&[&f("a", r#""int""#), &f("b", r#""string""#)])], a_int(), true, ""),
        case("int to long", Backward, vec![a_int()], rec(&[&f("a", r#""long""#)]), true, ""),
        case("long to int", Backward, vec![rec(&[&f("a", r#""long""#)])], a_int(), false, "changed from long to int"),
        case("int to string", Backward, vec![a_int()], rec(&[&f("a", r#""string""#)]), false, "field `a` changed from int to string: consumers using the new version cannot read records written with version 1"),
        case("string to bytes", Backward, vec![rec(&[&f("a", r#""string""#)])], rec(&[&f("a", r#""bytes""#)]), true, ""),
        case("bytes to string", Backward, vec![rec(&[&f("a", r#""bytes""#)])], rec(&[&f("a", r#""string""#)]), true, ""),
        case("float to double", Backward, vec![rec(&[&f("a", r#""float""#)])], rec(&[&f("a", r#""double""#)]), true, ""),
        case("double to float", Backward, vec![rec(&[&f("a", r#""double""#)])], rec(&[&f("a", r#""float""#)]), false, "changed from double to float"),
        case("int to float", Backward, vec![a_int()], rec(&[&f("a", r#""float""#)]), true, ""),
        case("long to double", Backward, vec![rec(&[&f("a", r#""long""#)])], rec(&[&f("a", r#""double""#)]), true, ""),
        case("int to optional int", Backward, vec![a_int()], rec(&[&f("a", r#"["null", "int"]"#)]), true, ""),
        case("optional int to int", Backward, vec![rec(&[&f("a", r#"["null", "int"]"#)])], a_int(), false, "can hold null in older records"),
        case("union gains a branch", Backward, vec![rec(&[&f("a", r#"["null", "int"]"#)])], rec(&[&f("a", r#"["null", "int", "string"]"#)]), true, ""),
        case("union loses a branch", Backward, vec![rec(&[&f("a", r#"["null", "int", "string"]"#)])], rec(&[&f("a", r#"["null", "int"]"#)]), false, "can hold string"),
        case("enum gains a symbol", Backward, vec![rec(&[&enum_field(r#""A", "B""#, Option::None)])], rec(&[&enum_field(r#""A", "B", "C""#, Option::None)]), true, ""),
        case("enum loses a symbol", Backward, vec![rec(&[&enum_field(r#""A", "B", "C""#, Option::None)])], rec(&[&enum_field(r#""A", "B""#, Option::None)]), false, "no longer has C"),
        case("enum loses a symbol, reader has a default", Backward, vec![rec(&[&enum_field(r#""A", "B", "C""#, Option::None)])], rec(&[&enum_field(r#""A", "B""#, Some("A"))]), true, ""),
        case("field renamed with an alias", Backward, vec![a_int()], rec(&[r#"{"name": "b", "type": "int", "aliases": ["a"]}"#]), true, ""),
        case("field renamed without an alias", Backward, vec![a_int()], rec(&[&f("b", r#""int""#)]), false, "field `b` was added without a default"),
        case("record renamed with an alias", Backward, vec![a_int()], r#"{"type": "record", "name": "R2", "namespace": "t", "aliases": ["R"], "fields": [{"name": "a", "type": "int"}]}"#.into(), true, ""),
        case("record renamed without an alias", Backward, vec![a_int()], rec_named("R2", &[&f("a", r#""int""#)]), false, "renamed from type t.R to t.R2"),
        case("namespace changed", Backward, vec![a_int()], r#"{"type": "record", "name": "R", "namespace": "other", "fields": [{"name": "a", "type": "int"}]}"#.into(), true, ""),
        case("fixed size changed", Backward, vec![rec(&[&f("a", r#"{"type": "fixed", "name": "F", "size": 4}"#)])], rec(&[&f("a", r#"{"type": "fixed", "name": "F", "size": 8}"#)]), false, "changed size from 4 to 8"),
        case("array of int to array of long", Backward, vec![rec(&[&f("a", r#"{"type": "array", "items": "int"}"#)])], rec(&[&f("a", r#"{"type": "array", "items": "long"}"#)]), true, ""),
        case("array of long to array of int", Backward, vec![rec(&[&f("a", r#"{"type": "array", "items": "long"}"#)])], rec(&[&f("a", r#"{"type": "array", "items": "int"}"#)]), false, "field `a[]` changed from long to int"),
        case("map of int to map of string", Backward, vec![rec(&[&f("a", r#"{"type": "map", "values": "int"}"#)])], rec(&[&f("a", r#"{"type": "map", "values": "string"}"#)]), false, "changed from int to string"),
        case("nested field added without default", Backward, vec![rec(&[&f("n", r#"{"type": "record", "name": "N", "fields": [{"name": "x", "type": "int"}]}"#)])], rec(&[&f("n", r#"{"type": "record", "name": "N", "fields": [{"name": "x", "type": "int"}, {"name": "y", "type": "int"}]}"#)]), false, "field `n.y` was added"),
        case("nested field added with default", Backward, vec![rec(&[&f("n", r#"{"type": "record", "name": "N", "fields": [{"name": "x", "type": "int"}]}"#)])], rec(&[&f("n", r#"{"type": "record", "name": "N", "fields": [{"name": "x", "type": "int"}, {"name": "y", "type": "int", "default": 0}]}"#)]), true, ""),
        case("record field to string", Backward, vec![rec(&[&f("n", r#"{"type": "record", "name": "N", "fields": [{"name": "x", "type": "int"}]}"#)])], rec(&[&f("n", r#""string""#)]), false, "changed from N to string"),
        case("optional field added with null default", Backward, vec![a_int()], rec(&[&f("a", r#""int""#), &fd("b", r#"["null", "string"]"#, "null")]), true, ""),
        case("int read through a union with long", Backward, vec![a_int()], rec(&[&f("a", r#"["string", "long"]"#)]), true, ""),
        case("record to a different record name in a union", Backward, vec![a_int()], r#"["null", {"type": "record", "name": "Z", "namespace": "t", "fields": [{"name": "a", "type": "int"}]}]"#.into(), false, "changed from"),
        // BACKWARD_TRANSITIVE: against every earlier version.
        case("latest only: new field default dropped", Backward, vec![a_int(), rec(&[&f("a", r#""int""#), &fd("b", r#""int""#, "0")])], rec(&[&f("a", r#""int""#), &f("b", r#""int""#)]), true, ""),
        case("transitive: new field default dropped", BackwardTransitive, vec![a_int(), rec(&[&f("a", r#""int""#), &fd("b", r#""int""#, "0")])], rec(&[&f("a", r#""int""#), &f("b", r#""int""#)]), false, "written with version 1"),
        case("transitive: widening chain", BackwardTransitive, vec![a_int(), rec(&[&f("a", r#""long""#)])], rec(&[&f("a", r#""long""#)]), true, ""),
        case("latest only: narrowing after a widening", Backward, vec![rec(&[&f("a", r#""long""#)]), a_int()], a_int(), true, ""),
        case("transitive: narrowing after a widening", BackwardTransitive, vec![rec(&[&f("a", r#""long""#)]), a_int()], a_int(), false, "changed from long to int: consumers using the new version cannot read records written with version 1"),
        case("transitive: three additions with defaults", BackwardTransitive, vec![a_int(), rec(&[&f("a", r#""int""#), &fd("b", r#""int""#, "0")]), rec(&[&f("a", r#""int""#), &fd("b", r#""int""#, "0"), &fd("c", r#""string""#, r#""""#)])], rec(&[&f("a", r#""int""#), &fd("b", r#""int""#, "0"), &fd("c", r#""string""#, r#""""#), &fd("d", r#""boolean""#, "false")]), true, ""),
        // FORWARD: consumers on the latest version read records written with the new schema.
        case("forward: add field without default", Forward, vec![a_int()], rec(&[&f("a", r#""int""#), &f("b", r#""string""#)]), true, ""),
        case("forward: remove field without default", Forward, vec![rec(&[&f("a", r#""int""#), &f("b", r#""string""#)])], a_int(), false, "field `b` was removed, and version 1 has no default for it: consumers using version 1 cannot read records written with the new version"),
        case("forward: remove field with default", Forward, vec![rec(&[&f("a", r#""int""#), &fd("b", r#""string""#, r#""""#)])], a_int(), true, ""),
        case("forward: int to long", Forward, vec![a_int()], rec(&[&f("a", r#""long""#)]), false, "changed from int to long"),
        case("forward: long to int", Forward, vec![rec(&[&f("a", r#""long""#)])], a_int(), true, ""),
        case("forward: enum gains a symbol", Forward, vec![rec(&[&enum_field(r#""A", "B""#, Option::None)])], rec(&[&enum_field(r#""A", "B", "C""#, Option::None)]), false, "gained C"),
        case("forward: enum gains a symbol, old has a default", Forward, vec![rec(&[&enum_field(r#""A", "B""#, Some("A"))])], rec(&[&enum_field(r#""A", "B", "C""#, Option::None)]), true, ""),
        case("forward: optional to required", Forward, vec![rec(&[&f("a", r#"["null", "int"]"#)])], a_int(), true, ""),
        case("forward: required to optional", Forward, vec![a_int()], rec(&[&f("a", r#"["null", "int"]"#)]), false, "can now hold null"),
        // FORWARD_TRANSITIVE.
        case("forward latest: removal allowed by the latest default", Forward, vec![rec(&[&f("a", r#""int""#), &f("b", r#""int""#)]), rec(&[&f("a", r#""int""#), &fd("b", r#""int""#, "0")])], a_int(), true, ""),
        case("forward transitive: removal refused by version 1", ForwardTransitive, vec![rec(&[&f("a", r#""int""#), &f("b", r#""int""#)]), rec(&[&f("a", r#""int""#), &fd("b", r#""int""#, "0")])], a_int(), false, "version 1 has no default"),
        case("forward transitive: additions only", ForwardTransitive, vec![a_int(), rec(&[&f("a", r#""int""#), &f("b", r#""int""#)])], rec(&[&f("a", r#""int""#), &f("b", r#""int""#), &f("c", r#""int""#)]), true, ""),
        // FULL: both directions against the latest.
        case("full: add field with default", Full, vec![a_int()], rec(&[&f("a", r#""int""#), &fd("b", r#""int""#, "0")]), true, ""),
        case("full: add field without default", Full, vec![a_int()], rec(&[&f("a", r#""int""#), &f("b", r#""int""#)]), false, "added without a default"),
        case("full: remove field with default", Full, vec![rec(&[&f("a", r#""int""#), &fd("b", r#""int""#, "0")])], a_int(), true, ""),
        case("full: remove field without default", Full, vec![rec(&[&f("a", r#""int""#), &f("b", r#""int""#)])], a_int(), false, "was removed"),
        case("full: int to long", Full, vec![a_int()], rec(&[&f("a", r#""long""#)]), false, "changed from int to long"),
        case("full: add optional field", Full, vec![a_int()], rec(&[&f("a", r#""int""#), &fd("b", r#"["null", "string"]"#, "null")]), true, ""),
        // FULL_TRANSITIVE.
        case("full transitive: defaults all along", FullTransitive, vec![a_int(), rec(&[&f("a", r#""int""#), &fd("b", r#""int""#, "0")])], rec(&[&f("a", r#""int""#), &fd("b", r#""int""#, "0"), &fd("c", r#""string""#, r#""""#)]), true, ""),
        case("full latest: removal with the latest default", Full, vec![rec(&[&f("a", r#""int""#), &f("x", r#""int""#)]), rec(&[&f("a", r#""int""#), &fd("x", r#""int""#, "0")])], a_int(), true, ""),
        case("full transitive: removal refused by version 1", FullTransitive, vec![rec(&[&f("a", r#""int""#), &f("x", r#""int""#)]), rec(&[&f("a", r#""int""#), &fd("x", r#""int""#, "0")])], a_int(), false, "version 1 has no default"),
        // NONE: anything goes.
        case("none: int to string", CompatibilityLevel::None, vec![a_int()], rec(&[&f("a", r#""string""#)]), true, ""),
        case("none: unrelated record", CompatibilityLevel::None, vec![a_int()], rec_named("Other", &[&f("z", r#""boolean""#)]), true, ""),
        case("backward: no previous version", Backward, vec![], a_int(), true, ""),
        // Recursive types terminate.
        case("recursive list gains an optional field", Backward, vec![s(r#"{"type": "record", "name": "Node", "fields": [{"name": "v", "type": "int"}, {"name": "next", "type": ["null", "Node"], "default": null}]}"#)], s(r#"{"type": "record", "name": "Node", "fields": [{"name": "v", "type": "int"}, {"name": "next", "type": ["null", "Node"], "default": null}, {"name": "w", "type": "int", "default": 0}]}"#), true, ""),
        // Logical types follow their underlying type.
        case("timestamp-millis to plain long", Backward, vec![rec(&[&f("t", r#"{"type": "long", "logicalType": "timestamp-millis"}"#)])], rec(&[&f("t", r#""long""#)]), true, ""),
    ]
}

#[test]
fn sixty_avro_compatibility_cases_with_the_local_engine() {
    // Verifies the local engine against a table of Avro evolutions across all seven levels, including transitive chains, and that each incompatibility is explained in the expected words.
    let table = cases();
    assert!(table.len() >= 60, "the table has {} cases", table.len());
    for c in &table {
        let previous: Vec<AvroSchema> = c.previous.iter().map(|p| AvroSchema::parse(p).unwrap()).collect();
        let labelled: Vec<(u32, &AvroSchema)> = previous.iter().enumerate().map(|(i, s)| (i as u32 + 1, s)).collect();
        let new = AvroSchema::parse(&c.new).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let v = check(c.level, &labelled, &new);
        assert_eq!(v.is_compatible(), c.compatible, "{} ({}): {:#?}", c.name, c.level, v.issues);
        if !c.compatible {
            assert!(v.issues[0].message.contains(c.says), "{}: `{}` lacks `{}`", c.name, v.issues[0].message, c.says);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_registry_agrees_with_the_local_engine() {
    // Verifies each table case against the sandbox registry over HTTP, as Confluent's registry decides it (the table's expectations): previous versions registered in a fresh subject at NONE, the level set, then the registry's compatibility check (against the versions the level names) and the registration itself (accepted means compatible, 409 incompatible; a schema that is already one of the subject's versions is that version again, as Confluent answers).
    let t = sandbox(false).await;
    let registry = RegistryClient::new(&t.sandbox.registry_url(), Option::None).unwrap();
    let mut disagreements = Vec::new();
    for c in cases() {
        let subject = unique("it.compat") + "-value";
        registry.set_compatibility(&subject, CompatibilityLevel::None).await.unwrap();
        for p in &c.previous {
            registry.register(&subject, p, SchemaFormat::Avro).await.unwrap();
        }
        registry.set_compatibility(&subject, c.level).await.unwrap();
        let check = registry.check_against_level(&subject, &c.new, SchemaFormat::Avro).await.unwrap();
        if check.is_compatible != c.compatible {
            disagreements.push(format!("{} (compatibility check: {:?})", c.name, check.messages));
        }
        let existing = registry.lookup(&subject, &c.new, SchemaFormat::Avro).await.unwrap();
        let registry_says = match registry.register(&subject, &c.new, SchemaFormat::Avro).await {
            Ok(_) => true,
            Err(RegistryError::Incompatible { .. }) => false,
            Err(e) => panic!("{}: {e}", c.name),
        };
        if registry_says != (c.compatible || existing.is_some()) {
            disagreements.push(format!("{} (registration)", c.name));
        }
    }
    assert!(disagreements.is_empty(), "cases where the registry decided differently: {disagreements:?}");
}

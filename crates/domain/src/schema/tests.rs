use super::avro::AvroSchema;
use super::diff::{FieldChange, diff};
use super::json::Pos;

/// (schema, line, column, words the message must contain)
const MALFORMED: &[(&str, u32, u32, &str)] = &[
    // 1. JSON syntax: a trailing comma.
    ("{\"type\": \"record\", \"name\": \"R\", \"fields\": [],}", 1, 46, "comma before `}`"),
    // 2. An unclosed object.
    ("{\"type\": \"record\",\n \"name\": \"R\"", 2, 13, "not closed"),
    // 3. An unknown type, on the line it is used.
    (
        "{\"type\": \"record\", \"name\": \"R\", \"fields\": [\n  {\"name\": \"q\", \"type\": \"integer\"}\n]}",
        2,
        25,
        "unknown type `integer`",
    ),
    // 4. A record without fields.
    ("{\n  \"type\": \"record\",\n  \"name\": \"R\"\n}", 1, 1, "needs \"fields\""),
    // 5. A field without a type.
    (
        "{\"type\": \"record\", \"name\": \"R\", \"fields\": [\n  {\"name\": \"q\"}\n]}",
        2,
        3,
        "field `q` needs a \"type\"",
    ),
    // 6. A default of the wrong type.
    (
        "{\"type\": \"record\", \"name\": \"R\", \"fields\": [\n  {\"name\": \"q\", \"type\": \"int\", \"default\": \"zero\"}\n]}",
        2,
        43,
        "default of field `q`",
    ),
    // 7. A union default that does not match the first branch.
    (
        "{\"type\": \"record\", \"name\": \"R\", \"fields\": [\n  {\"name\": \"p\", \"type\": [\"null\", \"string\"], \"default\": \"x\"}\n]}",
        2,
        56,
        "first type, null",
    ),
    // 8. Duplicate enum symbols.
    ("{\"type\": \"enum\", \"name\": \"E\",\n \"symbols\": [\"A\", \"B\", \"A\"]}", 2, 24, "lists `A` twice"),
    // 9. An invalid name.
    ("{\"type\": \"record\", \"name\": \"9Lives\", \"fields\": []}", 1, 28, "not a valid name"),
    // 10. Two fields with one name.
    (
        "{\"type\": \"record\", \"name\": \"R\", \"fields\": [\n {\"name\": \"a\", \"type\": \"int\"},\n {\"name\": \"a\", \"type\": \"long\"}\n]}",
        3,
        11,
        "two fields named `a`",
    ),
    // 11. A union listing a type twice.
    ("[\"null\", \"string\",\n \"null\"]", 2, 2, "lists `null` twice"),
    // 12. A decimal with scale above precision.
    (
        "{\"type\": \"bytes\", \"logicalType\": \"decimal\", \"precision\": 4,\n \"scale\": 6}",
        2,
        2,
        "larger than \"precision\"",
    ),
    // 13. A fixed without a size.
    ("{\"type\": \"fixed\", \"name\": \"F\"}", 1, 1, "needs a \"size\""),
    // 14. A number where a type belongs.
    ("{\"type\": \"array\", \"items\": 42}", 1, 28, "not a number"),
];

#[test]
fn malformed_schemas_are_reported_at_their_line_and_column() {
    for (i, (text, line, column, words)) in MALFORMED.iter().enumerate() {
        let e = AvroSchema::parse(text).expect_err(&format!("case {} must fail", i + 1));
        assert_eq!(e.pos, Pos { line: *line, column: *column }, "case {}: {e}", i + 1);
        assert!(e.message.contains(words), "case {}: `{}` lacks `{words}`", i + 1, e.message);
    }
}

#[test]
fn the_seed_schemas_parse() {
    for s in [crate::seed::STOCK_LEVEL_UPDATED, crate::seed::ORDER_PLACED, crate::seed::PROFILE_UPDATED] {
        let schema = AvroSchema::parse(s).unwrap();
        assert!(schema.root_record().is_some());
    }
}

#[test]
fn recursive_and_namespaced_types_resolve() {
    let s = AvroSchema::parse(
        r#"{"type": "record", "name": "Node", "namespace": "a.b", "fields": [
            {"name": "value", "type": "int"},
            {"name": "next", "type": ["null", "Node"], "default": null},
            {"name": "tag", "type": {"type": "enum", "name": "Tag", "symbols": ["X", "Y"]}},
            {"name": "again", "type": "a.b.Tag"}
        ]}"#,
    )
    .unwrap();
    assert_eq!(s.named.iter().map(|n| n.fullname.as_str()).collect::<Vec<_>>(), ["a.b.Node", "a.b.Tag"]);
    assert_eq!(s.describe(&s.root_record().unwrap().1[1].ty), "null | Node");
}

#[test]
fn diffs_name_every_kind_of_field_change() {
    let old = AvroSchema::parse(
        r#"{"type": "record", "name": "R", "fields": [
            {"name": "id", "type": "string", "doc": "The id."},
            {"name": "qty", "type": "int", "default": 0},
            {"name": "sku", "type": "string"},
            {"name": "gone", "type": "boolean"},
            {"name": "addr", "type": {"type": "record", "name": "A", "fields": [{"name": "city", "type": "string"}]}}
        ]}"#,
    )
    .unwrap();
    let new = AvroSchema::parse(
        r#"{"type": "record", "name": "R", "fields": [
            {"name": "id", "type": "string", "doc": "The order's id."},
            {"name": "qty", "type": "long", "default": 1},
            {"name": "productId", "type": "string", "aliases": ["sku"]},
            {"name": "note", "type": ["null", "string"], "default": null},
            {"name": "addr", "type": {"type": "record", "name": "A", "fields": [
                {"name": "city", "type": "string"}, {"name": "zip", "type": "string", "default": ""}]}}
        ]}"#,
    )
    .unwrap();
    let changes = diff(&old, &new);
    let expected = vec![
        FieldChange::DocChanged { path: "id".into(), from: Some("The id.".into()), to: Some("The order's id.".into()) },
        FieldChange::TypeChanged { path: "qty".into(), from: "int".into(), to: "long".into() },
        FieldChange::DefaultChanged { path: "qty".into(), from: Some("0".into()), to: Some("1".into()) },
        FieldChange::Renamed { from: "sku".into(), to: "productId".into() },
        FieldChange::Added { path: "note".into(), ty: "null | string".into() },
        FieldChange::Added { path: "addr.zip".into(), ty: "string".into() },
        FieldChange::Removed { path: "gone".into(), ty: "boolean".into() },
    ];
    assert_eq!(changes, expected);
}

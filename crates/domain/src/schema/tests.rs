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

mod other_formats {
    use crate::model::{CompatibilityLevel, SchemaFormat};
    use crate::schema::json::Pos;
    use crate::schema::{ParsedSchema, check_messages};

    fn err_at(format: SchemaFormat, text: &str) -> (Pos, String) {
        let e = ParsedSchema::parse(format, text).expect_err("must fail");
        (e.pos, e.message)
    }

    #[test]
    fn json_schema_mistakes_are_reported_at_their_line_and_column() {
        let (pos, msg) =
            err_at(SchemaFormat::Json, "{\"type\": \"object\",\n \"properties\": {\"q\": {\"type\": \"int\"}}}");
        assert_eq!(
            (pos, msg.contains("`int` is not a JSON Schema type")),
            (Pos { line: 2, column: 31 }, true),
            "{msg}"
        );
        let (pos, msg) = err_at(SchemaFormat::Json, "{\"required\": \"q\"}");
        assert_eq!(pos, Pos { line: 1, column: 14 });
        assert!(msg.contains("array of property names"), "{msg}");
        let (pos, _) = err_at(SchemaFormat::Json, "{\"maxLength\": -1}");
        assert_eq!(pos, Pos { line: 1, column: 15 });
        let (pos, msg) = err_at(SchemaFormat::Json, "{\"type\": \"object\",}");
        assert_eq!((pos.line, pos.column), (1, 19), "{msg}");
    }

    #[test]
    fn protobuf_mistakes_are_reported_at_their_line_and_column() {
        let (pos, msg) = err_at(SchemaFormat::Protobuf, "syntax = \"proto3\";\nmessage M {\n  int32 a = 1\n}");
        assert_eq!(pos.line, 4, "a missing `;` is found at the next token: {msg}");
        let (pos, msg) =
            err_at(SchemaFormat::Protobuf, "syntax = \"proto3\";\nmessage M {\n  int32 a = 1;\n  string b = 1;\n}");
        assert_eq!((pos, msg.as_str()), (Pos { line: 4, column: 3 }, "field number 1 is used twice in message M"));
        let (pos, msg) = err_at(SchemaFormat::Protobuf, "syntax = \"proto3\";\nmessage M {\n  Adress home = 1;\n}");
        assert_eq!(pos, Pos { line: 3, column: 3 });
        assert!(msg.contains("unknown type `Adress`"), "{msg}");
        let (_, msg) = err_at(SchemaFormat::Protobuf, "syntax = \"proto3\";\nmessage M { int32 a = 19001; }");
        assert!(msg.contains("reserved by Protobuf"), "{msg}");
    }

    fn verdict(format: SchemaFormat, level: CompatibilityLevel, old: &str, new: &str) -> Vec<String> {
        let o = ParsedSchema::parse(format, old).unwrap();
        let n = ParsedSchema::parse(format, new).unwrap();
        check_messages(level, &[(1, &o)], &n)
    }

    #[test]
    fn json_schema_rules() {
        use CompatibilityLevel::*;
        let j = SchemaFormat::Json;
        let closed = r#"{"type": "object", "properties": {"q": {"type": "integer"}}, "additionalProperties": false}"#;
        // Widening integer to number reads every old document; narrowing does not.
        assert!(verdict(j, Backward, closed, &closed.replace("integer", "number")).is_empty());
        let v = verdict(j, Backward, &closed.replace("integer", "number"), closed);
        assert_eq!(
            v,
            [
                "`q` changed from number to integer: consumers using the new version cannot read records written with version 1"
            ]
        );
        // A property made required.
        let req = closed.replace(r#""additionalProperties""#, r#""required": ["q"], "additionalProperties""#);
        assert!(verdict(j, Backward, closed, &req)[0].contains("`q` became required"));
        // Adding to a closed model is fine; to an open one it is not (old documents may carry it).
        let added =
            closed.replace(r#"{"q": {"type": "integer"}}"#, r#"{"q": {"type": "integer"}, "r": {"type": "string"}}"#);
        assert!(verdict(j, Backward, closed, &added).is_empty());
        let open = closed.replace(r#", "additionalProperties": false"#, "");
        let open_added = added.replace(r#", "additionalProperties": false"#, "");
        assert!(verdict(j, Backward, &open, &open_added)[0].contains("`r` was added to an open object"));
        // Removing from a closed model refuses old documents; FORWARD reads the other way round.
        assert!(verdict(j, Backward, &added, closed)[0].contains("`r` was removed from a closed object"));
        assert!(verdict(j, Forward, closed, &added)[0].contains("`r` was removed from a closed object"));
        // Tightened bounds and removed enum values.
        let s = |x: &str| format!(r#"{{"type": "string", {x}}}"#);
        assert!(
            verdict(j, Backward, &s(r#""maxLength": 10"#), &s(r#""maxLength": 5"#))[0]
                .contains("`maxLength` tightened from 10 to 5")
        );
        assert!(
            verdict(j, Backward, &s(r#""enum": ["a", "b"]"#), &s(r#""enum": ["a"]"#))[0]
                .contains("no longer allows \"b\"")
        );
        assert!(verdict(j, Full, closed, closed).is_empty());
    }

    #[test]
    fn protobuf_rules() {
        use CompatibilityLevel::*;
        let p = SchemaFormat::Protobuf;
        let base = "syntax = \"proto3\";\npackage shop;\nmessage Order {\n  string id = 1;\n  int32 qty = 2;\n  repeated string lines = 3;\n}";
        // Wire-compatible widening, renames, added and removed fields are fine.
        assert!(verdict(p, Full, base, &base.replace("int32 qty", "int64 qty")).is_empty());
        assert!(verdict(p, Full, base, &base.replace("int32 qty", "int32 quantity")).is_empty());
        assert!(verdict(p, Full, base, &base.replace("}", "  string note = 4;\n}")).is_empty());
        assert!(verdict(p, Full, base, &base.replace("  repeated string lines = 3;\n", "")).is_empty());
        // Breaking changes.
        let v = verdict(p, Backward, base, &base.replace("int32 qty", "string qty"));
        assert_eq!(
            v,
            [
                "`shop.Order.qty` changed from int32 to string: consumers using the new version cannot read records written with version 1"
            ]
        );
        assert!(
            verdict(p, Forward, base, &base.replace("repeated string lines", "string lines"))[0]
                .contains("changed from repeated to single")
        );
        assert!(
            verdict(p, Backward, base, &base.replace("package shop", "package store"))[0].contains("package changed")
        );
        let two = base.replace("}", "}\nmessage Line { string sku = 1; }");
        assert!(verdict(p, Backward, &two, base)[0].contains("`shop.Line` message was removed"));
        let oneof = base.replace("  int32 qty = 2;\n", "  oneof amount { int32 qty = 2; }\n");
        assert!(verdict(p, Backward, base, &oneof)[0].contains("moved into a oneof"));
        let nested = "syntax = \"proto3\";\nmessage A { B b = 1; message B { int32 x = 1; } }";
        assert!(
            verdict(p, Backward, nested, &nested.replace("int32 x", "sint32 x"))[0]
                .contains("`A.B.x` changed from int32 to sint32")
        );
    }
}

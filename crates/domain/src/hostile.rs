//! Properties over hostile input, bounded so they run in the normal suite (the `fuzz/` targets
//! run the same entry points without bounds): parsing a schema of any format, decoding an
//! envelope and interpreting its payload, walking an Avro datum and splitting the wire format
//! never panic, never loop, and answer with a value or a reason.

use proptest::prelude::*;

use crate::schema::datum::{SAMPLE_LIMITS, check_datum};
use crate::schema::{AvroSchema, ParsedSchema};
use crate::{Envelope, SchemaFormat};

/// Text shaped like schemas: JSON-ish and proto-ish punctuation, keywords and noise.
fn schema_like() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(",".to_owned()),
        Just(":".to_owned()),
        Just("\"type\"".to_owned()),
        Just("\"record\"".to_owned()),
        Just("\"fields\"".to_owned()),
        Just("\"name\"".to_owned()),
        Just("\"array\"".to_owned()),
        Just("\"items\"".to_owned()),
        Just("\"properties\"".to_owned()),
        Just("message".to_owned()),
        Just("syntax = \"proto3\";".to_owned()),
        Just("int32 x = 1;".to_owned()),
        "[a-z]{1,6}".prop_map(|s| format!("\"{s}\"")),
        "-?[0-9]{1,20}".prop_map(|s| s),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    proptest::collection::vec(token, 0..60).prop_map(|t| t.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn schema_parsers_answer_anything_without_panicking(text in schema_like(), raw in ".{0,200}") {
        for format in [SchemaFormat::Avro, SchemaFormat::Json, SchemaFormat::Protobuf] {
            let _ = ParsedSchema::parse(format, &text);
            let _ = ParsedSchema::parse(format, &raw);
        }
    }

    #[test]
    fn envelopes_decode_or_say_why(bytes in proptest::collection::vec(any::<u8>(), 0..400), text in ".{0,300}") {
        for b in [bytes.as_slice(), text.as_bytes()] {
            if let Ok(env) = Envelope::from_bytes(b) {
                let _ = env.decode();
                let _ = crate::trust::keys::canonical_bytes(&env);
            }
        }
    }

    #[test]
    fn avro_datums_are_walked_within_limits(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let schema = AvroSchema::parse(
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":["null","string",{"type":"map","values":"long"}]}},{"name":"f","type":{"type":"fixed","name":"F","size":3}}]}"#,
        ).unwrap();
        if let Ok(n) = check_datum(&schema, &bytes, SAMPLE_LIMITS) {
            prop_assert!(n <= bytes.len());
        }
        let _ = crate::wire::decode(&bytes);
    }
}

#[test]
fn a_protobuf_number_with_leading_zeros_is_an_error_not_a_crash() {
    // Verifies the case the property found: protox-parse asserted on `008` in debug builds; the schema is now refused with a reason.
    let r = ParsedSchema::parse(SchemaFormat::Protobuf, "syntax = \"proto3\";\nmessage M { int32 x = 008; }");
    assert!(r.is_err());
}

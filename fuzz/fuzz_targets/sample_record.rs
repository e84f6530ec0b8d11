//! Any record value sampled from a topic: split from the Confluent wire format and walked as a
//! datum of a schema with every kind of type, within the sampling limits.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meshdesk_domain::schema::AvroSchema;
use meshdesk_domain::schema::datum::{SAMPLE_LIMITS, check_datum};

const SCHEMA: &str = r#"{"type":"record","name":"R","fields":[
  {"name":"s","type":"string"},{"name":"b","type":"bytes"},{"name":"d","type":"double"},
  {"name":"u","type":["null","int",{"type":"enum","name":"E","symbols":["A","B"]}]},
  {"name":"a","type":{"type":"array","items":{"type":"map","values":"long"}}},
  {"name":"f","type":{"type":"fixed","name":"F","size":4}},
  {"name":"next","type":["null","R"]}]}"#;

fuzz_target!(|data: &[u8]| {
    let schema = AvroSchema::parse(SCHEMA).expect("the fuzz schema parses");
    let payload = meshdesk_domain::wire::decode(data).map(|(_, p)| p).unwrap_or(data);
    if let Ok(n) = check_datum(&schema, payload, SAMPLE_LIMITS) {
        assert!(n <= payload.len());
    }
});

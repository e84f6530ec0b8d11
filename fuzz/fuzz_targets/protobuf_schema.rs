//! Any text pasted as a Protobuf schema: parsed (and checked against itself) or refused with a reason.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meshdesk_domain::SchemaFormat;
use meshdesk_domain::schema::{ParsedSchema, check_messages};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(s) = ParsedSchema::parse(SchemaFormat::Protobuf, text)
    {
        let _ = check_messages(meshdesk_domain::CompatibilityLevel::FullTransitive, &[(1, &s)], &s);
    }
});

//! The local schema engine: parsing with line and column, compatibility at the registry's seven
//! levels, and field-level diffs. Pure, so it runs in the browser (live checks) and natively.
//!
//! Written by hand rather than on `apache-avro`: its parse errors carry no position for semantic
//! mistakes (an unknown type, a bad default) and its compatibility check does not say which field
//! broke or why; here both are the point.

pub mod any;
pub mod avro;
pub mod compat;
pub mod datum;
pub mod diff;
pub mod json;
pub mod jsonschema;
pub mod protobuf;

pub use any::{ParsedSchema, check_messages};
pub use avro::{AvroSchema, SchemaError};
pub use compat::{Direction, Issue, Verdict, check};
pub use json::Pos;

#[cfg(test)]
mod tests;

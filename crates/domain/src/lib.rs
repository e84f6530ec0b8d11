//! Meshdesk's domain model. This crate does no IO and compiles for wasm32, so the same rules
//! run in the browser (live checks) and in the backend (enforcement).
// Unit tests read as one story each: the 80-line bound is for the code they test.
#![cfg_attr(test, allow(clippy::too_many_lines))]
#![warn(missing_docs)]

pub mod access;
pub mod change;
pub mod error;
pub mod events;
pub mod export;
pub mod health;
pub mod ids;
pub mod import;
pub mod lineage;
pub mod live_quality;
pub mod metrics;
pub mod model;
pub mod plan;
pub mod policy;
pub mod promote;
pub mod schema;
pub mod seed;
pub mod time;
pub mod trust;
pub mod wire;

#[cfg(test)]
mod hostile;

pub use error::{Checked, Invalid};
pub use events::{Decoded, Envelope, EventBody, GOVERNANCE_TOPIC, MAX_EVENT_BYTES};
pub use ids::{DomainId, IdError, ProductId, TopicName, subject_for};
pub use model::{
    Classification, CleanupPolicy, CompatibilityLevel, Contract, DataProduct, Domain, Expectation, FieldSemantics,
    MASK, OutputPort, PortDeprecation, Principal, ProductStatus, SchemaFormat, SchemaRef, Sla, Source, SourceKind,
    looks_like_pii, mask_pii,
};

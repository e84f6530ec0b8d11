//! The Kafka layer: the only crate that knows rdkafka. Every rdkafka error and per-item admin
//! result is mapped here, once, into the outcomes below.

mod admin;
mod context;
mod error;
mod probe;
mod producer;
mod profile;
mod reader;

pub use admin::{Admin, TopicInfo, TopicOutcome, TopicSpec};
pub use error::KafkaError;
pub use probe::{ProbeOutcome, probe};
pub use producer::Producer;
pub use profile::KafkaProfile;
pub use reader::{Record, Watermarks, read_partition, watermarks};

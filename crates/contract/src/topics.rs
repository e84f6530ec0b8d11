//! Topics: live metrics and samples.

use serde::{Deserialize, Serialize};

/// Names a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicRequest {
    /// The topic's name.
    pub topic: String,
}

/// A topic's write rate at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatePoint {
    /// When, in ms since the epoch.
    pub at_ms: i64,
    /// Records per second.
    pub per_sec: f64,
}

/// A consumer group's lag on a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupLag {
    /// The consumer group.
    pub group: String,
    /// Records written but not yet committed by the group, over all partitions.
    pub lag: i64,
    /// How many of the topic's partitions it has committed on.
    pub partitions: usize,
}

/// A topic's live metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicMetrics {
    /// The topic's name.
    pub topic: String,
    /// Records per second over the last `window_secs` (from end-offset deltas); `None` until
    /// two snapshots exist.
    pub records_per_sec: Option<f64>,
    /// The span `records_per_sec` is measured over, in seconds.
    pub window_secs: u32,
    /// The rate over time, oldest first.
    pub series: Vec<RatePoint>,
    /// The end offsets of all partitions, summed.
    pub end_offset: i64,
    /// Milliseconds since the newest record's timestamp; `None` for an empty topic.
    pub newest_record_age_ms: Option<i64>,
    /// Each consumer group's lag on the topic.
    pub consumer_lag: Vec<GroupLag>,
}

/// Asks for the newest records of a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleRequest {
    /// The topic's name.
    pub topic: String,
    /// How many records, at most.
    pub count: u32,
}

/// A record's value as shown: decoded through the registry, or raw when it is not in the
/// Confluent wire format (or its format cannot be decoded here), never dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SampleValue {
    /// Decoded through the registry's schema.
    Decoded {
        /// The registry's schema id from the wire header.
        schema_id: u32,
        /// The schema's format, e.g. `AVRO`.
        format: String,
        /// The value as JSON.
        json: serde_json::Value,
    },
    /// Not decoded: the bytes as they are.
    Raw {
        /// The schema id, when the value has the wire header.
        schema_id: Option<u32>,
        /// The bytes as text, when they are UTF-8.
        text: Option<String>,
        /// The first 512 bytes in hex.
        hex: String,
        /// Why it was not decoded, for people.
        note: String,
    },
    /// A record without a value (a tombstone).
    Null,
}

/// One record of a topic, for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleRecord {
    /// Its partition.
    pub partition: i32,
    /// Its offset in the partition.
    pub offset: i64,
    /// Its timestamp, in ms since the epoch.
    pub timestamp_ms: Option<i64>,
    /// Its key as text.
    pub key: Option<String>,
    /// Its value.
    pub value: SampleValue,
}

//! Topics: live metrics and samples.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicRequest {
    pub topic: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatePoint {
    pub at_ms: i64,
    pub per_sec: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupLag {
    pub group: String,
    /// Records written but not yet committed by the group, over all partitions.
    pub lag: i64,
    pub partitions: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicMetrics {
    pub topic: String,
    /// Records per second over the last `window_secs` (from end-offset deltas); `None` until
    /// two snapshots exist.
    pub records_per_sec: Option<f64>,
    pub window_secs: u32,
    pub series: Vec<RatePoint>,
    pub end_offset: i64,
    /// Milliseconds since the newest record's timestamp; `None` for an empty topic.
    pub newest_record_age_ms: Option<i64>,
    pub consumer_lag: Vec<GroupLag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleRequest {
    pub topic: String,
    pub count: u32,
}

/// A record's value as shown: decoded through the registry, or raw when it is not in the
/// Confluent wire format (or its format cannot be decoded here), never dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SampleValue {
    Decoded { schema_id: u32, format: String, json: serde_json::Value },
    Raw { schema_id: Option<u32>, text: Option<String>, hex: String, note: String },
    Null,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleRecord {
    pub partition: i32,
    pub offset: i64,
    pub timestamp_ms: Option<i64>,
    pub key: Option<String>,
    pub value: SampleValue,
}

//! The environment's status, sync, settings and parked writes: the top bar and the Settings page.

use serde::{Deserialize, Serialize};

/// Whether an endpoint answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeState {
    /// Not asked yet (the sandbox is starting).
    Starting,
    /// It answered.
    Up,
    /// It did not answer.
    Down,
}

/// Whether one endpoint answered, and why not if it did not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    /// Whether it answered.
    pub state: ProbeState,
    /// For people: "3 topics, 1 broker" or "connection refused at 127.0.0.1:9092".
    pub detail: String,
    /// How long the answer took.
    pub latency_ms: Option<u64>,
}

/// The cluster's brokers and partitions as the last probe saw them (of the topics this desktop
/// may see).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterHealth {
    /// Broker ids answering.
    pub brokers_up: Vec<i32>,
    /// Broker ids named as replicas that are not answering.
    pub brokers_away: Vec<i32>,
    /// Partitions with fewer in-sync replicas than replicas.
    pub under_replicated: u32,
    /// Partitions without a leader: nobody can read or write them.
    pub offline: u32,
    /// Topics with such a partition, sorted, at most ten.
    pub topics_affected: Vec<String>,
}

impl ClusterHealth {
    /// Whether a broker is away or a partition is under-replicated or offline.
    pub fn degraded(&self) -> bool {
        !self.brokers_away.is_empty() || self.under_replicated > 0 || self.offline > 0
    }
}

/// What kind of environment the window runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvironmentKind {
    /// The embedded local sandbox.
    Sandbox,
    /// A cluster described by a config file.
    Cluster,
}

/// Where the governance log's sync stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncInfo {
    /// Events applied from the governance log so far (its next offset).
    pub next_offset: i64,
    /// Milliseconds since the epoch of the last successful sync.
    pub at_ms: i64,
}

/// The environment as the top bar shows it: its endpoints, sync and writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentStatus {
    /// The environment's name.
    pub name: String,
    /// The sandbox or a configured cluster.
    pub kind: EnvironmentKind,
    /// The Kafka bootstrap servers.
    pub bootstrap_servers: String,
    /// The Schema Registry's URL.
    pub registry_url: String,
    /// Whether the brokers answer.
    pub broker: Probe,
    /// Set when the broker answered.
    #[serde(default)]
    pub cluster: Option<ClusterHealth>,
    /// Whether the registry answers.
    pub registry: Probe,
    /// The last successful sync; `None` before the first.
    pub last_sync: Option<SyncInfo>,
    /// The last error of the background sync, if the last attempt failed.
    pub sync_error: Option<String>,
    /// Governance events written here and not yet acknowledged by the cluster.
    pub pending_writes: i64,
    /// Writes the cluster refused for good, waiting for their author: retry or discard.
    #[serde(default)]
    pub parked_writes: Vec<ParkedWrite>,
    /// Why the local cache was rebuilt from the governance log, if it was (another cluster, a
    /// truncated or re-created log).
    #[serde(default)]
    pub cache_notice: Option<String>,
    /// Why the oldest pending write has not gone out yet, if an attempt failed.
    pub pending_error: Option<String>,
}

// Sync

/// What a sync of the governance log did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    /// Records the fold applied.
    pub applied: u64,
    /// Records read that the fold did not apply.
    pub skipped: u64,
    /// The log's offset the next sync reads from.
    pub next_offset: i64,
}

// Settings

/// What the Settings page shows about this app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    /// The app's version.
    pub version: String,
    /// The folder the app keeps its data in.
    pub data_dir: String,
    /// The local cache's file.
    pub cache_path: String,
    /// Where the environment came from: "embedded sandbox" or the config file's path.
    pub environment_source: String,
    /// The governance log's topic.
    pub governance_topic: String,
    /// librdkafka properties in effect, secrets masked.
    pub kafka_properties: Vec<(String, String)>,
}

// Writes the cluster refused for good

/// A write the cluster refused for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedWrite {
    /// The refused event's id.
    pub event_id: String,
    /// The event's type, e.g. `ProductPublished`.
    pub kind: String,
    /// Why the cluster refused it.
    pub reason: String,
    /// When it was parked, in ms since the epoch.
    pub parked_at_ms: i64,
}

/// What to do with a parked write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedAction {
    /// The parked event's id.
    pub event_id: String,
    /// `true`: send it again (after the cause was fixed); `false`: discard it for good.
    pub retry: bool,
}

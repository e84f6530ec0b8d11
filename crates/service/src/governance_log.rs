//! The governance log as this desktop reads it: the topic checked (created when missing, its
//! shape verified), the cache's identity checked against the cluster and the log (rebuilt when
//! either changed), and the fold that reads and applies it.

use meshdesk_contract as c;
use meshdesk_domain::Envelope;
use meshdesk_kafka::PartitionReader;

use meshdesk_store::{LogRecord, NotAnEvent};

use crate::{Connection, EnvSource, Meshdesk, Notice, ServiceError};

impl Meshdesk {
    /// Creates the governance topic if the cluster does not have it yet (first use): one
    /// partition for a total order, records kept forever, the broker's replication factor.
    pub(crate) async fn ensure_governance_topic(&self, conn: &Connection) -> Result<(), ServiceError> {
        use std::sync::atomic::Ordering;
        if self.log.governance_ready.load(Ordering::Relaxed) {
            return Ok(());
        }
        let admin = conn.admin()?;
        let exists = admin.list_topics(true).await?.iter().any(|t| t.name == conn.governance_topic);
        if !exists {
            let spec = meshdesk_kafka::TopicSpec {
                name: conn.governance_topic.clone(),
                partitions: 1,
                replication_factor: if matches!(self.source, EnvSource::Sandbox { .. }) { 1 } else { -1 },
                configs: meshdesk_domain::events::GOVERNANCE_TOPIC_CONFIGS
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            };
            for (name, outcome) in admin.create_topics(&[spec]).await? {
                if let meshdesk_kafka::TopicOutcome::Failed { reason } = outcome {
                    return Err(ServiceError::Kafka(meshdesk_kafka::KafkaError::Refused(format!(
                        "creating the governance topic {name}: {reason}"
                    ))));
                }
            }
            tracing::info!("created the governance topic {}", conn.governance_topic);
        } else {
            // Its shape decides whether every event is seen: checked, never assumed.
            let d = admin.describe_topic(&conn.governance_topic).await?;
            let configs: std::collections::BTreeMap<String, String> =
                d.configs.iter().filter_map(|c| Some((c.name.clone(), c.value.clone()?))).collect();
            let problems = meshdesk_domain::events::governance_topic_problems(
                &conn.governance_topic,
                d.partitions.len(),
                &configs,
            );
            if !problems.is_empty() {
                return Err(ServiceError::Invalid(problems.join("; ")));
            }
            if let Some(isr) = configs.get("min.insync.replicas") {
                tracing::info!("governance topic {}: min.insync.replicas={isr}", conn.governance_topic);
            }
        }
        self.check_cache_identity(conn, &admin).await?;
        self.log.governance_ready.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Whether this cache was folded from this cluster and this log: a cache that meets another
    /// cluster, or a log that was truncated or re-created, is folded again from the start (and
    /// the status says why).
    async fn check_cache_identity(&self, conn: &Connection, admin: &meshdesk_kafka::Admin) -> Result<(), ServiceError> {
        let topic = &conn.governance_topic;
        let cluster = admin.describe_cluster().await?.cluster_id;
        let mut reasons = Vec::new();
        if let Some(old) = self.store.identity("cluster_id").await?
            && old != cluster
        {
            reasons.push(format!("the environment now points at cluster {cluster}, not {old}"));
        }
        let next = self.store.next_offset(topic).await?;
        if reasons.is_empty() && next > 0 {
            let w = meshdesk_kafka::watermarks(&conn.kafka, topic, 0).await?;
            if w.high < next {
                reasons.push(format!(
                    "the governance log ends at {} but {next} records were folded: it was truncated or re-created",
                    w.high
                ));
            } else if w.low > next - 1 {
                reasons.push(format!(
                    "records already folded (up to offset {}) were deleted from the governance log",
                    next - 1
                ));
            } else {
                let theirs = meshdesk_kafka::read_partition(&conn.kafka, topic, 0, next - 1, 1).await?;
                let theirs = theirs.first().map(|r| {
                    r.value
                        .as_deref()
                        .and_then(|v| Envelope::from_bytes(v).ok())
                        .map(|e| e.id)
                        .unwrap_or_else(|| format!("invalid@{}", r.offset))
                });
                let ours = self.store.event_id_at(topic, next - 1).await?;
                if ours.is_some() && theirs != ours {
                    reasons.push(format!(
                        "the record at offset {} is not the one folded here: the governance log was re-created",
                        next - 1
                    ));
                }
            }
        }
        if !reasons.is_empty() {
            self.rebuild_cache(&reasons.join("; ")).await?;
        }
        self.store.set_identity("cluster_id", &cluster).await?;
        Ok(())
    }

    async fn rebuild_cache(&self, why: &str) -> Result<(), ServiceError> {
        tracing::warn!("rebuilding the cache: {why}");
        self.store.reset_folded().await?;
        *self.log.cache_notice.lock().expect("cache notice lock") =
            Some(format!("The local cache was rebuilt from the governance log: {why}."));
        self.notify(Notice::CatalogChanged);
        Ok(())
    }

    pub(crate) async fn sync_inner(&self, conn: &Connection, batch: usize) -> Result<c::SyncReport, ServiceError> {
        self.ensure_governance_topic(conn).await?;
        let topic = &conn.governance_topic;
        let root = self.bound_root(conn).await?;
        let mut total = c::SyncReport { applied: 0, skipped: 0, next_offset: self.store.next_offset(topic).await? };
        let mut reader = PartitionReader::open(&conn.kafka, topic, 0, total.next_offset).await?;
        if reader.end() < total.next_offset {
            // The log is shorter than what was folded: truncated or re-created since.
            let why = format!(
                "the governance log ends at {} but {} records were folded: it was truncated or re-created",
                reader.end(),
                total.next_offset
            );
            self.rebuild_cache(&why).await?;
            total.next_offset = 0;
            reader = PartitionReader::open(&conn.kafka, topic, 0, 0).await?;
        }
        let mut rebuilds = 0;
        // Reading the next batch overlaps with folding the current one; each batch is still
        // applied in one transaction together with the new position.
        let mut current = decode_batch(reader.next_batch_within(batch, SYNC_BATCH_BYTES).await?);
        loop {
            if current.is_empty() {
                // Record the successful check even when nothing was new.
                let r = self.store.apply(topic, &root, &[]).await?;
                total.next_offset = r.next_offset;
                return Ok(total);
            }
            let (next, applied) = tokio::join!(
                reader.next_batch_within(batch, SYNC_BATCH_BYTES),
                self.store.apply(topic, &root, &current)
            );
            let r = applied?;
            total.applied += r.applied;
            total.skipped += r.skipped;
            total.next_offset = r.next_offset;
            if let Some(why) = r.rebuild {
                // A key was newly revoked as compromised: fold again from the start without what
                // it signed since. Each rebuild follows a new revocation (they only add), so a
                // sync rebuilds at most once per such event in the log.
                rebuilds += 1;
                if rebuilds > MAX_REBUILDS_PER_SYNC {
                    return Err(ServiceError::Invalid(format!(
                        "the governance log asked for more than {MAX_REBUILDS_PER_SYNC} rebuilds in one sync; the next sync goes on"
                    )));
                }
                self.rebuild_cache(&why).await?;
                total.next_offset = 0;
                reader = PartitionReader::open(&conn.kafka, topic, 0, 0).await?;
                current = decode_batch(reader.next_batch_within(batch, SYNC_BATCH_BYTES).await?);
                continue;
            }
            current = decode_batch(next?);
        }
    }
}

#[derive(Default)]
pub(crate) struct SyncState {
    pub(crate) last_error: Option<String>,
}

/// What the log area keeps: one fold and one flush at a time, the outbox's producer, and what
/// the status says about the log.
#[derive(Default)]
pub(crate) struct LogState {
    pub(crate) sync_lock: tokio::sync::Mutex<()>,
    pub(crate) sync_state: std::sync::Mutex<SyncState>,
    /// The outbox's producer; dropped after a failure so a retry starts afresh.
    pub(crate) producer: tokio::sync::Mutex<Option<meshdesk_kafka::Producer>>,
    /// One flush at a time: the background loop and an action that flushes at once would
    /// otherwise both send the same pending entries (the fold then records duplicates).
    pub(crate) flush_lock: tokio::sync::Mutex<()>,
    /// Wakes the background loop (something to send, or to fold).
    pub(crate) wake: tokio::sync::Notify,
    pub(crate) governance_ready: std::sync::atomic::AtomicBool,
    /// Why the cache was last rebuilt from the log, for the status.
    pub(crate) cache_notice: std::sync::Mutex<Option<String>>,
}

impl Meshdesk {
    /// Reads the governance log from where the cache stopped up to its end and folds it in,
    /// 1,000 events per transaction.
    pub async fn sync(&self) -> Result<c::SyncReport, ServiceError> {
        self.sync_batched(1000).await
    }

    /// [`Meshdesk::sync`], folding `batch` records per transaction.
    pub async fn sync_batched(&self, batch: usize) -> Result<c::SyncReport, ServiceError> {
        let conn = self.connection().await?;
        let _one_at_a_time = self.log.sync_lock.lock().await;
        let result = self.sync_inner(&conn, batch.max(1)).await;
        let changed = matches!(&result, Ok(r) if r.applied > 0);
        let (old, new) = {
            let mut st = self.log.sync_state.lock().expect("sync state lock");
            let old = st.last_error.clone();
            st.last_error = result.as_ref().err().map(|e| e.to_string());
            (old, st.last_error.clone())
        };
        if changed {
            self.notify(Notice::CatalogChanged);
        }
        if old != new {
            self.notify(Notice::StatusChanged);
        }
        result
    }
}

/// The most bytes of records one batch of a sync holds: with the batch being read beside the
/// one being folded, and an envelope's parsed form a few times its bytes, a sync's memory stays
/// bounded whatever the log holds.
pub(crate) const SYNC_BATCH_BYTES: usize = 4 * 1024 * 1024;

/// The most times one sync folds the log again from the start (after keys revoked as
/// compromised).
const MAX_REBUILDS_PER_SYNC: u32 = 16;

pub(crate) fn decode_batch(records: Vec<meshdesk_kafka::Record>) -> Vec<LogRecord> {
    records
        .into_iter()
        .map(|r| LogRecord {
            offset: r.offset,
            timestamp_ms: r.timestamp_ms,
            envelope: match r.value {
                // What no desktop sends is not even parsed (a sender refuses events this large).
                Some(v) if v.len() > meshdesk_domain::MAX_EVENT_BYTES => {
                    Err(NotAnEvent::TooLarge { kib: v.len() / 1024, max_kib: meshdesk_domain::MAX_EVENT_BYTES / 1024 })
                }
                Some(v) => meshdesk_domain::Envelope::from_bytes(&v).map_err(|e| NotAnEvent::Unreadable(e.to_string())),
                None => Err(NotAnEvent::Empty),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use meshdesk_domain::{Envelope, EventBody, seed};

    #[test]
    fn a_record_larger_than_any_event_a_desktop_sends_is_refused_unparsed() {
        // Verifies the sync's decoding: a well-formed, signed-looking envelope of 950 KiB (no desktop sends more than 900 KiB) is invalid with the reason, while the same event at its ordinary size decodes.
        let mut product = seed::products().remove(0);
        let env = |p: &meshdesk_domain::DataProduct| {
            Envelope::new("big", "User:ines", 0, &EventBody::ProductPublished(p.clone())).to_bytes()
        };
        let record = |value: Vec<u8>| meshdesk_kafka::Record {
            partition: 0,
            offset: 7,
            key: None,
            value: Some(value),
            timestamp_ms: Some(0),
        };
        let small = super::decode_batch(vec![record(env(&product))]);
        assert!(small[0].envelope.is_ok());
        product.description = "x".repeat(950 * 1024);
        let big = super::decode_batch(vec![record(env(&product))]);
        let why = big[0].envelope.as_ref().unwrap_err();
        assert!(why.to_string().contains("governance events are at most 900 KiB"), "{why}");
    }
}

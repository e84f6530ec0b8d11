//! Live topic metrics and decoded samples.

use std::collections::HashMap;
use std::time::Duration;

use meshdesk_contract as c;
use meshdesk_domain::metrics::RateWindow;
use meshdesk_domain::wire;
use meshdesk_kafka::{Record, group_lag, last_records, list_groups, topic_snapshot};

use crate::{Meshdesk, ServiceError, now_ms};

/// How far back the rate looks, and how long snapshots are kept.
pub const RATE_WINDOW: Duration = Duration::from_secs(300);
const KEEP: Duration = Duration::from_secs(1800);

#[derive(Default)]
pub(crate) struct MetricsState {
    windows: HashMap<String, RateWindow>,
}

impl Meshdesk {
    /// Takes a snapshot of `topic` now and records it; the topic is sampled in the background
    /// from then on, so the rate fills in while its page is open.
    pub async fn topic_metrics(&self, topic: &str) -> Result<c::TopicMetrics, ServiceError> {
        let conn = self.connection().await?;
        let snap = topic_snapshot(&conn.kafka, topic).await?;
        let at = now_ms();
        let (rate, series) = {
            let mut st = self.metrics.lock().expect("metrics lock");
            let w = st.windows.entry(topic.to_owned()).or_insert_with(|| RateWindow::new(KEEP.as_millis() as i64));
            w.push(at, snap.total_end_offset);
            (
                w.rate_per_sec(RATE_WINDOW.as_millis() as i64),
                w.series().into_iter().map(|(at_ms, per_sec)| c::RatePoint { at_ms, per_sec }).collect(),
            )
        };
        let mut consumer_lag = Vec::new();
        for g in list_groups(&conn.kafka, None).await? {
            let parts = group_lag(&conn.kafka, &g.name, &[topic]).await?;
            if !parts.is_empty() {
                consumer_lag.push(c::GroupLag {
                    group: g.name,
                    lag: parts.iter().map(|p| p.lag).sum(),
                    partitions: parts.len(),
                });
            }
        }
        Ok(c::TopicMetrics {
            topic: topic.to_owned(),
            records_per_sec: rate,
            window_secs: RATE_WINDOW.as_secs() as u32,
            series,
            end_offset: snap.total_end_offset,
            newest_record_age_ms: snap.newest_record_ms.map(|ts| (at - ts).max(0)),
            consumer_lag,
        })
    }

    /// Snapshots every topic whose metrics were asked for (called by the background loop).
    pub(crate) async fn sample_watched_topics(&self) {
        let topics: Vec<String> = self.metrics.lock().expect("metrics lock").windows.keys().cloned().collect();
        let Ok(conn) = self.connection().await else { return };
        for t in topics {
            if let Ok(snap) = topic_snapshot(&conn.kafka, &t).await {
                let mut st = self.metrics.lock().expect("metrics lock");
                if let Some(w) = st.windows.get_mut(&t) {
                    w.push(now_ms(), snap.total_end_offset);
                }
            }
        }
    }

    /// The last `count` records of `topic`, decoded through the registry where they are in the
    /// Confluent wire format; anything else is shown raw.
    pub async fn sample_topic(&self, topic: &str, count: usize) -> Result<Vec<c::SampleRecord>, ServiceError> {
        let conn = self.connection().await?;
        let records = last_records(&conn.kafka, topic, count.clamp(1, 500)).await?;
        let mut schemas: HashMap<u32, Result<(String, String), String>> = HashMap::new();
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            let value = match r.value.as_deref() {
                None => c::SampleValue::Null,
                Some(bytes) => match wire::decode(bytes) {
                    None => raw(bytes, None, "not in the Confluent wire format".into()),
                    Some((id, payload)) => {
                        if let std::collections::hash_map::Entry::Vacant(e) = schemas.entry(id) {
                            let s = conn.registry.schema_by_id(id).await.map(|s| (s.schema_type, s.schema));
                            e.insert(s.map_err(|e| e.to_string()));
                        }
                        decode(bytes, id, payload, &schemas[&id])
                    }
                },
            };
            out.push(sample(&r, value));
        }
        Ok(out)
    }
}

fn sample(r: &Record, value: c::SampleValue) -> c::SampleRecord {
    c::SampleRecord {
        partition: r.partition,
        offset: r.offset,
        timestamp_ms: r.timestamp_ms,
        key: r.key.as_deref().map(|k| String::from_utf8_lossy(k).into_owned()),
        value,
    }
}

fn raw(bytes: &[u8], schema_id: Option<u32>, note: String) -> c::SampleValue {
    c::SampleValue::Raw {
        schema_id,
        text: std::str::from_utf8(bytes).ok().map(str::to_owned),
        hex: bytes.iter().take(512).map(|b| format!("{b:02x}")).collect(),
        note,
    }
}

fn decode(bytes: &[u8], id: u32, payload: &[u8], schema: &Result<(String, String), String>) -> c::SampleValue {
    let (format, text) = match schema {
        Ok(s) => s,
        Err(e) => return raw(bytes, Some(id), format!("schema {id} could not be fetched: {e}")),
    };
    match format.as_str() {
        "AVRO" => {
            let parsed = match apache_avro::Schema::parse_str(text) {
                Ok(s) => s,
                Err(e) => return raw(bytes, Some(id), format!("schema {id} is not valid Avro: {e}")),
            };
            let mut reader = payload;
            match apache_avro::from_avro_datum(&parsed, &mut reader, None)
                .map_err(|e| e.to_string())
                .and_then(|v| serde_json::Value::try_from(v).map_err(|e| e.to_string()))
            {
                Ok(json) => c::SampleValue::Decoded { schema_id: id, format: format.clone(), json },
                Err(e) => raw(bytes, Some(id), format!("does not decode with schema {id}: {e}")),
            }
        }
        "JSON" => match serde_json::from_slice(payload) {
            Ok(json) => c::SampleValue::Decoded { schema_id: id, format: format.clone(), json },
            Err(e) => raw(bytes, Some(id), format!("not JSON: {e}")),
        },
        other => raw(bytes, Some(id), format!("{other} records are shown raw")),
    }
}

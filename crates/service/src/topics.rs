//! Live topic metrics and decoded samples.

use meshdesk_registry::RegistryError;
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
        let consumer_lag = groups_reading(&conn.kafka, &[topic])
            .await?
            .into_iter()
            .map(|(group, parts)| c::GroupLag {
                group,
                lag: parts.iter().map(|p| p.lag).sum(),
                partitions: parts.len(),
            })
            .collect();
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
    /// Confluent wire format; anything else is shown raw. A product's port is masked as on the
    /// product page: nothing unmasked reaches a non-owner's window.
    pub async fn sample_topic(&self, topic: &str, count: usize) -> Result<Vec<c::SampleRecord>, ServiceError> {
        let mut records = self.sample_unmasked(topic, count).await?;
        let owner_product = self.store.managed_topics().await?.into_iter().find(|(t, _)| t == topic).map(|(_, p)| p);
        if let Some(product) = owner_product
            && let Some(p) = self.store.product(&product).await?
        {
            self.mask_for_viewer(&p.product, &mut records).await;
        }
        Ok(records)
    }

    /// Masks a product's personal data in sampled records unless the viewer owns the product;
    /// whether anything is masked for this viewer, and how many values were.
    pub(crate) async fn mask_for_viewer(
        &self,
        p: &meshdesk_domain::DataProduct,
        records: &mut [c::SampleRecord],
    ) -> (bool, usize) {
        let viewer = self.viewer().await;
        let owner = viewer.as_deref().is_some_and(|v| p.owners.iter().any(|o| o.as_str() == v));
        let pii = p.pii_paths();
        let mut masked_values = 0;
        if owner {
            return (false, 0);
        }
        for r in records.iter_mut() {
            if let c::SampleValue::Decoded { json, .. } = &mut r.value {
                masked_values += meshdesk_domain::mask_pii(json, &pii);
            }
        }
        // Raw values cannot be masked field by field: a non-owner sees them only when the
        // product has no personal data.
        if !pii.is_empty() {
            for r in records.iter_mut() {
                if let c::SampleValue::Raw { text, hex, note, .. } = &mut r.value {
                    *text = None;
                    hex.clear();
                    note.push_str("; hidden: the product holds personal data and the record could not be decoded");
                    masked_values += 1;
                }
            }
        }
        (!pii.is_empty(), masked_values)
    }

    /// [`Meshdesk::sample_topic`] without masking: for callers that mask themselves.
    pub(crate) async fn sample_unmasked(
        &self,
        topic: &str,
        count: usize,
    ) -> Result<Vec<c::SampleRecord>, ServiceError> {
        let conn = self.connection().await?;
        let records = last_records(&conn.kafka, topic, count.clamp(1, 500)).await?;
        let mut schemas: HashMap<u32, Result<(String, String), RegistryError>> = HashMap::new();
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            let value = match r.value.as_deref() {
                None => c::SampleValue::Null,
                Some(bytes) => match wire::decode(bytes) {
                    None => raw(bytes, None, "not in the Confluent wire format".into()),
                    Some((id, payload)) => {
                        if let std::collections::hash_map::Entry::Vacant(e) = schemas.entry(id) {
                            let s = conn.registry.schema_by_id(id).await.map(|s| (s.schema_type, s.schema));
                            e.insert(s);
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

/// The largest record value sampling decodes; larger ones are shown raw (their first bytes).
pub const MAX_SAMPLE_DECODE_BYTES: usize = 1024 * 1024;

/// What apache-avro may allocate for one value (its own guard, set once for the process); the
/// bounded walk (`schema::datum`) runs first anyway.
const AVRO_MAX_ALLOCATION_BYTES: usize = 8 * 1024 * 1024;

fn decode(bytes: &[u8], id: u32, payload: &[u8], schema: &Result<(String, String), RegistryError>) -> c::SampleValue {
    let (format, text) = match schema {
        Ok(s) => s,
        Err(e) => return raw(bytes, Some(id), format!("schema {id} could not be fetched: {e}")),
    };
    if payload.len() > MAX_SAMPLE_DECODE_BYTES {
        return raw(
            bytes,
            Some(id),
            format!(
                "{} KiB: larger than the {} KiB sampling decodes",
                payload.len() / 1024,
                MAX_SAMPLE_DECODE_BYTES / 1024
            ),
        );
    }
    match format.as_str() {
        "AVRO" => {
            // A record is hostile input: walked within limits before any decoder allocates.
            let checked = meshdesk_domain::schema::avro::AvroSchema::parse(text)
                .map_err(|e| format!("schema {id} cannot be checked here: {e}"))
                .and_then(|s| {
                    meshdesk_domain::schema::datum::check_datum(
                        &s,
                        payload,
                        meshdesk_domain::schema::datum::SAMPLE_LIMITS,
                    )
                    .map_err(|e| format!("not decoded: {e}"))
                });
            if let Err(why) = checked {
                return raw(bytes, Some(id), why);
            }
            apache_avro::max_allocation_bytes(AVRO_MAX_ALLOCATION_BYTES);
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

/// The consumer groups with offsets committed on any of `topics`, each with the lag of the
/// partitions it committed on.
pub(crate) async fn groups_reading(
    kafka: &meshdesk_kafka::KafkaProfile,
    topics: &[&str],
) -> Result<Vec<(String, Vec<meshdesk_kafka::PartitionLag>)>, ServiceError> {
    let mut out = Vec::new();
    for g in list_groups(kafka, None).await? {
        let parts = group_lag(kafka, &g.name, topics).await?;
        if !parts.is_empty() {
            out.push((g.name, parts));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn avro(schema: &str) -> Result<(String, String), RegistryError> {
        Ok(("AVRO".into(), schema.into()))
    }

    #[test]
    fn crafted_records_are_shown_raw_with_the_reason_not_decoded() {
        // Verifies sampling's limits on hostile records: an Avro array claiming 500 million items is refused by the bounded walk before apache-avro allocates (it would reserve gigabytes), a value over 1 MiB is not decoded, and an honest record still decodes.
        let nulls = avro(r#"{"type":"array","items":"null"}"#);
        // zig-zag 500,000,000 = 1,000,000,000 as a varint, then the closing 0.
        let bomb = [0x80, 0x94, 0xeb, 0xdc, 0x03, 0x00];
        let record = wire::encode(7, &bomb);
        match decode(&record, 7, &bomb, &nulls) {
            c::SampleValue::Raw { note, .. } => assert!(note.contains("more than 100000 values"), "{note}"),
            other => panic!("decoded: {other:?}"),
        }
        let big = vec![0u8; MAX_SAMPLE_DECODE_BYTES + 1];
        match decode(&big, 7, &big, &avro(r#""bytes""#)) {
            c::SampleValue::Raw { note, hex, .. } => {
                assert!(note.contains("larger than the 1024 KiB"), "{note}");
                assert_eq!(hex.len(), 1024, "only the first 512 bytes are shown");
            }
            other => panic!("decoded: {other:?}"),
        }
        let honest = [0x04, 0x00, 0x00, 0x00];
        match decode(&wire::encode(7, &honest), 7, &honest, &nulls) {
            c::SampleValue::Decoded { json, .. } => assert_eq!(json, serde_json::json!([null, null])),
            other => panic!("not decoded: {other:?}"),
        }
    }
}

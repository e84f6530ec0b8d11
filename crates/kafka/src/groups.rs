//! Consumer groups, committed offsets and lag, last records of a topic, and topic snapshots for
//! live metrics. Reads only: no group is joined and nothing is committed.

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Offset, TopicPartitionList};

use crate::context::Capturing;
use crate::{KafkaError, KafkaProfile, PartitionReader, Record, watermarks};

const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    pub id: String,
    pub client_id: String,
    pub host: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInfo {
    pub name: String,
    /// e.g. `Stable`, `Empty`, `PreparingRebalance`.
    pub state: String,
    pub protocol_type: String,
    pub members: Vec<GroupMember>,
}

/// Committed offset and lag of one partition for one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionLag {
    pub topic: String,
    pub partition: i32,
    pub committed: i64,
    pub high: i64,
    pub lag: i64,
}

fn client(profile: &KafkaProfile, group: &str) -> Result<(BaseConsumer<Capturing>, Capturing), KafkaError> {
    let ctx = Capturing::default();
    let mut cfg = profile.client_config();
    cfg.set("group.id", group).set("enable.auto.commit", "false");
    let c = cfg.create_with_context(ctx.clone()).map_err(|e| KafkaError::from_rd(e, None))?;
    Ok((c, ctx))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, KafkaError> + Send + 'static,
) -> Result<T, KafkaError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| KafkaError::Unreachable(format!("task failed: {e}")))?
}

/// Every consumer group with its state and members (`group`: only that one).
pub async fn list_groups(profile: &KafkaProfile, group: Option<&str>) -> Result<Vec<GroupInfo>, KafkaError> {
    let profile = profile.clone();
    let group = group.map(str::to_owned);
    blocking(move || {
        let (c, ctx) = client(&profile, "meshdesk.reader")?;
        let list =
            c.fetch_group_list(group.as_deref(), TIMEOUT).map_err(|e| KafkaError::from_rd(e, ctx.last_error()))?;
        let mut out: Vec<GroupInfo> = list
            .groups()
            .iter()
            .map(|g| GroupInfo {
                name: g.name().to_owned(),
                state: g.state().to_owned(),
                protocol_type: g.protocol_type().to_owned(),
                members: g
                    .members()
                    .iter()
                    .map(|m| GroupMember {
                        id: m.id().to_owned(),
                        client_id: m.client_id().to_owned(),
                        host: m.client_host().to_owned(),
                    })
                    .collect(),
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    })
    .await
}

/// The group's committed offsets on `topics` (all their partitions) and the lag of each
/// partition it committed on.
pub async fn group_lag(profile: &KafkaProfile, group: &str, topics: &[&str]) -> Result<Vec<PartitionLag>, KafkaError> {
    let (p, g) = (profile.clone(), group.to_owned());
    let topics: Vec<String> = topics.iter().map(|s| s.to_string()).collect();
    let committed = blocking(move || {
        let (c, ctx) = client(&p, &g)?;
        let mut tpl = TopicPartitionList::new();
        for t in &topics {
            let md = c.fetch_metadata(Some(t), TIMEOUT).map_err(|e| KafkaError::from_rd(e, ctx.last_error()))?;
            for topic in md.topics().iter().filter(|x| x.error().is_none()) {
                for part in topic.partitions() {
                    tpl.add_partition(topic.name(), part.id());
                }
            }
        }
        let got = c.committed_offsets(tpl, TIMEOUT).map_err(|e| KafkaError::from_rd(e, ctx.last_error()))?;
        Ok(got
            .elements()
            .iter()
            .filter_map(|e| match e.offset() {
                Offset::Offset(o) => Some((e.topic().to_owned(), e.partition(), o)),
                _ => None,
            })
            .collect::<Vec<_>>())
    })
    .await?;
    let mut out = Vec::with_capacity(committed.len());
    for (topic, partition, committed) in committed {
        let w = watermarks(profile, &topic, partition).await?;
        out.push(PartitionLag { lag: (w.high - committed).max(0), topic, partition, committed, high: w.high });
    }
    out.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    Ok(out)
}

async fn partitions(profile: &KafkaProfile, topic: &str) -> Result<Vec<i32>, KafkaError> {
    let (p, t) = (profile.clone(), topic.to_owned());
    blocking(move || {
        let (c, ctx) = client(&p, "meshdesk.reader")?;
        let md = c.fetch_metadata(Some(&t), TIMEOUT).map_err(|e| KafkaError::from_rd(e, ctx.last_error()))?;
        let topic = md.topics().first().ok_or_else(|| KafkaError::Refused(format!("topic {t} not found")))?;
        if let Some(e) = topic.error() {
            return Err(KafkaError::Refused(format!("topic {t}: {}", rdkafka::error::RDKafkaErrorCode::from(e))));
        }
        Ok(topic.partitions().iter().map(|p| p.id()).collect())
    })
    .await
}

/// The last `n` records of a topic across its partitions, newest last (by timestamp, then
/// partition and offset). Bytes untouched: decoding is the caller's business.
pub async fn last_records(profile: &KafkaProfile, topic: &str, n: usize) -> Result<Vec<Record>, KafkaError> {
    let mut all = Vec::new();
    for p in partitions(profile, topic).await? {
        let w = watermarks(profile, topic, p).await?;
        let from = (w.high - n as i64).max(w.low);
        let mut reader = PartitionReader::open(profile, topic, p, from).await?;
        all.extend(reader.next_batch(n).await?);
    }
    all.sort_by_key(|r| (r.timestamp_ms.unwrap_or(0), r.partition, r.offset));
    let skip = all.len().saturating_sub(n);
    Ok(all.split_off(skip))
}

/// A topic at one moment: the sum of its end offsets (records ever written, for rates) and the
/// timestamp of its newest record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSnapshot {
    pub end_offsets: BTreeMap<i32, i64>,
    pub total_end_offset: i64,
    pub newest_record_ms: Option<i64>,
}

pub async fn topic_snapshot(profile: &KafkaProfile, topic: &str) -> Result<TopicSnapshot, KafkaError> {
    let mut end_offsets = BTreeMap::new();
    let mut newest = None::<i64>;
    for p in partitions(profile, topic).await? {
        let w = watermarks(profile, topic, p).await?;
        end_offsets.insert(p, w.high);
        if w.high > w.low {
            let mut reader = PartitionReader::open(profile, topic, p, w.high - 1).await?;
            if let Some(ts) = reader.next_batch(1).await?.first().and_then(|r| r.timestamp_ms) {
                newest = Some(newest.map_or(ts, |n| n.max(ts)));
            }
        }
    }
    Ok(TopicSnapshot { total_end_offset: end_offsets.values().sum(), end_offsets, newest_record_ms: newest })
}

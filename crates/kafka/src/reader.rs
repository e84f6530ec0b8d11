use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

use crate::context::Capturing;
use crate::{KafkaError, KafkaProfile};

/// One record as read, bytes untouched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub partition: i32,
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub timestamp_ms: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watermarks {
    pub low: i64,
    pub high: i64,
}

fn consumer(profile: &KafkaProfile) -> Result<(BaseConsumer<Capturing>, Capturing), KafkaError> {
    let ctx = Capturing::default();
    let mut cfg = profile.client_config();
    // Reads by assignment: no group is joined and nothing is committed.
    cfg.set("group.id", "meshdesk.reader")
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        // The end of the partition is reported, so a read stops there: under read_committed the
        // high watermark can lie past the last record a reader gets (a commit marker, an open
        // transaction), and waiting for it would stall until the timeout.
        .set("enable.partition.eof", "true")
        // Bounded memory, whatever the records are: librdkafka prefetches at most 8 MiB, and
        // fetches at most 4 MiB at a time (a single larger record still comes whole).
        .set("queued.max.messages.kbytes", "8192")
        .set("fetch.max.bytes", "4194304")
        .set("max.partition.fetch.bytes", "4194304");
    let c = cfg.create_with_context(ctx.clone()).map_err(|e| KafkaError::from_rd(e, None))?;
    Ok((c, ctx))
}

/// A reading consumer and the partition's watermarks as it sees them (blocking).
fn consumer_at(
    profile: &KafkaProfile,
    topic: &str,
    partition: i32,
) -> Result<(BaseConsumer<Capturing>, Capturing, Watermarks), KafkaError> {
    let (c, ctx) = consumer(profile)?;
    let (low, high) = c
        .fetch_watermarks(topic, partition, Duration::from_secs(10))
        .map_err(|e| KafkaError::from_rd(e, ctx.last_error()))?;
    Ok((c, ctx, Watermarks { low, high }))
}

/// The low and high watermark of one partition.
pub async fn watermarks(profile: &KafkaProfile, topic: &str, partition: i32) -> Result<Watermarks, KafkaError> {
    let profile = profile.clone();
    let topic = topic.to_owned();
    tokio::task::spawn_blocking(move || consumer_at(&profile, &topic, partition).map(|(_, _, w)| w))
        .await
        .map_err(|e| KafkaError::Unreachable(format!("reader task failed: {e}")))?
}

/// Reads one partition from `from` up to (not including) its high watermark at the time of the
/// call, at most `max` records, without joining a consumer group.
pub async fn read_partition(
    profile: &KafkaProfile,
    topic: &str,
    partition: i32,
    from: i64,
    max: usize,
) -> Result<Vec<Record>, KafkaError> {
    let mut reader = PartitionReader::open(profile, topic, partition, from).await?;
    reader.next_batch(max).await
}

/// Reads one partition in batches with a single consumer, from a start offset up to the high
/// watermark seen when it was opened. No group is joined and nothing is committed.
pub struct PartitionReader {
    consumer: Option<BaseConsumer<Capturing>>,
    ctx: Capturing,
    topic: String,
    partition: i32,
    next: i64,
    end: i64,
}

impl PartitionReader {
    pub async fn open(profile: &KafkaProfile, topic: &str, partition: i32, from: i64) -> Result<Self, KafkaError> {
        let profile = profile.clone();
        let topic = topic.to_owned();
        tokio::task::spawn_blocking(move || {
            let (c, ctx, Watermarks { low, high }) = consumer_at(&profile, &topic, partition)?;
            let start = from.max(low);
            if start < high {
                let mut tpl = TopicPartitionList::new();
                tpl.add_partition_offset(&topic, partition, Offset::Offset(start))
                    .map_err(|e| KafkaError::from_rd(e, None))?;
                c.assign(&tpl).map_err(|e| KafkaError::from_rd(e, ctx.last_error()))?;
            }
            Ok(Self { consumer: Some(c), ctx, topic, partition, next: start, end: high })
        })
        .await
        .map_err(|e| KafkaError::Unreachable(format!("reader task failed: {e}")))?
    }

    /// The offset after the last record this reader will return.
    pub fn end(&self) -> i64 {
        self.end
    }

    /// The next up to `max` records; empty when the reader reached its end.
    pub async fn next_batch(&mut self, max: usize) -> Result<Vec<Record>, KafkaError> {
        self.next_batch_within(max, usize::MAX).await
    }

    /// The next up to `max` records holding at most `max_bytes` of keys and values together (at
    /// least one record, however large); empty when the reader reached its end. A reader that
    /// folds as it reads keeps its memory bounded this way, whatever the records are.
    pub async fn next_batch_within(&mut self, max: usize, max_bytes: usize) -> Result<Vec<Record>, KafkaError> {
        if self.next >= self.end || max == 0 {
            return Ok(Vec::new());
        }
        let c = self.consumer.take().expect("the consumer is put back after every batch");
        let (topic, partition, ctx) = (self.topic.clone(), self.partition, self.ctx.clone());
        let (from, end) = (self.next, self.end.min(self.next.saturating_add(max as i64)));
        let (c, result) = tokio::task::spawn_blocking(move || {
            let r = poll_range(&c, &ctx, &topic, partition, from, end, max_bytes);
            (c, r)
        })
        .await
        .map_err(|e| KafkaError::Unreachable(format!("reader task failed: {e}")))?;
        self.consumer = Some(c);
        let (records, at_end) = result?;
        if let Some(last) = records.last() {
            // Stopped at the byte budget or not, the consumer goes on from the next record.
            self.next = last.offset + 1;
        }
        if at_end {
            // Nothing readable lies beyond: the rest up to the high watermark is transaction
            // markers or uncommitted records.
            self.end = self.next;
        }
        Ok(records)
    }
}

fn poll_range(
    c: &BaseConsumer<Capturing>,
    ctx: &Capturing,
    topic: &str,
    partition: i32,
    from: i64,
    end: i64,
    max_bytes: usize,
) -> Result<(Vec<Record>, bool), KafkaError> {
    let mut out = Vec::with_capacity(((end - from) as usize).min(1024));
    let mut bytes = 0usize;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut next = from;
    while next < end && (out.is_empty() || bytes < max_bytes) {
        if Instant::now() > deadline {
            return Err(KafkaError::Read {
                topic: topic.to_owned(),
                offset: next,
                reason: format!("timed out; {}", ctx.last_error().unwrap_or_else(|| "no record arrived".into())),
            });
        }
        match c.poll(Duration::from_millis(200)) {
            None => continue,
            // The group exists only because librdkafka wants one for assign(); a principal
            // without rights on it (a consumer with only a topic grant) still reads.
            Some(Err(rdkafka::error::KafkaError::MessageConsumption(
                rdkafka::types::RDKafkaErrorCode::GroupAuthorizationFailed,
            ))) => continue,
            // Nothing more to read now (the last stable offset, under read_committed).
            Some(Err(rdkafka::error::KafkaError::PartitionEOF(p))) if p == partition => return Ok((out, true)),
            Some(Err(rdkafka::error::KafkaError::PartitionEOF(_))) => continue,
            Some(Err(e)) => return Err(KafkaError::from_rd(e, ctx.last_error())),
            Some(Ok(m)) => {
                if m.partition() != partition || m.offset() < next {
                    continue;
                }
                next = m.offset() + 1;
                bytes = bytes.saturating_add(m.key_len() + m.payload_len());
                out.push(Record {
                    partition: m.partition(),
                    offset: m.offset(),
                    key: m.key().map(<[u8]>::to_vec),
                    value: m.payload().map(<[u8]>::to_vec),
                    timestamp_ms: m.timestamp().to_millis(),
                });
            }
        }
    }
    Ok((out, false))
}

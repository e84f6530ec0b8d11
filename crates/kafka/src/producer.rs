use std::time::Duration;

use rdkafka::producer::{FutureProducer, FutureRecord, Producer as _};

use crate::context::Capturing;
use crate::{KafkaError, KafkaProfile};

/// An idempotent producer: retries never duplicate or reorder records.
pub struct Producer {
    inner: FutureProducer<Capturing>,
    ctx: Capturing,
}

impl Producer {
    pub fn new(profile: &KafkaProfile) -> Result<Self, KafkaError> {
        Self::with_timeout(profile, Duration::from_secs(30))
    }

    /// A producer whose records fail after `timeout` without an acknowledgement.
    pub fn with_timeout(profile: &KafkaProfile, timeout: Duration) -> Result<Self, KafkaError> {
        let ctx = Capturing::default();
        let mut cfg = profile.client_config();
        let ms = timeout.as_millis().to_string();
        cfg.set("enable.idempotence", "true").set("acks", "all").set("message.timeout.ms", &ms);
        let inner = cfg.create_with_context(ctx.clone()).map_err(|e| KafkaError::from_rd(e, None))?;
        Ok(Self { inner, ctx })
    }

    /// Sends one record and waits for the broker's acknowledgement: `(partition, offset)`.
    pub async fn send(&self, topic: &str, key: Option<&[u8]>, value: &[u8]) -> Result<(i32, i64), KafkaError> {
        self.send_at(topic, key, value, None).await
    }

    /// [`Producer::send`] with the record's create time (ms since the epoch; now when `None`).
    pub async fn send_at(
        &self,
        topic: &str,
        key: Option<&[u8]>,
        value: &[u8],
        timestamp_ms: Option<i64>,
    ) -> Result<(i32, i64), KafkaError> {
        self.send_to(topic, None, key, value, timestamp_ms).await
    }

    /// [`Producer::send_at`] to a given partition (`None`: the partitioner chooses by key).
    pub async fn send_to(
        &self,
        topic: &str,
        partition: Option<i32>,
        key: Option<&[u8]>,
        value: &[u8],
        timestamp_ms: Option<i64>,
    ) -> Result<(i32, i64), KafkaError> {
        let mut record = FutureRecord::<[u8], [u8]>::to(topic).payload(value);
        if let Some(k) = key {
            record = record.key(k);
        }
        if let Some(p) = partition {
            record = record.partition(p);
        }
        if let Some(t) = timestamp_ms {
            record = record.timestamp(t);
        }
        match self.inner.send(record, Duration::from_secs(30)).await {
            Ok(d) => Ok((d.partition, d.offset)),
            Err((e, _)) => Err(KafkaError::from_rd(e, self.ctx.last_error())),
        }
    }

    /// Sends many records to one topic with many in flight at once (the idempotent producer
    /// keeps their order) and waits for all; returns each record's `(partition, offset)`.
    pub async fn send_many(
        &self,
        topic: &str,
        records: &[(Option<Vec<u8>>, Vec<u8>)],
    ) -> Result<Vec<(i32, i64)>, KafkaError> {
        use rdkafka::error::{KafkaError as RdError, RDKafkaErrorCode};
        let mut pending = Vec::with_capacity(records.len());
        for (key, value) in records {
            loop {
                let mut record = FutureRecord::<[u8], [u8]>::to(topic).payload(value);
                if let Some(k) = key {
                    record = record.key(k);
                }
                match self.inner.send_result(record) {
                    Ok(f) => {
                        pending.push(f);
                        break;
                    }
                    // The local queue is full: let deliveries drain, then try again.
                    Err((RdError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                        tokio::time::sleep(Duration::from_millis(5)).await
                    }
                    Err((e, _)) => return Err(KafkaError::from_rd(e, self.ctx.last_error())),
                }
            }
        }
        let mut out = Vec::with_capacity(pending.len());
        for f in pending {
            match f.await {
                Ok(Ok(d)) => out.push((d.partition, d.offset)),
                Ok(Err((e, _))) => return Err(KafkaError::from_rd(e, self.ctx.last_error())),
                Err(_) => return Err(KafkaError::Unreachable("the producer was closed".into())),
            }
        }
        Ok(out)
    }

    pub fn flush(&self) -> Result<(), KafkaError> {
        self.inner.flush(Duration::from_secs(30)).map_err(|e| KafkaError::from_rd(e, self.ctx.last_error()))
    }
}

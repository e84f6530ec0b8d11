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
        let mut record = FutureRecord::<[u8], [u8]>::to(topic).payload(value);
        if let Some(k) = key {
            record = record.key(k);
        }
        match self.inner.send(record, Duration::from_secs(30)).await {
            Ok(d) => Ok((d.partition, d.offset)),
            Err((e, _)) => Err(KafkaError::from_rd(e, self.ctx.last_error())),
        }
    }

    pub fn flush(&self) -> Result<(), KafkaError> {
        self.inner.flush(Duration::from_secs(30)).map_err(|e| KafkaError::from_rd(e, self.ctx.last_error()))
    }
}

use std::sync::{Arc, Mutex};

use rdkafka::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::ConsumerContext;
use rdkafka::error::KafkaError as RdError;

/// A client context that remembers librdkafka's last error report, whose text says what
/// actually went wrong ("Connect to ipv4#127.0.0.1:9092 failed: Connection refused").
#[derive(Clone, Default)]
pub(crate) struct Capturing {
    last: Arc<Mutex<Option<String>>>,
}

impl Capturing {
    pub(crate) fn last_error(&self) -> Option<String> {
        self.last.lock().ok().and_then(|g| g.clone())
    }
    /// Keeps the most specific report: librdkafka follows a concrete failure ("SASL
    /// authentication error: ...", "Connect to ... failed: Connection refused") with a generic
    /// summary ("1/1 brokers are down") that must not hide it.
    fn remember(&self, s: String) {
        if let Ok(mut g) = self.last.lock() {
            let generic = s.contains("brokers are down");
            if !(generic && g.is_some()) {
                *g = Some(s);
            }
        }
    }
}

impl ClientContext for Capturing {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        if matches!(
            level,
            RDKafkaLogLevel::Emerg
                | RDKafkaLogLevel::Alert
                | RDKafkaLogLevel::Critical
                | RDKafkaLogLevel::Error
                | RDKafkaLogLevel::Warning
        ) {
            tracing::debug!(target: "librdkafka", "{fac}: {log_message}");
            self.remember(log_message.to_owned());
        }
    }
    fn error(&self, error: RdError, reason: &str) {
        tracing::debug!(target: "librdkafka", "error {error}: {reason}");
        self.remember(reason.to_owned());
    }
}

impl ConsumerContext for Capturing {}

impl rdkafka::producer::ProducerContext for Capturing {
    type DeliveryOpaque = ();
    fn delivery(&self, _: &rdkafka::message::DeliveryResult<'_>, _: Self::DeliveryOpaque) {}
}

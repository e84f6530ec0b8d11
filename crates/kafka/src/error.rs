/// What went wrong talking to Kafka, in words a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum KafkaError {
    #[error("invalid Kafka configuration: {0}")]
    Config(String),
    #[error("the cluster did not answer: {0}")]
    Unreachable(String),
    #[error("Kafka refused the request: {0}")]
    Refused(String),
    /// The record itself is refused, for good: sending it again cannot succeed (too large,
    /// invalid, forbidden by a policy).
    #[error("the cluster refuses this record for good: {0}")]
    Rejected(String),
    #[error("the cluster has no authorizer, so ACLs do not apply there: {0}")]
    SecurityDisabled(String),
    #[error("record {offset} of {topic} could not be read: {reason}")]
    Read { topic: String, offset: i64, reason: String },
}

impl KafkaError {
    /// Maps an rdkafka error, preferring librdkafka's own last report when it says more.
    pub(crate) fn from_rd(e: rdkafka::error::KafkaError, last_report: Option<String>) -> Self {
        use rdkafka::error::{KafkaError as E, RDKafkaErrorCode as C};
        let code = e.rdkafka_error_code();
        let detail = match last_report {
            Some(r) => format!("{e} ({r})"),
            None => e.to_string(),
        };
        match (&e, code) {
            (E::ClientCreation(_), _) => KafkaError::Config(detail),
            (
                _,
                Some(
                    C::BrokerTransportFailure
                    | C::AllBrokersDown
                    | C::OperationTimedOut
                    | C::RequestTimedOut
                    | C::MessageTimedOut
                    | C::Resolve
                    | C::Authentication
                    | C::SaslAuthenticationFailed
                    | C::SSL,
                ),
            ) => KafkaError::Unreachable(detail),
            (
                _,
                Some(
                    C::MessageSizeTooLarge
                    | C::InvalidMessageSize
                    | C::InvalidMessage
                    | C::InvalidRecord
                    | C::PolicyViolation,
                ),
            ) => KafkaError::Rejected(detail),
            _ => KafkaError::Refused(detail),
        }
    }
}

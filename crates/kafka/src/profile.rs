use std::collections::BTreeMap;

use rdkafka::ClientConfig;
use serde::{Deserialize, Serialize};

/// How to reach a cluster, in librdkafka's own property names so people can paste what they
/// know (`bootstrap.servers`, `security.protocol`, `sasl.mechanism`, `ssl.ca.location`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KafkaProfile {
    pub properties: BTreeMap<String, String>,
}

const SECRET_KEYS: &[&str] = &["sasl.password", "ssl.key.password", "ssl.keystore.password", "ssl.key.pem"];

impl KafkaProfile {
    pub fn plaintext(bootstrap: impl Into<String>) -> Self {
        let mut properties = BTreeMap::new();
        properties.insert("bootstrap.servers".to_owned(), bootstrap.into());
        Self { properties }
    }

    pub fn bootstrap_servers(&self) -> &str {
        self.properties.get("bootstrap.servers").map(String::as_str).unwrap_or("")
    }

    /// The properties with secrets replaced by `********`, for display and logs.
    pub fn masked(&self) -> Vec<(String, String)> {
        self.properties
            .iter()
            .map(|(k, v)| {
                let v = if SECRET_KEYS.contains(&k.as_str()) { "********".to_owned() } else { v.clone() };
                (k.clone(), v)
            })
            .collect()
    }

    pub(crate) fn client_config(&self) -> ClientConfig {
        let mut cfg = ClientConfig::new();
        for (k, v) in &self.properties {
            cfg.set(k, v);
        }
        // Fail fast enough for a desktop: an unreachable cluster must not hang the UI.
        cfg.set_if_absent("socket.connection.setup.timeout.ms", "5000");
        // librdkafka's warnings carry the reasons people need (authentication, TLS); rdkafka
        // would otherwise pass on only errors when no `log` logger is installed.
        cfg.set_log_level(rdkafka::config::RDKafkaLogLevel::Warning);
        cfg
    }
}

trait SetIfAbsent {
    fn set_if_absent(&mut self, k: &str, v: &str);
}
impl SetIfAbsent for ClientConfig {
    fn set_if_absent(&mut self, k: &str, v: &str) {
        if self.get(k).is_none() {
            self.set(k, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked() {
        let mut p = KafkaProfile::plaintext("127.0.0.1:9092");
        p.properties.insert("sasl.password".into(), "hunter2".into());
        let masked = p.masked();
        assert!(masked.contains(&("sasl.password".into(), "********".into())));
        assert!(masked.contains(&("bootstrap.servers".into(), "127.0.0.1:9092".into())));
        assert!(!format!("{masked:?}").contains("hunter2"));
    }
}

use std::collections::BTreeMap;

use rdkafka::ClientConfig;
use serde::{Deserialize, Serialize};

/// How to reach a cluster, in librdkafka's own property names so people can paste what they
/// know (`bootstrap.servers`, `security.protocol`, `sasl.mechanism`, `ssl.ca.location`, ...).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KafkaProfile {
    pub properties: BTreeMap<String, String>,
}

/// Secrets never appear in debug output either.
impl std::fmt::Debug for KafkaProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaProfile").field("properties", &self.masked()).finish()
    }
}

/// Whether a property's value is a secret: its name says password, secret, token, key (but not
/// a file location), jaas or credentials (`sasl.oauthbearer.client.secret`, `ssl.key.pem`,
/// `sasl.jaas.config`, ...).
pub fn is_secret_property(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    if n.ends_with(".location") || n.ends_with(".path") {
        return false;
    }
    ["password", "secret", "token", "jaas", "credentials", "key"].iter().any(|w| n.contains(w))
}

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
                let v = if is_secret_property(k) { "********".to_owned() } else { v.clone() };
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
        p.properties.insert("sasl.oauthbearer.client.secret".into(), "oauth-s3cret".into());
        p.properties.insert("ssl.ca.location".into(), "/etc/ca.pem".into());
        let masked = p.masked();
        assert!(masked.contains(&("sasl.password".into(), "********".into())));
        assert!(masked.contains(&("bootstrap.servers".into(), "127.0.0.1:9092".into())));
        assert!(!format!("{masked:?}").contains("hunter2"));
        assert!(masked.contains(&("sasl.oauthbearer.client.secret".into(), "********".into())), "by pattern");
        assert!(masked.contains(&("ssl.ca.location".into(), "/etc/ca.pem".into())), "a file location is no secret");
        let debug = format!("{p:?}");
        assert!(!debug.contains("hunter2") && !debug.contains("oauth-s3cret"), "{debug}");
    }
}

//! Environments: where Meshdesk's shared state lives. Either the embedded local sandbox, or a
//! cluster described by a TOML file with librdkafka property names and the registry's URL:
//!
//! ```toml
//! name = "production"
//! principal = "User:alice"                 # who I am on this cluster
//! governance_topic = "_meshdesk.governance" # optional
//!
//! [kafka]                                   # any librdkafka property
//! "bootstrap.servers" = "broker-1:9092,broker-2:9092"
//! "security.protocol" = "SASL_SSL"
//! "sasl.mechanism" = "SCRAM-SHA-512"
//! "sasl.username" = "alice"
//! "sasl.password" = "..."
//!
//! [registry]
//! url = "https://registry.example:8081"
//! # basic_auth = { user = "alice", password = "..." }   or   bearer_token = "..."
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use meshdesk_domain::GOVERNANCE_TOPIC;
use meshdesk_kafka::KafkaProfile;
use meshdesk_registry::Auth;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvSource {
    /// The embedded sandbox, durable under this directory.
    Sandbox { dir: PathBuf },
    /// A config file.
    File(PathBuf),
}

/// A cluster to talk to, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterConfig {
    pub name: String,
    pub principal: Option<String>,
    pub governance_topic: String,
    pub kafka: KafkaProfile,
    pub registry_url: String,
    pub registry_auth: Option<Auth>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    name: Option<String>,
    principal: Option<String>,
    governance_topic: Option<String>,
    kafka: BTreeMap<String, toml::Value>,
    registry: RegistrySection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistrySection {
    url: String,
    basic_auth: Option<BasicAuth>,
    bearer_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BasicAuth {
    user: String,
    password: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    #[error("cannot read the environment file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("the environment file {path} is invalid: {reason}")]
    Invalid { path: String, reason: String },
}

impl ClusterConfig {
    pub fn load(path: &Path) -> Result<Self, EnvError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| EnvError::Read { path: path.display().to_string(), reason: e.to_string() })?;
        Self::parse(&text).map_err(|reason| EnvError::Invalid { path: path.display().to_string(), reason })
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let f: FileFormat = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut properties = BTreeMap::new();
        for (k, v) in f.kafka {
            let v = match v {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => {
                    return Err(format!(
                        "kafka property `{k}` must be a string, number or boolean, not {}",
                        other.type_str()
                    ));
                }
            };
            properties.insert(k, v);
        }
        if properties.get("bootstrap.servers").is_none_or(|s| s.trim().is_empty()) {
            return Err("[kafka] needs \"bootstrap.servers\"".into());
        }
        let url = f.registry.url.trim().to_owned();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("[registry] url `{url}` must start with http:// or https://"));
        }
        let registry_auth = match (f.registry.basic_auth, f.registry.bearer_token) {
            (Some(_), Some(_)) => return Err("[registry] takes basic_auth or bearer_token, not both".into()),
            (Some(b), None) => Some(Auth::Basic { user: b.user, password: b.password }),
            (None, Some(t)) => Some(Auth::Bearer(t)),
            (None, None) => None,
        };
        if let Some(p) = &f.principal {
            meshdesk_domain::Principal::parse(p)?;
        }
        Ok(Self {
            name: f.name.unwrap_or_else(|| "cluster".into()),
            principal: f.principal,
            governance_topic: f.governance_topic.unwrap_or_else(|| GOVERNANCE_TOPIC.into()),
            kafka: KafkaProfile { properties },
            registry_url: url,
            registry_auth,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_file_takes_librdkafka_properties_and_a_registry_url() {
        let c = ClusterConfig::parse(
            r#"
            name = "prod"
            principal = "User:alice"
            [kafka]
            "bootstrap.servers" = "b1:9092,b2:9092"
            "security.protocol" = "SASL_SSL"
            "sasl.mechanism" = "SCRAM-SHA-512"
            "message.max.bytes" = 2000000
            [registry]
            url = "https://sr.example:8081"
            basic_auth = { user = "alice", password = "pw" }
            "#,
        )
        .unwrap();
        assert_eq!(c.name, "prod");
        assert_eq!(c.kafka.bootstrap_servers(), "b1:9092,b2:9092");
        assert_eq!(c.kafka.properties["message.max.bytes"], "2000000");
        assert_eq!(c.governance_topic, "_meshdesk.governance");
        assert_eq!(c.registry_auth, Some(Auth::Basic { user: "alice".into(), password: "pw".into() }));
    }

    #[test]
    fn bad_config_files_say_what_is_wrong() {
        let e = ClusterConfig::parse("[kafka]\n[registry]\nurl = \"http://x\"").unwrap_err();
        assert!(e.contains("bootstrap.servers"), "{e}");
        let e =
            ClusterConfig::parse("[kafka]\n\"bootstrap.servers\"=\"b:1\"\n[registry]\nurl = \"x:8081\"").unwrap_err();
        assert!(e.contains("http://"), "{e}");
        let e =
            ClusterConfig::parse("[kafka]\n\"bootstrap.servers\"=\"b:1\"\n[registry]\nurl=\"http://x\"\nuser=\"u\"")
                .unwrap_err();
        assert!(e.contains("unknown field"), "{e}");
        let e = ClusterConfig::parse(
            "principal=\"alice\"\n[kafka]\n\"bootstrap.servers\"=\"b:1\"\n[registry]\nurl=\"http://x\"",
        )
        .unwrap_err();
        assert!(e.contains("User:alice"), "{e}");
    }
}

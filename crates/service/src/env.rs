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
//! "sasl.password" = { keyring = "prod-kafka" }   # a secret in the OS keyring (meshctl secret set)
//!
//! [registry]
//! url = "https://registry.example:8081"
//! # basic_auth = { user = "alice", password = { keyring = "prod-registry" } }   or   bearer_token = …
//!
//! [trust]                                   # the governance admins' public keys (meshctl trust init)
//! admins = ["ed25519:…"]
//! # accept_unsigned_before_offset = 1234    # an older log written before events were signed
//! # environment = "acme-prod"               # the governance identity every event is signed for;
//! #                                         # by default the log's topic and the cluster's id
//! # accept_unbound_before_offset = 5678     # an older log written before events were bound
//! ```
//!
//! A secret written in clear still works, with a warning in the app and in `meshctl`.

use meshdesk_domain::Invalid;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use meshdesk_domain::GOVERNANCE_TOPIC;
use meshdesk_domain::trust::TrustRoot;
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
    /// The governance admins' keys and the rule for an older unsigned log.
    pub trust: TrustRoot,
    /// The keyring entry (a `meshctl secret` name) that holds this desktop's signing key, when
    /// the file names one (`signing_key = { keyring = "NAME" }`); else the principal's own entry.
    pub signing_key: Option<String>,
    /// What the file does that it should not (secrets in clear, no admins): for people.
    pub warnings: Vec<String>,
    /// The file gave a `name` (else the name is "cluster" and the cache is keyed by the file).
    pub named: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    name: Option<String>,
    principal: Option<String>,
    governance_topic: Option<String>,
    signing_key: Option<KeyringRef>,
    kafka: BTreeMap<String, toml::Value>,
    registry: RegistrySection,
    trust: Option<TrustSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustSection {
    #[serde(default)]
    admins: Vec<String>,
    accept_unsigned_before_offset: Option<i64>,
    /// The governance identity; by default `<topic>@<cluster id>`, known once connected.
    environment: Option<String>,
    accept_unbound_before_offset: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyringRef {
    keyring: String,
}

/// A secret: written in clear, or the name of a keyring entry.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum SecretValue {
    Plain(String),
    Keyring { keyring: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistrySection {
    url: String,
    basic_auth: Option<BasicAuth>,
    bearer_token: Option<SecretValue>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BasicAuth {
    user: String,
    password: SecretValue,
}

pub use meshdesk_kafka::is_secret_property;

/// Looks a keyring name up: its value, `None` when the keyring has no such entry.
pub type Resolver<'a> = &'a dyn Fn(&str) -> Result<Option<String>, crate::keyring::KeyringError>;

fn resolve(what: &str, v: SecretValue, lookup: Resolver<'_>, warnings: &mut Vec<String>) -> Result<String, Invalid> {
    match v {
        SecretValue::Plain(s) => {
            warnings.push(format!(
                "{what} is written in clear in the environment file: store it with `meshctl secret set NAME` and write {{ keyring = \"NAME\" }} instead"
            ));
            Ok(s)
        }
        SecretValue::Keyring { keyring } => lookup(&keyring).map_err(|e| Invalid(format!("{what}: {e}")))?.ok_or_else(|| {
            Invalid(format!("{what} refers to the keyring entry `{keyring}`, which this machine does not have (meshctl secret set {keyring})"))
        }),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    #[error("cannot read the environment file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("the environment file {path} is invalid: {reason}")]
    Invalid { path: String, reason: String },
}

impl ClusterConfig {
    /// Reads an environment file; secrets it names are read from the OS keyring.
    pub fn load(path: &Path) -> Result<Self, EnvError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| EnvError::Read { path: path.display().to_string(), reason: e.to_string() })?;
        let mut cfg = Self::parse_with(&text, &crate::keyring::secret_get)
            .map_err(|e| EnvError::Invalid { path: path.display().to_string(), reason: e.0 })?;
        #[cfg(unix)]
        if let Ok(meta) = std::fs::metadata(path) {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 && cfg.warnings.iter().any(|w| w.contains("written in clear")) {
                cfg.warnings.push(format!(
                    "the environment file {} holds secrets in clear and other users may read it (mode {:o}): chmod 600 it, or move the secrets to the keyring",
                    path.display(),
                    mode & 0o777
                ));
            }
        }
        Ok(cfg)
    }

    /// Parses an environment file whose keyring references must not be needed (tests, checks).
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        Self::parse_with(text, &|name: &str| {
            Err(crate::keyring::KeyringError::Invalid(Invalid(format!("no keyring to look `{name}` up in"))))
        })
    }

    /// Parses an environment file, looking keyring references up with `lookup`.
    pub fn parse_with(text: &str, lookup: Resolver<'_>) -> Result<Self, Invalid> {
        let f: FileFormat = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut warnings = Vec::new();
        let properties = kafka_properties(f.kafka, lookup, &mut warnings)?;
        let url = f.registry.url.trim().to_owned();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Invalid(format!("[registry] url `{url}` must start with http:// or https://")));
        }
        // Credentials in the URL would reach the status line, errors and exports.
        let authority = url.split("://").nth(1).unwrap_or_default().split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(
                "[registry] url must not carry credentials (user:password@): write them as basic_auth = { user = \"…\", password = { keyring = \"NAME\" } }"
                    .into(),
            );
        }
        let registry_auth = match (f.registry.basic_auth, f.registry.bearer_token) {
            (Some(_), Some(_)) => return Err(Invalid::from("[registry] takes basic_auth or bearer_token, not both")),
            (Some(b), None) => Some(Auth::Basic {
                user: b.user,
                password: resolve("[registry] basic_auth password", b.password, lookup, &mut warnings)?,
            }),
            (None, Some(t)) => Some(Auth::Bearer(resolve("[registry] bearer_token", t, lookup, &mut warnings)?)),
            (None, None) => None,
        };
        let trust = trust_root(f.trust)?;
        if trust.admins.is_empty() {
            warnings.push(
                "[trust] names no governance admins: no key can be endorsed, so every signed event is refused (meshctl trust init creates an admin key)".into(),
            );
        }
        if let Some(p) = &f.principal {
            meshdesk_domain::Principal::parse(p)?;
        }
        Ok(Self {
            named: f.name.is_some(),
            name: f.name.unwrap_or_else(|| "cluster".into()),
            principal: f.principal,
            governance_topic: f.governance_topic.unwrap_or_else(|| GOVERNANCE_TOPIC.into()),
            kafka: KafkaProfile { properties },
            registry_url: url,
            registry_auth,
            trust,
            signing_key: f.signing_key.map(|k| k.keyring),
            warnings,
        })
    }
}

/// The `[kafka]` table: each property as a string, secrets read from the keyring (or taken in
/// clear with a warning); `bootstrap.servers` is required.
fn kafka_properties(
    table: BTreeMap<String, toml::Value>,
    lookup: Resolver<'_>,
    warnings: &mut Vec<String>,
) -> Result<BTreeMap<String, String>, Invalid> {
    let mut properties = BTreeMap::new();
    for (k, v) in table {
        let v = match v {
            toml::Value::Table(t) if t.len() == 1 && t.get("keyring").is_some_and(toml::Value::is_str) => {
                let name = t["keyring"].as_str().unwrap_or_default().to_owned();
                resolve(&format!("kafka property `{k}`"), SecretValue::Keyring { keyring: name }, lookup, warnings)?
            }
            toml::Value::String(s) if is_secret_property(&k) => {
                resolve(&format!("kafka property `{k}`"), SecretValue::Plain(s), lookup, warnings)?
            }
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                return Err(Invalid(format!(
                    "kafka property `{k}` must be a string, number or boolean, not {}",
                    other.type_str()
                )));
            }
        };
        properties.insert(k, v);
    }
    if properties.get("bootstrap.servers").is_none_or(|s| s.trim().is_empty()) {
        return Err(Invalid::from("[kafka] needs \"bootstrap.servers\""));
    }
    Ok(properties)
}

/// The `[trust]` table as the environment's root: its admins, and how an older log is taken.
fn trust_root(section: Option<TrustSection>) -> Result<TrustRoot, Invalid> {
    let trust = section.unwrap_or(TrustSection {
        admins: vec![],
        accept_unsigned_before_offset: None,
        environment: None,
        accept_unbound_before_offset: None,
    });
    let (environment, unbound_before) = (trust.environment, trust.accept_unbound_before_offset);
    let mut root = TrustRoot::new(trust.admins, trust.accept_unsigned_before_offset)?;
    match environment {
        Some(e) => root = root.bound_to(&e, unbound_before)?,
        // Bound once connected, to the log's topic and the cluster's id (`bound_to` checks the
        // offset then; it is checked here already so that a bad file is said at once).
        None => match unbound_before {
            Some(o) if o < 0 => {
                return Err(Invalid(format!("[trust] accept_unbound_before_offset must be 0 or more, not {o}")));
            }
            o => root.accept_unbound_before_offset = o,
        },
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_stay_out_of_urls_debug_output_and_readable_files() {
        // Verifies a registry URL with user:password@ is refused with a message, debug output of a loaded environment shows no secret, and a file with secrets in clear that others may read gets a warning.
        let err = ClusterConfig::parse(
            "[kafka]\n\"bootstrap.servers\" = \"b:9092\"\n[registry]\nurl = \"https://alice:pw@sr.example:8081\"\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("must not carry credentials"), "{err}");
        let text = "[kafka]\n\"bootstrap.servers\" = \"b:9092\"\n\"sasl.password\" = \"hunter2\"\n\"sasl.oauthbearer.client.secret\" = \"oauth-s3cret\"\n[registry]\nurl = \"https://sr.example:8081/a@b\"\nbearer_token = \"t0ken-value\"\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("env.toml");
        std::fs::write(&path, text).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let c = ClusterConfig::load(&path).unwrap();
        let debug = format!("{c:?}");
        for secret in ["hunter2", "oauth-s3cret", "t0ken-value"] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
        assert!(c.warnings.iter().any(|w| w.contains("other users may read it (mode 644)")), "{:?}", c.warnings);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let c = ClusterConfig::load(&path).unwrap();
        assert!(!c.warnings.iter().any(|w| w.contains("other users may read it")), "{:?}", c.warnings);
    }

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
        assert!(c.warnings.iter().any(|w| w.contains("basic_auth password is written in clear")), "{:?}", c.warnings);
    }

    #[test]
    fn secrets_come_from_the_keyring_and_admins_from_the_trust_section() {
        // Verifies keyring references for a Kafka password and the registry's token, the trust
        // section's keys, and that a missing keyring entry or a bad admin key is refused.
        let admin =
            meshdesk_domain::trust::Signer::from_seed(meshdesk_domain::Principal::parse("User:a").unwrap(), &[1; 32]);
        let text = format!(
            r#"
            [kafka]
            "bootstrap.servers" = "b:1"
            "sasl.password" = {{ keyring = "prod-kafka" }}
            [registry]
            url = "https://sr"
            bearer_token = {{ keyring = "prod-sr" }}
            [trust]
            admins = ["{}"]
            accept_unsigned_before_offset = 12
            "#,
            admin.public_key().id()
        );
        let lookup = |n: &str| {
            Ok(match n {
                "prod-kafka" => Some("k-pw".to_owned()),
                "prod-sr" => Some("tok".to_owned()),
                _ => None,
            })
        };
        let c = ClusterConfig::parse_with(&text, &lookup).unwrap();
        assert_eq!(c.kafka.properties["sasl.password"], "k-pw");
        assert_eq!(c.registry_auth, Some(Auth::Bearer("tok".into())));
        assert_eq!(c.trust.admins, vec![admin.public_key().id()]);
        assert_eq!(c.trust.accept_unsigned_before_offset, Some(12));
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let none = |_: &str| Ok(None);
        let e = ClusterConfig::parse_with(&text, &none).unwrap_err();
        assert!(e.to_string().contains("meshctl secret set prod-kafka"), "{e}");
        let bad = text.replace("admins = [\"", "admins = [\"x");
        assert!(ClusterConfig::parse_with(&bad, &lookup).unwrap_err().to_string().contains("[trust] admins"));
        let clear = ClusterConfig::parse(
            "[kafka]\n\"bootstrap.servers\"=\"b:1\"\n\"sasl.password\"=\"pw\"\n[registry]\nurl=\"http://x\"",
        )
        .unwrap();
        assert!(clear.warnings.iter().any(|w| w.contains("`sasl.password` is written in clear")));
        assert!(clear.warnings.iter().any(|w| w.contains("names no governance admins")));
    }

    #[test]
    fn bad_config_files_say_what_is_wrong() {
        let e = ClusterConfig::parse("[kafka]\n[registry]\nurl = \"http://x\"").unwrap_err();
        assert!(e.to_string().contains("bootstrap.servers"), "{e}");
        let e =
            ClusterConfig::parse("[kafka]\n\"bootstrap.servers\"=\"b:1\"\n[registry]\nurl = \"x:8081\"").unwrap_err();
        assert!(e.to_string().contains("http://"), "{e}");
        let e =
            ClusterConfig::parse("[kafka]\n\"bootstrap.servers\"=\"b:1\"\n[registry]\nurl=\"http://x\"\nuser=\"u\"")
                .unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{e}");
        let e = ClusterConfig::parse(
            "principal=\"alice\"\n[kafka]\n\"bootstrap.servers\"=\"b:1\"\n[registry]\nurl=\"http://x\"",
        )
        .unwrap_err();
        assert!(e.to_string().contains("User:alice"), "{e}");
    }
}

//! Identifiers and the naming rules they obey: domain ids, product ids, Kafka topic names.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a name was refused, in words a domain owner understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The name is empty.
    #[error("{what} must not be empty")]
    Empty {
        /// What was named, e.g. `domain id`.
        what: &'static str,
    },
    /// The name is longer than allowed.
    #[error("{what} `{value}` is {len} characters long; at most {max} are allowed")]
    TooLong {
        /// What was named.
        what: &'static str,
        /// The name refused.
        value: String,
        /// Its length in characters.
        len: usize,
        /// The most allowed.
        max: usize,
    },
    /// The name holds a character not allowed.
    #[error("{what} `{value}` contains `{ch}` at position {pos}; only {allowed} are allowed")]
    IllegalChar {
        /// What was named.
        what: &'static str,
        /// The name refused.
        value: String,
        /// The character.
        ch: char,
        /// Its position, from 1.
        pos: usize,
        /// The characters allowed, in words.
        allowed: &'static str,
    },
    /// The name is not kebab-case.
    #[error("{what} `{value}` must be kebab-case: lowercase words joined by single hyphens")]
    NotKebab {
        /// What was named.
        what: &'static str,
        /// The name refused.
        value: String,
    },
    /// Kafka reserves the topic name (`.` or `..`).
    #[error("topic name `{0}` is reserved by Kafka")]
    Reserved(String),
    /// The product id has no `<domain>.` part.
    #[error("product id `{0}` must look like `<domain>.<product>`")]
    NotQualified(String),
}

/// Kafka's limit on topic name length.
pub const MAX_TOPIC_LEN: usize = 249;

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        && s.starts_with(|c: char| c.is_ascii_lowercase())
}

fn check_kebab(what: &'static str, s: &str, max: usize) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty { what });
    }
    let len = s.chars().count();
    if len > max {
        return Err(IdError::TooLong { what, value: s.to_owned(), len, max });
    }
    if let Some((pos, ch)) =
        s.chars().enumerate().find(|(_, c)| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(IdError::IllegalChar {
            what,
            value: s.to_owned(),
            ch,
            pos: pos + 1,
            allowed: "lowercase letters, digits and `-`",
        });
    }
    if !is_kebab(s) {
        return Err(IdError::NotKebab { what, value: s.to_owned() });
    }
    Ok(())
}

macro_rules! string_id {
    ($name:ident) => {
        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    };
}

/// A domain id: kebab-case, e.g. `inventory`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DomainId(String);
string_id!(DomainId);

impl DomainId {
    /// The longest domain id allowed.
    pub const MAX_LEN: usize = 64;
    /// Checks `s` is a valid domain id.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        check_kebab("domain id", s, Self::MAX_LEN)?;
        Ok(Self(s.to_owned()))
    }
}

/// A data product id: `<domain>.<product>`, both parts kebab-case, e.g. `inventory.stock-levels`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProductId(String);
string_id!(ProductId);

impl ProductId {
    /// Checks `s` is a valid product id, `<domain>.<product>`.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let (domain, name) = s.split_once('.').ok_or_else(|| IdError::NotQualified(s.to_owned()))?;
        DomainId::parse(domain)?;
        check_kebab("product name", name, 128)?;
        Ok(Self(s.to_owned()))
    }
    /// The id of product `name` in `domain`.
    pub fn new(domain: &DomainId, name: &str) -> Result<Self, IdError> {
        Self::parse(&format!("{domain}.{name}"))
    }
    /// The domain part.
    pub fn domain(&self) -> DomainId {
        DomainId(self.0.split_once('.').map(|(d, _)| d).unwrap_or_default().to_owned())
    }
    /// The product's name within its domain.
    pub fn name(&self) -> &str {
        self.0.split_once('.').map(|(_, n)| n).unwrap_or_default()
    }
}

/// A Kafka topic name that Kafka itself accepts: `[a-zA-Z0-9._-]`, 1..=249 characters,
/// not `.` or `..`. Meshdesk's own convention (`<domain>.<event-name>`) is a policy on top,
/// see [`TopicName::follows_convention`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TopicName(String);
string_id!(TopicName);

impl TopicName {
    /// Checks `s` is a name Kafka accepts for a topic.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        const WHAT: &str = "topic name";
        if s.is_empty() {
            return Err(IdError::Empty { what: WHAT });
        }
        if s == "." || s == ".." {
            return Err(IdError::Reserved(s.to_owned()));
        }
        let len = s.chars().count();
        if len > MAX_TOPIC_LEN {
            return Err(IdError::TooLong { what: WHAT, value: s.to_owned(), len, max: MAX_TOPIC_LEN });
        }
        if let Some((pos, ch)) =
            s.chars().enumerate().find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        {
            return Err(IdError::IllegalChar {
                what: WHAT,
                value: s.to_owned(),
                ch,
                pos: pos + 1,
                allowed: "ASCII letters, digits, `.`, `_` and `-`",
            });
        }
        Ok(Self(s.to_owned()))
    }

    /// The topic for `event` in `domain` by Meshdesk's convention: `<domain>.<event-name>`.
    pub fn for_event(domain: &DomainId, event: &str) -> Result<Self, IdError> {
        check_kebab("event name", event, 128)?;
        Self::parse(&format!("{domain}.{event}"))
    }

    /// Whether the name follows `<domain>.<event-name>` with both parts kebab-case.
    pub fn follows_convention(&self) -> bool {
        match self.0.split_once('.') {
            Some((d, e)) => is_kebab(d) && is_kebab(e),
            None => false,
        }
    }

    /// Kafka treats `.` and `_` as colliding in metric names: two topics that differ only
    /// there cannot coexist safely. This is the key under which such names collide.
    pub fn collision_key(&self) -> String {
        self.0.replace('.', "_")
    }

    /// Topics whose name starts with `_` are internal by convention (`_schemas`, `_meshdesk.*`).
    pub fn is_internal(&self) -> bool {
        self.0.starts_with('_') || self.0.starts_with("__")
    }
}

/// The Schema Registry subject for a topic's key or value under TopicNameStrategy.
pub fn subject_for(topic: &TopicName, key: bool) -> String {
    format!("{}-{}", topic, if key { "key" } else { "value" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_ids_must_be_kebab_case() {
        assert!(DomainId::parse("inventory").is_ok());
        assert!(DomainId::parse("order-fulfilment2").is_ok());
        assert_eq!(DomainId::parse(""), Err(IdError::Empty { what: "domain id" }));
        assert!(matches!(DomainId::parse("Inventory"), Err(IdError::IllegalChar { ch: 'I', pos: 1, .. })));
        assert!(matches!(DomainId::parse("stock_levels"), Err(IdError::IllegalChar { ch: '_', pos: 6, .. })));
        assert!(matches!(DomainId::parse("-sales"), Err(IdError::NotKebab { .. })));
        assert!(matches!(DomainId::parse("sales--eu"), Err(IdError::NotKebab { .. })));
        assert!(matches!(DomainId::parse("sales-"), Err(IdError::NotKebab { .. })));
        assert!(matches!(DomainId::parse("9sales"), Err(IdError::NotKebab { .. })));
        assert!(matches!(DomainId::parse(&"a".repeat(65)), Err(IdError::TooLong { len: 65, .. })));
    }

    #[test]
    fn product_ids_are_qualified_by_their_domain() {
        let id = ProductId::parse("inventory.stock-levels").unwrap();
        assert_eq!(id.domain().as_str(), "inventory");
        assert_eq!(id.name(), "stock-levels");
        assert_eq!(ProductId::parse("stock-levels"), Err(IdError::NotQualified("stock-levels".into())));
        assert!(ProductId::parse("inventory.Stock").is_err());
        assert!(ProductId::parse("inventory.stock.levels").is_err());
    }

    #[test]
    fn topic_names_follow_kafkas_rules() {
        assert!(TopicName::parse("inventory.stock-level-updated").is_ok());
        assert!(TopicName::parse("Legacy_TOPIC-1").is_ok());
        assert_eq!(TopicName::parse("."), Err(IdError::Reserved(".".into())));
        assert_eq!(TopicName::parse(".."), Err(IdError::Reserved("..".into())));
        assert!(matches!(TopicName::parse(""), Err(IdError::Empty { .. })));
        assert!(matches!(TopicName::parse("a b"), Err(IdError::IllegalChar { ch: ' ', pos: 2, .. })));
        assert!(matches!(TopicName::parse("bestände"), Err(IdError::IllegalChar { ch: 'ä', pos: 5, .. })));
        assert!(TopicName::parse(&"x".repeat(249)).is_ok());
        assert!(matches!(TopicName::parse(&"x".repeat(250)), Err(IdError::TooLong { len: 250, max: 249, .. })));
    }

    #[test]
    fn the_naming_convention_is_domain_dot_event() {
        let d = DomainId::parse("sales").unwrap();
        let t = TopicName::for_event(&d, "order-placed").unwrap();
        assert_eq!(t.as_str(), "sales.order-placed");
        assert!(t.follows_convention());
        assert!(!TopicName::parse("orders").unwrap().follows_convention());
        assert!(!TopicName::parse("sales.OrderPlaced").unwrap().follows_convention());
        assert!(TopicName::for_event(&d, "OrderPlaced").is_err());
    }

    #[test]
    fn dot_and_underscore_collide() {
        let a = TopicName::parse("sales.order_placed").unwrap();
        let b = TopicName::parse("sales_order.placed").unwrap();
        assert_eq!(a.collision_key(), b.collision_key());
        assert!(TopicName::parse("_meshdesk.governance").unwrap().is_internal());
        assert!(!a.is_internal());
    }

    #[test]
    fn subjects_follow_topic_name_strategy() {
        let t = TopicName::parse("sales.order-placed").unwrap();
        assert_eq!(subject_for(&t, false), "sales.order-placed-value");
        assert_eq!(subject_for(&t, true), "sales.order-placed-key");
    }

    #[test]
    fn ids_round_trip_through_serde_and_refuse_bad_input() {
        let id: DomainId = serde_json::from_str("\"customer\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"customer\"");
        assert!(serde_json::from_str::<DomainId>("\"Customer\"").is_err());
        assert!(serde_json::from_str::<TopicName>("\"..\"").is_err());
    }
}

//! Schema changes as the people who read a product meet them: what a new version does to its
//! readers before it is registered (`impact`), the breaking path (a new `-v2` port beside the
//! old one, which is deprecated with a sunset date: `breaking_path`), and what changed between
//! two publications of a product (`changes`), which every reader's desktop is told about.

use crate::error::Invalid;
use serde::{Deserialize, Serialize};

use crate::ids::{TopicName, subject_for};
use crate::model::{CompatibilityLevel, DataProduct, PortDeprecation, SchemaFormat, SchemaRef};
use crate::schema::diff::{FieldChange, diff};
use crate::schema::{ParsedSchema, check_messages};

/// What a new schema version does to the subject's readers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactSummary {
    /// Whether the subject's readers can read the new version.
    pub compatible: bool,
    /// Why readers break (incompatible), in words.
    pub problems: Vec<String>,
    /// What readers will see (fields added with their defaults, fields removed, ...).
    pub visible: Vec<String>,
}

/// The new schema against the registered versions (oldest first) at `level`.
pub fn impact(level: CompatibilityLevel, previous: &[(u32, &ParsedSchema)], new: &ParsedSchema) -> ImpactSummary {
    let problems = check_messages(level, previous, new);
    let visible = match (previous.last(), new) {
        (Some((_, ParsedSchema::Avro(old))), ParsedSchema::Avro(n)) => diff(old, n)
            .iter()
            .filter_map(|c| {
                let said = seen_by_readers(c)?;
                // A new field: readers of older records get its default.
                Some(match c {
                    FieldChange::Added { path, .. } => match field_default(n, path) {
                        Some(d) => format!("{said}, {d} in older records"),
                        None => said,
                    },
                    _ => said,
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    ImpactSummary { compatible: problems.is_empty(), problems, visible }
}

fn seen_by_readers(c: &FieldChange) -> Option<String> {
    Some(match c {
        FieldChange::Added { path, ty } => format!("a new field `{path}` ({ty})"),
        FieldChange::Removed { path, ty } => format!("the field `{path}` ({ty}) is gone: readers get its default"),
        FieldChange::Renamed { from, to } => format!("`{from}` is now called `{to}`"),
        FieldChange::TypeChanged { path, from, to } => format!("`{path}` changes from {from} to {to}"),
        FieldChange::DefaultChanged { path, to: Some(d), .. } => format!("`{path}` now defaults to {d}"),
        FieldChange::DefaultChanged { path, to: None, .. } => format!("`{path}` no longer has a default"),
        FieldChange::DocChanged { .. } => return None,
    })
}

/// The default of the field at a dotted path of an Avro schema, as JSON.
fn field_default(s: &crate::schema::AvroSchema, path: &str) -> Option<String> {
    crate::export::registry::locate(s, path)?.default.map(|d| d.to_string())
}

/// What one reader should expect, for the impact panel.
pub fn effect(summary: &ImpactSummary) -> String {
    if !summary.compatible {
        return "breaks: the change is incompatible with what it reads now".to_owned();
    }
    if summary.visible.is_empty() {
        "nothing changes for it".to_owned()
    } else {
        format!("keeps reading; it will see {}", summary.visible.join("; "))
    }
}

/// A sunset date as the product page and events carry it: `YYYY-MM-DD`.
pub fn check_sunset(sunset: &str) -> Result<(), Invalid> {
    if sunset.trim().is_empty() {
        return Err(Invalid::from("choose the sunset date: the day after which it is retired"));
    }
    let b = sunset.as_bytes();
    let ok = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
        && (1..=12).contains(&sunset[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&sunset[8..10].parse::<u32>().unwrap_or(0));
    if ok { Ok(()) } else { Err(Invalid(format!("sunset date `{sunset}` must look like 2027-03-31"))) }
}

/// The topic a breaking change moves to: `<topic>-v2`, or the next number after `-vN`.
pub fn next_topic(topic: &TopicName) -> Result<TopicName, Invalid> {
    let t = topic.as_str();
    let next = match t.rsplit_once("-v") {
        Some((base, n)) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => match n.parse::<u32>() {
            Ok(n) if n < u32::MAX => format!("{base}-v{}", n + 1),
            _ => format!("{t}-v2"),
        },
        _ => format!("{t}-v2"),
    };
    TopicName::parse(&next).map_err(|e| Invalid(e.to_string()))
}

/// The product with the breaking path taken for port `i`: a new port (the next `-vN` topic and
/// subject) with `new_schema`, placed after the old one; the old port keeps its registered
/// schema and is deprecated until `sunset`, naming the new one as its successor.
pub fn breaking_path(
    p: &DataProduct,
    i: usize,
    new_schema: &str,
    registered: &str,
    sunset: &str,
    reason: &str,
) -> Result<DataProduct, Invalid> {
    check_sunset(sunset)?;
    let old = p.output_ports.get(i).ok_or_else(|| format!("the product has no port {}", i + 1))?;
    if old.deprecation.is_some() {
        return Err(Invalid(format!("{} is deprecated already", old.topic)));
    }
    let topic = next_topic(&old.topic)?;
    if p.output_ports.iter().any(|x| x.topic == topic) {
        return Err(Invalid(format!("the product has a port {topic} already")));
    }
    let level = old.value_schema.as_ref().map(|s| s.compatibility).unwrap_or(CompatibilityLevel::BackwardTransitive);
    let format = old.value_schema.as_ref().map(|s| s.format).unwrap_or(SchemaFormat::Avro);
    let mut new_port = old.clone();
    new_port.topic = topic.clone();
    new_port.description = format!("{} (version 2 of the records: {reason})", old.description.trim_end_matches('.'));
    new_port.value_schema = Some(SchemaRef {
        subject: subject_for(&topic, false),
        format,
        schema: new_schema.to_owned(),
        id: None,
        version: None,
        compatibility: level,
    });
    new_port.key_schema = old.key_schema.as_ref().map(|k| SchemaRef {
        subject: subject_for(&topic, true),
        id: None,
        version: None,
        ..k.clone()
    });
    let mut out = p.clone();
    let kept = &mut out.output_ports[i];
    if let Some(s) = kept.value_schema.as_mut() {
        s.schema = registered.to_owned();
    }
    kept.deprecation =
        Some(PortDeprecation { sunset: sunset.to_owned(), successor: Some(topic), reason: reason.trim().to_owned() });
    out.output_ports.insert(i + 1, new_port);
    Ok(out)
}

/// One change a publication made, as readers are told about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A port's schema has a new registered version.
    NewVersion {
        /// The port's topic.
        topic: String,
        /// The registry subject.
        subject: String,
        /// The version registered, if known.
        version: Option<u32>,
        /// What readers will see, in words.
        details: Vec<String>,
    },
    /// A port was added (for a breaking change: the successor of a deprecated one).
    PortAdded {
        /// The new port's topic.
        topic: String,
    },
    /// A port is deprecated: readers move to the successor before the sunset date.
    PortDeprecated {
        /// The deprecated port's topic.
        topic: String,
        /// The date after which it is retired.
        sunset: String,
        /// The port readers move to, if any.
        successor: Option<String>,
        /// Why, for readers.
        reason: String,
    },
    /// A port is gone from the product.
    PortRemoved {
        /// The removed port's topic.
        topic: String,
    },
    /// The whole product is deprecated.
    ProductDeprecated {
        /// The date after which it is retired, if set.
        sunset: Option<String>,
    },
}

impl Change {
    /// The change in a sentence, for the notice and the product page.
    pub fn describe(&self) -> String {
        match self {
            Change::NewVersion { topic, version, details, .. } => {
                let v = version.map(|v| format!("version {v}")).unwrap_or_else(|| "a new version".into());
                if details.is_empty() {
                    format!("{topic}: {v} of the schema")
                } else {
                    format!("{topic}: {v} of the schema ({})", details.join("; "))
                }
            }
            Change::PortAdded { topic } => format!("a new port {topic}"),
            Change::PortDeprecated { topic, sunset, successor, reason } => {
                let to = successor.as_ref().map(|s| format!("; move to {s}")).unwrap_or_default();
                let why = if reason.is_empty() { String::new() } else { format!(" ({reason})") };
                format!("{topic} is deprecated{why} and retired after {sunset}{to}")
            }
            Change::PortRemoved { topic } => format!("the port {topic} is gone"),
            Change::ProductDeprecated { sunset } => match sunset {
                Some(s) => format!("the product is deprecated and retired after {s}"),
                None => "the product is deprecated".into(),
            },
        }
    }

    /// Whether readers have to act (move to another port or product).
    pub fn needs_action(&self) -> bool {
        matches!(self, Change::PortDeprecated { .. } | Change::PortRemoved { .. } | Change::ProductDeprecated { .. })
    }

    /// The port the change is about; `None` for the whole product.
    pub fn topic(&self) -> Option<&str> {
        match self {
            Change::NewVersion { topic, .. }
            | Change::PortAdded { topic }
            | Change::PortDeprecated { topic, .. }
            | Change::PortRemoved { topic } => Some(topic),
            Change::ProductDeprecated { .. } => None,
        }
    }
}

/// What changed from the product as it was (`None`: its first publication) to `new`.
pub fn changes(old: Option<&DataProduct>, new: &DataProduct) -> Vec<Change> {
    let Some(old) = old else { return Vec::new() };
    let mut out = Vec::new();
    for port in &new.output_ports {
        let topic = port.topic.as_str().to_owned();
        let Some(before) = old.output_ports.iter().find(|o| o.topic == port.topic) else {
            out.push(Change::PortAdded { topic });
            continue;
        };
        if let (Some(a), Some(b)) = (&before.value_schema, &port.value_schema)
            && (a.version != b.version || a.schema != b.schema)
            && b.version.is_some()
        {
            let details = match (ParsedSchema::parse(a.format, &a.schema), ParsedSchema::parse(b.format, &b.schema)) {
                (Ok(ParsedSchema::Avro(x)), Ok(ParsedSchema::Avro(y))) => {
                    diff(&x, &y).iter().filter_map(seen_by_readers).collect()
                }
                _ => Vec::new(),
            };
            out.push(Change::NewVersion {
                topic: topic.clone(),
                subject: b.subject.clone(),
                version: b.version,
                details,
            });
        }
        if before.deprecation.is_none()
            && let Some(d) = &port.deprecation
        {
            out.push(Change::PortDeprecated {
                topic,
                sunset: d.sunset.clone(),
                successor: d.successor.as_ref().map(|s| s.as_str().to_owned()),
                reason: d.reason.clone(),
            });
        }
    }
    for gone in old.output_ports.iter().filter(|o| !new.output_ports.iter().any(|n| n.topic == o.topic)) {
        out.push(Change::PortRemoved { topic: gone.topic.as_str().to_owned() });
    }
    if new.status == crate::model::ProductStatus::Deprecated && old.status != crate::model::ProductStatus::Deprecated {
        out.push(Change::ProductDeprecated { sunset: new.sunset.clone() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    fn stock() -> DataProduct {
        seed::products().into_iter().find(|p| p.id.as_str() == "inventory.stock-levels").expect("seeded")
    }

    #[test]
    fn the_breaking_path_adds_a_v2_port_and_deprecates_the_old_one() {
        // Verifies the breaking path on Stock levels: a `-v2` port with the new schema and its own subject follows the old port, which keeps its registered schema and is deprecated with the sunset date and its successor; the changes a reader is told are the new port and the deprecation; a bad date or a second deprecation is refused.
        let p = stock();
        let registered = p.output_ports[0].value_schema.as_ref().unwrap().schema.clone();
        let new_schema = registered.replace(r#""type": "int""#, r#""type": "string""#);
        let q = breaking_path(&p, 0, &new_schema, &registered, "2027-03-31", "quantity becomes a string").unwrap();
        assert_eq!(q.output_ports.len(), 2);
        let (old, v2) = (&q.output_ports[0], &q.output_ports[1]);
        assert_eq!(v2.topic.as_str(), "inventory.stock-level-updated-v2");
        assert_eq!(v2.value_schema.as_ref().unwrap().subject, "inventory.stock-level-updated-v2-value");
        assert_eq!(v2.value_schema.as_ref().unwrap().schema, new_schema);
        assert_eq!(old.value_schema.as_ref().unwrap().schema, registered);
        let d = old.deprecation.as_ref().unwrap();
        assert_eq!(
            (d.sunset.as_str(), d.successor.as_ref().unwrap().as_str()),
            ("2027-03-31", "inventory.stock-level-updated-v2")
        );
        let told = changes(Some(&p), &q);
        assert!(
            matches!(
                &told[..],
                [Change::PortDeprecated { .. }, Change::PortAdded { .. }]
                    | [Change::PortAdded { .. }, Change::PortDeprecated { .. }]
            ),
            "{told:?}"
        );
        assert!(told.iter().any(|c| c.describe().contains("move to inventory.stock-level-updated-v2")));
        assert!(breaking_path(&p, 0, &new_schema, &registered, "31.03.2027", "x").is_err());
        assert!(
            breaking_path(&q, 0, &new_schema, &registered, "2027-03-31", "x")
                .unwrap_err()
                .to_string()
                .contains("deprecated already")
        );
        assert_eq!(next_topic(&TopicName::parse("sales.orders-v2").unwrap()).unwrap().as_str(), "sales.orders-v3");
    }

    #[test]
    fn impact_says_what_breaks_and_what_compatible_readers_will_see() {
        // Verifies the impact summary: an incompatible change lists why readers break, a compatible one lists the new field with its type, and each reader's effect is a sentence.
        let p = stock();
        let text = p.output_ports[0].value_schema.as_ref().unwrap().schema.clone();
        let old = ParsedSchema::parse(SchemaFormat::Avro, &text).unwrap();
        let prev = [(1, &old)];
        let broken =
            ParsedSchema::parse(SchemaFormat::Avro, &text.replace(r#""type": "int""#, r#""type": "string""#)).unwrap();
        let s = impact(CompatibilityLevel::BackwardTransitive, &prev, &broken);
        assert!(!s.compatible && s.problems[0].contains("quantity"), "{s:?}");
        assert!(effect(&s).starts_with("breaks: "));
        let added = text.replace(
            r#"{"name": "quantity""#,
            r#"{"name": "note", "type": ["null", "string"], "default": null}, {"name": "quantity""#,
        );
        let s = impact(
            CompatibilityLevel::BackwardTransitive,
            &prev,
            &ParsedSchema::parse(SchemaFormat::Avro, &added).unwrap(),
        );
        assert!(s.compatible, "{s:?}");
        assert_eq!(s.visible, vec!["a new field `note` (null | string), null in older records".to_owned()]);
        assert!(effect(&s).contains("a new field `note`"));
    }
}

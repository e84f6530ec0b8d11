//! Promotion of a product from one environment to another (dev → prod): what the product is in
//! the target (its schema ids and versions belong to the source's registry, so they are left
//! for the target's registry to give), and how the two environments differ, for the review
//! before anything is applied. Pure: the service reads both sides and applies the plan with the
//! wizard's journal.

use serde::{Deserialize, Serialize};

use crate::model::{DataProduct, OutputPort, SchemaRef};

/// One way the target differs from the source, for people: where, and what each side has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// `product`, `version`, `port inventory.stock-reserved: partitions`, ...
    pub at: String,
    /// What the source has (the value the promotion brings).
    pub source: String,
    /// What the target has now (`absent` when it has nothing there).
    pub target: String,
}

/// The product as it is published in the target: the same description, with the schemas' ids
/// and versions cleared (the target's registry gives its own) and published again.
pub fn for_target(p: &DataProduct) -> DataProduct {
    let mut out = p.clone();
    for port in &mut out.output_ports {
        for s in port.key_schema.iter_mut().chain(port.value_schema.iter_mut()) {
            s.id = None;
            s.version = None;
        }
    }
    out
}

const ABSENT: &str = "absent";

fn diff(out: &mut Vec<Difference>, at: impl Into<String>, source: String, target: String) {
    if source != target {
        out.push(Difference { at: at.into(), source, target });
    }
}

/// A schema's text in a canonical form, so that whitespace and key order do not count as a
/// change (JSON: Avro and JSON Schema); other formats as written, trimmed.
fn canonical(s: &SchemaRef) -> String {
    match serde_json::from_str::<serde_json::Value>(&s.schema) {
        Ok(v) => v.to_string(),
        Err(_) => s.schema.trim().to_owned(),
    }
}

fn schema_words(s: Option<&SchemaRef>) -> String {
    match s {
        None => ABSENT.into(),
        Some(s) => match s.version {
            Some(v) => format!("{} version {v}", s.subject),
            None => s.subject.clone(),
        },
    }
}

fn port_differences(out: &mut Vec<Difference>, src: &OutputPort, dst: &OutputPort) {
    let at = |what: &str| format!("port {}: {what}", src.topic);
    diff(out, at("partitions"), src.partitions.to_string(), dst.partitions.to_string());
    diff(out, at("replication factor"), src.replication_factor.to_string(), dst.replication_factor.to_string());
    diff(out, at("retention.ms"), src.retention_ms.to_string(), dst.retention_ms.to_string());
    diff(out, at("cleanup.policy"), src.cleanup_policy.as_str().into(), dst.cleanup_policy.as_str().into());
    diff(out, at("description"), src.description.clone(), dst.description.clone());
    for (which, a, b) in
        [("key schema", &src.key_schema, &dst.key_schema), ("value schema", &src.value_schema, &dst.value_schema)]
    {
        match (a, b) {
            (Some(a), Some(b)) => {
                if canonical(a) != canonical(b) || a.format != b.format {
                    out.push(Difference {
                        at: at(which),
                        source: format!("changed ({})", schema_words(Some(a))),
                        target: schema_words(Some(b)),
                    });
                }
                diff(
                    out,
                    at(&format!("{which} compatibility")),
                    a.compatibility.to_string(),
                    b.compatibility.to_string(),
                );
            }
            (Some(a), None) => diff(out, at(which), schema_words(Some(a)), ABSENT.into()),
            (None, Some(b)) => diff(out, at(which), ABSENT.into(), schema_words(Some(b))),
            (None, None) => {}
        }
    }
}

/// How the target's product (`None`: the target has none) differs from the source's.
pub fn differences(source: &DataProduct, target: Option<&DataProduct>) -> Vec<Difference> {
    let Some(target) = target else {
        return vec![Difference {
            at: "product".into(),
            source: format!("version {}", source.version),
            target: ABSENT.into(),
        }];
    };
    let mut out = Vec::new();
    diff(&mut out, "version", source.version.clone(), target.version.clone());
    diff(&mut out, "title", source.title.clone(), target.title.clone());
    diff(&mut out, "description", source.description.clone(), target.description.clone());
    diff(&mut out, "classification", source.classification.as_str().into(), target.classification.as_str().into());
    diff(&mut out, "status", source.status.as_str().into(), target.status.as_str().into());
    let names = |p: &DataProduct| p.owners.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(", ");
    diff(&mut out, "owners", names(source), names(target));
    diff(&mut out, "tags", source.tags.join(", "), target.tags.join(", "));
    diff(&mut out, "SLA", json(&source.sla), json(&target.sla));
    diff(&mut out, "contract", json(&source.contract), json(&target.contract));
    for src in &source.output_ports {
        match target.output_ports.iter().find(|p| p.topic == src.topic) {
            Some(dst) => port_differences(&mut out, src, dst),
            None => out.push(Difference {
                at: format!("port {}", src.topic),
                source: format!("{} partitions", src.partitions),
                target: ABSENT.into(),
            }),
        }
    }
    for dst in target.output_ports.iter().filter(|d| !source.output_ports.iter().any(|s| s.topic == d.topic)) {
        out.push(Difference {
            at: format!("port {}", dst.topic),
            source: "not a port any more (the topic stays)".into(),
            target: format!("{} partitions", dst.partitions),
        });
    }
    out
}

/// A part of the model as JSON, for comparison and display.
fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    #[test]
    fn a_product_absent_from_the_target_is_one_difference_and_its_schema_ids_are_left_to_the_target() {
        // Verifies promotion's pure part: a product the target lacks is said as absent; for_target clears the source registry's schema ids and versions and keeps everything else.
        let p = seed::products().remove(0);
        assert_eq!(
            differences(&p, None),
            [Difference { at: "product".into(), source: format!("version {}", p.version), target: "absent".into() }]
        );
        let mut registered = p.clone();
        registered.output_ports[0].value_schema.as_mut().unwrap().id = Some(7);
        registered.output_ports[0].value_schema.as_mut().unwrap().version = Some(3);
        let moved = for_target(&registered);
        assert_eq!(moved.output_ports[0].value_schema.as_ref().unwrap().id, None);
        assert_eq!(moved.output_ports[0].value_schema.as_ref().unwrap().version, None);
        assert_eq!(for_target(&moved), moved);
        assert_eq!(moved.title, p.title);
    }

    #[test]
    fn the_differences_name_what_changed_and_ignore_schema_layout() {
        // Verifies the review's differences: the same product is none; a new version, more partitions, a changed schema, a new port and a port the source dropped are each named with both sides; the same schema written with other whitespace and key order is no change.
        let p = seed::products().remove(0);
        assert!(differences(&p, Some(&p)).is_empty());
        let mut reformatted = p.clone();
        let s = reformatted.output_ports[0].value_schema.as_mut().unwrap();
        let v: serde_json::Value = serde_json::from_str(&s.schema).unwrap();
        s.schema = serde_json::to_string_pretty(&v).unwrap();
        assert!(differences(&reformatted, Some(&p)).is_empty(), "layout is not a change");

        let mut dev = p.clone();
        dev.version = "1.1.0".into();
        dev.output_ports[0].partitions = 6;
        let s = dev.output_ports[0].value_schema.as_mut().unwrap();
        s.schema = s.schema.replacen(
            "\"fields\": [",
            "\"fields\": [{\"name\": \"note\", \"type\": [\"null\", \"string\"], \"default\": null},",
            1,
        );
        let mut extra = dev.output_ports[0].clone();
        extra.topic = crate::TopicName::parse("inventory.stock-counted").unwrap();
        dev.output_ports.push(extra);
        let mut prod = p.clone();
        let mut old = prod.output_ports[0].clone();
        old.topic = crate::TopicName::parse("inventory.stock-old").unwrap();
        prod.output_ports.push(old);
        let found: Vec<(String, String, String)> =
            differences(&dev, Some(&prod)).into_iter().map(|d| (d.at, d.source, d.target)).collect();
        let topic = &p.output_ports[0].topic;
        let at: Vec<String> = found.iter().map(|f| f.0.clone()).collect();
        assert_eq!(
            at,
            [
                "version".to_owned(),
                format!("port {topic}: partitions"),
                format!("port {topic}: value schema"),
                "port inventory.stock-counted".into(),
                "port inventory.stock-old".into(),
            ],
            "{found:#?}"
        );
        assert_eq!((found[0].1.as_str(), found[0].2.as_str()), ("1.1.0", p.version.as_str()));
        assert_eq!((found[1].1.as_str(), found[1].2.as_str()), ("6", "3"));
        assert!(found[2].1.starts_with("changed"), "{found:#?}");
        assert_eq!(found[4].1, "not a port any more (the topic stays)");
    }
}

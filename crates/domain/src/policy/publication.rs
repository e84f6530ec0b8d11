//! The policy rule every fold applies to a product's publication, beside the sending desktop:
//! a publication may not bring a policy error its product did not have. One function, called by
//! `trust::authorize` (so by the service before it writes and by every fold after), so the two
//! cannot drift.
//!
//! Errors the previous version had already stay allowed: a rule published later can make a
//! product break it, and its owners must still be able to deprecate it or fix one thing at a
//! time. A port on a topic a governance admin let the domain adopt (`TopicAdopted`) comes in as
//! it is: the adoption is the governance decision that accepts that topic's name, schema and
//! settings, so findings on that port do not block (the catalog still shows them).

use std::collections::HashSet;

use super::rules::Rule;
use super::{Finding, Policies, Severity, check_with};
use crate::ids::TopicName;
use crate::model::DataProduct;

/// The error findings `new` brings that `old` (the version it replaces, if any) did not have,
/// under the built-in policies and the `published` rules in force, leaving out findings on ports
/// whose topic is in `adopted` (adopted for the product's domain). Empty: the publication passes.
/// Cluster facts (topic collisions) are not judged: the log does not hold them.
pub fn publication_errors(
    new: &DataProduct,
    old: Option<&DataProduct>,
    published: &[Rule],
    adopted: &[TopicName],
) -> Vec<Finding> {
    let policies = Policies::default();
    let errors = |p: &DataProduct| -> Vec<(Finding, String)> {
        check_with(p, &policies, published, &[])
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| {
                let place = place(p, &f.at);
                (f, place)
            })
            .collect()
    };
    let before: HashSet<(String, String)> = match old {
        Some(o) => errors(o).into_iter().map(|(f, place)| (f.policy, place)).collect(),
        None => HashSet::new(),
    };
    errors(new)
        .into_iter()
        .filter(|(f, place)| !before.contains(&(f.policy.clone(), place.clone())))
        .filter(|(f, _)| port_of(new, &f.at).is_none_or(|t| !adopted.contains(t)))
        .map(|(f, _)| f)
        .collect()
}

/// The port `at` points into (`ports[3].fields.x` → the fourth port's topic).
fn port_of<'a>(p: &'a DataProduct, at: &str) -> Option<&'a TopicName> {
    let rest = at.strip_prefix("ports[")?;
    let i: usize = rest[..rest.find(']')?].parse().ok()?;
    p.output_ports.get(i).map(|port| &port.topic)
}

/// Where a finding is, independent of the ports' order: `ports[i]` named by its topic.
fn place(p: &DataProduct, at: &str) -> String {
    match (port_of(p, at), at.find(']')) {
        (Some(topic), Some(end)) => format!("port {topic}{}", &at[end + 1..]),
        _ => at.to_owned(),
    }
}

/// A refusal naming the errors (the first five, and how many more).
pub fn refusal(errors: &[Finding]) -> String {
    let shown: Vec<String> = errors.iter().take(5).map(|f| format!("{} ({}): {}", f.at, f.policy, f.message)).collect();
    let more = match errors.len().saturating_sub(5) {
        0 => String::new(),
        n => format!("; and {n} more"),
    };
    format!("the publication breaks policies its product did not break before: {}{more}", shown.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    fn good() -> DataProduct {
        seed::products().remove(0)
    }

    fn undocumented(p: &mut DataProduct) {
        let s = p.output_ports[0].value_schema.as_mut().unwrap();
        s.schema = s.schema.replace(r#", "doc": "The product's SKU.""#, "");
        p.contract.fields.retain(|f| f.path != "productId");
    }

    #[test]
    fn a_publication_may_not_bring_an_error_its_product_did_not_have() {
        let old = good();
        assert!(publication_errors(&old, None, &[], &[]).is_empty(), "a passing new product passes");
        let mut new = old.clone();
        new.description = "Short.".into();
        undocumented(&mut new);
        let errors = publication_errors(&new, Some(&old), &[], &[]);
        let places: Vec<(&str, &str)> = errors.iter().map(|f| (f.policy.as_str(), f.at.as_str())).collect();
        assert_eq!(
            places,
            [("required-metadata", "product.description"), ("fields-documented", "ports[0].fields.productId")]
        );
        let why = refusal(&errors);
        assert!(why.contains("product.description (required-metadata)") && why.contains("productId"), "{why}");
        // As a new product too.
        assert_eq!(publication_errors(&new, None, &[], &[]).len(), 2);
    }

    #[test]
    fn errors_its_product_had_already_do_not_block_and_ports_are_matched_by_topic() {
        let mut old = good();
        undocumented(&mut old);
        // A second port before the first: the same error, now at ports[1].
        let mut new = old.clone();
        let mut extra = good().output_ports[0].clone();
        extra.topic = TopicName::parse(&format!("{}.stock-counted", new.domain)).unwrap();
        new.output_ports.insert(0, extra);
        new.status = crate::model::ProductStatus::Deprecated;
        new.sunset = Some("2999-01-01".into());
        assert!(publication_errors(&new, Some(&old), &[], &[]).is_empty());
        // The same error on another port is new.
        undocumented(&mut new);
        let errors = publication_errors(&new, Some(&old), &[], &[]);
        assert_eq!(errors.iter().map(|f| f.at.as_str()).collect::<Vec<_>>(), ["ports[0].fields.productId"]);
    }

    #[test]
    fn ports_on_adopted_topics_come_in_as_they_are_but_the_product_does_not() {
        let mut new = good();
        undocumented(&mut new);
        new.output_ports[0].topic = TopicName::parse("legacy.stock").unwrap();
        let adopted = [TopicName::parse("legacy.stock").unwrap()];
        let errors = publication_errors(&new, None, &[], &[]);
        assert!(errors.iter().any(|f| f.policy == "naming") && errors.iter().any(|f| f.policy == "fields-documented"));
        assert!(publication_errors(&new, None, &[], &adopted).is_empty());
        new.owners.clear();
        let errors = publication_errors(&new, None, &[], &adopted);
        assert_eq!(errors.iter().map(|f| f.at.as_str()).collect::<Vec<_>>(), ["product.owners"]);
    }

    #[test]
    fn published_rules_count_like_built_in_ones() {
        let rule = crate::policy::Rule {
            id: "inventory.few-partitions".into(),
            policy: "inventory-bounds".into(),
            owner: crate::policy::Scope::Domain("inventory".into()),
            target: crate::policy::Target::Port,
            severity: Severity::Error,
            condition: "port.partitions <= 2".into(),
            at: "partitions".into(),
            message: "at most 2 partitions".into(),
        };
        let p = good();
        assert!(p.output_ports[0].partitions > 2);
        let errors = publication_errors(&p, None, std::slice::from_ref(&rule), &[]);
        assert_eq!(errors.iter().map(|f| f.policy.as_str()).collect::<Vec<_>>(), ["inventory-bounds"]);
        // A rule published after the product: its re-publication as it is passes.
        assert!(publication_errors(&p, Some(&p), &[rule], &[]).is_empty());
    }
}

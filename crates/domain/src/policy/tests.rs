use super::*;
use crate::model::{Contract, FieldSemantics};
use crate::seed;

/// A product that passes every policy: the seed's stock levels.
fn good() -> DataProduct {
    seed::products().remove(0)
}

fn ids(f: &[Finding]) -> Vec<(String, Severity, String)> {
    f.iter().map(|f| (f.policy.clone(), f.severity, f.at.clone())).collect()
}

fn one(p: &DataProduct) -> (String, Severity, String, String) {
    let f = check(p, &Policies::default(), &[]);
    assert_eq!(f.len(), 1, "{f:#?}");
    (f[0].policy.clone(), f[0].severity, f[0].at.clone(), f[0].message.clone())
}

#[test]
fn the_seeded_products_pass() {
    for p in seed::products() {
        let f = check(&p, &Policies::default(), &[]);
        assert!(!blocks(&f), "{}: {f:#?}", p.id);
    }
    assert!(check(&good(), &Policies::default(), &[]).is_empty());
}

/// Each row: a change to a passing product, and the one finding it must cause.
#[test]
fn each_policy_fails_on_its_own_input() {
    type Edit = fn(&mut DataProduct);
    type Want = (&'static str, Severity, &'static str, &'static str);
    let rows: Vec<(&str, Edit, Want)> = vec![
        (
            "no title",
            |p| p.title = " ".into(),
            ("required-metadata", Severity::Error, "product.title", "give the product a title"),
        ),
        (
            "short description",
            |p| p.description = "Stock.".into(),
            (
                "required-metadata",
                Severity::Error,
                "product.description",
                "describe the product in at least 20 characters",
            ),
        ),
        (
            "no owner",
            |p| p.owners.clear(),
            ("required-metadata", Severity::Error, "product.owners", "name at least one owner"),
        ),
        (
            "topic not kebab",
            |p| p.output_ports[0].topic = TopicName::parse("inventory.StockLevel").unwrap(),
            (
                "naming",
                Severity::Error,
                "ports[0].topic",
                "topic name `inventory.StockLevel` does not follow <domain>.<event-name> in kebab-case (e.g. inventory.stock-level-updated)",
            ),
        ),
        (
            "topic of another domain",
            |p| p.output_ports[0].topic = TopicName::parse("sales.stock-level-updated").unwrap(),
            (
                "naming",
                Severity::Error,
                "ports[0].topic",
                "topic `sales.stock-level-updated` must start with the product's domain: `inventory.`",
            ),
        ),
        (
            "internal topic",
            |p| p.output_ports[0].topic = TopicName::parse("_inventory.x").unwrap(),
            (
                "naming",
                Severity::Error,
                "ports[0].topic",
                "topic name `_inventory.x` starts with `_`, which is for internal topics",
            ),
        ),
        (
            "too many partitions",
            |p| {
                p.classification = Classification::Confidential;
                p.output_ports[0].partitions = 30
            },
            ("bounds", Severity::Error, "ports[0].partitions", "30 partitions exceed the confidential maximum of 24"),
        ),
        (
            "restricted kept forever",
            |p| {
                p.classification = Classification::Restricted;
                p.output_ports[0].retention_ms = -1
            },
            (
                "bounds",
                Severity::Error,
                "ports[0].retention_ms",
                "restricted data is kept at most 30 days; this port keeps it forever",
            ),
        ),
        (
            "zero partitions",
            |p| p.output_ports[0].partitions = 0,
            ("bounds", Severity::Error, "ports[0].partitions", "a topic needs at least 1 partition"),
        ),
        (
            "weak compatibility",
            |p| p.output_ports[0].value_schema.as_mut().unwrap().compatibility = CompatibilityLevel::Forward,
            (
                "compatibility",
                Severity::Error,
                "ports[0].value_schema.compatibility",
                "FORWARD is weaker than the required BACKWARD",
            ),
        ),
        (
            "undocumented field",
            |p| {
                let s = p.output_ports[0].value_schema.as_mut().unwrap();
                s.schema = s.schema.replace(r#", "doc": "The product's SKU.""#, "");
                p.contract.fields.retain(|f| f.path != "productId")
            },
            ("fields-documented", Severity::Error, "ports[0].fields.productId", "describe the field `productId`"),
        ),
        (
            "unflagged personal data",
            |p| {
                let s = p.output_ports[0].value_schema.as_mut().unwrap();
                s.schema = s.schema.replace(
                    r#"{"name": "locationId""#,
                    r#"{"name": "email", "type": "string", "doc": "Who counted."}, {"name": "locationId""#,
                )
            },
            (
                "pii",
                Severity::Warning,
                "ports[0].fields.email",
                "`email` looks like personal data: flag it as PII in the contract, or say why not",
            ),
        ),
    ];
    for (name, edit, want) in rows {
        let mut p = good();
        edit(&mut p);
        let got = one(&p);
        assert_eq!((got.0.as_str(), got.1, got.2.as_str(), got.3.as_str()), want, "{name}");
    }
}

#[test]
fn personal_data_never_goes_into_a_public_product() {
    let mut p = seed::products().remove(2); // customer profiles: PII flagged in the contract
    assert!(!blocks(&check(&p, &Policies::default(), &[])));
    p.classification = Classification::Public;
    let f = check(&p, &Policies::default(), &[]);
    let pii: Vec<_> = f.iter().filter(|f| f.policy == "pii").map(|f| f.at.as_str()).collect();
    assert_eq!(
        pii,
        ["ports[0].fields.name", "ports[0].fields.email", "ports[0].fields.phoneNumber", "ports[0].fields.address"]
    );
    assert!(blocks(&f));
    // A flagged parent covers its children: address.street raises nothing of its own.
    assert!(!f.iter().any(|f| f.at.contains("address.")), "{f:#?}");
}

#[test]
fn collisions_with_existing_topics_block_as_kafka_refuses_them() {
    let p = good();
    let f = check(
        &p,
        &Policies::default(),
        &["inventory_stock-level-updated".into(), "inventory.stock-level-updated".into()],
    );
    assert_eq!(ids(&f), [("naming".into(), Severity::Error, "ports[0].topic".into())]);
    assert!(f[0].message.contains("`inventory_stock-level-updated`") && f[0].message.contains("Kafka refuses"));
    assert!(blocks(&f), "Kafka would refuse the topic");
}

#[test]
fn a_contract_description_documents_a_field_and_a_flag_silences_the_pii_warning() {
    let mut p = good();
    let s = p.output_ports[0].value_schema.as_mut().unwrap();
    s.schema =
        s.schema.replace(r#"{"name": "locationId""#, r#"{"name": "email", "type": "string"}, {"name": "locationId""#);
    p.contract = Contract {
        fields: vec![FieldSemantics {
            path: "email".into(),
            description: "Who counted.".into(),
            pii: true,
            ..Default::default()
        }],
        ..p.contract.clone()
    };
    assert!(check(&p, &Policies::default(), &[]).is_empty());
}

#[test]
fn compatibility_levels_are_ordered_by_what_they_guarantee() {
    use CompatibilityLevel::*;
    assert!(level_at_least(BackwardTransitive, Backward));
    assert!(level_at_least(Full, Backward) && level_at_least(FullTransitive, Full));
    assert!(!level_at_least(Forward, Backward) && !level_at_least(None, Backward));
    assert!(!level_at_least(Backward, BackwardTransitive));
    assert!(level_at_least(None, None));
}

#[test]
fn topic_names_are_checked_like_kafka_and_the_convention() {
    assert!(check_topic_name("inventory.stock-reserved").is_ok());
    for (bad, why) in [
        ("", "empty"),
        (".", "reserved"),
        ("inventory.stock reserved", "` `"),
        (&"a".repeat(250), "249"),
        ("inventory", "<domain>.<event-name>"),
    ] {
        let e = check_topic_name(bad).unwrap_err();
        assert!(e.to_string().contains(why), "{bad:?}: {e}");
    }
}

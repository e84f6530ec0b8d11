//! The retail example the sandbox is seeded with: three domains, each with one product whose
//! output port carries an Avro value schema. Event ids are fixed, so seeding twice changes
//! nothing in any cache.

use crate::events::{Envelope, EventBody};
use crate::ids::{DomainId, ProductId, TopicName, subject_for};
use crate::model::*;

/// The principal the sandbox acts as when it seeds.
pub const SEED_ACTOR: &str = "User:meshdesk-sandbox";

fn principal(s: &str) -> Principal {
    Principal::parse(s).expect("seed principals are valid")
}
fn domain_id(s: &str) -> DomainId {
    DomainId::parse(s).expect("seed domain ids are valid")
}

/// The seed's three domains.
pub fn domains() -> Vec<Domain> {
    vec![
        Domain {
            id: domain_id("inventory"),
            name: "Inventory".into(),
            description: "Stock levels of every product at every warehouse and store.".into(),
            owners: vec![principal("User:ines")],
            contact: "inventory-team@retail.example".into(),
        },
        Domain {
            id: domain_id("sales"),
            name: "Sales".into(),
            description: "Orders placed in every sales channel.".into(),
            owners: vec![principal("User:sam")],
            contact: "sales-team@retail.example".into(),
        },
        Domain {
            id: domain_id("customer"),
            name: "Customer".into(),
            description: "Customer profiles and their changes.".into(),
            owners: vec![principal("User:carla")],
            contact: "customer-team@retail.example".into(),
        },
    ]
}

/// The Avro value schema of the inventory product (`StockLevelUpdated`).
pub const STOCK_LEVEL_UPDATED: &str = r#"{
  "type": "record",
  "name": "StockLevelUpdated",
  "namespace": "example.retail.inventory",
  "doc": "The quantity of one product at one location changed.",
  "fields": [
    {"name": "productId", "type": "string", "doc": "The product's SKU."},
    {"name": "locationId", "type": "string", "doc": "The warehouse or store holding the stock."},
    {"name": "quantity", "type": "int", "doc": "Units on hand after the change; never negative."},
    {"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}, "doc": "When the level was measured."}
  ]
}"#;

/// The Avro value schema of the sales product (`OrderPlaced`).
pub const ORDER_PLACED: &str = r#"{
  "type": "record",
  "name": "OrderPlaced",
  "namespace": "example.retail.sales",
  "doc": "A customer placed an order.",
  "fields": [
    {"name": "orderId", "type": "string", "doc": "The order's id."},
    {"name": "customerId", "type": "string", "doc": "The customer who placed it."},
    {"name": "productList", "doc": "The ordered lines.", "type": {"type": "array", "items": {
      "type": "record", "name": "OrderLine", "fields": [
        {"name": "productId", "type": "string", "doc": "The product's SKU."},
        {"name": "quantity", "type": "int", "doc": "Units ordered."}
      ]}}},
    {"name": "totalAmount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}, "doc": "Order total in EUR."},
    {"name": "orderDate", "type": {"type": "long", "logicalType": "timestamp-millis"}, "doc": "When the order was placed."}
  ]
}"#;

/// The Avro value schema of the customer product (`ProfileUpdated`).
pub const PROFILE_UPDATED: &str = r#"{
  "type": "record",
  "name": "ProfileUpdated",
  "namespace": "example.retail.customer",
  "doc": "A customer's profile was created or changed.",
  "fields": [
    {"name": "customerId", "type": "string", "doc": "The customer's id."},
    {"name": "name", "type": "string", "doc": "Full name (PII)."},
    {"name": "email", "type": "string", "doc": "E-mail address (PII)."},
    {"name": "phoneNumber", "type": ["null", "string"], "default": null, "doc": "Phone number (PII)."},
    {"name": "address", "doc": "Postal address (PII).", "type": {
      "type": "record", "name": "Address", "fields": [
        {"name": "street", "type": "string"},
        {"name": "city", "type": "string"},
        {"name": "postalCode", "type": "string"},
        {"name": "country", "type": "string", "doc": "ISO 3166-1 alpha-2 code."}
      ]}}
  ]
}"#;

fn port(topic: &str, description: &str, retention_ms: i64, cleanup: CleanupPolicy, schema: &str) -> OutputPort {
    let topic = TopicName::parse(topic).expect("seed topics are valid");
    OutputPort {
        value_schema: Some(SchemaRef {
            subject: subject_for(&topic, false),
            format: SchemaFormat::Avro,
            schema: schema.to_owned(),
            id: None,
            version: None,
            compatibility: CompatibilityLevel::BackwardTransitive,
        }),
        key_schema: None,
        deprecation: None,
        topic,
        description: description.into(),
        partitions: 3,
        replication_factor: 1,
        retention_ms,
        cleanup_policy: cleanup,
    }
}

const MINUTE_MS: i64 = 60 * 1000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

fn field(path: &str, description: &str, unit: Option<&str>, example: Option<&str>, pii: bool) -> FieldSemantics {
    FieldSemantics {
        path: path.into(),
        description: description.into(),
        unit: unit.map(Into::into),
        example: example.map(Into::into),
        pii,
    }
}

/// The seed's three products, one per domain.
#[allow(clippy::too_many_lines)] // a table: the seed catalog, product by product
pub fn products() -> Vec<DataProduct> {
    let p = |id: &str| ProductId::parse(id).expect("seed product ids are valid");
    vec![
        DataProduct {
            id: p("inventory.stock-levels"),
            domain: domain_id("inventory"),
            title: "Stock levels".into(),
            description: "Every change of a product's stock level at a location, as it happens.".into(),
            owners: vec![principal("User:ines")],
            classification: Classification::Internal,
            tags: vec!["stock".into(), "real-time".into()],
            status: ProductStatus::Published,
            version: "1.0.0".into(),
            output_ports: vec![port(
                "inventory.stock-level-updated",
                "One record per stock level change, keyed by productId.",
                7 * DAY_MS,
                CleanupPolicy::Delete,
                STOCK_LEVEL_UPDATED,
            )],
            input_ports: vec![],
            sources: vec![],
            sla: Sla { freshness_ms: Some(5 * MINUTE_MS), availability_bp: Some(9990), retention_ms: Some(7 * DAY_MS) },
            contract: Contract {
                fields: vec![
                    field("productId", "The product's SKU.", None, Some("SKU-10042"), false),
                    field("locationId", "The warehouse or store holding the stock.", None, Some("WH-BER-1"), false),
                    field(
                        "quantity",
                        "Units on hand after the change; never negative.",
                        Some("units"),
                        Some("17"),
                        false,
                    ),
                    field("timestamp", "When the level was measured.", Some("ms since epoch"), None, false),
                ],
                quality: vec![
                    Expectation::NotNull { field: "productId".into() },
                    Expectation::Range { field: "quantity".into(), min: Some(0), max: None },
                    Expectation::UniqueKey { fields: vec!["productId".into(), "locationId".into()] },
                    Expectation::Freshness { max_age_ms: 5 * MINUTE_MS },
                ],
                terms_of_use: "Internal use for stock checks and planning; do not republish outside the company."
                    .into(),
            },
            sunset: None,
        },
        DataProduct {
            id: p("sales.orders"),
            domain: domain_id("sales"),
            title: "Orders".into(),
            description: "Orders placed in every channel, with their lines and totals.".into(),
            owners: vec![principal("User:sam")],
            classification: Classification::Internal,
            tags: vec!["orders".into(), "revenue".into()],
            status: ProductStatus::Published,
            version: "1.0.0".into(),
            output_ports: vec![port(
                "sales.order-placed",
                "One record per placed order, keyed by orderId.",
                30 * DAY_MS,
                CleanupPolicy::Delete,
                ORDER_PLACED,
            )],
            input_ports: vec![p("inventory.stock-levels"), p("customer.profiles")],
            sources: vec![],
            sla: Sla {
                freshness_ms: Some(15 * MINUTE_MS),
                availability_bp: Some(9950),
                retention_ms: Some(30 * DAY_MS),
            },
            contract: Contract::default(),
            sunset: None,
        },
        DataProduct {
            id: p("customer.profiles"),
            domain: domain_id("customer"),
            title: "Customer profiles".into(),
            description: "The latest profile of every customer; contains personal data.".into(),
            owners: vec![principal("User:carla")],
            classification: Classification::Confidential,
            tags: vec!["customer".into(), "pii".into()],
            status: ProductStatus::Published,
            version: "1.0.0".into(),
            output_ports: vec![port(
                "customer.profile-updated",
                "The latest profile per customer, keyed by customerId (compacted).",
                -1,
                CleanupPolicy::Compact,
                PROFILE_UPDATED,
            )],
            input_ports: vec![],
            sources: vec![],
            sla: Sla { freshness_ms: None, availability_bp: Some(9990), retention_ms: Some(-1) },
            contract: Contract {
                fields: vec![
                    field("customerId", "The customer's id.", None, Some("C-000123"), false),
                    field("name", "Full name.", None, None, true),
                    field("email", "E-mail address.", None, None, true),
                    field("phoneNumber", "Phone number.", None, None, true),
                    field("address", "Postal address.", None, None, true),
                    field("address.street", "Street and number.", None, None, true),
                    field("address.city", "City.", None, None, true),
                    field("address.postalCode", "Postal code.", None, None, true),
                ],
                quality: vec![
                    Expectation::NotNull { field: "customerId".into() },
                    Expectation::UniqueKey { fields: vec!["customerId".into()] },
                ],
                terms_of_use: "Personal data: access only with a documented purpose; never copy into public products."
                    .into(),
            },
            sunset: None,
        },
    ]
}

/// The seed's governance events, with fixed ids, for `products` as registered (schema ids set):
/// the domains, registered by the sandbox's admin ([`SEED_ACTOR`]), and each product, published
/// by its domain's first owner. Unsigned: the sandbox signs each with its actor's key.
pub fn events(products: &[DataProduct], at_ms: i64) -> Vec<Envelope> {
    let domains = domains();
    let mut out: Vec<Envelope> = domains
        .iter()
        .map(|d| {
            Envelope::new(format!("seed:domain:{}", d.id), SEED_ACTOR, at_ms, &EventBody::DomainRegistered(d.clone()))
        })
        .collect();
    out.extend(products.iter().map(|p| {
        let owner = domains
            .iter()
            .find(|d| d.id == p.domain)
            .and_then(|d| d.owners.first())
            .map(|o| o.as_str())
            .unwrap_or(SEED_ACTOR);
        Envelope::new(format!("seed:product:{}", p.id), owner, at_ms, &EventBody::ProductPublished(p.clone()))
    }));
    out
}

/// The principals the sandbox endorses on first start, besides the local user: the seed's owners
/// and a reconciler identity.
pub fn principals() -> Vec<(Principal, crate::trust::Role)> {
    let mut out: Vec<_> =
        domains().into_iter().flat_map(|d| d.owners).map(|o| (o, crate::trust::Role::Owner)).collect();
    out.push((principal(RECONCILER), crate::trust::Role::Reconciler));
    out
}

/// Who signs the seed: the sandbox's admin (a key of the environment's trust root) and a key
/// for each principal it endorses.
#[derive(Debug, Clone)]
pub struct SeedSigners {
    /// The sandbox's admin, which signs as [`SEED_ACTOR`].
    pub admin: crate::trust::Signer,
    /// Each endorsed principal's signer, with its role.
    pub principals: Vec<(crate::trust::Signer, crate::trust::Role)>,
}

impl SeedSigners {
    /// The signer of `principal`: the admin for [`SEED_ACTOR`], else its endorsed key.
    pub fn for_principal(&self, principal: &str) -> Option<&crate::trust::Signer> {
        if principal == SEED_ACTOR {
            return Some(&self.admin);
        }
        self.principals.iter().map(|(s, _)| s).find(|s| s.principal().as_str() == principal)
    }
}

/// The admin's endorsement of every principal's key, signed for `environment` (ids fixed per
/// principal).
pub fn endorsements(signers: &SeedSigners, environment: &str, at_ms: i64) -> Vec<Envelope> {
    signers
        .principals
        .iter()
        .map(|(s, role)| {
            let body = EventBody::KeyEndorsed {
                principal: s.principal().clone(),
                key: s.public_key().id(),
                roles: vec![*role],
            };
            let mut e = Envelope::new(format!("seed:endorse:{}", s.principal()), SEED_ACTOR, at_ms, &body);
            signers.admin.sign_for(&mut e, environment);
            e
        })
        .collect()
}

/// The seed's events signed for `environment`: [`endorsements`], then [`events`], each signed
/// by its actor.
pub fn signed_events(signers: &SeedSigners, products: &[DataProduct], environment: &str, at_ms: i64) -> Vec<Envelope> {
    let mut out = endorsements(signers, environment, at_ms);
    for mut e in events(products, at_ms) {
        if let Some(s) = signers.for_principal(&e.actor) {
            s.sign_for(&mut e, environment);
        }
        out.push(e);
    }
    out
}

/// The reconciler identity of the sandbox (the in-app reconciler signs as it).
pub const RECONCILER: &str = "User:meshdesk-reconciler";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retail_example_has_three_domains_each_owning_one_product() {
        let domains = domains();
        let products = products();
        assert_eq!(domains.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["inventory", "sales", "customer"]);
        assert_eq!(products.len(), 3);
        for p in &products {
            assert_eq!(p.id.domain(), p.domain, "{} is owned by its own domain", p.id);
            let owners = &domains.iter().find(|d| d.id == p.domain).unwrap().owners;
            assert_eq!(&p.owners, owners);
            for port in &p.output_ports {
                assert!(port.topic.follows_convention(), "{}", port.topic);
                assert!(port.topic.as_str().starts_with(&format!("{}.", p.domain)));
                let schema = port.value_schema.as_ref().unwrap();
                assert!(schema.compatibility.is_at_least_backward());
                let parsed: serde_json::Value = serde_json::from_str(&schema.schema).expect("seed schema is JSON");
                assert_eq!(parsed["type"], "record");
            }
        }
    }

    #[test]
    fn seed_schemas_carry_the_fields_of_the_design() {
        let fields = |s: &str| -> Vec<String> {
            let v: serde_json::Value = serde_json::from_str(s).unwrap();
            v["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap().to_owned()).collect()
        };
        assert_eq!(fields(STOCK_LEVEL_UPDATED), ["productId", "locationId", "quantity", "timestamp"]);
        assert_eq!(fields(ORDER_PLACED), ["orderId", "customerId", "productList", "totalAmount", "orderDate"]);
        assert_eq!(fields(PROFILE_UPDATED), ["customerId", "name", "email", "phoneNumber", "address"]);
    }

    #[test]
    fn seed_events_have_fixed_ids_and_decode() {
        let a = events(&products(), 1);
        let b = events(&products(), 2);
        assert_eq!(a.len(), 6);
        assert_eq!(a[3].actor, "User:ines", "a product is published by its domain's owner");
        assert_eq!(a.iter().map(|e| &e.id).collect::<Vec<_>>(), b.iter().map(|e| &e.id).collect::<Vec<_>>());
        assert!(a.iter().all(|e| matches!(e.decode(), crate::Decoded::Known(_))));
        assert_eq!(a[0].kind, "DomainRegistered");
        assert_eq!(a[5].kind, "ProductPublished");
    }
}

//! The sandbox registry answering as Confluent's does for what Meshdesk and its clients use: the
//! contract carried in `metadata` and `ruleSet` (read and enforced by confluent-kafka's own
//! client and CEL executor), the seeded schemas with logical types evolving, and references
//! across subjects in the three formats.

use meshdesk_domain::SchemaFormat;
use meshdesk_registry::{RegistryClient, RegistryError, SchemaReference};
use meshdesk_tests::{repo_root, sandbox, unique};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confluents_serializer_enforces_the_quality_rule_meshdesk_published() {
    // Verifies the contract in the registry with confluent-kafka's own SchemaRegistryClient, AvroSerializer and CEL executor: Stock levels' latest version carries its owners and product id, Customer profiles' carries PII tags, and the serializer refuses a record with a negative quantity (the contract's `quantity >= 0`) and accepts a good one.
    let t = sandbox(true).await;
    let python = std::env::var_os("MESHDESK_PYTHON").expect("scripts/env.sh sets MESHDESK_PYTHON");
    let script = repo_root().join("tests/clients/contract_rules.py");
    let run = |subject: &str, good: &str, bad: &str| {
        let out = std::process::Command::new(&python)
            .arg(&script)
            .args([t.sandbox.registry_url().as_str(), subject, good, bad])
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
        said
    };
    let said = run(
        "inventory.stock-level-updated-value",
        r#"{"productId": "SKU-1", "locationId": "WH-1", "quantity": 5, "timestamp": 1764590000000}"#,
        r#"{"productId": "SKU-1", "locationId": "WH-1", "quantity": -3, "timestamp": 1764590000000}"#,
    );
    assert!(said.lines().any(|l| l == "owners User:ines"), "{said}");
    assert!(said.lines().any(|l| l == "product inventory.stock-levels"), "{said}");
    assert!(said.lines().any(|l| l == "rule meshdesk.range.quantity message.quantity >= 0"), "{said}");
    assert!(said.lines().any(|l| l.starts_with("good: serialized ")), "{said}");
    let refused = said.lines().find(|l| l.starts_with("bad: ")).unwrap_or_default();
    assert!(refused.starts_with("bad: refused") && refused.contains("quantity >= 0"), "{said}");

    let said = run(
        "customer.profile-updated-value",
        r#"{"customerId": "C-1", "name": "Ada", "email": "ada@example.com", "phoneNumber": null, "address": {"street": "1 Main St", "city": "Lyon", "postalCode": "69001", "country": "FR"}}"#,
        r#"{"customerId": null, "name": "Ada", "email": "ada@example.com", "phoneNumber": null, "address": {"street": "1 Main St", "city": "Lyon", "postalCode": "69001", "country": "FR"}}"#,
    );
    for pii in ["example.retail.customer.ProfileUpdated.email", "example.retail.customer.ProfileUpdated.address"] {
        assert!(said.lines().any(|l| l == format!("pii {pii}")), "{pii} tagged: {said}");
    }
    assert!(!said.lines().any(|l| l.contains("customerId") && l.starts_with("pii")), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_schemas_with_logical_types_evolve_in_the_sandbox() {
    // Verifies that the seeded Inventory and Sales schemas (timestamp-millis, decimal) take a compatible new version at their own level (an optional field with a default), keep their metadata and rule set when the new version brings none, and that an incompatible change is still refused with the reason.
    let t = sandbox(true).await;
    let r = RegistryClient::new(&t.sandbox.registry_url(), None).unwrap();
    for subject in ["inventory.stock-level-updated-value", "sales.order-placed-value"] {
        let latest = r.version(subject, None).await.unwrap();
        let mut schema: serde_json::Value = serde_json::from_str(&latest.schema).unwrap();
        let fields = schema["fields"].as_array_mut().unwrap();
        fields.push(serde_json::json!({"name": "note", "type": ["null", "string"], "default": null}));
        let evolved = schema.to_string();
        r.register(subject, &evolved, SchemaFormat::Avro).await.unwrap_or_else(|e| panic!("{subject}: {e}"));
        let now = r.version(subject, None).await.unwrap();
        assert_eq!(now.version, latest.version + 1, "{subject}");
        assert_eq!(now.metadata, latest.metadata, "{subject}: metadata inherited");
        assert_eq!(now.rule_set, latest.rule_set, "{subject}: rule set inherited");

        let mut broken = schema.clone();
        broken["fields"][0]["type"] = serde_json::json!("int");
        match r.register(subject, &broken.to_string(), SchemaFormat::Avro).await {
            Err(RegistryError::Incompatible { message }) => {
                assert!(message.contains("changed from string to int"), "{message}")
            }
            other => panic!("{subject}: {other:?}"),
        }
    }
}

fn reference(name: &str, subject: &str, version: u32) -> SchemaReference {
    SchemaReference { name: name.into(), subject: subject.into(), version }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn references_are_resolved_checked_and_protect_what_they_reference() {
    // Verifies references in the three formats: an Avro record using a shared `Address` type from another subject, a Protobuf file importing another, and a JSON Schema `$ref` to another subject are registered, evolve compatibly with the reference in place (which needs it resolved), are refused without it, are listed by `referencedby`, and deleting the referenced version or subject is refused naming the referrers; a desktop shows who uses what both ways, resolves the references for its own check, and says in words why a delete is refused.
    let t = sandbox(false).await;
    let r = RegistryClient::new(&t.sandbox.registry_url(), None).unwrap();

    // Avro.
    let address = unique("it.shared.address") + "-value";
    let address_v1 = r#"{"type": "record", "name": "Address", "namespace": "shared", "fields": [{"name": "city", "type": "string"}]}"#;
    r.register(&address, address_v1, SchemaFormat::Avro).await.unwrap();
    let customer = unique("it.customer") + "-value";
    let customer_v1 = r#"{"type": "record", "name": "Customer", "fields": [{"name": "id", "type": "string"}, {"name": "home", "type": "shared.Address"}]}"#;
    let refs = [reference("shared.Address", &address, 1)];
    let avro_id = r.register_with(&customer, customer_v1, SchemaFormat::Avro, &refs, None, None).await.unwrap();
    let without = r.register(&(unique("it.lonely") + "-value"), customer_v1, SchemaFormat::Avro).await;
    assert!(
        matches!(&without, Err(RegistryError::Invalid { message }) if message.contains("shared.Address")),
        "{without:?}"
    );
    let customer_v2 = customer_v1.replace(
        r#"{"name": "id", "type": "string"}"#,
        r#"{"name": "id", "type": "string"}, {"name": "tier", "type": ["null", "string"], "default": null}"#,
    );
    r.register_with(&customer, &customer_v2, SchemaFormat::Avro, &refs, None, None).await.unwrap();
    let back = r.version(&customer, Some(1)).await.unwrap();
    assert_eq!(back.references, refs.to_vec());

    // Protobuf.
    let address_proto = unique("it.shared.address-proto") + "-value";
    let proto_v1 = "syntax = \"proto3\";\npackage shared;\nmessage PostalAddress { string city = 1; }\n";
    r.register(&address_proto, proto_v1, SchemaFormat::Protobuf).await.unwrap();
    let order_proto = unique("it.order-proto") + "-value";
    let order_v1 = "syntax = \"proto3\";\npackage sales;\nimport \"shared/address.proto\";\nmessage Order { string id = 1; shared.PostalAddress ship_to = 2; }\n";
    let proto_refs = [reference("shared/address.proto", &address_proto, 1)];
    let proto_id =
        r.register_with(&order_proto, order_v1, SchemaFormat::Protobuf, &proto_refs, None, None).await.unwrap();
    let order_v2 =
        order_v1.replace("shared.PostalAddress ship_to = 2;", "shared.PostalAddress ship_to = 2; string note = 3;");
    r.register_with(&order_proto, &order_v2, SchemaFormat::Protobuf, &proto_refs, None, None).await.unwrap();

    // JSON Schema.
    let address_json = unique("it.shared.address-json") + "-value";
    let json_address = r#"{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}"#;
    r.register(&address_json, json_address, SchemaFormat::Json).await.unwrap();
    let order_json = unique("it.order-json") + "-value";
    let json_v1 = r#"{"type": "object", "properties": {"id": {"type": "string"}, "shipTo": {"$ref": "address.json"}}, "required": ["id"]}"#;
    let json_refs = [reference("address.json", &address_json, 1)];
    let json_id = r.register_with(&order_json, json_v1, SchemaFormat::Json, &json_refs, None, None).await.unwrap();
    // Backward compatible: `id` is no longer required.
    let json_v2 = json_v1.replace(r#""required": ["id"]"#, r#""required": []"#);
    let check = r.check_against_level(&order_json, &json_v2, SchemaFormat::Json).await;
    // Without the references the check cannot follow `address.json`.
    assert!(check.is_err() || !check.as_ref().unwrap().is_compatible, "{check:?}");
    r.register_with(&order_json, &json_v2, SchemaFormat::Json, &json_refs, None, None).await.unwrap();

    // Who references what, and deletes refused while they do.
    for (subject, id) in [(&address, avro_id), (&address_proto, proto_id), (&address_json, json_id)] {
        let by = r.referenced_by(subject, 1).await.unwrap();
        assert!(by.contains(&id), "{subject}: {by:?} holds {id}");
        match r.delete_version(subject, 1, false).await {
            Err(RegistryError::Referenced { message }) => assert!(message.contains("version 1"), "{message}"),
            other => panic!("{subject}: {other:?}"),
        }
        assert!(matches!(r.delete_subject(subject, false).await, Err(RegistryError::Referenced { .. })));
    }
    let customer_referrer = r.delete_version(&address, 1, false).await.unwrap_err().to_string();
    assert!(customer_referrer.contains(&customer), "the referrer is named: {customer_referrer}");
    // A desktop shows the graph both ways, checks with the references in place, and says why a
    // delete is refused.
    let (_d, md) = meshdesk_tests::desktop(&t, "User:ines").await;
    let shared = md.subject_detail(&address).await.unwrap();
    let by = &shared.versions[0].referenced_by;
    assert!(by.iter().any(|x| x.subject == customer && x.name == "shared.Address"), "{by:?}");
    let detail = md.subject_detail(&customer).await.unwrap();
    let v1 = &detail.versions[0];
    assert_eq!(v1.references.len(), 1);
    assert_eq!(v1.resolved, vec![("shared.Address".to_owned(), address_v1.to_owned())]);
    let refs: Vec<(&str, &str)> = v1.resolved.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    assert!(
        meshdesk_domain::schema::ParsedSchema::parse_with_references(SchemaFormat::Avro, &v1.schema, &refs).is_ok()
    );
    let refused = md
        .delete_schema_version(&meshdesk_contract::DeleteVersionRequest { subject: address.clone(), version: 1 })
        .await
        .unwrap_err();
    let said = meshdesk_contract::IpcError::from(refused).message;
    assert!(said.contains("is referenced by") && said.contains(&format!("{customer} version 1")), "{said}");
    // Once no one references it, it can go.
    r.delete_subject(&customer, false).await.unwrap();
    assert_eq!(r.delete_version(&address, 1, false).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contracts_rules_are_measured_on_live_records() {
    // Verifies the record rules on live data: five Stock levels records written by a producer that runs no rules (apache-avro, the wire format), two with a negative quantity; the product's health counts 3 passes and 2 failures of `quantity >= 0` and 5 passes of `productId is never null` on the sampled records, and the port is at risk saying so.
    use apache_avro::types::{Record, Value as Avro};
    let t = sandbox(true).await;
    let (_d, md) = meshdesk_tests::desktop(&t, "User:ines").await;
    let r = RegistryClient::new(&t.sandbox.registry_url(), None).unwrap();
    let latest = r.version("inventory.stock-level-updated-value", None).await.unwrap();
    let schema = apache_avro::Schema::parse_str(&latest.schema).unwrap();
    let producer = meshdesk_kafka::Producer::new(&t.sandbox.kafka_profile()).unwrap();
    for (i, quantity) in [4, -5, 7, -1, 0].into_iter().enumerate() {
        let mut rec = Record::new(&schema).unwrap();
        rec.put("productId", format!("SKU-{i}"));
        rec.put("locationId", "WH-1");
        rec.put("quantity", Avro::Int(quantity));
        rec.put("timestamp", Avro::TimestampMillis(1_764_590_000_000));
        let body = apache_avro::to_avro_datum(&schema, rec).unwrap();
        let value = meshdesk_domain::wire::encode(latest.id, &body);
        producer.send("inventory.stock-level-updated", Some(format!("SKU-{i}").as_bytes()), &value).await.unwrap();
    }
    let health = md.product_health("inventory.stock-levels").await.unwrap();
    let port = &health.ports[0];
    assert_eq!(port.sampled, 5, "{port:?}");
    let q = port.rules.iter().find(|x| x.expr == "message.quantity >= 0").expect("the quantity rule");
    assert_eq!((q.passed, q.failed, q.errors), (3, 2, 0), "{q:?}");
    let n = port.rules.iter().find(|x| x.expr == "message.productId != null").expect("the not-null rule");
    assert_eq!((n.passed, n.failed), (5, 0));
    assert_eq!(health.level, meshdesk_contract::HealthLevel::AtRisk, "{health:?}");
    assert!(
        port.health.reasons.iter().any(|r| r == "2 of 5 sampled records break `quantity >= 0`"),
        "{:?}",
        port.health.reasons
    );
}

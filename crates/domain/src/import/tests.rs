use super::*;
use crate::export::{Endpoints, asyncapi_yaml, odcs_yaml};
use crate::model::Classification;
use crate::seed;

fn at() -> Endpoints {
    Endpoints {
        name: "sandbox".into(),
        bootstrap_servers: "127.0.0.1:9092".into(),
        registry_url: "http://127.0.0.1:8081".into(),
    }
}

#[test]
fn exports_imported_again_export_the_same_text() {
    // Verifies the round trip for every seeded product: its ODCS export imported and exported again gives the same text, and so does its AsyncAPI export; the ODCS import also gives back the product's contract, SLAs, classification and inputs.
    let mut derived = seed::products().remove(1);
    derived.sources.push(crate::model::Source {
        kind: crate::model::SourceKind::KafkaStreams,
        name: "orders-enricher".into(),
        system: None,
        reads: vec![crate::ids::ProductId::parse("inventory.stock-levels").unwrap()],
        group: None,
    });
    for p in seed::products().into_iter().chain([derived]) {
        let odcs = odcs_yaml(&p, &at());
        let back = import_document(&odcs, None).unwrap();
        assert_eq!(back.source, "ODCS v3.0.2");
        assert_eq!(odcs_yaml(&back.product, &at()), odcs, "{}: ODCS round trip", p.id);
        assert_eq!(back.product.classification, p.classification);
        assert_eq!(back.product.input_ports, p.input_ports);
        assert_eq!(back.product.sources, p.sources);
        assert_eq!(back.product.output_ports, p.output_ports, "{}: ports and schemas", p.id);
        let asyncapi = asyncapi_yaml(&p, &at());
        let back = import_document(&asyncapi, None).unwrap();
        assert_eq!(asyncapi_yaml(&back.product, &at()), asyncapi, "{}: AsyncAPI round trip", p.id);
    }
}

#[test]
fn quality_sentences_read_back_as_the_expectations_they_state() {
    // Verifies every kind of expectation survives describe → from_description, and other text is not taken for a rule.
    use crate::model::Expectation::*;
    for e in [
        NotNull { field: "sku".into() },
        Range { field: "quantity".into(), min: Some(0), max: None },
        Range { field: "quantity".into(), min: None, max: Some(10) },
        Range { field: "quantity".into(), min: Some(-5), max: Some(10) },
        Range { field: "quantity".into(), min: None, max: None },
        AllowedValues { field: "tier".into(), values: vec!["gold".into(), "silver".into()] },
        UniqueKey { fields: vec!["sku".into(), "locationId".into()] },
        Freshness { max_age_ms: 60_000 },
    ] {
        assert_eq!(crate::model::Expectation::from_description(&e.describe()), Some(e.clone()), "{}", e.describe());
    }
    assert_eq!(crate::model::Expectation::from_description("values should look plausible"), None);
}

#[test]
fn a_specmesh_asyncapi_2_document_becomes_a_draft_that_passes_the_policies() {
    // Verifies a SpecMesh-style AsyncAPI 2.5 document (an `id` urn naming the domain, `_public.` channels with Kafka bindings and inline Avro payloads under `publish`) imports into a product of that domain, topics renamed to <domain>.<event-name> with a note, settings and schemas taken over, owned by the importer, and passing every built-in policy.
    let doc = r#"
asyncapi: '2.5.0'
id: 'urn:acme.lifestyle.onboarding'
info:
  title: ACME Lifestyle Onboarding
  version: '1.0.0'
  description: Events of people signing up to ACME Lifestyle and confirming their address.
channels:
  _public.user_signed_up:
    bindings:
      kafka:
        partitions: 6
        replicas: 1
        configs:
          cleanup.policy: delete
          retention.ms: 999000
    publish:
      summary: A person signed up.
      message:
        name: UserSignedUp
        schemaFormat: 'application/vnd.apache.avro+json;version=1.9.0'
        contentType: 'application/octet-stream'
        payload:
          type: record
          name: UserSignedUp
          namespace: acme.lifestyle.onboarding
          fields:
            - name: userId
              type: string
              doc: The person's id.
            - name: signedUpAt
              type: {type: long, logicalType: timestamp-millis}
              doc: When they signed up.
"#;
    let ines = Principal::parse("User:ines").unwrap();
    let imported = import_document(doc, Some(&ines)).unwrap();
    assert_eq!(imported.source, "AsyncAPI 2.5.0");
    let p = &imported.product;
    assert_eq!(p.id.as_str(), "onboarding.acme-lifestyle-onboarding");
    assert_eq!(p.output_ports.len(), 1);
    let port = &p.output_ports[0];
    assert_eq!(port.topic.as_str(), "onboarding.user-signed-up");
    assert_eq!((port.partitions, port.retention_ms, port.cleanup_policy), (6, 999_000, CleanupPolicy::Delete));
    assert_eq!(port.description, "A person signed up.");
    assert!(port.value_schema.as_ref().unwrap().schema.contains("signedUpAt"));
    assert_eq!(p.owners, [ines]);
    assert_eq!(p.classification, Classification::Public);
    assert!(imported.notes.iter().any(|n| n.contains("owns the draft")), "{:?}", imported.notes);
    let findings = crate::policy::check(p, &crate::policy::Policies::default(), &[]);
    assert!(!crate::policy::blocks(&findings), "{findings:?}");
}

#[test]
fn hostile_or_foreign_documents_are_refused_with_a_reason() {
    // Verifies an import refuses what it cannot read, saying why: neither JSON nor YAML, an unknown kind, an old ODCS, an AsyncAPI 1.x, a document over the size limit, and an ODCS contract with no domain.
    let err = |t: &str| import_document(t, None).unwrap_err().to_string();
    assert!(err("{ not json: [").contains("neither JSON nor YAML"));
    assert!(err("kind: Something").contains("not an ODCS data contract"));
    assert!(err("kind: DataContract\napiVersion: v2.2.0").contains("ODCS v2.2.0 is not read here"));
    assert!(err("asyncapi: '1.2.0'").contains("2.x and 3.x are"));
    assert!(err(&"a".repeat(MAX_IMPORT_BYTES + 1)).contains("imports read up to 1 MiB"));
    assert!(err("kind: DataContract\napiVersion: v3.0.2\nname: Orders").contains("names no domain"));
}

//! The onboarding wizard's backend on the real broker and registry: drafts that survive a
//! restart, the policies enforced again, and a publication interrupted by the registry going
//! away, then resumed without creating anything twice.

use meshdesk_contract::WizardDraft;
use meshdesk_domain::{
    Classification, CleanupPolicy, CompatibilityLevel, Contract, DataProduct, Domain, DomainId, FieldSemantics,
    GOVERNANCE_TOPIC, OutputPort, Principal, ProductId, ProductStatus, SchemaFormat, SchemaRef, TopicName,
};
use meshdesk_kafka::Admin;
use meshdesk_registry::RegistryClient;
use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};
use meshdesk_tests::sandbox;

const RESERVED: &str = r#"{"type": "record", "name": "StockReserved", "namespace": "example.retail.inventory", "fields": [
  {"name": "reservationId", "type": "string", "doc": "The reservation's id."},
  {"name": "customerEmail", "type": "string", "doc": "Who reserved."}
]}"#;

pub(crate) fn draft() -> WizardDraft {
    let topic = TopicName::parse("inventory.stock-reserved").unwrap();
    WizardDraft {
        id: "draft-1".into(),
        step: 6,
        product: DataProduct {
            id: ProductId::parse("inventory.stock-reservations").unwrap(),
            domain: DomainId::parse("inventory").unwrap(),
            title: "Stock reservations".into(),
            description: "Stock reserved for a customer until the order is confirmed.".into(),
            owners: vec![Principal::parse("User:ines").unwrap()],
            classification: Classification::Internal,
            tags: vec!["stock".into()],
            status: ProductStatus::Published,
            version: "1.0.0".into(),
            output_ports: vec![OutputPort {
                topic: topic.clone(),
                description: "One record per reservation.".into(),
                partitions: 2,
                replication_factor: 1,
                retention_ms: 3 * 86_400_000,
                cleanup_policy: CleanupPolicy::Delete,
                key_schema: None,
                value_schema: Some(SchemaRef {
                    subject: "inventory.stock-reserved-value".into(),
                    format: SchemaFormat::Avro,
                    schema: RESERVED.into(),
                    id: None,
                    version: None,
                    compatibility: CompatibilityLevel::BackwardTransitive,
                }),
                deprecation: None,
            }],
            input_ports: vec![],
            sources: vec![],
            sla: Default::default(),
            contract: Contract {
                fields: vec![FieldSemantics { path: "customerEmail".into(), pii: true, ..Default::default() }],
                ..Default::default()
            },
            sunset: None,
        },
        new_domain: Some(Domain {
            id: DomainId::parse("inventory").unwrap(),
            name: "Inventory".into(),
            description: "Stock levels and reservations.".into(),
            owners: vec![Principal::parse("User:ines").unwrap()],
            contact: "inventory@retail.example".into(),
        }),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publication_interrupted_by_the_registry_resumes_without_creating_anything_twice() {
    // Verifies the wizard's publish on the real broker and registry (the schema registered with the contract's metadata): a draft survives closing and reopening the app; the policies block a bad draft with the reason; with the registry stopped after the topic step the publication stops with the reason and the topic step journaled; once the registry is back, resume finishes (subject at BACKWARD_TRANSITIVE with one version, topic created once with its configs, the domain and product events written once) and the product is in the catalog.
    let mut t = sandbox(false).await;
    let data = tempfile::tempdir().unwrap();
    // Ines registers the new domain (an admin's right) and publishes into it (as its owner).
    use meshdesk_domain::trust::Role;
    meshdesk_tests::endorse(&t.sandbox, "User:ines", &[Role::Owner, Role::Admin]).await;
    let env = meshdesk_tests::env_file_as(data.path(), "it", &t.sandbox, "User:ines");
    let open = || Meshdesk::open(data.path(), EnvSource::File(env.clone()), SandboxPorts::default());

    // Drafts are kept across restarts.
    let md = open().await.unwrap();
    md.save_draft(&draft()).await.unwrap();
    md.shutdown().await;
    drop(md);
    let md = open().await.unwrap();
    md.connect().await.unwrap();
    let kept = md.get_draft("draft-1").await.unwrap();
    assert_eq!((kept.draft, kept.status.as_str()), (draft(), "editing"));

    // The backend enforces the policies.
    let mut bad = draft();
    bad.id = "draft-bad".into();
    bad.product.classification = Classification::Public;
    md.save_draft(&bad).await.unwrap();
    let err = md.publish_draft("draft-bad").await.unwrap_err().to_string();
    assert!(err.contains("customerEmail` is personal data and cannot be in a public product"), "{err}");

    let check = md.check_draft(&draft()).await.unwrap();
    assert!(!check.blocks, "{:?}", check.findings);
    assert_eq!(check.plan.len(), 6, "{:?}", check.plan);

    // The registry goes away after the topic is created.
    t.sandbox.stop_registry().await;
    let failed = md.publish_draft("draft-1").await.unwrap();
    assert_eq!(failed.status, meshdesk_contract::DraftStatus::Failed);
    let states: Vec<&str> = failed.steps.iter().map(|s| s.state.as_str()).collect();
    assert_eq!(states, ["done", "failed", "pending", "pending", "pending", "pending"]);
    assert_eq!(failed.steps[0].result.as_deref(), Some("created"));
    let why = failed.last_error.unwrap();
    assert!(
        why.starts_with("set the compatibility of inventory.stock-reserved-value to BACKWARD_TRANSITIVE failed:"),
        "{why}"
    );

    t.sandbox.start_registry().await.unwrap();
    let done = md.publish_draft("draft-1").await.unwrap();
    assert_eq!(done.status, meshdesk_contract::DraftStatus::Published, "{:?}", done.last_error);
    assert!(done.steps.iter().all(|s| s.state == meshdesk_contract::StepState::Done), "{:?}", done.steps);
    assert_eq!(done.steps[0].result.as_deref(), Some("created"), "the topic step was not run again");
    assert_eq!(done.steps[3].result.as_deref(), Some("applied"), "the owners' ACLs: {:?}", done.steps[3]);

    let admin = Admin::new(&t.sandbox.kafka_profile()).unwrap();
    assert_eq!(admin.describe_topic("inventory.stock-reserved").await.unwrap().partitions.len(), 2);
    assert_eq!(admin.topic_configs("inventory.stock-reserved").await.unwrap()["retention.ms"], "259200000");
    let registry = RegistryClient::new(&t.sandbox.registry_url(), None).unwrap();
    assert_eq!(
        registry.compatibility("inventory.stock-reserved-value").await.unwrap(),
        CompatibilityLevel::BackwardTransitive
    );
    assert_eq!(registry.versions("inventory.stock-reserved-value").await.unwrap(), [1]);
    // The contract went with the schema: owners, contact, product, and the PII field's tag.
    let registered = registry.version("inventory.stock-reserved-value", None).await.unwrap();
    let metadata = registered.metadata.expect("the plan registers metadata");
    assert_eq!(metadata["properties"]["owners"], "User:ines");
    assert_eq!(metadata["properties"]["contact"], "inventory@retail.example");
    assert_eq!(metadata["properties"]["meshdesk.product"], "inventory.stock-reservations");
    assert!(metadata["tags"].as_object().unwrap().keys().any(|k| k.ends_with(".customerEmail")), "{metadata}");

    md.flush_outbox().await.unwrap();
    md.sync().await.unwrap();
    let p = md.product_detail("inventory.stock-reservations").await.unwrap().product;
    let vs = p.output_ports[0].value_schema.as_ref().unwrap();
    assert_eq!(vs.version, Some(1));
    assert!(vs.id.is_some());
    // Exactly one DomainRegistered and one ProductPublished reached the log.
    let records =
        meshdesk_kafka::read_partition(&t.sandbox.kafka_profile(), GOVERNANCE_TOPIC, 0, 0, 100).await.unwrap();
    let types: Vec<String> = records
        .iter()
        .filter_map(|r| meshdesk_domain::Envelope::from_bytes(r.value.as_deref()?).ok())
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        types,
        ["KeyEndorsed", "DomainRegistered", "ProductPublished"],
        "the test's endorsement, then the plan's two events"
    );
    // Publishing a published draft changes nothing.
    assert_eq!(md.publish_draft("draft-1").await.unwrap().status, meshdesk_contract::DraftStatus::Published);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_of_the_seeded_products_pass_the_standards_own_validators() {
    // Verifies `meshctl export odcs|asyncapi` on each seeded product against the sandbox: the ODCS v3 YAML passes the JSON Schema and Pydantic model of the `open-data-contract-standard` package and datacontract-cli's `datacontract lint`, with the record rules as executable CEL quality checks, the AsyncAPI 3.0 document passes `@asyncapi/parser` (with its Avro schema parser) with no error, and `--output json` prints the same document as valid JSON.
    let t = sandbox(true).await;
    let dir = tempfile::tempdir().unwrap();
    let env = meshdesk_tests::env_file(dir.path(), "sandbox", &t.sandbox);
    let python = std::env::var_os("MESHDESK_PYTHON").expect("scripts/env.sh sets MESHDESK_PYTHON");
    let node_modules = std::env::var_os("MESHDESK_NODE_MODULES").expect("scripts/env.sh sets MESHDESK_NODE_MODULES");
    let clients = meshdesk_tests::repo_root().join("tests/clients");
    for product in ["inventory.stock-levels", "sales.orders", "customer.profiles"] {
        for format in ["odcs", "asyncapi"] {
            let out = std::process::Command::new(meshdesk_tests::target_dir().join("debug/meshctl"))
                .args(["export", format, product, "--env"])
                .arg(&env)
                .arg("--data-dir")
                .arg(dir.path().join("data"))
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let file = dir.path().join(format!("{product}.{format}.yaml"));
            std::fs::write(&file, &out.stdout).unwrap();
            let check = if format == "odcs" {
                std::process::Command::new(&python).arg(clients.join("validate_odcs.py")).arg(&file).output().unwrap()
            } else {
                // Node resolves the packages next to the script's imports through NODE_PATH only
                // for CommonJS; the script is copied beside them instead.
                let script = std::path::Path::new(&node_modules).parent().unwrap().join("validate_asyncapi.mjs");
                std::fs::copy(clients.join("validate_asyncapi.mjs"), &script).unwrap();
                std::process::Command::new("node").arg(&script).arg(&file).output().unwrap()
            };
            let said = String::from_utf8_lossy(&check.stdout);
            assert!(
                check.status.success(),
                "{product} {format}:\n{said}{}\n--- document ---\n{}",
                String::from_utf8_lossy(&check.stderr),
                String::from_utf8_lossy(&out.stdout)
            );
            assert!(said.lines().any(|l| l.starts_with("valid: ")), "{said}");
            if format == "odcs" {
                // datacontract-cli's own lint, and the record rules written as executable CEL.
                let dc = std::env::var_os("MESHDESK_DATACONTRACT").expect("scripts/env.sh sets MESHDESK_DATACONTRACT");
                let lint = std::process::Command::new(dc).arg("lint").arg(&file).output().unwrap();
                let lint_said = String::from_utf8_lossy(&lint.stdout);
                assert!(
                    lint.status.success(),
                    "datacontract lint {product}:\n{lint_said}{}",
                    String::from_utf8_lossy(&lint.stderr)
                );
                let doc = String::from_utf8_lossy(&out.stdout);
                if product == "inventory.stock-levels" {
                    assert!(
                        doc.contains("engine: cel") && doc.contains("implementation: message.quantity >= 0"),
                        "{doc}"
                    );
                }
            }
            // The same document as JSON for scripts.
            let json = std::process::Command::new(meshdesk_tests::target_dir().join("debug/meshctl"))
                .args(["export", format, product, "--output", "json", "--env"])
                .arg(&env)
                .arg("--data-dir")
                .arg(dir.path().join("data"))
                .output()
                .unwrap();
            assert!(json.status.success(), "{}", String::from_utf8_lossy(&json.stderr));
            let as_json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
            let as_yaml: serde_json::Value = serde_yaml_ng::from_slice(&out.stdout).unwrap();
            assert_eq!(as_json, as_yaml, "{product} {format}: JSON and YAML say the same");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_edit_a_product_with_a_new_schema_version_and_deprecate_it() {
    // Verifies editing and deprecating on the real broker and registry: only an owner may; an edit goes through the wizard's draft, policies and plan (the existing topic counts as done, the registry takes version 2 at the subject's level); deprecation needs a valid sunset date and every desktop then sees the product deprecated with it.
    let t = sandbox(true).await;
    let dir = tempfile::tempdir().unwrap();
    let env = meshdesk_tests::env_file_as(dir.path(), "sandbox", &t.sandbox, "User:carla");
    let md = Meshdesk::open(&dir.path().join("data"), EnvSource::File(env), SandboxPorts::default()).await.unwrap();
    md.connect().await.unwrap();
    md.sync().await.unwrap();

    let not_mine = md.edit_product("inventory.stock-levels").await.unwrap_err().to_string();
    assert!(not_mine.contains("User:carla does not own inventory.stock-levels"), "{not_mine}");

    let mut d = md.edit_product("customer.profiles").await.unwrap().draft;
    d.product.description =
        "The latest profile of every customer, with their loyalty tier; contains personal data.".into();
    d.product.version = "1.1.0".into();
    let vs = d.product.output_ports[0].value_schema.as_mut().unwrap();
    let mut schema: serde_json::Value = serde_json::from_str(&vs.schema).unwrap();
    schema["fields"].as_array_mut().unwrap().push(
        serde_json::json!({"name": "loyaltyTier", "type": ["null", "string"], "default": null, "doc": "Bronze, silver or gold."}),
    );
    vs.schema = schema.to_string();
    md.save_draft(&d).await.unwrap();
    let done = md.publish_draft(&d.id).await.unwrap();
    assert_eq!(done.status, meshdesk_contract::DraftStatus::Published, "{:?}", done.last_error);
    assert_eq!(done.steps[0].result.as_deref(), Some("already there"), "the topic is not created again");
    let registry = RegistryClient::new(&t.sandbox.registry_url(), None).unwrap();
    assert_eq!(registry.versions("customer.profile-updated-value").await.unwrap(), [1, 2]);
    md.flush_outbox().await.unwrap();
    md.sync().await.unwrap();
    let p = md.product_detail("customer.profiles").await.unwrap().product;
    assert_eq!((p.version.as_str(), p.output_ports[0].value_schema.as_ref().unwrap().version), ("1.1.0", Some(2)));

    let bad = md.deprecate_product("customer.profiles", "next week").await.unwrap_err().to_string();
    assert!(bad.contains("must look like 2027-03-31"), "{bad}");
    let empty = md.deprecate_product("customer.profiles", "").await.unwrap_err().to_string();
    assert!(empty.contains("choose the sunset date"), "{empty}");
    md.deprecate_product("customer.profiles", "2027-03-31").await.unwrap();
    md.flush_outbox().await.unwrap();
    md.sync().await.unwrap();
    let p = md.product_detail("customer.profiles").await.unwrap().product;
    assert_eq!((p.status, p.sunset.as_deref()), (ProductStatus::Deprecated, Some("2027-03-31")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_after_a_failed_publication_is_checked_again_and_a_draft_publishes_once() {
    // Verifies the wizard's journal against misuse: after a failed publication, an edit that breaks a policy is saved but drops the fixed plan, so publishing again checks it and is refused (a resume never publishes an unchecked body); once fixed, two publications of the draft at once are one publication and one refusal; the product event is written once, under an id fixed by the draft's plan.
    let mut t = sandbox(false).await;
    let data = tempfile::tempdir().unwrap();
    use meshdesk_domain::trust::Role;
    meshdesk_tests::endorse(&t.sandbox, "User:ines", &[Role::Owner, Role::Admin]).await;
    let env = meshdesk_tests::env_file_as(data.path(), "it", &t.sandbox, "User:ines");
    let md = Meshdesk::open(data.path(), EnvSource::File(env), SandboxPorts::default()).await.unwrap();
    md.connect().await.unwrap();
    md.save_draft(&draft()).await.unwrap();
    t.sandbox.stop_registry().await;
    assert_eq!(md.publish_draft("draft-1").await.unwrap().status, meshdesk_contract::DraftStatus::Failed);
    t.sandbox.start_registry().await.unwrap();

    let mut bad = draft();
    bad.product.classification = Classification::Public;
    let saved = md.save_draft(&bad).await.unwrap();
    assert_eq!(saved.status, meshdesk_contract::DraftStatus::Editing, "the edit drops the failed plan");
    let err = md.publish_draft("draft-1").await.unwrap_err().to_string();
    assert!(err.contains("cannot be in a public product"), "the edited body was checked: {err}");

    md.save_draft(&draft()).await.unwrap();
    let (a, b) = tokio::join!(md.publish_draft("draft-1"), md.publish_draft("draft-1"));
    let outcomes = [a, b];
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| o.as_ref().is_ok_and(|d| d.status == meshdesk_contract::DraftStatus::Published))
            .count(),
        1
    );
    let refused: Vec<String> = outcomes.iter().filter_map(|o| o.as_ref().err().map(|e| e.to_string())).collect();
    assert_eq!(refused.len(), 1);
    assert!(refused[0].contains("being published already"), "{refused:?}");
    md.flush_outbox().await.unwrap();
    md.sync().await.unwrap();
    let events = md.store().events(GOVERNANCE_TOPIC).await.unwrap();
    let products: Vec<_> = events.iter().filter(|e| e.kind == "ProductPublished").collect();
    assert_eq!(products.len(), 1, "{products:?}");
    assert!(products[0].id.starts_with("draft-draft-1-") && products[0].outcome == "applied", "{:?}", products[0]);
}

//! Promotion between two real environments: two sandboxes act as dev and prod.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use meshdesk_domain::policy::{Rule, Scope, Severity, Target};
use meshdesk_domain::trust::Role;
use meshdesk_kafka::Admin;
use meshdesk_registry::RegistryClient;
use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};
use meshdesk_tests::{endorse, env_file_as, sandbox};

/// Two seeded sandboxes acting as dev and prod, with Ines's environment file for each (every
/// file in a folder of its own: the harness names them env.toml).
pub(crate) struct DevProd {
    /// Kept for as long as the pair lives (dropping a sandbox stops it).
    _dev: meshdesk_tests::TestSandbox,
    pub(crate) prod: meshdesk_tests::TestSandbox,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) dev_env: PathBuf,
    pub(crate) prod_env: PathBuf,
}

impl DevProd {
    pub(crate) async fn start() -> DevProd {
        let (dev, prod) = (sandbox(true).await, sandbox(true).await);
        let dir = tempfile::tempdir().unwrap();
        let dev_env = env_file_as(&folder(dir.path(), "dev"), "dev", &dev.sandbox, "User:ines");
        let prod_env = env_file_as(&folder(dir.path(), "prod"), "prod", &prod.sandbox, "User:ines");
        DevProd { _dev: dev, prod, dir, dev_env, prod_env }
    }

    /// A desktop on `env` with its own data folder `name`, connected and synced.
    pub(crate) async fn desktop(&self, name: &str, env: PathBuf) -> Arc<Meshdesk> {
        let md =
            Meshdesk::open(&self.dir.path().join(name), EnvSource::File(env), SandboxPorts::default()).await.unwrap();
        md.connect().await.unwrap();
        md.sync().await.unwrap();
        md
    }

    /// A governance admin of prod (Paula) publishes a rule dev does not have: one partition per
    /// topic. Returns her desktop.
    pub(crate) async fn prod_only_rule(&self) -> Arc<Meshdesk> {
        endorse(&self.prod.sandbox, "User:paula", &[Role::Admin]).await;
        let env = env_file_as(&folder(self.dir.path(), "prod-paula"), "prod", &self.prod.sandbox, "User:paula");
        let paula = self.desktop("paula", env).await;
        let single = Rule {
            id: "prod-single-partition".into(),
            policy: "bounds".into(),
            target: Target::Port,
            condition: "port.partitions <= 1".into(),
            severity: Severity::Error,
            message: "in prod a topic has one partition, not {port.partitions}".into(),
            at: "partitions".into(),
            owner: Scope::Global,
        };
        paula.publish_policy(&single).await.unwrap();
        paula
    }
}

fn folder(dir: &Path, name: &str) -> PathBuf {
    let f = dir.join("files").join(name);
    std::fs::create_dir_all(&f).unwrap();
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_built_in_dev_is_promoted_to_prod_then_only_its_new_version_follows() {
    // Verifies promotion between two sandboxes acting as dev and prod: a product Ines published in dev is absent from prod (the one difference), its plan passes prod's policies, and promoting it creates its topic, registers its schema and publishes its contract in prod; after a schema change in dev the review names the new version and the changed schema, and the second promotion registers only the new version (prod's subject has versions 1 and 2, the topic is untouched); a schema prod's registry would refuse (prod has a version of its own) blocks the review with the registry's words before anything is applied; a rule published only in prod then blocks the next promotion with its message.
    let t = DevProd::start().await;
    let (prod, prod_env) = (&t.prod, t.prod_env.clone());
    let md = t.desktop("ines", t.dev_env.clone()).await;

    // Built in dev.
    let mut draft = crate::wizard::draft();
    draft.new_domain = None;
    md.save_draft(&draft).await.unwrap();
    let built = md.publish_draft(&draft.id).await.unwrap();
    assert_eq!(built.status, meshdesk_contract::DraftStatus::Published, "{:?}", built.last_error);
    md.flush_outbox().await.unwrap();
    md.sync().await.unwrap();

    // Reviewed, then promoted.
    let target = md.open_environment(&prod_env).await.unwrap();
    let id = "inventory.stock-reservations";
    let review = md.promotion(id, &target).await.unwrap();
    assert_eq!(review.target, "prod");
    assert_eq!(review.target_version, None);
    assert_eq!(review.differences.len(), 1, "{:?}", review.differences);
    assert_eq!((review.differences[0].at.as_str(), review.differences[0].target.as_str()), ("product", "absent"));
    assert!(!review.blocks, "{:?}", review.findings);
    assert!(review.plan[0].starts_with("create topic inventory.stock-reserved (2 partitions"), "{:?}", review.plan);
    let promoted = md.promote(id, &target).await.unwrap();
    assert_eq!(promoted.status, meshdesk_contract::DraftStatus::Published, "{:?}", promoted.last_error);

    let prod_admin = Admin::new(&prod.sandbox.kafka_profile()).unwrap();
    assert_eq!(prod_admin.describe_topic("inventory.stock-reserved").await.unwrap().partitions.len(), 2);
    let prod_registry = RegistryClient::new(&prod.sandbox.registry_url(), None).unwrap();
    let subject = "inventory.stock-reserved-value";
    assert_eq!(prod_registry.versions(subject).await.unwrap(), [1]);
    let in_prod = target.store().product(id).await.unwrap().expect("the product is in prod's catalog").product;
    let in_dev = md.store().product(id).await.unwrap().unwrap().product;
    assert_eq!(in_prod.contract, in_dev.contract, "the contract travelled");
    assert!(md.promotion(id, &target).await.unwrap().differences.is_empty(), "dev and prod agree now");

    // A schema change in dev: only the new version follows.
    let mut changed = draft.clone();
    changed.id = "draft-2".into();
    changed.product.version = "1.1.0".into();
    let schema = &mut changed.product.output_ports[0].value_schema.as_mut().unwrap().schema;
    *schema = schema.replacen(
        "\"fields\": [",
        "\"fields\": [\n  {\"name\": \"note\", \"type\": [\"null\", \"string\"], \"default\": null, \"doc\": \"Why it was reserved.\"},",
        1,
    );
    md.save_draft(&changed).await.unwrap();
    assert_eq!(md.publish_draft("draft-2").await.unwrap().status, meshdesk_contract::DraftStatus::Published);
    md.flush_outbox().await.unwrap();
    md.sync().await.unwrap();
    let review = md.promotion(id, &target).await.unwrap();
    let at: Vec<&str> = review.differences.iter().map(|d| d.at.as_str()).collect();
    assert_eq!(at, ["version", "port inventory.stock-reserved: value schema"], "{:?}", review.differences);
    assert_eq!(review.target_version.as_deref(), Some("1.0.0"));
    let again = md.promote(id, &target).await.unwrap();
    assert_eq!(again.status, meshdesk_contract::DraftStatus::Published, "{:?}", again.last_error);
    assert_eq!(prod_registry.versions(subject).await.unwrap(), [1, 2]);
    assert_eq!(again.steps[0].result.as_deref(), Some("already there"), "{:?}", again.steps[0]);
    assert_eq!(target.store().product(id).await.unwrap().unwrap().product.version, "1.1.0");

    // Someone registered a version straight in prod's registry (`quantity` as an int); dev then
    // adds `quantity` as a string: the review says prod's registry would refuse it, before
    // anything is applied.
    let with = |field: &str| {
        let mut d = changed.clone();
        let schema = &mut d.product.output_ports[0].value_schema.as_mut().unwrap().schema;
        *schema = schema.replacen("\"fields\": [", &format!("\"fields\": [\n  {field},"), 1);
        d
    };
    let in_prod = with(r#"{"name": "quantity", "type": "int", "default": 0, "doc": "How many."}"#);
    let schema = &in_prod.product.output_ports[0].value_schema.as_ref().unwrap().schema;
    prod_registry.register(subject, schema, meshdesk_domain::SchemaFormat::Avro).await.unwrap();
    let mut clash = with(r#"{"name": "quantity", "type": "string", "default": "", "doc": "How many, in words."}"#);
    clash.id = "draft-clash".into();
    clash.product.version = "1.1.1".into();
    md.save_draft(&clash).await.unwrap();
    assert_eq!(
        md.publish_draft("draft-clash").await.unwrap().status,
        meshdesk_contract::DraftStatus::Published,
        "dev accepts it"
    );
    md.flush_outbox().await.unwrap();
    md.sync().await.unwrap();
    let review = md.promotion(id, &target).await.unwrap();
    assert!(review.blocks, "{:?}", review.findings);
    let said: Vec<&str> =
        review.findings.iter().filter(|f| f.policy == "compatibility").map(|f| f.message.as_str()).collect();
    assert_eq!(said.len(), 1, "{:?}", review.findings);
    assert!(
        said[0].starts_with(&format!("the registry here refuses this schema for {subject} at BACKWARD_TRANSITIVE")),
        "{}",
        said[0]
    );
    assert_eq!(prod_registry.versions(subject).await.unwrap(), [1, 2, 3], "nothing was applied");

    // A rule only prod has blocks the next promotion, with its words.
    let paula = t.prod_only_rule().await;
    let mut third = changed.clone();
    third.id = "draft-3".into();
    third.product.version = "1.2.0".into();
    md.save_draft(&third).await.unwrap();
    assert_eq!(md.publish_draft("draft-3").await.unwrap().status, meshdesk_contract::DraftStatus::Published);
    md.flush_outbox().await.unwrap();
    md.sync().await.unwrap();
    target.sync().await.unwrap();
    let review = md.promotion(id, &target).await.unwrap();
    assert!(review.blocks);
    assert!(
        review.findings.iter().any(|f| f.message == "in prod a topic has one partition, not 2"),
        "{:?}",
        review.findings
    );
    let refused = md.promote(id, &target).await.unwrap_err().to_string();
    assert!(refused.contains("in prod a topic has one partition, not 2"), "{refused}");
    assert_eq!(target.store().product(id).await.unwrap().unwrap().product.version, "1.1.0", "nothing was applied");

    paula.shutdown().await;
    target.shutdown().await;
    md.shutdown().await;
}

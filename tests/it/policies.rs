//! Published policy rules through the service on the real broker: a global rule from a
//! governance admin reaches another desktop and blocks its wizard; what the trust rules refuse is
//! refused before anything is queued, with the reason.

use meshdesk_domain::policy::{Rule, Scope, Severity, Target};
use meshdesk_domain::trust::Role;
use meshdesk_domain::{Classification, DomainId, ProductId, TopicName};
use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};
use meshdesk_tests::{endorse, env_file_as, sandbox};

fn sla_rule(owner: Scope, id: &str) -> Rule {
    Rule {
        id: id.into(),
        policy: "sla".into(),
        target: Target::Product,
        condition: r#"product.classification != "restricted" || has(product.sla.availability_bp)"#.into(),
        severity: Severity::Error,
        message: "{product.title} is restricted: declare an availability SLA".into(),
        at: "product.sla".into(),
        owner,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_global_rule_from_an_admin_blocks_another_desktops_wizard() {
    // Verifies global rules end to end on the real broker: an admin's desktop publishes "restricted products declare an availability SLA"; Inventory's owner's desktop syncs it, lists it as not hers, and its backend check blocks a restricted draft without an SLA with the rule's message (and passes once the SLA is declared); the owner's own attempts to publish a global rule, to put an Inventory rule in the admin's rule's place, or to withdraw the admin's rule are refused with the reason before anything is queued; a rule on access requests from the admin (confidential products for at most 30 days) refuses Sam's 90-day request with its words and lets a 30-day one through.
    let t = sandbox(true).await;
    endorse(&t.sandbox, "User:paula", &[Role::Admin]).await;
    let dir = tempfile::tempdir().unwrap();
    let open = |name: &str, principal: &str| {
        let env = env_file_as(dir.path(), name, &t.sandbox, principal);
        let data = dir.path().join(name);
        async move {
            let md = Meshdesk::open(&data, EnvSource::File(env), SandboxPorts::default()).await.unwrap();
            md.connect().await.unwrap();
            md.sync().await.unwrap();
            md
        }
    };
    let paula = open("paula", "User:paula").await;
    let ines = open("ines", "User:ines").await;

    let global = sla_rule(Scope::Global, "restricted-sla");
    let overview = paula.publish_policy(&global).await.unwrap();
    assert_eq!(overview.scopes.first(), Some(&Scope::Global), "an admin may publish global rules");
    assert!(overview.rules.iter().any(|r| r.rule == global && r.version == 1 && r.mine));

    ines.sync().await.unwrap();
    let seen = ines.policies().await.unwrap();
    let theirs = seen.rules.iter().find(|r| r.rule.id == "restricted-sla").expect("the rule reached Ines");
    assert!(!theirs.mine, "Ines may not change a global rule");
    assert_eq!(seen.scopes, [Scope::Domain("inventory".into())]);

    let mut draft = crate::wizard::draft();
    draft.new_domain = None;
    draft.product.id = ProductId::parse("inventory.stock-audits").unwrap();
    draft.product.domain = DomainId::parse("inventory").unwrap();
    draft.product.title = "Stock audits".into();
    draft.product.output_ports[0].topic = TopicName::parse("inventory.stock-audited").unwrap();
    draft.product.output_ports[0].value_schema.as_mut().unwrap().subject = "inventory.stock-audited-value".into();
    draft.product.classification = Classification::Restricted;
    draft.product.sla.availability_bp = None;
    let check = ines.check_draft(&draft).await.unwrap();
    assert!(check.blocks, "{:?}", check.findings);
    let said: Vec<_> = check.findings.iter().filter(|f| f.policy == "sla").map(|f| f.message.as_str()).collect();
    assert_eq!(said, ["Stock audits is restricted: declare an availability SLA"], "{:?}", check.findings);
    draft.product.sla.availability_bp = Some(9990);
    let check = ines.check_draft(&draft).await.unwrap();
    assert!(check.findings.iter().all(|f| f.policy != "sla"), "{:?}", check.findings);

    let refused = |e: meshdesk_service::ServiceError| e.to_string();
    let own_global = refused(ines.publish_policy(&sla_rule(Scope::Global, "ines-global")).await.unwrap_err());
    assert!(own_global.contains("only a governance admin may publish a global policy rule"), "{own_global}");
    let in_its_place =
        refused(ines.publish_policy(&sla_rule(Scope::Domain("inventory".into()), "restricted-sla")).await.unwrap_err());
    assert!(in_its_place.contains("`restricted-sla` is a global rule"), "{in_its_place}");
    let withdraw = meshdesk_contract::WithdrawRule { id: "restricted-sla".into(), reason: "too strict".into() };
    let withdrawn = refused(ines.withdraw_policy(&withdraw).await.unwrap_err());
    assert!(withdrawn.contains("only a governance admin may withdraw a global policy rule"), "{withdrawn}");
    assert_eq!(ines.flush_outbox().await.unwrap(), 0, "nothing refused was queued");

    // A rule on access requests: confidential products are granted for at most 30 days.
    let days = Rule {
        id: "confidential-30-days".into(),
        policy: "access".into(),
        target: Target::Request,
        condition: r#"product.classification != "confidential" || request.days <= 30"#.into(),
        severity: Severity::Error,
        message: "{product.title} is confidential: ask for at most 30 days, not {request.days}".into(),
        at: "days".into(),
        owner: Scope::Global,
    };
    paula.publish_policy(&days).await.unwrap();
    let sam = open("sam", "User:sam").await;
    let form = |days: u32| meshdesk_contract::AccessRequestForm {
        product: "customer.profiles".into(),
        ports: vec!["customer.profile-updated".into()],
        consumer: "User:sales-app".into(),
        requester_domain: "sales".into(),
        group_prefix: None,
        purpose: "Greet returning customers by name.".into(),
        days: Some(days),
    };
    let refused = sam.request_access(&form(90)).await.unwrap_err().to_string();
    assert!(
        refused.contains(
            "the policies refuse this request: Customer profiles is confidential: ask for at most 30 days, not 90"
        ),
        "{refused}"
    );
    sam.request_access(&form(30)).await.expect("a request within the rule is sent");
    sam.shutdown().await;

    paula.shutdown().await;
    ines.shutdown().await;
}

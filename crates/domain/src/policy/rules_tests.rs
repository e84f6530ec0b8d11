use proptest::prelude::*;

use super::*;
use crate::ids::{DomainId, TopicName};
use crate::seed;

fn good() -> DataProduct {
    seed::products().remove(0)
}

fn user_rule(id: &str, target: Target, condition: &str, message: &str) -> Rule {
    Rule {
        id: id.into(),
        policy: id.into(),
        target,
        condition: condition.into(),
        severity: Severity::Error,
        message: message.into(),
        at: match target {
            Target::Product => "product".into(),
            Target::Port => "partitions".into(),
            Target::Schema => "{schema.which}".into(),
            Target::Field => "fields.{field.path}".into(),
            Target::Request => "days".into(),
        },
        owner: Scope::Global,
    }
}

fn refused(rule: Rule) -> String {
    RuleSet::compile(vec![rule]).expect_err("the rule is refused").reason
}

/// A marketing product with one port of `partitions` partitions.
fn marketing(partitions: i32) -> DataProduct {
    let mut p = good();
    p.domain = DomainId::parse("marketing").unwrap();
    p.output_ports[0].topic = TopicName::parse("marketing.campaign-sent").unwrap();
    p.output_ports[0].partitions = partitions;
    p
}

/// A domain's own rule ("no topic may have more than 12 partitions in the marketing domain")
/// holds its domain's products to it, says what it was given, and leaves other domains alone.
#[test]
fn a_domain_rule_applies_to_its_domain_only() {
    let mut rule = user_rule(
        "marketing-partitions",
        Target::Port,
        "port.partitions <= 12",
        "{port.partitions} partitions: marketing topics have at most 12",
    );
    rule.owner = Scope::Domain("marketing".into());
    let set = RuleSet::compile(vec![rule]).unwrap();
    let f = set.check(&marketing(16), &[]);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].policy.as_str(), f[0].at.as_str(), f[0].message.as_str()),
        ("marketing-partitions", "ports[0].partitions", "16 partitions: marketing topics have at most 12")
    );
    assert!(set.check(&marketing(12), &[]).is_empty());
    let mut inventory = good();
    inventory.output_ports[0].partitions = 16;
    assert!(set.check(&inventory, &[]).is_empty(), "another domain's product");
}

/// A product rule over the contract's SLA: restricted products declare an availability.
#[test]
fn restricted_products_declare_an_availability_sla() {
    let set = RuleSet::compile(vec![user_rule(
        "restricted-availability",
        Target::Product,
        r#"product.classification != "restricted" || has(product.sla.availability_bp)"#,
        "{product.title} is restricted: declare an availability SLA",
    )])
    .unwrap();
    let mut p = good();
    p.classification = crate::model::Classification::Restricted;
    p.sla.availability_bp = None;
    let f = set.check(&p, &[]);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].message, format!("{} is restricted: declare an availability SLA", p.title));
    p.sla.availability_bp = Some(9990);
    assert!(set.check(&p, &[]).is_empty());
}

/// Lists, macros and the extra functions work as documented in `view.rs`.
#[test]
fn rules_can_use_lists_macros_and_the_model_functions() {
    let p = seed::products().remove(2); // customer profiles: PII flagged in the contract
    let rules = vec![
        user_rule("every-port-small", Target::Product, "product.ports.all(x, x.partitions <= 2)", "ports too big"),
        user_rule("owners-are-users", Target::Product, r#"product.owners.all(o, o.startsWith("User:"))"#, "owners"),
        user_rule("has-email", Target::Field, r#"field.name != "email" || field.pii"#, "flag `{field.path}`"),
        user_rule("full", Target::Schema, r#"at_least(schema.compatibility, "FULL")"#, "{schema.compatibility} < FULL"),
        user_rule(
            "not-named-like-pii",
            Target::Field,
            "!looks_like_pii(field.name) || field.pii || field.parent_pii",
            "x",
        ),
    ];
    let set = RuleSet::compile(rules).unwrap();
    let f = set.check(&p, &[]);
    let got: Vec<_> = f.iter().map(|f| (f.policy.as_str(), f.message.as_str())).collect();
    assert_eq!(got, [("every-port-small", "ports too big"), ("full", "BACKWARD_TRANSITIVE < FULL")], "{f:#?}");
}

/// Rules from outside are refused with a reason before they run: not CEL, a variable the
/// target does not have, too long, nested too deep, a broken message, a duplicate id.
#[test]
fn unusable_rules_are_refused_with_the_reason() {
    let r = |c: &str| user_rule("r", Target::Product, c, "m");
    assert!(refused(r("product.title ==")).contains("not valid CEL"));
    assert!(refused(r("port.partitions > 1")).contains("cannot use `port`; it sees product"));
    assert!(refused(r("")).contains("empty"));
    assert!(refused(r(&"true && ".repeat(400))).contains("longer than 2000"));
    assert!(refused(r(&format!("{}true{}", "(".repeat(40), ")".repeat(40)))).contains("deeper than 24"));
    assert!(refused(user_rule("r", Target::Product, "true", "{product.title")).contains("never closed"));
    assert!(refused(user_rule("r", Target::Product, "true", "a } b")).contains("without its `{`"));
    assert!(refused(user_rule("r", Target::Port, "true", "{field.path}")).contains("cannot use `field`"));
    // Loops multiply: three nested ones over a literal list of 100 would be a million steps per
    // product, and more loops than that are refused too; two nested ones are fine.
    let list = format!("[{}]", vec!["1"; 100].join(","));
    let nested3 = format!("{list}.all(a, {list}.all(b, {list} .exists (c, c == a)))");
    assert!(refused(r(&nested3)).contains("nests loops"), "{nested3}");
    assert!(refused(r(&["product.owners.all(o, true)"; 9].join(" && "))).contains("more than 8 loops"));
    assert!(RuleSet::compile(vec![r("product.ports.all(p, product.owners.exists(o, o != p.topic))")]).is_ok());
    assert!(RuleSet::compile(vec![r(r#"product.title != "x.all(a, b.all(c, d.all(e, f)))""#)]).is_ok(), "in a string");
    let e = RuleSet::compile(vec![r("true"), r("false")]).unwrap_err();
    assert_eq!(e.reason, "two rules have this id");
    // Braces in a message are written twice.
    let set = RuleSet::compile(vec![user_rule("r", Target::Product, "false", "{{x}} {product.domain}")]).unwrap();
    assert_eq!(set.check(&good(), &[])[0].message, "{x} inventory");
}

/// A rule that fails while it runs (a missing attribute, a non-boolean result) becomes a
/// blocking finding of its own; the other rules still run.
#[test]
fn a_rule_that_fails_at_run_time_is_a_finding_and_the_others_still_run() {
    let set = RuleSet::compile(vec![
        user_rule("missing", Target::Port, "port.no_such_thing > 1", "m"),
        user_rule("not-bool", Target::Product, "product.title", "m"),
        user_rule("works", Target::Product, "false", "still ran"),
    ])
    .unwrap();
    let f = set.check(&good(), &[]);
    let got: Vec<_> = f.iter().map(|f| (f.policy.as_str(), f.severity)).collect();
    assert_eq!(
        got,
        [("not-bool", Severity::Error), ("works", Severity::Error), ("missing", Severity::Error)],
        "{f:#?}"
    );
    assert!(f[0].message.contains("instead of true or false"), "{}", f[0].message);
    assert!(f[2].message.starts_with("the rule `missing` could not be evaluated"), "{}", f[2].message);
    assert_eq!(f[1].message, "still ran");
}

/// The valid-schema policy reads every format: a JSON Schema or Protobuf schema that does not
/// parse is refused with its format named, a valid one passes.
#[test]
fn schemas_of_every_format_must_parse() {
    for (format, bad, fine, name) in [
        (crate::SchemaFormat::Json, r#"{"type": "object", "properties": "#, r#"{"type": "object"}"#, "JSON Schema"),
        (
            crate::SchemaFormat::Protobuf,
            "syntax = \"proto3\"; message {",
            "syntax = \"proto3\"; message A { int32 n = 1; }",
            "Protobuf",
        ),
    ] {
        let mut p = good();
        let s = p.output_ports[0].value_schema.as_mut().unwrap();
        s.format = format;
        s.schema = bad.into();
        let f = check(&p, &Policies::default(), &[]);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!((f[0].policy.as_str(), f[0].at.as_str()), ("valid-schema", "ports[0].value_schema"));
        assert!(f[0].message.starts_with(&format!("the schema is not valid {name}: ")), "{}", f[0].message);
        p.output_ports[0].value_schema.as_mut().unwrap().schema = fine.into();
        assert!(check(&p, &Policies::default(), &[]).is_empty(), "{name}");
    }
}

/// Every field the window offers for completion is there on the variables rules see.
#[test]
fn the_documented_fields_are_there() {
    let p = seed::products().remove(2); // ports with an Avro schema and fields
    let request = sample_request(&p);
    // Rules on requests are checked on a request; the others on the product.
    let run = |set: &RuleSet, target: Target| {
        if target == Target::Request { set.check_request(&p, &request) } else { set.check(&p, &[]) }
    };
    for (variable, fields) in FIELDS {
        let target = match *variable {
            "product" => Target::Product,
            "port" => Target::Port,
            "schema" => Target::Schema,
            "request" => Target::Request,
            _ => Target::Field,
        };
        // The target is evaluated at all (a rule that never holds finds something).
        let never = RuleSet::compile(vec![user_rule("never", target, "false", "x")]).unwrap();
        assert!(!run(&never, target).is_empty(), "{variable} is evaluated");
        for field in *fields {
            let rule = user_rule("has", target, &format!("has({variable}.{field})"), "missing");
            let f = run(&RuleSet::compile(vec![rule]).unwrap(), target);
            assert!(f.is_empty(), "{variable}.{field}: {f:#?}");
        }
    }
}

/// The built-in policies are data: every one compiles, ids are unique, and each policy of the
/// policies page has rules.
#[test]
fn the_built_in_policies_are_rules() {
    let rules = Policies::default().rules();
    let set = RuleSet::compile(rules.clone()).unwrap();
    assert_eq!(set.len(), rules.len());
    for (id, _) in BUILT_IN {
        assert!(rules.iter().any(|r| r.policy == *id), "{id} has no rule");
    }
    assert!(rules.iter().all(|r| r.owner == Scope::Global));
}

/// The catalog-wide check (every core natively) gives each product the findings a check of that
/// product alone gives, in the catalog's order.
#[test]
fn the_catalog_check_agrees_with_one_product_at_a_time() {
    let seed = seed::products();
    let catalog: Vec<DataProduct> = (0..300)
        .map(|i| {
            let mut p = seed[i % seed.len()].clone();
            p.output_ports[0].partitions = (i % 40) as i32;
            p
        })
        .collect();
    let set = RuleSet::compile(Policies::default().rules()).unwrap();
    let one_by_one: Vec<Vec<Finding>> = catalog.iter().map(|p| set.check(p, &[])).collect();
    assert!(one_by_one.iter().any(|f| !f.is_empty()) && one_by_one.iter().any(Vec::is_empty));
    assert_eq!(set.check_catalog(&catalog), one_by_one);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
    /// Whatever text arrives as a condition or a message, compiling and checking end with
    /// findings or a refusal, never a panic.
    #[test]
    fn hostile_rule_text_never_panics(
        condition in "[a-z_.()\\[\\]{}!=<>&|+*/%'\" 0-9,:?-]{0,80}",
        message in "[a-z{}. ]{0,40}",
    ) {
        let rule = Rule {
            id: "fuzz".into(),
            policy: "fuzz".into(),
            target: Target::Field,
            condition,
            severity: Severity::Warning,
            message,
            at: "x".into(),
            owner: Scope::Global,
        };
        if let Ok(set) = RuleSet::compile(vec![rule]) {
            let _ = set.check(&good(), &[]);
        }
    }
}

#[test]
fn published_rules_are_checked_beside_the_built_in_ones_and_only_in_their_domain() {
    // Verifies check_with: a published domain rule finds what it says on its domain's products only, the built-in findings stay, and the cached set follows a change of the published rules.
    use crate::policy::{Policies, Scope, Severity, Target, check, check_with};
    let stock = crate::seed::products().remove(0);
    let sales = crate::seed::products().into_iter().find(|p| p.domain.as_str() == "sales").unwrap();
    let rule = Rule {
        id: "inventory.one-partition".into(),
        policy: "bounds".into(),
        target: Target::Port,
        condition: "port.partitions <= 1".into(),
        severity: Severity::Error,
        message: "Inventory's ports have one partition, not {port.partitions}".into(),
        at: "partitions".into(),
        owner: Scope::Domain("inventory".into()),
    };
    let settings = Policies::default();
    assert!(check(&stock, &settings, &[]).is_empty());
    let found = check_with(&stock, &settings, std::slice::from_ref(&rule), &[]);
    assert_eq!(found.len(), stock.output_ports.len(), "{found:#?}");
    assert_eq!(found[0].at, "ports[0].partitions");
    assert!(found[0].message.starts_with("Inventory's ports have one partition, not "), "{}", found[0].message);
    assert!(check_with(&sales, &settings, std::slice::from_ref(&rule), &[]).is_empty(), "another domain's product");
    assert!(check_with(&stock, &settings, &[], &[]).is_empty(), "the cache follows the rules");
}

/// A request from Sales for every port of `p`, for 90 days.
fn sample_request(p: &DataProduct) -> crate::access::AccessRequest {
    crate::access::AccessRequest {
        id: "req-1".into(),
        product: p.id.clone(),
        ports: p.output_ports.iter().map(|o| o.topic.clone()).collect(),
        consumer: crate::model::Principal::parse("User:sales-app").unwrap(),
        requester_domain: DomainId::parse("sales").unwrap(),
        group_prefix: "sales.".into(),
        purpose: "Check stock before confirming orders.".into(),
        days: 90,
    }
}

#[test]
fn rules_on_access_requests_see_the_request_and_its_product_and_nothing_else_runs_them() {
    // Verifies the access-request target: "restricted products are granted for at most 30 days" finds a 90-day request to a restricted product (pointing at request.days, in the rule's words) and not a 30-day one nor one to an internal product; a domain's request rule applies to requests for its products only; product checks never run request rules, and a request rule cannot use `port`.
    use crate::policy::{Scope, check_request};
    let mut p = good();
    let rule = Rule {
        id: "restricted-30-days".into(),
        policy: "access".into(),
        target: Target::Request,
        condition: r#"product.classification != "restricted" || request.days <= 30"#.into(),
        severity: Severity::Error,
        message: "{product.title} is restricted: ask for at most 30 days, not {request.days}".into(),
        at: "days".into(),
        owner: Scope::Global,
    };
    let mut r = sample_request(&p);
    assert!(check_request(&p, &r, std::slice::from_ref(&rule)).is_empty(), "an internal product");
    p.classification = crate::model::Classification::Restricted;
    let f = check_request(&p, &r, std::slice::from_ref(&rule));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].at.as_str(), f[0].severity), ("request.days", Severity::Error));
    assert_eq!(f[0].message, format!("{} is restricted: ask for at most 30 days, not 90", p.title));
    assert!(RuleSet::compile(vec![rule.clone()]).unwrap().check(&p, &[]).is_empty(), "product checks skip it");
    r.days = 30;
    assert!(check_request(&p, &r, std::slice::from_ref(&rule)).is_empty());
    r.days = 90;
    let sales_only = Rule { owner: Scope::Domain("sales".into()), ..rule.clone() };
    assert!(check_request(&p, &r, &[sales_only]).is_empty(), "a rule of another domain");
    let ports = Rule { condition: "port.partitions > 0".into(), ..rule };
    assert!(RuleSet::compile(vec![ports]).unwrap_err().reason.contains("cannot use `port`"));
}

#[test]
fn a_scope_key_reads_back_as_the_same_scope_even_for_a_domain_called_global() {
    // Verifies Scope::key and Scope::from_key: every scope round-trips, a domain called `global` stays that domain's, and any other text is no scope.
    use crate::policy::Scope;
    for s in [Scope::Global, Scope::Domain("inventory".into()), Scope::Domain("global".into())] {
        assert_eq!(Scope::from_key(&s.key()), Some(s));
    }
    assert_ne!(Scope::Domain("global".into()).key(), Scope::Global.key());
    assert_eq!(Scope::from_key("inventory"), None);
}

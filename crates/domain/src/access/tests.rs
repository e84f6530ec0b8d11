use proptest::prelude::*;

use super::*;

fn p(s: &str) -> Principal {
    Principal::parse(s).unwrap()
}

fn request() -> AccessRequest {
    AccessRequest {
        id: "r1".into(),
        product: ProductId::parse("inventory.stock-levels").unwrap(),
        ports: vec![TopicName::parse("inventory.stock-level-updated").unwrap()],
        consumer: p("User:sales-app"),
        requester_domain: DomainId::parse("sales").unwrap(),
        group_prefix: "sales.".into(),
        purpose: "Check stock before confirming orders.".into(),
        days: 90,
    }
}

struct Fixture {
    req: AccessRequest,
    by: Principal,
    owners: Vec<Principal>,
}

impl Fixture {
    fn new() -> Self {
        Self { req: request(), by: p("User:sam"), owners: vec![p("User:ines"), p("User:ivan")] }
    }
    fn ctx(&self, classification: Classification) -> DecisionContext<'_> {
        DecisionContext {
            request: &self.req,
            requested_by: &self.by,
            requested_at_ms: 0,
            product_owners: &self.owners,
            classification,
        }
    }
}

const NOW: i64 = 1_000_000;
const DAY: i64 = 86_400_000;

fn pending() -> RequestState {
    RequestState::Pending { approvals: vec![] }
}

#[test]
fn every_legal_transition() {
    let f = Fixture::new();
    let ctx = f.ctx(Classification::Internal);
    let ines = p("User:ines");
    // pending → approved, with the requested or a shorter duration
    let approved = decide(&pending(), &ctx, &Decision::Approve { days: None }, &ines, NOW).unwrap();
    assert_eq!(approved, RequestState::Approved { approvers: vec![ines.clone()], until_ms: NOW + 90 * DAY });
    let shorter = decide(&pending(), &ctx, &Decision::Approve { days: Some(30) }, &ines, NOW).unwrap();
    assert!(matches!(shorter, RequestState::Approved { until_ms, .. } if until_ms == NOW + 30 * DAY));
    // pending → denied (with a reason), → withdrawn (by the requester)
    let denied = decide(&pending(), &ctx, &Decision::Deny { reason: " no purpose fit ".into() }, &ines, NOW).unwrap();
    assert_eq!(denied, RequestState::Denied { by: ines.clone(), reason: "no purpose fit".into() });
    assert_eq!(decide(&pending(), &ctx, &Decision::Withdraw, &f.by, NOW).unwrap(), RequestState::Withdrawn);
    // approved → revoked by an owner
    let revoked =
        decide(&approved, &ctx, &Decision::Revoke { reason: "left the project".into() }, &p("User:ivan"), NOW);
    assert_eq!(revoked.unwrap(), RequestState::Revoked { by: p("User:ivan"), reason: "left the project".into() });
    // expiry is time, not an event
    assert!(approved.is_active(NOW + 90 * DAY - 1));
    assert!(!approved.is_active(NOW + 90 * DAY));
}

#[test]
fn restricted_products_need_two_different_owners() {
    let f = Fixture::new();
    let ctx = f.ctx(Classification::Restricted);
    let (ines, ivan) = (p("User:ines"), p("User:ivan"));
    let one = decide(&pending(), &ctx, &Decision::Approve { days: None }, &ines, NOW).unwrap();
    assert_eq!(one, RequestState::Pending { approvals: vec![ines.clone()] });
    let again = decide(&one, &ctx, &Decision::Approve { days: None }, &ines, NOW).unwrap_err();
    assert_eq!(again, "User:ines has already approved this request");
    let two = decide(&one, &ctx, &Decision::Approve { days: None }, &ivan, NOW).unwrap();
    assert!(matches!(two, RequestState::Approved { ref approvers, .. } if approvers == &[ines, ivan]));
}

#[test]
fn illegal_transitions_are_refused_with_the_reason() {
    let mut f = Fixture::new();
    let ines = p("User:ines");
    let ctx = f.ctx(Classification::Internal);
    let approved = decide(&pending(), &ctx, &Decision::Approve { days: None }, &ines, NOW).unwrap();
    let cases: Vec<(RequestState, Decision, Principal, i64, &str)> = vec![
        (
            approved.clone(),
            Decision::Approve { days: None },
            ines.clone(),
            NOW,
            "a request that is approved cannot be approved",
        ),
        (
            approved.clone(),
            Decision::Deny { reason: "x".into() },
            ines.clone(),
            NOW,
            "a request that is approved cannot be denied",
        ),
        (
            RequestState::Denied { by: ines.clone(), reason: "x".into() },
            Decision::Approve { days: None },
            ines.clone(),
            NOW,
            "a request that is denied cannot be approved",
        ),
        (
            RequestState::Withdrawn,
            Decision::Approve { days: None },
            ines.clone(),
            NOW,
            "a request that is withdrawn cannot be approved",
        ),
        (approved.clone(), Decision::Withdraw, f.by.clone(), NOW, "a request that is approved cannot be withdrawn"),
        (
            pending(),
            Decision::Approve { days: None },
            p("User:mallory"),
            NOW,
            "User:mallory does not own inventory.stock-levels",
        ),
        (pending(), Decision::Withdraw, ines.clone(), NOW, "only User:sam who made the request can withdraw it"),
        (pending(), Decision::Deny { reason: "  ".into() }, ines.clone(), NOW, "a denial needs a reason"),
        (
            pending(),
            Decision::Approve { days: Some(120) },
            ines.clone(),
            NOW,
            "approval may shorten the duration (90 days) but not extend it",
        ),
        (
            approved.clone(),
            Decision::Approve { days: None },
            ines.clone(),
            NOW + 91 * DAY,
            "the grant has expired; ask for a renewal with a new request",
        ),
        (
            approved.clone(),
            Decision::Revoke { reason: "x".into() },
            ines.clone(),
            NOW + 91 * DAY,
            "the grant has already expired",
        ),
        (
            RequestState::Revoked { by: ines.clone(), reason: "x".into() },
            Decision::Revoke { reason: "x".into() },
            ines.clone(),
            NOW,
            "a request that is revoked cannot be revoked",
        ),
    ];
    for (state, d, actor, now, want) in cases {
        assert_eq!(decide(&state, &ctx, &d, &actor, now).unwrap_err(), want, "{state:?} {d:?} by {actor}");
    }
    // An owner who made the request, or who is the consumer it names, cannot approve it.
    f.by = ines.clone();
    let own = decide(&pending(), &f.ctx(Classification::Internal), &Decision::Approve { days: None }, &ines, NOW);
    assert_eq!(own.unwrap_err(), "User:ines made this request and cannot decide it");
    f.by = p("User:sam");
    f.req.consumer = ines.clone();
    let named = decide(&pending(), &f.ctx(Classification::Internal), &Decision::Approve { days: None }, &ines, NOW);
    assert_eq!(named.unwrap_err(), "User:ines is the consumer named in this request and cannot decide it");
}

#[test]
fn requests_are_validated_against_the_product() {
    let ports = vec![TopicName::parse("inventory.stock-level-updated").unwrap()];
    assert_eq!(request().validate(&ports, MAX_DAYS), Ok(()));
    let bad = |f: fn(&mut AccessRequest)| {
        let mut r = request();
        f(&mut r);
        r.validate(&ports, MAX_DAYS).unwrap_err().to_string()
    };
    assert_eq!(bad(|r| r.ports.clear()), "choose at least one port");
    assert!(bad(|r| r.ports = vec![TopicName::parse("inventory.other").unwrap()]).contains("not an output port"));
    assert!(bad(|r| r.purpose = "x".into()).starts_with("say what the data is for"));
    assert_eq!(bad(|r| r.days = 400), "access lasts 1 to 365 days, not 400");
    assert!(bad(|r| r.group_prefix = "*".into()).contains("consumer-group prefix"));
    assert!(bad(|r| r.group_prefix = String::new()).contains("consumer-group prefix"));
    assert!(
        bad(|r| r.group_prefix = "p".into())
            .contains("must start with the requesting domain's id and a dot (`sales.`)")
    );
    assert!(bad(|r| r.group_prefix = "marketing.".into()).contains("`sales.`"));
    assert!(bad(|r| r.group_prefix = "sales".into()).contains("`sales.`"));
    assert!(bad(|r| r.group_prefix = "salesforce.".into()).contains("`sales.`"));
    assert_eq!(
        bad(|r| {
            r.requester_domain = DomainId::parse("inventory").unwrap();
            r.group_prefix = "inventory.".into();
        }),
        "a domain reads its own products without a request"
    );
}

#[test]
fn principals_are_from_a_safe_set_and_commands_are_quoted() {
    // Verifies hostile principals are refused by validation and that whatever the command printer is given is one shell word.
    for ok in ["User:sales-app", "User:ines", "User:svc.sales_reader@corp", "Group:ops"] {
        assert!(Principal::parse(ok).is_ok(), "{ok}");
    }
    for bad in [
        "User:*",
        "User:a;rm -rf ~",
        "User:$(id)",
        "User:`id`",
        "User:a'b",
        "User:a\"b",
        "User:a b",
        "User:",
        ":x",
        "Us er:x",
        "User:a|b",
        "User:a&b",
        "User:a\nb",
        "User:a>b",
    ] {
        assert!(Principal::parse(bad).is_err(), "{bad:?} refused");
    }
    assert!(Principal::parse("User:*").unwrap_err().to_string().contains("wildcard"));
    assert_eq!(shell_quote("inventory.stock"), "inventory.stock");
    assert_eq!(shell_quote("a;b"), "'a;b'");
    assert_eq!(shell_quote("$(id)"), "'$(id)'");
    assert_eq!(shell_quote("it's"), "'it'\\''s'");
    assert_eq!(shell_quote(""), "''");
    // The printer quotes what it prints, even names no validation would let through.
    let hostile = AclBinding {
        resource: ResourceKind::Topic,
        name: "t; touch /tmp/pwned".into(),
        pattern: PatternKind::Literal,
        principal: Principal::parse("User:x").unwrap(),
        operation: Operation::Read,
    };
    let cmd = &kafka_acls_commands(&[hostile], "host:9092 && id", false)[0];
    assert!(cmd.contains("--topic 't; touch /tmp/pwned'"), "{cmd}");
    assert!(cmd.contains("--bootstrap-server 'host:9092 && id'"), "{cmd}");
    // Every unquoted stretch of the command is free of shell metacharacters.
    let mut outside = String::new();
    for (i, part) in cmd.split('\'').enumerate() {
        if i % 2 == 0 {
            outside.push_str(part);
        }
    }
    assert!(!outside.contains([';', '$', '`', '&', '|', '>', '<', '(', ')', '"']), "{outside}");
}

#[test]
fn the_plan_for_the_seed_example_and_its_kafka_acls_commands() {
    let plan = grant_plan(&request());
    let cmds = kafka_acls_commands(&plan, "broker:9092", false);
    assert_eq!(
        cmds,
        [
            "kafka-acls.sh --bootstrap-server broker:9092 --add --allow-principal User:sales-app --operation Read --topic inventory.stock-level-updated --resource-pattern-type literal",
            "kafka-acls.sh --bootstrap-server broker:9092 --add --allow-principal User:sales-app --operation Describe --topic inventory.stock-level-updated --resource-pattern-type literal",
            "kafka-acls.sh --bootstrap-server broker:9092 --add --allow-principal User:sales-app --operation Read --group sales. --resource-pattern-type prefixed",
        ]
    );
    assert!(
        kafka_acls_commands(&plan, "b:1", true)[0].contains("--remove")
            && kafka_acls_commands(&plan, "b:1", true)[0].ends_with("--force")
    );
}

fn arb_request() -> impl Strategy<Value = AccessRequest> {
    let topic = "[a-z]{1,8}\\.[a-z][a-z0-9-]{0,12}".prop_map(|s| TopicName::parse(&s).unwrap());
    (proptest::collection::vec(topic, 1..6), "[A-Za-z][A-Za-z0-9-]{0,10}", "[a-z][a-z0-9._-]{0,10}", 1u32..=365)
        .prop_map(|(ports, consumer, prefix, days)| AccessRequest {
            ports,
            consumer: Principal::parse(&format!("User:{consumer}")).unwrap(),
            group_prefix: prefix,
            days,
            ..request()
        })
}

proptest! {
    /// No plan ever holds WRITE, ALTER, DELETE or any other operation than READ and DESCRIBE, a
    /// wildcard, another principal, or a resource outside the request.
    #[test]
    fn a_grant_never_exceeds_the_request(req in arb_request()) {
        let plan = grant_plan(&req);
        for b in &plan {
            prop_assert!(matches!(b.operation, Operation::Read | Operation::Describe));
            prop_assert_eq!(&b.principal, &req.consumer);
            prop_assert!(!b.name.contains('*') && !b.name.is_empty());
            match b.resource {
                ResourceKind::Topic => {
                    prop_assert_eq!(b.pattern, PatternKind::Literal);
                    prop_assert!(req.ports.iter().any(|p| p.as_str() == b.name));
                }
                ResourceKind::Group => {
                    prop_assert_eq!(b.pattern, PatternKind::Prefixed);
                    prop_assert_eq!(&b.name, &req.group_prefix);
                    prop_assert_eq!(b.operation, Operation::Read);
                }
            }
        }
        // And it is complete: READ and DESCRIBE on every port, READ on the group prefix.
        let mut ports: Vec<&str> = req.ports.iter().map(|p| p.as_str()).collect();
        ports.sort();
        ports.dedup();
        prop_assert_eq!(plan.len(), ports.len() * 2 + 1);
    }
}

#[test]
fn the_reconciler_applies_in_force_grants_and_removes_expired_and_revoked_ones() {
    let ines = p("User:ines");
    let mk = |id: &str| AccessRequest { id: id.into(), ..request() };
    let (a, b, c, d, e) = (mk("approved"), mk("expired"), mk("revoked"), mk("pending"), mk("done"));
    let approved = RequestState::Approved { approvers: vec![ines.clone()], until_ms: NOW + DAY };
    let expired = RequestState::Approved { approvers: vec![ines.clone()], until_ms: NOW - 1 };
    let revoked = RequestState::Revoked { by: ines.clone(), reason: "ended".into() };
    let waiting = RequestState::Pending { approvals: vec![] };
    let rows = vec![
        (&a, &approved, Some("not_applied")),
        (&b, &expired, Some("applied")),
        (&c, &revoked, None),
        (&d, &waiting, None),
        (&e, &approved, Some("applied")),
    ];
    let actions = reconcile_actions(rows.clone(), NOW);
    let summary: Vec<(&str, bool, &str)> =
        actions.iter().map(|a| (a.request_id.as_str(), a.apply, a.why.as_str())).collect();
    assert_eq!(
        summary,
        [
            ("approved", true, "approved and in force; its ACLs are not applied yet"),
            ("expired", false, "expired"),
            ("revoked", false, "revoked by User:ines: ended"),
        ]
    );
    assert!(actions.iter().all(|a| a.bindings == grant_plan(&request())));
    // Once recorded as applied or removed, nothing is left to do.
    let settled =
        vec![(&a, &approved, Some("applied")), (&b, &expired, Some("removed")), (&c, &revoked, Some("removed"))];
    assert!(reconcile_actions(settled, NOW).is_empty());
}

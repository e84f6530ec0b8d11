use super::*;
use crate::events::Envelope;
use crate::seed;

fn p(s: &str) -> Principal {
    Principal::parse(s).unwrap()
}

fn signer(name: &str, n: u8) -> Signer {
    Signer::from_seed(p(name), &[n; 32])
}

fn record(s: &Signer, state: KeyState, roles: &[Role]) -> KeyRecord {
    KeyRecord { key: s.public_key().id(), principal: s.principal().clone(), state, roles: roles.to_vec() }
}

#[test]
fn a_signed_envelope_verifies_and_any_change_breaks_it() {
    let ines = signer("User:ines", 1);
    let mut env =
        Envelope::new("e1", "User:whoever", 1_700_000_000_000, &EventBody::AccessWithdrawn { request_id: "r1".into() });
    ines.sign(&mut env);
    assert_eq!(env.actor, "User:ines", "signing sets the actor to the signer's principal");
    let key = verify(&env).expect("a fresh signature verifies");
    assert_eq!(key, ines.public_key());
    let back = Envelope::from_bytes(&env.to_bytes()).unwrap();
    assert_eq!(verify(&back).unwrap(), ines.public_key(), "bytes round trip keep the signature valid");

    let mut changed = env.clone();
    changed.payload = serde_json::json!({"request_id": "r2"});
    assert!(verify(&changed).unwrap_err().to_string().contains("does not match"));
    let mut impostor = env.clone();
    impostor.actor = "User:sam".into();
    assert!(verify(&impostor).is_err(), "the actor is covered by the signature");
    let mut later = env.clone();
    later.at_ms += 1;
    assert!(verify(&later).is_err(), "the time is covered by the signature");
    let mut other_key = env.clone();
    other_key.key = Some(signer("User:sam", 2).public_key().id());
    assert!(verify(&other_key).is_err(), "a signature is bound to its key");
    let mut unsigned = env.clone();
    unsigned.sig = None;
    unsigned.key = None;
    assert_eq!(verify(&unsigned).unwrap_err(), "the event is not signed");
    let mut garbage = env.clone();
    garbage.sig = Some("!!".into());
    assert!(verify(&garbage).is_err());
}

#[test]
fn the_canonical_form_does_not_depend_on_key_order_or_whitespace() {
    let ines = signer("User:ines", 1);
    let mut env = Envelope::new("e1", "User:ines", 5, &EventBody::DomainRegistered(seed::domains().remove(0)));
    ines.sign(&mut env);
    let v: serde_json::Value = serde_json::from_slice(&env.to_bytes()).unwrap();
    let pretty = serde_json::to_vec_pretty(&v).unwrap();
    let back = Envelope::from_bytes(&pretty).unwrap();
    assert!(verify(&back).is_ok(), "re-encoded JSON still verifies");
}

#[test]
fn the_canonical_form_is_rfc_8785_of_the_envelope_without_its_signature() {
    // The hand-written member order must equal serde_jcs over the whole envelope.
    let mut env = Envelope::new("é\u{1}\"x", "User:ines", -5, &EventBody::DomainRegistered(seed::domains().remove(0)));
    env.payload["weird"] = serde_json::json!({"b": 1.5e300, "a": [null, true, "\u{2028}"], "€": -0.0});
    signer("User:ines", 1).sign(&mut env);
    let mut value = serde_json::to_value(&env).unwrap();
    value.as_object_mut().unwrap().remove("sig");
    assert_eq!(canonical_bytes(&env), serde_jcs::to_vec(&value).unwrap());
    let mut unsigned = env.clone();
    (unsigned.key, unsigned.sig) = (None, None);
    let value = serde_json::to_value(&unsigned).unwrap();
    assert_eq!(canonical_bytes(&unsigned), serde_jcs::to_vec(&value).unwrap());
}

#[test]
fn keys_are_parsed_strictly() {
    let k = signer("User:ines", 1).public_key();
    assert_eq!(PublicKey::parse(&k.id()).unwrap(), k);
    assert!(PublicKey::parse("rsa:abc").unwrap_err().to_string().contains("must start with"));
    assert!(PublicKey::parse("ed25519:abc").unwrap_err().to_string().contains("32-byte"));
    let zero = format!("{KEY_PREFIX}{}", "A".repeat(43));
    assert!(PublicKey::parse(&zero).is_err(), "the all-zero point is weak");
    assert!(fingerprint(&k.id()).starts_with("ed25519 "));
    assert!(TrustRoot::new(vec!["nope".into()], None).is_err());
    assert!(TrustRoot::new(vec![k.id()], Some(-1)).is_err());
}

#[test]
fn debug_output_never_shows_the_secret_seed() {
    let s = signer("User:ines", 7);
    let shown = format!("{s:?}");
    assert!(shown.contains("User:ines") && shown.contains("ed25519:"), "{shown}");
    let seed_b64 = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, s.seed());
    assert!(!shown.contains(&seed_b64));
}

#[test]
fn times_far_from_the_record_and_extreme_values_are_refused() {
    let now = 1_800_000_000_000;
    assert!(check_time(now, Some(now)).is_ok());
    assert!(check_time(now + MAX_SKEW_MS, Some(now)).is_ok());
    assert!(check_time(now + MAX_SKEW_MS + 1, Some(now)).is_err());
    let year_2300 = 10_413_792_000_000;
    assert!(check_time(year_2300, Some(now)).is_err());
    assert!(check_time(i64::MAX, Some(now)).is_err());
    assert!(check_time(i64::MIN, Some(now)).is_err());
    assert!(check_time(now, Some(i64::MIN)).is_err());
    assert!(check_time(now, None).is_err());
}

#[test]
fn standing_binds_a_key_to_one_principal() {
    let admin = signer("User:admin", 9);
    let root = TrustRoot::new(vec![admin.public_key().id()], None).unwrap();
    let ines = signer("User:ines", 1);
    let endorsed = record(&ines, KeyState::Endorsed, &[Role::Owner]);
    let key = ines.public_key().id();
    assert_eq!(standing(&root, &admin.public_key().id(), None, &p("User:anyone"), false), Ok(Standing::Root));
    assert_eq!(
        standing(&root, &key, Some(&endorsed), &p("User:ines"), false),
        Ok(Standing::Endorsed(vec![Role::Owner]))
    );
    assert!(
        standing(&root, &key, Some(&endorsed), &p("User:sam"), false)
            .unwrap_err()
            .to_string()
            .contains("belongs to User:ines")
    );
    assert!(standing(&root, &key, None, &p("User:ines"), false).unwrap_err().to_string().contains("not endorsed"));
    assert_eq!(standing(&root, &key, None, &p("User:ines"), true), Ok(Standing::Enrolling));
    let revoked = record(&ines, KeyState::Revoked, &[Role::Owner]);
    assert!(standing(&root, &key, Some(&revoked), &p("User:ines"), false).unwrap_err().to_string().contains("revoked"));
    assert!(standing(&root, &key, Some(&revoked), &p("User:ines"), true).unwrap_err().to_string().contains("revoked"));
    let pending = record(&ines, KeyState::Pending, &[]);
    assert!(standing(&root, &key, Some(&pending), &p("User:ines"), false).is_err());
}

/// The authorization table: each row is an event, who signs it, what the log said, and the verdict.
#[test]
fn the_rules_allow_exactly_what_the_design_says() {
    let owner = Standing::Endorsed(vec![Role::Owner]);
    let reconciler = Standing::Endorsed(vec![Role::Reconciler]);
    let admin = Standing::Endorsed(vec![Role::Admin]);
    let inventory = seed::domains().remove(0);
    let product = seed::products().remove(0);
    let ines = p("User:ines");
    let mallory = p("User:mallory");
    let owners = Some(vec![ines.clone()]);
    let domain_facts = Facts { domain_owners: owners.clone(), ..Default::default() };
    let new_domain = Facts::default();

    // Domains: created by admins; changed by their owners or admins; never left without owners.
    let reg = EventBody::DomainRegistered(inventory.clone());
    assert!(authorize(&admin, &new_domain, &mallory, &reg).is_ok());
    assert!(authorize(&Standing::Root, &new_domain, &mallory, &reg).is_ok());
    assert!(authorize(&owner, &new_domain, &ines, &reg).unwrap_err().to_string().contains("governance admin"));
    assert!(authorize(&owner, &domain_facts, &ines, &reg).is_ok());
    assert!(authorize(&owner, &domain_facts, &mallory, &reg).unwrap_err().to_string().contains("does not own"));
    let mut ownerless = inventory.clone();
    ownerless.owners.clear();
    assert!(authorize(&admin, &domain_facts, &ines, &EventBody::DomainRegistered(ownerless)).is_err());

    // Products: only the domain's owners, inside their domain, on topics no other product holds.
    let publ = EventBody::ProductPublished(product.clone());
    assert!(authorize(&owner, &domain_facts, &ines, &publ).is_ok());
    assert!(authorize(&owner, &domain_facts, &mallory, &publ).is_err());
    assert!(authorize(&admin, &domain_facts, &mallory, &publ).is_err(), "admins do not publish products");
    assert!(authorize(&owner, &new_domain, &ines, &publ).unwrap_err().to_string().contains("not registered"));
    let topic = product.output_ports[0].topic.clone();
    let held = Facts {
        domain_owners: owners.clone(),
        topic_holders: vec![(topic.clone(), ProductId::parse("inventory.other").unwrap())],
        ..Default::default()
    };
    assert!(
        authorize(&owner, &held, &ines, &publ)
            .unwrap_err()
            .to_string()
            .contains("is an output port of inventory.other")
    );
    let mine =
        Facts { domain_owners: owners.clone(), topic_holders: vec![(topic, product.id.clone())], ..Default::default() };
    assert!(authorize(&owner, &mine, &ines, &publ).is_ok(), "republishing keeps its own topics");
    let mut elsewhere = product.clone();
    elsewhere.domain = crate::DomainId::parse("sales").unwrap();
    assert!(authorize(&owner, &domain_facts, &ines, &EventBody::ProductPublished(elsewhere)).is_err());
    let mut twice = product.clone();
    twice.output_ports.push(twice.output_ports[0].clone());
    assert!(
        authorize(&owner, &domain_facts, &ines, &EventBody::ProductPublished(twice))
            .unwrap_err()
            .to_string()
            .contains("two ports")
    );

    // Grants: reconcilers, or owners of the request's product.
    let grant = EventBody::GrantApplied { request_id: "r".into(), outcome: crate::events::GrantOutcome::Applied };
    let grant_facts = Facts { grant_product_owners: owners.clone(), ..Default::default() };
    assert!(authorize(&reconciler, &grant_facts, &mallory, &grant).is_ok());
    assert!(authorize(&owner, &grant_facts, &ines, &grant).is_ok());
    assert!(authorize(&owner, &grant_facts, &mallory, &grant).is_err());
    assert!(authorize(&owner, &Facts::default(), &ines, &grant).unwrap_err().to_string().contains("no request"));

    // Trust: enrollment by the key's own principal; endorsement, rejection by admins; revocation final.
    let key = signer("User:newbie", 3).public_key().id();
    let newbie = p("User:newbie");
    let enroll = EventBody::KeyEnrollmentRequested { principal: newbie.clone(), key: key.clone(), note: String::new() };
    assert!(authorize(&Standing::Enrolling, &Facts::default(), &newbie, &enroll).is_ok());
    assert!(authorize(&Standing::Enrolling, &Facts::default(), &mallory, &enroll).is_err());
    assert!(
        authorize(&Standing::Enrolling, &Facts::default(), &newbie, &reg)
            .unwrap_err()
            .to_string()
            .contains("only request enrollment")
    );
    let endorse = EventBody::KeyEndorsed { principal: newbie.clone(), key: key.clone(), roles: vec![Role::Owner] };
    assert!(authorize(&admin, &Facts::default(), &mallory, &endorse).is_ok());
    assert!(
        authorize(&owner, &Facts::default(), &ines, &endorse).unwrap_err().to_string().contains("governance admin")
    );
    let target = |state| Facts {
        target_key: Some(KeyRecord { key: key.clone(), principal: newbie.clone(), state, roles: vec![] }),
        ..Default::default()
    };
    assert!(
        authorize(&admin, &target(KeyState::Revoked), &mallory, &endorse).unwrap_err().to_string().contains("final")
    );
    let revoke = EventBody::KeyRevoked { key: key.clone(), reason: "lost laptop".into(), compromised_since_ms: None };
    assert!(authorize(&admin, &target(KeyState::Endorsed), &mallory, &revoke).is_ok());
    assert!(authorize(&owner, &target(KeyState::Endorsed), &newbie, &revoke).is_ok(), "one's own key");
    assert!(authorize(&owner, &target(KeyState::Endorsed), &ines, &revoke).is_err());
    assert!(authorize(&admin, &target(KeyState::Revoked), &mallory, &revoke).is_err());
    let reject = EventBody::EnrollmentRejected { key: key.clone(), reason: "who?".into() };
    assert!(authorize(&admin, &target(KeyState::Pending), &mallory, &reject).is_ok());
    assert!(authorize(&admin, &target(KeyState::Endorsed), &mallory, &reject).is_err());
    assert!(authorize(&owner, &target(KeyState::Pending), &ines, &reject).is_err());
}

#[test]
fn policy_rules_are_published_by_admins_or_the_domains_owners_and_never_loosen_a_global_rule() {
    // Verifies who may publish and withdraw policy rules: global rules only by admins; a domain's rules by its owners (or admins); a domain rule reusing a built-in or published global rule's id is refused as loosening it, one reusing another domain's id is refused, a rule that does not compile or has a malformed id is refused with the reason, and withdrawing needs a published rule and a reason.
    use crate::policy::{Rule, Scope, Severity, Target};
    let owner = Standing::Endorsed(vec![Role::Owner]);
    let admin = Standing::Endorsed(vec![Role::Admin]);
    let (ines, mallory) = (p("User:ines"), p("User:mallory"));
    let rule = |id: &str, owner: Scope, condition: &str| Rule {
        id: id.into(),
        policy: "bounds".into(),
        target: Target::Port,
        condition: condition.into(),
        severity: Severity::Error,
        message: "at most 12 partitions in inventory, not {port.partitions}".into(),
        at: "partitions".into(),
        owner,
    };
    let inventory = || Scope::Domain("inventory".into());
    let facts =
        |rule_owner: Option<Scope>| Facts { domain_owners: Some(vec![ines.clone()]), rule_owner, ..Default::default() };
    let publish = |r: Rule| EventBody::PolicyPublished(r);

    let tight = publish(rule("inventory.max-partitions", inventory(), "port.partitions <= 12"));
    assert!(authorize(&owner, &facts(None), &ines, &tight).is_ok(), "an owner adds a rule to her domain");
    assert!(authorize(&owner, &facts(Some(inventory())), &ines, &tight).is_ok(), "and publishes a new version");
    assert!(authorize(&admin, &facts(None), &mallory, &tight).is_ok(), "admins may too");
    assert!(
        authorize(&owner, &facts(None), &mallory, &tight)
            .unwrap_err()
            .to_string()
            .contains("does not own the domain inventory")
    );
    let unregistered = Facts { domain_owners: None, ..Default::default() };
    assert!(authorize(&owner, &unregistered, &ines, &tight).unwrap_err().to_string().contains("not registered"));

    let global = publish(rule("restricted-sla", Scope::Global, "port.partitions <= 12"));
    assert!(authorize(&admin, &facts(None), &mallory, &global).is_ok());
    assert!(
        authorize(&owner, &facts(None), &ines, &global).unwrap_err().to_string().contains("only a governance admin")
    );

    // Loosening: a domain rule in a global rule's place, built-in or published.
    let loose = publish(rule("bounds.partitions", inventory(), "port.partitions <= 100"));
    let why = authorize(&owner, &facts(None), &ines, &loose).unwrap_err();
    assert!(
        why.to_string().contains("`bounds.partitions` is a global rule")
            && why.to_string().contains("never replace or loosen"),
        "{why}"
    );
    let over = publish(rule("restricted-sla", inventory(), "true"));
    assert!(
        authorize(&owner, &facts(Some(Scope::Global)), &ines, &over).unwrap_err().to_string().contains("never replace")
    );
    let theirs = facts(Some(Scope::Domain("sales".into())));
    assert!(authorize(&owner, &theirs, &ines, &tight).unwrap_err().to_string().contains("a rule of the domain sales"));
    assert!(
        authorize(&admin, &facts(None), &mallory, &publish(rule("bounds.partitions", Scope::Global, "true")))
            .unwrap_err()
            .to_string()
            .contains("built-in rule")
    );

    // Malformed or uncompilable rules are refused with the engine's reason.
    let broken = publish(rule("inventory.broken", inventory(), "port.partitions <="));
    assert!(authorize(&owner, &facts(None), &ines, &broken).unwrap_err().to_string().contains("not valid CEL"));
    let field_in_port = publish(rule("inventory.f", inventory(), "field.doc != ''"));
    assert!(
        authorize(&owner, &facts(None), &ines, &field_in_port).unwrap_err().to_string().contains("cannot use `field`")
    );
    let bad_id = publish(rule("Inventory Max", inventory(), "true"));
    assert!(authorize(&owner, &facts(None), &ines, &bad_id).unwrap_err().to_string().contains("lowercase"));

    // Withdrawing.
    let withdraw = |id: &str, reason: &str| EventBody::PolicyWithdrawn { id: id.into(), reason: reason.into() };
    assert!(
        authorize(&owner, &facts(Some(inventory())), &ines, &withdraw("inventory.max-partitions", "too strict"))
            .is_ok()
    );
    assert!(authorize(&owner, &facts(Some(inventory())), &mallory, &withdraw("x", "no")).is_err());
    assert!(
        authorize(&owner, &facts(Some(inventory())), &ines, &withdraw("x", " "))
            .unwrap_err()
            .to_string()
            .contains("reason")
    );
    assert!(
        authorize(&owner, &facts(None), &ines, &withdraw("x", "gone")).unwrap_err().to_string().contains("no rule `x`")
    );
    assert!(authorize(&owner, &facts(Some(Scope::Global)), &ines, &withdraw("x", "gone")).is_err());
    assert!(authorize(&admin, &facts(Some(Scope::Global)), &mallory, &withdraw("x", "gone")).is_ok());
    let withdrawn = Facts { rule_withdrawn: true, ..facts(Some(Scope::Global)) };
    assert!(
        authorize(&admin, &withdrawn, &mallory, &withdraw("x", "gone")).unwrap_err().to_string().contains("already")
    );
}

#[test]
fn events_are_bound_to_their_environment_and_internal_topics_are_never_claimable() {
    // Verifies the environment binding (an event signed for dev is refused in prod, even with its environment edited back; one naming none counts only below the unbound offset), proof of possession for enrollments, and which topics are internal: `_`/`__` topics, Connect's default topics and the governance log, but not a domain's own `sales.order-status`.
    let prod = TrustRoot::new(vec![], None).unwrap().bound_to("gov@prod", Some(10)).unwrap();
    let ines = signer("User:ines", 1);
    let mut env = Envelope::new("e1", "User:ines", 0, &EventBody::AccessWithdrawn { request_id: "r".into() });
    ines.sign_for(&mut env, "gov@dev");
    assert!(
        check_environment(&prod, env.environment.as_deref(), 50)
            .unwrap_err()
            .to_string()
            .contains("`gov@dev`, not this one")
    );
    env.environment = Some("gov@prod".into());
    assert!(verify(&env).is_err(), "the environment is inside the signature");
    ines.sign_for(&mut env, "gov@prod");
    assert_eq!(check_environment(&prod, env.environment.as_deref(), 50), Ok(false));
    assert_eq!(check_environment(&prod, None, 9), Ok(true), "below the unbound offset");
    assert!(check_environment(&prod, None, 10).unwrap_err().to_string().contains("names no environment"));
    assert!(TrustRoot::default().bound_to("", None).is_err());
    assert!(TrustRoot::default().bound_to("a\nb", None).is_err());

    let other = signer("User:dana", 9).public_key().id();
    let enroll = |key: &str| EventBody::KeyEnrollmentRequested {
        principal: p("User:ines"),
        key: key.into(),
        note: String::new(),
    };
    assert!(
        check_possession(&ines.public_key().id(), &enroll(&other))
            .unwrap_err()
            .to_string()
            .contains("proof of possession")
    );
    assert!(check_possession(&ines.public_key().id(), &enroll(&ines.public_key().id())).is_ok());

    for internal in
        ["_schemas", "__consumer_offsets", "__transaction_state", "connect-configs", "mm2-offsets", "gov.log"]
    {
        assert!(reserved_topic(internal, "gov.log").is_some(), "{internal}");
    }
    for own in ["sales.order-status", "inventory.stock-offsets", "payments.card-numbers"] {
        assert!(reserved_topic(own, "_meshdesk.governance").is_none(), "{own}");
    }
}

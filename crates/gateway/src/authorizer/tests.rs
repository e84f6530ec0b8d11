//! Table tests for the authorizer, taken from Apache Kafka's documentation, "Authorization and
//! ACLs" (docs/security.html, section 7.5: "Operations and Resources on Protocols" and the
//! implied-operations note: "READ, WRITE, DELETE or ALTER implies DESCRIBE; ALTER_CONFIGS
//! implies DESCRIBE_CONFIGS"), and from `AclAuthorizer`'s rules (deny wins; no match denies
//! unless `allow.everyone.if.no.acl.found`; super users bypass; `User:*` and host `*`;
//! LITERAL, `*` and PREFIXED patterns).

use super::*;

fn acl(rt: ResourceType, name: &str, pattern: PatternType, principal: &str, op: Operation, perm: Permission) -> Acl {
    Acl {
        resource_type: rt,
        resource_name: name.into(),
        pattern,
        principal: principal.into(),
        host: "*".into(),
        operation: op,
        permission: perm,
    }
}

use Operation::*;
use PatternType::*;
use Permission::*;
use ResourceType::*;

const SAM: &str = "User:sales-app";

fn can(acls: &[Acl], op: Operation, rt: ResourceType, name: &str) -> bool {
    authorize(acls, &["User:admin".into()], Subject { principal: SAM, host: "127.0.0.1" }, op, rt, name)
}

#[test]
fn the_documented_table() {
    let read_topic = acl(Topic, "inventory.stock", Literal, SAM, Read, Allow);
    let write_topic = acl(Topic, "inventory.stock", Literal, SAM, Write, Allow);
    let delete_topic = acl(Topic, "inventory.stock", Literal, SAM, Delete, Allow);
    let alter_topic = acl(Topic, "inventory.stock", Literal, SAM, Alter, Allow);
    let alter_configs = acl(Topic, "inventory.stock", Literal, SAM, AlterConfigs, Allow);
    let all = acl(Topic, "inventory.stock", Literal, SAM, All, Allow);
    let group_read = acl(Group, "sales.", Prefixed, SAM, Read, Allow);
    // (acls, operation, resource type, name, expected)
    let table: Vec<(Vec<Acl>, Operation, ResourceType, &str, bool)> = vec![
        // No ACL at all: denied (allow.everyone.if.no.acl.found defaults to false).
        (vec![], Read, Topic, "inventory.stock", false),
        (vec![], Describe, Topic, "inventory.stock", false),
        // Fetch needs READ on the topic.
        (vec![read_topic.clone()], Read, Topic, "inventory.stock", true),
        // Implied: READ, WRITE, DELETE, ALTER each imply DESCRIBE (Metadata, ListOffsets).
        (vec![read_topic.clone()], Describe, Topic, "inventory.stock", true),
        (vec![write_topic.clone()], Describe, Topic, "inventory.stock", true),
        (vec![delete_topic.clone()], Describe, Topic, "inventory.stock", true),
        (vec![alter_topic.clone()], Describe, Topic, "inventory.stock", true),
        // ... but not each other: READ does not allow Produce (WRITE), nor the reverse.
        (vec![read_topic.clone()], Write, Topic, "inventory.stock", false),
        (vec![write_topic.clone()], Read, Topic, "inventory.stock", false),
        // ALTER_CONFIGS implies DESCRIBE_CONFIGS, not DESCRIBE; DESCRIBE does not imply READ.
        (vec![alter_configs.clone()], DescribeConfigs, Topic, "inventory.stock", true),
        (vec![alter_configs.clone()], Describe, Topic, "inventory.stock", false),
        (vec![acl(Topic, "inventory.stock", Literal, SAM, Describe, Allow)], Read, Topic, "inventory.stock", false),
        // ALL allows every operation.
        (vec![all.clone()], Write, Topic, "inventory.stock", true),
        (vec![all.clone()], DescribeConfigs, Topic, "inventory.stock", true),
        // Literal names are exact; the literal `*` is every resource of the type.
        (vec![read_topic.clone()], Read, Topic, "inventory.stock2", false),
        (vec![acl(Topic, "*", Literal, SAM, Read, Allow)], Read, Topic, "anything", true),
        // Prefixed patterns match names that start with the prefix.
        (vec![group_read.clone()], Read, Group, "sales.stock-check", true),
        (vec![group_read.clone()], Read, Group, "marketing.x", false),
        (vec![group_read.clone()], Read, Group, "sales", false),
        // The resource type must match too: a group ACL does not cover a topic of that name.
        (vec![group_read.clone()], Read, Topic, "sales.stock-check", false),
        // Deny wins over allow, on the operation or ALL, whatever the pattern.
        (
            vec![read_topic.clone(), acl(Topic, "inventory.", Prefixed, SAM, Read, Deny)],
            Read,
            Topic,
            "inventory.stock",
            false,
        ),
        (
            vec![all.clone(), acl(Topic, "inventory.stock", Literal, SAM, All, Deny)],
            Describe,
            Topic,
            "inventory.stock",
            false,
        ),
        // A deny on another operation does not take this one away.
        (
            vec![read_topic.clone(), acl(Topic, "inventory.stock", Literal, SAM, Write, Deny)],
            Read,
            Topic,
            "inventory.stock",
            true,
        ),
        // A DENY of READ does not deny DESCRIBE (implication applies to ALLOW only).
        (
            vec![
                acl(Topic, "inventory.stock", Literal, SAM, Describe, Allow),
                acl(Topic, "inventory.stock", Literal, SAM, Read, Deny),
            ],
            Describe,
            Topic,
            "inventory.stock",
            true,
        ),
        // `User:*` matches every principal; another principal's ACL does not.
        (vec![acl(Topic, "inventory.stock", Literal, "User:*", Read, Allow)], Read, Topic, "inventory.stock", true),
        (
            vec![acl(Topic, "inventory.stock", Literal, "User:other", Read, Allow)],
            Read,
            Topic,
            "inventory.stock",
            false,
        ),
        // Cluster operations: CreateTopics needs CREATE on the cluster, Create/DeleteAcls ALTER.
        (vec![acl(Cluster, CLUSTER, Literal, SAM, Create, Allow)], Create, Cluster, CLUSTER, true),
        (vec![acl(Cluster, CLUSTER, Literal, SAM, Describe, Allow)], Alter, Cluster, CLUSTER, false),
        (vec![acl(Cluster, CLUSTER, Literal, SAM, Alter, Allow)], Describe, Cluster, CLUSTER, true),
    ];
    for (i, (acls, op, rt, name, expected)) in table.into_iter().enumerate() {
        assert_eq!(can(&acls, op, rt, name), expected, "row {i}: {op:?} on {rt:?} {name} with {acls:?}");
    }
}

#[test]
fn hosts_and_super_users() {
    let mut a = acl(Topic, "t", Literal, SAM, Read, Allow);
    a.host = "10.0.0.1".into();
    assert!(!can(&[a.clone()], Read, Topic, "t"), "an ACL for another host does not apply");
    a.host = "127.0.0.1".into();
    assert!(can(&[a], Read, Topic, "t"));
    let admin = Subject { principal: "User:admin", host: "127.0.0.1" };
    let deny_all = acl(Topic, "*", Literal, "User:*", All, Deny);
    assert!(authorize(&[deny_all], &["User:admin".into()], admin, Write, Topic, "t"), "super users bypass ACLs");
}

#[test]
fn idempotent_producers_need_write_on_some_topic() {
    let who = Subject { principal: SAM, host: "h" };
    assert!(!authorize_any(&[], &[], who, Write, Topic));
    let w = acl(Topic, "sales.", Prefixed, SAM, Write, Allow);
    assert!(authorize_any(&[w.clone()], &[], who, Write, Topic));
    let deny_every = acl(Topic, "*", Literal, SAM, Write, Deny);
    assert!(!authorize_any(&[w, deny_every], &[], who, Write, Topic));
}

#[test]
fn filters_as_describe_and_delete_use_them() {
    let lit = acl(Topic, "inventory.stock", Literal, SAM, Read, Allow);
    let star = acl(Topic, "*", Literal, SAM, Read, Allow);
    let pre = acl(Topic, "inventory.", Prefixed, SAM, Read, Allow);
    let all = [lit.clone(), star.clone(), pre.clone()];
    let count = |f: &AclFilter| all.iter().filter(|a| f.matches(a)).count();
    assert_eq!(count(&AclFilter::default()), 3);
    let named = AclFilter { resource_name: Some("inventory.stock".into()), ..Default::default() };
    assert_eq!(count(&named), 1, "ANY with a name: exactly that name");
    let matching = AclFilter { pattern: PatternFilter::Match, ..named.clone() };
    assert_eq!(count(&matching), 3, "MATCH: every ACL that applies to the resource");
    let prefixed = AclFilter { pattern: PatternFilter::Exactly(Prefixed), ..Default::default() };
    assert_eq!(count(&prefixed), 1);
    let other = AclFilter { principal: Some("User:other".into()), ..Default::default() };
    assert_eq!(count(&other), 0);
}

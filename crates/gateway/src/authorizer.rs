//! Kafka's authorization rule as a pure function: which ACLs apply to a resource, and whether
//! they let a principal do an operation. No IO; the gateway calls it for every resource a
//! request touches, and the table tests in `tests.rs` hold it to Kafka's documented behaviour.

use serde::{Deserialize, Serialize};

/// Resource types, with Kafka's wire codes (`org.apache.kafka.common.resource.ResourceType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ResourceType {
    Topic,
    Group,
    Cluster,
    TransactionalId,
    DelegationToken,
    User,
}

impl ResourceType {
    pub fn code(self) -> i8 {
        match self {
            Self::Topic => 2,
            Self::Group => 3,
            Self::Cluster => 4,
            Self::TransactionalId => 5,
            Self::DelegationToken => 6,
            Self::User => 7,
        }
    }
    pub fn from_code(c: i8) -> Option<Self> {
        Some(match c {
            2 => Self::Topic,
            3 => Self::Group,
            4 => Self::Cluster,
            5 => Self::TransactionalId,
            6 => Self::DelegationToken,
            7 => Self::User,
            _ => return None,
        })
    }
}

/// How an ACL's resource name matches (`PatternType`): LITERAL (the name, or `*` for every
/// resource of the type) or PREFIXED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PatternType {
    Literal,
    Prefixed,
}

impl PatternType {
    pub fn code(self) -> i8 {
        match self {
            Self::Literal => 3,
            Self::Prefixed => 4,
        }
    }
    pub fn from_code(c: i8) -> Option<Self> {
        match c {
            3 => Some(Self::Literal),
            4 => Some(Self::Prefixed),
            _ => None,
        }
    }
}

/// Operations (`AclOperation`), with Kafka's wire codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Operation {
    All,
    Read,
    Write,
    Create,
    Delete,
    Alter,
    Describe,
    ClusterAction,
    DescribeConfigs,
    AlterConfigs,
    IdempotentWrite,
    CreateTokens,
    DescribeTokens,
}

impl Operation {
    pub fn code(self) -> i8 {
        match self {
            Self::All => 2,
            Self::Read => 3,
            Self::Write => 4,
            Self::Create => 5,
            Self::Delete => 6,
            Self::Alter => 7,
            Self::Describe => 8,
            Self::ClusterAction => 9,
            Self::DescribeConfigs => 10,
            Self::AlterConfigs => 11,
            Self::IdempotentWrite => 12,
            Self::CreateTokens => 13,
            Self::DescribeTokens => 14,
        }
    }
    pub fn from_code(c: i8) -> Option<Self> {
        Some(match c {
            2 => Self::All,
            3 => Self::Read,
            4 => Self::Write,
            5 => Self::Create,
            6 => Self::Delete,
            7 => Self::Alter,
            8 => Self::Describe,
            9 => Self::ClusterAction,
            10 => Self::DescribeConfigs,
            11 => Self::AlterConfigs,
            12 => Self::IdempotentWrite,
            13 => Self::CreateTokens,
            14 => Self::DescribeTokens,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Permission {
    Deny,
    Allow,
}

impl Permission {
    pub fn code(self) -> i8 {
        match self {
            Self::Deny => 2,
            Self::Allow => 3,
        }
    }
    pub fn from_code(c: i8) -> Option<Self> {
        match c {
            2 => Some(Self::Deny),
            3 => Some(Self::Allow),
            _ => None,
        }
    }
}

/// One ACL binding as Kafka stores it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Acl {
    pub resource_type: ResourceType,
    pub resource_name: String,
    pub pattern: PatternType,
    /// `User:name`, or `User:*` for every user.
    pub principal: String,
    /// A client address, or `*`.
    pub host: String,
    pub operation: Operation,
    pub permission: Permission,
}

/// The cluster resource's one name.
pub const CLUSTER: &str = "kafka-cluster";

/// Whether `acl` is about `resource` (type and name): a literal name, the literal wildcard `*`,
/// or a prefix of the name.
pub fn acl_covers(acl: &Acl, resource_type: ResourceType, name: &str) -> bool {
    acl.resource_type == resource_type
        && match acl.pattern {
            PatternType::Literal => acl.resource_name == name || acl.resource_name == "*",
            PatternType::Prefixed => name.starts_with(acl.resource_name.as_str()),
        }
}

/// The operations whose ALLOW also allows `op` (Kafka's implied operations: READ, WRITE, DELETE
/// and ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS; ALL implies everything).
fn allowing(op: Operation) -> &'static [Operation] {
    use Operation::*;
    match op {
        Describe => &[All, Describe, Read, Write, Delete, Alter],
        DescribeConfigs => &[All, DescribeConfigs, AlterConfigs],
        Read => &[All, Read],
        Write => &[All, Write],
        Create => &[All, Create],
        Delete => &[All, Delete],
        Alter => &[All, Alter],
        ClusterAction => &[All, ClusterAction],
        AlterConfigs => &[All, AlterConfigs],
        IdempotentWrite => &[All, IdempotentWrite],
        CreateTokens => &[All, CreateTokens],
        DescribeTokens => &[All, DescribeTokens],
        All => &[All],
    }
}

/// Who asks, from where.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub principal: &'a str,
    pub host: &'a str,
}

/// Kafka's decision (`AclAuthorizer.authorize` / `StandardAuthorizer`): super users may do
/// anything; otherwise the ACLs that cover the resource and match the principal (or `User:*`)
/// and the host (or `*`) decide: a DENY for the operation (or ALL) wins; else an ALLOW for the
/// operation or one that implies it allows; else (no match, `allow.everyone.if.no.acl.found`
/// left false) the answer is no.
pub fn authorize(
    acls: &[Acl],
    super_users: &[String],
    who: Subject<'_>,
    operation: Operation,
    resource_type: ResourceType,
    name: &str,
) -> bool {
    if super_users.iter().any(|s| s == who.principal) {
        return true;
    }
    let applicable = acls.iter().filter(|a| {
        acl_covers(a, resource_type, name)
            && (a.principal == who.principal || a.principal == "User:*")
            && (a.host == who.host || a.host == "*")
    });
    let mut allowed = false;
    for a in applicable {
        match a.permission {
            Permission::Deny if a.operation == operation || a.operation == Operation::All => return false,
            Permission::Allow if allowing(operation).contains(&a.operation) => allowed = true,
            _ => {}
        }
    }
    allowed
}

/// Whether the principal may `operation` on some resource of the type (Kafka 3's check for
/// idempotent producers: WRITE on any topic suffices, KIP-679). Deny ACLs on a prefix or a
/// literal name do not take that away, as in Kafka's `authorizeByResourceType`, unless a DENY
/// covers every resource (`*` literal or the empty prefix).
pub fn authorize_any(
    acls: &[Acl],
    super_users: &[String],
    who: Subject<'_>,
    operation: Operation,
    resource_type: ResourceType,
) -> bool {
    if super_users.iter().any(|s| s == who.principal) {
        return true;
    }
    let mine = |a: &&Acl| {
        a.resource_type == resource_type
            && (a.principal == who.principal || a.principal == "User:*")
            && (a.host == who.host || a.host == "*")
            && (a.operation == operation || a.operation == Operation::All)
    };
    let denied_everywhere = acls.iter().filter(mine).any(|a| {
        a.permission == Permission::Deny
            && ((a.pattern == PatternType::Literal && a.resource_name == "*")
                || (a.pattern == PatternType::Prefixed && a.resource_name.is_empty()))
    });
    !denied_everywhere && acls.iter().filter(mine).any(|a| a.permission == Permission::Allow)
}

/// An ACL filter as DescribeAcls and DeleteAcls send it: `None` matches anything (ANY);
/// `pattern: Match` matches the ACLs that would apply to the named resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AclFilter {
    pub resource_type: Option<ResourceType>,
    pub resource_name: Option<String>,
    pub pattern: PatternFilter,
    pub principal: Option<String>,
    pub host: Option<String>,
    pub operation: Option<Operation>,
    pub permission: Option<Permission>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PatternFilter {
    #[default]
    Any,
    Match,
    Exactly(PatternType),
}

impl AclFilter {
    pub fn matches(&self, a: &Acl) -> bool {
        let name_ok = match (&self.resource_name, self.pattern) {
            (None, PatternFilter::Any | PatternFilter::Match) => true,
            (None, PatternFilter::Exactly(p)) => a.pattern == p,
            (Some(n), PatternFilter::Any) => a.resource_name == *n,
            (Some(n), PatternFilter::Exactly(p)) => a.pattern == p && a.resource_name == *n,
            (Some(n), PatternFilter::Match) => {
                let rt = self.resource_type.unwrap_or(a.resource_type);
                acl_covers(a, rt, n)
            }
        };
        name_ok
            && self.resource_type.is_none_or(|t| t == a.resource_type)
            && self.principal.as_ref().is_none_or(|p| *p == a.principal)
            && self.host.as_ref().is_none_or(|h| *h == a.host)
            && self.operation.is_none_or(|o| o == a.operation)
            && self.permission.is_none_or(|p| p == a.permission)
    }
}

#[cfg(test)]
mod tests;

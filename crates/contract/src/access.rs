//! Access requests: asking, deciding, the cluster's own view of a grant, history and audit.

use serde::{Deserialize, Serialize};

use crate::*;

pub use meshdesk_domain::access::{AccessRequest, AclBinding, Decision, ReconcileAction, RequestState, RequestStatus};

/// What a requester fills in on a product page. The plan it implies is
/// `meshdesk_domain::access::grant_plan`, shown before sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequestForm {
    /// The product to read.
    pub product: String,
    /// The output ports (topics) asked for.
    pub ports: Vec<String>,
    /// The principal that will consume, e.g. `User:sales-app`.
    pub consumer: String,
    /// One of the domains the current user owns.
    pub requester_domain: String,
    /// Defaults to `<requester_domain>.`.
    pub group_prefix: Option<String>,
    /// Why the access is needed, for the owners deciding.
    pub purpose: String,
    /// Defaults to 90 days.
    pub days: Option<u32>,
}

/// What sending an access request did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSent {
    /// The new request's id.
    pub request_id: String,
    /// The governance event that carries it.
    pub event_id: String,
    /// The ACL bindings an approval would create.
    pub plan: Vec<AclBinding>,
    /// In the sandbox, for a consumer principal that had no Kafka user yet: the user made for
    /// it. The password is shown this once and kept in this machine's keyring.
    pub consumer_login: Option<ConsumerLogin>,
}

/// A consumer principal's new sandbox login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerLogin {
    /// The Kafka principal, e.g. `User:sales-app`.
    pub principal: String,
    /// The SASL/SCRAM user name.
    pub user: String,
    /// The generated password.
    pub password: String,
    /// The keyring entry that keeps it (`meshctl secret` name).
    pub keyring_entry: String,
}

/// An owner's decision on an access request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecideRequest {
    /// The request decided.
    pub request_id: String,
    /// What the owner decided.
    pub decision: Decision,
}

/// What became of a grant's ACLs on the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantStatus {
    /// The bindings exist on the cluster.
    Applied,
    /// The bindings were deleted (revoked or expired).
    Removed,
    /// The cluster did not take them: `detail` says why.
    NotApplied,
}

impl GrantStatus {
    /// The name the cache keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantStatus::Applied => "applied",
            GrantStatus::Removed => "removed",
            GrantStatus::NotApplied => "not_applied",
        }
    }

    /// For people.
    pub fn words(self) -> &'static str {
        match self {
            GrantStatus::Applied => "applied",
            GrantStatus::Removed => "removed",
            GrantStatus::NotApplied => "not applied",
        }
    }

    /// The status named `s` (as [`GrantStatus::as_str`] writes it).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "applied" => Some(GrantStatus::Applied),
            "removed" => Some(GrantStatus::Removed),
            "not_applied" => Some(GrantStatus::NotApplied),
            _ => None,
        }
    }
}

/// The result of applying a grant's ACLs on the cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantResult {
    /// What became of the ACLs.
    pub status: GrantStatus,
    /// Why not, for people (e.g. the cluster has no authorizer: SECURITY_DISABLED).
    pub detail: Option<String>,
}

/// What deciding an access request did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decided {
    /// The governance event that records the decision.
    pub event_id: String,
    /// The request's state after the decision.
    pub state: RequestStatus,
    /// For an approval that took effect or a revocation: what the cluster made of the ACLs.
    pub grant: Option<GrantResult>,
    /// The bindings this decision created (an approval) or deleted (a revocation), for people.
    pub acls: Vec<String>,
}

/// What the cluster itself says about a request's consumer: the bindings DescribeAcls returns
/// for the principal, and whether they let it read what it asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterAccess {
    /// Every binding the cluster has for the consumer principal, for people.
    pub bindings: Vec<String>,
    /// Every binding of the grant's plan is on the cluster.
    pub can_read: bool,
    /// "can read" / "cannot read yet: …" for people.
    pub summary: String,
}

/// Names an access request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRef {
    /// The request's id.
    pub request_id: String,
}

/// One request as a queue shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessView {
    /// The request as sent.
    pub request: AccessRequest,
    /// The principal that sent it.
    pub requested_by: String,
    /// When it was sent, in ms since the epoch.
    pub requested_at_ms: i64,
    /// Where it stands, with who decided.
    pub state: RequestState,
    /// Approved and not past its end.
    pub active: bool,
    /// Approved but past its end.
    pub expired: bool,
    /// The product's title.
    pub product_title: String,
    /// The product's classification.
    pub classification: Classification,
    /// Whether the product's schemas carry personal data.
    pub has_pii: bool,
    /// The ACL bindings the grant means.
    pub plan: Vec<AclBinding>,
    /// What the cluster made of the grant's ACLs, once applied.
    pub grant: Option<GrantResult>,
}

/// The Access page: the requests to decide and the requests made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessOverview {
    /// This desktop's principal; `None` without an identity.
    pub viewer: Option<String>,
    /// Domains whose owners include the viewer.
    pub my_domains: Vec<String>,
    /// Requests for products of my domains.
    pub incoming: Vec<AccessView>,
    /// Requests I made.
    pub outgoing: Vec<AccessView>,
}

/// Where the access audit was exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditExport {
    /// Where the CSV was written; `None` when the save dialog was cancelled.
    pub path: Option<String>,
    /// How many rows the CSV holds.
    pub rows: usize,
}

//! Access requests: asking, deciding, the cluster's own view of a grant, history and audit.

use serde::{Deserialize, Serialize};

use crate::*;

pub use meshdesk_domain::access::{AccessRequest, AclBinding, Decision, ReconcileAction, RequestState, RequestStatus};

/// What a requester fills in on a product page. The plan it implies is
/// `meshdesk_domain::access::grant_plan`, shown before sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequestForm {
    pub product: String,
    pub ports: Vec<String>,
    /// The principal that will consume, e.g. `User:sales-app`.
    pub consumer: String,
    /// One of the domains the current user owns.
    pub requester_domain: String,
    /// Defaults to `<requester_domain>.`.
    pub group_prefix: Option<String>,
    pub purpose: String,
    /// Defaults to 90 days.
    pub days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSent {
    pub request_id: String,
    pub event_id: String,
    pub plan: Vec<AclBinding>,
    /// In the sandbox, for a consumer principal that had no Kafka user yet: the user made for
    /// it. The password is shown this once and kept in this machine's keyring.
    pub consumer_login: Option<ConsumerLogin>,
}

/// A consumer principal's new sandbox login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerLogin {
    pub principal: String,
    /// The SASL/SCRAM user name.
    pub user: String,
    pub password: String,
    /// The keyring entry that keeps it (`meshctl secret` name).
    pub keyring_entry: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecideRequest {
    pub request_id: String,
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
    pub status: GrantStatus,
    /// Why not, for people (e.g. the cluster has no authorizer: SECURITY_DISABLED).
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decided {
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRef {
    pub request_id: String,
}

/// One request as a queue shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessView {
    pub request: AccessRequest,
    pub requested_by: String,
    pub requested_at_ms: i64,
    pub state: RequestState,
    /// Approved and not past its end.
    pub active: bool,
    /// Approved but past its end.
    pub expired: bool,
    pub product_title: String,
    pub classification: Classification,
    pub has_pii: bool,
    pub plan: Vec<AclBinding>,
    pub grant: Option<GrantResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessOverview {
    pub viewer: Option<String>,
    /// Domains whose owners include the viewer.
    pub my_domains: Vec<String>,
    /// Requests for products of my domains.
    pub incoming: Vec<AccessView>,
    /// Requests I made.
    pub outgoing: Vec<AccessView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditExport {
    /// Where the CSV was written; `None` when the save dialog was cancelled.
    pub path: Option<String>,
    pub rows: usize,
}

//! Cross-domain access: requests, decisions and the grant an approval implies. Pure: the state
//! machine and the ACL plan are the same in the browser, the desktop and the reconciler.

use serde::{Deserialize, Serialize};

use crate::error::Invalid;
use crate::ids::{DomainId, ProductId, TopicName};
use crate::model::{Classification, Principal};
use crate::trust::Refusal;

/// The default length of access, in days.
pub const DEFAULT_DAYS: u32 = 90;
/// The longest access a request may ask for, in days.
pub const MAX_DAYS: u32 = 365;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A request for read access to some ports of another domain's product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequest {
    /// Chosen by the requester's desktop (a UUID); the request's identity in the log.
    pub id: String,
    /// The product asked for.
    pub product: ProductId,
    /// The ports (topics) asked for: at least one, all of the product's.
    pub ports: Vec<TopicName>,
    /// The principal that will consume, e.g. `User:sales-app`.
    pub consumer: Principal,
    /// The domain that asks; its owners answer for the consumer.
    pub requester_domain: DomainId,
    /// Consumer groups the consumer may use: every group starting with this prefix.
    pub group_prefix: String,
    /// Why the access is needed, for the owners deciding.
    pub purpose: String,
    /// How long the access is asked for, in days.
    pub days: u32,
}

impl AccessRequest {
    /// The default consumer-group prefix for a requesting domain: `<domain>.`.
    pub fn default_group_prefix(domain: &DomainId) -> String {
        format!("{domain}.")
    }

    /// Checks the request on its own and against the product's ports: what is wrong, for people.
    pub fn validate(&self, product_ports: &[TopicName], max_days: u32) -> Result<(), Invalid> {
        if self.ports.is_empty() {
            return Err(Invalid::from("choose at least one port"));
        }
        for p in &self.ports {
            if !product_ports.contains(p) {
                return Err(Invalid(format!("{p} is not an output port of {}", self.product)));
            }
        }
        if self.purpose.trim().len() < 10 {
            return Err(Invalid::from("say what the data is for (at least 10 characters)"));
        }
        if self.days == 0 || self.days > max_days {
            return Err(Invalid(format!("access lasts 1 to {max_days} days, not {}", self.days)));
        }
        let prefix = self.group_prefix.as_str();
        if prefix.is_empty() || prefix == "*" || !prefix.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(Invalid(format!(
                "consumer-group prefix `{prefix}` must be non-empty and use only letters, digits, `.`, `_` and `-`"
            )));
        }
        let own = format!("{}.", self.requester_domain);
        if !prefix.starts_with(&own) {
            return Err(Invalid(format!(
                "consumer-group prefix `{prefix}` must start with the requesting domain's id and a dot (`{own}`), so one domain's grant never covers another's groups"
            )));
        }
        if self.product.domain() == self.requester_domain {
            return Err(Invalid::from("a domain reads its own products without a request"));
        }
        Ok(())
    }
}

/// The digest of a request's content (SHA-256 over its RFC 8785 canonical form, base64url): an
/// approval names it, so it applies to exactly the request its owner saw.
pub fn request_digest(req: &AccessRequest) -> String {
    use base64::Engine;
    use sha2::Digest;
    let canonical = serde_jcs::to_vec(req).expect("requests serialize");
    let digest = sha2::Sha256::digest(canonical);
    format!("sha256:{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest))
}

/// Whether `requested_by` may send `req` for `product` now: the request is valid on its own and
/// against the product's ports, its requester owns the requesting domain (`requester_domain_owners`:
/// `None` when no such domain is registered), and the published rules on requests (`rules`, the
/// rules in force) find no error. The service runs it before anything is queued, every fold before
/// a request is applied: one function, so they cannot drift.
pub fn check_request(
    req: &AccessRequest,
    requested_by: &Principal,
    requester_domain_owners: Option<&[Principal]>,
    product: &crate::model::DataProduct,
    rules: &[crate::policy::Rule],
) -> Result<(), Refusal> {
    match requester_domain_owners {
        None => {
            return Err(Refusal::Conflict(format!("the requesting domain {} is not registered", req.requester_domain)));
        }
        Some(owners) if !owners.contains(requested_by) => {
            return Err(Refusal::NotAllowed(format!(
                "{requested_by} does not own the domain {}: requests are made for one's own domain",
                req.requester_domain
            )));
        }
        Some(_) => {}
    }
    if req.product != product.id {
        return Err(Refusal::Conflict(format!("the request names {}, not {}", req.product, product.id)));
    }
    let ports: Vec<TopicName> = product.output_ports.iter().map(|p| p.topic.clone()).collect();
    req.validate(&ports, MAX_DAYS)?;
    let errors: Vec<String> = crate::policy::check_request(product, req, rules)
        .into_iter()
        .filter(|f| f.severity == crate::policy::Severity::Error)
        .map(|f| f.message)
        .collect();
    if !errors.is_empty() {
        return Err(Refusal::Policy(format!("the policies refuse this request: {}", errors.join("; "))));
    }
    Ok(())
}

/// What happened to a request, as recorded in the governance log (the envelope carries the actor
/// and the time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// An owner approves; `days` may shorten the requested duration.
    Approve {
        /// A shorter duration than asked, in days.
        days: Option<u32>,
    },
    /// An owner refuses the request.
    Deny {
        /// Why, for the requester.
        reason: String,
    },
    /// The requester takes the request back before it is decided.
    Withdraw,
    /// An owner ends an approved grant.
    Revoke {
        /// Why, for the consumer.
        reason: String,
    },
}

/// The state of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RequestState {
    /// Waiting for owners; `approvals` so far (restricted products need two).
    Pending {
        /// The owners that approved so far.
        approvals: Vec<Principal>,
    },
    /// Approved until `until_ms`; `approvers` who decided.
    Approved {
        /// The owners that approved.
        approvers: Vec<Principal>,
        /// When the grant ends, in ms since the epoch.
        until_ms: i64,
    },
    /// An owner refused it.
    Denied {
        /// The owner that refused.
        by: Principal,
        /// Why.
        reason: String,
    },
    /// The requester took it back.
    Withdrawn,
    /// An owner ended the grant.
    Revoked {
        /// The owner that revoked it.
        by: Principal,
        /// Why.
        reason: String,
    },
}

/// A request's state without its details, for lists and answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Waiting for owners.
    Pending,
    /// Approved.
    Approved,
    /// An owner refused it.
    Denied,
    /// The requester took it back.
    Withdrawn,
    /// An owner ended the grant.
    Revoked,
}

impl RequestStatus {
    /// The state's name, as the log and the window write it.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Denied => "denied",
            RequestStatus::Withdrawn => "withdrawn",
            RequestStatus::Revoked => "revoked",
        }
    }
}

impl std::fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl RequestState {
    /// The state without its details.
    pub fn status(&self) -> RequestStatus {
        match self {
            RequestState::Pending { .. } => RequestStatus::Pending,
            RequestState::Approved { .. } => RequestStatus::Approved,
            RequestState::Denied { .. } => RequestStatus::Denied,
            RequestState::Withdrawn => RequestStatus::Withdrawn,
            RequestState::Revoked { .. } => RequestStatus::Revoked,
        }
    }

    /// The state's name, as [`RequestStatus::as_str`] writes it.
    pub fn name(&self) -> &'static str {
        match self {
            RequestState::Pending { .. } => "pending",
            RequestState::Approved { .. } => "approved",
            RequestState::Denied { .. } => "denied",
            RequestState::Withdrawn => "withdrawn",
            RequestState::Revoked { .. } => "revoked",
        }
    }

    /// Whether the grant is in force at `now_ms` (approved and not past its end).
    pub fn is_active(&self, now_ms: i64) -> bool {
        matches!(self, RequestState::Approved { until_ms, .. } if *until_ms > now_ms)
    }
}

/// What the decider knows about the request's context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionContext<'a> {
    /// The request decided.
    pub request: &'a AccessRequest,
    /// Who asked (the envelope's actor of the request).
    pub requested_by: &'a Principal,
    /// When it was asked, in ms since the epoch.
    pub requested_at_ms: i64,
    /// The product's owners: who may decide.
    pub product_owners: &'a [Principal],
    /// The product's classification: how many approvals it needs.
    pub classification: Classification,
}

/// How many distinct owners must approve a request for a product of this classification.
pub fn approvals_needed(c: Classification) -> usize {
    if c == Classification::Restricted { 2 } else { 1 }
}

/// Applies `decision`, made by `actor` at `now_ms`, to a request in `state`: the next state, or
/// why the decision is refused.
pub fn decide(
    state: &RequestState,
    ctx: &DecisionContext<'_>,
    decision: &Decision,
    actor: &Principal,
    now_ms: i64,
) -> Result<RequestState, Refusal> {
    let is_owner = ctx.product_owners.contains(actor);
    let owner_check = || -> Result<(), Refusal> {
        if !is_owner {
            return Err(Refusal::NotAllowed(format!("{actor} does not own {}", ctx.request.product)));
        }
        if actor == ctx.requested_by {
            return Err(Refusal::NotAllowed(format!("{actor} made this request and cannot decide it")));
        }
        if actor == &ctx.request.consumer {
            return Err(Refusal::NotAllowed(format!(
                "{actor} is the consumer named in this request and cannot decide it"
            )));
        }
        Ok(())
    };
    match (state, decision) {
        (RequestState::Pending { approvals }, Decision::Approve { days }) => {
            owner_check()?;
            if approvals.contains(actor) {
                return Err(Refusal::Conflict(format!("{actor} has already approved this request")));
            }
            let days = days.unwrap_or(ctx.request.days);
            if days == 0 || days > ctx.request.days {
                return Err(Refusal::Conflict(format!(
                    "approval may shorten the duration ({} days) but not extend it",
                    ctx.request.days
                )));
            }
            let mut approvals = approvals.clone();
            approvals.push(actor.clone());
            if approvals.len() < approvals_needed(ctx.classification) {
                return Ok(RequestState::Pending { approvals });
            }
            let until_ms =
                i64::from(days).checked_mul(DAY_MS).and_then(|d| now_ms.checked_add(d)).ok_or_else(|| {
                    Refusal::Invalid(format!("an approval at {now_ms} ms for {days} days is out of range"))
                })?;
            Ok(RequestState::Approved { approvers: approvals, until_ms })
        }
        (RequestState::Pending { .. }, Decision::Deny { reason }) => {
            owner_check()?;
            if reason.trim().is_empty() {
                return Err(Refusal::Invalid("a denial needs a reason".into()));
            }
            Ok(RequestState::Denied { by: actor.clone(), reason: reason.trim().to_owned() })
        }
        (RequestState::Pending { .. }, Decision::Withdraw) => {
            if actor != ctx.requested_by {
                return Err(Refusal::NotAllowed(format!(
                    "only {} who made the request can withdraw it",
                    ctx.requested_by
                )));
            }
            Ok(RequestState::Withdrawn)
        }
        (RequestState::Approved { until_ms, .. }, Decision::Revoke { reason }) => {
            if !is_owner {
                return Err(Refusal::NotAllowed(format!("{actor} does not own {}", ctx.request.product)));
            }
            if *until_ms <= now_ms {
                return Err(Refusal::Conflict(String::from("the grant has already expired")));
            }
            Ok(RequestState::Revoked { by: actor.clone(), reason: reason.trim().to_owned() })
        }
        (RequestState::Approved { until_ms, .. }, Decision::Approve { .. } | Decision::Deny { .. })
            if *until_ms <= now_ms =>
        {
            Err(Refusal::Conflict(String::from("the grant has expired; ask for a renewal with a new request")))
        }
        (s, d) => Err(Refusal::Conflict(format!("a request that is {} cannot be {}", s.name(), past(d)))),
    }
}

fn past(d: &Decision) -> &'static str {
    match d {
        Decision::Approve { .. } => "approved",
        Decision::Deny { .. } => "denied",
        Decision::Withdraw => "withdrawn",
        Decision::Revoke { .. } => "revoked",
    }
}

/// The kinds of Kafka resources a grant touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// A topic.
    Topic,
    /// A consumer group.
    Group,
}

/// How an ACL binding's resource name matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatternKind {
    /// The name exactly.
    Literal,
    /// Every name starting with it.
    Prefixed,
}

/// What an ACL binding allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Operation {
    /// Read records (a topic) or commit offsets (a group).
    Read,
    /// Read a topic's metadata and configuration.
    Describe,
    /// Only for the owning domain's producers (`plan::owner_bindings`), never in a grant.
    Write,
}

/// One ACL binding: ALLOW `principal` to do `operation` on the resource from any host.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AclBinding {
    /// A topic or a group.
    pub resource: ResourceKind,
    /// The resource's name, or its prefix.
    pub name: String,
    /// Whether `name` is literal or a prefix.
    pub pattern: PatternKind,
    /// Who is allowed.
    pub principal: Principal,
    /// What it is allowed to do.
    pub operation: Operation,
}

/// The grant an approval implies, and nothing more: READ and DESCRIBE on each requested topic
/// (literal) and READ on the consumer groups with the request's prefix (prefixed).
pub fn grant_plan(req: &AccessRequest) -> Vec<AclBinding> {
    let mut out = Vec::with_capacity(req.ports.len() * 2 + 1);
    for topic in &req.ports {
        for operation in [Operation::Read, Operation::Describe] {
            out.push(AclBinding {
                resource: ResourceKind::Topic,
                name: topic.as_str().to_owned(),
                pattern: PatternKind::Literal,
                principal: req.consumer.clone(),
                operation,
            });
        }
    }
    out.push(AclBinding {
        resource: ResourceKind::Group,
        name: req.group_prefix.clone(),
        pattern: PatternKind::Prefixed,
        principal: req.consumer.clone(),
        operation: Operation::Read,
    });
    out.sort();
    out.dedup();
    out
}

/// `s` as one POSIX shell word: as it is when it holds only characters no shell treats
/// specially, else in single quotes (a quote inside written `'\''`).
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '@' | '/' | ',' | '='));
    if plain { s.to_owned() } else { format!("'{}'", s.replace('\'', "'\\''")) }
}

/// The plan as `kafka-acls.sh` commands for platform teams (`add`, or `remove` to undo it).
pub fn kafka_acls_commands(plan: &[AclBinding], bootstrap: &str, remove: bool) -> Vec<String> {
    plan.iter()
        .map(|b| {
            let resource = match b.resource {
                ResourceKind::Topic => "--topic",
                ResourceKind::Group => "--group",
            };
            let pattern = match b.pattern {
                PatternKind::Literal => "literal",
                PatternKind::Prefixed => "prefixed",
            };
            let op = match b.operation {
                Operation::Read => "Read",
                Operation::Describe => "Describe",
                Operation::Write => "Write",
            };
            format!(
                "kafka-acls.sh --bootstrap-server {} --{} --allow-principal {} --operation {op} {resource} {} --resource-pattern-type {pattern}{}",
                shell_quote(bootstrap),
                if remove { "remove" } else { "add" },
                shell_quote(b.principal.as_str()),
                shell_quote(&b.name),
                if remove { " --force" } else { "" }
            )
        })
        .collect()
}

#[cfg(test)]
mod tests;

/// What the reconciler must do for one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconcileAction {
    /// The request the bindings belong to.
    pub request_id: String,
    /// `true`: create the bindings (approved, in force, not applied yet); `false`: remove them
    /// (revoked or expired, not removed yet).
    pub apply: bool,
    /// Why, for people.
    pub why: String,
    /// The bindings to create or remove.
    pub bindings: Vec<AclBinding>,
}

/// The changes that bring the cluster in line with the requests: `grant_status` is the last
/// recorded outcome (`applied`, `removed`, `not_applied` or none).
pub fn reconcile_actions<'a>(
    requests: impl IntoIterator<Item = (&'a AccessRequest, &'a RequestState, Option<&'a str>)>,
    now_ms: i64,
) -> Vec<ReconcileAction> {
    let mut out = Vec::new();
    for (req, state, status) in requests {
        let action = match state {
            RequestState::Approved { until_ms, .. } if *until_ms > now_ms && status != Some("applied") => {
                Some((true, "approved and in force; its ACLs are not applied yet".to_owned()))
            }
            RequestState::Approved { until_ms, .. } if *until_ms <= now_ms && status != Some("removed") => {
                Some((false, "expired".to_owned()))
            }
            RequestState::Revoked { by, reason } if status != Some("removed") => {
                Some((false, format!("revoked by {by}: {reason}")))
            }
            _ => None,
        };
        if let Some((apply, why)) = action {
            out.push(ReconcileAction { request_id: req.id.clone(), apply, why, bindings: grant_plan(req) });
        }
    }
    out
}

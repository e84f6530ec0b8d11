//! Cross-domain access: sending requests, deciding them, applying and removing the grants'
//! ACLs, and the reconciler. The rules are the domain's (`meshdesk_domain::access`), checked
//! here before anything is published and again by every desktop's fold.

use meshdesk_contract as c;
use meshdesk_domain::access::{
    self as rules, AccessRequest, AclBinding, DEFAULT_DAYS, Decision, DecisionContext, Operation, PatternKind,
    RequestState, ResourceKind, decide, grant_plan, reconcile_actions,
};
use meshdesk_domain::events::GrantOutcome;
use meshdesk_domain::{DomainId, EventBody, Principal, ProductId, TopicName};
use meshdesk_kafka::{AclFilter, AclOperation, AclOutcome, AclPermission, PatternType, ResourceType};
use meshdesk_store::AccessRow;

use crate::{Meshdesk, ServiceError, now_ms};

fn invalid(msg: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(msg.into())
}

/// A grant's binding as the Kafka layer sends it: ALLOW from any host.
pub fn to_kafka(b: &AclBinding) -> meshdesk_kafka::AclBinding {
    meshdesk_kafka::AclBinding {
        resource: match b.resource {
            ResourceKind::Topic => ResourceType::Topic,
            ResourceKind::Group => ResourceType::Group,
        },
        name: b.name.clone(),
        pattern: match b.pattern {
            PatternKind::Literal => PatternType::Literal,
            PatternKind::Prefixed => PatternType::Prefixed,
        },
        principal: b.principal.as_str().to_owned(),
        host: "*".into(),
        operation: match b.operation {
            Operation::Read => AclOperation::Read,
            Operation::Describe => AclOperation::Describe,
        },
        permission: AclPermission::Allow,
    }
}

fn grant_result(outcome: &GrantOutcome) -> c::GrantResult {
    match outcome {
        GrantOutcome::Applied => c::GrantResult { status: "applied".into(), detail: None },
        GrantOutcome::Removed => c::GrantResult { status: "removed".into(), detail: None },
        GrantOutcome::NotApplied { reason } => {
            c::GrantResult { status: "not_applied".into(), detail: Some(reason.clone()) }
        }
    }
}

/// Why a whole batch of per-binding outcomes did not take effect, if it did not.
fn summarise<T>(outcomes: &[AclOutcome<T>]) -> Option<String> {
    outcomes.iter().find_map(|o| match o {
        AclOutcome::Done(_) => None,
        AclOutcome::SecurityDisabled(m) => Some(format!(
            "the cluster has no authorizer (SECURITY_DISABLED: {m}); ACLs mean nothing there, so the grant stays approved, not applied"
        )),
        AclOutcome::Failed(m) => Some(m.clone()),
    })
}

impl Meshdesk {
    /// Sends an access request for some ports of another domain's product, as the current
    /// principal on behalf of one of the domains it owns.
    pub async fn request_access(&self, f: &c::AccessRequestForm) -> Result<c::RequestSent, ServiceError> {
        let viewer = self.viewer().await.ok_or_else(|| invalid("not connected yet: the requester is not known"))?;
        let product = self
            .store
            .product(&f.product)
            .await?
            .ok_or_else(|| invalid(format!("product {} is not in the catalog", f.product)))?
            .product;
        let domain = DomainId::parse(&f.requester_domain).map_err(|e| invalid(e.to_string()))?;
        let domains = self.store.list_domains().await?;
        if !domains.iter().any(|d| d.id == domain.as_str() && d.owners.contains(&viewer)) {
            return Err(invalid(format!(
                "{viewer} does not own the domain {domain}: requests are made for one's own domain"
            )));
        }
        let mut ports = Vec::new();
        for p in &f.ports {
            ports.push(TopicName::parse(p).map_err(|e| invalid(e.to_string()))?);
        }
        let req = AccessRequest {
            id: uuid::Uuid::new_v4().to_string(),
            product: ProductId::parse(&f.product).map_err(|e| invalid(e.to_string()))?,
            ports,
            consumer: Principal::parse(f.consumer.trim()).map_err(invalid)?,
            group_prefix: f.group_prefix.clone().unwrap_or_else(|| AccessRequest::default_group_prefix(&domain)),
            requester_domain: domain,
            purpose: f.purpose.trim().to_owned(),
            days: f.days.unwrap_or(DEFAULT_DAYS),
        };
        let topics: Vec<_> = product.output_ports.iter().map(|p| p.topic.clone()).collect();
        req.validate(&topics, rules::MAX_DAYS).map_err(invalid)?;
        let plan = grant_plan(&req);
        let event_id = self.publish(&EventBody::AccessRequested(req.clone())).await?;
        Ok(c::RequestSent { request_id: req.id, event_id, plan })
    }

    async fn access_row(&self, id: &str) -> Result<AccessRow, ServiceError> {
        self.store
            .access_requests()
            .await?
            .into_iter()
            .find(|r| r.request.id == id)
            .ok_or_else(|| invalid(format!("no access request {id} in the cache")))
    }

    /// Decides a request as the current principal. The rules are checked here first (so a
    /// refusal is immediate and nothing is published); an approval that takes effect applies
    /// the grant's ACLs when the cluster lets this desktop, and a revocation removes them.
    pub async fn decide_access(&self, d: &c::DecideRequest) -> Result<c::Decided, ServiceError> {
        let viewer = self.viewer().await.ok_or_else(|| invalid("not connected yet: the decider is not known"))?;
        let actor = Principal::parse(&viewer).map_err(invalid)?;
        let row = self.access_row(&d.request_id).await?;
        let product = self.store.product(row.request.product.as_str()).await?.ok_or_else(|| invalid("product gone"))?;
        let requested_by = Principal::parse(&row.requested_by).map_err(invalid)?;
        let ctx = DecisionContext {
            request: &row.request,
            requested_by: &requested_by,
            requested_at_ms: row.requested_at_ms,
            product_owners: &product.product.owners,
            classification: product.product.classification,
        };
        let next = decide(&row.state, &ctx, &d.decision, &actor, now_ms()).map_err(invalid)?;
        let request_id = d.request_id.clone();
        let body = match &d.decision {
            Decision::Approve { days } => EventBody::AccessApproved { request_id, days: *days },
            Decision::Deny { reason } => EventBody::AccessDenied { request_id, reason: reason.clone() },
            Decision::Withdraw => EventBody::AccessWithdrawn { request_id },
            Decision::Revoke { reason } => EventBody::AccessRevoked { request_id, reason: reason.clone() },
        };
        let event_id = self.publish(&body).await?;
        let grant = match &next {
            RequestState::Approved { .. } => Some(self.enforce(&row.request, true).await),
            RequestState::Revoked { .. } => Some(self.enforce(&row.request, false).await),
            _ => None,
        };
        Ok(c::Decided { event_id, state: next.name().to_owned(), grant: grant.as_ref().map(grant_result) })
    }

    /// Creates (or removes) the request's bindings on the cluster and records the outcome as a
    /// governance event.
    async fn enforce(&self, req: &AccessRequest, apply: bool) -> GrantOutcome {
        let outcome = self.enforce_on_cluster(req, apply).await;
        let body = EventBody::GrantApplied { request_id: req.id.clone(), outcome: outcome.clone() };
        if let Err(e) = self.publish(&body).await {
            tracing::warn!("the grant outcome could not be queued: {e}");
        }
        outcome
    }

    async fn enforce_on_cluster(&self, req: &AccessRequest, apply: bool) -> GrantOutcome {
        let bindings: Vec<_> = grant_plan(req).iter().map(to_kafka).collect();
        let result = async {
            let conn = self.connection().await?;
            let admin = meshdesk_kafka::Admin::new(&conn.kafka)?;
            Ok::<_, ServiceError>(if apply {
                summarise(&admin.create_acls(&bindings).await?)
            } else {
                let filters: Vec<_> = bindings.iter().map(AclFilter::exact).collect();
                summarise(&admin.delete_acls(&filters).await?)
            })
        }
        .await;
        match result {
            Ok(None) if apply => GrantOutcome::Applied,
            Ok(None) => GrantOutcome::Removed,
            Ok(Some(reason)) => GrantOutcome::NotApplied { reason },
            Err(e) => GrantOutcome::NotApplied { reason: e.to_string() },
        }
    }

    /// The Requests page: incoming requests for my domains' products and the ones I made.
    pub async fn list_access(&self) -> Result<c::AccessOverview, ServiceError> {
        let viewer = self.viewer().await;
        let domains = self.store.list_domains().await?;
        let my_domains: Vec<String> = domains
            .iter()
            .filter(|d| viewer.as_ref().is_some_and(|v| d.owners.contains(v)))
            .map(|d| d.id.clone())
            .collect();
        let now = now_ms();
        let mut incoming = Vec::new();
        let mut outgoing = Vec::new();
        for r in self.store.access_requests().await? {
            let Some(p) = self.store.product(r.request.product.as_str()).await? else { continue };
            let mine = viewer.as_ref().is_some_and(|v| p.product.owners.iter().any(|o| o.as_str() == v));
            let asked = viewer.as_ref().is_some_and(|v| *v == r.requested_by);
            let expired = matches!(r.state, RequestState::Approved { until_ms, .. } if until_ms <= now);
            let view = c::AccessView {
                active: r.state.is_active(now),
                expired,
                product_title: p.product.title.clone(),
                classification: p.product.classification,
                has_pii: !p.product.pii_paths().is_empty(),
                plan: grant_plan(&r.request),
                grant: r
                    .grant_status
                    .as_deref()
                    .map(|s| c::GrantResult { status: s.to_owned(), detail: r.grant_detail.clone() }),
                requested_by: r.requested_by.clone(),
                requested_at_ms: r.requested_at_ms,
                state: r.state.clone(),
                request: r.request.clone(),
            };
            if mine {
                incoming.push(view.clone());
            }
            if asked {
                outgoing.push(view);
            }
        }
        Ok(c::AccessOverview { viewer, my_domains, incoming, outgoing })
    }

    /// What the reconciler would do now: apply grants in force, remove expired and revoked ones.
    pub async fn reconcile_plan(&self) -> Result<Vec<rules::ReconcileAction>, ServiceError> {
        let rows = self.store.access_requests().await?;
        Ok(reconcile_actions(rows.iter().map(|r| (&r.request, &r.state, r.grant_status.as_deref())), now_ms()))
    }

    /// Carries out `reconcile_plan` (each change recorded as a governance event) and returns
    /// the actions with their outcomes.
    pub async fn reconcile(&self) -> Result<Vec<(rules::ReconcileAction, GrantOutcome)>, ServiceError> {
        let actions = self.reconcile_plan().await?;
        let rows = self.store.access_requests().await?;
        let mut out = Vec::new();
        for a in actions {
            let Some(r) = rows.iter().find(|r| r.request.id == a.request_id) else { continue };
            let outcome = self.enforce(&r.request, a.apply).await;
            out.push((a, outcome));
        }
        Ok(out)
    }
}

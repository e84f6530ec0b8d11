//! Cross-domain access: sending requests, deciding them, applying and removing the grants'
//! ACLs, and the reconciler. The rules are the domain's (`meshdesk_domain::access`), checked
//! here before anything is published and again by every desktop's fold.

use meshdesk_contract as c;
use meshdesk_domain::access::{
    self as rules, AccessRequest, DEFAULT_DAYS, Decision, DecisionContext, RequestState, decide, grant_plan,
    reconcile_actions,
};
use meshdesk_domain::events::GrantOutcome;
use meshdesk_domain::{DomainId, EventBody, Principal, ProductId, TopicName};

use meshdesk_store::AccessRow;

use crate::acls::describe_binding;
pub use crate::acls::to_kafka;
use crate::{Meshdesk, ServiceError, invalid, now_ms};

/// What the access area keeps between calls.
#[derive(Default)]
pub(crate) struct AccessState {
    /// The access requests the viewer has been told about, by id, with their state; `None`
    /// until the first look (nothing is announced for what was there before the app started).
    pub(crate) seen: std::sync::Mutex<Option<std::collections::HashMap<String, String>>>,
    /// When the in-app reconciler last ran.
    pub(crate) last_reconcile: std::sync::Mutex<Option<std::time::Instant>>,
}

fn grant_result(outcome: &GrantOutcome) -> c::GrantResult {
    match outcome {
        GrantOutcome::Applied => c::GrantResult { status: c::GrantStatus::Applied, detail: None },
        GrantOutcome::Removed => c::GrantResult { status: c::GrantStatus::Removed, detail: None },
        GrantOutcome::NotApplied { reason } => {
            c::GrantResult { status: c::GrantStatus::NotApplied, detail: Some(reason.clone()) }
        }
    }
}

pub(crate) fn plan_for(rows: &[AccessRow]) -> Vec<rules::ReconcileAction> {
    reconcile_actions(rows.iter().map(|r| (&r.request, &r.state, r.grant_status.as_deref())), now_ms())
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
        let owners = self
            .store
            .list_domains()
            .await?
            .into_iter()
            .find(|d| d.id == domain.as_str())
            .map(|d| d.owners.iter().filter_map(|o| meshdesk_domain::Principal::parse(o).ok()).collect::<Vec<_>>());
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
        // The checks every fold runs again (the same function): the requester owns the domain,
        // the request fits the product, and the published rules on requests allow it.
        let requester = meshdesk_domain::Principal::parse(&viewer).map_err(invalid)?;
        rules::check_request(&req, &requester, owners.as_deref(), &product, &self.rules_in_force().await?)
            .map_err(invalid)?;
        let plan = grant_plan(&req);
        let event_id = self.publish(&EventBody::AccessRequested(req.clone())).await?;
        let consumer_login = self.sandbox_login(&req.consumer).await;
        Ok(c::RequestSent { request_id: req.id, event_id, plan, consumer_login })
    }

    /// In the embedded sandbox, a Kafka user for a consumer principal that has none yet: its
    /// generated password goes to the keyring and is shown once. Elsewhere the cluster's own
    /// users are the platform team's.
    async fn sandbox_login(&self, consumer: &Principal) -> Option<c::ConsumerLogin> {
        let guard = self.sandbox.lock().await;
        let sb = guard.as_ref()?;
        let user = consumer.as_str().strip_prefix("User:")?.to_owned();
        match sb.create_principal(consumer).await {
            Ok(Some(password)) => {
                let keyring_entry = format!("sandbox/{consumer}");
                if let Err(e) = crate::keyring::secret_set(&keyring_entry, &password) {
                    tracing::warn!("the new login of {consumer} could not be kept in the keyring: {e}");
                }
                Some(c::ConsumerLogin { principal: consumer.to_string(), user, password, keyring_entry })
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!("no sandbox login for {consumer}: {e:#}");
                None
            }
        }
    }

    pub(crate) async fn access_row(&self, id: &str) -> Result<AccessRow, ServiceError> {
        self.store.access_request(id).await?.ok_or_else(|| invalid(format!("no access request {id} in the cache")))
    }

    /// Decides a request as the current principal. The rules are checked here first (so a
    /// refusal is immediate and nothing is published); an approval that takes effect applies
    /// the grant's ACLs when the cluster lets this desktop, and a revocation removes them.
    pub async fn decide_access(&self, d: &c::DecideRequest) -> Result<c::Decided, ServiceError> {
        let viewer = self.viewer().await.ok_or_else(|| invalid("not connected yet: the decider is not known"))?;
        let actor = Principal::parse(&viewer).map_err(invalid)?;
        // Decide on the newest state: read what others decided. Offline, the cache and the
        // outbox are what there is.
        let _ = self.sync().await;
        let log = self.governance_topic_now(self.connection().await.ok().as_ref());
        if self.store.decision_pending(&log, &d.request_id).await? {
            return Err(invalid(
                "a decision on this request is already waiting to be sent; it goes out when the cluster is reachable",
            ));
        }
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
        let next = decide(&row.state, &ctx, &d.decision, &actor, now_ms())?;
        let request_id = d.request_id.clone();
        let body = match &d.decision {
            Decision::Approve { days } => EventBody::approval(&row.request, *days),
            Decision::Deny { reason } => EventBody::AccessDenied { request_id, reason: reason.clone() },
            Decision::Withdraw => EventBody::AccessWithdrawn { request_id },
            Decision::Revoke { reason } => EventBody::AccessRevoked { request_id, reason: reason.clone() },
        };
        let event_id = self.publish(&body).await?;
        // ACLs follow the log: they change only once this desktop's fold has applied the
        // decision, so a decision that lost a race (a deny or withdrawal that came first)
        // leaves nothing behind. Offline, the reconciler applies it once the log has it.
        self.await_folded(&event_id).await;
        let folded = self.access_row(&d.request_id).await.ok().filter(|r| r.state.name() == next.name());
        let (grant, acls) = match (&next, folded) {
            (RequestState::Approved { .. }, Some(_)) => self.enforce(&row.request, true).await,
            (RequestState::Revoked { .. }, Some(_)) => self.enforce(&row.request, false).await,
            _ => (None, vec![]),
        };
        Ok(c::Decided { event_id, state: next.status(), grant: grant.as_ref().map(grant_result), acls })
    }

    /// Creates (or removes) the request's bindings on the cluster and records the outcome as a
    /// governance event; the outcome and the bindings it created or deleted, for people.
    async fn enforce(&self, req: &AccessRequest, apply: bool) -> (Option<GrantOutcome>, Vec<String>) {
        let (outcome, touched) = self.enforce_on_cluster(req, apply).await;
        self.record_grant(req, &outcome, false).await;
        let shown = match outcome {
            GrantOutcome::NotApplied { .. } => vec![],
            _ => touched.iter().map(describe_binding).collect(),
        };
        (Some(outcome), shown)
    }

    /// Records what the cluster made of a grant, signed by this desktop's principal (an owner of
    /// the product) or, for `reconciling` in the sandbox, by its reconciler identity.
    async fn record_grant(&self, req: &AccessRequest, outcome: &GrantOutcome, reconciling: bool) {
        let body = EventBody::GrantApplied { request_id: req.id.clone(), outcome: outcome.clone() };
        let result = match self.connection().await {
            Ok(conn) => match conn.reconciler.as_ref().filter(|_| reconciling) {
                Some(reconciler) => self.publish_signed(&conn, reconciler, &body).await,
                None => self.publish(&body).await,
            },
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            tracing::warn!("the grant outcome could not be queued: {e}");
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
        let mut incoming = Vec::new();
        let mut outgoing = Vec::new();
        for (view, owners) in self.list_access_all().await? {
            let mine = viewer.as_ref().is_some_and(|v| owners.iter().any(|o| o.as_str() == v));
            let asked = viewer.as_ref().is_some_and(|v| *v == view.requested_by);
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
        Ok(plan_for(&self.store.access_requests().await?))
    }

    /// Carries out `reconcile_plan` and returns the actions with their outcomes. Each outcome
    /// is recorded as a governance event unless it is the one already recorded (a cluster that
    /// keeps refusing does not fill the log).
    pub async fn reconcile(&self) -> Result<Vec<(rules::ReconcileAction, GrantOutcome)>, ServiceError> {
        let rows = self.store.access_requests().await?;
        let mut out = Vec::new();
        for a in plan_for(&rows) {
            let Some(r) = rows.iter().find(|r| r.request.id == a.request_id) else { continue };
            let (outcome, _) = self.enforce_on_cluster(&r.request, a.apply).await;
            let same = match &outcome {
                GrantOutcome::NotApplied { reason } => {
                    r.grant_status.as_deref() == Some("not_applied")
                        && r.grant_detail.as_deref() == Some(reason.as_str())
                }
                _ => false,
            };
            if !same {
                self.record_grant(&r.request, &outcome, true).await;
            }
            out.push((a, outcome));
        }
        Ok(out)
    }
}

impl Meshdesk {
    /// Announces (as [`crate::Notice::Access`]) requests that arrived for my products and my
    /// requests whose state changed since the last look.
    pub async fn announce_access_changes(&self) {
        let Ok(overview) = self.list_access().await else { return };
        let mut notices = Vec::new();
        {
            let mut seen = self.access.seen.lock().expect("access_seen lock");
            let first = seen.is_none();
            let map = seen.get_or_insert_with(Default::default);
            for v in &overview.incoming {
                let state = v.state.name().to_owned();
                if map.get(&v.request.id) != Some(&state) && !first && state == "pending" {
                    notices.push((
                        "New access request".to_owned(),
                        format!(
                            "{} asks for {} for {}: {}",
                            v.requested_by, v.product_title, v.request.consumer, v.request.purpose
                        ),
                    ));
                }
                map.insert(v.request.id.clone(), state);
            }
            for v in &overview.outgoing {
                let state = v.state.name().to_owned();
                let before = map.insert(v.request.id.clone(), state.clone());
                // A decision on my request, whether or not I saw it pending first.
                if !first && before.as_deref() != Some(state.as_str()) && state != "pending" {
                    notices.push((
                        format!("Access request {state}"),
                        format!("Your request for {} ({}) is {state}", v.product_title, v.request.consumer),
                    ));
                }
            }
        }
        for (title, body) in notices {
            self.notify(crate::Notice::Access { title, body });
        }
    }

    /// One reconciliation round inside the app (sandbox only), at most once a minute; failures
    /// are logged and retried.
    pub(crate) async fn reconcile_in_app(&self) {
        {
            let mut last = self.access.last_reconcile.lock().expect("last_reconcile lock");
            if last.is_some_and(|t| t.elapsed() < std::time::Duration::from_secs(60)) {
                return;
            }
            *last = Some(std::time::Instant::now());
        }
        match self.reconcile().await {
            Ok(done) if !done.is_empty() => tracing::info!("reconciled {} grant(s)", done.len()),
            Ok(_) => {}
            Err(e) => tracing::warn!("reconciling grants failed: {e}"),
        }
        match self.restore_missing(false).await {
            Ok(made) if !made.is_empty() => tracing::info!("created {} missing ACL binding(s)", made.len()),
            Ok(_) => {}
            Err(e) => tracing::warn!("restoring missing ACL bindings failed: {e}"),
        }
    }

    /// The access requests of one product (its page's access history), newest first.
    pub async fn product_access(&self, product: &str) -> Result<Vec<c::AccessView>, ServiceError> {
        let all = self.list_access_all().await?;
        Ok(all.into_iter().map(|(v, _)| v).filter(|v| v.request.product.as_str() == product).collect())
    }

    /// Every request as the queues show it, with its product's owners.
    async fn list_access_all(&self) -> Result<Vec<(c::AccessView, Vec<Principal>)>, ServiceError> {
        let now = now_ms();
        let mut out = Vec::new();
        for r in self.store.access_requests().await? {
            let Some(p) = self.store.product(r.request.product.as_str()).await? else { continue };
            let view = c::AccessView {
                active: r.state.is_active(now),
                expired: matches!(r.state, RequestState::Approved { until_ms, .. } if until_ms <= now),
                product_title: p.product.title.clone(),
                classification: p.product.classification,
                has_pii: !p.product.pii_paths().is_empty(),
                plan: grant_plan(&r.request),
                grant: r
                    .grant_status
                    .as_deref()
                    .and_then(c::GrantStatus::parse)
                    .map(|status| c::GrantResult { status, detail: r.grant_detail.clone() }),
                requested_by: r.requested_by,
                requested_at_ms: r.requested_at_ms,
                state: r.state,
                request: r.request,
            };
            out.push((view, p.product.owners));
        }
        Ok(out)
    }

    /// The audit trail of access decisions as CSV: every access event read from the log, in
    /// log order, with its actor, time and what the rules made of it.
    pub async fn access_audit_csv(&self) -> Result<String, ServiceError> {
        let rows = self.store.access_audit().await?;
        let mut out = String::from("offset,time_utc,at_ms,event,actor,request_id,outcome,note\n");
        for r in rows {
            let fields = [
                r.offset.to_string(),
                utc(r.at_ms),
                r.at_ms.to_string(),
                r.kind,
                r.actor,
                r.request_id.unwrap_or_default(),
                r.outcome,
                r.note.unwrap_or_default(),
            ];
            out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
            out.push('\n');
        }
        Ok(out)
    }
}

impl Meshdesk {
    /// Writes the audit trail as CSV under the data directory's `exports/` and says where.
    /// Writes the access audit trail as CSV to `path` (the app asks where with the save dialog).
    pub async fn export_access_audit_to(&self, path: &std::path::Path) -> Result<c::AuditExport, ServiceError> {
        let csv = self.access_audit_csv().await?;
        std::fs::write(path, &csv)
            .map_err(|e| invalid(format!("the audit trail could not be written to {}: {e}", path.display())))?;
        Ok(c::AuditExport { path: Some(path.display().to_string()), rows: csv.lines().count().saturating_sub(1) })
    }

    /// The file name the save dialog proposes.
    pub fn access_audit_file_name() -> String {
        format!("meshdesk-access-audit-{}.csv", utc(now_ms()).replace(':', "-"))
    }
}

/// A CSV field, quoted when it holds a comma, quote or line break; a text a spreadsheet would
/// run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return, from
/// whoever wrote it into the log) is neutralised with a leading `'`, numbers left as they are.
fn csv_field(s: &str) -> String {
    let number = s.parse::<f64>().is_ok();
    let s = if !number && s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// `2026-11-24T21:53:51Z` from milliseconds since the epoch (proleptic Gregorian, UTC).
fn utc(ms: i64) -> String {
    meshdesk_domain::time::iso_utc(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_fields_are_written_for_spreadsheets() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_795_989_231_000), "2026-11-29T21:53:51Z");
        assert_eq!(utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, \"b\""), "\"a, \"\"b\"\"\"");
        // Formulas from the log are neutralised; numbers are not.
        assert_eq!(csv_field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("+1+1"), "'+1+1");
        assert_eq!(csv_field("-2"), "-2");
        assert_eq!(csv_field("\t=1"), "'\t=1");
    }
}

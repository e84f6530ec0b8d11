//! Cross-domain access: sending requests, deciding them, applying and removing the grants'
//! ACLs, and the reconciler. The rules are the domain's (`meshdesk_domain::access`), checked
//! here before anything is published and again by every desktop's fold.

use meshdesk_contract as c;
use meshdesk_domain::access::{
    self as rules, AccessRequest, AclBinding, DEFAULT_DAYS, Decision, DecisionContext, Operation, PatternKind,
    RequestState, ResourceKind, decide, grant_plan, reconcile_actions,
};
use meshdesk_domain::events::GrantOutcome;
use meshdesk_domain::{DomainId, Envelope, EventBody, Principal, ProductId, TopicName};
use meshdesk_kafka::{AclFilter, AclOperation, AclOutcome, AclPermission, PatternType, ResourceType};

use meshdesk_store::AccessRow;

use std::collections::HashSet;

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
            Operation::Write => AclOperation::Write,
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

fn plan_for(rows: &[AccessRow]) -> Vec<rules::ReconcileAction> {
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
        match sb.create_principal(consumer) {
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

    /// What the cluster says about a request's consumer: its bindings (DescribeAcls for the
    /// principal) and whether every binding of the grant is among them.
    pub async fn cluster_access(&self, request_id: &str) -> Result<c::ClusterAccess, ServiceError> {
        let row = self.access_row(request_id).await?;
        let conn = self.connection().await?;
        let admin = meshdesk_kafka::Admin::new(&conn.kafka)?;
        let filter = AclFilter { principal: Some(row.request.consumer.to_string()), ..Default::default() };
        let found = match admin.describe_acls(&filter).await? {
            AclOutcome::Done(list) => list,
            AclOutcome::SecurityDisabled(m) => {
                return Ok(c::ClusterAccess {
                    bindings: vec![],
                    can_read: false,
                    summary: format!("cannot tell: the cluster has no authorizer (SECURITY_DISABLED: {m})"),
                });
            }
            AclOutcome::Failed(m) => {
                return Err(ServiceError::Invalid(format!("the cluster's ACLs could not be read: {m}")));
            }
        };
        let missing: Vec<String> = grant_plan(&row.request)
            .iter()
            .map(to_kafka)
            .filter(|b| !found.contains(b))
            .map(|b| describe_binding(&b))
            .collect();
        let can_read = missing.is_empty();
        let summary = if can_read {
            "can read: the cluster has every binding of the grant".to_owned()
        } else {
            format!("cannot read yet: the cluster lacks {}", missing.join("; "))
        };
        let mut bindings: Vec<String> = found.iter().map(describe_binding).collect();
        bindings.sort();
        Ok(c::ClusterAccess { bindings, can_read, summary })
    }

    async fn access_row(&self, id: &str) -> Result<AccessRow, ServiceError> {
        self.store.access_request(id).await?.ok_or_else(|| invalid(format!("no access request {id} in the cache")))
    }

    /// Decides a request as the current principal. The rules are checked here first (so a
    /// refusal is immediate and nothing is published); an approval that takes effect applies
    /// the grant's ACLs when the cluster lets this desktop, and a revocation removes them.
    pub async fn decide_access(&self, d: &c::DecideRequest) -> Result<c::Decided, ServiceError> {
        let viewer = self.viewer().await.ok_or_else(|| invalid("not connected yet: the decider is not known"))?;
        let actor = Principal::parse(&viewer).map_err(invalid)?;
        // Decide on the newest state: send what waits, read what others decided. Offline, the
        // cache and the outbox are what there is.
        let _ = self.flush_outbox().await;
        let _ = self.sync().await;
        let log = self.governance_topic_now(self.connection().await.ok().as_ref());
        for e in self.store.pending(&log, 1000).await? {
            let decided_here = Envelope::from_bytes(&e.envelope)
                .ok()
                .and_then(|env| match env.decode() {
                    meshdesk_domain::Decoded::Known(body) => body.as_decision().map(|(id, _)| id == d.request_id),
                    _ => None,
                })
                .unwrap_or(false);
            if decided_here {
                return Err(invalid(
                    "a decision on this request is already waiting to be sent; it goes out when the cluster is reachable",
                ));
            }
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
        let next = decide(&row.state, &ctx, &d.decision, &actor, now_ms()).map_err(invalid)?;
        let request_id = d.request_id.clone();
        let body = match &d.decision {
            Decision::Approve { days } => EventBody::AccessApproved { request_id, days: *days },
            Decision::Deny { reason } => EventBody::AccessDenied { request_id, reason: reason.clone() },
            Decision::Withdraw => EventBody::AccessWithdrawn { request_id },
            Decision::Revoke { reason } => EventBody::AccessRevoked { request_id, reason: reason.clone() },
        };
        let event_id = self.publish(&body).await?;
        // ACLs follow the log: they change only once this desktop's fold has applied the
        // decision, so a decision that lost a race (a deny or withdrawal that came first)
        // leaves nothing behind. Offline, the reconciler applies it once the log has it.
        let _ = self.flush_outbox().await;
        let _ = self.sync().await;
        let folded = self.access_row(&d.request_id).await.ok().filter(|r| r.state.name() == next.name());
        let (grant, acls) = match (&next, folded) {
            (RequestState::Approved { .. }, Some(_)) => self.enforce(&row.request, true).await,
            (RequestState::Revoked { .. }, Some(_)) => self.enforce(&row.request, false).await,
            _ => (None, vec![]),
        };
        Ok(c::Decided { event_id, state: next.name().to_owned(), grant: grant.as_ref().map(grant_result), acls })
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

    /// The bindings Meshdesk wants on the cluster: those of every grant in force (but the
    /// request `except`) and the owners' producer bindings of every product.
    async fn desired_bindings(
        &self,
        except: Option<&str>,
    ) -> Result<HashSet<meshdesk_kafka::AclBinding>, ServiceError> {
        let now = now_ms();
        let mut out: HashSet<meshdesk_kafka::AclBinding> = self
            .store
            .access_requests()
            .await?
            .iter()
            .filter(|r| r.state.is_active(now) && Some(r.request.id.as_str()) != except)
            .flat_map(|r| grant_plan(&r.request))
            .map(|b| to_kafka(&b))
            .collect();
        for p in self.store.list_products(None).await? {
            for topic in &p.topics {
                for owner in &p.owners {
                    let Ok(principal) = Principal::parse(owner) else { continue };
                    for operation in [Operation::Write, Operation::Describe] {
                        out.insert(to_kafka(&AclBinding {
                            resource: ResourceKind::Topic,
                            name: topic.clone(),
                            pattern: PatternKind::Literal,
                            principal: principal.clone(),
                            operation,
                        }));
                    }
                }
            }
        }
        Ok(out)
    }

    async fn enforce_on_cluster(
        &self,
        req: &AccessRequest,
        apply: bool,
    ) -> (GrantOutcome, Vec<meshdesk_kafka::AclBinding>) {
        let mut bindings: Vec<_> = grant_plan(req).iter().map(to_kafka).collect();
        if !apply {
            // Desired state: a binding another grant in force (a renewal, an overlapping
            // request, a shared group prefix) or an owner still needs stays.
            match self.desired_bindings(Some(&req.id)).await {
                Ok(keep) => bindings.retain(|b| !keep.contains(b)),
                Err(e) => return (GrantOutcome::NotApplied { reason: e.to_string() }, vec![]),
            }
            if bindings.is_empty() {
                return (GrantOutcome::Removed, vec![]);
            }
        }
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
        let outcome = match result {
            Ok(None) if apply => GrantOutcome::Applied,
            Ok(None) => GrantOutcome::Removed,
            Ok(Some(reason)) => GrantOutcome::NotApplied { reason },
            Err(e) => GrantOutcome::NotApplied { reason: e.to_string() },
        };
        (outcome, bindings)
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
            let mut seen = self.access_seen.lock().expect("access_seen lock");
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
            let mut last = self.last_reconcile.lock().expect("last_reconcile lock");
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
                    .map(|s| c::GrantResult { status: s.to_owned(), detail: r.grant_detail.clone() }),
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
    pub async fn export_access_audit(&self) -> Result<c::AuditExport, ServiceError> {
        let csv = self.access_audit_csv().await?;
        let dir = self.data_dir.join("exports");
        let path = dir.join(format!("meshdesk-access-audit-{}.csv", utc(now_ms()).replace(':', "-")));
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            std::fs::write(&path, &csv)
        };
        write().map_err(|e| invalid(format!("the audit trail could not be written to {}: {e}", path.display())))?;
        Ok(c::AuditExport { path: path.display().to_string(), rows: csv.lines().count().saturating_sub(1) })
    }
}

impl Meshdesk {
    /// Drift between the cluster's ACLs and the desired state (the bindings of every grant in
    /// force and the owners' producer bindings): bindings on managed topics and grant group
    /// prefixes that Meshdesk did not make (reported with the two ways to settle them, never
    /// deleted), and bindings of grants recorded as applied that the cluster lacks.
    pub async fn acl_drift(&self) -> Result<Vec<String>, ServiceError> {
        let conn = self.connection().await?;
        let admin = meshdesk_kafka::Admin::new(&conn.kafka)?;
        let now = now_ms();
        let rows = self.store.access_requests().await?;
        let active: Vec<&AccessRow> = rows.iter().filter(|r| r.state.is_active(now)).collect();
        let mut expected = self.desired_bindings(None).await?;
        // Bindings of grants that ended but are not removed yet are the reconciler's to remove.
        for a in plan_for(&rows).iter().filter(|a| !a.apply) {
            expected.extend(a.bindings.iter().map(to_kafka));
        }
        let bootstrap = conn.kafka.bootstrap_servers().to_owned();
        let show = |b: &meshdesk_kafka::AclBinding| {
            format!(
                "{:?} {} {:?} on {:?} {} ({:?})",
                b.permission, b.principal, b.operation, b.resource, b.name, b.pattern
            )
        };
        let settle = |b: &meshdesk_kafka::AclBinding| {
            let remove = format!(
                "kafka-acls.sh --bootstrap-server {} --remove --{} {} --operation {:?} --{} {} --resource-pattern-type {} --force",
                rules::shell_quote(&bootstrap),
                if b.permission == AclPermission::Deny { "deny-principal" } else { "allow-principal" },
                rules::shell_quote(&b.principal),
                b.operation,
                if b.resource == ResourceType::Group { "group" } else { "topic" },
                rules::shell_quote(&b.name),
                if b.pattern == PatternType::Prefixed { "prefixed" } else { "literal" },
            );
            format!(
                "left alone; adopt it into a grant (the consumer's domain requests access for {} and an owner approves), or remove it: {remove}",
                b.principal
            )
        };
        let mut out = Vec::new();
        let mut present = HashSet::new();
        let mut filters: Vec<AclFilter> = self
            .store
            .managed_topics()
            .await?
            .into_iter()
            .map(|(t, _)| AclFilter { resource: Some(ResourceType::Topic), name: Some(t), ..Default::default() })
            .collect();
        for r in &active {
            filters.push(AclFilter {
                resource: Some(ResourceType::Group),
                name: Some(r.request.group_prefix.clone()),
                pattern: Some(PatternType::Prefixed),
                ..Default::default()
            });
        }
        for f in filters {
            match admin.describe_acls(&f).await? {
                AclOutcome::Done(list) => {
                    for b in list {
                        if !expected.contains(&b) {
                            out.push(format!("unmanaged: {} (not made by Meshdesk): {}", show(&b), settle(&b)));
                        }
                        present.insert(b);
                    }
                }
                AclOutcome::SecurityDisabled(m) => {
                    return Ok(vec![format!(
                        "ACLs cannot be compared: the cluster has no authorizer (SECURITY_DISABLED: {m})"
                    )]);
                }
                AclOutcome::Failed(m) => {
                    out.push(format!("the ACLs of {} could not be read: {m}", f.name.unwrap_or_default()))
                }
            }
        }
        for r in active.iter().filter(|r| r.grant_status.as_deref() == Some("applied")) {
            for b in grant_plan(&r.request).iter().map(to_kafka) {
                if !present.contains(&b) {
                    out.push(format!("missing: {} (grant {})", show(&b), r.request.id));
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// A binding for people: `ALLOW User:sales-app Read on topic inventory.x (literal)`.
fn describe_binding(b: &meshdesk_kafka::AclBinding) -> String {
    format!(
        "{} {} {:?} on {} {} ({})",
        if b.permission == AclPermission::Deny { "DENY" } else { "ALLOW" },
        b.principal,
        b.operation,
        format!("{:?}", b.resource).to_lowercase(),
        b.name,
        format!("{:?}", b.pattern).to_lowercase(),
    )
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
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
    }
}

//! The cluster's ACLs as Meshdesk manages them: the desired state (every grant in force and
//! the owners' producer bindings), applying and removing a grant's bindings against it, what
//! the cluster says about a consumer, and drift.

use std::collections::HashSet;

use meshdesk_contract as c;
use meshdesk_domain::Principal;
use meshdesk_domain::access as rules;
use meshdesk_domain::access::{AccessRequest, AclBinding, Operation, PatternKind, ResourceKind, grant_plan};
use meshdesk_domain::events::GrantOutcome;
use meshdesk_domain::plan::producer_bindings;
use meshdesk_kafka::{AclFilter, AclOperation, AclOutcome, AclPermission, PatternType, ResourceType};
use meshdesk_store::AccessRow;

use crate::access::plan_for;
use crate::{Meshdesk, ServiceError, now_ms};

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

/// Why a whole batch of per-binding outcomes did not take effect, if it did not.
pub(crate) fn summarise<T>(outcomes: &[AclOutcome<T>]) -> Option<String> {
    outcomes.iter().find_map(|o| match o {
        AclOutcome::Done(_) => None,
        AclOutcome::SecurityDisabled(m) => Some(format!(
            "the cluster has no authorizer (SECURITY_DISABLED: {m}); ACLs mean nothing there, so the grant stays approved, not applied"
        )),
        AclOutcome::Failed(m) => Some(m.clone()),
    })
}

impl Meshdesk {
    /// What the cluster says about a request's consumer: its bindings (DescribeAcls for the
    /// principal) and whether every binding of the grant is among them.
    pub async fn cluster_access(&self, request_id: &str) -> Result<c::ClusterAccess, ServiceError> {
        let row = self.access_row(request_id).await?;
        let conn = self.connection().await?;
        let admin = conn.admin()?;
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

    /// The bindings Meshdesk wants on the cluster: those of every grant in force among `rows`
    /// (but the request `except`) and the owners' producer bindings of every product.
    pub(crate) async fn desired_bindings(
        &self,
        rows: &[AccessRow],
        except: Option<&str>,
    ) -> Result<HashSet<meshdesk_kafka::AclBinding>, ServiceError> {
        let now = now_ms();
        let mut out: HashSet<meshdesk_kafka::AclBinding> = rows
            .iter()
            .filter(|r| r.state.is_active(now) && Some(r.request.id.as_str()) != except)
            .flat_map(|r| grant_plan(&r.request))
            .map(|b| to_kafka(&b))
            .collect();
        for p in self.store.list_products(None).await? {
            let owners: Vec<Principal> = p.owners.iter().filter_map(|o| Principal::parse(o).ok()).collect();
            out.extend(producer_bindings(p.topics.iter().map(String::as_str), &owners).iter().map(to_kafka));
        }
        Ok(out)
    }

    pub(crate) async fn enforce_on_cluster(
        &self,
        req: &AccessRequest,
        apply: bool,
    ) -> (GrantOutcome, Vec<meshdesk_kafka::AclBinding>) {
        let mut bindings: Vec<_> = grant_plan(req).iter().map(to_kafka).collect();
        if !apply {
            // Desired state: a binding another grant in force (a renewal, an overlapping
            // request, a shared group prefix) or an owner still needs stays.
            let keep = match self.store.access_requests().await {
                Ok(rows) => self.desired_bindings(&rows, Some(&req.id)).await,
                Err(e) => Err(e.into()),
            };
            match keep {
                Ok(keep) => bindings.retain(|b| !keep.contains(b)),
                Err(e) => return (GrantOutcome::NotApplied { reason: e.to_string() }, vec![]),
            }
            if bindings.is_empty() {
                return (GrantOutcome::Removed, vec![]);
            }
        }
        let result = async {
            let conn = self.connection().await?;
            let admin = conn.admin()?;
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
}

impl Meshdesk {
    /// Drift between the cluster's ACLs and the desired state (the bindings of every grant in
    /// force and the owners' producer bindings): bindings on managed topics and grant group
    /// prefixes that Meshdesk did not make (reported with the two ways to settle them, never
    /// deleted), and bindings of grants recorded as applied that the cluster lacks.
    pub async fn acl_drift(&self) -> Result<Vec<String>, ServiceError> {
        let conn = self.connection().await?;
        let admin = conn.admin()?;
        let now = now_ms();
        let rows = self.store.access_requests().await?;
        let active: Vec<&AccessRow> = rows.iter().filter(|r| r.state.is_active(now)).collect();
        let mut expected = self.desired_bindings(&rows, None).await?;
        // Bindings of grants that ended but are not removed yet are the reconciler's to remove.
        for a in plan_for(&rows).iter().filter(|a| !a.apply) {
            expected.extend(a.bindings.iter().map(to_kafka));
        }
        let bootstrap = conn.kafka.bootstrap_servers().to_owned();
        let show = describe_binding;
        let settle = |b: &meshdesk_kafka::AclBinding| remove_advice(&bootstrap, b);
        let mut out = Vec::new();
        let mut present = HashSet::new();
        let mut filters: Vec<AclFilter> = self
            .store
            .managed_topics()
            .await?
            .into_iter()
            .map(|(t, _)| AclFilter { resource: Some(ResourceType::Topic), name: Some(t), ..Default::default() })
            .collect();
        filters.extend(active.iter().map(|r| AclFilter {
            resource: Some(ResourceType::Group),
            name: Some(r.request.group_prefix.clone()),
            pattern: Some(PatternType::Prefixed),
            ..Default::default()
        }));
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
pub(crate) fn describe_binding(b: &meshdesk_kafka::AclBinding) -> String {
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

impl Meshdesk {
    /// Reconciling's other half: creates the desired bindings the cluster lacks (a grant's
    /// binding deleted by hand, an owner's producer binding never made), or with `dry_run` only
    /// lists them. Returns them for people; nothing on a cluster without an authorizer.
    pub async fn restore_missing(&self, dry_run: bool) -> Result<Vec<String>, ServiceError> {
        let conn = self.connection().await?;
        let admin = conn.admin()?;
        let present: HashSet<meshdesk_kafka::AclBinding> = match admin.describe_acls(&AclFilter::default()).await? {
            AclOutcome::Done(list) => list.into_iter().collect(),
            AclOutcome::SecurityDisabled(_) => return Ok(vec![]),
            AclOutcome::Failed(m) => {
                return Err(ServiceError::Invalid(format!("the cluster's ACLs could not be read: {m}")));
            }
        };
        // Grants in force that were never applied are the grant actions' to apply.
        let rows = self.store.access_requests().await?;
        let pending: HashSet<meshdesk_kafka::AclBinding> = rows
            .iter()
            .filter(|r| r.grant_status.as_deref() != Some("applied"))
            .flat_map(|r| grant_plan(&r.request))
            .map(|b| to_kafka(&b))
            .collect();
        let mut missing: Vec<meshdesk_kafka::AclBinding> = self
            .desired_bindings(&rows, None)
            .await?
            .into_iter()
            .filter(|b| !present.contains(b) && !pending.contains(b))
            .collect();
        missing.sort();
        if !dry_run
            && !missing.is_empty()
            && let Some(why) = summarise(&admin.create_acls(&missing).await?)
        {
            return Err(ServiceError::Invalid(format!("the missing bindings could not be created: {why}")));
        }
        Ok(missing.iter().map(describe_binding).collect())
    }
}

/// What to do about a binding Meshdesk did not make: adopt it into a grant, or the exact
/// `kafka-acls.sh` command that removes it.
fn remove_advice(bootstrap: &str, b: &meshdesk_kafka::AclBinding) -> String {
    let remove = format!(
        "kafka-acls.sh --bootstrap-server {} --remove --{} {} --operation {:?} --{} {} --resource-pattern-type {} --force",
        rules::shell_quote(bootstrap),
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
}

//! Schema changes and their readers: who reads a subject (for the impact panel before a new
//! version is registered), the changes made to a product with each grant's migration state,
//! acknowledgements, and notices for the products the viewer reads.

use std::collections::HashSet;

use meshdesk_contract as c;
use meshdesk_domain::change::Change;
use meshdesk_domain::{DataProduct, EventBody, ProductId};
use meshdesk_store::ChangeRow;

use crate::{Meshdesk, ServiceError, invalid};

/// At most this many changes are shown per product.
const CHANGES_SHOWN: i64 = 50;

impl Meshdesk {
    /// The product and port a subject belongs to, and who reads that topic: grants in force,
    /// consumer groups with their lag (a grant's when its prefix matches), derived products.
    pub async fn subject_readers(&self, subject: &str) -> Result<c::SubjectReaders, ServiceError> {
        let Some((product, i, _)) = self.product_port_of(subject).await? else {
            return Ok(c::SubjectReaders {
                subject: subject.to_owned(),
                product: None,
                product_title: None,
                topic: None,
                readers: vec![],
                note: None,
            });
        };
        let topic = product.output_ports[i].topic.as_str().to_owned();
        let now = crate::now_ms();
        let grants: Vec<meshdesk_store::AccessRow> = self
            .store
            .access_requests_for(product.id.as_str())
            .await?
            .into_iter()
            .filter(|r| r.state.is_active(now) && r.request.ports.iter().any(|t| t.as_str() == topic))
            .collect();
        let (groups, note) = match self.groups_on(&[topic.as_str()]).await {
            Ok(g) => (g, None),
            Err(e) => (vec![], Some(format!("consumer groups could not be read: {e}"))),
        };
        let (mut readers, claimed) = grant_readers(&grants, &groups);
        for (group, _, lag) in groups.iter().filter(|(g, _, _)| !claimed.contains(g)) {
            readers.push(c::SubjectReader {
                kind: c::ReaderKind::Group,
                who: group.clone(),
                domain: None,
                group_prefix: None,
                group: Some(group.clone()),
                lag: Some(*lag),
                until_ms: None,
            });
        }
        for d in self.store.downstream_of(product.id.as_str()).await? {
            readers.push(c::SubjectReader {
                kind: c::ReaderKind::Derived,
                who: d.title.clone(),
                domain: Some(d.domain.clone()),
                group_prefix: None,
                group: None,
                lag: None,
                until_ms: None,
            });
        }
        Ok(c::SubjectReaders {
            subject: subject.to_owned(),
            product: Some(product.id.as_str().to_owned()),
            product_title: Some(product.title.clone()),
            topic: Some(topic),
            readers,
            note,
        })
    }

    /// The products the viewer reads: those with an access request of theirs in force.
    async fn products_i_read(&self) -> Result<HashSet<String>, ServiceError> {
        Ok(self
            .list_access()
            .await?
            .outgoing
            .into_iter()
            .filter(|v| v.active)
            .map(|v| v.request.product.as_str().to_owned())
            .collect())
    }

    /// A product's changes for its page, with each grant's migration for changes that ask
    /// readers to move (the cluster's groups asked once; without them, states say so).
    pub(crate) async fn product_changes(&self, p: &DataProduct) -> Result<Vec<c::ChangeView>, ServiceError> {
        let rows = self.store.product_changes(p.id.as_str(), CHANGES_SHOWN).await?;
        if rows.is_empty() {
            return Ok(vec![]);
        }
        let now = crate::now_ms();
        let grants: Vec<meshdesk_store::AccessRow> = self
            .store
            .access_requests_for(p.id.as_str())
            .await?
            .into_iter()
            .filter(|r| r.state.is_active(now))
            .collect();
        // The viewer reads it when a request of theirs is in force (as `products_i_read` says,
        // from the grants already at hand).
        let viewer = self.viewer().await;
        let reads = viewer.as_deref().is_some_and(|v| grants.iter().any(|g| g.requested_by == v));
        let mut topics: Vec<String> = Vec::new();
        for r in &rows {
            if let Change::PortDeprecated { topic, successor, .. } = &r.change {
                topics.push(topic.clone());
                topics.extend(successor.clone());
            }
        }
        let groups = if topics.is_empty() {
            vec![]
        } else {
            let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
            self.groups_on(&refs).await.unwrap_or_else(|e| {
                tracing::info!("migration states without consumer groups: {e}");
                vec![]
            })
        };
        Ok(rows
            .into_iter()
            .map(|r| {
                let migrations = match &r.change {
                    Change::PortDeprecated { topic, successor, .. } => grants
                        .iter()
                        .filter(|g| g.request.ports.iter().any(|t| t.as_str() == topic))
                        .map(|g| {
                            let on = |t: &str| -> Vec<c::GroupOnPort> {
                                groups
                                    .iter()
                                    .filter(|(group, on, _)| on == t && group.starts_with(&g.request.group_prefix))
                                    .map(|(group, _, lag)| c::GroupOnPort { group: group.clone(), lag: *lag })
                                    .collect()
                            };
                            c::Migration {
                                consumer: g.request.consumer.as_str().to_owned(),
                                domain: g.request.requester_domain.as_str().to_owned(),
                                acknowledged: r
                                    .acknowledged_by
                                    .iter()
                                    .any(|a| *a == g.requested_by || a.as_str() == g.request.consumer.as_str()),
                                on_old: on(topic),
                                on_new: successor.as_deref().map(on).unwrap_or_default(),
                            }
                        })
                        .collect(),
                    _ => vec![],
                };
                view(r, &p.title, reads, viewer.as_deref(), migrations)
            })
            .collect())
    }

    /// Takes note of a change to a product the viewer reads (a signed event, so the owners see
    /// it in the migration states).
    pub async fn acknowledge_change(&self, req: &c::AcknowledgeRequest) -> Result<String, ServiceError> {
        let product = ProductId::parse(&req.product).map_err(|e| invalid(e.to_string()))?;
        let known = self.store.product_changes(product.as_str(), CHANGES_SHOWN).await?;
        if !known.iter().any(|r| r.event_id == req.event_id) {
            return Err(invalid(format!("{} has no such change to acknowledge", req.product)));
        }
        let id = self.publish(&EventBody::ChangeAcknowledged { product, change: req.event_id.clone() }).await?;
        self.await_folded(&id).await;
        Ok(id)
    }

    /// Changes to the products the viewer reads that the viewer has not acknowledged, newest
    /// first (at most 50 per product).
    pub async fn notices(&self) -> Result<Vec<c::ChangeView>, ServiceError> {
        let reads = self.products_i_read().await?;
        let viewer = self.viewer().await;
        let mut out = Vec::new();
        for id in &reads {
            let Some(p) = self.store.product(id).await? else { continue };
            for r in self.store.product_changes(id, CHANGES_SHOWN).await? {
                let v = view(r, &p.product.title, true, viewer.as_deref(), vec![]);
                if !v.viewer_acknowledged {
                    out.push(v);
                }
            }
        }
        out.sort_by(|a, b| b.at_ms.cmp(&a.at_ms).then_with(|| a.event_id.cmp(&b.event_id)));
        Ok(out)
    }

    /// Announces (as [`crate::Notice::Change`]) changes to the products the viewer reads that
    /// arrived since the last look; nothing for what was there before the app started.
    pub async fn announce_product_changes(&self) {
        let Ok(notices) = self.notices().await else { return };
        let mut fresh = Vec::new();
        {
            let mut seen = self.changes_seen.lock().expect("changes_seen lock");
            let first = seen.is_none();
            let set = seen.get_or_insert_with(Default::default);
            for n in &notices {
                let key = format!("{}#{}", n.event_id, n.change.describe());
                if set.insert(key) && !first {
                    fresh.push(n.clone());
                }
            }
        }
        for n in fresh {
            let title = if n.change.needs_action() {
                format!("{}: action needed", n.product_title)
            } else {
                format!("{} changed", n.product_title)
            };
            self.notify(crate::Notice::Change { title, body: n.change.describe() });
        }
    }
}

fn view(r: ChangeRow, title: &str, reads: bool, viewer: Option<&str>, migrations: Vec<c::Migration>) -> c::ChangeView {
    c::ChangeView {
        viewer_acknowledged: viewer.is_some_and(|v| r.acknowledged_by.iter().any(|a| a == v)),
        event_id: r.event_id,
        product: r.product_id,
        product_title: title.to_owned(),
        at_ms: r.at_ms,
        by: r.by,
        change: r.change,
        acknowledged_by: r.acknowledged_by,
        viewer_reads: reads,
        migrations,
    }
}

/// Each grant as a reader, once per consumer group of its prefix (with its lag), or once
/// without a group when none reads yet; and the groups so claimed.
fn grant_readers(
    grants: &[meshdesk_store::AccessRow],
    groups: &[(String, String, i64)],
) -> (Vec<c::SubjectReader>, HashSet<String>) {
    let mut readers = Vec::new();
    let mut claimed = HashSet::new();
    for g in grants {
        let until_ms = match g.state {
            meshdesk_domain::access::RequestState::Approved { until_ms, .. } => Some(until_ms),
            _ => None,
        };
        let mine: Vec<&(String, String, i64)> =
            groups.iter().filter(|(group, _, _)| group.starts_with(&g.request.group_prefix)).collect();
        let row = |group: Option<String>, lag: Option<i64>| c::SubjectReader {
            kind: c::ReaderKind::Grant,
            who: g.request.consumer.as_str().to_owned(),
            domain: Some(g.request.requester_domain.as_str().to_owned()),
            group_prefix: Some(g.request.group_prefix.clone()),
            group,
            lag,
            until_ms,
        };
        if mine.is_empty() {
            readers.push(row(None, None));
        }
        for (group, _, lag) in mine {
            claimed.insert(group.clone());
            readers.push(row(Some(group.clone()), Some(*lag)));
        }
    }
    (readers, claimed)
}

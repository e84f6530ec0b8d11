//! The catalog beyond the list: search, the product page (live ports, lineage, health, masked
//! samples), and topics and subjects on the cluster that no product manages, with adoption.

use std::collections::{BTreeSet, HashSet};
use std::time::Instant;

use meshdesk_contract as c;
use meshdesk_domain::{
    CleanupPolicy, CompatibilityLevel, DataProduct, EventBody, OutputPort, Principal, ProductId, ProductStatus,
    SchemaFormat, SchemaRef, TopicName, policy, subject_for,
};
use meshdesk_store::{MARK_END, MARK_START, SearchQuery};

use crate::{Meshdesk, ServiceError, corrupt, invalid};

/// A highlighted snippet as parts: the store marks matches with private-use characters.
fn parts(marked: &str) -> Vec<c::TextPart> {
    let mut out = Vec::new();
    for (i, chunk) in marked.split(MARK_START).enumerate() {
        if i == 0 {
            if !chunk.is_empty() {
                out.push(c::TextPart { text: chunk.to_owned(), matched: false });
            }
            continue;
        }
        let (hit, rest) = chunk.split_once(MARK_END).unwrap_or((chunk, ""));
        out.push(c::TextPart { text: hit.to_owned(), matched: true });
        if !rest.is_empty() {
            out.push(c::TextPart { text: rest.to_owned(), matched: false });
        }
    }
    out
}

fn counts(v: Vec<(String, i64)>) -> Vec<c::FacetCount> {
    v.into_iter().map(|(value, count)| c::FacetCount { value, count }).collect()
}

/// A cached product row as the catalog shows it.
pub(crate) fn summary(r: meshdesk_store::ProductRow) -> Result<c::ProductSummary, ServiceError> {
    Ok(c::ProductSummary {
        classification: r.classification.parse().map_err(corrupt)?,
        status: r.status.parse().map_err(corrupt)?,
        id: r.id,
        domain: r.domain,
        title: r.title,
        description: r.description,
        owners: r.owners,
        version: r.version,
        tags: r.tags,
        topics: r.topics,
    })
}

fn node(r: meshdesk_store::ProductRef) -> c::LineageNode {
    c::LineageNode { id: r.id, title: r.title, domain: r.domain, known: true }
}

impl Meshdesk {
    /// Full-text search with facets over the cache; works offline.
    pub async fn search(&self, req: &c::SearchRequest) -> Result<c::SearchResponse, ServiceError> {
        let t = Instant::now();
        let r = self
            .store
            .search(&SearchQuery {
                text: req.text.clone(),
                domain: req.domain.clone(),
                classification: req.classification.clone(),
                status: req.status.clone(),
                tag: req.tag.clone(),
                has_pii: req.has_pii,
                breaks_policy: req.breaks_policy,
                limit: i64::from(req.limit.clamp(1, 500)),
            })
            .await?;
        let hits = r
            .hits
            .into_iter()
            .map(|h| {
                Ok(c::SearchHit {
                    product: summary(h.product)?,
                    has_pii: h.has_pii,
                    breaks_policy: h.breaks_policy,
                    highlights: h
                        .highlights
                        .into_iter()
                        .map(|(field, marked)| c::Highlight { field, parts: parts(&marked) })
                        .collect(),
                })
            })
            .collect::<Result<Vec<_>, ServiceError>>()?;
        let f = r.facets;
        Ok(c::SearchResponse {
            hits,
            total: r.total,
            facets: c::Facets {
                domain: counts(f.domain),
                classification: counts(f.classification),
                status: counts(f.status),
                tag: counts(f.tag),
                has_pii: counts(f.has_pii),
                breaks_policy: counts(f.breaks_policy),
            },
            took_us: t.elapsed().as_micros() as u64,
        })
    }

    pub(crate) async fn published(&self, id: &str) -> Result<meshdesk_store::PublishedProduct, ServiceError> {
        self.store.product(id).await?.ok_or_else(|| invalid(format!("product {id} is not in the catalog")))
    }

    /// The product page: the product as published, lineage from the cache, and each port as the
    /// cluster has it now (or why that is unknown: the rest of the page works offline).
    pub async fn product_detail(&self, id: &str) -> Result<c::ProductDetail, ServiceError> {
        let p = self.published(id).await?;
        let viewer = self.viewer().await;
        let viewer_is_owner = viewer.as_deref().is_some_and(|v| p.product.owners.iter().any(|o| o.as_str() == v));
        let upstream = self.upstream_of(&p.product).await?;
        let downstream = self.store.downstream_of(id).await?.into_iter().map(node).collect();
        let consumers = self.consumers_of(id).await?;
        let ports = self.ports_live(&p.product).await;
        let (readers, readers_note) = self.readers_of(&p.product).await?;
        let mut registry = Vec::new();
        for port in &p.product.output_ports {
            for s in port.value_schema.iter().chain(port.key_schema.iter()) {
                if let Some(v) = self.store.registry_versions(&s.subject).await?.pop() {
                    registry.push(crate::schemas::registry_view(&v));
                }
            }
        }
        let changes = self.product_changes(&p.product).await?;
        let registry_drops_contract = match self.connection().await {
            Ok(conn) if !conn.registry.keeps_contract() => Some(conn.registry.dialect().name().to_owned()),
            _ => None,
        };
        Ok(c::ProductDetail {
            changes,
            registry,
            registry_drops_contract,
            readers,
            readers_note,
            pii_paths: p.product.pii_paths(),
            product: p.product,
            published_at_ms: p.published_at_ms,
            published_by: p.published_by,
            viewer_is_owner,
            viewer,
            upstream,
            downstream,
            consumers,
            ports,
        })
    }

    /// The products a product reads from, as the catalog knows them (or only by id).
    async fn upstream_of(&self, p: &meshdesk_domain::DataProduct) -> Result<Vec<c::LineageNode>, ServiceError> {
        let inputs: Vec<String> = p.input_ports.iter().map(|i| i.as_str().to_owned()).collect();
        let known = self.store.product_refs(&inputs).await?;
        Ok(inputs
            .iter()
            .map(|i| match known.iter().find(|k| &k.id == i) {
                Some(k) => node(k.clone()),
                None => c::LineageNode {
                    id: i.clone(),
                    title: i.clone(),
                    domain: i.split('.').next().unwrap_or_default().to_owned(),
                    known: false,
                },
            })
            .collect())
    }

    /// Who holds a grant in force on the product now.
    async fn consumers_of(&self, id: &str) -> Result<Vec<c::Consumer>, ServiceError> {
        let now = crate::now_ms();
        Ok(self
            .store
            .access_requests_for(id)
            .await?
            .into_iter()
            .filter(|r| r.state.is_active(now))
            .map(|r| c::Consumer {
                principal: r.request.consumer.as_str().to_owned(),
                domain: r.request.requester_domain.as_str().to_owned(),
                since_ms: r.decided_at_ms.unwrap_or(r.updated_at_ms),
                until_ms: match r.state {
                    meshdesk_domain::access::RequestState::Approved { until_ms, .. } => Some(until_ms),
                    _ => None,
                },
            })
            .collect())
    }

    /// Each port's topic as the cluster has it now, or why that is unknown.
    async fn ports_live(&self, p: &meshdesk_domain::DataProduct) -> Vec<c::PortLive> {
        let admin = match self.connection().await {
            Ok(conn) => conn.admin().map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let mut ports = Vec::new();
        for port in &p.output_ports {
            let topic = port.topic.as_str().to_owned();
            let described = match &admin {
                Err(e) => Err(e.clone()),
                Ok(admin) => admin.describe_topic(&topic).await.map_err(|e| e.to_string()),
            };
            ports.push(match described {
                Ok(d) => c::PortLive {
                    topic,
                    partitions: Some(d.partitions.len() as i32),
                    configs: d
                        .configs
                        .into_iter()
                        .filter(|cv| !cv.is_sensitive)
                        .map(|cv| c::TopicConfigEntry {
                            set_on_topic: cv.source == "DynamicTopic",
                            name: cv.name,
                            value: cv.value,
                        })
                        .collect(),
                    error: None,
                },
                Err(e) => c::PortLive { topic, partitions: None, configs: vec![], error: Some(e) },
            });
        }
        ports
    }

    /// The last records of one port, decoded, with personal data masked unless this desktop's
    /// principal owns the product.
    pub async fn sample_product_port(&self, req: &c::PortSampleRequest) -> Result<c::PortSamples, ServiceError> {
        let p = self.published(&req.product).await?.product;
        if !p.output_ports.iter().any(|o| o.topic.as_str() == req.topic) {
            return Err(invalid(format!("{} is not an output port of {}", req.topic, req.product)));
        }
        let mut records = self.sample_unmasked(&req.topic, req.count as usize).await?;
        let (masked, masked_values) = self.mask_for_viewer(&p, &mut records).await;
        Ok(c::PortSamples { records, masked, masked_values })
    }

    /// Topics on the cluster and subjects in the registry that belong to no product. The
    /// cluster's topics are cached: when the cluster cannot be listed, the last list is used
    /// and the answer says since when.
    pub async fn list_unmanaged(&self) -> Result<c::Unmanaged, ServiceError> {
        let managed: HashSet<String> = self.store.managed_topics().await?.into_iter().map(|(t, _)| t).collect();
        let mut errors = Vec::new();
        let governance_topic = match self.connection().await {
            Ok(conn) => {
                let listed = async {
                    let admin = conn.admin()?;
                    admin.list_topics(false).await
                }
                .await;
                match listed {
                    Ok(list) => {
                        let topics: Vec<(String, i64)> =
                            list.into_iter().map(|t| (t.name, t.partitions as i64)).collect();
                        self.store.put_cluster_topics(&topics, crate::now_ms()).await?;
                    }
                    Err(e) => errors.push(format!("cluster: {e}")),
                }
                if let Err(e) = self.sync_registry().await {
                    errors.push(format!("registry: {e}"));
                }
                conn.governance_topic
            }
            Err(e) => {
                errors.push(e.to_string());
                meshdesk_domain::GOVERNANCE_TOPIC.to_owned()
            }
        };
        let cached = self.store.cluster_topics().await?;
        let topics_as_of_ms = cached.iter().map(|t| t.listed_at_ms).max();
        let subjects: BTreeSet<String> = self.store.registry_subjects().await?.into_iter().map(|s| s.subject).collect();
        let on_cluster: HashSet<&str> = cached.iter().map(|t| t.name.as_str()).collect();
        let topics = cached
            .iter()
            .filter(|t| !managed.contains(&t.name) && t.name != governance_topic && !t.name.starts_with('_'))
            .map(|t| c::UnmanagedTopic {
                topic: t.name.clone(),
                partitions: t.partitions as i32,
                value_subject: Some(format!("{}-value", t.name)).filter(|s| subjects.contains(s)),
                suggested_product: Some(t.name.clone()).filter(|id| ProductId::parse(id).is_ok()),
            })
            .collect();
        let subjects = subjects
            .into_iter()
            .filter(|s| {
                let topic = s.strip_suffix("-value").or_else(|| s.strip_suffix("-key"));
                topic.is_none_or(|t| !managed.contains(t) && !on_cluster.contains(t))
            })
            .collect();
        Ok(c::Unmanaged { topics, subjects, errors, topics_as_of_ms })
    }

    /// Adopts an existing topic: describes it as it is (partitions, replication, retention,
    /// cleanup policy, latest value schema and the subject's level) into a new product or a new
    /// port of an existing one, and publishes that. Nothing on the cluster is created or changed.
    pub async fn adopt_topic(&self, req: &c::AdoptRequest) -> Result<c::Adopted, ServiceError> {
        let (product, extended_existing) = self.adopted_product(req, true).await?;
        let id = product.id.as_str().to_owned();
        // As it is, the product must still pass what every fold checks: its policies too, except
        // on a port whose topic a governance admin let the domain adopt as it is.
        let previous = self.store.product(&id).await?.map(|p| p.product);
        let errors = policy::publication_errors(
            &product,
            previous.as_ref(),
            &self.rules_in_force().await?,
            &self.store.adopted_topics(product.domain.as_str()).await?,
        );
        if !errors.is_empty() {
            let needs: Vec<&str> = errors.iter().map(|f| f.message.as_str()).collect();
            return Err(invalid(format!(
                "adopting {} as it is still needs what every product needs: {}. Fill in what is missing, or document the topic in the wizard first.",
                req.topic,
                needs.join("; ")
            )));
        }
        let body = EventBody::ProductPublished(product);
        if let Some(why) = self.refusal(&body).await {
            return Err(invalid(why));
        }
        let event_id = self.publish(&body).await?;
        Ok(c::Adopted { product: id, event_id, extended_existing })
    }

    /// Adoption through the wizard: a draft holding the topic as it is, to document and check
    /// like any product before publishing (its topic step then finds the topic already there,
    /// and the registered schema gets its existing id).
    pub async fn adopt_in_wizard(&self, req: &c::AdoptRequest) -> Result<c::DraftState, ServiceError> {
        let (product, _) = self.adopted_product(req, false).await?;
        let draft = c::WizardDraft {
            id: format!("adopt-{}-{}", req.topic, crate::now_ms()),
            step: 1,
            product,
            new_domain: None,
        };
        self.save_draft(&draft).await
    }

    async fn adopted_product(
        &self,
        req: &c::AdoptRequest,
        require_title: bool,
    ) -> Result<(DataProduct, bool), ServiceError> {
        let topic = TopicName::parse(&req.topic).map_err(|e| invalid(e.to_string()))?;
        let id = ProductId::parse(&req.product).map_err(|e| invalid(e.to_string()))?;
        if let Some((_, owner)) = self.store.managed_topics().await?.into_iter().find(|(t, _)| t == topic.as_str()) {
            return Err(invalid(format!("{topic} already belongs to {owner}")));
        }
        let conn = self.connection().await?;
        let admin = conn.admin()?;
        let d = admin.describe_topic(topic.as_str()).await?;
        let config = |name: &str| d.configs.iter().find(|c| c.name == name).and_then(|c| c.value.clone());
        let retention_ms = config("retention.ms").and_then(|v| v.parse().ok()).unwrap_or(-1);
        let cleanup_policy = match config("cleanup.policy").as_deref() {
            Some("compact") => CleanupPolicy::Compact,
            Some(p) if p.contains("compact") && p.contains("delete") => CleanupPolicy::CompactDelete,
            _ => CleanupPolicy::Delete,
        };
        let subject = subject_for(&topic, false);
        let value_schema = match conn.registry.version(&subject, None).await {
            Ok(v) => Some(SchemaRef {
                format: v.schema_type.parse::<SchemaFormat>().unwrap_or(SchemaFormat::Avro),
                compatibility: conn.registry.compatibility(&subject).await.unwrap_or(CompatibilityLevel::Backward),
                subject,
                schema: v.schema,
                id: Some(v.id),
                version: Some(v.version),
            }),
            Err(meshdesk_registry::RegistryError::NotFound { .. }) => None,
            Err(e) => return Err(e.into()),
        };
        let port = OutputPort {
            topic: topic.clone(),
            description: format!("Adopted from the existing topic {topic}."),
            partitions: d.partitions.len() as i32,
            replication_factor: d.partitions.first().map(|p| p.replicas.len() as i32).unwrap_or(1),
            retention_ms,
            cleanup_policy,
            key_schema: None,
            value_schema,
            deprecation: None,
        };
        let existing = self.store.product(id.as_str()).await?;
        let extended_existing = existing.is_some();
        let product = match existing {
            Some(p) => {
                let mut p = p.product;
                p.output_ports.push(port);
                p
            }
            None => {
                if require_title && req.title.trim().is_empty() {
                    return Err(invalid("a new product needs a title"));
                }
                let mut owners = Vec::new();
                for o in &req.owners {
                    owners.push(Principal::parse(o.trim()).map_err(invalid)?);
                }
                if owners.is_empty() {
                    owners.push(Principal::parse(&conn.principal).map_err(invalid)?);
                }
                DataProduct {
                    domain: id.domain(),
                    id: id.clone(),
                    title: req.title.trim().to_owned(),
                    description: req.description.trim().to_owned(),
                    owners,
                    classification: req.classification,
                    tags: vec!["adopted".into()],
                    status: ProductStatus::Published,
                    version: "1.0.0".into(),
                    output_ports: vec![port],
                    input_ports: vec![],
                    sources: vec![],
                    sla: Default::default(),
                    contract: Default::default(),
                    sunset: None,
                }
            }
        };
        Ok((product, extended_existing))
    }
}

impl Meshdesk {
    pub async fn list_products(&self, q: &c::ProductQuery) -> Result<Vec<c::ProductSummary>, ServiceError> {
        self.store.list_products(q.text.as_deref()).await?.into_iter().map(summary).collect()
    }

    /// Every published product whole, for trying a rule against the catalog.
    pub async fn catalog_products(&self) -> Result<Vec<meshdesk_domain::DataProduct>, ServiceError> {
        Ok(self.store.published_products().await?)
    }

    pub async fn list_domains(&self) -> Result<Vec<c::DomainSummary>, ServiceError> {
        Ok(self
            .store
            .list_domains()
            .await?
            .into_iter()
            .map(|d| c::DomainSummary {
                id: d.id,
                name: d.name,
                description: d.description,
                owners: d.owners,
                contact: d.contact,
                product_count: d.product_count,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_snippets_become_parts() {
        let m = format!("the {MARK_START}quant{MARK_END}ity and {MARK_START}x{MARK_END}");
        let p = parts(&m);
        let shown: Vec<(bool, &str)> = p.iter().map(|p| (p.matched, p.text.as_str())).collect();
        assert_eq!(shown, [(false, "the "), (true, "quant"), (false, "ity and "), (true, "x")]);
    }
}

//! Who reads a product, for the lineage picture: declared (derived products and the stream
//! processors of other products that read it), granted (access grants in force, with their
//! group prefixes) and observed (consumer groups with offsets committed on its topics), combined
//! by `meshdesk_domain::lineage`.

use meshdesk_domain::DataProduct;
use meshdesk_domain::lineage::{GrantReader, Reader, readers};

use crate::{Meshdesk, ServiceError};

impl Meshdesk {
    /// The product's readers, and why the observed ones are missing when the cluster could not
    /// be asked.
    pub(crate) async fn readers_of(&self, p: &DataProduct) -> Result<(Vec<Reader>, Option<String>), ServiceError> {
        let me = p.id.as_str();
        let mut declared = Vec::new();
        for other in self.store.published_products().await? {
            let processors: Vec<_> =
                other.sources.iter().filter(|s| s.kind.is_processor() && s.reads.contains(&p.id)).collect();
            for s in &processors {
                declared.push(Reader {
                    label: format!("{} {}", s.kind.label(), s.name),
                    product: Some(other.id.as_str().to_owned()),
                    group: s.consumer_group(),
                    declared: true,
                    granted: false,
                    observed: false,
                    flagged: false,
                });
            }
            if processors.is_empty() && other.input_ports.contains(&p.id) {
                declared.push(Reader {
                    label: other.title.clone(),
                    product: Some(other.id.as_str().to_owned()),
                    group: None,
                    declared: true,
                    granted: false,
                    observed: false,
                    flagged: false,
                });
            }
        }
        let now = crate::now_ms();
        let grants: Vec<GrantReader> = self
            .store
            .access_requests_for(me)
            .await?
            .into_iter()
            .filter(|r| r.state.is_active(now))
            .map(|r| GrantReader {
                principal: r.request.consumer.as_str().to_owned(),
                group_prefix: r.request.group_prefix,
            })
            .collect();
        let (observed, note) = match self.observed_groups(p).await {
            Ok(groups) => (groups, None),
            Err(e) => (vec![], Some(format!("consumer groups could not be read: {e}"))),
        };
        let restricted = p.classification == meshdesk_domain::Classification::Restricted;
        Ok((readers(&declared, &grants, &observed, restricted), note))
    }

    /// Consumer groups with offsets committed on any of the product's topics.
    async fn observed_groups(&self, p: &DataProduct) -> Result<Vec<String>, ServiceError> {
        let topics: Vec<&str> = p.output_ports.iter().map(|o| o.topic.as_str()).collect();
        let mut out: Vec<String> = self.groups_on(&topics).await?.into_iter().map(|(group, _, _)| group).collect();
        out.dedup();
        Ok(out)
    }

    /// Consumer groups (not Meshdesk's own) with offsets on `topics`: (group, topic, lag).
    pub(crate) async fn groups_on(&self, topics: &[&str]) -> Result<Vec<(String, String, i64)>, ServiceError> {
        let conn = self.connection().await?;
        let mut out = Vec::new();
        for (group, parts) in crate::topics::groups_reading(&conn.kafka, topics).await? {
            // Meshdesk's own readers sample and measure; they are not readers of the product.
            if group.starts_with("meshdesk.") {
                continue;
            }
            for t in topics {
                let on: Vec<_> = parts.iter().filter(|p| p.topic == *t).collect();
                if !on.is_empty() {
                    out.push((group.clone(), (*t).to_owned(), on.iter().map(|p| p.lag.max(0)).sum()));
                }
            }
        }
        out.sort();
        Ok(out)
    }
}

//! Seeding the retail example: topics with their configs, Avro value schemas at their
//! compatibility level, and the governance events that publish the three domains and products.
//! Every step is idempotent, so an interrupted seed is simply run again.

use meshdesk_domain::seed::SeedSigners;
use meshdesk_domain::{DataProduct, GOVERNANCE_TOPIC, seed};
use meshdesk_kafka::{Admin, KafkaProfile, Producer, TopicOutcome, TopicSpec};
use meshdesk_registry::RegistryClient;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub at_ms: i64,
    pub topics_created: usize,
    pub schemas_registered: usize,
    pub events_published: usize,
}

/// The governance topic: one partition for a total order, records kept forever, as many replicas
/// as the cluster's default (one on the sandbox's single node, three on a three-node cluster).
pub fn governance_topic_spec() -> TopicSpec {
    TopicSpec {
        name: GOVERNANCE_TOPIC.to_owned(),
        partitions: 1,
        replication_factor: -1,
        configs: meshdesk_domain::events::GOVERNANCE_TOPIC_CONFIGS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// Publishes the admin's endorsements of the seed's principals only (a sandbox seeded before
/// events were signed).
pub async fn endorse(kafka: &KafkaProfile, signers: &SeedSigners, environment: &str) -> anyhow::Result<usize> {
    let at_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as i64;
    let producer = Producer::new(kafka)?;
    let events = seed::endorsements(signers, environment, at_ms);
    for e in &events {
        producer.send(GOVERNANCE_TOPIC, Some(e.id.as_bytes()), &e.to_bytes()).await?;
    }
    producer.flush()?;
    Ok(events.len())
}

pub async fn seed(
    kafka: &KafkaProfile,
    registry_url: &str,
    signers: &SeedSigners,
    environment: &str,
) -> anyhow::Result<SeedReport> {
    let admin = Admin::new(kafka)?;
    let registry = RegistryClient::new(registry_url, None)?;
    let at_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as i64;

    let mut products: Vec<DataProduct> = seed::products();
    let mut specs = vec![governance_topic_spec()];
    for p in &products {
        for port in &p.output_ports {
            specs.push(TopicSpec {
                name: port.topic.to_string(),
                partitions: port.partitions,
                replication_factor: port.replication_factor,
                configs: port.topic_configs().into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            });
        }
    }
    let mut topics_created = 0;
    for (name, outcome) in admin.create_topics(&specs).await? {
        match outcome {
            TopicOutcome::Created => topics_created += 1,
            TopicOutcome::AlreadyExists => {}
            TopicOutcome::Failed { reason } => anyhow::bail!("creating topic {name}: {reason}"),
        }
    }

    let mut schemas_registered = 0;
    let domains = seed::domains();
    for p in &mut products {
        let snapshot = p.clone();
        for port in &mut p.output_ports {
            if let Some(schema) = &mut port.value_schema {
                registry.set_compatibility(&schema.subject, schema.compatibility).await?;
                // The contract travels with the schema, as the wizard's plan registers it.
                let contact = domains.iter().find(|d| d.id == p.domain).map(|d| d.contact.as_str());
                let contract = meshdesk_domain::export::registry_contract(&snapshot, schema, contact);
                let id = registry
                    .register_with(
                        &schema.subject,
                        &schema.schema,
                        schema.format,
                        &[],
                        Some(&contract.metadata),
                        contract.rule_set.as_ref(),
                    )
                    .await?;
                let versions = registry.versions(&schema.subject).await?;
                schema.id = Some(id);
                schema.version = versions.last().copied();
                schemas_registered += 1;
            }
        }
    }

    let producer = Producer::new(kafka)?;
    let events = seed::signed_events(signers, &products, environment, at_ms);
    for e in &events {
        producer.send(GOVERNANCE_TOPIC, Some(e.id.as_bytes()), &e.to_bytes()).await?;
    }
    producer.flush()?;
    Ok(SeedReport { at_ms, topics_created, schemas_registered, events_published: events.len() })
}

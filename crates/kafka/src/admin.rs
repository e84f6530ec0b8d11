use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::error::RDKafkaErrorCode;

use crate::context::Capturing;
use crate::{KafkaError, KafkaProfile};

const TIMEOUT: Duration = Duration::from_secs(15);

/// A topic to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: i32,
    pub replication_factor: i32,
    pub configs: Vec<(String, String)>,
}

/// What happened to one topic of a batch: "already exists" is an outcome, not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopicOutcome {
    Created,
    AlreadyExists,
    Failed { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicInfo {
    pub name: String,
    pub partitions: usize,
    pub internal: bool,
}

/// Cluster administration.
pub struct Admin {
    client: AdminClient<Capturing>,
    ctx: Capturing,
}

impl Admin {
    pub fn new(profile: &KafkaProfile) -> Result<Self, KafkaError> {
        let ctx = Capturing::default();
        let client =
            profile.client_config().create_with_context(ctx.clone()).map_err(|e| KafkaError::from_rd(e, None))?;
        Ok(Self { client, ctx })
    }

    fn opts() -> AdminOptions {
        AdminOptions::new().request_timeout(Some(TIMEOUT)).operation_timeout(Some(TIMEOUT))
    }

    /// Creates topics; returns one outcome per spec, in order.
    pub async fn create_topics(&self, specs: &[TopicSpec]) -> Result<Vec<(String, TopicOutcome)>, KafkaError> {
        let new: Vec<NewTopic<'_>> = specs
            .iter()
            .map(|s| {
                let mut t = NewTopic::new(&s.name, s.partitions, TopicReplication::Fixed(s.replication_factor));
                for (k, v) in &s.configs {
                    t = t.set(k, v);
                }
                t
            })
            .collect();
        let results = self
            .client
            .create_topics(new.iter(), &Self::opts())
            .await
            .map_err(|e| KafkaError::from_rd(e, self.ctx.last_error()))?;
        Ok(results
            .into_iter()
            .map(|r| match r {
                Ok(name) => (name, TopicOutcome::Created),
                Err((name, RDKafkaErrorCode::TopicAlreadyExists)) => (name, TopicOutcome::AlreadyExists),
                Err((name, code)) => (name, TopicOutcome::Failed { reason: code.to_string() }),
            })
            .collect())
    }

    /// Lists topics; internal ones (starting with `_`) only when asked.
    pub async fn list_topics(&self, include_internal: bool) -> Result<Vec<TopicInfo>, KafkaError> {
        let client = self.client.inner();
        let md = tokio::task::block_in_place(|| client.fetch_metadata(None, TIMEOUT))
            .map_err(|e| KafkaError::from_rd(e, self.ctx.last_error()))?;
        let mut out: Vec<TopicInfo> = md
            .topics()
            .iter()
            .filter(|t| t.error().is_none())
            .map(|t| TopicInfo {
                name: t.name().to_owned(),
                partitions: t.partitions().len(),
                internal: t.name().starts_with('_'),
            })
            .filter(|t| include_internal || !t.internal)
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// A topic's configs as the broker reports them.
    pub async fn topic_configs(&self, topic: &str) -> Result<BTreeMap<String, String>, KafkaError> {
        let results = self
            .client
            .describe_configs([&ResourceSpecifier::Topic(topic)], &Self::opts())
            .await
            .map_err(|e| KafkaError::from_rd(e, self.ctx.last_error()))?;
        let mut out = BTreeMap::new();
        for r in results {
            let res = r.map_err(|code| KafkaError::Refused(format!("describe configs of {topic}: {code}")))?;
            for e in res.entries {
                if let Some(v) = e.value {
                    out.insert(e.name, v);
                }
            }
        }
        Ok(out)
    }
}

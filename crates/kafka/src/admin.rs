use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::error::RDKafkaErrorCode;

use crate::context::Capturing;
use crate::native::{self, Rk};
use crate::{AclBinding, AclFilter, AclOutcome, ClusterDescription, ConfigChange, KafkaError, KafkaProfile};

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

/// One partition of a described topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionInfo {
    pub id: i32,
    pub leader: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    pub low: i64,
    pub high: i64,
}

/// A config entry with where its value comes from, as the broker reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigValue {
    pub name: String,
    pub value: Option<String>,
    /// e.g. `DynamicTopic`, `Default`, `StaticBroker`.
    pub source: String,
    pub is_default: bool,
    pub is_sensitive: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicDescription {
    pub name: String,
    pub partitions: Vec<PartitionInfo>,
    pub configs: Vec<ConfigValue>,
}

/// Cluster administration.
pub struct Admin {
    client: Arc<AdminClient<Capturing>>,
    ctx: Capturing,
    profile: KafkaProfile,
}

impl Admin {
    pub fn new(profile: &KafkaProfile) -> Result<Self, KafkaError> {
        let ctx = Capturing::default();
        let client: AdminClient<Capturing> =
            profile.client_config().create_with_context(ctx.clone()).map_err(|e| KafkaError::from_rd(e, None))?;
        Ok(Self { client: Arc::new(client), ctx, profile: profile.clone() })
    }

    /// Runs a native (C API) admin call on a blocking thread, keeping the client alive.
    async fn native<T: Send + 'static>(
        &self,
        f: impl FnOnce(Rk) -> Result<T, KafkaError> + Send + 'static,
    ) -> Result<T, KafkaError> {
        let client = self.client.clone();
        let ctx = self.ctx.clone();
        tokio::task::spawn_blocking(move || {
            let r = f(Rk(client.inner().native_ptr()));
            drop(client);
            r.map_err(|e| match (e, ctx.last_error()) {
                (KafkaError::Unreachable(m), Some(r)) => KafkaError::Unreachable(format!("{m} ({r})")),
                (e, _) => e,
            })
        })
        .await
        .map_err(|e| KafkaError::Unreachable(format!("admin task failed: {e}")))?
    }

    /// The cluster's id, controller and brokers.
    pub async fn describe_cluster(&self) -> Result<ClusterDescription, KafkaError> {
        self.native(|rk| native::describe_cluster(rk, TIMEOUT)).await
    }

    /// Changes topic configs with IncrementalAlterConfigs (only the named entries change).
    pub async fn alter_topic_configs(&self, topic: &str, changes: &[ConfigChange]) -> Result<(), KafkaError> {
        let (topic, changes) = (topic.to_owned(), changes.to_vec());
        self.native(move |rk| native::alter_topic_configs(rk, &topic, &changes, TIMEOUT)).await
    }

    /// Sets each user's SCRAM-SHA-256 and SCRAM-SHA-512 credentials (creating the user);
    /// one result per user, in order.
    pub async fn upsert_scram_users(
        &self,
        users: &[(String, String)],
    ) -> Result<Vec<(String, Result<(), KafkaError>)>, KafkaError> {
        let users = users.to_vec();
        self.native(move |rk| native::upsert_scram_users(rk, &users, TIMEOUT)).await
    }

    /// Creates ACL bindings; one outcome per binding, in order.
    pub async fn create_acls(&self, acls: &[AclBinding]) -> Result<Vec<AclOutcome<()>>, KafkaError> {
        let acls = acls.to_vec();
        self.native(move |rk| native::create_acls(rk, &acls, TIMEOUT)).await
    }

    /// The bindings matching `filter`.
    pub async fn describe_acls(&self, filter: &AclFilter) -> Result<AclOutcome<Vec<AclBinding>>, KafkaError> {
        let filter = filter.clone();
        self.native(move |rk| native::describe_acls(rk, &filter, TIMEOUT)).await
    }

    /// Deletes the bindings matching each filter; per filter, the bindings deleted.
    pub async fn delete_acls(&self, filters: &[AclFilter]) -> Result<Vec<AclOutcome<Vec<AclBinding>>>, KafkaError> {
        let filters = filters.to_vec();
        self.native(move |rk| native::delete_acls(rk, &filters, TIMEOUT)).await
    }

    /// Deletes topics; one outcome per name (an unknown topic is a failure with its reason).
    pub async fn delete_topics(&self, names: &[&str]) -> Result<Vec<(String, Result<(), KafkaError>)>, KafkaError> {
        let results = self
            .client
            .delete_topics(names, &Self::opts())
            .await
            .map_err(|e| KafkaError::from_rd(e, self.ctx.last_error()))?;
        Ok(results
            .into_iter()
            .map(|r| match r {
                Ok(name) => (name, Ok(())),
                Err((name, code)) => (name, Err(KafkaError::Refused(code.to_string()))),
            })
            .collect())
    }

    /// Partitions (leader, replicas, in-sync replicas, watermarks) and configs with their source.
    pub async fn describe_topic(&self, topic: &str) -> Result<TopicDescription, KafkaError> {
        let client = self.client.clone();
        let name = topic.to_owned();
        let ctx = self.ctx.clone();
        let mut partitions = tokio::task::spawn_blocking(move || -> Result<Vec<PartitionInfo>, KafkaError> {
            let md = client
                .inner()
                .fetch_metadata(Some(&name), TIMEOUT)
                .map_err(|e| KafkaError::from_rd(e, ctx.last_error()))?;
            let t = md.topics().first().ok_or_else(|| KafkaError::Refused(format!("topic {name} not found")))?;
            if let Some(e) = t.error() {
                return Err(KafkaError::Refused(format!("topic {name}: {}", RDKafkaErrorCode::from(e))));
            }
            Ok(t.partitions()
                .iter()
                .map(|p| PartitionInfo {
                    id: p.id(),
                    leader: p.leader(),
                    replicas: p.replicas().to_vec(),
                    isr: p.isr().to_vec(),
                    low: 0,
                    high: 0,
                })
                .collect())
        })
        .await
        .map_err(|e| KafkaError::Unreachable(format!("admin task failed: {e}")))??;
        for p in &mut partitions {
            let w = crate::watermarks(&self.profile, topic, p.id).await?;
            (p.low, p.high) = (w.low, w.high);
        }
        partitions.sort_by_key(|p| p.id);
        let results = self
            .client
            .describe_configs([&ResourceSpecifier::Topic(topic)], &Self::opts())
            .await
            .map_err(|e| KafkaError::from_rd(e, self.ctx.last_error()))?;
        let mut configs = Vec::new();
        for r in results {
            let res = r.map_err(|code| KafkaError::Refused(format!("describe configs of {topic}: {code}")))?;
            configs.extend(res.entries.into_iter().map(|e| ConfigValue {
                name: e.name,
                value: e.value,
                source: format!("{:?}", e.source),
                is_default: e.is_default,
                is_sensitive: e.is_sensitive,
            }));
        }
        configs.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(TopicDescription { name: topic.to_owned(), partitions, configs })
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

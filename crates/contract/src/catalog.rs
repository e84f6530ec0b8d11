//! The catalog: products, domains, search, a product's page, health, samples and adoption of unmanaged topics.

use serde::{Deserialize, Serialize};

use crate::*;

/// A filter on the list of products.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductQuery {
    /// Case-insensitive filter on id, title, description, tags and topics.
    pub text: Option<String>,
}

/// A product as the catalog lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSummary {
    /// The product's id, `<domain>.<name>`.
    pub id: String,
    /// The owning domain's id.
    pub domain: String,
    /// The title for people.
    pub title: String,
    /// What the product holds.
    pub description: String,
    /// The owners' principals.
    pub owners: Vec<String>,
    /// How sensitive its data is.
    pub classification: Classification,
    /// Draft, published or deprecated.
    pub status: ProductStatus,
    /// The published version.
    pub version: String,
    /// Free tags.
    pub tags: Vec<String>,
    /// The topics of its output ports.
    pub topics: Vec<String>,
}

/// A domain as the catalog lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSummary {
    /// The domain's id.
    pub id: String,
    /// Its name for people.
    pub name: String,
    /// What the domain covers.
    pub description: String,
    /// The owners' principals.
    pub owners: Vec<String>,
    /// How to reach the owners.
    pub contact: String,
    /// How many products it has.
    pub product_count: i64,
}

/// A catalog search: words (each matched as a prefix, all required) and facet filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// The words to find.
    pub text: Option<String>,
    /// Only this domain's products.
    pub domain: Option<String>,
    /// Only products of this classification.
    pub classification: Option<String>,
    /// Only products of this status.
    pub status: Option<String>,
    /// Only products with this tag.
    pub tag: Option<String>,
    /// Only products with (or without) personal data.
    pub has_pii: Option<bool>,
    /// Only products that break a policy in force (or only those that meet every one).
    #[serde(default)]
    pub breaks_policy: Option<bool>,
    /// How many hits to return (the counts cover all of them).
    pub limit: u32,
}

/// A piece of a highlighted text: matched words are `matched`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextPart {
    /// The text of this piece.
    pub text: String,
    /// Whether it matched a search word.
    pub matched: bool,
}

/// Where a hit matched: the field ("title", "fields", "docs", ...) and the text around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Highlight {
    /// The field that matched.
    pub field: String,
    /// The text around the match, in pieces.
    pub parts: Vec<TextPart>,
}

/// One product found by a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    /// The product found.
    pub product: ProductSummary,
    /// Whether its schemas carry personal data.
    pub has_pii: bool,
    /// Breaks a policy in force (built-in or published; errors or warnings).
    #[serde(default)]
    pub breaks_policy: bool,
    /// Where it matched.
    pub highlights: Vec<Highlight>,
}

/// A facet value and how many hits have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    /// The facet value.
    pub value: String,
    /// How many hits have it.
    pub count: i64,
}

/// The counts of a search's hits by facet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    /// By domain.
    pub domain: Vec<FacetCount>,
    /// By classification.
    pub classification: Vec<FacetCount>,
    /// By status.
    pub status: Vec<FacetCount>,
    /// By tag.
    pub tag: Vec<FacetCount>,
    /// "yes" / "no".
    pub has_pii: Vec<FacetCount>,
    /// "yes" / "no".
    #[serde(default)]
    pub breaks_policy: Vec<FacetCount>,
}

/// A search's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResponse {
    /// The hits, at most the request's `limit`.
    pub hits: Vec<SearchHit>,
    /// How many products matched in all.
    pub total: i64,
    /// The counts by facet, over all matches.
    pub facets: Facets,
    /// Time spent in the backend's search, for the status line.
    pub took_us: u64,
}

/// Names a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRequest {
    /// The product's id.
    pub id: String,
}

/// A topic's configuration as the cluster reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicConfigEntry {
    /// The config's name, e.g. `retention.ms`.
    pub name: String,
    /// Its value, when the cluster reports one.
    pub value: Option<String>,
    /// Whether it was set on the topic (not a broker default).
    pub set_on_topic: bool,
}

/// A port as the cluster has it now, or why that is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortLive {
    /// The port's topic.
    pub topic: String,
    /// Its partition count on the cluster.
    pub partitions: Option<i32>,
    /// Its configuration on the cluster.
    pub configs: Vec<TopicConfigEntry>,
    /// Why the cluster could not be asked, or that the topic does not exist.
    pub error: Option<String>,
}

/// Someone with access to the product (from grants).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consumer {
    /// The consumer principal.
    pub principal: String,
    /// The domain that asked for the access.
    pub domain: String,
    /// When the access began, in ms since the epoch.
    pub since_ms: i64,
    /// When it ends; `None`: no end.
    pub until_ms: Option<i64>,
}

/// A product linked to this one in the lineage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineageNode {
    /// The product's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its domain.
    pub domain: String,
    /// Whether it is in the catalog (an input port can name a product not yet synced).
    pub known: bool,
}

/// A product's page: the product, who reads it, its lineage, its ports on the cluster and in the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDetail {
    /// The product as published.
    pub product: DataProduct,
    /// When its latest version was published, in ms since the epoch.
    pub published_at_ms: i64,
    /// Who published it.
    pub published_by: String,
    /// Whether the current user's principal owns the product (samples are unmasked then).
    pub viewer_is_owner: bool,
    /// This desktop's principal; `None` without an identity.
    pub viewer: Option<String>,
    /// The schema field paths that carry personal data.
    pub pii_paths: Vec<String>,
    /// Products this one names as input ports.
    pub upstream: Vec<LineageNode>,
    /// Products that name this one as an input port.
    pub downstream: Vec<LineageNode>,
    /// Principals with active access; empty until grants exist.
    pub consumers: Vec<Consumer>,
    /// Who reads it, and how that is known (declared, granted, observed).
    pub readers: Vec<meshdesk_domain::lineage::Reader>,
    /// Why observed readers are missing (the cluster could not be asked).
    pub readers_note: Option<String>,
    /// Each output port as the cluster has it now.
    pub ports: Vec<PortLive>,
    /// The contract as the Schema Registry holds it with each port's latest schema (from the
    /// cache), so what serializers enforce can be compared with what the contract says.
    #[serde(default)]
    pub registry: Vec<RegistryContractView>,
    /// The registry's kind for people ("Apicurio Registry") when it does not keep a version's
    /// contract (`metadata`, `ruleSet`): the contract then lives only in the catalog, and
    /// serializers enforce none of its rules.
    #[serde(default)]
    pub registry_drops_contract: Option<String>,
    /// What publications changed for readers, newest first, with each reader's migration.
    #[serde(default)]
    pub changes: Vec<crate::ChangeView>,
}

/// One subject's latest version's `metadata` and `ruleSet`, read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryContractView {
    /// The subject.
    pub subject: String,
    /// Its latest version.
    pub version: u32,
    /// `metadata.properties`, sorted by name.
    pub properties: Vec<(String, String)>,
    /// Field paths tagged `PII` in `metadata.tags`.
    pub pii: Vec<String>,
    /// `ruleSet.domainRules`.
    pub rules: Vec<RegistryRuleView>,
}

/// One rule of a subject's `ruleSet.domainRules`, as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryRuleView {
    /// The rule's name.
    pub name: String,
    /// Its description.
    pub doc: String,
    /// `CEL`, `CEL_FIELD`, `JSONATA`, ...
    pub rule_type: String,
    /// When it runs: `WRITE`, `READ`, `WRITEREAD`, ...
    pub mode: String,
    /// The rule's expression.
    pub expr: String,
    /// What a serializer does when it fails, e.g. `ERROR`.
    pub on_failure: String,
}

/// One output port's health: its metrics and the contract's rules on its newest records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortHealth {
    /// The port's topic.
    pub topic: String,
    /// `None` when the metrics could not be read (with `error`).
    pub metrics: Option<TopicMetrics>,
    /// The verdict against the product's SLA.
    pub health: Health,
    /// Why the metrics could not be read.
    pub error: Option<String>,
    /// The contract's record rules on the newest records (`sampled` of them, decoded).
    #[serde(default)]
    pub rules: Vec<meshdesk_domain::live_quality::RuleTally>,
    /// How many of the newest records were decoded and checked.
    #[serde(default)]
    pub sampled: u32,
}

/// A product's health: each port's, and the worst.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductHealth {
    /// The product's id.
    pub product: String,
    /// The worst of the ports.
    pub level: HealthLevel,
    /// Each output port's health.
    pub ports: Vec<PortHealth>,
    /// The SLA's freshness bound, if the product has one.
    pub freshness_sla_ms: Option<i64>,
}

/// Asks for the newest records of one of a product's ports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortSampleRequest {
    /// The product's id.
    pub product: String,
    /// The port's topic.
    pub topic: String,
    /// How many records, at most.
    pub count: u32,
}

/// Records of a product's port, masked for a viewer who does not own it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortSamples {
    /// The records.
    pub records: Vec<SampleRecord>,
    /// Whether personal data was masked (the viewer does not own the product).
    pub masked: bool,
    /// How many values were masked.
    pub masked_values: usize,
}

/// A topic or subject on the cluster that belongs to no product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmanagedTopic {
    /// The topic's name.
    pub topic: String,
    /// Its partition count.
    pub partitions: i32,
    /// The subject `<topic>-value` if the registry has it.
    pub value_subject: Option<String>,
    /// The product id the topic's name suggests, when it is a valid one (`<domain>.<name>`).
    pub suggested_product: Option<String>,
}

/// What is on the cluster and in the registry that no product describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmanaged {
    /// Topics that belong to no product.
    pub topics: Vec<UnmanagedTopic>,
    /// Subjects whose topic is neither managed nor on the cluster.
    pub subjects: Vec<String>,
    /// Why the cluster or registry could not be listed (the lists are then from the cache).
    pub errors: Vec<String>,
    /// When the cluster's topics were last listed (ms since the epoch); `None` if never.
    pub topics_as_of_ms: Option<i64>,
}

/// Adopt an existing topic into a new product, or as a new port of an existing one. The topic
/// is described as it is (partitions, configs, latest value schema); nothing on the cluster
/// changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdoptRequest {
    /// The topic to adopt.
    pub topic: String,
    /// The product it joins: a new one or an existing one.
    pub product: String,
    /// For a new product; ignored when `product` exists.
    pub title: String,
    /// For a new product: what it holds.
    pub description: String,
    /// For a new product: its classification.
    pub classification: Classification,
    /// For a new product: its owners' principals.
    pub owners: Vec<String>,
}

/// What adopting a topic did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adopted {
    /// The product the topic joined.
    pub product: String,
    /// The governance event that published it.
    pub event_id: String,
    /// Whether the product existed and got a new port.
    pub extended_existing: bool,
}

/// The UI reports that the catalog was painted for the first time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstPaint {
    /// How many products were on the first paint.
    pub products: u32,
}

/// The backend's answer to the first paint report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartupTiming {
    /// From the process's start to the first catalog paint (the first report only).
    pub ms_since_process_start: u64,
}

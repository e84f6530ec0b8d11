//! The catalog: products, domains, search, a product's page, health, samples and adoption of unmanaged topics.

use serde::{Deserialize, Serialize};

use crate::*;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductQuery {
    /// Case-insensitive filter on id, title, description, tags and topics.
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSummary {
    pub id: String,
    pub domain: String,
    pub title: String,
    pub description: String,
    pub owners: Vec<String>,
    pub classification: Classification,
    pub status: ProductStatus,
    pub version: String,
    pub tags: Vec<String>,
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSummary {
    pub id: String,
    pub name: String,
    pub description: String,
    pub owners: Vec<String>,
    pub contact: String,
    pub product_count: i64,
}

/// A catalog search: words (each matched as a prefix, all required) and facet filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    pub text: Option<String>,
    pub domain: Option<String>,
    pub classification: Option<String>,
    pub status: Option<String>,
    pub tag: Option<String>,
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
    pub text: String,
    pub matched: bool,
}

/// Where a hit matched: the field ("title", "fields", "docs", ...) and the text around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Highlight {
    pub field: String,
    pub parts: Vec<TextPart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub product: ProductSummary,
    pub has_pii: bool,
    /// Breaks a policy in force (built-in or published; errors or warnings).
    #[serde(default)]
    pub breaks_policy: bool,
    pub highlights: Vec<Highlight>,
}

/// A facet value and how many hits have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    pub value: String,
    pub count: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    pub domain: Vec<FacetCount>,
    pub classification: Vec<FacetCount>,
    pub status: Vec<FacetCount>,
    pub tag: Vec<FacetCount>,
    /// "yes" / "no".
    pub has_pii: Vec<FacetCount>,
    /// "yes" / "no".
    #[serde(default)]
    pub breaks_policy: Vec<FacetCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResponse {
    pub hits: Vec<SearchHit>,
    pub total: i64,
    pub facets: Facets,
    /// Time spent in the backend's search, for the status line.
    pub took_us: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRequest {
    pub id: String,
}

/// A topic's configuration as the cluster reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicConfigEntry {
    pub name: String,
    pub value: Option<String>,
    /// Whether it was set on the topic (not a broker default).
    pub set_on_topic: bool,
}

/// A port as the cluster has it now, or why that is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortLive {
    pub topic: String,
    pub partitions: Option<i32>,
    pub configs: Vec<TopicConfigEntry>,
    /// Why the cluster could not be asked, or that the topic does not exist.
    pub error: Option<String>,
}

/// Someone with access to the product (from grants).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consumer {
    pub principal: String,
    pub domain: String,
    pub since_ms: i64,
    pub until_ms: Option<i64>,
}

/// A product linked to this one in the lineage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineageNode {
    pub id: String,
    pub title: String,
    pub domain: String,
    /// Whether it is in the catalog (an input port can name a product not yet synced).
    pub known: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub product: DataProduct,
    pub published_at_ms: i64,
    pub published_by: String,
    /// Whether the current user's principal owns the product (samples are unmasked then).
    pub viewer_is_owner: bool,
    pub viewer: Option<String>,
    pub pii_paths: Vec<String>,
    pub upstream: Vec<LineageNode>,
    /// Products that name this one as an input port.
    pub downstream: Vec<LineageNode>,
    /// Principals with active access; empty until grants exist.
    pub consumers: Vec<Consumer>,
    /// Who reads it, and how that is known (declared, granted, observed).
    pub readers: Vec<meshdesk_domain::lineage::Reader>,
    /// Why observed readers are missing (the cluster could not be asked).
    pub readers_note: Option<String>,
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
    pub subject: String,
    pub version: u32,
    /// `metadata.properties`, sorted by name.
    pub properties: Vec<(String, String)>,
    /// Field paths tagged `PII` in `metadata.tags`.
    pub pii: Vec<String>,
    /// `ruleSet.domainRules`.
    pub rules: Vec<RegistryRuleView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryRuleView {
    pub name: String,
    pub doc: String,
    /// `CEL`, `CEL_FIELD`, `JSONATA`, ...
    pub rule_type: String,
    pub mode: String,
    pub expr: String,
    pub on_failure: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortHealth {
    pub topic: String,
    /// `None` when the metrics could not be read (with `error`).
    pub metrics: Option<TopicMetrics>,
    pub health: Health,
    pub error: Option<String>,
    /// The contract's record rules on the newest records (`sampled` of them, decoded).
    #[serde(default)]
    pub rules: Vec<meshdesk_domain::live_quality::RuleTally>,
    #[serde(default)]
    pub sampled: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductHealth {
    pub product: String,
    /// The worst of the ports.
    pub level: HealthLevel,
    pub ports: Vec<PortHealth>,
    pub freshness_sla_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortSampleRequest {
    pub product: String,
    pub topic: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortSamples {
    pub records: Vec<SampleRecord>,
    /// Whether personal data was masked (the viewer does not own the product).
    pub masked: bool,
    pub masked_values: usize,
}

/// A topic or subject on the cluster that belongs to no product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmanagedTopic {
    pub topic: String,
    pub partitions: i32,
    /// The subject `<topic>-value` if the registry has it.
    pub value_subject: Option<String>,
    /// The product id the topic's name suggests, when it is a valid one (`<domain>.<name>`).
    pub suggested_product: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmanaged {
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
    pub topic: String,
    pub product: String,
    /// For a new product; ignored when `product` exists.
    pub title: String,
    pub description: String,
    pub classification: Classification,
    pub owners: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adopted {
    pub product: String,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartupTiming {
    /// From the process's start to the first catalog paint (the first report only).
    pub ms_since_process_start: u64,
}

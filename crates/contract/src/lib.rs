//! The typed IPC contract between the UI (wasm32) and the desktop backend (native).
//!
//! Each command is a type implementing [`Command`]: its name, its request and its response.
//! The UI calls `ipc::call::<C>(request)`; the backend registers a `#[tauri::command]` with the
//! same name taking one argument, [`ARG`]. Errors cross as [`IpcError`]. This crate does no IO.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use meshdesk_domain::health::{Health, HealthLevel};
pub use meshdesk_domain::{Classification, CompatibilityLevel, DataProduct, ProductStatus, SchemaFormat};

mod trust;
pub use trust::*;

/// The name of the single argument every command takes.
pub const ARG: &str = "req";

/// One IPC command: its name on the wire and its typed request and response.
pub trait Command {
    const NAME: &'static str;
    type Request: Serialize + DeserializeOwned;
    type Response: Serialize + DeserializeOwned;
}

/// An error as it crosses IPC: a message for people, and a code only where the UI branches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpcError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    pub message: String,
}

impl IpcError {
    pub fn new(message: impl Into<String>) -> Self {
        Self { code: None, message: message.into() }
    }
    pub fn with_code(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code: Some(code), message: message.into() }
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for IpcError {}

/// Codes the UI branches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The backend is still starting (sandbox booting, cache opening): retry shortly.
    NotReady,
}

/// A request with no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoArgs {}

/// Backend events the UI listens to (Tauri events; payload `()` unless stated).
pub mod events {
    /// The cache applied new governance events: catalog pages should reload.
    pub const CATALOG_CHANGED: &str = "catalog-changed";
    /// The environment's reachability or the sandbox's state changed.
    pub const STATUS_CHANGED: &str = "status-changed";
    /// An access request arrived or was decided (a desktop notification was shown too).
    pub const ACCESS_CHANGED: &str = "access-changed";
}

// ---------------------------------------------------------------------------------------------
// Environment status

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeState {
    Starting,
    Up,
    Down,
}

/// Whether one endpoint answered, and why not if it did not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    pub state: ProbeState,
    /// For people: "3 topics, 1 broker" or "connection refused at 127.0.0.1:9092".
    pub detail: String,
    pub latency_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvironmentKind {
    /// The embedded local sandbox.
    Sandbox,
    /// A cluster described by a config file.
    Cluster,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncInfo {
    /// Events applied from the governance log so far (its next offset).
    pub next_offset: i64,
    /// Milliseconds since the epoch of the last successful sync.
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentStatus {
    pub name: String,
    pub kind: EnvironmentKind,
    pub bootstrap_servers: String,
    pub registry_url: String,
    pub broker: Probe,
    pub registry: Probe,
    pub last_sync: Option<SyncInfo>,
    /// The last error of the background sync, if the last attempt failed.
    pub sync_error: Option<String>,
    /// Governance events written here and not yet acknowledged by the cluster.
    pub pending_writes: i64,
    /// Writes the cluster refused for good, waiting for their author: retry or discard.
    #[serde(default)]
    pub parked_writes: Vec<ParkedWrite>,
    /// Why the local cache was rebuilt from the governance log, if it was (another cluster, a
    /// truncated or re-created log).
    #[serde(default)]
    pub cache_notice: Option<String>,
    /// Why the oldest pending write has not gone out yet, if an attempt failed.
    pub pending_error: Option<String>,
}

pub struct GetEnvironmentStatus;
impl Command for GetEnvironmentStatus {
    const NAME: &'static str = "environment_status";
    type Request = NoArgs;
    type Response = EnvironmentStatus;
}

// ---------------------------------------------------------------------------------------------
// Catalog

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

pub struct ListProducts;
impl Command for ListProducts {
    const NAME: &'static str = "list_products";
    type Request = ProductQuery;
    type Response = Vec<ProductSummary>;
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

pub struct ListDomains;
impl Command for ListDomains {
    const NAME: &'static str = "list_domains";
    type Request = NoArgs;
    type Response = Vec<DomainSummary>;
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResponse {
    pub hits: Vec<SearchHit>,
    pub total: i64,
    pub facets: Facets,
    /// Time spent in the backend's search, for the status line.
    pub took_us: u64,
}

pub struct SearchCatalog;
impl Command for SearchCatalog {
    const NAME: &'static str = "search_catalog";
    type Request = SearchRequest;
    type Response = SearchResponse;
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
    pub ports: Vec<PortLive>,
}

pub struct GetProduct;
impl Command for GetProduct {
    const NAME: &'static str = "get_product";
    type Request = ProductRequest;
    type Response = ProductDetail;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortHealth {
    pub topic: String,
    /// `None` when the metrics could not be read (with `error`).
    pub metrics: Option<TopicMetrics>,
    pub health: Health,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductHealth {
    pub product: String,
    /// The worst of the ports.
    pub level: HealthLevel,
    pub ports: Vec<PortHealth>,
    pub freshness_sla_ms: Option<i64>,
}

pub struct GetProductHealth;
impl Command for GetProductHealth {
    const NAME: &'static str = "product_health";
    type Request = ProductRequest;
    type Response = ProductHealth;
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

pub struct SampleProductPort;
impl Command for SampleProductPort {
    const NAME: &'static str = "sample_product_port";
    type Request = PortSampleRequest;
    type Response = PortSamples;
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

pub struct ListUnmanaged;
impl Command for ListUnmanaged {
    const NAME: &'static str = "list_unmanaged";
    type Request = NoArgs;
    type Response = Unmanaged;
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

/// Adoption through the wizard: a draft of the product the topic would join.
pub struct AdoptInWizard;
impl Command for AdoptInWizard {
    const NAME: &'static str = "adopt_in_wizard";
    type Request = AdoptRequest;
    type Response = DraftState;
}

pub struct AdoptTopic;
impl Command for AdoptTopic {
    const NAME: &'static str = "adopt_topic";
    type Request = AdoptRequest;
    type Response = Adopted;
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

pub struct ReportFirstPaint;
impl Command for ReportFirstPaint {
    const NAME: &'static str = "report_first_paint";
    type Request = FirstPaint;
    type Response = StartupTiming;
}

// ---------------------------------------------------------------------------------------------
// Access requests

pub use meshdesk_domain::access::{AccessRequest, AclBinding, Decision, ReconcileAction, RequestState};

/// What a requester fills in on a product page. The plan it implies is
/// `meshdesk_domain::access::grant_plan`, shown before sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequestForm {
    pub product: String,
    pub ports: Vec<String>,
    /// The principal that will consume, e.g. `User:sales-app`.
    pub consumer: String,
    /// One of the domains the current user owns.
    pub requester_domain: String,
    /// Defaults to `<requester_domain>.`.
    pub group_prefix: Option<String>,
    pub purpose: String,
    /// Defaults to 90 days.
    pub days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSent {
    pub request_id: String,
    pub event_id: String,
    pub plan: Vec<AclBinding>,
    /// In the sandbox, for a consumer principal that had no Kafka user yet: the user made for
    /// it. The password is shown this once and kept in this machine's keyring.
    pub consumer_login: Option<ConsumerLogin>,
}

/// A consumer principal's new sandbox login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerLogin {
    pub principal: String,
    /// The SASL/PLAIN user name.
    pub user: String,
    pub password: String,
    /// The keyring entry that keeps it (`meshctl secret` name).
    pub keyring_entry: String,
}

pub struct RequestAccess;
impl Command for RequestAccess {
    const NAME: &'static str = "request_access";
    type Request = AccessRequestForm;
    type Response = RequestSent;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecideRequest {
    pub request_id: String,
    pub decision: Decision,
}

/// The result of applying a grant's ACLs on the cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantResult {
    /// `applied`, `removed` or `not_applied`.
    pub status: String,
    /// Why not, for people (e.g. the cluster has no authorizer: SECURITY_DISABLED).
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decided {
    pub event_id: String,
    /// The request's state after the decision.
    pub state: String,
    /// For an approval that took effect or a revocation: what the cluster made of the ACLs.
    pub grant: Option<GrantResult>,
    /// The bindings this decision created (an approval) or deleted (a revocation), for people.
    pub acls: Vec<String>,
}

/// What the cluster itself says about a request's consumer: the bindings DescribeAcls returns
/// for the principal, and whether they let it read what it asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterAccess {
    /// Every binding the cluster has for the consumer principal, for people.
    pub bindings: Vec<String>,
    /// Every binding of the grant's plan is on the cluster.
    pub can_read: bool,
    /// "can read" / "cannot read yet: …" for people.
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRef {
    pub request_id: String,
}

pub struct GetClusterAccess;
impl Command for GetClusterAccess {
    const NAME: &'static str = "cluster_access";
    type Request = RequestRef;
    type Response = ClusterAccess;
}

pub struct DecideAccess;
impl Command for DecideAccess {
    const NAME: &'static str = "decide_access";
    type Request = DecideRequest;
    type Response = Decided;
}

/// One request as a queue shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessView {
    pub request: AccessRequest,
    pub requested_by: String,
    pub requested_at_ms: i64,
    pub state: RequestState,
    /// Approved and not past its end.
    pub active: bool,
    /// Approved but past its end.
    pub expired: bool,
    pub product_title: String,
    pub classification: Classification,
    pub has_pii: bool,
    pub plan: Vec<AclBinding>,
    pub grant: Option<GrantResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessOverview {
    pub viewer: Option<String>,
    /// Domains whose owners include the viewer.
    pub my_domains: Vec<String>,
    /// Requests for products of my domains.
    pub incoming: Vec<AccessView>,
    /// Requests I made.
    pub outgoing: Vec<AccessView>,
}

pub struct ProductAccess;
impl Command for ProductAccess {
    const NAME: &'static str = "product_access";
    type Request = ProductRequest;
    type Response = Vec<AccessView>;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditExport {
    /// Where the CSV was written.
    pub path: String,
    pub rows: usize,
}

pub struct ExportAudit;
impl Command for ExportAudit {
    const NAME: &'static str = "export_audit";
    type Request = NoArgs;
    type Response = AuditExport;
}

pub struct ListAccess;
impl Command for ListAccess {
    const NAME: &'static str = "list_access";
    type Request = NoArgs;
    type Response = AccessOverview;
}

// ---------------------------------------------------------------------------------------------
// The onboarding wizard

pub use meshdesk_domain::policy::{Finding, Severity};
pub use meshdesk_domain::{Domain, plan::Step};

/// What the wizard edits; saved on every change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardDraft {
    pub id: String,
    /// The wizard step the owner is on (0 = domain … 7 = publish).
    pub step: u32,
    pub product: DataProduct,
    /// Set when the owner registers a new domain in step 1.
    pub new_domain: Option<Domain>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanStepView {
    pub description: String,
    /// `done`, `failed` or `pending`.
    pub state: String,
    /// What the step did (`created`, `already there`, schema id, the cluster's refusal, ...).
    pub result: Option<String>,
}

/// A draft with its publication state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftState {
    pub draft: WizardDraft,
    /// `editing`, `publishing`, `failed` or `published`.
    pub status: String,
    pub steps: Vec<PlanStepView>,
    pub last_error: Option<String>,
    pub updated_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftRequest {
    pub id: String,
}

/// The backend's verdict on a draft: the policies' findings (with the cluster's topics for
/// collisions) and the plan publishing would apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftCheck {
    pub findings: Vec<Finding>,
    pub blocks: bool,
    pub plan: Vec<String>,
}

pub struct SaveDraft;
impl Command for SaveDraft {
    const NAME: &'static str = "save_draft";
    type Request = WizardDraft;
    type Response = DraftState;
}

pub struct GetDraft;
impl Command for GetDraft {
    const NAME: &'static str = "get_draft";
    type Request = DraftRequest;
    type Response = DraftState;
}

pub struct ListDrafts;
impl Command for ListDrafts {
    const NAME: &'static str = "list_drafts";
    type Request = NoArgs;
    type Response = Vec<DraftState>;
}

pub struct CheckDraft;
impl Command for CheckDraft {
    const NAME: &'static str = "check_draft";
    type Request = WizardDraft;
    type Response = DraftCheck;
}

/// Applies the draft's plan from the first unfinished step (publish, or resume after a failure).
pub struct PublishDraft;
impl Command for PublishDraft {
    const NAME: &'static str = "publish_draft";
    type Request = DraftRequest;
    type Response = DraftState;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRequest {
    pub id: String,
    /// `odcs` or `asyncapi`.
    pub format: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exported {
    /// Where the file was saved; `None` when the save dialog was cancelled.
    pub path: Option<String>,
}

pub struct EditProduct;
impl Command for EditProduct {
    const NAME: &'static str = "edit_product";
    type Request = ProductRequest;
    type Response = DraftState;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeprecateRequest {
    pub id: String,
    /// YYYY-MM-DD.
    pub sunset: String,
}

pub struct DeprecateProduct;
impl Command for DeprecateProduct {
    const NAME: &'static str = "deprecate_product";
    type Request = DeprecateRequest;
    /// The governance event's id.
    type Response = String;
}

/// Saves an export through the system's save dialog.
pub struct ExportProduct;
impl Command for ExportProduct {
    const NAME: &'static str = "export_product";
    type Request = ExportRequest;
    type Response = Exported;
}

// ---------------------------------------------------------------------------------------------
// Sync

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    pub applied: u64,
    pub skipped: u64,
    pub next_offset: i64,
}

pub struct SyncNow;
impl Command for SyncNow {
    const NAME: &'static str = "sync_now";
    type Request = NoArgs;
    type Response = SyncReport;
}

// ---------------------------------------------------------------------------------------------
// Settings

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub cache_path: String,
    /// Where the environment came from: "embedded sandbox" or the config file's path.
    pub environment_source: String,
    pub governance_topic: String,
    /// librdkafka properties in effect, secrets masked.
    pub kafka_properties: Vec<(String, String)>,
}

pub struct GetAppInfo;
impl Command for GetAppInfo {
    const NAME: &'static str = "app_info";
    type Request = NoArgs;
    type Response = AppInfo;
}

// ---------------------------------------------------------------------------------------------
// Topics: live metrics and samples

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicRequest {
    pub topic: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatePoint {
    pub at_ms: i64,
    pub per_sec: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupLag {
    pub group: String,
    /// Records written but not yet committed by the group, over all partitions.
    pub lag: i64,
    pub partitions: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicMetrics {
    pub topic: String,
    /// Records per second over the last `window_secs` (from end-offset deltas); `None` until
    /// two snapshots exist.
    pub records_per_sec: Option<f64>,
    pub window_secs: u32,
    pub series: Vec<RatePoint>,
    pub end_offset: i64,
    /// Milliseconds since the newest record's timestamp; `None` for an empty topic.
    pub newest_record_age_ms: Option<i64>,
    pub consumer_lag: Vec<GroupLag>,
}

pub struct GetTopicMetrics;
impl Command for GetTopicMetrics {
    const NAME: &'static str = "topic_metrics";
    type Request = TopicRequest;
    type Response = TopicMetrics;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleRequest {
    pub topic: String,
    pub count: u32,
}

/// A record's value as shown: decoded through the registry, or raw when it is not in the
/// Confluent wire format (or its format cannot be decoded here), never dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SampleValue {
    Decoded { schema_id: u32, format: String, json: serde_json::Value },
    Raw { schema_id: Option<u32>, text: Option<String>, hex: String, note: String },
    Null,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleRecord {
    pub partition: i32,
    pub offset: i64,
    pub timestamp_ms: Option<i64>,
    pub key: Option<String>,
    pub value: SampleValue,
}

pub struct SampleTopic;
impl Command for SampleTopic {
    const NAME: &'static str = "sample_topic";
    type Request = SampleRequest;
    type Response = Vec<SampleRecord>;
}

// ---------------------------------------------------------------------------------------------
// Schemas

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectSummary {
    pub subject: String,
    pub versions: u32,
    pub latest_version: u32,
    pub latest_id: u32,
    pub schema_type: String,
}

pub struct ListSubjects;
impl Command for ListSubjects {
    const NAME: &'static str = "list_subjects";
    type Request = NoArgs;
    type Response = Vec<SubjectSummary>;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectRequest {
    pub subject: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaVersionView {
    pub version: u32,
    pub id: u32,
    pub schema_type: String,
    pub schema: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectDetail {
    pub subject: String,
    /// The subject's compatibility level (its own, or the registry's global one); `None` when
    /// the registry could not be asked, with the reason in `level_note`.
    pub level: Option<CompatibilityLevel>,
    pub level_note: Option<String>,
    /// Oldest first.
    pub versions: Vec<SchemaVersionView>,
}

pub struct GetSubject;
impl Command for GetSubject {
    const NAME: &'static str = "get_subject";
    type Request = SubjectRequest;
    type Response = SubjectDetail;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRequest {
    pub subject: String,
    pub schema: String,
    pub format: SchemaFormat,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registered {
    pub id: u32,
    pub version: u32,
}

pub struct RegisterSchema;
impl Command for RegisterSchema {
    const NAME: &'static str = "register_schema";
    type Request = RegisterRequest;
    type Response = Registered;
}

/// A write the cluster refused for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedWrite {
    pub event_id: String,
    /// The event's type, e.g. `ProductPublished`.
    pub kind: String,
    pub reason: String,
    pub parked_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedAction {
    pub event_id: String,
    /// `true`: send it again (after the cause was fixed); `false`: discard it for good.
    pub retry: bool,
}

pub struct SettleParkedWrite;
impl Command for SettleParkedWrite {
    const NAME: &'static str = "settle_parked_write";
    type Request = ParkedAction;
    type Response = NoArgs;
}

/// Every command's name, for the backend's registration check.
pub const COMMAND_NAMES: &[&str] = &[
    GetEnvironmentStatus::NAME,
    ListProducts::NAME,
    ListDomains::NAME,
    SyncNow::NAME,
    GetAppInfo::NAME,
    GetTopicMetrics::NAME,
    SampleTopic::NAME,
    ListSubjects::NAME,
    GetSubject::NAME,
    RegisterSchema::NAME,
    SearchCatalog::NAME,
    GetProduct::NAME,
    GetProductHealth::NAME,
    SampleProductPort::NAME,
    ListUnmanaged::NAME,
    AdoptTopic::NAME,
    ReportFirstPaint::NAME,
    RequestAccess::NAME,
    DecideAccess::NAME,
    ListAccess::NAME,
    ProductAccess::NAME,
    ExportAudit::NAME,
    SaveDraft::NAME,
    GetDraft::NAME,
    ListDrafts::NAME,
    CheckDraft::NAME,
    PublishDraft::NAME,
    ExportProduct::NAME,
    EditProduct::NAME,
    DeprecateProduct::NAME,
    AdoptInWizard::NAME,
    GetIdentity::NAME,
    CreateMyKey::NAME,
    RequestEnrollment::NAME,
    GetTrust::NAME,
    DecideTrust::NAME,
    StoreSecret::NAME,
    GetClusterAccess::NAME,
    SettleParkedWrite::NAME,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_a_code_only_when_set() {
        let plain = serde_json::to_value(IpcError::new("boom")).unwrap();
        assert_eq!(plain, serde_json::json!({"message": "boom"}));
        let coded = serde_json::to_value(IpcError::with_code(ErrorCode::NotReady, "starting")).unwrap();
        assert_eq!(coded, serde_json::json!({"code": "not_ready", "message": "starting"}));
        let back: IpcError = serde_json::from_value(serde_json::json!({"message": "x"})).unwrap();
        assert_eq!(back.code, None);
    }

    #[test]
    fn command_names_are_unique() {
        let mut names = COMMAND_NAMES.to_vec();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), COMMAND_NAMES.len());
    }
}

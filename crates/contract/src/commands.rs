//! Every IPC command, declared once, as `Type = name(Request) -> Response;`. From this list come
//! each command's type (so the window's typed call, `ipc::call::<Type>`), [`COMMAND_NAMES`](crate::COMMAND_NAMES),
//! and, through [`with_commands!`](crate::with_commands), the backend's Tauri handlers and their
//! registration. `service` commands are answered by the service (`meshdesk_service::Handle`);
//! `app` commands by the app shell itself (a save dialog, the window's start-up figure,
//! switching the service).

/// Hands the list of commands to `$callback!` (a macro taking `service { .. } app { .. }`).
#[macro_export]
macro_rules! with_commands {
    ($callback:ident) => {
        $callback! {
            service {
                // status
                /// The environment's endpoints, sync and pending writes, for the top bar.
                GetEnvironmentStatus = environment_status(NoArgs) -> EnvironmentStatus;
                /// Reads the governance log now instead of waiting for the background sync.
                SyncNow = sync_now(NoArgs) -> SyncReport;
                /// What the Settings page shows about this app.
                GetAppInfo = app_info(NoArgs) -> AppInfo;
                /// Retries or discards a write the cluster refused for good.
                SettleParkedWrite = settle_parked_write(ParkedAction) -> NoArgs;
                // catalog
                /// The catalog's products, filtered.
                ListProducts = list_products(ProductQuery) -> Vec<ProductSummary>;
                /// Every published product whole (ports, schemas, contract): what a rule written on the Policies
                /// page is tried against, in the window.
                CatalogProducts = catalog_products(NoArgs) -> Vec<DataProduct>;
                /// Every domain with its product count.
                ListDomains = list_domains(NoArgs) -> Vec<DomainSummary>;
                /// Searches the catalog, with the counts by facet.
                SearchCatalog = search_catalog(SearchRequest) -> SearchResponse;
                /// A product's page.
                GetProduct = get_product(ProductRequest) -> ProductDetail;
                /// A product's health: each port's metrics and record rules against its SLA.
                GetProductHealth = product_health(ProductRequest) -> ProductHealth;
                /// The newest records of a product's port, masked unless the viewer owns it.
                SampleProductPort = sample_product_port(PortSampleRequest) -> PortSamples;
                /// The topics and subjects that belong to no product.
                ListUnmanaged = list_unmanaged(NoArgs) -> Unmanaged;
                /// Adoption through the wizard: a draft of the product the topic would join.
                AdoptInWizard = adopt_in_wizard(AdoptRequest) -> DraftState;
                /// Adopts an existing topic into a new product or as a new port of an existing one.
                AdoptTopic = adopt_topic(AdoptRequest) -> Adopted;
                // topics
                /// A topic's live rate, end offset and consumer lag.
                GetTopicMetrics = topic_metrics(TopicRequest) -> TopicMetrics;
                /// The newest records of a topic.
                SampleTopic = sample_topic(SampleRequest) -> Vec<SampleRecord>;
                // schemas
                /// The registry's subjects.
                ListSubjects = list_subjects(NoArgs) -> Vec<SubjectSummary>;
                /// A subject with its compatibility level and every version.
                GetSubject = get_subject(SubjectRequest) -> SubjectDetail;
                /// Registers a schema under a subject.
                RegisterSchema = register_schema(RegisterRequest) -> Registered;
                /// Soft-deletes one version of a subject (the registry refuses while others reference it);
                /// answers the version deleted.
                DeleteSchemaVersion = delete_schema_version(DeleteVersionRequest) -> u32;
                // access
                /// Sends an access request to a product's owners.
                RequestAccess = request_access(AccessRequestForm) -> RequestSent;
                /// What the cluster itself says about a request's consumer.
                GetClusterAccess = cluster_access(RequestRef) -> ClusterAccess;
                /// Approves, denies or revokes an access request.
                DecideAccess = decide_access(DecideRequest) -> Decided;
                /// The access requests for one product.
                ProductAccess = product_access(ProductRequest) -> Vec<AccessView>;
                /// The Access page: requests to decide and requests made.
                ListAccess = list_access(NoArgs) -> AccessOverview;
                // wizard
                /// Saves a wizard draft.
                SaveDraft = save_draft(WizardDraft) -> DraftState;
                /// A draft with its publication state.
                GetDraft = get_draft(DraftRequest) -> DraftState;
                /// Every draft.
                ListDrafts = list_drafts(NoArgs) -> Vec<DraftState>;
                /// Discards a draft that is not being published (nothing on the cluster is touched).
                DiscardDraft = discard_draft(DraftRequest) -> NoArgs;
                /// Checks a draft against the policies and shows the plan publishing would apply.
                CheckDraft = check_draft(WizardDraft) -> DraftCheck;
                /// Applies the draft's plan from the first unfinished step (publish, or resume after a failure).
                PublishDraft = publish_draft(DraftRequest) -> DraftState;
                /// Opens a published product as a new draft.
                EditProduct = edit_product(ProductRequest) -> DraftState;
                /// Deprecates a product; answers the governance event's id.
                DeprecateProduct = deprecate_product(DeprecateRequest) -> String;
                /// Makes a draft from an ODCS or AsyncAPI document.
                ImportDraft = import_draft(ImportRequest) -> ImportedDraft;
                // trust
                /// This desktop's principal, key and standing.
                GetIdentity = get_identity(NoArgs) -> Identity;
                /// Makes this desktop's signing key.
                CreateMyKey = create_my_key(NoArgs) -> Identity;
                /// Asks the admins to endorse this desktop's key.
                RequestEnrollment = request_enrollment(EnrollmentRequest) -> Identity;
                /// Answers the event's id.
                DecideTrust = decide_trust(TrustAction) -> String;
                /// Answers where it was stored, for people ("kernel keyutils", "Secret Service").
                StoreSecret = store_secret(SecretForm) -> String;
                /// The Trust page.
                GetTrust = get_trust(NoArgs) -> TrustOverview;
                /// How many of the log's records the fold applied, refused, skipped, found duplicated
                /// or could not read.
                GetAuditSummary = audit_summary(NoArgs) -> AuditSummary;
                // policies
                /// The published rules and whose rules this desktop may publish.
                GetPolicies = get_policies(NoArgs) -> PolicyOverview;
                /// Publishes a rule (or a new version of it); answers with the overview after this desktop's
                /// fold took it in.
                PublishPolicy = publish_policy(Rule) -> PolicyOverview;
                /// Withdraws a published rule; answers with the overview after the fold took it in.
                WithdrawPolicy = withdraw_policy(WithdrawRule) -> PolicyOverview;
                /// Every publication and withdrawal of one rule.
                GetPolicyHistory = get_policy_history(RuleRef) -> Vec<PolicyEvent>;
                // changes
                /// Acknowledges a change; answers the acknowledgement's event id.
                AcknowledgeChange = acknowledge_change(AcknowledgeRequest) -> String;
                /// Who reads a subject's topic, for the impact panel.
                GetSubjectReaders = get_subject_readers(ReadersRequest) -> SubjectReaders;
                /// Changes to the products I read that I have not acknowledged, newest first.
                GetNotices = get_notices(NoArgs) -> Vec<ChangeView>;
                // promote
                /// The environments this app knows.
                ListEnvironments = list_environments(NoArgs) -> Vec<KnownEnvironment>;
                /// Adds an environment file (checked: it must load); answers with the list.
                AddEnvironment = add_environment(EnvironmentFile) -> Vec<KnownEnvironment>;
                /// Forgets an environment file; answers with the list.
                RemoveEnvironment = remove_environment(EnvironmentFile) -> Vec<KnownEnvironment>;
                /// Where a product exists among the known environments, and at which version.
                ProductEnvironments = product_environments(ProductRef) -> Vec<ProductPresence>;
                /// What promoting a product to a target environment would do.
                ReviewPromotion = review_promotion(PromotionRequest) -> Promotion;
                /// Applies the reviewed promotion; answers with the target's draft and its journal.
                Promote = promote(PromotionRequest) -> $crate::DraftState;
            }
            app {
                /// The window reports its first catalog paint; answers the start-up time.
                ReportFirstPaint = report_first_paint(FirstPaint) -> StartupTiming;
                /// Saves the access audit as CSV through the system's save dialog.
                ExportAudit = export_audit(NoArgs) -> AuditExport;
                /// Saves an export through the system's save dialog.
                ExportProduct = export_product(ExportRequest) -> Exported;
                /// Switches the window to another known environment; answers with the list, the new one current.
                SwitchEnvironment = switch_environment(EnvironmentChoice) -> Vec<KnownEnvironment>;
            }
        }
    };
}

/// Declares each command's type.
macro_rules! declare {
    (
        service { $($(#[$m:meta])* $ty:ident = $name:ident($req:ty) -> $resp:ty;)* }
        app { $($(#[$am:meta])* $aty:ident = $aname:ident($areq:ty) -> $aresp:ty;)* }
    ) => {
        $(
            $(#[$m])*
            pub struct $ty;
            impl $crate::Command for $ty {
                const NAME: &'static str = stringify!($name);
                type Request = $req;
                type Response = $resp;
            }
        )*
        $(
            $(#[$am])*
            pub struct $aty;
            impl $crate::Command for $aty {
                const NAME: &'static str = stringify!($aname);
                type Request = $areq;
                type Response = $aresp;
            }
        )*
        /// Every command's name.
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name),)* $(stringify!($aname),)*];
    };
}

use crate::*;
with_commands!(declare);

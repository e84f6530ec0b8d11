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
                GetEnvironmentStatus = environment_status(NoArgs) -> EnvironmentStatus;
                SyncNow = sync_now(NoArgs) -> SyncReport;
                GetAppInfo = app_info(NoArgs) -> AppInfo;
                SettleParkedWrite = settle_parked_write(ParkedAction) -> NoArgs;
                // catalog
                ListProducts = list_products(ProductQuery) -> Vec<ProductSummary>;
                /// Every published product whole (ports, schemas, contract): what a rule written on the Policies
                /// page is tried against, in the window.
                CatalogProducts = catalog_products(NoArgs) -> Vec<DataProduct>;
                ListDomains = list_domains(NoArgs) -> Vec<DomainSummary>;
                SearchCatalog = search_catalog(SearchRequest) -> SearchResponse;
                GetProduct = get_product(ProductRequest) -> ProductDetail;
                GetProductHealth = product_health(ProductRequest) -> ProductHealth;
                SampleProductPort = sample_product_port(PortSampleRequest) -> PortSamples;
                ListUnmanaged = list_unmanaged(NoArgs) -> Unmanaged;
                /// Adoption through the wizard: a draft of the product the topic would join.
                AdoptInWizard = adopt_in_wizard(AdoptRequest) -> DraftState;
                AdoptTopic = adopt_topic(AdoptRequest) -> Adopted;
                // topics
                GetTopicMetrics = topic_metrics(TopicRequest) -> TopicMetrics;
                SampleTopic = sample_topic(SampleRequest) -> Vec<SampleRecord>;
                // schemas
                ListSubjects = list_subjects(NoArgs) -> Vec<SubjectSummary>;
                GetSubject = get_subject(SubjectRequest) -> SubjectDetail;
                RegisterSchema = register_schema(RegisterRequest) -> Registered;
                /// Soft-deletes one version of a subject (the registry refuses while others reference it);
                /// answers the version deleted.
                DeleteSchemaVersion = delete_schema_version(DeleteVersionRequest) -> u32;
                // access
                RequestAccess = request_access(AccessRequestForm) -> RequestSent;
                GetClusterAccess = cluster_access(RequestRef) -> ClusterAccess;
                DecideAccess = decide_access(DecideRequest) -> Decided;
                ProductAccess = product_access(ProductRequest) -> Vec<AccessView>;
                ListAccess = list_access(NoArgs) -> AccessOverview;
                // wizard
                SaveDraft = save_draft(WizardDraft) -> DraftState;
                GetDraft = get_draft(DraftRequest) -> DraftState;
                ListDrafts = list_drafts(NoArgs) -> Vec<DraftState>;
                /// Discards a draft that is not being published (nothing on the cluster is touched).
                DiscardDraft = discard_draft(DraftRequest) -> NoArgs;
                CheckDraft = check_draft(WizardDraft) -> DraftCheck;
                /// Applies the draft's plan from the first unfinished step (publish, or resume after a failure).
                PublishDraft = publish_draft(DraftRequest) -> DraftState;
                EditProduct = edit_product(ProductRequest) -> DraftState;
                /// Deprecates a product; answers the governance event's id.
                DeprecateProduct = deprecate_product(DeprecateRequest) -> String;
                ImportDraft = import_draft(ImportRequest) -> ImportedDraft;
                // trust
                GetIdentity = get_identity(NoArgs) -> Identity;
                CreateMyKey = create_my_key(NoArgs) -> Identity;
                RequestEnrollment = request_enrollment(EnrollmentRequest) -> Identity;
                /// Answers the event's id.
                DecideTrust = decide_trust(TrustAction) -> String;
                /// Answers where it was stored, for people ("kernel keyutils", "Secret Service").
                StoreSecret = store_secret(SecretForm) -> String;
                GetTrust = get_trust(NoArgs) -> TrustOverview;
                /// How many of the log's records the fold applied, refused, skipped, found duplicated
                /// or could not read.
                GetAuditSummary = audit_summary(NoArgs) -> AuditSummary;
                // policies
                GetPolicies = get_policies(NoArgs) -> PolicyOverview;
                /// Publishes a rule (or a new version of it); answers with the overview after this desktop's
                /// fold took it in.
                PublishPolicy = publish_policy(Rule) -> PolicyOverview;
                WithdrawPolicy = withdraw_policy(WithdrawRule) -> PolicyOverview;
                GetPolicyHistory = get_policy_history(RuleRef) -> Vec<PolicyEvent>;
                // changes
                /// Acknowledges a change; answers the acknowledgement's event id.
                AcknowledgeChange = acknowledge_change(AcknowledgeRequest) -> String;
                GetSubjectReaders = get_subject_readers(ReadersRequest) -> SubjectReaders;
                /// Changes to the products I read that I have not acknowledged, newest first.
                GetNotices = get_notices(NoArgs) -> Vec<ChangeView>;
                // promote
                ListEnvironments = list_environments(NoArgs) -> Vec<KnownEnvironment>;
                /// Adds an environment file (checked: it must load); answers with the list.
                AddEnvironment = add_environment(EnvironmentFile) -> Vec<KnownEnvironment>;
                RemoveEnvironment = remove_environment(EnvironmentFile) -> Vec<KnownEnvironment>;
                ProductEnvironments = product_environments(ProductRef) -> Vec<ProductPresence>;
                ReviewPromotion = review_promotion(PromotionRequest) -> Promotion;
                /// Applies the reviewed promotion; answers with the target's draft and its journal.
                Promote = promote(PromotionRequest) -> $crate::DraftState;
            }
            app {
                ReportFirstPaint = report_first_paint(FirstPaint) -> StartupTiming;
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

//! The service's answer to each IPC command the contract declares (`meshdesk_contract::with_commands!`'s
//! `service` list): `Handle<C>` for every such `C`, one line each, calling the method that does
//! the work. The desktop's Tauri handlers are generated from the same list and call these.

use std::future::Future;

use meshdesk_contract::{self as c, Command};

use crate::{Meshdesk, ServiceError};

/// Answers command `C`.
pub trait Handle<C: Command> {
    fn handle(&self, req: C::Request) -> impl Future<Output = Result<C::Response, ServiceError>> + Send;
}

macro_rules! handle {
    ($($ty:ident($me:ident, $req:ident) => $body:expr,)*) => {
        $(
            impl Handle<c::$ty> for Meshdesk {
                #[allow(clippy::manual_async_fn)]
                fn handle(&self, $req: <c::$ty as Command>::Request) -> impl Future<Output = Result<<c::$ty as Command>::Response, ServiceError>> + Send {
                    let $me = self;
                    async move { $body }
                }
            }
        )*
    };
}

handle! {
    GetEnvironmentStatus(me, _req) => Ok(me.environment_status().await),
    SyncNow(me, _req) => me.sync().await,
    GetAppInfo(me, _req) => Ok(me.app_info().await),
    SettleParkedWrite(me, req) => {
            me.settle_parked_write(&req).await?;
            Ok(c::NoArgs {})
        },
    ListProducts(me, req) => me.list_products(&req).await,
    CatalogProducts(me, _req) => me.catalog_products().await,
    ListDomains(me, _req) => me.list_domains().await,
    SearchCatalog(me, req) => me.search(&req).await,
    GetProduct(me, req) => me.product_detail(&req.id).await,
    GetProductHealth(me, req) => me.product_health(&req.id).await,
    SampleProductPort(me, req) => me.sample_product_port(&req).await,
    ListUnmanaged(me, _req) => me.list_unmanaged().await,
    AdoptInWizard(me, req) => me.adopt_in_wizard(&req).await,
    AdoptTopic(me, req) => me.adopt_topic(&req).await,
    GetTopicMetrics(me, req) => me.topic_metrics(&req.topic).await,
    SampleTopic(me, req) => me.sample_topic(&req.topic, req.count as usize).await,
    ListSubjects(me, _req) => me.list_subjects().await,
    GetSubject(me, req) => me.subject_detail(&req.subject).await,
    RegisterSchema(me, req) => me.register_schema(&req).await,
    DeleteSchemaVersion(me, req) => me.delete_schema_version(&req).await,
    RequestAccess(me, req) => me.request_access(&req).await,
    GetClusterAccess(me, req) => me.cluster_access(&req.request_id).await,
    DecideAccess(me, req) => me.decide_access(&req).await,
    ProductAccess(me, req) => me.product_access(&req.id).await,
    ListAccess(me, _req) => me.list_access().await,
    SaveDraft(me, req) => me.save_draft(&req).await,
    GetDraft(me, req) => me.get_draft(&req.id).await,
    ListDrafts(me, _req) => me.list_drafts().await,
    DiscardDraft(me, req) => {
            me.discard_draft(&req.id).await?;
            Ok(c::NoArgs {})
        },
    CheckDraft(me, req) => me.check_draft(&req).await,
    PublishDraft(me, req) => me.publish_draft(&req.id).await,
    EditProduct(me, req) => me.edit_product(&req.id).await,
    DeprecateProduct(me, req) => me.deprecate_product(&req.id, &req.sunset).await,
    ImportDraft(me, req) => me.import_draft(&req.text).await,
    GetIdentity(me, _req) => me.identity().await,
    CreateMyKey(me, _req) => me.create_my_key().await,
    RequestEnrollment(me, req) => me.request_enrollment(&req).await,
    DecideTrust(me, req) => me.decide_trust(&req).await,
    StoreSecret(me, req) => me.store_secret(&req),
    GetTrust(me, _req) => me.trust_overview().await,
    GetAuditSummary(me, _req) => me.audit_summary().await,
    GetPolicies(me, _req) => me.policies().await,
    PublishPolicy(me, req) => me.publish_policy(&req).await,
    WithdrawPolicy(me, req) => me.withdraw_policy(&req).await,
    GetPolicyHistory(me, req) => me.policy_history(&req).await,
    GetSubjectReaders(me, req) => me.subject_readers(&req.subject).await,
    AcknowledgeChange(me, req) => me.acknowledge_change(&req).await,
    GetNotices(me, _req) => me.notices().await,
    ListEnvironments(me, _req) => me.environments().await,
    AddEnvironment(me, req) => me.add_environment(&req).await,
    RemoveEnvironment(me, req) => me.remove_environment(&req).await,
    ProductEnvironments(me, req) => me.product_environments(&req).await,
    ReviewPromotion(me, req) => me.review_promotion(&req).await,
    Promote(me, req) => me.promote_to(&req).await,
}

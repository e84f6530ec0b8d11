//! The IPC surface: one thin function per contract command, each calling one service method.
//! Names and argument (`req`) follow `meshdesk_contract`.

use meshdesk_contract as c;
use tauri::State;

use crate::AppState;

type Reply<T> = Result<T, c::IpcError>;

#[tauri::command]
pub async fn environment_status(state: State<'_, AppState>, req: c::NoArgs) -> Reply<c::EnvironmentStatus> {
    let _ = req;
    Ok(state.service()?.environment_status().await)
}

#[tauri::command]
pub async fn list_products(state: State<'_, AppState>, req: c::ProductQuery) -> Reply<Vec<c::ProductSummary>> {
    Ok(state.service()?.list_products(&req).await?)
}

#[tauri::command]
pub async fn list_domains(state: State<'_, AppState>, req: c::NoArgs) -> Reply<Vec<c::DomainSummary>> {
    let _ = req;
    Ok(state.service()?.list_domains().await?)
}

#[tauri::command]
pub async fn catalog_products(state: State<'_, AppState>, req: c::NoArgs) -> Reply<Vec<c::DataProduct>> {
    let _ = req;
    Ok(state.service()?.catalog_products().await?)
}

#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>, req: c::NoArgs) -> Reply<c::SyncReport> {
    let _ = req;
    Ok(state.service()?.sync().await?)
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>, req: c::NoArgs) -> Reply<c::AppInfo> {
    let _ = req;
    Ok(state.service()?.app_info().await)
}

#[tauri::command]
pub async fn topic_metrics(state: State<'_, AppState>, req: c::TopicRequest) -> Reply<c::TopicMetrics> {
    Ok(state.service()?.topic_metrics(&req.topic).await?)
}

#[tauri::command]
pub async fn sample_topic(state: State<'_, AppState>, req: c::SampleRequest) -> Reply<Vec<c::SampleRecord>> {
    Ok(state.service()?.sample_topic(&req.topic, req.count as usize).await?)
}

#[tauri::command]
pub async fn list_subjects(state: State<'_, AppState>, req: c::NoArgs) -> Reply<Vec<c::SubjectSummary>> {
    let _ = req;
    Ok(state.service()?.list_subjects().await?)
}

#[tauri::command]
pub async fn get_subject(state: State<'_, AppState>, req: c::SubjectRequest) -> Reply<c::SubjectDetail> {
    Ok(state.service()?.subject_detail(&req.subject).await?)
}

#[tauri::command]
pub async fn register_schema(state: State<'_, AppState>, req: c::RegisterRequest) -> Reply<c::Registered> {
    Ok(state.service()?.register_schema(&req).await?)
}

#[tauri::command]
pub async fn search_catalog(state: State<'_, AppState>, req: c::SearchRequest) -> Reply<c::SearchResponse> {
    Ok(state.service()?.search(&req).await?)
}

#[tauri::command]
pub async fn get_product(state: State<'_, AppState>, req: c::ProductRequest) -> Reply<c::ProductDetail> {
    Ok(state.service()?.product_detail(&req.id).await?)
}

#[tauri::command]
pub async fn product_health(state: State<'_, AppState>, req: c::ProductRequest) -> Reply<c::ProductHealth> {
    Ok(state.service()?.product_health(&req.id).await?)
}

#[tauri::command]
pub async fn sample_product_port(state: State<'_, AppState>, req: c::PortSampleRequest) -> Reply<c::PortSamples> {
    Ok(state.service()?.sample_product_port(&req).await?)
}

#[tauri::command]
pub async fn list_unmanaged(state: State<'_, AppState>, req: c::NoArgs) -> Reply<c::Unmanaged> {
    let _ = req;
    Ok(state.service()?.list_unmanaged().await?)
}

#[tauri::command]
pub async fn adopt_topic(state: State<'_, AppState>, req: c::AdoptRequest) -> Reply<c::Adopted> {
    Ok(state.service()?.adopt_topic(&req).await?)
}

#[tauri::command]
pub fn report_first_paint(state: State<'_, AppState>, req: c::FirstPaint) -> Reply<c::StartupTiming> {
    Ok(state.first_paint(&req))
}

#[tauri::command]
pub async fn request_access(state: State<'_, AppState>, req: c::AccessRequestForm) -> Reply<c::RequestSent> {
    Ok(state.service()?.request_access(&req).await?)
}

#[tauri::command]
pub async fn decide_access(state: State<'_, AppState>, req: c::DecideRequest) -> Reply<c::Decided> {
    Ok(state.service()?.decide_access(&req).await?)
}

#[tauri::command]
pub async fn settle_parked_write(state: State<'_, AppState>, req: c::ParkedAction) -> Reply<c::NoArgs> {
    state.service()?.settle_parked_write(&req).await?;
    Ok(c::NoArgs {})
}

#[tauri::command]
pub async fn cluster_access(state: State<'_, AppState>, req: c::RequestRef) -> Reply<c::ClusterAccess> {
    Ok(state.service()?.cluster_access(&req.request_id).await?)
}

#[tauri::command]
pub async fn list_access(state: State<'_, AppState>, req: c::NoArgs) -> Reply<c::AccessOverview> {
    let _ = req;
    Ok(state.service()?.list_access().await?)
}

#[tauri::command]
pub async fn product_access(state: State<'_, AppState>, req: c::ProductRequest) -> Reply<Vec<c::AccessView>> {
    Ok(state.service()?.product_access(&req.id).await?)
}

/// Asks where to save (the system's save dialog), then has the service write the CSV.
#[tauri::command]
pub async fn export_audit(app: tauri::AppHandle, state: State<'_, AppState>, req: c::NoArgs) -> Reply<c::AuditExport> {
    let _ = req;
    let service = state.service()?.clone();
    let Some(path) = save_dialog(app, meshdesk_service::Meshdesk::access_audit_file_name()).await? else {
        return Ok(c::AuditExport { path: None, rows: 0 });
    };
    Ok(service.export_access_audit_to(&path).await?)
}

/// The system's save dialog, proposing `name`; `None` when cancelled.
async fn save_dialog(app: tauri::AppHandle, name: String) -> Result<Option<std::path::PathBuf>, c::IpcError> {
    use tauri_plugin_dialog::DialogExt;
    let chosen =
        tauri::async_runtime::spawn_blocking(move || app.dialog().file().set_file_name(&name).blocking_save_file())
            .await
            .map_err(|e| c::IpcError::new(format!("the save dialog failed: {e}")))?;
    Ok(chosen.and_then(|p| p.into_path().ok()))
}

#[tauri::command]
pub async fn save_draft(state: State<'_, AppState>, req: c::WizardDraft) -> Reply<c::DraftState> {
    Ok(state.service()?.save_draft(&req).await?)
}

#[tauri::command]
pub async fn get_draft(state: State<'_, AppState>, req: c::DraftRequest) -> Reply<c::DraftState> {
    Ok(state.service()?.get_draft(&req.id).await?)
}

#[tauri::command]
pub async fn list_drafts(state: State<'_, AppState>, req: c::NoArgs) -> Reply<Vec<c::DraftState>> {
    let _ = req;
    Ok(state.service()?.list_drafts().await?)
}

#[tauri::command]
pub async fn discard_draft(state: State<'_, AppState>, req: c::DraftRequest) -> Reply<c::NoArgs> {
    state.service()?.discard_draft(&req.id).await?;
    Ok(c::NoArgs {})
}

#[tauri::command]
pub async fn check_draft(state: State<'_, AppState>, req: c::WizardDraft) -> Reply<c::DraftCheck> {
    Ok(state.service()?.check_draft(&req).await?)
}

#[tauri::command]
pub async fn publish_draft(state: State<'_, AppState>, req: c::DraftRequest) -> Reply<c::DraftState> {
    Ok(state.service()?.publish_draft(&req.id).await?)
}

#[tauri::command]
pub async fn edit_product(state: State<'_, AppState>, req: c::ProductRequest) -> Reply<c::DraftState> {
    Ok(state.service()?.edit_product(&req.id).await?)
}

#[tauri::command]
pub async fn deprecate_product(state: State<'_, AppState>, req: c::DeprecateRequest) -> Reply<String> {
    Ok(state.service()?.deprecate_product(&req.id, &req.sunset).await?)
}

#[tauri::command]
pub async fn adopt_in_wizard(state: State<'_, AppState>, req: c::AdoptRequest) -> Reply<c::DraftState> {
    Ok(state.service()?.adopt_in_wizard(&req).await?)
}

/// Asks where to save (the system's save dialog), then has the service write the export.
#[tauri::command]
pub async fn export_product(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    req: c::ExportRequest,
) -> Reply<c::Exported> {
    let service = state.service()?.clone();
    let name = meshdesk_service::Meshdesk::export_file_name(&req.id, &req.format);
    let Some(path) = save_dialog(app, name).await? else { return Ok(c::Exported { path: None }) };
    service.export_product_to(&req.id, &req.format, &path).await?;
    Ok(c::Exported { path: Some(path.display().to_string()) })
}

#[tauri::command]
pub async fn import_draft(state: State<'_, AppState>, req: c::ImportRequest) -> Reply<c::ImportedDraft> {
    Ok(state.service()?.import_draft(&req.text).await?)
}

#[tauri::command]
pub async fn get_identity(state: State<'_, AppState>, req: c::NoArgs) -> Reply<c::Identity> {
    let _ = req;
    Ok(state.service()?.identity().await?)
}

#[tauri::command]
pub async fn create_my_key(state: State<'_, AppState>, req: c::NoArgs) -> Reply<c::Identity> {
    let _ = req;
    Ok(state.service()?.create_my_key().await?)
}

#[tauri::command]
pub async fn request_enrollment(state: State<'_, AppState>, req: c::EnrollmentRequest) -> Reply<c::Identity> {
    Ok(state.service()?.request_enrollment(&req).await?)
}

#[tauri::command]
pub async fn get_trust(state: State<'_, AppState>, req: c::NoArgs) -> Reply<c::TrustOverview> {
    let _ = req;
    Ok(state.service()?.trust_overview().await?)
}

#[tauri::command]
pub async fn decide_trust(state: State<'_, AppState>, req: c::TrustAction) -> Reply<String> {
    Ok(state.service()?.decide_trust(&req).await?)
}

#[tauri::command]
pub async fn store_secret(state: State<'_, AppState>, req: c::SecretForm) -> Reply<String> {
    Ok(state.service()?.store_secret(&req)?)
}

#[tauri::command]
pub async fn get_policies(state: State<'_, AppState>, req: c::NoArgs) -> Reply<c::PolicyOverview> {
    let _ = req;
    Ok(state.service()?.policies().await?)
}

#[tauri::command]
pub async fn publish_policy(state: State<'_, AppState>, req: c::Rule) -> Reply<c::PolicyOverview> {
    Ok(state.service()?.publish_policy(&req).await?)
}

#[tauri::command]
pub async fn withdraw_policy(state: State<'_, AppState>, req: c::WithdrawRule) -> Reply<c::PolicyOverview> {
    Ok(state.service()?.withdraw_policy(&req).await?)
}

#[tauri::command]
pub async fn get_policy_history(state: State<'_, AppState>, req: c::RuleRef) -> Reply<Vec<c::PolicyEvent>> {
    Ok(state.service()?.policy_history(&req).await?)
}

#[tauri::command]
pub async fn delete_schema_version(state: State<'_, AppState>, req: c::DeleteVersionRequest) -> Reply<u32> {
    Ok(state.service()?.delete_schema_version(&req).await?)
}

#[tauri::command]
pub async fn get_subject_readers(state: State<'_, AppState>, req: c::ReadersRequest) -> Reply<c::SubjectReaders> {
    Ok(state.service()?.subject_readers(&req.subject).await?)
}

#[tauri::command]
pub async fn acknowledge_change(state: State<'_, AppState>, req: c::AcknowledgeRequest) -> Reply<String> {
    Ok(state.service()?.acknowledge_change(&req).await?)
}

#[tauri::command]
pub async fn get_notices(state: State<'_, AppState>, req: c::NoArgs) -> Reply<Vec<c::ChangeView>> {
    let _ = req;
    Ok(state.service()?.notices().await?)
}

#[tauri::command]
pub async fn list_environments(state: State<'_, AppState>, req: c::NoArgs) -> Reply<Vec<c::KnownEnvironment>> {
    let _ = req;
    Ok(state.service()?.environments().await?)
}

#[tauri::command]
pub async fn add_environment(state: State<'_, AppState>, req: c::EnvironmentFile) -> Reply<Vec<c::KnownEnvironment>> {
    Ok(state.service()?.add_environment(&req).await?)
}

#[tauri::command]
pub async fn remove_environment(
    state: State<'_, AppState>,
    req: c::EnvironmentFile,
) -> Reply<Vec<c::KnownEnvironment>> {
    Ok(state.service()?.remove_environment(&req).await?)
}

#[tauri::command]
pub async fn product_environments(state: State<'_, AppState>, req: c::ProductRef) -> Reply<Vec<c::ProductPresence>> {
    Ok(state.service()?.product_environments(&req).await?)
}

#[tauri::command]
pub async fn review_promotion(state: State<'_, AppState>, req: c::PromotionRequest) -> Reply<c::Promotion> {
    Ok(state.service()?.review_promotion(&req).await?)
}

#[tauri::command]
pub async fn promote(state: State<'_, AppState>, req: c::PromotionRequest) -> Reply<c::DraftState> {
    Ok(state.service()?.promote_to(&req).await?)
}

/// Switches the window to another known environment (the one Tauri-level command: it replaces
/// the service the others call).
#[tauri::command]
pub async fn switch_environment(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    req: c::EnvironmentChoice,
) -> Reply<Vec<c::KnownEnvironment>> {
    state.switch(&app, &req).await
}

/// The names registered in `main.rs`, checked against the contract by a test.
#[cfg_attr(not(test), allow(dead_code))]
pub const REGISTERED: &[&str] = &[
    "environment_status",
    "list_products",
    "list_domains",
    "catalog_products",
    "sync_now",
    "app_info",
    "topic_metrics",
    "sample_topic",
    "list_subjects",
    "get_subject",
    "register_schema",
    "search_catalog",
    "get_product",
    "product_health",
    "sample_product_port",
    "list_unmanaged",
    "adopt_topic",
    "report_first_paint",
    "request_access",
    "decide_access",
    "cluster_access",
    "settle_parked_write",
    "list_access",
    "product_access",
    "export_audit",
    "save_draft",
    "get_draft",
    "list_drafts",
    "discard_draft",
    "check_draft",
    "publish_draft",
    "export_product",
    "import_draft",
    "edit_product",
    "deprecate_product",
    "adopt_in_wizard",
    "get_identity",
    "create_my_key",
    "request_enrollment",
    "get_trust",
    "decide_trust",
    "store_secret",
    "get_policies",
    "publish_policy",
    "withdraw_policy",
    "get_policy_history",
    "get_subject_readers",
    "delete_schema_version",
    "acknowledge_change",
    "get_notices",
    "list_environments",
    "add_environment",
    "remove_environment",
    "product_environments",
    "review_promotion",
    "promote",
    "switch_environment",
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_contract_command_is_registered_and_nothing_else() {
        let mut contract = meshdesk_contract::COMMAND_NAMES.to_vec();
        let mut registered = super::REGISTERED.to_vec();
        contract.sort();
        registered.sort();
        assert_eq!(contract, registered);
    }
}

//! The onboarding wizard: drafts, the policy check, publishing, editing, deprecation and exports.

use serde::{Deserialize, Serialize};

use crate::*;

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

/// Discards a draft that is not being published (nothing on the cluster is touched).
pub struct DiscardDraft;
impl Command for DiscardDraft {
    const NAME: &'static str = "discard_draft";
    type Request = DraftRequest;
    type Response = NoArgs;
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

/// A document to import into a new draft: an ODCS v3 contract or an AsyncAPI 2.x/3.0 document,
/// as JSON or YAML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRequest {
    pub text: String,
}

/// The draft an import made, the standard it was read as, and what it assumed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedDraft {
    pub draft: DraftState,
    pub source: String,
    pub notes: Vec<String>,
}

pub struct ImportDraft;
impl Command for ImportDraft {
    const NAME: &'static str = "import_draft";
    type Request = ImportRequest;
    type Response = ImportedDraft;
}

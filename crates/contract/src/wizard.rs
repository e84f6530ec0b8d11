//! The onboarding wizard: drafts, the policy check, publishing, editing, deprecation and exports.

use serde::{Deserialize, Serialize};

use crate::*;

pub use meshdesk_domain::plan::DraftStatus;
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

/// Where one step of a publication stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Done,
    Failed,
    Pending,
}

impl StepState {
    /// The state's name (the window marks each step with it).
    pub fn as_str(self) -> &'static str {
        match self {
            StepState::Done => "done",
            StepState::Failed => "failed",
            StepState::Pending => "pending",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanStepView {
    pub description: String,
    pub state: StepState,
    /// What the step did (`created`, `already there`, schema id, the cluster's refusal, ...).
    pub result: Option<String>,
}

/// A draft with its publication state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftState {
    pub draft: WizardDraft,
    pub status: DraftStatus,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeprecateRequest {
    pub id: String,
    /// YYYY-MM-DD.
    pub sunset: String,
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

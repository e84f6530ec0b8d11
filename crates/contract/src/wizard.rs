//! The onboarding wizard: drafts, the policy check, publishing, editing, deprecation and exports.

use serde::{Deserialize, Serialize};

use crate::*;

pub use meshdesk_domain::plan::DraftStatus;
pub use meshdesk_domain::policy::{Finding, Severity};
pub use meshdesk_domain::{Domain, plan::Step};

/// What the wizard edits; saved on every change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardDraft {
    /// The draft's id.
    pub id: String,
    /// The wizard step the owner is on (0 = domain … 7 = publish).
    pub step: u32,
    /// The product as edited so far.
    pub product: DataProduct,
    /// Set when the owner registers a new domain in step 1.
    pub new_domain: Option<Domain>,
}

/// Where one step of a publication stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// It was applied.
    Done,
    /// It failed: the step's result says why.
    Failed,
    /// Not applied yet.
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

/// One step of a publication's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanStepView {
    /// What the step does, for people.
    pub description: String,
    /// Where it stands.
    pub state: StepState,
    /// What the step did (`created`, `already there`, schema id, the cluster's refusal, ...).
    pub result: Option<String>,
}

/// A draft with its publication state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftState {
    /// The draft.
    pub draft: WizardDraft,
    /// Where its publication stands.
    pub status: DraftStatus,
    /// Its plan's steps, each with its state.
    pub steps: Vec<PlanStepView>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was last saved, in ms since the epoch.
    pub updated_at_ms: i64,
}

/// Names a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftRequest {
    /// The draft's id.
    pub id: String,
}

/// The backend's verdict on a draft: the policies' findings (with the cluster's topics for
/// collisions) and the plan publishing would apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftCheck {
    /// What each policy found.
    pub findings: Vec<Finding>,
    /// Whether an error among the findings blocks publishing.
    pub blocks: bool,
    /// The steps publishing would apply, for people.
    pub plan: Vec<String>,
}

/// Exports a product's contract to a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRequest {
    /// The product's id.
    pub id: String,
    /// `odcs` or `asyncapi`.
    pub format: String,
}

/// Where an export was saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exported {
    /// Where the file was saved; `None` when the save dialog was cancelled.
    pub path: Option<String>,
}

/// Deprecates a product with a sunset date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeprecateRequest {
    /// The product's id.
    pub id: String,
    /// YYYY-MM-DD.
    pub sunset: String,
}

/// A document to import into a new draft: an ODCS v3 contract or an AsyncAPI 2.x/3.0 document,
/// as JSON or YAML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRequest {
    /// The document's text.
    pub text: String,
}

/// The draft an import made, the standard it was read as, and what it assumed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedDraft {
    /// The new draft.
    pub draft: DraftState,
    /// The standard it was read as, e.g. `ODCS v3.0.2`.
    pub source: String,
    /// What the import assumed or left out, for people.
    pub notes: Vec<String>,
}

//! Promotion of a product from this environment to another (dev → prod): the review (how the
//! two differ, the plan, the target's policies) and its application with the wizard's journal.

use meshdesk_domain::policy::Finding;
pub use meshdesk_domain::promote::Difference;
use serde::{Deserialize, Serialize};

/// What promoting a product to a target environment would do, before anything is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    pub product: String,
    /// The target environment's name.
    pub target: String,
    /// The version the target has now (`None`: the target has no such product).
    pub target_version: Option<String>,
    /// How the target differs from this environment; empty when they agree.
    pub differences: Vec<Difference>,
    /// The steps, as the wizard's review shows them (each idempotent: what the target has
    /// already counts as done).
    pub plan: Vec<String>,
    /// The target's policies (built-in and its published rules) on the product.
    pub findings: Vec<Finding>,
    /// Whether an error among the findings blocks the promotion.
    pub blocks: bool,
    /// The target's draft that carries the promotion (its journal makes it resumable).
    pub draft: String,
}

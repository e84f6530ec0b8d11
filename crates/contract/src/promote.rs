//! Promotion of a product from this environment to another (dev → prod): the review (how the
//! two differ, the plan, the target's policies) and its application with the wizard's journal.

use meshdesk_domain::policy::Finding;
pub use meshdesk_domain::promote::Difference;
use serde::{Deserialize, Serialize};

/// What promoting a product to a target environment would do, before anything is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    /// The product's id.
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

/// An environment this app knows: the one it runs on, and the environment files added in
/// Settings (promotion targets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownEnvironment {
    /// Its name (the file's `name`), or why the file cannot be read.
    pub name: String,
    /// The environment file; `None` for the embedded sandbox.
    pub path: Option<String>,
    /// The one this window runs on.
    pub current: bool,
    /// Why the file cannot be used now, in plain words.
    pub problem: Option<String>,
}

/// Names an environment file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentFile {
    /// An absolute path to an environment file.
    pub path: String,
}

/// Where a product exists, and at which version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPresence {
    /// The environment.
    pub environment: KnownEnvironment,
    /// Its version there; `None`: not there.
    pub version: Option<String>,
}

/// Names a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRef {
    /// The product's id.
    pub product: String,
}

/// A promotion of a product to a target environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionRequest {
    /// The product's id.
    pub product: String,
    /// The target environment's file.
    pub target: String,
}

/// Which environment the window should run on: an environment file the app knows, or the
/// embedded sandbox (`None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentChoice {
    /// The environment file; `None`: the embedded sandbox.
    pub path: Option<String>,
}

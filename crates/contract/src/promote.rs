//! Promotion of a product from this environment to another (dev → prod): the review (how the
//! two differ, the plan, the target's policies) and its application with the wizard's journal.

use meshdesk_domain::policy::Finding;
pub use meshdesk_domain::promote::Difference;
use serde::{Deserialize, Serialize};

use crate::{Command, NoArgs};

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

pub struct ListEnvironments;
impl Command for ListEnvironments {
    const NAME: &'static str = "list_environments";
    type Request = NoArgs;
    type Response = Vec<KnownEnvironment>;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentFile {
    /// An absolute path to an environment file.
    pub path: String,
}

/// Adds an environment file (checked: it must load); answers with the list.
pub struct AddEnvironment;
impl Command for AddEnvironment {
    const NAME: &'static str = "add_environment";
    type Request = EnvironmentFile;
    type Response = Vec<KnownEnvironment>;
}

pub struct RemoveEnvironment;
impl Command for RemoveEnvironment {
    const NAME: &'static str = "remove_environment";
    type Request = EnvironmentFile;
    type Response = Vec<KnownEnvironment>;
}

/// Where a product exists, and at which version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPresence {
    pub environment: KnownEnvironment,
    /// Its version there; `None`: not there.
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRef {
    pub product: String,
}

pub struct ProductEnvironments;
impl Command for ProductEnvironments {
    const NAME: &'static str = "product_environments";
    type Request = ProductRef;
    type Response = Vec<ProductPresence>;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionRequest {
    pub product: String,
    /// The target environment's file.
    pub target: String,
}

pub struct ReviewPromotion;
impl Command for ReviewPromotion {
    const NAME: &'static str = "review_promotion";
    type Request = PromotionRequest;
    type Response = Promotion;
}

/// Applies the reviewed promotion; answers with the target's draft and its journal.
pub struct Promote;
impl Command for Promote {
    const NAME: &'static str = "promote";
    type Request = PromotionRequest;
    type Response = crate::DraftState;
}

/// Which environment the window should run on: an environment file the app knows, or the
/// embedded sandbox (`None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentChoice {
    pub path: Option<String>,
}

/// Switches the window to another known environment; answers with the list, the new one current.
pub struct SwitchEnvironment;
impl Command for SwitchEnvironment {
    const NAME: &'static str = "switch_environment";
    type Request = EnvironmentChoice;
    type Response = Vec<KnownEnvironment>;
}

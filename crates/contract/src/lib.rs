//! The typed IPC contract between the UI (wasm32) and the desktop backend (native).
//!
//! Each command is a type implementing [`Command`]: its name, its request and its response.
//! The UI calls `ipc::call::<C>(request)`; the backend registers a `#[tauri::command]` with the
//! same name taking one argument, [`ARG`]. Errors cross as [`IpcError`]. This crate does no IO.
// Unit tests read as one story each: the 80-line bound is for the code they test.
#![cfg_attr(test, allow(clippy::too_many_lines))]
#![warn(missing_docs)]

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use meshdesk_domain::health::{Health, HealthLevel};
pub use meshdesk_domain::policy::{Rule, Scope};
pub use meshdesk_domain::{Classification, CompatibilityLevel, DataProduct, ProductStatus, SchemaFormat};

mod access;
mod catalog;
mod changes;
mod commands;
mod policies;
mod promote;
mod schemas;
mod status;
mod topics;
mod trust;
mod wizard;
pub use access::*;
pub use catalog::*;
pub use changes::*;
pub use commands::*;
pub use policies::*;
pub use promote::*;
pub use schemas::*;
pub use status::*;
pub use topics::*;
pub use trust::*;
pub use wizard::*;

/// The name of the single argument every command takes.
pub const ARG: &str = "req";

/// One IPC command: its name on the wire and its typed request and response.
pub trait Command {
    /// The command's name, as the backend registers it.
    const NAME: &'static str;
    /// What the command takes, as [`ARG`].
    type Request: Serialize + DeserializeOwned;
    /// What it answers.
    type Response: Serialize + DeserializeOwned;
}

/// An error as it crosses IPC: a message in plain words for people, the technical detail
/// (what a broker or registry answered) kept apart for whoever opens it, and a code only where
/// the UI branches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpcError {
    /// What the UI branches on, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    /// What went wrong, in plain words.
    pub message: String,
    /// The technical detail, shown on request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl IpcError {
    /// An error with a message and no code.
    pub fn new(message: impl Into<String>) -> Self {
        Self { code: None, message: message.into(), detail: None }
    }
    /// An error the UI branches on.
    pub fn with_code(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code: Some(code), message: message.into(), detail: None }
    }
    /// Adds the technical detail shown on request.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for IpcError {}

/// Codes the UI branches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The backend is still starting (sandbox booting, cache opening): retry shortly.
    NotReady,
    /// The registry refused a schema as incompatible with the subject's versions.
    RegistryIncompatible,
    /// The input is not well-formed: the message says what to fix.
    Invalid,
    /// The governance rules refuse it (trust, ownership, policies): the message says which.
    Refused,
    /// The Kafka cluster refused the request (its authorizer, a quota, a bad config).
    ClusterRefused,
    /// The schema registry refused the request (invalid schema, read-only, credentials).
    RegistryRefused,
    /// The cluster or the registry does not answer now: the action waits or can be retried.
    Unavailable,
}

/// A request with no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoArgs {}

/// Backend events the UI listens to (Tauri events; payload `()` unless stated).
pub mod events {
    /// The cache applied new governance events: catalog pages should reload.
    pub const CATALOG_CHANGED: &str = "catalog-changed";
    /// The environment's reachability or the sandbox's state changed.
    pub const STATUS_CHANGED: &str = "status-changed";
    /// An access request arrived or was decided (a desktop notification was shown too).
    pub const ACCESS_CHANGED: &str = "access-changed";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_a_code_only_when_set() {
        let plain = serde_json::to_value(IpcError::new("boom")).unwrap();
        assert_eq!(plain, serde_json::json!({"message": "boom"}));
        let coded = serde_json::to_value(IpcError::with_code(ErrorCode::NotReady, "starting")).unwrap();
        assert_eq!(coded, serde_json::json!({"code": "not_ready", "message": "starting"}));
        let back: IpcError = serde_json::from_value(serde_json::json!({"message": "x"})).unwrap();
        assert_eq!(back.code, None);
    }

    #[test]
    fn command_names_are_unique() {
        let mut names = COMMAND_NAMES.to_vec();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), COMMAND_NAMES.len());
    }
}

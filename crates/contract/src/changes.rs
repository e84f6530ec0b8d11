//! Schema changes and their readers: who reads a subject before a new version is registered
//! (the impact panel; the verdict itself is computed in the window with the domain's engine),
//! the changes made to a product with each reader's migration state, acknowledgements, and the
//! notices for the products I read.

pub use meshdesk_domain::change::Change;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadersRequest {
    pub subject: String,
}

/// How a reader is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReaderKind {
    /// An access grant in force.
    Grant,
    /// A consumer group with offsets committed on the topic (no grant names it).
    Group,
    /// A product that names this one as an input port.
    Derived,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectReader {
    pub kind: ReaderKind,
    /// A principal, a group or a product's title.
    pub who: String,
    pub domain: Option<String>,
    /// For a grant: its consumer group prefix.
    pub group_prefix: Option<String>,
    /// A consumer group reading the topic (a grant's, when its prefix matches).
    pub group: Option<String>,
    /// Records the group has yet to read, over all partitions.
    pub lag: Option<i64>,
    /// For a grant: when it ends.
    pub until_ms: Option<i64>,
}

/// Who reads a subject's topic, for the impact panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectReaders {
    pub subject: String,
    pub product: Option<String>,
    pub product_title: Option<String>,
    pub topic: Option<String>,
    pub readers: Vec<SubjectReader>,
    /// Why part of the answer is missing (the cluster's groups could not be read).
    pub note: Option<String>,
}

/// A consumer group and its lag on one topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupOnPort {
    pub group: String,
    pub lag: i64,
}

/// Where one reader (an access grant in force) stands with a change that asks it to move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Migration {
    pub consumer: String,
    pub domain: String,
    pub acknowledged: bool,
    /// Its groups still committing on the deprecated port.
    pub on_old: Vec<GroupOnPort>,
    /// Its groups reading the successor port.
    pub on_new: Vec<GroupOnPort>,
}

impl Migration {
    /// In words: `moved`, `still reading the old port`, `acknowledged`, `not yet acknowledged`.
    pub fn state(&self) -> &'static str {
        match (self.on_old.is_empty(), self.on_new.is_empty(), self.acknowledged) {
            (true, false, _) => "moved to the new port",
            (false, false, _) => "reading both ports",
            (false, true, true) => "acknowledged, still reading the old port",
            (false, true, false) => "still reading the old port",
            (true, true, true) => "acknowledged",
            (true, true, false) => "not yet acknowledged",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeView {
    /// The event that made the change (what an acknowledgement names).
    pub event_id: String,
    pub product: String,
    pub product_title: String,
    pub at_ms: i64,
    pub by: String,
    pub change: Change,
    pub acknowledged_by: Vec<String>,
    /// The viewer reads the product (an access request of theirs is in force).
    pub viewer_reads: bool,
    pub viewer_acknowledged: bool,
    /// For a change that asks readers to move: each grant's state (owners' view).
    pub migrations: Vec<Migration>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcknowledgeRequest {
    pub product: String,
    pub event_id: String,
}

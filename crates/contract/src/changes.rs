//! Schema changes and their readers: who reads a subject before a new version is registered
//! (the impact panel; the verdict itself is computed in the window with the domain's engine),
//! the changes made to a product with each reader's migration state, acknowledgements, and the
//! notices for the products I read.

pub use meshdesk_domain::change::Change;
use serde::{Deserialize, Serialize};

/// Asks who reads a subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadersRequest {
    /// The subject, e.g. `<topic>-value`.
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

/// One reader of a subject's topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectReader {
    /// How the reader is known.
    pub kind: ReaderKind,
    /// A principal, a group or a product's title.
    pub who: String,
    /// The reader's domain, when known.
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
    /// The subject asked about.
    pub subject: String,
    /// The product whose port the subject is, if any.
    pub product: Option<String>,
    /// That product's title.
    pub product_title: Option<String>,
    /// The subject's topic, if it names one.
    pub topic: Option<String>,
    /// Everyone known to read the topic.
    pub readers: Vec<SubjectReader>,
    /// Why part of the answer is missing (the cluster's groups could not be read).
    pub note: Option<String>,
}

/// A consumer group and its lag on one topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupOnPort {
    /// The consumer group.
    pub group: String,
    /// Records it has yet to read on the topic, over all partitions.
    pub lag: i64,
}

/// Where one reader (an access grant in force) stands with a change that asks it to move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Migration {
    /// The grant's consumer principal.
    pub consumer: String,
    /// The domain that holds the grant.
    pub domain: String,
    /// Whether the reader acknowledged the change.
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

/// A change to a product, as its page and the notices show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeView {
    /// The event that made the change (what an acknowledgement names).
    pub event_id: String,
    /// The product changed.
    pub product: String,
    /// Its title.
    pub product_title: String,
    /// When the change was published, in ms since the epoch.
    pub at_ms: i64,
    /// Who published it.
    pub by: String,
    /// What changed, for readers.
    pub change: Change,
    /// The principals that acknowledged it.
    pub acknowledged_by: Vec<String>,
    /// The viewer reads the product (an access request of theirs is in force).
    pub viewer_reads: bool,
    /// The viewer acknowledged it.
    pub viewer_acknowledged: bool,
    /// For a change that asks readers to move: each grant's state (owners' view).
    pub migrations: Vec<Migration>,
}

/// A reader's acknowledgement of a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcknowledgeRequest {
    /// The product changed.
    pub product: String,
    /// The event that made the change.
    pub event_id: String,
}

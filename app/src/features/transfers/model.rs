//! Wire types of transfer requests: what the enrollment page offers and shows, and the rows of
//! the Priority List Manager's Transfer requests queue. Nothing here touches the database.

pub use crate::domain::transfer::{DeclineDraft, TransferDraft};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Which enrollment a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentRef {
    pub client_id: i64,
    pub enrollment_id: i64,
}

/// Which request an answer is about, at which version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferRef {
    pub id: i64,
    pub version: i32,
}

/// One request of an enrollment and, once given, Coordinated Entry's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferEntry {
    pub reason: String,
    pub asked_for: String,
    pub note: String,
    pub requested_on: NaiveDate,
    pub requested_by: String,
    /// "Awaiting Coordinated Entry", "Referred to …", "Declined" or "Closed: the client left the
    /// project".
    pub status: String,
    pub decision_note: Option<String>,
}

/// What the enrollment page offers about transfers, for the active context.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferState {
    /// Why no request can be made now (`None`: the form is offered).
    pub unavailable: Option<String>,
    /// The CoC's receiving providers but the requester: (id, name).
    pub organizations: Vec<(i64, String)>,
    /// Every request of the enrollment, newest first.
    pub requests: Vec<TransferEntry>,
    /// The organization runs the project (it sees the section at all).
    pub runs_project: bool,
}

/// A row of the Transfer requests queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferQueueRow {
    pub id: i64,
    pub version: i32,
    pub client_id: i64,
    pub client_name: String,
    pub project: String,
    pub organization: String,
    pub reason: String,
    pub asked_for: String,
    pub note: String,
    pub requested_on: NaiveDate,
    pub days_waiting: i64,
}

/// The Transfer requests queue: the rows, and whether this user answers them (the CoC's
/// Priority List Manager; others of the Coordinated Entry organization read only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferQueue {
    pub rows: Vec<TransferQueueRow>,
    pub can_answer: bool,
}

/// The request the Refer page answers (`/clients/{id}/refer?transfer={request}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferSummary {
    pub id: i64,
    pub project: String,
    pub organization: String,
    pub reason: String,
    pub asked_for: String,
}

/// The form's name of a [`TransferDraft`] field.
pub fn transfer_field(name: &str) -> String {
    format!("transfer[{name}]")
}

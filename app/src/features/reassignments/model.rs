//! Wire types of non-CE reassignment: what the Referral Outcome page shows and offers about it.

pub use crate::domain::reassignment::{ReassignmentAnswerDraft, ReassignmentRequestDraft};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The receiving organization's request awaiting the referring organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingReassignment {
    pub note: String,
    pub requested_by: String,
    pub organization: String,
    pub requested_on: NaiveDate,
}

/// What the Referral Outcome page shows and offers about reassignment, for the active context.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReassignmentState {
    pub pending: Option<PendingReassignment>,
    /// The receiving organization may ask now.
    pub can_ask: bool,
    /// The referring organization answers the pending request, to one of these projects.
    pub can_answer: bool,
    pub to_options: Vec<(i64, String)>,
    /// "Closed: reassigned to …" or "Closed: withdrawn …".
    pub closed: Option<String>,
    /// The referral that replaced this one, where the context may open it.
    pub replaced_by: Option<i64>,
    /// The referral this one replaced.
    pub replaces: Option<i64>,
}

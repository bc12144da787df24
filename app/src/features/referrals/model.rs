//! Wire and form types of non-CE referrals, shared by the components, the server functions
//! and the SQL in `store.rs`.

use crate::domain::codes::NonCeReferralResult;
use crate::domain::referral::{OutcomeDraft, ReferralFacts};
use crate::features::notes::model::NoteThread;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralRow {
    pub id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub referral_date: NaiveDate,
    pub service: String,
    pub from_project: String,
    pub from_organization: String,
    pub to_project: String,
    pub status: String,
    pub result: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralList {
    pub client_name: String,
    pub rows: Vec<ReferralRow>,
    /// Projects of the active organization a referral may come from.
    pub from_options: Vec<(i64, String)>,
    /// Projects a referral may go to: (id, "Project — Organization").
    pub to_options: Vec<(i64, String)>,
}

/// The Referral Outcome / Outcome Information form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralForm {
    pub id: i64,
    pub version: i32,
    pub client_id: i64,
    pub client_name: String,
    pub service: String,
    pub from: String,
    pub to: String,
    pub to_project_id: i64,
    pub referral_comments: Option<String>,
    pub status: String,
    pub facts: ReferralFacts,
    pub draft: OutcomeDraft,
    /// The active organization receives the referral: it acknowledges and resolves it.
    pub can_resolve: bool,
    /// Outcome comments are shown (receiving organization, or the same organization).
    pub comments_visible: bool,
    /// The notes, for the referring and the receiving organization only.
    pub notes: Option<NoteThread>,
}

pub fn status_label(acknowledged: bool, result: Option<i16>) -> String {
    match (acknowledged, result) {
        (_, Some(code)) => format!(
            "Resolved: {}",
            NonCeReferralResult::from_code(code)
                .map(|r| r.label())
                .unwrap_or("Unknown")
        ),
        (true, None) => "Acknowledged".to_string(),
        (false, None) => "Awaiting acknowledgement".to_string(),
    }
}

/// The incoming list's tabs (`filter` of the server function).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncomingFilter {
    AwaitingAcknowledgement,
    InProgress,
    /// The organization's outgoing referrals whose receiver asked for a reassignment.
    ToReassign,
}

impl IncomingFilter {
    pub const ALL: [IncomingFilter; 3] = [
        Self::AwaitingAcknowledgement,
        Self::InProgress,
        Self::ToReassign,
    ];

    pub fn from_param(value: &str) -> Self {
        match value {
            "in_progress" => Self::InProgress,
            "to_reassign" => Self::ToReassign,
            _ => Self::AwaitingAcknowledgement,
        }
    }

    pub const fn param(self) -> &'static str {
        match self {
            Self::AwaitingAcknowledgement => "awaiting",
            Self::InProgress => "in_progress",
            Self::ToReassign => "to_reassign",
        }
    }

    /// The page's heading.
    pub const fn title(self) -> &'static str {
        match self {
            Self::AwaitingAcknowledgement => "Incoming non-CE referrals awaiting acknowledgement",
            Self::InProgress => "Incoming non-CE referrals in progress",
            Self::ToReassign => "Outgoing non-CE referrals to reassign",
        }
    }

    /// The link to the list in the page's tabs.
    pub const fn tab(self) -> &'static str {
        match self {
            Self::AwaitingAcknowledgement => "Awaiting acknowledgement",
            Self::InProgress => "In progress",
            Self::ToReassign => "To reassign (outgoing)",
        }
    }
}

/// The referral a form saves, and the version it was read at (`record[...]` in the form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralRef {
    pub client_id: i64,
    pub referral_id: i64,
    pub version: i32,
}

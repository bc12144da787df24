//! Wire and form types of CE Events (HUD 4.20), shared by the components, the server functions
//! and the SQL in `store.rs`. Nothing here touches the database or HTTP.

use crate::domain::ce_event::{allowed_referral_events, CeEventFacts, EnrollmentOption};
use crate::domain::codes::ProjectType;
use crate::features::audit::model::HistoryEntry;
use crate::features::notes::model::NoteThread;
use crate::features::returns::model::ReturnState;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One row of the client's Coordinated Entry Event page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CeEventRow {
    pub id: i64,
    pub event_date: NaiveDate,
    pub event: String,
    pub referred_to: Option<String>,
    pub need_status: Option<String>,
    pub date_acknowledged: Option<NaiveDate>,
    pub referral_result: Option<String>,
    pub result_date: Option<NaiveDate>,
    pub editable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CeEventList {
    pub client_name: String,
    pub rows: Vec<CeEventRow>,
    /// The active context may refer this client to a housing opening.
    pub can_refer: bool,
}

/// Everything the CE Event form shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CeEventForm {
    pub id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub version: i32,
    pub facts: CeEventFacts,
    pub event_label: String,
    pub referred_project: String,
    pub need_status: Option<String>,
    /// Current values, or for an unacknowledged referral the contact last used for the project.
    pub draft: crate::domain::ce_event::CeEventDraft,
    pub enrollment_options: Vec<EnrollmentOption>,
    pub reasons: Vec<(i64, String)>,
    /// The active organization receives the referral: it may acknowledge and resolve.
    pub can_resolve: bool,
    /// The active context is the CoC's Priority List Manager and the event is unresolved.
    pub can_correct: bool,
    /// Event choices for a correction: (code, label).
    pub allowed_events: Vec<(i16, String)>,
    /// Projects the PLM may re-target the referral to (only while it is unacknowledged).
    pub retarget_options: Vec<ReferralTarget>,
    /// The statuses the provider may move the referral to next.
    pub need_status_options: Vec<(i64, String)>,
    /// The last day the referral may stay in its current status (CoC timeliness standard).
    pub need_status_due: Option<NaiveDate>,
    /// Returns for rematch: the provider's Return action, the PLM's review, earlier returns.
    pub returns: ReturnState,
    /// The notes, for the receiving organization and the CoC's CE organization only.
    pub notes: Option<NoteThread>,
    pub history: Vec<HistoryEntry>,
}

impl CeEventForm {
    /// The event as a save names it: client, event, and the version this form was read at.
    pub fn record(&self) -> EventRef {
        EventRef {
            client_id: self.client_id,
            event_id: self.id,
            version: self.version,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityListRow {
    pub client_id: i64,
    pub name: String,
    pub dob: Option<NaiveDate>,
    pub ce_entry_date: NaiveDate,
    pub days_on_list: i64,
    pub pending_referrals: i64,
    pub last_referral: Option<NaiveDate>,
    /// Times a provider returned a referral of this client for a rematch.
    pub returns: i64,
    /// One of those returns awaits the PLM's review.
    pub return_pending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityListPage {
    pub coc: String,
    pub rows: Vec<PriorityListRow>,
    pub page: i64,
    pub has_next: bool,
    pub can_refer: bool,
}

pub const PRIORITY_PAGE_SIZE: i64 = 25;

/// The Priority List's "Pending referral" filter (`pending` in the page's address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingFilter {
    Any,
    WithPending,
    WithoutPending,
}

impl PendingFilter {
    pub fn from_param(value: &str) -> Self {
        match value {
            "yes" => Self::WithPending,
            "no" => Self::WithoutPending,
            _ => Self::Any,
        }
    }

    /// `Some(true)`: only clients with a pending referral; `Some(false)`: only without.
    pub fn wants_pending(self) -> Option<bool> {
        match self {
            Self::Any => None,
            Self::WithPending => Some(true),
            Self::WithoutPending => Some(false),
        }
    }
}

/// The Priority List's "Sort by" (`sort` in the page's address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrioritySort {
    /// Longest on the list first (the default: CE prioritizes by time waiting).
    LongestWaiting,
    Name,
    LastReferral,
}

impl PrioritySort {
    pub fn from_param(value: &str) -> Self {
        match value {
            "name" => Self::Name,
            "last_referral" => Self::LastReferral,
            _ => Self::LongestWaiting,
        }
    }

    /// The key the Priority List query orders by.
    pub fn key(self) -> &'static str {
        match self {
            Self::LongestWaiting => "waiting",
            Self::Name => "name",
            Self::LastReferral => "last_referral",
        }
    }
}

/// A project a Priority List Manager may refer to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralTarget {
    pub id: i64,
    pub name: String,
    pub organization: String,
    pub project_type: i16,
    /// (code, label); the first is the HUD mapping's default.
    pub events: Vec<(i16, String)>,
}

impl ReferralTarget {
    /// A project with the events a referral to it may record; `None` for a project type that
    /// takes no housing referral.
    pub fn new(id: i64, name: String, organization: String, project_type: i16) -> Option<Self> {
        let events: Vec<(i16, String)> =
            allowed_referral_events(ProjectType::from_code(project_type)?)
                .into_iter()
                .map(|e| (e.code(), e.label().to_string()))
                .collect();
        (!events.is_empty()).then_some(ReferralTarget {
            id,
            name,
            organization,
            project_type,
            events,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralOptions {
    pub client_id: i64,
    pub client_name: String,
    pub ce_entry_date: NaiveDate,
    pub targets: Vec<ReferralTarget>,
    /// The project of the client's open referral (or return awaiting review), if any.
    pub open_referral: Option<String>,
}

/// The CE Event a form saves, and the version it was read at (`record[...]` in the form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRef {
    pub client_id: i64,
    pub event_id: i64,
    pub version: i32,
}

/// A referral's project, Event Date and Event as typed (`referral[...]` in the form): "Refer to
/// housing opening" and the Priority List Manager's correction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReferralChoice {
    /// The project's id; for a correction, empty keeps the current project.
    pub project_id: String,
    pub event_date: String,
    /// HUD 4.20.2 Event code.
    pub event: String,
    /// "yes" when the PLM refers although the client has another open referral.
    pub refer_anyway: String,
    /// The transfer request this referral answers (its id), or empty.
    pub transfer: String,
}

impl ReferralChoice {
    pub fn refers_anyway(&self) -> bool {
        self.refer_anyway == "yes"
    }
}

/// The form's name of a [`ReferralChoice`] field.
pub fn referral_field(name: &str) -> String {
    format!("referral[{name}]")
}

/// The form's name of an [`EventRef`] field.
pub fn record_field(name: &str) -> String {
    format!("record[{name}]")
}

//! Wire types of returns for rematch: what the CE Event form shows of a referral's returns, and
//! the rows of the Priority List Manager's Returned referrals queue. Nothing here touches the
//! database or HTTP.

use crate::domain::access::{ActiveContext, Workgroup};
pub use crate::domain::referral_return::{
    ReturnDraft, ReturnReason, ReturnReasonDraft, ReviewDraft,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One return of a referral and, once made, the Priority List Manager's decision on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnEntry {
    pub reason: String,
    /// The HUD 4.20.D Referral Result the reason recorded.
    pub referral_result: String,
    pub note: String,
    pub returned_on: NaiveDate,
    pub returned_by: String,
    pub organization: String,
    /// "Confirmed" or "Sent back to the provider"; `None` while it awaits review.
    pub decision: Option<String>,
    pub decision_note: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub decided_by: Option<String>,
}

impl ReturnEntry {
    pub fn is_pending(&self) -> bool {
        self.decision.is_none()
    }
}

/// What the CE Event form offers about returns, for the active context.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnState {
    /// The receiving provider may return the referral now; these are the CoC's reasons.
    pub can_return: bool,
    pub reasons: Vec<ReturnReason>,
    /// The CoC's Priority List Manager may confirm or send back the pending return.
    pub can_review: bool,
    /// The review may send the return back: not once the client was exited from CE.
    pub can_send_back: bool,
    /// Every return of the referral, newest first.
    pub returns: Vec<ReturnEntry>,
}

impl ReturnState {
    pub fn pending(&self) -> Option<&ReturnEntry> {
        self.returns.first().filter(|r| r.is_pending())
    }
}

/// A row of the Returned referrals queue: a return awaiting the PLM's review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnedReferral {
    pub client_id: i64,
    pub event_id: i64,
    pub client_name: String,
    pub project: String,
    pub organization: String,
    pub reason: String,
    pub note: String,
    pub returned_on: NaiveDate,
    pub days_waiting: i64,
}

/// The form's name of a [`ReturnDraft`] field.
pub fn return_field(name: &str) -> String {
    format!("returned[{name}]")
}

/// The form's name of a [`ReviewDraft`] field.
pub fn review_field(name: &str) -> String {
    format!("review[{name}]")
}

/// Only the Priority List Manager of the referral's CoC decides on its returns.
pub fn reviews_returns(context: &ActiveContext, coc: &str) -> bool {
    context.workgroup == Workgroup::PriorityListManager
        && context.ce_for_coc.as_deref() == Some(coc)
}

/// A CoC's return reason as the System Administrator's settings page edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnReasonRow {
    pub id: i64,
    pub version: i32,
    pub label: String,
    pub referral_result: i16,
    pub not_housed_reason_id: Option<i64>,
    pub need_status_id: Option<i64>,
    pub sort_order: i32,
    pub active: bool,
}

/// The Return reasons settings page of one CoC, with its pick lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnReasonSettings {
    pub cocs: Vec<(String, String)>,
    pub coc: String,
    pub reasons: Vec<ReturnReasonRow>,
    /// If Not Housed, Reason choices: (id, label).
    pub not_housed: Vec<(i64, String)>,
    /// The CoC's need statuses: (id, name).
    pub statuses: Vec<(i64, String)>,
}

/// Which return reason a settings form saves (`id` 0: a new one of `coc`), at which version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonRef {
    pub coc: String,
    pub id: i64,
    pub version: i32,
}

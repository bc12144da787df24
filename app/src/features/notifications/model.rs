//! In-app notifications: what happened on a referral, for the organization on the other side,
//! as a deep link. The text never names the client (HMIS privacy): only what happened and where.

use crate::domain::notify::{Delivery, Transition};
use serde::{Deserialize, Serialize};

/// What a notification is about (`notifications.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotificationKind {
    ReferralReceived,
    ReferralReturned,
    ReturnConfirmed,
    ReturnSentBack,
    NoteAdded,
    ReferralResolved,
    /// The timeliness sweep: the referral's need status is due tomorrow.
    ReferralDueTomorrow,
    /// The timeliness sweep: the referral is past its due date.
    ReferralOverdue,
    /// A provider asked Coordinated Entry for a transfer of an enrolled client.
    TransferRequested,
    /// Coordinated Entry answered a transfer request with a new referral.
    TransferReferred,
    /// Coordinated Entry declined a transfer request.
    TransferDeclined,
    /// The receiving organization asks the referring one to reassign a non-CE referral.
    ReassignmentRequested,
    /// The referring organization reassigned the referral to another project.
    ReferralReassigned,
    /// The referring organization withdrew the referral.
    ReferralWithdrawn,
}

impl NotificationKind {
    pub const fn stored(self) -> &'static str {
        match self {
            Self::ReferralReceived => "referral_received",
            Self::ReferralReturned => "referral_returned",
            Self::ReturnConfirmed => "return_confirmed",
            Self::ReturnSentBack => "return_sent_back",
            Self::NoteAdded => "note_added",
            Self::ReferralResolved => "referral_resolved",
            Self::ReferralDueTomorrow => "referral_due_tomorrow",
            Self::ReferralOverdue => "referral_overdue",
            Self::TransferRequested => "transfer_requested",
            Self::TransferReferred => "transfer_referred",
            Self::TransferDeclined => "transfer_declined",
            Self::ReassignmentRequested => "reassignment_requested",
            Self::ReferralReassigned => "referral_reassigned",
            Self::ReferralWithdrawn => "referral_withdrawn",
        }
    }

    /// The text people read: the project is named, the client never is. `detail` is the
    /// return reason, the result, or the organization that wrote the note.
    pub fn message(self, project: &str, detail: &str) -> String {
        let text = match self {
            Self::ReferralReceived => format!("New referral to {project}."),
            Self::ReferralReturned => {
                format!("A referral to {project} was returned for rematch: {detail}.")
            }
            Self::ReturnConfirmed => {
                format!("Coordinated Entry confirmed your return of a referral to {project}.")
            }
            Self::ReturnSentBack => {
                format!("Coordinated Entry sent a returned referral to {project} back to you.")
            }
            Self::NoteAdded => format!("{detail} added a note on a referral to {project}."),
            Self::ReferralResolved => format!("A referral to {project} was resolved: {detail}."),
            Self::ReferralDueTomorrow => Transition::DueTomorrow.message(project),
            Self::ReferralOverdue => Transition::Overdue.message(project),
            Self::TransferRequested => {
                format!("{detail} asked for a transfer of a client enrolled in {project}.")
            }
            Self::TransferReferred => format!(
                "Coordinated Entry answered a transfer request from {project} with a referral to {detail}."
            ),
            Self::TransferDeclined => {
                format!("Coordinated Entry declined a transfer request from {project}.")
            }
            Self::ReassignmentRequested => format!(
                "{detail} says a referral to {project} was sent incorrectly or needs reassignment."
            ),
            Self::ReferralReassigned => format!(
                "The referring organization reassigned a referral to {project} to another project."
            ),
            Self::ReferralWithdrawn => {
                format!("The referring organization withdrew a referral to {project}.")
            }
        };
        // The column holds at most 300 characters; project names are at most 200.
        text.chars().take(300).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationItem {
    pub id: i64,
    pub message: String,
    pub link: String,
    /// When it happened, as people read it (MM/DD/YYYY HH:MM).
    pub created: String,
    pub read: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationList {
    pub items: Vec<NotificationItem>,
    pub unread: i64,
}

impl NotificationKind {
    /// The kind of a timeliness transition's notification.
    pub const fn of_transition(transition: Transition) -> Self {
        match transition {
            Transition::DueTomorrow => Self::ReferralDueTomorrow,
            Transition::Overdue => Self::ReferralOverdue,
        }
    }
}

/// A message of the e-mail outbox, as the System Administrator reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i32,
    pub created: String,
    pub sent: Option<String>,
    pub failed: Option<String>,
    pub last_error: Option<String>,
}

/// The outbox page: the latest messages, how many wait, and whether a mail server sends them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxPage {
    pub entries: Vec<OutboxEntry>,
    pub waiting: i64,
    pub sending: bool,
}

/// The user's notification delivery, as the preference form shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryPreference {
    pub delivery: Delivery,
    /// E-mail choices need an address on file.
    pub has_email: bool,
    pub version: i32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_project_and_what_happened() {
        use NotificationKind::*;
        assert_eq!(
            ReferralReceived.message("Northside PSH", ""),
            "New referral to Northside PSH."
        );
        assert_eq!(
            ReferralReturned.message("Northside PSH", "No unit available"),
            "A referral to Northside PSH was returned for rematch: No unit available."
        );
        assert_eq!(
            NoteAdded.message("Northside PSH", "Riverbend CoC Coordinated Entry"),
            "Riverbend CoC Coordinated Entry added a note on a referral to Northside PSH."
        );
        assert_eq!(
            ReferralOverdue.message("Northside PSH", ""),
            Transition::Overdue.message("Northside PSH")
        );
        assert_eq!(
            NotificationKind::of_transition(Transition::DueTomorrow),
            ReferralDueTomorrow
        );
        assert_eq!(
            NotificationKind::of_transition(Transition::Overdue),
            ReferralOverdue
        );
        assert_eq!(
            ReassignmentRequested.message("Eastgate Case Management", "Eastgate Community Services"),
            "Eastgate Community Services says a referral to Eastgate Case Management was sent incorrectly or needs reassignment."
        );
        assert_eq!(
            ReferralWithdrawn.message("Eastgate Case Management", ""),
            "The referring organization withdrew a referral to Eastgate Case Management."
        );
        for kind in [
            ReturnConfirmed,
            ReturnSentBack,
            ReferralResolved,
            ReferralDueTomorrow,
            ReferralReassigned,
        ] {
            assert!(kind.message("P", "d").contains("referral to P"), "{kind:?}");
        }
        assert_eq!(
            ReferralReceived
                .message(&"x".repeat(400), "")
                .chars()
                .count(),
            300
        );
    }

    #[test]
    fn stored_kinds_are_those_the_table_accepts() {
        // The kinds' check as migration 17 left it.
        let migration =
            include_str!("../../../../migrations/20261204000017_referral_reassignment.sql");
        for kind in [
            NotificationKind::ReferralReceived,
            NotificationKind::ReferralReturned,
            NotificationKind::ReturnConfirmed,
            NotificationKind::ReturnSentBack,
            NotificationKind::NoteAdded,
            NotificationKind::ReferralResolved,
            NotificationKind::ReferralDueTomorrow,
            NotificationKind::ReferralOverdue,
            NotificationKind::TransferRequested,
            NotificationKind::TransferReferred,
            NotificationKind::TransferDeclined,
            NotificationKind::ReassignmentRequested,
            NotificationKind::ReferralReassigned,
            NotificationKind::ReferralWithdrawn,
        ] {
            assert!(
                migration.contains(&format!("'{}'", kind.stored())),
                "{kind:?}"
            );
        }
    }
}

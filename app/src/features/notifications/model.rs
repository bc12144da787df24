//! In-app notifications: what happened on a referral, for the organization on the other side,
//! as a deep link. The text never names the client (HMIS privacy): only what happened and where.

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
        for kind in [ReturnConfirmed, ReturnSentBack, ReferralResolved] {
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
        let migration = include_str!("../../../../migrations/20261202000013_notifications.sql");
        for kind in [
            NotificationKind::ReferralReceived,
            NotificationKind::ReferralReturned,
            NotificationKind::ReturnConfirmed,
            NotificationKind::ReturnSentBack,
            NotificationKind::NoteAdded,
            NotificationKind::ReferralResolved,
        ] {
            assert!(
                migration.contains(&format!("'{}'", kind.stored())),
                "{kind:?}"
            );
        }
    }
}

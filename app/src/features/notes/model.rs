//! Notes on a referral: an append-only thread between the two sides of a CE referral (the
//! receiving organization and the CoC's Coordinated Entry organization) or of a non-CE referral
//! (the referring and the receiving organization). Nobody else reads them, System
//! Administrators included.

use crate::domain::access::ActiveContext;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub author: String,
    pub organization: String,
    /// When it was written, as people read it (MM/DD/YYYY h:mm, the server's time zone).
    pub written: String,
    pub body: String,
}

/// The notes a form shows; `None` in the form when the context may not read them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteThread {
    /// Oldest first, as a conversation reads.
    pub notes: Vec<Note>,
}

/// Who reads and writes the notes of a CE referral: its receiving organization and the CoC's
/// Coordinated Entry organization.
pub fn reads_ce_notes(context: &ActiveContext, receiving_org: i64, ce_coc: &str) -> bool {
    context.organization_id == receiving_org || context.ce_for_coc.as_deref() == Some(ce_coc)
}

/// Who reads and writes the notes of a non-CE referral: the organizations at either end.
pub fn reads_referral_notes(context: &ActiveContext, from_org: i64, to_org: i64) -> bool {
    context.organization_id == from_org || context.organization_id == to_org
}

/// Which referral a note is written on (the note forms post these as hidden fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoteOn {
    CeEvent { client_id: i64, event_id: i64 },
    Referral { client_id: i64, referral_id: i64 },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::Workgroup;

    fn context(org: i64, ce_for: Option<&str>, workgroup: Workgroup) -> ActiveContext {
        ActiveContext {
            workgroup,
            organization_id: org,
            organization_name: "Org".into(),
            ce_for_coc: ce_for.map(str::to_string),
        }
    }

    #[test]
    fn ce_notes_are_for_the_receiving_and_the_ce_organization_only() {
        assert!(reads_ce_notes(
            &context(5, None, Workgroup::HmisUser),
            5,
            "RB-501"
        ));
        assert!(reads_ce_notes(
            &context(9, Some("RB-501"), Workgroup::PriorityListManager),
            5,
            "RB-501"
        ));
        assert!(!reads_ce_notes(
            &context(6, None, Workgroup::HmisUser),
            5,
            "RB-501"
        ));
        assert!(!reads_ce_notes(
            &context(10, Some("LK-502"), Workgroup::PriorityListManager),
            5,
            "RB-501"
        ));
        assert!(!reads_ce_notes(
            &context(1, None, Workgroup::SystemAdministrator),
            5,
            "RB-501"
        ));
    }

    #[test]
    fn referral_notes_are_for_the_two_ends_only() {
        assert!(reads_referral_notes(
            &context(3, None, Workgroup::HmisUser),
            3,
            4
        ));
        assert!(reads_referral_notes(
            &context(4, None, Workgroup::HmisUser),
            3,
            4
        ));
        assert!(!reads_referral_notes(
            &context(5, None, Workgroup::HmisUser),
            3,
            4
        ));
        assert!(!reads_referral_notes(
            &context(1, Some("RB-501"), Workgroup::SystemAdministrator),
            3,
            4
        ));
    }
}

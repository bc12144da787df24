//! Non-CE reassignment (article 003: "If a referral was sent incorrectly or needs reassignment,
//! coordinate with the referring agency before making changes"): the receiving organization asks
//! with a note; the referring organization reassigns the referral to another project (a new
//! referral linked to the old, the old one closed) or withdraws it. Neither side edits the
//! other's record. The forms run these rules as the user types; the server runs them again.

use super::referral_return::NoteText;
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

/// The receiving organization's "Needs reassignment" form (`request[note]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReassignmentRequestDraft {
    pub note: String,
}

pub const REASSIGN_NOTE: &str = "reassign_note";
pub const REASSIGN_DECISION: &str = "reassign_decision";
pub const REASSIGN_PROJECT: &str = "reassign_project";

/// Whether the receiving organization may ask: the referral is still open (no Result, not
/// closed) and no request of it awaits the referring organization.
pub fn can_ask_reassignment(
    resolved: bool,
    closed: bool,
    pending: bool,
) -> Result<(), &'static str> {
    if closed {
        return Err("This referral is closed.");
    }
    if resolved {
        return Err("This referral is resolved: it can no longer be reassigned.");
    }
    if pending {
        return Err("A reassignment request awaits the referring organization.");
    }
    Ok(())
}

pub fn validate_request(draft: &ReassignmentRequestDraft) -> Result<NoteText, FieldErrors> {
    let mut errors = FieldErrors::new();
    match errors.check(REASSIGN_NOTE, NoteText::parse(&draft.note)) {
        Some(note) => Ok(note),
        None => Err(errors),
    }
}

/// The referring organization's answer as typed (`answer[...]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReassignmentAnswerDraft {
    /// [`ReassignmentDecision::value`].
    pub decision: String,
    /// The project a reassignment goes to (its id).
    pub to_project: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReassignmentDecision {
    /// A new referral to `to_project`, the old one closed.
    Reassign(i64),
    /// The old one closed, no new referral.
    Withdraw,
}

impl ReassignmentDecision {
    pub const REASSIGN: &'static str = "reassign";
    pub const WITHDRAW: &'static str = "withdraw";

    pub const fn stored(self) -> &'static str {
        match self {
            Self::Reassign(_) => "reassigned",
            Self::Withdraw => "withdrawn",
        }
    }
}

/// Checks the answer: reassign to one of `projects` other than the current one and the one the
/// referral comes from, or withdraw.
pub fn validate_answer(
    draft: &ReassignmentAnswerDraft,
    projects: &[(i64, String)],
    current_project: i64,
    from_project: i64,
) -> Result<ReassignmentDecision, FieldErrors> {
    let mut errors = FieldErrors::new();
    match draft.decision.trim() {
        ReassignmentDecision::WITHDRAW => return Ok(ReassignmentDecision::Withdraw),
        ReassignmentDecision::REASSIGN => {}
        _ => {
            errors.add(REASSIGN_DECISION, "Choose Reassign or Withdraw.");
            return Err(errors);
        }
    }
    let project = draft
        .to_project
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| projects.iter().any(|(p, _)| p == id));
    match project {
        None if draft.to_project.trim().is_empty() => errors.add(
            REASSIGN_PROJECT,
            "Choose the project to refer the client to instead.",
        ),
        None => errors.add(REASSIGN_PROJECT, "Choose one of the listed projects."),
        Some(id) if id == current_project => errors.add(
            REASSIGN_PROJECT,
            "Choose another project than the one the referral went to.",
        ),
        Some(id) if id == from_project => {
            errors.add(REASSIGN_PROJECT, "Refer the client to another project.")
        }
        Some(id) => return Ok(ReassignmentDecision::Reassign(id)),
    }
    Err(errors)
}

/// How a closed referral reads: "Closed: reassigned to …" / "Closed: withdrawn …".
pub fn closed_label(reason: &str, reassigned_to: Option<&str>) -> String {
    match (reason, reassigned_to) {
        ("reassigned", Some(project)) => format!("Closed: reassigned to {project}"),
        ("reassigned", None) => "Closed: reassigned".to_string(),
        ("withdrawn", _) => "Closed: withdrawn by the referring organization".to_string(),
        _ => "Closed".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn projects() -> Vec<(i64, String)> {
        vec![(3, "Harbor Light TH".into()), (5, "Eastgate".into())]
    }

    fn answer(decision: &str, to_project: &str) -> ReassignmentAnswerDraft {
        ReassignmentAnswerDraft {
            decision: decision.into(),
            to_project: to_project.into(),
        }
    }

    #[test]
    fn only_an_open_referral_without_a_pending_request_is_asked_about() {
        assert_eq!(can_ask_reassignment(false, false, false), Ok(()));
        assert_eq!(
            can_ask_reassignment(true, false, false),
            Err("This referral is resolved: it can no longer be reassigned.")
        );
        assert_eq!(
            can_ask_reassignment(false, true, false),
            Err("This referral is closed.")
        );
        assert_eq!(
            can_ask_reassignment(false, false, true),
            Err("A reassignment request awaits the referring organization.")
        );
        assert_eq!(
            validate_request(&ReassignmentRequestDraft { note: " ".into() })
                .unwrap_err()
                .get(REASSIGN_NOTE),
            Some("Write a note.")
        );
        // Exactly the limit passes; one more is refused.
        assert!(validate_request(&ReassignmentRequestDraft {
            note: "a".repeat(2000)
        })
        .is_ok());
        assert!(validate_request(&ReassignmentRequestDraft {
            note: "a".repeat(2001)
        })
        .is_err());
        // Closed wins over resolved and pending: it says what the user sees.
        assert_eq!(
            can_ask_reassignment(true, true, true),
            Err("This referral is closed.")
        );
        assert_eq!(
            can_ask_reassignment(true, false, true),
            Err("This referral is resolved: it can no longer be reassigned.")
        );
        assert_eq!(
            validate_request(&ReassignmentRequestDraft {
                note: "We run no dental clinic.".into()
            })
            .unwrap()
            .as_str(),
            "We run no dental clinic."
        );
    }

    #[test]
    fn the_answer_reassigns_to_another_listed_project_or_withdraws() {
        assert_eq!(
            validate_answer(&answer("withdraw", ""), &projects(), 3, 8),
            Ok(ReassignmentDecision::Withdraw)
        );
        assert_eq!(
            validate_answer(&answer("reassign", "5"), &projects(), 3, 8),
            Ok(ReassignmentDecision::Reassign(5))
        );
        for (draft, field, message) in [
            (
                answer("", ""),
                REASSIGN_DECISION,
                "Choose Reassign or Withdraw.",
            ),
            (
                answer("reassign", ""),
                REASSIGN_PROJECT,
                "Choose the project to refer the client to instead.",
            ),
            (
                answer("reassign", "9"),
                REASSIGN_PROJECT,
                "Choose one of the listed projects.",
            ),
            (
                answer("reassign", "x"),
                REASSIGN_PROJECT,
                "Choose one of the listed projects.",
            ),
            (
                answer("reassign", "3"),
                REASSIGN_PROJECT,
                "Choose another project than the one the referral went to.",
            ),
            // 5 is listed, but it is the project the referral comes from.
            (
                answer("reassign", "5"),
                REASSIGN_PROJECT,
                "Refer the client to another project.",
            ),
            (
                answer("Reassign", "5"),
                REASSIGN_DECISION,
                "Choose Reassign or Withdraw.",
            ),
        ] {
            assert_eq!(
                validate_answer(&draft, &projects(), 3, 5)
                    .unwrap_err()
                    .get(field),
                Some(message),
                "{draft:?}"
            );
        }
        // Spaces around the choice are the browser's; a project beside Withdraw is ignored.
        assert_eq!(
            validate_answer(&answer(" withdraw ", "5"), &projects(), 3, 8),
            Ok(ReassignmentDecision::Withdraw)
        );
        assert_eq!(
            validate_answer(&answer("reassign", " 5 "), &projects(), 3, 8),
            Ok(ReassignmentDecision::Reassign(5))
        );
        assert_eq!(ReassignmentDecision::Reassign(5).stored(), "reassigned");
        assert_eq!(ReassignmentDecision::Withdraw.stored(), "withdrawn");
    }

    #[test]
    fn a_closed_referral_says_why() {
        assert_eq!(
            closed_label("reassigned", Some("Eastgate")),
            "Closed: reassigned to Eastgate"
        );
        assert_eq!(closed_label("reassigned", None), "Closed: reassigned");
        assert_eq!(
            closed_label("withdrawn", None),
            "Closed: withdrawn by the referring organization"
        );
        assert_eq!(
            closed_label("withdrawn", Some("Eastgate")),
            "Closed: withdrawn by the referring organization"
        );
        assert_eq!(closed_label("lost", None), "Closed");
    }
}

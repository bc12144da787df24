//! Returning a CE referral to Coordinated Entry for a rematch, the Priority List Manager's review
//! of the return, and the notes both sides write on a referral. The forms run these as the user
//! types; the server functions run them again before anything is written.

use super::ce_event::CeEventFacts;
use super::codes::ReferralResult;
use super::text::check_no_control_characters;
use crate::error::FieldErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest note, return note or decision note (characters).
pub const NOTE_MAX: usize = 2000;

/// Free text a person wrote to the other side: trimmed, not empty, at most [`NOTE_MAX`]
/// characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteText(String);

impl NoteText {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let text = raw.trim();
        if text.is_empty() {
            return Err("Write a note.");
        }
        if text.chars().count() > NOTE_MAX {
            return Err("A note can be at most 2,000 characters.");
        }
        check_no_control_characters(text)?;
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A reason a CoC offers for a return, with its HUD mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnReason {
    pub id: i64,
    pub label: String,
    /// HUD 4.20.D: a return is always unsuccessful (client or provider rejected).
    pub referral_result: ReferralResult,
    /// The default If Not Housed, Reason the return records.
    pub not_housed_reason_id: Option<i64>,
}

/// The "Return to Coordinated Entry" form as typed (`return[...]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReturnDraft {
    /// The return reason's id.
    pub reason: String,
    pub note: String,
}

/// A return the rules accepted: what the save writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidReturn {
    pub reason_id: i64,
    pub referral_result: ReferralResult,
    pub not_housed_reason_id: Option<i64>,
    pub note: NoteText,
}

/// Whether the referral may be returned at all: it takes a Referral Result (HUD 4.20.D) and has
/// none yet. (A resolved referral was answered already; a successful one is locked.)
pub fn can_return(facts: &CeEventFacts) -> Result<(), &'static str> {
    if !facts.event.takes_referral_result() {
        return Err("This event takes no Referral Result, so it cannot be returned for a rematch.");
    }
    if facts.referral_result.is_some() {
        return Err("This referral is already resolved: it can no longer be returned.");
    }
    Ok(())
}

/// Checks the return form against the CoC's reasons.
pub fn validate_return(
    facts: &CeEventFacts,
    draft: &ReturnDraft,
    reasons: &[ReturnReason],
) -> Result<ValidReturn, FieldErrors> {
    let mut errors = FieldErrors::new();
    errors.check("return_reason", can_return(facts));
    let reason = match draft.reason.trim() {
        "" => {
            errors.add("return_reason", "Choose why the referral is returned.");
            None
        }
        raw => {
            let found = raw
                .parse::<i64>()
                .ok()
                .and_then(|id| reasons.iter().find(|r| r.id == id));
            if found.is_none() {
                errors.add("return_reason", "Choose one of the listed reasons.");
            }
            found
        }
    };
    let note = errors.check("return_note", NoteText::parse(&draft.note));
    match (reason, note) {
        (Some(reason), Some(note)) if errors.is_empty() => Ok(ValidReturn {
            reason_id: reason.id,
            referral_result: reason.referral_result,
            not_housed_reason_id: reason.not_housed_reason_id,
            note,
        }),
        _ => Err(errors),
    }
}

/// The Priority List Manager's answer to a return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReturnDecision {
    /// The return stands: the client is free for a new referral.
    Confirm,
    /// The provider must answer the referral again: its result is cleared.
    SendBack,
}

impl ReturnDecision {
    pub const fn value(self) -> &'static str {
        match self {
            Self::Confirm => "confirm",
            Self::SendBack => "send_back",
        }
    }

    pub fn from_value(raw: &str) -> Option<Self> {
        match raw {
            "confirm" => Some(Self::Confirm),
            "send_back" => Some(Self::SendBack),
            _ => None,
        }
    }

    /// The word kept with the return (`ce_event_returns.decision`).
    pub const fn stored(self) -> &'static str {
        match self {
            Self::Confirm => "confirmed",
            Self::SendBack => "sent_back",
        }
    }
}

/// The review form as typed (`review[...]`): the button pressed and the note.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewDraft {
    pub decision: String,
    pub note: String,
}

/// A decision the rules accepted. Sending back needs a note (the provider must learn why);
/// a confirmation may carry one.
pub fn validate_review(
    draft: &ReviewDraft,
) -> Result<(ReturnDecision, Option<NoteText>), FieldErrors> {
    let mut errors = FieldErrors::new();
    let decision = ReturnDecision::from_value(draft.decision.trim());
    if decision.is_none() {
        errors.add(
            "review_decision",
            "Choose Confirm return or Send back to provider.",
        );
    }
    let note = match (decision, draft.note.trim().is_empty()) {
        (Some(ReturnDecision::SendBack), true) => {
            errors.add(
                "review_note",
                "Write the provider a note: why the referral goes back to them.",
            );
            None
        }
        (_, true) => None,
        (_, false) => errors.check("review_note", NoteText::parse(&draft.note)),
    };
    match decision {
        Some(decision) if errors.is_empty() => Ok((decision, note)),
        _ => Err(errors),
    }
}

/// A return can go back to the provider only while the client is still in Coordinated Entry:
/// after the CE exit an unresolved referral would be left on a closed CE enrollment (the exit
/// closes open referrals; it would not close this one again). Confirming stays possible.
pub fn check_decision_after_exit(
    decision: ReturnDecision,
    ce_exit_date: Option<NaiveDate>,
) -> Result<(), String> {
    match (decision, ce_exit_date) {
        (ReturnDecision::SendBack, Some(exit)) => Err(format!(
            "The client was exited from Coordinated Entry on {}: the referral cannot go back to the provider. Confirm the return.",
            crate::domain::dates::format_date(exit)
        )),
        _ => Ok(()),
    }
}

/// A client holds one open CE referral at a time (an unresolved one, or a return awaiting
/// review): a second needs the Priority List Manager's explicit "Refer anyway".
pub fn check_one_open_referral(open_to: Option<&str>, refer_anyway: bool) -> Result<(), String> {
    match open_to {
        Some(project) if !refer_anyway => Err(format!(
            "This client already has an open referral to {project}. Resolve or review it first, or tick \"Refer although another referral is open\"."
        )),
        _ => Ok(()),
    }
}

/// The System Administrator's form of a CoC's return reason (`reason[...]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReturnReasonDraft {
    pub label: String,
    /// HUD 4.20.D code: 2 or 3.
    pub referral_result: String,
    /// The default If Not Housed, Reason's id, or empty.
    pub not_housed_reason: String,
    /// The Referral Need Status's id, or empty.
    pub need_status: String,
    pub sort_order: String,
    /// "yes" while the reason is offered.
    pub active: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidReturnReason {
    pub label: String,
    pub referral_result: ReferralResult,
    pub not_housed_reason_id: Option<i64>,
    pub need_status_id: Option<i64>,
    pub sort_order: i32,
    pub active: bool,
}

/// The longest return reason label (characters).
pub const REASON_LABEL_MAX: usize = 200;

/// Checks a return reason against the pick lists: the If Not Housed reasons and the CoC's own
/// need statuses.
pub fn validate_return_reason(
    draft: &ReturnReasonDraft,
    not_housed_ids: &[i64],
    status_ids: &[i64],
) -> Result<ValidReturnReason, FieldErrors> {
    let mut errors = FieldErrors::new();
    let label = draft.label.trim();
    if label.is_empty() {
        errors.add("reason_label", "Name the reason.");
    } else if label.chars().count() > REASON_LABEL_MAX {
        errors.add("reason_label", "A reason can be at most 200 characters.");
    } else {
        errors.check("reason_label", check_no_control_characters(label));
    }
    let referral_result = match draft.referral_result.trim() {
        "2" => Some(ReferralResult::UnsuccessfulClientRejected),
        "3" => Some(ReferralResult::UnsuccessfulProviderRejected),
        _ => {
            errors.add(
                "reason_referral_result",
                "A return is unsuccessful: choose client rejected or provider rejected.",
            );
            None
        }
    };
    let pick =
        |errors: &mut FieldErrors, field: &str, raw: &str, ids: &[i64], message: &str| match raw
            .trim()
        {
            "" => None,
            raw => match raw.parse::<i64>().ok().filter(|id| ids.contains(id)) {
                Some(id) => Some(id),
                None => {
                    errors.add(field, message.to_string());
                    None
                }
            },
        };
    let not_housed_reason_id = pick(
        &mut errors,
        "reason_not_housed",
        &draft.not_housed_reason,
        not_housed_ids,
        "Choose one of the listed If Not Housed reasons.",
    );
    let need_status_id = pick(
        &mut errors,
        "reason_need_status",
        &draft.need_status,
        status_ids,
        "Choose one of this CoC's need statuses.",
    );
    let sort_order = match draft.sort_order.trim().parse::<i32>() {
        Ok(n) if (1..=999).contains(&n) => Some(n),
        _ => {
            errors.add("reason_sort_order", "Enter a whole number from 1 to 999.");
            None
        }
    };
    match (referral_result, sort_order) {
        (Some(referral_result), Some(sort_order)) if errors.is_empty() => Ok(ValidReturnReason {
            label: label.to_string(),
            referral_result,
            not_housed_reason_id,
            need_status_id,
            sort_order,
            active: draft.active == "yes",
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::EventType;

    fn facts(result: Option<ReferralResult>) -> CeEventFacts {
        CeEventFacts {
            event: EventType::PermanentSupportiveHousing,
            event_date: NaiveDate::from_ymd_opt(2026, 11, 10).unwrap(),
            date_acknowledged: None,
            referral_result: result,
            result_date: None,
            resulting_enrollment_id: None,
        }
    }

    fn reasons() -> Vec<ReturnReason> {
        vec![
            ReturnReason {
                id: 7,
                label: "Client declined the housing offered".into(),
                referral_result: ReferralResult::UnsuccessfulClientRejected,
                not_housed_reason_id: Some(2),
            },
            ReturnReason {
                id: 9,
                label: "No unit available".into(),
                referral_result: ReferralResult::UnsuccessfulProviderRejected,
                not_housed_reason_id: None,
            },
        ]
    }

    fn draft(reason: &str, note: &str) -> ReturnDraft {
        ReturnDraft {
            reason: reason.into(),
            note: note.into(),
        }
    }

    #[test]
    fn a_return_takes_the_reasons_hud_mapping() {
        let valid =
            validate_return(&facts(None), &draft("7", " Declined the unit "), &reasons()).unwrap();
        assert_eq!(valid.reason_id, 7);
        assert_eq!(
            valid.referral_result,
            ReferralResult::UnsuccessfulClientRejected
        );
        assert_eq!(valid.not_housed_reason_id, Some(2));
        assert_eq!(valid.note.as_str(), "Declined the unit");
        let provider = validate_return(&facts(None), &draft("9", "x"), &reasons()).unwrap();
        assert_eq!(
            provider.referral_result,
            ReferralResult::UnsuccessfulProviderRejected
        );
        assert_eq!(provider.not_housed_reason_id, None);
    }

    #[test]
    fn a_return_needs_a_listed_reason_and_a_note() {
        let errors = validate_return(&facts(None), &draft("", "  "), &reasons()).unwrap_err();
        assert_eq!(
            errors.get("return_reason"),
            Some("Choose why the referral is returned.")
        );
        assert_eq!(errors.get("return_note"), Some("Write a note."));
        for unknown in ["8", "x", "-7"] {
            let errors =
                validate_return(&facts(None), &draft(unknown, "n"), &reasons()).unwrap_err();
            assert_eq!(
                errors.get("return_reason"),
                Some("Choose one of the listed reasons."),
                "{unknown}"
            );
            assert!(errors.get("return_note").is_none());
        }
    }

    #[test]
    fn a_resolved_referral_or_one_without_a_result_cannot_be_returned() {
        for result in ReferralResult::ALL {
            let errors =
                validate_return(&facts(Some(*result)), &draft("7", "n"), &reasons()).unwrap_err();
            assert_eq!(
                errors.get("return_reason"),
                Some("This referral is already resolved: it can no longer be returned.")
            );
        }
        let mut outreach = facts(None);
        outreach.event = EventType::from_code(16).unwrap();
        assert!(can_return(&outreach).is_err());
        for code in [10, 15, 17, 18] {
            let mut takes = facts(None);
            takes.event = EventType::from_code(code).unwrap();
            assert_eq!(can_return(&takes), Ok(()), "event {code}");
        }
    }

    #[test]
    fn notes_at_the_limit() {
        assert!(NoteText::parse(&"a".repeat(NOTE_MAX)).is_ok());
        assert_eq!(
            NoteText::parse(&"a".repeat(NOTE_MAX + 1)),
            Err("A note can be at most 2,000 characters.")
        );
        // Characters, not bytes: 2,000 accented letters fit.
        assert!(NoteText::parse(&"é".repeat(NOTE_MAX)).is_ok());
        // The surrounding blanks do not count.
        assert!(NoteText::parse(&format!("  {}  ", "a".repeat(NOTE_MAX))).is_ok());
        assert_eq!(NoteText::parse(" \n\t "), Err("Write a note."));
        assert!(NoteText::parse("a\u{0}b").is_err());
        assert_eq!(
            NoteText::parse("line one\nline two").unwrap().as_str(),
            "line one\nline two"
        );
    }

    #[test]
    fn sending_back_needs_a_note_confirming_does_not() {
        let review = |decision: &str, note: &str| {
            validate_review(&ReviewDraft {
                decision: decision.into(),
                note: note.into(),
            })
        };
        assert_eq!(review("confirm", ""), Ok((ReturnDecision::Confirm, None)));
        let (decision, note) = review("confirm", "ok").unwrap();
        assert_eq!(decision, ReturnDecision::Confirm);
        assert_eq!(note.unwrap().as_str(), "ok");
        let errors = review("send_back", " ").unwrap_err();
        assert_eq!(
            errors.get("review_note"),
            Some("Write the provider a note: why the referral goes back to them.")
        );
        let (decision, note) = review("send_back", "Call again").unwrap();
        assert_eq!(decision, ReturnDecision::SendBack);
        assert_eq!(note.unwrap().as_str(), "Call again");
        assert!(review("delete", "x")
            .unwrap_err()
            .get("review_decision")
            .is_some());
        assert!(review("send_back", &"a".repeat(NOTE_MAX + 1)).is_err());
    }

    #[test]
    fn one_open_referral_unless_the_plm_refers_anyway() {
        assert_eq!(check_one_open_referral(None, false), Ok(()));
        assert_eq!(check_one_open_referral(None, true), Ok(()));
        assert_eq!(check_one_open_referral(Some("Harbor PSH"), true), Ok(()));
        let refused = check_one_open_referral(Some("Harbor PSH"), false).unwrap_err();
        assert!(refused.contains("open referral to Harbor PSH"), "{refused}");
    }

    fn reason_draft() -> ReturnReasonDraft {
        ReturnReasonDraft {
            label: " No unit available ".into(),
            referral_result: "3".into(),
            not_housed_reason: "5".into(),
            need_status: "40".into(),
            sort_order: "1".into(),
            active: "yes".into(),
        }
    }

    #[test]
    fn a_return_reason_maps_to_an_unsuccessful_result() {
        let valid = validate_return_reason(&reason_draft(), &[5], &[40]).unwrap();
        assert_eq!(valid.label, "No unit available");
        assert_eq!(
            valid.referral_result,
            ReferralResult::UnsuccessfulProviderRejected
        );
        assert_eq!(
            (valid.not_housed_reason_id, valid.need_status_id),
            (Some(5), Some(40))
        );
        assert!(valid.active);
        let mut client = reason_draft();
        client.referral_result = "2".into();
        client.active = String::new();
        client.not_housed_reason = String::new();
        client.need_status = String::new();
        let valid = validate_return_reason(&client, &[5], &[40]).unwrap();
        assert_eq!(
            valid.referral_result,
            ReferralResult::UnsuccessfulClientRejected
        );
        assert_eq!(
            (valid.not_housed_reason_id, valid.need_status_id),
            (None, None)
        );
        assert!(!valid.active);
        // Successful (1) is no return.
        for code in ["1", "", "4", "x"] {
            let mut bad = reason_draft();
            bad.referral_result = code.into();
            let errors = validate_return_reason(&bad, &[5], &[40]).unwrap_err();
            assert!(errors.get("reason_referral_result").is_some(), "{code}");
        }
    }

    #[test]
    fn a_return_reason_picks_from_the_lists_and_keeps_its_limits() {
        let mut foreign = reason_draft();
        foreign.need_status = "41".into();
        foreign.not_housed_reason = "6".into();
        let errors = validate_return_reason(&foreign, &[5], &[40]).unwrap_err();
        assert_eq!(
            errors.get("reason_need_status"),
            Some("Choose one of this CoC's need statuses.")
        );
        assert!(errors.get("reason_not_housed").is_some());
        let mut label = reason_draft();
        label.label = "a".repeat(REASON_LABEL_MAX);
        assert!(validate_return_reason(&label, &[5], &[40]).is_ok());
        label.label = "a".repeat(REASON_LABEL_MAX + 1);
        assert!(validate_return_reason(&label, &[5], &[40]).is_err());
        label.label = "  ".into();
        assert_eq!(
            validate_return_reason(&label, &[5], &[40])
                .unwrap_err()
                .get("reason_label"),
            Some("Name the reason.")
        );
        for (order, ok) in [
            ("0", false),
            ("1", true),
            ("999", true),
            ("1000", false),
            ("", false),
        ] {
            let mut d = reason_draft();
            d.sort_order = order.into();
            assert_eq!(
                validate_return_reason(&d, &[5], &[40]).is_ok(),
                ok,
                "{order}"
            );
        }
    }

    #[test]
    fn decisions_round_trip_their_values() {
        for d in [ReturnDecision::Confirm, ReturnDecision::SendBack] {
            assert_eq!(ReturnDecision::from_value(d.value()), Some(d));
        }
        assert_eq!(ReturnDecision::Confirm.stored(), "confirmed");
        assert_eq!(ReturnDecision::SendBack.stored(), "sent_back");
        assert_eq!(ReturnDecision::from_value(""), None);
    }

    #[test]
    fn a_return_goes_back_only_while_the_client_is_in_coordinated_entry() {
        let exit = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(
            check_decision_after_exit(ReturnDecision::SendBack, None),
            Ok(())
        );
        assert_eq!(
            check_decision_after_exit(ReturnDecision::Confirm, Some(exit)),
            Ok(())
        );
        let refused = check_decision_after_exit(ReturnDecision::SendBack, Some(exit)).unwrap_err();
        assert!(refused.contains("11/30/2026"), "{refused}");
        assert!(refused.contains("Confirm the return"), "{refused}");
    }
}

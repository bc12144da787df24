//! Non-CE referral rules (ClientTrack "Client Referrals": Referral Outcome and Outcome
//! Information). Shared by the Referrals pages and their server functions.

use super::codes::NonCeReferralResult;
use super::dates::{not_in_future, parse_date, parse_optional_date};
use crate::error::FieldErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const SERVICE_MAX: usize = 200;
pub const COMMENTS_MAX: usize = 2000;

/// A new referral as typed (a field the form leaves out is empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewReferralDraft {
    pub from_project: String,
    pub to_project: String,
    pub referral_date: String,
    pub service: String,
    pub comments: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidNewReferral {
    pub from_project: i64,
    pub to_project: i64,
    pub referral_date: NaiveDate,
    pub service: String,
    pub comments: Option<String>,
}

fn text(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    max: usize,
    required: Option<&str>,
) -> Option<String> {
    let value = raw.trim();
    if value.is_empty() {
        if let Some(message) = required {
            errors.add(field, message);
        }
        return None;
    }
    if value.chars().count() > max {
        errors.add(field, format!("Use at most {max} characters."));
    }
    Some(value.to_string())
}

/// `from_ids`: projects of the active organization; `to_ids`: projects that take referrals.
pub fn validate_new_referral(
    draft: &NewReferralDraft,
    from_ids: &[i64],
    to_ids: &[i64],
    today: NaiveDate,
) -> Result<ValidNewReferral, FieldErrors> {
    let mut errors = FieldErrors::new();
    let from = draft
        .from_project
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| from_ids.contains(id));
    if from.is_none() {
        errors.add(
            "from_project",
            "Choose the project of your organization that refers the client.",
        );
    }
    let to = draft
        .to_project
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| to_ids.contains(id));
    match to {
        None => errors.add(
            "to_project",
            "Choose the project the client is referred to.",
        ),
        Some(to) if Some(to) == from => {
            errors.add("to_project", "Refer the client to another project.")
        }
        _ => {}
    }
    let date = match parse_date(&draft.referral_date) {
        Ok(date) => {
            errors.check("referral_date", not_in_future(date, today));
            Some(date)
        }
        Err(message) => {
            errors.add("referral_date", message);
            None
        }
    };
    let service = text(
        &mut errors,
        "service",
        &draft.service,
        SERVICE_MAX,
        Some("Name the service the client is referred for."),
    );
    let comments = text(&mut errors, "comments", &draft.comments, COMMENTS_MAX, None);
    match (from, to, date, service, errors.is_empty()) {
        (Some(from_project), Some(to_project), Some(referral_date), Some(service), true) => {
            Ok(ValidNewReferral {
                from_project,
                to_project,
                referral_date,
                service,
                comments,
            })
        }
        _ => Err(errors),
    }
}

/// What the outcome rules need to know about the stored referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralFacts {
    pub referral_date: NaiveDate,
    pub date_acknowledged: Option<NaiveDate>,
    pub result: Option<i16>,
}

/// The Referral Outcome and Outcome Information forms as typed (a field the form leaves out is
/// empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutcomeDraft {
    pub date_referral_acknowledged: String,
    pub appointment_date: String,
    pub result_date: String,
    pub result: String,
    pub outcome_comments: String,
}

/// The Referral Outcome form's fields: each named once (form key, `FieldErrors` key, value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutcomeField {
    DateReferralAcknowledged,
    AppointmentDate,
    ResultDate,
    Result,
    OutcomeComments,
}

impl OutcomeField {
    /// The field's key: its `FieldErrors` key, its element id, its name in `outcome[key]`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::DateReferralAcknowledged => "date_referral_acknowledged",
            Self::AppointmentDate => "appointment_date",
            Self::ResultDate => "result_date",
            Self::Result => "result",
            Self::OutcomeComments => "outcome_comments",
        }
    }

    pub fn get(self, draft: &OutcomeDraft) -> &str {
        match self {
            Self::DateReferralAcknowledged => &draft.date_referral_acknowledged,
            Self::AppointmentDate => &draft.appointment_date,
            Self::ResultDate => &draft.result_date,
            Self::Result => &draft.result,
            Self::OutcomeComments => &draft.outcome_comments,
        }
    }

    pub fn set(self, draft: &mut OutcomeDraft, value: String) {
        let slot = match self {
            Self::DateReferralAcknowledged => &mut draft.date_referral_acknowledged,
            Self::AppointmentDate => &mut draft.appointment_date,
            Self::ResultDate => &mut draft.result_date,
            Self::Result => &mut draft.result,
            Self::OutcomeComments => &mut draft.outcome_comments,
        };
        *slot = value;
    }

    /// The field's form name inside the posted `outcome` struct.
    pub fn form_name(self) -> String {
        format!("outcome[{}]", self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidOutcome {
    pub date_acknowledged: Option<NaiveDate>,
    pub appointment_date: Option<NaiveDate>,
    pub result_date: Option<NaiveDate>,
    pub result: Option<NonCeReferralResult>,
    pub outcome_comments: Option<String>,
}

/// Date Referral Acknowledged: not before the referral date, not in the future. Outcome: a
/// Result needs its Result Date (not before the referral or the appointment, not in the
/// future) and an acknowledgement; the Appointment Date is not before the referral.
pub fn validate_outcome(
    draft: &OutcomeDraft,
    facts: &ReferralFacts,
    today: NaiveDate,
) -> Result<ValidOutcome, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut date = |field: &str, raw: &str| -> Option<NaiveDate> {
        match parse_optional_date(raw) {
            Ok(Some(d)) => {
                if d < facts.referral_date {
                    errors.add(field, "The date cannot be before the referral date.");
                }
                errors.check(field, not_in_future(d, today));
                Some(d)
            }
            Ok(None) => None,
            Err(message) => {
                errors.add(field, message);
                None
            }
        }
    };
    let acknowledged = date(
        "date_referral_acknowledged",
        &draft.date_referral_acknowledged,
    );
    let appointment = date("appointment_date", &draft.appointment_date);
    let result_date = date("result_date", &draft.result_date);
    let result = match draft.result.trim() {
        "" => None,
        raw => {
            let parsed = raw
                .parse::<i16>()
                .ok()
                .and_then(NonCeReferralResult::from_code);
            if parsed.is_none() {
                errors.add("result", "Choose one of the four results.");
            }
            parsed
        }
    };
    if facts.result.is_some() && result.is_none() {
        errors.add("result", "A resolved referral keeps a Result.");
    }
    if acknowledged.is_none() && facts.date_acknowledged.is_some() {
        errors.add(
            "date_referral_acknowledged",
            "An acknowledged referral keeps its Date Referral Acknowledged.",
        );
    }
    match (result, result_date) {
        (Some(_), None) if draft.result_date.trim().is_empty() => errors.add(
            "result_date",
            "Enter the Result Date: when the result was determined.",
        ),
        (None, Some(_)) => errors.add("result", "Choose the Result this date is for."),
        _ => {}
    }
    if let (Some(r), Some(a)) = (result_date, appointment) {
        if r < a {
            errors.add(
                "result_date",
                "The Result Date cannot be before the Appointment Date.",
            );
        }
    }
    if result.is_some() && acknowledged.is_none() {
        errors.add(
            "date_referral_acknowledged",
            "Record the date the referral was acknowledged before resolving it.",
        );
    }
    let outcome_comments = text(
        &mut errors,
        "outcome_comments",
        &draft.outcome_comments,
        COMMENTS_MAX,
        None,
    );
    if errors.is_empty() {
        Ok(ValidOutcome {
            date_acknowledged: acknowledged,
            appointment_date: appointment,
            result_date,
            result,
            outcome_comments,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_field_sets_only_itself() {
        const ALL: [OutcomeField; 5] = [
            OutcomeField::DateReferralAcknowledged,
            OutcomeField::AppointmentDate,
            OutcomeField::ResultDate,
            OutcomeField::Result,
            OutcomeField::OutcomeComments,
        ];
        for field in ALL {
            let mut form = OutcomeDraft::default();
            field.set(&mut form, "x".into());
            for other in ALL {
                let expected = if other == field { "x" } else { "" };
                assert_eq!(
                    other.get(&form),
                    expected,
                    "{} set {}",
                    field.name(),
                    other.name()
                );
            }
            assert_eq!(field.form_name(), format!("outcome[{}]", field.name()));
        }
    }

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }
    const TODAY: &str = "2026-11-22";

    fn facts() -> ReferralFacts {
        ReferralFacts {
            referral_date: d("2026-11-10"),
            date_acknowledged: None,
            result: None,
        }
    }

    fn outcome(ack: &str, appointment: &str, result_date: &str, result: &str) -> OutcomeDraft {
        OutcomeDraft {
            date_referral_acknowledged: ack.into(),
            appointment_date: appointment.into(),
            result_date: result_date.into(),
            result: result.into(),
            outcome_comments: String::new(),
        }
    }

    fn error(draft: &OutcomeDraft, field: &str) -> Option<String> {
        validate_outcome(draft, &facts(), d(TODAY))
            .err()
            .and_then(|e| e.get(field).map(str::to_string))
    }

    #[test]
    fn acknowledgement_boundaries() {
        assert!(validate_outcome(&outcome("2026-11-10", "", "", ""), &facts(), d(TODAY)).is_ok());
        assert!(validate_outcome(&outcome(TODAY, "", "", ""), &facts(), d(TODAY)).is_ok());
        assert!(error(
            &outcome("2026-11-09", "", "", ""),
            "date_referral_acknowledged"
        )
        .unwrap()
        .contains("before the referral"));
        assert!(error(
            &outcome("2026-11-23", "", "", ""),
            "date_referral_acknowledged"
        )
        .unwrap()
        .contains("future"));
    }

    #[test]
    fn result_needs_date_acknowledgement_and_order() {
        assert!(error(&outcome("", "", "", "4"), "result_date").is_some());
        assert!(error(&outcome("", "", TODAY, "4"), "date_referral_acknowledged").is_some());
        assert!(error(
            &outcome("2026-11-11", "2026-11-15", "2026-11-14", "4"),
            "result_date"
        )
        .unwrap()
        .contains("Appointment"));
        assert!(error(&outcome("2026-11-11", "", TODAY, ""), "result").is_some());
        assert!(error(&outcome("2026-11-11", "", TODAY, "7"), "result").is_some());
        let ok = validate_outcome(
            &outcome("2026-11-11", "2026-11-15", "2026-11-15", "1"),
            &facts(),
            d(TODAY),
        )
        .unwrap();
        assert_eq!(ok.result, Some(NonCeReferralResult::ServicesProvided));
    }

    #[test]
    fn a_resolved_referral_keeps_its_result_and_acknowledgement() {
        let resolved = ReferralFacts {
            date_acknowledged: Some(d("2026-11-11")),
            result: Some(4),
            ..facts()
        };
        let e = validate_outcome(&outcome("", "", "", ""), &resolved, d(TODAY)).unwrap_err();
        assert!(e.get("result").is_some() && e.get("date_referral_acknowledged").is_some());
    }

    #[test]
    fn comments_are_length_limited() {
        let mut draft = outcome("2026-11-11", "", "", "");
        draft.outcome_comments = "x".repeat(COMMENTS_MAX + 1);
        assert!(validate_outcome(&draft, &facts(), d(TODAY)).is_err());
    }

    #[test]
    fn new_referral_rules() {
        let draft = NewReferralDraft {
            from_project: "1".into(),
            to_project: "2".into(),
            referral_date: TODAY.into(),
            service: "Case management".into(),
            comments: String::new(),
        };
        assert!(validate_new_referral(&draft, &[1], &[2, 3], d(TODAY)).is_ok());
        let same = NewReferralDraft {
            to_project: "1".into(),
            ..draft.clone()
        };
        assert!(validate_new_referral(&same, &[1], &[1, 2], d(TODAY))
            .unwrap_err()
            .get("to_project")
            .is_some());
        let foreign = NewReferralDraft {
            from_project: "9".into(),
            ..draft.clone()
        };
        assert!(validate_new_referral(&foreign, &[1], &[2], d(TODAY))
            .unwrap_err()
            .get("from_project")
            .is_some());
        let future = NewReferralDraft {
            referral_date: "2026-11-23".into(),
            ..draft.clone()
        };
        assert!(validate_new_referral(&future, &[1], &[2], d(TODAY))
            .unwrap_err()
            .get("referral_date")
            .is_some());
        let no_service = NewReferralDraft {
            service: "  ".into(),
            ..draft
        };
        assert!(validate_new_referral(&no_service, &[1], &[2], d(TODAY))
            .unwrap_err()
            .get("service")
            .is_some());
    }
}

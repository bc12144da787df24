//! Rules of an enrollment after intake: 3.20 Housing Move-in Date and 3.11/3.12 Project Exit
//! (reference sections 5.2 and 5.3). Shared by the Enrollment page and its server functions.

use super::codes::{LivingSituation, ProjectType, RentalSubsidyType};
use super::dates::{not_in_future, parse_date};
use crate::error::FieldErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest "Other" destination text (Exit.OtherDestination is S50).
pub const OTHER_DESTINATION_MAX: usize = 50;

/// What the move-in rule needs to know about the enrollment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveInFacts {
    pub project_type: Option<i16>,
    pub is_head: bool,
    pub entry_date: NaiveDate,
    pub exit_date: Option<NaiveDate>,
    pub move_in_date: Option<NaiveDate>,
}

/// Why a move-in date cannot be recorded on this enrollment at all (`None`: it can).
pub fn move_in_unavailable(facts: &MoveInFacts) -> Option<&'static str> {
    let permanent = facts
        .project_type
        .and_then(ProjectType::from_code)
        .is_some_and(ProjectType::is_permanent_housing);
    if !permanent {
        Some("A Housing Move-in Date is recorded only in permanent housing projects.")
    } else if !facts.is_head {
        Some("The Housing Move-in Date is recorded on the head of household's enrollment.")
    } else if facts.move_in_date.is_some() {
        Some("The Housing Move-in Date is recorded once and does not change. If the household lost the unit, exit the enrollment and start a new one.")
    } else {
        None
    }
}

/// 3.20: PH only, head of household only, once; start ≤ move-in ≤ exit; not in the future.
pub fn validate_move_in(
    raw: &str,
    facts: &MoveInFacts,
    today: NaiveDate,
) -> Result<NaiveDate, FieldErrors> {
    let mut errors = FieldErrors::new();
    if let Some(reason) = move_in_unavailable(facts) {
        errors.add("move_in_date", reason);
        return Err(errors);
    }
    let Some(date) = errors.check("move_in_date", parse_date(raw)) else {
        return Err(errors);
    };
    if date < facts.entry_date {
        errors.add(
            "move_in_date",
            "The Housing Move-in Date cannot be before the Project Start Date.",
        );
    }
    if facts.exit_date.is_some_and(|exit| date > exit) {
        errors.add(
            "move_in_date",
            "The Housing Move-in Date cannot be after the Project Exit Date.",
        );
    }
    errors.check("move_in_date", not_in_future(date, today));
    if errors.is_empty() {
        Ok(date)
    } else {
        Err(errors)
    }
}

/// The exit form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExitDraft {
    pub exit_date: String,
    pub destination: String,
    pub destination_subsidy_type: String,
    pub other_destination: String,
    /// The head of household exits with every member still enrolled.
    pub exit_household: bool,
}

/// A household member still enrolled (not exited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenMember {
    pub enrollment_id: i64,
    pub name: String,
    pub entry_date: NaiveDate,
    pub is_head: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExitFacts {
    pub enrollment_id: i64,
    pub entry_date: NaiveDate,
    pub is_head: bool,
    pub already_exited: bool,
    /// The household's other members still enrolled.
    pub others_open: Vec<OpenMember>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidExit {
    pub exit_date: NaiveDate,
    pub destination: LivingSituation,
    pub destination_subsidy_type: Option<RentalSubsidyType>,
    pub other_destination: Option<String>,
    /// The enrollments to exit: this one, and the others when the household exits together.
    pub enrollment_ids: Vec<i64>,
}

/// Whether the destination asks for a subsidy type (435) or a description (17 Other).
pub fn destination_questions(destination: &str) -> (bool, bool) {
    let code = destination.trim().parse::<i16>().ok();
    (code == Some(435), code == Some(17))
}

/// 3.11/3.12: exit date not before start (of every member exiting), not in the future; a
/// Destination allowed for exits, with its dependent subsidy type or text; the head of
/// household does not leave the others enrolled without a head.
pub fn validate_exit(
    draft: &ExitDraft,
    facts: &ExitFacts,
    today: NaiveDate,
) -> Result<ValidExit, FieldErrors> {
    let mut errors = FieldErrors::new();
    if facts.already_exited {
        errors.add("exit_date", "This enrollment has already been exited.");
        return Err(errors);
    }
    let exiting_others = facts.is_head && draft.exit_household;
    if facts.is_head && !facts.others_open.is_empty() && !draft.exit_household {
        errors.add(
            "exit_household",
            "The head of household cannot exit while other members remain enrolled. Exit the household together, or exit the other members first.",
        );
    }
    let exit_date = match parse_date(&draft.exit_date) {
        Ok(date) => Some(date),
        Err(_) if draft.exit_date.trim().is_empty() => {
            errors.add("exit_date", "Enter the Project Exit Date.");
            None
        }
        Err(message) => {
            errors.add("exit_date", message);
            None
        }
    };
    if let Some(date) = exit_date {
        errors.check("exit_date", not_in_future(date, today));
        if date < facts.entry_date {
            errors.add(
                "exit_date",
                "The Project Exit Date cannot be before the Project Start Date.",
            );
        } else if exiting_others {
            if let Some(m) = facts.others_open.iter().find(|m| date < m.entry_date) {
                errors.add(
                    "exit_date",
                    format!(
                        "The Project Exit Date is before {}'s Project Start Date.",
                        m.name
                    ),
                );
            }
        }
    }
    let destination = draft
        .destination
        .trim()
        .parse::<i16>()
        .ok()
        .and_then(LivingSituation::from_code)
        .filter(|d| d.allowed_as_destination());
    if destination.is_none() {
        errors.add("destination", "Choose the Destination.");
    }
    let (asks_subsidy, asks_other) = destination_questions(&draft.destination);
    let subsidy = if asks_subsidy {
        let subsidy = draft
            .destination_subsidy_type
            .trim()
            .parse::<i16>()
            .ok()
            .and_then(RentalSubsidyType::from_code);
        if subsidy.is_none() {
            errors.add(
                "destination_subsidy_type",
                "Choose the rental subsidy type.",
            );
        }
        subsidy
    } else {
        None
    };
    let other = if asks_other {
        let text = draft.other_destination.trim();
        if text.is_empty() {
            errors.add("other_destination", "Describe the destination.");
        } else if text.chars().count() > OTHER_DESTINATION_MAX {
            errors.add(
                "other_destination",
                format!("Use at most {OTHER_DESTINATION_MAX} characters."),
            );
        }
        Some(text.to_string())
    } else {
        None
    };
    match (exit_date, destination, errors.is_empty()) {
        (Some(exit_date), Some(destination), true) => {
            let mut enrollment_ids = vec![facts.enrollment_id];
            if exiting_others {
                enrollment_ids.extend(facts.others_open.iter().map(|m| m.enrollment_id));
            }
            Ok(ValidExit {
                exit_date,
                destination,
                destination_subsidy_type: subsidy,
                other_destination: other,
                enrollment_ids,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }
    const TODAY: &str = "2026-11-22";

    fn ph_head() -> MoveInFacts {
        MoveInFacts {
            project_type: Some(3),
            is_head: true,
            entry_date: d("2026-11-01"),
            exit_date: None,
            move_in_date: None,
        }
    }

    fn move_in_error(raw: &str, facts: &MoveInFacts) -> Option<String> {
        validate_move_in(raw, facts, d(TODAY))
            .err()
            .and_then(|e| e.get("move_in_date").map(str::to_string))
    }

    #[test]
    fn move_in_boundaries() {
        let facts = ph_head();
        assert_eq!(
            validate_move_in("2026-11-01", &facts, d(TODAY)),
            Ok(d("2026-11-01"))
        );
        assert_eq!(validate_move_in(TODAY, &facts, d(TODAY)), Ok(d(TODAY)));
        assert!(move_in_error("2026-10-31", &facts)
            .unwrap()
            .contains("before the Project Start"));
        assert!(move_in_error("2026-11-23", &facts)
            .unwrap()
            .contains("future"));
        let exited = MoveInFacts {
            exit_date: Some(d("2026-11-10")),
            ..ph_head()
        };
        assert!(
            validate_move_in("2026-11-10", &exited, d(TODAY)).is_ok(),
            "on the exit date"
        );
        assert!(move_in_error("2026-11-11", &exited)
            .unwrap()
            .contains("after the Project Exit"));
    }

    #[test]
    fn move_in_only_ph_head_of_household_once() {
        for t in [3, 9, 10, 13] {
            let facts = MoveInFacts {
                project_type: Some(t),
                ..ph_head()
            };
            assert!(
                validate_move_in("2026-11-05", &facts, d(TODAY)).is_ok(),
                "type {t}"
            );
        }
        for t in [0, 2, 4, 6, 14] {
            let facts = MoveInFacts {
                project_type: Some(t),
                ..ph_head()
            };
            assert!(move_in_error("2026-11-05", &facts)
                .unwrap()
                .contains("permanent housing"));
        }
        let member = MoveInFacts {
            is_head: false,
            ..ph_head()
        };
        assert!(move_in_error("2026-11-05", &member)
            .unwrap()
            .contains("head of household"));
        let recorded = MoveInFacts {
            move_in_date: Some(d("2026-11-03")),
            ..ph_head()
        };
        assert!(move_in_error("2026-11-05", &recorded)
            .unwrap()
            .contains("recorded once"));
    }

    fn exit_facts(is_head: bool, others: Vec<OpenMember>) -> ExitFacts {
        ExitFacts {
            enrollment_id: 1,
            entry_date: d("2026-11-01"),
            is_head,
            already_exited: false,
            others_open: others,
        }
    }

    fn draft(date: &str, destination: &str) -> ExitDraft {
        ExitDraft {
            exit_date: date.into(),
            destination: destination.into(),
            ..Default::default()
        }
    }

    #[test]
    fn exit_date_boundaries() {
        let facts = exit_facts(false, vec![]);
        assert!(validate_exit(&draft("2026-11-01", "410"), &facts, d(TODAY)).is_ok());
        assert!(validate_exit(&draft(TODAY, "410"), &facts, d(TODAY)).is_ok());
        let e = validate_exit(&draft("2026-10-31", "410"), &facts, d(TODAY)).unwrap_err();
        assert!(e
            .get("exit_date")
            .unwrap()
            .contains("before the Project Start"));
        let e = validate_exit(&draft("2026-11-23", "410"), &facts, d(TODAY)).unwrap_err();
        assert!(e.get("exit_date").unwrap().contains("future"));
    }

    #[test]
    fn destination_dependent_fields() {
        let facts = exit_facts(false, vec![]);
        let e = validate_exit(&draft(TODAY, "435"), &facts, d(TODAY)).unwrap_err();
        assert!(e.get("destination_subsidy_type").is_some());
        let mut with_subsidy = draft(TODAY, "435");
        with_subsidy.destination_subsidy_type = "419".into();
        with_subsidy.other_destination = "ignored".into();
        let valid = validate_exit(&with_subsidy, &facts, d(TODAY)).unwrap();
        assert_eq!(
            valid.destination_subsidy_type,
            Some(RentalSubsidyType::Vash)
        );
        assert_eq!(valid.other_destination, None, "only for Other (17)");
        let e = validate_exit(&draft(TODAY, "17"), &facts, d(TODAY)).unwrap_err();
        assert!(e.get("other_destination").is_some());
        let mut other = draft(TODAY, "17");
        other.destination_subsidy_type = "419".into();
        other.other_destination = "With an aunt out of state".into();
        let valid = validate_exit(&other, &facts, d(TODAY)).unwrap();
        assert_eq!(valid.destination_subsidy_type, None);
        // 335/336 are prior living situations only.
        let e = validate_exit(&draft(TODAY, "335"), &facts, d(TODAY)).unwrap_err();
        assert!(e.get("destination").is_some());
    }

    #[test]
    fn head_of_household_exits_last_or_with_the_household() {
        let other = OpenMember {
            enrollment_id: 2,
            name: "Kid".into(),
            entry_date: d("2026-11-05"),
            is_head: false,
        };
        let facts = exit_facts(true, vec![other]);
        let e = validate_exit(&draft(TODAY, "410"), &facts, d(TODAY)).unwrap_err();
        assert!(e.get("exit_household").is_some());
        let mut together = draft(TODAY, "410");
        together.exit_household = true;
        assert_eq!(
            validate_exit(&together, &facts, d(TODAY))
                .unwrap()
                .enrollment_ids,
            vec![1, 2]
        );
        together.exit_date = "2026-11-03".into();
        let e = validate_exit(&together, &facts, d(TODAY)).unwrap_err();
        assert!(e.get("exit_date").unwrap().contains("Kid"));
        // A member exits alone.
        let member = exit_facts(false, vec![]);
        assert_eq!(
            validate_exit(&draft(TODAY, "410"), &member, d(TODAY))
                .unwrap()
                .enrollment_ids,
            vec![1]
        );
    }

    #[test]
    fn an_exited_enrollment_is_not_exited_again() {
        let mut facts = exit_facts(false, vec![]);
        facts.already_exited = true;
        assert!(validate_exit(&draft(TODAY, "410"), &facts, d(TODAY)).is_err());
    }
}

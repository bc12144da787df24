//! Rules for a CoC's Referral Need Status list, as a System Administrator configures it.

use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

/// The most days a timeliness standard may allow.
pub const MAX_DAYS_ALLOWED: i32 = 365;

/// A need status form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedStatusDraft {
    pub name: String,
    pub sort_order: String,
    pub is_final: bool,
    pub days_allowed: String,
    pub business_days: bool,
    /// Comma-separated ids of the statuses allowed to follow this one.
    pub next: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedStatusSettings {
    pub name: String,
    pub sort_order: i32,
    pub is_final: bool,
    pub days_allowed: Option<i32>,
    pub business_days: bool,
    pub next: Vec<i64>,
}

/// Checks a need status. `own_id` is the status being edited (none for a new one) and
/// `siblings` the ids of the CoC's other statuses.
pub fn validate_need_status(
    draft: &NeedStatusDraft,
    own_id: Option<i64>,
    siblings: &[i64],
) -> Result<NeedStatusSettings, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = draft.name.trim().to_string();
    if name.is_empty() {
        errors.add("name", "Enter the status name.");
    } else if name.chars().count() > 200 {
        errors.add("name", "Use at most 200 characters.");
    }
    let sort_order = match draft.sort_order.trim().parse::<i32>() {
        Ok(order) if (1..=999).contains(&order) => order,
        _ => {
            errors.add("sort_order", "Enter the position in the list, 1 to 999.");
            0
        }
    };
    let days_allowed = match draft.days_allowed.trim() {
        "" => None,
        raw => match raw.parse::<i32>() {
            Ok(days) if (1..=MAX_DAYS_ALLOWED).contains(&days) => Some(days),
            _ => {
                errors.add(
                    "days_allowed",
                    "Enter 1 to 365 days, or leave it empty for no standard.",
                );
                None
            }
        },
    };
    let mut next = Vec::new();
    for part in draft
        .next
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match part.parse::<i64>() {
            Ok(id) if Some(id) == own_id => errors.add("next", "A status cannot follow itself."),
            Ok(id) if siblings.contains(&id) => {
                if !next.contains(&id) {
                    next.push(id)
                }
            }
            _ => errors.add("next", "Choose next statuses from this CoC's list."),
        }
    }
    if draft.is_final && !next.is_empty() {
        errors.add("next", "A final status has no next status.");
    }
    if draft.is_final && days_allowed.is_some() {
        errors.add("days_allowed", "A final status has no timeliness standard.");
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NeedStatusSettings {
        name,
        sort_order,
        is_final: draft.is_final,
        days_allowed,
        business_days: draft.business_days,
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> NeedStatusDraft {
        NeedStatusDraft {
            name: "CES: Attempted/Attempting Contact".into(),
            sort_order: "2".into(),
            is_final: false,
            days_allowed: "10".into(),
            business_days: true,
            next: "3, 4,4".into(),
        }
    }

    #[test]
    fn a_valid_status() {
        let s = validate_need_status(&draft(), Some(2), &[1, 3, 4]).unwrap();
        assert_eq!(s.next, vec![3, 4]);
        assert_eq!(s.days_allowed, Some(10));
        assert!(s.business_days);
    }

    #[test]
    fn bounds_and_required_fields() {
        let bad = NeedStatusDraft {
            name: " ".into(),
            sort_order: "0".into(),
            days_allowed: "366".into(),
            ..draft()
        };
        let errors = validate_need_status(&bad, Some(2), &[1, 3, 4]).unwrap_err();
        assert_eq!(errors.get("name"), Some("Enter the status name."));
        assert!(errors.get("sort_order").is_some());
        assert!(errors.get("days_allowed").is_some());
        let edge = NeedStatusDraft {
            sort_order: "999".into(),
            days_allowed: "365".into(),
            ..draft()
        };
        assert!(validate_need_status(&edge, Some(2), &[1, 3, 4]).is_ok());
        let none = NeedStatusDraft {
            days_allowed: "".into(),
            ..draft()
        };
        assert_eq!(
            validate_need_status(&none, Some(2), &[1, 3, 4])
                .unwrap()
                .days_allowed,
            None
        );
    }

    #[test]
    fn next_statuses_are_siblings_and_not_itself() {
        let own = NeedStatusDraft {
            next: "2".into(),
            ..draft()
        };
        assert_eq!(
            validate_need_status(&own, Some(2), &[1, 3, 4])
                .unwrap_err()
                .get("next"),
            Some("A status cannot follow itself.")
        );
        let foreign = NeedStatusDraft {
            next: "99".into(),
            ..draft()
        };
        assert!(validate_need_status(&foreign, Some(2), &[1, 3, 4]).is_err());
    }

    #[test]
    fn final_statuses_have_no_next_and_no_standard() {
        let f = NeedStatusDraft {
            is_final: true,
            ..draft()
        };
        let errors = validate_need_status(&f, Some(2), &[1, 3, 4]).unwrap_err();
        assert_eq!(
            errors.get("next"),
            Some("A final status has no next status.")
        );
        assert_eq!(
            errors.get("days_allowed"),
            Some("A final status has no timeliness standard.")
        );
        let ok = NeedStatusDraft {
            is_final: true,
            next: "".into(),
            days_allowed: "".into(),
            ..draft()
        };
        assert!(validate_need_status(&ok, Some(2), &[1, 3, 4]).is_ok());
    }
}

//! Wire and form types of the System Administrator's settings: a CoC's Referral Need Statuses
//! with their timeliness standards, and the holidays its business-day standards skip. Nothing
//! here touches the database or HTTP.

use crate::domain::need_status::NeedStatusDraft;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedStatusView {
    pub id: i64,
    pub version: i32,
    pub name: String,
    pub sort_order: i32,
    pub is_initial: bool,
    pub is_final: bool,
    pub days_allowed: Option<i32>,
    pub business_days: bool,
    pub applies_on: Option<String>,
    pub next: Vec<i64>,
}

/// A day the CoC's business-day standards skip, and who added it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayView {
    pub id: i64,
    pub version: i32,
    pub date: NaiveDate,
    pub name: String,
    pub added_by: String,
    pub added_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedStatusList {
    pub cocs: Vec<(String, String)>,
    pub coc: String,
    pub statuses: Vec<NeedStatusView>,
    /// The CoC's holidays from the start of last year on, by date.
    pub holidays: Vec<HolidayView>,
}

/// Which status a form saves (`id` 0: a new one of `coc`), at which version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRef {
    pub coc: String,
    pub id: i64,
    pub version: i32,
}

/// The need-status form as it posts (`status[name]`, …), with or without JavaScript.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedStatusForm {
    pub name: String,
    pub sort_order: String,
    /// "yes" or "no".
    pub is_final: String,
    pub days_allowed: String,
    /// "business" or "calendar".
    pub counting: String,
    /// The allowed next statuses' ids, comma-separated.
    pub next: String,
}

impl NeedStatusForm {
    /// What the shared rule checks.
    pub fn draft(self) -> NeedStatusDraft {
        NeedStatusDraft {
            name: self.name,
            sort_order: self.sort_order,
            is_final: self.is_final == "yes",
            days_allowed: self.days_allowed,
            business_days: self.counting == "business",
            next: self.next,
        }
    }
}

/// The form's name of a [`StatusRef`] field.
pub fn record_field(name: &str) -> String {
    format!("record[{name}]")
}

/// The form's name of a [`NeedStatusForm`] field.
pub fn status_field(name: &str) -> String {
    format!("status[{name}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_as_the_rule_takes_it() {
        let form = NeedStatusForm {
            name: "CES: Matched".into(),
            sort_order: "1".into(),
            is_final: "yes".into(),
            days_allowed: "2".into(),
            counting: "business".into(),
            next: "4,5".into(),
        };
        let draft = form.clone().draft();
        assert!(draft.is_final && draft.business_days);
        assert_eq!(
            (draft.name.as_str(), draft.next.as_str()),
            ("CES: Matched", "4,5")
        );
        let other = NeedStatusForm {
            is_final: "no".into(),
            counting: "calendar".into(),
            ..form
        }
        .draft();
        assert!(!other.is_final && !other.business_days);
        // Anything but the two words reads as No and as calendar days.
        let odd = NeedStatusForm {
            is_final: "YES".into(),
            counting: "".into(),
            ..Default::default()
        }
        .draft();
        assert!(!odd.is_final && !odd.business_days);
    }
}

//! Wire types of the Priority List Manager's CoC view: referrals of a CoC by provider and
//! project (awaiting acknowledgement, overdue, returned, transfer requests), with the medians
//! against the CoC's timeliness standards, and the list behind each number. Nothing here touches
//! the database or HTTP.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How many days back the medians and the "last 90 days" list look.
pub const RECENT_DAYS: i64 = 90;

/// Rows per page of a CoC referral list.
pub const LIST_PAGE_SIZE: i64 = 100;

/// The acknowledgement standard: the days the CoC's initial Referral Need Status ("CES: Matched:
/// Awaiting response by Housing Provider") allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcknowledgementStandard {
    pub status: String,
    pub days: i32,
    pub business_days: bool,
}

impl AcknowledgementStandard {
    /// "2 business days", "1 day".
    pub fn describe(&self) -> String {
        let unit = match (self.business_days, self.days == 1) {
            (true, true) => "business day",
            (true, false) => "business days",
            (false, true) => "day",
            (false, false) => "days",
        };
        format!("{} {unit}", self.days)
    }
}

/// One receiving project of the CoC's referrals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectReferrals {
    pub project_id: i64,
    pub project: String,
    /// The provider: the organization running the project.
    pub organization: String,
    /// Open referrals not yet acknowledged.
    pub awaiting: i64,
    /// Open referrals past their Referral Need Status's allowance.
    pub overdue: i64,
    /// Returns for rematch awaiting the Priority List Manager's review.
    pub returned: i64,
    /// Transfer requests of clients enrolled in the project, awaiting an answer.
    pub transfer_requests: i64,
    /// Referrals with an Event Date in the last [`RECENT_DAYS`] days ...
    pub recent: i64,
    /// ... of which acknowledged after the acknowledgement standard's due date, or not yet
    /// acknowledged and past it (a return counts as the provider's answer).
    pub acknowledged_late: i64,
    pub median_days_to_acknowledge: Option<f64>,
    pub median_days_to_result: Option<f64>,
}

/// The CoC view of the active Coordinated Entry organization's CoC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferralsByProject {
    pub coc: String,
    /// `None` when the CoC's initial status allows no set number of days.
    pub standard: Option<AcknowledgementStandard>,
    /// By provider, then project.
    pub projects: Vec<ProjectReferrals>,
}

/// Which list a number of the CoC view opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CocListFilter {
    Awaiting,
    Overdue,
    /// Every referral with an Event Date in the last [`RECENT_DAYS`] days (the medians' own).
    Recent,
    /// Of those, the ones acknowledged late or not yet and past the standard.
    Late,
}

impl CocListFilter {
    pub const ALL: [Self; 4] = [Self::Awaiting, Self::Overdue, Self::Recent, Self::Late];

    /// The query string's value; anything else reads as `Awaiting`.
    pub fn parse(raw: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|f| f.key() == raw)
            .unwrap_or(Self::Awaiting)
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Awaiting => "awaiting",
            Self::Overdue => "overdue",
            Self::Recent => "recent",
            Self::Late => "late",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Awaiting => "Referrals awaiting acknowledgement",
            Self::Overdue => "Overdue referrals",
            Self::Recent => "Referrals of the last 90 days",
            Self::Late => "Referrals of the last 90 days acknowledged late",
        }
    }
}

/// Which list: a project of the CoC, a filter, a page (from `?project=&filter=&page=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CocListQuery {
    pub project: i64,
    pub filter: String,
    pub page: i64,
}

/// A referral in a CoC list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CocReferralRow {
    pub client_id: i64,
    pub event_id: i64,
    pub client_name: String,
    pub event_date: NaiveDate,
    pub need_status: Option<String>,
    pub overdue: bool,
    pub acknowledged_on: Option<NaiveDate>,
    pub result: Option<String>,
    pub result_date: Option<NaiveDate>,
    pub days_since_referral: i64,
}

/// One page of a CoC list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CocReferralPage {
    pub project_id: i64,
    pub project: String,
    pub organization: String,
    pub rows: Vec<CocReferralRow>,
    pub page: i64,
    pub has_next: bool,
}

/// Median days, as the view prints them ("—" when there is nothing to take a median of).
pub fn median_days(days: Option<f64>) -> String {
    days.map(|d| format!("{d:.1}"))
        .unwrap_or_else(|| "—".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filter_reads_back_from_its_key() {
        for filter in CocListFilter::ALL {
            assert_eq!(CocListFilter::parse(filter.key()), filter);
        }
        assert_eq!(CocListFilter::parse(""), CocListFilter::Awaiting);
        assert_eq!(CocListFilter::parse("OVERDUE"), CocListFilter::Awaiting);
    }

    #[test]
    fn the_standard_reads_as_a_person_says_it() {
        let standard = |days, business_days| AcknowledgementStandard {
            status: "CES: Matched".into(),
            days,
            business_days,
        };
        assert_eq!(standard(2, true).describe(), "2 business days");
        assert_eq!(standard(1, true).describe(), "1 business day");
        assert_eq!(standard(1, false).describe(), "1 day");
        assert_eq!(standard(10, false).describe(), "10 days");
    }

    #[test]
    fn medians_print_one_decimal_or_a_dash() {
        assert_eq!(median_days(Some(2.04)), "2.0");
        assert_eq!(median_days(Some(3.0)), "3.0");
        assert_eq!(median_days(None), "—");
    }
}

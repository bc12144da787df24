//! CoC timeliness standards for Referral Need Statuses: each status allows a number of days
//! (calendar or business days, Monday–Friday) before a referral in it is overdue. Holidays are
//! not modelled: CoCs' published standards count weekdays.

use super::dates::is_business_day;
use chrono::{Duration, NaiveDate};

/// The last day a referral may stay in a status it entered on `since`, when the status allows
/// `days` days. Business days skip Saturdays and Sundays: entering on a Friday with 2 business
/// days allowed, the referral is due on Tuesday.
pub fn due_date(since: NaiveDate, days: i32, business_days: bool) -> NaiveDate {
    if !business_days {
        return since + Duration::days(days.max(0) as i64);
    }
    let mut date = since;
    let mut left = days.max(0);
    while left > 0 {
        date += Duration::days(1);
        if is_business_day(date) {
            left -= 1;
        }
    }
    date
}

/// A referral is overdue once today is past its due date.
pub fn is_overdue(due: Option<NaiveDate>, today: NaiveDate) -> bool {
    due.is_some_and(|due| today > due)
}

/// Whole days between two dates (never negative).
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dates::parse_date;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn calendar_days_count_weekends() {
        assert_eq!(due_date(d("2026-11-20"), 15, false), d("2026-12-05"));
        assert_eq!(due_date(d("2026-11-20"), 0, false), d("2026-11-20"));
    }

    #[test]
    fn business_days_skip_weekends() {
        // Friday + 2 business days = Tuesday.
        assert_eq!(due_date(d("2026-11-20"), 2, true), d("2026-11-24"));
        // Monday + 2 = Wednesday.
        assert_eq!(due_date(d("2026-11-16"), 2, true), d("2026-11-18"));
        // Saturday + 1 = Monday; Sunday + 1 = Monday.
        assert_eq!(due_date(d("2026-11-21"), 1, true), d("2026-11-23"));
        assert_eq!(due_date(d("2026-11-22"), 1, true), d("2026-11-23"));
        // Thursday + 5 = next Thursday.
        assert_eq!(due_date(d("2026-11-19"), 5, true), d("2026-11-26"));
    }

    #[test]
    fn overdue_starts_the_day_after_the_due_date() {
        let due = Some(d("2026-11-24"));
        assert!(!is_overdue(due, d("2026-11-24")));
        assert!(is_overdue(due, d("2026-11-25")));
        assert!(
            !is_overdue(None, d("2030-01-01")),
            "a status without a standard is never overdue"
        );
    }

    #[test]
    fn days_between_is_never_negative() {
        assert_eq!(days_between(d("2026-11-20"), d("2026-11-22")), 2);
        assert_eq!(days_between(d("2026-11-22"), d("2026-11-20")), 0);
    }
}

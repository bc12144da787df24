//! CoC timeliness standards for Referral Need Statuses: each status allows a number of days
//! (calendar or business days) before a referral in it is overdue. Business days are Monday to
//! Friday, less the holidays the CoC observes (its list is kept on the Referral Need Statuses
//! page).

use super::dates::is_business_day;
use chrono::{Duration, NaiveDate};

/// The last day a referral may stay in a status it entered on `since`, when the status allows
/// `days` days. Business days skip Saturdays, Sundays and the CoC's `holidays`: entering on a
/// Friday with 2 business days allowed, the referral is due on Tuesday, or on Wednesday when
/// that Monday is a holiday. Calendar days count every day.
pub fn due_date(
    since: NaiveDate,
    days: i32,
    business_days: bool,
    holidays: &[NaiveDate],
) -> NaiveDate {
    if !business_days {
        return since + Duration::days(days.max(0) as i64);
    }
    let mut date = since;
    let mut left = days.max(0);
    while left > 0 {
        date += Duration::days(1);
        if is_business_day(date) && !holidays.contains(&date) {
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
    fn calendar_days_count_weekends_and_holidays() {
        assert_eq!(due_date(d("2026-11-20"), 15, false, &[]), d("2026-12-05"));
        assert_eq!(due_date(d("2026-11-20"), 0, false, &[]), d("2026-11-20"));
        let thanksgiving = [d("2026-11-26")];
        assert_eq!(
            due_date(d("2026-11-24"), 3, false, &thanksgiving),
            d("2026-11-27")
        );
    }

    #[test]
    fn business_days_skip_weekends() {
        // Friday + 2 business days = Tuesday.
        assert_eq!(due_date(d("2026-11-20"), 2, true, &[]), d("2026-11-24"));
        // Monday + 2 = Wednesday.
        assert_eq!(due_date(d("2026-11-16"), 2, true, &[]), d("2026-11-18"));
        // Saturday + 1 = Monday; Sunday + 1 = Monday.
        assert_eq!(due_date(d("2026-11-21"), 1, true, &[]), d("2026-11-23"));
        assert_eq!(due_date(d("2026-11-22"), 1, true, &[]), d("2026-11-23"));
        // Thursday + 5 = next Thursday.
        assert_eq!(due_date(d("2026-11-19"), 5, true, &[]), d("2026-11-26"));
        // Zero days: due the day it entered the status, even on a weekend.
        assert_eq!(due_date(d("2026-11-21"), 0, true, &[]), d("2026-11-21"));
    }

    #[test]
    fn business_days_skip_the_cocs_holidays() {
        let holidays = [d("2026-11-26"), d("2026-11-27")]; // Thanksgiving and the day after
                                                           // Wednesday + 2 business days: Thursday and Friday are holidays, then the weekend.
        assert_eq!(
            due_date(d("2026-11-25"), 2, true, &holidays),
            d("2026-12-01")
        );
        assert_eq!(due_date(d("2026-11-25"), 2, true, &[]), d("2026-11-27"));
        // A referral entering its status on a holiday starts counting the next business day.
        assert_eq!(
            due_date(d("2026-11-26"), 1, true, &holidays),
            d("2026-11-30")
        );
        // A holiday after the due date changes nothing.
        assert_eq!(
            due_date(d("2026-11-16"), 2, true, &holidays),
            d("2026-11-18")
        );
        // A holiday on a weekend (not observed on it) is skipped once, not twice.
        assert_eq!(
            due_date(
                d("2026-07-02"),
                1,
                true,
                &[d("2026-07-03"), d("2026-07-04")]
            ),
            d("2026-07-06")
        );
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

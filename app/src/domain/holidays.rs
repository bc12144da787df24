//! The holidays a CoC observes: days its business-day timeliness standards do not count (see
//! [`super::timeliness::due_date`]). A System Administrator keeps the list per CoC, one day at a
//! time or a year of US federal holidays at once.

use super::dates::{is_business_day, parse_date};
use crate::error::FieldErrors;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The most characters a holiday's name may have.
pub const MAX_NAME_CHARS: usize = 100;

/// Years a holiday may fall in.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;

/// A holiday form as typed (its fields are `holiday_date` and `holiday_name`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayDraft {
    pub date: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
}

/// Checks a holiday against the CoC's list (`existing`).
pub fn validate_holiday(
    draft: &HolidayDraft,
    existing: &[NaiveDate],
) -> Result<Holiday, FieldErrors> {
    let mut errors = FieldErrors::new();
    let date = if draft.date.trim().is_empty() {
        errors.add("holiday_date", "Enter the date of the holiday.");
        None
    } else {
        errors.check("holiday_date", parse_date(&draft.date))
    };
    if let Some(date) = date {
        if !YEARS.contains(&date.year()) {
            errors.add("holiday_date", "Enter a date from 2000 to 2099.");
        } else if !is_business_day(date) {
            errors.add(
                "holiday_date",
                "Saturdays and Sundays never count as business days: enter the weekday the holiday is observed on.",
            );
        } else if existing.contains(&date) {
            errors.add("holiday_date", "This day is already in the CoC's holidays.");
        }
    }
    let name = draft.name.trim().to_string();
    if name.is_empty() {
        errors.add("holiday_name", "Enter the holiday's name.");
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.add("holiday_name", "Use at most 100 characters.");
    }
    match date {
        Some(date) if errors.is_empty() => Ok(Holiday { date, name }),
        _ => Err(errors),
    }
}

/// The eleven US federal holidays of `year` (5 U.S.C. 6103), on the day they are observed: one
/// falling on a Saturday is observed the Friday before, one on a Sunday the Monday after. (New
/// Year's Day on a Saturday is observed on December 31 of the year before, and so listed.)
pub fn us_federal_holidays(year: i32) -> Vec<Holiday> {
    let fixed = |month, day| NaiveDate::from_ymd_opt(year, month, day).map(observed);
    let nth = |month, weekday, n| NaiveDate::from_weekday_of_month_opt(year, month, weekday, n);
    let last_monday_of_may = NaiveDate::from_ymd_opt(year, 5, 31)
        .map(|last| last - Duration::days(last.weekday().num_days_from_monday() as i64));
    [
        (fixed(1, 1), "New Year's Day"),
        (
            nth(1, Weekday::Mon, 3),
            "Birthday of Martin Luther King, Jr.",
        ),
        (nth(2, Weekday::Mon, 3), "Washington's Birthday"),
        (last_monday_of_may, "Memorial Day"),
        (fixed(6, 19), "Juneteenth National Independence Day"),
        (fixed(7, 4), "Independence Day"),
        (nth(9, Weekday::Mon, 1), "Labor Day"),
        (nth(10, Weekday::Mon, 2), "Columbus Day"),
        (fixed(11, 11), "Veterans Day"),
        (nth(11, Weekday::Thu, 4), "Thanksgiving Day"),
        (fixed(12, 25), "Christmas Day"),
    ]
    .into_iter()
    .filter_map(|(date, name)| {
        date.map(|date| Holiday {
            date,
            name: name.to_string(),
        })
    })
    .collect()
}

/// The weekday a fixed-date holiday is observed on.
fn observed(date: NaiveDate) -> NaiveDate {
    match date.weekday() {
        Weekday::Sat => date - Duration::days(1),
        Weekday::Sun => date + Duration::days(1),
        _ => date,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn draft(date: &str, name: &str) -> HolidayDraft {
        HolidayDraft {
            date: date.into(),
            name: name.into(),
        }
    }

    #[test]
    fn a_valid_holiday_is_trimmed() {
        let h = validate_holiday(&draft("2026-11-27", "  Day after Thanksgiving "), &[]).unwrap();
        assert_eq!(h.date, d("2026-11-27"));
        assert_eq!(h.name, "Day after Thanksgiving");
    }

    #[test]
    fn date_and_name_are_required_and_checked() {
        let errors = validate_holiday(&draft("", " "), &[]).unwrap_err();
        assert_eq!(
            errors.get("holiday_date"),
            Some("Enter the date of the holiday.")
        );
        assert_eq!(
            errors.get("holiday_name"),
            Some("Enter the holiday's name.")
        );
        let errors = validate_holiday(&draft("11/27/2026", "x"), &[]).unwrap_err();
        assert_eq!(
            errors.get("holiday_date"),
            Some("Enter a date as YYYY-MM-DD.")
        );
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        assert!(validate_holiday(&draft("2026-11-27", &long), &[])
            .unwrap_err()
            .get("holiday_name")
            .is_some());
        assert!(validate_holiday(&draft("2026-11-27", &long[1..]), &[]).is_ok());
        assert!(validate_holiday(&draft("1999-12-31", "x"), &[]).is_err());
    }

    #[test]
    fn weekends_and_duplicates_are_refused() {
        let saturday = validate_holiday(&draft("2026-07-04", "Independence Day"), &[]);
        assert!(saturday
            .unwrap_err()
            .get("holiday_date")
            .unwrap()
            .contains("weekday the holiday is observed on"));
        let twice = validate_holiday(&draft("2026-11-26", "Thanksgiving"), &[d("2026-11-26")]);
        assert_eq!(
            twice.unwrap_err().get("holiday_date"),
            Some("This day is already in the CoC's holidays.")
        );
    }

    #[test]
    fn federal_holidays_of_2026_on_their_observed_days() {
        let dates: Vec<NaiveDate> = us_federal_holidays(2026).iter().map(|h| h.date).collect();
        let expected = [
            "2026-01-01",
            "2026-01-19",
            "2026-02-16",
            "2026-05-25",
            "2026-06-19",
            "2026-07-03", // July 4 is a Saturday
            "2026-09-07",
            "2026-10-12",
            "2026-11-11",
            "2026-11-26",
            "2026-12-25",
        ];
        assert_eq!(dates, expected.map(d));
        assert!(dates.iter().all(|date| is_business_day(*date)));
    }

    #[test]
    fn sunday_holidays_move_to_monday_and_new_year_may_fall_the_year_before() {
        // 2027: July 4 and December 25 fall on Sunday and Saturday; 2022: January 1 on Saturday.
        let in_2027 = us_federal_holidays(2027);
        assert!(in_2027.iter().any(|h| h.date == d("2027-07-05")));
        assert!(in_2027.iter().any(|h| h.date == d("2027-12-24")));
        assert_eq!(us_federal_holidays(2022)[0].date, d("2021-12-31"));
        // Memorial Day is the last Monday of May, also when May 31 is a Monday (2027).
        assert!(in_2027.iter().any(|h| h.date == d("2027-05-31")));
    }
}

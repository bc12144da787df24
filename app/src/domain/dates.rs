//! Date rules shared by every form. "Today" is always passed in, so the same rule runs in the
//! browser (the user's clock) and on the server (the server's clock), and tests pin it.

use chrono::{Datelike, NaiveDate, Weekday};

/// The earliest date any field takes: no one alive was born before it, and every HMIS record
/// (HUD's data standards begin in 2004) is later. A date before it is a typo, or an attack: a
/// year such as -4000 would be written as `-4000-01-01` and break HUD's CSV date format.
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => panic!(),
};
/// The latest date any field takes: HUD's CSV dates have four-digit years.
pub const LATEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(date) => date,
    None => panic!(),
};

/// Parses the `YYYY-MM-DD` value of an `<input type="date">`, from [`EARLIEST_DATE`] to
/// [`LATEST_DATE`].
pub fn parse_date(raw: &str) -> Result<NaiveDate, &'static str> {
    let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| "Enter a date as YYYY-MM-DD.")?;
    if date < EARLIEST_DATE {
        Err("Enter a date on or after 01/01/1900.")
    } else if date > LATEST_DATE {
        Err("Enter a date with a four-digit year.")
    } else {
        Ok(date)
    }
}

/// Parses an optional date field: empty means none.
pub fn parse_optional_date(raw: &str) -> Result<Option<NaiveDate>, &'static str> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(raw).map(Some)
    }
}

pub fn not_in_future(date: NaiveDate, today: NaiveDate) -> Result<(), &'static str> {
    if date > today {
        Err("The date cannot be in the future.")
    } else {
        Ok(())
    }
}

/// US display format used across the app: 11/22/2026.
pub fn format_date(date: NaiveDate) -> String {
    date.format("%m/%d/%Y").to_string()
}

pub fn is_business_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Age in whole years on `on`.
pub fn age_on(dob: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - dob.year();
    if (on.month(), on.day()) < (dob.month(), dob.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn parses_iso_dates_only() {
        assert_eq!(
            d("2026-11-22"),
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
        );
        assert!(parse_date("11/22/2026").is_err());
        assert!(parse_date("2026-02-30").is_err());
        assert_eq!(parse_optional_date(" ").unwrap(), None);
    }

    #[test]
    fn dates_are_bounded_to_four_digit_years_from_1900() {
        assert_eq!(d("1900-01-01"), EARLIEST_DATE);
        assert!(parse_date("1899-12-31").is_err());
        assert!(parse_date("-4000-01-01").is_err());
        assert!(parse_date("0000-01-01").is_err());
        assert_eq!(d("9999-12-31"), LATEST_DATE);
        assert!(parse_date("+10000-01-01").is_err());
        assert!(parse_date("10000-01-01").is_err());
        assert_eq!(
            parse_optional_date("1899-12-31"),
            Err("Enter a date on or after 01/01/1900.")
        );
    }

    #[test]
    fn future_boundary() {
        let today = d("2026-11-22");
        assert!(not_in_future(today, today).is_ok());
        assert!(not_in_future(d("2026-11-23"), today).is_err());
    }

    #[test]
    fn ages_turn_on_the_birthday() {
        assert_eq!(age_on(d("2008-11-22"), d("2026-11-21")), 17);
        assert_eq!(age_on(d("2008-11-22"), d("2026-11-22")), 18);
    }

    #[test]
    fn weekends_are_not_business_days() {
        assert!(is_business_day(d("2026-11-20"))); // Friday
        assert!(!is_business_day(d("2026-11-21"))); // Saturday
        assert!(!is_business_day(d("2026-11-22"))); // Sunday
    }
}

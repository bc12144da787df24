//! The HMIS CSV export request: which CoC, which period, and which kind of period (HUD
//! ExportPeriodType). Checked by the export form as the user types and again by the server.

use super::dates::parse_date;
use crate::error::FieldErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// HUD 1.1 ExportPeriodType, the two Threshold offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportPeriodType {
    /// 1: records created, updated or deleted in the range (a delta refresh).
    Updated,
    /// 3: records of the enrollments active in the range (a full refresh).
    ReportingPeriod,
}

impl ExportPeriodType {
    pub const fn code(self) -> i16 {
        match self {
            Self::Updated => 1,
            Self::ReportingPeriod => 3,
        }
    }

    pub fn from_code(code: i16) -> Option<Self> {
        match code {
            1 => Some(Self::Updated),
            3 => Some(Self::ReportingPeriod),
            _ => None,
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Updated => "Updated: records changed in the range",
            Self::ReportingPeriod => "Reporting period: enrollments active in the range",
        }
    }

    /// HUD 1.2 ExportDirective: a reporting period is a full refresh, updates a delta refresh.
    pub const fn directive(self) -> i16 {
        match self {
            Self::Updated => 1,
            Self::ReportingPeriod => 2,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportDraft {
    pub coc_code: String,
    /// "1" or "3".
    pub period_type: String,
    pub start_date: String,
    pub end_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRequest {
    pub coc_code: String,
    pub period_type: ExportPeriodType,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

/// Checks an export request; `cocs` are the CoCs the user may export.
pub fn validate_export(
    draft: &ExportDraft,
    cocs: &[String],
    today: NaiveDate,
) -> Result<ExportRequest, FieldErrors> {
    let mut errors = FieldErrors::new();
    let coc_code = draft.coc_code.trim().to_string();
    if !cocs.contains(&coc_code) {
        errors.add("coc_code", "Choose a Continuum of Care you may export.");
    }
    let period_type = draft
        .period_type
        .trim()
        .parse::<i16>()
        .ok()
        .and_then(ExportPeriodType::from_code);
    if period_type.is_none() {
        errors.add("period_type", "Choose the kind of export period.");
    }
    let date = |errors: &mut FieldErrors, field: &str, raw: &str, missing: &'static str| match raw
        .trim()
    {
        "" => {
            errors.add(field, missing);
            None
        }
        raw => errors.check(field, parse_date(raw)),
    };
    let start = date(
        &mut errors,
        "start_date",
        &draft.start_date,
        "Enter the start of the period.",
    );
    let end = date(
        &mut errors,
        "end_date",
        &draft.end_date,
        "Enter the end of the period.",
    );
    if let Some(end) = end {
        if end > today {
            errors.add("end_date", "The period cannot end in the future.");
        }
        if start.is_some_and(|start| start > end) {
            errors.add(
                "end_date",
                "The end of the period cannot be before its start.",
            );
        }
    }
    match (period_type, start, end) {
        (Some(period_type), Some(start_date), Some(end_date)) if errors.is_empty() => {
            Ok(ExportRequest {
                coc_code,
                period_type,
                start_date,
                end_date,
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

    fn draft() -> ExportDraft {
        ExportDraft {
            coc_code: "RB-501".into(),
            period_type: "3".into(),
            start_date: "2025-10-01".into(),
            end_date: "2026-09-30".into(),
        }
    }

    #[test]
    fn a_reporting_period_export() {
        let request = validate_export(&draft(), &["RB-501".into()], d("2026-11-22")).unwrap();
        assert_eq!(request.period_type, ExportPeriodType::ReportingPeriod);
        assert_eq!(request.period_type.code(), 3);
        assert_eq!(request.period_type.directive(), 2);
        assert_eq!(ExportPeriodType::Updated.directive(), 1);
    }

    #[test]
    fn only_the_users_cocs_and_a_real_period() {
        let errors = validate_export(&draft(), &["LK-502".into()], d("2026-11-22")).unwrap_err();
        assert!(errors.get("coc_code").is_some());
        let backwards = ExportDraft {
            start_date: "2026-10-01".into(),
            end_date: "2026-09-30".into(),
            ..draft()
        };
        assert!(
            validate_export(&backwards, &["RB-501".into()], d("2026-11-22"))
                .unwrap_err()
                .get("end_date")
                .is_some()
        );
        let future = ExportDraft {
            end_date: "2026-11-23".into(),
            ..draft()
        };
        assert_eq!(
            validate_export(&future, &["RB-501".into()], d("2026-11-22"))
                .unwrap_err()
                .get("end_date"),
            Some("The period cannot end in the future.")
        );
        let same_day = ExportDraft {
            start_date: "2026-11-22".into(),
            end_date: "2026-11-22".into(),
            ..draft()
        };
        assert!(validate_export(&same_day, &["RB-501".into()], d("2026-11-22")).is_ok());
        let empty = ExportDraft {
            period_type: "2".into(),
            start_date: String::new(),
            ..draft()
        };
        let errors = validate_export(&empty, &["RB-501".into()], d("2026-11-22")).unwrap_err();
        assert!(errors.get("period_type").is_some());
        assert!(errors.get("start_date").is_some());
    }
}

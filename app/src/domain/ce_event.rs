//! CE Event rules (HUD 4.20): referring a client to a housing opening, acknowledging the
//! referral, resolving it, and the lock once it resolved as successful. The CE Event form runs
//! these as the user types; the server functions run them again before saving.

use super::codes::{EventType, ProjectType, ReferralResult};
use super::contact::{Email, Phone};
use super::dates::{not_in_future, parse_date, parse_optional_date};
use crate::error::FieldErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest Housing Provider Contact Name accepted.
pub const CONTACT_NAME_MAX: usize = 100;

/// What the form knows about the event being edited, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CeEventFacts {
    pub event: EventType,
    pub event_date: NaiveDate,
    pub date_acknowledged: Option<NaiveDate>,
    pub referral_result: Option<ReferralResult>,
    pub result_date: Option<NaiveDate>,
    pub resulting_enrollment_id: Option<i64>,
}

impl CeEventFacts {
    /// Resolved as successful: Referral Result, Result Date and Resulting Enrollment are locked
    /// (an enrolled client who is never housed still counts as a successful referral).
    pub fn is_locked_successful(&self) -> bool {
        self.referral_result == Some(ReferralResult::SuccessfulClientAccepted)
    }
}

/// An enrollment the Resulting Enrollment pick list offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentOption {
    pub id: i64,
    pub project_name: String,
    pub entry_date: NaiveDate,
}

/// The CE Event form's fields as typed (empty string = no value; a field the form leaves out
/// is empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CeEventDraft {
    pub date_referral_acknowledged: String,
    pub provider_contact_name: String,
    pub provider_contact_phone: String,
    pub provider_contact_email: String,
    pub referral_result: String,
    pub result_date: String,
    pub resulting_enrollment: String,
    pub not_housed_reason: String,
}

/// The CE Event form's fields: each named once (form key, `FieldErrors` key, label, value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CeEventField {
    DateReferralAcknowledged,
    ProviderContactName,
    ProviderContactPhone,
    ProviderContactEmail,
    ReferralResult,
    ResultDate,
    ResultingEnrollment,
    NotHousedReason,
}

impl CeEventField {
    pub const ALL: [CeEventField; 8] = [
        Self::DateReferralAcknowledged,
        Self::ProviderContactName,
        Self::ProviderContactPhone,
        Self::ProviderContactEmail,
        Self::ReferralResult,
        Self::ResultDate,
        Self::ResultingEnrollment,
        Self::NotHousedReason,
    ];

    /// The field's key: its `FieldErrors` key, its element id and its form name (`draft[key]`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::DateReferralAcknowledged => "date_referral_acknowledged",
            Self::ProviderContactName => "provider_contact_name",
            Self::ProviderContactPhone => "provider_contact_phone",
            Self::ProviderContactEmail => "provider_contact_email",
            Self::ReferralResult => "referral_result",
            Self::ResultDate => "result_date",
            Self::ResultingEnrollment => "resulting_enrollment",
            Self::NotHousedReason => "not_housed_reason",
        }
    }

    /// The label people see (HUD 4.20 names).
    pub const fn label(self) -> &'static str {
        match self {
            Self::DateReferralAcknowledged => "Date Referral Acknowledged",
            Self::ProviderContactName => "Housing Provider Contact Name",
            Self::ProviderContactPhone => "Housing Provider Contact Phone",
            Self::ProviderContactEmail => "Housing Provider Contact Email",
            Self::ReferralResult => "Referral Result",
            Self::ResultDate => "Result Date",
            Self::ResultingEnrollment => "Resulting Enrollment",
            Self::NotHousedReason => "If Not Housed, Reason",
        }
    }

    pub fn get(self, draft: &CeEventDraft) -> &str {
        match self {
            Self::DateReferralAcknowledged => &draft.date_referral_acknowledged,
            Self::ProviderContactName => &draft.provider_contact_name,
            Self::ProviderContactPhone => &draft.provider_contact_phone,
            Self::ProviderContactEmail => &draft.provider_contact_email,
            Self::ReferralResult => &draft.referral_result,
            Self::ResultDate => &draft.result_date,
            Self::ResultingEnrollment => &draft.resulting_enrollment,
            Self::NotHousedReason => &draft.not_housed_reason,
        }
    }

    fn slot(self, draft: &mut CeEventDraft) -> &mut String {
        match self {
            Self::DateReferralAcknowledged => &mut draft.date_referral_acknowledged,
            Self::ProviderContactName => &mut draft.provider_contact_name,
            Self::ProviderContactPhone => &mut draft.provider_contact_phone,
            Self::ProviderContactEmail => &mut draft.provider_contact_email,
            Self::ReferralResult => &mut draft.referral_result,
            Self::ResultDate => &mut draft.result_date,
            Self::ResultingEnrollment => &mut draft.resulting_enrollment,
            Self::NotHousedReason => &mut draft.not_housed_reason,
        }
    }

    /// The field's form name inside the posted `draft` struct.
    pub fn form_name(self) -> String {
        format!("draft[{}]", self.name())
    }
}

impl CeEventDraft {
    /// Whether checking the draft needs the pick lists: only a chosen Resulting Enrollment or
    /// If Not Housed, Reason is looked up in them (the server skips reading them otherwise).
    pub fn names_a_choice(&self) -> bool {
        !self.resulting_enrollment.trim().is_empty() || !self.not_housed_reason.trim().is_empty()
    }

    /// Sets a field as the user typed it, then what follows from it: fields that no longer
    /// apply are cleared (nothing hidden is sent), and a successful referral's Result Date is
    /// its Resulting Enrollment's project start date.
    pub fn set(&mut self, field: CeEventField, value: String, options: &[EnrollmentOption]) {
        *field.slot(self) = value;
        if field == CeEventField::ReferralResult {
            if self.referral_result.trim().is_empty() {
                self.result_date.clear();
                self.not_housed_reason.clear();
            }
            if !self.is_successful() {
                self.resulting_enrollment.clear();
            }
        }
        if self.is_successful() {
            self.result_date = successful_result_date(options, &self.resulting_enrollment)
                .map(|date| date.to_string())
                .unwrap_or_default();
        }
    }

    /// The Referral Result chosen, if it is one of HUD's codes.
    pub fn result(&self) -> Option<ReferralResult> {
        self.referral_result
            .trim()
            .parse::<i16>()
            .ok()
            .and_then(ReferralResult::from_code)
    }

    pub fn is_successful(&self) -> bool {
        self.result() == Some(ReferralResult::SuccessfulClientAccepted)
    }

    /// Chooses `result` (or none) as the Referral Result.
    pub fn result_value(result: Option<ReferralResult>) -> String {
        result.map(|r| r.code().to_string()).unwrap_or_default()
    }
}

/// A valid CE Event form, ready to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CeEventUpdate {
    pub date_acknowledged: Option<NaiveDate>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<Phone>,
    pub contact_email: Option<Email>,
    pub referral_result: Option<ReferralResult>,
    pub result_date: Option<NaiveDate>,
    pub resulting_enrollment_id: Option<i64>,
    pub not_housed_reason_id: Option<i64>,
}

fn optional_text(raw: &str) -> Option<String> {
    let value = raw.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// The Result Date a successful referral takes: the Resulting Enrollment's project start date.
pub fn successful_result_date(
    options: &[EnrollmentOption],
    resulting_enrollment: &str,
) -> Option<NaiveDate> {
    let id: i64 = resulting_enrollment.trim().parse().ok()?;
    options.iter().find(|o| o.id == id).map(|o| o.entry_date)
}

/// Checks the whole CE Event form. `options` is the Resulting Enrollment pick list and
/// `reasons` the active If Not Housed, Reason ids; `today` is the caller's date.
pub fn validate_ce_event(
    facts: &CeEventFacts,
    draft: &CeEventDraft,
    options: &[EnrollmentOption],
    reasons: &[i64],
    today: NaiveDate,
) -> Result<CeEventUpdate, FieldErrors> {
    use CeEventField as F;
    let mut errors = FieldErrors::new();

    // Referral Result (4.20.D): only for events 10–15, 17, 18.
    let referral_result = match draft.referral_result.trim() {
        "" => None,
        code => match code.parse::<i16>().ok().and_then(ReferralResult::from_code) {
            Some(result) if facts.event.takes_referral_result() => Some(result),
            Some(_) => {
                errors.add(
                    F::ReferralResult.name(),
                    "This event type does not take a Referral Result.",
                );
                None
            }
            None => {
                errors.add(
                    F::ReferralResult.name(),
                    "Choose a Referral Result from the list.",
                );
                None
            }
        },
    };
    let successful = referral_result == Some(ReferralResult::SuccessfulClientAccepted);

    // Date Referral Acknowledged: not before the Event Date, not in the future; a resolution
    // implies acknowledgement; once recorded it stays recorded.
    let date_acknowledged = match errors.check(
        F::DateReferralAcknowledged.name(),
        parse_optional_date(&draft.date_referral_acknowledged),
    ) {
        Some(Some(date)) => {
            if date < facts.event_date {
                errors.add(
                    F::DateReferralAcknowledged.name(),
                    "The date acknowledged cannot be before the Event Date.",
                );
            }
            errors.check(
                F::DateReferralAcknowledged.name(),
                not_in_future(date, today),
            );
            Some(date)
        }
        Some(None) => {
            if referral_result.is_some() {
                errors.add(
                    F::DateReferralAcknowledged.name(),
                    "Record the date the referral was acknowledged before resolving it.",
                );
            } else if facts.date_acknowledged.is_some() {
                errors.add(
                    F::DateReferralAcknowledged.name(),
                    "An acknowledged referral keeps its date acknowledged.",
                );
            }
            None
        }
        None => None,
    };

    let contact_name = optional_text(&draft.provider_contact_name);
    if contact_name
        .as_ref()
        .is_some_and(|n| n.chars().count() > CONTACT_NAME_MAX)
    {
        errors.add(F::ProviderContactName.name(), "Use at most 100 characters.");
    }
    if date_acknowledged.is_some() && contact_name.is_none() {
        errors.add(
            F::ProviderContactName.name(),
            "Enter the Housing Provider Contact Name.",
        );
    }
    let contact_phone = optional_text(&draft.provider_contact_phone)
        .and_then(|raw| errors.check(F::ProviderContactPhone.name(), Phone::parse(&raw)));
    let contact_email = optional_text(&draft.provider_contact_email)
        .and_then(|raw| errors.check(F::ProviderContactEmail.name(), Email::parse(&raw)));

    // Resulting Enrollment: required for a successful referral, from the pick list only.
    let resulting_enrollment_id = match (successful, draft.resulting_enrollment.trim()) {
        (false, "") => None,
        (false, _) => {
            errors.add(
                F::ResultingEnrollment.name(),
                "Only a successful referral has a Resulting Enrollment.",
            );
            None
        }
        (true, "") => {
            errors.add(
                F::ResultingEnrollment.name(),
                "Choose the enrollment the client was accepted into.",
            );
            None
        }
        (true, raw) => match raw
            .parse::<i64>()
            .ok()
            .filter(|id| options.iter().any(|o| o.id == *id))
        {
            Some(id) => Some(id),
            None => {
                errors.add(
                    F::ResultingEnrollment.name(),
                    "Choose an enrollment from the list.",
                );
                None
            }
        },
    };

    // Result Date: exactly when a result is set; for a successful referral, the enrollment's
    // project start date; never before the Event Date or the acknowledgement, never in the future.
    let entered = errors.check(
        F::ResultDate.name(),
        parse_optional_date(&draft.result_date),
    );
    // The browser fills a successful referral's Result Date in as the enrollment is chosen; a
    // form posted without JavaScript may leave it blank, and it is taken from the enrollment.
    let entered = match entered {
        Some(None) if successful => {
            Some(successful_result_date(options, &draft.resulting_enrollment))
        }
        other => other,
    };
    let result_date = match (referral_result, entered) {
        (None, Some(Some(_))) => {
            errors.add(
                F::ResultDate.name(),
                "A Result Date is recorded only with a Referral Result.",
            );
            None
        }
        (None, _) => None,
        (Some(_), Some(None)) => {
            errors.add(F::ResultDate.name(), "Enter the Result Date.");
            None
        }
        (Some(_), None) => None,
        (Some(_), Some(Some(date))) => {
            if date < facts.event_date {
                errors.add(
                    F::ResultDate.name(),
                    "The Result Date cannot be before the Event Date.",
                );
            } else if date_acknowledged.is_some_and(|ack| date < ack) {
                errors.add(
                    F::ResultDate.name(),
                    "The Result Date cannot be before the date acknowledged.",
                );
            }
            errors.check(F::ResultDate.name(), not_in_future(date, today));
            if successful {
                if let Some(start) = successful_result_date(options, &draft.resulting_enrollment) {
                    if date != start {
                        errors.add(F::ResultDate.name(), "For a successful referral the Result Date is the enrollment's project start date.");
                    }
                }
            }
            Some(date)
        }
    };

    // If Not Housed, Reason: required for an unsuccessful result; allowed on a successful one
    // (enrolled but not housed); not before a result exists.
    let not_housed_reason_id = match draft.not_housed_reason.trim() {
        "" => {
            if referral_result.is_some() && !successful {
                errors.add(
                    F::NotHousedReason.name(),
                    "Choose the reason the client was not housed.",
                );
            }
            None
        }
        raw => match raw.parse::<i64>().ok().filter(|id| reasons.contains(id)) {
            Some(_) if referral_result.is_none() => {
                errors.add(
                    F::NotHousedReason.name(),
                    "Record the Referral Result first.",
                );
                None
            }
            Some(id) => Some(id),
            None => {
                errors.add(F::NotHousedReason.name(), "Choose a reason from the list.");
                None
            }
        },
    };

    // Enrolled but not housed: a successful result, its date and enrollment never change.
    if facts.is_locked_successful() {
        const LOCKED: &str = "Locked: this referral was resolved as successful. Only If Not Housed, Reason can change.";
        if referral_result != facts.referral_result {
            errors.add(F::ReferralResult.name(), LOCKED);
        }
        if result_date.is_some() && result_date != facts.result_date {
            errors.add(F::ResultDate.name(), LOCKED);
        }
        if resulting_enrollment_id.is_some()
            && resulting_enrollment_id != facts.resulting_enrollment_id
        {
            errors.add(F::ResultingEnrollment.name(), LOCKED);
        }
        if date_acknowledged != facts.date_acknowledged {
            errors.add(F::DateReferralAcknowledged.name(), LOCKED);
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CeEventUpdate {
        date_acknowledged,
        contact_name,
        contact_phone,
        contact_email,
        referral_result,
        result_date,
        resulting_enrollment_id,
        not_housed_reason_id,
    })
}

/// The event types a referral to a project of `project_type` may record: the HUD mapping's
/// type, Joint TH-RRH (12) for TH and RRH projects, and the voucher referrals (17, 18).
pub fn allowed_referral_events(project_type: ProjectType) -> Vec<EventType> {
    let mut events: Vec<EventType> = project_type.referral_event().into_iter().collect();
    if matches!(
        project_type,
        ProjectType::TransitionalHousing | ProjectType::RapidReHousing
    ) {
        events.push(EventType::JointThRrh);
    }
    if !events.is_empty() {
        events.push(EventType::EmergencyHousingVoucher);
        events.push(EventType::HousingStabilityVoucher);
    }
    events
}

/// A referral's Event Date and Event as the Priority List Manager records or corrects them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralEvent {
    pub event_date: NaiveDate,
    pub event: EventType,
}

/// Checks Event Date and Event: the date lies within the CE enrollment (not before its start,
/// not after its exit), not in the future, and not after an acknowledgement or result already
/// recorded; the event is one the receiving project allows.
pub fn validate_referral_event(
    event_date: &str,
    event: &str,
    project_type: ProjectType,
    ce_entry_date: NaiveDate,
    ce_exit_date: Option<NaiveDate>,
    recorded: &[NaiveDate],
    today: NaiveDate,
) -> Result<ReferralEvent, FieldErrors> {
    let mut errors = FieldErrors::new();
    let date = errors.check("event_date", parse_date(event_date));
    if let Some(date) = date {
        if date < ce_entry_date {
            errors.add(
                "event_date",
                "The Event Date cannot be before the CE enrollment's start.",
            );
        } else if ce_exit_date.is_some_and(|exit| date > exit) {
            errors.add(
                "event_date",
                "The Event Date cannot be after the CE enrollment's exit.",
            );
        } else if recorded.iter().any(|d| date > *d) {
            errors.add(
                "event_date",
                "The Event Date cannot be after the date acknowledged or the Result Date.",
            );
        }
        errors.check("event_date", not_in_future(date, today));
    }
    let allowed = allowed_referral_events(project_type);
    let event = match event
        .trim()
        .parse::<i16>()
        .ok()
        .and_then(EventType::from_code)
    {
        Some(e) if allowed.contains(&e) => Some(e),
        Some(_) => {
            errors.add(
                "event",
                "That Event does not fit the receiving project's type.",
            );
            None
        }
        None => {
            errors.add("event", "Choose the Event.");
            None
        }
    };
    match (date, event, errors.is_empty()) {
        (Some(event_date), Some(event), true) => Ok(ReferralEvent { event_date, event }),
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

    fn facts() -> CeEventFacts {
        CeEventFacts {
            event: EventType::PermanentSupportiveHousing,
            event_date: d("2026-11-10"),
            date_acknowledged: None,
            referral_result: None,
            result_date: None,
            resulting_enrollment_id: None,
        }
    }

    #[test]
    fn only_a_chosen_enrollment_or_reason_needs_the_pick_lists() {
        let mut draft = CeEventDraft {
            resulting_enrollment: " ".into(),
            not_housed_reason: String::new(),
            ..CeEventDraft::default()
        };
        assert!(!draft.names_a_choice());
        draft.resulting_enrollment = "7".into();
        assert!(draft.names_a_choice());
        draft.resulting_enrollment.clear();
        draft.not_housed_reason = "3".into();
        assert!(draft.names_a_choice());
        // What validation decides about a draft that names nothing does not depend on the lists.
        let none = CeEventDraft {
            date_referral_acknowledged: "2026-11-12".into(),
            provider_contact_name: "Casey Moreno".into(),
            ..CeEventDraft::default()
        };
        assert!(!none.names_a_choice());
        assert_eq!(
            validate_ce_event(&facts(), &none, &options(), &[1, 2, 3], d(TODAY)),
            validate_ce_event(&facts(), &none, &[], &[], d(TODAY)),
        );
    }

    fn options() -> Vec<EnrollmentOption> {
        vec![EnrollmentOption {
            id: 7,
            project_name: "Northside PSH".into(),
            entry_date: d("2026-11-15"),
        }]
    }

    #[test]
    fn each_field_is_named_once_and_sets_only_itself() {
        let names: std::collections::HashSet<&str> =
            CeEventField::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names.len(), CeEventField::ALL.len());
        for field in CeEventField::ALL {
            let mut form = CeEventDraft::default();
            *field.slot(&mut form) = "x".into();
            for other in CeEventField::ALL {
                let expected = if other == field { "x" } else { "" };
                assert_eq!(
                    other.get(&form),
                    expected,
                    "{} set {}",
                    field.name(),
                    other.name()
                );
            }
            assert_eq!(field.form_name(), format!("draft[{}]", field.name()));
        }
        assert_eq!(
            CeEventField::NotHousedReason.label(),
            "If Not Housed, Reason"
        );
    }

    #[test]
    fn choosing_a_result_clears_what_no_longer_applies_and_dates_a_success() {
        let mut form = draft();
        form.set(CeEventField::ReferralResult, "1".into(), &options());
        assert!(form.is_successful());
        assert_eq!(form.result_date, "", "no enrollment chosen yet");
        form.set(CeEventField::ResultingEnrollment, "7".into(), &options());
        assert_eq!(
            form.result_date, "2026-11-15",
            "the enrollment's start date"
        );
        form.set(CeEventField::NotHousedReason, "3".into(), &options());

        // Unsuccessful: the enrollment no longer applies; date and reason stay.
        form.set(CeEventField::ReferralResult, "2".into(), &options());
        assert_eq!(
            form.result(),
            Some(ReferralResult::UnsuccessfulClientRejected)
        );
        assert_eq!(form.resulting_enrollment, "");
        assert_eq!(form.result_date, "2026-11-15");
        assert_eq!(form.not_housed_reason, "3");

        // No result: nothing of the outcome is sent.
        form.set(CeEventField::ReferralResult, String::new(), &options());
        assert_eq!(form.result(), None);
        assert_eq!(
            (form.result_date.as_str(), form.not_housed_reason.as_str()),
            ("", "")
        );
        assert_eq!(form.date_referral_acknowledged, "2026-11-12", "untouched");
        assert_eq!(CeEventDraft::result_value(None), "");
        assert_eq!(
            CeEventDraft::result_value(Some(ReferralResult::SuccessfulClientAccepted)),
            "1"
        );
    }

    fn draft() -> CeEventDraft {
        CeEventDraft {
            date_referral_acknowledged: "2026-11-12".into(),
            provider_contact_name: "Casey Moreno".into(),
            provider_contact_phone: "(612) 555-0142".into(),
            provider_contact_email: "casey@northside.example".into(),
            ..Default::default()
        }
    }

    fn check(facts: &CeEventFacts, draft: &CeEventDraft) -> Result<CeEventUpdate, FieldErrors> {
        validate_ce_event(facts, draft, &options(), &[1, 2, 3], d(TODAY))
    }

    fn error_of(result: Result<CeEventUpdate, FieldErrors>, field: &str) -> String {
        result
            .expect_err("expected errors")
            .get(field)
            .unwrap_or("<none>")
            .to_string()
    }

    #[test]
    fn acknowledging_normalises_contact_details() {
        let update = check(&facts(), &draft()).unwrap();
        assert_eq!(update.date_acknowledged, Some(d("2026-11-12")));
        assert_eq!(update.contact_phone.unwrap().digits(), "6125550142");
        assert_eq!(
            update.contact_email.unwrap().as_str(),
            "casey@northside.example"
        );
        assert_eq!(update.referral_result, None);
    }

    #[test]
    fn acknowledgement_date_boundaries() {
        let on_event_day = CeEventDraft {
            date_referral_acknowledged: "2026-11-10".into(),
            ..draft()
        };
        assert!(check(&facts(), &on_event_day).is_ok());
        let today = CeEventDraft {
            date_referral_acknowledged: TODAY.into(),
            ..draft()
        };
        assert!(check(&facts(), &today).is_ok());
        let before = CeEventDraft {
            date_referral_acknowledged: "2026-11-09".into(),
            ..draft()
        };
        assert_eq!(
            error_of(check(&facts(), &before), "date_referral_acknowledged"),
            "The date acknowledged cannot be before the Event Date."
        );
        let tomorrow = CeEventDraft {
            date_referral_acknowledged: "2026-11-23".into(),
            ..draft()
        };
        assert_eq!(
            error_of(check(&facts(), &tomorrow), "date_referral_acknowledged"),
            "The date cannot be in the future."
        );
    }

    #[test]
    fn acknowledging_needs_a_contact_name_and_valid_phone_and_email() {
        let bad = CeEventDraft {
            provider_contact_name: " ".into(),
            provider_contact_phone: "555-0142".into(),
            provider_contact_email: "casey@".into(),
            ..draft()
        };
        let errors = check(&facts(), &bad).unwrap_err();
        assert_eq!(
            errors.get("provider_contact_name"),
            Some("Enter the Housing Provider Contact Name.")
        );
        assert!(errors
            .get("provider_contact_phone")
            .unwrap()
            .contains("10-digit"));
        assert!(errors
            .get("provider_contact_email")
            .unwrap()
            .contains("valid email"));
        let long = CeEventDraft {
            provider_contact_name: "x".repeat(101),
            ..draft()
        };
        assert_eq!(
            error_of(check(&facts(), &long), "provider_contact_name"),
            "Use at most 100 characters."
        );
    }

    #[test]
    fn a_resolution_implies_acknowledgement() {
        let unacknowledged = CeEventDraft {
            date_referral_acknowledged: "".into(),
            referral_result: "2".into(),
            result_date: "2026-11-20".into(),
            not_housed_reason: "1".into(),
            ..draft()
        };
        assert_eq!(
            error_of(
                check(&facts(), &unacknowledged),
                "date_referral_acknowledged"
            ),
            "Record the date the referral was acknowledged before resolving it."
        );
    }

    #[test]
    fn unsuccessful_needs_result_date_and_reason() {
        let base = CeEventDraft {
            referral_result: "3".into(),
            ..draft()
        };
        let errors = check(&facts(), &base).unwrap_err();
        assert_eq!(errors.get("result_date"), Some("Enter the Result Date."));
        assert_eq!(
            errors.get("not_housed_reason"),
            Some("Choose the reason the client was not housed.")
        );
        let ok = CeEventDraft {
            result_date: "2026-11-20".into(),
            not_housed_reason: "2".into(),
            ..base
        };
        let update = check(&facts(), &ok).unwrap();
        assert_eq!(
            update.referral_result,
            Some(ReferralResult::UnsuccessfulProviderRejected)
        );
        assert_eq!(update.not_housed_reason_id, Some(2));
        assert_eq!(update.resulting_enrollment_id, None);
    }

    #[test]
    fn a_successful_result_without_a_result_date_takes_the_enrollments_start() {
        let blank = CeEventDraft {
            referral_result: "1".into(),
            resulting_enrollment: "7".into(),
            result_date: "".into(),
            ..draft()
        };
        let update = check(&facts(), &blank).unwrap();
        assert_eq!(update.result_date, Some(d("2026-11-15")));
        assert_eq!(update.resulting_enrollment_id, Some(7));
        // Without an enrollment there is nothing to take it from.
        let neither = CeEventDraft {
            resulting_enrollment: "".into(),
            ..blank.clone()
        };
        let errors = check(&facts(), &neither).unwrap_err();
        assert_eq!(errors.get("result_date"), Some("Enter the Result Date."));
        // An unsuccessful result still asks for it.
        let unsuccessful = CeEventDraft {
            referral_result: "2".into(),
            resulting_enrollment: "".into(),
            not_housed_reason: "1".into(),
            ..blank
        };
        assert_eq!(
            error_of(check(&facts(), &unsuccessful), "result_date"),
            "Enter the Result Date."
        );
    }

    #[test]
    fn result_date_boundaries() {
        let with = |date: &str| CeEventDraft {
            referral_result: "2".into(),
            result_date: date.into(),
            not_housed_reason: "1".into(),
            ..draft()
        };
        assert!(
            check(&facts(), &with("2026-11-12")).is_ok(),
            "on the day acknowledged"
        );
        assert!(check(&facts(), &with(TODAY)).is_ok(), "today");
        assert_eq!(
            error_of(check(&facts(), &with("2026-11-11")), "result_date"),
            "The Result Date cannot be before the date acknowledged."
        );
        assert_eq!(
            error_of(check(&facts(), &with("2026-11-09")), "result_date"),
            "The Result Date cannot be before the Event Date."
        );
        assert_eq!(
            error_of(check(&facts(), &with("2026-11-23")), "result_date"),
            "The date cannot be in the future."
        );
        let without_result = CeEventDraft {
            result_date: "2026-11-20".into(),
            ..draft()
        };
        assert_eq!(
            error_of(check(&facts(), &without_result), "result_date"),
            "A Result Date is recorded only with a Referral Result."
        );
    }

    #[test]
    fn successful_needs_an_enrollment_from_the_list_and_its_start_date() {
        let no_enrollment = CeEventDraft {
            referral_result: "1".into(),
            result_date: "2026-11-15".into(),
            ..draft()
        };
        assert_eq!(
            error_of(check(&facts(), &no_enrollment), "resulting_enrollment"),
            "Choose the enrollment the client was accepted into."
        );
        let foreign = CeEventDraft {
            resulting_enrollment: "99".into(),
            ..no_enrollment.clone()
        };
        assert_eq!(
            error_of(check(&facts(), &foreign), "resulting_enrollment"),
            "Choose an enrollment from the list."
        );
        let wrong_date = CeEventDraft {
            resulting_enrollment: "7".into(),
            result_date: "2026-11-16".into(),
            ..no_enrollment.clone()
        };
        assert!(
            error_of(check(&facts(), &wrong_date), "result_date").contains("project start date")
        );
        let ok = CeEventDraft {
            resulting_enrollment: "7".into(),
            ..no_enrollment
        };
        let update = check(&facts(), &ok).unwrap();
        assert_eq!(update.resulting_enrollment_id, Some(7));
        assert_eq!(update.result_date, Some(d("2026-11-15")));
        assert_eq!(
            successful_result_date(&options(), "7"),
            Some(d("2026-11-15"))
        );
    }

    #[test]
    fn referral_result_only_for_housing_referral_events() {
        let facts = CeEventFacts {
            event: EventType::HousingNavigation,
            ..facts()
        };
        let with_result = CeEventDraft {
            referral_result: "2".into(),
            result_date: "2026-11-20".into(),
            not_housed_reason: "1".into(),
            ..draft()
        };
        assert_eq!(
            error_of(check(&facts, &with_result), "referral_result"),
            "This event type does not take a Referral Result."
        );
        let garbage = CeEventDraft {
            referral_result: "9".into(),
            ..draft()
        };
        assert_eq!(
            error_of(check(&self::facts(), &garbage), "referral_result"),
            "Choose a Referral Result from the list."
        );
    }

    #[test]
    fn a_successful_referral_is_locked_but_takes_a_not_housed_reason() {
        let locked = CeEventFacts {
            date_acknowledged: Some(d("2026-11-12")),
            referral_result: Some(ReferralResult::SuccessfulClientAccepted),
            result_date: Some(d("2026-11-15")),
            resulting_enrollment_id: Some(7),
            ..facts()
        };
        let same = CeEventDraft {
            referral_result: "1".into(),
            result_date: "2026-11-15".into(),
            resulting_enrollment: "7".into(),
            ..draft()
        };
        assert!(check(&locked, &same).is_ok());
        let reason = CeEventDraft {
            not_housed_reason: "3".into(),
            ..same.clone()
        };
        assert_eq!(
            check(&locked, &reason).unwrap().not_housed_reason_id,
            Some(3)
        );
        let changed = CeEventDraft {
            referral_result: "2".into(),
            result_date: "2026-11-20".into(),
            resulting_enrollment: "".into(),
            not_housed_reason: "1".into(),
            ..same.clone()
        };
        assert!(error_of(check(&locked, &changed), "referral_result").starts_with("Locked"));
        let cleared = CeEventDraft {
            referral_result: "".into(),
            result_date: "".into(),
            resulting_enrollment: "".into(),
            ..same
        };
        assert!(error_of(check(&locked, &cleared), "referral_result").starts_with("Locked"));
    }

    #[test]
    fn a_reason_needs_a_result_and_must_be_on_the_list() {
        let early = CeEventDraft {
            not_housed_reason: "1".into(),
            ..draft()
        };
        assert_eq!(
            error_of(check(&facts(), &early), "not_housed_reason"),
            "Record the Referral Result first."
        );
        let unknown = CeEventDraft {
            referral_result: "2".into(),
            result_date: "2026-11-20".into(),
            not_housed_reason: "42".into(),
            ..draft()
        };
        assert_eq!(
            error_of(check(&facts(), &unknown), "not_housed_reason"),
            "Choose a reason from the list."
        );
    }

    #[test]
    fn acknowledgement_cannot_be_removed() {
        let acknowledged = CeEventFacts {
            date_acknowledged: Some(d("2026-11-12")),
            ..facts()
        };
        let cleared = CeEventDraft {
            date_referral_acknowledged: "".into(),
            ..draft()
        };
        assert_eq!(
            error_of(check(&acknowledged, &cleared), "date_referral_acknowledged"),
            "An acknowledged referral keeps its date acknowledged."
        );
    }

    #[test]
    fn allowed_events_follow_the_project_type() {
        let codes = |t: ProjectType| {
            allowed_referral_events(t)
                .iter()
                .map(|e| e.code())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(ProjectType::PermanentSupportiveHousing),
            vec![14, 17, 18]
        );
        assert_eq!(codes(ProjectType::RapidReHousing), vec![13, 12, 17, 18]);
        assert_eq!(
            codes(ProjectType::TransitionalHousing),
            vec![11, 12, 17, 18]
        );
        assert_eq!(codes(ProjectType::EsEntryExit), vec![10, 17, 18]);
        assert!(codes(ProjectType::ServicesOnly).is_empty());
    }

    #[test]
    fn referral_event_date_boundaries() {
        let check = |date: &str, event: &str, recorded: &[NaiveDate]| {
            validate_referral_event(
                date,
                event,
                ProjectType::PermanentSupportiveHousing,
                d("2026-06-01"),
                None,
                recorded,
                d(TODAY),
            )
        };
        assert_eq!(
            check("2026-06-01", "14", &[]).unwrap().event,
            EventType::PermanentSupportiveHousing
        );
        assert!(check(TODAY, "17", &[]).is_ok());
        assert_eq!(
            check("2026-05-31", "14", &[])
                .unwrap_err()
                .get("event_date"),
            Some("The Event Date cannot be before the CE enrollment's start.")
        );
        assert_eq!(
            check("2026-11-23", "14", &[])
                .unwrap_err()
                .get("event_date"),
            Some("The date cannot be in the future.")
        );
        assert_eq!(
            check("2026-11-20", "13", &[]).unwrap_err().get("event"),
            Some("That Event does not fit the receiving project's type.")
        );
        assert_eq!(
            check("2026-11-20", "", &[]).unwrap_err().get("event"),
            Some("Choose the Event.")
        );
        assert!(
            check("2026-11-20", "14", &[d("2026-11-19")]).is_err(),
            "after the acknowledgement"
        );
        let exited = validate_referral_event(
            "2026-11-20",
            "14",
            ProjectType::PermanentSupportiveHousing,
            d("2026-06-01"),
            Some(d("2026-11-01")),
            &[],
            d(TODAY),
        );
        assert_eq!(
            exited.unwrap_err().get("event_date"),
            Some("The Event Date cannot be after the CE enrollment's exit.")
        );
    }
}

//! Database constraint names → the field and message a form shows. The forms check the same
//! rules first; these catch races between two users and keep the answer a field message.

pub fn describe(constraint: &str) -> Option<(&'static str, &'static str)> {
    Some(match constraint {
        "users_username_key" => ("username", "That username is already taken."),
        "return_reasons_label" => (
            "reason_label",
            "This CoC already has a return reason with this name.",
        ),
        "referral_need_statuses_name" => ("name", "This CoC already has a status with this name."),
        "memberships_unique_pair" => (
            "organization",
            "The user already holds this Workgroup in this Organization.",
        ),
        "enrollments_one_hoh" => (
            "relationship_to_hoh",
            "A household has exactly one head of household.",
        ),
        "exits_one_per_enrollment" => ("exit_date", "This enrollment already has an exit."),
        "ce_events_resulting_enrollment" => (
            "resulting_enrollment",
            "That enrollment is already the result of another referral.",
        ),
        "result_not_before_event" => (
            "result_date",
            "The Result Date cannot be before the Event Date.",
        ),
        "acknowledged_not_before_event" => (
            "date_referral_acknowledged",
            "The date acknowledged cannot be before the Event Date.",
        ),
        "result_date_dependent" => (
            "result_date",
            "A Result Date is required exactly when a Referral Result is set.",
        ),
        "resulting_enrollment_dependent" => (
            "resulting_enrollment",
            "A successful referral needs its Resulting Enrollment.",
        ),
        "destination_subsidy_dependent" => (
            "destination_subsidy_type",
            "Choose the rental subsidy type for this destination.",
        ),
        "other_destination_dependent" => ("other_destination", "Describe the other destination."),
        "hmis_exports_one_running" => (
            "coc_code",
            "An export of this CoC is already running: wait for it to finish, then start another.",
        ),
        "organizations_name_key" => ("name", "Another organization already has this name."),
        "organizations_ce_for_coc_key" => (
            "ce_for_coc",
            "This CoC already has a Coordinated Entry organization.",
        ),
        "coc_holidays_one_per_day" => {
            ("holiday_date", "This day is already in the CoC's holidays.")
        }
        _ => return None,
    })
}

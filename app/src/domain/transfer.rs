//! Transfer requests (article 001, Coordinated Entry Transfer Policy): a housing provider whose
//! enrolled client cannot be served there any more asks Coordinated Entry for a transfer to
//! another project type or provider; the CoC's Priority List Manager answers by referring the
//! client to a new opening or by declining with a note. The forms run these rules as the user
//! types; the server functions run them again.

use super::codes::ProjectType;
use super::referral_return::NoteText;
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

/// Why a provider asks for a transfer (`transfer_requests.reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferReason {
    Safety,
    ServiceNeeds,
    HouseholdChange,
    Location,
    Other,
}

impl TransferReason {
    pub const ALL: [TransferReason; 5] = [
        Self::Safety,
        Self::ServiceNeeds,
        Self::HouseholdChange,
        Self::Location,
        Self::Other,
    ];

    pub const fn stored(self) -> &'static str {
        match self {
            Self::Safety => "safety",
            Self::ServiceNeeds => "service_needs",
            Self::HouseholdChange => "household_change",
            Self::Location => "location",
            Self::Other => "other",
        }
    }

    pub fn from_stored(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.stored() == stored)
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Safety => "Safety concern at the current project",
            Self::ServiceNeeds => "Needs a different level of services",
            Self::HouseholdChange => "Household size or composition changed",
            Self::Location => "Needs housing in another location",
            Self::Other => "Other (explain in the note)",
        }
    }
}

/// The project types a transfer may ask for: those a CE referral goes to (HUD Data Lab's
/// mapping of project type to CE Event).
pub fn transfer_project_types() -> Vec<ProjectType> {
    ProjectType::ALL
        .iter()
        .copied()
        .filter(|t| t.referral_event().is_some())
        .collect()
}

/// The "Request a transfer" form as typed (`transfer[...]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TransferDraft {
    /// A [`TransferReason::stored`] value.
    pub reason: String,
    /// A HUD project type code, or empty.
    pub project_type: String,
    /// A receiving organization's id, or empty.
    pub organization: String,
    pub note: String,
}

/// The form's field names (the keys of its errors).
pub const TRANSFER_REASON: &str = "transfer_reason";
pub const TRANSFER_TO: &str = "transfer_project_type";
pub const TRANSFER_ORGANIZATION: &str = "transfer_organization";
pub const TRANSFER_NOTE: &str = "transfer_note";

/// A request the rules accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTransfer {
    pub reason: TransferReason,
    pub project_type: Option<ProjectType>,
    pub organization_id: Option<i64>,
    pub note: NoteText,
}

/// Checks the form: a reason, what the client should move to (a project type, a provider or
/// both; the provider one of `organizations`, which leaves out the requester itself), a note.
pub fn validate_transfer(
    draft: &TransferDraft,
    organizations: &[(i64, String)],
) -> Result<ValidTransfer, FieldErrors> {
    let mut errors = FieldErrors::new();
    let reason = errors.check(
        TRANSFER_REASON,
        TransferReason::from_stored(draft.reason.trim())
            .ok_or("Choose why the client needs a transfer."),
    );
    let project_type = match draft.project_type.trim() {
        "" => Ok(None),
        code => code
            .parse::<i16>()
            .ok()
            .and_then(ProjectType::from_code)
            .filter(|t| transfer_project_types().contains(t))
            .map(Some)
            .ok_or("Choose one of the listed project types."),
    };
    let project_type = errors.check(TRANSFER_TO, project_type);
    let organization = match draft.organization.trim() {
        "" => Ok(None),
        id => id
            .parse::<i64>()
            .ok()
            .filter(|id| organizations.iter().any(|(o, _)| o == id))
            .map(Some)
            .ok_or("Choose one of the listed providers."),
    };
    let organization = errors.check(TRANSFER_ORGANIZATION, organization);
    if let (Some(None), Some(None)) = (project_type, organization) {
        errors.add(
            TRANSFER_TO,
            "Choose the project type or the provider the client should move to (or both).",
        );
    }
    let note = errors.check(TRANSFER_NOTE, NoteText::parse(&draft.note));
    match (reason, project_type, organization, note) {
        (Some(reason), Some(project_type), Some(organization_id), Some(note))
            if errors.is_empty() =>
        {
            Ok(ValidTransfer {
                reason,
                project_type,
                organization_id,
                note,
            })
        }
        _ => Err(errors),
    }
}

/// Whether the enrollment may ask for a transfer: the organization runs its project, the client
/// is still enrolled, it is a housing project (not Coordinated Entry itself), and no request of
/// it awaits an answer.
pub fn can_request_transfer(
    runs_project: bool,
    exited: bool,
    project_type: Option<ProjectType>,
    pending: bool,
) -> Result<(), &'static str> {
    if !runs_project {
        return Err("Only the organization running the project asks for a transfer.");
    }
    if exited {
        return Err("The client has exited this project.");
    }
    if project_type.is_none_or(|t| t.referral_event().is_none()) {
        return Err("Transfers are between housing projects that receive CE referrals.");
    }
    if pending {
        return Err("A transfer request of this enrollment awaits Coordinated Entry's answer.");
    }
    Ok(())
}

/// The "Decline transfer" form (`answer[note]`): a note is required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeclineDraft {
    pub note: String,
}

pub const DECLINE_NOTE: &str = "decline_note";

pub fn validate_decline(draft: &DeclineDraft) -> Result<NoteText, FieldErrors> {
    let mut errors = FieldErrors::new();
    match errors.check(DECLINE_NOTE, NoteText::parse(&draft.note)) {
        Some(note) => Ok(note),
        None => Err(errors),
    }
}

/// What a request asks for, as people read it: "PH – Rapid Re-Housing at Eastgate Housing".
pub fn asked_for(project_type: Option<ProjectType>, organization: Option<&str>) -> String {
    match (project_type, organization) {
        (Some(t), Some(o)) => format!("{} at {o}", t.label()),
        (Some(t), None) => t.label().to_string(),
        (None, Some(o)) => o.to_string(),
        (None, None) => "Any other housing".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orgs() -> Vec<(i64, String)> {
        vec![(7, "Eastgate Housing".into()), (9, "Harbor Light".into())]
    }

    fn draft(reason: &str, project_type: &str, organization: &str, note: &str) -> TransferDraft {
        TransferDraft {
            reason: reason.into(),
            project_type: project_type.into(),
            organization: organization.into(),
            note: note.into(),
        }
    }

    #[test]
    fn reasons_round_trip_and_the_table_accepts_them() {
        let migration = include_str!("../../../migrations/20261204000016_transfer_requests.sql");
        for reason in TransferReason::ALL {
            assert_eq!(TransferReason::from_stored(reason.stored()), Some(reason));
            assert!(
                migration.contains(&format!("'{}'", reason.stored())),
                "{reason:?}"
            );
        }
        assert_eq!(TransferReason::from_stored("bored"), None);
    }

    #[test]
    fn a_transfer_names_a_reason_a_destination_and_a_note() {
        let valid =
            validate_transfer(&draft("safety", "13", "", " She feels unsafe. "), &orgs()).unwrap();
        assert_eq!(valid.reason, TransferReason::Safety);
        assert_eq!(valid.project_type, Some(ProjectType::RapidReHousing));
        assert_eq!(valid.organization_id, None);
        assert_eq!(valid.note.as_str(), "She feels unsafe.");
        let to_provider = validate_transfer(&draft("location", "", "9", "n"), &orgs()).unwrap();
        assert_eq!(to_provider.organization_id, Some(9));
        assert_eq!(to_provider.project_type, None);
        let both = validate_transfer(&draft("other", "3", "7", "n"), &orgs()).unwrap();
        assert_eq!(
            (both.project_type, both.organization_id),
            (Some(ProjectType::PermanentSupportiveHousing), Some(7))
        );

        let empty = validate_transfer(&draft("", "", "", ""), &orgs()).unwrap_err();
        assert_eq!(
            empty.get(TRANSFER_REASON),
            Some("Choose why the client needs a transfer.")
        );
        assert_eq!(
            empty.get(TRANSFER_TO),
            Some("Choose the project type or the provider the client should move to (or both).")
        );
        assert_eq!(empty.get(TRANSFER_NOTE), Some("Write a note."));
        assert_eq!(empty.get(TRANSFER_ORGANIZATION), None);

        // Not offered: Coordinated Entry and Street Outreach, a provider not listed (the
        // requester itself), garbage.
        for (project_type, organization, field) in [
            ("14", "", TRANSFER_TO),
            ("4", "", TRANSFER_TO),
            ("x", "", TRANSFER_TO),
            ("", "8", TRANSFER_ORGANIZATION),
            ("", "seven", TRANSFER_ORGANIZATION),
        ] {
            let refused =
                validate_transfer(&draft("safety", project_type, organization, "n"), &orgs())
                    .unwrap_err();
            assert!(
                refused.get(field).is_some(),
                "{project_type} {organization}"
            );
        }
        // The browser's spaces are trimmed; HUD codes at the edges of the list are refused
        // where they are not housing (0 is Emergency Shelter, 15 and -1 are no project type).
        let spaced = validate_transfer(&draft(" safety ", " 13 ", " 7 ", "n"), &orgs()).unwrap();
        assert_eq!(
            (spaced.reason, spaced.project_type, spaced.organization_id),
            (
                TransferReason::Safety,
                Some(ProjectType::RapidReHousing),
                Some(7)
            )
        );
        assert_eq!(
            validate_transfer(&draft("safety", "0", "", "n"), &orgs())
                .unwrap()
                .project_type,
            Some(ProjectType::EsEntryExit)
        );
        for code in ["15", "-1", "99999"] {
            assert!(
                validate_transfer(&draft("safety", code, "", "n"), &orgs()).is_err(),
                "{code}"
            );
        }
        assert!(
            validate_transfer(&draft("safety", "", "99999999999999999999", "n"), &orgs()).is_err()
        );
        assert!(validate_transfer(&draft("safety", "13", "", &"a".repeat(2000)), &orgs()).is_ok());
        assert!(validate_transfer(&draft("safety", "13", "", &"a".repeat(2001)), &orgs()).is_err());
    }

    #[test]
    fn offered_project_types_are_the_housing_ones() {
        let types = transfer_project_types();
        assert!(types.contains(&ProjectType::RapidReHousing));
        assert!(types.contains(&ProjectType::TransitionalHousing));
        assert!(types.contains(&ProjectType::EsEntryExit));
        assert!(!types.contains(&ProjectType::CoordinatedEntry));
        assert!(!types.contains(&ProjectType::StreetOutreach));
        assert!(!types.contains(&ProjectType::HomelessnessPrevention));
    }

    #[test]
    fn only_an_open_housing_enrollment_of_ones_own_project_without_a_pending_request_asks() {
        let psh = Some(ProjectType::PermanentSupportiveHousing);
        assert_eq!(can_request_transfer(true, false, psh, false), Ok(()));
        assert!(can_request_transfer(false, false, psh, false).is_err());
        assert!(can_request_transfer(true, true, psh, false).is_err());
        assert!(can_request_transfer(true, false, psh, true).is_err());
        assert!(
            can_request_transfer(true, false, Some(ProjectType::CoordinatedEntry), false).is_err()
        );
        assert!(can_request_transfer(true, false, None, false).is_err());
    }

    #[test]
    fn a_decline_needs_a_note_and_the_request_reads_plainly() {
        assert_eq!(
            validate_decline(&DeclineDraft { note: "  ".into() })
                .unwrap_err()
                .get(DECLINE_NOTE),
            Some("Write a note.")
        );
        assert_eq!(
            validate_decline(&DeclineDraft {
                note: "No RRH openings.".into()
            })
            .unwrap()
            .as_str(),
            "No RRH openings."
        );
        assert_eq!(
            asked_for(Some(ProjectType::RapidReHousing), Some("Eastgate Housing")),
            "PH – Rapid Re-Housing at Eastgate Housing"
        );
        assert_eq!(
            asked_for(Some(ProjectType::TransitionalHousing), None),
            "Transitional Housing"
        );
        assert_eq!(asked_for(None, Some("Harbor Light")), "Harbor Light");
        assert_eq!(asked_for(None, None), "Any other housing");
    }
}

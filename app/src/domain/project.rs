//! Rules for the records a CoC's HMIS lead administers: organizations (HUD 2.01), projects
//! (2.02, with 2.03 Continuum of Care information) and CE participation (2.09). The admin forms
//! run them as the user types; the server functions run them again before anything is written.
//!
//! Dependent fields follow the CSV General Rules: a field whose parent does not trigger it is
//! dropped (not an error), so a form posted without JavaScript never stores a hidden answer.

use super::codes::{GeographyType, HousingType, ProjectType, RrhSubType, TargetPopulation};
use super::dates::{format_date, parse_date, parse_optional_date};
use crate::error::FieldErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A CoC code as HUD writes it: two letters, a hyphen, three digits (e.g. MN-500).
pub fn parse_coc_code(raw: &str) -> Result<String, &'static str> {
    let code = raw.trim().to_uppercase();
    let bytes = code.as_bytes();
    let valid = bytes.len() == 6
        && bytes[..2].iter().all(u8::is_ascii_uppercase)
        && bytes[2] == b'-'
        && bytes[3..].iter().all(u8::is_ascii_digit);
    if valid {
        Ok(code)
    } else {
        Err("Enter the CoC code as two letters, a hyphen and three digits, e.g. MN-500.")
    }
}

/// Text of at most `max` characters; empty is `None`.
fn optional_text(errors: &mut FieldErrors, field: &str, raw: &str, max: usize) -> Option<String> {
    let value = raw.trim();
    if value.chars().count() > max {
        errors.add(field, format!("Use at most {max} characters."));
        return None;
    }
    (!value.is_empty()).then(|| value.to_string())
}

fn required_text(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    max: usize,
    missing: &'static str,
) -> String {
    let value = raw.trim();
    if value.is_empty() {
        errors.add(field, missing);
    } else if value.chars().count() > max {
        errors.add(field, format!("Use at most {max} characters."));
    }
    value.to_string()
}

/// "0"/"1" of a No/Yes select or checkbox ("on" is a checked checkbox posted without a value).
fn yes(raw: &str) -> bool {
    matches!(raw.trim(), "1" | "on" | "true" | "yes")
}

/// A code of a HUD list chosen in a select; empty is `None`.
fn optional_code<T>(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    from_code: fn(i16) -> Option<T>,
) -> Option<T> {
    match raw.trim() {
        "" => None,
        value => {
            let parsed = value.parse::<i16>().ok().and_then(from_code);
            if parsed.is_none() {
                errors.add(field, "Choose one of the listed values.");
            }
            parsed
        }
    }
}

/// A code of a HUD list that must be chosen (`missing` says so when it is not).
fn required_code<T>(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    from_code: fn(i16) -> Option<T>,
    missing: &'static str,
) -> Option<T> {
    let value = optional_code(errors, field, raw, from_code);
    if value.is_none() && errors.get(field).is_none() {
        errors.add(field, missing);
    }
    value
}

// ---- 2.01 Organization --------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationDraft {
    pub name: String,
    pub common_name: String,
    /// "0" or "1" (2.01.3 VictimServiceProvider).
    pub victim_service_provider: String,
    /// The CoC whose Coordinated Entry organization this is, or empty.
    pub ce_for_coc: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationSettings {
    pub name: String,
    pub common_name: Option<String>,
    pub victim_service_provider: bool,
    pub ce_for_coc: Option<String>,
}

/// What the organization rules need to know besides the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationFacts {
    /// CoC codes that exist.
    pub cocs: Vec<String>,
    /// Other organizations' names, lower-cased (names are unique).
    pub other_names: Vec<String>,
    /// CoC code → name of the other organization that is already its CE organization.
    pub ce_taken: Vec<(String, String)>,
}

pub fn validate_organization(
    draft: &OrganizationDraft,
    facts: &OrganizationFacts,
) -> Result<OrganizationSettings, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = required_text(
        &mut errors,
        "name",
        &draft.name,
        200,
        "Enter the organization name.",
    );
    if facts.other_names.contains(&name.to_lowercase()) {
        errors.add("name", "Another organization already has this name.");
    }
    let common_name = optional_text(&mut errors, "common_name", &draft.common_name, 200);
    let victim_service_provider = match draft.victim_service_provider.trim() {
        "0" => false,
        "1" => true,
        _ => {
            errors.add(
                "victim_service_provider",
                "Answer whether it is a victim service provider.",
            );
            false
        }
    };
    let ce_for_coc = match draft.ce_for_coc.trim() {
        "" => None,
        code if !facts.cocs.iter().any(|c| c == code) => {
            errors.add("ce_for_coc", "Choose a Continuum of Care from the list.");
            None
        }
        code => {
            if let Some((_, other)) = facts.ce_taken.iter().find(|(c, _)| c == code) {
                errors.add(
                    "ce_for_coc",
                    format!("{code} already has a Coordinated Entry organization: {other}."),
                );
            }
            Some(code.to_string())
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(OrganizationSettings {
        name,
        common_name,
        victim_service_provider,
        ce_for_coc,
    })
}

impl OrganizationSettings {
    /// The settings as the form shows them.
    pub fn to_draft(&self) -> OrganizationDraft {
        OrganizationDraft {
            name: self.name.clone(),
            common_name: self.common_name.clone().unwrap_or_default(),
            victim_service_provider: if self.victim_service_provider {
                "1"
            } else {
                "0"
            }
            .into(),
            ce_for_coc: self.ce_for_coc.clone().unwrap_or_default(),
        }
    }
}

// ---- 2.02 Project and 2.03 Continuum of Care information ----------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDraft {
    pub organization_id: String,
    pub name: String,
    pub common_name: String,
    pub operating_start_date: String,
    pub operating_end_date: String,
    /// "0" or "1" (2.02.5 ContinuumProject).
    pub continuum_project: String,
    pub project_type: String,
    pub rrh_sub_type: String,
    pub housing_type: String,
    /// "0" or "1" (2.02.B).
    pub residential_affiliation: String,
    pub target_population: String,
    pub coc_code: String,
    pub geocode: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub geography_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectSettings {
    pub organization_id: i64,
    pub name: String,
    pub common_name: Option<String>,
    pub operating_start_date: NaiveDate,
    pub operating_end_date: Option<NaiveDate>,
    pub continuum_project: bool,
    pub project_type: Option<ProjectType>,
    pub rrh_sub_type: Option<RrhSubType>,
    pub housing_type: Option<HousingType>,
    pub residential_affiliation: Option<bool>,
    pub target_population: Option<TargetPopulation>,
    pub coc_code: String,
    pub geocode: String,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub geography_type: Option<GeographyType>,
}

/// The project's enrollments, which limit what may change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentSpan {
    pub count: i64,
    /// Enrollments without an exit.
    pub open: i64,
    pub first_entry: Option<NaiveDate>,
    /// The latest Project Start Date or Exit Date of any enrollment.
    pub last_activity: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectFacts {
    /// Organizations a project may belong to: (id, name).
    pub organizations: Vec<(i64, String)>,
    pub cocs: Vec<String>,
    /// The saved project type and CoC (none for a new project).
    pub saved_type: Option<i16>,
    pub saved_coc: Option<String>,
    pub enrollments: EnrollmentSpan,
    /// The project's CE participation records: (start, end).
    pub participation: Vec<(NaiveDate, Option<NaiveDate>)>,
}

impl ProjectSettings {
    /// Which dependent fields the form shows for a project type (and RRH subtype).
    pub fn shows(project_type: Option<ProjectType>, rrh: Option<RrhSubType>) -> (bool, bool, bool) {
        match project_type {
            Some(t) => (
                t == ProjectType::RapidReHousing,
                t.takes_housing_type(rrh),
                t.takes_residential_affiliation(rrh),
            ),
            None => (false, false, false),
        }
    }
}

impl ProjectSettings {
    /// The settings as the form shows them.
    pub fn to_draft(&self) -> ProjectDraft {
        let code = |c: Option<i16>| c.map(|c| c.to_string()).unwrap_or_default();
        let text = |t: &Option<String>| t.clone().unwrap_or_default();
        let yes_no = |b: bool| if b { "1" } else { "0" }.to_string();
        ProjectDraft {
            organization_id: self.organization_id.to_string(),
            name: self.name.clone(),
            common_name: text(&self.common_name),
            operating_start_date: self.operating_start_date.to_string(),
            operating_end_date: self
                .operating_end_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
            continuum_project: yes_no(self.continuum_project),
            project_type: code(self.project_type.map(ProjectType::code)),
            rrh_sub_type: code(self.rrh_sub_type.map(RrhSubType::code)),
            housing_type: code(self.housing_type.map(HousingType::code)),
            residential_affiliation: self.residential_affiliation.map(yes_no).unwrap_or_default(),
            target_population: code(self.target_population.map(TargetPopulation::code)),
            coc_code: self.coc_code.clone(),
            geocode: self.geocode.clone(),
            address1: text(&self.address1),
            address2: text(&self.address2),
            city: text(&self.city),
            state: text(&self.state),
            zip: text(&self.zip),
            geography_type: code(self.geography_type.map(GeographyType::code)),
        }
    }
}

pub fn validate_project(
    draft: &ProjectDraft,
    facts: &ProjectFacts,
    today: NaiveDate,
) -> Result<ProjectSettings, FieldErrors> {
    let mut errors = FieldErrors::new();
    let organization_id = draft.organization_id.trim().parse::<i64>().ok();
    if !organization_id.is_some_and(|id| facts.organizations.iter().any(|(o, _)| *o == id)) {
        errors.add("organization_id", "Choose the owning organization.");
    }
    let name = required_text(
        &mut errors,
        "name",
        &draft.name,
        200,
        "Enter the project name.",
    );
    let common_name = optional_text(&mut errors, "common_name", &draft.common_name, 200);

    let continuum_project = match draft.continuum_project.trim() {
        "0" => false,
        "1" => true,
        _ => {
            errors.add(
                "continuum_project",
                "Answer whether this is a continuum project.",
            );
            true
        }
    };
    let project_type = optional_code(
        &mut errors,
        "project_type",
        &draft.project_type,
        ProjectType::from_code,
    );
    if project_type.is_none() && continuum_project && errors.get("project_type").is_none() {
        errors.add(
            "project_type",
            "Choose the project type: a continuum project must have one.",
        );
    }
    if let (Some(saved), Some(chosen)) = (facts.saved_type, project_type) {
        if saved != chosen.code() && facts.enrollments.count > 0 {
            errors.add(
                "project_type",
                "The project type cannot change once clients have been enrolled in the project.",
            );
        }
    }
    let is_rrh = project_type == Some(ProjectType::RapidReHousing);
    let rrh_sub_type = is_rrh
        .then(|| {
            required_code(
                &mut errors,
                "rrh_sub_type",
                &draft.rrh_sub_type,
                RrhSubType::from_code,
                "Choose the RRH subtype.",
            )
        })
        .flatten();
    let (_, takes_housing, takes_affiliation) = ProjectSettings::shows(project_type, rrh_sub_type);
    let housing_type = takes_housing
        .then(|| {
            required_code(
                &mut errors,
                "housing_type",
                &draft.housing_type,
                HousingType::from_code,
                "Choose the housing type.",
            )
        })
        .flatten();
    let residential_affiliation = if takes_affiliation {
        match draft.residential_affiliation.trim() {
            "0" => Some(false),
            "1" => Some(true),
            _ => {
                errors.add(
                    "residential_affiliation",
                    "Answer whether the project is affiliated with a residential project.",
                );
                None
            }
        }
    } else {
        None
    };
    let target_population = optional_code(
        &mut errors,
        "target_population",
        &draft.target_population,
        TargetPopulation::from_code,
    );

    let start = match parse_date(&draft.operating_start_date) {
        Ok(date) => Some(date),
        Err(_) if draft.operating_start_date.trim().is_empty() => {
            errors.add("operating_start_date", "Enter the Operating Start Date.");
            None
        }
        Err(message) => {
            errors.add("operating_start_date", message);
            None
        }
    };
    let end = errors
        .check(
            "operating_end_date",
            parse_optional_date(&draft.operating_end_date),
        )
        .flatten();
    let span = &facts.enrollments;
    if let (Some(start), Some(first)) = (start, span.first_entry) {
        if start > first {
            errors.add(
                "operating_start_date",
                format!(
                    "The project's first enrollment started on {}: the Operating Start Date cannot be later.",
                    format_date(first)
                ),
            );
        }
    }
    if let Some(end) = end {
        if start.is_some_and(|start| end < start) {
            errors.add(
                "operating_end_date",
                "The Operating End Date cannot be before the Operating Start Date.",
            );
        } else if let Some(last) = span.last_activity.filter(|last| end < *last) {
            errors.add(
                "operating_end_date",
                format!(
                    "An enrollment of this project started or ended on {}: the Operating End Date cannot be earlier.",
                    format_date(last)
                ),
            );
        } else if span.open > 0 && end < today {
            errors.add(
                "operating_end_date",
                format!(
                    "{} client(s) are still enrolled: exit them on or before the Operating End Date first.",
                    span.open
                ),
            );
        }
        if let Some((_, participation_end)) = facts
            .participation
            .iter()
            .find(|(s, e)| e.is_none_or(|e| e > end) || *s > end)
        {
            errors.add(
                "operating_end_date",
                match participation_end {
                    None => "A CE participation record is still open: give it an end date on or before the Operating End Date.".to_string(),
                    Some(e) => format!("A CE participation record runs to {}: it cannot outlast the project.", format_date(*e)),
                },
            );
        }
    }

    let coc_code = draft.coc_code.trim().to_string();
    if !facts.cocs.contains(&coc_code) {
        errors.add("coc_code", "Choose the project's Continuum of Care.");
    } else if facts
        .saved_coc
        .as_ref()
        .is_some_and(|saved| *saved != coc_code)
        && span.count > 0
    {
        errors.add(
            "coc_code",
            "The CoC cannot change once clients have been enrolled: their Enrollment CoC names it.",
        );
    }
    let geocode = draft.geocode.trim().to_string();
    if geocode.len() != 6 || !geocode.bytes().all(|b| b.is_ascii_digit()) {
        errors.add(
            "geocode",
            "Enter HUD's six-digit geographic code for the project's location.",
        );
    }
    let address1 = optional_text(&mut errors, "address1", &draft.address1, 100);
    let address2 = optional_text(&mut errors, "address2", &draft.address2, 100);
    let city = optional_text(&mut errors, "city", &draft.city, 50);
    let state = optional_text(&mut errors, "state", &draft.state, 2).map(|s| s.to_uppercase());
    if state
        .as_ref()
        .is_some_and(|s| s.len() != 2 || !s.bytes().all(|b| b.is_ascii_uppercase()))
    {
        errors.add("state", "Enter the two-letter state code, e.g. MN.");
    }
    let zip = optional_text(&mut errors, "zip", &draft.zip, 5);
    if zip
        .as_ref()
        .is_some_and(|z| z.len() != 5 || !z.bytes().all(|b| b.is_ascii_digit()))
    {
        errors.add("zip", "Enter a five-digit ZIP code.");
    }
    let geography_type = optional_code(
        &mut errors,
        "geography_type",
        &draft.geography_type,
        GeographyType::from_code,
    );

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ProjectSettings {
        organization_id: organization_id.unwrap_or_default(),
        name,
        common_name,
        operating_start_date: start.unwrap_or(today),
        operating_end_date: end,
        continuum_project,
        project_type,
        rrh_sub_type,
        housing_type,
        residential_affiliation,
        target_population,
        coc_code,
        geocode,
        address1,
        address2,
        city,
        state,
        zip,
        geography_type,
    })
}

/// Why a project cannot be deleted, if it cannot: one with enrollments or referrals is ended
/// (Operating End Date) instead, so the HMIS record of those clients stays whole.
pub fn deletion_refused(enrollments: i64, referrals: i64) -> Option<&'static str> {
    if enrollments > 0 {
        Some("This project has enrollments, so it cannot be deleted: enter an Operating End Date to end it instead.")
    } else if referrals > 0 {
        Some("This project has received referrals, so it cannot be deleted: enter an Operating End Date to end it instead.")
    } else {
        None
    }
}

// ---- 2.09 CE Participation -----------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CeParticipationDraft {
    pub access_point: String,
    pub prevention_assessment: String,
    pub crisis_assessment: String,
    pub housing_assessment: String,
    pub direct_services: String,
    pub receives_referrals: String,
    pub start_date: String,
    pub end_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CeParticipationSettings {
    pub access_point: bool,
    /// 2.09.A: present exactly when the project is an access point.
    pub assessments: Option<[bool; 4]>,
    pub receives_referrals: bool,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

/// Checks one CE participation record against the project's operating dates and its other
/// records (which must not overlap: Eva check 128).
pub fn validate_ce_participation(
    draft: &CeParticipationDraft,
    operating: (NaiveDate, Option<NaiveDate>),
    others: &[(NaiveDate, Option<NaiveDate>)],
) -> Result<CeParticipationSettings, FieldErrors> {
    let mut errors = FieldErrors::new();
    let access_point = yes(&draft.access_point);
    let assessments = access_point.then(|| {
        [
            yes(&draft.prevention_assessment),
            yes(&draft.crisis_assessment),
            yes(&draft.housing_assessment),
            yes(&draft.direct_services),
        ]
    });
    let start = match draft.start_date.trim() {
        "" => {
            errors.add(
                "start_date",
                "Enter the CE Participation Status Start Date.",
            );
            None
        }
        raw => errors.check("start_date", parse_date(raw)),
    };
    let end = errors
        .check("end_date", parse_optional_date(&draft.end_date))
        .flatten();
    let (operating_start, operating_end) = operating;
    if let Some(start) = start {
        if start < operating_start {
            errors.add(
                "start_date",
                format!(
                    "The project started operating on {}: participation cannot start earlier.",
                    format_date(operating_start)
                ),
            );
        }
        if end.is_some_and(|end| end < start) {
            errors.add("end_date", "The end date cannot be before the start date.");
        }
    }
    if let Some(operating_end) = operating_end {
        if end.is_none_or(|end| end > operating_end) {
            errors.add(
                "end_date",
                format!(
                    "The project stops operating on {}: enter an end date on or before it.",
                    format_date(operating_end)
                ),
            );
        }
    }
    if let Some(start) = start {
        let last = end.unwrap_or(NaiveDate::MAX);
        if let Some((s, e)) = others
            .iter()
            .find(|(s, e)| *s <= last && start <= e.unwrap_or(NaiveDate::MAX))
        {
            errors.add(
                "start_date",
                format!(
                    "This overlaps the record from {} to {}: a project's CE participation records cannot overlap.",
                    format_date(*s),
                    e.map(format_date).unwrap_or_else(|| "now".into())
                ),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CeParticipationSettings {
        access_point,
        assessments,
        receives_referrals: yes(&draft.receives_referrals),
        start_date: start.unwrap_or(operating_start),
        end_date: end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn org_facts() -> OrganizationFacts {
        OrganizationFacts {
            cocs: vec!["RB-501".into(), "LK-502".into()],
            other_names: vec!["harbor light shelter".into()],
            ce_taken: vec![("RB-501".into(), "Riverbend CoC Coordinated Entry".into())],
        }
    }

    #[test]
    fn coc_codes_follow_hud_pattern() {
        assert_eq!(parse_coc_code(" mn-500 "), Ok("MN-500".into()));
        assert!(parse_coc_code("MN500").is_err());
        assert!(parse_coc_code("M1-500").is_err());
        assert!(parse_coc_code("MN-50").is_err());
    }

    #[test]
    fn organizations_need_a_unique_name_and_one_ce_organization_per_coc() {
        let draft = OrganizationDraft {
            name: "Hope Street Housing".into(),
            common_name: String::new(),
            victim_service_provider: "0".into(),
            ce_for_coc: "LK-502".into(),
        };
        let ok = validate_organization(&draft, &org_facts()).unwrap();
        assert_eq!(ok.ce_for_coc.as_deref(), Some("LK-502"));
        assert!(!ok.victim_service_provider);
        assert_eq!(ok.common_name, None);

        let taken = OrganizationDraft {
            name: "Harbor Light Shelter".into(),
            ce_for_coc: "RB-501".into(),
            ..draft.clone()
        };
        let errors = validate_organization(&taken, &org_facts()).unwrap_err();
        assert!(errors.get("name").is_some());
        assert_eq!(
            errors.get("ce_for_coc"),
            Some("RB-501 already has a Coordinated Entry organization: Riverbend CoC Coordinated Entry.")
        );
        let unanswered = OrganizationDraft {
            victim_service_provider: String::new(),
            ce_for_coc: "XX-999".into(),
            ..draft
        };
        let errors = validate_organization(&unanswered, &org_facts()).unwrap_err();
        assert!(errors.get("victim_service_provider").is_some());
        assert!(errors.get("ce_for_coc").is_some());
    }

    fn project_facts() -> ProjectFacts {
        ProjectFacts {
            organizations: vec![(3, "Northside Housing Partners".into())],
            cocs: vec!["RB-501".into()],
            ..Default::default()
        }
    }

    fn psh() -> ProjectDraft {
        ProjectDraft {
            organization_id: "3".into(),
            name: "Northside PSH".into(),
            operating_start_date: "2018-01-01".into(),
            continuum_project: "1".into(),
            project_type: "3".into(),
            housing_type: "1".into(),
            coc_code: "RB-501".into(),
            geocode: "279001".into(),
            ..Default::default()
        }
    }

    const TODAY: &str = "2026-11-22";

    #[test]
    fn a_valid_project() {
        let p = validate_project(&psh(), &project_facts(), d(TODAY)).unwrap();
        assert_eq!(
            p.project_type,
            Some(ProjectType::PermanentSupportiveHousing)
        );
        assert_eq!(p.housing_type, Some(HousingType::SiteBasedSingle));
        assert_eq!(p.rrh_sub_type, None);
        assert_eq!(p.residential_affiliation, None);
    }

    #[test]
    fn project_type_is_required_for_continuum_projects_only() {
        let missing = ProjectDraft {
            project_type: String::new(),
            ..psh()
        };
        assert!(validate_project(&missing, &project_facts(), d(TODAY))
            .unwrap_err()
            .get("project_type")
            .is_some());
        let non_continuum = ProjectDraft {
            continuum_project: "0".into(),
            ..missing
        };
        let p = validate_project(&non_continuum, &project_facts(), d(TODAY)).unwrap();
        assert_eq!(p.project_type, None);
        assert_eq!(
            p.housing_type, None,
            "HousingType is dropped without a type that takes it"
        );
    }

    #[test]
    fn rrh_needs_its_subtype_and_the_subtype_decides_the_dependents() {
        let rrh = ProjectDraft {
            project_type: "13".into(),
            housing_type: String::new(),
            ..psh()
        };
        let errors = validate_project(&rrh, &project_facts(), d(TODAY)).unwrap_err();
        assert_eq!(errors.get("rrh_sub_type"), Some("Choose the RRH subtype."));

        // Housing with or without services: HousingType applies, ResidentialAffiliation does not.
        let housing = ProjectDraft {
            rrh_sub_type: "2".into(),
            residential_affiliation: "1".into(),
            ..rrh.clone()
        };
        let errors = validate_project(&housing, &project_facts(), d(TODAY)).unwrap_err();
        assert!(errors.get("housing_type").is_some());
        let housing = ProjectDraft {
            housing_type: "3".into(),
            ..housing
        };
        let p = validate_project(&housing, &project_facts(), d(TODAY)).unwrap();
        assert_eq!(
            p.residential_affiliation, None,
            "a value that does not apply is dropped"
        );

        // Services only: ResidentialAffiliation applies, HousingType does not.
        let services = ProjectDraft {
            rrh_sub_type: "1".into(),
            housing_type: "3".into(),
            ..rrh
        };
        let errors = validate_project(&services, &project_facts(), d(TODAY)).unwrap_err();
        assert!(errors.get("residential_affiliation").is_some());
        let services = ProjectDraft {
            residential_affiliation: "0".into(),
            ..services
        };
        let p = validate_project(&services, &project_facts(), d(TODAY)).unwrap();
        assert_eq!(p.housing_type, None);
        assert_eq!(p.residential_affiliation, Some(false));
        // A PSH posted with a stale RRH subtype keeps none.
        let psh_stale = ProjectDraft {
            rrh_sub_type: "1".into(),
            ..psh()
        };
        assert_eq!(
            validate_project(&psh_stale, &project_facts(), d(TODAY))
                .unwrap()
                .rrh_sub_type,
            None
        );
    }

    #[test]
    fn services_only_asks_residential_affiliation() {
        let sso = ProjectDraft {
            project_type: "6".into(),
            housing_type: "1".into(),
            ..psh()
        };
        let errors = validate_project(&sso, &project_facts(), d(TODAY)).unwrap_err();
        assert!(errors.get("residential_affiliation").is_some());
        assert!(errors.get("housing_type").is_none());
    }

    #[test]
    fn enrollments_pin_the_type_the_coc_and_the_operating_dates() {
        let facts = ProjectFacts {
            saved_type: Some(3),
            saved_coc: Some("RB-501".into()),
            cocs: vec!["RB-501".into(), "LK-502".into()],
            enrollments: EnrollmentSpan {
                count: 4,
                open: 1,
                first_entry: Some(d("2020-03-01")),
                last_activity: Some(d("2026-10-01")),
            },
            ..project_facts()
        };
        let changed = ProjectDraft {
            project_type: "2".into(),
            coc_code: "LK-502".into(),
            operating_start_date: "2021-01-01".into(),
            operating_end_date: "2026-09-30".into(),
            ..psh()
        };
        let errors = validate_project(&changed, &facts, d(TODAY)).unwrap_err();
        assert!(errors
            .get("project_type")
            .unwrap()
            .contains("cannot change"));
        assert!(errors.get("coc_code").unwrap().contains("cannot change"));
        assert!(errors
            .get("operating_start_date")
            .unwrap()
            .contains("03/01/2020"));
        assert!(errors
            .get("operating_end_date")
            .unwrap()
            .contains("10/01/2026"));

        // Ending it in the past while a client is still enrolled is refused; a later end is fine.
        let ended = ProjectDraft {
            operating_end_date: "2026-11-01".into(),
            ..psh()
        };
        assert!(validate_project(&ended, &facts, d(TODAY))
            .unwrap_err()
            .get("operating_end_date")
            .unwrap()
            .contains("still enrolled"));
        let scheduled = ProjectDraft {
            operating_end_date: "2026-12-31".into(),
            ..psh()
        };
        assert!(validate_project(&scheduled, &facts, d(TODAY)).is_ok());
        let closed = EnrollmentSpan {
            open: 0,
            ..facts.enrollments.clone()
        };
        let facts = ProjectFacts {
            enrollments: closed,
            ..facts
        };
        assert!(validate_project(&ended, &facts, d(TODAY)).is_ok());
    }

    #[test]
    fn an_operating_end_date_closes_ce_participation_first() {
        let facts = ProjectFacts {
            participation: vec![(d("2018-01-01"), None)],
            ..project_facts()
        };
        let ended = ProjectDraft {
            operating_end_date: "2026-11-01".into(),
            ..psh()
        };
        assert!(validate_project(&ended, &facts, d(TODAY))
            .unwrap_err()
            .get("operating_end_date")
            .unwrap()
            .contains("still open"));
        let facts = ProjectFacts {
            participation: vec![(d("2018-01-01"), Some(d("2026-10-31")))],
            ..project_facts()
        };
        assert!(validate_project(&ended, &facts, d(TODAY)).is_ok());
    }

    #[test]
    fn location_fields() {
        let bad = ProjectDraft {
            geocode: "27A001".into(),
            state: "Minnesota".into(),
            zip: "5540".into(),
            geography_type: "4".into(),
            ..psh()
        };
        let errors = validate_project(&bad, &project_facts(), d(TODAY)).unwrap_err();
        for field in ["geocode", "state", "zip", "geography_type"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let good = ProjectDraft {
            state: "mn".into(),
            zip: "55404".into(),
            geography_type: "1".into(),
            ..psh()
        };
        let p = validate_project(&good, &project_facts(), d(TODAY)).unwrap();
        assert_eq!(p.state.as_deref(), Some("MN"));
        assert_eq!(p.geography_type, Some(GeographyType::Urban));
    }

    #[test]
    fn deletion_is_for_projects_without_clients() {
        assert!(deletion_refused(1, 0)
            .unwrap()
            .contains("Operating End Date"));
        assert!(deletion_refused(0, 2).is_some());
        assert_eq!(deletion_refused(0, 0), None);
    }

    fn participation() -> CeParticipationDraft {
        CeParticipationDraft {
            access_point: "1".into(),
            crisis_assessment: "on".into(),
            receives_referrals: "0".into(),
            start_date: "2024-01-01".into(),
            ..Default::default()
        }
    }

    #[test]
    fn access_points_answer_the_assessment_questions_and_others_do_not() {
        let operating = (d("2018-01-01"), None);
        let p = validate_ce_participation(&participation(), operating, &[]).unwrap();
        assert_eq!(p.assessments, Some([false, true, false, false]));
        let receiving = CeParticipationDraft {
            access_point: "0".into(),
            receives_referrals: "1".into(),
            ..participation()
        };
        let p = validate_ce_participation(&receiving, operating, &[]).unwrap();
        assert_eq!(p.assessments, None, "2.09.A is null unless AccessPoint = 1");
        assert!(p.receives_referrals);
    }

    #[test]
    fn participation_records_stay_inside_operation_and_never_overlap() {
        let operating = (d("2018-01-01"), None);
        let early = CeParticipationDraft {
            start_date: "2017-12-31".into(),
            ..participation()
        };
        assert!(validate_ce_participation(&early, operating, &[])
            .unwrap_err()
            .get("start_date")
            .is_some());
        let backwards = CeParticipationDraft {
            end_date: "2023-12-31".into(),
            ..participation()
        };
        assert!(validate_ce_participation(&backwards, operating, &[])
            .unwrap_err()
            .get("end_date")
            .is_some());

        let others = [(d("2020-01-01"), Some(d("2023-12-31")))];
        // Starts the day after the earlier record ends: fine.
        assert!(validate_ce_participation(&participation(), operating, &others).is_ok());
        let overlapping = CeParticipationDraft {
            start_date: "2023-12-31".into(),
            ..participation()
        };
        let errors = validate_ce_participation(&overlapping, operating, &others).unwrap_err();
        assert!(errors.get("start_date").unwrap().contains("12/31/2023"));
        // An open-ended earlier record overlaps everything after its start.
        let open = [(d("2020-01-01"), None)];
        assert!(validate_ce_participation(&participation(), operating, &open).is_err());

        // A project that stops operating needs an end date on or before its last day.
        let ending = (d("2018-01-01"), Some(d("2026-06-30")));
        assert!(validate_ce_participation(&participation(), ending, &[])
            .unwrap_err()
            .get("end_date")
            .is_some());
        let ended = CeParticipationDraft {
            end_date: "2026-06-30".into(),
            ..participation()
        };
        assert!(validate_ce_participation(&ended, ending, &[]).is_ok());
    }
}

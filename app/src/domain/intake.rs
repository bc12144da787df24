//! Guided intake rules (HUD 3.10 Project Start Date, 3.15 Relationship to HoH, 3.16 Enrollment
//! CoC, 3.917 Prior Living Situation and the universal data elements; reference section 5).
//! The intake form runs them on every keystroke, step by step; the server runs them again on
//! the whole draft before it creates the household's enrollments.

use super::codes::{
    DobDataQuality, LengthOfStay, LivingGroup, LivingSituation, MonthsHomeless, NameDataQuality,
    NoYesDataNotCollected, NoYesMissing, ProjectType, RaceCategory, RaceNone, RelationshipToHoH,
    RentalSubsidyType, Sex, SsnDataQuality, TimesHomeless,
};
use super::dates::{age_on, not_in_future, parse_date, parse_optional_date};
use crate::error::FieldErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A start date further back than this is allowed but earns a warning (a vendor rule).
pub const LATE_ENTRY_WARNING_DAYS: i64 = 30;
pub const NAME_MAX: usize = 50;
/// The largest household one intake accepts.
pub const HOUSEHOLD_MAX: usize = 20;

/// The four steps of the guided intake, in order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum IntakeStep {
    #[default]
    ProjectAndStart,
    Household,
    UniversalData,
    Review,
}

impl IntakeStep {
    pub const ALL: [IntakeStep; 4] = [
        IntakeStep::ProjectAndStart,
        IntakeStep::Household,
        IntakeStep::UniversalData,
        IntakeStep::Review,
    ];

    pub fn label(self) -> &'static str {
        match self {
            IntakeStep::ProjectAndStart => "Project and start",
            IntakeStep::Household => "Household",
            IntakeStep::UniversalData => "Universal data elements",
            IntakeStep::Review => "Review and submit",
        }
    }

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    pub fn next(self) -> Self {
        Self::ALL[(self.index() + 1).min(3)]
    }

    pub fn previous(self) -> Self {
        Self::ALL[self.index().saturating_sub(1)]
    }

    /// The step whose page holds a field (error keys are `project_id`, `m2.sex`, …).
    pub fn of_field(field: &str) -> Self {
        let member_field = field.split_once('.').map(|(_, f)| f);
        match (field, member_field) {
            ("project_id" | "entry_date", _) => IntakeStep::ProjectAndStart,
            ("household", _) => IntakeStep::Household,
            (_, Some(f)) if MEMBER_HOUSEHOLD_FIELDS.contains(&f) => IntakeStep::Household,
            _ => IntakeStep::UniversalData,
        }
    }
}

/// Member fields collected on the Household step (the others are universal data elements).
const MEMBER_HOUSEHOLD_FIELDS: &[&str] = &[
    "relationship",
    "first_name",
    "last_name",
    "name_data_quality",
    "dob",
    "dob_data_quality",
    "ssn",
    "ssn_data_quality",
    "enrolled",
];

/// The error key of a member's field: `m{index}.{field}`.
pub fn member_field(index: usize, field: &str) -> String {
    format!("m{index}.{field}")
}

/// A project the intake may enroll into, as the server describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeProject {
    pub id: i64,
    pub name: String,
    pub project_type: i16,
    pub operating_start: NaiveDate,
    pub operating_end: Option<NaiveDate>,
    pub coc_code: String,
}

/// The intake as the user fills it in (empty string = no answer). Saved as the server draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IntakeDraft {
    pub step: IntakeStep,
    pub project_id: String,
    pub entry_date: String,
    pub enrollment_coc: String,
    pub members: Vec<MemberDraft>,
    /// The next member key (keys stay stable while members are added and removed).
    pub next_key: u32,
}

/// One household member: an existing client (`client_id`) or a new one (name, DOB, SSN).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemberDraft {
    pub key: u32,
    pub client_id: Option<i64>,
    /// For an existing client: the name and DOB on record.
    pub name: String,
    pub known_dob: Option<NaiveDate>,
    /// The organization's own projects in which the existing client has an open enrollment
    /// (other organizations' projects are never sent: see `enrolled_elsewhere`).
    pub open_project_ids: Vec<i64>,
    /// The existing client has an open enrollment in another organization's project.
    pub enrolled_elsewhere: bool,
    pub first_name: String,
    pub last_name: String,
    pub name_data_quality: String,
    pub dob: String,
    pub dob_data_quality: String,
    pub ssn: String,
    pub ssn_data_quality: String,
    pub relationship: String,
    pub disabling_condition: String,
    pub veteran_status: String,
    pub sex: String,
    pub race: Vec<String>,
    pub race_none: String,
    pub living_situation: String,
    pub rental_subsidy_type: String,
    pub length_of_stay: String,
    pub previous_street_essh: String,
    pub date_to_street_essh: String,
    pub times_homeless: String,
    pub months_homeless: String,
}

impl MemberDraft {
    pub fn is_new_client(&self) -> bool {
        self.client_id.is_none()
    }

    pub fn display_name(&self) -> String {
        if !self.is_new_client() {
            return self.name.clone();
        }
        let name = format!("{} {}", self.first_name.trim(), self.last_name.trim());
        let name = name.trim();
        if name.is_empty() {
            "New client".to_string()
        } else {
            name.to_string()
        }
    }

    /// Date of birth: on record, or as typed for a new client.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        if self.is_new_client() {
            parse_optional_date(&self.dob).ok().flatten()
        } else {
            self.known_dob
        }
    }

    /// An adult on the start date. With no date of birth, the member is asked everything an
    /// adult is asked (nothing HUD needs is skipped on a guess).
    pub fn is_adult_on(&self, entry_date: Option<NaiveDate>) -> bool {
        match (self.birth_date(), entry_date) {
            (Some(dob), Some(on)) => age_on(dob, on) >= 18,
            _ => true,
        }
    }

    pub fn is_head(&self) -> bool {
        self.relationship == "1"
    }

    /// A text field by its form name (empty for an unknown name).
    pub fn field(&self, field: &str) -> String {
        match field {
            "first_name" => self.first_name.clone(),
            "last_name" => self.last_name.clone(),
            "name_data_quality" => self.name_data_quality.clone(),
            "dob" => self.dob.clone(),
            "dob_data_quality" => self.dob_data_quality.clone(),
            "ssn" => self.ssn.clone(),
            "ssn_data_quality" => self.ssn_data_quality.clone(),
            "relationship" => self.relationship.clone(),
            "disabling_condition" => self.disabling_condition.clone(),
            "veteran_status" => self.veteran_status.clone(),
            "sex" => self.sex.clone(),
            "race_none" => self.race_none.clone(),
            "living_situation" => self.living_situation.clone(),
            "rental_subsidy_type" => self.rental_subsidy_type.clone(),
            "length_of_stay" => self.length_of_stay.clone(),
            "previous_street_essh" => self.previous_street_essh.clone(),
            "date_to_street_essh" => self.date_to_street_essh.clone(),
            "times_homeless" => self.times_homeless.clone(),
            "months_homeless" => self.months_homeless.clone(),
            _ => String::new(),
        }
    }

    /// Sets a text field by its form name; choosing why race is missing clears the categories.
    pub fn set_field(&mut self, field: &str, value: String) {
        let slot = match field {
            "first_name" => &mut self.first_name,
            "last_name" => &mut self.last_name,
            "name_data_quality" => &mut self.name_data_quality,
            "dob" => &mut self.dob,
            "dob_data_quality" => &mut self.dob_data_quality,
            "ssn" => &mut self.ssn,
            "ssn_data_quality" => &mut self.ssn_data_quality,
            "relationship" => &mut self.relationship,
            "disabling_condition" => &mut self.disabling_condition,
            "veteran_status" => &mut self.veteran_status,
            "sex" => &mut self.sex,
            "race_none" => {
                // A reason race is missing replaces any category chosen.
                if !value.is_empty() {
                    self.race.clear();
                }
                &mut self.race_none
            }
            "living_situation" => &mut self.living_situation,
            "rental_subsidy_type" => &mut self.rental_subsidy_type,
            "length_of_stay" => &mut self.length_of_stay,
            "previous_street_essh" => &mut self.previous_street_essh,
            "date_to_street_essh" => &mut self.date_to_street_essh,
            "times_homeless" => &mut self.times_homeless,
            "months_homeless" => &mut self.months_homeless,
            _ => return,
        };
        *slot = value;
    }
}

/// Which 3.917 questions follow from the answers so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PriorLivingQuestions {
    /// 3.917.A Rental subsidy type (living situation 435).
    pub rental_subsidy_type: bool,
    pub length_of_stay: bool,
    /// 3.917.2C "On the night before, did you stay on the streets, ES or SH?"
    pub previous_street_essh: bool,
    /// 3.917.3–5: approximate date homelessness started, times and months homeless.
    pub homeless_history: bool,
}

/// 3.917A applies to street outreach, emergency shelter and safe haven projects: every client
/// answers the homeless-history questions. 3.917B (all other projects) asks them only of those
/// coming from homelessness, or from a short stay elsewhere after a night on the street/ES/SH.
pub fn uses_917a(project_type: ProjectType) -> bool {
    matches!(
        project_type,
        ProjectType::EsEntryExit
            | ProjectType::EsNightByNight
            | ProjectType::StreetOutreach
            | ProjectType::SafeHaven
    )
}

/// 3.917.2A/2B: whether the stay was under the threshold (90 days in an institution, 7 nights
/// elsewhere). `None` when the length of stay is unknown or does not apply.
pub fn los_under_threshold(
    living: Option<LivingSituation>,
    length: Option<LengthOfStay>,
) -> Option<bool> {
    use LengthOfStay as L;
    let length = length?;
    if matches!(
        length,
        L::ClientDoesNotKnow | L::ClientPrefersNotToAnswer | L::DataNotCollected
    ) {
        return None;
    }
    match living?.group() {
        LivingGroup::Homeless => None,
        LivingGroup::Institutional => Some(matches!(
            length,
            L::OneNightOrLess | L::TwoToSixNights | L::OneWeekToMonth | L::OneMonthTo90Days
        )),
        LivingGroup::TemporaryPermanentOther => {
            Some(matches!(length, L::OneNightOrLess | L::TwoToSixNights))
        }
    }
}

pub fn prior_living_questions(
    project_type: Option<ProjectType>,
    living: Option<LivingSituation>,
    length: Option<LengthOfStay>,
    previous_street: Option<NoYesDataNotCollected>,
) -> PriorLivingQuestions {
    let Some(living) = living else {
        return PriorLivingQuestions::default();
    };
    let mut q = PriorLivingQuestions {
        rental_subsidy_type: living == LivingSituation::RentalWithSubsidy,
        length_of_stay: true,
        ..Default::default()
    };
    if project_type.is_some_and(uses_917a) || living.group() == LivingGroup::Homeless {
        q.homeless_history = true;
        return q;
    }
    if los_under_threshold(Some(living), length) == Some(true) {
        q.previous_street_essh = true;
        q.homeless_history = previous_street == Some(NoYesDataNotCollected::Yes);
    }
    q
}

/// A member's answers, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidMember {
    pub client_id: Option<i64>,
    pub new_client: Option<NewClient>,
    pub relationship: RelationshipToHoH,
    pub disabling_condition: NoYesMissing,
    /// `None` for a minor (not asked).
    pub veteran_status: Option<NoYesMissing>,
    pub sex: Sex,
    pub race: Vec<RaceCategory>,
    pub race_none: Option<RaceNone>,
    pub prior_living: Option<ValidPriorLiving>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClient {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub name_data_quality: NameDataQuality,
    pub dob: Option<NaiveDate>,
    pub dob_data_quality: DobDataQuality,
    pub ssn: Option<String>,
    pub ssn_data_quality: SsnDataQuality,
}

/// 3.917 answers with every field that does not apply left empty (HUD's dependency rule).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidPriorLiving {
    pub living_situation: Option<LivingSituation>,
    pub rental_subsidy_type: Option<RentalSubsidyType>,
    pub length_of_stay: Option<LengthOfStay>,
    pub los_under_threshold: Option<bool>,
    pub previous_street_essh: Option<NoYesDataNotCollected>,
    pub date_to_street_essh: Option<NaiveDate>,
    pub times_homeless: Option<TimesHomeless>,
    pub months_homeless: Option<MonthsHomeless>,
}

/// The whole intake, valid: what the server writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidIntake {
    pub project_id: i64,
    pub entry_date: NaiveDate,
    pub enrollment_coc: String,
    pub members: Vec<ValidMember>,
}

fn code<T>(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    from_code: fn(i16) -> Option<T>,
    missing: &'static str,
) -> Option<T> {
    let parsed = raw.trim().parse::<i16>().ok().and_then(from_code);
    if parsed.is_none() {
        errors.add(field, missing);
    }
    parsed
}

fn optional_code<T>(raw: &str, from_code: fn(i16) -> Option<T>) -> Option<T> {
    raw.trim().parse::<i16>().ok().and_then(from_code)
}

/// Checks the whole draft. `today` is the browser's or the server's date.
pub fn validate_intake(
    draft: &IntakeDraft,
    projects: &[IntakeProject],
    today: NaiveDate,
) -> Result<ValidIntake, FieldErrors> {
    let mut errors = FieldErrors::new();
    let project = draft
        .project_id
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| projects.iter().find(|p| p.id == id));
    if project.is_none() {
        errors.add("project_id", "Choose the project the household enters.");
    }
    let project_type = project.and_then(|p| ProjectType::from_code(p.project_type));
    let entry_date = validate_entry_date(&mut errors, draft, project, today);

    validate_household(&mut errors, draft, project, entry_date);

    let mut members = Vec::new();
    for (index, member) in draft.members.iter().enumerate() {
        if let Some(valid) =
            validate_member(&mut errors, index, member, project_type, entry_date, today)
        {
            members.push(valid);
        }
    }

    let enrollment_coc = draft.enrollment_coc.trim();
    match project {
        Some(p) if enrollment_coc == p.coc_code => {}
        Some(_) if enrollment_coc.is_empty() => errors.add(
            "enrollment_coc",
            "Choose the head of household's Enrollment CoC.",
        ),
        Some(_) => errors.add(
            "enrollment_coc",
            "The Enrollment CoC must be a CoC the project operates in.",
        ),
        None => {}
    }

    match (project, entry_date, errors.is_empty()) {
        (Some(project), Some(entry_date), true) => Ok(ValidIntake {
            project_id: project.id,
            entry_date,
            enrollment_coc: enrollment_coc.to_string(),
            members,
        }),
        _ => Err(errors),
    }
}

/// 3.10: not in the future, not before any member's birth, within the project's operating dates.
fn validate_entry_date(
    errors: &mut FieldErrors,
    draft: &IntakeDraft,
    project: Option<&IntakeProject>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let date = match parse_date(&draft.entry_date) {
        Ok(date) => date,
        Err(_) if draft.entry_date.trim().is_empty() => {
            errors.add("entry_date", "Enter the Project Start Date.");
            return None;
        }
        Err(message) => {
            errors.add("entry_date", message);
            return None;
        }
    };
    if let Err(message) = not_in_future(date, today) {
        errors.add("entry_date", message);
    }
    if let Some(p) = project {
        if date < p.operating_start {
            errors.add(
                "entry_date",
                "The project was not operating yet on that date.",
            );
        }
        if p.operating_end.is_some_and(|end| date > end) {
            errors.add(
                "entry_date",
                "The project had stopped operating by that date.",
            );
        }
    }
    if let Some(member) = draft
        .members
        .iter()
        .find(|m| m.birth_date().is_some_and(|dob| date < dob))
    {
        errors.add(
            "entry_date",
            format!(
                "The Project Start Date is before {}'s date of birth.",
                member.display_name()
            ),
        );
    }
    Some(date)
}

/// The warnings the intake shows but does not block on. `event_date`: the CE Event the intake
/// was started from, whose Resulting Enrollment must not start before it.
pub fn intake_warnings(
    draft: &IntakeDraft,
    event_date: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<String> {
    let mut warnings = Vec::new();
    if let (Ok(date), Some(event)) = (parse_date(&draft.entry_date), event_date) {
        if date < event {
            warnings.push(format!(
                "The Project Start Date is before the referral's Event Date ({}): this enrollment could not be the CE Event's Resulting Enrollment.",
                super::dates::format_date(event)
            ));
        }
    }
    if let Ok(date) = parse_date(&draft.entry_date) {
        if date <= today && (today - date).num_days() > LATE_ENTRY_WARNING_DAYS {
            warnings.push(format!(
                "The Project Start Date is more than {LATE_ENTRY_WARNING_DAYS} days ago. Check it is the date the household entered."
            ));
        }
    }
    warnings
}

/// 3.15: exactly one head of household, an adult when adults are present; nobody twice and
/// nobody already in an open enrollment of the project.
fn validate_household(
    errors: &mut FieldErrors,
    draft: &IntakeDraft,
    project: Option<&IntakeProject>,
    entry_date: Option<NaiveDate>,
) {
    if draft.members.is_empty() {
        errors.add("household", "Add the household's members.");
        return;
    }
    if draft.members.len() > HOUSEHOLD_MAX {
        errors.add(
            "household",
            format!("One intake takes at most {HOUSEHOLD_MAX} members."),
        );
    }
    let heads: Vec<&MemberDraft> = draft.members.iter().filter(|m| m.is_head()).collect();
    match heads.len() {
        0 => errors.add(
            "household",
            "Choose one member as Self (Head of Household).",
        ),
        1 => {
            let head = heads[0];
            let adults_present = draft
                .members
                .iter()
                .any(|m| m.birth_date().is_some() && m.is_adult_on(entry_date));
            if adults_present && !head.is_adult_on(entry_date) {
                errors.add(
                    "household",
                    "An adult must be the head of household when adults are present.",
                );
            }
        }
        _ => errors.add(
            "household",
            "Only one member can be Self (Head of Household).",
        ),
    }
    for (index, member) in draft.members.iter().enumerate() {
        if let Some(id) = member.client_id {
            if draft.members[..index]
                .iter()
                .any(|m| m.client_id == Some(id))
            {
                errors.add(
                    &member_field(index, "relationship"),
                    format!("{} is already in this household.", member.display_name()),
                );
            }
            if project.is_some_and(|p| member.open_project_ids.contains(&p.id)) {
                errors.add(
                    &member_field(index, "enrolled"),
                    format!(
                        "{} is already in an open enrollment of this project.",
                        member.display_name()
                    ),
                );
            }
        }
    }
}

fn validate_member(
    errors: &mut FieldErrors,
    index: usize,
    member: &MemberDraft,
    project_type: Option<ProjectType>,
    entry_date: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<ValidMember> {
    let before = errors.0.len();
    let f = |name: &str| member_field(index, name);
    let new_client = member
        .is_new_client()
        .then(|| validate_new_client(errors, index, member, today))
        .flatten();
    let relationship = code(
        errors,
        &f("relationship"),
        &member.relationship,
        RelationshipToHoH::from_code,
        "Choose the Relationship to Head of Household.",
    );
    let disabling_condition = code(
        errors,
        &f("disabling_condition"),
        &member.disabling_condition,
        NoYesMissing::from_code,
        "Answer Disabling Condition.",
    );
    let adult = member.is_adult_on(entry_date);
    let veteran_status = if adult {
        code(
            errors,
            &f("veteran_status"),
            &member.veteran_status,
            NoYesMissing::from_code,
            "Answer Veteran Status.",
        )
    } else {
        None
    };
    let sex = code(
        errors,
        &f("sex"),
        &member.sex,
        Sex::from_code,
        "Answer Sex.",
    );
    let (race, race_none) = validate_race(errors, &f("race"), member);
    let prior_living = if member.is_head() || adult {
        Some(validate_prior_living(
            errors,
            index,
            member,
            project_type,
            entry_date,
            today,
        ))
    } else {
        None
    };
    if errors.0.len() > before {
        return None;
    }
    Some(ValidMember {
        client_id: member.client_id,
        new_client,
        relationship: relationship?,
        disabling_condition: disabling_condition?,
        veteran_status,
        sex: sex?,
        race,
        race_none,
        prior_living,
    })
}

/// 3.04: one or more categories, or one "missing" answer, never both.
fn validate_race(
    errors: &mut FieldErrors,
    field: &str,
    member: &MemberDraft,
) -> (Vec<RaceCategory>, Option<RaceNone>) {
    let mut race: Vec<RaceCategory> = member
        .race
        .iter()
        .filter_map(|c| optional_code(c, RaceCategory::from_code))
        .collect();
    race.sort_by_key(|r| r.code());
    race.dedup();
    let none = optional_code(&member.race_none, RaceNone::from_code);
    match (race.is_empty(), none) {
        (true, None) => errors.add(
            field,
            "Choose at least one race and ethnicity, or why it is missing.",
        ),
        (false, Some(_)) => errors.add(
            field,
            "Choose race and ethnicity categories or a reason it is missing, not both.",
        ),
        _ => {}
    }
    (race, none)
}

fn validate_new_client(
    errors: &mut FieldErrors,
    index: usize,
    member: &MemberDraft,
    today: NaiveDate,
) -> Option<NewClient> {
    let f = |name: &str| member_field(index, name);
    let first = member.first_name.trim();
    let last = member.last_name.trim();
    let name_dq = code(
        errors,
        &f("name_data_quality"),
        &member.name_data_quality,
        NameDataQuality::from_code,
        "Choose the name's data quality.",
    );
    for (field, value, label) in [
        ("first_name", first, "First name"),
        ("last_name", last, "Last name"),
    ] {
        if value.chars().count() > NAME_MAX {
            errors.add(
                &f(field),
                format!("{label} takes at most {NAME_MAX} characters."),
            );
        }
    }
    match name_dq {
        Some(NameDataQuality::Full) if first.is_empty() || last.is_empty() => {
            let missing = if first.is_empty() {
                "first_name"
            } else {
                "last_name"
            };
            errors.add(&f(missing), "A full name needs both first and last name.")
        }
        Some(NameDataQuality::Partial) if first.is_empty() && last.is_empty() => {
            errors.add(&f("first_name"), "Enter the partial, street or code name.")
        }
        _ => {}
    }

    let dob = match parse_optional_date(&member.dob) {
        Ok(dob) => dob,
        Err(message) => {
            errors.add(&f("dob"), message);
            None
        }
    };
    if let Some(d) = dob {
        if d > today {
            errors.add(&f("dob"), "The date of birth cannot be in the future.");
        } else if d < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(d) {
            errors.add(&f("dob"), "Check the year of birth.");
        }
    }
    let dob_dq = code(
        errors,
        &f("dob_data_quality"),
        &member.dob_data_quality,
        DobDataQuality::from_code,
        "Choose the date of birth's data quality.",
    );
    match (dob_dq, dob) {
        (Some(DobDataQuality::Full | DobDataQuality::Partial), None) => errors.add(
            &f("dob"),
            "Enter the date of birth, or say why it is missing.",
        ),
        (Some(q), Some(_)) if !matches!(q, DobDataQuality::Full | DobDataQuality::Partial) => {
            errors.add(
                &f("dob_data_quality"),
                "With a date of birth entered, choose full or approximate.",
            )
        }
        _ => {}
    }

    let ssn: String = member
        .ssn
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .collect();
    let ssn_dq = code(
        errors,
        &f("ssn_data_quality"),
        &member.ssn_data_quality,
        SsnDataQuality::from_code,
        "Choose the SSN's data quality.",
    );
    if !ssn.is_empty()
        && (ssn.len() != 9
            || !ssn
                .chars()
                .all(|c| c.is_ascii_digit() || c == 'x' || c == 'X'))
    {
        errors.add(
            &f("ssn"),
            "An SSN has 9 digits (use x for unknown digits of a partial SSN).",
        );
    }
    match (ssn_dq, ssn.is_empty()) {
        (Some(SsnDataQuality::Full), _) if ssn.contains(['x', 'X']) || ssn.is_empty() => {
            errors.add(&f("ssn"), "A full SSN has all 9 digits.")
        }
        (Some(SsnDataQuality::Partial), true) => {
            errors.add(&f("ssn"), "Enter the digits that are known.")
        }
        (Some(q), false) if !matches!(q, SsnDataQuality::Full | SsnDataQuality::Partial) => errors
            .add(
                &f("ssn_data_quality"),
                "With an SSN entered, choose full or partial.",
            ),
        _ => {}
    }
    Some(NewClient {
        first_name: (!first.is_empty()).then(|| first.to_string()),
        last_name: (!last.is_empty()).then(|| last.to_string()),
        name_data_quality: name_dq?,
        dob,
        dob_data_quality: dob_dq?,
        ssn: (!ssn.is_empty()).then(|| ssn.to_ascii_lowercase()),
        ssn_data_quality: ssn_dq?,
    })
}

fn validate_prior_living(
    errors: &mut FieldErrors,
    index: usize,
    member: &MemberDraft,
    project_type: Option<ProjectType>,
    entry_date: Option<NaiveDate>,
    today: NaiveDate,
) -> ValidPriorLiving {
    let f = |name: &str| member_field(index, name);
    let living = code(
        errors,
        &f("living_situation"),
        &member.living_situation,
        LivingSituation::from_code,
        "Answer Prior Living Situation.",
    );
    if living.is_some_and(|l| !l.allowed_as_prior()) {
        errors.add(
            &f("living_situation"),
            "That answer is a destination, not a prior living situation.",
        );
    }
    let length = optional_code(&member.length_of_stay, LengthOfStay::from_code);
    let previous = optional_code(
        &member.previous_street_essh,
        NoYesDataNotCollected::from_code,
    );
    let q = prior_living_questions(project_type, living, length, previous);
    let mut valid = ValidPriorLiving {
        living_situation: living,
        ..Default::default()
    };
    if q.rental_subsidy_type {
        valid.rental_subsidy_type = code(
            errors,
            &f("rental_subsidy_type"),
            &member.rental_subsidy_type,
            RentalSubsidyType::from_code,
            "Choose the rental subsidy type.",
        );
    }
    if q.length_of_stay {
        valid.length_of_stay = code(
            errors,
            &f("length_of_stay"),
            &member.length_of_stay,
            LengthOfStay::from_code,
            "Answer Length of stay in prior living situation.",
        );
        valid.los_under_threshold = los_under_threshold(living, length);
    }
    if q.previous_street_essh {
        valid.previous_street_essh = code(
            errors,
            &f("previous_street_essh"),
            &member.previous_street_essh,
            NoYesDataNotCollected::from_code,
            "Answer whether they stayed on the streets, in ES or SH the night before.",
        );
    }
    if q.homeless_history {
        match parse_optional_date(&member.date_to_street_essh) {
            Ok(Some(date)) if date > today || entry_date.is_some_and(|e| date > e) => errors.add(
                &f("date_to_street_essh"),
                "The date homelessness started cannot be after the Project Start Date.",
            ),
            Ok(date) => valid.date_to_street_essh = date,
            Err(message) => errors.add(&f("date_to_street_essh"), message),
        }
        valid.times_homeless = code(
            errors,
            &f("times_homeless"),
            &member.times_homeless,
            TimesHomeless::from_code,
            "Answer the number of times homeless in the past three years.",
        );
        valid.months_homeless = code(
            errors,
            &f("months_homeless"),
            &member.months_homeless,
            MonthsHomeless::from_code,
            "Answer the number of months homeless in the past three years.",
        );
    }
    valid
}

/// The enrollment's answers collected at project start (Disabling Condition and, for the head
/// of household and adults, 3.917), edited later on the Enrollment page with the same rules.
/// Error keys are the plain field names.
pub fn validate_enrollment_answers(
    member: &MemberDraft,
    project_type: Option<ProjectType>,
    entry_date: NaiveDate,
    asks_prior_living: bool,
    today: NaiveDate,
) -> Result<(NoYesMissing, Option<ValidPriorLiving>), FieldErrors> {
    let mut errors = FieldErrors::new();
    let disabling = code(
        &mut errors,
        "m0.disabling_condition",
        &member.disabling_condition,
        NoYesMissing::from_code,
        "Answer Disabling Condition.",
    );
    let prior = asks_prior_living.then(|| {
        validate_prior_living(
            &mut errors,
            0,
            member,
            project_type,
            Some(entry_date),
            today,
        )
    });
    let errors = FieldErrors(
        errors
            .0
            .into_iter()
            .map(|(k, v)| (k.trim_start_matches("m0.").to_string(), v))
            .collect(),
    );
    match disabling {
        Some(d) if errors.is_empty() => Ok((d, prior)),
        _ => Err(errors),
    }
}

/// The errors of one step (the form shows a step's errors on that step; Review shows all).
pub fn errors_of_step(errors: &FieldErrors, step: IntakeStep) -> FieldErrors {
    if step == IntakeStep::Review {
        return errors.clone();
    }
    FieldErrors(
        errors
            .0
            .iter()
            .filter(|(field, _)| IntakeStep::of_field(field) == step)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// Adds a member with the next key; the first member of a household is its head by default.
pub fn add_member(draft: &mut IntakeDraft, mut member: MemberDraft) {
    draft.next_key = draft
        .next_key
        .max(draft.members.iter().map(|m| m.key + 1).max().unwrap_or(0));
    member.key = draft.next_key;
    draft.next_key += 1;
    if draft.members.is_empty() && member.relationship.is_empty() {
        member.relationship = RelationshipToHoH::SelfHead.code().to_string();
    }
    draft.members.push(member);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    const TODAY: &str = "2026-11-22";

    fn project(project_type: i16) -> IntakeProject {
        IntakeProject {
            id: 7,
            name: "Northside PSH".into(),
            project_type,
            operating_start: d("2020-01-01"),
            operating_end: None,
            coc_code: "RB-501".into(),
        }
    }

    fn member(client_id: i64, dob: &str, relationship: &str) -> MemberDraft {
        MemberDraft {
            client_id: Some(client_id),
            name: format!("Client {client_id}"),
            known_dob: Some(d(dob)),
            relationship: relationship.into(),
            disabling_condition: "0".into(),
            veteran_status: "0".into(),
            sex: "0".into(),
            race: vec!["5".into()],
            living_situation: "101".into(),
            length_of_stay: "3".into(),
            times_homeless: "1".into(),
            months_homeless: "103".into(),
            ..Default::default()
        }
    }

    fn draft(members: Vec<MemberDraft>) -> IntakeDraft {
        IntakeDraft {
            project_id: "7".into(),
            entry_date: "2026-11-20".into(),
            enrollment_coc: "RB-501".into(),
            members,
            ..Default::default()
        }
    }

    fn errors(draft: &IntakeDraft, project_type: i16) -> FieldErrors {
        validate_intake(draft, &[project(project_type)], d(TODAY))
            .err()
            .unwrap_or_default()
    }

    #[test]
    fn a_complete_household_is_valid() {
        let d = draft(vec![
            member(1, "1980-01-01", "1"),
            member(2, "2015-05-05", "2"),
        ]);
        let valid = validate_intake(&d, &[project(3)], super::tests::d(TODAY)).unwrap();
        assert_eq!(valid.members.len(), 2);
        assert_eq!(
            valid.members[1].veteran_status, None,
            "not asked of a child"
        );
        assert_eq!(valid.members[1].prior_living, None, "not asked of a child");
        assert_eq!(valid.enrollment_coc, "RB-501");
    }

    #[test]
    fn start_date_boundaries() {
        let mut d = draft(vec![member(1, "1980-01-01", "1")]);
        d.entry_date = TODAY.into();
        assert!(
            errors(&d, 3).get("entry_date").is_none(),
            "today is allowed"
        );
        d.entry_date = "2026-11-23".into();
        assert!(
            errors(&d, 3).get("entry_date").is_some(),
            "tomorrow is future"
        );
        d.entry_date = "2019-12-31".into();
        assert_eq!(
            errors(&d, 3).get("entry_date"),
            Some("The project was not operating yet on that date.")
        );
        d.entry_date = "2020-01-01".into();
        assert!(
            errors(&d, 3).get("entry_date").is_none(),
            "first operating day"
        );
        d.entry_date = String::new();
        assert_eq!(
            errors(&d, 3).get("entry_date"),
            Some("Enter the Project Start Date.")
        );
    }

    #[test]
    fn start_date_not_after_operating_end_nor_before_birth() {
        let mut p = project(3);
        p.operating_end = Some(d("2026-11-01"));
        let d1 = draft(vec![member(1, "1980-01-01", "1")]);
        let e = validate_intake(&d1, &[p], d(TODAY)).unwrap_err();
        assert_eq!(
            e.get("entry_date"),
            Some("The project had stopped operating by that date.")
        );
        let d2 = draft(vec![
            member(1, "1980-01-01", "1"),
            member(2, "2026-11-21", "2"),
        ]);
        assert_eq!(
            errors(&d2, 3).get("entry_date"),
            Some("The Project Start Date is before Client 2's date of birth.")
        );
    }

    #[test]
    fn late_start_date_warns_after_thirty_days() {
        let mut d = draft(vec![]);
        d.entry_date = "2026-10-23".into(); // 30 days before
        assert!(intake_warnings(&d, None, super::tests::d(TODAY)).is_empty());
        d.entry_date = "2026-10-22".into(); // 31 days
        assert_eq!(intake_warnings(&d, None, super::tests::d(TODAY)).len(), 1);
        d.entry_date = "2026-11-20".into();
        let event = Some(super::tests::d("2026-11-21"));
        assert!(intake_warnings(&d, event, super::tests::d(TODAY))[0].contains("Event Date"));
        d.entry_date = "2026-11-21".into();
        assert!(intake_warnings(&d, event, super::tests::d(TODAY)).is_empty());
    }

    #[test]
    fn exactly_one_head_of_household() {
        let none = draft(vec![
            member(1, "1980-01-01", "3"),
            member(2, "1981-01-01", "3"),
        ]);
        assert_eq!(
            errors(&none, 3).get("household"),
            Some("Choose one member as Self (Head of Household).")
        );
        let two = draft(vec![
            member(1, "1980-01-01", "1"),
            member(2, "1981-01-01", "1"),
        ]);
        assert_eq!(
            errors(&two, 3).get("household"),
            Some("Only one member can be Self (Head of Household).")
        );
        assert_eq!(
            errors(&draft(vec![]), 3).get("household"),
            Some("Add the household's members.")
        );
    }

    #[test]
    fn an_adult_heads_a_household_with_adults() {
        let child_head = draft(vec![
            member(1, "2012-01-01", "1"),
            member(2, "1985-01-01", "3"),
        ]);
        assert_eq!(
            errors(&child_head, 3).get("household"),
            Some("An adult must be the head of household when adults are present.")
        );
        // Unaccompanied minors: a minor heads a household of minors.
        let minors = draft(vec![
            member(1, "2010-01-01", "1"),
            member(2, "2012-01-01", "4"),
        ]);
        assert!(errors(&minors, 3).get("household").is_none());
        // 18 on the start date counts as an adult.
        let turns_18 = draft(vec![
            member(1, "2008-11-20", "1"),
            member(2, "1985-01-01", "3"),
        ]);
        assert!(errors(&turns_18, 3).get("household").is_none());
    }

    #[test]
    fn nobody_twice_nor_already_enrolled_in_the_project() {
        let mut enrolled = member(2, "1981-01-01", "3");
        enrolled.open_project_ids = vec![7];
        let e = errors(&draft(vec![member(1, "1980-01-01", "1"), enrolled]), 3);
        assert_eq!(
            e.get("m1.enrolled"),
            Some("Client 2 is already in an open enrollment of this project.")
        );
        let e = errors(
            &draft(vec![
                member(1, "1980-01-01", "1"),
                member(1, "1980-01-01", "3"),
            ]),
            3,
        );
        assert_eq!(
            e.get("m1.relationship"),
            Some("Client 1 is already in this household.")
        );
    }

    #[test]
    fn veteran_status_and_prior_living_only_for_adults_and_head() {
        let mut child = member(2, "2015-05-05", "2");
        child.veteran_status.clear();
        child.living_situation.clear();
        let mut adult = member(3, "1990-01-01", "3");
        adult.veteran_status.clear();
        adult.living_situation.clear();
        let e = errors(&draft(vec![member(1, "1980-01-01", "1"), child, adult]), 3);
        assert!(e.get("m1.veteran_status").is_none());
        assert!(e.get("m1.living_situation").is_none());
        assert_eq!(e.get("m2.veteran_status"), Some("Answer Veteran Status."));
        assert_eq!(
            e.get("m2.living_situation"),
            Some("Answer Prior Living Situation.")
        );
    }

    #[test]
    fn race_needs_a_category_or_a_reason_not_both() {
        let mut m = member(1, "1980-01-01", "1");
        m.race.clear();
        assert!(errors(&draft(vec![m.clone()]), 3).get("m0.race").is_some());
        m.race_none = "9".into();
        assert!(errors(&draft(vec![m.clone()]), 3).get("m0.race").is_none());
        m.race = vec!["1".into()];
        assert!(errors(&draft(vec![m]), 3).get("m0.race").is_some());
    }

    #[test]
    fn enrollment_coc_must_be_the_projects() {
        let mut d = draft(vec![member(1, "1980-01-01", "1")]);
        d.enrollment_coc = "LK-502".into();
        assert!(errors(&d, 3).get("enrollment_coc").is_some());
        d.enrollment_coc.clear();
        assert!(errors(&d, 3).get("enrollment_coc").is_some());
    }

    #[test]
    fn new_client_name_dob_and_ssn_rules() {
        let mut m = member(1, "1980-01-01", "1");
        m.client_id = None;
        m.known_dob = None;
        m.name_data_quality = "1".into();
        m.first_name = "Ana".into();
        m.dob_data_quality = "1".into();
        m.ssn_data_quality = "99".into();
        let e = errors(&draft(vec![m.clone()]), 3);
        assert_eq!(
            e.get("m0.last_name"),
            Some("A full name needs both first and last name.")
        );
        assert_eq!(
            e.get("m0.dob"),
            Some("Enter the date of birth, or say why it is missing.")
        );
        m.last_name = "Ruiz".into();
        m.dob = "1991-02-03".into();
        m.ssn = "123-45-678".into();
        let e = errors(&draft(vec![m.clone()]), 3);
        assert!(e.get("m0.ssn").is_some(), "eight digits");
        m.ssn = "123-45-6789".into();
        let e = errors(&draft(vec![m.clone()]), 3);
        assert_eq!(
            e.get("m0.ssn_data_quality"),
            Some("With an SSN entered, choose full or partial.")
        );
        m.ssn_data_quality = "1".into();
        let valid = validate_intake(&draft(vec![m]), &[project(3)], d(TODAY)).unwrap();
        let new = valid.members[0].new_client.clone().unwrap();
        assert_eq!(new.ssn.as_deref(), Some("123456789"));
        assert_eq!(new.dob, Some(d("1991-02-03")));
    }

    #[test]
    fn prior_living_917a_asks_history_of_everyone() {
        let q = prior_living_questions(
            Some(ProjectType::EsEntryExit),
            Some(LivingSituation::RentalNoSubsidy),
            Some(LengthOfStay::OneYearOrLonger),
            None,
        );
        assert!(q.homeless_history && q.length_of_stay && !q.previous_street_essh);
    }

    #[test]
    fn prior_living_917b_dependencies() {
        let psh = Some(ProjectType::PermanentSupportiveHousing);
        // Homeless: straight to the homeless history.
        let q = prior_living_questions(psh, Some(LivingSituation::EmergencyShelter), None, None);
        assert!(q.homeless_history && !q.previous_street_essh);
        // Institution under 90 days: ask about the night before; history only on "Yes".
        let jail = Some(LivingSituation::Jail);
        let q = prior_living_questions(psh, jail, Some(LengthOfStay::OneMonthTo90Days), None);
        assert!(q.previous_street_essh && !q.homeless_history);
        let q = prior_living_questions(
            psh,
            jail,
            Some(LengthOfStay::OneMonthTo90Days),
            Some(NoYesDataNotCollected::Yes),
        );
        assert!(q.homeless_history);
        let q = prior_living_questions(psh, jail, Some(LengthOfStay::NinetyDaysToYear), None);
        assert!(!q.previous_street_essh && !q.homeless_history);
        // Elsewhere: the threshold is 7 nights.
        let rental = Some(LivingSituation::RentalWithSubsidy);
        let q = prior_living_questions(psh, rental, Some(LengthOfStay::TwoToSixNights), None);
        assert!(q.previous_street_essh && q.rental_subsidy_type);
        let q = prior_living_questions(psh, rental, Some(LengthOfStay::OneWeekToMonth), None);
        assert!(!q.previous_street_essh);
        assert_eq!(
            los_under_threshold(rental, Some(LengthOfStay::DataNotCollected)),
            None
        );
    }

    #[test]
    fn fields_that_do_not_apply_are_left_empty() {
        let mut m = member(1, "1980-01-01", "1");
        m.living_situation = "410".into(); // rental, no subsidy
        m.length_of_stay = "5".into(); // a year or longer: nothing follows
        m.rental_subsidy_type = "419".into();
        m.times_homeless = "2".into();
        let valid = validate_intake(&draft(vec![m]), &[project(3)], d(TODAY)).unwrap();
        let prior = valid.members[0].prior_living.clone().unwrap();
        assert_eq!(prior.rental_subsidy_type, None);
        assert_eq!(prior.times_homeless, None);
        assert_eq!(prior.los_under_threshold, Some(false));
    }

    #[test]
    fn enrollment_answers_use_the_same_rules() {
        let mut m = member(1, "1980-01-01", "1");
        m.living_situation = "207".into(); // jail
        m.length_of_stay = "2".into(); // under 90 days: the night-before question follows
        let e = validate_enrollment_answers(
            &m,
            Some(ProjectType::PermanentSupportiveHousing),
            d("2026-11-01"),
            true,
            d(TODAY),
        )
        .unwrap_err();
        assert!(e.get("previous_street_essh").is_some());
        m.previous_street_essh = "0".into();
        let (disabling, prior) = validate_enrollment_answers(
            &m,
            Some(ProjectType::PermanentSupportiveHousing),
            d("2026-11-01"),
            true,
            d(TODAY),
        )
        .unwrap();
        assert_eq!(disabling, NoYesMissing::No);
        let prior = prior.unwrap();
        assert_eq!(prior.los_under_threshold, Some(true));
        assert_eq!(prior.times_homeless, None, "history not asked after a No");
        m.disabling_condition.clear();
        let e =
            validate_enrollment_answers(&m, None, d("2026-11-01"), false, d(TODAY)).unwrap_err();
        assert_eq!(
            e.get("disabling_condition"),
            Some("Answer Disabling Condition.")
        );
    }

    #[test]
    fn steps_and_field_keys() {
        assert_eq!(
            IntakeStep::of_field("entry_date"),
            IntakeStep::ProjectAndStart
        );
        assert_eq!(
            IntakeStep::of_field("m2.relationship"),
            IntakeStep::Household
        );
        assert_eq!(IntakeStep::of_field("m0.sex"), IntakeStep::UniversalData);
        assert_eq!(
            IntakeStep::of_field("enrollment_coc"),
            IntakeStep::UniversalData
        );
        assert_eq!(IntakeStep::Review.next(), IntakeStep::Review);
        assert_eq!(
            IntakeStep::ProjectAndStart.previous(),
            IntakeStep::ProjectAndStart
        );
    }

    #[test]
    fn first_member_added_is_head() {
        let mut d = IntakeDraft::default();
        add_member(&mut d, MemberDraft::default());
        add_member(&mut d, MemberDraft::default());
        assert_eq!(d.members[0].relationship, "1");
        assert_eq!(d.members[1].relationship, "");
        assert_ne!(d.members[0].key, d.members[1].key);
    }
}

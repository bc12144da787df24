//! Checks a directory of HMIS CSV files against HUD's rules before anyone receives them
//! (reference section 3): exact headers; quoting, types, lengths, code lists and patterns of
//! every value; dependent fields; one Export row whose ExportID is in every row; every
//! reference resolved (organizations, projects, users, enrollments, clients); one Client row
//! per PersonalID of Enrollment.csv and no other; at most one Exit per enrollment, not before
//! its entry; exactly one head of household per HouseholdID.
//!
//! Files are read line by line, so memory grows with the number of IDs, not with the files.
//! A strict reader of HUD's format (not a general CSV reader): whether a value was quoted is
//! itself one of the rules.

use super::api::Violation;
use super::files::{ExportFiles, Folder};
use super::format::STRIPPED;
use super::spec::{
    Column, FileSpec, Kind, Pattern, CE_PARTICIPATION, CLIENT, ENROLLMENT, EVENT_FILE, EXIT,
    EXPORT, ORGANIZATION, PROJECT, PROJECT_COC, USER,
};
use crate::domain::codes::{EventType, ProjectType, RrhSubType};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead, BufReader};
use std::path::Path;

/// How many violations a report lists (all are counted).
pub const MAX_LISTED: usize = 500;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub violations: Vec<Violation>,
    pub total: u64,
    /// Data rows per file.
    pub rows: Vec<(String, u64)>,
}

impl Report {
    fn add(&mut self, file: &str, row: u64, column: &str, message: impl Into<String>) {
        self.total += 1;
        if self.violations.len() < MAX_LISTED {
            self.violations.push(Violation {
                file: file.to_string(),
                row,
                column: column.to_string(),
                message: message.into(),
            });
        }
    }

    pub fn is_clean(&self) -> bool {
        self.total == 0
    }
}

/// An ID, stored compactly: most are decimal numbers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Key {
    Number(u64),
    Text(Box<str>),
}

fn key(id: &str) -> Key {
    let canonical = !id.is_empty()
        && id.len() <= 19
        && id.bytes().all(|b| b.is_ascii_digit())
        && !(id.len() > 1 && id.starts_with('0'));
    match id.parse::<u64>() {
        Ok(n) if canonical => Key::Number(n),
        _ => Key::Text(id.into()),
    }
}

struct RawField {
    text: String,
    quoted: bool,
}

/// Splits one line (without its line ending) into values.
fn split_line(line: &str) -> Result<Vec<RawField>, &'static str> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut text = String::new();
        let quoted = chars.peek() == Some(&'"');
        let mut at_end = false;
        if quoted {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err("A quoted value is not closed on its line: values must not contain line breaks."),
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        text.push('"');
                    }
                    Some('"') => break,
                    Some(c) => text.push(c),
                }
            }
            match chars.next() {
                None => at_end = true,
                Some(',') => {}
                Some(_) => {
                    return Err(
                        "Text follows a closing quote: quotes inside a value are written as \"\".",
                    )
                }
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        at_end = true;
                        break;
                    }
                    Some(',') => break,
                    Some('"') => return Err("A quote inside a value that is not quoted."),
                    Some(c) => text.push(c),
                }
            }
        }
        fields.push(RawField { text, quoted });
        if at_end {
            return Ok(fields);
        }
    }
}

fn parse_date(raw: &str) -> Option<NaiveDate> {
    (raw.len() == 10)
        .then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
        .flatten()
}

fn parse_datetime(raw: &str) -> Option<NaiveDateTime> {
    (raw.len() == 19)
        .then(|| NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S").ok())
        .flatten()
}

fn matches_pattern(pattern: Pattern, v: &str) -> bool {
    let digits = |n: usize| v.len() == n && v.bytes().all(|b| b.is_ascii_digit());
    match pattern {
        Pattern::Any => true,
        Pattern::Ssn => {
            v.len() == 9
                && v.bytes()
                    .all(|b| b.is_ascii_digit() || b == b'x' || b == b'X')
        }
        Pattern::CocCode => {
            let b = v.as_bytes();
            b.len() == 6
                && b[..2].iter().all(u8::is_ascii_alphabetic)
                && b[2] == b'-'
                && b[3..].iter().all(u8::is_ascii_digit)
        }
        Pattern::Geocode => digits(6),
        Pattern::Zip => digits(5),
        Pattern::Phone => digits(10),
    }
}

/// Checks one value against its column; `None` when it is fine.
fn check_value(column: &Column, field: &RawField) -> Option<String> {
    let v = field.text.as_str();
    if v.is_empty() {
        return (!column.nullable).then(|| match column.kind {
            Kind::Int(Some(list)) if list.contains(&99) => {
                "Required: export 99 (Data not collected) when the answer is missing.".to_string()
            }
            _ => "Required: this column cannot be empty.".to_string(),
        });
    }
    match column.kind {
        Kind::Text(max) => {
            if !field.quoted {
                return Some("String values must be enclosed in double quotes.".into());
            }
            if v.chars().count() > max {
                return Some(format!("Longer than the {max} characters allowed."));
            }
            if v.chars().any(|c| STRIPPED.contains(&c)) {
                return Some("The characters < > [ ] { } must be stripped.".into());
            }
            if !matches_pattern(column.pattern, v) {
                return Some(match column.pattern {
                    Pattern::Ssn => "An SSN is 9 digits, with x for a digit not known.".into(),
                    Pattern::CocCode => {
                        "A CoC code is two letters, a hyphen and three digits.".into()
                    }
                    Pattern::Geocode => "A geocode is 6 digits.".into(),
                    Pattern::Zip => "A ZIP code is 5 digits.".into(),
                    Pattern::Phone => "A phone number is 10 digits without punctuation.".into(),
                    Pattern::Any => unreachable!(),
                });
            }
            None
        }
        Kind::Int(list) => {
            if field.quoted {
                return Some("Integers are written without quotes.".into());
            }
            if !v.bytes().all(|b| b.is_ascii_digit()) {
                return Some(format!("“{v}” is not a non-negative integer."));
            }
            match list {
                None => v
                    .parse::<u32>()
                    .is_err()
                    .then(|| format!("{v} is too large.")),
                Some(list) => match v.parse::<i16>() {
                    Ok(n) if list.contains(&n) => None,
                    _ => Some(format!("{v} is not a code of this column's HUD list.")),
                },
            }
        }
        Kind::Date => match (field.quoted, parse_date(v)) {
            (false, Some(_)) => None,
            _ => Some(format!(
                "“{v}” is not a date written YYYY-MM-DD (without quotes)."
            )),
        },
        Kind::DateTime => match (field.quoted, parse_datetime(v)) {
            (false, Some(_)) => None,
            _ => Some(format!(
                "“{v}” is not a date and time written YYYY-MM-DD hh:mm:ss (without quotes)."
            )),
        },
    }
}

/// One data row, with its values by column name.
struct Row<'a> {
    spec: &'static FileSpec,
    values: &'a [Option<String>],
    line: u64,
}

impl Row<'_> {
    fn get(&self, column: &str) -> Option<&str> {
        let i = self
            .spec
            .index(column)
            .unwrap_or_else(|| panic!("{} has no column {column}", self.spec.name));
        self.values[i].as_deref()
    }
    fn int(&self, column: &str) -> Option<i64> {
        self.get(column).and_then(|v| v.parse().ok())
    }
    fn date(&self, column: &str) -> Option<NaiveDate> {
        self.get(column).and_then(parse_date)
    }
    fn deleted(&self) -> bool {
        self.spec.index("DateDeleted").is_some() && self.get("DateDeleted").is_some()
    }
}

/// Reads one file: checks its header and each value, then hands each row to `each`.
fn read_file(
    dir: &dyn ExportFiles,
    spec: &'static FileSpec,
    export_id: Option<&str>,
    report: &mut Report,
    progress: &mut dyn FnMut(u64),
    mut each: impl FnMut(&mut Report, &Row),
) -> io::Result<u64> {
    let name = spec.name;
    let Some(file) = dir.open(name)? else {
        report.add(name, 0, "", "The file is missing.");
        return Ok(0);
    };
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    let mut rows = 0u64;
    let mut values: Vec<Option<String>> = Vec::with_capacity(spec.columns.len());
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line_no += 1;
        if buf.ends_with(b"\n") {
            buf.pop();
            if buf.ends_with(b"\r") {
                buf.pop();
            }
        }
        let Ok(mut line) = std::str::from_utf8(&buf) else {
            report.add(name, line_no, "", "The line is not valid UTF-8.");
            continue;
        };
        if line_no == 1 {
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
            let header: Vec<&str> = line.split(',').collect();
            if header != spec.header() {
                report.add(
                    name,
                    1,
                    "",
                    format!(
                        "The header row must be exactly: {}.",
                        spec.header().join(",")
                    ),
                );
                return Ok(0);
            }
            continue;
        }
        rows += 1;
        if rows.is_multiple_of(2048) {
            progress(2048);
        }
        let fields = match split_line(line) {
            Ok(fields) => fields,
            Err(message) => {
                report.add(name, line_no, "", message);
                continue;
            }
        };
        if fields.len() != spec.columns.len() {
            report.add(
                name,
                line_no,
                "",
                format!(
                    "{} values where the header has {} columns.",
                    fields.len(),
                    spec.columns.len()
                ),
            );
            continue;
        }
        values.clear();
        for (column, field) in spec.columns.iter().zip(&fields) {
            if let Some(message) = check_value(column, field) {
                report.add(name, line_no, column.name, message);
                values.push(None);
            } else {
                values.push((!field.text.is_empty()).then(|| field.text.clone()));
            }
        }
        let row = Row {
            spec,
            values: &values,
            line: line_no,
        };
        if let (Some(expected), Some(_)) = (export_id, spec.index("ExportID")) {
            if row.get("ExportID").is_some_and(|v| v != expected) {
                report.add(
                    name,
                    line_no,
                    "ExportID",
                    format!("Every row must carry the ExportID of Export.csv ({expected})."),
                );
            }
        }
        each(report, &row);
    }
    progress(rows % 2048);
    report.rows.push((name.to_string(), rows));
    Ok(rows)
}

/// Uniqueness of IDs nothing else refers to (EventID, ExitID): free while they ascend, as
/// Threshold writes them, so memory does not grow with the file; a file whose IDs do not
/// ascend is read again with a set (`repeated_ids`).
struct Ascending {
    last: Option<Key>,
    sorted: bool,
}

impl Default for Ascending {
    fn default() -> Self {
        Ascending {
            last: None,
            sorted: true,
        }
    }
}

impl Ascending {
    fn see(&mut self, id: Option<&str>) {
        let Some(id) = id else { return };
        let k = key(id);
        if self.last.as_ref().is_some_and(|last| k <= *last) {
            self.sorted = false;
        }
        self.last = Some(k);
    }
}

/// The second pass of a file whose IDs did not ascend: reports each repeated ID.
fn repeated_ids(
    dir: &dyn ExportFiles,
    spec: &'static FileSpec,
    column: &str,
    report: &mut Report,
) -> io::Result<()> {
    let mut ids = Ids::default();
    let mut scratch = Report::default();
    read_file(dir, spec, None, &mut scratch, &mut |_| {}, |_, row| {
        ids.insert(report, row, column);
    })?;
    Ok(())
}

/// IDs of one file, and the row each first appeared on.
#[derive(Default)]
struct Ids(HashMap<Key, u64>);

impl Ids {
    /// Records an ID; reports it when it was seen before.
    fn insert(&mut self, report: &mut Report, row: &Row, column: &str) -> Option<Key> {
        let id = row.get(column)?;
        let k = key(id);
        if let Some(first) = self.0.get(&k) {
            report.add(
                row.spec.name,
                row.line,
                column,
                format!("{column} {id} is repeated (first on row {first}): IDs are unique."),
            );
            return None;
        }
        self.0.insert(k.clone(), row.line);
        Some(k)
    }
    fn contains(&self, id: &str) -> bool {
        self.0.contains_key(&key(id))
    }
}

fn require_ref(report: &mut Report, row: &Row, column: &str, ids: &Ids, target: &str) {
    if let Some(id) = row.get(column) {
        if !ids.contains(id) {
            report.add(
                row.spec.name,
                row.line,
                column,
                format!("{column} {id} has no row in {target}."),
            );
        }
    }
}

struct EnrollmentInfo {
    row: u64,
    personal: Key,
    entry: Option<NaiveDate>,
    move_in: Option<NaiveDate>,
}

struct Household {
    first_row: u64,
    hoh: Vec<String>,
}

/// Validates the files of one export in the folder `dir`.
pub fn validate_dir(dir: &Path, progress: &mut dyn FnMut(u64)) -> io::Result<Report> {
    validate_files(&Folder(dir), progress)
}

/// Validates the files of one export. `progress` receives the number of rows read since its
/// last call.
pub fn validate_files(dir: &dyn ExportFiles, progress: &mut dyn FnMut(u64)) -> io::Result<Report> {
    let mut report = Report::default();

    // Export.csv: exactly one row; its ExportID is everyone's.
    let mut export_rows: Vec<(String, Option<NaiveDate>)> = Vec::new();
    let n = read_file(dir, &EXPORT, None, &mut report, progress, |report, row| {
        if let (Some(start), Some(end)) = (row.date("ExportStartDate"), row.date("ExportEndDate")) {
            if end < start {
                report.add(
                    EXPORT.name,
                    row.line,
                    "ExportEndDate",
                    "ExportEndDate is before ExportStartDate.",
                );
            }
        }
        if let Some(id) = row.get("ExportID") {
            export_rows.push((
                id.to_string(),
                row.get("ExportDate").and_then(|t| parse_date(&t[..10])),
            ));
        }
    })?;
    if n != 1 && !(n == 0 && report.total > 0) {
        report.add(
            EXPORT.name,
            0,
            "",
            format!("Export.csv must hold exactly one row; it holds {n}."),
        );
    }
    let (export_id, export_date) = export_rows.first().cloned().unwrap_or_default();
    let export_id = (!export_id.is_empty()).then_some(export_id);
    let export_id = export_id.as_deref();

    let mut users = Ids::default();
    read_file(
        dir,
        &USER,
        export_id,
        &mut report,
        progress,
        |report, row| {
            users.insert(report, row, "UserID");
        },
    )?;
    let check_user = |report: &mut Report, row: &Row, users: &Ids| {
        require_ref(report, row, "UserID", users, "User.csv")
    };

    let mut organizations = Ids::default();
    read_file(
        dir,
        &ORGANIZATION,
        export_id,
        &mut report,
        progress,
        |report, row| {
            organizations.insert(report, row, "OrganizationID");
            check_user(report, row, &users);
        },
    )?;

    let mut projects = Ids::default();
    let mut operating: HashMap<Key, (Option<NaiveDate>, Option<NaiveDate>)> = HashMap::new();
    read_file(
        dir,
        &PROJECT,
        export_id,
        &mut report,
        progress,
        |report, row| {
            let file = PROJECT.name;
            if let Some(k) = projects.insert(report, row, "ProjectID") {
                operating.insert(
                    k,
                    (row.date("OperatingStartDate"), row.date("OperatingEndDate")),
                );
            }
            require_ref(
                report,
                row,
                "OrganizationID",
                &organizations,
                "Organization.csv",
            );
            check_user(report, row, &users);
            let project_type = row.int("ProjectType");
            let rrh = row.int("RRHSubType");
            if row.int("ContinuumProject") == Some(1) && project_type.is_none() {
                report.add(
                    file,
                    row.line,
                    "ProjectType",
                    "ProjectType is required when ContinuumProject = 1.",
                );
            }
            if (project_type == Some(13)) != rrh.is_some() {
                report.add(
                    file,
                    row.line,
                    "RRHSubType",
                    "RRHSubType is required for ProjectType 13 and empty for every other type.",
                );
            }
            // The same HUD rules the project form runs (domain::codes).
            let code = |v: Option<i64>| v.and_then(|v| i16::try_from(v).ok());
            let typed = code(project_type).and_then(ProjectType::from_code);
            let rrh_sub_type = code(rrh).and_then(RrhSubType::from_code);
            let takes_housing = typed.is_some_and(|t| t.takes_housing_type(rrh_sub_type));
            if takes_housing != row.int("HousingType").is_some() {
                report.add(
                    file,
                    row.line,
                    "HousingType",
                    if takes_housing {
                        "HousingType is required for this project type."
                    } else {
                        "HousingType must be empty for this project type."
                    },
                );
            }
            let takes_affiliation =
                typed.is_some_and(|t| t.takes_residential_affiliation(rrh_sub_type));
            if takes_affiliation != row.int("ResidentialAffiliation").is_some() {
                report.add(
                file,
                row.line,
                "ResidentialAffiliation",
                "ResidentialAffiliation is required for Services Only and RRH: Services Only, and empty otherwise.",
            );
            }
            if let (Some(start), Some(end)) =
                (row.date("OperatingStartDate"), row.date("OperatingEndDate"))
            {
                if end < start {
                    report.add(
                        file,
                        row.line,
                        "OperatingEndDate",
                        "OperatingEndDate is before OperatingStartDate.",
                    );
                }
            }
        },
    )?;

    let mut project_cocs = Ids::default();
    let mut coc_of_project: HashSet<(Key, String)> = HashSet::new();
    read_file(
        dir,
        &PROJECT_COC,
        export_id,
        &mut report,
        progress,
        |report, row| {
            project_cocs.insert(report, row, "ProjectCoCID");
            require_ref(report, row, "ProjectID", &projects, "Project.csv");
            check_user(report, row, &users);
            if let (Some(project), Some(coc)) = (row.get("ProjectID"), row.get("CoCCode")) {
                coc_of_project.insert((key(project), coc.to_string()));
            }
        },
    )?;
    for (project, first_row) in &projects.0 {
        if !coc_of_project.iter().any(|(p, _)| p == project) {
            report.add(
                PROJECT.name,
                *first_row,
                "ProjectID",
                "The project has no row in ProjectCoC.csv.",
            );
        }
    }

    let mut participations = Ids::default();
    let mut spans: HashMap<Key, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    read_file(
        dir,
        &CE_PARTICIPATION,
        export_id,
        &mut report,
        progress,
        |report, row| {
            let file = CE_PARTICIPATION.name;
            participations.insert(report, row, "CEParticipationID");
            require_ref(report, row, "ProjectID", &projects, "Project.csv");
            check_user(report, row, &users);
            let access = row.int("AccessPoint") == Some(1);
            for column in [
                "PreventionAssessment",
                "CrisisAssessment",
                "HousingAssessment",
                "DirectServices",
            ] {
                if access != row.get(column).is_some() {
                    report.add(
                        file,
                        row.line,
                        column,
                        if access {
                            "Required when AccessPoint = 1 (0 if not selected)."
                        } else {
                            "Must be empty unless AccessPoint = 1."
                        },
                    );
                }
            }
            let (Some(start), end) = (
                row.date("CEParticipationStatusStartDate"),
                row.date("CEParticipationStatusEndDate"),
            ) else {
                return;
            };
            if end.is_some_and(|end| end < start) {
                report.add(
                    file,
                    row.line,
                    "CEParticipationStatusEndDate",
                    "The end date is before the start date.",
                );
            }
            if row.deleted() {
                return;
            }
            let end = end.unwrap_or(NaiveDate::MAX);
            if let Some(project) = row.get("ProjectID") {
                let list = spans.entry(key(project)).or_default();
                if list.iter().any(|(s, e)| *s <= end && start <= *e) {
                    report.add(
                        file,
                        row.line,
                        "CEParticipationStatusStartDate",
                        "Overlaps another CE participation record of the project (Eva check 128).",
                    );
                }
                list.push((start, end));
            }
        },
    )?;

    let mut enrollments: HashMap<Key, EnrollmentInfo> = HashMap::new();
    // PersonalID → (first row in Enrollment.csv, seen in Client.csv)
    let mut persons: HashMap<Key, (u64, bool)> = HashMap::new();
    let mut households: HashMap<Key, Household> = HashMap::new();
    read_file(
        dir,
        &ENROLLMENT,
        export_id,
        &mut report,
        progress,
        |report, row| {
            let file = ENROLLMENT.name;
            let Some(id) = row.get("EnrollmentID") else {
                return;
            };
            let k = key(id);
            if let Some(first) = enrollments.get(&k) {
                report.add(
                    file,
                    row.line,
                    "EnrollmentID",
                    format!(
                        "EnrollmentID {id} is repeated (first on row {}): IDs are unique.",
                        first.row
                    ),
                );
                return;
            }
            require_ref(report, row, "ProjectID", &projects, "Project.csv");
            check_user(report, row, &users);
            let (Some(personal), Some(project)) = (row.get("PersonalID"), row.get("ProjectID"))
            else {
                return;
            };
            let entry = row.date("EntryDate");
            let move_in = row.date("MoveInDate");
            if let (Some(entry), Some(move_in)) = (entry, move_in) {
                if move_in < entry {
                    report.add(
                        file,
                        row.line,
                        "MoveInDate",
                        "MoveInDate is before EntryDate.",
                    );
                }
            }
            if let Some(coc) = row.get("EnrollmentCoC") {
                if projects.contains(project)
                    && !coc_of_project.contains(&(key(project), coc.to_string()))
                {
                    report.add(
                        file,
                        row.line,
                        "EnrollmentCoC",
                        format!(
                            "EnrollmentCoC {coc} has no ProjectCoC.csv row for project {project}."
                        ),
                    );
                }
            }
            if row.get("RentalSubsidyType").is_some() && row.int("LivingSituation") != Some(435) {
                report.add(
                    file,
                    row.line,
                    "RentalSubsidyType",
                    "RentalSubsidyType must be empty unless LivingSituation = 435.",
                );
            }
            persons.entry(key(personal)).or_insert((row.line, false));
            enrollments.insert(
                k,
                EnrollmentInfo {
                    row: row.line,
                    personal: key(personal),
                    entry,
                    move_in,
                },
            );
            if row.deleted() {
                return;
            }
            if let Some(household) = row.get("HouseholdID") {
                let state = households.entry(key(household)).or_insert(Household {
                    first_row: row.line,
                    hoh: Vec::new(),
                });
                if row.int("RelationshipToHoH") == Some(1) {
                    state
                        .hoh
                        .push(row.get("EnrollmentID").unwrap_or_default().to_string());
                    if state.hoh.len() > 1 {
                        report.add(
                        file,
                        row.line,
                        "RelationshipToHoH",
                        format!(
                            "Household {household} has {} heads of household (EnrollmentIDs {}): a household has exactly one.",
                            state.hoh.len(),
                            state.hoh.join(", ")
                        ),
                    );
                    }
                }
            }
        },
    )?;
    let mut headless: Vec<(u64, String)> = households
        .iter()
        .filter(|(_, h)| h.hoh.is_empty())
        .map(|(id, h)| {
            (
                h.first_row,
                match id {
                    Key::Number(n) => n.to_string(),
                    Key::Text(t) => t.to_string(),
                },
            )
        })
        .collect();
    headless.sort();
    for (row, household) in headless {
        report.add(
            ENROLLMENT.name,
            row,
            "RelationshipToHoH",
            format!("Household {household} has no head of household (RelationshipToHoH = 1)."),
        );
    }
    drop(households);

    read_file(
        dir,
        &CLIENT,
        export_id,
        &mut report,
        progress,
        |report, row| {
            let file = CLIENT.name;
            let Some(id) = row.get("PersonalID") else {
                return;
            };
            match persons.get_mut(&key(id)) {
                None => report.add(file, row.line, "PersonalID", "A client without an enrollment in Enrollment.csv: Client.csv holds only enrolled clients."),
                Some((_, true)) => report.add(file, row.line, "PersonalID", format!("PersonalID {id} is repeated: one row per client.")),
                Some((_, seen)) => *seen = true,
            }
            check_user(report, row, &users);
            let races = [
                "AmIndAKNative",
                "Asian",
                "BlackAfAmerican",
                "HispanicLatinao",
                "MidEastNAfrican",
                "NativeHIPacific",
                "White",
            ];
            if row.get("RaceNone").is_some() && races.iter().any(|r| row.int(r) == Some(1)) {
                report.add(
                    file,
                    row.line,
                    "RaceNone",
                    "RaceNone must be empty when a race is selected.",
                );
            }
            if row.int("VeteranStatus") != Some(1) {
                for column in [
                    "YearEnteredService",
                    "YearSeparated",
                    "WorldWarII",
                    "MilitaryBranch",
                    "DischargeStatus",
                ] {
                    if row.get(column).is_some() {
                        report.add(
                            file,
                            row.line,
                            column,
                            "Veteran details must be empty unless VeteranStatus = 1.",
                        );
                    }
                }
            }
            if let (Some(dob), Some(exported)) = (row.date("DOB"), export_date) {
                if dob > exported {
                    report.add(file, row.line, "DOB", "DOB is after the export date.");
                }
            }
        },
    )?;
    let mut missing: Vec<(u64, String)> = persons
        .iter()
        .filter(|(_, (_, seen))| !seen)
        .map(|(k, (row, _))| {
            (
                *row,
                match k {
                    Key::Number(n) => n.to_string(),
                    Key::Text(t) => t.to_string(),
                },
            )
        })
        .collect();
    missing.sort();
    for (row, id) in missing {
        report.add(
            ENROLLMENT.name,
            row,
            "PersonalID",
            format!("PersonalID {id} has no row in Client.csv."),
        );
    }
    drop(persons);

    let mut exits = Ascending::default();
    let mut exited: HashSet<Key> = HashSet::new();
    read_file(
        dir,
        &EXIT,
        export_id,
        &mut report,
        progress,
        |report, row| {
            let file = EXIT.name;
            exits.see(row.get("ExitID"));
            check_user(report, row, &users);
            let destination = row.int("Destination");
            if (destination == Some(435)) != row.get("DestinationSubsidyType").is_some() {
                report.add(file, row.line, "DestinationSubsidyType", "DestinationSubsidyType is required when Destination = 435 and empty otherwise.");
            }
            if (destination == Some(17)) != row.get("OtherDestination").is_some() {
                report.add(
                    file,
                    row.line,
                    "OtherDestination",
                    "OtherDestination is required when Destination = 17 and empty otherwise.",
                );
            }
            let Some(enrollment_id) = row.get("EnrollmentID") else {
                return;
            };
            let Some(enrollment) = enrollments.get(&key(enrollment_id)) else {
                report.add(
                    file,
                    row.line,
                    "EnrollmentID",
                    format!("EnrollmentID {enrollment_id} has no row in Enrollment.csv."),
                );
                return;
            };
            if row
                .get("PersonalID")
                .is_some_and(|p| key(p) != enrollment.personal)
            {
                report.add(
                    file,
                    row.line,
                    "PersonalID",
                    format!("PersonalID differs from enrollment {enrollment_id}'s."),
                );
            }
            if !row.deleted() && !exited.insert(key(enrollment_id)) {
                report.add(file, row.line, "EnrollmentID", format!("Enrollment {enrollment_id} has more than one exit: at most one is allowed."));
            }
            if let (Some(exit), Some(entry)) = (row.date("ExitDate"), enrollment.entry) {
                if exit < entry {
                    report.add(
                    file,
                    row.line,
                    "ExitDate",
                    format!("ExitDate {exit} is before the EntryDate {entry} of enrollment {enrollment_id}: correct the exit or the project start date."),
                );
                }
                if enrollment.move_in.is_some_and(|move_in| move_in > exit) {
                    report.add(file, row.line, "ExitDate", format!("ExitDate {exit} is before the MoveInDate of enrollment {enrollment_id}."));
                }
            }
        },
    )?;
    if !exits.sorted {
        repeated_ids(dir, &EXIT, "ExitID", &mut report)?;
    }

    let mut events = Ascending::default();
    read_file(
        dir,
        &EVENT_FILE,
        export_id,
        &mut report,
        progress,
        |report, row| {
            let file = EVENT_FILE.name;
            events.see(row.get("EventID"));
            check_user(report, row, &users);
            let event = row.int("Event");
            let event_type = event
                .and_then(|e| i16::try_from(e).ok())
                .and_then(EventType::from_code);
            let only = |report: &mut Report, column: &str, applies: bool, which: &str| {
                if !applies && row.get(column).is_some() {
                    report.add(
                        file,
                        row.line,
                        column,
                        format!("{column} must be empty unless Event is {which}."),
                    );
                }
            };
            only(report, "ProbSolDivRRResult", event == Some(2), "2");
            only(report, "ReferralCaseManageAfter", event == Some(5), "5");
            only(
                report,
                "LocationCrisisOrPHHousing",
                event_type.is_some_and(EventType::takes_location),
                "10–15",
            );
            only(
                report,
                "ReferralResult",
                event_type.is_some_and(EventType::takes_referral_result),
                "10–15, 17 or 18",
            );
            if row.get("ReferralResult").is_some() != row.get("ResultDate").is_some() {
                report.add(
                    file,
                    row.line,
                    "ResultDate",
                    "ResultDate is required exactly when ReferralResult is set.",
                );
            }
            if let (Some(result), Some(event_date)) =
                (row.date("ResultDate"), row.date("EventDate"))
            {
                if result < event_date {
                    report.add(
                        file,
                        row.line,
                        "ResultDate",
                        "ResultDate is before EventDate.",
                    );
                }
            }
            let Some(enrollment_id) = row.get("EnrollmentID") else {
                return;
            };
            match enrollments.get(&key(enrollment_id)) {
                None => report.add(
                    file,
                    row.line,
                    "EnrollmentID",
                    format!("EnrollmentID {enrollment_id} has no row in Enrollment.csv."),
                ),
                Some(enrollment) => {
                    if row
                        .get("PersonalID")
                        .is_some_and(|p| key(p) != enrollment.personal)
                    {
                        report.add(
                            file,
                            row.line,
                            "PersonalID",
                            format!("PersonalID differs from enrollment {enrollment_id}'s."),
                        );
                    }
                }
            }
        },
    )?;
    if !events.sorted {
        repeated_ids(dir, &EVENT_FILE, "EventID", &mut report)?;
    }

    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::super::spec::FILES;
    use super::*;

    fn fields(line: &str) -> Vec<(String, bool)> {
        split_line(line)
            .unwrap()
            .into_iter()
            .map(|f| (f.text, f.quoted))
            .collect()
    }

    #[test]
    fn the_reader_knows_which_values_were_quoted() {
        assert_eq!(
            fields("\"1\",2,,\"a \"\"b\"\", c\""),
            vec![
                ("1".into(), true),
                ("2".into(), false),
                ("".into(), false),
                ("a \"b\", c".into(), true)
            ]
        );
        assert_eq!(fields(""), vec![("".into(), false)]);
        assert_eq!(fields("a,"), vec![("a".into(), false), ("".into(), false)]);
        assert!(split_line("\"open").is_err());
        assert!(split_line("\"a\"b").is_err());
        assert!(split_line("a\"b").is_err());
    }

    fn raw(text: &str, quoted: bool) -> RawField {
        RawField {
            text: text.into(),
            quoted,
        }
    }

    #[test]
    fn values_are_checked_against_their_column() {
        let ssn = Column {
            name: "SSN",
            kind: Kind::Text(9),
            nullable: true,
            pattern: Pattern::Ssn,
        };
        assert_eq!(check_value(&ssn, &raw("01234567x", true)), None);
        assert!(check_value(&ssn, &raw("012345678", false))
            .unwrap()
            .contains("double quotes"));
        assert!(check_value(&ssn, &raw("12-345678", true))
            .unwrap()
            .contains("9 digits"));
        assert_eq!(check_value(&ssn, &raw("", false)), None, "nullable");

        let coded = Column {
            name: "VeteranStatus",
            kind: Kind::Int(Some(&[0, 1, 8, 9, 99])),
            nullable: false,
            pattern: Pattern::Any,
        };
        assert!(check_value(&coded, &raw("", false)).unwrap().contains("99"));
        assert!(check_value(&coded, &raw("2", false))
            .unwrap()
            .contains("not a code"));
        assert!(check_value(&coded, &raw("1", true))
            .unwrap()
            .contains("without quotes"));
        assert!(check_value(&coded, &raw("-1", false))
            .unwrap()
            .contains("non-negative"));
        assert_eq!(check_value(&coded, &raw("99", false)), None);

        let name = Column {
            name: "FirstName",
            kind: Kind::Text(5),
            nullable: true,
            pattern: Pattern::Any,
        };
        assert!(check_value(&name, &raw("Anabel", true))
            .unwrap()
            .contains("5 characters"));
        assert!(check_value(&name, &raw("A<b>", true))
            .unwrap()
            .contains("stripped"));
        assert_eq!(check_value(&name, &raw("Zoë", true)), None);

        let when = Column {
            name: "DateCreated",
            kind: Kind::DateTime,
            nullable: false,
            pattern: Pattern::Any,
        };
        assert_eq!(check_value(&when, &raw("2026-11-22 08:30:00", false)), None);
        assert!(check_value(&when, &raw("2026-11-22T08:30:00", false)).is_some());
        let day = Column {
            name: "DOB",
            kind: Kind::Date,
            nullable: true,
            pattern: Pattern::Any,
        };
        assert!(check_value(&day, &raw("11/22/2026", false)).is_some());
        assert!(check_value(&day, &raw("2026-02-30", false)).is_some());
        assert!(check_value(&day, &raw("2026-02-28", true)).is_some());
    }

    #[test]
    fn ascending_ids_need_no_set_and_others_are_read_again() {
        let mut ids = Ascending::default();
        for id in ["2", "10", "11"] {
            ids.see(Some(id));
        }
        assert!(ids.sorted, "numbers compare as numbers");
        ids.see(Some("11"));
        assert!(!ids.sorted);

        let dir = std::env::temp_dir().join(format!("threshold-validate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let header = EVENT_FILE.header().join(",");
        let row = |id: &str| {
            format!("\"{id}\",\"1\",\"1\",2026-01-01,2,,,,,,2026-01-01 00:00:00,2026-01-01 00:00:00,\"1\",,\"x\"")
        };
        std::fs::write(
            dir.join("Event.csv"),
            format!(
                "{header}\r\n{}\r\n{}\r\n{}\r\n",
                row("5"),
                row("3"),
                row("5")
            ),
        )
        .unwrap();
        let mut report = Report::default();
        repeated_ids(&Folder(&dir), &EVENT_FILE, "EventID", &mut report).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(report.total, 1, "{:?}", report.violations);
        assert_eq!(report.violations[0].row, 4);
        assert!(report.violations[0].message.contains("first on row 2"));
    }

    /// The hand-checked golden export (server/tests/golden), copied to a scratch directory.
    fn golden_copy(name: &str) -> std::path::PathBuf {
        let golden =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/tests/golden/hmis_export");
        let dir =
            std::env::temp_dir().join(format!("threshold-rules-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for spec in FILES {
            std::fs::copy(golden.join(spec.name), dir.join(spec.name)).unwrap();
        }
        dir
    }

    /// Rewrites one value of a data row (1 = first data row) to `raw`, as written in the file.
    fn set(dir: &Path, file: &str, data_row: usize, column: &str, raw: &str) {
        let spec = FILES.iter().find(|f| f.name == file).unwrap();
        let index = spec.index(column).unwrap();
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
        let fields = split_line(&lines[data_row]).unwrap();
        let encoded: Vec<String> = fields
            .iter()
            .enumerate()
            .map(|(i, f)| match (i == index, f.quoted) {
                (true, _) => raw.to_string(),
                (false, true) => format!("\"{}\"", f.text.replace('"', "\"\"")),
                (false, false) => f.text.clone(),
            })
            .collect();
        lines[data_row] = encoded.join(",");
        std::fs::write(dir.join(file), lines.join("\r\n")).unwrap();
    }

    fn append_copy_of_row(dir: &Path, file: &str, data_row: usize) {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let line = text.split("\r\n").nth(data_row).unwrap().to_string();
        std::fs::write(dir.join(file), format!("{text}{line}\r\n")).unwrap();
    }

    #[test]
    fn the_golden_export_is_clean() {
        let dir = golden_copy("clean");
        let report = validate_dir(&dir, &mut |_| {}).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(report.is_clean(), "{:#?}", report.violations);
        assert_eq!(report.rows.iter().map(|(_, n)| n).sum::<u64>(), 21);
    }

    /// Each rule, broken once in an otherwise valid export, is reported at its file and column.
    #[test]
    fn each_rule_is_reported_where_it_is_broken() {
        type Break = fn(&Path);
        let cases: Vec<(&str, Break, &str, &str, &str)> = vec![
            // formatting
            (
                "unquoted string",
                |d| set(d, "Client.csv", 1, "SSN", "012345678"),
                "Client.csv",
                "SSN",
                "double quotes",
            ),
            (
                "quoted integer",
                |d| set(d, "Client.csv", 1, "VeteranStatus", "\"0\""),
                "Client.csv",
                "VeteranStatus",
                "without quotes",
            ),
            (
                "date format",
                |d| set(d, "Enrollment.csv", 1, "EntryDate", "10/15/2025"),
                "Enrollment.csv",
                "EntryDate",
                "YYYY-MM-DD",
            ),
            (
                "datetime format",
                |d| set(d, "Event.csv", 1, "DateUpdated", "2025-10-15T17:05:00"),
                "Event.csv",
                "DateUpdated",
                "hh:mm:ss",
            ),
            (
                "stripped characters",
                |d| {
                    set(
                        d,
                        "Organization.csv",
                        1,
                        "OrganizationName",
                        "\"Hope <Street>\"",
                    )
                },
                "Organization.csv",
                "OrganizationName",
                "< > [ ] { }",
            ),
            (
                "length",
                |d| {
                    set(
                        d,
                        "Client.csv",
                        2,
                        "FirstName",
                        &format!("\"{}\"", "a".repeat(51)),
                    )
                },
                "Client.csv",
                "FirstName",
                "50 characters",
            ),
            (
                "code list",
                |d| set(d, "Enrollment.csv", 1, "LivingSituation", "312"),
                "Enrollment.csv",
                "LivingSituation",
                "not a code",
            ),
            (
                "required coded field",
                |d| set(d, "Enrollment.csv", 2, "DisablingCondition", ""),
                "Enrollment.csv",
                "DisablingCondition",
                "export 99",
            ),
            (
                "SSN pattern",
                |d| set(d, "Client.csv", 1, "SSN", "\"12345678\""),
                "Client.csv",
                "SSN",
                "9 digits",
            ),
            (
                "CoC pattern",
                |d| set(d, "ProjectCoC.csv", 1, "CoCCode", "\"MN500\""),
                "ProjectCoC.csv",
                "CoCCode",
                "two letters",
            ),
            (
                "ZIP pattern",
                |d| set(d, "ProjectCoC.csv", 1, "ZIP", "\"2139\""),
                "ProjectCoC.csv",
                "ZIP",
                "5 digits",
            ),
            (
                "ExportID in every row",
                |d| {
                    set(
                        d,
                        "Event.csv",
                        2,
                        "ExportID",
                        "\"ffffffffffffffffffffffffffffffff\"",
                    )
                },
                "Event.csv",
                "ExportID",
                "ExportID of Export.csv",
            ),
            (
                "one Export row",
                |d| append_copy_of_row(d, "Export.csv", 1),
                "Export.csv",
                "",
                "exactly one row",
            ),
            (
                "header",
                |d| set(d, "Exit.csv", 0, "ExitID", "ExitId"),
                "Exit.csv",
                "",
                "header row",
            ),
            // dependent fields
            (
                "ProjectType of a continuum project",
                |d| set(d, "Project.csv", 2, "ProjectType", ""),
                "Project.csv",
                "ProjectType",
                "ContinuumProject = 1",
            ),
            (
                "RRHSubType only for RRH",
                |d| set(d, "Project.csv", 1, "RRHSubType", "2"),
                "Project.csv",
                "RRHSubType",
                "ProjectType 13",
            ),
            (
                "HousingType where it applies",
                |d| set(d, "Project.csv", 1, "HousingType", ""),
                "Project.csv",
                "HousingType",
                "required",
            ),
            (
                "HousingType only where it applies",
                |d| set(d, "Project.csv", 2, "HousingType", "1"),
                "Project.csv",
                "HousingType",
                "must be empty",
            ),
            (
                "ResidentialAffiliation",
                |d| set(d, "Project.csv", 1, "ResidentialAffiliation", "0"),
                "Project.csv",
                "ResidentialAffiliation",
                "Services Only",
            ),
            (
                "2.09.A for access points",
                |d| set(d, "CEParticipation.csv", 2, "HousingAssessment", ""),
                "CEParticipation.csv",
                "HousingAssessment",
                "AccessPoint = 1",
            ),
            (
                "2.09.A only for access points",
                |d| set(d, "CEParticipation.csv", 1, "DirectServices", "1"),
                "CEParticipation.csv",
                "DirectServices",
                "unless AccessPoint = 1",
            ),
            (
                "RaceNone",
                |d| set(d, "Client.csv", 1, "RaceNone", "9"),
                "Client.csv",
                "RaceNone",
                "race is selected",
            ),
            (
                "veteran details",
                |d| set(d, "Client.csv", 1, "YearEnteredService", "2001"),
                "Client.csv",
                "YearEnteredService",
                "VeteranStatus = 1",
            ),
            (
                "RentalSubsidyType",
                |d| set(d, "Enrollment.csv", 1, "RentalSubsidyType", "431"),
                "Enrollment.csv",
                "RentalSubsidyType",
                "435",
            ),
            (
                "DestinationSubsidyType",
                |d| set(d, "Exit.csv", 1, "DestinationSubsidyType", "419"),
                "Exit.csv",
                "DestinationSubsidyType",
                "435",
            ),
            (
                "OtherDestination",
                |d| set(d, "Exit.csv", 1, "Destination", "410"),
                "Exit.csv",
                "OtherDestination",
                "Destination = 17",
            ),
            (
                "ProbSolDivRRResult",
                |d| set(d, "Event.csv", 1, "ProbSolDivRRResult", "1"),
                "Event.csv",
                "ProbSolDivRRResult",
                "Event is 2",
            ),
            (
                "ReferralCaseManageAfter",
                |d| set(d, "Event.csv", 1, "ReferralCaseManageAfter", "1"),
                "Event.csv",
                "ReferralCaseManageAfter",
                "Event is 5",
            ),
            (
                "LocationCrisisOrPHHousing",
                |d| {
                    set(
                        d,
                        "Event.csv",
                        2,
                        "LocationCrisisOrPHHousing",
                        "\"Shelter\"",
                    )
                },
                "Event.csv",
                "LocationCrisisOrPHHousing",
                "10–15",
            ),
            (
                "ReferralResult",
                |d| set(d, "Event.csv", 2, "ReferralResult", "1"),
                "Event.csv",
                "ReferralResult",
                "10–15, 17 or 18",
            ),
            (
                "ResultDate with its result",
                |d| set(d, "Event.csv", 1, "ResultDate", ""),
                "Event.csv",
                "ResultDate",
                "exactly when ReferralResult",
            ),
            // dates across fields and files
            (
                "move-in before entry",
                |d| set(d, "Enrollment.csv", 1, "MoveInDate", "2025-10-01"),
                "Enrollment.csv",
                "MoveInDate",
                "before EntryDate",
            ),
            (
                "exit before entry",
                |d| set(d, "Exit.csv", 1, "ExitDate", "2025-11-30"),
                "Exit.csv",
                "ExitDate",
                "before the EntryDate",
            ),
            (
                "result before event",
                |d| set(d, "Event.csv", 1, "ResultDate", "2025-09-01"),
                "Event.csv",
                "ResultDate",
                "before EventDate",
            ),
            (
                "overlapping CE participation",
                |d| set(d, "CEParticipation.csv", 2, "ProjectID", "\"1\""),
                "CEParticipation.csv",
                "CEParticipationStatusStartDate",
                "Overlaps",
            ),
            // households, clients and references
            (
                "two heads of household",
                |d| set(d, "Enrollment.csv", 2, "RelationshipToHoH", "1"),
                "Enrollment.csv",
                "RelationshipToHoH",
                "has 2 heads of household",
            ),
            (
                "no head of household",
                |d| set(d, "Enrollment.csv", 1, "RelationshipToHoH", "3"),
                "Enrollment.csv",
                "RelationshipToHoH",
                "no head of household",
            ),
            (
                "client without enrollment",
                |d| set(d, "Client.csv", 2, "PersonalID", "\"99\""),
                "Client.csv",
                "PersonalID",
                "without an enrollment",
            ),
            (
                "enrollment without client",
                |d| set(d, "Client.csv", 2, "PersonalID", "\"99\""),
                "Enrollment.csv",
                "PersonalID",
                "has no row in Client.csv",
            ),
            (
                "a client twice",
                |d| append_copy_of_row(d, "Client.csv", 1),
                "Client.csv",
                "PersonalID",
                "repeated",
            ),
            (
                "two exits of one enrollment",
                |d| {
                    append_copy_of_row(d, "Exit.csv", 1);
                    set(d, "Exit.csv", 2, "ExitID", "\"7\"");
                },
                "Exit.csv",
                "EnrollmentID",
                "more than one exit",
            ),
            (
                "a repeated EventID",
                |d| set(d, "Event.csv", 2, "EventID", "\"1\""),
                "Event.csv",
                "EventID",
                "repeated",
            ),
            (
                "unknown user",
                |d| set(d, "Event.csv", 1, "UserID", "\"42\""),
                "Event.csv",
                "UserID",
                "no row in User.csv",
            ),
            (
                "unknown organization",
                |d| set(d, "Project.csv", 1, "OrganizationID", "\"9\""),
                "Project.csv",
                "OrganizationID",
                "no row in Organization.csv",
            ),
            (
                "unknown project",
                |d| set(d, "Enrollment.csv", 1, "ProjectID", "\"9\""),
                "Enrollment.csv",
                "ProjectID",
                "no row in Project.csv",
            ),
            (
                "EnrollmentCoC of the project",
                |d| set(d, "Enrollment.csv", 1, "EnrollmentCoC", "\"MN-501\""),
                "Enrollment.csv",
                "EnrollmentCoC",
                "no ProjectCoC.csv row",
            ),
            (
                "unknown enrollment",
                |d| set(d, "Event.csv", 1, "EnrollmentID", "\"99\""),
                "Event.csv",
                "EnrollmentID",
                "no row in Enrollment.csv",
            ),
            (
                "another client's event",
                |d| set(d, "Event.csv", 1, "PersonalID", "\"2\""),
                "Event.csv",
                "PersonalID",
                "differs from enrollment",
            ),
            (
                "missing file",
                |d| std::fs::remove_file(d.join("CEParticipation.csv")).unwrap(),
                "CEParticipation.csv",
                "",
                "missing",
            ),
        ];
        let mut failures = Vec::new();
        for (i, (rule, break_it, file, column, text)) in cases.into_iter().enumerate() {
            let dir = golden_copy(&format!("case{i}"));
            break_it(&dir);
            let report = validate_dir(&dir, &mut |_| {}).unwrap();
            std::fs::remove_dir_all(&dir).unwrap();
            let found = report
                .violations
                .iter()
                .any(|v| v.file == file && v.column == column && v.message.contains(text));
            if !found {
                failures.push(format!(
                    "{rule}: expected {file} {column} “{text}”, got {:#?}",
                    report.violations
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }

    #[test]
    fn ids_are_compact_but_exact() {
        assert_eq!(key("42"), Key::Number(42));
        assert_eq!(
            key("042"),
            Key::Text("042".into()),
            "a leading zero is another ID"
        );
        assert_ne!(key("9f3c"), key("9F3C"));
    }
}

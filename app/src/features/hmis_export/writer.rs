//! Writes the HMIS CSV files of one export from the database, row by row (memory stays flat
//! whatever the size), inside one REPEATABLE READ transaction so every file sees the same
//! moment.
//!
//! Which records: the CoC's projects (with their organizations, ProjectCoC and CE
//! participation rows); the enrollments of those projects that were active in the period
//! (reporting period) or changed in it (updated), widened to whole households so each has its
//! head; their clients, exits and CE events; and every user those rows name.

use super::files::ExportFiles;
use super::format::{encode_row, write_header, Field};
use super::spec::{
    FileSpec, Kind, CE_PARTICIPATION, CLIENT, CSV_VERSION, ENROLLMENT, EVENT_FILE, EXIT, EXPORT,
    ORGANIZATION, PROJECT, PROJECT_COC, USER,
};
use crate::domain::export::{ExportPeriodType, ExportRequest};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::{postgres::PgRow, PgConnection, Row};
use std::collections::BTreeSet;
use std::io::{BufWriter, Write};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("file: {0}")]
    File(#[from] std::io::Error),
    /// Another instance took the export over (this one's heartbeat had stopped), or a
    /// shutdown put it back in the queue: this run records nothing.
    #[error("the export's claim was lost")]
    ClaimLost,
}

/// Who and what the Export.csv row describes.
#[derive(Debug, Clone)]
pub struct ExportHeader {
    pub export_id: String,
    pub request: ExportRequest,
    /// When the export started (ExportDate).
    pub exported_at: DateTime<Utc>,
    pub coc_name: String,
    pub contact_first: Option<String>,
    pub contact_last: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub implementation_id: String,
    /// The user named on records the system wrote.
    pub system_user: i64,
}

/// Clock conversions: stored instants to the CoC's local time, and local days to instants.
#[derive(Clone, Copy)]
pub struct Clock {
    pub local: fn(DateTime<Utc>) -> NaiveDateTime,
    pub midnight: fn(NaiveDate) -> DateTime<Utc>,
}

impl Clock {
    /// The server's time zone.
    pub fn server() -> Self {
        Clock {
            local: |t| t.with_timezone(&chrono::Local).naive_local(),
            midnight: |d| {
                use chrono::TimeZone;
                let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
                chrono::Local
                    .from_local_datetime(&midnight)
                    .earliest()
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or_else(|| midnight.and_utc())
            },
        }
    }

    /// UTC throughout (tests, so golden files do not depend on the machine's zone).
    pub fn utc() -> Self {
        Clock {
            local: |t| t.naive_utc(),
            midnight: |d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
        }
    }
}

/// What the writer reports while it works. The `Total`s add up to the rows written, the
/// `Rows` too, and `Total` comes first: a running sum of `Rows` never passes that of `Total`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// This many more rows to write (User.csv's are known only when the others are written).
    Total(u64),
    /// Now writing this file.
    File(&'static str),
    /// This many more rows written.
    Rows(u64),
}

/// One file's query: the SQL expression of each column (the others are null), after `from`.
struct FileQuery {
    spec: &'static FileSpec,
    columns: Vec<(&'static str, String)>,
    from: String,
    order: &'static str,
}

/// The metadata columns of a row of table alias `a`.
fn metadata(a: &str) -> Vec<(&'static str, String)> {
    vec![
        ("DateCreated", format!("{a}.created_at")),
        ("DateUpdated", format!("{a}.updated_at")),
        (
            "UserID",
            format!("coalesce({a}.updated_by, {a}.created_by, params.system_user)"),
        ),
        ("DateDeleted", format!("{a}.deleted_at")),
    ]
}

/// Rows of alias `a` that belong in the export: live ones, and in an Updated export also those
/// deleted in the period (with DateDeleted).
fn present(a: &str) -> String {
    format!(
        "({a}.deleted_at is null or (params.updated and {a}.deleted_at >= params.range_start and {a}.deleted_at < params.range_end))"
    )
}

/// Parameters every query shares: $1 ExportID, $2 system user, $3/$4 the period as instants,
/// $5 whether the period is Updated, $6 the users of User.csv.
const PARAMS: &str = "with params as (select $1::text as export_id, $2::bigint as system_user,
    $3::timestamptz as range_start, $4::timestamptz as range_end, $5::boolean as updated, $6::bigint[] as users)";

impl FileQuery {
    fn new(
        spec: &'static FileSpec,
        columns: &[(&'static str, &str)],
        alias: &str,
        from: &str,
        order: &'static str,
    ) -> Self {
        let mut all: Vec<(&'static str, String)> =
            columns.iter().map(|(c, e)| (*c, e.to_string())).collect();
        if !alias.is_empty() {
            all.extend(metadata(alias));
        }
        FileQuery {
            spec,
            columns: all,
            from: from.to_string(),
            order,
        }
    }

    fn select(&self) -> String {
        let list: Vec<String> = self
            .spec
            .columns
            .iter()
            .map(|column| {
                let expr = match column.name {
                    "ExportID" => "params.export_id".to_string(),
                    name => self
                        .columns
                        .iter()
                        .find(|(c, _)| *c == name)
                        .map(|(_, e)| e.clone())
                        .unwrap_or_else(|| "null".to_string()),
                };
                let cast = match column.kind {
                    Kind::Text(_) => "text",
                    Kind::Int(_) => "bigint",
                    Kind::Date => "date",
                    Kind::DateTime => "timestamptz",
                };
                format!("({expr})::{cast}")
            })
            .collect();
        format!(
            "{PARAMS} select {} from params cross join {} order by {}",
            list.join(", "),
            self.from,
            self.order
        )
    }

    fn count(&self) -> String {
        format!(
            "{PARAMS} select count(*) from params cross join {}",
            self.from
        )
    }
}

fn queries() -> Vec<FileQuery> {
    let live_cp = present("cp");
    let live_x = present("x");
    vec![
        FileQuery::new(
            &ORGANIZATION,
            &[
                ("OrganizationID", "o.id"),
                ("OrganizationName", "o.name"),
                ("VictimServiceProvider", "o.victim_service_provider"),
                ("OrganizationCommonName", "o.common_name"),
            ],
            "o",
            "organizations o where o.id in (select p.organization_id from projects p join x_projects xp on xp.id = p.id)",
            "o.id",
        ),
        FileQuery::new(
            &PROJECT,
            &[
                ("ProjectID", "p.id"),
                ("OrganizationID", "p.organization_id"),
                ("ProjectName", "p.name"),
                ("ProjectCommonName", "p.common_name"),
                ("OperatingStartDate", "p.operating_start_date"),
                ("OperatingEndDate", "p.operating_end_date"),
                ("ContinuumProject", "p.continuum_project"),
                ("ProjectType", "p.project_type"),
                ("HousingType", "p.housing_type"),
                ("RRHSubType", "p.rrh_sub_type"),
                ("ResidentialAffiliation", "p.residential_affiliation"),
                ("TargetPopulation", "p.target_population"),
            ],
            "p",
            "projects p join x_projects xp on xp.id = p.id",
            "p.id",
        ),
        FileQuery::new(
            &PROJECT_COC,
            &[
                ("ProjectCoCID", "p.id"),
                ("ProjectID", "p.id"),
                ("CoCCode", "p.coc_code"),
                ("Geocode", "p.geocode"),
                ("Address1", "p.address1"),
                ("Address2", "p.address2"),
                ("City", "p.city"),
                ("State", "p.state"),
                ("ZIP", "p.zip"),
                ("GeographyType", "p.geography_type"),
            ],
            "p",
            "projects p join x_projects xp on xp.id = p.id",
            "p.id",
        ),
        FileQuery::new(
            &CE_PARTICIPATION,
            &[
                ("CEParticipationID", "cp.id"),
                ("ProjectID", "cp.project_id"),
                ("AccessPoint", "cp.access_point"),
                ("PreventionAssessment", "cp.prevention_assessment"),
                ("CrisisAssessment", "cp.crisis_assessment"),
                ("HousingAssessment", "cp.housing_assessment"),
                ("DirectServices", "cp.direct_services"),
                ("ReceivesReferrals", "cp.receives_referrals"),
                ("CEParticipationStatusStartDate", "cp.start_date"),
                ("CEParticipationStatusEndDate", "cp.end_date"),
            ],
            "cp",
            &format!("ce_participations cp join x_projects xp on xp.id = cp.project_id where {live_cp}"),
            "cp.id",
        ),
        FileQuery::new(
            &CLIENT,
            &[
                ("PersonalID", "c.id"),
                ("FirstName", "c.first_name"),
                ("MiddleName", "c.middle_name"),
                ("LastName", "c.last_name"),
                ("NameSuffix", "c.name_suffix"),
                ("NameDataQuality", "c.name_data_quality"),
                // A placeholder SSN is exported as null (CSV General Rules).
                ("SSN", "case when c.ssn ~ '^0{9}$' then null else c.ssn end"),
                ("SSNDataQuality", "c.ssn_data_quality"),
                ("DOB", "c.dob"),
                ("DOBDataQuality", "c.dob_data_quality"),
                ("Sex", "c.sex"),
                ("AmIndAKNative", "c.am_ind_ak_native"),
                ("Asian", "c.asian"),
                ("BlackAfAmerican", "c.black_af_american"),
                ("HispanicLatinao", "c.hispanic_latinao"),
                ("MidEastNAfrican", "c.mid_east_n_african"),
                ("NativeHIPacific", "c.native_hi_pacific"),
                ("White", "c.white"),
                ("RaceNone", "c.race_none"),
                ("AdditionalRaceEthnicity", "c.additional_race_ethnicity"),
                ("VeteranStatus", "c.veteran_status"),
            ],
            "c",
            "clients c where c.id in (select e.client_id from enrollments e join x_enrollments xe on xe.id = e.id)",
            "c.id",
        ),
        FileQuery::new(
            &ENROLLMENT,
            &[
                ("EnrollmentID", "e.id"),
                ("PersonalID", "e.client_id"),
                ("ProjectID", "e.project_id"),
                ("EntryDate", "e.entry_date"),
                // S32: the UUID's 32 hex digits.
                ("HouseholdID", "replace(e.household_id::text, '-', '')"),
                ("RelationshipToHoH", "e.relationship_to_hoh"),
                ("EnrollmentCoC", "e.enrollment_coc"),
                ("LivingSituation", "e.living_situation"),
                ("RentalSubsidyType", "e.rental_subsidy_type"),
                ("LengthOfStay", "e.length_of_stay"),
                ("LOSUnderThreshold", "e.los_under_threshold"),
                ("PreviousStreetESSH", "e.previous_street_essh"),
                ("DateToStreetESSH", "e.date_to_street_essh"),
                ("TimesHomelessPastThreeYears", "e.times_homeless_past_three_years"),
                ("MonthsHomelessPastThreeYears", "e.months_homeless_past_three_years"),
                ("DisablingCondition", "e.disabling_condition"),
                ("MoveInDate", "e.move_in_date"),
            ],
            "e",
            "enrollments e join x_enrollments xe on xe.id = e.id",
            "e.id",
        ),
        FileQuery::new(
            &EXIT,
            &[
                ("ExitID", "x.id"),
                ("EnrollmentID", "x.enrollment_id"),
                ("PersonalID", "e.client_id"),
                ("ExitDate", "x.exit_date"),
                ("Destination", "x.destination"),
                ("DestinationSubsidyType", "x.destination_subsidy_type"),
                ("OtherDestination", "x.other_destination"),
            ],
            "x",
            &format!(
                "exits x join x_enrollments xe on xe.id = x.enrollment_id join enrollments e on e.id = x.enrollment_id where {live_x}"
            ),
            "x.id",
        ),
        FileQuery::new(
            &EVENT_FILE,
            &[
                ("EventID", "ev.id"),
                ("EnrollmentID", "ev.enrollment_id"),
                ("PersonalID", "ev.client_id"),
                ("EventDate", "ev.event_date"),
                ("Event", "ev.event"),
                ("ProbSolDivRRResult", "ev.prob_sol_div_rr_result"),
                ("ReferralCaseManageAfter", "ev.referral_case_manage_after"),
                ("LocationCrisisOrPHHousing", "ev.location_crisis_or_ph_housing"),
                ("ReferralResult", "ev.referral_result"),
                ("ResultDate", "ev.result_date"),
            ],
            "ev",
            "ce_events ev join x_enrollments xe on xe.id = ev.enrollment_id
             where case when params.updated
                        then (ev.updated_at >= params.range_start and ev.updated_at < params.range_end)
                          or (ev.deleted_at >= params.range_start and ev.deleted_at < params.range_end)
                        else ev.deleted_at is null end",
            "ev.id",
        ),
    ]
}

fn user_query() -> FileQuery {
    FileQuery::new(
        &USER,
        &[
            ("UserID", "u.id"),
            ("UserFirstName", "u.first_name"),
            ("UserLastName", "u.last_name"),
            ("UserPhone", "u.phone"),
            ("UserEmail", "u.email"),
            ("DateCreated", "u.created_at"),
            ("DateUpdated", "u.updated_at"),
            ("DateDeleted", "u.deleted_at"),
        ],
        "",
        "users u where u.id = any(params.users)",
        "u.id",
    )
}

/// Fills the temporary tables of the export's enrollments and projects.
async fn select_records(
    conn: &mut PgConnection,
    request: &ExportRequest,
    range: (DateTime<Utc>, DateTime<Utc>),
) -> Result<(), sqlx::Error> {
    sqlx::query("create temporary table x_enrollments (id bigint primary key) on commit drop")
        .execute(&mut *conn)
        .await?;
    sqlx::query("create temporary table x_projects (id bigint primary key) on commit drop")
        .execute(&mut *conn)
        .await?;
    let (households, members, projects) = match request.period_type {
        // Enrollments active in the period: started by its end, not exited before its start.
        ExportPeriodType::ReportingPeriod => (
            "select e.household_id from enrollments e join projects p on p.id = e.project_id
               left join exits x on x.enrollment_id = e.id and x.deleted_at is null
              where p.coc_code = $1 and e.deleted_at is null and e.entry_date <= $3::date
                and (x.exit_date is null or x.exit_date >= $2::date)",
            "e.deleted_at is null",
            "p.deleted_at is null",
        ),
        // Records created, updated or deleted in the period.
        ExportPeriodType::Updated => (
            "select e.household_id from enrollments e join projects p on p.id = e.project_id
              where p.coc_code = $1 and (
                    (e.updated_at >= $4 and e.updated_at < $5) or (e.deleted_at >= $4 and e.deleted_at < $5)
                 or exists (select 1 from exits x where x.enrollment_id = e.id and x.updated_at >= $4 and x.updated_at < $5)
                 or exists (select 1 from clients c where c.id = e.client_id and c.updated_at >= $4 and c.updated_at < $5)
                 or exists (select 1 from ce_events ev where ev.enrollment_id = e.id
                              and ((ev.updated_at >= $4 and ev.updated_at < $5) or (ev.deleted_at >= $4 and ev.deleted_at < $5))))",
            "(e.deleted_at is null or (e.deleted_at >= $4 and e.deleted_at < $5))",
            "(p.deleted_at is null or (p.deleted_at >= $4 and p.deleted_at < $5))",
        ),
    };
    let enrollments = format!(
        "insert into x_enrollments
         select e.id from enrollments e join projects p on p.id = e.project_id
          where p.coc_code = $1 and {members} and e.household_id in ({households})"
    );
    let projects = format!(
        "insert into x_projects select p.id from projects p where p.coc_code = $1 and {projects}
         union select e.project_id from enrollments e join x_enrollments xe on xe.id = e.id"
    );
    for sql in [enrollments, projects] {
        sqlx::query(&sql)
            .bind(&request.coc_code)
            .bind(request.start_date)
            .bind(request.end_date)
            .bind(range.0)
            .bind(range.1)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("analyze x_enrollments")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn decode(row: &PgRow, spec: &FileSpec, clock: Clock) -> Result<Vec<Field>, sqlx::Error> {
    spec.columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            Ok(match column.kind {
                Kind::Text(_) => row
                    .try_get::<Option<String>, _>(i)?
                    .filter(|s| !s.is_empty())
                    .map_or(Field::Null, Field::Text),
                Kind::Int(_) => row
                    .try_get::<Option<i64>, _>(i)?
                    .map_or(Field::Null, Field::Int),
                Kind::Date => row
                    .try_get::<Option<NaiveDate>, _>(i)?
                    .map_or(Field::Null, Field::Date),
                Kind::DateTime => row
                    .try_get::<Option<DateTime<Utc>>, _>(i)?
                    .map_or(Field::Null, |t| Field::DateTime((clock.local)(t))),
            })
        })
        .collect()
}

/// The Export.csv row.
fn export_row(header: &ExportHeader, clock: Clock) -> Vec<Field> {
    let text = |v: &Option<String>, max: usize| {
        v.as_ref()
            .filter(|s| !s.is_empty())
            .map_or(Field::Null, |s| Field::Text(s.chars().take(max).collect()))
    };
    let request = &header.request;
    vec![
        Field::Text(header.export_id.clone()),
        Field::Int(1), // SourceType: CoC HMIS
        Field::Text(request.coc_code.clone()),
        text(&Some(header.coc_name.clone()), 50),
        text(&header.contact_first, 50),
        text(&header.contact_last, 50),
        text(&header.contact_phone, 10),
        Field::Null,
        text(&header.contact_email, 320),
        Field::DateTime((clock.local)(header.exported_at)),
        Field::Date(request.start_date),
        Field::Date(request.end_date),
        Field::Text("Threshold".into()),
        Field::Text(env!("CARGO_PKG_VERSION").into()),
        Field::Text(CSV_VERSION.into()),
        Field::Int(request.period_type.code().into()),
        Field::Int(request.period_type.directive().into()),
        Field::Int(1), // HashStatus: unhashed
        Field::Text(header.implementation_id.clone()),
    ]
}

/// Writes one file from its query; collects the UserIDs it names into `users`.
// The export's shared state (connection, folder, header, range, users, clock, progress) is
// passed as it is; folding it into a struct is part of the feature-convention work (#14).
#[allow(clippy::too_many_arguments)]
async fn write_file(
    conn: &mut PgConnection,
    dir: &dyn ExportFiles,
    query: &FileQuery,
    header: &ExportHeader,
    range: (DateTime<Utc>, DateTime<Utc>),
    user_ids: &[i64],
    clock: Clock,
    users: &mut BTreeSet<i64>,
    progress: &mut (dyn FnMut(Step) + Send),
) -> Result<u64, ExportError> {
    progress(Step::File(query.spec.name));
    let mut out = BufWriter::with_capacity(1 << 18, dir.create(query.spec.name)?);
    write_header(&mut out, query.spec)?;
    let sql = query.select();
    let user_column = query
        .spec
        .index("UserID")
        .filter(|_| query.spec.name != USER.name);
    let mut rows = with_export_parameters(&sql, header, range, user_ids).fetch(&mut *conn);
    let mut line = Vec::with_capacity(1024);
    let mut written = 0u64;
    while let Some(row) = rows.try_next().await? {
        let fields = decode(&row, query.spec, clock)?;
        if let Some(Field::Text(id)) = user_column.map(|i| &fields[i]) {
            if let Ok(id) = id.parse() {
                users.insert(id);
            }
        }
        line.clear();
        encode_row(&mut line, &fields);
        out.write_all(&line)?;
        written += 1;
        if written.is_multiple_of(2048) {
            progress(Step::Rows(2048));
        }
    }
    progress(Step::Rows(written % 2048));
    out.flush()?;
    Ok(written)
}

/// The rows `query` will write.
async fn count_rows(
    conn: &mut PgConnection,
    query: &FileQuery,
    header: &ExportHeader,
    range: (DateTime<Utc>, DateTime<Utc>),
    user_ids: &[i64],
) -> Result<u64, sqlx::Error> {
    let sql = query.count();
    let n: i64 = with_export_parameters(&sql, header, range, user_ids)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    Ok(n as u64)
}

/// A file's select or count with the parameters every file query takes: $1 export id, $2 system
/// user, $3..$4 the range, $5 whether the range is of updates, $6 the UserIDs (User.csv).
fn with_export_parameters<'q>(
    sql: &'q str,
    header: &'q ExportHeader,
    range: (DateTime<Utc>, DateTime<Utc>),
    user_ids: &'q [i64],
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    sqlx::query(sql)
        .bind(&header.export_id)
        .bind(header.system_user)
        .bind(range.0)
        .bind(range.1)
        .bind(header.request.period_type == ExportPeriodType::Updated)
        .bind(user_ids)
}

/// Writes every file of the export into `dir`. `conn` must be inside a
/// transaction (REPEATABLE READ, so all files see one moment). Returns the rows per file.
pub async fn write_files(
    conn: &mut PgConnection,
    header: &ExportHeader,
    clock: Clock,
    dir: &dyn ExportFiles,
    progress: &mut (dyn FnMut(Step) + Send),
) -> Result<Vec<(&'static str, u64)>, ExportError> {
    let request = &header.request;
    let range = (
        (clock.midnight)(request.start_date),
        (clock.midnight)(request.end_date + chrono::Duration::days(1)),
    );
    select_records(conn, request, range).await?;

    let files = queries();
    // Export.csv's one row, and each file's rows counted by its own query's `from`.
    let mut total = 1u64;
    for query in &files {
        total += count_rows(conn, query, header, range, &[]).await?;
    }
    progress(Step::Total(total));

    let mut counts = Vec::new();
    progress(Step::File(EXPORT.name));
    let mut out = BufWriter::new(dir.create(EXPORT.name)?);
    write_header(&mut out, &EXPORT)?;
    let mut line = Vec::new();
    encode_row(&mut line, &export_row(header, clock));
    out.write_all(&line)?;
    out.flush()?;
    counts.push((EXPORT.name, 1));
    progress(Step::Rows(1));

    let mut users = BTreeSet::new();
    for query in &files {
        let n = write_file(
            conn,
            dir,
            query,
            header,
            range,
            &[],
            clock,
            &mut users,
            progress,
        )
        .await?;
        counts.push((query.spec.name, n));
    }
    let user_ids: Vec<i64> = users.into_iter().collect();
    let user_query = user_query();
    progress(Step::Total(
        count_rows(conn, &user_query, header, range, &user_ids).await?,
    ));
    let n = write_file(
        conn,
        dir,
        &user_query,
        header,
        range,
        &user_ids,
        clock,
        &mut BTreeSet::new(),
        progress,
    )
    .await?;
    counts.push((USER.name, n));
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::hmis_export::spec::FILES;

    #[test]
    fn every_mapped_column_exists_in_its_file() {
        let mut all = queries();
        all.push(user_query());
        for query in &all {
            for (column, _) in &query.columns {
                assert!(
                    query.spec.index(column).is_some(),
                    "{} has no column {column}",
                    query.spec.name
                );
            }
            assert!(
                query.select().contains("params.export_id"),
                "{}",
                query.spec.name
            );
        }
        let written: Vec<&str> = all
            .iter()
            .map(|q| q.spec.name)
            .chain([EXPORT.name])
            .collect();
        for file in FILES {
            assert!(
                written.contains(&file.name),
                "{} is never written",
                file.name
            );
        }
    }

    #[test]
    fn unmapped_columns_are_typed_nulls() {
        let sql = queries()
            .into_iter()
            .find(|q| q.spec.name == "Exit.csv")
            .unwrap()
            .select();
        assert!(sql.contains("(null)::bigint"));
        assert!(sql.contains("(coalesce(x.updated_by, x.created_by, params.system_user))::text"));
    }
}

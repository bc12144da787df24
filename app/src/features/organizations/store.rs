//! SQL of organization and project administration (server only).

use super::api::{OrganizationRow, ParticipationRow, ProjectSummary};
use crate::domain::codes::{GeographyType, HousingType, ProjectType, RrhSubType, TargetPopulation};
use crate::domain::dates::format_date;
use crate::domain::project::{
    CeParticipationDraft, CeParticipationSettings, EnrollmentSpan, OrganizationDraft,
    OrganizationFacts, OrganizationSettings, ProjectDraft, ProjectFacts, ProjectSettings,
};
use crate::error::AppError;
use chrono::NaiveDate;
use serde_json::{json, Value};
use sqlx::{PgConnection, PgExecutor};

pub async fn cocs(db: impl PgExecutor<'_>) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("select code, name from cocs order by code")
        .fetch_all(db)
        .await
}

pub async fn organizations(db: impl PgExecutor<'_>) -> Result<Vec<OrganizationRow>, sqlx::Error> {
    let rows: Vec<(i64, String, i16, Option<String>, i64, i64)> = sqlx::query_as(
        "select o.id, o.name, o.victim_service_provider, o.ce_for_coc,
                (select count(*) from projects p where p.organization_id = o.id and p.deleted_at is null),
                (select count(distinct m.user_id) from memberships m where m.organization_id = o.id and m.deleted_at is null)
           from organizations o where o.deleted_at is null order by o.name",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, vsp, ce_for_coc, projects, members)| OrganizationRow {
                id,
                name,
                victim_service_provider: vsp == 1,
                ce_for_coc,
                projects,
                members,
            },
        )
        .collect())
}

/// An organization as its form shows it, with its version (`lock`: for update).
pub async fn organization(
    conn: &mut PgConnection,
    id: i64,
    lock: bool,
) -> Result<Option<(i32, OrganizationDraft)>, sqlx::Error> {
    let sql = format!(
        "select version, name, common_name, victim_service_provider, ce_for_coc
           from organizations where id = $1 and deleted_at is null{}",
        if lock { " for update" } else { "" }
    );
    /// Version, name, common name, victim service provider, CE for CoC.
    type OrganizationRow = (i32, String, Option<String>, i16, Option<String>);
    let row: Option<OrganizationRow> = sqlx::query_as(&sql).bind(id).fetch_optional(conn).await?;
    Ok(row.map(|(version, name, common_name, vsp, ce_for_coc)| {
        (
            version,
            OrganizationDraft {
                name,
                common_name: common_name.unwrap_or_default(),
                victim_service_provider: vsp.to_string(),
                ce_for_coc: ce_for_coc.unwrap_or_default(),
            },
        )
    }))
}

/// What the organization rules check against: the CoCs, and the names and CE roles of the
/// other organizations (`own` 0 for a new one).
pub async fn organization_facts(
    conn: &mut PgConnection,
    own: i64,
) -> Result<OrganizationFacts, sqlx::Error> {
    let cocs: Vec<(String,)> = sqlx::query_as("select code from cocs order by code")
        .fetch_all(&mut *conn)
        .await?;
    let others: Vec<(String, Option<String>)> = sqlx::query_as(
        "select name, ce_for_coc from organizations where deleted_at is null and id <> $1",
    )
    .bind(own)
    .fetch_all(&mut *conn)
    .await?;
    Ok(OrganizationFacts {
        cocs: cocs.into_iter().map(|(c,)| c).collect(),
        other_names: others.iter().map(|(n, _)| n.to_lowercase()).collect(),
        ce_taken: others
            .into_iter()
            .filter_map(|(name, coc)| coc.map(|coc| (coc, name)))
            .collect(),
    })
}

pub async fn write_organization(
    conn: &mut PgConnection,
    user: i64,
    id: i64,
    s: &OrganizationSettings,
) -> Result<i64, AppError> {
    let vsp = i16::from(s.victim_service_provider);
    if id == 0 {
        Ok(sqlx::query_scalar(
            "insert into organizations (name, common_name, victim_service_provider, ce_for_coc, created_by, updated_by)
             values ($1, $2, $3, $4, $5, $5) returning id",
        )
        .bind(&s.name)
        .bind(&s.common_name)
        .bind(vsp)
        .bind(&s.ce_for_coc)
        .bind(user)
        .fetch_one(conn)
        .await?)
    } else {
        sqlx::query(
            "update organizations set name = $2, common_name = $3, victim_service_provider = $4, ce_for_coc = $5,
                    version = version + 1, updated_at = now(), updated_by = $6
              where id = $1",
        )
        .bind(id)
        .bind(&s.name)
        .bind(&s.common_name)
        .bind(vsp)
        .bind(&s.ce_for_coc)
        .bind(user)
        .execute(conn)
        .await?;
        Ok(id)
    }
}

/// The organization as people read it, for the audit log.
pub fn organization_snapshot(d: &OrganizationDraft) -> Value {
    let blank = |s: &str| (!s.is_empty()).then(|| s.to_string());
    json!({
        "Organization Name": d.name,
        "Organization Common Name": blank(&d.common_name),
        "Victim Service Provider": d.victim_service_provider == "1",
        "Coordinated Entry organization of": blank(&d.ce_for_coc),
    })
}

fn operating(start: NaiveDate, end: Option<NaiveDate>) -> String {
    format!(
        "{} – {}",
        format_date(start),
        end.map(format_date).unwrap_or_default()
    )
}

/// The organization's projects (all of them for `organization` 0: none).
pub async fn projects_of(
    conn: &mut PgConnection,
    organization: i64,
) -> Result<Vec<ProjectSummary>, sqlx::Error> {
    type Row = (
        i64,
        String,
        Option<i16>,
        String,
        NaiveDate,
        Option<NaiveDate>,
        bool,
        bool,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "select p.id, p.name, p.project_type, p.coc_code, p.operating_start_date, p.operating_end_date,
                exists (select 1 from ce_participations cp where cp.project_id = p.id and cp.deleted_at is null
                          and cp.receives_referrals = 1 and cp.start_date <= current_date
                          and (cp.end_date is null or cp.end_date >= current_date)),
                exists (select 1 from ce_participations cp where cp.project_id = p.id and cp.deleted_at is null
                          and cp.access_point = 1 and cp.start_date <= current_date
                          and (cp.end_date is null or cp.end_date >= current_date))
           from projects p where p.organization_id = $1 and p.deleted_at is null order by p.name",
    )
    .bind(organization)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, t, coc, start, end, receives, access)| ProjectSummary {
                id,
                name,
                project_type: t
                    .and_then(ProjectType::from_code)
                    .map(|t| t.label().to_string())
                    .unwrap_or_else(|| "Not a continuum project".into()),
                coc,
                operating: operating(start, end),
                receives_referrals: receives,
                access_point: access,
            },
        )
        .collect())
}

pub fn new_project_draft(organization: i64) -> ProjectDraft {
    ProjectDraft {
        organization_id: organization.to_string(),
        continuum_project: "1".into(),
        ..Default::default()
    }
}

/// A project as its form shows it, with its version (`lock`: for update).
pub async fn project(
    conn: &mut PgConnection,
    id: i64,
    lock: bool,
) -> Result<Option<(i32, ProjectDraft)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        version: i32,
        organization_id: i64,
        name: String,
        common_name: Option<String>,
        operating_start_date: NaiveDate,
        operating_end_date: Option<NaiveDate>,
        continuum_project: i16,
        project_type: Option<i16>,
        rrh_sub_type: Option<i16>,
        housing_type: Option<i16>,
        residential_affiliation: Option<i16>,
        target_population: Option<i16>,
        coc_code: String,
        geocode: Option<String>,
        address1: Option<String>,
        address2: Option<String>,
        city: Option<String>,
        state: Option<String>,
        zip: Option<String>,
        geography_type: Option<i16>,
    }
    let sql = format!(
        "select version, organization_id, name, common_name, operating_start_date, operating_end_date,
                continuum_project, project_type, rrh_sub_type, housing_type, residential_affiliation,
                target_population, coc_code, geocode, address1, address2, city, state, zip, geography_type
           from projects where id = $1 and deleted_at is null{}",
        if lock { " for update" } else { "" }
    );
    let row: Option<Row> = sqlx::query_as(&sql).bind(id).fetch_optional(conn).await?;
    let code = |c: Option<i16>| c.map(|c| c.to_string()).unwrap_or_default();
    Ok(row.map(|r| {
        (
            r.version,
            ProjectDraft {
                organization_id: r.organization_id.to_string(),
                name: r.name,
                common_name: r.common_name.unwrap_or_default(),
                operating_start_date: r.operating_start_date.to_string(),
                operating_end_date: r
                    .operating_end_date
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                continuum_project: r.continuum_project.to_string(),
                project_type: code(r.project_type),
                rrh_sub_type: code(r.rrh_sub_type),
                housing_type: code(r.housing_type),
                residential_affiliation: code(r.residential_affiliation),
                target_population: code(r.target_population),
                coc_code: r.coc_code,
                geocode: r.geocode.unwrap_or_default(),
                address1: r.address1.unwrap_or_default(),
                address2: r.address2.unwrap_or_default(),
                city: r.city.unwrap_or_default(),
                state: r.state.unwrap_or_default(),
                zip: r.zip.unwrap_or_default(),
                geography_type: code(r.geography_type),
            },
        )
    }))
}

/// (enrollments, CE and non-CE referrals) of a project, deleted ones included: they are part
/// of the HMIS record too.
pub async fn project_usage(
    conn: &mut PgConnection,
    project: i64,
) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "select (select count(*) from enrollments where project_id = $1),
                (select count(*) from ce_events where referred_project_id = $1)
                + (select count(*) from referrals where to_project_id = $1 or from_project_id = $1)",
    )
    .bind(project)
    .fetch_one(conn)
    .await
}

/// What the project rules check against (`project` 0 for a new one).
pub async fn project_facts(
    conn: &mut PgConnection,
    project: i64,
) -> Result<ProjectFacts, sqlx::Error> {
    let organizations: Vec<(i64, String)> =
        sqlx::query_as("select id, name from organizations where deleted_at is null order by name")
            .fetch_all(&mut *conn)
            .await?;
    let cocs: Vec<(String,)> = sqlx::query_as("select code from cocs order by code")
        .fetch_all(&mut *conn)
        .await?;
    let saved: Option<(Option<i16>, String)> =
        sqlx::query_as("select project_type, coc_code from projects where id = $1")
            .bind(project)
            .fetch_optional(&mut *conn)
            .await?;
    let (count, open, first_entry, last_activity): (i64, i64, Option<NaiveDate>, Option<NaiveDate>) = sqlx::query_as(
        "select count(*), count(*) filter (where x.id is null), min(e.entry_date), max(greatest(e.entry_date, x.exit_date))
           from enrollments e left join exits x on x.enrollment_id = e.id and x.deleted_at is null
          where e.project_id = $1 and e.deleted_at is null",
    )
    .bind(project)
    .fetch_one(&mut *conn)
    .await?;
    let participation: Vec<(NaiveDate, Option<NaiveDate>)> = sqlx::query_as(
        "select start_date, end_date from ce_participations where project_id = $1 and deleted_at is null",
    )
    .bind(project)
    .fetch_all(&mut *conn)
    .await?;
    Ok(ProjectFacts {
        organizations,
        cocs: cocs.into_iter().map(|(c,)| c).collect(),
        saved_type: saved.as_ref().and_then(|(t, _)| *t),
        saved_coc: saved.map(|(_, coc)| coc),
        enrollments: EnrollmentSpan {
            count,
            open,
            first_entry,
            last_activity,
        },
        participation,
    })
}

pub async fn write_project(
    conn: &mut PgConnection,
    user: i64,
    id: i64,
    s: &ProjectSettings,
) -> Result<i64, AppError> {
    let sql = if id == 0 {
        "insert into projects (organization_id, name, common_name, operating_start_date, operating_end_date,
            continuum_project, project_type, rrh_sub_type, housing_type, residential_affiliation, target_population,
            coc_code, geocode, address1, address2, city, state, zip, geography_type, created_by, updated_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)
         returning id"
    } else {
        "update projects set organization_id = $1, name = $2, common_name = $3, operating_start_date = $4,
                operating_end_date = $5, continuum_project = $6, project_type = $7, rrh_sub_type = $8,
                housing_type = $9, residential_affiliation = $10, target_population = $11, coc_code = $12,
                geocode = $13, address1 = $14, address2 = $15, city = $16, state = $17, zip = $18,
                geography_type = $19, version = version + 1, updated_at = now(), updated_by = $20
          where id = $21 returning id"
    };
    let query = sqlx::query_scalar(sql)
        .bind(s.organization_id)
        .bind(&s.name)
        .bind(&s.common_name)
        .bind(s.operating_start_date)
        .bind(s.operating_end_date)
        .bind(i16::from(s.continuum_project))
        .bind(s.project_type.map(ProjectType::code))
        .bind(s.rrh_sub_type.map(RrhSubType::code))
        .bind(s.housing_type.map(HousingType::code))
        .bind(s.residential_affiliation.map(i16::from))
        .bind(s.target_population.map(TargetPopulation::code))
        .bind(&s.coc_code)
        .bind(&s.geocode)
        .bind(&s.address1)
        .bind(&s.address2)
        .bind(&s.city)
        .bind(&s.state)
        .bind(&s.zip)
        .bind(s.geography_type.map(GeographyType::code))
        .bind(user);
    let query = if id == 0 { query } else { query.bind(id) };
    Ok(query.fetch_one(conn).await?)
}

/// The project as people read it, for the audit log.
pub fn project_snapshot(d: &ProjectDraft, organization: &str) -> Value {
    let blank = |s: &str| (!s.is_empty()).then(|| s.to_string());
    fn label<T>(
        raw: &str,
        from: fn(i16) -> Option<T>,
        label: fn(T) -> &'static str,
    ) -> Option<&'static str> {
        raw.parse::<i16>().ok().and_then(from).map(label)
    }
    let date = |raw: &str| raw.parse::<NaiveDate>().ok().map(format_date);
    json!({
        "Organization": blank(organization),
        "Project Name": d.name,
        "Project Common Name": blank(&d.common_name),
        "Operating Start Date": date(&d.operating_start_date),
        "Operating End Date": date(&d.operating_end_date),
        "Continuum Project": d.continuum_project == "1",
        "Project Type": label(&d.project_type, ProjectType::from_code, ProjectType::label),
        "RRH Subtype": label(&d.rrh_sub_type, RrhSubType::from_code, RrhSubType::label),
        "Housing Type": label(&d.housing_type, HousingType::from_code, HousingType::label),
        "Affiliated with a residential project": match d.residential_affiliation.as_str() { "1" => Some(true), "0" => Some(false), _ => None },
        "Target Population": label(&d.target_population, TargetPopulation::from_code, TargetPopulation::label),
        "Continuum of Care": d.coc_code,
        "Geocode": blank(&d.geocode),
        "Address": blank(&[d.address1.as_str(), d.address2.as_str(), d.city.as_str(), d.state.as_str(), d.zip.as_str()]
            .iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(", ")),
        "Geography Type": label(&d.geography_type, GeographyType::from_code, GeographyType::label),
    })
}

/// (Operating Start Date, Operating End Date) of a project form as saved.
pub fn operating_dates(d: &ProjectDraft) -> (NaiveDate, Option<NaiveDate>) {
    (
        d.operating_start_date.parse().unwrap_or(NaiveDate::MIN),
        d.operating_end_date.parse().ok(),
    )
}

pub async fn participation(
    conn: &mut PgConnection,
    project: i64,
) -> Result<Vec<ParticipationRow>, sqlx::Error> {
    type Row = (
        i64,
        i32,
        i16,
        Option<i16>,
        Option<i16>,
        Option<i16>,
        Option<i16>,
        i16,
        NaiveDate,
        Option<NaiveDate>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "select id, version, access_point, prevention_assessment, crisis_assessment, housing_assessment,
                direct_services, receives_referrals, start_date, end_date
           from ce_participations where project_id = $1 and deleted_at is null order by start_date, id",
    )
    .bind(project)
    .fetch_all(conn)
    .await?;
    let flag = |v: Option<i16>| if v == Some(1) { "1" } else { "" }.to_string();
    Ok(rows
        .into_iter()
        .map(
            |(id, version, access, prevention, crisis, housing, direct, receives, start, end)| {
                let draft = CeParticipationDraft {
                    access_point: flag(Some(access)),
                    prevention_assessment: flag(prevention),
                    crisis_assessment: flag(crisis),
                    housing_assessment: flag(housing),
                    direct_services: flag(direct),
                    receives_referrals: flag(Some(receives)),
                    start_date: start.to_string(),
                    end_date: end.map(|d| d.to_string()).unwrap_or_default(),
                };
                let mut roles = Vec::new();
                if access == 1 {
                    roles.push("Access point");
                }
                if receives == 1 {
                    roles.push("Receives referrals");
                }
                if roles.is_empty() {
                    roles.push("Not participating");
                }
                ParticipationRow {
                    id,
                    version,
                    summary: format!("{} · {}", operating(start, end), roles.join(", ")),
                    draft,
                }
            },
        )
        .collect())
}

/// The spans of every record but `except` (the one being edited).
pub fn participation_spans(
    records: &[ParticipationRow],
    except: i64,
) -> Vec<(NaiveDate, Option<NaiveDate>)> {
    records
        .iter()
        .filter(|r| r.id != except)
        .filter_map(|r| {
            Some((
                r.draft.start_date.parse().ok()?,
                r.draft.end_date.parse().ok(),
            ))
        })
        .collect()
}

pub fn participation_draft(s: &CeParticipationSettings) -> CeParticipationDraft {
    let flag = |b: bool| if b { "1" } else { "" }.to_string();
    let a = s.assessments.unwrap_or_default();
    CeParticipationDraft {
        access_point: flag(s.access_point),
        prevention_assessment: flag(a[0]),
        crisis_assessment: flag(a[1]),
        housing_assessment: flag(a[2]),
        direct_services: flag(a[3]),
        receives_referrals: flag(s.receives_referrals),
        start_date: s.start_date.to_string(),
        end_date: s.end_date.map(|d| d.to_string()).unwrap_or_default(),
    }
}

/// A CE participation record as people read it, for the audit log.
pub fn participation_snapshot(d: &CeParticipationDraft) -> Value {
    let yes = |v: &str| v == "1";
    let access = yes(&d.access_point);
    let date = |raw: &str| raw.parse::<NaiveDate>().ok().map(format_date);
    json!({
        "CE Participation Status Start Date": date(&d.start_date),
        "CE Participation Status End Date": date(&d.end_date),
        "Access point": access,
        "Prevention assessment": access.then(|| yes(&d.prevention_assessment)),
        "Crisis assessment": access.then(|| yes(&d.crisis_assessment)),
        "Housing assessment": access.then(|| yes(&d.housing_assessment)),
        "Direct services": access.then(|| yes(&d.direct_services)),
        "Receives referrals": yes(&d.receives_referrals),
    })
}

pub async fn write_participation(
    conn: &mut PgConnection,
    user: i64,
    project: i64,
    id: i64,
    s: &CeParticipationSettings,
) -> Result<i64, AppError> {
    let a = s.assessments.map(|a| a.map(i16::from));
    let sql = if id == 0 {
        "insert into ce_participations (project_id, access_point, prevention_assessment, crisis_assessment,
            housing_assessment, direct_services, receives_referrals, start_date, end_date, created_by, updated_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) returning id"
    } else {
        "update ce_participations set access_point = $2, prevention_assessment = $3, crisis_assessment = $4,
                housing_assessment = $5, direct_services = $6, receives_referrals = $7, start_date = $8, end_date = $9,
                version = version + 1, updated_at = now(), updated_by = $10
          where project_id = $1 and id = $11 returning id"
    };
    let query = sqlx::query_scalar(sql)
        .bind(project)
        .bind(i16::from(s.access_point))
        .bind(a.map(|a| a[0]))
        .bind(a.map(|a| a[1]))
        .bind(a.map(|a| a[2]))
        .bind(a.map(|a| a[3]))
        .bind(i16::from(s.receives_referrals))
        .bind(s.start_date)
        .bind(s.end_date)
        .bind(user);
    let query = if id == 0 { query } else { query.bind(id) };
    Ok(query.fetch_one(conn).await?)
}

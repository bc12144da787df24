//! SQL of the guided intake (server only): drafts, the organization's projects, household
//! candidates, and the household's enrollments.

use super::api::HouseholdCandidate;
use crate::domain::access::ActiveContext;
use crate::domain::codes::{RaceCategory, RelationshipToHoH};
use crate::domain::intake::{
    add_member, member_field, IntakeDraft, IntakeProject, MemberDraft, ValidIntake, ValidMember,
};
use crate::domain::names::{display_name, search_terms};
use crate::error::AppError;
use crate::ssr::{audit, auth::Actor, scope, scope::CLIENT_IN_SCOPE};
use chrono::NaiveDate;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};

/// The draft as stored, for its owner.
pub struct StoredDraft {
    pub version: i32,
    pub client_name: String,
    pub ce_event_id: Option<i64>,
    pub ce_event_date: Option<NaiveDate>,
    pub draft: IntakeDraft,
}

/// A client's record as the intake prefills it.
pub struct ClientFacts {
    pub id: i64,
    pub name: String,
    pub dob: Option<NaiveDate>,
    pub sex: Option<i16>,
    pub race: Vec<String>,
    pub race_none: Option<i16>,
    pub veteran_status: i16,
}

type ClientRow = (
    i64,
    Option<String>,
    Option<String>,
    Option<NaiveDate>,
    Option<i16>,
    [i16; 7],
    Option<i16>,
    i16,
);

const CLIENT_COLUMNS: &str = "c.id, c.first_name, c.last_name, c.dob, c.sex,
    c.am_ind_ak_native, c.asian, c.black_af_american, c.native_hi_pacific, c.white,
    c.hispanic_latinao, c.mid_east_n_african, c.race_none, c.veteran_status";

fn client_facts(row: ClientRow) -> ClientFacts {
    let (id, first, last, dob, sex, flags, race_none, veteran_status) = row;
    // Column order above follows the Data Dictionary codes 1–7.
    let race = RaceCategory::ALL
        .iter()
        .zip(flags)
        .filter(|(_, flag)| *flag == 1)
        .map(|(category, _)| category.code().to_string())
        .collect();
    ClientFacts {
        id,
        name: display_name(first.as_deref(), None, last.as_deref(), None),
        dob,
        sex,
        race,
        race_none,
        veteran_status,
    }
}

async fn fetch_clients(
    conn: &mut PgConnection,
    context: &ActiveContext,
    filter: &str,
    bind: impl for<'q> FnOnce(
        sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    )
        -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
) -> Result<Vec<ClientFacts>, sqlx::Error> {
    use sqlx::Row;
    let (org, coc, admin) = scope::binds(context);
    let sql = format!(
        "select {CLIENT_COLUMNS} from clients c
          where c.deleted_at is null and {CLIENT_IN_SCOPE} and {filter}
          order by lower(c.last_name), lower(c.first_name), c.id limit 25"
    );
    let query = bind(sqlx::query(&sql).bind(org).bind(coc).bind(admin));
    let rows = query.fetch_all(conn).await?;
    rows.into_iter()
        .map(|r| {
            Ok(client_facts((
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
                [
                    r.try_get(5)?,
                    r.try_get(6)?,
                    r.try_get(7)?,
                    r.try_get(8)?,
                    r.try_get(9)?,
                    r.try_get(10)?,
                    r.try_get(11)?,
                ],
                r.try_get(12)?,
                r.try_get(13)?,
            )))
        })
        .collect()
}

pub async fn client_in_scope(
    conn: &mut PgConnection,
    context: &ActiveContext,
    client_id: i64,
) -> Result<Option<ClientFacts>, sqlx::Error> {
    Ok(
        fetch_clients(conn, context, "c.id = $4", |q| q.bind(client_id))
            .await?
            .into_iter()
            .next(),
    )
}

/// Projects of the organization an intake may enroll into: operating, not Coordinated Entry
/// (the CE enrollment is the Priority List's, made by the CE organization).
pub async fn intake_projects(
    db: impl PgExecutor<'_>,
    organization_id: i64,
) -> Result<Vec<IntakeProject>, sqlx::Error> {
    /// Id, name, project type, operating start and end, CoC code.
    type ProjectRow = (
        i64,
        String,
        Option<i16>,
        NaiveDate,
        Option<NaiveDate>,
        String,
    );
    let rows: Vec<ProjectRow> = sqlx::query_as(
        "select id, name, project_type, operating_start_date, operating_end_date, coc_code
               from projects
              where organization_id = $1 and deleted_at is null
                and coalesce(project_type, -1) <> 14
              order by name, id",
    )
    .bind(organization_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, project_type, operating_start, operating_end, coc_code)| IntakeProject {
                id,
                name,
                project_type: project_type.unwrap_or(7),
                operating_start,
                operating_end,
                coc_code,
            },
        )
        .collect())
}

/// The project a CE Event referred the client to, when the organization owns it.
pub async fn referred_project(
    db: impl PgExecutor<'_>,
    event_id: i64,
    client_id: i64,
    organization_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "select p.id from ce_events ev join projects p on p.id = ev.referred_project_id
          where ev.id = $1 and ev.client_id = $2 and p.organization_id = $3 and ev.deleted_at is null",
    )
    .bind(event_id)
    .bind(client_id)
    .bind(organization_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// The user's unfinished intake for this client (and CE Event) in this organization.
pub async fn open_draft(
    db: impl PgExecutor<'_>,
    user_id: i64,
    organization_id: i64,
    client_id: i64,
    ce_event_id: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "select id from intake_drafts
          where user_id = $1 and organization_id = $2 and client_id = $3
            and ce_event_id is not distinct from $4 and deleted_at is null
          order by updated_at desc limit 1",
    )
    .bind(user_id)
    .bind(organization_id)
    .bind(client_id)
    .bind(ce_event_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id,)| id))
}

fn member_from(client: &ClientFacts) -> MemberDraft {
    MemberDraft {
        client_id: Some(client.id),
        name: client.name.clone(),
        known_dob: client.dob,
        sex: client.sex.map(|s| s.to_string()).unwrap_or_default(),
        race: client.race.clone(),
        race_none: client.race_none.map(|r| r.to_string()).unwrap_or_default(),
        veteran_status: match client.veteran_status {
            99 => String::new(),
            v => v.to_string(),
        },
        ..Default::default()
    }
}

/// A new draft: the client as head of household, the referred project preselected.
pub fn new_draft(
    client: ClientFacts,
    projects: &[IntakeProject],
    preselected: Option<i64>,
) -> IntakeDraft {
    let project = preselected.and_then(|id| projects.iter().find(|p| p.id == id));
    let mut draft = IntakeDraft {
        project_id: project.map(|p| p.id.to_string()).unwrap_or_default(),
        enrollment_coc: project.map(|p| p.coc_code.clone()).unwrap_or_default(),
        ..Default::default()
    };
    add_member(&mut draft, member_from(&client));
    draft
}

pub async fn insert_draft(
    conn: &mut PgConnection,
    actor: &Actor,
    client_id: i64,
    ce_event_id: Option<i64>,
    draft: &IntakeDraft,
) -> Result<i64, AppError> {
    let context = actor.context()?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into intake_drafts (client_id, organization_id, user_id, ce_event_id, data, created_by, updated_by)
         values ($1, $2, $3, $4, $5, $3, $3) returning id",
    )
    .bind(client_id)
    .bind(context.organization_id)
    .bind(actor.user_id)
    .bind(ce_event_id)
    .bind(sqlx::types::Json(draft))
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        audit::Change {
            action: "intake.start",
            entity: "intake_draft",
            entity_id: Some(id),
            before: None,
            after: Some(json!({ "client_id": client_id, "ce_event_id": ce_event_id })),
        },
    )
    .await?;
    Ok(id)
}

/// The draft, for the user who started it in the organization they are working in; anyone
/// else gets "Not found".
pub async fn load_draft(
    conn: &mut PgConnection,
    actor: &Actor,
    context: &ActiveContext,
    client_id: i64,
    draft_id: i64,
    for_update: bool,
) -> Result<StoredDraft, AppError> {
    let sql = format!(
        "select d.version, c.first_name, c.last_name, d.ce_event_id, d.data, ev.event_date
           from intake_drafts d join clients c on c.id = d.client_id
           left join ce_events ev on ev.id = d.ce_event_id
          where d.id = $1 and d.client_id = $2 and d.user_id = $3 and d.organization_id = $4
            and d.deleted_at is null{}",
        if for_update { " for update of d" } else { "" }
    );
    type Row = (
        i32,
        Option<String>,
        Option<String>,
        Option<i64>,
        sqlx::types::Json<IntakeDraft>,
        Option<NaiveDate>,
    );
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(draft_id)
        .bind(client_id)
        .bind(actor.user_id)
        .bind(context.organization_id)
        .fetch_optional(conn)
        .await?;
    let (version, first, last, ce_event_id, data, ce_event_date) = row.ok_or(AppError::NotFound)?;
    Ok(StoredDraft {
        version,
        client_name: display_name(first.as_deref(), None, last.as_deref(), None),
        ce_event_id,
        ce_event_date,
        draft: data.0,
    })
}

pub async fn update_draft(
    conn: &mut PgConnection,
    actor: &Actor,
    draft_id: i64,
    draft: &IntakeDraft,
) -> Result<i32, AppError> {
    let (version,): (i32,) = sqlx::query_as(
        "update intake_drafts set data = $2, version = version + 1, updated_at = now(), updated_by = $3
          where id = $1 returning version",
    )
    .bind(draft_id)
    .bind(sqlx::types::Json(draft))
    .bind(actor.user_id)
    .fetch_one(&mut *conn)
    .await?;
    // The draft's answers stay out of the audit log; that a draft changed goes in.
    audit::record(
        conn,
        actor,
        audit::Change {
            action: "intake.save",
            entity: "intake_draft",
            entity_id: Some(draft_id),
            before: None,
            after: Some(json!({ "version": version, "step": draft.step })),
        },
    )
    .await?;
    Ok(version)
}

/// Ends a draft (submitted or discarded). Its answers go with it: the row stays (who started
/// it, when it ended) but its data, full SSNs included, is emptied in the same statement.
pub async fn delete_draft(
    conn: &mut PgConnection,
    actor: &Actor,
    draft_id: i64,
    action: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "update intake_drafts set data = '{}'::jsonb, deleted_at = now(), version = version + 1,
                updated_at = now(), updated_by = $2
          where id = $1",
    )
    .bind(draft_id)
    .bind(actor.user_id)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        audit::Change {
            action,
            entity: "intake_draft",
            entity_id: Some(draft_id),
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(())
}

/// A client's open enrollments as the organization may learn them: the ids of its own projects
/// the client is enrolled in (the intake's "already enrolled" rule needs these), and whether the
/// client is also enrolled elsewhere. Another organization's project (a shelter, a victim
/// service provider) is never named.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OpenEnrollments {
    pub own_project_ids: Vec<i64>,
    pub elsewhere: bool,
}

/// Open enrollments (no exit) of the clients, by client, seen from `organization_id`: the
/// other organizations' project ids stay in the database (the query answers only a flag).
pub async fn open_enrollments(
    db: impl PgExecutor<'_>,
    organization_id: i64,
    client_ids: &[i64],
) -> Result<Vec<(i64, OpenEnrollments)>, sqlx::Error> {
    let rows: Vec<(i64, Vec<i64>, bool)> = sqlx::query_as(
        "select e.client_id,
                coalesce(array_agg(distinct e.project_id) filter (where p.organization_id = $2), '{}'),
                bool_or(p.organization_id <> $2)
           from enrollments e join projects p on p.id = e.project_id
          where e.client_id = any($1) and e.deleted_at is null
            and not exists (select 1 from exits x where x.enrollment_id = e.id and x.deleted_at is null)
          group by e.client_id",
    )
    .bind(client_ids)
    .bind(organization_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(client, own_project_ids, elsewhere)| {
            (
                client,
                OpenEnrollments {
                    own_project_ids,
                    elsewhere,
                },
            )
        })
        .collect())
}

fn open_of(open: &[(i64, OpenEnrollments)], client_id: i64) -> OpenEnrollments {
    open.iter()
        .find(|(c, _)| *c == client_id)
        .map(|(_, o)| o.clone())
        .unwrap_or_default()
}

/// Brings existing members' names, dates of birth and open enrollments up to date from the
/// database; a member the organization may no longer see is named as such.
pub async fn refresh_members(
    conn: &mut PgConnection,
    context: &ActiveContext,
    draft: &mut IntakeDraft,
) -> Result<(), AppError> {
    let ids: Vec<i64> = draft.members.iter().filter_map(|m| m.client_id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let clients = fetch_clients(conn, context, "c.id = any($4)", |q| q.bind(ids.clone())).await?;
    let open = open_enrollments(&mut *conn, context.organization_id, &ids).await?;
    for member in draft.members.iter_mut() {
        let Some(id) = member.client_id else { continue };
        match clients.iter().find(|c| c.id == id) {
            Some(client) => {
                member.name = client.name.clone();
                member.known_dob = client.dob;
            }
            None => return Err(AppError::NotFound),
        }
        let open = open_of(&open, id);
        member.open_project_ids = open.own_project_ids;
        member.enrolled_elsewhere = open.elsewhere;
    }
    Ok(())
}

pub async fn candidates(
    conn: &mut PgConnection,
    context: &ActiveContext,
    query: &str,
) -> Result<Vec<HouseholdCandidate>, sqlx::Error> {
    let query = query.trim();
    let clients = match query.parse::<i64>() {
        Ok(id) => fetch_clients(conn, context, "c.id = $4", |q| q.bind(id)).await?,
        Err(_) => {
            let terms = search_terms(query);
            fetch_clients(
                conn,
                context,
                "(select coalesce(bool_and(lower(coalesce(c.first_name, '')) like t || '%'
                                       or lower(coalesce(c.last_name, '')) like t || '%'), true)
                    from unnest($4::text[]) t)",
                |q| q.bind(terms),
            )
            .await?
        }
    };
    let ids: Vec<i64> = clients.iter().map(|c| c.id).collect();
    let open = open_enrollments(&mut *conn, context.organization_id, &ids).await?;
    Ok(clients
        .into_iter()
        .map(|c| {
            let open = open_of(&open, c.id);
            HouseholdCandidate {
                client_id: c.id,
                name: c.name,
                dob: c.dob,
                open_project_ids: open.own_project_ids,
                enrolled_elsewhere: open.elsewhere,
            }
        })
        .collect())
}

/// Creates the new clients and every member's enrollment under one new HouseholdID; existing
/// clients' universal data elements are updated. Answers the head of household's enrollment.
/// Each member is checked against the database (no open enrollment in the project) as it is
/// written, with its client row locked; any failure rolls the whole household back.
pub async fn create_household(
    conn: &mut PgConnection,
    actor: &Actor,
    context: &ActiveContext,
    intake: &ValidIntake,
) -> Result<(i64, i64), AppError> {
    let household = uuid::Uuid::new_v4();
    let mut head = None;
    for (index, member) in intake.members.iter().enumerate() {
        let client_id = match (&member.new_client, member.client_id) {
            (Some(_), _) => insert_client(conn, actor, member).await?,
            (None, Some(id)) => {
                update_client(conn, actor, context, id, member, index).await?;
                id
            }
            (None, None) => return Err(AppError::BadRequest),
        };
        let (open,): (bool,) = sqlx::query_as(
            "select exists (select 1 from enrollments e where e.client_id = $1 and e.project_id = $2
                 and e.deleted_at is null
                 and not exists (select 1 from exits x where x.enrollment_id = e.id and x.deleted_at is null))",
        )
        .bind(client_id)
        .bind(intake.project_id)
        .fetch_one(&mut *conn)
        .await?;
        if open {
            return Err(AppError::field(
                &member_field(index, "enrolled"),
                "This client is already in an open enrollment of this project.",
            ));
        }
        let enrollment_id =
            insert_enrollment(conn, actor, intake, household, client_id, member).await?;
        if member.relationship == RelationshipToHoH::SelfHead {
            head = Some((enrollment_id, client_id));
        }
    }
    head.ok_or(AppError::field(
        "household",
        "Choose one member as Self (Head of Household).",
    ))
}

fn race_flags(member: &ValidMember) -> [i16; 7] {
    let mut flags = [0i16; 7];
    for (i, category) in RaceCategory::ALL.iter().enumerate() {
        flags[i] = i16::from(member.race.contains(category));
    }
    flags
}

async fn insert_client(
    conn: &mut PgConnection,
    actor: &Actor,
    member: &ValidMember,
) -> Result<i64, AppError> {
    let new = member.new_client.as_ref().ok_or(AppError::BadRequest)?;
    let race = race_flags(member);
    let (id,): (i64,) = sqlx::query_as(
        "insert into clients (first_name, last_name, name_data_quality, dob, dob_data_quality, ssn, ssn_data_quality,
            sex, am_ind_ak_native, asian, black_af_american, native_hi_pacific, white, hispanic_latinao,
            mid_east_n_african, race_none, veteran_status, created_by, updated_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)
         returning id",
    )
    .bind(&new.first_name)
    .bind(&new.last_name)
    .bind(new.name_data_quality.code())
    .bind(new.dob)
    .bind(new.dob_data_quality.code())
    .bind(&new.ssn)
    .bind(new.ssn_data_quality.code())
    .bind(member.sex.code())
    .bind(race[0])
    .bind(race[1])
    .bind(race[2])
    .bind(race[3])
    .bind(race[4])
    .bind(race[5])
    .bind(race[6])
    .bind(member.race_none.map(|r| r.code()))
    .bind(member.veteran_status.map_or(99, |v| v.code()))
    .bind(actor.user_id)
    .fetch_one(&mut *conn)
    .await?;
    // The audit row names the new client, never their SSN.
    audit::record(
        conn,
        actor,
        audit::Change {
            action: "client.create",
            entity: "client",
            entity_id: Some(id),
            before: None,
            after: Some(json!({
                "first_name": new.first_name, "last_name": new.last_name,
                "dob": new.dob, "ssn_recorded": new.ssn.is_some(),
            })),
        },
    )
    .await?;
    Ok(id)
}

/// Updates an existing member's client-level universal data elements (race and ethnicity, sex,
/// veteran status for adults), locking the client row for the rest of the transaction.
async fn update_client(
    conn: &mut PgConnection,
    actor: &Actor,
    context: &ActiveContext,
    client_id: i64,
    member: &ValidMember,
    index: usize,
) -> Result<(), AppError> {
    let (org, coc, admin) = scope::binds(context);
    let sql = format!(
        "select c.sex, c.race_none, c.veteran_status from clients c
          where c.id = $4 and c.deleted_at is null and {CLIENT_IN_SCOPE} for update of c"
    );
    let before: Option<(Option<i16>, Option<i16>, i16)> = sqlx::query_as(&sql)
        .bind(org)
        .bind(coc)
        .bind(admin)
        .bind(client_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(before) = before else {
        return Err(AppError::field(
            &member_field(index, "relationship"),
            "This client is not one your organization may see.",
        ));
    };
    let race = race_flags(member);
    sqlx::query(
        "update clients set sex = $2, am_ind_ak_native = $3, asian = $4, black_af_american = $5,
            native_hi_pacific = $6, white = $7, hispanic_latinao = $8, mid_east_n_african = $9,
            race_none = $10, veteran_status = coalesce($11, veteran_status),
            version = version + 1, updated_at = now(), updated_by = $12
          where id = $1",
    )
    .bind(client_id)
    .bind(member.sex.code())
    .bind(race[0])
    .bind(race[1])
    .bind(race[2])
    .bind(race[3])
    .bind(race[4])
    .bind(race[5])
    .bind(race[6])
    .bind(member.race_none.map(|r| r.code()))
    .bind(member.veteran_status.map(|v| v.code()))
    .bind(actor.user_id)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        audit::Change {
            action: "client.update_ude",
            entity: "client",
            entity_id: Some(client_id),
            before: Some(
                json!({ "sex": before.0, "race_none": before.1, "veteran_status": before.2 }),
            ),
            after: Some(json!({
                "sex": member.sex.code(),
                "race": member.race.iter().map(|r| r.code()).collect::<Vec<_>>(),
                "race_none": member.race_none.map(|r| r.code()),
                "veteran_status": member.veteran_status.map(|v| v.code()),
            })),
        },
    )
    .await?;
    Ok(())
}

async fn insert_enrollment(
    conn: &mut PgConnection,
    actor: &Actor,
    intake: &ValidIntake,
    household: uuid::Uuid,
    client_id: i64,
    member: &ValidMember,
) -> Result<i64, AppError> {
    let is_head = member.relationship == RelationshipToHoH::SelfHead;
    let prior = member.prior_living.clone().unwrap_or_default();
    let (id,): (i64,) = sqlx::query_as(
        "insert into enrollments (client_id, project_id, household_id, relationship_to_hoh, entry_date,
            enrollment_coc, living_situation, rental_subsidy_type, length_of_stay, los_under_threshold,
            previous_street_essh, date_to_street_essh, times_homeless_past_three_years,
            months_homeless_past_three_years, disabling_condition, created_by, updated_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)
         returning id",
    )
    .bind(client_id)
    .bind(intake.project_id)
    .bind(household)
    .bind(member.relationship.code())
    .bind(intake.entry_date)
    .bind(is_head.then_some(intake.enrollment_coc.as_str()))
    .bind(prior.living_situation.map(|v| v.code()))
    .bind(prior.rental_subsidy_type.map(|v| v.code()))
    .bind(prior.length_of_stay.map(|v| v.code()))
    .bind(prior.los_under_threshold.map(i16::from))
    .bind(prior.previous_street_essh.map(|v| v.code()))
    .bind(prior.date_to_street_essh)
    .bind(prior.times_homeless.map(|v| v.code()))
    .bind(prior.months_homeless.map(|v| v.code()))
    .bind(member.disabling_condition.code())
    .bind(actor.user_id)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        audit::Change {
            action: "enrollment.create",
            entity: "enrollment",
            entity_id: Some(id),
            before: None,
            after: Some(json!({
                "client_id": client_id, "project_id": intake.project_id,
                "household_id": household, "relationship_to_hoh": member.relationship.code(),
                "entry_date": intake.entry_date,
            })),
        },
    )
    .await?;
    Ok(id)
}

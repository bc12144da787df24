//! SQL of the Enrollment pages (server only).

use super::api::{EnrollmentRow, EnrollmentView, ExitSummary, HouseholdMemberRow};
use crate::domain::access::{ActiveContext, Workgroup};
use crate::domain::codes::{
    LengthOfStay, LivingSituation, NoYesDataNotCollected, NoYesMissing, ProjectType,
    RelationshipToHoH, RentalSubsidyType,
};
use crate::domain::dates::format_date;
use crate::domain::enrollment::{ExitFacts, MoveInFacts, OpenMember, ValidExit};
use crate::domain::intake::{MemberDraft, ValidPriorLiving};
use crate::domain::names::display_name;
use crate::error::AppError;
use crate::ssr::{audit, auth::Actor, scope::CLIENT_IN_SCOPE};
use chrono::NaiveDate;
use serde_json::json;
use sqlx::{PgConnection, PgPool};

/// Which enrollments an organization sees: those of its own projects; the CoC's Coordinated
/// Entry organization also sees CE enrollments of its CoC; administrators see all.
/// Binds: `$1` organization, `$2` CE CoC (or null), `$3` is-administrator; aliases `e`, `p`.
/// A client's CE enrollment is also visible (read-only) to organizations the client is in scope
/// of, so a housing provider sees that the client is on the Priority List.
const ENROLLMENT_VISIBLE: &str = "($3::boolean or p.organization_id = $1
    or ($2::text is not null and p.project_type = 14 and p.coc_code = $2::text)
    or (p.project_type = 14 and exists (select 1 from clients c where c.id = e.client_id and {CLIENT_IN_SCOPE})))";

/// How a household member outside the organization's scope is shown (never by name).
pub const OUT_OF_SCOPE_MEMBER: &str = "a household member in another organization";

fn visible() -> String {
    ENROLLMENT_VISIBLE.replace("{CLIENT_IN_SCOPE}", CLIENT_IN_SCOPE)
}

fn binds(context: &ActiveContext) -> (i64, Option<String>, bool) {
    crate::ssr::scope::binds(context)
}

fn label<T>(code: Option<i16>, from: fn(i16) -> Option<T>, label: fn(T) -> &'static str) -> String {
    code.and_then(from)
        .map(label)
        .unwrap_or("Not collected")
        .to_string()
}

pub async fn list(
    pool: &PgPool,
    context: &ActiveContext,
    client_id: i64,
) -> Result<Vec<EnrollmentRow>, sqlx::Error> {
    let (org, coc, admin) = binds(context);
    let sql = format!(
        "select e.id, p.name, o.name, p.project_type, e.relationship_to_hoh, e.entry_date, e.move_in_date, x.exit_date
           from enrollments e
           join projects p on p.id = e.project_id
           join organizations o on o.id = p.organization_id
           left join exits x on x.enrollment_id = e.id and x.deleted_at is null
          where e.client_id = $4 and e.deleted_at is null and {visible}
          order by e.entry_date desc, e.id desc",
        visible = visible()
    );
    type Row = (
        i64,
        String,
        String,
        Option<i16>,
        i16,
        NaiveDate,
        Option<NaiveDate>,
        Option<NaiveDate>,
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(org)
        .bind(coc)
        .bind(admin)
        .bind(client_id)
        .fetch_all(pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, project, organization, t, rel, entry_date, move_in_date, exit_date)| {
                EnrollmentRow {
                    id,
                    project,
                    organization,
                    project_type: label(t, ProjectType::from_code, ProjectType::label),
                    relationship: label(
                        Some(rel),
                        RelationshipToHoH::from_code,
                        RelationshipToHoH::label,
                    ),
                    entry_date,
                    move_in_date,
                    exit_date,
                    is_coordinated_entry: t == Some(ProjectType::CoordinatedEntry.code()),
                }
            },
        )
        .collect())
}

/// The stored enrollment facts the rules need.
pub struct Stored {
    pub move_in: MoveInFacts,
    pub asks_prior_living: bool,
    pub coc_code: String,
    pub exit: ExitFacts,
    pub household_id: uuid::Uuid,
    pub version: i32,
    pub owner_org: i64,
}

type StoredRow = (
    i32,
    uuid::Uuid,
    Option<i16>,
    i16,
    NaiveDate,
    Option<NaiveDate>,
    Option<NaiveDate>,
    i64,
    Option<NaiveDate>,
    bool,
    String,
);

async fn load(
    conn: &mut PgConnection,
    context: &ActiveContext,
    client_id: i64,
    enrollment_id: i64,
    for_update: bool,
) -> Result<Stored, AppError> {
    let (org, coc, admin) = binds(context);
    let sql = format!(
        "select e.version, e.household_id, p.project_type, e.relationship_to_hoh, e.entry_date,
                e.move_in_date, x.exit_date, p.organization_id, cl.dob, e.living_situation is not null, p.coc_code
           from enrollments e
           join projects p on p.id = e.project_id
           join clients cl on cl.id = e.client_id
           left join exits x on x.enrollment_id = e.id and x.deleted_at is null
          where e.id = $4 and e.client_id = $5 and e.deleted_at is null and {}{}",
        visible(),
        if for_update { " for update of e" } else { "" }
    );
    let row: Option<StoredRow> = sqlx::query_as(&sql)
        .bind(org)
        .bind(coc.clone())
        .bind(admin)
        .bind(enrollment_id)
        .bind(client_id)
        .fetch_optional(&mut *conn)
        .await?;
    let (
        version,
        household_id,
        project_type,
        rel,
        entry_date,
        move_in_date,
        exit_date,
        owner_org,
        dob,
        has_prior_living,
        coc_code,
    ) = row.ok_or(AppError::NotFound)?;
    let is_head = rel == 1;
    // 3.917 is asked of the head of household and adults (no DOB: asked, as at intake).
    let asks_prior_living = is_head
        || has_prior_living
        || dob.is_none_or(|dob| crate::domain::dates::age_on(dob, entry_date) >= 18);
    // The household's other members still enrolled (locked too when the head may exit them).
    // A member the organization may not see is not named (their name stays in the database).
    type Other = (i64, Option<String>, Option<String>, NaiveDate, i16, bool);
    let others: Vec<Other> = sqlx::query_as(&format!(
        "select e.id, case when {CLIENT_IN_SCOPE} then c.first_name end,
                case when {CLIENT_IN_SCOPE} then c.last_name end, e.entry_date, e.relationship_to_hoh,
                {CLIENT_IN_SCOPE}
           from enrollments e join clients c on c.id = e.client_id
          where e.household_id = $4 and e.id <> $5 and e.deleted_at is null
            and not exists (select 1 from exits x where x.enrollment_id = e.id and x.deleted_at is null)
          order by e.id{}",
        if for_update { " for update of e" } else { "" }
    ))
    .bind(org)
    .bind(coc)
    .bind(admin)
    .bind(household_id)
    .bind(enrollment_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Stored {
        asks_prior_living,
        coc_code,
        move_in: MoveInFacts {
            project_type,
            is_head,
            entry_date,
            exit_date,
            move_in_date,
        },
        exit: ExitFacts {
            enrollment_id,
            entry_date,
            is_head,
            already_exited: exit_date.is_some(),
            others_open: others
                .into_iter()
                .map(|(id, first, last, entry_date, rel, in_scope)| OpenMember {
                    enrollment_id: id,
                    name: if in_scope {
                        display_name(first.as_deref(), None, last.as_deref(), None)
                    } else {
                        OUT_OF_SCOPE_MEMBER.to_string()
                    },
                    entry_date,
                    is_head: rel == 1,
                })
                .collect(),
        },
        household_id,
        version,
        owner_org,
    })
}

/// Only the organization running the project records move-in and exits; others who may see
/// the enrollment get "Forbidden", a stale version "Conflict".
pub async fn editable(
    conn: &mut PgConnection,
    context: &ActiveContext,
    client_id: i64,
    enrollment_id: i64,
    version: i32,
) -> Result<Stored, AppError> {
    let stored = load(conn, context, client_id, enrollment_id, true).await?;
    if stored.owner_org != context.organization_id
        || context.workgroup == Workgroup::SystemAdministrator
    {
        return Err(AppError::Forbidden);
    }
    if stored.version != version {
        return Err(AppError::Conflict);
    }
    Ok(stored)
}

pub async fn view(
    conn: &mut PgConnection,
    context: &ActiveContext,
    client_id: i64,
    enrollment_id: i64,
) -> Result<EnrollmentView, AppError> {
    let stored = load(conn, context, client_id, enrollment_id, false).await?;
    type Row = (
        Option<String>,
        Option<String>,
        String,
        Option<i16>,
        i16,
        Option<String>,
        Option<i16>,
        Option<i16>,
        Option<i16>,
        Option<i16>,
        Option<i16>,
        Option<NaiveDate>,
        Option<i16>,
        Option<i16>,
        i16,
        Option<i16>,
    );
    let row: Row = sqlx::query_as(
        "select c.first_name, c.last_name, p.name, p.project_type, e.relationship_to_hoh, e.enrollment_coc,
                e.living_situation, e.rental_subsidy_type, e.length_of_stay, e.los_under_threshold,
                e.previous_street_essh, e.date_to_street_essh, e.times_homeless_past_three_years,
                e.months_homeless_past_three_years, e.disabling_condition, x.destination
           from enrollments e join clients c on c.id = e.client_id join projects p on p.id = e.project_id
           left join exits x on x.enrollment_id = e.id and x.deleted_at is null
          where e.id = $1",
    )
    .bind(enrollment_id)
    .fetch_one(&mut *conn)
    .await?;
    let (
        first,
        last,
        project,
        project_type,
        rel,
        coc,
        living,
        subsidy,
        los,
        _under,
        prev,
        date_street,
        times,
        months,
        disabling,
        destination,
    ) = row;
    let code = |v: Option<i16>| v.map(|v| v.to_string()).unwrap_or_default();
    let answers_draft = MemberDraft {
        disabling_condition: disabling.to_string(),
        living_situation: code(living),
        rental_subsidy_type: code(subsidy),
        length_of_stay: code(los),
        previous_street_essh: code(prev),
        date_to_street_essh: date_street.map(|d| d.to_string()).unwrap_or_default(),
        times_homeless: code(times),
        months_homeless: code(months),
        ..Default::default()
    };
    let owns = stored.owner_org == context.organization_id;
    // For the CE organization exiting the client: the latest Housing Move-in Date among the
    // enrollments it may see and those its referrals from this CE enrollment resulted in. Nobody
    // else is shown another organization's move-in date.
    let suggested_exit_date: Option<NaiveDate> = if project_type == Some(14) && owns {
        let (scope_org, scope_coc, scope_admin) = binds(context);
        sqlx::query_scalar(&format!(
            "select max(e.move_in_date) from enrollments e join projects p on p.id = e.project_id
              where e.client_id = $4 and e.deleted_at is null
                and ({visible}
                     or exists (select 1 from ce_events ev
                                 where ev.enrollment_id = $5 and ev.resulting_enrollment_id = e.id
                                   and ev.deleted_at is null))",
            visible = visible()
        ))
        .bind(scope_org)
        .bind(scope_coc)
        .bind(scope_admin)
        .bind(client_id)
        .bind(enrollment_id)
        .fetch_one(&mut *conn)
        .await?
    } else {
        None
    };
    let exit_unavailable = (project_type == Some(14) && !owns).then(|| format!(
        "Only users working in the {} CoC's Coordinated Entry organization can exit a client from Coordinated Entry. If that Organization is in your Settings list, apply it; if not, ask your Priority List Manager to request that it be added.",
        stored.coc_code
    ));
    let mut answers = vec![(
        "Disabling Condition".to_string(),
        label(
            Some(disabling),
            NoYesMissing::from_code,
            NoYesMissing::label,
        ),
    )];
    if living.is_some() {
        answers.push((
            "Prior Living Situation".into(),
            label(living, LivingSituation::from_code, LivingSituation::label),
        ));
        if subsidy.is_some() {
            answers.push((
                "Rental subsidy type".into(),
                label(
                    subsidy,
                    RentalSubsidyType::from_code,
                    RentalSubsidyType::label,
                ),
            ));
        }
        answers.push((
            "Length of stay".into(),
            label(los, LengthOfStay::from_code, LengthOfStay::label),
        ));
        if prev.is_some() {
            answers.push((
                "Stayed on the streets, ES or SH the night before".into(),
                label(
                    prev,
                    NoYesDataNotCollected::from_code,
                    NoYesDataNotCollected::label,
                ),
            ));
        }
        if let Some(d) = date_street {
            answers.push((
                "Approximate date homelessness started".into(),
                format_date(d),
            ));
        }
        if times.is_some() {
            answers.push((
                "Times homeless in the past three years".into(),
                label(
                    times,
                    crate::domain::codes::TimesHomeless::from_code,
                    crate::domain::codes::TimesHomeless::label,
                ),
            ));
        }
        if months.is_some() {
            answers.push((
                "Months homeless in the past three years".into(),
                label(
                    months,
                    crate::domain::codes::MonthsHomeless::from_code,
                    crate::domain::codes::MonthsHomeless::label,
                ),
            ));
        }
    }
    // The household's members the organization may see; the others are only counted.
    let (scope_org, scope_coc, scope_admin) = binds(context);
    /// Enrollment, client, first and last name, relationship to HoH, entry and exit dates.
    type MemberRow = (
        i64,
        i64,
        Option<String>,
        Option<String>,
        i16,
        NaiveDate,
        Option<NaiveDate>,
    );
    let household: Vec<MemberRow> = sqlx::query_as(&format!(
        "select e.id, e.client_id, c.first_name, c.last_name, e.relationship_to_hoh, e.entry_date, x.exit_date
           from enrollments e join clients c on c.id = e.client_id
           left join exits x on x.enrollment_id = e.id and x.deleted_at is null
          where e.household_id = $4 and e.deleted_at is null and {CLIENT_IN_SCOPE}
          order by (e.relationship_to_hoh <> 1), e.id"
    ))
    .bind(scope_org)
    .bind(scope_coc.clone())
    .bind(scope_admin)
    .bind(stored.household_id)
    .fetch_all(&mut *conn)
    .await?;
    let household_elsewhere: i64 = sqlx::query_scalar(&format!(
        "select count(*) from enrollments e join clients c on c.id = e.client_id
          where e.household_id = $4 and e.deleted_at is null and not {CLIENT_IN_SCOPE}"
    ))
    .bind(scope_org)
    .bind(scope_coc)
    .bind(scope_admin)
    .bind(stored.household_id)
    .fetch_one(&mut *conn)
    .await?;
    let exit = stored.move_in.exit_date.map(|exit_date| ExitSummary {
        exit_date,
        destination: label(
            destination,
            LivingSituation::from_code,
            LivingSituation::label,
        ),
    });
    Ok(EnrollmentView {
        id: enrollment_id,
        version: stored.version,
        client_id,
        client_name: display_name(first.as_deref(), None, last.as_deref(), None),
        project,
        project_type: label(project_type, ProjectType::from_code, ProjectType::label),
        household_id: stored.household_id.simple().to_string(),
        relationship: label(
            Some(rel),
            RelationshipToHoH::from_code,
            RelationshipToHoH::label,
        ),
        entry_date: stored.move_in.entry_date,
        enrollment_coc: coc,
        answers,
        household: household
            .into_iter()
            .map(
                |(id, client, f, l, rel, entry_date, exit_date)| HouseholdMemberRow {
                    enrollment_id: id,
                    client_id: client,
                    name: display_name(f.as_deref(), None, l.as_deref(), None),
                    relationship: label(
                        Some(rel),
                        RelationshipToHoH::from_code,
                        RelationshipToHoH::label,
                    ),
                    entry_date,
                    exit_date,
                },
            )
            .collect(),
        household_elsewhere,
        can_edit: owns && context.workgroup != Workgroup::SystemAdministrator,
        answers_draft,
        asks_prior_living: stored.asks_prior_living,
        project_type_code: project_type,
        exit_unavailable,
        suggested_exit_date,
        move_in: stored.move_in,
        exit,
        exit_facts: stored.exit,
    })
}

pub async fn set_move_in(
    conn: &mut PgConnection,
    actor: &Actor,
    enrollment_id: i64,
    date: NaiveDate,
) -> Result<i32, AppError> {
    let (version,): (i32,) = sqlx::query_as(
        "update enrollments set move_in_date = $2, version = version + 1, updated_at = now(), updated_by = $3
          where id = $1 returning version",
    )
    .bind(enrollment_id)
    .bind(date)
    .bind(actor.user_id)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        audit::Change {
            action: "enrollment.move_in",
            entity: "enrollment",
            entity_id: Some(enrollment_id),
            before: Some(json!({ "move_in_date": null })),
            after: Some(json!({ "move_in_date": date })),
        },
    )
    .await?;
    Ok(version)
}

/// One Exit row per enrollment exiting (one audit row each); answers the new version of the
/// enrollment the form was about.
pub async fn insert_exits(
    conn: &mut PgConnection,
    actor: &Actor,
    enrollment_id: i64,
    exit: &ValidExit,
) -> Result<i32, AppError> {
    let mut version = 0;
    for id in &exit.enrollment_ids {
        let (exit_id,): (i64,) = sqlx::query_as(
            "insert into exits (enrollment_id, exit_date, destination, destination_subsidy_type, other_destination, created_by, updated_by)
             values ($1, $2, $3, $4, $5, $6, $6) returning id",
        )
        .bind(id)
        .bind(exit.exit_date)
        .bind(exit.destination.code())
        .bind(exit.destination_subsidy_type.map(|s| s.code()))
        .bind(&exit.other_destination)
        .bind(actor.user_id)
        .fetch_one(&mut *conn)
        .await?;
        let (v,): (i32,) = sqlx::query_as(
            "update enrollments set version = version + 1, updated_at = now(), updated_by = $2
              where id = $1 returning version",
        )
        .bind(id)
        .bind(actor.user_id)
        .fetch_one(&mut *conn)
        .await?;
        if *id == enrollment_id {
            version = v;
        }
        close_open_ce_referrals(conn, actor, *id, exit_id, exit.exit_date).await?;
        close_transfer_requests(conn, actor, *id).await?;
        audit::record(
            conn,
            actor,
            audit::Change {
                action: "enrollment.exit",
                entity: "enrollment",
                entity_id: Some(*id),
                before: None,
                after: Some(json!({
                    "exit_date": exit.exit_date,
                    "destination": exit.destination.code(),
                    "destination_subsidy_type": exit.destination_subsidy_type.map(|s| s.code()),
                    "with_household_of": (exit.enrollment_ids.len() > 1).then_some(enrollment_id),
                })),
            },
        )
        .await?;
    }
    Ok(version)
}

pub async fn set_answers(
    conn: &mut PgConnection,
    actor: &Actor,
    enrollment_id: i64,
    disabling: NoYesMissing,
    prior: Option<&ValidPriorLiving>,
) -> Result<i32, AppError> {
    let before: (i16, Option<i16>, Option<i16>) = sqlx::query_as(
        "select disabling_condition, living_situation, length_of_stay from enrollments where id = $1",
    )
    .bind(enrollment_id)
    .fetch_one(&mut *conn)
    .await?;
    let p = prior.cloned().unwrap_or_default();
    let (version,): (i32,) = sqlx::query_as(
        "update enrollments set disabling_condition = $2, living_situation = $3, rental_subsidy_type = $4,
            length_of_stay = $5, los_under_threshold = $6, previous_street_essh = $7, date_to_street_essh = $8,
            times_homeless_past_three_years = $9, months_homeless_past_three_years = $10,
            version = version + 1, updated_at = now(), updated_by = $11
          where id = $1 returning version",
    )
    .bind(enrollment_id)
    .bind(disabling.code())
    .bind(p.living_situation.map(|v| v.code()))
    .bind(p.rental_subsidy_type.map(|v| v.code()))
    .bind(p.length_of_stay.map(|v| v.code()))
    .bind(p.los_under_threshold.map(i16::from))
    .bind(p.previous_street_essh.map(|v| v.code()))
    .bind(p.date_to_street_essh)
    .bind(p.times_homeless.map(|v| v.code()))
    .bind(p.months_homeless.map(|v| v.code()))
    .bind(actor.user_id)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        audit::Change {
            action: "enrollment.answers",
            entity: "enrollment",
            entity_id: Some(enrollment_id),
            before: Some(json!({ "disabling_condition": before.0, "living_situation": before.1, "length_of_stay": before.2 })),
            after: Some(json!({
                "disabling_condition": disabling.code(),
                "living_situation": p.living_situation.map(|v| v.code()),
                "length_of_stay": p.length_of_stay.map(|v| v.code()),
            })),
        },
    )
    .await?;
    Ok(version)
}

/// A client who leaves the project no longer asks to be transferred from it: the enrollment's
/// pending transfer requests close with the exit, one audit row each.
async fn close_transfer_requests(
    conn: &mut PgConnection,
    actor: &Actor,
    enrollment_id: i64,
) -> Result<(), AppError> {
    let closed = sqlx::query_scalar!(
        "update transfer_requests set status = 'closed', decided_at = now(), decided_by = $2, version = version + 1
          where enrollment_id = $1 and status = 'requested'
          returning id",
        enrollment_id,
        actor.user_id,
    )
    .fetch_all(&mut *conn)
    .await?;
    for request_id in closed {
        audit::record(
            conn,
            actor,
            audit::Change {
                action: "transfer_closed",
                entity: "transfer_request",
                entity_id: Some(request_id),
                before: Some(json!({ "Status": "requested" })),
                after: Some(json!({ "Status": "closed", "Reason": "The client left the project" })),
            },
        )
        .await?;
    }
    Ok(())
}

/// Exiting a CE enrollment removes the client from the Priority List (which lists open CE
/// enrollments) and closes every CE referral still unresolved on it, one audit row each.
async fn close_open_ce_referrals(
    conn: &mut PgConnection,
    actor: &Actor,
    enrollment_id: i64,
    exit_id: i64,
    exit_date: NaiveDate,
) -> Result<(), AppError> {
    let closed: Vec<(i64,)> = sqlx::query_as(
        "update ce_events set closed_on = $2, closed_by_exit_id = $3, version = version + 1,
                updated_at = now(), updated_by = $4
          where enrollment_id = $1 and referral_result is null and closed_on is null and deleted_at is null
          returning id",
    )
    .bind(enrollment_id)
    .bind(exit_date)
    .bind(exit_id)
    .bind(actor.user_id)
    .fetch_all(&mut *conn)
    .await?;
    for (event_id,) in closed {
        audit::record(
            conn,
            actor,
            audit::Change {
                action: "ce_event.close",
                entity: "ce_event",
                entity_id: Some(event_id),
                before: Some(json!({ "closed_on": null })),
                after: Some(json!({ "closed_on": exit_date, "reason": "Client exited from Coordinated Entry" })),
            },
        )
        .await?;
    }
    Ok(())
}

//! SQL of CE Events (server only). No HTTP here: the server functions in `api.rs` authorize
//! and validate, then call these inside their transaction.

use super::api::{audit_change, CeEventForm, CeEventRow, PriorityListRow, CLIENT_IN_SCOPE};
use crate::domain::access::{ActiveContext, Workgroup};
use crate::domain::ce_event::{
    CeEventDraft, CeEventFacts, CeEventUpdate, EnrollmentOption, ReferralEvent,
};
use crate::domain::codes::{EventType, ProjectType, ReferralResult};
use crate::domain::contact::format_phone;
use crate::domain::dates::format_date;
use crate::error::AppError;
use crate::features::audit::api::HistoryEntry;
use crate::features::clients::api::display_name;
use crate::ssr::{audit, auth::Actor, scope};
use chrono::NaiveDate;
use serde_json::{json, Value};
use sqlx::{PgConnection, PgExecutor, PgPool, Postgres, Transaction};

/// The client's open CE enrollment (head of household) in a CoC's Coordinated Entry project.
pub struct CeEnrollment {
    pub id: i64,
    pub client_id: i64,
    pub entry_date: NaiveDate,
    pub client_name: String,
    pub coc: String,
}

pub async fn open_ce_enrollment(
    db: impl PgExecutor<'_>,
    client_id: i64,
    coc: &str,
) -> Result<Option<CeEnrollment>, sqlx::Error> {
    let row: Option<(i64, NaiveDate, Option<String>, Option<String>)> = sqlx::query_as(
        "select e.id, e.entry_date, c.first_name, c.last_name
           from enrollments e
           join projects p on p.id = e.project_id
           join clients c on c.id = e.client_id
          where e.client_id = $1 and p.coc_code = $2 and p.project_type = 14
            and e.relationship_to_hoh = 1 and e.deleted_at is null and c.deleted_at is null
            and not exists (select 1 from exits x where x.enrollment_id = e.id and x.deleted_at is null)
          order by e.entry_date desc limit 1",
    )
    .bind(client_id)
    .bind(coc)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id, entry_date, first, last)| CeEnrollment {
        id,
        client_id,
        entry_date,
        client_name: display_name(first.as_deref(), None, last.as_deref(), None),
        coc: coc.to_string(),
    }))
}

/// Projects of the CoC with a CE Participation record that receives referrals on `on`:
/// (id, name, organization name, project type).
pub async fn referral_targets(
    db: impl PgExecutor<'_>,
    coc: &str,
    on: NaiveDate,
) -> Result<Vec<(i64, String, String, i16)>, sqlx::Error> {
    sqlx::query_as(
        "select p.id, p.name, o.name, p.project_type
           from projects p join organizations o on o.id = p.organization_id
          where p.coc_code = $1 and p.deleted_at is null and o.deleted_at is null and p.project_type is not null
            and (p.operating_end_date is null or p.operating_end_date >= $2)
            and exists (select 1 from ce_participations cp where cp.project_id = p.id and cp.deleted_at is null
                          and cp.receives_referrals = 1 and cp.start_date <= $2
                          and (cp.end_date is null or cp.end_date >= $2))
          order by o.name, p.name",
    )
    .bind(coc)
    .bind(on)
    .fetch_all(db)
    .await
}

pub async fn has_open_referral(
    db: impl PgExecutor<'_>,
    enrollment_id: i64,
    project_id: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "select exists (select 1 from ce_events where enrollment_id = $1 and referred_project_id = $2
                          and referral_result is null and closed_on is null and deleted_at is null)",
    )
    .bind(enrollment_id)
    .bind(project_id)
    .fetch_one(db)
    .await
}

/// Records the referral with the CoC's initial Referral Need Status, its history row and audit.
pub async fn insert_referral(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    enrollment: &CeEnrollment,
    project_id: i64,
    project_name: &str,
    valid: &ReferralEvent,
) -> Result<i64, AppError> {
    let initial: Option<NeedStatus> = sqlx::query_as(&format!(
        "{NEED_STATUS_COLUMNS} where s.coc_code = $1 and s.is_initial and s.deleted_at is null"
    ))
    .bind(&enrollment.coc)
    .fetch_optional(&mut **tx)
    .await?;
    let due = initial
        .as_ref()
        .and_then(|s| s.due_from(crate::ssr::today()));
    let initial = initial.map(|s| s.id);
    let location = valid
        .event
        .takes_location()
        .then(|| format!("{project_name} [{project_id}]"));
    let (id,): (i64,) = sqlx::query_as(
        "insert into ce_events (enrollment_id, client_id, event_date, event, referred_project_id, location_crisis_or_ph_housing,
                                need_status_id, need_status_since, need_status_due, created_by, updated_by)
         values ($1, $2, $3, $4, $5, $6, $7, case when $7::bigint is null then null else now() end, $9, $8, $8)
         returning id",
    )
    .bind(enrollment.id)
    .bind(enrollment.client_id)
    .bind(valid.event_date)
    .bind(valid.event.code())
    .bind(project_id)
    .bind(&location)
    .bind(initial)
    .bind(actor.user_id)
    .bind(due)
    .fetch_one(&mut **tx)
    .await?;
    if let Some(status) = initial {
        sqlx::query(
            "insert into ce_event_need_status_history (ce_event_id, status_id, set_by, organization_id) values ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(status)
        .bind(actor.user_id)
        .bind(actor.context.as_ref().map(|c| c.organization_id))
        .execute(&mut **tx)
        .await?;
    }
    let after = load_event(&mut **tx, id, enrollment.client_id, false)
        .await?
        .map(|e| e.snapshot());
    audit::record(tx, actor, audit_change("create", id, None, after)).await?;
    Ok(id)
}

pub async fn client_name_in_scope(
    pool: &PgPool,
    context: &ActiveContext,
    client_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    let (org, coc, admin) = scope::binds(context);
    let sql = format!(
        "select c.first_name, c.middle_name, c.last_name, c.name_suffix from clients c
          where c.id = $4 and c.deleted_at is null and {CLIENT_IN_SCOPE}"
    );
    /// First, middle and last name, suffix.
    type NameParts = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<NameParts> = sqlx::query_as(&sql)
        .bind(org)
        .bind(coc)
        .bind(admin)
        .bind(client_id)
        .fetch_optional(pool)
        .await?;
    Ok(
        row.map(|(f, m, l, s)| {
            display_name(f.as_deref(), m.as_deref(), l.as_deref(), s.as_deref())
        }),
    )
}

/// A CE event with what authorization and the form need.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredEvent {
    pub id: i64,
    pub version: i32,
    pub client_id: i64,
    pub enrollment_id: i64,
    pub event_date: NaiveDate,
    pub event: i16,
    pub referral_result: Option<i16>,
    pub result_date: Option<NaiveDate>,
    pub referred_project_id: Option<i64>,
    pub date_acknowledged: Option<NaiveDate>,
    pub provider_contact_name: Option<String>,
    pub provider_contact_phone: Option<String>,
    pub provider_contact_email: Option<String>,
    pub resulting_enrollment_id: Option<i64>,
    pub not_housed_reason_id: Option<i64>,
    pub project_name: String,
    pub receiving_org: i64,
    pub project_type: i16,
    pub ce_entry_date: NaiveDate,
    pub ce_exit_date: Option<NaiveDate>,
    pub ce_coc: String,
    pub need_status: Option<String>,
    pub need_status_id: Option<i64>,
    pub need_status_initial: bool,
    pub need_status_due: Option<NaiveDate>,
    pub not_housed_reason: Option<String>,
    pub resulting_enrollment: Option<String>,
    /// Set when the client's exit from Coordinated Entry closed the unresolved referral.
    pub closed_on: Option<NaiveDate>,
}

impl StoredEvent {
    /// Closed: still unresolved when the client was exited from Coordinated Entry (the exit
    /// set `closed_on`; an event of an exited CE enrollment without a result counts too).
    pub fn is_closed(&self) -> bool {
        self.closed_on.is_some() || (self.ce_exit_date.is_some() && self.referral_result.is_none())
    }

    /// Who may see an event: the receiving organization, the CoC's CE organization, and
    /// System Administrators. Everyone else gets "Not found".
    pub fn visible_to(&self, context: &ActiveContext) -> bool {
        context.workgroup == Workgroup::SystemAdministrator
            || self.receiving_org == context.organization_id
            || context.ce_for_coc.as_deref() == Some(self.ce_coc.as_str())
    }

    pub fn event_type(&self) -> EventType {
        EventType::from_code(self.event).unwrap_or(EventType::PermanentSupportiveHousing)
    }

    pub fn facts(&self) -> CeEventFacts {
        CeEventFacts {
            event: self.event_type(),
            event_date: self.event_date,
            date_acknowledged: self.date_acknowledged,
            referral_result: self.referral_result.and_then(ReferralResult::from_code),
            result_date: self.result_date,
            resulting_enrollment_id: self.resulting_enrollment_id,
        }
    }

    /// The event as people read it, for the audit log's before/after.
    pub fn snapshot(&self) -> Value {
        let date = |d: Option<NaiveDate>| d.map(format_date);
        json!({
            "Event Date": format_date(self.event_date),
            "Event": self.event_type().label(),
            "Referred to": self.project_name,
            "Date Referral Acknowledged": date(self.date_acknowledged),
            "Housing Provider Contact Name": self.provider_contact_name,
            "Housing Provider Contact Phone": self.provider_contact_phone.as_deref().map(format_phone),
            "Housing Provider Contact Email": self.provider_contact_email,
            "Referral Result": self.referral_result.and_then(ReferralResult::from_code).map(|r| r.label()),
            "Result Date": date(self.result_date),
            "Resulting Enrollment": self.resulting_enrollment,
            "If Not Housed, Reason": self.not_housed_reason,
            "Referral Need Status": self.need_status,
        })
    }
}

pub async fn load_event(
    db: impl PgExecutor<'_>,
    event_id: i64,
    client_id: i64,
    for_update: bool,
) -> Result<Option<StoredEvent>, sqlx::Error> {
    let sql = format!(
        "select ev.id, ev.version, ev.client_id, ev.enrollment_id, ev.event_date, ev.event, ev.referral_result, ev.result_date,
                ev.referred_project_id, ev.date_referral_acknowledged as date_acknowledged, ev.provider_contact_name,
                ev.provider_contact_phone, ev.provider_contact_email, ev.resulting_enrollment_id, ev.not_housed_reason_id,
                p.name as project_name, p.organization_id as receiving_org, p.project_type,
                ce.entry_date as ce_entry_date, x.exit_date as ce_exit_date, cep.coc_code as ce_coc,
                case when ev.closed_on is not null then 'Closed: exited from Coordinated Entry' else s.name end as need_status,
                ev.need_status_id, coalesce(s.is_initial, false) as need_status_initial,
                ev.need_status_due, r.label as not_housed_reason,
                rp.name || ' (started ' || to_char(re.entry_date, 'MM/DD/YYYY') || ')' as resulting_enrollment,
                ev.closed_on
           from ce_events ev
           join projects p on p.id = ev.referred_project_id
           join enrollments ce on ce.id = ev.enrollment_id
           join projects cep on cep.id = ce.project_id
           left join exits x on x.enrollment_id = ce.id and x.deleted_at is null
           left join referral_need_statuses s on s.id = ev.need_status_id
           left join not_housed_reasons r on r.id = ev.not_housed_reason_id
           left join enrollments re on re.id = ev.resulting_enrollment_id
           left join projects rp on rp.id = re.project_id
          where ev.id = $1 and ev.client_id = $2 and ev.deleted_at is null
          {}",
        if for_update { "for update of ev" } else { "" }
    );
    sqlx::query_as(&sql)
        .bind(event_id)
        .bind(client_id)
        .fetch_optional(db)
        .await
}

pub async fn list_events(
    pool: &PgPool,
    context: &ActiveContext,
    client_id: i64,
) -> Result<Vec<CeEventRow>, sqlx::Error> {
    type Row = (
        i64,
        NaiveDate,
        i16,
        Option<String>,
        Option<String>,
        Option<NaiveDate>,
        Option<i16>,
        Option<NaiveDate>,
        i64,
        String,
        bool,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "select ev.id, ev.event_date, ev.event, p.name,
                case when ev.closed_on is not null then 'Closed: exited from Coordinated Entry' else s.name end,
                ev.date_referral_acknowledged, ev.referral_result,
                ev.result_date, p.organization_id, cep.coc_code, ev.closed_on is not null
           from ce_events ev
           join projects p on p.id = ev.referred_project_id
           join enrollments ce on ce.id = ev.enrollment_id
           join projects cep on cep.id = ce.project_id
           left join referral_need_statuses s on s.id = ev.need_status_id
          where ev.client_id = $1 and ev.deleted_at is null
            and ($4 or p.organization_id = $2 or cep.coc_code = $3)
          order by ev.event_date desc, ev.id desc",
    )
    .bind(client_id)
    .bind(context.organization_id)
    .bind(&context.ce_for_coc)
    .bind(context.workgroup == Workgroup::SystemAdministrator)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                event_date,
                event,
                referred_to,
                need_status,
                date_acknowledged,
                result,
                result_date,
                receiving_org,
                coc,
                closed,
            )| {
                let corrects = context.workgroup == Workgroup::PriorityListManager
                    && context.ce_for_coc.as_deref() == Some(coc.as_str())
                    && result.is_none()
                    && !closed;
                CeEventRow {
                    id,
                    event_date,
                    event: EventType::from_code(event)
                        .map(|e| e.label().to_string())
                        .unwrap_or_default(),
                    referred_to,
                    need_status,
                    date_acknowledged,
                    referral_result: result
                        .and_then(ReferralResult::from_code)
                        .map(|r| r.label().to_string()),
                    result_date,
                    editable: receiving_org == context.organization_id || corrects,
                }
            },
        )
        .collect())
}

/// The Resulting Enrollment pick list: the client's enrollments as head of household in the
/// receiving organization's projects that started on or after the Event Date and are not the
/// result of another event.
pub async fn enrollment_options(
    db: impl PgExecutor<'_>,
    event: &StoredEvent,
) -> Result<Vec<EnrollmentOption>, sqlx::Error> {
    let rows: Vec<(i64, String, NaiveDate)> = sqlx::query_as(
        "select e.id, p.name, e.entry_date
           from enrollments e join projects p on p.id = e.project_id
          where e.client_id = $1 and e.relationship_to_hoh = 1 and e.deleted_at is null
            and p.organization_id = $2 and p.project_type <> 14 and e.entry_date >= $3
            and not exists (select 1 from ce_events o where o.resulting_enrollment_id = e.id
                              and o.id <> $4 and o.deleted_at is null)
          order by e.entry_date desc, e.id desc",
    )
    .bind(event.client_id)
    .bind(event.receiving_org)
    .bind(event.event_date)
    .bind(event.id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, project_name, entry_date)| EnrollmentOption {
            id,
            project_name,
            entry_date,
        })
        .collect())
}

pub async fn reasons(db: impl PgExecutor<'_>) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as("select id, label from not_housed_reasons where active and deleted_at is null order by sort_order, id")
        .fetch_all(db)
        .await
}

pub async fn form(
    pool: &PgPool,
    context: &ActiveContext,
    event: StoredEvent,
    client_name: String,
) -> Result<CeEventForm, AppError> {
    let can_resolve = event.receiving_org == context.organization_id && !event.is_closed();
    let can_correct = !event.is_closed()
        && context.workgroup == Workgroup::PriorityListManager
        && context.ce_for_coc.as_deref() == Some(event.ce_coc.as_str())
        && event.referral_result.is_none();
    let enrollment_options = enrollment_options(pool, &event).await?;
    let reasons = reasons(pool).await?;

    let mut draft = CeEventDraft {
        date_referral_acknowledged: event
            .date_acknowledged
            .map(|d| d.to_string())
            .unwrap_or_default(),
        provider_contact_name: event.provider_contact_name.clone().unwrap_or_default(),
        provider_contact_phone: event
            .provider_contact_phone
            .as_deref()
            .map(format_phone)
            .unwrap_or_default(),
        provider_contact_email: event.provider_contact_email.clone().unwrap_or_default(),
        referral_result: event
            .referral_result
            .map(|r| r.to_string())
            .unwrap_or_default(),
        result_date: event.result_date.map(|d| d.to_string()).unwrap_or_default(),
        resulting_enrollment: event
            .resulting_enrollment_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        not_housed_reason: event
            .not_housed_reason_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
    };
    if can_resolve && event.date_acknowledged.is_none() && event.provider_contact_name.is_none() {
        // Prefill the contact last used for this project.
        let last: Option<(Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
            "select provider_contact_name, provider_contact_phone, provider_contact_email from ce_events
              where referred_project_id = $1 and provider_contact_name is not null and deleted_at is null
              order by updated_at desc limit 1",
        )
        .bind(event.referred_project_id)
        .fetch_optional(pool)
        .await?;
        if let Some((name, phone, email)) = last {
            draft.provider_contact_name = name.unwrap_or_default();
            draft.provider_contact_phone = phone.as_deref().map(format_phone).unwrap_or_default();
            draft.provider_contact_email = email.unwrap_or_default();
        }
    }

    let allowed_events = ProjectType::from_code(event.project_type)
        .map(crate::domain::ce_event::allowed_referral_events)
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.code(), e.label().to_string()))
        .collect();

    let need_status_options = if can_resolve {
        next_statuses(pool, event.need_status_id)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect()
    } else {
        Vec::new()
    };
    let retarget_options = if can_correct && event.date_acknowledged.is_none() {
        referral_targets(pool, &event.ce_coc, crate::ssr::today())
            .await?
            .into_iter()
            .filter_map(super::api::ReferralTarget::from_row)
            .collect()
    } else {
        Vec::new()
    };

    Ok(CeEventForm {
        id: event.id,
        client_id: event.client_id,
        client_name,
        version: event.version,
        facts: event.facts(),
        event_label: event.event_type().label().to_string(),
        referred_project: event.project_name.clone(),
        need_status: event.need_status.clone(),
        draft,
        enrollment_options,
        reasons,
        can_resolve,
        can_correct,
        allowed_events,
        retarget_options,
        need_status_options,
        need_status_due: event.need_status_due,
        history: history(pool, event.id).await?,
    })
}

async fn history(pool: &PgPool, event_id: i64) -> Result<Vec<HistoryEntry>, sqlx::Error> {
    let label = |action: &str| match action {
        "create" => "Referred",
        "save" => "Updated",
        "correct" => "Corrected",
        "need_status" => "Referral Need Status changed",
        _ => "Changed",
    };
    crate::features::audit::api::history(pool, "ce_event", event_id, label).await
}

/// Writes the provider's form, bumping the version, and audits before/after.
pub async fn save_event(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    event: &StoredEvent,
    update: &CeEventUpdate,
    new_status: Option<&NeedStatus>,
) -> Result<i32, AppError> {
    let version: Option<i32> = sqlx::query_scalar(
        "update ce_events
            set date_referral_acknowledged = $3, provider_contact_name = $4, provider_contact_phone = $5,
                provider_contact_email = $6, referral_result = $7, result_date = $8, resulting_enrollment_id = $9,
                not_housed_reason_id = $10, version = version + 1, updated_at = now(), updated_by = $11
          where id = $1 and version = $2 and closed_on is null
          returning version",
    )
    .bind(event.id)
    .bind(event.version)
    .bind(update.date_acknowledged)
    .bind(&update.contact_name)
    .bind(update.contact_phone.as_ref().map(|p| p.digits()))
    .bind(update.contact_email.as_ref().map(|e| e.as_str()))
    .bind(update.referral_result.map(|r| r.code()))
    .bind(update.result_date)
    .bind(update.resulting_enrollment_id)
    .bind(update.not_housed_reason_id)
    .bind(actor.user_id)
    .fetch_optional(&mut **tx)
    .await?;
    let version = version.ok_or(AppError::Conflict)?;
    if let Some(status) = new_status {
        move_need_status(tx, actor, event.id, status).await?;
    }
    record(tx, actor, "save", event).await?;
    Ok(version)
}

/// The PLM's correction of Event Date and Event, and re-targeting to `target` (id, name).
/// Only an open referral changes: one resolved, or closed by the client's exit from
/// Coordinated Entry, is refused by the update itself (the caller holds the row lock and has
/// said why; a row that changed anyway is a conflict).
pub async fn correct_event(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    event: &StoredEvent,
    target: Option<(i64, String)>,
    valid: &ReferralEvent,
) -> Result<i32, AppError> {
    let (project_id, project_name) = target.unwrap_or_else(|| {
        (
            event.referred_project_id.unwrap_or_default(),
            event.project_name.clone(),
        )
    });
    let location = valid
        .event
        .takes_location()
        .then(|| format!("{project_name} [{project_id}]"));
    let version: Option<i32> = sqlx::query_scalar(
        "update ce_events set event_date = $3, event = $4, location_crisis_or_ph_housing = $5,
                referred_project_id = $7, version = version + 1, updated_at = now(), updated_by = $6
          where id = $1 and version = $2 and closed_on is null and referral_result is null
          returning version",
    )
    .bind(event.id)
    .bind(event.version)
    .bind(valid.event_date)
    .bind(valid.event.code())
    .bind(location)
    .bind(actor.user_id)
    .bind(project_id)
    .fetch_optional(&mut **tx)
    .await?;
    let version = version.ok_or(AppError::Conflict)?;
    record(tx, actor, "correct", event).await?;
    Ok(version)
}

async fn record(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    action: &str,
    before: &StoredEvent,
) -> Result<(), AppError> {
    let after = load_event(&mut **tx, before.id, before.client_id, false)
        .await?
        .map(|e| e.snapshot());
    let conn: &mut PgConnection = tx;
    audit::record(
        conn,
        actor,
        audit_change(action, before.id, Some(before.snapshot()), after),
    )
    .await?;
    Ok(())
}

pub async fn priority_list(
    pool: &PgPool,
    coc: &str,
    terms: &[String],
    pending: &str,
    sort: &str,
    page: i64,
    today: NaiveDate,
) -> Result<(Vec<PriorityListRow>, bool), sqlx::Error> {
    let order = match sort {
        "name" => "lower(c.last_name), lower(c.first_name), c.id",
        "last_referral" => "last_referral desc nulls last, c.id",
        _ => "ce.entry_date, c.id", // longest waiting first
    };
    let pending_filter = match pending {
        "yes" => "and pending > 0",
        "no" => "and pending = 0",
        _ => "",
    };
    let sql = format!(
        "select * from (
           select c.id, c.first_name, c.last_name, c.dob, ce.entry_date,
                  (select count(*) from ce_events ev where ev.enrollment_id = ce.id and ev.deleted_at is null
                      and ev.referral_result is null and ev.closed_on is null and ev.event in (10,11,12,13,14,15,17,18)) as pending,
                  (select max(ev.event_date) from ce_events ev where ev.enrollment_id = ce.id and ev.deleted_at is null) as last_referral
             from enrollments ce
             join projects p on p.id = ce.project_id
             join clients c on c.id = ce.client_id
            where p.project_type = 14 and p.coc_code = $1 and ce.relationship_to_hoh = 1
              and ce.deleted_at is null and c.deleted_at is null
              and not exists (select 1 from exits x where x.enrollment_id = ce.id and x.deleted_at is null)
              and not exists (select 1 from ce_events ev where ev.enrollment_id = ce.id and ev.referral_result = 1 and ev.deleted_at is null)
              and (select coalesce(bool_and(lower(coalesce(c.first_name, '')) like t || '%'
                                        or lower(coalesce(c.last_name, '')) like t || '%'), true)
                     from unnest($2::text[]) t)
         ) c
         where true {pending_filter}
         order by {order}
         limit $3 offset $4",
        order = order.replace("ce.entry_date", "c.entry_date")
    );
    type Row = (
        i64,
        Option<String>,
        Option<String>,
        Option<NaiveDate>,
        NaiveDate,
        i64,
        Option<NaiveDate>,
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(coc)
        .bind(terms)
        .bind(super::api::PRIORITY_PAGE_SIZE + 1)
        .bind((page - 1) * super::api::PRIORITY_PAGE_SIZE)
        .fetch_all(pool)
        .await?;
    let has_next = rows.len() as i64 > super::api::PRIORITY_PAGE_SIZE;
    Ok((
        rows.into_iter()
            .take(super::api::PRIORITY_PAGE_SIZE as usize)
            .map(
                |(client_id, first, last, dob, ce_entry_date, pending, last_referral)| {
                    PriorityListRow {
                        client_id,
                        name: display_name(first.as_deref(), None, last.as_deref(), None),
                        dob,
                        ce_entry_date,
                        days_on_list: (today - ce_entry_date).num_days(),
                        pending_referrals: pending,
                        last_referral,
                    }
                },
            )
            .collect(),
        has_next,
    ))
}

/// A Referral Need Status with its timeliness standard.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NeedStatus {
    pub id: i64,
    pub name: String,
    pub is_final: bool,
    pub days_allowed: Option<i32>,
    pub business_days: bool,
    pub holidays: Vec<NaiveDate>,
}

/// A status (alias `s`) with its CoC's holidays, which a business-day standard skips.
const NEED_STATUS_COLUMNS: &str = "select s.id, s.name, s.is_final, s.days_allowed, s.business_days,
            array(select h.holiday from coc_holidays h
                   where h.coc_code = s.coc_code and h.deleted_at is null order by h.holiday) as holidays
       from referral_need_statuses s";

impl NeedStatus {
    /// The due date of a referral entering this status on `since`.
    pub fn due_from(&self, since: NaiveDate) -> Option<NaiveDate> {
        self.days_allowed.map(|days| {
            crate::domain::timeliness::due_date(since, days, self.business_days, &self.holidays)
        })
    }
}

/// The CoC's status a referral moves to on "acknowledged", "successful" or "unsuccessful".
pub async fn status_applying_on(
    db: impl PgExecutor<'_>,
    coc: &str,
    applies_on: &str,
) -> Result<Option<NeedStatus>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{NEED_STATUS_COLUMNS} where s.coc_code = $1 and s.applies_on = $2 and s.deleted_at is null"
    ))
    .bind(coc)
    .bind(applies_on)
    .fetch_optional(db)
    .await
}

/// The statuses allowed to follow `from` (the CoC's configured transitions), in list order.
pub async fn next_statuses(
    db: impl PgExecutor<'_>,
    from: Option<i64>,
) -> Result<Vec<NeedStatus>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{NEED_STATUS_COLUMNS} join referral_need_status_transitions t on t.to_status_id = s.id
          where t.from_status_id = $1 and s.deleted_at is null
          order by s.sort_order, s.id"
    ))
    .bind(from)
    .fetch_all(db)
    .await
}

/// Moves a referral to `status` from today: its due date follows the status's standard, and the
/// change is kept in the status history.
pub async fn move_need_status(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    event_id: i64,
    status: &NeedStatus,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update ce_events set need_status_id = $2, need_status_since = now(), need_status_due = $3 where id = $1",
    )
    .bind(event_id)
    .bind(status.id)
    .bind(status.due_from(crate::ssr::today()))
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "insert into ce_event_need_status_history (ce_event_id, status_id, set_by, organization_id) values ($1, $2, $3, $4)",
    )
    .bind(event_id)
    .bind(status.id)
    .bind(actor.user_id)
    .bind(actor.context.as_ref().map(|c| c.organization_id))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The provider's manual status change, with a version bump and an audit row.
pub async fn change_need_status(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    event: &StoredEvent,
    status: &NeedStatus,
) -> Result<i32, AppError> {
    let version: Option<i32> = sqlx::query_scalar(
        "update ce_events set version = version + 1, updated_at = now(), updated_by = $3
          where id = $1 and version = $2 and closed_on is null returning version",
    )
    .bind(event.id)
    .bind(event.version)
    .bind(actor.user_id)
    .fetch_optional(&mut **tx)
    .await?;
    let version = version.ok_or(AppError::Conflict)?;
    move_need_status(tx, actor, event.id, status).await?;
    record(tx, actor, "need_status", event).await?;
    Ok(version)
}

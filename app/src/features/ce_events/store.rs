//! SQL of CE Events (server only), compile-checked against the migrations (`query!`; the
//! offline data is in `.sqlx/`). No HTTP and no rules here: the server functions in `api.rs`
//! authorize and validate, then call these inside their transaction.

use super::model::{CeEventRow, PendingFilter, PriorityListRow, PrioritySort, PRIORITY_PAGE_SIZE};
use crate::domain::access::{ActiveContext, Workgroup};
use crate::domain::ce_event::{CeEventFacts, CeEventUpdate, EnrollmentOption, ReferralEvent};
use crate::domain::codes::{EventType, ReferralResult};
use crate::domain::contact::format_phone;
use crate::domain::dates::format_date;
use crate::domain::names::display_name;
use crate::error::AppError;
use crate::features::audit::model::HistoryEntry;
use crate::ssr::{audit, auth::Actor};
use chrono::NaiveDate;
use serde_json::{json, Value};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor, Postgres, Transaction};

/// HUD project type 14: the CoC's Coordinated Entry projects.
const COORDINATED_ENTRY: i16 = 14;

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
    let row = sqlx::query!(
        "select e.id, e.entry_date, c.first_name, c.last_name
           from enrollments e
           join projects p on p.id = e.project_id
           join clients c on c.id = e.client_id
          where e.client_id = $1 and p.coc_code = $2 and p.project_type = $3
            and e.relationship_to_hoh = 1 and e.deleted_at is null and c.deleted_at is null
            and not exists (select 1 from exits x where x.enrollment_id = e.id and x.deleted_at is null)
          order by e.entry_date desc limit 1",
        client_id,
        coc,
        COORDINATED_ENTRY,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| CeEnrollment {
        id: r.id,
        client_id,
        entry_date: r.entry_date,
        client_name: display_name(r.first_name.as_deref(), None, r.last_name.as_deref(), None),
        coc: coc.to_string(),
    }))
}

/// A project of the CoC that receives CE referrals.
pub struct TargetProject {
    pub id: i64,
    pub name: String,
    pub organization_id: i64,
    pub organization: String,
    pub project_type: i16,
}

/// Projects of the CoC with a CE Participation record that receives referrals on `on`.
pub async fn referral_targets(
    db: impl PgExecutor<'_>,
    coc: &str,
    on: NaiveDate,
) -> Result<Vec<TargetProject>, sqlx::Error> {
    sqlx::query_as!(
        TargetProject,
        r#"select p.id, p.name, o.id as organization_id, o.name as organization, p.project_type as "project_type!"
             from projects p join organizations o on o.id = p.organization_id
            where p.coc_code = $1 and p.deleted_at is null and o.deleted_at is null and p.project_type is not null
              and (p.operating_end_date is null or p.operating_end_date >= $2)
              and exists (select 1 from ce_participations cp where cp.project_id = p.id and cp.deleted_at is null
                            and cp.receives_referrals = 1 and cp.start_date <= $2
                            and (cp.end_date is null or cp.end_date >= $2))
            order by o.name, p.name"#,
        coc,
        on,
    )
    .fetch_all(db)
    .await
}

pub async fn has_open_referral(
    db: impl PgExecutor<'_>,
    enrollment_id: i64,
    project_id: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from ce_events where enrollment_id = $1 and referred_project_id = $2
                            and referral_result is null and closed_on is null and deleted_at is null) as "open!""#,
        enrollment_id,
        project_id,
    )
    .fetch_one(db)
    .await
}

/// Locks the CE enrollment's row until the transaction ends (referrals to it are one at a time).
pub async fn lock_enrollment(
    tx: &mut Transaction<'_, Postgres>,
    enrollment_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(
        "select id from enrollments where id = $1 for update",
        enrollment_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(())
}

/// The project of the client's open CE referral (unresolved, not closed, of an event that takes
/// a result) or of a return awaiting the Priority List Manager's review, if there is one: HUD
/// 4.20 referrals are one at a time unless the PLM refers anyway.
pub async fn open_referral_elsewhere(
    db: impl PgExecutor<'_>,
    enrollment_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    let takes_result: Vec<i16> = EventType::ALL
        .iter()
        .filter(|e| e.takes_referral_result())
        .map(|e| e.code())
        .collect();
    sqlx::query_scalar!(
        "select p.name from ce_events ev join projects p on p.id = ev.referred_project_id
          where ev.enrollment_id = $1 and ev.deleted_at is null and ev.closed_on is null
            and ((ev.referral_result is null and ev.event = any($2))
                 or exists (select 1 from ce_event_returns r where r.ce_event_id = ev.id and r.decision is null))
          order by ev.event_date desc, ev.id desc limit 1",
        enrollment_id,
        &takes_result,
    )
    .fetch_optional(db)
    .await
}

/// The CE Event's line in the audit log.
fn audit_change(
    action: &str,
    id: i64,
    before: Option<Value>,
    after: Option<Value>,
) -> audit::Change<'_> {
    audit::Change {
        action,
        entity: "ce_event",
        entity_id: Some(id),
        before,
        after,
    }
}

/// Records the referral with the CoC's initial Referral Need Status, its history row and audit.
pub async fn insert_referral(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    enrollment: &CeEnrollment,
    project: &TargetProject,
    valid: &ReferralEvent,
) -> Result<i64, AppError> {
    let initial = initial_status(&mut **tx, &enrollment.coc).await?;
    let due = initial
        .as_ref()
        .and_then(|s| s.due_from(crate::ssr::today()));
    let initial = initial.map(|s| s.id);
    let location = valid
        .event
        .takes_location()
        .then(|| format!("{} [{}]", project.name, project.id));
    let id = sqlx::query_scalar!(
        "insert into ce_events (enrollment_id, client_id, event_date, event, referred_project_id, location_crisis_or_ph_housing,
                                need_status_id, need_status_since, need_status_due, created_by, updated_by)
         values ($1, $2, $3, $4, $5, $6, $7, case when $7::bigint is null then null else now() end, $9, $8, $8)
         returning id",
        enrollment.id,
        enrollment.client_id,
        valid.event_date,
        valid.event.code(),
        project.id,
        location,
        initial,
        actor.user_id,
        due,
    )
    .fetch_one(&mut **tx)
    .await?;
    if let Some(status) = initial {
        record_status_history(tx, actor, id, status).await?;
    }
    let after = load_event(&mut **tx, id, enrollment.client_id)
        .await?
        .map(|e| e.snapshot());
    audit::record(tx, actor, audit_change("create", id, None, after)).await?;
    Ok(id)
}

/// A CE event with what authorization and the form need.
#[derive(Debug, Clone)]
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
    /// A return to Coordinated Entry awaits the PLM's review (the referral is frozen meanwhile).
    pub return_pending: bool,
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

    /// The event after `update` (and the move to `new_status`), labelled as [`load_event`]
    /// labels it, without reading it back.
    pub fn saved(
        &self,
        update: &CeEventUpdate,
        new_status: Option<&NeedStatus>,
        choices: &Choices,
    ) -> StoredEvent {
        let resulting_enrollment = match update.resulting_enrollment_id {
            None => None,
            Some(id) if Some(id) == self.resulting_enrollment_id => {
                self.resulting_enrollment.clone()
            }
            Some(id) => choices.enrollments.iter().find(|e| e.id == id).map(|e| {
                format!(
                    "{} (started {})",
                    e.project_name,
                    e.entry_date.format("%m/%d/%Y")
                )
            }),
        };
        let not_housed_reason = match update.not_housed_reason_id {
            None => None,
            Some(id) if Some(id) == self.not_housed_reason_id => self.not_housed_reason.clone(),
            Some(id) => choices
                .reasons
                .iter()
                .find(|(reason, _)| *reason == id)
                .map(|(_, label)| label.clone()),
        };
        StoredEvent {
            version: self.version + 1,
            date_acknowledged: update.date_acknowledged,
            provider_contact_name: update.contact_name.clone(),
            provider_contact_phone: update
                .contact_phone
                .as_ref()
                .map(|p| p.digits().to_string()),
            provider_contact_email: update
                .contact_email
                .as_ref()
                .map(|e| e.as_str().to_string()),
            referral_result: update.referral_result.map(|r| r.code()),
            result_date: update.result_date,
            resulting_enrollment_id: update.resulting_enrollment_id,
            resulting_enrollment,
            not_housed_reason_id: update.not_housed_reason_id,
            not_housed_reason,
            need_status: match new_status {
                Some(status) => Some(status.name.clone()),
                None => self.need_status.clone(),
            },
            need_status_id: new_status.map(|s| s.id).or(self.need_status_id),
            ..self.clone()
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
) -> Result<Option<StoredEvent>, sqlx::Error> {
    sqlx::query_as!(
        StoredEvent,
        r#"select ev.id, ev.version, ev.client_id, ev.enrollment_id, ev.event_date, ev.event, ev.referral_result, ev.result_date,
                  ev.referred_project_id, ev.date_referral_acknowledged as date_acknowledged, ev.provider_contact_name,
                  ev.provider_contact_phone, ev.provider_contact_email, ev.resulting_enrollment_id, ev.not_housed_reason_id,
                  p.name as project_name, p.organization_id as receiving_org, p.project_type as "project_type!",
                  ce.entry_date as ce_entry_date, x.exit_date as "ce_exit_date?", cep.coc_code as "ce_coc!",
                  case when ev.closed_on is not null then 'Closed: exited from Coordinated Entry' else s.name end as "need_status?",
                  ev.need_status_id, coalesce(s.is_initial, false) as "need_status_initial!",
                  ev.need_status_due, r.label as "not_housed_reason?",
                  rp.name || ' (started ' || to_char(re.entry_date, 'MM/DD/YYYY') || ')' as "resulting_enrollment?",
                  ev.closed_on,
                  exists (select 1 from ce_event_returns rt where rt.ce_event_id = ev.id and rt.decision is null) as "return_pending!"
             from ce_events ev
             join projects p on p.id = ev.referred_project_id
             join enrollments ce on ce.id = ev.enrollment_id
             join projects cep on cep.id = ce.project_id
             left join exits x on x.enrollment_id = ce.id and x.deleted_at is null
             left join referral_need_statuses s on s.id = ev.need_status_id
             left join not_housed_reasons r on r.id = ev.not_housed_reason_id
             left join enrollments re on re.id = ev.resulting_enrollment_id
             left join projects rp on rp.id = re.project_id
            where ev.id = $1 and ev.client_id = $2 and ev.deleted_at is null"#,
        event_id,
        client_id,
    )
    .fetch_optional(db)
    .await
}

/// The event as [`load_event`] reads it, its row locked until the transaction ends.
pub async fn lock_event(
    tx: &mut Transaction<'_, Postgres>,
    event_id: i64,
    client_id: i64,
) -> Result<Option<StoredEvent>, sqlx::Error> {
    // load_event's query with the row lock: one round trip for the lock and the read.
    sqlx::query_as!(
        StoredEvent,
        r#"select ev.id, ev.version, ev.client_id, ev.enrollment_id, ev.event_date, ev.event, ev.referral_result, ev.result_date,
                  ev.referred_project_id, ev.date_referral_acknowledged as date_acknowledged, ev.provider_contact_name,
                  ev.provider_contact_phone, ev.provider_contact_email, ev.resulting_enrollment_id, ev.not_housed_reason_id,
                  p.name as project_name, p.organization_id as receiving_org, p.project_type as "project_type!",
                  ce.entry_date as ce_entry_date, x.exit_date as "ce_exit_date?", cep.coc_code as "ce_coc!",
                  case when ev.closed_on is not null then 'Closed: exited from Coordinated Entry' else s.name end as "need_status?",
                  ev.need_status_id, coalesce(s.is_initial, false) as "need_status_initial!",
                  ev.need_status_due, r.label as "not_housed_reason?",
                  rp.name || ' (started ' || to_char(re.entry_date, 'MM/DD/YYYY') || ')' as "resulting_enrollment?",
                  ev.closed_on,
                  exists (select 1 from ce_event_returns rt where rt.ce_event_id = ev.id and rt.decision is null) as "return_pending!"
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
            for update of ev"#,
        event_id,
        client_id,
    )
    .fetch_optional(&mut **tx)
    .await
}

pub async fn list_events(
    db: impl PgExecutor<'_>,
    context: &ActiveContext,
    client_id: i64,
) -> Result<Vec<CeEventRow>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select ev.id, ev.event_date, ev.event, p.name as referred_to,
                  case when ev.closed_on is not null then 'Closed: exited from Coordinated Entry' else s.name end as "need_status?",
                  ev.date_referral_acknowledged, ev.referral_result,
                  ev.result_date, p.organization_id as receiving_org, cep.coc_code as "coc!",
                  ev.closed_on is not null as "closed!"
             from ce_events ev
             join projects p on p.id = ev.referred_project_id
             join enrollments ce on ce.id = ev.enrollment_id
             join projects cep on cep.id = ce.project_id
             left join referral_need_statuses s on s.id = ev.need_status_id
            where ev.client_id = $1 and ev.deleted_at is null
              and ($4 or p.organization_id = $2 or cep.coc_code = $3)
            order by ev.event_date desc, ev.id desc"#,
        client_id,
        context.organization_id,
        context.ce_for_coc.as_deref(),
        context.workgroup == Workgroup::SystemAdministrator,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let corrects = context.workgroup == Workgroup::PriorityListManager
                && context.ce_for_coc.as_deref() == Some(row.coc.as_str())
                && row.referral_result.is_none()
                && !row.closed;
            CeEventRow {
                id: row.id,
                event_date: row.event_date,
                event: EventType::from_code(row.event)
                    .map(|e| e.label().to_string())
                    .unwrap_or_default(),
                referred_to: Some(row.referred_to),
                need_status: row.need_status,
                date_acknowledged: row.date_referral_acknowledged,
                referral_result: row
                    .referral_result
                    .and_then(ReferralResult::from_code)
                    .map(|r| r.label().to_string()),
                result_date: row.result_date,
                editable: row.receiving_org == context.organization_id || corrects,
            }
        })
        .collect())
}

/// The Resulting Enrollment pick list: the client's enrollments as head of household in the
/// receiving organization's projects that started on or after the Event Date and are not the
/// result of another event.
/// What the CE Event form offers for `event`, read in one round trip: the client's enrollments
/// Resulting Enrollment may name (head of household, in the receiving organization, not
/// Coordinated Entry, started on or after the Event Date, not another referral's result) and
/// the active If Not Housed, Reasons.
pub async fn choices(db: impl PgExecutor<'_>, event: &StoredEvent) -> Result<Choices, sqlx::Error> {
    let row = sqlx::query!(
        r#"select
             coalesce((select json_agg(json_build_object('id', e.id, 'project_name', p.name, 'entry_date', e.entry_date)
                                       order by e.entry_date desc, e.id desc)
                         from enrollments e join projects p on p.id = e.project_id
                        where e.client_id = $1 and e.relationship_to_hoh = 1 and e.deleted_at is null
                          and p.organization_id = $2 and p.project_type <> $5 and e.entry_date >= $3
                          and not exists (select 1 from ce_events o where o.resulting_enrollment_id = e.id
                                            and o.id <> $4 and o.deleted_at is null)),
                      '[]') as "enrollments!: Json<Vec<EnrollmentOption>>",
             coalesce((select json_agg(json_build_array(r.id, r.label) order by r.sort_order, r.id)
                         from not_housed_reasons r where r.active and r.deleted_at is null),
                      '[]') as "reasons!: Json<Vec<(i64, String)>>""#,
        event.client_id,
        event.receiving_org,
        event.event_date,
        event.id,
        COORDINATED_ENTRY,
    )
    .fetch_one(db)
    .await?;
    Ok(Choices {
        enrollments: row.enrollments.0,
        reasons: row.reasons.0,
    })
}

/// The CE Event form's pick lists (see [`choices`]); a save is checked against them.
#[derive(Default)]
pub struct Choices {
    pub enrollments: Vec<EnrollmentOption>,
    /// The active If Not Housed, Reasons: (id, label).
    pub reasons: Vec<(i64, String)>,
}

impl Choices {
    pub fn reason_ids(&self) -> Vec<i64> {
        self.reasons.iter().map(|(id, _)| *id).collect()
    }
}

/// The active If Not Housed, Reason choices: (id, label).
pub async fn reasons(db: impl PgExecutor<'_>) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select id, label from not_housed_reasons where active and deleted_at is null order by sort_order, id"
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.label)).collect())
}

/// The Housing Provider Contact last recorded on a referral to the project.
pub struct Contact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

pub async fn last_contact_for_project(
    db: impl PgExecutor<'_>,
    project_id: Option<i64>,
) -> Result<Option<Contact>, sqlx::Error> {
    sqlx::query_as!(
        Contact,
        "select provider_contact_name as name, provider_contact_phone as phone, provider_contact_email as email
           from ce_events
          where referred_project_id = $1 and provider_contact_name is not null and deleted_at is null
          order by updated_at desc limit 1",
        project_id,
    )
    .fetch_optional(db)
    .await
}

pub async fn history(
    db: impl PgExecutor<'_>,
    event_id: i64,
) -> Result<Vec<HistoryEntry>, sqlx::Error> {
    let label = |action: &str| match action {
        "create" => "Referred",
        "save" => "Updated",
        "correct" => "Corrected",
        "return" => "Returned to Coordinated Entry for rematch",
        "return_confirmed" => "Return confirmed by Coordinated Entry",
        "return_sent_back" => "Return sent back to the provider",
        "need_status" => "Referral Need Status changed",
        _ => "Changed",
    };
    crate::features::audit::store::history(db, "ce_event", event_id, label).await
}

/// Writes the provider's form, bumping the version, and audits before/after.
/// One statement, so it may run outside a transaction: it changes nothing unless the event is
/// still at the version `event` was read at. A need status the save moves to (`new_status`,
/// shown in the audit's "after") is the caller's to apply with [`move_need_status`], in the
/// same transaction.
pub async fn save_event(
    db: impl PgExecutor<'_>,
    actor: &Actor,
    event: &StoredEvent,
    update: &CeEventUpdate,
    new_status: Option<&NeedStatus>,
    choices: &Choices,
) -> Result<i32, AppError> {
    // The update and its audit row in one statement (one round trip, issue 17): the audit's
    // "after" is the locked event with the update applied, as load_event would read it back.
    let after = event.saved(update, new_status, choices).snapshot();
    let context = actor.context.as_ref();
    let version = sqlx::query_scalar!(
        r#"with saved as (
               update ce_events
                  set date_referral_acknowledged = $3, provider_contact_name = $4, provider_contact_phone = $5,
                      provider_contact_email = $6, referral_result = $7, result_date = $8, resulting_enrollment_id = $9,
                      not_housed_reason_id = $10, version = version + 1, updated_at = now(), updated_by = $11
                where id = $1 and version = $2 and closed_on is null
                returning id, version),
           audited as (
               insert into audit_log (user_id, organization_id, workgroup, action, entity, entity_id, before, after)
               select $11, $12, $13, 'save', 'ce_event', saved.id, $14, $15 from saved)
         select version as "version!" from saved"#,
        event.id,
        event.version,
        update.date_acknowledged,
        update.contact_name.as_deref(),
        update.contact_phone.as_ref().map(|p| p.digits()),
        update.contact_email.as_ref().map(|e| e.as_str()),
        update.referral_result.map(|r| r.code()),
        update.result_date,
        update.resulting_enrollment_id,
        update.not_housed_reason_id,
        actor.user_id,
        context.map(|c| c.organization_id),
        context.map(|c| c.workgroup.code()),
        event.snapshot(),
        after,
    )
    .fetch_optional(db)
    .await?;
    version.ok_or(AppError::Conflict)
}

/// The PLM's correction of Event Date and Event, and re-targeting to `target`.
/// Only an open referral changes: one resolved, or closed by the client's exit from
/// Coordinated Entry, is refused by the update itself (the caller holds the row lock and has
/// said why; a row that changed anyway is a conflict).
pub async fn correct_event(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    event: &StoredEvent,
    target: Option<&TargetProject>,
    valid: &ReferralEvent,
) -> Result<i32, AppError> {
    let (project_id, project_name) = match target {
        Some(t) => (t.id, t.name.as_str()),
        None => (
            event.referred_project_id.unwrap_or_default(),
            event.project_name.as_str(),
        ),
    };
    let location = valid
        .event
        .takes_location()
        .then(|| format!("{project_name} [{project_id}]"));
    let version = sqlx::query_scalar!(
        "update ce_events set event_date = $3, event = $4, location_crisis_or_ph_housing = $5,
                referred_project_id = $7, version = version + 1, updated_at = now(), updated_by = $6
          where id = $1 and version = $2 and closed_on is null and referral_result is null
          returning version",
        event.id,
        event.version,
        valid.event_date,
        valid.event.code(),
        location,
        actor.user_id,
        project_id,
    )
    .fetch_optional(&mut **tx)
    .await?;
    let version = version.ok_or(AppError::Conflict)?;
    record(tx, actor, "correct", event).await?;
    Ok(version)
}

/// Audits a change of the event: `before` as it was read under the lock, after as it is now.
pub async fn record(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    action: &str,
    before: &StoredEvent,
) -> Result<(), AppError> {
    let after = load_event(&mut **tx, before.id, before.client_id)
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

/// One page of the CoC's Priority List: clients with an open CE enrollment (head of household)
/// and no successful referral; `has_next` when another page follows.
#[allow(clippy::too_many_arguments)]
pub async fn priority_list(
    db: impl PgExecutor<'_>,
    coc: &str,
    terms: &[String],
    pending: PendingFilter,
    sort: PrioritySort,
    page: i64,
    today: NaiveDate,
) -> Result<(Vec<PriorityListRow>, bool), sqlx::Error> {
    // Pending referrals are those that still await a Referral Result (HUD 4.20.D applies to
    // events 10–15, 17 and 18).
    let takes_result: Vec<i16> = EventType::ALL
        .iter()
        .filter(|e| e.takes_referral_result())
        .map(|e| e.code())
        .collect();
    let rows = sqlx::query!(
        r#"select c.id as "client_id!", c.first_name, c.last_name, c.dob, c.entry_date as "ce_entry_date!",
                  c.pending as "pending!", c.last_referral, c.returns as "returns!", c.return_pending as "return_pending!"
             from (
               select c.id, c.first_name, c.last_name, c.dob, ce.entry_date,
                      (select count(*) from ce_events ev where ev.enrollment_id = ce.id and ev.deleted_at is null
                          and ev.referral_result is null and ev.closed_on is null and ev.event = any($7)) as pending,
                      (select max(ev.event_date) from ce_events ev where ev.enrollment_id = ce.id and ev.deleted_at is null) as last_referral,
                      (select count(*) from ce_event_returns r join ce_events ev on ev.id = r.ce_event_id
                        where ev.enrollment_id = ce.id and ev.deleted_at is null) as returns,
                      exists (select 1 from ce_event_returns r join ce_events ev on ev.id = r.ce_event_id
                        where ev.enrollment_id = ce.id and ev.deleted_at is null and r.decision is null) as return_pending
                 from enrollments ce
                 join projects p on p.id = ce.project_id
                 join clients c on c.id = ce.client_id
                where p.project_type = $8 and p.coc_code = $1 and ce.relationship_to_hoh = 1
                  and ce.deleted_at is null and c.deleted_at is null
                  and not exists (select 1 from exits x where x.enrollment_id = ce.id and x.deleted_at is null)
                  and not exists (select 1 from ce_events ev where ev.enrollment_id = ce.id and ev.referral_result = $9 and ev.deleted_at is null)
                  and (select coalesce(bool_and(lower(coalesce(c.first_name, '')) like t || '%'
                                            or lower(coalesce(c.last_name, '')) like t || '%'), true)
                         from unnest($2::text[]) t)
             ) c
            where $5::boolean is null or (c.pending > 0) = $5
            order by case when $6 = 'name' then lower(c.last_name) end,
                     case when $6 = 'name' then lower(c.first_name) end,
                     case when $6 = 'last_referral' then c.last_referral end desc nulls last,
                     case when $6 = 'waiting' then c.entry_date end,
                     c.id
            limit $3 offset $4"#,
        coc,
        terms,
        PRIORITY_PAGE_SIZE + 1,
        (page - 1) * PRIORITY_PAGE_SIZE,
        pending.wants_pending(),
        sort.key(),
        &takes_result,
        COORDINATED_ENTRY,
        ReferralResult::SuccessfulClientAccepted.code(),
    )
    .fetch_all(db)
    .await?;
    let has_next = rows.len() as i64 > PRIORITY_PAGE_SIZE;
    Ok((
        rows.into_iter()
            .take(PRIORITY_PAGE_SIZE as usize)
            .map(|row| PriorityListRow {
                client_id: row.client_id,
                name: display_name(
                    row.first_name.as_deref(),
                    None,
                    row.last_name.as_deref(),
                    None,
                ),
                dob: row.dob,
                ce_entry_date: row.ce_entry_date,
                days_on_list: (today - row.ce_entry_date).num_days(),
                pending_referrals: row.pending,
                last_referral: row.last_referral,
                returns: row.returns,
                return_pending: row.return_pending,
            })
            .collect(),
        has_next,
    ))
}

/// A Referral Need Status with its timeliness standard (the `need_status_standards` view).
#[derive(Debug, Clone)]
pub struct NeedStatus {
    pub id: i64,
    pub name: String,
    pub days_allowed: Option<i32>,
    pub business_days: bool,
    pub holidays: Vec<NaiveDate>,
}

impl NeedStatus {
    /// The due date of a referral entering this status on `since`.
    pub fn due_from(&self, since: NaiveDate) -> Option<NaiveDate> {
        self.days_allowed.map(|days| {
            crate::domain::timeliness::due_date(since, days, self.business_days, &self.holidays)
        })
    }
}

/// The status a new referral of the CoC starts in.
pub async fn initial_status(
    db: impl PgExecutor<'_>,
    coc: &str,
) -> Result<Option<NeedStatus>, sqlx::Error> {
    sqlx::query_as!(
        NeedStatus,
        r#"select id as "id!", name as "name!", days_allowed,
                  business_days as "business_days!", holidays as "holidays!"
             from need_status_standards
            where coc_code = $1 and is_initial and deleted_at is null"#,
        coc,
    )
    .fetch_optional(db)
    .await
}

/// A status of any CoC by id (a send-back restores the one a return left).
pub async fn need_status(
    db: impl PgExecutor<'_>,
    id: i64,
) -> Result<Option<NeedStatus>, sqlx::Error> {
    sqlx::query_as!(
        NeedStatus,
        r#"select id as "id!", name as "name!", days_allowed,
                  business_days as "business_days!", holidays as "holidays!"
             from need_status_standards
            where id = $1 and deleted_at is null"#,
        id,
    )
    .fetch_optional(db)
    .await
}

/// What moves a referral to a configured status by itself (the `applies_on` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusTrigger {
    Acknowledged,
    Successful,
    Unsuccessful,
}

impl StatusTrigger {
    fn key(self) -> &'static str {
        match self {
            Self::Acknowledged => "acknowledged",
            Self::Successful => "successful",
            Self::Unsuccessful => "unsuccessful",
        }
    }
}

/// The CoC's status a referral moves to when `trigger` happens.
pub async fn status_applying_on(
    db: impl PgExecutor<'_>,
    coc: &str,
    trigger: StatusTrigger,
) -> Result<Option<NeedStatus>, sqlx::Error> {
    sqlx::query_as!(
        NeedStatus,
        r#"select id as "id!", name as "name!", days_allowed,
                  business_days as "business_days!", holidays as "holidays!"
             from need_status_standards
            where coc_code = $1 and applies_on = $2 and deleted_at is null"#,
        coc,
        trigger.key(),
    )
    .fetch_optional(db)
    .await
}

/// The statuses allowed to follow `from` (the CoC's configured transitions), in list order.
pub async fn next_statuses(
    db: impl PgExecutor<'_>,
    from: Option<i64>,
) -> Result<Vec<NeedStatus>, sqlx::Error> {
    sqlx::query_as!(
        NeedStatus,
        r#"select s.id as "id!", s.name as "name!", s.days_allowed,
                  s.business_days as "business_days!", s.holidays as "holidays!"
             from need_status_standards s
             join referral_need_status_transitions t on t.to_status_id = s.id
            where t.from_status_id = $1 and s.deleted_at is null
            order by s.sort_order, s.id"#,
        from,
    )
    .fetch_all(db)
    .await
}

async fn record_status_history(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    event_id: i64,
    status_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into ce_event_need_status_history (ce_event_id, status_id, set_by, organization_id) values ($1, $2, $3, $4)",
        event_id,
        status_id,
        actor.user_id,
        actor.context.as_ref().map(|c| c.organization_id),
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves a referral to `status` from today: its due date follows the status's standard, and the
/// change is kept in the status history.
pub async fn move_need_status(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    event_id: i64,
    status: &NeedStatus,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update ce_events set need_status_id = $2, need_status_since = now(), need_status_due = $3 where id = $1",
        event_id,
        status.id,
        status.due_from(crate::ssr::today()),
    )
    .execute(&mut **tx)
    .await?;
    record_status_history(tx, actor, event_id, status.id).await
}

/// The provider's manual status change, with a version bump and an audit row.
pub async fn change_need_status(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    event: &StoredEvent,
    status: &NeedStatus,
) -> Result<i32, AppError> {
    let version = sqlx::query_scalar!(
        "update ce_events set version = version + 1, updated_at = now(), updated_by = $3
          where id = $1 and version = $2 and closed_on is null returning version",
        event.id,
        event.version,
        actor.user_id,
    )
    .fetch_optional(&mut **tx)
    .await?;
    let version = version.ok_or(AppError::Conflict)?;
    move_need_status(tx, actor, event.id, status).await?;
    record(tx, actor, "need_status", event).await?;
    Ok(version)
}

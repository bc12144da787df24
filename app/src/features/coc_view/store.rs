//! SQL of the CoC view (server only, compile-checked). A CE Event belongs to the CoC of its CE
//! enrollment's project; a transfer request to the CoC it names. Deleted clients are left out of
//! every number and list, so a number and the list behind it agree.
//!
//! The acknowledgement standard's due date is taken once per Event Date of the window (at most
//! 90 calls of `threshold_due_date`, a materialized CTE), never once per referral: the function
//! holds a subquery, so PostgreSQL cannot inline it, and a call per row cost seconds at 250,000
//! referrals.

use super::model::{
    AcknowledgementStandard, CocListFilter, CocReferralRow, ProjectReferrals, RECENT_DAYS,
};
use crate::domain::codes::ReferralResult;
use crate::domain::names::display_name;
use crate::domain::timeliness;
use chrono::NaiveDate;
use sqlx::PgExecutor;

/// The CoC's acknowledgement standard as the queries take it: its initial Referral Need
/// Status's allowance and the CoC's holidays.
pub struct Standard {
    pub status: String,
    pub days: i32,
    pub business_days: bool,
    pub holidays: Vec<NaiveDate>,
}

impl Standard {
    pub fn shown(&self) -> AcknowledgementStandard {
        AcknowledgementStandard {
            status: self.status.clone(),
            days: self.days,
            business_days: self.business_days,
        }
    }
}

/// The CoC's acknowledgement standard, if its initial status allows a number of days.
pub async fn standard(db: impl PgExecutor<'_>, coc: &str) -> Result<Option<Standard>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select name as "name!", days_allowed as "days_allowed!", business_days as "business_days!",
                  holidays as "holidays!"
             from need_status_standards
            where coc_code = $1 and is_initial and deleted_at is null and days_allowed is not null
            order by sort_order, id limit 1"#,
        coc,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Standard {
        status: r.name,
        days: r.days_allowed,
        business_days: r.business_days,
        holidays: r.holidays,
    }))
}

/// The standard's three binds (`None`s when the CoC has none: nothing is late).
fn standard_binds(standard: Option<&Standard>) -> (Option<i32>, Option<bool>, Vec<NaiveDate>) {
    match standard {
        Some(s) => (Some(s.days), Some(s.business_days), s.holidays.clone()),
        None => (None, None, Vec::new()),
    }
}

/// Every project with an open referral, a referral of the last 90 days, a return awaiting review
/// or a transfer request awaiting an answer in the CoC, by provider, then project. One round
/// trip; open referrals come from the partial index of unresolved events, the other recent ones
/// from the Event Date index (two disjoint branches: no de-duplication, each row read once);
/// a deleted client is a `not exists` on the few deleted ones, not a join of every client.
/// About 100 ms at 250,000 referrals (BENCHMARKS.md).
pub async fn by_project(
    db: impl PgExecutor<'_>,
    coc: &str,
    standard: Option<&Standard>,
    today: NaiveDate,
) -> Result<Vec<ProjectReferrals>, sqlx::Error> {
    let (days, business_days, holidays) = standard_binds(standard);
    sqlx::query_as!(
        ProjectReferrals,
        r#"with candidates as (
                select ev.referred_project_id, ev.enrollment_id, ev.client_id, ev.event_date,
                       ev.date_referral_acknowledged, ev.result_date, ev.need_status_due, true as open
                  from ce_events ev
                 where ev.deleted_at is null and ev.referral_result is null and ev.closed_on is null
                   and ev.referred_project_id is not null
                union all
                select ev.referred_project_id, ev.enrollment_id, ev.client_id, ev.event_date,
                       ev.date_referral_acknowledged, ev.result_date, ev.need_status_due, false as open
                  from ce_events ev
                 where ev.deleted_at is null and ev.event_date > $2::date - $3::int
                   and ev.referred_project_id is not null
                   and (ev.referral_result is not null or ev.closed_on is not null)
            ), due as materialized (
                select d::date as event_date, threshold_due_date(d::date, $4::int, $5::boolean, $6::date[]) as due_on
                  from generate_series($2::date - $3::int + 1, $2::date, interval '1 day') d
            ), events as (
                select ev.referred_project_id as project_id, ev.event_date, ev.date_referral_acknowledged,
                       ev.result_date, ev.need_status_due, due.due_on, ev.open,
                       ev.event_date > $2::date - $3::int as recent
                  from candidates ev
                  join enrollments ce on ce.id = ev.enrollment_id
                  join projects cep on cep.id = ce.project_id
                  left join due on due.event_date = ev.event_date
                 where cep.coc_code = $1
                   and not exists (select 1 from clients c where c.id = ev.client_id and c.deleted_at is not null)
            ), referrals as (
                select e.project_id,
                       count(*) filter (where e.open and e.date_referral_acknowledged is null) as awaiting,
                       count(*) filter (where e.open and e.need_status_due < $2) as overdue,
                       count(*) filter (where e.recent) as recent,
                       count(*) filter (where e.recent and (e.date_referral_acknowledged > e.due_on
                                           or (e.date_referral_acknowledged is null and e.due_on < $2))) as late,
                       percentile_cont(0.5) within group (order by e.date_referral_acknowledged - e.event_date)
                           filter (where e.recent and e.date_referral_acknowledged is not null) as median_ack,
                       percentile_cont(0.5) within group (order by e.result_date - e.event_date)
                           filter (where e.recent and e.result_date is not null) as median_result
                  from events e
                 group by e.project_id
            ), returned as (
                select ev.referred_project_id as project_id, count(*) as n
                  from ce_event_returns r
                  join ce_events ev on ev.id = r.ce_event_id
                  join enrollments ce on ce.id = ev.enrollment_id
                  join projects cep on cep.id = ce.project_id
                 where r.decision is null and cep.coc_code = $1 and ev.deleted_at is null
                   and not exists (select 1 from clients c where c.id = ev.client_id and c.deleted_at is not null)
                 group by 1
            ), transfers as (
                select e.project_id, count(*) as n
                  from transfer_requests t
                  join enrollments e on e.id = t.enrollment_id
                 where t.coc_code = $1 and t.status = 'requested' and e.deleted_at is null
                   and not exists (select 1 from clients c where c.id = t.client_id and c.deleted_at is not null)
                   and not exists (select 1 from exits x where x.enrollment_id = e.id and x.deleted_at is null)
                 group by 1
            )
            select p.id as "project_id!", p.name as "project!", o.name as "organization!",
                   coalesce(f.awaiting, 0) as "awaiting!", coalesce(f.overdue, 0) as "overdue!",
                   coalesce(r.n, 0) as "returned!", coalesce(t.n, 0) as "transfer_requests!",
                   coalesce(f.recent, 0) as "recent!", coalesce(f.late, 0) as "acknowledged_late!",
                   f.median_ack as median_days_to_acknowledge, f.median_result as median_days_to_result
              from projects p
              join organizations o on o.id = p.organization_id
              left join referrals f on f.project_id = p.id
              left join returned r on r.project_id = p.id
              left join transfers t on t.project_id = p.id
             where f.project_id is not null or r.project_id is not null or t.project_id is not null
             order by o.name, p.name, p.id"#,
        coc,
        today,
        RECENT_DAYS as i32,
        days,
        business_days,
        &holidays,
    )
    .fetch_all(db)
    .await
}

/// The project's name and its provider's, if the CoC's referrals went to it or it is the CoC's
/// own (another CoC's project is not found, so its name is not told either).
pub async fn project(
    db: impl PgExecutor<'_>,
    coc: &str,
    project_id: i64,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = sqlx::query!(
        "select p.name as project, o.name as organization
           from projects p join organizations o on o.id = p.organization_id
          where p.id = $1
            and (p.coc_code = $2 or exists (
                    select 1 from ce_events ev
                      join enrollments ce on ce.id = ev.enrollment_id
                      join projects cep on cep.id = ce.project_id
                     where ev.referred_project_id = p.id and cep.coc_code = $2 and ev.deleted_at is null))",
        project_id,
        coc,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.project, r.organization)))
}

/// One page of the CoC's referrals to a project matching `filter`, oldest first, with one row
/// more than `limit` to tell whether a next page exists.
#[allow(clippy::too_many_arguments)] // one bind each; a struct would only rename them
pub async fn list(
    db: impl PgExecutor<'_>,
    coc: &str,
    project_id: i64,
    filter: CocListFilter,
    standard: Option<&Standard>,
    today: NaiveDate,
    limit: i64,
    offset: i64,
) -> Result<Vec<CocReferralRow>, sqlx::Error> {
    let (days, business_days, holidays) = standard_binds(standard);
    let rows = sqlx::query!(
        r#"with due as materialized (
                select d::date as event_date, threshold_due_date(d::date, $6::int, $7::boolean, $8::date[]) as due_on
                  from generate_series($4::date - $5::int + 1, $4::date, interval '1 day') d
           )
           select ev.client_id, ev.id as event_id, c.first_name, c.last_name, ev.event_date,
                  s.name as "need_status?", ev.need_status_due, ev.date_referral_acknowledged,
                  ev.referral_result, ev.result_date, ev.closed_on,
                  ev.referral_result is null and ev.closed_on is null as "open!"
             from ce_events ev
             join enrollments ce on ce.id = ev.enrollment_id
             join projects cep on cep.id = ce.project_id
             join clients c on c.id = ev.client_id
             left join referral_need_statuses s on s.id = ev.need_status_id
             left join due on due.event_date = ev.event_date
            where cep.coc_code = $1 and ev.referred_project_id = $2
              and ev.deleted_at is null and c.deleted_at is null
              and case $3::text
                    when 'awaiting' then ev.referral_result is null and ev.closed_on is null
                                         and ev.date_referral_acknowledged is null
                    when 'overdue' then ev.referral_result is null and ev.closed_on is null
                                        and ev.need_status_due < $4
                    when 'late' then ev.event_date > $4::date - $5::int
                                     and (ev.date_referral_acknowledged > due.due_on
                                          or (ev.date_referral_acknowledged is null and due.due_on < $4))
                    else ev.event_date > $4::date - $5::int
                  end
            order by ev.event_date, ev.id
            limit $9 offset $10"#,
        coc,
        project_id,
        filter.key(),
        today,
        RECENT_DAYS as i32,
        days,
        business_days,
        &holidays,
        limit,
        offset,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CocReferralRow {
            client_id: r.client_id,
            event_id: r.event_id,
            client_name: display_name(r.first_name.as_deref(), None, r.last_name.as_deref(), None),
            event_date: r.event_date,
            need_status: match r.closed_on {
                Some(_) => Some("Closed: exited from Coordinated Entry".to_string()),
                None => r.need_status,
            },
            overdue: r.open && timeliness::is_overdue(r.need_status_due, today),
            acknowledged_on: r.date_referral_acknowledged,
            result: r
                .referral_result
                .and_then(ReferralResult::from_code)
                .map(|code| code.label().to_string()),
            result_date: r.result_date,
            days_since_referral: timeliness::days_between(r.event_date, today),
        })
        .collect())
}

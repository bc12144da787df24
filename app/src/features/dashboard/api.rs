//! Server functions of the home dashboard: the Counts widget of incoming referrals, the list
//! behind each number, and timeliness at a glance. Everything is for the active organization's
//! projects only.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    domain::names::display_name,
    domain::{codes::EventType, timeliness},
    ssr::{auth, pool, respond, today},
};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCount {
    pub status_id: i64,
    pub name: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralCounts {
    pub awaiting: i64,
    pub in_progress: i64,
    pub by_status: Vec<StatusCount>,
    pub overdue: i64,
    pub resolved_30: i64,
    /// Non-CE referrals to the organization's projects: awaiting acknowledgement, in progress.
    pub non_ce_awaiting: i64,
    pub non_ce_in_progress: i64,
    /// When the numbers were read, as the server's local time.
    pub as_of: String,
}

/// Which list a count opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IncomingFilter {
    Awaiting,
    InProgress,
    Overdue,
    Resolved,
    /// The data-quality warning: no acknowledgement and no result 7 or more days after the
    /// Event Date.
    NoResponse,
}

impl IncomingFilter {
    pub fn parse(raw: &str) -> Self {
        match raw {
            "in_progress" => Self::InProgress,
            "overdue" => Self::Overdue,
            "resolved" => Self::Resolved,
            "no_response" => Self::NoResponse,
            _ => Self::Awaiting,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Awaiting => "awaiting",
            Self::InProgress => "in_progress",
            Self::Overdue => "overdue",
            Self::Resolved => "resolved",
            Self::NoResponse => "no_response",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Awaiting => "Incoming referrals awaiting acknowledgement",
            Self::InProgress => "Incoming referrals in progress",
            Self::Overdue => "Overdue incoming referrals",
            Self::Resolved => "Referrals resolved in the last 30 days",
            Self::NoResponse => {
                "Referrals with no acknowledgement and no result 7 or more days after the Event Date"
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingRow {
    pub client_id: i64,
    pub client_name: String,
    pub event_id: i64,
    pub event_date: NaiveDate,
    pub event: String,
    pub project: String,
    pub need_status: Option<String>,
    pub days_in_status: Option<i64>,
    pub days_since_referral: i64,
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectTimeliness {
    pub project: String,
    pub referrals: i64,
    pub median_days_to_acknowledge: Option<f64>,
    pub median_days_to_result: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeliness {
    pub by_project: Vec<ProjectTimeliness>,
    /// How many referrals have neither acknowledgement nor result 7 or more days after the
    /// Event Date (the data-quality check CoCs run, e.g. HMIS MN report 294) ...
    pub warning_count: i64,
    /// ... and the oldest of them (the whole list is `IncomingFilter::NoResponse`).
    pub warnings: Vec<IncomingRow>,
}

/// Days after the Event Date past which an unacknowledged, unresolved referral is a warning.
pub const DATA_QUALITY_DAYS: i64 = 7;

/// How many data-quality warnings the dashboard shows before "See all".
pub const WARNINGS_SHOWN: i64 = 10;

/// The data-quality warning over the alias `ev`, `$2` being today.
#[cfg(feature = "ssr")]
fn no_response_condition() -> String {
    format!(
        "ev.referral_result is null and ev.closed_on is null and ev.date_referral_acknowledged is null
         and ev.event_date <= $2::date - {DATA_QUALITY_DAYS}"
    )
}

/// The Counts widget of the active organization.
#[server(endpoint = "dashboard/counts")]
pub async fn get_referral_counts() -> Result<ReferralCounts, AppError> {
    respond(
        async {
            let pool = pool()?;
            let today = today();
            let (_, rows) = auth::read_in_context(|organization| {
                sqlx::query_as::<_, (String, Option<i64>, Option<String>, i64)>(COUNTS_SQL)
                    .bind(organization)
                    .bind(today)
                    .fetch_all(&pool)
            })
            .await?;
            let mut counts = ReferralCounts {
                awaiting: 0,
                in_progress: 0,
                by_status: Vec::new(),
                overdue: 0,
                resolved_30: 0,
                non_ce_awaiting: 0,
                non_ce_in_progress: 0,
                as_of: chrono::Local::now().format("%-I:%M:%S %p").to_string(),
            };
            for (kind, status_id, name, count) in rows {
                match kind.as_str() {
                    "awaiting" => counts.awaiting = count,
                    "non_ce_awaiting" => counts.non_ce_awaiting = count,
                    "non_ce_in_progress" => counts.non_ce_in_progress = count,
                    "overdue" => counts.overdue = count,
                    "resolved" => counts.resolved_30 = count,
                    _ => {
                        counts.in_progress += count;
                        if let (Some(status_id), Some(name)) = (status_id, name) {
                            counts.by_status.push(StatusCount {
                                status_id,
                                name,
                                count,
                            });
                        }
                    }
                }
            }
            Ok(counts)
        }
        .await,
    )
}

/// One round trip: awaiting acknowledgement, overdue, in progress by status, resolved in 30 days,
/// and the non-CE referrals awaiting acknowledgement and in progress. `$1` organization, `$2`
/// today.
pub const COUNTS_SQL: &str = "
    with open as (
        select ev.need_status_id, ev.date_referral_acknowledged, ev.need_status_due
          from ce_events ev join projects p on p.id = ev.referred_project_id
         where p.organization_id = $1 and ev.deleted_at is null and ev.referral_result is null and ev.closed_on is null
    ), by_status as (
        select need_status_id, count(*) as n from open
         where date_referral_acknowledged is not null group by need_status_id
    )
    select 'awaiting', null::bigint, null::text, count(*) from open where date_referral_acknowledged is null
    union all
    select 'overdue', null, null, count(*) from open where need_status_due < $2
    union all
    select 'status', b.need_status_id, s.name, b.n
      from by_status b left join referral_need_statuses s on s.id = b.need_status_id
    union all
    select 'resolved', null, null, count(*)
      from ce_events ev join projects p on p.id = ev.referred_project_id
     where p.organization_id = $1 and ev.deleted_at is null and ev.referral_result is not null
       and ev.result_date >= $2::date - 30
    union all
    select case when r.date_referral_acknowledged is null then 'non_ce_awaiting' else 'non_ce_in_progress' end,
           null, null, count(*)
      from referrals r join projects p on p.id = r.to_project_id
     where p.organization_id = $1 and r.result is null and r.deleted_at is null and r.closed_on is null
     group by 1";

/// Rows per page of an incoming-referral list.
pub const INCOMING_PAGE_SIZE: i64 = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingPage {
    pub rows: Vec<IncomingRow>,
    pub page: i64,
    pub has_next: bool,
}

/// The list behind a count, oldest referral first, 100 a page.
#[server(endpoint = "dashboard/incoming")]
pub async fn incoming_referrals(
    filter: String,
    status: String,
    page: i64,
) -> Result<IncomingPage, AppError> {
    respond(
        async {
            let filter = IncomingFilter::parse(&filter);
            let status: Option<i64> = status.trim().parse().ok();
            let no_response = no_response_condition();
            let condition = match filter {
                IncomingFilter::Awaiting => {
                    "ev.referral_result is null and ev.closed_on is null and ev.date_referral_acknowledged is null"
                }
                IncomingFilter::NoResponse => no_response.as_str(),
                IncomingFilter::InProgress => {
                    "ev.referral_result is null and ev.closed_on is null and ev.date_referral_acknowledged is not null
                     and ($3::bigint is null or ev.need_status_id = $3)"
                }
                IncomingFilter::Overdue => "ev.referral_result is null and ev.closed_on is null and ev.need_status_due < $2",
                IncomingFilter::Resolved => {
                    "ev.referral_result is not null and ev.result_date >= $2::date - 30"
                }
            };
            let page = crate::domain::paging::page_number(page)
                .map_err(|message| AppError::field("page", message))?;
            let sql = incoming_sql(condition, INCOMING_PAGE_SIZE + 1, (page - 1) * INCOMING_PAGE_SIZE);
            let (_, (rows, has_next)) = auth::read_in_context(|organization| {
                incoming(&sql, organization, status, INCOMING_PAGE_SIZE as usize)
            })
            .await?;
            Ok(IncomingPage { rows, page, has_next })
        }
        .await,
    )
}

/// One page of an organization's incoming referrals matching `condition` (over the alias `ev`),
/// oldest first. The page is chosen from the covering index `ce_events_open_list` before any
/// client row is read, so a page costs ~100 client lookups whatever the backlog. Binds: `$1`
/// organization, `$2` today, `$3` need status (or null).
#[cfg(feature = "ssr")]
pub fn incoming_sql(condition: &str, limit: i64, offset: i64) -> String {
    format!(
        "with page as (
            select ev.id, ev.client_id, ev.event_date, ev.event, ev.need_status_id, ev.need_status_since,
                   ev.need_status_due, p.name as project
              from ce_events ev join projects p on p.id = ev.referred_project_id
             where p.organization_id = $1 and ev.deleted_at is null and {condition}
             order by ev.event_date, ev.id limit {limit} offset {offset})
         select c.id, c.first_name, c.last_name, page.id, page.event_date, page.event, page.project, s.name,
                page.need_status_since, page.need_status_due, c.deleted_at is not null
           from page join clients c on c.id = page.client_id
           left join referral_need_statuses s on s.id = page.need_status_id
          order by page.event_date, page.id"
    )
}

/// Runs an [`incoming_sql`] page read with one row more than `page_size`: the page's rows (a
/// deleted client's are left out, after paging, so pages neither overlap nor skip), and
/// whether a next page exists.
#[cfg(feature = "ssr")]
async fn incoming(
    sql: &str,
    organization: i64,
    status: Option<i64>,
    page_size: usize,
) -> Result<(Vec<IncomingRow>, bool), AppError> {
    type Row = (
        i64,
        Option<String>,
        Option<String>,
        i64,
        NaiveDate,
        i16,
        String,
        Option<String>,
        Option<chrono::DateTime<chrono::Utc>>,
        Option<NaiveDate>,
        bool,
    );
    let today = today();
    let rows: Vec<Row> = sqlx::query_as(sql)
        .bind(organization)
        .bind(today)
        .bind(status)
        .fetch_all(&pool()?)
        .await?;
    let has_next = rows.len() > page_size;
    let rows = rows
        .into_iter()
        .take(page_size)
        .filter(|row| !row.10)
        .map(
            |(
                client_id,
                first,
                last,
                event_id,
                event_date,
                event,
                project,
                need_status,
                since,
                due,
                _,
            )| IncomingRow {
                client_id,
                client_name: display_name(first.as_deref(), None, last.as_deref(), None),
                event_id,
                event_date,
                event: EventType::from_code(event)
                    .map(|e| e.label().to_string())
                    .unwrap_or_default(),
                project,
                need_status,
                days_in_status: since.map(|s| {
                    timeliness::days_between(s.with_timezone(&chrono::Local).date_naive(), today)
                }),
                days_since_referral: timeliness::days_between(event_date, today),
                overdue: timeliness::is_overdue(due, today),
            },
        )
        .collect();
    Ok((rows, has_next))
}

/// Median days to acknowledgement and to result over the last 90 days, by project, and the
/// referrals with no acknowledgement and no result 7 or more days after the Event Date.
#[server(endpoint = "dashboard/timeliness")]
pub async fn get_timeliness() -> Result<Timeliness, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let by_project: Vec<(String, i64, Option<f64>, Option<f64>)> = sqlx::query_as(
                "select p.name, count(*),
                        percentile_cont(0.5) within group (order by ev.date_referral_acknowledged - ev.event_date)
                            filter (where ev.date_referral_acknowledged is not null),
                        percentile_cont(0.5) within group (order by ev.result_date - ev.event_date)
                            filter (where ev.result_date is not null)
                   from ce_events ev join projects p on p.id = ev.referred_project_id
                  where p.organization_id = $1 and ev.deleted_at is null and ev.event_date >= $2::date - 90
                  group by p.id, p.name order by p.name, p.id",
            )
            .bind(context.organization_id)
            .bind(today())
            .fetch_all(&pool()?)
            .await?;
            let condition = no_response_condition();
            let warning_count: i64 = sqlx::query_scalar(&format!(
                "select count(*) from ce_events ev join projects p on p.id = ev.referred_project_id
                  where p.organization_id = $1 and ev.deleted_at is null and {condition}"
            ))
            .bind(context.organization_id)
            .bind(today())
            .fetch_one(&pool()?)
            .await?;
            let sql = incoming_sql(&condition, WARNINGS_SHOWN, 0);
            let (warnings, _) =
                incoming(&sql, context.organization_id, None, WARNINGS_SHOWN as usize).await?;
            Ok(Timeliness {
                warning_count,
                by_project: by_project
                    .into_iter()
                    .map(|(project, referrals, ack, result)| ProjectTimeliness {
                        project,
                        referrals,
                        median_days_to_acknowledge: ack,
                        median_days_to_result: result,
                    })
                    .collect(),
                warnings,
            })
        }
        .await,
    )
}

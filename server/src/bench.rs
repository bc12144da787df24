//! `server bench`: the Counts server function and the incoming-referral list, called through the
//! whole application stack (router, session, sign-in context, SQL, JSON) in-process, side by side
//! with the same SQL run directly on the same pool; p50/p99 and their ratio, and the query plans.

use app::features::dashboard::api::{incoming_sql, COUNTS_SQL, INCOMING_PAGE_SIZE};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const HOST: &str = "bench.local";

struct Client {
    router: axum::Router,
    cookie: Option<String>,
}

impl Client {
    /// Signs-in steps: keep the session cookie the server hands back.
    async fn post_keep(
        &mut self,
        endpoint: &str,
        form: &str,
    ) -> Result<(StatusCode, String), Box<dyn std::error::Error>> {
        let (status, body, cookie) = self.post(endpoint, form).await?;
        if cookie.is_some() {
            self.cookie = cookie;
        }
        Ok((status, body))
    }

    async fn post(
        &self,
        endpoint: &str,
        form: &str,
    ) -> Result<(StatusCode, String, Option<String>), Box<dyn std::error::Error>> {
        let mut request = Request::post(format!("/api/{endpoint}"))
            .header(header::HOST, HOST)
            .header(header::ORIGIN, format!("http://{HOST}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::from(form.to_string()))?)
            .await?;
        let status = response.status();
        let cookie = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("threshold_session="))
            .map(|c| c.split(';').next().unwrap_or_default().to_string());
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
        Ok((status, String::from_utf8_lossy(&body).into_owned(), cookie))
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

type Call<'a> = Box<
    dyn FnMut() -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<(), Box<dyn std::error::Error>>> + 'a>,
        > + 'a,
>;

/// Times two calls alternately (a, b, a, b, …) so both meet the same moments of the machine:
/// on a shared VM a burst of noise would otherwise land on one side only. Sorted samples of each.
async fn time_pair<'a>(
    iterations: usize,
    mut a: Call<'a>,
    mut b: Call<'a>,
) -> Result<(Vec<Duration>, Vec<Duration>), Box<dyn std::error::Error>> {
    for _ in 0..iterations / 10 {
        a().await?; // warm-up
        b().await?;
    }
    let (mut first, mut second) = (
        Vec::with_capacity(iterations),
        Vec::with_capacity(iterations),
    );
    for _ in 0..iterations {
        let start = Instant::now();
        a().await?;
        first.push(start.elapsed());
        let start = Instant::now();
        b().await?;
        second.push(start.elapsed());
    }
    first.sort();
    second.sort();
    Ok((first, second))
}

pub async fn run(pool: PgPool, iterations: usize) -> Result<String, Box<dyn std::error::Error>> {
    let store = crate::prepare_database(&pool).await?;
    let options = LeptosOptions::builder()
        .output_name("threshold")
        .site_root("target/site")
        .build();
    let router = crate::router(
        pool.clone(),
        store,
        options,
        &crate::Settings {
            public_origin: crate::security::PublicOrigin::parse(&format!("http://{HOST}"))?,
            trusted_proxies: Vec::new(),
            request_timeout: crate::config::Tuning::default().request_timeout,
        },
    );
    let mut client = Client {
        router,
        cookie: None,
    };

    let (organization, organization_name): (i64, String) = sqlx::query_as(
        "select o.id, o.name from organizations o join projects p on p.organization_id = o.id
           join ce_events ev on ev.referred_project_id = p.id
          group by o.id, o.name order by count(*) desc limit 1",
    )
    .fetch_one(&pool)
    .await?;
    let (events, clients): (i64, i64) =
        sqlx::query_as("select (select count(*) from ce_events), (select count(*) from clients)")
            .fetch_one(&pool)
            .await?;
    sqlx::query(
        "insert into memberships (user_id, organization_id, workgroup)
         select id, $1, 1 from users where username = 'caseworker' on conflict do nothing",
    )
    .bind(organization)
    .execute(&pool)
    .await?;

    let (status, body) = client
        .post_keep(
            "sign_in",
            &format!(
                "username=caseworker&password={}",
                app::ssr::demo::DEMO_PASSWORD
            ),
        )
        .await?;
    if status != StatusCode::OK {
        return Err(format!("sign in failed: {status} {body}").into());
    }
    let (status, body) = client
        .post_keep(
            "apply_context",
            &format!("workgroup=1&organization_id={organization}"),
        )
        .await?;
    if status != StatusCode::OK {
        return Err(format!("apply context failed: {status} {body}").into());
    }

    let today = chrono::Local::now().date_naive();
    // Exactly what `dashboard/incoming` runs for its first in-progress page.
    let incoming_sql = incoming_sql(
        "ev.referral_result is null and ev.closed_on is null and ev.date_referral_acknowledged is not null
         and ($3::bigint is null or ev.need_status_id = $3)",
        INCOMING_PAGE_SIZE + 1,
        0,
    );

    let client = &client;
    let (counts_fn, counts_sql) = time_pair(
        iterations,
        Box::new(move || {
            Box::pin(async move {
                let (status, body, _) = client.post("dashboard/counts", "").await?;
                if status != StatusCode::OK {
                    return Err(format!("counts: {status} {body}").into());
                }
                Ok(())
            })
        }),
        Box::new(|| {
            let pool = pool.clone();
            Box::pin(async move {
                let _: Vec<(String, Option<i64>, Option<String>, i64)> = sqlx::query_as(COUNTS_SQL)
                    .bind(organization)
                    .bind(today)
                    .fetch_all(&pool)
                    .await?;
                Ok(())
            })
        }),
    )
    .await?;
    let (list_fn, list_sql) = time_pair(
        iterations,
        Box::new(move || {
            Box::pin(async move {
                let (status, body, _) = client
                    .post("dashboard/incoming", "filter=in_progress&status=&page=1")
                    .await?;
                if status != StatusCode::OK {
                    return Err(format!("incoming: {status} {body}").into());
                }
                Ok(())
            })
        }),
        Box::new(|| {
            let (pool, sql) = (pool.clone(), incoming_sql.clone());
            Box::pin(async move {
                let rows = sqlx::query(&sql)
                    .bind(organization)
                    .bind(today)
                    .bind(None::<i64>)
                    .fetch_all(&pool)
                    .await?;
                std::hint::black_box(rows);
                Ok(())
            })
        }),
    )
    .await?;
    let list_rows: i64 = {
        let (_, body, _) = client
            .post("dashboard/incoming", "filter=in_progress&status=&page=1")
            .await?;
        serde_json::from_str::<serde_json::Value>(&body)?["rows"]
            .as_array()
            .map(|a| a.len() as i64)
            .unwrap_or(0)
    };

    let plan = |sql: String, third: bool| {
        let pool = pool.clone();
        async move {
            let explain =
                format!("explain (analyze, buffers, costs off, timing off, summary on) {sql}");
            let mut query = sqlx::query_scalar::<_, String>(&explain)
                .bind(organization)
                .bind(today);
            if third {
                query = query.bind(None::<i64>);
            }
            Ok::<_, sqlx::Error>(query.fetch_all(&pool).await?.join("\n"))
        }
    };
    let counts_plan = plan(COUNTS_SQL.to_string(), false).await?;
    let list_plan = plan(incoming_sql.clone(), true).await?;

    let row = |name: &str, f: &[Duration], s: &[Duration]| {
        let (f50, f99, s50, s99) = (
            percentile(f, 0.5),
            percentile(f, 0.99),
            percentile(s, 0.5),
            percentile(s, 0.99),
        );
        format!(
            "| {name} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2}× | {:.2}× |",
            ms(f50),
            ms(f99),
            ms(s50),
            ms(s99),
            ms(f50) / ms(s50),
            ms(f99) / ms(s99)
        )
    };
    Ok(format!(
        "Data: {clients} clients, {events} CE events; organization measured: {organization_name} \
         ({list_rows} referrals on the first page of its in-progress list). {iterations} sequential calls each, the server function and its raw SQL \
         alternating, after {warm} warm-up calls of each.\n\n\
         | What | server fn p50 (ms) | server fn p99 (ms) | raw SQL p50 (ms) | raw SQL p99 (ms) | ratio p50 | ratio p99 |\n\
         |---|---|---|---|---|---|---|\n{}\n{}\n\n\
         Counts query plan:\n\n```\n{counts_plan}\n```\n\nIncoming-referral list query plan:\n\n```\n{list_plan}\n```\n",
        row("Counts widget (`dashboard/counts`)", &counts_fn, &counts_sql),
        row("Incoming list, in progress (`dashboard/incoming`)", &list_fn, &list_sql),
        warm = iterations / 10,
    ))
}

/// The process's peak resident memory so far (Linux `VmHWM`), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// `server export-bench`: one HMIS CSV export of the Riverbend CoC (reporting period of the last
/// 400 days, which on the large demo set is every client), run exactly as the export page runs
/// it; its time per phase, rows, ZIP size and this process's peak memory.
pub async fn export(pool: PgPool) -> Result<String, Box<dyn std::error::Error>> {
    use app::features::hmis_export::files::UnnamedFiles;
    use app::features::hmis_export::job::{self, Outcome};
    use app::features::hmis_export::writer::Clock;
    crate::prepare_database(&pool).await?;
    let today = chrono::Local::now().date_naive();
    let start = today - chrono::Duration::days(400);
    let (id,): (i64,) = sqlx::query_as(
        "insert into hmis_exports (export_id, coc_code, period_type, start_date, end_date, organization_id, created_by)
         select replace(gen_random_uuid()::text, '-', ''), 'RB-501', 3, $1, $2, m.organization_id, u.id
           from users u join memberships m on m.user_id = u.id and m.workgroup = 4
          where u.username = 'admin' limit 1
         returning id",
    )
    .bind(start)
    .bind(today)
    .fetch_one(&pool)
    .await?;
    let before = peak_rss_mib().unwrap_or(0.0);
    let options = (*pool.connect_options()).clone();
    let claim = job::claim_next(&pool, "export-bench")
        .await?
        .filter(|claim| claim.id == id)
        .ok_or("another export was waiting in the queue")?;
    let started = Instant::now();
    let finished = job::run(&options, claim, Clock::server(), UnnamedFiles::new()).await?;
    let total = started.elapsed();
    let peak = peak_rss_mib().unwrap_or(0.0);
    let size = match &finished.outcome {
        Outcome::Ready { size } => *size,
        Outcome::Refused(report) => {
            return Err(format!(
                "the export was refused: {:#?}",
                &report.violations[..report.violations.len().min(5)]
            )
            .into())
        }
    };
    let (counts,): (serde_json::Value,) =
        sqlx::query_as("select row_counts from hmis_exports where id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await?;
    let counts: Vec<(String, u64)> = serde_json::from_value(counts)?;
    let rows: u64 = counts.iter().map(|(_, n)| n).sum();
    let mut report = format!(
        "Export of RB-501, reporting period {start} – {today}: {rows} rows in 10 files, ZIP {:.1} MiB.\n\n\
         | File | Rows |\n|---|---|\n",
        size as f64 / 1_048_576.0
    );
    for (file, n) in &counts {
        report.push_str(&format!("| {file} | {n} |\n"));
    }
    report.push_str("\n| Phase | Seconds |\n|---|---|\n");
    for (phase, took) in &finished.phases {
        report.push_str(&format!("| {phase} | {:.1} |\n", took.as_secs_f64()));
    }
    report.push_str(&format!(
        "| **Total** | **{:.1}** |\n\nPeak resident memory of the process: {peak:.0} MiB (before the export: {before:.0} MiB).\n",
        total.as_secs_f64()
    ));
    Ok(report)
}

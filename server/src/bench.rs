//! `server bench`: the Counts server function and the incoming-referral list, called through the
//! whole application stack (router, session, sign-in context, SQL, JSON) in-process, side by side
//! with the same SQL run directly on the same pool; p50/p99 and their ratio, and the query plans.

use app::features::dashboard::api::{COUNTS_SQL, INCOMING_SELECT};
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

async fn time<F, Fut>(
    iterations: usize,
    mut call: F,
) -> Result<Vec<Duration>, Box<dyn std::error::Error>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), Box<dyn std::error::Error>>>,
{
    for _ in 0..iterations / 10 {
        call().await?; // warm-up
    }
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        call().await?;
        samples.push(start.elapsed());
    }
    samples.sort();
    Ok(samples)
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
            secure_cookies: false,
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
    let incoming_sql = format!(
        "{INCOMING_SELECT} and ev.referral_result is null and ev.closed_on is null and ev.date_referral_acknowledged is not null
           and ($3::bigint is null or ev.need_status_id = $3) order by ev.event_date, ev.id limit 101 offset 0"
    );

    let client = &client;
    let counts_fn = {
        time(iterations, move || {
            let fut = client.post("dashboard/counts", "");
            async move {
                let (status, body, _) = fut.await?;
                if status != StatusCode::OK {
                    return Err(format!("counts: {status} {body}").into());
                }
                Ok(())
            }
        })
        .await?
    };
    let counts_sql = time(iterations, || {
        let pool = pool.clone();
        async move {
            let _: Vec<(String, Option<i64>, Option<String>, i64)> = sqlx::query_as(COUNTS_SQL)
                .bind(organization)
                .bind(today)
                .fetch_all(&pool)
                .await?;
            Ok(())
        }
    })
    .await?;
    let list_fn = {
        time(iterations, move || {
            let fut = client.post("dashboard/incoming", "filter=in_progress&status=&page=1");
            async move {
                let (status, body, _) = fut.await?;
                if status != StatusCode::OK {
                    return Err(format!("incoming: {status} {body}").into());
                }
                Ok(())
            }
        })
        .await?
    };
    let list_rows: i64 = {
        let (_, body, _) = client
            .post("dashboard/incoming", "filter=in_progress&status=&page=1")
            .await?;
        serde_json::from_str::<serde_json::Value>(&body)?["rows"]
            .as_array()
            .map(|a| a.len() as i64)
            .unwrap_or(0)
    };
    let list_sql = time(iterations, || {
        let (pool, sql) = (pool.clone(), incoming_sql.clone());
        async move {
            let rows = sqlx::query(&sql)
                .bind(organization)
                .bind(today)
                .bind(None::<i64>)
                .fetch_all(&pool)
                .await?;
            std::hint::black_box(rows);
            Ok(())
        }
    })
    .await?;

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
         ({list_rows} referrals on the first page of its in-progress list). {iterations} sequential calls each, after \
         {warm} warm-up calls.\n\n\
         | What | server fn p50 (ms) | server fn p99 (ms) | raw SQL p50 (ms) | raw SQL p99 (ms) | ratio p50 | ratio p99 |\n\
         |---|---|---|---|---|---|---|\n{}\n{}\n\n\
         Counts query plan:\n\n```\n{counts_plan}\n```\n\nIncoming-referral list query plan:\n\n```\n{list_plan}\n```\n",
        row("Counts widget (`dashboard/counts`)", &counts_fn, &counts_sql),
        row("Incoming list, in progress (`dashboard/incoming`)", &list_fn, &list_sql),
        warm = iterations / 10,
    ))
}

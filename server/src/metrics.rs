//! Prometheus metrics (`metrics` with its Prometheus exporter): requests and their latency per
//! route and server function, the database pool, the HMIS CSV export queue and the e-mail outbox. Served by
//! [`router`] on a listener of its own (`THRESHOLD_METRICS_ADDR`), never on the public one.

use axum::{
    extract::{MatchedPath, Request},
    middleware::Next,
    response::{IntoResponse, Response},
    Router,
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sqlx::PgPool;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const REQUESTS: &str = "threshold_http_requests_total";
pub const LATENCY: &str = "threshold_http_request_duration_seconds";

/// Latency buckets in seconds: a page or a save takes milliseconds; the request timeout is 30 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process's one recorder, installed on first use (tests start many routers in one
/// process; they share it).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                metrics_exporter_prometheus::Matcher::Full(LATENCY.into()),
                LATENCY_BUCKETS,
            )
            .expect("latency buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Only fails when another recorder was installed first, which this process never does.
        let _ = metrics::set_global_recorder(recorder);
        // Histograms are aggregated on upkeep; without a listener of the exporter's own, the
        // process runs it (or they would grow between scrapes).
        let upkeep = handle.clone();
        std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_secs(5));
                upkeep.run_upkeep();
            })
            .expect("a thread for the metrics upkeep");
        handle
    })
}

/// Counts every request and times it, labelled by the route it matched (`/api/ce/save`,
/// `/clients/{id}`; never the path itself, which holds ids, nor the query string), the method
/// and the status. Unmatched paths (assets, 404s) share the label `other`, so a scan of random
/// paths or methods cannot grow the label sets.
pub async fn track(request: Request, next: Next) -> Response {
    let route = match request.extensions().get::<MatchedPath>() {
        Some(path) => path.as_str().to_owned(),
        None => "other".to_owned(),
    };
    let method: &'static str = match *request.method() {
        http::Method::GET => "GET",
        http::Method::POST => "POST",
        http::Method::PUT => "PUT",
        http::Method::PATCH => "PATCH",
        http::Method::DELETE => "DELETE",
        http::Method::HEAD => "HEAD",
        http::Method::OPTIONS => "OPTIONS",
        _ => "other",
    };
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(REQUESTS, "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!(LATENCY, "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`: the text format, with the pool and the export queue read as it is asked.
pub fn router(pool: PgPool) -> Router {
    handle();
    Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let pool = pool.clone();
            async move { render(&pool).await.into_response() }
        }),
    )
}

async fn render(pool: &PgPool) -> ([(http::HeaderName, &'static str); 1], String) {
    let idle = pool.num_idle() as f64;
    let size = f64::from(pool.size());
    metrics::gauge!("threshold_db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("threshold_db_pool_connections", "state" => "in_use").set(size - idle);
    metrics::gauge!("threshold_db_pool_max_connections")
        .set(f64::from(pool.options().get_max_connections()));
    // The queue is shared by every instance: each reports the same depth.
    match tokio::time::timeout(
        Duration::from_secs(2),
        app::features::hmis_export::job::queue_depth(pool),
    )
    .await
    {
        Ok(Ok((queued, running))) => {
            metrics::gauge!("threshold_export_jobs", "status" => "queued").set(queued as f64);
            metrics::gauge!("threshold_export_jobs", "status" => "running").set(running as f64);
        }
        _ => tracing::warn!("metrics: the export queue could not be read"),
    }
    match tokio::time::timeout(
        Duration::from_secs(2),
        app::features::notifications::outbox::waiting(pool),
    )
    .await
    {
        Ok(Ok(waiting)) => {
            metrics::gauge!("threshold_outbox_waiting").set(waiting as f64);
        }
        _ => tracing::warn!("metrics: the e-mail outbox could not be read"),
    }
    (
        [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle().render(),
    )
}

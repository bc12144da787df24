//! The Threshold server: configuration, the router and its layers. `main.rs` is the CLI.

pub mod bench;
pub mod config;
pub mod mail;
pub mod metrics;
pub mod security;

use app::ssr::sessions::PostgresSessionStore;
use app::{shell, App};
use axum::{
    extract::Request,
    http::StatusCode,
    middleware::{self, Next},
    response::Response,
    Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use security::{PublicOrigin, Security};
use sqlx::{postgres::PgPoolOptions, PgPool};
use std::time::Duration;
use tower_http::{
    compression::CompressionLayer, limit::RequestBodyLimitLayer, timeout::TimeoutLayer,
    trace::TraceLayer,
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// How long an idle session lasts: caseworkers handle private data on shared tablets.
pub const SESSION_IDLE: Duration = app::ssr::sessions::IDLE_TIMEOUT;

pub async fn connect(database_url: &str, tuning: &config::Tuning) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(tuning.pool_size)
        .acquire_timeout(tuning.pool_timeout)
        .connect(database_url)
        .await
}

/// Runs the migrations (the session table is one of them).
pub async fn prepare_database(
    pool: &PgPool,
) -> Result<PostgresSessionStore, Box<dyn std::error::Error>> {
    MIGRATOR.run(pool).await?;
    Ok(PostgresSessionStore::new(pool.clone()))
}

/// With content-hashed asset names (`LEPTOS_HASH_FILES=true`), Leptos reads the names from the
/// hash file beside this binary as it renders a page, and cannot render one without it: refuse
/// to start instead.
pub fn check_hash_file(options: &LeptosOptions) -> Result<(), String> {
    if !options.hash_files {
        return Ok(());
    }
    let path = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())));
    match path {
        Some(path) if path.is_file() => Ok(()),
        path => Err(format!(
            "LEPTOS_HASH_FILES is on but the hash file {} is missing: build with `cargo leptos build --release`",
            path.map(|p| p.display().to_string()).unwrap_or_default()
        )),
    }
}

pub struct Settings {
    /// The site as browsers address it (`THRESHOLD_PUBLIC_URL`, default `http://` and the bind
    /// address). State-changing requests must come from it; when it is `https://…`, the
    /// session cookie is `__Host-` and `Secure`, and responses carry HSTS.
    pub public_origin: PublicOrigin,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`THRESHOLD_TRUSTED_PROXIES`,
    /// comma-separated addresses; default none: the socket peer is the client).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// A request still running after this is answered 408 ([`config::Tuning::request_timeout`]).
    pub request_timeout: Duration,
}

impl Settings {
    /// Settings from the environment for a server bound at `bound`.
    pub fn from_env(bound: std::net::SocketAddr, tuning: &config::Tuning) -> Result<Self, String> {
        let public_origin = match std::env::var("THRESHOLD_PUBLIC_URL") {
            Ok(url) if !url.trim().is_empty() => PublicOrigin::parse(&url)?,
            _ => PublicOrigin::bound_at(bound),
        };
        let trusted_proxies = match std::env::var("THRESHOLD_TRUSTED_PROXIES") {
            Ok(list) => list
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| {
                    a.parse().map_err(|_| {
                        format!("THRESHOLD_TRUSTED_PROXIES: {a:?} is not an IP address")
                    })
                })
                .collect::<Result<_, _>>()?,
            Err(_) => Vec::new(),
        };
        Ok(Settings {
            public_origin,
            trusted_proxies,
            request_timeout: tuning.request_timeout,
        })
    }

    /// Plain HTTP at `bound`, no proxy (tests).
    pub fn local(bound: std::net::SocketAddr) -> Self {
        Settings {
            public_origin: PublicOrigin::bound_at(bound),
            trusted_proxies: Vec::new(),
            request_timeout: config::Tuning::default().request_timeout,
        }
    }

    /// The session cookie's name: `__Host-` over HTTPS (the browser then insists on Secure,
    /// Path=/ and no Domain, so no sibling host can set or shadow it).
    pub fn cookie_name(&self) -> &'static str {
        if self.public_origin.https {
            "__Host-threshold_session"
        } else {
            "threshold_session"
        }
    }
}

/// Makes every large allocation an mmap of its own, given back to the system when freed. Argon2
/// takes a 19 MiB buffer per hash; after the first is freed glibc raises its mmap threshold, so
/// later buffers come from per-thread arenas that keep the memory once the hash is done (a sign-in
/// flood left the process at 630 MiB with only two hashes at a time). Call first thing in main.
pub fn return_large_allocations_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// The number of password hashes that may run at once (`THRESHOLD_HASH_SLOTS`, default about the
/// core count), at most [`config::Tuning::max_hash_slots`].
pub fn hash_slots_from_env(tuning: &config::Tuning) -> Result<usize, String> {
    let max = tuning.max_hash_slots();
    match std::env::var("THRESHOLD_HASH_SLOTS") {
        Ok(n) => n
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                format!("THRESHOLD_HASH_SLOTS must be a number from 1 to {max} (got {n:?})")
            }),
        Err(_) => Ok(app::ssr::passwords::default_slots().min(max)),
    }
}

/// Starts this instance's HMIS CSV export worker. Its unnamed temporary files go to
/// `THRESHOLD_SCRATCH_DIR` (a folder that exists), or the system's temporary folder.
pub fn start_export_worker(
    pool: &PgPool,
) -> Result<app::features::hmis_export::job::Worker, String> {
    let scratch = match std::env::var_os("THRESHOLD_SCRATCH_DIR") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::env::temp_dir(),
    };
    if !scratch.is_dir() {
        return Err(format!(
            "THRESHOLD_SCRATCH_DIR {} is not a folder",
            scratch.display()
        ));
    }
    Ok(export_worker_in(pool, scratch))
}

/// The export worker over `pool`'s database, with its scratch files in `scratch`.
pub fn export_worker_in(
    pool: &PgPool,
    scratch: std::path::PathBuf,
) -> app::features::hmis_export::job::Worker {
    use app::features::hmis_export::job;
    job::Worker::start(
        (*pool.connect_options()).clone(),
        job::instance_name(),
        scratch,
    )
}

/// The whole application: Leptos pages and server functions, sessions, and the safety layers.
pub fn router(
    pool: PgPool,
    store: PostgresSessionStore,
    options: LeptosOptions,
    settings: &Settings,
) -> Router {
    let hashed_assets = options.hash_files;
    let routes = generate_route_list(App);
    let context_pool = pool.clone();
    let fallback_pool = pool.clone();
    // Sessions live in PostgreSQL only, read on each request that needs one: with an in-process
    // cache in front, an instance behind a load balancer would keep using a session another
    // instance had signed out or moved to another organization.
    let sessions = SessionManagerLayer::new(store)
        .with_name(settings.cookie_name())
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.public_origin.https)
        // The idle time-out is kept by the store (app::ssr::sessions), renewed as it reads.
        .with_expiry(Expiry::OnSessionEnd);
    let security = Security {
        origin: settings.public_origin.clone(),
        trusted_proxies: std::sync::Arc::new(settings.trusted_proxies.clone()),
    };

    let health = Router::new()
        .route("/healthz", axum::routing::get(healthz))
        .route("/readyz", axum::routing::get(readyz))
        .layer(axum::Extension(pool.clone()));

    let app = Router::new()
        .leptos_routes_with_context(
            &options,
            routes,
            move || {
                provide_context(context_pool.clone());
                security::provide_request_nonce();
            },
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        )
        // The HMIS CSV export's ZIP, streamed (not a server function: it is a file).
        .route(
            "/exports/{id}/download",
            axum::routing::get(app::features::hmis_export::download::download),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context(
            move || {
                provide_context(fallback_pool.clone());
                security::provide_request_nonce();
            },
            shell,
        ))
        .with_state(options)
        .layer(axum::Extension(pool))
        .layer(middleware::from_fn(refresh_session))
        .layer(sessions)
        .layer(middleware::from_fn(security::check_server_fn_input))
        .layer(middleware::from_fn_with_state(
            security.clone(),
            security::require_same_origin,
        ))
        .layer(RequestBodyLimitLayer::new(security::MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            security,
            security::client_address,
        ))
        .layer(middleware::from_fn_with_state(
            (hashed_assets, settings.public_origin.https),
            security::security_headers,
        ))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            settings.request_timeout,
        ))
        // Server functions run in a task of their own, outside the request's span: the span
        // travels in the request's extensions, where app::ssr::auth finds it.
        .layer(middleware::from_fn(
            |mut request: Request, next: Next| async move {
                request.extensions_mut().insert(tracing::Span::current());
                next.run(request).await
            },
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(middleware::from_fn(metrics::track));
    // The probes sit outside the session, security and trace layers: a load balancer asking
    // every second creates no session and fills no log.
    health.merge(app)
}

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting connections and
/// lets the requests in flight finish for at most `deadline`. `Ok(false)`: some were still
/// running at the deadline (they are dropped with the process).
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    deadline: Duration,
) -> std::io::Result<bool> {
    use std::future::IntoFuture;
    let (stopping, mut stop_requested) = tokio::sync::watch::channel(false);
    // The socket peer is the client address the sign-in limits key on.
    let serving = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stopping.send(true);
    })
    .into_future();
    let cut_off = async {
        let _ = stop_requested.wait_for(|stop| *stop).await;
        tokio::time::sleep(deadline).await;
    };
    tokio::select! {
        served = serving => served.map(|()| true),
        () = cut_off => Ok(false),
    }
}

/// `GET /healthz`: the process is up and serving (it reads nothing).
async fn healthz() -> (StatusCode, &'static str) {
    (StatusCode::OK, "ok")
}

/// `GET /readyz`: the database answers within 2 seconds and holds every migration this build
/// knows (an instance of a newer build waits until its migrations ran). 503 otherwise, with no
/// internal detail.
async fn readyz(axum::Extension(pool): axum::Extension<PgPool>) -> (StatusCode, &'static str) {
    let known: Vec<i64> = MIGRATOR
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| m.version)
        .collect();
    let check = async {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from _sqlx_migrations where success and version = any($1)",
        )
        .bind(&known)
        .fetch_one(&pool)
        .await
    };
    match tokio::time::timeout(Duration::from_secs(2), check).await {
        Ok(Ok(applied)) if applied == known.len() as i64 => (StatusCode::OK, "ready"),
        Ok(Ok(_)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: database migrations pending",
        ),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: database unreachable",
            )
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: database unreachable",
        ),
    }
}

/// One span per request: the method and path (never the query string, where a search's terms
/// are client names, nor a body), then the user and organization once the session is read
/// (`app::ssr::auth` records them).
fn request_span(request: &Request) -> tracing::Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = request.uri().path(),
        user_id = tracing::field::Empty,
        organization_id = tracing::field::Empty,
    )
}

/// Keeps an active session alive (its idle expiry slides), saving it at most every few minutes.
async fn refresh_session(
    session: tower_sessions::Session,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    app::ssr::auth::refresh_session(&session).await;
    response
}

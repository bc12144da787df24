//! The Threshold server: configuration, the router and its layers. `main.rs` is the CLI.

pub mod bench;

use app::{shell, App};
use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::{postgres::PgPoolOptions, PgPool};
use std::time::Duration;
use tower_http::{compression::CompressionLayer, timeout::TimeoutLayer, trace::TraceLayer};
use tower_sessions::{cookie::SameSite, CachingSessionStore, Expiry, SessionManagerLayer};
use tower_sessions_moka_store::MokaStore;
use tower_sessions_sqlx_store::PostgresStore;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// How long an idle session lasts: caseworkers handle private data on shared tablets.
pub const SESSION_IDLE: Duration = Duration::from_secs(60 * 60);

pub async fn connect(database_url: &str) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .connect(database_url)
        .await
}

/// Runs the migrations and creates the session table.
pub async fn prepare_database(pool: &PgPool) -> Result<PostgresStore, Box<dyn std::error::Error>> {
    MIGRATOR.run(pool).await?;
    let store = PostgresStore::new(pool.clone());
    store.migrate().await?;
    Ok(store)
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
    /// Send the session cookie over HTTPS only (set THRESHOLD_SECURE_COOKIES=1 behind TLS).
    pub secure_cookies: bool,
}

impl Settings {
    pub fn from_env() -> Self {
        Settings {
            secure_cookies: std::env::var("THRESHOLD_SECURE_COOKIES")
                .is_ok_and(|v| v == "1" || v == "true"),
        }
    }
}

/// The whole application: Leptos pages and server functions, sessions, and the safety layers.
pub fn router(
    pool: PgPool,
    store: PostgresStore,
    options: LeptosOptions,
    settings: &Settings,
) -> Router {
    let hashed_assets = options.hash_files;
    let routes = generate_route_list(App);
    let context_pool = pool.clone();
    let fallback_pool = pool.clone();
    // Sessions live in PostgreSQL; a small in-process cache in front saves a query per request
    // (one server process; revocation is checked against the users/memberships tables anyway).
    let store = CachingSessionStore::new(MokaStore::new(Some(10_000)), store);
    let sessions = SessionManagerLayer::new(store)
        .with_name("threshold_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.secure_cookies)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::seconds(SESSION_IDLE.as_secs() as i64),
        ));

    Router::new()
        .leptos_routes_with_context(
            &options,
            routes,
            move || provide_context(context_pool.clone()),
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
            move || provide_context(fallback_pool.clone()),
            shell,
        ))
        .with_state(options)
        .layer(axum::Extension(pool))
        .layer(middleware::from_fn(refresh_session))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(
            hashed_assets,
            security_headers,
        ))
        .layer(middleware::from_fn(require_same_origin))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
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

/// Refuses a state-changing request unless its Origin (or, failing that, its Referer) is this
/// site: a cross-site form or script cannot act with a user's session.
pub async fn require_same_origin(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || same_origin(request.headers()) {
        next.run(request).await
    } else {
        tracing::warn!(method = %request.method(), uri = %request.uri(), "cross-origin request refused");
        (
            StatusCode::FORBIDDEN,
            "Request refused: it did not come from this site.",
        )
            .into_response()
    }
}

fn same_origin(headers: &axum::http::HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let matches_host = |value: &str| {
        let rest = value
            .strip_prefix("http://")
            .or_else(|| value.strip_prefix("https://"));
        rest.map(|r| r.split('/').next() == Some(host))
            .unwrap_or(false)
    };
    match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        Some(origin) => matches_host(origin),
        None => headers
            .get(header::REFERER)
            .and_then(|r| r.to_str().ok())
            .is_some_and(matches_host),
    }
}

/// Pages carry personal data: never cache them, never frame them. The CSS, JS and WASM under
/// `/pkg/` carry no personal data; when their names hold a content hash (`hashed_assets`), a
/// browser keeps them for a year without asking again.
async fn security_headers(
    axum::extract::State(hashed_assets): axum::extract::State<bool>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let is_asset = request.uri().path().starts_with("/pkg/");
    let mut response = next.run(request).await;
    if is_asset && hashed_assets && response.status() == StatusCode::OK {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !is_asset {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn origin_must_match_host() {
        assert!(same_origin(&headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::ORIGIN, "http://127.0.0.1:3000")
        ])));
        assert!(!same_origin(&headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::ORIGIN, "http://evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::ORIGIN, "http://127.0.0.1:30001")
        ])));
        assert!(!same_origin(&headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::ORIGIN, "null")
        ])));
    }

    #[test]
    fn referer_is_the_fallback_and_absence_is_refused() {
        assert!(same_origin(&headers(&[
            (header::HOST, "a:1"),
            (header::REFERER, "http://a:1/clients")
        ])));
        assert!(!same_origin(&headers(&[
            (header::HOST, "a:1"),
            (header::REFERER, "http://b:1/")
        ])));
        assert!(!same_origin(&headers(&[(header::HOST, "a:1")])));
    }
}

//! Server-only plumbing shared by the features' server functions: the pool, the signed-in actor,
//! audit rows, constraint messages and demo data. Compiled only with the `ssr` feature.

pub mod audit;
pub mod auth;
pub mod constraints;
pub mod demo;
pub mod mail;
pub mod passwords;
pub mod scope;
pub mod sessions;
pub mod throttle;

use crate::error::AppError;
use leptos::prelude::*;
use sqlx::PgPool;

/// The pool the server provides as context to every server function.
#[track_caller]
pub fn pool() -> Result<PgPool, AppError> {
    let caller = std::panic::Location::caller();
    use_context::<PgPool>().ok_or_else(|| {
        tracing::error!(%caller, "no PgPool in context");
        AppError::Internal
    })
}

/// Commits `tx` in a task of its own, so that it ends exactly once. A request dropped while its
/// COMMIT is on the wire (the browser went away, the request timed out) would otherwise leave
/// sqlx believing the transaction still open: its ROLLBACK would follow the COMMIT on the pooled
/// connection (PostgreSQL: "there is no transaction in progress"), and the caller could not tell
/// whether the write landed. In a task, the COMMIT completes whatever happens to the request.
pub async fn commit(tx: sqlx::Transaction<'static, sqlx::Postgres>) -> Result<(), sqlx::Error> {
    tokio::spawn(tx.commit())
        .await
        .map_err(|_| sqlx::Error::WorkerCrashed)?
}

/// Rolls `tx` back in a task of its own (see [`commit`]).
pub async fn rollback(tx: sqlx::Transaction<'static, sqlx::Postgres>) -> Result<(), sqlx::Error> {
    tokio::spawn(tx.rollback())
        .await
        .map_err(|_| sqlx::Error::WorkerCrashed)?
}

/// Every server function ends here: the error's status code goes on the response, and
/// internal errors are logged (their text never reaches the user).
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        set_error_status(error);
    }
    result
}

/// Puts an error's status code (and `Retry-After`, when it asks the caller to wait) on the
/// response of this server function call. A plain HTML form post (no JavaScript) is answered
/// with a redirect back to the form that carries the error in its URL; a status set here would
/// replace that redirect.
pub fn set_error_status(error: &AppError) {
    if is_plain_form_post() {
        return;
    }
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(error.status()) {
            response.set_status(status);
        }
        if let Some(seconds) = error.retry_after() {
            response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
    }
}

/// Whether this server function call is an HTML form posted without JavaScript (the browser
/// then follows a redirect instead of reading the function's JSON answer).
pub fn is_plain_form_post() -> bool {
    use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

/// After a form posted without JavaScript, sends the browser to `url` (a form page that then
/// says "Saved."); with JavaScript the page stays and reloads itself.
pub fn redirect_plain_form_post(url: &str) {
    if is_plain_form_post() {
        leptos_axum::redirect(url);
    }
}

/// Today in the server's time zone (the CoC's local day).
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

//! `GET /exports/{id}/download`: streams a ready export's ZIP to the user who made it, while
//! they still may export its CoC. Each download is audited.

use super::api::exportable_cocs;
use crate::ssr::{audit, auth};
use axum::{
    body::Body,
    extract::{Extension, Path},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::json;
use sqlx::PgPool;
use tower_sessions::Session;

fn refuse(status: StatusCode, message: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

pub async fn download(
    Extension(pool): Extension<PgPool>,
    session: Session,
    Path(id): Path<i64>,
) -> Response {
    match serve(&pool, &session, id).await {
        Ok(response) => response,
        Err(response) => response,
    }
}

async fn serve(pool: &PgPool, session: &Session, id: i64) -> Result<Response, Response> {
    let internal = |error: &dyn std::fmt::Display| {
        tracing::error!(export = id, %error, "export download failed");
        refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The export could not be sent. Try again.",
        )
    };
    let signed_in = auth::read_session_auth(session)
        .await
        .map_err(|e| internal(&e))?;
    let Some(session_auth) = signed_in else {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "Please sign in to download the export.",
        ));
    };
    let actor = auth::load_actor(pool, &session_auth)
        .await
        .map_err(|e| internal(&e))?
        .filter(|a| !a.must_change_password)
        .ok_or_else(|| {
            refuse(
                StatusCode::UNAUTHORIZED,
                "Please sign in to download the export.",
            )
        })?;
    let cocs = exportable_cocs(pool, &actor).await.map_err(|_| {
        refuse(
            StatusCode::FORBIDDEN,
            "Your Workgroup and Organization do not allow HMIS exports.",
        )
    })?;
    let row: Option<(String, String, Option<String>, chrono::NaiveDate, String)> = sqlx::query_as(
        "select coc_code, status, file_path, end_date, export_id from hmis_exports
          where id = $1 and created_by = $2 and deleted_at is null",
    )
    .bind(id)
    .bind(actor.user_id)
    .fetch_optional(pool)
    .await
    .map_err(|e| internal(&e))?;
    let not_found = || refuse(StatusCode::NOT_FOUND, "Not found.");
    let (coc, status, path, end_date, export_id) = row.ok_or_else(not_found)?;
    if !cocs.iter().any(|(code, _)| *code == coc) {
        return Err(not_found());
    }
    let Some(path) = path.filter(|_| status == "ready") else {
        return Err(refuse(
            StatusCode::GONE,
            "This export is not available for download: create it again.",
        ));
    };
    let file = tokio::fs::File::open(&path).await.map_err(|_| {
        refuse(
            StatusCode::GONE,
            "This export is no longer on the server: create it again.",
        )
    })?;
    let size = file.metadata().await.map(|m| m.len()).ok();

    let mut tx = pool.begin().await.map_err(|e| internal(&e))?;
    audit::record(
        &mut tx,
        &actor,
        audit::Change {
            action: "export.download",
            entity: "hmis_export",
            entity_id: Some(id),
            before: None,
            after: Some(json!({ "CoC": coc, "ExportID": export_id })),
        },
    )
    .await
    .map_err(|e| internal(&e))?;
    tx.commit().await.map_err(|e| internal(&e))?;

    let name = format!("HMIS_CSV_FY2026_{coc}_{end_date}.zip");
    let mut response = Body::from_stream(tokio_util::io::ReaderStream::new(file)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/zip"),
    );
    if let Ok(value) = header::HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Some(size) = size {
        headers.insert(header::CONTENT_LENGTH, header::HeaderValue::from(size));
    }
    Ok(response)
}

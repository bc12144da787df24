//! `GET /exports/{id}/download`: streams a ready export's ZIP to the user who made it, while
//! they still may export its CoC and for [`KEEP_FOR_HOURS`] after it was made (an older ZIP is
//! removed when asked for). Each download is audited. A `HEAD` request gets the headers only and
//! is not audited (nothing is sent); a request from another site is refused.

use super::api::exportable_cocs;
use super::job::{remove_expired, KEEP_FOR_HOURS};
use crate::ssr::{audit, auth};
use axum::{
    body::Body,
    extract::{Extension, Path},
    http::{header, HeaderMap, Method, StatusCode},
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

/// Whether the request was started by another site: a link or form elsewhere would otherwise
/// download the file with the user's session (the cookie is `SameSite=Lax`, which a top-level
/// link carries). `Sec-Fetch-Site` (sent by current browsers) must be `same-origin` or `none`
/// (a typed address or bookmark); `same-site` is refused too (another app on a sibling host).
/// An `Origin`, when sent, must be this site's.
pub fn from_another_site(headers: &HeaderMap) -> bool {
    let fetch_site = headers
        .get("sec-fetch-site")
        .map(|v| v.to_str().unwrap_or(""));
    if fetch_site.is_some_and(|site| !matches!(site, "same-origin" | "none")) {
        return true;
    }
    match headers.get(header::ORIGIN) {
        None => false,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
            let origin_host = origin.to_str().ok().and_then(|o| {
                o.strip_prefix("http://")
                    .or_else(|| o.strip_prefix("https://"))
            });
            !matches!((host, origin_host), (Some(host), Some(origin)) if host == origin)
        }
    }
}

pub async fn download(
    Extension(pool): Extension<PgPool>,
    session: Session,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    if from_another_site(&headers) {
        tracing::warn!(export = id, "cross-site export download refused");
        return refuse(
            StatusCode::FORBIDDEN,
            "Download refused: open the HMIS CSV export page of this site and download the file there.",
        );
    }
    match serve(&pool, &session, id, method == Method::HEAD).await {
        Ok(response) => response,
        Err(response) => response,
    }
}

async fn serve(
    pool: &PgPool,
    session: &Session,
    id: i64,
    head_only: bool,
) -> Result<Response, Response> {
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
    // ZIPs past their time are removed (this one too, if it is one of them) before the look-up.
    remove_expired(pool).await.map_err(|e| internal(&e))?;
    let row = sqlx::query!(
        r#"select coc_code, status, file_size, end_date, export_id,
                  status = 'expired' or (status = 'ready' and finished_at < now() - make_interval(hours => $3::int)) as "expired!",
                  (select count(*) from hmis_export_chunks c where c.export_row = hmis_exports.id) as "chunks!"
             from hmis_exports
            where id = $1 and created_by = $2 and deleted_at is null"#,
        id,
        actor.user_id,
        KEEP_FOR_HOURS as i32,
    )
    .fetch_optional(pool)
    .await
    .map_err(|e| internal(&e))?;
    let not_found = || refuse(StatusCode::NOT_FOUND, "Not found.");
    let row = row.ok_or_else(not_found)?;
    let coc = row.coc_code;
    if !cocs.iter().any(|(code, _)| *code == coc) {
        return Err(not_found());
    }
    if row.expired {
        // It turned 24 hours old between the clean-up and the look-up: remove it now.
        if row.status == "ready" {
            remove_expired(pool).await.map_err(|e| internal(&e))?;
        }
        return Err(refuse(
            StatusCode::GONE,
            "This export was removed from the server 24 hours after it was made: create it again.",
        ));
    }
    let stored = row.chunks;
    let Some(size) = row
        .file_size
        .filter(|_| row.status == "ready" && stored > 0)
    else {
        return Err(refuse(
            StatusCode::GONE,
            "This export is not available for download: create it again.",
        ));
    };
    let (end_date, export_id) = (row.end_date, row.export_id);
    let size = u64::try_from(size).ok();
    let name = format!("HMIS_CSV_FY2026_{coc}_{end_date}.zip");

    if head_only {
        // Nothing is sent, so nothing is audited.
        return Ok(with_file_headers(
            Body::empty().into_response(),
            &name,
            size,
        ));
    }
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
    crate::ssr::commit(tx).await.map_err(|e| internal(&e))?;

    let response = Body::from_stream(chunks(pool.clone(), id, stored)).into_response();
    Ok(with_file_headers(response, &name, size))
}

/// The ZIP's pieces in order, one query each: a slow download holds no connection between
/// pieces. An export removed meanwhile ends the stream with an error (the browser shows the
/// download as failed, never as a complete but short file).
fn chunks(
    pool: PgPool,
    id: i64,
    count: i64,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::try_unfold(0i64, move |seq| {
        let pool = pool.clone();
        async move {
            if seq >= count {
                return Ok(None);
            }
            let bytes = sqlx::query_scalar!(
                "select bytes from hmis_export_chunks where export_row = $1 and seq = $2",
                id,
                seq as i32,
            )
            .fetch_optional(&pool)
            .await
            .map_err(std::io::Error::other)?
            .ok_or_else(|| std::io::Error::other("the export was removed during the download"))?;
            Ok(Some((bytes, seq + 1)))
        }
    })
}

fn with_file_headers(mut response: Response, name: &str, size: Option<u64>) -> Response {
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
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(header::HOST, "127.0.0.1:3000".parse().unwrap());
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn only_this_site_or_a_typed_address_downloads() {
        assert!(!from_another_site(&headers(&[])));
        assert!(!from_another_site(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!from_another_site(&headers(&[("sec-fetch-site", "none")])));
        assert!(from_another_site(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(from_another_site(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
        assert!(from_another_site(&headers(&[("sec-fetch-site", "")])));
        assert!(!from_another_site(&headers(&[(
            "origin",
            "http://127.0.0.1:3000"
        )])));
        assert!(from_another_site(&headers(&[(
            "origin",
            "http://evil.example"
        )])));
        assert!(from_another_site(&headers(&[("origin", "null")])));
        assert!(from_another_site(&headers(&[(
            "origin",
            "http://127.0.0.1:30001"
        )])));
        // Both must pass.
        assert!(from_another_site(&headers(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://evil.example")
        ])));
    }
}

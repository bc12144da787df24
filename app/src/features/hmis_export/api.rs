//! Server functions of the HMIS CSV export. A System Administrator exports any CoC; a user
//! working in a CoC's Coordinated Entry organization exports that CoC. Each export is audited
//! (who, which CoC, which period): it carries personal data.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    super::job,
    crate::domain::access::Workgroup,
    crate::domain::dates::format_date,
    crate::domain::export::{validate_export, ExportDraft, ExportPeriodType},
    crate::ssr::{audit, auth, pool, redirect_plain_form_post, respond, today},
    serde_json::json,
};

/// One broken rule: where, and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub file: String,
    /// The line in the file; the header is row 1.
    pub row: u64,
    pub column: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportStatus {
    pub id: i64,
    pub coc: String,
    pub period: String,
    /// running, ready, refused, failed or expired
    pub status: String,
    pub phase: String,
    pub rows_done: i64,
    pub rows_total: Option<i64>,
    pub violation_count: i32,
    pub violations: Vec<Violation>,
    /// Data rows per file.
    pub row_counts: Vec<(String, u64)>,
    pub file_size: Option<i64>,
    pub started: String,
    pub download_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportOverview {
    /// (code, name) of the CoCs this user may export.
    pub cocs: Vec<(String, String)>,
    pub exports: Vec<ExportStatus>,
}

/// The CoCs the actor may export in their applied context; others are refused.
#[cfg(feature = "ssr")]
pub async fn exportable_cocs(
    db: impl sqlx::PgExecutor<'_>,
    actor: &auth::Actor,
) -> Result<Vec<(String, String)>, AppError> {
    let context = actor.context()?;
    let admin = context.workgroup == Workgroup::SystemAdministrator;
    if !admin && context.ce_for_coc.is_none() {
        return Err(AppError::Forbidden);
    }
    Ok(
        sqlx::query_as("select code, name from cocs where $1 or code = $2 order by code")
            .bind(admin)
            .bind(&context.ce_for_coc)
            .fetch_all(db)
            .await?,
    )
}

#[server(endpoint = "export/list")]
pub async fn list_exports() -> Result<ExportOverview, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let pool = pool()?;
            let cocs = exportable_cocs(&pool, &actor).await?;
            let codes: Vec<String> = cocs.iter().map(|(c, _)| c.clone()).collect();
            type Row = (
                i64,
                String,
                i16,
                chrono::NaiveDate,
                chrono::NaiveDate,
                String,
                Option<String>,
                i64,
                Option<i64>,
                i32,
                Option<serde_json::Value>,
                Option<serde_json::Value>,
                Option<i64>,
                chrono::DateTime<chrono::Utc>,
            );
            let rows: Vec<Row> = sqlx::query_as(
                "select id, coc_code, period_type, start_date, end_date, status, phase, rows_done, rows_total,
                        violation_count, violations, row_counts, file_size, started_at
                   from hmis_exports
                  where created_by = $1 and deleted_at is null and coc_code = any($2)
                  order by started_at desc, id desc limit 10",
            )
            .bind(actor.user_id)
            .bind(&codes)
            .fetch_all(&pool)
            .await?;
            let exports = rows
                .into_iter()
                .map(|(id, coc, period, start, end, status, phase, done, total, count, violations, counts, size, started)| {
                    let kind = match ExportPeriodType::from_code(period) {
                        Some(ExportPeriodType::Updated) => "Updated",
                        _ => "Reporting period",
                    };
                    ExportStatus {
                        id,
                        period: format!("{kind}, {} – {}", format_date(start), format_date(end)),
                        download_url: (status == "ready").then(|| format!("/exports/{id}/download")),
                        coc,
                        status,
                        phase: phase.unwrap_or_default(),
                        rows_done: done,
                        rows_total: total,
                        violation_count: count,
                        violations: violations.and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default(),
                        row_counts: counts.and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default(),
                        file_size: size,
                        started: started.with_timezone(&chrono::Local).format("%m/%d/%Y %-I:%M %p").to_string(),
                    }
                })
                .collect();
            Ok(ExportOverview { cocs, exports })
        }
        .await,
    )
}

/// Starts an export; its progress and outcome appear in [`list_exports`].
#[server(endpoint = "export/start")]
pub async fn start_export(
    coc_code: String,
    #[server(default)] period_type: String,
    #[server(default)] start_date: String,
    #[server(default)] end_date: String,
) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let pool = pool()?;
            let cocs: Vec<String> = exportable_cocs(&pool, &actor).await?.into_iter().map(|(c, _)| c).collect();
            let draft = ExportDraft { coc_code, period_type, start_date, end_date };
            let request = validate_export(&draft, &cocs, today()).map_err(AppError::Invalid)?;
            job::remove_expired(&pool).await?;
            let context = actor.context()?;
            let mut tx = pool.begin().await?;
            let export_id = uuid::Uuid::new_v4().simple().to_string();
            let (id,): (i64,) = sqlx::query_as(
                "insert into hmis_exports (export_id, coc_code, period_type, start_date, end_date, phase, organization_id, created_by, updated_by)
                 values ($1, $2, $3, $4, $5, 'Waiting to start', $6, $7, $7) returning id",
            )
            .bind(&export_id)
            .bind(&request.coc_code)
            .bind(request.period_type.code())
            .bind(request.start_date)
            .bind(request.end_date)
            .bind(context.organization_id)
            .bind(actor.user_id)
            .fetch_one(&mut *tx)
            .await?;
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: "export.create",
                    entity: "hmis_export",
                    entity_id: Some(id),
                    before: None,
                    after: Some(json!({
                        "CoC": request.coc_code,
                        "ExportPeriodType": request.period_type.label(),
                        "ExportStartDate": format_date(request.start_date),
                        "ExportEndDate": format_date(request.end_date),
                        "ExportID": export_id,
                    })),
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            // Whichever instance's worker is free takes it up; this instance's at once.
            job::wake_workers();
            redirect_plain_form_post("/export");
            Ok(id)
        }
        .await,
    )
}

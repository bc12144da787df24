//! Runs one export away from the web server: on its own thread and runtime, with its own
//! database connections, so a CoC-size export never slows the pages people are using.
//!
//! Phases: write the files (one consistent snapshot), check them with the validator, then
//! either zip them for download or refuse with the list of violations. Progress is written to
//! the export's row twice a second; the export page polls it.

use super::validate::{validate_dir, Report};
use super::writer::{write_files, Clock, ExportError, ExportHeader, Step};
use crate::domain::export::{ExportPeriodType, ExportRequest};
use chrono::NaiveDate;
use serde_json::json;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a ready ZIP stays on the server: it holds personal data.
pub const KEEP_FOR_HOURS: i64 = 24;

/// Where exports are written: `THRESHOLD_EXPORT_DIR`, or a folder in the system's temp dir.
pub fn export_root() -> PathBuf {
    std::env::var_os("THRESHOLD_EXPORT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("threshold-exports"))
}

/// What happened to an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ready { path: PathBuf, size: u64 },
    Refused(Report),
}

/// An export's outcome and how long each phase took.
#[derive(Debug, Clone)]
pub struct Finished {
    pub outcome: Outcome,
    pub phases: Vec<(&'static str, Duration)>,
}

/// What the export page shows while the export runs. `total` counts every row twice (written,
/// then checked), exactly as `done` does, so `done` ends equal to `total` when the export is
/// ready and never passes it.
#[derive(Debug, Default, Clone)]
struct Progress {
    phase: String,
    done: u64,
    total: u64,
}

/// Starts the export of row `id` on a thread of its own.
pub fn spawn(pool: &PgPool, id: i64) {
    let options = (*pool.connect_options()).clone();
    let started = std::thread::Builder::new()
        .name(format!("hmis-export-{id}"))
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            match runtime {
                Ok(runtime) => runtime.block_on(async move {
                    if let Err(error) = run(&options, id, &export_root(), Clock::server()).await {
                        tracing::error!(export = id, %error, "HMIS CSV export failed");
                    }
                }),
                Err(error) => {
                    tracing::error!(export = id, %error, "no runtime for the HMIS CSV export")
                }
            }
        });
    if let Err(error) = started {
        tracing::error!(export = id, %error, "could not start the HMIS CSV export");
    }
}

/// Runs the export of row `id` to its end, recording the outcome on the row (also on failure).
pub async fn run(
    options: &PgConnectOptions,
    id: i64,
    root: &Path,
    clock: Clock,
) -> Result<Finished, ExportError> {
    let mut status = PgConnection::connect_with(options).await?;
    let progress = Arc::new(Mutex::new(Progress {
        phase: "Selecting records".into(),
        ..Default::default()
    }));
    let result = run_phases(options, &mut status, id, root, clock, &progress).await;
    // The last progress, which the reporter may not have written yet.
    let last = progress.lock().map(|p| p.clone()).unwrap_or_default();
    let (state, phase, counts, violations, total, path, size) = match &result {
        Ok((
            Finished {
                outcome: Outcome::Ready { path, size },
                ..
            },
            counts,
        )) => (
            "ready",
            "Ready to download".to_string(),
            Some(json!(counts)),
            None,
            0,
            Some(path.to_string_lossy().to_string()),
            Some(*size as i64),
        ),
        Ok((
            Finished {
                outcome: Outcome::Refused(report),
                ..
            },
            counts,
        )) => (
            "refused",
            format!("Refused: {} problem(s) to fix", report.total),
            Some(json!(counts)),
            Some(json!(report.violations)),
            report.total as i32,
            None,
            None,
        ),
        Err(error) => {
            tracing::error!(export = id, %error, "HMIS CSV export failed");
            ("failed", "The export could not be completed. Try again; if it keeps failing, contact your HMIS administrator.".to_string(), None, None, 0, None, None)
        }
    };
    sqlx::query(
        "update hmis_exports set status = $2, phase = $3, row_counts = $4, violations = $5, violation_count = $6,
                file_path = $7, file_size = $8, rows_done = $9, rows_total = $10,
                finished_at = now(), version = version + 1, updated_at = now()
          where id = $1",
    )
    .bind(id)
    .bind(state)
    .bind(phase)
    .bind(counts)
    .bind(violations)
    .bind(total)
    .bind(path)
    .bind(size)
    .bind(last.done as i64)
    .bind(last.total as i64)
    .execute(&mut status)
    .await?;
    result.map(|(finished, _)| finished)
}

type Counts = Vec<(String, u64)>;

async fn run_phases(
    options: &PgConnectOptions,
    status: &mut PgConnection,
    id: i64,
    root: &Path,
    clock: Clock,
    progress: &Arc<Mutex<Progress>>,
) -> Result<(Finished, Counts), ExportError> {
    let header = load_header(status, id).await?;
    let dir = root.join(&header.export_id);
    let zip_path = root.join(format!("{}.zip", header.export_id));
    create_private_dir(&dir)?;

    // Progress goes to the row from this task while the work runs.
    let reporter = {
        let progress = progress.clone();
        let mut conn = PgConnection::connect_with(options).await?;
        tokio::spawn(async move {
            let mut last = (String::new(), u64::MAX);
            loop {
                let now = progress.lock().map(|p| p.clone()).unwrap_or_default();
                if (now.phase.clone(), now.done) != last {
                    let _ = sqlx::query("update hmis_exports set phase = $2, rows_done = $3, rows_total = $4, updated_at = now() where id = $1 and status = 'running'")
                        .bind(id)
                        .bind(&now.phase)
                        .bind(now.done as i64)
                        .bind(now.total as i64)
                        .execute(&mut conn)
                        .await;
                    last = (now.phase, now.done);
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        })
    };

    let mut phases = Vec::new();
    let mut clock_started = std::time::Instant::now();
    let mut lap = |name: &'static str, phases: &mut Vec<(&'static str, Duration)>| {
        phases.push((name, clock_started.elapsed()));
        clock_started = std::time::Instant::now();
    };
    let result = async {
        let mut reader = PgConnection::connect_with(options).await?;
        // One snapshot for every file. (Not READ ONLY: the export fills temporary tables.)
        sqlx::query("begin isolation level repeatable read")
            .execute(&mut reader)
            .await?;
        let counts = {
            let progress = progress.clone();
            let mut on_step = move |step: Step| {
                if let Ok(mut p) = progress.lock() {
                    match step {
                        // Each row is written, then read again by the validator.
                        Step::Total(more) => p.total += more * 2,
                        Step::File(name) => p.phase = format!("Writing {name}"),
                        Step::Rows(n) => p.done += n,
                    }
                }
            };
            write_files(&mut reader, &header, clock, &dir, &mut on_step).await?
        };
        sqlx::query("rollback").execute(&mut reader).await?;
        let counts: Counts = counts
            .into_iter()
            .map(|(f, n)| (f.to_string(), n))
            .collect();
        lap("Write the files", &mut phases);

        if let Ok(mut p) = progress.lock() {
            p.phase = "Checking HUD's rules".into();
        }
        let report = {
            let progress = progress.clone();
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || {
                validate_dir(&dir, &mut |n| {
                    if let Ok(mut p) = progress.lock() {
                        p.done += n;
                    }
                })
            })
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))??
        };
        lap("Check HUD's rules", &mut phases);
        if !report.is_clean() {
            return Ok((Outcome::Refused(report), counts));
        }
        if let Ok(mut p) = progress.lock() {
            p.phase = "Compressing".into();
        }
        let size = {
            let dir = dir.clone();
            let zip_path = zip_path.clone();
            tokio::task::spawn_blocking(move || zip_dir(&dir, &zip_path))
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))??
        };
        lap("Compress", &mut phases);
        Ok::<_, ExportError>((
            Outcome::Ready {
                path: zip_path.clone(),
                size,
            },
            counts,
        ))
    }
    .await
    .map(|(outcome, counts)| {
        (
            Finished {
                outcome,
                phases: phases.clone(),
            },
            counts,
        )
    });
    reporter.abort();
    // The loose CSV files never outlive the job: the ZIP is what is kept (and only when valid).
    let _ = std::fs::remove_dir_all(&dir);
    if result.is_err() {
        // A ZIP cut short (a full disk, say) holds personal data too.
        let _ = std::fs::remove_file(&zip_path);
    }
    result
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Zips the CSV files of `dir` (in HUD's file order) into `zip_path`; returns its size.
fn zip_dir(dir: &Path, zip_path: &Path) -> std::io::Result<u64> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let mut file_options = std::fs::OpenOptions::new();
    file_options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file_options, 0o600);
    let file = file_options.open(zip_path)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o600);
    for spec in super::spec::FILES {
        zip.start_file(spec.name, options)
            .map_err(std::io::Error::other)?;
        let mut csv = std::fs::File::open(dir.join(spec.name))?;
        std::io::copy(&mut csv, &mut zip)?;
    }
    let mut out = zip.finish().map_err(std::io::Error::other)?;
    out.flush()?;
    Ok(std::fs::metadata(zip_path)?.len())
}

/// The Export.csv facts of row `id`: its request, the exporting user as the contact, the CoC's
/// name and the installation's ImplementationID.
async fn load_header(conn: &mut PgConnection, id: i64) -> Result<ExportHeader, sqlx::Error> {
    type Row = (
        String,
        String,
        i16,
        NaiveDate,
        NaiveDate,
        chrono::DateTime<chrono::Utc>,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        i64,
    );
    let row: Row = sqlx::query_as(
        "select x.export_id, x.coc_code, x.period_type, x.start_date, x.end_date, x.started_at, c.name,
                u.first_name, u.last_name, u.phone, u.email,
                (select id from installation), (select id from users where is_system)
           from hmis_exports x join cocs c on c.code = x.coc_code join users u on u.id = x.created_by
          where x.id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    let (
        export_id,
        coc,
        period,
        start,
        end,
        started,
        coc_name,
        first,
        last,
        phone,
        email,
        implementation,
        system,
    ) = row;
    Ok(ExportHeader {
        export_id,
        request: ExportRequest {
            coc_code: coc,
            period_type: ExportPeriodType::from_code(period)
                .unwrap_or(ExportPeriodType::ReportingPeriod),
            start_date: start,
            end_date: end,
        },
        exported_at: started,
        coc_name,
        contact_first: Some(first),
        contact_last: Some(last),
        contact_phone: phone,
        contact_email: email,
        implementation_id: implementation,
        system_user: system,
    })
}

/// After a restart, an export that was running can never finish: say so, and remove what it
/// left under `root` (its CSV files, a ZIP cut short: they hold personal data). The leftovers of
/// exports that failed earlier go too. Called once when the server starts, before it serves
/// (no export runs then), with [`export_root`].
pub async fn recover_interrupted(pool: &PgPool, root: &Path) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update hmis_exports set status = 'failed', phase = 'Interrupted by a server restart: start the export again.',
                finished_at = now(), version = version + 1, updated_at = now()
          where status = 'running'",
    )
    .execute(pool)
    .await?;
    let failed: Vec<String> =
        sqlx::query_scalar("select export_id from hmis_exports where status = 'failed'")
            .fetch_all(pool)
            .await?;
    for export_id in failed {
        // ExportIDs are the server's own UUIDs; anything else is not a name to delete by.
        if export_id.is_empty() || !export_id.chars().all(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let dir = root.join(&export_id);
        if dir.is_dir() {
            if let Err(error) = std::fs::remove_dir_all(&dir) {
                tracing::error!(%error, dir = %dir.display(), "could not remove an interrupted export's files");
            }
        }
        let _ = std::fs::remove_file(root.join(format!("{export_id}.zip")));
    }
    remove_expired(pool).await
}

/// Removes ZIPs older than [`KEEP_FOR_HOURS`]: they hold personal data.
pub async fn remove_expired(pool: &PgPool) -> Result<(), sqlx::Error> {
    let expired: Vec<(Option<String>,)> = sqlx::query_as(
        "with old as (
             select id, file_path from hmis_exports
              where status = 'ready' and finished_at < now() - make_interval(hours => $1::int) for update)
         update hmis_exports x set status = 'expired', phase = 'Removed from the server after 24 hours: create it again.',
                file_path = null, version = x.version + 1, updated_at = now()
           from old where old.id = x.id
         returning old.file_path",
    )
    .bind(KEEP_FOR_HOURS as i32)
    .fetch_all(pool)
    .await?;
    for (path,) in expired {
        if let Some(path) = path {
            let _ = std::fs::remove_file(path);
        }
    }
    Ok(())
}

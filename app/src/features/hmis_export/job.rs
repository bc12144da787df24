//! Export jobs as shared state: any server instance over the same database takes up a queued
//! export, and its ZIP is stored in PostgreSQL, so the download works from every instance.
//!
//! - A started export is a `queued` row. Each instance runs one [`Worker`]: on its own thread
//!   and runtime, with its own connections, so a CoC-size export never slows the pages. It
//!   claims the oldest queued export with `FOR UPDATE SKIP LOCKED` (two instances never take
//!   the same one) and writes a heartbeat twice a second while it runs.
//! - An export whose heartbeat stopped for [`stale_after`] (its instance was killed or lost the
//!   database) is taken over by the next instance that looks, up to [`MAX_ATTEMPTS`] times;
//!   then it is marked failed. Every write of a job names its claim, so a job that lost its
//!   claim changes nothing.
//! - On a graceful shutdown, [`release_claims`] puts this instance's running export back in
//!   the queue for another instance.
//! - Phases: write the files (one consistent snapshot) into unnamed temporary files
//!   ([`UnnamedFiles`]: nothing with a name on disk, gone with the process), check them with
//!   the validator, then either zip them into `hmis_export_chunks` or refuse with the list of
//!   violations. Progress goes to the export's row; the export page polls it.

use super::files::UnnamedFiles;
use super::validate::{validate_files, Report};
use super::writer::{write_files, Clock, ExportError, ExportHeader, Step};
use crate::domain::export::{ExportPeriodType, ExportRequest};
use serde_json::json;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgExecutor, PgPool};
use std::io::{Read, Seek};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// How long a ready ZIP stays on the server: it holds personal data.
pub const KEEP_FOR_HOURS: i64 = 24;

/// An export is tried this many times (its instance died each time) before it is marked failed.
pub const MAX_ATTEMPTS: i16 = 3;

/// The ZIP is stored in pieces of this size (one row each); the download sends them in order.
pub const CHUNK_BYTES: usize = 1 << 20;

/// How often an idle worker looks for a queued export (a start on the same instance wakes it
/// at once).
const POLL: Duration = Duration::from_secs(1);

/// A running export whose heartbeat is older than this is taken over:
/// `THRESHOLD_EXPORT_STALE_SECONDS`, 30 by default (heartbeats come every half second).
pub fn stale_after() -> Duration {
    let seconds = std::env::var("THRESHOLD_EXPORT_STALE_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| (1..=3600).contains(s))
        .unwrap_or(30);
    Duration::from_secs(seconds)
}

static WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Wakes this process's idle workers: an export was queued.
pub fn wake_workers() {
    WAKE.notify_waiters();
}

/// What happened to an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ready { size: u64 },
    Refused(Report),
}

/// An export's outcome and how long each phase took.
#[derive(Debug, Clone)]
pub struct Finished {
    pub outcome: Outcome,
    pub phases: Vec<(&'static str, Duration)>,
}

/// The right of one worker to run export `id`, until `token` is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    pub id: i64,
    pub token: Uuid,
    pub attempt: i16,
}

/// A name for this process in `claimed_by`: host, process id and a random part.
pub fn instance_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "server".into());
    let random = Uuid::new_v4().simple().to_string();
    format!("{host}:{}:{}", std::process::id(), &random[..8])
}

/// Marks failed the stale exports that used their attempts, then claims the oldest queued or
/// stale export, if any.
pub async fn claim_next(pool: &PgPool, instance: &str) -> Result<Option<Claim>, sqlx::Error> {
    let stale = stale_after().as_secs_f64();
    sqlx::query!(
        "update hmis_exports
            set status = 'failed', phase = 'The export stopped each time it was tried: start it again.',
                finished_at = now(), version = version + 1, updated_at = now()
          where status = 'running' and heartbeat_at < now() - make_interval(secs => $1)
            and attempts >= $2",
        stale,
        MAX_ATTEMPTS,
    )
    .execute(pool)
    .await?;
    let token = Uuid::new_v4();
    let claimed = sqlx::query!(
        "with next as (
             select id from hmis_exports
              where deleted_at is null
                and (status = 'queued'
                     or (status = 'running' and heartbeat_at < now() - make_interval(secs => $1)))
              order by started_at, id
              limit 1
              for update skip locked)
         update hmis_exports x
            set status = 'running', claim = $2, claimed_by = $3, heartbeat_at = now(),
                attempts = x.attempts + 1, phase = 'Selecting records', rows_done = 0,
                rows_total = null, version = x.version + 1, updated_at = now()
           from next where x.id = next.id
         returning x.id, x.attempts",
        stale,
        token,
        instance,
    )
    .fetch_optional(pool)
    .await?;
    Ok(claimed.map(|row| Claim {
        id: row.id,
        token,
        attempt: row.attempts,
    }))
}

/// Puts the running exports `instance` claimed back in the queue (a graceful shutdown): another
/// instance starts them again. Returns how many.
pub async fn release_claims(pool: &PgPool, instance: &str) -> Result<u64, sqlx::Error> {
    let released = sqlx::query!(
        "update hmis_exports
            set status = 'queued', claim = null, claimed_by = null, heartbeat_at = null,
                attempts = greatest(attempts - 1, 0),
                phase = 'Waiting to start (a server stopped; another one takes it up)',
                rows_done = 0, rows_total = null, version = version + 1, updated_at = now()
          where status = 'running' and claimed_by = $1",
        instance,
    )
    .execute(pool)
    .await?;
    Ok(released.rows_affected())
}

/// This process's export worker (see the module's comment). Dropping it stops it.
pub struct Worker {
    pub instance: String,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Worker {
    /// Starts the worker over the database of `options`; unnamed files go to `scratch`.
    pub fn start(options: PgConnectOptions, instance: String, scratch: PathBuf) -> Worker {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            let instance = instance.clone();
            std::thread::Builder::new()
                .name("hmis-export-worker".into())
                .spawn(move || {
                    match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(runtime) => {
                            runtime.block_on(work(options, instance, scratch, stop));
                        }
                        Err(error) => {
                            tracing::error!(%error, "no runtime for the HMIS CSV export worker")
                        }
                    }
                })
        };
        let thread = match thread {
            Ok(thread) => Some(thread),
            Err(error) => {
                tracing::error!(%error, "could not start the HMIS CSV export worker");
                None
            }
        };
        Worker {
            instance,
            stop,
            thread,
        }
    }

    /// Asks the worker to stop taking exports (it ends when its current one does).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        wake_workers();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn work(
    options: PgConnectOptions,
    instance: String,
    scratch: PathBuf,
    stop: Arc<AtomicBool>,
) {
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect_lazy_with(options.clone());
    while !stop.load(Ordering::SeqCst) {
        let woken = WAKE.notified();
        match claim_next(&pool, &instance).await {
            Ok(Some(claim)) => {
                let files = UnnamedFiles::in_folder(scratch.clone());
                if let Err(error) = run(&options, claim, Clock::server(), files).await {
                    tracing::error!(export = claim.id, %error, "HMIS CSV export failed");
                }
                continue;
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "looking for queued HMIS CSV exports failed"),
        }
        let _ = tokio::time::timeout(POLL, woken).await;
    }
    pool.close().await;
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

/// Runs claimed export `claim` to its end and records the outcome on the row (also on failure),
/// unless the claim was lost. `files` holds the CSV files while the job runs.
pub async fn run(
    options: &PgConnectOptions,
    claim: Claim,
    clock: Clock,
    files: UnnamedFiles,
) -> Result<Finished, ExportError> {
    let mut status = PgConnection::connect_with(options).await?;
    let progress = Arc::new(Mutex::new(Progress {
        phase: "Selecting records".into(),
        ..Default::default()
    }));
    let files = Arc::new(files);
    let result = run_phases(options, &mut status, claim, clock, &progress, files).await;
    // The last progress, which the reporter may not have written yet.
    let last = progress.lock().map(|p| p.clone()).unwrap_or_default();
    let recorded = match &result {
        Ok((finished, counts, zip)) => {
            record_outcome(
                &mut status,
                claim,
                &finished.outcome,
                counts,
                zip.as_ref(),
                &last,
            )
            .await
        }
        Err(ExportError::ClaimLost) => Ok(()),
        Err(error) => {
            tracing::error!(export = claim.id, %error, "HMIS CSV export failed");
            record_failure(&mut status, claim, &last).await
        }
    };
    recorded?;
    result.map(|(finished, _, _)| finished)
}

type Counts = Vec<(String, u64)>;

/// Writes the outcome; a ready export's ZIP goes into `hmis_export_chunks` in the same
/// transaction, so a row is never `ready` without its whole file.
async fn record_outcome(
    conn: &mut PgConnection,
    claim: Claim,
    outcome: &Outcome,
    counts: &Counts,
    zip: Option<&std::fs::File>,
    last: &Progress,
) -> Result<(), ExportError> {
    let (state, phase, violations, total, size) = match outcome {
        Outcome::Ready { size } => (
            "ready",
            "Ready to download".to_string(),
            None,
            0,
            Some(*size as i64),
        ),
        Outcome::Refused(report) => (
            "refused",
            format!("Refused: {} problem(s) to fix", report.total),
            Some(json!(report.violations)),
            report.total as i32,
            None,
        ),
    };
    let mut tx = conn.begin().await?;
    let updated = sqlx::query!(
        "update hmis_exports set status = $3, phase = $4, row_counts = $5, violations = $6,
                violation_count = $7, file_size = $8, rows_done = $9, rows_total = $10,
                finished_at = now(), version = version + 1, updated_at = now()
          where id = $1 and claim = $2 and status = 'running'",
        claim.id,
        claim.token,
        state,
        phase,
        json!(counts),
        violations,
        total,
        size,
        last.done as i64,
        last.total as i64,
    )
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        // Taken over (or released) meanwhile: the other claim records the outcome.
        return Err(ExportError::ClaimLost);
    }
    sqlx::query!(
        "delete from hmis_export_chunks where export_row = $1",
        claim.id
    )
    .execute(&mut *tx)
    .await?;
    if let Some(zip) = zip {
        let mut reader = std::io::BufReader::new(zip);
        reader.seek(std::io::SeekFrom::Start(0))?;
        let mut seq = 0i32;
        loop {
            let mut chunk = Vec::with_capacity(CHUNK_BYTES);
            (&mut reader)
                .take(CHUNK_BYTES as u64)
                .read_to_end(&mut chunk)?;
            if chunk.is_empty() {
                break;
            }
            sqlx::query!(
                "insert into hmis_export_chunks (export_row, seq, bytes) values ($1, $2, $3)",
                claim.id,
                seq,
                chunk,
            )
            .execute(&mut *tx)
            .await?;
            seq += 1;
        }
    }
    tx.commit().await?;
    Ok(())
}

async fn record_failure(
    conn: &mut PgConnection,
    claim: Claim,
    last: &Progress,
) -> Result<(), ExportError> {
    sqlx::query!(
        "update hmis_exports
            set status = 'failed',
                phase = 'The export could not be completed. Try again; if it keeps failing, contact your HMIS administrator.',
                rows_done = $3, rows_total = $4, finished_at = now(), version = version + 1, updated_at = now()
          where id = $1 and claim = $2 and status = 'running'",
        claim.id,
        claim.token,
        last.done as i64,
        last.total as i64,
    )
    .execute(conn)
    .await?;
    Ok(())
}

async fn run_phases(
    options: &PgConnectOptions,
    status: &mut PgConnection,
    claim: Claim,
    clock: Clock,
    progress: &Arc<Mutex<Progress>>,
    files: Arc<UnnamedFiles>,
) -> Result<(Finished, Counts, Option<std::fs::File>), ExportError> {
    let header = load_header(status, claim.id).await?;
    let lost = Arc::new(AtomicBool::new(false));

    // Progress and the heartbeat go to the row from this task while the work runs.
    let reporter = {
        let progress = progress.clone();
        let lost = lost.clone();
        let mut conn = PgConnection::connect_with(options).await?;
        tokio::spawn(async move {
            loop {
                let now = progress.lock().map(|p| p.clone()).unwrap_or_default();
                let beat = sqlx::query!(
                    "update hmis_exports set phase = $3, rows_done = $4, rows_total = $5,
                            heartbeat_at = now(), updated_at = now()
                      where id = $1 and claim = $2 and status = 'running'",
                    claim.id,
                    claim.token,
                    now.phase,
                    now.done as i64,
                    now.total as i64,
                )
                .execute(&mut conn)
                .await;
                match beat {
                    Ok(done) if done.rows_affected() == 0 => {
                        lost.store(true, Ordering::SeqCst);
                        break;
                    }
                    Ok(_) => {}
                    Err(error) => {
                        tracing::warn!(export = claim.id, %error, "export heartbeat failed")
                    }
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        })
    };
    let still_claimed = || {
        if lost.load(Ordering::SeqCst) {
            Err(ExportError::ClaimLost)
        } else {
            Ok(())
        }
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
            write_files(&mut reader, &header, clock, &*files, &mut on_step).await?
        };
        sqlx::query("rollback").execute(&mut reader).await?;
        let counts: Counts = counts
            .into_iter()
            .map(|(f, n)| (f.to_string(), n))
            .collect();
        lap("Write the files", &mut phases);
        still_claimed()?;

        if let Ok(mut p) = progress.lock() {
            p.phase = "Checking HUD's rules".into();
        }
        let report = {
            let progress = progress.clone();
            let files = files.clone();
            tokio::task::spawn_blocking(move || {
                validate_files(&*files, &mut |n| {
                    if let Ok(mut p) = progress.lock() {
                        p.done += n;
                    }
                })
            })
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))??
        };
        lap("Check HUD's rules", &mut phases);
        still_claimed()?;
        if !report.is_clean() {
            return Ok((Outcome::Refused(report), counts, None));
        }
        if let Ok(mut p) = progress.lock() {
            p.phase = "Compressing".into();
        }
        let (zip, size) = {
            let files = files.clone();
            tokio::task::spawn_blocking(move || zip_files(&files))
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))??
        };
        lap("Compress", &mut phases);
        still_claimed()?;
        Ok::<_, ExportError>((Outcome::Ready { size }, counts, Some(zip)))
    }
    .await
    .map(|(outcome, counts, zip)| {
        (
            Finished {
                outcome,
                phases: phases.clone(),
            },
            counts,
            zip,
        )
    });
    reporter.abort();
    result
}

/// Zips the CSV files (in HUD's file order) into an unnamed file; returns it and its size.
fn zip_files(files: &UnnamedFiles) -> std::io::Result<(std::fs::File, u64)> {
    use super::files::ExportFiles;
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let file = files.unnamed_file()?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o600);
    for spec in super::spec::FILES {
        zip.start_file(spec.name, options)
            .map_err(std::io::Error::other)?;
        let mut csv = files
            .open(spec.name)?
            .ok_or_else(|| std::io::Error::other(format!("{} was not written", spec.name)))?;
        std::io::copy(&mut csv, &mut zip)?;
    }
    let mut out = zip.finish().map_err(std::io::Error::other)?;
    out.flush()?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    let size = file.metadata()?.len();
    Ok((file, size))
}

/// The Export.csv facts of row `id`: its request, the exporting user as the contact, the CoC's
/// name and the installation's ImplementationID.
async fn load_header(conn: &mut PgConnection, id: i64) -> Result<ExportHeader, sqlx::Error> {
    let row = sqlx::query!(
        r#"select x.export_id, x.period_type, x.start_date, x.end_date, x.started_at,
                  c.code as coc, c.name as coc_name, u.first_name, u.last_name, u.phone, u.email,
                  (select id from installation) as "implementation!",
                  (select id from users where is_system) as "system_user!"
             from hmis_exports x join cocs c on c.code = x.coc_code join users u on u.id = x.created_by
            where x.id = $1"#,
        id,
    )
    .fetch_one(conn)
    .await?;
    Ok(ExportHeader {
        export_id: row.export_id,
        request: ExportRequest {
            coc_code: row.coc,
            period_type: ExportPeriodType::from_code(row.period_type)
                .unwrap_or(ExportPeriodType::ReportingPeriod),
            start_date: row.start_date,
            end_date: row.end_date,
        },
        exported_at: row.started_at,
        coc_name: row.coc_name,
        contact_first: Some(row.first_name),
        contact_last: Some(row.last_name),
        contact_phone: row.phone,
        contact_email: row.email,
        implementation_id: row.implementation,
        system_user: row.system_user,
    })
}

/// Removes ZIPs older than [`KEEP_FOR_HOURS`]: they hold personal data. Any instance may run
/// it at any time (rows another sweep holds are skipped).
pub async fn remove_expired(db: impl PgExecutor<'_>) -> Result<u64, sqlx::Error> {
    let expired = sqlx::query!(
        "with old as (
             select id from hmis_exports
              where status = 'ready' and finished_at < now() - make_interval(hours => $1::int)
              for update skip locked),
         removed as (
             delete from hmis_export_chunks c using old where c.export_row = old.id)
         update hmis_exports x
            set status = 'expired', phase = 'Removed from the server after 24 hours: create it again.',
                version = x.version + 1, updated_at = now()
           from old where old.id = x.id",
        KEEP_FOR_HOURS as i32,
    )
    .execute(db)
    .await?;
    Ok(expired.rows_affected())
}

/// Exports waiting for a worker and exports being written, over every instance (metrics).
pub async fn queue_depth(db: impl PgExecutor<'_>) -> Result<(i64, i64), sqlx::Error> {
    let depth = sqlx::query!(
        r#"select count(*) filter (where status = 'queued') as "queued!",
                  count(*) filter (where status = 'running') as "running!"
             from hmis_exports where status in ('queued', 'running')"#
    )
    .fetch_one(db)
    .await?;
    Ok((depth.queued, depth.running))
}

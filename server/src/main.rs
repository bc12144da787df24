//! `server` serves the app; `server migrate` only migrates; `server demo [small|large]` loads the
//! demo data set once (it refuses a database that already has data).

use leptos::prelude::*;
use std::process::ExitCode;

// One worker thread: Leptos 0.8's SSR can deadlock when the tasks of one render run on two
// threads at once (reactive_graph lock-order inversion, leptos-rs/leptos#4673). Rendering and
// server functions are I/O-bound here; Argon2 runs on the blocking pool either way.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    server::return_large_allocations_to_the_system();
    let tuning = match server::config::Tuning::from_env() {
        Ok(tuning) => tuning,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into());
    match tuning.log_format {
        server::config::LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        server::config::LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_env_filter(filter)
            .init(),
    }
    match run(tuning).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(tuning: server::config::Tuning) -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let database_url = std::env::var("DATABASE_URL")
        .map_err(|_| "DATABASE_URL is not set (scripts/run sets it)")?;
    let pool = server::connect(&database_url, &tuning).await?;
    let store = server::prepare_database(&pool).await?;

    match args.first().map(String::as_str) {
        Some("migrate") => Ok(()),
        Some("bench") => {
            let iterations = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1000);
            println!("{}", server::bench::run(pool, iterations).await?);
            Ok(())
        }
        Some("export-bench") => {
            println!("{}", server::bench::export(pool).await?);
            Ok(())
        }
        Some("demo") => {
            let size = match args.get(1).map(String::as_str) {
                None | Some("small") => app::ssr::demo::Size::Small,
                Some("large") => app::ssr::demo::Size::Large,
                Some(other) => {
                    return Err(format!("unknown demo size {other:?} (small or large)").into())
                }
            };
            let loaded = app::ssr::demo::load(&pool, size).await?;
            println!("{loaded}");
            Ok(())
        }
        None | Some("serve") => {
            let conf = get_configuration(None)?;
            let options = conf.leptos_options;
            server::check_hash_file(&options)?;
            let addr = options.site_addr;
            let settings = server::Settings::from_env(addr, &tuning)?;
            if settings.public_origin.https && settings.trusted_proxies.is_empty() {
                // TLS ends at a proxy; without trusting it, every user shares its address in
                // the sign-in limits.
                tracing::warn!("THRESHOLD_PUBLIC_URL is https but THRESHOLD_TRUSTED_PROXIES is empty: set it to the TLS proxy's address");
            }
            app::ssr::passwords::configure(server::hash_slots_from_env(&tuning)?);
            let deletion = tokio::task::spawn(
                tower_sessions::session_store::ExpiredDeletion::continuously_delete_expired(
                    store.clone(),
                    tokio::time::Duration::from_secs(600),
                ),
            );
            // Password attempts no limit reads any more are removed (the audit log keeps them), and
            // exports past their 24 hours.
            let pruning = tokio::task::spawn({
                let pool = pool.clone();
                async move {
                    let mut every = tokio::time::interval(tokio::time::Duration::from_secs(600));
                    loop {
                        every.tick().await;
                        if let Err(error) = app::ssr::throttle::prune(&pool).await {
                            tracing::warn!(%error, "pruning password attempts failed");
                        }
                        // A ZIP (full SSNs) nobody downloads is removed after its 24 hours too.
                        if let Err(error) =
                            app::features::hmis_export::job::remove_expired(&pool).await
                        {
                            tracing::warn!(%error, "removing expired exports failed");
                        }
                    }
                }
            });
            // Queued exports are taken up by this instance's worker (or another's).
            let worker = server::start_export_worker(&pool)?;
            // E-mails: sent by this instance's outbox worker (or another's) when a mail server
            // is configured; otherwise they wait in the outbox for the System Administrator.
            let mailer = server::mail::Mailer::from_env()?;
            app::ssr::mail::configure(&settings.public_origin.url(), mailer.is_some());
            let outbox = match mailer {
                Some(mailer) => {
                    tracing::info!("e-mails are sent over THRESHOLD_SMTP_URL");
                    Some(server::mail::OutboxWorker::start(
                        pool.clone(),
                        mailer,
                        app::features::hmis_export::job::instance_name(),
                    ))
                }
                None => {
                    tracing::info!("THRESHOLD_SMTP_URL is not set: e-mails wait in the outbox");
                    None
                }
            };
            let notification_job = server::mail::start_notification_job(pool.clone());
            let metrics = match tuning.metrics_addr {
                Some(metrics_addr) => {
                    let listener = tokio::net::TcpListener::bind(metrics_addr).await?;
                    tracing::info!("metrics at http://{metrics_addr}/metrics");
                    let router = server::metrics::router(pool.clone());
                    Some(tokio::task::spawn(async move {
                        axum::serve(listener, router).await
                    }))
                }
                None => None,
            };
            let app = server::router(pool.clone(), store, options, &settings);
            let listener = tokio::net::TcpListener::bind(&addr).await?;
            tracing::info!("Threshold listening on http://{addr}");
            // SIGTERM stops the listener at once; requests in flight get the shutdown deadline.
            let finished = server::serve_until(
                listener,
                app,
                async {
                    shutdown_signal().await;
                    tracing::info!(
                        "shutting down: no new connections, finishing requests in flight"
                    );
                },
                tuning.shutdown_deadline,
            )
            .await?;
            if !finished {
                tracing::warn!(
                    seconds = tuning.shutdown_deadline.as_secs(),
                    "requests still in flight at the shutdown deadline are cut off"
                );
            }
            if let Some(metrics) = metrics {
                metrics.abort();
            }
            deletion.abort();
            pruning.abort();
            notification_job.abort();
            if let Some(outbox) = outbox {
                outbox.stop(&pool).await;
            }
            // Another instance takes up the export this one was running.
            worker.stop();
            match app::features::hmis_export::job::release_claims(&pool, &worker.instance).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(exports = n, "running exports put back in the queue"),
                Err(error) => {
                    tracing::warn!(%error, "could not put the running export back in the queue")
                }
            }
            // The worker's thread ends with the process: its claim is released, so whatever
            // it still writes is refused.
            std::mem::forget(worker);
            Ok(())
        }
        Some(other) => Err(format!(
            "unknown command {other:?} (serve, migrate, demo, bench, export-bench)"
        )
        .into()),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}

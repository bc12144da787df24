//! HMIS CSV export (HUD HMIS CSV Format Specifications FY2026 v1.0): the export page, and on
//! the server the file specification, writer, validator, background job and download.

pub mod api;
#[cfg(feature = "ssr")]
pub mod download;
#[cfg(feature = "ssr")]
pub mod files;
#[cfg(feature = "ssr")]
pub mod format;
#[cfg(feature = "ssr")]
pub mod job;
#[cfg(feature = "ssr")]
pub mod spec;
#[cfg(feature = "ssr")]
pub mod validate;
#[cfg(feature = "ssr")]
pub mod writer;

use crate::domain::export::{validate_export, ExportDraft, ExportPeriodType};
use crate::error::AppError;
use crate::features::auth::Guarded;
use crate::ui::{
    form_error, shown_errors, today, unavailable_reason, ErrorPanel, ErrorSummary, FieldError,
    FieldLabels, SelectField, TextField,
};
use api::{list_exports, ExportOverview, ExportStatus, StartExport};
use chrono::Datelike;
use leptos::prelude::*;

/// How often the page asks for progress while an export runs.
const POLL_MILLIS: u64 = 1000;

const LABELS: FieldLabels = &[
    ("coc_code", "Continuum of Care"),
    ("period_type", "Export period type"),
    ("start_date", "Export start date"),
    ("end_date", "Export end date"),
];

#[component]
pub fn ExportPage() -> impl IntoView {
    view! { <Guarded needs_context=true><Export/></Guarded> }
}

#[component]
fn Export() -> impl IntoView {
    let start = ServerAction::<StartExport>::new();
    // The form is read once; the list below refreshes while an export runs, without touching
    // what the user is typing.
    let form = Resource::new(|| (), |_| list_exports());
    // Both resources are made here, outside the Suspend: a resource first made inside one runs
    // its server function where the server-side render has no database pool (a page loaded
    // straight at /export then never hydrated).
    let tick = RwSignal::new(0u64);
    let list = Resource::new(
        move || (start.version().get(), tick.get()),
        |_| list_exports(),
    );
    view! {
        <section class="panel">
            <h1>"HMIS CSV export"</h1>
            <p class="hint">"HUD's HMIS CSV FY2026 files of a Continuum of Care, for HUD reports (CE APR, LSA) and other systems. The files are checked against HUD's structural rules before they are offered; an export that breaks a rule is refused with the list of what to fix. The files hold personal data: every export and download is recorded, and the ZIP is removed from the server after 24 hours."</p>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match form.await {
                        Ok(overview) => view! { <ExportForm cocs=overview.cocs start/> <RecentExports list tick/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The user's recent exports, polled while one runs.
#[component]
fn RecentExports(
    list: Resource<Result<ExportOverview, AppError>>,
    tick: RwSignal<u64>,
) -> impl IntoView {
    let running = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(list)) = list.get() {
            running.set(
                list.exports
                    .iter()
                    .any(|e| matches!(e.status.as_str(), "queued" | "running")),
            );
        }
    });
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if running.get_untracked() {
                    tick.update(|n| *n += 1)
                }
            },
            std::time::Duration::from_millis(POLL_MILLIS),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <h2 id="exports-heading">"Your recent exports"</h2>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) if list.exports.is_empty() => view! { <p class="muted">"None yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="exports" aria-labelledby="exports-heading">
                            {list.exports.into_iter().map(|e| view! { <li><ExportCard export=e/></li> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The first day of HUD's current federal fiscal year (October 1).
fn fiscal_year_start(today: chrono::NaiveDate) -> chrono::NaiveDate {
    let year = if today.month() >= 10 {
        today.year()
    } else {
        today.year() - 1
    };
    chrono::NaiveDate::from_ymd_opt(year, 10, 1).unwrap_or(today)
}

#[component]
fn ExportForm(cocs: Vec<(String, String)>, start: ServerAction<StartExport>) -> impl IntoView {
    let server_error = form_error(start);
    let draft = RwSignal::new(ExportDraft {
        coc_code: cocs.first().map(|(c, _)| c.clone()).unwrap_or_default(),
        period_type: ExportPeriodType::ReportingPeriod.code().to_string(),
        start_date: fiscal_year_start(today()).to_string(),
        end_date: today().to_string(),
    });
    let touched = RwSignal::new(Vec::<&'static str>::new());
    let coc_options: Vec<(String, String)> = cocs
        .iter()
        .map(|(c, n)| (c.clone(), format!("{c} {n}")))
        .collect();
    let cocs: Vec<String> = cocs.into_iter().map(|(c, _)| c).collect();
    let cocs = StoredValue::new(cocs);
    let validation = Memo::new(move |_| {
        draft.with(|d| cocs.with_value(|c| validate_export(d, c, today()).err()))
    });
    let shown = shown_errors(validation, touched, server_error);
    let set = move |field: &'static str| {
        Callback::new(move |value: String| {
            draft.update(|d| match field {
                "coc_code" => d.coc_code = value,
                "period_type" => d.period_type = value,
                "start_date" => d.start_date = value,
                _ => d.end_date = value,
            });
            touched.update(|t| {
                if !t.contains(&field) {
                    t.push(field)
                }
            });
        })
    };
    let value = move |f: fn(&ExportDraft) -> String| Signal::derive(move || draft.with(f));
    let period_is = move |code: i16| draft.with(|d| d.period_type == code.to_string());
    let period = move |kind: ExportPeriodType, id: &'static str, hint: &'static str| {
        let code = kind.code();
        view! {
            <div class="check">
                <input type="radio" id=id name="period_type" value=code.to_string() checked=move || period_is(code)
                    on:change=move |_| set("period_type").run(code.to_string()) aria-describedby=format!("{id}-hint")/>
                <label for=id>{kind.label()}</label>
                <p class="hint" id=format!("{id}-hint")>{hint}</p>
            </div>
        }
    };
    view! {
        <ErrorSummary error=shown labels=LABELS/>
        <ActionForm action=start attr:novalidate=true attr:class="export-form">
            <SelectField id="coc_code" label="Continuum of Care" value=value(|d| d.coc_code.clone()) on_change=set("coc_code") error=shown options=coc_options/>
            <fieldset>
                <legend>"Export period type"</legend>
                {period(ExportPeriodType::ReportingPeriod, "period_reporting", "Every enrollment active at any time in the range, with its household, client, exit and CE events (ExportDirective: full refresh).")}
                {period(ExportPeriodType::Updated, "period_updated", "Records created, changed or deleted in the range; deleted ones carry DateDeleted (ExportDirective: delta refresh).")}
                <FieldError error=shown field="period_type"/>
            </fieldset>
            <div class="field-row">
                <TextField id="start_date" label="Export start date" kind="date" value=value(|d| d.start_date.clone()) on_input=set("start_date") error=shown/>
                <TextField id="end_date" label="Export end date" kind="date" value=value(|d| d.end_date.clone()) on_input=set("end_date") error=shown/>
            </div>
            <div class="actions">
                <button type="submit" class="primary" disabled=move || start.pending().get() || validation.get().is_some()
                    aria-busy=move || start.pending().get().to_string() aria-describedby="export-reason">
                    {move || if start.pending().get() { "Starting…" } else { "Create export" }}
                </button>
                <span id="export-reason" class="hint" aria-live="polite">
                    {move || validation.get().map(|e| unavailable_reason(&e, LABELS).replace("Save", "Create export"))}
                </span>
            </div>
        </ActionForm>
    }
}

fn megabytes(bytes: i64) -> String {
    if bytes >= 1_048_576 {
        format!("{:.1} MB", bytes as f64 / 1_048_576.0)
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

#[component]
fn ExportCard(export: ExportStatus) -> impl IntoView {
    let title = format!(
        "{} · {} · started {}",
        export.coc, export.period, export.started
    );
    let counts = (!export.row_counts.is_empty()).then(|| {
        export
            .row_counts
            .iter()
            .map(|(file, n)| format!("{file} {n}"))
            .collect::<Vec<_>>()
            .join(" · ")
    });
    let body = match export.status.as_str() {
        // Queued until an instance of the server takes it up (at once when one is free).
        "queued" | "running" => {
            let total = export.rows_total.unwrap_or(0).max(1);
            let percent = (export.rows_done.min(total) * 100) / total;
            view! {
                <p>{format!("{} — {percent}%", export.phase)}</p>
                <progress max=total.to_string() value=export.rows_done.min(total).to_string() aria-label="Export progress"></progress>
            }
            .into_any()
        }
        "ready" => view! {
            <p role="status">"Checked against HUD's rules: no problems found."</p>
            {counts.map(|c| view! { <p class="hint">{c}</p> })}
            <p><a class="button primary" href=export.download_url.clone().unwrap_or_default() download="">
                {format!("Download ZIP ({})", megabytes(export.file_size.unwrap_or(0)))}</a></p>
        }
        .into_any(),
        "refused" => {
            let listed = export.violations.len() as i32;
            view! {
                <div class="error-summary" role="alert">
                    <p class="error-summary-title">{format!("Refused: the files break HUD's rules in {} place(s). Fix the records below, then create the export again.", export.violation_count)}</p>
                </div>
                <table class="data compact">
                    <caption>{if listed < export.violation_count { format!("The first {listed} problems") } else { "Problems to fix".to_string() }}</caption>
                    <thead><tr><th scope="col">"File"</th><th scope="col">"Row"</th><th scope="col">"Column"</th><th scope="col">"What to fix"</th></tr></thead>
                    <tbody>{export.violations.into_iter().map(|v| view! {
                        <tr><td>{v.file}</td><td>{v.row}</td><td>{v.column}</td><td>{v.message}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            }
            .into_any()
        }
        _ => view! { <p class="muted">{export.phase.clone()}</p> }.into_any(),
    };
    let label = title.clone();
    view! {
        <article class="export-card" aria-label=label>
            <h3>{title}</h3>
            {body}
        </article>
    }
}

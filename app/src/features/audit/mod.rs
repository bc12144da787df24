//! A record's history (from the audit log), shown at the foot of the records people edit.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod store;

use crate::error::AppError;
use crate::ui::ErrorPanel;
use api::{get_record_history, HistoryEntry};
use leptos::prelude::*;

/// The history list itself.
#[component]
pub fn HistoryList(entries: Vec<HistoryEntry>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="muted">"No changes recorded."</p> }.into_any();
    }
    view! {
        <ol class="history">
            {entries.into_iter().map(|h| view! {
                <li>
                    <p><strong>{h.action}</strong> " · " {h.at} " · " {h.who}
                        {h.organization.map(|o| format!(" ({o})"))}</p>
                    <ul>{h.changes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// An administered record's history, loaded (and reloaded with the record after each change)
/// by [`history_resource`] and shown by [`RecordHistory`].
pub type HistoryResource = Resource<Result<Vec<HistoryEntry>, AppError>>;

/// Loads the history of record `id` (none for a new record: `None` or 0) of `entity`.
///
/// Call it in the page's own component, beside the resource that loads the record, never in a
/// component rendered inside a `Suspense`/`Transition` (inside a `Suspend`): on the server, Leptos
/// renders such children more than once (a dry run, in an effect of the boundary, to find the
/// resources they read, then the real render). A resource created there is created again on
/// each run; the dry run's copy still runs its server function after the effect that owned it
/// is disposed, when the context it reads (the `PgPool`) is no longer reachable.
pub fn history_resource(
    entity: &'static str,
    id: impl Fn() -> Option<i64> + Send + Sync + 'static,
    reload: impl Into<Signal<u32>>,
) -> HistoryResource {
    let reload = reload.into();
    Resource::new(
        move || (id().filter(|id| *id > 0), reload.get()),
        move |(id, _)| async move {
            match id {
                Some(id) => get_record_history(entity.to_string(), id).await,
                None => Ok(Vec::new()),
            }
        },
    )
}

/// The "History" section of an administered record (user, organization, project, need status).
#[component]
pub fn RecordHistory(entries: HistoryResource) -> impl IntoView {
    view! {
        <section class="subsection" aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading the history…"</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(entries) => view! { <HistoryList entries/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
